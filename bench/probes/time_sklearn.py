#!/usr/bin/python3
"""scikit-learn on the data bench/probes/timeSolvers.ts dumped with --dump FILE, for comparison.

  node --import tsx bench/probes/timeSolvers.ts 800 4096 --dump /tmp/a800
  /usr/bin/python3 bench/probes/time_sklearn.py /tmp/a800

Prints time, iterations, objective C*sum(logloss) + 0.5*|w|^2 and test AUC for the reference's
default LogisticRegression() (lbfgs, max_iter=100, tol=1e-4) and for a run to convergence.
"""
import json
import sys
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

base = sys.argv[1]
shape = json.load(open(base + ".json"))
n_train, n_test, d = shape["nTrain"], shape["nTest"], shape["d"]
X = np.fromfile(base + ".X.f32", dtype=np.float32).reshape(n_train + n_test, d)
y = np.fromfile(base + ".y.u8", dtype=np.uint8).astype(np.int64)
Xtr, ytr, Xte, yte = X[:n_train], y[:n_train], X[n_train:], y[n_train:]
warnings.simplefilter("ignore", ConvergenceWarning)


def objective(w, b):
    z = Xtr.astype(np.float64) @ w + b
    t = np.where(ytr == 1, -z, z)
    return np.sum(np.maximum(t, 0) + np.log1p(np.exp(-np.abs(z)))) + 0.5 * w @ w


for name, kwargs in [
    ("reference default (lbfgs, max_iter=100)", dict()),
    ("lbfgs tol=1e-8, max_iter=100000", dict(tol=1e-8, max_iter=100000)),
    ("newton-cholesky tol=1e-8", dict(tol=1e-8, solver="newton-cholesky")),
]:
    t0 = time.perf_counter()
    clf = LogisticRegression(**kwargs).fit(Xtr.astype(np.float64), ytr)
    auc = roc_auc_score(yte, clf.predict_proba(Xte.astype(np.float64))[:, 1])
    ms = (time.perf_counter() - t0) * 1000
    print(f"{n_train}x{d} sklearn {name}: {ms:.0f} ms, {int(clf.n_iter_[0])} iterations, "
          f"objective {objective(clf.coef_[0], clf.intercept_[0]):.15g}, test AUC {auc:.6f}")
