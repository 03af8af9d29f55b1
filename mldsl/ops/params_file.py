"""Params files (``mldsl/lang/paramsfile.py``): read as the documents are, and checked by ``validate`` against
their pipeline with the very rules ``run`` and ``submit`` apply (``ops/params.py`` parse_params), each problem
at its key (issue #30 m16: ``validate`` said only "missing apiVersion")."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from mldsl.compiler import ir
from mldsl.lang.diagnostics import Diagnostic, Span
from mldsl.lang.paramsfile import pipeline_of
from mldsl.lang.sourcefiles import find_project_file
from mldsl.lang.suggest import close_matches
from mldsl.lang.value_codes import code_of
from mldsl.lang.yamlsource import YamlDocument, load_yaml_text
from mldsl.ops.params import as_pairs, parse_params
from mldsl.ops.project import EXIT_INVALID, EXIT_OK, UsageError, compile_project, report, summary

_REQUIRED = re.compile(r"^--param (\w+) is required \(")


def read(path: Path) -> tuple[dict[str, Any], YamlDocument | None]:
    """The values of a params file and where each is, read as mldsl reads documents (YAML 1.2: ``no`` is text,
    ``2024-06-15`` a string); a UsageError says why it cannot be one."""
    text = path.read_text(encoding="utf-8")
    docs, diags = load_yaml_text(text, str(path))
    if diags:
        raise UsageError(f"{path} cannot be read as YAML: {diags[0].render()}")
    if not docs or docs[0].data is None:
        return {}, None
    if len(docs) > 1 or not isinstance(docs[0].data, dict):
        raise UsageError(f"{path} must hold one mapping of param names to values")
    return dict(docs[0].data), docs[0]


def check(path: Path, shown: str, program: ir.Program, name: str) -> list[Diagnostic]:
    """Every problem of the params file ``path`` for pipeline ``name`` of ``program``, each at its key."""
    pipeline = next((p for p in program.pipelines if p.name == name), None)
    if pipeline is None:
        names = [p.name for p in program.pipelines]
        near = close_matches(name, names)
        hint = f"did you mean {near[0]!r}?" if near else f"pipelines there: {', '.join(names) or 'none'}"
        return [
            Diagnostic(
                "MLD422", f"this params file is for pipeline {name!r}, and the project has no such pipeline", Span(shown), hint
            )
        ]
    try:
        values, doc = read(path)
    except UsageError as exc:
        return [Diagnostic("MLD006", str(exc), Span(shown))]
    declared = {p.name for p in pipeline.params}
    out = []
    for key in values:
        if key not in declared:
            near = close_matches(str(key), declared)
            hint = f"did you mean {near[0]!r}?" if near else f"{name} has: {', '.join(sorted(declared)) or 'no params'}"
            out.append(Diagnostic("MLD102", f"pipeline {name!r} has no param {key!r}", _at(doc, shown, key, True), hint))
    known = {k: v for k, v in values.items() if k in declared}
    _, problems = parse_params(pipeline, as_pairs(known), artifacts=True)
    for problem in problems:
        if m := _REQUIRED.match(problem):
            out.append(Diagnostic("MLD103", f"param {m.group(1)!r} is required and not given", Span(shown), _usage(name)))
            continue
        key, _, message = problem.removeprefix("--param ").partition(": ")
        code, why = code_of(message)
        out.append(Diagnostic(code, f"param {key!r}: {message}", _at(doc, shown, key), why))
    return sorted(out, key=lambda d: (d.span.line, d.span.col))


def _at(doc: YamlDocument | None, shown: str, key: str, of_key: bool = False) -> Span:
    """Where ``key``'s value (or the key itself) is, on the path as it was given."""
    if doc is None:
        return Span(shown)
    span = doc.positions.span((key,), key=of_key)
    return Span(shown, span.line, span.col)


def _usage(name: str) -> str:
    return f"add it to the file, or give it with -p when running: mldsl run . --pipeline {name} --params-file FILE -p NAME=VALUE"


def project_of(path: Path) -> Path:
    """The project a params file belongs to: the folder of the nearest mldsl.yaml, else the file's folder."""
    found = find_project_file([path])
    return (found.parent if found is not None else path.parent).resolve()


def validate_with_params(paths: tuple[Path, ...], fmt: str) -> None:
    """``mldsl validate`` when params files are among ``paths``: the documents as ever, and each params file
    against its pipeline (its project compiled as ``run`` would); exit 1 on any error."""
    files = [p for p in paths if pipeline_of(p)]
    docs = [p for p in paths if p not in files]
    result = compile_project(docs) if docs else None
    diags: list[Diagnostic] = list(result.diagnostics) if result else []
    notes = [summary(result, [])] if result and result.ok else []
    for f in files:
        name, root = pipeline_of(f) or "", project_of(f)
        project = compile_project([root])
        found = project.diagnostics if not project.ok else check(f, str(f), project.program, name)
        diags += found
        if not found:
            where = "." if root == Path.cwd().resolve() else str(root)
            notes.append(f"mldsl: {f}: params of pipeline {name} ok; mldsl run {where} --pipeline {name} --params-file {f}")
    errors = sum(1 for d in diags if d.severity == "error")
    shown = {d.span.path for d in diags} | {str(f) for f in files}
    plural = "s" * (errors != 1)
    said = f"mldsl: {errors} error{plural} in {len(shown)} file{'s' * (len(shown) != 1)}" if errors else "\n".join(notes)
    report(diags, fmt, said)
    sys.exit(EXIT_INVALID if errors else EXIT_OK)
