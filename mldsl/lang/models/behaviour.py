"""What the document models compute from their fields, free of pydantic.

Each pydantic model mixes in its class here, and so does the object ``fast.py`` builds for it: the
compiler reads the same properties from either.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mldsl.lang.models.checks import DISTRIBUTIONS, RUN_KINDS, given


class RunBehaviour:
    if TYPE_CHECKING:
        container: Any
        python: Any
        spark: Any
        distributed: Any
        notebook: Any

    @property
    def kind(self) -> str:
        """The one run kind given (``container``, ``python``, ``spark``, ``distributed`` or ``notebook``)."""
        return given(self, RUN_KINDS)[0]


class StepBehaviour:
    if TYPE_CHECKING:
        after: list[str] | str | None

    @property
    def after_list(self) -> list[str]:
        if self.after is None:
            return []
        return [self.after] if isinstance(self.after, str) else list(self.after)


class ScheduleBehaviour:
    if TYPE_CHECKING:
        cron: str | list[str]

    @property
    def crons(self) -> list[str]:
        return [self.cron] if isinstance(self.cron, str) else list(self.cron)


class SpaceBehaviour:
    @property
    def kind(self) -> str:
        return given(self, DISTRIBUTIONS)[0]

    @property
    def args(self) -> list[Any]:
        return list(getattr(self, self.kind))


class TypeDeclBehaviour:
    if TYPE_CHECKING:

        @property
        def model_fields_set(self) -> set[str]: ...

    @property
    def has_default(self) -> bool:
        return "default" in self.model_fields_set
