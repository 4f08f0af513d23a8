"""Plain-text rendering for the terminal: aligned tables, percentages, safe text.

Text taken from a catalogue is shown, never interpreted: control and
formatting characters (ANSI escapes, carriage returns, bidi overrides) are
replaced by visible ``\\xNN`` / ``\\uNNNN`` escapes.
"""

from __future__ import annotations

import datetime as _dt

from drillcast._safe import safe_lines, safe_text

__all__ = ["safe_text", "safe_lines", "table", "pct", "start_phrase"]


def table(headers, rows, align=None) -> str:
    """An aligned plain-text table (``align``: string of 'l'/'r' per column)."""
    headers = [safe_text(h) for h in headers]
    rows = [[safe_text(c) for c in r] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    align = align or "l" + "r" * (len(headers) - 1)

    def fmt(cells):
        return "  ".join(c.ljust(w) if a == "l" else c.rjust(w) for c, w, a in zip(cells, widths, align)).rstrip()

    lines = [fmt(headers), "  ".join("-" * w for w in widths)]
    lines += [fmt(r) for r in rows]
    return "\n".join(lines)


def pct(p) -> str:
    """Probability as a percentage: '<1 %' and '>99 %' at the ends, never a false 0 or 100."""
    if p is None:
        return "-"
    if p <= 0:
        return "0 %"
    if p >= 1:
        return "100 %"
    if p < 0.005:
        return "<1 %"
    if p > 0.995:
        return ">99 %"
    return f"{100 * p:.0f} %"


def _day(iso: str) -> str:
    d = _dt.date.fromisoformat(iso)
    return f"{d.day} {d.strftime('%b')}"


def start_phrase(start: dict | None) -> str:
    """``'12 Sep (3-19 Sep, 80 %)'`` from a dict of ISO quantiles."""
    if not start:
        return "-"
    lo, hi = _dt.date.fromisoformat(start["q10"]), _dt.date.fromisoformat(start["q90"])
    if lo.month == hi.month:
        rng = f"{lo.day}-{hi.day} {hi.strftime('%b')}"
    else:
        rng = f"{_day(start['q10'])} - {_day(start['q90'])}"
    return f"{_day(start['median'])} ({rng}, 80 %)"
