"""The step contract for ``python`` modules, on the cluster and locally.

The compiler prepends :func:`prelude` to a python module's code. The prelude
reads the ``MLDSL_INPUT_<NAME>`` variables back into typed values (``inputs``)
and gives ``write_output(name, value)``, which writes the file the step
contract expects under ``/mldsl/outputs``. :func:`run_local` runs the very
same source in a subprocess with folders of your choice, which is how the
built-in modules are tested.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mldsl.lang.constraints import Param

_PRELUDE = '''\
# --- mldsl step runtime (generated; the module's own code follows) ---
import json as _mldsl_json, os as _mldsl_os
MLDSL_OUTPUTS_DIR = _mldsl_os.environ.get("MLDSL_OUTPUTS_DIR", "/mldsl/outputs")
_MLDSL_INPUTS = _mldsl_json.loads({types!r})


def _mldsl_item(value, kind):
    # Argo aggregates a fan-out's outputs as a JSON list of strings: give items their declared type
    if isinstance(value, str) and kind in ("int", "float"):
        return int(value) if kind == "int" else float(value)
    if isinstance(value, str) and kind == "bool":
        return value.strip().lower() == "true"
    return value


def _mldsl_read(name, kind, optional, item=None):
    raw = _mldsl_os.environ.get("MLDSL_INPUT_" + name.upper())
    if raw is None or (raw == "" and (optional or kind != "str")):
        return None
    if kind == "artifact":
        return raw if _mldsl_os.path.exists(raw) or not optional else None
    if kind == "int":
        return int(raw)
    if kind == "float":
        return float(raw)
    if kind == "bool":
        return raw.strip().lower() == "true"
    if kind == "list":
        return [_mldsl_item(v, item) for v in _mldsl_json.loads(raw)]
    if kind == "dict":
        return {{k: _mldsl_item(v, item) for k, v in _mldsl_json.loads(raw).items()}}
    if kind == "enum":
        try:
            return _mldsl_json.loads(raw) if raw.strip()[:1] in "-0123456789" else raw
        except ValueError:
            return raw
    return raw


inputs = {{n: _mldsl_read(n, *spec) for n, spec in _MLDSL_INPUTS.items()}}


def output_path(name):
    """Where to write the artifact output ``name`` (a file or a folder)."""
    _mldsl_os.makedirs(MLDSL_OUTPUTS_DIR, exist_ok=True)
    return _mldsl_os.path.join(MLDSL_OUTPUTS_DIR, name)


def write_output(name, value):
    """Write the parameter output ``name``: strings as they are, anything else as JSON."""
    text = value if isinstance(value, str) else _mldsl_json.dumps(value)
    with open(output_path(name), "w", encoding="utf-8") as fh:
        fh.write(text)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        print(f"{{name}}={{value}}")  # metrics collectors (Katib's StdOut) read these lines
# --- end of mldsl step runtime ---
'''

#: the runtime's part for modules with artifact outputs: their content digests, for cache keys downstream
_DIGESTS = """\
_MLDSL_ARTIFACT_OUTPUTS = {names!r}


def _mldsl_digest(path):
    import hashlib
    h = hashlib.sha256()
    if _mldsl_os.path.isdir(path):
        for folder, dirs, files in _mldsl_os.walk(path):
            dirs.sort()
            for f in sorted(files):
                full = _mldsl_os.path.join(folder, f)
                h.update(_mldsl_os.path.relpath(full, path).encode() + b"\\0")
                with open(full, "rb") as fh:
                    for chunk in iter(lambda: fh.read(1 << 20), b""):
                        h.update(chunk)
    else:
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()


def _mldsl_write_digests():
    # the identity of each artifact written: a cached step downstream keys on it (SPEC 1.9)
    folder = _mldsl_os.path.join(MLDSL_OUTPUTS_DIR, ".mldsl-id")
    for name in _MLDSL_ARTIFACT_OUTPUTS:
        path = _mldsl_os.path.join(MLDSL_OUTPUTS_DIR, name)
        if _mldsl_os.path.exists(path):
            _mldsl_os.makedirs(folder, exist_ok=True)
            with open(_mldsl_os.path.join(folder, name), "w", encoding="utf-8") as fh:
                fh.write("sha256-" + _mldsl_digest(path))


import atexit as _mldsl_atexit
_mldsl_atexit.register(_mldsl_write_digests)
# --- end of mldsl digests ---
"""

#: where a step leaves the identity of an artifact output, beside the outputs (read as an output parameter)
ID_DIR = ".mldsl-id"


def prelude(inputs: tuple[Param, ...], outputs: tuple[Param, ...] = ()) -> str:
    """The runtime prepended to a python module that declares ``inputs`` (and ``outputs``)."""
    types = {p.name: (p.type.kind, p.optional or p.has_default, p.type.item.kind if p.type.item else None) for p in inputs}
    text = _PRELUDE.format(types=json.dumps(types, separators=(",", ":")))
    artifacts = [p.name for p in outputs if p.type.kind == "artifact"]
    if artifacts:
        text += _DIGESTS.format(names=artifacts)
    return text


def encode(value: Any) -> str:
    """A value as the step sees it in its environment (what Argo passes)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


@dataclass
class LocalResult:
    returncode: int
    stdout: str
    stderr: str
    outputs: dict[str, Any]


def run_local(
    source: str,
    inputs: tuple[Param, ...],
    outputs: tuple[Param, ...],
    values: dict[str, Any],
    workdir: Path,
    *,
    env: dict[str, str] | None = None,
    timeout: float = 300,
) -> LocalResult:
    """Run a python module's compiled ``source`` as a local process under the step contract.

    Artifact inputs are copied to ``workdir/inputs/<name>``; outputs are read
    back from ``workdir/outputs`` (parameter outputs parsed by their type,
    artifact outputs as paths).
    """
    import subprocess

    in_dir, out_dir = workdir / "inputs", workdir / "outputs"
    in_dir.mkdir(parents=True, exist_ok=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    proc_env = _process_env(inputs, values, in_dir, out_dir, env)
    proc = subprocess.run(
        [sys.executable, "-c", source], env=proc_env, cwd=workdir, capture_output=True, text=True, timeout=timeout
    )
    result = _read_outputs(outputs, out_dir)
    return LocalResult(proc.returncode, proc.stdout, proc.stderr, result)


def _process_env(
    inputs: tuple[Param, ...], values: dict[str, Any], in_dir: Path, out_dir: Path, env: dict[str, str] | None
) -> dict[str, str]:
    """The step's env under the contract: each input as ``MLDSL_INPUT_<NAME>``, artifacts copied into ``in_dir``."""
    import shutil

    proc_env = {k: v for k, v in os.environ.items() if not k.startswith("MLDSL_INPUT_")}
    proc_env.update(env or {})
    proc_env["MLDSL_OUTPUTS_DIR"] = str(out_dir)
    for p in inputs:
        if p.name not in values:
            if p.has_default:
                proc_env[f"MLDSL_INPUT_{p.name.upper()}"] = encode(p.default)
            continue
        value = values[p.name]
        if p.type.kind == "artifact" and value is not None:
            target = in_dir / p.name
            src = Path(value)
            if src.is_dir():
                shutil.copytree(src, target, dirs_exist_ok=True)
            else:
                shutil.copyfile(src, target)
            value = str(target)
        proc_env[f"MLDSL_INPUT_{p.name.upper()}"] = encode(value)
    return proc_env


def _read_outputs(outputs: tuple[Param, ...], out_dir: Path) -> dict[str, Any]:
    """What the step wrote to ``out_dir``: parameters parsed by their type, artifacts as paths."""
    result: dict[str, Any] = {}
    for p in outputs:
        path = out_dir / p.name
        if not path.exists():
            continue
        if p.type.kind == "artifact":
            result[p.name] = path
            continue
        text = path.read_text(encoding="utf-8")
        result[p.name] = text if p.type.kind in ("str", "enum") and not text.startswith(("[", "{")) else json.loads(text)
    return result
