"""What ``mldsl ui`` does, without the HTTP: browse the library, check and save a pipeline, talk to the cluster.

Every answer is plain JSON-ready data. Errors a user can fix are raised as
:class:`RefusedError` with the HTTP status the server answers with.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mldsl.lang.loader import PROJECT_FILE, YAML_SUFFIXES, display_path, find_project_file, find_yaml_files
from mldsl.lang.mtypes import MType, TypeSyntaxError, parse_type
from mldsl.ui.called import called, input_json, output_json, type_json
from mldsl.ui.compose import ComposeError, at_fields, documents_in, model_of, pipelines_in, render, yaml_errors
from mldsl.ui.page import shown_path
from mldsl.ui.studio_cluster import RefusedError, StudioCluster, cluster_configured
from mldsl.util.atomic import write_atomically

if TYPE_CHECKING:
    from mldsl.compiler import CompileResult
    from mldsl.compiler.library import Library
    from mldsl.lang.diagnostics import Diagnostic


def token_of(text: str | None) -> str | None:
    """What a file's content was when it was opened (``None``: the file did not exist)."""
    return None if text is None else "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def _param_type(p: dict[str, Any]) -> MType | None:
    try:
        t = parse_type(p["type"])
    except TypeSyntaxError:
        return None
    if t.kind == "enum" and isinstance(p.get("values"), list):
        return MType("enum", values=tuple(p["values"]))
    return t


class Studio(StudioCluster):
    """One project folder, as the composer sees it."""

    def __init__(self, path: Path, *, context: str | None = None, namespace: str | None = None):
        project_file = find_project_file([path])
        self.source = path.resolve()
        self.root = project_file.parent.resolve() if project_file is not None else self.source
        self.has_project = project_file is not None
        self.context = context
        self.namespace = namespace
        self.lock = threading.Lock()  # one save at a time: the conflict check and the write are one step
        self._library: Library | None = None

    # --- paths -------------------------------------------------------------------------------

    def target(self, rel: Any) -> Path:
        """The file ``rel`` names, refused unless it is a YAML file inside the project."""
        if not isinstance(rel, str) or not rel.strip() or "\0" in rel:
            raise RefusedError(400, "give the file to save to, relative to the project", field="path")
        given = Path(rel.strip())
        if given.is_absolute():
            raise RefusedError(400, f"{rel} is absolute: give a path relative to the project ({self.root})", field="path")
        full = (self.root / given).resolve()
        if not full.is_relative_to(self.root):
            raise RefusedError(403, f"{rel} is outside the project ({self.root}): refused", field="path")
        inside = full.relative_to(self.root)
        if any(part.startswith(".") for part in inside.parts):
            raise RefusedError(403, f"{rel} is in a hidden folder or is a hidden file: refused", field="path")
        if full.suffix not in YAML_SUFFIXES:
            raise RefusedError(400, f"{rel} must end in .yaml or .yml", field="path")
        if full.name == PROJECT_FILE:
            raise RefusedError(403, f"{PROJECT_FILE} is the Project file: save pipelines elsewhere", field="path")
        return full

    def rel(self, path: Path) -> str:
        return path.resolve().relative_to(self.root).as_posix()

    def _read(self, path: Path) -> str | None:
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise RefusedError(422, f"cannot read {self.rel(path)}: {exc}", field="path") from None

    # --- the library ---------------------------------------------------------------------------

    def library(self, reload: bool = False) -> Library:
        from mldsl.compiler.library import load_library

        if self._library is None or reload:
            self._library = load_library([self.source])
        return self._library

    def modules(self) -> dict[str, Any]:
        """Every module in scope, grouped by name, with every version's inputs and outputs."""
        lib = self.library(reload=True)
        grouped: dict[str, list[dict[str, Any]]] = {}
        for e in lib.entries:
            m = e.module
            grouped.setdefault(m.name, []).append(
                {
                    "key": m.key,
                    "version": m.version,
                    "description": m.description or "",
                    "origin": e.origin,
                    "source": e.source,
                    "run": type(m.run).__name__.removesuffix("Run").lower(),
                    "inputs": [input_json(p) for p in m.inputs],
                    "outputs": [output_json(p.name, p.type, p.description) for p in m.outputs],
                }
            )
        return {
            "modules": [{"name": name, "versions": versions} for name, versions in sorted(grouped.items())],
            "problems": [d.to_json() for d in lib.diagnostics],
        }

    # --- the project's files ---------------------------------------------------------------------

    def files(self) -> dict[str, Any]:
        """The pipelines and sweeps in the project, and whether a cluster is configured."""
        pipelines, sweeps = [], []
        for f in find_yaml_files(self.root):
            if not f.resolve().is_relative_to(self.root):
                continue  # a symlink to a file outside the project: not the project's to show or open
            text = self._read(f) or ""
            if "mldsl/" not in text:
                continue
            for doc in documents_in(text):
                entry = {"path": self.rel(f), "name": str((doc.get("metadata") or {}).get("name", ""))}
                if doc.get("kind") == "Pipeline":
                    pipelines.append(entry)
                elif doc.get("kind") == "Sweep":
                    spec = doc.get("spec") or {}
                    sweeps.append({**entry, "pipeline": str(spec.get("pipeline", "")), "strategy": str(spec.get("strategy", ""))})
        return {
            "root": str(self.root),
            "shown_root": shown_path(self.root),  # ~/... under home: what the header shows
            "project": self.has_project,
            "pipelines": pipelines,
            "sweeps": sweeps,
            "cluster": cluster_configured(),
        }

    def open(self, rel: Any, name: str | None = None) -> dict[str, Any]:
        path = self.target(rel)
        text = self._read(path)
        if text is None:
            raise RefusedError(404, f"no file {rel} in the project", field="path")
        found = pipelines_in(text)
        if name:
            found = [d for d in found if (d.get("metadata") or {}).get("name") == name]
        if not found:
            errors = yaml_errors(text, self.rel(path))
            if errors:
                raise RefusedError(422, f"{rel} cannot be read: {errors[0].render()}", field="path")
            raise RefusedError(422, f"{rel} holds no Pipeline" + (f" named {name!r}" if name else ""), field="path")
        model = model_of(found[0])
        return {"path": self.rel(path), "token": token_of(text), "original": model["name"], "model": model}

    # --- checking and saving ---------------------------------------------------------------------

    def _path(self, body: Any) -> Path:
        if not isinstance(body, dict):
            raise RefusedError(400, "the request must be a JSON object")
        return self.target(body.get("path"))

    @staticmethod
    def _render(body: dict[str, Any], existing: str | None) -> str:
        """The file's new text: the opened file with the pipeline replaced, or a new file (no token)."""
        try:
            return render(body.get("model"), existing if body.get("token") else None, body.get("original"))
        except ComposeError as exc:
            raise RefusedError(400, str(exc)) from None

    def _compile(self, path: Path, text: str) -> CompileResult:
        from mldsl.ops.project import compile_project

        return compile_project([self.source], unsaved={path: text})

    def _report(self, path: Path, text: str, model: dict[str, Any], result: CompileResult) -> dict[str, Any]:
        mine: list[Diagnostic] = []
        elsewhere: list[Diagnostic] = []
        for d in result.diagnostics:
            (mine if Path(d.span.path).resolve() == path else elsewhere).append(d)
        fields = at_fields(text, display_path(path), model["name"], mine)
        lib = self.library()
        resolved: dict[str, Any] = {}
        for s in model["steps"]:
            found = lib.resolve(s["uses"], path.parent) if s["uses"] else None
            resolved[s["name"]] = (
                {"key": found.key} if found is not None and not isinstance(found, Exception) else {"error": str(found or "")}
            )
        for name, module in called(model["steps"], result.program.pipelines).items():
            resolved[name] = {"key": module["key"], "pipeline": module}  # issue #30 M9: typed as the compiler does
        params = {}
        for p in model["params"]:
            t = _param_type(p)
            if t is not None:
                params[p["name"]] = type_json(t)
        errors = len([d for d in mine if d.severity == "error"])
        compiled = next(
            (p for p in result.program.pipelines if p.name == model["name"] and Path(p.source).name == path.name), None
        )
        dag = None
        on_exit = None
        if compiled is not None:
            from mldsl.compiler.summary import pipeline as summarize
            from mldsl.review.graph import edges, exit_label

            summary = summarize(compiled)
            dag = [list(e) for e in edges(summary["steps"])]
            on_exit = exit_label(summary["on_exit"]) if "on_exit" in summary else None
        return {
            "path": self.rel(path),
            "yaml": text,
            "edges": dag,
            "onExit": on_exit,
            "errors": errors,
            "fields": {k: [d.to_json() for d in v] for k, v in fields.items()},
            "elsewhere": [d.to_json() for d in elsewhere if d.severity == "error"],
            "resolved": resolved,
            "paramTypes": params,
            "order": [s.name for s in compiled.steps] if compiled is not None else None,
        }

    def check(self, body: Any) -> dict[str, Any]:
        """The YAML the composer's pipeline makes, and the compiler's diagnostics at its fields."""
        path = self._path(body)
        text = self._render(body, self._read(path))
        return self._report(path, text, body["model"], self._compile(path, text))

    def save(self, body: Any) -> dict[str, Any]:
        """Write the pipeline into its file, atomically; refused when the file changed since it was opened."""
        with self.lock:
            path = self._path(body)
            current = self._read(path)
            token = body.get("token")
            if token is None and current is not None:
                raise RefusedError(
                    409, f"{self.rel(path)} already exists: open it to edit it, or choose another file name", field="path"
                )
            if token is not None and token != token_of(current):
                what = "was deleted" if current is None else "changed on disk"
                raise RefusedError(
                    409,
                    f"{self.rel(path)} {what} since you opened it; nothing was written",
                    conflict=True,
                    field="path",
                    **self._merge(path, body, current),
                )
            text = self._render(body, current)
            report = self._report(path, text, body["model"], self._compile(path, text))
            if report["errors"]:
                raise RefusedError(422, f"{report['errors']} problem(s) to fix first; nothing was written", report=report)

            def unchanged() -> None:  # the compile took a while: an edit made meanwhile must not be lost
                now = self._read(path)
                if token_of(now) != token_of(current):
                    what = "was deleted" if now is None else "changed on disk"
                    raise RefusedError(
                        409, f"{self.rel(path)} {what} while it was checked; nothing was written", conflict=True, field="path"
                    )

            write_atomically(path.parent, [(path.name, text)], precondition=unchanged)
            return {**report, "token": token_of(text), "original": body["model"]["name"], "saved": True}

    def _merge(self, path: Path, body: Any, current: str | None) -> dict[str, Any]:
        """What a conflict offers besides dropping one's changes (issue #14 U16): this pipeline written over the
        file as it now is (its other documents and lines as on disk), as a diff to read, and the token that
        saves exactly that."""
        import difflib

        if current is None:
            return {"diskToken": None, "diff": ""}
        try:
            merged = self._render(body, current)
        except RefusedError:  # the pipeline is no longer in the file: it can only be saved as a copy
            return {"diskToken": None, "diff": ""}
        rel = self.rel(path)
        lines = difflib.unified_diff(
            current.splitlines(keepends=True), merged.splitlines(keepends=True), f"{rel} (on disk)", f"{rel} (yours)"
        )
        return {"diskToken": token_of(current), "diff": "".join(lines)}

    # --- the cluster ------------------------------------------------------------------------------

    def _project(self) -> CompileResult:
        from mldsl.ops.project import compile_project

        result = compile_project([self.source])
        errors = [d for d in result.diagnostics if d.severity == "error"]
        if errors:
            raise RefusedError(
                422,
                f"{len(errors)} error(s) in the project; fix them first: " + "; ".join(d.render() for d in errors),
                problems=[d.to_json() for d in errors],
            )
        return result
