"""Run a project's pipeline or a plain Argo file on this machine: the use case behind ``mldsl run``, free of click.

``mldsl run PATH`` starts here without importing click (``mldsl/cli/entry.py``; ~13 ms of a run's start); the click
command in ``mldsl/cli/run.py`` calls the same :func:`run_path`. A mistake in the call raises
:class:`UsageError`, which click words as its usage errors.
"""

from __future__ import annotations

import json
import os
import sys
from importlib import resources
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, NoReturn

from mldsl.ops.local_setup import EXIT_FAILED, EXIT_OK, EXIT_USAGE, describe, echo_err, echo_out, local_setup, step_names
from mldsl.ops.project import UsageError, pick_pipeline

if TYPE_CHECKING:
    from mldsl.runner.argofiles import Loaded

__all__ = ["EXIT_FAILED", "EXIT_OK", "EXIT_USAGE", "UsageError", "echo_err", "echo_out", "run_path"]


def param_pairs(params: tuple[str, ...], params_file: Path | None) -> list[str]:
    """``-p`` pairs after a params file's (``-p`` wins), as ``submit`` and ``run`` take them."""
    pairs = list(params)
    if params_file is None:
        return pairs
    from mldsl.ops.params import as_pairs
    from mldsl.ops.params_file import read  # read as documents are (YAML 1.2): an unquoted date is text, not a crash

    loaded, _ = read(params_file)

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

    PATH may also be a plain Argo Workflow, WorkflowTemplate or CronWorkflow file, or hold a Sweep (and no
    pipeline, or ``--pipeline`` names the sweep): its trials run (``local_sweep.py``)."""
    from mldsl.runner.plain import is_argo_file

    if is_argo_file(path):
        _run_plain(path, name, param_pairs(params, params_file), parallel, no_cache, manifests, fmt, approvals)
        return
    from mldsl.runner import zygote

    if executor == "process":
        zygote.prestart()  # the interpreter python steps fork from starts while the project compiles
    from mldsl.runner.session import Runner

    program = _compiled(path, fmt)
    if program.sweeps and (name in {s.name for s in program.sweeps} or (name is None and not program.pipelines)):
        from mldsl.ops.local_sweep import run_sweep

        run_sweep(program, path, name, param_pairs(params, params_file), parallel, no_cache, executor, fmt)
        return
    pipeline = pick_pipeline(program, name, str(path))
    values = _checked_values(pipeline, param_pairs(params, params_file), fmt)
    template = _template_of(program, pipeline.name)
    store, mounts, options = local_setup(program, path, parallel, no_cache, executor, _approvals(pipeline, approvals))
    _refuse_what_cannot_start(template, pipeline, options)
    prep = _prepared(program, pipeline, template, values, mounts, options, store)
    names = step_names(pipeline)
    view, late = _live_view(fmt, names, options)  # approvals not given up front are asked here
    describe(prep, pipeline)
    runner = late.runner = Runner(prep, view, names)
    # a module's traceback is mapped back to its own file: the project's python files and the built-in modules'
    root = Path(program.project.root) if program.project.root else path.parent
    _run_and_report(runner, view, store, fmt, [root, Path(str(resources.files("mldsl.modules")))])


def _prepared(
    program: Any, pipeline: Any, template: dict[str, Any], values: dict[str, str], mounts: Any, options: Any, store: Any
) -> Any:
    """The run's preparation from the compiled template, or exit: nothing ran."""
    from mldsl.ops.params import with_uri_params
    from mldsl.runner.session import RunRefusedError, prepare

    artifact_params = {p.name for p in pipeline.params if p.type.kind == "artifact"}
    values = with_uri_params(pipeline, values)  # what a Spark or training job reads an artifact param's URI from
    namespace = program.project.namespace or "default"
    try:
        return prepare(template["spec"], pipeline.name, values, artifact_params, mounts, options, store, namespace)
    except RunRefusedError as exc:
        _nothing_ran(exc.problems)


def _compiled(path: Path, fmt: str) -> Any:
    """The compiled program of ``path``, or its diagnostics as ``validate`` prints them and exit 1."""
    from mldsl.ops.project import EXIT_INVALID, compile_result, report, summary

    result = compile_result((path,))
    if not result.ok:
        report(result.diagnostics, "json" if fmt == "json" else "text", summary(result, []))
        sys.exit(EXIT_INVALID)
    return result.program


def _checked_values(pipeline: Any, pairs: list[str], fmt: str) -> dict[str, str]:
    """The run's params typed and checked as ``submit`` checks them (local paths for artifacts too), or exit 1."""
    from mldsl.lang.diagnostics import Diagnostic, Span
    from mldsl.lang.value_codes import code_of
    from mldsl.ops.params import parse_params
    from mldsl.ops.project import report

    values, problems = parse_params(pipeline, pairs, artifacts=True)
    if problems:
        hint = f"see the params of {pipeline.name} in {pipeline.source}"
        diags = [Diagnostic(code_of(p)[0], p, Span("--param"), hint=hint) for p in problems]  # MLD308, 312, 313
        plural = "s" if len(problems) != 1 else ""
        report(diags, "json" if fmt == "json" else "text", f"mldsl: {len(problems)} error{plural}; nothing ran")
        sys.exit(EXIT_FAILED)
    return values


def _template_of(program: Any, name: str) -> dict[str, Any]:
    """The very object ``compile`` writes: its file is yamlout.dump of this dict, which reads back equal (plain
    str, int, bool, list and dict; tests/test_run_speed.py holds it to that). A JSON copy, not a YAML round trip
    of every manifest (4 s at 10,000 steps), so that nothing the run does reaches the compiler's structures."""
    from mldsl.backends import emit_all

    manifest = next((m for m in emit_all(program) if m.kind == "WorkflowTemplate" and m.name == name), None)
    if manifest is None:
        raise UsageError(f"pipeline {name!r} compiled to no WorkflowTemplate")
    copy: dict[str, Any] = json.loads(json.dumps(manifest.body))
    return copy


def _refuse_what_cannot_start(template: dict[str, Any], pipeline: Any, options: Any) -> None:
    """Before anything runs (a Spark step before the notebook may take minutes): every secret a step reads, and
    what notebook steps need here."""
    from mldsl.runner.secretcheck import missing_secrets

    missing_secret = missing_secrets(template["spec"].get("templates") or [], options.secrets)
    if missing_secret:
        for line in missing_secret:
            echo_err(f"mldsl run: {line}")
        count = len(missing_secret)
        echo_err(f"mldsl run: {count} secret{'s' if count != 1 else ''} missing; nothing ran")
        sys.exit(EXIT_FAILED)
    missing = notebook_tools_missing(pipeline) if options.executor == "process" else []
    if missing:
        echo_err(f"mldsl run: notebook steps run here with {', '.join(missing)}, not installed: pip install 'mldsl[notebook]'")
        echo_err("mldsl run: 1 problem; nothing ran")
        sys.exit(EXIT_FAILED)


def _nothing_ran(problems: list[str]) -> NoReturn:
    for p in problems:
        echo_err(f"mldsl run: {p}")
    echo_err(f"mldsl run: {len(problems)} problem{'s' if len(problems) != 1 else ''}; nothing ran")
    sys.exit(EXIT_FAILED)


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
    wait_loop(runner)
    view.close(runner.execution)
    record = runner.record()
    if not runner.done.is_set():  # terminated, and a step did not end in time: the record says what is known
        from mldsl.runner.session import settle

        settle(runner.execution.all_nodes())
        record = runner.record()
        record["status"] = "Failed"
        record["message"] = "Stopped with strategy 'Terminate' (the run did not end in time)"
    if sources and record["status"] != "Succeeded":
        tracebacks.annotate_failures(record, runner.folder, sources, sources[0])
    try:
        record = runner.save(record)
    except OSError as exc:
        echo_err(f"mldsl run: cannot save the record of {runner.run_id} in {runner.folder}: {exc.strerror or exc}")
        echo_err("mldsl run: `mldsl runs` shows this run as Error (the mldsl process is gone) once this process has ended")
        sys.exit(EXIT_FAILED)
    _report(record, runner.folder, fmt)


def _report(record: dict[str, Any], folder: Path, fmt: str) -> None:
    if fmt == "json":
        from mldsl.runner.session import record_text

        echo_out(record_text(record).rstrip("\n"))
    else:
        _summary(record, folder)
    sys.exit(EXIT_OK if record["status"] == "Succeeded" else EXIT_FAILED)


def _fail(code: int, lines: list[str]) -> NoReturn:
    for line in lines:
        echo_err(f"mldsl run: {line}")
    sys.exit(code)


def _live_view(fmt: str, names: Any, options: Any) -> tuple[Any, SimpleNamespace]:
    """The run's live view, reading the runner set later on ``late.runner``; on a terminal, a suspend not
    approved up front is asked for."""
    from mldsl.runner.view import make_view

    late = SimpleNamespace(runner=None)
    view = make_view(
        sys.stderr.isatty() and fmt == "text", lambda: late.runner.execution if late.runner is not None else None, names
    )
    if sys.stdin.isatty() and sys.stderr.isatty():
        from mldsl.runner.ask import TerminalApprover

        options.ask = TerminalApprover(pause=getattr(view, "paused", None))
    return view, late


def _load_plain(path: Path, name: str | None, pairs: list[str], search: tuple[Path, ...]) -> tuple[Loaded, dict[str, str], Any]:
    """The plain Argo file with its neighbours, the ``-p`` pairs given, and the workflow's arguments with them."""
    from mldsl.runner.argofiles import ArgoFileError, load

    try:
        loaded = load(path, search=search, name=name)
        given = dict(p.partition("=")[::2] for p in pairs)
        bad = [p for p in pairs if "=" not in p]
        if bad:
            _fail(EXIT_USAGE, [f"-p {b}: expected name=value" for b in bad])
        values = loaded.arguments(given)
    except ArgoFileError as exc:
        where = f"{exc.path}:{exc.line}:{exc.column}: " if exc.line else f"{exc.path}: "
        _fail(EXIT_USAGE, [f"{where}{exc}" + (f" (hint: {exc.hint})" if getattr(exc, "hint", "") else "")])
    return loaded, given, values


def _plain_setup(
    loaded: Loaded, spec: dict[str, Any], path: Path, parallel: int | None, no_cache: bool, approvals: tuple[str, ...]
) -> tuple[Any, Any, Any]:
    """The run store, the mounts (the workflow's artifact repository's bucket in the store) and the options."""
    from mldsl.runner.argofiles import ArgoFileError
    from mldsl.runner.base import Options
    from mldsl.runner.mounts import Mounts
    from mldsl.runner.store import find_store

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
    return store, mounts, options


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
    from mldsl.runner.argofiles import ArgoFileError
    from mldsl.runner.plain import prepare_plain, referenced_templates, refusals
    from mldsl.runner.session import Runner

    loaded, given, values = _load_plain(path, name, pairs, search)
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
        _fail(EXIT_USAGE, [*(str(r) for r in refused), f"{len(refused)} reason{'s' if len(refused) != 1 else ''}; nothing ran"])
    store, mounts, options = _plain_setup(loaded, spec, path, parallel, no_cache, approvals)
    wf_name = str(loaded.workflow["metadata"].get("name") or "workflow")
    prep = prepare_plain(loaded, values, mounts, options, store, wf_name, template_ref, given)
    problems = validate_workflow(loaded.submitted, lookup_object)
    view, late = _live_view(fmt, {}, options)
    runner = late.runner = Runner(prep, view)
    if problems:  # the controller refuses the spec: the workflow is Failed, nothing ran (operator.go l. 4521-4533)
        runner.execution.status = "Failed"
        runner.execution.message = "invalid spec: " + "; ".join(problems)
        runner.finished = runner.started
        _report(runner.save(), runner.folder, fmt)
    _run_and_report(runner, view, store, fmt)


def _summary(record: dict[str, Any], folder: Path) -> None:
    """The end of a run, for people (ops/run_summary.py): on stdout, so that ``> log`` keeps it (#30 m11)."""
    from mldsl.ops.run_summary import summary

    summary(record, folder, echo_out)
