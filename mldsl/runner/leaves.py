"""One pod of an mldsl manifest: retries, the cache, its process or operator job, its outputs."""

from __future__ import annotations

import errno
import json
import os
import shutil
import threading
import time
from pathlib import Path
from typing import Any

from mldsl.argo.gostrconv import format_float_v
from mldsl.argo.template import UnresolvedError, replace
from mldsl.runner.base import ExecutionBase, _duration, _in_step, _Scope, _trim_newline, template_locals
from mldsl.runner.cache import KEY as CACHE_KEY
from mldsl.runner.mounts import MountError, Mounts, OutsideError, pod_volumes, s3_uri
from mldsl.runner.nodes import Artifact, Node
from mldsl.runner.operators import LOCAL_KINDS, JobError, Localizer, run_spark, run_training
from mldsl.runner.processes import docker_argv, pod_spec, run_process
from mldsl.runner.support import DEPLOY_ENV, DEPLOY_KINDS, DEPLOY_LABEL, RUN_KINDS, resource_kind


def _move_whole(src: Path, dest: Path) -> None:
    """Move an output into the repository so that ``dest`` is whole or absent: a rename within a file system; across
    file systems a copy under a temporary name, renamed once complete (a full disk leaves no half artifact)."""
    tmp = dest.with_name(f".{dest.name}.partial-{os.getpid()}-{threading.get_ident()}")
    try:
        shutil.move(str(src), str(tmp))
        os.replace(tmp, dest)
    except BaseException:
        if tmp.is_dir() and not tmp.is_symlink():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)
        raise


#: free space below which a failed step is taken to have failed for the full disk holding the run
_FULL = 64 * 1024


def _disk_full(folder: Path) -> bool:
    try:
        st = os.statvfs(folder)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < _FULL


class Leaves(ExecutionBase):
    """The part of :class:`~mldsl.runner.engine.Execution` that runs leaves."""

    def _leaf(
        self,
        node: Node,
        tpl: dict[str, Any],
        params: dict[str, str],
        artifacts: dict[str, Artifact | None],
        outer: _Scope,
    ) -> tuple[str, str, dict[str, str], dict[str, Artifact]]:
        flat = self._leaf_scope(node, tpl, params, outer)
        memo = tpl.get("memoize")
        key, done = self._memoized(node, memo, flat) if memo else ("", None)
        if done is not None:
            return done
        retry = tpl.get("retryStrategy") or {}
        first_start: float | None = None
        node.log = self.folder / "logs" / f"{node.id}.log"
        node.log.parent.mkdir(parents=True, exist_ok=True)
        last: tuple[str, str, str, float] | None = None  # the previous attempt: phase, message, exit code, seconds
        while True:
            node.attempts += 1
            flat["retries"] = str(node.attempts - 1)
            if retry:  # lastRetry.* for a retried template, defaults on the first attempt (operator.go l. 2519-2539)
                _last_retry(flat, last)
            with self.pods:
                if self.procs.stopping.is_set():
                    return "Failed", "Stopped with strategy 'Stop'", {}, {}
                node.start()
                self._notify(node)
                first_start = first_start or self.options.clock.now()
                attempt_start = self.options.clock.now()
                # a retried template is substituted again per attempt, with its pod name and retries (operator.go
                # l. 2513-2539: SubstituteParams, two scans); every pod gets the pod pass (workflowpod.go l. 703)
                tpl_a = self._retry_pass(node, tpl, flat) if retry else tpl
                phase, msg, out_p, out_a = self._attempt(node, tpl_a, flat, artifacts)
                last = (phase, msg, node.exit_code or "0", self.options.clock.now() - attempt_start)
            if phase == "Succeeded" or node.daemoned or self.procs.stopping.is_set():
                break
            wait, why = self._retry_wait(node, retry, phase, first_start)
            if wait is None:
                msg = why or msg
                break
            _note_backoff(node, phase, msg, wait)
            self._notify(node)
            if self.options.clock.wait(self.procs.stopping, wait):
                return "Failed", "Stopped with strategy 'Stop'", {}, {}
        if phase == "Succeeded" and memo and key:
            self.cache.save(memo["cache"]["configMap"]["name"], key, out_p, out_a)
        return phase, msg, out_p, out_a

    def _retry_wait(self, node: Node, retry: dict[str, Any], phase: str, first_start: float) -> tuple[float | None, str]:
        """The backoff before the next attempt, or None with why not (``retryStrategy``: limit, policy, backoff)."""
        if not retry:
            return None, ""
        policy = retry.get("retryPolicy", "OnFailure")
        retry_it = (
            policy == "Always" or (policy == "OnFailure" and phase == "Failed") or (policy == "OnError" and phase == "Error")
        )
        if not retry_it or node.attempts > int(retry.get("limit", 0)):
            return None, ""
        backoff = retry.get("backoff") or {}
        wait = _backoff(backoff, node.attempts)
        if backoff.get("maxDuration") and self.options.clock.now() + wait > first_start + _duration(backoff["maxDuration"]):
            return None, "Backoff would exceed max duration limit"
        return wait, ""

    def _leaf_scope(self, node: Node, tpl: dict[str, Any], params: dict[str, str], outer: _Scope) -> dict[str, Any]:
        """What a pod's template is substituted with: the globals, its inputs and outputs' paths, its names (the
        rest of SubstituteParams' map: common/util.go l. 288-316)."""
        flat: dict[str, Any] = {**self._runtime_globals(), **outer.globals(), **template_locals(tpl, params)}
        flat["pod.name"] = f"{self.workflow.get('name', 'run')}-{node.id}" if self.options.pod_roots else node.id
        flat["node.name"] = node.id
        flat[f"{node.kind}.name"] = node.task
        return flat

    def _memoized(
        self, node: Node, memo: dict[str, Any], flat: dict[str, Any]
    ) -> tuple[str, tuple[str, str, dict[str, str], dict[str, Artifact]] | None]:
        """The memoize key, and the leaf's result when it is settled already: a bad key, or a cache hit."""
        try:
            key = replace(str(memo["key"]), flat)
        except UnresolvedError as exc:
            return "", ("Error", f"memoize key: {exc}", {}, {})
        if not CACHE_KEY.match(key):  # Argo refuses it: workflow/controller/cache/cache.go l. 25
            return key, ("Error", f"invalid cache key {key!r}", {}, {})
        if self.options.use_cache:
            hit = self.cache.load(memo["cache"]["configMap"]["name"], key, _duration(memo.get("maxAge")))
            if hit is not None:
                node.cached, node.attempts = True, 0
                node.start()
                return key, ("Succeeded", "cached", hit[0], hit[1])
        return key, None

    def _attempt(
        self,
        node: Node,
        tpl: dict[str, Any],
        flat: dict[str, Any],
        artifacts: dict[str, Artifact | None],
    ) -> tuple[str, str, dict[str, str], dict[str, Artifact]]:
        step_dir = self.folder / "steps" / node.id
        if step_dir.exists():
            shutil.rmtree(step_dir)
        (step_dir / "mldsl" / "outputs").mkdir(parents=True)
        # metrics are the controller's, substituted when the node has completed (operator.go computeMetrics)
        body = {k: v for k, v in tpl.items() if k not in ("memoize", "metrics")}
        try:
            resolved = self._pod_pass(node, body, flat)
        except UnresolvedError as exc:
            return "Error", f"failed to resolve {exc}", {}, {}
        deadline = time.time() + int(tpl["activeDeadlineSeconds"]) if tpl.get("activeDeadlineSeconds") else None
        if self.options.pod_roots:
            return self._pod_attempt(node, resolved, artifacts, step_dir, deadline)
        unmapped = _link_inputs(tpl, artifacts, step_dir)
        if unmapped:
            return "Error", unmapped, {}, {}
        labels = (tpl.get("metadata") or {}).get("labels", {})
        code = self.options.code.get((labels.get("mldsl.io/module", ""), labels.get("mldsl.io/module-version", "")))
        if "resource" in resolved:
            return self._resource(node, resolved, step_dir, deadline)
        if DEPLOY_LABEL in labels:  # a deploy step's pod would apply to a cluster: its objects go to the run folder
            return self._deploy(node, resolved)
        try:
            spec = pod_spec(resolved, step_dir, code, self._step_mounts(resolved, step_dir), self.options.secrets)
        except ValueError as exc:
            return "Error", str(exc), {}, {}
        argv = docker_argv(spec, step_dir, code) if self.options.executor == "docker" else spec.argv
        assert node.log is not None
        if node.attempts > 1 or node.log.exists():
            with open(node.log, "a", encoding="utf-8") as fh:
                fh.write(f"--- mldsl: attempt {node.attempts} ---\n")
        phase, msg = run_process(argv, spec.env, spec.cwd, node.log, deadline, self.procs)
        if phase != "Succeeded" and _disk_full(self.folder):  # what the step wrote failed for want of space
            shutil.rmtree(step_dir / "mldsl" / "outputs", ignore_errors=True)  # half-written outputs: none kept
            return "Error", f"{msg}; {self.failed_disk(_no_space(self.folder), node)}", {}, {}
        if phase != "Succeeded":
            # the wait container saves what the main container wrote even when it failed (cmd/argoexec postmain
            # l. 41-66); what it did not write is simply absent
            _, _, kept_p, kept_a = self._collect(node, tpl, resolved, step_dir, flat, partial=True)
            return phase, msg, kept_p, kept_a
        return self._collect(node, tpl, resolved, step_dir, flat)

    def _step_mounts(self, obj: dict[str, Any], step_dir: Path) -> Mounts:
        """The run's mounts, plus the pod's own emptyDir volumes (a RAM disk, a scratch disk) as step folders;
        a claim's mount path is mapped by the Project's ``local.mounts`` (checked before the run)."""
        extra: dict[str, Path] = {}
        for name, vol, path in pod_volumes(obj):
            if "emptyDir" in vol and not path.startswith("/mldsl"):
                folder = step_dir / "volumes" / name
                folder.mkdir(parents=True, exist_ok=True)
                extra[path] = folder
        return self.mounts.with_paths(extra) if extra else self.mounts

    def _collect(
        self,
        node: Node,
        tpl: dict[str, Any],
        resolved: dict[str, Any],
        step_dir: Path,
        flat: dict[str, Any],
        partial: bool = False,
    ) -> tuple[str, str, dict[str, str], dict[str, Artifact]]:
        """Output parameters from their files, artifacts into the repository (the wait container's job);
        ``partial`` after a failure: what exists is kept, what does not is left out."""
        outputs = resolved.get("outputs") or {}
        params, missing = _read_parameters(outputs, step_dir, partial)
        if missing:
            return "Error", missing, {}, {}
        arts: dict[str, Artifact] = {}
        for a in outputs.get("artifacts", []):
            path = a.get("path", "")
            local = _in_step(step_dir, path)
            if local is None or not local.exists():
                if a.get("optional"):
                    continue
                if partial:
                    continue
                return "Error", f"failed to save output artifact {a['name']}: nothing at {path}", {}, {}
            if "s3" in a:
                uri = s3_uri(a["s3"])
                try:
                    dest = self.mounts.local(uri)
                except OutsideError as exc:  # a key that climbs out of the store: nothing there is touched
                    return "Error", f"output artifact {a['name']}: {exc}", {}, {}
                except MountError:
                    if partial:
                        continue
                    return "Error", f"output artifact {a['name']}: no local place for {uri}", {}, {}
            else:
                uri = None
                dest = self.folder / "artifacts" / node.id / a["name"]
            if dest.is_symlink() or dest.exists():  # a link itself is removed, never what it points to
                shutil.rmtree(dest) if dest.is_dir() and not dest.is_symlink() else dest.unlink()
            dest.parent.mkdir(parents=True, exist_ok=True)
            _move_whole(local, dest)
            arts[a["name"]] = Artifact(dest, uri)
        return "Succeeded", "", params, arts

    def _resource(
        self, node: Node, resolved: dict[str, Any], step_dir: Path, deadline: float | None
    ) -> tuple[str, str, dict[str, str], dict[str, Artifact]]:
        """An operator's object: a Spark or training job run here, or a ``deploy:`` manifest written to the run folder."""
        import yaml

        text = resolved["resource"].get("manifest", "")
        kind = resource_kind(text)
        try:
            obj = json.loads(text)
        except ValueError:
            obj = yaml.safe_load(text)
        assert node.log is not None
        if kind in RUN_KINDS:  # kept for the run (a semaphore's limit); the run folder has it in its record
            name = str((obj.get("metadata") or {}).get("name", ""))
            with self.lock:
                if name in self.config_maps:
                    return "Error", f'configmaps "{name}" already exists', {}, {}
                self.config_maps[name] = {str(k): str(v) for k, v in (obj.get("data") or {}).items()}
            node.log.write_text(f"configmap/{name} created\n")
            return "Succeeded", "", {}, {}
        if kind in LOCAL_KINDS:
            labels = (obj.get("metadata") or {}).get("labels") or {}
            code = self.options.code.get((labels.get("mldsl.io/module", ""), labels.get("mldsl.io/module-version", "")))
            loc = Localizer(code, self._step_mounts(obj, step_dir), self.options.secrets)
            try:
                if kind == "SparkApplication":
                    phase, msg = run_spark(obj, loc, step_dir, node.log, deadline, self.procs)
                else:
                    phase, msg = run_training(obj, loc, step_dir, node.log, deadline, self.procs)
            except JobError as exc:
                return "Error", str(exc), {}, {}
            return phase, msg, {}, {}
        if kind not in DEPLOY_KINDS:
            return "Error", f"{kind} jobs do not run on this machine", {}, {}
        return self._write_deploy(node, [(obj, resolved["resource"].get("action", "apply"))])

    def _deploy(self, node: Node, resolved: dict[str, Any]) -> tuple[str, str, dict[str, str], dict[str, Artifact]]:
        """A deploy pod (``mldsl.io/deploy``): the objects it would apply, in the order it would apply them."""
        env = {e["name"]: e.get("value", "") for e in resolved["script"].get("env", [])}
        objs = [json.loads(env[k]) for k in DEPLOY_ENV if k in env]
        return self._write_deploy(node, [(o, "apply") for o in objs])

    def _write_deploy(
        self, node: Node, objs: list[tuple[dict[str, Any], str]]
    ) -> tuple[str, str, dict[str, str], dict[str, Artifact]]:
        import yaml

        assert node.log is not None
        for i, (obj, action) in enumerate(objs):
            kind = obj.get("kind", "object")
            name = (obj.get("metadata") or {}).get("name") or (obj.get("metadata") or {}).get("generateName", "object")
            first = "" if i == len(objs) - 1 else ".first"
            dest = self.folder / "deploy" / f"{node.id}{first}.{kind.lower()}.yaml"
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(yaml.safe_dump(obj, sort_keys=False, allow_unicode=True), encoding="utf-8")
            with open(node.log, "a", encoding="utf-8") as fh:
                fh.write(f"mldsl run: would {action} {kind} {name}; manifest written to {dest}\n")
            node.message = f"{kind} {name} written to {dest.relative_to(self.folder)}"
        return "Succeeded", node.message, {}, {}


def _backoff(backoff: dict[str, Any], attempts: int) -> float:
    """Seconds before the next attempt: ``duration`` times ``factor`` per attempt so far, at most ``cap``."""
    wait = _duration(backoff.get("duration")) if backoff else 0.0
    factor = int(backoff.get("factor", 0) or 0) if backoff else 0
    if factor > 0:
        wait *= factor ** (attempts - 1)
    if backoff.get("cap"):
        wait = min(wait, _duration(backoff["cap"]))
    return wait


def _last_retry(flat: dict[str, Any], last: tuple[str, str, str, float] | None) -> None:
    """``lastRetry.*``: the previous attempt's exit code, phase, seconds and message (defaults before one)."""
    flat["lastRetry.exitCode"] = last[2] if last else "0"
    flat["lastRetry.status"] = last[0] if last else ""
    flat["lastRetry.duration"] = format_float_v(last[3]) if last else "0"
    flat["lastRetry.message"] = last[1] if last else ""


def _link_inputs(tpl: dict[str, Any], artifacts: dict[str, Artifact | None], step_dir: Path) -> str:
    """Each input artifact linked at its path in the step's folder; why not, for a path outside ``/mldsl/``."""
    for a in (tpl.get("inputs") or {}).get("artifacts", []):
        art = artifacts.get(a["name"])
        if art is None or "path" not in a:
            continue
        target = _in_step(step_dir, a["path"])
        if target is None:
            return f"input artifact {a['name']} at {a['path']}: only /mldsl/ paths map to this machine"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(art.path.resolve(), target_is_directory=art.path.is_dir())
    return ""


def _read_parameters(outputs: dict[str, Any], step_dir: Path, partial: bool) -> tuple[dict[str, str], str]:
    """Output parameters from their files or defaults; the first one missing (unless ``partial``), as an error."""
    params: dict[str, str] = {}
    for p in outputs.get("parameters", []):
        vf = p.get("valueFrom") or {}
        path = vf.get("path", "")
        local = _in_step(step_dir, path)
        if local is not None and local.is_file():
            # one trailing newline trimmed, as Argo's wait container does (executor.go saveParameters)
            params[p["name"]] = _trim_newline(local.read_bytes().decode("utf-8", "replace"))
        elif "default" in vf:
            params[p["name"]] = str(vf["default"])
        elif not partial:
            return {}, f"failed to read output parameter {p['name']}: no file at {path}"
    return params, ""


def _no_space(folder: Path) -> OSError:
    """The error a write into the full ``folder`` raised: what the run says when its disk is full."""
    why = OSError(errno.ENOSPC, "No space left on device")
    why.filename = str(folder)
    return why


def _note_backoff(node: Node, phase: str, msg: str, wait: float) -> None:
    """A retry's reason and backoff, in the step's log and as its message while it waits."""
    assert node.log is not None
    with open(node.log, "a", encoding="utf-8") as fh:
        fh.write(f"--- mldsl: attempt {node.attempts} {phase}: {msg}; retrying in {wait:g}s ---\n")
    node.message = f"Backoff for {wait:g}s"
