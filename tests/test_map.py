"""The event map: the offline base layer, the places it is given, and the plot command."""

from __future__ import annotations

import csv
import datetime as dt
import doctest

import numpy as np
import pytest

from drillcast import analysis
from drillcast.data import places as places_module
from drillcast.data.catalogue import bundled_path, load_catalogue
from drillcast.data.places import event_places
from drillcast.errors import ParameterError
from drillcast.present import basemap, plot_map
from drillcast.present.figures import new_figure

from .conftest import ROT_SERIES, cycle_events, write_catalogue

AS_OF = dt.date(2026, 12, 7)


@pytest.fixture(scope="module")
def world_pixels(tmp_path_factory):
    """The world map (no events) rendered, and a function from (lon, lat) to the pixel's grey level."""
    cat = load_catalogue(write_catalogue(tmp_path_factory.mktemp("world"), cycle_events(2001, 2008), [ROT_SERIES]))
    fig = analysis.figure("map", cat, "rot", as_of=dt.date(2010, 1, 1))
    fig.set_dpi(200)
    fig.canvas.draw()
    img = np.asarray(fig.canvas.buffer_rgba())
    ax = fig.axes[0]

    def grey(lon, lat):
        # The most common value in a 7 x 7 pixel window: a border line or antialiasing near the point
        # (which differ between matplotlib versions) does not decide whether the place is land.
        x, y = ax.transData.transform((lon, lat))
        row, col = img.shape[0] - 1 - int(round(y)), int(round(x))
        window = img[row - 3:row + 4, col - 3:col + 4, 0].ravel()
        values, counts = np.unique(window, return_counts=True)
        return int(values[np.argmax(counts)])

    return grey


@pytest.mark.parametrize("lon,lat,is_land", [
    (95.0, 62.0, True),     # central Siberia
    (116.4, 39.9, True),    # Beijing
    (22.0, -31.0, True),    # South Africa
    (-100.0, 40.0, True),   # Kansas
    (-20.0, -30.0, False),  # South Atlantic
    (49.0, 44.0, False),    # the Caspian Sea: a hole in Eurasia, left empty
    (-140.0, 25.0, False),  # Pacific
    (-173.0, 66.5, True),   # Chukotka, east of the antimeridian (Eurasia's ring runs past 180 degrees)
])
def test_base_layer_is_land_where_the_atlas_says(world_pixels, lon, lat, is_land):
    """Known places are drawn as land (grey) or sea (white), with holes left empty."""
    land_grey = int(plot_map._LAND[1:3], 16)
    assert world_pixels(lon, lat) == (land_grey if is_land else 255)


def test_base_layer_is_small_and_documented():
    from importlib import resources

    files = resources.files("drillcast.present.basemap")
    assert len(files.joinpath("ne_110m.json").read_bytes()) < 200_000
    prov = files.joinpath("PROVENANCE.md").read_text(encoding="utf-8")
    for word in ("Natural Earth", "public domain", "world-atlas 2.0.2", "tools/build_basemap.py"):
        assert word in prov
    land, borders = basemap.outline()
    assert not land[0][0].flags.writeable
    # the rings close (TopoJSON rings repeat their first point) except Antarctica's, closed along 85 S
    open_rings = [r for poly in land for r in poly if not np.allclose(r[0], r[-1])]
    assert len(open_rings) <= 1 and all(r[:, 1].min() < -80 for r in open_rings)
    # no step of more than 180 degrees of longitude left inside a ring or a border
    for line in [r for poly in land for r in poly] + list(borders):
        assert np.abs(np.diff(line[:, 0])).max() < 180


def test_build_script_decodes_topojson_by_hand():
    """A two-square topology: the shared arc is a border, the land rings are the decoded arcs."""
    import importlib.util
    from pathlib import Path as P

    spec = importlib.util.spec_from_file_location("build_basemap", P(__file__).parents[1] / "tools" / "build_basemap.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    topo = {"transform": {"scale": [0.5, 0.5], "translate": [10, 20]},
            "arcs": [[[0, 0], [0, 2]],                      # 0: the shared edge x=10, y 20->21
                     [[0, 2], [-2, 0], [0, -2], [2, 0]],    # 1: west square's other three sides
                     [[0, 0], [2, 0], [0, 2], [-2, 0]]],    # 2: east square's other three sides
            "objects": {"countries": {"geometries": [{"type": "Polygon", "arcs": [[0, 1]]},
                                                     {"type": "Polygon", "arcs": [[2, ~0]]}]},
                        "land": {"geometries": [{"type": "Polygon", "arcs": [[1, 2]]}]}}}
    out = mod.build(topo)
    assert out["borders"] == [[10.0, 20.0, 10.0, 21.0]]
    assert out["land"] == [[[10.0, 21.0, 9.0, 21.0, 9.0, 20.0, 10.0, 20.0, 11.0, 20.0, 11.0, 21.0, 10.0, 21.0]]]
    assert mod.unwrap([(179.0, 0.0), (-179.0, 1.0), (179.0, 2.0)]) == [(179.0, 0.0), (181.0, 1.0), (179.0, 2.0)]


def test_places_are_the_catalogues_held_events_with_coordinates():
    """Against a direct reading of the CSV: every held row with lat/lon, and the count without."""
    cat = load_catalogue()
    res = analysis.places(cat, None, as_of=AS_OF)
    with open(bundled_path(), encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["status"] == "held"]
    assert {p.event_id: (p.lat, p.lon) for p in res.places} == {
        r["id"]: (float(r["lat"]), float(r["lon"])) for r in rows if r["lat"]}
    for sid in res.series:
        assert res.unplaced[sid] == sum(1 for r in rows if r["series"] == sid and not r["lat"])
    assert res.colour_by == "series" and res.categories == tuple(cat.series_ids())
    assert len(res.to_frame()) == len(res.places) == len(res.to_dict()["places"])
    assert doctest.testmod(places_module).failed == 0
    assert doctest.testmod(basemap).failed == 0


def test_places_know_only_what_was_reported_by_the_as_of_date():
    cat = load_catalogue()
    early = analysis.places(cat, "mosi", as_of=dt.date(2019, 12, 31))
    late = analysis.places(cat, "mosi", as_of=AS_OF)
    assert [p.year for p in early.places] == [2019]
    assert [p.year for p in late.places] == [2019, 2026]
    with pytest.raises(ParameterError, match="snapshot"):
        event_places(cat, ["mosi"])


def test_one_rotating_series_is_coloured_by_direction(tmp_path):
    ev = cycle_events(2001, 2008, other=(2005,))
    for k, e in enumerate(ev):
        e["lat"], e["lon"] = (55.0, 37.6) if k % 2 else (43.1, 131.9)
    ev[0]["lat"] = ev[0]["lon"] = ""
    cat = load_catalogue(write_catalogue(tmp_path, ev, [ROT_SERIES]))
    res = analysis.places(cat, "rot", as_of=dt.date(2010, 1, 1))
    assert res.colour_by == "direction"
    assert set(res.categories) == {p.label for p in res.places} and "other" in res.categories
    assert res.unplaced == {"rot": 1}
    fig, ax = new_figure(plot_map.map_size(res))
    plot_map.plot_event_map(res, ax=ax)
    markers = {ln.get_gid(): ln for ln in ax.lines if ln.get_gid()}
    # one marker per (direction, place); its gid lists its events and it sits on their coordinates
    groups = {}
    for p in res.places:
        groups.setdefault((p.label, p.lat, p.lon), []).append(p.event_id)
    assert sorted(markers) == sorted(";".join(ids) for ids in groups.values())
    for (label, lat, lon), ids in groups.items():
        ln = markers[";".join(ids)]
        assert (ln.get_xdata()[0], ln.get_ydata()[0]) == (lon, lat)
    written = {t.get_text() for t in ax.texts}
    years = {", ".join(str(y) for y in sorted(p.year for p in res.places if (p.label, p.lat, p.lon) == k))
             for k in groups}
    assert years <= written | {t for t in years if t in ax.get_xlabel()}
    assert "Not shown: 1 of 8 held events" in ax.get_xlabel()


def test_map_without_coordinates_says_so(tmp_path):
    cat = load_catalogue(write_catalogue(tmp_path, cycle_events(2001, 2008), [ROT_SERIES]))
    fig = analysis.figure("map", cat, "rot", as_of=dt.date(2010, 1, 1))
    ax = fig.axes[0]
    assert any("no held event of this series has coordinates" in t.get_text() for t in ax.texts)
    assert "Not shown: 8 of 8 held events" in ax.get_xlabel()
    assert {c.get_gid() for c in ax.collections} >= {"land", "borders"}


def test_plot_map_cli_writes_one_file_for_several_series(tmp_path, capsys):
    from drillcast.cli import main

    out = tmp_path / "map.svg"
    assert main(["plot", "map", "--series", "joint-sea,mosi", "--as-of", "2026-12-07", "-o", str(out)]) == 0
    assert out.exists() and not list(tmp_path.glob("map-*.svg"))
    svg = out.read_text()
    assert "CNRU-2012-JOINTSEA;CNRU-2019-JOINTSEA" in svg and "ZACNRU-2019-MOSI" in svg
    first = out.read_bytes()
    assert main(["plot", "map", "--series", "joint-sea,mosi", "--as-of", "2026-12-07", "-o", str(out)]) == 0
    assert out.read_bytes() == first  # same inputs, same bytes


def test_map_and_calendar_show_the_names_given():
    from drillcast.present.plot_outlook import plot_outlook_calendar

    cat = load_catalogue()
    res = analysis.places(cat, ["mosi", "joint-sea"], as_of=AS_OF)
    fig, ax = new_figure(plot_map.map_size(res))
    plot_map.plot_event_map(res, ax=ax, names={"mosi": "Mosi as then named"})
    n = sum(p.series == "mosi" for p in res.places)
    assert f"Mosi as then named ({n})" in [t.get_text() for t in ax.get_legend().get_texts()]
    out = analysis.outlook(cat, "mosi", as_of=AS_OF)
    fig, ax = new_figure((7.2, 2.0))
    plot_outlook_calendar(out, ax=ax, names={"mosi": "Mosi as then named"})
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Mosi as then named"]
