"""What the fast paths of ``mldsl run`` must not change (issue #25 item 6; speed itself is measured by
``benchmarks/run_peers.py``, never asserted here).

* A python step forked from the zygote (``mldsl/runner/zygote.py``) is still its own process: what a
  script sees and how it ends are those of ``python SCRIPT``; ``os._exit``, an exception or ``sys.exit``
  end only the step; a stop or a deadline kills the step and the processes it started.
* ``mldsl run`` runs the very WorkflowTemplate ``mldsl compile`` writes, without reading it back.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from test_run import MLDSL, _python, only_record, project, run_json

from mldsl.runner import zygote
from mldsl.runner.processes import DEADLINE, Processes, run_process

from conftest import example_dirs, wait_until

pytestmark = pytest.mark.skipif(not zygote.enabled(), reason="no pidfd_open here: every step is a plain process")

PROBE = r"""
import atexit, json, os, sys, threading, time
facts = {
    "argv": sys.argv, "path0": sys.path[0], "file": __file__, "name": __name__, "cwd": os.getcwd(),
    "env": os.environ.get("PROBE_VALUE"), "envb": os.environb.get(b"PROBE_VALUE", b"").decode(),
    "group": os.getpgid(0) == os.getpid(), "session": os.getsid(0) == os.getpid(),
    "main": sys.modules["__main__"].__dict__ is globals(), "spec": __spec__,
}
print(json.dumps(facts))
left_open = open(os.environ["PROBE_FILE"], "w")
left_open.write("written, never closed")  # flushed when the interpreter exits
atexit.register(lambda: print("atexit ran", flush=True))
threading.Thread(target=lambda: (time.sleep(0.2), print("thread joined", flush=True))).start()
sys.stdout.write("no newline at the end")
how = os.environ.get("PROBE_END", "")
if how == "exit3":
    sys.exit(3)
if how == "exit-text":
    sys.exit("a message")
if how == "raise":
    raise ValueError("boom")
if how == "_exit":
    os._exit(7)
"""


def _both(tmp: Path, end: str) -> dict[str, tuple[int | None, str, str]]:
    """The probe run as ``python probe.py a b`` forked from the zygote and as a plain process: (exit code,
    log, file it left open), each in a folder of its own."""
    out = {}
    for how in ("forked", "plain"):
        folder = tmp / how
        folder.mkdir()
        (folder / "probe.py").write_text(PROBE)
        log = folder / "log"
        env = {**os.environ, "PROBE_VALUE": "v", "PROBE_FILE": str(folder / "left-open"), "PROBE_END": end}
        argv = [sys.executable, "probe.py", "a", "b"]
        if how == "forked":
            proc: Any = zygote.spawn(argv, env, folder, log)
            assert proc is not None, "the probe was not forked"
        else:
            with open(log, "ab") as fh:
                proc = subprocess.Popen(argv, cwd=folder, env=env, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)
        code = proc.wait(timeout=60)
        left = folder / "left-open"
        out[how] = (code, log.read_text().replace(str(folder), "FOLDER"), left.read_text() if left.exists() else "")
    return out


@pytest.mark.parametrize("end", ["", "exit3", "exit-text", "raise", "_exit"])
def test_a_forked_step_sees_and_ends_as_a_fresh_interpreter(tmp_path: Path, end: str) -> None:
    got = _both(tmp_path, end)
    assert got["forked"] == got["plain"]
    code, log, left = got["forked"]
    assert code == {"": 0, "exit3": 3, "exit-text": 1, "raise": 1, "_exit": 7}[end]
    facts = json.loads(log.splitlines()[0])
    assert facts["argv"] == ["probe.py", "a", "b"] and facts["path0"] == "FOLDER" and facts["name"] == "__main__"
    assert facts["group"] and facts["session"] and facts["env"] == facts["envb"] == "v"
    if end == "raise":  # the traceback starts at the script, as python prints it
        assert 'Traceback (most recent call last):\n  File "FOLDER/probe.py", line 21, in <module>' in log
    if end != "_exit":
        assert "atexit ran" in log and "thread joined" in log and left == "written, never closed"


def test_what_cannot_be_forked_the_same_way_is_not(tmp_path: Path) -> None:
    script = tmp_path / "s.py"
    script.write_text("pass\n")
    log = tmp_path / "log"
    env = dict(os.environ)
    assert zygote.spawn([sys.executable, "-c", "pass"], env, tmp_path, log) is None
    assert zygote.spawn([sys.executable, "-u", str(script)], env, tmp_path, log) is None
    assert zygote.spawn(["/bin/sh", str(script)], env, tmp_path, log) is None
    assert zygote.spawn([sys.executable, "missing.py"], env, tmp_path, log) is None
    # read when an interpreter starts: a module's local code (PYTHONPATH), another hash seed or locale
    for name in ("PYTHONPATH", "PYTHONHASHSEED", "LC_ALL"):
        assert zygote.spawn([sys.executable, str(script)], {**env, name: "1"}, tmp_path, log) is None
    proc = zygote.spawn([sys.executable, str(script)], env, tmp_path, log)
    assert proc is not None and proc.wait(timeout=60) == 0


STEP_WITH_A_CHILD = """
import os, subprocess, sys, time
child = subprocess.Popen(["sleep", "120"])
open(sys.argv[1], "w").write(f"{os.getpid()} {child.pid}")
time.sleep(120)
"""


def _pids(pidfile: Path) -> list[int]:
    text = wait_until(
        lambda: pidfile.exists() and len(pidfile.read_text().split()) == 2 and pidfile.read_text(), "the step to start", 30
    )
    return [int(p) for p in text.split()]


def _ended(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1].startswith("Z")  # ended, not yet reaped
    except FileNotFoundError:
        return True


def _gone(pid: int) -> bool:
    return wait_until(lambda: _ended(pid), f"process {pid} to end", within=5)


@pytest.mark.parametrize("how", ["stop", "deadline"])
def test_a_stop_or_deadline_kills_a_forked_step_and_its_children(tmp_path: Path, how: str) -> None:
    script, pidfile = tmp_path / "step.py", tmp_path / "pids"
    script.write_text(STEP_WITH_A_CHILD)
    procs = Processes()
    result: list[tuple[str, str]] = []
    deadline = time.time() + 3 if how == "deadline" else None
    argv = [sys.executable, str(script), str(pidfile)]
    worker = threading.Thread(
        target=lambda: result.append(run_process(argv, dict(os.environ), tmp_path, tmp_path / "log", deadline, procs))
    )
    worker.start()
    step, child = _pids(pidfile)
    assert os.getpgid(step) == step and b"zygote" in Path(f"/proc/{_parent(step)}/cmdline").read_bytes()  # forked
    if how == "stop":
        procs.stop_all()
    worker.join(timeout=60)
    assert result == [("Failed", "Stopped with strategy 'Stop'" if how == "stop" else DEADLINE)]
    assert _gone(step) and _gone(child)


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().split(") ")[1].split()[1])


CRASHES = {
    "exits": _python("{}", "{}", "import os\nos._exit(9)"),
    "raises": _python("{}", "{}", "raise RuntimeError('in the step')"),
    "fine": _python(
        "{}",
        "{forked: str}",
        "import os\nwrite_output('forked', str(b'zygote' in open(f'/proc/{os.getppid()}/cmdline', 'rb').read()))",
    ),
}


def test_a_step_that_exits_or_raises_ends_only_itself(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        CRASHES,
        "  steps:\n    a: {uses: exits@1}\n    b: {uses: raises@1}\n    c: {uses: fine@1}\n"
        "  outputs: {forked: '${{ steps.c.outputs.forked }}'}\n",
    )
    code, record, err = run_json(root, tmp_path / "home", "--parallel", "1")
    assert code == 1, err
    steps = record["steps"]
    assert steps["a"]["phase"] == "Failed" and steps["a"]["message"] == "Error (exit code 9)"
    assert steps["b"]["phase"] == "Failed" and steps["b"]["message"] == "Error (exit code 1)"
    assert steps["c"]["phase"] == "Succeeded" and steps["c"]["outputs"]["forked"] == "True"
    log = (tmp_path / "home" / "runs" / record["run"] / steps["b"]["log"]).read_text()
    assert "RuntimeError: in the step" in log and "zygote" not in log  # the traceback is the step's own


def _template_run_uses(root: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The WorkflowTemplate spec ``mldsl run`` hands to the runner (nothing runs)."""
    from click.testing import CliRunner

    from mldsl.cli.run import run
    from mldsl.runner import session

    seen: dict[str, Any] = {}

    def capture(spec: dict[str, Any], *args: Any) -> Any:
        seen["spec"] = spec
        raise session.RunRefusedError(["captured"])

    monkeypatch.setattr(session, "prepare", capture)
    CliRunner().invoke(run, [str(root)], catch_exceptions=False)
    return dict(seen["spec"])


def test_run_uses_the_workflow_template_compile_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLDSL_HOME", str(tmp_path / "home"))
    root = project(tmp_path, {**CRASHES}, "  steps:\n    c: {uses: fine@1}\n    d: {uses: fine@1, retries: 2}\n")
    out = tmp_path / "out"
    done = subprocess.run([*MLDSL, "compile", str(root), "-o", str(out)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    (written,) = [d for f in out.glob("*.yaml") for d in yaml.safe_load_all(f.read_text()) if d["kind"] == "WorkflowTemplate"]
    assert _template_run_uses(root, monkeypatch) == written["spec"]


@pytest.mark.parametrize("folder", example_dirs(), ids=lambda p: p.name)
def test_every_manifest_reads_back_as_the_dict_it_was_written_from(folder: Path) -> None:
    """Why ``mldsl run`` may skip the YAML round trip: the emitted dicts are plain and read back equal."""
    from mldsl.backends import emit_all
    from mldsl.ops.project import compile_result
    from mldsl.util.yamlout import dump

    result = compile_result((folder,))
    assert result.program is not None
    for m in emit_all(result.program):
        assert yaml.load(dump(m.body), Loader=yaml.CSafeLoader) == m.body == json.loads(json.dumps(m.body)), m.filename


def test_ctrl_c_on_a_run_of_forked_steps_leaves_no_process(tmp_path: Path) -> None:
    pidfile = tmp_path / "pids"
    modules = {"spawner": _python("{pidfile: str}", "{}", STEP_WITH_A_CHILD.replace("sys.argv[1]", "inputs['pidfile']"))}
    root = project(tmp_path, modules, f'  steps:\n    s: {{uses: spawner@1, with: {{pidfile: "{pidfile}"}}}}\n')
    proc = subprocess.Popen(
        [*MLDSL, "run", str(root)],
        env={**os.environ, "MLDSL_HOME": str(tmp_path / "home")},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    step, child = _pids(pidfile)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err
    assert _gone(step) and _gone(child)
    assert only_record(tmp_path / "home")["steps"]["s"]["phase"] == "Failed"
