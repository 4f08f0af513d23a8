"""Every file a command will read, from its parsed options: what no ``-o`` may replace.

The command line notes these with :func:`drillcast._io.note_inputs` before the command runs
(files read along the way are noted as they are read), so the one output guard in
:mod:`drillcast._io` knows them all before anything is written.
"""

from __future__ import annotations

import os

__all__ = ["declared_inputs"]


def _with_series(path) -> list[str]:
    """A catalogue and its ``series.csv``, beside the name given and beside the file it resolves to."""
    if path is None:
        return []
    path = os.fspath(path)
    out = [path]
    for p in (path, os.path.realpath(path)):
        out.append(os.path.join(os.path.dirname(p), "series.csv"))
    return out


def declared_inputs(args) -> tuple[list[str], list[str]]:
    """``(files, folders)`` the command of ``args`` reads: catalogue and ``series.csv``, compared catalogues,
    ledger and its archive of catalogues, ``--since``, import inputs and mapping files."""
    from drillcast.data.catalogue import bundled_path

    files: list[str] = []
    folders: list[str] = []
    files += _with_series(getattr(args, "catalogue", None) or bundled_path())
    if getattr(args, "data_command", None) == "validate":
        files += _with_series(getattr(args, "path", None))
    for name in ("old", "new"):  # data diff
        files += _with_series(getattr(args, name, None))
    for name in ("file", "map_file", "since"):  # import inputs, the mapping, report --since
        if getattr(args, name, None):
            files.append(os.fspath(getattr(args, name)))
    ledger = getattr(args, "ledger", None)
    if ledger is None and getattr(args, "command", None) in ("ledger", "report"):
        from drillcast.ledger import DEFAULT_LEDGER

        ledger = DEFAULT_LEDGER  # the report reads it when it exists
    if ledger:
        files.append(os.fspath(ledger))
        for p in (os.fspath(ledger), os.path.realpath(ledger)):
            folders.append(p + ".catalogues")
    return files, folders
