"""The ``drillcast`` command: parse options, call one library function, print.

This module imports only the standard library at top level, so ``drillcast
--help`` and option errors are instant. User errors exit with status 2 and
one message; an interrupt exits 130 (SIGTERM 143, SIGHUP 129) leaving no partial file; anything else is
a bug: a short message, exit 1, and the traceback only with ``--debug``.

Global options (``--catalogue``, ``--as-of``, ``--seed``, ``--format``, ``-o``,
``--debug``) are accepted before or after the subcommand wherever they make
sense: each is declared on the main parser and on every subcommand that uses
it, with a suppressed default, and :func:`_fill_defaults` supplies the
defaults once both have been parsed.
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
              "reliability", "power", "map", "outlook")
GLOSSARY = "see 'Glossary' in the README for log score, Brier, CRPS, coverage, power, as of, checked through"

# The Python parameter each library ParameterError names -> the option a user typed.
PARAMETER_FLAGS = {
    "as_of": "--as-of", "horizon": "--horizon", "series": "--series", "model": "--model", "models": "--models",
    "counts": "--counts", "seed": "--seed", "alpha": "--alpha", "draws": "--draws", "order": "--order",
    "hypothesis_date": "--date", "correction": "--correction", "cutoffs": "--cutoffs", "from_year": "--from",
    "to_year": "--to", "kind": "KIND", "test": "--test", "catalogue": "--catalogue", "path": "--catalogue",
    "months": "--months", "direction": "--direction", "participants": "--participant", "at_least": "--at-least",
    "start": "--between", "end": "--between",
}
DEFAULTS = {"catalogue": None, "as_of": None, "seed": 0, "format": None, "output": None, "debug": False,
            "raw": False}


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2, no traceback (argparse's own convention)
        self.print_usage(sys.stderr)
        self.exit(2, f"drillcast: error: {message}\n")


def _globals(p, *, as_of=True, seed=True, fmt=True, output=True, top=False):
    """The options shared by every command, with defaults suppressed (filled in after parsing)."""
    S = argparse.SUPPRESS
    p.add_argument("--catalogue", metavar="PATH", default=S,
                   help="exercises.csv to use (series.csv is read from the same folder; default: bundled)")
    p.add_argument("--debug", action="store_true", default=S, help="show the traceback of internal errors")
    if as_of:
        p.add_argument("--as-of", metavar="YYYY-MM-DD", default=S,
                       help="knowledge date: use only what was reported by the end of this day "
                            "(default: today's date in UTC)")
    if seed:
        p.add_argument("--seed", type=int, metavar="K", default=S, help="seed of every random draw (default 0)")
    if fmt:
        p.add_argument("--format", metavar="FMT", default=S,
                       help="output format: " + (", ".join(fmt) if isinstance(fmt, tuple) else "table, json or csv")
                            + (" (default table)" if not top else ""))
    if output:
        p.add_argument("-o", "--output", metavar="FILE", default=S,
                       help="write to FILE (atomically; '-' for stdout) instead of stdout")
        p.add_argument("--raw", action="store_true", default=S,
                       help="CSV: do not neutralise cells starting with = + - @ (spreadsheet formulas)")


def _series(p):
    p.add_argument("--series", action="extend", nargs="+", metavar="S",
                   help="series ids (several after one --series, repeated, or comma-separated; 'all' for every series)")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="drillcast", description=(
        "Forecast recurring military exercises and test hypotheses about their rotation, "
        "from a sourced catalogue. Exit status: 0 ok, 1 internal error, 2 bad input, 130 interrupted "
        "(143 SIGTERM, 129 SIGHUP). "
        f"Terms: {GLOSSARY}."))
    p.add_argument("--version", action="version", version=f"drillcast {__version__}")
    _globals(p, top=True)
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    d = sub.add_parser("data", help="validate, show, edit, compare and import catalogues")
    dsub = d.add_subparsers(dest="data_command", metavar="ACTION", parser_class=_Parser)
    dsub.required = True
    v = dsub.add_parser("validate", help="check a catalogue file; one line per problem")
    v.add_argument("path", nargs="?", help="exercises.csv (default: --catalogue or the bundled one)")
    _globals(v, as_of=False, seed=False, fmt=("table", "json", "csv"), output=True)
    s = dsub.add_parser("show", help="list events (as known on --as-of)")
    _series(s)
    _globals(s, seed=False)
    se = dsub.add_parser("series", help="each series: events, held, first and last year, checked through")
    _globals(se, seed=False)
    im = dsub.add_parser("import", help="convert another dataset into a drillcast catalogue")
    isub = im.add_subparsers(dest="import_format", metavar="FORMAT", parser_class=_Parser)
    isub.required = True
    mme = isub.add_parser("mme", help="Multinational Military Exercises dataset (MME v7) CSV")
    gen = isub.add_parser("csv", help="any CSV table of exercises, with a column mapping")
    for q in (mme, gen):
        q.add_argument("file")
        _globals(q, as_of=False, seed=False, fmt=False, output=False)
        q.add_argument("-o", "--output", required=True, metavar="CATALOGUE.csv")
        q.add_argument("--report", metavar="FILE", help="also write the import report (JSON) to FILE")
        q.add_argument("--dry-run", action="store_true", help="print the import report, write nothing")
        q.add_argument("--no-create", action="store_true",
                       help="refuse to create missing output folders (by default they are created, and said so)")
    gen.add_argument("--map", metavar="COL=THEIRS,...", help="drillcast column = your column, comma-separated")
    gen.add_argument("--map-file", metavar="JSON", help="the same mapping as a JSON object")
    gen.add_argument("--source", metavar="URL", help="source URL for rows without a source column")
    _add_data_edit_commands(dsub)

    from drillcast.cli.ledger_cmd import add_data_diff_parser, add_ledger_parser

    add_data_diff_parser(dsub, _globals)
    add_ledger_parser(sub, _globals, _series)

    _add_outlook_commands(sub)

    f = sub.add_parser("forecast", help="probabilistic forecasts per series and year")
    _series(f)
    _globals(f)
    f.add_argument("--horizon", type=int, default=3, metavar="N", help="years to forecast, 1-50 (default 3)")
    f.add_argument("--model", default="default", metavar="NAME", help="outcome model (default: per kind of series)")
    f.add_argument("--no-track-record", action="store_true", help="skip the backtest of the model's track record")
    f.add_argument("--counts", default="default", metavar="NAME",
                   help="count model of multi-event series: gamma-poisson or glm-trend (default: gamma-poisson)")

    b = sub.add_parser("backtest", help="as-of backtests with proper scores against baselines")
    _series(b)
    _globals(b)
    b.add_argument("--from", dest="from_year", type=int, metavar="YEAR", help="first year to forecast")
    b.add_argument("--to", dest="to_year", type=int, metavar="YEAR", help="last year to forecast")
    b.add_argument("--cutoffs", metavar="D1,D2,...", help="explicit cutoff dates (instead of 1 January of each year)")
    b.add_argument("--horizon", type=int, default=1, metavar="N", help="years after each cutoff, 1-50 (default 1)")
    b.add_argument("--models", metavar="a,b,...", help="models to compare (default: all)")
    b.add_argument("--counts", default="default", metavar="NAME",
                   help="count model of multi-event series: gamma-poisson or glm-trend (default: gamma-poisson)")

    t = sub.add_parser("test", help="hypothesis tests about the rotation cycle, with power")
    t.add_argument("kind", choices=TEST_KINDS)
    _series(t)
    _globals(t)
    t.add_argument("--until", metavar="YYYY-MM-DD", help="use events up to this date (same as --as-of)")
    t.add_argument("--order", metavar="a,b,c,d", help="hypothesised cyclic order of directions")
    t.add_argument("--alpha", type=float, default=0.05, metavar="A", help="significance level (default 0.05)")
    t.add_argument("--draws", type=int, metavar="N", help="Monte Carlo draws")
    t.add_argument("--date", metavar="MM-DD", help="hypothesised date for the seasonality V-test (default: Rayleigh test, no date)")
    t.add_argument("--correction", choices=("holm", "bh"), default="holm", help="multiple-testing correction for 'all'")

    pl = sub.add_parser("plot", help="draw a figure (one file per series; map, outlook: one file for all)")
    pl.add_argument("kind", choices=PLOT_KINDS)
    _series(pl)
    _globals(pl, fmt=False, output=False)
    pl.add_argument("-o", "--output", required=True, metavar="FILE.png|svg|pdf",
                    help="with several series, one file each: FILE-<series>.png (map, outlook: one file)")
    pl.add_argument("--model", default="default", metavar="NAME")
    pl.add_argument("--horizon", type=int, default=3, metavar="N", help="years to forecast, 1-50 (default 3)")
    pl.add_argument("--test", default="rotation", metavar="KIND", help="for 'power': which test")

    r = sub.add_parser("report", help="a PDF report an analyst can hand to a reader")
    _series(r)
    _globals(r, fmt=False, output=False)
    r.add_argument("-o", "--output", metavar="PATH", default=argparse.SUPPRESS,
                   help="default reports/drillcast-<as_of>.pdf")
    r.add_argument("--horizon", type=int, default=3, metavar="N", help="years to forecast, 1-50 (default 3)")
    r.add_argument("--annex", action=argparse.BooleanOptionalAction, default=True,
                   help="hypothesis tests, methods, limitations, data appendix, reproducibility (default: on)")
    r.add_argument("--since", metavar="PREVIOUS.json", help="add 'What changed' against an earlier "
                   "'drillcast forecast --format json' document")
    r.add_argument("--ledger", metavar="PATH", help="add 'Live record' (the forecasts recorded in this ledger, "
                   "scored) and 'What changed' since its latest earlier forecast (default: reports/ledger.jsonl "
                   "when it exists); a broken ledger is refused")
    r.add_argument("--allow-broken-ledger", action="store_true",
                   help="score the entries before the ledger's first bad entry, and print the break in the report")
    return p


def _add_outlook_commands(sub) -> None:
    """``outlook`` (the months after the as-of date) and ``ask`` (one question, one probability)."""
    o = sub.add_parser("outlook", help="the next N months from the as-of date: what to expect, when, with whom, "
                                       "how sure; and what to verify")
    _series(o)
    _globals(o)
    o.add_argument("--months", type=int, default=12, metavar="N", help="length of the window, 1-36 (default 12)")
    a = sub.add_parser("ask", help="one question, one probability: will at least K events of a series start in "
                                   "a window?")
    a.add_argument("--series", required=True, metavar="S", help="the series (one id)")
    when = a.add_mutually_exclusive_group(required=True)
    when.add_argument("--year", type=int, metavar="Y", help="the calendar year Y (1 January to 31 December)")
    when.add_argument("--between", nargs=2, metavar=("START", "END"), help="from START to END, both included")
    a.add_argument("--direction", metavar="D", help="count only events of this direction (rotating series)")
    a.add_argument("--participant", action="extend", nargs="+", metavar="ISO3", default=[],
                   help="count only events in which every listed country takes part")
    a.add_argument("--at-least", type=int, default=1, metavar="K", help="events needed for yes (default 1)")
    _globals(a, fmt=("table", "json"), output=False)
    a.add_argument("--record", action="store_true", help="append the question and its answer to the ledger")
    a.add_argument("--ledger", default=None, metavar="PATH",
                   help="the ledger --record appends to (default reports/ledger.jsonl)")


def _add_data_edit_commands(dsub) -> None:
    """``data add``, ``data checked`` and ``data diff``: keep the catalogue current without editing CSV."""
    a = dsub.add_parser("add", help="add an event, or record a status change of an existing one (--id)")
    _globals(a, as_of=False, seed=False, fmt=False, output=False)
    a.add_argument("--id", required=True, help="event id, e.g. RU-2026-TSENTR (an existing id changes its status)")
    for name, hlp in (("name", "name as reported, e.g. Tsentr-2026"), ("series", "series id"),
                      ("direction", "direction (rotating series)"), ("primary", "yes or no (default yes)"),
                      ("start", "start date YYYY[-MM[-DD]]"), ("end", "end date YYYY[-MM[-DD]]"),
                      ("status", "held, announced, cancelled or postponed"),
                      ("first-reported", "date the event first became public"),
                      ("status-reported", "date a cancellation or postponement was first reported"),
                      ("dates-reported", "date the start date was announced"),
                      ("host", "ISO3 codes separated by ';'"), ("participants", "ISO3 codes separated by ';'"),
                      ("observers", "ISO3 codes separated by ';'"), ("domain", "e.g. joint;land"),
                      ("personnel", "claimed personnel with who claimed it and when"),
                      ("location", "free text"), ("source", "source URL (repeat for several)"),
                      ("confidence", "high, medium or low"), ("notes", "disagreements and judgement calls")):
        a.add_argument(f"--{name}", action="append" if name == "source" else "store", help=hlp)
    c = dsub.add_parser("checked", help="record that a series' sources were searched through a date")
    _globals(c, as_of=False, seed=False, fmt=False, output=False)
    c.add_argument("--series", required=True, metavar="S")
    c.add_argument("--through", required=True, metavar="YYYY-MM-DD")
    c.add_argument("--note", required=True, metavar="TEXT", help="what was searched: agencies, ministries, languages")


def _fill_defaults(args) -> None:
    for k, v in DEFAULTS.items():
        if not hasattr(args, k):
            setattr(args, k, v)


def _flag_message(exc) -> str:
    from drillcast.errors import ParameterError

    if isinstance(exc, ParameterError):
        flag = PARAMETER_FLAGS.get(exc.parameter, "--" + exc.parameter.replace("_", "-"))
        return f"{flag}: {exc.detail}"
    return str(exc)


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised like Ctrl-C so that every temporary file is cleaned up on the way out."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _terminate(signum, frame):
    raise Terminated(signum)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    _fill_defaults(args)
    previous = {}
    try:
        for sig in (signal.SIGTERM, signal.SIGHUP):
            try:
                previous[sig] = signal.signal(sig, _terminate)
            except ValueError:  # not the main thread: leave the handlers alone
                pass
        from drillcast._io import guard_outputs, note_inputs
        from drillcast.cli import commands
        from drillcast.cli.inputs import declared_inputs

        from drillcast._params import check_seed

        check_seed(args.seed)  # before any work, for every command that takes --seed
        with guard_outputs():  # no output of this command may replace a file it reads
            files, folders = declared_inputs(args)
            note_inputs(*files)
            note_inputs(*folders, folder=True)
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
            from drillcast.present.text import safe_text

            msg = _flag_message(exc)
            sys.stderr.write("drillcast: error: " + "\n".join(safe_text(line) for line in msg.split("\n")) + "\n")
            return exc.exit_code
        if args.debug:
            raise
        from drillcast.present.text import safe_lines

        sys.stderr.write(
            f"drillcast: internal error ({type(exc).__name__}: {safe_lines(exc)}). This is a bug in drillcast, "
            f"not in your data. Please report it at {ISSUES_URL} with the command you ran and the "
            "output of the same command with --debug.\n")
        return 1
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
