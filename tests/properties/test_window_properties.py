"""Property-based tests (Hypothesis) of questions about windows of dates (``analysis.ask``, ``add_months``).

Every window is answered from the same draws, so a window inside another never gets the higher
probability, more events needed never gets the higher probability, and adding a condition
(direction, participant) never raises it. ``add_months`` is checked against a day-by-day count.
"""

from __future__ import annotations

import calendar
import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from drillcast import analysis
from drillcast.data.catalogue import load_catalogue
from drillcast.outlook import add_months

SMALL = settings(max_examples=20, deadline=None, derandomize=True)
AS_OF = dt.date(2026, 12, 7)
CAT = load_catalogue()

in_span = st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2029, 12, 31))


@SMALL
@given(st.lists(in_span, min_size=4, max_size=4, unique=True), st.sampled_from(["russia-strategic",
                                                                                 "joint-air-patrol"]),
       st.integers(1, 2))
def test_a_window_inside_another_never_has_the_higher_probability(days, sid, k):
    a, b, c, d = sorted(days)
    outer = analysis.ask(CAT, sid, start=a, end=d, at_least=k, as_of=AS_OF)
    inner = analysis.ask(CAT, sid, start=b, end=c, at_least=k, as_of=AS_OF)
    more = analysis.ask(CAT, sid, start=b, end=c, at_least=k + 1, as_of=AS_OF)
    assert more.probability <= inner.probability <= outer.probability


@SMALL
@given(in_span, in_span, st.sampled_from(["zapad", "vostok", "tsentr", "kavkaz"]))
def test_a_condition_never_raises_the_probability(x, y, direction):
    a, b = min(x, y), max(x, y)
    p = analysis.ask(CAT, "russia-strategic", start=a, end=b, as_of=AS_OF).probability
    pd = analysis.ask(CAT, "russia-strategic", start=a, end=b, direction=direction, as_of=AS_OF).probability
    pdc = analysis.ask(CAT, "russia-strategic", start=a, end=b, direction=direction, participants=["CHN"],
                       as_of=AS_OF).probability
    assert pdc <= pd <= p


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)), st.integers(0, 40))
def test_add_months_by_counting_month_ends(day, months):
    # day by day: step to the first of the next month `months` times, then clamp the day
    y, m = day.year, day.month
    for _ in range(months):
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    want = dt.date(y, m, min(day.day, calendar.monthrange(y, m)[1]))
    assert add_months(day, months) == want
