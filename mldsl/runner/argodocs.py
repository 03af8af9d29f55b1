"""Plain Argo files read as the CLI reads them: YAML documents with their source positions, and the small
readers of their fields."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from mldsl.runner.argokinds import _MANIFEST_SUFFIXES

try:  # the C composer is several times faster; fall back where libyaml is missing
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]


# --------------------------------------------------------------------------- errors


class ArgoFileError(Exception):
    """A problem with an Argo file, at a position when one is known (1-based line and column)."""

    def __init__(
        self,
        message: str,
        path: Path | str | None = None,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
    ):
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        self.column = column
        self.hint = hint
        super().__init__(self.render())

    @property
    def where(self) -> str:
        if self.path is None:
            return ""
        if self.line is None:
            return str(self.path)
        return f"{self.path}:{self.line}:{self.column or 1}"

    def render(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text

    def __str__(self) -> str:
        return self.render()


# --------------------------------------------------------------------------- YAML with positions


class _Loader(_BaseLoader):
    """PyYAML's safe loader, YAML 1.1 like sigs.k8s.io/yaml (go-yaml v2), except that timestamps
    stay the text that was written: go-yaml decodes ``2024-01-01`` into an interface{} as a string."""


def _timestamp_as_text(loader: yaml.BaseLoader, node: yaml.Node) -> str:
    return str(node.value)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class _Doc:
    """One document of a manifest file: its value and its node (for positions)."""

    path: Path
    index: int
    node: yaml.Node
    data: Any

    @property
    def kind(self) -> str:
        return str(self.data.get("kind") or "") if isinstance(self.data, dict) else ""

    @property
    def api_version(self) -> str:
        return str(self.data.get("apiVersion") or "") if isinstance(self.data, dict) else ""

    @property
    def metadata(self) -> dict[str, Any]:
        md = self.data.get("metadata") if isinstance(self.data, dict) else None
        return md if isinstance(md, dict) else {}

    @property
    def name(self) -> str:
        return str(self.metadata.get("name") or "")

    @property
    def label(self) -> str:
        """``Kind/name`` (``Kind/generateName`` for a Workflow without a name)."""
        return f"{self.kind}/{self.name or self.metadata.get('generateName') or '?'}"

    def position(self, loc: Loc, *, key: bool = False) -> tuple[int, int]:
        """Line and column (1-based) of the value at ``loc`` (of its key with ``key``), else of its
        nearest ancestor that exists."""
        node = self.node
        mark = node.start_mark
        for part in loc:
            child: yaml.Node | None = None
            key_node: yaml.Node | None = None
            if isinstance(node, yaml.MappingNode) and isinstance(part, str):
                for k, v in node.value:
                    if isinstance(k, yaml.ScalarNode) and k.value == part:
                        key_node, child = k, v
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
                child = node.value[part]
            if child is None:
                break
            node = child
            mark = key_node.start_mark if key and key_node is not None and part == loc[-1] else child.start_mark
        return mark.line + 1, mark.column + 1

    def error(self, message: str, loc: Loc = (), *, hint: str | None = None, key: bool = False) -> ArgoFileError:
        line, column = self.position(loc, key=key)
        return ArgoFileError(message, self.path, line, column, hint)


def _duplicate_key(node: yaml.Node) -> tuple[yaml.Node, yaml.Node] | None:
    """The first repeated key of any mapping under ``node`` (and the key it repeats), in document
    order: ``argo submit`` reads strictly (cmd/argo/commands/submit.go:100, ``--strict`` defaults to
    true; workflow/common/parse.go:88-89 YAMLToJSONStrict, go-yaml v2's UnmarshalStrict) and refuses
    a repeated key where PyYAML would silently keep the last value."""
    stack = [node]
    seen_nodes: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in seen_nodes:
            continue
        seen_nodes.add(id(current))
        if isinstance(current, yaml.MappingNode):
            keys: dict[str, yaml.Node] = {}
            for k, _ in current.value:
                if isinstance(k, yaml.ScalarNode) and k.tag != "tag:yaml.org,2002:merge":
                    if k.value in keys:
                        return k, keys[k.value]
                    keys[k.value] = k
            stack.extend(v for _, v in reversed(current.value))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(reversed(current.value))
    return None


def _parse(path: Path, text: str) -> list[_Doc]:
    docs: list[_Doc] = []
    loader = _Loader(text)
    try:
        index = 0
        while loader.check_node():
            node = loader.get_node()
            if node is None:  # pragma: no cover - check_node guards this
                break
            dup = _duplicate_key(node)
            if dup is not None:
                again, first = dup
                raise ArgoFileError(
                    f'key "{again.value}" already set in map (first at line {first.start_mark.line + 1})',
                    path,
                    again.start_mark.line + 1,
                    again.start_mark.column + 1,
                    "argo submit and kubectl apply refuse a repeated key (YAML would keep only the last value): merge the two",
                )
            data = loader.construct_document(node)
            if data is not None:
                docs.append(_Doc(path, index, node, data))
            index += 1
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
        problem = exc.problem or exc.context or "invalid YAML"
        raise ArgoFileError(f"invalid YAML: {problem}", path, line, column) from None
    except yaml.YAMLError as exc:
        raise ArgoFileError(f"invalid YAML: {exc}", path) from None
    finally:
        loader.dispose()
    return docs


@lru_cache(maxsize=1024)
def _read_cached(path: str, mtime_ns: int, size: int) -> tuple[_Doc, ...]:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ArgoFileError(f"not UTF-8 text: {exc.reason}", p) from None
    return tuple(_parse(p, text))


def _read(path: Path) -> tuple[_Doc, ...]:
    """The documents of one file (cached by modification time; callers never mutate them)."""
    try:
        st = path.stat()
    except OSError as exc:
        raise ArgoFileError(f"cannot read: {exc.strerror or exc}", path) from None
    return _read_cached(str(path), st.st_mtime_ns, st.st_size)


_APPLIED_KIND = re.compile(
    rb"""kind["']?\s*:\s*["']?(ConfigMap|PersistentVolumeClaim|WorkflowTemplate|ClusterWorkflowTemplate)\b"""
)


def _may_hold_objects(path: Path) -> bool:
    """Whether a file may hold an object the run can refer to (a cheap scan before the YAML parse)."""
    try:
        return _APPLIED_KIND.search(path.read_bytes()) is not None
    except OSError:
        return True  # let the parse report it


def _walk(root: Path) -> list[Path]:
    """Manifest files under ``root`` in ``filepath.Walk`` order (lexical, depth-first), as
    util/file/fileutil.go:226-259 WalkManifests visits them; hidden folders are skipped."""
    out: list[Path] = []
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError:
        return out
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            if not entry.name.startswith("."):
                out.extend(_walk(Path(entry.path)))
        elif entry.name.endswith(_MANIFEST_SUFFIXES) and entry.is_file():
            out.append(Path(entry.path))
    return out


# --------------------------------------------------------------------------- values as Argo reads them


def anystring(value: Any) -> str:
    """A YAML scalar as Argo's AnyString holds it (pkg/apis/workflow/v1alpha1/anystring.go:23-43):
    numbers pass through JSON as float64 and print with ``FormatFloat(v, 'f', -1, 64)`` (``1.0`` is
    ``"1"``, ``1e21`` is ``"1000000000000000000000"``), booleans as ``true``/``false``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        number = float(value)
        if number != number or number in (float("inf"), float("-inf")):
            return str(value)
        text = format(Decimal(repr(number)).normalize(), "f")
        return "0" if text in ("-0", "0") and number == 0 else text
    if value is None:
        return ""
    return str(value)


def _go_json(value: Any, *, sort_keys: bool = False) -> str:
    """``encoding/json.Marshal``'s text: compact, HTML characters escaped (\\u003c, \\u003e, \\u0026)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=sort_keys)
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text


def _mapping(value: Any) -> dict[str, Any]:
    """``value`` if it is a mapping, else an empty one (for reading optional fields)."""
    return value if isinstance(value, dict) else {}


def _params(spec: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    args = spec.get("arguments") if isinstance(spec, Mapping) else None
    params = args.get("parameters") if isinstance(args, Mapping) else None
    return [p for p in params if isinstance(p, dict)] if isinstance(params, list) else []


def _artifacts(spec: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    args = spec.get("arguments") if isinstance(spec, Mapping) else None
    arts = args.get("artifacts") if isinstance(args, Mapping) else None
    return [a for a in arts if isinstance(a, dict)] if isinstance(arts, list) else []


def _has_value(param: Mapping[str, Any]) -> bool:
    """Parameter.HasValue (pkg/apis/workflow/v1alpha1/workflow_types.go:1137-1139)."""
    return param.get("value") is not None or param.get("default") is not None or param.get("valueFrom") is not None
