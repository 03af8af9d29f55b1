"""Where cluster locations live on this machine: URIs and absolute paths mapped to local folders.

A step sees the same paths and URIs it sees on the cluster (``/mldsl/outputs``,
``s3://ml-data/...``); the runner maps each to a local folder by the longest
matching prefix, so a module's code runs unchanged.

A key is data (a parameter can reach it: ``key_format: "{{workflow.parameters.tag}}/{{step}}"``), and on S3
``../x`` is just a name; here it would be a path. So every mapped location must stay inside its folder with
links followed: a ``..`` segment, a NUL, or a link (planted in ``.mldsl/artifacts``) leading out of the
folder is refused (:class:`OutsideError`), before anything is read, deleted or written there.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse


class MountError(Exception):
    """A location with no local copy: names the URI and the setting that maps it."""


class OutsideError(MountError, ValueError):
    """A location whose local path would leave the folder its prefix maps to; its text says why."""

    def __init__(self, location: str, folder: Path, why: str):
        super().__init__(location)
        self.location, self.folder, self.why = location, folder, why

    def __str__(self) -> str:
        shown = self.location.replace("\0", "\\0")
        return f"{shown} is refused: {self.why} (its local copy must stay in {self.folder})"


def _climbs_out(rest: str) -> bool:
    """Whether ``/a/../..``-style ``rest`` (below a mapped prefix) ends above it."""
    depth = 0
    for part in rest.split("/"):
        depth += -1 if part == ".." else 0 if part in ("", ".") else 1
        if depth < 0:
            return True
    return False


def confined(folder: Path, rest: str, location: str) -> Path:
    """``folder / rest``, checked to stay in ``folder`` lexically and with every existing link followed."""
    if "\0" in rest:
        raise OutsideError(location, folder, "it holds a NUL character")
    if ".." in rest.split("/"):
        raise OutsideError(location, folder, "it has a '..' segment")
    target = folder / rest if rest else folder
    base = os.path.realpath(folder)
    real = os.path.realpath(target)
    if real != base and not real.startswith(base.rstrip(os.sep) + os.sep):
        raise OutsideError(location, folder, f"a symbolic link on the way leads to {real}")
    return target


@dataclass
class Mounts:
    """Longest-prefix mapping from cluster locations (``s3://b/k``, ``/mnt/x``) to local folders."""

    table: list[tuple[str, Path]] = field(default_factory=list)

    def add(self, prefix: str, local: Path) -> None:
        self.table.append((prefix.rstrip("/"), local))
        self.table.sort(key=lambda pl: -len(pl[0]))

    def with_paths(self, extra: dict[str, Path]) -> Mounts:
        """A copy with more absolute paths mapped (a step's own volumes)."""
        out = Mounts(list(self.table))
        for prefix, local in extra.items():
            out.add(prefix, local)
        return out

    def local(self, location: str) -> Path:
        """The local path of ``location``; raises :class:`MountError` when nothing maps it, :class:`OutsideError`
        when its path would leave the folder that maps it (``file://`` URIs are the user's own paths, as given)."""
        if location.startswith("file://"):
            return Path(unquote(urlparse(location).path))
        loc = re.sub(r"^s3a://", "s3://", location)
        for prefix, path in self.table:
            if loc == prefix or loc.startswith(prefix + "/"):
                return confined(path, loc[len(prefix) :].lstrip("/"), location)
        raise MountError(location)

    def rewrite(self, text: str) -> str:
        """``text`` with every mapped absolute path in it (``/mnt/models/x``, ``--out=/mnt/m``) made local;
        raises :class:`OutsideError` for one that climbs out of its folder (``/mnt/models/../../home``: in a
        pod that stays in the pod, here it would not)."""
        for prefix, path in self.table:
            if prefix.startswith("/"):
                found = r"(?<![\w.:/-])" + re.escape(prefix) + r"(?=/|$|[\s=,;:\"'])"
                for m in re.finditer(found + r"([^\s=,;:\"']*)", text):
                    if _climbs_out(m.group(1)):
                        raise OutsideError(m.group(0), path, "it has a '..' segment that climbs out of " + prefix)
                text = re.sub(found, str(path).replace("\\", "/"), text)
        return text

    def uris(self, text: str) -> str:
        """``text`` with a mapped URI (``s3://ml-artifacts/run/train/model``) given as its ``file://`` URI."""
        for prefix, path in self.table:
            if "://" in prefix and (text == prefix or text.startswith(prefix + "/")):
                return (path / text[len(prefix) :].lstrip("/")).resolve().as_uri()
        return text


def s3_uri(location: dict[str, str]) -> str:
    """``s3: {bucket, key}`` as ``s3://bucket/key``."""
    return f"s3://{location.get('bucket', '')}/{location.get('key', '').lstrip('/')}"


def pod_volumes(obj: dict[str, Any]) -> list[tuple[str, dict[str, Any], str]]:
    """``(name, volume, mountPath)`` of every mounted volume of a template, a SparkApplication or a training job."""
    found: list[tuple[list[dict[str, Any]], list[dict[str, Any]]]] = []
    if "volumes" in obj or "container" in obj or "script" in obj:  # an Argo template
        c = obj.get("container") or obj.get("script") or {}
        found.append((obj.get("volumes") or [], c.get("volumeMounts") or []))
    spec = obj.get("spec") or {}
    if "driver" in spec:  # a SparkApplication
        for role in ("driver", "executor"):
            found.append((spec.get("volumes") or [], (spec.get(role) or {}).get("volumeMounts") or []))
    for field_ in spec.values():  # a training job: *ReplicaSpecs
        if isinstance(field_, dict):
            for replica in field_.values():
                pod = ((replica or {}).get("template") or {}).get("spec") if isinstance(replica, dict) else None
                if isinstance(pod, dict):
                    for c in pod.get("containers") or []:
                        found.append((pod.get("volumes") or [], c.get("volumeMounts") or []))
    out: dict[tuple[str, str], tuple[str, dict[str, Any], str]] = {}
    for volumes, mounts in found:
        by_name = {v.get("name"): v for v in volumes}
        for mnt in mounts:
            vol = by_name.get(mnt.get("name"))
            if vol is not None:
                out[(str(mnt["name"]), str(mnt.get("mountPath")))] = (str(mnt["name"]), vol, str(mnt.get("mountPath")))
    return list(out.values())
