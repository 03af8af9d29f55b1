"""Run mypy over the package as it is installed (``mldsl.compiler`` is ``compiler/`` here).

mypy cannot follow setuptools' ``package-dir`` mapping, so this stages a tree
of symlinks with the installed layout and checks that. Usage::

    python tools/typecheck.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAPPED = {"compiler": "compiler", "backends": "backends", "grammar": "grammar", "schemas": "schemas"}


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="mldsl-typecheck-") as tmp:
        pkg = Path(tmp) / "mldsl"
        pkg.mkdir()
        for entry in (ROOT / "mldsl").iterdir():
            if entry.name != "__pycache__":
                (pkg / entry.name).symlink_to(entry)
        for name, folder in MAPPED.items():
            (pkg / name).symlink_to(ROOT / folder)
        cmd = [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"), "-p", "mldsl"]
        proc = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True)
        out = (proc.stdout + proc.stderr).replace(str(pkg) + "/", "mldsl/").replace("mldsl/compiler/", "compiler/")
        out = out.replace("mldsl/backends/", "backends/")
        sys.stdout.write(out)
        return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
