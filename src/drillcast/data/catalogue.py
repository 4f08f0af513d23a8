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

import csv
import datetime as _dt
import hashlib
import itertools
import os
import re
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path

from drillcast.data import countries
from drillcast._io import decode_error, read_input_bytes, text_lines
from drillcast.data.dates import DAY, MAX_YEAR, MIN_YEAR, YEAR, check_knowledge_date, parse_partial_date
from drillcast._words import article, plural
from drillcast.errors import DataError, DataWarning, Problem, did_you_mean

__all__ = [
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

EXERCISE_COLUMNS = (
    "id", "name", "series", "direction", "primary", "start_date", "end_date", "status",
    "first_reported", "status_reported", "dates_reported", "host", "participants", "observers", "domain",
    "personnel_claimed", "location", "lat", "lon", "sources", "confidence", "notes",
)
REQUIRED_COLUMNS = ("id", "name", "series", "start_date", "status", "sources", "confidence")
SERIES_COLUMNS = (
    "id", "name", "kind", "directions", "events_per_year", "regular_participants",
    "organiser", "description", "cadence_claims", "sources", "checked_through", "checked_note",
)
SERIES_REQUIRED = ("id", "kind")
STATUSES = ("held", "cancelled", "announced", "postponed")
CONFIDENCE = ("high", "medium", "low")
KINDS = ("rotating", "recurring")
DOMAINS = (
    "land", "air", "sea", "amphibious", "joint", "command-staff", "cyber", "space",
    "peacekeeping", "counter-terrorism", "humanitarian", "warfighting",
)
OTHER, NONE = "other", "none"

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")
_FULL_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_URL = re.compile(r"^https?://[A-Za-z0-9][A-Za-z0-9.-]*(?::\d+)?(?:[/?#]\S*)?$")
_NUMBER = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$")  # ASCII digits only: no 1_0, no ١٢
MAX_FIELD = 100_000  # characters; a longer field is an error, not a hang
MAX_PROBLEMS = 200  # stop listing after this many errors (and this many warnings), of every kind
MAX_ROWS = 250_000  # rows; a larger file is refused rather than exhausting memory
MAX_DIRECTIONS = 12  # directions of a rotating series (the models' work grows with their number)
MAX_SERIES = 2_000  # series in a catalogue
MAX_EVENTS_PER_SERIES = 10_000  # events of one series


def bundled_path() -> Path:
    """Path of the bundled ``exercises.csv`` (inside the installed package)."""
    from importlib import resources

    p = Path(str(resources.files("drillcast").joinpath("_data", "exercises.csv")))
    if p.exists():
        return p
    # Running from a source checkout without installing: data/ is the source of truth.
    return Path(__file__).resolve().parents[3] / "data" / "exercises.csv"


# --------------------------------------------------------------------------- reading


def _csv_next(reader, path):
    """The next record of ``reader`` (None at the end), with the field-size limit and CSV errors as DataError."""
    old_limit = csv.field_size_limit(MAX_FIELD)
    try:
        return next(reader, None)
    except csv.Error as exc:
        msg = str(exc)
        if "field larger" in msg:
            msg = f"a field longer than {MAX_FIELD:,} characters (an unclosed quote, or not a catalogue)"
        raise DataError(
            f"{path}:{reader.line_num}: cannot read CSV: {msg}; check quoting on that line"
        ) from None
    finally:
        csv.field_size_limit(old_limit)


def _rows(reader, path):
    """Yield ``(line, fields)`` of the non-blank records one at a time (rows are never all held at once)."""
    n = 0
    start = reader.line_num + 1
    while (rec := _csv_next(reader, path)) is not None:
        if any(c.strip() for c in rec):
            n += 1
            if n > MAX_ROWS:
                raise DataError(f"{path}: more than {MAX_ROWS:,} rows; drillcast reads catalogues up to "
                                f"{MAX_ROWS:,} events: split it by series or by decade")
            yield start, rec
        start = reader.line_num + 1


def _read_table(path: Path, kind: str):
    """Read a CSV file defensively; return the header, an iterator of (line, row) pairs and the raw bytes.

    The bytes are read once and checked (size, NUL, UTF-8) before parsing;
    rows are parsed as they are consumed, so memory stays a small multiple of
    the file size.
    """
    columns = ",".join(EXERCISE_COLUMNS[:6] if kind == "exercises" else SERIES_COLUMNS[:4])
    raw = read_input_bytes(path, article(f"{kind} CSV file"), "the file is empty; a catalogue file starts with a "
                           f"header row such as: {columns},...")
    exc = decode_error(raw)
    if exc is not None:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise DataError(
            f"{path}:{line}: byte 0x{raw[exc.start]:02x} at offset {exc.start} is not UTF-8; "
            "save the file as UTF-8 (in a spreadsheet: CSV UTF-8)"
        )
    reader = csv.reader(text_lines(raw), strict=True)
    header = [h.strip() for h in (_csv_next(reader, path) or [])]
    if len(header) == 1 and header[0]:
        for sep, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "pipes")):
            if sep in header[0]:
                raise DataError(
                    f"{path}:1: the header is one column containing {name}; drillcast reads "
                    "comma-separated files: re-export the table with ',' as the delimiter"
                )
    return header, _rows(reader, path), raw


class ProblemList(list):
    """Problems found so far, at most :data:`MAX_PROBLEMS` errors and as many warnings.

    Further problems of either kind are counted, not kept (a header of a
    million commas is one screenful, not a million lines); :meth:`close`
    appends one line saying that listing stopped.
    """

    def __init__(self, path=""):
        super().__init__()
        self.path = path
        self.errors = self.warnings = self.dropped = 0

    def append(self, p: Problem) -> None:
        attr = "errors" if p.severity == "error" else "warnings"
        if getattr(self, attr) >= MAX_PROBLEMS:
            self.dropped += 1
            return
        setattr(self, attr, getattr(self, attr) + 1)
        super().append(p)

    def extend(self, items) -> None:
        for p in items:
            self.append(p)

    @property
    def full(self) -> bool:
        """True once :data:`MAX_PROBLEMS` errors were listed (stop checking rows)."""
        return self.errors >= MAX_PROBLEMS

    def close(self) -> None:
        if self.full or self.dropped:  # an error only if there are errors: capped warnings stay warnings
            super().append(Problem(self.path, None, None, f"{MAX_PROBLEMS}+ problems",
                                   f"{self.dropped:,} more not listed: fix these first; validation stopped listing here",
                                   "error" if self.errors else "warning"))


def _check_list(path, line, col, codes, err) -> bool:
    """No code twice in one ``;``-separated list."""
    seen = set()
    for c in codes:
        if c in seen:
            err(line, col, ";".join(codes), f"each code once; {c} appears more than once: remove the repeats")
            return False
        seen.add(c)
    return True


def _check_header(path, header, required, known, problems):
    missing = [c for c in required if c not in header]
    for c in missing:
        problems.append(Problem(path, 1, c, ",".join(header)[:60], f"a required column '{c}' is missing; add it to the header"))
    seen = set()
    for h in header:
        if h in seen:
            problems.append(Problem(path, 1, h, h, "each column name once; remove or rename the duplicate column"))
        seen.add(h)
        if h not in known:
            problems.append(
                Problem(path, 1, h, h, f"a known column{did_you_mean(h, known)}; unknown columns are ignored",
                        severity="warning")
            )
    return not missing


# --------------------------------------------------------------------------- series


@dataclass(frozen=True)
class SeriesInfo:
    """One series of exercises.

    Attributes
    ----------
    id : str
        Slug such as ``russia-strategic``.
    name : str
    kind : {"rotating", "recurring"}
    directions : tuple of str
        The known directions of a rotating series, in their rotation order.
    multi_event : bool
        True if the series may hold several events a year (patrols).
    regular_participants : tuple of str
        ISO3 codes whose participation is forecast.
    description, organiser, cadence_claims : str
    sources : tuple of str
    inferred : bool
        True if the series was not listed in ``series.csv`` and was inferred from the events.
    checked_through : datetime.date or None
        The date through which the public sources of the series were searched: every event
        first reported up to then is in the catalogue. After it, "not in the catalogue" is
        not evidence that nothing happened. Use :meth:`Catalogue.checked_through`, which
        fills a missing value with the catalogue's latest report.
    checked_note : str
        What was searched (agencies, ministries, languages).
    checked_inferred : bool
        True when ``series.csv`` gave no ``checked_through`` and it was inferred.
    """

    id: str
    name: str
    kind: str
    directions: tuple[str, ...] = ()
    multi_event: bool = False
    regular_participants: tuple[str, ...] = ()
    description: str = ""
    organiser: str = ""
    cadence_claims: str = ""
    sources: tuple[str, ...] = ()
    inferred: bool = False
    checked_through: _dt.date | None = None
    checked_note: str = ""
    checked_inferred: bool = False

    @property
    def rotating(self) -> bool:
        return self.kind == "rotating"

    @property
    def categories(self) -> tuple[str, ...]:
        """Outcome labels of a year: directions + other + none, or held + none."""
        if self.rotating:
            return self.directions + (OTHER, NONE)
        return ("held", NONE)

    def to_dict(self) -> dict:
        return {
            "id": self.id, "name": self.name, "kind": self.kind, "directions": list(self.directions),
            "events_per_year": "multiple" if self.multi_event else "single",
            "regular_participants": list(self.regular_participants), "organiser": self.organiser,
            "description": self.description, "cadence_claims": self.cadence_claims,
            "sources": list(self.sources), "inferred": self.inferred,
            "checked_through": self.checked_through.isoformat() if self.checked_through else None,
            "checked_note": self.checked_note, "checked_through_inferred": self.checked_inferred,
        }


def _split(value: str, sep: str = ";") -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(sep) if v.strip())


def _read_series(path: Path, problems: list[Problem]) -> tuple[dict[str, SeriesInfo], bytes]:
    header, rows, raw = _read_table(path, "series")
    if not _check_header(path, header, SERIES_REQUIRED, SERIES_COLUMNS, problems):
        return {}, raw

    def err(line, col, found, expected):
        problems.append(Problem(path, line, col, found, expected))

    out: dict[str, SeriesInfo] = {}
    for line, rec in rows:
        if problems.full:
            break
        if len(out) >= MAX_SERIES:
            err(line, None, f"more than {MAX_SERIES:,} series",
                f"at most {MAX_SERIES:,} series in one catalogue; split the catalogue")
            break
        r = {h: (rec[i].strip() if i < len(rec) else "") for i, h in enumerate(header)}
        if len(rec) != len(header):
            problems.append(Problem(path, line, None, f"{len(rec)} fields", f"{len(header)} fields as in the header; check commas and quoting"))
            continue
        sid = r["id"]
        if not _SLUG.match(sid):
            problems.append(Problem(path, line, "id", sid, "a lower-case slug such as 'joint-sea' (a-z, 0-9, single hyphens)"))
            continue
        if sid in out:
            problems.append(Problem(path, line, "id", sid, "a unique series id; this id appears earlier in the file"))
            continue
        kind = r.get("kind", "")
        if kind not in KINDS:
            problems.append(Problem(path, line, "kind", kind, f"one of {', '.join(KINDS)}{did_you_mean(kind, KINDS)}"))
            continue
        dirs = _split(r.get("directions", ""))
        if kind == "rotating" and len(dirs) < 2:
            problems.append(Problem(path, line, "directions", r.get("directions", ""), "at least two ';'-separated directions for a rotating series"))
            continue
        bad = [d for d in dirs if not _SLUG.match(d) or d in (OTHER, NONE, "held")]
        if bad:
            problems.append(Problem(path, line, "directions", bad[0], "lower-case direction names other than the reserved 'other', 'none', 'held'"))
            continue
        if len(dirs) > MAX_DIRECTIONS:
            err(line, "directions", f"{len(dirs)} directions",
                f"at most {MAX_DIRECTIONS} directions for a rotating series; group the rare ones as 'other'")
            continue
        if not _check_list(path, line, "directions", dirs, err):
            continue
        epy = r.get("events_per_year", "") or "single"
        if epy not in ("single", "multiple"):
            problems.append(Problem(path, line, "events_per_year", epy, "'single' or 'multiple'"))
            continue
        parts = _split(r.get("regular_participants", ""))
        for c in parts:
            if not countries.is_code(c):
                problems.append(Problem(path, line, "regular_participants", c, "ISO 3166-1 alpha-3 codes separated by ';', e.g. CHN;RUS"))
        _check_list(path, line, "regular_participants", parts, err)
        for u in _split(r.get("sources", "")):
            if not _URL.match(u):
                err(line, "sources", u, "a URL starting with http:// or https://; separate several with ' ; '")
        checked = r.get("checked_through", "")
        checked_date = None
        if checked:
            try:
                checked_date = _dt.date.fromisoformat(checked) if _FULL_DATE.match(checked) else None
            except ValueError:
                checked_date = None
            if checked_date is None:
                problems.append(Problem(path, line, "checked_through", checked,
                                        "a full ISO date YYYY-MM-DD (the day through which the sources of the "
                                        "series were searched), or empty if unknown"))
                continue
        out[sid] = SeriesInfo(
            id=sid, name=r.get("name", "") or sid, kind=kind, directions=dirs if kind == "rotating" else (),
            multi_event=epy == "multiple", regular_participants=parts,
            description=r.get("description", ""), organiser=r.get("organiser", ""),
            cadence_claims=r.get("cadence_claims", ""), sources=_split(r.get("sources", "")),
            checked_through=checked_date, checked_note=r.get("checked_note", ""),
        )
    return out, raw


# --------------------------------------------------------------------------- events


def _validate_events(path: Path, header, rows, series: dict[str, SeriesInfo] | None, problems: list[Problem]):
    """Check every row; return a list of clean records (dicts) for valid rows."""
    records = []
    seen_ids: dict[str, int] = {}
    idx = {h: i for i, h in enumerate(header)}
    n_cols = len(header)
    inferred_dirs: dict[str, list[str]] = {}

    def err(line, col, found, expected, severity="error"):
        problems.append(Problem(path, line, col, found, expected, severity))

    for line, rec in rows:
        if problems.full:
            break
        if len(rec) != n_cols:
            err(line, None, f"{len(rec)} fields", f"{n_cols} fields as in the header; check commas and quoting on this line")
            continue
        r = {h: rec[i].strip() for h, i in idx.items()}
        get = r.get
        ok = True
        eid = get("id", "")
        if not _ID.match(eid):
            err(line, "id", eid, "a non-empty id of letters, digits and - . _ : such as RU-2021-ZAPAD")
            ok = False
        elif eid in seen_ids:
            err(line, "id", eid, f"a unique id; line {seen_ids[eid]} already uses it: rename one of them")
            ok = False
        else:
            seen_ids[eid] = line
        sid = get("series", "")
        info = None
        if sid:
            if series is not None:
                info = series.get(sid)
                if info is None:
                    err(line, "series", sid, f"a series listed in series.csv{did_you_mean(sid, series)}; add the series there first")
                    ok = False
            elif not _SLUG.match(sid):
                err(line, "series", sid, "a lower-case slug such as 'joint-sea'")
                ok = False
        direction = get("direction", "").lower()
        if direction:
            if info is not None:
                if not info.rotating:
                    err(line, "direction", direction, f"empty: series '{sid}' is not rotating (declare directions in series.csv)")
                    ok = False
                elif direction not in info.directions + (OTHER,):
                    valid = info.directions + (OTHER,)
                    err(line, "direction", direction, f"one of {', '.join(valid)}{did_you_mean(direction, valid)}")
                    ok = False
            elif series is None and sid:
                if not _SLUG.match(direction):
                    err(line, "direction", direction, "a lower-case direction name such as 'zapad'")
                    ok = False
                elif direction != OTHER:
                    lst = inferred_dirs.setdefault(sid, [])
                    if direction not in lst:
                        lst.append(direction)
        elif info is not None and info.rotating and get("status", "") in ("held", "announced"):
            err(line, "direction", "", f"a direction for rotating series '{sid}': one of {', '.join(info.directions + (OTHER,))}", "warning")
        primary = get("primary", "").lower() or "yes"
        if primary not in ("yes", "no"):
            err(line, "primary", get("primary", ""), "'yes' or 'no' (empty means yes)")
            ok = False
        dates = {}
        for col in ("start_date", "end_date", "first_reported", "status_reported", "dates_reported"):
            v = get(col, "")
            if not v:
                dates[col] = None
                if col == "start_date":
                    err(line, col, "", "a date YYYY-MM-DD, or YYYY-MM / YYYY when only that is known")
                    ok = False
                continue
            try:
                dates[col] = parse_partial_date(v)
                if not MIN_YEAR <= dates[col].year <= MAX_YEAR:
                    raise ValueError(f"year {dates[col].year:04d} is outside {MIN_YEAR}-{MAX_YEAR}, the years "
                                     "drillcast handles")
            except ValueError as exc:
                err(line, col, v, f"{exc}; write YYYY-MM-DD, or YYYY-MM / YYYY when only that is known")
                ok = False
        s, e = dates.get("start_date"), dates.get("end_date")
        if s is not None and e is not None and e.high < s.low:
            err(line, "end_date", e.text, f"an end on or after the start {s.text}; swap or correct the dates")
            ok = False
        status = get("status", "").lower()
        if status not in STATUSES:
            err(line, "status", get("status", ""), f"one of {', '.join(STATUSES)}{did_you_mean(status, STATUSES)}")
            ok = False
        lists = {}
        for col in ("host", "participants", "observers"):
            codes = _split(get(col, "").upper())
            for c in codes:
                if not countries.is_code(c):
                    err(line, col, c, f"ISO 3166-1 alpha-3 codes separated by ';' (e.g. RUS;CHN){did_you_mean(c, countries.CODES)}")
                    ok = False
            if not _check_list(path, line, col, codes, err):
                ok = False
            lists[col] = codes
        if ok:
            hosts_out = [c for c in lists["host"] if c not in lists["participants"]]
            if hosts_out:
                err(line, "host", ";".join(lists["host"]),
                    f"hosts among the participants; add {';'.join(hosts_out)} to participants")
                ok = False
            both = [c for c in lists["observers"] if c in lists["participants"]]
            if both:
                err(line, "observers", ";".join(lists["observers"]),
                    f"countries that only observed; {';'.join(both)} is also a participant: keep it in one list")
                ok = False
        srcs = _split(get("sources", ""), ";")
        if not srcs and "sources" in idx:
            err(line, "sources", "", "at least one source URL (http:// or https://); separate several with ' ; '")
            ok = False
        for u in srcs:
            if not _URL.match(u):
                err(line, "sources", u, "a URL starting with http:// or https://; separate several with ' ; '")
                ok = False
        conf = get("confidence", "").lower()
        if "confidence" in idx and conf not in CONFIDENCE:
            err(line, "confidence", get("confidence", ""), f"one of {', '.join(CONFIDENCE)}{did_you_mean(conf, CONFIDENCE)}")
            ok = False
        coords = {}
        for col, lim in (("lat", 90.0), ("lon", 180.0)):
            v = get(col, "")
            coords[col] = None
            if v:
                try:
                    if not _NUMBER.match(v):
                        raise ValueError
                    x = float(v)
                    if not -lim <= x <= lim:
                        raise ValueError
                    coords[col] = x
                except ValueError:
                    err(line, col, v, f"a decimal number between -{lim:g} and {lim:g} (ASCII digits, "
                        "e.g. 55.75), or empty")
                    ok = False
        doms = _split(get("domain", "").lower())
        for d in doms:
            if d not in DOMAINS:
                err(line, "domain", d, f"one of {', '.join(DOMAINS)}{did_you_mean(d, DOMAINS)}", "warning")
        if not ok:
            continue
        fr, sr, dr = dates["first_reported"], dates["status_reported"], dates["dates_reported"]
        if sr is not None and status not in ("cancelled", "postponed"):
            err(line, "status_reported", sr.text, "empty unless the status is cancelled or postponed (it is ignored)", "warning")
        if dr is not None and status in ("held", "announced") and dr.low > s.high:
            err(line, "dates_reported", dr.text, "a date on or before the start; leave it empty if unsure", "warning")
        records.append({
            "known": fr.high if fr is not None else s.high,  # see _known_from
            "doy": _doy(s),  # 0-based day-of-year interval of the start
            "line": line, "id": eid, "name": get("name", ""), "series": sid, "direction": direction,
            "primary": primary == "yes", "status": status,
            "start": s, "end": e, "first_reported": fr, "status_reported": sr, "dates_reported": dr,
            "host": lists["host"], "participants": lists["participants"], "observers": lists["observers"],
            "domain": doms, "personnel_claimed": get("personnel_claimed", ""), "location": get("location", ""),
            "lat": coords["lat"], "lon": coords["lon"], "sources": srcs, "confidence": conf,
            "notes": get("notes", ""),
        })
    return records, inferred_dirs


def _duplicate_warnings(path, records, problems):
    """Same series, overlapping dates, both not cancelled: probably the same event twice."""
    by_series: dict[str, list] = {}
    for r in records:
        if r["series"] and r["status"] != "cancelled" and r["start"].precision == DAY:
            by_series.setdefault(r["series"], []).append(r)
    for lst in by_series.values():
        lst.sort(key=lambda r: r["start"].low)
        for a, b in zip(lst, lst[1:]):
            a_end = a["end"].high if a["end"] is not None else a["start"].high
            if b["start"].low <= a_end and a["primary"] and b["primary"]:
                problems.append(Problem(
                    path, b["line"], "start_date", b["start"].text,
                    f"no overlap with {a['id']} (line {a['line']}) of the same series: likely the same event twice; "
                    "merge them or mark one primary=no", "warning"))


# --------------------------------------------------------------------------- the catalogue


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
        for r in self.records:
            if _known_from(r) > date:
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


def _doy(start) -> tuple[int, int]:
    """0-based day-of-year interval of a start date, clipped to its year."""
    hi = start.high if start.high.year == start.low.year else _dt.date(start.low.year, 12, 31)
    return start.low.timetuple().tm_yday - 1, hi.timetuple().tm_yday - 1


def _known_from(r) -> _dt.date:
    """When an event became public: ``first_reported`` if given, else its start (last possible day of either).

    data/README.md §4 rule 1: a first report after the start (an exercise
    revealed only once under way) makes the event known from that report, not
    from its start. Computed from the recorded dates once, at load: a
    snapshot may hide an announced exercise's dates, but not move the day it
    became known.
    """
    known = r.get("known")
    if known is not None:
        return known
    if r["first_reported"] is not None:
        return r["first_reported"].high
    return r["start"].high


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


def _infer_series(records, inferred_dirs) -> dict[str, SeriesInfo]:
    out = {}
    counts: dict[tuple[str, int], int] = {}
    for r in records:
        if r["series"]:
            key = (r["series"], r["start"].year)
            counts[key] = counts.get(key, 0) + 1
    multi = {s for (s, _), n in counts.items() if n > 1}
    for sid in sorted({r["series"] for r in records if r["series"]}):
        dirs = tuple(inferred_dirs.get(sid, ()))
        kind = "rotating" if len(dirs) >= 2 else "recurring"
        out[sid] = SeriesInfo(id=sid, name=sid, kind=kind, directions=dirs if kind == "rotating" else (),
                              multi_event=sid in multi and kind == "recurring", inferred=True)
    return out


def _exists(p: Path) -> bool:
    """Whether ``p`` is there; True for other errors (a symlink loop, a name too long), so that
    reading it then names the path and the reason instead of silently inferring the series."""
    try:
        os.stat(p)
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError:
        return True
    return True


def _check_bounds(path: Path, records, series, inferred, problems):
    """The resource bounds of the codebook: series, events per series, directions per series."""
    if len(series) > MAX_SERIES:
        problems.append(Problem(path, None, "series", f"{len(series):,} series",
                                f"at most {MAX_SERIES:,} series in one catalogue; split the catalogue"))
    counts: dict[str, int] = {}
    for r in records:
        n = counts[r["series"]] = counts.get(r["series"], 0) + 1
        if n == MAX_EVENTS_PER_SERIES + 1:
            problems.append(Problem(path, r["line"], "series", r["series"],
                                    f"at most {MAX_EVENTS_PER_SERIES:,} events in one series; split the series"))
    for sid, dirs in inferred.items():
        if len(dirs) > MAX_DIRECTIONS:
            problems.append(Problem(path, None, "direction", f"{len(dirs)} directions in series '{sid}'",
                                    f"at most {MAX_DIRECTIONS} directions for a rotating series; group the rare "
                                    "ones as 'other'"))


def _fill_checked_through(series: dict, records) -> dict:
    """A series without ``checked_through`` is taken as checked through the catalogue's latest report."""
    latest = max((_known_from(r) for r in records), default=None)
    if latest is None:
        return series
    return {sid: (info if info.checked_through is not None else
                  replace(info, checked_through=latest, checked_inferred=True))
            for sid, info in series.items()}


def _collect(path: Path, series_path: Path | None):
    """Read each file once; return records, series, problems and the SHA-256 of both files' bytes."""
    problems = ProblemList(path)
    series = None
    series_bytes = b""
    if series_path is not None and _exists(series_path):
        series, series_bytes = _read_series(series_path, problems)
    header, rows, raw = _read_table(path, "exercises")
    records, inferred = [], {}
    if _check_header(path, header, REQUIRED_COLUMNS, EXERCISE_COLUMNS, problems):
        first = next(rows, None)
        if first is None:
            problems.append(Problem(path, 2, None, "no rows", "at least one exercise row below the header"))
        else:
            rows = itertools.chain([first], rows)
        records, inferred = _validate_events(path, header, rows, series, problems)
        _duplicate_warnings(path, records, problems)
    if series is None:
        series = _infer_series(records, inferred)
    series = _fill_checked_through(series, records)
    _check_bounds(path, records, series, inferred, problems)
    problems.close()
    h = hashlib.sha256(raw)
    del raw
    h.update(b"\x00" + series_bytes)
    return records, series, list(problems), h.hexdigest()


def _series_path_for(path: Path) -> Path:
    try:
        is_dir = os.path.isdir(path)
    except (OSError, ValueError):
        is_dir = False
    if is_dir or not path.name:
        raise DataError(f"{path}: is a directory; give the path of an exercises CSV file, e.g. {path / 'exercises.csv'}")
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
    path = Path(path) if path else bundled_path()
    try:
        records, series, problems, sha = _collect(path, _series_path_for(path))
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
    path = Path(path) if path else bundled_path()
    sp = Path(series_path) if series_path is not None else _series_path_for(path)
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
