"""How Argo finds tags in text: no dependencies, so backends can use it on the compile path."""

from __future__ import annotations


def split(text: str) -> list[tuple[bool, str]]:
    """``text`` split as Argo's fasttemplate splits it: (is_tag, literal text or tag body).

    A tag runs from ``{{`` to the next ``}}`` (fasttemplate, with Argo's ``{{``/``}}``
    delimiters, argo-workflows v4.1.2 ``util/template/template.go`` l. 26).

    >>> split("a{{b.c}}d")
    [(False, 'a'), (True, 'b.c'), (False, 'd')]
    """
    out: list[tuple[bool, str]] = []
    i = 0
    while True:
        start = text.find("{{", i)
        end = text.find("}}", start + 2) if start >= 0 else -1
        if start < 0 or end < 0:
            break
        if start > i:
            out.append((False, text[i:start]))
        out.append((True, text[start + 2 : end]))
        i = end + 2
    if i < len(text):
        out.append((False, text[i:]))
    return out


#: an expression whose value is ``{{``, resolved only in Argo's last pass, when it creates the pod
#: (``backends/argo/exprs.py`` escape_text says why)
ESCAPED_OPEN = "{{=pod.name == '' ? '{'+'{' : '{'+'{'}}"


def escape_value(text: str) -> str:
    """A value handed to Argo (a submitted param) with each ``{{`` escaped: Argo substitutes tags in a
    workflow's arguments when it starts (``workflow/controller/operator.go`` substituteGlobalVariables)
    and again in every template the value reaches; escaped, it arrives as text.

    >>> escape_value("run {{workflow.name}}")
    "run {{=pod.name == '' ? '{'+'{' : '{'+'{'}}workflow.name}}"
    """
    return text.replace("{{", ESCAPED_OPEN) if "{{" in text else text
