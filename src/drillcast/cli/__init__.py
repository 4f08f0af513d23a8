"""The ``drillcast`` command line: the only layer that knows about flags and exit codes.

Importing this package imports only the standard library, so ``drillcast --help`` is instant.
"""

from drillcast.cli.main import build_parser, main

__all__ = ["main", "build_parser"]
