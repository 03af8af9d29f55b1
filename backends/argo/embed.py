"""Manifests embedded in Argo ``resource`` templates, written so values stay data.

Argo substitutes a value into a template by JSON-escaping it ONCE, for the
template's own JSON (argo-workflows v4.1.2 ``util/template/simple_template.go``
l. 70-73, and ``expression_template.go`` l. 260-278 for ``{{=...}}``). A
manifest held in ``resource.manifest`` is a string inside that JSON: after the
one unescaping, a value with a quote or a newline lands raw in the manifest
text. In YAML or in a JSON string literal it can end the scalar and add fields
(SPEC §1.9: values are data, never code).

So the manifest is written as JSON, and every string that holds a tag becomes
one expression tag producing the *whole* JSON string literal, quotes included:
``{{=toJson('--lr=' + inputs.parameters['lr'])}}``. Whatever the value holds,
what lands in the manifest is a well-formed JSON string.

>>> print(embed({"args": ["--lr={{inputs.parameters.lr}}"]}), end="")
{
  "args": [
    {{=toJson('--lr=' + inputs['parameters']['lr'])}}
  ]
}
"""

from __future__ import annotations

import json
import re
from typing import Any

from mldsl.backends.argo.exprs import string_code
from mldsl.backends.k8s import Number


def embed(manifest: Any) -> str:
    """``manifest`` as JSON for ``resource.manifest``, each tagged string a ``toJson`` expression tag."""
    exprs: list[str] = []

    def mark(node: Any) -> Any:
        if isinstance(node, Number):  # an integer field from a value: the tag's value is a JSON number
            exprs.append("{{=%s}}" % node.code)
            return f"\x00{len(exprs) - 1}\x00"
        if isinstance(node, dict):
            return {k: mark(v) for k, v in node.items()}
        if isinstance(node, list):
            return [mark(v) for v in node]
        if isinstance(node, str) and "{{" in node:
            exprs.append("{{=toJson(%s)}}" % string_code(node))
            return f"\x00{len(exprs) - 1}\x00"
        return node

    text = json.dumps(mark(manifest), ensure_ascii=False, indent=2) + "\n"
    return re.sub(r'"\\u0000(\d+)\\u0000"', lambda m: exprs[int(m.group(1))], text)
