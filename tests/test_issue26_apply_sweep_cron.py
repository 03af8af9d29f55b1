"""Issue #26 items 8, 9 and 12: a KServe canary's first ``mldsl apply``, a sweep driver's image pull
secrets, and cron schedules checked field by field."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from mldsl.backends import emit_all
from mldsl.compiler import compile_paths
from mldsl.compiler.schedules import cron_problems

from conftest import example_dirs

ISVC = ("serving.kserve.io", "v1beta1", "ml", "inferenceservices", "api")
STABLE, CANARY = "s3://models/api/1", "s3://models/api/2"


# --- item 8: a KServe canary's first apply -----------------------------------------------------------------------


class KServe:
    """KServe's knative path as its source reads (v0.20.0), one reconcile per read of the object.

    A spec change makes a revision, ready two reads later. Traffic: with ``canaryTrafficPercent`` and a
    ``latestRolledoutRevision``, the latest ready revision gets the canary's share and the rolled-out one
    the rest; otherwise the latest gets 100 % (``ksvc_reconciler.go`` l. 123-163). ``latestRolledoutRevision``
    becomes the latest ready revision once that one has 100 % (``inference_service_status.go`` l. 584-590).
    A URI listed in ``broken`` never loads (``BlockedByFailedLoad``).
    """

    def __init__(self, broken: tuple[str, ...] = ()) -> None:
        self.uris: dict[str, str] = {}  # revision -> the model URI it serves
        self.generation = 0
        self.ready: str | None = None
        self.rolled: str | None = None
        self.traffic: list[dict[str, Any]] = []
        self.broken = broken

    def __call__(self, key: Any, obj: dict[str, Any], reads: int) -> None:
        predictor = obj["spec"]["predictor"]
        if obj["metadata"]["generation"] != self.generation:
            self.generation = obj["metadata"]["generation"]
            self.uris["api-predictor-%05d" % self.generation] = predictor["model"]["storageUri"]
        created = "api-predictor-%05d" % self.generation
        failed = self.uris[created] in self.broken
        if reads >= 2 and not failed:
            self.ready = created
        if self.ready is None:
            obj["status"] = {"modelStatus": {"transitionStatus": "BlockedByFailedLoad" if failed else "InProgress"}}
            return
        percent = predictor.get("canaryTrafficPercent")
        if percent is not None and self.rolled:
            self.traffic = [{"revisionName": self.ready, "latestRevision": True, "percent": percent}]
            if percent < 100:
                self.traffic.append({"revisionName": self.rolled, "latestRevision": False, "percent": 100 - percent})
        else:
            self.traffic = [{"revisionName": self.ready, "latestRevision": True, "percent": 100}]
        if any(t["revisionName"] == self.ready and t["latestRevision"] and t["percent"] == 100 for t in self.traffic):
            self.rolled = self.ready
        components = {"latestCreatedRevision": created, "latestReadyRevision": self.ready, "traffic": self.traffic}
        if self.rolled:
            components["latestRolledoutRevision"] = self.rolled
        trans = "BlockedByFailedLoad" if failed else "UpToDate" if self.ready == created else "InProgress"
        obj["status"] = {"components": {"predictor": components}, "modelStatus": {"transitionStatus": trans}}

    def shares(self) -> dict[str, int]:
        """Which model URI gets which share of the traffic now."""
        out: dict[str, int] = {}
        for t in self.traffic:
            out[self.uris[t["revisionName"]]] = out.get(self.uris[t["revisionName"]], 0) + t["percent"]
        return out


@pytest.fixture
def canary_project(tmp_path: Path) -> Path:
    root = tmp_path / "api"
    root.mkdir()
    (root / "mldsl.yaml").write_text(
        "apiVersion: mldsl/v1\nkind: Project\nmetadata: {name: api}\nspec: {namespace: ml, serving_backend: kserve}\n"
    )
    (root / "api.yaml").write_text(
        "apiVersion: mldsl/v1\nkind: Serving\nmetadata: {name: api}\nspec:\n"
        f"  model: {{uri: {STABLE}, server: sklearn}}\n"
        f"  traffic:\n    - {{name: stable, weight: 90}}\n    - {{name: canary, weight: 10, model: {{uri: {CANARY}}}}}\n"
    )
    return root


@pytest.fixture
def emulator(tmp_path: Path):
    pytest.importorskip("kubernetes", reason="the kubernetes client is a dependency of mldsl apply")
    from kube_emulator import KubeEmulator, kubeconfig

    with KubeEmulator() as emu:
        config = tmp_path / "kubeconfig"
        config.write_text(kubeconfig(emu.url))
        yield emu, config


def apply(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"KUBECONFIG": str(config), "PATH": "/usr/bin:/bin", "HOME": str(config.parent), "MLDSL_POLL_SECONDS": "0.02"}
    return subprocess.run([sys.executable, "-m", "mldsl", "apply", *args], capture_output=True, text=True, env=env, timeout=120)


def reconcile(emu: Any, times: int = 4) -> None:
    """Let the controller catch up (it acts on reads of the object, as in tests/kube_emulator.py)."""
    for _ in range(times):
        emu.handle("GET", ISVC, {}, b"", "")


def test_first_apply_never_sends_all_traffic_to_the_canary(canary_project: Path, emulator) -> None:
    """Without --wait: the stable model alone (it serves everything), the canary on the next apply, with
    the stable model keeping its 90 %. Before the fix the first apply put the canary at 100 %."""
    emu, config = emulator
    kserve = KServe()
    emu.controller = kserve
    first = apply(config, str(canary_project))
    assert first.returncode == 0, first.stderr
    reconcile(emu)
    assert kserve.shares() == {STABLE: 100}  # before the fix: {CANARY: 100}
    assert first.stdout.splitlines() == ["inferenceservice/api created"]
    assert "no revision has rolled out yet" in first.stderr and f"applied the stable model ({STABLE}) alone" in first.stderr
    second = apply(config, str(canary_project))
    assert second.returncode == 0 and second.stdout.splitlines() == ["inferenceservice/api configured"], second.stderr
    assert second.stderr == ""
    reconcile(emu)
    assert kserve.shares() == {STABLE: 90, CANARY: 10}
    assert emu.store[ISVC]["spec"]["predictor"]["canaryTrafficPercent"] == 10


def test_first_apply_with_wait_rolls_out_the_stable_model_then_the_canary(canary_project: Path, emulator) -> None:
    """What the deploy step's pod does (backends/argo/deploy_pod.py main), in one apply."""
    emu, config = emulator
    kserve = KServe()
    emu.controller = kserve
    p = apply(config, "--wait", str(canary_project))
    assert p.returncode == 0, p.stderr
    assert p.stdout.splitlines() == ["inferenceservice/api created"]
    assert "the stable model first (revision api-predictor-00001), then the canary at 10 %" in p.stderr
    reconcile(emu)
    assert kserve.shares() == {STABLE: 90, CANARY: 10}
    patches = [r for r in emu.requests if r["method"] == "PATCH"]
    assert len(patches) == 2


def test_wait_stops_when_the_stable_model_does_not_load(canary_project: Path, emulator) -> None:
    emu, config = emulator
    emu.controller = KServe(broken=(STABLE,))
    p = apply(config, "--wait", str(canary_project))
    assert p.returncode == 3
    assert "the stable model of InferenceService api failed (BlockedByFailedLoad" in p.stderr
    assert "canaryTrafficPercent" not in emu.store[ISVC]["spec"]["predictor"]  # the canary was not applied


def test_wait_has_a_timeout(canary_project: Path, emulator) -> None:
    _, config = emulator  # no controller: nothing ever rolls out
    p = apply(config, "--wait", "--timeout", "1s", str(canary_project))
    assert p.returncode == 3 and "did not roll out within 1 s: the canary was not applied" in p.stderr
    bad = apply(config, "--wait", "--timeout", "soon", str(canary_project))
    assert bad.returncode == 2 and "--timeout" in bad.stderr


def test_a_rolled_out_revision_takes_the_canary_at_once(canary_project: Path, emulator) -> None:
    emu, config = emulator
    kserve = KServe()
    emu.controller = kserve
    serving = canary_project / "api.yaml"
    text = serving.read_text()
    serving.write_text(text.split("  traffic:")[0])  # the stable model alone, rolled out
    assert apply(config, str(canary_project)).returncode == 0
    reconcile(emu)
    assert kserve.rolled == "api-predictor-00001"
    serving.write_text(text)
    n = len([r for r in emu.requests if r["method"] == "PATCH"])
    p = apply(config, str(canary_project))
    assert p.returncode == 0 and p.stdout.splitlines() == ["inferenceservice/api configured"] and p.stderr == ""
    assert len([r for r in emu.requests if r["method"] == "PATCH"]) == n + 1
    reconcile(emu)
    assert kserve.shares() == {STABLE: 90, CANARY: 10}


def test_dry_runs_of_a_first_apply_say_the_stable_model_goes_first(canary_project: Path, emulator) -> None:
    emu, config = emulator
    for flag, line in (("--dry-run=server", "created (server dry run)"), ("--dry-run=client", "created (dry run)")):
        p = apply(config, flag, str(canary_project))
        assert p.returncode == 0, p.stderr
        assert p.stdout.splitlines() == [f"inferenceservice/api {line}"]
        assert f"apply sends the stable model ({STABLE}) alone first" in p.stderr
    assert emu.store == {}


def test_the_ui_applies_through_the_same_code(canary_project: Path, emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    from mldsl.ui.studio import Studio

    emu, config = emulator
    monkeypatch.setenv("KUBECONFIG", str(config))
    kserve = KServe()
    emu.controller = kserve
    lines = Studio(canary_project).apply()["lines"]
    assert lines[0] == "inferenceservice/api created" and "applied the stable model" in lines[1]
    reconcile(emu)
    assert kserve.shares() == {STABLE: 100}


def test_first_objects_hold_the_stable_model_alone(canary_project: Path) -> None:
    """The object the deploy step's pod gets as MLDSL_STABLE_MANIFEST (backends/argo/deploy.py), per canary."""
    from mldsl.backends import kserve

    program = compile_paths([canary_project]).program
    [stable] = kserve.first_objects(program).values()
    assert stable["spec"]["predictor"]["model"]["storageUri"] == STABLE
    assert "canaryTrafficPercent" not in stable["spec"]["predictor"]
    assert kserve.first_objects(program._replace(servings=())) == {}


# --- item 9: a sweep's driver pulls its images with the Project's secrets ----------------------------------------


def test_sweep_driver_has_the_projects_image_pull_secrets(tmp_path: Path) -> None:
    root = tmp_path / "gpu"
    shutil.copytree(next(d for d in example_dirs() if d.name == "gpu-training"), root)
    [driver] = [m.body for m in emit_all(compile_paths([root]).program, ("argo-sweeps",))]
    assert driver["spec"]["imagePullSecrets"] == [{"name": "regcred"}]
    project = root / "mldsl.yaml"
    project.write_text(project.read_text().replace("image_pull_secrets: [regcred]", ""))
    [driver] = [m.body for m in emit_all(compile_paths([root]).program, ("argo-sweeps",))]
    assert "imagePullSecrets" not in driver["spec"]


# --- item 12: cron expressions, field by field --------------------------------------------------------------------


@pytest.mark.parametrize(
    "cron",
    [
        "30 3 * * *",
        "*/15 9-17 * jan-mar mon-fri",
        "0 0 ? * ?",
        "0 0 1,15 * 1-5/2",
        "5/10 * * * *",
        "@daily",
        "@every 1h30m",
        "CRON_TZ=Asia/Shanghai 30 3 * * *",
        "TZ=UTC 0 0 * * sun",
    ],
)
def test_crons_argo_accepts(cron: str) -> None:
    assert cron_problems(cron) == []


@pytest.mark.parametrize(
    ("cron", "fields"),
    [
        ("61 25 * * *", [(0, "minute: end of range (61) above maximum (59)"), (3, "hour: end of range (25) above maximum (23)")]),
        ("0 0 * * 7", [(8, "day of week: end of range (7) above maximum (6)")]),
        ("0 0 0 * *", [(4, "day of month: beginning of range (0) below minimum (1)")]),
        ("*/0 * * * *", [(0, "minute: step of range should be a positive number")]),
        ("5-2 * * * *", [(0, "minute: beginning of range (5) beyond end of range (2)")]),
        ("0 3 * foo *", [(6, 'month: failed to parse int from foo: strconv.Atoi: parsing "foo"')]),
        ("1-2-3 * * * *", [(0, "minute: too many hyphens")]),
        ("CRON_TZ=UTC 0 3 * 13 *", [(18, "month: end of range (13) above maximum (12)")]),
        ("@every 1d", [(None, 'failed to parse duration @every 1d: time: invalid duration "1d"')]),
        ("@weekdays", [(None, "unrecognized descriptor: @weekdays")]),
        ("TZ=Mars/Base 0 3 * * *", [(None, "provided bad location Mars/Base: unknown time zone Mars/Base")]),
        ("0 3 * * * *", [(None, "expected exactly 5 fields, found 6")]),
        (" @daily", [(None, "expected exactly 5 fields, found 1")]),
    ],
)
def test_crons_argo_refuses_with_the_bad_field(cron: str, fields: list[tuple[int | None, str]]) -> None:
    problems = cron_problems(cron)
    assert [p.offset for p in problems] == [offset for offset, _ in fields]
    for p, (_, why) in zip(problems, fields, strict=True):
        assert p.message.startswith(f"invalid cron expression {cron!r}: {why}") and p.hint


def test_a_cron_with_its_own_zone_and_a_timezone_is_refused() -> None:
    """Argo prefixes CRON_TZ=<timezone> (cron_workflow_types.go l. 193-197); robfig/cron reads one prefix."""
    [p] = cron_problems("CRON_TZ=UTC 0 3 * * *", "Europe/Paris")
    assert "names its own time zone" in p.message and p.offset == 0
    assert cron_problems("0 3 * * *", "Europe/Paris") == []


def test_validate_and_compile_refuse_a_cron_at_its_bad_field(tmp_path: Path) -> None:
    """``61 25 * * *`` passed validate and compile --crds; the cluster refused it."""
    root = tmp_path / "nightly"
    shutil.copytree(next(d for d in example_dirs() if d.name == "nightly-regions"), root)
    [doc] = [f for f in root.rglob("*.yaml") if "schedule:" in f.read_text()]
    text = doc.read_text()
    data = yaml.safe_load(text)
    cron = data["spec"]["schedule"]["cron"]
    assert isinstance(cron, str) and text.count(cron) == 1
    doc.write_text(text.replace(cron, "61 25 * * *"))
    line_no, line = next((i + 1, ln) for i, ln in enumerate(doc.read_text().splitlines()) if "61 25 * * *" in ln)
    col = line.index("61 25 * * *") + 1
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    for cmd in (["validate", str(root)], ["compile", str(root), "-o", str(tmp_path / "out")]):
        p = subprocess.run([sys.executable, "-m", "mldsl", *cmd], capture_output=True, text=True, env=env)
        assert p.returncode == 1, p.stdout + p.stderr
        out = p.stdout + p.stderr
        assert f"{doc}:{line_no}:{col}: error[MLD413]: invalid cron expression '61 25 * * *': minute:" in out
        assert f"{doc}:{line_no}:{col + 3}: error[MLD413]: invalid cron expression '61 25 * * *': hour:" in out
        assert "hint: the hour takes 0-23" in out
    assert not (tmp_path / "out").exists()
