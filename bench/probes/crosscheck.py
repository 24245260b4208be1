#!/usr/bin/python3
"""Reference values for test/unit/probe/*.test.ts, computed with scikit-learn.

Run from the repository root:  /usr/bin/python3 bench/probes/crosscheck.py
(Debian: apt-get install python3-sklearn). It prints the values the tests hard-code.
The synthetic problems mirror test/unit/probe/syntheticProblem.ts exactly: numpy's legacy MT19937
stream (RandomState.random_sample) and only +, -, *, / so both languages produce identical bits.
"""
import json
import math
import sys

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, auc, f1_score, precision_score, recall_score, roc_auc_score, roc_curve
from sklearn.model_selection import train_test_split

# Keep in sync with PROBLEMS in test/unit/probe/logistic.test.ts.
PROBLEMS = [
    dict(name="wide (n < d)", n=40, d=120, seed=1, noise=1.0, errors=20),
    dict(name="tall (n > d)", n=300, d=12, seed=2, noise=2.0, errors=150),
    dict(name="near-separable", n=120, d=20, seed=3, noise=0.05, errors=60),
    dict(name="imbalanced 5% errors", n=400, d=10, seed=4, noise=2.0, errors=20),
    dict(name="imbalanced 95% errors", n=400, d=10, seed=5, noise=2.0, errors=380),
    dict(name="separable wide", n=50, d=200, seed=6, noise=0.0, errors=25),
    dict(name="separable tall", n=200, d=5, seed=7, noise=0.0, errors=100),
]


def make_problem(n, d, seed, noise, errors, **_):
    rng = np.random.RandomState(seed)
    scale = lambda j: 40.0 if j == 0 else float(1 + (j % 4))
    offset = lambda j: 25.0 if j == 0 else float((j % 3) - 1)
    direction = lambda j: (((j * 7) % 11) - 5) / 5 / scale(j)
    X = np.zeros((n, d), dtype=np.float32)
    for i in range(n):
        for j in range(d):
            u = float(rng.random_sample()) + float(rng.random_sample()) + float(rng.random_sample()) - 1.5
            X[i, j] = np.float32(u * scale(j) + offset(j))
    margin = []
    for i in range(n):
        s = 0.0
        for j in range(d):
            s += float(X[i, j]) * direction(j)
        margin.append(s + noise * (float(rng.random_sample()) - 0.5))
    threshold = sorted(margin)[errors]
    y = np.array([1 if m >= threshold else 0 for m in margin], dtype=np.int64)
    return X, y


def objective(X, y, w, b, C=1.0):
    z = X.astype(np.float64) @ w + b
    t = np.where(y == 1, -z, z)
    return C * np.sum(np.maximum(t, 0) + np.log1p(np.exp(-np.abs(z)))) + 0.5 * w @ w


def logistic_reference():
    out = []
    for spec in PROBLEMS:
        X, y = make_problem(**spec)
        X = X.astype(np.float64)  # exact; lbfgs converts anyway, newton-cholesky would compute in float32
        # newton-cholesky (sklearn >= 1.2) reaches machine precision; the default lbfgs stops earlier
        # even at tol=1e-10 (its relative-decrease test), so its objective is reported for comparison.
        clf = LogisticRegression(C=1.0, tol=1e-10, max_iter=100000, solver="newton-cholesky").fit(X, y)
        lbfgs = LogisticRegression(C=1.0, tol=1e-10, max_iter=100000).fit(X, y)
        w, b = clf.coef_[0], float(clf.intercept_[0])
        out.append(dict(
            name=spec["name"], n_iter=int(clf.n_iter_[0]), checksum_X=float(X.astype(np.float64).sum()),
            ones=int(y.sum()), intercept=b, objective=float(objective(X, y, w, b)),
            lbfgs_objective=float(objective(X, y, lbfgs.coef_[0], float(lbfgs.intercept_[0]))),
            weights_head=[float(v) for v in w[:6]], weights_norm=float(np.linalg.norm(w)),
            weights_ramp=float(np.arange(1, len(w) + 1) @ w),  # sum of (j+1)*w_j: checks every weight
        ))
    return out


def scored_labels(seed, n, levels, signal):
    """Mirror of scoredLabels in test/unit/probe/auc.test.ts: levels = 0 gives continuous scores."""
    rng = np.random.RandomState(seed)
    labels, scores = [], []
    for _ in range(n):
        u = float(rng.random_sample())
        v = float(rng.random_sample())
        label = 1 if u < 0.6 else 0
        raw = v + signal * label
        labels.append(label)
        scores.append(math.floor(raw * levels) / levels if levels > 0 else raw)
    return np.array(labels), np.array(scores)


def reference_auc(y, p_correct):
    """What the reference computes: AUC of P(error) with pos_label=0 (roc_curve + auc)."""
    fpr, tpr, _ = roc_curve(y, 1 - p_correct, pos_label=0)
    return float(auc(fpr, tpr))


def auc_reference():
    cases = {}
    for name, (seed, n, levels, signal) in {
        "ties 5 levels": (11, 200, 5, 0.3),
        "ties 2 levels": (12, 101, 2, 0.2),
        "continuous": (13, 1000, 0, 0.5),
        "no signal, 3 levels": (14, 300, 3, 0.0),
    }.items():
        y, sc = scored_labels(seed, n, levels, signal)
        cases[name] = dict(roc_auc_score=float(roc_auc_score(y, sc)), reference_pos_label_0=reference_auc(y, sc))
    cases["all tied"] = float(roc_auc_score([0, 1, 1, 0, 1], [0.3] * 5))
    cases["small literal"] = float(roc_auc_score([1, 0, 1, 1, 0, 0, 1], [0.9, 0.1, 0.4, 0.4, 0.4, 0.8, 0.7]))
    return cases


def metrics_of(y, p_correct, pred):
    """compute_metrics_probing(..., pos_label=0) of the reference, from its parts."""
    return dict(
        auc=reference_auc(y, p_correct), acc=float(accuracy_score(y, pred)),
        baseline_acc=float(max(np.mean(y), 1 - np.mean(y))),
        precision=float(precision_score(y, pred, pos_label=0)),  # zero_division="warn" -> 0.0
        recall=float(recall_score(y, pred, pos_label=0)),
        f1=float(f1_score(y, pred, pos_label=0)),
    )


def metrics_reference():
    import warnings
    warnings.simplefilter("ignore")  # UndefinedMetricWarning on the zero-division cases, on purpose
    out = {}
    y, sc = scored_labels(21, 150, 20, 0.25)
    p = np.minimum(sc, 1.0)  # P(correct) on a 0.05 grid, many exactly 0.5
    out["grid scores"] = metrics_of(y, p, (p > 0.5).astype(int))
    y = np.array([1, 0, 1, 1, 0])
    p = np.array([0.9, 0.6, 0.7, 0.55, 0.8])  # nothing predicted as an error
    out["no predicted errors"] = metrics_of(y, p, (p > 0.5).astype(int))
    # End to end: probe fitted by sklearn on one synthetic problem, evaluated on another seed's rows.
    train = make_problem(n=160, d=12, seed=31, noise=3.0, errors=70)
    test = make_problem(n=60, d=12, seed=32, noise=3.0, errors=25)
    clf = LogisticRegression(C=1.0, tol=1e-10, max_iter=100000, solver="newton-cholesky")
    clf.fit(train[0].astype(np.float64), train[1])
    Xt = test[0].astype(np.float64)
    out["probe end to end"] = metrics_of(test[1], clf.predict_proba(Xt)[:, 1], clf.predict(Xt))
    return out


def split_reference():
    np.random.seed(0)
    idx = np.arange(5000)
    np.random.shuffle(idx)  # compile_probing_indices with n_samples=1000, seed=0
    train, test = train_test_split(idx[:1000], test_size=0.2, random_state=0)
    all_train, all_test = train_test_split(np.arange(23), test_size=0.2, random_state=7)  # n_samples='all'
    return dict(
        permutation_20_seed_0=[int(v) for v in np.random.RandomState(0).permutation(20)],
        permutation_20_seed_42=[int(v) for v in np.random.RandomState(42).permutation(20)],
        permutation_10_seed_max=[int(v) for v in np.random.RandomState(2**32 - 1).permutation(10)],
        random_sample_seed_5=[float(v) for v in np.random.RandomState(5).random_sample(3)],
        n5000_limit1000_seed0=dict(test_head=[int(v) for v in test[:8]], train_head=[int(v) for v in train[:8]],
                                   test_sum=int(test.sum()), train_sum=int(train.sum())),
        n23_all_seed7=dict(test=[int(v) for v in all_test], train=[int(v) for v in all_train]),
    )


def bootstrap_interval(y, scores, resamples, seed, percentiles=(2.5, 97.5)):
    """The percentile bootstrap of src/core/probe/bootstrap.ts: RandomState(seed).randint(0, m, size=m) per
    resample (as sklearn.utils.resample), roc_auc_score on it, single-class resamples skipped."""
    rng = np.random.RandomState(seed)
    m = len(y)
    aucs, skipped = [], 0
    for _ in range(resamples):
        idx = rng.randint(0, m, size=m)
        if len(np.unique(y[idx])) < 2:
            skipped += 1
            continue
        aucs.append(roc_auc_score(y[idx], scores[idx]))
    lo, hi = np.percentile(aucs, percentiles)
    return dict(lo=float(lo), hi=float(hi), skipped=skipped, valid=len(aucs))


def bootstrap_reference():
    out = {}
    for name, (data, resamples, seed) in {
        "ties 5 levels, seed 0": ((11, 200, 5, 0.3), 1000, 0),
        "continuous, seed 42": ((13, 200, 0, 0.5), 500, 42),
    }.items():
        y, sc = scored_labels(*data)
        out[name] = bootstrap_interval(y, sc, resamples, seed)
    # Two errors among 30 rows: many resamples hold no error at all and are skipped.
    y, sc = scored_labels(14, 30, 0, 0.4)
    y = np.ones(30, dtype=int)
    y[[3, 17]] = 0
    out["2 errors of 30, seed 7"] = bootstrap_interval(y, sc, 400, 7)
    return out


if __name__ == "__main__":
    print("sklearn", sklearn.__version__, "numpy", np.__version__, file=sys.stderr)
    print(json.dumps(dict(logistic=logistic_reference(), auc=auc_reference(), metrics=metrics_reference(),
                     split=split_reference(), bootstrap=bootstrap_reference()), indent=1))
