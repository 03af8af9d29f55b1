"""mldsl.argo.depends against Argo v4.1.2's own rules and tests.

Each case cites the Go line it reproduces: ``workflow/common/ancestry.go`` (names, expansion),
``workflow/controller/dag.go`` evaluateDependsLogic (scope, evaluation), their tests
``workflow/common/ancestry_test.go`` and ``workflow/controller/dag_test.go``, and expr-lang v1.17.8
``parser/lexer/state.go`` / ``parser/parser.go`` for the names that break the expression.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from mldsl.argo.depends import (
    DEPENDS_RESULTS,
    LEXER_KEYWORDS,
    LITERAL_WORDS,
    DependsError,
    DependsPendingError,
    TaskResult,
    dependency_kinds,
    depends_logic,
    depends_names,
    depends_ready,
    evaluate_depends,
    invalid_task_result,
    resolve_depends,
)

S, F, E, SK, OM, R, P = "Succeeded", "Failed", "Error", "Skipped", "Omitted", "Running", "Pending"


# -- the names a depends mentions ---------------------------------------------------------------

NAMES = [
    # ancestry_test.go l. 32-38: a bare name and name.Result alike
    ("(task-1 || task-2.Succeeded) && !task-3.Succeeded", (), ["task-1", "task-2", "task-3"]),
    # ancestry_test.go l. 48-54: no spaces needed
    ("(task-1||(task-2.Succeeded || task-2.Failed))&&!task-3.Failed", (), ["task-1", "task-2", "task-3"]),
    # ancestry_test.go l. 56-59: one name however often it appears
    ("(task-1 || task-1.Succeeded) && !task-1.Failed", (), ["task-1"]),
    # ancestry.go l. 35: the name pattern takes any word, so `and` is a dependency named "and"
    ("a.Succeeded and b.Succeeded", (), ["a", "and", "b"]),
    # ancestry.go l. 35: a lower-case "result" is not a result: `a.b` names two tasks
    ("a.b", (), ["a", "b"]),
    # ancestry.go l. 110-122: the older `dependencies:` list when depends is empty
    ("", ("x", "y-z"), ["x", "y-z"]),
    # ancestry.go l. 111-113: depends wins over dependencies
    ("a", ("x",), ["a"]),
    ("", (), []),
]


@pytest.mark.parametrize(("depends", "dependencies", "names"), NAMES)
def test_depends_names(depends: str, dependencies: tuple[str, ...], names: list[str]) -> None:
    assert depends_names(depends, dependencies) == names


def test_dependency_kinds_items_take_precedence() -> None:
    # ancestry.go l. 62-66; ancestry_test.go l. 61-64
    assert dependency_kinds("task-1.Succeeded && task-1.AnySucceeded") == {"task-1": "items"}
    assert dependency_kinds("b.AllFailed || b") == {"b": "items"}
    assert dependency_kinds("a || b.Failed") == {"a": "task", "b": "task"}


# -- expansion (ancestry.go l. 74-87, 124-137) ----------------------------------------------------

RESOLVED: list[tuple[str, Mapping[str, Any] | None, str]] = [
    # ancestry_test.go l. 36
    (
        "(task-1 || task-2.Succeeded) && !task-3.Succeeded",
        None,
        "((task-1.Succeeded || task-1.Skipped || task-1.Daemoned) || task-2.Succeeded) && !task-3.Succeeded",
    ),
    # ancestry_test.go l. 43: .AnySucceeded is not expanded
    (
        "(task-1 || task-2.AnySucceeded) && !task-3.Succeeded",
        None,
        "((task-1.Succeeded || task-1.Skipped || task-1.Daemoned) || task-2.AnySucceeded) && !task-3.Succeeded",
    ),
    # ancestry_test.go l. 66-70: continueOn.failed adds Failed (ancestry.go l. 132-134)
    (
        "task-1",
        {"task-1": {"continueOn": {"failed": True}}},
        "(task-1.Succeeded || task-1.Skipped || task-1.Daemoned || task-1.Failed)",
    ),
    # ancestry_test.go l. 72-76: continueOn.error adds Errored (ancestry.go l. 129-131)
    (
        "task-1",
        {"task-1": {"continueOn": {"error": True}}},
        "(task-1.Succeeded || task-1.Skipped || task-1.Daemoned || task-1.Errored)",
    ),
    # ancestry_test.go l. 78-82: both, Errored first
    (
        "task-1",
        {"task-1": {"continueOn": {"failed": True, "error": True}}},
        "(task-1.Succeeded || task-1.Skipped || task-1.Daemoned || task-1.Errored || task-1.Failed)",
    ),
    # ancestry.go l. 78-85: several bare names, replaced back to front
    ("a && b", None, "(a.Succeeded || a.Skipped || a.Daemoned) && (b.Succeeded || b.Skipped || b.Daemoned)"),
]


@pytest.mark.parametrize(("depends", "tasks", "resolved"), RESOLVED)
def test_resolve_depends(depends: str, tasks: Mapping[str, Any] | None, resolved: str) -> None:
    assert resolve_depends(depends, tasks) == resolved


def test_dependencies_list_becomes_depends() -> None:
    # ancestry_test.go l. 115-118 (getTaskDependsLogic, ancestry.go l. 115-121)
    assert depends_logic("", ["task-1", "task-2"]) == (
        "(task-1.Succeeded || task-1.Skipped || task-1.Daemoned) && (task-2.Succeeded || task-2.Skipped || task-2.Daemoned)"
    )
    # ancestry.go l. 128-135: the depended-on task's continueOn widens it
    tasks = {"a": {"continueOn": {"failed": True}}, "b": {}}
    assert depends_logic("", ["a", "b"], tasks) == (
        "(a.Succeeded || a.Skipped || a.Daemoned || a.Failed) && (b.Succeeded || b.Skipped || b.Daemoned)"
    )


def test_a_bare_name_that_is_no_task() -> None:
    # dag.go l. 89-96: the controller's GetTask panics ("target X does not exist")
    with pytest.raises(DependsError, match="target c does not exist"):
        resolve_depends("a && c", {"a": {}})


# -- ValidateTaskResults (ancestry.go l. 90-108; ancestry_test.go l. 86-102) ----------------------

RESULT_CHECKS = [
    ("(task-1 || task-2.Succeeded) && !task-3", None),
    ("((task-1.Succeeded || task-1.Failed) || task-2.Succeeded) && !task-3.Skipped && task-2.Failed || task-6.Succeeded", None),
    ("((task-1.Succeeded || task-1.Omitted) || task-2.Succeeded) && !task-3.Skipped", None),
    ("(task-1.DoeNotExist || task-2.Succeeded)", "task result 'DoeNotExist' for task 'task-1' is invalid"),
    ("a.Errored || a.Daemoned || a.AnySucceeded || a.AllFailed", None),
    ("a.Error", "task result 'Error' for task 'a' is invalid"),  # the result is "Errored", the phase "Error"
]


@pytest.mark.parametrize(("depends", "message"), RESULT_CHECKS)
def test_invalid_task_result(depends: str, message: str | None) -> None:
    assert invalid_task_result(depends) == message


# -- TaskResult: what the scope holds (dag.go l. 991-1018) ----------------------------------------

SCOPES = [
    (TaskResult(S), {"Succeeded": True}),
    (TaskResult(F), {"Failed": True}),
    (TaskResult(E), {"Errored": True}),  # l. 1012: phase Error is result Errored
    (TaskResult(SK), {"Skipped": True}),
    (TaskResult(OM), {"Omitted": True}),
    # l. 1015: daemoned and past Pending
    (TaskResult(R, daemoned=True), {"Daemoned": True}),
    (TaskResult(P, daemoned=True), {}),
    (TaskResult(S, daemoned=True), {"Succeeded": True, "Daemoned": True}),
    # l. 994-1006: a task group's children
    (TaskResult(S, children=(S, F)), {"Succeeded": True, "AnySucceeded": True}),
    (TaskResult(F, children=(F, F)), {"Failed": True, "AllFailed": True}),
    (TaskResult(F, children=(F, E)), {"Failed": True}),  # Error is not Failed (l. 1005)
    (TaskResult(S, children=()), {"Succeeded": True}),  # l. 995: no children, not AllFailed
    # not a group: AnySucceeded / AllFailed stay false whatever the phase
    (TaskResult(S), {"Succeeded": True}),
    (TaskResult(F), {"Failed": True}),
]


@pytest.mark.parametrize(("result", "true"), SCOPES)
def test_task_result_scope(result: TaskResult, true: dict[str, bool]) -> None:
    scope = result.scope()
    assert set(scope) == set(DEPENDS_RESULTS)
    assert {k for k, v in scope.items() if v} == set(true)


def test_task_result_refuses_unknown_phases() -> None:
    with pytest.raises(ValueError, match="unknown node phase"):
        TaskResult("Errored")


# -- evaluation, ported from dag_test.go -----------------------------------------------------------

DIAMOND = {
    "A": {},
    "B": {"depends": "A"},
    "C": {"depends": "A"},
    "should-execute-1": {"depends": "A && (C.Succeeded || C.Failed)"},
    "should-execute-2": {"depends": "B || C"},
    "should-not-execute": {"depends": "B && C"},
    "should-execute-3": {"depends": "should-execute-2 || should-not-execute"},
}

EVALUATIONS: list[tuple[str, str, dict[str, TaskResult], bool]] = [
    # dag_test.go l. 312-331 (TestEvaluateDependsLogic): A succeeded, B and C run
    ("l. 320", "A", {"A": TaskResult(S)}, True),
    # dag_test.go l. 333-357: B succeeded, C failed
    ("l. 338", "A && (C.Succeeded || C.Failed)", {"A": TaskResult(S), "C": TaskResult(F)}, True),
    ("l. 343", "B || C", {"B": TaskResult(S), "C": TaskResult(F)}, True),
    ("l. 348", "B && C", {"B": TaskResult(S), "C": TaskResult(F)}, False),
    # dag_test.go l. 352-361: a skipped task counts for a bare name
    (
        "l. 358",
        "should-execute-2 || should-not-execute",
        {"should-execute-2": TaskResult(S), "should-not-execute": TaskResult(SK)},
        True,
    ),
    # dag_test.go l. 364-466 (TestEvaluateAnyAllDependsLogic)
    ("l. 415", "A.AnySucceeded", {"A": TaskResult(S, children=(R, R))}, False),
    ("l. 424", "A.AnySucceeded", {"A": TaskResult(S, children=(R, S))}, True),
    ("l. 441", "B.AllFailed", {"B": TaskResult(S, children=(F, R))}, False),
    ("l. 449", "B.AllFailed", {"B": TaskResult(S, children=(F, F))}, True),
    # dag_test.go l. 519-555 (TestEvaluateDependsLogicWhenTaskOmitted)
    ("l. 551", "A.Omitted", {"A": TaskResult(OM)}, True),
    # dag_test.go l. 468-500: a daemoned running task is fulfilled and Daemoned
    ("l. 496", "A", {"A": TaskResult(R, daemoned=True)}, True),
    # a bare name is not Failed, Errored or Omitted (ancestry.go l. 127)
    ("ancestry l. 127", "A", {"A": TaskResult(F)}, False),
    ("ancestry l. 127", "A", {"A": TaskResult(E)}, False),
    ("ancestry l. 127", "A", {"A": TaskResult(OM)}, False),
    ("ancestry l. 127", "A", {"A": TaskResult(SK)}, True),
    # not a task group: AnySucceeded is false even for a succeeded task (dag.go l. 991-1007)
    ("dag.go l. 991", "A.AnySucceeded", {"A": TaskResult(S)}, False),
    ("dag.go l. 991", "A.AllFailed", {"A": TaskResult(F)}, False),
    # dag.go l. 1012: Errored is the Error phase
    ("dag.go l. 1012", "A.Errored", {"A": TaskResult(E)}, True),
    ("dag.go l. 1012", "A.Errored || A.Failed", {"A": TaskResult(S)}, False),
    # dag.go l. 986, 1021: "-" is "_" for expr-lang, in names and logic alike
    ("dag.go l. 1021", "task-1.Succeeded && !task-2.Failed", {"task-1": TaskResult(S), "task-2": TaskResult(S)}, True),
    # builtin function names are fine as variables: the env is looked up first (checker.go l. 263-266)
    ("checker.go l. 264", "len && all.Succeeded && map", {n: TaskResult(S) for n in ("len", "all", "map")}, True),
    # a keyword with "-" becomes a plain identifier ("in-1" -> "in_1")
    ("dag.go l. 986", "in-1 && not-me", {"in-1": TaskResult(S), "not-me": TaskResult(S)}, True),
]


@pytest.mark.parametrize(("source", "depends", "results", "runs"), EVALUATIONS)
def test_evaluate_depends(source: str, depends: str, results: dict[str, TaskResult], runs: bool) -> None:
    assert evaluate_depends(depends, results) is runs


@pytest.mark.parametrize("status", ["Succeeded", "Failed", "Skipped"])
def test_every_result_and_its_negation(status: str) -> None:
    # dag_test.go l. 557-608 (TestAllEvaluateDependsLogic)
    phase = {"Succeeded": S, "Failed": F, "Skipped": SK}[status]
    assert evaluate_depends(f"same.{status}", {"same": TaskResult(phase)}) is True
    assert evaluate_depends(f"!same.{status}", {"same": TaskResult(phase)}) is False


def test_the_diamond_of_dag_test_with_tasks() -> None:
    # dag_test.go l. 259-362, passing the DAG's tasks
    results = {"A": TaskResult(S), "B": TaskResult(S), "C": TaskResult(F)}
    assert evaluate_depends(DIAMOND["should-execute-1"]["depends"], results, tasks=DIAMOND) is True
    assert evaluate_depends(DIAMOND["should-not-execute"]["depends"], results, tasks=DIAMOND) is False


def test_dependencies_list_with_continue_on() -> None:
    # ancestry.go l. 115-137: `dependencies: [a]` where a has continueOn.failed runs after a fails
    tasks = {"a": {"continueOn": {"failed": True}}, "b": {"dependencies": ["a"]}}
    assert evaluate_depends("", {"a": TaskResult(F)}, tasks=tasks, dependencies=["a"]) is True
    assert evaluate_depends("", {"a": TaskResult(E)}, tasks=tasks, dependencies=["a"]) is False
    assert evaluate_depends("", {"a": TaskResult(F)}, dependencies=["a"]) is False  # without continueOn


def test_no_logic_runs() -> None:
    # dag.go l. 580: a task without depends/dependencies is not gated
    assert evaluate_depends("", {}) is True


# -- waiting (dag.go l. 979-984) ---------------------------------------------------------------------

PENDING = [
    ("A", {}),  # no node yet
    ("A", {"A": TaskResult(R)}),  # dag_test.go l. 310-314: running
    ("A", {"A": TaskResult(P, daemoned=True)}),  # daemoned but pending is not fulfilled
    ("A && B", {"A": TaskResult(S)}),
]


@pytest.mark.parametrize(("depends", "results"), PENDING)
def test_pending(depends: str, results: dict[str, TaskResult]) -> None:
    assert depends_ready(depends, results) is False
    with pytest.raises(DependsPendingError):
        evaluate_depends(depends, results)


def test_ready() -> None:
    assert depends_ready("A && B.Failed", {"A": TaskResult(SK), "B": TaskResult(F)}) is True
    assert depends_ready("", {}, ["x"]) is False  # the dependencies list is read too


# -- where Argo errors the task (dag.go l. 1022-1025) -------------------------------------------------

# every word expr-lang's lexer makes an operator (state.go l. 137-147) and the literals the parser
# returns without a postfix (parser.go l. 456-473): `<name>.Result` cannot parse
BROKEN_NAMES = sorted(LEXER_KEYWORDS | LITERAL_WORDS)


@pytest.mark.parametrize("name", BROKEN_NAMES)
def test_a_task_named_like_an_expr_keyword_breaks_its_dependants(name: str) -> None:
    for depends in (name, f"{name}.Succeeded", f"ok && {name}.Failed"):
        results = {name: TaskResult(S), "ok": TaskResult(S)}
        with pytest.raises(DependsError, match=r"^unable to evaluate expression '.*': unexpected token"):
            evaluate_depends(depends, results)


def test_the_keywords_are_expr_langs() -> None:
    # state.go l. 138 (not), l. 140 (in or and matches contains startsWith endsWith let), l. 142 (if else)
    assert {"not", "in", "or", "and", "matches", "contains", "startsWith", "endsWith", "let", "if", "else"} == LEXER_KEYWORDS
    assert {"true", "false", "nil"} == LITERAL_WORDS


def test_a_name_starting_with_a_digit_breaks_the_number_lexer() -> None:
    # state.go l. 36-38, scanNumber l. 110-114 (validation refuses these names first: validate.go l. 1468)
    with pytest.raises(DependsError, match="bad number syntax"):
        evaluate_depends("1a", {"1a": TaskResult(S)})


def test_an_unknown_result_is_a_checker_error() -> None:
    # the env's values are dag.go's TaskResults struct (l. 958-967): expr's checker refuses other fields
    with pytest.raises(DependsError, match="has no field Done"):
        evaluate_depends("a.Done", {"a": TaskResult(S)})


def test_the_message_is_argos() -> None:
    # dag.go l. 1024: the logic as evaluated, "-" already "_"
    with pytest.raises(DependsError) as info:
        evaluate_depends("in", {"in": TaskResult(S)})
    assert info.value.message.startswith("unable to evaluate expression '(in.Succeeded || in.Skipped || in.Daemoned)': ")


def test_a_result_that_is_not_a_bool() -> None:
    # argoexpr/eval.go l. 18-21
    with pytest.raises(DependsError, match="unable to cast expression result"):
        evaluate_depends("[]", {})


def test_a_syntax_error() -> None:
    with pytest.raises(DependsError, match=r"^unable to evaluate expression '"):
        evaluate_depends("(a.Succeeded", {"a": TaskResult(S)})
