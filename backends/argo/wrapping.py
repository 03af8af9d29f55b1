"""Steps in DAG templates of their own: a fan-out with its own parallelism or condition, a step that may fail.

The part of :class:`~mldsl.backends.argo.workflow.PipelineEmitter` that builds a wrapped step's templates
(its body, its ``-continue`` wrapper) and the conditions its consumers read (``mldsl-succeeded``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from mldsl.backends.argo import model as m
from mldsl.backends.argo.exprs import Lowering, escape_text, quote
from mldsl.backends.argo.limits import LIMIT_TASK, limit_task, limit_template, synchronization
from mldsl.backends.argo.templates import identity_param, is_resource, parameters_and_artifacts, uri_param
from mldsl.backends.k8s import label_value
from mldsl.compiler import ir

task_name = ir.step_key
#: the output of a ``continue_on_failure`` step's wrapper that says whether the step itself succeeded
SUCCEEDED = "mldsl-succeeded"


class Wrapping:
    """Wrapped steps' templates; the emitter's own state and helpers are declared here for the type checker."""

    templates: dict[str, m.Template]
    pipeline: ir.Pipeline
    timezone: str | None
    low: Lowering
    absent_artifacts: frozenset[str]

    if TYPE_CHECKING:

        def artifact_uri(self, step: str, output: str) -> str: ...
        def stored_uri(self, step: str, output: str) -> str | None: ...
        def template_for(self, step: ir.Step) -> str: ...
        def arguments(self, step: ir.Step, low: Lowering) -> m.Arguments: ...
        def step(self, name: str) -> ir.Step: ...
        def is_resource_step(self, name: str) -> bool: ...
        def value_text(self, value: ir.IValue, kind: str, low: Lowering, *, items_escaped: bool = True) -> str: ...
        def _order(self, t: m.DAGTask, step: ir.Step, *, condition: bool = True) -> None: ...

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
        item_when = item_when_of(step)
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
        # an optional artifact param left out reaches the wrapper with no location: declared optional, as on ``main``
        arts = [{"name": a["name"], **({"optional": True} if a["name"] in self.absent_artifacts else {})} for a in outer_arts]
        inputs = cast(m.Inputs, parameters_and_artifacts([{"name": p["name"]} for p in outer_params], arts))
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
            each["withItems"] = escaped(fe.value)
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


def escaped(value: Any) -> Any:
    """Literal items with their text escaped (``{{`` in an item is text, not a tag)."""
    if isinstance(value, str):
        return escape_text(value)
    if isinstance(value, list):
        return [escaped(v) for v in value]
    if isinstance(value, dict):
        return {k: escaped(v) for k, v in value.items()}
    return value


def item_when_of(step: ir.Step) -> bool:
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
