"""Make the example's customer table as Parquet: 400 rows, fixed seed (run: python data/make_data.py)."""

import datetime
import math
import random
from pathlib import Path

import pandas as pd

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
    rows.append(
        {
            "customer_id": f"c{i:04d}",
            "signup_date": signup.isoformat(),
            "tenure_months": tenure,
            "monthly_spend": spend,
            "support_calls": calls,
            "churned": churned,
        }
    )
out = Path(__file__).parent / "churn" / "customers.parquet"
out.parent.mkdir(parents=True, exist_ok=True)
pd.DataFrame(rows).to_parquet(out, index=False)
print(f"wrote {len(rows)} rows to {out}")
