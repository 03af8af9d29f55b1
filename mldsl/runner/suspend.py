"""``suspend`` templates: mldsl's approvals wait for a person here (``--approve STEP``, or an answer on the
terminal); a refusal stops the run as ``argo stop`` does."""

from __future__ import annotations

from typing import Any

from mldsl.argo.template import UnresolvedError, substitute
from mldsl.runner.base import APPROVAL_LABEL, ExecutionBase, _duration, _Scope
from mldsl.runner.nodes import Artifact, Node


class Suspends(ExecutionBase):
    """The part of :class:`~mldsl.runner.engine.Execution` that runs ``suspend`` templates."""

    def _suspend(
        self, node: Node, tpl: dict[str, Any], params: dict[str, str], outer: _Scope
    ) -> tuple[str, str, dict[str, str], dict[str, Artifact]]:
        """Wait for a person: ``--approve STEP``, an answer on the terminal, or the duration passing."""
        flat = outer.globals()
        for k, v in params.items():
            flat[f"inputs.parameters.{k}"] = v
        try:  # substituted when the node starts, outputs included (workflow/common/util.go SubstituteParams)
            resolved = substitute({k: tpl[k] for k in ("suspend", "outputs") if k in tpl}, flat)
        except UnresolvedError as exc:
            return "Error", f"failed to resolve {exc}", {}, {}
        node.start()
        self._notify(node)
        step = ((tpl.get("metadata") or {}).get("labels") or {}).get(APPROVAL_LABEL, node.task)
        duration = resolved["suspend"].get("duration")
        timeout = _duration(duration) if duration else None
        if step in self.options.approve:
            decision, how = "approved", "approved with --approve"
        elif self.options.ask is not None:
            decision = self.options.ask(step, params.get("message", ""), timeout)
            how = {"approved": "approved on the terminal", "expired": "not approved in time"}.get(decision, "")
        else:
            decision, how = "rejected", f"no terminal to ask for approval: pass --approve {step} to approve it"
        if decision == "rejected":  # argo stop: the suspended node fails and the run stops
            how = how or "rejected on the terminal"
            self.rejected = f"approval {step} refused ({how}): the run stopped"
            self.procs.stop_all()
            return "Failed", how, {}, {}
        out: dict[str, str] = {}
        for p in (resolved.get("outputs") or {}).get("parameters", []):
            vf = p.get("valueFrom") or {}
            if "supplied" in vf:
                if "default" not in vf:
                    why = f"raw output parameter '{p['name']}' has not been set and does not have a default value"
                    return "Error", why, {}, {}
                out[p["name"]] = str(vf["default"])
        return "Succeeded", how, out, {}
