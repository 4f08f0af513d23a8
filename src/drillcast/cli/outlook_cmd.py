"""``drillcast outlook`` and ``drillcast ask``: parse, call :func:`drillcast.analysis.outlook` / ``ask``, print.

Standard library only at top level; every number comes from the library call.
"""

from __future__ import annotations

import sys

from drillcast.cli.output import emit, frame_csv, to_json
from drillcast.errors import OptionError

__all__ = ["cmd_outlook", "cmd_ask"]


def cmd_outlook(args):
    from drillcast import analysis
    from drillcast.cli import common as c

    fmt = c._format(args)
    as_of = c.parse_as_of(args.as_of)
    c._check_output_early(args)
    cat = c._load(args)
    o = analysis.outlook(cat, args.series, as_of=as_of, months=args.months, seed=args.seed)
    c._warn_all(o.warnings)
    if fmt == "json":
        return emit(args, to_json(o.to_dict()), c._inputs(args))
    if fmt == "csv":
        return emit(args, frame_csv(o.to_frame(), args.raw), c._inputs(args))
    return emit(args, o.summary(), c._inputs(args))


def _window(args):
    import datetime as dt

    from drillcast.data.dates import parse_day

    if args.year is not None:
        if not 1 <= args.year <= 9999:
            raise OptionError(f"--year: {args.year} is not a calendar year; give e.g. --year 2027")
        return dt.date(args.year, 1, 1), dt.date(args.year, 12, 31)
    try:
        return tuple(parse_day(x, what="--between date") for x in args.between)
    except ValueError as exc:
        raise OptionError(str(exc)) from None


def cmd_ask(args):
    from drillcast import analysis
    from drillcast.cli import common as c
    from drillcast.errors import ParameterError

    fmt = c._format(args, ("table", "json"))
    as_of = c.parse_as_of(args.as_of)
    start, end = _window(args)
    ledger = None
    if args.record:
        ledger = _ledger_for(args, as_of)
    cat = c._load(args)
    try:
        a = analysis.ask(cat, args.series, start=start, end=end, direction=args.direction,
                         participants=args.participant, at_least=args.at_least, as_of=as_of, seed=args.seed)
    except ParameterError as exc:
        if args.year is not None and exc.parameter in ("start", "end"):
            raise OptionError(f"--year: {exc.detail}") from None
        raise
    if ledger is not None:
        from drillcast.ledger_questions import record_question

        entry = record_question(ledger, a, cat)
        sys.stderr.write(f"drillcast: recorded the question as entry {entry['id']} of {ledger.path} "
                         f"(head sha256 {entry['sha256']})\n")
    sys.stdout.write(to_json(a.to_dict()) if fmt == "json" else a.summary())
    return 0


def _ledger_for(args, as_of):
    """The ledger ``--record`` appends to, checked before any work: intact, and ``as_of`` not after today."""
    from pathlib import Path

    from drillcast import analysis
    from drillcast.ledger import DEFAULT_LEDGER, Ledger

    if as_of > analysis.today():
        raise OptionError(f"--as-of: {as_of} is after today ({analysis.today()}, UTC); a ledger records what was "
                          "known when it was said: give today or an earlier date (an earlier one is marked replayed)")
    path = args.ledger or DEFAULT_LEDGER
    if path == DEFAULT_LEDGER:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    ledger = Ledger(path)
    v = ledger.verify() if ledger.path.exists() else None  # a new ledger is created by its first record
    if v is not None and not v.ok:
        raise OptionError(f"--ledger: {v.text()}; nothing was recorded: fix the ledger first "
                          f"(drillcast ledger verify --ledger {ledger.path})")
    return ledger
