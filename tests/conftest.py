"""Shared fixtures: small hand-written catalogues written to a temporary folder."""

from __future__ import annotations

import calendar
import csv
import datetime as dt
from pathlib import Path

import pytest

from drillcast.data.catalogue import EXERCISE_COLUMNS, SERIES_COLUMNS, load_catalogue

REPO = Path(__file__).resolve().parents[1]
SRC = "https://example.org/source"

ROT_SERIES = {"id": "rot", "name": "Rotating test series", "kind": "rotating", "directions": "a;b;c;d",
              "events_per_year": "single", "regular_participants": "CHN",
              # test catalogues are complete: the catalogue's silence is evidence up to any as-of date
              "checked_through": "2099-12-31"}
REC_SERIES = {"id": "rec", "name": "Recurring test series", "kind": "recurring", "directions": "",
              "events_per_year": "multiple", "regular_participants": "RUS", "checked_through": "2099-12-31"}


def codebook_known_from(row: dict) -> dt.date:
    """The day an event became public, from its CSV text, by the codebook alone (data/README.md).

    §4 rule 1: ``first_reported`` if non-empty, else ``start_date``. §3: a
    knowledge date resolves to the last day of its period (``2022-12`` is
    2022-12-31, ``2008`` is 2008-12-31). Written here from the codebook, not
    from drillcast's own helpers, so that it can disagree with them.
    """
    text = (row.get("first_reported") or "").strip() or row["start_date"].strip()
    parts = [int(x) for x in text.split("-")]
    if len(parts) == 1:
        return dt.date(parts[0], 12, 31)
    if len(parts) == 2:
        return dt.date(parts[0], parts[1], calendar.monthrange(parts[0], parts[1])[1])
    return dt.date(*parts)


def write_catalogue(folder: Path, events: list[dict], series: list[dict] | None = None) -> Path:
    """Write exercises.csv (+ series.csv) with defaults for unspecified columns; return the exercises path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "exercises.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=EXERCISE_COLUMNS, lineterminator="\n")
        w.writeheader()
        for e in events:
            row = {"sources": SRC, "confidence": "high", "status": "held", "primary": "yes", **e}
            row.setdefault("name", row["id"])
            w.writerow(row)
    if series is not None:
        with (folder / "series.csv").open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=SERIES_COLUMNS, lineterminator="\n")
            w.writeheader()
            for s in series:
                w.writerow(s)
    return path


def cycle_events(first=2001, last=2020, order="abcd", start="09-15", series="rot", skip=(), other=()):
    """A clean rotation: year y gets order[(y - first) % len(order)]."""
    ev = []
    for y in range(first, last + 1):
        if y in skip:
            continue
        d = "other" if y in other else order[(y - first) % len(order)]
        ev.append({"id": f"R-{y}", "series": series, "direction": d, "start_date": f"{y}-{start}",
                   "participants": "RUS;CHN" if y % 2 else "RUS"})
    return ev


@pytest.fixture
def rot_catalogue(tmp_path):
    path = write_catalogue(tmp_path, cycle_events(), [ROT_SERIES, REC_SERIES])
    return load_catalogue(path)


@pytest.fixture
def bundled():
    return load_catalogue()


@pytest.fixture
def today():
    return dt.date.today()
