"""What ``mldsl ui`` does, without the HTTP: browse the library, check and save a pipeline, talk to the cluster.

Every answer is plain JSON-ready data. Errors a user can fix are raised as
:class:`RefusedError` with the HTTP status the server answers with.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mldsl.lang.loader import PROJECT_FILE, YAML_SUFFIXES, display_path, find_project_file, find_yaml_files
from mldsl.lang.mtypes import MType, TypeSyntaxError, parse_type
from mldsl.ops.project import UsageError, pick_pipeline
from mldsl.ui.compose import ComposeError, at_fields, documents_in, model_of, pipelines_in, render, yaml_errors
from mldsl.util.atomic import write_atomically

if TYPE_CHECKING:
    from mldsl.compiler import CompileResult, ir
    from mldsl.compiler.ir import Program
    from mldsl.compiler.library import Library
    from mldsl.lang.diagnostics import Diagnostic


class RefusedError(Exception):
    """A request the studio will not carry out, with the HTTP status to answer and what to tell the user."""

    def __init__(self, status: int, message: str, **extra: Any):
        super().__init__(message)
        self.status = status
        self.extra = extra


def token_of(text: str | None) -> str | None:
    """What a file's content was when it was opened (``None``: the file did not exist)."""
    return None if text is None else "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def type_json(t: MType) -> dict[str, Any]:
    """A type as the page's ``assignable`` reads it."""
    out: dict[str, Any] = {"kind": t.kind}
    if t.item is not None:
        out["item"] = type_json(t.item)
    if t.values is not None:
        out["values"] = list(t.values)
    if t.format:
        out["format"] = t.format
    return out


def _param_type(p: dict[str, Any]) -> MType | None:
    try:
        t = parse_type(p["type"])
    except TypeSyntaxError:
        return None
    if t.kind == "enum" and isinstance(p.get("values"), list):
        return MType("enum", values=tuple(p["values"]))
    return t


class Studio:
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
        from mldsl.backends.forms import field

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
                    "inputs": [{**field(p), "type": type_json(p.type), "typeText": str(p.type)} for p in m.inputs],
                    "outputs": [
                        {"name": p.name, "type": type_json(p.type), "typeText": str(p.type), "description": p.description or ""}
                        for p in m.outputs
                    ],
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

    def apply(self) -> dict[str, Any]:
        """``mldsl apply`` of the whole project: every definition, server-side applied."""

        return {"lines": self._apply(self._project().program)}

    def _apply(self, program: Program) -> list[str]:
        """What ``mldsl apply`` does (without ``--wait``), one line per object; runs are not definitions."""
        from mldsl.cluster.kube import ClusterError
        from mldsl.ops.apply import apply_project

        lines: list[str] = []
        try:
            apply_project(program, lambda line, _err: lines.append(line), context=self.context, namespace=self.namespace)
        except ClusterError as exc:
            raise RefusedError(502, str(exc), lines=lines) from None
        return lines

    def _run_request(
        self, body: Any, *, usage: str, missing: str, artifacts: bool
    ) -> tuple[Program, ir.Pipeline, dict[str, str]]:
        """The compiled project, the pipeline a run request names, and its params typed and checked as the CLI
        checks them (``artifacts``: as ``mldsl run`` takes them, local files too)."""
        from mldsl.ops.params import as_pairs, parse_params

        if not isinstance(body, dict) or not isinstance(body.get("params", {}), dict):
            raise RefusedError(400, usage)
        program = self._project().program
        name = body.get("pipeline")
        try:
            pipeline = pick_pipeline(program, name if isinstance(name, str) else repr(name), f"the {missing}")
        except UsageError as exc:
            raise RefusedError(404, str(exc)) from None
        values, problems = parse_params(pipeline, as_pairs(body.get("params", {})), artifacts=artifacts)
        if problems:
            raise RefusedError(422, "; ".join(p.removeprefix("--param ") for p in problems))
        return program, pipeline, values

    def submit(self, body: Any) -> dict[str, Any]:
        """``mldsl submit``: a run of an applied pipeline, params typed and checked first."""
        program, pipeline, values = self._run_request(
            body, usage="give the pipeline and a params object", missing="project", artifacts=False
        )
        return {"workflow": self._submit(program, pipeline, values)}

    def _submit(self, program: Program, pipeline: ir.Pipeline, values: dict[str, str]) -> str:
        from mldsl.cluster.kube import ClusterError
        from mldsl.ops.runs import submit_run

        try:
            return submit_run(program, pipeline, values, context=self.context, namespace=self.namespace)[1]
        except ClusterError as exc:
            raise RefusedError(502, str(exc)) from None

    def launch(self, body: Any) -> dict[str, Any]:
        """Start a sweep: its driver Workflow (grid, random) or its Katib Experiment."""
        from mldsl.cluster.kube import ClusterError
        from mldsl.ops.runs import launch_sweep

        name = body.get("sweep") if isinstance(body, dict) else None
        try:
            return {"started": launch_sweep(self._project().program, name, context=self.context, namespace=self.namespace)}
        except UsageError as exc:
            raise RefusedError(404, str(exc)) from None
        except ClusterError as exc:
            raise RefusedError(502, str(exc)) from None

    # --- runs: the runs panel and the one Run action (issue #14) ------------------------------------

    @property
    def local_runs(self) -> Any:
        from mldsl.ui.runs import LocalRuns

        if getattr(self, "_local_runs", None) is None:
            self._local_runs = LocalRuns(self.source)
        return self._local_runs

    def history(self) -> dict[str, Any]:
        """Local runs (the project's run records, and runs starting) and, when a cluster is set, its mldsl runs."""
        from mldsl.cluster.kube import ClusterError
        from mldsl.cluster.runs import runs_from_environment
        from mldsl.ui.runs import argo_ui_base, cluster_summary

        out: dict[str, Any] = {"local": self.local_runs.list(), "cluster": [], "clusterError": None, "argoUi": argo_ui_base()}
        if cluster_configured()["configured"]:
            try:
                runs = runs_from_environment(self.context, self.namespace, self._project_namespace())
                found = [cluster_summary(wf, out["argoUi"]) for wf in runs.list()]
                out["cluster"] = sorted(found, key=lambda r: (r["started"] or "", r["id"] or ""), reverse=True)[:50]
            except ClusterError as exc:
                out["clusterError"] = str(exc)
        return out

    def run_details(self, run: str | None) -> dict[str, Any]:
        found = self.local_runs.show(run) if run else None
        if found is None:
            raise RefusedError(404, f"no local run {run!r}")
        return dict(found)

    def _project_namespace(self) -> str | None:
        """The Project's namespace (where apply puts templates), compiled again only when mldsl.yaml changes."""
        from mldsl.ops.project import compile_project

        project_file = find_project_file([self.source])
        stamp = project_file.stat().st_mtime_ns if project_file is not None else None
        cached = getattr(self, "_namespace_cache", None)
        if cached is None or cached[0] != stamp:
            cached = (stamp, compile_project([self.source]).program.project.namespace)
            self._namespace_cache = cached
        return cached[1]

    def template_state(self, pipeline: str | None) -> dict[str, Any]:
        """Whether the cluster's copy of a pipeline matches the saved files: unchanged, configured (stale),
        created (not applied yet), or unknown (no Kubernetes API to read it with)."""
        if not cluster_configured()["can_apply"]:  # answered without compiling (a broken project is not the question)
            return dict(UNREADABLE)
        return self._template_state(self._project().program, pipeline)

    def _template_state(self, program: Program, pipeline: str | None) -> dict[str, Any]:
        from mldsl.backends import emit_all
        from mldsl.cluster.kube import Cluster, ClusterError

        if not cluster_configured()["can_apply"]:
            return dict(UNREADABLE)
        template = next(
            (m for m in emit_all(program, ("argo",)) if m.kind == "WorkflowTemplate" and m.body["metadata"]["name"] == pipeline),
            None,
        )
        if template is None:
            raise RefusedError(404, f"no pipeline {pipeline!r} in the saved project")
        try:
            outcome = Cluster.connect(self.context).preview(template.body, namespace=self.namespace or program.project.namespace)
        except ClusterError as exc:
            return {"state": "unknown", "detail": str(exc)}
        return {"state": outcome.action, "detail": outcome.detail}

    def run(self, body: Any) -> dict[str, Any]:
        """One Run action: on this machine (``mldsl run``) or on the cluster (apply when its copy is stale or
        missing, then submit), with the params checked as the CLI checks them."""
        local = isinstance(body, dict) and body.get("where") == "local"
        # one compile serves the check, the comparison, the apply and the submit
        program, pipeline, values = self._run_request(
            body, usage="give the pipeline, the params and where to run", missing="saved project: save it first", artifacts=local
        )
        if local:
            started = self.local_runs.start(pipeline.name, body.get("params", {}))
            return {"lines": [f"started a local run of {pipeline.name} (mldsl run, process {started['pid']})"]}
        if not cluster_configured()["configured"]:
            raise RefusedError(409, "no cluster is configured: run it on this machine, or set ARGO_SERVER or a kubeconfig")
        lines = []
        state = self._template_state(program, pipeline.name)["state"]
        if state in ("created", "configured"):
            lines += [f"the cluster's copy of {pipeline.name} was {'missing' if state == 'created' else 'stale'}:"]
            lines += self._apply(program)
        lines.append(f"workflow/{self._submit(program, pipeline, values)} submitted")
        return {"lines": lines}

    def run_fields(self) -> dict[str, Any]:
        """The params of every pipeline as form fields, for the run panel (from the saved project)."""
        from mldsl.backends.forms import field, run_params
        from mldsl.ops.project import compile_project

        result = compile_project([self.source])
        out: dict[str, list[dict[str, Any]]] = {}
        for p in result.program.pipelines:
            out[p.name] = [field(q) for q in run_params(p)]
        return {"pipelines": out, "sweeps": [s.name for s in result.program.sweeps], "ok": result.ok}


#: the cluster's copy of a pipeline cannot be read: only the Kubernetes API serves it (the Argo Server runs only)
UNREADABLE = {"state": "unknown", "detail": "reading the cluster's copy needs a kubeconfig or an in-cluster account"}


def cluster_configured() -> dict[str, Any]:
    """Whether submit and launch can reach a cluster, and how (without importing the kubernetes client)."""
    configs = [Path(p) for p in os.environ.get("KUBECONFIG", "").split(os.pathsep) if p] or [Path.home() / ".kube" / "config"]
    found = [c for c in configs if c.is_file()]
    # apply talks to the Kubernetes API: the Argo Server alone starts runs but cannot apply (issue #14 U6)
    can_apply = bool(found) or bool(os.environ.get("KUBERNETES_SERVICE_HOST"))
    if os.environ.get("ARGO_SERVER"):
        return {"configured": True, "can_apply": can_apply, "via": f"Argo Server {os.environ['ARGO_SERVER']}"}
    if found:
        return {"configured": True, "can_apply": True, "via": f"kubeconfig {found[0]}"}
    if os.environ.get("KUBERNETES_SERVICE_HOST"):
        return {"configured": True, "can_apply": True, "via": "in-cluster service account"}
    return {"configured": False, "can_apply": False, "via": "no ARGO_SERVER, kubeconfig or in-cluster account"}
