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


#: an expression whose value is ``{{`` only in the last scan of a pod's text, when the controller creates the pod
#: (``workflowpod.go`` substitutePodParams l. 1005-1025: globals, inputs and ``pod.name``; written with ``and``/``not``,
#: not ``&&``, which a manifest embedded as JSON would carry as ``\u0026``); every earlier scan
#: keeps it as written, because a ``nil`` result leaves a tag unresolved (``expression_template.go``
#: expressionReplaceCore l. 221-224). The scans tell themselves apart by their names (``$env``, the expanded
#: map, ``util/expr/env/env.go`` l. 20): only a pod's templates have ``pod``; their first two passes also have
#: ``node`` (``operator.go`` l. 2240-2253), a retried pod's passes ``retries`` (l. 2513-2539); a DAG's passes
#: and a task's own scans have no ``pod`` (``dag.go`` resolveDependencyReferences). Not in a fan-out task's
#: text: ``processItem`` substitutes it strictly and refuses ``$env`` as an unknown name (#26 item 1).
ESCAPED_OPEN = "{{=('pod' in $env and not ('node' in $env) and not ('retries' in $env)) ? '{'+'{' : nil}}"

#: in a fan-out task's own text (what ``processItem`` substitutes strictly, where ``$env`` is refused): an expression
#: that reads ``item``, kept by every scan before (``item`` is one of the names expression_template.go waits for,
#: ``variablesToCheck`` l. 27-36) and giving :data:`ESCAPED_OPEN` in ``processItem``'s scan, which never rescans
#: what it inserted
ITEM_OPEN = (
    "{{=item == nil ? nil : \"{\" + \"{=('pod' in $env and not ('node' in $env) and not ('retries' in $env))"
    " ? '{'+'{' : nil}\" + \"}\"}}"
)

#: the same for a suspend template (an approval's message), which has no pod: its second pass, with its inputs
SUSPEND_OPEN = "{{=('inputs' in $env and not ('retries' in $env)) ? '{'+'{' : nil}}"


def escape_value(text: str, open_tag: str = ESCAPED_OPEN) -> str:
    """A value handed to Argo with each ``{{`` escaped (see :data:`ESCAPED_OPEN`): Argo substitutes tags in a
    workflow's arguments when it starts (``operator.go`` substituteGlobalVariables) and again in every template
    the value reaches; escaped, it arrives as text in the step.

    >>> escape_value("run {{workflow.name}}")
    "run {{=('pod' in $env and not ('node' in $env) and not ('retries' in $env)) ? '{'+'{' : nil}}workflow.name}}"
    """
    return text.replace("{{", open_tag) if "{{" in text else text
