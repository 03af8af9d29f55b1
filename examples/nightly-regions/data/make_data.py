"""Make the example's growth tables: a 400-row training set and 100 test rows per region, fixed seed.

Run: python data/make_data.py (needs pandas and pyarrow: pip install 'mldsl[modules]').
"""

import math
import random
from pathlib import Path

import pandas as pd

REGIONS = ["cn", "eu", "us", "latam"]
root = Path(__file__).parent / "growth"


def table(rng: random.Random, n: int, shift: float) -> pd.DataFrame:
    rows = []
    for _ in range(n):
        visits = rng.randint(0, 30)
        minutes = round(rng.uniform(0, 120), 1)
        cart = rng.randint(0, 6)
        score = -2.5 + 0.08 * visits + 0.015 * minutes + 0.5 * cart + shift + rng.gauss(0, 0.5)
        rows.append(
            {
                "visits": visits,
                "minutes": minutes,
                "cart_items": cart,
                "converted": int(rng.random() < 1 / (1 + math.exp(-score))),
            }
        )
    return pd.DataFrame(rows)


rng = random.Random(20261205)
root.mkdir(parents=True, exist_ok=True)
table(rng, 400, 0.0).to_parquet(root / "train.parquet", index=False)
for i, region in enumerate(REGIONS):
    folder = root / "regions" / region
    folder.mkdir(parents=True, exist_ok=True)
    table(rng, 100, 0.2 * i).to_parquet(folder / "test.parquet", index=False)
print(f"wrote {root}")
