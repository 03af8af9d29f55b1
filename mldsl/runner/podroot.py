"""A pod's own file system without a container engine: this machine's root, copy-on-write.

Argo's examples write to absolute paths (``/tmp/hello_world.txt``, ``/mnt/vol``), so
two steps run at once must not see each other's files. Each pod gets an overlay
mount whose lower layer is this machine's ``/`` and whose upper layer is a folder of
the step (:attr:`PodRoot.upper`), in a mount namespace of its own, and runs
chrooted there. ``/tmp`` starts empty, as in a container; ``/dev``, ``/proc`` and
``/sys`` are this machine's; volumes are bind mounts of host folders.

:meth:`PodRoot.argv` gives the command line that does this: ``python -I -S -c`` with a
short helper (:data:`_ENTER`) that calls unshare(2), mount(2) and chroot(2) through
ctypes and then *execs* the command, so the process the runner starts *is* the
pod's main process: killing its process group kills the pod and its children, and
no extra process is left. About 18 ms per pod start here.

As root that is all. Otherwise the helper enters a user namespace first (kernel
5.11 or later mounts overlay there), where ``/`` cannot be a lower layer (the mounts
beneath it are locked): the root is then a tmpfs with one overlay per top-level
folder, in the same upper layout; a folder with mounts of its own beneath (``/mnt``)
starts empty, and files written directly in ``/`` are not kept.

Limits: the pod's network, PIDs, users and hostname are this machine's; the image's
files are this machine's (see :mod:`mldsl.runner.images` for what stands in).
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mldsl.runner.images import ImageRuntime, Shim, python_binary, runtime
from mldsl.runner.podenter import _ENTER

#: set in the process environment, the pod's PATH (a container's own ``env: PATH``) instead of the image's
PATH_ENV = "MLDSL_POD_PATH"
#: exit status when the pod could not be set up (Docker's for an engine error)
SETUP_FAILED = 125


@dataclass(frozen=True)
class Mount:
    """A host folder (or file) at ``pod_path`` in the pod: a volume, a config map, an artifact folder."""

    host_path: Path
    pod_path: str
    read_only: bool = False


class PodRoot:
    """One pod's file system: ``step_dir/pod/{upper,work,root}``; one per pod (a retry is a new pod, a new folder)."""

    def __init__(self, step_dir: Path) -> None:
        self.step_dir = step_dir
        base = step_dir / "pod"
        self.upper = base / "upper"  #: the pod's writes (overlay's upper layer); ``upper/tmp`` is its /tmp
        self.work = base / "work"
        self.root = base / "root"
        self._mounts: list[Mount] = []  # longest pod path first
        #: the pod's network namespace (a :class:`PodNetwork`'s path), joined by every container; None: the host's
        self.netns: str | None = None
        self._placed: list[str] = []

    # ---- the command line ----

    def argv(
        self, command: list[str], *, workdir: str | None, mounts: list[Mount], image: ImageRuntime, netns: str | None = None
    ) -> list[str]:
        """The command line that runs ``command`` in this pod, from ``workdir`` (the image's when ``None``).

        Installs the image's shims, makes the mount points, and leaves stdin ``/dev/null``
        (a container's) and PATH the image's (or ``$MLDSL_POD_PATH``). Start it in a
        process group of its own; a setup failure exits :data:`SETUP_FAILED`.
        """
        if not command:
            raise ValueError("no command: the container has no command and its image no entrypoint")
        self._prepare()
        for shim in image.shims:
            self._install(shim)
        binds: list[tuple[str, str, bool]] = [(str(self.upper / "tmp"), "/tmp", False)]
        self._mounts = []
        table = sorted(
            (Mount(m.host_path, self._resolve(m.pod_path), m.read_only) for m in mounts), key=lambda m: m.pod_path.count("/")
        )
        for m in table:  # parents first: a mount point inside a volume is made in the volume's folder
            self._add_mount(m, binds)
        for prefix in _hidden_interpreter():  # this machine's python, where the pod's own /tmp would hide it
            self._add_mount(Mount(Path(prefix), prefix, read_only=True), binds)
        for pod_path in self._placed:  # an input placed inside a volume: its own mount over the volume, as Argo's
            if self._volume(pod_path) is not None:
                self._add_mount(Mount(self.upper / pod_path.lstrip("/"), pod_path), binds)
        cwd = self._resolve(workdir or image.workdir)
        self._mount_point(cwd, True)
        plan = {
            "userns": os.geteuid() != 0,
            "root": str(self.root),
            "upper": str(self.upper),
            "work": str(self.work),
            "binds": binds,
            "cwd": cwd,
            "path": image.path,
            "env": list(image.env),
            "netns": netns if netns is not None else self.netns,
        }
        return [python_binary(), "-I", "-S", "-c", _ENTER, json.dumps(plan), *command]

    def _add_mount(self, m: Mount, binds: list[tuple[str, str, bool]]) -> None:
        if not os.path.lexists(m.host_path):
            m.host_path.mkdir(parents=True)  # an empty volume
        self._mount_point(m.pod_path, m.host_path.is_dir())
        binds.append((str(m.host_path), m.pod_path, m.read_only))
        self._mounts.append(m)
        self._mounts.sort(key=lambda m: -len(m.pod_path))

    def _prepare(self) -> None:
        for part in (self.upper, self.work, self.root):
            if any(c in str(part) for c in ",:\\"):
                raise ValueError(f"overlay cannot take a folder whose path has ',', ':' or '\\': {part}")
            part.mkdir(parents=True, exist_ok=True)
        if not (self.upper / "tmp").is_dir():
            (self.upper / "tmp").mkdir()
            os.chmod(self.upper / "tmp", 0o1777)  # a container's /tmp: empty, sticky, writable by all

    # ---- files in and out ----

    def place(self, pod_path: str, host_src: Path) -> Path:
        """Put ``host_src`` (a file or folder, copied: never changed) at ``pod_path`` before the run; the copy's path."""
        self._prepare()
        canon = self._resolve(pod_path, follow_last=False)
        dst = self.upper / canon.lstrip("/")
        self._upper_dirs(str(Path(canon).parent))
        if dst.is_dir() and not dst.is_symlink():
            shutil.rmtree(dst)
        elif os.path.lexists(dst):
            dst.unlink()
        if host_src.is_dir():
            shutil.copytree(host_src, dst, symlinks=True)
        else:
            shutil.copy2(host_src, dst)
        self._placed.append(canon)
        return dst

    def path_in_pod(self, pod_path: str) -> Path:
        """Where ``pod_path`` of the pod is on this machine: a volume's folder, the upper layer, or this machine's own file."""
        canon = self._resolve(pod_path)
        found = self._locate(canon)
        if found is not None:
            return found
        vol = self._volume(canon)
        return vol[0].host_path / vol[1] if vol else self.upper / canon.lstrip("/")

    def read(self, pod_path: str) -> Path | None:
        """The host path of a file or folder the pod has at ``pod_path`` (after or before its run), ``None`` if it has none."""
        try:
            return self._locate(self._resolve(pod_path))
        except OSError:
            return None

    def remove(self) -> None:
        """Delete the pod's folders (after its process ended), whatever modes the pod left."""

        def unlock(fn: object, path: str, exc: object) -> None:
            os.chmod(os.path.dirname(path), 0o700)
            if os.path.isdir(path) and not os.path.islink(path):
                os.chmod(path, 0o700)
                shutil.rmtree(path, onerror=unlock)
            else:
                os.unlink(path)

        if self.upper.parent.exists():
            shutil.rmtree(self.upper.parent, onerror=unlock)

    # ---- the merged view (upper over this machine's root), read from outside ----

    def _volume(self, canon: str) -> tuple[Mount, str] | None:
        for m in self._mounts:
            if canon == m.pod_path or canon.startswith(m.pod_path.rstrip("/") + "/"):
                return m, canon[len(m.pod_path) :].lstrip("/")
        return None

    def _locate(self, canon: str) -> Path | None:
        """Where the pod's ``canon`` (no symlinks on the way) is now, or ``None`` when the pod has no such path."""
        vol = self._volume(canon)
        if vol is not None:
            p = vol[0].host_path / vol[1] if vol[1] else vol[0].host_path
            return p if os.path.lexists(p) else None
        parts = [p for p in canon.split("/") if p]
        if parts[:1] == ["tmp"]:  # the pod's /tmp is upper/tmp itself, nothing of this machine's
            p = self.upper.joinpath(*parts)
            return p if os.path.lexists(p) else None
        cur, hidden = self.upper, False
        for i, part in enumerate(parts):
            cur = cur / part
            try:
                st = os.lstat(cur)
            except FileNotFoundError:
                break
            if _whiteout(st):
                return None
            if i == len(parts) - 1:
                return cur
            if not stat.S_ISDIR(st.st_mode):
                return None
            hidden = hidden or _opaque(cur)
        else:
            return self.upper
        lower = Path(canon)
        return None if hidden or not os.path.lexists(lower) else lower

    def _resolve(self, pod_path: str, follow_last: bool = True) -> str:
        """``pod_path`` with its symlinks followed inside the pod (an absolute target is the pod's, not this machine's)."""
        if not pod_path.startswith("/"):
            raise ValueError(f"not an absolute path in the pod: {pod_path!r}")
        todo = [p for p in reversed(pod_path.split("/")) if p not in ("", ".")]
        cur: list[str] = []
        hops = 0
        while todo:
            part = todo.pop()
            if part == "..":
                if cur:
                    cur.pop()
                continue
            here = self._locate("/" + "/".join([*cur, part]))
            if here is not None and (todo or follow_last) and os.path.islink(here):
                hops += 1
                if hops > 40:
                    raise OSError(errno.ELOOP, "too many symlinks in the pod", pod_path)
                target = os.readlink(here)
                if target.startswith("/"):
                    cur = []
                todo.extend(p for p in reversed(target.split("/")) if p not in ("", "."))
                continue
            cur.append(part)
        return "/" + "/".join(cur)

    # ---- writing the upper layer before the run ----

    def _upper_dirs(self, canon_dir: str) -> None:
        """Make ``canon_dir`` a folder in the upper layer, each new level with the mode and owner of this machine's."""
        cur = self.upper
        so_far = ""
        for part in [p for p in canon_dir.split("/") if p]:
            cur, so_far = cur / part, so_far + "/" + part
            if os.path.lexists(cur) and _whiteout(os.lstat(cur)):
                cur.unlink()
            if not os.path.lexists(cur):
                cur.mkdir()
                try:
                    st = os.stat(so_far)
                except OSError:
                    continue
                if stat.S_ISDIR(st.st_mode):
                    os.chmod(cur, stat.S_IMODE(st.st_mode))
                    if os.geteuid() == 0:
                        os.chown(cur, st.st_uid, st.st_gid)

    def _install(self, shim: Shim) -> None:
        canon = self._resolve(shim.path, follow_last=False)
        self._upper_dirs(str(Path(canon).parent))
        dst = self.upper / canon.lstrip("/")
        if os.path.lexists(dst):
            dst.unlink()
        if shim.link is not None:
            os.symlink(shim.link, dst)
        else:
            dst.write_text(shim.text, encoding="utf-8")
            os.chmod(dst, shim.mode)

    def _mount_point(self, canon: str, is_dir: bool) -> None:
        """A folder (or empty file) at ``canon`` for a bind mount or the working dir, made where the pod's path lives."""
        found = self._locate(canon)
        if found is not None and (found.is_dir() if is_dir else not found.is_dir()):
            return
        vol = self._volume(canon)
        if vol is not None:
            where = vol[0].host_path / vol[1]
        elif canon.startswith("/tmp/") or canon == "/tmp":
            where = self.upper / canon.lstrip("/")
        else:
            self._upper_dirs(canon if is_dir else str(Path(canon).parent))
            where = self.upper / canon.lstrip("/")
        if is_dir:
            where.mkdir(parents=True, exist_ok=True)
        else:
            where.parent.mkdir(parents=True, exist_ok=True)
            where.touch()


def _whiteout(st: os.stat_result) -> bool:
    """Overlay's mark of a deleted file: a character device 0/0 in the upper layer."""
    return stat.S_ISCHR(st.st_mode) and st.st_rdev == 0


def _opaque(path: Path) -> bool:
    """A folder the pod deleted and made anew: nothing of the lower layer shows through it."""
    for name in ("trusted.overlay.opaque", "user.overlay.opaque"):
        with contextlib.suppress(OSError):
            if os.getxattr(path, name) == b"y":
                return True
    return False


_available: list[str | None] = []


def _hidden_interpreter() -> list[str]:
    """The interpreter the python, nc and cowsay stand-ins run, when it lies under /tmp, which a pod sees empty
    (an interpreter copied into a virtual environment there): bound read-only at its path."""
    root = os.path.dirname(os.path.dirname(python_binary()))
    return [root] if root == "/tmp" or root.startswith("/tmp/") else []


def isolation_available() -> str | None:
    """``None`` when pods can be made here (tried once for real, then remembered), else the reason."""
    if not _available:
        _available.append(_try_pod())
    return _available[0]


def _try_pod() -> str | None:
    if not sys.platform.startswith("linux"):
        return f"pods need Linux mount namespaces; this is {sys.platform}"
    with tempfile.TemporaryDirectory(prefix="mldsl-podroot-") as tmp:
        pod = PodRoot(Path(tmp))
        try:
            argv = pod.argv(["/bin/sh", "-c", "echo ok > /tmp/probe"], workdir=None, mounts=[], image=runtime("busybox"))
            done = subprocess.run(argv, capture_output=True, timeout=30, check=False)
            probe = pod.read("/tmp/probe")
            wrote = probe is not None and probe.read_text() == "ok\n"
        except (OSError, ValueError, subprocess.TimeoutExpired) as exc:
            return f"cannot make a pod here: {exc}"
        finally:
            with contextlib.suppress(OSError):
                pod.remove()
    if done.returncode != 0:
        why = (done.stderr.decode(errors="replace").strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        return f"cannot make a pod here: {why}"
    return None if wrote else "cannot make a pod here: a file the probe pod wrote is not in its upper layer"
