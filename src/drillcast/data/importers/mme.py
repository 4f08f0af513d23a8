"""Import the Multinational Military Exercises dataset (MME v7) as catalogue rows.

MME (D'Orazio and Galambos, 1980-2010; Harvard Dataverse,
https://doi.org/10.7910/DVN/KHFODX) has one row per exercise with the columns
``MMEID, Ex_Name, Series_Name, Location, lat, lon, StartDate, s.year, s.month,
s.day, EndDate, e.year, e.month, e.day``, the 0/1 flags ``CPX, Air, Land, Sea,
Amphibious, Cyber, Warfighting, Peacekeeping, Humanitarian``, the free text
``FocusDescription`` and ``AdditionalParticipantInfo``, and the participants
as country names in the 39 columns ``StateA`` ... ``StateZ``, ``StateAA`` ...
``StateAM``. ``-9`` codes a missing or unnamed value and ``xx`` an unknown day.

Required columns are ``MMEID, Ex_Name, Series_Name, StartDate, s.year,
s.month, s.day, StateA``; the others are read when present. Column names are
matched ignoring case and surrounding spaces; columns not listed above are
reported as not imported.

Rules
-----
Every data row below the header is either imported or listed as skipped with
its reason, and every change is listed as a fix (:class:`ImportResult`).
Each rule keeps the output valid for :func:`drillcast.data.catalogue.load_catalogue`.

- **File**: UTF-8 (with or without BOM); otherwise Windows-1252, else
  Latin-1, recorded in the report. A file with NUL bytes is binary: DataError.
  A file without the required columns is not MME: DataError naming them.
- **Rows**: a row of only empty cells is skipped ("empty row"); a row with
  more or fewer fields than the header is skipped (broken quoting). A row
  identical in every field (ignoring spaces around values) to an earlier one
  is skipped as "exact duplicate of line N".
- **id** = ``MME-<MMEID>`` (an MMEID such as ``12.0`` written by a spreadsheet
  is read as ``12``). A row without a usable MMEID is skipped. An MMEID used
  again with different content: both rows are kept, the later one as
  ``MME-<MMEID>-2`` (``-3`` ...), a fix on that row and a remark on the first.
- **start_date** from ``s.year``/``s.month``/``s.day`` and ``StartDate``
  (``m/d/yy``, two-digit years 80-99 = 19xx and 00-10 = 20xx, or ``m/d/yyyy``,
  or ``yyyy-mm-dd`` with ``xx`` for an unknown day or month). The split fields
  are preferred; ``StartDate`` fills the parts they lack when the two agree.
  When they disagree the split fields win and the disagreement is a fix. The
  precision is what is known: day unknown (``xx``, ``-9``) gives ``YYYY-MM``,
  month unknown gives ``YYYY``; an impossible month or day (13, 30 February)
  is dropped to the coarser precision as a fix. No start year: skipped.
- **end_date** the same way from ``e.year``/``e.month``/``e.day`` and
  ``EndDate``; unknown means empty. An end that surely falls before the start
  (its last possible day before the start's first) is dropped, the row kept:
  fix "end before start: end dropped". The start is trusted because the
  series forecasts use the start only.
- **name** = ``Ex_Name``; if it is ``-9``: ``Series_Name`` and the start year;
  if both are ``-9``: ``MME exercise <MMEID>``. A year written in the name
  (``2004`` or ``'04``) that differs from the start year: the start year is kept
  and the row carries a remark (report and notes).
- **series** = :func:`~drillcast.data.importers.slugify` of ``Series_Name``;
  ``-9`` or blank: no series (the row is kept without one).
- **participants**: the State columns mapped by
  :func:`~drillcast.data.importers.country_names.country_code`, in column order,
  each code once (a country listed twice is a fix). Names that map to no code
  are left out of ``participants``, kept in ``notes`` and counted in
  ``unmapped_names`` (a fix on the row). MME writes the Soviet Union as
  "Russia" before 1992; such rows keep MME's coding, RUS, with a remark in
  ``notes`` and a file-level note listing them.
- **domain** from the flags: CPX -> command-staff, Air -> air, Land -> land,
  Sea -> sea, Amphibious -> amphibious, Cyber -> cyber, Warfighting ->
  warfighting, Peacekeeping -> peacekeeping, Humanitarian -> humanitarian
  (``1`` sets a flag; ``0``, ``-9`` and empty do not; other values are a fix).
- **location** = ``Location``; **lat**/**lon** kept if numeric and within
  +-90/+-180, otherwise left empty (a fix unless ``-9``).
- Constant: ``status`` held (MME records held exercises), ``primary`` yes,
  ``confidence`` medium, ``sources`` the DOI URL above; ``host`` (MME has no
  host column), ``direction``, ``first_reported``, ``status_reported``,
  ``observers`` and ``personnel_claimed`` empty.
- **notes** = ``Focus: <FocusDescription> | Other participants:
  <AdditionalParticipantInfo> | Unmapped participants: ... | import remark:
  ... | import fix: ...``, each part with whitespace collapsed and cut to 300
  characters.

Examples
--------
>>> parse_mme_date("5/15/01"), parse_mme_date("2002-05-xx"), parse_mme_date("-9")
((2001, 5, 15), (2002, 5, None), (None, None, None))
"""

from __future__ import annotations

from drillcast._words import plural

import os
import re
import string

from drillcast.errors import DataError
from drillcast.data.fields import id_suggestion
from drillcast.data.importers._common import (
    Collector, ImportResult, Pending, check_name_year, clean_rows, clean_text, end_before_start,
    iso_date, is_missing, map_countries, parse_coordinate, read_table, slugify,
)

__all__ = ["import_mme", "parse_mme_date", "MME_SOURCE", "STATE_COLUMNS", "FLAG_DOMAINS"]

MME_SOURCE = "https://doi.org/10.7910/DVN/KHFODX"
STATE_COLUMNS = tuple(f"State{c}" for c in string.ascii_uppercase) + tuple(
    f"StateA{c}" for c in "ABCDEFGHIJKLM"
)
FLAG_DOMAINS = (
    ("CPX", "command-staff"), ("Air", "air"), ("Land", "land"), ("Sea", "sea"),
    ("Amphibious", "amphibious"), ("Cyber", "cyber"), ("Warfighting", "warfighting"),
    ("Peacekeeping", "peacekeeping"), ("Humanitarian", "humanitarian"),
)
REQUIRED = ("MMEID", "Ex_Name", "Series_Name", "StartDate", "s.year", "s.month", "s.day", "StateA")
OPTIONAL = ("Location", "lat", "lon", "EndDate", "e.year", "e.month", "e.day",
            "FocusDescription", "AdditionalParticipantInfo") + tuple(f for f, _ in FLAG_DOMAINS)
KNOWN = REQUIRED + OPTIONAL + STATE_COLUMNS[1:]
TWO_DIGIT_YEARS = (range(80, 100), range(0, 11))  # 19xx, 20xx: MME covers 1980-2010
_SLASH = re.compile(r"^(\d{1,2}|xx|-9)/(\d{1,2}|xx|-9)/(\d{2}|\d{4})$", re.I)
_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2}|xx|-9)(?:-(\d{1,2}|xx|-9))?)?$", re.I)
_UNKNOWN = ("xx", "-9")


def _part(text: str | None) -> int | None:
    return None if text is None or text.lower() in _UNKNOWN else int(text)


def parse_mme_date(text: str) -> tuple[int | None, int | None, int | None]:
    """Parse an MME date cell into (year, month, day), None for what is unknown.

    Accepts ``m/d/yy`` (80-99 = 19xx, 00-10 = 20xx), ``m/d/yyyy``,
    ``yyyy-mm-dd``, ``yyyy-mm`` and ``yyyy``, with ``xx`` or ``-9`` for an
    unknown day or month; ``-9`` or an empty cell is (None, None, None). The
    values are not checked against the calendar (see the module rules).

    Raises
    ------
    ValueError
        For any other text, or a two-digit year outside 80-99 and 00-10.

    Examples
    --------
    >>> parse_mme_date("6/26/98"), parse_mme_date("1/5/2010"), parse_mme_date("1995-xx-xx")
    ((1998, 6, 26), (2010, 1, 5), (1995, None, None))
    """
    s = text.strip()
    if is_missing(s):
        return (None, None, None)
    m = _SLASH.match(s)
    if m:
        month, day, y = _part(m.group(1)), _part(m.group(2)), m.group(3)
        year = int(y)
        if len(y) == 2:
            if year in TWO_DIGIT_YEARS[0]:
                year += 1900
            elif year in TWO_DIGIT_YEARS[1]:
                year += 2000
            else:
                raise ValueError(f"two-digit year {y!r} is outside MME's 80-99 (19xx) and 00-10 (20xx)")
        return (year, month, None if month is None else day)
    m = _ISO.match(s)
    if m:
        month = _part(m.group(2))
        return (int(m.group(1)), month, None if month is None else _part(m.group(3)))
    raise ValueError("not an MME date (m/d/yy, m/d/yyyy or yyyy-mm-dd with xx for unknown parts)")


def _split_part(value: str, col: str) -> int | None:
    v = value.strip()
    if is_missing(v) or v.lower() == "xx":
        return None
    if re.fullmatch(r"\d+(\.0+)?", v):
        return int(float(v))
    raise ValueError(f"{col} {v!r} is not a number")


def _resolve_date(label: str, text_col: str, text: str, split_cols: tuple[str, str, str],
                  split: tuple[str, str, str], fixes: list[str]) -> str | None:
    """ISO date from MME's text and split fields (see the module rules), or None if the year is unknown."""
    problems = []
    try:
        t = parse_mme_date(text)
    except ValueError as exc:
        t = (None, None, None)
        problems.append(f"{text_col} {text.strip()!r} unreadable ({exc})")
    try:
        sp = tuple(_split_part(v, c) for v, c in zip(split, split_cols))
    except ValueError as exc:
        sp = (None, None, None)
        problems.append(str(exc))
    if sp[0] is not None and not 1800 <= sp[0] <= 2200:
        problems.append(f"{split_cols[0]} {sp[0]} is not a year")
        sp = (None, None, None)
    if sp[0] is None and sp != (None, None, None):
        sp = (None, None, None)  # a month without a year says nothing usable
    names = "/".join(split_cols)
    if sp[0] is not None:
        parts = list(sp)
        if t[0] is not None:
            clash = [i for i in range(3) if sp[i] is not None and t[i] is not None and sp[i] != t[i]]
            if clash:
                fixes.append(f"{text_col} {text.strip()!r} disagrees with {names} "
                             f"{'-'.join('xx' if v is None else str(v) for v in sp)}: used {names}")
            elif parts[1] is None and t[1] is not None:
                parts[1], parts[2] = t[1], t[2]
            elif parts[2] is None and parts[1] == t[1]:
                parts[2] = t[2]
        if problems:
            fixes.append("; ".join(problems) + f": used {names}")
        y, mo, d = parts
    elif t[0] is not None:
        if problems:
            fixes.append("; ".join(problems) + f": used {text_col}")
        y, mo, d = t
    else:
        if problems:
            fixes.append("; ".join(problems))
        return None
    if mo is None:
        d = None
    return iso_date(y, mo, d, label, fixes)


def _columns(header: list[str], path) -> tuple[dict[str, int], list[str], list[str]]:
    """Map canonical MME names to header positions; return (index, state columns in order, ignored)."""
    lower = {h.lower(): i for i, h in enumerate(header)}
    idx = {c: lower[c.lower()] for c in KNOWN if c.lower() in lower}
    missing = [c for c in REQUIRED if c not in idx]
    if missing:
        raise DataError(
            f"{path}: not an MME file: missing {'column' if len(missing) == 1 else 'columns'} {', '.join(missing)}. Expected the MME v7 CSV "
            f"(Multinational Military Exercises, D'Orazio and Galambos, {MME_SOURCE}) with columns "
            "MMEID, Ex_Name, Series_Name, Location, lat, lon, StartDate, s.year, s.month, s.day, EndDate, "
            "e.year, e.month, e.day, CPX, Air, Land, Sea, Amphibious, Cyber, Warfighting, Peacekeeping, "
            "Humanitarian, FocusDescription, AdditionalParticipantInfo, StateA ... StateAM. "
            f"Found: {', '.join(header[:12])}{' ...' if len(header) > 12 else ''}. "
            "For any other table use 'drillcast data import csv FILE --map ...'."
        )
    states = [c for c in STATE_COLUMNS if c in idx]
    used = set(idx.values())
    ignored = [h for i, h in enumerate(header) if i not in used]
    return idx, states, ignored


def import_mme(path: str | os.PathLike) -> ImportResult:
    """Read an MME v7 CSV file into catalogue rows, following the rules of this module.

    Parameters
    ----------
    path : path-like
        The MME CSV (any line ends, RFC 4180 quoting, UTF-8 or Windows-1252).

    Returns
    -------
    ImportResult
        ``rows`` ready for :func:`drillcast.data.importers.write_catalogue`, and the
        report: every skipped or changed row, the counts, the unmapped names.

    Raises
    ------
    DataError
        The file is missing, empty, binary, unreadable as CSV, or not MME.

    Examples
    --------
    >>> res = import_mme("tests/fixtures/import/mme_v7_sample.csv")  # doctest: +SKIP
    >>> res.counts  # doctest: +SKIP
    {'input_rows': 27, 'imported': 24, 'imported_with_fixes': 6, 'skipped': 3}
    """
    table = read_table(path, "an MME v7 CSV file (Multinational Military Exercises)")
    idx, states, ignored = _columns(table.header, path)
    col = Collector()
    russia_before_1992: list[str] = []
    for line, stripped in clean_rows(table, col, idx["MMEID"]):

        def get(name: str) -> str:
            return stripped[idx[name]] if name in idx else ""

        mmeid = get("MMEID")
        if re.fullmatch(r"\d+\.0+", mmeid):
            mmeid = mmeid.split(".")[0]
        if is_missing(mmeid):
            col.skip(line, "", "no MMEID: a row needs its MME id")
            continue
        if not re.fullmatch(r"[A-Za-z0-9._:-]+", mmeid):
            col.skip(line, mmeid, f"MMEID {mmeid!r} has characters other than letters, digits and - . _ :")
            continue
        fixes: list[str] = []
        remarks: list[str] = []
        start = _resolve_date("start", "StartDate", get("StartDate"), ("s.year", "s.month", "s.day"),
                              (get("s.year"), get("s.month"), get("s.day")), fixes)
        if start is None:
            reason = "no start year in StartDate or s.year"
            if fixes:
                reason += " (" + "; ".join(fixes) + ")"
            col.skip(line, mmeid, reason)
            continue
        end = _resolve_date("end", "EndDate", get("EndDate"), ("e.year", "e.month", "e.day"),
                            (get("e.year"), get("e.month"), get("e.day")), fixes) or ""
        if end and end_before_start(start, end):
            fixes.append(f"end before start: end dropped (start {start}, end {end})")
            end = ""

        series_name = "" if is_missing(get("Series_Name")) else clean_text(get("Series_Name"))
        series = slugify(series_name)
        if series_name and not series:
            fixes.append(f"Series_Name {series_name!r} has no letters or digits: no series")
        ex_name = "" if is_missing(get("Ex_Name")) else clean_text(get("Ex_Name"))
        if ex_name:
            name = ex_name
            check_name_year(name, start, remarks)
        elif series_name:
            name = f"{series_name} {start[:4]}"
        else:
            name = f"MME exercise {mmeid}"

        unmapped: list[str] = []
        state_names = [get(c) for c in states]
        participants = map_countries(state_names, "participants", fixes, unmapped)
        if unmapped:
            fixes.append(f"unmapped participant {'name' if len(unmapped) == 1 else 'names'} " + ", ".join(repr(u) for u in unmapped)
                         + ": left out of participants, kept in notes")
        if int(start[:4]) < 1992 and any(clean_text(n).lower() == "russia" for n in state_names):
            remarks.append("'Russia' before 1992 is the USSR in MME: coded RUS as MME codes it")
            russia_before_1992.append(f"MMEID {mmeid}")

        domains = []
        for flag, domain in FLAG_DOMAINS:
            v = get(flag).lower()
            if v in ("1", "1.0", "yes", "true"):
                domains.append(domain)
            elif not (v in ("0", "0.0", "no", "false") or is_missing(v)):
                fixes.append(f"flag {flag} is {get(flag)!r}, not 0 or 1: ignored")

        focus = get("FocusDescription")
        other = get("AdditionalParticipantInfo")
        text_notes = [
            "" if is_missing(focus) else "Focus: " + focus,
            "" if is_missing(other) else "Other participants: " + other,
            "Unmapped participants: " + ", ".join(unmapped) if unmapped else "",
        ]
        location = get("Location")
        row = {
            "name": name, "series": series, "direction": "", "primary": "yes",
            "start_date": start, "end_date": end, "status": "held",
            "first_reported": "", "status_reported": "", "host": "",
            "participants": ";".join(participants), "observers": "", "domain": ";".join(domains),
            "personnel_claimed": "", "location": "" if is_missing(location) else clean_text(location),
            "lat": parse_coordinate(get("lat"), "lat", 90.0, fixes),
            "lon": parse_coordinate(get("lon"), "lon", 180.0, fixes),
            "sources": MME_SOURCE, "confidence": "medium",
        }
        col.add(Pending(line, mmeid, stripped, row, "MME-" + id_suggestion(mmeid), True, text_notes, fixes, remarks),
                unmapped, series_name)
    col.assign_ids("MMEID")
    notes = [table.note]
    if table.blank_lines:
        notes.append(f"{plural(table.blank_lines, 'empty line')} ignored (not data rows)")
    if russia_before_1992:
        shown = ", ".join(russia_before_1992[:10]) + (" ..." if len(russia_before_1992) > 10 else "")
        notes.append(f"{plural(len(russia_before_1992), 'row')} before 1992 {'lists' if len(russia_before_1992) == 1 else 'list'} 'Russia', MME's name for the USSR: "
                     f"coded RUS as MME codes it, not SUN ({shown})")
    return col.result(path, "mme", table.encoding, MME_SOURCE, ignored, notes)
