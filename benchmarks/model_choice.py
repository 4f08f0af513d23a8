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

from drillcast.backtest import backtest
from drillcast.catalogue import load_catalogue
from drillcast.models import MODELS
from drillcast.simulate import write_synthetic


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


def main(argv):
    quick = "--quick" in argv
    cat = load_catalogue()
    today = dt.date(2026, 11, 27)
    for h in (1,) if quick else (1, 3):
        table(cat, h, today, "bundled catalogue")
    with tempfile.TemporaryDirectory() as tmp:
        path = write_synthetic(tmp, n_series=7 if quick else 28, first_year=1990, last_year=2020, seed=1)
        table(load_catalogue(path), 1, dt.date(2021, 6, 1), "synthetic series (7 kinds)")
    print(f"\nmodels: {', '.join(MODELS)}")


if __name__ == "__main__":
    main(sys.argv[1:])
