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

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    import random

CONTINUOUS = ("uniform", "loguniform", "normal")


class Dimension(NamedTuple):
    name: str
    kind: str  # values | range | uniform | loguniform | int_uniform | normal
    args: tuple[Any, ...]
    integer: bool = False  # the param is an int


class Points(Sequence[Any]):
    """The values of a discrete dimension as a lazy sequence: its size is known without building it.

    ``range: [1, 1e12, 1]`` has 10^12 points; a grid refuses it by its size and a
    random draw picks one by index, so neither ever holds the list.
    """

    def __init__(self, d: Dimension):
        self.d = d
        if d.kind == "values":
            self.size = len(d.args)
        elif d.kind == "range":
            start, stop, step = d.args[0], d.args[1], d.args[2] if len(d.args) > 2 else 1
            self.size = 0 if step <= 0 or start > stop else math.floor((stop - start) / step + 1e-9) + 1
        elif d.kind == "int_uniform":
            self.size = max(0, int(d.args[1]) - int(d.args[0]) + 1)
        else:
            raise ValueError(f"{d.kind} is continuous")

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, i: int) -> Any:  # type: ignore[override]  # one index, never a slice
        if not 0 <= i < self.size:
            raise IndexError(i)
        d = self.d
        if d.kind == "values":
            return d.args[i]
        if d.kind == "int_uniform":
            return int(d.args[0]) + i
        v = d.args[0] + i * (d.args[2] if len(d.args) > 2 else 1)
        return round(v) if d.integer else _tidy(v)


def range_values(start: float, stop: float, step: float = 1, integer: bool = False) -> list[Any]:
    """``start``, ``start+step``, ... up to and including ``stop`` (within float tolerance)."""
    return list(Points(Dimension("", "range", (start, stop, step), integer)))


def discrete(d: Dimension) -> Points:
    return Points(d)


def grid(dims: list[Dimension], limit: int | None = None) -> list[dict[str, Any]]:
    """The first ``limit`` combinations (all without one), in product order, built one at a time."""
    axes = [discrete(d) for d in dims]
    size = math.prod(len(a) for a in axes)
    out = []
    for k in range(size if limit is None else min(size, limit)):
        trial: dict[str, Any] = {}
        for d, axis in zip(reversed(dims), reversed(axes), strict=True):  # the last dimension varies fastest
            k, i = divmod(k, len(axis))
            trial[d.name] = axis[i]
        out.append({d.name: trial[d.name] for d in dims})
    return out


def _tidy(x: float) -> float:
    return float(f"{x:.6g}")


def _clamp(x: float, lo: float, hi: float) -> float:
    return min(max(x, lo), hi)


def draw(d: Dimension, rng: random.Random) -> Any:
    if d.kind in ("values", "range"):
        return rng.choice(discrete(d))  # by index: the same stream as choice over a list
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
    import random  # here: only random sweeps draw

    rng = random.Random(seed)
    return [{d.name: draw(d, rng) for d in dims} for _ in range(count)]
