"""check-metrics: mean/min/max of a list and a pass flag (the mldsl runtime provides inputs/write_output)."""
import sys

values = [float(v) for v in inputs["values"]]
if not values:
    raise SystemExit("check-metrics: no values")
lowest, highest = min(values), max(values)
passed = lowest >= inputs["minimum"]
write_output("mean", sum(values) / len(values))
write_output("lowest", lowest)
write_output("highest", highest)
write_output("passed", passed)
print(f"check-metrics: n={len(values)} mean={sum(values) / len(values):.4f} min={lowest:.4f} passed={passed}")
if inputs["fail_below"] and not passed:
    sys.exit(1)
