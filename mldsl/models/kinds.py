"""The pydantic model of each document kind (importing this builds them: ``fast.py`` does without)."""

from pydantic import BaseModel

from mldsl.models.module import ModuleDoc
from mldsl.models.pipeline import PipelineDoc
from mldsl.models.project import ProjectDoc
from mldsl.models.serving import ServingDoc
from mldsl.models.sweep import SweepDoc

#: Document kinds this version reads, and their models (in ``checks.KINDS`` order).
KIND_MODELS: dict[str, type[BaseModel]] = {
    "Project": ProjectDoc,
    "Module": ModuleDoc,
    "Pipeline": PipelineDoc,
    "Sweep": SweepDoc,
    "Serving": ServingDoc,
}
