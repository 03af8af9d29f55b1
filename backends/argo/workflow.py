"""Pipelines as Argo ``WorkflowTemplate`` (and ``CronWorkflow``) objects.

``artifact_location``, ``uri_read_params`` and ``uri_param_of`` (workflow_meta.py) are re-exported for ops/params.py.
"""

from __future__ import annotations

import dataclasses
from typing import cast

from mldsl.backends import Manifest
from mldsl.backends.argo import model as m
from mldsl.backends.argo.approval import approval_templates
from mldsl.backends.argo.artifact_refs import ArtifactRefs
from mldsl.backends.argo.deploy import rollout_templates
from mldsl.backends.argo.dispatch import template_for
from mldsl.backends.argo.exprs import ESCAPED_OPEN_CODE, Lowering, escape_text, output_uri_param, quote
from mldsl.backends.argo.metrics import metric_outputs, wrap_with_metrics
from mldsl.backends.argo.objective import report as objective_report
from mldsl.backends.argo.policies import step_policies
from mldsl.backends.argo.templates import (
    fit_name,
    identity_param,
    is_resource,
    parameters_and_artifacts,
    secret_params,
    step_template_name,
    template_name,
    uri_param,
)
from mldsl.backends.argo.workflow_meta import API_VERSION, cron_workflow, run_labels, workflow_arguments, workflow_metadata
from mldsl.backends.argo.workflow_meta import artifact_location as artifact_location
from mldsl.backends.argo.workflow_meta import uri_param_of as uri_param_of
from mldsl.backends.argo.workflow_meta import uri_read_params as uri_read_params
from mldsl.backends.argo.wrapping import Wrapping, escaped, is_wrapped, task_name
from mldsl.backends.katib_rules import KATIB_STRATEGIES
from mldsl.compiler import ir
from mldsl.lang.buckets import bucket_uri
from mldsl.lang.durations import format_duration
from mldsl.lang.mtypes import STR

#: the kinds of value that can hold text, so a ``{{`` (numbers, booleans and enums cannot)
TEXT_KINDS = ("str", "list", "dict")


class PipelineEmitter(ArtifactRefs, Wrapping):
    def __init__(self, program: ir.Program, pipeline: ir.Pipeline):
        self.project = program.project
        self.pipeline = pipeline
        self.templates: dict[str, m.Template] = {}
        #: steps by name (the pipeline's and its exit handler's): looked up per reference, so not a linear scan
        self.steps = {s.name: s for s in (*pipeline.steps, *pipeline.exit_steps)}
        self.uri_refs = self._uri_refs()
        #: artifact params a run may leave out (optional, no default): optional inputs wherever they are handed on
        self.absent_artifacts = frozenset(
            p.name for p in pipeline.params if p.type.kind == "artifact" and p.optional and not p.has_default
        )
        self.identities = self._identity_refs()
        #: per step a Katib sweep reads its objective from, the outputs a report pod prints (``objective.py``)
        self.objectives: dict[str, set[str]] = {}
        #: format_time shows a scheduled run's time in its schedule's zone (SPEC 1.10)
        self.timezone = pipeline.schedule.timezone if pipeline.schedule is not None else None
        for s in program.sweeps:
            if s.pipeline.name == pipeline.name and s.strategy in KATIB_STRATEGIES:
                self.objectives.setdefault(s.objective_step, set()).add(s.objective_output)
        self.low = Lowering(task=task_name, timezone=self.timezone, uri=self.artifact_uri, uri_param=self.stored_uri)
        #: pipeline outputs read params through the ``main`` template's inputs (globals are not in its scope)
        self.out_low = Lowering(
            task=task_name, timezone=self.timezone, uri=self.artifact_uri, params_as_inputs=True, uri_param=self.stored_uri
        )

    # -- templates --------------------------------------------------------------
    def template_for(self, step: ir.Step) -> str:
        run = step.module.run
        if isinstance(run, ir.DeployRun) and run.serving.backend == "seldon-v2" and (run.weight is not None or run.promote):
            name, templates = rollout_templates(step, task_name(step.name), self.project, self.pipeline.name)
            self.templates.update(templates)
            return name
        if isinstance(step.module.run, ir.ApproveRun):
            name, templates = approval_templates(step, task_name(step.name), self.project.image)
            self.templates.update(templates)
            return name
        if is_resource(step.module) and metric_outputs(step.module):
            return self.with_metrics(step)
        keys = {o: self.repository_location(step.name, o) for (s, o) in self.uri_refs if s == step.name}
        identities = self.identities.get(step.module.key, frozenset())
        if step._replace(cache_seconds=None).has_overrides or keys:
            name = step_template_name(step.module, task_name(step.name))
            self.templates[name] = template_for(
                step.module,
                self.project,
                name=name,
                step=step,
                pipeline=self.pipeline.name,
                artifact_keys=keys,
                identities=identities,
            )
        else:
            # one template per module (and cache policy), whatever the number of steps using it: the memoize key
            # names only the module and the template's inputs (``templates.cache_key``), which Argo substitutes
            # per step before it reads the cache (argo-workflows v4.1.2 ``workflow/controller/operator.go``
            # executeTemplate: ProcessArgs l. 2240-2261, then Memoize.Key l. 2363-2374), so a cached step needs no
            # template of its own
            name = (
                template_name(step.module)
                if step.cache_seconds is None
                else cached_template_name(step.module, step.cache_seconds)
            )
            if name not in self.templates:
                tpl = template_for(step.module, self.project, name=name, identities=identities)
                if step.cache_seconds is not None:
                    step_policies(tpl, step.module, step, self.pipeline.name)  # the cache is its only policy
                self.templates[name] = tpl
        return name

    def with_metrics(self, step: ir.Step) -> str:
        """An operator job with parameter outputs: the job, then a pod that reads them (``metrics.py``)."""
        job = step_template_name(step.module, task_name(step.name))
        self.templates[job] = template_for(step.module, self.project, name=job, step=step, pipeline=self.pipeline.name)
        bucket = bucket_uri(self.project.artifact_bucket or "")
        spark = isinstance(step.module.run, ir.SparkRun)
        prefix = ("s3a://" + bucket[len("s3://") :] if spark and bucket.startswith("s3://") else bucket) + "/"
        return wrap_with_metrics(
            self.templates,
            job,
            step.module,
            image=escape_text(self.project.image),
            location=lambda key: artifact_location(f"{bucket}/{key}", self.project),
            uri_prefix=prefix,
        )

    def step(self, name: str) -> ir.Step:
        return self.steps[name]

    def is_resource_step(self, name: str) -> bool:
        return is_resource(self.step(name).module)

    def job_uri(self, value: ir.IValue, low: Lowering, *, spark: bool) -> str:
        """The URI an operator job reads an artifact from (Spark reads S3 through s3a://)."""
        stored = self.stored_uri(value.step, value.output) if isinstance(value, ir.IStepOutput) else None
        if isinstance(value, ir.IStepOutput) and stored is not None:  # where the producer (or its cache) put it
            ref = ir.IStepOutput(value.step, stored, STR)
            if spark and self.artifact_uri(value.step, value.output).startswith("s3://"):
                return "{{='s3a://' + sprig.trimPrefix('s3://', %s)}}" % low.raw(ref)
            return str(low.tag(ref))
        if isinstance(value, ir.IParam) and value.type.kind == "artifact":  # its URI, given with the run
            held = "workflow.parameters[%s]" % quote(uri_param_of(value.name))
            if spark:  # Spark reads S3 through s3a://; the scheme is known only when the run is given it
                return "{{=(hasPrefix(%s, 's3://') ? 's3a://' + sprig.trimPrefix('s3://', %s) : %s)}}" % (held, held, held)
            return "{{workflow.parameters.%s}}" % uri_param_of(value.name)
        if isinstance(value, ir.IStepOutput):
            uri = self.artifact_uri(value.step, value.output)
        elif isinstance(value, ir.ILit):
            uri = str(value.value)
        else:
            uri = low.text(value)
        return "s3a://" + uri[len("s3://") :] if spark and uri.startswith("s3://") else uri

    def value_text(self, value: ir.IValue, kind: str, low: Lowering, *, items_escaped: bool = True) -> str:
        """A parameter argument. A step's text output read here goes in escaped: Argo rescans an input's value
        in each later pass (``workflow/common/util.go`` ProcessArgs puts it in the template before
        SubstituteParams, l. 200-256; then the pod, ``workflowpod.go`` l. 703), so a ``{{...}}`` it holds
        would be substituted there; escaped (``exprs.escape_code``), it arrives as text (SPEC §1.9). Params
        are escaped where they are given (defaults here, values by ``mldsl submit``), items of a literal list
        too; values a wrapper hands in (``inputs.*``) were escaped where they came from."""

        def passed(n: ir.IExpr) -> bool:
            return isinstance(n, ir.IStepOutput) and bool(low.passed) and (n.step, n.output) in (low.passed or {})

        fresh = any(
            (isinstance(n, ir.IItem) and not items_escaped)
            or (isinstance(n, ir.IStepOutput) and n.field != "uri" and not passed(n))
            for n in ir.walk(value)
        )
        if kind in TEXT_KINDS and (fresh or (low.fan_out and not isinstance(value, ir.ILit))):
            # each part escaped for the scan its code runs in (exprs.Lowering.escaped_string_code): params and a
            # wrapper's inputs arrive escaped, a literal list's items too; step outputs and runtime items do not
            def carried(n: ir.IExpr) -> bool:
                return isinstance(n, (ir.IParam, ir.IInput)) or passed(n) or (isinstance(n, ir.IItem) and items_escaped)

            return "{{=%s}}" % low.escaped_string_code(value, carried)
        return low.text(value)

    def arguments(self, step: ir.Step, low: Lowering) -> m.Arguments:
        if step.for_each is not None:  # a fan-out task's text: processItem substitutes it strictly (#26 item 1)
            low = dataclasses.replace(low, fan_out=True)
        params: list[m.Parameter] = []
        arts: list[m.Artifact | m.ArtifactRef] = []
        resource = is_resource(step.module)
        spark = isinstance(step.module.run, ir.SparkRun)
        # items of a list a step gave are as it gave them; a literal list's or a param's are escaped
        items_escaped = step.for_each is None or not any(isinstance(n, ir.IStepOutput) for n in ir.walk(step.for_each))
        for name, value in step.bindings:
            p = step.module.input(name)
            assert p is not None
            if p.type.kind == "artifact" and resource:
                params.append({"name": name, "value": self.job_uri(value, low, spark=spark)})
            elif p.type.kind == "artifact":
                if isinstance(value, ir.IStepOutput) and self.is_resource_step(value.step):
                    # written by an operator job at a key mldsl chose: read it from the artifact repository
                    arts.append(cast(m.Artifact, {"name": name, **self.repository_location(value.step, value.output)}))
                elif isinstance(value, (ir.ILit, ir.IInterp)):  # a URI, or a URI template
                    uri = str(value.value) if isinstance(value, ir.ILit) else low.text(value)
                    arts.append(cast(m.Artifact, {"name": name, **artifact_location(uri, self.project)}))
                elif isinstance(value, ir.IParam):
                    arts.append({"name": name, "from": "{{inputs.artifacts.%s}}" % value.name})
                else:
                    arts.append({"name": name, "from": low.text(value)})
            elif p.type.kind == "secret":
                name_param, key_param = secret_params(name)
                if isinstance(value, ir.ISecret):
                    params.append({"name": name_param, "value": value.name})
                    params.append({"name": key_param, "value": value.key})
            else:
                params.append({"name": name, "value": self.value_text(value, p.type.kind, low, items_escaped=items_escaped)})
        if step.cache_seconds is not None:
            for name, value in step.bindings:
                p = step.module.input(name)
                if p is not None and p.type.kind == "artifact":
                    params.append({"name": identity_param(name), "value": self.identity(value, low)})
        if resource:
            for out in step.module.outputs:
                target = ir.IStepOutput(step.name, out.name, out.type, artifact=True)
                uri = self.job_uri(target, low, spark=spark)
                if step.for_each is not None:  # one place per iteration, not one for all of them
                    uri += "/{{=sprig.sha256sum(toJson(item))}}"
                params.append({"name": output_uri_param(out.name), "value": uri})
        return cast(m.Arguments, parameters_and_artifacts(params, arts))

    def task(self, step: ir.Step) -> m.DAGTask:
        if is_wrapped(step):
            return self.wrapped(step)
        t: m.DAGTask = {"name": task_name(step.name), "template": self.template_for(step)}
        args = self.arguments(step, self.low)
        if args:
            t["arguments"] = args
        self._order(t, step)
        if step.for_each is not None:
            fe = step.for_each
            if isinstance(fe, ir.ILit) and isinstance(fe.value, list):
                t["withItems"] = escaped(fe.value)
            else:
                t["withParam"] = self.low.text(fe)
        return t

    def _order(self, t: m.DAGTask, step: ir.Step, *, condition: bool = True) -> None:
        """What a task waits for (``depends``), and its condition."""
        if step.depends:
            t["depends"] = depends_clause(step)
        guard = self.consumer_guard(step)
        if condition and step.when is not None:
            own = self.low.code(step.when)
            t["when"] = "{{=%s}}" % (f"{guard} && ({own})" if guard else own)
        elif guard:
            t["when"] = "{{=%s}}" % guard

    def main(self) -> m.Template:
        tasks = [self.task(s) for s in self.pipeline.steps]
        for step in sorted(self.objectives):
            task, report_tpl = objective_report(step, sorted(self.objectives[step]), escape_text(self.project.image))
            tasks.append(task)
            self.templates[report_tpl["name"]] = report_tpl
        tpl: m.Template = {"name": "main"}
        arts = [p for p in self.pipeline.params if p.type.kind == "artifact"]
        used = {n.name for _, v in self.pipeline.outputs for n in ir.walk(v) if isinstance(n, ir.IParam)}
        # the entrypoint's inputs are bound from the workflow's arguments by name
        params = [{"name": p.name} for p in self.pipeline.params if p.name in used and p.type.kind != "artifact"]
        # an optional artifact param without a default may be left out: Argo's ProcessArgs refuses a required input
        # artifact that was not supplied (argo-workflows v4.1.2 workflow/common/util.go l. 239-243)
        declared = [{"name": p.name, **({"optional": True} if p.name in self.absent_artifacts else {})} for p in arts]
        inputs = parameters_and_artifacts(params, declared)
        if inputs:
            tpl["inputs"] = cast(m.Inputs, inputs)
        outputs = self._outputs()
        if outputs:
            tpl["outputs"] = outputs
        tpl["dag"] = {"tasks": tasks}
        return tpl

    def _outputs(self) -> m.Outputs:
        """The pipeline's outputs, resolved when the ``main`` DAG ends.

        Argo resolves ``valueFrom.parameter`` as ONE scope key (argo-workflows v4.1.2
        ``workflow/controller/scope.go`` resolveParameter -> ``util/template/resolve_var.go``
        ResolveVar), so anything but a bare task output goes through ``valueFrom.expression``,
        evaluated over the DAG's scope (tasks' outputs and status, the template's inputs).
        ``default: ''`` is what a skipped step's output gives (SPEC §1.9): without it Argo fails
        the DAG on an absent optional (``operator.go`` getTemplateOutputsFromScope, l. 3455).
        Artifacts are ``optional`` for the same reason (same function, "Unable to resolve").
        """
        params: list[m.Parameter] = []
        arts: list[m.Artifact | m.ArtifactRef] = []
        for name, v in self.pipeline.outputs:
            if isinstance(v, ir.IStepOutput) and v.artifact and v.field is None and not self.is_resource_step(v.step):
                arts.append(cast(m.ArtifactRef, {"name": name, "from": self.low.text(v), "optional": True}))
            else:
                # a value that came in escaped (a param, SPEC 1.9) is read back as text: a DAG's output is resolved
                # once, never scanned again (scope.go resolveParameter)
                code = f"replace({self.output_expression(v)}, {ESCAPED_OPEN_CODE}, '{{'+'{{')"
                params.append({"name": name, "valueFrom": {"expression": code, "default": ""}})
        return cast(m.Outputs, parameters_and_artifacts(params, arts))

    def output_expression(self, v: ir.IValue) -> str:
        """expr-lang code giving a pipeline output as a string, from the DAG scope."""
        low = self.out_low
        if isinstance(v, ir.IStepOutput) and (v.field == "uri" or (v.artifact and self.is_resource_step(v.step))):
            # the URI keeps its global tags ({{workflow.name}}): Argo substitutes globals into the whole
            # template before resolving outputs (``workflow/common/util.go`` SubstituteParams, l. 273)
            if self.is_resource_step(v.step):
                uri = "'" + self.artifact_uri(v.step, v.output).replace("\\", "\\\\").replace("'", "\\'") + "'"
            else:  # the producer says where it stored the file (a cache hit: an earlier run's key)
                uri = f"tasks[{quote(task_name(v.step))}].outputs.parameters[{quote(uri_param(v.output))}]"
            # a step that did not succeed has no URI, like its other outputs (a wrapper succeeds either way)
            return f"{self.succeeded_code(v.step)} ? {uri} : ''"
        return low.string_code(v)

    def exit_handler(self, step: ir.Step | None) -> m.Template:
        """The ``onExit`` DAG: one module's task, or the exit steps with their order and conditions."""
        if step is None:
            return {"name": "exit-handler", "dag": {"tasks": [self.task(s) for s in self.pipeline.exit_steps]}}
        task: m.DAGTask = {"name": "notify", "template": self.template_for(step)}
        args = self.arguments(step, self.low)
        if args:
            task["arguments"] = args
        return {"name": "exit-handler", "dag": {"tasks": [task]}}

    # -- objects ------------------------------------------------------------------
    def workflow_template(self) -> m.Object:
        p = self.pipeline
        main = self.main()
        exit_tpl = self.exit_handler(p.on_exit) if p.on_exit is not None or p.exit_steps else None
        spec: m.WorkflowSpec = {"entrypoint": "main"}
        args = workflow_arguments(p, self.project)
        if args:
            spec["arguments"] = args
        if self.project.service_account:
            spec["serviceAccountName"] = self.project.service_account
        if self.project.image_pull_secrets:
            spec["imagePullSecrets"] = [{"name": s} for s in self.project.image_pull_secrets]
        if p.parallelism:
            spec["parallelism"] = p.parallelism
        if exit_tpl is not None:
            spec["onExit"] = "exit-handler"
        if p.ttl_seconds is not None:
            spec["ttlStrategy"] = {"secondsAfterCompletion": p.ttl_seconds}
        spec["workflowMetadata"] = {"labels": run_labels(self.project, p)}
        spec["podMetadata"] = {"labels": run_labels(self.project, p)}
        templates = [main] + ([exit_tpl] if exit_tpl else []) + [self.templates[k] for k in sorted(self.templates)]
        spec["templates"] = templates
        return {
            "apiVersion": API_VERSION,
            "kind": "WorkflowTemplate",
            "metadata": workflow_metadata(p.name, self.project, p),
            "spec": spec,
        }


def cached_template_name(module: ir.Module, seconds: int) -> str:
    """``train-1-0-0--cache-7d``: the template of a module's steps that share a cache policy. The ``--`` keeps it
    apart from a step's own template, ``<module>-<task>``: a task name never starts with ``-``."""
    return fit_name(f"{template_name(module)}--cache-{format_duration(seconds)}")


def depends_clause(step: ir.Step) -> str:
    """Argo ``depends`` for a step (SPEC §1.9).

    A data dependency runs only after its source *succeeded*: a skipped or omitted source omits
    the consumer. (Legacy ``dependencies:`` would mean ``Succeeded || Skipped || Daemoned``,
    argo-workflows v4.1.2 ``workflow/common/ancestry.go`` l. 115-127, and run consumers of
    skipped steps.) ``after:`` only orders: it waits for the step to end in any phase but a
    failure, which fails the run anyway.
    """
    terms = []
    for d in step.depends:
        t = task_name(d)
        terms.append(f"({t}.Succeeded || {t}.Skipped || {t}.Omitted)" if d in step.order_only else f"{t}.Succeeded")
    return " && ".join(terms)


def emit(program: ir.Program) -> list[Manifest]:
    out: list[Manifest] = []
    # a Sweep with skip_steps runs its trials from a WorkflowTemplate of their own (compiler/sweeps.py)
    trials = {s.pipeline.name: s.pipeline for s in program.sweeps if s.pipeline.trial_of is not None}
    for pipeline in [*program.pipelines, *(trials[k] for k in sorted(trials))]:
        em = PipelineEmitter(program, pipeline)
        out.append(Manifest(f"{pipeline.name}.workflowtemplate.yaml", dict(em.workflow_template())))
        cron = cron_workflow(program.project, pipeline)
        if cron is not None:
            out.append(Manifest(f"{pipeline.name}.cronworkflow.yaml", dict(cron)))
    return out
