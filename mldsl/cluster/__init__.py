"""Talking to a cluster: server-side apply, pruning, submitting and watching runs."""
