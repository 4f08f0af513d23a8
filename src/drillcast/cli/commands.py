"""What each command does on parsed options: check options, call :mod:`drillcast.analysis`, render, write.

Kept apart from :mod:`drillcast.cli.main` so the parser module stays standard-library
only; heavy modules are imported inside each command. Nothing here computes:
every number comes from the library call the command names.
"""

from __future__ import annotations

import shlex
import sys

from drillcast._words import plural
from drillcast.cli.output import Progress, emit, frame_csv, to_csv, to_json
from drillcast.errors import OptionError
from drillcast.cli.common import (  # noqa: F401  (shared with ledger_cmd)
    _check_horizon, _check_model, _check_output_early, _format, _inputs, _load, _warn_all, parse_as_of)

__all__ = ["run"]

# --------------------------------------------------------------------------- data


def cmd_data_validate(args):
    from pathlib import Path

    from drillcast.data.catalogue import bundled_path, inspect_file

    fmt = _format(args)
    path = Path(args.path or args.catalogue or bundled_path())
    problems, cat = inspect_file(path)  # reads each file once (a FIFO can be read only once)
    errors = [p for p in problems if p.severity == "error"]
    n_errors, n_warnings = problem_counts(problems)
    if fmt == "json":
        emit(args, to_json({"path": str(path), "valid": not errors, "problems": [p.to_dict() for p in problems]}))
    elif fmt == "csv":
        emit(args, to_csv([p.to_dict() for p in problems],
                          ("path", "line", "column", "found", "expected", "severity"), args.raw))
    else:
        from drillcast.present.text import safe_text

        lines = [safe_text(p) for p in problems]
        if not errors:
            lines.append(f"{safe_text(path)}: valid: {plural(len(cat), 'event')} in "
                         f"{plural(len(cat.series), 'series')}{', ' + n_warnings if problems else ''}")
        if lines:
            emit(args, "\n".join(lines) + "\n")
        if errors:
            sys.stderr.write(f"drillcast: {safe_text(path)}: {n_errors}, {n_warnings}; fix the lines above\n")
    return 2 if errors else 0


def problem_counts(problems) -> tuple[str, str]:
    """"12 errors", "3 warnings" of a problem list; after a capped list the totals found (checking stops at
    the cap of errors, so then "at least")."""
    from drillcast.data.validate import ListingStopped

    last = next((p for p in problems if isinstance(p, ListingStopped)), None)
    listed = [p for p in problems if p is not last]
    n_err = sum(p.severity == "error" for p in listed) + (last.dropped_errors if last else 0)
    n_warn = sum(p.severity == "warning" for p in listed) + (last.dropped_warnings if last else 0)
    more = "at least " if last is not None and not last.complete else ""
    return more + plural(n_err, "error"), more + plural(n_warn, "warning")


def cmd_data_show(args):
    from drillcast.analysis import resolve_series
    from drillcast.data.catalogue import EXERCISE_COLUMNS
    from drillcast.present.text import table

    fmt = _format(args)
    cat = _load(args)
    if args.as_of:
        cat = cat.as_of(parse_as_of(args.as_of))
    sel = resolve_series(cat, args.series)
    recs = [r for s in sel for r in cat.to_records(s)]
    if fmt == "json":
        return emit(args, to_json(recs), _inputs(args))
    if fmt == "csv":
        rows = [r for s in sel for r in cat.to_frame(s).to_dict("records")]
        return emit(args, to_csv(rows, EXERCISE_COLUMNS, args.raw), _inputs(args))
    rows = [[r["id"], r["series"], r["direction"], r["start_date"], r["end_date"], r["status"],
             ";".join(r["participants"]), r["confidence"]] for r in recs]
    head = f"{len(recs)} event{'s' if len(recs) != 1 else ''}" + (
        f" as known on {cat.as_of_date}" if cat.as_of_date else "")
    return emit(args, head + "\n" + table(["id", "series", "direction", "start", "end", "status",
                                           "participants", "confidence"], rows, "l" * 8), _inputs(args))


def series_summary(cat) -> list[dict]:
    """Per series: every event row, the held ones, the primary held ones (what forecasts count), coverage."""
    out = []
    for sid in cat.series_ids():
        info = cat.series[sid]
        evs = cat.events(sid)
        held = [r for r in evs if r["status"] == "held"]
        years = [r["start"].year for r in held]
        out.append({"series": sid, "name": info.name, "kind": info.kind, "directions": list(info.directions),
                    "events": len(evs), "held": len(held), "primary_held": sum(1 for r in held if r["primary"]),
                    "first_year": min(years) if years else None, "last_year": max(years) if years else None,
                    "checked_through": cat.checked_through(sid).isoformat(),
                    "checked_through_inferred": info.checked_inferred})
    return out


def cmd_data_series(args):
    from drillcast.present.text import table

    fmt = _format(args)
    cat = _load(args)
    if args.as_of:
        cat = cat.as_of(parse_as_of(args.as_of))
    rows = series_summary(cat)
    if fmt == "json":
        return emit(args, to_json(rows), _inputs(args))
    if fmt == "csv":
        flat = [dict(r, directions=";".join(r["directions"])) for r in rows]
        return emit(args, to_csv(flat, rows[0].keys() if rows else ["series"], args.raw), _inputs(args))
    text = table(["series", "kind", "events", "held", "primary held", "first", "last", "checked through", "name"],
                 [[r["series"], r["kind"], r["events"], r["held"], r["primary_held"], r["first_year"] or "-",
                   r["last_year"] or "-", r["checked_through"] + ("*" if r["checked_through_inferred"] else ""),
                   r["name"]] for r in rows], "llrrrrrll")
    legend = ("events: every row of the series; held: rows with status held; primary held: the held events "
              "forecasts count (one per year for a single-event series); checked through: sources searched "
              "up to this date")
    if any(r["checked_through_inferred"] for r in rows):
        legend += " (* not recorded: the catalogue's latest report)"
    return emit(args, text + "\n" + legend, _inputs(args))


def cmd_data_import(args):
    from drillcast.data import importers

    if args.import_format == "mme":
        result = importers.import_mme(args.file)
    else:
        mapping = {}
        if args.map_file:
            mapping.update(importers.load_mapping_file(args.map_file))
        if args.map:
            mapping.update(importers.parse_map_option(args.map))
        if not mapping:
            raise OptionError("data import csv: give the column mapping with --map COL=THEIRS,... or --map-file JSON")
        result = importers.import_table(args.file, mapping, source=args.source)
    from drillcast.present.text import safe_lines, safe_text

    sys.stderr.write(safe_lines(result.report_text().rstrip("\n")) + "\n")
    if args.dry_run:
        return 0
    extra = None
    if args.report:  # written with the catalogue, all or nothing
        extra = {args.report: lambda summary: to_json({"import": result.to_dict(), "written": summary.to_dict()})}
    created = _make_folders([args.output] + ([args.report] if args.report else []), args.no_create)
    try:
        summary = importers.write_catalogue(result, args.output, inputs=(args.file,), extra=extra)
    except BaseException:
        for folder in reversed(created):  # leave nothing new behind
            try:
                folder.rmdir()
            except OSError:
                pass
        raise
    for folder in created:
        sys.stderr.write(f"drillcast: created folder {safe_text(folder)}\n")
    sys.stderr.write(safe_lines(summary.text().rstrip("\n")) + "\n")
    return 0


def _make_folders(paths, no_create: bool) -> list:
    """Create the missing folders of output ``paths`` (outermost first); return those created."""
    from pathlib import Path

    from drillcast.errors import OutputError

    created = []
    for p in paths:
        missing = []
        parent = Path(p).parent
        while not parent.exists() and parent != parent.parent:
            missing.append(parent)
            parent = parent.parent
        if missing and no_create:
            raise OutputError(f"{p}: the folder {missing[-1] if len(missing) == 1 else missing[0]} does not exist; "
                              "create it, or leave out --no-create")
        for folder in reversed(missing):
            try:
                folder.mkdir()
            except OSError as exc:
                raise OutputError(f"{folder}: cannot create the folder ({exc.strerror or exc})") from None
            created.append(folder)
    return created


def cmd_data_diff(args):
    from drillcast.cli.ledger_cmd import cmd_data_diff as diff

    return diff(args)


_ADD_FIELDS = {"name": "name", "series": "series", "direction": "direction", "primary": "primary",
               "start": "start_date", "end": "end_date", "status": "status", "first_reported": "first_reported",
               "status_reported": "status_reported", "dates_reported": "dates_reported", "host": "host",
               "participants": "participants", "observers": "observers", "domain": "domain",
               "personnel": "personnel_claimed", "location": "location", "confidence": "confidence",
               "notes": "notes"}
_COLUMN_FLAGS = {v: "--" + k.replace("_", "-") for k, v in _ADD_FIELDS.items()}


def cmd_data_add(args):
    from drillcast.data.edit import add_event
    from drillcast.errors import ParameterError

    fields = {"id": args.id, **{col: getattr(args, opt) for opt, col in _ADD_FIELDS.items()}}
    try:
        res = add_event(args.catalogue, fields, sources=args.source or ())
    except ParameterError as exc:
        if exc.parameter in _COLUMN_FLAGS:
            raise OptionError(f"{_COLUMN_FLAGS[exc.parameter]}: {exc.detail}") from None
        raise
    sys.stderr.write(res.text())
    return 0


def cmd_data_checked(args):
    from drillcast.data.dates import parse_day
    from drillcast.data.edit import mark_checked

    try:
        through = parse_day(args.through, what="--through")
    except ValueError as exc:
        raise OptionError(str(exc)) from None
    res = mark_checked(args.catalogue, args.series, through, args.note)
    sys.stderr.write(res.text())
    return 0


# --------------------------------------------------------------------------- forecast / backtest / test


def cmd_forecast(args):
    from drillcast import analysis

    fmt = _format(args)
    _check_horizon(args)
    _check_model(args.model)
    from drillcast.models.names import check_count_model

    check_count_model(args.counts)
    as_of = parse_as_of(args.as_of)
    _check_output_early(args)
    cat = _load(args)
    sel = analysis.resolve_series(cat, args.series)
    bar = Progress(len(sel), "forecast")
    fs = analysis.forecast(cat, sel, as_of=as_of, model=args.model, horizon=args.horizon, seed=args.seed,
                           counts=args.counts, track_record=not args.no_track_record, progress=bar.step)
    bar.close()
    _warn_all(fs.warnings)
    if fmt == "json":
        return emit(args, to_json(fs.to_dict()), _inputs(args))
    if fmt == "csv":
        return emit(args, frame_csv(fs.to_frame(), args.raw), _inputs(args))
    return emit(args, fs.summary(cat), _inputs(args))


def _parse_cutoffs(text):
    from drillcast.data.dates import parse_day

    out = []
    for part in text.split(","):
        if part.strip():
            try:
                out.append(parse_day(part.strip(), what="--cutoffs date"))
            except ValueError as exc:
                raise OptionError(str(exc)) from None
    if not out:
        raise OptionError("--cutoffs: no dates given; write e.g. --cutoffs 2019-01-01,2020-01-01")
    return out


def cmd_backtest(args):
    from drillcast import analysis
    from drillcast.models.names import check_count_model
    from drillcast.present.render import backtest_text

    fmt = _format(args)
    _check_horizon(args)
    check_count_model(args.counts)
    models = [m.strip() for m in args.models.split(",") if m.strip()] if args.models else None
    for m in models or ():
        _check_model(m, "--models")
    cutoffs = _parse_cutoffs(args.cutoffs) if args.cutoffs else None
    if cutoffs and (args.from_year is not None or args.to_year is not None):
        raise OptionError("--cutoffs cannot be combined with --from/--to; use one or the other")
    if args.from_year is not None and args.to_year is not None and args.from_year > args.to_year:
        raise OptionError(f"--from {args.from_year} is after --to {args.to_year}; swap them")
    as_of = parse_as_of(args.as_of)
    _check_output_early(args)
    cat = _load(args)
    sel = analysis.resolve_series(cat, args.series)
    bar = Progress(len(sel), "backtest")
    res = analysis.backtest(cat, sel, as_of=as_of, cutoffs=cutoffs, from_year=args.from_year, to_year=args.to_year,
                            horizon=args.horizon, models=models, seed=args.seed, counts=args.counts,
                            progress=bar.step)
    bar.close()
    _warn_all(analysis.coverage_warnings(cat, sel, as_of))
    if fmt == "json":
        return emit(args, to_json(res.to_dict()), _inputs(args))
    if fmt == "csv":
        return emit(args, frame_csv(res.folds_frame(), args.raw), _inputs(args))
    return emit(args, backtest_text(res), _inputs(args))


def cmd_test(args):
    from drillcast import analysis

    fmt = _format(args)
    if args.until and args.as_of and args.until != args.as_of:
        raise OptionError("--until and --as-of are the same thing; give one of them")
    as_of = parse_as_of(args.until or args.as_of, "--until" if args.until else "--as-of")
    _check_output_early(args)
    cat = _load(args)
    series = args.series or (["russia-strategic"] if "russia-strategic" in cat.series else None)
    ts = analysis.hypothesis_tests(cat, series, args.kind, as_of=as_of, alpha=args.alpha, draws=args.draws,
                                   seed=args.seed, order=args.order, hypothesis_date=args.date,
                                   correction=args.correction)
    _warn_all(ts.warnings)
    if fmt == "json":
        return emit(args, to_json(ts.to_dict()), _inputs(args))
    if fmt == "csv":
        return emit(args, frame_csv(ts.to_frame(), args.raw), _inputs(args))
    return emit(args, ts.summary(), _inputs(args))


# --------------------------------------------------------------------------- plot / report


def cmd_plot(args):
    import os

    from drillcast import analysis
    from drillcast._io import atomic_write, check_output_path
    from drillcast.present.figures import figure_bytes, output_format

    fmt = output_format(args.output)
    _check_horizon(args)
    _check_model(args.model)
    as_of = parse_as_of(args.as_of)
    inputs = _inputs(args)
    check_output_path(args.output, inputs)
    cat = _load(args)
    ids = cat.series_ids()
    if not ids:
        raise OptionError("the catalogue has no series to plot")
    if args.series:
        sel = analysis.resolve_series(cat, args.series)
    elif args.kind in analysis.MULTI_SERIES_FIGURES:
        sel = ids
    else:
        sel = ["russia-strategic" if "russia-strategic" in cat.series else ids[0]]
    stem, ext = os.path.splitext(args.output)
    groups = [sel] if args.kind in analysis.MULTI_SERIES_FIGURES else [[sid] for sid in sel]
    paths = [args.output] if len(groups) == 1 else [f"{stem}-{g[0]}{ext}" for g in groups]
    for path in paths:
        check_output_path(path, inputs)
    blobs = [figure_bytes(analysis.figure(args.kind, cat, g, as_of=as_of, model=args.model, horizon=args.horizon,
                                          seed=args.seed, test=args.test), fmt) for g in groups]
    _warn_all(analysis.coverage_warnings(cat, sel, as_of))
    for path, data in zip(paths, blobs):
        atomic_write(path, data, inputs)
        sys.stderr.write(f"drillcast: wrote {path}\n")
    return 0


def cmd_report(args, argv):
    from drillcast import analysis
    from drillcast.cli.report_cmd import report_command, report_path

    _check_horizon(args)
    as_of = parse_as_of(args.as_of)
    inputs = _inputs(args)
    path = report_path(getattr(args, "output", None), as_of, inputs)
    cat = _load(args)
    sel = analysis.resolve_series(cat, args.series)
    _warn_all(analysis.coverage_warnings(cat, sel, as_of))
    return report_command(args, cat, sel, as_of, path, inputs, "drillcast " + " ".join(shlex.quote(a) for a in argv))


def run(args, argv) -> int:
    """Dispatch parsed options (argparse has already rejected unknown commands)."""
    if args.command == "data":
        return {"validate": cmd_data_validate, "show": cmd_data_show, "series": cmd_data_series,
                "import": cmd_data_import, "add": cmd_data_add, "checked": cmd_data_checked,
                "diff": cmd_data_diff}[args.data_command](args)
    if args.command == "ledger":
        from drillcast.cli.ledger_cmd import run_ledger

        return run_ledger(args, argv)
    if args.command == "report":
        return cmd_report(args, argv)
    if args.command in ("outlook", "ask"):
        from drillcast.cli.outlook_cmd import cmd_ask, cmd_outlook

        return {"outlook": cmd_outlook, "ask": cmd_ask}[args.command](args)
    return {"forecast": cmd_forecast, "backtest": cmd_backtest, "test": cmd_test, "plot": cmd_plot}[args.command](args)
