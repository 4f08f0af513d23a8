"""Other formats -> drillcast catalogue rows, one module per format.

- :func:`import_mme` reads the Multinational Military Exercises dataset (MME v7)
  (:mod:`drillcast.data.importers.mme` documents every rule);
- :func:`import_table` reads any CSV of exercises given a column mapping
  (:mod:`drillcast.data.importers.table`);
- :func:`write_catalogue` validates the rows as a catalogue and only then
  writes ``exercises``-style CSV (and a ``series.csv`` beside it if there is none).

Both importers return an :class:`ImportResult`: the rows, and a report in which
every input row is imported or skipped with its reason, so the counts add up.

Examples
--------
>>> from drillcast.data.importers import import_mme, write_catalogue   # doctest: +SKIP
>>> result = import_mme("MME_v7.csv")                              # doctest: +SKIP
>>> print(result.report_text())                                    # doctest: +SKIP
>>> print(write_catalogue(result, "mme/exercises.csv").text())     # doctest: +SKIP
"""

from __future__ import annotations

from drillcast._words import plural

import csv
import io
import os
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from drillcast._io import OutputTransaction, check_output_path, edit_lock, neutralise_cell, note_inputs
from drillcast.data.catalogue import EXERCISE_COLUMNS, SERIES_COLUMNS, load_catalogue
from drillcast.errors import DataError, OutputError, Problem
from drillcast.data.importers._common import ImportResult, ReportEntry, slugify
from drillcast.data.importers.country_names import country_code
from drillcast.data.importers.mme import import_mme
from drillcast.data.importers.table import import_table, load_mapping_file, parse_map_option

__all__ = [
    "import_mme",
    "import_table",
    "parse_map_option",
    "load_mapping_file",
    "write_catalogue",
    "ImportResult",
    "ReportEntry",
    "WriteSummary",
    "slugify",
    "country_code",
]


@dataclass(frozen=True)
class WriteSummary:
    """What :func:`write_catalogue` wrote.

    Attributes
    ----------
    exercises_path, series_path : str
    series_written : bool
        False if a ``series.csv`` was already there and was kept unchanged.
    events : int
        Rows written (all validated).
    series : tuple of str
        Series ids of the written rows.
    warnings : tuple of str
        The catalogue's warnings (doubtful but legal rows, e.g. likely duplicates).
    """

    exercises_path: str
    series_path: str
    series_written: bool
    events: int
    series: tuple = ()
    warnings: tuple = ()

    def text(self) -> str:
        out = [f"wrote {plural(self.events, 'exercise')} to {self.exercises_path} (validated: no errors)"]
        if self.series_written:
            out.append(f"wrote {self.series_path} with {len(self.series)} series "
                       "(kind recurring unless rows give two or more directions; regular_participants empty)")
        else:
            out.append(f"kept the existing {self.series_path}: not overwritten")
        if self.warnings:
            out.append(f"{plural(len(self.warnings), 'warning')} from validation:")
            out.extend(f"  {w}" for w in self.warnings)
        return "\n".join(out)

    def to_dict(self) -> dict:
        return {"exercises_path": self.exercises_path, "series_path": self.series_path,
                "series_written": self.series_written, "events": self.events,
                "series": list(self.series), "warnings": list(self.warnings)}


def _csv_bytes(columns, rows) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([neutralise_cell(r.get(c, "")) for c in columns])
    return buf.getvalue().encode("utf-8")


def series_rows(result: ImportResult) -> list[dict]:
    """One ``series.csv`` row per series of ``result.rows``.

    A series is ``rotating`` if its rows give two or more directions (other
    than ``other``), else ``recurring``; ``events_per_year`` is ``multiple`` if
    some year has more than one row of the series (the rule
    :func:`drillcast.data.catalogue.load_catalogue` uses when it infers series).
    """
    per_year = Counter((r["series"], r["start_date"][:4]) for r in result.rows if r["series"])
    directions: dict[str, list[str]] = {}
    for r in result.rows:
        if r["series"]:
            lst = directions.setdefault(r["series"], [])
            if r["direction"] and r["direction"] != "other" and r["direction"] not in lst:
                lst.append(r["direction"])
    out = []
    for sid in sorted(directions):
        dirs = directions[sid]
        rotating = len(dirs) >= 2
        out.append({
            "id": sid, "name": result.series_names.get(sid, sid),
            "kind": "rotating" if rotating else "recurring",
            "directions": ";".join(dirs) if rotating else "",
            "events_per_year": "multiple" if any(n > 1 for (s, _), n in per_year.items() if s == sid) else "single",
            "regular_participants": "", "organiser": "",
            "description": f"imported from {Path(result.path).name} by drillcast",
            "cadence_claims": "", "sources": result.source,
        })
    return out


def _relocate(exc: DataError, mapping: dict[str, str], out: Path, hint: str) -> DataError:
    def fix(text):
        for a, b in mapping.items():
            text = text.replace(a, b)
        return text

    problems = [Problem(fix(p.path), p.line, p.column, p.found, p.expected, p.severity) for p in exc.problems]
    head = f"{out}: the imported rows do not form a valid catalogue; nothing was written{hint}"
    if problems:
        return DataError(head + ":", problems)
    return DataError(head + ": " + fix(str(exc)))


def write_catalogue(result: ImportResult, out_path: str | os.PathLike,
                    inputs=None, extra=None) -> WriteSummary:
    """Validate ``result.rows`` as a catalogue, then write them to ``out_path`` (and ``series.csv``).

    The rows and a ``series.csv`` are first written to a temporary folder and
    loaded with :func:`drillcast.data.catalogue.load_catalogue`; only a valid
    catalogue is written, atomically, to ``out_path``. ``series.csv`` beside
    ``out_path`` is written only if none exists there; an existing one is kept
    as it is (and used for the validation). Cells a spreadsheet would run as
    formulas (``=...``, ``+...``, ``@...``) are written with a leading ``'``
    (:func:`drillcast._io.neutralise_cell`).

    Parameters
    ----------
    result : ImportResult
    out_path : path-like
        The exercises CSV to write (header :data:`~drillcast.data.catalogue.EXERCISE_COLUMNS`).
    inputs : iterable of path-like, optional
        Files that must not be overwritten; ``result.path`` always is one.
    extra : dict, optional
        More files to write in the same all-or-nothing transaction (e.g. the
        import report): path -> bytes, str, or a function of the
        :class:`WriteSummary` returning either. Either every file is written
        or none is (:class:`drillcast._io.OutputTransaction`).

    Raises
    ------
    OutputError
        ``out_path`` is an input, is named ``series.csv``, or cannot be written.
    DataError
        The rows do not validate (e.g. no rows, or a kept ``series.csv`` that
        lacks their series); nothing is written.
    """
    out = Path(out_path)
    ins = tuple(inputs or ()) + (result.path,)
    if out.name == "series.csv":
        raise OutputError(f"{out}: series.csv is the name of the series file beside a catalogue; "
                          "name the exercises file otherwise, e.g. exercises.csv")
    check_output_path(out, ins)
    with edit_lock(os.path.dirname(os.path.realpath(out)), folder=True):  # imports into one folder take turns
        return _write_locked(result, out, ins, extra)


def _write_locked(result, out: Path, ins, extra) -> WriteSummary:
    series_path = out.with_name("series.csv")
    keep = series_path.exists()
    ex_bytes = _csv_bytes(EXERCISE_COLUMNS, result.rows)
    series_bytes = b"" if keep else _csv_bytes(SERIES_COLUMNS, series_rows(result))
    with tempfile.TemporaryDirectory(prefix="drillcast-import-") as tmp:
        t_ex = Path(tmp) / out.name
        t_series = Path(tmp) / "series.csv"
        t_ex.write_bytes(ex_bytes)
        if keep:
            note_inputs(series_path)  # read, and kept: no other output of the command may replace it
            try:
                t_series.write_bytes(series_path.read_bytes())
            except OSError as exc:
                raise OutputError(f"{series_path}: cannot read the existing series file ({exc})") from None
        else:
            t_series.write_bytes(series_bytes)
        try:
            cat = load_catalogue(t_ex, warn=False)
        except DataError as exc:
            hint = ""
            if keep:
                hint = (f" (the existing {series_path} was used: it must list every imported series; "
                        "add them there, or write the import to another folder)")
            raise _relocate(exc, {str(t_ex): str(out), str(t_series): str(series_path)}, out, hint) from None
        warns = tuple(str(w).replace(str(t_ex), str(out)).replace(str(t_series), str(series_path))
                      for w in cat.warnings)
    summary = WriteSummary(
        exercises_path=str(out), series_path=str(series_path), series_written=not keep,
        events=len(result.rows), series=tuple(sorted({r["series"] for r in result.rows if r["series"]})),
        warnings=warns,
    )
    with OutputTransaction(ins) as tx:
        tx.add(out, ex_bytes)
        if not keep:
            tx.add(series_path, series_bytes)
        for path, data in (extra or {}).items():
            tx.add(path, data(summary) if callable(data) else data)
    return summary
