"""Make the example's card transactions as Parquet: 400 rows, fixed seed (run: python data/make_data.py)."""

import math
import random
from pathlib import Path

import pandas as pd

rng = random.Random(20261207)
rows = []
for i in range(400):
    amount = round(rng.lognormvariate(3.5, 1.0), 2)
    hour = rng.randint(0, 23)
    foreign = 1 if rng.random() < 0.15 else 0
    merchant_risk = round(rng.betavariate(2, 5), 3)
    score = -5.0 + 0.02 * amount + 2.5 * foreign + 7.0 * merchant_risk + (1.8 if hour < 5 else 0.0) + rng.gauss(0, 0.3)
    fraud = 1 if rng.random() < 1 / (1 + math.exp(-score)) else 0
    rows.append(
        {
            "txn_id": f"t{i:04d}",
            "amount": amount,
            "hour": hour,
            "foreign": foreign,
            "merchant_risk": merchant_risk,
            "fraud": fraud,
        }
    )
out = Path(__file__).parent / "fraud" / "transactions.parquet"
pd.DataFrame(rows).to_parquet(out, index=False)
print(f"wrote {out}: {len(rows)} rows, {sum(r['fraud'] for r in rows)} fraudulent")
