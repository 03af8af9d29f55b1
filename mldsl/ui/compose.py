"""The composer's pipeline: read from a Pipeline document, written back into one, and its fields located.

The composer edits a pipeline's name, description, params and each step's
``uses`` and ``with``. Writing back goes through ruamel's round-trip loader
into the document that was opened, so everything else in the file (other
documents, comments, a step's ``when``, ``resources`` or ``retries``, the
pipeline's outputs and schedules) is kept as it was.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from dataclasses import dataclass
from typing import Any

import yaml

from mldsl.lang.diagnostics import Diagnostic
from mldsl.lang.yamlsource import Positions, load_yaml_text
from mldsl.ui.compose_write import PARAM_KEYS, PIPELINE_KEYS, STEP_PROPS, _apply

#: a ``with`` value that is nothing but one reference: the composer shows it as a wire
REFERENCE = re.compile(r"^\$\{\{\s*(params\.\w+|steps\.\w+\.outputs\.\w+(?:\.uri)?)\s*\}\}$")


class ComposeError(ValueError):
    """A request the composer cannot turn into a document (a bug in the page or a hand-made request)."""


def documents_in(text: str) -> list[dict[str, Any]]:
    """The mapping documents of a file, as plain data (a file with YAML errors gives none).

    Read by the CLI's loader, with its bounds: an alias bomb is refused here too, not expanded into JSON.
    """
    return [] if yaml_errors(text) else [d.data for d in load_yaml_text(text, "<opened>")[0] if isinstance(d.data, dict)]


def yaml_errors(text: str, path: str = "<opened>") -> list[Diagnostic]:
    """Why a file cannot be read as YAML (syntax, unsafe tags, too big once aliases are expanded)."""
    return [d for d in load_yaml_text(text, path)[1] if d.severity == "error"]


def pipelines_in(text: str) -> list[dict[str, Any]]:
    """The Pipeline documents of a file, as plain data (invalid YAML gives none)."""
    return [d for d in documents_in(text) if d.get("kind") == "Pipeline"]


_PARAM_REF = re.compile(r"params\.(\w+)")


def model_of(doc: dict[str, Any]) -> dict[str, Any]:
    """What the composer edits, from a Pipeline document."""
    meta = doc.get("metadata") or {}
    spec = doc.get("spec") or {}
    params = []
    for name, decl in (spec.get("params") or {}).items():
        entry: dict[str, Any] = {"name": str(name)}
        if isinstance(decl, dict):
            entry["type"] = str(decl.get("type", ""))
            entry.update({k: decl[k] for k in PARAM_KEYS if k in decl})
        else:
            entry["type"] = str(decl)
        params.append(entry)
    steps = []
    for name, step in (spec.get("steps") or {}).items():
        step = step if isinstance(step, dict) else {}
        given = step.get("with")
        steps.append(
            {
                "name": str(name),
                "uses": str(step.get("uses", "")),
                "with": dict(given) if isinstance(given, dict) else {},
                "props": {k: step[k] for k in STEP_PROPS if k in step},
                "more": sorted(str(k) for k in step if k not in ("uses", "with", "pipeline", *STEP_PROPS)),  # its card says it
                "deploy": str(step["deploy"]) if "deploy" in step else None,
                "approve": "approve" in step,
                "pipeline": str(step["pipeline"]) if "pipeline" in step else None,
                # the steps it waits for besides what it reads (drawn, and named when one is removed; not written back)
                "after": [str(a) for a in ([step["after"]] if isinstance(step.get("after"), str) else step.get("after") or [])],
                # params its `when`, `for_each` and the rest read (the DAG's param chips; not written back)
                "reads": sorted(set(_PARAM_REF.findall(json.dumps({k: v for k, v in step.items() if k != "with"}, default=str)))),
            }
        )
    return {
        "name": str(meta.get("name", "")),
        "description": str(meta.get("description") or ""),
        "params": params,
        "steps": steps,
        **{k: spec.get(k) for k in PIPELINE_KEYS},
    }


def _checked(model: Any) -> dict[str, Any]:
    if not isinstance(model, dict):
        raise ComposeError("the pipeline must be an object")
    for key, kind in (("name", str), ("description", str), ("params", list), ("steps", list)):
        if not isinstance(model.get(key), kind):
            raise ComposeError(f"the pipeline's {key!r} must be a {kind.__name__}")
    for i, p in enumerate(model["params"]):
        if not (isinstance(p, dict) and isinstance(p.get("name"), str) and isinstance(p.get("type"), str)):
            raise ComposeError(f"param {i} needs a name and a type")
    for i, s in enumerate(model["steps"]):
        if not (isinstance(s, dict) and isinstance(s.get("name"), str) and isinstance(s.get("uses"), str)):
            raise ComposeError(f"step {i} needs a name and uses")
        if not isinstance(s.get("with", {}), dict):
            raise ComposeError(f"step {s['name']!r}: with must be an object")
        if not isinstance(s.get("props", {}), dict):
            raise ComposeError(f"step {s['name']!r}: props must be an object")
    if not isinstance(model.get("outputs") or {}, dict):
        raise ComposeError("the pipeline's outputs must be an object")
    return model


_PARSED: dict[str, list[Any]] = {}
_CACHE_LOCK = threading.Lock()  # the server answers checks on several threads


def _parsed(text: str) -> list[Any]:
    """A fresh copy of ``text``'s round-trip documents; the parse is cached for the next check.

    The composer checks the same opened file on every edit. ruamel's parse is the
    slow part (about 0.6 ms a value); a deep copy of its result keeps every
    comment and costs a tenth of that, so only the first check of a file pays.
    """
    import copy

    from mldsl.fmt.format import _yaml

    with _CACHE_LOCK:
        docs = _PARSED.get(text)
    if docs is None:
        docs = list(_yaml().load_all(text))
        with _CACHE_LOCK:
            if len(_PARSED) >= 4:  # a few open files; texts are big
                _PARSED.pop(next(iter(_PARSED)))
            _PARSED[text] = docs
    return copy.deepcopy(docs)


def render(model: Any, existing: str | None, original: str | None) -> str:
    """The file's text with the composer's pipeline in it.

    ``existing`` is the file as opened (``None`` for a new file); ``original`` the
    pipeline's name when it was opened (it may have been renamed since). A step or param
    renamed in the composer carries its old name in ``was``, so what the composer
    does not edit (a step's ``when``, a param's ``min``) stays with it.
    """
    model = _checked(model)
    parts = _documents(existing, original) if existing else None
    if parts is not None:  # a file of several documents: only the pipeline's own text is rendered
        chunks, target = parts
        if target is None:
            return "".join(chunks).rstrip("\n") + "\n---\n" + _render_document(model, None, None)
        if chunks[target].startswith("---"):
            head, _, body = chunks[target].partition("\n")
            chunks[target] = head + "\n" + _render_document(model, body, original)
        else:  # the first document, without a `---` of its own
            chunks[target] = _render_document(model, chunks[target], original)
        return "".join(chunks)
    return _render_document(model, existing, original)


def _render_document(model: dict[str, Any], existing: str | None, original: str | None) -> str:
    from mldsl.fmt.format import _yaml, dump_canonical

    if existing:
        spliced = _splice(model, existing, original)
        if spliced is not None:
            return spliced
    docs: list[Any] = _parsed(existing) if existing else []
    _apply(model, docs, original)
    return dump_canonical(_yaml(), docs)


def _documents(text: str, original: str | None) -> tuple[list[str], int | None] | None:
    """``text`` cut before each ``---`` line, and which piece holds pipeline ``original``; None for one document.

    A save must not reformat the file's other documents (another pipeline, a module): they keep their bytes.
    None too for what the cut cannot keep exactly (``--- {inline}``, ``...`` ends): the whole file is rendered.
    """
    if not re.search(r"^---", text, re.M):  # one document: no parse on the composer's every check
        return None
    loader_cls = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        events = yaml.parse(text, Loader=loader_cls)
        starts = [e.start_mark.line for e in events if isinstance(e, yaml.DocumentStartEvent) and e.start_mark is not None]
        roots = list(yaml.compose_all(text, Loader=loader_cls))
    except yaml.YAMLError:
        return None
    lines = text.splitlines(keepends=True)
    cuts = sorted({line for line in starts if line < len(lines) and lines[line].startswith("---")})
    if len(roots) < 2 or any(lines[c].rstrip() != "---" for c in cuts) or any(x.startswith("...") for x in lines):
        return None
    bounds = [0, *cuts, len(lines)] if cuts[:1] != [0] else [*cuts, len(lines)]
    chunks = ["".join(lines[a:b]) for a, b in itertools.pairwise(bounds)]
    target = None
    for root in roots:
        if _is_pipeline(root, original):
            target = max(i for i, a in enumerate(bounds[:-1]) if a <= root.start_mark.line)
    return chunks, target


def _is_pipeline(root: yaml.Node, name: str | None) -> bool:
    if not isinstance(root, yaml.MappingNode) or name is None:
        return False
    top = {k.value: v for k, v in root.value if isinstance(k, yaml.ScalarNode)}
    kind, meta = top.get("kind"), top.get("metadata")
    if not (isinstance(kind, yaml.ScalarNode) and kind.value == "Pipeline" and isinstance(meta, yaml.MappingNode)):
        return False
    return any(isinstance(k, yaml.ScalarNode) and k.value == "name" and getattr(v, "value", None) == name for k, v in meta.value)


@dataclass
class _Render:
    """A full render of an opened file, and the lines each step of its pipeline takes in it."""

    model: dict[str, Any]
    text: str
    lines: list[str]
    steps: dict[str, tuple[int, int]]  # name -> [first line, end line)


_RENDERS: dict[tuple[str, str | None], _Render] = {}


def _step_lines(text: str, name_of: str) -> dict[str, tuple[int, int]] | None:
    """Where each step of pipeline ``name_of`` is in ``text`` (canonical YAML), from libyaml's marks."""
    loader_cls = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        roots = list(yaml.compose_all(text, Loader=loader_cls))
    except yaml.YAMLError:
        return None
    for root in roots:
        if not isinstance(root, yaml.MappingNode):
            continue
        top = {k.value: v for k, v in root.value if isinstance(k, yaml.ScalarNode)}
        meta, spec = top.get("metadata"), top.get("spec")
        if not (isinstance(meta, yaml.MappingNode) and isinstance(spec, yaml.MappingNode)):
            continue
        names = {k.value: v for k, v in meta.value if isinstance(k, yaml.ScalarNode)}
        kind = top.get("kind")
        if not (isinstance(kind, yaml.ScalarNode) and kind.value == "Pipeline"):
            continue
        name = names.get("name")
        if not (isinstance(name, yaml.ScalarNode) and name.value == name_of):
            continue
        entries = [(k, v) for k, v in spec.value if isinstance(k, yaml.ScalarNode)]
        at = next((i for i, (k, _) in enumerate(entries) if k.value == "steps"), None)
        if at is None or not isinstance(entries[at][1], yaml.MappingNode) or entries[at][1].flow_style:
            return None
        steps = entries[at][1]
        end = entries[at + 1][0].start_mark.line if at + 1 < len(entries) else _document_end(text, root)
        starts = [k.start_mark.line for k, _ in steps.value]
        return {k.value: (start, nxt) for (k, _), start, nxt in zip(steps.value, starts, [*starts[1:], end], strict=True)}
    return None


def _document_end(text: str, root: yaml.Node) -> int:
    """The line after a document's last line: the next ``---``, or the end of the text."""
    lines = text.split("\n")
    return next((i for i in range(root.start_mark.line + 1, len(lines)) if lines[i] == "---"), len(lines) - 1)


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)


def _splice(model: dict[str, Any], existing: str, original: str | None) -> str | None:
    """The render of ``model`` from the file's last full render, re-rendering only the steps that changed.

    The composer checks on every edit, and an edit changes a step or two; dumping a
    500-step file through ruamel costs 0.2 s. Anything but ``uses``/``with`` of existing
    steps changed (names, order, params, the description) answers None: render it all.
    """
    from mldsl.fmt.format import _yaml, dump_canonical

    if model["name"] != original:
        return None
    key = (existing, original)
    base = _RENDERS.get(key)
    if base is None:
        docs = _parsed(existing)
        _apply(model, docs, original)
        text = dump_canonical(_yaml(), docs)
        steps = _step_lines(text, model["name"])
        if steps is None:
            return text
        with _CACHE_LOCK:
            if len(_RENDERS) >= 4:
                _RENDERS.pop(next(iter(_RENDERS)))
            _RENDERS[key] = _Render(json.loads(json.dumps(model, default=str)), text, text.split("\n"), steps)
        return text
    was = base.model
    if not (
        _same([model["name"], model["description"], model["params"]], [was["name"], was["description"], was["params"]])
        and [s["name"] for s in model["steps"]] == [s["name"] for s in was["steps"]]
        and all(s.get("was", s["name"]) == s["name"] for s in model["steps"])
        and list(base.steps) == [s["name"] for s in model["steps"]]
    ):
        return None
    changed = [s for s, w in zip(model["steps"], was["steps"], strict=True) if not _same(s, w)]
    lines = list(base.lines)
    names = [s["name"] for s in model["steps"]]
    for step in reversed(sorted(changed, key=lambda s: base.steps[s["name"]][0])):
        docs = _parsed(existing)
        _apply(model, docs, original, only=set(names[names.index(step["name"]) : names.index(step["name"]) + 2]))
        alone = dump_canonical(_yaml(), docs)
        where = _step_lines(alone, model["name"])
        if where is None or step["name"] not in where:
            return None
        first, end = where[step["name"]]
        start, stop = base.steps[step["name"]]
        lines[start:stop] = alone.split("\n")[first:end]  # last step first: earlier ranges stay put
    return "\n".join(lines)


# --- diagnostics at the composer's fields ------------------------------------------------


def field_of(loc: tuple[str | int, ...]) -> str:
    """The composer field a document path belongs to ('' for the pipeline as a whole)."""
    if loc[:2] == ("metadata", "name"):
        return "name"
    if loc[:2] == ("metadata", "description"):
        return "description"
    if len(loc) >= 3 and loc[:2] == ("spec", "params"):
        return f"param:{loc[2]}"
    if len(loc) >= 3 and loc[:2] == ("spec", "steps"):
        if len(loc) >= 5 and loc[3] == "with":
            return f"step:{loc[2]}:with:{loc[4]}"
        if len(loc) >= 4 and loc[3] == "uses":
            return f"step:{loc[2]}:uses"
        if len(loc) >= 4 and loc[3] in STEP_PROPS:
            return f"step:{loc[2]}:prop:{loc[3]}"
        return f"step:{loc[2]}"
    if len(loc) >= 2 and loc[0] == "spec" and loc[1] in PIPELINE_KEYS:
        return str(loc[1])
    return ""


def locate(positions: Positions, line: int, col: int) -> tuple[str | int, ...]:
    """The deepest path whose key or value starts closest before (line, col)."""
    best: tuple[tuple[int, int, int], tuple[str | int, ...]] | None = None
    for table in (positions.values, positions.keys):
        for loc, (ln, c) in table.items():
            if (ln, c) <= (line, col):
                rank = (ln, c, len(loc))
                if best is None or rank > best[0]:
                    best = (rank, loc)
    return best[1] if best is not None else ()


def at_fields(text: str, path: str, name: str, diags: list[Diagnostic]) -> dict[str, list[Diagnostic]]:
    """Diagnostics of the file ``text`` by composer field (pipeline ``name``'s document; others go to '')."""
    docs, _ = load_yaml_text(text, path)
    spans = []
    for d in docs:
        if isinstance(d.data, dict) and d.data.get("kind") == "Pipeline" and (d.data.get("metadata") or {}).get("name") == name:
            lines = [ln for ln, _ in (*d.positions.values.values(), *d.positions.keys.values())]
            spans.append((min(lines, default=0), max(lines, default=0), d.positions))
    out: dict[str, list[Diagnostic]] = {}
    for diag in diags:
        field = ""
        for first, last, positions in spans:
            if first <= diag.span.line <= last:
                field = field_of(locate(positions, diag.span.line, diag.span.col))
        out.setdefault(field, []).append(diag)
    return out
