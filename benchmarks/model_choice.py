"""Which model should be the default? Backtest every model on the bundled catalogue and on
synthetic series of seven kinds, and print mean log scores (higher is better).

    python benchmarks/model_choice.py [--quick]

The figures quoted in the README come from this script (seed 0).
"""

from __future__ import annotations

import collections
import datetime as dt
import sys
import tempfile

import numpy as np

from drillcast.evaluation.backtest import backtest
from drillcast.data.catalogue import load_catalogue
from drillcast.models import MODELS
from drillcast.data.simulate import write_synthetic


def table(cat, horizon, truth, label):
    res = backtest(cat, cat.series_ids(), horizon=horizon, truth_as_of=truth, paired_draws=200)
    by = collections.defaultdict(lambda: collections.defaultdict(list))
    for f in res.folds:
        by[f["model"]][f["series"]].append(f["scores"]["log_score"])
    rows = []
    for m, per in by.items():
        folds = [x for v in per.values() for x in v]
        rows.append((m, float(np.mean([np.mean(v) for v in per.values()])), float(np.mean(folds)), len(folds)))
    rows.sort(key=lambda r: -r[1])
    print(f"\n{label}, horizon {horizon}: mean log score (mean over series | over folds, n folds)")
    for m, s, f, n in rows:
        print(f"  {m:16s} {s:7.3f} | {f:7.3f}  ({n})")
    return rows


def count_table(cat, horizon, truth, label):
    """Count models on the multi-event series, default outcome model: mean ranked probability score."""
    multi = [s for s in cat.series_ids() if cat.series[s].multi_event]
    print(f"\n{label}, horizon {horizon}: mean count RPS on {len(multi)} multi-event series (lower is better)")
    for counts in ("gamma-poisson", "glm-trend"):
        res = backtest(cat, multi, horizon=horizon, truth_as_of=truth, models=["ensemble"], counts=counts,
                       summary=False)
        per = collections.defaultdict(list)
        for f in res.folds:
            per[f["series"]].append(f["scores"]["count_rps"])
        folds = [x for v in per.values() for x in v]
        print(f"  {counts:16s} {np.mean([np.mean(v) for v in per.values()]):7.3f} | {np.mean(folds):7.3f}  "
              f"({len(folds)})")


def main(argv):
    quick = "--quick" in argv
    cat = load_catalogue()
    today = dt.date(2026, 11, 27)
    for h in (1,) if quick else (1, 3):
        table(cat, h, today, "bundled catalogue")
        count_table(cat, h, today, "bundled catalogue")
    with tempfile.TemporaryDirectory() as tmp:
        path = write_synthetic(tmp, n_series=7 if quick else 28, first_year=1990, last_year=2020, seed=1)
        syn = load_catalogue(path, warn=False)
        table(syn, 1, dt.date(2021, 6, 1), "synthetic series (7 kinds)")
        for h in (1, 3):
            count_table(syn, h, dt.date(2021, 6, 1), "synthetic series")
    print(f"\nmodels: {', '.join(MODELS)}")


if __name__ == "__main__":
    main(sys.argv[1:])
