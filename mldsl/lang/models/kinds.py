"""The pydantic model of each document kind (importing this builds them: ``fast.py`` does without)."""

from pydantic import BaseModel

from mldsl.lang.models.module import ModuleDoc
from mldsl.lang.models.pipeline import PipelineDoc
from mldsl.lang.models.project import ProjectDoc
from mldsl.lang.models.serving import ServingDoc
from mldsl.lang.models.sweep import SweepDoc

#: Document kinds this version reads, and their models (in ``checks.KINDS`` order).
KIND_MODELS: dict[str, type[BaseModel]] = {
    "Project": ProjectDoc,
    "Module": ModuleDoc,
    "Pipeline": PipelineDoc,
    "Sweep": SweepDoc,
    "Serving": ServingDoc,
}
