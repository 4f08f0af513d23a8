"""``drillcast report``: options -> :func:`drillcast.present.report.build_report` -> a PDF written atomically."""

from __future__ import annotations

import os
import sys

from drillcast.errors import OptionError, ParameterError


def report_path(output, as_of, inputs) -> str:
    """The PDF path (``-o`` or the default), checked before any work: a .pdf, not one of ``inputs``."""
    from pathlib import Path

    from drillcast._io import check_output_path
    from drillcast.present.report import default_report_path

    path = output or default_report_path(as_of)
    ext = os.path.splitext(str(path))[1]
    if ext.lower() != ".pdf":
        raise OptionError(f"-o: {path} has {'extension ' + repr(ext) if ext else 'no extension'}; "
                          "the report is a PDF: use .pdf")
    if not output:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    check_output_path(path, inputs)
    return path


def check_ledger(ledger, allow_broken: bool) -> None:
    """The report's ledger verified before any work; a broken one refused unless ``--allow-broken-ledger``."""
    if ledger is None:
        if allow_broken:
            raise OptionError("--allow-broken-ledger: there is no ledger to read; give --ledger PATH")
        return
    from drillcast.ledger import Ledger

    v = Ledger(ledger, archive=False).verify()  # a missing ledger is an error, not an empty record
    if not v.ok and not allow_broken:
        raise OptionError(f"--ledger: {v.text()}; nothing was written: a report is not made from a broken ledger "
                          f"(see 'drillcast ledger verify --ledger {ledger}'), or give --allow-broken-ledger "
                          "to score the entries before it and print the break in the report")


def report_command(args, catalogue, series, as_of, path, inputs, command_line) -> int:
    """Build the report of ``series`` and write it to ``path``; ``--since`` and ``--annex`` map here."""
    from drillcast._io import atomic_write
    from drillcast.present.report import build_report
    from drillcast.ledger import DEFAULT_LEDGER
    from drillcast.present.report.tracking import load_since

    ledger = args.ledger or (DEFAULT_LEDGER if os.path.isfile(DEFAULT_LEDGER) else None)
    check_ledger(ledger, args.allow_broken_ledger)
    since = None
    if args.since:
        try:
            since = load_since(args.since)
        except ParameterError as exc:
            raise OptionError(f"--since: {exc.detail}") from None
    pdf = build_report(catalogue, series, as_of, horizon=args.horizon, seed=args.seed, command_line=command_line,
                       annex=args.annex, since=since, order="given" if args.series else None,
                       ledger=ledger, allow_broken_ledger=args.allow_broken_ledger)
    atomic_write(path, pdf, inputs)
    sys.stderr.write(f"drillcast: wrote {path}\n")
    return 0
