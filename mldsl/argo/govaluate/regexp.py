"""Go's RE2 syntax translated to Python's ``re``, refusing what RE2 refuses (``regexp/syntax/parse.go``)."""

from __future__ import annotations

import re

from mldsl.argo.govaluate.charclass import (
    _BOUNDARY,
    _NOT_BOUNDARY,
    _PERL_GROUPS,
    _POSIX_GROUPS,
    _TURKISH_I,
    _class_body,
    _negate,
    _unhex,
    _without,
)
from mldsl.argo.govaluate.values import _Regexp


class _RegexpSyntaxError(Exception):
    def __init__(self, code: str, expr: str) -> None:
        self.message = f"error parsing regexp: {code}: `{expr}`"  # syntax.Error.Error()
        super().__init__(self.message)


def _compile_regexp(source: str) -> _Regexp:
    """regexp.Compile(source); a syntax error raises _RegexpSyntaxError with Go's message."""
    translated = _RegexpTranslator(source).translate()
    try:
        return _Regexp(source, re.compile(translated))
    except (re.error, RecursionError, OverflowError) as exc:  # a gap in the translation, not Go's verdict
        raise _RegexpSyntaxError(f"mldsl cannot run this with Python's re ({exc})", source) from None


class _RegexpTranslator:
    """syntax.parse (parse.go l. 893-1104) writing Python re text. A group frame is (flags at its
    '(', finished alternatives, current concatenation); a concatenation item is (python text, the
    n repeatIsValid needs: the product of the counted repeats nested in it)."""

    def __init__(self, source: str) -> None:
        self.whole = source
        self.fold, self.oneline, self.dotnl, self.ungreedy = False, True, False, False
        self.frames: list[tuple[tuple[bool, bool, bool, bool], list[list[tuple[str, int]]], list[tuple[str, int]]]] = []
        self.alts: list[list[tuple[str, int]]] = []
        self.cur: list[tuple[str, int]] = []

    def flags(self) -> tuple[bool, bool, bool, bool]:
        return self.fold, self.oneline, self.dotnl, self.ungreedy

    def push(self, text: str, need: int = 0) -> None:
        self.cur.append((text, need))

    def literal(self, c: str) -> None:
        text = re.escape(c)
        if self.fold and c in "iI":
            text = "[Ii]"  # Python's (?i) also takes İ and ı; Go's fold orbits leave them alone
        elif self.fold and c not in _TURKISH_I and c.lower() != c.upper():
            text = f"(?i:{text})"
        self.push(text)

    def klass(self, ranges: list[tuple[int, int]], negated: bool) -> None:
        if not self.fold:
            self.push(f"[{'^' if negated else ''}{_class_body(ranges)}]")
            return
        # under (?i) Go folds every rune but İ and ı, which fold to nothing; Python's (?i) relates them to i
        rest = [r for lo, hi in ranges for r in _without(lo, hi, 0x130, 0x131)]
        special = "".join(t for t in _TURKISH_I if any(lo <= ord(t) <= hi for lo, hi in ranges) != negated)
        parts = [f"(?![{_TURKISH_I}])(?i:[{'^' if negated else ''}{_class_body(rest)}])" if rest else ""]
        parts[0] = parts[0] or (f"[^{_TURKISH_I}]" if negated else "")
        parts.append(f"[{special}]" if special else "")
        self.push("(?:" + "|".join(p for p in parts if p) + ")" if any(parts) else "(?!)")

    def group_text(self, alts: list[list[tuple[str, int]]]) -> tuple[str, int]:
        return "(?:" + "|".join("".join(t for t, _ in a) for a in alts) + ")", max((n for a in alts for _, n in a), default=0)

    def close_group(self) -> None:
        if not self.frames:
            raise _RegexpSyntaxError("unexpected )", self.whole)
        text, need = self.group_text([*self.alts, self.cur])
        (self.fold, self.oneline, self.dotnl, self.ungreedy), self.alts, self.cur = self.frames.pop()
        self.push(text, need)

    def brace(self, t: str, last_repeat: str) -> tuple[str, str]:
        """``{n,m}``: the repeat's text and what follows it, or a literal ``{`` where it cannot be parsed."""
        parsed = self.parse_repeat(t)
        if parsed is None:
            self.literal("{")  # "If the repeat cannot be parsed, { is a literal."
            return "", t[1:]
        lo, hi, after = parsed
        if lo > 1000 or hi > 1000 or (hi >= 0 and lo > hi):
            raise _RegexpSyntaxError("invalid repeat count", t[: len(t) - len(after)])
        return t, self.repeat("{", lo, hi, t, after, last_repeat)

    def translate(self) -> str:
        t = self.whole
        last_repeat = ""
        while t:
            repeat = ""
            c = t[0]
            if c == "(":
                if len(t) >= 2 and t[1] == "?":
                    t = self.perl_flags(t)
                else:
                    self.open_group()
                    t = t[1:]
            elif c == "|":
                self.alts.append(self.cur)
                self.cur = []
                t = t[1:]
            elif c == ")":
                self.close_group()
                t = t[1:]
            elif c == "^":
                self.push(r"\A" if self.oneline else "(?m:^)")
                t = t[1:]
            elif c == "$":
                self.push(r"\Z" if self.oneline else "(?m:$)")
                t = t[1:]
            elif c == ".":
                self.push("(?s:.)" if self.dotnl else "[^\\n]")
                t = t[1:]
            elif c == "[":
                t = self.parse_class(t)
            elif c in "*+?":
                repeat, t = t, self.repeat(c, 0, 0, t, t[1:], last_repeat)
            elif c == "{":
                repeat, t = self.brace(t, last_repeat)
            elif c == "\\":
                t = self.escape(t)
            else:
                self.literal(c)
                t = t[1:]
            last_repeat = repeat
        if self.frames:
            raise _RegexpSyntaxError("missing closing )", self.whole)
        return self.group_text([*self.alts, self.cur])[0]

    def repeat(self, op: str, lo: int, hi: int, before: str, after: str, last_repeat: str) -> str:
        """parser.repeat (parse.go l. 406-440); returns the text after the operator."""
        lazy = self.ungreedy
        if after[:1] == "?":
            after = after[1:]
            lazy = not lazy
        if last_repeat:
            raise _RegexpSyntaxError("invalid nested repetition operator", last_repeat[: len(last_repeat) - len(after)])
        if not self.cur:
            raise _RegexpSyntaxError("missing argument to repetition operator", before[: len(before) - len(after)])
        text, need = self.cur.pop()
        suffix = op
        if op == "{":
            suffix = "{%d}" % lo if lo == hi else "{%d,}" % lo if hi < 0 else "{%d,%d}" % (lo, hi)
            # repeatIsValid (parse.go l. 454-477): nested counts may not multiply past 1000
            m = hi if hi >= 0 else lo
            need = 0 if hi == 0 else m * max(need, 1) if m > 0 else need
            if (lo >= 2 or hi >= 2) and need > 1000:
                raise _RegexpSyntaxError("invalid repeat count", before[: len(before) - len(after)])
        self.push(f"(?:{text}){suffix}{'?' if lazy else ''}", need)
        return after

    def parse_repeat(self, s: str) -> tuple[int, int, str] | None:
        """parser.parseRepeat: {n}, {n,} (max -1), {n,m}, no leading zeros; None when '{' is a literal."""
        m = re.match(r"\{(0|[1-9][0-9]*)(?:(,)(0|[1-9][0-9]*)?)?\}", s)
        if m is None:
            return None
        lo = int(m[1])
        hi = lo if m[2] is None else -1 if m[3] is None else int(m[3])
        return lo, hi, s[m.end() :]

    def open_group(self) -> None:
        self.frames.append((self.flags(), self.alts, self.cur))
        self.alts, self.cur = [], []

    def perl_flags(self, s: str) -> str:
        """parser.parsePerlFlags (Go 1.26): (?P<name>, (?<name>, (?flags) and (?flags:."""
        t = s
        if (len(t) > 4 and t[2] == "P" and t[3] == "<") or (len(t) > 3 and t[2] == "<"):
            start = 4 if t[2] == "P" else 3
            end = t.find(">")
            if end < 0:
                raise _RegexpSyntaxError("invalid named capture", s)
            name = t[start:end]
            if not name or not all(ch == "_" or (ch.isascii() and ch.isalnum()) for ch in name):
                raise _RegexpSyntaxError("invalid named capture", t[: end + 1])
            self.open_group()
            return t[end + 1 :]
        fold, oneline, dotnl, ungreedy = self.flags()
        t = t[2:]
        negate, saw = False, False
        while t:
            c, t = t[0], t[1:]
            if c in "imsU":
                on = not negate
                if c == "i":
                    fold = on
                elif c == "m":
                    oneline = not on
                elif c == "s":
                    dotnl = on
                else:
                    ungreedy = on
                saw = True
            elif c == "-":
                if negate:
                    break
                negate, saw = True, False
            elif c in ":)":
                if negate and not saw:
                    break
                if c == ":":
                    self.open_group()
                self.fold, self.oneline, self.dotnl, self.ungreedy = fold, oneline, dotnl, ungreedy
                return t
            else:
                break
        raise _RegexpSyntaxError("invalid or unsupported Perl syntax", s[: len(s) - len(t)])

    def escape(self, t: str) -> str:
        if len(t) >= 2:
            c = t[1]
            if c == "A":
                self.push(r"\A")
                return t[2:]
            if c in "bB":
                self.push(_BOUNDARY if c == "b" else _NOT_BOUNDARY)
                return t[2:]
            if c == "C":
                raise _RegexpSyntaxError("invalid escape sequence", t[:2])
            if c == "Q":
                lit, _, t = t[2:].partition("\\E")
                for ch in lit:
                    self.literal(ch)
                return t
            if c == "z":
                self.push(r"\Z")
                return t[2:]
            if c in "pP":
                raise _RegexpSyntaxError("Unicode classes (\\p, \\P) are not implemented by mldsl", t[:2])
            if c in _PERL_GROUPS:
                negated, ranges = _PERL_GROUPS[c]
                self.klass(list(ranges), negated)
                return t[2:]
        ch, t = self.parse_escape(t)
        self.literal(ch)
        return t

    def parse_escape(self, s: str) -> tuple[str, str]:
        """parser.parseEscape (parse.go l. 1442-1555): one escaped character."""
        t = s[1:]
        if not t:
            raise _RegexpSyntaxError("trailing backslash at end of expression", "")
        c, t = t[0], t[1:]
        if c.isascii() and not c.isalnum():
            return c, t
        if c in "01234567" and (c == "0" or t[:1] in tuple("01234567")):
            r = int(c)
            for _ in range(2):
                if not t or t[0] not in "01234567":
                    break
                r, t = r * 8 + int(t[0]), t[1:]
            return chr(r), t
        if c == "x" and t:
            c, t = t[0], t[1:]
            if c == "{":
                r, digits = 0, 0
                while t:
                    c, t = t[0], t[1:]
                    if c == "}":
                        if digits:
                            return chr(r), t
                        break
                    v = _unhex(c)
                    if v < 0:
                        break
                    r = r * 16 + v
                    if r > 0x10FFFF:
                        break
                    digits += 1
            else:
                x = _unhex(c)
                y, t = (_unhex(t[0]), t[1:]) if t else (-1, t)
                if x >= 0 and y >= 0:
                    return chr(x * 16 + y), t
        elif c in "afnrtv":
            return "\a\f\n\r\t\v"["afnrtv".index(c)], t
        raise _RegexpSyntaxError("invalid escape sequence", s[: len(s) - len(t)])

    def parse_class(self, s: str) -> str:
        """parser.parseClass (parse.go l. 1730-1824)."""
        t = s[1:]
        negated = t[:1] == "^"
        if negated:
            t = t[1:]
        ranges: list[tuple[int, int]] = []
        first = True
        while not t or t[0] != "]" or first:
            first = False
            if len(t) > 2 and t[0] == "[" and t[1] == ":":
                end = t.find(":]", 2)
                if end >= 0:
                    name = t[: end + 2]
                    inner = name[2:-2]
                    neg = inner.startswith("^")
                    group = _POSIX_GROUPS.get(inner[1:] if neg else inner)
                    if group is None:
                        raise _RegexpSyntaxError("invalid character class range", name)
                    ranges += _negate(list(group)) if neg else group
                    t = t[end + 2 :]
                    continue
            if t[:2] in ("\\p", "\\P"):
                raise _RegexpSyntaxError("Unicode classes (\\p, \\P) are not implemented by mldsl", t[:2])
            if len(t) >= 2 and t[0] == "\\" and t[1] in _PERL_GROUPS:
                neg, group = _PERL_GROUPS[t[1]]
                ranges += _negate(list(group)) if neg else group
                t = t[2:]
                continue
            rng = t
            lo, t = self.class_char(t, s)
            hi = lo
            if len(t) >= 2 and t[0] == "-" and t[1] != "]":
                hi, t = self.class_char(t[1:], s)
                if ord(hi) < ord(lo):
                    raise _RegexpSyntaxError("invalid character class range", rng[: len(rng) - len(t)])
            ranges.append((ord(lo), ord(hi)))
        self.klass(ranges, negated)
        return t[1:]

    def class_char(self, s: str, whole: str) -> tuple[str, str]:
        if not s:
            raise _RegexpSyntaxError("missing closing ]", whole)
        if s[0] == "\\":
            return self.parse_escape(s)
        return s[0], s[1:]
