"""What ``prepare`` checks of a run's artifacts before anything starts: each is a local file or folder.

Artifact arguments stored in a bucket must be mapped to this machine (``spec.local.mounts``); artifacts given as
params must exist. Every problem is collected, so one refusal names them all.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mldsl.runner.mounts import MountError, Mounts, OutsideError
from mldsl.runner.nodes import Artifact


def stored_argument_problems(spec: dict[str, Any], mounts: Mounts, given: set[str]) -> list[str]:
    """Why an artifact argument not given on the command line cannot be read: its URI is not mapped, or absent."""
    problems: list[str] = []
    for a in (spec.get("arguments") or {}).get("artifacts", []):
        if a["name"] in given:
            continue
        if "s3" in a and "{{" not in json.dumps(a["s3"]):
            uri = f"s3://{a['s3'].get('bucket', '')}/{a['s3'].get('key', '')}"
            try:
                local = mounts.local(uri)
            except OutsideError as exc:
                problems.append(f"param {a['name']}: {exc}")
                continue
            except MountError:
                problems.append(
                    f"param {a['name']}: {uri} has no local copy: "
                    f"map it in mldsl.yaml (spec.local.mounts) or pass -p {a['name']}=PATH"
                )
                continue
            if not local.exists():
                problems.append(f"param {a['name']}: {uri} is mapped to {local}, which does not exist")
    return problems


def local_artifacts(arts: dict[str, str], mounts: Mounts, problems: list[str]) -> dict[str, Artifact]:
    """The artifacts given as params, each as a local file or folder; what is missing goes to ``problems``."""
    local_arts: dict[str, Artifact] = {}
    for name, value in arts.items():
        try:
            local = mounts.local(value) if "://" in value else Path(value).resolve()
        except OutsideError as exc:
            problems.append(f"param {name}: {exc}")
            continue
        except MountError:
            problems.append(f"param {name}: {value} has no local copy: map it in mldsl.yaml (spec.local.mounts) or give a path")
            continue
        if not local.exists():
            problems.append(f"param {name}: {local} does not exist")
        local_arts[name] = Artifact(local, None)
    return local_arts
