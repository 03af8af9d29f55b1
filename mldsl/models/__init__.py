"""Pydantic models of the mldsl documents, one module per kind."""

from pydantic import BaseModel

from mldsl.models.module import ModuleDoc
from mldsl.models.pipeline import PipelineDoc
from mldsl.models.project import ProjectDoc
from mldsl.models.serving import ServingDoc
from mldsl.models.sweep import SweepDoc

#: Document kinds this version reads, and their models.
KIND_MODELS: dict[str, type[BaseModel]] = {
    "Project": ProjectDoc,
    "Module": ModuleDoc,
    "Pipeline": PipelineDoc,
    "Sweep": SweepDoc,
    "Serving": ServingDoc,
}

__all__ = ["KIND_MODELS", "ModuleDoc", "PipelineDoc", "ProjectDoc", "ServingDoc", "SweepDoc"]
