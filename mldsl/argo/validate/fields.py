"""The controller's field names, limits and template types, and the small readers of a manifest's mappings."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

#: ``lookup(kind, name)``: the WorkflowTemplate / ClusterWorkflowTemplate of that name, or None.
Lookup = Callable[[str, str], "Mapping[str, Any] | None"]

_PLACEHOLDER = "__argo__internal__placeholder-"  # util/template/placeholder.go l. 8
# util/variables/keys: the magic scope keys validate.go l. 93-95 checks for
_ANY_ITEM = "item.*"
_ANY_WF_OUT_PARAM = "workflow.outputs.parameters.*"
_ANY_WF_OUT_ART = "workflow.outputs.artifacts.*"
# workflow/common/common.go l. 303: only tags under these roots are checked
_CHECKED_ROOTS = ("item.", "steps.", "inputs.", "outputs.", "pod.", "workflow.", "tasks.")
# validate.go l. 1690-1692, 1711-1713
_PARAM_RE = re.compile(r"\{\{[-a-zA-Z0-9]+(\.[-a-zA-Z0-9_]+)*\}\}")
_PARAM_OR_ARTIFACT_NAME = re.compile(r"[-a-zA-Z0-9_]+")
_FIELD_NAME = re.compile(r"[a-zA-Z0-9][-a-zA-Z0-9]*")
_FIELD_NAME_MSG = (
    "name must consist of alpha-numeric characters or '-', and must start with an alpha-numeric character"
    " (e.g. My-name1-2, 123-NAME)"
)
_PARAM_NAME_MSG = "Parameter/Artifact name must consist of alpha-numeric characters, '_' or '-' e.g. my_param_1, MY-PARAM-1"
_MAX_FIELD_NAME = 128  # validate.go l. 1713
_MAX_OBJECT_NAME = 63  # validate.go l. 101
_MAX_CRON_NAME = 52  # validate.go l. 105
_PLACEHOLDER_FRAGMENT = re.compile(re.escape(_PLACEHOLDER) + r"\d+")  # validate.go l. 1695
# pkg/apis/workflow/v1alpha1/workflow_types.go GetType l. 3457-3489, in that order
_TYPES = (
    ("container", "Container"),
    ("containerSet", "ContainerSet"),
    ("steps", "Steps"),
    ("dag", "DAG"),
    ("script", "Script"),
    ("resource", "Resource"),
    ("data", "Data"),
    ("suspend", "Suspend"),
    ("http", "HTTP"),
    ("plugin", "Plugin"),
)
_POD_TYPES = {"Container", "ContainerSet", "Script", "Resource", "Data"}  # IsPodType l. 3513-3519
_LEAF_TYPES = _POD_TYPES | {"HTTP", "Plugin"}  # IsLeaf l. 3522-3528
_TYPE_CHOICES = "choose one of: container, containerSet, steps, script, resource, dag, suspend, template, template ref"
_RETRY_POLICIES = {"Always", "OnError", "OnFailure", "OnTransientError", ""}  # validate.go l. 690
_POD_GC = {"", "OnPodCompletion", "OnPodSuccess", "OnWorkflowCompletion", "OnWorkflowSuccess"}  # types l. 138-148
_RESOURCE_ACTIONS = {"get", "create", "apply", "delete", "replace", "patch"}  # validate.go l. 922
_GO_INT = re.compile(r"[+-]?[0-9]+")


class _ProblemError(Exception):
    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}" if path else message)
        self.text = str(self)


def _d(x: Any) -> Mapping[str, Any]:
    return x if isinstance(x, Mapping) else {}


def _l(x: Any) -> list[Any]:
    return x if isinstance(x, list) else []


def _s(v: Any) -> str:
    """An AnyString's text (a YAML number or bool arrives as its literal)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _str(x: Any) -> str:
    return x if isinstance(x, str) else "" if x is None else _s(x)


def _atoi(s: str) -> int | None:
    """Go's strconv.Atoi: optional sign and decimal digits, within int64."""
    if not _GO_INT.fullmatch(s):
        return None
    n = int(s)
    return n if -(2**63) <= n < 2**63 else None


def _go_json(obj: Any) -> str:
    """Like Go's json.Marshal: compact, UTF-8, with <, > and & escaped."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
