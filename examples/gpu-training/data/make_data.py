"""Make the example's click data: a day of events and a holdout set, fixed seed.

Run: python data/make_data.py (needs pandas and pyarrow: pip install 'mldsl[modules]').
Each (user, item) pair has a hidden relevance (0-3); relevant items are viewed
longer and clicked more, which is what the model has to learn.
"""

import random
from pathlib import Path

import pandas as pd

rng = random.Random(20240601)
root = Path(__file__).parent / "clicks"
events, holdout = [], []
for user in range(40):
    for item in range(12):
        relevance = rng.choice([0, 0, 0, 1, 1, 2, 3])
        views = rng.randint(1, 4)
        for _ in range(views):
            dwell = max(0.0, rng.gauss(5 + 12 * relevance, 6))
            clicked = int(rng.random() < 0.08 + 0.25 * relevance)
            events.append(
                {
                    "user_id": user,
                    "item_id": item,
                    "position": rng.randint(1, 20),
                    "dwell_seconds": round(dwell, 2),
                    "clicked": clicked,
                }
            )
        holdout.append(
            {
                "user_id": user,
                "item_id": item,
                "views": rng.randint(1, 4),
                "avg_dwell": round(max(0.0, rng.gauss(5 + 12 * relevance, 6)), 2),
                "min_position": rng.randint(1, 20),
                "relevance": relevance,
            }
        )
day = root / "day=2024-06-01"
day.mkdir(parents=True, exist_ok=True)
pd.DataFrame(events).to_parquet(day / "part-00000.parquet", index=False)
pd.DataFrame(holdout).to_parquet(root / "holdout.parquet", index=False)
print(f"wrote {len(events)} events and {len(holdout)} holdout rows under {root}")
