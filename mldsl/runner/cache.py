"""The local step cache: Argo's memoization, kept in ``.mldsl/cache`` across runs.

Argo stores a Succeeded node's outputs in a ConfigMap under the memoize key and
serves them while the entry is younger than ``maxAge`` (argo-workflows v4.1.2
``workflow/controller/cache/configmap_cache.go`` Load/Save; the key must match
``cache.go``'s ``^[a-zA-Z0-9][-a-zA-Z0-9]*$``). Here a ConfigMap is a folder and
an entry a JSON file; an entry whose artifacts are gone is a miss.

Entries are read as untrusted (anyone who can write in ``.mldsl`` can plant one): an entry that is not a
regular file, not of the shape written here, or whose artifacts lie outside the store and the Project's
mounts is a miss, and a cache folder that is a link out of ``.mldsl/cache`` is neither read nor written.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Sequence
from pathlib import Path

from mldsl.runner.nodes import Artifact
from mldsl.runner.store import StoreFileError, read_regular
from mldsl.util.atomic import write_atomically

KEY = re.compile(r"^[a-zA-Z0-9][-a-zA-Z0-9]*$")
#: an entry larger than this is a miss
ENTRY_LIMIT = 16 * 1024 * 1024


def _within(path: str, folders: Sequence[str]) -> bool:
    real = os.path.realpath(path)
    return any(real == f or real.startswith(f.rstrip(os.sep) + os.sep) for f in folders)


class StepCache:
    def __init__(self, root: Path, trusted: Sequence[Path] = ()):
        """``root``: ``.mldsl/cache``; ``trusted``: folders besides ``.mldsl`` a cached artifact may be in
        (the Project's mounts)."""
        self.root = root
        self.trusted = [os.path.realpath(p) for p in (root.parent, *trusted)]

    def _file(self, config_map: str, key: str) -> Path | None:
        if not KEY.match(key):  # Argo refuses the key: the node errors (cache.go l. 25)
            raise ValueError(f"invalid cache key {key!r}")
        path = self.root / re.sub(r"[^A-Za-z0-9_.-]", "-", config_map) / f"{key}.json"
        return path if _within(str(path.parent), [os.path.realpath(self.root)]) else None

    def load(self, config_map: str, key: str, max_age: float) -> tuple[dict[str, str], dict[str, Artifact]] | None:
        path = self._file(config_map, key)
        if path is None:
            return None
        try:
            entry = json.loads(read_regular(path, ENTRY_LIMIT))
        except (StoreFileError, ValueError, RecursionError):
            return None
        if not _well_formed(entry):
            return None
        if max_age and time.time() - float(entry.get("created", 0)) > max_age:
            return None
        arts = {n: Artifact(Path(a["path"]), a.get("uri")) for n, a in entry.get("artifacts", {}).items()}
        if any(not a.path.exists() or not _within(str(a.path), self.trusted) for a in arts.values()):
            return None
        return dict(entry.get("parameters", {})), arts

    def save(self, config_map: str, key: str, params: dict[str, str], arts: dict[str, Artifact]) -> None:
        path = self._file(config_map, key)
        if path is None:  # the ConfigMap's folder is a link out of the cache: it is not written through
            return
        entry = {
            "created": time.time(),
            "parameters": params,
            "artifacts": {n: {"path": str(a.path.resolve()), "uri": a.uri} for n, a in arts.items()},
        }
        write_atomically(path.parent, [(path.name, json.dumps(entry, indent=1) + "\n")])


def _well_formed(entry: object) -> bool:
    """The shape :meth:`StepCache.save` writes."""
    if not isinstance(entry, dict) or not isinstance(entry.get("created", 0), (int, float)):
        return False
    params, arts = entry.get("parameters", {}), entry.get("artifacts", {})
    if not isinstance(params, dict) or not all(isinstance(v, str) for v in params.values()):
        return False
    return isinstance(arts, dict) and all(
        isinstance(a, dict)
        and isinstance(a.get("path"), str)
        and "\0" not in a["path"]
        and isinstance(a.get("uri"), (str, type(None)))
        for a in arts.values()
    )
