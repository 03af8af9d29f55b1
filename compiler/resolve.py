"""Find the module a step ``uses``: by name and semver range, or by relative path.

Candidates come from the files on the command line (tier 0), then the
Project's module paths in order, then the built-in library. The highest
version that matches the range wins; where two places hold the same version,
the earlier place wins, so a project can override a built-in module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mldsl.compiler.context import Context
from mldsl.lang.loader import Loaded, builtin_module_names, load_builtin_module, load_file, real_path, safely
from mldsl.lang.suggest import close_matches


class ResolveError(ValueError):
    def __init__(self, code: str, message: str, hint: str | None = None):
        super().__init__(message)
        self.code = code
        self.hint = hint


@dataclass
class Registry:
    by_name: dict[str, list[Loaded]]
    #: resolved ``name@range`` references: pipelines repeat them, and semver parsing is not free
    cache: dict[str, Loaded | ResolveError] = field(default_factory=dict)

    #: where built-in modules are read from on demand (None: all of them were loaded up front)
    ctx: Context | None = None

    @classmethod
    def build(cls, ctx: Context) -> Registry:
        registry = cls({}, ctx=ctx if ctx.ws.library_tier is not None else None)
        for doc in ctx.ws.of_kind("Module"):
            registry._add(doc, ctx)
        return registry

    def _add(self, doc: Loaded, ctx: Context) -> None:
        same = [d for d in self.by_name.get(doc.name, []) if d.version == doc.version]
        clash = next((d for d in same if d.tier == doc.tier), None)
        if clash is not None:
            ctx.error(
                doc,
                ("metadata", "version"),
                "MLD410",
                f"module {doc.name}@{doc.version} is defined twice",
                f"the other one is in {clash.source.path}; bump one version",
            )
            return
        self.by_name.setdefault(doc.name, []).append(doc)

    def _read_builtin(self, name: str) -> None:
        """Read the built-in module ``name`` when a step first names it: checking one file costs one module."""
        if self.ctx is not None:
            for doc in load_builtin_module(self.ctx.ws, name):
                self._add(doc, self.ctx)

    def resolve(self, ref: str, ctx: Context, base: Path) -> Loaded:
        if ref.startswith(("./", "../", "/")):
            return self._by_path(ref, ctx, base)
        if ref not in self.cache:
            try:
                self.cache[ref] = self._by_name(ref)
            except ResolveError as exc:
                self.cache[ref] = exc
        found = self.cache[ref]
        if isinstance(found, ResolveError):
            raise found
        return found

    def _by_name(self, ref: str) -> Loaded:
        name, _, constraint = ref.partition("@")
        self._read_builtin(name)
        cands = self.by_name.get(name)
        if not cands:
            known = set(self.by_name) | (set(builtin_module_names()) if self.ctx is not None else set())
            close = close_matches(name, sorted(known), n=1)
            raise ResolveError(
                "MLD400",
                f"module {name!r} not found",
                f"did you mean {close[0]!r}?"
                if close
                else "give the module's file on the command line or add its folder to module_paths in mldsl.yaml",
            )
        from mldsl.lang.semver import Range, Version

        try:
            spec = Range.parse(constraint.replace(" ", "")) if constraint else None
        except ValueError:
            raise ResolveError(
                "MLD402",
                f"invalid version range {constraint!r}",
                "use an exact version (1.2.0), a prefix (1, 1.2), ^1.2, ~1.4 or >=2,<3",
            ) from None
        ranked = sorted(cands, key=lambda d: (Version.parse(d.version or "0.0.0"), -d.tier), reverse=True)
        if spec is None:  # no range: the newest release; pre-releases only when nothing else exists
            releases = [d for d in ranked if not Version.parse(d.version or "0.0.0").prerelease]
            return (releases or ranked)[0]
        for d in ranked:
            if Version.parse(d.version or "0.0.0") in spec:
                return d
        versions = ", ".join(sorted({d.version or "" for d in cands}, key=Version.parse))
        raise ResolveError("MLD401", f"no version of {name!r} matches {constraint!r}", f"available versions: {versions}")

    def _by_path(self, ref: str, ctx: Context, base: Path) -> Loaded:
        target = real_path(base.parent / ref)
        why = ctx.ws.refuses(target)
        if why is not None:  # checked before reading: a foreign file's text never reaches a diagnostic
            raise ResolveError(
                "MLD411",
                f"module file {ref!r} is not read: {why}",
                "a module file must be inside the project; list a shared library's folder in module_paths in mldsl.yaml",
            )
        docs = [d for d in ctx.ws.documents if real_path(d.file) == target and d.kind == "Module"]
        found = safely(target.is_file)  # False for a name too long for the file system, or a NUL
        if not docs and found:
            docs = [d for d in load_file(target, 0, ctx.ws) if d.kind == "Module"]
            ctx.ws.documents.extend(docs)
        if not found:
            raise ResolveError("MLD411", f"no module file at {ref!r}", "paths in 'uses' are relative to the pipeline's file")
        if len(docs) != 1:
            raise ResolveError("MLD411", f"{ref!r} must hold exactly one Module document, found {len(docs)}")
        return docs[0]
