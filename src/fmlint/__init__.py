"""fmlint: validate and lint the YAML front-matter of article files."""

__version__ = "0.1.0"
