"""How Argo reads what mldsl compiles: its template substitution and expression language.

Used by the local runner (``mldsl run``) and by the runtime-rules tests, so that both
resolve a compiled manifest the way the Argo controller would.
"""
