"""Which model should be the default? Rolling-origin and leave-series-out backtests on every data set we have.

    python benchmarks/model_choice.py [--quick]

Data sets (one year ahead, forecasts made on 1 January, only what was reported by then):

- the bundled catalogue (9 series), per kind of series (rotating, recurring);
- field-like simulated catalogues: 110 short heterogeneous series each (annual with pauses and
  returns, biennial, irregular, every 3-4 years; series that start and end; drifting start days,
  a quarter at month precision), scored 1995-2010 like the held-out real evaluation of issue 14;
- the seven-kind synthetic catalogue of :mod:`drillcast.data.simulate`;
- the importer fixture of real-format MME rows (``tests/fixtures/import/mme_v7_sample.csv``: a
  handful of series, so its figures are a smoke test, not evidence).

Leave-series-out: each series is forecast by ``Pooled(exclude=(series,))``, which learns its
coefficients from the other series only (the start-day model is the same for every model).

Measures: mean log score of the outcome (directions for rotating series), Brier and log score of
P(held), mean absolute error (days) of the median start on day-precision starts, and coverage of
the 80 % start interval. The figures quoted in the README come from this script (seed 0).
"""

from __future__ import annotations

import collections
import csv
import datetime as dt
import sys
import tempfile
from pathlib import Path

import numpy as np

from drillcast.data.catalogue import EXERCISE_COLUMNS, SERIES_COLUMNS, load_catalogue
from drillcast.data.history import series_history
from drillcast.data.simulate import write_synthetic
from drillcast.evaluation.backtest import backtest
from drillcast.models import DEFAULT_MODEL
from drillcast.models.pooled import Pooled
from drillcast.models.pooled_timing import series_starts

MODELS = ["uniform", "climatology", "persistence", "strict-rotation", "changepoint", "ensemble", "pooled"]
REPO = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------- field-like simulation


def field_like_rows(n_series=110, first_year=1975, last_year=2011, seed=0):
    """Event and series rows of many short, heterogeneous recurring series (see the module)."""
    rng = np.random.default_rng(seed)
    events, series = [], []
    for s in range(n_series):
        sid = f"fld-{s:03d}"
        multi = rng.random() < 0.1
        series.append({"id": sid, "name": f"Field-like {s}", "kind": "recurring", "directions": "",
                       "events_per_year": "multiple" if multi else "single", "regular_participants": "USA",
                       "organiser": "simulation", "description": "", "cadence_claims": "", "sources": ""})
        y0 = int(rng.integers(first_year, last_year - 6))
        y1 = int(rng.integers(y0 + 3, last_year + 1)) if rng.random() < 0.4 else last_year
        kind = rng.choice(["annual", "biennial", "irregular", "period"], p=[0.65, 0.15, 0.12, 0.08])
        p_on, p_back, period, parity = rng.beta(9, 1.5), rng.beta(2, 2), int(rng.integers(3, 5)), y0 % 2
        mu = rng.uniform(0, 365)
        sd = float(np.exp(rng.normal(np.log(15), 0.8)))
        drift = float(np.exp(rng.normal(np.log(5), 0.7)))
        day_precision = rng.random() < 0.75
        last = True
        for y in range(y0, y1 + 1):
            if y == y0:
                held = True
            elif kind == "annual":
                held = rng.random() < (p_on if last else p_back)
            elif kind == "biennial":
                held = rng.random() < (0.9 if y % 2 == parity else 0.08)
            elif kind == "irregular":
                held = rng.random() < 0.45
            else:
                held = rng.random() < (0.85 if (y - y0) % period == 0 else 0.05)
            last = held
            mu = (mu + rng.normal(0, drift)) % 365
            if rng.random() < 0.06:
                mu = rng.uniform(0, 365)
            if not held:
                continue
            for j in range(1 + (int(rng.poisson(1.5)) if multi else 0)):
                doy = int(round(mu + rng.normal(0, sd))) % 365 if j == 0 else int(rng.uniform(0, 365))
                d = dt.date(y, 1, 1) + dt.timedelta(days=doy)
                events.append({"id": f"{sid}-{y}-{j}".upper(), "name": f"{sid} {y}", "series": sid, "direction": "",
                               "primary": "yes", "start_date": d.isoformat() if day_precision else d.isoformat()[:7],
                               "status": "held", "participants": "USA", "sources": "https://example.org/synthetic",
                               "confidence": "high"})
    return events, series


def bursty_rows(n_series=120, first_year=1975, last_year=2011, seed=0, trend=0.08):
    """Event and series rows of irregular, bursty series with gaps (issue 24).

    Most series switch between an active regime (held most years) and a dormant one (held
    rarely), staying in each for a few years; the rest are held at random at a rate between
    0.3 and 0.7; every series is held more often as the years pass (``trend`` on the log-odds per
    year from 1990, as more exercises are held and reported). Their one-year-ahead probabilities
    fall across the middle of [0, 1], where a model that pulls irregular series toward "not held"
    (or follows their past rates) is too low. Start days as in
    :func:`field_like_rows` (a drifting day, a quarter of the series at month precision).
    """
    rng = np.random.default_rng(seed)
    events, series = [], []
    for s in range(n_series):
        sid = f"bst-{s:03d}"
        series.append({"id": sid, "name": f"Bursty {s}", "kind": "recurring", "directions": "",
                       "events_per_year": "single", "regular_participants": "USA", "organiser": "simulation",
                       "description": "", "cadence_claims": "", "sources": ""})
        y0 = int(rng.integers(first_year, last_year - 8))
        regime = rng.random() < 0.7
        p_active, p_dormant = rng.uniform(0.6, 0.95), rng.uniform(0.0, 0.25)
        leave, enter = rng.uniform(0.1, 0.35), rng.uniform(0.15, 0.5)
        rate = rng.uniform(0.3, 0.7)
        active = True
        mu, sd = rng.uniform(0, 365), float(np.exp(rng.normal(np.log(15), 0.8)))
        day_precision = rng.random() < 0.75
        for y in range(y0, last_year + 1):
            if y == y0:
                held = True
            else:
                if regime:
                    active = rng.random() >= leave if active else rng.random() < enter
                p = (p_active if active else p_dormant) if regime else rate
                # more of the series' exercises are held (and reported) as the years go by: a drift the
                # series' own past rates lag behind
                z = np.log(max(p, 0.01)) - np.log(max(1 - p, 0.01)) + trend * (y - 1990)
                held = rng.random() < 1.0 / (1.0 + np.exp(-z))
            mu = (mu + rng.normal(0, 5)) % 365
            if not held:
                continue
            d = dt.date(y, 1, 1) + dt.timedelta(days=int(round(mu + rng.normal(0, sd))) % 365)
            events.append({"id": f"{sid}-{y}".upper(), "name": f"{sid} {y}", "series": sid, "direction": "", "primary": "yes",
                           "start_date": d.isoformat() if day_precision else d.isoformat()[:7], "status": "held",
                           "participants": "USA", "sources": "https://example.org/synthetic", "confidence": "high"})
    return events, series


def write_rows(folder, events, series):
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows, cols in (("exercises.csv", events, EXERCISE_COLUMNS), ("series.csv", series, SERIES_COLUMNS)):
        with open(folder / name, "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=list(cols), lineterminator="\n", extrasaction="ignore")
            w.writeheader()
            w.writerows(rows)
    return folder / "exercises.csv"


# --------------------------------------------------------------------------- measures


def measures(cat, folds, naive=True):
    """Per model: n, log score, Brier / log score of P(held), start MAE and 80 % coverage."""
    by = collections.defaultdict(list)
    for f in folds:
        by[f["model"]].append(f)
    out = {}
    for m, fs in by.items():
        mae, cov = [], []
        for f in fs:
            o = f["observed_start"]
            if o and "/" not in o and f["start"]:
                mae.append(abs((dt.date.fromisoformat(f["start"]["median"]) - dt.date.fromisoformat(o)).days))
                cov.append(f["scores"]["covered_80"])
        out[m] = {"n": len(fs), "log": np.mean([f["scores"]["log_score"] for f in fs]),
                  "brier": np.mean([f["scores"]["held_brier"] for f in fs]),
                  "held_log": np.mean([f["scores"]["held_log_score"] for f in fs]),
                  "mae": np.mean(mae) if mae else np.nan, "cov80": np.mean(cov) if cov else np.nan, "n_start": len(mae)}
    if naive and folds:  # naive start rule: last year's start day, on the same folds
        first = folds[0]["model"]
        err = []
        for f in folds:
            o = f["observed_start"]
            if f["model"] != first or not (o and "/" not in o and f["start"]):
                continue
            ys, days, _ = series_starts(series_history(cat.as_of(dt.date.fromisoformat(f["cutoff"])), f["series"]))
            if len(ys):
                err.append(abs(dt.date.fromisoformat(o).timetuple().tm_yday - 1 - days[-1]))
        out["naive: last year's start"] = {"n": len(err), "mae": np.mean(err) if err else np.nan}
    return out


def reliability(folds, model, edges=(0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)):
    """Rows ``(bin, n, mean forecast, observed rate)`` of ``model``'s P(held) (a reliability table)."""
    p = np.array([f["p_held"] for f in folds if f["model"] == model])
    o = np.array([f["occurred"] for f in folds if f["model"] == model], dtype=float)
    idx = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, len(edges) - 2)
    return [(f"{edges[b]:.1f}-{edges[b + 1]:.1f}", int(np.sum(idx == b)), float(p[idx == b].mean()),
             float(o[idx == b].mean())) for b in range(len(edges) - 1) if np.any(idx == b)]


def show_reliability(label, folds, models):
    print(f"\n{label}: reliability of P(held) (forecast bin: n, mean forecast -> observed rate)")
    for m in models:
        print(f"  {m:12s} " + "  ".join(f"{b} {n}: {f:.2f}->{r:.2f}" for b, n, f, r in reliability(folds, m)))


def show(label, rows):
    print(f"\n{label}")
    print(f"  {'model':26s} {'n':>5s} {'log':>7s} {'Brier':>7s} {'heldlog':>8s} {'startMAE':>9s} {'cov80':>6s}")
    for m, r in sorted(rows.items(), key=lambda kv: -kv[1].get("log", -9)):
        f = lambda k, fmt: format(r[k], fmt) if k in r and not np.isnan(r[k]) else "-"  # noqa: E731
        print(f"  {m:26s} {r['n']:5d} {f('log', '7.3f')} {f('brier', '7.4f')} {f('held_log', '8.4f')} "
              f"{f('mae', '9.1f')} {f('cov80', '6.3f')}")


def rolling(cat, series, truth, models, cutoffs=None, label="", calibration=()):
    res = backtest(cat, series, cutoffs=cutoffs, models=models, truth_as_of=truth, summary=False)
    rows = measures(cat, res.folds)
    show(label, rows)
    if calibration:
        show_reliability(label, res.folds, calibration)
    return rows


def leave_series_out(cat, series, truth, cutoffs=None, label=""):
    folds = []
    for sid in series:
        res = backtest(cat, [sid], cutoffs=cutoffs, models=[Pooled(exclude=(sid,))], truth_as_of=truth,
                       summary=False)
        folds += [dict(f, model="pooled, leave-series-out") for f in res.folds]
    rows = measures(cat, folds, naive=False)
    show(label, rows)
    return rows


def main(argv):
    quick = "--quick" in argv
    print(f"default models: {DEFAULT_MODEL}")
    cat = load_catalogue()
    today = dt.date(2026, 11, 27)
    for kind in ("rotating", "recurring"):
        ids = [s for s in cat.series_ids() if cat.series[s].kind == kind]
        rolling(cat, ids, today, MODELS, label=f"bundled catalogue, {kind} series ({len(ids)}), rolling origin")
        leave_series_out(cat, ids, today, label=f"bundled catalogue, {kind} series, leave-series-out")
    rolling(cat, ["russia-strategic"], today, MODELS, cutoffs=[dt.date(y, 1, 1) for y in range(2013, 2026)],
            label="russia-strategic, 2013-2025 as of 1 January")
    cuts = [dt.date(y, 1, 1) for y in range(1995, 2011)]
    with tempfile.TemporaryDirectory() as tmp:
        for seed in (0,) if quick else (0, 1, 2):
            syn = load_catalogue(write_rows(Path(tmp) / f"f{seed}", *field_like_rows(seed=seed)), warn=False)
            ids = syn.series_ids()
            rolling(syn, ids, dt.date(2011, 6, 1), MODELS, cutoffs=cuts,
                    label=f"field-like simulation, seed {seed} (110 series, 1995-2010), rolling origin")
            if seed == 0:
                leave_series_out(syn, ids[::5], dt.date(2011, 6, 1), cutoffs=cuts,
                                 label="field-like simulation, seed 0, leave-series-out (every fifth series)")
        bst = load_catalogue(write_rows(Path(tmp) / "b", *bursty_rows(seed=0)), warn=False)
        rolling(bst, bst.series_ids(), dt.date(2011, 6, 1), MODELS, cutoffs=cuts, calibration=("pooled", "climatology"),
                label="bursty simulation, seed 0 (120 irregular series with gaps, 1995-2010), rolling origin")
        path = write_synthetic(Path(tmp) / "s", n_series=7 if quick else 28, first_year=1990, last_year=2020, seed=1)
        syn = load_catalogue(path, warn=False)
        for kind in ("rotating", "recurring"):
            ids = [s for s in syn.series_ids() if syn.series[s].kind == kind]
            rolling(syn, ids, dt.date(2021, 6, 1), MODELS,
                    label=f"synthetic series of seven kinds: {kind} ({len(ids)}), rolling origin")
        from drillcast.data.importers import import_mme, write_catalogue

        out = Path(tmp) / "mme" / "exercises.csv"
        out.parent.mkdir()
        write_catalogue(import_mme(REPO / "tests" / "fixtures" / "import" / "mme_v7_sample.csv"), out)
        mme = load_catalogue(out, warn=False)
        rolling(mme, mme.series_ids(), dt.date(2012, 1, 1), MODELS,
                label="importer fixture of real-format MME rows (smoke test: few series-years)")


if __name__ == "__main__":
    main(sys.argv[1:])
