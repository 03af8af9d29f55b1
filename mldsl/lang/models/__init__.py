"""The document models: pydantic classes, one module per kind (``kinds.KIND_MODELS``).

Nothing is imported here: the checks (``checks.py``) and computed properties (``behaviour.py``) are
free of pydantic, and ``fast.py`` validates a document from the frozen core schemas without building
the pydantic classes, which the CLI pays for only when a document has errors to explain.
"""
