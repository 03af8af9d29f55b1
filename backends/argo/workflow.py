"""Pipelines as Argo ``WorkflowTemplate`` (and ``CronWorkflow``) objects.

``artifact_location``, ``uri_read_params`` and ``uri_param_of`` (workflow_meta.py) are re-exported for ops/params.py.
"""

from __future__ import annotations

import dataclasses
from typing import Any, cast

from mldsl.backends import Manifest
from mldsl.backends.argo import model as m
from mldsl.backends.argo.approval import approval_templates
from mldsl.backends.argo.deploy import rollout_templates
from mldsl.backends.argo.dispatch import template_for
from mldsl.backends.argo.exprs import ESCAPED_OPEN_CODE, Lowering, escape_text, output_uri_param, quote
from mldsl.backends.argo.limits import LIMIT_TASK, limit_task, limit_template, synchronization
from mldsl.backends.argo.metrics import metric_outputs, wrap_with_metrics
from mldsl.backends.argo.objective import report as objective_report
from mldsl.backends.argo.templates import (
    fit_name,
    identity_param,
    is_resource,
    parameters_and_artifacts,
    secret_params,
    step_policies,
    step_template_name,
    template_name,
    uri_param,
)
from mldsl.backends.argo.workflow_meta import artifact_location as artifact_location
from mldsl.backends.argo.workflow_meta import run_labels, workflow_arguments, workflow_metadata
from mldsl.backends.argo.workflow_meta import uri_param_of as uri_param_of
from mldsl.backends.argo.workflow_meta import uri_read_params as uri_read_params
from mldsl.backends.k8s import label_value
from mldsl.backends.katib_rules import KATIB_STRATEGIES
from mldsl.compiler import ir
from mldsl.lang.durations import format_duration
from mldsl.lang.mtypes import STR

API_VERSION = "argoproj.io/v1alpha1"


task_name = ir.step_key
#: the kinds of value that can hold text, so a ``{{`` (numbers, booleans and enums cannot)
TEXT_KINDS = ("str", "list", "dict")
#: the output of a ``continue_on_failure`` step's wrapper that says whether the step itself succeeded
SUCCEEDED = "mldsl-succeeded"


class PipelineEmitter:
    def __init__(self, program: ir.Program, pipeline: ir.Pipeline):
        self.project = program.project
        self.pipeline = pipeline
        self.templates: dict[str, m.Template] = {}
        #: steps by name (the pipeline's and its exit handler's): looked up per reference, so not a linear scan
        self.steps = {s.name: s for s in (*pipeline.steps, *pipeline.exit_steps)}
        self.uri_refs = self._uri_refs()
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

    # -- artifacts ------------------------------------------------------------
    def _uri_refs(self) -> set[tuple[str, str]]:
        refs: set[tuple[str, str]] = set()
        every = (*self.pipeline.steps, *self.pipeline.exit_steps)
        values: list[Any] = [v for s in every for _, v in s.bindings]
        values += [s.when for s in every if s.when is not None]
        values += [v for _, v in self.pipeline.outputs]
        for v in values:
            for n in ir.walk(v):
                if isinstance(n, ir.IStepOutput) and n.field == "uri":
                    refs.add((n.step, n.output))
        # an operator job reads its artifact inputs by URI: the producer must write exactly there
        for s in every:
            if is_resource(s.module):
                for _, v in s.bindings:
                    if isinstance(v, ir.IStepOutput) and v.artifact and not self.is_resource_step(v.step):
                        refs.add((v.step, v.output))
        return refs

    def stored_uri(self, step: str, output: str) -> str | None:
        """The producer's output parameter holding where it stored ``output`` (``templates._outputs``): a cache
        hit returns the producing run's value, so a consumer reads the file that exists (SPEC §1.9)."""
        return uri_param(output) if (step, output) in self.uri_refs and not self.is_resource_step(step) else None

    def repository_location(self, step: str, output: str) -> dict[str, Any]:
        """The full location of a step's artifact in the Project's bucket (never relocated by Argo)."""
        return artifact_location(self.artifact_uri(step, output), self.project)

    def _identity_refs(self) -> dict[str, frozenset[str]]:
        """Per module key, the artifact outputs whose identity a cached step reads (SPEC §1.9: the
        cache key covers every input artifact's identity)."""
        found: dict[str, set[str]] = {}
        for s in (*self.pipeline.steps, *self.pipeline.exit_steps):
            if s.cache_seconds is None:
                continue
            for _, v in s.bindings:
                if isinstance(v, ir.IStepOutput) and v.artifact and v.field is None and not self.is_resource_step(v.step):
                    found.setdefault(self.step(v.step).module.key, set()).add(v.output)
        return {k: frozenset(v) for k, v in found.items()}

    def identity(self, value: ir.IValue, low: Lowering) -> str:
        """The identity of an artifact a step reads: the producer's digest (or run), or the URI and this run."""
        if isinstance(value, ir.IStepOutput) and not self.is_resource_step(value.step):
            ref = low.tag(ir.IStepOutput(value.step, identity_param(value.output), value.type))
            return f"{task_name(value.step)}:{ref}"
        if isinstance(value, ir.IStepOutput):  # an operator job's output: its URI names this run
            return self.job_uri(value, low, spark=False)
        if isinstance(value, ir.IParam):
            return f"params.{value.name}@{{{{workflow.uid}}}}"
        uri = str(value.value) if isinstance(value, ir.ILit) else low.text(value)
        return f"{uri}@{{{{workflow.uid}}}}"  # external data may change under the same URI: keyed per run

    def artifact_key(self, step: str, output: str) -> str:
        fmt = self.project.artifact_key_format or "{{workflow.name}}/{{step}}"
        return fmt.replace("{{step}}", task_name(step)).rstrip("/") + f"/{output}"

    def artifact_uri(self, step: str, output: str) -> str:
        bucket = (self.project.artifact_bucket or "").rstrip("/")
        if "://" not in bucket:
            bucket = "s3://" + bucket
        return f"{bucket}/{self.artifact_key(step, output)}"

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
        bucket = (self.project.artifact_bucket or "").rstrip("/")
        if "://" not in bucket:
            bucket = "s3://" + bucket
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
                t["withItems"] = _escaped(fe.value)
            else:
                t["withParam"] = self.low.text(fe)
        return t

    def wrapped(self, step: ir.Step) -> m.DAGTask:
        """A step in DAG templates of its own, for what Argo keeps per template or per DAG (:func:`is_wrapped`).

        The *body* runs the step and gives its outputs only when it succeeded: a DAG resolves its outputs
        only when it ends Succeeded (argo-workflows v4.1.2 ``workflow/controller/dag.go`` executeDAG l. 373-380
        returns before l. 382), so a step that wrote outputs and then failed leaves none (SPEC §1.9; a pod
        keeps them: ``workflow/executor/postmain.go`` l. 41-66, ``operator.go`` buildLocalScope l. 3632-3685).

        * ``<task>-fan-out``: the looped task, with the fan-out's own ``parallelism`` (Argo limits
          parallelism per template) or, from a value, a semaphore whose limit a first task writes
          (``limits.py``). Its ``mldsl-succeeded`` says whether any item ran (see :meth:`_body_outputs`).
        * ``<task>-run``: the one task of a step that is not a fan-out.

        ``continue_on_failure`` (SPEC §1.9) puts the body in ``<task>-continue``: ``continueOn`` alone is not
        enough. Argo fails a DAG when a *leaf* task's branch failed, and a task skipped or omitted after a
        failure inherits that failure (``dag.go`` assessDAGPhase l. 147-151, 193-205): a data consumer of the
        failed step would fail the run. In ``<task>-continue`` the body is the only task, a leaf that
        ``continueOn`` covers (l. 228-236), so it succeeds; and it has no ``depends``, which Argo refuses
        beside ``continueOn`` in one DAG (``workflow/validate/validate.go`` l. 1476-1478), while the body
        may need one (the semaphore's limit first). It says whether the step succeeded in
        ``mldsl-succeeded``, which its data consumers' ``when`` reads (:meth:`consumer_guard`).

        What the step reads from sibling steps (out of scope inside a wrapper) comes in as the wrapper's
        inputs, handed on unchanged from ``<task>-continue`` to the body.
        """
        name = task_name(step.name)
        fan_out = step.for_each is not None
        body_name = f"{name}-fan-out" if fan_out else f"{name}-run"
        # a condition on ``item`` filters the iterations, so it sits on the inner task, where ``item`` exists
        item_when = _item_when(step)
        nodes = self._read_nodes(step, item_when)
        refs = self._wrapper_refs(step, nodes)
        art_params = sorted({n.name for n in nodes if isinstance(n, ir.IParam) and n.type.kind == "artifact"})
        passed = {(s, o): f"{task_name(s)}-{o}" for s, o, _ in refs}
        inner = Lowering(task=task_name, timezone=self.timezone, uri=self.artifact_uri, passed=passed, uri_param=self.stored_uri)
        outer_params, outer_arts = self._outer_arguments(refs, art_params, passed)
        each = self._looped_task(step, name, inner, item_when, outer_params)
        body = self._body(step, name, body_name, each, inner, outer_params, outer_arts)
        self.templates[body_name] = body
        template = self._continued(name, body) if step.continue_on_failure else body_name
        t: m.DAGTask = {"name": name, "template": template}
        outer = cast(m.Arguments, parameters_and_artifacts(outer_params, outer_arts))
        if outer:
            t["arguments"] = outer
        self._order(t, step, condition=not item_when)
        return t

    @staticmethod
    def _read_nodes(step: ir.Step, item_when: bool) -> list[Any]:
        """The expression nodes a wrapped step reads: its bindings, its parallelism, its item condition."""
        nodes = [n for _, v in step.bindings for n in ir.walk(v)]
        if step.limit is not None:
            nodes += list(ir.walk(step.limit))
        if item_when:
            assert step.when is not None
            nodes += list(ir.walk(step.when))
        return nodes

    def _outer_arguments(
        self, refs: list[tuple[str, str, bool]], art_params: list[str], passed: dict[tuple[str, str], str]
    ) -> tuple[list[m.Parameter], list[m.Artifact | m.ArtifactRef]]:
        """What the wrapper's task hands in: sibling steps' outputs, and the pipeline's artifact params."""
        outer_params: list[m.Parameter] = [
            {"name": passed[(s, o)], "value": self.passed_value(s, o)} for s, o, art in refs if not art
        ]
        outer_arts: list[m.Artifact | m.ArtifactRef] = [
            {"name": passed[(s, o)], "from": "{{tasks.%s.outputs.artifacts.%s}}" % (task_name(s), o)} for s, o, art in refs if art
        ]
        outer_arts += [{"name": p, "from": "{{inputs.artifacts.%s}}" % p} for p in art_params]
        return outer_params, outer_arts

    def _body(
        self,
        step: ir.Step,
        name: str,
        body_name: str,
        each: m.DAGTask,
        inner: Lowering,
        outer_params: list[m.Parameter],
        outer_arts: list[m.Artifact | m.ArtifactRef],
    ) -> m.Template:
        """The wrapper's body: the wrapper's inputs handed on, the step's outputs when it succeeded, its tasks."""
        inputs = cast(
            m.Inputs,
            parameters_and_artifacts([{"name": p["name"]} for p in outer_params], [{"name": a["name"]} for a in outer_arts]),
        )
        body: m.Template = {"name": body_name}
        if inputs:
            body["inputs"] = inputs
        outputs = self._body_outputs(step, name, each["template"])
        if outputs:
            body["outputs"] = outputs
        body["dag"] = {"tasks": self._body_tasks(step, name, each, inner, body)}
        return body

    def _wrapper_refs(self, step: ir.Step, nodes: list[Any]) -> list[tuple[str, str, bool]]:
        """(step, output, is artifact) of what the wrapper hands in from sibling steps (out of scope inside it)."""
        refs = {
            (n.step, n.output, n.artifact)
            for n in nodes
            if isinstance(n, ir.IStepOutput)
            and n.field is None
            and not (n.artifact and (is_resource(step.module) or self.is_resource_step(n.step)))
        }
        # where a producer stored what is read by URI (``.uri``, or an operator job's artifact input)
        refs |= {
            (n.step, uri_param(n.output), False)
            for n in nodes
            if isinstance(n, ir.IStepOutput)
            and (n.field == "uri" or (n.artifact and n.field is None and is_resource(step.module)))
            and self.stored_uri(n.step, n.output) is not None
        }
        if step.cache_seconds is not None:
            # the identities of the artifacts it reads come in as parameters too (``identity``), an operator job's
            # included: it reads them by URI, but its cache key names the producer's digest all the same
            refs |= {
                (n.step, identity_param(n.output), False)
                for n in nodes
                if isinstance(n, ir.IStepOutput) and n.artifact and n.field is None and not self.is_resource_step(n.step)
            }
        return sorted(refs)

    def _looped_task(
        self, step: ir.Step, name: str, inner: Lowering, item_when: bool, outer_params: list[m.Parameter]
    ) -> m.DAGTask:
        """The task that runs the step inside the body: its arguments, its item condition, its loop."""
        each: m.DAGTask = {"name": name, "template": self.template_for(step)}
        args = self.arguments(step, inner)
        if args:
            each["arguments"] = args
        if item_when:
            assert step.when is not None
            each["when"] = inner.condition(step.when)
        fe = step.for_each
        if isinstance(fe, ir.ILit) and isinstance(fe.value, list):
            each["withItems"] = _escaped(fe.value)
        elif fe is not None:
            outer_params.append({"name": "items", "value": self.low.text(fe)})
            each["withParam"] = "{{inputs.parameters.items}}"
        return each

    def _body_tasks(self, step: ir.Step, name: str, each: m.DAGTask, inner: Lowering, body: m.Template) -> list[m.DAGTask]:
        """The body's tasks: the step, after the semaphore's limit when its parallelism comes from a value."""
        if step.limit is not None:
            # a parallelism from a value: a semaphore per run, written before the first iteration (limits.py)
            self.templates[each["template"]]["synchronization"] = synchronization(name)
            limit_tpl = limit_template(name, {"mldsl.io/pipeline": label_value(self.pipeline.name), "mldsl.io/step": name})
            self.templates[limit_tpl["name"]] = limit_tpl
            return [limit_task(limit_tpl["name"], inner.code(step.limit)), {**each, "depends": LIMIT_TASK}]
        if step.for_each is not None and isinstance(step.parallelism, int):
            body["parallelism"] = step.parallelism
        return [each]

    def _continued(self, name: str, body: m.Template) -> str:
        """``<task>-continue``: the body as its only task, with ``continueOn``; its outputs, empty when the body
        failed (it then has none: a default or ``optional``), and ``mldsl-succeeded``."""
        wrapper = f"{name}-continue"
        declared = body.get("inputs") or {}
        args = parameters_and_artifacts(
            [{"name": p["name"], "value": "{{inputs.parameters.%s}}" % p["name"]} for p in declared.get("parameters", [])],
            [{"name": a["name"], "from": "{{inputs.artifacts.%s}}" % a["name"]} for a in declared.get("artifacts", [])],
        )
        each: m.DAGTask = {"name": name, "template": body["name"]}
        if args:
            each["arguments"] = cast(m.Arguments, args)
        each["continueOn"] = {"failed": True, "error": True}
        params: list[m.Parameter] = []
        arts: list[m.Artifact | m.ArtifactRef] = []
        body_outputs = body.get("outputs") or {}
        for op in body_outputs.get("parameters", []):
            if op["name"] != SUCCEEDED:
                ref = "{{tasks.%s.outputs.parameters.%s}}" % (name, op["name"])
                params.append({"name": op["name"], "valueFrom": {"parameter": ref, "default": ""}})
        for oa in body_outputs.get("artifacts", []):
            ref = "{{tasks.%s.outputs.artifacts.%s}}" % (name, oa["name"])
            arts.append(cast(m.ArtifactRef, {"name": oa["name"], "from": ref, "optional": True}))
        succeeded = f"tasks[{quote(name)}].status == 'Succeeded'"
        if any(op["name"] == SUCCEEDED for op in body_outputs.get("parameters", [])):
            # a fan-out's body says whether any item ran; ``&&`` reads it only when the body succeeded (a failed
            # DAG has no outputs at all)
            succeeded += f" && tasks[{quote(name)}].outputs.parameters[{quote(SUCCEEDED)}] == 'true'"
        params.append({"name": SUCCEEDED, "valueFrom": {"expression": f"{succeeded} ? 'true' : 'false'", "default": "false"}})
        tpl: m.Template = {"name": wrapper}
        if body.get("inputs"):
            tpl["inputs"] = body["inputs"]
        tpl["outputs"] = cast(m.Outputs, parameters_and_artifacts(params, arts))
        tpl["dag"] = {"tasks": [each]}
        self.templates[wrapper] = tpl
        return wrapper

    def passed_value(self, step: str, output: str) -> str:
        """A step's output handed to a wrapper: escaped there when it is text (see :meth:`value_text`)."""
        out = self.step(step).module.output(output)
        if out is None:  # an identity or URI parameter mldsl added: never text a person wrote
            return "{{tasks.%s.outputs.parameters.%s}}" % (task_name(step), output)
        return self.value_text(ir.IStepOutput(step, output, out.type), out.type.kind, self.low)

    def _body_outputs(self, step: ir.Step, task: str, template: str) -> m.Outputs:
        """What a wrapper's body gives: a fan-out's collected parameters, or every output of the one step.

        A fan-out none of whose items ran is a skipped step (SPEC §1.9): its outputs are empty and its data
        consumers are skipped. Argo does not say so itself: an empty list makes the task Skipped
        (``dag.go`` l. 634-638), but when every item's ``when`` is false the group is Succeeded (l. 704-712)
        and its per-output aggregate is never set (``operator.go`` processAggregateNodeOutputs l. 3762-3764:
        only succeeded items count), so a consumer that read it would be requeued for ever. Here the outputs
        take ``default: ''`` then, and ``mldsl-succeeded`` is ``'true'`` only when the task succeeded and its
        items gave outputs: the aggregate ``tasks.<task>.outputs.parameters`` is the text ``"[]"`` when none
        did, and otherwise gives way to the per-output keys (``util/expand/expand.go`` removeConflicts), so
        the expression env holds a map there.
        """
        params: list[m.Parameter] = []
        arts: list[m.Artifact | m.ArtifactRef] = []
        if step.for_each is not None:
            declared = [p.name for p in step.module.outputs if p.type.kind != "artifact"]
            for p in declared:
                ref = "{{tasks.%s.outputs.parameters.%s}}" % (task, p)
                params.append({"name": p, "valueFrom": {"parameter": ref, "default": ""}})
            ran = f"tasks[{quote(task)}].status == 'Succeeded'"
            if declared:
                ran += f" && type(tasks[{quote(task)}].outputs.parameters) == 'map'"
            params.append({"name": SUCCEEDED, "valueFrom": {"expression": f"{ran} ? 'true' : 'false'", "default": "false"}})
        else:  # everything the step's template outputs: the body resolves them only when the step succeeded
            declared_outputs = self.templates[template].get("outputs") or {}
            for op in declared_outputs.get("parameters", []):
                ref = "{{tasks.%s.outputs.parameters.%s}}" % (task, op["name"])
                params.append({"name": op["name"], "valueFrom": {"parameter": ref}})
            for oa in declared_outputs.get("artifacts", []):
                ref = "{{tasks.%s.outputs.artifacts.%s}}" % (task, oa["name"])
                arts.append(cast(m.ArtifactRef, {"name": oa["name"], "from": ref}))
        return cast(m.Outputs, parameters_and_artifacts(params, arts))

    def consumer_guard(self, step: ir.Step) -> str | None:
        """expr-lang code that holds when every wrapped step ``step`` reads data from succeeded (and, for a
        fan-out, ran an item): a wrapper itself succeeds either way (:meth:`wrapped`)."""
        sources = [d for d in step.depends if d not in step.order_only and is_wrapped(self.step(d))]
        if not sources:
            return None
        return " && ".join(self.succeeded_code(d) for d in sources)

    def succeeded_code(self, step: str) -> str:
        """expr-lang code, in the DAG that runs ``step``, that holds when it succeeded (SPEC §1.9: otherwise its
        outputs are empty)."""
        if is_wrapped(self.step(step)):
            return f"tasks[{quote(task_name(step))}].outputs.parameters[{quote(SUCCEEDED)}] == 'true'"
        return f"tasks[{quote(task_name(step))}].status == 'Succeeded'"

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
        inputs = parameters_and_artifacts(params, [{"name": p.name} for p in arts])
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

    def cron_workflow(self) -> m.Object | None:
        p = self.pipeline
        s = p.schedule
        if s is None:
            return None
        spec: m.CronWorkflowSpec = {"schedules": list(s.crons)}
        if s.timezone:
            spec["timezone"] = s.timezone
        spec["concurrencyPolicy"] = s.concurrency
        if s.suspend:
            spec["suspend"] = True
        if s.starting_deadline_seconds is not None:
            spec["startingDeadlineSeconds"] = s.starting_deadline_seconds
        if s.history is not None:
            spec["successfulJobsHistoryLimit"] = s.history
            spec["failedJobsHistoryLimit"] = s.history
        spec["workflowMetadata"] = {"labels": run_labels(self.project, p)}
        spec["workflowSpec"] = {"workflowTemplateRef": {"name": p.name}}
        meta = workflow_metadata(p.name, self.project, p)
        return {"apiVersion": API_VERSION, "kind": "CronWorkflow", "metadata": meta, "spec": spec}


def cached_template_name(module: ir.Module, seconds: int) -> str:
    """``train-1-0-0--cache-7d``: the template of a module's steps that share a cache policy. The ``--`` keeps it
    apart from a step's own template, ``<module>-<task>``: a task name never starts with ``-``."""
    return fit_name(f"{template_name(module)}--cache-{format_duration(seconds)}")


def _escaped(value: Any) -> Any:
    """Literal items with their text escaped (``{{`` in an item is text, not a tag)."""
    if isinstance(value, str):
        return escape_text(value)
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    if isinstance(value, dict):
        return {k: _escaped(v) for k, v in value.items()}
    return value


def _item_when(step: ir.Step) -> bool:
    """Whether the step's ``when`` reads ``item``: a condition per iteration, which may skip every one."""
    return step.when is not None and any(isinstance(n, ir.IItem) for n in ir.walk(step.when))


def is_wrapped(step: ir.Step) -> bool:
    """Whether the step runs in DAG templates of its own (``PipelineEmitter.wrapped``): it continues on failure,
    or it is a fan-out with its own parallelism or with any condition. A condition on a fan-out task is
    evaluated per item (``dag.go`` l. 648-661), so a false one skips every item and leaves the group Succeeded
    with no aggregate (l. 704-712): wrapped, a condition that does not read ``item`` skips the whole step."""
    if step.continue_on_failure:
        return True
    return step.for_each is not None and (bool(step.parallelism) or step.when is not None)


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
        cron = em.cron_workflow()
        if cron is not None:
            out.append(Manifest(f"{pipeline.name}.cronworkflow.yaml", dict(cron)))
    return out
