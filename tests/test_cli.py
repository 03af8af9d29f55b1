"""The command line as users and CI meet it: exit codes, formats, no partial output, no tracebacks."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, example_dirs

BAD = ROOT / "tests" / "invalid"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mldsl", *args], capture_output=True, text=True, cwd=cwd)


def test_validate_ok() -> None:
    p = run("validate", str(example_dirs()[0]))
    assert p.returncode == 0, p.stderr
    assert "ok" in p.stderr


def test_validate_reports_every_error_of_every_file() -> None:
    p = run("validate", str(BAD / "MLD301-unknown-param.yaml"), str(BAD / "MLD204-bad-default.yaml"))
    assert p.returncode == 1
    assert "MLD301-unknown-param.yaml:10:43: error[MLD301]: unknown param 'flor'" in p.stderr
    assert "hint: did you mean 'floor'?" in p.stderr
    assert "MLD204-bad-default.yaml:7:37: error[MLD204]" in p.stderr
    assert "Traceback" not in p.stderr


def test_json_and_github_formats() -> None:
    p = run("validate", "--format", "json", str(BAD / "MLD400-module-not-found.yaml"))
    assert p.returncode == 1
    [d] = json.loads(p.stdout)
    assert (d["code"], d["line"], d["col"], d["hint"]) == ("MLD400", 8, 13, "did you mean 'check-metrics'?")
    p = run("validate", "--format", "github", str(BAD / "MLD400-module-not-found.yaml"))
    assert p.returncode == 1
    assert p.stdout.startswith("::error file=") and ",line=8,col=13,title=MLD400::" in p.stdout


def test_compile_writes_one_file_per_object(tmp_path: Path) -> None:
    example = next(d for d in example_dirs() if d.name == "nightly-regions")
    p = run("compile", str(example), "-o", str(tmp_path / "out"))
    assert p.returncode == 0, p.stderr
    assert sorted(f.name for f in (tmp_path / "out").iterdir()) == [
        "nightly-regions.cronworkflow.yaml",
        "nightly-regions.workflowtemplate.yaml",
    ]


def test_compile_writes_nothing_on_error(tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(example_dirs()[0], src)
    shutil.copy(BAD / "MLD303-type-mismatch.yaml", src / "broken.yaml")
    out = tmp_path / "out"
    p = run("compile", str(src), "-o", str(out))
    assert p.returncode == 1
    assert not out.exists() or not any(out.iterdir())


def test_compile_with_crds_option(tmp_path: Path) -> None:
    from conftest import UPSTREAM

    crds = UPSTREAM / "argo-workflows"
    if not crds.is_dir():
        import pytest

        pytest.skip(f"upstream Argo CRDs not found at {crds}")
    p = run("compile", str(example_dirs()[0]), "-o", str(tmp_path / "o"), "--crds", str(crds))
    assert p.returncode == 0, p.stderr


def test_usage_errors_exit_2() -> None:
    assert run("compile", str(example_dirs()[0])).returncode == 2  # -o missing
    assert run("validate").returncode == 2
    assert run("frobnicate").returncode == 2


def test_missing_path_is_an_input_error() -> None:
    p = run("validate", "no/such/file.yaml")
    assert p.returncode == 1
    assert "error[MLD001]" in p.stderr


def test_schema_command(tmp_path: Path) -> None:
    p = run("schema")
    assert p.returncode == 0
    schema = json.loads(p.stdout)
    assert schema["$schema"].endswith("2020-12/schema")
    assert {r["$ref"].rsplit("/", 1)[1] for r in schema["oneOf"]} == set(
        ["ProjectDoc", "ModuleDoc", "PipelineDoc", "SweepDoc", "ServingDoc"]
    )


def test_help_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys; from mldsl.cli.main import cli\n"
        "heavy = [m for m in ('pydantic', 'networkx', 'lark', 'jsonschema') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert p.stdout.strip() == ""


def test_compile_removes_the_manifests_of_a_renamed_pipeline_and_nothing_else(tmp_path: Path) -> None:
    """Issue #12, item 9: `kubectl apply -f out/` must not schedule a pipeline's old name too."""
    project = tmp_path / "ct"
    shutil.copytree(ROOT / "examples" / "churn-train", project)
    out = tmp_path / "out"
    assert run("compile", str(project), "-o", str(out)).returncode == 0
    assert run("compile", str(ROOT / "examples" / "nightly-regions"), "-o", str(out)).returncode == 0  # another project
    (out / "notes.yaml").write_text("# the team's own file\n")
    source = project / "pipelines" / "churn-train.yaml"
    source.write_text(source.read_text().replace("name: churn-train\n", "name: churn-train-v2\n", 1))
    proc = run("compile", str(project), "-o", str(out))
    assert proc.returncode == 0 and "removed" in proc.stdout
    assert sorted(f.name for f in out.iterdir()) == [
        "churn-train-v2.workflowtemplate.yaml",
        "nightly-regions.cronworkflow.yaml",
        "nightly-regions.workflowtemplate.yaml",
        "notes.yaml",
    ]
