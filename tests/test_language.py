"""Types, expressions, the YAML loader and constraint checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from mldsl.lang.constraints import Param, check_value
from mldsl.lang.expressions import Binary, Call, ExprError, Literal, Ref, parse_template
from mldsl.lang.mtypes import TypeSyntaxError, assignable, parse_type
from mldsl.lang.yamlsource import load_yaml_text


@pytest.mark.parametrize(
    ("src", "dst", "ok"),
    [
        ("int", "float", True),
        ("float", "int", False),
        ("str", "int", False),
        ("bool", "int", False),
        ("list[int]", "list[float]", True),
        ("list[float]", "list[int]", False),
        ("dict[str, int]", "dict[str, float]", True),
        ("artifact", "artifact", True),
        ("secret", "str", False),
        ("list[str]", "str", False),
    ],
)
def test_assignable(src: str, dst: str, ok: bool) -> None:
    assert assignable(parse_type(src), parse_type(dst)) is ok


def test_enum_and_artifact_rules() -> None:
    from mldsl.lang.mtypes import MType

    small, big = MType("enum", values=("a", "b")), MType("enum", values=("a", "b", "c"))
    assert assignable(small, big) and not assignable(big, small)
    assert assignable(small, parse_type("str")) and not assignable(parse_type("str"), small)
    assert assignable(MType("artifact", format="parquet"), MType("artifact"))
    assert not assignable(MType("artifact", format="parquet"), MType("artifact", format="csv"))


@pytest.mark.parametrize("bad", ["lst[int]", "list", "dict[int, str]", "list[int", "int[str]"])
def test_type_errors(bad: str) -> None:
    with pytest.raises(TypeSyntaxError):
        parse_type(bad)


def test_template_parsing_and_offsets() -> None:
    t = parse_template("gs://b/${{ params.day }}/x-${{ len(params.r) }}")
    assert t.single is None and len(t.exprs) == 2
    assert t.exprs[0].expr == Ref(11, ("params", "day"))
    e = parse_template("${{ a.b >= 1 and not c or 'x' in d }}").single
    assert isinstance(e, Binary) and e.op == "or"
    assert parse_template("${{ join(params.r, '-') }}").single == Call(4, "join", (Ref(9, ("params", "r")), Literal(19, "-")))
    assert parse_template("${{ -2.5e3 }}").single == Literal(4, -2500.0)


@pytest.mark.parametrize(
    ("text", "code", "offset"),
    [
        ("${{ a = 1 }}", "MLD300", 6),
        ("x ${{ a", "MLD311", 2),
        ("${{ nope(1) }}", "MLD305", 4),
        ("${{ }}", "MLD300", 0),
        ("${{ (a }}", "MLD300", 6),
    ],
)
def test_expression_errors(text: str, code: str, offset: int) -> None:
    with pytest.raises(ExprError) as err:
        parse_template(text)
    assert (err.value.code, err.value.offset) == (code, offset)


def test_check_value() -> None:
    p = Param("lr", parse_type("float"), minimum=0.0, exclusive_min=True, maximum=1.0)
    assert check_value(p, 0.5) == [] and check_value(p, 1) == []
    assert check_value(p, 0.0) == ["0.0 must be greater than 0.0"]
    assert check_value(p, True) == ["expected float, got true (bool)"]
    s = Param("day", parse_type("str"), pattern=r"^\d{4}-\d{2}-\d{2}$")
    assert check_value(s, "2024-06-01") == [] and check_value(s, "June") != []
    lst = Param("r", parse_type("list[int]"), min_length=1)
    assert check_value(lst, []) == ["length 0 is below the minimum length 1"]
    assert check_value(lst, [1, "2"]) == ["item 1: expected int, got '2' (str)"]


def test_loader_positions_duplicates_and_safety() -> None:
    docs, diags = load_yaml_text("a: 1\nb:\n  - x\n  - {c: 2}\n---\nk: v\n", "f.yaml")
    assert [d.data for d in docs] == [{"a": 1, "b": ["x", {"c": 2}]}, {"k": "v"}]
    assert docs[0].positions.span(("b", 1, "c")).line == 4
    assert docs[0].positions.span(("b", 1, "c"), key=True).col == 6
    _, diags = load_yaml_text("a: 1\nb: 2\na: 3\n", "f.yaml")
    assert [(d.code, d.span.line) for d in diags] == [("MLD003", 3)]
    _, diags = load_yaml_text("x: !!python/name:os.system\n", "f.yaml")
    assert [d.code for d in diags] == ["MLD004"]
    _, diags = load_yaml_text("base: &b {x: 1}\nother:\n  <<: *b\n", "f.yaml")
    assert [d.code for d in diags] == ["MLD004"]


def test_dates_stay_strings() -> None:
    docs, _ = load_yaml_text("fixed: {date: 2024-06-01}\n", "f.yaml")
    assert docs[0].data == {"fixed": {"date": "2024-06-01"}}


def test_numbers_are_yaml_1_2_numbers() -> None:
    """SPEC §1.10: ``1e-3`` is a float (PyYAML's YAML 1.1 resolver gives the string '1e-3')."""
    text = "a: [1e-3, 1E5, 010, 0o17, 0x1F, -.5, .inf, 2.5]\nb: [1_000, 0b11, '1e-3', 1:30, yes]\n"
    docs, diags = load_yaml_text(text, "f.yaml")
    assert not diags
    assert docs[0].data["a"] == [0.001, 100000.0, 10, 15, 31, -0.5, float("inf"), 2.5]
    # text, a quoted string, and YAML 1.2's core schema: only true/false are booleans, ``yes`` is text (#26 item 6)
    assert docs[0].data["b"] == ["1_000", "0b11", "1e-3", "1:30", "yes"]


def test_a_learning_rate_written_1e_3_is_a_float_everywhere(tmp_path: Path) -> None:
    from mldsl.compiler import compile_paths

    (tmp_path / "p.yaml").write_text(
        "apiVersion: mldsl/v1\nkind: Pipeline\nmetadata: {name: tune}\nspec:\n"
        "  params:\n    lr: {type: float, default: 1e-3, min: 1e-6, max: 1e-1}\n"
        "  steps:\n    check: {uses: check-metrics@1, with: {values: [1e-2], minimum: '${{ params.lr }}'}}\n"
        "---\napiVersion: mldsl/v1\nkind: Sweep\nmetadata: {name: tune-lr}\nspec:\n  pipeline: tune\n"
        "  strategy: random\n  max_trials: 4\n  params:\n    lr: {loguniform: [1e-5, 1e-2]}\n"
        "  objective: {metric: steps.check.outputs.mean, goal: maximize}\n",
        encoding="utf-8",
    )
    result = compile_paths([tmp_path / "p.yaml"])
    assert result.ok, [d.render() for d in result.diagnostics]
    (pipeline,) = result.program.pipelines
    assert pipeline.params[0].default == 0.001
    (sweep,) = result.program.sweeps
    assert all(1e-5 <= t["lr"] <= 1e-2 for t in sweep.trials)


def _yaml_graph(seed: int) -> str:
    """A random document of anchors and aliases (nested lists and mappings, repeats, a cycle now and then)."""
    import random

    rnd = random.Random(seed)
    lines, anchors = [], []
    for i in range(rnd.randint(2, 7)):
        items = []
        for _ in range(rnd.randint(1, 5)):
            pick = rnd.random()
            if anchors and pick < 0.6:
                items.append(f"*{rnd.choice(anchors)}")
            elif pick < 0.8:
                items.append("{k: x, k2: [y]}" if rnd.random() < 0.5 else "{k: x, k: y}")
            else:
                items.append("lol")
        lines.append(f"a{i}: &a{i} [{', '.join(items)}]")
        anchors.append(f"a{i}")
        if rnd.random() < 0.05:
            lines.append(f"c{i}: &c{i} [x, *c{i}]".replace(f"*c{i}", f"*a{i}"))
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("limits", [(40, 200), (300, 200), (5_000, 4), (200_000, 3)])
def test_alias_limits_are_found_without_expanding_where_the_expansion_would_stop(
    limits: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The measure-first refusal (fast on a 10^9 bomb) names the value the plain expansion would stop at."""
    import mldsl.lang.yamlsource as ys

    monkeypatch.setattr(ys, "MAX_NODES", limits[0])
    monkeypatch.setattr(ys, "MAX_DEPTH", limits[1])
    refused = 0
    for seed in range(300):
        text = _yaml_graph(seed)
        fast, fast_diags = load_yaml_text(text, "g.yaml")
        monkeypatch.setattr(ys._Builder, "build_document", lambda self, node, aliases=True: self.build(node, ()))
        slow, slow_diags = load_yaml_text(text, "g.yaml")
        monkeypatch.undo()
        monkeypatch.setattr(ys, "MAX_NODES", limits[0])
        monkeypatch.setattr(ys, "MAX_DEPTH", limits[1])
        too_big = [str(d) for d in slow_diags if d.code == "MLD005"]
        if too_big:  # refused before expanding: the copies' own mistakes (one per alias) are not repeated
            assert [str(d) for d in fast_diags if d.code == "MLD005"] == too_big, text
            refused += 1
        else:
            assert [str(d) for d in fast_diags] == [str(d) for d in slow_diags], text
        assert [d.data for d in fast] == [d.data for d in slow]
    assert refused, "no case reached a limit: the test would prove nothing"


def test_nan_is_no_number_a_param_takes_and_a_pattern_ends_where_javascript_says() -> None:
    """Issue #12, item 10: NaN passed every min and max; Python's ``$`` accepted a trailing newline the form refuses."""
    from mldsl.lang.mtypes import MType

    score = Param("score", MType("float"), minimum=0.0, maximum=1.0)
    assert check_value(score, float("nan")) and not check_value(score, 0.5)
    day = Param("day", MType("str"), pattern=r"^\d{4}-\d{2}-\d{2}$")
    assert check_value(day, "2026-12-05\n") and not check_value(day, "2026-12-05")
    assert not check_value(Param("p", MType("str"), pattern=r"^[$]x$"), "$x")


DEEP = "apiVersion: mldsl/v1\nkind: Module\nmetadata: " + "[" * 25_000 + "]" * 25_000 + "\n"


def test_deep_nesting_is_refused_before_the_c_composer_sees_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue #12 item 1: 25,000 levels crashed PyYAML's C composer (exit 139) where libyaml does not bound nesting."""
    from mldsl.lang import yamlsource

    docs, diags = yamlsource.load_yaml_text(DEEP, "deep.yaml")  # this libyaml bounds it: MLD002 at level 1,000
    assert not docs and [d.code for d in diags] in (["MLD002"], ["MLD005"])
    import yaml

    monkeypatch.setattr(yamlsource, "_parser_limits_nesting", lambda: False)  # a parser without the bound:
    monkeypatch.setattr(yaml, "CSafeLoader", yaml.SafeLoader)  # PyYAML's own, which has none
    monkeypatch.setattr(yamlsource, "_Loader", None)  # composing at all would now fail the test
    docs, diags = yamlsource.load_yaml_text(DEEP, "deep.yaml")
    assert not docs and [(d.code, d.span.line, d.span.col) for d in diags] == [("MLD005", 3, 210)]


@pytest.mark.parametrize("verb", ["validate", "compile", "fmt"])
def test_deep_nesting_is_an_error_in_every_command(tmp_path: Path, verb: str) -> None:
    import subprocess
    import sys

    (tmp_path / "deep.yaml").write_text(DEEP)
    args = [verb, str(tmp_path / "deep.yaml")] + (["-o", str(tmp_path / "out")] if verb == "compile" else [])
    p = subprocess.run([sys.executable, "-m", "mldsl", *args], capture_output=True, text=True)
    assert p.returncode == 1 and "error[MLD00" in p.stderr and "internal error" not in p.stderr, p.stderr
