"""Params given on the command line or a form: ``name=value`` pairs read by a compiled pipeline's declared types and
checked with the rules ``validate`` applies. A use case over the IR (not the house plan's ``lang/values.py``: it reads
``ir.Pipeline`` and Argo's escaping, which the language core may not import), shared by ``run``, ``submit`` and the UI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mldsl.argo.tags import escape_value
from mldsl.compiler import ir
from mldsl.lang.buckets import bucket_problem
from mldsl.lang.constraints import ARTIFACT_URI, Param, check_value  # ARTIFACT_URI: where an artifact param may come from


def as_pairs(values: dict[str, Any]) -> list[str]:
    """``name=value`` pairs as ``-p`` takes them: text as it is, anything else as JSON (which YAML reads back)."""
    return [f"{k}={v if isinstance(v, str) else json.dumps(v)}" for k, v in values.items()]


def parse_params(pipeline: ir.Pipeline, pairs: list[str], *, artifacts: bool = False) -> tuple[dict[str, str], list[str]]:
    """``k=v`` strings to the text Argo receives, with every problem found (unknown, mistyped, out of range, missing).

    An artifact param is a URI (``s3://bucket/key``; ``submit`` passes it as the run's workflow artifact); with
    ``artifacts`` (``mldsl run``) it may also be a local path.
    """
    params = {p.name: p for p in pipeline.params}
    values: dict[str, str] = {}
    problems: list[str] = []
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        if not sep:
            problems.append(f"--param {pair!r}: write name=value")
            continue
        p = params.get(name)
        if p is None:
            problems.append(
                f"--param {name}: pipeline {pipeline.name!r} has no such param (it has: {', '.join(params) or 'none'})"
            )
            continue
        if p.type.kind == "artifact":
            if ARTIFACT_URI.match(raw) and (bucket := bucket_problem(raw)) is not None:
                problems.append(f"--param {name}: {bucket}")
            elif artifacts or ARTIFACT_URI.match(raw):
                values[name] = raw
            else:
                problems.append(f"--param {name}: expected an artifact URI (s3://bucket/key, gs://..., https://...), got {raw!r}")
            continue
        try:
            value = _typed(p, raw)
        except ValueError as exc:
            problems.append(f"--param {name}: {exc}; {allowed(p)}")
            continue
        problems += [f"--param {name}: {problem}; {allowed(p)}" for problem in check_value(p, value)]
        text = raw if isinstance(value, str) else json.dumps(value) if not isinstance(value, bool) else str(value).lower()
        values[name] = escape_value(text)  # Argo would substitute a '{{...}}' it holds (values are data, SPEC §1.9)
    for p in pipeline.params:
        if p.required and p.name not in values:
            problems.append(f"--param {p.name} is required ({p.type})")
    return values, problems


def allowed(p: Param) -> str:
    """What ``p`` takes, said as its declaration does: ``n_estimators is an int from 10 to 1000 (default 200)``."""
    kind = p.type.kind
    what = {"int": "an int", "float": "a float", "bool": "true or false", "str": "a string"}.get(kind, str(p.type))
    if kind == "enum":
        what = "one of " + ", ".join(json.dumps(v) for v in p.type.values or ())
    low = (">" if p.exclusive_min else ">=") + f" {p.minimum}" if p.minimum is not None else None
    high = ("<" if p.exclusive_max else "<=") + f" {p.maximum}" if p.maximum is not None else None
    if p.minimum is not None and p.maximum is not None and not (p.exclusive_min or p.exclusive_max):
        what += f" from {p.minimum} to {p.maximum}"
    elif low or high:
        what += " " + " and ".join(x for x in (low, high) if x)
    if p.min_length is not None or p.max_length is not None:
        what += f" of length {p.min_length or 0} to {p.max_length if p.max_length is not None else 'any'}"
    if p.pattern is not None:
        what += f" matching {p.pattern!r}"
    if p.has_default:
        what += f" (default {json.dumps(p.default)})"
    return f"{p.name} takes {what}"


def _typed(p: Param, raw: str) -> Any:
    """``raw`` read as ``p``'s type; a ValueError says what was expected in the language's words (not Python's
    ``invalid literal for int() with base 10``)."""
    kind = p.type.kind
    if kind == "int":
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"expected an int, got {raw!r}") from None
    if kind == "float":
        try:
            return float(raw)
        except ValueError:
            raise ValueError(f"expected a float, got {raw!r}") from None
    if kind == "bool":
        if raw.lower() not in ("true", "false"):
            raise ValueError(f"expected true or false, got {raw!r}")
        return raw.lower() == "true"
    if kind in ("list", "dict") or (kind == "enum" and p.type.values and all(isinstance(v, (int, float)) for v in p.type.values)):
        try:
            return json.loads(raw)
        except ValueError:
            if kind == "enum":
                raise ValueError(f"expected a number, got {raw!r}") from None
            example = '["a", "b"]' if kind == "list" else '{"k": 1}'
            raise ValueError(f"expected {p.type} written as JSON (e.g. {example}), got {raw!r}") from None
    return raw


def with_uri_params(pipeline: ir.Pipeline, values: dict[str, str]) -> dict[str, str]:
    """``values`` with, for each artifact param a Spark or training job reads by URI, its URI as the workflow
    parameter the job's manifest reads (``backends/argo/workflow.py`` uri_read_params); a local path given to
    ``mldsl run`` becomes a ``file://`` URI."""
    from mldsl.backends.argo.workflow import uri_param_of, uri_read_params

    out = dict(values)
    for name in uri_read_params(pipeline):
        if name in values:
            given = values[name]
            out[uri_param_of(name)] = given if "://" in given else Path(given).resolve().as_uri()
    return out


def split_artifacts(
    pipeline: ir.Pipeline, values: dict[str, str], project: ir.Project
) -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
    """Params, and artifact params as workflow artifacts read from exactly their URI (a full Argo location)."""
    from mldsl.backends.argo.workflow import artifact_location

    kinds = {p.name: p.type.kind for p in pipeline.params}
    artifacts = {k: artifact_location(v, project) for k, v in values.items() if kinds.get(k) == "artifact"}
    return {k: v for k, v in with_uri_params(pipeline, values).items() if k not in artifacts}, artifacts
