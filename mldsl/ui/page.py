"""The one HTML page of ``mldsl ui``: styles and classic scripts inlined, the app's ES modules (``mldsl/ui/js/``)
served by the same server, allowed to talk to its own server only."""

from __future__ import annotations

import html
import re
from importlib import resources
from pathlib import Path


def _asset(package: str, name: str) -> str:
    return resources.files(package).joinpath(name).read_text(encoding="utf-8")


def csp(nonce: str) -> str:
    return (
        f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; connect-src 'self'; "
        "img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


def shown_path(path: Path) -> str:
    """A folder as the header shows it: ``~/...`` under the user's home, as shells and editors write it."""
    try:
        inside = path.resolve().relative_to(Path.home().resolve()).as_posix()
    except (ValueError, RuntimeError, OSError):  # not under home, or no home
        return str(path)
    return "~" if inside == "." else "~/" + inside


def page(csrf: str, nonce: str, root: str) -> tuple[str, str]:
    """The page's HTML and its Content-Security-Policy header."""
    styles = _asset("mldsl.backends.forms", "form.css") + _asset("mldsl.ui", "app.css")
    # dagre (MIT, vendored from npm as mldsl/ui/vendor/dagre.min.js) lays out the DAG: the page stays offline
    # with form.js (the offline forms' widgets, a classic script: its functions are globals the modules use)
    classic = _asset("mldsl.ui", "vendor/dagre.min.js") + "\n" + _asset("mldsl.backends.forms", "form.js")
    body = _asset("mldsl.ui", "app.html").replace("{root}", html.escape(root))
    text = (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="mldsl-csrf" content="{html.escape(csrf)}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<title>mldsl ui</title>\n"
        f'<style nonce="{nonce}">\n{styles}</style>\n</head>\n'
        f"{body}"
        f'<script nonce="{nonce}">\n{classic}</script>\n'
        # the modules main.js imports are fetched with its nonce (HTML: descendant scripts inherit the nonce)
        f'<script type="module" nonce="{nonce}" src="/js/main.js"></script>\n</html>\n'
    )
    return text, csp(nonce)


def module_script(name: str) -> str | None:
    """The text of the app's ES module ``name`` (``canvas.js``), or None when there is no such module."""
    if not re.fullmatch(r"[a-z][a-z-]*\.js", name):
        return None
    path = resources.files("mldsl.ui").joinpath("js", name)
    return path.read_text(encoding="utf-8") if path.is_file() else None
