"""The HTTP side of ``mldsl ui``: a local server on 127.0.0.1, one page and a small JSON API.

Only this machine's browser may use it, and only through the page it serves:
requests must name the server itself as ``Host`` (against DNS rebinding),
every write (``POST``) must carry the session's CSRF token in a header and a
JSON body (a form on another site can do neither), and the page's Content
Security Policy lets it talk to nothing but this server.

A slow client cannot lock the page out: a request (line, headers and body) must arrive within
:data:`REQUEST_TIMEOUT` seconds in all, not per ``recv`` (a header line every 6 s would otherwise hold a
thread for ever), and when every slot is taken a new connection displaces the one that has spent longest
still sending its request (a browser on this machine sends its request in milliseconds).
"""

from __future__ import annotations

import contextlib
import hmac
import io
import json
import secrets
import socket
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from mldsl.ui.page import module_script, page, shown_path
from mldsl.ui.studio import Studio
from mldsl.ui.studio_cluster import RefusedError

MAX_BODY = 2 * 1024 * 1024
#: seconds a client may take to send its request; requests served at once (one person's page needs a few)
REQUEST_TIMEOUT = 10
MAX_CONNECTIONS = 32
#: a connection still sending its request after this many seconds may be displaced by a new one
DISPLACE_AFTER = 1.0
TOKEN_HEADER = "X-MLDSL-Token"


class _DeadlineReader(io.RawIOBase):
    """A socket's reading side with one deadline for the whole request: each ``recv`` may wait only for
    what is left of it (``http.server`` sets one timeout per ``recv``, which a slowloris client resets)."""

    def __init__(self, sock: socket.socket, deadline: float, timeout: float | None):
        self.sock, self.deadline, self.timeout = sock, deadline, timeout

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request did not arrive in time")
        self.sock.settimeout(left)
        try:
            return self.sock.recv_into(buffer)
        finally:
            with contextlib.suppress(OSError):
                self.sock.settimeout(self.timeout)  # writing the answer has its own timeout


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def process_request(self, request: Any, client_address: Any) -> None:
        """At most MAX_CONNECTIONS requests at once. Past that, the connection that has spent longest still
        sending its request (over DISPLACE_AFTER seconds) is closed to make room; when none has, the new
        connection is closed at once, not queued."""
        admitted = self._slots.acquire(blocking=False) or (self._displace_slowest() and self._slots.acquire(timeout=2))
        if not admitted:
            self.shutdown_request(request)
            return
        with self._reading_lock:
            self._reading[request] = time.monotonic()
        super().process_request(request, client_address)

    def _displace_slowest(self) -> bool:
        with self._reading_lock:
            old = [(t, s) for s, t in self._reading.items() if time.monotonic() - t >= DISPLACE_AFTER]
            if not old:
                return False
            _, slowest = min(old, key=lambda ts: ts[0])
            del self._reading[slowest]
        with contextlib.suppress(OSError):
            slowest.shutdown(socket.SHUT_RDWR)  # its recv returns at once; its thread ends and frees the slot
        return True

    def request_read(self, request: Any) -> None:
        """``request`` has sent all of its request: it is being answered and is never displaced."""
        with self._reading_lock:
            self._reading.pop(request, None)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went silent (the socket timeout) is not worth a traceback on the terminal."""
        if isinstance(sys.exc_info()[1], (TimeoutError, ConnectionError)):
            return
        super().handle_error(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.request_read(request)
            self._slots.release()

    def __init__(self, studio: Studio, port: int = 0, *, log: Callable[[str], None] | None = None):
        self.studio = studio
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        self._reading: dict[Any, float] = {}  # connections still sending their request, by when they came
        self._reading_lock = threading.Lock()
        self.csrf = secrets.token_urlsafe(32)
        self.log = log
        super().__init__(("127.0.0.1", port), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}/"

    def allowed_hosts(self) -> set[str]:
        port = self.server_port
        return {f"127.0.0.1:{port}", f"localhost:{port}"}


class Handler(BaseHTTPRequestHandler):
    server: Server
    server_version = "mldsl-ui"
    sys_version = ""
    #: seconds for the whole request to arrive (one deadline, see setup), and the socket timeout for the answer
    timeout = REQUEST_TIMEOUT

    def setup(self) -> None:
        super().setup()
        self.rfile.close()  # the socket's own reader: replaced by one with a deadline for the whole request
        reader = _DeadlineReader(self.connection, time.monotonic() + (self.timeout or REQUEST_TIMEOUT), self.timeout)
        self.rfile = io.BufferedReader(reader)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.log is not None:
            self.server.log(format % args)

    # --- answers -----------------------------------------------------------------------------------

    def _send(self, status: int, body: bytes, ctype: str, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Referrer-Policy", "no-referrer")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, data: Any) -> None:
        self._send(status, json.dumps(data, ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8")

    def _refuse(self, status: int, message: str, **extra: Any) -> None:
        self._json(status, {"error": message, **extra})

    # --- checks every request passes -----------------------------------------------------------------

    def _host_ok(self) -> bool:
        if self.headers.get("Host", "") not in self.server.allowed_hosts():
            self._refuse(403, "this server answers only to http://127.0.0.1 (wrong Host header)")
            return False
        return True

    def _write_ok(self) -> bool:
        origin = self.headers.get("Origin")
        if origin is not None and origin.removeprefix("http://") not in self.server.allowed_hosts():
            self._refuse(403, f"requests from {origin} are refused")
            return False
        if not hmac.compare_digest(self.headers.get(TOKEN_HEADER, ""), self.server.csrf):
            self._refuse(403, "missing or wrong CSRF token: reload the page")
            return False
        if self.headers.get("Content-Type", "").split(";")[0].strip() != "application/json":
            self._refuse(415, "send JSON (Content-Type: application/json)")
            return False
        return True

    def _body(self) -> Any:
        given = (self.headers.get("Content-Length") or "0").strip()
        if not given.isdigit():  # "abc", "-1" (read until the client closes: a thread held forever)
            raise RefusedError(400, "Content-Length must be a byte count")
        length = int(given)
        if length > MAX_BODY:
            raise RefusedError(413, "request too large")
        try:
            data = self.rfile.read(length)  # within the request's deadline
        except TimeoutError:
            raise RefusedError(408, "the request body did not arrive in time") from None
        self.server.request_read(self.connection)
        try:
            return json.loads(data or b"null")
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise RefusedError(400, "the body is not JSON (or is nested too deeply)") from None

    # --- routes ---------------------------------------------------------------------------------------

    def do_GET(self) -> None:
        self.server.request_read(self.connection)
        if not self._host_ok():
            return
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        studio = self.server.studio
        routes: dict[str, Callable[[], Any]] = {
            "/api/modules": studio.modules,
            "/api/files": studio.files,
            "/api/runs": studio.run_fields,
            "/api/history": studio.history,
            "/api/history/run": lambda: studio.run_details(query.get("run")),
            "/api/cluster-state": lambda: studio.template_state(query.get("pipeline")),
            "/api/open": lambda: studio.open(query.get("path"), query.get("name")),
        }
        if url.path == "/":
            nonce = secrets.token_urlsafe(16)
            text, csp = page(self.server.csrf, nonce, shown_path(studio.root))
            self._send(200, text.encode("utf-8"), "text/html; charset=utf-8", {"Content-Security-Policy": csp})
            return
        if url.path.startswith("/js/"):
            module = module_script(url.path.removeprefix("/js/"))
            if module is None:
                self._refuse(404, f"no module {url.path}")
            else:  # a module script must come as JavaScript (browsers refuse others under nosniff)
                self._send(200, module.encode("utf-8"), "text/javascript; charset=utf-8")
            return
        self._answer(routes.get(url.path))

    def do_POST(self) -> None:
        if not self._host_ok() or not self._write_ok():
            return
        studio = self.server.studio
        routes: dict[str, Callable[[Any], Any]] = {
            "/api/check": studio.check,
            "/api/save": studio.save,
            "/api/apply": lambda _: studio.apply(),
            "/api/submit": studio.submit,
            "/api/launch": studio.launch,
            "/api/run": studio.run,
        }
        route = routes.get(urlsplit(self.path).path)
        self._answer(None if route is None else lambda: route(self._body()))

    def _answer(self, route: Callable[[], Any] | None) -> None:
        if route is None:
            self._refuse(404, f"no route {self.path}")
            return
        try:
            self._json(200, route())
        except RefusedError as exc:
            self._refuse(exc.status, str(exc), **exc.extra)
        except Exception as exc:  # a bug: tell the page, keep serving
            self._refuse(500, f"internal error: {type(exc).__name__}: {exc} (a bug in mldsl; please report it)")
            print(f"mldsl ui: internal error on {self.path}: {type(exc).__name__}: {exc}", file=sys.stderr)
