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
from dataclasses import dataclass
from functools import cache

from mldsl.runner.cowsay import PROGRAM

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
    code = "\n\n".join(inspect.getsource(f) for f in PROGRAM)
    program = f"from __future__ import annotations\n\nimport os\nimport re\nimport sys\n\n\n{code}\n\n_cowsay_main()\n"
    return (
        Shim("/usr/games/cowsay", wrapper),
        Shim("/usr/games/cowthink", link="cowsay"),
        Shim(COWSAY_PY, program, 0o644),
    )
