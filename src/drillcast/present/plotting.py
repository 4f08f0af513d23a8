"""Results -> matplotlib Axes: every figure of the CLI and the report.

Each ``plot_*`` function draws results it is given (a catalogue snapshot, a
:class:`~drillcast.data.history.SeriesHistory`, a :class:`~drillcast.forecasting.Forecast`,
a :class:`~drillcast.evaluation.backtest.BacktestResult`, a power curve) and never fits
anything. Each takes ``ax=None`` (a new pyplot figure is made if none is
given), returns the Axes, and imports matplotlib inside the function, so
``import drillcast.present.plotting`` is cheap.

Design rules, so the figures read in greyscale and for colour-blind readers:

- colours from the Okabe-Ito palette (Okabe & Ito 2008, "Color Universal
  Design"), and every category also differs without colour: a one-letter
  code in the rotation grid, the timeline and the forecast bars (and the
  row of its cell), a marker shape in line plots and maps;
- hatching means one thing in every figure: a date known only to the month
  (the timeline's bars, the outlook calendar's announced events), never a
  category or a verdict;
- titles say what is drawn and as of when; :func:`add_source_line` writes the
  catalogue hash and the as-of date at the foot of a figure;
- drawn data equal the results: artists that carry data have a ``gid``
  (``"<year>:<label>"``, an event id, a model name, ...) so tests and
  readers of the SVG can find them.

Determinism: :data:`RC` fixes the rcParams that reach the output bytes
(``svg.hashsalt``, fonts); save with ``metadata={"Date": None}`` (SVG) or
``{"CreationDate": None}`` (PDF), as :func:`drillcast.present.figures.figure_bytes` does.
"""

from __future__ import annotations

import datetime as _dt
import math

__all__ = [
    "OKABE_ITO",
    "RC",
    "category_styles",
    "style",
    "add_source_line",
    "wrap_words",
    "plot_rotation_grid",
    "plot_forecast",
    "plot_date_fan",
    "plot_seasonality",
    "plot_transition_matrix",
]

OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9", "bluish_green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "reddish_purple": "#CC79A7",
}
# Order chosen so neighbouring categories differ most in lightness as well as hue.
_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000")
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
_OTHER_COLOUR, _NONE_COLOUR = "#999999", "#FFFFFF"
_GRID = "#D9D9D9"
_TEXT_GREY = "#555555"

RC = {
    "svg.hashsalt": "drillcast",
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
    "font.family": "DejaVu Sans",
    "font.size": 8.0,
    "axes.titlesize": 9.0,
    "axes.titleweight": "bold",
    "axes.labelsize": 8.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.axisbelow": True,
    "xtick.labelsize": 7.0,
    "ytick.labelsize": 7.0,
    "legend.fontsize": 7.0,
    "legend.frameon": False,
    "hatch.linewidth": 0.6,
    "lines.linewidth": 1.2,
    "figure.dpi": 100,
    "savefig.dpi": 200,
    "path.simplify": False,
    "text.usetex": False,
}
"""rcParams every drillcast figure is drawn and saved with."""

_MONTH_STARTS = (0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


# --------------------------------------------------------------------------- helpers


def style():
    """A context manager applying :data:`RC` (use it around figure creation and saving)."""
    import matplotlib as mpl

    return mpl.rc_context(RC)


def _text(s) -> str:
    """Catalogue text made safe for matplotlib: control characters visible, no mathtext."""
    from drillcast.present.text import safe_text

    return safe_text(s).replace("$", r"\$")


def wrap_words(text: str, width: int) -> str:
    """``text`` on lines of at most ``width`` characters, broken only at spaces.

    Never inside a word, a hyphenated word or a URL ("themonexus.com" stays whole, "multi-theatre"
    too): a word longer than ``width`` gets a line of its own.

    Examples
    --------
    >>> print(wrap_words("reported by themonexus.com and multi-theatre", 12))
    reported by
    themonexus.com
    and
    multi-theatre
    """
    import textwrap

    return textwrap.fill(text, width, break_long_words=False, break_on_hyphens=False)


def _title(name, what, width=62) -> str:
    """Title: the series name, then what is drawn and as of when.

    A name longer than ``width`` characters loses its parenthesis or
    alternative name ("Joint Sea / Morskoye ..." -> "Joint Sea"); what is
    still too long wraps onto more lines. Nothing is cut off.
    """
    name = _text(name)
    if len(name) > width:
        name = name.split(" (")[0].split(" / ")[0].strip() or name
    return f"{wrap_words(name, width)}\n{what}"


def _new_axes(ax, polar: bool = False, figsize=(6.6, 3.2)):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize, layout="constrained",
                         subplot_kw={"projection": "polar"} if polar else None)
    return ax


def _blend(colour, amount: float) -> tuple:
    """``colour`` mixed with white: 0 is the colour, 1 is white (fading without alpha)."""
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(colour)
    return (r + (1 - r) * amount, g + (1 - g) * amount, b + (1 - b) * amount)


def _ink(colour) -> str:
    """Black or white, whichever reads on ``colour``."""
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(colour)
    return "#000000" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.45 else "#FFFFFF"


def category_styles(categories) -> dict:
    """Colour, marker and a short code for each outcome label (``hatch`` is always empty).

    Directions (and ``held``) take the Okabe-Ito colours in order; ``other``
    is grey, ``none`` white. Hatching is kept for dates known only to the month,
    so no category is hatched. Codes are the first letter
    in upper case (two letters when the first would clash).

    Examples
    --------
    >>> s = category_styles(("zapad", "vostok", "tsentr", "kavkaz", "other", "none"))
    >>> s["zapad"]["code"], s["zapad"]["colour"], s["none"]["code"]
    ('Z', '#0072B2', '\u2013')
    """
    out = {}
    used = set()
    i = 0
    for c in categories:
        if c == "none":
            out[c] = {"colour": _NONE_COLOUR, "hatch": "", "marker": "x", "code": "\u2013", "label": "none"}
            continue
        if c == "other":
            code = "O" if "O" not in used else "Oth"
            out[c] = {"colour": _OTHER_COLOUR, "hatch": "", "marker": "*", "code": code, "label": "other"}
            used.add(code)
            continue
        code = c[:1].upper()
        k = 2
        while code in used and k <= len(c):
            code = c[:k].capitalize()
            k += 1
        used.add(code)
        out[c] = {"colour": _COLOURS[i % len(_COLOURS)], "hatch": "",
                  "marker": _MARKERS[i % len(_MARKERS)], "code": code, "label": c}
        i += 1
    return out


def _month_axis(axis, lo=0, hi=366, minor=True, length_pt=None):
    """Month ticks on a day-of-year axis (``axis`` is ax.xaxis or ax.yaxis).

    ``length_pt``: the axis length on the page; when 12 labels a year would
    be closer than 10 pt, every other month is labelled.
    """
    ticks = [d for d in _MONTH_STARTS if lo <= d <= hi]
    step = 2 if length_pt is not None and length_pt * 30.5 / max(hi - lo, 1) < 10 else 1
    axis.set_ticks(ticks)
    axis.set_ticklabels([_MONTHS[_MONTH_STARTS.index(d)] if k % step == 0 else "" for k, d in enumerate(ticks)])
    if minor:
        axis.set_ticks([d + 14 for d in _MONTH_STARTS if lo <= d + 14 <= hi], minor=True)


def _doy(d: _dt.date) -> int:
    return d.timetuple().tm_yday - 1


def _iso_doy(iso: str) -> int:
    return _doy(_dt.date.fromisoformat(iso))


def _label_of(info, r) -> str:
    if not info.rotating:
        return "held"
    return r["direction"] if r["direction"] in info.directions else "other"


def add_source_line(fig, sha256: str, as_of, extra: str = "") -> None:
    """Write ``Source: drillcast catalogue <sha[:12]>, as of <date>`` at the foot of ``fig``."""
    text = f"Source: drillcast catalogue {sha256[:12]}, as of {as_of}"
    if extra:
        text += f"; {_text(extra)}"
    fig.text(0.005, 0.005, text, fontsize=6, color=_TEXT_GREY, ha="left", va="bottom", gid="source-line")


def _no_data(ax, title, message):
    ax.set_title(title, loc="left")
    ax.text(0.5, 0.5, _text(message), ha="center", va="center", transform=ax.transAxes, wrap=True,
            color=_TEXT_GREY)
    ax.set_axis_off()
    return ax


# --------------------------------------------------------------------------- rotation grid


def plot_rotation_grid(history, ax=None, *, name=None):
    """Outcome by year: rows are the outcome labels (directions, other, none), columns the years.

    The cell of each year's outcome is filled with the label's colour
    and carries its one-letter code (its row names the label too); a thin line joins the held
    outcomes so the cycle, and where it breaks, can be followed. A
    realised current year is drawn like a past year; an announced
    exercise of a later year is faded with a dashed outline.

    Each filled cell is a Rectangle with ``gid`` ``"<year>:<label>"``
    (suffixed ``":announced"`` for announcements). ``name``: the series name for the title
    (default: the snapshot's; a report as of a past date passes the name as then written).
    """
    from matplotlib.patches import Rectangle

    with style():
        h = history
        ax = _new_axes(ax, figsize=(6.6, 2.4))
        title = _title(name or h.info.name, f"outcome by year, as of {h.as_of}")
        cats = list(h.categories)
        styles = category_styles(cats)
        cols = [(int(y), int(o), False) for y, o in zip(h.years, h.outcomes)]
        if h.current_outcome is not None:
            cols.append((int(h.current_year), int(h.current_outcome), False))
        seen = {c[0] for c in cols}
        for a in h.announced:
            if a.year not in seen and a.label in cats:
                cols.append((a.year, cats.index(a.label), True))
                seen.add(a.year)
        if not cols:
            return _no_data(ax, title, "no complete year to show")
        years = [c[0] for c in cols]
        y0, y1 = min(years), max(years)
        # the empty grid as two line collections (not one patch per cell: lighter vector output)
        ax.hlines([r - 0.5 for r in range(len(cats) + 1)], y0 - 0.5, y1 + 0.5, color=_GRID, linewidth=0.4,
                  zorder=0.4)
        ax.vlines([yr - 0.5 for yr in range(y0, y1 + 2)], -0.5, len(cats) - 0.5, color=_GRID, linewidth=0.4,
                  zorder=0.4)
        # ~55 % of the width is left once a neighbouring legend has taken its share
        cell_pt = 0.55 * ax.figure.get_figwidth() * 72 * ax.get_position().width / (y1 - y0 + 1)
        path_x, path_y = [], []
        for yr, o, announced in cols:
            lab = cats[o]
            st = styles[lab]
            face = _blend(st["colour"], 0.55) if announced else st["colour"]
            rect = Rectangle((yr - 0.5, o - 0.5), 1, 1, facecolor=face,
                             edgecolor="#000000", linewidth=0.8 if announced else 0.5,
                             linestyle="--" if announced else "-")
            rect.set_gid(f"{yr}:{lab}" + (":announced" if announced else ""))
            ax.add_patch(rect)
            ink = _ink(face) if lab != "none" else "#000000"
            if cell_pt >= 9:  # else no room for a letter in the cell: colour and row carry the label
                ax.text(yr, o, st["code"], ha="center", va="center", fontsize=7, fontweight="bold", color=ink)
            if lab != "none":
                path_x.append(yr)
                path_y.append(o)
        ax.plot(path_x, path_y, color=_TEXT_GREY, linewidth=0.7, zorder=0.5, gid="sequence")
        ax.set_xlim(y0 - 0.5, y1 + 0.5)
        ax.set_ylim(len(cats) - 0.5, -0.5)
        ax.set_yticks(range(len(cats)))
        ax.set_yticklabels([f"{styles[c]['code']} {c}" for c in cats])
        step = 1 if y1 - y0 <= 24 else 2
        ax.set_xticks(range(y0, y1 + 1, step))
        ax.tick_params(axis="x", labelrotation=90)
        ax.tick_params(length=0)
        for s in ax.spines.values():
            s.set_visible(False)
        ax.set_title(title, loc="left")
        if any(c[2] for c in cols):
            ax.set_xlabel("dashed, faded cell: announced, not yet held")
    return ax


# --------------------------------------------------------------------------- forecast


def _fc_title(fc, what):
    return _title(fc.series_name, f"{what}, as of {fc.as_of} (model {fc.model})")


def plot_forecast(forecast, ax=None):
    """Forecast probabilities by year.

    Rotating series: stacked bars, one segment per outcome label (height =
    its probability; ``gid`` ``"<year>:<label>"``), colour and code per
    label, the percentage written in segments of 7 % or more. Recurring
    series: one bar per year of ``p_held`` (``gid`` ``"<year>:held"``),
    labelled with the expected number of events and its 80 % interval.
    """
    from matplotlib.patches import Patch

    with style():
        fc = forecast
        ax = _new_axes(ax, figsize=(6.6, 2.8))
        if not fc.ok:
            return _no_data(ax, _fc_title(fc, "forecast"), f"no forecast: {fc.reason}")
        years = [y.year for y in fc.years]
        if fc.kind == "rotating":
            styles = category_styles(fc.categories)
            bottoms = [0.0] * len(years)
            for lab in fc.categories:
                st = styles[lab]
                vals = [float(y.outcomes[lab]) for y in fc.years]
                bars = ax.bar(years, vals, bottom=bottoms, width=0.62, color=st["colour"],
                              edgecolor="#000000", linewidth=0.5, label=lab)
                for b, yr, v, b0 in zip(bars, years, vals, bottoms):
                    b.set_gid(f"{yr}:{lab}")
                    if v >= 0.07:  # a white label reads on any colour, and in greyscale
                        ax.text(yr, b0 + v / 2, f"{st['code']} {100 * v:.0f} %", ha="center", va="center",
                                fontsize=6.5, color="#000000",
                                bbox={"boxstyle": "round,pad=0.25", "facecolor": "#FFFFFF", "edgecolor": "none"})
                bottoms = [b0 + v for b0, v in zip(bottoms, vals)]
            handles = [Patch(facecolor=styles[c]["colour"],
                             edgecolor="#000000", linewidth=0.5, label=f"{styles[c]['code']} {c}")
                       for c in fc.categories]
            ax.legend(handles=handles[::-1], loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
            ax.set_ylabel("probability of the year's outcome")
            what = "outcome of each year"
        else:
            st = category_styles(("held", "none"))["held"]
            vals = [float(y.p_held) for y in fc.years]
            bars = ax.bar(years, vals, width=0.55, color=st["colour"], edgecolor="#000000", linewidth=0.5)
            for b, y, v in zip(bars, fc.years, vals):
                b.set_gid(f"{y.year}:held")
                lo, hi = y.count_interval
                ax.text(y.year, v + 0.02, f"{100 * v:.0f} %\nexpected {y.expected_count:.1f} events\n"
                        f"(80 %: {lo}\u2013{hi})", ha="center", va="bottom", fontsize=6.5)
            ax.set_ylabel("probability at least one is held")
            what = "probability an exercise is held"
        ax.set_ylim(0, 1.28 if fc.kind != "rotating" else 1.0)
        ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
        ax.set_yticklabels(["0", "25 %", "50 %", "75 %", "100 %"])
        ax.set_xticks(years)
        ax.set_xlim(min(years) - 0.6, max(years) + 0.6)
        ax.grid(axis="y", color=_GRID, linewidth=0.5)
        ax.set_title(_fc_title(fc, what), loc="left")
    return ax


# --------------------------------------------------------------------------- date fan


FAN_YEARS = 25
"""Years of observed starts the date fan shows before the forecast."""

_BANDS = (("q025", "q975", "95 %", 0.78), ("q10", "q90", "80 %", 0.5), ("q25", "q75", "50 %", 0.15))
FLAT_TV, FLAT_SPAN_DAYS = 0.2, 240


def start_is_flat(year_forecast) -> bool:
    """The start date, given the exercise is held, could be any time of year: no median is worth drawing.

    True when the start's distribution is within total variation :data:`FLAT_TV` of uniform over
    twelve equal parts of the year (the outlook's criterion for "any time of year"), or when its 80 %
    interval spans :data:`FLAT_SPAN_DAYS` days or more (a band over most of the year).
    """
    import numpy as np

    start = year_forecast.start
    if not start:
        return False
    span = (_dt.date.fromisoformat(start["q90"]) - _dt.date.fromisoformat(start["q10"])).days
    pmf = np.asarray(year_forecast.start_pmf, dtype=float)
    if span >= FLAT_SPAN_DAYS or pmf.size == 0 or pmf.sum() <= 0:
        return span >= FLAT_SPAN_DAYS
    share = np.array([part.sum() for part in np.array_split(pmf, 12)]) / pmf.sum()
    return 0.5 * float(np.abs(share - 1.0 / 12).sum()) < FLAT_TV


def plot_date_fan(history, forecast, ax=None, *, name=None):
    """Start dates: the past as points, the forecast years as nested quantile bands.

    Past years (the last :data:`FAN_YEARS`): a point at the known start day (a vertical bar over the
    month, or year, when only that is known; ``gid`` ``"<year>:observed"``).
    Forecast years: nested boxes 2.5-97.5 %, 10-90 %, 25-75 % (``gid``
    ``"<year>:q025-q975"`` etc., bottom edge = the lower quantile's day of the
    year, top edge = the upper quantile's day + 1) and a median tick
    (``"<year>:median"``), all *given* the exercise is held; the probability it
    is held is written above each year. A year whose start could be any time of
    year (:func:`start_is_flat`) gets one pale band over the whole axis, written
    "any time of year" (``"<year>:any-time"``), and no quantile boxes or median.
    ``name``: the series name for the title (default: the history's).
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch, Rectangle

    with style():
        h, fc = history, forecast
        ax = _new_axes(ax, figsize=(6.6, 3.0))
        title = _title(name or h.info.name, f"start date of the year's first event, as of {h.as_of}")
        styles = category_styles(h.categories)
        lows, highs = [], []
        past = [(int(y), o, lo, hi) for y, o, lo, hi in zip(h.years, h.outcomes, h.start_lo, h.start_hi)
                if not math.isnan(lo)]
        if h.current_start is not None:
            past.append((h.current_year, h.current_outcome, float(h.current_start[0]), float(h.current_start[1])))
        if past:  # the last FAN_YEARS years of history: older starts would crowd the forecast out
            past = [p for p in past if p[0] > max(p[0] for p in past) - FAN_YEARS]
        for y, o, lo, hi in past:
            st = styles[h.categories[o]]
            if lo == hi:
                ax.plot([y], [lo], linestyle="none", marker=st["marker"], markersize=4.5, color=st["colour"],
                        markeredgecolor="#000000", markeredgewidth=0.5, gid=f"{y}:observed")
            else:
                ax.add_line(Line2D([y, y], [lo, hi + 1], color=st["colour"], linewidth=2.2,
                                   solid_capstyle="butt", gid=f"{y}:observed"))
                ax.plot([y, y], [lo, hi + 1], linestyle="none", marker="_", color="#000000", markersize=5)
            lows.append(lo)
            highs.append(hi + 1)
        fyears, held_labels, flat_years = [], [], []
        if fc is not None and fc.ok:
            for yf in fc.years:
                if not yf.start:
                    continue
                fyears.append(yf.year)
                held_labels.append((yf.year, f"{100 * yf.p_held:.0f}"))
                if start_is_flat(yf):  # drawn once the axis range is known
                    flat_years.append(yf.year)
                    continue
                for qa, qb, _, fade in _BANDS:
                    a, b = _iso_doy(yf.start[qa]), _iso_doy(yf.start[qb]) + 1
                    rect = Rectangle((yf.year - 0.32, a), 0.64, b - a, facecolor=_blend("#0072B2", fade),
                                     edgecolor="none")
                    rect.set_gid(f"{yf.year}:{qa}-{qb}")
                    ax.add_patch(rect)
                    lows.append(a)
                    highs.append(b)
                m = _iso_doy(yf.start["median"])
                ax.add_line(Line2D([yf.year - 0.32, yf.year + 0.32], [m + 0.5, m + 0.5], color="#000000",
                                   linewidth=1.4, gid=f"{yf.year}:median"))
        if flat_years:  # "any time of year" is drawn over the whole year
            lows.append(0)
            highs.append(366)
        if not lows:
            return _no_data(ax, title, "no start dates known or forecast")
        lo_d = max(0, min(lows) - 12)
        hi_d = min(366, max(highs) + 12)
        for year in flat_years:
            rect = Rectangle((year - 0.32, lo_d), 0.64, hi_d - lo_d, facecolor=_blend("#0072B2", 0.85),
                             edgecolor="none")
            rect.set_gid(f"{year}:any-time")
            ax.add_patch(rect)
            ax.text(year, (lo_d + hi_d) / 2, "any time of year", rotation=90, ha="center", va="center",
                    fontsize=6.5, color="#000000")
        top = hi_d + (0.14 * (hi_d - lo_d) if held_labels else 0)  # a strip above the data for the labels
        ax.set_ylim(lo_d, top)
        height_pt = ax.figure.get_figheight() * 72 * ax.get_position().height * (hi_d - lo_d) / (top - lo_d)
        _month_axis(ax.yaxis, lo_d, hi_d, length_pt=0.8 * height_pt)
        span = max(p[0] for p in past + [(y, 0, 0, 0) for y in fyears]) - min(
            p[0] for p in past + [(y, 0, 0, 0) for y in fyears]) + 1.4
        width_pt = ax.figure.get_figwidth() * 72 * ax.get_position().width
        vertical = 0.6 * width_pt / span < 14  # too little room for two digits side by side (the legend takes ~40 %)
        for year, txt in held_labels:
            ax.text(year, (hi_d + top) / 2, txt, ha="center", va="center", fontsize=6.5,
                    rotation=90 if vertical else 0, gid=f"{year}:p_held")
        ax.grid(axis="y", color=_GRID, linewidth=0.5)
        all_years = [p[0] for p in past] + fyears
        step = 1 if max(all_years) - min(all_years) <= 22 else 2
        ax.set_xticks(range(min(all_years), max(all_years) + 1, step))
        ax.tick_params(axis="x", labelrotation=90)
        ax.set_xlim(min(all_years) - 0.7, max(all_years) + 0.7)
        if fyears:
            ax.axvline(min(fyears) - 0.5, color=_TEXT_GREY, linewidth=0.6, linestyle=":")
        ax.set_ylabel("start (day of the year)")
        ax.set_title(title, loc="left")
        handles = []
        for c in h.categories:
            if c == "none" or not any(h.categories[p[1]] == c for p in past):
                continue
            st = styles[c]
            handles.append(Line2D([], [], linestyle="none", marker=st["marker"], color=st["colour"],
                                  markeredgecolor="#000000", markeredgewidth=0.5, label=f"observed: {c}"))
        if any(p[2] != p[3] for p in past):  # a start known only to the month or year was drawn
            handles.append(Line2D([], [], color=_TEXT_GREY, linewidth=2.2, label="known to month/year"))
        if set(fyears) - set(flat_years):
            for _, _, name, fade in _BANDS:
                handles.append(Patch(facecolor=_blend("#0072B2", fade), label=f"forecast {name} interval"))
            handles.append(Line2D([], [], color="#000000", linewidth=1.4, label="forecast median"))
        if flat_years:
            handles.append(Patch(facecolor=_blend("#0072B2", 0.85), label="forecast: any time of year"))
        if fyears:
            handles.append(Patch(facecolor="none", edgecolor="none", label="number above: % chance it is held"))
        rows_fit = max(4, int(ax.figure.get_figheight() * 72 * 0.8 / 10))  # ~10 pt a legend row
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0,
                  ncol=1 if len(handles) <= rows_fit else 2)
    return ax


# --------------------------------------------------------------------------- seasonality


def plot_seasonality(history, forecast_or_timing, ax=None):
    """Start day of the year on a circle (1 January at the top, clockwise), with a fitted density.

    ``forecast_or_timing`` is a :class:`~drillcast.forecasting.Forecast` (its
    first year with a start forecast), a :class:`~drillcast.forecasting.YearForecast`,
    or an array of 366 day probabilities (e.g. a fitted timing model's
    ``pooled`` density). The density line (``gid`` ``"density"``) has
    radius = the probability of each day, exactly; observed starts sit on
    the rim (points; month-precision starts as arcs over their month).
    Returns a polar Axes; ``ax``, if given, must be polar.
    """
    import numpy as np

    with style():
        h = history
        ax = _new_axes(ax, polar=True, figsize=(4.2, 4.2))
        if getattr(ax, "name", "") != "polar":
            raise ValueError("plot_seasonality draws on a polar Axes: create it with "
                             "fig.add_subplot(projection='polar')")
        label = "pooled timing density"
        pmf = None
        obj = forecast_or_timing
        if hasattr(obj, "years") and hasattr(obj, "ok"):
            for yf in obj.years:
                if yf.start:
                    pmf, label = np.asarray(yf.start_pmf, dtype=float), f"forecast for {yf.year} (given held)"
                    break
        elif hasattr(obj, "start_pmf"):
            pmf, label = np.asarray(obj.start_pmf, dtype=float), f"forecast for {obj.year} (given held)"
        elif obj is not None:
            pmf = np.asarray(obj, dtype=float)
        title = _title(h.info.name, f"start day of the year, as of {h.as_of}", width=44)
        ax.set_title(title, loc="center", pad=14)
        theta = lambda d: 2 * np.pi * (np.asarray(d, dtype=float) + 0.5) / 366.0  # noqa: E731
        top = 1.0
        if pmf is not None and pmf.size and np.nanmax(pmf) > 0:
            days = np.arange(pmf.size)
            ax.plot(np.append(theta(days), theta(days[:1]) + 2 * np.pi), np.append(pmf, pmf[:1]),
                    color="#0072B2", linewidth=1.2, gid="density", label=f"density: {label}")
            ax.fill(theta(days), pmf, color=_blend("#0072B2", 0.8), zorder=0)
            top = float(np.nanmax(pmf))
        rim = top * 1.12
        styles = category_styles(h.categories)
        past = [(int(y), o, lo, hi) for y, o, lo, hi in zip(h.years, h.outcomes, h.start_lo, h.start_hi)
                if not math.isnan(lo)]
        if h.current_start is not None:
            past.append((h.current_year, h.current_outcome, float(h.current_start[0]), float(h.current_start[1])))
        shown = set()
        for y, o, lo, hi in past:
            lab = h.categories[o]
            st = styles[lab]
            kw = {"label": f"observed: {lab}"} if lab not in shown else {}
            shown.add(lab)
            if lo == hi:
                ax.plot([theta(lo)], [rim], linestyle="none", marker=st["marker"], markersize=4.5,
                        color=st["colour"], markeredgecolor="#000000", markeredgewidth=0.5,
                        gid=f"{y}:observed", **kw)
            else:
                t = theta(np.arange(int(lo), int(hi) + 1))
                ax.plot(t, np.full(t.size, rim * 1.05), color=st["colour"], linewidth=2.2,
                        gid=f"{y}:observed", **kw)
        ax.set_theta_zero_location("N")
        ax.set_theta_direction(-1)
        ax.set_xticks(theta(np.array(_MONTH_STARTS) - 0.5))
        ax.set_xticklabels(_MONTHS)
        ax.set_ylim(0, rim * 1.12)
        ax.set_yticks([])
        ax.grid(color=_GRID, linewidth=0.5)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.06), ncol=2, fontsize=6.5)
    return ax


# --------------------------------------------------------------------------- transition matrix


def plot_transition_matrix(forecast, ax=None):
    """Posterior mean transition probabilities of a first-order Markov model, counts annotated.

    Reads ``forecast.model_info["transition_mean"]`` and
    ``["transition_counts"]`` (a forecast made with ``Forecaster("markov")``).
    Rows: the previous held exercise; columns: the next one. The image's
    array equals the posterior means. Counts are written only up to five
    categories (larger grids have no room for them).
    """
    import numpy as np

    with style():
        fc = forecast
        info = getattr(fc, "model_info", None) or {}
        mean = info.get("transition_mean")
        if mean is None:
            raise ValueError(
                f"plot_transition_matrix: the forecast of model {getattr(fc, 'model', '?')!r} has no "
                "transition matrix; make it with Forecaster('markov')")
        counts = info.get("transition_counts") or {}
        labels = list(mean)
        M = np.array([[mean[f][t] for t in labels] for f in labels], dtype=float)
        ax = _new_axes(ax, figsize=(4.4, 3.6))
        im = ax.imshow(M, cmap="cividis", vmin=0.0, vmax=1.0, aspect="equal")
        im.set_gid("transition-mean")
        cmap = im.get_cmap()
        for i, f in enumerate(labels):
            for j, t in enumerate(labels):
                c = counts.get(f, {}).get(t)
                small = len(labels) > 5  # no room for the counts in smaller cells
                txt = f"{M[i, j]:.2f}" + (f"\n(n={c:g})" if c is not None and not small else "")
                ax.text(j, i, txt, ha="center", va="center", fontsize=5.5 if small else 7,
                        color=_ink(cmap(M[i, j])))
        ax.set_xticks(range(len(labels)))
        long_labels = sum(len(x) for x in labels) > 36
        ax.set_xticklabels([_text(x) for x in labels], rotation=90 if long_labels else 0)
        ax.set_yticks(range(len(labels)))
        ax.set_yticklabels([_text(x) for x in labels])
        ax.set_xlabel("next held exercise")
        ax.set_ylabel("previous held exercise")
        ax.tick_params(length=0)
        for s in ax.spines.values():
            s.set_visible(False)
        cb = ax.figure.colorbar(im, ax=ax, shrink=0.8)
        cb.set_label("posterior mean probability")
        ax.set_title(_title(fc.series_name, f"Markov transitions, as of {fc.as_of}", width=30), loc="left")
    return ax
