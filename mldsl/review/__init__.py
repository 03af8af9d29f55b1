"""Review tooling: semantic diffs, DAG drawings and the sources they read (files, folders, git revisions)."""
