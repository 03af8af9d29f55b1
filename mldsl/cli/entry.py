"""The ``mldsl`` program: plain ``validate``, ``compile`` and ``run`` calls run without importing click.

Editors and pre-commit hooks run ``mldsl validate FILE...`` on every save and CI runs
``mldsl compile PATHS -o DIR``; importing click (and what it pulls in) is ~13 ms of such a run
(issue #15). When the arguments are only paths, ``-o/--output DIR`` and ``--format FORMAT``, the
command runs straight from :mod:`mldsl.ops.project`, the code click's commands call too. Anything else
(``--help``, ``--crds``, an option we do not read here, a mistake) goes to click, which owns the
command line's grammar, its help and its usage errors.
"""

from __future__ import annotations

import sys
from pathlib import Path

FORMATS = ("text", "json", "github")


def quick(argv: list[str]) -> tuple[str, tuple[Path, ...], Path | None, str] | None:
    """``(command, paths, output, format)`` when ``argv`` is a plain validate, compile or run call, else ``None``."""
    if not argv or argv[0] not in ("validate", "compile", "run"):
        return None
    command, rest = argv[0], argv[1:]
    paths: list[Path] = []
    out: Path | None = None
    fmt = "text"
    seen: set[str] = set()
    i = 0
    while i < len(rest):
        arg = rest[i]
        name, eq, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if name in ("--format", "-o", "--output"):
            key = "format" if name == "--format" else "output"
            if key in seen or (key == "output" and command != "compile"):
                return None  # given twice, or not an option of validate: click says what is wrong
            if not eq:
                i += 1
                if i == len(rest):
                    return None
                value = rest[i]
            seen.add(key)
            if key == "format":
                if value not in FORMATS:
                    return None
                fmt = value
            else:
                if not value or value.startswith("-"):
                    return None
                out = Path(value)
        elif arg.startswith("-") or not arg:
            return None  # another option, "-", "--" or an empty name: click's to read
        else:
            paths.append(Path(arg))
        i += 1
    if not paths or (command == "compile" and (out is None or out.is_file())):
        return None  # click reports the missing argument, or that the output folder is a file
    if command == "run" and (len(paths) != 1 or fmt not in ("text", "json") or not paths[0].exists()):
        return None  # one existing PATH: anything else is click's to word
    return command, tuple(paths), out, fmt


def main(argv: list[str] | None = None) -> None:
    import mldsl.cli.startup  # noqa: F401 - first: the garbage collector's settings for a short process

    args = sys.argv[1:] if argv is None else argv
    plain = quick(args)
    if plain is None:
        from mldsl.cli.main import main as click_main

        click_main(argv)
        return
    from mldsl.ops.project import compile_to, guarded, validate_paths

    command, paths, out, fmt = plain
    if command == "run":  # mldsl run PATH [--format F]: the use case itself (mldsl/ops/local_run.py)
        from mldsl.ops.local_run import UsageError, run_path

        def run_it() -> None:
            try:
                run_path(paths[0], None, (), None, "process", False, None, (), (), fmt)
            except UsageError:  # click words the mistake as its usage errors (nothing has run yet)
                from mldsl.cli.main import main as click_main

                click_main(argv)

        guarded(run_it)
        return
    if command == "validate":
        from mldsl.lang.paramsfile import form_file_of

        if any(form_file_of(p) for p in paths):  # a form's download among them: checked against its pipeline or module
            from mldsl.ops.params_file import validate_with_params

            guarded(lambda: validate_with_params(paths, fmt))
            return
        guarded(lambda: validate_paths(paths, fmt, None))
    else:
        assert out is not None
        guarded(lambda: compile_to(paths, out, fmt, None))
