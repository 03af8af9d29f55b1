"""The semaphores and mutexes a template takes (``synchronization``), shared by the whole run."""

from __future__ import annotations

import re
import threading
from typing import Any

from mldsl.argo.template import UnresolvedError, replace, substitute
from mldsl.runner.base import (
    ExecutionBase,
    StepError,
    _Scope,
)


class Synchronization(ExecutionBase):
    """A run's semaphores, each sized once from its ConfigMap key; mutexes as semaphores of one."""

    def _semaphores(self, tpl: dict[str, Any], scope: _Scope) -> list[threading.BoundedSemaphore]:
        """The semaphores a template takes (``synchronization``), each sized once from its ConfigMap key.

        As Argo's controller: the names are substituted with the template (workflow/common/util.go
        SubstituteParams), the limit is ``strconv.Atoi`` of the key, read when the lock is first taken
        (workflow/controller/controller.go createSynchronizationManager l. 471-492); a missing ConfigMap or
        key, or a limit that is not an integer, errors the node.
        """
        out = []
        for sem in (tpl.get("synchronization") or {}).get("semaphores", []):
            try:
                ref = substitute(sem["configMapKeyRef"], scope.globals())
            except UnresolvedError as exc:
                raise StepError(f"failed to resolve {exc}") from None
            name, key = str(ref["name"]), str(ref["key"])
            with self.lock:
                if (name, key) not in self.semaphores:
                    made = self.objects.get("ConfigMap", name)  # a plain run's resource step made it
                    if name not in self.config_maps and made is not None:
                        self.config_maps[name] = {str(k): str(v) for k, v in (made.get("data") or {}).items()}
                    if name not in self.config_maps:
                        raise StepError(f'configmaps "{name}" not found')
                    text = self.config_maps[name].get(key)
                    if text is None:
                        raise StepError(f"Sync configuration key '{key}' not found in ConfigMap")
                    if not re.fullmatch(r"[+-]?[0-9]+", text):
                        raise StepError(f'strconv.Atoi: parsing "{text}": invalid syntax')
                    self.semaphores[(name, key)] = threading.BoundedSemaphore(max(1, int(text)))
                out.append(self.semaphores[(name, key)])
        sync = tpl.get("synchronization") or {}
        mutexes = [*sync.get("mutexes", []), *([sync["mutex"]] if sync.get("mutex") else [])]
        for mutex in mutexes:  # a mutex is a semaphore of one, by name (sync/mutex.go)
            try:
                name = replace(str(mutex.get("name", "")), scope.globals())
            except UnresolvedError as exc:
                raise StepError(f"failed to resolve {exc}") from None
            with self.lock:
                out.append(self.semaphores.setdefault(("mutex", name), threading.BoundedSemaphore(1)))
        return out
