"""Semantic diffs of two compiled programs: what changed for a reviewer, field by field.

Pipelines and modules are compared through their summaries
(``mldsl.compiler.summary``): steps added, removed and changed (module and
version, bindings, conditions, fan-out, policies, resources and GPUs), params
and their defaults, schedules, outputs; for a step whose module moved to
another version, what changed in the module between the two versions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mldsl.compiler import ir
from mldsl.compiler import summary as sm
from mldsl.lang.durations import parse_duration
from mldsl.util.valuediff import MISSING, Change, diff_values

__all__ = ["MISSING", "Change", "diff_values"]


@dataclass
class StepDiff:
    name: str
    status: str  # added | removed | changed
    changes: list[Change] = field(default_factory=list)
    module_before: str | None = None
    module_after: str | None = None
    module_changes: list[Change] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"step": self.name, "status": self.status, "changes": [c.to_json() for c in self.changes]}
        if self.module_before or self.module_after:
            out["module"] = {"before": self.module_before, "after": self.module_after}
        if self.module_changes:
            out["module_changes"] = [c.to_json() for c in self.module_changes]
        return out


@dataclass
class PipelineDiff:
    name: str
    status: str  # added | removed | changed
    changes: list[Change] = field(default_factory=list)
    steps: list[StepDiff] = field(default_factory=list)
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None

    def step_status(self) -> dict[str, str]:
        return {s.name: s.status for s in self.steps}

    def to_json(self) -> dict[str, Any]:
        return {
            "pipeline": self.name,
            "status": self.status,
            "changes": [c.to_json() for c in self.changes],
            "steps": [s.to_json() for s in self.steps],
        }


@dataclass
class ModuleDiff:
    name: str
    status: str  # added | removed | changed | content-changed (same version, different content)
    before: str | None
    after: str | None
    changes: list[Change] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "module": self.name,
            "status": self.status,
            "before": self.before,
            "after": self.after,
            "changes": [c.to_json() for c in self.changes],
        }


@dataclass
class ObjectDiff:
    """A Serving or a Sweep: added, removed, or changed field by field (traffic 90/10 → 80/20, max_trials)."""

    kind: str
    name: str
    status: str
    changes: list[Change] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "status": self.status, "changes": [c.to_json() for c in self.changes]}


@dataclass
class Diff:
    old: str
    new: str
    pipelines: list[PipelineDiff] = field(default_factory=list)
    modules: list[ModuleDiff] = field(default_factory=list)
    compiled: str | None = None
    objects: list[ObjectDiff] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.pipelines or self.modules or self.compiled or self.objects)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "old": self.old,
            "new": self.new,
            "changed": self.changed,
            "pipelines": [p.to_json() for p in self.pipelines],
            "modules": [m.to_json() for m in self.modules],
            "servings_and_sweeps": [o.to_json() for o in self.objects],
        }
        if self.compiled is not None:
            out["compiled"] = self.compiled
        return out


def _module_changes(old: ir.Module, new: ir.Module) -> list[Change]:
    a, b = sm.module(old), sm.module(new)
    a.pop("version")
    b.pop("version")
    out: list[Change] = []
    for c in diff_values(a, b):
        out.extend(cell_changes(c.before, c.after) if c.path == "run.cells" else [c])
    return out


def cell_changes(before: list[str], after: list[str]) -> list[Change]:
    """A notebook's changed cells by number (the new notebook's; a removed cell by its old one), matched by content
    as a text diff matches lines, so that inserting a cell does not show every later cell as changed."""
    import difflib

    out: list[Change] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        pairs = max(i2 - i1, j2 - j1)
        for k in range(pairs):
            i, j = i1 + k, j1 + k
            if i < i2 and j < j2:
                out.append(Change(f"run.notebook.cell {j + 1}", before[i], after[j]))
            elif j < j2:
                out.append(Change(f"run.notebook.cell {j + 1}", MISSING, after[j]))
            else:
                out.append(Change(f"run.notebook.cell {i + 1} (old)", before[i], MISSING))
    return out


#: summary fields that hold a duration as written (``compiler/summary.py``)
_DURATIONS = ("timeout", "cache", "backoff.duration", "backoff.max_duration", "ttl")


def _same_duration(change: Change) -> bool:
    """``1h → 60m``: written differently, the same time; shown as written, so not a change to report."""
    if not change.path.endswith(_DURATIONS) or not isinstance(change.before, str) or not isinstance(change.after, str):
        return False
    try:
        return parse_duration(change.before) == parse_duration(change.after)
    except ValueError:
        return False


def diff_pipeline(old: ir.Pipeline | None, new: ir.Pipeline | None) -> PipelineDiff | None:
    a = sm.pipeline(old) if old is not None else None
    b = sm.pipeline(new) if new is not None else None
    name = (new or old).name  # type: ignore[union-attr]
    if a is None or b is None:
        status = "added" if a is None else "removed"
        steps = [
            StepDiff(
                s,
                status,
                module_after=st["module"] if status == "added" else None,
                module_before=st["module"] if status == "removed" else None,
            )
            for s, st in (b or a or {}).get("steps", {}).items()
        ]
        return PipelineDiff(name, status, steps=steps, before=a, after=b)
    steps_a, steps_b = a.pop("steps"), b.pop("steps")
    old_steps = {s.name: s for s in old.steps} if old else {}
    new_steps = {s.name: s for s in new.steps} if new else {}
    step_diffs: list[StepDiff] = []
    for name_ in list(steps_a) + [s for s in steps_b if s not in steps_a]:
        if name_ not in steps_b:
            step_diffs.append(StepDiff(name_, "removed", module_before=steps_a[name_]["module"]))
        elif name_ not in steps_a:
            step_diffs.append(StepDiff(name_, "added", module_after=steps_b[name_]["module"]))
        else:
            sa, sb = dict(steps_a[name_]), dict(steps_b[name_])
            ma, mb = sa.pop("module"), sb.pop("module")
            changes = [c for c in diff_values(sa, sb) if not _same_duration(c)]
            mod_changes: list[Change] = []
            if ma != mb:
                changes.insert(0, Change("module", ma, mb))
                oa, ob = old_steps[name_].module, new_steps[name_].module
                if oa.name == ob.name:
                    mod_changes = _module_changes(oa, ob)
            if changes:
                step_diffs.append(StepDiff(name_, "changed", changes, ma, mb, mod_changes))
    changes = diff_values(a, b)
    if not changes and not step_diffs:
        return None
    a["steps"], b["steps"] = steps_a, steps_b
    return PipelineDiff(name, "changed", changes, step_diffs, before=a, after=b)


def diff_programs(
    old: ir.Program, new: ir.Program, old_modules: set[str], new_modules: set[str], *, old_label: str, new_label: str
) -> Diff:
    """Compare two programs; ``*_modules`` are the module keys defined in each side's own files."""
    result = Diff(old_label, new_label)
    pa = {p.name: p for p in old.pipelines}
    pb = {p.name: p for p in new.pipelines}
    for name in sorted(set(pa) | set(pb)):
        d = diff_pipeline(pa.get(name), pb.get(name))
        if d is not None:
            result.pipelines.append(d)
    servings = ({o.name: sm.serving(o) for o in old.servings}, {o.name: sm.serving(o) for o in new.servings})
    sweeps = ({o.name: sm.sweep(o) for o in old.sweeps}, {o.name: sm.sweep(o) for o in new.sweeps})
    for kind, (oa, ob) in (("serving", servings), ("sweep", sweeps)):
        for name in sorted(set(oa) | set(ob)):
            if name not in ob:
                result.objects.append(ObjectDiff(kind, name, "removed"))
            elif name not in oa:
                result.objects.append(ObjectDiff(kind, name, "added"))
            elif changes := diff_values(oa[name], ob[name]):
                result.objects.append(ObjectDiff(kind, name, "changed", changes))
    ma = {m.key: m for m in old.modules if m.key in old_modules}
    mb = {m.key: m for m in new.modules if m.key in new_modules}
    names = sorted({m.name for m in ma.values()} | {m.name for m in mb.values()})
    for name in names:
        va = sorted((m for m in ma.values() if m.name == name), key=lambda m: _semver_key(m.version))
        vb = sorted((m for m in mb.values() if m.name == name), key=lambda m: _semver_key(m.version))
        if not va:
            result.modules.append(ModuleDiff(name, "added", None, vb[-1].version))
        elif not vb:
            result.modules.append(ModuleDiff(name, "removed", va[-1].version, None))
        else:
            changes = _module_changes(va[-1], vb[-1])
            if va[-1].version != vb[-1].version:
                result.modules.append(ModuleDiff(name, "changed", va[-1].version, vb[-1].version, changes))
            elif changes:
                result.modules.append(ModuleDiff(name, "content-changed", va[-1].version, vb[-1].version, changes))
    return result


def _semver_key(version: str) -> Any:
    from mldsl.lang.semver import Version

    return Version.parse(version)
