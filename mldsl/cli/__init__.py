"""The command line: thin click adapters over mldsl.ops."""
