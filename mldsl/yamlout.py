"""Deterministic YAML output.

Keys keep the order the emitter built them in (apiVersion, kind, metadata,
spec, ...), long ``{{...}}`` strings are never folded, multi-line strings are
written as literal blocks, short mappings and lists of scalars are written on
one line (``- {name: lr, value: '0.1'}``: one parameter, one diff line), and
the output ends with one newline.
"""

from __future__ import annotations

import io
import re
from typing import Any

import yaml

try:
    from yaml import CSafeDumper as _Base
except ImportError:  # pragma: no cover
    from yaml import SafeDumper as _Base  # type: ignore[assignment]


class _Dumper(_Base):
    def ignore_aliases(self, data: Any) -> bool:
        return True  # never write &anchors / *aliases: manifests are read by people and by kubectl


#: plain scalars that some YAML reader would not read back as a string: YAML 1.1 booleans (go-yaml v2,
#: which ``kubectl apply`` uses, also reads y/n), nulls, and anything number- or date-like in 1.1 or 1.2
#: (``1e-05``, ``0o17``, ``1_000``, ``12:30``, ``.5``, ``.inf``, ``2024-06-01``)
_RETYPED = re.compile(
    r"""(?x)
    (y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)
    | (~|null|Null|NULL|=|<<)
    | [-+]?(0b[01_]+|0o?[0-7_]+|0x[0-9a-fA-F_]+)
    | [-+]?(\.[0-9_]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?
    | [-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?
    | [0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt\ ].*)?
    | [-+]?\.(inf|Inf|INF)
    | \.(nan|NaN|NAN)
    """
)


def retyped(text: str) -> bool:
    """Whether a YAML 1.1 or 1.2 reader would read ``text``, written plain, as something else than a string.

    >>> [retyped(t) for t in ("y", "1e-05", "12:30", "2024-06-01", "0o17", "1_000", ".5")]
    [True, True, True, True, True, True, True]
    >>> [retyped(t) for t in ("churn", "-x", "2Gi", "1.2.0", "30 3 * * *")]
    [False, False, False, False, False]
    """
    return _RETYPED.fullmatch(text) is not None


def _str(dumper: Any, data: str) -> Any:
    if "\n" in data:
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")
    if retyped(data):
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="'")
    return dumper.represent_scalar("tag:yaml.org,2002:str", data)


_FLOW_WIDTH = 100


def _short(data: dict[Any, Any] | list[Any]) -> bool:
    """Short mappings/lists of scalars are written on one line, e.g. ``{name: a, value: '1'}``."""
    total = 0
    pairs = data.items() if isinstance(data, dict) else ((None, v) for v in data)
    for key, value in pairs:
        if isinstance(value, (dict, list)):
            return False
        if isinstance(value, str):
            if "\n" in value:
                return False
            total += len(value) + 2
        else:
            total += 8
        if key is not None:
            total += len(str(key)) + 2
        if total > _FLOW_WIDTH:
            return False
    return True


def _dict(dumper: Any, data: dict[Any, Any]) -> Any:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=bool(data) and _short(data))


def _list(dumper: Any, data: list[Any]) -> Any:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=bool(data) and _short(data))


_Dumper.add_representer(str, _str)
_Dumper.add_representer(dict, _dict)
_Dumper.add_representer(list, _list)


_STR, _MAP, _SEQ = "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"


def _node(data: Any) -> yaml.Node:
    """The node PyYAML's representer builds for ``data`` with the representers above, built directly.

    Manifests are dicts, lists and scalars; going through ``represent_data`` (a type lookup, alias
    bookkeeping and a call per value) took a third of a 1,000-step compile (issue #15). The nodes are the
    same (tags, styles, flow styles), so the serializer and emitter write the same bytes: the golden
    files pin it.
    """
    if isinstance(data, str):
        style = "|" if "\n" in data else "'" if retyped(data) else None
        return yaml.ScalarNode(_STR, data, style=style)
    if isinstance(data, dict):
        pairs = [(_node(k), _node(v)) for k, v in data.items()]
        return yaml.MappingNode(_MAP, pairs, flow_style=bool(data) and _short(data))
    if isinstance(data, list):
        return yaml.SequenceNode(_SEQ, [_node(v) for v in data], flow_style=bool(data) and _short(data))
    if data is None:
        return yaml.ScalarNode("tag:yaml.org,2002:null", "null")
    if isinstance(data, bool):
        return yaml.ScalarNode("tag:yaml.org,2002:bool", "true" if data else "false")
    if isinstance(data, int):
        return yaml.ScalarNode("tag:yaml.org,2002:int", str(data))
    if isinstance(data, float):
        # SafeRepresenter.represent_float: .nan/.inf, else repr, with a '.0' before a bare exponent
        if data != data:
            text = ".nan"
        elif data in (float("inf"), float("-inf")):
            text = ".inf" if data > 0 else "-.inf"
        else:
            text = repr(data).lower()
            if "." not in text and "e" in text:
                text = text.replace("e", ".0e", 1)
        return yaml.ScalarNode("tag:yaml.org,2002:float", text)
    node: yaml.Node = _Dumper(io.StringIO()).represent_data(data)  # anything else, as PyYAML would
    return node


def dump(obj: Any) -> str:
    """One YAML document; ``width`` is unbounded so expressions stay on one line."""
    text: str = yaml.serialize(_node(obj), Dumper=_Dumper, allow_unicode=True, width=2**31 - 1, indent=2)
    return text if text.endswith("\n") else text + "\n"
