"""A run's steps die with the run, and a record of a dead run says so.

Steps run in process groups of their own (``start_new_session``), so a Ctrl-C on the terminal reaches only
``mldsl run``, which stops them (``processes.Processes.stop_all``). When ``mldsl run`` cannot do that (SIGKILL,
the OOM killer, a crash), its steps would be reparented to PID 1 and run on. So:

* a *guard*, a small process in a session of its own started with each run (:class:`Guard`), is told every
  step's process group as it starts and ends. When the pipe from ``mldsl run`` closes while a group is still
  registered or a record was not saved as ended (``mldsl run`` is gone), it sends SIGTERM to each group still
  running, SIGKILL after :data:`GRACE` seconds (Kubernetes' own order for a pod), and marks the run's record
  ``Error``, with why;
* a process that left its step's group (``setsid``, a double fork) but kept the step's environment
  (``MLDSL_OUTPUTS_DIR`` under the run's folder, read from ``/proc/PID/environ``) is ended with them;
* the record keeps the runner's pid, its start time (``/proc/PID/stat`` field 22) and the boot id, so that
  ``mldsl runs`` can tell a run that is still running from one whose process is gone even when the guard
  went too (``kill -9`` of both, a reboot): :func:`truthful`.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

#: seconds between SIGTERM and SIGKILL for the steps of a run whose mldsl process is gone
GRACE = 5.0
#: the record's message for a run whose mldsl process ended without saving it
GONE = "the mldsl process is gone"

# The guard's program (``python -I -S -c``: no site, nothing of mldsl imported; ~10 ms to start).
_PROGRAM = r"""
import json, os, signal, sys, time
for s in (signal.SIGINT, signal.SIGHUP, signal.SIGTERM, signal.SIGQUIT):
    signal.signal(s, signal.SIG_IGN)  # only the pipe closing ends it
fd, grace, gone = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
groups, records, buf = set(), {}, b""
while True:
    try:
        data = os.read(fd, 65536)
    except InterruptedError:
        continue
    if not data:
        break
    buf += data
    *lines, buf = buf.split(b"\n")
    for line in lines:
        op, arg = line[:1], line[1:].decode()
        if op == b"+":
            groups.add(int(arg))
        elif op == b"-":
            groups.discard(int(arg))
        elif op == b"r":
            records[json.loads(arg)["path"]] = json.loads(arg)
        elif op == b"d":
            records.pop(json.loads(arg)["path"], None)
if not groups and not records:
    sys.exit(0)
# mldsl run is gone and left these: its steps go with it, its records say so
def live():  # the groups with a process that is not a zombie (init may be slow to reap, or not reap at all)
    found = set()
    try:
        names = os.listdir("/proc")
    except OSError:
        names = []
    for name in names:
        if name.isdigit():
            try:
                with open("/proc/%s/stat" % name) as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if fields[0] != "Z" and int(fields[2]) in groups:
                found.add(int(fields[2]))
    return found if names else set(groups)
def signal_all(sig):
    for g in list(groups):
        try:
            os.killpg(g, sig)
        except ProcessLookupError:
            groups.discard(g)
        except PermissionError:
            pass
signal_all(signal.SIGTERM)
def strays():  # what left its group (setsid, a double fork) but still has a step's environment, under these runs
    folders = [(os.path.dirname(p) + os.sep).encode() for p in records]
    found = set()
    for name in os.listdir("/proc") if folders else []:
        if name.isdigit() and int(name) != os.getpid():
            try:
                with open("/proc/%s/environ" % name, "rb") as fh:
                    env = fh.read()
            except OSError:
                continue
            for var in env.split(b"\0"):
                if var.startswith(b"MLDSL_OUTPUTS_DIR=") and var[18:].startswith(tuple(folders)):
                    found.add(int(name))
    return found
loose = set()
try:
    loose = strays()
except OSError:
    pass
for pid in loose:
    try:
        os.kill(pid, signal.SIGTERM)
    except OSError:
        pass
def mark(node):  # a step or item that had not ended ends with the run (Error), one that had not started is Omitted
    if isinstance(node, dict):
        if node.get("phase") == "Running":
            node["phase"], node["message"] = "Error", gone
        elif node.get("phase") == "Pending":
            node["phase"], node["message"] = "Omitted", "not run: " + gone
        for inner in (node.get("steps") or {}).values():
            mark(inner)
        for item in node.get("items") or []:
            mark(item)
for path, record in records.items():
    try:
        os.unlink(os.path.join(os.path.dirname(path), ".mldsl-reserve"))  # the space diskspace.reserve kept
    except OSError:
        pass
    try:
        with open(path, encoding="utf-8") as fh:
            rec = json.load(fh)
        if isinstance(rec, dict) and rec.get("status") == "Running":
            now = time.time()
            rec["status"] = "Error"
            rec["message"] = "%s (pid %s ended without saving the run; its steps were stopped)" % (gone, record["pid"])
            rec["finished"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))
            rec["duration"] = round(now - record["started"], 3)
            for kind in ("steps", "on_exit"):
                for node in (rec.get(kind) or {}).values():
                    mark(node)
            tmp = "%s.%d.tmp" % (path, os.getpid())
            try:
                with open(tmp, "w", encoding="utf-8") as fh:
                    fh.write(json.dumps(rec, indent=2, ensure_ascii=False) + "\n")
                os.replace(tmp, path)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
    except (OSError, ValueError):
        pass
def running(pid):
    try:
        with open("/proc/%d/stat" % pid) as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False
end = time.monotonic() + grace
while time.monotonic() < end:
    groups &= live()
    loose = {p for p in loose if running(p)}
    if not groups and not loose:
        break
    time.sleep(0.05)
signal_all(signal.SIGKILL)
for pid in loose:
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
"""


class Guard:
    """The runner's end of the guard: each step's process group and each run's record, as they come and go."""

    def __init__(self) -> None:
        read, self._write = os.pipe()
        try:
            self.proc: subprocess.Popen[bytes] | None = subprocess.Popen(
                [sys.executable, "-I", "-S", "-c", _PROGRAM, str(read), str(GRACE), GONE],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                pass_fds=(read,),
                cwd="/",
                start_new_session=True,  # neither a Ctrl-C on the terminal nor a kill of mldsl's group reaches it
            )
        except OSError:
            os.close(self._write)
            self.proc = None
        finally:
            os.close(read)
        self._lock = threading.Lock()
        self._closed = self.proc is None

    def send(self, line: str) -> None:
        data = (line + "\n").encode()
        with self._lock:
            if self._closed:
                return
            try:
                while data:
                    data = data[os.write(self._write, data) :]
            except OSError:  # the guard is gone: the record still tells the truth when read (truthful)
                self._closed = True
                with contextlib.suppress(OSError):
                    os.close(self._write)


_lock = threading.Lock()
_guard: Guard | None = None


def start() -> None:
    """This process's guard, started once (``mldsl run`` starts it with the run)."""
    global _guard
    with _lock:
        if _guard is None:
            _guard = Guard()


def _send(line: str) -> None:
    guard = _guard
    if guard is not None:
        guard.send(line)


def watch(group: int) -> None:
    """A step's process group: killed if this process dies while it runs."""
    _send(f"+{group}")


def unwatch(group: int) -> None:
    _send(f"-{group}")


def record(path: Path, started: float) -> None:
    """A run's record: marked ``Error`` if this process dies before the run is saved as ended (:func:`saved`)."""
    _send("r" + json.dumps({"path": str(path), "pid": os.getpid(), "started": started}))


def saved(path: Path) -> None:
    _send("d" + json.dumps({"path": str(path)}))


# --- who ran a run: recorded, and checked when the record is read


def _boot_id() -> str | None:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return None


def _start_ticks(pid: int) -> int | None:
    """A process's start time in clock ticks since boot (``/proc/PID/stat`` field 22, proc(5)); None if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    try:  # the command name (field 2) may hold spaces and parentheses: the fields after its last ')'
        return int(stat[stat.rindex(")") + 2 :].split()[19])
    except (ValueError, IndexError):
        return None


def this_process() -> dict[str, Any]:
    """What the record keeps of the process running the run: enough to tell later whether it still runs."""
    pid = os.getpid()
    return {"pid": pid, "start": _start_ticks(pid), "boot": _boot_id()}


def alive(process: Any) -> bool | None:
    """Whether the process a record names still runs: None when this machine cannot tell (no ``/proc``)."""
    if not isinstance(process, dict) or not isinstance(process.get("pid"), int):
        return None
    boot = _boot_id()
    if boot is None or process.get("start") is None:
        return None
    if process.get("boot") != boot:  # recorded before a reboot
        return False
    return bool(_start_ticks(process["pid"]) == process["start"])


def truthful(record: dict[str, Any], now: float | None = None) -> dict[str, Any]:
    """The record as it is now: a ``Running`` record whose process is gone is ``Error``, saying so; one that still
    runs has its duration so far (the file holds the duration it had when it was written)."""
    if record.get("status") != "Running":
        return record
    state = alive(record.get("process"))
    out = dict(record)
    if state is False:
        import copy

        out = copy.deepcopy(record)
        out["status"] = "Error"
        out["message"] = f"{GONE} (pid {record['process']['pid']} ended without saving the run)"
        for kind in ("steps", "on_exit"):
            for node in (out.get(kind) or {}).values():
                _mark(node)
        return out
    started = record.get("started")
    if isinstance(started, str):
        try:
            import calendar

            t0 = calendar.timegm(time.strptime(started, "%Y-%m-%dT%H:%M:%SZ"))
            out["duration"] = round(max(0.0, (now or time.time()) - t0), 1)
        except ValueError:
            pass
    return out


def _mark(node: Any) -> None:
    """A step or item that had not ended when the run's process went is ``Error``, one that had not started
    ``Omitted``, as the guard marks them."""
    if isinstance(node, dict):
        if node.get("phase") == "Running":
            node["phase"], node["message"] = "Error", GONE
        elif node.get("phase") == "Pending":
            node["phase"], node["message"] = "Omitted", f"not run: {GONE}"
        for inner in (node.get("steps") or {}).values():
            _mark(inner)
        for item in node.get("items") or []:
            _mark(item)
