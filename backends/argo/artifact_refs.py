"""Where a pipeline's artifacts are stored and how a consumer finds them: URIs, keys and identities.

The part of :class:`~mldsl.backends.argo.workflow.PipelineEmitter` that answers, per step output, where it is
written in the Project's bucket, whether its producer says where it stored it (a cache hit's earlier run), and
which identity a cached consumer's key names (SPEC §1.9).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mldsl.backends.argo.exprs import Lowering
from mldsl.backends.argo.templates import identity_param, is_resource, uri_param
from mldsl.backends.argo.workflow_meta import artifact_location
from mldsl.compiler import ir
from mldsl.lang.buckets import bucket_uri


class ArtifactRefs:
    """Artifact URIs and identities; the emitter's own state and helpers are declared here for the type checker."""

    project: ir.Project
    pipeline: ir.Pipeline
    uri_refs: set[tuple[str, str]]

    if TYPE_CHECKING:

        def step(self, name: str) -> ir.Step: ...
        def is_resource_step(self, name: str) -> bool: ...
        def job_uri(self, value: ir.IValue, low: Lowering, *, spark: bool) -> str: ...

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
            return f"{ir.step_key(value.step)}:{ref}"
        if isinstance(value, ir.IStepOutput):  # an operator job's output: its URI names this run
            return self.job_uri(value, low, spark=False)
        if isinstance(value, ir.IParam):
            return f"params.{value.name}@{{{{workflow.uid}}}}"
        uri = str(value.value) if isinstance(value, ir.ILit) else low.text(value)
        return f"{uri}@{{{{workflow.uid}}}}"  # external data may change under the same URI: keyed per run

    def artifact_key(self, step: str, output: str) -> str:
        fmt = self.project.artifact_key_format or "{{workflow.name}}/{{step}}"
        return fmt.replace("{{step}}", ir.step_key(step)).rstrip("/") + f"/{output}"

    def artifact_uri(self, step: str, output: str) -> str:
        return f"{bucket_uri(self.project.artifact_bucket or '')}/{self.artifact_key(step, output)}"
