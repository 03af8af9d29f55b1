"""mldsl.argo.validate against what Argo v4.1.2's controller refuses (and accepts).

Each case cites the Go line it reproduces (``workflow/validate/validate.go`` unless named), and
where Argo's own ``validate_test.go`` / ``validate_dag_test.go`` has the same case, its line. The
last test validates every Workflow, WorkflowTemplate, ClusterWorkflowTemplate and CronWorkflow of
Argo's own examples (the read-only corpus beside the clone), which Argo accepts.
"""

# ruff: noqa: E501  (tables of cases: one case per line reads best)
from __future__ import annotations

import os
import textwrap
import zoneinfo
from pathlib import Path
from typing import Any

import pytest
import yaml

from mldsl.argo.validate import CronError, schedule_error, validate_cron, validate_workflow

CORPUS = Path(__file__).parents[2] / "shared" / "argo-examples"
ZONES = zoneinfo.available_timezones()


def doc(spec: str, kind: str = "Workflow", name: str = "t") -> dict[str, Any]:
    """A ``kind`` whose spec is the YAML ``spec``."""
    text = f"kind: {kind}\nmetadata:\n  name: {name}\nspec:\n" + textwrap.indent(textwrap.dedent(spec), "  ")
    loaded = yaml.safe_load(text)
    assert isinstance(loaded, dict)
    return loaded


LIBRARY = {
    ("WorkflowTemplate", "lib"): doc(
        """
        templates:
        - name: echo
          inputs: {parameters: [{name: msg}]}
          container: {image: alpine, args: ["{{inputs.parameters.msg}}"]}
        - name: hi
          container: {image: alpine}
          outputs: {parameters: [{name: out, valueFrom: {path: /tmp/out}}]}
        """,
        "WorkflowTemplate",
        "lib",
    ),
    ("ClusterWorkflowTemplate", "clib"): doc(
        """
        entrypoint: hi
        templates:
        - name: hi
          container: {image: alpine}
        """,
        "ClusterWorkflowTemplate",
        "clib",
    ),
}


def lookup(kind: str, name: str) -> dict[str, Any] | None:
    return LIBRARY.get((kind, name))


HELLO = """
  - name: hello
    container: {image: alpine}
"""
ECHO = """
  - name: echo
    inputs: {parameters: [{name: msg}]}
    container: {image: alpine, args: ["{{inputs.parameters.msg}}"]}
"""
GEN = """
  - name: gen
    script: {image: python, source: print(1)}
    outputs: {parameters: [{name: n, valueFrom: {path: /tmp/n}}]}
"""
K8S = """
  - name: k8s
    resource: {action: get, manifest: "x: 1"}
"""


def steps(*groups: str, extra: str = "") -> str:
    body = "".join(f"    - - {g}\n" for g in groups)
    return f"entrypoint: main\ntemplates:\n  - name: main\n    steps:\n{body}{extra}"


def dag(*tasks: str, extra: str = "", tmpl: str = "") -> str:
    body = "".join(f"      - {t}\n" for t in tasks)
    return f"entrypoint: main\ntemplates:\n  - name: main\n{tmpl}    dag:\n      tasks:\n{body}{extra}"


# (source, spec or document, the one problem expected: its path and a part of its message)
PROBLEMS: list[tuple[str, str | dict[str, Any], str]] = [
    # -- the workflow ---------------------------------------------------------------------------
    ("l. 259-261; validate_test.go", "templates:" + HELLO, "spec.entrypoint: spec.entrypoint is required"),
    ("l. 660-667", "entrypoint: nope\ntemplates:" + HELLO, "spec.entrypoint.template: template name 'nope' undefined"),
    ("l. 161-163", doc("entrypoint: hello\ntemplates:" + HELLO, name="w" * 64), "metadata.name: workflow name"),
    (
        "l. 187, 1391; validate_test.go l. 129",
        "entrypoint: hello\ntemplates:" + HELLO + HELLO,
        "spec.templates[1]: name 'hello' is not unique",
    ),
    (
        "l. 187, 1387, 1722",
        "entrypoint: a_b\ntemplates:\n  - name: a_b\n    container: {image: alpine}\n",
        "spec.templates[0]: name 'a_b' is invalid: name must consist of alpha-numeric characters or '-'",
    ),
    (
        "l. 1719-1721",
        "entrypoint: hello\ntemplates:" + HELLO + f"  - name: {'a' * 129}\n    container: {{image: alpine}}\n",
        "spec.templates[1]: name '" + "a" * 129 + "' is invalid: must be no more than 128 characters",
    ),
    (
        "templateresolution/context.go l. 251-253",
        "entrypoint: a\ntemplates:\n  - name: a\n",
        "spec.templates[0]: template 'a' type is unknown",
    ),
    (
        "l. 721-737; validate_test.go l. 1120",
        "entrypoint: a\ntemplates:\n  - name: a\n    container: {image: alpine}\n    script: {image: alpine, source: x}\n",
        "spec.templates[0]: multiple template types specified (container, script)",
    ),
    (
        "l. 205-209, 1019-1023; validate_test.go l. 748",
        "entrypoint: hello\narguments: {parameters: [{name: p}]}\ntemplates:" + HELLO,
        "spec.arguments.parameters[0]: p.value or p.valueFrom is required",
    ),
    (
        "l. 1001-1013; validate_test.go l. 794",
        "entrypoint: hello\narguments: {parameters: [{name: 'p#1', value: x}]}\ntemplates:" + HELLO,
        "spec.arguments.parameters[0]: name 'p#1' is invalid: Parameter/Artifact name",
    ),
    (
        "l. 1046-1048; validate_test.go l. 2856",
        "entrypoint: hello\narguments: {parameters: [{name: p, value: c, enum: [a, b]}]}\ntemplates:" + HELLO,
        "spec.arguments.parameters[0].value: p.value should be present in p.enum list",
    ),
    (
        "l. 1027-1033",
        "entrypoint: hello\narguments: {parameters: [{name: p, valueFrom: {path: /x}}]}\ntemplates:" + HELLO,
        "spec.arguments.parameters[0].valueFrom: p.valueFrom only allows: default, configMapKeyRef and supplied",
    ),
    ("l. 287-331", "entrypoint: hello\nonExit: gone\ntemplates:" + HELLO, "spec.onExit.template: template name 'gone' undefined"),
    (
        "l. 143-150, 334-337",
        "entrypoint: hello\nhooks: {running: {template: hello}}\ntemplates:" + HELLO,
        "spec.hooks.running: running Expression required",
    ),
    (
        "l. 339-341; validate_test.go l. 1839",
        "entrypoint: hello\npodGC: {strategy: Foo}\ntemplates:" + HELLO,
        "spec.podGC.strategy: unknown strategy 'Foo'",
    ),
    (
        "l. 342-344",
        "entrypoint: hello\npodGC: {labelSelector: {matchExpressions: [{key: a, operator: Near}]}}\ntemplates:" + HELLO,
        'spec.podGC.labelSelector: invalid: "Near" is not a valid label selector operator',
    ),
    (
        "l. 346-348, 703-718; validate_test.go l. 4112",
        "entrypoint: hello\npodResources: {limits: {gpu: 1}}\ntemplates:" + HELLO,
        "spec.podResources: 'gpu' is not a valid pod-level resource",
    ),
    (
        "l. 383-385; validate_test.go l. 2390",
        "workflowTemplateRef: {name: lib}\nentrypoint: hello\ntemplates:" + HELLO,
        "spec.templates: Templates is invalid field in spec if workflow referred WorkflowTemplate reference",
    ),
    (
        "l. 174-181",
        "workflowTemplateRef: {name: nope}\nentrypoint: hi",
        'spec.workflowTemplateRef: workflowtemplates.argoproj.io "nope" not found',
    ),
    (
        "l. 263-276 (the merged arguments)",
        "workflowTemplateRef: {name: lib}\nentrypoint: echo",
        "spec.entrypoint: inputs.parameters.msg was not supplied",
    ),
    # -- templates --------------------------------------------------------------------------------
    (
        "l. 855-863; validate_test.go l. 205",
        "entrypoint: a\ntemplates:\n  - name: a\n    container: {image: alpine, args: ['{{inputs.parameters.x}}']}\n",
        "spec.templates[0]: failed to resolve {{inputs.parameters.x}}",
    ),
    (
        "l. 828 (not a WorkflowTemplate)",
        "entrypoint: a\ntemplates:\n  - name: a\n    container: {image: alpine, args: ['{{workflow.parameters.x}}']}\n",
        "spec.templates[0]: failed to resolve {{workflow.parameters.x}}",
    ),
    (
        "l. 797-836 (steps.X in a leaf)",
        "entrypoint: a\ntemplates:\n  - name: a\n    container: {image: alpine, args: ['{{steps.x.outputs.result}}']}\n",
        "spec.templates[0]: failed to resolve {{steps.x.outputs.result}}",
    ),
    (
        "l. 296 (only with an exit handler); validate_test.go l. 1162",
        "entrypoint: a\ntemplates:\n  - name: a\n    container: {image: alpine, args: ['{{workflow.failures}}']}\n",
        "failed to resolve {{workflow.failures}}",
    ),
    (
        "l. 688-695",
        "entrypoint: a\ntemplates:\n  - name: a\n    retryStrategy: {retryPolicy: Sometimes}\n    container: {image: alpine}\n",
        "spec.templates[0].retryStrategy.retryPolicy: Sometimes is not a valid RetryPolicy",
    ),
    (
        "l. 979-986; validate_test.go l. 1257",
        "entrypoint: a\ntemplates:\n  - name: a\n    activeDeadlineSeconds: -1\n    container: {image: alpine}\n",
        "spec.templates[0].activeDeadlineSeconds: activeDeadlineSeconds must be a positive integer > 0 or an argo variable",
    ),
    (
        "l. 980-982 (intstr l. 45-53)",
        "entrypoint: a\ntemplates:\n  - name: a\n    activeDeadlineSeconds: soon\n    container: {image: alpine}\n",
        "activeDeadlineSeconds must be a positive integer > 0 or an argo variable",
    ),
    (
        "l. 848-853",
        steps("{name: a, template: hello}", extra="    activeDeadlineSeconds: 10\n") + HELLO,
        "spec.templates[0].activeDeadlineSeconds: activeDeadlineSeconds is only valid for leaf templates",
    ),
    (
        "l. 987-989; validate_test.go l. 1278",
        "entrypoint: a\ntemplates:\n  - name: a\n    parallelism: 2\n    container: {image: alpine}\n",
        "spec.templates[0].parallelism: parallelism is only valid for steps and dag templates",
    ),
    (
        "l. 562-566",
        steps("{name: a, template: hello}", extra="    timeout: 10s\n") + HELLO,
        "spec.templates[0].timeout: Steps template doesn't support timeout field",
    ),
    (
        "l. 567-570",
        "entrypoint: a\ntemplates:\n  - name: a\n    timeout: '30'\n    container: {image: alpine}\n",
        "spec.templates[0].timeout: a has invalid duration format in timeout",
    ),
    (
        "l. 879-892; validate_test.go l. 2410",
        "entrypoint: a\ntemplates:\n  - name: a\n    container: {command: [x]}\n",
        "spec.templates[0].container.image: container.image may not be empty",
    ),
    (
        "l. 962-977; validate_test.go l. 2430",
        "entrypoint: a\ntemplates:\n  - name: a\n    script: {source: x}\n",
        "spec.templates[0].script.image: script.image may not be empty",
    ),
    (
        "l. 866-872",
        "entrypoint: a\ntemplates:\n  - name: a\n    container:\n      image: alpine\n      volumeMounts: [{name: v, mountPath: /m}, {name: w, mountPath: /m}]\n",
        "spec.templates[0].container.volumeMounts[1].mountPath: '/m' already mounted in container.volumeMounts.v",
    ),
    (
        "l. 914-918; validate_test.go l. 3092",
        "entrypoint: a\ntemplates:\n  - name: a\n    container: {image: alpine}\n    sidecars: [{name: wait, image: alpine}]\n",
        "spec.templates[0].sidecars[0]: 'wait' is a reserved Argo container name",
    ),
    (
        "l. 920-927; validate_test.go l. 1819",
        "entrypoint: a\ntemplates:\n  - name: a\n    resource: {action: yeet, manifest: 'x: 1'}\n",
        "spec.templates[0].resource.action: resource.action must be one of",
    ),
    (
        "l. 929-931",
        "entrypoint: a\ntemplates:\n  - name: a\n    resource: {action: create}\n",
        "spec.templates[0].resource: either resource.manifest or resource.manifestFrom must be specified",
    ),
    (
        "l. 947-959; validate_test.go l. 1814",
        "entrypoint: a\ntemplates:\n  - name: a\n    resource: {action: create, manifest: 'a: [b'}\n",
        "spec.templates[0].resource.manifest: resource.manifest must be a valid yaml",
    ),
    (
        "l. 894-903; validate_test.go l. 3096",
        "entrypoint: a\ntemplates:\n  - name: a\n    containerSet: {containers: [{name: b, image: alpine}]}\n    outputs: {parameters: [{name: p, valueFrom: {path: /p}}]}\n",
        'spec.templates[0].containerSet.containers: containers must have a container named "main" for input or output',
    ),
    (
        "container_set_template_types.go l. 127-135",
        "entrypoint: a\ntemplates:\n  - name: a\n    containerSet:\n      containers: [{name: b, image: x, dependencies: [c]}, {name: c, image: x, dependencies: [b]}]\n",
        "spec.templates[0].containerSet: containers dependency cycle detected: c->b->c",  # from b, sorted (l. 103-116)
    ),
    (
        "l. 480-487; validate_test.go l. 3434",
        "entrypoint: a\ntemplates:\n  - name: a\n    initContainers: [{image: alpine}]\n    container: {image: alpine}\n",
        "spec.templates[0].initContainers[0]: initContainers must all have container name",
    ),
    (
        "l. 611-615; validate_test.go l. 2091",
        "entrypoint: a\ntemplates:\n  - name: a\n    container: {image: alpine}\n    metrics: {prometheus: [{name: a.b, help: h, counter: {value: '1'}}]}\n",
        "spec.templates[0].metrics.prometheus[0]: metric name 'a.b' is invalid",
    ),
    (
        "l. 619-621; validate_test.go l. 2141",
        "entrypoint: a\ntemplates:\n  - name: a\n    container: {image: alpine}\n    metrics: {prometheus: [{name: a_b, counter: {value: '1'}}]}\n",
        "metric 'a_b' must contain a help string",
    ),
    # -- inputs and outputs ---------------------------------------------------------------------
    (
        "l. 740-743; validate_test.go l. 132",
        "entrypoint: a\ntemplates:\n  - name: a\n    inputs: {parameters: [{name: d, value: '1'}, {name: d, value: '2'}]}\n    container: {image: alpine}\n",
        "spec.templates[0].inputs.parameters[1]: name 'd' is not unique",
    ),
    (
        "l. 765-767",
        steps("{name: a, template: hello}", extra="    inputs: {artifacts: [{name: f, path: /f}]}\n") + HELLO,
        "spec.templates[0].inputs.artifacts[0].path: path only valid in container/script templates",
    ),
    (
        "l. 759-763 (CleanPath, workflow_types.go l. 1213-1215)",
        "entrypoint: a\ntemplates:\n  - name: a\n    inputs: {artifacts: [{name: f, optional: true}]}\n    container: {image: alpine}\n",
        "spec.templates[0].inputs.artifacts[0]: Artifact 'f' did not specify a path",
    ),
    (
        "workflow_types.go l. 1241-1244",
        "entrypoint: a\ntemplates:\n  - name: a\n    outputs: {artifacts: [{name: f, path: /tmp/../../etc}]}\n    container: {image: alpine}\n",
        "Directory traversal is not permitted",
    ),
    (
        "l. 1323-1325; validate_test.go l. 1084",
        "entrypoint: a\ntemplates:\n  - name: a\n    container: {image: alpine}\n    outputs: {parameters: [{name: p}]}\n",
        "spec.templates[0].outputs.parameters[0]: does not have valueFrom or value specified",
    ),
    (
        "l. 1317-1319",
        "entrypoint: a\ntemplates:\n  - name: a\n    container: {image: alpine}\n    outputs: {parameters: [{name: p, value: x, valueFrom: {path: /p}}]}\n",
        "has both valueFrom and value specified, choose one",
    ),
    (
        "l. 1339-1340; validate_test.go l. 1087",
        "entrypoint: a\ntemplates:\n  - name: a\n    container: {image: alpine}\n    outputs: {parameters: [{name: p, valueFrom: {path: /p, jsonPath: x}}]}\n",
        "multiple valueFrom types specified",
    ),
    (
        "l. 1288-1291; validate_test.go l. 1090",
        "entrypoint: a\ntemplates:\n  - name: a\n    container: {image: alpine}\n    outputs: {parameters: [{name: p, valueFrom: {jqFilter: .}}]}\n",
        "valueFrom.path must be specified for Container templates",
    ),
    (
        "l. 1292-1295",
        "entrypoint: a\ntemplates:\n  - name: a\n    resource: {action: get, manifest: 'x: 1'}\n    outputs: {parameters: [{name: p, valueFrom: {path: /p}}]}\n",
        "valueFrom.jqFilter or jsonPath must be specified for Resource templates",
    ),
    (
        "l. 1296-1299; validate_test.go l. 1093",
        steps("{name: a, template: hello}", extra="    outputs: {parameters: [{name: p, valueFrom: {path: /p}}]}\n") + HELLO,
        "valueFrom.parameter or expression must be specified for Steps templates",
    ),
    (
        "l. 1257-1260; validate_test.go l. 211",
        steps(
            "{name: a, template: hello}",
            extra="    outputs: {parameters: [{name: p, valueFrom: {parameter: '{{steps.a.outputs.parameters.nope}}'}}]}\n",
        )
        + HELLO,
        "spec.templates[0].outputs: failed to resolve {{steps.a.outputs.parameters.nope}}",
    ),
    (
        "l. 1269-1271",
        dag("{name: a, template: hello}", extra="    outputs: {artifacts: [{name: f, path: /f}]}\n") + HELLO,
        "spec.templates[0].outputs.artifacts[0].path: path only valid in container/script templates",
    ),
    # -- steps ------------------------------------------------------------------------------------
    ("l. 1071-1073", steps("{template: hello}") + HELLO, "spec.templates[0].steps[0][0]: name is required"),
    (
        "l. 1074-1077",
        steps("{name: a, template: hello}\n      - {name: a, template: hello}") + HELLO,
        "spec.templates[0].steps[0][1]: name 'a' is not unique",
    ),
    (
        "l. 1078-1080, 1736-1739",
        steps("{name: a.b, template: hello}") + HELLO,
        "spec.templates[0].steps[0][0]: name 'a.b' is invalid",
    ),
    (
        "l. 1091-1094, 660-667",
        steps("{name: a, template: nope}") + HELLO,
        "spec.templates[0].steps[0][0].template: template name 'nope' undefined",
    ),
    (
        "l. 679",
        steps("{name: a, templateRef: {name: lib, template: nope}}"),
        "spec.templates[0].steps[0][0].templateRef: template reference lib.nope not found",
    ),
    (
        "l. 679; validate_test.go l. 1722",
        steps("{name: a, templateRef: {name: nolib, template: echo}}"),
        "template reference nolib.echo not found",
    ),
    # the global is substituted before the check, so the name is a placeholder that resolves to nothing
    (
        "l. 545, 655-679; validate_test.go l. 1746",
        steps("{name: a, templateRef: {name: '{{workflow.name}}', template: x}}"),
        "template reference __argo__internal__placeholder-",
    ),
    (
        "l. 646-648",
        steps("{name: a, template: hello, templateRef: {name: lib, template: hi}}") + HELLO,
        "spec.templates[0].steps[0][0]: template name cannot be specified with templateRef",
    ),
    ("templateresolution/context.go l. 164", steps("{name: a}"), "spec.templates[0].steps[0][0]: failed to get a template"),
    (
        "util.go l. 187-190; validate_test.go l. 610",
        steps("{name: a, template: echo}") + ECHO,
        "spec.templates[0].steps[0][0]: inputs.parameters.msg was not supplied",
    ),
    (
        "util.go l. 187-190 (templateRef)",
        steps("{name: a, templateRef: {name: lib, template: echo}}"),
        "spec.templates[0].steps[0][0]: inputs.parameters.msg was not supplied",
    ),
    (
        "util.go l. 239-243",
        steps("{name: a, template: take}")
        + "  - name: take\n    inputs: {artifacts: [{name: f, path: /f}]}\n    container: {image: alpine}\n",
        "spec.templates[0].steps[0][0]: inputs.artifacts.f was not supplied",
    ),
    (
        "l. 1087-1090, 1019-1023; validate_test.go l. 1372",
        steps("{name: a, template: echo, arguments: {parameters: [{name: msg}]}}") + ECHO,
        "spec.templates[0].steps[0][0].arguments.parameters[0]: msg.value or msg.valueFrom is required",
    ),
    (
        "l. 1051-1054; validate_test.go l. 1338",
        steps("{name: a, template: hello, arguments: {artifacts: [{name: f}]}}") + HELLO,
        "spec.templates[0].steps[0][0].arguments.artifacts[0]: f.from, artifact location, or key is required",
    ),
    (
        "l. 1101-1104, 143-150",
        steps("{name: a, template: hello, hooks: {running: {template: hello}}}") + HELLO,
        "spec.templates[0].steps[0][0].hooks.running: running Expression required",
    ),
    (
        "l. 1120-1123; validate_test.go l. 507",
        steps("{name: a, template: hello, when: '{{steps.b.status}} == Succeeded'}", "{name: b, template: hello}") + HELLO,
        "spec.templates[0].steps[0][0]: failed to resolve {{steps.b.status}}",
    ),
    (
        "l. 1201-1202 (only declared outputs)",
        steps(
            "{name: a, template: gen}",
            "{name: b, template: echo, arguments: {parameters: [{name: msg, value: '{{steps.a.outputs.parameters.m}}'}]}}",
        )
        + GEN
        + ECHO,
        "spec.templates[0].steps[1][0]: failed to resolve {{steps.a.outputs.parameters.m}}",
    ),
    (
        "l. 1197-1200 (a resource has no result)",
        steps(
            "{name: a, template: k8s}",
            "{name: b, template: echo, arguments: {parameters: [{name: msg, value: '{{steps.a.outputs.result}}'}]}}",
        )
        + K8S
        + ECHO,
        "failed to resolve {{steps.a.outputs.result}}",
    ),
    (
        "l. 1139-1152",
        steps("{name: a, template: hello, withItems: [1], withParam: '[1]'}") + HELLO,
        "spec.templates[0].steps[0][0]: only one of withItems, withParam, withSequence can be specified",
    ),
    (
        "l. 1178-1180; validate_test.go l. 1551",
        steps("{name: a, template: hello, withSequence: {count: '2', end: '3'}}") + HELLO,
        "spec.templates[0].steps[0][0].withSequence: only one of count or end can be defined in withSequence",
    ),
    (
        "l. 1164-1167 (the keys of map items)",
        steps("{name: a, template: echo, withItems: [{x: 1}], arguments: {parameters: [{name: msg, value: '{{item.y}}'}]}}")
        + ECHO,
        "failed to resolve {{item.y}}",
    ),
    # -- DAGs -------------------------------------------------------------------------------------
    (
        "l. 1438-1440",
        "entrypoint: main\ntemplates:\n  - name: main\n    dag: {tasks: []}\n",
        "spec.templates[0].dag.tasks: must have at least one task",
    ),
    (
        "l. 1454-1457; topological_sorting.go l. 23-30",
        dag("{name: a, template: hello}", "{name: b, template: hello, depends: a && c}") + HELLO,
        "spec.templates[0].dag.tasks[1]: sorting failed: invalid dependency c",
    ),
    (
        "l. 1454-1457 (dependencies list)",
        dag("{name: a, template: hello}", "{name: b, template: hello, dependencies: [c]}") + HELLO,
        "spec.templates[0].dag.tasks[1]: sorting failed: invalid dependency c",
    ),
    (
        "l. 1454-1457; topological_sorting.go l. 43-45; validate_dag_test.go l. 39",
        dag("{name: a, template: hello, depends: b}", "{name: b, template: hello, depends: a}") + HELLO,
        "spec.templates[0].dag.tasks[0]: sorting failed: graph with cycle",
    ),
    (
        "topological_sorting.go l. 17-19",
        dag("{name: a, template: hello}", "{name: a, template: hello}") + HELLO,
        "spec.templates[0].dag.tasks[1].name: sorting failed: duplicated nodeName a",
    ),
    ("l. 1459-1462", dag("{name: a_b, template: hello}") + HELLO, "spec.templates[0].dag.tasks[0]: name 'a_b' is invalid"),
    (
        "l. 1468-1470; validate_dag_test.go l. 853",
        dag("{name: 5a, template: hello}", "{name: b, template: hello, depends: 5a}") + HELLO,
        "spec.templates[0].dag.tasks[0].name: name '5a' cannot begin with a digit",
    ),
    (
        "l. 1472-1474; validate_dag_test.go l. 769",
        dag(
            "{name: a, template: hello}",
            "{name: b, template: hello, depends: a}",
            "{name: c, template: hello, dependencies: [a]}",
        )
        + HELLO,
        "spec.templates[0].dag.tasks[2].dependencies: cannot use both 'depends' and 'dependencies' in the same DAG template",
    ),
    (
        "l. 1476-1478; validate_dag_test.go l. 801",
        dag("{name: a, template: hello, continueOn: {failed: true}}", "{name: b, template: hello, depends: a}") + HELLO,
        "spec.templates[0].dag.tasks[0].continueOn: cannot use 'continueOn' when using 'depends'",
    ),
    (
        "l. 1491-1494; ancestry.go l. 104",
        dag("{name: a, template: hello}", "{name: b, template: hello, depends: a.Done}") + HELLO,
        "spec.templates[0].dag.tasks[1].depends: task result 'Done' for task 'a' is invalid",
    ),
    (
        "l. 1502-1506; validate_dag_test.go l. 66",
        dag("{name: a, template: hello}", "{name: b, template: hello, depends: a.AnySucceeded}") + HELLO,
        "spec.templates[0].dag.tasks[1].depends: dependency 'a' uses an items-based condition",
    ),
    (
        "l. 1480-1484",
        dag("{name: a, template: nope}") + HELLO,
        "spec.templates[0].dag.tasks[0].template: template name 'nope' undefined",
    ),
    (
        "l. 1555-1558; validate_dag_test.go l. 310",
        dag(
            "{name: a, template: gen}",
            "{name: b, template: echo, depends: a, arguments: {parameters: [{name: msg, value: '{{tasks.a.outputs.parameters.m}}'}]}}",
        )
        + GEN
        + ECHO,
        "spec.templates[0].dag.tasks[1]: failed to resolve {{tasks.a.outputs.parameters.m}}",
    ),
    (
        "l. 1538-1544, 1239-1241; validate_dag_test.go l. 617",
        dag("{name: a, template: hello, when: '{{tasks.b.status}} == Succeeded'}", "{name: b, template: hello}") + HELLO,
        "spec.templates[0].dag.tasks[0]: failed to resolve {{tasks.b.status}}",
    ),
    (
        "l. 1563-1566, 1577-1593; validate_dag_test.go l. 316",
        dag(
            "{name: a, template: gen}",
            "{name: b, template: echo, arguments: {parameters: [{name: msg, value: '{{tasks.a.outputs.parameters.n}}'}]}}",
        )
        + GEN
        + ECHO,
        "spec.templates[0].dag.tasks[1].arguments.parameters[0]: missing dependency 'a' for parameter 'msg'",
    ),
    (
        "l. 1567-1571, util.go l. 187-190",
        dag("{name: a, template: echo}") + ECHO,
        "spec.templates[0].dag.tasks[0]: inputs.parameters.msg was not supplied",
    ),
    (
        "l. 1609-1622; validate_dag_test.go l. 665",
        dag("{name: a, template: hello}", extra="      target: a b\n") + HELLO,
        "spec.templates[0].dag.target: target 'b' is not defined",
    ),
    (
        "l. 1551-1554",
        dag("{name: a, template: hello, withItems: [1], withSequence: {count: '2'}}") + HELLO,
        "spec.templates[0].dag.tasks[0]: only one of withItems, withParam, withSequence can be specified",
    ),
]


@pytest.mark.parametrize(("source", "spec", "expected"), PROBLEMS, ids=[f"{i:02d} {c[0]}" for i, c in enumerate(PROBLEMS)])
def test_refused(source: str, spec: str | dict[str, Any], expected: str) -> None:
    problems = validate_workflow(spec if isinstance(spec, dict) else doc(spec), lookup)
    assert len(problems) == 1, problems
    assert expected in problems[0], problems


# What Argo accepts, sometimes surprisingly; a stricter runner would refuse valid Argo workflows.
ACCEPTED: list[tuple[str, str | dict[str, Any]]] = [
    (
        "common.go l. 303: {{item}} has no '.' so is never checked",
        "entrypoint: a\ntemplates:\n  - name: a\n    container: {image: alpine, args: ['{{item}}']}\n",
    ),
    (
        "common.go l. 303: other roots are not Argo's",
        "entrypoint: a\ntemplates:\n  - name: a\n    container: {image: alpine, args: ['{{foo.bar}}', '{{ secrets.x }}']}\n",
    ),
    (
        "util/template/validate.go l. 17-18: expressions are not validated",
        "entrypoint: a\ntemplates:\n  - name: a\n    container: {image: alpine, args: ['{{=nope.nothing}}']}\n",
    ),
    (
        "l. 819-827: run-time prefixes",
        "entrypoint: a\ntemplates:\n  - name: a\n    container:\n      image: alpine\n      args: ['{{workflow.creationTimestamp.Y}}', '{{workflow.duration}}', '{{outputs.parameters.x}}', '{{workflow.scheduledTime}}']\n",
    ),
    (
        "l. 828: a WorkflowTemplate may use any workflow.parameters",
        doc(
            "entrypoint: a\ntemplates:\n  - name: a\n    container: {image: alpine, args: ['{{workflow.parameters.later}}']}\n",
            "WorkflowTemplate",
        ),
    ),
    (
        "l. 205, 412: a WorkflowTemplate needs no entrypoint nor argument values",
        doc("arguments: {parameters: [{name: p}]}\ntemplates:" + ECHO, "WorkflowTemplate"),
    ),
    (
        "l. 71-75, 257: the built-in globals",
        "entrypoint: a\ntemplates:\n  - name: a\n    container: {image: alpine, args: ['{{workflow.name}} {{workflow.namespace}} {{workflow.uid}} {{workflow.status}} {{workflow.serviceAccountName}}']}\n",
    ),
    (
        "l. 210-223: declared workflow parameters",
        "entrypoint: a\narguments: {parameters: [{name: p, value: x}]}\ntemplates:\n  - name: a\n    container: {image: alpine, args: ['{{workflow.parameters.p}} {{workflow.parameters}}']}\n",
    ),
    (
        "l. 225-252: labels and annotations",
        doc(
            "entrypoint: a\nworkflowMetadata: {labels: {team: x}}\ntemplates:\n  - name: a\n    container: {image: alpine, args: ['{{workflow.labels.team}} {{workflow.annotations.json}}']}\n"
        ),
    ),
    (
        "l. 516-531: pod.name and retries",
        "entrypoint: a\ntemplates:\n  - name: a\n    retryStrategy: {limit: 2}\n    container: {image: alpine, args: ['{{pod.name}} {{retries}} {{lastRetry.exitCode}}']}\n",
    ),
    (
        "util.go l. 137-141: a default satisfies the call",
        steps("{name: a, template: opt}")
        + "  - name: opt\n    inputs: {parameters: [{name: m, default: hi}]}\n    container: {image: alpine}\n",
    ),
    (
        "util.go l. 157: a configMapKeyRef input is read at run time",
        steps("{name: a, template: cm}")
        + "  - name: cm\n    inputs: {parameters: [{name: m, valueFrom: {configMapKeyRef: {name: c, key: k}}}]}\n    container: {image: alpine}\n",
    ),
    (
        "util.go l. 239: an optional input artifact",
        steps("{name: a, template: opt}")
        + "  - name: opt\n    inputs: {artifacts: [{name: f, path: /f, optional: true}]}\n    container: {image: alpine}\n",
    ),
    (
        "l. 1172-1176: withParam allows any item.X",
        steps("{name: a, template: echo, withParam: '[]', arguments: {parameters: [{name: msg, value: '{{item.anything}}'}]}}")
        + ECHO,
    ),
    (
        "l. 1125-1127: a later step of the same group sees an earlier one's outputs",
        steps(
            "{name: a, template: gen}\n      - {name: b, template: echo, arguments: {parameters: [{name: msg, value: '{{steps.a.outputs.parameters.n}}'}]}}"
        )
        + GEN
        + ECHO,
    ),
    (
        "l. 1096-1098: an exit hook reads its own step's outputs",
        steps(
            "{name: a, template: gen, hooks: {exit: {template: echo, arguments: {parameters: [{name: msg, value: '{{steps.a.outputs.parameters.n}}'}]}}}}"
        )
        + GEN
        + ECHO,
    ),
    (
        "l. 1528: any task's outputs may be named (only argument values starting with {{tasks. need an ancestor)",
        dag(
            "{name: a, template: gen}",
            "{name: b, template: echo, arguments: {parameters: [{name: msg, value: 'n={{tasks.a.outputs.parameters.n}}'}]}}",
        )
        + GEN
        + ECHO,
    ),
    (
        "l. 1538-1544: an ancestor's status",
        dag("{name: a, template: hello}", "{name: b, template: hello, depends: a, when: '{{tasks.a.status}} == Succeeded'}")
        + HELLO,
    ),
    (
        "l. 1203-1208: a global output named later",
        steps(
            "{name: a, template: glob}",
            "{name: b, template: echo, arguments: {parameters: [{name: msg, value: '{{workflow.outputs.parameters.g}}'}]}}",
        )
        + ECHO
        + "  - name: glob\n    container: {image: alpine}\n    outputs: {parameters: [{name: o, globalName: g, valueFrom: {path: /o}}]}\n",
    ),
    (
        "l. 655-658: a templateRef with variables is left to run time",
        steps("{name: a, withItems: [lib], templateRef: {name: '{{item}}', template: x}}"),
    ),
    (
        "l. 674-677: a placeholder in the referenced template's name",
        doc(
            steps("{name: a, template: fwd, arguments: {parameters: [{name: t, value: x}]}}")
            + "  - name: fwd\n    inputs: {parameters: [{name: t}]}\n    steps:\n    - - {name: b, templateRef: {name: lib, template: '{{inputs.parameters.t}}'}}\n"
        ),
    ),
    (
        "l. 1736-1739: a parametrised step name",
        doc(
            steps("{name: a, template: fwd, arguments: {parameters: [{name: t, value: x}]}}")
            + "  - name: fwd\n    inputs: {parameters: [{name: t}]}\n    steps:\n    - - {name: 'run-{{inputs.parameters.t}}', template: hello}\n"
            + HELLO
        ),
    ),
    (
        "l. 1101 only for steps: DAG task hooks are not validated",
        dag("{name: a, template: hello, hooks: {running: {template: hello}}}") + HELLO,
    ),
    ("validate.go has no check of spec.parallelism", "entrypoint: a\nparallelism: -1\ntemplates:" + HELLO.replace("hello", "a")),
    (
        "l. 1468: keyword task names pass validation (they fail at run time, see test_argo_depends)",
        dag("{name: in, template: hello}", "{name: b, template: hello, depends: in}") + HELLO,
    ),
    (
        "l. 1476-1478: continueOn is fine with dependencies",
        dag("{name: a, template: hello, continueOn: {failed: true}}", "{name: b, template: hello, dependencies: [a]}") + HELLO,
    ),
    (
        "l. 1502: .AnySucceeded on a looping task",
        dag("{name: a, template: hello, withItems: [1, 2]}", "{name: b, template: hello, depends: a.AnySucceeded}") + HELLO,
    ),
    (
        "l. 880-891: templateDefaults gives the image",
        "entrypoint: a\ntemplateDefaults: {container: {image: alpine}}\ntemplates:\n  - name: a\n    container: {command: [x]}\n",
    ),
    (
        "l. 263-276: a Workflow from a WorkflowTemplate, the arguments merged",
        "workflowTemplateRef: {name: lib}\nentrypoint: echo\narguments: {parameters: [{name: msg, value: hi}]}",
    ),
    ("l. 174-176: a ClusterWorkflowTemplate's entrypoint", "workflowTemplateRef: {name: clib, clusterScope: true}"),
    ("l. 577-584: a recursive template", steps("{name: a, template: main, when: 'false'}")),
]


@pytest.mark.parametrize(("source", "spec"), ACCEPTED, ids=[f"{i:02d} {c[0][:40]}" for i, c in enumerate(ACCEPTED)])
def test_accepted(source: str, spec: str | dict[str, Any]) -> None:
    assert validate_workflow(spec if isinstance(spec, dict) else doc(spec), lookup) == []


def test_every_independent_unit_reports() -> None:
    # Argo stops at the first error; the list has the first of each unit (the entrypoint, each template)
    spec = "entrypoint: main\ntemplates:\n  - name: main\n    steps:\n    - - {name: a, template: nope}\n  - name: b\n"
    problems = validate_workflow(doc(spec), lookup)
    assert problems == [
        "spec.templates[0].steps[0][0].template: template name 'nope' undefined",
        "spec.templates[1]: template 'b' type is unknown",
    ]


def test_a_broken_referenced_template_is_reported_where_it_is() -> None:
    library = {("WorkflowTemplate", "bad"): doc("templates:\n  - name: x\n    container: {}\n", "WorkflowTemplate", "bad")}
    problems = validate_workflow(doc(steps("{name: a, templateRef: {name: bad, template: x}}")), lambda k, n: library.get((k, n)))
    assert problems == ["WorkflowTemplate/bad.spec.templates[0].container.image: container.image may not be empty"]


def test_a_cluster_workflow_template_ignores_template_defaults() -> None:
    # l. 889-890: only a Workflow's or WorkflowTemplate's templateDefaults count
    cwt = doc(
        "templateDefaults: {container: {image: alpine}}\ntemplates:\n  - name: a\n    container: {command: [x]}\n",
        "ClusterWorkflowTemplate",
    )
    assert validate_workflow(cwt, lookup) == ["spec.templates[0].container.image: container.image may not be empty"]
    assert validate_workflow(dict(cwt, kind="WorkflowTemplate"), lookup) == []


def test_the_exit_handler_gets_the_spec_arguments() -> None:
    # l. 329: also for a WorkflowTemplate, whose entrypoint gets fake arguments (l. 266-268)
    wt = doc("entrypoint: hello\nonExit: echo\ntemplates:" + HELLO + ECHO, "WorkflowTemplate")
    assert validate_workflow(wt, lookup) == ["spec.onExit: inputs.parameters.msg was not supplied"]


def test_not_an_argo_kind() -> None:
    with pytest.raises(ValueError, match="not an Argo workflow kind"):
        validate_workflow({"kind": "ConfigMap"})


# -- CronWorkflow ---------------------------------------------------------------------------------------


def known_zone(name: str) -> bool:
    return name in ZONES


SCHEDULES_OK = [
    "* * * * *",
    "0 0 * * 0-6",
    "*/5 * * * *",
    "5/15 * * * *",  # parser.go getRange: N/step is N-max/step
    "0 9-17 * * mon-fri",
    "0 0 1 JAN,jul *",  # names are case-insensitive
    "0 0 ? * *",
    "0 0 1,,15 * *",  # getField: FieldsFunc drops empty parts
    "*-5 * * * *",  # a * range ignores what follows the hyphen
    "@daily",
    "@midnight",
    "@every 1h30m",
    "@every 0",
    "CRON_TZ=UTC 0 0 * * *",
    "TZ=America/New_York 0 0 * * *",
    "0  0   *  * *",  # strings.Fields
]


@pytest.mark.parametrize("schedule", SCHEDULES_OK)
def test_schedule_accepted(schedule: str) -> None:
    assert schedule_error(schedule, known_zone=known_zone) is None


SCHEDULES_BAD: list[tuple[str, CronError]] = [
    ("", CronError("empty spec string")),
    ("* * * *", CronError("expected exactly 5 fields, found 4: [* * * *]")),
    ("0 * * * * *", CronError("expected exactly 5 fields, found 6: [0 * * * * *]")),
    ("60 * * * *", CronError("end of range (60) above maximum (59): 60", 0, 0)),
    ("* 24 * * *", CronError("end of range (24) above maximum (23): 24", 1, 2)),
    ("0 0 32 * *", CronError("end of range (32) above maximum (31): 32", 2, 4)),
    ("0 0 0 * *", CronError("beginning of range (0) below minimum (1): 0", 2, 4)),
    ("0 0 * 13 *", CronError("end of range (13) above maximum (12): 13", 3, 6)),
    ("0 0 * * 7", CronError("end of range (7) above maximum (6): 7", 4, 8)),
    ("5-1 * * * *", CronError("beginning of range (5) beyond end of range (1): 5-1", 0, 0)),
    ("*/0 * * * *", CronError("step of range should be a positive number: */0", 0, 0)),
    ("1-2-3 * * * *", CronError("too many hyphens: 1-2-3", 0, 0)),
    ("*/2/3 * * * *", CronError("too many slashes: */2/3", 0, 0)),
    ("0 x * * *", CronError('failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax', 1, 2)),
    ("0 0 * foo *", CronError('failed to parse int from foo: strconv.Atoi: parsing "foo": invalid syntax', 3, 6)),
    ("0 0 * * -1", CronError('failed to parse int from : strconv.Atoi: parsing "": invalid syntax', 4, 8)),
    ("@weekdays", CronError("unrecognized descriptor: @weekdays")),
    ("@every 5x", CronError('failed to parse duration @every 5x: time: invalid duration "5x"')),
    ("CRON_TZ=Mars/Phobos * * * * *", CronError("provided bad location Mars/Phobos: unknown time zone Mars/Phobos")),
    ("CRON_TZ=UTC 0 0 * * 8", CronError("end of range (8) above maximum (6): 8", 4, 20)),
]


@pytest.mark.parametrize(("schedule", "error"), SCHEDULES_BAD, ids=[s or "empty" for s, _ in SCHEDULES_BAD])
def test_schedule_refused(schedule: str, error: CronError) -> None:
    # robfig/cron v3.0.1 ParseStandard, as validate.go l. 448-452 calls it
    assert schedule_error(schedule, known_zone=known_zone) == error


CRONS: list[tuple[str, str, str]] = [
    ("l. 444-446", "workflowSpec: {entrypoint: a}", "spec.schedules: cron workflow must have at least one schedule"),
    (
        "l. 448-452",
        "schedules: ['0 0 32 * *']",
        "spec.schedules[0]: cron schedule 0 0 32 * * is malformed: end of range (32) above maximum (31): 32 (field 3, day of month, at offset 4)",
    ),
    (
        "l. 454-458; validate_test.go l. 3023",
        "schedules: ['@daily']\ntimezone: Nowhere/Land",
        "spec.timezone: invalid timezone 'Nowhere/Land': unknown time zone Nowhere/Land",
    ),
    (
        "l. 460-465",
        "schedules: ['@daily']\nconcurrencyPolicy: Sometimes",
        "spec.concurrencyPolicy: 'Sometimes' is not a valid concurrencyPolicy",
    ),
    (
        "l. 467-469",
        "schedules: ['@daily']\nstartingDeadlineSeconds: -5",
        "spec.startingDeadlineSeconds: startingDeadlineSeconds must be positive",
    ),
]


@pytest.mark.parametrize(("source", "spec", "expected"), CRONS)
def test_cron_refused(source: str, spec: str, expected: str) -> None:
    assert validate_cron(doc(spec, "CronWorkflow"), known_zone=known_zone) == [expected]


def test_cron_name_length() -> None:
    # l. 440-442: 52, for the timestamp suffix of the workflows it creates
    cron = doc("schedules: ['@daily']", "CronWorkflow", name="c" * 53)
    assert validate_cron(cron) == [
        f"metadata.name: cron workflow name '{'c' * 53}' must not be more than 52 characters long (currently 53)"
    ]


def test_cron_workflow_spec_is_validated_as_a_workflow() -> None:
    # l. 471-477: ConvertCronWorkflowToWorkflow, validated with Opts{} (argument values required)
    spec = "schedules: ['@daily']\nworkflowSpec:\n  entrypoint: a\n  arguments: {parameters: [{name: p}]}\n  templates:\n  - name: a\n    container: {image: alpine}\n"
    problems = validate_workflow(doc(spec, "CronWorkflow"), lookup, known_zone=known_zone)
    assert problems == ["spec.workflowSpec.arguments.parameters[0]: p.value or p.valueFrom is required"]
    # common/convert.go l. 96-100: the cron-workflow label is a workflow label
    ok = "schedules: ['@daily']\nworkflowSpec:\n  entrypoint: a\n  templates:\n  - name: a\n    container: {image: alpine, args: ['{{workflow.labels.workflows.argoproj.io/cron-workflow}}']}\n"
    assert validate_workflow(doc(ok, "CronWorkflow"), lookup, known_zone=known_zone) == []


# -- Argo's own examples ---------------------------------------------------------------------------------

KINDS = ("Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate", "CronWorkflow")


def corpus() -> list[tuple[str, dict[str, Any]]]:
    if not CORPUS.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Argo's examples are missing at {CORPUS}")
        pytest.skip(f"Argo's examples are not at {CORPUS}")
    docs = []
    for path in sorted(CORPUS.rglob("*.yaml")):
        for d in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if isinstance(d, dict):
                docs.append((str(path.relative_to(CORPUS)), d))
    return docs


def test_argos_examples_validate() -> None:
    docs = corpus()
    library = {(d["kind"], d["metadata"]["name"]): d for _, d in docs if d.get("kind") in KINDS[1:3]}
    checked, failures = 0, []
    for path, d in docs:
        if d.get("kind") not in KINDS:
            continue
        checked += 1
        problems = validate_workflow(d, lambda k, n: library.get((k, n)), known_zone=known_zone)
        if problems:
            failures.append(f"{path} ({d['metadata'].get('name') or d['metadata'].get('generateName')}): {problems}")
    assert checked > 200
    assert not failures, "\n".join(failures)
