"""Hostile text costs time linear in its size (issue #28): a syntax error on a line of 80,000 brackets, and
thousands of wrong names each compared with thousands of right ones, are reported in well under a second.

The figures are measured by ``benchmarks/long_lines.py``; here the bound is 5 s, robust on a loaded machine
(the quadratic hint took 66 s on 80,000 ``{``).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from mldsl.lang.yamlsource import load_yaml_text

N = 80_000
LONG_LINES = [
    "spec: {a: b} " + "{" * N,
    "spec: {a: b} " + "[" * N,
    "spec: ]" + "{[" * (N // 2),
    "spec: '" + "{" * N,
    "spec: " + "{" * N,
    "spec: " + "[" * N,
]


def test_a_syntax_error_on_a_line_of_80000_brackets_is_reported_at_once(tmp_path: Path) -> None:
    for i, text in enumerate(LONG_LINES):
        (tmp_path / f"long{i}.yaml").write_text("apiVersion: mldsl/v1\nkind: Module\n" + text + "\n")
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "mldsl", "validate", *sorted(tmp_path.iterdir())], capture_output=True, text=True, timeout=120
    )
    took = time.monotonic() - start
    assert proc.returncode == 1 and "internal error" not in proc.stderr, proc.stderr[-2000:]
    assert proc.stderr.count("error[MLD00") == len(LONG_LINES), proc.stderr[-2000:]
    assert took < 5, f"validate took {took:.1f} s"


def test_the_hint_for_a_bracketed_type_inside_braces_still_comes() -> None:
    for text in ("spec: {a: list[int]]", "spec: {a: {b: dict[str, int]]"):
        [diag] = load_yaml_text(text, "f.yaml")[1]
        assert diag.hint == "inside { }, quote a type with brackets: {type: 'list[str]'}", text
    [diag] = load_yaml_text("spec: {a: {b: 1}, c: list[int]]", "f.yaml")[1]  # no '{' open right before it
    assert diag.hint is None


def test_thousands_of_wrong_step_names_are_reported_in_linear_time(tmp_path: Path) -> None:
    """Each unknown ``after`` got a did-you-mean over every step: 3,000 steps took over two minutes."""
    lines = ["apiVersion: mldsl/v1", "kind: Pipeline", "metadata: {name: flood}", "spec:", "  steps:"]
    for i in range(3000):
        lines += [f"    s{i:05d}:", "      uses: notify-webhook@1", f"      after: [s{i:05d}x]"]
        lines += ["      with: {url: 'https://x', message: m}"]
    (tmp_path / "p.yaml").write_text("\n".join(lines) + "\n")
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "mldsl", "validate", "p.yaml"], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    took = time.monotonic() - start
    assert proc.stderr.count("error[MLD406]") == 3000, proc.stderr[-2000:]
    assert "did you mean 's00000'?" in proc.stderr  # the first mistakes still get their suggestion
    assert took < 15, f"validate took {took:.1f} s"


def test_libyamls_own_nesting_bound_reads_as_mld005() -> None:
    """PyYAML 6.0.4's wheels bring libyaml's MAX_NESTING_LEVEL: its scanner may refuse a deep flow collection
    before mldsl's own depth check sees an event. The refusal is the same MLD005, whichever comes first."""
    import yaml

    from mldsl.lang.yamlerrors import syntax_diag

    mark = yaml.Mark("x.yaml", 0, 0, 1005, None, None)
    exc = yaml.scanner.ScannerError(
        problem="exceeded maximum nesting depth", problem_mark=mark, context="while increasing flow level"
    )
    diag = syntax_diag("x.yaml", exc, "", 200)
    assert (diag.code, diag.span.line, diag.span.col) == ("MLD005", 1, 1006)
