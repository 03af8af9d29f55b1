"""A run's nodes: one per step, fan-out item and attempt group, with Argo's phases."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Argo's node phases (``pkg/apis/workflow/v1alpha1/workflow_types.go`` NodePhase)
DONE = {"Succeeded", "Failed", "Error", "Skipped", "Omitted"}


@dataclass
class Artifact:
    """An artifact on this machine: its local path, and the cluster URI it stands for when it has one."""

    path: Path
    uri: str | None = None

    def file_uri(self) -> str:
        return self.path.resolve().as_uri()


@dataclass
class Node:
    """One step, fan-out item or DAG of a run, as Argo's ``status.nodes`` has it."""

    id: str
    task: str
    template: str
    phase: str = "Pending"
    message: str = ""
    started: float | None = None
    finished: float | None = None
    attempts: int = 0
    cached: bool = False
    item: Any = None
    is_item: bool = False
    log: Path | None = None
    params: dict[str, str] = field(default_factory=dict)
    artifacts: dict[str, Artifact] = field(default_factory=dict)
    children: list[Node] = field(default_factory=list)
    #: a task whose template is a DAG: its own tasks (sub-DAGs, throttled fan-outs)
    inner: dict[str, Node] = field(default_factory=dict)
    total: int | None = None  # a fan-out's item count, once known
    group: bool = False  # expanded by withItems/withParam (a TaskGroup)
    #: its only task failed and ``continueOn`` let the run go on (a ``continue_on_failure`` step)
    continued: bool = False
    #: a pod's main container: its exit code and its standard output (``outputs.result``), as Argo keeps them
    exit_code: str | None = None
    result: str | None = None
    #: ``tasks`` for a DAG task, ``steps`` for a step (``{{tasks.name}}``/``{{steps.name}}``)
    kind: str = "tasks"
    #: a daemon that is running and ready (fulfilled for its dependents until its steps or DAG ends)
    daemoned: bool = False
    daemon_procs: list[Any] = field(default_factory=list)
    #: a daemon's pod network (podnet.PodNetwork), closed with it
    network: Any = None
    #: while a daemon starts: checks a TCP port in its pod's network (PodNetwork.connect)
    network_probe: Any = None
    #: the template the node ran (its declared outputs speak for a skipped node)
    spec: dict[str, Any] | None = None

    def stop_daemon(self, procs: Any) -> None:
        """End a daemon's processes (its steps or DAG has ended)."""
        from mldsl.runner.pods import stop_sidecar

        for proc in self.daemon_procs:
            stop_sidecar(proc, procs)
        self.daemon_procs.clear()
        if self.network is not None:
            self.network.close()
            self.network = None

    def start(self) -> None:
        self.phase = "Running"
        self.started = self.started or time.time()

    def end(self, phase: str, message: str = "") -> None:
        self.phase = phase
        self.message = message or self.message
        self.finished = time.time()
        if self.started is None:
            self.started = self.finished

    @property
    def done(self) -> bool:
        return self.phase in DONE or self.daemoned

    @property
    def duration(self) -> float | None:
        if self.started is None:
            return None
        return (self.finished or time.time()) - self.started
