"""How far to trust a forecast: skill against the uniform guess and a confidence level, from the data.

One definition for every place that states them (the report's page 1, ``drillcast outlook``):

- **skill** compares the default model with the uniform guess year by year on the
  one-year-ahead backtest folds (lead 0): the mean log score of each, and in how many
  years the model scored better. A model whose mean log score is no better than the
  uniform guess's has *no skill*: its numbers are a base rate.
- **confidence** starts at high and steps down once for each: fewer than 8 complete
  years (twice below 4); no track record, or no skill; fewer than half of the held
  events rated high source confidence; the series' check (``checked_through``) ending
  more than :data:`STALE_DAYS` days before the as-of date.

Pure functions of plain values: no fitting here.
"""

from __future__ import annotations

import statistics

from drillcast._words import p_text

__all__ = ["STALE_DAYS", "NO_SKILL", "NO_RECORD", "skill_from_folds", "has_skill", "skill_phrase", "skill_short",
           "confidence_level"]

ALPHA = 0.05
"""A skill claim with a paired p-value at or above this says 'not significant' (as the report does)."""

STALE_DAYS = 90
"""A series whose check ends more than this many days before the as-of date has a coverage gap."""

NO_SKILL = "no skill: treat as a base rate"
NO_RECORD = "no track record: treat as a base rate"


def skill_from_folds(folds, series: str, model: str) -> dict | None:
    """``model`` against the uniform guess, year by year, on the lead-0 backtest folds of ``series``.

    Returns
    -------
    dict or None
        ``{"n", "better", "from", "to", "mean", "uniform"}``: years compared, years the
        model scored better, first and last year, and the two mean log scores; None
        when no year has both scores.
    """
    by: dict = {}
    for f in folds:
        if f["series"] == series and f["lead_years"] == 0 and f["model"] in (model, "uniform"):
            by.setdefault(f["year"], {})[f["model"]] = f["scores"]["log_score"]
    pairs = [(y, v[model], v["uniform"]) for y, v in sorted(by.items()) if len(v) == 2]
    if not pairs:
        return None
    import numpy as np

    from drillcast.evaluation.comparison import paired_test

    # The backtest's own test of the same folds (exact sign-flip enumeration up to 20 differing years).
    test = paired_test(np.array([a for _, a, _ in pairs]), np.array([b for _, _, b in pairs]))
    return {"n": len(pairs), "better": sum(a > b for _, a, b in pairs), "from": pairs[0][0], "to": pairs[-1][0],
            "mean": statistics.fmean(a for _, a, _ in pairs), "uniform": statistics.fmean(b for _, _, b in pairs),
            "p": round(float(test.p_value), 4)}


def has_skill(s: dict | None) -> bool:
    """True when the track record ``s`` beats the uniform guess on average."""
    return s is not None and s["mean"] > s["uniform"]


def skill_phrase(s: dict | None) -> str:
    """The track record in plain words, a sentence (no skill is said as such)."""
    if s is None:
        return "No track record yet: too few past years to score a forecast; treat it as a base rate."
    years = f"{s['n']} year{'s' if s['n'] != 1 else ''} ({s['from']}\u2013{s['to']})"
    nums = f"mean log score {s['mean']:.2f} against {s['uniform']:.2f} for the uniform guess"
    if not has_skill(s):
        return (f"No skill: re-run on each of the past {years}, the model scored worse on average than a "
                f"uniform guess ({nums}); treat its forecast as a base rate.")
    return (f"Re-run on each of the past {years}, the model would have scored better than a uniform guess in "
            f"{s['better']} of {s['n']} ({nums}).")


def skill_short(s: dict | None) -> str:
    """The track record in a few words with its paired p-value: 'better than uniform in 12 of 13 years
    (p = 0.0034)', '... in 2 of 2 years (p = 0.5, not significant)', or :data:`NO_SKILL`."""
    if s is None:
        return NO_RECORD
    if not has_skill(s):
        return NO_SKILL
    p = s.get("p")
    if p is None:
        return f"better than uniform in {s['better']} of {s['n']} years"
    text = p_text(p)
    ptext = f"p < {text[1:]}" if text.startswith("<") else f"p = {text}"
    sig = "" if p < ALPHA else ", not significant"
    return f"better than uniform in {s['better']} of {s['n']} years ({ptext}{sig})"


def confidence_level(n_years: int, s: dict | None, held_confidence, gap_days: int) -> tuple[str, list[str]]:
    """(``"high"``/``"medium"``/``"low"``, reasons): how far to trust a forecast, from the data.

    Parameters
    ----------
    n_years : int
        Complete years of history.
    s : dict or None
        :func:`skill_from_folds`.
    held_confidence : iterable of str
        The source confidence (high/medium/low) of each held event used.
    gap_days : int
        Days from the series' ``checked_through`` to the as-of date (0 if none).
    """
    levels = ("high", "medium", "low")
    down, why = 0, []
    if n_years < 4:
        down, why = 2, [f"{n_years} complete year{'s' if n_years != 1 else ''}"]
    elif n_years < 8:
        down, why = 1, [f"{n_years} complete years"]
    if s is None:
        down += 1
        why.append("no track record")
    elif not has_skill(s):
        down += 1
        why.append("no skill over a uniform guess")
    held = list(held_confidence)
    if held:
        share = sum(c == "high" for c in held) / len(held)
        if share < 0.5:
            down += 1
            why.append(f"{100 * share:.0f} % of events high-confidence")
    if gap_days > STALE_DAYS:
        down += 1
        why.append(f"not checked in the last {gap_days} days")
    if not why:
        why.append(f"{n_years} years, skill in {s['better']} of {s['n']}")
    return levels[min(down, 2)], why
