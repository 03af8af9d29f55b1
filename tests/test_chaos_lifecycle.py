"""Chaos for ``mldsl run``'s lifecycle (#28 items 6, 7, 9, 14): real processes killed mid-run, a disk that fills up,
a fan-out of 100,000 items. Each case checks that no process is left behind (a /proc scan for the pids the steps
wrote) and that the record, and ``mldsl runs``, tell the truth."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from test_run import MLDSL, MODULES, _python, only_record, project, run_cli

from conftest import wait_until

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="Linux /proc: the kill checks read it")

#: a step that starts a grandchild (its own process group's member) and writes both pids, then sleeps
FAMILY = _python(
    "{pids: {type: str}, seconds: {type: float, default: 60}}",
    "{}",
    "import os, subprocess, sys, time\n"
    "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'])\n"
    "with open(inputs['pids'] + '.tmp', 'w') as fh:\n    fh.write(f'{os.getpid()} {child.pid}')\n"
    "os.replace(inputs['pids'] + '.tmp', inputs['pids'])\n"
    "print('running', flush=True)\ntime.sleep(inputs['seconds'])",
)
#: ... and one that leaves its process group (a session of its own, as a daemon does)
ESCAPE = FAMILY.replace("subprocess.Popen([", "subprocess.Popen(start_new_session=True, args=[")
CHAOS = {**MODULES, "family": FAMILY, "escape": ESCAPE}


def _state(pid: int) -> str | None:
    """A process's state letter (``Z``: a zombie, which runs nothing), or None when it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None


def _running(pid: int) -> bool:
    return _state(pid) not in (None, "Z")


def assert_gone(pids: list[int], within: float = 8.0) -> None:
    """Every pid has ended (a zombie counts as ended: it runs nothing and init reaps it)."""
    end = time.monotonic() + within
    while time.monotonic() < end:  # not wait_until: what outlived the run is killed before failing
        if not any(_running(p) for p in pids):
            return
        time.sleep(0.05)
    left = [p for p in pids if _running(p)]
    for p in left:  # do not leave them to the next test
        with contextlib.suppress(OSError):
            os.kill(p, signal.SIGKILL)
    pytest.fail(f"processes outlived their run: {left}")


def wait_for(path: Path, within: float = 10.0) -> str:
    return wait_until(lambda: path.exists() and path.read_text(), f"{path} to be written", within)


def start_run(root: Path, home: Path, *extra: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*MLDSL, "run", str(root), *extra],
        env={**os.environ, "MLDSL_HOME": str(home), **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # a suite started in the background of a shell ignores SIGINT, and children inherit that
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def finish(proc: subprocess.Popen[str], timeout: float = 20) -> tuple[str, str]:
    """Its output once it has ended; killed (and the test failed) when it does not end in time."""
    try:
        return proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
        pytest.fail(f"mldsl run did not end within {timeout}s: {err[-2000:]}")


def runs_json(home: Path) -> list[dict[str, Any]]:
    done = run_cli(["runs", "--format", "json"], home)
    assert done.returncode == 0, done.stderr
    return list(json.loads(done.stdout))


def pids_of(path: Path) -> list[int]:
    return [int(p) for p in wait_for(path).split()]


def _status_exit(status: Path) -> str:
    """An exit handler writing ``workflow.status`` to a file."""
    return f'  on_exit: {{uses: status@1, with: {{status: "${{{{ workflow.status }}}}", out: "{status}"}}}}\n'


def _family(tmp_path: Path, on_exit: str = "") -> tuple[Path, Path]:
    pids = tmp_path / "pids"
    spec = f'  steps:\n    s: {{uses: family@1, with: {{pids: "{pids}"}}}}\n' + on_exit
    return project(tmp_path, CHAOS, spec), pids


# --- item 6: SIGKILL / SIGTERM of mldsl run ------------------------------------------------------------------


@pytest.mark.parametrize("fork", ["1", "0"], ids=["forked-step", "plain-process-step"])
def test_sigkill_of_mldsl_run_ends_its_steps_and_the_record_says_error(tmp_path: Path, fork: str) -> None:
    root, pids = _family(tmp_path)
    home = tmp_path / "home"
    proc = start_run(root, home, env={"MLDSL_RUN_FORK": fork})
    family = pids_of(pids)
    proc.kill()
    proc.wait(timeout=10)
    assert_gone(family)
    (listed,) = runs_json(home)
    assert listed["status"] == "Error"
    end = time.monotonic() + 8  # the guard marks the record itself once the steps are told to go
    while only_record(home)["status"] == "Running" and time.monotonic() < end:
        time.sleep(0.05)
    record = only_record(home)
    assert record["status"] == "Error" and "the mldsl process is gone" in record["message"]
    assert not (Path(record["folder"]) / ".mldsl-reserve").exists()
    text = run_cli(["runs"], home).stdout
    assert "Error" in text and "the mldsl process is gone" in text and "Running" not in text


def test_the_record_of_a_killed_run_keeps_what_had_ended(tmp_path: Path) -> None:
    """The record is saved while the run runs, so a SIGKILL leaves one that says which steps had ended."""
    pids = tmp_path / "pids"
    spec = (
        "  steps:\n    e: {uses: emit@1, with: {value: 7}}\n"
        f'    s: {{uses: family@1, after: [e], with: {{pids: "{pids}"}}}}\n'
    )
    root = project(tmp_path, CHAOS, spec)
    home = tmp_path / "home"
    proc = start_run(root, home)
    family = pids_of(pids)
    time.sleep(1.5)  # a checkpoint after s started
    proc.kill()
    proc.wait(timeout=10)
    assert_gone(family)
    end = time.monotonic() + 8
    while only_record(home)["status"] == "Running" and time.monotonic() < end:
        time.sleep(0.05)
    record = only_record(home)
    assert record["status"] == "Error"
    assert record["steps"]["e"]["phase"] == "Succeeded" and record["steps"]["e"]["outputs"] == {"out": 7}
    assert record["steps"]["s"]["phase"] == "Error" and record["steps"]["s"]["message"] == "the mldsl process is gone"


def test_sigkill_also_ends_a_grandchild_that_left_the_steps_group(tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    root = project(tmp_path, CHAOS, f'  steps:\n    s: {{uses: escape@1, with: {{pids: "{pids}"}}}}\n')
    home = tmp_path / "home"
    proc = start_run(root, home, env={"MLDSL_RUN_FORK": "0"})
    family = pids_of(pids)
    assert _sid(family[1]) == family[1] != _sid(family[0])  # it has a session, and a group, of its own
    proc.kill()
    proc.wait(timeout=10)
    assert_gone(family)


def _sid(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[3])


def test_a_run_whose_process_and_guard_are_gone_is_shown_as_error(tmp_path: Path) -> None:
    """Even when nothing could mark the record (kill -9 of mldsl and its guard), ``runs`` reads the recorded
    pid and start time and says the run is gone, instead of "Running 0.0s"."""
    root, pids = _family(tmp_path)
    home = tmp_path / "home"
    proc = start_run(root, home, env={"MLDSL_RUN_FORK": "0"})
    family = pids_of(pids)
    guards = [
        int(p.name)
        for p in Path("/proc").iterdir()
        if p.name.isdigit() and _ppid(int(p.name)) == proc.pid and b"only the pipe closing ends it" in _cmdline(int(p.name))
    ]
    assert len(guards) == 1
    os.kill(guards[0], signal.SIGKILL)
    proc.kill()
    proc.wait(timeout=10)
    try:
        assert only_record(home)["status"] == "Running"  # nothing wrote it
        (listed,) = runs_json(home)
        assert listed["status"] == "Error"
        shown = run_cli(["runs", "--format", "json", "show", "latest"], home)
        assert json.loads(shown.stdout)["message"].startswith("the mldsl process is gone (pid ")
    finally:
        for p in family:
            with contextlib.suppress(OSError):
                os.kill(p, signal.SIGKILL)


def _ppid(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def test_a_live_run_shows_running_with_its_duration_so_far(tmp_path: Path) -> None:
    root, pids = _family(tmp_path)
    home = tmp_path / "home"
    proc = start_run(root, home)
    family = pids_of(pids)
    time.sleep(1.2)
    try:
        (listed,) = runs_json(home)
        assert listed["status"] == "Running" and listed["duration"] >= 1.0
    finally:
        proc.kill()
        proc.wait(timeout=10)
        assert_gone(family)


def test_sigterm_terminates_the_run_without_the_exit_handler(tmp_path: Path) -> None:
    status = tmp_path / "status.txt"
    root, pids = _family(
        tmp_path, f'  on_exit: {{uses: status@1, with: {{status: "${{{{ workflow.status }}}}", out: "{status}"}}}}\n'
    )
    home = tmp_path / "home"
    proc = start_run(root, home, "--format", "json")
    family = pids_of(pids)
    started = time.monotonic()
    proc.terminate()
    out, err = finish(proc, 20)
    assert time.monotonic() - started < 8, err
    assert proc.returncode == 1, err
    assert_gone(family)
    record = json.loads(out)
    assert record["status"] == "Failed" and record["message"] == "Stopped with strategy 'Terminate'", record
    assert record["steps"]["s"]["phase"] == "Failed"
    assert not status.exists()  # argo terminate: exit handlers do not run
    assert only_record(home)["status"] == "Failed"


# --- item 14: Ctrl-C stops as `argo stop` does: the exit handler runs; a second Ctrl-C terminates -------------


def test_ctrl_c_stops_the_run_and_the_exit_handler_still_runs(tmp_path: Path) -> None:
    status = tmp_path / "status.txt"
    root, pids = _family(
        tmp_path, f'  on_exit: {{uses: status@1, with: {{status: "${{{{ workflow.status }}}}", out: "{status}"}}}}\n'
    )
    home = tmp_path / "home"
    proc = start_run(root, home, "--format", "json")
    family = pids_of(pids)
    proc.send_signal(signal.SIGINT)
    out, err = finish(proc, 20)
    assert proc.returncode == 1, err
    assert_gone(family)
    record = json.loads(out)
    assert record["status"] == "Failed" and record["message"] == "Stopped with strategy 'Stop'", record
    assert record["steps"]["s"]["phase"] == "Failed"
    assert record["on_exit"]["notify"]["phase"] == "Succeeded", record["on_exit"]
    assert status.read_text() == "Failed"  # workflow.status, as the exit handler saw it


def test_a_second_ctrl_c_terminates_the_exit_handler(tmp_path: Path) -> None:
    exit_pids = tmp_path / "exit-pids"
    root, pids = _family(tmp_path, f'  on_exit: {{uses: family@1, with: {{pids: "{exit_pids}"}}}}\n')
    home = tmp_path / "home"
    proc = start_run(root, home, "--format", "json")
    family = pids_of(pids)
    proc.send_signal(signal.SIGINT)
    handler = pids_of(exit_pids)  # the exit handler started after the stop
    proc.send_signal(signal.SIGINT)
    out, err = finish(proc, 20)
    assert proc.returncode == 1, err
    assert_gone(family + handler)
    record = json.loads(out)
    assert record["status"] == "Failed"
    assert record["on_exit"]["notify"]["phase"] == "Failed", record["on_exit"]


# --- concurrent runs: one killed, the others untouched ------------------------------------------------------


def test_concurrent_runs_one_killed_the_others_succeed(tmp_path: Path) -> None:
    home = tmp_path / "home"
    root, pids = _family(tmp_path)
    sleeper = start_run(root, home)
    family = pids_of(pids)
    others = [
        subprocess.Popen(
            [*MLDSL, "run", str(root.parent / "quick")],
            env={**os.environ, "MLDSL_HOME": str(home)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    sleeper.kill()
    sleeper.wait(timeout=10)
    for p in others:
        _, err = finish(p, 60)
        assert p.returncode == 0, err
    assert_gone(family)
    statuses = sorted(r["status"] for r in runs_json(home))
    assert statuses == ["Error", "Succeeded", "Succeeded"]


@pytest.fixture(autouse=True)
def _quick_project(tmp_path: Path) -> None:
    """A second small project beside the first, for the concurrent runs."""
    quick = project(tmp_path / "q", MODULES, "  steps:\n    e: {uses: emit@1}\n")
    (tmp_path / "quick").symlink_to(quick, target_is_directory=True)


if sys.platform != "linux":  # pragma: no cover
    pytest.skip("Linux only", allow_module_level=True)


# --- item 9: a fan-out of 100,000 items: bounded threads and memory, a quick Ctrl-C, a consistent record -----

COUNT = _python("{n: {type: int}}", "{xs: 'list[int]'}", "write_output('xs', list(range(inputs['n'])))")
FAN_OUT = """  params: {n: {type: int, default: 100000}}
  steps:
    c: {uses: count@1, with: {n: "${{ params.n }}"}}
    fan: {uses: sleep@1, for_each: "${{ steps.c.outputs.xs }}", with: {seconds: 60, pidfile: "PIDS/${{ item }}"}}
"""


def _status(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


def test_a_fan_out_of_100000_items_uses_bounded_threads_and_stops_at_once(tmp_path: Path) -> None:
    from mldsl.runner.workers import limit_for

    pids = tmp_path / "pids"
    pids.mkdir()
    root = project(tmp_path, {**MODULES, "count": COUNT}, FAN_OUT.replace("PIDS", str(pids)))
    home = tmp_path / "home"
    proc = start_run(root, home, "--format", "json", "--parallel", "2")
    end = time.monotonic() + 30
    while len(list(pids.iterdir())) < 2 and time.monotonic() < end:  # both pods of --parallel 2 run
        time.sleep(0.05)
    time.sleep(0.5)
    threads, rss_kb = _status(proc.pid, "Threads"), _status(proc.pid, "VmRSS")
    steps = [int(p.read_text()) for p in pids.iterdir() if p.read_text()]
    started = time.monotonic()
    proc.send_signal(signal.SIGINT)
    out, err = finish(proc, 60)
    took = time.monotonic() - started
    assert_gone(steps)
    # a thread per item made 22,000 threads and 670 MB; now: the fan-out's workers, the view, the zygote's reader
    assert threads <= limit_for(2) + 8, threads
    assert rss_kb < 400_000, rss_kb
    assert took < 20, (took, err[-2000:])  # 3 s alone, more under a loaded suite; the unbounded runner took over 40 s
    record = json.loads(out)
    items = record["steps"]["fan"]["items"]
    assert len(items) == 100_000
    phases = {i["phase"] for i in items}
    assert phases <= {"Failed", "Omitted"}, phases  # nothing Pending or Running under a finished run
    assert record["status"] == "Failed" and record["message"] == "Stopped with strategy 'Stop'"
    assert only_record(home)["steps"]["fan"]["items"][-1]["phase"] == "Omitted"


# --- item 7: the disk fills up during a run --------------------------------------------------------------------

FILL = _python(
    "{path: {type: str, default: ''}}",
    "{blob: {type: artifact, format: bin}}",
    "import os\npath = inputs['path'] or output_path('blob')\n"
    "try:\n    with open(path, 'wb') as fh:\n        while True:\n            fh.write(b'x' * 65536)\n            fh.flush()\n"
    "except OSError:\n    if not inputs['path']:\n        raise\n"
    "if inputs['path']:\n    open(output_path('blob'), 'w').close()",
)


@pytest.fixture
def small_disk(tmp_path: Path) -> Any:
    """A 2 MB tmpfs (we are root here); skipped where mounting one is not allowed."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.may_skip_in_ci  # mounting a tmpfs needs root; the injected-ENOSPC tests below hold the same without it
@pytest.mark.parametrize("who", ["the-step", "the-runner"])
def test_a_full_disk_ends_the_run_error_with_a_message_and_nothing_half_written(
    tmp_path: Path, small_disk: Path, who: str
) -> None:
    """The step itself fills the disk (its artifact fails half-way), or a step fills it and the runner's own writes
    for the next step fail: either way the run is Error and says the disk is full, the record is whole, and no
    half artifact is in the repository."""
    scratch = f"{small_disk}/scratch" if who == "the-runner" else ""
    spec = f'  steps:\n    f: {{uses: fill@1, with: {{path: "{scratch}"}}}}\n    g: {{uses: emit@1, after: [f]}}\n'
    root = project(tmp_path, {**MODULES, "fill": FILL}, spec)
    home = small_disk / "home"
    done = subprocess.run(
        [*MLDSL, "run", str(root), "--format", "json"],
        env={**os.environ, "MLDSL_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr, done.stderr
    record = json.loads(done.stdout)
    assert record["status"] == "Error", record
    assert "disk full" in record["message"] and "No space left on device" in record["message"], record["message"]
    saved = only_record(home)
    assert saved["status"] == "Error" and saved["message"] == record["message"]
    failed = "f" if who == "the-step" else "g"
    assert saved["steps"][failed]["phase"] == "Error" and "disk full" in saved["steps"][failed]["message"]
    leftovers = [p for p in home.rglob("*") if ".partial-" in p.name or p.name.startswith((".run.json.", ".mldsl-reserve"))]
    assert leftovers == []
    assert not list((home / "artifacts").rglob("blob")) if (home / "artifacts").exists() else True
    listed = runs_json(home)
    assert [r["status"] for r in listed] == ["Error"]


def _run_in_process(root: Path, home: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """``mldsl run ROOT --format json`` in this process (where a write can be made to fail): its exit code."""
    from mldsl.ops.local_run import run_path

    monkeypatch.setenv("MLDSL_HOME", str(home))
    monkeypatch.setenv("MLDSL_RUN_FORK", "0")
    with pytest.raises(SystemExit) as exited:
        run_path(root, None, (), None, "process", False, None, (), (), "json")
    return int(exited.value.code or 0)


def _enospc(path: object) -> OSError:
    return OSError(28, "No space left on device", str(path))


def test_an_injected_enospc_in_the_runner_ends_the_run_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Where no tmpfs can be mounted: the runner's own write for a step fails with ENOSPC."""
    from mldsl.runner import leaves

    real = leaves.pod_spec

    def failing(tpl: dict[str, Any], step_dir: Path, *args: Any) -> Any:
        if "-g" in step_dir.name:
            raise _enospc(step_dir / "script")
        return real(tpl, step_dir, *args)

    monkeypatch.setattr(leaves, "pod_spec", failing)
    root = project(tmp_path, MODULES, "  steps:\n    f: {uses: emit@1}\n    g: {uses: emit@1, after: [f]}\n")
    home = tmp_path / "home"
    assert _run_in_process(root, home, monkeypatch) == 1
    record = json.loads(capsys.readouterr().out)
    assert record["status"] == "Error" and record["message"].startswith("disk full writing "), record
    assert record["steps"]["f"]["phase"] == "Succeeded" and record["steps"]["g"]["phase"] == "Error"
    assert only_record(home) == record


@pytest.mark.parametrize("failures", [1, 99])
def test_an_enospc_on_the_last_record_uses_the_reserve_or_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], failures: int
) -> None:
    """The final record cannot be written: the space kept at the start is given back and it is written; if even
    that fails, ``mldsl run`` says where and why (no traceback), and ``runs`` shows the run Error once it ends."""
    from mldsl.runner import session

    real = session.write_atomically
    left = [failures]

    def failing(folder: Path, files: list[tuple[str, str]], *args: Any) -> None:
        if left[0] and '"status": "Running"' not in files[0][1] and '"status":"Running"' not in files[0][1]:
            left[0] -= 1
            raise _enospc(folder / files[0][0])
        real(folder, files, *args)

    monkeypatch.setattr(session, "write_atomically", failing)
    monkeypatch.setattr("mldsl.runner.store.write_atomically", failing)
    root = project(tmp_path, MODULES, "  steps:\n    f: {uses: emit@1}\n")
    home = tmp_path / "home"
    code = _run_in_process(root, home, monkeypatch)
    out, err = capsys.readouterr()
    (folder,) = (home / "runs").iterdir()
    assert not (folder / ".mldsl-reserve").exists()
    if failures == 1:
        assert code == 0 and json.loads(out)["status"] == "Succeeded"
        assert only_record(home)["status"] == "Succeeded"
    else:
        assert code == 1 and "cannot save the record" in err and "No space left on device" in err, err
        assert only_record(home)["status"] == "Running"  # the first record; this process still runs
