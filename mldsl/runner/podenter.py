"""The helper a pod's process runs first, before the pod's command: namespaces, mounts and the root, set up from
its JSON plan (:mod:`mldsl.runner.podroot`)."""

from __future__ import annotations

# The helper the pod's process runs first (argv[1] is its JSON plan, the rest the command).
# MS_* and CLONE_* are Linux's <sys/mount.h> and <sched.h> values.
_ENTER = r"""
import ctypes, json, os, signal, sys
plan, cmd = json.loads(sys.argv[1]), sys.argv[2:]
libc = ctypes.CDLL(None, use_errno=True)
def fail(what):
    e = ctypes.get_errno()
    sys.stderr.write("podroot: %s: %s\n" % (what, os.strerror(e)))
    os._exit(125)
def mount(src, dst, fstype, flags, data=None):
    enc = lambda s: None if s is None else s.encode()
    if libc.mount(enc(src), enc(dst), enc(fstype), ctypes.c_ulong(flags), enc(data)) != 0:
        fail("mount %s on %s" % (src, dst))
BIND, REC, PRIVATE, REMOUNT, RDONLY = 4096, 16384, 1 << 18, 32, 1
if plan.get("netns"):  # the pod's network: every container of a pod shares one (its pause process's)
    nsfd = os.open(plan["netns"], os.O_RDONLY)
    if libc.setns(nsfd, 0x40000000) != 0:
        fail("setns(net)")
    os.close(nsfd)
if plan["userns"]:
    uid, gid = os.getuid(), os.getgid()
    if libc.unshare(0x10000000 | 0x20000) != 0:
        fail("unshare(user, mount)")
    for name, text in (("setgroups", "deny"), ("uid_map", "0 %d 1" % uid), ("gid_map", "0 %d 1" % gid)):
        with open("/proc/self/" + name, "w") as f:
            f.write(text)
elif libc.unshare(0x20000) != 0:
    fail("unshare(mount)")
mount(None, "/", None, REC | PRIVATE)
root = plan["root"]
def unlock(work):
    try:
        os.chmod(work + "/work", 0o700)  # overlay leaves it mode 000: let the step folder be removed
    except OSError:
        pass
opts = "lowerdir=%s,upperdir=%s,workdir=%s"
if not plan["userns"]:
    mount("overlay", root, "overlay", 0, opts % ("/", plan["upper"], plan["work"]) + ",redirect_dir=off,metacopy=off")
    unlock(plan["work"])
else:  # / has locked mounts beneath it here, so it cannot be a lower layer: a tmpfs root, one overlay per top folder
    mount("tmpfs", root, "tmpfs", 0, "mode=755")
    for name in sorted(os.listdir("/")):
        src, dst, up, wk = "/" + name, root + "/" + name, plan["upper"] + "/" + name, plan["work"] + "/" + name
        if os.path.islink(src):
            os.symlink(os.readlink(src), dst)
        elif os.path.isdir(src):
            os.mkdir(dst)
            if name in ("dev", "proc", "sys", "tmp"):
                continue
            os.makedirs(up, exist_ok=True)
            os.makedirs(wk, exist_ok=True)
            o = (opts % (src, up, wk) + ",userxattr").encode()
            if libc.mount(b"overlay", dst.encode(), b"overlay", 0, o) != 0:
                mount(up, dst, None, BIND)  # mounts of its own beneath (/mnt): starts empty, as in an image
            unlock(wk)
for name in ("/dev", "/proc", "/sys"):
    mount(name, root + name, None, BIND | REC)
mount("tmpfs", root + "/dev/shm", "tmpfs", 2 | 4, "mode=1777")
for src, dst, ro in plan["binds"]:
    mount(src, root + dst, None, BIND | REC)
    if ro:
        locked = os.statvfs(root + dst).f_flag & (2 | 4 | 8 | 1024 | 2048)  # nosuid nodev noexec noatime nodiratime
        mount(None, root + dst, None, REMOUNT | BIND | RDONLY | locked)
os.chroot(root)
os.chdir(plan["cwd"])
env = dict(os.environ)
env["PATH"] = env.pop("MLDSL_POD_PATH", None) or plan["path"]
for k, v in plan["env"]:
    env.setdefault(k, v)
null = os.open("/dev/null", os.O_RDONLY)
os.dup2(null, 0)
os.close(null)
for sig in (signal.SIGPIPE, signal.SIGXFSZ):
    signal.signal(sig, signal.SIG_DFL)
try:
    os.execvpe(cmd[0], cmd, env)
except OSError as exc:
    sys.stderr.write("podroot: exec %s: %s\n" % (cmd[0], exc.strerror))
    os._exit(127 if exc.errno == 2 else 126)
"""
