"""Did-you-mean suggestions for hints, with difflib imported only when one is asked for.

difflib costs ~6 ms to import (issue #15), and only a document with a mistake needs it.
"""

from __future__ import annotations

from collections.abc import Iterable


def close_matches(word: str, possibilities: Iterable[str], n: int = 1, cutoff: float = 0.6) -> list[str]:
    """``difflib.get_close_matches``: the ``n`` best of ``possibilities`` at least ``cutoff`` similar to ``word``."""
    import difflib

    return difflib.get_close_matches(word, list(possibilities), n=n, cutoff=cutoff)
