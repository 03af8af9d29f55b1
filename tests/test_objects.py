"""mldsl.runner.objects: Argo resource templates against the in-memory object store.

Each test names the rule it checks and where it comes from: Argo v4.1.2 (workflow/executor/resource.go,
cmd/argoexec/commands/resource.go, workflow/controller/operator.go) and the Kubernetes v0.35.4 libraries
it vendors (apimachinery labels/selector.go, apiserver handlers/patch.go, kubectl, client-go jsonpath),
gojq v0.12.19.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from mldsl.runner import kubejson
from mldsl.runner import objects as o
from mldsl.runner.kubepatch import json_patch, merge_patch
from mldsl.runner.kubepods import needs_controller, unsupported
from mldsl.runner.objects import (
    ObjectStore,
    ResourceError,
    SelectorError,
    jq_filter,
    jsonpath,
    match_conditions,
    parse_selector,
    pod_object,
)

CORPUS = Path("/work/shared/argo-examples")
POD = "k8s-wf-main-3541"
OWNER = {"name": "k8s-wf", "uid": "9f0c-uid"}
FAILED = "main: Error (exit code 64): "  # argoexec's exit 64, worded by operator.go:1864-1874


def store() -> ObjectStore:
    s = ObjectStore("argo", clock=lambda: 0)
    s.add(pod_object(POD, "argo", {"labels": {"app": "x"}}, workflow="k8s-wf", node_name="k8s-wf"))
    return s


def cm(name: str, extra: str = "") -> str:
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n{extra}"


def run(s: ObjectStore, **resource: Any) -> o.ResourceResult:
    parameters = resource.pop("parameters", None)
    return s.resource(resource, owner=OWNER, pod_name=POD, parameters=parameters)


def corpus_template(name: str, template: str | None = None) -> dict[str, Any]:
    doc = yaml.safe_load((CORPUS / name).read_text())
    templates = doc["spec"]["templates"]
    return next(t for t in templates if template is None or t["name"] == template)


def substituted(resource: dict[str, Any]) -> dict[str, Any]:
    """What Argo hands the executor: ``{{pod.name}}`` replaced (the one tag these examples use)."""
    out = dict(resource)
    out["manifest"] = str(out.get("manifest", "")).replace("{{pod.name}}", POD)
    out["flags"] = [str(f).replace("{{pod.name}}", POD) for f in out.get("flags") or []]
    return out


# --------------------------------------------------------------------------- the corpus examples


@pytest.mark.parametrize(
    "example", ["k8s-owner-reference.yaml", "k8s-patch-pod.yaml", "k8s-patch-json-pod.yaml", "k8s-patch-merge-pod.yaml"]
)
def test_corpus_examples_succeed(example: str) -> None:
    s = store()
    result = s.resource(substituted(corpus_template(example)["resource"]), owner=OWNER, pod_name=POD)
    assert (result.phase, result.message) == ("Succeeded", "")
    if example == "k8s-owner-reference.yaml":
        created = [x for x in s.objects() if x["kind"] == "Workflow"]
        assert len(created) == 1 and created[0]["metadata"]["name"].startswith("owned-eg-")
        # operator.go:3938-3951: metav1.NewControllerRef(wf, Workflow) appended
        assert created[0]["metadata"]["ownerReferences"] == [
            {"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "name": "k8s-wf", "uid": "9f0c-uid",
             "controller": True, "blockOwnerDeletion": True}
        ]  # fmt: skip
    else:
        pod = s.get("Pod", POD)
        assert pod is not None and pod["metadata"]["annotations"]["foo"] == "bar"
        assert pod["metadata"]["annotations"]["workflows.argoproj.io/node-name"] == "k8s-wf"  # the rest kept
        assert pod["status"] == {"phase": "Running"}


def test_corpus_command_lines() -> None:
    """getKubectlArguments (resource.go:122-173): the patch form depends on mergeStrategy and kind."""
    lines = {}
    for example in ("k8s-patch-pod.yaml", "k8s-patch-json-pod.yaml", "k8s-patch-merge-pod.yaml", "k8s-owner-reference.yaml"):
        lines[example] = store().resource(substituted(corpus_template(example)["resource"]), owner=OWNER, pod_name=POD).log
    m = "/tmp/manifest.yaml"
    assert lines["k8s-patch-pod.yaml"] == [f"kubectl patch --type strategic --patch-file {m} -f {m} -o json"]  # :135-137
    assert lines["k8s-patch-json-pod.yaml"] == [f"kubectl patch --type json --patch-file {m} pod {POD} -o json"]  # :148-149
    assert lines["k8s-patch-merge-pod.yaml"] == [f"kubectl patch --type merge --patch-file {m} pod {POD} -o json"]  # :156-157
    assert lines["k8s-owner-reference.yaml"] == [f"kubectl create -f {m} -o json"]


def test_delete_always_ignores_not_found() -> None:
    """resource.go:128-131: Argo adds --ignore-not-found, so deleting nothing succeeds; a later
    --ignore-not-found=false in the flags wins (pflag: the last value)."""
    s = store()
    r = run(s, action="delete", manifest=cm("gone"))
    assert (r.phase, r.log) == ("Succeeded", ["kubectl delete --ignore-not-found -f /tmp/manifest.yaml -o name"])
    r = run(s, action="delete", flags=["configmap", "gone", "--ignore-not-found=false"])
    assert r.message == FAILED + 'no more retries Error from server (NotFound): configmaps "gone" not found'


def test_resource_delete_with_flags_example() -> None:
    """resource-delete-with-flags.yaml: create a labelled ConfigMap, delete by --selector."""
    s = store()
    create = corpus_template("resource-delete-with-flags.yaml", "create-configmap")["resource"]
    assert run(s, **create).phase == "Succeeded"
    delete = dict(corpus_template("resource-delete-with-flags.yaml", "delete-resource")["resource"])
    delete["flags"] = [f.replace("{{inputs.parameters.selector}}", "cleanup=true") for f in delete["flags"]]
    assert run(s, **delete).phase == "Succeeded"
    assert s.get("configmap", "resource-delete-with-flags") is None


def test_unknown_kind_fails_as_without_its_crd() -> None:
    """resource-flags.yaml on a cluster without the Route CRD: kubectl's mapping error; a CRD added
    to the store makes the kind known."""
    s = store()
    route = corpus_template("resource-flags.yaml", "create-route")["resource"]
    r = run(s, **route)
    assert r.message == FAILED + (
        'no more retries error: resource mapping not found for name: "host-route" namespace: "" from "/tmp/manifest.yaml": '
        'no matches for kind "Route" in version "route.openshift.io/v1"\nensure CRDs are installed first'
    )
    s.add({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "routes.route.openshift.io"},
        "spec": {"group": "route.openshift.io", "scope": "Namespaced", "names": {"kind": "Route", "plural": "routes"},
                 "versions": [{"name": "v1"}]},
    })  # fmt: skip
    assert run(s, **corpus_template("resource-flags.yaml", "create-route-without-validation")["resource"]).phase == "Succeeded"
    assert s.get("routes.route.openshift.io", "host-route") is not None


# --------------------------------------------------------------------------- kubectl and the API server


def test_patch_of_absent_pod_is_not_found() -> None:
    """handlers/patch.go:471 NewNotFound; kubectl: 'Error from server (NotFound): ...' (helpers.go:245-250);
    Argo: 'no more retries ' (resource.go:52-61)."""
    r = run(
        store(), action="patch", mergeStrategy="merge", flags=["pod", "no-such-pod"], manifest="metadata:\n  labels: {a: b}\n"
    )
    assert r.phase == "Failed"
    assert r.message == FAILED + 'no more retries Error from server (NotFound): pods "no-such-pod" not found'
    r = run(store(), action="patch", manifest="apiVersion: v1\nkind: Pod\nmetadata:\n  name: other\n")
    assert r.message == FAILED + 'no more retries Error from server (NotFound): pods "other" not found'


def test_create_twice_already_exists() -> None:
    """create.go:270 AddSourceToErr("creating") over NewAlreadyExists."""
    s = store()
    assert run(s, action="create", manifest=cm("x")).phase == "Succeeded"
    r = run(s, action="create", manifest=cm("x"))
    assert r.message == FAILED + (
        "no more retries Error from server (AlreadyExists): "
        'error when creating "/tmp/manifest.yaml": configmaps "x" already exists'
    )
    job = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\n"
    run(s, action="create", manifest=job)
    assert 'jobs.batch "j" already exists' in run(s, action="create", manifest=job).message


def test_generate_name_is_deterministic() -> None:
    """SimpleNameGenerator: the prefix (cut to 58) and five characters of its alphabet; here repeatable."""
    manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  generateName: owned-eg-\n"
    names = []
    for _ in range(2):
        s = store()
        names.append([run(s, action="create", manifest=manifest).object["metadata"]["name"] for _ in range(3)])  # type: ignore[index]
    assert names[0] == names[1] and len(set(names[0])) == 3
    for n in names[0]:
        assert n.startswith("owned-eg-") and len(n) == len("owned-eg-") + 5 and set(n[-5:]) <= set("bcdfghjklmnpqrstvwxz2456789")
    long = run(store(), action="create", manifest=manifest.replace("owned-eg-", "a" * 70)).object
    assert long is not None and len(long["metadata"]["name"]) == 63


def test_name_required_and_valid() -> None:
    """The API server's name checks, printed by kubectl as 'The Kind "name" is invalid' (helpers.go:163-181)."""
    r = run(store(), action="create", manifest="apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n")
    assert r.message.endswith('The ConfigMap "" is invalid: metadata.name: Required value: name or generateName is required')
    r = run(store(), action="create", manifest=cm("Bad_Name"))
    assert (
        'The ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain'
        in r.message
    )


def test_server_set_metadata() -> None:
    s = store()
    obj = run(s, action="create", manifest=cm("x")).object
    assert obj is not None
    meta = obj["metadata"]
    assert meta["namespace"] == "argo" and meta["creationTimestamp"] == "1970-01-01T00:00:00Z"
    assert meta["uid"] and meta["resourceVersion"]


def test_apply_creates_then_merges_three_way() -> None:
    """apply.go: create with the last-applied annotation, then patch from it (a dropped key deleted)."""
    s = store()
    r = run(s, action="apply", manifest=cm("x", "data:\n  a: '1'\n  b: '2'\n"))
    assert r.phase == "Succeeded"
    last = r.object["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]  # type: ignore[index]
    assert last == '{"apiVersion":"v1","data":{"a":"1","b":"2"},"kind":"ConfigMap","metadata":{"annotations":{},"name":"x"}}\n'
    uid = r.object["metadata"]["uid"]  # type: ignore[index]
    r = run(s, action="apply", manifest=cm("x", "data:\n  a: '3'\n"))
    assert r.object is not None and r.object["data"] == {"a": "3"} and r.object["metadata"]["uid"] == uid
    r = run(s, action="apply", manifest="apiVersion: v1\nkind: ConfigMap\nmetadata:\n  generateName: g-\n")
    assert r.message == FAILED + "no more retries error: from g-: cannot use generate name with apply"  # apply.go:566


def test_replace() -> None:
    """replace.go:287: NotFound with the source; the object replaced whole, uid kept, a status
    subresource's status kept (the main resource cannot write it)."""
    s = store()
    r = run(s, action="replace", manifest=cm("x"))
    assert r.message == FAILED + (
        'no more retries Error from server (NotFound): error when replacing "/tmp/manifest.yaml": configmaps "x" not found'
    )
    first = run(s, action="create", manifest=cm("x", "data:\n  a: '1'\n")).object
    r = run(s, action="replace", manifest=cm("x", "data:\n  b: '2'\n"))
    assert r.object is not None and r.object["data"] == {"b": "2"} and r.object["metadata"]["uid"] == first["metadata"]["uid"]  # type: ignore[index]
    r = run(s, action="replace", manifest=f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {POD}\nstatus:\n  phase: Failed\n")
    assert r.object is not None and r.object["status"] == {"phase": "Running"}


def test_pod_created_from_a_manifest_stays_pending() -> None:
    """Pod PrepareForCreate: status reset to Pending; no scheduler or kubelet here moves it on."""
    r = run(store(), action="create", manifest="apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nstatus:\n  phase: Succeeded\n")
    assert r.object is not None and r.object["status"]["phase"] == "Pending"


def test_strategic_patch() -> None:
    """Built-in types merge lists by their patchMergeKey (core/v1/types.go:4135, 2970); a CRD takes
    no strategic patch (kubectl patch.go:259-263); directives are refused."""
    s = store()
    pod = s.get("Pod", POD)
    assert pod is not None
    pod["spec"]["containers"] = [
        {"name": "main", "image": "a", "env": [{"name": "X", "value": "1"}]},
        {"name": "side", "image": "b"},
    ]
    s.add(pod)
    patch = f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {POD}\nspec:\n  containers:\n  - name: main\n"
    patch += "    env:\n    - name: Y\n      value: '2'\n"
    r = run(s, action="patch", manifest=patch)
    assert r.object is not None
    assert r.object["spec"]["containers"] == [
        # mergeSlice's order normalisation (strategicpatch/patch.go:404-468): patch items first
        {"name": "main", "image": "a", "env": [{"name": "Y", "value": "2"}, {"name": "X", "value": "1"}]},
        {"name": "side", "image": "b"},
    ]
    s.add({"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "metadata": {"name": "wf"}})
    r = run(s, action="patch", flags=["workflow", "wf"], manifest="metadata:\n  labels:\n    a: b\n")
    assert r.message == FAILED + (
        "no more retries error: application/strategic-merge-patch+json is not supported by argoproj.io/v1alpha1, Kind=Workflow: "
        "the body of the request was in an unknown format - accepted media types include: "
        "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
    )
    r = run(s, action="patch", flags=["pod", POD], manifest="metadata:\n  $patch: replace\n")
    assert (r.phase, r.message) == ("Error", "cannot run here: the strategic merge patch directive $patch")


def test_patch_json_workflow_example() -> None:
    """k8s-patch-json-workflow.yaml against the run's Workflow object, added by the caller."""
    s = store()
    s.add({"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "metadata": {"name": "k8s-wf", "labels": {"x": "y"}}})
    res = dict(corpus_template("k8s-patch-json-workflow.yaml")["resource"])
    res["flags"] = ["workflow", "k8s-wf"]
    assert run(s, **res).phase == "Succeeded"
    assert s.get("wf", "k8s-wf")["metadata"]["labels"] == {"x": "y", "foo": "bar"}  # type: ignore[index]


def test_patch_cannot_rename() -> None:
    """handlers/rest.go:279-282."""
    r = run(store(), action="patch", mergeStrategy="merge", flags=["pod", POD], manifest="metadata:\n  name: other\n")
    assert r.message == FAILED + (
        "no more retries Error from server (BadRequest): "
        f"the name of the object (other) does not match the name on the URL ({POD})"
    )


def test_json_patch_failure_is_a_bare_invalid() -> None:
    """handlers/patch.go:405-410: a failing operation becomes a 422 with the server's generic text,
    which kubectl prints as 'The request is invalid: ...' (helpers.go:163-181)."""
    for ops in ("- op: test\n  path: /metadata/name\n  value: nope\n", "- op: add\n  path: /metadata/missing/x\n  value: 1\n"):
        r = run(store(), action="patch", mergeStrategy="json", flags=["pod", POD], manifest=ops)
        assert (
            r.message
            == FAILED + "no more retries The request is invalid: the server rejected our request due to an error in our request"
        )


def test_json_patch_that_does_not_decode_is_a_bad_request() -> None:
    """handlers/patch.go:403-406: jsonpatch.DecodePatch's error, a BadRequest."""
    r = run(store(), action="patch", mergeStrategy="json", flags=["pod", POD], manifest="op: add\n")
    assert r.message == FAILED + (
        "no more retries Error from server (BadRequest): json: cannot unmarshal object into Go value of type jsonpatch.Patch"
    )
    r = run(store(), action="patch", mergeStrategy="json", flags=["pod", POD], manifest="- 1\n")
    assert r.message.endswith("json: cannot unmarshal number into Go value of type jsonpatch.Operation")


def test_get() -> None:
    """kubectl get: the object, NotFound, or a List (no name: resource.go:77-79 fails it)."""
    s = store()
    run(s, action="create", manifest=cm("x"))
    assert run(s, action="get", flags=["cm", "x"]).object["metadata"]["name"] == "x"  # type: ignore[index]
    assert run(s, action="get", flags=["configmap/x"]).phase == "Succeeded"
    r = run(s, action="get", manifest=cm("y"))
    assert r.message == FAILED + 'no more retries Error from server (NotFound): configmaps "y" not found'
    r = run(s, action="get", flags=["configmap"])
    assert r.message == FAILED + "Kind and name are both required but at least one of them is missing from the manifest"
    r = run(s, action="get", flags=["widgets", "x"])
    assert r.message == FAILED + 'no more retries error: the server doesn\'t have a resource type "widgets"'


def test_executor_checks_before_kubectl() -> None:
    """commands/resource.go:58-63 and resource.go:118-120."""
    r = run(store(), action="delete", manifest=cm("x"), successCondition="a")
    assert r.message == FAILED + "successCondition, failureCondition and outputs are not supported for delete action"
    r = run(store(), action="get")
    assert r.message == FAILED + "Must provide at least one of flags or manifest."


def test_set_owner_reference_needs_a_kind() -> None:
    """operator.go:3939-3943: the manifest decoded as unstructured; an error there is the node's Error."""
    r = run(store(), action="patch", mergeStrategy="merge", setOwnerReference=True, flags=["pod", POD], manifest="metadata: {}\n")
    assert r.phase == "Error"
    assert r.message == "error unmarshaling JSON: while decoding JSON: Object 'Kind' is missing in '{\"metadata\":{}}'"


def test_unknown_flag_is_refused() -> None:
    r = run(store(), action="create", manifest=cm("x"), flags=["--server-side"])
    assert (r.phase, r.message) == ("Error", "cannot run here: kubectl flag --server-side is not reproduced here")
    assert run(store(), action="create", manifest=cm("x"), flags=["--validate=false"]).phase == "Succeeded"


# --------------------------------------------------------------------------- conditions


def test_selector_parse_sorted_and_printed() -> None:
    """labels.Parse sorts by key (selector.go:925); Argo prints a Requirement value with %s, which
    shows its fields (resource.go:284; resource_test.go:146)."""
    reqs = parse_selector("status.phase in (Failed, Error), b, !c, d notin (), e=f, g > 3")
    assert [r.key for r in reqs] == ["b", "c", "d", "e", "g", "status.phase"]
    assert [str(r) for r in reqs] == [
        "{b exists []}",
        "{c ! []}",
        "{d notin []}",
        "{e = [f]}",
        "{g gt [3]}",
        "{status.phase in [Error Failed]}",
    ]
    assert str(parse_selector("status.phase == Error")[0]) == "{status.phase == [Error]}"


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("a,", "found '', expected: identifier after ','"),  # selector.go:707-710
        ("a in x", "unable to parse requirement: found 'x' expected: '('"),  # :802-804
        ("a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"),  # :794
        ("a==b==c", "found '==', expected: ',' or 'end of string'"),  # :712
        (
            "a > b",
            'unable to parse requirement: values[0]: Invalid value: "b": '
            "for 'Gt', 'Lt' operators, the value must be an integer",
        ),
        ("$x", 'unable to parse requirement: <nil>: Invalid value: "$x": name part must consist of alphanumeric characters'),
    ],
)
def test_selector_errors(text: str, error: str) -> None:
    with pytest.raises(SelectorError) as exc:
        parse_selector(text)
    assert str(exc.value).startswith(error)


def test_requirement_matching_over_gjson() -> None:
    """Requirement.Matches (selector.go:247-297) over gjson values (resource.go:184-197): numbers as
    written, missing keys, gt/lt by ParseInt, arrays indexed by digits, null exists."""
    obj = {"status": {"succeeded": 3, "phase": "Running", "ok": True, "items": [{"n": "a"}], "gone": None}}

    def m(text: str) -> bool:
        return all(r.matches(lambda k: kubejson._gjson_lookup(obj, k)) for r in parse_selector(text))

    assert m("status.succeeded > 2") and not m("status.succeeded > 3") and m("status.succeeded < 4")
    assert m("status.succeeded == 3") and m("status.ok = true") and m("status.items.0.n == a")
    assert m("status.phase in (Running, Pending)") and m("status.phase notin (Failed)")
    assert m("status.missing notin (x)") and m("status.missing != x") and not m("status.missing == x")
    assert not m("status.phase > 1") and not m("status.missing > 1")  # ParseInt fails: no match
    assert m("status.gone") and m("status.gone ==") and m("!status.missing") and not m("status.missing")


def test_match_conditions() -> None:
    """resource.go:279-305: failure first, then all success requirements, else retry."""
    obj = {"status": {"phase": "Failed"}}
    fail = parse_selector("status.phase in (Failed, Error)")
    assert match_conditions(obj, parse_selector("status.phase == Succeeded"), fail) == (
        False,
        "failure condition '{status.phase in [Error Failed]}' evaluated true",
    )
    assert match_conditions({"status": {}}, parse_selector("status.phase == Succeeded"), fail)[0] is True
    assert match_conditions({"status": {}}, [], fail) == (False, None)  # no success requirement: success


def test_conditions_in_a_run() -> None:
    """WaitResource (resource.go:200-249): met at once, failed, or Running until another step's
    patch makes it match; deleted while waiting (resource.go:259-261)."""
    s = store()
    r = run(s, action="create", successCondition="data.a == 1", manifest=cm("ok", "data:\n  a: '1'\n"))
    assert r.phase == "Succeeded"
    r = run(
        s, action="create", failureCondition="data.b in (x, y)", successCondition="data.a", manifest=cm("bad", "data:\n  b: y\n")
    )
    assert r.message == FAILED + "failure condition '{data.b in [x y]}' evaluated true"
    out = [{"name": "ready", "valueFrom": {"jsonPath": "{.metadata.labels.ready}"}}]
    r = run(s, action="create", successCondition="metadata.labels.ready == yes", manifest=cm("wait"), parameters=out)
    assert (r.phase, r.message) == (
        "Running",
        "Neither success condition nor the failure condition has been matched. Retrying...",
    )
    assert s.poll(r).phase == "Running"
    run(s, action="patch", mergeStrategy="merge", flags=["cm", "wait"], manifest="metadata:\n  labels:\n    ready: 'yes'\n")
    done = s.poll(r)
    assert (done.phase, done.parameters) == ("Succeeded", {"ready": "yes"})  # outputs read after the wait (resource.go:87)
    assert s.poll(done) is done
    r = run(s, action="create", successCondition="metadata.labels.ready == yes", manifest=cm("wait2"))
    run(s, action="delete", flags=["cm", "wait2"])
    assert s.poll(r).message == FAILED + (
        "The resource has been deleted while its status was still being checked. "
        'Will not be retried: configmaps "wait2" not found'
    )
    r = run(s, action="create", successCondition="status.x > abc", manifest=cm("p"))
    assert r.message.startswith(
        FAILED + "success condition 'status.x > abc' failed to parse: unable to parse requirement: values[0]"
    )


# --------------------------------------------------------------------------- patches


def test_json_patch_ops() -> None:
    """RFC 6902 as evanphx/json-patch v4 applies it."""
    doc = {"a": {"b": 1}, "l": [1, 2, 3]}
    ops = [
        {"op": "add", "path": "/a/c", "value": 2},
        {"op": "add", "path": "/l/-", "value": 4},
        {"op": "add", "path": "/l/0", "value": 0},
        {"op": "remove", "path": "/l/1"},
        {"op": "replace", "path": "/a/b", "value": "x"},
        {"op": "move", "from": "/a/c", "path": "/m"},
        {"op": "copy", "from": "/l", "path": "/k"},
        {"op": "test", "path": "/m", "value": 2.0},
        {"op": "add", "path": "/a~1b", "value": True},
    ]
    assert json_patch(doc, ops) == {"a": {"b": "x"}, "l": [0, 2, 3, 4], "m": 2, "k": [0, 2, 3, 4], "a/b": True}
    assert doc == {"a": {"b": 1}, "l": [1, 2, 3]}  # not changed
    assert json_patch({"l": [1, 2]}, [{"op": "remove", "path": "/l/-1"}]) == {"l": [1]}  # negative index
    for bad in (
        [{"op": "replace", "path": "/missing", "value": 1}],  # v4: replace needs the key
        [{"op": "test", "path": "/a", "value": True}],  # a boolean is not a number
        [{"op": "remove", "path": "/x"}],
        [{"op": "nope", "path": "/a"}],
    ):
        with pytest.raises(ValueError):
            json_patch({"a": 1}, bad)


def test_merge_patch() -> None:
    """RFC 7386: null deletes, maps merge, lists replace, nulls in new values dropped."""
    assert merge_patch(
        {"a": {"b": 1, "c": 2}, "l": [1], "d": 1}, {"a": {"b": None, "e": {"f": None, "g": 1}}, "l": [2], "d": None}
    ) == {
        "a": {"c": 2, "e": {"g": 1}},
        "l": [2],
    }


# --------------------------------------------------------------------------- outputs


def test_outputs_of_k8s_jobs_template() -> None:
    """k8s-jobs.yaml's outputs on the Job as created (its successCondition left out: no controller
    here would ever meet it). SaveResourceParameters: kubectl get -o jsonpath / gojq (resource.go:327-352)."""
    t = corpus_template("k8s-jobs.yaml")
    res = {k: v for k, v in t["resource"].items() if not k.endswith("Condition")}
    r = store().resource(res, owner=OWNER, pod_name=POD, parameters=t["outputs"]["parameters"])
    assert r.phase == "Succeeded"
    assert r.parameters["job-name"].startswith("rand-num-")
    assert yaml.safe_load(r.parameters["job-obj"])["metadata"]["name"] == r.parameters["job-name"]


def test_jsonpath() -> None:
    """client-go util/jsonpath as kubectl prints: text kept, maps as JSON (keys sorted), missing keys
    empty, %v numbers, slices, wildcards and unions."""
    obj = {"metadata": {"name": "n", "labels": {"b": "2", "a": "1"}}, "spec": {"n": 3, "f": 1.5, "big": 1e6, "l": [1, 2, 3]}}
    assert jsonpath(obj, "{.metadata.name}") == "n"
    assert jsonpath(obj, "name={.metadata.name}!") == "name=n!"
    assert jsonpath(obj, "{.metadata.labels}") == '{"a":"1","b":"2"}'
    assert jsonpath(obj, "{.metadata.missing}") == ""
    assert jsonpath(obj, "{.spec.n} {.spec.f} {.spec.big}") == "3 1.5 1e+06"
    assert jsonpath(obj, "{.spec.l[0]} {.spec.l[-1]} {.spec.l[1:]} {.spec.l[*]}") == "1 3 2 3 1 2 3"
    assert jsonpath(obj, "{.metadata['name']}{.spec.l[0,2]}") == "n1 3"
    assert jsonpath(obj, ".metadata.name") == ".metadata.name"  # no braces: printed as text
    with pytest.raises(ValueError, match=r"array index out of bounds: index 5, length 3"):
        jsonpath(obj, "{.spec.l[5]}")
    with pytest.raises(ValueError, match=r"^error: error parsing jsonpath \{.a, unclosed action$"):
        jsonpath(obj, "{.a")
    with pytest.raises(ValueError, match="map\\[string\\]interface \\{\\} is not array or slice"):
        jsonpath(obj, "{.metadata[0]}")


def test_jq() -> None:
    """Argo's jqFilter (resource.go:358-389): a string bare, anything else json.Marshal'ed; gojq's errors."""
    obj = {"metadata": {"name": "n", "labels": {"b": "<2>", "a": 1}}, "spec": {"l": [{"x": 1.0}], "s": "abc"}}
    assert jq_filter(obj, ".metadata.name") == "n"
    assert jq_filter(obj, ".metadata.labels") == '{"a":1,"b":"\\u003c2\\u003e"}'
    assert jq_filter(obj, ".spec.l[0].x") == "1" and jq_filter(obj, '.["spec"].l[-1]') == '{"x":1}'
    assert jq_filter(obj, ".missing.deeper") == "null" and jq_filter(obj, ".spec.l[9]") == "null"
    assert jq_filter({"a": 1}, ".") == '{"a":1}'
    with pytest.raises(ValueError, match=r'^expected an object but got: string \("abc"\)$'):
        jq_filter(obj, ".spec.s.x")
    # gojq's preview: keys sorted, cut to 30 bytes (preview.go:13-34)
    with pytest.raises(ValueError, match=r'^expected an array but got: object \(\{"labels":\{"x":"yyyyyyyyy \.\.\.\}\)$'):
        jq_filter({"m": {"name": "n", "labels": {"x": "yyyyyyyyyyyyyyy"}}}, ".m[0]")
    with pytest.raises(o._RefusedError):
        jq_filter(obj, ".metadata | keys")


def test_output_errors_fail_the_step() -> None:
    s = store()
    r = s.resource(
        {"action": "create", "manifest": cm("x", "data:\n  s: abc\n")},
        owner=OWNER,
        pod_name=POD,
        parameters=[{"name": "p", "valueFrom": {"jqFilter": ".data.s.x"}}],
    )
    assert (r.phase, r.message) == ("Failed", FAILED + 'expected an object but got: string ("abc")')
    with pytest.raises(ResourceError) as exc:
        r.outputs([{"name": "q", "valueFrom": {"jsonPath": "{.data[1]}"}}])
    assert exc.value.message.startswith(FAILED + 'error: error executing jsonpath "{.data[1]}": Error executing template:')


def test_outputs_default_when_get_prints_nothing() -> None:
    """resource.go:319-326: no object named (get --ignore-not-found of nothing): each default."""
    r = run(store(), action="get", flags=["cm", "none", "--ignore-not-found"], parameters=[
        {"name": "p", "valueFrom": {"jsonPath": "{.metadata.name}", "default": "dflt"}},
    ])  # fmt: skip
    assert (r.phase, r.object, r.parameters) == ("Succeeded", None, {"p": "dflt"})


# --------------------------------------------------------------------------- before the run


def test_needs_controller() -> None:
    jobs = corpus_template("k8s-jobs.yaml")["resource"]
    reason = needs_controller(jobs)
    assert reason is not None and "controller" in reason and "status.succeeded" in reason and "Job" in reason
    wait = corpus_template("k8s-wait-wf.yaml", "wait-wf")["resource"]
    assert "status.phase of the Workflow" in (needs_controller(wait) or "")
    # decided by the manifest as created: nothing to wait for
    assert (
        needs_controller({"action": "create", "successCondition": "data.a == 1", "manifest": cm("x", "data:\n  a: '1'\n")})
        is None
    )
    assert (
        needs_controller({"action": "create", "successCondition": "status.phase", "manifest": cm("x", "status:\n  phase: x\n")})
        is None
    )
    # a status subresource's status is dropped on create: a Job's never decides it
    job = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\nstatus:\n  succeeded: 5\n"
    assert needs_controller({"action": "create", "successCondition": "status.succeeded > 2", "manifest": job}) is not None
    # only a failure condition: no wait (resource.go:300-302); non-status fields: another step may patch them
    assert needs_controller({"action": "create", "failureCondition": "status.failed > 1", "manifest": job}) is None
    assert needs_controller({"action": "get", "successCondition": "metadata.labels.done", "flags": ["cm", "x"]}) is None
    for example in ("k8s-owner-reference.yaml", "k8s-patch-pod.yaml", "k8s-patch-json-pod.yaml", "k8s-patch-merge-pod.yaml"):
        assert needs_controller(corpus_template(example)["resource"]) is None


def test_unsupported() -> None:
    assert unsupported({"action": "create", "flags": ["--server-side"]}) == "kubectl flag --server-side is not reproduced here"
    assert unsupported({"action": "create", "manifest": cm("a") + "---\n" + cm("b")}) is not None
    assert "jq filter" in (unsupported({"action": "get"}, [{"name": "p", "valueFrom": {"jqFilter": ".a | .b"}}]) or "")
    assert "filter" in (unsupported({"action": "get"}, [{"name": "p", "valueFrom": {"jsonPath": "{.a[?(@.b==1)]}"}}]) or "")
    assert unsupported({"action": "delete", "flags": ["configmap", "--selector", "{{inputs.parameters.selector}}"]}) is None
    jobs = corpus_template("k8s-jobs.yaml")
    assert unsupported(jobs["resource"], jobs["outputs"]["parameters"]) is None


def test_pod_object() -> None:
    """workflowpod.go:477-491, 562, 1332-1333: Argo's labels and annotations, the template's over them."""
    pod = pod_object(
        "p", "ns", {"labels": {"a": "b"}, "annotations": {"c": "d"}}, workflow="wf", node_name="wf[0]", node_id="wf-1"
    )
    assert pod["metadata"] == {
        "name": "p",
        "namespace": "ns",
        "labels": {"workflows.argoproj.io/completed": "false", "workflows.argoproj.io/workflow": "wf", "a": "b"},
        "annotations": {
            "kubectl.kubernetes.io/default-container": "main",
            "workflows.argoproj.io/node-name": "wf[0]",
            "workflows.argoproj.io/node-id": "wf-1",
            "c": "d",
        },
    }
    assert pod["status"] == {"phase": "Running"}


def test_store_get_and_update_status() -> None:
    s = store()
    assert s.get("po", POD) is not None and s.get("pods", POD) is not None and s.get("Pod", "nope") is None
    s.update_status("pod", POD, {"phase": "Succeeded"})
    assert s.get("Pod", POD)["status"] == {"phase": "Succeeded"}  # type: ignore[index]


def test_go_number_text() -> None:
    """fmt %v (ftoa.go: 'g', shortest: exponent from 1e6), encoding/json floats, FormatFloat 'f'."""
    assert [kubejson._go_float_v(x) for x in (1e6, 123456.0, 1.5, 0.0001, 0.00001)] == [
        "1e+06",
        "123456",
        "1.5",
        "0.0001",
        "1e-05",
    ]
    assert [kubejson._go_float_json(x) for x in (1e-7, 1e21, 3.0, 1e20)] == ["1e-7", "1e+21", "3", "100000000000000000000"]
    assert [kubejson._go_float_f(x) for x in (1e22, 1.25e-5, 2.0)] == ["10000000000000000000000", "0.0000125", "2"]
