"""Forms: a JSON Schema, a UI schema and a self-contained HTML page per Module, Pipeline and Sweep.

The page works offline (its JavaScript and CSS are inlined, and its Content
Security Policy forbids any network request), validates as the user types
with the rules of ``mldsl.lang.constraints.check_value`` (the same rule set, in
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
from mldsl.lang.constraints import Param
from mldsl.lang.paramsfile import marker, with_marker
from mldsl.util.yamlout import dump

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
        if t.item.item is not None:  # list[list[int]]: the rows' own rows (issue #14 F9)
            out["itemField"] = field(Param(f"{p.name} item", t.item, optional=False))
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
    """The params a run is started with: artifact params too, as URIs (``submit`` and ``run`` take them)."""
    return p.params


def _asset(name: str) -> str:
    return resources.files("mldsl.backends.forms").joinpath(name).read_text(encoding="utf-8")


def page(title: str, subtitle: str, doc: dict[str, Any], usage: str = "") -> str:
    data = json.dumps(doc, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>\n{_asset('form.css')}</style>\n</head>\n<body>\n"
        f"<header><h1>{html.escape(title)}</h1><p>{html.escape(subtitle)}</p></header>\n"
        '<main>\n<form id="form" aria-label="values" onsubmit="return false"></form>\n'
        '<section id="output"><h2>YAML</h2>'
        '<div class="bar"><p id="status" role="status" aria-live="polite"></p>'
        '<button id="download" type="button">Download</button><span id="download-why" class="help"></span></div>'
        '<pre id="yaml" tabindex="0" aria-label="the YAML the download holds"></pre>'
        + (f'<p class="help" id="usage">{usage}</p>' if usage else "")
        + "</section>\n</main>\n"
        f'<script type="application/json" id="mldsl-form">{data}</script>\n'
        f"<script>\n{_asset('form.js')}</script>\n</body>\n</html>\n"
    )


def _files(
    stem: str,
    title: str,
    subtitle: str,
    params: tuple[Param, ...],
    mode: str,
    filename: str,
    extra: dict[str, Any] | None = None,
    usage: str = "",
) -> list[tuple[str, str]]:
    doc = {"title": title, "mode": mode, "filename": filename, "fields": [field(p) for p in params], **(extra or {})}
    return [
        (f"{stem}.schema.json", json.dumps(form_schema(title, params), indent=2, ensure_ascii=False) + "\n"),
        (f"{stem}.ui.json", json.dumps(ui_schema(params), indent=2, ensure_ascii=False) + "\n"),
        (f"{stem}.html", page(title, subtitle, doc, usage)),
    ]


def _code(text: str) -> str:
    return f"<code>{html.escape(text)}</code>"


def _index(entries: list[tuple[str, str, str]]) -> str:
    """``index.html``: every form of the folder, by kind, linked (issue #14 F12)."""
    rows = "".join(
        f'<li><a href="{html.escape(stem)}.html">{html.escape(title)}</a> <span class="help">{html.escape(kind)}</span></li>\n'
        for kind, stem, title in entries
    )
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>mldsl forms</title>\n<style>\n{_asset('form.css')}</style>\n</head>\n<body>\n"
        "<header><h1>mldsl forms</h1><p>Fill a form, download its YAML, and use it as the form says.</p></header>\n"
        f"<main>\n<ul>\n{rows}</ul>\n</main>\n</body>\n</html>\n"
    )


def _sweep_settings(s: ir.Sweep) -> list[dict[str, Any]]:
    """The sweep's run settings, as int fields of its form."""
    return [
        {"name": "max_trials", "kind": "int", "min": 1, "optional": True, "hasDefault": False, "value": s.max_trials},
        {"name": "parallelism", "kind": "int", "min": 1, "optional": False, "hasDefault": False, "value": s.parallelism},
        {
            "name": "max_failed_trials",
            "kind": "int",
            "min": 0,
            "optional": True,
            "hasDefault": False,
            "value": s.max_failed_trials,
        },
    ]


def _sweep_parts(s: ir.Sweep) -> tuple[dict[str, Any], tuple[Param, ...]]:
    """The sweep's form: its search space and settings are fields too (issue #14 F13); the rest is kept."""
    swept = {p.name: p for p in s.pipeline.params}
    metadata: dict[str, Any] = {"name": s.name}
    if s.description:
        metadata["description"] = s.description
    if s.labels:
        metadata["labels"] = dict(s.labels)
    head = {"apiVersion": "mldsl/v1", "kind": "Sweep", "metadata": metadata}
    # the trial pipeline of a sweep with skip_steps is named for the sweep: the document names the swept one
    # (names and strategies are plain words); the page writes `params:`, `fixed:` and the settings after these
    spec_head = f"spec:\n  pipeline: {s.pipeline.trial_of or s.pipeline.name}\n  strategy: {s.strategy}\n"
    tail: dict[str, Any] = {"skip_steps": list(s.skip_steps)} if s.skip_steps else {}
    tail["seed"] = s.seed_value
    if s.budget is not None:
        tail["budget"] = s.budget
    metric = s.objective_metric or f"steps.{s.objective_step}.outputs.{s.objective_output}"
    tail["objective"] = {"metric": metric, "goal": s.goal}  # as written: a pipeline: step's, not its inlined one's
    space = [
        {"name": d.name, "kind": d.kind, "args": list(d.args), "field": field(replace(swept[d.name], optional=False))}
        for d in s.dimensions
    ]
    settings = _sweep_settings(s)
    footer = "".join("  " + line + "\n" for line in dump(tail).splitlines())
    fixed = dict(s.fixed)
    names = {d.name for d in s.dimensions}
    params = tuple(
        replace(p, default=fixed[p.name]) if p.name in fixed else p
        for p in s.pipeline.params
        if p.name not in names and p.type.kind != "artifact"
    )
    extra = {
        "header": dump(head) + spec_head,
        "footer": footer,
        "space": space,
        "settings": settings,
        "strategy": s.strategy,
        "fixed": sorted(fixed),  # written back always; a param at the pipeline's default is left to it
    }
    return extra, params


def _module_forms(program: ir.Program, module_keys: set[str], entries: list[tuple[str, str, str]]) -> list[tuple[str, str]]:
    """The forms of the chosen modules: a step's ``with:`` block each."""
    out: list[tuple[str, str]] = []
    chosen = [m for m in program.modules if m.key in module_keys]
    for m in chosen:
        # one form per version: two versions of a module (register-model 1.0.0 and 1.1.0) wrote one file
        stem = f"module-{m.name}" + (f"-{m.version}" if sum(x.name == m.name for x in chosen) > 1 else "")
        entries.append(("module", stem, f"{m.name} {m.version}"))
        out += _files(
            stem,
            f"{m.name} {m.version}",
            m.description or "A module's inputs: the with: block of a step",
            m.inputs,
            "with",
            f"{m.name}-with.yaml",
            {"header": with_marker(m.key)},
            usage=f"Paste the downloaded block into a step that uses {_code(f'{m.name}@{m.version}')}.",
        )
    return out


def generate(program: ir.Program, module_keys: set[str]) -> list[tuple[str, str]]:
    """Every file of every form: (file name, text)."""
    entries: list[tuple[str, str, str]] = []
    out = _module_forms(program, module_keys, entries)
    for p in program.pipelines:
        stem = f"pipeline-{p.name}"
        entries.append(("pipeline", stem, p.name))
        file = f"{p.name}.params.yaml"
        out += _files(
            stem,
            p.name,
            p.description or "Params of a run (mldsl submit --params-file)",
            run_params(p),
            "params",
            file,
            {"header": marker(p.name, f"mldsl run . --pipeline {p.name} --params-file {file}")},
            usage=f"Start a run with {_code(f'mldsl submit {p.name} --params-file {file}')}, or on this machine "
            f"with {_code(f'mldsl run . --pipeline {p.name} --params-file {file}')} (from the project folder).",
        )
    for s in program.sweeps:
        extra, params = _sweep_parts(s)
        stem = f"sweep-{s.name}"
        entries.append(("sweep", stem, s.name))
        out += _files(
            stem,
            s.name,
            f"{s.strategy} search over {s.pipeline.trial_of or s.pipeline.name}: its search space, trials and fixed params",
            params,
            "sweep",
            f"{s.name}.sweep.yaml",
            extra,
            usage=f"Save the download in the project, then {_code('mldsl validate .')} and {_code('mldsl apply .')}.",
        )
    if entries:
        out.append(("index.html", _index(entries)))
    return out
