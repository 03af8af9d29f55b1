"""One pod of a plain Argo workflow: its containers in a filesystem of their own (``pods.py``, ``podroot.py``)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

from mldsl.runner.base import DAEMON_READY_WAIT, RESOURCE_WAIT, ExecutionBase, WouldHangError, _place_text, go_value_text
from mldsl.runner.mounts import MountError
from mldsl.runner.nodes import Artifact, Node


class PlainPods(ExecutionBase):
    """The part of :class:`~mldsl.runner.engine.Execution` that runs plainpods."""

    def _pod_attempt(
        self,
        node: Node,
        tpl: dict[str, Any],
        artifacts: dict[str, Artifact | None],
        step_dir: Path,
        deadline: float | None,
    ) -> tuple[str, str, dict[str, str], dict[str, Artifact]]:
        """One attempt of a plain Argo pod (``pods.py`` says what is done around its containers)."""
        from mldsl.runner.podnet import PodNetwork
        from mldsl.runner.podroot import PodRoot

        assert node.log is not None
        self._add_pod(node, tpl)
        if "resource" in tpl:
            return self._plain_resource(node, tpl)
        root = PodRoot(step_dir)
        net = PodNetwork()
        root.netns = net.path
        node.network_probe = net.connect
        try:
            return self._pod_in_network(node, tpl, artifacts, step_dir, deadline, root)
        finally:
            if node.daemoned:
                node.network = net  # the daemon's pod keeps its network until its steps end
            else:
                net.close()

    def _pod_in_network(
        self,
        node: Node,
        tpl: dict[str, Any],
        artifacts: dict[str, Artifact | None],
        step_dir: Path,
        deadline: float | None,
        root: Any,
    ) -> tuple[str, str, dict[str, str], dict[str, Artifact]]:
        from mldsl.runner import pods
        from mldsl.runner.podroot import Mount

        assert node.log is not None
        mounts = [Mount(host, path, ro) for host, path, ro in self._pod_volumes(tpl, step_dir)]
        _place_inputs(tpl, artifacts, root, step_dir)
        pod = f"{self.workflow.get('name')}-{node.id}"
        # what a container's environment holds on a cluster: its own env, and the executor's variables
        base_env = {"HOME": "/root", "HOSTNAME": pod, "ARGO_POD_NAME": pod, "ARGO_CONTAINER_NAME": "main"}
        if "containerSet" in tpl:
            return self._container_set(node, tpl, root, mounts, base_env, deadline)
        main = dict(tpl.get("container") or tpl.get("script") or {})
        if "script" in tpl and main.get("source"):
            # appended to the args (operator.go l. 3604-3609), mode 0755 (executor.go l. 423-429)
            _place_text(root, step_dir, pods.SCRIPT_PATH, str(main["source"]), 0o755)
            main["args"] = [*(main.get("args") or []), pods.SCRIPT_PATH]
        for sc in tpl.get("initContainers") or []:
            ended = self._run_container(node, sc, root, mounts, base_env, deadline, capture=False)
            if ended.phase != "Succeeded":
                return "Failed", f"init container {sc.get('name')} failed: {ended.message}", {}, {}
        sidecars = self._start_sidecars(node, tpl, root, mounts, base_env)
        if tpl.get("daemon"):
            for proc in sidecars:
                node.daemon_procs.append(proc)
            return self._daemon(node, main, root, mounts, base_env)
        try:
            ended = self._run_container(node, main, root, mounts, base_env, deadline, capture=True)
        finally:
            for proc in sidecars:
                pods.stop_sidecar(proc, self.procs)
        node.exit_code = None if ended.code is None else str(ended.code)
        node.result = pods.trim_output(ended.stdout) if ended.code is not None else None
        params, arts, why = self._pod_outputs(node, tpl, root)
        if ended.phase == "Succeeded" and why:
            return "Error", why, params, arts
        return ended.phase, ended.message, params, arts

    def _start_sidecars(
        self, node: Node, tpl: dict[str, Any], root: Any, mounts: list[Any], base_env: dict[str, str]
    ) -> list[Any]:
        """The pod's sidecars, started beside its main container."""
        from mldsl.runner import pods
        from mldsl.runner.images import runtime

        assert node.log is not None
        sidecars = []
        for sc in tpl.get("sidecars") or []:
            image = runtime(str(sc.get("image", "")))
            argv = root.argv(
                image.command(sc.get("command"), sc.get("args")), workdir=sc.get("workingDir"), mounts=mounts, image=image
            )
            proc = pods.start_sidecar(argv, pods.container_env(sc, {**dict(image.env), **base_env}), node.log, self.procs)
            if proc is not None:
                sidecars.append(proc)
        return sidecars

    def _owner(self) -> dict[str, Any]:
        return {
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "Workflow",
            "name": self.workflow.get("name", ""),
            "uid": self.workflow.get("uid", ""),
        }

    def _add_pod(self, node: Node, tpl: dict[str, Any]) -> None:
        """The pod, as an object of the run's object store (a resource step may patch it)."""
        from mldsl.runner.objects import pod_object

        name = self._pod_name(node)
        if self.objects.get("Pod", name) is None:
            namespace = self.workflow.get("namespace", "default")
            obj = pod_object(
                name,
                namespace,
                tpl.get("metadata"),
                workflow=self.workflow.get("name", ""),
                node_name=node.id,
                node_id=node.id,
                owner=self._owner(),
            )
            self.objects.add(obj)

    def _plain_resource(self, node: Node, tpl: dict[str, Any]) -> tuple[str, str, dict[str, str], dict[str, Artifact]]:
        """A resource step against the run's object store (``objects.py``): its pods, the Workflow, and what
        the run created. A condition that nothing here can ever meet was refused before the run; one that
        another step may meet is polled, and past a minute the run says it would wait for ever."""
        assert node.log is not None
        outputs = (tpl.get("outputs") or {}).get("parameters") or []
        result = self.objects.resource(tpl["resource"], owner=self._owner(), pod_name=self._pod_name(node), parameters=outputs)
        waited = time.time()
        while result.phase == "Running":
            if self.procs.stopping.wait(0.2):
                return "Failed", "Stopped with strategy 'Stop'", {}, {}
            result = self.objects.poll(result)
            if result.phase == "Running" and time.time() - waited > RESOURCE_WAIT:
                raise WouldHangError(
                    f"{node.task}: no condition of its resource matched in {RESOURCE_WAIT:.0f} s and nothing here"
                    " changes it: on a cluster the workflow would wait"
                )
        with open(node.log, "a", encoding="utf-8") as fh:
            fh.writelines(f"{line}\n" for line in result.log)
        return result.phase, result.message, dict(result.parameters), {}

    def _daemon(
        self, node: Node, main: dict[str, Any], root: Any, mounts: list[Any], base_env: dict[str, str]
    ) -> tuple[str, str, dict[str, str], dict[str, Artifact]]:
        """A daemon: its pod keeps running; once its container is ready the node is daemoned (Running, fulfilled
        for its dependents) until its steps or DAG ends, which kills it and marks it Succeeded; a daemon that
        exits by itself failed (``operator.go`` l. 1489-1504, 1534-1550; ``exec_control.go`` killDaemonedChildren)."""
        from mldsl.runner import pods
        from mldsl.runner.images import runtime

        assert node.log is not None
        image = runtime(str(main.get("image", "")))
        argv = root.argv(
            image.command(main.get("command"), main.get("args")), workdir=main.get("workingDir"), mounts=mounts, image=image
        )
        proc = pods.start_sidecar(argv, pods.container_env(main, {**dict(image.env), **base_env}), node.log, self.procs)
        if proc is None:
            return "Error", f"cannot start the daemon's command {argv[-1]!r}", {}, {}
        node.daemon_procs.append(proc)
        probe = main.get("readinessProbe") or {}
        delay = float(probe.get("initialDelaySeconds") or 0)
        started = time.time()
        while True:
            if proc.poll() is not None:
                node.stop_daemon(self.procs)
                return "Failed", f"the daemon exited with code {proc.returncode}: a daemon should run until its steps end", {}, {}
            if self.procs.stopping.is_set():
                node.stop_daemon(self.procs)
                return "Failed", "Stopped with strategy 'Stop'", {}, {}
            if time.time() - started >= delay and pods.ready(probe, root, node.network_probe):
                break
            if time.time() - started > DAEMON_READY_WAIT:
                node.stop_daemon(self.procs)
                raise WouldHangError(
                    f"the daemon {node.task} was not ready after {DAEMON_READY_WAIT:.0f} s:"
                    " on a cluster the workflow would wait for it"
                )
            time.sleep(0.05)
        node.daemoned = True
        return "Running", "daemoned", {}, {}

    def _run_container(
        self,
        node: Node,
        container: dict[str, Any],
        root: Any,
        mounts: list[Any],
        base_env: dict[str, str],
        deadline: float | None,
        capture: bool,
    ) -> Any:
        from mldsl.runner import pods
        from mldsl.runner.images import runtime

        assert node.log is not None
        image = runtime(str(container.get("image", "")))
        command = image.command(container.get("command"), container.get("args"))
        argv = root.argv(command, workdir=container.get("workingDir"), mounts=mounts, image=image)
        env = pods.container_env(container, {**dict(image.env), **base_env})
        return pods.run_container(argv, env, node.log, deadline, self.procs, capture)

    def _container_set(
        self,
        node: Node,
        tpl: dict[str, Any],
        root: Any,
        mounts: list[Any],
        base_env: dict[str, str],
        deadline: float | None,
    ) -> tuple[str, str, dict[str, str], dict[str, Artifact]]:
        """A container set: its containers in one pod, each after those it depends on; ``main`` (or the only
        one) gives the outputs (``workflow_types.go`` ContainerSetTemplate)."""
        cset = tpl["containerSet"]
        containers = {c["name"]: c for c in cset.get("containers", [])}
        for m in cset.get("volumeMounts") or []:
            vol = next((v for v in tpl.get("volumes") or [] if v.get("name") == m.get("name")), None)
            if vol is not None and "emptyDir" in vol:
                pass
        order = list(containers)
        main_name = "main" if "main" in containers else order[-1]
        ran = self._run_in_order(node, containers, main_name, root, mounts, base_env, deadline)
        if ran is None:
            return "Error", "containerSet: circular dependencies", {}, {}
        done, result = ran
        from mldsl.runner import pods

        if result is not None:
            node.exit_code = None if result.code is None else str(result.code)
            node.result = pods.trim_output(result.stdout)
        bad = next((n for n in order if done[n] in ("Failed", "Error")), None)
        params, arts, why = self._pod_outputs(node, tpl, root)
        if bad is not None:
            return "Failed", f"container {bad} failed", params, arts
        if why:
            return "Error", why, params, arts
        return "Succeeded", "", params, arts

    def _run_in_order(
        self,
        node: Node,
        containers: dict[str, Any],
        main_name: str,
        root: Any,
        mounts: list[Any],
        base_env: dict[str, str],
        deadline: float | None,
    ) -> tuple[dict[str, str], Any] | None:
        """Each container once those it depends on ended (Omitted after one that did not succeed): their phases and
        how ``main_name`` ended; ``None`` when dependencies go round in a circle."""
        done: dict[str, str] = {}
        order = list(containers)
        result: Any = None
        while len(done) < len(containers):
            progressed = False
            for name in order:
                if name in done:
                    continue
                deps = containers[name].get("dependencies") or []
                if any(d not in done for d in deps):
                    continue
                progressed = True
                if any(done[d] != "Succeeded" for d in deps):
                    done[name] = "Omitted"
                    continue
                ended = self._run_container(node, containers[name], root, mounts, base_env, deadline, capture=name == main_name)
                done[name] = ended.phase
                if name == main_name:
                    result = ended
            if not progressed:
                return None
        return done, result

    def _pod_volumes(self, tpl: dict[str, Any], step_dir: Path) -> list[tuple[Path, str, bool]]:
        """The pod's volume mounts as host folders: an ``emptyDir`` per pod, a claim per run (volumeClaimTemplates)
        or per store (an existing claim), a ConfigMap's keys as files."""
        volumes = {v["name"]: v for v in [*(self.spec.get("volumes") or []), *(tpl.get("volumes") or [])]}
        claims = {str((c.get("metadata") or {}).get("name")) for c in self.spec.get("volumeClaimTemplates") or []}
        out: list[tuple[Path, str, bool]] = []
        containers = [tpl.get("container") or tpl.get("script") or {}, *((tpl.get("containerSet") or {}).get("containers") or [])]
        mounts_seen: dict[str, tuple[str, bool]] = {}
        for c in [*containers, *(tpl.get("initContainers") or []), *(tpl.get("sidecars") or [])]:
            for m in c.get("volumeMounts") or []:
                mounts_seen.setdefault(str(m["mountPath"]), (str(m["name"]), bool(m.get("readOnly"))))
        for m in (tpl.get("containerSet") or {}).get("volumeMounts") or []:
            mounts_seen.setdefault(str(m["mountPath"]), (str(m["name"]), bool(m.get("readOnly"))))
        for path, (name, ro) in mounts_seen.items():
            vol = volumes.get(name)
            if name in claims or (vol and "persistentVolumeClaim" in vol and name in claims):
                host = self.folder / "volumes" / name
            elif vol is not None and "persistentVolumeClaim" in vol:
                host = self.folder.parent.parent / "volumes" / str(vol["persistentVolumeClaim"].get("claimName"))
            elif vol is not None and "configMap" in vol:
                host = step_dir / "configmaps" / name
                data = self.config_maps.get(str(vol["configMap"].get("name")), {})
                host.mkdir(parents=True, exist_ok=True)
                for k, v in data.items():
                    (host / k).write_text(v, encoding="utf-8")
            else:  # emptyDir, or a volume this run keeps per pod
                host = step_dir / "volumes" / name
            host.mkdir(parents=True, exist_ok=True)
            out.append((host, path, ro))
        return out

    def _pod_outputs(self, node: Node, tpl: dict[str, Any], root: Any) -> tuple[dict[str, str], dict[str, Artifact], str]:
        """What the wait container saves, even after the main container failed (``postmain``): output parameters
        and artifacts, and the first reason one could not be saved."""
        from mldsl.runner import pods

        outputs = tpl.get("outputs") or {}
        params: dict[str, str] = {}
        why = ""
        for p in outputs.get("parameters", []):
            vf = p.get("valueFrom") or {}
            got = root.read(vf["path"]) if vf.get("path") else None
            if got is not None and got.is_file():
                params[p["name"]] = pods.trim_output(got.read_bytes().decode("utf-8", "replace"))  # no newline translation
            elif "default" in vf:
                params[p["name"]] = go_value_text(vf["default"])
            elif "value" in p:
                params[p["name"]] = go_value_text(p["value"])
            elif "supplied" in vf or "expression" in vf or "parameter" in vf:
                continue
            else:
                why = why or f"failed to get output parameter {p['name']}: open {vf.get('path', '')}: no such file or directory"
                continue
            if p.get("globalName"):
                self._set_global_param(str(p["globalName"]), params[p["name"]])
        arts: dict[str, Artifact] = {}
        for a in outputs.get("artifacts", []):
            got = root.read(a["path"]) if a.get("path") else None
            if got is None or not got.exists():
                if not a.get("optional"):
                    why = why or f"failed to save outputs: path {a.get('path')} does not exist in the pod"
                continue
            try:
                dest = self._artifact_place(node, a)
            except MountError as exc:  # a key that leaves the local repository (OutsideError): nothing is touched
                why = why or f"failed to save outputs: {exc}"
                continue
            if dest.exists() or dest.is_symlink():
                shutil.rmtree(dest) if dest.is_dir() and not dest.is_symlink() else dest.unlink()
            pods.copy_into(got, dest)
            arts[a["name"]] = Artifact(dest, None)
            if a.get("globalName"):
                self.global_artifacts[str(a["globalName"])] = arts[a["name"]]
        return params, arts, why

    def _artifact_place(self, node: Node, a: dict[str, Any]) -> Path:
        """Where an output artifact is kept: at its key in the local repository, or in the run folder."""
        key = str((a.get("s3") or {}).get("key") or "")
        if key:
            bucket = str((a.get("s3") or {}).get("bucket") or self.options.default_bucket)
            return Path(self.mounts.local(f"s3://{bucket}/{key}"))
        return self.folder / "artifacts" / node.id / str(a["name"])

    def _set_global_param(self, name: str, value: str) -> None:
        with self.lock:
            self.global_params[name] = value
            self.shared[f"workflow.outputs.parameters.{name}"] = value


def _place_inputs(tpl: dict[str, Any], artifacts: dict[str, Artifact | None], root: Any, step_dir: Path) -> None:
    """The template's input artifacts (raw text or a file) at their paths in the pod."""
    for a in (tpl.get("inputs") or {}).get("artifacts", []):
        art = artifacts.get(a["name"])
        if "raw" in a:
            _place_text(root, step_dir, a["path"], str(a["raw"].get("data", "")))
        elif art is not None and "path" in a:
            root.place(a["path"], art.path)
