"""split-dataset: a seeded train/test split (the mldsl runtime provides inputs/write_output)."""
import pandas as pd
from sklearn.model_selection import train_test_split

frame = pd.read_parquet(inputs["table"])
stratify_col = inputs["stratify"]
if stratify_col is not None and stratify_col not in frame.columns:
    raise SystemExit(f"split-dataset: no column {stratify_col!r} to stratify by")
train, test = train_test_split(
    frame,
    test_size=inputs["test_fraction"],
    random_state=inputs["seed"],
    stratify=frame[stratify_col] if stratify_col else None,
)
train.to_parquet(output_path("train"), index=False)
test.to_parquet(output_path("test"), index=False)
write_output("train_rows", int(len(train)))
write_output("test_rows", int(len(test)))
print(f"split-dataset: {len(train)} train rows, {len(test)} test rows")
