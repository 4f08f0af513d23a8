"""Results -> a map: where held events took place, on an offline Natural Earth base layer.

:func:`plot_event_map` draws an :class:`~drillcast.data.places.EventPlaces` result
(:func:`drillcast.analysis.places`) and never computes anything about the events. The base
layer is Natural Earth 1:110m land and country borders shipped with the package
(:mod:`drillcast.present.basemap`), so the map needs no network and no cartopy.

Projection: equirectangular (plate carree) with the aspect ratio ``1 / cos(mid-latitude)``,
so shapes are true at the middle of the map; at the scale of these maps (a region to the
world) the distortion away from it is what a reader expects of a world map.
"""

from __future__ import annotations

import math

from drillcast.present.plotting import (_COLOURS, _GRID, _MARKERS, _TEXT_GREY, _new_axes, _text, _title,
                                        category_styles, style, wrap_words)

__all__ = ["plot_event_map", "map_extent", "map_groups", "map_size"]

_LAND, _LAND_EDGE, _BORDER, _SEA = "#E9E9E9", "#9A9A9A", "#B5B5B5", "#FFFFFF"
_WORLD = (-180.0, 180.0, -58.0, 84.0)


def map_groups(places) -> list[dict]:
    """Events drawn as one marker: same colour category and the same place (to half a degree, about 50 km:
    a naval base and the town beside it are one point at the scale of these maps).

    Each group is ``{"category", "lat", "lon", "years", "ids"}``; years sorted, one entry per event.
    """
    groups: dict = {}
    for p in places.places:
        key = (places.category(p), round(p.lat * 2) / 2, round(p.lon * 2) / 2)
        g = groups.setdefault(key, {"category": key[0], "lat": p.lat, "lon": p.lon, "years": [], "ids": []})
        g["years"].append(p.year)
        g["ids"].append(p.event_id)
    for g in groups.values():
        g["years"].sort()
    return list(groups.values())


def map_extent(places) -> tuple[float, float, float, float]:
    """``(lon0, lon1, lat0, lat1)`` showing every place with a margin, at least 70 x 35 degrees.

    The shorter side is widened so that the map (in its projection) is between 1.6 and 2.4 times as
    wide as tall; with no places, the world from 58 S to 84 N.
    """
    if not places.places:
        return _WORLD
    lons = [p.lon for p in places.places]
    lats = [p.lat for p in places.places]
    lo0, lo1, la0, la1 = min(lons), max(lons), min(lats), max(lats)
    pad_lo = max(8.0, 0.15 * (lo1 - lo0))
    pad_la = max(6.0, 0.15 * (la1 - la0))
    lo0, lo1, la0, la1 = lo0 - pad_lo, lo1 + pad_lo, la0 - pad_la, la1 + pad_la
    if lo1 - lo0 < 70.0:
        mid = (lo0 + lo1) / 2
        lo0, lo1 = mid - 35.0, mid + 35.0
    if la1 - la0 < 35.0:
        mid = (la0 + la1) / 2
        la0, la1 = mid - 17.5, mid + 17.5
    k = math.cos(math.radians((la0 + la1) / 2))
    ratio = (lo1 - lo0) * k / (la1 - la0)
    if ratio < 1.6:  # too tall: widen
        extra = (1.6 * (la1 - la0) / k - (lo1 - lo0)) / 2
        lo0, lo1 = lo0 - extra, lo1 + extra
    elif ratio > 2.4:  # too wide: heighten
        extra = ((lo1 - lo0) * k / 2.4 - (la1 - la0)) / 2
        la0, la1 = la0 - extra, la1 + extra
    lo0, lo1 = max(-180.0, lo0), min(180.0, lo1)
    la0, la1 = max(-85.0, la0), min(85.0, la1)
    return lo0, lo1, la0, la1


def _styles(places) -> dict:
    """Colour and marker per category: direction styles for one rotating series, else one per series."""
    if places.colour_by == "direction":
        return category_styles(places.categories)
    # past eight series the colours repeat with the next marker shape, so no two series look alike
    return {sid: {"colour": _COLOURS[i % len(_COLOURS)], "marker": _MARKERS[(i + i // len(_COLOURS)) % len(_MARKERS)],
                  "label": sid} for i, sid in enumerate(places.categories)}


def _short(name: str, width: int = 34) -> str:
    """A series name short enough for a legend: without its parenthesis or alternative name."""
    name = _text(name)
    if len(name) > width:
        name = name.split(" (")[0].split(" / ")[0].strip() or name
    return name


def _degrees(v: float, pos: str, neg: str) -> str:
    return f"{abs(v):g}\u00b0{pos if v > 0 else neg if v < 0 else ''}"


def _draw_base(ax, extent) -> None:
    import numpy as np
    from matplotlib.collections import LineCollection, PathCollection
    from matplotlib.path import Path

    from drillcast.present.basemap import outline

    land, borders = outline()
    lo0, lo1, la0, la1 = extent
    paths = []
    for poly in land:
        a = poly[0]
        # a polygon crossing the antimeridian runs past +-180 degrees: draw it again on the other side
        shifts = [0.0] + [-360.0] * bool(a[:, 0].max() > 180) + [360.0] * bool(a[:, 0].min() < -180)
        for shift in shifts:
            x0, x1 = a[:, 0].min() + shift, a[:, 0].max() + shift
            if x1 < lo0 - 1 or x0 > lo1 + 1 or a[:, 1].max() < la0 - 1 or a[:, 1].min() > la1 + 1:
                continue  # off the map: keep vector output small
            verts = np.concatenate(poly) + (shift, 0.0)
            codes = np.concatenate([[Path.MOVETO] + [Path.LINETO] * (len(r) - 2) + [Path.CLOSEPOLY] for r in poly])
            paths.append(Path(verts, codes))
    coll = PathCollection(paths, facecolors=_LAND, edgecolors=_LAND_EDGE, linewidths=0.4, zorder=0.6)  # above the grid
    coll.set_gid("land")
    ax.add_collection(coll)
    lines = [b for b in borders if not (b[:, 0].max() < lo0 - 1 or b[:, 0].min() > lo1 + 1
                                        or b[:, 1].max() < la0 - 1 or b[:, 1].min() > la1 + 1)]
    bl = LineCollection(lines, colors=_BORDER, linewidths=0.35, zorder=0.7)
    bl.set_gid("borders")
    ax.add_collection(bl)


def _renderer(fig):
    get = getattr(fig.canvas, "get_renderer", None)
    return get() if get is not None else fig._get_renderer()


def _marker_size(n: int) -> float:
    """Marker size in points for ``n`` events: area grows with ``n``, up to 9 events."""
    return 4.5 * math.sqrt(min(n, 9)) + 1.5


def _years(years) -> str:
    """``2007, 2013, 2018``; past four events ``14 events, 1986-2022``."""
    if len(years) <= 4:
        return ", ".join(str(y) for y in years)
    return f"{len(years)} events, {years[0]}\u2013{years[-1]}"


def _place_labels(ax, items) -> tuple[list, list]:
    """Label each marker beside it where the label overlaps no other label, marker or the axes edge.

    ``items``: dicts with ``lon``, ``lat``, ``dx`` (the marker's offset in points), ``text`` and
    ``rad`` (the marker's radius in points). Tries eight positions around the marker, nearest first.
    Returns (the labels drawn, the items that found no free position).
    """
    from matplotlib.transforms import offset_copy

    fig = ax.figure
    fig.draw_without_rendering()  # settle the layout: marker positions on the page
    r = _renderer(fig)
    px = fig.dpi / 72.0
    box = ax.bbox
    taken = []  # display-space boxes (x0, y0, x1, y1) of markers and placed labels
    for it in items:
        x, y = ax.transData.transform((it["lon"], it["lat"]))
        x += it["dx"] * px
        taken.append((x - it["rad"] * px, y - it["rad"] * px, x + it["rad"] * px, y + it["rad"] * px))
    drawn, missed = [], []
    for it in items:
        g = it["rad"] + 2.0
        at = offset_copy(ax.transData, fig=fig, x=it["dx"], y=0, units="points")
        for dx, dy, ha, va in ((g, 0, "left", "center"), (-g, 0, "right", "center"), (0, g, "center", "bottom"),
                               (0, -g, "center", "top"), (g, g, "left", "bottom"), (-g, g, "right", "bottom"),
                               (g, -g, "left", "top"), (-g, -g, "right", "top")):
            t = ax.annotate(it["text"], (it["lon"], it["lat"]), xycoords=at, xytext=(dx, dy),
                            textcoords="offset points", ha=ha, va=va, fontsize=6.5, color="#000000", zorder=3)
            t.set_in_layout(False)
            bb = t.get_window_extent(r)
            inside = bb.x0 >= box.x0 + 1 and bb.x1 <= box.x1 - 1 and bb.y0 >= box.y0 + 1 and bb.y1 <= box.y1 - 1
            if inside and all(bb.x1 <= a or bb.x0 >= c or bb.y1 <= b or bb.y0 >= d for a, b, c, d in taken):
                taken.append((bb.x0, bb.y0, bb.x1, bb.y1))
                drawn.append(t)
                break
            t.remove()
        else:
            missed.append(it)
    return drawn, missed


def _markers(ax, places, styles, names) -> list:
    """One marker per group; groups of different categories at one place stand side by side."""
    from matplotlib.transforms import offset_copy

    at: dict = {}
    for g in map_groups(places):
        at.setdefault((round(g["lat"] * 2) / 2, round(g["lon"] * 2) / 2), []).append(g)
    items = []
    for same in at.values():
        sizes = [_marker_size(len(g["years"])) for g in same]
        x = -(sum(sizes) + 1.0 * (len(same) - 1)) / 2
        for g, size in zip(same, sizes):
            dx = x + size / 2
            x += size + 1.0
            st = styles[g["category"]]
            ax.plot([g["lon"]], [g["lat"]], linestyle="none", marker=st["marker"], markersize=size,
                    markerfacecolor=st["colour"], markeredgecolor="#000000", markeredgewidth=0.6, zorder=2,
                    gid=";".join(g["ids"]), transform=offset_copy(ax.transData, fig=ax.figure, x=dx, y=0,
                                                                   units="points"))
            who = f"{st['code']} {g['category']}" if places.colour_by == "direction" else \
                _short(names[g["category"]])
            items.append({"lon": g["lon"], "lat": g["lat"], "dx": dx, "rad": size / 2, "who": who,
                          "text": _years(g["years"])})
    return items


def plot_event_map(places, ax=None, *, names=None):
    """Where each held event took place: one marker per place, coloured by direction or series.

    Parameters
    ----------
    places : drillcast.data.places.EventPlaces
        From :func:`drillcast.analysis.places`.
    ax : matplotlib Axes, optional
        A new figure is made if none is given.
    names : dict of str to str, optional
        Series id -> the name to show (default: ``places.names``, the snapshot's; a report as of a
        past date passes the names as then written).

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    Events at the same place (to half a degree) and in the same category share a marker, labelled
    with their years ("2007, 2013, 2018") where the label fits without covering another label or
    marker (else the years are listed under the map); a marker's area grows with its number of
    events, and markers of different categories at one place stand side by side. Colours: the direction colours of
    :func:`~drillcast.present.plotting.category_styles` for one rotating series, else one
    Okabe-Ito colour and marker shape per series. The foot of the map says how many held events
    have no coordinates in the catalogue (multi-theatre exercises, or no specific place named) and
    so are not shown. Each marker is a Line2D with ``gid`` = its events' ids joined by ``;``;
    the land is a PathCollection with ``gid`` ``"land"``, the borders a LineCollection ``"borders"``.
    """
    from matplotlib.lines import Line2D
    from matplotlib.ticker import FuncFormatter

    with style():
        names = {**places.names, **(names or {})}
        ax = _new_axes(ax, figsize=(7.2, 4.2))
        if len(places.series) == 1:
            title = _title(names[places.series[0]], f"where held events took place, as known on {places.as_of}",
                           width=50)
        else:
            title = f"Where held events took place, as known on {places.as_of}"
        extent = map_extent(places)
        lo0, lo1, la0, la1 = extent
        ax.set_facecolor(_SEA)
        _draw_base(ax, extent)
        ax.set_xlim(lo0, lo1)
        ax.set_ylim(la0, la1)
        ax.set_aspect(1.0 / math.cos(math.radians((la0 + la1) / 2)), adjustable="box")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _degrees(v, "E", "W")))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _degrees(v, "N", "S")))
        ax.tick_params(length=2, labelsize=6.5, labelcolor=_TEXT_GREY)
        for s in ax.spines.values():
            s.set_visible(True)
            s.set_color(_LAND_EDGE)
            s.set_linewidth(0.6)
        ax.grid(color=_GRID, linewidth=0.3)
        ax.set_title(title, loc="left")
        n_out = sum(places.unplaced.values())
        notes = []
        if n_out:
            notes.append(f"Not shown: {n_out} of {places.n_held} held events, which have no coordinates in the "
                         "catalogue (multi-theatre, or no specific place named).")
        _note(ax, notes)
        if not places.places:
            ax.text(0.5, 0.5, "no held event of " + ("this series" if len(places.series) == 1 else "these series")
                    + " has coordinates in the catalogue", ha="center", va="center", transform=ax.transAxes,
                    color=_TEXT_GREY, bbox={"boxstyle": "round,pad=0.4", "facecolor": "#FFFFFF",
                                            "edgecolor": _LAND_EDGE, "linewidth": 0.5})
            return ax
        styles = _styles(places)
        items = _markers(ax, places, styles, names)
        handles = []
        for c in places.categories:
            st = styles[c]
            n = sum(places.category(p) == c for p in places.places)
            if not n:
                continue
            name = f"{st['code']} {c}" if places.colour_by == "direction" else \
                wrap_words(_short(names[c]), 24)
            handles.append(Line2D([], [], linestyle="none", marker=st["marker"], markersize=6,
                                  markerfacecolor=st["colour"], markeredgecolor="#000000", markeredgewidth=0.6,
                                  label=f"{name} ({n})"))
        if any("," in it["text"] for it in items):
            handles.append(Line2D([], [], linestyle="none", marker="o", markersize=_marker_size(3),
                                  markerfacecolor="none", markeredgecolor=_TEXT_GREY, label="larger: several events"))
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0,
                  title="held events\n(number placed)", title_fontsize=7, alignment="left")
        # a note on labels that did not fit changes the layout: place them again until it settles
        shown = ""
        for attempt in range(4):
            drawn, missed = _place_labels(ax, items)
            text = ("No room for the years beside these markers: " + "; ".join(
                f"{it['who']} {it['text']}" for it in missed) if len(missed) <= 3 else
                f"No room for the years beside {len(missed)} markers") if missed else ""
            if text != shown:
                _note(ax, notes + [text + "."] if text else notes)
            if text == shown or attempt == 3:
                break
            for t in drawn:
                t.remove()
            shown = text
    return ax


def _note(ax, notes) -> None:
    """What the map leaves out, under it, wrapped to the width of the map."""
    if notes:
        width = max(40, int(ax.figure.get_figwidth() * 72 * 0.62 / (6.5 * 0.55)))
        ax.set_xlabel("\n".join(wrap_words(n, width) for n in notes), fontsize=6.5, color=_TEXT_GREY,
                      loc="left")


def map_size(places, width: float = 7.2) -> tuple[float, float]:
    """``(width, height)`` in inches of a figure that fits the map of ``places`` and its legend."""
    lo0, lo1, la0, la1 = map_extent(places)
    ratio = (lo1 - lo0) * math.cos(math.radians((la0 + la1) / 2)) / (la1 - la0)
    map_h = 0.64 * width / ratio + 1.0  # the map takes ~64 % of the width; title, ticks and notes ~1 in
    names = [wrap_words(_short(places.names[c]), 24) for c in places.categories] if places.colour_by == "series" \
        else list(places.categories)
    legend_h = 0.55 + 0.16 * sum(n.count("\n") + 1 for n in names)
    return width, round(min(7.5, max(3.0, map_h, legend_h)), 2)
