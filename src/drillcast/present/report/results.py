"""What the report shows for each series: forecast, one backtest and one battery, computed once.

:func:`analyse` is the one place the report asks :mod:`drillcast.analysis`
for anything; every section reads the :class:`SeriesResults` it returns.
"""

from __future__ import annotations

from dataclasses import dataclass

from drillcast.present.report.wording import ALPHA, CORRECTION


@dataclass(frozen=True)
class SeriesResults:
    """Everything the report says about one series, as of one date."""

    sid: str
    info: object
    history: object
    forecast: object
    events: list
    snapshot: object = None
    backtest: object = None
    battery: list | None = None
    battery_note: str = ""


def analyse(catalogue, sid, as_of, horizon, seed, wanted, checks=None) -> SeriesResults:
    """Forecast ``sid`` with the default model; backtest and test it when ``wanted`` has those sections.

    Everything comes from :mod:`drillcast.analysis` (no fitting here).
    ``checks``: the ``(backtest, battery, note)`` of :func:`_checks`, when
    already computed (in another process).
    """
    from drillcast import analysis
    from drillcast.data.history import series_history

    snapshot = catalogue.as_of(as_of)
    fc = analysis.forecast(catalogue, sid, as_of=as_of, horizon=horizon, seed=seed, track_record=False)[sid]
    history = snapshot.memo(("history", sid), lambda snap: series_history(snap, sid))
    bt, battery, note = checks if checks is not None else _checks(catalogue, sid, as_of, seed, wanted)
    return SeriesResults(sid, snapshot.get_series(sid), history, fc, snapshot.events(sid), snapshot, bt, battery,
                         note)


def _checks(catalogue, sid, as_of, seed, wanted):
    """(backtest, battery, note): the slow, pure part of :func:`analyse` (picklable results)."""
    from drillcast import analysis
    from drillcast.data.history import series_history

    bt = battery = None
    note = ""
    if "track_record" in wanted:
        bt = analysis.backtest(catalogue, sid, as_of=as_of, models=analysis.backtest_models(), seed=seed)
    if "hypotheses" in wanted:
        snapshot = catalogue.as_of(as_of)
        history = snapshot.memo(("history", sid), lambda snap: series_history(snap, sid))
        if history.n_years == 0 and history.current_outcome is None:
            note = f"no complete year of the series is known on {as_of}, so there is nothing to test"
        else:
            ts = analysis.hypothesis_tests(catalogue, sid, "all", as_of=as_of, alpha=ALPHA, seed=seed,
                                           correction=CORRECTION)
            battery = list(ts.results[0][1])
    return bt, battery, note


def track_record_summary(r: SeriesResults) -> dict | None:
    """The default model's backtest in the form of :func:`drillcast.evaluation.backtest.track_record` (no refit)."""
    if r.backtest is None or not r.forecast.ok:
        return None
    by = {s["model"]: s for s in r.backtest.summary if s["series"] == r.sid}
    me = by.get(r.forecast.model)
    if me is None:
        return {"model": r.forecast.model, "n": 0, "reason": "no scorable past forecast before the as-of date"}
    years = sorted({f["year"] for f in r.backtest.folds if f["series"] == r.sid and f["model"] == me["model"]})
    return {"model": me["model"], "n": me["n"], "from": years[0], "to": years[-1],
            "mean_log_score": me["mean_log_score"], "mean_brier": me["mean_brier"],
            "uniform_mean_log_score": by["uniform"]["mean_log_score"] if "uniform" in by else None,
            "climatology_mean_log_score": by["climatology"]["mean_log_score"] if "climatology" in by else None,
            "mean_crps_days": me["mean_crps_days"]}


_SHARED = {}


def _work(sid):
    """Worker side of :func:`analyse_all`: the catalogue comes from the forked parent, not through a pipe."""
    return _checks(_SHARED["catalogue"], sid, *_SHARED["args"])


def analyse_all(catalogue, series_ids, as_of, horizon, seed, wanted, jobs=None) -> list[SeriesResults]:
    """:func:`analyse` for each series, in the order given, in up to ``jobs`` processes.

    Each series' analysis is a pure function of the snapshot, the options
    and the seed, so results do not depend on the process that computed
    them. Processes are forked (the catalogue is inherited, nothing is
    re-imported); where fork is not available, or ``jobs`` is 1, the series
    are analysed one after another.
    """
    import multiprocessing as mp
    import os

    series_ids = list(series_ids)
    if jobs is None:
        jobs = min(len(series_ids), os.cpu_count() or 1, 4)
    if jobs <= 1 or len(series_ids) < 2 or "fork" not in mp.get_all_start_methods():
        return [analyse(catalogue, sid, as_of, horizon, seed, wanted) for sid in series_ids]
    from concurrent.futures import ProcessPoolExecutor

    _SHARED.update(catalogue=catalogue, args=(as_of, seed, wanted))
    try:
        with ProcessPoolExecutor(jobs, mp_context=mp.get_context("fork")) as pool:
            checks = list(pool.map(_work, series_ids))
    finally:
        _SHARED.clear()
    return [analyse(catalogue, sid, as_of, horizon, seed, wanted, c) for sid, c in zip(series_ids, checks)]
