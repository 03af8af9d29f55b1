"""Semantic versions (SemVer 2.0) and the version ranges of ``uses: name@range`` (SPEC §1.3).

The range syntax and its meaning are python-semanticversion's ``SimpleSpec`` (``1``, ``1.2``,
``^1.2``, ``~1.4``, ``>=2,<3``, ``!=1.3.0``, ``==1.2.0+build``...), which mldsl used to import: that
import cost about 35 ms of every compile, most of it ``importlib.metadata`` reading the package's own
version (issue #15). ``tests/test_semver.py`` checks this module against the library on generated
versions and ranges, so the two cannot drift apart.

>>> Version.parse("1.4.2") in Range.parse("^1.2")
True
>>> Version.parse("2.0.0-rc.1") in Range.parse("<2")
False
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

_VERSION = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$")
_NUMBER = r"\*|0|[1-9][0-9]*"
_BLOCK = re.compile(
    rf"^(?P<op><|<=||=|==|>=|>|!=|\^|~|~=)(?P<major>{_NUMBER})(?:\.(?P<minor>{_NUMBER})(?:\.(?P<patch>{_NUMBER}))?)?"
    r"(?:-(?P<pre>[a-z0-9A-Z.-]*))?(?:\+(?P<build>[a-z0-9A-Z.-]*))?$"
)


def _identifiers(text: str, *, numbers_may_pad: bool) -> tuple[str, ...]:
    """Dot-separated identifiers: none empty; numeric ones without leading zeros (except in build metadata)."""
    parts = tuple(text.split("."))
    for part in parts:
        if not part or (not numbers_may_pad and part.isdigit() and part != "0" and part.startswith("0")):
            raise ValueError(f"invalid identifier {part!r} in {text!r}")
    return parts


def _order(parts: tuple[str, ...]) -> tuple[tuple[int, int, str], ...]:
    """SemVer precedence of pre-release identifiers: numbers by value, below words; a release above all."""
    if not parts:
        return ((2, 0, ""),)
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts)


class Version(NamedTuple):
    major: int
    minor: int
    patch: int
    prerelease: tuple[str, ...] = ()
    build: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> Version:
        found = _VERSION.match(text)
        if found is None:
            raise ValueError(f"invalid version {text!r}")
        major, minor, patch, pre, build = found.groups()
        return cls(
            int(major),
            int(minor),
            int(patch),
            _identifiers(pre, numbers_may_pad=False) if pre else (),
            _identifiers(build, numbers_may_pad=True) if build else (),
        )

    @property
    def precedence(self) -> tuple[int, int, int, tuple[tuple[int, int, str], ...]]:
        """What orders versions (SemVer §11): build metadata does not."""
        return (self.major, self.minor, self.patch, _order(self.prerelease))

    # ordering by precedence; equality (the tuple's own) also compares build metadata, as SemVer tools do
    def __lt__(self, other: object) -> bool:
        return self.precedence < other.precedence if isinstance(other, Version) else NotImplemented

    def __le__(self, other: object) -> bool:
        return self.precedence <= other.precedence if isinstance(other, Version) else NotImplemented

    def __gt__(self, other: object) -> bool:
        return self.precedence > other.precedence if isinstance(other, Version) else NotImplemented

    def __ge__(self, other: object) -> bool:
        return self.precedence >= other.precedence if isinstance(other, Version) else NotImplemented

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        return (
            text
            + ("-" + ".".join(self.prerelease) if self.prerelease else "")
            + ("+" + ".".join(self.build) if self.build else "")
        )

    @property
    def release(self) -> Version:
        """Without pre-release and build: the patch it belongs to."""
        return Version(self.major, self.minor, self.patch)

    def next_major(self) -> Version:
        # a pre-release of x.0.0 is below x.0.0 itself, which is its next major
        keep = self.prerelease and self.minor == self.patch == 0
        return Version(self.major if keep else self.major + 1, 0, 0)

    def next_minor(self) -> Version:
        keep = self.prerelease and self.patch == 0
        return Version(self.major, self.minor if keep else self.minor + 1, 0)

    def next_patch(self) -> Version:
        return Version(self.major, self.minor, self.patch if self.prerelease else self.patch + 1)


Matcher = Callable[[Version], bool]


def _compare(op: str, target: Version, *, strict_build: bool = False, natural: bool = True) -> Matcher:
    """One comparison. A pre-release of the target's own patch is *below* a release target for ``<`` and
    ``!=`` ("natural"): ``<2.0.0`` does not take 2.0.0-rc.1. Build metadata counts only when asked
    (``==1.2.3+``) or when the target has some."""
    strict_build = strict_build or bool(target.build)

    def match(version: Version) -> bool:
        if not strict_build:
            version = version._replace(build=())
        same_build = version._replace(build=()) == target._replace(build=()) and version.build == target.build
        below_release = natural and bool(version.prerelease) and version.release == target.release and not target.prerelease
        if op == "==":
            return same_build if strict_build else version == target
        if op == "!=":
            if strict_build:
                return not same_build
            return False if below_release else version != target
        if op == "<":
            return False if below_release else version < target
        if op == "<=":
            return version <= target
        if op == ">":
            return version > target
        return version >= target

    return match


def _all(*matchers: Matcher) -> Matcher:
    return lambda v: all(m(v) for m in matchers)


def _any(*matchers: Matcher) -> Matcher:
    return lambda v: any(m(v) for m in matchers)


def _block(text: str) -> Matcher:
    found = _BLOCK.match(text)
    if found is None:
        raise ValueError(f"invalid version range {text!r}")
    op = {"": "==", "=": "=="}.get(found["op"], found["op"])
    major, minor, patch = (None if found[k] in (None, "*") else int(found[k]) for k in ("major", "minor", "patch"))
    pre, build = found["pre"], found["build"]
    partial = major is None or minor is None or patch is None
    if partial and (pre or build):
        raise ValueError(f"a partial version cannot have a pre-release or build: {text!r}")
    if build is not None and op not in ("==", "!="):
        raise ValueError(f"build metadata has no order: {text!r}")
    if major is None:
        if op not in ("==", ">="):
            raise ValueError(f"'*' only with == or >=: {text!r}")
        return _compare(">=", Version(0, 0, 0))
    target = Version(
        major,
        minor or 0,
        (patch or 0) if minor is not None else 0,  # 1.*.3 is 1
        _identifiers(pre, numbers_may_pad=False) if pre and not partial else (),
        _identifiers(build, numbers_may_pad=True) if build and not partial else (),
    )
    return _matcher(op, target, partial, minor, patch, pre, build)


def _matcher(
    op: str, target: Version, partial: bool, minor: int | None, patch: int | None, pre: str | None, build: str | None
) -> Matcher:
    """The comparisons one operator means against ``target`` (a partial version as the range it covers)."""
    if op in ("^", "~", "~="):
        if op == "^":  # the same leftmost non-zero part
            high = target.next_major() if target.major else target.next_minor() if minor else target.next_patch()
        elif op == "~":
            high = target.next_major() if minor is None else target.next_minor()
        else:
            high = target.next_major() if partial else target.next_minor()
        return _all(_compare(">=", target), _compare("<", high))
    if op == "==":
        if minor is None:
            return _all(_compare(">=", target), _compare("<", target.next_major()))
        if patch is None:
            return _all(_compare(">=", target), _compare("<", target.next_minor()))
        return _compare("==", target, strict_build=build == "")
    if op == "!=":
        if minor is None:
            return _any(_compare("<", target), _compare(">=", target.next_major()))
        if patch is None:
            return _any(_compare("<", target), _compare(">=", target.next_minor()))
        if pre == "":
            return _compare("!=", target, natural=False)
        return _compare("!=", target, strict_build=build == "")
    if op == ">":
        if minor is None:
            return _compare(">=", target.next_major())
        return _compare(">=", target.next_minor()) if patch is None else _compare(">", target)
    if op == ">=":
        return _compare(">=", target)
    if op == "<":
        return _compare("<", target, natural=pre != "")
    if minor is None:  # <=
        return _compare("<", target.next_major())
    return _compare("<", target.next_minor()) if patch is None else _compare("<=", target)


class Range:
    """Blocks joined by ``,``: a version must match them all."""

    def __init__(self, text: str, match: Matcher):
        self.text = text
        self._match = match

    @classmethod
    def parse(cls, text: str) -> Range:
        return cls(text, _all(*(_block(b) for b in text.split(","))))

    def __contains__(self, version: Version) -> bool:
        return self._match(version)

    def __repr__(self) -> str:
        return f"Range({self.text!r})"
