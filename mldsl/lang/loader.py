"""Read files into typed documents: paths → YAML documents → pydantic models.

The loader never raises for bad input: every problem becomes a diagnostic and
the documents that did validate are still returned, so later passes can report
their own errors too.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mldsl.lang.diagnostics import Diagnostic, Diagnostics, Span
from mldsl.lang.paramsfile import values_not_document

# the files' ground floor, re-exported (``X as X``): the compiler and the apps read these names here
from mldsl.lang.sourcefiles import PROJECT_FILE as PROJECT_FILE
from mldsl.lang.sourcefiles import YAML_SUFFIXES as YAML_SUFFIXES
from mldsl.lang.sourcefiles import builtin_modules_dir as builtin_modules_dir
from mldsl.lang.sourcefiles import display_path as display_path
from mldsl.lang.sourcefiles import find_project_file as find_project_file
from mldsl.lang.sourcefiles import find_yaml_files as find_yaml_files
from mldsl.lang.sourcefiles import names_in_text as names_in_text
from mldsl.lang.sourcefiles import read_source as read_source
from mldsl.lang.sourcefiles import real_path as real_path
from mldsl.lang.sourcefiles import safely as safely
from mldsl.lang.yamlsource import Positions, YamlDocument, load_yaml_text

API_VERSION = "mldsl/v1"


@dataclass
class Loaded:
    """A validated document with where it came from."""

    kind: str
    name: str
    model: Any
    source: YamlDocument
    file: Path  # the real file, for paths relative to it
    tier: int  # 0: given on the command line; 1..n: module paths; last: built-in library

    @property
    def version(self) -> str | None:
        return self.model.metadata.version  # type: ignore[no-any-return]


@dataclass
class Workspace:
    project: Loaded | None = None
    project_root: Path | None = None
    documents: list[Loaded] = field(default_factory=list)
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    #: text to read instead of the file on disk, by resolved path (an editor's unsaved buffer)
    unsaved: dict[Path, str] = field(default_factory=dict)
    #: (kind, name) of documents that did not validate (their errors are reported): what refers to them is
    #: not reported again as "not found"
    broken: set[tuple[str, str]] = field(default_factory=set)
    #: files whose YAML could not be read past a syntax error and whose documents' names could not be made out
    #: either: a name not found may be in one of them, so "not found" would be a cascade of that error
    unparsed: list[Path] = field(default_factory=list)
    #: the tier of the built-in library when it is read on demand (a folder per module name), else None
    library_tier: int | None = None
    library_read: set[str] = field(default_factory=set)
    #: the project's folder (without mldsl.yaml: the folder that holds what was given), for relative names
    root: Path | None = None
    #: folders whose files documents may read (``file:``, ``uses: ./x.yaml``, ``local:``): the root, the
    #: module paths, the built-in library and the folders of files named on the command line
    readable: list[Path] = field(default_factory=list)

    def refuses(self, path: Path) -> str | None:
        """Why a document may not read ``path`` (None when it may).

        A pull request must not be able to pull a CI runner's files (``../.git/config`` holds the checkout's
        token) into manifests or diagnostics: the real path, links followed, must lie in a readable folder and
        not in a hidden file or folder below it.
        """
        try:
            real = path.resolve()
        except (OSError, RuntimeError, ValueError):  # a link loop, a NUL in the name: reading it fails and says so
            return None
        why = "it is outside the project"
        for folder in self.readable:  # the built-in library may sit below the root, in a hidden .venv
            if real.is_relative_to(folder):
                if not any(part.startswith(".") for part in real.relative_to(folder).parts):
                    return None
                why = "it is a hidden file or in a hidden folder"
        return why

    def relative_name(self, path: Path) -> str:
        """``path`` relative to the project's folder: never absolute, the same from any working directory."""
        real = real_path(path)
        if self.root is not None and real.is_relative_to(self.root):
            return real.relative_to(self.root).as_posix()
        return real.name

    def of_kind(self, kind: str, tier: int | None = None) -> list[Loaded]:
        return [d for d in self.documents if d.kind == kind and (tier is None or d.tier == tier)]

    def reported(self, kind: str, name: str) -> bool:
        """Whether a ``kind`` named ``name`` that was not found may be a document whose errors are already reported
        (it did not validate, or its file did not parse): a reference to it is then no error of its own."""
        return (kind, name) in self.broken or bool(self.unparsed)


def builtin_module_names() -> list[str]:
    """The built-in modules' names: each lives in a folder of its name (``tests/test_builtin_modules.py``)."""
    root = builtin_modules_dir()
    return sorted(p.name for p in root.iterdir() if p.is_dir() and find_yaml_files(p))


#: a module's name (a DNS-1123 label): the only text the built-in library's folder is looked up by
_MODULE_NAME = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")


def load_builtin_module(ws: Workspace, name: str) -> list[Loaded]:
    """Read the built-in module ``name`` (every version) into ``ws``, once; [] when there is none."""
    if ws.library_tier is None or name in ws.library_read:
        return []
    ws.library_read.add(name)
    if not _MODULE_NAME.fullmatch(name):  # not a module's name: never a path (`..`, 5,000 characters, a NUL)
        return []
    folder = builtin_modules_dir() / name
    if not folder.is_dir():
        return []
    docs = [d for f in find_yaml_files(folder) for d in load_file(f, ws.library_tier, ws) if d.kind == "Module"]
    ws.documents.extend(docs)
    return docs


#: what stops the YAML reader: no document after it is read (MLD002 invalid YAML, MLD005 nested too deep)
_UNREADABLE = ("MLD002", "MLD005")


def load_file(path: Path, tier: int, ws: Workspace, *, explicit: bool = True) -> list[Loaded]:
    """Validate every document of ``path``; ``explicit`` is false for files found by walking a folder."""
    shown = display_path(path)
    unsaved = ws.unsaved.get(real_path(path)) if ws.unsaved else None  # resolve only for an editor's buffers
    if unsaved is not None:
        text = unsaved
    else:
        read, problem = read_source(path, shown)
        if problem is not None:
            ws.diagnostics.add(problem)
            return []
        text = read or ""
    docs, diags = load_yaml_text(text, shown)
    ws.diagnostics.extend(diags)
    if any(d.code in _UNREADABLE for d in diags):  # the documents past the error are lost: their names are not
        named, every = names_in_text(text)
        ws.broken.update(named)
        if not every:
            ws.unparsed.append(path)
    # a value refused while reading (an unsafe tag, ``!!int abc``) is its own root cause: the model's
    # complaint about the same value (wrong type, bad version) would be a cascade
    refused = {d.span for d in diags if d.code in ("MLD004", "MLD007")}
    out = []
    for doc in docs:
        if not explicit and (not isinstance(doc.data, dict) or ("apiVersion" not in doc.data and "kind" not in doc.data)):
            # found while walking a folder, and plainly not an mldsl document: a CI file, Helm values, or a list
            # or scalar at the top (.pre-commit-hooks.yaml, an Ansible playbook)
            continue
        found = Diagnostics()
        loaded = validate_document(doc, path, tier, found)
        ws.diagnostics.extend(d for d in found.items if d.span not in refused)
        if refused:
            lines = [line for line, _ in doc.positions.values.values()]
            if any(min(lines) <= r.line <= max(lines) for r in refused):
                loaded = None  # not compiled: what uses the refused value would report it again
        if loaded is not None:
            out.append(loaded)
        elif isinstance(doc.data, dict) and isinstance(doc.data.get("metadata"), dict):
            name = doc.data["metadata"].get("name")
            if isinstance(doc.data.get("kind"), str) and isinstance(name, str):
                ws.broken.add((doc.data["kind"], name))
    return out


def _near_miss(api_version: str) -> bool:
    """``mldsl.io/v1``, ``MLDSL/v1``, ``mdsl/v1``: a typo, not another tool's document.

    Skipping it silently would drop the pipeline from the input, and ``apply --prune`` would then delete
    its live object.
    """
    import difflib

    group = api_version.partition("/")[0].lower()
    name = group.split(".")[0]
    return name.startswith("mldsl") or difflib.SequenceMatcher(None, name, "mldsl").ratio() >= 0.8


def validate_document(doc: YamlDocument, file: Path, tier: int, diags: Diagnostics) -> Loaded | None:
    from mldsl.lang.models.checks import KINDS
    from mldsl.lang.suggest import close_matches

    data = doc.data
    pos = doc.positions
    if not isinstance(data, dict):
        diags.error("MLD006", "a document must be a mapping with apiVersion, kind, metadata and spec", pos.span(()))
        return None
    ok = True
    api = data.get("apiVersion")
    if isinstance(api, str) and "/" in api and not api.startswith("mldsl/") and not _near_miss(api):
        return None  # another tool's document (a Kubernetes manifest, a CI file): not ours to judge
    if (values := values_not_document(data, pos)) is not None:
        diags.add(values)  # a form's download, a params file: one error that says so (issue #30 m16)
        return None
    if api != API_VERSION:
        msg = "missing apiVersion" if api is None else f"unsupported apiVersion {api!r}"
        where = pos.span(("apiVersion",)) if api is not None else pos.span(())
        diags.add(Diagnostic("MLD100", msg, where, hint=f"write 'apiVersion: {API_VERSION}'"))
        ok = False
    kind = data.get("kind")
    if not isinstance(kind, str) and kind is not None:
        diags.add(Diagnostic("MLD101", "kind must be a name", pos.span(("kind",)), hint="kinds are " + ", ".join(KINDS)))
        return None
    if kind not in KINDS:
        if kind is None:
            msg, hint = "missing kind", "kinds are " + ", ".join(KINDS)
        else:
            close = close_matches(str(kind), KINDS)
            msg = f"unknown kind {kind!r}"
            hint = f"did you mean {close[0]!r}?" if close else "kinds are " + ", ".join(KINDS)
        diags.add(Diagnostic("MLD101", msg, pos.span(("kind",)) if kind is not None else pos.span(()), hint=hint))
        return None
    model = _validated(kind, data, pos, diags)
    if model is None or not ok:
        return None
    return Loaded(kind, model.metadata.name, model, doc, file, tier)


def _validated(kind: str, data: dict[str, Any], pos: Positions, diags: Diagnostics) -> Any:
    """The document's model, or ``None`` after reporting why not.

    The frozen core schemas validate it without pydantic (``models/fast.py``); a document they refuse, or
    every document when this pydantic-core cannot read them, goes to the pydantic models, whose errors
    become the diagnostics (the same schema: the same documents fail).
    """
    from mldsl.lang.models.core import core
    from mldsl.lang.models.fast import validator

    ValidationError = core.ValidationError  # noqa: N806 - the class, under its name

    fast = validator(kind)
    if fast is not None:
        try:
            return fast.validate_python(data)
        except ValidationError:
            pass
    from mldsl.lang.model_errors import validation_diagnostics
    from mldsl.lang.models.kinds import KIND_MODELS

    model_cls = KIND_MODELS[kind]
    try:
        return model_cls.model_validate(data)
    except ValidationError as exc:
        diags.extend(validation_diagnostics(exc, model_cls, data, pos))
        return None


def _common_folder(paths: list[Path]) -> Path:
    """The deepest folder holding every given path (the working directory when none exists)."""
    folders = [real_path(p) if safely(p.is_dir) else real_path(p).parent for p in paths if safely(p.exists)]
    if not folders:
        return real_path(Path.cwd())
    return Path(os.path.commonpath(folders))


def _refuse_found(ws: Workspace, f: Path, why: str) -> None:
    """A file found by walking a folder that links outside: named, never read (its text is never echoed)."""
    shown = display_path(f)
    ws.diagnostics.error(
        "MLD001",
        f"{shown} is not read: {why}",
        Span(shown),
        hint="files found in a folder must be inside the project; name the file on the command line to read it",
    )


def _given_files(paths: list[Path], ws: Workspace) -> tuple[list[Path], set[Path]]:
    """The YAML files the paths name, then the unsaved new ones: (files, the real paths of those on disk)."""
    given: list[Path] = []
    for p in paths:
        if not safely(p.exists) and real_path(p) in ws.unsaved:
            continue  # a new file, added below
        if not safely(p.exists):
            ws.diagnostics.error("MLD001", f"no such file or folder: {p}", Span(str(p)))
            continue
        files = find_yaml_files(p)
        if safely(p.is_dir) and not files:
            ws.diagnostics.error(
                "MLD001",
                f"no *.yaml or *.yml files in {display_path(p)}",
                Span(display_path(p)),
                hint="give the folder that holds your mldsl documents",
            )
        given.extend(files)
    listed = {real_path(g) for g in given}
    given.extend(sorted(u for u in ws.unsaved if u not in listed))
    return given, listed


def _take_project(ws: Workspace) -> None:
    """The first Project document is the project's; each other one is MLD109."""
    projects = ws.of_kind("Project")
    if projects:
        ws.project = projects[0]
        ws.project_root = real_path(projects[0].file).parent
        for extra in projects[1:]:
            ws.diagnostics.add(
                Diagnostic(
                    "MLD109",
                    "more than one Project document",
                    extra.source.positions.span(()),
                    hint=f"the first is in {ws.project.source.path}; keep one mldsl.yaml per project",
                )
            )


def _load_module_paths(ws: Workspace, seen: set[Path], needs_modules: bool) -> int:
    """Make the project's module paths readable and, when a pipeline may use them, load their modules (a tier
    each, in order); the tier after the last."""
    tier = 1
    if ws.project is None or ws.project_root is None:
        return tier
    spec_paths = ws.project.model.spec.module_paths
    for i, mp in enumerate(spec_paths):
        folder = real_path(ws.project_root / mp)
        if not safely(folder.is_dir):
            ws.diagnostics.add(
                Diagnostic(
                    "MLD001",
                    f"module path {mp!r} is not a folder",
                    ws.project.source.positions.span(("spec", "module_paths", i)),
                    hint=f"looked for {display_path(folder)}",
                )
            )
            continue
        ws.readable.append(folder)  # listing a folder in module_paths is what lets documents read it
        if not needs_modules:
            continue
        for f in find_yaml_files(folder):
            if real_path(f) in seen:
                continue
            seen.add(real_path(f))
            if (why := ws.refuses(f)) is not None:
                _refuse_found(ws, f, why)
                continue
            ws.documents.extend(d for d in load_file(f, tier, ws) if d.kind == "Module")
        tier += 1
    return tier


def load_workspace(
    paths: list[Path], *, with_library: bool = True, all_modules: bool = False, unsaved: dict[Path, str] | None = None
) -> Workspace:
    """Load the given files and folders, the Project and its module paths, and the built-in library.

    ``all_modules`` reads the module paths and the library even without a pipeline (to browse them);
    ``unsaved`` maps files (existing or new) to text that replaces what is on disk.
    """
    ws = Workspace(unsaved={real_path(p): t for p, t in (unsaved or {}).items()})
    seen: set[Path] = set()
    explicit: set[Path] = {real_path(p) for p in paths if safely(p.is_file)} | set(ws.unsaved)
    given, listed = _given_files(paths, ws)
    project_file = find_project_file(paths)
    if project_file is not None and real_path(project_file) not in listed | ws.unsaved.keys():
        given.insert(0, project_file)
    ws.root = real_path(project_file).parent if project_file is not None else _common_folder(paths)
    ws.readable = [ws.root, real_path(builtin_modules_dir())]
    ws.readable += sorted({e.parent for e in explicit if not e.is_relative_to(ws.root)})
    for f in given:
        real = real_path(f)
        if real in seen:
            continue
        seen.add(real)
        if real not in explicit and (why := ws.refuses(f)) is not None:
            _refuse_found(ws, f, why)
            continue
        ws.documents.extend(load_file(f, 0, ws, explicit=real in explicit))
    _take_project(ws)
    # Module paths and the library are read only when a pipeline may use them (fast single-file checks).
    needs_modules = all_modules or bool(ws.of_kind("Pipeline") or ws.of_kind("Sweep"))
    tier = _load_module_paths(ws, seen, needs_modules)
    if with_library and needs_modules and not all_modules:
        ws.library_tier = tier  # read a built-in module's folder when a step names it (compiler.resolve)
    elif with_library and needs_modules:
        for f in find_yaml_files(builtin_modules_dir()):
            if real_path(f) in seen:
                continue
            seen.add(real_path(f))
            ws.documents.extend(d for d in load_file(f, tier, ws) if d.kind == "Module")
    return ws
