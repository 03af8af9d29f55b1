"""Trials of grid and random sweeps, computed at compile time.

Deterministic on every machine: grid order is the product of the dimensions
in declaration order; random draws use :class:`random.Random` seeded with the
sweep's ``seed`` (the Mersenne Twister gives the same stream everywhere).
Floats are rounded to 6 significant digits for readable manifests, then
clamped back into their interval, so every trial lies inside its space.

>>> dims = [Dimension("depth", "values", (4, 6)), Dimension("lr", "range", (0.1, 0.3, 0.1))]
>>> trials = grid(dims)
>>> len(trials), trials[0], trials[-1]
(6, {'depth': 4, 'lr': 0.1}, {'depth': 6, 'lr': 0.3})
"""

from __future__ import annotations

import itertools
import math
import random
from typing import Any, NamedTuple

CONTINUOUS = ("uniform", "loguniform", "normal")


class Dimension(NamedTuple):
    name: str
    kind: str  # values | range | uniform | loguniform | int_uniform | normal
    args: tuple[Any, ...]
    integer: bool = False  # the param is an int


def range_values(start: float, stop: float, step: float = 1, integer: bool = False) -> list[Any]:
    """``start``, ``start+step``, ... up to and including ``stop`` (within float tolerance)."""
    if step <= 0 or start > stop:
        return []
    count = math.floor((stop - start) / step + 1e-9) + 1
    out = [start + i * step for i in range(count)]
    return [round(v) for v in out] if integer else [_tidy(v) for v in out]


def discrete(d: Dimension) -> list[Any]:
    if d.kind == "values":
        return list(d.args)
    if d.kind == "range":
        return range_values(d.args[0], d.args[1], d.args[2] if len(d.args) > 2 else 1, integer=d.integer)
    if d.kind == "int_uniform":
        return list(range(int(d.args[0]), int(d.args[1]) + 1))
    raise ValueError(f"{d.kind} is continuous")


def grid(dims: list[Dimension]) -> list[dict[str, Any]]:
    names = [d.name for d in dims]
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*(discrete(d) for d in dims))]


def _tidy(x: float) -> float:
    return float(f"{x:.6g}")


def _clamp(x: float, lo: float, hi: float) -> float:
    return min(max(x, lo), hi)


def draw(d: Dimension, rng: random.Random) -> Any:
    if d.kind in ("values", "range"):
        return rng.choice(discrete(d))
    if d.kind == "int_uniform":
        return rng.randint(int(d.args[0]), int(d.args[1]))
    lo, hi = float(d.args[0]), float(d.args[1])
    if d.kind == "uniform":
        x = _clamp(_tidy(rng.uniform(lo, hi)), lo, hi)
    elif d.kind == "loguniform":
        x = _clamp(_tidy(math.exp(rng.uniform(math.log(lo), math.log(hi)))), lo, hi)
    else:  # normal(mean, stddev)
        x = _tidy(rng.gauss(lo, hi))
    return round(x) if d.integer else x


def random_trials(dims: list[Dimension], count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [{d.name: draw(d, rng) for d in dims} for _ in range(count)]
