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

import json
import posixpath
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from mldsl.argo import depends as dep

__all__ = ["CronError", "Lookup", "schedule_error", "validate_cron", "validate_workflow"]

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


# -- {{...}} tags: github.com/valyala/fasttemplate as util/template uses it --------------------------


class _TagError(Exception):
    pass


def _tags(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, tag) of each ``{{tag}}``: the first ``}}`` after each ``{{`` closes it; a ``{{``
    without one is an error (fasttemplate NewTemplate)."""
    pos = 0
    while True:
        start = text.find("{{", pos)
        if start < 0:
            return
        close = text.find("}}", start + 2)
        if close < 0:
            raise _TagError(f'Cannot find end tag="}}}}" in the template starting from {text[start + 2 :][:40]!r}')
        yield start, close + 2, text[start + 2 : close]
        pos = close + 2


def _replace(text: str, values: Mapping[str, str]) -> str:
    """template.Replace(..., allowUnresolved=true) (util/template/template.go l. 37-58,
    simple_template.go l. 17-75); expression tags stay as written (validation resolves none)."""
    out: list[str] = []
    pos = 0
    for start, end, tag in _tags(text):
        out.append(text[pos:start])
        pos = end
        if tag.startswith("="):  # kind.go l. 22-29: an expression
            out.append("{{" + tag + "}}")
            continue
        key = tag.strip()
        if key in values:
            out.append(json.dumps(values[key], ensure_ascii=False)[1:-1])
            continue
        nested = tag.rfind("{{")  # simple_template.go l. 21-38: {{a.{{b}}...
        if nested > 0 and tag[nested + 2 :] in values:
            out.append("{{" + tag[:nested] + json.dumps(values[tag[nested + 2 :]], ensure_ascii=False)[1:-1])
            continue
        out.append("{{" + tag + "}}")
    out.append(text[pos:])
    return "".join(out)


def _needs_resolution(text: str) -> bool:
    """VerifyResolvedVariables (validate.go l. 631-639) fails: a simple tag is left, or a ``{{`` is unclosed."""
    try:
        return any(not tag.startswith("=") for _, _, tag in _tags(text))
    except _TagError:
        return True


def _unresolved(scope: set[str], globals_: Mapping[str, str], text: str, wft: bool) -> str | None:
    """resolveAllVariables (validate.go l. 797-836): the first simple tag under a checked root
    (common.go l. 303) that is neither in scope nor global nor one of the runtime-only prefixes."""
    any_item = _ANY_ITEM in scope
    any_param = _ANY_WF_OUT_PARAM in scope
    any_art = _ANY_WF_OUT_ART in scope
    try:
        tags = [tag for _, _, tag in _tags(text)]
    except _TagError as exc:
        return str(exc)
    for tag in tags:
        if tag.startswith("="):
            continue  # util/template/validate.go l. 17-18: expressions are not validated
        t = tag.strip()
        if not t.startswith(_CHECKED_ROOTS) or t in scope or t in globals_:
            continue
        if (t == "item" or t.startswith("item.")) and any_item:  # l. 812
            continue
        if t.startswith("workflow.outputs.parameters.") and any_param:  # l. 815
            continue
        if t.startswith("workflow.outputs.artifacts.") and any_art:  # l. 817
            continue
        if t.startswith(
            # l. 819-827: self-reference for metrics, and values only known at run time
            (
                "outputs.",
                "workflow.creationTimestamp",
                "workflow.scheduledTime",
                "workflow.duration",
                "tasks.name",
                "steps.name",
                "node.name",
            )
        ):
            continue
        if t.startswith("workflow.parameters") and wft:  # l. 828: a template alone may get them later
            continue
        return f"failed to resolve {{{{{tag}}}}}"  # l. 831
    return None


# -- names ----------------------------------------------------------------------------------------


def _field_name_errors(name: str, params: bool) -> str | None:
    """isValidWorkflowFieldName / isValidParamOrArtifactName (validate.go l. 1702-1727)."""
    if params:
        return None if _PARAM_OR_ARTIFACT_NAME.fullmatch(name) else _PARAM_NAME_MSG
    errs = []
    if len(name) > _MAX_FIELD_NAME:
        errs.append(f"must be no more than {_MAX_FIELD_NAME} characters")
    if not _FIELD_NAME.fullmatch(name):
        errs.append(_FIELD_NAME_MSG)
    return ";".join(errs) or None


def _names_problem(items: list[Any], params: bool) -> tuple[int, str] | None:
    """validateWorkflowFieldNames (validate.go l. 1350-1396): (index, message) of the first
    missing, invalid or repeated ``name``."""
    seen: set[str] = set()
    for i, item in enumerate(items):
        name = _str(_d(item).get("name"))
        if not name:
            return i, "name is required"  # l. 1377
        why = _field_name_errors(name, params)
        if why:
            return i, f"name '{name}' is invalid: {why}"  # l. 1387
        if name in seen:
            return i, f"name '{name}' is not unique"  # l. 1391
        seen.add(name)
    return None


def _is_parameter(s: str) -> bool:
    return _PARAM_RE.search(s) is not None  # validate.go l. 1698-1700


# -- artifacts ------------------------------------------------------------------------------------

_LOCATIONS = ("artifactory", "azure", "git", "gcs", "hdfs", "http", "oss", "raw", "s3", "plugin")


def _has_location_or_key(art: Mapping[str, Any]) -> bool:
    """ArtifactLocation.HasLocationOrKey (workflow_types.go l. 1477): the first configured kind
    (Get, l. 1420-1447) has a full location or a key."""
    for kind in _LOCATIONS:
        loc = art.get(kind)
        if loc is None:
            continue
        v = _d(loc)
        if kind in ("artifactory", "http"):
            url = _str(v.get("url"))
            full = _has(v, "url", "usernameSecret") if kind == "artifactory" else bool(url)
            try:
                url_key = urlsplit(url).path  # GetKey: the URL's path (l. 3015-3021, 3224-3230)
            except ValueError:
                url_key = ""
            return full or bool(url_key)
        location = _has(v, *_LOCATION_FIELDS[kind])
        key_field = {"azure": "blob", "gcs": "key", "hdfs": "path", "oss": "key", "s3": "key", "plugin": "key"}.get(kind)
        return location or (key_field is not None and bool(_str(v.get(key_field))))
    return False


# each kind's HasLocation (workflow_types.go l. 2935-3396): the fields it needs
_LOCATION_FIELDS: dict[str, tuple[str, ...]] = {
    "azure": ("endpoint", "container", "blob"),
    "git": ("repo",),
    "gcs": ("bucket", "key"),
    "hdfs": ("addresses",),
    "oss": ("bucket", "endpoint", "key"),
    "raw": (),
    "s3": ("endpoint", "bucket", "key"),
    "plugin": ("name", "configuration", "key"),
}


def _has(v: Mapping[str, Any], *keys: str) -> bool:
    return all(v.get(k) not in (None, "", [], {}) for k in keys)


def _go_clean(path: str) -> str:
    """Go's filepath.Clean on a slash path."""
    if not path:
        return "."
    cleaned = posixpath.normpath(path)
    return "/" + cleaned.lstrip("/") if cleaned.startswith("//") else cleaned


def _clean_path_error(art: Mapping[str, Any]) -> str | None:
    """Artifact.CleanPath (workflow_types.go l. 1212-1248)."""
    name, path = _str(art.get("name")), _str(art.get("path"))
    if not path:
        return f"Artifact '{name}' did not specify a path"
    safe = ""
    if "/../" in path:
        safe = path.split("/../", 1)[0]
    elif path.endswith("/.."):
        safe = path[:-3]
    cleaned = _go_clean(path)
    if safe and (not cleaned.startswith(safe + "/") or len(cleaned) <= len(safe) + 1):
        return f"Artifact '{name}' attempted to use a path containing '..'. Directory traversal is not permitted"
    return None


def _artifact_location_error(prefix: str, art: Mapping[str, Any]) -> str | None:
    """validateArtifactLocation (validate.go l. 780-794) with hdfs.ValidateArtifact (hdfs.go l. 53-75)."""
    if art.get("git") is not None and not _str(_d(art.get("git")).get("repo")):
        return f"{prefix}.git.repo is required"
    if art.get("hdfs") is not None:
        h, p = _d(art.get("hdfs")), f"{prefix}.hdfs"
        if not _l(h.get("addresses")):
            return f"{p}.addresses is required"
        path = _str(h.get("path"))
        if not path:
            return f"{p}.path is required"
        if not path.startswith("/"):
            return f"{p}.path must be a absolute file path"
        ccache, keytab = h.get("krbCCacheSecret") is not None, h.get("krbKeytabSecret") is not None
        if not _str(h.get("hdfsUser")) and not ccache and not keytab:
            return f"either {p}.hdfsUser, {p}.krbCCacheSecret or {p}.krbKeytabSecret is required"
        spn, conf = _str(h.get("krbServicePrincipalName")), h.get("krbConfigConfigMap")
        if keytab and (not spn or conf is None or not _str(h.get("krbUsername")) or not _str(h.get("krbRealm"))):
            return (
                f"{p}.krbServicePrincipalName, {p}.krbConfigConfigMap, {p}.krbUsername and {p}.krbRealm"
                f" are required with {p}.krbKeytabSecret"
            )
        if ccache and (not spn or conf is None):
            return f"{p}.krbServicePrincipalName and {p}.krbConfigConfigMap are required with {p}.krbCCacheSecret"
    return None


# -- label selectors (k8s.io/apimachinery metav1.LabelSelectorAsSelector) ------------------------

_ALNUM_RULE = "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
_LABEL_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
_DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")


def _label_key_error(key: str) -> str | None:
    prefix, _, name = key.rpartition("/")
    if "/" in prefix or (key.count("/") == 1 and (not prefix or len(prefix) > 253 or not _DNS_SUBDOMAIN.fullmatch(prefix))):
        return f"invalid label key {key!r}: prefix part must be a DNS-1123 subdomain"
    if not name or len(name) > 63 or not _LABEL_NAME.fullmatch(name):
        return f"invalid label key {key!r}: name part must consist of {_ALNUM_RULE}"
    return None


def _label_value_error(value: str) -> str | None:
    if value and (len(value) > 63 or not _LABEL_NAME.fullmatch(value)):
        return f"invalid label value: {value!r}: a valid label must be an empty string or consist of {_ALNUM_RULE}"
    return None


def _selector_error(sel: Mapping[str, Any]) -> str | None:
    for k, v in _d(sel.get("matchLabels")).items():
        why = _label_key_error(_str(k)) or _label_value_error(_str(v))
        if why:
            return why
    for e in _l(sel.get("matchExpressions")):
        e = _d(e)
        op, values = _str(e.get("operator")), [_str(v) for v in _l(e.get("values"))]
        if op not in ("In", "NotIn", "Exists", "DoesNotExist"):
            return f'"{op}" is not a valid label selector operator'
        why = _label_key_error(_str(e.get("key")))
        if why:
            return why
        if op in ("In", "NotIn") and not values:
            return "for 'in', 'notin' operators, values set can't be empty"
        if op in ("Exists", "DoesNotExist") and values:
            return "values set must be empty for exists and does not exist"
        for v in values:
            why = _label_value_error(v)
            if why:
                return why
    return None


# -- template bases (templateresolution.TemplateContext) ------------------------------------------


@dataclass(frozen=True)
class _Base:
    """A TemplateHolder: the object whose ``templates`` a plain ``template:`` name refers to."""

    kind: str  # Workflow | WorkflowTemplate | ClusterWorkflowTemplate
    name: str
    spec: Mapping[str, Any]
    path: str  # field path of ``spec``, e.g. "spec" or "WorkflowTemplate/x.spec"

    @property
    def scope(self) -> str:  # GetTemplateScope, templateresolution/context.go l. 172-174
        resource = {"Workflow": "local", "WorkflowTemplate": "namespaced"}.get(self.kind, "cluster")
        return f"{resource}/{self.name}"

    def template(self, name: str) -> tuple[str, Mapping[str, Any]] | None:
        """GetTemplateByName: the first template of that name (workflow_template_types.go l. 45-52)."""
        for i, t in enumerate(_l(self.spec.get("templates"))):
            if isinstance(t, Mapping) and t.get("name") == name:
                return f"{self.path}.templates[{i}]", t
        return None


def _template_type(tmpl: Mapping[str, Any]) -> str | None:
    for key, kind in _TYPES:
        if tmpl.get(key) is not None:
            return kind
    return None


def _has_output(tmpl: Mapping[str, Any]) -> bool:
    """Template.HasOutput (workflow_types.go l. 3564-3566)."""
    if any(tmpl.get(k) is not None for k in ("container", "script", "data", "http", "plugin")):
        return True
    return _container_set_has(tmpl, "main")


def _container_set_has(tmpl: Mapping[str, Any], name: str) -> bool:
    return any(_d(c).get("name") == name for c in _l(_d(tmpl.get("containerSet")).get("containers")))


def _exit_hook(holder: Mapping[str, Any]) -> bool:
    """HasExitHook (workflow_types.go l. 1860-1862, 3696-3698): ``onExit`` or a hook named ``exit``."""
    return bool(_str(holder.get("onExit"))) or "exit" in _d(holder.get("hooks"))


class _FakeArgs:
    """validate.go FakeArguments (l. 110-121): every parameter and artifact is supplied."""


_Args = Mapping[str, Any] | _FakeArgs


class _Validator:
    """templateValidationCtx (validate.go l. 56-82)."""

    def __init__(self, lookup: Lookup | None, wft: bool):
        self.lookup = lookup
        self.wft = wft  # Opts.WorkflowTemplateValidation
        self.counter = 0
        self.globals: dict[str, str] = {}
        for key in ("workflow.name", "workflow.namespace", "workflow.mainEntrypoint"):  # l. 71-75
            self.globals[key] = self.placeholder()
        self.globals["workflow.serviceAccountName"] = self.placeholder()
        self.globals["workflow.uid"] = self.placeholder()
        self.results: set[str] = set()

    def placeholder(self) -> str:
        self.counter += 1
        return f"{_PLACEHOLDER}{self.counter}"

    def get(self, kind: str, name: str) -> Mapping[str, Any] | None:
        found = self.lookup(kind, name) if self.lookup is not None else None
        return found if isinstance(found, Mapping) else None

    def base_of(self, kind: str, name: str) -> _Base | None:
        obj = self.get(kind, name)
        if obj is None:
            return None
        return _Base(kind, name, _d(obj.get("spec")), f"{kind}/{name}.spec")

    # -- validateTemplateHolder (validate.go l. 642-698) -----------------------------------------

    def holder(self, holder: Mapping[str, Any], hpath: str, base: _Base, args: _Args) -> Mapping[str, Any] | None:
        ref = holder.get("templateRef")
        name = _str(holder.get("template"))
        if ref is not None:
            r = _d(ref)
            if name:
                raise _ProblemError(hpath, "template name cannot be specified with templateRef")  # l. 647
            if not _str(r.get("name")):
                raise _ProblemError(f"{hpath}.templateRef", "resource name is required")  # l. 650
            if not _str(r.get("template")):
                raise _ProblemError(f"{hpath}.templateRef", "template name is required")  # l. 653
            if _needs_resolution(_go_json(r)):
                return None  # l. 655-658: resolved at run time, not validated
        elif name and base.template(name) is None:
            raise _ProblemError(f"{hpath}.template", f"template name '{name}' undefined")  # l. 660-667
        # ResolveTemplate (templateresolution/context.go l. 155-165, 186-256)
        inline = holder.get("inline")
        if inline is not None:
            tmpl, tpath, tbase = _d(inline), f"{hpath}.inline", base
        elif ref is not None:
            r = _d(ref)
            kind = "ClusterWorkflowTemplate" if r.get("clusterScope") is True else "WorkflowTemplate"
            rname, rtmpl = _str(r.get("name")), _str(r.get("template"))
            found_base = self.base_of(kind, rname)
            found = found_base.template(rtmpl) if found_base is not None else None
            if found_base is None or found is None:
                if _PLACEHOLDER in rtmpl:
                    return None  # validate.go l. 674-677: a dynamic template
                raise _ProblemError(f"{hpath}.templateRef", f"template reference {rname}.{rtmpl} not found")  # l. 679
            (tpath, tmpl), tbase = found, found_base
        elif name:
            found = base.template(name)
            assert found is not None  # checked above
            (tpath, tmpl), tbase = found, base
        else:
            raise _ProblemError(hpath, "failed to get a template")  # context.go l. 164
        if _template_type(tmpl) is None:
            raise _ProblemError(tpath, f"template '{_str(tmpl.get('name'))}' type is unknown")  # context.go l. 251-253
        retry = tmpl.get("retryStrategy")
        if retry is not None:
            policy = _str(_d(retry).get("retryPolicy"))
            if policy not in _RETRY_POLICIES:  # l. 688-695
                raise _ProblemError(f"{tpath}.retryStrategy.retryPolicy", f"{policy} is not a valid RetryPolicy")
        self.template(tmpl, tpath, tbase, args, hpath)
        return tmpl

    # -- validateTemplate (validate.go l. 489-628) -----------------------------------------------

    def template(self, tmpl: Mapping[str, Any], tpath: str, base: _Base, args: _Args, hpath: str) -> None:
        tname = _str(tmpl.get("name"))
        types = [k for k, _ in _TYPES if tmpl.get(k) is not None]
        if len(types) > 1:  # validateTemplateType l. 721-737
            raise _ProblemError(tpath, f"multiple template types specified ({', '.join(types)}). {_TYPE_CHOICES}")
        ttype = _template_type(tmpl) or ""
        leaf = ttype in _LEAF_TYPES
        if tmpl.get("podResources") is not None:
            if ttype in ("HTTP", "Plugin"):  # l. 494-500
                raise _ProblemError(f"{tpath}.podResources", f"podResources is not supported for {ttype} templates")
            _pod_resources(f"{tpath}.podResources", tmpl.get("podResources"))
        scope = self.inputs(tmpl, tpath, leaf)
        for i, c in enumerate(_l(tmpl.get("initContainers"))):  # l. 480-487
            if not _str(_d(c).get("name")):
                raise _ProblemError(f"{tpath}.initContainers[{i}]", "initContainers must all have container name")
        local: dict[str, str] = {}
        if ttype in _POD_TYPES:  # l. 516-519
            local["pod.name"] = self.placeholder()
        if tmpl.get("retryStrategy") is not None:  # l. 520-531
            for key in ("retries", "lastRetry.exitCode", "lastRetry.status", "lastRetry.duration", "lastRetry.message"):
                local[key] = self.placeholder()
        scope |= set(local)
        if leaf:  # l. 532-543
            outputs = _d(tmpl.get("outputs"))
            for a in _l(outputs.get("artifacts")):
                if _str(_d(a).get("path")):
                    scope.add(f"outputs.artifacts.{_str(_d(a).get('name'))}.path")
            for p in _l(outputs.get("parameters")):
                if _str(_d(_d(p).get("valueFrom")).get("path")):
                    scope.add(f"outputs.parameters.{_str(_d(p).get('name'))}.path")
        new = self.process_args(tmpl, tpath, args, local, hpath)  # l. 545-548
        ntype = _template_type(new) or ""
        if _l(tmpl.get("resourceClaims")) and ntype not in _POD_TYPES:  # l. 556-560
            raise _ProblemError(
                f"{tpath}.resourceClaims",
                f"resourceClaims is not supported for {ntype} templates, which do not create a pod",
            )
        timeout = new.get("timeout")
        if timeout not in (None, ""):  # l. 562-571
            if ntype not in _LEAF_TYPES:
                raise _ProblemError(f"{tpath}.timeout", f"{ntype} template doesn't support timeout field")
            if _atoi(_s(timeout)) is not None:
                raise _ProblemError(f"{tpath}.timeout", f"{tname} has invalid duration format in timeout")
        if new.get("pendingTimeout") not in (None, "") and ntype not in _LEAF_TYPES:  # l. 573-575
            raise _ProblemError(f"{tpath}.pendingTimeout", f"{ntype} template doesn't support pendingTimeout field")
        key = base.scope + tname  # l. 577-584: each template's body is checked once
        if key in self.results:
            return
        self.results.add(key)
        scope |= set(self.globals)  # l. 586-588
        if ntype == "Steps":
            self.steps(new, tpath, base, scope)
        elif ntype == "DAG":
            self.dag(new, tpath, base, scope)
        else:
            self.leaf(new, tpath, base, scope)
        self.outputs(new, tpath, scope)  # l. 600
        archive = new.get("archiveLocation")
        if archive is not None:  # l. 604-610
            why = _artifact_location_error("archiveLocation", _d(archive))
            if why:
                raise _ProblemError(tpath, why)
        for i, m in enumerate(_l(_d(new.get("metrics")).get("prometheus"))):  # l. 611-626
            self.metric(_d(m), f"{tpath}.metrics.prometheus[{i}]")

    def metric(self, m: Mapping[str, Any], path: str) -> None:
        name = _str(m.get("name"))
        # workflow/metrics/util.go l. 18-21: Prometheus' legacy name rule, without ':'
        if not re.fullmatch(r"[a-zA-Z_][a-zA-Z0-9_]*", name):
            raise _ProblemError(
                path, f"metric name '{name}' is invalid. Metric names must contain alphanumeric characters or '_'"
            )
        for lab in _l(m.get("labels")):  # util.go l. 43-50
            key = _str(_d(lab).get("key"))
            if not re.fullmatch(r"[a-zA-Z_][a-zA-Z0-9_]*", key):
                raise _ProblemError(
                    path, f"metric label '{key}' is invalid: keys may only contain alphanumeric characters or '_'"
                )
        if not _str(m.get("help")):  # validate.go l. 619-621
            raise _ProblemError(path, f"metric '{name}' must contain a help string under 'help: ' field")
        gauge = m.get("gauge")
        if gauge is not None:  # util.go l. 23-41
            g = _d(gauge)
            if not _str(g.get("value")):
                raise _ProblemError(path, f"metric '{name}' error: missing gauge.value")
            if g.get("realtime") is True and "resourcesDuration." in _str(g.get("value")):
                raise _ProblemError(path, f"metric '{name}' error: 'resourcesDuration.*' metrics cannot be used in real-time")
        for kind in ("counter", "histogram"):
            if m.get(kind) is not None and not _str(_d(m.get(kind)).get("value")):
                raise _ProblemError(path, f"metric '{name}' error: missing {kind}.value")

    # -- validateInputs (validate.go l. 739-778) --------------------------------------------------

    def inputs(self, tmpl: Mapping[str, Any], tpath: str, leaf: bool) -> set[str]:
        inputs = _d(tmpl.get("inputs"))
        params, arts = _l(inputs.get("parameters")), _l(inputs.get("artifacts"))
        for kind, items in (("parameters", params), ("artifacts", arts)):
            bad = _names_problem(items, params=True)
            if bad:
                raise _ProblemError(f"{tpath}.inputs.{kind}[{bad[0]}]", bad[1])
        scope = {f"inputs.parameters.{_str(_d(p).get('name'))}" for p in params}
        if params:
            scope.add("inputs.parameters")
        for i, a in enumerate(arts):
            a = _d(a)
            apath, name = f"{tpath}.inputs.artifacts[{i}]", _str(a.get("name"))
            scope.add(f"inputs.artifacts.{name}")
            if leaf:
                why = _clean_path_error(a)
                if why:
                    raise _ProblemError(apath, why)
                scope.add(f"inputs.artifacts.{name}.path")
            elif _str(a.get("path")):
                raise _ProblemError(f"{apath}.path", "path only valid in container/script templates")
            if _str(a.get("from")):
                raise _ProblemError(f"{apath}.from", "from not valid in inputs")
            why = _artifact_location_error(f"inputs.artifacts.{name}", a)
            if why:
                raise _ProblemError(apath, why)
        return scope

    # -- common.ProcessArgs (workflow/common/util.go l. 200-329) ---------------------------------

    def process_args(
        self, tmpl: Mapping[str, Any], tpath: str, args: _Args, local: Mapping[str, str], hpath: str
    ) -> Mapping[str, Any]:
        new = json.loads(_go_json(tmpl))
        inputs = new.get("inputs") if isinstance(new.get("inputs"), dict) else {}
        for p in _l(inputs.get("parameters")):
            if not isinstance(p, dict):
                continue
            name = _str(p.get("name"))
            if p.get("value") is None and p.get("default") is not None:  # l. 137-141
                p["value"] = p["default"]
            arg = (
                {"name": name, "value": self.placeholder()} if isinstance(args, _FakeArgs) else _by_name(args, "parameters", name)
            )
            if arg is not None:  # overwriteWithArguments l. 143-153
                if arg.get("value") is not None:
                    p["value"], p["valueFrom"] = arg["value"], None
                else:
                    p["valueFrom"], p["value"] = arg.get("valueFrom"), None
            cm = _d(p.get("valueFrom")).get("configMapKeyRef") if p.get("valueFrom") is not None else None
            if cm is None and p.get("value") is None:  # substituteAndGetConfigMapValue l. 187-190
                raise _ProblemError(hpath, f"inputs.parameters.{name} was not supplied")
        for a in _l(inputs.get("artifacts")):  # l. 235-254
            if not isinstance(a, dict):
                continue
            name = _str(a.get("name"))
            arg = {"name": name} if isinstance(args, _FakeArgs) else _by_name(args, "artifacts", name)
            if a.get("optional") is not True and not _has_location_or_key(a) and arg is None:
                raise _ProblemError(hpath, f"inputs.artifacts.{name} was not supplied")  # l. 242
        try:
            return self.substitute(new, local)
        except _TagError as exc:
            raise _ProblemError(tpath, str(exc)) from None

    def substitute(self, tmpl: dict[str, Any], local: Mapping[str, str]) -> Mapping[str, Any]:
        """SubstituteParams (util.go l. 273-329): globals and locals first, then the inputs."""
        values = {**self.globals, **local}
        text = _replace(_go_json(tmpl), values)
        replaced = json.loads(text)
        inputs = _d(replaced.get("inputs"))
        for p in _l(inputs.get("parameters")):
            p = _d(p)
            if p.get("value") is not None:  # l. 290-296
                values[f"inputs.parameters.{_str(p.get('name'))}"] = _s(p["value"])
        values["inputs.parameters"] = _go_json(_l(inputs.get("parameters")))  # l. 298-302
        for a in _l(inputs.get("artifacts")):
            if _str(_d(a).get("path")):
                values[f"inputs.artifacts.{_str(_d(a).get('name'))}.path"] = _str(_d(a).get("path"))
        outputs = _d(replaced.get("outputs"))
        for a in _l(outputs.get("artifacts")):
            if _str(_d(a).get("path")):
                values[f"outputs.artifacts.{_str(_d(a).get('name'))}.path"] = _str(_d(a).get("path"))
        for p in _l(outputs.get("parameters")):
            path = _str(_d(_d(p).get("valueFrom")).get("path"))
            if path:
                values[f"outputs.parameters.{_str(_d(p).get('name'))}.path"] = path
        result = json.loads(_replace(text, values))
        return result if isinstance(result, dict) else {}

    # -- validateLeaf (validate.go l. 855-991) ---------------------------------------------------

    def leaf(self, tmpl: Mapping[str, Any], tpath: str, base: _Base, scope: set[str]) -> None:
        why = _unresolved(scope, self.globals, _go_json(tmpl), self.wft)
        if why:
            raise _ProblemError(tpath, why)  # l. 860-863
        inputs_arts = [_d(a) for a in _l(_d(tmpl.get("inputs")).get("artifacts"))]
        container = tmpl.get("container")
        if container is not None:
            c = _d(container)
            mounts: dict[str, str] = {}
            for i, vm in enumerate(_l(c.get("volumeMounts"))):  # l. 866-872
                mp = _str(_d(vm).get("mountPath"))
                if mp in mounts:
                    raise _ProblemError(
                        f"{tpath}.container.volumeMounts[{i}].mountPath", f"'{mp}' already mounted in {mounts[mp]}"
                    )
                mounts[mp] = f"container.volumeMounts.{_str(_d(vm).get('name'))}"
            for i, a in enumerate(inputs_arts):  # l. 873-878
                p = _str(a.get("path"))
                if p in mounts:
                    raise _ProblemError(f"{tpath}.inputs.artifacts[{i}].path", f"'{p}' already mounted in {mounts[p]}")
                mounts[p] = f"inputs.artifacts.{_str(a.get('name'))}"
            if not _str(c.get("image")) and not self.default_image(base, "container"):  # l. 879-892
                raise _ProblemError(f"{tpath}.container.image", "container.image may not be empty")
        cset = tmpl.get("containerSet")
        if cset is not None:  # l. 894-909
            why = _container_set_error(_d(cset))
            if why:
                raise _ProblemError(f"{tpath}.containerSet", why)
            outputs = _d(tmpl.get("outputs"))
            if (inputs_arts or _l(outputs.get("parameters")) or _l(outputs.get("artifacts"))) and not _container_set_has(
                tmpl, "main"
            ):
                raise _ProblemError(
                    f"{tpath}.containerSet.containers", 'containers must have a container named "main" for input or output'
                )
            for c in _l(_d(cset).get("containers")):
                if _reserved(_str(_d(c).get("name"))):
                    raise _ProblemError(
                        f"{tpath}.containerSet.containers", f"{_str(_d(c).get('name'))!r} is a reserved Argo container name"
                    )
        for i, s in enumerate(_l(tmpl.get("sidecars"))):  # l. 914-918
            if _reserved(_str(_d(s).get("name"))):
                raise _ProblemError(f"{tpath}.sidecars[{i}]", f"{_str(_d(s).get('name'))!r} is a reserved Argo container name")
        resource = tmpl.get("resource")
        if resource is not None:
            self.resource(_d(resource), f"{tpath}.resource", inputs_arts)
        script = tmpl.get("script")
        if script is not None and not _str(_d(script).get("image")) and not self.default_image(base, "script"):
            raise _ProblemError(f"{tpath}.script.image", "script.image may not be empty")  # l. 962-977
        ads = tmpl.get("activeDeadlineSeconds")
        if ads is not None:  # l. 979-986
            msg = "activeDeadlineSeconds must be a positive integer > 0 or an argo variable"
            if isinstance(ads, bool) or not isinstance(ads, (int, str)):
                raise _ProblemError(f"{tpath}.activeDeadlineSeconds", msg)
            if isinstance(ads, int):
                if ads < 0:
                    raise _ProblemError(f"{tpath}.activeDeadlineSeconds", msg)
            else:
                n = _atoi(ads)
                valid = n is not None or (ads.startswith("{{") and ads.endswith("}}"))  # intstr l. 45-53
                if (not valid and not ads.startswith(_PLACEHOLDER)) or (n is not None and n < 0):
                    raise _ProblemError(f"{tpath}.activeDeadlineSeconds", msg)
        if tmpl.get("parallelism") is not None:  # l. 987-989
            raise _ProblemError(f"{tpath}.parallelism", "parallelism is only valid for steps and dag templates")

    @staticmethod
    def default_image(base: _Base, kind: str) -> bool:
        """Whether spec.templateDefaults gives the image (l. 880-891); never for a ClusterWorkflowTemplate."""
        if base.kind not in ("Workflow", "WorkflowTemplate"):
            return False
        return bool(_str(_d(_d(base.spec.get("templateDefaults")).get(kind)).get("image")))

    def resource(self, r: Mapping[str, Any], path: str, inputs_arts: list[Mapping[str, Any]]) -> None:
        action = _str(r.get("action"))
        if not action.startswith(_PLACEHOLDER) and action not in _RESOURCE_ACTIONS:  # l. 920-927
            raise _ProblemError(f"{path}.action", "resource.action must be one of: get, create, apply, delete, replace, patch")
        if action in ("delete", "get"):
            return
        manifest, mfrom = _str(r.get("manifest")), r.get("manifestFrom")
        if not manifest and mfrom is None:  # l. 929-931
            raise _ProblemError(path, "either resource.manifest or resource.manifestFrom must be specified")
        if manifest and mfrom is not None:  # l. 932-934
            raise _ProblemError(
                path, "shouldn't have both `manifest` and `manifestFrom` specified in `Manifest` for resource template"
            )
        art = _d(mfrom).get("artifact") if mfrom is not None else None
        if art is not None:  # l. 935-946
            aname = _str(_d(art).get("name"))
            if not any(_str(a.get("name")) == aname for a in inputs_arts):
                raise _ProblemError(f"{path}.manifestFrom", f"artifact {aname} in `manifestFrom` refer to a non-exist artifact")
        if manifest and not manifest.startswith(_PLACEHOLDER):  # l. 947-959
            text = re.sub(r"\{\{\s*=\s*(.+?)\s*\}\}", lambda _: self.placeholder(), manifest)
            if not _yaml_ok(text):
                raise _ProblemError(f"{path}.manifest", "resource.manifest must be a valid yaml")

    # -- validateArguments (validate.go l. 993-1060) ---------------------------------------------

    @staticmethod
    def arguments(path: str, arguments: Any, allow_empty: bool) -> None:
        a = _d(arguments)
        for kind in ("parameters", "artifacts"):
            bad = _names_problem(_l(a.get(kind)), params=True)
            if bad:
                raise _ProblemError(f"{path}.{kind}[{bad[0]}]", bad[1])  # l. 1001-1013
        for i, p in enumerate(_l(a.get("parameters"))):
            p, ppath = _d(p), f"{path}.parameters[{i}]"
            name, vf = _str(p.get("name")), p.get("valueFrom")
            if vf is None and p.get("value") is None and not allow_empty:  # l. 1019-1023
                raise _ProblemError(ppath, f"{name}.value or {name}.valueFrom is required")
            if vf is not None:  # l. 1024-1034
                v = _d(vf)
                only = f"{name}.valueFrom only allows: default, configMapKeyRef and supplied"
                if v.get("configMapKeyRef") is None and not _str(v.get("event")) and v.get("supplied") is None:
                    raise _ProblemError(f"{ppath}.valueFrom", only)
                if any(_str(v.get(k)) for k in ("path", "jsonPath", "parameter", "expression")):
                    raise _ProblemError(f"{ppath}.valueFrom", only)
            enum = p.get("enum")
            if enum is not None:  # l. 1036-1049
                if not _l(enum):
                    raise _ProblemError(f"{ppath}.enum", f"{name}.enum should contain at least one value")
                if p.get("value") is None:
                    if allow_empty:
                        return  # l. 1041-1043: Argo stops checking the arguments here
                    raise _ProblemError(ppath, f"{name}.value is required")
                if _s(p["value"]) not in [_s(e) for e in _l(enum)]:
                    raise _ProblemError(f"{ppath}.value", f"{name}.value should be present in {name}.enum list")
        for i, art in enumerate(_l(a.get("artifacts"))):  # l. 1051-1058
            art, apath = _d(art), f"{path}.artifacts[{i}]"
            name = _str(art.get("name"))
            if not _str(art.get("from")) and not _has_location_or_key(art):
                raise _ProblemError(apath, f"{name}.from, artifact location, or key is required")
            if _str(art.get("from")) and _str(art.get("fromExpression")):
                raise _ProblemError(apath, f"{name} shouldn't have both `from` and `fromExpression` in Artifact")

    # -- validateSteps (validate.go l. 1062-1137) ------------------------------------------------

    def steps(self, tmpl: Mapping[str, Any], tpath: str, base: _Base, scope: set[str]) -> None:
        if tmpl.get("activeDeadlineSeconds") is not None:  # validateNonLeaf l. 848-853
            raise _ProblemError(f"{tpath}.activeDeadlineSeconds", "activeDeadlineSeconds is only valid for leaf templates")
        names: set[str] = set()
        for i, group in enumerate(_l(tmpl.get("steps"))):
            if not isinstance(group, list):
                raise _ProblemError(f"{tpath}.steps[{i}]", "a step group must be a list of steps")
            for j, step in enumerate(group):
                step, spath = _d(step), f"{tpath}.steps[{i}][{j}]"
                name = _str(step.get("name"))
                if not name:
                    raise _ProblemError(spath, "name is required")  # l. 1071-1073
                if name in names:
                    raise _ProblemError(spath, f"name '{name}' is not unique")  # l. 1074-1077
                why = _field_name_errors(_PLACEHOLDER_FRAGMENT.sub("x", name), params=False)  # l. 1736-1739
                if why:
                    raise _ProblemError(spath, f"name '{name}' is invalid: {why}")  # l. 1078-1080
                names.add(name)
                scope.add(f"steps.{name}.status")  # l. 1082
                self.items(step, spath, scope)  # l. 1083-1086
                self.arguments(f"{spath}.arguments", step.get("arguments"), False)  # l. 1087-1090
                resolved = self.holder(step, spath, base, _FakeArgs())  # l. 1091-1094
                if _exit_hook(step):  # l. 1096-1098
                    self.add_outputs(resolved, "steps", name, scope, False, False)
                _hooks_problem(step.get("hooks"), spath)  # l. 1101-1104
                step_scope = set(scope)
                for p in _l(_d(_d(step.get("inline")).get("inputs")).get("parameters")):  # l. 1114-1118
                    step_scope.add(f"inputs.parameters.{_str(_d(p).get('name'))}")
                why = _unresolved(step_scope, self.globals, _go_json(step), self.wft)  # l. 1120-1123
                if why:
                    raise _ProblemError(spath, why)
                aggregate = bool(_l(step.get("withItems"))) or bool(_str(step.get("withParam")))
                self.add_outputs(resolved, "steps", name, scope, aggregate, False)  # l. 1125-1127
                self.holder(step, spath, base, _d(step.get("arguments")))  # l. 1129-1133

    @staticmethod
    def items(holder: Mapping[str, Any], path: str, scope: set[str]) -> None:
        """addItemsToScope (validate.go l. 1139-1184)."""
        items, param, seq = _l(holder.get("withItems")), _str(holder.get("withParam")), holder.get("withSequence")
        if (bool(items) + bool(param) + (seq is not None)) > 1:
            raise _ProblemError(path, "only one of withItems, withParam, withSequence can be specified")  # l. 1151
        if items:
            for item in items:
                kind = _item_type(item)
                if kind == "map":
                    scope.update(f"item.{_s(k)}" for k in _d(item))
                elif kind == "list":
                    scope.update(f"item.[{k}]" for k in range(len(_l(item))))
                else:
                    scope.add("item")
        elif param:
            scope |= {"item", _ANY_ITEM}  # l. 1172-1176
        elif seq is not None:
            s = _d(seq)
            if s.get("count") is not None and s.get("end") is not None:  # l. 1178-1180
                raise _ProblemError(f"{path}.withSequence", "only one of count or end can be defined in withSequence")
            scope.add("item")

    def add_outputs(
        self, tmpl: Mapping[str, Any] | None, prefix: str, name: str, scope: set[str], aggregate: bool, ancestor: bool
    ) -> None:
        """addOutputsToScope (validate.go l. 1186-1242)."""
        ref = f"{prefix}.{name}"
        scope.update(f"{ref}.{k}" for k in ("id", "startedAt", "finishedAt", "hostNodeName"))
        if tmpl is None:
            return
        if tmpl.get("daemon") is True:
            scope.add(f"{ref}.ip")
        if _has_output(tmpl):
            scope |= {f"{ref}.outputs.result", f"{ref}.exitCode"}
        outputs = _d(tmpl.get("outputs"))
        for kind in ("parameters", "artifacts"):
            for o in _l(outputs.get(kind)):
                o = _d(o)
                scope.add(f"{ref}.outputs.{kind}.{_str(o.get('name'))}")
                global_name = _str(o.get("globalName"))
                if global_name:
                    if not _is_parameter(global_name):
                        key = f"workflow.outputs.{kind}.{global_name}"
                        scope.add(key)
                        self.globals[key] = self.placeholder()
                    else:
                        scope.add(_ANY_WF_OUT_PARAM if kind == "parameters" else _ANY_WF_OUT_ART)
        if aggregate:
            if _template_type(tmpl) in ("Script", "ContainerSet"):
                scope |= {f"{ref}.outputs.result", f"{ref}.exitCode"}
            scope.add(f"{ref}.outputs.parameters")
        if ancestor:
            scope.add(f"{ref}.status")

    # -- validateOutputs (validate.go l. 1244-1343) ----------------------------------------------

    def outputs(self, tmpl: Mapping[str, Any], tpath: str, scope: set[str]) -> None:
        outputs = _d(tmpl.get("outputs"))
        for kind in ("parameters", "artifacts"):
            bad = _names_problem(_l(outputs.get(kind)), params=True)
            if bad:
                raise _ProblemError(f"{tpath}.outputs.{kind}[{bad[0]}]", bad[1])
        why = _unresolved(scope, self.globals, _go_json(outputs), self.wft)
        if why:
            raise _ProblemError(f"{tpath}.outputs", why)  # l. 1257-1260
        ttype = _template_type(tmpl) or ""
        for i, a in enumerate(_l(outputs.get("artifacts"))):
            a, apath = _d(a), f"{tpath}.outputs.artifacts[{i}]"
            if ttype in _LEAF_TYPES:
                why = _clean_path_error(a)
                if why:
                    raise _ProblemError(apath, why)  # l. 1264-1268
            elif _str(a.get("path")):
                raise _ProblemError(f"{apath}.path", "path only valid in container/script templates")  # l. 1269-1271
            self.global_name(a, apath)
        for i, p in enumerate(_l(outputs.get("parameters"))):
            p, ppath = _d(p), f"{tpath}.outputs.parameters[{i}]"
            vf = p.get("valueFrom")
            if vf is not None and p.get("value") is not None:  # validateOutputParameter l. 1316-1343
                raise _ProblemError(ppath, "has both valueFrom and value specified, choose one")
            if p.get("value") is None:
                if vf is None:
                    raise _ProblemError(ppath, "does not have valueFrom or value specified")
                v = _d(vf)
                kinds = [k for k in ("path", "jqFilter", "jsonPath", "parameter", "expression") if _str(v.get(k))]
                kinds += ["supplied"] if v.get("supplied") is not None else []
                if not kinds:
                    raise _ProblemError(
                        f"{ppath}.valueFrom",
                        "valueFrom type unspecified. choose one of: path, jqFilter, jsonPath, parameter, raw, expression",
                    )
                if len(kinds) > 1:
                    raise _ProblemError(
                        f"{ppath}.valueFrom",
                        "multiple valueFrom types specified. choose one of: path, jqFilter, jsonPath, parameter, raw",
                    )
            if vf is not None:  # l. 1285-1304
                v = _d(vf)
                if ttype in ("Container", "ContainerSet", "Script") and not _str(v.get("path")):
                    raise _ProblemError(f"{ppath}.valueFrom", f"valueFrom.path must be specified for {ttype} templates")
                if ttype == "Resource" and not _str(v.get("jqFilter")) and not _str(v.get("jsonPath")):
                    raise _ProblemError(
                        f"{ppath}.valueFrom", f"valueFrom.jqFilter or jsonPath must be specified for {ttype} templates"
                    )
                if ttype in ("DAG", "Steps"):
                    if not _str(v.get("parameter")) and not _str(v.get("expression")):
                        raise _ProblemError(
                            f"{ppath}.valueFrom", f"valueFrom.parameter or expression must be specified for {ttype} templates"
                        )
                    if _str(v.get("parameter")) and _str(v.get("expression")):
                        raise _ProblemError(
                            f"{ppath}.valueFrom",
                            f"shouldn't have both `from` and `expression` specified in `ValueFrom` for {ttype} templates",
                        )
            self.global_name(p, ppath)

    @staticmethod
    def global_name(o: Mapping[str, Any], path: str) -> None:
        g = _str(o.get("globalName"))
        if g and not _is_parameter(g) and _field_name_errors(g, params=True):  # l. 1272-1277, 1305-1310
            raise _ProblemError(f"{path}.globalName", _PARAM_NAME_MSG)

    # -- validateDAG (validate.go l. 1433-1575) --------------------------------------------------

    def dag(self, tmpl: Mapping[str, Any], tpath: str, base: _Base, scope: set[str]) -> None:
        if tmpl.get("activeDeadlineSeconds") is not None:  # validateNonLeaf l. 848-853
            raise _ProblemError(f"{tpath}.activeDeadlineSeconds", "activeDeadlineSeconds is only valid for leaf templates")
        dag = _d(tmpl.get("dag"))
        tasks = [_d(t) for t in _l(dag.get("tasks"))]
        if not tasks:
            raise _ProblemError(f"{tpath}.dag.tasks", "must have at least one task")  # l. 1438-1440
        index = {id(t): j for j, t in enumerate(tasks)}

        def tp(t: Mapping[str, Any]) -> str:
            return f"{tpath}.dag.tasks[{index[id(t)]}]"

        using_depends = any(_str(t.get("depends")) for t in tasks)  # l. 1441-1448
        by_name = {_str(t.get("name")): t for t in tasks}
        kinds = {n: _task_kinds(t) for n, t in by_name.items()}
        ordered = _sort_tasks(tasks, kinds, tp)  # l. 1454-1457 (sortDAGTasks l. 1661-1686)
        bad = _names_problem(tasks, params=False)  # l. 1459-1462
        if bad:
            raise _ProblemError(f"{tpath}.dag.tasks[{bad[0]}]", bad[1])
        resolved: dict[str, Mapping[str, Any] | None] = {}
        for t in ordered:  # l. 1467-1508
            name = _str(t.get("name"))
            if (using_depends or _l(t.get("dependencies"))) and name[:1].isdigit():  # l. 1468-1470
                raise _ProblemError(
                    f"{tp(t)}.name", f"name '{name}' cannot begin with a digit when using either 'depends' or 'dependencies'"
                )
            if using_depends and _l(t.get("dependencies")):  # l. 1472-1474
                raise _ProblemError(
                    f"{tp(t)}.dependencies", "cannot use both 'depends' and 'dependencies' in the same DAG template"
                )
            if using_depends and t.get("continueOn") is not None:  # l. 1476-1478
                raise _ProblemError(
                    f"{tp(t)}.continueOn",
                    "cannot use 'continueOn' when using 'depends'. Instead use 'dep-task.Failed'/'dep-task.Errored'",
                )
            resolved[name] = self.holder(t, tp(t), base, _FakeArgs())  # l. 1480-1486
            aggregate = bool(_l(t.get("withItems"))) or bool(_str(t.get("withParam")))
            self.add_outputs(resolved[name], "tasks", name, scope, aggregate, False)  # l. 1488-1489
            why = dep.invalid_task_result(_str(t.get("depends")))  # l. 1491-1494
            if why:
                raise _ProblemError(f"{tp(t)}.depends", why)
            for d, kind in kinds[name].items():  # l. 1496-1507
                dep_task = by_name.get(d)
                if dep_task is None:
                    raise _ProblemError(tp(t), f"dependency '{d}' not defined")
                if kind == "items" and not _loops(dep_task):
                    raise _ProblemError(
                        f"{tp(t)}.depends",
                        f"dependency '{d}' uses an items-based condition such as .AnySucceeded or .AllFailed"
                        " but does not contain any items",
                    )
        target = _str(dag.get("target"))
        why = _unresolved(scope, self.globals, target, self.wft)  # l. 1513-1516
        if why:
            raise _ProblemError(f"{tpath}.dag.target", why)
        if target:  # validateDAGTargets l. 1609-1622
            for name in target.split(" "):
                if not _is_parameter(name) and name not in by_name:
                    raise _ProblemError(f"{tpath}.dag.target", f"target '{name}' is not defined")
        for t in ordered:  # l. 1521-1572
            name = _str(t.get("name"))
            if t.get("hooks") is not None:
                scope.add(f"tasks.{name}.status")  # l. 1525-1527
            self.add_outputs(resolved[name], "tasks", name, scope, False, False)  # l. 1528-1531
            task_scope = set(scope)
            ancestry = _ancestry(name, kinds)  # l. 1538 (common/ancestry.go l. 141-167)
            for a in ancestry:
                at = by_name[a]
                aggregate = bool(_l(at.get("withItems"))) or bool(_str(at.get("withParam")))
                self.add_outputs(resolved.get(a), "tasks", a, task_scope, aggregate, True)
            for p in _l(_d(_d(t.get("inline")).get("inputs")).get("parameters")):  # l. 1545-1549
                task_scope.add(f"inputs.parameters.{_str(_d(p).get('name'))}")
            self.items(t, tp(t), task_scope)  # l. 1551-1554
            why = _unresolved(task_scope, self.globals, _go_json(t), self.wft)  # l. 1555-1558
            if why:
                raise _ProblemError(tp(t), why)
            self.arguments(f"{tp(t)}.arguments", t.get("arguments"), False)  # l. 1559-1562
            self.argument_dependency(_d(t.get("arguments")), set(ancestry), f"{tp(t)}.arguments")  # l. 1563-1566
            self.holder(t, tp(t), base, _d(t.get("arguments")))  # l. 1567-1571

    @staticmethod
    def argument_dependency(arguments: Mapping[str, Any], ancestry: set[str], path: str) -> None:
        """validateDAGTaskArgumentDependency (validate.go l. 1577-1607)."""
        for i, p in enumerate(_l(arguments.get("parameters"))):
            value = _d(p).get("value")
            if value is not None and _s(value).startswith("{{tasks."):
                ref = _s(value).split(".")[1]
                if ref not in ancestry:
                    raise _ProblemError(
                        f"{path}.parameters[{i}]", f"missing dependency '{ref}' for parameter '{_str(_d(p).get('name'))}'"
                    )
        for i, a in enumerate(_l(arguments.get("artifacts"))):
            frm = _str(_d(a).get("from"))
            if frm.startswith("{{tasks."):
                ref = frm.split(".")[1]
                if ref not in ancestry:
                    raise _ProblemError(
                        f"{path}.artifacts[{i}]", f"missing dependency '{ref}' for artifact '{_str(_d(a).get('name'))}'"
                    )


def _task_kinds(task: Mapping[str, Any]) -> dict[str, str]:
    """GetTaskDependencies for validation (validate.go l. 1419-1427): the names a task's ``depends``
    (or ``dependencies``) mentions; the continueOn a bare name expands with adds no name."""
    logic = dep.depends_logic(_str(task.get("depends")), [_str(d) for d in _l(task.get("dependencies"))])
    return dep.dependency_kinds(logic)


def _loops(task: Mapping[str, Any]) -> bool:
    return bool(_l(task.get("withItems"))) or bool(_str(task.get("withParam"))) or task.get("withSequence") is not None


def _sort_tasks(
    tasks: list[Mapping[str, Any]], kinds: Mapping[str, Mapping[str, str]], tp: Callable[[Mapping[str, Any]], str]
) -> list[Mapping[str, Any]]:
    """sortDAGTasks / sorting.TopologicalSorting (util/sorting/topological_sorting.go l. 12-59):
    a repeated name, a dependency that is not a task, or a cycle fails; ties keep the written order
    (Go takes the roots in map order)."""
    names: dict[str, Mapping[str, Any]] = {}
    for t in tasks:
        name = _str(t.get("name"))
        if name in names:  # l. 17-19
            raise _ProblemError(f"{tp(t)}.name", f"sorting failed: duplicated nodeName {name}")
        names[name] = t
    for t in tasks:  # l. 23-30
        for d in kinds[_str(t.get("name"))]:
            if d not in names:
                raise _ProblemError(tp(t), f"sorting failed: invalid dependency {d} (dependency '{d}' not defined)")
    pending = {n: len(kinds[n]) for n in names}
    nexts: dict[str, list[str]] = {}
    for n in names:
        for d in kinds[n]:
            nexts.setdefault(d, []).append(n)
    queue = [n for n in names if pending[n] == 0]
    head = 0
    while head < len(queue):
        for nxt in nexts.get(queue[head], []):
            pending[nxt] -= 1
            if pending[nxt] == 0:
                queue.append(nxt)
        head += 1
    if len(queue) < len(names):  # l. 43-45
        stuck = [n for n in names if n not in queue]
        raise _ProblemError(tp(names[stuck[0]]), f"sorting failed: graph with cycle (through {', '.join(stuck)})")
    return [names[n] for n in queue]


def _ancestry(name: str, kinds: Mapping[str, Mapping[str, str]]) -> list[str]:
    """GetTaskAncestry (common/ancestry.go l. 141-167): every task ``name`` transitively waits for."""
    seen: list[str] = []

    def visit(n: str) -> None:
        if n in seen:
            return
        for d in kinds.get(n, {}):
            visit(d)
        if n != name and n not in seen:
            seen.append(n)

    visit(name)
    return seen


def _by_name(arguments: Mapping[str, Any], kind: str, name: str) -> Mapping[str, Any] | None:
    """Arguments.GetParameterByName / GetArtifactByName (workflow_types.go l. 3806-3818): the first."""
    for x in _l(arguments.get(kind)):
        if isinstance(x, Mapping) and _str(x.get("name")) == name:
            return x
    return None


def _item_type(item: Any) -> str:
    """Item.GetType (pkg/apis/workflow/v1alpha1/item.go l. 35-55) on the item's JSON."""
    if isinstance(item, Mapping):
        return "map"
    if isinstance(item, list) or item is None:  # "null" unmarshals into a list
        return "list"
    return "scalar"


def _reserved(name: str) -> bool:
    """common.IsArgoSidecar (workflow/common/common.go l. 316-322, names l. 17-21)."""
    return name in ("wait", "supervisor") or name.startswith("artifact-plugin-")


def _container_set_error(cs: Mapping[str, Any]) -> str | None:
    """ContainerSetTemplate.Validate (container_set_template_types.go l. 90-137)."""
    containers = [_d(c) for c in _l(cs.get("containers"))]
    if not containers:
        return "containers must have at least one container"
    seen: set[str] = set()
    for i, c in enumerate(containers):  # validation_utils.go l. 49-72
        name = _str(c.get("name"))
        if not name:
            return f"containers[{i}].name is required"
        why = _field_name_errors(name, params=False)
        if why:
            return f"containers[{i}].name: '{name}' is invalid: {why}"
        if name in seen:
            return f"containers[{i}].name '{name}' is not unique"
        seen.add(name)
    mounts: dict[str, str] = {}
    for i, vm in enumerate(_l(cs.get("volumeMounts"))):
        mp = _str(_d(vm).get("mountPath"))
        if mp in mounts:
            return f"volumeMounts[{i}].mountPath '{mp}' already mounted in {mounts[mp]}"
        mounts[mp] = f"volumeMounts.{_str(_d(vm).get('name'))}"
    graph = {_str(c.get("name")): [_str(d) for d in _l(c.get("dependencies"))] for c in containers}
    for c in containers:
        for d in _l(c.get("dependencies")):
            if _str(d) not in graph:
                return f"containers.{_str(c.get('name'))} dependency '{_str(d)}' not defined"
    visited: set[str] = set()

    def cycle(n: str, path: list[str]) -> str | None:  # validation_utils.go l. 76-118
        if n in visited:
            return None
        for d in graph.get(n, []):
            if d in path:
                return f"containers dependency cycle detected: {'->'.join(path)}->{d}"
            found = cycle(d, [*path, d])
            if found:
                return found
        visited.add(n)
        return None

    for n in sorted(graph):
        found = cycle(n, [])
        if found:
            return found
    return None


def _hooks_problem(hooks: Any, path: str) -> None:
    """validateHooks (validate.go l. 143-150): every hook but ``exit`` needs an ``expression``."""
    for name, hook in _d(hooks).items():
        if name != "exit" and not _str(_d(hook).get("expression")):
            raise _ProblemError(f"{path}.hooks.{name}", f"{name} Expression required")


def _pod_resources(path: str, r: Any) -> None:
    """validatePodResources (validate.go l. 703-718)."""
    res = _d(r)
    if _l(res.get("claims")):
        raise _ProblemError(f"{path}.claims", "claims is not supported for pod-level resources")
    for kind in ("limits", "requests"):
        for name in _d(res.get(kind)):
            if name not in ("cpu", "memory") and not _str(name).startswith("hugepages-"):
                raise _ProblemError(
                    path, f"{_str(name)!r} is not a valid pod-level resource, only cpu, memory and hugepages-* are supported"
                )


def _yaml_ok(text: str) -> bool:
    """sigs.k8s.io/yaml Unmarshal accepts the text (its first document)."""
    import yaml  # PyYAML: a pure parser; imported here so the module loads without it

    try:
        for _ in yaml.safe_load_all(text):
            break
    except yaml.YAMLError:
        return False
    return True


# -- the workflow ---------------------------------------------------------------------------------


def validate_workflow(
    obj: Mapping[str, Any], lookup: Lookup | None = None, *, known_zone: Callable[[str], bool] | None = None
) -> list[str]:
    """The problems Argo would refuse ``obj`` for, one per unit it validates, each ``path: message``.

    ``obj`` is a Workflow, WorkflowTemplate, ClusterWorkflowTemplate or CronWorkflow; ``lookup(kind,
    name)`` returns the WorkflowTemplates / ClusterWorkflowTemplates that ``templateRef`` and
    ``workflowTemplateRef`` name. An empty list means Argo's validation accepts it.
    """
    kind = _str(obj.get("kind")) or "Workflow"
    meta = _d(obj.get("metadata"))
    name = _str(meta.get("name"))
    if kind == "CronWorkflow":  # validate.go l. 436-478
        problems = validate_cron(obj, known_zone=known_zone)
        cron_spec = _d(obj.get("spec"))
        wf_meta = _d(cron_spec.get("workflowMetadata"))
        # common/convert.go l. 23-32, 82-109: the Workflow a schedule creates
        labels = {"workflows.argoproj.io/cron-workflow": name, **_d(wf_meta.get("labels"))}
        annotations = {"workflows.argoproj.io/scheduled-time": "", **_d(wf_meta.get("annotations"))}
        wf = {"metadata": {"labels": labels, "annotations": annotations}, "spec": _d(cron_spec.get("workflowSpec"))}
        return problems + _workflow(wf, "Workflow", "spec.workflowSpec", lookup, wft=False, allow_empty=False)
    limit = (
        "workflow" if kind == "Workflow" else "workflow template" if kind == "WorkflowTemplate" else "cluster workflow template"
    )
    if len(name) > _MAX_OBJECT_NAME:  # l. 161-163, 401-403, 419-421
        return [f"metadata.name: {limit} name {name!r} must not be more than 63 characters long (currently {len(name)})"]
    if kind in ("WorkflowTemplate", "ClusterWorkflowTemplate"):  # l. 400-433
        return _workflow(obj, kind, "spec", lookup, wft=True, allow_empty=True)
    if kind != "Workflow":
        raise ValueError(f"not an Argo workflow kind: {kind!r}")
    return _workflow(obj, "Workflow", "spec", lookup, wft=False, allow_empty=False)


def _workflow(
    obj: Mapping[str, Any], kind: str, spec_path: str, lookup: Lookup | None, *, wft: bool, allow_empty: bool
) -> list[str]:
    """validate.Workflow (validate.go l. 153-369) with Opts{} (or WorkflowTemplateValidation)."""
    v = _Validator(lookup, wft)
    problems: list[str] = []

    def unit(fn: Callable[..., object], *args: Any) -> None:
        try:
            fn(*args)
        except _ProblemError as p:
            if p.text not in problems:
                problems.append(p.text)
        except _TagError as exc:
            problems.append(f"{spec_path}: {exc}")

    meta = _d(obj.get("metadata"))
    spec = _d(obj.get("spec"))
    base = _Base(kind, _str(meta.get("name")), spec, spec_path)
    ignore_entrypoint = wft and not _str(spec.get("entrypoint"))  # l. 412, 430
    entrypoint = _str(spec.get("entrypoint"))
    wft_ref = spec.get("workflowTemplateRef")
    ref_base: _Base | None = None
    ref_spec: Mapping[str, Any] = {}
    if wft_ref is not None:  # l. 169-186
        r = _d(wft_ref)
        if _l(spec.get("templates")):  # WorkflowTemplateRefFields l. 382-387
            return [f"{spec_path}.templates: Templates is invalid field in spec if workflow referred WorkflowTemplate reference"]
        rkind = "ClusterWorkflowTemplate" if r.get("clusterScope") is True else "WorkflowTemplate"
        rname = _str(r.get("name"))
        ref_base = v.base_of(rkind, rname)
        if ref_base is None:
            plural = "clusterworkflowtemplates" if rkind == "ClusterWorkflowTemplate" else "workflowtemplates"
            return [f'{spec_path}.workflowTemplateRef: {plural}.argoproj.io "{rname}" not found']
        ref_spec = ref_base.spec
        entrypoint = entrypoint or _str(ref_spec.get("entrypoint"))

    def ref_holder(template: str) -> dict[str, Any]:  # WorkflowTemplateRef.ToTemplateRef
        r = _d(wft_ref)
        return {"templateRef": {"name": _str(r.get("name")), "template": template, "clusterScope": r.get("clusterScope") is True}}

    bad = _names_problem(_l(spec.get("templates")), params=False)  # l. 187, 195-197
    if bad:
        problems.append(f"{spec_path}.templates[{bad[0]}]: {bad[1]}")
    args = dict(_d(spec.get("arguments")))
    if ref_base is not None:  # l. 191-194: MergeParameters / MergeArtifacts, the Workflow's first
        ref_args = _d(ref_spec.get("arguments"))
        for k in ("parameters", "artifacts"):
            merged, seen = [], set()
            for x in _l(args.get(k)) + _l(ref_args.get(k)):
                n = _str(_d(x).get("name"))
                if n not in seen:
                    merged.append(x)
                    seen.add(n)
            args[k] = merged
    unit(v.arguments, f"{spec_path}.arguments", args, allow_empty)  # l. 205-209
    params = _l(args.get("parameters"))
    if params:  # l. 210-223
        v.globals["workflow.parameters"] = v.placeholder()
        v.globals["workflow.parameters.json"] = v.placeholder()
    for p in params:
        p = _d(p)
        if _str(p.get("name")):
            value = p.get("value")
            v.globals[f"workflow.parameters.{_str(p.get('name'))}"] = _s(value) if value is not None else v.placeholder()
    wf_meta = _d(spec.get("workflowMetadata"))
    annotations = set(_d(meta.get("annotations"))) | set(_d(wf_meta.get("annotations")))  # l. 225-240
    labels = set(_d(meta.get("labels"))) | set(_d(wf_meta.get("labels"))) | set(_d(wf_meta.get("labelsFrom")))
    ref_meta = _d(ref_spec.get("workflowMetadata"))
    annotations |= set(_d(ref_meta.get("annotations")))
    labels |= set(_d(ref_meta.get("labels"))) | set(_d(ref_meta.get("labelsFrom")))
    for k in sorted(annotations, key=str):  # l. 242-246
        v.globals[f"workflow.annotations.{_s(k)}"] = v.placeholder()
    v.globals["workflow.annotations"] = v.placeholder()
    v.globals["workflow.annotations.json"] = v.placeholder()
    for k in sorted(labels, key=str):  # l. 248-252
        v.globals[f"workflow.labels.{_s(k)}"] = v.placeholder()
    v.globals["workflow.labels"] = v.placeholder()
    v.globals["workflow.labels.json"] = v.placeholder()
    if spec.get("priority") is not None:  # l. 254-256
        v.globals["workflow.priority"] = _s(spec.get("priority"))
    v.globals["workflow.status"] = v.placeholder()  # l. 257

    if not ignore_entrypoint:
        if not entrypoint:  # l. 259-261
            problems.append(f"{spec_path}.entrypoint: spec.entrypoint is required")
        else:  # l. 263-277
            entry_args: _Args = _FakeArgs() if wft else args
            holder = ref_holder(entrypoint) if ref_base is not None else {"template": entrypoint}
            unit(v.holder, holder, f"{spec_path}.entrypoint", base, entry_args)

    on_exit = _str(spec.get("onExit"))
    exit_holder: dict[str, Any] | None = None
    if on_exit:  # l. 286-294
        exit_holder = ref_holder(on_exit) if ref_base is not None else {"template": on_exit}
    elif ref_base is not None and _str(ref_spec.get("onExit")):
        exit_holder = ref_holder(_str(ref_spec.get("onExit")))
    if exit_holder is not None:  # l. 295-333
        v.globals["workflow.failures"] = v.placeholder()
        templates = _l(spec.get("templates")) + (_l(ref_spec.get("templates")) if ref_base is not None else [])
        for t in templates:  # l. 298-327
            for a in _l(_d(_d(t).get("outputs")).get("artifacts")):
                g = _str(_d(a).get("globalName"))
                if g and _is_parameter(g):
                    v.globals[_ANY_WF_OUT_ART] = "true"
        # l. 329: the exit handler gets the spec's own arguments, also for a WorkflowTemplate
        unit(v.holder, exit_holder, f"{spec_path}.onExit", base, _d(spec.get("arguments")))

    unit(_hooks_problem, spec.get("hooks"), spec_path)  # l. 334-337
    pod_gc = _d(spec.get("podGC"))
    if _str(pod_gc.get("strategy")) not in _POD_GC:  # l. 339-341
        problems.append(f"{spec_path}.podGC.strategy: unknown strategy '{_str(pod_gc.get('strategy'))}'")
    if pod_gc.get("labelSelector") is not None:  # l. 342-344
        why = _selector_error(_d(pod_gc.get("labelSelector")))
        if why:
            problems.append(f"{spec_path}.podGC.labelSelector: invalid: {why}")
    if spec.get("podResources") is not None:  # l. 346-348
        unit(_pod_resources, f"{spec_path}.podResources", spec.get("podResources"))

    if ref_base is not None:  # l. 352-360
        for t in _l(ref_spec.get("templates")):
            unit(v.holder, ref_holder(_str(_d(t).get("name"))), f"{spec_path}.workflowTemplateRef", base, _FakeArgs())
        return problems
    for i, t in enumerate(_l(spec.get("templates"))):  # l. 362-367
        unit(v.holder, {"template": _str(_d(t).get("name"))}, f"{spec_path}.templates[{i}]", base, _FakeArgs())
    return problems


# -- CronWorkflow -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CronError:
    """Why robfig/cron v3.0.1 ``ParseStandard`` refuses a schedule.

    ``field`` is the 0-based index of the wrong field among the five (minute, hour, day of month,
    month, day of week), or None when the schedule as a whole is wrong (field count, descriptor,
    time zone); ``offset`` the character offset of that field in the schedule.
    """

    message: str
    field: int | None = None
    offset: int | None = None

    @property
    def field_name(self) -> str | None:
        return None if self.field is None else _CRON_FIELDS[self.field][0]


# robfig/cron v3.0.1 parser.go: the standard parser's fields and their bounds
_MONTHS = {m: i + 1 for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))}
_DAYS = {d: i for i, d in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}
_CRON_FIELDS: tuple[tuple[str, int, int, dict[str, int] | None], ...] = (
    ("minute", 0, 59, None),
    ("hour", 0, 23, None),
    ("day of month", 1, 31, None),
    ("month", 1, 12, _MONTHS),
    ("day of week", 0, 6, _DAYS),
)
_DESCRIPTORS = {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}
_DURATION = re.compile(r"[-+]?(0|((\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h))+)")


def _zone_error(name: str, known_zone: Callable[[str], bool] | None) -> str | None:
    """Go's time.LoadLocation: "" and "UTC" and "Local" always load; others from the zone database."""
    if name in ("", "UTC", "Local"):
        return None
    if ".." in name or name[0] in "/\\":
        return "time: invalid location name"
    if known_zone is not None and not known_zone(name):
        return f"unknown time zone {name}"
    return None


def _cron_int(text: str) -> tuple[int | None, str | None]:
    """mustParseInt: strconv.Atoi, and not negative."""
    n = _atoi(text)
    if n is None:
        return None, f'failed to parse int from {text}: strconv.Atoi: parsing "{text}": invalid syntax'
    if n < 0:
        return None, f"negative number ({n}) not allowed: {text}"
    return n, None


def _cron_range(expr: str, low: int, high: int, names: dict[str, int] | None) -> str | None:
    """getRange (parser.go): ``*``/``?``, ``a``, ``a-b``, each optionally ``/step``."""
    range_step = expr.split("/")
    lo_hi = range_step[0].split("-")
    single = len(lo_hi) == 1

    def value(text: str) -> tuple[int | None, str | None]:
        if names is not None and text.lower() in names:
            return names[text.lower()], None
        return _cron_int(text)

    if lo_hi[0] in ("*", "?"):
        start, end = low, high
    else:
        s, err = value(lo_hi[0])
        if err or s is None:
            return err
        start = end = s
        if len(lo_hi) == 2:
            e, err = value(lo_hi[1])
            if err or e is None:
                return err
            end = e
        elif len(lo_hi) > 2:
            return f"too many hyphens: {expr}"
    step = 1
    if len(range_step) == 2:
        st, err = _cron_int(range_step[1])
        if err or st is None:
            return err
        step = st
        if single:
            end = high  # "N/step" means N-max/step
    elif len(range_step) > 2:
        return f"too many slashes: {expr}"
    if start < low:
        return f"beginning of range ({start}) below minimum ({low}): {expr}"
    if end > high:
        return f"end of range ({end}) above maximum ({high}): {expr}"
    if start > end:
        return f"beginning of range ({start}) beyond end of range ({end}): {expr}"
    if step == 0:
        return f"step of range should be a positive number: {expr}"
    return None


def schedule_error(schedule: str, *, known_zone: Callable[[str], bool] | None = None) -> CronError | None:
    """What robfig/cron v3.0.1 ``ParseStandard`` (validate.go l. 449) says of ``schedule``, or None."""
    if not schedule:
        return CronError("empty spec string")
    spec, shift = schedule, 0
    if spec.startswith(("TZ=", "CRON_TZ=")):
        space, eq = spec.find(" "), spec.find("=")
        if space < 0:  # Go slices spec[eq+1:-1] and panics
            return CronError(f"a time zone must be followed by a schedule: {spec}")
        zone = spec[eq + 1 : space]
        why = _zone_error(zone, known_zone)
        if why:
            return CronError(f"provided bad location {zone}: {why}")
        rest = spec[space:]
        spec = rest.strip()
        shift = space + (len(rest) - len(rest.lstrip()))
    if spec.startswith("@"):
        if spec in _DESCRIPTORS:
            return None
        if spec.startswith("@every "):
            duration = spec[len("@every ") :]
            if not _DURATION.fullmatch(duration):
                return CronError(f'failed to parse duration {spec}: time: invalid duration "{duration}"')
            return None
        return CronError(f"unrecognized descriptor: {spec}")
    fields = [(m.group(), m.start() + shift) for m in re.finditer(r"\S+", spec)]
    if len(fields) != 5:
        return CronError(f"expected exactly 5 fields, found {len(fields)}: [{' '.join(f for f, _ in fields)}]")
    for i, ((text, offset), (_, low, high, names)) in enumerate(zip(fields, _CRON_FIELDS, strict=True)):
        for part in (p for p in text.split(",") if p):  # getField: strings.FieldsFunc on ','
            why = _cron_range(part, low, high, names)
            if why:
                return CronError(why, i, offset)
    return None


def validate_cron(cron: Mapping[str, Any], *, known_zone: Callable[[str], bool] | None = None) -> list[str]:
    """A CronWorkflow's own checks (validate.go l. 436-469), each ``path: message``; a bad schedule
    names the field (``field 3 (month)``) and its character offset."""
    problems: list[str] = []
    name = _str(_d(cron.get("metadata")).get("name"))
    if len(name) > _MAX_CRON_NAME:  # l. 440-442
        problems.append(
            f"metadata.name: cron workflow name {name!r} must not be more than 52 characters long (currently {len(name)})"
        )
    spec = _d(cron.get("spec"))
    schedules = _l(spec.get("schedules"))
    if not schedules:  # l. 444-446
        problems.append("spec.schedules: cron workflow must have at least one schedule")
    for i, s in enumerate(schedules):  # l. 448-452
        err = schedule_error(_str(s), known_zone=known_zone)
        if err is not None:
            where = "" if err.field is None else f" (field {err.field + 1}, {err.field_name}, at offset {err.offset})"
            problems.append(f"spec.schedules[{i}]: cron schedule {_str(s)} is malformed: {err.message}{where}")
    zone = _str(spec.get("timezone"))
    if zone:  # l. 454-458
        why = _zone_error(zone, known_zone)
        if why:
            problems.append(f"spec.timezone: invalid timezone {zone!r}: {why}")
    policy = _str(spec.get("concurrencyPolicy"))
    if policy not in ("Allow", "Forbid", "Replace", ""):  # l. 460-465
        problems.append(f"spec.concurrencyPolicy: '{policy}' is not a valid concurrencyPolicy")
    deadline = spec.get("startingDeadlineSeconds")
    if isinstance(deadline, int) and not isinstance(deadline, bool) and deadline < 0:  # l. 467-469
        problems.append("spec.startingDeadlineSeconds: startingDeadlineSeconds must be positive")
    return problems
