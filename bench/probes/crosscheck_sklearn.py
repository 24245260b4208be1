#!/usr/bin/python3
"""scikit-learn's side of bench/probes/crosscheck.ts (which runs it; not meant to be run by hand).

  /usr/bin/python3 bench/probes/crosscheck_sklearn.py DIR

DIR/manifest.json lists problems whose matrices crosscheck.ts wrote as raw little-endian files
(X float32 row-major, y uint8) together with our solution (weights and intercept float64, test scores
float64, the AUC interval). For each problem this prints, as JSON:
- the converged scikit-learn fit: LogisticRegression(C=1) with solver newton-cholesky (tol=1e-10) when
  d <= 1536, else newton-cg (tol=1e-8: max |gradient|; no d x d Hessian, and below 1e-8 its line search
  stalls short of its own test); both reach the optimum to ~1e-12 (the default lbfgs stops
  well above it even at tol=1e-10: its relative-decrease test); its iterations, objective
  C*sum(logloss) + 0.5*|w|^2 evaluated here in float64, test AUC;
- the same objective evaluated at OUR weights, so both come from one formula;
- roc_auc_score on OUR test scores, raw and rounded (by crosscheck.ts) to 2 and 1 decimals (ties);
- the numpy bootstrap interval of our test scores (RandomState(seed).randint per resample).
"""
import json
import sys
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

warnings.simplefilter("ignore", ConvergenceWarning)


def objective(X, y, w, b, C=1.0):
    z = X @ w + b
    t = np.where(y == 1, -z, z)
    return float(C * np.sum(np.maximum(t, 0) + np.log1p(np.exp(-np.abs(z)))) + 0.5 * w @ w)


def bootstrap(y, scores, resamples, seed):
    rng = np.random.RandomState(seed)
    m = len(y)
    aucs, skipped = [], 0
    for _ in range(resamples):
        idx = rng.randint(0, m, size=m)
        if len(np.unique(y[idx])) < 2:
            skipped += 1
            continue
        aucs.append(roc_auc_score(y[idx], scores[idx]))
    if not aucs:
        return None, skipped
    lo, hi = np.percentile(aucs, [2.5, 97.5])
    return [float(lo), float(hi)], skipped


def main(base):
    manifest = json.load(open(f"{base}/manifest.json"))
    out = []
    for p in manifest:
        name, n, m, d = p["name"], p["nTrain"], p["nTest"], p["d"]
        read = lambda suffix, dtype: np.fromfile(f"{base}/{p['file']}.{suffix}", dtype=dtype)
        X = read("X.f32", np.float32).reshape(n + m, d).astype(np.float64)
        y = read("y.u8", np.uint8).astype(np.int64)
        Xtr, ytr, Xte, yte = X[:n], y[:n], X[n:], y[n:]
        w_ours = read("w.f64", np.float64)
        scores_ours = read("scores.f64", np.float64)
        if d <= 1536:
            kwargs = dict(solver="newton-cholesky", tol=1e-10, max_iter=1000)
        else:
            kwargs = dict(solver="newton-cg", tol=1e-8, max_iter=1000)
        t0 = time.perf_counter()
        clf = LogisticRegression(C=1.0, **kwargs).fit(Xtr, ytr)
        seconds = time.perf_counter() - t0
        w, b = clf.coef_[0], float(clf.intercept_[0])
        result = dict(
            name=name,
            sklearn=dict(solver=kwargs["solver"], n_iter=int(clf.n_iter_[0]), max_iter=kwargs["max_iter"], seconds=seconds,
                         objective=objective(Xtr, ytr, w, b), auc=float(roc_auc_score(yte, clf.predict_proba(Xte)[:, 1]))),
            ours_objective=objective(Xtr, ytr, w_ours, p["intercept"]),
            auc_of_our_scores=[float(roc_auc_score(yte, read(f"scores{k}.f64", np.float64))) for k in ("", "2", "1")],
        )
        if p.get("bootstrapResamples"):
            result["bootstrap"], result["bootstrap_skipped"] = bootstrap(yte, scores_ours, p["bootstrapResamples"], p["seed"])
        out.append(result)
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
