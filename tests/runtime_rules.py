"""Rules a compiled manifest must keep to *run*, each read from the upstream controller's source.

Passing the CRD schemas says a field has the right shape; these rules say the
controller can resolve it. Each rule is a function ``rule(manifest) -> problems``
whose docstring names the upstream file and line it follows; :func:`check` runs
them all. ``tests/test_runtime_rules.py`` applies them to every golden file and
to generated pipelines; ``tools/rules_fuzz.py`` runs the long generated set.

Versions read: argo-workflows v4.1.2, kubeflow/training-operator v1.9.0,
kubeflow/katib (master, 2026), Kubernetes apimachinery validation.
"""

from __future__ import annotations

import json
import re
import typing
from collections.abc import Callable, Iterator
from typing import Any

import yaml

from mldsl.argo.depends import DependsError, TaskResult, depends_names, evaluate_depends
from mldsl.argo.exprlang import ExprError, Token, Tree, evaluate, parse, to_json
from mldsl.argo.template import UnresolvedError, expand, split, substitute

Problems = list[str]
Rule = Callable[[dict[str, Any]], Problems]

#: values that must arrive as text, whatever they hold (SPEC §1.9: values are data, never code)
HOSTILE = "a'b\"c\nd: {e} {{f}} {{=g}} $x `y` \\z 1e-05 y ü"

_GLOBALS = (
    "workflow.name",
    "workflow.namespace",
    "workflow.uid",
    "workflow.status",
    "workflow.creationTimestamp",
    "workflow.duration",
    "workflow.mainEntrypoint",
    "pod.name",  # the pod's pass, the last one (workflowpod.go substitutePodParams): mldsl's escape of {{ reads it
)


def strings(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string in ``node`` with its path."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from strings(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from strings(v, f"{path}[{i}]")
    elif isinstance(node, str):
        yield path, node


def _templates(m: dict[str, Any]) -> list[dict[str, Any]]:
    spec = m.get("spec", {})
    if m.get("kind") == "CronWorkflow":
        spec = spec.get("workflowSpec", {})
    return list(spec.get("templates", []))


def _is_workflow(m: dict[str, Any]) -> bool:
    return m.get("apiVersion") == "argoproj.io/v1alpha1"


# --- scopes -------------------------------------------------------------------------


def _outputs_of(template: dict[str, Any]) -> tuple[list[str], list[str]]:
    outs = template.get("outputs", {})
    return [p["name"] for p in outs.get("parameters", [])], [a["name"] for a in outs.get("artifacts", [])]


def template_scope(m: dict[str, Any], template: dict[str, Any]) -> dict[str, str]:
    """What ``validate.go`` puts in scope for a template: the globals, ``workflow.parameters.*`` and the
    template's inputs (argo-workflows v4.1.2 ``workflow/validate/validate.go`` validateTemplate, l. 560-640)."""
    spec = m.get("spec", {})
    if m.get("kind") == "CronWorkflow":
        spec = spec.get("workflowSpec", {})
    scope = {g: "x" for g in _GLOBALS}
    for p in spec.get("arguments", {}).get("parameters", []):
        scope[f"workflow.parameters.{p['name']}"] = str(p.get("value", "x"))
    for p in template.get("inputs", {}).get("parameters", []):
        scope[f"inputs.parameters.{p['name']}"] = str(p.get("default", p.get("value", "x")))
    for a in template.get("inputs", {}).get("artifacts", []):
        scope[f"inputs.artifacts.{a['name']}"] = "x"
        if "path" in a:
            scope[f"inputs.artifacts.{a['name']}.path"] = a["path"]
    for p in template.get("outputs", {}).get("parameters", []):
        if "path" in p.get("valueFrom", {}):
            scope[f"outputs.parameters.{p['name']}.path"] = p["valueFrom"]["path"]
    return scope


def dag_scope(m: dict[str, Any], template: dict[str, Any]) -> dict[str, str]:
    """A DAG template's scope: its own, plus every task's outputs and status (``validate.go`` validateDAG)."""
    by_name = {t["name"]: t for t in _templates(m)}
    scope = template_scope(m, template)
    for task in template.get("dag", {}).get("tasks", []):
        name = task["name"]
        scope[f"tasks.{name}.status"] = "Succeeded"
        scope[f"tasks.{name}.id"] = "x"
        params, arts = _outputs_of(by_name.get(task["template"], {}))
        if "withItems" in task or "withParam" in task:
            # a fan-out's outputs, aggregated: all of them as one JSON list too
            # (workflow/controller/operator.go processAggregateNodeOutputs, l. 3741)
            scope[f"tasks.{name}.outputs.parameters"] = "[]"
        for p in params:
            scope[f"tasks.{name}.outputs.parameters.{p}"] = "1"
        for a in arts:
            scope[f"tasks.{name}.outputs.artifacts.{a}"] = "x"
        scope[f"tasks.{name}.outputs.result"] = "x"
    return scope


# --- expression references ----------------------------------------------------------------


def _refs(tree: Tree[Token] | Token) -> Iterator[tuple[str, ...]]:
    """Each constant access path in an expression: ``tasks['a'].outputs.parameters['x']`` -> (tasks, a, ...)."""
    if isinstance(tree, Token):
        return
    if tree.data in ("member", "index", "name"):
        path = _path(tree)
        if path is not None:
            yield path
            return
        if tree.data == "member":  # the member of a call's result: read the call
            yield from _refs(tree.children[0])
            return
    if tree.data == "closure":
        return  # ``#`` inside map(...)
    if tree.data == "coalesce":
        # ``a ?? b``: Argo does not count ``a`` as missing (expression_template.go guardVisitor l. 169-180)
        yield from _refs(tree.children[1])
        return
    if tree.data == "call" and isinstance(tree.children[0], Tree) and tree.children[0].data in ("name", "member"):
        callee = tree.children[0]
        if callee.data == "member" and _path(callee) is None:  # a method of a value: read the value
            yield from _refs(callee.children[0])
        for child in tree.children[1:]:
            if child is not None:
                yield from _refs(child)
        return
    for child in tree.children:
        if child is not None:
            yield from _refs(child)


def _path(tree: Tree[Token]) -> tuple[str, ...] | None:
    if tree.data == "name":
        return (str(tree.children[0]),)
    if tree.data not in ("member", "index"):
        return None  # a call's result (``date(x).Format``): its arguments are read on their own
    target, key = tree.children
    assert isinstance(target, Tree)
    base = _path(target)
    if base is None:
        return None
    if tree.data == "member":
        return (*base, str(key))
    if isinstance(key, Tree) and key.data == "string":
        tok = key.children[0]
        assert isinstance(tok, Token)
        return (*base, json.loads('"' + str(tok)[1:-1].replace('"', '\\"').replace("\\'", "'") + '"'))
    return None  # a computed index: checked when evaluated


_FUNCTIONS = {
    "now", "date", "asInt", "asFloat", "string", "toJson", "jsonpath", "map", "len", "lower", "upper", "join", "sprig",
    "int", "float",
}  # fmt: skip


def unresolved_refs(code: str, scope: dict[str, Any], *, item: bool) -> list[str]:
    """References in ``code`` that are not in ``scope`` (expanded as Argo expands it)."""
    tree = parse(code)
    env = expand(scope)
    missing = []
    for path in _refs(tree):
        if path[0] == "$env":
            # expr-lang's env itself: known in every lenient scan, but a fan-out task's text is substituted strictly
            # by processItem, and expression_template.go missingVarsInEnv reports ``$env`` (an identifier no key
            # of the env matches, l. 48-62): the task errors there
            if item:
                missing.append("$env (a fan-out task's strict scan refuses it)")
            continue
        if path[0] in _FUNCTIONS or (path[0] == "item" and item):
            continue
        node: Any = env
        for part in path:
            if not isinstance(node, dict) or part not in node:
                missing.append(".".join(path))
                break
            node = node[part]
    return missing


def _check_text(text: str, scope: dict[str, str], *, item: bool, where: str) -> Problems:
    problems = []
    for is_tag, body in split(text):
        if not is_tag:
            continue
        tag = body.strip()
        if tag.startswith("="):
            try:
                missing = unresolved_refs(tag[1:], scope, item=item)
            except ExprError as exc:
                problems.append(f"{where}: {{{{{body}}}}} does not parse: {exc}")
                continue
            problems += [f"{where}: {{{{{body}}}}} reads {m!r}, not in scope" for m in missing]
        elif tag == "item" or tag.startswith("item."):
            if not item:
                problems.append(f"{where}: {{{{{body}}}}} outside a fan-out")
        elif tag not in scope:
            problems.append(f"{where}: {{{{{body}}}}} is not in scope")
    return problems


# --- the rules -------------------------------------------------------------------------------


def tags_resolve(m: dict[str, Any]) -> Problems:
    """Every ``{{...}}`` resolves in its scope as the controller resolves it: simple tags are ONE key of the
    scope (``util/template/resolve_var.go`` ResolveVar), expression tags parse and read only what is in scope
    (``util/template/expression_template.go``), ``item`` only in fan-out tasks (``validate.go`` l. 1559).
    A tag Argo cannot resolve makes ``validate.go`` resolveAllVariables refuse the whole workflow."""
    if not _is_workflow(m):
        return []
    problems: Problems = []
    for t in _templates(m):
        base = dag_scope(m, t) if "dag" in t else template_scope(m, t)
        where = f"{m['metadata'].get('name', m['metadata'].get('generateName'))}/{t['name']}"
        for path, text in strings({k: v for k, v in t.items() if k != "dag"}):
            problems += _check_text(text, base, item=False, where=where + path)
        for task in t.get("dag", {}).get("tasks", []):
            fan = "withItems" in task or "withParam" in task
            for path, text in strings(task):
                if path.startswith((".withParam", ".withItems", ".withSequence")):  # not in processItem's scan
                    problems += _check_text(text, base, item=False, where=f"{where}/{task['name']}{path}")
                else:
                    problems += _check_text(text, base, item=fan, where=f"{where}/{task['name']}{path}")
    return problems


def no_dollar_braces(m: dict[str, Any]) -> Problems:
    """No ``${{`` reaches a manifest: mldsl compiles or refuses every expression (SPEC §1.10)."""
    return [f"{path}: {text[:60]!r}" for path, text in strings(m) if "${{" in text]


def value_from_parameter_is_one_tag(m: dict[str, Any]) -> Problems:
    """``valueFrom.parameter`` is resolved as ONE scope key (``workflow/controller/scope.go`` resolveParameter,
    l. 167-193): anything else than a single tag is "Unable to resolve"."""
    problems = []
    for t in _templates(m):
        for p in t.get("outputs", {}).get("parameters", []):
            ref = p.get("valueFrom", {}).get("parameter")
            if ref is not None and not re.fullmatch(r"\{\{[^{}]+\}\}", ref):
                problems.append(f"{t['name']}.outputs.{p['name']}: valueFrom.parameter {ref!r} is not one tag")
    return problems


def outputs_survive_skipped_steps(m: dict[str, Any]) -> Problems:
    """A DAG output read from a step that may be skipped needs ``default`` (parameters) or ``optional``
    (artifacts), or the DAG fails after every step succeeded (``operator.go`` getTemplateOutputsFromScope,
    l. 3455-3500; SPEC §1.9: a skipped step's output is empty). A fan-out may be skipped too: over an empty
    list it is Skipped (``dag.go`` l. 634-638), and when its ``when`` skips every item its group is Succeeded
    (l. 704-712) with no per-output aggregate (``operator.go`` processAggregateNodeOutputs l. 3762-3764).

    A fan-out that runs no item is a skipped step (SPEC §1.9), also seen through the DAGs that wrap it:
    a task that reads its aggregate must not run then (a reference that never resolves is requeued for
    ever: ``dag.go`` resolveDependencyReferences l. 785-838, ``when`` first), a data consumer of a wrapper
    must be skipped, and a pipeline output read from it is empty. :func:`_no_item_runs` works out what a
    wrapper's outputs are then, as the controller resolves them."""
    problems = []
    by_name = {t["name"]: t for t in _templates(m)}
    entry = _spec(m).get("entrypoint")
    fixed = _fixed_params(m)
    for t in _templates(m):
        if "dag" not in t:
            continue
        skippable = _skippable_tasks(t, fixed)
        outs = t.get("outputs", {})
        for p in outs.get("parameters", []):
            vf = p.get("valueFrom", {})
            if _reads(vf, skippable) and "default" not in vf:
                problems.append(f"{t['name']}.outputs.{p['name']}: reads a step that may be skipped, and has no default")
        for a in outs.get("artifacts", []):
            if _reads(a, skippable) and not a.get("optional"):
                problems.append(f"{t['name']}.outputs.{a['name']}: reads a step that may be skipped, and is not optional")
        problems += _readers_of_no_item_runs(m, t, by_name, fixed, pipeline_outputs=t["name"] == entry)
    return problems


def _spec(m: dict[str, Any]) -> dict[str, Any]:
    spec = m.get("spec", {})
    return dict(spec.get("workflowSpec", {}) if m.get("kind") == "CronWorkflow" else spec)


def _skippable_tasks(dag_template: dict[str, Any], fixed: dict[str, str] | None = None) -> set[str]:
    """Tasks that may end Skipped or Omitted: a ``when``, a fan-out that may run no item, or a dependency that
    may (``depends: a.Succeeded``)."""
    tasks = {t["name"]: t for t in dag_template["dag"]["tasks"]}
    found: set[str] = set()
    changed = True
    while changed:
        changed = False
        for name, t in tasks.items():
            if name in found:
                continue
            deps = set(re.findall(r"([a-z0-9-]+)\.\w+", t.get("depends", ""))) | set(t.get("dependencies", []))
            if "when" in t or _may_run_no_item(t, fixed) or deps & found:
                found.add(name)
                changed = True
    return found


def _may_run_no_item(task: dict[str, Any], fixed: dict[str, str] | None = None) -> bool:
    """A fan-out over a list that may be empty, or whose ``when`` may skip every item. ``fixed``: the workflow
    parameters whose values the manifest fixes (a ``Workflow`` is created with its arguments)."""
    if "when" in task and any(k in task for k in ("withItems", "withParam", "withSequence")):
        return True
    if "withParam" in task:
        ref = re.fullmatch(r"\{\{workflow\.parameters\.([A-Za-z0-9_-]+)\}\}", str(task["withParam"]).strip())
        try:
            given = json.loads((fixed or {})[ref.group(1)]) if ref else None
        except (KeyError, ValueError):
            given = None
        return not (isinstance(given, list) and given)
    return "withSequence" in task or ("withItems" in task and not task["withItems"])


def _fixed_params(m: dict[str, Any]) -> dict[str, str]:
    """A ``Workflow``'s parameters: the values it runs with (a template's are given when it is submitted)."""
    if m.get("kind") != "Workflow":
        return {}
    return {str(p["name"]): str(p.get("value", "")) for p in _spec(m).get("arguments", {}).get("parameters", [])}


def _reads_outputs_of(node: Any, task: str, *, per_output: bool = False) -> bool:
    """Whether ``node``'s text reads task ``task``'s output parameters (one of them, with ``per_output``)."""
    t = re.escape(task)
    forms = (rf"tasks\.{t}\.outputs\.parameters\.[A-Za-z0-9_-]", rf"tasks\['{t}'\]\.outputs\.parameters\[")
    if not per_output:
        forms = (rf"tasks\.{t}\.outputs\.parameters\b", rf"tasks\['{t}'\]\.outputs\.parameters\b")
    return any(re.search(f, text) for _, text in strings(node) for f in forms)


def _no_item_runs(
    m: dict[str, Any], by_name: dict[str, dict[str, Any]], task: dict[str, Any], fixed: dict[str, str], depth: int = 0
) -> list[tuple[str, dict[str, Any]]]:
    """How ``task`` ends when a fan-out in it runs no item: (why, the scope entries of the task then).

    A fan-out over an empty list is Skipped and its declared outputs take their default or are absent
    (``scope.go`` addSkippedNodeOutputsToScope l. 117-151); one whose ``when`` skipped every item is Succeeded,
    its aggregate ``"[]"`` with no per-output key. A task running a DAG (a wrapper) is Succeeded with the
    outputs that DAG resolves from such a scope (``dag.go`` l. 382-415, ``operator.go`` l. 3455-3500)."""
    name = task["name"]
    tpl = by_name.get(task.get("template", ""), {})
    if _may_run_no_item(task, fixed):
        skipped: dict[str, Any] = {f"tasks.{name}.status": "Skipped"}
        for p in tpl.get("outputs", {}).get("parameters", []):
            vf = p.get("valueFrom") or {}
            skipped[f"tasks.{name}.outputs.parameters.{p['name']}"] = str(vf["default"]) if "default" in vf else None
        runs = [(f"{name} loops over an empty list", skipped)]
        if "when" in task:
            every = {
                f"tasks.{name}.status": "Succeeded",
                f"tasks.{name}.outputs.parameters": "[]",
                f"tasks.{name}.outputs.result": "[]",
            }
            runs.append((f"the when of {name} skips every item", every))
        return runs
    if "dag" not in tpl or depth > 8:
        return []
    found = []
    base = dag_scope(m, tpl)
    for inner in tpl["dag"]["tasks"]:
        for why, entries in _no_item_runs(m, by_name, inner, fixed, depth + 1):
            prefix = f"tasks.{inner['name']}."
            scope = {k: v for k, v in base.items() if not k.startswith(prefix)} | entries
            outputs = {f"tasks.{name}.outputs.parameters.{k}": v for k, v in _dag_output_values(tpl, scope).items()}
            found.append((why, {f"tasks.{name}.status": "Succeeded", **outputs}))
    return found


def _dag_output_values(tpl: dict[str, Any], scope: dict[str, Any]) -> dict[str, Any]:
    """A DAG's output parameters from ``scope`` as getTemplateOutputsFromScope resolves them (``operator.go``
    l. 3455-3488; ``scope.go`` resolveParameter l. 169-199): the default when unresolved or absent."""
    out: dict[str, Any] = {}
    for p in tpl.get("outputs", {}).get("parameters", []):
        vf = p.get("valueFrom") or {}
        value: Any = None
        try:
            if "expression" in vf:
                got = evaluate(vf["expression"], expand(scope))
                value = None if got is None else got if isinstance(got, str) else to_json(got)
            elif "parameter" in vf:
                value = scope.get(str(vf["parameter"]).strip()[2:-2].strip())
        except ExprError:
            value = None
        if value is None and "default" in vf:
            value = str(vf["default"])
        out[p["name"]] = value
    return out


def _readers_of_no_item_runs(
    m: dict[str, Any], dag: dict[str, Any], by_name: dict[str, dict[str, Any]], fixed: dict[str, str], *, pipeline_outputs: bool
) -> Problems:
    """In each way a task of ``dag`` can run no item: its readers must not run, nor wait for ever, and a
    pipeline output read from it is empty."""
    problems: Problems = []
    tasks = dag["dag"]["tasks"]
    base = dag_scope(m, dag)
    for source in tasks:
        src = source["name"]
        for why, entries in _no_item_runs(m, by_name, source, fixed):
            scope = {k: v for k, v in base.items() if not k.startswith(f"tasks.{src}.")} | entries
            phase = str(entries[f"tasks.{src}.status"])
            for reader in tasks:
                if reader is source or not _reads_outputs_of(reader, src):
                    continue
                where = f"{dag['name']}/{reader['name']}"
                if reader.get("depends"):
                    results = {n: TaskResult("Succeeded") for n in depends_names(reader["depends"])} | {src: TaskResult(phase)}
                    try:
                        if not evaluate_depends(reader["depends"], results):
                            continue  # Omitted: never reads it
                    except (DependsError, LookupError):
                        pass  # a depends Argo cannot evaluate: depends_evaluate reports it
                when = str(reader.get("when", ""))
                if when:
                    code = split(when)[0][1][1:] if split(when) and split(when)[0][0] else ""
                    try:
                        missing = [r for r in unresolved_refs(code, scope, item=True) if r.startswith(("tasks.", "steps."))]
                        if missing:
                            problems.append(f"{where}: when {why}, its when reads {missing[0]}, which never resolves")
                            continue
                        if evaluate(code, expand(scope)) is False:
                            continue
                    except ExprError as exc:
                        problems.append(f"{where}: when {why}, its when fails: {exc}")
                        continue
                if (
                    _reads_outputs_of(reader, src, per_output=True)
                    and phase == "Succeeded"
                    and f"tasks.{src}.outputs.parameters" in entries
                ):
                    problems.append(f"{where}: when {why}, it reads an aggregate that is never set and waits for ever")
                else:
                    problems.append(f"{where}: runs when {why}, with its outputs (SPEC §1.9: a data consumer is skipped)")
            if pipeline_outputs:
                values = _dag_output_values(dag, scope)
                for p in dag.get("outputs", {}).get("parameters", []):
                    if _reads_outputs_of(p, src) and values.get(p["name"]) not in ("", None):
                        problems.append(f"{dag['name']}.outputs.{p['name']}: is {values[p['name']]!r} when {why}, not empty")
    return problems


def _reads(node: dict[str, Any], tasks: set[str]) -> bool:
    text = json.dumps(node)
    return any(f"tasks.{t}." in text or f"tasks['{t}']" in text for t in tasks)


CACHE_KEY = re.compile(r"^[a-zA-Z0-9][-a-zA-Z0-9]*$")


def memoize_key_form(m: dict[str, Any]) -> Problems:
    """The memoize key, once substituted, matches ``^[a-zA-Z0-9][-a-zA-Z0-9]*$``
    (``workflow/controller/cache/cache.go`` l. 15): checked with hostile input values."""
    problems = []
    for t in _templates(m):
        if "memoize" not in t:
            continue
        scope = template_scope(m, t)
        scope.update({k: HOSTILE for k in scope if k.startswith("inputs.parameters.")})
        try:
            key = substitute(t["memoize"], scope)["key"]
        except UnresolvedError as exc:
            problems.append(f"{t['name']}: memoize key does not resolve: {exc}")
            continue
        if not CACHE_KEY.match(key) or len(key) > 253:
            problems.append(f"{t['name']}: memoize key {key!r} is refused by Argo's cache")
    return problems


def s3_full_location(m: dict[str, Any]) -> Problems:
    """An S3 artifact location is whole (endpoint, bucket, key), or Argo relocates it into the artifact
    repository and keeps only its key (``pkg/apis/workflow/v1alpha1/workflow_types.go`` S3Artifact.HasLocation,
    l. 2935)."""
    problems = []
    for path, node in _dicts(m):
        s3 = node.get("s3")
        if isinstance(s3, dict) and not all(s3.get(k) for k in ("endpoint", "bucket", "key")):
            problems.append(f"{path}.s3: {s3} is not a full location")
    return problems


def _dicts(node: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        yield path, node
        for k, v in node.items():
            yield from _dicts(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _dicts(v, f"{path}[{i}]")


def jsonpath_filters_over_lists(m: dict[str, Any]) -> Problems:
    """A JSONPath ``[?()]`` filter runs over lists only (client-go ``util/jsonpath/jsonpath.go`` evalFilter):
    ``status.nodes``, labels and annotations are maps."""
    problems = []
    for path, text in strings(m):
        if path.endswith(".jsonPath") and re.search(r"\.(nodes|labels|annotations)\[\?\(", text):
            problems.append(f"{path}: {text!r} filters a map")
    return problems


LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
LABEL_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def names_and_labels(m: dict[str, Any]) -> Problems:
    """Names and labels the API server and controllers accept: label values and keys
    (apimachinery ``validation.IsValidLabelValue`` / ``IsQualifiedName``), object names <= 63, CronWorkflow
    <= 52 (``validate.go`` l. 105), Katib Experiment ``^[a-z]([-a-z0-9]*[a-z0-9])?`` <= 40 (katib
    ``pkg/webhook/v1beta1/experiment/validator/validator.go`` l. 84)."""
    problems = []
    for path, node in _dicts(m):
        if path.endswith("labels") and all(isinstance(v, str) for v in node.values()):
            for k, v in node.items():
                prefix, _, name = k.rpartition("/")
                if (prefix and not DNS_SUBDOMAIN.match(prefix)) or not LABEL_NAME.match(name) or len(name) > 63:
                    problems.append(f"{path}: label key {k!r}")
                if "{{" not in v and (len(v) > 63 or not LABEL_VALUE.match(v)):
                    problems.append(f"{path}: label value {v!r}")
    name = m.get("metadata", {}).get("name", "")
    katib = m.get("apiVersion") == "kubeflow.org/v1beta1" and m.get("kind") == "Experiment"
    limit = 52 if m.get("kind") == "CronWorkflow" else 40 if katib else 63
    if len(name) > limit:
        problems.append(f"{m['kind']} name {name!r} is over {limit} characters")
    if katib and not re.match(r"^[a-z]([-a-z0-9]*[a-z0-9])?", name):
        problems.append(f"Experiment name {name!r} must start with a letter")
    return problems


def intstr_fields(m: dict[str, Any]) -> Problems:
    """``retryStrategy.limit`` and ``backoff.factor`` are int-or-string parsed with ``strconv.Atoi``
    (``util/intstr/parametrizable.go`` Int, l. 12-20): a float there disables retries."""
    problems = []
    for t in _templates(m):
        r = t.get("retryStrategy")
        if not r:
            continue
        for where, v in (("limit", r.get("limit")), ("backoff.factor", r.get("backoff", {}).get("factor"))):
            if v is not None and not isinstance(v, int) and not re.fullmatch(r"-?\d+|\{\{.*\}\}", str(v)):
                problems.append(f"{t['name']}.retryStrategy.{where}: {v!r} is not an integer")
    return problems


def conditions_are_expressions(m: dict[str, Any]) -> Problems:
    """``when`` is ONE expression tag that parses: substituted text handed to govaluate could be rewritten by
    a value (``workflow/controller/dag.go`` l. 785-808, ``steps.go`` shouldExecute l. 384)."""
    problems = []
    for t in _templates(m):
        for task in t.get("dag", {}).get("tasks", []):
            when = task.get("when")
            if when is None:
                continue
            parts = split(when)
            if len(parts) != 1 or not parts[0][0] or not parts[0][1].startswith("="):
                problems.append(f"{t['name']}/{task['name']}: when {when!r} is not one expression tag")
                continue
            try:
                parse(parts[0][1][1:])
            except ExprError as exc:
                problems.append(f"{t['name']}/{task['name']}: {exc}")
    return problems


def depends_not_dependencies(m: dict[str, Any]) -> Problems:
    """Tasks use ``depends``: legacy ``dependencies`` means ``Succeeded || Skipped || Daemoned``
    (``workflow/common/ancestry.go`` l. 115-127), which runs the consumers of a skipped step (SPEC §1.9)."""
    return [
        f"{t['name']}/{task['name']}: dependencies"
        for t in _templates(m)
        for task in t.get("dag", {}).get("tasks", [])
        if "dependencies" in task
    ]


def depends_evaluate(m: dict[str, Any]) -> Problems:
    """Every ``depends`` evaluates as the controller evaluates it: expr-lang over the logic with each '-' made
    '_' (``workflow/controller/dag.go`` evaluateDependsLogic l. 971-1027, ``workflow/common/ancestry.go``), where a
    task named like an expr-lang word (``in``, ``not``, ``true``...) does not parse and the task errors at run time;
    validation does not parse it (``mldsl/argo/depends.py``)."""
    problems: Problems = []
    for t in _templates(m):
        tasks = {task["name"]: task for task in t.get("dag", {}).get("tasks", [])}
        for task in tasks.values():
            depends = str(task.get("depends") or "")
            if not depends:
                continue
            results = {n: TaskResult("Succeeded") for n in depends_names(depends)}
            try:
                evaluate_depends(depends, results, tasks=tasks)
            except (DependsError, LookupError) as exc:
                problems.append(f"{t['name']}/{task['name']}: depends {depends!r}: {exc}")
    return problems


class _GoYamlV2(yaml.SafeLoader):
    """A YAML 1.1 reader as lenient as go-yaml v2 (``kubectl apply``): y/n are booleans, ``1e-05`` a float."""

    bool_values: typing.ClassVar[dict[str, bool]] = {**yaml.SafeLoader.bool_values, "y": True, "n": False}


_GoYamlV2.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:y|Y|n|N)$"), list("yYnN"))
_GoYamlV2.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)[eE][-+]?[0-9]+$"),
    list("-+0123456789."),
)


def yaml11_safe(m: dict[str, Any]) -> Problems:
    """Written as mldsl writes it, the manifest reads back the same with a YAML 1.1 reader as lenient as
    go-yaml v2: no string becomes a bool or a number (``y``, ``1e-05``, ``2024-06-01``)."""
    from mldsl.util.yamlout import dump

    try:
        back = yaml.load(dump(m), Loader=_GoYamlV2)
    except yaml.YAMLError as exc:
        return [f"does not read back: {exc}"]
    return [] if back == m else ["reads back differently with a YAML 1.1 reader"]


def _manifest_paths(t: dict[str, Any]) -> list[tuple[str, ...]]:
    """Where a template carries a manifest as text: a resource template's, or a deploy pod's env values."""
    if "resource" in t:
        return [("resource", "manifest")]
    env = (t.get("script") or {}).get("env", [])
    return [("script", "env", str(i), "value") for i, e in enumerate(env) if str(e.get("name", "")).endswith("_MANIFEST")]


def _at(node: Any, path: tuple[str, ...]) -> Any:
    for p in path:
        node = node[int(p)] if isinstance(node, list) else node[p]
    return node


def embedded_manifests_survive_values(m: dict[str, Any]) -> Problems:
    """A manifest a template carries (a resource template's, or the ones a deploy pod applies, in env values)
    stays the same object whatever its inputs hold: Argo escapes a value once, for the template's JSON
    (``util/template/simple_template.go`` l. 70-73), not for the manifest inside.
    An input read as a number (``asInt``: a replica count from a value) refuses anything but an integer, so
    the node errors instead of rendering: such an input gets a hostile *integer* (and a hostile string must fail)."""
    problems = []
    for t in _templates(m):
        for path in _manifest_paths(t):
            names = [p["name"] for p in t.get("inputs", {}).get("parameters", [])]
            manifest = _at(t, path)
            numeric = {n for n in names if f"asInt(inputs.parameters['{n}'])" in manifest}
            benign = template_scope(m, t)
            hostile = {**benign, **{f"inputs.parameters.{n}": ("-12345" if n in numeric else HOSTILE) for n in names}}
            for n in sorted(numeric):
                try:
                    substitute(t, {**benign, f"inputs.parameters.{n}": HOSTILE})
                    problems.append(f"{t['name']}: a non-integer {n} renders")
                except UnresolvedError:
                    pass
            try:
                a = yaml.safe_load(_at(substitute(t, benign), path))
                b = yaml.safe_load(_at(substitute(t, hostile), path))
            except (UnresolvedError, yaml.YAMLError) as exc:
                problems.append(f"{t['name']}: manifest does not render: {exc}")
                continue
            if _shape(a) != _shape(b):
                problems.append(f"{t['name']}: a value changed the manifest's structure")
    return problems


def _shape(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _shape(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_shape(v) for v in node]
    return type(node).__name__


def training_jobs_end(m: dict[str, Any]) -> Problems:
    """Training jobs end by themselves and MPI workers wait for mpirun: pods restart ``Never`` with a
    ``backoffLimit`` (training-operator v1.9.0 ``pkg/controller.v1/common/job.go`` l. 192-214), and MPI
    workers have no command, or the operator does not make them ``sleep``
    (``pkg/controller.v1/mpi/mpijob_controller.go`` l. 942)."""
    problems = []
    for t in _templates(m):
        if "resource" not in t:
            continue
        try:
            obj = yaml.safe_load(substitute(t, template_scope(m, t))["resource"]["manifest"])
        except (UnresolvedError, yaml.YAMLError):
            continue  # reported by embedded_manifests_survive_values
        if obj.get("apiVersion") != "kubeflow.org/v1":
            continue
        spec = obj["spec"]
        if "backoffLimit" not in spec.get("runPolicy", {}):
            problems.append(f"{t['name']}: no runPolicy.backoffLimit")
        replicas = next(v for k, v in spec.items() if k.endswith("ReplicaSpecs"))
        for role, r in replicas.items():
            if r.get("restartPolicy") != "Never":
                problems.append(f"{t['name']}: {role} restarts {r.get('restartPolicy')}")
        if obj["kind"] == "MPIJob":
            worker = replicas["Worker"]["template"]["spec"]["containers"][0]
            if "command" in worker:
                problems.append(f"{t['name']}: MPI workers have a command")
    return problems


def operator_jobs_stop_at_the_step_timeout(m: dict[str, Any]) -> Problems:
    """A step's timeout kills only Argo's own pod: the job it created must stop by itself. Training jobs by
    ``runPolicy.activeDeadlineSeconds`` (training-operator v1.9.0 ``pkg/controller.v1/common/job.go``
    pastActiveDeadline); a SparkApplication has no deadline field, so its driver and executor pod templates
    carry one (kubeflow/spark-operator ``internal/controller/sparkapplication/submission.go``
    buildDriverPodTemplate l. 1159-1181), named as Spark expects (``pkg/common/spark.go`` l. 365-373), on
    Spark >= 3.0."""
    problems = []
    for t in _templates(m):
        limit = t.get("activeDeadlineSeconds")
        if "resource" not in t or limit is None:
            continue
        try:
            obj = yaml.safe_load(substitute(t, template_scope(m, t))["resource"]["manifest"])
        except (UnresolvedError, yaml.YAMLError):
            continue  # reported by embedded_manifests_survive_values
        spec = obj.get("spec", {})
        if obj.get("apiVersion") == "kubeflow.org/v1":
            own = spec.get("runPolicy", {}).get("activeDeadlineSeconds")
            if own is None or int(own) > int(limit):
                problems.append(f"{t['name']}: the job's deadline {own} does not end it by the step's {limit}s")
        elif obj.get("kind") == "SparkApplication":
            if tuple(int(x) for x in str(spec.get("sparkVersion", "0")).split(".")[:1]) < (3,):
                problems.append(f"{t['name']}: Spark {spec.get('sparkVersion')} reads no pod templates")
            for role, name in (("driver", "spark-kubernetes-driver"), ("executor", "spark-kubernetes-executor")):
                pod = spec.get(role, {}).get("template", {}).get("spec", {})
                own = pod.get("activeDeadlineSeconds")
                if own is None or int(own) > int(limit):
                    problems.append(f"{t['name']}: the {role}'s deadline {own} does not end it by the step's {limit}s")
                if [c.get("name") for c in pod.get("containers", [])][:1] != [name]:
                    problems.append(f"{t['name']}: the {role} template's container is not {name!r}")
    return problems


#: serving objects whose status keeps the previous version's state after an update (see deploy_pod.py)
_SERVING_KINDS = ("InferenceService", "SeldonDeployment", "Model")


def deploys_wait_for_the_new_version(m: dict[str, Any]) -> Problems:
    """A serving object is applied by the deploy pod, never by a resource template: Argo's conditions compare
    status fields with constants (``workflow/executor/resource.go`` matchConditions l. 279-309), and after an
    update KServe (``inference_service_status.go`` l. 567-636), Seldon v1 (``seldondeployment_controller.go``
    l. 2136-2151) and Seldon v2 (``operator/scheduler/model.go`` l. 187-236) still report the old version's
    state, with no generation of their own. A KServe canary also carries its stable model, applied first
    when nothing has been rolled out (else the canary takes all the traffic)."""
    from mldsl.backends.argo.deploy import DEPLOY_LABEL, pod_source

    problems = []
    for t in _templates(m):
        if "resource" in t and re.search(r'"kind": "(%s)"' % "|".join(_SERVING_KINDS), t["resource"]["manifest"]):
            problems.append(f"{t['name']}: a resource template applies a serving object and cannot wait for it")
        labels = (t.get("metadata") or {}).get("labels") or {}
        if DEPLOY_LABEL not in labels:
            continue
        script = t.get("script") or {}
        if script.get("source") != pod_source():
            problems.append(f"{t['name']}: the deploy pod does not run mldsl's deploy program")
        env = {e["name"]: e.get("value", "") for e in script.get("env", [])}
        if '"canaryTrafficPercent"' in env.get("MLDSL_MANIFEST", "") and "MLDSL_STABLE_MANIFEST" not in env:
            problems.append(f"{t['name']}: a KServe canary without its stable model")
    return problems


def katib_experiment(m: dict[str, Any]) -> Problems:
    """Katib: a trial Workflow ending in ``Error`` matches the failure condition (``trial/util/job_util.go``
    l. 66-95); hyperband's ``parallelTrialCount >= eta ** floor(log_eta(r_l))``
    (``pkg/suggestion/v1beta1/hyperband/service.py`` l. 280-285); booleans as Go writes them."""
    if m.get("apiVersion") != "kubeflow.org/v1beta1" or m.get("kind") != "Experiment":
        return []
    import math

    problems = []
    spec = m["spec"]
    if "Error" not in spec["trialTemplate"]["failureCondition"]:
        problems.append("the trial's failure condition does not cover a Workflow in Error")
    algo = spec["algorithm"]
    if algo["algorithmName"] == "hyperband":
        settings = {s["name"]: s["value"] for s in algo.get("algorithmSettings", [])}
        eta = int(float(settings.get("eta", 3)))
        need = math.ceil(eta ** int(math.log(float(settings["r_l"])) / math.log(eta)))
        if spec["parallelTrialCount"] < need:
            problems.append(f"hyperband needs parallelTrialCount >= {need}")
    for p in spec["parameters"]:
        for v in p["feasibleSpace"].get("list", []):
            if v in ("True", "False"):
                problems.append(f"parameter {p['name']}: {v!r} is Python's spelling")
    return problems


def approvals_time_out(m: dict[str, Any]) -> Problems:
    """An expired ``suspend.duration`` *succeeds* the node (``workflow/controller/operator.go`` executeSuspend
    l. 4005-4011), as ``argo resume`` does, both giving ``supplied`` outputs their default (``workflow/util/util.go``
    l. 503-517): so a suspend with a duration records when it opened (a ``supplied`` output defaulting to
    ``{{=now().Unix()}}``), and its DAG has a task after it that runs when that long has passed and fails."""
    if not _is_workflow(m):
        return []
    problems: Problems = []
    by_name = {t["name"]: t for t in _templates(m)}
    for t in _templates(m):
        duration = (t.get("suspend") or {}).get("duration")
        if not duration:
            continue
        seconds = int(str(duration).rstrip("s"))
        opened = [
            p["name"]
            for p in (t.get("outputs") or {}).get("parameters", [])
            if "supplied" in (p.get("valueFrom") or {}) and p["valueFrom"].get("default") == "{{=now().Unix()}}"
        ]
        callers = [
            (d, task["name"])
            for d in _templates(m)
            for task in d.get("dag", {}).get("tasks", [])
            if task["template"] == t["name"]
        ]
        if not opened or not callers:
            problems.append(f"{t['name']}: a suspend with a duration that nothing turns into a failure when it expires")
            continue
        for dag, wait in callers:
            checks = [
                task
                for task in dag["dag"]["tasks"]
                if wait in task.get("depends", "")
                and "now().Unix()" in task.get("when", "")
                and f"outputs.parameters['{opened[0]}']" in task["when"]
                and task["when"].rstrip("}").endswith(f">= {seconds}")
            ]
            commands = {c["name"]: (by_name.get(c["template"], {}).get("container") or {}).get("command", []) for c in checks}
            fails = [c for c in checks if "exit 1" in " ".join(commands[c["name"]])]
            if not fails:
                problems.append(f"{dag['name']}: {wait} expires after {seconds}s and succeeds, and no task then fails the step")
    return problems


def continue_on_not_beside_depends(m: dict[str, Any]) -> Problems:
    """No DAG has a task with ``continueOn`` beside a task with ``depends``: the controller refuses the workflow
    ("cannot use 'continueOn' when using 'depends'", ``workflow/validate/validate.go`` l. 1441-1448, 1476-1478)."""
    problems: Problems = []
    for t in _templates(m):
        tasks = t.get("dag", {}).get("tasks", [])
        with_depends = [task["name"] for task in tasks if task.get("depends")]
        for task in tasks:
            if task.get("continueOn") is not None and with_depends:
                problems.append(f"{t['name']}: {task['name']} has continueOn, and {with_depends[0]} uses depends")
    return problems


def continued_outputs_are_empty(m: dict[str, Any]) -> Problems:
    """The outputs of a step that did not succeed are empty (SPEC §1.9), but a pod that wrote its outputs and
    then failed keeps them (``workflow/executor/postmain.go`` l. 41-66; ``operator.go`` buildLocalScope
    l. 3632-3685): so a DAG output does not read a task with ``continueOn`` whose template is a pod (or an
    operator's resource), only one whose template is a DAG, which resolves outputs only when it succeeded
    (``dag.go`` executeDAG l. 373-380)."""
    if not _is_workflow(m):
        return []
    problems: Problems = []
    by_name = {t["name"]: t for t in _templates(m)}
    for t in _templates(m):
        for task in t.get("dag", {}).get("tasks", []):
            target = by_name.get(task.get("template", ""), {})
            if not task.get("continueOn") or "dag" in target or "steps" in target:
                continue
            if any(k in task for k in ("withItems", "withParam", "withSequence")):
                continue  # an aggregate holds the succeeded items' outputs only (operator.go l. 3762-3764)
            outs = t.get("outputs", {})
            name = re.escape(task["name"])
            for o in [*outs.get("parameters", []), *outs.get("artifacts", [])]:
                if re.search(rf"tasks(\.{name}|\['{name}'\])\.outputs", json.dumps(o)):
                    problems.append(f"{t['name']}.outputs.{o['name']}: reads {task['name']}, which may have failed")
    return problems


def continued_tasks_are_leaves(m: dict[str, Any]) -> Problems:
    """A failed task inside a DAG marks every task after it failed, skipped or omitted ones included, and
    a leaf whose branch failed fails the DAG unless the leaf itself has ``continueOn``
    (``workflow/controller/dag.go`` assessDAGPhase l. 147-151, 193-205, 228-236): so a task with
    ``continueOn`` has no task after it in its DAG (``continue_on_failure`` steps run in a wrapper)."""
    if not _is_workflow(m):
        return []
    problems: Problems = []
    for t in _templates(m):
        tasks = t.get("dag", {}).get("tasks", [])
        for task in tasks:
            if not task.get("continueOn"):
                continue
            after = [o["name"] for o in tasks if re.search(rf"\b{re.escape(task['name'])}\b", o.get("depends", ""))]
            if after:
                problems.append(f"{t['name']}: {', '.join(after)} come after {task['name']}, whose failure continues")
    return problems


def resource_outputs_from_the_object(m: dict[str, Any]) -> Problems:
    """A resource template's output parameters come from the created object only: ``jsonPath`` or ``jqFilter``
    (argo-workflows v4.1.2 ``workflow/executor/resource.go`` SaveResourceParameters l. 315-335 skips any other
    ``valueFrom``, so a ``path`` there never gets a value). Metrics of Spark and training jobs are read back by a
    pod after the job (``backends/argo/metrics.py``), and every task output a DAG reads is declared by its template."""
    if not _is_workflow(m):
        return []
    problems: Problems = []
    by_name = {t["name"]: t for t in _templates(m)}
    for t in _templates(m):
        if "resource" in t:
            for p in (t.get("outputs") or {}).get("parameters", []):
                vf = p.get("valueFrom") or {}
                if not (vf.get("jsonPath") or vf.get("jqFilter")):
                    problems.append(f"{t['name']}: output {p['name']} of a resource template is never set")
        for task in t.get("dag", {}).get("tasks", []):
            declared = {p["name"] for p in ((by_name.get(task["template"], {}).get("outputs") or {}).get("parameters", []))}
            name = re.escape(task["name"])
            forms = (
                r"tasks\.%s\.outputs\.parameters\.([A-Za-z0-9_-]+)" % name,
                r"tasks\['%s'\]\.outputs\.parameters\['([A-Za-z0-9_-]+)'\]" % name,
            )
            for _, text in strings(t):
                for ref in [r for form in forms for r in re.findall(form, text)]:
                    if ref not in declared:
                        problems.append(f"{t['name']}: reads output {ref} of {task['name']}, which its template never sets")
    return problems


def cron_schedules_parse(m: dict[str, Any]) -> Problems:
    """Every schedule of a CronWorkflow parses as the controller parses it: robfig/cron v3.0.1 ParseStandard
    (``workflow/validate/validate.go`` l. 448-452), after the ``CRON_TZ=<timezone>`` prefix Argo puts in front
    (``cron_workflow_types.go`` l. 193-197). The port is ``mldsl.argo.validate.schedule_error``."""
    if m.get("kind") != "CronWorkflow":
        return []
    from mldsl.argo.validate import schedule_error

    spec = m.get("spec", {})
    zone = spec.get("timezone")
    problems = []
    for cron in spec.get("schedules") or ([spec["schedule"]] if spec.get("schedule") else []):
        text = f"CRON_TZ={zone} {cron}" if zone else str(cron)
        err = schedule_error(text)
        if err is not None:
            problems.append(f"{m['metadata'].get('name')}: schedule {cron!r}: {err.message}")
    return problems


def semaphores_have_their_limit(m: dict[str, Any]) -> Problems:
    """A semaphore's limit is ``strconv.Atoi`` of a ConfigMap key, read when a node first takes it; a missing
    ConfigMap or key, or text that is not an integer, errors the node (argo-workflows v4.1.2
    ``workflow/controller/controller.go`` createSynchronizationManager l. 471-492), and a limit of 0 waits
    forever. So every task whose template takes a semaphore waits for a task of its DAG that creates that
    ConfigMap, owned by the run, whose key holds an integer of at least 1 for the params' defaults and for 0."""
    if not _is_workflow(m):
        return []
    problems: Problems = []
    by_name = {t["name"]: t for t in _templates(m)}
    spec = m.get("spec", {}).get("workflowSpec", m.get("spec", {}))
    for dag in _templates(m):
        tasks = {t["name"]: t for t in dag.get("dag", {}).get("tasks", [])}
        for task in tasks.values():
            sems = (by_name.get(task["template"], {}).get("synchronization") or {}).get("semaphores", [])
            for sem in sems:
                ref = substitute(sem.get("configMapKeyRef", {}), {g: "wf" for g in _GLOBALS})
                writers = [
                    w
                    for w in tasks.values()
                    if re.search(rf"\b{re.escape(w['name'])}\b", task.get("depends", ""))
                    and _creates_config_map(by_name.get(w["template"], {}), ref.get("name"), ref.get("key"))
                ]
                if not writers:
                    problems.append(f"{dag['name']}: {task['name']} takes semaphore {ref} that no task before it creates")
                    continue
                for zero in (False, True):
                    scope = {g: "wf" for g in _GLOBALS}
                    for p in spec.get("arguments", {}).get("parameters", []):
                        scope[f"workflow.parameters.{p['name']}"] = "0" if zero else str(p.get("value", ""))
                    for a in writers[0].get("arguments", {}).get("parameters", []):
                        try:
                            limit = str(substitute(a.get("value", ""), scope))
                        except (UnresolvedError, ExprError) as exc:
                            problems.append(f"{dag['name']}: {writers[0]['name']} cannot write its limit: {exc}")
                            continue
                        if not re.fullmatch(r"[0-9]+", limit) or int(limit) < 1:
                            problems.append(f"{dag['name']}: {writers[0]['name']} writes limit {limit!r}, not an integer >= 1")
    return problems


def _creates_config_map(template: dict[str, Any], name: Any, key: Any) -> bool:
    res = template.get("resource") or {}
    if res.get("action") != "create" or not res.get("setOwnerReference"):
        return False
    scope = {g: "wf" for g in _GLOBALS} | {
        f"inputs.parameters.{p['name']}": "1" for p in template.get("inputs", {}).get("parameters", [])
    }
    try:
        obj = yaml.safe_load(str(substitute(res.get("manifest", ""), scope)))
    except (UnresolvedError, ExprError, yaml.YAMLError):
        return False
    return obj.get("kind") == "ConfigMap" and obj.get("metadata", {}).get("name") == name and key in (obj.get("data") or {})


RULES: tuple[Rule, ...] = (
    no_dollar_braces,
    tags_resolve,
    value_from_parameter_is_one_tag,
    outputs_survive_skipped_steps,
    memoize_key_form,
    s3_full_location,
    jsonpath_filters_over_lists,
    names_and_labels,
    intstr_fields,
    conditions_are_expressions,
    depends_not_dependencies,
    depends_evaluate,
    yaml11_safe,
    embedded_manifests_survive_values,
    training_jobs_end,
    operator_jobs_stop_at_the_step_timeout,
    deploys_wait_for_the_new_version,
    katib_experiment,
    approvals_time_out,
    continued_tasks_are_leaves,
    continue_on_not_beside_depends,
    continued_outputs_are_empty,
    resource_outputs_from_the_object,
    semaphores_have_their_limit,
    cron_schedules_parse,
)


#: a word a shell reads as itself: Katib joins the primary container's words with spaces for ``sh -c``
_PLAIN_WORD = re.compile(r"^[A-Za-z0-9_./:=,+@%-]+$")


def katib_reads_its_objective(manifests: list[dict[str, Any]]) -> Problems:
    """Katib's StdOut collector reads ``name=value`` from the one pod matching ``primaryPodLabels``, whose
    main container its webhook runs as ``sh -c "<command and args joined by spaces> 1>log ..."``
    (kubeflow/katib ``pkg/webhook/v1beta1/pod/utils.go`` wrapWorkerContainer l. 155-199, getContainerCommand
    l. 96-126; Argo prefixes ``argoexec emissary --``, argo-workflows ``workflowpod.go`` l. 753-770): so
    exactly one template of the trial's WorkflowTemplate carries the labels, its words are plain for a
    shell, it prints ``<objective>=`` (printenv of env values), and a task runs it after the objective step."""
    problems: Problems = []
    by_name = {(m.get("kind"), m["metadata"].get("name")): m for m in manifests}
    for exp in manifests:
        if exp.get("apiVersion") != "kubeflow.org/v1beta1" or exp.get("kind") != "Experiment":
            continue  # Seldon v2 has an Experiment kind too
        tt = exp["spec"]["trialTemplate"]
        ref = tt["trialSpec"]["spec"]["workflowTemplateRef"]["name"]
        wft = by_name.get(("WorkflowTemplate", ref))
        if wft is None:
            problems.append(f"{exp['metadata']['name']}: no WorkflowTemplate {ref!r} among the manifests")
            continue
        want = tt["primaryPodLabels"]
        primary = [
            t
            for t in wft["spec"]["templates"]
            if want.items() <= (t.get("metadata", {}).get("labels") or {}).items() and ("container" in t or "script" in t)
        ]
        if len(primary) != 1:
            problems.append(f"{exp['metadata']['name']}: {len(primary)} templates match primaryPodLabels {want}")
            continue
        tpl = primary[0]
        c = tpl.get("container") or tpl.get("script") or {}
        words = [*c.get("command", []), *c.get("args", [])]
        if "script" in tpl:
            words.append("/argo/staging/script")  # where Argo puts a script template's source
        odd = [w for w in words if not _PLAIN_WORD.match(w)]
        if odd:
            problems.append(f"{tpl['name']}: words a shell would re-read when Katib joins them: {odd}")
        env = {e["name"]: e.get("value", "") for e in c.get("env", [])}
        printed = [env.get(n, "") for n in words[1:]] if words[:1] == ["printenv"] else []
        metric = exp["spec"]["objective"]["objectiveMetricName"]
        if not any(line.startswith(f"{metric}=") for line in printed):
            problems.append(f"{tpl['name']}: nothing shows it prints {metric}=<value>")
        main = next(t for t in wft["spec"]["templates"] if t["name"] == wft["spec"]["entrypoint"])
        runs = [t for t in main.get("dag", {}).get("tasks", []) if t["template"] == tpl["name"]]
        if len(runs) != 1 or not str(runs[0].get("depends", "")).endswith(".Succeeded"):
            problems.append(f"{tpl['name']}: not run once after the objective step succeeds")
    return problems


def check(manifest: dict[str, Any]) -> Problems:
    """Every rule's problems with ``manifest``, each prefixed with the rule's name."""
    return [f"{rule.__name__}: {p}" for rule in RULES for p in rule(manifest)]
