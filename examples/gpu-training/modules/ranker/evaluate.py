"""NDCG@k of the ranking model on the holdout set (the code of ghcr.io/acme/ranker-train).

python evaluate.py --model M --holdout H --k 10 --metric-out F --report-out R
"""

import argparse
import json

import numpy as np
import pandas as pd


def ndcg(relevance: np.ndarray, k: int) -> float:
    gains = (2.0 ** relevance[:k] - 1) / np.log2(np.arange(2, min(k, len(relevance)) + 2))
    ideal = np.sort(relevance)[::-1]
    best = (2.0 ** ideal[:k] - 1) / np.log2(np.arange(2, min(k, len(ideal)) + 2))
    return float(gains.sum() / best.sum()) if best.sum() > 0 else 0.0


def main() -> None:
    ap = argparse.ArgumentParser(prog="evaluate")
    ap.add_argument("--model", required=True)
    ap.add_argument("--holdout", required=True)
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--metric-out", required=True)
    ap.add_argument("--report-out", required=True)
    a = ap.parse_args()
    with open(a.model, encoding="utf-8") as fh:
        model = json.load(fh)
    frame = pd.read_parquet(a.holdout)
    x = (frame[model["features"]].to_numpy(dtype=float) - np.asarray(model["mean"])) / np.asarray(model["std"])
    frame["score"] = np.hstack([x, np.ones((len(x), 1))]) @ np.asarray(model["weights"])
    per_user = [
        ndcg(g.sort_values("score", ascending=False)["relevance"].to_numpy(dtype=float), a.k) for _, g in frame.groupby("user_id")
    ]
    value = float(np.mean(per_user))
    with open(a.metric_out, "w", encoding="utf-8") as fh:
        fh.write(f"{value:.6f}")
    with open(a.report_out, "w", encoding="utf-8") as fh:
        json.dump({"ndcg_at_k": value, "k": a.k, "users": len(per_user)}, fh, indent=2)
    print(f"evaluate: NDCG@{a.k} = {value:.4f} over {len(per_user)} users")


if __name__ == "__main__":
    main()
