"""``mldsl run``: the compiled workflow executed on this machine, with real processes (no mocks)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import EXAMPLES, ROOT, wait_until

MLDSL = [sys.executable, "-m", "mldsl"]


def run_cli(args: list[str], home: Path, cwd: Path | None = None, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MLDSL_HOME": str(home)}
    return subprocess.run([*MLDSL, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout, check=False)


def run_json(path: Path, home: Path, *extra: str) -> tuple[int, dict[str, Any], str]:
    done = run_cli(["run", str(path), "--format", "json", *extra], home)
    record = json.loads(done.stdout) if done.stdout.strip() else {}
    return done.returncode, record, done.stderr


def project(tmp: Path, modules: dict[str, str], spec: str) -> Path:
    """A project folder: one python module per entry (its code), and a pipeline ``p`` with this ``spec:`` body."""
    root = tmp / "proj"
    (root / "modules").mkdir(parents=True)
    (root / "mldsl.yaml").write_text(
        "apiVersion: mldsl/v1\nkind: Project\nmetadata: {name: t}\nspec:\n  module_paths: [modules]\n"
        "  local: {mounts: {'s3://data': data}}\n",
        encoding="utf-8",
    )
    for name, module in modules.items():
        (root / "modules" / f"{name}.yaml").write_text(
            f"apiVersion: mldsl/v1\nkind: Module\nmetadata: {{name: {name}, version: 1.0.0}}\n{module}", encoding="utf-8"
        )
    (root / "pipeline.yaml").write_text(
        "apiVersion: mldsl/v1\nkind: Pipeline\nmetadata: {name: p}\nspec:\n" + spec, encoding="utf-8"
    )
    return root


def only_record(home: Path) -> dict[str, Any]:
    """The record of the one run in ``home``."""
    (folder,) = (home / "runs").iterdir()
    return dict(json.loads((folder / "run.json").read_text()))


def _python(inputs: str, outputs: str, code: str) -> str:
    body = "\n".join("        " + line for line in code.strip().splitlines())
    return f"spec:\n  inputs: {inputs}\n  outputs: {outputs}\n  run:\n    python:\n      source: |\n{body}\n"


MODULES = {
    "emit": _python("{value: {type: int, default: 1}}", "{out: int}", "write_output('out', inputs['value'])"),
    "double": _python("{x: {type: int}}", "{out: int}", "write_output('out', inputs['x'] * 2)"),
    "total": _python("{xs: 'list[int]'}", "{out: int}", "write_output('out', sum(inputs['xs']))"),
    "fail": _python("{code: {type: int, default: 3}}", "{}", "import sys; print('about to fail'); sys.exit(inputs['code'])"),
    "sleep": _python(
        "{seconds: {type: float}, pidfile: {type: str, default: ''}}",
        "{}",
        "import os, time\nif inputs['pidfile']:\n    open(inputs['pidfile'], 'w').write(str(os.getpid()))\n"
        "print('sleeping', flush=True)\ntime.sleep(inputs['seconds'])",
    ),
    "flaky": _python(
        "{counter: {type: str}, fail_times: {type: int}}",
        "{attempt: int}",
        "import os\np = inputs['counter']\nn = int(open(p).read()) + 1 if os.path.exists(p) else 1\nopen(p, 'w').write(str(n))\n"
        "if n <= inputs['fail_times']:\n    raise SystemExit(f'attempt {n} fails')\nwrite_output('attempt', n)",
    ),
    "count-rows": _python(
        "{table: {type: artifact, format: csv}, marker: {type: str, default: ''}}",
        "{rows: int, copy: {type: artifact, format: csv}}",
        "import shutil\nrows = len(open(inputs['table']).read().splitlines()) - 1\n"
        "if inputs['marker']:\n    open(inputs['marker'], 'a').write('ran\\n')\n"
        "shutil.copyfile(inputs['table'], output_path('copy'))\nwrite_output('rows', rows)",
    ),
    "status": _python("{status: {type: str}, out: {type: str}}", "{}", "open(inputs['out'], 'w').write(inputs['status'])"),
}


# --- the examples, end to end -------------------------------------------------------


@pytest.fixture(scope="module")
def example_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, dict[str, Any], str, Path]]:
    out = {}
    approvals = {"churn-serving": ["--approve", "sign_off"]}
    for name in ("churn-train", "nightly-regions", "churn-serving"):
        tmp = tmp_path_factory.mktemp(name)
        shutil.copytree(EXAMPLES / name, tmp / name, ignore=shutil.ignore_patterns(".mldsl"))
        code, record, err = run_json(tmp / name, tmp / "home", *approvals.get(name, []))
        out[name] = (code, record, err, tmp)
    return out


def test_churn_train_trains_a_real_model_and_gates_on_its_auc(example_runs: dict[str, Any]) -> None:
    code, record, err, _ = example_runs["churn-train"]
    assert code == 0, err
    assert record["status"] == "Succeeded"
    assert 0.8 <= record["outputs"]["auc"] <= 1.0  # the real AUC of the model trained on the shipped data
    assert record["steps"]["publish"]["phase"] == "Succeeded"  # the gate let it through: AUC >= min_auc
    model = Path(record["outputs"]["model"].removeprefix("file://"))
    assert model.is_file() and model.stat().st_size > 1000
    assert record["steps"]["features"]["outputs"]["feature_count"] == 7  # the container module ran its local code
    assert record["on_exit"]["notify"]["phase"] == "Succeeded"


def test_the_publish_gate_reacts_to_the_real_auc(example_runs: dict[str, Any], tmp_path: Path) -> None:
    _, _, _, tmp = example_runs["churn-train"]
    code, record, err = run_json(tmp / "churn-train", tmp / "home", "-p", "min_auc=0.99")
    assert code == 0, err
    assert record["steps"]["publish"]["phase"] == "Skipped"
    assert record["steps"]["train"]["cached"] is True  # same data, same module, same params: the cache serves it
    # on a cache hit, model_uri names where the cached model really is (the producing run's key), not this run's
    assert record["outputs"]["model_uri"] == record["outputs"]["model"]
    assert Path(record["outputs"]["model_uri"].removeprefix("file://")).is_file()


def test_nightly_regions_fans_out_and_aggregates(example_runs: dict[str, Any]) -> None:
    code, record, err, _ = example_runs["nightly-regions"]
    assert code == 0, err
    items = record["steps"]["evaluate_region"]["items"]
    assert [i["item"] for i in items] == ["cn", "eu", "us", "latam"]
    assert all(i["phase"] == "Succeeded" and i["attempts"] == 1 and i["cached"] is False for i in items)
    aucs = [i["outputs"]["auc"] for i in items]
    assert record["outputs"]["mean_auc"] == pytest.approx(sum(aucs) / len(aucs), abs=1e-5)
    passed = all(a >= 0.75 for a in aucs)
    assert record["steps"]["alert"]["phase"] == ("Skipped" if passed else "Succeeded")


def test_churn_serving_runs_up_to_its_deploy_step(example_runs: dict[str, Any]) -> None:
    code, record, err, _ = example_runs["churn-serving"]
    assert code == 0, err
    assert record["steps"]["sign_off"]["phase"] == "Succeeded"  # approved with --approve
    canary = record["steps"]["canary"]
    assert canary["phase"] == "Succeeded" and "written to" in canary["message"]
    manifest = Path(record["folder"]) / canary["message"].split(" written to ")[1]
    body = yaml.safe_load(manifest.read_text())
    assert body["kind"] == "InferenceService"
    assert body["spec"]["predictor"]["model"]["storageUri"] == record["steps"]["register"]["outputs"]["uri"]


def test_gpu_training_runs_spark_locally_and_trains_on_two_worker_processes(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES / "gpu-training", tmp_path / "ex", ignore=shutil.ignore_patterns(".mldsl"))
    code, record, err = run_json(tmp_path / "ex", tmp_path / "home", "--pipeline", "ranker-training")
    assert code == 0, err
    assert [record["steps"][s]["phase"] for s in ("features", "train", "evaluate")] == ["Succeeded"] * 3
    folder = Path(record["folder"])
    features = record["steps"]["features"]
    spark_log = (folder / features["steps"]["job"]["log"]).read_text()
    assert "--master local[*]" in spark_log and "(user, item) rows" in spark_log  # pyspark in local mode ran the job
    assert features["outputs"] == {"rows": int(spark_log.split("features: ")[1].split()[0])} == {"rows": 480}
    ranks = sorted(p.name for p in (folder / "logs").glob("*-job.*.log"))
    assert ranks == ["005-job.master-0.log", "005-job.worker-0.log"]  # one process per replica
    assert "rank 1/2" in (folder / "logs" / ranks[1]).read_text()
    assert 0.3 <= record["outputs"]["ndcg"] <= 1.0
    # the metric the training job wrote to outputs.final_loss.path, read back as a parameter (SPEC §1.10)
    train = record["steps"]["train"]
    assert 0 < train["outputs"]["final_loss"] == record["outputs"]["final_loss"] < 0.7
    assert float((folder / train["steps"]["metrics"]["log"]).read_text()) == train["outputs"]["final_loss"]
    # the Katib sweep's objective, printed by its report pod for Katib's StdOut collector (argo/objective.py)
    report = record["steps"]["evaluate-objective"]
    assert (folder / report["log"]).read_text() == f"ndcg={record['steps']['evaluate']['outputs']['ndcg']}\n"
    assert record["steps"]["register"]["phase"] == "Succeeded"  # gated on ndcg and the job's final_loss
    model = Path(record["outputs"]["model_uri"].removeprefix("file://"))
    assert json.loads(model.read_text())["features"] == ["views", "avg_dwell", "min_position"]


def test_run_record_has_the_spec_shape(example_runs: dict[str, Any]) -> None:
    _, record, _, _ = example_runs["nightly-regions"]
    assert {"run", "pipeline", "status", "params", "outputs", "steps"} <= set(record)
    assert record["run"].startswith("nightly-regions-") and record["pipeline"] == "nightly-regions"
    assert record["params"]["regions"] == ["cn", "eu", "us", "latam"]
    for step in record["steps"].values():
        assert step["phase"] in {"Succeeded", "Failed", "Error", "Skipped", "Omitted"}
        for node in step.get("items", [step]):
            assert {"phase", "cached", "attempts"} <= set(node)
    saved = json.loads((Path(record["folder"]) / "run.json").read_text())
    assert saved == record


# --- the Argo rules, each on a small project ---------------------------------------


def test_failed_step_fails_the_run_omits_consumers_and_runs_the_exit_handler(tmp_path: Path) -> None:
    status = tmp_path / "status.txt"
    pipeline = """  steps:
    a: {uses: fail@1}
    b: {uses: emit@1, after: [a]}
  on_exit: {uses: status@1, with: {status: "${{ workflow.status }}", out: "STATUS"}}
"""
    root = project(tmp_path, MODULES, pipeline.replace("STATUS", str(status)))
    done = run_cli(["run", str(root)], tmp_path / "home")
    assert done.returncode == 1
    assert "about to fail" in done.stdout  # the failed step's log tail: the result, on stdout (#30 m11)
    record = only_record(tmp_path / "home")
    assert record["status"] == "Failed"
    assert record["steps"]["a"]["phase"] == "Failed" and record["steps"]["a"]["message"] == "Error (exit code 3)"
    assert record["steps"]["b"]["phase"] == "Omitted"
    assert status.read_text() == "Failed"  # workflow.status in the exit handler


def test_data_consumers_of_a_skipped_step_are_omitted_and_after_only_waits(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        MODULES,
        """  params: {go: {type: bool, default: false}}
  steps:
    a: {uses: emit@1, when: "${{ params.go }}"}
    b: {uses: double@1, with: {x: "${{ steps.a.outputs.out }}"}}
    c: {uses: emit@1, after: [a]}
  outputs:
    b_out: "${{ steps.b.outputs.out }}"
""",
    )
    code, record, err = run_json(root, tmp_path / "home")
    assert code == 0, err
    assert [record["steps"][s]["phase"] for s in "abc"] == ["Skipped", "Omitted", "Succeeded"]
    assert record["outputs"] == {"b_out": None}
    code, record, err = run_json(root, tmp_path / "home", "-p", "go=true")
    assert code == 0, err
    assert record["outputs"] == {"b_out": 2}


def test_retries_with_backoff(tmp_path: Path) -> None:
    counter = tmp_path / "counter"

    def flaky(fail_times: int) -> str:
        return f"""  steps:
    f:
      uses: flaky@1
      with: {{counter: "{counter}", fail_times: {fail_times}}}
      retries: {{limit: 2, backoff: {{duration: 1s, factor: 2}}}}
"""

    start = time.time()
    code, record, err = run_json(project(tmp_path, MODULES, flaky(2)), tmp_path / "home")
    assert code == 0, err
    assert record["steps"]["f"]["attempts"] == 3 and record["steps"]["f"]["outputs"] == {"attempt": 3}
    assert time.time() - start >= 3  # waited 1 s, then 1 s * 2 (operator.go processNodeRetries)
    counter.unlink()
    code, record, _ = run_json(project(tmp_path / "b", MODULES, flaky(5)), tmp_path / "home")
    assert code == 1 and record["steps"]["f"]["attempts"] == 3 and record["steps"]["f"]["phase"] == "Failed"


def test_timeout_ends_the_step_and_its_process(tmp_path: Path) -> None:
    pidfile = tmp_path / "pid"
    root = project(
        tmp_path,
        MODULES,
        f"""  steps:
    s: {{uses: sleep@1, with: {{seconds: 60, pidfile: "{pidfile}"}}, timeout: 2s}}
""",
    )
    start = time.time()
    code, record, _ = run_json(root, tmp_path / "home")
    assert code == 1 and time.time() - start < 30
    assert record["steps"]["s"]["phase"] == "Failed"
    assert "deadline" in record["steps"]["s"]["message"]
    _assert_gone(int(pidfile.read_text()))


def _assert_gone(pid: int) -> None:
    def gone() -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return False

    wait_until(gone, f"process {pid} to end with its run", within=5)


def test_cache_hits_and_misses_on_a_different_input_artifact(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    root = project(
        tmp_path,
        MODULES,
        f"""  params: {{table: {{type: artifact, default: "s3://data/t.csv"}}}}
  steps:
    c: {{uses: count-rows@1, with: {{table: "${{{{ params.table }}}}"}}}}
    n:
      uses: count-rows@1
      with: {{table: "${{{{ steps.c.outputs.copy }}}}", marker: "{marker}"}}
      cache: {{ttl: 1h}}
  outputs: {{rows: "${{{{ steps.n.outputs.rows }}}}"}}
""",
    )
    (root / "data").mkdir()
    (root / "data" / "t.csv").write_text("a\n1\n2\n")
    home = tmp_path / "home"
    first = run_json(root, home)[1]
    second = run_json(root, home)[1]
    assert (first["steps"]["n"]["cached"], second["steps"]["n"]["cached"]) == (False, True)
    assert second["outputs"] == {"rows": 2} and marker.read_text() == "ran\n"
    # new data at the same URI: the consumer's input has a new content digest, so never an old result
    (root / "data" / "t.csv").write_text("a\n1\n2\n3\n")
    third = run_json(root, home)[1]
    assert third["steps"]["n"]["cached"] is False and third["outputs"] == {"rows": 3}
    fourth = run_json(root, home, "--no-cache")[1]
    assert fourth["steps"]["n"]["cached"] is False and marker.read_text().count("ran") == 3


def test_uri_of_a_cached_producer_names_where_its_file_is(tmp_path: Path) -> None:
    """#10: ``.uri`` in ``with:`` and ``when`` (in a plain task and inside a fan-out's wrapper) names where the
    producer stored the file; on a cache hit that is the producing run's key, not this run's, where nothing is."""
    modules = {
        **MODULES,
        "make": _python(
            "{n: {type: int}}",
            "{copy: {type: artifact, format: csv}}",
            "open(output_path('copy'), 'w').write('a,' * inputs['n'])",
        ),
        "say": _python(
            "{where: {type: str}, tag: {type: int, default: 0}}", "{where: str}", "write_output('where', inputs['where'])"
        ),
    }
    root = project(
        tmp_path,
        modules,
        """  steps:
    c:
      uses: make@1
      with: {n: 2}
      cache: {ttl: 1h}
    plain:
      uses: say@1
      with: {where: "${{ steps.c.outputs.copy.uri }}"}
      when: "${{ steps.c.outputs.copy.uri != '' }}"
    fan:
      uses: say@1
      for_each: [1, 2]
      parallelism: 1
      with: {where: "${{ steps.c.outputs.copy.uri }}", tag: "${{ item }}"}
""",
    )
    text = (root / "mldsl.yaml").read_text().replace("  local:", "  artifacts: {bucket: s3://art}\n  local:")
    (root / "mldsl.yaml").write_text(text)
    home = tmp_path / "home"
    code, first, err = run_json(root, home)
    assert code == 0, err
    code, second, err = run_json(root, home)
    assert code == 0, err
    assert (first["steps"]["c"]["cached"], second["steps"]["c"]["cached"]) == (False, True)
    where = first["steps"]["plain"]["outputs"]["where"]
    assert where.endswith(f"/artifacts/art/{first['run']}/c/copy")  # the bucket, here (a file:// URI)
    assert second["steps"]["plain"]["outputs"]["where"] == where  # the first run's key: the file is there
    assert [i["outputs"]["where"] for i in second["steps"]["fan"]["items"]] == [where] * 2
    assert Path(where.removeprefix("file://")).is_file()


def test_tags_in_values_arrive_as_text(tmp_path: Path) -> None:
    """SPEC §1.9: a value holding ``{{...}}`` (a step's output, a param given with -p, a default) reaches the
    step as text, though Argo (and the runner, as Argo) substitutes each template again when it makes the pod."""
    modules = {
        **MODULES,
        "say": _python("{text: {type: str}}", "{text: str}", "write_output('text', inputs['text'])"),
    }
    root = project(
        tmp_path,
        modules,
        """  params:
    given: {type: str, default: "{{workflow.name}}"}
  steps:
    first: {uses: say@1, with: {text: "${{ params.given }} {{=1+1}}"}}
    second: {uses: say@1, with: {text: "${{ steps.first.outputs.text }}"}}
    each: {uses: say@1, for_each: ["{{inputs.parameters.text}}"], with: {text: "${{ item }}"}}
""",
    )
    code, record, err = run_json(root, tmp_path / "home")
    assert code == 0, err
    assert record["steps"]["first"]["outputs"]["text"] == "{{workflow.name}} {{=1+1}}"
    assert record["steps"]["second"]["outputs"]["text"] == "{{workflow.name}} {{=1+1}}"
    assert record["steps"]["each"]["items"][0]["outputs"]["text"] == "{{inputs.parameters.text}}"
    code, record, err = run_json(root, tmp_path / "home", "-p", "given={{workflow.uid}}")
    assert code == 0, err
    assert record["steps"]["second"]["outputs"]["text"] == "{{workflow.uid}} {{=1+1}}"


def test_fan_out_aggregates_outputs_in_item_order(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        MODULES,
        """  params: {xs: {type: "list[int]", default: [3, 1, 2]}}
  steps:
    d: {uses: double@1, for_each: "${{ params.xs }}", with: {x: "${{ item }}"}}
    t: {uses: total@1, with: {xs: "${{ steps.d.outputs.out }}"}}
    lit: {uses: double@1, for_each: [5, 7], with: {x: "${{ item }}"}}
    u: {uses: total@1, with: {xs: "${{ steps.lit.outputs.out }}"}}
  outputs: {sum: "${{ steps.t.outputs.out }}", literal: "${{ steps.u.outputs.out }}"}
""",
    )
    code, record, err = run_json(root, tmp_path / "home", "--parallel", "3")
    assert code == 0, err
    assert [i["outputs"]["out"] for i in record["steps"]["d"]["items"]] == [6, 2, 4]
    assert record["outputs"] == {"sum": 12, "literal": 24}  # withParam and withItems


def test_ctrl_c_stops_every_process_and_records_failed(tmp_path: Path) -> None:
    pidfile = tmp_path / "pid"
    root = project(
        tmp_path,
        MODULES,
        f"""  steps:
    s: {{uses: sleep@1, with: {{seconds: 120, pidfile: "{pidfile}"}}}}
""",
    )
    env = {**os.environ, "MLDSL_HOME": str(tmp_path / "home")}
    proc = subprocess.Popen(
        [*MLDSL, "run", str(root)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # a suite started in the background of a shell (`pytest &`) ignores SIGINT, and children inherit that
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    wait_until(lambda: pidfile.exists() and pidfile.read_text(), "the step to start", within=30)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err
    _assert_gone(int(pidfile.read_text()))
    record = only_record(tmp_path / "home")
    assert record["status"] == "Failed" and record["steps"]["s"]["phase"] == "Failed"


def test_runs_lists_newest_first_and_shows_one(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        MODULES,
        "  params: {v: {type: int, default: 1}, w: {type: int, default: 5}}\n  steps:\n"
        "    e: {uses: emit@1, with: {value: '${{ params.v }}'}}\n",
    )
    home = tmp_path / "home"
    run_json(root, home)
    _, second, _ = run_json(root, home, "-p", "v=3", "-p", "w=5")
    listed = run_cli(["runs", "--format", "json"], home)
    runs = json.loads(listed.stdout)
    assert runs[0]["run"] == second["run"] and len(runs) == 2
    assert runs[0]["changed"] == {"v": 3} and runs[1]["changed"] == {}  # w=5 is its default: not a change
    text = run_cli(["runs"], home).stdout.splitlines()
    assert text[0].split() == ["RUN", "STATUS", "TIME", "STARTED", "PARAMS", "CHANGED"]  # a header row (#30 m12)
    assert text[1].endswith("v=3") and text[2].endswith("(defaults)")
    shown = run_cli(["runs", "show", "latest"], home)
    assert shown.returncode == 0 and second["run"] in shown.stdout and "e " in shown.stdout
    assert run_cli(["runs", "show", "nope"], home).returncode == 2


def test_bad_param_and_unmapped_data_are_refused_before_anything_runs(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        MODULES,
        """  params: {table: {type: artifact, default: "s3://elsewhere/t.csv"}, n: {type: int, default: 1}}
  steps:
    c: {uses: count-rows@1, with: {table: "${{ params.table }}"}}
""",
    )
    done = run_cli(["run", str(root)], tmp_path / "home")
    assert done.returncode == 1 and "s3://elsewhere/t.csv" in done.stderr and "local.mounts" in done.stderr
    done = run_cli(["run", str(root), "-p", "n=x"], tmp_path / "home")
    assert done.returncode == 1 and "MLD308" in done.stderr
    assert not (tmp_path / "home" / "runs").exists()


def test_unsupported_manifest_fields_are_named() -> None:
    from mldsl.runner.mounts import Mounts
    from mldsl.runner.support import check

    spec = yaml.safe_load((ROOT / "tests/golden/churn-train/churn-train.workflowtemplate.yaml").read_text())["spec"]
    mounts = Mounts()
    mounts.add("/mnt/models", Path("/tmp/models"))
    assert check(spec, mounts) == []
    # publish mounts the model-store claim: its contents are not here unless its path is mapped
    (unmapped,) = check(spec)
    assert "claim 'model-store' is mounted at /mnt/models: map /mnt/models" in unmapped and "local.mounts" in unmapped
    spec["templates"][0]["dag"]["tasks"][0]["hooks"] = {"exit": {"template": "x"}}
    spec["synchronization"] = {"mutex": {"name": "m"}}
    problems = check(spec, mounts)
    assert any("hooks" in p for p in problems) and any("synchronization" in p for p in problems)


def test_aggregation_follows_argo() -> None:
    from mldsl.argo.depends import resolve_depends
    from mldsl.runner.engine import aggregate

    assert aggregate(["1", "2"]) == '["1","2"]'  # strings, as operator.go aggregatedJSONValueList
    assert aggregate(['{"a":1}', "[2]"]) == '[{"a":1},[2]]'
    assert resolve_depends("a && b.Failed", {"a": {}, "b": {}}) == "(a.Succeeded || a.Skipped || a.Daemoned) && b.Failed"


def _job(kind: str, specs: str, replicas: dict[str, int], script: str) -> dict[str, Any]:
    container = {"name": "c", "image": "x", "command": ["python", script]}
    body = {r: {"replicas": n, "template": {"spec": {"containers": [container]}}} for r, n in replicas.items()}
    return {"apiVersion": "kubeflow.org/v1", "kind": kind, "metadata": {"name": "j"}, "spec": {specs: body}}


def test_training_jobs_get_the_operators_environment(tmp_path: Path) -> None:
    from mldsl.runner.mounts import Mounts
    from mldsl.runner.operators import Localizer, run_training
    from mldsl.runner.processes import Processes

    script = tmp_path / "env.py"
    script.write_text(
        "import json, os\nkeys = ['RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT', 'PET_NODE_RANK', 'PET_NNODES',"
        " 'PET_MASTER_ADDR', 'PET_MASTER_PORT', 'TF_CONFIG', 'PYTHONUNBUFFERED']\n"
        "print('ENV ' + json.dumps({k: os.environ.get(k) for k in keys}))\n"
    )
    loc = Localizer(None, Mounts(), {})
    log = tmp_path / "job.log"
    job = _job("PyTorchJob", "pytorchReplicaSpecs", {"Master": 1, "Worker": 2}, str(script))
    assert run_training(job, loc, tmp_path, log, None, Processes()) == ("Succeeded", "")
    envs = [json.loads(line[4:]) for line in log.read_text().splitlines() if line.startswith("ENV ")]
    assert sorted(e["RANK"] for e in envs) == ["0", "1", "2"]  # Master 0, Worker i+1 (envvar.go setPodEnv)
    assert {e["WORLD_SIZE"] for e in envs} == {"3"} and {e["PET_NNODES"] for e in envs} == {"3"}
    assert {e["MASTER_ADDR"] for e in envs} == {"127.0.0.1"} and len({e["MASTER_PORT"] for e in envs}) == 1
    assert all(e["PET_NODE_RANK"] == e["RANK"] and e["PYTHONUNBUFFERED"] == "1" for e in envs)
    log = tmp_path / "tf" / "job.log"
    log.parent.mkdir()
    job = _job("TFJob", "tfReplicaSpecs", {"Chief": 1, "Worker": 2}, str(script))
    assert run_training(job, loc, tmp_path, log, None, Processes()) == ("Succeeded", "")
    configs = [json.loads(json.loads(line[4:])["TF_CONFIG"]) for line in log.read_text().splitlines() if line.startswith("ENV ")]
    assert sorted((c["task"]["type"], c["task"]["index"]) for c in configs) == [("chief", 0), ("worker", 0), ("worker", 1)]
    assert all(len(c["cluster"]["worker"]) == 2 and c["environment"] == "cloud" for c in configs)


def test_a_failing_replica_fails_the_job_and_stops_the_others(tmp_path: Path) -> None:
    from mldsl.runner.mounts import Mounts
    from mldsl.runner.operators import Localizer, run_training
    from mldsl.runner.processes import Processes

    script = tmp_path / "w.py"
    script.write_text("import os, sys, time\nif os.environ['RANK'] == '1':\n    sys.exit(2)\ntime.sleep(60)\n")
    start = time.time()
    job = _job("PyTorchJob", "pytorchReplicaSpecs", {"Master": 1, "Worker": 1}, str(script))
    phase, msg = run_training(job, Localizer(None, Mounts(), {}), tmp_path, tmp_path / "l.log", None, Processes())
    assert phase == "Failed" and "worker-0" in msg and time.time() - start < 30


def test_jobs_it_cannot_run_are_refused_before_the_run() -> None:
    from mldsl.runner.mounts import Mounts
    from mldsl.runner.support import check

    spec = yaml.safe_load((ROOT / "tests/golden/gpu-training/ranker-training.workflowtemplate.yaml").read_text())["spec"]
    mounts = Mounts()
    mounts.add("/mnt/models", Path("/tmp/models"))  # register's claim; the trainer's /dev/shm RAM disk is made per step
    assert check(spec, mounts) == []
    tpl = next(t for t in spec["templates"] if "resource" in t and "PyTorchJob" in t["resource"]["manifest"])
    tpl["resource"]["manifest"] = tpl["resource"]["manifest"].replace('"PyTorchJob"', '"MPIJob"')
    assert any("cannot run a MPIJob" in p for p in check(spec))


@pytest.mark.may_skip_in_ci  # skipped only where a Docker daemon answers: no oracle is missing then
def test_docker_executor_says_how_to_run_without_a_daemon(tmp_path: Path) -> None:
    from mldsl.runner.processes import docker_answers

    if docker_answers() is None:
        pytest.skip("a Docker daemon answers here: the refusal cannot be shown")
    root = project(tmp_path, MODULES, "  steps:\n    e: {uses: emit@1}\n")
    done = run_cli(["run", str(root), "--executor", "docker"], tmp_path / "home")
    assert done.returncode == 1 and "--executor process" in done.stderr and "nothing ran" in done.stderr


def test_cache_entries_expire_after_max_age(tmp_path: Path) -> None:
    from mldsl.runner.cache import StepCache
    from mldsl.runner.nodes import Artifact

    cache = StepCache(tmp_path)
    art = tmp_path / "a.bin"
    art.write_text("x")
    cache.save("cm", "k-1", {"p": "1"}, {"a": Artifact(art, None)})
    assert cache.load("cm", "k-1", 3600) == ({"p": "1"}, {"a": Artifact(art.resolve(), None)})
    entry = tmp_path / "cm" / "k-1.json"
    data = json.loads(entry.read_text())
    data["created"] -= 7200
    entry.write_text(json.dumps(data))
    assert cache.load("cm", "k-1", 3600) is None  # older than maxAge: a miss
    data["created"] += 7200
    entry.write_text(json.dumps(data))
    art.unlink()
    assert cache.load("cm", "k-1", 3600) is None  # its artifact is gone: a miss
    with pytest.raises(ValueError):
        cache.load("cm", "bad key:1", 60)  # Argo refuses the key (cache.go)


def test_live_view_on_a_terminal(tmp_path: Path) -> None:
    """On a TTY the run shows a live table (rich): each step with its phase; plain lines otherwise."""
    import pty

    root = project(tmp_path, MODULES, "  steps:\n    e: {uses: emit@1}\n    f: {uses: emit@1}\n")
    primary, secondary = pty.openpty()
    env = {**os.environ, "MLDSL_HOME": str(tmp_path / "home"), "COLUMNS": "100", "TERM": "xterm"}
    proc = subprocess.Popen([*MLDSL, "run", str(root)], env=env, stdout=subprocess.DEVNULL, stderr=secondary)
    os.close(secondary)
    chunks = []
    while True:
        try:
            data = os.read(primary, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(primary)
    screen = b"".join(chunks).decode(errors="replace")
    assert proc.returncode == 0
    assert "step" in screen and "phase" in screen and "Succeeded" in screen  # the table's header and rows
    assert "\x1b[" in screen  # drawn with terminal control, not plain lines
    assert "e: Succeeded" not in screen


def test_docker_executor_runs_the_pod_with_the_step_folder_at_mldsl(tmp_path: Path) -> None:
    """The argv `--executor docker` starts (no daemon here to run it): same image, paths back to /mldsl."""
    from mldsl.runner.mounts import Mounts
    from mldsl.runner.processes import LocalCode, docker_argv, pod_spec

    tpl = {
        "container": {
            "image": "ghcr.io/acme/x:1",
            "command": ["python", "-m", "features"],
            "args": ["--input", "/mldsl/inputs/table", "--output", "/mldsl/outputs/table"],
            "env": [{"name": "MLDSL_INPUT_TABLE", "value": "/mldsl/inputs/table"}],
            "workingDir": "/app",
        }
    }
    code = LocalCode(tmp_path / "src", "/app")
    code.folder.mkdir()
    spec = pod_spec(tpl, tmp_path / "step", code, Mounts(), {})
    assert spec.argv[-1] == str(tmp_path / "step" / "mldsl" / "outputs" / "table") and spec.cwd == code.folder
    argv = docker_argv(spec, tmp_path / "step", code)
    assert argv[:5] == ["docker", "run", "--rm", "-v", f"{tmp_path / 'step' / 'mldsl'}:/mldsl"]
    assert f"{code.folder}:/app" in argv and "MLDSL_INPUT_TABLE=/mldsl/inputs/table" in argv
    assert argv[argv.index("-w") + 1] == "/app"
    i = argv.index("ghcr.io/acme/x:1")
    assert argv[i + 1 :] == ["python", "-m", "features", "--input", "/mldsl/inputs/table", "--output", "/mldsl/outputs/table"]


def test_an_artifact_param_takes_a_local_file(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        MODULES,
        """  params: {table: {type: artifact, default: "s3://elsewhere/t.csv"}}
  steps:
    c: {uses: count-rows@1, with: {table: "${{ params.table }}"}}
  outputs: {rows: "${{ steps.c.outputs.rows }}"}
""",
    )
    table = tmp_path / "mine.csv"
    table.write_text("a\n1\n2\n3\n4\n")
    code, record, err = run_json(root, tmp_path / "home", "-p", f"table={table}")
    assert code == 0, err  # the unmapped default is not needed: the given file is used instead
    assert record["outputs"] == {"rows": 4} and record["params"]["table"] == str(table)


# --- approve: steps --------------------------------------------------------------

APPROVAL = """  steps:
    a: {uses: emit, with: {value: 4}}
    gate:
      approve: {message: "ship it?", timeout: TIMEOUT}
      after: [a]
    b: {uses: double, with: {x: "${{ steps.a.outputs.out }}"}, after: [gate]}
"""


def _approval_project(tmp: Path, timeout: str = "1h") -> Path:
    return project(tmp, MODULES, APPROVAL.replace("TIMEOUT", timeout))


def _on_terminal(args: list[str], home: Path, answer: bytes | None, wait_for: bytes = b"approve? [y/N]") -> tuple[int, str]:
    """Run ``mldsl`` with a real terminal (a pty) on stdin and stderr; type ``answer`` when asked."""
    import pty
    import select

    master, slave = pty.openpty()
    env = {**os.environ, "MLDSL_HOME": str(home)}
    proc = subprocess.Popen([*MLDSL, *args], stdin=slave, stdout=subprocess.PIPE, stderr=slave, env=env)
    os.close(slave)
    seen = b""
    deadline = time.time() + 120
    answered = False
    while proc.poll() is None and time.time() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                seen += os.read(master, 65536)
            except OSError:
                break
        if answer is not None and not answered and wait_for in seen:
            os.write(master, answer)
            answered = True
    out = proc.communicate(timeout=60)[0]
    os.close(master)
    return proc.returncode, out.decode() + "\n" + seen.decode(errors="replace")


def test_approve_flag_runs_past_the_approval(tmp_path: Path) -> None:
    root = _approval_project(tmp_path)
    code, rec, err = run_json(root, tmp_path / "home", "--approve", "gate")
    assert code == 0, err
    assert rec["steps"]["gate"]["phase"] == "Succeeded"
    assert rec["steps"]["gate"]["steps"]["expired"]["phase"] == "Skipped"
    assert rec["steps"]["b"]["outputs"] == {"out": 8}


def test_approval_without_a_terminal_stops_the_run_and_says_how_to_approve(tmp_path: Path) -> None:
    root = _approval_project(tmp_path)
    code, rec, _ = run_json(root, tmp_path / "home")
    assert code == 1
    assert rec["status"] == "Failed"
    assert "--approve gate" in rec["message"]
    assert rec["steps"]["b"]["phase"] == "Omitted"
    unknown = run_cli(["run", str(root), "--approve", "nope"], tmp_path / "home")
    assert unknown.returncode == 2 and "no approve: step 'nope'" in unknown.stderr


def test_approval_answered_yes_on_the_terminal(tmp_path: Path) -> None:
    root = _approval_project(tmp_path)
    code, out = _on_terminal(["run", str(root), "--format", "json"], tmp_path / "home", b"y\n")
    assert code == 0, out
    assert "approval gate: ship it? (times out in 1h)" in out
    assert only_record(tmp_path / "home")["steps"]["b"]["phase"] == "Succeeded"


def test_approval_answered_no_on_the_terminal_stops_the_run(tmp_path: Path) -> None:
    root = _approval_project(tmp_path)
    code, out = _on_terminal(["run", str(root), "--format", "json"], tmp_path / "home", b"n\n")
    assert code == 1, out
    rec = only_record(tmp_path / "home")
    assert rec["steps"]["gate"]["phase"] == "Failed" and rec["steps"]["b"]["phase"] == "Omitted"
    assert "rejected on the terminal" in rec["message"]


def test_approval_nobody_answers_fails_the_step_when_its_timeout_passes(tmp_path: Path) -> None:
    """Argo resumes an expired suspend as Succeeded: the compiled ``expired`` check is what fails the step."""
    root = _approval_project(tmp_path, "2s")
    start = time.time()
    code, out = _on_terminal(["run", str(root), "--format", "json"], tmp_path / "home", None)
    assert code == 1, out
    assert time.time() - start >= 2
    gate = only_record(tmp_path / "home")["steps"]["gate"]
    assert gate["phase"] == "Failed"
    assert gate["steps"]["wait"]["phase"] == "Succeeded"
    assert gate["steps"]["expired"]["phase"] == "Failed"
    log = (next((tmp_path / "home" / "runs").iterdir()) / gate["steps"]["expired"]["log"]).read_text()
    assert "nobody approved step 'gate' within 2s" in log


# --- continue_on_failure ---------------------------------------------------------------

CONTINUING = """  steps:
    a: {uses: emit, with: {value: 4}}
    bad: {uses: broken, continue_on_failure: true, after: [a]}
    reads_bad: {uses: double, with: {x: "${{ steps.bad.outputs.out }}"}}
    after_bad: {uses: double, with: {x: "${{ steps.a.outputs.out }}"}, after: [bad]}
    good: {uses: emit, with: {value: 2}, continue_on_failure: true}
    reads_good: {uses: double, with: {x: "${{ steps.good.outputs.out }}"}, when: "${{ steps.good.outputs.out > 1 }}"}
  outputs:
    from_bad: "${{ steps.bad.outputs.out }}"
    from_good: "${{ steps.reads_good.outputs.out }}"
"""


def test_continue_on_failure_skips_data_consumers_and_the_run_succeeds(tmp_path: Path) -> None:
    """SPEC §1.9: the failure does not fail the run; steps reading its data are skipped, ``after:`` ones run."""
    modules = {**MODULES, "broken": _python("{}", "{out: int}", "raise SystemExit('broken on purpose')")}
    root = project(tmp_path, modules, CONTINUING)
    code, rec, err = run_json(root, tmp_path / "home")
    assert code == 0, err
    steps = rec["steps"]
    assert rec["status"] == "Succeeded"
    assert steps["bad"]["phase"] == "Failed" and "continued" in steps["bad"]["message"]
    assert steps["reads_bad"]["phase"] == "Skipped"
    assert steps["after_bad"]["phase"] == "Succeeded"
    assert steps["good"]["phase"] == "Succeeded" and steps["good"]["outputs"] == {"out": 2}
    assert steps["reads_good"]["outputs"] == {"out": 4}
    assert rec["outputs"] == {"from_bad": None, "from_good": 4}


def test_a_secret_input_mapped_whole_to_an_env_var_of_any_name(tmp_path: Path) -> None:
    """SPEC §1.10: ``env: {DB_PASSWORD: "${{ inputs.db_password }}"}`` is a secretKeyRef, read here from
    ``MLDSL_SECRET_<NAME>_<KEY>``; the compiled pod spec holds the reference, never the value."""
    module = (
        "spec:\n  inputs: {db_password: secret}\n  outputs: {length: int}\n  run:\n    python:\n"
        "      env: {DB_PASSWORD: '${{ inputs.db_password }}'}\n      source: |\n"
        "        import os\n        write_output('length', len(os.environ['DB_PASSWORD']))\n"
    )
    root = project(
        tmp_path,
        {"connect": module},
        "  steps:\n    c: {uses: connect, with: {db_password: \"${{ secret('db', 'password') }}\"}}\n",
    )
    compiled = run_cli(["compile", str(root), "-o", str(tmp_path / "out")], tmp_path / "home")
    assert compiled.returncode == 0, compiled.stderr
    text = (tmp_path / "out" / "p.workflowtemplate.yaml").read_text()
    wf = yaml.safe_load(text)
    (tpl,) = [t for t in wf["spec"]["templates"] if t["name"].startswith("connect")]
    env = {e["name"]: e for e in tpl["script"]["env"]}
    assert env["DB_PASSWORD"]["valueFrom"]["secretKeyRef"] == {
        "name": "{{inputs.parameters.db_password-secret-name}}",
        "key": "{{inputs.parameters.db_password-secret-key}}",
    }
    env_home = {**os.environ, "MLDSL_HOME": str(tmp_path / "home"), "MLDSL_SECRET_DB_PASSWORD": "hunter22"}
    done = subprocess.run(
        [*MLDSL, "run", str(root), "--format", "json"], capture_output=True, text=True, env=env_home, check=False
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["steps"]["c"]["outputs"] == {"length": 8}
    assert "hunter22" not in text


def test_volumes_of_a_step_on_this_machine(tmp_path: Path) -> None:
    """A RAM disk and a scratch disk are folders of the step; a claim is where the Project maps its path."""
    module = (
        "spec:\n  outputs: {seen: str}\n"
        "  volumes:\n    scratch: {size: 1Gi, path: /scratch}\n    shm: {memory: 64Mi, path: /dev/shm}\n"
        "  run:\n    container:\n      image: busybox\n"
        "      command: [sh, -c, 'echo data > /scratch/x && cat /scratch/x /store/in.txt"
        ' | tr "\\\\n" + > /mldsl/outputs/seen\']\n'
    )
    root = project(
        tmp_path,
        {"vols": module},
        "  steps:\n    v: {uses: vols, volumes: {store: {pvc: shared, path: /store, read_only: true}},"
        " pod: {labels: {team: a}}}\n",
    )
    text = (root / "mldsl.yaml").read_text().replace("{'s3://data': data}", "{'s3://data': data, /store: store}")
    (root / "mldsl.yaml").write_text(text)
    (root / "store").mkdir()
    (root / "store" / "in.txt").write_text("from the claim\n")
    code, rec, err = run_json(root, tmp_path / "home")
    assert code == 0, err
    assert rec["steps"]["v"]["outputs"] == {"seen": "data+from the claim+"}
    compiled = run_cli(["compile", str(root), "-o", str(tmp_path / "out")], tmp_path / "home")
    wf = yaml.safe_load((tmp_path / "out" / "p.workflowtemplate.yaml").read_text())
    (tpl,) = [t for t in wf["spec"]["templates"] if "container" in t]
    assert {v["name"]: {k: x for k, x in v.items() if k != "name"} for v in tpl["volumes"]} == {
        "mldsl-outputs": {"emptyDir": {}},
        "scratch": {"emptyDir": {"sizeLimit": "1Gi"}},
        "shm": {"emptyDir": {"medium": "Memory", "sizeLimit": "64Mi"}},
        "store": {"persistentVolumeClaim": {"claimName": "shared", "readOnly": True}},
    }
    assert tpl["metadata"]["labels"]["team"] == "a" and compiled.returncode == 0


def test_format_time_gives_the_run_date(tmp_path: Path) -> None:
    """SPEC §1.10: a run that was not scheduled formats its creation time (UTC)."""
    import datetime

    module = _python(
        "{day: {type: str}, stamp: {type: str}}",
        "{day: str, stamp: str}",
        "write_output('day', inputs['day'])\nwrite_output('stamp', inputs['stamp'])",
    )
    root = project(
        tmp_path,
        {"echo": module},
        "  steps:\n    e: {uses: echo, with: {day: \"${{ format_time(workflow.scheduled_time, '%Y-%m-%d') }}\","
        " stamp: '${{ workflow.creation_timestamp }}'}}\n",
    )
    before = datetime.datetime.now(datetime.UTC)
    code, rec, err = run_json(root, tmp_path / "home")
    assert code == 0, err
    out = rec["steps"]["e"]["outputs"]
    assert out["day"] in (before.strftime("%Y-%m-%d"), datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d"))
    assert out["stamp"].startswith(out["day"] + "T") and out["stamp"].endswith("Z")


def test_a_cron_runs_date_is_in_its_schedules_zone() -> None:
    """The lowering of format_time over a scheduled time, evaluated as Argo's expr-lang does."""
    from mldsl.argo.exprlang import evaluate
    from mldsl.backends.argo.exprs import Lowering
    from mldsl.compiler import ir
    from mldsl.lang.mtypes import STR, TIMESTAMP

    call = ir.ICall("format_time", (ir.IWorkflow("scheduled_time", TIMESTAMP), ir.ILit("%Y-%m-%d %H:%M (%%)", STR)), STR)
    code = Lowering(task=str).code(call)
    cron = {"workflow": {"scheduledTime": "2026-12-05T03:30:00+08:00", "creationTimestamp": "2026-12-04T19:30:01Z"}}
    assert evaluate(code, cron) == "2026-12-05 03:30 (%)"  # Shanghai's date, not UTC's
    assert evaluate(code, {"workflow": {"creationTimestamp": "2026-12-04T19:30:01Z"}}) == "2026-12-04 19:30 (%)"


EXIT_STEPS = """  params: {fail: {type: bool, default: false}}
  steps:
    work: {uses: fail, when: "${{ params.fail }}"}
  on_exit:
    steps:
      on_failure: {uses: emit, with: {value: 1}, when: "${{ workflow.status != 'Succeeded' }}"}
      always: {uses: emit, with: {value: 2}}
      then: {uses: double, with: {x: "${{ steps.always.outputs.out }}"}}
"""


@pytest.mark.parametrize(("fail", "status", "on_failure"), [("false", "Succeeded", "Skipped"), ("true", "Failed", "Succeeded")])
def test_exit_steps_run_after_the_run_with_its_status(tmp_path: Path, fail: str, status: str, on_failure: str) -> None:
    """SPEC §1.10: ``on_exit: {steps: ...}`` is a DAG of its own; ``when`` reads ``workflow.status``."""
    root = project(tmp_path, MODULES, EXIT_STEPS)
    code, rec, err = run_json(root, tmp_path / "home", "-p", f"fail={fail}")
    assert (code, rec["status"]) == ((0 if status == "Succeeded" else 1), status), err
    assert rec["on_exit"]["on_failure"]["phase"] == on_failure
    assert rec["on_exit"]["then"]["outputs"] == {"out": 4}


def test_a_parallelism_from_a_param_bounds_the_items_at_once(tmp_path: Path) -> None:
    """SPEC §1.10: ``parallelism: "${{ params.k }}"`` is a semaphore whose limit the run writes first (as on
    Argo, ``backends/argo/limits.py``): at most k items run at once, and a limit below 1 runs one at a time."""
    modules = {
        **MODULES,
        "nap": _python(
            "{i: {type: int}}",
            "{start: float, end: float}",
            "import time\nstart = time.time()\ntime.sleep(0.6)\nwrite_output('start', start)\nwrite_output('end', time.time())",
        ),
    }
    root = project(
        tmp_path,
        modules,
        """  params: {k: {type: int, default: 2}}
  steps:
    naps: {uses: nap@1, for_each: [1, 2, 3, 4], parallelism: "${{ params.k }}", with: {i: "${{ item }}"}}
""",
    )

    def most_at_once(record: dict[str, Any]) -> int:
        spans = [(float(i["outputs"]["start"]), float(i["outputs"]["end"])) for i in record["steps"]["naps"]["items"]]
        return max(sum(1 for s, e in spans if s <= start < e) for start, _ in spans)

    home = tmp_path / "home"
    code, record, err = run_json(root, home, "--parallel", "4", "--no-cache")
    assert code == 0, err
    assert most_at_once(record) == 2
    code, record, err = run_json(root, home, "--parallel", "4", "--no-cache", "-p", "k=0")
    assert code == 0, err
    assert most_at_once(record) == 1


def test_runs_show_takes_from_after_the_run_too(tmp_path: Path) -> None:
    """#30 m12: ``runs show latest --from X`` works as ``runs --from X show latest`` does."""
    root = project(tmp_path, MODULES, "  steps:\n    a: {uses: emit@1}\n")
    code, record, err = run_json(root, tmp_path / "home")
    assert code == 0, err
    elsewhere = tmp_path / "elsewhere"  # no project here: only --from names it
    elsewhere.mkdir()
    after = run_cli(["runs", "show", "latest", "--from", str(root), "--format", "json"], tmp_path / "home", cwd=elsewhere)
    before = run_cli(["runs", "--from", str(root), "--format", "json", "show", "latest"], tmp_path / "home", cwd=elsewhere)
    assert after.returncode == 0, after.stderr
    assert json.loads(after.stdout)["run"] == json.loads(before.stdout)["run"] == record["run"]


#: a module whose optional artifact input may be absent: it says what it read
PEEK = _python(
    "{data: {type: artifact, optional: true}}",
    "{seen: str}",
    "write_output('seen', open(inputs['data']).read() if inputs.get('data') else 'nothing')",
)


def test_an_optional_artifact_param_may_be_left_out_or_given(tmp_path: Path) -> None:
    """The entrypoint declares an optional artifact param's input ``optional``: Argo's ProcessArgs refuses a required
    input artifact that was not supplied (argo-workflows v4.1.2 ``workflow/common/util.go`` l. 239-243), and a DAG
    task reads a declared but absent input artifact as one with no location (``scope.go`` resolveVar l. 155-163)."""
    spec = "  params:\n    data: {type: artifact, optional: true}\n  steps:\n    a:\n      uses: peek@1\n"
    spec += "      with: {data: '${{ params.data }}'}\n"
    root = project(tmp_path, {"peek": PEEK}, spec)
    out = tmp_path / "out"
    assert run_cli(["compile", str(root), "-o", str(out)], tmp_path / "home").returncode == 0
    main = yaml.safe_load((out / "p.workflowtemplate.yaml").read_text())["spec"]["templates"][0]
    assert main["inputs"]["artifacts"] == [{"name": "data", "optional": True}]
    left_out = run_cli(["run", str(root)], tmp_path / "home")
    assert left_out.returncode == 0, left_out.stderr
    assert only_record(tmp_path / "home")["steps"]["a"]["outputs"]["seen"] == "nothing"
    (tmp_path / "given.txt").write_text("here", encoding="utf-8")
    given = run_cli(["run", str(root), "-p", f"data={tmp_path / 'given.txt'}"], tmp_path / "home2")
    assert given.returncode == 0, given.stderr
    assert only_record(tmp_path / "home2")["steps"]["a"]["outputs"]["seen"] == "here"


def test_an_optional_artifact_param_left_out_reaches_a_wrapped_step(tmp_path: Path) -> None:
    """A step that continues on failure runs in templates of its own; the param's input is optional there too, or
    Argo's ProcessArgs refuses an artifact with no location ("missing location information", util.go l. 244-246)."""
    spec = "  params:\n    data: {type: artifact, optional: true}\n  steps:\n    a:\n      uses: peek@1\n"
    spec += "      continue_on_failure: true\n      with: {data: '${{ params.data }}'}\n"
    root = project(tmp_path, {"peek": PEEK}, spec)
    done = run_cli(["run", str(root)], tmp_path / "home")
    assert done.returncode == 0, done.stderr
    assert only_record(tmp_path / "home")["steps"]["a"]["outputs"]["seen"] == "nothing"
