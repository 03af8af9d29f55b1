"""Go's JSON and YAML of Kubernetes objects as kubectl prints and reads them, and the conditions a resource step waits for."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import yaml

from mldsl.runner.kubeselect import Requirement

try:  # the C parser is several times faster; fall back where libyaml is missing
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]


#: common.ExecutorResourceManifestPath (workflow/common/common.go:145): where the executor stages
#: the manifest, and so the source kubectl names in its errors
MANIFEST_PATH = "/tmp/manifest.yaml"
#: argoexec's exit code for any error it returns (cmd/argoexec/main.go:41-43)
_EXIT = 64
_GO_MAP = "Go value of type map[string]interface {}"
_ACTIONS = ("get", "create", "apply", "delete", "replace", "patch")


class ResourceError(Exception):
    """A step's failure while reading its outputs: ``message`` is the node's message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _KubectlError(Exception):
    """What kubectl printed before exiting non-zero (cmd/util/helpers.go:128-213 formats it)."""


class _RefusedError(Exception):
    """Something this module does not reproduce: the caller should have refused it before the run."""


def _failed(text: str) -> str:
    """The node message of a resource pod whose executor returned an error: its only container,
    ``main``, exits 64 with the error as termination message (cmd/argoexec/main.go:41-43,
    executor.go:230-241) and the controller words it (operator.go:1864-1874)."""
    return f"main: Error (exit code {_EXIT}): {text.strip()}"


# --------------------------------------------------------------------------- Go's text for values


def _digits(x: float) -> tuple[str, int]:
    """The shortest decimal digits that read back as ``abs(x)`` and the decimal point's position
    (strconv's shortest formatting, which Python's repr shares)."""
    _, digits, exp = Decimal(repr(abs(x))).normalize().as_tuple()
    assert isinstance(exp, int)
    text = "".join(map(str, digits))
    return text, len(text) + exp


def _go_float_f(x: float) -> str:
    """strconv.FormatFloat(x, 'f', -1, 64): shortest digits, never an exponent."""
    if x == 0:
        return "-0" if repr(x).startswith("-") else "0"
    digits, point = _digits(x)
    sign = "-" if x < 0 else ""
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return sign + digits + "0" * (point - len(digits))
    return f"{sign}{digits[:point]}.{digits[point:]}"


def _go_float_e(x: float) -> str:
    """strconv.FormatFloat(x, 'e', -1, 64): ``1.5e+07``, at least two exponent digits."""
    digits, point = _digits(x)
    exp = point - 1
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{'-' if x < 0 else ''}{mantissa}e{'+' if exp >= 0 else '-'}{abs(exp):02d}"


def _go_float_json(x: float) -> str:
    """encoding/json's float64: 'f' inside [1e-6, 1e21), else 'e' with ``e-07`` cut to ``e-7``."""
    if x == 0 or 1e-6 <= abs(x) < 1e21:
        return _go_float_f(x)
    return re.sub(r"e-0(\d)$", r"e-\1", _go_float_e(x))


def _go_float_v(x: float) -> str:
    """fmt's %v of a float64: strconv 'g' at shortest precision, which switches to an exponent
    below 1e-4 or from 1e6 up (ftoa.go: eprec is 6 when shortest)."""
    if x == 0:
        return _go_float_f(x)
    _, point = _digits(x)
    return _go_float_e(x) if not -4 <= point - 1 < 6 else _go_float_f(x)


def _go_json(value: Any, *, html: bool = True) -> str:
    """encoding/json.Marshal's text: compact, map keys sorted, floats as Go writes them, and (with
    ``html``) <, > and & escaped as json.Marshal does."""
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _go_float_json(value)
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
        if html:
            for raw, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
                text = text.replace(raw, esc)
        return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    if isinstance(value, Mapping):
        items = sorted((str(k), v) for k, v in value.items())
        return "{" + ",".join(f"{_go_json(k, html=html)}:{_go_json(v, html=html)}" for k, v in items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_go_json(v, html=html) for v in value) + "]"
    return _go_json(str(value), html=html)


def _json_number_float(value: Any) -> Any:
    """A value as Go's json.Unmarshal into ``any`` holds it: every number a float64."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, Mapping):
        return {str(k): _json_number_float(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_number_float(v) for v in value]
    return value


# --------------------------------------------------------------------------- YAML


class _Loader(_BaseLoader):
    """YAML 1.1 like sigs.k8s.io/yaml, except that timestamps stay text (go-yaml decodes them into
    ``interface{}`` as strings)."""


def _timestamp_as_text(loader: yaml.BaseLoader, node: yaml.Node) -> str:
    return str(node.value)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)


def _yaml_docs(text: str) -> list[Any]:
    """The documents of a manifest, empty ones dropped (kubectl's YAML decoder skips them)."""
    return [d for d in yaml.load_all(text, Loader=_Loader) if d is not None]


# --------------------------------------------------------------------------- gjson paths


def _gjson_text(value: Any) -> str:
    """gjson Result.String() of a value as the API server wrote it: strings bare, numbers as
    written (a float in 'f' form), true/false, null as "", objects and arrays as raw JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _go_float_f(value)
    if isinstance(value, str):
        return value
    return _go_json(value)


def _gjson_lookup(obj: Any, path: str) -> tuple[bool, str]:
    """gjson.GetBytes(json, path): Exists() and String() (resource.go:184-197). A label key cannot
    hold gjson's special characters (``* ? # @ | \\``), so a key is a dot-separated walk: a
    component names a member of an object or, in digits, an element of an array. An explicit null
    exists (its Raw is ``null``) and reads as ""."""
    cur = obj
    for part in path.split("."):
        if isinstance(cur, Mapping):
            if part not in cur:
                return False, ""
            cur = cur[part]
        elif isinstance(cur, list) and part.isascii() and part.isdigit():
            i = int(part)
            if i >= len(cur):
                return False, ""
            cur = cur[i]
        else:
            return False, ""
    return True, _gjson_text(cur)


def match_conditions(
    obj: Mapping[str, Any], success: Sequence[Requirement], failure: Sequence[Requirement]
) -> tuple[bool, str | None]:
    """matchConditions (resource.go:279-305): (retry, error). Any failure requirement that matches
    fails the step; all success requirements matching (or none given) succeed; else retry."""

    def lookup(key: str) -> tuple[bool, str]:
        return _gjson_lookup(obj, key)

    for req in failure:
        if req.matches(lookup):
            return False, f"failure condition '{req}' evaluated true"
    if sum(1 for req in success if req.matches(lookup)) >= len(success):
        return False, None
    return True, "Neither success condition nor the failure condition has been matched. Retrying..."
