"""What each container image runs as on this machine, when there is no container engine.

A pod of the local runner (:mod:`mldsl.runner.podroot`) is this machine's own root
file system, copy-on-write, with the image's differences laid on top as *shims*:
small files at the paths the image has them. The list of images that can stand in
this way is explicit; :func:`refusal` names any other image and why it cannot run.

Runnable images (any registry prefix ``docker.io/``, ``library/``; a digest is ignored):

=============================  ===============================================================
``busybox[:tag]``              this machine's commands; ``/bin/sh`` and ``/bin/ash`` are bash in
``alpine[:tag]``               POSIX mode (closer to busybox ash than dash is: ``$RANDOM``,
                               ``[[ ]]``, ``${v:1:2}``, ``echo`` without escapes); ``busybox
                               APPLET ...`` runs this machine's APPLET
``debian[:tag]``,              this machine's commands; ``/bin/sh`` is this machine's dash, as in
``ubuntu[:tag]``               those images
``python[:tag]`` (Python 3)    ``python``/``python3`` in ``/usr/local/bin`` run this machine's
                               interpreter (the runner's own, :func:`python_binary`); an
                               ``-alpine`` tag gets the ash stand-in above
``node[:tag]``                 ``node`` in ``/usr/local/bin`` runs this machine's ``node``
                               (refused when it has none)
``argoproj/argosay:v2``        ``/argosay``, the entrypoint: :data:`ARGOSAY` behaves as
                               ``test/e2e/images/argosay/v2/argosay`` of Argo v4.1.2; it is built
                               ``FROM argosay:v1``, so it has cowsay too
``argoproj/argosay:v1``        Ubuntu with Debian's cowsay 3.03+dfsg2 in ``/usr/games`` (its
                               Dockerfile's ``CMD ["cowsay"]``): :func:`cowsay` re-implements it
=============================  ===============================================================

Known differences, so that a result here is read rightly: the commands are this
machine's (GNU coreutils, mawk, Python 3.11, its node), not the image's busybox
applets or versions; the image's *absent* commands are not hidden (``bash``,
``python3``, ``perl`` work in an alpine pod); dash (Debian, Ubuntu) interprets
backslashes in ``echo`` as it does in those images; bash standing in for ash
accepts bashisms ash rejects (arrays); ``apk``/``apt-get`` install nothing.
"""

from __future__ import annotations

import inspect
import os
import re
import shlex
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

#: PATH in the image config of busybox, alpine, debian, ubuntu and node
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#: the python images' ``ENV PATH /usr/local/bin:$PATH``
PYTHON_PATH = "/usr/local/bin:" + DEFAULT_PATH
#: argosay:v1's ``ENV PATH $PATH:/usr/games`` (test/e2e/images/argosay/v1/Dockerfile, line 15)
ARGOSAY_PATH = DEFAULT_PATH + ":/usr/games"
SUPPORTED = "busybox, alpine, debian, ubuntu, python (3), node, argoproj/argosay:v1 and :v2"


@dataclass(frozen=True)
class Shim:
    """One file the image has and this machine lacks (or has otherwise): ``text`` with ``mode``, or a symlink to ``link``."""

    path: str
    text: str = ""
    mode: int = 0o755
    link: str | None = None


@dataclass(frozen=True)
class ImageRuntime:
    """What a container of image ``name`` runs as here.

    ``shell`` names the image's own ``/bin/sh`` (``ash`` or ``dash``); ``entrypoint`` and
    ``cmd`` are the image config's, for a container without ``command`` (:meth:`command`).
    """

    name: str
    family: str
    path: str = DEFAULT_PATH
    env: tuple[tuple[str, str], ...] = ()
    shims: tuple[Shim, ...] = ()
    entrypoint: tuple[str, ...] = ()
    cmd: tuple[str, ...] = ()
    shell: str = "dash"
    workdir: str = "/"

    def command(self, command: list[str] | None, args: list[str] | None) -> list[str]:
        """The process a container starts, Kubernetes' way: ``command`` replaces the entrypoint, ``args`` the cmd."""
        if command:
            return [*command, *(args or [])]
        return [*self.entrypoint, *(args or self.cmd)]


def refusal(image: str) -> str | None:
    """``None`` when ``image`` can run here, else the reason (names the image)."""
    try:
        runtime(image)
    except ValueError as exc:
        return str(exc)
    return None


def runtime(image: str) -> ImageRuntime:
    """The stand-in for ``image``; raises ``ValueError`` with :func:`refusal`'s reason when there is none."""
    return _runtime(image.strip())


_REF = re.compile(
    r"(?:(?:docker\.io|index\.docker\.io|registry-1\.docker\.io)/)?(?:library/)?"
    r"(?P<repo>[a-z0-9][a-z0-9._/-]*?)(?::(?P<tag>\w[\w.-]{0,127}))?(?:@sha256:[0-9a-f]{64})?"
)


@cache
def _runtime(image: str) -> ImageRuntime:
    m = _REF.fullmatch(image)
    repo, tag = (m["repo"], m["tag"] or "latest") if m else ("", "")
    if repo.startswith("quay.io/argoproj/"):
        repo = repo.removeprefix("quay.io/")
    alpine = "alpine" in tag
    if repo in ("busybox", "alpine"):
        return ImageRuntime(image, repo, shims=_ash(), cmd=("sh",) if repo == "busybox" else ("/bin/sh",), shell="ash")
    if repo in ("debian", "ubuntu"):
        return ImageRuntime(image, repo, cmd=("bash",) if repo == "debian" else ("/bin/bash",))
    if repo == "python":
        if re.match(r"2(\.|$|-)", tag):
            raise ValueError(f"cannot run here: image {image} is Python 2; this machine's python is {sys.version.split()[0]}")
        py = python_binary()
        shims = tuple(_exec_shim(p, py) for p in ("/usr/local/bin/python", "/usr/local/bin/python3") if p != py)
        return ImageRuntime(
            image, "python", PYTHON_PATH, (("LANG", "C.UTF-8"),), shims + (_ash() if alpine else ()), cmd=("python3",),
            shell="ash" if alpine else "dash",
        )  # fmt: skip
    if repo == "node":
        node = shutil.which("node")
        if node is None:
            raise ValueError(f"cannot run here: image {image} needs a node command, and this machine has none")
        shims = () if node == "/usr/local/bin/node" else (_exec_shim("/usr/local/bin/node", node),)
        return ImageRuntime(
            image, "node", shims=shims + (_ash() if alpine else ()), cmd=("node",), shell="ash" if alpine else "dash"
        )
    if repo == "argoproj/argosay":
        if tag == "v1":  # v1/Dockerfile line 17: CMD ["cowsay"]
            return ImageRuntime(image, "argosay:v1", ARGOSAY_PATH, shims=_cowsay_shims(), cmd=("cowsay",))
        if tag == "v2":  # v2/Dockerfile: FROM argosay:v1, ADD argosay /, ENTRYPOINT ["/argosay"] (which resets v1's CMD)
            shims = (Shim("/argosay", ARGOSAY), *_cowsay_shims())
            return ImageRuntime(image, "argosay:v2", ARGOSAY_PATH, shims=shims, entrypoint=("/argosay",))
        raise ValueError(f"cannot run here: image {image}: only argoproj/argosay:v1 and :v2 are emulated")
    what = "no image" if not image else f"image {image}"
    raise ValueError(
        f"cannot run here: {what} has no stand-in on this machine without a container engine (runnable: {SUPPORTED})"
    )


def python_binary() -> str:
    """The interpreter a python image's ``python`` runs: this machine's own binary, not a pyenv shim, and not a
    virtual environment's (an image has no runner's packages; and a venv under /tmp is hidden by a pod's /tmp)."""
    for exe in (os.path.realpath(sys.executable), getattr(sys, "_base_executable", ""), sys.executable):
        try:
            with open(exe, "rb") as f:
                if f.read(4) == b"\x7fELF":
                    return exe
        except OSError:
            continue
    return sys.executable


def _exec_shim(path: str, target: str) -> Shim:
    return Shim(path, f'#!/bin/sh\nexec {shlex.quote(target)} "$@"\n')


@cache
def _ash() -> tuple[Shim, ...]:
    """busybox ash's stand-in: bash, which runs in POSIX mode when called ``sh``; ``busybox APPLET`` runs APPLET."""
    busybox = Shim(
        "/bin/busybox",
        '#!/bin/sh\n[ $# -gt 0 ] || { echo "BusyBox stand-in: applets are this machine\'s commands"; exit 0; }\nexec "$@"\n',
    )
    if not os.path.exists("/bin/bash"):
        return (busybox,)  # dash stays /bin/sh
    nc = Shim("/usr/bin/nc", f"#!{python_binary()} -I\n{NC}")
    return (Shim("/bin/sh", link="/bin/bash"), Shim("/bin/ash", '#!/bin/bash\nexec -a sh /bin/bash "$@"\n'), busybox, nc)


#: busybox's ``nc`` (alpine builds it with NC_SERVER and NC_EXTRA: ``-l``, ``-k``, ``-p``, ``-e``, ``-w``), for a
#: machine that has none: listen (keep listening with ``-k``) and hand each connection to ``-e PROG`` or to
#: stdin/stdout, or connect to HOST PORT (busybox networking/nc_bloaty.c usage text)
NC = r"""import getopt, os, selectors, socket, subprocess, sys
argv = sys.argv[1:]
prog = argv[argv.index("-e") + 1:] if "-e" in argv else None  # -e PROG [ARGS]: must be last
try:
    opts, args = getopt.getopt(argv[: argv.index("-e")] if prog is not None else argv, "lkp:w:i:nvuz")
except getopt.GetoptError as exc:
    sys.exit(f"nc: {exc}")
o = dict(opts)

def relay(conn):
    if prog:
        subprocess.run(prog, stdin=conn.fileno(), stdout=conn.fileno(), stderr=conn.fileno(), check=False)
        return
    sel = selectors.DefaultSelector()
    sel.register(conn, selectors.EVENT_READ)
    try:
        sel.register(sys.stdin, selectors.EVENT_READ)
    except (PermissionError, ValueError):  # a file or /dev/null: send it whole, then only read
        while True:
            data = os.read(0, 65536)
            if not data:
                break
            conn.sendall(data)
        conn.shutdown(socket.SHUT_WR)
    while True:
        for key, _ in sel.select():
            if key.fileobj is conn:
                data = conn.recv(65536)
                if not data:
                    return
                os.write(1, data)
            else:
                data = os.read(0, 65536)
                if not data:
                    sel.unregister(sys.stdin)
                    conn.shutdown(socket.SHUT_WR)
                else:
                    conn.sendall(data)

if "-l" in o:
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("", int(o.get("-p", "0"))))
    srv.listen(16)
    while True:
        conn, _ = srv.accept()
        with conn:
            relay(conn)
        if "-k" not in o:
            break
else:
    if len(args) < 2:
        sys.exit("usage: nc [-l] [-k] [-p PORT] [-e PROG] [HOST PORT]")
    conn = socket.create_connection((args[0], int(args[1])), timeout=float(o["-w"]) if "-w" in o else None)
    with conn:
        relay(conn)
"""


#: ``/argosay`` of argoproj/argosay:v2, written anew to behave as Argo v4.1.2's
#: ``test/e2e/images/argosay/v2/argosay``: run by the image's /bin/sh (Ubuntu's dash) with
#: ``set -eu``, each statement on the line of the original's that it stands for, so that
#: dash's messages (``/argosay: 12: 2: parameter not set``) name the same lines. ``echo``
#: with more than three arguments matches none of the original's cases (its line 23's
#: pattern is the word ``default``) and so does nothing, successfully.
ARGOSAY = r"""#!/bin/sh
set -eu
# Stand-in for argoproj/argosay:v2 /argosay (argo-workflows v4.1.2 test/e2e/images/argosay/v2/argosay), line for line
sub=${1:-}
if [ -z "$sub" ]; then
  echo "hello argo"
# lines 5-6: no sub-command
elif [ "$sub" = assert_contains ]; then
  grep -F "$3" "$2"
# lines 8-9: FILE TEXT, with grep's output and status
elif [ "$sub" = cat ]; then
  cat "$2"
# lines 11-12
elif [ "$sub" = echo ]; then
  if [ $# -eq 1 ]; then
    echo "hello argo"
  elif [ $# -eq 2 ]; then echo "$2"
  elif [ $# -eq 3 ]; then
    mkdir -p "$(dirname $3)"
    echo "$2" > "$3"
    sleep 0.1
  fi
# lines 14-26; $3 unquoted in dirname as there
# more arguments: no case matches (line 23's pattern is the word default), status 0
#
#
elif [ "$sub" = exit ]; then
  exit "${2:-0}"
# lines 27-28
elif [ "$sub" = sleep ]; then
  sleep "$2"
# lines 30-31
elif [ "$sub" = sh ]; then
  sh "${2:-0}"
# lines 33-34
else
  exit 1
fi
"""

COWSAY_PY = "/usr/share/cowsay/mldsl-cowsay.py"


@cache
def _cowsay_shims() -> tuple[Shim, ...]:
    """Debian's cowsay and cowthink in ``/usr/games``: a sh wrapper passes the locale on (Python would coerce C to UTF-8)."""
    locale = '"${LC_ALL:-${LC_CTYPE:-${LANG:-}}}"'
    wrapper = f'#!/bin/sh\nexec {shlex.quote(python_binary())} -I -S {COWSAY_PY} "$0" {locale} "$@"\n'
    code = "\n\n".join(inspect.getsource(f) for f in (_wcwidth, _perl_wrap, cowsay, _cowsay_main))
    program = f"from __future__ import annotations\n\nimport os\nimport re\nimport sys\n\n\n{code}\n\n_cowsay_main()\n"
    return (
        Shim("/usr/games/cowsay", wrapper),
        Shim("/usr/games/cowthink", link="cowsay"),
        Shim(COWSAY_PY, program, 0o644),
    )


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

    err: list[str] = []
    die = 2 if utf8 else 255  # die's status is $!: ENOENT left by `require Encode` under UTF-8, else 255
    usage = (
        "cow{say,think} version 3.03, (c) 1999 Tony Monroe\n"
        f"Usage: {os.path.basename(argv0)} [-bdgpstwy] [-h] [-e eyes] [-f cowfile] \n"
        "          [-l] [-n] [-T tongue] [-W wrapcolumn] [message]\n"
    )

    def done(out: str, code: int = 0) -> tuple[bytes, bytes, int]:
        return out.encode(enc, "surrogateescape"), "".join(err).encode(enc, "surrogateescape"), code

    argv = [a.decode(enc, "surrogateescape") for a in args]
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
                return done(usage)
            argv.pop(0)
        else:
            err.append(f"Unknown option: {first}\n")
            argv[0:1] = [f"-{rest}"] if rest else []
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
        data = stdin().decode(enc, "surrogateescape")
        die = 255  # reading STDIN clears that $!
        message = data.split("\n")
        if message and message[-1] == "":
            message.pop()
    w = re.match(r"\s*([+-]?\d+)", opts["W"] or "")
    columns = int(w[1]) if w else 0
    if "n" in opts:  # Text::Tabs::expand, tabstop 8
        lines = []
        for line in message:
            out, offs = "", None
            for part in line.split("\t"):
                if offs is not None:
                    out += " " * (8 - offs % 8)
                out += part
                offs = sum(1 for ch in part if not mark(ch))
            lines.append(out)
        message = lines
    else:  # Text::Wrap::fill('', '', @message): paragraphs at a newline and white space, joined by a blank line
        paragraphs = re.split(r"\n" + ws + "+", "\n".join(message))
        while paragraphs and paragraphs[-1] == "":
            paragraphs.pop()
        try:
            filled = "\n\n".join(_perl_wrap(re.sub(ws + "+", " ", p), columns, wrap_space, mark) for p in paragraphs)
        except ValueError as exc:
            err.append(f"{exc} at Text/Wrap.pm\n")
            return done("", die)
        message = filled.split("\n") if filled else []
        while message and message[-1] == "":
            message.pop()
    widths = [width(re.sub(r"\x1b\[\d+(?:;\d+)*m", "", m)) for m in message]
    most = max([-1, *widths])
    most = 0 if most == -1 else most
    think = "think" in argv0.lower()
    thoughts = "o" if think else "\\"
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
    eyes, tongue = (opts["e"] or "")[:2], (opts["T"] or "")[:2]
    for flag, face in (("b", "=="), ("d", "xx"), ("g", "$$"), ("p", "@@"), ("s", "**"), ("t", "--"), ("w", "OO"), ("y", "..")):
        if flag in opts:
            eyes = face
            tongue = "U " if flag in "ds" else tongue
    cow = (
        f"        {thoughts}   ^__^\n         {thoughts}  ({eyes})\\_______\n            (__)\\       )\\/\\\n"
        f"             {tongue} ||----w |\n                ||     ||\n"
    )
    name = opts["f"] or ""
    if "/" in name:
        cow = ""  # `do FILE`: a cow file outside the cow path is not read here
    elif name not in ("default", "default.cow"):
        err.append(f"{os.path.basename(argv0)}: Could not find {name} cowfile!\n")
        return done("", 2)
    return done("".join(balloon) + cow)


def _cowsay_main() -> None:
    """The shim's entry: ``mldsl-cowsay.py $0 LOCALE ARGS...``, stdout and status as cowsay's."""
    out, err, code = cowsay(sys.argv[1], os.fsencode(sys.argv[2]), [os.fsencode(a) for a in sys.argv[3:]], sys.stdin.buffer.read)
    sys.stdout.buffer.write(out)
    sys.stderr.buffer.write(err)
    sys.stdout.flush()
    sys.exit(code)
