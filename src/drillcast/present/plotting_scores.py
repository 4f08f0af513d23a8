"""Figures of scores: backtest log scores, forecast against outcome, reliability, power.

Part of :mod:`drillcast.present.plotting` (same design rules and helpers),
kept in its own module for size; import them from there.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from drillcast.present.plotting import (
    _COLOURS,
    _GRID,
    _MARKERS,
    _TEXT_GREY,
    _blend,
    _new_axes,
    _no_data,
    _text,
    _title,
    category_styles,
    style,
    wrap_words,
)

__all__ = ["plot_backtest_scores", "plot_forecast_vs_outcome", "plot_reliability", "plot_power_curve"]


# --------------------------------------------------------------------------- backtests


def _model_styles(names, baselines):
    out = {}
    i = 0
    for n in names:
        if n in baselines:
            k = list(baselines).index(n)
            out[n] = {"colour": ("#777777", "#000000", "#AAAAAA", "#444444")[k % 4], "linestyle": "--",
                      "marker": ("x", "+", "1", "|")[k % 4]}
        else:
            out[n] = {"colour": _COLOURS[i % len(_COLOURS)], "linestyle": "-", "marker": _MARKERS[i % len(_MARKERS)]}
            i += 1
    return out


def plot_backtest_scores(backtest_result, series: str, ax=None):
    """Log score of each model's forecast of each year (higher is better, 0 perfect).

    One line per model (``gid`` = the model name; x = the forecast year,
    y = the fold's ``log_score``), baselines dashed; the legend gives each
    model's mean. Only the shortest lead time is drawn when the backtest has
    several.
    """
    from drillcast.models import BASELINES

    with style():
        res = backtest_result
        folds = [f for f in res.folds if f["series"] == series]
        ax = _new_axes(ax, figsize=(6.6, 3.0))
        truth = res.settings.get("truth_as_of", "?")
        title = f"{_text(series)}: log score of one-year-ahead forecasts, truth as of {truth}"
        if not folds:
            return _no_data(ax, title, f"no scorable forecast of {series}")
        lead = min(f["lead_years"] for f in folds)
        folds = [f for f in folds if f["lead_years"] == lead]
        names = list(dict.fromkeys(f["model"] for f in folds))
        names.sort(key=lambda n: (n in BASELINES, n))
        styles = _model_styles(names, BASELINES)
        for n in names:
            fs = sorted((f for f in folds if f["model"] == n), key=lambda f: f["year"])
            xs = [f["year"] for f in fs]
            ys = [f["scores"]["log_score"] for f in fs]
            mean = sum(ys) / len(ys)
            st = styles[n]
            ax.plot(xs, ys, color=st["colour"], linestyle=st["linestyle"], marker=st["marker"], markersize=4,
                    linewidth=1.0 if n in BASELINES else 1.3, gid=n,
                    label=f"{n}{' (baseline)' if n in BASELINES else ''}: mean {mean:.2f}")
        years = sorted({f["year"] for f in folds})
        ax.set_xticks(years)
        ax.tick_params(axis="x", labelrotation=90)
        ax.axhline(0, color="#000000", linewidth=0.5)
        ax.grid(axis="y", color=_GRID, linewidth=0.5)
        ax.set_ylabel("log score (0 = perfect)")
        ax.set_xlabel("forecast year")
        ax.set_title(title, loc="left")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
    return ax


def _p_observed(fold) -> float:
    """The probability a fold's forecast gave to what then happened."""
    if fold.get("outcomes") and fold.get("observed") in fold["outcomes"]:
        return float(fold["outcomes"][fold["observed"]])
    p = float(fold["p_held"])
    return p if fold["occurred"] else 1.0 - p


def plot_forecast_vs_outcome(backtest_result, series: str, model: str, ax=None):
    """The probability each one-year-ahead forecast gave to what then happened, against a uniform guess.

    One bar per forecast year (``gid`` ``"<year>:<model>"``, height = the
    probability the model gave the observed outcome), the uniform baseline's
    probability as a dash over each bar (``"<year>:uniform"``), and under
    year label the one-letter code of what happened. A forecast beats the
    guess where the bar reaches above the dash.
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    with style():
        res = backtest_result
        folds = [f for f in res.folds if f["series"] == series]
        ax = _new_axes(ax, figsize=(6.6, 2.6))
        title = f"Forecast against outcome: {_text(model)}, one year ahead (truth as of {res.settings.get('truth_as_of', '?')})"
        lead = min((f["lead_years"] for f in folds), default=0)
        mine = {f["year"]: f for f in folds if f["model"] == model and f["lead_years"] == lead}
        guess = {f["year"]: f for f in folds if f["model"] == "uniform" and f["lead_years"] == lead}
        if not mine:
            return _no_data(ax, title, f"no scorable forecast of {series} by {model}")
        years = sorted(mine)
        labels = sorted({str(f["observed"]) for f in mine.values()})
        codes = category_styles([c for c in labels if c not in ("none", "other")] +
                                [c for c in ("other", "none") if c in labels])
        for y in years:
            p = _p_observed(mine[y])
            u = _p_observed(guess[y]) if y in guess else None
            beat = u is None or p > u
            bar = ax.bar([y], [p], width=0.64, color="#0072B2" if beat else _blend("#0072B2", 0.6),
                         edgecolor="#000000", linewidth=0.5)[0]
            bar.set_gid(f"{y}:{model}")
            if u is not None:
                ax.add_line(Line2D([y - 0.4, y + 0.4], [u, u], color="#000000", linewidth=1.0, linestyle="--",
                                   gid=f"{y}:uniform"))

        ax.set_xlim(min(years) - 0.6, max(years) + 0.6)
        ax.set_ylim(0, 1.0)
        ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
        ax.set_yticklabels(["0", "25 %", "50 %", "75 %", "100 %"])
        width_pt = ax.figure.get_figwidth() * 72 * ax.get_position().width
        step = max(1, math.ceil(9.0 * (len(years) + 1) / width_pt))  # rotated labels need ~9 pt each
        ax.set_xticks(years[::step])
        ax.set_xticklabels([f"{y} {codes[str(mine[y]['observed'])]['code']}" for y in years[::step]])
        ax.tick_params(axis="x", labelrotation=90)
        ax.grid(axis="y", color=_GRID, linewidth=0.5)
        ax.set_ylabel("probability given to\nwhat happened")
        ax.set_title(title, loc="left")
        handles = [Patch(facecolor="#0072B2", edgecolor="#000000", linewidth=0.5, label="beat the uniform guess"),
                   Patch(facecolor=_blend("#0072B2", 0.6), edgecolor="#000000", linewidth=0.5,
                         label="no better than the guess")]
        if guess:
            handles.append(Line2D([], [], color="#000000", linestyle="--", linewidth=1.0, label="uniform guess"))
        key = ", ".join(f"{codes[c]['code']}\u00a0{c}" for c in labels if c in codes)  # a code stays with its name
        handles.append(Patch(facecolor="none", edgecolor="none", label=wrap_words(f"after the year: {key}", 34)))
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0)
    return ax


def plot_reliability(backtest_result, series: str, model: str, ax=None):
    """Reliability diagram: observed frequency against mean forecast per probability bin.

    Points (``gid`` ``"reliability"``) are the rows of
    ``backtest_result.reliability["<series>/<model>"]`` with ``n > 0``
    (x = ``mean_forecast``, y = ``observed_rate``), each labelled with its
    ``n``; grey bars span the rows' consistency bands (``band_low`` to
    ``band_high``, the range a calibrated forecaster would produce), so a
    point outside its bar is evidence of miscalibration.
    """
    with style():
        res = backtest_result
        key = f"{series}/{model}"
        rows = [r for r in res.reliability.get(key, []) if r.get("n")]
        ax = _new_axes(ax, figsize=(4.2, 3.8))
        n_total = sum(r["n"] for r in rows)
        title = f"{_text(series)}: reliability of {_text(model)}\n({n_total} outcome probabilities, one-vs-rest)"
        if not rows:
            return _no_data(ax, title, f"no backtest rows for {key}")
        ax.plot([0, 1], [0, 1], color=_TEXT_GREY, linewidth=0.7, linestyle="--", label="perfect calibration")
        xs = [r["mean_forecast"] for r in rows]
        ys = [r["observed_rate"] for r in rows]
        for r in rows:
            if r.get("band_low") is not None:
                ax.plot([r["mean_forecast"]] * 2, [r["band_low"], r["band_high"]], color="#BBBBBB",
                        linewidth=5, solid_capstyle="butt", zorder=1, gid="band")
        ax.plot(xs, ys, linestyle="-", marker="o", color="#0072B2", markeredgecolor="#000000",
                markeredgewidth=0.5, markersize=5, zorder=3, gid="reliability", label="observed frequency")
        placed = []  # (x, y, dy) of labels so far: a point close to one already labelled gets a second row
        for r in sorted(rows, key=lambda r: r["mean_forecast"]):
            x, y = r["mean_forecast"], r["observed_rate"]
            dy = 9 if y < 0.15 else -9
            if any(abs(x - px) < 0.25 and abs(y - py) < 0.15 and d == dy for px, py, d in placed):
                dy = 2 * dy
            placed.append((x, y, dy))
            ax.annotate(f"n={r['n']}", (x, y), textcoords="offset points", xytext=(-5 if x > 0.75 else 5, dy),
                        ha="right" if x > 0.75 else "left", va="center", fontsize=6.5, color=_TEXT_GREY)
        ax.plot([], [], color="#BBBBBB", linewidth=5, label="90 % consistency band")
        ax.set_xlim(-0.02, 1.02)
        ax.set_ylim(-0.02, 1.02)
        ax.set_aspect("equal")
        ax.set_xlabel("mean forecast probability in bin")
        ax.set_ylabel("observed frequency")
        ax.grid(color=_GRID, linewidth=0.5)
        ax.legend(loc="upper left")
        ax.set_title(title, loc="left")
    return ax


# --------------------------------------------------------------------------- power


def _curve_points(curve):
    """(n_future_years, power) pairs, sorted, from a mapping, a sequence of pairs or a dict of lists."""
    meta = {}
    if isinstance(curve, Mapping) and "power" in curve:
        meta = {k: v for k, v in curve.items() if k not in ("n", "n_future", "power", "points")}
        xs = curve.get("n_future", curve.get("n"))
        pts = list(zip(xs, curve["power"]))
    elif isinstance(curve, Mapping) and "points" in curve:
        meta = {k: v for k, v in curve.items() if k != "points"}
        pts = [tuple(p) for p in curve["points"]]
    elif isinstance(curve, Mapping):
        pts = list(curve.items())
    elif isinstance(curve, Sequence):
        pts = [tuple(p) for p in curve]
    else:
        raise TypeError("curve: give {n_future_years: power}, a sequence of (n_future_years, power) pairs, "
                        "or a dict with lists 'n_future' and 'power'")
    pts = sorted((int(n), float(p)) for n, p in pts if p is not None)
    return pts, meta


def plot_power_curve(curve, ax=None, *, target: float = 0.8):
    """Power of a test against the number of future years observed.

    ``curve``: ``{n_future_years: power}``, a sequence of
    ``(n_future_years, power)`` pairs, or a dict with lists ``"n_future"``
    and ``"power"`` and optional ``"test"``, ``"alpha"``, ``"as_of"``,
    ``"series"``, ``"unit"`` and ``"alternative"`` for the labels (the dict
    :func:`drillcast.hypotheses.power_curve` returns). The line (``gid``
    ``"power"``) passes through the given points exactly; the dashed line
    marks ``target``.
    """
    from matplotlib.ticker import MaxNLocator

    with style():
        pts, meta = _curve_points(curve)
        ax = _new_axes(ax, figsize=(5.6, 3.2))
        test = _text(meta.get("test", "the test"))
        unit = _text(meta.get("unit") or "years")
        what = f"power of the {test} test against future {unit}"
        if meta.get("as_of"):
            what += f", as of {meta['as_of']}"
        title = _title(meta["series"], what) if meta.get("series") else what[0].upper() + what[1:]
        if not pts:
            return _no_data(ax, title, "no power values to draw")
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        ax.plot(xs, ys, marker="o", markersize=4, color="#0072B2", gid="power", label="power")
        ax.axhline(target, color=_TEXT_GREY, linestyle="--", linewidth=0.8, label=f"{100 * target:.0f} % power")
        reach = next((x for x, y in pts if y >= target), None)
        if reach is not None:
            note = (f"{100 * target:.0f} % power already with the data so far" if reach <= 0 else
                    f"{100 * target:.0f} % after {reach} more {unit if reach != 1 else unit.rstrip('s')}")
            ax.annotate(note, (reach, target), textcoords="offset points", xytext=(6, -14), fontsize=7)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylim(0, 1.02)
        xlabel = f"future {unit} observed (0 = the data so far)"
        if meta.get("alternative"):
            xlabel += "\n" + wrap_words(f"Alternative: {_text(meta['alternative'])}", 90)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(f"power at alpha = {meta.get('alpha', 0.05):g}")
        ax.grid(color=_GRID, linewidth=0.5)
        ax.legend(loc="lower right")
        ax.set_title(title, loc="left")
    return ax
