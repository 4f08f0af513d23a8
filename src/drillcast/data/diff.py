"""What changed between two versions of a catalogue: events added, removed, and changed field by field.

:func:`diff_catalogues` compares two ``exercises.csv`` files by event ``id``
(row order does not matter), and their ``series.csv`` files by series ``id``
when both folders have one, so an update can be reviewed before it is
committed. Values are compared as text after trimming surrounding spaces; a
column present in only one file counts as empty in the other. The files are
read as tables, not validated, so a diff also works on a catalogue that does
not load yet (``drillcast data validate`` says why).
"""

from __future__ import annotations

from drillcast._words import plural

import os
from dataclasses import dataclass
from pathlib import Path

from drillcast.errors import DataError

__all__ = ["CatalogueDiff", "diff_catalogues"]

_TABLES = ("exercises", "series")


@dataclass(frozen=True)
class CatalogueDiff:
    """The differences between an old and a new catalogue.

    Attributes
    ----------
    old, new : str
        The two ``exercises.csv`` paths.
    added, removed : tuple of dict
        Whole event rows (column -> text) only in the new, only in the old file.
    changed : tuple of dict
        One ``{"id", "field", "old", "new"}`` per changed field of an event in both files,
        by id then column order.
    series_added, series_removed, series_changed : tuple
        The same for ``series.csv`` (empty when either folder has none).
    series_compared : bool
        True when both folders have a ``series.csv``.
    """

    old: str
    new: str
    added: tuple = ()
    removed: tuple = ()
    changed: tuple = ()
    series_added: tuple = ()
    series_removed: tuple = ()
    series_changed: tuple = ()
    series_compared: bool = False

    @property
    def identical(self) -> bool:
        """True when nothing was added, removed or changed."""
        return not (self.added or self.removed or self.changed or self.series_added
                    or self.series_removed or self.series_changed)

    def counts(self) -> dict:
        return {"added": len(self.added), "removed": len(self.removed),
                "changed_events": len({c["id"] for c in self.changed}), "changed_fields": len(self.changed),
                "series_added": len(self.series_added), "series_removed": len(self.series_removed),
                "series_changed": len({c["id"] for c in self.series_changed})}

    def to_dict(self) -> dict:
        return {"old": self.old, "new": self.new, "identical": self.identical, "counts": self.counts(),
                "added": list(self.added), "removed": list(self.removed), "changed": list(self.changed),
                "series_compared": self.series_compared, "series_added": list(self.series_added),
                "series_removed": list(self.series_removed), "series_changed": list(self.series_changed)}

    def rows(self) -> list[dict]:
        """One row per difference: ``table, change, id, field, old, new`` (a whole row added or
        removed is one row with empty ``field``)."""
        out = []
        for table, added, removed, changed in (
                ("exercises", self.added, self.removed, self.changed),
                ("series", self.series_added, self.series_removed, self.series_changed)):
            out += [{"table": table, "change": "added", "id": r["id"], "field": "", "old": "", "new": ""}
                    for r in added]
            out += [{"table": table, "change": "removed", "id": r["id"], "field": "", "old": "", "new": ""}
                    for r in removed]
            out += [{"table": table, "change": "changed", **c} for c in changed]
        return out

    def to_frame(self):
        """:meth:`rows` as a pandas DataFrame."""
        import pandas as pd

        return pd.DataFrame(self.rows(), columns=["table", "change", "id", "field", "old", "new"])

    def text(self) -> str:
        """A plain-text summary for a terminal, one line per added, removed or changed event."""
        from drillcast._safe import safe_text

        c = self.counts()
        if self.identical:
            head = "no event added, removed or changed"
        else:
            head = (f"{plural(c['added'], 'event')} added, {c['removed']} removed, {c['changed_events']} changed "
                    f"({plural(c['changed_fields'], 'field')})")
        if self.series_compared:
            head += (f"; series: {c['series_added']} added, {c['series_removed']} removed, "
                     f"{c['series_changed']} changed")
        else:
            head += "; series.csv not compared (missing beside one of the files)"
        lines = [f"{self.old} -> {self.new}: {head}"]
        for table, added, removed, changed in (
                ("", self.added, self.removed, self.changed),
                ("series ", self.series_added, self.series_removed, self.series_changed)):
            for r in added:
                lines.append(f"+ {table}{safe_text(r['id'])}" + (f"  {safe_text(r.get('name', ''))}" if r.get("name") else ""))
            for r in removed:
                lines.append(f"- {table}{safe_text(r['id'])}" + (f"  {safe_text(r.get('name', ''))}" if r.get("name") else ""))
            for ch in changed:
                lines.append(f"~ {table}{safe_text(ch['id'])}: {ch['field']}: "
                             f"{_short(safe_text(ch['old']))!r} -> {_short(safe_text(ch['new']))!r}")
        return "\n".join(lines) + "\n"


def _short(text: str, width: int = 100) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _rows_by_id(path: Path, kind: str) -> tuple[list[str], dict[str, dict]]:
    from drillcast.data.catalogue import _read_table

    header, rows, _ = _read_table(path, kind)
    header = [h.strip() for h in header]
    if "id" not in header:
        raise DataError(f"{path}:1: no 'id' column; a catalogue's {kind} table is compared by its id column")
    out: dict[str, dict] = {}
    for line, rec in rows:
        r = {h: (rec[i].strip() if i < len(rec) else "") for i, h in enumerate(header)}
        rid = r["id"]
        if not rid:
            raise DataError(f"{path}:{line}: empty id; every row needs an id to be compared")
        if rid in out:
            raise DataError(f"{path}:{line}: id {rid!r} appears twice; ids must be unique to be compared "
                            f"('drillcast data validate {path}' lists every problem)")
        out[rid] = r
    return header, out


def _compare(old: tuple, new: tuple):
    (h_old, a), (h_new, b) = old, new
    columns = list(dict.fromkeys(h_new + h_old))
    added = tuple(b[k] for k in sorted(set(b) - set(a)))
    removed = tuple(a[k] for k in sorted(set(a) - set(b)))
    changed = []
    for k in sorted(set(a) & set(b)):
        for col in columns:
            va, vb = a[k].get(col, ""), b[k].get(col, "")
            if va != vb:
                changed.append({"id": k, "field": col, "old": va, "new": vb})
    return added, removed, tuple(changed)


def diff_catalogues(old: str | os.PathLike, new: str | os.PathLike) -> CatalogueDiff:
    """Compare two catalogues.

    Parameters
    ----------
    old, new : path-like
        Two ``exercises.csv`` files; each one's ``series.csv`` is read from the
        same folder when both exist.

    Returns
    -------
    CatalogueDiff

    Raises
    ------
    DataError
        A file is missing, unreadable, not CSV, has no ``id`` column, or repeats an id.

    Examples
    --------
    >>> d = diff_catalogues("old/exercises.csv", "data/exercises.csv")   # doctest: +SKIP
    >>> [c["field"] for c in d.changed if c["id"] == "MSB-2025"]           # doctest: +SKIP
    ['start_date']
    """
    old, new = Path(old), Path(new)
    added, removed, changed = _compare(_rows_by_id(old, "exercises"), _rows_by_id(new, "exercises"))
    from drillcast.data.catalogue import series_path_for

    so, sn = series_path_for(old), series_path_for(new)
    if so.is_file() and sn.is_file():
        s_added, s_removed, s_changed = _compare(_rows_by_id(so, "series"), _rows_by_id(sn, "series"))
        return CatalogueDiff(str(old), str(new), added, removed, changed, s_added, s_removed, s_changed, True)
    return CatalogueDiff(str(old), str(new), added, removed, changed)
