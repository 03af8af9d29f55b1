"""customer-features: derive tenure and spend features (the code of ghcr.io/acme/customer-features).

python -m features --input T --window DAYS --currency=EUR --output OUT
"""

import argparse
import datetime
import os

import pandas as pd

RATES = {"EUR": 1.0, "USD": 0.92, "CNY": 0.13}


def main() -> None:
    ap = argparse.ArgumentParser(prog="features")
    ap.add_argument("--input", required=True)
    ap.add_argument("--window", type=int, default=90)
    ap.add_argument("--currency", choices=sorted(RATES), default="EUR")
    ap.add_argument("--output", required=True)
    a = ap.parse_args()
    frame = pd.read_parquet(a.input)
    spend = frame["monthly_spend"] * RATES[a.currency]
    frame["spend_eur"] = spend
    frame["lifetime_value"] = spend * frame["tenure_months"]
    frame["calls_per_year"] = frame["support_calls"] * 12 / frame["tenure_months"].clip(lower=1)
    signup = pd.to_datetime(frame["signup_date"])
    reference = pd.Timestamp(datetime.date(2025, 1, 1))
    frame["recent_signup"] = ((reference - signup).dt.days <= a.window).astype(int)
    frame = frame.drop(columns=["signup_date", "customer_id"], errors="ignore")
    frame.to_parquet(a.output, index=False)
    # the step's other outputs sit beside the table (/mldsl/outputs in the pod)
    with open(os.path.join(os.path.dirname(a.output), "feature_count"), "w", encoding="utf-8") as fh:
        fh.write(str(len(frame.columns) - 1))
    print(f"features: {len(frame)} rows, window {a.window} days, {len(frame.columns) - 1} features")


if __name__ == "__main__":
    main()
