"""Figures draw exactly the results they are given; the plot command writes atomically."""

from __future__ import annotations

import datetime as dt

import matplotlib

matplotlib.use("Agg")  # before pyplot: no GUI backend in tests

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402

from drillcast.present import plotting, plotting_scores  # noqa: E402
from drillcast.present.plot_timeline import plot_timeline  # noqa: E402
from drillcast.evaluation.backtest import backtest  # noqa: E402
from drillcast.data.catalogue import load_catalogue  # noqa: E402
from drillcast.cli import main  # noqa: E402
from drillcast.forecasting import Forecaster  # noqa: E402
from drillcast.data.history import series_history  # noqa: E402

from .conftest import REC_SERIES, ROT_SERIES, cycle_events, write_catalogue  # noqa: E402

AS_OF = dt.date(2022, 6, 1)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _events():
    """A 4-cycle 2001-2021 with a break, a month-precision start, a cancellation and an announcement."""
    ev = cycle_events(2001, 2021, skip=(2015,), other=(2012,))
    for e in ev:
        if e["id"] == "R-2009":
            e["start_date"] = "2009-09"
        if e["id"] == "R-2010":
            e["end_date"] = "2010-09-22"
    ev.append({"id": "R-2015", "series": "rot", "direction": "c", "start_date": "2015-09-15",
               "status": "cancelled", "first_reported": "2015-02-01", "status_reported": "2015-08-01"})
    ev.append({"id": "R-2022", "series": "rot", "direction": "b", "start_date": "2022-09",
               "status": "held", "first_reported": "2022-01-10"})
    ev += [{"id": f"P-{y}-{k}", "series": "rec", "start_date": f"{y}-{3 + 5 * k:02d}-1{k}",
            "participants": "RUS;CHN" if (y + k) % 3 else "RUS"}
           for y in range(2008, 2022) for k in range(2) if (y + k) % 4]
    return ev


@pytest.fixture(scope="module")
def cat(tmp_path_factory):
    path = write_catalogue(tmp_path_factory.mktemp("cat"), _events(), [ROT_SERIES, REC_SERIES])
    return load_catalogue(path)


@pytest.fixture(scope="module")
def snap(cat):
    return cat.as_of(AS_OF)


@pytest.fixture(scope="module")
def fitted(snap):
    return Forecaster().fit(snap, "rot")


@pytest.fixture(scope="module")
def fc(fitted):
    return fitted.forecast(horizon=3, seed=0)


@pytest.fixture(scope="module")
def bt(snap):
    return backtest(snap, ["rot"], horizon=1, models=["uniform", "climatology", "calendar"], truth_as_of=AS_OF,
                    paired_draws=500)


def _by_gid(ax, kind=None):
    arts = list(ax.patches) + list(ax.lines) + list(ax.texts) + list(ax.images)
    return {a.get_gid(): a for a in arts if a.get_gid() and (kind is None or isinstance(a, kind))}


def _doy(d):
    d = dt.date.fromisoformat(d) if isinstance(d, str) else d
    return d.timetuple().tm_yday - 1


# --------------------------------------------------------------------------- drawn data == results


def test_forecast_bars_are_the_probabilities(fc):
    ax = plotting.plot_forecast(fc)
    bars = _by_gid(ax)
    assert fc.ok and fc.kind == "rotating"
    for y in fc.years:
        bottom = 0.0
        for lab in fc.categories:
            r = bars[f"{y.year}:{lab}"]
            assert r.get_height() == pytest.approx(y.outcomes[lab], abs=1e-12)
            assert r.get_y() == pytest.approx(bottom, abs=1e-12)
            assert r.get_x() + r.get_width() / 2 == pytest.approx(y.year)
            bottom += y.outcomes[lab]
        assert bottom == pytest.approx(1.0)
    # every outcome differs without colour: a distinct hatch or code per label
    st = plotting.category_styles(fc.categories)
    assert len({(s["hatch"], s["code"]) for s in st.values()}) == len(fc.categories)
    assert str(AS_OF) in ax.get_title(loc="left")


def test_recurring_forecast_bars_are_p_held(snap):
    fc = Forecaster().fit(snap, "rec").forecast(horizon=2)
    ax = plotting.plot_forecast(fc)
    bars = _by_gid(ax)
    assert [bars[f"{y.year}:held"].get_height() for y in fc.years] == pytest.approx([y.p_held for y in fc.years])
    labels = " ".join(t.get_text() for t in ax.texts)
    for y in fc.years:
        assert f"expected {y.expected_count:.1f} events" in labels


def test_rotation_grid_cells_are_the_history(fitted):
    h = fitted.history
    ax = plotting.plot_rotation_grid(h)
    cells = {g: a for g, a in _by_gid(ax).items() if ":" in g and not g.endswith(":announced")}
    expected = {f"{y}:{h.categories[o]}" for y, o in zip(h.years, h.outcomes)}
    if h.current_outcome is not None:
        expected.add(f"{h.current_year}:{h.categories[h.current_outcome]}")
    assert set(cells) == expected
    styles = plotting.category_styles(h.categories)
    for gid, rect in cells.items():
        year, lab = gid.split(":")
        row = h.categories.index(lab)
        assert rect.get_y() == pytest.approx(row - 0.5) and rect.get_x() == pytest.approx(int(year) - 0.5)
        assert rect.get_facecolor() == pytest.approx(to_rgba(styles[lab]["colour"]))
    # the one-letter codes written in the cells are the outcomes, year by year
    codes = sorted((round(t.get_position()[0]), t.get_text()) for t in ax.texts)
    want = sorted((int(y), styles[h.categories[o]]["code"]) for y, o in zip(h.years, h.outcomes))
    assert [c for c in codes if c[0] in set(h.years.tolist())] == want
    assert "2015:none" in cells and "2012:other" in cells


def test_date_fan_bands_are_the_quantiles(fitted, fc):
    ax = plotting.plot_date_fan(fitted.history, fc)
    arts = _by_gid(ax)
    n = 0
    for y in fc.years:
        if not y.start:
            continue
        for qa, qb in (("q025", "q975"), ("q10", "q90"), ("q25", "q75")):
            r = arts[f"{y.year}:{qa}-{qb}"]
            assert r.get_y() == _doy(y.start[qa])
            assert r.get_y() + r.get_height() == _doy(y.start[qb]) + 1
            n += 1
        med = arts[f"{y.year}:median"]
        assert med.get_ydata()[0] == pytest.approx(_doy(y.start["median"]) + 0.5)
        assert arts[f"{y.year}:p_held"].get_text() == f"{100 * y.p_held:.0f}"
    assert n >= 6
    # the past: a point per day-precision start, a vertical bar for the month-precision 2009 start
    h = fitted.history
    i = list(h.years).index(2009)
    bar = arts["2009:observed"]
    assert list(bar.get_ydata()) == [h.start_lo[i], h.start_hi[i] + 1]
    j = list(h.years).index(2013)
    assert arts["2013:observed"].get_ydata()[0] == h.start_lo[j]


def test_timeline_bars_are_the_event_dates(snap):
    ax = plot_timeline(snap, "rot")
    bars = {g: a for g, a in _by_gid(ax).items() if g.startswith("R-") and ":" not in g}
    events = {r["id"]: r for r in snap.events("rot")}
    assert set(bars) == set(events)
    for eid, r in events.items():
        rect = bars[eid]
        if r["start"].precision == "year":  # a marker at mid-year on a line across the year, not a bar
            assert list(rect.get_xdata()) == [183] and list(rect.get_ydata()) == [r["start"].year]
            assert list(_by_gid(ax)[f"{eid}:span"].get_xdata()) == [0, 366]
            continue
        end = r["end"].high if r["end"] is not None else r["start"].high
        assert rect.get_x() == _doy(r["start"].low)
        assert rect.get_x() + rect.get_width() == _doy(end) + 1
        assert rect.get_y() + rect.get_height() / 2 == pytest.approx(r["start"].year)
    assert bars["R-2009"].get_hatch()  # month precision: hatched
    assert not bars["R-2013"].get_hatch()
    assert bars["R-2015"].get_facecolor()[3] == 0  # cancelled: outline only
    assert bars["R-2010"].get_width() == 8  # 15 to 22 September, end day included
    # CHN took part in odd years: a marker each, and none in even years
    marks = {g.split(":")[0] for g in _by_gid(ax) if g.endswith(":CHN:took-part")}
    assert marks == {e for e, r in events.items() if "CHN" in r["participants"]}


def test_announced_event_of_unknown_date_is_hollow_and_dotted(cat):
    snap = cat.as_of(dt.date(2022, 3, 1))  # R-2022 reported in January, not yet started
    ax = plot_timeline(snap, "rot")
    mark = _by_gid(ax)["R-2022"]  # its date is known only to the year: a hollow marker, a dotted span
    assert mark.get_markerfacecolor() in ("#FFFFFF", (1.0, 1.0, 1.0, 1.0))
    assert _by_gid(ax)["R-2022:span"].get_linestyle() == ":"
    grid = plotting.plot_rotation_grid(series_history(snap, "rot"))
    assert "2022:b:announced" in _by_gid(grid)


def test_seasonality_density_is_the_pmf(fitted, fc):
    ax = plotting.plot_seasonality(fitted.history, fc)
    assert ax.name == "polar"
    line = _by_gid(ax)["density"]
    pmf = fc.years[0].start_pmf
    np.testing.assert_allclose(line.get_ydata()[:-1], pmf)
    np.testing.assert_allclose(np.diff(line.get_xdata()[:-1]), 2 * np.pi / 366)
    pooled = fitted.timing.pooled
    ax2 = plotting.plot_seasonality(fitted.history, pooled)
    np.testing.assert_allclose(_by_gid(ax2)["density"].get_ydata()[:-1], pooled)
    fig, flat = plt.subplots()
    with pytest.raises(ValueError, match="polar"):
        plotting.plot_seasonality(fitted.history, fc, ax=flat)


def test_transition_matrix_is_the_posterior_mean(snap):
    fc = Forecaster("markov").fit(snap, "rot").forecast(horizon=1)
    ax = plotting.plot_transition_matrix(fc)
    mean = fc.model_info["transition_mean"]
    labels = list(mean)
    want = np.array([[mean[a][b] for b in labels] for a in labels])
    np.testing.assert_allclose(ax.images[0].get_array(), want)
    counts = fc.model_info["transition_counts"]
    texts = {(round(t.get_position()[1]), round(t.get_position()[0])): t.get_text() for t in ax.texts}
    assert texts[(0, 1)] == f"{want[0, 1]:.2f}\n(n={counts[labels[0]][labels[1]]:g})"
    with pytest.raises(ValueError, match="markov"):
        plotting.plot_transition_matrix(Forecaster("uniform").fit(snap, "rot").forecast(horizon=1))


def test_backtest_lines_are_the_fold_scores(bt):
    ax = plotting_scores.plot_backtest_scores(bt, "rot")
    lines = _by_gid(ax)
    for model in ("uniform", "climatology", "calendar"):
        folds = sorted((f for f in bt.folds if f["model"] == model), key=lambda f: f["year"])
        assert list(lines[model].get_xdata()) == [f["year"] for f in folds]
        assert list(lines[model].get_ydata()) == pytest.approx([f["scores"]["log_score"] for f in folds])
    assert lines["uniform"].get_linestyle() == "--"  # baselines dashed


def test_reliability_points_are_the_table_rows(bt):
    ax = plotting_scores.plot_reliability(bt, "rot", "calendar")
    rows = [r for r in bt.reliability["rot/calendar"] if r["n"]]
    pts = _by_gid(ax)["reliability"]
    assert list(pts.get_xdata()) == pytest.approx([r["mean_forecast"] for r in rows])
    assert list(pts.get_ydata()) == pytest.approx([r["observed_rate"] for r in rows])
    bands = [a for a in ax.lines if a.get_gid() == "band"]
    drawn = [y for b in bands for y in b.get_ydata()]
    want = [y for r in rows if r["band_low"] is not None for y in (r["band_low"], r["band_high"])]
    assert drawn == pytest.approx(want)
    assert sorted(t.get_text() for t in ax.texts) == sorted(f"n={r['n']}" for r in rows)


@pytest.mark.parametrize("curve", [
    {0: 0.2, 5: 0.55, 10: 0.81},
    [(10, 0.81), (0, 0.2), (5, 0.55)],
    {"n_future": [0, 5, 10], "power": [0.2, 0.55, 0.81], "test": "rotation", "as_of": "2025-01-01"},
])
def test_power_curve_points(curve):
    ax = plotting_scores.plot_power_curve(curve)
    line = _by_gid(ax)["power"]
    assert list(line.get_xdata()) == [0, 5, 10] and list(line.get_ydata()) == [0.2, 0.55, 0.81]
    assert any("after 10 more years" in t.get_text() for t in ax.texts)


def test_catalogue_text_is_not_mathtext(cat, tmp_path):
    ev = cycle_events(2001, 2010)
    path = write_catalogue(tmp_path, ev, [dict(ROT_SERIES, name="costs $5 and $x^2$ \x07"), REC_SERIES])
    snap = load_catalogue(path).as_of(AS_OF)
    ax = plotting.plot_rotation_grid(series_history(snap, "rot"))
    ax.figure.canvas.draw()  # would raise on unbalanced mathtext
    assert r"\$5" in ax.get_title(loc="left") and "\\x07" in ax.get_title(loc="left")


# --------------------------------------------------------------------------- the plot command


def _plot(cat_path, out, *extra):
    return main(["--catalogue", str(cat_path), "plot", *extra, "--as-of", str(AS_OF), "-o", str(out)])


@pytest.fixture(scope="module")
def cat_path(cat):
    return cat.path


@pytest.mark.parametrize("kind,ext", [("rotation", "svg"), ("forecast", "pdf"), ("datefan", "png"),
                                      ("timeline", "svg"), ("seasonality", "svg"), ("transition", "svg")])
def test_plot_command_writes_one_file_deterministically(cat_path, tmp_path, capsys, kind, ext):
    out = tmp_path / f"fig.{ext}"
    assert _plot(cat_path, out, kind, "--series", "rot") == 0
    first = out.read_bytes()
    assert _plot(cat_path, out, kind, "--series", "rot") == 0
    assert out.read_bytes() == first  # same inputs, same bytes (no dates, fixed hash salt)
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temporary file left
    assert f"wrote {out}" in capsys.readouterr().err
    magic = {"svg": b"<?xml", "pdf": b"%PDF-", "png": b"\x89PNG"}[ext]
    assert first.startswith(magic)


def test_plot_backtest_and_reliability(cat_path, tmp_path):
    for kind in ("backtest", "reliability"):
        assert _plot(cat_path, tmp_path / f"{kind}.svg", kind, "--series", "rot") == 0
    svg = (tmp_path / "reliability.svg").read_text()
    assert "reliability" in svg


@pytest.mark.parametrize("name", ["fig.jpg", "fig", "fig.svg.txt"])
def test_plot_command_refuses_bad_extension(cat_path, tmp_path, capsys, name):
    assert _plot(cat_path, tmp_path / name, "rotation") == 2
    err = capsys.readouterr().err
    assert "-o:" in err and "use .png, .svg or .pdf" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_plot_command_several_series_one_file_each(cat_path, tmp_path, capsys):
    assert _plot(cat_path, tmp_path / "x.svg", "rotation", "--series", "rot,rec") == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x-rec.svg", "x-rot.svg"]
    one = tmp_path / "one"
    one.mkdir()
    assert _plot(cat_path, one / "x.svg", "rotation", "--series", "rot") == 0
    assert (one / "x.svg").read_bytes() == (tmp_path / "x-rot.svg").read_bytes()


def test_plot_command_transition_needs_a_rotating_series(cat_path, tmp_path, capsys):
    assert _plot(cat_path, tmp_path / "x.svg", "transition", "--series", "rec") == 2
    assert "not rotating" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_plot_default_series_is_the_first_when_no_russia_strategic(cat_path, tmp_path):
    assert _plot(cat_path, tmp_path / "x.svg", "rotation") == 0
    assert "Recurring test series" in (tmp_path / "x.svg").read_text()  # 'rec' sorts before 'rot'


def test_failed_write_leaves_no_file_and_keeps_the_old_one(cat_path, tmp_path, monkeypatch, capsys):
    import drillcast._io as io_mod

    out = tmp_path / "fig.svg"
    out.write_bytes(b"old")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(io_mod.os, "replace", broken_replace)
    assert _plot(cat_path, out, "rotation", "--series", "rot") != 0
    assert "Traceback" not in capsys.readouterr().err
    assert out.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["fig.svg"]
    monkeypatch.undo()

    def interrupt(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(io_mod.os, "fsync", interrupt)
    assert _plot(cat_path, tmp_path / "new.png", "rotation", "--series", "rot") == 130
    assert "interrupted" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fig.svg"]


def test_failure_while_drawing_writes_nothing(cat_path, tmp_path, monkeypatch):
    import drillcast.present.plotting as mod

    def boom(*a, **k):
        raise RuntimeError("drawing failed")

    monkeypatch.setattr(mod, "plot_forecast", boom)
    assert _plot(cat_path, tmp_path / "f.pdf", "forecast", "--series", "rot") == 1
    assert list(tmp_path.iterdir()) == []


def test_figure_bytes_have_no_date(fc):
    from matplotlib.figure import Figure

    from drillcast.present.figures import figure_bytes

    fig = Figure()
    plotting.plot_forecast(fc, ax=fig.add_subplot())
    svg = figure_bytes(fig, "svg")
    assert b"<dc:date>" not in svg and figure_bytes(fig, "svg") == svg
    pdf = figure_bytes(fig, "pdf")
    assert b"/CreationDate" not in pdf and figure_bytes(fig, "pdf") == pdf


def test_power_figure_draws_the_hypotheses_power_curve(cat):
    from drillcast.analysis import figure, power_curve

    curve = power_curve(series_history(cat.as_of(AS_OF), "rot"), "rotation", seed=0)
    assert len(curve["n_future"]) == len(curve["power"]) >= 2
    fig = figure("power", cat, "rot", as_of=AS_OF, test="rotation")
    line = _by_gid(fig.axes[0])["power"]
    assert list(line.get_xdata()) == sorted(curve["n_future"])
    assert list(line.get_ydata()) == [p for _, p in sorted(zip(curve["n_future"], curve["power"]))]
    from drillcast.errors import OptionError

    with pytest.raises(OptionError, match="does not apply"):
        figure("power", cat, "rec", as_of=AS_OF, test="rotation")


def test_timeline_puts_overlapping_events_of_a_year_in_lanes_and_shrinks_empty_years(tmp_path):
    """2008: two September exercises that overlap get two lanes of the 2008 band (no bar over another);
    2010-2013 without events shrink to one band, labelled with those years."""
    ev = [{"id": "A-2008", "series": "rot", "direction": "a", "start_date": "2008-09-01", "end_date": "2008-09-27"},
          {"id": "B-2008", "series": "rot", "direction": "b", "start_date": "2008-09-22", "end_date": "2008-10-21",
           "primary": "no"},
          {"id": "C-2009", "series": "rot", "direction": "c", "start_date": "2009-09-08", "end_date": "2009-09-29"},
          {"id": "D-2014", "series": "rot", "direction": "d", "start_date": "2014-09-08"}]
    snap = load_catalogue(write_catalogue(tmp_path, ev, [ROT_SERIES])).as_of(dt.date(2015, 1, 1))
    ax = plot_timeline(snap, "rot")
    bars = _by_gid(ax)
    y = {g: bars[g].get_y() + bars[g].get_height() / 2 for g in ("A-2008", "B-2008", "C-2009", "D-2014")}
    assert y["A-2008"] == 2008 and y["B-2008"] == 2009  # the 2008 band has two lanes, 2008 and 2009
    assert y["C-2009"] == 2010  # 2009's band follows
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert "2010\u20132013: none" in labels
    assert y["D-2014"] == 2012  # one band (one lane high) for 2010-2013, then 2014


def test_rotation_grid_and_forecast_bars_carry_no_hatch(snap, fc):
    """Hatching means 'date known to the month' only; categories are told apart by code and row."""
    grid = plotting.plot_rotation_grid(series_history(snap, "rot"))
    bars = plotting.plot_forecast(fc)
    for ax in (grid, bars):
        assert not any(p.get_hatch() for p in ax.patches)


def test_date_fan_draws_any_time_of_year_without_a_median(tmp_path):
    """A series whose starts spread over the whole year gets one pale band and no median; a seasonal one does not."""
    ev = [{"id": f"P-{y}-{k}", "series": "rec", "start_date": f"{y}-{1 + (5 * y + 4 * k) % 12:02d}-1{k}"}
          for y in range(2000, 2020) for k in range(2)]
    snap = load_catalogue(write_catalogue(tmp_path, ev, [REC_SERIES])).as_of(dt.date(2020, 1, 1))
    f = Forecaster().fit(snap, "rec")
    fcast = f.forecast(horizon=2, seed=0)
    ax = plotting.plot_date_fan(f.history, fcast)
    gids = _by_gid(ax)
    for yf in fcast.years:
        assert plotting.start_is_flat(yf)
        assert f"{yf.year}:any-time" in gids and f"{yf.year}:median" not in gids
    assert any(t.get_text() == "any time of year" for t in ax.texts)


def test_date_fan_of_a_seasonal_series_keeps_its_median(fitted, fc):
    ax = plotting.plot_date_fan(fitted.history, fc)
    gids = _by_gid(ax)
    for yf in fc.years:
        if yf.start:
            assert not plotting.start_is_flat(yf)
            assert f"{yf.year}:median" in gids and f"{yf.year}:any-time" not in gids


def test_titles_take_the_name_a_caller_gives(snap, fitted, fc):
    """A report as of a past date passes the series name as then written; the figures show it."""
    for ax in (plot_timeline(snap, "rot", name="Rotation as then named"),
               plotting.plot_rotation_grid(series_history(snap, "rot"), name="Rotation as then named"),
               plotting.plot_date_fan(fitted.history, fc, name="Rotation as then named")):
        assert ax.get_title(loc="left").startswith("Rotation as then named\n")
