"""What each CLI command does, on parsed options: load, call the library, render, write.

Kept apart from :mod:`drillcast.cli` so the parser module stays
standard-library only; heavy modules are imported inside each command.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import json
import shlex
import sys
import warnings

from drillcast import __version__
from drillcast.errors import OptionError

__all__ = ["run"]

MAX_WARNINGS = 5  # on stderr per command; `data validate` lists every one


# --------------------------------------------------------------------------- helpers


def _today() -> _dt.date:
    from drillcast.data.dates import today

    return today()


def _safe(text) -> str:
    """User text made terminal-safe line by line (newlines kept, control/bidi/escape characters shown)."""
    from drillcast.present.text import safe_lines

    return safe_lines(text)


def parse_as_of(text, option="--as-of") -> _dt.date:
    from drillcast.data.dates import parse_day

    if text is None:
        return _today()
    try:
        return parse_day(text, what=option)
    except ValueError as exc:
        raise OptionError(str(exc)) from None


def _load(args, path=None):
    from drillcast.data.catalogue import load_catalogue

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cat = load_catalogue(path or args.catalogue)
    for w in caught[:MAX_WARNINGS]:
        sys.stderr.write(f"drillcast: warning: {_safe(w.message)}\n")
    if len(caught) > MAX_WARNINGS:
        sys.stderr.write(f"drillcast: ... and {len(caught) - MAX_WARNINGS} more warning(s); "
                         f"'drillcast data validate {cat.path}' lists them all\n")
    return cat


def _series_list(args, catalogue, default="all", only_ok=False):
    raw = []
    for s in args.series or [default]:
        raw += [x.strip() for x in s.split(",") if x.strip()]
    if not raw or "all" in raw:
        return catalogue.series_ids()
    for s in raw:
        catalogue.get_series(s)  # raises OptionError with "did you mean"
    return list(dict.fromkeys(raw))


def _check_positive(value, option, minimum=1):
    if value is not None and value < minimum:
        raise OptionError(f"{option}: {value} is not allowed; give an integer >= {minimum}")


def _inputs(args):
    from drillcast.data.catalogue import bundled_path
    from pathlib import Path

    p = Path(args.catalogue) if args.catalogue else bundled_path()
    return [p, p.with_name("series.csv")]


def _emit(args, text_or_bytes, inputs=()):
    out = getattr(args, "output", None)
    if out and out != "-":
        from drillcast._io import atomic_write

        atomic_write(out, text_or_bytes, inputs)
        sys.stderr.write(f"drillcast: wrote {_safe(out)}\n")
    else:
        if isinstance(text_or_bytes, str) and sys.stdout.isatty():
            text_or_bytes = _safe(text_or_bytes)  # CSV and JSON to a terminal too
        if isinstance(text_or_bytes, bytes):
            sys.stdout.buffer.write(text_or_bytes)
        else:
            sys.stdout.write(text_or_bytes if text_or_bytes.endswith("\n") else text_or_bytes + "\n")
    return 0


def _json(obj) -> str:
    return json.dumps(obj, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _csv(rows: list[dict], columns, raw=False) -> str:
    from drillcast._io import neutralise_cell

    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n", extrasaction="ignore")
    w.writeheader()
    for r in rows:
        w.writerow({k: (v if raw else neutralise_cell(v)) for k, v in r.items()})
    return buf.getvalue()


class Progress:
    """A one-line progress bar on stderr, shown only on a terminal and only once a job takes over a second."""

    def __init__(self, total: int, label: str):
        import time

        self.total, self.label, self.done = total, label, 0
        self._clock = time.monotonic
        self._start = self._clock()
        self._shown = False
        self._tty = sys.stderr.isatty()

    def step(self, *_):
        self.done += 1
        if self._tty and self._clock() - self._start > 1.0:
            width = 30
            full = int(width * self.done / max(self.total, 1))
            sys.stderr.write(f"\r{self.label} [{'#' * full}{'.' * (width - full)}] {self.done}/{self.total}")
            sys.stderr.flush()
            self._shown = True

    def close(self):
        if self._shown:
            sys.stderr.write("\n")


def _progress(items, label):
    """Yield items, with a progress bar on stderr when the loop takes more than a moment."""
    items = list(items)
    bar = Progress(len(items), label)
    for it in items:
        yield it
        bar.step()
    bar.close()


# --------------------------------------------------------------------------- data


def cmd_data_validate(args):
    from pathlib import Path

    from drillcast.data.catalogue import bundled_path, inspect_file

    path = Path(args.path or args.catalogue or bundled_path())
    problems, cat = inspect_file(path)  # reads each file once (a FIFO can be read only once)
    errors = [p for p in problems if p.severity == "error"]
    if args.format == "json":
        sys.stdout.write(_json({"path": str(path), "valid": not errors,
                                "problems": [p.to_dict() for p in problems]}))
    else:
        for p in problems:
            sys.stdout.write(f"{_safe(p)}\n")
        if errors:
            sys.stderr.write(f"drillcast: {_safe(path)}: {len(errors)} error(s), "
                             f"{len(problems) - len(errors)} warning(s); fix the lines above\n")
        else:
            sys.stdout.write(f"{_safe(path)}: valid: {len(cat)} events in {len(cat.series)} series"
                             f"{f', {len(problems)} warning(s)' if problems else ''}\n")
    return 2 if errors else 0


def cmd_data_show(args):
    from drillcast.data.catalogue import EXERCISE_COLUMNS
    from drillcast.present.text import table

    cat = _load(args)
    if args.as_of:
        cat = cat.as_of(parse_as_of(args.as_of))
    sel = _series_list(args, cat)
    recs = [r for s in sel for r in cat.to_records(s)]
    if args.format == "json":
        return _emit(args, _json(recs), _inputs(args))
    if args.format == "csv":
        rows = [r for s in sel for r in cat.to_frame(s).to_dict("records")]
        return _emit(args, _csv(rows, EXERCISE_COLUMNS, args.raw), _inputs(args))
    rows = [[r["id"], r["series"], r["direction"], r["start_date"], r["end_date"], r["status"],
             ";".join(r["participants"]), r["confidence"]] for r in recs]
    head = f"{len(recs)} events" + (f" as known on {cat.as_of_date}" if cat.as_of_date else "")
    return _emit(args, head + "\n" + table(["id", "series", "direction", "start", "end", "status",
                                            "participants", "confidence"], rows, "l" * 8), _inputs(args))


def series_summary(cat) -> list[dict]:
    out = []
    for sid in cat.series_ids():
        info = cat.series[sid]
        evs = [r for r in cat.events(sid)]
        held = [r for r in evs if r["status"] == "held"]
        years = [r["start"].year for r in held]
        out.append({"series": sid, "name": info.name, "kind": info.kind, "directions": list(info.directions),
                    "events": len(evs), "held": len(held),
                    "first_year": min(years) if years else None, "last_year": max(years) if years else None})
    return out


def cmd_data_series(args):
    from drillcast.present.text import table

    cat = _load(args)
    if args.as_of:
        cat = cat.as_of(parse_as_of(args.as_of))
    rows = series_summary(cat)
    if args.format == "json":
        return _emit(args, _json(rows), _inputs(args))
    if args.format == "csv":
        flat = [dict(r, directions=";".join(r["directions"])) for r in rows]
        return _emit(args, _csv(flat, rows[0].keys() if rows else ["series"], args.raw), _inputs(args))
    return _emit(args, table(["series", "kind", "events", "held", "first", "last", "name"],
                             [[r["series"], r["kind"], r["events"], r["held"], r["first_year"] or "-",
                               r["last_year"] or "-", r["name"]] for r in rows], "llrrrrl"), _inputs(args))


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
    sys.stderr.write(_safe(result.report_text().rstrip("\n")) + "\n")
    if args.dry_run:
        return 0
    report = None
    if args.report:
        def report(summary):
            return _json({"import": result.to_dict(), "written": summary.to_dict()})
    summary = importers.write_catalogue(result, args.output, inputs=(args.file,),
                                        extra={args.report: report} if report else None)
    sys.stderr.write(_safe(summary.text().rstrip("\n")) + "\n")
    return 0


# --------------------------------------------------------------------------- forecast


def run_forecasts(cat, series_ids, as_of, *, model="default", horizon=3, seed=0, track_record=True,
                  counts="default"):
    """Forecast every series in ``series_ids`` as of ``as_of``; attach track records."""
    from drillcast.forecasting import Forecaster

    snap = cat.as_of(as_of)
    fcs = [Forecaster(model, counts=counts).fit(snap, sid).forecast(horizon=horizon, seed=seed)
           for sid in _progress(series_ids, "forecast")]
    if track_record:
        from drillcast.evaluation.backtest import track_records

        records = track_records(cat, [f.series for f in fcs if f.ok], as_of, model=model, seed=seed)
        fcs = [f.with_track_record(records[f.series]) if f.ok else f for f in fcs]
    return fcs


STALE_DAYS = 90  # warn when the catalogue's latest report is this much older than the as-of date


def forecast_document(cat, fcs, as_of, seed) -> dict:
    latest = cat.as_of(as_of).latest_report()
    return {"as_of": as_of.isoformat(), "seed": seed, "catalogue_sha256": cat.sha256,
            "drillcast_version": __version__, "catalogue_latest_report": latest.isoformat() if latest else None,
            "forecasts": [f.to_dict() for f in fcs]}


def warn_if_stale(cat, as_of):
    """Say so when the catalogue may not be up to date on the as-of date (forecasts assume it is)."""
    latest = cat.as_of(as_of).latest_report()
    if latest is not None and (as_of - latest).days > STALE_DAYS:
        sys.stderr.write(
            f"drillcast: warning: the catalogue's latest report is {latest}, {(as_of - latest).days} days before "
            f"the as-of date {as_of}; forecasts treat anything it does not record as not having happened "
            "(an exercise held since then looks like a year without one): update the catalogue, or use an "
            "earlier --as-of\n")


def cmd_forecast(args):
    from drillcast.models.names import check_count_model, check_model_name

    _check_positive(args.horizon, "--horizon")
    check_count_model(args.counts)
    if args.model != "default":
        check_model_name(args.model)
    cat = _load(args)
    as_of = parse_as_of(args.as_of)
    sel = _series_list(args, cat)
    fcs = run_forecasts(cat, sel, as_of, model=args.model, horizon=args.horizon, seed=args.seed,
                        track_record=not args.no_track_record, counts=args.counts)
    warn_if_stale(cat, as_of)
    if args.format == "json":
        return _emit(args, _json(forecast_document(cat, fcs, as_of, args.seed)), _inputs(args))
    if args.format == "csv":
        import pandas as pd

        frames = [f.to_frame() for f in fcs if f.ok]
        df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        rows = df.astype(object).where(df.notna(), "").to_dict("records")
        return _emit(args, _csv(rows, df.columns, args.raw), _inputs(args))
    from drillcast.present.render import forecast_text

    return _emit(args, forecast_text(fcs, cat), _inputs(args))


# --------------------------------------------------------------------------- backtest / test / plot / report


def cmd_backtest(args):
    from drillcast.evaluation.backtest import backtest_command

    return backtest_command(args, _load(args), _emit, _json, _csv, _series_list, _inputs(args), Progress)


def cmd_test(args):
    from drillcast.cli.test_cmd import test_command

    return test_command(args, _load(args), _emit, _json, _series_list, parse_as_of)


def cmd_plot(args):
    from drillcast.present.figures import plot_command

    return plot_command(args, _load(args), parse_as_of, _series_list, _inputs(args))


def cmd_report(args, argv):
    from drillcast.present.report import report_command

    return report_command(args, _load(args), parse_as_of, _series_list, _inputs(args),
                          "drillcast " + " ".join(shlex.quote(a) for a in argv))


def run(args, argv) -> int:
    """Dispatch parsed options (argparse has already rejected unknown commands)."""
    if args.command == "data":
        return {"validate": cmd_data_validate, "show": cmd_data_show, "series": cmd_data_series,
                "import": cmd_data_import}[args.data_command](args)
    if args.command == "report":
        return cmd_report(args, argv)
    return {"forecast": cmd_forecast, "backtest": cmd_backtest, "test": cmd_test, "plot": cmd_plot}[args.command](args)

