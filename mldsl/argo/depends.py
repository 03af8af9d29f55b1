"""A DAG task's ``depends`` (and older ``dependencies``) exactly as Argo's controller reads them.

Oracle: argo-workflows v4.1.2 ``workflow/common/ancestry.go`` (how the names are found and how a
bare name is expanded), ``workflow/controller/dag.go`` evaluateDependsLogic (the scope and the
program), ``util/expr/argoexpr/eval.go`` (the expr-lang call), and expr-lang v1.17.8 (pinned in
Argo's ``go.mod`` l. 26) ``parser/lexer/state.go`` / ``parser/parser.go`` for the names that
cannot be task names inside an expression.

>>> depends_names("a && (b-c.Failed || d.AnySucceeded)")
['a', 'b-c', 'd']
>>> resolve_depends("a || b.Failed")
'(a.Succeeded || a.Skipped || a.Daemoned) || b.Failed'
>>> evaluate_depends("a || b.Failed", {"a": TaskResult("Failed"), "b": TaskResult("Failed")})
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "DEPENDS_RESULTS",
    "DependsError",
    "DependsPendingError",
    "TaskResult",
    "dependency_kinds",
    "depends_logic",
    "depends_names",
    "depends_ready",
    "evaluate_depends",
    "invalid_task_result",
    "resolve_depends",
]

#: The results a ``depends`` may test (ancestry.go l. 22-31; ValidateTaskResults l. 101 accepts exactly these).
DEPENDS_RESULTS = ("Succeeded", "Failed", "Errored", "Skipped", "Omitted", "Daemoned", "AnySucceeded", "AllFailed")

#: Node phases (pkg/apis/workflow/v1alpha1/workflow_types.go NodePhase).
NODE_PHASES = frozenset({"Pending", "Running", "Succeeded", "Skipped", "Failed", "Error", "Omitted"})

# ancestry.go l. 35: a ``name.Result`` (lazy name, capitalised result) or else a bare name. Python's
# ``re`` tries alternatives left to right like Go's leftmost-first RE2 search, so matches agree.
_TASK_NAME = re.compile(r"([a-zA-Z0-9][-a-zA-Z0-9]*?\.[A-Z][a-zA-Z]+)|([a-zA-Z0-9][-a-zA-Z0-9]*)")
# ancestry.go l. 36: the ``name.Result`` pairs ValidateTaskResults checks.
_TASK_RESULT = re.compile(r"([a-zA-Z0-9][-a-zA-Z0-9]*?\.[A-Z][a-zA-Z]+)")

# expr-lang v1.17.8 parser/lexer/state.go l. 137-150: these words lex as operators, never as
# identifiers (``not`` l. 138; ``in or and matches contains startsWith endsWith let`` l. 140;
# ``if else`` l. 142, on because argoexpr/eval.go l. 10 never sets DisableIfOperator).
LEXER_KEYWORDS = frozenset({"not", "in", "or", "and", "matches", "contains", "startsWith", "endsWith", "let", "if", "else"})
# parser/parser.go l. 456-473: ``true``/``false``/``nil`` become literals and return before any
# postfix, so ``true.Succeeded`` leaves an unexpected ``.``.
LITERAL_WORDS = frozenset({"true", "false", "nil"})

_FULFILLED = frozenset({"Succeeded", "Failed", "Error", "Skipped", "Omitted"})


class DependsError(Exception):
    """Argo fails the task here (dag.go l. 1024 marks the node Error with this message)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class DependsPendingError(LookupError):
    """A dependency has not finished yet: Argo does not evaluate (dag.go l. 982 returns proceed=false)."""


@dataclass(frozen=True)
class TaskResult:
    """What evaluateDependsLogic reads from a dependency's node (dag.go l. 991-1018).

    ``phase`` is the node's phase (``Succeeded``, ``Failed``, ``Error``, ``Skipped``, ``Omitted``,
    ``Running``, ``Pending``); ``children`` the phases of a task group's expanded children
    (``withItems``/``withParam``/``withSequence``), ``None`` for a task that is not a group;
    ``daemoned`` the node's daemoned flag.
    """

    phase: str
    children: tuple[str, ...] | None = None
    daemoned: bool = False

    def __post_init__(self) -> None:
        for p in (self.phase, *(self.children or ())):
            if p not in NODE_PHASES:
                raise ValueError(f"unknown node phase {p!r}: one of {', '.join(sorted(NODE_PHASES))}")

    @property
    def fulfilled(self) -> bool:
        """NodeStatus.Fulfilled (workflow_types.go l. 2711-2717, NodePhase.Fulfilled l. 2673-2676)."""
        return self.phase in _FULFILLED or (self.daemoned and self.phase != "Pending")

    def scope(self) -> dict[str, bool]:
        """The TaskResults struct of dag.go l. 958-967, filled as l. 991-1018 fills it."""
        any_succeeded = all_failed = False
        if self.children is not None:  # l. 994: only a TaskGroup node has these
            all_failed = len(self.children) > 0  # l. 995
            for child in self.children:
                any_succeeded = any_succeeded or child == "Succeeded"  # l. 1004
                all_failed = all_failed and child == "Failed"  # l. 1005
        return {
            "Succeeded": self.phase == "Succeeded",  # l. 1010
            "Failed": self.phase == "Failed",
            "Errored": self.phase == "Error",  # l. 1012: the node phase is "Error"
            "Skipped": self.phase == "Skipped",
            "Omitted": self.phase == "Omitted",
            "Daemoned": self.daemoned and self.phase != "Pending",  # l. 1015
            "AnySucceeded": any_succeeded,
            "AllFailed": all_failed,
        }


def _matches(depends: str) -> Iterable[tuple[str, str | None, int, int]]:
    """(task name, result or None for a bare name, start, end) per match (ancestry.go l. 54-71)."""
    for m in _TASK_NAME.finditer(depends):
        if m.group(1) is not None:  # l. 59: name.Result
            name, _, result = m.group(1).partition(".")  # l. 61 splits on the first "."
            yield name, result, m.start(1), m.end(1)
        else:  # l. 67: a bare name
            yield m.group(2), None, m.start(2), m.end(2)


def dependency_kinds(depends: str) -> dict[str, str]:
    """Each named dependency -> ``"items"`` when tested with ``.AnySucceeded``/``.AllFailed``, else ``"task"``.

    ancestry.go l. 57-71: an items-based result takes precedence over a plain one (l. 62-65).
    In order of first mention (Argo keeps a map; the order is not observable there).
    """
    kinds: dict[str, str] = {}
    for name, result, _, _ in _matches(depends):
        if result in ("AnySucceeded", "AllFailed"):
            kinds[name] = "items"
        elif name not in kinds:
            kinds[name] = "task"
    return kinds


def depends_names(depends: str, task_names: Iterable[str] = ()) -> list[str]:
    """The tasks a task waits for, as GetTaskDependencies finds them (ancestry.go l. 52-88).

    ``depends`` is the task's ``depends``; ``task_names`` its older ``dependencies:`` list, read
    only when ``depends`` is empty (getTaskDependsLogic, ancestry.go l. 110-122). Any word the
    name pattern (l. 35) matches counts, so ``a and b`` names a task ``and`` (which validation
    then refuses unless it exists).
    """
    return list(dependency_kinds(depends_logic(depends, task_names)))


def depends_logic(depends: str, dependencies: Iterable[str] = (), tasks: Mapping[str, Any] | None = None) -> str:
    """getTaskDependsLogic (ancestry.go l. 110-122): ``depends`` as written, else the ``dependencies``
    joined with `` && ``, each expanded as expandDependency does with that task's ``continueOn``."""
    if depends:
        return depends  # l. 111-113
    return " && ".join(_expand(name, tasks) for name in dependencies)  # l. 117-121


def _continue_on(name: str, tasks: Mapping[str, Any] | None) -> Mapping[str, Any]:
    if tasks is None:
        return {}
    if name not in tasks:
        # dag.go l. 89-96: the controller's GetTask panics for a name that is not a task
        raise DependsError(f"target {name} does not exist")
    task = tasks[name]
    co = task.get("continueOn") if isinstance(task, Mapping) else None
    return co if isinstance(co, Mapping) else {}


def _expand(name: str, tasks: Mapping[str, Any] | None) -> str:
    """expandDependency (ancestry.go l. 124-137): a bare name is Succeeded, Skipped or Daemoned,
    and also Errored / Failed when that task has ``continueOn.error`` / ``continueOn.failed``."""
    co = _continue_on(name, tasks)
    results = ["Succeeded", "Skipped", "Daemoned"]  # l. 127
    if co.get("error") is True:  # l. 129
        results.append("Errored")
    if co.get("failed") is True:  # l. 132
        results.append("Failed")
    return "(" + " || ".join(f"{name}.{r}" for r in results) + ")"  # l. 136


def resolve_depends(depends: str, tasks: Mapping[str, Any] | None = None) -> str:
    """GetTaskDependencies' second result (ancestry.go l. 74-87): every bare name replaced by its
    expansion, from the last match backwards so the offsets hold. ``tasks`` maps the DAG's task
    names to the tasks (for ``continueOn``; a name missing from it is an error, as at dag.go l. 95)."""
    bare = [(start, end, name) for name, result, start, end in _matches(depends) if result is None]
    for start, end, name in sorted(bare, reverse=True):  # l. 78-81: descending start
        depends = depends[:start] + _expand(name, tasks) + depends[end:]
    return depends


def invalid_task_result(depends: str) -> str | None:
    """ValidateTaskResults (ancestry.go l. 90-108): the message for the first ``name.Result`` whose
    result is not one of DEPENDS_RESULTS, else None."""
    for m in _TASK_RESULT.finditer(depends):
        name, _, result = m.group(1).partition(".")
        if result not in DEPENDS_RESULTS:
            return f"task result '{result}' for task '{name}' is invalid"  # l. 104
    return None


def depends_ready(depends: str, results: Mapping[str, TaskResult], task_names: Iterable[str] = ()) -> bool:
    """Whether every dependency has a fulfilled node (dag.go l. 979-984), so Argo evaluates now."""
    for name in depends_names(depends, task_names):
        r = results.get(name)
        if r is None or not r.fulfilled:
            return False
    return True


def _parse_error(name: str) -> str | None:
    """Why expr-lang cannot parse ``<name>.Result`` (the form every dependency takes after the
    expansion), or None when it can. ``name`` already has ``-`` replaced by ``_``."""
    if name in LEXER_KEYWORDS:
        # state.go l. 138-146: an operator token where an operand is expected (parser.go l. 546);
        # ``not``, ``let`` and ``if`` then choke on the "." that follows (parser.go l. 225-231, 398)
        token = "." if name in ("not", "let", "if") else name
        return f'unexpected token Operator("{token}")'
    if name in LITERAL_WORDS:
        return 'unexpected token Operator(".")'  # parser.go l. 456-473, then l. 78-79
    if name[:1].isdigit():
        # state.go l. 36-38 lexes a number; scanNumber l. 110-114 refuses the letters after it.
        # Validation already refuses such names in a DAG using depends (validate.go l. 1468).
        return "bad number syntax"
    return None


def evaluate_depends(
    depends: str,
    results: Mapping[str, TaskResult],
    *,
    tasks: Mapping[str, Any] | None = None,
    dependencies: Sequence[str] = (),
) -> bool:
    """Whether a task runs (True) or is Omitted (False), as evaluateDependsLogic decides (dag.go l. 971-1027).

    ``depends`` is the task's ``depends`` (or empty with ``dependencies`` its older list);
    ``results`` holds the finished dependencies by task name; ``tasks`` (optional) maps every task
    of the DAG to its definition, for the ``continueOn`` of bare names and to refuse names that are
    not tasks. Raises DependsPendingError when a dependency has not finished (Argo waits) and
    DependsError where Argo errors the task.
    """
    logic = resolve_depends(depends_logic(depends, dependencies, tasks), tasks)
    if not logic:
        return True  # dag.go l. 580: without any logic the task is not gated
    env: dict[str, Any] = {}
    for name in dependency_kinds(logic):
        r = results.get(name)
        if r is None or not r.fulfilled:  # l. 981-984: not yet
            raise DependsPendingError(f"dependency {name!r} has not finished")
        env.setdefault(name.replace("-", "_"), r.scope())  # l. 986-989
    # l. 1021: every "-" of the resolved logic becomes "_" (names and anything else alike)
    eval_logic = logic.replace("-", "_")
    prefix = f"unable to evaluate expression '{eval_logic}'"  # l. 1024
    for name in env:
        why = _parse_error(name)
        if why is not None:
            raise DependsError(f"{prefix}: {why}")
    for m in _TASK_RESULT.finditer(logic):
        result = m.group(1).partition(".")[2]
        if result not in DEPENDS_RESULTS:
            # expr-lang's checker: the env's values are dag.go's TaskResults struct (l. 958-967)
            raise DependsError(f"{prefix}: type controller.TaskResults has no field {result}")
    from mldsl.argo import exprlang  # here: a DAG without depends never needs the evaluator

    try:
        value = exprlang.evaluate(eval_logic, env)  # argoexpr/eval.go l. 10-16
    except exprlang.ExprError as exc:
        raise DependsError(f"{prefix}: {exc}") from None
    if not isinstance(value, bool):
        # argoexpr/eval.go l. 18-21
        raise DependsError(f"{prefix}: unable to cast expression result '{exprlang.go_string(value)}' to bool")
    return value
