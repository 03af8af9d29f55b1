"""What Argo's controller refuses before it runs a workflow, as argo-workflows v4.1.2 decides it.

``validate_workflow`` walks a Workflow, WorkflowTemplate, ClusterWorkflowTemplate or CronWorkflow
(a dict, as loaded from YAML) the way ``workflow/validate/validate.go`` ``Workflow`` does (the
controller calls it with ``Opts{}``, ``workflow/controller/operator.go`` l. 4517-4524): the same
order, the same template-resolution rules, the same static scope for ``{{...}}`` references, and
no check that Argo does not make. Argo stops at the first error; this returns the first error of
each independent unit (the workflow's own fields, the entrypoint, the exit handler, each template),
each prefixed with the field path it is about. Every rule cites the Go line it reproduces.

``validate_cron`` checks a CronWorkflow's own fields (validate.go l. 436-469) and its schedules with
robfig/cron v3.0.1's ``ParseStandard`` (Argo's ``go.mod`` l. 51), and ``schedule_error`` tells which
field of a schedule is wrong.

Pure: no I/O, no clock. A WorkflowTemplate/ClusterWorkflowTemplate is found through ``lookup(kind,
name)``; time-zone names through an optional ``known_zone(name)``.
"""

from __future__ import annotations

from mldsl.argo.validate.cron import CronError, schedule_error, validate_cron
from mldsl.argo.validate.fields import Lookup
from mldsl.argo.validate.workflow import validate_workflow

__all__ = ["CronError", "Lookup", "schedule_error", "validate_cron", "validate_workflow"]
