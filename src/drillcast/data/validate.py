"""Reading and validating the two catalogue files, once, with every problem reported at once.

:func:`collect` reads ``exercises.csv`` and ``series.csv`` and returns clean records, the series,
the problems and the SHA-256 of both files. The rules are the codebook's (``data/README.md`` §2a);
:mod:`drillcast.data.catalogue` builds the :class:`~drillcast.data.catalogue.Catalogue` from them.
"""

from __future__ import annotations

import csv
import datetime as _dt
import hashlib
import itertools
import os
from dataclasses import replace
from pathlib import Path

from drillcast.data import countries
from drillcast._io import decode_error, read_input_bytes, text_lines
from drillcast.data.dates import DAY, MAX_YEAR, MIN_YEAR, parse_partial_date
from drillcast.data.fields import (_FULL_DATE, _ID, _NUMBER, _SLUG, _URL, CONFIDENCE, DOMAINS, EXERCISE_COLUMNS,
                                   KINDS, MAX_DIRECTIONS, MAX_EVENTS_PER_SERIES, MAX_FIELD, MAX_PROBLEMS, MAX_ROWS,
                                   MAX_SERIES, NONE, OTHER, REQUIRED_COLUMNS, SERIES_COLUMNS, SERIES_REQUIRED,
                                   STATUSES, SeriesInfo, _doy, _known_from, id_suggestion)
from drillcast._words import article
from drillcast.errors import DataError, Problem, did_you_mean

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


class ListingStopped(Problem):
    """The last line of a capped problem list: how many problems of each kind were found and not listed.

    ``complete`` is False when checking itself stopped (at :data:`MAX_PROBLEMS` errors), so the
    totals are lower bounds.
    """

    __slots__ = ("dropped_errors", "dropped_warnings", "complete")


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
        self.dropped_by = {"errors": 0, "warnings": 0}

    def append(self, p: Problem) -> None:
        attr = "errors" if p.severity == "error" else "warnings"
        if getattr(self, attr) >= MAX_PROBLEMS:
            self.dropped += 1
            self.dropped_by[attr] += 1
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
            last = ListingStopped(self.path, None, None, f"{MAX_PROBLEMS}+ problems",
                                  f"{self.dropped:,} more not listed: fix these first; validation stopped listing here",
                                  "error" if self.errors else "warning")
            last.dropped_errors, last.dropped_warnings = self.dropped_by["errors"], self.dropped_by["warnings"]
            last.complete = not self.full
            super().append(last)


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
            fix = id_suggestion(eid)
            err(line, "id", eid, "a non-empty id of capital letters, digits and hyphens (data/README.md §1), such as "
                                 f"RU-2021-ZAPAD{f'; e.g. {fix}' if fix and fix != eid else ''}")
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
