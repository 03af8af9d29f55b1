"""`mldsl fmt`: canonical, comment-keeping, idempotent, atomic; `--check` for CI."""

from __future__ import annotations

import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mldsl.fmt.format import format_text
from mldsl.lang.yamlsource import load_yaml_text

from conftest import ROOT, example_dirs

FILES = sorted(
    [f for d in example_dirs() for f in d.rglob("*.yaml")]
    + list((ROOT / "modules").rglob("*.yaml"))
    + [f for f in (ROOT / "tests" / "invalid").rglob("*.yaml") if not load_yaml_text(f.read_text(), "x")[1]]
)


def comments(text: str) -> list[str]:
    return [m.group(0).strip() for m in re.finditer(r"#[^\n]*", text) if not m.group(0).startswith("#{")]


def test_examples_keep_every_comment_and_are_idempotent() -> None:
    assert len(FILES) > 40
    for f in FILES:
        text = f.read_text(encoding="utf-8")
        once, diags = format_text(text)
        assert not diags, f
        twice, _ = format_text(once)
        assert twice == once, f"fmt is not idempotent on {f}"
        assert sorted(comments(once)) == sorted(comments(text)), f"comments lost in {f}"
        a, _ = load_yaml_text(text, "a")
        b, _ = load_yaml_text(once, "b")
        assert [d.data for d in a] == [d.data for d in b], f"fmt changed the data of {f}"


def test_canonical_layout() -> None:
    messy = (
        "spec:   # the spec\n    steps:\n        a:\n            uses: x\n            after:\n            - b\n"
        "kind: Pipeline\nmetadata:\n    version: 1.0.0\n    name: p\napiVersion: mldsl/v1   \n"
    )
    out, _ = format_text(messy)
    assert out == (
        "apiVersion: mldsl/v1\nkind: Pipeline\nmetadata:\n  name: p\n  version: 1.0.0\nspec:   # the spec\n"
        "  steps:\n    a:\n      uses: x\n      after:\n        - b\n"
    )


def test_invalid_yaml_is_reported_and_left_alone() -> None:
    text = "a: [1\n"
    out, diags = format_text(text, "f.yaml")
    assert out == text and [d.code for d in diags] == ["MLD002"]


def test_cli_check_and_write(tmp_path: Path) -> None:
    src = next(d for d in example_dirs() if d.name == "churn-train")
    work = tmp_path / "p"
    shutil.copytree(src, work)
    target = work / "pipelines" / "churn-train.yaml"
    target.write_text(
        target.read_text().replace("\n  steps:", "\n  steps:   # keep me").replace("  params:\n", "  params:\n  \n")
    )
    (work / "values.yaml").write_text("not:   mldsl\n")  # other tools' YAML is left alone
    run = [sys.executable, "-m", "mldsl", "fmt"]
    check = subprocess.run([*run, "--check", str(work)], capture_output=True, text=True)
    assert check.returncode == 1 and "would reformat" in check.stdout and "churn-train.yaml" in check.stdout
    gh = subprocess.run([*run, "--check", "--format", "github", str(work)], capture_output=True, text=True)
    assert gh.returncode == 1 and "title=MLD010::file is not formatted" in gh.stdout
    before = target.read_text()
    assert subprocess.run([*run, str(work)], capture_output=True, text=True).returncode == 0
    after = target.read_text()
    assert after != before and "# keep me" in after
    assert (work / "values.yaml").read_text() == "not:   mldsl\n"
    assert subprocess.run([*run, "--check", str(work)], capture_output=True, text=True).returncode == 0
    assert not list(work.rglob(".*.yaml.*")), "temporary files left behind"


@st.composite
def reindented(draw: st.DrawFn) -> str:
    """An example re-indented with a random width, keys of the top level shuffled."""
    text = draw(st.sampled_from(FILES)).read_text(encoding="utf-8")
    width = draw(st.sampled_from([2, 3, 4]))
    lines = [re.sub(r"^( +)", lambda m: " " * (len(m.group(1)) // 2 * width), line) for line in text.splitlines()]
    return "\n".join(lines) + draw(st.sampled_from(["\n", "\n\n", ""]))


@settings(max_examples=60, deadline=None)
@given(reindented())
def test_fmt_is_idempotent(text: str) -> None:
    once, diags = format_text(text)
    if diags:
        return  # re-indenting block scalars can make invalid YAML: reported, not formatted
    assert format_text(once)[0] == once


_SCALARS = [
    "1",
    "-3",
    "1.5",
    "1.50",
    "1e-3",
    "0x1F",
    "010",
    "yes",
    "On",
    "true",
    "False",
    "null",
    "~",
    "abc",
    "1.0.0",
    "2024-01-01",
    "1:30",
    ".mldsl/x",
    "s3://b",
    "-x",
    '"q x"',
    "'s'",
    "'it''s'",
    '"a\\tb"',
    '"${{ params.x }}"',
    "busybox:1.36",
    "a b",
    "&anc v",
    "*anc",
    "!!str 5",
    ".inf",
    "+1",
]
_COMMON = ["1", "-3", "1.5", "abc", "true", '"q x"', "'s'", "busybox:1.36", "a b", "1.0.0", "s3://b", '"${{ params.x }}"']


def _scalar(rnd: random.Random) -> str:
    return rnd.choice(_COMMON if rnd.random() < 0.9 else _SCALARS)


def _random_yaml(rnd: random.Random, depth: int = 0, indent: int = 0) -> list[str]:
    """Lines of a random block mapping, in and around the layout ``fmt`` writes."""
    lines: list[str] = []
    pool = ["apiVersion", "kind", "metadata", "spec", "name", "a", "b_2", "s3://k", "x.y"]
    pool += ["yes"] if rnd.random() < 0.1 else []
    keys = rnd.sample(pool, rnd.randint(1, 5))
    for key in keys:
        pad = " " * indent
        if rnd.random() < 0.1:
            lines.append(" " * rnd.choice([0, indent, indent + 2]) + "# " + rnd.choice(["note", "x: y", "- z"]))
        if rnd.random() < 0.08:
            lines.append(rnd.choice(["", " "]))
        pick = rnd.random()
        if depth < 3 and pick < 0.25:
            lines.append(f"{pad}{key}:")
            lines += _random_yaml(rnd, depth + 1, indent + rnd.choice([2, 2, 2, 4]))
        elif depth < 3 and pick < 0.4:
            lines.append(f"{pad}{key}:")
            dash = indent + rnd.choice([0, 2, 2, 2])
            for _ in range(rnd.randint(1, 3)):
                if rnd.random() < 0.3:
                    inner = _random_yaml(rnd, depth + 1, dash + 2)
                    lines.append(" " * dash + "- " + inner[0].lstrip() if inner[0].strip() else " " * dash + "- x")
                    lines += inner[1:]
                else:
                    lines.append(" " * dash + "- " + _scalar(rnd))
        elif pick < 0.55:
            items = [_scalar(rnd) for _ in range(rnd.randint(0, 3))]
            sep = rnd.choice([", ", ", ", ",  "])
            body = sep.join(f"{rnd.choice('abc')}{i}: {v}" for i, v in enumerate(items))
            lines.append(f"{pad}{key}: " + rnd.choice([f"{{{body}}}", f"[{sep.join(items)}]", "[ ]", "{}"]))
        elif pick < 0.58:
            lines += [f"{pad}{key}: |", f"{pad}  line", f"{pad}  # not a comment"]
        else:
            value = rnd.choice([_scalar(rnd), ""])
            lines.append(f"{pad}{key}:" + (f" {value}" if value else ""))
        if rnd.random() < 0.1:
            lines[-1] += " " * rnd.randint(1, 3) + "# eol"
        if rnd.random() < 0.03:
            lines[-1] += " "
    return lines


def test_the_fast_check_never_calls_a_file_canonical_that_fmt_would_change() -> None:
    """``is_canonical`` (libyaml, no round trip) against ruamel on generated files, canonical or not."""
    from mldsl.fmt.fast import is_canonical
    from mldsl.fmt.format import round_trip

    vouched = 0
    for seed in range(600):
        rnd = random.Random(seed)
        text = "\n".join(_random_yaml(rnd)) + "\n"
        if rnd.random() < 0.1:
            text = rnd.choice(["\n", "---\n", "# head\n\n"]) + text
        candidates = [text]
        if not load_yaml_text(text, "g.yaml")[1]:
            candidates.append(round_trip(text))  # fmt's own output: mostly canonical, the fast check's main diet
        for candidate in candidates:
            if is_canonical(candidate):
                vouched += 1
                assert round_trip(candidate) == candidate, candidate
    assert vouched > 300, f"the fast check vouched for only {vouched} files: it would rarely spare the round trip"


def test_the_fast_check_vouches_for_the_formatted_examples() -> None:
    from mldsl.fmt.fast import is_canonical

    files = [f for d in example_dirs() for f in sorted(d.rglob("*.yaml"))]
    single = [f for f in files if "\n---" not in f.read_text()]
    plain = [f for f in single if not re.search(r":\s*[|>][-+]?\s*(#.*)?$", f.read_text(), re.M)]
    assert plain and all(is_canonical(f.read_text()) for f in plain), [str(f) for f in plain if not is_canonical(f.read_text())]


@pytest.mark.parametrize(
    "text",
    [
        "apiVersion:\tmldsl/v1\nkind: Project\nmetadata: {name: x}\nspec: {}\n",  # validate reads it; ruamel does not
        "apiVersion: mldsl/v1\nkind: Project\nmetadata: {name: x}\nspec: {}\n--- !!map\n",
    ],
)
def test_a_file_fmt_cannot_keep_exactly_is_left_alone_with_a_message(tmp_path: Path, text: str) -> None:
    f = tmp_path / "p.yaml"
    f.write_text(text)
    for args in (["fmt", "--check"], ["fmt"]):
        proc = subprocess.run([sys.executable, "-m", "mldsl", *args, str(f)], capture_output=True, text=True)
        assert proc.returncode == 1 and "MLD011" in proc.stderr + proc.stdout and "internal error" not in proc.stderr
        assert f.read_text() == text


MODULE_HEAD = "apiVersion: mldsl/v1\nkind: Module\nmetadata: {name: m, version: 1.0.0%s}\nspec:\n"
RUN = "  run: {container: {image: b}}\n"


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        (MODULE_HEAD % "" + "  run:\n    python:\n      source: |\n        x = 1   \n        print(x)  \n", "x = 1   \n"),
        (MODULE_HEAD % "" + "  run:\n    python:\n      source: >\n        x = 1   \n", "x = 1   \n"),
        (MODULE_HEAD % ", description: 2024-06-01T12:00:00.5Z" + "  run: {container: {image: b}}\n", "12:00:00.5Z"),
        (MODULE_HEAD % "" + "  inputs: {a: {type: float, default: 1e309}}\n  run: {container: {image: b}}\n", "1e309"),
        (MODULE_HEAD % "" + "  inputs: {a: {type: float, default: 1e-400}}\n  run: {container: {image: b}}\n", "1e-400"),
        (MODULE_HEAD % "" + "  inputs: {a: {type: int, default: 010}}\n  run: {container: {image: b}}\n", "010"),
        (MODULE_HEAD % ", description: ! ''" + "  run: {container: {image: b}}\n", ""),
        ("---\n---\n" + MODULE_HEAD % "" + "  run: {container: {image: b}}\n", ""),
        (MODULE_HEAD % "" + RUN + "---\n---\n" + MODULE_HEAD % "" + RUN, ""),
    ],
    ids=["literal-trailing", "folded-trailing", "timestamp", "1e309", "1e-400", "octal", "bang", "empty-doc", "middle-empty"],
)
def test_fmt_never_changes_meaning(text: str, kept: str) -> None:
    """Issue #12 item 4: the documents mldsl reads are the same after fmt, and fmt is idempotent."""
    once, diags = format_text(text)
    assert not [d for d in diags if d.code != "MLD011"]
    assert [d.data for d in load_yaml_text(once, "x")[0] if d.data is not None] == [
        d.data for d in load_yaml_text(text, "x")[0] if d.data is not None
    ]
    assert format_text(once)[0] == once
    assert kept in once


def test_fmt_refuses_to_write_what_would_change_a_value(monkeypatch: pytest.MonkeyPatch) -> None:
    """The read-back check itself: a formatter that changed a value leaves the file alone with MLD011."""
    from mldsl.fmt import format as fmt

    text = MODULE_HEAD % "" + "  inputs:  {a: {type: int, default: 3}}\n  run: {container: {image: b}}\n"
    real = fmt.round_trip
    monkeypatch.setattr(fmt, "round_trip", lambda t: real(t).replace("default: 3", "default: 4"))
    out, diags = format_text(text)
    assert out == text and [d.code for d in diags] == ["MLD011"]
    assert "spec.inputs.a.default" in diags[0].message and (diags[0].span.line, diags[0].span.col) == (5, 37)


def test_formatting_keeps_what_every_example_compiles_to(tmp_path: Path) -> None:
    """compile(fmt(x)) == compile(x), byte for byte, for every example project laid out another way."""
    for example in example_dirs():
        copy = tmp_path / example.name
        shutil.copytree(example, copy)
        for f in copy.rglob("*.yaml"):  # another layout: wider indents, more spaces after ':'
            odd = f.read_text().replace("\n  ", "\n    ").replace(": ", ":  ")
            if not load_yaml_text(odd, "x")[1]:
                f.write_text(odd)
        before = subprocess.run([sys.executable, "-m", "mldsl", "compile", str(copy), "-o", str(tmp_path / "a")])
        assert subprocess.run([sys.executable, "-m", "mldsl", "fmt", str(copy)]).returncode == 0
        after = subprocess.run([sys.executable, "-m", "mldsl", "compile", str(copy), "-o", str(tmp_path / "b")])
        assert before.returncode == after.returncode == 0
        for f in sorted((tmp_path / "a").iterdir()):
            assert (tmp_path / "b" / f.name).read_bytes() == f.read_bytes(), f.name
        shutil.rmtree(tmp_path / "a")
        shutil.rmtree(tmp_path / "b")


def test_a_file_that_is_not_utf8_is_reported_as_validate_does_and_the_others_are_formatted(tmp_path: Path) -> None:
    """Issue #28: "internal error: UnicodeDecodeError", and `fmt DIR` gave up on the whole folder over one file."""
    (tmp_path / "a-bad.yaml").write_bytes(b"apiVersion: mldsl/v1\nkind: Module\nmetadata:\n  name: caf\xe9\n")
    good = tmp_path / "b-good.yaml"
    good.write_text("apiVersion: mldsl/v1\nkind: Module\nmetadata:\n     name: x\n")
    run = [sys.executable, "-m", "mldsl"]
    fmt = subprocess.run([*run, "fmt", str(tmp_path)], capture_output=True, text=True, cwd=tmp_path)
    validate = subprocess.run([*run, "validate", "a-bad.yaml"], capture_output=True, text=True, cwd=tmp_path)
    assert fmt.returncode == 1 and "internal error" not in fmt.stderr + fmt.stdout
    where = "a-bad.yaml:4:12: error[MLD001]: file is not UTF-8 text: byte 0xe9"
    assert where in fmt.stdout + fmt.stderr and where in validate.stdout + validate.stderr
    assert good.read_text() == "apiVersion: mldsl/v1\nkind: Module\nmetadata:\n  name: x\n"
    assert (tmp_path / "a-bad.yaml").read_bytes().endswith(b"caf\xe9\n")  # left as it is
