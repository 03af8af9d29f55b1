"""What Katib refuses, known by the Katib backend: which strategies it runs, its names, hyperband's eta.

``check(program)`` is the backend's hook (``compiler/targets.py``): the compiler positions what it finds. The
constants are the ones ``katib.py`` emits, so a limit and the manifest it guards cannot drift apart.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from mldsl.compiler import ir
from mldsl.compiler.targets import TargetProblem

#: the sweep strategies Katib runs (grid and random ones are Argo's), and Katib's name for each algorithm
ALGORITHMS = {"bayesian": "bayesianoptimization", "tpe": "tpe", "hyperband": "hyperband"}
KATIB_STRATEGIES = tuple(ALGORITHMS)

#: the eta mldsl gives Katib's hyperband (``algorithmSettings`` in katib.py)
HYPERBAND_ETA = 3

#: Katib's webhook: ``^[a-z]([-a-z0-9]*[a-z0-9])?``, at most 40 characters
#: (kubeflow/katib ``pkg/webhook/v1beta1/experiment/validator/validator.go`` l. 84-85)
NAME_MAX = 40


def report_task(step: str) -> str:
    """The task after a Katib sweep's objective step that prints the objective (``argo/objective.py``)."""
    return f"{ir.step_key(step)}-objective"


def check(program: ir.Program) -> Iterator[TargetProblem]:
    for sweep in program.sweeps:
        if sweep.strategy in KATIB_STRATEGIES:
            yield from _name(sweep)
            yield from _report_task_free(sweep)
        if sweep.strategy == "hyperband" and sweep.budget is not None:
            yield from _hyperband_parallelism(sweep)


def _name(sweep: ir.Sweep) -> Iterator[TargetProblem]:
    if len(sweep.name) > NAME_MAX or not sweep.name[:1].isalpha():
        yield TargetProblem(
            "Sweep",
            sweep.name,
            ("metadata", "name"),
            "MLD105",
            f"a Katib Experiment's name starts with a letter and has at most {NAME_MAX} characters: "
            f"{sweep.name!r} has {len(sweep.name)}",
            "shorten the sweep's name (bayesian, tpe and hyperband sweeps compile to Katib Experiments)",
        )


def _report_task_free(sweep: ir.Sweep) -> Iterator[TargetProblem]:
    task = report_task(sweep.objective_step)
    taken = next((s.name for s in sweep.pipeline.steps if ir.step_key(s.name) == task), None)
    if taken is not None:
        yield TargetProblem(
            "Sweep",
            sweep.name,
            ("spec", "objective", "metric"),
            "MLD711",
            f"Katib reads the objective from a task {task!r} after step {sweep.objective_step!r}, "
            f"and step {taken!r} already has that name",
            f"rename step {taken!r}",
        )


def _hyperband_parallelism(sweep: ir.Sweep) -> Iterator[TargetProblem]:
    """Katib refuses a hyperband Experiment whose ``parallelTrialCount`` is below ``eta ** floor(log_eta(r_l))``
    (kubeflow/katib ``pkg/suggestion/v1beta1/hyperband/service.py`` ValidateAlgorithmSettings, l. 280-285)."""
    dim = next((d for d in sweep.dimensions if d.name == sweep.budget), None)
    if dim is None or len(dim.args) < 2:
        return
    r_l = float(dim.args[1])
    if r_l <= 0:
        return
    need = math.ceil(HYPERBAND_ETA ** int(math.log(r_l) / math.log(HYPERBAND_ETA)))
    if sweep.parallelism < need:
        yield TargetProblem(
            "Sweep",
            sweep.name,
            ("spec", "parallelism"),
            "MLD710",
            f"hyperband with a budget up to {dim.args[1]:g} runs {need} trials at once: "
            f"parallelism {sweep.parallelism} is too low",
            f"set parallelism: {need} (Katib refuses less), or lower the budget's maximum",
        )
