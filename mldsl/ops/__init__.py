"""The use cases, once: what the command line and the studio both call."""
