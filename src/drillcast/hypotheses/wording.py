"""The English of the readings: p-values, evidence words, the power clause, counts with units."""

from __future__ import annotations

from drillcast._words import p_text  # noqa: F401  (the one p-value format, on the bottom floor)
from drillcast.hypotheses.result import N_CAP, POWER_TARGET

_NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight"}


def _fmt_p(p) -> str:
    """``"p = 0.032"``, ``"p < 0.0001"``: a p-value as the readings print it (:func:`p_text`)."""
    if p is None:
        return "no p-value"
    s = p_text(p)
    return f"p < {s[1:]}" if s.startswith("<") else f"p = {s}"


def _evidence(p: float, alpha: float) -> str:
    """Words for a p-value; never stronger than "weak" when p > alpha."""
    if p > alpha:
        return f"weak evidence, not significant at {alpha:g}" if p < max(0.1, alpha) else "no evidence"
    if p < 0.001:
        return "very strong evidence"
    if p < 0.01:
        return "strong evidence"
    return "some evidence"


def _power_clause(p, alpha, power, n80, n, unit) -> str:
    """What the power says when the test did not reject."""
    if power is None or (p is not None and p <= alpha):
        return ""
    if power >= POWER_TARGET:
        return f" (power {power:.2f} against the stated alternative, so an effect that strong would likely have shown)"
    if n80 is None:
        return (f"; with {_nu(n, unit)} no test can yet tell (power {power:.2f}): more than {N_CAP} more {unit} "
                "would be needed for 80 % power")
    return (f"; with {_nu(n, unit)} the test cannot yet tell (power {power:.2f}): about {max(1, n80 - n)} more "
            f"{unit} would give 80 % power")


def _nu(n: int, unit: str) -> str:
    """``"1 year"``, ``"3 years"``, ``"1 held year"``: a count with its unit, singular when 1."""
    return f"{n} {unit[:-1] if n == 1 and unit.endswith('s') else unit}"


def _number_word(k: int) -> str:
    """``"four"`` for 4 (two to eight in words, other numbers in digits)."""
    return _NUMBER_WORDS.get(k, str(k))


def _bf_words(bf: float) -> str:
    """Kass & Raftery (1995) categories for a Bayes factor in favour of a hypothesis."""
    if bf < 1:
        return "the data favour no pattern over it"
    if bf < 3:
        return "evidence barely worth mentioning"
    if bf < 20:
        return "positive evidence"
    if bf < 150:
        return "strong evidence"
    return "very strong evidence"
