"""Documents read only inside the project (#12 item 2): a pull request cannot pull a CI runner's files into
manifests or diagnostics. Every case plants a secret outside the project and checks it appears nowhere."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from mldsl.cli.main import cli

SECRET = "ghp_SECRETTOKEN0123456789"
PIPELINE = """apiVersion: mldsl/v1
kind: Pipeline
metadata: {{name: p}}
spec:
  steps:
    a:
      uses: {uses}
"""
MODULE = """apiVersion: mldsl/v1
kind: Module
metadata: {{name: m, version: 1.0.0}}
spec:
  run:
    python:
      {run}
"""


def invoke(*args: str, cwd: Path) -> tuple[int, str]:
    old = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(cli, list(args))
    finally:
        os.chdir(old)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


@pytest.fixture()
def layout(tmp_path: Path) -> Path:
    """``tmp/secret.txt``, ``tmp/outside/m.yaml`` (broken, holding the secret) and a project in ``tmp/proj``."""
    (tmp_path / "secret.txt").write_text(f"token = {SECRET}\n")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "m.yaml").write_text(f"apiVersion: mldsl/v1\nkind: Module\nmetadata: {SECRET}: [\n")
    proj = tmp_path / "proj"
    (proj / ".git").mkdir(parents=True)
    (proj / ".git" / "config").write_text(f"[http]\n  extraheader = AUTHORIZATION: basic {SECRET}\n")
    (proj / "mldsl.yaml").write_text("apiVersion: mldsl/v1\nkind: Project\nmetadata: {name: proj}\n")
    return proj


def _check_refused(proj: Path, code: str, *paths: str) -> str:
    for verb in ("validate", "compile"):
        args = [verb, *paths] if verb == "validate" else [verb, "-o", "out", *paths]
        rc, out = invoke(*args, cwd=proj)
        assert rc == 1, out
        assert f"error[{code}]" in out and "is not read" in out, out
        assert SECRET not in out
    assert not (proj / "out").exists()  # nothing written
    return out


@pytest.mark.parametrize(
    "file",
    ["../secret.txt", ".git/config", str(Path("/etc/hostname")), "link.py"],
    ids=["parent", "git-config", "absolute", "symlink-out"],
)
def test_python_file_outside_the_project_is_never_inlined(layout: Path, file: str) -> None:
    (layout / "link.py").symlink_to(layout.parent / "secret.txt")
    (layout / "m.yaml").write_text(MODULE.format(run=f"file: {file}"))
    out = _check_refused(layout, "MLD602", "m.yaml")
    assert "outside the project" in out or "hidden" in out


def test_uses_outside_the_project_is_not_read_nor_echoed(layout: Path) -> None:
    (layout / "p.yaml").write_text(PIPELINE.format(uses="../outside/m.yaml"))
    out = _check_refused(layout, "MLD411", "p.yaml")
    assert "module_paths" in out


def test_local_source_outside_the_project(layout: Path) -> None:
    module = MODULE.format(run="").replace("python:", "container: {image: x, local: {source: ../outside}}")
    (layout / "m.yaml").write_text(module)
    _check_refused(layout, "MLD602", "m.yaml")


def test_a_folder_link_to_an_outside_file_is_named_not_read(layout: Path) -> None:
    (layout / "pipes").mkdir()
    (layout / "pipes" / "evil.yaml").symlink_to(layout.parent / "outside" / "m.yaml")
    rc, out = invoke("validate", "pipes", cwd=layout)
    assert rc == 1 and "error[MLD001]" in out and "outside the project" in out and SECRET not in out, out


def test_module_paths_let_a_shared_library_in(layout: Path) -> None:
    shared = layout.parent / "platform"
    (shared / "m").mkdir(parents=True)
    (shared / "m" / "main.py").write_text("print('hello')\n")
    (shared / "m" / "module.yaml").write_text(MODULE.format(run="file: main.py"))
    (layout / "mldsl.yaml").write_text(
        "apiVersion: mldsl/v1\nkind: Project\nmetadata: {name: proj}\nspec: {module_paths: [../platform]}\n"
    )
    (layout / "p.yaml").write_text(PIPELINE.format(uses="m"))
    rc, out = invoke("compile", "-o", "out", "p.yaml", cwd=layout)
    assert rc == 0, out
    assert "print('hello')" in "".join(f.read_text() for f in (layout / "out").glob("*.yaml"))


def test_link_loops_are_errors_not_crashes(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").symlink_to(tmp_path / "b.yaml")
    (tmp_path / "b.yaml").symlink_to(tmp_path / "a.yaml")
    (tmp_path / "p.yaml").write_text(PIPELINE.format(uses="./a.yaml"))
    (tmp_path / "m.yaml").write_text(MODULE.format(run="file: a.yaml"))
    for args in (["validate", "."], ["validate", "p.yaml"], ["validate", "m.yaml"]):
        rc, out = invoke(*args, cwd=tmp_path)
        assert rc == 1 and "error[" in out and "internal error" not in out, (args, out)


def test_source_annotation_is_relative_without_a_project_file(tmp_path: Path) -> None:
    (tmp_path / "deep" / "er").mkdir(parents=True)
    p = tmp_path / "deep" / "er" / "p.yaml"
    p.write_text(PIPELINE.format(uses="check-metrics\n      with: {values: [1.0]}"))
    elsewhere = tmp_path.parent
    rc, out = invoke("compile", "-o", str(tmp_path / "out"), str(p), cwd=elsewhere)
    assert rc == 0, out
    text = "".join(f.read_text() for f in (tmp_path / "out").glob("*.yaml"))
    assert "mldsl.io/source: p.yaml" in text and str(tmp_path) not in text


def test_names_the_file_system_refuses_are_errors_not_crashes(tmp_path: Path) -> None:
    """Found by tools/fuzz.py: a 5,000-character name reached the file system (ENAMETOOLONG, an internal error)."""
    long = "x" * 5000
    (tmp_path / "mldsl.yaml").write_text(
        f"apiVersion: mldsl/v1\nkind: Project\nmetadata: {{name: p}}\nspec: {{module_paths: [{long}]}}\n"
    )
    pipeline = PIPELINE.format(uses=f"./{long}.yaml") + f"    b: {{uses: {long}}}\n    c: {{uses: ./{long}/m.yaml}}\n"
    (tmp_path / "p.yaml").write_text(pipeline)
    rc, out = invoke("validate", "p.yaml", cwd=tmp_path)
    assert rc == 1 and "internal error" not in out, out
    assert out.count("error[MLD411]") == 2 and out.count("error[MLD400]") == 1 and out.count("error[MLD001]") == 1, out
