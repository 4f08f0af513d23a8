"""Keep a catalogue current without hand-editing CSV: add an event, record a status change,
record a completed check of a series' sources.

Every edit builds the new file in memory, validates the *whole* catalogue as it
would be (exercises and series together, in a temporary folder), and only then
replaces the file atomically. A refused edit leaves every file byte-identical.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import tempfile
from dataclasses import dataclass
from pathlib import Path

from drillcast._words import plural
from drillcast.data.catalogue import EXERCISE_COLUMNS, SERIES_COLUMNS, validate_file
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


def _read_rows(path: Path) -> tuple[list[str], list[dict]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise DataError(f"{path}: cannot read ({exc.strerror or exc}); give an existing catalogue file") from None
    except UnicodeDecodeError:
        raise DataError(f"{path}: not UTF-8 text; save the catalogue as UTF-8") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = list(reader.fieldnames or [])
    return header, [dict(r) for r in reader]


def _write_rows(header, rows) -> bytes:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=header, lineterminator="\n", extrasaction="ignore")
    w.writeheader()
    for r in rows:
        w.writerow({k: (r.get(k) or "") for k in header})
    return buf.getvalue().encode("utf-8")


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
    sp = path.with_name("series.csv")
    return sp.read_bytes() if sp.exists() else None


def _check_editable(path) -> Path:
    if path is None:
        raise ParameterError("catalogue", "no catalogue to edit; give the exercises.csv to change (copy the "
                                          "bundled data/exercises.csv and data/series.csv to a folder of yours "
                                          "first: the installed copy is not edited in place)")
    p = Path(path)
    if not p.is_file():
        raise DataError(f"{p}: no such file; give the path of an exercises CSV file")
    return p


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
    from drillcast._io import atomic_write

    p = _check_editable(path)
    header, rows = _read_rows(p)
    missing = [c for c in ("id", "series", "start_date", "status") if c not in header]
    if missing:
        raise DataError(f"{p}: not a drillcast exercises file (no {', '.join(missing)} column); "
                        "give the path of an exercises.csv")
    fields = {k: v for k, v in fields.items() if v is not None}
    eid = fields.get("id", "")
    existing = next((r for r in rows if r.get("id") == eid), None)
    if existing is None:
        row = {c: "" for c in header}
        row.update({k: v for k, v in fields.items() if k in EXERCISE_COLUMNS})
        row.setdefault("primary", "")
        row["primary"] = row["primary"] or "yes"
        row["sources"] = " ; ".join(sources)
        rows.append(row)
        rows.sort(key=lambda r: (r.get("series", ""), r.get("start_date", ""), r.get("id", "")))
        changes = tuple((c, "", row.get(c, "")) for c in header if row.get(c, ""))
        action = "added"
    else:
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
        action = "updated"
    data = _write_rows(header, rows)
    _validate_candidate(data, _series_bytes(p), str(p))
    atomic_write(p, data)
    return EditResult(str(p), action, eid, changes)


def mark_checked(path, series: str, through: _dt.date, note: str) -> EditResult:
    """Record in ``series.csv`` that the public sources of ``series`` were searched through ``through``.

    Adds the ``checked_through`` and ``checked_note`` columns when the file lacks them.
    """
    from drillcast._io import atomic_write

    p = _check_editable(path)
    sp = p.with_name("series.csv")
    if not sp.exists():
        raise DataError(f"{sp}: no such file; coverage is recorded per series in series.csv beside {p.name} "
                        "(create it with the columns in the codebook)")
    if not note or not note.strip():
        raise ParameterError("note", "is empty; say what was searched (agencies, ministries, languages)")
    header, rows = _read_rows(sp)
    for col in ("checked_through", "checked_note"):
        if col not in header:
            header.append(col)
    row = next((r for r in rows if r.get("id") == series), None)
    if row is None:
        from drillcast.errors import did_you_mean

        ids = [r.get("id", "") for r in rows]
        raise ParameterError("series", f"unknown series {series!r}{did_you_mean(series, ids)}; known series: "
                                       f"{', '.join(ids)}")
    before = dict(row)
    row["checked_through"] = through.isoformat()
    row["checked_note"] = note.strip()
    order = [c for c in SERIES_COLUMNS if c in header] + [c for c in header if c not in SERIES_COLUMNS]
    data = _write_rows(order, rows)
    _validate_candidate(p.read_bytes(), data, str(sp))
    atomic_write(sp, data)
    changes = tuple((c, before.get(c) or "", row[c]) for c in ("checked_through", "checked_note")
                    if (before.get(c) or "") != row[c])
    return EditResult(str(sp), "checked", series, changes)

