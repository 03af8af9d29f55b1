"""The language core: what a value, a param and a document mean, apart from any command."""
