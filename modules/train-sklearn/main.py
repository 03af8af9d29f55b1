"""train-sklearn: fit a classifier on numeric features (the mldsl runtime provides inputs/write_output)."""
import joblib
import pandas as pd
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

frame = pd.read_parquet(inputs["train"])
target = inputs["target"]
if target not in frame.columns:
    raise SystemExit(f"train-sklearn: no target column {target!r}")
features = [c for c in frame.columns if c != target and pd.api.types.is_numeric_dtype(frame[c])]
if not features:
    raise SystemExit("train-sklearn: no numeric feature columns")
x, y = frame[features], frame[target]
algorithm = inputs["algorithm"]
seed = inputs["seed"]
if algorithm == "logistic_regression":
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000, random_state=seed))
elif algorithm == "gradient_boosting":
    model = GradientBoostingClassifier(n_estimators=inputs["n_estimators"], max_depth=inputs["max_depth"],
                                       learning_rate=inputs["learning_rate"], random_state=seed)
else:
    model = RandomForestClassifier(n_estimators=inputs["n_estimators"], max_depth=inputs["max_depth"],
                                   random_state=seed, n_jobs=-1)
model.fit(x, y)
joblib.dump({"model": model, "features": features, "target": target}, output_path("model"))
accuracy = float(model.score(x, y))
write_output("train_accuracy", accuracy)
write_output("features", features)
print(f"train-sklearn: {algorithm} on {len(frame)} rows, {len(features)} features, train accuracy {accuracy:.4f}")
