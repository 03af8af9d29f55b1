"""``mldsl validate`` and ``mldsl compile`` with plain arguments run without click (issue #15), and do what
click's commands do: the same output, files and exit code."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mldsl.cli.entry import quick

from conftest import ROOT

QUICK = [sys.executable, "-m", "mldsl"]
CLICK = [sys.executable, "-c", "import sys; from mldsl.cli.main import main; main(sys.argv[1:])"]


def both(args: list[str], cwd: Path) -> tuple[subprocess.CompletedProcess[str], subprocess.CompletedProcess[str]]:
    return tuple(subprocess.run([*cmd, *args], capture_output=True, text=True, cwd=cwd) for cmd in (QUICK, CLICK))  # type: ignore[return-value]


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "examples/churn-train"],
        ["validate", "--format", "json", "tests/invalid/MLD104-wrong-type.yaml"],
        ["validate", "tests/invalid/MLD104-wrong-type.yaml", "--format=github"],
        ["validate", "no-such-file.yaml"],
    ],
)
def test_validate_prints_and_exits_as_the_click_command(args: list[str]) -> None:
    fast, slow = both(args, ROOT)
    assert (fast.returncode, fast.stdout, fast.stderr) == (slow.returncode, slow.stdout, slow.stderr)


def test_compile_writes_what_the_click_command_writes(tmp_path: Path) -> None:
    project = tmp_path / "p"
    shutil.copytree(ROOT / "examples" / "nightly-regions", project)
    fast = subprocess.run([*QUICK, "compile", ".", "-o", "out-a"], capture_output=True, text=True, cwd=project)
    slow = subprocess.run([*CLICK, "compile", ".", "--output=out-b"], capture_output=True, text=True, cwd=project)
    assert fast.returncode == slow.returncode == 0, fast.stderr + slow.stderr
    assert fast.stdout.replace("out-a", "out") == slow.stdout.replace("out-b", "out")
    assert fast.stderr.replace("out-a", "out") == slow.stderr.replace("out-b", "out")
    a, b = sorted((project / "out-a").iterdir()), sorted((project / "out-b").iterdir())
    assert [f.name for f in a] == [f.name for f in b] and [f.read_bytes() for f in a] == [f.read_bytes() for f in b]


def test_plain_calls_do_not_import_click(tmp_path: Path) -> None:
    code = (
        "import sys; from mldsl.cli.entry import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit as e:\n    print(e.code, 'click' in sys.modules, file=sys.stderr)\n"
    )
    p = subprocess.run(
        [sys.executable, "-c", code, "validate", str(ROOT / "examples" / "churn-train")], capture_output=True, text=True
    )
    assert p.stderr.strip().splitlines()[-1] == "0 False", p.stderr
    p = subprocess.run(
        [sys.executable, "-c", code, "validate", "--crds", str(tmp_path), "x.yaml"], capture_output=True, text=True
    )
    assert p.stderr.strip().splitlines()[-1].endswith("True")  # an option read by click only: click runs


def test_anything_but_plain_arguments_goes_to_click(tmp_path: Path) -> None:
    assert quick(["validate", "a.yaml", "b/"]) == ("validate", (Path("a.yaml"), Path("b/")), None, "text")
    assert quick(["compile", "p", "-o", "out", "--format", "json"]) == ("compile", (Path("p"),), Path("out"), "json")
    (tmp_path / "file").write_text("")
    for args in (
        ["validate"],
        ["validate", "--help"],
        ["validate", "-h", "x"],
        ["validate", "x", "--crds", "d"],
        ["validate", "x", "-o", "out"],
        ["validate", "x", "--format", "yaml"],
        ["validate", "-"],
        ["validate", "--", "x"],
        ["compile", "p"],
        ["compile", "p", "-o"],
        ["compile", "p", "-oout"],
        ["compile", "p", "-o", "a", "-o", "b"],
        ["compile", "p", "-o", str(tmp_path / "file")],
        ["fmt", "x"],
        [],
    ):
        assert quick(args) is None, args
