"""The Argo Workflows backend: pipelines → WorkflowTemplate (+ CronWorkflow)."""

from mldsl.backends.argo.workflow import emit

__all__ = ["emit"]
