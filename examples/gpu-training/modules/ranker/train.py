"""Data-parallel training of the ranking model (the code of ghcr.io/acme/ranker-train).

One process per replica, wired by the training operator's environment: RANK,
WORLD_SIZE, MASTER_ADDR and MASTER_PORT. Each rank fits a logistic model on its
shard of the rows; after every epoch the ranks average their weights through
rank 0 (an all-reduce by hand, so the example needs no torch). Rank 0 writes the
model.

python train.py --data DIR --epochs N --lr LR --model-out PATH
"""

import argparse
import json
import os
import time
from multiprocessing.connection import Client, Listener

import numpy as np
import pandas as pd

FEATURES = ["views", "avg_dwell", "min_position"]


def allreduce(weights: np.ndarray, rank: int, world: int, address: tuple[str, int], links: list) -> np.ndarray:
    if world == 1:
        return weights
    if rank == 0:
        total = weights.copy()
        for conn in links:
            total += np.asarray(conn.recv())
        mean = total / world
        for conn in links:
            conn.send(mean.tolist())
        return mean
    links[0].send(weights.tolist())
    return np.asarray(links[0].recv())


def connect(rank: int, world: int, address: tuple[str, int]) -> list:
    if world == 1:
        return []
    if rank == 0:
        with Listener(address, authkey=b"mldsl-example") as listener:
            return [listener.accept() for _ in range(world - 1)]
    for _ in range(300):  # the master may not listen yet
        try:
            return [Client(address, authkey=b"mldsl-example")]
        except ConnectionRefusedError:
            time.sleep(0.1)
    raise SystemExit(f"rank {rank}: no master at {address}")


def write_text(path: str, text: str) -> None:
    """Write to a local path, or to an object-store URI on the cluster (fsspec, in the image)."""
    if "://" in path:
        import fsspec  # type: ignore[import-not-found]

        with fsspec.open(path, "w") as fh:
            fh.write(text)
        return
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)


def main() -> None:
    ap = argparse.ArgumentParser(prog="train")
    ap.add_argument("--data", required=True)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--lr", type=float, default=0.001)
    ap.add_argument("--model-out", required=True)
    ap.add_argument("--loss-out", required=True)
    a = ap.parse_args()
    rank, world = int(os.environ.get("RANK", "0")), int(os.environ.get("WORLD_SIZE", "1"))
    address = (os.environ.get("MASTER_ADDR", "127.0.0.1"), int(os.environ.get("MASTER_PORT", "23456")))
    frame = pd.read_parquet(a.data).sort_values(["user_id", "item_id"]).reset_index(drop=True)
    shard = frame.iloc[rank::world]
    x = shard[FEATURES].to_numpy(dtype=float)
    mean, std = frame[FEATURES].mean().to_numpy(), frame[FEATURES].std().to_numpy() + 1e-9
    x = np.hstack([(x - mean) / std, np.ones((len(x), 1))])
    y = shard["label"].to_numpy(dtype=float)
    links = connect(rank, world, address)
    w = np.zeros(x.shape[1])
    step = a.lr * 1000  # the sweep's learning rates are for the real model; this one needs larger steps
    for epoch in range(a.epochs):
        p = 1 / (1 + np.exp(-x @ w))
        w -= step * x.T @ (p - y) / len(y)
        w = allreduce(w, rank, world, address, links)
        loss = float(-np.mean(y * np.log(p + 1e-9) + (1 - y) * np.log(1 - p + 1e-9)))
        print(f"rank {rank}/{world} epoch {epoch + 1}: loss {loss:.4f}", flush=True)
    if rank == 0:
        os.makedirs(os.path.dirname(a.model_out) or ".", exist_ok=True)
        with open(a.model_out, "w", encoding="utf-8") as fh:
            json.dump({"features": FEATURES, "mean": mean.tolist(), "std": std.tolist(), "weights": w.tolist()}, fh)
        print(f"rank 0: model written to {a.model_out}")
        write_text(a.loss_out, f"{loss:.6f}")  # the step's final_loss output: a metric downstream steps can test


if __name__ == "__main__":
    main()
