"""Deterministic YAML output.

Keys keep the order the emitter built them in (apiVersion, kind, metadata,
spec, ...), long ``{{...}}`` strings are never folded, multi-line strings are
written as literal blocks, and the output ends with one newline.
"""

from __future__ import annotations

from typing import Any

import yaml

try:
    from yaml import CSafeDumper as _Base
except ImportError:  # pragma: no cover
    from yaml import SafeDumper as _Base  # type: ignore[assignment]


class _Dumper(_Base):
    pass


def _str(dumper: Any, data: str) -> Any:
    if "\n" in data:
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", data)


_Dumper.add_representer(str, _str)


def dump(obj: Any) -> str:
    """One YAML document; ``width`` is unbounded so expressions stay on one line."""
    text = yaml.dump(
        obj, Dumper=_Dumper, sort_keys=False, default_flow_style=False, allow_unicode=True, width=2**31 - 1, indent=2
    )
    return text if text.endswith("\n") else text + "\n"


def dump_all(objs: list[Any]) -> str:
    return "---\n".join(dump(o) for o in objs)
