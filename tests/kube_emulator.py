"""An emulated Kubernetes API for custom resources, on 127.0.0.1, for testing `mldsl apply`.

No kube-apiserver can run on these machines (none in the reachable registries,
no container engine), so the tests talk HTTP to this instead, through the real
`kubernetes` client. It implements what apply needs and checks what a real API
server checks: server-side apply (``application/apply-patch+yaml`` PATCH with
a required ``fieldManager``, ``force``, ``dryRun=All``), field-manager
conflicts, resourceVersion bumps only on real changes, get, list with label
selectors, delete, and refusals (422) from a validation callback.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

PATH = re.compile(r"^/apis/([^/]+)/([^/]+)/namespaces/([^/]+)/([^/]+)(?:/([^/]+))?$")
Key = tuple[str, str, str, str, str]


class KubeEmulator:
    def __init__(self, validate: Callable[[dict[str, Any]], list[str]] | None = None):
        self.store: dict[Key, dict[str, Any]] = {}
        self.requests: list[dict[str, Any]] = []
        self.validate = validate
        self._version = 0
        #: what a simulated Argo controller reports for a run, one status per read, the last one repeated
        self.run_statuses: list[dict[str, Any]] = [{"phase": "Succeeded"}]
        self.reads: dict[str, int] = {}
        #: the token the emulated Argo Server expects (Authorization: Bearer <token>)
        self.argo_token = "argo-token"
        #: a simulated controller: called with (key, object, reads since the object's last change) at each
        #: GET of one object other than a Workflow, before it is returned; it may change status or the store
        self.controller: Callable[[Key, dict[str, Any], int], None] | None = None
        self.reads_since_change: dict[Key, int] = {}
        emulator = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, code: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _route(self, method: str) -> None:
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                emulator.requests.append(
                    {"method": method, "path": url.path, "query": query, "content_type": self.headers.get("Content-Type")}
                )
                argo = re.match(r"^/api/v1/workflows/([^/]+)/([^/]+)$", url.path)
                if argo and method == "GET":
                    key = ("argoproj.io", "v1alpha1", argo.group(1), "workflows", argo.group(2))
                    if self.headers.get("Authorization") != f"Bearer {emulator.argo_token}":
                        self._send(401, status(401, "Unauthorized", "token not valid"))
                    elif key not in emulator.store:
                        self._send(404, status(404, "NotFound", "workflow not found"))
                    else:
                        self._send(200, emulator.progress(key))
                    return
                listed = re.match(r"^/api/v1/workflows/([^/]+)$", url.path)
                if listed and method == "GET":  # the Argo Server's list, by listOptions.labelSelector
                    if self.headers.get("Authorization") != f"Bearer {emulator.argo_token}":
                        self._send(401, status(401, "Unauthorized", "token not valid"))
                        return
                    selector = query.get("listOptions.labelSelector", "")
                    code, found = emulator.handle(
                        "GET",
                        ("argoproj.io", "v1alpha1", listed.group(1), "workflows", None),
                        {"labelSelector": selector},
                        b"",
                        "",
                    )
                    items = [
                        emulator.progress(("argoproj.io", "v1alpha1", listed.group(1), "workflows", o["metadata"]["name"]))
                        for o in found["items"]
                    ]
                    self._send(code, {"metadata": {}, "items": items or None})  # Argo answers null for none
                    return
                m = PATH.match(url.path)
                if not m:
                    self._send(404, status(404, "NotFound", f"no route {url.path}"))
                    return
                code, payload = emulator.handle(method, m.groups(), query, body, self.headers.get("Content-Type") or "")
                self._send(code, payload)

            def do_GET(self) -> None:
                self._route("GET")

            def do_PATCH(self) -> None:
                self._route("PATCH")

            def do_POST(self) -> None:
                url = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                emulator.requests.append(
                    {
                        "method": "POST",
                        "path": url.path,
                        "query": {},
                        "body": body,
                        "authorization": self.headers.get("Authorization"),
                        "content_type": self.headers.get("Content-Type"),
                    }
                )
                code, payload = emulator.post(url.path, body, self.headers.get("Authorization"))
                self._send(code, payload)

            def do_DELETE(self) -> None:
                self._route("DELETE")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def __enter__(self) -> KubeEmulator:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    def put(self, group: str, version: str, ns: str, plural: str, obj: dict[str, Any], manager: str = "kubectl") -> None:
        """Seed an object as another client would have created it."""
        self._version += 1
        meta = obj.setdefault("metadata", {})
        meta.update({"namespace": ns, "resourceVersion": str(self._version), "managedFields": [{"manager": manager}]})
        self.store[(group, version, ns, plural, meta["name"])] = obj

    def progress(self, key: Key) -> dict[str, Any]:
        """A run as the controller would report it at this read."""
        n = self.reads.get(key[-1], 0)
        self.reads[key[-1]] = n + 1
        self.store[key]["status"] = self.run_statuses[min(n, len(self.run_statuses) - 1)]
        return self.store[key]

    def create(self, ns: str, obj: dict[str, Any]) -> dict[str, Any]:
        self._version += 1
        meta = obj.setdefault("metadata", {})
        meta["name"] = meta.get("name") or f"{meta['generateName']}{self._version:05d}"
        meta.update({"namespace": ns, "resourceVersion": str(self._version)})
        self.store[("argoproj.io", "v1alpha1", ns, "workflows", meta["name"])] = obj
        return obj

    def post(self, path: str, body: dict[str, Any], authorization: str | None) -> tuple[int, dict[str, Any]]:
        argo = re.match(r"^/api/v1/workflows/([^/]+)/submit$", path)
        if argo:
            if authorization != f"Bearer {self.argo_token}":
                return 401, status(401, "Unauthorized", "token not valid")
            ns = argo.group(1)
            template = ("argoproj.io", "v1alpha1", ns, "workflowtemplates", body.get("resourceName", ""))
            if template not in self.store:
                return 404, status(404, "NotFound", f"workflowtemplates {body.get('resourceName')!r} not found")
            params = [dict(zip(("name", "value"), p.split("=", 1), strict=True)) for p in body["submitOptions"]["parameters"]]
            # submitOptions.labels "k=v,k2=v2" go on the Workflow (argo-workflows workflow/util/util.go, ApplySubmitOpts)
            labels = dict(kv.split("=", 1) for kv in (body["submitOptions"].get("labels") or "").split(",") if kv)
            return 200, self.create(
                ns,
                {
                    "apiVersion": "argoproj.io/v1alpha1",
                    "kind": "Workflow",
                    "metadata": {"generateName": f"{body['resourceName']}-", "labels": labels},
                    "spec": {"workflowTemplateRef": {"name": body["resourceName"]}, "arguments": {"parameters": params}},
                },
            )
        created = re.match(r"^/api/v1/workflows/([^/]+)$", path)
        if created:
            if authorization != f"Bearer {self.argo_token}":
                return 401, status(401, "Unauthorized", "token not valid")
            return 200, self.create(created.group(1), body["workflow"])
        m = PATH.match(path)
        if not m or m.group(5) is not None or m.group(4) != "workflows":
            return 405, status(405, "MethodNotAllowed", f"POST {path}")
        _, _, ns, _, _ = m.groups()
        ref = body.get("spec", {}).get("workflowTemplateRef", {}).get("name")
        if ref is not None and ("argoproj.io", "v1alpha1", ns, "workflowtemplates", ref) not in self.store:
            return 422, status(422, "Invalid", f"workflowtemplates.argoproj.io {ref!r} not found")
        return 201, self.create(ns, body)

    def handle(
        self, method: str, parts: tuple[str, ...], query: dict[str, str], body: bytes, ctype: str
    ) -> tuple[int, dict[str, Any]]:
        group, version, ns, plural, name = parts
        key = (group, version, ns, plural, name)
        if method == "GET" and name is None:
            wanted = dict(p.split("=", 1) for p in query.get("labelSelector", "").split(",") if p)
            items = [
                o
                for (g, v, n, p, _), o in sorted(self.store.items())
                if (g, v, n, p) == (group, version, ns, plural)
                and all(o["metadata"].get("labels", {}).get(k) == val for k, val in wanted.items())
            ]
            return 200, {"apiVersion": f"{group}/{version}", "kind": "List", "metadata": {}, "items": items}
        if method == "GET":
            if key not in self.store:
                return 404, status(404, "NotFound", f"{plural} {name!r} not found")
            if plural == "workflows":
                return 200, self.progress(key)
            if self.controller is not None:
                n = self.reads_since_change.get(key, 0)
                self.reads_since_change[key] = n + 1
                self.controller(key, self.store[key], n)
            return 200, self.store[key]
        if method == "DELETE":
            if key not in self.store:
                return 404, status(404, "NotFound", f"{plural} {name!r} not found")
            if query.get("dryRun") != "All":
                del self.store[key]
            return 200, status(200, "", "deleted", "Success")
        # PATCH: server-side apply only
        if ctype.split(";")[0].strip() != "application/apply-patch+yaml":
            return 415, status(415, "UnsupportedMediaType", f"unsupported patch type {ctype!r}")
        manager = query.get("fieldManager")
        if not manager:
            return 400, status(400, "BadRequest", 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value')
        obj = json.loads(body)
        if obj.get("metadata", {}).get("name") != name:
            return 400, status(400, "BadRequest", "the name of the object does not match the name on the URL")
        problems = self.validate(obj) if self.validate else []
        if problems:
            return 422, status(422, "Invalid", f"{obj['kind']} {name!r} is invalid: {problems[0]}")
        current = self.store.get(key)
        if current is not None:
            owners = {f["manager"] for f in current["metadata"].get("managedFields", [])}
            if manager not in owners and query.get("force") != "true":
                return 409, status(409, "Conflict", f'Apply failed with 1 conflict: conflict with "{sorted(owners)[0]}": .spec')
        content = {k: v for k, v in obj.items() if k not in ("metadata", "status")}
        labels = obj["metadata"].get("labels", {})
        annotations = obj["metadata"].get("annotations", {})
        if (
            current is not None
            and {k: v for k, v in current.items() if k not in ("metadata", "status")} == content
            and current["metadata"].get("labels", {}) == labels
            and current["metadata"].get("annotations", {}) == annotations
        ):
            if manager not in {f["manager"] for f in current["metadata"]["managedFields"]} and query.get("dryRun") != "All":
                current["metadata"]["managedFields"] = [{"manager": manager}]
            return 200, current
        version_number = self._version + 1
        # metadata.generation counts changes of the spec; status is not the client's to set (status subresource)
        old_content = {k: v for k, v in (current or {}).items() if k not in ("metadata", "status")}
        generation = (current or {}).get("metadata", {}).get("generation", 0) + (old_content != content or current is None)
        new = {
            **content,
            "metadata": {
                **obj["metadata"],
                "namespace": ns,
                "generation": generation,
                "resourceVersion": str(version_number),
                "managedFields": [{"manager": manager}],
            },
        }
        if current is not None and "status" in current:
            new["status"] = current["status"]
        if query.get("dryRun") == "All":
            return (200 if current else 201), new
        self._version = version_number
        self.store[key] = new
        self.reads_since_change[key] = 0
        return (200 if current else 201), new


def status(code: int, reason: str, message: str, outcome: str = "Failure") -> dict[str, Any]:
    return {"kind": "Status", "apiVersion": "v1", "status": outcome, "message": message, "reason": reason, "code": code}


def kubeconfig(url: str, namespace: str = "default") -> str:
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "current-context": "emulated",
            "clusters": [{"name": "emulated", "cluster": {"server": url}}],
            "users": [{"name": "ci", "user": {"token": "test-token"}}],
            "contexts": [
                {"name": "emulated", "context": {"cluster": "emulated", "user": "ci", "namespace": namespace}},
                {"name": "staging", "context": {"cluster": "emulated", "user": "ci", "namespace": "staging"}},
            ],
        }
    )
