"""Questions in the forecast ledger: ``drillcast ask --record`` entries, and their scores.

A question entry sits in the same hash chain as the yearly forecasts of
:mod:`drillcast.ledger` (same ``id``, ``recorded_at``, ``prev_sha256`` and
``sha256``, so ``ledger verify`` covers it) and is told apart by
``"kind": "question"``. It holds the question as asked (series, window, direction,
participants, at least K), the probability and its Monte Carlo error, whether the
catalogue already settled it, the criterion in words, and what it was made from
(``as_of``, ``seed``, ``catalogue_sha256``, ``checked_through``,
``drillcast_version``). Its schema is :func:`drillcast._question_schema.check_question_entry`
(standard library only, so that the ledger's reader can check every entry by its kind).

:func:`score_questions` resolves each question against a later catalogue, by the
criterion it states: *yes* as soon as the catalogue records enough held events
in the window that qualify; *no* once the series is checked through the window's
end without them; *pending* while the window runs; *unresolvable* when the window
is over but the catalogue's check of the series has not reached its end. Resolved
questions get the Brier score ``(p - o)^2`` and the log score ``log p(observed)``
(floored as in :func:`drillcast.evaluation.scoring.binary_log_score`), kept apart
from the yearly forecasts' scores, and live questions apart from replayed ones.
"""

from __future__ import annotations

import datetime as _dt
import statistics
from dataclasses import dataclass

from drillcast import __version__
from drillcast._question_schema import QUESTION_FIELDS, check_question_entry, is_question
from drillcast.errors import DataError, ParameterError

__all__ = ["QUESTION_FIELDS", "is_question", "check_question_entry", "record_question", "score_questions",
           "QuestionScore"]

def _utcnow() -> _dt.datetime:
    return _dt.datetime.now(_dt.timezone.utc)


def record_question(ledger, answer, catalogue, *, now: _dt.datetime | None = None) -> dict:
    """Append ``answer`` (:func:`drillcast.analysis.ask`) to ``ledger`` as a question entry; return the entry.

    Raises
    ------
    ParameterError
        ``now`` without a timezone, or an answer as of a date after it.
    DataError
        The ledger is not intact (nothing is appended to a broken chain).
    """
    if now is not None and now.tzinfo is None:
        raise ParameterError("now", "give a timezone-aware datetime, e.g. datetime.now(timezone.utc)")
    today = (now or _utcnow()).astimezone(_dt.timezone.utc).date()
    if answer.as_of > today:
        raise ParameterError("answer", f"the answer is as of {answer.as_of}, after the recording date {today}; a "
                                       "ledger records what was known when it was said")
    d = answer.to_dict()
    sid = d["question"]["series"]
    ct = catalogue.checked_through(sid)
    draft = {"kind": "question", "as_of": d["as_of"], "replayed": answer.as_of < today, "series": sid,
             "question": d["question"], "probability": float(answer.probability),
             "se": None if answer.se is None else float(answer.se), "resolved": d["resolved"],
             "resolution": d["resolution"], "seed": d["seed"], "catalogue_sha256": d["catalogue_sha256"],
             "checked_through": ct.isoformat() if ct else None, "drillcast_version": __version__}
    (entry,) = ledger._append_entries([draft], now or _utcnow())
    problem = check_question_entry(entry)
    if problem:  # a bug, not a user error: what we write must be what we can read back
        raise DataError(f"{ledger.path}: entry {entry['id']}: {problem}")
    return entry


def _resolve(entry, catalogue, today: _dt.date):
    """``(status, reason, occurred, events)`` of a question entry against ``catalogue`` on ``today``."""
    from drillcast.windows import facts_of, qualifying_facts

    q = entry["question"]
    sid = q["series"]
    if sid not in catalogue.series:
        return "unresolvable", f"the catalogue has no series {sid!r}", None, []
    start, end = _dt.date.fromisoformat(q["start"]), _dt.date.fromisoformat(q["end"])
    facts = qualifying_facts(facts_of(catalogue.as_of(today), sid), start, end, direction=q["direction"],
                             participants=q["participants"])
    events = [f.to_dict() for f in facts]
    if len(facts) >= q["at_least"]:
        f = facts[q["at_least"] - 1]
        return "resolved", f"yes: the catalogue records {f.name} (started {f.start}; source: {f.source})", True, events
    ct = min(catalogue.checked_through(sid), today)
    if ct >= end:
        return "resolved", f"no: {sid} is checked through {ct}, past the window's end {end}", False, events
    if today > end:
        return ("unresolvable", f"coverage gap: the window ended on {end} but {sid} is checked only through {ct}; "
                f"record a later check (drillcast data checked --series {sid} ...) to resolve it", None, events)
    return "pending", f"the window runs to {end}; {sid} is checked through {ct}", None, events


@dataclass(frozen=True)
class QuestionScore:
    """Question entries of a ledger, resolved against a catalogue and scored.

    Attributes
    ----------
    entries : tuple of dict
        One row per question entry: ``id, series, question, as_of, recorded_at, replayed,
        probability, status, reason, occurred, events, brier, log_score``.
    summary : dict
        ``{"live": ..., "replayed": ...}``: counts by status, and the mean Brier and log
        scores of the resolved questions.
    """

    entries: tuple
    summary: dict

    def to_dict(self) -> dict:
        return {"entries": list(self.entries), "summary": self.summary}

    def to_frame(self):
        import pandas as pd

        return pd.DataFrame([{k: v for k, v in e.items() if k != "events"} for e in self.entries])

    def text(self) -> str:
        """A block for ``drillcast ledger score``: one line per question, then the summaries."""
        from drillcast.present.text import pct, table

        if not self.entries:
            return ""
        rows = [[e["id"], e["series"], e["question"], e["as_of"], "replayed" if e["replayed"] else "live",
                 e["status"], pct(e["probability"]), {True: "yes", False: "no"}.get(e["occurred"], "-"),
                 "-" if e["brier"] is None else f"{e['brier']:.3f}",
                 "-" if e["log_score"] is None else f"{e['log_score']:.3f}"] for e in self.entries]
        out = ["questions (drillcast ask --record), scored apart from the yearly forecasts:",
               table(["id", "series", "question", "as of", "record", "status", "p", "observed", "Brier", "log score"],
                     rows, "rlllllrlrr")]
        for kind in ("live", "replayed"):
            s = self.summary[kind]
            line = (f"{kind} questions: {s['n_entries']}: {s['n_resolved']} resolved, {s['n_pending']} pending, "
                    f"{s['n_unresolvable']} unresolvable")
            if s["n_resolved"]:
                line += f"; mean Brier {s['mean_brier']:.3f}, mean log score {s['mean_log_score']:.3f}"
            out.append(line)
        return "\n".join(out) + "\n"


def _words(q: dict) -> str:
    what = "an event" if q["at_least"] == 1 else f">= {q['at_least']} events"
    extra = (f" {q['direction']}" if q["direction"] else "") + (f" with {'+'.join(q['participants'])}"
                                                                if q["participants"] else "")
    return f"{what}{extra} {q['start']}..{q['end']}"


def score_questions(entries, catalogue, *, today: _dt.date) -> QuestionScore:
    """Resolve every question entry among ``entries`` against ``catalogue`` and score the resolved ones."""
    from drillcast.evaluation.scoring import binary_brier, binary_log_score

    rows = []
    for e in entries:
        if not is_question(e):
            continue
        status, reason, occurred, events = _resolve(e, catalogue, today)
        row = {"id": e["id"], "series": e["series"], "question": _words(e["question"]), "as_of": e["as_of"],
               "recorded_at": e["recorded_at"], "replayed": e["replayed"], "probability": e["probability"],
               "status": status, "reason": reason, "occurred": occurred, "events": events, "brier": None,
               "log_score": None}
        if occurred is not None:
            row["brier"] = float(binary_brier([e["probability"]], [occurred])[0])
            row["log_score"] = float(binary_log_score([e["probability"]], [occurred])[0][0])
        rows.append(row)
    summary = {}
    for kind in ("live", "replayed"):
        mine = [r for r in rows if r["replayed"] == (kind == "replayed")]
        done = [r for r in mine if r["status"] == "resolved"]
        summary[kind] = {"n_entries": len(mine), **{f"n_{s}": sum(r["status"] == s for r in mine)
                                                     for s in ("resolved", "pending", "unresolvable")},
                         "mean_brier": statistics.fmean(r["brier"] for r in done) if done else None,
                         "mean_log_score": statistics.fmean(r["log_score"] for r in done) if done else None}
    return QuestionScore(tuple(rows), summary)
