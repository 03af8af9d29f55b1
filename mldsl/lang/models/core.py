"""pydantic-core's compiled module, loaded without the package's typing helpers.

``import pydantic_core`` first runs ``core_schema.py``: some eighty TypedDicts built through
typing_extensions, about 20 ms, half of what validating a file costs at start-up (issue #15). They
only type-check core schemas written in Python; mldsl's are data (``frozen-schemas.json``). So the
compiled module is loaded by itself, under its own name: a later ``import pydantic`` (to explain a
document's errors) finds it in ``sys.modules``, and both paths raise and catch the same classes.
Where the package is laid out otherwise, it is imported the usual way.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

NAME = "pydantic_core._pydantic_core"


def _load() -> ModuleType:
    if NAME in sys.modules:
        return sys.modules[NAME]
    spec = importlib.util.find_spec("pydantic_core")  # finds the package without running it
    for folder in (spec.submodule_search_locations or []) if spec else []:
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            path = Path(folder) / f"_pydantic_core{suffix}"
            if path.is_file():
                loader = importlib.machinery.ExtensionFileLoader(NAME, str(path))
                ext = importlib.util.spec_from_file_location(NAME, path, loader=loader)
                if ext is None:
                    break
                module = importlib.util.module_from_spec(ext)
                sys.modules[NAME] = module
                loader.exec_module(module)
                return module
    import pydantic_core._pydantic_core as module

    return module


core = _load()
