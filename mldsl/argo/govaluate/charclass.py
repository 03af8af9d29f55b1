"""RE2's character classes (Perl and POSIX) as Python ranges: the pieces the regexp translator writes with."""

from __future__ import annotations

#
# regexp.Compile parses RE2 syntax (Go's regexp/syntax/parse.go, flags Perl: ^ and $ match only at the
# ends of the text, [^a] matches a newline). This is a port of that parser which, instead of a program,
# writes a Python pattern matching the same strings (\d, \w, \s, \b are ASCII; $ is the very end;
# flags are scoped per group) and raises Go's messages for Go's syntax errors (Go 1.26, which Argo
# v4.1.2 builds with: (?<name>re) is accepted). Go's Unicode classes (\pL, \p{Greek}) are not
# implemented; case folding is Python's.

_WORD = ((48, 57), (65, 90), (95, 95), (97, 122))
_PERL_GROUPS: dict[str, tuple[bool, tuple[tuple[int, int], ...]]] = {
    "d": (False, ((48, 57),)),
    "D": (True, ((48, 57),)),
    "s": (False, ((9, 10), (12, 13), (32, 32))),
    "S": (True, ((9, 10), (12, 13), (32, 32))),
    "w": (False, _WORD),
    "W": (True, _WORD),
}
_POSIX_GROUPS: dict[str, tuple[tuple[int, int], ...]] = {
    "alnum": ((48, 57), (65, 90), (97, 122)),
    "alpha": ((65, 90), (97, 122)),
    "ascii": ((0, 127),),
    "blank": ((9, 9), (32, 32)),
    "cntrl": ((0, 31), (127, 127)),
    "digit": ((48, 57),),
    "graph": ((33, 126),),
    "lower": ((97, 122),),
    "print": ((32, 126),),
    "punct": ((33, 47), (58, 64), (91, 96), (123, 126)),
    "space": ((9, 13), (32, 32)),
    "upper": ((65, 90),),
    "word": _WORD,
    "xdigit": ((48, 57), (65, 70), (97, 102)),
}
_WORD_CLASS = "[0-9A-Za-z_]"
_BOUNDARY = f"(?:(?<={_WORD_CLASS})(?!{_WORD_CLASS})|(?<!{_WORD_CLASS})(?={_WORD_CLASS}))"
_NOT_BOUNDARY = f"(?:(?<={_WORD_CLASS})(?={_WORD_CLASS})|(?<!{_WORD_CLASS})(?!{_WORD_CLASS}))"


def _negate(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out, nxt = [], 0
    for lo, hi in sorted(ranges):
        if lo > nxt:
            out.append((nxt, lo - 1))
        nxt = max(nxt, hi + 1)
    if nxt <= 0x10FFFF:
        out.append((nxt, 0x10FFFF))
    return out


def _class_char(c: int) -> str:
    ch = chr(c)
    if ch.isascii() and ch.isalnum():
        return ch
    return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}" if c < 0x10000 else f"\\U{c:08x}"


_TURKISH_I = "\u0130\u0131"


def _class_body(ranges: list[tuple[int, int]]) -> str:
    return "".join(_class_char(lo) if lo == hi else f"{_class_char(lo)}-{_class_char(hi)}" for lo, hi in ranges)


def _without(lo: int, hi: int, first: int, last: int) -> list[tuple[int, int]]:
    """[lo, hi] less [first, last]."""
    return [(a, b) for a, b in ((lo, min(hi, first - 1)), (max(lo, last + 1), hi)) if a <= b]


def _unhex(c: str) -> int:
    return int(c, 16) if len(c) == 1 and c in "0123456789abcdefABCDEF" else -1
