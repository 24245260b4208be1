#!/usr/bin/python3
"""scikit-learn's side of bench/probes/benchProbes.ts (which runs it on the matrices it wrote).

  /usr/bin/python3 bench/probes/bench_sklearn.py DIR
  /usr/bin/python3 bench/probes/bench_sklearn.py --serve DIR

--serve: one probe per request, so that benchProbes.ts can alternate scikit-learn's runs with its own (the
machine is shared and its load drifts): reads lines "FILE SETTING" on stdin (FILE as in cases.json,
SETTING default or converged; "reload" re-reads cases.json) and answers each with one JSON line (seconds, cpu_seconds = CPU time of all
its threads, n_iter, objective, auc, solver).

DIR/cases.json lists cases (raw float32 X, uint8 y; first nTrain rows train, then nTest test) and how
many repetitions to time. Per case and setting, one probe = fit + predict_proba on the test rows +
roc_auc_score, timed with perf_counter; prints JSON with every repetition's seconds, iterations, the
objective C*sum(logloss) + 0.5*|w|^2 (float64) and the test AUC. Settings:
- "default": LogisticRegression() exactly as the paper's code calls it (lbfgs, max_iter=100, tol=1e-4);
- "converged": newton-cholesky (tol=1e-10) when d <= 1536, else newton-cg (tol=1e-8), max_iter=1000:
  scikit-learn's own solvers that reach the optimum (lbfgs stops well above it even at tol=1e-10).
OpenBLAS uses every core it finds (2 here): scikit-learn gets both cores.
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


def objective(X, y, w, b):
    z = X.astype(np.float64) @ w + b
    t = np.where(y == 1, -z, z)
    return float(np.sum(np.maximum(t, 0) + np.log1p(np.exp(-np.abs(z)))) + 0.5 * w @ w)


def load(base, c):
    n, m, d = c["nTrain"], c["nTest"], c["d"]
    # float64, converted once outside the timings: Debian's scikit-learn 1.2.1 lbfgs fails on float32 input
    # ("Buffer dtype mismatch"), and the converged solvers would compute in float32.
    X = np.fromfile(f"{base}/{c['file']}.X.f32", dtype=np.float32).reshape(n + m, d).astype(np.float64)
    y = np.fromfile(f"{base}/{c['file']}.y.u8", dtype=np.uint8).astype(np.int64)
    return X[:n], y[:n], X[n:], y[n:]


def settings(d):
    converged = dict(solver="newton-cholesky", tol=1e-10, max_iter=1000) if d <= 1536 else dict(solver="newton-cg", tol=1e-8, max_iter=1000)
    return {"default": {}, "converged": converged}


def serve(base):
    cases = {c["file"]: c for c in json.load(open(f"{base}/cases.json"))}
    cached = (None, None)
    for line in sys.stdin:
        if line.strip() == "reload":  # heatmapWall.ts rewrote cases.json for its next case
            cases = {c["file"]: c for c in json.load(open(f"{base}/cases.json"))}
            cached = (None, None)
            continue
        file, setting = line.split()
        c = cases[file]
        if cached[0] != file:
            cached = (None, None)  # free the previous matrices first
            cached = (file, load(base, c))
        Xtr, ytr, Xte, yte = cached[1]
        kwargs = settings(c["d"])[setting]
        t0 = time.perf_counter()
        c0 = time.process_time()
        clf = LogisticRegression(**kwargs).fit(Xtr, ytr)
        auc = roc_auc_score(yte, clf.predict_proba(Xte)[:, 1])
        seconds = time.perf_counter() - t0
        cpu = time.process_time() - c0
        print(json.dumps(dict(
            seconds=seconds, cpu_seconds=cpu, solver=kwargs.get("solver", "lbfgs"), n_iter=int(clf.n_iter_[0]), max_iter=clf.max_iter,
            objective=objective(Xtr, ytr, clf.coef_[0], float(clf.intercept_[0])), auc=float(auc),
        )), flush=True)


def main(base):
    cases = json.load(open(f"{base}/cases.json"))
    out = []
    for c in cases:
        n, m, d = c["nTrain"], c["nTest"], c["d"]
        # float64, converted once outside the timings: Debian's scikit-learn 1.2.1 lbfgs fails on float32 input
        # ("Buffer dtype mismatch"), and the converged solvers would compute in float32.
        X = np.fromfile(f"{base}/{c['file']}.X.f32", dtype=np.float32).reshape(n + m, d).astype(np.float64)
        y = np.fromfile(f"{base}/{c['file']}.y.u8", dtype=np.uint8).astype(np.int64)
        Xtr, ytr, Xte, yte = X[:n], y[:n], X[n:], y[n:]
        converged = dict(solver="newton-cholesky", tol=1e-10, max_iter=1000) if d <= 1536 else dict(solver="newton-cg", tol=1e-8, max_iter=1000)
        result = dict(name=c["name"])
        for setting, kwargs, reps in (("default", {}, c["repsDefault"]), ("converged", converged, c["repsConverged"])):
            if reps == 0:
                continue
            runs = []
            for _ in range(reps):
                t0 = time.perf_counter()
                clf = LogisticRegression(**kwargs).fit(Xtr, ytr)
                auc = roc_auc_score(yte, clf.predict_proba(Xte)[:, 1])
                seconds = time.perf_counter() - t0
                runs.append(seconds)
            result[setting] = dict(
                solver=kwargs.get("solver", "lbfgs"), seconds=runs, n_iter=int(clf.n_iter_[0]), max_iter=clf.max_iter,
                objective=objective(Xtr, ytr, clf.coef_[0], float(clf.intercept_[0])), auc=float(auc),
            )
        out.append(result)
    print(json.dumps(out))


if __name__ == "__main__":
    if sys.argv[1] == "--serve":
        serve(sys.argv[2])
    else:
        main(sys.argv[1])
