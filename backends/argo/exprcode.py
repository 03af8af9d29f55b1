"""expr-lang literals: quoted strings, literal values, and strftime formats as Go layouts."""

from __future__ import annotations

import json
from typing import Any


def quote(s: str) -> str:
    """An expr-lang string literal; ``{{`` and ``}}`` are split so no Argo tag can open or close inside it."""
    body = s.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n").replace("\r", "\\r")
    return "'" + body.replace("{{", "{' + '{").replace("}}", "}' + '}") + "'"


def expr_literal(value: Any) -> str:
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "nil"
    if isinstance(value, list):
        return "[" + ", ".join(expr_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{quote(str(k))}: {expr_literal(v)}" for k, v in value.items()) + "}"
    return json.dumps(value)


#: strftime directive -> Go reference-time layout (time.Time.Format)
_GO_LAYOUT = {"Y": "2006", "m": "01", "d": "02", "H": "15", "M": "04", "S": "05"}


def format_time_code(ts: str, fmt: str) -> str:
    """expr-lang code formatting ``ts`` (RFC 3339 text) by a strftime format.

    expr-lang's ``date()`` parses RFC 3339 keeping the offset, and ``Format`` prints in it, so a cron
    run's date is the date in its schedule's zone. Each directive is formatted on its own and literal
    text is quoted: text such as ``Jan`` or ``1`` is never read as part of a Go layout.
    """
    parts: list[str] = []
    text = ""
    i = 0
    while i < len(fmt):
        if fmt[i] == "%" and i + 1 < len(fmt):
            d = fmt[i + 1]
            if d == "%":
                text += "%"
            else:
                if text:
                    parts.append(quote(text))
                    text = ""
                when = ts if ts.startswith("date(") else f"date({ts})"
                parts.append(f"{when}.Format({quote(_GO_LAYOUT[d])})")
            i += 2
            continue
        text += fmt[i]
        i += 1
    if text:
        parts.append(quote(text))
    return "(" + " + ".join(parts) + ")" if parts else "''"
