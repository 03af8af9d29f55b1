"""The router on the user's port: the Serving's name split by its weights, a shadow copy, request logs, a size bound.

Seldon Core v2 does this with an Experiment in front of its Models (candidates by weight, a mirror whose
answers are dropped), KServe with its canary percentage; MLServer alone serves each model under its own name.
Everything that is not the Serving's own name goes to MLServer unchanged, so ``/v2/models/<model>/infer``,
``/v2/health/ready`` and the model metadata answer exactly as MLServer answers them.
"""

from __future__ import annotations

import http.client
import json
import queue
import random
import re
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from mldsl.ops.serve import ServePlan

#: the largest request body taken (413 above it): a V2 JSON batch of ~100,000 numbers is ~2 MB
MAX_REQUEST_BYTES = 16 * 1024 * 1024
#: shadow copies waiting to be sent; more are dropped (and logged) rather than slowing the answers
SHADOW_QUEUE = 256
UPSTREAM_TIMEOUT = 60.0
#: the upstream answer kept in a shadow's log line
SHADOW_LOG_CHARS = 2000

_MODEL_PATH = re.compile(r"^/v2/models/(?P<name>[^/]+)(?P<version>/versions/[^/]+)?(?P<rest>/infer|/ready)?/?$")


class Routes:
    """Which model answers a request to the Serving's name: a weighted draw (seeded: the same seed, the same draws)."""

    def __init__(self, plan: ServePlan, seed: int | None = None):
        self.serving = plan.serving
        self.names = [m.name for m in plan.traffic]
        self.weights = [m.weight for m in plan.traffic]
        self.shadow = plan.shadow.name if plan.shadow else None
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    @property
    def splits(self) -> bool:
        """Whether the Serving's name is the router's (several entries or a shadow), not one MLServer model's."""
        return len(self.names) > 1 or self.shadow is not None or self.names[0] != self.serving

    def pick(self) -> str:
        if len(self.names) == 1:
            return self.names[0]
        with self._lock:
            return self._rng.choices(self.names, self.weights)[0]


class Upstream:
    """Keep-alive HTTP connections to MLServer, one per router thread."""

    def __init__(self, port: int):
        self.port = port
        self._local = threading.local()

    def request(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> tuple[int, bytes, str]:
        for attempt in (1, 2):  # a kept-alive connection MLServer closed meanwhile: once more on a new one
            conn = getattr(self._local, "conn", None)
            if conn is None:
                conn = self._local.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=UPSTREAM_TIMEOUT)
            try:
                conn.request(method, path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                return resp.status, data, resp.getheader("content-type") or "application/json"
            except (ConnectionError, http.client.HTTPException, OSError):
                conn.close()
                self._local.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


class RouterServer(ThreadingHTTPServer):
    """Binds at construction (a port in use fails before MLServer starts); ``configure`` before ``serve_forever``."""

    daemon_threads = True
    routes: Routes
    upstream: Upstream
    log: Callable[[str], None]

    def configure(self, routes: Routes, upstream: Upstream, log: Callable[[str], None]) -> None:
        self.routes, self.upstream, self.log = routes, upstream, log
        self.shadows: queue.Queue[tuple[bytes, dict[str, str]]] = queue.Queue(SHADOW_QUEUE)
        if routes.shadow is not None:
            threading.Thread(target=self._send_shadows, name="mldsl-serve-shadow", daemon=True).start()

    def mirror(self, body: bytes, headers: dict[str, str]) -> None:
        try:
            self.shadows.put_nowait((body, headers))
        except queue.Full:
            self.log(f"shadow {self.routes.shadow}: copy dropped, {SHADOW_QUEUE} already waiting")

    def _send_shadows(self) -> None:
        """Send each copy to the shadow and log its answer: what Seldon's mirror does, never returned to a caller."""
        upstream = Upstream(self.upstream.port)
        while True:
            body, headers = self.shadows.get()
            start = time.perf_counter()
            try:
                status, data, _ = upstream.request("POST", f"/v2/models/{self.routes.shadow}/infer", body, headers)
                answer = data.decode("utf-8", "replace")
            except OSError as exc:
                status, answer = 502, f"unreachable: {exc}"
            ms = (time.perf_counter() - start) * 1000
            self.log(f"shadow {self.routes.shadow} {status} {ms:.1f} ms {answer[:SHADOW_LOG_CHARS]}")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: a client's requests reuse one connection
    disable_nagle_algorithm = True  # TCP_NODELAY: headers and body are two writes; with Nagle, +40 ms (delayed ACK)
    server_version = "mldsl-serve"
    sys_version = ""
    server: RouterServer

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def _handle(self, method: str) -> None:
        start = time.perf_counter()
        body = self._body() if method == "POST" else b""
        if body is None:
            return
        routes = self.server.routes
        path, _, query = self.path.partition("?")
        target, route = path, ""
        match = _MODEL_PATH.match(path)
        if match and match["name"] == routes.serving and routes.splits:
            rest = match["rest"] or ""
            if rest == "/ready":
                self._ready(start)
                return
            route = routes.pick() if rest == "/infer" else routes.names[0]  # metadata: the first (stable) entry's
            target = f"/v2/models/{route}{rest}"
        headers = {k: v for k, v in self.headers.items() if k.lower() in ("content-type", "accept", "x-request-id")}
        try:
            status, data, ctype = self.server.upstream.request(method, target + (f"?{query}" if query else ""), body, headers)
        except OSError as exc:
            self._reply(502, {"error": f"MLServer did not answer: {exc}"}, start)
            return
        if route and method == "POST" and routes.shadow is not None and match and match["rest"] == "/infer":
            self.server.mirror(body, headers)
        self._send(status, data, ctype, start, route)

    def _body(self) -> bytes | None:
        """The request's body, or None after answering 411/413/400 (the body is then not read)."""
        if "chunked" in (self.headers.get("transfer-encoding") or "").lower():
            self._reply(411, {"error": "send the request with a Content-Length"}, time.perf_counter(), close=True)
            return None
        try:
            length = int(self.headers.get("content-length") or 0)
        except ValueError:
            self._reply(400, {"error": "Content-Length is not a number"}, time.perf_counter(), close=True)
            return None
        if length > MAX_REQUEST_BYTES:
            self._reply(
                413,
                {"error": f"request of {length} bytes; at most {MAX_REQUEST_BYTES} are taken"},
                time.perf_counter(),
                close=True,
            )
            return None
        return self.rfile.read(length) if length else b""

    def _ready(self, start: float) -> None:
        """The Serving's name is ready when every traffic entry is (the shadow never answers a caller)."""
        for name in self.server.routes.names:
            try:
                status, _, _ = self.server.upstream.request("GET", f"/v2/models/{name}/ready", None, {})
            except OSError:
                status = 503
            if status != 200:
                self._reply(503, {"error": f"{name} is not ready"}, start)
                return
        self._send(200, b"", "application/json", start, "")

    def _reply(self, status: int, payload: dict[str, Any], start: float, close: bool = False) -> None:
        if close:
            self.close_connection = True
        self._send(status, json.dumps(payload).encode(), "application/json", start, "", close)

    def _send(self, status: int, data: bytes, ctype: str, start: float, route: str, close: bool = False) -> None:
        self.send_response_only(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        if route:
            self.send_header("x-mldsl-route", route)  # which traffic entry answered (Seldon: x-seldon-route)
        if close:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)
        ms = (time.perf_counter() - start) * 1000
        to = f" -> {route}" if route else ""
        self.server.log(f"{self.command} {self.path}{to} {status} {ms:.1f} ms")

    def log_message(self, format: str, *args: Any) -> None:
        """Malformed requests (http.server's own 400s): one line, like the others."""
        self.server.log(f"{self.address_string()} {format % args}")
