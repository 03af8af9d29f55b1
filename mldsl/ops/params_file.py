"""A form's download (``mldsl/lang/paramsfile.py``): read as the documents are, and checked by ``validate``
against its pipeline or module, each problem at its key (issue #30 m16: ``validate`` said only "missing
apiVersion"). Values are judged with their YAML types as a document's literals are; ``run`` and ``submit``
take every params file this accepts (tests/test_forms_roundtrip.py)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mldsl.compiler import CompileResult, ir
from mldsl.lang.constraints import ARTIFACT_URI, Param, check_value
from mldsl.lang.diagnostics import Diagnostic, Span
from mldsl.lang.paramsfile import form_file_of
from mldsl.lang.sourcefiles import builtin_modules_dir, find_project_file
from mldsl.lang.suggest import close_matches
from mldsl.lang.value_codes import code_of
from mldsl.lang.yamlsource import YamlDocument, load_yaml_text
from mldsl.ops.params import allowed
from mldsl.ops.project import EXIT_INVALID, EXIT_OK, UsageError, compile_project, report, summary


def read(path: Path) -> tuple[dict[str, Any], YamlDocument | None]:
    """The values of a params file and where each is, read as mldsl reads documents (YAML 1.2: ``no`` is text,
    ``2024-06-15`` a string); a UsageError says why it cannot be one."""
    docs, diags = load_yaml_text(path.read_text(encoding="utf-8"), str(path))
    if diags:
        raise UsageError(f"{path} cannot be read as YAML: {diags[0].render()}")
    return _values(path, docs)


def _values(path: Path, docs: list[YamlDocument]) -> tuple[dict[str, Any], YamlDocument | None]:
    """The one mapping the file's documents hold, or a UsageError saying why they are not one."""
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
        why = f"this params file is for pipeline {name!r}, and the project has no such pipeline"
        return [Diagnostic("MLD422", why, Span(shown), hint)]
    loaded = _loaded(path, shown)
    if isinstance(loaded, list):
        return loaded
    values, doc = loaded
    return _check_values(values, Where(doc, shown, ()), pipeline.params, f"pipeline {name!r}", _usage(name))


def check_with(path: Path, shown: str, program: ir.Program, key: str) -> list[Diagnostic]:
    """Every problem of a module form's ``with:`` block for the module ``key`` (``name@version``)."""
    module = next((m for m in program.modules if m.key == key), None)
    if module is None:
        near = close_matches(key, [m.key for m in program.modules])
        hint = f"did you mean {near[0]!r}?" if near else "give the project that has it, or a built-in module's name@version"
        return [Diagnostic("MLD400", f"this with: block is for module {key!r}, which is not found", Span(shown), hint)]
    loaded = _loaded(path, shown)
    if isinstance(loaded, list):
        return loaded
    values, doc = loaded
    block = values.get("with")
    if set(values) != {"with"} or not isinstance(block, dict):
        return [Diagnostic("MLD006", "a with: block file holds one mapping, under `with:`", Span(shown))]
    given = {k: v for k, v in block.items() if not (isinstance(v, str) and "${{" in v)}  # expressions: in a step
    usage = f"a step that uses {key} needs it under with:"
    return _check_values(given, Where(doc, shown, ("with",)), module.inputs, f"module {key!r}", usage, "input")


def _loaded(path: Path, shown: str) -> tuple[dict[str, Any], YamlDocument | None] | list[Diagnostic]:
    """The file's values, or why it holds none: its YAML's own diagnostics (MLD002 ...) where they are."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [Diagnostic("MLD001", f"cannot read the file: {exc}", Span(shown))]
    docs, diags = load_yaml_text(text, shown)
    if diags:
        return diags
    try:
        return _values(path, docs)
    except UsageError as exc:
        return [Diagnostic("MLD006", str(exc), Span(shown))]


@dataclass(frozen=True)
class Where:
    """Where a file's values are: its document, its path as given, and the keys above the values."""

    doc: YamlDocument | None
    shown: str
    under: tuple[str, ...]

    def at(self, key: str, of_key: bool = False) -> Span:
        """Where ``key``'s value (or the key itself) is, on the path as it was given."""
        if self.doc is None:
            return Span(self.shown)
        span = self.doc.positions.span((*self.under, key), key=of_key)
        return Span(self.shown, span.line, span.col)


def _check_values(
    values: dict[str, Any], where: Where, params: tuple[Param, ...], owner: str, usage: str, noun: str = "param"
) -> list[Diagnostic]:
    """Unknown names (with the closest), each value by its declaration, and what is required and missing."""
    declared = {p.name: p for p in params}
    out = []
    for key, value in values.items():
        if key in declared:
            out += _value_problems(declared[key], value, where.at(key), noun)
            continue
        near = close_matches(str(key), declared)
        hint = f"did you mean {near[0]!r}?" if near else f"it has: {', '.join(sorted(declared)) or 'none'}"
        out.append(Diagnostic("MLD102", f"{owner} has no {noun} {key!r}", where.at(key, True), hint))
    for p in params:
        if p.required and p.name not in values:
            out.append(Diagnostic("MLD103", f"{noun} {p.name!r} is required and not given", Span(where.shown), usage))
    return sorted(out, key=lambda d: (d.span.line, d.span.col))


def _value_problems(p: Param, value: Any, at: Span, noun: str = "param") -> list[Diagnostic]:
    """A value as the file types it (YAML's, as in a document: ``"true"`` is no bool), by the rules of a literal.

    ``run`` and ``submit`` read the file as ``-p`` text and so take ``flag: "true"``; what validate accepts, they
    accept too. A local path for an artifact is what ``run`` takes and ``submit`` does not: a warning."""
    if p.type.kind == "artifact" and isinstance(value, str) and not ARTIFACT_URI.match(value):
        why = f"{noun} {p.name!r}: {value!r} is no URI: `mldsl run` reads it as a local path, `mldsl submit` cannot"
        return [Diagnostic("MLD308", why, at, "on a cluster, give a URI: s3://bucket/key, gs://..., https://...", "warning")]
    out = []
    for problem in check_value(p, value):
        code, hint = code_of(problem)
        said = problem if p.type.kind == "artifact" else f"{problem}; {allowed(p)}"
        out.append(Diagnostic(code, f"{noun} {p.name!r}: {said}", at, hint))
    return out


def _usage(name: str) -> str:
    return f"add it to the file, or give it with -p when running: mldsl run . --pipeline {name} --params-file FILE -p NAME=VALUE"


def project_of(path: Path) -> Path:
    """The project a params file belongs to: the folder of the nearest mldsl.yaml above it; for a download kept
    outside any project (~/Downloads), the project of the current folder; else the file's folder."""
    found = find_project_file([path]) or find_project_file([Path.cwd()])
    return (found.parent if found is not None else path.parent).resolve()


def validate_with_params(paths: tuple[Path, ...], fmt: str) -> None:
    """``mldsl validate`` when a form's download is among ``paths``: the documents as ever, and each download
    against its pipeline or module (its project compiled as ``run`` would, with the built-in library for a
    module's block); exit 1 on any error."""
    kinds = {p: form_file_of(p) for p in paths}
    files = [(p, kind) for p, kind in kinds.items() if kind is not None]
    docs = [p for p, kind in kinds.items() if kind is None]
    result = compile_project(docs) if docs else None
    diags: list[Diagnostic] = list(result.diagnostics) if result else []
    notes = [summary(result, [])] if result and result.ok else []
    projects: dict[tuple[Path, str], CompileResult] = {}  # (root, kind) -> its compile: downloads of one project share it
    for f, (kind, name) in files:
        if kind == "pipeline" and result is not None and result.ok and any(p.name == name for p in result.program.pipelines):
            # `validate PROJECT DOWNLOAD`: checked against the pipeline given beside it
            project, root = result, docs[0].resolve() if docs[0].is_dir() else docs[0].resolve().parent
        else:
            root = project_of(f)
            if (root, kind) not in projects:
                projects[root, kind] = compile_project([root] if kind == "pipeline" else [root, builtin_modules_dir()])
            project = projects[root, kind]
        checker = check if kind == "pipeline" else check_with
        found = project.diagnostics if not project.ok else checker(f, str(f), project.program, name)
        diags += found
        if not any(d.severity == "error" for d in found):
            notes.append(_ok_note(f, kind, name, root))
    errors = sum(1 for d in diags if d.severity == "error")
    shown = {d.span.path for d in diags} | {str(f) for f, _ in files}
    plural = "s" * (errors != 1)
    said = f"mldsl: {errors} error{plural} in {len(shown)} file{'s' * (len(shown) != 1)}" if errors else "\n".join(notes)
    report(diags, fmt, said)
    sys.exit(EXIT_INVALID if errors else EXIT_OK)


def _ok_note(f: Path, kind: str, name: str, root: Path) -> str:
    """What a download that is fine is for, and how to use it."""
    if kind == "module":
        return f"mldsl: {f}: a with: block for module {name} ok; paste it into a step that uses {name}"
    where = "." if root == Path.cwd().resolve() else str(root)
    return f"mldsl: {f}: params of pipeline {name} ok; mldsl run {where} --pipeline {name} --params-file {f}"
