"""The one HTML page of ``mldsl ui``: everything inlined, allowed to talk to its own server only."""

from __future__ import annotations

import html
from importlib import resources


def _asset(package: str, name: str) -> str:
    return resources.files(package).joinpath(name).read_text(encoding="utf-8")


def csp(nonce: str) -> str:
    return (
        f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; connect-src 'self'; "
        "img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


def page(csrf: str, nonce: str, root: str) -> tuple[str, str]:
    """The page's HTML and its Content-Security-Policy header."""
    styles = _asset("mldsl.backends.forms", "form.css") + _asset("mldsl.ui", "app.css")
    # dagre (MIT, vendored from npm as mldsl/ui/vendor/dagre.min.js) lays out the DAG: the page stays offline
    layout = _asset("mldsl.ui", "vendor/dagre.min.js")
    scripts = _asset("mldsl.backends.forms", "form.js") + "\n" + _asset("mldsl.ui", "app.js")
    body = _asset("mldsl.ui", "app.html").replace("{root}", html.escape(root))
    text = (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="mldsl-csrf" content="{html.escape(csrf)}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<title>mldsl ui</title>\n"
        f'<style nonce="{nonce}">\n{styles}</style>\n</head>\n'
        f"{body}"
        f'<script nonce="{nonce}">\n{layout}</script>\n'
        f'<script nonce="{nonce}">\n{scripts}</script>\n</html>\n'
    )
    return text, csp(nonce)
