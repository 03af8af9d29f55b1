"""govaluate's lexer and its syntax checks (``parsing.go`` l. 14-298, ``lexerState.go``, ``lexerStream.go``)."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable

from mldsl.argo.govaluate.gotime import _try_parse_time
from mldsl.argo.govaluate.regexp import _compile_regexp, _RegexpSyntaxError
from mldsl.argo.govaluate.symbols import (
    _COMPARATORS,
    _KIND_NAMES,
    _LOGICALS,
    _MODIFIERS,
    _PREFIXES,
    _STATES,
    _TERNARIES,
    ACCESSOR,
    BOOLEAN,
    CLAUSE,
    CLAUSE_CLOSE,
    COMPARATOR,
    LOGICALOP,
    MODIFIER,
    NREQ,
    NUMERIC,
    PATTERN,
    PREFIX,
    REQ,
    SEPARATOR,
    STRING,
    TERNARY,
    TIME,
    UNKNOWN,
    VARIABLE,
    _Token,
)
from mldsl.argo.govaluate.values import _GoError, _index_panic, _v

_GO_SPACES = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def _is_space(c: str) -> bool:
    """unicode.IsSpace."""
    return c in _GO_SPACES


def _is_letter(c: str) -> bool:
    """unicode.IsLetter: category L."""
    return unicodedata.category(c)[0] == "L"


def _is_digit(c: str) -> bool:
    """unicode.IsDigit: category Nd."""
    return unicodedata.category(c) == "Nd"


def _is_numeric(c: str) -> bool:
    return _is_digit(c) or c == "."


def _is_not_quote(c: str) -> bool:
    return c not in "'\""


def _is_not_alphanumeric(c: str) -> bool:
    return not (_is_digit(c) or _is_letter(c) or c in "()[]" or not _is_not_quote(c))


def _is_variable_name(c: str) -> bool:
    return _is_letter(c) or _is_digit(c) or c in "_."


def _simple_upper(c: str) -> str:
    """unicode.ToUpper, a one-rune mapping: Python's full mapping where it is one character, else the
    title case where that is (U+1FB3 ᾳ -> U+1FBC), else the rune itself (ß)."""
    for mapped in (c.upper(), c.title()):
        if len(mapped) == 1:
            return mapped
    return c


def _is_hex_digit(c: str) -> bool:
    return _is_digit(c) or c.lower() in ("a", "b", "c", "d", "e", "f")


class _Stream:
    """lexerStream (lexerStream.go): runes, and a position that rewind() may move either way."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.position = 0

    def can_read(self) -> bool:
        return self.position < len(self.source)

    def read(self) -> str:
        if not 0 <= self.position < len(self.source):
            raise _index_panic(self.position, len(self.source))
        self.position += 1
        return self.source[self.position - 1]

    def rewind(self, amount: int) -> None:
        self.position -= amount


def _read_until_false(
    stream: _Stream, include_whitespace: bool, break_whitespace: bool, condition: Callable[[str], bool]
) -> tuple[str, bool]:
    """readUntilFalse (l. 304-345), escaping always allowed: a backslash takes the next rune as is
    (a backslash at the very end reads past the text: Go panics)."""
    buffer: list[str] = []
    while stream.can_read():
        c = stream.read()
        if c == "\\":
            buffer.append(stream.read())
            continue
        if _is_space(c):
            if break_whitespace and buffer:
                return "".join(buffer), True
            if not include_whitespace:
                continue
        if condition(c):
            buffer.append(c)
        else:
            stream.rewind(1)
            return "".join(buffer), True
    return "".join(buffer), False


def _read_token_until_false(stream: _Stream, condition: Callable[[str], bool]) -> str:
    stream.rewind(1)
    return _read_until_false(stream, False, True, condition)[0]


# what strconv.ParseFloat accepts of a text that starts with a digit or '.' (escapes can add the rest)
_FLOAT = re.compile(r"(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_HEX_FLOAT = re.compile(r"0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP][+-]?[0-9]+")


def _parse_float(text: str) -> float | None:
    """strconv.ParseFloat(text, 64); None where Go errs (bad syntax, or ErrRange: beyond float64)."""
    try:
        if _FLOAT.fullmatch(text):
            value = float(text)
        elif _HEX_FLOAT.fullmatch(text):
            value = float.fromhex(text)
        else:
            return None
    except OverflowError:
        return None
    return None if math.isinf(value) else value


def _read_token(stream: _Stream, state: int) -> _Token | None:
    """readToken (l. 55-289); None when only whitespace was left."""
    while stream.can_read():
        c = stream.read()
        if _is_space(c):
            continue
        if _is_numeric(c):
            return _read_number(stream, c)
        if c == ",":
            return _Token(SEPARATOR, ",")
        if c == "[":
            text, completed = _read_until_false(stream, True, False, lambda ch: ch != "]")
            if not completed:
                raise _GoError("Unclosed parameter bracket")
            stream.rewind(-1)
            return _Token(VARIABLE, text)
        if _is_letter(c):
            return _read_name(stream)
        if not _is_not_quote(c):
            text, completed = _read_until_false(stream, True, False, _is_not_quote)
            if not completed:
                raise _GoError("Unclosed string literal")
            stream.rewind(-1)
            when = _try_parse_time(text)
            return _Token(TIME, when) if when is not None else _Token(STRING, text)
        if c == "(":
            return _Token(CLAUSE, ord(c))
        if c == ")":
            return _Token(CLAUSE_CLOSE, ord(c))
        text = _read_token_until_false(stream, _is_not_alphanumeric)
        if PREFIX in _STATES[state][1] and text in _PREFIXES:
            return _Token(PREFIX, text)
        for table, kind in ((_MODIFIERS, MODIFIER), (_LOGICALS, LOGICALOP), (_COMPARATORS, COMPARATOR), (_TERNARIES, TERNARY)):
            if text in table:
                return _Token(kind, text)
        raise _GoError(f"Invalid token: '{text}'")
    return None


def _parse_tokens(expression: str) -> list[_Token]:
    """parseTokens (l. 14-53)."""
    tokens: list[_Token] = []
    stream, state = _Stream(expression), UNKNOWN
    while stream.can_read():
        token = _read_token(stream, state)
        if token is None:
            break
        state = token.kind
        tokens.append(token)
    _check_balance(tokens)
    return tokens


def _check_balance(tokens: list[_Token]) -> None:
    """checkBalance (l. 390-415)."""
    depth = sum(1 if t.kind == CLAUSE else -1 if t.kind == CLAUSE_CLOSE else 0 for t in tokens)
    if depth != 0:
        raise _GoError("Unbalanced parenthesis")


def _check_syntax(tokens: list[_Token]) -> None:
    """checkExpressionSyntax (lexerState.go l. 319-360)."""
    state, last = UNKNOWN, _Token(UNKNOWN, None)
    for token in tokens:
        if token.kind not in _STATES[state][1]:
            if last.kind == VARIABLE and token.kind == CLAUSE:
                raise _GoError(f"Undefined function {last.value}")
            raise _GoError(
                f"Cannot transition token types from {_KIND_NAMES[state]} [{_v(last.value)}] "
                f"to {_KIND_NAMES[token.kind]} [{_v(token.value)}]"
            )
        state, last = token.kind, token
    if not _STATES[state][0]:
        raise _GoError("Unexpected end of expression")


def _optimize(tokens: list[_Token]) -> None:
    """optimizeTokens (l. 351-385): a STRING right of =~ or !~ is compiled once, into a PATTERN."""
    for i, token in enumerate(tokens):
        if token.kind != COMPARATOR or _COMPARATORS[token.value] not in (REQ, NREQ):
            continue
        if i + 1 >= len(tokens):
            raise _index_panic(i + 1, len(tokens))
        if tokens[i + 1].kind == STRING:
            try:
                tokens[i + 1] = _Token(PATTERN, _compile_regexp(tokens[i + 1].value))
            except _RegexpSyntaxError as exc:
                raise _GoError(exc.message) from None


def _read_number(stream: _Stream, c: str) -> _Token:
    """readToken's numeric constant: a hex uint64 or a float64."""
    if stream.can_read() and c == "0":
        c = stream.read()
        if stream.can_read() and c == "x":
            text = _read_until_false(stream, False, True, _is_hex_digit)[0]
            if not re.fullmatch(r"[0-9a-fA-F]+", text) or int(text, 16) >= 1 << 64:
                raise _GoError(f"Unable to parse hex value '{text}' to uint64\n")
            return _Token(NUMERIC, float(int(text, 16)))
        stream.rewind(1)
    text = _read_token_until_false(stream, _is_numeric)
    value = _parse_float(text)
    if value is None:
        raise _GoError(f"Unable to parse numeric value '{text}' to float64\n")
    return _Token(NUMERIC, value)


def _read_name(stream: _Stream) -> _Token:
    """readToken's variable, ``true``/``false``, ``in``, or a dotted accessor."""
    text = _read_token_until_false(stream, _is_variable_name)
    token = _Token(VARIABLE, text)
    if text in ("true", "false"):
        token = _Token(BOOLEAN, text == "true")
    if text in ("in", "IN"):
        token = _Token(COMPARATOR, "in")
    if text.find(".") > 0:
        if text.endswith("."):
            raise _GoError(f"Hanging accessor on token '{text}'")
        splits = text.split(".")
        for part in splits[1:]:
            first = part[:1]
            if _simple_upper(first) != first:
                raise _GoError(f"Unable to access unexported field '{part}' in token '{text}'")
        token = _Token(ACCESSOR, splits)
    return token
