"""Errors said in the language's words, not its internals' (issue #29 item 4): a number past a field's bound names the
field, its whole range and what it means; a mistyped ``-p`` names the param's type and range, never Python's
``invalid literal for int()``."""

from __future__ import annotations

from pathlib import Path

from mldsl.compiler import compile_paths, ir
from mldsl.lang.constraints import Param
from mldsl.lang.mtypes import parse_type
from mldsl.ops.params import parse_params

SERVING = """apiVersion: mldsl/v1
kind: Serving
metadata: {name: s}
spec:
  model: {uri: "s3://b/m", server: sklearn}
  replicas: -1
  traffic:
    - {name: a, weight: 120}
"""


def test_a_bound_names_the_field_its_range_and_what_it_means(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(SERVING)
    diags = {d.span.line: d for d in compile_paths([tmp_path]).diagnostics}
    weight, replicas = diags[8], diags[6]
    assert weight.code == "MLD107" and weight.message == "weight 120 is out of range: it must be from 0 to 100"
    assert weight.hint == "weight is the new model's share of traffic, in percent: give a whole number from 0 to 100"
    assert replicas.message == "replicas -1 is out of range: it must be 0 or more"
    assert "input should be" not in " ".join(f"{d.message} {d.hint}" for d in diags.values())


def test_an_optional_bounded_field_too(tmp_path: Path) -> None:
    """``weight`` of a deploy step is ``Annotated[int, Field(ge=0, le=100)] | None``: its bounds are found too."""
    (tmp_path / "p.yaml").write_text(
        "apiVersion: mldsl/v1\nkind: Pipeline\nmetadata: {name: p}\nspec:\n  steps:\n"
        "    d: {uses: check-metrics@1, weight: 101, with: {values: [1.0]}}\n"
    )
    [d] = [d for d in compile_paths([tmp_path]).diagnostics if d.code == "MLD107"]
    assert d.message == "weight 101 is out of range: it must be from 0 to 100"


def _pipeline(*params: Param) -> ir.Pipeline:
    return ir.Pipeline("train", None, None, (), (), params, ())


def test_a_mistyped_param_says_its_type_and_range() -> None:
    n = Param("n_estimators", parse_type("int"), default=200, minimum=10, maximum=1000)
    lr = Param("lr", parse_type("float"), default=0.1, minimum=0, exclusive_min=True)
    tags = Param("tags", parse_type("list[str]"), default=[])
    _, problems = parse_params(_pipeline(n, lr, tags), ["n_estimators=abc", "lr=fast", "tags=a,b"])
    assert problems == [
        "--param n_estimators: expected an int, got 'abc'; n_estimators takes an int from 10 to 1000 (default 200)",
        "--param lr: expected a float, got 'fast'; lr takes a float > 0 (default 0.1)",
        '--param tags: expected list[str] written as JSON (e.g. ["a", "b"]), got \'a,b\'; tags takes list[str] (default [])',
    ]
    _, problems = parse_params(_pipeline(n, lr, tags), ["n_estimators=5"])
    assert problems == [
        "--param n_estimators: 5 is below the minimum 10; n_estimators takes an int from 10 to 1000 (default 200)"
    ]
