"""Lower typed IR expressions to Argo's template syntax.

* a plain reference becomes a simple tag: ``{{workflow.parameters.lr}}``;
* anything else, and every ``when`` condition, becomes an expression tag,
  ``{{=...}}`` (expr-lang), with Argo's string values converted to their
  declared types (``asInt``, ``asFloat``, ``jsonpath``) and lists/dicts
  serialised with ``toJson``.

Values are data, never code (SPEC §1.9): an expression names the values it
reads, so a quote, a newline or ``{{`` in a value cannot change it. A ``when``
made of text spliced into govaluate (``'{{tasks.a.outputs.parameters.x}}' ==
'b'``) could: argo-workflows v4.1.2 substitutes the tags first and hands the
text to govaluate (``workflow/controller/dag.go`` l. 785-808, ``steps.go``
shouldExecute l. 384), so a ``'`` in a value ends the literal, and
``4.67339e-05`` does not lex. With ``{{=...}}`` the substituted text is just
``true`` or ``false``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mldsl.argo.tags import ESCAPED_OPEN, ITEM_OPEN, SUSPEND_OPEN, escape_value, split
from mldsl.backends.argo.exprcode import expr_literal, format_time_code
from mldsl.backends.argo.exprcode import quote as quote
from mldsl.compiler import ir
from mldsl.lang.mtypes import STR, MType

INPUTS_DIR = "/mldsl/inputs"
OUTPUTS_DIR = "/mldsl/outputs"
_WORKFLOW_FIELD = {
    "name": "name",
    "namespace": "namespace",
    "uid": "uid",
    "status": "status",
    "creation_timestamp": "creationTimestamp",
    "duration": "duration",
}


def literal_text(value: Any) -> str:
    """A YAML literal as the string Argo passes around (JSON for lists and dicts)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return json.dumps(value)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class Lowering:
    """How references read in one place of the manifest.

    ``task`` maps a step name to its DAG task name; ``uri`` gives the URI of a
    step's artifact output (``steps.x.outputs.y.uri``).
    """

    task: Callable[[str], str]
    uri: Callable[[str, str], str] = lambda step, output: ""
    #: step outputs handed to this template as its own inputs, (step, output) -> input name
    passed: dict[tuple[str, str], str] | None = None
    #: artifacts are object-store URIs held in parameters (Spark and training jobs), not local files
    by_uri: bool = False
    #: params read as the template's own inputs (the ``main`` DAG's outputs: globals are not in that scope)
    params_as_inputs: bool = False
    #: the producer's output parameter that says where it stored an artifact (``.uri``), when it has one: a
    #: cache hit returns the producing run's parameters, so that, not this run's key, is where the file is
    uri_param: Callable[[str, str], str | None] = lambda step, output: None
    #: text of a fan-out task (``processItem`` scans it strictly): literal ``{{`` take :data:`ITEM_OPEN`
    fan_out: bool = False
    #: the pipeline's schedule's time zone: ``format_time`` shows a run's time there (SPEC 1.10)
    timezone: str | None = None

    def _uri_ref(self, e: ir.IStepOutput) -> ir.IStepOutput | None:
        """``steps.x.outputs.y.uri`` as a reference to the producer's URI parameter, if it has one."""
        name = self.uri_param(e.step, e.output) if e.field == "uri" else None
        return None if name is None else ir.IStepOutput(e.step, name, STR)

    # -- simple tags -------------------------------------------------------
    def tag(self, e: ir.IExpr) -> str | None:
        """The simple tag for a plain reference, or ``None`` when ``e`` needs an expression."""
        if isinstance(e, ir.IParam):
            return "{{workflow.parameters.%s}}" % e.name
        if isinstance(e, ir.IStepOutput):
            ref = self._uri_ref(e)
            if ref is not None:
                return self.tag(ref)
            if e.field == "uri":
                return self.uri(e.step, e.output)
            kind = "artifacts" if e.artifact else "parameters"
            if self.passed and (e.step, e.output) in self.passed:
                return "{{inputs.%s.%s}}" % (kind, self.passed[(e.step, e.output)])
            return "{{tasks.%s.outputs.%s.%s}}" % (self.task(e.step), kind, e.output)
        if isinstance(e, ir.IItem):
            return "{{item%s}}" % "".join(f".{p}" for p in e.path)
        if isinstance(e, ir.IWorkflow):
            if e.field == "scheduled_time":
                return None  # an expression: the fallback when the run was not scheduled
            return "{{workflow.%s}}" % _WORKFLOW_FIELD[e.field]
        if isinstance(e, ir.IInput):
            if e.field == "path" and not self.by_uri:
                return f"{INPUTS_DIR}/{e.name}"
            return "{{inputs.parameters.%s}}" % e.name
        if isinstance(e, ir.IOutput):
            return "{{inputs.parameters.%s}}" % output_uri_param(e.name) if self.by_uri else f"{OUTPUTS_DIR}/{e.name}"
        if isinstance(e, ir.ILit):
            return escape_text(literal_text(e.value), fan_out=self.fan_out)
        return None

    def text(self, v: ir.IValue) -> str:
        """``v`` as one Argo string (a parameter value, an arg, an env value)."""
        if isinstance(v, ir.IInterp):
            return "".join(escape_text(p, fan_out=self.fan_out) if isinstance(p, str) else self._inline(p) for p in v.parts)
        return self._inline(v)

    def escaped_string_code(self, v: ir.IValue, carried: Callable[[ir.IExpr], bool]) -> str:
        """expr-lang code giving ``v`` as text whose every ``{{`` is escaped for where the code runs.

        Code that reads ``item`` runs in ``processItem``'s scan, whose output nothing rescans before the pod:
        its ``{{`` become :data:`ESCAPED_OPEN`. Other code in a fan-out task runs earlier (the DAG's pass, the
        task's own scan), and ``processItem`` rescans its output strictly: its ``{{`` become :data:`ITEM_OPEN`.
        A value that arrives escaped already (``carried``: a param, a wrapper's input) has its escapes
        converted; a fresh one (a step's output, an item of a runtime list) has its ``{{`` escaped.
        """
        at_item = any(isinstance(n, ir.IItem) for n in ir.walk(v))
        target = ITEM_OPEN if self.fan_out and not at_item else ESCAPED_OPEN
        target_code = _string_code(target)
        parts = v.parts if isinstance(v, ir.IInterp) else (v,)
        out = []
        for part in parts:
            if part == "":
                continue
            if isinstance(part, str):
                out.append(_string_code(escape_value(part, target)))
            elif isinstance(part, ir.ILit):
                out.append(_string_code(escape_value(literal_text(part.value), target)))
            elif carried(part):
                code = self.string_code(part)
                out.append(code if target == ESCAPED_OPEN else f"replace({code}, {_ESCAPED_OPEN_CODE}, {target_code})")
            else:
                out.append(f"replace({self.string_code(part)}, '{{'+'{{', {target_code})")
        return " + ".join(out) if out else "''"

    def string_code(self, v: ir.IValue) -> str:
        """expr-lang code giving ``v`` as the string Argo would pass around."""
        if isinstance(v, ir.IInterp):
            parts = [quote(p) if isinstance(p, str) else self.string_code(p) for p in v.parts if p != ""]
            return " + ".join(parts) if parts else "''"
        if isinstance(v, ir.ILit):
            return quote(literal_text(v.value))
        raw = self.raw(v)
        if raw is not None and not isinstance(v, ir.IItem):
            return raw
        code = self.code(v)
        if v.type.kind in ("list", "dict"):
            return f"toJson({code})"
        return code if _is_text(v.type) else f"toJson({code})"

    def _inline(self, e: ir.IExpr) -> str:
        t = self.tag(e)
        if t is not None:
            return t
        code = self.code(e)
        if e.type.kind in ("list", "dict"):
            code = f"toJson({code})"
        return "{{=%s}}" % code

    # -- conditions ----------------------------------------------------------
    def condition(self, e: ir.IExpr) -> str:
        """A ``when`` condition: always an expression tag (see the module's docstring)."""
        return "{{=%s}}" % self.code(e)

    # -- expr-lang -----------------------------------------------------------
    def raw(self, e: ir.IExpr) -> str | None:
        """expr-lang code reading a reference as Argo stores it (a string)."""
        if isinstance(e, ir.IParam):
            return f"{'inputs' if self.params_as_inputs else 'workflow'}.parameters[{_quote(e.name)}]"
        if isinstance(e, ir.IStepOutput):
            ref = self._uri_ref(e)
            if ref is not None:
                return self.raw(ref)
            if e.field == "uri":  # an operator job's output: its URI is fixed by the run
                return string_code(self.uri(e.step, e.output))
            if self.passed and (e.step, e.output) in self.passed:
                return f"inputs.parameters[{_quote(self.passed[(e.step, e.output)])}]"
            return f"tasks[{_quote(self.task(e.step))}].outputs.parameters[{_quote(e.output)}]"
        if isinstance(e, ir.IItem):
            return "item" + "".join(f"[{_quote(str(p))}]" for p in e.path)
        if isinstance(e, ir.IWorkflow):
            if e.field == "scheduled_time":
                # set from the CronWorkflow's scheduled-time annotation only (argo-workflows v4.1.2
                # workflow/controller/operator.go setGlobalParameters l. 684-689, workflow/common/convert.go
                # l. 53: RFC 3339 in the schedule's zone); any other run reads its creation time (UTC)
                return "(workflow.scheduledTime ?? workflow.creationTimestamp)"
            return f"workflow.{_WORKFLOW_FIELD[e.field]}"
        if isinstance(e, ir.IInput):
            if e.field == "path" and not self.by_uri:
                return _quote(f"{INPUTS_DIR}/{e.name}")
            return f"inputs.parameters[{_quote(e.name)}]"
        if isinstance(e, ir.IOutput):
            return f"inputs.parameters[{_quote(output_uri_param(e.name))}]" if self.by_uri else _quote(f"{OUTPUTS_DIR}/{e.name}")
        return None

    def code(self, e: ir.IExpr) -> str:
        raw = self.raw(e)
        if raw is not None:
            if isinstance(e, (ir.IItem, ir.IOutput)) or (isinstance(e, ir.IInput) and e.field == "path"):
                return raw
            if isinstance(e, ir.IStepOutput) and e.fanout:
                return _convert_collected(raw, e.type)
            return _convert(raw, e.type)
        if isinstance(e, ir.ILit):
            return expr_literal(e.value)
        if isinstance(e, ir.IList):
            return "[" + ", ".join(self.code(i) for i in e.items) + "]"
        if isinstance(e, ir.IUnary):
            return f"-({self.code(e.operand)})" if e.op == "-" else f"!({self.code(e.operand)})"
        if isinstance(e, ir.IBinary):
            left, right = self.code(e.left), self.code(e.right)
            if e.op == "in" and _is_text(e.right.type):
                return f"({right} contains {left})"
            op = {"and": "&&", "or": "||"}.get(e.op, e.op)
            return f"({left} {op} {right})"
        if isinstance(e, ir.IIndex):
            return f"{self.code(e.target)}[{self.code(e.key)}]"
        if isinstance(e, ir.ICall):
            args = [self.code(a) for a in e.args]
            if e.func == "str":
                return f"string({args[0]})"
            if e.func == "join":
                return f"join({args[0]}, {args[1]})"
            if e.func == "format_time":
                ts = args[0]
                if self.timezone:
                    # a stock controller's cron runs in time.Local, UTC in its image: workflow.scheduledTime is UTC
                    # (cron_facade.go, robfig/cron in that location; convert.go l. 53 formats it), so the
                    # schedule's zone is applied here (SPEC 1.10: the run's date in its schedule's zone)
                    ts = f"date({ts}).In(timezone({quote(self.timezone)}))"
                return format_time_code(ts, str(e.args[1].value) if isinstance(e.args[1], ir.ILit) else "")
            if e.func == "default":
                raw0 = self.raw(e.args[0])
                if raw0 is not None:
                    return f"({raw0} == '' ? {args[1]} : {args[0]})"
                return f"({args[0]} ?? {args[1]})"
            return f"{e.func}({', '.join(args)})"
        raise TypeError(f"cannot lower {e!r}")  # pragma: no cover - secrets never reach here


def output_uri_param(output: str) -> str:
    """The template parameter that tells a Spark or training job where to write an artifact output."""
    return f"output-{output}"


def _is_text(t: MType) -> bool:
    return t.kind == "str" or (t.kind == "enum" and all(isinstance(v, str) for v in t.values or ()))


def _convert(raw: str, t: MType) -> str:
    if t.kind == "int" or (t.kind == "enum" and t.values and all(isinstance(v, int) for v in t.values)):
        return f"asInt({raw})"
    if t.kind == "float" or (t.kind == "enum" and t.is_numeric):
        return f"asFloat({raw})"
    if t.kind == "bool":
        return f"({raw} == 'true')"
    if t.kind in ("list", "dict"):
        return f"jsonpath({raw}, '$')"
    return raw


_quote = quote


def tag_code(tag: str) -> str:
    """expr-lang code for one tag's value, as a string.

    >>> tag_code("inputs.parameters.my-lr")
    "inputs['parameters']['my-lr']"
    >>> tag_code("=asInt(x) + 1")
    'string(asInt(x) + 1)'
    """
    body = tag.strip()
    if body.startswith("="):
        return f"string({body[1:]})"
    head, *rest = body.split(".")
    return head + "".join(f"[{quote(p)}]" for p in rest)


def string_code(text: str) -> str:
    """expr-lang code whose value is ``text`` with its tags resolved."""
    parts = [tag_code(body) if is_tag else quote(body) for is_tag, body in split(text)]
    return " + ".join(parts) if parts else "''"


#: literal ``{{`` in user text, written so that Argo substitutes it back to ``{{`` instead of reading a tag


def _string_code(text: str) -> str:
    """expr-lang code for the string ``text`` holding neither ``{{`` nor ``}}`` (it is written inside a tag)."""
    body = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + body.replace("{{", '{" + "{').replace("}}", '}" + "}') + '"'


#: ESCAPED_OPEN as expr-lang code (a run-time value's ``{{`` is replaced by it)
_ESCAPED_OPEN_CODE = _string_code(ESCAPED_OPEN)
ESCAPED_OPEN_CODE = _ESCAPED_OPEN_CODE


def escape_code(code: str) -> str:
    """expr-lang code giving the string ``code`` gives with each ``{{`` as :data:`ESCAPED_OPEN`: a run-time
    value handed to a template, which Argo rescans in its later passes (see :func:`escape_text`)."""
    return "replace(" + code + ", '{'+'{', " + _ESCAPED_OPEN_CODE + ")"


def escape_text(s: str, *, suspend: bool = False, fan_out: bool = False) -> str:
    """Literal text where Argo's fasttemplate scans must not find a tag (SPEC §1.9: text arrives as text).

    Argo finds tags with fasttemplate between ``{{`` and the next ``}}`` (argo-workflows v4.1.2
    ``util/template/template.go`` l. 26), with no escape syntax, and scans a template's text several times: the
    DAG's passes, the task's own (``dag.go`` resolveDependencyReferences), the template's two
    (``workflow/common/util.go`` SubstituteParams), a retried pod's two more, and the pod's last
    (``workflowpod.go`` substitutePodParams). Each ``{{`` becomes :data:`~mldsl.argo.tags.ESCAPED_OPEN`, an
    expression that gives ``{{`` only in that last scan and is kept as written in every other; in a suspend
    template (no pod) it is :data:`~mldsl.argo.tags.SUSPEND_OPEN`, given in the template's second pass.

    >>> escape_text("a {{b}} c")
    "a {{=('pod' in $env and not ('node' in $env) and not ('retries' in $env)) ? '{'+'{' : nil}}b}} c"
    """
    return escape_value(s, SUSPEND_OPEN if suspend else ITEM_OPEN if fan_out else ESCAPED_OPEN)


def _convert_collected(raw: str, t: MType) -> str:
    """A fan-out's collected outputs: Argo aggregates them as a JSON list of *strings*
    (argo-workflows v4.1.2 ``workflow/controller/operator.go`` processAggregateNodeOutputs),
    so numbers and booleans are converted item by item before any comparison."""
    items = f"jsonpath({raw}, '$')"
    kind = t.item.kind if t.item is not None else "str"
    if kind == "int" or (t.item is not None and t.item.kind == "enum" and all(isinstance(v, int) for v in t.item.values or ())):
        return f"map({items}, {{asInt(#)}})"
    if kind == "float" or (t.item is not None and t.item.is_numeric):
        return f"map({items}, {{asFloat(#)}})"
    if kind == "bool":
        return f"map({items}, {{# == 'true'}})"
    return items
