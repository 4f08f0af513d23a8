"""The exercise catalogue: read and validate once, then as-of snapshots.

A catalogue is two CSV files: ``exercises.csv`` (one row per exercise) and
``series.csv`` (one row per series) beside it. :func:`load_catalogue` reads
both, checks every row, and reports every problem at once in a
:class:`~drillcast.errors.DataError`. Downstream code trusts the result.

:meth:`Catalogue.as_of` reconstructs what an analyst could know on a date:
events first reported later do not exist, events reported but not yet started
are ``announced``, and a cancellation counts only once it was reported.
"""

from __future__ import annotations

import datetime as _dt
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from drillcast.data.fields import (CONFIDENCE, EXERCISE_COLUMNS, MAX_FIELD, NONE, OTHER, REQUIRED_COLUMNS,  # noqa: F401
                                   SERIES_COLUMNS, STATUSES, SeriesInfo, _doy, _known_from)
from drillcast.data.validate import _collect, _exists, _read_table  # noqa: F401  (_read_table: importers)
from drillcast.data.dates import YEAR, check_knowledge_date, parse_partial_date
from drillcast._words import plural
from drillcast.errors import DataError, DataWarning, Problem, did_you_mean


__all__ = [
    "series_path_for",
    "EXERCISE_COLUMNS",
    "REQUIRED_COLUMNS",
    "SERIES_COLUMNS",
    "STATUSES",
    "CONFIDENCE",
    "SeriesInfo",
    "Catalogue",
    "load_catalogue",
    "validate_file",
    "inspect_file",
    "bundled_path",
]


def bundled_path() -> Path:
    """Path of the bundled ``exercises.csv`` (inside the installed package)."""
    from importlib import resources

    p = Path(str(resources.files("drillcast").joinpath("_data", "exercises.csv")))
    if p.exists():
        return p
    # Running from a source checkout without installing: data/ is the source of truth.
    return Path(__file__).resolve().parents[3] / "data" / "exercises.csv"



# --------------------------------------------------------------------------- the catalogue


def _settled(catalogue) -> list:
    """``(record, known from, settled from)`` of every record: from the second date on (None: never),
    :meth:`Catalogue._as_of` keeps the record as recorded (its start passed, its cancellation reported,
    its end passed, an announcement's dates reported), so a snapshot takes it without checking each rule."""
    out = []
    for r in catalogue.records:
        known = _known_from(r)
        status, start, end = r["status"], r["start"], r["end"]
        settled = known
        if status == "held":
            settled = max(settled, start.high)
        elif status in ("cancelled", "postponed"):
            settled = max(settled, r["status_reported"].high if r["status_reported"] else start.low)
        if end is not None:
            settled = max(settled, end.high)
        if status == "announced" and start.precision != YEAR:
            dr = r["dates_reported"]
            settled = None if dr is None else max(settled, dr.high)
        out.append((r, known, settled))
    return out


@dataclass(frozen=True)
class Catalogue:
    """A validated catalogue, possibly a snapshot as of a date.

    Do not build one directly: use :func:`load_catalogue`, then :meth:`as_of`.

    Attributes
    ----------
    records : tuple of dict
        One clean record per event (parsed dates, lists as tuples).
    series : dict of str to SeriesInfo
    path : str
        The exercises file it came from.
    sha256 : str
        SHA-256 of the exercises file bytes followed by the series file bytes.
    as_of_date : datetime.date or None
        The knowledge date of a snapshot; None for the full catalogue.
    warnings : tuple of Problem
    """

    records: tuple = field(repr=False)
    series: dict = field(repr=False)
    path: str = ""
    sha256: str = ""
    as_of_date: _dt.date | None = None
    warnings: tuple = field(default=(), repr=False)

    def __post_init__(self):
        index: dict[str, list] = {}
        for r in self.records:
            index.setdefault(r["series"], []).append(r)
        for lst in index.values():
            lst.sort(key=lambda r: (r["start"].low, r["id"]))
        object.__setattr__(self, "_by_series", index)
        object.__setattr__(self, "_memo", {})

    def __reduce__(self):
        """Pickle the data only (the memo of derived results is rebuilt on demand)."""
        return (Catalogue, (self.records, self.series, self.path, self.sha256, self.as_of_date, self.warnings))

    def memo(self, key, compute):
        """``compute(self)`` once per catalogue object (results derived from an immutable catalogue)."""
        if key not in self._memo:
            self._memo[key] = compute(self)
        return self._memo[key]

    def __len__(self) -> int:
        return len(self.records)

    def series_ids(self) -> list[str]:
        return sorted(self.series)

    def get_series(self, sid: str) -> SeriesInfo:
        """The series ``sid``; an unknown id raises ParameterError("series", ...) with the known ids."""
        from drillcast.errors import ParameterError

        try:
            return self.series[sid]
        except KeyError:
            raise ParameterError(
                "series", f"unknown series {sid!r}{did_you_mean(sid, self.series)}; "
                f"known series: {', '.join(sorted(self.series))}"
            ) from None

    def events(self, series: str | None = None) -> list[dict]:
        """Event records, optionally of one series, sorted by start date."""
        if series is not None:
            return list(self._by_series.get(series, ()))
        return sorted(self.records, key=lambda r: (r["start"].low, r["id"]))

    def as_of(self, date: _dt.date) -> "Catalogue":
        """The catalogue as it could be known at the end of ``date`` (memoised per date; see :meth:`_as_of`)."""
        check_knowledge_date(date)
        cache = self._memo.setdefault("as_of", {})
        snap = cache.get(date)
        if snap is None:
            if len(cache) >= 64:  # bounded: backtests visit many cutoffs once each
                cache.pop(next(iter(cache)))
            snap = cache[date] = self._as_of(date)
        return snap

    def _as_of(self, date: _dt.date) -> "Catalogue":
        """The catalogue as it could be known at the end of ``date``.

        Rules (documented in ``data/README.md``):

        - an event exists once it is known: ``first_reported`` (its last
          possible day, at coarse precision), or, if empty, its start;
        - a known event whose start has not surely passed is ``announced``;
        - a cancellation or postponement counts once ``status_reported`` (or,
          if empty, once the planned start has passed);
        - end dates after ``date`` are unknown and removed;
        - the dates of an announced exercise are known only from ``dates_reported``
          (if empty, from its start): before that only its year is.
        """
        out = []
        for r, known, settled in self.memo("settled", _settled):
            if known > date:
                continue
            if settled is not None and date >= settled:  # the rules below would leave it as recorded
                out.append(r)
                continue
            status = r["status"]
            if status == "held" and r["start"].high > date:
                status = "announced"
            elif status in ("cancelled", "postponed"):
                known = r["status_reported"].high if r["status_reported"] else r["start"].low
                if known > date:
                    status = "announced"
            end = r["end"]
            if end is not None and end.high > date:
                end = None
            start = r["start"]
            if status == "announced" and start.precision != YEAR:
                dr = r["dates_reported"]
                if dr is None or dr.high > date:
                    # The recorded dates are the final ones; before they were announced only the
                    # year was known (an announcement months ahead rarely gives dates).
                    start = parse_partial_date(str(start.year))
            if status != r["status"] or end is not r["end"] or start is not r["start"]:
                r = dict(r, status=status, end=end, start=start, doy=_doy(start))
            out.append(r)
        return Catalogue(tuple(out), self.series, self.path, self.sha256, date, self.warnings)

    def checked_through(self, series: str) -> _dt.date:
        """The date through which ``series`` was checked against public sources.

        From ``series.csv``; when it is not recorded there, the catalogue's
        latest report (``SeriesInfo.checked_inferred`` says so). After this date
        the catalogue's silence is not evidence: an exercise held since then may
        simply be missing.
        """
        info = self.get_series(series)
        if info.checked_through is not None:
            return info.checked_through
        latest = self.latest_report()
        return latest if latest is not None else _dt.date.min

    def evidence_date(self, series: str) -> _dt.date | None:
        """For a snapshot: the last day on which absence from the catalogue means "did not happen",
        ``min(as_of, checked_through)``; None for the full catalogue."""
        if self.as_of_date is None:
            return None
        return min(self.as_of_date, self.checked_through(series))

    def latest_report(self):
        """The latest knowledge date of any event (how up to date the catalogue is), or None."""
        return max((_known_from(r) for r in self.records), default=None)

    def to_frame(self, series: str | None = None):
        """Events as a pandas DataFrame with the catalogue's columns (lists joined by ';')."""
        import pandas as pd

        rows = [_to_row(r) for r in self.events(series)]
        return pd.DataFrame(rows, columns=list(EXERCISE_COLUMNS))

    def to_records(self, series: str | None = None) -> list[dict]:
        """Events as JSON-ready dicts; ``participants``, ``sources`` etc. as lists."""
        out = []
        for r in self.events(series):
            row = _to_row(r)
            for col in ("host", "participants", "observers", "domain", "sources"):
                row[col] = list(r[col])
            row["primary"] = r["primary"]
            row["lat"], row["lon"] = r["lat"], r["lon"]
            out.append(row)
        return out



def _to_row(r) -> dict:
    return {
        "id": r["id"], "name": r["name"], "series": r["series"], "direction": r["direction"],
        "primary": "yes" if r["primary"] else "no",
        "start_date": r["start"].text, "end_date": r["end"].text if r["end"] else "",
        "status": r["status"],
        "first_reported": r["first_reported"].text if r["first_reported"] else "",
        "status_reported": r["status_reported"].text if r["status_reported"] else "",
        "dates_reported": r["dates_reported"].text if r["dates_reported"] else "",
        "host": ";".join(r["host"]), "participants": ";".join(r["participants"]),
        "observers": ";".join(r["observers"]), "domain": ";".join(r["domain"]),
        "personnel_claimed": r["personnel_claimed"], "location": r["location"],
        "lat": "" if r["lat"] is None else f"{r['lat']:g}", "lon": "" if r["lon"] is None else f"{r['lon']:g}",
        "sources": " ; ".join(r["sources"]), "confidence": r["confidence"], "notes": r["notes"],
    }



def check_path(path, parameter: str = "path"):
    """``path`` if it is a path (str or os.PathLike), else ParameterError naming ``parameter``."""
    if not isinstance(path, (str, os.PathLike)):
        from drillcast.errors import ParameterError

        raise ParameterError(parameter, f"{path!r} is not a path; give a file name such as 'data/exercises.csv'")
    return path


def series_path_for(path: str | os.PathLike) -> Path:
    """The ``series.csv`` of an exercises file: beside the file it resolves to (symlinks followed), so a
    catalogue reached through a link is read with its own series, not with a ``series.csv`` beside the link."""
    path = Path(path)
    try:
        is_dir = os.path.isdir(path)
    except (OSError, ValueError):
        is_dir = False
    if is_dir or not path.name:
        raise DataError(f"{path}: is a directory; give the path of an exercises CSV file, e.g. {path / 'exercises.csv'}")
    if os.path.islink(path):
        return Path(os.path.realpath(path)).with_name("series.csv")
    return path.with_name("series.csv")


def inspect_file(path: str | os.PathLike | None = None) -> tuple[list[Problem], Catalogue | None]:
    """Validate a catalogue file, reading each file once.

    Returns
    -------
    problems : list of Problem
        Every problem (errors and warnings, at most :data:`MAX_PROBLEMS` of each).
    catalogue : Catalogue or None
        The catalogue, if there is no error.
    """
    path = Path(check_path(path)) if path else bundled_path()
    try:
        records, series, problems, sha = _collect(path, series_path_for(path))
    except DataError as exc:
        return ([Problem(path, None, None, None, str(exc))] if not exc.problems else list(exc.problems)), None
    if any(p.severity == "error" for p in problems):
        return problems, None
    warns = tuple(p for p in problems if p.severity == "warning")
    return problems, Catalogue(tuple(records), series, str(path), sha, None, warns)


def validate_file(path: str | os.PathLike | None = None) -> list[Problem]:
    """Validate a catalogue file; return every problem (errors and warnings), never raise on bad data."""
    return inspect_file(path)[0]


def load_catalogue(path: str | os.PathLike | None = None, *, series_path: str | os.PathLike | None = None,
                   warn: bool = True) -> Catalogue:
    """Load and validate a catalogue.

    Parameters
    ----------
    path : path-like, optional
        An ``exercises.csv``; default the bundled catalogue. Its series are
        read from ``series.csv`` in the same folder when that exists,
        otherwise inferred from the events (a series with two or more
        directions is rotating, others recurring).
    series_path : path-like, optional
        An explicit ``series.csv``.
    warn : bool
        Emit :class:`~drillcast.errors.DataWarning` for doubtful but legal rows.

    Raises
    ------
    DataError
        Listing every problem found, each with file, line, column, value, and fix.
    """
    path = Path(check_path(path, "path")) if path else bundled_path()
    sp = Path(check_path(series_path, "series_path")) if series_path is not None else series_path_for(path)
    if series_path is not None and not _exists(sp):
        raise DataError(f"{sp}: no such file; give the path of a series CSV file")
    records, series, problems, sha = _collect(path, sp)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise DataError(f"{path}: {plural(len(errors), 'problem')} found; nothing was done:", problems)
    warns = tuple(p for p in problems if p.severity == "warning")
    if warn:
        for w in warns:
            warnings.warn(str(w), DataWarning, stacklevel=2)
    return Catalogue(tuple(records), series, str(path), sha, None, warns)
