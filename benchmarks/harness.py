"""What every benchmark prints: each target with its value, min/median/max, its goal and a verdict.

A bare "targets missed" tells a reader nothing; a figure without the machine's
load cannot be compared with another run. So every benchmark measures through
:class:`Report`, which prints one row per target (as a Markdown table, so the
README's table is pasted from it, not retyped) headed by the machine, its core
count and its load average when the run started and ended.
"""

from __future__ import annotations

import argparse
import functools
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
#: where the measured copy of mldsl is installed from a wheel of this checkout, as users install it
VENV = HERE / ".venv-mldsl"
_here = False


def install_options(ap: argparse.ArgumentParser) -> None:
    ap.add_argument(
        "--here",
        action="store_true",
        help="measure the mldsl of this environment instead of a wheel of this checkout installed in "
        "benchmarks/.venv-mldsl (an editable install pays its import hook at every start of Python)",
    )


def configure(args: argparse.Namespace) -> None:
    global _here
    _here = bool(args.here)


def python() -> str:
    """The interpreter of the measured copy: the yardsticks (``import yaml``) run in the same environment."""
    return sys.executable if _here else str(_installed())


def mldsl() -> list[str]:
    """The command line that starts the measured ``mldsl`` as CI and users do (its installed script).

    By default a wheel built from this checkout, installed in ``benchmarks/.venv-mldsl`` (made on first use,
    its dependencies from the package index) with its bytecode compiled, as ``pip install`` leaves it; with
    ``--here``, this environment's copy, its bytecode compiled first (an editable install under
    ``PYTHONDONTWRITEBYTECODE`` would recompile edited sources at every run, a cost no installed copy pays).
    """
    if not _here:
        return [str(_installed().parent / "mldsl")]
    _compile_bytecode()
    exe = shutil.which("mldsl")
    return [exe] if exe else [sys.executable, "-m", "mldsl"]


def environment(name: str, *packages: str) -> tuple[Path, bool]:
    """``benchmarks/<name>``'s interpreter, the environment made (with ``packages``) on first use; and whether
    it was made now. Measured tools live apart from this one: Hera is never a dependency of mldsl."""
    py = HERE / name / "bin" / "python"
    if py.exists():
        return py, False
    print(f"making benchmarks/{name} (once)...", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", str(HERE / name)], check=True)
    if packages:
        subprocess.run([str(py), "-m", "pip", "install", "-q", *packages], check=True)
    return py, True


@functools.cache
def _installed() -> Path:
    """The venv's interpreter, with a wheel of the checkout as it is now (built and reinstalled per run)."""
    import tempfile

    py, first = environment(VENV.name)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [str(py), "-m", "pip", "wheel", "-q", "--no-deps", "-w", tmp, str(ROOT)], check=True, stdout=subprocess.DEVNULL
        )
        (wheel,) = Path(tmp).glob("mldsl-*.whl")
        flags = [] if first else ["--no-deps", "--force-reinstall"]
        subprocess.run([str(py), "-m", "pip", "install", "-q", *flags, str(wheel)], check=True, stdout=subprocess.DEVNULL)
    site = subprocess.run(
        [str(py), "-c", "import mldsl, os; print(os.path.dirname(mldsl.__file__))"], check=True, capture_output=True, text=True
    ).stdout.strip()
    subprocess.run([str(py), "-m", "compileall", "-q", site], check=True, stdout=subprocess.DEVNULL)
    return py


@functools.cache
def _compile_bytecode() -> None:
    import compileall
    import importlib.util

    for package in ("mldsl", "mldsl.compiler", "mldsl.backends"):
        spec = importlib.util.find_spec(package)
        for folder in (spec.submodule_search_locations or []) if spec else []:
            compileall.compile_dir(folder, quiet=1)


def run_seconds(cmd: Sequence[str], *, expect: int | None = 0, cwd: Path | None = None) -> float:
    """Wall time of one whole process; a wrong exit code ends the benchmark (a failing command is no figure)."""
    start = time.perf_counter()
    proc = subprocess.run(list(cmd), capture_output=True, text=True, cwd=cwd)
    seconds = time.perf_counter() - start
    if expect is not None and proc.returncode != expect:
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}, expected {expect}:\n{proc.stdout}{proc.stderr}")
    return seconds


def samples(fn: Callable[[], float], repeat: int, *, warm: int = 1) -> list[float]:
    """``repeat`` values of ``fn`` after ``warm`` discarded ones (the first pays for a cold disk cache)."""
    for _ in range(warm):
        fn()
    return [fn() for _ in range(repeat)]


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def _load() -> str:
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:  # pragma: no cover - not on Linux
        return "n/a"
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


@dataclass
class Target:
    """One goal: ``values`` (min/median/max are printed) checked against ``goal`` by its median."""

    name: str
    values: list[float]
    goal: float
    unit: str = "s"
    at_least: bool = False  # the goal is a floor, not a ceiling

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def met(self) -> bool:
        return self.median >= self.goal if self.at_least else self.median <= self.goal

    def show(self, value: float) -> str:
        if self.unit == "s":
            return f"{value * 1000:.0f} ms" if value < 10 else f"{value:.1f} s"
        if self.unit == "x":
            return f"{value:.2f}×"
        return f"{value:,.0f} {self.unit}"


@dataclass
class Report:
    """The rows of one benchmark, printed with the machine and its load; exit status from ``--check``."""

    title: str
    targets: list[Target] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    load_before: str = field(default_factory=_load)

    def add(self, target: Target) -> Target:
        self.targets.append(target)
        return target

    def note(self, text: str) -> None:
        self.notes.append(text)

    def print(self) -> None:
        print(f"## {self.title}")
        print(f"machine: {_machine()}; load average (1/5/15 min) {self.load_before} at start, {_load()} at end")
        print()
        print("| target | min | median | max | goal | verdict |")
        print("|---|---|---|---|---|---|")
        for t in self.targets:
            sign = "≥" if t.at_least else "≤"
            verdict = "pass" if t.met else "FAIL"
            cells = [t.show(min(t.values)), t.show(t.median), t.show(max(t.values))]
            print(f"| {t.name} | {' | '.join(cells)} | {sign} {t.show(t.goal)} | {verdict} |")
        for text in self.notes:
            print(f"\n{text}")
        print()

    @property
    def ok(self) -> bool:
        return all(t.met for t in self.targets)

    def finish(self, check: bool) -> int:
        """Print, and return the exit status: 1 when ``check`` and a target failed."""
        self.print()
        failed = [t.name for t in self.targets if not t.met]
        passed = f"{len(self.targets) - len(failed)} of {len(self.targets)} targets pass"
        print(passed + (f"; failing: {', '.join(failed)}" if failed else ""))
        return 1 if check and failed else 0
