"""mldsl: a typed, declarative YAML language for ML workflows.

The language lives here (documents, types, expressions, models, loader,
diagnostics, CLI); ``mldsl.compiler`` turns documents into a versioned IR and
``mldsl.backends`` turns the IR into manifests.
"""

__version__ = "0.1.0"
