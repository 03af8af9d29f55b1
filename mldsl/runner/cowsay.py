"""Debian's cowsay 3.03 (the one argosay:v1 installs), re-implemented for the image stand-in.

:mod:`mldsl.runner.images` writes these functions' source into the pod as ``/usr/share/cowsay/mldsl-cowsay.py``:
they use only ``os``, ``re`` and ``sys`` at module level (the program imports those), and import the rest inside.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable

# ---- cowsay 3.03+dfsg2 (Debian, Ubuntu 26.04: the package argosay:v1 installs), re-implemented ----
# Followed: /usr/games/cowsay of that package (slurp_input, maxlength, colstr, construct_balloon,
# construct_face, default.cow), Perl's Text::Wrap 2021.0814 (fill, wrap with $columns = -W and
# $huge = 'wrap'), Text::Tabs expand, Getopt::Std getopts, and Text::CharWidth's mbswidth (the sum
# of wcwidth, -1 for the whole string when it does not decode in the locale).


def _wcwidth(utf8: bool) -> Callable[[str], int]:
    """wcwidth(3) of this machine's C library in C.UTF-8 (cowsay's mbswidth adds these up); an approximation without it."""
    import ctypes
    import unicodedata

    if utf8:
        try:
            libc = ctypes.CDLL(None)
            libc.setlocale.restype = ctypes.c_char_p
            if libc.setlocale(0, b"C.UTF-8") or libc.setlocale(0, b"C.utf8"):
                fn = libc.wcwidth
                fn.argtypes = [ctypes.c_wchar]
                fn.restype = ctypes.c_int
                return lambda ch: int(fn(ch))
        except (OSError, AttributeError):
            pass

    def approx(ch: str) -> int:
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cs", "Cn") or (not utf8 and ord(ch) > 0x7E):
            return -1
        if cat in ("Mn", "Me") or (cat == "Cf" and ch != "\xad"):
            return 0
        return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1

    return approx


def _perl_wrap(text: str, columns: int, space: str, mark: Callable[[str], bool]) -> str:
    """Text::Wrap::wrap('', '', text) with $columns: lines of at most columns-1 units (a non-mark and its marks)."""
    if columns < 2:  # wrap() gives up and returns its arguments, which fill() takes in scalar context: 3
        return "3" if any(ch not in space for ch in text) else ""
    units: list[str] = []
    for ch in text:
        if units and mark(ch):
            units[-1] += ch
        else:
            units.append(ch)
    ll = columns - 1
    out, nl, remainder, pos = "", "", "", 0
    while any(u[0] not in space for u in units[pos:]):
        if mark(units[pos][0]):  # a mark with nothing before it matches no unit: wrap() dies
            raise ValueError("This shouldn't happen")
        for n in range(min(ll, len(units) - pos), -1, -1):
            chunk = units[pos : pos + n]
            if "\n" in "".join(u[0] for u in chunk):
                continue
            end = pos + n
            if end == len(units):
                out, remainder, pos = out + nl + "".join(chunk), "", end
                break
            if units[end][0] in space:
                out, remainder, pos = out + nl + "".join(chunk), units[end], end + 1
                break
        else:  # $huge eq 'wrap': cut a word longer than the line
            out, remainder, pos = out + nl + "".join(units[pos : pos + ll]), "\n", pos + ll
        nl = "\n"
    return out + remainder


def cowsay(argv0: str, locale: bytes, args: list[bytes], stdin: Callable[[], bytes]) -> tuple[bytes, bytes, int]:
    """Debian cowsay 3.03's output for ``args`` (or the lines of ``stdin()``): (stdout, stderr, exit status).

    ``locale`` is the caller's LC_ALL/LC_CTYPE/LANG: under a UTF-8 one text is characters
    and widths are display widths, else bytes (cowsay 3.03+dfsg2's ``${^UTF8LOCALE}``).
    """
    utf8, enc, ws, wrap_space, mark, width = _cow_locale(locale)
    err: list[str] = []
    die = 2 if utf8 else 255  # die's status is $!: ENOENT left by `require Encode` under UTF-8, else 255
    usage = _cow_usage(argv0)

    def done(out: str, code: int = 0) -> tuple[bytes, bytes, int]:
        return out.encode(enc, "surrogateescape"), "".join(err).encode(enc, "surrogateescape"), code

    argv = [a.decode(enc, "surrogateescape") for a in args]
    opts = _cow_getopts(argv, err)
    if opts is None:
        return done(usage)
    if "h" in opts:
        err.append(usage)
        return done("", die)
    if "l" in opts:
        return done("Cow files in /usr/share/cowsay/cows:\ndefault\n")
    if argv and argv[0] not in ("", "0"):  # slurp_input: `unless ($ARGV[0])`
        if "n" in opts:
            err.append(usage)
            return done("", die)
        message = [" ".join(argv)]
    else:
        message = _cow_lines(stdin().decode(enc, "surrogateescape"))
        die = 255  # reading STDIN clears that $!
    if "n" in opts:  # Text::Tabs::expand, tabstop 8
        message = _cow_expand(message, mark)
    else:  # Text::Wrap::fill('', '', @message): paragraphs at a newline and white space, joined by a blank line
        try:
            message = _cow_fill(message, ws, opts["W"] or "", wrap_space, mark)
        except ValueError as exc:
            err.append(f"{exc} at Text/Wrap.pm\n")
            return done("", die)
    think = "think" in argv0.lower()
    balloon = _cow_balloon(message, width, think)
    cow = _cow_face(opts, "o" if think else "\\")
    name = opts["f"] or ""
    if "/" in name:
        cow = ""  # `do FILE`: a cow file outside the cow path is not read here
    elif name not in ("default", "default.cow"):
        err.append(f"{os.path.basename(argv0)}: Could not find {name} cowfile!\n")
        return done("", 2)
    return done("".join(balloon) + cow)


def _cow_locale(
    locale: bytes,
) -> tuple[bool, str, str, str, Callable[[str], bool], Callable[[str], int]]:
    """Under ``locale``: UTF-8 or not, the encoding, fill's and wrap's white space, and a character's
    combining mark and a string's display width (Text::CharWidth::mbswidth)."""
    import unicodedata

    utf8 = re.fullmatch(rb"C\.utf-?8", locale, re.I) is not None  # the image has no other locale than C, POSIX, C.UTF-8
    enc = "utf-8" if utf8 else "latin-1"
    space = "\t\n\v\f\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
    # \s of fill's patterns is ASCII on bytes; wrap's patterns hold \pM, which gives them Unicode rules (\x85, \xa0 too)
    wrap_space = space if utf8 else space[:8]
    ws = "[" + re.escape(space if utf8 else space[:6]) + "]"
    wc = _wcwidth(utf8)

    def mark(ch: str) -> bool:
        return utf8 and unicodedata.category(ch).startswith("M")

    def width(s: str) -> int:  # Text::CharWidth::mbswidth
        total = 0
        for ch in s:
            if "\udc80" <= ch <= "\udcff" or (not utf8 and ord(ch) > 0x7F):
                return -1
            total += wc(ch)
        return total

    return utf8, enc, ws, wrap_space, mark, width


def _cow_usage(argv0: str) -> str:
    return (
        "cow{say,think} version 3.03, (c) 1999 Tony Monroe\n"
        f"Usage: {os.path.basename(argv0)} [-bdgpstwy] [-h] [-e eyes] [-f cowfile] \n"
        "          [-l] [-n] [-T tongue] [-W wrapcolumn] [message]\n"
    )


def _cow_lines(data: str) -> list[str]:
    """slurp_input's lines of standard input (chomped)."""
    message = data.split("\n")
    if message and message[-1] == "":
        message.pop()
    return message


def _cow_getopts(argv: list[str], err: list[str]) -> dict[str, str | None] | None:
    """Getopt::Std::getopts of cowsay's options, taken off ``argv``; None for ``--help``."""
    spec = "bde:f:ghlLnNpstT:wW:y"
    opts: dict[str, str | None] = {"e": "oo", "f": "default.cow", "T": "  ", "W": "40"}
    while argv and len(argv[0]) > 1 and argv[0][0] == "-":  # Getopt::Std::getopts
        first, rest = argv[0][1], argv[0][2:]
        if argv[0] == "--":
            argv.pop(0)
            break
        pos = spec.find(first)
        if pos >= 0 and spec[pos + 1 : pos + 2] == ":":
            argv.pop(0)
            opts[first] = rest if rest else (argv.pop(0) if argv else None)
        elif pos >= 0:
            opts[first] = "1"
            argv[0:1] = [f"-{rest}"] if rest else []
        elif first == "-" and rest in ("help", "version"):
            if rest == "help":
                return None
            argv.pop(0)
        else:
            err.append(f"Unknown option: {first}\n")
            argv[0:1] = [f"-{rest}"] if rest else []
    return opts


def _cow_expand(message: list[str], mark: Callable[[str], bool]) -> list[str]:
    """Text::Tabs::expand, tabstop 8 (cowsay -n)."""
    lines = []
    for line in message:
        out, offs = "", None
        for part in line.split("\t"):
            if offs is not None:
                out += " " * (8 - offs % 8)
            out += part
            offs = sum(1 for ch in part if not mark(ch))
        lines.append(out)
    return lines


def _cow_fill(message: list[str], ws: str, wrap: str, wrap_space: str, mark: Callable[[str], bool]) -> list[str]:
    """Text::Wrap::fill('', '', @message) at ``-W wrap`` columns; ValueError where Text::Wrap dies."""
    w = re.match(r"\s*([+-]?\d+)", wrap)
    columns = int(w[1]) if w else 0
    paragraphs = re.split(r"\n" + ws + "+", "\n".join(message))
    while paragraphs and paragraphs[-1] == "":
        paragraphs.pop()
    filled = "\n\n".join(_perl_wrap(re.sub(ws + "+", " ", p), columns, wrap_space, mark) for p in paragraphs)
    message = filled.split("\n") if filled else []
    while message and message[-1] == "":
        message.pop()
    return message


def _cow_balloon(message: list[str], width: Callable[[str], int], think: bool) -> list[str]:
    """construct_balloon: the lines padded to the widest, in a speech or thought balloon."""
    widths = [width(re.sub(r"\x1b\[\d+(?:;\d+)*m", "", m)) for m in message]
    most = max([-1, *widths])
    most = 0 if most == -1 else most
    if think:
        border = ["(", ")", "(", ")", "(", ")"]
    elif len(message) < 2:
        border = ["<", ">"]
    else:
        border = ["/", "\\", "\\", "/", "|", "|"]

    def col(s: str) -> str:
        return s + " " * (most - width(s))

    balloon = [" " + "_" * (most + 2) + "\n", f"{border[0]} {col(message[0] if message else '')} {border[1]}\n"]
    if len(message) >= 2:
        balloon += [f"{border[4]} {col(m)} {border[5]}\n" for m in message[1:-1]]
        balloon.append(f"{border[2]} {col(message[-1])} {border[3]}\n")
    balloon.append(" " + "-" * (most + 2) + "\n")
    return balloon


def _cow_face(opts: dict[str, str | None], thoughts: str) -> str:
    """construct_face and default.cow: the eyes and tongue the options ask for."""
    eyes, tongue = (opts["e"] or "")[:2], (opts["T"] or "")[:2]
    for flag, face in (("b", "=="), ("d", "xx"), ("g", "$$"), ("p", "@@"), ("s", "**"), ("t", "--"), ("w", "OO"), ("y", "..")):
        if flag in opts:
            eyes = face
            tongue = "U " if flag in "ds" else tongue
    return (
        f"        {thoughts}   ^__^\n         {thoughts}  ({eyes})\\_______\n            (__)\\       )\\/\\\n"
        f"             {tongue} ||----w |\n                ||     ||\n"
    )


def _cowsay_main() -> None:
    """The shim's entry: ``mldsl-cowsay.py $0 LOCALE ARGS...``, stdout and status as cowsay's."""
    out, err, code = cowsay(sys.argv[1], os.fsencode(sys.argv[2]), [os.fsencode(a) for a in sys.argv[3:]], sys.stdin.buffer.read)
    sys.stdout.buffer.write(out)
    sys.stderr.buffer.write(err)
    sys.stdout.flush()
    sys.exit(code)


#: the functions of the program, in order (``_cowsay_main`` last: the program ends by calling it)
PROGRAM = (
    _wcwidth,
    _perl_wrap,
    cowsay,
    _cow_locale,
    _cow_usage,
    _cow_lines,
    _cow_getopts,
    _cow_expand,
    _cow_fill,
    _cow_balloon,
    _cow_face,
    _cowsay_main,
)
