"""``analysis.outlook`` and ``analysis.ask``: windows after the as-of date from joint draws of whole calendars.

References are the yearly forecast (``analysis.forecast``: exact marginals), hand-worked
calendar arithmetic, and the catalogue's own rows.
"""

from __future__ import annotations

import datetime as dt

import pytest

from drillcast import analysis
from drillcast.errors import ParameterError
from drillcast.outlook import add_months

D = dt.date
TODAY = D(2026, 12, 7)
JAN1 = D(2026, 1, 1)


@pytest.fixture(scope="module")
def cat():
    from drillcast.data.catalogue import load_catalogue

    return load_catalogue()


@pytest.fixture(scope="module")
def late(cat):
    return analysis.outlook(cat, as_of=TODAY)


@pytest.fixture(scope="module")
def jan(cat):
    return analysis.outlook(cat, as_of=JAN1, months=12)


@pytest.fixture(scope="module")
def forecast_2026(cat):
    return analysis.forecast(cat, as_of=JAN1, horizon=1, track_record=False)


def _mc(p, n=10_000, k=5.0):
    """A generous Monte Carlo tolerance (paths share parameter draws, so a few binomial errors, plus a floor)."""
    return k * (p * (1 - p) / n) ** 0.5 + 0.01


@pytest.mark.parametrize("day, months, end", [
    (D(2026, 1, 1), 12, D(2026, 12, 31)), (D(2026, 12, 7), 12, D(2027, 12, 6)), (D(2027, 1, 31), 1, D(2027, 2, 27)),
    (D(2028, 1, 31), 1, D(2028, 2, 28)), (D(2026, 3, 15), 36, D(2029, 3, 14)), (D(2026, 11, 30), 3, D(2027, 2, 27)),
])
def test_window_is_the_months_after_the_as_of_date(day, months, end):
    # by hand: the window ends the day before the same date `months` later (clamped to the month's end)
    assert add_months(day, months) - dt.timedelta(days=1) == end


def test_late_in_the_year_no_expectation_is_in_the_past(late):
    for s in late.series:
        if s.next_start:
            assert all(D.fromisoformat(v) >= TODAY for v in s.next_start.values()), s.series
    assert late.start == TODAY and late.end == D(2027, 12, 6)


def test_tsentr_2026_is_to_verify_and_the_next_strategic_exercise_is_2027s(late, cat):
    rs = late["russia-strategic"]
    names = [t["name"] for t in rs.to_verify]
    assert "Tsentr-2026" in names
    t = rs.to_verify[names.index("Tsentr-2026")]
    assert t["announced"] == "2026" and t["direction"] == "tsentr"
    assert D.fromisoformat(t["due"]["q90"]) < TODAY and t["p_started"] > 0.9
    assert D.fromisoformat(rs.next_start["median"]).year == 2027
    # the next event is most likely not Tsentr again, and never a fact placed in the past
    assert max(rs.directions, key=rs.directions.get) != "tsentr"
    assert abs(sum(rs.directions.values()) - 1) < 1e-9
    # the catalogue's check of the series ends on 2026-02-15 (series.csv)
    assert rs.checked_through == cat.checked_through("russia-strategic") == D(2026, 2, 15)


def test_to_verify_lies_between_checked_through_and_as_of(late):
    for s in late.series:
        for t in s.to_verify:
            assert s.checked_through < D.fromisoformat(t["due"]["q10"]) <= D.fromisoformat(t["due"]["q90"]) < TODAY
            assert 0 < t["p_started"] <= 1


def test_sorted_by_when_the_next_event_is_expected(late):
    medians = [s.next_start["median"] for s in late.series if s.next_start]
    assert medians == sorted(medians)
    assert all(s.next_start is None for s in late.series[len(medians):])


def test_a_calendar_year_window_gives_the_forecasts_p_held(jan, forecast_2026):
    checked = 0
    for fc in forecast_2026:
        if not fc.ok:
            assert jan[fc.series].p_any is None
            continue
        y = fc.year(2026)
        s = jan[fc.series]
        assert abs(s.p_any - y.p_held) < _mc(y.p_held), fc.series
        assert abs(s.expected_count - y.expected_count) < 0.05 + 0.03 * y.expected_count, fc.series
        for c, p in y.participants.items():
            assert abs(s.participants[c]["overall"] - p) < _mc(p), (fc.series, c)
        if y.outcomes is not None:
            for c, p in y.outcomes.items():
                assert abs(s.directions[c] - p) < _mc(p), (fc.series, c)
        checked += 1
    assert checked >= 9


def test_json_keys_are_the_contract(late):
    d = late.to_dict()
    assert set(d) == {"as_of", "window", "seed", "catalogue_sha256", "series"}
    assert set(d["window"]) == {"start", "end"}
    for s in d["series"]:
        assert set(s) - {"reason"} == {"series", "p_any", "expected_count", "next_start", "directions",
                                       "participants", "to_verify", "confidence", "skill", "checked_through"}
        assert ("reason" in s) == (s["p_any"] is None)
        if s["next_start"] is not None:
            assert set(s["next_start"]) == {"median", "q10", "q90"}
        for p in s["participants"].values():
            assert set(p) == {"given_event", "overall"}
        assert s["confidence"] in ("high", "medium", "low")


def test_frame_has_one_row_per_series_and_per_event_to_verify(late):
    df = late.to_frame()
    assert (df["kind"] == "series").sum() == len(late.series)
    assert (df["kind"] == "to_verify").sum() == sum(len(s.to_verify) for s in late.series)


def test_confidence_and_skill_are_the_reports(cat):
    from drillcast.present.report.front import confidence, skill
    from drillcast.present.report.results import analyse
    from drillcast.evaluation.confidence import skill_short

    o = analysis.outlook(cat, ["russia-strategic", "joint-sea", "union-shield"], as_of=TODAY)
    for s in o.series:
        r = analyse(cat, s.series, TODAY, 3, 0, ("track_record",))
        assert (s.confidence, list(s.confidence_reasons)) == confidence(r, TODAY)
        assert s.skill == skill_short(skill(r))
    assert o["joint-sea"].skill == "no skill: treat as a base rate"


def test_same_seed_same_numbers_and_months_checked(cat):
    a = analysis.outlook(cat, "joint-sea", as_of=TODAY, seed=3).to_dict()
    b = analysis.outlook(cat, "joint-sea", as_of=TODAY, seed=3).to_dict()
    assert a == b
    for bad in (0, 37, 1.5, True):
        with pytest.raises(ParameterError, match="months"):
            analysis.outlook(cat, "joint-sea", as_of=TODAY, months=bad)
    for bad in (-1, 2**32):
        with pytest.raises(ParameterError, match="seed"):
            analysis.outlook(cat, "joint-sea", as_of=TODAY, seed=bad)
        with pytest.raises(ParameterError, match="seed"):
            analysis.ask(cat, "joint-sea", start=D(2027, 1, 1), end=D(2027, 12, 31), as_of=TODAY, seed=bad)


# --------------------------------------------------------------------------- ask


def _ask(cat, **kw):
    kw.setdefault("as_of", JAN1)
    return analysis.ask(cat, kw.pop("series", "russia-strategic"), **kw)


def test_ask_for_a_year_is_the_forecasts_p_held_direction_and_participation(cat, forecast_2026):
    y = forecast_2026["russia-strategic"].year(2026)
    a = _ask(cat, start=D(2026, 1, 1), end=D(2026, 12, 31))
    assert not a.resolved and abs(a.probability - y.p_held) < _mc(y.p_held)
    assert 0 < a.se < 0.01
    for d in ("tsentr", "kavkaz"):
        a = _ask(cat, start=D(2026, 1, 1), end=D(2026, 12, 31), direction=d)
        assert abs(a.probability - y.outcomes[d]) < _mc(y.outcomes[d]), d
    a = _ask(cat, start=D(2026, 1, 1), end=D(2026, 12, 31), participants=["CHN"])
    assert abs(a.probability - y.participants["CHN"]) < _mc(y.participants["CHN"])
    y = forecast_2026["joint-sea"].year(2026)
    a = _ask(cat, series="joint-sea", start=D(2026, 1, 1), end=D(2026, 12, 31), participants=["RUS", "CHN"])
    assert abs(a.probability - y.participants["RUS"]) < _mc(y.p_held)


def test_ask_on_the_outlook_window_is_its_p_any(cat, late):
    for sid in ("russia-strategic", "joint-air-patrol"):
        a = analysis.ask(cat, sid, start=late.start, end=late.end, as_of=TODAY)
        assert a.probability == pytest.approx(late[sid].p_any, abs=1e-12)


@pytest.mark.parametrize("sid", ["russia-strategic", "joint-air-patrol"])
def test_a_shorter_window_never_gets_a_higher_probability(cat, sid):
    windows = [(D(2027, 1, 1), D(2027, 12, 31)), (D(2027, 3, 1), D(2027, 10, 31)), (D(2027, 6, 1), D(2027, 9, 30)),
               (D(2027, 8, 1), D(2027, 9, 15)), (D(2027, 9, 1), D(2027, 9, 2))]
    for k in (1, 2):
        ps = [analysis.ask(cat, sid, start=a, end=b, at_least=k, as_of=TODAY).probability for a, b in windows]
        assert ps == sorted(ps, reverse=True), (k, ps)
    assert (analysis.ask(cat, sid, start=D(2026, 12, 7), end=D(2029, 12, 31), as_of=TODAY).probability
            >= analysis.ask(cat, sid, start=D(2027, 1, 1), end=D(2027, 12, 31), as_of=TODAY).probability)


def test_a_held_event_resolves_yes_with_its_source(cat):
    # Zapad-2025 is held in the catalogue (September 2025)
    a = analysis.ask(cat, "russia-strategic", start=D(2025, 1, 1), end=D(2025, 12, 31), direction="zapad",
                     as_of=TODAY)
    assert a.resolved and a.probability == 1.0 and a.se is None
    ev = a.resolution["events"][0]
    row = next(r for r in cat.events("russia-strategic") if r["id"] == ev["id"])
    assert row["status"] == "held" and row["direction"] == "zapad" and ev["source"] == row["sources"][0]


def test_a_window_the_catalogue_covers_without_an_event_resolves_no(cat):
    a = analysis.ask(cat, "russia-strategic", start=D(2025, 1, 1), end=D(2025, 12, 31), direction="vostok",
                     as_of=TODAY)
    assert a.resolved and a.probability == 0.0 and a.resolution["events"] == []
    assert set(a.to_dict()) == {"question", "probability", "se", "resolved", "resolution", "as_of", "seed",
                                "catalogue_sha256"}


@pytest.mark.parametrize("kw, parameter", [
    (dict(start=D(2027, 5, 1), end=D(2027, 4, 1)), "end"),
    (dict(start=D(2027, 1, 1), end=D(2027, 12, 31), direction="norht"), "direction"),
    (dict(series="joint-sea", start=D(2027, 1, 1), end=D(2027, 12, 31), direction="north"), "direction"),
    (dict(start=D(2027, 1, 1), end=D(2027, 12, 31), participants=["XXX"]), "participants"),
    (dict(start=D(2027, 1, 1), end=D(2027, 12, 31), participants=["FRA"]), "participants"),
    (dict(start=D(2027, 1, 1), end=D(2027, 12, 31), at_least=0), "at_least"),
    (dict(start=D(2090, 1, 1), end=D(2090, 12, 31)), "end"),
    (dict(series="all", start=D(2027, 1, 1), end=D(2027, 12, 31)), "series"),
])
def test_bad_questions_name_the_parameter(cat, kw, parameter):
    with pytest.raises(ParameterError) as e:
        _ask(cat, **kw)
    assert e.value.parameter == parameter


def _one_series_catalogue(folder, months):
    from drillcast.data.catalogue import load_catalogue
    from tests.conftest import REC_SERIES, write_catalogue

    series = dict(REC_SERIES, id="s", events_per_year="single", regular_participants="", checked_through="2025-12-31")
    events = [{"id": f"S-{y}", "series": "s", "start_date": f"{y}-{months[i % len(months)]:02d}-15"}
              for i, y in enumerate(range(2002, 2026))]
    return load_catalogue(write_catalogue(folder, events, [series]))


def test_flat_timing_is_said_as_any_time_of_year(tmp_path):
    spread = _one_series_catalogue(tmp_path / "spread", [1, 7, 4, 10, 2, 8, 5, 11, 3, 9, 6, 12])
    seasonal = _one_series_catalogue(tmp_path / "seasonal", [9])
    o = analysis.outlook(spread, as_of=D(2026, 1, 1))["s"]
    assert o.any_time_of_year and o.to_dict()["next_start"]["median"] == "any time of year"
    assert "any time of year" in analysis.outlook(spread, as_of=D(2026, 1, 1)).summary()
    s = analysis.outlook(seasonal, as_of=D(2026, 1, 1))["s"]
    assert not s.any_time_of_year and D.fromisoformat(s.next_start["median"]).month == 9


# --------------------------------------------------------------------------- command line


def test_outlook_command_gives_the_library_numbers(late, capsys):
    import json

    from drillcast.cli import main

    assert main(["outlook", "--as-of", "2026-12-07", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["series"] == late.to_dict()["series"]
    assert main(["outlook", "--series", "russia-strategic", "--as-of", "2026-12-07", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("kind,series,p_any,expected_count,next_start_median")
    assert [x.split(",")[0] for x in lines[1:]] == ["series", "to_verify"] and "Tsentr-2026" in lines[2]


@pytest.mark.parametrize("argv, needle", [
    (["outlook", "--months", "0"], "--months: 0 is not allowed"),
    (["ask", "--series", "russia-strategic", "--between", "2027-05-01", "2027-01-01"], "--between: 2027-01-01 is before"),
    (["ask", "--series", "russia-strategic", "--year", "2027", "--direction", "nrth"], "--direction: unknown direction"),
    (["ask", "--series", "joint-sea", "--year", "2027", "--direction", "north"], "--direction: 'joint-sea' does not"),
    (["ask", "--series", "russia-strategic", "--year", "2027", "--participant", "QQQ"], "--participant: 'QQQ' is not"),
    (["ask", "--series", "russia-strategic", "--year", "2027", "--at-least", "0"], "--at-least: 0 is not allowed"),
    (["ask", "--series", "russia-strategic", "--year", "2090"], "--year: the window 2090-01-01 to 2090-12-31 lies "
                                                                "wholly beyond"),
    (["ask", "--series", "russia-strategic", "--between", "2027-13-01", "2027-12-31"], "--between date"),
])
def test_bad_outlook_and_questions_exit_2_with_one_line(argv, needle, capsys):
    from drillcast.cli import main

    assert main([*argv, "--as-of", "2026-12-07"]) == 2
    err = capsys.readouterr().err
    assert needle in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_an_announcement_in_the_gap_is_listed_even_without_a_forecast(tmp_path):
    from drillcast.data.catalogue import load_catalogue
    from tests.conftest import REC_SERIES, write_catalogue

    series = dict(REC_SERIES, id="s", events_per_year="single", regular_participants="", checked_through="2026-02-01")
    events = [{"id": "S-2025", "series": "s", "start_date": "2025-05-01"},
              {"id": "S-2026", "series": "s", "name": "S-2026", "start_date": "2026-06", "status": "announced",
               "first_reported": "2026-01-10"}]
    cat = load_catalogue(write_catalogue(tmp_path, events, [series]))
    o = analysis.outlook(cat, as_of=TODAY)["s"]
    assert o.p_any is None and o.reason
    # without a dates_reported, the snapshot knows the announced year only (the codebook's knowledge rule)
    assert o.to_verify == ({"name": "S-2026", "year": 2026, "direction": None, "announced": "2026", "due": None,
                            "p_started": None, "recorded_that_year": 0},)
    assert "S-2026 (announced for 2026): no forecast of whether it started" in analysis.outlook(
        cat, as_of=TODAY).summary()


def test_start_density_sums_to_the_expected_count_of_events_not_yet_known(late):
    for s in late.series:
        if s.p_any is None:
            assert s.start_density == ()
            continue
        assert len(s.start_density) == (late.end - late.start).days + 1
        held = sum(e["status"] == "held" and late.start <= D.fromisoformat(e["low"]) for e in s.window_events)
        assert abs(sum(s.start_density) - (s.expected_count - held)) < 1e-3, s.series


def test_skill_carries_its_paired_p_value_and_says_not_significant():
    """Two years, both better than uniform: the exact two-sided sign-flip test has 4 equally likely sign
    patterns, 2 of them as extreme as observed, so p = 0.5 (by hand): a skill claim that is not significant."""
    from drillcast.evaluation.confidence import skill_from_folds, skill_short

    folds = [{"series": "s", "lead_years": 0, "model": m, "year": y, "scores": {"log_score": v}}
             for y, (a, b) in {2024: (-0.2, -0.7), 2025: (-0.1, -0.7)}.items()
             for m, v in (("pooled", a), ("uniform", b))]
    s = skill_from_folds(folds, "s", "pooled")
    assert s["p"] == 0.5 and (s["n"], s["better"]) == (2, 2)
    assert skill_short(s) == "better than uniform in 2 of 2 years (p = 0.5, not significant)"
    assert skill_short(dict(s, p=0.0034)) == "better than uniform in 2 of 2 years (p = 0.0034)"
    assert skill_short(dict(s, p=0.00001)) == "better than uniform in 2 of 2 years (p < 0.0001)"
