"""The invalid-document corpus: each case asserts exactly its diagnostics' codes, lines and columns.

A case is a file or a folder under ``tests/invalid``; ``# expect: MLDnnn L:C``
comments (comma-separated for several) state every diagnostic it must give; ``MLDnnn FILE:L:C``
places one in another file of the case (a module's notebook).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from mldsl.lang.codes import BY_CODE, CODES
from mldsl.ops.project import compile_project

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
from errors_doc import render_markdown

from conftest import ROOT

CORPUS = ROOT / "tests" / "invalid"
EXPECT = re.compile(r"#\s*expect:\s*(.+)$")


def cases() -> list[Path]:
    return sorted(CORPUS.iterdir())


def expectations(case: Path) -> set[tuple[str, str, int, int]]:
    out = set()
    for f in [case] if case.is_file() else sorted(case.rglob("*.yaml")):
        for line in f.read_text(encoding="utf-8").splitlines():
            m = EXPECT.search(line)
            if not m:
                continue
            for item in m.group(1).split(","):
                code, pos = item.split()
                *other, ln, col = pos.split(":")  # `FILE:L:C`: a position in a file beside (a notebook)
                where = (f.parent / other[0]) if other else f
                out.add((where.resolve().as_posix(), code, int(ln), int(col)))
    return out


@pytest.mark.parametrize("case", cases(), ids=lambda p: p.name)
def test_case(case: Path) -> None:
    expected = expectations(case)
    assert expected, f"{case} states no expectations"
    result = compile_project([case])
    actual = {(Path(d.span.path).resolve().as_posix(), d.code, d.span.line, d.span.col) for d in result.diagnostics}
    assert actual == expected, "\n".join(d.render() for d in result.diagnostics)
    for d in result.diagnostics:
        assert d.code in BY_CODE, f"{d.code} is not in the catalog (mldsl/lang/codes.py)"
        assert d.message and not re.search(r"\{[a-z_]+\}", d.message.replace("{{", "")), f"unformatted placeholder: {d.message}"


def test_corpus_covers_every_input_error_class() -> None:
    covered = {code for case in cases() for (_, code, _, _) in expectations(case)}
    # MLD010/MLD011 come from `fmt` (tests/test_fmt.py) and MLD9xx from `--crds`: not about a document's content
    needed = {c.code for c in CODES if not c.code.startswith("MLD9") and c.code not in ("MLD010", "MLD011")}
    assert needed - covered == set(), "codes without an invalid document"
    assert len(cases()) >= 30


def test_every_code_in_the_source_is_documented() -> None:
    used: set[str] = set()
    for folder in ("mldsl", "compiler", "backends"):
        for f in (ROOT / folder).rglob("*.py"):
            used |= set(re.findall(r'"(MLD\d{3})"', f.read_text(encoding="utf-8")))
    assert used - set(BY_CODE) == set()


def test_errors_doc_is_current() -> None:
    doc = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    assert doc == render_markdown(CORPUS), "docs/errors.md is stale: python tools/errors_doc.py tests/invalid > docs/errors.md"
