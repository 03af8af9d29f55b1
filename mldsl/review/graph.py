"""Draw a pipeline's DAG as Mermaid or Graphviz DOT.

Each node shows the step, its module and version; a fan-out says what it
iterates over, a conditional step its condition (and the edges into it are
dashed). A diff colours steps added, removed or changed.
"""

from __future__ import annotations

import json
from typing import Any

STATUS_STYLES = {
    "added": ("fill:#e6ffed,stroke:#2da44e", 'fillcolor="#e6ffed", color="#2da44e"'),
    "removed": (
        "fill:#ffebe9,stroke:#cf222e,stroke-dasharray:4 3",
        'fillcolor="#ffebe9", color="#cf222e", style="rounded,filled,dashed"',
    ),
    "changed": ("fill:#fff8c5,stroke:#bf8700", 'fillcolor="#fff8c5", color="#bf8700"'),
}


def _label_lines(name: str, step: dict[str, Any], status: str | None) -> list[str]:
    lines = [name, step["module"]]
    if "approve" in step:  # what a person is asked, and how long the run waits
        timeout = step["approve"].get("timeout")
        lines[1] = "approve" + (f" (times out in {timeout})" if timeout else "")
    if "for_each" in step:
        fe = step["for_each"]
        lines.append("for each: " + (fe if isinstance(fe, str) else json.dumps(fe)).replace("${{ ", "").replace(" }}", ""))
    if "when" in step:
        lines.append("when: " + step["when"])
    if status:
        lines.append(f"({status})")
    return lines


def exit_label(handler: dict[str, Any]) -> str:
    """One module, or the exit steps with their conditions."""
    if "steps" not in handler:
        return str(handler["module"])
    return ", ".join(f"{n} (when: {s['when']})" if "when" in s else n for n, s in handler["steps"].items())


def _mermaid_text(s: str) -> str:
    return s.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def _node_id(step: str) -> str:
    # a prefix keeps step names such as `end` or `graph` clear of Mermaid's keywords
    return f"step_{step}"


def edges(steps: dict[str, dict[str, Any]]) -> list[tuple[str, str, bool]]:
    """(upstream, step, whether the step has a ``when``) for every dependency, from a pipeline summary's steps."""
    return [(dep, name, "when" in step) for name, step in steps.items() for dep in step.get("depends", []) if dep in steps]


def mermaid(summary: dict[str, Any], status: dict[str, str] | None = None, *, title: str | None = None) -> str:
    """A ``flowchart TD`` of the pipeline (``status`` maps step names to added/removed/changed)."""
    status = status or {}
    steps: dict[str, dict[str, Any]] = summary["steps"]
    out = ["flowchart TD"]
    if title:
        out.insert(0, f"---\ntitle: {_mermaid_text(title)}\n---")
    for name, step in steps.items():
        label = "<br/>".join(_mermaid_text(line) for line in _label_lines(name, step, status.get(name)))
        label = label.replace(_mermaid_text(name), f"<b>{_mermaid_text(name)}</b>", 1)
        node = _node_id(name)
        if "for_each" in step:
            out.append(f'  {node}[["{label}"]]')
        elif "when" in step:
            out.append(f'  {node}{{{{"{label}"}}}}')
        else:
            out.append(f'  {node}["{label}"]')
    if "on_exit" in summary:
        out.append(f'  on_exit(["<b>on exit</b><br/>{_mermaid_text(exit_label(summary["on_exit"]))}"])')
    for src, dst, conditional in edges(steps):
        out.append(f"  {_node_id(src)} {'-.->' if conditional else '-->'} {_node_id(dst)}")
    for kind, (style, _) in STATUS_STYLES.items():
        members = sorted(_node_id(n) for n, s in status.items() if s == kind and n in steps)
        if members:
            out.append(f"  classDef {kind} {style}")
            out.append(f"  class {','.join(members)} {kind}")
    return "\n".join(out) + "\n"


def _dot_text(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"')


def dot(summary: dict[str, Any], status: dict[str, str] | None = None, *, title: str = "pipeline") -> str:
    """A Graphviz ``digraph`` of the pipeline."""
    status = status or {}
    steps: dict[str, dict[str, Any]] = summary["steps"]
    out = [
        f'digraph "{_dot_text(title)}" {{',
        "  rankdir=TB;",
        '  node [shape=box, style="rounded,filled", fillcolor=white, fontname="Helvetica"];',
    ]
    for name, step in steps.items():
        label = "\\n".join(_dot_text(line) for line in _label_lines(name, step, status.get(name)))
        attrs = [f'label="{label}"']
        if "for_each" in step:
            attrs.append("shape=box3d")
        elif "when" in step:
            attrs.append("shape=hexagon")
        if name in status:
            attrs.append(STATUS_STYLES[status[name]][1])
        out.append(f'  "{name}" [{", ".join(attrs)}];')
    if "on_exit" in summary:
        out.append(f'  "on_exit" [label="on exit\\n{_dot_text(exit_label(summary["on_exit"]))}", shape=oval];')
    for src, dst, conditional in edges(steps):
        out.append(f'  "{src}" -> "{dst}"' + (" [style=dashed];" if conditional else ";"))
    out.append("}")
    return "\n".join(out) + "\n"
