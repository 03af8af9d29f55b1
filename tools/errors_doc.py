"""Write ``docs/errors.md``: every diagnostic code with its meaning, a failing example from the invalid-document
corpus, and what mldsl says about it (the compiler runs on each example)::

    python tools/errors_doc.py tests/invalid > docs/errors.md
"""

from __future__ import annotations

import sys
from pathlib import Path

from mldsl.lang.codes import CODES
from mldsl.lang.diagnostics import Diagnostic
from mldsl.ops.project import compile_project


def render_markdown(corpus: Path) -> str:
    """``docs/errors.md``: every code with its meaning, a failing example from ``corpus``, and the fix."""
    examples: dict[str, list[Path]] = {}
    for path in sorted(corpus.rglob("*.yaml")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip().startswith("# expect:"):
                for item in line.split(":", 1)[1].split(","):
                    code = item.split()[0]
                    examples.setdefault(code, [])
                    if path not in examples[code]:
                        examples[code].append(path)
    out = [
        "# Error codes",
        "",
        "Every diagnostic reads `path:line:col: error[MLDnnn]: message`, then a `hint:` line where one helps.",
        "Codes are stable: scripts may match on them. This page is generated from `mldsl/lang/codes.py` and the",
        "invalid-document corpus in `tests/invalid/` (each example below is a test that asserts the code, line and column):",
        "",
        "    python tools/errors_doc.py tests/invalid > docs/errors.md",
        "",
        "| code | meaning |",
        "|---|---|",
    ]
    out += [f"| [{c.code}](#{c.code.lower()}) | {c.title} |" for c in CODES]
    for c in CODES:
        out += ["", f"## {c.code}", "", f"**{c.title}.** {c.fix}", ""]
        for path in examples.get(c.code, [])[:1]:
            rel = path.relative_to(corpus.parent.parent).as_posix()
            body = path.read_text(encoding="utf-8").strip()
            out += [f"Failing example (`{rel}`):", "", "```yaml", body, "```", "", "What mldsl says:", "", "```text"]
            found = [d for d in _diagnose(path) if d.code == c.code][:1]
            out += [d.render() for d in found]
            out += ["```"]
            out += _elsewhere(found, corpus)
    return "\n".join(out) + "\n"


def _elsewhere(found: list[Diagnostic], corpus: Path) -> list[str]:
    """The lines around a diagnostic in a file that is not the example's YAML (a module's notebook)."""
    if not found or not found[0].span.path.endswith(".ipynb"):
        return []
    where = Path(found[0].span.path)
    lines = where.read_text(encoding="utf-8").splitlines()
    at = found[0].span.line
    first, last = max(1, at - 4), min(len(lines), at + 2)
    rel = where.resolve().relative_to(corpus.resolve().parent.parent).as_posix()
    return ["", f"The notebook (`{rel}`, lines {first}-{last}):", "", "```json", *lines[first - 1 : last], "```"]


def _diagnose(path: Path) -> list[Diagnostic]:
    case = path if path.parent.name == "invalid" else path.parent
    return compile_project([case]).diagnostics


if __name__ == "__main__":  # pragma: no cover - a maintenance entry point
    sys.stdout.write(render_markdown(Path(sys.argv[1] if len(sys.argv) > 1 else "tests/invalid")))
