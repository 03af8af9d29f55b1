"""The error of an expr-lang expression, apart from the evaluator: code that only catches it need not import
``exprlang`` (a run whose manifests hold no expression starts without it)."""

from __future__ import annotations


class ExprError(Exception):
    """The expression does not parse or check, or fails while it runs (Argo would error the node)."""
