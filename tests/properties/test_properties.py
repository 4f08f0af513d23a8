"""Property-based tests (Hypothesis) with a bounded budget: the CSV reader, the date parser, the
as-of snapshot, the scores and the forecast invariants."""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io

import numpy as np
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from drillcast.evaluation import scoring
from drillcast.data.catalogue import EXERCISE_COLUMNS, load_catalogue
from drillcast.data.dates import parse_partial_date
from drillcast.forecasting import forecast

from ..conftest import codebook_known_from

BUDGET = settings(max_examples=60, deadline=None, derandomize=True,
                  suppress_health_check=[HealthCheck.function_scoped_fixture])
SMALL = settings(max_examples=25, deadline=None, derandomize=True,
                 suppress_health_check=[HealthCheck.function_scoped_fixture])

days = st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2040, 12, 31))


@st.composite
def partial_dates(draw):
    d = draw(days)
    prec = draw(st.sampled_from(["day", "month", "year"]))
    return {"day": d.isoformat(), "month": d.isoformat()[:7], "year": d.isoformat()[:4]}[prec], d, prec


@BUDGET
@given(partial_dates())
def test_date_parser_round_trip_and_interval(pd):
    text, d, prec = pd
    p = parse_partial_date(text)
    assert p.text == text and p.precision == prec and p.low <= d <= p.high
    if prec == "month":
        assert p.high.day == calendar.monthrange(d.year, d.month)[1]
    assert parse_partial_date(p.text) == p


@BUDGET
@given(st.text(max_size=12))
def test_date_parser_accepts_or_explains(text):
    try:
        p = parse_partial_date(text)
    except ValueError as exc:
        assert str(exc)
    else:
        assert p.low <= p.high


safe_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"),
                    max_size=30)


@st.composite
def catalogues(draw):
    n = draw(st.integers(1, 25))
    rows = []
    for i in range(n):
        start = draw(days)
        prec = draw(st.sampled_from(["day", "month", "year"]))
        s_text = {"day": start.isoformat(), "month": start.isoformat()[:7], "year": str(start.year)}[prec]
        status = draw(st.sampled_from(["held", "held", "cancelled", "announced", "postponed"]))
        fr = draw(st.one_of(st.just(""), days.map(lambda d: d.isoformat())))
        sr = draw(days).isoformat() if status in ("cancelled", "postponed") and draw(st.booleans()) else ""
        rows.append({"id": f"E{i}", "name": draw(safe_text), "series": draw(st.sampled_from(["s", "t"])),
                     "start_date": s_text, "status": status, "first_reported": fr, "status_reported": sr,
                     "sources": "https://example.org/x", "confidence": "low", "notes": draw(safe_text)})
    return rows


def _write(folder, rows, checked_through=None):
    """Write ``rows`` as exercises.csv; with ``checked_through``, also a series.csv declaring series 's'
    (rotating a;b;c) checked through that date, so coverage does not depend on which rows are kept."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=EXERCISE_COLUMNS, lineterminator="\r\n")
    w.writeheader()
    w.writerows(rows)
    path = folder / "exercises.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    if checked_through is not None:
        (folder / "series.csv").write_text(
            "id,name,kind,directions,checked_through\n"
            f"s,S,rotating,a;b;c,{checked_through.isoformat()}\n", encoding="utf-8")
    return path


@SMALL
@given(rows=catalogues())
def test_csv_reader_round_trips_any_text(tmp_path_factory, rows):
    path = _write(tmp_path_factory.mktemp("c"), rows)
    cat = load_catalogue(path, warn=False)
    got = {r["id"]: r for r in cat.to_records()}
    for r in rows:
        assert got[r["id"]]["name"] == r["name"].strip() and got[r["id"]]["notes"] == r["notes"].strip()


@SMALL
@given(rows=catalogues(), when=days, later=days)
def test_as_of_snapshot_rules(tmp_path_factory, rows, when, later):
    cat = load_catalogue(_write(tmp_path_factory.mktemp("c"), rows), warn=False)
    snap = cat.as_of(when)
    full = {r["id"]: r for r in cat.records}
    # existence (data/README.md §4 rule 1), recomputed from the written text: exactly the events known by then
    assert {r["id"] for r in snap.records} == {r["id"] for r in rows if codebook_known_from(r) <= when}
    for r in snap.records:
        if r["status"] == "held":
            assert full[r["id"]]["start"].high <= when
        if r["status"] in ("cancelled", "postponed"):
            assert full[r["id"]]["status"] == r["status"]
        assert r["end"] is None or r["end"].high <= when
    # knowledge only grows: what is known on an earlier date is known later
    a, b = sorted([when, later])
    assert {r["id"] for r in cat.as_of(a).records} <= {r["id"] for r in cat.as_of(b).records}
    # a snapshot of a snapshot at the same date changes nothing
    assert cat.as_of(when).as_of(when).records == snap.records


probs_rows = st.integers(2, 6).flatmap(
    lambda k: st.lists(st.lists(st.floats(0.001, 1.0), min_size=k, max_size=k), min_size=1, max_size=8))


@BUDGET
@given(probs_rows, st.data())
def test_scores_bounded_and_perfect_is_best(rows, data):
    p = np.array(rows)
    p /= p.sum(axis=1, keepdims=True)
    obs = np.array([data.draw(st.integers(0, p.shape[1] - 1)) for _ in range(len(p))])
    ls, _ = scoring.log_score(p, obs)
    br = scoring.brier_score(p, obs)
    rps = scoring.ranked_probability_score(p, obs)
    perfect = np.eye(p.shape[1])[obs]
    assert np.all(ls <= 0) and np.all((0 <= br) & (br <= 2)) and np.all(rps >= 0)
    assert np.all(scoring.brier_score(perfect, obs) == 0) and np.all(scoring.log_score(perfect, obs)[0] == 0)
    assert np.all(scoring.ranked_probability_score(perfect, obs) <= rps + 1e-12)


@st.composite
def histories(draw):
    n = draw(st.integers(1, 30))
    first = draw(st.integers(1950, 2010))
    rows = []
    for i in range(n):
        y = first + draw(st.integers(0, 25))
        day = draw(st.integers(0, 364))
        start = dt.date(y, 1, 1) + dt.timedelta(days=day)
        rows.append({"id": f"E{i}", "name": "x", "series": "s",
                     "direction": draw(st.sampled_from(["a", "b", "c", "other"])),
                     "start_date": start.isoformat() if draw(st.booleans()) else start.isoformat()[:7],
                     "status": "held", "sources": "https://example.org/x", "confidence": "low"})
    return rows, draw(days.filter(lambda d: d.year >= 1951))


@SMALL
@given(h=histories(), model=st.sampled_from(["ensemble", "calendar", "markov", "climatology", "strict-rotation", "pooled"]))
def test_forecast_invariants_and_no_peeking(tmp_path_factory, h, model):
    rows, as_of = h
    checked = dt.date(2099, 12, 31)  # the catalogue is complete: absence is evidence up to the as-of date
    cat = load_catalogue(_write(tmp_path_factory.mktemp("f"), rows, checked), warn=False)
    sid = "s"
    fc = forecast(cat.as_of(as_of), sid, model=model, horizon=2, seed=1)
    for y in fc.years:
        if y.outcomes:
            assert abs(sum(y.outcomes.values()) - 1) < 1e-9 and min(y.outcomes.values()) >= 0
        assert 0 <= y.p_held <= 1
        if y.start:
            q = [y.start[k] for k in ("q025", "q10", "q25", "median", "q75", "q90", "q975")]
            assert q == sorted(q)
            if y.year == as_of.year and not y.settled:
                assert q[0] > as_of.isoformat()
    # no peeking: removing the events started after the as-of date changes nothing
    kept = [r for r in rows if parse_partial_date(r["start_date"]).high <= as_of]
    event("kept some rows" if kept else "kept no row")
    if kept:
        cat2 = load_catalogue(_write(tmp_path_factory.mktemp("g"), kept, checked), warn=False)
        assert forecast(cat2.as_of(as_of), sid, model=model, horizon=2, seed=1).to_dict() == fc.to_dict()


@SMALL
@given(h=histories())
def test_coverage_gap_starts_only_ruled_out_up_to_the_check(tmp_path_factory, h):
    """With the catalogue checked through an earlier date than the as-of date, a start between the two
    is still possible: the current year's start quantiles only have to come after the check date,
    and the forecast says why."""
    rows, as_of = h
    checked = as_of - dt.timedelta(days=60)
    kept = [r for r in rows if parse_partial_date(r["start_date"]).high <= checked]
    assume(kept)
    cat = load_catalogue(_write(tmp_path_factory.mktemp("c"), kept, checked), warn=False)
    fc = forecast(cat.as_of(as_of), "s", model="climatology", horizon=1, seed=1)
    y = fc.years[0] if fc.years else None
    assume(y is not None and y.start and not y.settled)
    event("checked in the as-of year" if checked.year == as_of.year else "checked in an earlier year")
    if checked.year == as_of.year:
        assert y.start["q025"] > checked.isoformat()
    assert "not checked after" in y.known
