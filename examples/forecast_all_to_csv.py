"""Forecast the next three years of every series in the bundled catalogue and save a CSV.

Usage: python examples/forecast_all_to_csv.py [OUT.csv] [AS_OF]
"""

import datetime as dt
import sys

import pandas as pd

from drillcast import Forecaster, load_catalogue

out = sys.argv[1] if len(sys.argv) > 1 else "forecasts.csv"
as_of = dt.date.fromisoformat(sys.argv[2]) if len(sys.argv) > 2 else dt.date(2026, 1, 1)

catalogue = load_catalogue()
snapshot = catalogue.as_of(as_of)  # only what was reported by the as-of date
frames = []
for series in catalogue.series_ids():
    fc = Forecaster().fit(snapshot, series).forecast(horizon=3, seed=0)
    if fc.ok:
        frames.append(fc.to_frame())
    else:
        print(f"{series}: {fc.status} ({fc.reason})")
table = pd.concat(frames, ignore_index=True)
table.to_csv(out, index=False)
print(f"wrote {len(table)} rows for {table['series'].nunique()} series to {out}")
print(table[["series", "year", "p_held", "start_median"]].to_string(index=False))
