"""``drillcast report``: options -> :func:`drillcast.present.report.build_report` -> a PDF written atomically."""

from __future__ import annotations

import os
import sys

from drillcast.errors import OptionError, ParameterError


def report_command(args, catalogue, parse_as_of, series_list, inputs, command_line) -> int:
    """``drillcast report [--series S ...] [--as-of D] [--horizon N] [--seed K] [-o PATH]``."""
    from pathlib import Path

    from drillcast._io import check_output_path
    from drillcast.present.report import build_report, default_report_path, write_report

    as_of = parse_as_of(args.as_of)
    horizon = getattr(args, "horizon", 3)
    if horizon is None or horizon < 1:
        raise OptionError(f"--horizon: {horizon} is not allowed; give an integer >= 1")
    path = args.output or default_report_path(as_of)
    ext = os.path.splitext(str(path))[1]
    if ext.lower() != ".pdf":
        raise OptionError(f"-o: {path} has {'extension ' + repr(ext) if ext else 'no extension'}; "
                          "the report is a PDF: use .pdf")
    if not args.output:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    check_output_path(path, inputs)
    series = series_list(args, catalogue)
    since = None
    if args.since:
        from drillcast.present.report.front import load_since

        try:
            since = load_since(args.since)
        except ParameterError as exc:
            raise OptionError(f"--since: {exc.detail}") from None
    pdf = build_report(catalogue, series, as_of, horizon=horizon, seed=getattr(args, "seed", 0),
                       command_line=command_line, annex=args.annex, since=since,
                       order="given" if args.series else None)
    write_report(path, pdf, inputs)
    sys.stderr.write(f"drillcast: wrote {path}\n")
    return 0
