"""Static type checking of ``${{ }}`` expressions: AST in, typed IR out.

Each reference is resolved against a :class:`Scope` (which names exist where)
and every operator and function is checked against the types of its
operands. Errors carry the offset of the offending node in the source string.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from mldsl.compiler import ir
from mldsl.compiler.exprscope import ROOTS, WORKFLOW_FIELDS, Scope, StepInfo
from mldsl.compiler.exprtypes import comparable, intish, stringy
from mldsl.lang import expressions as ast
from mldsl.lang.constraints import Param, secret_problems
from mldsl.lang.mtypes import ANY, BOOL, FLOAT, INT, SECRET, STR, assignable, list_of, type_of_literal
from mldsl.lang.suggest import close_matches

#: strftime directives ``format_time`` takes (SPEC §1.10)
TIME_DIRECTIVES = "YmdHMS"


@dataclass
class ExprIssue:
    code: str
    message: str
    offset: int
    hint: str | None = None


class Checker:
    def __init__(self, scope: Scope):
        self.scope = scope
        self.issues: list[ExprIssue] = []
        self._depth = 0  # 0: the whole expression; more: inside a list, a call, an operator or an index

    def fail(self, node: Any, code: str, message: str, hint: str | None = None) -> ir.IExpr:
        self.issues.append(ExprIssue(code, message, node.offset, hint))
        return ir.ILit(None, ANY)

    # -- dispatch ---------------------------------------------------------
    def check(self, node: ast.Expr) -> ir.IExpr:
        self._depth += 1
        try:
            out = self._check(node)
        finally:
            self._depth -= 1
        if self._depth and out.type.kind == "secret":
            # a secret travels only whole, as a secretKeyRef; inside a list or a call its value would have to be
            # computed into text (and `join([secret(..)], ',')` had no lowering at all: an internal error)
            return self.fail(
                node,
                "MLD303",
                "a secret can only be passed whole, not inside a list, a call, an operator or an index",
                "bind a secret input to ${{ secret('name', 'key') }} or ${{ inputs.x }} alone; the step reads it from env",
            )
        return out

    def _check(self, node: ast.Expr) -> ir.IExpr:
        if isinstance(node, ast.Literal):
            return ir.ILit(node.value, type_of_literal(node.value))
        if isinstance(node, ast.Ref):
            return self.ref(node)
        if isinstance(node, ast.Unary):
            return self.unary(node)
        if isinstance(node, ast.Binary):
            return self.binary(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.ListExpr):
            items = tuple(self.check(i) for i in node.items)
            types = {i.type for i in items}
            elem = types.pop() if len(types) == 1 else (FLOAT if types and types <= {INT, FLOAT} else ANY)
            return ir.IList(items, list_of(elem))
        if isinstance(node, ast.Index):
            return self.index(node)
        raise AssertionError(node)  # pragma: no cover

    # -- references -------------------------------------------------------
    def ref(self, node: ast.Ref) -> ir.IExpr:
        root, rest = node.parts[0], node.parts[1:]
        if root == "params":
            return self.ref_param(node, rest)
        if root == "steps":
            return self.ref_step(node, rest)
        if root == "inputs":
            return self.ref_input(node, rest)
        if root == "outputs":
            return self.ref_output(node, rest)
        if root == "item":
            if self.scope.item is None:
                return self.fail(node, "MLD302", "'item' is only defined in a step with 'for_each'")
            t = self.scope.item
            for part in rest:
                if t.kind == "dict" and t.item is not None:
                    t = t.item
                elif t.kind == "any":
                    t = ANY
                else:
                    return self.fail(node, "MLD304", f"'item' is {self.scope.item}, it has no field {part!r}")
            return ir.IItem(tuple(rest), t)
        if root == "workflow":
            if len(rest) != 1 or rest[0] not in WORKFLOW_FIELDS:
                return self.fail(
                    node, "MLD301", f"unknown reference {node.text!r}", "workflow fields are " + ", ".join(WORKFLOW_FIELDS)
                )
            if rest[0] == "status" and not self.scope.on_exit:
                return self.fail(
                    node,
                    "MLD302",
                    "'workflow.status' is only known in on_exit",
                    "move this step to the pipeline's on_exit handler",
                )
            return ir.IWorkflow(rest[0], WORKFLOW_FIELDS[rest[0]])
        if root == "trial":
            return self.fail(node, "MLD302", "'trial' is only defined inside a Sweep")
        close = close_matches(root, ROOTS, n=1)
        return self.fail(
            node,
            "MLD301",
            f"unknown name {root!r}",
            f"did you mean {close[0]!r}?" if close else "references start with " + ", ".join(ROOTS),
        )

    def ref_param(self, node: ast.Ref, rest: tuple[str, ...]) -> ir.IExpr:
        params = self.scope.params
        if params is None:
            return self.fail(
                node, "MLD302", "'params' is only defined in a pipeline", "inside a module, refer to its inputs: inputs.<name>"
            )
        if len(rest) != 1:
            return self.fail(node, "MLD301", f"invalid reference {node.text!r}", "write params.<name>")
        p = params.get(rest[0])
        if p is None and rest[0] in self.scope.broken:
            return ir.IParam(rest[0], ANY)  # its declaration's error is the root cause: any use is fine
        if p is None:
            return self.fail(node, "MLD301", f"unknown param {rest[0]!r}", _did_you_mean(rest[0], params, "params"))
        return ir.IParam(p.name, p.type)

    def ref_step(self, node: ast.Ref, rest: tuple[str, ...]) -> ir.IExpr:
        steps = self.scope.steps
        if steps is None:
            return self.fail(node, "MLD302", "'steps' is not defined here")
        if len(rest) < 3 or rest[1] != "outputs":
            return self.fail(node, "MLD301", f"invalid reference {node.text!r}", "write steps.<step>.outputs.<name>")
        name, out = rest[0], rest[2]
        info = steps.get(name)
        if name == self.scope.current_step:
            return self.fail(node, "MLD302", f"step {name!r} refers to its own output")
        if info is None and name in self.scope.outer_steps:
            return self.fail(
                node,
                "MLD302",
                f"an exit step cannot read step {name!r} of the pipeline",
                "the exit handler is a DAG of its own: it reads params, workflow.status and its own steps' outputs",
            )
        if info is None:
            return self.fail(node, "MLD301", f"unknown step {name!r}", _did_you_mean(name, steps, "steps"))
        self.scope.refs.add(name)
        if info.outputs is None:  # the module's own errors are reported: a reference of any type, no new error
            return ir.IStepOutput(name, out, ANY, field="uri" if rest[3:] == ("uri",) else None)
        p = info.outputs.get(out)
        if p is None:
            return self.fail(node, "MLD301", f"step {name!r} has no output {out!r}", _did_you_mean(out, info.outputs, "outputs"))
        return self._step_output(node, name, out, rest[3:], info, p)

    def _step_output(self, node: ast.Ref, name: str, out: str, extra: tuple[str, ...], info: StepInfo, p: Param) -> ir.IExpr:
        """The step's output `out` (or its `.uri`), once the step and the output are known."""
        is_art = p.type.kind == "artifact"
        if extra and (extra != ("uri",) or not is_art):
            return self.fail(
                node,
                "MLD301",
                f"invalid reference {node.text!r}",
                "artifact outputs have one field, .uri" if is_art else "parameter outputs have no fields",
            )
        if is_art and info.fanout:
            return self.fail(
                node,
                "MLD310",
                f"artifact output {out!r} of fan-out step {name!r} cannot be collected",
                "fan-out steps can pass on parameter outputs only; write one artifact per item in a later step",
            )
        if extra == ("uri",):
            if not self.scope.artifact_bucket:
                return self.fail(
                    node,
                    "MLD302",
                    "'.uri' needs an artifact bucket",
                    "set spec.artifacts.bucket in mldsl.yaml so that artifact keys are known",
                )
            return ir.IStepOutput(name, out, STR, artifact=True, field="uri")
        t = list_of(p.type) if info.fanout else p.type
        return ir.IStepOutput(name, out, t, artifact=is_art, fanout=info.fanout)

    def ref_input(self, node: ast.Ref, rest: tuple[str, ...]) -> ir.IExpr:
        inputs = self.scope.inputs
        if inputs is None:
            return self.fail(
                node,
                "MLD302",
                "'inputs' is only defined inside a module's run",
                "in a pipeline, use params.<name> or steps.<step>.outputs.<name>",
            )
        if not rest:
            return self.fail(node, "MLD301", "invalid reference 'inputs'", "write inputs.<name>")
        p = inputs.get(rest[0])
        if p is None and rest[0] in self.scope.broken:
            return ir.IInput(rest[0], ANY)  # its declaration's error is the root cause: any use is fine
        if p is None:
            return self.fail(node, "MLD301", f"unknown input {rest[0]!r}", _did_you_mean(rest[0], inputs, "inputs"))
        if p.type.kind == "artifact":
            if rest[1:] != ("path",):
                return self.fail(node, "MLD605", f"artifact input {p.name!r} is a file: use inputs.{p.name}.path")
            return ir.IInput(p.name, STR, field="path")
        if rest[1:]:
            return self.fail(node, "MLD605", f"'.{'.'.join(rest[1:])}' applies to artifact inputs only")
        return ir.IInput(p.name, p.type)

    def ref_output(self, node: ast.Ref, rest: tuple[str, ...]) -> ir.IExpr:
        outputs = self.scope.outputs
        if outputs is None:
            return self.fail(
                node,
                "MLD302",
                "'outputs' is only defined inside a module's run",
                "in a pipeline, read a step's outputs with steps.<step>.outputs.<name>",
            )
        p = outputs.get(rest[0]) if rest else None
        if p is None:
            return self.fail(
                node,
                "MLD301",
                f"unknown output {rest[0] if rest else ''!r}",
                _did_you_mean(rest[0] if rest else "", outputs, "outputs"),
            )
        if (p.type.kind != "artifact" and not self.scope.param_output_paths) or rest[1:] != ("path",):
            return self.fail(
                node,
                "MLD605",
                f"only artifact outputs have a path: use outputs.{p.name}.path"
                if p.type.kind == "artifact" or self.scope.param_output_paths
                else f"{p.name!r} is a parameter output: write it to the file /mldsl/outputs/{p.name}",
            )
        return ir.IOutput(p.name, STR)

    # -- operators --------------------------------------------------------
    def unary(self, node: ast.Unary) -> ir.IExpr:
        operand = self.check(node.operand)
        t = operand.type
        if node.op == "not":
            if t.kind not in ("bool", "any"):
                return self.fail(node, "MLD304", f"'not' needs a bool, got {t}")
            return ir.IUnary("not", operand, BOOL)
        if not (t.is_numeric or t.kind == "any"):
            return self.fail(node, "MLD304", f"'-' needs a number, got {t}")
        return ir.IUnary("-", operand, t if t.kind != "enum" else FLOAT)

    def binary(self, node: ast.Binary) -> ir.IExpr:
        left, right = self.check(node.left), self.check(node.right)
        lt, rt = left.type, right.type
        op = node.op
        anyt = "any" in (lt.kind, rt.kind)
        if op in ("and", "or"):
            for t in (lt, rt):
                if t.kind not in ("bool", "any"):
                    return self.fail(node, "MLD304", f"'{op}' needs bools, got {t}", "compare first, e.g. x == 'a'")
            return ir.IBinary(op, left, right, BOOL)
        if op in ("==", "!="):
            if not (anyt or comparable(lt, rt)):
                return self.fail(
                    node, "MLD304", f"cannot compare {lt} with {rt}", "convert one side with str(), int() or float()"
                )
            return ir.IBinary(op, left, right, BOOL)
        if op in ("<", "<=", ">", ">="):
            if not (anyt or (lt.is_numeric and rt.is_numeric) or (stringy(lt) and stringy(rt))):
                return self.fail(node, "MLD304", f"cannot order {lt} and {rt}", "both sides must be numbers, or both strings")
            return ir.IBinary(op, left, right, BOOL)
        if op == "in":
            if not (anyt or rt.kind in ("list", "dict") or (stringy(rt) and stringy(lt))):
                return self.fail(node, "MLD304", f"'in' needs a list, dict or string on the right, got {rt}")
            return ir.IBinary(op, left, right, BOOL)
        if op == "+":
            if stringy(lt) and stringy(rt):
                return ir.IBinary(op, left, right, STR)
            if lt.kind == "list" and rt.kind == "list":
                return ir.IBinary(op, left, right, lt if assignable(rt, lt) else list_of(ANY))
        if anyt:
            return ir.IBinary(op, left, right, ANY)
        if not (lt.is_numeric and rt.is_numeric):
            return self.fail(
                node,
                "MLD304",
                f"'{op}' needs numbers, got {lt} and {rt}",
                "join strings with '+' only when both sides are strings; convert with str()",
            )
        both_int = intish(lt) and intish(rt)
        return ir.IBinary(op, left, right, INT if both_int and op != "/" else FLOAT)

    def index(self, node: ast.Index) -> ir.IExpr:
        target, idx = self.check(node.target), self.check(node.key)
        t = target.type
        if t.kind == "list" or stringy(t):
            if idx.type.kind not in ("int", "any"):
                return self.fail(node, "MLD304", f"a {t} is indexed by int, got {idx.type}")
            return ir.IIndex(target, idx, t.item or ANY if t.kind == "list" else STR)
        if t.kind == "dict":
            if not (stringy(idx.type) or idx.type.kind == "any"):
                return self.fail(node, "MLD304", f"a {t} is indexed by str, got {idx.type}")
            return ir.IIndex(target, idx, t.item or ANY)
        if t.kind == "any":
            return ir.IIndex(target, idx, ANY)
        return self.fail(node, "MLD304", f"a {t} cannot be indexed")

    # -- functions --------------------------------------------------------
    def call(self, node: ast.Call) -> ir.IExpr:
        f = node.func
        if f == "secret":
            return self.secret(node)
        arity = {"len": 1, "str": 1, "int": 1, "float": 1, "lower": 1, "upper": 1, "join": 2, "default": 2, "format_time": 2}[f]
        if len(node.args) != arity:
            return self.fail(node, "MLD305", f"{f}() takes {arity} argument{'s' if arity > 1 else ''}, got {len(node.args)}")
        args = tuple(self.check(a) for a in node.args)
        a = args[0].type
        anyt = a.kind == "any"
        if f == "len":
            if not (anyt or a.kind in ("list", "dict") or stringy(a)):
                return self.fail(node, "MLD304", f"len() needs a list, dict or string, got {a}")
            return ir.ICall(f, args, INT)
        if f == "str":
            if a.kind in ("artifact", "secret"):
                return self.fail(node, "MLD304", f"str() cannot convert {a}")
            return ir.ICall(f, args, STR)
        if f in ("int", "float"):
            if not (anyt or a.is_numeric or stringy(a)):
                return self.fail(node, "MLD304", f"{f}() needs a number or string, got {a}")
            return ir.ICall(f, args, INT if f == "int" else FLOAT)
        if f in ("lower", "upper"):
            if not (anyt or stringy(a)):
                return self.fail(node, "MLD304", f"{f}() needs a string, got {a}")
            return ir.ICall(f, args, STR)
        if f == "format_time":
            return self.format_time(node, args)
        if f == "join":
            if not (anyt or a.kind == "list"):
                return self.fail(node, "MLD304", f"join() needs a list first, got {a}")
            if not (stringy(args[1].type) or args[1].type.kind == "any"):
                return self.fail(node, "MLD304", f"join()'s separator must be a string, got {args[1].type}")
            return ir.ICall(f, args, STR)
        # default(x, fallback)
        if not (assignable(args[1].type, a) or args[1].type.kind == "null" or anyt):
            return self.fail(node, "MLD304", f"default() fallback {args[1].type} does not fit {a}")
        return ir.ICall(f, args, a)

    def format_time(self, node: ast.Call, args: tuple[ir.IExpr, ...]) -> ir.IExpr:
        ts, fmt = args
        if ts.type.kind not in ("timestamp", "str", "any"):
            return self.fail(node, "MLD304", f"format_time() formats a timestamp, got {ts.type}", "e.g. workflow.scheduled_time")
        if not (isinstance(fmt, ir.ILit) and isinstance(fmt.value, str)):
            return self.fail(node, "MLD305", "format_time()'s format is a quoted string", "e.g. format_time(t, '%Y-%m-%d')")
        bad = [m for m in re.findall(r"%(.?)", fmt.value) if m not in TIME_DIRECTIVES + "%"]
        if bad:
            return self.fail(
                node,
                "MLD305",
                f"format_time() does not know %{bad[0]}",
                "use %Y %m %d %H %M %S (year, month, day, hour, minute, second) and %% for a percent sign",
            )
        return ir.ICall("format_time", args, STR)

    def secret(self, node: ast.Call) -> ir.IExpr:
        if len(node.args) != 2 or not all(isinstance(a, ast.Literal) and isinstance(a.value, str) for a in node.args):
            return self.fail(
                node,
                "MLD502",
                "secret() takes two quoted strings: the secret's name and key",
                "write secret('db-credentials', 'password')",
            )
        name, key = (str(a.value) for a in node.args if isinstance(a, ast.Literal))
        problems = secret_problems(name, key)
        if problems:  # the pod would never start: Kubernetes refuses the reference
            return self.fail(node, "MLD502", "; ".join(problems), "for example secret('db-credentials', 'password')")
        return ir.ISecret(name, key, SECRET)


def _did_you_mean(name: str, options: dict[str, Any], what: str) -> str | None:
    close = close_matches(name, list(options), n=1)
    if close:
        return f"did you mean {close[0]!r}?"
    return f"known {what}: " + ", ".join(sorted(options)) if options else f"there are no {what}"
