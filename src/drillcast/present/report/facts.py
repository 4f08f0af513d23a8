"""Facts, skill and confidence: what every part of the report says the same way.

Wording rules:

- an event the snapshot records as held is a fact: it is stated with its
  dates and the source that reports it held (:func:`.evidence.held_source`),
  never with an estimative word or a percentage; a fact whose sources the
  catalogue rates low says "reported held by low-confidence sources only";
- a skill claim ("better than a uniform guess in k of n years") carries the
  paired permutation p-value of the backtest and says "not significant" when
  it is not; a model with no skill is said to be a base rate wherever its
  estimate appears;
- the confidence level (high / medium / low) is separate from the
  probability and comes from the data: sample size, track record, source
  confidence of the events used and the coverage gap (a series whose check
  ends more than :data:`STALE_DAYS` days before the as-of date).
"""

from __future__ import annotations

from drillcast.evaluation.confidence import STALE_DAYS  # noqa: F401  (the one definition, used by the report)
from drillcast.present.report.evidence import held_source, host
from drillcast.present.report.wording import day_month, esc, format_p

from drillcast.evaluation.confidence import ALPHA as ALPHA_SKILL  # noqa: E402  (one threshold)


def short_name(name: str) -> str:
    """A series name without its parenthesis or alternative name: 'Joint Sea / Morskoye ...' -> 'Joint Sea'."""
    return name.split(" (")[0].split(" / ")[0].strip() or name


def held_events(r, year: int) -> list:
    """Primary events of ``year`` the snapshot records as held (facts as known on the as-of date)."""
    return [e for e in r.events if e["status"] == "held" and e["primary"] and e["start"].year == year]


def checked_through(r):
    """The date the catalogue's search for this series ends (its ``checked_through``), as known on the as-of date."""
    return r.snapshot.checked_through(r.sid) if r.snapshot is not None else None


def coverage_gap(r, as_of) -> int:
    """Days between the end of the catalogue's check of the series and ``as_of``; 0 if none."""
    ct = checked_through(r)
    return max(0, (as_of - ct).days) if ct is not None else 0


def skill(r) -> dict | None:
    """Default model against the uniform guess, year by year, from the report's one backtest.

    :func:`drillcast.evaluation.confidence.skill_from_folds` plus ``p``, the paired
    sign-flip permutation p-value of the mean log-score difference (the backtest's own
    test, ``vs_baselines``), and ``status``: ``"skill"``, ``"not significant"`` or
    ``"no skill"``.
    """
    from drillcast.evaluation.confidence import has_skill, skill_from_folds

    if r.backtest is None or not r.forecast.ok:
        return None
    s = skill_from_folds(r.backtest.folds, r.sid, r.forecast.model)
    if s is None:
        return None
    summ = next((x for x in getattr(r.backtest, "summary", ()) or ()
                 if x["series"] == r.sid and x["model"] == r.forecast.model), None)
    p = (((summ or {}).get("vs_baselines") or {}).get("uniform") or {}).get("p_value")
    status = "no skill" if not has_skill(s) else ("skill" if p is not None and p < ALPHA_SKILL else "not significant")
    return dict(s, p=p, status=status)


def _p(s) -> str:
    return "" if s["p"] is None else f"p = {format_p(s['p'])}" if format_p(s["p"])[0] not in "<>" else \
        f"p {format_p(s['p'])}"


def skill_phrase(r) -> str:
    """The track record in plain words, with its p-value (no skill is said as such)."""
    s = skill(r)
    if s is None:
        return "No track record yet: too few past years to score a forecast; treat it as a base rate."
    years = f"{s['n']} year{'s' if s['n'] != 1 else ''} ({s['from']}\u2013{s['to']})"
    nums = f"mean log score {s['mean']:.2f} against {s['uniform']:.2f} for the uniform guess"
    if s["status"] == "no skill":
        return (f"No skill: re-run on each of the past {years}, the model scored worse on average than a "
                f"uniform guess ({nums}); treat its forecast as a base rate.")
    sig = "" if s["status"] == "skill" else ", not significant"
    tail = f"; {_p(s)}{sig}" if s["p"] is not None else sig
    return (f"Re-run on each of the past {years}, the model would have scored better than a uniform guess in "
            f"{s['better']} of {s['n']} ({nums}{tail}).")


def skill_cell(r, short=False) -> str:
    """The track record in a few words: 'better in 12 of 13 years (p = 0.0034)', 'no skill: base rate'."""
    s = skill(r)
    if s is None:
        return "no track record: base rate"
    if s["status"] == "no skill":
        return "no skill: base rate"
    sig = "" if s["status"] == "skill" else ", not significant"
    if short:
        return f"skill {s['better']}/{s['n']} years, {_p(s)}{sig}"
    return f"better in {s['better']} of {s['n']} years ({_p(s)}{sig})"


def confidence(r, as_of) -> tuple[str, list[str]]:
    """(``"high"``/``"medium"``/``"low"``, reasons): how far to trust the forecast, from the data
    (:func:`drillcast.evaluation.confidence.confidence_level`, the one definition)."""
    from drillcast.evaluation.confidence import confidence_level

    return confidence_level(r.history.n_years, skill(r), [e["confidence"] for e in r.events if e["status"] == "held"],
                            coverage_gap(r, as_of))


def when(e) -> str:
    """An event's dates as the catalogue gives them, days shown as '12 Sep'."""
    def one(d):
        return day_month(d.low.isoformat()) if d.precision == "day" else d.text
    a = one(e["start"])
    b = one(e["end"]) if e["end"] is not None else ""
    return a if not b or b == a else f"{a}\u2013{b}"


def cite(url: str, conf: str | None = None) -> str:
    """A source as a link named by its host, with the catalogue's confidence in it."""
    if not url.startswith(("http://", "https://")):
        return esc(url)
    tail = f", {esc(conf)} confidence" if conf else ""
    return f'<a href="{esc(url)}" color="#0B5394">{esc(host(url))}</a>{tail}'


def fact(events, short=False) -> str:
    """Held events as facts: name (unless ``short``), dates and the source that reports them held.

    The source's confidence is shown; a fact resting only on low-confidence
    sources says so in words.
    """
    parts = []
    for e in events:
        what = "" if short else f" {esc(e['name'])},"
        verb = "reported held by low-confidence sources only" if e["confidence"] == "low" else "held"
        parts.append(f"<b>{verb}</b>{what} {esc(when(e))} ({cite(held_source(e), e['confidence'])})")
    return "; ".join(parts)
