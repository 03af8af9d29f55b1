"""Did-you-mean suggestions for hints, with difflib imported only when one is asked for.

difflib costs ~6 ms to import (issue #15), and only a document with a mistake needs it.

A suggestion must not cost more than the mistake is worth (issue #28): difflib's ratio is quadratic in the
lengths compared, so names longer than :data:`MAX_LENGTH` are never compared; and a file with thousands of
wrong names, each compared with thousands of right ones, is quadratic in the file, so inside :func:`budget`
(a compile) the comparisons are counted and, once :data:`COMPARISONS` are spent, hints go without a suggestion.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Collection, Iterable, Iterator

#: longer names get no suggestion (nobody mistypes a 100-character name by one letter and needs telling)
MAX_LENGTH = 100
#: comparisons per compile: about 0.6 s of difflib at worst; a real project's mistakes spend a few hundred
COMPARISONS = 20_000

_left: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar("mldsl_suggest_budget", default=None)


@contextlib.contextmanager
def budget(comparisons: int = COMPARISONS) -> Iterator[None]:
    """Bound the comparisons of every :func:`close_matches` inside (deterministic: counted, not timed)."""
    token = _left.set([comparisons])
    try:
        yield
    finally:
        _left.reset(token)


def close_matches(word: str, possibilities: Iterable[str], n: int = 1, cutoff: float = 0.6) -> list[str]:
    """``difflib.get_close_matches``: the ``n`` best of ``possibilities`` at least ``cutoff`` similar to ``word``."""
    left = _left.get()
    if len(word) > MAX_LENGTH or (left is not None and left[0] <= 0):
        return []
    if left is not None:
        if not isinstance(possibilities, Collection):
            possibilities = list(possibilities)
        left[0] -= len(possibilities)
        if left[0] < 0:
            return []
    import difflib

    candidates = [p for p in possibilities if len(p) <= MAX_LENGTH]
    return difflib.get_close_matches(word, candidates, n=n, cutoff=cutoff)
