"""``mldsl.lang.semver`` means what python-semanticversion's ``SimpleSpec`` means (the library is the oracle).

mldsl reads ``uses: name@range`` with its own module to start faster (issue #15); generated versions
and ranges, valid and not, must get the same answers from both.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mldsl.lang.semver import Range, Version

sv = pytest.importorskip("semantic_version", reason="the oracle is in the [dev] extra")

numbers = st.sampled_from(["0", "1", "2", "10"])
identifiers = st.sampled_from(["alpha", "beta", "rc", "1", "2", "0", "01", "a-b", ""])
dotted = st.lists(identifiers, min_size=1, max_size=3).map(".".join)


@st.composite
def versions(draw: st.DrawFn) -> str:
    text = ".".join(draw(numbers) for _ in range(3))
    if draw(st.booleans()):
        text += "-" + draw(dotted)
    if draw(st.integers(0, 3)) == 0:
        text += "+" + draw(dotted)
    return text


@st.composite
def ranges(draw: st.DrawFn) -> str:
    def block() -> str:
        op = draw(st.sampled_from(["", "=", "==", "!=", "<", "<=", ">", ">=", "^", "~", "~="]))
        parts = [draw(st.sampled_from(["0", "1", "2", "*"])) for _ in range(draw(st.integers(1, 3)))]
        text = op + ".".join(parts)
        if draw(st.integers(0, 3)) == 0:
            text += "-" + draw(st.sampled_from(["", "rc", "rc.1", "0", "01"]))
        if draw(st.integers(0, 4)) == 0:
            text += "+" + draw(st.sampled_from(["", "b1"]))
        return text

    return ",".join(block() for _ in range(draw(st.integers(1, 2))))


FIXED = [f"{a}.{b}.{c}{s}" for a in "0123" for b in "012" for c in "012" for s in ("", "-rc.1", "-alpha", "+b1")]


def _parsed(text: str, parse):  # type: ignore[no-untyped-def]
    try:
        return parse(text)
    except ValueError:
        return None


@settings(max_examples=400, deadline=None)
@given(spec=ranges())
def test_ranges_match_as_semantic_version_does(spec: str) -> None:
    theirs, ours = _parsed(spec, sv.SimpleSpec), _parsed(spec, Range.parse)
    assert (theirs is None) == (ours is None), spec
    if ours is not None:
        for v in FIXED:
            assert (Version.parse(v) in ours) == (sv.Version(v) in theirs), (spec, v)


@settings(max_examples=300, deadline=None)
@given(a=versions(), b=versions())
def test_versions_parse_and_order_as_semantic_version_does(a: str, b: str) -> None:
    theirs, ours = _parsed(a, sv.Version), _parsed(a, Version.parse)
    assert (theirs is None) == (ours is None), a
    other, mine = _parsed(b, sv.Version), _parsed(b, Version.parse)
    if ours is not None and mine is not None:
        assert str(ours) == str(theirs)
        assert (ours < mine, ours <= mine, ours == mine, ours > mine) == (
            theirs < other,
            theirs <= other,
            theirs == other,
            theirs > other,
        )


def test_the_ranges_the_readme_shows() -> None:
    cases = {"1": ("1.9.0", "2.0.0"), "^1.2": ("1.2.0", "2.0.0"), "~1.4": ("1.4.9", "1.5.0"), ">=2,<3": ("2.5.0", "3.0.0")}
    for spec, (inside, outside) in cases.items():
        assert Version.parse(inside) in Range.parse(spec) and Version.parse(outside) not in Range.parse(spec)
    with pytest.raises(ValueError):
        Range.parse(">=1.2.3+b1")
