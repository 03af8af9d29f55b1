"""Safe, positioned YAML loading.

PyYAML's composer (the C one where available) gives nodes with marks; we turn
nodes into plain Python values ourselves so that we can

* remember the line and column of every key and value (``Positions``),
* refuse duplicate keys (plain YAML keeps the last one silently),
* refuse any tag outside the safe core schema (``!!python/...`` and friends),
* bound alias expansion, so a "billion laughs" document is an error,
* keep YAML 1.1 timestamps (``2024-06-01``) as the strings the user wrote,
* read numbers as YAML 1.2 does (SPEC §1.10): ``1e-3`` is a float (PyYAML's 1.1
  resolver needs a dot), ``010`` is ten, and ``1_000``, ``0b11`` and ``1:30`` are text,
* and booleans as YAML 1.2 does: only ``true``/``false`` (any case PyYAML's 1.1 resolver
  also reads: ``True``, ``TRUE``); YAML 1.1's ``yes``, ``no``, ``on`` and ``off`` are text, so a
  step named ``yes:`` is ``yes``, not ``True``.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from mldsl.lang.diagnostics import Diagnostic, Span
from mldsl.lang.yamlerrors import depth_diag, syntax_diag

try:  # the C composer is several times faster; fall back where libyaml is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

PathKey = tuple[str | int, ...]

#: YAML 1.2 core schema numbers (https://yaml.org/spec/1.2.2/#1032-tag-resolution)
_INT12 = re.compile(r"[-+]?[0-9]+")
_OCT12 = re.compile(r"0o[0-7]+")
_HEX12 = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT12 = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_SPECIAL12 = re.compile(r"[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)")
#: YAML 1.2 core schema booleans; PyYAML's 1.1 resolver also tags yes/no/on/off (and their cases) as bool
_BOOL12 = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}

#: Upper bound on values produced from one document, aliases expanded.
MAX_NODES = 200_000
#: Upper bound on nesting depth (also stops recursive aliases).
MAX_DEPTH = 200

_SAFE_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:timestamp",
}


@dataclass
class Positions:
    """Line/column of every value and key in a document, by path."""

    path: str
    values: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    keys: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    #: paths whose scalar was quoted (its text starts one column after the mark)
    quoted: set[PathKey] = field(default_factory=set)

    def span(self, loc: PathKey, *, key: bool = False) -> Span:
        """The span of ``loc`` (its key if ``key``), else of its nearest known ancestor."""
        loc = tuple(loc)
        table = self.keys if key else self.values
        if loc in table:
            line, col = table[loc]
            return Span(self.path, line, col)
        while loc:
            loc = loc[:-1]
            if loc in self.values:
                line, col = self.values[loc]
                return Span(self.path, line, col)
        return Span(self.path, 1, 1)

    def span_in_string(self, loc: PathKey, offset: int) -> Span:
        """The span of character ``offset`` of the string at ``loc`` (exact on one-line scalars)."""
        base = self.span(loc)
        if loc not in self.values:
            return base
        return Span(base.path, base.line, base.col + offset + (1 if loc in self.quoted else 0))


@dataclass
class YamlDocument:
    """One YAML document of a file: its data and where everything is."""

    path: str
    index: int
    data: Any
    positions: Positions
    text: str = ""


class _LoadError(Exception):
    def __init__(self, diag: Diagnostic):
        self.diag = diag


class _Builder:
    def __init__(self, path: str, positions: Positions, diags: list[Diagnostic]):
        self.path = path
        self.pos = positions
        self.diags = diags
        self.count = 0
        self._resolver = yaml.resolver.Resolver()

    def span(self, node: yaml.Node) -> Span:
        return Span(self.path, node.start_mark.line + 1, node.start_mark.column + 1)

    def _too_big(self, node: yaml.Node) -> _LoadError:
        return _LoadError(
            Diagnostic(
                "MLD005",
                "document expands to too many values (alias expansion or nesting is unbounded)",
                self.span(node),
                hint=f"a document may hold at most {MAX_NODES} values and {MAX_DEPTH} levels; "
                "avoid anchors that reference other anchors recursively",
            )
        )

    def _key(self, knode: yaml.ScalarNode) -> str:
        """A mapping key as text: numbers PyYAML resolves as their value reads (``0x1F`` is ``31``), anything else
        as written (``yes`` and ``true`` stay themselves, never Python's ``True``; a null key is its text)."""
        if knode.tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
            return str(self.scalar(knode))
        return str(knode.value)

    def _children(self, node: yaml.Node) -> list[yaml.Node]:
        """The nodes :meth:`build` descends into, in its order (skipped keys and duplicates left out)."""
        if node.tag not in _SAFE_TAGS:
            return []
        if isinstance(node, yaml.SequenceNode):
            return list(node.value)
        if not isinstance(node, yaml.MappingNode):
            return []
        seen: set[str] = set()
        out = []
        for knode, vnode in node.value:
            if not isinstance(knode, yaml.ScalarNode) or knode.tag == "tag:yaml.org,2002:merge":
                continue
            key = self._key(knode)
            if key not in seen:
                seen.add(key)
                out.append(vnode)
        return out

    def _measure(self, node: yaml.Node, depth: int, memo: dict[int, tuple[float, float]]) -> tuple[float, float]:
        """(values, levels below) of ``node`` with aliases expanded, each node of the graph visited once.

        Aliases share nodes, so an expansion of 10^9 values is a graph of a few
        dozen: measuring it costs the graph's size, not the expansion's. A cycle,
        or nesting past the limit, measures as infinite.
        """
        known = memo.get(id(node))
        if known is not None:
            return known
        if depth > MAX_DEPTH:
            return (math.inf, math.inf)
        memo[id(node)] = (math.inf, math.inf)  # while in progress: a path back here is a cycle
        size, height = 1.0, 0.0
        for child in self._children(node):
            s, h = self._measure(child, depth + 1, memo)
            size += s
            height = max(height, h + 1)
        memo[id(node)] = (size, height)
        return size, height

    def _first_overflow(
        self, node: yaml.Node, depth: int, count: int, memo: dict[int, tuple[float, float]]
    ) -> tuple[yaml.Node | None, int]:
        """Where :meth:`build` would stop, found without building: skips every subtree that fits."""
        count += 1
        if count > MAX_NODES or depth > MAX_DEPTH:
            return node, count
        for child in self._children(node):
            size, height = memo.get(id(child), (math.inf, math.inf))
            if count + size <= MAX_NODES and depth + 1 + height <= MAX_DEPTH:
                count += int(size)
                continue
            found, count = self._first_overflow(child, depth + 1, count, memo)
            if found is not None:
                return found, count
        return None, count

    def build_document(self, node: yaml.Node, aliases: bool = True) -> Any:
        """The document's value; a document over the limits is refused before anything is expanded.

        Without ``aliases`` (no ``*`` in the text) a document is no bigger than its text, and the
        build's own count suffices.
        """
        memo: dict[int, tuple[float, float]] = {}
        size, height = self._measure(node, 0, memo) if aliases else (0, 0)
        if size > MAX_NODES or height > MAX_DEPTH:
            found, _ = self._first_overflow(node, 0, 0, memo)
            if found is not None:  # else the measure was cut short by depth only, and the build decides
                raise self._too_big(found)
        return self.build(node, ())

    def build(self, node: yaml.Node, loc: PathKey, depth: int = 0) -> Any:
        self.count += 1
        if self.count > MAX_NODES or depth > MAX_DEPTH:
            raise self._too_big(node)
        self.pos.values.setdefault(loc, (node.start_mark.line + 1, node.start_mark.column + 1))
        if node.tag not in _SAFE_TAGS:
            self.diags.append(
                Diagnostic(
                    "MLD004",
                    f"unsupported YAML tag {node.tag!r}",
                    self.span(node),
                    hint="mldsl reads only safe YAML: plain strings, numbers, booleans, null, lists and mappings",
                )
            )
            return None
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, loc, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*loc, i), depth + 1) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        if node.style in ("'", '"'):
            self.pos.quoted.add(loc)
        return self.scalar(node)

    def _mapping(self, node: yaml.MappingNode, loc: PathKey, depth: int) -> dict[Any, Any]:
        """A mapping's entries, each key positioned; merge keys, complex keys and duplicates refused."""
        out: dict[Any, Any] = {}
        for knode, vnode in node.value:
            if not isinstance(knode, yaml.ScalarNode):
                self.diags.append(Diagnostic("MLD006", "mapping keys must be plain scalars", self.span(knode)))
                continue
            if knode.tag == "tag:yaml.org,2002:merge":
                self.diags.append(
                    Diagnostic(
                        "MLD004",
                        "YAML merge keys ('<<') are not supported",
                        self.span(knode),
                        hint="write the fields out, or share values through a module or param",
                    )
                )
                continue
            key = self._key(knode)
            if key in out:
                first = self.pos.keys.get((*loc, key))
                where = f" (first at line {first[0]})" if first else ""
                self.diags.append(
                    Diagnostic(
                        "MLD003",
                        f"duplicate key {key!r}{where}",
                        self.span(knode),
                        hint="YAML would silently keep only the last value; remove one of them",
                    )
                )
                continue
            self.pos.keys[(*loc, key)] = (knode.start_mark.line + 1, knode.start_mark.column + 1)
            out[key] = self.build(vnode, (*loc, key), depth + 1)
        return out

    def scalar(self, node: yaml.ScalarNode) -> Any:
        tag = node.tag
        if tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool") and self._explicit(node):
            return self._tagged(node)
        if tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float") or (tag == "tag:yaml.org,2002:str" and not node.style):
            return self._number(node, node.value)
        if tag == "tag:yaml.org,2002:str" or tag == "tag:yaml.org,2002:timestamp":
            return node.value  # dates stay the text the user wrote
        if tag == "tag:yaml.org,2002:bool":
            return _BOOL12.get(node.value, node.value)  # yes/no/on/off are text in YAML 1.2
        return None  # null

    def _explicit(self, node: yaml.ScalarNode) -> bool:
        """Whether the node's tag was written (``!!int x``) rather than read from its text."""
        implicit = (not node.style, bool(node.style))
        return bool(node.tag != self._resolver.resolve(yaml.ScalarNode, node.value, implicit))  # type: ignore[no-untyped-call]

    def _bad_value(self, node: yaml.ScalarNode, message: str, hint: str) -> Any:
        self.diags.append(Diagnostic("MLD007", message, self.span(node), hint=hint))
        return node.value

    def _tagged(self, node: yaml.ScalarNode) -> Any:
        """A value with an explicit ``!!int``/``!!float``/``!!bool`` tag: its text must be one."""
        kind = node.tag.rsplit(":", 1)[1]
        if kind == "bool":
            if node.value.lower() in ("true", "false"):
                return node.value.lower() == "true"
        else:
            value = self._number(node, node.value.strip())
            if isinstance(value, int if kind == "int" else (int, float)) and not isinstance(value, bool):
                return float(value) if kind == "float" else value
        article = "an" if kind == "int" else "a"
        hint = f"remove the !!{kind} tag, or write {article} {kind}"
        return self._bad_value(node, f"{node.value!r} is not {article} {kind}", hint)

    def _number(self, node: yaml.ScalarNode, text: str) -> Any:
        try:
            return yaml12_number(text)
        except ValueError:  # Python refuses to read an int of more than 4,300 digits
            hint = "quote it if it is an identifier, not a number"
            return self._bad_value(node, f"number of {len(text)} digits is too long", hint)


def yaml12_number(text: str) -> int | float | str:
    """A plain scalar as YAML 1.2's core schema reads it: an int, a float, or the text itself."""
    if _INT12.fullmatch(text):
        return int(text, 10)
    if _OCT12.fullmatch(text):
        return int(text[2:], 8)
    if _HEX12.fullmatch(text):
        return int(text[2:], 16)
    if _FLOAT12.fullmatch(text):
        return float(text)
    if _SPECIAL12.fullmatch(text):
        return float(text.replace(".", "").lower())
    return text


#: libyaml's own bound (src/parser.c l. 67, MAX_NESTING_LEVEL = 1000, from commit 51843fe "Limit depth of
#: nesting by default", which no release up to 0.2.5 has): without it, the C composer recurses once per level and
#: ~25,000 levels overflow the C stack (a segfault, no message)
_NESTING_PROBE = "[" * 1100 + "]" * 1100
#: texts up to this length nest at most 5,000 levels, which the composer's recursion survives
_SAFE_LENGTH = 10_000


@functools.cache
def _parser_limits_nesting() -> bool:
    """Whether the YAML parser in use refuses deep nesting itself (probed once: about 0.1 ms)."""
    if not getattr(yaml, "__with_libyaml__", False):
        return False  # PyYAML's Python composer recurses too (a RecursionError)
    try:
        for _ in yaml.parse(_NESTING_PROBE, Loader=yaml.CSafeLoader):
            pass
    except yaml.YAMLError:
        return True
    return False


def _too_deep(text: str) -> Any:
    """Where ``text`` first nests deeper than MAX_DEPTH, read as events (the parser does not recurse)."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return event.start_mark
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return None  # the composer reports it
    return None


def load_yaml_text(text: str, path: str) -> tuple[list[YamlDocument], list[Diagnostic]]:
    """Parse every document of ``text``; never raises for bad input.

    >>> docs, diags = load_yaml_text("a: 1\\nb: [x, y]\\n", "f.yaml")
    >>> docs[0].data, docs[0].positions.span(("b", 1))
    ({'a': 1, 'b': ['x', 'y']}, Span(path='f.yaml', line=2, col=8))
    """
    diags: list[Diagnostic] = []
    docs: list[YamlDocument] = []
    # each level takes two characters at least: a shorter text cannot nest deep enough to hurt the C composer
    if len(text) > _SAFE_LENGTH and not _parser_limits_nesting() and (deep := _too_deep(text)) is not None:
        return [], [depth_diag(path, deep, MAX_DEPTH)]
    loader = _Loader(text)
    try:
        index = 0
        while loader.check_node():
            node = loader.get_node()
            if node is None:  # pragma: no cover - check_node guards this
                break
            positions = Positions(path)
            builder = _Builder(path, positions, diags)
            try:
                data = builder.build_document(node, aliases="*" in text)
            except _LoadError as exc:
                diags.append(exc.diag)
                index += 1
                continue
            if data is not None or node.tag != "tag:yaml.org,2002:null":
                docs.append(YamlDocument(path, index, data, positions, text))
            index += 1
    except yaml.YAMLError as exc:
        diags.append(syntax_diag(path, exc, text, MAX_DEPTH))
    finally:
        loader.dispose()
    return docs, diags
