"""expr-lang's lexer (``parser/lexer/state.go``, ``lexer.go``), with Go's string unescaping."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass

from mldsl.argo.errors import ExprError
from mldsl.argo.exprlang.tokens import KEYWORDS


@dataclass(frozen=True)
class _Tok:
    kind: str  # Identifier Number String Bytes Operator Bracket EOF (parser/lexer/token.go l. 11-19)
    value: str
    pos: int
    raw: str = ""

    def is_(self, kind: str, *values: str) -> bool:
        return self.kind == kind and (not values or self.value in values)

    def __str__(self) -> str:  # token.go l. 27-32
        return self.kind if self.kind == "EOF" else f"{self.kind}({json.dumps(self.value, ensure_ascii=False)})"


def _is_space(c: str) -> bool:  # unicode.IsSpace
    return c in "\t\n\v\f\r \x85\xa0" or (ord(c) > 0xFF and c.isspace())


def _is_alpha(c: str) -> bool:  # parser/utils/utils.go IsAlphabetic: _ $ or a letter
    return c == "_" or c == "$" or (c.isalpha() and unicodedata.category(c).startswith("L"))


def _is_alnum(c: str) -> bool:  # IsAlphaNumeric: IsAlphabetic or unicode.IsDigit (Nd)
    return _is_alpha(c) or unicodedata.category(c) == "Nd"


class _Lexer:
    """A port of ``parser/lexer/state.go`` (states root, number, dot, identifier, not, questionMark,
    slash, pointer) and ``lexer.go`` (scanNumber, scanString, scanEscape, scanRawString)."""

    def __init__(self, src: str):
        self.src = src
        self.start = self.end = 0
        self.toks: list[_Tok] = []

    def error(self, msg: str) -> ExprError:
        return ExprError(f"{msg} (1:{self.end})")

    def next(self) -> str:
        if self.end >= len(self.src):
            self.end += 1  # past the end: backup() undoes it
            return ""
        c = self.src[self.end]
        self.end += 1
        return c

    def backup(self) -> None:
        self.end -= 1

    def peek(self) -> str:
        return self.src[self.end] if self.end < len(self.src) else ""

    def accept(self, valid: str) -> bool:
        if self.peek() and self.peek() in valid:
            self.end += 1
            return True
        return False

    def accept_run(self, valid: str) -> None:
        while self.accept(valid):
            pass

    def word(self) -> str:
        return self.src[self.start : self.end]

    def emit(self, kind: str, value: str | None = None) -> None:
        self.toks.append(_Tok(kind, self.word() if value is None else value, self.start, self.word()))
        self.start = self.end

    def lex(self) -> list[_Tok]:
        while True:
            c = self.next()
            if c == "":
                self.end = len(self.src)
                self.start = self.end
                self.toks.append(_Tok("EOF", "", self.end))
                return self.toks
            if _is_space(c):
                self.start = self.end
            elif c in "'\"":
                self._scan_string(c)
                self.emit("String", _unescape(self.word(), self))
            elif c == "`":
                self._scan_raw_string()
            elif c in "bB" and self.peek() in ("'", '"'):
                raise self.error("bytes literals are not supported")
            elif "0" <= c <= "9":
                self.backup()
                self._number()
            elif c == "?":
                self.accept(".?")
                self.emit("Operator")
            elif c == "/":
                self._slash()
            elif c == "#":
                self._pointer()
            elif c == "|":
                self.accept("|")
                self.emit("Operator")
            elif c == ":":
                self.accept(":")
                self.emit("Operator")
            elif c in "([{)]}":
                self.emit("Bracket")
            elif c in ",;%+-^":
                self.emit("Operator")
            elif c in "&!=*<>":
                self.accept("&=*")
                self.emit("Operator")
            elif c == ".":
                if self.peek() and "0" <= self.peek() <= "9":
                    self._number()
                else:
                    self.accept(".")
                    self.emit("Operator")
            elif _is_alnum(c):
                self._identifier()
            else:
                raise self.error(f"unrecognized character: U+{ord(c):04X} {c!r}")

    def _slash(self) -> None:
        """A ``//`` or ``/* */`` comment, or the ``/`` operator."""
        if self.accept("/"):
            while self.next() not in ("", "\n"):
                pass
            self.end = min(self.end, len(self.src))
            self.start = self.end
        elif self.accept("*"):
            while True:
                d = self.next()
                if d == "":
                    raise self.error("unclosed comment")
                if d == "*" and self.accept("/"):
                    break
            self.start = self.end
        else:
            self.emit("Operator")

    def _pointer(self) -> None:
        """``#`` or ``##``, and the name after it."""
        self.accept("#")
        self.emit("Operator")
        while self.peek() and _is_alnum(self.peek()):
            self.end += 1
        if self.word():
            self.emit("Identifier")

    def _number(self) -> None:  # lexer.go scanNumber l. 80-116
        digits = "0123456789_"
        if self.accept("0"):
            if self.accept("xX"):
                digits = "0123456789abcdefABCDEF_"
            elif self.accept("oO"):
                digits = "01234567_"
            elif self.accept("bB"):
                digits = "01_"
        self.accept_run(digits)
        end = self.end
        if self.accept("."):
            if self.peek() == ".":  # 1..2 is a range
                self.end = end
                self.emit("Number")
                return
            self.accept_run(digits)
        if self.accept("eE"):
            self.accept("+-")
            self.accept_run(digits)
        if self.peek() and _is_alnum(self.peek()):
            self.end += 1
            raise self.error(f"bad number syntax: {json.dumps(self.word())}")
        self.emit("Number")

    def _identifier(self) -> None:  # state.go identifier l. 129-155 and not l. 157-182
        while self.peek() and _is_alnum(self.peek()):
            self.end += 1
        w = self.word()
        if w == "not":
            self.emit("Operator")
            while self.peek() == " ":
                self.end += 1
            self.start = self.end
            end = self.end
            while self.peek() and _is_alnum(self.peek()):
                self.end += 1
            if self.word() in ("in", "matches", "contains", "startsWith", "endsWith"):
                self.emit("Operator")
            else:
                self.end = end
        elif w in KEYWORDS:
            self.emit("Operator")
        else:
            self.emit("Identifier")

    def _scan_string(self, quote: str) -> None:  # lexer.go scanString l. 254-269, scanEscape l. 203-252
        c = self.next()
        while c != quote:
            if c in ("\n", ""):
                raise self.error("literal not terminated")
            c = self._scan_escape(quote) if c == "\\" else self.next()

    def _scan_escape(self, quote: str) -> str:
        c = self.next()
        if c in ("a", "b", "f", "n", "r", "t", "v", "\\", quote):
            return self.next()
        if c and c in "01234567":
            return self._scan_digits(c, 8, 3)
        if c == "x":
            return self._scan_digits(self.next(), 16, 2)
        if c == "u":
            if self.peek() == "{":
                self.next()
                n = 0
                while self.peek() != "}":
                    if not self.peek() or self.peek() not in "0123456789abcdefABCDEF" or n >= 6:
                        raise self.error("invalid char escape")
                    self.next()
                    n += 1
                if n == 0:
                    raise self.error("invalid char escape")
                self.next()
                return self.next()
            return self._scan_digits(self.next(), 16, 4)
        if c == "U":
            return self._scan_digits(self.next(), 16, 8)
        raise self.error("invalid char escape")

    def _scan_digits(self, c: str, base: int, n: int) -> str:
        while n > 0 and c and _digit_val(c) < base:
            c = self.next()
            n -= 1
        if n > 0:
            raise self.error("invalid char escape")
        return c

    def _scan_raw_string(self) -> None:
        parts = []
        while True:
            c = self.next()
            if c == "":
                raise self.error("literal not terminated")
            if c == "`":
                if self.peek() == "`":  # a doubled backtick is one backtick
                    self.next()
                    parts.append("`")
                    continue
                break
            parts.append(c)
        self.emit("String", "".join(parts))


def _digit_val(c: str) -> int:
    if "0" <= c <= "9":
        return ord(c) - 48
    if "a" <= c.lower() <= "f":
        return ord(c.lower()) - 87
    return 16


def _unescape(raw: str, lexer: _Lexer | None = None) -> str:
    """``parser/lexer/utils.go`` unescape: the quoted text's escapes, with CR LF and CR read as LF."""
    value = raw.replace("\r\n", "\n").replace("\r", "\n")[1:-1]
    out: list[str] = []
    i = 0
    simple = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
    simple.update({c: c for c in "\\'\"`?"})

    def fail(msg: str = "unable to unescape string") -> ExprError:
        return lexer.error(msg) if lexer else ExprError(msg)

    while i < len(value):
        c = value[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        if i + 1 >= len(value):
            raise fail("unable to unescape string, found '\\' as last character")
        e = value[i + 1]
        i += 2
        if e in simple:
            out.append(simple[e])
        elif e in "xXuU":
            if e == "u" and value[i : i + 1] == "{":
                close = value.find("}", i)
                hexd = value[i + 1 : close] if close > 0 else ""
                if not hexd or len(hexd) > 6 or any(_digit_val(h) > 15 for h in hexd):
                    raise fail()
                v = int(hexd, 16)
                i = close + 1
            else:
                n = {"x": 2, "X": 2, "u": 4, "U": 8}[e]
                hexd = value[i : i + n]
                if len(hexd) < n or any(_digit_val(h) > 15 for h in hexd):
                    raise fail()
                v = int(hexd, 16)
                i += n
            if v > 0x10FFFF:
                raise fail()
            out.append("\ufffd" if 0xD800 <= v <= 0xDFFF else chr(v))
        elif e in "0123":
            octd = value[i : i + 2]
            if len(octd) < 2 or any(not "0" <= o <= "7" for o in octd):
                raise fail("unable to unescape octal sequence in string")
            out.append(chr(int(e + octd, 8)))
            i += 2
        else:
            raise fail()
    return "".join(out)
