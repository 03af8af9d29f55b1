"""Prove that a file is already in ``mldsl fmt``'s canonical form without the round-trip parser.

ruamel's round trip (which keeps comments) is pure Python and costs about
0.4 ms a value: 8 s on a 4,000-param file, on every pre-commit run. Most files
checked are already formatted, so this module answers the common question
first: it renders each line of the document from libyaml's nodes (C, fast),
for a conservative subset of YAML, in the canonical layout, and compares the
result with the file's own lines. Only an exact match counts; anything outside
the subset (block scalars, anchors, tags, several documents, numbers other
than plain decimals, ...) answers "don't know", and ruamel decides.

A wrong "canonical" would let ``fmt --check`` pass a file ``fmt`` changes, so
``tests/test_fmt.py`` checks this module against ruamel on generated files:
whenever it says canonical, ruamel's output is the input, byte for byte.
"""

from __future__ import annotations

import re

import yaml

from mldsl.fmt.order import METADATA_ORDER, TOP_ORDER
from mldsl.lang.yamlsource import _FLOAT12, _HEX12, _INT12, _OCT12, _SPECIAL12

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

_KEY = re.compile(r"[A-Za-z_/][^\s#,\[\]{}'\"]*\Z")
# numbers ruamel writes back as they were: decimal ints, and floats with a dot and no exponent
_PLAIN_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?\Z")
_YAML11_WORDS = {"yes", "no", "on", "off", "y", "n", "null", "nan", "inf"}
_EOL_COMMENT = re.compile(r" +#.*\Z")
_MAX_LINE = 2000  # ruamel folds lines past its width (4096); keep well clear of it


def _looks_typed(src: str) -> bool:
    """Text YAML 1.1 (libyaml) reads as a string but YAML 1.2 (ruamel) might not, or the reverse."""
    if src.lower() in _YAML11_WORDS or src.lower() in ("true", "false", "~"):
        return True
    return any(p.fullmatch(src) for p in (_INT12, _OCT12, _HEX12, _FLOAT12, _SPECIAL12))


class _OutsideSubsetError(Exception):
    """The text is outside the subset this module can vouch for."""


class _Renderer:
    def __init__(self, text: str):
        self.text = text
        self.lines: list[str] = []
        self.seen: set[int] = set()

    def _node(self, node: yaml.Node) -> None:
        if id(node) in self.seen:  # an alias: ruamel writes anchors and aliases, we do not
            raise _OutsideSubsetError
        self.seen.add(id(node))

    def key(self, node: yaml.Node) -> str:
        self._node(node)
        if not isinstance(node, yaml.ScalarNode) or node.style or not _KEY.match(node.value) or node.value.endswith(":"):
            raise _OutsideSubsetError
        if node.value.lower() in _YAML11_WORDS or node.value.lower() in ("true", "false"):
            raise _OutsideSubsetError
        return str(node.value)

    def scalar(self, node: yaml.ScalarNode) -> str:
        """The scalar as ruamel writes it back (with ``preserve_quotes``), when that is its own text."""
        self._node(node)
        start, end = node.start_mark, node.end_mark
        if start.line != end.line:
            raise _OutsideSubsetError
        src = self.text[start.index : end.index]
        if not node.style:  # plain ('' from libyaml, None from the Python parser)
            if src != node.value or src != src.strip():
                raise _OutsideSubsetError
            if node.tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
                if not _PLAIN_NUMBER.match(src):
                    raise _OutsideSubsetError
            elif node.tag == "tag:yaml.org,2002:bool":
                if src not in ("true", "false"):
                    raise _OutsideSubsetError
            elif node.tag != "tag:yaml.org,2002:str" or _looks_typed(src):
                raise _OutsideSubsetError
            return src
        if node.style == "'" and "''" not in src[1:-1] and src.endswith("'"):
            return src
        if node.style == '"' and "\\" not in src and src.endswith('"'):
            return src
        raise _OutsideSubsetError

    def flow(self, node: yaml.Node) -> str:
        if isinstance(node, yaml.ScalarNode):
            if node.tag == "tag:yaml.org,2002:null":
                raise _OutsideSubsetError
            return self.scalar(node)
        self._node(node)
        if node.start_mark.line != node.end_mark.line:
            raise _OutsideSubsetError
        if isinstance(node, yaml.SequenceNode):
            return "[" + ", ".join(self.flow(item) for item in node.value) + "]"
        if isinstance(node, yaml.MappingNode):
            return "{" + ", ".join(f"{self.key(k)}: {self.flow(v)}" for k, v in node.value) + "}"
        raise _OutsideSubsetError

    def entry(self, prefix: str, node: yaml.Node, indent: int) -> None:
        """A mapping entry or list item whose text starts with ``prefix`` (``key:`` or ``-``) at column ``indent``."""
        item = prefix.lstrip() == "-"
        if isinstance(node, yaml.ScalarNode):
            if node.tag == "tag:yaml.org,2002:null":
                self._node(node)
                if node.style or node.value != "" or item:
                    raise _OutsideSubsetError
                self.lines.append(prefix)
            else:
                self.lines.append(f"{prefix} {self.scalar(node)}")
        elif getattr(node, "flow_style", False):
            self.lines.append(f"{prefix} {self.flow(node)}")
        elif item:
            self._node(node)
            if not isinstance(node, yaml.MappingNode):
                raise _OutsideSubsetError  # a list in a list
            self.mapping(node, indent + 2, first_prefix=" " * indent + "- ")
        else:
            self._node(node)
            self.lines.append(prefix)
            if isinstance(node, yaml.MappingNode):
                self.mapping(node, indent + 2)
            elif isinstance(node, yaml.SequenceNode):
                self.sequence(node, indent + 2)
            else:  # pragma: no cover - nodes are scalars, sequences or mappings
                raise _OutsideSubsetError

    def mapping(self, node: yaml.MappingNode, indent: int, first_prefix: str | None = None) -> None:
        if not node.value:
            raise _OutsideSubsetError
        for i, (knode, vnode) in enumerate(node.value):
            lead = first_prefix if i == 0 and first_prefix is not None else " " * indent
            self.entry(f"{lead}{self.key(knode)}:", vnode, indent)

    def sequence(self, node: yaml.SequenceNode, indent: int) -> None:
        if not node.value:
            raise _OutsideSubsetError
        for item in node.value:
            self.entry(" " * indent + "-", item, indent)


def _ordered(node: yaml.Node, order: tuple[str, ...]) -> bool:
    """Whether ``fmt`` would leave the key order of ``node`` alone (see ``fmt._reorder``)."""
    if not isinstance(node, yaml.MappingNode):
        return True
    keys = [k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode)]
    present = [k for k in order if k in keys]
    return keys[: len(present)] == present


def is_canonical(text: str) -> bool:
    """True only when ``mldsl fmt`` would return ``text`` unchanged; False means "not proven"."""
    if not text.endswith("\n") or text.endswith("\n\n") or "\r" in text or "\t" in text:
        return False
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
    except yaml.YAMLError:
        return False
    finally:
        loader.dispose()
    if not isinstance(root, yaml.MappingNode) or root.flow_style or not _ordered(root, TOP_ORDER):
        return False
    for knode, vnode in root.value:
        if isinstance(knode, yaml.ScalarNode) and knode.value == "metadata" and not _ordered(vnode, METADATA_ORDER):
            return False
    renderer = _Renderer(text)
    try:
        renderer.mapping(root, 0)
    except (_OutsideSubsetError, RecursionError):
        return False
    return _same_lines(text.split("\n")[:-1], renderer.lines)


def _same_lines(lines: list[str], rendered: list[str]) -> bool:
    """The file's lines are the rendered ones, with comments and single blank lines between them."""
    want = iter(rendered)
    expected = next(want, None)
    started = False
    for line in lines:
        if len(line) > _MAX_LINE or line != line.rstrip():
            return False
        stripped = line.lstrip()
        if not stripped or stripped.startswith("#"):
            if not started and not stripped:
                return False  # ruamel drops blank lines before the first content
            if stripped.startswith("---") or stripped.startswith("..."):
                return False
            continue
        if line in ("---", "..."):
            return False
        if expected is None:
            return False
        if line != expected and not (line.startswith(expected) and _EOL_COMMENT.match(line, len(expected))):
            return False
        started = True
        expected = next(want, None)
    return expected is None
