"""Numerical robustness: odd but legal catalogues give finite, warning-free output."""

from __future__ import annotations

import datetime as dt
import json
import math

import pytest

from drillcast.evaluation.backtest import backtest
from drillcast.data.catalogue import load_catalogue
from drillcast.forecasting import forecast
from drillcast.data.history import series_history

from .conftest import REC_SERIES, ROT_SERIES, cycle_events, write_catalogue

D = dt.date


def _finite(obj):
    """Every number in a JSON-ready structure is finite (json with allow_nan=False proves it)."""
    json.dumps(obj, allow_nan=False)
    return True


def _all_models_ok(cat, sid, as_of):
    """Forecast with every model; all finite; return the default model's forecast."""
    out = {}
    for model in ("ensemble", "calendar", "changepoint", "markov", "climatology", "strict-rotation", "persistence",
                  "uniform"):
        out[model] = forecast(cat.as_of(as_of), sid, model=model, horizon=3, seed=0)
        assert _finite(out[model].to_dict())
    return out["ensemble"]


def test_series_with_one_event(tmp_path):
    cat = load_catalogue(write_catalogue(tmp_path, cycle_events(2010, 2010), [ROT_SERIES, REC_SERIES]))
    fc = _all_models_ok(cat, "rot", D(2015, 1, 1))
    assert fc.status == "insufficient_data"


def test_all_events_on_the_same_day(tmp_path):
    cat = load_catalogue(write_catalogue(tmp_path, cycle_events(2000, 2020, start="09-15"), [ROT_SERIES, REC_SERIES]))
    fc = _all_models_ok(cat, "rot", D(2021, 1, 1))
    y = fc.years[0]
    assert y.start["q10"] <= "2021-09-15" <= y.start["q90"]


def test_29_february(tmp_path):
    ev = [{"id": f"L-{y}", "series": "rec", "start_date": f"{y}-02-29" if y % 4 == 0 else f"{y}-02-28"}
          for y in range(1996, 2021)]
    cat = load_catalogue(write_catalogue(tmp_path, ev, [ROT_SERIES, REC_SERIES]))
    fc = _all_models_ok(cat, "rec", D(2023, 1, 1))
    for y in fc.years:
        assert dt.date.fromisoformat(y.start["median"]).month in (2, 3)
        dt.date.fromisoformat(y.start["q975"])  # a real date in leap and common years


def test_exercise_crossing_the_new_year(tmp_path):
    ev = [{"id": f"N-{y}", "series": "rec", "start_date": f"{y}-12-28", "end_date": f"{y + 1}-01-05"}
          for y in range(2000, 2020)]
    cat = load_catalogue(write_catalogue(tmp_path, ev, [ROT_SERIES, REC_SERIES]))
    h = series_history(cat.as_of(D(2020, 6, 1)), "rec")
    assert h.counts.sum() == 20 and set(h.start_lo[h.counts > 0]) == {361, 362}
    _all_models_ok(cat, "rec", D(2020, 6, 1))


def test_several_events_of_a_rotating_series_in_one_year(tmp_path):
    ev = cycle_events(2000, 2015) + [{"id": "X-2010B", "series": "rot", "direction": "d", "start_date": "2010-03-01"},
                                      {"id": "X-2010C", "series": "rot", "direction": "b", "start_date": "2010-11-01"}]
    cat = load_catalogue(write_catalogue(tmp_path, ev, [ROT_SERIES, REC_SERIES]), warn=False)
    h = series_history(cat.as_of(D(2016, 1, 1)), "rot")
    i = list(h.years).index(2010)
    assert h.counts[i] == 3 and h.categories[h.outcomes[i]] == "d"  # the year's first event
    _all_models_ok(cat, "rot", D(2016, 1, 1))


def test_century_long_catalogue(tmp_path):
    cat = load_catalogue(write_catalogue(tmp_path, cycle_events(1900, 2019), [ROT_SERIES, REC_SERIES]))
    fc = _all_models_ok(cat, "rot", D(2020, 1, 1))
    assert fc.years[0].outcomes["a"] > 0.8  # 2020 continues the 120-year cycle
    res = backtest(cat, "rot", models=["calendar", "uniform"], cutoffs=[D(1950, 1, 1), D(2000, 1, 1)],
                   truth_as_of=D(2020, 1, 1))
    assert _finite(res.to_dict())
    assert all(math.isfinite(f["scores"]["log_score"]) for f in res.folds)


@pytest.mark.parametrize("sid", ["russia-strategic", "joint-air-patrol", "china-russia-interaction", "peace-mission"])
def test_bundled_series_finite_at_many_dates(bundled, sid):
    for as_of in (D(2005, 6, 1), D(2012, 1, 1), D(2019, 7, 23), D(2023, 8, 28), D(2026, 2, 28)):
        fc = forecast(bundled.as_of(as_of), sid, horizon=3)
        assert _finite(fc.to_dict())
