"""The canonical key order ``fmt`` writes, shared by the formatter and its fast check of canonical text."""

TOP_ORDER = ("apiVersion", "kind", "metadata", "spec")
METADATA_ORDER = ("name", "version", "description", "labels", "annotations")
