"""Helpers every command module shares: option checks, catalogue loading, the inputs of a command.

Imported by :mod:`drillcast.cli.commands` and :mod:`drillcast.cli.ledger_cmd`; imports neither."""

from __future__ import annotations

import warnings

from drillcast.cli.output import MAX_WARNINGS, warn
from drillcast.errors import OptionError


def parse_as_of(text, option="--as-of"):
    """The as-of date of an option (default today, UTC), checked against the range drillcast can reason about."""
    from drillcast.analysis import check_as_of
    from drillcast.data.dates import parse_day

    if text is None:
        return check_as_of(None)
    try:
        day = parse_day(text, what=option)
    except ValueError as exc:
        raise OptionError(str(exc)) from None
    return check_as_of(day, parameter="as_of" if option == "--as-of" else option.lstrip("-").replace("-", "_"))


def _format(args, allowed=("table", "json", "csv")) -> str:
    fmt = args.format or allowed[0]
    if fmt == "text" and "table" in allowed:  # the word `data validate` used to take
        fmt = "table"
    if fmt not in allowed:
        from drillcast.errors import did_you_mean

        raise OptionError(f"--format: {fmt!r} is not a format of 'drillcast {args.command}'"
                          f"{did_you_mean(fmt, allowed)}; choose from {', '.join(allowed)}")
    return fmt


def _load(args, path=None):
    from drillcast.data.catalogue import load_catalogue

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cat = load_catalogue(path or args.catalogue)
    for w in caught[:MAX_WARNINGS]:
        warn(str(w.message))
    if len(caught) > MAX_WARNINGS:
        warn(f"... and {len(caught) - MAX_WARNINGS} more; 'drillcast data validate {cat.path}' lists them all")
    return cat


def _inputs(args):
    from pathlib import Path

    from drillcast.data.catalogue import bundled_path

    p = Path(args.catalogue) if args.catalogue else bundled_path()
    return [p, p.with_name("series.csv")]


def _check_horizon(args):
    from drillcast.analysis import check_horizon

    check_horizon(args.horizon)


def _check_model(name, option="--model"):
    from drillcast.models.names import check_model_name

    if name != "default":
        check_model_name(name, option.lstrip("-"))  # the parameter the CLI maps back to the option


def _check_output_early(args):
    """Refuse a bad -o before any work (an input, a missing folder)."""
    out = getattr(args, "output", None)
    if out and out != "-":
        from drillcast._io import check_output_path

        check_output_path(out, _inputs(args))


def _warn_all(messages):
    for m in messages:
        warn(m)
