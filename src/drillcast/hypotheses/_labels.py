"""Inputs of the label tests: the known years of a history, outcome codes and categories."""

from __future__ import annotations

import numpy as np

from drillcast.data.catalogue import OTHER
from drillcast.errors import ParameterError
from drillcast.hypotheses.result import HELD


def _known(history):
    """Labels, years and mask of the years whose outcome is known.

    A past year whose only event is still reported as announced has an
    unknown outcome (``history.known`` False); it is left out, and since
    calendar phases are computed from the years, it becomes a gap rather
    than shifting the cycle.
    """
    known = getattr(history, "known", None)
    mask = np.ones(len(history.years), dtype=bool) if known is None else np.asarray(known, dtype=bool)
    labels = [history.categories[i] for i in np.asarray(history.outcomes)[mask]]
    return labels, [int(y) for y in np.asarray(history.years)[mask]], mask


def _codes(labels, categories) -> np.ndarray:
    """Index of each label in ``categories``."""
    index = {c: i for i, c in enumerate(categories)}
    return np.array([index[x] for x in labels], dtype=np.int64)


def _label_inputs(labels, years, categories, none_label, directions=None):
    """Common input handling of the label tests: labels as str, years (default 0..n-1), categories, directions."""
    labels = [str(x) for x in labels]
    years = _label_years(labels, years)
    cats = _label_categories(labels, categories, none_label)
    if directions is None:
        directions = [c for c in cats if c not in (none_label, OTHER, HELD)]
    return labels, years, cats, [str(d) for d in directions]


def _label_categories(labels, categories, none_label) -> list[str]:
    """Outcome categories with ``none`` last (as in SeriesHistory)."""
    if categories is None:
        cats = list(dict.fromkeys(x for x in labels if x != none_label))
    else:
        cats = [str(c) for c in categories if str(c) != none_label]
        unknown = sorted({x for x in labels if x not in cats and x != none_label})
        if unknown:
            raise ParameterError("labels", f"{unknown} are not among the categories {cats + [none_label]}; "
                                           "give categories that include every label")
    return cats + [none_label]


def _label_years(labels, years) -> list[int]:
    """The year of each label (default 0..n-1), as many as there are labels."""
    years = list(range(len(labels))) if years is None else [int(y) for y in years]
    if len(years) != len(labels):
        raise ParameterError("years", f"{len(years)} years given for {len(labels)} labels; give one year per label")
    return years
