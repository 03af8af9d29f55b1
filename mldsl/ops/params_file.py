"""Params files (``mldsl/lang/paramsfile.py``): read as the documents are, and checked by ``validate`` against
their pipeline with the very rules ``run`` and ``submit`` apply (``ops/params.py`` parse_params), each problem
at its key (issue #30 m16: ``validate`` said only "missing apiVersion")."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from mldsl.compiler import ir
from mldsl.lang.constraints import ARTIFACT_URI, Param, check_value
from mldsl.lang.diagnostics import Diagnostic, Span
from mldsl.lang.paramsfile import pipeline_of
from mldsl.lang.sourcefiles import find_project_file
from mldsl.lang.suggest import close_matches
from mldsl.lang.value_codes import code_of
from mldsl.lang.yamlsource import YamlDocument, load_yaml_text
from mldsl.ops.params import allowed
from mldsl.ops.project import EXIT_INVALID, EXIT_OK, UsageError, compile_project, report, summary


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
    params = {p.name: p for p in pipeline.params}
    out = []
    for key, value in values.items():
        if key in params:
            out += _value_problems(params[key], value, _at(doc, shown, key))
            continue
        near = close_matches(str(key), params)
        hint = f"did you mean {near[0]!r}?" if near else f"{name} has: {', '.join(sorted(params)) or 'no params'}"
        out.append(Diagnostic("MLD102", f"pipeline {name!r} has no param {key!r}", _at(doc, shown, key, True), hint))
    for p in pipeline.params:
        if p.required and p.name not in values:
            out.append(Diagnostic("MLD103", f"param {p.name!r} is required and not given", Span(shown), _usage(name)))
    return sorted(out, key=lambda d: (d.span.line, d.span.col))


def _value_problems(p: Param, value: Any, at: Span) -> list[Diagnostic]:
    """A value as the file types it (YAML's, as in a document: ``"true"`` is no bool), by the rules of a literal.

    ``run`` and ``submit`` read the file as ``-p`` text and so take ``flag: "true"``; what validate accepts, they
    accept too. A local path for an artifact is what ``run`` takes and ``submit`` does not: a warning."""
    if p.type.kind == "artifact" and isinstance(value, str) and not ARTIFACT_URI.match(value):
        why = f"param {p.name!r}: {value!r} is no URI: `mldsl run` reads it as a local path, `mldsl submit` cannot"
        return [Diagnostic("MLD308", why, at, "on a cluster, give a URI: s3://bucket/key, gs://..., https://...", "warning")]
    out = []
    for problem in check_value(p, value):
        code, hint = code_of(problem)
        said = problem if p.type.kind == "artifact" else f"{problem}; {allowed(p)}"
        out.append(Diagnostic(code, f"param {p.name!r}: {said}", at, hint))
    return out


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
        if not any(d.severity == "error" for d in found):
            where = "." if root == Path.cwd().resolve() else str(root)
            notes.append(f"mldsl: {f}: params of pipeline {name} ok; mldsl run {where} --pipeline {name} --params-file {f}")
    errors = sum(1 for d in diags if d.severity == "error")
    shown = {d.span.path for d in diags} | {str(f) for f in files}
    plural = "s" * (errors != 1)
    said = f"mldsl: {errors} error{plural} in {len(shown)} file{'s' * (len(shown) != 1)}" if errors else "\n".join(notes)
    report(diags, fmt, said)
    sys.exit(EXIT_INVALID if errors else EXIT_OK)
