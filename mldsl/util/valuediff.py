"""A field-by-field diff of two plain values (mappings key by key, lists as wholes): what ``mldsl diff`` reports
and what ``apply --dry-run=client`` says would change, with no knowledge of the language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MISSING: Any = type("Missing", (), {"__repr__": lambda self: "(none)"})()


@dataclass
class Change:
    path: str
    before: Any = MISSING
    after: Any = MISSING

    @property
    def kind(self) -> str:
        if self.before is MISSING:
            return "added"
        if self.after is MISSING:
            return "removed"
        return "changed"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "change": self.kind}
        if self.before is not MISSING:
            out["before"] = self.before
        if self.after is not MISSING:
            out["after"] = self.after
        return out


def diff_values(before: Any, after: Any, path: str = "") -> list[Change]:
    """Changes between two plain values; mappings are compared key by key, lists as wholes."""
    if isinstance(before, dict) and isinstance(after, dict):
        out: list[Change] = []
        for key in list(before) + [k for k in after if k not in before]:
            sub = f"{path}.{key}" if path else str(key)
            if key not in after:
                out.append(Change(sub, before[key], MISSING))
            elif key not in before:
                out.append(Change(sub, MISSING, after[key]))
            else:
                out.extend(diff_values(before[key], after[key], sub))
        return out
    if before == after and type(before) is type(after):
        return []
    return [Change(path, before, after)]
