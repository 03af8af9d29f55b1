"""What may run next in a DAG or a steps template: pure, no threads and no clock.

The engine drives it (``engine.py`` starts what it says, reports back what ended), as Argo keeps
``workflow/controller/dag.go`` and ``steps.go`` apart from the pod executor. Scheduling is linear in
tasks: a finished task only wakes its own dependents (a counter per task), never a rescan.

Argo v4.1.2 rules followed here:

* a task waits until every dependency it names has completed, then runs when its ``depends``
  holds over their results, or is ``Omitted`` ("omitted: depends condition not met"); a ``depends``
  that cannot be evaluated errors the task (``dag.go`` executeDAGTask l. 583-597);
* only the target tasks and their ancestors run: ``dag.target`` when given, otherwise every task that
  no other task depends on (``dag.go`` executeDAG l. 300-306, findLeafTaskNames l. 879-901);
* a DAG's phase comes from its target tasks' branches; a failed branch whose task ``continueOn``
  covers it does not fail the DAG; with ``failFast`` (the default) the first failure decides
  (``dag.go`` assessDAGPhase l. 214-247); a task whose branch failed is not followed by new tasks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

#: Argo's phases a node ends in (``workflow_types.go`` NodePhase)
FAILED = frozenset({"Failed", "Error"})


@dataclass(frozen=True)
class Decision:
    """What to do with a task whose dependencies have all completed."""

    task: str
    action: str  # "run" | "omit" | "error"
    message: str = ""


@dataclass
class DagSchedule:
    """One DAG's bookkeeping: which tasks wait on which, which have ended, what to start next.

    ``depends(task, results)`` decides a task with a ``depends`` clause: True to run, False to omit,
    raising ``ValueError`` (its message kept) when the clause cannot be evaluated.
    """

    deps: Mapping[str, Sequence[str]]
    has_logic: Mapping[str, bool]
    depends: Callable[[str, Mapping[str, object]], bool]
    continues: Callable[[str, str], bool]
    target: Sequence[str] = ()
    fail_fast: bool = True
    results: dict[str, object] = field(default_factory=dict)
    phases: dict[str, str] = field(default_factory=dict)
    _waiting: dict[str, int] = field(default_factory=dict)
    _dependents: dict[str, list[str]] = field(default_factory=dict)
    _wanted: set[str] = field(default_factory=set)
    #: each ended task's branch phase: its own, or for an omitted task its parents' (a failure preferred)
    _branch: dict[str, str] = field(default_factory=dict)
    _targets: set[str] = field(default_factory=set)
    _halted: bool = False

    def __post_init__(self) -> None:
        for name, ds in self.deps.items():
            for d in ds:
                self._dependents.setdefault(d, []).append(name)
        targets = list(self.target) or leaves(self.deps)
        self.target = targets
        self._targets = set(targets)
        self._wanted = ancestry(targets, self.deps)
        self._waiting = {n: sum(1 for d in self.deps[n] if d in self._wanted) for n in self.deps if n in self._wanted}

    def start(self) -> list[Decision]:
        """The first decisions: every wanted task with no dependency."""
        return [self._decide(n) for n in self.deps if n in self._wanted and self._waiting[n] == 0]

    def finish(self, task: str, phase: str, result: object) -> list[Decision]:
        """``task`` ended with ``phase``; the decisions it makes possible (each dependent's last dependency)."""
        self.phases[task] = phase
        self.results[task] = result
        if phase == "Omitted":
            inherited = [self._branch.get(d, "Succeeded") for d in self.deps[task]]
            self._branch[task] = next((p for p in inherited if p in FAILED), "Succeeded")
        else:
            self._branch[task] = phase
        branch = self._branch[task]
        if self.fail_fast and task in self._targets and branch in FAILED and not self.continues(task, branch):
            self._halted = True
        out = []
        for nxt in self._dependents.get(task, ()):
            if nxt not in self._wanted:
                continue
            self._waiting[nxt] -= 1
            if self._waiting[nxt] == 0:
                out.append(self._decide(nxt))
        return out

    @property
    def halted(self) -> bool:
        """With failFast, a target's branch failed: the DAG is decided and no new task starts (Argo marks the
        DAG node Failed and never visits it again, ``dag.go`` l. 238-241, 359-366)."""
        return self._halted

    def _decide(self, task: str) -> Decision:
        if not self.has_logic.get(task):
            return Decision(task, "run")
        try:
            run = self.depends(task, {d: self.results[d] for d in self.deps[task] if d in self.results})
        except ValueError as exc:
            return Decision(task, "error", str(exc))
        return Decision(task, "run") if run else Decision(task, "omit", "omitted: depends condition not met")

    def never_started(self) -> list[str]:
        """Wanted tasks that have no phase (the DAG ended before their turn)."""
        return [n for n in self.deps if n in self._wanted and n not in self.phases]

    def phase(self) -> tuple[str, str]:
        """The DAG's phase once nothing runs any more, and the task that decided it (``dag.go`` assessDAGPhase:
        an omitted task inherits its parents' branch phase, a failure preferred; a target whose ``continueOn``
        covers its branch's failure does not fail the DAG)."""
        for name in self.target:
            branch = self._branch.get(name)
            if branch in FAILED and not self.continues(name, branch):
                return branch, self._culprit(name)
        return "Succeeded", ""

    def _culprit(self, task: str) -> str:
        """The task whose failure an omitted target inherited."""
        while self.phases.get(task) == "Omitted":
            task = next((d for d in self.deps[task] if self._branch.get(d) in FAILED), task)
            if self.phases.get(task) != "Omitted":
                break
        return task


def leaves(deps: Mapping[str, Sequence[str]]) -> list[str]:
    """Tasks no other task depends on, in declaration order (``dag.go`` findLeafTaskNames)."""
    needed = {d for ds in deps.values() for d in ds}
    return [n for n in deps if n not in needed]


def ancestry(targets: Iterable[str], deps: Mapping[str, Sequence[str]]) -> set[str]:
    """The targets and everything they depend on, transitively."""
    seen: set[str] = set()
    stack = [t for t in targets if t in deps]
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        seen.add(n)
        stack.extend(d for d in deps[n] if d in deps)
    return seen


def step_groups(groups: Sequence[Sequence[Mapping[str, object]]]) -> list[list[str]]:
    """A steps template's groups as names: each group runs after the previous one succeeded (``steps.go``)."""
    return [[str(s["name"]) for s in g] for g in groups]
