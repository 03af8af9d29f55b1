"""Deterministic YAML output.

Keys keep the order the emitter built them in (apiVersion, kind, metadata,
spec, ...), long ``{{...}}`` strings are never folded, multi-line strings are
written as literal blocks, short mappings and lists of scalars are written on
one line (``- {name: lr, value: '0.1'}``: one parameter, one diff line), and
the output ends with one newline.
"""

from __future__ import annotations

import functools
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


def _style(text: str) -> str | None:
    """Multi-line strings as literal blocks, strings a reader would retype quoted, the rest plain."""
    return "|" if "\n" in text else "'" if retyped(text) else None


def _str(dumper: Any, data: str) -> Any:
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=_style(data))


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


def _flow(data: dict[Any, Any] | list[Any]) -> bool:
    return bool(data) and _short(data)


def _dict(dumper: Any, data: dict[Any, Any]) -> Any:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=_flow(data))


def _list(dumper: Any, data: list[Any]) -> Any:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=_flow(data))


_Dumper.add_representer(str, _str)
_Dumper.add_representer(dict, _dict)
_Dumper.add_representer(list, _list)


_STR, _MAP, _SEQ = "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
_RESOLVER = yaml.resolver.Resolver()
#: (tag, text) -> the serializer's ``implicit`` pair: would the text, written plain, read back with this tag
_IMPLICIT: dict[tuple[str, str], tuple[bool, bool]] = {}


def _scalar(tag: str, text: str, style: str | None = None) -> yaml.ScalarEvent:
    implicit = _IMPLICIT.get((tag, text))
    if implicit is None:
        implicit = _IMPLICIT[(tag, text)] = (
            tag == _RESOLVER.resolve(yaml.ScalarNode, text, (True, False)),  # type: ignore[no-untyped-call]
            tag == _RESOLVER.resolve(yaml.ScalarNode, text, (False, True)),  # type: ignore[no-untyped-call]
        )
    return yaml.ScalarEvent(None, tag, implicit, text, style=style)


def _events(data: Any, out: list[yaml.Event]) -> None:
    """The events PyYAML's representer and serializer make of ``data`` with the representers above.

    Manifests are dicts, lists and scalars. Going through the representer's nodes (a type lookup and alias
    bookkeeping per value, then the serializer calling the Python resolver twice per scalar from C) took
    40 % of a 1,000-step compile (issue #15); the libyaml emitter writes these events as it would have
    written the nodes: the same bytes (``tests/test_yamlout.py`` compares both; the golden files pin it).
    """
    if isinstance(data, str):
        out.append(_scalar(_STR, data, _style(data)))
    elif isinstance(data, dict):
        out.append(yaml.MappingStartEvent(None, _MAP, True, flow_style=_flow(data)))
        for key, value in data.items():
            _events(key, out)
            _events(value, out)
        out.append(yaml.MappingEndEvent())
    elif isinstance(data, list):
        out.append(yaml.SequenceStartEvent(None, _SEQ, True, flow_style=_flow(data)))
        for value in data:
            _events(value, out)
        out.append(yaml.SequenceEndEvent())
    elif data is None:
        out.append(_scalar("tag:yaml.org,2002:null", "null"))
    elif isinstance(data, bool):
        out.append(_scalar("tag:yaml.org,2002:bool", "true" if data else "false"))
    elif isinstance(data, int):
        out.append(_scalar("tag:yaml.org,2002:int", str(data)))
    else:  # floats (.nan, a '.0' before a bare exponent...) and anything else, as PyYAML's representer makes them
        _node_events(_representer().represent_data(data), out)


@functools.cache
def _representer() -> _Dumper:
    return _Dumper(io.StringIO())


def _node_events(node: yaml.Node, out: list[yaml.Event]) -> None:
    if isinstance(node, yaml.ScalarNode):
        out.append(_scalar(node.tag, node.value, node.style))
    elif isinstance(node, yaml.MappingNode):
        out.append(yaml.MappingStartEvent(None, node.tag, node.tag == _MAP, flow_style=node.flow_style))
        for key, value in node.value:
            _node_events(key, out)
            _node_events(value, out)
        out.append(yaml.MappingEndEvent())
    elif isinstance(node, yaml.SequenceNode):
        out.append(yaml.SequenceStartEvent(None, node.tag, node.tag == _SEQ, flow_style=node.flow_style))
        for value in node.value:
            _node_events(value, out)
        out.append(yaml.SequenceEndEvent())


def dump(obj: Any) -> str:
    """One YAML document; ``width`` is unbounded so expressions stay on one line."""
    events: list[yaml.Event] = [yaml.StreamStartEvent(), yaml.DocumentStartEvent(explicit=False)]
    _events(obj, events)
    events += [yaml.DocumentEndEvent(explicit=False), yaml.StreamEndEvent()]
    text: str = yaml.emit(events, Dumper=_Dumper, allow_unicode=True, width=2**31 - 1, indent=2)
    return text if text.endswith("\n") else text + "\n"
