"""The hostile-input fuzzer (#12): mutated corpus files and generated projects, run in-process through the CLI.

Each case is a small project (a file of ``examples/``, ``modules/`` or ``tests/invalid`` with one to three
mutations, or a project drawn by :mod:`pipeline_gen`), and each is put through ``compile -o``, ``fmt`` and,
when fmt changed the file, ``fmt --check`` and a second compile. The mutations include what broke mldsl in
issue #28: lines of 80,000 ``{`` or ``[``, floods of thousands of quoted keys, and files whose bytes are not
UTF-8 (Latin-1, UTF-16, a stray byte, a BOM in the middle). A defect is one of:

* ``crash``: "internal error", a traceback, or an exception out of the CLI;
* ``exit``: an exit code other than 0, 1 or 2;
* ``hang``: a command that uses more than 5 s of CPU time (measured as CPU time, so that a loaded machine does
  not count as a hang; a command blocked for 30 s of wall time is one too);
* ``partial``: a compile that failed yet wrote files;
* ``fmt``: a formatted file that compiles differently (other manifests, exit code or error codes) or that a
  second ``fmt`` would change.

``tools/fuzz.py`` runs thousands of cases; ``tests/test_fuzz.py`` a bounded, seeded subset.
"""

from __future__ import annotations

import contextlib
import io
import json
import random
import shutil
import signal
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: CPU seconds a command may take (SIGPROF); WALL_LIMIT catches a command blocked without using the CPU
TIME_LIMIT = 5.0
WALL_LIMIT = 30.0
#: the length of the long lines of issue #28 (40,000 ``{`` took 16 s, 80,000 took 66 s)
LONG = 80_000

#: values that broke or nearly broke mldsl once, and their neighbours
HOSTILE = [
    "!!int abc", '!!int ""', "!!float abc", "!!bool maybe", "!!str 5", "! ''", "!!map", "!foo x", "!!python/name:os.system",
    "1" * 5000, "1e309", "-1e-400", ".nan", ".inf", "-.inf", "~", "''", '""', "null", "yes", "On", "0x1F", "010", "0o17",
    "1_000", "1:30", "2024-06-01T12:00:00.5Z", "2024-06-01", "-0", "+1", "0.", ".5", "1e-3", "1.0.0", "v1", "^1.2", ">=2,<3",
    "&a [*a, *a, *a]", "*undefined", "&x x", "[" * 300 + "]" * 300, "{a: " * 150 + "1" + "}" * 150,
    '"${{ ' + "(" * 600 + "1" + ")" * 600 + ' }}"', '"${{ ' + "not " * 3000 + 'true }}"', '"${{ ' + "-" * 3000 + '1 }}"',
    '"${{ ' + "[" * 2000 + "]" * 2000 + ' }}"', '"${{ ' + " + ".join(["1"] * 3000) + ' }}"',
    '"${{ params.x }}"', '"${{ inputs.x }}"', '"${{ item }}"',
    "\"${{ join([secret('s', 'k')], ',') }}\"", '"${{ secret(\'s\', \'k\') }}"', '"${{ steps.a.outputs.y }}"',
    '"${{ 1 + }}"', '"${{ x"', '"${{ params.x == 1 and }}"', '"${{ len(params.x) }}"', '"${{ 99999999999999999999999 }}"',
    '"a\\0b"', '"\\u2028"', '"\\x85"', '"\\ufeff"', "\u00fcn\u00efc\u00f6de", "\U0001f600", "x" * 10_000,
    "../../.git/config", "/etc/passwd", "../outside.yaml", "./missing.yaml", "UPPER/Key", "a/b/c", "a" * 70, "mldsl.io/v1",
    "app.kubernetes.io/managed-by", "mldsl/v2", "Pipeline", "Module", "Sweep", "Serving", "Project", "{}", "[]", "[1, 2]",
    "{a: 1}", "- 1", "|", ">", '"', "'", ": ", "#", "abc: def: ghi", "a, b", "{", "[", "}", "]", "`x`", "%YAML 1.1", "@x",
    "0", "-1", "3.5", "true", "false", "100000000", "-100000000", "1e100", "abc", "s3://bucket/key", "gs://b", "s3://",
    "busybox:1.36", "python:3.11-slim", "cpu", "2", "500m", "1Gi", "1.1.1", "-1Gi", "1h", "30s", "0s", "-5m", "1d", "99999d",
    "*/5 * * * *", "61 * * * *", "@hourly", "@every 5m", "int", "float", "list[int]", "dict[str, int]", "list[", "enum",
    "artifact", "secret", "str?", "list[list[list[int]]]", "artifact(parquet)",
    # issue #28: a syntax error ahead of a very long line, and the line itself
    "{" * LONG, "[" * LONG, "{a: b} " + "{" * LONG, "{a: b} " + "[" * LONG, "]" + "{[" * (LONG // 2), "'" + "{" * LONG,
    "{a: list[int]] " + "{" * LONG, '"' + "\\" * LONG, "${{ " + "{" * LONG + " }}", "&a " + "[" * LONG,
]  # fmt: skip
#: characters YAML gives meaning to, and a few the machines around it do
SPECIAL = [*":{}[],&*!|>'\"%@`#-? \t\n", "\0", "\u2028", "\x85", "\ufeff", "\r", "\\", "---\n", "...\n"]
KEYS = [
    "apiVersion", "kind", "metadata", "spec", "name", "version", "labels", "annotations", "steps", "uses", "with", "when",
    "for_each", "after", "params", "inputs", "outputs", "run", "python", "container", "spark", "distributed", "source",
    "file", "image", "command", "args", "env", "cache", "retries", "timeout", "resources", "cpu", "memory", "gpu",
    "volumes", "pod", "on_exit", "schedule", "deploy", "approve", "type", "default", "min", "max", "values", "pattern",
    "module_paths", "id", "objective", "strategy", "max_trials", "parameters", "pipeline", "models", "traffic", "local",
]  # fmt: skip


@dataclass
class Case:
    """A project to try: its files (bytes where a mutation broke their encoding), and the one that was mutated
    (or the pipeline drawn)."""

    name: str
    files: dict[str, str | bytes]
    target: str


@dataclass
class Defect:
    kind: str  # crash | exit | hang | partial | fmt
    case: str
    detail: str

    def __post_init__(self) -> None:
        if len(self.detail) > 300:  # a hostile value can be 10,000 characters long
            self.detail = self.detail[:300] + "..."


class _Hang(BaseException):  # not an Exception: the CLI's "internal error" handler must let it through
    pass


# --- cases --------------------------------------------------------------------------------------------------------


def corpus() -> list[tuple[str, dict[str, str], str]]:
    """Every YAML file mldsl ships or tests, as (name, the project's files, the file to mutate)."""
    out: list[tuple[str, dict[str, str], str]] = []
    for example in sorted((ROOT / "examples").iterdir()):
        if not example.is_dir() or example.name == "ci":
            continue
        files = {
            str(f.relative_to(example)): f.read_text(encoding="utf-8")
            for f in sorted(example.rglob("*"))
            if f.is_file() and ".mldsl" not in f.parts and f.suffix in (".yaml", ".py", ".csv", ".json", ".txt")
        }
        for name in files:
            if name.endswith(".yaml"):
                out.append((f"examples/{example.name}/{name}", files, name))
    for f in sorted((ROOT / "tests" / "invalid").rglob("*.yaml")) + sorted((ROOT / "modules").rglob("*.yaml")):
        folder = f.parent if f.parent.name != "invalid" else None
        if folder is not None and folder.parent.name == "invalid":
            files = {str(g.relative_to(folder)): g.read_text(encoding="utf-8") for g in sorted(folder.rglob("*")) if g.is_file()}
            out.append((str(f.relative_to(ROOT)), files, str(f.relative_to(folder))))
        elif folder is not None and (ROOT / "modules") in f.parents:
            files = {str(g.relative_to(folder)): g.read_text(encoding="utf-8") for g in sorted(folder.iterdir()) if g.is_file()}
            out.append((str(f.relative_to(ROOT)), files, f.name))
        else:
            out.append((str(f.relative_to(ROOT)), {f.name: f.read_text(encoding="utf-8")}, f.name))
    return out


def flood(lines: list[str], i: int, rnd: random.Random, style: int | None = None) -> list[str]:
    """Thousands of quoted keys where line ``i`` is: copies of its key (unknown fields, steps, params), one key
    again and again (duplicates), or a flow mapping of them on one line."""
    line = lines[i]
    indent = len(line) - len(line.lstrip(" "))
    key, _, value = line.strip().partition(":")
    key = key.strip("-\"' ") or rnd.choice(KEYS)
    value = value.strip() or "1"
    n = rnd.choice([300, 1000, 2000])  # fmt (ruamel) is linear but slow, ~1.3 ms a flow-mapping line: 2,000 ~2.7 s
    style = rnd.randrange(3) if style is None else style
    if style == 0:
        flooded = [" " * indent + f'"{key}{j}": {value}' for j in range(n)]
    elif style == 1:
        flooded = [" " * indent + f'"{key}": {value}' for _ in range(n)]
    else:
        flooded = [" " * indent + f"{key}: {{" + ", ".join(f'"{key}{j}": {j}' for j in range(n)) + "}"]
    return lines[:i] + flooded + lines[i + 1 :]


#: the ways :func:`garble` breaks a file's bytes
GARBLES = 9


def garble(text: str, rnd: random.Random, pick: int | None = None) -> bytes:
    """``text``'s bytes made hostile: not UTF-8 (Latin-1, UTF-16, a stray byte, mixed), or a BOM where none
    belongs. Some of these are still UTF-8 (a BOM, CRLF ends) and must read as the text they are."""
    data = text.encode("utf-8")
    at = rnd.randrange(len(data) + 1)
    pick = rnd.randrange(GARBLES) if pick is None else pick
    if pick == 0:
        return text.encode("latin-1", errors="replace") + "caf\u00e9: na\u00efve\n".encode("latin-1")
    if pick == 1:
        return text.encode(rnd.choice(["utf-16", "utf-16-le", "utf-32"]))
    if pick == 2:
        return data[:at] + rnd.choice([b"\xff", b"\xc3", b"\xe9", b"\x80", b"\xed\xa0\x80", b"\xf4\x90\x80\x80"]) + data[at:]
    if pick == 3:  # half UTF-8, half Latin-1
        half = len(text) // 2
        return text[:half].encode("utf-8") + (text[half:] + " \u00e9\u00e8").encode("latin-1", errors="replace")
    if pick == 4:
        return b"\xef\xbb\xbf" + data
    if pick == 5:
        return data[:at] + b"\xef\xbb\xbf" + data[at:]
    if pick == 6:
        return b"\xef\xbb\xbf" * rnd.randint(2, 3) + data
    if pick == 7:
        return data.replace(b"\n", rnd.choice([b"\r\n", b"\r"]))
    return data[:at] + b"\x00" + data[at:]


def mutate(text: str, rnd: random.Random) -> str:
    """One random edit of ``text``: a line moved, lost or re-indented, a hostile value or character put in."""
    lines = text.split("\n")
    i = rnd.randrange(len(lines))
    pick = rnd.randrange(14)
    if pick == 0 and len(lines) > 1:
        del lines[i]
    elif pick == 1:
        lines.insert(i, lines[i])
    elif pick == 2:
        j = rnd.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    elif pick == 3:
        lines[i] = " " * rnd.randint(0, 6) + lines[i].lstrip(" ") if rnd.random() < 0.7 else "\t" + lines[i]
    elif pick in (4, 5, 6):  # a value
        line = lines[i]
        at = line.find(": ")
        head = line[: at + 2] if at >= 0 else line + ": "
        lines[i] = head + rnd.choice(HOSTILE)
    elif pick == 7:
        indent = len(lines[i]) - len(lines[i].lstrip(" "))
        lines.insert(i, " " * indent + f"{rnd.choice(KEYS)}: {rnd.choice(HOSTILE)}")
    elif pick == 8:
        return text[: rnd.randrange(len(text) + 1)]
    elif pick == 9:
        at = rnd.randrange(len(text) + 1)
        return text[:at] + rnd.choice(SPECIAL) + text[at:]
    elif pick == 10:  # a key misspelt or swapped
        line = lines[i]
        at = line.find(":")
        if at > 0:
            key = line[:at].strip()
            new = rnd.choice(KEYS) if rnd.random() < 0.5 else key[:-1] + key[-1:].upper() * 2
            lines[i] = line[:at].replace(key, new, 1) + line[at:]
    elif pick == 11:
        lines.append(rnd.choice(["---", "--- !!map", "---\n---", "...", "---\n" + text.split("\n---", 1)[0]]))
    elif pick == 12 and rnd.random() < 0.25:  # about one case in 30: a flood costs ~0.2 s, the rest ~8 ms
        return "\n".join(flood(lines, i, rnd))
    else:  # an alias bomb or a deep structure in place of a value
        lines.insert(i, rnd.choice(["x: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]", "y: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]"]))
    return "\n".join(lines)


def cases(count: int, seed: int, generated: float = 0.1, *, of: int | None = None) -> Iterator[Case]:
    """``count`` cases: mostly mutated corpus files, some drawn projects (themselves mutated half of the time).

    ``of``: the first ``count`` cases of a run of ``of`` (the projects drawn depend on the run's size), so that
    ``tools/fuzz.py --only K`` makes case K exactly as the run that reported it did.
    """
    rnd = random.Random(seed)
    pool = corpus()
    drawn = _drawn_projects(max(1, int((of or count) * generated)), seed) if generated else iter(())
    for n in range(count):
        if generated and rnd.random() < generated:
            files = next(drawn, None)
            if files is not None:
                if rnd.random() < 0.5:
                    files = dict(files, **{"pipeline.yaml": mutate(files["pipeline.yaml"], rnd)})
                yield Case(f"generated#{n}", files, "pipeline.yaml")
                continue
        name, files, target = rnd.choice(pool)
        text = files[target]
        for _ in range(rnd.randint(1, 3)):
            text = mutate(text, rnd)
        content: str | bytes = garble(text, rnd) if rnd.random() < 0.08 else text
        yield Case(f"{name}#{n}", dict(files, **{target: content}), target)


def _drawn_projects(count: int, seed: int) -> Iterator[dict[str, str]]:
    """Projects from the runtime rules' hypothesis strategy (valid by construction), drawn reproducibly."""
    sys.path.insert(0, str(ROOT / "tests"))
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as hseed
    from pipeline_gen import projects

    out: list[dict[str, str]] = []

    @hseed(seed)
    @settings(max_examples=count, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(files=projects())
    def draw(files: dict[str, str]) -> None:
        out.append(files)

    draw()
    return iter(out)


# --- running -------------------------------------------------------------------------------------------------------


def cli(*args: str) -> tuple[int, str, str]:
    """Run the CLI in this process: (exit code, stdout, stderr); a hang raises :class:`_Hang`."""
    from mldsl.cli.main import main

    out, err = io.StringIO(), io.StringIO()

    def alarm(signum: int, frame: object) -> None:
        raise _Hang()

    previous = signal.signal(signal.SIGPROF, alarm), signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_PROF, TIME_LIMIT)
    signal.setitimer(signal.ITIMER_REAL, WALL_LIMIT)
    code = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main(list(args))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGPROF, previous[0])
        signal.signal(signal.SIGALRM, previous[1])
    return code, out.getvalue(), err.getvalue()


def run_case(case: Case, work: Path) -> list[Defect]:
    """Put one case through compile, fmt, fmt --check and a second compile; the defects found."""
    if work.exists():
        shutil.rmtree(work)
    project = work / "p"
    for name, text in case.files.items():
        path = project / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
    target = project / case.target
    defects: list[Defect] = []

    def call(*args: str) -> tuple[int, str, str] | None:
        try:
            code, out, err = cli(*args)
        except _Hang:
            defects.append(Defect("hang", case.name, f"mldsl {' '.join(args)} ran over {TIME_LIMIT:.0f} s of CPU time"))
            return None
        except BaseException as exc:  # anything out of the CLI is the defect we look for
            defects.append(Defect("crash", case.name, f"mldsl {args[0]}: {type(exc).__name__}: {exc}"))
            return None
        if "internal error" in err or "Traceback" in err:
            defects.append(Defect("crash", case.name, f"mldsl {args[0]}: {err.strip().splitlines()[0]}"))
        if code not in (0, 1, 2):
            defects.append(Defect("exit", case.name, f"mldsl {args[0]} exited {code}"))
        return code, out, err

    first = call("compile", str(project), "-o", str(work / "out1"), "--format", "json")
    if first is None:
        return defects
    written = sorted((work / "out1").iterdir()) if (work / "out1").exists() else []
    if first[0] != 0 and written:
        defects.append(Defect("partial", case.name, f"compile failed (exit {first[0]}) yet wrote {len(written)} files"))
    before = target.read_bytes()
    formatted = call("fmt", str(target))
    if formatted is None or formatted[0] != 0 or target.read_bytes() == before:
        return defects
    again = call("fmt", "--check", str(target))
    if again is not None and again[0] != 0:
        defects.append(Defect("fmt", case.name, "a second fmt would change the file"))
    second = call("compile", str(project), "-o", str(work / "out2"), "--format", "json")
    if second is None:
        return defects
    if second[0] != first[0]:
        defects.append(Defect("fmt", case.name, f"compile exited {first[0]} before fmt and {second[0]} after"))
    elif first[0] != 0 and _codes(first[1]) != _codes(second[1]):
        defects.append(Defect("fmt", case.name, f"errors {_codes(first[1])} before fmt, {_codes(second[1])} after"))
    elif first[0] == 0:
        for f in written:
            other = work / "out2" / f.name
            if not other.exists() or other.read_bytes() != f.read_bytes():
                defects.append(Defect("fmt", case.name, f"{f.name} compiles differently after fmt"))
                break
    return defects


def _codes(stdout: str) -> list[str]:
    try:
        return sorted(d["code"] for d in json.loads(stdout or "[]") if isinstance(d, dict) and "code" in d)
    except ValueError:
        return []
