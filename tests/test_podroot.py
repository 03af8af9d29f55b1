"""Pods as real processes: each its own copy-on-write root, volumes shared, killed as a group, and the images' stand-ins.

Skipped where a pod cannot be made (no mount namespaces, no overlay), except under CI=true, where that fails.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
from pathlib import Path

import pytest

from mldsl.runner.cowsay import cowsay
from mldsl.runner.images import ARGOSAY, ImageRuntime, refusal, runtime
from mldsl.runner.podroot import Mount, PodRoot, isolation_available

from conftest import wait_until

ARGO_GIT = Path("/work/.mirror/argoproj+argo-workflows/repo")


@pytest.fixture(scope="module", autouse=True)
def isolated() -> None:
    why = isolation_available()
    if why is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must be able to make pods: {why}")
        pytest.skip(why)


def run(
    pod: PodRoot,
    command: list[str],
    image: str | ImageRuntime = "busybox",
    mounts: list[Mount] | None = None,
    workdir: str | None = None,
) -> subprocess.CompletedProcess[str]:
    img = runtime(image) if isinstance(image, str) else image
    argv = pod.argv(command, workdir=workdir, mounts=mounts or [], image=img)
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, start_new_session=True, check=False)


def test_concurrent_pods_see_their_own_tmp(tmp_path: Path) -> None:
    name = f"/tmp/x-{os.getpid()}"
    pods = [PodRoot(tmp_path / f"step{i}") for i in range(2)]
    results: dict[int, subprocess.CompletedProcess[str]] = {}

    def go(i: int) -> None:
        results[i] = run(pods[i], ["sh", "-c", f"echo pod{i} > {name}; sleep 0.3; cat {name}; ls /tmp | wc -l"])

    threads = [threading.Thread(target=go, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i, pod in enumerate(pods):
        assert results[i].returncode == 0, results[i].stderr
        assert results[i].stdout.split() == [f"pod{i}", "1"]  # its own file, in an otherwise empty /tmp
        found = pod.read(name)
        assert found is not None and found.read_text() == f"pod{i}\n"
        assert found.is_relative_to(pod.upper)
    assert not os.path.exists(name)  # this machine's /tmp is untouched


def test_volume_is_shared_and_read_only_is_kept(tmp_path: Path) -> None:
    vol = tmp_path / "vol"
    vol.mkdir()
    a, b = PodRoot(tmp_path / "a"), PodRoot(tmp_path / "b")
    assert run(a, ["sh", "-c", "echo shared > /mnt/vol/hello_world.txt"], mounts=[Mount(vol, "/mnt/vol")]).returncode == 0
    assert (vol / "hello_world.txt").read_text() == "shared\n"
    assert a.read("/mnt/vol/hello_world.txt") == vol / "hello_world.txt"
    done = run(
        b, ["sh", "-c", "cat /mnt/vol/hello_world.txt; echo no > /mnt/vol/other"], mounts=[Mount(vol, "/mnt/vol", read_only=True)]
    )
    assert done.stdout == "shared\n"
    assert done.returncode != 0 and "Read-only" in done.stderr
    assert not (vol / "other").exists()


def test_placed_input_is_readable_and_its_source_unchanged(tmp_path: Path) -> None:
    src = tmp_path / "message.txt"
    src.write_text("from the artifact\n")
    folder = tmp_path / "dir"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "a.txt").write_text("a\n")
    vol = tmp_path / "vol"
    vol.mkdir()
    pod = PodRoot(tmp_path / "step")
    pod.place("/tmp/message", src)
    pod.place("/inputs/dir", folder)
    pod.place("/mnt/vol/in.txt", src)  # inside a volume: mounted over it, the volume's own files stay
    script = (
        "cat /tmp/message /inputs/dir/sub/a.txt /mnt/vol/in.txt; echo changed >> /tmp/message; echo x >> /inputs/dir/sub/a.txt"
    )
    done = run(pod, ["sh", "-c", script], mounts=[Mount(vol, "/mnt/vol")])
    assert done.returncode == 0, done.stderr
    assert done.stdout == "from the artifact\na\nfrom the artifact\n"
    assert src.read_text() == "from the artifact\n" and (folder / "sub" / "a.txt").read_text() == "a\n"
    read = pod.read("/tmp/message")
    assert read is not None and read.read_text() == "from the artifact\nchanged\n"


def test_killing_the_group_leaves_no_process(tmp_path: Path) -> None:
    marker = str(900000 + os.getpid() % 10000)
    pod = PodRoot(tmp_path / "step")
    argv = pod.argv(
        ["sh", "-c", f"sleep {marker}1 & sleep {marker}2 & exec sleep {marker}3"],
        workdir=None,
        mounts=[],
        image=runtime("alpine"),
    )
    proc = subprocess.Popen(argv, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_until(lambda: len(_processes(marker)) >= 3, "the pod's three processes", within=10)
    assert len(_processes(marker)) == 3
    assert proc.pid in _processes(marker)  # the started process *is* the pod's main process
    os.killpg(proc.pid, signal.SIGTERM)
    assert proc.wait(timeout=10) == -signal.SIGTERM
    wait_until(lambda: _processes(marker) == [], "the pod's processes to end", within=5)


def _processes(marker: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().decode(errors="replace")
                state = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if marker in cmdline and state != "Z":
                found.append(int(entry))
    return found


def test_step_folder_can_be_deleted_and_deletions_are_whiteouts(tmp_path: Path) -> None:
    step = tmp_path / "step"
    pod = PodRoot(step)
    done = run(
        pod,
        ["sh", "-c", "rm /etc/hostname && mkdir -m 000 /locked && echo y > /etc/added && mkdir -p /tmp/d && chmod 000 /tmp/d"],
    )
    assert done.returncode == 0, done.stderr
    assert pod.read("/etc/hostname") is None and Path("/etc/hostname").exists()  # deleted in the pod only
    assert pod.read("/etc/added") == pod.upper / "etc" / "added"
    assert pod.read("/etc/os-release") is not None  # the image (this machine's root) shows through
    assert (pod.work / "work").stat().st_mode & 0o777 == 0o700
    shutil.rmtree(step)
    assert not step.exists()


def test_remove_clears_modes_the_pod_left(tmp_path: Path) -> None:
    pod = PodRoot(tmp_path / "step")
    assert run(pod, ["sh", "-c", "mkdir -p /opt/a/b && touch /opt/a/b/f && chmod 000 /opt/a/b /opt/a"]).returncode == 0
    pod.remove()
    assert not (tmp_path / "step" / "pod").exists()


def test_workdir_exit_status_and_missing_command(tmp_path: Path) -> None:
    pod = PodRoot(tmp_path / "step")
    done = run(pod, ["sh", "-c", "pwd; exit 7"], workdir="/workspace/src")
    assert (done.stdout, done.returncode) == ("/workspace/src\n", 7)
    missing = run(pod, ["no-such-command-here"])
    assert missing.returncode == 127 and "no-such-command-here" in missing.stderr
    if os.path.islink("/bin"):  # a shim at /bin/sh went to /usr/bin/sh: /bin stays this machine's symlink
        assert not (pod.upper / "bin").exists() and (pod.upper / "usr" / "bin" / "sh").is_symlink()


def test_stdin_is_empty_and_path_is_the_images(tmp_path: Path) -> None:
    done = run(PodRoot(tmp_path / "step"), ["sh", "-c", "cat; echo $PATH"], image="python:alpine3.23")
    assert done.stdout == "/usr/local/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"


# ---- argosay:v2, sub-command by sub-command (lines of test/e2e/images/argosay/v2/argosay, Argo v4.1.2) ----

ARGOSAY_TABLE = [
    # (args, stdout, exit status, file the pod then has, its text); the original's lines
    ([], "hello argo\n", 0, None, None),  # 4-6: no sub-command
    (["echo"], "hello argo\n", 0, None, None),  # 15-16
    (["echo", "hello world"], "hello world\n", 0, None, None),  # 17
    (["echo", "a\\tb"], "a\tb\n", 0, None, None),  # 17: dash's echo reads the backslash
    (["echo", "to file", "/tmp/deep/dir/out.txt"], "", 0, "/tmp/deep/dir/out.txt", "to file\n"),  # 18-21
    (["echo", "a", "b", "c"], "", 0, None, None),  # 23: `default)` matches no count
    (["cat", "/tmp/in.txt"], "needle in a haystack\n", 0, None, None),  # 11-12
    (["assert_contains", "/tmp/in.txt", "needle"], "needle in a haystack\n", 0, None, None),  # 8-9
    (["assert_contains", "/tmp/in.txt", "absent"], "", 1, None, None),  # 9: grep's status
    (["exit"], "", 0, None, None),  # 28
    (["exit", "3"], "", 3, None, None),  # 28
    (["sleep", "0.1"], "", 0, None, None),  # 30-31
    (["sh", "/tmp/script.sh"], "from a script\n", 0, None, None),  # 33-34
    (["whalesay"], "", 1, None, None),  # 36-37: unknown sub-command
    (["cat"], "", 2, None, None),  # 12: set -u, "$2" not set
]


def _argosay_inputs(pod: PodRoot, tmp_path: Path) -> None:
    (tmp_path / "in.txt").write_text("needle in a haystack\n")
    (tmp_path / "script.sh").write_text("echo from a script\n")
    pod.place("/tmp/in.txt", tmp_path / "in.txt")
    pod.place("/tmp/script.sh", tmp_path / "script.sh")


@pytest.mark.parametrize(("args", "stdout", "status", "path", "text"), ARGOSAY_TABLE)
def test_argosay(tmp_path: Path, args: list[str], stdout: str, status: int, path: str | None, text: str | None) -> None:
    pod = PodRoot(tmp_path / "step")
    _argosay_inputs(pod, tmp_path)
    image = runtime("argoproj/argosay:v2")
    done = run(pod, image.command(None, args), image)  # no command: the image's entrypoint, /argosay
    assert (done.stdout, done.returncode) == (stdout, status), done.stderr
    if path is not None:
        found = pod.read(path)
        assert found is not None and found.read_text() == text
    if args == ["cat"]:
        assert done.stderr == "/argosay: 12: 2: parameter not set\n"


@pytest.mark.may_skip_in_ci  # Argo's repository is a developer's mirror, not on CI machines; the table test pins it
def test_argosay_is_the_real_script_s_behaviour(tmp_path: Path) -> None:
    """The same table through Argo's own script (when its repository is at hand) gives the same output."""
    if shutil.which("git") is None or not ARGO_GIT.is_dir():
        pytest.skip("argo-workflows' repository is not on this machine")
    shown = subprocess.run(
        ["git", f"--git-dir={ARGO_GIT}", "show", "HEAD:test/e2e/images/argosay/v2/argosay"],
        capture_output=True,
        text=True,
        check=False,
    )
    if shown.returncode != 0:
        pytest.skip(shown.stderr)
    real = runtime("argoproj/argosay:v2")
    original = ImageRuntime("argosay-original", "argosay:v2", real.path, shims=((type(real.shims[0]))("/argosay", shown.stdout),))
    for n, (args, *_) in enumerate(ARGOSAY_TABLE):
        out = []
        for i, image in enumerate((real, original)):
            pod = PodRoot(tmp_path / f"case{n}-{i}")
            _argosay_inputs(pod, tmp_path)
            done = run(pod, ["/argosay", *args], image)
            out.append((done.stdout, done.stderr, done.returncode))
        assert out[0] == out[1], args
    assert len(shown.stdout.splitlines()) == len(ARGOSAY.splitlines())  # line for line


# ---- cowsay (argosay:v1, Debian's cowsay 3.03+dfsg2) ----

HELLO_COW = r""" _______
< hello >
 -------
        \   ^__^
         \  (oo)\_______
            (__)\       )\/\
                ||----w |
                ||     ||
"""


def test_cowsay_in_argosay_v1(tmp_path: Path) -> None:
    done = run(PodRoot(tmp_path / "a"), ["sh", "-c", "cowsay hello"], "argoproj/argosay:v1")  # examples/conditionals.yaml
    assert (done.stdout, done.returncode) == (HELLO_COW, 0), done.stderr
    image = runtime("argoproj/argosay:v1")
    empty = run(PodRoot(tmp_path / "b"), image.command(None, None), image)  # CMD ["cowsay"], stdin empty
    assert empty.stdout.startswith(" __\n<  >\n --\n")


COWS = [
    # (program, locale, args, stdin, stdout): outputs of /usr/games/cowsay 3.03+dfsg2-8
    ("cowsay", "C.UTF-8", ["hello"], b"", HELLO_COW),
    (
        "cowsay",
        "C.UTF-8",
        ["-e", "XY", "-W", "10", "a longish sentence with averyveryverylongwordhere"],
        b"",
        " ___________\n/ a longish \\\n| sentence  |\n| with      |\n| averyvery |\n| verylongw |\n\\ ordhere   /\n -----------\n"
        "        \\   ^__^\n         \\  (XY)\\_______\n            (__)\\       )\\/\\\n"
        "                ||----w |\n                ||     ||\n",
    ),
    (
        "cowthink",
        "C",
        ["-d"],
        b"a\n  b\nc d\n",
        " _______\n( a     )\n(       )\n( b c d )\n -------\n        o   ^__^\n         o  (xx)\\_______\n"
        "            (__)\\       )\\/\\\n             U  ||----w |\n                ||     ||\n",
    ),
    ("cowsay", "C.UTF-8", ["日本 é"], b"", " ________\n< 日本 é >\n --------\n" + HELLO_COW.split(" -------\n")[1]),
    ("cowsay", "C", ["日本 é"], b"", " __\n< 日本 é  >\n --\n" + HELLO_COW.split(" -------\n")[1]),  # bytes: width -1
]


@pytest.mark.parametrize(("program", "locale", "args", "stdin", "stdout"), COWS)
def test_cowsay_output(program: str, locale: str, args: list[str], stdin: bytes, stdout: str) -> None:
    out, err, status = cowsay(f"/usr/games/{program}", locale.encode(), [a.encode() for a in args], lambda: stdin)
    assert (out.decode(), err, status) == (stdout, b"", 0)


def test_cowsay_matches_debian_s_when_installed() -> None:
    if not os.path.exists("/usr/games/cowsay"):
        pytest.skip("Debian's cowsay is not installed here")
    for program, locale, args, stdin, _ in COWS:
        real = subprocess.run(
            [f"/usr/games/{program}", *args], input=stdin, capture_output=True, env={"LANG": locale}, check=False
        )
        assert real.stdout == cowsay(f"/usr/games/{program}", locale.encode(), [a.encode() for a in args], lambda s=stdin: s)[0]


# ---- python, node, and what is refused ----


def test_python_image_runs_this_machine_s_python(tmp_path: Path) -> None:
    script = "import sys; print(sys.version_info[0])"
    for exe in ("python", "python3"):
        done = run(PodRoot(tmp_path / exe), ["sh", "-c", f"command -v {exe}; {exe} -c '{script}'"], "python:alpine3.23")
        assert done.stdout == f"/usr/local/bin/{exe}\n3\n", done.stderr


def test_node_image_runs_this_machine_s_node(tmp_path: Path) -> None:
    why = refusal("node:9.1-alpine")
    if why is not None:
        pytest.skip(why)
    done = run(PodRoot(tmp_path / "step"), ["node", "-e", "console.log(6 * 7)"], "node:9.1-alpine")
    assert (done.stdout, done.returncode) == ("42\n", 0), done.stderr


@pytest.mark.parametrize(
    "image", ["nginx:1.13", "influxdb:1.2", "golang:1.18", "docker/whalesay:latest", "python:2.7", "argoproj/argosay:v3"]
)
def test_refusal_names_the_image(image: str) -> None:
    why = refusal(image)
    assert why is not None and why.startswith("cannot run here") and image in why
    with pytest.raises(ValueError, match="cannot run here"):
        runtime(image)


@pytest.mark.parametrize(
    "image",
    ["busybox", "alpine:3.23", "alpine:latest", "docker.io/library/debian:latest", "ubuntu", "python:alpine3.23", "python"],
)
def test_supported_images(image: str) -> None:
    assert refusal(image) is None


def test_image_command_follows_kubernetes() -> None:
    v2, v1 = runtime("argoproj/argosay:v2"), runtime("argoproj/argosay:v1")
    assert v2.command(None, None) == ["/argosay"] and v2.command(None, ["echo", "x"]) == ["/argosay", "echo", "x"]
    assert v1.command(None, None) == ["cowsay"] and v1.command(["sh", "-c"], ["cowsay hi"]) == ["sh", "-c", "cowsay hi"]
