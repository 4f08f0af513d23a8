"""What the report shows for each series: forecast, one backtest and one battery, computed once.

:func:`analyse` is the one place the report computes anything (it stands in
for the project's orchestrator until that exists); every section reads the
:class:`SeriesResults` it returns.
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


def analyse(snapshot, sid, as_of, horizon, seed, wanted) -> SeriesResults:
    """Forecast ``sid`` with the default model; backtest and test it when ``wanted`` has those sections."""
    from drillcast.evaluation.backtest import backtest
    from drillcast.forecasting import Forecaster
    from drillcast.present.figures import backtest_models

    info = snapshot.get_series(sid)
    fitted = Forecaster("default").fit(snapshot, sid)
    fc = fitted.forecast(horizon=horizon, seed=seed)
    bt = battery = None
    note = ""
    if "track_record" in wanted:
        bt = backtest(snapshot, sid, horizon=1, models=backtest_models(), seed=seed, truth_as_of=as_of)
    if "hypotheses" in wanted:
        if fitted.history.n_years == 0 and fitted.history.current_outcome is None:
            note = f"no complete year of the series is known on {as_of}, so there is nothing to test"
        else:
            from drillcast.hypotheses import run_battery

            battery = list(run_battery(fitted.history, alpha=ALPHA, correction=CORRECTION, seed=seed))
    return SeriesResults(sid, info, fitted.history, fc, snapshot.events(sid), snapshot, bt, battery, note)


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


def analyse_all(snapshot, series_ids, as_of, horizon, seed, wanted) -> list[SeriesResults]:
    """:func:`analyse` for each series, in the order given."""
    return [analyse(snapshot, sid, as_of, horizon, seed, wanted) for sid in series_ids]
