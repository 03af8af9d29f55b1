"""``${{ }}`` inside a shell's ``-c`` script is refused (MLD604): the value would be run as shell code.

SECURITY.md promises that a value given at run time is never spliced into a shell string. ``command: [sh, -c,
"echo got: ${{ inputs.msg }}"]`` run with ``-p 'msg=x; touch PWNED'`` ran ``touch`` (issue #28), locally and
on Argo, which substitutes the value into the pod's argv as text. The safe form passes the value through the
environment (``env: {MSG: "${{ inputs.msg }}"}``) and quotes it in the script (``"$MSG"``), or passes it as an
operand after the script (``sh -c 'echo "$1"' sh "${{ inputs.msg }}"``): the shell never parses either as code.

The script is found as the shells read their arguments (POSIX ``sh -c [options] command_string
[command_name [argument...]]``; bash and zsh alike): options before and after ``-c``, clustered (``-ec``,
``-xc``) or taking a value (``-o pipefail``, bash's ``-O extglob``), up to the first operand, which is the
script. ``command`` and ``args`` are one argv, as the container runs them.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from typing import Any

from mldsl.lang.expressions import CLOSE, OPEN, ExprError, parse_template

#: the shells whose ``-c`` takes a script (by the argv[0]'s base name)
SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ash", "ksh", "mksh"})
#: single-letter options that take the next argument as their value (``-o pipefail``, bash's ``-O extglob``)
_WITH_VALUE = frozenset("oO")
#: a dotted reference (``inputs.msg``, ``steps.a.outputs.b``): its last name names the variable in the hint
_REF = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+")


def script_index(argv: Sequence[Any]) -> int | None:
    """The index in ``argv`` of the script a shell's ``-c`` runs, or None when ``argv`` runs no ``-c`` script."""
    start = _shell_at(argv)
    if start is None:
        return None
    with_c = False
    i = start + 1
    while i < len(argv):
        arg = argv[i]
        if not isinstance(arg, str) or OPEN in arg:
            break  # an operand (or a value nobody can read yet): the options end
        if arg in ("--", "-"):
            i += 1
            break
        if arg.startswith("--"):  # bash's long options (--norc, --login) take no value
            i += 1
            continue
        if len(arg) > 1 and arg[0] in "-+":
            letters = arg[1:]
            with_c = with_c or (arg[0] == "-" and "c" in letters)
            i += 2 if _WITH_VALUE & set(letters) else 1
            continue
        break
    return i if with_c and i < len(argv) else None


def _shell_at(argv: Sequence[Any]) -> int | None:
    """Where the shell is in ``argv``: at 0, after ``env [NAME=value...]``, or ``busybox sh``."""
    i = 0
    if i < len(argv) and _name(argv[i]) == "env":
        i += 1
        while i < len(argv) and isinstance(argv[i], str) and (argv[i].startswith("-") or "=" in argv[i]):
            i += 1
    if i + 1 < len(argv) and _name(argv[i]) == "busybox" and _name(argv[i + 1]) in SHELLS:
        i += 1  # busybox runs the applet named next
    return i if i < len(argv) and _name(argv[i]) in SHELLS else None


def check_scripts(command: Sequence[Any], args: Sequence[Any]) -> tuple[str, int, int, str, str] | None:
    """The first ``-c`` script of ``command + args`` holding ``${{``: (field, index, offset of ``${{``, script, shell)."""
    argv = [*command, *args]
    i = script_index(argv)
    if i is None or not isinstance(argv[i], str) or OPEN not in argv[i]:
        return None
    field, at = ("command", i) if i < len(command) else ("args", i - len(command))
    shell = _name(argv[_shell_at(argv) or 0])
    return field, at, argv[i].index(OPEN), argv[i], shell


def _name(arg: Any) -> str:
    return posixpath.basename(arg) if isinstance(arg, str) and OPEN not in arg else ""


def safe_form(script: str) -> str:
    """The hint: the script with each expression read from an environment variable, and the ``env:`` to add.

    >>> print(safe_form("echo got: ${{ inputs.msg }}"))
    pass the value through env and read it quoted in the script: env: {MSG: "${{ inputs.msg }}"}, script 'echo got: "$MSG"'
    """
    try:
        parts = parse_template(script).parts
    except ExprError:
        parts = ()
    env: dict[str, str] = {}
    text = []
    for part in parts:
        if isinstance(part, str):
            text.append(part)
            continue
        ref = _REF.search(part.source)
        name = (ref.group().rsplit(".", 1)[1] if ref else "value").upper()
        while name in env and env[name] != part.source:
            name += "_"
        env[name] = part.source
        text.append(f'"${name}"')
    if not env:
        return 'pass each value through env and read it quoted in the script ("$NAME"), never inside ${{ }} there'
    fields = ", ".join(f'{k}: "{OPEN} {v} {CLOSE}"' for k, v in env.items())
    shown = "".join(text)
    shown = shown if len(shown) <= 80 else shown[:77] + "..."
    return f"pass the value through env and read it quoted in the script: env: {{{fields}}}, script {shown!r}"
