"""What the importers share: the result and its report, reading a foreign CSV, slugs, dates, rows.

An importer reads a file, turns each input row into one catalogue row (a dict
of strings keyed by :data:`drillcast.data.catalogue.EXERCISE_COLUMNS`) or a skip
with a reason, and returns an :class:`ImportResult`. Nothing is dropped
silently: every input row is imported or listed as skipped, every change made
to a row is listed as a fix, and the counts add up.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from drillcast.data.catalogue import EXERCISE_COLUMNS, MAX_FIELD
from drillcast.data.dates import parse_partial_date
from drillcast.data.fields import _ID as _ID_OK, id_suggestion  # noqa: F401  (one id rule for every importer)
from drillcast._io import read_input_bytes
from drillcast.errors import DataError
from drillcast.data import countries
from drillcast.data.importers.country_names import country_code, normalise_name

__all__ = ["ImportResult", "ReportEntry", "slugify", "ACTIONS"]

ACTIONS = ("imported", "imported-with-fix", "skipped")
NOTE_LIMIT = 300  # characters per part of the notes column
URL = re.compile(r"^https?://[A-Za-z0-9][A-Za-z0-9.-]*(?::\d+)?(?:[/?#]\S*)?$")  # as drillcast.data.catalogue


# --------------------------------------------------------------------------- the result


@dataclass(frozen=True)
class ReportEntry:
    """What happened to one input row that was skipped, changed or noted.

    Attributes
    ----------
    line : int
        Physical line of the file where the row starts (the header is line 1).
    input_id : str
        The row's id in the input (MMEID, or the table's id column), ``""`` if none.
    id : str
        The catalogue id given to the row, ``""`` if it was skipped.
    action : {"imported", "imported-with-fix", "skipped"}
        ``imported`` entries carry a remark only (nothing was changed).
    reason : str
        Every fix or remark, separated by ``"; "``, or why the row was skipped.
    """

    line: int
    input_id: str
    id: str
    action: str
    reason: str

    def to_dict(self) -> dict:
        return {"line": self.line, "input_id": self.input_id, "id": self.id,
                "action": self.action, "reason": self.reason}

    def text(self, id_label: str = "id") -> str:
        """One report line, e.g. ``line 13, MMEID 109 -> MME-109-2: ...``."""
        who = f"line {self.line}"
        if self.input_id:
            who += f", {id_label} {self.input_id}"
        if self.id and self.id != self.input_id:
            who += f" -> {self.id}"
        return f"{who}: {self.reason}"

    def __str__(self) -> str:
        return self.text()


@dataclass(frozen=True)
class ImportResult:
    """Rows imported from a foreign table, and the report of how.

    Attributes
    ----------
    path : str
        The input file.
    format : {"mme", "table"}
    encoding : str
        ``utf-8``, or ``cp1252`` / ``latin-1`` when the file was not UTF-8.
    rows : tuple of dict
        One catalogue row per imported input row: every key of
        :data:`~drillcast.data.catalogue.EXERCISE_COLUMNS`, every value a string.
    entries : tuple of ReportEntry
        One per input row that was skipped, changed (``imported-with-fix``)
        or noted (``imported``), in file order.
    counts : dict of str to int
        ``input_rows`` (data records below the header, excluding physically
        empty lines), ``imported`` (including those with fixes),
        ``imported_with_fixes`` and ``skipped``;
        ``input_rows == imported + skipped`` always.
    unmapped_names : dict of str to int
        Participant names that map to no country code, with the number of rows
        naming them. They are left out of ``participants`` and kept in ``notes``.
    series_names : dict of str to str
        Series slug -> the name first seen for it in the input.
    source : str
        The URL recorded as the source of every row (MME's DOI, or ``--source``).
    ignored_columns : tuple of str
        Input columns that were not imported.
    notes : tuple of str
        File-level remarks (encoding fallback, blank lines, coding conventions).
    """

    path: str
    format: str
    encoding: str
    rows: tuple = field(repr=False)
    entries: tuple = field(repr=False)
    counts: dict = field(default_factory=dict)
    unmapped_names: dict = field(default_factory=dict, repr=False)
    series_names: dict = field(default_factory=dict, repr=False)
    source: str = ""
    ignored_columns: tuple = ()
    notes: tuple = ()

    def __post_init__(self):
        c = self.counts
        if c["input_rows"] != c["imported"] + c["skipped"] or c["imported"] != len(self.rows):
            raise RuntimeError(f"import counts do not add up: {c}")  # a bug, not bad data

    def skipped(self) -> list[ReportEntry]:
        """Entries of the rows that were not imported."""
        return [e for e in self.entries if e.action == "skipped"]

    def fixed(self) -> list[ReportEntry]:
        """Entries of the rows imported with a change."""
        return [e for e in self.entries if e.action == "imported-with-fix"]

    def report_text(self) -> str:
        """The import report for people: counts, every skipped row and fix, unmapped names."""
        c = self.counts
        kind = "MME v7 format" if self.format == "mme" else "table"
        out = [
            f"Import of {self.path} ({kind}, encoding {self.encoding})",
            f"input rows: {c['input_rows']}; imported: {c['imported']} "
            f"({c['imported_with_fixes']} with fixes); skipped: {c['skipped']}",
        ]
        sections = (
            ("skipped", "Skipped rows (not in the catalogue)"),
            ("imported-with-fix", "Imported with fixes"),
            ("imported", "Imported with remarks"),
        )
        for action, title in sections:
            lst = [e for e in self.entries if e.action == action]
            if lst:
                out.append(f"{title}: {len(lst)}")
                out.extend("  " + e.text("MMEID" if self.format == "mme" else "id") for e in lst)
        if self.unmapped_names:
            out.append("Unmapped participant names (left out of participants, kept in notes):")
            for name, n in sorted(self.unmapped_names.items(), key=lambda kv: (-kv[1], kv[0])):
                out.append(f"  {name!r}: {n} row{'s' if n != 1 else ''}")
        if self.ignored_columns:
            out.append("Columns not imported: " + ", ".join(self.ignored_columns))
        out.extend(f"Note: {n}" for n in self.notes)
        return "\n".join(out)

    def to_dict(self, rows: bool = False) -> dict:
        """JSON-ready report; the imported rows too if ``rows`` is true."""
        d = {
            "path": self.path, "format": self.format, "encoding": self.encoding,
            "counts": dict(self.counts), "entries": [e.to_dict() for e in self.entries],
            "unmapped_names": dict(self.unmapped_names), "series_names": dict(self.series_names),
            "source": self.source, "ignored_columns": list(self.ignored_columns), "notes": list(self.notes),
        }
        if rows:
            d["rows"] = [dict(r) for r in self.rows]
        return d


# --------------------------------------------------------------------------- text helpers


def slugify(text: str) -> str:
    """Series id of a name: lower case ASCII, runs of other characters as one ``-``.

    Accents are removed first (Unicode NFKD), so ``Côte`` gives ``cote``;
    any other character outside a-z and 0-9 separates words.

    Examples
    --------
    >>> slugify("Cobra Gold"), slugify("RIMPAC"), slugify(" --Ex. 2 -- ")
    ('cobra-gold', 'rimpac', 'ex-2')
    """
    s = unicodedata.normalize("NFKD", text)
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")


def clean_text(value: str, limit: int | None = None) -> str:
    """Collapse whitespace (newlines included) to single spaces; cut to ``limit`` characters."""
    s = " ".join(value.split())
    if limit is not None and len(s) > limit:
        s = s[: limit - 3].rstrip() + "..."
    return s


def is_missing(value: str) -> bool:
    """MME and spreadsheet codes for 'nothing here'."""
    return value.strip().lower() in ("", "-9", "-9.0", ".", "na", "n/a", "nan", "none", "null")


# --------------------------------------------------------------------------- reading


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (physical line, fields)
    encoding: str
    blank_lines: int
    note: str = ""


def read_table(path, what: str) -> Table:
    """Read a foreign CSV defensively: UTF-8 (BOM or not), else Windows-1252, else Latin-1.

    Raises
    ------
    DataError
        Missing, empty, binary or unreadable file, naming the file, the line and the fix.
    """
    path = Path(path)
    raw = read_input_bytes(path, what, f"the file is empty; expected {what} with a header row")
    note = ""
    try:
        text, encoding = raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        try:
            text, encoding = raw.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            text, encoding = raw.decode("latin-1"), "latin-1"
        note = (f"the file is not UTF-8 (byte 0x{raw[exc.start]:02x} on line {line}): read as {encoding} "
                "(Windows-1252 is usual for MME files); check accented names in the output")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    old_limit = csv.field_size_limit()
    csv.field_size_limit(MAX_FIELD)
    rows: list[tuple[int, list[str]]] = []
    header = None
    blank = 0
    try:
        start = 1
        for rec in reader:
            if header is None:
                header = rec
            elif rec:
                rows.append((start, rec))
            else:
                blank += 1
            start = reader.line_num + 1
    except csv.Error as exc:
        msg = str(exc)
        if "field larger" in msg:
            msg = f"a field longer than {MAX_FIELD:,} characters (an unclosed quote?)"
        raise DataError(f"{path}:{reader.line_num}: cannot read CSV: {msg}; check quoting on that line") from None
    finally:
        csv.field_size_limit(old_limit)
    header = [h.strip() for h in (header or [])]
    if len(header) == 1:
        for sep, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "pipes")):
            if sep in header[0]:
                raise DataError(f"{path}:1: the header is one column containing {name}; "
                                "re-export the table with ',' as the delimiter")
    seen = set()
    for h in header:
        if h and h.lower() in seen:
            raise DataError(f"{path}:1: column {h!r} appears twice in the header; rename or remove one")
        seen.add(h.lower())
    return Table(header, rows, encoding, blank, note)


def fit_row(rec: list[str], n: int) -> tuple[list[str] | None, str]:
    """Fields of a record against a header of ``n`` columns: (fields, "") or (None, reason)."""
    if len(rec) == n:
        return rec, ""
    if len(rec) > n and not any(f.strip() for f in rec[n:]):
        return rec[:n], ""  # trailing empty cells that spreadsheets add: nothing is lost
    if len(rec) > n:
        return None, (f"{len(rec)} fields but the header has {n}: a comma inside an unquoted field? "
                      "quote that field and import again")
    return None, f"{len(rec)} fields but the header has {n}: the row is cut short; complete it and import again"


# --------------------------------------------------------------------------- dates


def clean_rows(table: Table, col: "Collector", id_index: int | None):
    """Yield ``(line, stripped fields)`` of the rows worth importing; record every other row as skipped.

    Skipped: rows that do not fit the header, rows of empty cells, exact duplicates of an earlier row.
    """
    for line, rec in table.rows:
        col.n_input += 1
        fields, why = fit_row(rec, len(table.header))
        raw_id = rec[id_index].strip() if id_index is not None and len(rec) > id_index else ""
        if fields is None:
            col.skip(line, raw_id, why)
            continue
        stripped = tuple(f.strip() for f in fields)
        if not any(stripped):
            col.skip(line, "", "empty row (every cell blank)")
            continue
        earlier = col.seen(line, stripped)
        if earlier is not None:
            col.skip(line, raw_id, f"exact duplicate of line {earlier}")
            continue
        yield line, stripped


def iso_date(year: int, month: int | None, day: int | None, label: str, fixes: list[str]) -> str:
    """ISO text at the precision known: YYYY-MM-DD, YYYY-MM or YYYY; impossible parts are dropped as fixes."""
    if month is None:
        return f"{year:04d}"
    if not 1 <= month <= 12:
        fixes.append(f"{label} month {month} does not exist: {label} kept as the year {year:04d}")
        return f"{year:04d}"
    if day is None:
        return f"{year:04d}-{month:02d}"
    try:
        parse_partial_date(f"{year:04d}-{month:02d}-{day:02d}")
    except ValueError as exc:
        fixes.append(f"{label} {exc}: {label} kept as the month {year:04d}-{month:02d}")
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}"


def end_before_start(start: str, end: str) -> bool:
    """True if ``end`` surely ends before ``start`` begins (the catalogue's own test)."""
    s, e = parse_partial_date(start), parse_partial_date(end)
    return e.high < s.low


_YEAR_IN_NAME = re.compile(r"(?<![0-9])(19[0-9]{2}|20[0-9]{2})(?![0-9])|'([0-9]{2})(?![0-9])")


def years_in_name(name: str) -> list[int]:
    """Years written in an exercise name: ``2004`` or ``'04`` (two digits: 80-99 -> 19xx, else 20xx)."""
    out = []
    for m in _YEAR_IN_NAME.finditer(name):
        if m.group(1):
            out.append(int(m.group(1)))
        else:
            yy = int(m.group(2))
            out.append(1900 + yy if yy >= 80 else 2000 + yy)
    return out


def check_name_year(name: str, start: str, remarks: list[str]) -> None:
    years = years_in_name(name)
    y = int(start[:4])
    if years and y not in years:
        said = "/".join(str(v) for v in dict.fromkeys(years))
        remarks.append(f"the name says {said} but the exercise starts in {y}: start year {y} kept")


# --------------------------------------------------------------------------- countries


def map_countries(names: list[str], col: str, fixes: list[str], unmapped: list[str],
                  accept_codes: bool = False) -> list[str]:
    """ISO3 codes of ``names`` in order, each once; duplicates become fixes, unknown names go to ``unmapped``."""
    codes: list[str] = []
    seen_from: dict[str, str] = {}
    for raw in names:
        name = clean_text(raw)
        if is_missing(name):
            continue
        code = None
        if accept_codes and len(name) == 3 and name.isalpha() and countries.is_code(name.upper()):
            code = name.upper()
        if code is None:
            code = country_code(name)
        if code is None:
            if name not in unmapped:
                unmapped.append(name)
            continue
        if code in seen_from:
            first = seen_from[code]
            how = f"{name!r} listed twice" if normalise_name(first) == normalise_name(name) else f"{first!r} and {name!r} both listed"
            fixes.append(f"{col}: {how}: {code} kept once")
            continue
        seen_from[code] = name
        codes.append(code)
    return codes


def parse_coordinate(value: str, col: str, limit: float, fixes: list[str]) -> str:
    """A latitude/longitude as text if it is a finite number within +-limit, else '' (a fix if not missing)."""
    v = value.strip()
    if is_missing(v):
        return ""
    try:
        x = float(v)
    except ValueError:
        x = math.nan
    if not (math.isfinite(x) and -limit <= x <= limit):
        fixes.append(f"{col} {v!r} is not a number between -{limit:g} and {limit:g}: {col} left empty")
        return ""
    return v if re.fullmatch(r"[+-]?[0-9]+(\.[0-9]+)?", v) else repr(x)


# --------------------------------------------------------------------------- assembling rows


@dataclass
class Pending:
    """A row being imported: the fields so far, and what was changed or noticed."""

    line: int
    input_id: str
    record: tuple  # the stripped input fields, to recognise exact duplicates
    row: dict
    base_id: str  # the id wanted: explicit (from the input) or a prefix to number
    explicit_id: bool
    text_notes: list[str] = field(default_factory=list)  # free text from the input, for notes
    fixes: list[str] = field(default_factory=list)  # changes: imported-with-fix
    remarks: list[str] = field(default_factory=list)  # observations: imported (noted)


class Collector:
    """Gathers pending rows and skips, then numbers ids and builds the :class:`ImportResult`."""

    def __init__(self):
        self.pending: list[Pending] = []
        self.skips: list[ReportEntry] = []
        self.first_line: dict[tuple, int] = {}
        self.unmapped: Counter = Counter()
        self.series_names: dict[str, str] = {}
        self.n_input = 0

    def seen(self, line: int, record: tuple) -> int | None:
        """Line of an earlier identical record, or None (and remember this one)."""
        if record in self.first_line:
            return self.first_line[record]
        self.first_line[record] = line
        return None

    def skip(self, line: int, input_id: str, reason: str) -> None:
        self.skips.append(ReportEntry(line, input_id, "", "skipped", reason))

    def add(self, p: Pending, unmapped: list[str], series_name: str = "") -> None:
        for name in unmapped:
            self.unmapped[name] += 1
        sid = p.row["series"]
        if sid and sid not in self.series_names:
            self.series_names[sid] = series_name or sid
        self.pending.append(p)

    def assign_ids(self, id_label: str) -> None:
        """Give every pending row a unique id: explicit ids kept (a later clash gets -2, -3, ...),
        generated ones numbered ``<base>-1``, ``<base>-2`` ... skipping every id the file uses."""
        reserved = {p.base_id for p in self.pending if p.explicit_id}
        used: set[str] = set()
        first_line: dict[str, Pending] = {}
        for p in self.pending:
            if p.explicit_id and p.base_id not in used:
                new = p.base_id
                first_line[new] = p
            elif p.explicit_id:
                n = 2
                while f"{p.base_id}-{n}" in used or f"{p.base_id}-{n}" in reserved:
                    n += 1
                new = f"{p.base_id}-{n}"
                first = first_line[p.base_id]
                p.fixes.append(f"{id_label} {p.input_id} is also on line {first.line} with different content: "
                               f"both kept, this one as {new}")
                first.remarks.append(f"{id_label} {p.input_id} is used again on line {p.line} "
                                     f"with different content (imported as {new})")
            else:
                n = 1
                while f"{p.base_id}-{n}" in used or f"{p.base_id}-{n}" in reserved:
                    n += 1
                new = f"{p.base_id}-{n}"
            used.add(new)
            p.row["id"] = new

    def result(self, path, fmt: str, encoding: str, source: str, ignored_columns=(), notes=()) -> ImportResult:
        rows = []
        entries = list(self.skips)
        for p in self.pending:
            parts = [clean_text(t, NOTE_LIMIT) for t in p.text_notes if t]
            if p.remarks:
                parts.append(clean_text("import remark: " + "; ".join(p.remarks), NOTE_LIMIT))
            if p.fixes:
                parts.append(clean_text("import fix: " + "; ".join(p.fixes), NOTE_LIMIT))
            p.row["notes"] = " | ".join(parts)
            row = {c: p.row.get(c, "") for c in EXERCISE_COLUMNS}
            rows.append(row)
            if p.fixes:
                entries.append(ReportEntry(p.line, p.input_id, row["id"], "imported-with-fix",
                                           "; ".join(p.fixes + p.remarks)))
            elif p.remarks:
                entries.append(ReportEntry(p.line, p.input_id, row["id"], "imported", "; ".join(p.remarks)))
        entries.sort(key=lambda e: e.line)
        counts = {
            "input_rows": self.n_input,
            "imported": len(rows),
            "imported_with_fixes": sum(e.action == "imported-with-fix" for e in entries),
            "skipped": len(self.skips),
        }
        return ImportResult(
            path=str(path), format=fmt, encoding=encoding, rows=tuple(rows), entries=tuple(entries),
            counts=counts, unmapped_names=dict(sorted(self.unmapped.items())),
            series_names=dict(self.series_names), source=source,
            ignored_columns=tuple(ignored_columns), notes=tuple(n for n in notes if n),
        )


def valid_id(text: str) -> bool:
    return bool(_ID_OK.match(text))
