"""What the report shows for each series: forecast, one backtest and one battery, computed once.

:func:`analyse` is the one place the report asks :mod:`drillcast.analysis`
for anything; every section reads the :class:`SeriesResults` it returns.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from drillcast.present.report.evidence import event_name, series_name, sources_by
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
    name: str = ""

    def __post_init__(self):
        if not self.name:
            object.__setattr__(self, "name", getattr(self.info, "name", self.sid))


def analyse(catalogue, sid, as_of, horizon, seed, wanted) -> SeriesResults:
    """Forecast ``sid`` with the default model; backtest and test it when ``wanted`` has those sections.

    Everything comes from :mod:`drillcast.analysis` (no fitting here).
    """
    from drillcast import analysis
    from drillcast.data.history import series_history

    snapshot = catalogue.as_of(as_of)
    events = known_events(snapshot, sid, as_of)
    name = series_name(snapshot.get_series(sid), catalogue.events(sid), {e["id"] for e in events})
    fc = analysis.forecast(catalogue, sid, as_of=as_of, horizon=horizon, seed=seed, track_record=False)[sid]
    history = snapshot.memo(("history", sid), lambda snap: series_history(snap, sid))
    bt, battery, note = _checks(catalogue, sid, as_of, seed, wanted)
    return SeriesResults(sid, snapshot.get_series(sid), history, fc, events, snapshot, bt, battery, note, name)


def known_events(snapshot, sid, as_of) -> list[dict]:
    """The series' events as known on ``as_of``: sources dated later left out, status words out of names."""
    out = []
    for e in snapshot.events(sid):
        srcs = sources_by(e, as_of)
        name = event_name(e["name"])
        out.append(e if (len(srcs) == len(e["sources"]) and name == e["name"]) else
                   dict(e, sources=tuple(srcs), name=name))
    return out


def _checks(catalogue, sid, as_of, seed, wanted):
    """(backtest, battery, note): the part of :func:`analyse` that only some sections need."""
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


def _batteries(catalogue, series_ids, as_of, seed) -> dict:
    """``{sid: (battery, note)}``: the hypothesis battery of each series (what the annex shows)."""
    out = {}
    for sid in series_ids:
        _, battery, note = _checks(catalogue, sid, as_of, seed, ("hypotheses",))
        out[sid] = (battery, note)
    return out


def start_batteries(catalogue, series_ids, as_of, seed):
    """Start the hypothesis batteries; return a function that gives ``{sid: (battery, note)}``.

    With two or more CPUs they run in a second process (spawned, so it shares no state with this
    one) while the report computes forecasts and backtests and lays out its main body: the
    batteries' power simulations are the largest part of the analysis and need nothing else.
    The results are the same numbers either way (each test has its own seeded stream).
    """
    if (os.cpu_count() or 1) < 2 or os.environ.get("DRILLCAST_REPORT_PROCESSES") == "1":
        done = _batteries(catalogue, series_ids, as_of, seed)
        return lambda: done
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
    future = pool.submit(_batteries, catalogue, tuple(series_ids), as_of, seed)

    def result():
        try:
            return future.result()
        finally:
            pool.shutdown()

    return result


def with_batteries(results, batteries: dict) -> list:
    """``results`` with each series' battery filled in."""
    from dataclasses import replace

    return [replace(r, battery=batteries[r.sid][0], battery_note=batteries[r.sid][1]) for r in results]


def analyse_all(catalogue, series_ids, as_of, horizon, seed, wanted) -> list[SeriesResults]:
    """:func:`analyse` for each series, in the order given.

    One process on purpose: the series share the orchestrator's snapshots
    and fits (a cutoff's snapshot serves every series), and forked workers
    each rebuilt them; measured on 2 CPUs, 11 series took 4.3-4.7 s in one
    process and 6.4-6.6 s in two.
    """
    return [analyse(catalogue, sid, as_of, horizon, seed, wanted) for sid in series_ids]
