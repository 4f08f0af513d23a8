"""Schema of a question entry of the ledger (``drillcast ask --record``), standard library only.

Kept on the bottom floor so that whatever reads a ledger can check each entry by its ``kind``
without importing the numerical layers (:mod:`drillcast.ledger_questions` writes and scores them).
"""

from __future__ import annotations

import datetime as _dt
import math
import re

__all__ = ["QUESTION_FIELDS", "is_question", "check_question_entry"]

QUESTION_FIELDS = ("id", "recorded_at", "kind", "as_of", "replayed", "series", "question", "probability", "se",
                   "resolved", "resolution", "seed", "catalogue_sha256", "checked_through", "drillcast_version",
                   "prev_sha256", "sha256")
_QUESTION_KEYS = ("text", "series", "start", "end", "direction", "participants", "at_least")
_HEX64 = re.compile(r"[0-9a-f]{64}\Z")
_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z\Z")


def is_question(entry: dict) -> bool:
    """True for a question entry (``drillcast ask --record``), False for a yearly forecast."""
    return entry.get("kind") == "question"


def _day(x) -> bool:
    try:
        return isinstance(x, str) and len(x) == 10 and _dt.date.fromisoformat(x) is not None
    except ValueError:
        return False


def _num(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _int(x) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def check_question_entry(e: dict) -> str | None:
    """What is wrong with a question entry, in words; None when every field is there with the right type."""
    missing = [k for k in QUESTION_FIELDS if k not in e]
    if missing:
        return f"question entry without {', '.join(missing)}"
    if e["kind"] != "question":
        return f"'kind' is {e['kind']!r}, not 'question'"
    if not _int(e["id"]) or e["id"] < 1:
        return "'id' is not a whole number from 1"
    if not isinstance(e["recorded_at"], str) or not _STAMP.match(e["recorded_at"]):
        return "'recorded_at' is not a UTC time YYYY-MM-DDTHH:MM:SSZ"
    for k in ("prev_sha256", "sha256", "catalogue_sha256"):
        if not isinstance(e[k], str) or not _HEX64.match(e[k]):
            return f"{k!r} is not 64 hexadecimal digits"
    if not _day(e["as_of"]):
        return "'as_of' is not a date YYYY-MM-DD"
    if e["checked_through"] is not None and not _day(e["checked_through"]):
        return "'checked_through' is not a date YYYY-MM-DD or null"
    for k in ("replayed", "resolved"):
        if not isinstance(e[k], bool):
            return f"{k!r} is not true or false"
    if not _int(e["seed"]) or not 0 <= e["seed"] < 2**32:
        return "'seed' is not a whole number from 0 to 2**32 - 1"
    for k in ("series", "drillcast_version"):
        if not isinstance(e[k], str) or not e[k]:
            return f"{k!r} is not a non-empty text"
    if not _num(e["probability"]) or not 0 <= e["probability"] <= 1:
        return f"'probability' is {e['probability']!r}, not a number from 0 to 1"
    if e["se"] is not None and (not _num(e["se"]) or e["se"] < 0):
        return "'se' is not a number >= 0 or null"
    q = e["question"]
    if not isinstance(q, dict) or any(k not in q for k in _QUESTION_KEYS):
        return f"'question' lacks one of {', '.join(_QUESTION_KEYS)}"
    if q["series"] != e["series"]:
        return "the question's series is not the entry's"
    if not _day(q["start"]) or not _day(q["end"]) or q["end"] < q["start"]:
        return "the question's start and end are not dates YYYY-MM-DD, the end on or after the start"
    if q["direction"] is not None and not isinstance(q["direction"], str):
        return "the question's direction is not text or null"
    if not isinstance(q["participants"], list) or not all(isinstance(c, str) for c in q["participants"]):
        return "the question's participants are not a list of country codes"
    if not _int(q["at_least"]) or q["at_least"] < 1:
        return f"the question's at_least is {q['at_least']!r}, not a whole number from 1"
    r = e["resolution"]
    if not isinstance(r, dict) or not isinstance(r.get("criterion"), str) or not isinstance(r.get("events"), list):
        return "'resolution' is not {criterion, resolves_by, events, note}"
    return None
