"""mldsl.runner.argofiles: plain Argo files loaded and resolved as Argo v4.1.2 does.

Each rule of the module has a test here; the last tests run it over Argo's own examples
(../shared/argo-examples, a read-only copy of argo-workflows v4.1.2 examples/).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest

from mldsl.runner.argodocs import _read, anystring
from mldsl.runner.argofiles import ArgoFileError, load
from mldsl.runner.argojoin import parse_parameters
from mldsl.runner.argomerge import TEMPLATE_SCHEMA, WORKFLOW_SPEC_SCHEMA, strategic_merge, with_defaults
from mldsl.runner.argoselect import _runnable_docs

CORPUS = Path(__file__).parents[2] / "shared" / "argo-examples"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip())
    return path


HELLO = """
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: hello-
spec:
  entrypoint: main
  templates:
    - name: main
      container: {image: busybox}
"""

PRINT_WFT = """
apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata:
  name: printer
spec:
  entrypoint: print
  arguments:
    parameters:
      - name: message
        value: from-template
        enum: [from-template, other]
      - name: colour
        value: red
  podMetadata:
    labels: {team: a, shared: from-holder}
  templates:
    - name: print
      metadata:
        labels: {shared: own}
      container: {image: busybox, args: ["{{workflow.parameters.message}}"]}
    - name: other
      container: {image: busybox}
"""


# --------------------------------------------------------------------------- errors and YAML


def test_broken_yaml_is_an_error_with_its_position(tmp_path: Path) -> None:
    path = write(tmp_path, "wf.yaml", "kind: Workflow\nspec:\n  entrypoint: [main\n")
    with pytest.raises(ArgoFileError) as info:
        load(path)
    err = info.value
    assert err.path == path and err.line == 4 and err.column == 1
    assert "invalid YAML" in err.message
    assert str(err).startswith(f"{path}:4:1: invalid YAML")


def test_a_repeated_key_is_refused_as_argo_submit_reads_strictly(tmp_path: Path) -> None:
    text = HELLO.replace("  generateName: hello-\n", "  generateName: hello-\n  generateName: again-\n")
    path = write(tmp_path, "wf.yaml", text)
    with pytest.raises(ArgoFileError) as info:
        load(path)
    assert (info.value.line, info.value.column) == (5, 3)
    assert 'key "generateName" already set in map (first at line 4)' in info.value.message


def test_a_file_without_a_runnable_object_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n")
    with pytest.raises(ArgoFileError) as info:
        load(path)
    assert "no Workflow, CronWorkflow, WorkflowTemplate or ClusterWorkflowTemplate" in info.value.message
    assert info.value.line == 1


def test_an_unknown_argo_kind_is_an_error_at_the_kind(tmp_path: Path) -> None:
    path = write(tmp_path, "wf.yaml", HELLO.replace("kind: Workflow", "kind: Workflo"))
    with pytest.raises(ArgoFileError) as info:
        load(path)
    assert info.value.message == "unknown kind 'Workflo'"
    assert (info.value.line, info.value.column) == (2, 7)
    assert info.value.hint == "did you mean Workflow?"


def test_a_document_without_kind_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "wf.yaml", HELLO + "---\nmetadata: {name: x}\n")
    with pytest.raises(ArgoFileError) as info:
        load(path)
    assert info.value.message == "a document of this file has no kind"
    assert info.value.line == 11


def test_other_kinds_in_the_file_are_left_alone(tmp_path: Path) -> None:
    secret = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n---\n"
    loaded = load(write(tmp_path, "wf.yaml", secret + HELLO))
    assert loaded.kind == "Workflow"


def test_values_are_read_as_go_yaml_and_anystring_read_them() -> None:
    # anystring.go:23-43: numbers print with FormatFloat 'f', -1; booleans as true/false
    assert [anystring(v) for v in (1, 1.0, 0.5, 1e21, True, False, "x", 10**20)] == [
        "1",
        "1",
        "0.5",
        "1000000000000000000000",
        "true",
        "false",
        "x",
        "100000000000000000000",
    ]


def test_dates_stay_the_text_written_and_yes_is_true(tmp_path: Path) -> None:
    text = HELLO + "  arguments:\n    parameters:\n      - {name: day, value: 2024-06-01}\n      - {name: ok, value: yes}\n"
    loaded = load(write(tmp_path, "wf.yaml", text))
    assert loaded.arguments() == {"day": "2024-06-01", "ok": "true"}


# --------------------------------------------------------------------------- which object runs


def test_two_workflows_need_a_choice_and_a_name_picks_one(tmp_path: Path) -> None:
    path = write(tmp_path, "wf.yaml", HELLO + "---\n" + HELLO.replace("generateName: hello-", "name: second"))
    with pytest.raises(ArgoFileError) as info:
        load(path)
    assert info.value.message.startswith("2 runnable objects in")
    assert info.value.line == 13  # the second object's kind
    assert "Workflow/hello-, Workflow/second" in (info.value.hint or "")
    assert load(path, name="second").workflow["metadata"]["name"] == "second"
    assert load(path, name="hello").workflow["metadata"]["generateName"] == "hello-"
    assert load(path, name="wf/second").workflow["metadata"]["name"] == "second"


def test_an_unknown_name_or_kind_alias_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "wf.yaml", HELLO)
    with pytest.raises(ArgoFileError, match=re.escape("no runnable object named 'helo'")) as info:
        load(path, name="helo")
    assert "did you mean" in (info.value.hint or "")
    with pytest.raises(ArgoFileError, match=re.escape("Resource kind 'job' is not supported for submitting")):
        load(path, name="job/hello")


def test_workflows_come_before_templates_as_argo_submit_file_does(tmp_path: Path) -> None:
    # submit.go:122-133 + parse.go:122-138: `argo submit FILE` submits the file's Workflows only
    path = write(tmp_path, "both.yaml", PRINT_WFT + "---\n" + HELLO)
    assert load(path).kind == "Workflow"
    assert load(path, name="wftmpl/printer").kind == "WorkflowTemplate"


def test_the_same_name_in_two_kinds_needs_the_kind(tmp_path: Path) -> None:
    cwft = PRINT_WFT.replace("kind: WorkflowTemplate", "kind: ClusterWorkflowTemplate")
    path = write(tmp_path, "t.yaml", PRINT_WFT + "---\n" + cwft)
    with pytest.raises(ArgoFileError, match=re.escape("2 runnable objects are named 'printer'")):
        load(path, name="printer")
    assert load(path, name="cwftmpl/printer").kind == "ClusterWorkflowTemplate"


def test_a_folder_runs_its_one_workflow(tmp_path: Path) -> None:
    write(tmp_path, "wf.yaml", HELLO)
    write(tmp_path, "lib/t.yaml", PRINT_WFT)
    loaded = load(tmp_path)
    assert loaded.kind == "Workflow" and loaded.source == tmp_path / "wf.yaml"


# --------------------------------------------------------------------------- the objects available


def test_objects_come_from_the_folder_recursively_and_the_search_folders(tmp_path: Path) -> None:
    project, lib = tmp_path / "project", tmp_path / "lib"
    ref = HELLO.replace(
        "      container: {image: busybox}\n",
        "      steps:\n        - - name: a\n            templateRef: {name: printer, template: print}\n"
        "        - - name: b\n            templateRef: {name: remote, template: print}\n",
    )
    path = write(project, "wf.yaml", ref)
    write(project, "deep/er/templates.yaml", PRINT_WFT)
    write(lib, "remote.yml", PRINT_WFT.replace("name: printer", "name: remote"))
    write(project, ".hidden/more.yaml", PRINT_WFT.replace("name: printer", "name: hidden"))
    with pytest.raises(ArgoFileError, match=re.escape("workflow template remote not found")):
        load(path)
    loaded = load(path, search=[lib])
    assert loaded.template_ref("remote", "print")["container"]["image"] == "busybox"
    with pytest.raises(ArgoFileError, match=re.escape("workflow template hidden not found")):
        loaded.template_ref("hidden", "print")


def test_the_nearest_definition_wins(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    write(lib, "t.yaml", PRINT_WFT.replace("image: busybox, args", "image: far, args"))
    path = write(tmp_path / "p", "wf.yaml", HELLO)
    write(tmp_path / "p", "t.yaml", PRINT_WFT.replace("image: busybox, args", "image: near, args"))
    assert load(path, search=[lib]).template_ref("printer", "print")["container"]["image"] == "near"


def test_an_unreadable_sibling_file_is_skipped_and_listed(tmp_path: Path) -> None:
    path = write(tmp_path, "wf.yaml", HELLO)
    write(tmp_path, "broken.yaml", "kind: ConfigMap\na: [\n")
    write(tmp_path, "other.yaml", "a: [\n")  # holds no object a workflow refers to: not even parsed
    loaded = load(path)
    assert [e.path for e in loaded.skipped] == [(tmp_path / "broken.yaml").resolve()]


def test_config_maps_and_pvcs_are_collected(tmp_path: Path) -> None:
    path = write(tmp_path, "wf.yaml", HELLO)
    write(tmp_path, "cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b, n: 3}\n")
    write(
        tmp_path,
        "pvc.yaml",
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: v}\nspec: {accessModes: [ReadWriteOnce]}\n",
    )
    loaded = load(path)
    assert loaded.config_maps == {"c": {"a": "b", "n": "3"}}
    assert loaded.pvcs["v"]["spec"] == {"accessModes": ["ReadWriteOnce"]}


# --------------------------------------------------------------------------- names


def test_generate_name_takes_the_given_suffix_or_a_deterministic_one(tmp_path: Path) -> None:
    path = write(tmp_path, "wf.yaml", HELLO)
    assert load(path, suffix="abcde").workflow["metadata"]["name"] == "hello-abcde"
    first, second = load(path).workflow["metadata"]["name"], load(path).workflow["metadata"]["name"]
    assert first == second and first.startswith("hello-") and len(first) == len("hello-") + 5
    assert set(first[len("hello-") :]) <= set("bcdfghjklmnpqrstvwxz2456789")


def test_a_long_generate_name_is_cut_to_58_characters(tmp_path: Path) -> None:
    path = write(tmp_path, "wf.yaml", HELLO.replace("hello-", "x" * 70))
    assert load(path, suffix="bcdfg").workflow["metadata"]["name"] == "x" * 58 + "bcdfg"


def test_a_workflow_without_name_or_generate_name_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "wf.yaml", HELLO.replace("  generateName: hello-\n", "  labels: {a: b}\n"))
    with pytest.raises(ArgoFileError, match=re.escape("name or generateName is required")) as info:
        load(path)
    assert info.value.line == 4


# --------------------------------------------------------------------------- templates and crons as workflows


def test_a_workflow_template_runs_as_argo_submit_from_makes_it(tmp_path: Path) -> None:
    loaded = load(write(tmp_path, "t.yaml", PRINT_WFT), suffix="bcdfg")
    meta = loaded.workflow["metadata"]
    assert loaded.kind == "WorkflowTemplate"
    assert meta["generateName"] == "printer-" and meta["name"] == "printer-bcdfg"
    assert meta["labels"] == {"workflows.argoproj.io/workflow-template": "printer"}
    spec = loaded.workflow["spec"]
    assert spec["workflowTemplateRef"] == {"name": "printer"}
    assert spec["entrypoint"] == "print" and [t["name"] for t in spec["templates"]] == ["print", "other"]
    assert loaded.arguments() == {"message": "from-template", "colour": "red"}


def test_a_cluster_workflow_template_runs_with_cluster_scope(tmp_path: Path) -> None:
    cwft = PRINT_WFT.replace("kind: WorkflowTemplate", "kind: ClusterWorkflowTemplate")
    loaded = load(write(tmp_path, "t.yaml", cwft))
    assert loaded.workflow["spec"]["workflowTemplateRef"] == {"name": "printer", "clusterScope": True}
    assert loaded.workflow["metadata"]["labels"] == {"workflows.argoproj.io/cluster-workflow-template": "printer"}


CRON = """
apiVersion: argoproj.io/v1alpha1
kind: CronWorkflow
metadata:
  name: nightly
  labels: {workflows.argoproj.io/controller-instanceid: i1, other: dropped}
spec:
  schedules: ["0 2 * * *"]
  workflowMetadata:
    labels: {team: a}
    annotations: {note: n}
  workflowSpec:
    entrypoint: main
    templates:
      - name: main
        container: {image: busybox, args: ["{{workflow.scheduledTime}}"]}
"""


def test_a_cron_workflow_runs_its_workflow_spec_with_a_scheduled_time(tmp_path: Path) -> None:
    when = dt.datetime(2024, 5, 1, 2, 0, tzinfo=dt.UTC)
    loaded = load(write(tmp_path, "c.yaml", CRON), scheduled_time=when, suffix="bcdfg")
    meta = loaded.workflow["metadata"]
    assert meta["name"] == "nightly-bcdfg"
    assert meta["labels"] == {
        "workflows.argoproj.io/controller-instanceid": "i1",
        "workflows.argoproj.io/cron-workflow": "nightly",
        "team": "a",
    }
    assert meta["annotations"] == {"workflows.argoproj.io/scheduled-time": "2024-05-01T02:00:00Z", "note": "n"}
    assert loaded.workflow["spec"]["entrypoint"] == "main"
    assert loaded.globals()["workflow.scheduledTime"] == "2024-05-01T02:00:00Z"


def test_a_cron_workflow_without_a_time_is_scheduled_now(tmp_path: Path) -> None:
    loaded = load(write(tmp_path, "c.yaml", CRON))
    stamp = loaded.workflow["metadata"]["annotations"]["workflows.argoproj.io/scheduled-time"]
    parsed = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    assert abs((dt.datetime.now(dt.UTC) - parsed).total_seconds()) < 60


# --------------------------------------------------------------------------- workflowTemplateRef


def ref_workflow(extra: str = "", ref: str = "{name: printer}") -> str:
    return f"""
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: use-
spec:
  workflowTemplateRef: {ref}
{textwrap.indent(textwrap.dedent(extra), "  ")}"""


def test_the_workflow_spec_wins_over_the_template_spec(tmp_path: Path) -> None:
    write(tmp_path, "t.yaml", PRINT_WFT)
    extra = """
    entrypoint: other
    serviceAccountName: sa
    arguments:
      parameters:
        - name: message
          value: other
    """
    loaded = load(write(tmp_path, "wf.yaml", ref_workflow(extra)))
    spec = loaded.workflow["spec"]
    assert spec["entrypoint"] == "other" and spec["serviceAccountName"] == "sa"
    # merge.go:300-311: a parameter with a value comes whole from the Workflow (the enum with it)
    assert spec["arguments"]["parameters"] == [{"name": "message", "value": "other"}, {"name": "colour", "value": "red"}]
    assert loaded.workflow["metadata"]["labels"] == {"workflows.argoproj.io/workflow-template": "printer"}


def test_a_workflow_with_a_template_ref_may_not_have_templates(tmp_path: Path) -> None:
    write(tmp_path, "t.yaml", PRINT_WFT)
    extra = "templates:\n  - name: mine\n    container: {image: x}\n"
    with pytest.raises(ArgoFileError, match=re.escape("Templates is invalid field in spec")) as info:
        load(write(tmp_path, "wf.yaml", ref_workflow(extra)))
    assert info.value.line == 8


def test_suspend_is_only_the_workflows_own(tmp_path: Path) -> None:
    write(tmp_path, "t.yaml", PRINT_WFT.replace("  entrypoint: print\n", "  entrypoint: print\n  suspend: true\n"))
    assert "suspend" not in load(write(tmp_path, "wf.yaml", ref_workflow())).workflow["spec"]
    assert load(write(tmp_path, "wf.yaml", ref_workflow("suspend: false"))).workflow["spec"]["suspend"] is False


def test_hooks_and_labels_from_of_the_template_fill_gaps_only(tmp_path: Path) -> None:
    tmpl = PRINT_WFT.replace(
        "  entrypoint: print\n",
        "  entrypoint: print\n"
        "  hooks:\n    exit: {template: other}\n    running: {template: other, expression: 'true'}\n"
        "  workflowMetadata:\n    labelsFrom:\n      a: {expression: '\"t\"'}\n      b: {expression: '\"t\"'}\n",
    )
    write(tmp_path, "t.yaml", tmpl)
    extra = """
    hooks:
      exit: {template: print}
    workflowMetadata:
      labelsFrom:
        a: {expression: '"w"'}
    """
    spec = load(write(tmp_path, "wf.yaml", ref_workflow(extra))).workflow["spec"]
    assert spec["hooks"] == {"exit": {"template": "print"}, "running": {"template": "other", "expression": "true"}}
    assert spec["workflowMetadata"]["labelsFrom"] == {"a": {"expression": '"w"'}, "b": {"expression": '"t"'}}


def test_artifact_arguments_keep_the_templates_location_fields_of_the_same_storage(tmp_path: Path) -> None:
    tmpl = PRINT_WFT.replace(
        "      - name: colour\n        value: red\n",
        "      - name: colour\n        value: red\n"
        "    artifacts:\n"
        "      - {name: data, s3: {bucket: b, endpoint: e, key: old}}\n"
        "      - {name: other, http: {url: u}}\n",
    )
    write(tmp_path, "t.yaml", tmpl)
    extra = """
    arguments:
      artifacts:
        - {name: data, s3: {key: new}}
        - {name: other, s3: {bucket: x, key: k}}
    """
    arts = load(write(tmp_path, "wf.yaml", ref_workflow(extra))).workflow["spec"]["arguments"]["artifacts"]
    assert arts == [
        {"name": "data", "s3": {"bucket": "b", "endpoint": "e", "key": "new"}},
        {"name": "other", "s3": {"bucket": "x", "key": "k"}},  # merge.go:350-351: another storage replaces
    ]
    # As in Go, the check looks at the strategically merged artifact, whose first storage in
    # ArtifactLocation.Get's order (workflow_types.go:1420-1447) is then the Workflow's git: the
    # template's http stays beside it (and Get ignores it)
    extra = "arguments:\n  artifacts:\n    - {name: other, git: {repo: r}}\n"
    arts = load(write(tmp_path, "wf.yaml", ref_workflow(extra))).workflow["spec"]["arguments"]["artifacts"]
    assert arts[1] == {"name": "other", "http": {"url": "u"}, "git": {"repo": "r"}}


def test_a_missing_workflow_template_is_an_error_at_the_ref(tmp_path: Path) -> None:
    with pytest.raises(ArgoFileError) as info:
        load(write(tmp_path, "wf.yaml", ref_workflow(ref="{name: nowhere}")))
    assert info.value.message == 'workflowtemplates.argoproj.io "nowhere" not found'
    assert (info.value.line, info.value.column) == (6, 31)


def test_a_cluster_template_ref_needs_cluster_scope_and_the_hint_says_so(tmp_path: Path) -> None:
    write(tmp_path, "t.yaml", PRINT_WFT.replace("kind: WorkflowTemplate", "kind: ClusterWorkflowTemplate"))
    with pytest.raises(ArgoFileError) as info:
        load(write(tmp_path, "wf.yaml", ref_workflow()))
    assert "add clusterScope: true" in (info.value.hint or "")
    loaded = load(write(tmp_path, "wf.yaml", ref_workflow(ref="{name: printer, clusterScope: true}")))
    assert loaded.workflow["metadata"]["labels"] == {"workflows.argoproj.io/cluster-workflow-template": "printer"}


def test_entrypoint_is_required_and_can_be_given(tmp_path: Path) -> None:
    path = write(tmp_path, "t.yaml", PRINT_WFT.replace("  entrypoint: print\n", ""))
    with pytest.raises(ArgoFileError, match=re.escape("spec.entrypoint is required")) as info:
        load(path)
    assert "print, other" in (info.value.hint or "")
    assert load(path, entrypoint="other").workflow["spec"]["entrypoint"] == "other"
    with pytest.raises(ArgoFileError, match=re.escape("template nope not found")):
        load(path, entrypoint="nope")


def test_an_entrypoint_that_names_no_template_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ArgoFileError, match=re.escape("template mian not found")) as info:
        load(write(tmp_path, "wf.yaml", HELLO.replace("entrypoint: main", "entrypoint: mian")))
    assert (info.value.line, info.value.column) == (6, 15)
    assert "did you mean 'main'" in (info.value.hint or "")


# --------------------------------------------------------------------------- templateRef


STEPS = """
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: steps-
spec:
  entrypoint: main
  templates:
    - name: main
      steps:
        - - name: a
            templateRef: {name: printer, template: print}
        - - name: b
            template: local
    - name: local
      dag:
        tasks:
          - name: t
            templateRef: {name: lib, template: go}
"""

LIB = """
apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata:
  name: lib
spec:
  templates:
    - name: go
      steps:
        - - name: deeper
            templateRef: {name: printer, template: print}
"""


def test_template_ref_returns_the_template_with_its_holders_pod_metadata(tmp_path: Path) -> None:
    write(tmp_path, "t.yaml", PRINT_WFT + "---\n" + LIB)
    loaded = load(write(tmp_path, "wf.yaml", STEPS))
    tmpl = loaded.template_ref("printer", "print")
    assert tmpl["metadata"]["labels"] == {"shared": "own", "team": "a"}  # context.go:295-319
    with pytest.raises(ArgoFileError, match=re.escape("workflow template nope not found")):
        loaded.template_ref("nope", "print")
    with pytest.raises(ArgoFileError, match=re.escape("template nope not found in workflow template printer")):
        loaded.template_ref("printer", "nope")
    with pytest.raises(ArgoFileError, match=re.escape("workflow template printer not found")):
        loaded.template_ref("printer", "print", cluster_scope=True)


def test_a_missing_template_ref_is_an_error_at_its_position(tmp_path: Path) -> None:
    write(tmp_path, "t.yaml", PRINT_WFT + "---\n" + LIB)
    path = write(tmp_path, "wf.yaml", STEPS.replace("template: print}", "template: prnt}"))
    with pytest.raises(ArgoFileError) as info:
        load(path)
    assert info.value.message == "template prnt not found in workflow template printer"
    assert (info.value.path, info.value.line, info.value.column) == (path, 11, 52)
    assert "did you mean 'print'" in (info.value.hint or "")


def test_refs_inside_a_referenced_template_are_checked_in_their_own_file(tmp_path: Path) -> None:
    lib = write(tmp_path, "lib.yaml", LIB.replace("name: printer", "name: gone"))
    write(tmp_path, "t.yaml", PRINT_WFT)
    with pytest.raises(ArgoFileError) as info:
        load(write(tmp_path, "wf.yaml", STEPS))
    assert info.value.message == "workflow template gone not found"
    assert info.value.path == lib.resolve() and info.value.line == 10


def test_a_missing_local_template_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "t.yaml", PRINT_WFT + "---\n" + LIB)
    with pytest.raises(ArgoFileError, match=re.escape("template locl not found")) as info:
        load(write(tmp_path, "wf.yaml", STEPS.replace("template: local\n", "template: locl\n")))
    assert (info.value.line, info.value.column) == (13, 23)


# --------------------------------------------------------------------------- strategic merge and templateDefaults


def test_strategic_merge_merges_keyed_lists_in_kubernetes_order() -> None:
    # patch.go:404-468: patch items in patch order, original-only items where they stood
    original: dict[str, Any] = {"templates": [{"name": "a"}, {"name": "b", "x": 1, "y": 1}, {"name": "c"}], "keep": 1, "drop": 2}
    patch = {"templates": [{"name": "b", "x": 2}, {"name": "d"}], "drop": None, "new": [1]}
    merged = strategic_merge(original, patch, WORKFLOW_SPEC_SCHEMA)
    assert merged == {
        "templates": [{"name": "a"}, {"name": "b", "x": 2, "y": 1}, {"name": "d"}, {"name": "c"}],
        "keep": 1,
        "new": [1],
    }
    assert original["templates"][1] == {"name": "b", "x": 1, "y": 1}  # inputs unchanged


def test_strategic_merge_replaces_lists_without_a_merge_key() -> None:
    merged = strategic_merge(
        {"container": {"args": [1, 2], "env": [{"name": "A", "value": "1"}]}},
        {"container": {"args": [3], "env": [{"name": "B", "value": "2"}]}},
        TEMPLATE_SCHEMA,
    )
    # mergeSortedSlice (patch.go:427-468): a new patch item comes before original-only items
    assert merged == {"container": {"args": [3], "env": [{"name": "B", "value": "2"}, {"name": "A", "value": "1"}]}}


def test_with_defaults_fills_what_the_template_leaves_out() -> None:
    defaults = {
        "timeout": "30s",
        "retryStrategy": {"limit": "2"},
        "container": {"image": "d", "env": [{"name": "A", "value": "1"}]},
    }
    template = {
        "name": "t",
        "retryStrategy": {"retryPolicy": "Always"},
        "container": {"args": ["x"], "env": [{"name": "B", "value": "2"}]},
    }
    assert with_defaults(template, defaults) == {
        "timeout": "30s",
        "retryStrategy": {"limit": "2", "retryPolicy": "Always"},
        "container": {"image": "d", "env": [{"name": "B", "value": "2"}, {"name": "A", "value": "1"}], "args": ["x"]},
        "name": "t",
    }


def test_with_defaults_drops_the_defaults_of_other_template_types() -> None:
    # operator.go:4657-4670: a container default does not turn a script template into a container one
    defaults = {"container": {"image": "d"}, "script": {"image": "s"}, "steps": [[{"name": "x"}]]}
    assert with_defaults({"name": "t", "script": {"source": "echo"}}, defaults) == {
        "script": {"image": "s", "source": "echo"},
        "name": "t",
    }
    assert with_defaults({"name": "t", "suspend": {}}, defaults) == {"name": "t", "suspend": {}}
    assert with_defaults({"name": "t"}, None) == {"name": "t"}


def test_corpus_template_defaults_apply_to_every_template() -> None:
    corpus = require_corpus()
    loaded = load(corpus / "template-defaults.yaml")
    spec = loaded.workflow["spec"]
    for template in spec["templates"]:
        merged = with_defaults(template, spec["templateDefaults"])
        assert merged["timeout"] == "30s" and merged["retryStrategy"] == {"limit": "2"}


# --------------------------------------------------------------------------- parameters


PARAMS = """
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: p-
spec:
  entrypoint: main
  arguments:
    parameters:
      - name: plain
        value: v
      - name: picked
        value: a
        enum: [a, b]
      - name: from-cm
        valueFrom:
          configMapKeyRef: {name: settings, key: greeting}
  templates:
    - name: main
      container: {image: busybox}
"""

SETTINGS = """
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  labels: {workflows.argoproj.io/configmap-type: Parameter}
data:
  greeting: hello
"""


def test_arguments_resolve_values_and_config_maps(tmp_path: Path) -> None:
    write(tmp_path, "cm.yaml", SETTINGS)
    loaded = load(write(tmp_path, "wf.yaml", PARAMS))
    assert loaded.arguments() == {"plain": "v", "picked": "a", "from-cm": "hello"}
    assert loaded.arguments({"plain": "w", "from-cm": "x"}) == {"plain": "w", "from-cm": "x", "picked": "a"}


def test_an_undeclared_p_is_a_new_parameter_unless_strict(tmp_path: Path) -> None:
    write(tmp_path, "cm.yaml", SETTINGS)
    loaded = load(write(tmp_path, "wf.yaml", PARAMS))
    assert loaded.arguments({"extra": "1"})["extra"] == "1"  # util.go:312-339
    with pytest.raises(ArgoFileError, match=re.escape("unknown parameter 'plian'")) as info:
        loaded.arguments({"plian": "1"}, strict=True)
    assert "did you mean 'plain'" in (info.value.hint or "")


def test_a_value_outside_the_enum_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "cm.yaml", SETTINGS)
    path = write(tmp_path, "wf.yaml", PARAMS)
    loaded = load(path)
    assert loaded.arguments({"picked": "b"})["picked"] == "b"
    with pytest.raises(ArgoFileError) as info:
        loaded.arguments({"picked": "c"})
    assert info.value.message == "spec.arguments.picked.value should be present in spec.arguments.picked.enum list"
    assert (info.value.line, info.value.column) == (13, 15) and "a, b" in (info.value.hint or "")
    bad = load(write(tmp_path, "wf.yaml", PARAMS.replace("        value: a\n", "        value: z\n")))
    with pytest.raises(ArgoFileError, match=re.escape("picked.value should be present")) as info:
        bad.arguments()
    assert (info.value.line, info.value.column) == (12, 16)  # validate.go:1046-1048


def test_the_templates_enum_checks_p_values_of_a_ref_workflow(tmp_path: Path) -> None:
    write(tmp_path, "t.yaml", PRINT_WFT)
    loaded = load(write(tmp_path, "wf.yaml", ref_workflow()))
    assert loaded.arguments({"message": "other"})["message"] == "other"
    with pytest.raises(ArgoFileError, match=re.escape("message.value should be present")) as info:
        loaded.arguments({"message": "nope"})
    assert info.value.path == tmp_path / "t.yaml"


def test_a_parameter_needs_a_value(tmp_path: Path) -> None:
    text = PARAMS.replace("      - name: plain\n        value: v\n", "      - name: plain\n        default: v\n")
    loaded = load(write(tmp_path, "wf.yaml", text))
    with pytest.raises(ArgoFileError) as info:
        loaded.arguments()
    assert info.value.message == "spec.arguments.plain.value or spec.arguments.plain.valueFrom is required"
    assert info.value.line == 9  # validate.go:1019-1022: default alone is not enough
    write(tmp_path, "cm.yaml", SETTINGS)
    assert load(write(tmp_path, "wf.yaml", text)).arguments({"plain": "given"})["plain"] == "given"


def test_value_from_allows_only_config_maps_events_and_supplied(tmp_path: Path) -> None:
    text = PARAMS.replace("configMapKeyRef: {name: settings, key: greeting}", "path: /tmp/x")
    with pytest.raises(ArgoFileError, match=re.escape("from-cm.valueFrom only allows: default, configMapKeyRef and supplied")):
        load(write(tmp_path, "wf.yaml", text)).arguments()
    supplied = PARAMS.replace("configMapKeyRef: {name: settings, key: greeting}", "supplied: {}")
    with pytest.raises(
        ArgoFileError, match=re.escape("either value or valueFrom must be specified in order to set global parameter")
    ):
        load(write(tmp_path, "wf.yaml", supplied)).arguments()


def test_a_missing_config_map_key_is_an_error_at_the_parameter(tmp_path: Path) -> None:
    write(tmp_path, "cm.yaml", SETTINGS)
    loaded = load(write(tmp_path, "wf.yaml", PARAMS.replace("key: greeting", "key: greting")))
    with pytest.raises(ArgoFileError) as info:
        loaded.arguments()
    assert info.value.message == (
        "failed to set global parameter from-cm from configmap with name settings and key greting: "
        "ConfigMap 'settings' does not have the key 'greting'"
    )
    assert (info.value.line, info.value.column) == (16, 28)
    with pytest.raises(ArgoFileError) as direct:
        loaded.config_map_value("settings", "greting")
    assert direct.value.path == tmp_path / "cm.yaml" and direct.value.line == 7
    assert "did you mean 'greeting'" in (direct.value.hint or "")


def test_a_missing_config_map_is_an_error_at_the_parameter(tmp_path: Path) -> None:
    loaded = load(write(tmp_path, "wf.yaml", PARAMS))
    assert [p["name"] for p in loaded.declared_parameters()] == ["plain", "picked", "from-cm"]
    with pytest.raises(ArgoFileError) as info:
        loaded.arguments()
    assert info.value.message.startswith(
        "failed to set global parameter from-cm from configmap with name settings and key greeting: "
        "ConfigMap 'settings' does not exist."
    )
    assert (info.value.path, info.value.line, info.value.column) == (tmp_path / "wf.yaml", 16, 28)


def test_a_missing_config_map_value_falls_back_to_the_value_from_default(tmp_path: Path) -> None:
    text = PARAMS.replace(
        "configMapKeyRef: {name: settings, key: greeting}", "configMapKeyRef: {name: settings, key: x}\n          default: dflt"
    )
    assert load(write(tmp_path, "wf.yaml", text)).arguments()["from-cm"] == "dflt"


def test_a_config_map_must_carry_the_parameter_label(tmp_path: Path) -> None:
    write(tmp_path, "cm.yaml", SETTINGS.replace("  labels: {workflows.argoproj.io/configmap-type: Parameter}\n", ""))
    loaded = load(write(tmp_path, "wf.yaml", PARAMS))
    with pytest.raises(ArgoFileError, match=re.escape("ConfigMap 'settings' does not exist. Please make sure it has the label")):
        loaded.config_map_value("settings", "greeting")
    write(tmp_path, "cm.yaml", SETTINGS.replace("Parameter}", "Cache}"))
    loaded = load(write(tmp_path, "wf.yaml", PARAMS))
    with pytest.raises(ArgoFileError, match=re.escape("needs to have the label workflows.argoproj.io/configmap-type: Parameter")):
        loaded.config_map_value("settings", "greeting")


def test_parse_parameters_splits_at_the_first_equals() -> None:
    assert parse_parameters(["a=b=c", "e=", "a=d"]) == {"a": "d", "e": ""}
    with pytest.raises(ArgoFileError, match=re.escape("expected parameter of the form: NAME=VALUE. Received: x")):
        parse_parameters(["x"])


def test_workflow_for_holds_the_overridden_parameters(tmp_path: Path) -> None:
    write(tmp_path, "t.yaml", PRINT_WFT)
    loaded = load(write(tmp_path, "wf.yaml", ref_workflow()))
    params = loaded.workflow_for({"colour": "blue"})["spec"]["arguments"]["parameters"]
    assert params == [
        {"name": "message", "value": "from-template", "enum": ["from-template", "other"]},
        {"name": "colour", "value": "blue"},
    ]
    assert loaded.workflow["spec"]["arguments"]["parameters"][1] == {"name": "colour", "value": "red"}


# --------------------------------------------------------------------------- artifact repositories


REPOS = """
apiVersion: v1
kind: ConfigMap
metadata:
  name: artifact-repositories
  annotations: {workflows.argoproj.io/default-artifact-repository: main}
data:
  main: |
    s3: {bucket: main-bucket}
  my-key: |
    s3: {bucket: other}
"""


def test_artifact_repository_from_the_config_map(tmp_path: Path) -> None:
    write(tmp_path, "repos.yaml", REPOS)
    loaded = load(write(tmp_path, "wf.yaml", HELLO))
    assert loaded.artifact_repository(None) == {"s3": {"bucket": "main-bucket"}}
    assert loaded.artifact_repository({"key": "my-key"}) == {"s3": {"bucket": "other"}}
    assert loaded.artifact_repository({}) == {"s3": {"bucket": "main-bucket"}}


def test_artifact_repository_falls_back_to_the_default_without_a_ref(tmp_path: Path) -> None:
    loaded = load(write(tmp_path, "wf.yaml", HELLO))
    assert loaded.artifact_repository(None) is None
    assert loaded.artifact_repository(None, default={"s3": {"bucket": "d"}}) == {"s3": {"bucket": "d"}}


def test_an_unresolvable_artifact_repository_ref_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, "repos.yaml", REPOS)
    path = write(
        tmp_path, "wf.yaml", HELLO.replace("  entrypoint: main\n", "  entrypoint: main\n  artifactRepositoryRef: {key: nope}\n")
    )
    loaded = load(path)
    with pytest.raises(ArgoFileError) as info:
        loaded.artifact_repository(loaded.workflow["spec"]["artifactRepositoryRef"])
    assert info.value.message == 'failed to find any artifact repository for artifact repository ref "#nope"'
    assert (info.value.line, info.value.column) == (7, 26)
    with pytest.raises(ArgoFileError, match=re.escape('ref "elsewhere#"')):
        loaded.artifact_repository({"configMap": "elsewhere"})


# --------------------------------------------------------------------------- globals


def test_globals_as_set_global_parameters_sets_them(tmp_path: Path) -> None:
    write(tmp_path, "cm.yaml", SETTINGS)
    text = PARAMS.replace("  generateName: p-\n", "  generateName: p-\n  labels: {l: '1'}\n  annotations: {a: '<&>'}\n")
    text = text.replace("  entrypoint: main\n", "  entrypoint: main\n  priority: 3\n  workflowMetadata:\n    labels: {m: '2'}\n")
    loaded = load(write(tmp_path, "wf.yaml", text), suffix="bcdfg")
    when = dt.datetime(2024, 1, 2, 15, 4, 5, tzinfo=dt.UTC)
    g = loaded.globals({"plain": "x"}, namespace="argo", uid="u-1", created=when)
    assert g["workflow.name"] == "p-bcdfg" and g["workflow.namespace"] == "argo" and g["workflow.uid"] == "u-1"
    assert g["workflow.mainEntrypoint"] == "main" and g["workflow.priority"] == "3"
    assert g["workflow.creationTimestamp"] == "2024-01-02T15:04:05Z"
    assert g["workflow.creationTimestamp.s"] == "1704207845"
    assert (g["workflow.creationTimestamp.Y"], g["workflow.creationTimestamp.B"], g["workflow.creationTimestamp.I"]) == (
        "2024",
        "January",
        "03",
    )
    assert (g["workflow.creationTimestamp.p"], g["workflow.creationTimestamp.L"], g["workflow.creationTimestamp.z"]) == (
        "PM",
        ".000",
        "+0000",
    )
    assert g["workflow.parameters.plain"] == "x" and g["workflow.parameters.from-cm"] == "hello"
    assert json.loads(g["workflow.parameters.json"])[0] == {"name": "plain", "value": "x"}
    assert g["workflow.annotations"] == '{"a":"\\u003c\\u0026\\u003e"}'
    assert g["workflow.annotations.a"] == "<&>"
    assert g["workflow.labels.l"] == "1" and g["workflow.labels.m"] == "2"
    assert json.loads(g["workflow.labels"]) == {"l": "1"}
    assert "workflow.scheduledTime" not in g


# --------------------------------------------------------------------------- the corpus: Argo's own examples


def require_corpus() -> Path:
    if not CORPUS.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Argo's examples are missing at {CORPUS}")
        pytest.skip(f"Argo's examples not found at {CORPUS}")
    return CORPUS


#: Runnable objects of the corpus that Argo v4.1.2 refuses too, and why (each with Argo's error)
NO_ENTRYPOINT = "spec.entrypoint is required"
CWFT = "cluster-workflow-template/clustertemplates.yaml#cluster-workflow-template-"
EXPECTED_REFUSALS = {
    # go-yaml v2 UnmarshalStrict (parse.go:88-89): `annotations` twice under metadata
    "k8s-patch-json-workflow.yaml": 'key "annotations" already set in map',
    # metadata.generateName indented under labels: the API server requires a name
    "fun-with-gifs.yaml": "name or generateName is required",
    "k8s-jobs.yaml": "name or generateName is required",
    # libraries of templates for templateRef, with no entrypoint (validate.go:259-261)
    CWFT + "print-message": NO_ENTRYPOINT,
    CWFT + "random-fail-template": NO_ENTRYPOINT,
    CWFT + "inner-steps": NO_ENTRYPOINT,
    CWFT + "inner-dag": NO_ENTRYPOINT,
    "workflow-template/templates.yaml#workflow-template-random-fail-template": NO_ENTRYPOINT,
    "workflow-template/templates.yaml#workflow-template-inner-steps": NO_ENTRYPOINT,
    "workflow-template/templates.yaml#workflow-template-inner-dag": NO_ENTRYPOINT,
}


def corpus_runnables(corpus: Path) -> list[tuple[Path, str | None, str]]:
    """(file, name to pass, id) for every runnable object of the corpus, walked recursively."""
    out: list[tuple[Path, str | None, str]] = []
    for path in sorted(corpus.rglob("*")):
        if path.suffix not in (".yaml", ".yml", ".json"):
            continue
        rel = path.relative_to(corpus).as_posix()
        try:
            docs = _read(path)
        except ArgoFileError:
            out.append((path, None, rel))
            continue
        runnable = _runnable_docs(docs)
        for doc in runnable:
            ident = doc.name or doc.metadata.get("generateName") or ""
            name = None if len(runnable) == 1 else f"{doc.kind}/{ident}"
            out.append((path, name, rel if len(runnable) == 1 else f"{rel}#{ident}"))
    return out


def test_every_runnable_object_of_the_corpus_loads() -> None:
    corpus = require_corpus()
    refused: dict[str, str] = {}
    loaded_count = 0
    for path, name, ident in corpus_runnables(corpus):
        try:
            loaded = load(path, search=[corpus], name=name)
        except ArgoFileError as exc:
            assert exc.path is not None and exc.line is not None, f"{ident}: an error without a position: {exc}"
            refused[ident] = exc.message
            continue
        loaded_count += 1
        assert loaded.workflow["kind"] == "Workflow" and loaded.workflow["metadata"]["name"], ident
        assert loaded.workflow["spec"]["entrypoint"], ident
        loaded.arguments()  # every workflow's parameters resolve
    assert {k: v for k, v in refused.items()} == {k: refused.get(k, "") for k in EXPECTED_REFUSALS}, "unexpected refusals"
    for ident, message in EXPECTED_REFUSALS.items():
        assert message in refused[ident], (ident, refused[ident])
    assert loaded_count >= 200


def test_corpus_template_libraries_load_with_an_entrypoint() -> None:
    corpus = require_corpus()
    for ident in EXPECTED_REFUSALS:
        if "#" not in ident:
            continue
        file, name = ident.split("#")
        path = corpus / file
        doc = next(d for d in _read(path) if d.name == name)
        first = doc.data["spec"]["templates"][0]["name"]
        loaded = load(path, search=[corpus], name=f"{doc.kind}/{name}", entrypoint=first)
        assert loaded.workflow["spec"]["entrypoint"] == first


@pytest.mark.parametrize(
    ("file", "ref", "entrypoint", "arguments"),
    [
        (
            "workflow-template/workflow-template-ref.yaml",
            {"name": "workflow-template-submittable"},
            "print-message",
            {"message": "hello world"},
        ),
        (
            "workflow-template/workflow-template-ref-with-entrypoint-arg-passing.yaml",
            {"name": "workflow-template-print-message"},
            "print-message",
            {"message": "hello world"},
        ),
        (
            "cluster-workflow-template/workflow-template-ref.yaml",
            {"name": "cluster-workflow-template-submittable", "clusterScope": True},
            "print-message",
            {"message": "hello world"},
        ),
        (
            "cluster-workflow-template/workflow-template-ref-with-entrypoint-arg-passing.yaml",
            {"name": "cluster-workflow-template-print-message", "clusterScope": True},
            "print-message",
            {"message": "hello world"},
        ),
    ],
)
def test_corpus_workflow_template_refs_resolve(
    file: str, ref: dict[str, Any], entrypoint: str, arguments: dict[str, str]
) -> None:
    corpus = require_corpus()
    loaded = load(corpus / file, search=[corpus])
    spec = loaded.workflow["spec"]
    assert spec["workflowTemplateRef"] == ref
    assert spec["entrypoint"] == entrypoint
    assert [t["name"] for t in spec["templates"]] == ["print-message"]
    assert loaded.arguments() == arguments
    assert loaded.arguments({"message": "hi"}) == {"message": "hi"}


def test_corpus_template_refs_resolve_across_folders() -> None:
    corpus = require_corpus()
    loaded = load(corpus / "cluster-workflow-template/mixed-cluster-namespaced-wftmpl-steps.yaml", search=[corpus])
    assert loaded.template_ref("workflow-template-print-message", "print-message")["container"]["image"] == "busybox"
    inner = loaded.template_ref("cluster-workflow-template-inner-steps", "inner-steps", cluster_scope=True)
    assert inner["steps"][0][0]["templateRef"]["clusterScope"] is True


def test_corpus_global_parameters_from_a_config_map() -> None:
    corpus = require_corpus()
    loaded = load(corpus / "global-parameters-from-configmap.yaml", search=[corpus])
    assert loaded.arguments() == {"message": "hello world"}
    assert loaded.config_map_value("simple-parameters", "msg") == "hello world"


def test_corpus_cron_workflow_with_a_template_ref() -> None:
    corpus = require_corpus()
    loaded = load(corpus / "cron-backfill.yaml", name="cronwf/daily-job")
    assert loaded.kind == "CronWorkflow"
    assert loaded.workflow["spec"]["entrypoint"] == "main"
    assert loaded.workflow["metadata"]["labels"] == {
        "workflows.argoproj.io/cron-workflow": "daily-job",
        "workflows.argoproj.io/workflow-template": "job",
    }
    assert loaded.arguments() == {"date": "yesterday"}
