"""A pod's network: a namespace of its own, held by a pause process as Kubernetes' pause container holds it."""

from __future__ import annotations

import ctypes
import os
import subprocess

from mldsl.runner import guard
from mldsl.runner.images import python_binary

# A pod's network, as Kubernetes' pause container holds it: a network namespace with its own loopback (so two
# pods may listen on one port, and a pod's containers reach each other on localhost), kept while the pause
# process lives. Linux <sched.h> CLONE_NEWNET; <linux/sockios.h> SIOCGIFFLAGS/SIOCSIFFLAGS; IFF_UP.
_PAUSE = r"""
import ctypes, fcntl, os, signal, socket, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
if libc.unshare(0x40000000) != 0:
    sys.stderr.write("pause: unshare(net): %s\n" % os.strerror(ctypes.get_errno()))
    os._exit(125)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
flags = struct.unpack("16sH", fcntl.ioctl(s, 0x8913, struct.pack("16sH", b"lo", 0))[:18])[1]
fcntl.ioctl(s, 0x8914, struct.pack("16sH", b"lo", flags | 1))
sys.stdout.write("ready\n")
sys.stdout.flush()
signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
while True:
    signal.pause()
"""


class PodNetwork:
    """One pod's network namespace, held by a pause process (root only; elsewhere pods share this machine's)."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[bytes] | None = None
        if os.geteuid() != 0:
            return
        proc = subprocess.Popen(
            [python_binary(), "-I", "-S", "-c", _PAUSE],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        assert proc.stdout is not None
        guard.watch(proc.pid)  # killed with the run should mldsl run die (guard.py)
        if proc.stdout.readline().strip() == b"ready":
            self.proc = proc
        else:
            proc.kill()
            proc.wait()
            guard.unwatch(proc.pid)

    @property
    def path(self) -> str | None:
        """The namespace to join (``/proc/PID/ns/net``), or None: the host's network."""
        return f"/proc/{self.proc.pid}/ns/net" if self.proc is not None else None

    def connect(self, port: int, timeout: float = 1.0) -> bool:
        """Whether something in the pod accepts a TCP connection on ``port`` (a readiness probe): tried from a
        thread that joins the pod's network, as the kubelet probes the pod's IP."""
        import socket
        import threading

        ok: list[bool] = []

        def probe() -> None:
            if self.path is not None:
                libc = ctypes.CDLL(None, use_errno=True)
                fd = os.open(self.path, os.O_RDONLY)
                try:
                    if libc.setns(fd, 0x40000000) != 0:
                        return
                finally:
                    os.close(fd)
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=timeout):
                    ok.append(True)
            except OSError:
                pass

        t = threading.Thread(target=probe, daemon=True)
        t.start()
        t.join(timeout + 1)
        return bool(ok)

    def close(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            guard.unwatch(self.proc.pid)
            self.proc = None
