"""Words for numbers, shared by every layer (standard library only): plurals, articles, p-values."""

from __future__ import annotations

__all__ = ["plural", "article", "p_text"]

_IRREGULAR = {"series": "series", "analysis": "analyses", "country": "countries", "entry": "entries",
              "query": "queries", "day": "days", "year": "years"}


def plural(n: int, noun: str, plural_form: str | None = None) -> str:
    """``'1 event'``, ``'0 events'``, ``'2 series'``: the count and the noun in the right number.

    Examples
    --------
    >>> plural(1, "year"), plural(2, "year"), plural(0, "series"), plural(3, "entry")
    ('1 year', '2 years', '0 series', '3 entries')
    """
    if n == 1:
        return f"{n} {noun}"
    if plural_form is None:
        last = noun.split()[-1]
        many = _IRREGULAR.get(last)
        if many is None:
            many = last + ("es" if last.endswith(("s", "x", "ch", "sh")) else "s")
        plural_form = noun[: len(noun) - len(last)] + many
    return f"{n} {plural_form}"


def article(word: str) -> str:
    """``'an exercises file'`` / ``'a series'``: the indefinite article by the first letter's sound
    (vowel letters; good enough for the words drillcast prints)."""
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word


def p_text(p) -> str:
    """A p-value as drillcast prints it everywhere (tables, readings, report): ``"0.032"``,
    ``"0.0004"``, ``"<0.0001"``, and ``"-"`` when there is none."""
    if p is None or p != p:
        return "-"
    p = float(p)
    if p < 1e-4:
        return "<0.0001"
    if p < 0.001:
        return f"{p:.1g}"
    return f"{p:.2g}"
