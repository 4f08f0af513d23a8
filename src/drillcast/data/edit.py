"""Keep a catalogue current without hand-editing CSV: add an event, record a status change,
record a completed check of a series' sources.

Every edit holds the catalogue folder's lock (:func:`drillcast._io.edit_lock`, keyed by the
resolved folder, so two names of one catalogue take one lock), re-reads the files under it,
builds the new file in memory, validates the *whole* catalogue as it would be (exercises and
series together, in a temporary folder), and only then replaces the file atomically. A refused
edit leaves every file byte-identical. Only the lines of the rows that change are rewritten (a new
event is appended as the last line), so a one-event change is a one-line ``git diff``.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from drillcast._words import plural
from drillcast.data.catalogue import EXERCISE_COLUMNS, SERIES_COLUMNS, series_path_for, validate_file
from drillcast.errors import DataError, ParameterError

__all__ = ["EditResult", "add_event", "mark_checked", "STATUS_FIELDS"]

# Fields that a status change of an existing event may set (the rest of a published row is kept).
STATUS_FIELDS = ("status", "status_reported", "dates_reported", "start_date", "end_date", "participants",
                 "observers", "personnel_claimed", "confidence")


@dataclass(frozen=True)
class EditResult:
    """What an edit did.

    Attributes
    ----------
    path : str
        The file written.
    action : {"added", "updated", "checked"}
    key : str
        The event id or series id.
    changes : tuple of (str, str, str)
        ``(field, before, after)`` for each field that changed.
    """

    path: str
    action: str
    key: str
    changes: tuple

    def text(self) -> str:
        head = f"{self.path}: {self.action} {self.key}"
        lines = [f"  {f}: {b!r} -> {a!r}" for f, b, a in self.changes if self.action != "added" or a]
        return "\n".join([head, *lines]) + "\n"

    def to_dict(self) -> dict:
        return {"path": self.path, "action": self.action, "key": self.key,
                "changes": [{"field": f, "before": b, "after": a} for f, b, a in self.changes]}


class _Table:
    """A CSV file as read: its physical lines, and per record its cells and the lines it spans."""

    def __init__(self, path: Path, raw: bytes):
        self.raw = raw
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise DataError(f"{path}: not UTF-8 text; save the catalogue as UTF-8") from None
        self.bom = text.startswith("\ufeff")
        self.lines = list(io.StringIO(text[1:] if self.bom else text, newline=""))
        self.eol = "\r\n" if self.lines and self.lines[0].endswith("\r\n") else "\n"
        reader = csv.reader(iter(self.lines))
        self.header = next(reader, [])
        self.rows: list[dict] = []
        self.spans: list[tuple[int, int]] = []
        start = reader.line_num
        for cells in reader:
            end = reader.line_num
            if cells:
                if len(cells) > len(self.header):
                    raise DataError(f"{path}:{start + 1}: the row has {len(cells)} cells but the header has "
                                    f"{len(self.header)} columns (an unquoted comma?); fix the row first: "
                                    "nothing was written")
                self.rows.append(dict(zip(self.header, cells + [""] * (len(self.header) - len(cells)))))
                self.spans.append((start, end))
            start = end

    def line_of(self, i: int) -> int:
        """1-based first physical line of record ``i``."""
        return self.spans[i][0] + 1

    def with_rows(self, changed: dict[int, dict], added: list[dict], header=None) -> bytes:
        """The file with records ``changed`` (index -> row) rewritten in place and ``added`` appended;
        every other line byte for byte as read (with a new ``header``, every record is rewritten)."""
        if header is not None and header != self.header:
            return _write_rows(header, self.rows, self.eol, self.bom)
        lines = list(self.lines)
        for i, row in sorted(changed.items(), reverse=True):
            a, b = self.spans[i]
            lines[a:b] = [_row_text(self.header, row, self.eol)]
        if added:
            if lines and not lines[-1].endswith(("\n", "\r")):
                lines[-1] += self.eol
            lines += [_row_text(self.header, r, self.eol) for r in added]
        return (("\ufeff" if self.bom else "") + "".join(lines)).encode("utf-8")


def _row_text(header, row, eol="\n") -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator=eol).writerow([row.get(k) or "" for k in header])
    return buf.getvalue()


def _read_table(path: Path) -> _Table:
    from drillcast._io import read_input_bytes

    return _Table(path, read_input_bytes(path, "a catalogue CSV file", "the file is empty; a catalogue file "
                                                                      "starts with a header row"))


def _write_rows(header, rows, eol="\n", bom=False) -> bytes:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=header, lineterminator=eol, extrasaction="ignore")
    w.writeheader()
    for r in rows:
        w.writerow({k: (r.get(k) or "") for k in header})
    return (("\ufeff" if bom else "") + buf.getvalue()).encode("utf-8")


def _validate_candidate(exercises: bytes, series: bytes | None, name: str) -> None:
    """Validate the catalogue as it would be after the edit; raise DataError listing every problem."""
    with tempfile.TemporaryDirectory(prefix="drillcast-edit-") as tmp:
        ex = Path(tmp) / "exercises.csv"
        ex.write_bytes(exercises)
        if series is not None:
            (Path(tmp) / "series.csv").write_bytes(series)
        problems = [p for p in validate_file(ex) if p.severity == "error"]
    if problems:
        lines = [str(p).replace(str(ex), name).replace(str(Path(tmp) / "series.csv"), "series.csv")
                 for p in problems[:20]]
        raise DataError(f"{name}: the edit was refused, nothing was written; the catalogue would have "
                        f"{plural(len(problems), 'problem')}:\n" + "\n".join(lines))


def _series_bytes(path: Path) -> bytes | None:
    from drillcast._io import read_input_bytes

    sp = series_path_for(path)
    return read_input_bytes(sp, "a series CSV file", "the file is empty") if sp.exists() else None


def _check_editable(path) -> Path:
    if path is None:
        raise ParameterError("catalogue", "no catalogue to edit; give the exercises.csv to change (copy the "
                                          "bundled data/exercises.csv and data/series.csv to a folder of yours "
                                          "first: the installed copy is not edited in place)")
    p = Path(path)
    if not p.is_file():
        raise DataError(f"{p}: no such file; give the path of an exercises CSV file")
    return p


def _not_after_today(day: _dt.date, parameter: str, what: str) -> None:
    from drillcast.data.dates import today

    if day > today():
        raise ParameterError(parameter, f"{day.isoformat()} is after today ({today().isoformat()}, UTC); {what}")


def _check_held(row: dict) -> None:
    """A held event has started: its start cannot be after today (UTC)."""
    from drillcast.data.dates import parse_partial_date, today

    if row.get("status") != "held":
        return
    try:
        start = parse_partial_date(row.get("start_date") or "")
    except ValueError:
        return  # the validation of the whole catalogue names a malformed date
    if start.low > today():
        raise ParameterError("status", f"held, but the start {start} is after today ({today().isoformat()}, "
                                       "UTC); an exercise that has not started is 'announced'")


def add_event(path, fields: dict, *, sources=()) -> EditResult:
    """Append an event, or update the status of an existing one (same ``id``).

    Parameters
    ----------
    path : path-like
        The ``exercises.csv`` to edit (its ``series.csv`` is read from the same folder).
    fields : dict
        Column -> value, with the catalogue's column names (``start_date``,
        ``first_reported``, ...). For an existing id only :data:`STATUS_FIELDS`
        may be given (plus ``notes``, appended).
    sources : sequence of str
        Source URLs, appended to the row's ``sources``.

    Raises
    ------
    DataError
        When the catalogue would not validate (nothing is written).
    """
    from drillcast._io import edit_lock

    p = _check_editable(path)
    with edit_lock(os.path.dirname(os.path.realpath(p)), folder=True):  # the folder of the file, links followed
        return _add_event_locked(p, fields, sources)


def _unknown_id(eid: str, rows: list[dict], fields: dict) -> None:
    """A status change (only status fields given) of an id the catalogue does not have."""
    from drillcast.errors import did_you_mean

    if any(k in fields for k in ("series", "start_date", "name")):
        return
    ids = [r.get("id", "") for r in rows]
    raise ParameterError("id", f"{eid!r} is not an event of the catalogue{did_you_mean(eid, ids)}; to change the "
                               "status of an event give its id, to add a new event give its name, series and "
                               "start as well")


def _add_event_locked(p: Path, fields: dict, sources) -> EditResult:
    from drillcast._io import atomic_write

    table = _read_table(p)  # under the lock: another edit may have just finished
    header, rows = table.header, table.rows
    missing = [c for c in ("id", "series", "start_date", "status") if c not in header]
    if missing:
        raise DataError(f"{p}: not a drillcast exercises file (no {', '.join(missing)} column); "
                        "give the path of an exercises.csv")
    fields = {k: v for k, v in fields.items() if v is not None}
    eid = fields.get("id", "")
    index = next((i for i, r in enumerate(rows) if r.get("id") == eid), None)
    if index is None:
        _unknown_id(eid, rows, fields)
        row = {c: "" for c in header}
        row.update({k: v for k, v in fields.items() if k in EXERCISE_COLUMNS})
        row.setdefault("primary", "")
        row["primary"] = row["primary"] or "yes"
        row["sources"] = " ; ".join(sources)
        _check_held(row)
        data = table.with_rows({}, [row])
        changes = tuple((c, "", row.get(c, "")) for c in header if row.get(c, ""))
        action = "added"
    else:
        existing = rows[index]
        bad = [k for k in fields if k not in STATUS_FIELDS + ("id", "notes")]
        if bad:
            raise ParameterError(bad[0], f"cannot be changed on the existing event {eid!r} (only the status and "
                                         f"its dates, participants, observers, personnel and confidence can; "
                                         "give a new id for a new event)")
        before = dict(existing)
        for k, v in fields.items():
            if k == "notes":
                existing["notes"] = (existing.get("notes", "") + " " + v).strip()
            elif k != "id":
                existing[k] = v
        if sources:
            old = [s.strip() for s in existing.get("sources", "").split(" ; ") if s.strip()]
            existing["sources"] = " ; ".join(dict.fromkeys(old + list(sources)))
        changes = tuple((c, before.get(c, ""), existing.get(c, "")) for c in header
                        if before.get(c, "") != existing.get(c, ""))
        if not changes:
            raise ParameterError("id", f"{eid!r} already has these values; nothing to change")
        _check_held(existing)
        data = table.with_rows({index: existing}, [])
        action = "updated"
    _validate_candidate(data, _series_bytes(p), str(p))
    atomic_write(p, data, replacing=True)
    return EditResult(str(p), action, eid, changes)


def mark_checked(path, series: str, through: _dt.date, note: str) -> EditResult:
    """Record in ``series.csv`` that the public sources of ``series`` were searched through ``through``.

    Adds the ``checked_through`` and ``checked_note`` columns when the file lacks them.
    """
    from drillcast._io import edit_lock

    p = _check_editable(path)
    if not note or not note.strip():
        raise ParameterError("note", "is empty; say what was searched (agencies, ministries, languages)")
    if not isinstance(through, _dt.date):
        raise ParameterError("through", f"{through!r} is not a date; give a datetime.date")
    _not_after_today(through, "through", "sources cannot have been searched through a day still to come")
    with edit_lock(os.path.dirname(os.path.realpath(p)), folder=True):
        return _mark_checked_locked(p, series, through, note)


def _mark_checked_locked(p: Path, series: str, through: _dt.date, note: str) -> EditResult:
    from drillcast._io import atomic_write

    sp = series_path_for(p)
    if not sp.exists():
        raise DataError(f"{sp}: no such file; coverage is recorded per series in series.csv beside {p.name} "
                        "(create it with the columns in the codebook)")
    table = _read_table(sp)  # under the lock
    header, rows = list(table.header), table.rows
    for col in ("checked_through", "checked_note"):
        if col not in header:
            header.append(col)
    index = next((i for i, r in enumerate(rows) if r.get("id") == series), None)
    if index is None:
        from drillcast.errors import did_you_mean

        ids = [r.get("id", "") for r in rows]
        raise ParameterError("series", f"unknown series {series!r}{did_you_mean(series, ids)}; known series: "
                                       f"{', '.join(ids)}")
    row = rows[index]
    before = dict(row)
    row["checked_through"] = through.isoformat()
    row["checked_note"] = note.strip()
    order = [c for c in SERIES_COLUMNS if c in header] + [c for c in header if c not in SERIES_COLUMNS]
    data = table.with_rows({index: row}, [], header=None if order == table.header else order)
    _validate_candidate(_read_table(p).raw, data, str(sp))
    atomic_write(sp, data, replacing=True)
    changes = tuple((c, before.get(c) or "", row[c]) for c in ("checked_through", "checked_note")
                    if (before.get(c) or "") != row[c])
    return EditResult(str(sp), "checked", series, changes)
