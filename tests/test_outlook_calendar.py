"""The 12-month calendar draws the outlook it is given: densities, chances, events in the window."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from drillcast import analysis
from drillcast.data.catalogue import load_catalogue
from drillcast.present.figures import new_figure
from drillcast.present.plot_outlook import _pct, outlook_size, plot_outlook_calendar, weekly

from .conftest import REC_SERIES, ROT_SERIES, cycle_events, write_catalogue

AS_OF = dt.date(2021, 6, 1)


@pytest.fixture(scope="module")
def outlook(tmp_path_factory):
    """A rotation held every September (2021: announced for the month) and a patrol series held in spring."""
    ev = cycle_events(2001, 2020)
    ev.append({"id": "R-2021", "series": "rot", "direction": "b", "start_date": "2021-09", "status": "announced",
               "first_reported": "2021-01-10", "dates_reported": "2021-01-10"})
    ev += [{"id": f"P-{y}", "series": "rec", "start_date": f"{y}-04-1{y % 10}"} for y in range(2005, 2021)]
    ev.append({"id": "P-2021", "series": "rec", "start_date": "2021-06-01", "first_reported": "2021-06-01"})
    cat = load_catalogue(write_catalogue(tmp_path_factory.mktemp("cal"), ev, [ROT_SERIES, REC_SERIES]))
    return analysis.outlook(cat, None, as_of=AS_OF, seed=0)


def test_start_density_is_the_expected_starts_per_day(outlook):
    """Summed over the window, the density is the expected count less the events already held in it."""
    for s in outlook.series:
        assert len(s.start_density) == (outlook.end - outlook.start).days + 1
        held = sum(e["status"] == "held" for e in s.window_events)
        assert sum(s.start_density) == pytest.approx(s.expected_count - held, abs=1e-4)
    rot = outlook["rot"]
    days = np.asarray(rot.start_density)
    sept = [(dt.date(2021, 9, 1) - AS_OF).days, (dt.date(2021, 9, 30) - AS_OF).days]
    assert days[sept[0]:sept[1] + 1].sum() > 0.5 * days.sum()  # the announced month carries the mass


def test_window_events_are_the_catalogues(outlook):
    assert [(e["id"], e["status"], e["low"], e["high"]) for e in outlook["rot"].window_events] == [
        ("R-2021", "announced", "2021-09-01", "2021-09-30")]
    assert [(e["id"], e["status"]) for e in outlook["rec"].window_events] == [("P-2021", "held")]


def test_calendar_draws_the_outlook(outlook):
    fig, ax = new_figure(outlook_size(outlook))
    plot_outlook_calendar(outlook, ax=ax)
    rows = [s.series for s in outlook.series]
    colls = {c.get_gid(): c for c in ax.collections if c.get_gid()}
    weeks = {s: weekly(outlook[s].start_density) for s in rows}
    top = max(max(w) for w in weeks.values())
    for i, sid in enumerate(rows):
        verts = colls[f"{sid}:density"].get_paths()[0].vertices
        # the step heights above the row's foot, on one scale for all rows: the tallest week is 0.82 of a row
        heights = sorted({round(i + 0.92 - y, 9) for y in verts[:, 1]})
        want = sorted({round(v * 0.82 / top, 9) for v in weeks[sid]} | {0.0})
        np.testing.assert_allclose(heights, want, atol=1e-9)
    (right,) = ax.child_axes  # the notes: tick labels on the right, one per row
    notes = [t.get_text() for t in right.get_yticklabels()]
    assert notes == [_pct(s.p_any) for s in outlook.series]
    marks = {a.get_gid(): a for a in list(ax.lines) + list(ax.patches) if a.get_gid()}
    assert marks["P-2021"].get_marker() == "^"  # held: a filled triangle at its start
    x = marks["P-2021"].get_xdata()[0]
    assert x == (dt.date(2021, 6, 1) - AS_OF).days
    span = marks["R-2021"]  # announced for September: a hatched span over the month
    assert span.get_hatch() == "////"
    assert (span.get_x(), span.get_x() + span.get_width()) == ((dt.date(2021, 9, 1) - AS_OF).days,
                                                              (dt.date(2021, 10, 1) - AS_OF).days)


def test_weekly_sums_by_seven_days():
    assert weekly([1.0] * 15) == [7.0, 7.0, 1.0]
    assert weekly([]) == []


def test_plot_outlook_cli_writes_one_calendar(tmp_path):
    from drillcast.cli import main

    out = tmp_path / "cal.svg"
    args = ["plot", "outlook", "--series", "russia-strategic,joint-sea", "--as-of", "2026-12-07", "-o", str(out)]
    assert main(args) == 0
    assert out.exists() and not list(tmp_path.glob("cal-*.svg"))
    first = out.read_bytes()
    assert b"russia-strategic:density" in first and b"joint-sea:density" in first
    assert main(args) == 0 and out.read_bytes() == first  # same inputs, same bytes


def test_chance_wording():
    from drillcast.present.plot_outlook import _pct

    assert [_pct(p) for p in (None, 0.001, 0.5, 0.2113, 0.999)] == ["no forecast", "<1 %", "50 %", "21 %", ">99 %"]
