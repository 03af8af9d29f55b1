"""#28: ``mldsl run`` and its run store against hostile values and planted files, with real processes.

A parameter that reaches an artifact key, a link planted in ``.mldsl/artifacts`` or ``.mldsl/cache``, the
user's secrets in the environment, a 300 MB log, and run records of the wrong shape (a list, a FIFO, a
link, an odd folder name): each is refused or skipped with a message, and nothing outside the store is
deleted, written or shown.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

MLDSL = [sys.executable, "-m", "mldsl"]

MAKE = """spec:
  inputs: {n: {type: int, default: 2}}
  outputs: {copy: {type: artifact, format: csv}}
  run:
    python:
      source: |
        open(output_path('copy'), 'w').write('a,' * inputs['n'])
"""
SAY = """spec:
  inputs: {where: str}
  outputs: {where: str}
  run:
    python:
      source: |
        write_output('where', inputs['where'])
"""
#: a consumer of ``c``'s artifact's URI: the artifact is then stored at its key in the repository
USES_URI = "    u:\n      uses: say@1\n      with: {where: '${{ steps.c.outputs.copy.uri }}'}\n"


def _project(tmp: Path, params: str = "", key_format: str | None = None, modules: dict[str, str] | None = None) -> Path:
    """A project whose pipeline ``p`` runs its first module as step ``c``; with the default module (``make``)
    a second step ``u`` reads the URI of ``c``'s artifact, so that it is kept at its key."""
    root = tmp / "proj"
    (root / "modules").mkdir(parents=True)
    artifacts = "{bucket: s3://art" + (f", key_format: {json.dumps(key_format)}" if key_format else "") + "}"
    (root / "mldsl.yaml").write_text(
        "apiVersion: mldsl/v1\nkind: Project\nmetadata: {name: t}\nspec:\n"
        f"  module_paths: [modules]\n  artifacts: {artifacts}\n"
    )
    for name, body in (modules or {"make": MAKE, "say": SAY}).items():
        (root / "modules" / f"{name}.yaml").write_text(
            f"apiVersion: mldsl/v1\nkind: Module\nmetadata: {{name: {name}, version: 1.0.0}}\n{body}"
        )
    first = next(iter(modules or {"make": MAKE}))
    (root / "pipeline.yaml").write_text(
        f"apiVersion: mldsl/v1\nkind: Pipeline\nmetadata: {{name: p}}\nspec:\n{params}  steps:\n"
        + (USES_URI if modules is None else "")
        + f"    c:\n      uses: {first}@1\n"
    )
    return root


def _mldsl(
    args: list[str], home: Path, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "MLDSL_HOME": str(home), **(env or {})}
    return subprocess.run([*MLDSL, *args], capture_output=True, text=True, env=full, timeout=timeout, check=False)


def _victim(tmp: Path) -> Path:
    """A folder outside the store that a run must never delete or write: ``victim/c/copy/keep``."""
    keep = tmp / "victim" / "c" / "copy" / "keep"
    keep.parent.mkdir(parents=True)
    keep.write_text("precious\n")
    return tmp / "victim"


def _tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- item 3: a parameter in an artifact key ----------------------------------------------------------


@pytest.mark.parametrize("tag", ["../../../victim", "../../../../victim", "ok/../../../../victim"])
def test_a_parameter_in_an_artifact_key_cannot_leave_the_store(tmp_path: Path, tag: str) -> None:
    root = _project(tmp_path, "  params: {tag: {type: str, default: x}}\n", "{{workflow.parameters.tag}}/{{step}}")
    victim = _victim(tmp_path)
    before = _tree(victim)
    home = tmp_path / "home"
    done = _mldsl(["run", str(root), "-p", f"tag={tag}", "--format", "json"], home)
    assert done.returncode == 1, done.stderr
    assert "internal error" not in done.stderr
    record = json.loads(done.stdout)
    assert record["status"] in ("Failed", "Error")
    message = record["steps"]["c"]["message"]
    assert "output artifact copy" in message and "'..' segment" in message and "refused" in message, message
    assert _tree(victim) == before  # neither deleted nor overwritten
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "proj", "victim"]  # nothing made beside them


def test_a_key_without_dots_still_lands_in_the_store(tmp_path: Path) -> None:
    root = _project(tmp_path, "  params: {tag: {type: str, default: x}}\n", "{{workflow.parameters.tag}}/{{step}}")
    home = tmp_path / "home"
    done = _mldsl(["run", str(root), "-p", "tag=v1.2/nightly", "--format", "json"], home)
    assert done.returncode == 0, done.stderr
    assert (home / "artifacts" / "art" / "v1.2" / "nightly" / "c" / "copy").read_text() == "a,a,"


def test_an_artifact_param_with_dots_in_its_key_is_refused_before_the_run(tmp_path: Path) -> None:
    modules = {
        "read": "spec:\n  inputs: {t: {type: artifact, format: csv}}\n  outputs: {}\n  run:\n    python:\n"
        "      source: |\n        print(open(inputs['t']).read())\n"
    }
    root = _project(tmp_path, "  params: {data: {type: artifact, format: csv}}\n", modules=modules)
    (root / "pipeline.yaml").write_text((root / "pipeline.yaml").read_text() + "      with: {t: '${{ params.data }}'}\n")
    secret = tmp_path / "secret.csv"
    secret.write_text("password\n")
    home = tmp_path / "home"
    (home / "artifacts" / "art").mkdir(parents=True)
    done = _mldsl(["run", str(root), "-p", "data=s3://art/../../../secret.csv"], home)
    assert done.returncode == 1, done.stderr
    assert "param data: s3://art/../../../secret.csv is refused: it has a '..' segment" in done.stderr
    assert "nothing ran" in done.stderr and not (home / "runs").exists()


# --- item 4: links planted in the store ----------------------------------------------------------------


def _first_run_id() -> str:
    return f"p-{time.strftime('%Y%m%d', time.gmtime())}-0001"


@pytest.mark.parametrize("where", ["run", "artifact"])
def test_a_link_planted_in_the_artifact_store_is_not_followed(tmp_path: Path, where: str) -> None:
    """Run ids are predictable: a link at the next run's key (or at the artifact itself) points at a victim."""
    root = _project(tmp_path)
    victim = _victim(tmp_path)
    before = _tree(victim)
    home = tmp_path / "home"
    art = home / "artifacts" / "art" / _first_run_id()
    if where == "run":
        art.parent.mkdir(parents=True)
        art.symlink_to(victim, target_is_directory=True)
    else:
        (art / "c").mkdir(parents=True)
        (art / "c" / "copy").symlink_to(victim / "c" / "copy", target_is_directory=True)
    done = _mldsl(["run", str(root), "--format", "json"], home)
    assert done.returncode == 1, done.stderr
    message = json.loads(done.stdout)["steps"]["c"]["message"]
    assert "a symbolic link on the way leads to" in message and str(victim) in message, message
    assert _tree(victim) == before
    assert (victim / "c" / "copy").is_dir() and not (victim / "c" / "copy").is_symlink()


def test_a_link_planted_in_the_cache_is_neither_written_through_nor_trusted(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "pipeline.yaml").write_text((root / "pipeline.yaml").read_text() + "      cache: {ttl: 1h}\n")
    home = tmp_path / "home"
    assert _mldsl(["run", str(root)], home).returncode == 0
    (entry,) = (home / "cache").rglob("*.json")
    # a planted entry that says the step's output is /etc's passwd file: a miss, the step runs again
    data = json.loads(entry.read_text())
    data["artifacts"] = {k: {"path": "/etc/passwd", "uri": None} for k in data["artifacts"]}
    entry.write_text(json.dumps(data))
    done = _mldsl(["run", str(root), "--format", "json"], home)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["steps"]["c"]["cached"] is False
    # the ConfigMap's folder replaced by a link to a victim: nothing is written there
    victim = _victim(tmp_path)
    before = _tree(victim)
    cm = entry.parent
    for p in cm.iterdir():
        p.unlink()
    cm.rmdir()
    cm.symlink_to(victim, target_is_directory=True)
    done = _mldsl(["run", str(root), "--format", "json"], home)
    assert done.returncode == 0, done.stderr
    assert _tree(victim) == before


# --- item 5: the step's environment ----------------------------------------------------------------------

ENV_DUMP = """spec:
  inputs: {}
  outputs: {names: str, initial: str}
  run:
    python:
      source: |
        import os
        write_output('names', ','.join(sorted(os.environ)))
        # what the process was started with (a forked step's is its zygote's, whatever os.environ says)
        raw = open('/proc/self/environ', 'rb').read().split(b'\\0')
        write_output('initial', ','.join(sorted(x.split(b'=')[0].decode() for x in raw if x)))
"""

LEAKS = {
    "AWS_SECRET_ACCESS_KEY": "aws-secret",
    "GITHUB_TOKEN": "ghp_x",
    "ARGO_TOKEN": "Bearer x",
    "MLDSL_SECRET_OTHER_KEY": "other",
    "HTTPS_PROXY": "http://user:pass@proxy:3128",
}
KEPT = {"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TZ": "Europe/Paris", "TMPDIR": "/tmp", "JAVA_HOME": "/opt/java"}


@pytest.mark.parametrize("fork", ["1", "0"])  # forked from the zygote, and started as a process
def test_a_step_gets_its_own_env_and_the_allow_list_not_the_users_secrets(tmp_path: Path, fork: str) -> None:
    root = _project(tmp_path, modules={"dump": ENV_DUMP})
    done = _mldsl(["run", str(root), "--format", "json"], tmp_path / "home", {**LEAKS, **KEPT, "MLDSL_RUN_FORK": fork})
    assert done.returncode == 0, done.stderr
    outputs = json.loads(done.stdout)["steps"]["c"]["outputs"]
    names = set(outputs["names"].split(","))
    assert not names & set(LEAKS), names & set(LEAKS)
    assert not set(outputs["initial"].split(",")) & set(LEAKS), outputs["initial"]
    assert set(KEPT) | {"PATH", "HOME", "MLDSL_OUTPUTS_DIR", "MLDSL_LOCAL_RUN"} <= names
    assert "MLDSL_RUN_FORK" not in names and "MLDSL_HOME" not in names


def test_docker_gets_only_what_the_pod_declares(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mldsl.runner.mounts import Mounts
    from mldsl.runner.processes import docker_argv, pod_spec

    for k, v in {**LEAKS, "MLDSL_HOME": "/h", "OMP_NUM_THREADS": "4"}.items():
        monkeypatch.setenv(k, v)
    tpl = {
        "container": {
            "image": "img:1",
            "command": ["python", "-c", "pass"],
            "env": [
                {"name": "MLDSL_INPUT_X", "value": "1"},
                {"name": "LEARNING_RATE", "value": "0.1"},
                {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
            ],
        }
    }
    spec = pod_spec(tpl, tmp_path / "step", None, Mounts(), {"MLDSL_SECRET_DB_PASSWORD": "pw"})
    argv = docker_argv(spec, tmp_path / "step", None)
    given = [argv[i + 1] for i, a in enumerate(argv) if a == "-e"]
    assert given == ["MLDSL_INPUT_X=1", "LEARNING_RATE=0.1", "DB_PASSWORD=pw"]


def test_a_spark_or_training_job_gets_the_allow_list_too(monkeypatch: pytest.MonkeyPatch) -> None:
    from mldsl.runner.operators import _base_env

    for k, v in {**LEAKS, **KEPT, "PYSPARK_PYTHON": "/usr/bin/python3"}.items():
        monkeypatch.setenv(k, v)
    env = _base_env({"RANK": "0"}, None)
    assert not set(env) & set(LEAKS)
    assert {**KEPT, "PYSPARK_PYTHON": "/usr/bin/python3", "RANK": "0"}.items() <= env.items()


# --- item 8: a huge log ---------------------------------------------------------------------------------

BIG_LOG = """spec:
  inputs: {}
  outputs: {}
  run:
    python:
      source: |
        import sys
        line = 'x' * 99 + '\\n'
        block = line * 10000
        for _ in range(300):
            sys.stdout.write(block)
        sys.stdout.write('the last words\\n')
        sys.stdout.flush()
        sys.exit(3)
"""


def test_a_failed_steps_300_mb_log_is_tailed_from_its_end(tmp_path: Path) -> None:
    """The summary prints the last lines: the run's peak memory stays far below the log's size (was 2x it).
    Measured by a fresh parent whose only child is ``mldsl run`` (RUSAGE_CHILDREN: the largest it waited for)."""
    root = _project(tmp_path, modules={"loud": BIG_LOG})
    home = tmp_path / "home"
    measure = (
        "import resource, subprocess, sys\n"
        "code = subprocess.run(sys.argv[1:]).returncode\n"
        "print('PEAK', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code, file=sys.stderr)\n"
    )
    env = {**os.environ, "MLDSL_HOME": str(home)}
    done = subprocess.run(
        [sys.executable, "-c", measure, *MLDSL, "run", str(root)], env=env, capture_output=True, text=True, timeout=300
    )
    *_, last = done.stderr.splitlines()
    _, peak_kb, code = last.split()
    assert code == "1", done.stderr[-2000:]
    (log,) = (home / "runs").glob("*/logs/*.log")
    assert log.stat().st_size > 300_000_000
    text = done.stdout  # the run's summary, with the failed step's log tail, is its result: on stdout (#30 m11)
    assert "the last words" in text and text.count("x" * 99) <= 15
    assert int(peak_kb) / 1024 < 200, f"peak RSS {int(peak_kb) / 1024:.0f} MB for a 300 MB log"


# --- item 10: the run store trusts its files -----------------------------------------------------------


def _plant(runs: Path, name: str, record: Any) -> None:
    (runs / name).mkdir(parents=True)
    (runs / name / "run.json").write_text(json.dumps(record))


def test_bad_records_are_skipped_with_a_warning_and_hide_nothing(tmp_path: Path) -> None:
    root = _project(tmp_path)
    home = tmp_path / "home"
    assert _mldsl(["run", str(root)], home).returncode == 0
    runs = home / "runs"
    good = {"pipeline": "p", "status": "Succeeded", "started": "2020-01-01T00:00:00Z", "duration": 1.0}
    _plant(runs, "p-20200101-0001", [1, 2])
    _plant(runs, "p-20200101-0002", {**good, "run": "p-20200101-0002", "started": 5})
    _plant(runs, "p-20200101-0003", {**good, "run": "p-20200101-0003", "steps": {"a": {"phase": "Failed", "duration": "x"}}})
    _plant(runs, "p-20200101-0004", {**good, "run": "p-20200101-0099"})
    (runs / "p-20200101-0005").mkdir()
    os.mkfifo(runs / "p-20200101-0005" / "run.json")  # opening it for reading would block for ever
    (runs / "p-20200101-0006").mkdir()
    (runs / "p-20200101-0006" / "run.json").symlink_to("/etc/passwd")
    _plant(runs, "odd\nname", {**good, "run": "odd\nname"})
    os.mkdir(os.fsencode(runs) + b"/p-\xff\xfe")
    _plant(runs, f"p-{time.strftime('%Y%m%d', time.gmtime())}-\u00b2", {**good, "run": "p-x"})  # '²'.isdigit()
    (runs / "stray.txt").write_text("x")
    done = _mldsl(["runs"], home, timeout=30)
    assert done.returncode == 0, done.stderr
    assert "internal error" not in done.stderr
    _header, line = done.stdout.splitlines()  # the one good run, still listed (under the header row, #30 m12)
    assert line.startswith(_first_run_id()) and "Succeeded" in line
    for name, why in [
        ("p-20200101-0001/run.json", "it holds a JSON list, not an object"),
        ("p-20200101-0002/run.json", "'started' is 5, not a string or null"),
        ("p-20200101-0003/run.json", "steps.a: 'duration' is \"x\", not a number"),
        ("p-20200101-0004/run.json", "its run id 'p-20200101-0099' is not its folder's name"),
        ("p-20200101-0005/run.json", "it is not a regular file"),
        ("p-20200101-0006/run.json", "it is a symbolic link"),
        ("odd\\nname", "not a run folder's name"),
        ("p-\\udcff\\udcfe", "not a run folder's name"),
        ("stray.txt", "not a folder"),
    ]:
        assert f"{name}: {why}" in done.stderr, (name, done.stderr)
    shown = _mldsl(["runs", "show", "latest"], home, timeout=30)
    assert shown.returncode == 0 and f"run {_first_run_id()} (p): Succeeded" in shown.stdout, shown.stderr
    bad = _mldsl(["runs", "show", "p-20200101-0002"], home, timeout=30)
    assert bad.returncode == 2 and "no run 'p-20200101-0002'" in bad.stderr and "internal error" not in bad.stderr
    listed = _mldsl(["runs", "--format", "json"], home, timeout=30)
    assert [r["run"] for r in json.loads(listed.stdout)] == [_first_run_id()]
    again = _mldsl(["run", str(root), "--format", "json"], home)  # the next id, past the odd folder names
    assert again.returncode == 0 and json.loads(again.stdout)["run"].endswith("-0002"), again.stderr


def test_a_pod_of_an_argo_workflow_starts_from_its_own_environment(tmp_path: Path) -> None:
    """``mldsl run wf.yaml`` runs each pod in a filesystem of its own, from the pod's environment (podroot.py):
    none of the user's variables arrive there either."""
    from mldsl.runner.podroot import isolation_available

    if isolation_available() is not None:
        pytest.skip(f"no pod filesystems on this machine: {isolation_available()}")
    wf = tmp_path / "wf.yaml"
    wf.write_text(
        "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {generateName: t-}\nspec:\n  entrypoint: main\n"
        "  templates:\n  - name: main\n    steps:\n    - - {name: dump, template: dump}\n  - name: dump\n"
        "    container: {image: busybox, command: [sh, -c, 'env | cut -d= -f1 | sort | tr \"\\\\n\" , > /tmp/out']}\n"
        "    outputs: {parameters: [{name: names, valueFrom: {path: /tmp/out}}]}\n"
    )
    done = _mldsl(["run", str(wf), "--format", "json"], tmp_path / "home", {**LEAKS, **KEPT})
    assert done.returncode == 0, done.stderr
    (step,) = json.loads(done.stdout)["steps"].values()
    names = set(step["outputs"]["names"].strip(",").split(","))
    assert not names & (set(LEAKS) | set(KEPT)), names
    assert "PATH" in names and "HOME" in names


TOUCH = """spec:
  inputs: {name: {type: str}}
  outputs: {}
  volumes:
    store: {pvc: shared, path: /store}
  run:
    container:
      image: busybox
      command: [touch, "/store/${{ inputs.name }}"]
"""


@pytest.mark.parametrize(("name", "ok"), [("f", True), ("./f", True), ("../victim/f", False), ("../../x", False)])
def test_a_parameter_in_a_mounted_path_cannot_climb_out_of_its_folder(tmp_path: Path, name: str, ok: bool) -> None:
    """``/store`` is a claim mapped to ``proj/store``: in a pod ``/store/../victim`` stays in the pod, here it
    would be the folder beside the mapped one."""
    root = _project(tmp_path, "  params: {name: {type: str, default: f}}\n", modules={"touch": TOUCH})
    (root / "pipeline.yaml").write_text((root / "pipeline.yaml").read_text() + "      with: {name: '${{ params.name }}'}\n")
    text = (root / "mldsl.yaml").read_text() + "  local: {mounts: {/store: store}}\n"
    (root / "mldsl.yaml").write_text(text)
    (root / "store").mkdir()
    (root / "victim").mkdir()
    done = _mldsl(["run", str(root), "-p", f"name={name}", "--format", "json"], tmp_path / "home")
    if ok:
        assert done.returncode == 0, done.stderr
        assert (root / "store" / "f").is_file()
        return
    assert done.returncode == 1, done.stderr
    message = json.loads(done.stdout)["steps"]["c"]["message"]
    assert f"/store/{name} is refused: it has a '..' segment that climbs out of /store" in message, message
    assert not any((root / "victim").iterdir()) and not (tmp_path / "x").exists()
