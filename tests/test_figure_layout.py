"""Every figure kind at print size: no overlapping text or bars, no label over a bar, nothing cut off.

Each figure is drawn with an Agg renderer that records the text actually drawn
(invisible tick labels never reach ``draw_text``); the checks then compare the
window extents of those texts, and of the data bars (Rectangles with a ``gid``)
and data markers (Line2D markers with a ``gid``): two bars may not overlap
unless one is a band nested in the other (``<year>:q10-q90`` inside
``<year>:q025-q975``), and a label may touch a bar only when it sits wholly
inside it (a code in its own cell or segment) and may not touch a data marker. Run on the bundled catalogue and on a crowded
synthetic one (long names, many categories, 40 years, many events a year,
coarse and announced dates).
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text

from drillcast.data.catalogue import load_catalogue
from drillcast.analysis import FIGURE_KINDS as KINDS
from drillcast.analysis import figure as make_figure
from drillcast.present.report.results import analyse
from drillcast.present.report.sections import forecast_figure, history_figure, track_record_figure

from .conftest import write_catalogue

PAGE_WIDTH = 481.9  # points: A4 less 2 cm margins, the report's text width
TOL = 1.0  # pixels of overlap forgiven (anti-aliasing, rounding)


def _drawn_texts(fig):
    """(Text, bbox) of every text the figure really draws (Text.draw gets past its visibility checks)."""
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    renderer = canvas.get_renderer()
    drawn = {}
    orig_text, orig_draw = Text.draw, renderer.draw_text

    def record(self, rend):
        self._drawn_by_test = False
        out = orig_text(self, rend)
        if self._drawn_by_test:
            drawn[id(self)] = self
        return out

    def note(gc, x, y, s, prop, angle, ismath=False, mtext=None):
        return orig_draw(gc, x, y, s, prop, angle, ismath, mtext)

    Text.draw = record
    try:
        # Text.draw calls renderer.draw_text once per line (mtext is None for multi-line texts), so
        # a text counts as drawn when any of its lines reaches the renderer while it is drawing
        current = []
        orig_record = record

        def record_current(self, rend):
            current.append(self)
            try:
                return orig_record(self, rend)
            finally:
                current.pop()

        def note_current(gc, x, y, s, prop, angle, ismath=False, mtext=None):
            if current and s.strip():
                current[-1]._drawn_by_test = True
            return orig_draw(gc, x, y, s, prop, angle, ismath, mtext)

        Text.draw = record_current
        renderer.draw_text = note_current
        fig.draw(renderer)
    finally:
        Text.draw = orig_text
        del renderer.draw_text
    return [(t, t.get_window_extent(renderer)) for t in drawn.values()], renderer


def _overlap(a, b) -> bool:
    return min(a.x1, b.x1) - max(a.x0, b.x0) > TOL and min(a.y1, b.y1) - max(a.y0, b.y0) > TOL


def _contains(a, b) -> bool:
    """Box ``a`` holds box ``b`` (within the tolerance)."""
    return a.x0 - TOL <= b.x0 and b.x1 <= a.x1 + TOL and a.y0 - TOL <= b.y0 and b.y1 <= a.y1 + TOL


def _data_marks(ax, renderer):
    """(gid, box) of the data bars and of the data markers of ``ax`` (artists with a gid)."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle
    from matplotlib.transforms import Bbox

    bars, marks = [], []
    for p in ax.patches:
        if isinstance(p, Rectangle) and p.get_gid() and p.get_visible():
            bars.append((p.get_gid(), p.get_window_extent(renderer)))
    for ln in ax.lines:
        if not ln.get_gid() or ln.get_marker() in (None, "None", "", " ") or ln.get_linestyle() not in ("None", ""):
            continue
        r = ln.get_markersize() / 2 * ln.figure.dpi / 72
        for x, y in ln.get_transform().transform(ln.get_xydata()):
            marks.append((ln.get_gid(), Bbox([[x - r, y - r], [x + r, y + r]])))
    return bars, marks


def layout_problems(fig) -> list[str]:
    """What a reader would see as broken: overlapping texts or bars, labels over bars or markers, text cut off,
    data labels outside the axes."""
    texts, renderer = _drawn_texts(fig)
    W, H = fig.bbox.width, fig.bbox.height
    out = []
    for t, bb in texts:
        if bb.x0 < -TOL or bb.y0 < -TOL or bb.x1 > W + TOL or bb.y1 > H + TOL:
            out.append(f"cut off at the figure edge: {t.get_text()!r} {bb.bounds}")
        if "\u2026" in t.get_text() or "..." in t.get_text():
            out.append(f"shortened text: {t.get_text()!r}")
        lines = t.get_text().split("\n")
        for a, b in zip(lines, lines[1:]):
            if a.endswith("-") and not a.endswith(" -") and b[:1].isalnum():
                out.append(f"word broken at a hyphen: {a!r} / {b!r}")
    for (t1, b1), (t2, b2) in itertools.combinations(texts, 2):
        if _overlap(b1, b2):
            out.append(f"overlapping texts: {t1.get_text()!r} and {t2.get_text()!r}")
    drawn = {id(t) for t, _ in texts}
    for ax in fig.axes:
        box = ax.bbox
        bars, marks = _data_marks(ax, renderer)
        for gid, b in marks:
            if b.x0 < box.x0 - TOL or b.x1 > box.x1 + TOL or b.y0 < box.y0 - TOL or b.y1 > box.y1 + TOL:
                out.append(f"marker cut off at the axes edge: {gid}")
        for (g1, b1), (g2, b2) in itertools.combinations(bars, 2):
            nested = ":" in g1 and g1.split(":")[0] == g2.split(":")[0] and (_contains(b1, b2) or _contains(b2, b1))
            if _overlap(b1, b2) and not nested:
                out.append(f"overlapping bars: {g1} and {g2}")
        for t in ax.texts:
            if not t.get_visible() or not t.get_text().strip():
                continue
            bb = t.get_window_extent(renderer)
            if bb.x0 < box.x0 - TOL or bb.x1 > box.x1 + TOL or bb.y0 < box.y0 - TOL or bb.y1 > box.y1 + TOL:
                out.append(f"data label outside its axes: {t.get_text()!r}")
            if id(t) not in drawn:
                continue
            for gid, b in bars:
                if _overlap(bb, b) and not _contains(b, bb):
                    out.append(f"label over a bar: {t.get_text()!r} over {gid}")
            for gid, b in marks:
                if _overlap(bb, b):
                    out.append(f"label over a marker: {t.get_text()!r} over {gid}")
    return out


def _long(n, k):
    return f"{n} " + " ".join(["very-long-word"] * k)


def _crowded(folder):
    dirs = ["northern-strategic", "southern-strategic", "eastern-strategic", "western-strategic", "caucasus",
            "arctic", "pacific", "baltic"]
    rot = {"id": "crowd-rot", "name": _long("Crowded rotating series with an unreasonably long name", 2),
           "kind": "rotating", "directions": ";".join(dirs), "events_per_year": "single",
           "regular_participants": "CHN;BLR;KAZ;IND"}
    rec = {"id": "crowd-rec", "name": _long("Crowded recurring series (with a parenthesis", 3) + ")",
           "kind": "recurring",
           "directions": "", "events_per_year": "multiple", "regular_participants": "RUS;CHN"}
    ev = []
    # places a few hundred km apart, so markers and their year labels crowd each other on the map
    spots = [(55.75, 37.62), (54.98, 60.37), (53.2, 50.15), (56.3, 43.9), (51.7, 39.2), (43.12, 131.89)]
    for i, y in enumerate(range(1986, 2026)):
        d = dirs[i % len(dirs)] if i % 9 else "other"
        start = f"{y}" if i % 7 == 3 else (f"{y}-{(i % 12) + 1:02d}" if i % 5 == 2 else f"{y}-12-{10 + i % 15:02d}")
        lat, lon = spots[i % len(spots)] if i % 4 else ("", "")
        ev.append({"id": f"ROT-{y}", "series": "crowd-rot", "direction": d, "start_date": start,
                   "participants": "RUS;CHN" if i % 2 else "RUS;BLR;KAZ", "sources": "https://example.org/r",
                   "lat": lat, "lon": lon})
        for k in range(4):
            lat, lon = spots[(i + k) % len(spots)] if k < 2 else ("", "")
            ev.append({"id": f"REC-{y}-{k}", "series": "crowd-rec", "start_date": f"{y}-{1 + 3 * k:02d}-1{k}",
                       "participants": "RUS;CHN" if (y + k) % 3 else "RUS", "sources": "https://example.org/c",
                       "lat": lat, "lon": lon})
    ev.append({"id": "ROT-2026", "series": "crowd-rot", "direction": dirs[0], "start_date": "2026",
               "status": "announced", "first_reported": "2025-12-01"})
    return load_catalogue(write_catalogue(folder, ev, [rot, rec]))


AS_OF = dt.date(2026, 3, 1)
CASES = [("bundled", "russia-strategic"), ("bundled", "union-shield"), ("bundled", "joint-air-patrol"),
         ("crowded", "crowd-rot"), ("crowded", "crowd-rec")]


@pytest.fixture(scope="module")
def catalogues(tmp_path_factory):
    return {"bundled": load_catalogue(), "crowded": _crowded(tmp_path_factory.mktemp("crowded"))}


@pytest.mark.parametrize("which,series", CASES)
@pytest.mark.parametrize("kind", KINDS)
def test_plot_kinds_have_clean_layout(catalogues, which, series, kind):
    cat = catalogues[which]
    rotating = cat.get_series(series).rotating
    if kind == "transition" and not rotating:
        pytest.skip("the transition matrix is defined for rotating series only")
    if kind == "power" and not rotating:
        pytest.skip("the power figure shows the rotation test")
    fig = make_figure(kind, cat, series, as_of=AS_OF, seed=0)
    assert layout_problems(fig) == []


@pytest.mark.parametrize("which", ["bundled", "crowded"])
@pytest.mark.parametrize("kind", ["map", "outlook"])
def test_figures_of_every_series_have_clean_layout(catalogues, which, kind):
    """All series on one map (markers at shared places, long names, labels that may not fit) and on one
    12-month calendar (a row per series, reasons for missing forecasts, announced events)."""
    fig = make_figure(kind, catalogues[which], None, as_of=AS_OF)
    assert layout_problems(fig) == []


@pytest.mark.parametrize("which,series", CASES)
def test_report_figures_have_clean_layout(catalogues, which, series):
    cat = catalogues[which]
    r = analyse(cat, series, AS_OF, 3, 0, ["track_record"])
    for make in (history_figure, forecast_figure, track_record_figure):
        assert layout_problems(make(r, PAGE_WIDTH)) == [], make.__name__


def test_the_check_can_fail():
    """Two texts drawn on top of each other, and a title cut off, are found."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(3, 2), dpi=72)
    ax = fig.add_subplot()
    ax.text(0.5, 0.5, "overlapping", transform=ax.transAxes)
    ax.text(0.52, 0.5, "overlapping too", transform=ax.transAxes)
    ax.set_title("a title far too long for a figure of three inches " * 2, loc="left")
    found = layout_problems(fig)
    assert any("overlapping texts" in p for p in found)
    assert any("cut off" in p for p in found)


@pytest.mark.parametrize("kind", ["timeline", "datefan", "map", "forecast"])
def test_no_word_is_broken(tmp_path, kind):
    """Names with a long domain and hyphenated words wrap between words only ("the monexus.com", "mediu m",
    "multi-/theatre" were the defects)."""
    name = ("Patrol first reported by themonexus.com and by pre-announcement-only outlets, confidence medium, "
            "in a multi-theatre setting")
    series = [{"id": "odd", "name": name, "kind": "recurring", "directions": "", "events_per_year": "single",
               "regular_participants": "RUS"}]
    ev = [{"id": f"E-{y}", "series": "odd", "start_date": f"{y}-0{1 + y % 9}-15", "participants": "RUS",
           "lat": 43.1, "lon": 131.9} for y in range(2010, 2024)]
    cat = load_catalogue(write_catalogue(tmp_path, ev, series))
    fig = make_figure(kind, cat, "odd", as_of=AS_OF)
    texts = [t.get_text() for t, _ in _drawn_texts(fig)[0]]
    lines = [ln for t in texts for ln in t.split("\n")]
    for word in ("themonexus.com", "pre-announcement-only", "medium,", "multi-theatre"):
        assert any(word in ln for ln in lines), (word, texts)
    assert layout_problems(fig) == []


def test_the_check_finds_overlapping_bars_and_labels_over_bars():
    """Two event bars sharing a row (2008 and 2009 drawn on top of each other), a code printed over another
    event's bar, and a label over a marker are found; a band nested in its own year's band and a code inside
    its own cell are not."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    fig = Figure(figsize=(4, 3), dpi=72)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set_xlim(0, 366)
    ax.set_ylim(2010.5, 2006.5)
    for gid, x0, w, y in (("RU-2008-TSENTR", 240, 27, 2008), ("RU-2008-OTHER", 260, 30, 2008.3),
                          ("RU-2007", 100, 20, 2007)):
        r = Rectangle((x0, y - 0.35), w, 0.7)
        r.set_gid(gid)
        ax.add_patch(r)
    ax.text(240, 2007.8, "Z", ha="center", va="center")         # over RU-2008-TSENTR, not inside it whole
    ax.text(110, 2007, "V", ha="center", va="center", fontsize=6)  # inside its own bar: fine
    for gid, a, b in (("2010:q025-q975", 10, 200), ("2010:q10-q90", 50, 150)):
        r = Rectangle((a, 2009.7), b - a, 0.6)
        r.set_gid(gid)
        ax.add_patch(r)
    ax.plot([330], [2009], linestyle="none", marker="o", markersize=8, gid="2009:observed")
    ax.plot([366], [2007], linestyle="none", marker="*", markersize=6, gid="RU-2007:CHN:took-part")
    ax.text(330, 2009, "2009", ha="center", va="center", fontsize=6)
    found = layout_problems(fig)
    assert "overlapping bars: RU-2008-TSENTR and RU-2008-OTHER" in found
    assert "label over a bar: 'Z' over RU-2008-TSENTR" in found
    assert "label over a marker: '2009' over 2009:observed" in found
    assert "marker cut off at the axes edge: RU-2007:CHN:took-part" in found
    assert not any("'V'" in p or "q10-q90" in p for p in found)
    assert all(isinstance(t, Text) for t, _ in _drawn_texts(fig)[0])
