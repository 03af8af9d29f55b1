"""Why a call to a cluster failed, in words: an unreachable host, or the API server's refusal."""

from __future__ import annotations

from typing import Any


def unreachable_reason(exc: BaseException) -> str:
    """Why a connection failed, in words (not ``MaxRetryError`` or ``<urlopen error [Errno 111] ...>``)."""
    import errno
    import socket

    seen: set[int] = set()
    node: BaseException | None = exc
    while node is not None and id(node) not in seen:  # urllib3 and urllib wrap the OS error once or twice
        seen.add(id(node))
        if isinstance(node, socket.gaierror):
            return "unknown host"
        if isinstance(node, (TimeoutError, socket.timeout)):
            return "timed out"
        if isinstance(node, OSError) and node.errno is not None:
            return {
                errno.ECONNREFUSED: "connection refused",
                errno.EHOSTUNREACH: "host unreachable",
                errno.ENETUNREACH: "network unreachable",
                errno.ETIMEDOUT: "timed out",
            }.get(node.errno, node.strerror or str(node))
        nxt = getattr(node, "reason", None)
        node = nxt if isinstance(nxt, BaseException) else node.__cause__ or node.__context__
    text = str(exc)
    if "refused" in text.lower():
        return "connection refused"
    return type(exc).__name__


def status_reason(exc: Any) -> str:
    """The message of an API refusal's body, else its HTTP reason."""
    import json

    try:
        body = json.loads(exc.body)
        return str(body.get("message") or body.get("reason") or exc.reason)
    except (TypeError, ValueError):
        return str(exc.reason)
