"""Import any CSV table of exercises, given which of its columns holds what.

The mapping goes from drillcast columns (:data:`drillcast.data.catalogue.EXERCISE_COLUMNS`)
to the table's own column names, e.g.
``{"name": "Exercise", "start_date": "Start", "series": "Series", "participants": "Countries"}``.
On the command line it is ``--map start_date=Start,name=Exercise,...``
(:func:`parse_map_option`) or ``--map-file map.json``, a JSON object of the
same shape (:func:`load_mapping_file`); ``--map`` entries override the file.
A table column whose name already is a drillcast column (any case) is used
for it unless that drillcast column is mapped elsewhere. ``start_date`` must
be mapped; every other column is optional.

Rules
-----
The report semantics are those of :mod:`drillcast.data.importers.mme`: every data
row is imported or skipped with its reason, every change is a fix, the counts
add up; empty rows, rows with the wrong number of fields and exact duplicates
of an earlier row are skipped; whatever is written passes
:func:`drillcast.data.catalogue.load_catalogue`.

- **Dates** (:func:`parse_table_date`): ISO ``YYYY-MM-DD``, ``YYYY-MM`` or
  ``YYYY`` (the precision is kept; a time after the day is ignored);
  ``m/d/yyyy`` (US order, four-digit year; ``13/5/2021`` is refused, not
  guessed); ``d Month yyyy``, ``Month d, yyyy`` and ``Month yyyy`` with English
  month names or their three-letter abbreviations. An unreadable or missing
  start date: skipped. An unreadable end, first_reported or status_reported
  date: left empty (fix). An end before the start: end dropped (fix).
- **series**: :func:`~drillcast.data.importers.slugify` of the value; empty: no series.
- **id**: the mapped id if valid (``A-Z a-z 0-9 . _ : -``, starting with a
  letter or digit); otherwise runs of other characters become ``-`` (fix).
  A repeated id with different content: the later row gets ``-2`` (fix).
  Without an id column: ``<SERIES-SLUG-UPPER>-<YEAR>-<n>`` (``EX-<YEAR>-<n>``
  without a series), n counting from 1 and skipping ids in use.
- **name**: the mapped name; if empty, the series name and the start year;
  else the id. A year in the name unlike the start year: remark.
- **host, participants, observers**: ISO3 codes or country names (mapped by
  :func:`~drillcast.data.importers.country_names.country_code`), separated by
  ``;`` or ``|``, or by ``,`` when the cell has neither ``;`` nor ``|`` (so
  ``Korea, Republic of`` needs ``;`` between names). Unknown names: left out,
  kept in notes, counted in ``unmapped_names`` (fix); repeats kept once (fix).
- **status**: default held; empty cell held (fix); not one of held, cancelled,
  announced, postponed: skipped. **primary**: yes/no (also y/n, true/false,
  1/0); empty yes; anything else yes (fix). **confidence**: default low;
  anything but high/medium/low: low (fix).
- **direction**: slugified; kept only in series with two or more distinct
  directions (those become rotating series in ``series.csv``); otherwise, or
  ``none``/``held``, or without a series: dropped (fix).
- **domain**: lower case, separated like participants, spaces as ``-``.
- **lat/lon**: kept if numeric and in range, else empty (fix).
- **sources**: URLs (``http://`` or ``https://``) separated by ``;`` or spaces;
  a ``;``-separated entry that is not all URLs is dropped (fix). A row with none uses ``source`` (the
  ``--source URL`` argument; a fix if the cell was not empty). ``source`` is
  required when ``sources`` is not mapped: drillcast sources are URLs, and a
  file name is not one.
- **notes**: the mapped notes, then remarks and fixes.
"""

from __future__ import annotations

from drillcast._words import plural

import json
import os
import re
from pathlib import Path

from drillcast.data.catalogue import CONFIDENCE, EXERCISE_COLUMNS, STATUSES
from drillcast.data.dates import parse_partial_date
from drillcast.data.fields import id_suggestion
from drillcast.errors import OptionError, did_you_mean
from drillcast.data.importers._common import (
    URL, Collector, ImportResult, Pending, check_name_year, clean_rows, clean_text, end_before_start,
    is_missing, map_countries, parse_coordinate, read_table, slugify, valid_id,
)

__all__ = ["import_table", "parse_map_option", "load_mapping_file", "parse_table_date"]

_MONTHS = {}
for _i, _m in enumerate(("january", "february", "march", "april", "may", "june", "july", "august",
                         "september", "october", "november", "december"), start=1):
    _MONTHS[_m] = _MONTHS[_m[:3]] = _i
_MONTHS["sept"] = 9
_TIME = re.compile(r"[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_US = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_D_MONTH_Y = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?,?\s+(\d{4})$", re.I)
_MONTH_D_Y = re.compile(r"^([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$", re.I)
_MONTH_Y = re.compile(r"^([A-Za-z]+)\.?,?\s+(\d{4})$")
DATE_FORMATS = "YYYY-MM-DD, YYYY-MM, YYYY, m/d/yyyy, d Month yyyy, Month d, yyyy or Month yyyy"


def _month(name: str) -> int:
    m = _MONTHS.get(name.lower())
    if m is None:
        raise ValueError(f"{name!r} is not an English month name")
    return m


def parse_table_date(text: str) -> str:
    """ISO text (at the precision given) of a date written in one of the accepted forms.

    Raises
    ------
    ValueError
        Saying what is wrong.

    Examples
    --------
    >>> parse_table_date("9/10/2021"), parse_table_date("10 Sept 2021"), parse_table_date("March 2020")
    ('2021-09-10', '2021-09-10', '2020-03')
    """
    s = _TIME.sub("", " ".join(text.split()))
    m = _ISO.match(s)
    if m:
        parts = [m.group(1)] + [f"{int(g):02d}" for g in m.groups()[1:] if g is not None]
        iso = "-".join(parts)
    elif (m := _US.match(s)):
        iso = f"{m.group(3)}-{int(m.group(1)):02d}-{int(m.group(2)):02d}"
        if int(m.group(1)) > 12:
            raise ValueError(f"{text.strip()!r} is not m/d/yyyy (month {m.group(1)}); write it as YYYY-MM-DD")
    elif (m := _D_MONTH_Y.match(s)):
        iso = f"{m.group(3)}-{_month(m.group(2)):02d}-{int(m.group(1)):02d}"
    elif (m := _MONTH_D_Y.match(s)):
        iso = f"{m.group(3)}-{_month(m.group(1)):02d}-{int(m.group(2)):02d}"
    elif (m := _MONTH_Y.match(s)):
        iso = f"{m.group(2)}-{_month(m.group(1)):02d}"
    else:
        raise ValueError(f"not a date in a known form ({DATE_FORMATS})")
    parse_partial_date(iso)  # raises ValueError for month 13, 30 February, year 0
    return iso


# --------------------------------------------------------------------------- the mapping


def _check_keys(mapping: dict, where: str) -> dict[str, str]:
    out = {}
    for key, value in mapping.items():
        if not isinstance(key, str) or not isinstance(value, str) or not value.strip():
            raise OptionError(f"{where}: {key!r}: {value!r}: map each drillcast column to a table column name "
                              "(a non-empty string)")
        k = key.strip()
        if k not in EXERCISE_COLUMNS:
            prefixed = [c for c in EXERCISE_COLUMNS if c.startswith(k.lower())] if k else []
            if value.strip() in EXERCISE_COLUMNS:
                hint = f" (did you mean {value.strip()}={k}? the drillcast column comes first)"
            elif len(prefixed) == 1:
                hint = f" (did you mean '{prefixed[0]}'?)"
            else:
                hint = did_you_mean(k, EXERCISE_COLUMNS)
            raise OptionError(f"{where}: {k!r} is not a drillcast column{hint}; "
                              f"the columns are {', '.join(EXERCISE_COLUMNS)}")
        out[k] = value.strip()
    return out


def parse_map_option(text: str) -> dict[str, str]:
    """Parse ``--map start_date=Start,name=Exercise`` into ``{"start_date": "Start", "name": "Exercise"}``.

    Pairs are separated by ``,``; spaces around names are ignored. A table
    column whose name contains ``,`` or ``=`` cannot be given here: use a
    mapping file.

    Raises
    ------
    OptionError
        Empty text, a pair without ``=`` or with an empty side, an unknown
        drillcast column (with a did-you-mean), or a drillcast column given twice.

    Examples
    --------
    >>> parse_map_option("start_date=Start, name = Exercise")
    {'start_date': 'Start', 'name': 'Exercise'}
    """
    if not text or not text.strip():
        raise OptionError("--map: empty; write drillcast_column=TableColumn pairs separated by commas, "
                          "e.g. --map start_date=Start,name=Exercise")
    out: dict[str, str] = {}
    for item in text.split(","):
        item = item.strip()
        if not item:
            raise OptionError(f"--map {text!r}: an empty pair (two commas in a row, or a trailing comma); "
                              "write drillcast_column=TableColumn pairs separated by single commas")
        key, eq, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not eq or not key or not value:
            raise OptionError(f"--map: {item!r} is not drillcast_column=TableColumn, e.g. start_date=Start")
        if key in out:
            raise OptionError(f"--map: {key!r} is mapped twice ({out[key]!r} and {value!r}); keep one")
        out.update(_check_keys({key: value}, "--map"))
    return out


def load_mapping_file(path: str | os.PathLike) -> dict[str, str]:
    """Read a JSON mapping file: an object from drillcast columns to table column names.

    Example file: ``{"name": "Exercise", "start_date": "Start", "participants": "Countries"}``.

    Raises
    ------
    OptionError
        Missing or unreadable file, invalid JSON (with line and column), not an
        object of strings, or an unknown drillcast column.
    """
    p = Path(path)
    where = f"--map-file {p}"
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise OptionError(f"{where}: cannot read it ({exc.__class__.__name__}: {exc}); "
                          "give a UTF-8 JSON file") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise OptionError(f"{where}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg}); write an object "
                          'such as {"start_date": "Start", "name": "Exercise"}') from None
    if not isinstance(data, dict):
        raise OptionError(f'{where}: expected a JSON object such as {{"start_date": "Start"}}, '
                          f"found a {type(data).__name__}")
    return _check_keys(data, where)


def _resolve(header: list[str], mapping: dict[str, str], path) -> tuple[dict[str, int], list[str], list[str]]:
    """Positions of the drillcast columns in the table; also the auto-mapped and the ignored columns."""
    exact = {h: i for i, h in enumerate(header)}
    lower: dict[str, list[int]] = {}
    for i, h in enumerate(header):
        lower.setdefault(h.lower(), []).append(i)
    idx: dict[str, int] = {}
    for dc, col in mapping.items():
        if col in exact:
            idx[dc] = exact[col]
        elif len(lower.get(col.lower(), [])) == 1:
            idx[dc] = lower[col.lower()][0]
        else:
            raise OptionError(f"--map {dc}={col}: {path} has no column {col!r}{did_you_mean(col, header)}; "
                              f"its columns are {', '.join(header)}")
    auto = []
    for dc in EXERCISE_COLUMNS:
        if dc not in idx and len(lower.get(dc, [])) == 1:
            idx[dc] = lower[dc][0]
            auto.append(dc)
    used = set(idx.values())
    ignored = [h for i, h in enumerate(header) if i not in used]
    return idx, auto, ignored


# --------------------------------------------------------------------------- import


def _split_list(value: str) -> list[str]:
    sep = ";" if ";" in value else "|" if "|" in value else ","
    return [v.strip() for v in value.split(sep) if v.strip()]


def _optional_date(value: str, col: str, fixes: list[str]) -> str:
    if is_missing(value):
        return ""
    try:
        return parse_table_date(value)
    except ValueError as exc:
        fixes.append(f"{col} {value!r} unreadable ({exc}): {col} left empty")
        return ""


def import_table(path: str | os.PathLike, mapping: dict[str, str] | None = None,
                 mapping_file: str | os.PathLike | None = None, *, source: str | None = None) -> ImportResult:
    """Read a CSV table of exercises into catalogue rows, following the rules of this module.

    Parameters
    ----------
    path : path-like
        The CSV file (UTF-8, else Windows-1252 / Latin-1; any line ends).
    mapping : dict of str to str, optional
        drillcast column -> table column (see :func:`parse_map_option`).
    mapping_file : path-like, optional
        A JSON mapping (:func:`load_mapping_file`); ``mapping`` overrides it.
    source : str, optional
        URL recorded as the source of rows without one; required if the
        table has no ``sources`` column.

    Raises
    ------
    OptionError
        A bad mapping, a mapped column missing from the table, no
        ``start_date`` column, or a missing or invalid ``source``.
    DataError
        The file is missing, empty, binary or unreadable as CSV.
    """
    merged: dict[str, str] = {}
    if mapping_file is not None:
        merged.update(load_mapping_file(mapping_file))
    if mapping:
        merged.update(_check_keys(dict(mapping), "--map"))
    if source is not None and not URL.match(source.strip()):
        raise OptionError(f"--source {source!r}: not a URL; give where the table comes from, starting with "
                          "http:// or https://")
    source = source.strip() if source else ""
    table = read_table(path, "a CSV table of exercises")
    idx, auto, ignored = _resolve(table.header, merged, path)
    if "start_date" not in idx:
        raise OptionError(f"{path}: no start date column; map one with --map start_date=COLUMN "
                          f"(columns: {', '.join(table.header)})")
    if "sources" not in idx and not source:
        raise OptionError(f"{path}: the table has no sources column: give --source URL (where the table "
                          "comes from; drillcast sources are http(s) URLs), or map one with --map sources=COLUMN")
    col = Collector()
    for line, stripped in clean_rows(table, col, idx.get("id")):
        raw_id = stripped[idx["id"]] if "id" in idx else ""

        def get(name: str) -> str:
            return stripped[idx[name]] if name in idx else ""

        fixes: list[str] = []
        remarks: list[str] = []
        raw_start = get("start_date")
        if is_missing(raw_start):
            col.skip(line, raw_id, "no start date")
            continue
        try:
            start = parse_table_date(raw_start)
        except ValueError as exc:
            col.skip(line, raw_id, f"start date {raw_start!r}: {exc}")
            continue
        status = get("status").lower() if "status" in idx else "held"
        if not status:
            status = "held"
            fixes.append("empty status: held assumed")
        elif status not in STATUSES:
            col.skip(line, raw_id, f"status {get('status')!r} is not one of {', '.join(STATUSES)}"
                     f"{did_you_mean(status, STATUSES)}")
            continue
        sources = []
        cell = get("sources")
        for part in cell.split(";"):
            tokens = part.split()
            if tokens and all(URL.match(u) for u in tokens):
                sources.extend(tokens)
            elif tokens:
                fixes.append(f"source {' '.join(tokens)!r} is not an http(s) URL: dropped")
        if not sources:
            if not source:
                col.skip(line, raw_id, "no source URL in the row; give --source URL to use for such rows")
                continue
            sources = [source]
            if cell:
                fixes.append("no valid source URL in the row: --source used")

        end = _optional_date(get("end_date"), "end_date", fixes)
        if end and end_before_start(start, end):
            fixes.append(f"end before start: end dropped (start {start}, end {end})")
            end = ""
        series_name = "" if is_missing(get("series")) else clean_text(get("series"))
        series = slugify(series_name)
        if series_name and not series:
            fixes.append(f"series {series_name!r} has no letters or digits: no series")

        explicit = False
        base = f"{series.upper() or 'EX'}-{start[:4]}"
        if raw_id:
            if valid_id(raw_id):
                base, explicit = raw_id, True
            else:
                cleaned = id_suggestion(raw_id)
                if cleaned and valid_id(cleaned):
                    base, explicit = cleaned, True
                    fixes.append(f"id {raw_id!r} is not a valid id: written as {cleaned!r}")
                else:
                    fixes.append(f"id {raw_id!r} is not a valid id: a new id was generated")
        elif "id" in idx:
            fixes.append("empty id: a new id was generated")

        name = clean_text(get("name"))
        if name:
            check_name_year(name, start, remarks)
        elif series_name:
            name = f"{series_name} {start[:4]}"

        unmapped: list[str] = []
        lists = {}
        for c in ("host", "participants", "observers"):
            got: list[str] = []
            lists[c] = ";".join(map_countries(_split_list(get(c)), c, fixes, got, accept_codes=True))
            if got:
                fixes.append(f"unmapped {c.rstrip('s')} {'name' if len(got) == 1 else 'names'} " + ", ".join(repr(u) for u in got)
                             + f": left out of {c}, kept in notes")
                unmapped.extend(u for u in got if u not in unmapped)

        primary = get("primary").lower()
        if primary in ("", "yes", "y", "true", "1"):
            primary = "yes"
        elif primary in ("no", "n", "false", "0"):
            primary = "no"
        else:
            fixes.append(f"primary {get('primary')!r} is not yes or no: yes assumed")
            primary = "yes"
        confidence = get("confidence").lower() if "confidence" in idx else "low"
        if confidence not in CONFIDENCE:
            if confidence:
                fixes.append(f"confidence {get('confidence')!r} is not high, medium or low: low assumed")
            confidence = "low"
        domains = [re.sub(r"\s+", "-", d.lower()) for d in _split_list(get("domain"))]
        notes = get("notes")
        row = {
            "name": name, "series": series, "direction": slugify(get("direction")), "primary": primary,
            "start_date": start, "end_date": end, "status": status,
            "first_reported": _optional_date(get("first_reported"), "first_reported", fixes),
            "status_reported": _optional_date(get("status_reported"), "status_reported", fixes),
            "host": lists["host"], "participants": lists["participants"], "observers": lists["observers"],
            "domain": ";".join(dict.fromkeys(domains)),
            "personnel_claimed": clean_text(get("personnel_claimed")),
            "location": clean_text(get("location")),
            "lat": parse_coordinate(get("lat"), "lat", 90.0, fixes),
            "lon": parse_coordinate(get("lon"), "lon", 180.0, fixes),
            "sources": " ; ".join(dict.fromkeys(sources)), "confidence": confidence,
        }
        text_notes = ["" if is_missing(notes) else notes,
                      "Unmapped names: " + ", ".join(unmapped) if unmapped else ""]
        col.add(Pending(line, raw_id, stripped, row, base, explicit, text_notes, fixes, remarks),
                unmapped, series_name)

    _check_directions(col.pending)
    col.assign_ids("id")
    for p in col.pending:
        if not p.row["name"]:
            p.row["name"] = p.row["id"]
    notes = [table.note]
    if table.blank_lines:
        notes.append(f"{plural(table.blank_lines, 'empty line')} ignored (not data rows)")
    if auto:
        notes.append("columns used under their own (drillcast) names: " + ", ".join(auto))
    return col.result(path, "table", table.encoding, source, ignored, notes)


def _check_directions(pending: list[Pending]) -> None:
    """Keep directions only where the series rotates (two or more distinct directions)."""
    dirs: dict[str, set[str]] = {}
    for p in pending:
        d, s = p.row["direction"], p.row["series"]
        if d and s and d not in ("other", "none", "held"):
            dirs.setdefault(s, set()).add(d)
    for p in pending:
        d, s = p.row["direction"], p.row["series"]
        if not d:
            continue
        if not s:
            why = "the row has no series"
        elif d in ("none", "held"):
            why = f"'{d}' is reserved"
        elif len(dirs.get(s, ())) < 2:
            why = f"series {s} has fewer than two directions, so it does not rotate"
        else:
            continue
        p.fixes.append(f"direction {d!r} dropped: {why}")
        p.row["direction"] = ""
