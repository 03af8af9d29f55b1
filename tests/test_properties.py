"""Property tests: mutated documents never crash the compiler; output is a pure function of input."""

from __future__ import annotations

import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mldsl.backends import emit_all
from mldsl.compiler import compile_paths

from conftest import example_dirs

SOURCES = sorted(f for d in example_dirs() for f in d.rglob("*.yaml"))
NOISE = st.sampled_from(
    [
        "",
        " ",
        ":",
        "-",
        "{",
        "}",
        "[",
        "]",
        "'",
        '"',
        "${{",
        "}}",
        "\n",
        "  ",
        "&a",
        "*a",
        "!!python/object:x",
        "0",
        "1.5",
        "true",
        "null",
        "params.",
        "steps.",
        "item",
        "<<: ",
        "\t",
        "#",
        "%",
        "@",
        "é",
        "\x00",
    ]
)


@st.composite
def mutated(draw: st.DrawFn) -> tuple[Path, str]:
    source = draw(st.sampled_from(SOURCES))
    text = source.read_text(encoding="utf-8")
    for _ in range(draw(st.integers(1, 4))):
        pos = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["insert", "delete", "replace", "swap_lines"]))
        if kind == "insert":
            text = text[:pos] + draw(NOISE) + text[pos:]
        elif kind == "delete":
            text = text[:pos] + text[pos + draw(st.integers(1, 12)) :]
        elif kind == "replace":
            text = text[:pos] + draw(NOISE) + text[pos + draw(st.integers(1, 6)) :]
        else:
            lines = text.splitlines(keepends=True)
            if len(lines) > 2:
                i = draw(st.integers(0, len(lines) - 2))
                lines[i], lines[i + 1] = lines[i + 1], lines[i]
                text = "".join(lines)
    return source, text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=mutated())
def test_mutations_never_escape_as_exceptions(case: tuple[Path, str], tmp_path_factory) -> None:
    source, text = case
    root = tmp_path_factory.mktemp("m")
    example = next(d for d in example_dirs() if d in source.parents)
    shutil.copytree(example, root / example.name, dirs_exist_ok=True)
    target = root / example.name / source.relative_to(example)
    target.write_text(text, encoding="utf-8")
    result = compile_paths([root / example.name])  # must not raise
    if result.ok:
        manifests = emit_all(result.program)  # must not raise either
        assert all(m.body["kind"] for m in manifests)
    else:
        for d in result.diagnostics:
            assert d.code.startswith("MLD") and d.span.line >= 1 and d.span.col >= 1 and d.message


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(example_dirs()))
def test_compiling_twice_gives_identical_output(example: Path) -> None:
    from mldsl.util.yamlout import dump

    first = [dump(m.body) for m in emit_all(compile_paths([example]).program)]
    second = [dump(m.body) for m in emit_all(compile_paths([example]).program)]
    assert first == second
