"""Render a semantic diff for a terminal, for a pull-request comment (Markdown), or as JSON."""

from __future__ import annotations

import json
from typing import Any

from mldsl.review.graph import mermaid
from mldsl.review.semdiff import MISSING, Change, Diff, PipelineDiff

_MARK = {"added": "+", "removed": "-", "changed": "~", "content-changed": "!"}


def _v(value: Any) -> str:
    if value is MISSING:
        return "(none)"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=False)


def _change_line(c: Change) -> str:
    if c.kind == "added":
        return f"{c.path}: added {_v(c.after)}"
    if c.kind == "removed":
        return f"{c.path}: removed (was {_v(c.before)})"
    return f"{c.path}: {_v(c.before)} → {_v(c.after)}"


def _counts(d: Diff) -> str:
    steps = [s for p in d.pipelines for s in p.steps]
    parts = []
    for status in ("added", "changed", "removed"):
        n = sum(1 for p in d.pipelines if p.status == status)
        if n:
            parts.append(f"{n} pipeline{'s' if n != 1 else ''} {status}")
    for status in ("added", "changed", "removed"):
        n = sum(1 for s in steps if s.status == status)
        if n:
            parts.append(f"{n} step{'s' if n != 1 else ''} {status}")
    n = len(d.modules)
    if n:
        parts.append(f"{n} module{'s' if n != 1 else ''} changed")
    for kind in ("serving", "sweep"):
        n = sum(1 for o in d.objects if o.kind == kind)
        if n:
            parts.append(f"{n} {kind}{'s' if n != 1 else ''} changed")
    return ", ".join(parts) or "no changes"


def text(d: Diff) -> str:
    out = [f"mldsl diff {d.old} → {d.new}: {_counts(d)}"]
    for p in d.pipelines:
        out.append(f"{_MARK[p.status]} pipeline {p.name} ({p.status})")
        out += [f"    {_change_line(c)}" for c in p.changes]
        for s in p.steps:
            module = s.module_after or s.module_before
            head = f"  {_MARK[s.status]} step {s.name} ({s.status})"
            out.append(head + (f": {module}" if s.status != "changed" else ""))
            out += [f"      {_change_line(c)}" for c in s.changes]
            if s.module_changes:
                out.append(f"      what changed in {s.module_before} → {s.module_after}:")
                out += [f"        {_change_line(c)}" for c in s.module_changes]
    for m in d.modules:
        version = m.after if m.status == "added" else m.before if m.status == "removed" else f"{m.before} → {m.after}"
        note = " (same version, different content: bump the version)" if m.status == "content-changed" else ""
        out.append(f"{_MARK[m.status]} module {m.name} {version}{note}")
        out += [f"    {_change_line(c)}" for c in m.changes]
    for o in d.objects:
        out.append(f"{_MARK[o.status]} {o.kind} {o.name} ({o.status})")
        out += [f"    {_change_line(c)}" for c in o.changes]
    if d.compiled:
        out += ["", "compiled manifests:", d.compiled.rstrip("\n")]
    return "\n".join(out) + "\n"


def _md(value: Any) -> str:
    s = _v(value).replace("|", "\\|").replace("\n", " ")
    return f"`{s}`" if s != "(none)" else "_(none)_"


def _md_changes(changes: list[Change]) -> list[str]:
    out = ["| field | before | after |", "|---|---|---|"]
    out += [f"| `{c.path}` | {_md(c.before)} | {_md(c.after)} |" for c in changes]
    return out


def _graph(p: PipelineDiff) -> str:
    summary: dict[str, Any] = dict(p.after or p.before or {})
    steps = dict(summary.get("steps", {}))
    for s in p.steps:  # removed steps come from the old side, so the drawing shows them struck
        if s.status == "removed" and p.before is not None:
            steps[s.name] = p.before["steps"][s.name]
    summary["steps"] = steps
    return mermaid(summary, p.step_status())


def _md_modules(d: Diff) -> list[str]:
    """The modules' table of the Markdown diff, and what changed in each, folded."""
    out: list[str] = []
    if not d.modules:
        return out
    out += ["", "#### Modules", "", "| module | change | version |", "|---|---|---|"]
    for m in d.modules:
        version = {"added": f"`{m.after}`", "removed": f"`{m.before}`"}.get(m.status, f"`{m.before}` → `{m.after}`")
        status = "**same version, content changed: bump the version**" if m.status == "content-changed" else m.status
        out.append(f"| `{m.name}` | {status} | {version} |")
    for m in d.modules:
        if m.changes:
            out += ["", f"<details><summary><code>{m.name}</code></summary>", "", *_md_changes(m.changes)]
            out += ["", "</details>"]
    return out


def markdown(d: Diff) -> str:
    out = [f"### mldsl diff: `{d.old}` → `{d.new}`", "", f"**{_counts(d)}**"]
    for p in d.pipelines:
        out += ["", f"#### {_MARK[p.status]} Pipeline `{p.name}` ({p.status})", ""]
        if p.changes:
            out += [*_md_changes(p.changes), ""]
        if p.steps:
            out += ["| step | change | details |", "|---|---|---|"]
            for s in p.steps:
                if s.status == "changed":
                    details = "<br>".join(f"`{c.path}`: {_md(c.before)} → {_md(c.after)}" for c in s.changes)
                else:
                    details = _md(s.module_after or s.module_before)
                out.append(f"| `{s.name}` | {s.status} | {details} |")
            out.append("")
            for s in p.steps:
                if s.module_changes:
                    out += [
                        f"<details><summary>What changed in <code>{s.module_before}</code> → "
                        f"<code>{s.module_after}</code></summary>",
                        "",
                    ]
                    out += [*_md_changes(s.module_changes), "", "</details>", ""]
        if p.before is not None or p.after is not None:
            out += ["```mermaid", _graph(p).rstrip("\n"), "```"]
    out += _md_modules(d)
    for o in d.objects:
        out += ["", f"#### {_MARK[o.status]} {o.kind.capitalize()} `{o.name}` ({o.status})"]
        if o.changes:
            out += ["", *_md_changes(o.changes)]
    if d.compiled:
        out += [
            "",
            "<details><summary>Compiled manifests</summary>",
            "",
            "```diff",
            d.compiled.rstrip("\n"),
            "```",
            "",
            "</details>",
        ]
    return "\n".join(out) + "\n"


def as_json(d: Diff) -> str:
    return json.dumps(d.to_json(), indent=2, ensure_ascii=False, default=str) + "\n"
