# Independent check of the baselines (test/unit/baselines/baselines.test.ts): from the logits of the
# ONNX graph as exported, one row at a time, recompute the reference's logprob scores (logprob_detection.py's
# get_logprob_scores) and p(True) (p_true_detection.py's get_p_true) with numpy, and their AUCs with
# scikit-learn's roc_auc_score. Input: a folder with rows.json and, per row i, logits-i.f32 [L, vocab]
# and ptrue-i.f32 / ptrue-rev-i.f32 [vocab] (the last prompt position's logits); rows.json's `ours` holds
# Layer Probe's own scores.
import json, sys
import numpy as np
from sklearn.metrics import roc_auc_score

d = sys.argv[1]
spec = json.load(open(f"{d}/rows.json"))
V, A, B = spec["vocab"], spec["tokenA"], spec["tokenB"]
out = {"scores": {}, "auc": {}}
per = {}
for i, row in enumerate(spec["rows"]):
    ids, q, s, e = row["ids"], row["q"], row["first"], row["last"]
    logits = np.fromfile(f"{d}/logits-{i}.f32", dtype="<f4").reshape(len(ids), V).astype(np.float64)
    steps = logits[q - 1:len(ids) - 1]
    probs = np.exp(steps - steps.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    out_ids = np.array(ids[q:])
    lg = steps[np.arange(len(out_ids)), out_ids]
    pr = probs[np.arange(len(out_ids)), out_ids]
    idx = np.arange(s, e + 1) - q
    for prefix, (L, P) in [("", (lg, pr)), ("exact_answer.", (lg[idx], pr[idx]))]:
        for kind, vals in [("logits", L), ("probas", P)]:
            for agg, v in [("min", vals.min()), ("max", vals.max()), ("mean", vals.mean()), ("last_token", vals[-1])]:
                per.setdefault(f"{prefix}{kind}_{agg}", []).append(float(v))
        if prefix:
            after = min(idx[-1] + 1, len(out_ids) - 1)
            per.setdefault("exact_answer.logits_after_last_token", []).append(float(lg[after]))
            per.setdefault("exact_answer.probas_after_last_token", []).append(float(pr[after]))
    for name, f in [("p_true", f"ptrue-{i}.f32"), ("p_true_reversed", f"ptrue-rev-{i}.f32")]:
        last = np.fromfile(f"{d}/{f}", dtype="<f4").astype(np.float64)
        ab = np.exp(last[[A, B]] - last[[A, B]].max())
        ab /= ab.sum()
        per.setdefault(name, []).append(float(ab[1] if name == "p_true_reversed" else ab[0]))
y = np.array([r["label"] for r in spec["rows"]])
for name, vals in per.items():
    out["scores"][name] = vals
    out["auc"][name] = float(roc_auc_score(y, np.array(vals)))
# scikit-learn's AUC of the scores Layer Probe computed (same labels), to compare AUC code alone.
out["aucOfOurs"] = {name: float(roc_auc_score(y, np.array(vals))) for name, vals in spec["ours"].items()}
print(json.dumps(out))
