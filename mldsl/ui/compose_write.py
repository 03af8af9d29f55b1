"""Writing the composer's pipeline into the file's round-trip (ruamel) documents: what the page changed is
written anew, and every comment, key order and spelling it did not touch is kept as written."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

#: what the composer edits of a param's long form besides its type (issue #14 U12)
PARAM_KEYS = ("default", "values", "optional", "description", "min", "max", "pattern", "min_length", "max_length")
#: a step's properties the composer edits (its properties panel); the rest is kept as written
STEP_PROPS = ("when", "for_each", "parallelism", "retries", "timeout", "cache", "resources", "continue_on_failure")
#: pipeline-wide fields the composer edits
PIPELINE_KEYS = ("outputs", "schedule", "on_exit")


def _retyped(text: str) -> bool:
    """Whether mldsl's loader would read ``text``, written plain, as something other than this string."""
    from mldsl.lang.yamlsource import load_yaml_text

    docs, diags = load_yaml_text(f"v: {text}\n", "<value>") if text and "\n" not in text else ([], [])
    return not docs or diags != [] or docs[0].data != {"v": text}


def _value(v: Any) -> Any:
    """A ``with`` value for ruamel: expressions double-quoted (as people write them), collections in flow style."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    if isinstance(v, str) and "${{" in v:
        return DoubleQuotedScalarString(v)
    if isinstance(v, str) and _retyped(v):
        return DoubleQuotedScalarString(v)  # `no`, `on`, `1e-3`, `~` written plain would be read back as another type
    if isinstance(v, dict):
        m = CommentedMap((str(k), _value(x)) for k, x in v.items())
        m.fa.set_flow_style()
        return m
    if isinstance(v, list):
        s = CommentedSeq(_value(x) for x in v)
        s.fa.set_flow_style()
        return s
    return v


def _kept(old: Any, new: Any) -> Any:
    """``new`` as YAML, unless it is the number ``old`` already is: the page speaks JSON through JavaScript,
    where ``1.0`` comes back as ``1``, and ``max: 1.0`` was saved as ``max: 1`` (issue #30 m14). ``old`` is a
    number, or a plain scalar kept as written (``fmt.format.Verbatim``, its tag an int's or a float's)."""
    numeric = str(getattr(old, "tag", "")).endswith((":int", ":float")) or (
        isinstance(old, (int, float)) and not isinstance(old, bool)
    )
    if numeric and isinstance(new, (int, float)) and not isinstance(new, bool):
        try:
            if float(str(old).replace("_", "")) == float(new):
                return old
        except ValueError:  # .inf, 0x1F: written anew
            pass
    return _value(new)


def _block(value: Any, old: Any) -> Any:
    """A pipeline-wide mapping (outputs, schedule, on_exit) as a block, keeping what was written where unchanged."""
    from ruamel.yaml.comments import CommentedMap

    if not isinstance(value, dict):
        return _value(value)
    block = old if isinstance(old, CommentedMap) else CommentedMap()
    _sync(block, value)
    for k, v in value.items():
        if isinstance(v, dict) and isinstance(block.get(k), CommentedMap):
            block[str(k)] = _block(v, block[k])
        elif block.get(k) != v:
            block[str(k)] = _value(v)
    return block


def _sync(target: Any, wanted: Iterable[str]) -> None:
    """Drop ``target``'s keys that are not ``wanted`` (comments on the others stay)."""
    keep = set(wanted)
    for key in [k for k in target if k not in keep]:
        del target[key]


def _pipeline_index(docs: list[Any], original: str | None) -> int:
    """The index of the Pipeline named ``original`` in ``docs``, appended (empty) when there is none."""
    from ruamel.yaml.comments import CommentedMap

    index = next(
        (
            i
            for i, d in enumerate(docs)
            if isinstance(d, CommentedMap) and d.get("kind") == "Pipeline" and (d.get("metadata") or {}).get("name") == original
        ),
        None,
    )
    if index is None:
        docs.append(
            CommentedMap(
                [("apiVersion", "mldsl/v1"), ("kind", "Pipeline"), ("metadata", CommentedMap()), ("spec", CommentedMap())]
            )
        )
        index = len(docs) - 1
    return index


def _apply_params(spec: Any, model: dict[str, Any]) -> None:
    """The composer's params into ``spec``, each declaration kept as written where the composer left it alone."""
    from ruamel.yaml.comments import CommentedMap

    old_params = spec.get("params") if isinstance(spec.get("params"), CommentedMap) else CommentedMap()
    params = CommentedMap()
    for p in model["params"]:
        decl = old_params.get(p.get("was") or p["name"])
        decl = decl if isinstance(decl, CommentedMap) else CommentedMap()
        decl["type"] = p["type"]
        for key in PARAM_KEYS:
            if key in p:
                decl[key] = _kept(decl.get(key), p[key])
            else:
                decl.pop(key, None)
        if len(decl) == 1:
            params[p["name"]] = p["type"]  # the short form, as people write it
        else:
            decl.fa.set_flow_style()
            params[p["name"]] = decl
    if params:
        had_params = "params" in spec
        spec["params"] = params
        if not had_params:
            spec.move_to_end("params", last=False)
    else:
        spec.pop("params", None)


def _apply_step(s: dict[str, Any], old: Any) -> Any:
    """The composer's step ``s`` over its document's step ``old`` (its comments and unknown keys kept)."""
    from ruamel.yaml.comments import CommentedMap

    step = old if isinstance(old, CommentedMap) else CommentedMap()
    if s["uses"] or not ({"deploy", "approve", "pipeline"} & set(step)):  # a deploy, approve or pipeline step keeps its kind
        step["uses"] = s["uses"]
    given = s.get("with") or {}
    if given:
        block = step.get("with") if isinstance(step.get("with"), CommentedMap) else CommentedMap()
        _sync(block, given)
        for k, v in given.items():
            block[str(k)] = _kept(block.get(k), v)
        step["with"] = block
    else:
        step.pop("with", None)
    if "props" in s:  # a client that edits them: what it leaves out is removed
        for key in STEP_PROPS:
            if key in s["props"] and s["props"][key] is not None:
                step[key] = _value(s["props"][key])
            else:
                step.pop(key, None)
    if "uses" in step and next(iter(step)) != "uses":
        step.move_to_end("uses", last=False)
    return step


def _apply(model: dict[str, Any], docs: list[Any], original: str | None, only: set[str] | None = None) -> int:
    """Put the composer's pipeline into ``docs`` (round-trip documents); the index of its document.

    With ``only``, the pipeline's other steps are left out: the text of one step
    (followed by the next, so that what ruamel writes after the last step stays
    there) is then what :func:`_splice` puts into the file's last full render.
    """
    from ruamel.yaml.comments import CommentedMap

    index = _pipeline_index(docs, original)
    doc = docs[index]
    meta = doc.setdefault("metadata", CommentedMap())
    meta["name"] = model["name"]
    if model["description"]:
        meta["description"] = model["description"]
    else:
        meta.pop("description", None)
    spec = doc.setdefault("spec", CommentedMap())
    _apply_params(spec, model)
    old_steps = spec.get("steps") if isinstance(spec.get("steps"), CommentedMap) else CommentedMap()
    steps = CommentedMap()
    for s in model["steps"]:
        if only is None or s["name"] in only:
            steps[s["name"]] = _apply_step(s, old_steps.get(s.get("was") or s["name"]))
    spec["steps"] = steps
    for key in PIPELINE_KEYS:
        if key not in model:
            continue  # kept as written
        if model[key]:
            spec[key] = _block(model[key], spec.get(key))
        else:
            spec.pop(key, None)
    renamed_steps = {s["was"]: s["name"] for s in model["steps"] if s.get("was") and s["was"] != s["name"]}
    renamed_params = {p["was"]: p["name"] for p in model["params"] if p.get("was") and p["was"] != p["name"]}
    if renamed_steps or renamed_params:
        _rename_references(spec, renamed_steps, renamed_params)
    return index


def _rename_references(spec: Any, steps: dict[str, str], params: dict[str, str]) -> None:
    """A renamed step or param, renamed wherever the pipeline refers to it (issue #14 U1).

    The composer edits ``with:``; a step's ``when``, ``for_each`` and ``env``, ``after:``, the pipeline's
    ``outputs`` and ``on_exit`` are kept as written, so they would still name the old one ("unknown step").
    Only references inside ``${{ }}`` change, and ``after:`` entries; quoting and comments stay.
    """
    ref = re.compile(r"\b(steps|params)\.([A-Za-z_][A-Za-z0-9_]*)\b")

    def fix_text(text: str) -> str:
        def one(expr: re.Match[str]) -> str:
            def name(m: re.Match[str]) -> str:
                table = steps if m.group(1) == "steps" else params
                return f"{m.group(1)}.{table.get(m.group(2), m.group(2))}"

            return ref.sub(name, expr.group(0))

        return re.sub(r"\$\{\{.*?\}\}", one, text, flags=re.S)

    def walk(node: Any, key: Any = None) -> Any:
        if isinstance(node, str):
            if "${{" not in node:
                return node
            fixed = fix_text(node)
            return node if fixed == node else type(node)(fixed) if type(node) is not str else fixed
        if isinstance(node, dict):
            for k in list(node):
                if k != "with":  # the composer wrote the with: blocks with the new names already
                    node[k] = walk(node[k], k)
            return node
        if isinstance(node, list):
            for i, item in enumerate(node):
                node[i] = steps.get(item, item) if key == "after" and isinstance(item, str) else walk(item)
            return node
        return node

    for key in list(spec):
        if key == "params":
            continue
        if key == "steps" and isinstance(spec[key], dict):
            for step in spec[key].values():
                if isinstance(step, dict) and isinstance(step.get("after"), str):
                    step["after"] = steps.get(step["after"], step["after"])
        walk(spec[key], key)
