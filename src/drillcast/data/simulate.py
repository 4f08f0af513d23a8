"""Synthetic catalogues of known structure: for recovery tests, model choice and benchmarks.

:func:`synthetic_rows` draws series of several kinds, each with a known
generating process:

``annual``      held each year with probability 0.9;
``biennial``    held in even (or odd) years with probability 0.9, else rarely;
``rotating``    a 4-direction calendar cycle with 10 % disruption;
``irregular``   held with probability 0.5, independently;
``ended``       annual for a while, then never again;
``gappy``       annual, but a news-coded source misses 30 % of years;
``multi``       several events a year, Poisson with a log-linear trend.

Start days follow a von Mises law around a series-specific day. Rows are
catalogue rows (dicts with :data:`drillcast.data.catalogue.EXERCISE_COLUMNS`), so
the result goes through the same validation as user data.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
from pathlib import Path

import numpy as np

from drillcast.data.catalogue import EXERCISE_COLUMNS, SERIES_COLUMNS

__all__ = ["KINDS", "synthetic_rows", "write_synthetic"]

KINDS = ("annual", "biennial", "rotating", "irregular", "ended", "gappy", "multi")
DIRECTIONS = ("north", "east", "south", "west")


def _start(rng, year, mu, kappa=40.0):
    doy = int(round(mu + 365.25 / (2 * np.pi) * rng.vonmises(0.0, kappa))) % 365
    return _dt.date(year, 1, 1) + _dt.timedelta(days=doy)


def synthetic_rows(n_series: int = 7, first_year: int = 1990, last_year: int = 2020, seed: int = 0,
                   kinds=KINDS) -> tuple[list[dict], list[dict]]:
    """Event rows and series rows for ``n_series`` synthetic series (kinds cycled in order)."""
    rng = np.random.default_rng(seed)
    events, series = [], []
    years = np.arange(first_year, last_year + 1)
    for s in range(n_series):
        kind = kinds[s % len(kinds)]
        sid = f"syn-{kind}-{s:04d}"
        mu = float(rng.uniform(30, 330))
        rotating = kind == "rotating"
        multi = kind == "multi"
        series.append({"id": sid, "name": f"Synthetic {kind} {s}", "kind": "rotating" if rotating else "recurring",
                       "directions": ";".join(DIRECTIONS) if rotating else "",
                       "events_per_year": "multiple" if multi else "single", "regular_participants": "USA",
                       "organiser": "simulation", "description": kind, "cadence_claims": "", "sources": ""})
        parity = int(rng.integers(2))
        end_year = int(rng.integers(first_year + 8, last_year - 4))
        for i, y in enumerate(years):
            y = int(y)
            if kind == "annual":
                n = int(rng.random() < 0.9)
            elif kind == "biennial":
                n = int(rng.random() < (0.9 if y % 2 == parity else 0.05))
            elif kind == "rotating":
                n = int(rng.random() < 0.9)
            elif kind == "irregular":
                n = int(rng.random() < 0.5)
            elif kind == "ended":
                n = int(y <= end_year and rng.random() < 0.9)
            elif kind == "gappy":
                n = int(rng.random() < 0.9 * 0.7)
            else:
                n = int(rng.poisson(np.exp(0.3 + 0.5 * (y - first_year) / max(1, last_year - first_year))))
            for j in range(n):
                start = _start(rng, y, mu) if j == 0 else _start(rng, y, rng.uniform(0, 365), 2.0)
                events.append({
                    "id": f"{sid.upper()}-{y}-{j}", "name": f"{sid} {y}", "series": sid,
                    "direction": DIRECTIONS[i % 4] if rotating else "", "primary": "yes",
                    "start_date": start.isoformat(), "status": "held",
                    "participants": "USA;GBR" if rng.random() < 0.6 else "GBR",
                    "sources": "https://example.org/synthetic", "confidence": "high",
                })
    return events, series


def _csv(rows, columns) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n", extrasaction="ignore")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def write_synthetic(folder, **kwargs) -> Path:
    """Write ``exercises.csv`` and ``series.csv`` of a synthetic catalogue to ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    events, series = synthetic_rows(**kwargs)
    (folder / "exercises.csv").write_text(_csv(events, EXERCISE_COLUMNS), encoding="utf-8")
    (folder / "series.csv").write_text(_csv(series, SERIES_COLUMNS), encoding="utf-8")
    return folder / "exercises.csv"
