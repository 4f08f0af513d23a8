"""Reading a ledger safely: bounded, strict JSON, and every entry checked against the schema of its kind.

A ledger is evidence, so it is checked wherever it is read (``verify``, ``score``, ``diff``,
``record`` and ``report --ledger`` all read it through :func:`read_ledger_lines` and
:func:`parse_entry`), and anything unexpected is a finding that names the line, never an
internal error:

- reading is bounded (:data:`MAX_LEDGER_BYTES` in all, :data:`MAX_ENTRY_BYTES` a line), so an
  endless stream is refused;
- JSON is strict: ``NaN``, ``Infinity`` and ``-Infinity`` are refused, as are a key given twice
  in one object, nesting deeper than :data:`MAX_DEPTH` and integers longer than
  :data:`MAX_INT_DIGITS` digits;
- each entry is validated by the checker registered for its ``kind`` (no ``kind`` field means
  ``"forecast"``, the entries :meth:`drillcast.ledger.Ledger.record` writes). Another kind of
  entry registers its own checker with :func:`register_entry_kind`.

A checker returns None for a valid entry, else one sentence saying which field is wrong and how.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from drillcast._question_schema import check_question_entry
from drillcast.errors import DataError

__all__ = ["Verification", "LedgerEntryProblem", "entry_sha256", "GENESIS", "read_ledger_lines", "parse_entry", "check_entry", "register_entry_kind", "ENTRY_KINDS",
           "MAX_LEDGER_BYTES", "MAX_ENTRY_BYTES", "MAX_DEPTH", "MAX_INT_DIGITS"]

MAX_LEDGER_BYTES = 256 * 2**20  # a ledger larger than this is refused, checked while reading
MAX_ENTRY_BYTES = 4 * 2**20  # one entry (one line); a forecast entry is a few kilobytes
MAX_DEPTH = 16  # nesting of JSON objects and arrays; a forecast entry has 4
MAX_INT_DIGITS = 20  # a JSON integer with more digits is refused before Python converts it

GENESIS = "0" * 64  # prev_sha256 of the first entry
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_STAMP = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$")


# --------------------------------------------------------------------------- reading


def read_ledger_lines(path: str | os.PathLike, *, missing_ok: bool = False) -> tuple[list[bytes], bool] | None:
    """The ledger's lines (without their ends) and whether the last line ended, read in bounded chunks.

    Returns None for a missing file when ``missing_ok`` (a ledger not recorded yet).

    Raises
    ------
    DataError
        The file is missing (unless ``missing_ok``), a directory, unreadable, or larger
        than :data:`MAX_LEDGER_BYTES` (an endless stream is refused once that much was read).
    """
    from drillcast._io import CHUNK, note_inputs, os_reason

    path = Path(path)
    note_inputs(path)
    try:
        fh = open(path, "rb", buffering=0)
    except FileNotFoundError:
        if missing_ok:
            return None
        raise DataError(f"{path}: no such ledger; check the path, or record forecasts first "
                        f"(drillcast ledger record --ledger {path})") from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a directory; give the path of a ledger file such as "
                        f"{path / 'ledger.jsonl'}") from None
    except PermissionError:
        raise DataError(f"{path}: permission denied; make the ledger readable") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot read the ledger: {os_reason(exc)}") from None
    chunks, total = [], 0
    try:
        with fh:
            while True:
                chunk = fh.read(min(CHUNK, MAX_LEDGER_BYTES + 1 - total))
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
                if total > MAX_LEDGER_BYTES:
                    raise DataError(f"{path}: more than {MAX_LEDGER_BYTES / 2**20:g} MiB read and the ledger does "
                                    "not end; drillcast reads ledgers up to that size: start a new ledger file")
    except IsADirectoryError:
        raise DataError(f"{path}: is a directory; give the path of a ledger file") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot read the ledger: {os_reason(exc)}") from None
    lines = b"".join(chunks).split(b"\n")
    complete = lines[-1] == b""
    if complete:
        lines.pop()
    return lines, complete


def _depth(value) -> int:
    """The deepest nesting of objects and arrays in a parsed JSON value (iterative: no recursion limit)."""
    deepest, todo = 0, [(value, 1)]
    while todo:
        v, d = todo.pop()
        if isinstance(v, (dict, list)):
            deepest = max(deepest, d)
            if d <= MAX_DEPTH:
                todo.extend((x, d + 1) for x in (v.values() if isinstance(v, dict) else v))
    return deepest


class _Refused(ValueError):
    pass


def _no_constant(name):
    raise _Refused(f"it holds {name}, which is not a number in JSON")


def _int(text):
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise _Refused(f"it holds an integer of {len(text.lstrip('-'))} digits")
    return int(text)


def _float(text):
    x = float(text)
    if not math.isfinite(x):
        raise _Refused(f"it holds {text}, a number too large for a float")
    return x


def _unique(pairs):
    out = {}
    for k, v in pairs:
        if k in out:
            raise _Refused(f"it gives the key {k!r} twice")
        out[k] = v
    return out


def parse_entry(line: bytes) -> tuple[object, str | None]:
    """``(value, None)`` for a line of strict JSON, else ``(None, why)``.

    Strict: UTF-8, no ``NaN``/``Infinity``, no key twice in an object, nesting at most
    :data:`MAX_DEPTH`, integers of at most :data:`MAX_INT_DIGITS` digits, at most
    :data:`MAX_ENTRY_BYTES` bytes.
    """
    if len(line) > MAX_ENTRY_BYTES:
        return None, f"it is {len(line) / 2**20:.1f} MiB long (at most {MAX_ENTRY_BYTES / 2**20:g} MiB)"
    if not line.strip():
        return None, "the line is blank"
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return None, "it is not UTF-8 text"
    try:
        value = json.loads(text, parse_constant=_no_constant, parse_int=_int, parse_float=_float,
                           object_pairs_hook=_unique)
    except _Refused as exc:
        return None, str(exc)
    except RecursionError:
        return None, f"it nests deeper than {MAX_DEPTH} levels"
    except ValueError:
        return None, "it is not valid JSON"
    if _depth(value) > MAX_DEPTH:
        return None, f"it nests deeper than {MAX_DEPTH} levels"
    return value, None


# --------------------------------------------------------------------------- schemas


ENTRY_KINDS: dict[str, Callable[[dict], str | None]] = {}
"""Entry kind -> checker (None for a valid entry, else what is wrong)."""


def register_entry_kind(kind: str, checker: Callable[[dict], str | None]) -> None:
    """Register the checker of ledger entries whose ``kind`` field is ``kind``."""
    ENTRY_KINDS[kind] = checker


def check_entry(entry: dict) -> str | None:
    """What is wrong with a parsed ledger entry (its kind's schema), or None."""
    kind = entry.get("kind", "forecast")
    checker = ENTRY_KINDS.get(kind) if isinstance(kind, str) else None
    if checker is None:
        return f"its kind {kind!r} is not one drillcast knows ({', '.join(sorted(ENTRY_KINDS))})"
    return checker(entry)


def _is_int(x) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _is_num(x) -> bool:
    return (isinstance(x, (int, float)) and not isinstance(x, bool)) and math.isfinite(x)


def _is_prob(x) -> bool:
    return _is_num(x) and -1e-9 <= x <= 1 + 1e-9


def _common(e: dict) -> str | None:
    """The fields every entry has: ``id``, ``recorded_at``, ``prev_sha256``, ``sha256``."""
    if not _is_int(e.get("id")) or e["id"] < 1:
        return "'id' is not a whole number from 1"
    if not isinstance(e.get("recorded_at"), str) or not _STAMP.match(e["recorded_at"]):
        return "'recorded_at' is not a UTC time YYYY-MM-DDTHH:MM:SSZ"
    for k in ("prev_sha256", "sha256"):
        if not isinstance(e.get(k), str) or not _HEX64.match(e[k]):
            return f"{k!r} is not 64 hexadecimal digits"
    return None


def _payload_problem(p, where: str) -> str | None:
    """A recorded forecast of one year (:func:`drillcast.ledger._payload`)."""
    if not isinstance(p, dict):
        return f"{where} is not an object"
    cats = p.get("categories")
    if not isinstance(cats, list) or not cats or not all(isinstance(c, str) for c in cats) or len(set(cats)) != len(cats):
        return f"{where}: 'categories' is not a list of distinct names"
    out = p.get("outcomes")
    if out is not None and (not isinstance(out, dict) or set(out) != set(cats)
                            or not all(_is_prob(v) for v in out.values())):
        return f"{where}: 'outcomes' does not give a probability for each category"
    if not _is_prob(p.get("p_held")):
        return f"{where}: 'p_held' is not a probability"
    if not _is_num(p.get("expected_count")) or p["expected_count"] < 0:
        return f"{where}: 'expected_count' is not a number >= 0"
    c80 = p.get("count_80")
    if not isinstance(c80, list) or len(c80) != 2 or not all(_is_int(x) and x >= 0 for x in c80):
        return f"{where}: 'count_80' is not two whole numbers"
    start = p.get("start")
    if start is not None and (not isinstance(start, dict)
                              or not all(isinstance(v, str) and _DAY.match(v) for v in start.values())):
        return f"{where}: 'start' is not dates YYYY-MM-DD"
    parts = p.get("participants")
    if not isinstance(parts, dict) or not all(isinstance(k, str) and _is_prob(v) for k, v in parts.items()):
        return f"{where}: 'participants' is not country -> probability"
    if not isinstance(p.get("known"), str):
        return f"{where}: 'known' is not text"
    pmf = p.get("start_pmf")
    if pmf is not None:
        if not isinstance(pmf, dict) or not _is_int(pmf.get("first_day")) or not isinstance(pmf.get("p"), list):
            return f"{where}: 'start_pmf' is not {{first_day, p}}"
        if not 0 <= pmf["first_day"] or pmf["first_day"] + len(pmf["p"]) > 366 \
                or not all(_is_prob(x) for x in pmf["p"]):
            return f"{where}: 'start_pmf' is not probabilities of days 0-365"
    if (start is None) != (pmf is None):
        return f"{where}: 'start' and 'start_pmf' must both be given or both be null"
    cp = p.get("count_pmf")
    if not isinstance(cp, list) or not cp or len(cp) > 10_000 or not all(_is_prob(x) for x in cp):
        return f"{where}: 'count_pmf' is not a list of probabilities"
    return None


def check_forecast_entry(e: dict) -> str | None:
    """Schema of a forecast entry (what :meth:`drillcast.ledger.Ledger.record` appends)."""
    problem = _common(e)
    if problem:
        return problem
    for k in ("series", "model", "drillcast_version"):
        if not isinstance(e.get(k), str) or not e[k]:
            return f"{k!r} is not a non-empty text"
    if not isinstance(e.get("as_of"), str) or not _DAY.match(e["as_of"]):
        return "'as_of' is not a date YYYY-MM-DD"
    if not isinstance(e.get("replayed"), bool):
        return "'replayed' is not true or false"
    if not _is_int(e.get("year")) or not 1800 <= e["year"] <= 2200:
        return "'year' is not a year from 1800 to 2200"
    if "lead_years" in e and e["lead_years"] is not None and not _is_int(e["lead_years"]):
        return "'lead_years' is not a whole number"
    if not _is_int(e.get("seed")) or not 0 <= e["seed"] < 2**32:
        return "'seed' is not a whole number from 0 to 2**32 - 1"
    if not isinstance(e.get("catalogue_sha256"), str) or not _HEX64.match(e["catalogue_sha256"]):
        return "'catalogue_sha256' is not 64 hexadecimal digits"
    ct = e.get("checked_through")
    if ct is not None and (not isinstance(ct, str) or not _DAY.match(ct)):
        return "'checked_through' is not a date YYYY-MM-DD or null"
    problem = _payload_problem(e.get("forecast"), "'forecast'")
    if problem:
        return problem
    base = e.get("baselines")
    if not isinstance(base, dict):
        return "'baselines' is not an object"
    for name, payload in base.items():
        problem = _payload_problem(payload, f"baseline {name!r}")
        if problem:
            return problem
    return None


register_entry_kind("forecast", check_forecast_entry)
register_entry_kind("question", check_question_entry)  # drillcast ask --record (drillcast.ledger_questions)


# --------------------------------------------------------------------------- the chain


def _canonical(obj) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def entry_sha256(entry: dict) -> str:
    """SHA-256 (hex) of an entry's canonical JSON without its ``sha256`` field."""
    return hashlib.sha256(_canonical({k: v for k, v in entry.items() if k != "sha256"})).hexdigest()


# --------------------------------------------------------------------------- verification


@dataclass(frozen=True)
class LedgerEntryProblem:
    """The first place where a ledger is not intact.

    Attributes
    ----------
    line : int
        1-based line of the ledger file.
    entry : int or None
        The entry expected at that line (entries are numbered from 1, one per line).
    kind : {"incomplete", "blank", "corrupt", "edited", "invalid", "removed", "reordered", "unchained"}
    message : str
    """

    line: int
    entry: int | None
    kind: str
    message: str

    def to_dict(self) -> dict:
        return {"line": self.line, "entry": self.entry, "kind": self.kind, "message": self.message}


@dataclass(frozen=True)
class Verification:
    """Result of :meth:`Ledger.verify`.

    Attributes
    ----------
    path : str
    n_entries : int
        Entries that verify, from the first up to the first problem.
    head_sha256 : str
        ``sha256`` of the last entry that verifies (:data:`GENESIS` for none):
        publish it to make truncation of the ledger detectable.
    problem : LedgerEntryProblem or None
    """

    path: str
    n_entries: int
    head_sha256: str
    problem: LedgerEntryProblem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    def to_dict(self) -> dict:
        return {"path": self.path, "intact": self.ok, "n_entries": self.n_entries,
                "head_sha256": self.head_sha256,
                "problem": self.problem.to_dict() if self.problem else None}

    def text(self) -> str:
        if self.ok:
            return (f"{self.path}: intact: {self.n_entries} entr{'y' if self.n_entries == 1 else 'ies'}, "
                    f"head sha256 {self.head_sha256}")
        return (f"{self.path}:{self.problem.line}: {self.problem.message} "
                f"({self.n_entries} entr{'y' if self.n_entries == 1 else 'ies'} before it verify)")


def _id_later(lines, wanted) -> bool:
    """Whether an entry numbered ``wanted`` appears among ``lines`` (then it was moved, not removed)."""
    return any(isinstance(e, dict) and e.get("id") == wanted for e, _ in map(parse_entry, lines))


def _scan(path: Path, *, missing_ok: bool = True) -> tuple[list[dict], Verification]:
    """Read (bounded, strict JSON) and check the chain and each entry's schema; entries up to the first
    problem, and the verification. A missing file is an empty ledger only with ``missing_ok``."""
    read = read_ledger_lines(path, missing_ok=missing_ok)
    if read is None:
        return [], Verification(str(path), 0, GENESIS)
    lines, complete_tail = read
    entries: list[dict] = []
    prev = GENESIS

    def stop(i, kind, message):
        return entries, Verification(str(path), len(entries), prev, LedgerEntryProblem(i, i, kind, message))

    for i, line in enumerate(lines, 1):
        last = i == len(lines)
        if last and not complete_tail:
            return stop(i, "incomplete", f"entry {i} is incomplete (the last line has no end: an interrupted "
                                         "write); the entries before it are intact: remove this line "
                                         "(drillcast ledger verify --repair) and record again")
        if not line.strip():
            return stop(i, "blank", f"line {i} is blank, not an entry" + (": a line was emptied or inserted" if any(
                x.strip() for x in lines[i:]) else " (added at the end): remove it (drillcast ledger verify --repair)"))
        e, why = parse_entry(line)
        if why is not None:
            return stop(i, "corrupt", f"entry {i} is not a valid ledger line ({why}): the line was edited or damaged")
        if not isinstance(e, dict) or not all(k in e for k in ("id", "sha256", "prev_sha256")):
            return stop(i, "corrupt", f"entry {i} is not a ledger entry (no id, sha256 or prev_sha256)")
        if entry_sha256(e) != e["sha256"]:
            return stop(i, "edited", f"entry {i} was edited after it was recorded: its content no longer "
                                     "matches its sha256")
        why = check_entry(e)
        if why is not None:
            return stop(i, "invalid", f"entry {i} is not a valid ledger entry: {why}")
        if e["id"] != i:
            if _id_later(lines[i:], i):
                return stop(i, "reordered", f"entry {i} is out of place: line {i} holds entry {e['id']} "
                                            "(entries were reordered)")
            return stop(i, "removed", f"entry {i} was removed: line {i} holds entry {e['id']}")
        if e["prev_sha256"] != prev:
            return stop(i, "unchained", f"entry {i} does not follow entry {i - 1}: its prev_sha256 does not "
                                        f"match (entry {i - 1} was replaced, or entries were reordered)")
        entries.append(e)
        prev = e["sha256"]
    return entries, Verification(str(path), len(entries), prev)
