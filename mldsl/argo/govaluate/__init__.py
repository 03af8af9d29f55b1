r"""Decide a step's or task's ``when:`` the way the Argo controller does: with govaluate, not expr-lang.

Argo v4.1.2 (``workflow/controller/steps.go`` shouldExecute, l. 384-420) parses the substituted text
with github.com/Knetic/govaluate (go.mod l. 9 pins v3.0.1-0.20250325060307-7625b7f8c03d, the
archived repository's last commit 7625b7f), turns every VARIABLE token into a STRING token (so
``heads == heads`` compares two strings), rebuilds the expression from those tokens, evaluates it
without parameters and needs a bool. This module is a line-by-line port of the parts of govaluate
that path reaches, quirks included (the precedence planner that re-orders same-level operators, a
bare word with a dot being a struct accessor, ``"2024-01-01"`` being a time), so that ``mldsl run``
skips, runs or errors exactly the steps Argo would. References ``file l. N`` are to govaluate at
7625b7f unless they name Argo or Go.

Where it can still differ from Argo, and why: ``=~`` runs Python's ``re`` on a translation of Go's
RE2 syntax, so Go's Unicode classes (``\pL``) are an error here, case folding is Python's (but for
İ and ı, which Go never folds) and a pathological pattern backtracks where Go's matcher is linear;
``x ** y`` with a fractional ``y`` uses Python's exp and log where Go uses its own (an ulp apart at
most); float-to-int conversions out of range (bitwise operators, shifts) are amd64's; the
controller's time zone is taken to be UTC; Unicode tables (letters, digits) are Python's; and a text
nesting more than about sixty parentheses exhausts Python's recursion (a WhenError) where Go goes on.

>>> should_execute("tails == tails")
True
>>> should_execute("5 > 10")
False
"""

from __future__ import annotations

from mldsl.argo.govaluate.evaluate import should_execute
from mldsl.argo.govaluate.values import WhenError, WhenPanicError

__all__ = ["WhenError", "WhenPanicError", "should_execute"]
