"""Results -> the outlook calendar: the months after the as-of date, one row per series.

:func:`plot_outlook_calendar` draws an :class:`~drillcast.outlook.Outlook`
(:func:`drillcast.analysis.outlook`) and computes nothing about the series: each row shows
the outlook's ``start_density`` (the expected number of events starting each day, i.e. the
start-date density weighted by the chance of an event), summed by week, on one scale for all
rows, so a likely exercise stands taller than an unlikely one; the events the catalogue already
records in the window (``window_events``) are marked; the chance of at least one event
(``p_any``) is written at the end of the row.
"""

from __future__ import annotations

import datetime as _dt

from drillcast.present.plotting import (_GRID, _TEXT_GREY, _blend, _new_axes, _text, style,
                                        wrap_words)

__all__ = ["plot_outlook_calendar", "outlook_size", "weekly"]

_FILL = "#0072B2"
_ROW = 0.82  # the tallest week of all rows fills this share of a row
_NAME_WIDTH = 30  # characters a row label wraps at


def weekly(density) -> list[float]:
    """Expected starts per week: ``density`` (per day) summed over days 0-6, 7-13, ... (a last short week too)."""
    d = list(density)
    return [sum(d[i:i + 7]) for i in range(0, len(d), 7)]


def _name(s, names) -> str:
    name = _text((names or {}).get(s.series, s.series_name))
    if len(name) > _NAME_WIDTH:
        name = name.split(" (")[0].split(" / ")[0].strip() or name
    return wrap_words(name, _NAME_WIDTH)


def _pct(p) -> str:
    if p is None:
        return "no forecast"
    if p < 0.005:
        return "<1 %"
    if p > 0.995:
        return ">99 %"
    return f"{100 * p:.0f} %"


def _day(start: _dt.date, iso: str) -> int:
    return (_dt.date.fromisoformat(iso) - start).days


def outlook_size(outlook, width: float = 7.2) -> tuple[float, float]:
    """``(width, height)`` in inches: about 22 pt a row (two-line names), plus title, months and legend."""
    rows = max(1, len(outlook.series))
    return width, round(1.55 + 0.3 * rows, 2)


def plot_outlook_calendar(outlook, ax=None, *, names=None):
    """The months after ``outlook.as_of`` across, one row per series: when an event may start, and how likely.

    Parameters
    ----------
    outlook : drillcast.outlook.Outlook
        From :func:`drillcast.analysis.outlook` (any number of months; 12 on the report's page 1).
    ax : matplotlib Axes, optional
    names : dict of str to str, optional
        Series id -> the name to show (default: each row's ``series_name``).

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    Row ``i`` (top to bottom, in the outlook's order: soonest expected first) spans ``y`` from ``i``
    to ``i + 1``. Its shaded steps (a PathCollection from ``fill_between``, ``gid``
    ``"<series>:density"``) rise from the row's foot by the expected number of starts in each week
    (``x`` in days from the as-of date), on one scale for all rows: the tallest week of the figure
    is :data:`_ROW` of a row, and the legend says how many expected starts that is. Where the
    outlook says the start could fall in any month (``any_time_of_year``) no peak is singled out:
    the row's note says "any time of year". The notes (chance of at least one event, or why there is
    no forecast) are the tick labels of a secondary y axis on the right. Events already in the catalogue: a held event is a
    filled triangle at its start; an announced one a hollow diamond at its day, a hatched span over
    its month (hatching: date known to the month), or a dotted line over the part of its year in
    the window (``gid`` = the event id). A series without a forecast gets its reason, in grey.
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch, Rectangle
    from matplotlib.transforms import ScaledTranslation

    with style():
        o = outlook
        ax = _new_axes(ax, figsize=outlook_size(o))
        n_days = (o.end - o.start).days + 1
        rows = list(o.series)
        weeks = {s.series: weekly(s.start_density) for s in rows}
        top = max((max(w) for w in weeks.values() if w), default=0.0)
        scale = _ROW / top if top > 0 else 0.0
        notes = []
        for i, s in enumerate(rows):
            foot = i + 0.92
            if i % 2:
                ax.axhspan(i, i + 1, color="#F5F5F5", linewidth=0, zorder=0.1)
            w = weeks[s.series]
            if w and top > 0:
                xs, ys = [], []
                for k, v in enumerate(w):
                    x0, x1 = 7 * k, min(n_days, 7 * k + 7)
                    xs += [x0, x1]
                    ys += [foot - v * scale, foot - v * scale]
                coll = ax.fill_between(xs, ys, foot, color=_blend(_FILL, 0.35), linewidth=0, zorder=1)
                coll.set_gid(f"{s.series}:density")
                ax.plot(xs, ys, color=_FILL, linewidth=0.8, zorder=1.1)
            note = _pct(s.p_any)
            if s.p_any is not None and s.any_time_of_year:
                note += ", any time of year"
            elif s.p_any is None and s.reason:
                note = wrap_words(f"no forecast: {_text(s.reason)}", 40)
            notes.append(note)
            for e in s.window_events:
                lo = max(0, _day(o.start, e["low"]))
                hi = min(n_days, _day(o.start, e["high"]) + 1)
                y = i + 0.5
                if e["status"] == "held":
                    ax.plot([lo], [y], linestyle="none", marker="^", markersize=6, color="#000000", zorder=3,
                            gid=e["id"])
                elif e["low"] == e["high"]:
                    ax.plot([lo], [y], linestyle="none", marker="D", markersize=5, markerfacecolor="#FFFFFF",
                            markeredgecolor="#000000", markeredgewidth=0.8, zorder=3, gid=e["id"])
                elif (_dt.date.fromisoformat(e["high"]) - _dt.date.fromisoformat(e["low"])).days < 31:
                    r = Rectangle((lo, i + 0.3), hi - lo, 0.4, facecolor="#FFFFFF", edgecolor="#000000",
                                  hatch="////", linewidth=0.8, zorder=3)
                    r.set_gid(e["id"])
                    ax.add_patch(r)
                else:
                    ax.plot([lo, hi], [y, y], color="#000000", linewidth=1.2, linestyle=":", zorder=3,
                            gid=e["id"])
        # months: a line at each first of the month, the name in the middle of its days
        ticks, labels = [], []
        d = o.start
        while d <= o.end:
            nxt = _dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
            a, b = (d - o.start).days, min(n_days, (nxt - o.start).days)
            if d.day == 1:
                ax.axvline(a, color=_GRID, linewidth=0.6, zorder=0.2)
            if b - a >= 10:  # a part-month of under ten days gets no name
                ticks.append((a + b) / 2)
                # the year under January, and under the first month unless January follows at once
                first = not labels and d.month != 12
                labels.append(d.strftime("%b") + (f"\n{d.year}" if d.month == 1 or first else ""))
            d = nxt
        ax.set_xticks(ticks)
        ax.set_xticklabels(labels)
        ax.tick_params(axis="x", length=0, labelsize=7)
        ax.set_xlim(0, n_days)
        ax.set_ylim(len(rows), 0)
        ax.set_yticks([i + 0.5 for i in range(len(rows))])
        ax.set_yticklabels([_name(s, names) for s in rows], fontsize=6.5)
        ax.tick_params(axis="y", length=0)
        # the chance of at least one event, as tick labels on the right (outside the data area)
        right = ax.secondary_yaxis("right")
        right.set_yticks([i + 0.5 for i in range(len(rows))], labels=notes)
        right.tick_params(axis="y", length=0, labelsize=7)
        right.spines["right"].set_visible(False)
        for t, s in zip(right.get_yticklabels(), rows):
            if s.p_any is None:
                t.set_color(_TEXT_GREY)
        for side in ("left", "bottom"):
            ax.spines[side].set_color(_GRID)
        ax.set_title(f"The next {o.months} months, as of {o.as_of}: when each series may start an event\n"
                     "and the chance of at least one (right)", loc="left")
        handles = [Patch(facecolor=_blend(_FILL, 0.35), edgecolor=_FILL, linewidth=0.8,
                         label=f"expected starts a week (tallest: {top:.2f})" if top > 0 else "expected starts")]
        kinds = {("held" if e["status"] == "held" else "day" if e["low"] == e["high"] else
                  "month" if (_dt.date.fromisoformat(e["high"]) - _dt.date.fromisoformat(e["low"])).days < 31
                  else "year") for s in rows for e in s.window_events}
        if "held" in kinds:
            handles.append(Line2D([], [], linestyle="none", marker="^", markersize=6, color="#000000",
                                  label="held (in the catalogue)"))
        if "day" in kinds:
            handles.append(Line2D([], [], linestyle="none", marker="D", markersize=5, markerfacecolor="#FFFFFF",
                                  markeredgecolor="#000000", label="announced for the day"))
        if "month" in kinds:
            handles.append(Patch(facecolor="#FFFFFF", edgecolor="#000000", hatch="////",
                                 label="announced, date known to the month"))
        if "year" in kinds:
            handles.append(Line2D([], [], color="#000000", linestyle=":", linewidth=1.2,
                                  label="announced, date known to the year"))
        # under the month names (two lines of 7 pt and the tick pad: about 30 pt below the axes)
        below = ax.transAxes + ScaledTranslation(0, -30 / 72, ax.figure.dpi_scale_trans)
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.0, 0.0), bbox_transform=below,
                  ncol=min(3, len(handles)), borderaxespad=0.0, fontsize=6.5)
    return ax
