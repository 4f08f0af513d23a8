"""The one orchestrator: snapshot -> fit -> forecast / backtest / test battery / figure.

Every command, plot and report goes through these functions, so the same
catalogue, date and settings give the same numbers everywhere (the track
record quoted with a forecast is the backtest's, fold for fold). Parameters are
checked here, once, at the boundary; the layers below trust them. Errors name
the Python parameter (:class:`~drillcast.errors.ParameterError`); the command
line maps them to its flags.

Functions
---------
forecast(catalogue, series, as_of=...)          -> ForecastSet
backtest(catalogue, series, as_of=...)          -> BacktestResult
track_records(catalogue, series_ids, as_of)     -> dict per series
hypothesis_tests(catalogue, series, kind, ...)  -> TestSet
figure(kind, catalogue, series, as_of=...)      -> matplotlib Figure
places(catalogue, series, as_of=...)            -> EventPlaces (held events with coordinates, for the map)
coverage(catalogue, series_ids, as_of)          -> tuple of Coverage
outlook(catalogue, series, as_of=..., months=12) -> Outlook (the months after the as-of date)
ask(catalogue, series, start=..., end=..., ...)  -> Answer (one question, one probability)

``outlook`` and ``ask`` check their parameters here and compute in :mod:`drillcast.outlook`
(results: :class:`~drillcast.outlook.Outlook`, :class:`~drillcast.outlook.Answer`).

Examples
--------
>>> import datetime
>>> from drillcast import load_catalogue, analysis
>>> cat = load_catalogue()
>>> fs = analysis.forecast(cat, "russia-strategic", as_of=datetime.date(2026, 1, 1))  # doctest: +SKIP
>>> fs["russia-strategic"].year(2026).outcomes["tsentr"]  # doctest: +SKIP
0.96
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from drillcast import __version__
from drillcast.data.dates import today  # the UTC date
from drillcast._params import HORIZON_MAX, check_horizon, check_seed
from drillcast.errors import ParameterError, did_you_mean

__all__ = [
    "forecast", "backtest", "track_records", "hypothesis_tests", "figure", "coverage", "coverage_warnings", "today",
    "ForecastSet", "TestSet", "Coverage", "resolve_series", "check_horizon", "check_as_of",
    "HORIZON_MAX", "FIGURE_KINDS", "MULTI_SERIES_FIGURES", "places", "outlook", "ask", "track_record_backtests",
]

AS_OF_MAX_AHEAD = 366  # days past today that an as-of date may be (a forecast "as of" next year)
FIGURE_KINDS = ("timeline", "rotation", "forecast", "datefan", "seasonality", "transition", "backtest",
                "reliability", "power", "map", "outlook")
MULTI_SERIES_FIGURES = ("map", "outlook")
"""Figure kinds that draw several series on one figure (every series when none is given)."""


# --------------------------------------------------------------------------- parameters


def check_as_of(as_of, *, parameter: str = "as_of") -> _dt.date:
    """``as_of`` (a date, or None for today) within the range drillcast can reason about."""
    if as_of is None:
        return today()
    if isinstance(as_of, _dt.datetime) or not isinstance(as_of, _dt.date):
        raise ParameterError(parameter, f"{as_of!r} is not a date; give a datetime.date such as 2026-01-01")
    latest = today() + _dt.timedelta(days=AS_OF_MAX_AHEAD)
    if as_of > latest:
        raise ParameterError(parameter, f"{as_of} is more than a year after today ({today()}); a knowledge date "
                                        f"must be a day on which the catalogue could be known: give a date up to "
                                        f"{latest}")
    from drillcast.data.dates import check_knowledge_date

    check_knowledge_date(as_of, parameter)  # the codebook's range of years
    return as_of


def resolve_series(catalogue, series=None) -> list[str]:
    """Series ids from ``None``/"all", an id, a comma-separated string, or a list of those.

    Unknown ids raise ParameterError("series", ...) with "did you mean" and the known ids.
    """
    from drillcast.data.catalogue import Catalogue

    if not isinstance(catalogue, Catalogue):
        raise ParameterError("catalogue", f"{type(catalogue).__name__} is not a catalogue; give load_catalogue(...)")
    if series is not None and not isinstance(series, str) and (
            not hasattr(series, "__iter__") or not all(isinstance(s, str) for s in series)):
        raise ParameterError("series", f"{series!r} is not a series id or a list of ids; give e.g. 'russia-strategic'")
    raw: list[str] = []
    items = [series] if series is None or isinstance(series, str) else list(series)
    for s in items:
        if s is None:
            raw.append("all")
        else:
            raw += [x.strip() for x in str(s).split(",") if x.strip()]
    if not raw or "all" in raw:
        return catalogue.series_ids()
    for s in raw:
        if s not in catalogue.series:
            raise ParameterError("series", f"unknown series {s!r}{did_you_mean(s, catalogue.series)}; known series: "
                                           f"{', '.join(catalogue.series_ids())}")
    return list(dict.fromkeys(raw))


def _check_model(model) -> None:
    from drillcast.models.names import MODEL_NAMES

    if isinstance(model, str) and model != "default" and model not in MODEL_NAMES:
        raise ParameterError("model", f"unknown model {model!r}{did_you_mean(model, MODEL_NAMES)}; choose from "
                                      f"{', '.join(MODEL_NAMES)}")


def _check_counts(counts) -> None:
    from drillcast.models.names import COUNT_MODELS

    if counts != "default" and counts not in COUNT_MODELS:
        raise ParameterError("counts", f"unknown count model {counts!r}{did_you_mean(counts, COUNT_MODELS)}; "
                                       f"choose from {', '.join(COUNT_MODELS)}")


def _model_for(catalogue, sid: str, model) -> str:
    from drillcast.models import DEFAULT_MODEL

    return DEFAULT_MODEL[catalogue.series[sid].kind] if model in (None, "default") else model


# --------------------------------------------------------------------------- coverage


@dataclass(frozen=True)
class Coverage:
    """How far the catalogue's evidence about one series reaches on an as-of date.

    Attributes
    ----------
    series : str
    as_of : datetime.date
    checked_through : datetime.date
        The date through which the public sources of the series were searched
        (``series.csv``), or, when the catalogue does not say, its latest report.
    inferred : bool
        True when ``checked_through`` was not recorded but inferred from the latest report.
    gap_days : int
        Days from ``checked_through`` to ``as_of`` (0 when the check reaches the as-of date).
    """

    series: str
    as_of: _dt.date
    checked_through: _dt.date
    inferred: bool
    gap_days: int

    @property
    def evidence_date(self) -> _dt.date:
        """The last day on which "not in the catalogue" means "did not happen"."""
        return min(self.as_of, self.checked_through)

    def phrase(self) -> str:
        """What the gap means, in words ('' when there is none)."""
        if self.gap_days <= 0:
            return ""
        how = " (inferred from the catalogue's latest report)" if self.inferred else ""
        return (f"not checked after {self.checked_through}{how}: an exercise held since then would be missing; "
                "the probabilities allow for it")

    def to_dict(self) -> dict:
        return {"series": self.series, "checked_through": self.checked_through.isoformat(),
                "checked_through_inferred": self.inferred, "gap_days": self.gap_days}


def coverage(catalogue, series_ids, as_of: _dt.date) -> tuple:
    """One :class:`Coverage` per series."""
    out = []
    for sid in series_ids:
        info = catalogue.series[sid]
        ct = catalogue.checked_through(sid)
        out.append(Coverage(sid, as_of, ct, info.checked_inferred, max(0, (as_of - ct).days)))
    return tuple(out)


def coverage_warning(gaps) -> str | None:
    """One line naming every series whose check ends before the as-of date, or None."""
    late = [g for g in gaps if g.gap_days > 0]
    if not late:
        return None
    parts = [f"{g.series} (checked through {g.checked_through}, {g.gap_days} days before)" for g in late[:6]]
    more = f" and {len(late) - 6} more" if len(late) > 6 else ""
    return (f"the as-of date {late[0].as_of} is past the catalogue's coverage of {', '.join(parts)}{more}: "
            "an exercise held after a series' check would be missing, so its forecast treats that time as "
            "unknown rather than as no exercise; update the catalogue ('drillcast data add', 'drillcast data "
            "checked') for firmer numbers")


def coverage_warnings(catalogue, series_ids, as_of: _dt.date) -> tuple:
    """The coverage warning for these series as of ``as_of``, as a tuple of at most one sentence."""
    w = coverage_warning(coverage(catalogue, series_ids, as_of))
    return (w,) if w else ()


# --------------------------------------------------------------------------- forecasts


@dataclass(frozen=True)
class ForecastSet:
    """Forecasts of several series as of one date, with the evidence behind them.

    Attributes
    ----------
    as_of : datetime.date
    seed : int
    catalogue_sha256 : str
    catalogue_latest_report : datetime.date or None
    forecasts : tuple of Forecast
    coverage : tuple of Coverage
    warnings : tuple of str
        Things a reader must know (coverage gaps), one sentence each.
    """

    as_of: _dt.date
    seed: int
    catalogue_sha256: str
    catalogue_latest_report: _dt.date | None
    forecasts: tuple
    coverage: tuple = ()
    warnings: tuple = ()

    def __iter__(self):
        return iter(self.forecasts)

    def __len__(self) -> int:
        return len(self.forecasts)

    def __getitem__(self, series: str):
        for f in self.forecasts:
            if f.series == series:
                return f
        raise KeyError(series)

    def to_dict(self) -> dict:
        """The JSON document of ``drillcast forecast --format json``."""
        cov = {c.series: c for c in self.coverage}
        docs = []
        for f in self.forecasts:
            d = f.to_dict()
            c = cov.get(f.series)
            if c is not None:
                d["checked_through"] = c.checked_through.isoformat()
                d["checked_through_inferred"] = c.inferred
            docs.append(d)
        return {"as_of": self.as_of.isoformat(), "seed": self.seed, "catalogue_sha256": self.catalogue_sha256,
                "drillcast_version": __version__,
                "catalogue_latest_report": (self.catalogue_latest_report.isoformat()
                                            if self.catalogue_latest_report else None),
                "warnings": list(self.warnings), "forecasts": docs}

    def to_frame(self):
        """One row per series and year (see :meth:`drillcast.forecasting.Forecast.to_frame`)."""
        import pandas as pd

        frames = [f.to_frame() for f in self.forecasts if f.ok]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def summary(self, catalogue=None) -> str:
        """The text of ``drillcast forecast``."""
        from drillcast.present.render import forecast_text

        return forecast_text(self.forecasts, catalogue)


def forecast(catalogue, series=None, *, as_of=None, model="default", horizon: int = 3, seed: int = 0,
             counts: str = "default", track_record: bool = True, progress=None) -> ForecastSet:
    """Forecast each series as of ``as_of`` (only what was reported by then is used).

    Parameters
    ----------
    catalogue : Catalogue
        The full catalogue (snapshots are taken here).
    series : str, list of str or None
        Series ids, comma-separated ids, or None / "all".
    as_of : datetime.date, optional
        Knowledge date (default: today, UTC).
    model : str
        A model name or "default" (the evidence-backed default of each kind of series).
    horizon : int
        Years to forecast, 1 to :data:`HORIZON_MAX`, starting with the as-of year.
    seed : int
        Seeds every random draw (sampling of whole calendars; Monte Carlo where used).
    counts : str
        Count model of multi-event series.
    track_record : bool
        Attach each model's one-year-ahead backtest before ``as_of`` (:func:`track_records`).
    progress : callable, optional
        Called with each series id once it is done.
    """
    from drillcast.forecasting import Forecaster

    as_of = check_as_of(as_of)
    horizon = check_horizon(horizon)
    seed = check_seed(seed)
    _check_model(model)
    _check_counts(counts)
    sel = resolve_series(catalogue, series)
    snap = catalogue.as_of(as_of)
    fcs = []
    for sid in sel:
        fcs.append(Forecaster(model, counts=counts).fit(snap, sid).forecast(horizon=horizon, seed=seed))
        if progress:
            progress(sid)
    if track_record:
        records = track_records(catalogue, [f.series for f in fcs if f.ok], as_of, model=model, seed=seed,
                                counts=counts)
        fcs = [f.with_track_record(records[f.series]) if f.ok else f for f in fcs]
    return ForecastSet(as_of, seed, catalogue.sha256, snap.latest_report(), tuple(fcs),
                       coverage(catalogue, sel, as_of), coverage_warnings(catalogue, sel, as_of))


# --------------------------------------------------------------------------- backtests


def backtest(catalogue, series=None, *, as_of=None, cutoffs=None, from_year=None, to_year=None,
             horizon: int = 1, models=None, seed: int = 0, counts: str = "default", progress=None,
             summary: bool = True, paired_draws: int = 20_000):
    """Backtest ``models`` on each series, scored against what is known on ``as_of``.

    Forecasts are made as of each cutoff (default: 1 January of each of the
    last 15 years once a series has five years of history, up to the last
    complete year before ``as_of``) with only what was reported by the cutoff. See
    :func:`drillcast.evaluation.backtest.backtest` for the scores.

    Returns
    -------
    drillcast.evaluation.backtest.BacktestResult
    """
    from drillcast.evaluation.backtest import backtest as _backtest

    as_of = check_as_of(as_of)
    horizon = check_horizon(horizon)
    seed = check_seed(seed)
    _check_counts(counts)
    sel = resolve_series(catalogue, series)
    for m in models or ():
        if not isinstance(m, str) and not hasattr(m, "fit"):
            raise ParameterError("models", f"{m!r} is not a model; give model names such as 'ensemble', 'uniform'")
        if isinstance(m, str):
            _check_model(m)
            if m == "default":
                raise ParameterError("models", "'default' is not a model name here; name the models, e.g. "
                                               "ensemble,uniform")
    if cutoffs is not None:
        if from_year is not None or to_year is not None:
            raise ParameterError("cutoffs", "cannot be combined with from_year/to_year; use one or the other")
        cutoffs = sorted(set(cutoffs))
        if not cutoffs:
            raise ParameterError("cutoffs", "no dates given; give e.g. [2019-01-01, 2020-01-01]")
        late = [c for c in cutoffs if c >= as_of]
        if late:
            raise ParameterError("cutoffs", f"{late[0]} is not before the as-of date {as_of}; backtests need "
                                            "cutoffs in the past")
    if from_year is not None and to_year is not None and from_year > to_year:
        raise ParameterError("from_year", f"{from_year} is after to_year {to_year}; swap them")
    return _backtest(catalogue, sel, cutoffs=cutoffs, from_year=from_year, to_year=to_year, horizon=horizon,
                     models=models, seed=seed, truth_as_of=as_of, paired_draws=paired_draws, progress=progress,
                     summary=summary, counts=counts)


def track_record_backtests(catalogue, series_ids, as_of: _dt.date, *, model="default", seed: int = 0,
                           counts: str = "default") -> list:
    """The backtests behind :func:`track_records`: ``[(model name, series ids, BacktestResult)]``.

    One backtest per model name (the default differs by kind of series), of that model and
    the uniform guess, on the default folds before ``as_of``.
    """
    from drillcast.evaluation.backtest import backtest as _backtest

    names = {sid: _model_for(catalogue, sid, model) for sid in series_ids}
    by_model: dict[str, list] = {}
    for sid in series_ids:
        by_model.setdefault(names[sid], []).append(sid)
    return [(name, sids, _backtest(catalogue, sids, models=list(dict.fromkeys([name, "uniform"])), seed=seed,
                                   truth_as_of=as_of, summary=False, counts=counts))
            for name, sids in by_model.items()]


def track_records(catalogue, series_ids, as_of: _dt.date, *, model="default", seed: int = 0,
                  counts: str = "default") -> dict:
    """How ``model`` would have done on each series: the default backtest's folds, before ``as_of``.

    The same folds as ``drillcast backtest`` on the same catalogue and date
    (1 January of each of the last 15 years, from the fifth year of history to
    the last complete year), so the two never disagree. Per series: the model's mean
    log score, Brier score and start-date CRPS, and the uniform guess's mean
    log score on the same folds.
    """
    from drillcast.evaluation.backtest import MIN_BACKTEST_YEARS

    out = {}
    for name, sids, res in track_record_backtests(catalogue, series_ids, as_of, model=model, seed=seed,
                                                  counts=counts):
        by = {(r["series"], r["model"]): r for r in res.summary}
        years_of: dict[str, set] = {}
        for f in res.folds:
            years_of.setdefault(f["series"], set()).add(f["year"])
        for sid in sids:
            mine = by.get((sid, name))
            if mine is None:
                reason = (f"fewer than {MIN_BACKTEST_YEARS} years of history before {as_of}"
                          if not res.settings["cutoffs"].get(sid) else "no scorable past forecast")
                out[sid] = {"model": name, "n": 0, "reason": reason}
                continue
            years = sorted(years_of[sid])
            uniform = by.get((sid, "uniform"))
            out[sid] = {"model": name, "n": mine["n"], "from": years[0], "to": years[-1],
                        "mean_log_score": mine["mean_log_score"], "mean_brier": mine["mean_brier"],
                        "uniform_mean_log_score": uniform["mean_log_score"] if uniform else None,
                        "mean_crps_days": mine["mean_crps_days"]}
    return out


# --------------------------------------------------------------------------- hypothesis tests


@dataclass(frozen=True)
class TestSet:
    """Hypothesis tests of several series as of one date.

    Attributes
    ----------
    as_of : datetime.date
    seed : int
    alpha : float
    catalogue_sha256 : str
    results : tuple of (str, tuple of TestResult)
        Per series id, its test results (corrected for multiplicity when a battery).
    warnings : tuple of str
    """

    __test__ = False  # not a pytest class

    as_of: _dt.date
    seed: int
    alpha: float
    catalogue_sha256: str
    results: tuple
    warnings: tuple = ()

    def to_dict(self) -> dict:
        return {"as_of": self.as_of.isoformat(), "seed": self.seed, "alpha": self.alpha,
                "catalogue_sha256": self.catalogue_sha256, "drillcast_version": __version__,
                "warnings": list(self.warnings),
                "tests": [{"series": sid, "results": [r.to_dict() for r in rs]} for sid, rs in self.results]}

    def to_frame(self):
        """One row per series and test."""
        import pandas as pd

        from drillcast.hypotheses import results_frame

        frames = []
        for sid, rs in self.results:
            df = results_frame(rs)
            df.insert(0, "series", sid)
            frames.append(df)
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def summary(self) -> str:
        from drillcast.present.render import tests_text

        return "\n".join(tests_text(sid, self.as_of, rs) for sid, rs in self.results)


def hypothesis_tests(catalogue, series=None, kind: str = "all", *, as_of=None, alpha: float = 0.05, draws=None,
                     seed: int = 0, order=None, hypothesis_date=None, correction: str = "holm") -> TestSet:
    """Run one test (``kind``) or the battery (``"all"``) on each series, as of ``as_of``.

    See :mod:`drillcast.hypotheses` for each test's H0, H1, p-value and power.
    """
    from drillcast.data.history import series_history
    from drillcast.hypotheses import TEST_NAMES, run_battery, run_test

    as_of = check_as_of(as_of)
    seed = check_seed(seed)
    if kind != "all" and kind not in TEST_NAMES:
        raise ParameterError("kind", f"unknown test {kind!r}{did_you_mean(kind, TEST_NAMES)}; choose from "
                                     f"{', '.join(TEST_NAMES)} or all")
    sel = resolve_series(catalogue, series)
    if isinstance(order, str):
        order = [o.strip() for o in order.split(",") if o.strip()]
    snap = catalogue.as_of(as_of)
    out = []
    for sid in sel:
        h = series_history(snap, sid)
        if kind == "all":
            rs = run_battery(h, alpha=alpha, correction=correction, draws=draws, seed=seed, order=order,
                             hypothesis_date=hypothesis_date)
        else:
            rs = [run_test(kind, h, order=order, alpha=alpha, draws=draws, seed=seed,
                           hypothesis_date=hypothesis_date)]
        out.append((sid, tuple(rs)))
    return TestSet(as_of, seed, alpha, catalogue.sha256, tuple(out), coverage_warnings(catalogue, sel, as_of))


# --------------------------------------------------------------------------- figures


def backtest_models(extra=()) -> list[str]:
    """Models backtested for figures and reports: baselines, rotation models, the default, ``extra``."""
    from drillcast.models import DEFAULT_MODEL

    names = ["uniform", "climatology", "persistence", "strict-rotation", "calendar", "markov", "changepoint"]
    names += list(DEFAULT_MODEL.values()) + [m for m in extra if m != "default"]
    return list(dict.fromkeys(names))


def power_curve(history, test: str = "rotation", *, alpha: float = 0.05, seed: int = 0) -> dict:
    """Power against future years for ``test`` on ``history`` (see :func:`drillcast.hypotheses.power_curve`)."""
    from drillcast.hypotheses import TEST_NAMES
    from drillcast.hypotheses import power_curve as _power_curve

    from drillcast.data.history import SeriesHistory

    if not isinstance(history, SeriesHistory):
        raise ParameterError("history", f"{type(history).__name__} is not a series history; give "
                                        "series_history(catalogue.as_of(date), series)")
    if test not in TEST_NAMES:
        raise ParameterError("test", f"unknown test {test!r}{did_you_mean(test, TEST_NAMES)}; choose from "
                                     f"{', '.join(TEST_NAMES)}")
    meta = {"test": test, "alpha": alpha, "as_of": str(history.as_of), "series": history.info.name}
    return {**meta, **_power_curve(test, history, alpha=alpha, seed=seed)}


def places(catalogue, series=None, *, as_of=None):
    """Where the held events of ``series`` took place, as known on ``as_of`` (the map's data).

    Returns
    -------
    drillcast.data.places.EventPlaces
        Held events with the catalogue's coordinates, and per series the number without them.
    """
    from drillcast.data.places import event_places

    as_of = check_as_of(as_of)
    return event_places(catalogue.as_of(as_of), resolve_series(catalogue, series))


def _multi_series_figure(kind: str, catalogue, series, as_of, seed: int):
    """A figure of :data:`MULTI_SERIES_FIGURES`: every series in ``series`` on one figure."""
    from drillcast.present.figures import new_figure

    if kind == "map":
        from drillcast.present.plot_map import map_size, plot_event_map

        res = places(catalogue, series, as_of=as_of)
        fig, ax = new_figure(map_size(res))
        plot_event_map(res, ax=ax)
    else:
        from drillcast.present.plot_outlook import outlook_size, plot_outlook_calendar

        res = outlook(catalogue, series, as_of=as_of, months=12, seed=seed)
        fig, ax = new_figure(outlook_size(res))
        plot_outlook_calendar(res, ax=ax)
    return fig


def figure(kind: str, catalogue, series, *, as_of=None, model: str = "default", horizon: int = 3,
           seed: int = 0, test: str = "rotation"):
    """Compute what figure ``kind`` needs and draw it on a new (pyplot-free) Figure.

    Parameters
    ----------
    kind : one of :data:`FIGURE_KINDS`
    catalogue : Catalogue
        The full catalogue; snapshots are taken here.
    series : str or list of str
        One series id; for :data:`MULTI_SERIES_FIGURES` (``map``, ``outlook``: the 12-month calendar) any
        number of ids, None for all.
    as_of : datetime.date, optional
        Knowledge date: nothing reported later is used (backtests score
        against the catalogue as known on ``as_of``).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from drillcast.data.history import series_history
    from drillcast.forecasting import Forecaster
    from drillcast.present import plotting, plotting_scores
    from drillcast.present.figures import new_figure

    seed = check_seed(seed)
    if kind not in FIGURE_KINDS:
        raise ParameterError("kind", f"unknown figure {kind!r}{did_you_mean(kind, FIGURE_KINDS)}; choose from "
                                     f"{', '.join(FIGURE_KINDS)}")
    as_of = check_as_of(as_of)
    horizon = check_horizon(horizon)
    _check_model(model)
    sel = resolve_series(catalogue, series)
    if kind in MULTI_SERIES_FIGURES:
        fig = _multi_series_figure(kind, catalogue, sel, as_of, seed)
        plotting.add_source_line(fig, catalogue.sha256, as_of)
        return fig
    if len(sel) != 1:
        raise ParameterError("series", f"a figure shows one series; got {len(sel)} ({', '.join(sel[:5])}"
                                       f"{', ...' if len(sel) > 5 else ''}); give one, e.g. {sel[0]}")
    series = sel[0]
    info = catalogue.series[series]
    snap = catalogue.as_of(as_of)
    name = _model_for(catalogue, series, model)
    if kind == "timeline":
        from drillcast.present.plot_timeline import plot_timeline, timeline_rows

        fig, ax = new_figure((7.2, max(2.6, min(9.0, 1.3 + 0.16 * timeline_rows(snap, series)))))
        plot_timeline(snap, series, ax=ax)
    elif kind == "rotation":
        fig, ax = new_figure((7.2, 0.9 + 0.32 * len(info.categories)))
        plotting.plot_rotation_grid(series_history(snap, series), ax=ax)
    elif kind in ("forecast", "datefan", "seasonality", "transition"):
        if kind == "transition":
            if not info.rotating:
                raise ParameterError("series", f"{series!r} is not rotating; the transition matrix is defined for "
                                               "a rotating series (one with directions)")
            name = "markov"
        fitted = Forecaster(name).fit(snap, series)
        fc = fitted.forecast(horizon=horizon, seed=seed)
        if kind == "forecast":
            fig, ax = new_figure((7.2, 3.2))
            plotting.plot_forecast(fc, ax=ax)
        elif kind == "datefan":
            fig, ax = new_figure((7.2, 3.4))
            plotting.plot_date_fan(fitted.history, fc, ax=ax)
        elif kind == "seasonality":
            fig, ax = new_figure((4.8, 5.0), polar=True)
            plotting.plot_seasonality(fitted.history, fc if fc.ok else None, ax=ax)
        else:
            if not fc.ok:
                raise ParameterError("series", f"no forecast of {series!r} as of {as_of}: {fc.reason}")
            fig, ax = new_figure((5.2, 4.4))
            plotting.plot_transition_matrix(fc, ax=ax)
    elif kind in ("backtest", "reliability"):
        res = backtest(snap, series, as_of=as_of, models=backtest_models([name]), seed=seed, paired_draws=2000)
        if not res.folds:
            raise ParameterError("series", f"no backtest folds for {series!r} as of {as_of}: the series needs at "
                                           "least 5 years of history before a scorable year")
        if kind == "backtest":
            fig, ax = new_figure((7.2, 3.4))
            plotting_scores.plot_backtest_scores(res, series, ax=ax)
        else:
            fig, ax = new_figure((4.8, 4.6))
            plotting_scores.plot_reliability(res, series, name, ax=ax)
    else:  # power
        curve = power_curve(series_history(snap, series), test, seed=seed)
        fig, ax = new_figure((6.0, 3.6))
        plotting_scores.plot_power_curve(curve, ax=ax)
    plotting.add_source_line(fig, catalogue.sha256, as_of)
    return fig


# --------------------------------------------------------------------------- outlook and questions


def outlook(catalogue, series=None, *, as_of=None, months: int = 12, seed: int = 0, skills=None):
    """What to expect of each series in the ``months`` months after ``as_of``.

    Parameters
    ----------
    catalogue : Catalogue
        The full catalogue (snapshots are taken here).
    series : str, list of str or None
        Series ids, comma-separated ids, or None / "all".
    as_of : datetime.date, optional
        Knowledge date (default: today, UTC); the window starts on it.
    months : int
        Length of the window, 1 to 36: from ``as_of`` to the day before the same
        date ``months`` later (``as_of`` 2026-01-01, 12 months: the year 2026).
    seed : int
        Seeds the draws of whole calendars (:data:`drillcast.outlook.N_PATHS` per series).
    skills : dict, optional
        ``{series: skill}`` (:func:`drillcast.evaluation.confidence.skill_from_folds`) from a backtest
        the caller already ran on the same folds (the report's); default: run
        :func:`track_record_backtests` here.

    Returns
    -------
    drillcast.outlook.Outlook
        Series sorted by the median of their next start (series without one last).

    Examples
    --------
    >>> import datetime
    >>> from drillcast import analysis, load_catalogue
    >>> o = analysis.outlook(load_catalogue(), "russia-strategic", as_of=datetime.date(2026, 12, 7))  # doctest: +SKIP
    >>> o["russia-strategic"].next_start["median"][:4]  # doctest: +SKIP
    '2027'
    """
    from drillcast.evaluation.confidence import skill_from_folds
    from drillcast._params import check_seed
    from drillcast.outlook import check_months, outlook_of

    as_of = check_as_of(as_of)
    seed = check_seed(seed)
    months = check_months(months)
    sel = resolve_series(catalogue, series)
    if skills is None:
        skills = {sid: skill_from_folds(res.folds, sid, name)
                  for name, sids, res in track_record_backtests(catalogue, sel, as_of, seed=seed) for sid in sids}
    return outlook_of(catalogue, sel, as_of=as_of, months=months, seed=seed, skills=skills,
                      warnings=coverage_warnings(catalogue, sel, as_of))


def ask(catalogue, series, *, start, end, direction=None, participants=(), at_least: int = 1, as_of=None,
        seed: int = 0):
    """The probability that at least ``at_least`` events of ``series`` start between ``start`` and ``end``.

    Parameters
    ----------
    catalogue : Catalogue
    series : str
        One series id.
    start, end : datetime.date
        The window, both days included (a calendar year: 1 January to 31 December).
    direction : str, optional
        Count only events of this direction (rotating series).
    participants : iterable of str
        Count only events in which every one of these countries (ISO3, tracked for the
        series) takes part.
    at_least : int
        Events needed for "yes", 1 or more.
    as_of : datetime.date, optional
        Knowledge date (default: today, UTC).
    seed : int

    Returns
    -------
    drillcast.outlook.Answer
        Resolved (probability 1 or 0, with the events and sources) when the catalogue
        already settles the question: held events satisfy it, or the window ends on or
        before ``min(as_of, checked_through)``.

    Raises
    ------
    ParameterError
        ``end`` before ``start``, an unknown ``direction`` or one given for a series
        that does not rotate, an unknown or untracked country in ``participants``,
        ``at_least`` below 1, a window beyond the forecast horizon, or a series that
        cannot be forecast when the catalogue does not settle the question.
    """
    from drillcast._params import check_seed
    from drillcast.outlook import answer

    as_of = check_as_of(as_of)
    seed = check_seed(seed)
    sel = resolve_series(catalogue, series)
    if len(sel) != 1 or series in (None, "all"):
        raise ParameterError("series", f"a question is about one series; got {len(sel)}; give one, e.g. {sel[0]}")
    return answer(catalogue, sel[0], start=start, end=end, direction=direction, participants=participants,
                  at_least=at_least, as_of=as_of, seed=seed)
