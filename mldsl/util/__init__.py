"""Small helpers with no knowledge of the language: atomic writes, YAML output."""
