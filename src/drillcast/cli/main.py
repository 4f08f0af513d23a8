"""The ``drillcast`` command: parse options, call one library function, print.

This module imports only the standard library at top level, so ``drillcast
--help`` and option errors are instant. User errors exit with status 2 and
one message; an interrupt exits 130 (SIGTERM 143, SIGHUP 129) leaving no
partial file; anything else is a bug: a short message, exit 1, and the
traceback only with ``--debug``. Messages are terminal-safe: control, bidi and
escape characters from user text are shown as visible escapes.
"""

from __future__ import annotations

import argparse
import signal
import sys

from drillcast import __version__

ISSUES_URL = "https://github.com/drillcast/drillcast/issues"
FORMATS = ("table", "json", "csv")
TEST_KINDS = ("rotation", "period", "compare", "break", "seasonality", "trend", "participation", "all")
PLOT_KINDS = ("timeline", "rotation", "forecast", "datefan", "seasonality", "transition", "backtest",
              "reliability", "power")


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2, no traceback (argparse's own convention)
        self.print_usage(sys.stderr)
        self.exit(2, f"drillcast: error: {message}\n")


def _add_common(p, *, series=True, as_of=True, fmt=FORMATS, seed=True, output=True):
    if series:
        p.add_argument("--series", action="extend", nargs="+", metavar="S",
                       help="series ids (several after one --series, repeated, or comma-separated; 'all' for every series)")
    if as_of:
        p.add_argument("--as-of", metavar="YYYY-MM-DD", help="knowledge date (default: today's date in UTC)")
    if fmt:
        p.add_argument("--format", choices=fmt, default=fmt[0], help=f"output format (default {fmt[0]})")
    if seed:
        p.add_argument("--seed", type=int, default=0, metavar="K", help="random seed (default 0)")
    if output:
        p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (atomically) instead of stdout")
        p.add_argument("--raw", action="store_true",
                       help="CSV: do not neutralise cells starting with = + - @ (spreadsheet formulas)")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="drillcast", description=(
        "Forecast recurring military exercises and test hypotheses about their rotation, "
        "from a sourced catalogue. 'Today' is the UTC date unless --as-of is given. -o - writes to stdout. "
        "Exit status: 0 ok, 1 internal error, 2 bad input, 130 interrupted (143 SIGTERM, 129 SIGHUP)."))
    p.add_argument("--version", action="version", version=f"drillcast {__version__}")
    p.add_argument("--catalogue", metavar="PATH",
                   help="exercises.csv to use (series.csv is read from the same folder; default: bundled)")
    p.add_argument("--debug", action="store_true", help="show the traceback of internal errors")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    d = sub.add_parser("data", help="validate, show and import catalogues")
    dsub = d.add_subparsers(dest="data_command", metavar="ACTION", parser_class=_Parser)
    dsub.required = True
    v = dsub.add_parser("validate", help="check a catalogue file; one line per problem")
    v.add_argument("path", nargs="?", help="exercises.csv (default: --catalogue or the bundled one)")
    v.add_argument("--format", choices=("text", "json"), default="text")
    s = dsub.add_parser("show", help="list events (as known on --as-of)")
    _add_common(s, seed=False)
    se = dsub.add_parser("series", help="each series with its event count and first and last year")
    _add_common(se, series=False, as_of=True, seed=False)
    im = dsub.add_parser("import", help="convert another dataset into a drillcast catalogue")
    isub = im.add_subparsers(dest="import_format", metavar="FORMAT", parser_class=_Parser)
    isub.required = True
    mme = isub.add_parser("mme", help="Multinational Military Exercises dataset (MME v7) CSV")
    mme.add_argument("file")
    mme.add_argument("-o", "--output", required=True, metavar="CATALOGUE.csv")
    mme.add_argument("--report", metavar="FILE", help="also write the import report (JSON) to FILE")
    mme.add_argument("--dry-run", action="store_true", help="print the import report, write nothing")
    gen = isub.add_parser("csv", help="any CSV table of exercises, with a column mapping")
    gen.add_argument("file")
    gen.add_argument("--map", metavar="COL=THEIRS,...", help="drillcast column = your column, comma-separated")
    gen.add_argument("--map-file", metavar="JSON", help="the same mapping as a JSON object")
    gen.add_argument("--source", metavar="URL", help="source URL for rows without a source column")
    gen.add_argument("-o", "--output", required=True, metavar="CATALOGUE.csv")
    gen.add_argument("--report", metavar="FILE", help="also write the import report (JSON) to FILE")
    gen.add_argument("--dry-run", action="store_true", help="print the import report, write nothing")

    f = sub.add_parser("forecast", help="probabilistic forecasts per series and year")
    _add_common(f)
    f.add_argument("--horizon", type=int, default=3, metavar="N", help="years to forecast (default 3)")
    f.add_argument("--model", default="default", metavar="NAME", help="outcome model (default: per kind of series)")
    f.add_argument("--no-track-record", action="store_true", help="skip the backtest of the model's track record")
    f.add_argument("--counts", default="default", metavar="NAME",
                   help="count model of multi-event series: gamma-poisson or glm-trend (default: gamma-poisson)")

    b = sub.add_parser("backtest", help="as-of backtests with proper scores against baselines")
    _add_common(b, as_of=False)
    b.add_argument("--from", dest="from_year", type=int, metavar="YEAR")
    b.add_argument("--to", dest="to_year", type=int, metavar="YEAR")
    b.add_argument("--cutoffs", metavar="D1,D2,...", help="explicit cutoff dates")
    b.add_argument("--horizon", type=int, default=1, metavar="N", help="years after each cutoff (default 1)")
    b.add_argument("--models", metavar="a,b,...", help="models to compare (default: all)")
    b.add_argument("--counts", default="default", metavar="NAME",
                   help="count model of multi-event series: gamma-poisson or glm-trend (default: gamma-poisson)")

    t = sub.add_parser("test", help="hypothesis tests about the rotation cycle, with power")
    t.add_argument("kind", choices=TEST_KINDS)
    _add_common(t, fmt=("table", "json"), output=True)
    t.add_argument("--until", metavar="YYYY-MM-DD", help="use events up to this date (same as --as-of)")
    t.add_argument("--order", metavar="a,b,c,d", help="hypothesised cyclic order of directions")
    t.add_argument("--alpha", type=float, default=0.05, metavar="A")
    t.add_argument("--draws", type=int, metavar="N", help="Monte Carlo draws")
    t.add_argument("--date", metavar="MM-DD", help="hypothesised date for the seasonality V-test (default: Rayleigh test, no date)")
    t.add_argument("--correction", choices=("holm", "bh"), default="holm", help="multiple-testing correction for 'all'")

    pl = sub.add_parser("plot", help="draw a figure")
    pl.add_argument("kind", choices=PLOT_KINDS)
    _add_common(pl, fmt=None, output=False)
    pl.add_argument("-o", "--output", required=True, metavar="FILE.png|svg|pdf")
    pl.add_argument("--model", default="default", metavar="NAME")
    pl.add_argument("--horizon", type=int, default=3, metavar="N")
    pl.add_argument("--test", default="rotation", metavar="KIND", help="for 'power': which test")

    r = sub.add_parser("report", help="a PDF report an analyst can hand to a reader")
    _add_common(r, fmt=None, output=False)
    r.add_argument("-o", "--output", metavar="PATH", help="default reports/drillcast-<as_of>.pdf")
    r.add_argument("--horizon", type=int, default=3, metavar="N")
    return p


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised like Ctrl-C so that every temporary file is cleaned up on the way out."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _terminate(signum, frame):
    raise Terminated(signum)


def _safe(text) -> str:
    from drillcast.present.text import safe_lines

    return safe_lines(text)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    previous = {}
    try:
        for sig in (signal.SIGTERM, signal.SIGHUP):
            try:
                previous[sig] = signal.signal(sig, _terminate)
            except ValueError:  # not the main thread: leave the handlers alone
                pass
        from drillcast.cli import commands

        return commands.run(args, argv)
    except KeyboardInterrupt as exc:
        signum = getattr(exc, "signum", signal.SIGINT)
        what = "interrupted" if signum == signal.SIGINT else f"terminated by {signal.Signals(signum).name}"
        sys.stderr.write(f"drillcast: {what}; no output was written\n")
        return 128 + signum
    except BrokenPipeError:  # e.g. `drillcast data show | head`
        return 0
    except Exception as exc:  # noqa: BLE001 - the one place that classifies errors
        from drillcast.errors import DrillcastError

        if isinstance(exc, DrillcastError):
            sys.stderr.write(f"drillcast: error: {_safe(exc)}\n")
            return exc.exit_code
        if args.debug:
            raise
        sys.stderr.write(
            f"drillcast: internal error ({type(exc).__name__}: {_safe(exc)}). This is a bug in drillcast, "
            f"not in your data. Please report it at {ISSUES_URL} with the command you ran and the "
            "output of the same command with --debug.\n")
        return 1
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
