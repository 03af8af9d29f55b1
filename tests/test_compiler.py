"""Resolution by semver range, type checking of bindings, the DAG, and lowering to Argo."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from mldsl.backends import emit_all
from mldsl.compiler import compile_paths, ir

MODULE = """\
apiVersion: mldsl/v1
kind: Module
metadata: {{name: {name}, version: {version}}}
spec:
  inputs: {{x: {{type: int, default: 1}}}}
  outputs: {{y: int}}
  run: {{container: {{image: "img:{version}"}}}}
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def pipeline(uses: str, extra: str = "") -> str:
    return f"""\
apiVersion: mldsl/v1
kind: Pipeline
metadata: {{name: p}}
spec:
  steps:
    a: {{uses: "{uses}"}}
{extra}"""


@pytest.fixture
def versions(tmp_path: Path) -> Path:
    for v in ("1.0.0", "1.2.0", "1.2.7", "1.4.1", "2.0.0", "2.5.0", "3.0.0-rc.1"):
        write(tmp_path / "modules", f"m-{v}.yaml", MODULE.format(name="m", version=v))
    write(tmp_path, "mldsl.yaml", "apiVersion: mldsl/v1\nkind: Project\nmetadata: {name: t}\nspec: {module_paths: [modules]}\n")
    return tmp_path


@pytest.mark.parametrize(
    ("ref", "version"),
    [
        ("m", "2.5.0"),
        ("m@1", "1.4.1"),
        ("m@^1.2", "1.4.1"),
        ("m@~1.2", "1.2.7"),
        ("m@1.2", "1.2.7"),
        ("m@>=2,<3", "2.5.0"),
        ("m@1.0.0", "1.0.0"),
        ("m@~1.4", "1.4.1"),
    ],
)
def test_semver_ranges(versions: Path, ref: str, version: str) -> None:
    write(versions, "p.yaml", pipeline(ref))
    result = compile_paths([versions / "p.yaml"])
    assert result.ok, [d.render() for d in result.diagnostics]
    assert result.program.pipelines[0].steps[0].module.version == version


def test_unmatched_range_lists_versions(versions: Path) -> None:
    write(versions, "p.yaml", pipeline("m@^4"))
    [d] = compile_paths([versions / "p.yaml"]).diagnostics
    assert d.code == "MLD401" and d.hint == "available versions: 1.0.0, 1.2.0, 1.2.7, 1.4.1, 2.0.0, 2.5.0, 3.0.0-rc.1"


def test_project_modules_override_the_builtin_library(tmp_path: Path) -> None:
    write(tmp_path / "modules", "cm.yaml", MODULE.format(name="check-metrics", version="1.0.0"))
    write(tmp_path, "mldsl.yaml", "apiVersion: mldsl/v1\nkind: Project\nmetadata: {name: t}\nspec: {module_paths: [modules]}\n")
    write(tmp_path, "p.yaml", pipeline("check-metrics@1"))
    result = compile_paths([tmp_path / "p.yaml"])
    assert result.ok
    run = result.program.pipelines[0].steps[0].module.run
    assert isinstance(run, ir.ContainerRun) and run.image == "img:1.0.0"


def test_relative_module_path(tmp_path: Path) -> None:
    write(tmp_path / "mods", "one.yaml", MODULE.format(name="local-one", version="0.1.0"))
    write(tmp_path, "p.yaml", pipeline("./mods/one.yaml"))
    result = compile_paths([tmp_path / "p.yaml"])
    assert result.ok and result.program.pipelines[0].steps[0].module.name == "local-one"


def test_dag_order_is_topological_and_stable(tmp_path: Path) -> None:
    write(tmp_path, "m.yaml", MODULE.format(name="m", version="1.0.0"))
    write(
        tmp_path,
        "p.yaml",
        """\
        apiVersion: mldsl/v1
        kind: Pipeline
        metadata: {name: p}
        spec:
          steps:
            z_last: {uses: m, with: {x: "${{ steps.b.outputs.y + steps.a.outputs.y }}"}}
            b: {uses: m, after: a}
            a: {uses: m}
            c: {uses: m}
        """,
    )
    result = compile_paths([tmp_path])
    assert result.ok, [d.render() for d in result.diagnostics]
    steps = result.program.pipelines[0].steps
    assert [s.name for s in steps] == ["a", "b", "c", "z_last"]
    assert steps[-1].depends == ("a", "b")


def test_every_error_in_a_pipeline_is_reported(tmp_path: Path) -> None:
    write(tmp_path, "m.yaml", MODULE.format(name="m", version="1.0.0"))
    write(
        tmp_path,
        "p.yaml",
        """\
        apiVersion: mldsl/v1
        kind: Pipeline
        metadata: {name: p}
        spec:
          params: {n: {type: str, default: x}}
          steps:
            a: {uses: m, with: {x: "${{ params.n }}"}}
            b: {uses: m, with: {x: "${{ params.nn }}"}, timeout: forever}
            c: {uses: nope}
        """,
    )
    codes = sorted(d.code for d in compile_paths([tmp_path]).diagnostics)
    assert codes == ["MLD301", "MLD303", "MLD400", "MLD412"]


def _workflow(tmp_path: Path, steps: str, params: str = "{}") -> dict:
    write(tmp_path, "m.yaml", MODULE.format(name="m", version="1.0.0"))
    write(
        tmp_path,
        "p.yaml",
        f"""\
apiVersion: mldsl/v1
kind: Pipeline
metadata: {{name: p}}
spec:
  params: {params}
  steps:
{textwrap.indent(textwrap.dedent(steps), "    ")}""",
    )
    result = compile_paths([tmp_path])
    assert result.ok, [d.render() for d in result.diagnostics]
    [wt] = [m.body for m in emit_all(result.program) if m.kind == "WorkflowTemplate"]
    return {t["name"]: t for t in wt["spec"]["templates"][0]["dag"]["tasks"]}


def test_lowering_simple_tags_conditions_and_expressions(tmp_path: Path) -> None:
    tasks = _workflow(
        tmp_path,
        """\
        a: {uses: m, with: {x: "${{ params.n }}"}}
        b:
          uses: m
          when: "${{ steps.a.outputs.y > 3 and params.mode == 'fast' }}"
          with: {x: "${{ steps.a.outputs.y * 2 }}"}
        c:
          uses: m
          for_each: "${{ params.items }}"
          when: "${{ 'gpu' in params.tags }}"
          with: {x: "${{ item }}"}
        """,
        params="{n: {type: int, default: 2}, mode: {type: enum, values: [fast, slow], default: fast}, "
        "items: {type: 'list[int]', default: [1, 2]}, tags: {type: 'list[str]', default: []}}",
    )
    assert tasks["a"]["arguments"]["parameters"] == [{"name": "x", "value": "{{workflow.parameters.n}}"}]
    # every condition is an expression tag: values are read by name, never spliced into govaluate text
    assert (
        tasks["b"]["when"] == "{{=((asInt(tasks['a'].outputs.parameters['y']) > 3) && (workflow.parameters['mode'] == 'fast'))}}"
    )
    from mldsl.argo.template import replace

    scope = {"tasks.a.outputs.parameters.y": "4", "workflow.parameters.mode": "fast"}
    assert replace(tasks["b"]["when"], scope) == "true"
    assert replace(tasks["b"]["when"], {**scope, "workflow.parameters.mode": "fast' || '1' == '1"}) == "false"
    assert tasks["b"]["arguments"]["parameters"][0]["value"] == "{{=(asInt(tasks['a'].outputs.parameters['y']) * 2)}}"
    # a fan-out with a condition runs in a wrapper DAG (a false condition then skips the whole step, not each
    # item, dag.go l. 648-661): the condition sits on the wrapper's task, the items on the task inside
    assert tasks["c"]["template"] == "c-fan-out"
    assert tasks["c"]["when"] == "{{=('gpu' in jsonpath(workflow.parameters['tags'], '$'))}}"


def test_literal_fan_out_uses_with_items(tmp_path: Path) -> None:
    tasks = _workflow(
        tmp_path,
        """\
        a: {uses: m, for_each: [1, 2, 3], with: {x: "${{ item }}"}}
        """,
    )
    assert tasks["a"]["withItems"] == [1, 2, 3]


def test_artifact_from_uri_template_and_throttled_fan_out(tmp_path: Path) -> None:
    write(
        tmp_path,
        "art.yaml",
        """\
        apiVersion: mldsl/v1
        kind: Module
        metadata: {name: art, version: 1.0.0}
        spec:
          inputs: {data: {type: artifact}, n: {type: int, default: 0}}
          outputs: {rows: int}
          run: {container: {image: busybox}}
        """,
    )
    tasks = _workflow(
        tmp_path,
        """\
        a: {uses: m}
        b:
          uses: art
          for_each: "${{ params.days }}"
          parallelism: 3
          with: {data: "s3://bucket/daily/${{ item }}/part.parquet", n: "${{ steps.a.outputs.y }}"}
        """,
        params="{days: {type: 'list[str]', default: [mon, tue]}}",
    )
    b = tasks["b"]
    assert b["template"] == "b-fan-out"
    assert b["arguments"]["parameters"] == [
        {"name": "a-y", "value": "{{tasks.a.outputs.parameters.y}}"},
        {"name": "items", "value": "{{workflow.parameters.days}}"},
    ]
    result = compile_paths([tmp_path])
    [wt] = [m.body for m in emit_all(result.program)]
    [wrapper] = [t for t in wt["spec"]["templates"] if t["name"] == "b-fan-out"]
    assert wrapper["parallelism"] == 3
    [each] = wrapper["dag"]["tasks"]
    assert each["withParam"] == "{{inputs.parameters.items}}"
    assert each["arguments"]["parameters"] == [{"name": "n", "value": "{{inputs.parameters.a-y}}"}]
    assert each["arguments"]["artifacts"] == [
        {"name": "data", "s3": {"endpoint": "s3.amazonaws.com", "bucket": "bucket", "key": "daily/{{item}}/part.parquet"}}
    ]
    # a fan-out that ran no item is a skipped step, whose outputs are empty (SPEC 1.9, #26 item 4); the wrapper
    # says whether any item ran: a group none of whose items succeeded has no per-output aggregate, and its
    # outputs.parameters is a list, not a map (operator.go processAggregateNodeOutputs, expand.go removeConflicts)
    assert wrapper["outputs"]["parameters"] == [
        {"name": "rows", "valueFrom": {"parameter": "{{tasks.b.outputs.parameters.rows}}", "default": ""}},
        {
            "name": "mldsl-succeeded",
            "valueFrom": {
                "default": "false",
                "expression": (
                    "tasks['b'].status == 'Succeeded' && type(tasks['b'].outputs.parameters) == 'map' ? 'true' : 'false'"
                ),
            },
        },
    ]


def test_printed_expressions_reparse_to_the_same_ir() -> None:
    """compiler.printer is used in diffs and graphs: what it prints must mean what the IR means."""
    from mldsl.compiler.exprcheck import Checker, Scope, StepInfo
    from mldsl.compiler.printer import value
    from mldsl.lang.expressions import parse_template

    from conftest import example_dirs

    checked = 0
    for example in example_dirs():
        for p in compile_paths([example]).program.pipelines:
            params = {q.name: q for q in p.params}
            infos = {s.name: StepInfo({o.name: o for o in s.module.outputs}, s.for_each is not None) for s in p.steps}
            for s in p.steps:
                for _, v in [*s.bindings, *([("when", s.when)] if s.when is not None else [])]:
                    if isinstance(v, ir.ILit):
                        continue
                    text = value(v)
                    template = parse_template(text)
                    scope = Scope(params=params, steps=infos, item=s.item_type, artifact_bucket="s3://b")
                    checker = Checker(scope)
                    if template.single is not None:
                        again = checker.check(template.single)
                    else:
                        again = ir.IInterp(
                            tuple(part if isinstance(part, str) else checker.check(part.expr) for part in template.parts),
                            v.type,
                        )
                    assert not checker.issues and again == v, (text, again, v)
                    checked += 1
    assert checked > 20


def test_list_of_enums_types_its_items_and_a_fan_out_over_it(tmp_path: Path) -> None:
    """SPEC §1.10: ``list[enum]`` with ``values``; ``item`` of a fan-out over it is that enum."""
    write(
        tmp_path,
        "m.yaml",
        """\
        apiVersion: mldsl/v1
        kind: Module
        metadata: {name: per-country, version: 1.0.0}
        spec:
          inputs: {country: {type: enum, values: [cn, de, us, br]}}
          run: {container: {image: img, command: [echo, "${{ inputs.country }}"]}}
        """,
    )
    good = """\
    apiVersion: mldsl/v1
    kind: Pipeline
    metadata: {name: p}
    spec:
      params:
        countries: {type: 'list[enum]', values: [cn, de, us], default: [cn, us]}
      steps:
        each: {uses: per-country@1, for_each: "${{ params.countries }}", with: {country: "${{ item }}"}}
    """
    result = compile_paths([write(tmp_path, "m.yaml", (tmp_path / "m.yaml").read_text()), write(tmp_path, "p.yaml", good)])
    assert result.ok, [d.render() for d in result.diagnostics]
    (p,) = result.program.pipelines
    assert str(p.params[0].type) == "list[enum['cn', 'de', 'us']]" and p.step("each").item_type == p.params[0].type.item
    bad = good.replace("default: [cn, us]", "default: [cn, fr]").replace("values: [cn, de, us]", "values: [cn, de, us, fr]")
    result = compile_paths([tmp_path / "m.yaml", write(tmp_path, "p.yaml", bad)])  # fr reaches an input without it
    assert [d.code for d in result.diagnostics] == ["MLD303"], [d.render() for d in result.diagnostics]
    bad = good.replace("default: [cn, us]", "default: [cn, xx]")
    result = compile_paths([tmp_path / "m.yaml", write(tmp_path, "p.yaml", bad)])
    assert ["xx" in d.message for d in result.diagnostics] == [True]
    bad = good.replace("'list[enum]'", "'list[str]'")
    result = compile_paths([tmp_path / "m.yaml", write(tmp_path, "p.yaml", bad)])
    assert "'values' applies to enum and list[enum]" in result.diagnostics[0].message


def test_friction_hints_from_the_new_user_trial() -> None:
    """Each quoted from issue #13's trial: the error says how to fix it."""
    from conftest import ROOT

    result = compile_paths([ROOT / "tests" / "invalid" / "MLD102-comma-in-flow-value"])
    hints = {d.code: d.hint or "" for d in result.diagnostics}
    assert "quote a value that holds a comma" in hints["MLD102"] and "quote a value" in hints["MLD105"]
    assert "exclusive_min: true, or only exclusive_min: 0.0" in hints["MLD202"]
    assert len(result.diagnostics) == 3  # lr's exclusive_min: 0.0 is accepted; .pre-commit-hooks.yaml is skipped


def test_json_schema_style_exclusive_bound_is_a_strict_bound(tmp_path: Path) -> None:
    text = pipeline("check-metrics@1").replace(
        "spec:\n", "spec:\n  params:\n    lr: {type: float, default: 0.01, exclusive_min: 0.0, exclusive_max: 1}\n"
    )
    result = compile_paths(
        [write(tmp_path, "p.yaml", text.replace('uses: "check-metrics@1"', 'uses: "check-metrics@1", with: {values: [1]}'))]
    )
    assert result.ok, [d.render() for d in result.diagnostics]
    (lr,) = result.program.pipelines[0].params
    assert (lr.minimum, lr.maximum, lr.exclusive_min, lr.exclusive_max) == (0.0, 1, True, True)
    assert "greater than 0" in compile_paths([write(tmp_path, "p.yaml", text.replace("0.01", "0.0"))]).diagnostics[0].message


@pytest.mark.parametrize(
    ("expr", "message", "hint"),
    [
        ("format_time(workflow.scheduled_time, '%Y-%b')", "does not know %b", "%Y %m %d %H %M %S"),
        ("format_time(workflow.scheduled_time, params.f)", "format is a quoted string", None),
        ("format_time(3, '%Y')", "formats a timestamp, got int", None),
        ("workflow.creation_timestamp[0:10]", "unexpected character ':'", "format_time(workflow.scheduled_time"),
    ],
)
def test_time_errors_say_how(tmp_path: Path, expr: str, message: str, hint: str | None) -> None:
    text = (
        pipeline("notify-webhook@1")
        .replace(
            'uses: "notify-webhook@1"}',
            'uses: "notify-webhook@1", with: {url: "https://x.example", message: "${{ %s }}"}}' % expr,
        )
        .replace("spec:\n", "spec:\n  params: {f: {type: str, default: '%Y'}}\n")
    )
    (d,) = compile_paths([write(tmp_path, "p.yaml", text)]).diagnostics
    assert message in d.message and (hint is None or hint in (d.hint or "")), d.render()


def test_step_resources_from_params(tmp_path: Path) -> None:
    """SPEC §1.10: a step's resources take "${{ params.x }}", type-checked as quantities and counts."""
    text = (
        pipeline("check-metrics@1")
        .replace(
            'uses: "check-metrics@1"}',
            'uses: "check-metrics@1", with: {values: [1]}, resources: {cpu: "${{ params.cpu }}", gpu: "${{ params.gpus }}"}}',
        )
        .replace("spec:\n", "spec:\n  params: {cpu: {type: str, default: '500m'}, gpus: {type: int, default: 1}}\n")
    )
    result = compile_paths([write(tmp_path, "p.yaml", text)])
    assert result.ok, [d.render() for d in result.diagnostics]
    (wt,) = [m.body for m in emit_all(result.program) if m.body["kind"] == "WorkflowTemplate"]
    (tpl,) = [t for t in wt["spec"]["templates"] if "script" in t]
    assert tpl["script"]["resources"] == {
        "requests": {"cpu": "{{workflow.parameters.cpu}}"},
        "limits": {"nvidia.com/gpu": "{{workflow.parameters.gpus}}"},
    }
    bad = compile_paths(
        [write(tmp_path, "p.yaml", text.replace("gpus: {type: int, default: 1}", "gpus: {type: float, default: 1.5}"))]
    )
    assert [d.code for d in bad.diagnostics] == ["MLD303"]


def test_servings_and_pipelines_are_found_through_the_project(tmp_path: Path) -> None:
    """Issue #13's trial: `mldsl validate pipelines/x.yaml` found modules through the project but not the
    Serving its deploy step names or a Sweep's pipeline. Both are looked up in the project's folder; a broken
    one reports its own error (once), and nothing of it is emitted."""
    import shutil

    from conftest import EXAMPLES

    root = tmp_path / "c"
    shutil.copytree(EXAMPLES / "churn-serving", root, ignore=shutil.ignore_patterns(".mldsl"))
    alone = compile_paths([root / "train-and-deploy.yaml"])
    assert alone.ok, [d.render() for d in alone.diagnostics]
    assert [s.name for s in alone.program.servings] == []  # used by the deploy step, not emitted on its own
    sweep = compile_paths([root / "tune.yaml"])
    assert sweep.ok and [s.pipeline.trial_of for s in sweep.program.sweeps] == ["churn-release"]
    serving = root / "servings" / "churn-api.yaml"
    serving.write_text(serving.read_text().replace("traffic:", "trafic:"))
    broken = compile_paths([root / "train-and-deploy.yaml"])
    assert [(d.code, Path(d.span.path).name) for d in broken.diagnostics] == [("MLD102", "churn-api.yaml")]


@pytest.mark.parametrize(
    ("backend", "rollout"),
    [("kserve", "weight: 30"), ("kserve", "promote: true"), ("seldon-v1", "weight: 30"), ("seldon-v1", "promote: true")],
)
def test_deploy_weight_and_promote(tmp_path: Path, backend: str, rollout: str) -> None:
    """SPEC §1.10: ``weight`` gives the new model that share (the stable one the rest); ``promote`` gives it 100%."""
    write(
        tmp_path,
        "s.yaml",
        f"""\
        apiVersion: mldsl/v1
        kind: Serving
        metadata: {{name: api}}
        spec:
          model: {{uri: "s3://models/1", server: sklearn}}
          backend: {backend}
        """,
    )
    write(
        tmp_path,
        "p.yaml",
        f"""\
        apiVersion: mldsl/v1
        kind: Pipeline
        metadata: {{name: p}}
        spec:
          steps:
            ship: {{deploy: api, with: {{model_uri: "s3://models/2"}}, {rollout}}}
        """,
    )
    from conftest import creates_objects, render_resource

    result = compile_paths([tmp_path / "s.yaml", tmp_path / "p.yaml"])
    assert result.ok, [d.render() for d in result.diagnostics]
    (wt,) = [m.body for m in emit_all(result.program) if m.body["kind"] == "WorkflowTemplate"]
    (tpl,) = [t for t in wt["spec"]["templates"] if creates_objects(t)]
    obj = render_resource(tpl, {"model_uri": "s3://models/2"})
    text = json.dumps(obj)
    if backend == "kserve":
        predictor = obj["spec"]["predictor"]
        assert predictor["model"]["storageUri"] == "s3://models/2"
        assert predictor.get("canaryTrafficPercent") == (30 if "weight" in rollout else None)
    else:
        traffic = {p["name"]: p["traffic"] for p in obj["spec"]["predictors"]}
        assert traffic == ({"default": 70, "canary": 30} if "weight" in rollout else {"default": 100}), traffic
        assert "s3://models/1" in text if "weight" in rollout else "s3://models/1" not in text


def _gpu_example_reading(tmp_path: Path, events: str, extra_params: str) -> Path:
    import shutil

    from conftest import EXAMPLES

    root = tmp_path / "g"
    shutil.copytree(EXAMPLES / "gpu-training", root, ignore=shutil.ignore_patterns(".mldsl"))
    training = root / "training.yaml"
    text = training.read_text()
    training.write_text(
        text.replace('events: "s3://ml-data/clicks/day=${{ params.day }}/"', f'events: "{events}"').replace(
            "  params:\n", "  params:\n" + extra_params, 1
        )
    )
    return root


def test_an_artifact_param_reaches_a_spark_step_as_its_uri(tmp_path: Path) -> None:
    """#29 item 1: an artifact param bound to a URI-reading step (once MLD607) comes with its URI as a workflow
    parameter, which the SparkApplication reads (s3:// as s3a://); ``submit`` and ``run`` pass it."""
    from mldsl.backends import emit_all
    from mldsl.ops.params import split_artifacts, with_uri_params

    root = _gpu_example_reading(
        tmp_path, "${{ params.events }}", "    events: {type: artifact, default: 's3://ml-data/clicks/day=2024-06-01/'}\n"
    )
    result = compile_paths([root])
    assert result.ok, [d.render() for d in result.diagnostics]
    (wt,) = [m.body for m in emit_all(result.program) if m.kind == "WorkflowTemplate" and m.name == "ranker-training"]
    declared = {p["name"]: p.get("value") for p in wt["spec"]["arguments"]["parameters"]}
    assert declared["mldsl-uri-events"] == "s3://ml-data/clicks/day=2024-06-01/"
    assert "events" in {a["name"] for a in wt["spec"]["arguments"]["artifacts"]}
    text = json.dumps(wt)
    assert "hasPrefix(workflow.parameters['mldsl-uri-events'], 's3://') ? 's3a://'" in text
    pipeline = next(p for p in result.program.pipelines if p.name == "ranker-training")
    values, artifacts = split_artifacts(pipeline, {"events": "s3://other/day=1/"}, result.program.project)
    assert values == {"mldsl-uri-events": "s3://other/day=1/"} and artifacts["events"]["s3"]["key"] == "day=1/"
    local = with_uri_params(pipeline, {"events": str(tmp_path)})
    assert local["mldsl-uri-events"] == tmp_path.resolve().as_uri()


def test_a_sub_pipeline_passes_its_artifact_param_to_a_spark_step_at_any_depth(tmp_path: Path) -> None:
    from mldsl.backends import emit_all

    root = _gpu_example_reading(tmp_path, "${{ params.events }}", "    events: {type: artifact, default: 's3://ml-x/y/'}\n")
    for name, inner, param in (("middle", "ranker-training", "events"), ("outer", "middle", "clicks")):
        (root / f"{name}.yaml").write_text(
            f"apiVersion: mldsl/v1\nkind: Pipeline\nmetadata: {{name: {name}}}\nspec:\n"
            "  params: {clicks: {type: artifact, default: 's3://ml-data/clicks/all/'}}\n"
            f"  steps:\n    inner: {{pipeline: {inner}, with: {{{param}: '${{{{ params.clicks }}}}'}}}}\n",
            encoding="utf-8",
        )
    result = compile_paths([root])
    assert result.ok, [d.render() for d in result.diagnostics]
    (wt,) = [m.body for m in emit_all(result.program) if m.kind == "WorkflowTemplate" and m.name == "outer"]
    declared = {p["name"]: p.get("value") for p in wt["spec"]["arguments"]["parameters"]}
    assert declared["mldsl-uri-clicks"] == "s3://ml-data/clicks/all/"
    assert "workflow.parameters['mldsl-uri-clicks']" in json.dumps(wt)
