"""The pod of a ``deploy:`` step: apply the Serving's object, then wait until *this* version serves.

This file is the step's script (standard library only, any Python 3.8+ image); the compiler embeds it verbatim. An Argo
resource template cannot do the waiting: its conditions compare status fields with constants (argo-workflows v4.1.2
``workflow/executor/resource.go`` matchConditions), and right after an update every serving controller still reports the
previous version's state, with nothing in status tied to the object's generation:

* KServe copies the knative Service's ``observedGeneration``, not its own (kserve
  ``pkg/apis/serving/v1beta1/inference_service_status.go`` PropagateStatus, l. 567-636), and keeps ``transitionStatus:
  UpToDate`` until it reconciles; a new serverless revision is the evidence (``latestCreatedRevision`` changes), then
  ``UpToDate`` with that revision ready, or ``BlockedByFailedLoad`` / ``InvalidSpec`` (l. 650-692).
* Seldon Core v1 keeps ``status.state: Available`` of the old Deployments (seldon-core v1.17.1
  ``operator/controllers/seldondeployment_controller.go`` l. 2136-2151): the evidence is its Deployments (label
  ``seldon-deployment-id``) carrying the new model URI and rolled out.
* Seldon Core v2 writes a Model's status only for events of its current generation (v2.6.0 ``operator/scheduler/model.go``
  l. 187-236) but records no generation: the ``ModelReady`` condition must have changed since the apply (its
  ``lastTransitionTime``), and its reason (``ModelAvailable``, ``ModelFailed``, ``ScheduleFailed``) says how.

Which Deployment serves which model is read from the field the controller writes it to, compared whole (a Deployment serving
``s3://m/12`` does not serve ``s3://m/1``):

* KServe (raw deployment) annotates the pod template with the predictor's URI,
  ``internal.serving.kserve.io/storage-initializer-sourceuri`` (kserve v0.20.0
  ``pkg/controller/v1beta1/inferenceservice/components/predictor.go`` l. 294-302, ``pkg/constants/constants.go`` l. 158).
* Seldon Core v1 injects a model initializer whose first argument is the URI, a ``pvc://<claim>/<path>`` mounted at
  ``/mnt/pvc`` and given as ``/mnt/pvc/<path>`` (seldon-core v1.17.1 ``operator/controllers/model_initializer_injector.go``
  l. 155-184, 224-226).

The pod's token goes to the API server only: a redirect is an error, never followed (urllib would send the ``Authorization``
header on to wherever it points), and only the API server's own ``NotFound`` Status reads as "no such object" (a 404 from
anything else is an error).

So the pod reads the object first, applies (server-side apply), and judges each later read against what it saw before. An
apply that changed nothing waits for the current state. A KServe canary whose stable model was never rolled out deploys the
stable model first: otherwise the canary would take all the traffic (there is no previous revision to split with).
"""

from __future__ import annotations

import contextlib
import json
import os
import ssl
import sys
import time
import urllib.error
import urllib.request
from email.utils import parsedate_to_datetime
from typing import Any, NamedTuple, Optional, Tuple

Obj = Any  # a Kubernetes object as JSON (dicts and lists): the pod has no models
Verdict = Tuple[str, str]

SA = "/var/run/secrets/kubernetes.io/serviceaccount"
#: (apiVersion, kind) -> the resource's plural, for its REST path
PLURALS = {
    ("serving.kserve.io/v1beta1", "InferenceService"): "inferenceservices",
    ("machinelearning.seldon.io/v1", "SeldonDeployment"): "seldondeployments",
    ("mlops.seldon.io/v1alpha1", "Model"): "models",
}
FIELD_MANAGER = "mldsl"  # as `mldsl apply` (mldsl/cluster/kube.py): one owner, no conflicts
KSERVE_FAILED = ("BlockedByFailedLoad", "InvalidSpec")
SELDON_V2_FAILED = ("ModelFailed", "ScheduleFailed", "ModelTerminateFailed")


class ApiError(Exception):
    pass


class Api:
    """The Kubernetes API as the pod's service account sees it (or ``MLDSL_KUBE_API`` in tests)."""

    def __init__(self, base: str, token: str, context: Optional[ssl.SSLContext], namespace: str) -> None:
        self.base, self.token, self.context, self.namespace = base, token, context, namespace
        #: the API server's clock at the last response (its ``Date`` header), in seconds
        self.server_time: Optional[float] = None

    @classmethod
    def from_env(cls) -> Api:
        base = os.environ.get("MLDSL_KUBE_API")
        if base:
            return cls(base.rstrip("/"), os.environ.get("MLDSL_KUBE_TOKEN", ""), None, "default")
        host, port = os.environ.get("KUBERNETES_SERVICE_HOST"), os.environ.get("KUBERNETES_SERVICE_PORT", "443")
        if not host:
            raise ApiError("not in a cluster: KUBERNETES_SERVICE_HOST is not set")
        with open(os.path.join(SA, "token")) as fh:
            token = fh.read().strip()
        with open(os.path.join(SA, "namespace")) as fh:
            namespace = fh.read().strip()
        context = ssl.create_default_context(cafile=os.path.join(SA, "ca.crt"))
        if ":" in host:
            host = "[" + host + "]"
        return cls("https://" + host + ":" + port, token, context, namespace)

    def call(self, method: str, path: str, body: Optional[bytes] = None, content_type: Optional[str] = None) -> Obj:
        """The API server's JSON answer; None for a GET of an object it says does not exist."""
        req = urllib.request.Request(self.base + path, data=body, method=method)
        if self.token:
            req.add_header("Authorization", "Bearer " + self.token)
        req.add_header("Accept", "application/json")
        if content_type:
            req.add_header("Content-Type", content_type)
        opener = urllib.request.build_opener(NoRedirect(), urllib.request.HTTPSHandler(context=self.context))
        try:
            with opener.open(req, timeout=30) as resp:
                self._clock(resp.headers.get("Date"))
                return json.loads(resp.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            self._clock(exc.headers.get("Date") if exc.headers else None)
            if 300 <= exc.code < 400:
                where = exc.headers.get("Location") if exc.headers else None
                raise ApiError(
                    "%s %s: HTTP %d redirect to %s, not followed (the pod's token goes to the API server only)"
                    % (method, path, exc.code, where or "nowhere")
                ) from None
            try:
                answer = json.loads(exc.read().decode("utf-8"))
            except ValueError:
                answer = None
            answer = answer if isinstance(answer, dict) else {}
            if exc.code == 404 and method == "GET" and not_found(answer, path):
                return None
            message = answer.get("message") if isinstance(answer.get("message"), str) else ""
            raise ApiError("%s %s: HTTP %d %s" % (method, path, exc.code, message or exc.reason)) from None

    def _clock(self, date: Optional[str]) -> None:
        if date:
            with contextlib.suppress(TypeError, ValueError):
                self.server_time = parsedate_to_datetime(date).timestamp()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Refuse every redirect: the 3xx comes back as an HTTPError (urllib would follow it with the token)."""

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> None:
        return None


def not_found(answer: Obj, path: str) -> bool:
    """Whether a 404's body is the API server's own: a ``Status`` with reason ``NotFound`` (naming the object
    when it names one). A proxy's or another server's 404 is not evidence that the object is absent."""
    if dig(answer, "kind") != "Status" or dig(answer, "reason") != "NotFound":
        return False
    named = dig(answer, "details", "name")
    return not named or path.split("?")[0].rsplit("/", 1)[-1] == named


def path_of(obj: Obj, namespace: str) -> str:
    kind = (obj["apiVersion"], obj["kind"])
    if kind not in PLURALS:
        raise ApiError("mldsl does not deploy %s %s" % kind)
    ns = obj["metadata"].get("namespace") or namespace
    return "/apis/%s/namespaces/%s/%s/%s" % (obj["apiVersion"], ns, PLURALS[kind], obj["metadata"]["name"])


def dig(obj: Obj, *keys: Any) -> Obj:
    for k in keys:
        if isinstance(obj, dict):
            obj = obj.get(k)
        elif isinstance(obj, list) and isinstance(k, int) and -len(obj) <= k < len(obj):
            obj = obj[k]
        else:
            return None
    return obj


def uris(obj: Obj) -> list[str]:
    """Every model URI of a manifest (``storageUri``, ``modelUri``, a custom server's ``STORAGE_URI``)."""
    found: list[str] = []

    def walk(node: Obj) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k in ("storageUri", "modelUri") and isinstance(v, str):
                    found.append(v)
                elif k == "env" and isinstance(v, list):
                    found.extend(str(e.get("value") or "") for e in v if isinstance(e, dict) and e.get("name") == "STORAGE_URI")
                else:
                    walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(obj)
    return [u for u in found if u]


def parse_time(text: Optional[str]) -> Optional[float]:
    """RFC 3339 (``2026-12-05T15:04:05Z``) as seconds since the epoch, or None."""
    import datetime

    if not text:
        return None
    try:
        return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc).timestamp()
    except ValueError:
        return None


class Applied(NamedTuple):
    """What the pod saw around its apply, which every later read is judged against."""

    before: Obj  # the object before the apply (None: the apply created it)
    after: Obj  # the object as the apply returned it
    at: float  # the API server's clock at the apply

    @property
    def current(self) -> bool:
        """The status already describes this spec: the apply created the object, or changed nothing."""
        return self.before is None or dig(self.before, "metadata", "generation") == dig(self.after, "metadata", "generation")


# -- judging a read: ("ok", why) | ("failed", why) | ("waiting", why) ---------------------------------


def judge_kserve(a: Applied, now: Obj, deployments: list[Obj]) -> Verdict:
    st = dig(now, "status") or {}
    trans = dig(st, "modelStatus", "transitionStatus")
    failure = dig(st, "modelStatus", "lastFailureInfo", "message") or dig(st, "modelStatus", "lastFailureInfo", "reason")
    created = dig(st, "components", "predictor", "latestCreatedRevision")
    ready = dig(st, "components", "predictor", "latestReadyRevision")
    old_created = dig(a.before, "status", "components", "predictor", "latestCreatedRevision")
    if a.current:
        fresh = True  # no update to wait out
    elif old_created:  # serverless: the update makes a new revision
        fresh = bool(created) and created != old_created
    else:  # raw deployment: its Deployment carries the new URI and has rolled out
        progress, detail = rolled_out(deployments, uris(a.after), "InferenceService")
        if progress == "failed":
            return "failed", detail
        fresh = progress == "done"
    if trans in KSERVE_FAILED and (fresh or dig(a.before, "status", "modelStatus", "transitionStatus") != trans):
        return "failed", "%s: %s" % (trans, failure or "the model did not load")
    if not fresh:
        return "waiting", "for KServe to start the new revision (still %s)" % (created or "the previous one")
    if trans == "UpToDate" and (not created or created == ready):
        return "ok", "revision %s serves the model" % (created or "(raw deployment)")
    return "waiting", "transitionStatus %s, revision %s ready: %s" % (trans, created, ready)


KSERVE_SOURCE_URI = "internal.serving.kserve.io/storage-initializer-sourceuri"
SELDON_PVC_MOUNT = "/mnt/pvc/"


def served_uris(kind: str, deployment: Obj) -> set[str]:
    """The model URIs a controller's Deployment serves, read from the field that controller writes them to."""
    template = dig(deployment, "spec", "template") or {}
    if kind == "InferenceService":
        uri = dig(template, "metadata", "annotations", KSERVE_SOURCE_URI)
        return {uri} if isinstance(uri, str) and uri else set()
    found: set[str] = set()
    claims = [dig(v, "persistentVolumeClaim", "claimName") for v in dig(template, "spec", "volumes") or []]
    for c in dig(template, "spec", "initContainers") or []:
        first = dig(c, "args", 0)
        if not isinstance(first, str) or not first:
            continue
        if first.startswith(SELDON_PVC_MOUNT):  # pvc://<claim>/<path>, mounted
            found.update("pvc://%s/%s" % (claim, first[len(SELDON_PVC_MOUNT) :]) for claim in claims if claim)
        else:
            found.add(first)
    return found


def rolled_out(deployments: list[Obj], wanted: list[str], kind: str) -> Verdict:
    """How far the Deployments that carry the ``wanted`` URIs are: ("none" | "rolling" | "failed" | "done", why)."""
    # one Deployment per predictor (a canary's, a shadow's): together they carry every URI of the object
    served = [(d, served_uris(kind, d)) for d in deployments]
    carrying = [d for d, mine in served if mine & set(wanted)]
    if not carrying or not all(any(u in mine for _, mine in served) for u in wanted):
        return "none", "for a Deployment with the new model"
    for d in carrying:
        name = dig(d, "metadata", "name")
        for c in dig(d, "status", "conditions") or []:
            if c.get("type") == "Progressing" and c.get("status") == "False":
                return "failed", "Deployment %s: %s" % (name, c.get("message") or c.get("reason"))
    for d in carrying:
        want = dig(d, "spec", "replicas")
        want = 1 if want is None else want
        s = d.get("status") or {}
        if (
            s.get("observedGeneration", 0) < (dig(d, "metadata", "generation") or 0)
            or s.get("updatedReplicas", 0) < want
            or s.get("availableReplicas", 0) < want
            or s.get("replicas", 0) > s.get("updatedReplicas", 0)
        ):
            return "rolling", "Deployment %s: %s of %s new replicas available" % (
                dig(d, "metadata", "name"),
                s.get("availableReplicas", 0),
                want,
            )
    return "done", "rolled out"


def judge_seldon_v1(a: Applied, now: Obj, deployments: list[Obj]) -> Verdict:
    state = dig(now, "status", "state")
    why = dig(now, "status", "description") or ""
    progress, detail = ("done", "") if a.current else rolled_out(deployments, uris(a.after), "SeldonDeployment")
    if progress == "failed":
        return "failed", detail
    if state == "Failed" and (progress != "none" or dig(a.before, "status", "state") != "Failed"):
        return "failed", "SeldonDeployment Failed: %s" % (why or "see the operator's events")
    if progress != "done":
        return "waiting", detail
    if state == "Available":
        return "ok", "Available"
    return "waiting", "state %s" % state


def judge_seldon_v2(a: Applied, now: Obj) -> Verdict:
    cond = next((c for c in dig(now, "status", "conditions") or [] if c.get("type") == "ModelReady"), None)
    if cond is None:
        return "waiting", "for the scheduler to report the model"
    changed_at = parse_time(cond.get("lastTransitionTime"))
    # the operator's clock against the API server's: a second of slack either way
    fresh = a.current or (changed_at is not None and changed_at >= a.at - 1)
    reason = cond.get("reason") or ""
    if fresh and cond.get("status") == "False" and reason in SELDON_V2_FAILED:
        return "failed", "%s: %s" % (reason, cond.get("message") or "the model did not load")
    if fresh and cond.get("status") == "True":
        return "ok", "%s on %s replicas" % (reason or "ModelReady", dig(now, "status", "replicas"))
    return "waiting", "ModelReady %s (%s)" % (cond.get("status"), reason or "no reason yet")


def deployments_of(api: Api, obj: Obj, namespace: str) -> list[Obj]:
    """The Deployments a controller made for ``obj``: read only where the judgement needs them."""
    ns = obj["metadata"].get("namespace") or namespace
    if obj["kind"] == "SeldonDeployment":
        selector = "seldon-deployment-id=" + obj["metadata"]["name"]
    elif obj["kind"] == "InferenceService":
        selector = "serving.kserve.io/inferenceservice=" + obj["metadata"]["name"]
    else:
        return []
    listed = api.call("GET", "/apis/apps/v1/namespaces/%s/deployments?labelSelector=%s" % (ns, selector))
    return (listed or {}).get("items") or []


def judge(kind: str, a: Applied, now: Obj, deployments: list[Obj]) -> Verdict:
    if kind == "InferenceService":
        return judge_kserve(a, now, deployments)
    if kind == "SeldonDeployment":
        return judge_seldon_v1(a, now, deployments)
    return judge_seldon_v2(a, now)


def say(text: str) -> None:
    print(time.strftime("%H:%M:%S ") + text, flush=True)


def deploy(api: Api, obj: Obj, poll: float) -> bool:
    """Apply ``obj`` and wait for it: True when it serves, False when it failed."""
    path = path_of(obj, api.namespace)
    name = "%s %s" % (obj["kind"], obj["metadata"]["name"])
    before = api.call("GET", path)
    body = json.dumps(obj).encode("utf-8")
    after = api.call("PATCH", path + "?fieldManager=" + FIELD_MANAGER + "&force=true", body, "application/apply-patch+yaml")
    a = Applied(before, after, api.server_time or time.time())
    say("applied %s (%s)" % (name, "created" if before is None else "unchanged" if a.current else "updated"))
    needs_deployments = obj["kind"] == "SeldonDeployment" or (
        obj["kind"] == "InferenceService"
        and before is not None
        and not dig(before, "status", "components", "predictor", "latestCreatedRevision")
    )
    last: Optional[Verdict] = None
    while True:
        now = api.call("GET", path)
        if now is None:
            say("%s was deleted while the step waited for it" % name)
            return False
        deployments = deployments_of(api, obj, api.namespace) if needs_deployments and not a.current else []
        verdict, why = judge(obj["kind"], a, now, deployments)
        if (verdict, why) != last:
            say("%s: %s" % (name, why) if verdict == "waiting" else "%s %s: %s" % (name, verdict, why))
            last = (verdict, why)
        if verdict != "waiting":
            return verdict == "ok"
        time.sleep(poll)


def main() -> int:
    poll = float(os.environ.get("MLDSL_POLL_SECONDS") or 5)
    try:
        api = Api.from_env()
        obj = json.loads(os.environ["MLDSL_MANIFEST"])
        stable = os.environ.get("MLDSL_STABLE_MANIFEST")
        if stable:
            current = api.call("GET", path_of(obj, api.namespace))
            if not dig(current, "status", "components", "predictor", "latestRolledoutRevision"):
                say("no revision of %s has been rolled out: the stable model first, then the canary" % obj["metadata"]["name"])
                if not deploy(api, json.loads(stable), poll):
                    return 1
        return 0 if deploy(api, obj, poll) else 1
    except ApiError as exc:
        say("cannot deploy: %s" % exc)
        return 1


if __name__ == "__main__":
    sys.exit(main())
