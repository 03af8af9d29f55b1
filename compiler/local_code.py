"""A module's ``local:`` folder, the code ``mldsl run`` mounts into its step."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mldsl.compiler import ir
from mldsl.compiler.context import Context
from mldsl.lang.loader import Loaded, real_path

if TYPE_CHECKING:  # the document models are read, never built, here (models/fast.py builds them)
    from mldsl.lang.models.module import Run


def local_code(ctx: Context, doc: Loaded, run: Run) -> ir.LocalSource | None:
    """``local:``: the folder the module's image is built from (``mldsl run`` runs the code in it)."""
    kind, spec = next(
        (k, getattr(run, k)) for k in ("container", "spark", "distributed", "python", "notebook") if getattr(run, k) is not None
    )
    local = getattr(spec, "local", None)
    if local is None:
        return None
    # only `mldsl run` reads the folder, so only it refuses a missing one (a cluster compile does not need it)
    folder = real_path(doc.file.parent / local.source)
    why = ctx.ws.refuses(folder)
    if why is not None:  # `mldsl run` would mount it into the step
        ctx.error(
            doc,
            ("spec", "run", kind, "local", "source"),
            "MLD602",
            f"local source {local.source!r} is not read: {why}",
            "the folder of a module's code must be inside the project (or a folder in module_paths)",
        )
        return None
    if not local.mount.startswith("/"):
        ctx.error(
            doc,
            ("spec", "run", kind, "local", "mount"),
            "MLD602",
            f"mount {local.mount!r} is not an absolute path",
            "give the path where the image puts the folder, e.g. /app",
        )
        return None
    return ir.LocalSource(str(folder), local.mount)
