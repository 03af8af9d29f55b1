"""Run a project's pipeline or a plain Argo file on this machine: the use case behind ``mldsl run``, free of click.

``mldsl run PATH`` starts here without importing click (``mldsl/cli/entry.py``; ~13 ms of a run's start); the click
command in ``mldsl/cli/run.py`` calls the same :func:`run_path`. A mistake in the call raises
:class:`UsageError`, which click words as its usage errors.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from importlib import resources
from pathlib import Path
from typing import Any

from mldsl.ops.project import UsageError, pick_pipeline

__all__ = ["UsageError", "run_path"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def echo_err(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def echo_out(text: str) -> None:
    print(text, flush=True)


def param_pairs(params: tuple[str, ...], params_file: Path | None) -> list[str]:
    """``-p`` pairs after a params file's (``-p`` wins), as ``submit`` and ``run`` take them."""
    pairs = list(params)
    if params_file is None:
        return pairs
    import yaml

    loaded = yaml.safe_load(params_file.read_text(encoding="utf-8")) or {}
    if not isinstance(loaded, dict):
        raise UsageError(f"{params_file} must hold a mapping of param names to values")
    from mldsl.ops.params import as_pairs

    given = {p.partition("=")[0] for p in pairs}
    return as_pairs({k: v for k, v in loaded.items() if k not in given}) + pairs


def _approvals(pipeline: Any, given: tuple[str, ...]) -> frozenset[str]:
    """``--approve`` names (a step's name or its task name) -> the step names the manifest's approvals are labelled with."""
    from mldsl.compiler.ir import ApproveRun, step_key

    steps = {s.name for s in pipeline.steps if isinstance(s.module.run, ApproveRun)}
    by_key = {step_key(s): s for s in steps}
    out = set()
    for g in given:
        key = g if g in steps else by_key.get(g)
        if key is None:
            raise UsageError(
                f"--approve {g}: {pipeline.name} has no approve: step {g!r} (approve: steps: {', '.join(steps) or 'none'})"
            )
        out.add(key)
    return frozenset(out)


def run_path(
    path: Path,
    name: str | None,
    params: tuple[str, ...],
    params_file: Path | None,
    executor: str,
    no_cache: bool,
    parallel: int | None,
    approvals: tuple[str, ...],
    manifests: tuple[Path, ...],
    fmt: str,
) -> None:
    """Run a pipeline on this machine by executing its compiled workflow (records it in .mldsl/runs).

    PATH may also be a plain Argo Workflow, WorkflowTemplate or CronWorkflow file."""
    from mldsl.runner.plain import is_argo_file

    if is_argo_file(path):
        _run_plain(path, name, param_pairs(params, params_file), parallel, no_cache, manifests, fmt, approvals)
        return
    from mldsl.runner import zygote

    if executor == "process":
        zygote.prestart()  # the interpreter python steps fork from starts while the project compiles
    from mldsl.backends import emit_all
    from mldsl.lang.diagnostics import Diagnostic, Span
    from mldsl.ops.params import parse_params
    from mldsl.ops.project import EXIT_INVALID, compile_result, report, summary
    from mldsl.runner.base import Options
    from mldsl.runner.mounts import Mounts
    from mldsl.runner.session import Runner, RunRefusedError, local_code, prepare
    from mldsl.runner.store import find_store
    from mldsl.runner.view import make_view

    result = compile_result((path,))
    if not result.ok:  # the diagnostics, as validate prints them
        report(result.diagnostics, "json" if fmt == "json" else "text", summary(result, []))
        sys.exit(EXIT_INVALID)
    program = result.program
    pipeline = pick_pipeline(program, name, str(path))
    name = pipeline.name
    approved = _approvals(pipeline, approvals)
    values, problems = parse_params(pipeline, param_pairs(params, params_file), artifacts=True)
    if problems:
        diags = [
            Diagnostic("MLD308", p, Span("--param"), hint=f"see the params of {name} in {pipeline.source}") for p in problems
        ]
        report(
            diags,
            "json" if fmt == "json" else "text",
            f"mldsl: {len(problems)} error{'s' if len(problems) != 1 else ''}; nothing ran",
        )
        sys.exit(EXIT_FAILED)
    # the very object `compile` writes: its file is yamlout.dump of this dict, which reads back equal (plain str,
    # int, bool, list and dict; tests/test_run_speed.py holds it to that). A JSON copy, not a YAML round trip of
    # every manifest (4 s at 10,000 steps), so that nothing the run does reaches the compiler's structures.
    manifest = next((m for m in emit_all(program) if m.kind == "WorkflowTemplate" and m.name == name), None)
    if manifest is None:
        raise UsageError(f"pipeline {name!r} compiled to no WorkflowTemplate")
    template = json.loads(json.dumps(manifest.body))
    project = program.project
    store = find_store(Path(project.root) if project.root else path)
    mounts = Mounts()
    if project.artifact_bucket:  # the artifact repository: kept in .mldsl/artifacts
        bucket = project.artifact_bucket.rstrip("/")
        mounts.add(bucket if "://" in bucket else f"s3://{bucket}", store.artifacts / bucket.split("://")[-1])
    for prefix, folder in project.local_mounts:
        mounts.add(prefix, Path(folder))
    code = local_code([(m.name, m.version, m.local.folder, m.local.mount) for m in program.modules if m.local is not None])
    secrets = {k: v for k, v in os.environ.items() if k.startswith("MLDSL_SECRET_")}
    options = Options(parallel or os.cpu_count() or 1, not no_cache, executor, code, secrets, approved)
    artifact_params = {p.name for p in pipeline.params if p.type.kind == "artifact"}
    missing = notebook_tools_missing(pipeline) if executor == "process" else []
    if missing:  # before any step runs (a Spark step before the notebook may take minutes)
        echo_err(f"mldsl run: notebook steps run here with {', '.join(missing)}, not installed: pip install 'mldsl[notebook]'")
        echo_err("mldsl run: 1 problem; nothing ran")
        sys.exit(EXIT_FAILED)
    try:
        prep = prepare(template["spec"], name, values, artifact_params, mounts, options, store, project.namespace or "default")
    except RunRefusedError as exc:
        for p in exc.problems:
            echo_err(f"mldsl run: {p}")
        echo_err(f"mldsl run: {len(exc.problems)} problem{'s' if len(exc.problems) != 1 else ''}; nothing ran")
        sys.exit(EXIT_FAILED)
    runner: Any = None
    from mldsl.compiler.ir import NotebookRun, step_key

    step_names = {step_key(s.name): s.name for s in (*pipeline.steps, *pipeline.exit_steps)}
    if pipeline.on_exit is not None:
        step_names["notify"] = "notify"  # the one-module exit handler's task (backends/argo/workflow.py)
    view = make_view(sys.stderr.isatty() and fmt == "text", lambda: runner.execution if runner is not None else None, step_names)
    if sys.stdin.isatty() and sys.stderr.isatty():  # approvals not given up front are asked here
        from mldsl.runner.ask import TerminalApprover

        options.ask = TerminalApprover(pause=getattr(view, "paused", None))
    # declared kinds: the record shows a str param or output as the text it is (never read as a number)
    prep.param_kinds = {p.name: p.type.kind for p in pipeline.params}
    prep.output_kinds = {name: v.type.kind for name, v in pipeline.outputs if hasattr(v, "type")}
    prep.step_kinds = {
        step_key(s.name): {o.name: o.type.kind for o in s.module.outputs} for s in (*pipeline.steps, *pipeline.exit_steps)
    }
    prep.notebooks = {
        step_key(s.name): (s.module.run.file, tuple(o.name for o in s.module.outputs if o.type.format == "html"))
        for s in (*pipeline.steps, *pipeline.exit_steps)
        if isinstance(s.module.run, NotebookRun)
    }
    runner = Runner(prep, view, step_names)
    # a module's traceback is mapped back to its own file: the project's python files and the built-in modules'
    sources = [Path(project.root) if project.root else path.parent, Path(str(resources.files("mldsl.modules")))]
    _run_and_report(runner, view, store, fmt, sources)


def notebook_tools_missing(pipeline: Any) -> list[str]:
    """What this machine lacks to run the pipeline's notebook steps with a local kernel (SPEC §1.12)."""
    import importlib.util

    from mldsl.compiler.ir import NotebookRun

    needed: set[str] = set()
    for step in (*pipeline.steps, *pipeline.exit_steps):
        run = getattr(getattr(step, "module", None), "run", None)
        if isinstance(run, NotebookRun):
            needed |= {"papermill", "ipykernel"}
            if any(o.type.format == "html" for o in step.module.outputs):
                needed.add("nbconvert")
    return sorted(n for n in needed if importlib.util.find_spec(n) is None)


def _run_and_report(runner: Any, view: Any, store: Any, fmt: str, sources: list[Path] | None = None) -> None:
    """Run with its live view (a table on a terminal, a line per change elsewhere), save the record, report it
    (the record as JSON, or a summary), and exit 0 when it succeeded."""
    from mldsl.ops import tracebacks
    from mldsl.runner.view import Lines, wait_loop

    if isinstance(view, Lines):
        echo_err(f"mldsl run: {runner.run_id} in {runner.folder}")
    runner.start()
    stop = threading.Event()
    writer = threading.Thread(target=_record_as_it_goes, args=(runner, store, stop), daemon=True)
    writer.start()
    finished = wait_loop(runner)
    stop.set()
    writer.join()
    view.close(runner.execution)
    record = runner.save()
    if not finished:
        record["status"] = "Failed"
        record["message"] = "stopped (Ctrl-C)"
        store.write_record(runner.folder, record)
    elif sources and record["status"] != "Succeeded" and tracebacks.annotate_failures(record, runner.folder, sources, sources[0]):
        store.write_record(runner.folder, record)
    _report(record, runner.folder, fmt)


#: seconds between two writes of a running run's record
PROGRESS_EVERY = 1.0


def _record_as_it_goes(runner: Any, store: Any, stop: threading.Event) -> None:
    """Write the record again every PROGRESS_EVERY seconds while the run goes (issue #30 M2): its readers (the
    UI's runs panel, ``mldsl runs show``) see each step's phase and time before the end, not only after."""
    while not stop.wait(PROGRESS_EVERY):
        try:
            record = runner.record()
        except RuntimeError:  # a step's node was added while the record was read: the next tick has it
            continue
        store.write_record(runner.folder, record)


def _report(record: dict[str, Any], folder: Path, fmt: str) -> None:
    if fmt == "json":
        echo_out(json.dumps(record, indent=2, ensure_ascii=False))
    else:
        _summary(record, folder)
    sys.exit(EXIT_OK if record["status"] == "Succeeded" else EXIT_FAILED)


def _run_plain(
    path: Path,
    name: str | None,
    pairs: list[str],
    parallel: int | None,
    no_cache: bool,
    search: tuple[Path, ...],
    fmt: str,
    approvals: tuple[str, ...] = (),
) -> None:
    """``mldsl run`` of a plain Argo file: its neighbours as on a cluster, Argo's checks first, then the run."""
    from mldsl.argo.validate import validate_workflow
    from mldsl.runner.argofiles import ArgoFileError, load
    from mldsl.runner.base import Options
    from mldsl.runner.mounts import Mounts
    from mldsl.runner.plain import prepare_plain, referenced_templates, refusals
    from mldsl.runner.session import Runner
    from mldsl.runner.store import find_store

    def fail(code: int, lines: list[str]) -> None:
        for line in lines:
            echo_err(f"mldsl run: {line}")
        sys.exit(code)

    try:
        loaded = load(path, search=search, name=name)
        given = dict(p.partition("=")[::2] for p in pairs)
        bad = [p for p in pairs if "=" not in p]
        if bad:
            fail(EXIT_USAGE, [f"-p {b}: expected name=value" for b in bad])
        values = loaded.arguments(given)
    except ArgoFileError as exc:
        where = f"{exc.path}:{exc.line}:{exc.column}: " if exc.line else f"{exc.path}: "
        fail(EXIT_USAGE, [f"{where}{exc}" + (f" (hint: {exc.hint})" if getattr(exc, "hint", "") else "")])
    spec = loaded.workflow["spec"]

    def template_ref(wft: str, template: str, cluster: bool) -> dict[str, Any]:
        try:
            return loaded.template_ref(wft, template, cluster)
        except ArgoFileError as exc:
            raise LookupError(str(exc).splitlines()[0]) from None

    def lookup_object(kind: str, obj_name: str) -> dict[str, Any] | None:
        try:
            return loaded.workflow_template(obj_name, kind == "ClusterWorkflowTemplate")
        except ArgoFileError:
            return None

    refused = refusals(spec, referenced_templates(spec, template_ref))
    if refused:
        fail(EXIT_USAGE, [*(str(r) for r in refused), f"{len(refused)} reason{'s' if len(refused) != 1 else ''}; nothing ran"])
    store = find_store(path.parent)
    mounts = Mounts()
    try:
        repo = loaded.artifact_repository(spec.get("artifactRepositoryRef") or None) or {}
    except ArgoFileError:  # no such ConfigMap here: this machine's repository stands in for it
        repo = {}
    bucket = str((repo.get("s3") or {}).get("bucket") or "default")
    mounts.add(f"s3://{bucket}", store.artifacts / bucket)
    options = Options(
        parallel or os.cpu_count() or 1,
        not no_cache,
        "process",
        approve=frozenset(approvals),  # a suspend step by its name (--approve STEP)
        pod_roots=True,
        default_bucket=bucket,
    )
    wf_name = str(loaded.workflow["metadata"].get("name") or "workflow")
    prep = prepare_plain(loaded, values, mounts, options, store, wf_name, template_ref, given)
    problems = validate_workflow(loaded.submitted, lookup_object)
    from mldsl.runner.view import make_view

    runner: Any = None
    view = make_view(sys.stderr.isatty() and fmt == "text", lambda: runner.execution if runner is not None else None, {})
    if sys.stdin.isatty() and sys.stderr.isatty():  # a suspend not approved up front is asked here
        from mldsl.runner.ask import TerminalApprover

        options.ask = TerminalApprover(pause=getattr(view, "paused", None))
    runner = Runner(prep, view)
    if problems:  # the controller refuses the spec: the workflow is Failed, nothing ran (operator.go l. 4521-4533)
        runner.execution.status = "Failed"
        runner.execution.message = "invalid spec: " + "; ".join(problems)
        runner.finished = runner.started
        _report(runner.save(), runner.folder, fmt)
    _run_and_report(runner, view, store, fmt)


def _summary(record: dict[str, Any], folder: Path) -> None:
    """The end of a run, for people: status, outputs, and a failed step's log tail."""

    from mldsl.runner.wording import plain

    def echo(s: str = "") -> None:
        echo_out(s)  # the result on stdout (`> log` keeps it), the progress before it on stderr (#30 m11)

    echo(f"run {record['run']}: {record['status']} in {record['duration']:.1f}s")
    if record.get("message") and record["status"] != "Succeeded":
        echo(f"  {plain(record['message'])}")
    for k, v in record.get("outputs", {}).items():
        echo(f"  output {k}: {v if isinstance(v, str) else json.dumps(v)}")
    for kind in ("steps", "on_exit"):
        for step, s in record.get(kind, {}).items():
            if " written to " in s.get("message", ""):
                echo(f"  {step}: {s['message']} (not applied: a local run deploys nothing)")
            for node in [s, *s.get("items", [])]:
                if node.get("phase") in ("Failed", "Error") and node.get("log"):
                    from mldsl.runner.store import log_tail

                    log = folder / node["log"]
                    tail = log_tail(log, 15)  # read from the end: a 400 MB log costs 64 KiB
                    label = step + (f"({node['item']})" if "item" in node else "")
                    echo(f"--- {label}: {plain(node.get('message', node['phase']))}; last lines of {log}:")
                    for line in tail:
                        echo(f"    {line}")
    echo(f"record: {folder / 'run.json'}")
