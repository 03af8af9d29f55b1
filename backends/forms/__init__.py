"""Forms: a JSON Schema, a UI schema and a self-contained HTML page per Module, Pipeline and Sweep.

The page works offline (its JavaScript and CSS are inlined, and its Content
Security Policy forbids any network request), validates as the user types
with the rules of ``mldsl.constraints.check_value`` (the same rule set, in
``form.js``; a test runs both on a corpus of values), and shows and
downloads the YAML: a step's ``with:`` block, a params file for
``mldsl submit --params-file``, or a Sweep document.
"""

from __future__ import annotations

import html
import json
from dataclasses import replace
from importlib import resources
from typing import Any

from mldsl.backends.forms.schema import WIDGETS, form_schema, ui_schema
from mldsl.compiler import ir
from mldsl.constraints import Param
from mldsl.yamlout import dump

CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data: blob:"


def field(p: Param) -> dict[str, Any]:
    """What form.js needs to render and check one field (the same facts as the Param)."""
    t = p.type
    out: dict[str, Any] = {
        "name": p.name,
        "kind": t.kind,
        "widget": WIDGETS.get(t.kind, "text"),
        "optional": p.optional,
        "hasDefault": p.has_default,
    }
    if p.has_default:
        out["default"] = p.default
    if t.values is not None:
        out["values"] = list(t.values)
    if t.item is not None:
        out["item"] = t.item.kind
        if t.item.values is not None:
            out["itemValues"] = list(t.item.values)
    if t.format:
        out["format"] = t.format
    for key, value in (
        ("min", p.minimum),
        ("max", p.maximum),
        ("pattern", p.pattern),
        ("minLength", p.min_length),
        ("maxLength", p.max_length),
        ("description", p.description),
    ):
        if value is not None:
            out[key] = value
    if p.exclusive_min:
        out["exclusiveMin"] = True
    if p.exclusive_max:
        out["exclusiveMax"] = True
    return out


def run_params(p: ir.Pipeline) -> tuple[Param, ...]:
    """The params a run is started with (artifact params reach Argo as artifacts, not as params)."""
    return tuple(q for q in p.params if q.type.kind != "artifact")


def _asset(name: str) -> str:
    return resources.files("mldsl.backends.forms").joinpath(name).read_text(encoding="utf-8")


def page(title: str, subtitle: str, doc: dict[str, Any]) -> str:
    data = json.dumps(doc, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>\n{_asset('form.css')}</style>\n</head>\n<body>\n"
        f"<header><h1>{html.escape(title)}</h1><p>{html.escape(subtitle)}</p></header>\n"
        '<main>\n<form id="form" onsubmit="return false"></form>\n'
        '<section><h2>YAML</h2><p id="status"></p><pre id="yaml"></pre>'
        '<button id="download" type="button">Download</button></section>\n</main>\n'
        f'<script type="application/json" id="mldsl-form">{data}</script>\n'
        f"<script>\n{_asset('form.js')}</script>\n</body>\n</html>\n"
    )


def _files(
    stem: str, title: str, subtitle: str, params: tuple[Param, ...], mode: str, filename: str, extra: dict[str, Any] | None = None
) -> list[tuple[str, str]]:
    doc = {"title": title, "mode": mode, "filename": filename, "fields": [field(p) for p in params], **(extra or {})}
    return [
        (f"{stem}.schema.json", json.dumps(form_schema(title, params), indent=2, ensure_ascii=False) + "\n"),
        (f"{stem}.ui.json", json.dumps(ui_schema(params), indent=2, ensure_ascii=False) + "\n"),
        (f"{stem}.html", page(title, subtitle, doc)),
    ]


def _sweep_parts(s: ir.Sweep) -> tuple[dict[str, Any], tuple[Param, ...]]:
    space = {d.name: {d.kind: list(d.args)} for d in s.dimensions}
    head = {
        "apiVersion": "mldsl/v1",
        "kind": "Sweep",
        "metadata": {"name": s.name},
        "spec": {"pipeline": s.pipeline.name, "strategy": s.strategy, "params": space},
    }
    tail: dict[str, Any] = {
        k: v
        for k, v in (
            ("max_trials", s.max_trials),
            ("parallelism", s.parallelism),
            ("max_failed_trials", s.max_failed_trials),
            ("seed", s.seed_value),
            ("budget", s.budget),
        )
        if v is not None
    }
    tail["objective"] = {"metric": f"steps.{s.objective_step}.outputs.{s.objective_output}", "goal": s.goal}
    footer = "".join("  " + line + "\n" for line in dump(tail).splitlines())
    fixed = dict(s.fixed)
    params = tuple(
        replace(p, default=fixed[p.name]) if p.name in fixed else p
        for p in s.pipeline.params
        if p.name not in space and p.type.kind != "artifact"
    )
    return {"header": dump(head), "footer": footer}, params


def generate(program: ir.Program, module_keys: set[str]) -> list[tuple[str, str]]:
    """Every file of every form: (file name, text)."""
    out: list[tuple[str, str]] = []
    for m in program.modules:
        if m.key in module_keys:
            out += _files(
                f"module-{m.name}",
                f"{m.name} {m.version}",
                m.description or "A module's inputs: the with: block of a step",
                m.inputs,
                "with",
                f"{m.name}-with.yaml",
            )
    for p in program.pipelines:
        out += _files(
            f"pipeline-{p.name}",
            p.name,
            p.description or "Params of a run (mldsl submit --params-file)",
            run_params(p),
            "params",
            f"{p.name}.params.yaml",
        )
    for s in program.sweeps:
        extra, params = _sweep_parts(s)
        out += _files(
            f"sweep-{s.name}",
            s.name,
            f"{s.strategy} search over {s.pipeline.name}: the fixed params",
            params,
            "sweep",
            f"{s.name}.sweep.yaml",
            extra,
        )
    return out
