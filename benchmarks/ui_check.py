"""How long the composer waits for a check (one edit) as pipelines grow: ``mldsl ui``'s /api/check.

Builds a project with one pipeline of N steps (the mesh of compile_scale.py),
opens it as the composer does, changes one literal, and times the check
(render the YAML into the opened file, compile the project, put diagnostics at
fields) over real HTTP on 127.0.0.1. The page waits 250 ms after typing before it
asks, so a check well under that keeps typing smooth.

    python benchmarks/ui_check.py [--repeat 7] [--check]

Targets (issue #15): one check ≤ 40 ms at 100 steps, ≤ 150 ms at 500.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from compile_scale import MODULE, pipeline
from harness import Report, Target

import mldsl.cli.startup  # noqa: F401 - the garbage collector as the `mldsl ui` process has it (it starts via mldsl.cli.main)
from mldsl.ui.server import TOKEN_HEADER, Server
from mldsl.ui.studio import Studio


def call(server: Server, method: str, path: str, body: object = None) -> dict[str, object]:
    headers = {"Content-Type": "application/json", TOKEN_HEADER: server.csrf} if method == "POST" else {}
    data = json.dumps(body).encode() if method == "POST" else None
    req = urllib.request.Request(server.url.rstrip("/") + path, data=data, method=method, headers=headers)
    with urllib.request.urlopen(req, timeout=120) as resp:
        return dict(json.loads(resp.read()))


def measure(n: int, repeat: int) -> tuple[list[float], int]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "mldsl.yaml").write_text(
            "apiVersion: mldsl/v1\nkind: Project\nmetadata: {name: bench}\nspec: {module_paths: [modules]}\n"
        )
        (root / "modules").mkdir()
        (root / "modules" / "step.yaml").write_text(MODULE)
        (root / "pipeline.yaml").write_text(pipeline(n))
        server = Server(Studio(root), 0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            opened = call(server, "GET", "/api/open?path=pipeline.yaml")
            model = opened["model"]
            assert isinstance(model, dict)
            body = {"path": opened["path"], "token": opened["token"], "original": opened["original"], "model": model}
            call(server, "POST", "/api/check", body)  # warm: imports, the library
            times = []
            for i in range(repeat):
                model["steps"][-1]["with"]["label"] = f"edit-{i}"
                start = time.perf_counter()
                report = call(server, "POST", "/api/check", body)
                times.append(time.perf_counter() - start)
                assert report["errors"] == 0, report["fields"]
            return times, len(str(report["yaml"]))
        finally:
            server.shutdown()
            server.server_close()


GOALS = {100: 0.040, 500: 0.150}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=sorted(GOALS))
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--check", action="store_true", help="exit 1 when a target fails")
    args = parser.parse_args()
    report = Report("mldsl ui: one live check after an edit")
    for n in args.sizes:
        times, size = measure(n, args.repeat)
        report.add(Target(f"one check, {n:,} steps ({size / 1024:.0f} KiB of YAML)", times, GOALS.get(n, float("inf"))))
    return report.finish(args.check)


if __name__ == "__main__":
    raise SystemExit(main())
