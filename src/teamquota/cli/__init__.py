"""The ``teamquota`` command line: a thin Typer skin over the library (one call per command)."""
