"""A bounded, seeded run of the hostile-input fuzzer (``tools/fuzz.py`` runs 10,000 cases and more).

Every case must end in exit 0, 1 or 2 within the time limit, without an internal error, without files from a
failed compile, and a file fmt rewrote must compile exactly as before and stay as it is on a second fmt.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import fuzzing
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

#: cases per run: about 10 s on one core
BUDGET = int(os.environ.get("MLDSL_FUZZ_CASES", "400"))


@pytest.mark.parametrize("seed", [0, 1])
def test_the_mutation_corpus_finds_no_defect(tmp_path: Path, seed: int) -> None:
    defects = [d for case in fuzzing.cases(BUDGET // 2, seed + 1000) for d in fuzzing.run_case(case, tmp_path / "case")]
    assert not defects, "\n".join(f"{d.kind}: {d.case}: {d.detail}" for d in defects[:10])


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(
    pick=st.integers(min_value=0),
    edits=st.lists(st.tuples(st.sampled_from(fuzzing.KEYS), st.sampled_from(fuzzing.HOSTILE)), min_size=1, max_size=3),
)
def test_hostile_values_in_any_field_of_any_example(tmp_path_factory: pytest.TempPathFactory, pick: int, edits) -> None:
    """Hypothesis picks a corpus file and puts hostile values under mldsl's field names, where it likes."""
    pool = fuzzing.corpus()
    name, files, target = pool[pick % len(pool)]
    lines = files[target].split("\n")
    for i, (key, value) in enumerate(edits):
        at = (pick // (i + 1)) % len(lines)
        indent = len(lines[at]) - len(lines[at].lstrip(" "))
        lines.insert(at, " " * indent + f"{key}: {value}")
    case = fuzzing.Case(name, dict(files, **{target: "\n".join(lines)}), target)
    defects = fuzzing.run_case(case, tmp_path_factory.mktemp("case"))
    assert not defects, "\n".join(f"{d.kind}: {d.detail}" for d in defects)


def test_the_fuzzer_sees_a_crash_when_there_is_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fuzzer's own check: an exception inside compile is reported as a crash, not passed over."""
    from mldsl import compiler

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("planted")

    monkeypatch.setattr(compiler, "compile_paths", broken)
    [case] = list(fuzzing.cases(1, 0, generated=0))
    kinds = {d.kind for d in fuzzing.run_case(case, tmp_path / "case")}
    assert "crash" in kinds


# -- issue #28's hostile inputs, each kind tried once on every run (the random subset may draw few of them) --

LONG_VALUES = [v for v in fuzzing.HOSTILE if len(v) >= fuzzing.LONG // 2]


EXAMPLE = "examples/churn-train/pipelines/churn-train.yaml"


def example_text() -> str:
    [text] = [files[target] for name, files, target in fuzzing.corpus() if name == EXAMPLE]
    assert isinstance(text, str)
    return text


def one_case(tmp_path: Path, name: str, content: str | bytes) -> list[fuzzing.Defect]:
    [(files, target)] = [(files, target) for n, files, target in fuzzing.corpus() if n == EXAMPLE]
    return fuzzing.run_case(fuzzing.Case(name, dict(files, **{target: content}), target), tmp_path / "case")


@pytest.mark.parametrize("value", LONG_VALUES, ids=[v[:12] for v in LONG_VALUES])
def test_a_line_of_80000_brackets_is_no_defect(tmp_path: Path, value: str) -> None:
    text = example_text().replace("\nspec:\n", "\nspec: " + value + "\n", 1)
    assert value in text
    assert not one_case(tmp_path, "long", text)


@pytest.mark.parametrize("style", range(3))
def test_a_flood_of_quoted_keys_is_no_defect(tmp_path: Path, style: int) -> None:
    lines = example_text().split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("    ") and ":" in line)
    assert not one_case(tmp_path, "flood", "\n".join(fuzzing.flood(lines, at, random.Random(style), style)))


@pytest.mark.parametrize("pick", range(fuzzing.GARBLES))
def test_bytes_that_are_not_utf8_or_carry_a_bom_are_no_defect(tmp_path: Path, pick: int) -> None:
    assert not one_case(tmp_path, "garbled", fuzzing.garble(example_text(), random.Random(pick), pick))


def test_the_fuzzer_sees_a_hang_when_there_is_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A command that keeps the CPU busy past the limit is reported as a hang (the limit is CPU time)."""
    from mldsl import compiler

    def spin(*args: object, **kwargs: object) -> None:
        while True:
            pass

    monkeypatch.setattr(compiler, "compile_paths", spin)
    monkeypatch.setattr(fuzzing, "TIME_LIMIT", 0.3)
    [case] = list(fuzzing.cases(1, 0, generated=0))
    assert [d.kind for d in fuzzing.run_case(case, tmp_path / "case")] == ["hang"]
