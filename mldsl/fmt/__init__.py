"""Canonical formatting of the language's YAML, comments kept."""
