"""A forecast ledger: record forecasts when they are made, score them when reality arrives.

A ledger is an append-only JSON Lines file (default ``reports/ledger.jsonl``)
with one entry per (series, year) forecast. Each entry holds the forecast in
full (outcome probabilities, ``p_held``, expected count, start quantiles and
the start and count distributions the scores need), the same question
forecast by the ``uniform`` and ``climatology`` baselines, what it was made
from (``catalogue_sha256``, ``checked_through``, ``drillcast_version``), and
``prev_sha256``/``sha256``: the SHA-256 of the entry's canonical JSON (keys
sorted, no spaces, UTF-8) without its ``sha256`` field, chaining each entry
to the one before (the first entry's ``prev_sha256`` is 64 zeros). Editing,
removing or reordering any entry breaks the chain at that entry;
:meth:`Ledger.verify` names it. (Removing the *last* entries leaves a shorter
valid chain: publish the head hash that ``verify`` prints to detect that.)

An entry whose ``as_of`` is earlier than the day it was recorded is
``replayed``: a forecast "as of" a past date made with hindsight available,
kept apart from the live record in every summary.

:meth:`Ledger.score` resolves each entry against a catalogue: ``resolved``
when the year is over and the series is checked through its end (or, for a
single-event series, when the year's exercise has already started, which
fixes the outcome); ``pending`` while the year runs; ``unresolvable`` when
the year is over but the catalogue does not cover it (a coverage gap) or
still lists the year's exercise as only announced. Resolved entries get the
scores of ``drillcast backtest`` (same names, same functions), the
baselines' scores on the same question, skill with the paired sign-flip test
and a calibration table, for live and replayed entries apart.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from drillcast import __version__
from drillcast.errors import DataError, OutputError, ParameterError
from drillcast.ledger_check import GENESIS, LedgerEntryProblem, Verification, _canonical, _scan, entry_sha256

__all__ = ["Ledger", "LedgerEntryProblem", "Verification", "RecordResult", "LedgerScore",
           "question_history", "what_changed", "entry_sha256", "DEFAULT_LEDGER", "LEDGER_BASELINES", "GENESIS"]

DEFAULT_LEDGER = os.path.join("reports", "ledger.jsonl")
LEDGER_BASELINES = ("uniform", "climatology")  # recorded with every entry: skill on identical questions
LOCK_TIMEOUT = 60.0  # seconds to wait for another `ledger record` to finish


def _utcnow() -> _dt.datetime:
    """The time of recording (a function, so tests can fix the clock)."""
    return _dt.datetime.now(_dt.timezone.utc)


# --------------------------------------------------------------------------- recording


def _pack_pmf(pmf) -> dict:
    """A day-of-year pmf without its leading and trailing zeros: ``{"first_day", "p"}``."""
    import numpy as np

    nz = np.flatnonzero(pmf)
    lo, hi = (int(nz[0]), int(nz[-1])) if nz.size else (0, -1)
    return {"first_day": lo, "p": [float(x) for x in pmf[lo:hi + 1]]}


def _unpack_pmf(packed):
    import numpy as np

    out = np.zeros(366)
    p = packed["p"]
    out[packed["first_day"]:packed["first_day"] + len(p)] = p
    return out


def _payload(fc, yf) -> dict:
    """One year's forecast, full precision (the JSON float text round-trips exactly)."""
    return {
        "categories": list(fc.categories),
        "outcomes": {k: float(v) for k, v in yf.outcomes.items()} if yf.outcomes is not None else None,
        "p_held": float(yf.p_held),
        "expected_count": float(yf.expected_count),
        "count_80": [int(x) for x in yf.count_interval],
        "start": yf.start,
        "participants": {k: float(v) for k, v in yf.participants.items()},
        "known": yf.known,
        "start_pmf": _pack_pmf(yf.start_pmf) if yf.start else None,
        "count_pmf": [float(x) for x in yf.count_pmf],
    }


@dataclass(frozen=True)
class RecordResult:
    """What :meth:`Ledger.record` appended.

    Attributes
    ----------
    path : str
    entries : tuple of dict
        The entries appended, in order.
    skipped : tuple of dict
        ``{"series", "reason"}`` per forecast not recorded (not enough data to forecast).
    archived : str or None
        Folder where a copy of the catalogue files was kept for ``ledger diff``.
    """

    path: str
    entries: tuple
    skipped: tuple = ()
    archived: str | None = None

    def to_dict(self) -> dict:
        return {"path": self.path, "recorded": [_summary_row(e) for e in self.entries],
                "skipped": list(self.skipped), "catalogue_archive": self.archived}

    def to_frame(self):
        import pandas as pd

        return pd.DataFrame([_summary_row(e) for e in self.entries])

    def text(self) -> str:
        from drillcast.present.text import pct, start_phrase, table

        rows = [[e["id"], e["series"], e["year"], e["model"], e["as_of"], "replayed" if e["replayed"] else "live",
                 pct(e["forecast"]["p_held"]), start_phrase(e["forecast"]["start"])] for e in self.entries]
        out = [f"{self.path}: recorded {len(self.entries)} entr{'y' if len(self.entries) == 1 else 'ies'}"]
        if rows:
            out.append(table(["id", "series", "year", "model", "as of", "record", "held", "start"], rows,
                             "rlrllllr"))
        out += [f"not recorded: {s['series']}: {s['reason']}" for s in self.skipped]
        if self.entries:
            out.append(f"head sha256 {self.entries[-1]['sha256']}")
        return "\n".join(out) + "\n"


def _summary_row(e) -> dict:
    return {"id": e["id"], "series": e["series"], "year": e["year"], "model": e["model"], "as_of": e["as_of"],
            "recorded_at": e["recorded_at"], "replayed": e["replayed"], "p_held": e["forecast"]["p_held"],
            "expected_count": e["forecast"]["expected_count"],
            "start_median": (e["forecast"]["start"] or {}).get("median"), "sha256": e["sha256"]}


def _check_forecasts(forecasts, catalogue) -> list:
    """``forecasts`` as a list of Forecast, ``catalogue`` a Catalogue, or ParameterError naming which."""
    from drillcast.data.catalogue import Catalogue
    from drillcast.forecasting import Forecast

    if not isinstance(catalogue, Catalogue):
        raise ParameterError("catalogue", f"{type(catalogue).__name__} is not a catalogue; give load_catalogue(...)")
    out = list(forecasts) if hasattr(forecasts, "__iter__") and not isinstance(forecasts, str) else [forecasts]
    if not all(isinstance(f, Forecast) for f in out):
        raise ParameterError("forecasts", "give a Forecast or a list of them (Forecaster(...).fit(...).forecast())")
    return out


def _catalogue_bytes(catalogue) -> tuple[bytes, bytes | None] | None:
    """The catalogue's files as they are now, if they still hash to ``catalogue.sha256``."""
    p = Path(catalogue.path) if catalogue.path else None
    if p is None or not p.is_file():
        return None
    ex = p.read_bytes()
    from drillcast.data.catalogue import series_path_for

    se = series_path_for(p).read_bytes() if series_path_for(p).is_file() else None
    if hashlib.sha256(ex + b"\x00" + (se or b"")).hexdigest() != catalogue.sha256:
        return None  # changed since it was loaded
    return ex, se


class Ledger:
    """An append-only, hash-chained record of forecasts in a JSON Lines file.

    Parameters
    ----------
    path : path-like
        The ledger file (created by the first :meth:`record`).
    archive : bool
        Keep a copy of each catalogue recorded from in ``<path>.catalogues/<sha256>/``
        (content-addressed, written once), so :meth:`catalogue_files` can show
        what changed between two entries' catalogues later.

    Examples
    --------
    >>> from drillcast import Ledger, Forecaster, load_catalogue      # doctest: +SKIP
    >>> cat = load_catalogue()                                          # doctest: +SKIP
    >>> fc = Forecaster().fit(cat.as_of(today), "joint-sea").forecast()  # doctest: +SKIP
    >>> Ledger("reports/ledger.jsonl").record([fc], cat)               # doctest: +SKIP
    >>> Ledger("reports/ledger.jsonl").score(load_catalogue()).summary["live"]  # doctest: +SKIP
    """

    def __init__(self, path: str | os.PathLike = DEFAULT_LEDGER, *, archive: bool = True):
        if not isinstance(path, (str, os.PathLike)):
            raise ParameterError("path", f"{path!r} is not a path; give a file name such as 'reports/ledger.jsonl'")
        self.path = Path(path)
        self.archive = archive

    def __repr__(self) -> str:
        return f"Ledger({str(self.path)!r})"

    # -- reading

    def verify(self) -> Verification:
        """Recompute the chain and check every entry; the first entry that was edited, removed or reordered,
        is not valid, or a cut-short last line. A missing file is a DataError (a typo is not an empty record)."""
        return _scan(self.path, missing_ok=False)[1]

    def entries(self, *, strict: bool = True) -> tuple:
        """The entries, oldest first.

        Parameters
        ----------
        strict : bool
            Raise :class:`~drillcast.errors.DataError` naming the first problem
            if the ledger is not intact (default); with False, return the
            entries before the first problem.
        """
        entries, v = _scan(self.path, missing_ok=False)
        if strict and not v.ok:
            raise DataError(v.text())
        return tuple(entries)

    def catalogue_files(self, sha256: str) -> Path | None:
        """The archived ``exercises.csv`` of the catalogue with this hash, or None."""
        p = self._archive_dir() / sha256 / "exercises.csv"
        return p if p.is_file() else None

    def _archive_dir(self) -> Path:
        return self.path.with_name(self.path.name + ".catalogues")

    # -- writing

    def record(self, forecasts, catalogue, *, now: _dt.datetime | None = None) -> RecordResult:
        """Append one entry per (series, year) of each forecast, with the baselines' forecasts.

        Parameters
        ----------
        forecasts : Forecast or iterable of Forecast
            Made on snapshots of ``catalogue`` (``catalogue.as_of(forecast.as_of)``).
            Forecasts without enough data are skipped and listed in the result.
        catalogue : Catalogue
            The catalogue the forecasts were made from: its hash and coverage
            are recorded, and the baselines are fitted on the same snapshot.
        now : datetime.datetime, optional
            Time of recording (timezone-aware; default: now). An entry whose
            ``as_of`` is before the UTC date of ``now`` is ``replayed`` (the command
            line's default as-of date is today in UTC).

        Raises
        ------
        ParameterError
            A forecast is as of a date after ``now`` (knowledge not yet available).
        DataError
            The ledger is not intact (nothing is appended to a broken chain).
        """
        from drillcast.forecasting import Forecast, Forecaster

        forecasts = [forecasts] if isinstance(forecasts, Forecast) else _check_forecasts(forecasts, catalogue)
        if now is not None and now.tzinfo is None:
            raise ParameterError("now", "give a timezone-aware datetime, e.g. datetime.now(timezone.utc)")
        today = (now or _utcnow()).astimezone(_dt.timezone.utc).date()
        drafts, skipped = [], []
        for fc in forecasts:
            if fc.as_of > today:
                raise ParameterError("forecasts", f"{fc.series} is forecast as of {fc.as_of}, after the recording "
                                     f"date {today}; a ledger records what was known when it was said")
            if not fc.ok:
                skipped.append({"series": fc.series, "reason": fc.reason})
                continue
            snap = catalogue.as_of(fc.as_of)
            years = [y.year for y in fc.years]
            counts = fc.model_info.get("counts", "default")
            base = {b: Forecaster(b, counts=counts).fit(snap, fc.series).forecast(years, seed=fc.seed)
                    for b in LEDGER_BASELINES}
            ct = catalogue.checked_through(fc.series)
            for yf in fc.years:
                drafts.append({
                    "as_of": fc.as_of.isoformat(), "replayed": fc.as_of < today,
                    "series": fc.series, "year": yf.year, "lead_years": yf.year - fc.as_of.year,
                    "model": fc.model, "seed": fc.seed, "forecast": _payload(fc, yf),
                    "baselines": {b: _payload(f, f.year(yf.year)) for b, f in base.items()},
                    "catalogue_sha256": catalogue.sha256,
                    "checked_through": ct.isoformat() if ct else None,
                    "drillcast_version": __version__,
                })
        done = self._append_entries(drafts, now)
        archived = self._archive(catalogue) if done and self.archive else None
        return RecordResult(str(self.path), tuple(done), tuple(skipped), archived)

    def _append_entries(self, drafts, now) -> list:
        """Number, chain and append ``drafts`` under the ledger's lock; the entries written."""
        from drillcast._io import edit_lock

        self._check_writable()
        with edit_lock(self.path, timeout=LOCK_TIMEOUT):  # keyed by the resolved path: one lock per file
            entries, v = _scan(self.path)
            if not v.ok:
                raise DataError(f"{v.text()}; nothing was recorded: fix the ledger first "
                                f"('drillcast ledger verify --ledger {self.path}')")
            stamp = now or _utcnow()  # the time of writing, under the lock
            prev, n = v.head_sha256, v.n_entries
            done = []
            for d in drafts:
                n += 1
                e = {"id": n, "recorded_at": stamp.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                     **d, "prev_sha256": prev}
                e["sha256"] = prev = entry_sha256(e)
                done.append(e)
            if done:
                self._append(b"".join(_canonical(e) + b"\n" for e in done))
        return done

    def _check_writable(self):
        from drillcast._io import check_output_path

        check_output_path(self.path, replacing=True)  # appended to: the ledger is read, then extended

    def _append(self, data: bytes):
        """One append of whole lines, flushed to disk before the lock is released."""
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as exc:
            raise OutputError(f"{self.path}: cannot write ({exc.strerror}); nothing was recorded") from None
        try:
            view = memoryview(data)
            while view:  # os.write may write less than asked (a full disk, a signal)
                view = view[os.write(fd, view):]
            os.fsync(fd)
        except OSError as exc:
            raise OutputError(f"{self.path}: cannot write ({exc.strerror}); 'drillcast ledger verify' "
                              "reports any entry cut short") from None
        finally:
            os.close(fd)

    def _archive(self, catalogue) -> str | None:
        from drillcast._io import atomic_write

        files = _catalogue_bytes(catalogue)
        if files is None:
            return None
        folder = self._archive_dir() / catalogue.sha256
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if not (folder / "exercises.csv").is_file():
                if files[1] is not None:
                    atomic_write(folder / "series.csv", files[1], replacing=True)
                atomic_write(folder / "exercises.csv", files[0], replacing=True)  # last: marks a complete copy
        except (OSError, OutputError):
            return None  # the archive is a convenience; the ledger entry is what counts
        return str(folder)

    def repair(self) -> Verification:
        """Remove a cut-short last line (an interrupted write) or blank lines at the end, and nothing else.

        Raises
        ------
        DataError
            The ledger has another problem (an edited, removed or reordered
            entry), which is evidence and is never removed.
        OutputError
            The ledger cannot be written (read-only); nothing is changed.
        """
        from drillcast._io import edit_lock, os_reason
        from drillcast.ledger_check import read_ledger_lines

        with edit_lock(self.path, timeout=LOCK_TIMEOUT):
            entries, v = _scan(self.path, missing_ok=False)
            if v.ok:
                return v
            lines, _ = read_ledger_lines(self.path)
            if v.problem.kind not in ("incomplete", "blank") or any(x.strip() for x in lines[v.problem.line:]):
                raise DataError(f"{v.text()}; only a cut-short last line is repaired (or blank lines at the end): "
                                "this entry is evidence that the ledger was changed, and is left as it is")
            keep = sum(len(x) + 1 for x in lines[:v.problem.line - 1])
            try:
                with open(self.path, "r+b") as fh:
                    fh.truncate(keep)
                    fh.flush()
                    os.fsync(fh.fileno())
            except OSError as exc:
                raise OutputError(f"{self.path}: cannot repair: {os_reason(exc)}; nothing was changed: make the "
                                  "ledger writable (chmod u+w) and try again") from None
            return _scan(self.path)[1]

    # -- scoring

    def score(self, catalogue, *, today: _dt.date | None = None, paired_draws: int = 20_000,
              seed: int = 0, allow_broken: bool = False) -> "LedgerScore":
        """Resolve every intact entry against ``catalogue`` and score the resolved ones.

        Parameters
        ----------
        catalogue : Catalogue
            The full, current catalogue (what happened).
        today : datetime.date, optional
            Decides whether an uncovered year is still running (``pending``) or over
            (``unresolvable``); default today's date in UTC.
        paired_draws, seed : int
            Monte Carlo draws and seed of the paired skill tests (as in ``drillcast backtest``).
        allow_broken : bool
            Score the entries before the first problem of a damaged ledger (the problem is
            then in :attr:`LedgerScore.verification`) instead of raising.

        Raises DataError if the ledger is missing, or broken and not ``allow_broken`` (naming the first bad entry).
        """
        from drillcast._params import check_seed
        from drillcast.data.dates import today as utc_today

        check_seed(seed)
        _check_forecasts([], catalogue)
        entries, v = _scan(self.path, missing_ok=False)
        if not v.ok and not allow_broken:
            raise DataError(f"{v.text()}; nothing was scored: a broken ledger is not read past its first bad "
                            f"entry silently ('drillcast ledger verify --ledger {self.path}')")
        return score_entries(entries, catalogue, today=today or utc_today(), paired_draws=paired_draws,
                             seed=seed, verification=v)


# --------------------------------------------------------------------------- scoring


@dataclass(frozen=True)
class LedgerScore:
    """Scores of a ledger's entries against a catalogue.

    Attributes
    ----------
    entries : tuple of dict
        One row per entry: ``id, series, year, model, as_of, recorded_at,
        replayed, status, reason, latest, observed, observed_count,
        observed_start, scores`` (the model's, named as in ``drillcast
        backtest``) and ``baseline_scores`` (per baseline).
    summary : dict
        ``{"live": ..., "replayed": ...}``: counts by status, and for the
        resolved entries per-(series, model) and pooled (``series`` = ``"all"``)
        mean scores, coverage, skill against each baseline with the paired
        test, and the calibration (reliability) table; ``latest`` repeats the
        pooled rows on the latest entry of each question only.
    verification : Verification
    settings : dict
        ``catalogue_sha256``, ``today``, ``checked_through`` per series.
    """

    entries: tuple
    summary: dict
    verification: Verification
    settings: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"ledger": self.verification.to_dict(), "settings": self.settings,
                "entries": list(self.entries), "summary": self.summary}

    def to_frame(self):
        """One row per entry, scores as columns (baselines' as ``<baseline>_<score>``)."""
        import pandas as pd

        rows = []
        for e in self.entries:
            r = {k: v for k, v in e.items() if k not in ("scores", "baseline_scores")}
            r.update(e["scores"] or {})
            for b, s in (e["baseline_scores"] or {}).items():
                r.update({f"{b}_{k}": v for k, v in s.items()})
            rows.append(r)
        return pd.DataFrame(rows)

    def live(self) -> tuple:
        return tuple(e for e in self.entries if not e["replayed"])

    def replayed(self) -> tuple:
        return tuple(e for e in self.entries if e["replayed"])


def _observed_start(y, lo, hi):
    from drillcast.evaluation.backtest import _doy_iso

    if lo != lo:  # NaN
        return None
    return _doy_iso(y, lo) if lo == hi else f"{_doy_iso(y, lo)}/{_doy_iso(y, hi)}"


def _held_in(h, year):
    """``(label, count, lo, hi)`` of a year in which ``h`` shows a held primary event, else None."""
    if year == h.current_year and h.current_outcome is not None:
        return (h.categories[h.current_outcome], int(h.current_count), float(h.current_start[0]),
                float(h.current_start[1]))
    for i, y in enumerate(h.years):
        if y == year and h.outcomes[i] != h.none_index:
            return h.categories[h.outcomes[i]], int(h.counts[i]), float(h.start_lo[i]), float(h.start_hi[i])
    return None


def _resolve(entry, catalogue, today, memo):
    """``(status, reason, truth)`` of an entry; truth is ``(label, count, lo, hi)`` when resolved.

    A year is resolved when it is over and the series is checked through its end
    (then its absence of events is evidence, as in the backtest's truth); for a
    single-event series also as soon as the catalogue shows the year's exercise
    held, whatever the coverage, since one held exercise fixes the outcome.
    """
    import numpy as np

    from drillcast.data.history import series_history

    def history(day):
        if (sid, day) not in memo:
            memo[(sid, day)] = series_history(catalogue.as_of(day), sid)
        return memo[(sid, day)]

    sid, y = entry["series"], entry["year"]
    if sid not in catalogue.series:
        return "unresolvable", f"the catalogue has no series {sid!r}", None
    ct = min(catalogue.checked_through(sid), today)  # no check reaches past today
    year_end = _dt.date(y, 12, 31)
    if ct >= year_end:
        h = history(ct)
        idx = np.flatnonzero(h.years == y)
        if not idx.size:
            return "unresolvable", f"{y} is before the first recorded year of {sid}", None
        i = int(idx[0])
        if not h.known[i]:
            return ("unresolvable", f"the catalogue still lists {sid}'s {y} exercise as announced: "
                    "whether it was held is unknown", None)
        return "resolved", f"{y} is over and {sid} is checked through {ct}", (
            h.categories[h.outcomes[i]], int(h.counts[i]), float(h.start_lo[i]), float(h.start_hi[i]))
    if not catalogue.series[sid].multi_event:
        held = _held_in(history(today), y)
        if held is not None:
            return "resolved", f"{sid}'s {y} exercise was held (the catalogue reports it by {today})", held
    if today > year_end:
        return "unresolvable", (f"coverage gap: {y} is over but {sid} is checked only through {ct}; "
                                f"record a later check (drillcast data checked --series {sid} ...) to resolve it"), None
    return "pending", f"{y} is not over; {sid} is checked through {ct}", None


def _fold_inputs(payload, label, count, lo, hi, rec):
    """The backtest's ``pending`` tuple for one stored forecast, or None if the label cannot be placed."""
    import numpy as np

    cats = payload["categories"]
    if label not in cats:
        label = "other" if "other" in cats and label != "none" else None
        if label is None:
            return None
    o = cats.index(label)
    probs = [payload["outcomes"][c] for c in cats] if payload["outcomes"] is not None else \
        [payload["p_held"], 1 - payload["p_held"]]
    pmf = _unpack_pmf(payload["start_pmf"]) if payload["start_pmf"] is not None else None
    return (rec, probs, o, pmf, lo, hi, np.asarray(payload["count_pmf"], dtype=float), count)


def score_entries(entries, catalogue, *, today: _dt.date, paired_draws: int = 20_000, seed: int = 0,
                  verification: Verification | None = None) -> LedgerScore:
    """Resolve and score ledger entries (see :meth:`Ledger.score`)."""
    from drillcast.evaluation.backtest import score_folds

    memo: dict = {}
    rows, batches, folds = [], {}, []
    entries = [e for e in entries if e.get("kind") != "question"]  # drillcast.ledger_questions scores those
    latest = _latest_ids(entries)
    for e in entries:
        status, reason, truth = _resolve(e, catalogue, today, memo)
        row = {"id": e["id"], "series": e["series"], "year": e["year"], "model": e["model"], "as_of": e["as_of"],
               "recorded_at": e["recorded_at"], "replayed": e["replayed"], "lead_years": e.get("lead_years"),
               "status": status, "reason": reason, "latest": e["id"] in latest,
               "p_held": e["forecast"]["p_held"], "observed": None, "observed_count": None,
               "observed_start": None, "scores": None, "baseline_scores": None}
        rows.append(row)
        if truth is None:
            continue
        label, count, lo, hi = truth
        row.update(observed=label, observed_count=count, observed_start=_observed_start(e["year"], lo, hi))
        todo = [(e["model"], e["forecast"])] + [(b, p) for b, p in e["baselines"].items() if b != e["model"]]
        recs = {}
        for name, payload in todo:
            rec = {"series": e["series"], "model": name, "cutoff": f"entry {e['id']}", "year": e["year"],
                   "outcomes": payload["outcomes"], "p_held": payload["p_held"], "observed": label,
                   "start": payload["start"], "replayed": e["replayed"], "entry": e["id"]}
            pend = _fold_inputs(payload, label, count, lo, hi, rec)
            if pend is None:
                continue
            batches.setdefault(tuple(payload["categories"]), []).append(pend)
            recs[name] = rec
        if e["model"] not in recs:
            row.update(status="unresolvable", reason=f"the outcome {label!r} is not among the recorded categories")
            continue
        folds += recs.values()
        row["_recs"] = recs
    for pending in batches.values():
        score_folds(pending)
    for row in rows:
        recs = row.pop("_recs", None)
        if recs:
            row["scores"] = recs[row["model"]]["scores"]
            row["baseline_scores"] = {n: r["scores"] for n, r in recs.items() if n != row["model"]}
    summary = {kind: _summary(rows, [f for f in folds if f["replayed"] == (kind == "replayed")], latest,
                              kind == "replayed", paired_draws, seed)
               for kind in ("live", "replayed")}
    settings = {"catalogue_sha256": catalogue.sha256, "today": today.isoformat(),
                "checked_through": {s: catalogue.checked_through(s).isoformat()
                                    for s in sorted({e["series"] for e in entries} & set(catalogue.series))},
                "baselines": list(LEDGER_BASELINES)}
    return LedgerScore(tuple(rows), summary, verification or Verification("", len(entries), GENESIS), settings)


def _latest_ids(entries) -> set:
    """Per (series, year, live or replayed): the id of the latest-recorded entry."""
    best = {}
    for e in entries:  # ids grow with recording time
        best[(e["series"], e["year"], e["replayed"])] = e["id"]
    return set(best.values())


def _summary(rows, folds, latest, replayed, draws, seed) -> dict:
    from drillcast.evaluation.backtest import summarise_folds

    mine = [r for r in rows if r["replayed"] == replayed]
    out = {"n_entries": len(mine), **{f"n_{s}": sum(r["status"] == s for r in mine)
                                      for s in ("resolved", "pending", "unresolvable")}}
    if not folds:
        out.update(by_series=[], overall=[], latest=[], calibration={})
        return out
    names = list(dict.fromkeys(f["model"] for f in folds))
    by_series, _ = summarise_folds(folds, names, paired_draws=draws, seed=seed)
    pooled = [dict(f, series="all", cutoff=f"{f['series']}/{f['cutoff']}") for f in folds]
    overall, calibration = summarise_folds(pooled, names, paired_draws=draws, seed=seed)
    last = [f for f in pooled if f["entry"] in latest]
    latest_rows, _ = summarise_folds(last, names, paired_draws=draws, seed=seed) if last else ([], {})
    out.update(by_series=by_series, overall=overall, latest=latest_rows, calibration=calibration)
    return out


# --------------------------------------------------------------------------- how forecasts moved


def _median_shift(a, b):
    if not a or not b:
        return None
    return (_dt.date.fromisoformat(b["median"]) - _dt.date.fromisoformat(a["median"])).days


def _top(payload):
    if payload["outcomes"] is None:
        return None
    return max(payload["outcomes"], key=lambda k: payload["outcomes"][k])


def _move(prev, cur) -> dict:
    fp, fc = (prev or {}).get("forecast"), cur["forecast"]
    return {
        "id": cur["id"], "series": cur["series"], "year": cur["year"], "model": cur["model"],
        "as_of": cur["as_of"], "recorded_at": cur["recorded_at"], "replayed": cur["replayed"],
        "p_held": fc["p_held"], "expected_count": fc["expected_count"],
        "start_median": (fc["start"] or {}).get("median"), "top_outcome": _top(fc),
        "catalogue_sha256": cur["catalogue_sha256"],
        "previous_id": prev["id"] if prev else None,
        "previous_as_of": prev["as_of"] if prev else None,
        "p_held_change": round(fc["p_held"] - fp["p_held"], 6) if prev else None,
        "expected_count_change": round(fc["expected_count"] - fp["expected_count"], 6) if prev else None,
        "start_shift_days": _median_shift(fp["start"], fc["start"]) if prev else None,
        "top_outcome_before": _top(fp) if prev else None,
        "model_changed": prev["model"] != cur["model"] if prev else None,
        "catalogue_changed": prev["catalogue_sha256"] != cur["catalogue_sha256"] if prev else None,
        "previous_catalogue_sha256": prev["catalogue_sha256"] if prev else None,
    }


def question_history(entries, series: str, year: int) -> list[dict]:
    """How the forecast of one (series, year) moved from entry to entry.

    Entries are ordered by ``as_of`` then recording order; each row gives the
    forecast and its change from the row before (``p_held_change``,
    ``expected_count_change``, ``start_shift_days`` of the median start,
    ``top_outcome_before``, ``catalogue_changed``).
    """
    mine = sorted((e for e in entries if e["series"] == series and e.get("year") == int(year)),
                  key=lambda e: (e["as_of"], e["id"]))
    return [_move(mine[i - 1] if i else None, e) for i, e in enumerate(mine)]


def what_changed(entries, *, replayed: bool = False) -> list[dict]:
    """Per (series, year): the latest entry against the one before it ("what changed since").

    Only questions with at least two entries; live entries by default
    (``replayed=True`` for the replayed ones: the two are never mixed).
    Rows as in :func:`question_history`, ordered by series and year.
    """
    mine = [e for e in entries if e["replayed"] == replayed and e.get("kind") != "question"]
    out = []
    for sid, y in sorted({(e["series"], e["year"]) for e in mine}):
        hist = question_history(mine, sid, y)
        if len(hist) >= 2:
            out.append(hist[-1])
    return out
