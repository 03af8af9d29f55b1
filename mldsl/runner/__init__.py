"""``mldsl run``: execute a pipeline's compiled Argo workflow on this machine (SPEC §1.11).

The runner reads the manifests ``mldsl compile`` writes, as a cluster would,
and follows Argo's rules for what mldsl emits (each rule cites the
argo-workflows v4.1.2 source it follows). It never reads the IR or the YAML:
what runs locally is what ships.
"""
