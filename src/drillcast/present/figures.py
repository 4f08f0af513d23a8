"""``drillcast plot KIND``: fit what the figure needs, draw it, save it atomically.

The plotting functions in :mod:`drillcast.present.plotting` only draw results; this
module computes those results (forecasts, backtests, hypothesis tests) from
a catalogue and an as-of date, builds a figure without pyplot (no global
state, no GUI backend), renders it to bytes with fixed rcParams and
metadata, and writes the bytes with :func:`drillcast._io.atomic_write`.
"""

from __future__ import annotations

import datetime as _dt
import io
import os
import sys

from drillcast.errors import OptionError

__all__ = ["plot_command", "make_figure", "figure_bytes", "output_format", "power_curve",
           "backtest_models", "DEFAULT_SERIES", "FORMATS"]

FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
DEFAULT_SERIES = "russia-strategic"
KINDS = ("timeline", "rotation", "forecast", "datefan", "seasonality", "transition", "backtest",
         "reliability", "power")

# Models in backtest figures and the report: the four baselines, two rotation models (calendar-
# and sequence-anchored), the default and every member of it (the ensemble pools the change-point
# model). ``markov2`` is left out to keep a full report within a few seconds: its Monte Carlo
# marginals alone cost more than all the others together.
_BACKTEST_MODELS = ("uniform", "climatology", "persistence", "strict-rotation", "calendar", "markov")


def backtest_models(extra=()) -> list[str]:
    """Models backtested for figures and reports: baselines, rotation models, the default, ``extra``."""
    from drillcast.models import DEFAULT_MODEL

    from drillcast.models import get_model

    members = [m.name for d in DEFAULT_MODEL.values() for m in getattr(get_model(d), "members", ())]
    names = list(_BACKTEST_MODELS) + members + list(DEFAULT_MODEL.values()) + [m for m in extra if m != "default"]
    return list(dict.fromkeys(names))


def output_format(path) -> str:
    """``png``, ``svg`` or ``pdf`` from the file name; anything else is an OptionError."""
    ext = os.path.splitext(str(path))[1].lower()
    if ext not in FORMATS:
        shown = f"extension {ext!r}" if ext else "no extension"
        raise OptionError(f"-o: {path} has {shown}; use .png, .svg or .pdf")
    return FORMATS[ext]


def figure_bytes(fig, fmt: str) -> bytes:
    """Render ``fig`` to bytes, with no dates or random ids (same inputs, same bytes)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from drillcast.present.plotting import style

    if fig.canvas is None or not hasattr(fig.canvas, "print_png"):
        FigureCanvasAgg(fig)
    metadata = {"svg": {"Date": None}, "pdf": {"CreationDate": None, "ModDate": None},
                "png": {"Software": None}}[fmt]
    buf = io.BytesIO()
    with style():
        fig.savefig(buf, format=fmt, metadata=metadata)
    return buf.getvalue()


def _figure(size, polar=False):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from drillcast.present.plotting import style

    with style():
        fig = Figure(figsize=size, layout="constrained")
        FigureCanvasAgg(fig)
        ax = fig.add_subplot(projection="polar" if polar else None)
    # leave room for the source line at the foot
    fig.get_layout_engine().set(rect=(0.0, 0.035, 1.0, 0.965))
    return fig, ax


def _resolve_model(model: str, kind: str) -> str:
    from drillcast.models import DEFAULT_MODEL, get_model

    name = DEFAULT_MODEL[kind] if model in (None, "default") else model
    get_model(name)
    return name


def power_curve(history, test: str = "rotation", *, alpha: float = 0.05, seed: int = 0) -> dict:
    """Power against future years for ``test`` on ``history``, from :mod:`drillcast.hypotheses`.

    Uses the module's ``power_curve`` function when it has one; otherwise runs
    the test and reads the curve its power search recorded in
    ``details["power_curve"]`` (total n -> power), shifted to future years.

    Returns
    -------
    dict
        ``{"n_future": [...], "power": [...], "test", "alpha", "as_of", "series",
        "alternative", "n": n_now, "reading"}``.

    Raises
    ------
    OptionError
        If the test does not apply to the series or reports no power.
    """
    from drillcast import hypotheses

    names = getattr(hypotheses, "TEST_NAMES", ())
    if names and test not in names:
        from drillcast.errors import did_you_mean

        raise OptionError(f"--test: unknown test {test!r}{did_you_mean(test, names)}; "
                          f"choose from {', '.join(names)}")
    helper = getattr(hypotheses, "power_curve", None)
    meta = {"test": test, "alpha": alpha, "as_of": str(history.as_of), "series": history.info.name}
    if callable(helper):
        got = helper(test, history, alpha=alpha, seed=seed)
        if isinstance(got, dict) and "power" in got:
            return {**meta, **got}
        pairs = sorted(dict(got).items()) if isinstance(got, dict) else sorted(got)
        return {**meta, "n_future": [int(n) for n, _ in pairs], "power": [float(p) for _, p in pairs]}
    run_test = getattr(hypotheses, "run_test", None)
    if run_test is None:
        raise OptionError("plot power: the hypothesis-test module has no run_test yet; "
                          "this drillcast build cannot compute power curves")
    res = run_test(test, history, alpha=alpha, seed=seed)
    if getattr(res, "skipped", None):
        raise OptionError(f"plot power: the {test} test does not apply to {history.info.id}: {res.skipped}")
    curve = (res.details or {}).get("power_curve")
    if not curve:
        raise OptionError(f"plot power: the {test} test reports no power curve for {history.info.id}")
    pairs = sorted((int(n), float(p)) for n, p in curve.items())
    n_now = int(res.n)
    return {**meta, "n_future": [n - n_now for n, _ in pairs], "power": [p for _, p in pairs],
            "n": n_now, "alternative": res.power_alternative, "reading": res.reading}


def make_figure(kind: str, catalogue, series: str, as_of: _dt.date, *, model: str = "default",
                horizon: int = 3, seed: int = 0, test: str = "rotation"):
    """Compute what ``kind`` needs and draw it on a new (pyplot-free) Figure.

    Parameters
    ----------
    kind : {"timeline", "rotation", "forecast", "datefan", "seasonality", "transition",
            "backtest", "reliability", "power"}
    catalogue : Catalogue
        The full catalogue; snapshots are taken here.
    series : str
    as_of : datetime.date
        Knowledge date: nothing reported later is used (backtests score
        against the catalogue as known on ``as_of``).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from drillcast.present import plotting
    from drillcast.evaluation.backtest import backtest
    from drillcast.forecasting import Forecaster
    from drillcast.data.history import series_history

    if kind not in KINDS:
        from drillcast.errors import did_you_mean

        raise OptionError(f"plot: unknown kind {kind!r}{did_you_mean(kind, KINDS)}; choose from {', '.join(KINDS)}")
    if horizon is None or horizon < 1:
        raise OptionError(f"--horizon: {horizon} is not allowed; give an integer >= 1")
    info = catalogue.get_series(series)
    snap = catalogue.as_of(as_of)
    name = _resolve_model(model, info.kind)
    if kind == "timeline":
        n_years = len({r["start"].year for r in snap.events(series)}) + 1
        fig, ax = _figure((7.2, min(9.0, 1.4 + 0.2 * n_years)))
        plotting.plot_timeline(snap, series, ax=ax)
    elif kind == "rotation":
        fig, ax = _figure((7.2, 0.9 + 0.32 * len(info.categories)))
        plotting.plot_rotation_grid(series_history(snap, series), ax=ax)
    elif kind in ("forecast", "datefan", "seasonality", "transition"):
        if kind == "transition":
            if not info.rotating:
                raise OptionError(f"plot transition: series {series!r} is not rotating; the transition "
                                  "matrix is defined for a rotating series (one with directions)")
            name = "markov"
        fitted = Forecaster(name).fit(snap, series)
        fc = fitted.forecast(horizon=horizon, seed=seed)
        if kind == "forecast":
            fig, ax = _figure((7.2, 3.2))
            plotting.plot_forecast(fc, ax=ax)
        elif kind == "datefan":
            fig, ax = _figure((7.2, 3.4))
            plotting.plot_date_fan(fitted.history, fc, ax=ax)
        elif kind == "seasonality":
            fig, ax = _figure((4.8, 5.0), polar=True)
            timing = fc if fc.ok else None
            plotting.plot_seasonality(fitted.history, timing, ax=ax)
        else:
            if not fc.ok:
                raise OptionError(f"plot transition: no forecast of {series!r} as of {as_of}: {fc.reason}")
            fig, ax = _figure((5.2, 4.4))
            plotting.plot_transition_matrix(fc, ax=ax)
    elif kind in ("backtest", "reliability"):
        res = backtest(snap, series, horizon=1, models=backtest_models([name]), seed=seed, truth_as_of=as_of,
                       paired_draws=2000)
        if not res.folds:
            raise OptionError(f"plot {kind}: no backtest folds for {series!r} as of {as_of}: the series needs "
                              "at least 5 years of history before a scorable year")
        if kind == "backtest":
            fig, ax = _figure((7.2, 3.4))
            plotting.plot_backtest_scores(res, series, ax=ax)
        else:
            fig, ax = _figure((4.8, 4.6))
            plotting.plot_reliability(res, series, name, ax=ax)
    else:  # power
        curve = power_curve(series_history(snap, series), test, seed=seed)
        fig, ax = _figure((6.0, 3.6))
        plotting.plot_power_curve(curve, ax=ax)
    plotting.add_source_line(fig, catalogue.sha256, as_of)
    return fig


def _one_series(args, catalogue, series_list) -> str:
    if not args.series:
        ids = catalogue.series_ids()
        if not ids:
            raise OptionError("the catalogue has no series to plot")
        return DEFAULT_SERIES if DEFAULT_SERIES in catalogue.series else ids[0]
    sel = series_list(args, catalogue)
    if len(sel) != 1:
        raise OptionError(f"--series: a plot shows one series; got {len(sel)} ({', '.join(sel[:5])}"
                          f"{', ...' if len(sel) > 5 else ''}); give one, e.g. --series {sel[0]}")
    return sel[0]


def plot_command(args, catalogue, parse_as_of, series_list, inputs) -> int:
    """``drillcast plot KIND [--series S] [--as-of D] -o FILE.png|svg|pdf``."""
    from drillcast._io import atomic_write, check_output_path

    fmt = output_format(args.output)
    check_output_path(args.output, inputs)
    as_of = parse_as_of(args.as_of)
    series = _one_series(args, catalogue, series_list)
    fig = make_figure(args.kind, catalogue, series, as_of, model=getattr(args, "model", "default"),
                      horizon=getattr(args, "horizon", 3), seed=getattr(args, "seed", 0),
                      test=getattr(args, "test", "rotation"))
    data = figure_bytes(fig, fmt)
    atomic_write(args.output, data, inputs)
    sys.stderr.write(f"drillcast: wrote {args.output}\n")
    return 0
