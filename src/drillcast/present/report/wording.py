"""Words for numbers: ICD 203 terms, judgment sentences, escaping catalogue text for paragraphs.

Nothing here imports numpy, matplotlib or reportlab.
"""

from __future__ import annotations

import datetime as _dt
import re
from xml.sax.saxutils import escape as _xml_escape

from drillcast.present.text import pct, safe_text

SECTIONS = ("judgments", "history", "forecast", "track_record", "hypotheses", "methods", "limitations",
            "appendix", "reproducibility")
"""Selectable parts of the report (the bottom line on page 1 is always there)."""

ANNEX = ("hypotheses", "methods", "limitations", "appendix", "reproducibility")
"""Sections that go to the annex (``annex=False`` leaves them out)."""

SECTION_TITLES = {
    "judgments": "Key judgments", "history": "History", "forecast": "Forecast by calendar year",
    "track_record": "Track record", "hypotheses": "Hypothesis tests", "methods": "Methods",
    "limitations": "Limitations", "appendix": "Data appendix", "reproducibility": "Reproducibility",
}

ICD203_SCALE = (
    ("almost no chance", 0.01, 0.05),
    ("very unlikely", 0.05, 0.20),
    ("unlikely", 0.20, 0.45),
    ("roughly even chance", 0.45, 0.55),
    ("likely", 0.55, 0.80),
    ("very likely", 0.80, 0.95),
    ("almost certain", 0.95, 0.99),
)
"""The expressions of likelihood of ICD 203 (2015, section D.6.e.2.a) and their ranges."""

ALPHA = 0.05
CORRECTION = "holm"

# --------------------------------------------------------------------------- words for numbers


def icd203_term(p: float) -> str:
    """The ICD 203 expression of likelihood for probability ``p``.

    The probability is first rounded to the whole per cent the report prints
    next to the term, so words and number always agree. Bands: below 5 %
    "almost no chance", 5 % up to (excluding) 20 % "very unlikely", 20 % up
    to (excluding) 45 % "unlikely", 45 % to 55 % inclusive "roughly even
    chance", above 55 % up to 80 % "likely", above 80 % up to 95 % "very
    likely", above 95 % "almost certain". The bands mirror each other:
    ``icd203_term(1 - p)`` is the opposite of ``icd203_term(p)``.

    ICD 203 stops at 1 % and 99 %. Below 1 % the term is still "almost no
    chance" and above 99 % "almost certain"; the report then shows the
    number as "<1 %" or ">99 %" beside it, never a false 0 or 100 %.

    Raises
    ------
    ValueError
        If ``p`` is not a number in [0, 1].

    Examples
    --------
    >>> icd203_term(0.62), icd203_term(0.5), icd203_term(0.2), icd203_term(0.004)
    ('likely', 'roughly even chance', 'unlikely', 'almost no chance')
    """
    try:
        x = float(p)
    except (TypeError, ValueError):
        raise ValueError(f"icd203_term: {p!r} is not a probability; give a number in [0, 1]") from None
    if not 0.0 <= x <= 1.0:  # also catches NaN
        raise ValueError(f"icd203_term: {p!r} is not a probability; give a number in [0, 1]")
    pc = round(100 * x)
    if pc < 5:
        return "almost no chance"
    if pc < 20:
        return "very unlikely"
    if pc < 45:
        return "unlikely"
    if pc <= 55:
        return "roughly even chance"
    if pc <= 80:
        return "likely"
    if pc <= 95:
        return "very likely"
    return "almost certain"


def icd203_phrase(p: float) -> str:
    """``"likely (62 %)"``: the ICD 203 term with the number as the report prints it."""
    return f"{icd203_term(p)} ({pct(p)})"


def _that(p: float) -> str:
    """'it is likely (62 %) that' / 'there is a roughly even chance (50 %) that'."""
    term = icd203_term(p)
    if term in ("roughly even chance", "almost no chance"):
        art = "a " if term == "roughly even chance" else ""
        return f"there is {art}{term} ({pct(p)}) that"
    return f"it is {term} ({pct(p)}) that"


def format_p(p) -> str:
    """A p-value as drillcast prints it everywhere (:func:`drillcast.hypotheses.wording.p_text`), with a
    dash when there is none."""
    from drillcast.hypotheses.wording import p_text

    s = p_text(p)
    return "\u2013" if s == "-" else s


_COUNTRIES = {
    "CHN": "China", "RUS": "Russia", "BLR": "Belarus", "IRN": "Iran", "IND": "India", "KAZ": "Kazakhstan",
    "KGZ": "Kyrgyzstan", "TJK": "Tajikistan", "UZB": "Uzbekistan", "PAK": "Pakistan", "MNG": "Mongolia",
    "ARM": "Armenia", "AZE": "Azerbaijan", "TKM": "Turkmenistan", "PRK": "North Korea", "USA": "the United States",
    "ZAF": "South Africa", "IDN": "Indonesia", "EGY": "Egypt", "MMR": "Myanmar", "LAO": "Laos", "VNM": "Vietnam",
    "THA": "Thailand", "SRB": "Serbia",
}


def country(code: str) -> str:
    return _COUNTRIES.get(code, safe_text(code))


def part_of_month(iso: str, short: bool = False) -> str:
    """'mid-September' ('mid-Sep' when ``short``): the third of the month a date falls in."""
    d = _dt.date.fromisoformat(iso)
    part = "early" if d.day <= 10 else ("mid" if d.day <= 20 else "late")
    return f"{part}-{d.strftime('%b' if short else '%B')}"


def day_month(iso: str) -> str:
    d = _dt.date.fromisoformat(iso)
    return f"{d.day} {d.strftime('%b')}"


def _interval(start: dict) -> str:
    a, b = _dt.date.fromisoformat(start["q10"]), _dt.date.fromisoformat(start["q90"])
    if a.month == b.month:
        return f"{a.day}\u2013{b.day} {b.strftime('%b')}"
    return f"{day_month(start['q10'])} \u2013 {day_month(start['q90'])}"


def label_text(label: str) -> str:
    return safe_text(label).capitalize()


def judgment_sentences(forecast, series_info=None) -> list[str]:
    """Each year of ``forecast`` in words and numbers, as plain text (the report escapes it).

    Rotating series: the most likely outcome with its ICD 203 term and
    probability, the start (given it is held) as part of a month and its 80 %
    interval, and the runner-up. Recurring series: the probability that at
    least one event is held, the expected count and the start. The first
    year adds each regular participant's probability of taking part, and
    known facts (an announcement, an exercise already held) are quoted.

    Examples
    --------
    A 2027 forecast of 62 % Zapad, median start 15 September and 80 %
    interval 8-22 September reads ``"2027: it is likely (62 %) that the
    exercise will be Zapad, starting mid-September if held (80 %: 8–22 Sep);
    next most likely Vostok (20 %)."``
    """
    fc = forecast
    if not fc.ok:
        return [f"No forecast: {safe_text(fc.reason)}."]
    multi = bool(series_info is not None and series_info.multi_event)
    out = []
    for i, y in enumerate(fc.years):
        if fc.kind == "rotating" and y.outcomes:
            ranked = sorted(y.outcomes.items(), key=lambda kv: (-kv[1], list(fc.categories).index(kv[0])))
            (lab, p), (lab2, p2) = ranked[0], ranked[1]

            def name(label):
                return {"none": "no exercise", "other": "another exercise ('other')"}.get(label, label_text(label))

            when = ""
            if y.start and y.p_held >= 0.05:
                when = f", starting {part_of_month(y.start['median'])} if held (80 %: {_interval(y.start)})"
            if round(100 * p) >= 45 and lab == "none":
                s = (f"{y.year}: {_that(p)} no exercise of the series will be held; "
                     f"next most likely {name(lab2)} ({pct(p2)}).")
            elif round(100 * p) >= 45:
                what = ("an exercise outside the named rotation ('other')" if lab == "other"
                        else label_text(lab))
                s = (f"{y.year}: {_that(p)} the exercise will be {what}{when}; "
                     f"next most likely {name(lab2)} ({pct(p2)}).")
            else:
                top = ", ".join(f"{name(lb)} {pct(v)}" for lb, v in ranked[:3])
                s = (f"{y.year}: {_that(y.p_held)} an exercise of the series will be held{when}, but no single "
                     f"outcome is likely: {top}.")
        else:
            noun = "at least one event" if multi else "the exercise"
            s = f"{y.year}: {_that(y.p_held)} {noun} will be held"
            if multi:
                lo, hi = y.count_interval
                s += f" (expected {y.expected_count:.1f} events; 80 %: {lo}\u2013{hi})"
            if y.start and y.p_held >= 0.05:
                first = "the first starting" if multi else "starting"
                s += f", {first} {part_of_month(y.start['median'])} if held (80 %: {_interval(y.start)})"
            s += "."
        if i == 0 and y.participants:
            parts = [f"{country(c)} {icd203_phrase(v)}" for c, v in sorted(y.participants.items())]
            s += " Taking part: " + "; ".join(parts) + "."
        if y.known:
            s += f" Basis: {safe_text(y.known)}."
        out.append(s)
    return out



def esc(s) -> str:
    """Catalogue (or any) text as literal paragraph text: control characters visible, markup escaped."""
    return _xml_escape(safe_text(s), {'"': "&quot;"})


def link(url: str) -> str:
    if re.match(r"^https?://", url or ""):
        return f'<a href="{esc(url)}" color="#0B5394">{esc(url)}</a>'
    return esc(url)



_TERMS = "|".join(re.escape(t) for t, _, _ in sorted(ICD203_SCALE, key=lambda x: -len(x[0])))


def emphasise(xml: str) -> str:
    """Bold the leading year and the first ICD 203 phrase of an (escaped) judgment sentence."""
    xml = re.sub(r"^(\d{4}):", r"<b>\1:</b>", xml).replace(" %", "\u00a0%")
    return re.sub(rf"((?:a )?(?:{_TERMS}) \((?:&lt;|&gt;)?\d+\u00a0%\))", r"<b>\1</b>", xml, count=1)


def count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


