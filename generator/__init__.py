"""Model Energy Cards: validate YAML energy cards and build them into a static site."""

__version__ = "0.1.0"
