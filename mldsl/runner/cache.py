"""The local step cache: Argo's memoization, kept in ``.mldsl/cache`` across runs.

Argo stores a Succeeded node's outputs in a ConfigMap under the memoize key and
serves them while the entry is younger than ``maxAge`` (argo-workflows v4.1.2
``workflow/controller/cache/configmap_cache.go`` Load/Save; the key must match
``cache.go``'s ``^[a-zA-Z0-9][-a-zA-Z0-9]*$``). Here a ConfigMap is a folder and
an entry a JSON file; an entry whose artifacts are gone is a miss.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

from mldsl.runner.nodes import Artifact
from mldsl.util.atomic import write_atomically

KEY = re.compile(r"^[a-zA-Z0-9][-a-zA-Z0-9]*$")


class StepCache:
    def __init__(self, root: Path):
        self.root = root

    def _file(self, config_map: str, key: str) -> Path:
        if not KEY.match(key):  # Argo refuses the key: the node errors (cache.go l. 25)
            raise ValueError(f"invalid cache key {key!r}")
        return self.root / re.sub(r"[^A-Za-z0-9_.-]", "-", config_map) / f"{key}.json"

    def load(self, config_map: str, key: str, max_age: float) -> tuple[dict[str, str], dict[str, Artifact]] | None:
        path = self._file(config_map, key)
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if max_age and time.time() - float(entry.get("created", 0)) > max_age:
            return None
        arts = {n: Artifact(Path(a["path"]), a.get("uri")) for n, a in entry.get("artifacts", {}).items()}
        if any(not a.path.exists() for a in arts.values()):
            return None
        return dict(entry.get("parameters", {})), arts

    def save(self, config_map: str, key: str, params: dict[str, str], arts: dict[str, Artifact]) -> None:
        path = self._file(config_map, key)
        entry = {
            "created": time.time(),
            "parameters": params,
            "artifacts": {n: {"path": str(a.path.resolve()), "uri": a.uri} for n, a in arts.items()},
        }
        write_atomically(path.parent, [(path.name, json.dumps(entry, indent=1) + "\n")])
