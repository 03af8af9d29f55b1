"""read-table: CSV or Parquet in, Parquet out (the mldsl runtime provides inputs/write_output)."""
import pandas as pd

source = inputs["source"]
fmt = inputs["format"] or "auto"
if fmt == "auto":
    with open(source, "rb") as fh:
        fmt = "parquet" if fh.read(4) == b"PAR1" else "csv"
if fmt == "parquet":
    frame = pd.read_parquet(source)
else:
    frame = pd.read_csv(source, sep=inputs["delimiter"] or ",")
wanted = inputs["columns"] or []
missing = [c for c in wanted if c not in frame.columns]
if missing:
    raise SystemExit(f"read-table: no such columns: {', '.join(missing)} (have: {', '.join(map(str, frame.columns))})")
if wanted:
    frame = frame[wanted]
frame.to_parquet(output_path("table"), index=False)
write_output("row_count", int(len(frame)))
write_output("column_names", [str(c) for c in frame.columns])
print(f"read-table: {len(frame)} rows, {len(frame.columns)} columns ({fmt})")
