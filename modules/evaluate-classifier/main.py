"""evaluate-classifier: metrics of a binary classifier (the mldsl runtime provides inputs/write_output)."""
import json

import joblib
import pandas as pd
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score

bundle = joblib.load(inputs["model"])
frame = pd.read_parquet(inputs["test"])
target = bundle["target"]
missing = [c for c in bundle["features"] + [target] if c not in frame.columns]
if missing:
    raise SystemExit(f"evaluate-classifier: test table lacks {', '.join(missing)}")
y = frame[target]
classes = list(bundle["model"].classes_)
if len(classes) != 2:
    raise SystemExit(f"evaluate-classifier: needs a binary target, found classes {classes}")
scores = bundle["model"].predict_proba(frame[bundle["features"]])[:, 1]
predicted = [classes[1] if s >= inputs["threshold"] else classes[0] for s in scores]
metrics = {
    "auc": float(roc_auc_score(y == classes[1], scores)),
    "accuracy": float(accuracy_score(y, predicted)),
    "f1": float(f1_score(y, predicted, pos_label=classes[1])),
    "rows": int(len(frame)),
    "threshold": inputs["threshold"],
}
for name in ("auc", "accuracy", "f1"):
    write_output(name, round(metrics[name], 6))
with open(output_path("report"), "w", encoding="utf-8") as fh:
    json.dump(metrics, fh, indent=2, sort_keys=True)
print("evaluate-classifier: " + ", ".join(f"{k}={metrics[k]:.4f}" for k in ("auc", "accuracy", "f1")))
