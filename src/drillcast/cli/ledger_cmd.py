"""``drillcast ledger record|verify|score|diff`` and ``drillcast data diff``.

Standard library only at top level (``--help`` imports no numerical library);
the library work is in :mod:`drillcast.ledger` and :mod:`drillcast.data.diff`.
"""

from __future__ import annotations

from drillcast._words import plural

import sys

from drillcast._safe import safe_lines, safe_text
from drillcast.cli.output import Progress, emit, frame_csv, to_csv, to_json, warn
from drillcast.errors import OptionError

__all__ = ["add_ledger_parser", "add_data_diff_parser", "run_ledger", "cmd_data_diff"]

LEDGER_HELP = "path of the ledger (JSON Lines; default reports/ledger.jsonl)"
ALLOW_BROKEN_HELP = ("score the entries before the first bad entry of a broken ledger, and say where it breaks "
                     "(by default a broken ledger is refused)")


def add_ledger_parser(sub, add_globals, add_series):
    """Register ``ledger`` and its actions on the top-level subparsers (``add_globals``/``add_series``
    are :mod:`drillcast.cli.main`'s helpers for the shared options)."""
    led = sub.add_parser("ledger", help="record forecasts when made, score them when reality arrives")
    lsub = led.add_subparsers(dest="ledger_command", metavar="ACTION", parser_class=type(led))
    lsub.required = True
    rec = lsub.add_parser("record", help="forecast now and append one entry per (series, year) to the ledger")
    add_series(rec)
    add_globals(rec, fmt=("table", "json"), output=False)
    rec.add_argument("--model", default="default", metavar="NAME", help="outcome model (default: per kind of series)")
    rec.add_argument("--horizon", type=int, default=3, metavar="N", help="years to forecast, 1-50 (default 3)")
    rec.add_argument("--counts", default="default", metavar="NAME",
                     help="count model of multi-event series: gamma-poisson or glm-trend (default: gamma-poisson)")
    ver = lsub.add_parser("verify", help="recompute the hash chain; exit 2 naming the first entry edited, "
                                         "removed or reordered")
    add_globals(ver, as_of=False, seed=False, fmt=("table", "json"), output=False)
    ver.add_argument("--repair", action="store_true",
                     help="remove a cut-short last line (an interrupted write); nothing else is ever removed")
    sc = lsub.add_parser("score", help="resolve every entry against the catalogue and score the resolved ones")
    add_globals(sc, as_of=False, seed=False)
    sc.add_argument("--allow-broken-ledger", action="store_true", help=ALLOW_BROKEN_HELP)
    df = lsub.add_parser("diff", help="how the forecast of one question moved from entry to entry")
    add_globals(df, as_of=False, seed=False)
    df.add_argument("--series", required=True, metavar="S", help="the series of the question")
    df.add_argument("--year", required=True, type=int, metavar="YEAR", help="the year of the question")
    for p in (rec, ver, sc, df):
        p.add_argument("--ledger", default=None, metavar="PATH", help=LEDGER_HELP)  # None: DEFAULT_LEDGER


def add_data_diff_parser(dsub, add_globals):
    """Register ``data diff OLD NEW``."""
    d = dsub.add_parser("diff", help="events added, removed and changed field by field between two catalogues")
    d.add_argument("old", metavar="OLD.csv", help="the old exercises.csv (its series.csv beside it is compared too)")
    d.add_argument("new", metavar="NEW.csv", help="the new exercises.csv")
    add_globals(d, as_of=False, seed=False)


# --------------------------------------------------------------------------- data diff


def cmd_data_diff(args):
    from drillcast.cli.common import _format
    from drillcast.data.diff import diff_catalogues

    fmt = _format(args)
    inputs = [args.old, args.new]
    _check_output(args, inputs)
    d = diff_catalogues(args.old, args.new)
    if fmt == "json":
        return emit(args, to_json(d.to_dict()), inputs)
    if fmt == "csv":
        return emit(args, to_csv(d.rows(), ["table", "change", "id", "field", "old", "new"], args.raw), inputs)
    return emit(args, d.text(), inputs)


def _check_output(args, inputs):
    """Refuse a bad -o before any work (an input, a missing folder)."""
    if args.output and args.output != "-":
        from drillcast._io import check_output_path

        check_output_path(args.output, inputs)


# --------------------------------------------------------------------------- ledger


def run_ledger(args, argv=()):
    from drillcast.ledger import DEFAULT_LEDGER

    if args.ledger is None:
        args.ledger = DEFAULT_LEDGER
    return {"record": _record, "verify": _verify, "score": _score, "diff": _diff}[args.ledger_command](args)


def _ledger(args):
    from drillcast.ledger import Ledger

    return Ledger(args.ledger)


def _require(ledger):
    if not ledger.path.exists():
        raise OptionError(f"--ledger: {ledger.path}: no such ledger; record forecasts first "
                          f"(drillcast ledger record --ledger {ledger.path})")


def _record(args):
    from pathlib import Path

    from drillcast import analysis
    from drillcast.cli import common as c
    from drillcast.ledger import DEFAULT_LEDGER
    from drillcast.models.names import check_count_model

    fmt = c._format(args, ("table", "json"))
    c._check_horizon(args)
    c._check_model(args.model)
    check_count_model(args.counts)
    as_of = c.parse_as_of(args.as_of)
    if as_of > analysis.today():
        raise OptionError(f"--as-of: {as_of} is after today ({analysis.today()}, UTC); a ledger records what was "
                          "known when it was said: give today or an earlier date (an earlier one is marked replayed)")
    if args.ledger == DEFAULT_LEDGER:
        Path(args.ledger).parent.mkdir(parents=True, exist_ok=True)
    ledger = _ledger(args)
    v = ledger.verify() if ledger.path.exists() else None  # a new ledger is created by its first record
    if v is not None and not v.ok:  # before the forecasts, which take a while
        raise OptionError(f"--ledger: {v.text()}; nothing was recorded: fix the ledger first "
                          f"(drillcast ledger verify --ledger {ledger.path})")
    cat = c._load(args)
    sel = analysis.resolve_series(cat, args.series)
    bar = Progress(len(sel), "forecast")
    fs = analysis.forecast(cat, sel, as_of=as_of, model=args.model, horizon=args.horizon, seed=args.seed,
                           counts=args.counts, track_record=False, progress=bar.step)
    bar.close()
    c._warn_all(fs.warnings)
    res = ledger.record(fs, cat)
    if any(e["replayed"] for e in res.entries):
        sys.stderr.write(f"drillcast: note: as of {as_of}, before today: these entries are marked replayed "
                         "and kept apart from the live record\n")
    sys.stdout.write(to_json(res.to_dict()) if fmt == "json" else safe_lines(res.text()))
    return 0


def _verify(args):
    from drillcast.cli.common import _format

    fmt = _format(args, ("table", "json"))
    ledger = _ledger(args)
    _require(ledger)
    v = ledger.repair() if args.repair else ledger.verify()
    if fmt == "json":
        sys.stdout.write(to_json(v.to_dict()))
    elif v.ok:
        sys.stdout.write(safe_text(v.text()) + "\n")
    if not v.ok:
        sys.stderr.write(f"drillcast: error: {safe_text(v.text())}\n")
        return 2
    return 0


def _fmt(x, digits=3):
    if x is None:
        return "-"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, float):
        return f"{x:.{digits}f}"
    return str(x)


def score_text(score) -> str:
    """The ledger's scores for a terminal: one line per entry, then the live and replayed summaries."""
    from drillcast.present.text import pct, table

    s = score.settings
    out = [f"{score.verification.path}: {len(score.entries)} entries scored against catalogue "
           f"{s['catalogue_sha256'][:12]} on {s['today']}"]
    if not score.verification.ok:
        out.append(f"WARNING: {score.verification.text()}")
    rows = []
    for e in score.entries:
        sc = e["scores"] or {}
        uni = (e["baseline_scores"] or {}).get("uniform", {})
        rows.append([e["id"], e["series"], e["year"], e["model"], e["as_of"], "replayed" if e["replayed"] else "live",
                     e["status"], pct(e["p_held"]), e["observed"] or "-", _fmt(sc.get("log_score")),
                     _fmt(uni.get("log_score")), _fmt(sc.get("brier")), _fmt(sc.get("crps_days"), 1)])
    if rows:
        out.append(table(["id", "series", "year", "model", "as of", "record", "status", "held", "observed",
                          "log score", "uniform", "Brier", "CRPS days"], rows, "rlrllllrlrrrr"))
    for kind in ("live", "replayed"):
        sm = score.summary[kind]
        out.append("")
        out.append(f"{kind}: {sm['n_entries']} entries: {sm['n_resolved']} resolved, {sm['n_pending']} pending, "
                   f"{sm['n_unresolvable']} unresolvable")
        for r in sm["overall"]:
            line = (f"  {r['model']}{' (baseline)' if r['baseline'] else ''}: n = {r['n']}, mean log score "
                    f"{r['mean_log_score']}, Brier {r['mean_brier']}, CRPS {_fmt(r['mean_crps_days'], 1)} days")
            out.append(line)
            for b, v in (r.get("vs_baselines") or {}).items():
                out.append(f"      vs {b}: skill {_fmt(v['skill'])}, paired p = {v['p_value']} (n = {v['n']})")
    unresolvable = [e for e in score.entries if e["status"] == "unresolvable"]
    if unresolvable:
        out.append("")
        out += [f"unresolvable: entry {e['id']} ({e['series']} {e['year']}): {e['reason']}" for e in unresolvable[:10]]
        if len(unresolvable) > 10:
            out.append(f"... and {len(unresolvable) - 10} more (--format json lists every reason)")
    return safe_lines("\n".join(out)) + "\n"


def _score(args):
    from drillcast import analysis
    from drillcast.cli import common as c
    from drillcast.ledger_questions import score_questions

    fmt = c._format(args)
    ledger = _ledger(args)
    _require(ledger)
    inputs = c._inputs(args) + [ledger.path]
    _check_output(args, inputs)
    cat = c._load(args)
    res = ledger.score(cat, today=analysis.today(), allow_broken=args.allow_broken_ledger)
    if not res.verification.ok:
        warn(f"{res.verification.text()}; only the entries before it are scored: "
             f"run 'drillcast ledger verify --ledger {ledger.path}'")
    questions = score_questions(ledger.entries(strict=False), cat, today=analysis.today())  # scored apart
    if fmt == "json":
        return emit(args, to_json({**res.to_dict(), "questions": questions.to_dict()}), inputs)
    if fmt == "csv":  # the yearly forecasts; questions in a second table, told apart by `kind`
        import pandas as pd

        frames = [res.to_frame().assign(kind="forecast"), questions.to_frame().assign(kind="question")]
        return emit(args, frame_csv(pd.concat([f for f in frames if len(f)], ignore_index=True)
                                    if any(len(f) for f in frames) else res.to_frame(), args.raw), inputs)
    return emit(args, score_text(res) + ("\n" + questions.text() if questions.entries else ""), inputs)


def _catalogue_path_for(sha, ledger, current):
    """An exercises.csv with this hash: the ledger's archive, else the current catalogue if it matches."""
    p = ledger.catalogue_files(sha)
    if p is not None:
        return p
    if current is not None and current.sha256 == sha:
        return current.path
    return None


def _diff(args):
    from drillcast.cli import common as c
    from drillcast.data.diff import diff_catalogues
    from drillcast.ledger import question_history

    fmt = c._format(args)
    ledger = _ledger(args)
    _require(ledger)
    _check_output(args, [ledger.path])
    entries = ledger.entries()
    hist = question_history(entries, args.series, args.year)
    if not hist:
        known = sorted({(e["series"], e["year"]) for e in entries if "year" in e})
        raise OptionError(f"--series/--year: the ledger has no entry for {args.series} {args.year}; "
                          f"its questions: {', '.join(f'{s} {y}' for s, y in known[:20]) or 'none'}")
    try:
        current = c._load(args)
    except Exception:  # noqa: BLE001 - the current catalogue only helps find files; it may be gone
        current = None
    for row in hist:
        row["catalogue_diff"] = None
        if row["catalogue_changed"]:
            old = _catalogue_path_for(row["previous_catalogue_sha256"], ledger, current)
            new = _catalogue_path_for(row["catalogue_sha256"], ledger, current)
            if old is not None and new is not None:
                row["catalogue_diff"] = diff_catalogues(old, new).to_dict()
    if fmt == "json":
        return emit(args, to_json({"series": args.series, "year": args.year, "moves": hist}), [ledger.path])
    if fmt == "csv":
        cols = [k for k in hist[0] if k != "catalogue_diff"] + ["catalogue_changes"]
        rows = [dict({k: ("" if v is None else v) for k, v in r.items() if k != "catalogue_diff"},
                     catalogue_changes=_diff_phrase(r)) for r in hist]
        return emit(args, to_csv(rows, cols, args.raw), [ledger.path])
    return emit(args, diff_text(args.series, args.year, hist), [ledger.path])


def _diff_phrase(row) -> str:
    if not row["catalogue_changed"]:
        return ""
    d = row["catalogue_diff"]
    if d is None:
        return (f"catalogue {row['previous_catalogue_sha256'][:12]} -> {row['catalogue_sha256'][:12]} "
                "(files not available)")
    n = d["counts"]
    return (f"{plural(n['added'], 'event')} added, {n['removed']} removed, {n['changed_events']} changed"
            + (f"; {n['series_changed']} series changed" if n["series_changed"] else ""))


def diff_text(series, year, hist) -> str:
    from drillcast.present.text import pct, safe_text, table

    rows = []
    for r in hist:
        ch = r["p_held_change"]
        rows.append([r["id"], r["as_of"], "replayed" if r["replayed"] else "live", r["model"], pct(r["p_held"]),
                     "-" if ch is None else f"{100 * ch:+.0f} pts", r["start_median"] or "-",
                     "-" if r["start_shift_days"] is None else f"{r['start_shift_days']:+d} d",
                     r["top_outcome"] or "-", _diff_phrase(r) or ("-" if r["previous_id"] else "")])
    out = [f"{safe_text(series)} {year}: {len(hist)} entr{'y' if len(hist) == 1 else 'ies'}, by as-of date",
           table(["id", "as of", "record", "model", "held", "change", "median start", "shift", "top outcome",
                  "catalogue"], rows, "rllllrlrll")]
    for r in hist:
        d = r["catalogue_diff"]
        if d and not d["identical"]:
            out.append(f"\ncatalogue changes before entry {r['id']}:")
            lines = [f"  + {x['id']}" for x in d["added"]] + [f"  - {x['id']}" for x in d["removed"]]
            lines += [f"  ~ {x['id']}: {x['field']}: {x['old']!r} -> {x['new']!r}" for x in d["changed"]]
            lines += [f"  ~ series {x['id']}: {x['field']}: {x['old']!r} -> {x['new']!r}" for x in d["series_changed"]]
            out += [safe_text(x) for x in lines[:40]]
            if len(lines) > 40:
                out.append(f"  ... and {len(lines) - 40} more (--format json lists them all)")
    return "\n".join(out) + "\n"
