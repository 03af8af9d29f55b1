"""Make the example's customer table: 400 rows, fixed seed (run: python data/make_data.py)."""

import csv
import datetime
import math
import random
from pathlib import Path

rng = random.Random(20261122)
start = datetime.date(2023, 1, 1)
rows = []
for i in range(400):
    tenure = rng.randint(1, 72)
    spend = round(rng.uniform(15, 120), 2)
    calls = min(12, int(rng.expovariate(0.6)))
    signup = start + datetime.timedelta(days=rng.randint(0, 700))
    score = -1.0 + 0.9 * calls - 0.08 * tenure + 0.02 * spend + rng.gauss(0, 0.3)
    churned = 1 if rng.random() < 1 / (1 + math.exp(-score)) else 0
    rows.append([f"c{i:04d}", signup.isoformat(), tenure, spend, calls, churned])
out = Path(__file__).parent / "churn" / "customers.csv"
with open(out, "w", newline="", encoding="utf-8") as fh:
    w = csv.writer(fh)
    w.writerow(["customer_id", "signup_date", "tenure_months", "monthly_spend", "support_calls", "churned"])
    w.writerows(rows)
print(f"wrote {len(rows)} rows to {out}")
