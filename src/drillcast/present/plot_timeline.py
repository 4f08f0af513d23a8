"""Results -> the timeline: every event of a series as a bar over its dates, one band per year.

Events of one year that would cover each other (Tsentr-2008 and Stabilnost-2008 overlap in
September 2008) go to separate lanes of the year's band, and a lane keeps room for an event's
direction code and participant markers, so no bar, code or marker is drawn over another. Runs
of three or more years without an event shrink to one thin band ("2007-2010: none"), so a
series held every four years does not spend most of its height on empty rows.
"""

from __future__ import annotations

from drillcast.present.plotting import (_GRID, _TEXT_GREY, _blend, _doy, _label_of, _month_axis, _new_axes,
                                        _no_data, _title, category_styles, style)

__all__ = ["plot_timeline", "timeline_rows", "timeline_layout"]

GAP_MIN = 3  # empty years in a row that shrink to one band
GAP_HEIGHT = 1.0  # height of such a band, in lanes (room for its label)
CODE_PT = 12.0  # room a direction code takes beside its bar, in points
MARK_DAYS = 8  # days per participant marker beside a bar


def _extent(r):
    """(x0, x1) of an event's bar in day-of-year units (end exclusive); None for a start known to the year."""
    if r["start"].precision == "year":
        return None
    y = r["start"].year
    x0 = _doy(r["start"].low)
    end_day = r["end"].high if r["end"] is not None else r["start"].high
    x1 = _doy(end_day) + 1 if end_day.year == y else 366
    return x0, max(x1, x0 + 1)


def timeline_layout(events, first: int, last: int, *, code_days: float = 0.0, marks=None) -> dict:
    """Where each event goes: lanes within year bands, and shrunk runs of empty years.

    Parameters
    ----------
    events : list of dict
        Catalogue records of one series.
    first, last : int
        Years shown.
    code_days : float
        Days a direction code needs beside a primary event's bar (0: no codes).
    marks : callable, optional
        ``marks(record)`` -> number of participant markers drawn after the bar.

    Returns
    -------
    dict
        ``lane``: event id -> lane index; ``place``: event id -> ``{"code": (x, ha) or None, "marks":
        (x of the first participant marker, step)}`` (markers go before the bar when they would pass
        the year's end, and the code beyond them); ``bands``: list of
        ``(kind, y0, y1, base, lanes)`` top to bottom, ``kind`` a year (int) or a ``(from, to)`` run
        of empty years, ``base`` the y of the band's first lane; ``extent``: event id -> (x0, x1).
        Lane ``k`` of a year band is centred on ``base + k``; with one lane per year and no
        shrunk run, ``base`` is the year itself.
    """
    by_year: dict = {}
    for r in events:
        by_year.setdefault(r["start"].year, []).append(r)
    lane, extent, place = {}, {}, {}
    n_lanes = {}
    for y, rows in by_year.items():
        rows = sorted(rows, key=lambda r: (not r["primary"], r["start"].precision == "year", r["start"].low, r["id"]))
        used: list[list[tuple[float, float]]] = []
        for r in rows:
            ext = _extent(r)
            m = marks(r) if marks else 0
            width = 5 + MARK_DAYS * m if m else 0  # participant markers, 8 days apart after a 5-day gap
            code = None
            if ext is None:  # known to the year: a marker on a line over the whole year, a lane of its own
                lo, hi = -1e9, 1e9
                extent[r["id"]] = (0, 366)
                marks_at = (188 + 5, MARK_DAYS)  # right of the mid-year diamond
                if r["primary"] and code_days:
                    code = (178 - 3, "right")
            else:
                x0, x1 = ext
                extent[r["id"]] = ext
                if x1 + width <= 366:  # markers after the bar, else before it (never past the year's end)
                    lo, hi, marks_at = x0, x1 + width, (x1 + 5, MARK_DAYS)
                else:
                    lo, hi, marks_at = x0 - width, x1, (x0 - 5, -MARK_DAYS)
                if r["primary"] and code_days:
                    if lo >= code_days:
                        code, lo = (lo - 3, "right"), lo - code_days
                    elif hi <= 366 - code_days:
                        code, hi = (hi + 3, "left"), hi + code_days
            for k, spans in enumerate(used):
                if all(hi + 2 <= a or lo >= b + 2 for a, b in spans):
                    spans.append((lo, hi))
                    break
            else:
                k = len(used)
                used.append([(lo, hi)])
            lane[r["id"]] = k
            place[r["id"]] = {"code": code, "marks": marks_at}
        n_lanes[y] = max(1, len(used))
    bands = []
    pos = first - 0.5  # top edge of the next band; a plain year band is centred on the year
    y = first
    while y <= last:
        run = 0
        while y + run <= last and y + run not in by_year:
            run += 1
        if run >= GAP_MIN and y + run <= last:  # never shrink the last years (the as-of year)
            bands.append(((y, y + run - 1), pos, pos + GAP_HEIGHT, pos + GAP_HEIGHT / 2, 1))
            pos += GAP_HEIGHT
            y += run
            continue
        n = n_lanes.get(y, 1)
        bands.append((y, pos, pos + n, pos + 0.5, n))
        pos += n
        y += 1
    return {"lane": lane, "bands": bands, "extent": extent, "place": place}


def timeline_rows(catalogue_snapshot, series: str) -> float:
    """The height of :func:`plot_timeline`'s data area in lanes (for sizing its figure)."""
    events = catalogue_snapshot.events(series)
    if not events:
        return 1.0
    as_of = catalogue_snapshot.as_of_date
    years = [r["start"].year for r in events]
    last = max(max(years), as_of.year if as_of else max(years))
    lay = timeline_layout(events, min(years), last, code_days=1.0)
    return lay["bands"][-1][2] - lay["bands"][0][1]


def plot_timeline(catalogue_snapshot, series: str, ax=None, *, name=None):
    """Every event of ``series`` as a bar over its dates: one band per year, day of year across.

    Encoding (legend on the figure): fill colour and a one-letter code per
    direction; hatched, faded bars for starts known only to a month (the
    bar spans the month; hatching means this and nothing else in drillcast's
    figures); a diamond at mid-year on a thin line across the year for starts
    known only to the year (hollow unless held), so such an event does not
    read as a year-long exercise; outline only for cancelled or postponed
    exercises; dashed outline for announced ones; half-height bars for events
    that are not the year's primary exercise; a marker per regular participant
    whose participation varies (filled: took part, hollow: observed). A
    triangle marks the as-of date. Events of one year that would overlap, or
    cover each other's code or markers, take separate lanes of the year's band
    (bands alternate white and light grey); three or more years without an
    event shrink to one thin band labelled with the years. The legend lists
    only what appears; year labels and direction codes are thinned or left out
    when the bands are too close to print them apart.

    Each bar is a Rectangle with ``gid`` = the event id, from the first day
    of the start to the last day of the end (the start's last possible day if
    no end is known), in day-of-year units (1 January = 0, end exclusive),
    centred vertically on its lane (the year itself for a year of one lane
    when no empty years were shrunk above it, see :func:`timeline_layout`);
    a year-precision event is a Line2D marker with that ``gid``. ``name``: the series name
    for the title (default: the snapshot's; a report as of a past date passes the name as then
    written, without alternative names first used later).
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch, Rectangle

    with style():
        info = catalogue_snapshot.get_series(series)
        events = catalogue_snapshot.events(series)
        as_of = catalogue_snapshot.as_of_date
        ax = _new_axes(ax, figsize=(6.6, 3.6))
        when = f"as known on {as_of}" if as_of else "full catalogue"
        title = _title(name or info.name, f"events by date, {when}")
        if not events:
            return _no_data(ax, title, f"no events of {series} known")
        styles = category_styles(info.categories)
        # participants worth a marker: regular ones that are not in every event
        marked = [c for c in info.regular_participants
                  if not all(c in r["participants"] for r in events if r["status"] == "held")]
        marked = marked[:4]
        pmarkers = dict(zip(marked, ("*", "P", "d", "h")))
        years = [r["start"].year for r in events]
        first = min(years)
        last_year = max(max(years), as_of.year if as_of else max(years))
        # days of margin a code needs beside its bar, with the legend taking up to ~45 % of the width
        room = CODE_PT * 366 / (0.55 * ax.figure.get_figwidth() * 72 * ax.get_position().width)
        n_marks = lambda r: sum(c in r["participants"] or c in r["observers"] for c in marked)  # noqa: E731
        lay = timeline_layout(events, first, last_year, code_days=room if info.rotating else 0.0, marks=n_marks)
        bands = lay["bands"]
        top, bottom = bands[0][1], bands[-1][2]
        fig_h = ax.figure.get_figheight() * 72 * ax.get_position().height
        row_pt = fig_h / max(1.0, bottom - top + 0.4)
        codes_fit = row_pt >= 8.0
        base = {b[0]: b[3] for b in bands if isinstance(b[0], int)}
        for k, (kind, y0, y1, _, _) in enumerate(bands):
            if k % 2:
                ax.axhspan(y0, y1, color="#F3F3F3", linewidth=0, zorder=0.1)
        for r in events:
            lab = _label_of(info, r)
            st = styles[lab]
            k = lay["lane"][r["id"]]
            y = base[r["start"].year] + k
            x0, x1 = lay["extent"][r["id"]]
            status = r["status"]
            if r["start"].precision == "year":
                # the date is known only to the year: a marker at mid-year on a thin line over the
                # whole year (its uncertainty), not a bar that would read as a year-long exercise
                filled = status == "held"
                ax.plot([0, 366], [y, y], color=st["colour"] if st["colour"] != "#FFFFFF" else "#000000",
                        linewidth=0.8, linestyle=":" if status != "held" else "-", gid=f"{r['id']}:span")
                ax.plot([183], [y], linestyle="none", marker="D", markersize=5 if r["primary"] else 3.5,
                        markerfacecolor=st["colour"] if filled else "#FFFFFF", markeredgecolor="#000000",
                        markeredgewidth=0.6, gid=r["id"])
                x0, x1 = 178, 188
            else:
                coarse = r["start"].precision != "day"
                h = 0.7 if r["primary"] else 0.36
                face = st["colour"]
                kw = {"linewidth": 0.6, "edgecolor": "#000000", "linestyle": "-", "hatch": None}
                if coarse:
                    face = _blend(face, 0.6)
                    kw["hatch"] = "////"
                    kw["edgecolor"] = st["colour"] if status == "held" else kw["edgecolor"]
                if status in ("cancelled", "postponed"):
                    face = "none"
                    kw.update(edgecolor=st["colour"], linewidth=1.3,
                              linestyle="-" if status == "cancelled" else ":")
                elif status == "announced":
                    face = _blend(st["colour"], 0.6)
                    kw.update(edgecolor="#000000", linewidth=1.0, linestyle="--")
                rect = Rectangle((x0, y - h / 2), x1 - x0, h, facecolor=face, **kw)
                rect.set_gid(r["id"])
                ax.add_patch(rect)
            code_at, (xm, step) = lay["place"][r["id"]]["code"], lay["place"][r["id"]]["marks"]
            if code_at is not None and codes_fit:
                # on a white ground: a year-precision event's line runs under its code
                bg = {"boxstyle": "square,pad=0.1", "facecolor": "#FFFFFF", "edgecolor": "none"} \
                    if r["start"].precision == "year" else None
                ax.text(code_at[0], y, st["code"], ha=code_at[1], va="center", fontsize=6.5, color="#000000", bbox=bg)
            for code in marked:
                took, saw = code in r["participants"], code in r["observers"]
                if took or saw:
                    ax.plot([xm], [y], linestyle="none", marker=pmarkers[code], markersize=5,
                            markerfacecolor="#000000" if took else "none", markeredgecolor="#000000",
                            markeredgewidth=0.7, gid=f"{r['id']}:{code}:{'took-part' if took else 'observed'}")
                    xm += step
        if as_of is not None:
            band = next(b for b in bands if (b[0] == as_of.year if isinstance(b[0], int)
                                             else b[0][0] <= as_of.year <= b[0][1]))
            ax.plot([_doy(as_of)], [band[2] - 0.05], marker="^", color=_TEXT_GREY, markersize=5,
                    linestyle="none", gid="as-of")
        ax.set_ylim(bottom + 0.2, top - 0.2)
        ticks, labels, last_pt = [], [], -1e9
        for kind, y0, y1, _, _ in bands:  # a 6.5 pt label needs about 7.5 pt of height
            centre = (y0 + y1) / 2
            if (centre - last_pt) * row_pt < 7.5:
                continue
            ticks.append(centre)
            labels.append(str(kind) if isinstance(kind, int) else f"{kind[0]}\u2013{kind[1]}: none")
            last_pt = centre
        ax.set_yticks(ticks)
        ax.set_yticklabels(labels)
        for t, lab in zip(ax.get_yticklabels(), labels):
            if ":" in lab:
                t.set_color(_TEXT_GREY)
                t.set_fontsize(6)
        ax.tick_params(axis="y", length=0, labelsize=6.5)
        ax.set_xlim(0, 366)
        _month_axis(ax.xaxis)
        ax.grid(axis="x", color=_GRID, linewidth=0.5)
        ax.set_xlabel("start and end dates (day of the year)")
        ax.set_ylabel("year")
        ax.set_title(title, loc="left")
        handles = []
        present = {_label_of(info, r) for r in events}
        for lab in info.categories:
            if lab == "none" or lab not in present:
                continue
            st = styles[lab]
            name = f"{st['code']} {lab}" if info.rotating else "held"
            handles.append(Patch(facecolor=st["colour"], edgecolor="#000000", linewidth=0.6, label=name))
        prec = {r["start"].precision for r in events}
        stat = {r["status"] for r in events}
        if "month" in prec:
            handles.append(Patch(facecolor=_blend("#777777", 0.6), edgecolor="#777777", hatch="////", linewidth=0.6,
                                 label="date known to the month"))
        if "year" in prec:
            handles.append(Line2D([], [], color="#777777", linewidth=0.8, marker="D", markersize=4,
                                  markerfacecolor="#777777", markeredgecolor="#000000",
                                  label="date known to the year only"))
        if stat & {"cancelled", "postponed"}:
            handles.append(Patch(facecolor="none", edgecolor="#000000", linewidth=1.3, label="cancelled/postponed"))
        if "announced" in stat:
            handles.append(Patch(facecolor=_blend("#777777", 0.6), edgecolor="#000000", linestyle="--",
                                 label="announced"))
        if any(not r["primary"] for r in events):
            handles.append(Patch(facecolor="#BBBBBB", edgecolor="#000000", linewidth=0.6,
                                 label="thin bar: not the year's main event"))
        for code in marked:
            handles.append(Line2D([], [], linestyle="none", marker=pmarkers[code], color="#000000",
                                  markersize=5, label=f"{code} took part (hollow: observed)"))
        handles.append(Line2D([], [], linestyle="none", marker="^", color=_TEXT_GREY, markersize=5,
                              label="as-of date"))
        rows_fit = max(4, int(fig_h * 0.9 / 10))  # ~10 pt a legend row
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0,
                  handlelength=1.6, ncol=1 if len(handles) <= rows_fit else 2)
    return ax
