"""As-of backtests: rolling origin, vintage-correct, every model on the same folds.

For each cutoff date ``c`` and each model, the model is fitted on
``catalogue.as_of(c)`` (only what was reported by ``c``) and forecasts the
years ``c.year .. c.year + horizon - 1``. The forecast is scored against what
the full catalogue says happened (the "truth", as known on ``truth_as_of``).
Only complete years (before ``truth_as_of``'s year) are scored.

Scores (see :mod:`drillcast.evaluation.scoring`): log score of the year's outcome
(directions, ``other``, ``none``; or held/none), with the probability floor
:data:`drillcast.evaluation.scoring.LOG_FLOOR` and a count of floor hits; multiclass
Brier; binary log score and Brier of "held"; CRPS in days and PIT of the
start date, given held; coverage of the 50/80/95 % start intervals with
exact binomial intervals; skill against each baseline with a paired
sign-flip permutation test on per-fold score differences.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

import numpy as np

from drillcast.data.catalogue import Catalogue
from drillcast._params import check_horizon, check_seed
from drillcast.data.dates import check_knowledge_date, today
from drillcast.errors import ParameterError
from drillcast.forecasting import Forecaster
from drillcast.data.history import series_history
from drillcast.models import BASELINES, MODELS, get_model

__all__ = ["backtest", "BacktestResult", "default_cutoffs", "MIN_BACKTEST_YEARS", "score_folds", "summarise_folds"]

MIN_BACKTEST_YEARS = 5  # years of history before the first default cutoff
MAX_DEFAULT_FOLDS = 15  # default cutoffs: at most the last 15 years (``from_year`` reaches further back)
_LEVELS = {0.5: ("q25", "q75"), 0.8: ("q10", "q90"), 0.95: ("q025", "q975")}


def _truth(catalogue: Catalogue, series: str, truth_as_of: _dt.date):
    snap = catalogue.as_of(truth_as_of)
    h = snap.memo(("history", series), lambda snap: series_history(snap, series))  # the forecasts' memo
    return {int(y): (int(o), int(c), lo, hi, {k: v[i] for k, v in h.participation.items()})
            for i, (y, o, c, lo, hi, known) in enumerate(zip(h.years, h.outcomes, h.counts, h.start_lo, h.start_hi, h.known))
            if known}, h


def default_cutoffs(catalogue: Catalogue, series: str, truth_as_of: _dt.date,
                    from_year=None, to_year=None) -> list[_dt.date]:
    """1 January of each year once the series has ``MIN_BACKTEST_YEARS`` of history, up to the last complete
    year; without ``from_year``, at most the last :data:`MAX_DEFAULT_FOLDS` years (a long series' early
    record says little about today's models, and the work stays bounded)."""
    truth, h = _truth(catalogue, series, truth_as_of)
    if not truth:
        return []
    first = min(truth)
    hi = to_year if to_year is not None else truth_as_of.year - 1
    hi = min(hi, truth_as_of.year - 1)
    lo = from_year if from_year is not None else max(first + MIN_BACKTEST_YEARS, hi - MAX_DEFAULT_FOLDS + 1)
    return [_dt.date(y, 1, 1) for y in range(lo, hi + 1)]


@dataclass(frozen=True)
class BacktestResult:
    """Fold records and per-model summaries of one backtest.

    Attributes
    ----------
    folds : tuple of dict
        One record per (series, model, cutoff, year) with the forecast, the
        observation and the scores (JSON-ready).
    summary : tuple of dict
        Per (series, model): mean scores, floor hits, coverage, skill and
        paired tests against each baseline, best (highest mean log score) first.
    reliability : dict
        Per (series, model): reliability table rows (one-vs-rest over outcomes).
    settings : dict
    """

    folds: tuple
    summary: tuple
    reliability: dict = field(default_factory=dict)
    settings: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"settings": self.settings, "summary": list(self.summary),
                "reliability": self.reliability, "folds": list(self.folds)}

    def folds_frame(self):
        import pandas as pd

        rows = []
        for f in self.folds:
            r = {k: v for k, v in f.items() if k not in ("outcomes", "start", "scores")}
            r.update({f"p_{k}": v for k, v in (f.get("outcomes") or {}).items()})
            r.update({f"start_{k}": v for k, v in (f.get("start") or {}).items()})
            r.update(f["scores"])
            rows.append(r)
        return pd.DataFrame(rows)

    def summary_frame(self):
        import pandas as pd

        return pd.DataFrame([{k: v for k, v in s.items() if not isinstance(v, (dict, list))} for s in self.summary])


def _score_batch(pending):
    """Score a series' folds at once (same categories): fills each record's ``scores``.

    ``pending`` holds ``(record, probs, observed_index, pmf_or_None, lo, hi, count_pmf, count)``.
    """
    from drillcast.evaluation import scoring

    if not pending:
        return
    recs, probs, obs, pmfs, lo, hi, count_pmfs, counts = zip(*pending)
    probs = np.asarray(probs, dtype=float)
    obs = np.asarray(obs)
    none = probs.shape[1] - 1
    ls, floored = scoring.log_score(probs, obs)
    brier = scoring.brier_score(probs, obs)
    p_held = 1.0 - probs[:, none]
    held = obs != none
    bls, _ = scoring.binary_log_score(p_held, held)
    bbr = scoring.binary_brier(p_held, held)
    for i, r in enumerate(recs):
        r["scores"] = {"log_score": round(float(ls[i]), 6), "floor_hit": bool(floored[i]),
                       "brier": round(float(brier[i]), 6), "held_log_score": round(float(bls[i]), 6),
                       "held_brier": round(float(bbr[i]), 6)}
    multi = [i for i in range(len(recs)) if count_pmfs[i] is not None and len(count_pmfs[i]) > 2]
    if multi:  # ranked probability score of the number of events (counts are ordered)
        width = max(len(count_pmfs[i]) for i in multi)
        C = np.zeros((len(multi), width))
        for j, i in enumerate(multi):
            C[j, : len(count_pmfs[i])] = count_pmfs[i]
        C /= C.sum(axis=1, keepdims=True)
        rps = scoring.ranked_probability_score(C, np.minimum(np.array([counts[i] for i in multi]), width - 1))
        for j, i in enumerate(multi):
            recs[i]["scores"]["count_rps"] = round(float(rps[j]), 6)
    dated = [i for i in range(len(recs)) if held[i] and pmfs[i] is not None and not np.isnan(lo[i])]
    if dated:
        P = np.stack([pmfs[i] for i in dated])
        a = np.array([int(lo[i]) for i in dated])
        b = np.array([int(hi[i]) for i in dated])
        crps = scoring.crps_pmf(P, (a, b))
        pit = scoring.pit_pmf(P, (a + b) // 2)
        for j, i in enumerate(dated):
            recs[i]["scores"]["crps_days"] = round(float(crps[j]), 6)
            recs[i]["scores"]["pit"] = round(float(pit[j]), 6)


def score_folds(pending):
    """Score forecasts of one series against what happened: fills each record's ``scores``.

    The scores of ``drillcast backtest`` (:func:`_score_batch`), and the
    coverage of the 50/80/95 % start intervals (``covered_50`` ...) when the
    start was observed. The forecast ledger scores its entries with this too.

    Parameters
    ----------
    pending : list of tuple
        ``(record, probs, observed_index, start_pmf_or_None, lo, hi, count_pmf, count)``
        per forecast; ``record`` needs ``year`` and ``start`` (quantiles or None),
        ``lo``/``hi`` are the observed start's day-of-year interval (NaN if none).
    """
    _score_batch(pending)
    for rec, _, _, _, lo, hi, _, _ in pending:
        if not np.isnan(lo) and rec["start"]:
            y = rec["year"]
            for level, (a, b) in _LEVELS.items():
                rec["scores"][f"covered_{int(level * 100)}"] = bool(
                    rec["start"][a] <= _doy_iso(y, lo) and _doy_iso(y, hi) <= rec["start"][b])


def _forecast_years(fc):
    out = {}
    for y in fc.years:
        probs = [y.outcomes[c] for c in fc.categories] if y.outcomes is not None else [y.p_held, 1 - y.p_held]
        out[y.year] = {"probs": probs, "p_held": y.p_held, "pmf": y.start_pmf if y.start else None,
                       "count_pmf": y.count_pmf,
                       "start": y.start, "outcomes": y.outcomes, "participants": y.participants,
                       "expected_count": y.expected_count}
    return out


def _doy_iso(year, d):
    return (_dt.date(year, 1, 1) + _dt.timedelta(days=int(d))).isoformat()


def backtest(catalogue: Catalogue, series, *, cutoffs=None, from_year=None, to_year=None, horizon: int = 1,
             models=None, seed: int = 0, truth_as_of: _dt.date | None = None, paired_draws: int = 20_000,
             progress=None, summary: bool = True, counts: str = "default") -> BacktestResult:
    """Backtest ``models`` on ``series`` (a series id or a list of ids).

    Parameters
    ----------
    catalogue : Catalogue
        The full catalogue (not a snapshot): snapshots are taken per cutoff.
    cutoffs : list of datetime.date, or dict of series id to such a list, optional
        Default: :func:`default_cutoffs` (1 January of each year).
    horizon : int
        Years forecast after each cutoff (the cutoff's own year first).
    models : list of str or OutcomeModel, optional
        Default: every model in :data:`drillcast.models.MODELS`.
    truth_as_of : datetime.date, optional
        What counts as "what happened" (default: today, the UTC date).
    counts : str
        Count model of multi-event series (:mod:`drillcast.models.counts`), scored by ``count_rps``.
    summary : bool
        Compute coverage intervals, paired tests and reliability tables (these
        need scipy and pandas); False gives mean scores only, fast.
    """
    check_horizon(horizon)
    seed = check_seed(seed)
    if truth_as_of is not None:
        check_knowledge_date(truth_as_of, "truth_as_of")
    series_ids = [series] if isinstance(series, str) else list(series)
    specs = list(models) if models else list(MODELS)
    specs = [get_model(m) if isinstance(m, str) else m for m in specs]  # names or OutcomeModel instances
    names = [m.name for m in specs]
    truth_as_of = truth_as_of or today()
    folds = []
    snaps: dict[_dt.date, Catalogue] = {}
    used_cutoffs = {}
    for sid in series_ids:
        catalogue.get_series(sid)
        truth, th = _truth(catalogue, sid, truth_as_of)
        if isinstance(cutoffs, dict):
            cuts = list(cutoffs.get(sid, ()))
        else:
            cuts = list(cutoffs) if cutoffs else default_cutoffs(catalogue, sid, truth_as_of, from_year, to_year)
        used_cutoffs[sid] = [c.isoformat() for c in cuts]
        pending = []
        for cut in cuts:
            if cut >= truth_as_of:
                raise ParameterError("cutoffs", f"{cut} is not before the truth date {truth_as_of}; "
                                                "backtests need cutoffs in the past")
            snap = snaps.get(cut) or snaps.setdefault(cut, catalogue.as_of(cut))
            years = [y for y in range(cut.year, cut.year + horizon) if y in truth]
            if not years:
                continue
            latest = _latest_report(snap, sid)
            for name, spec in zip(names, specs):
                fitted = Forecaster(spec, counts=counts).fit(snap, sid)
                fc = fitted.forecast(years, seed=seed)
                if not fc.ok:
                    continue
                fy = _forecast_years(fc)
                for y in years:
                    o, count, lo, hi, parts = truth[y]
                    rec = {
                        "series": sid, "model": name, "cutoff": cut.isoformat(), "year": y,
                        "lead_years": y - cut.year, "n_events_used": fc.n_events_used,
                        "latest_report_used": latest,
                        "outcomes": {k: round(float(v), 6) for k, v in fy[y]["outcomes"].items()} if fy[y]["outcomes"] else None,
                        "observed": fc.categories[o], "p_held": round(fy[y]["p_held"], 6), "occurred": bool(o != len(fc.categories) - 1),
                        "expected_count": round(fy[y]["expected_count"], 6), "observed_count": int(count),
                        "start": fy[y]["start"],
                        "observed_start": None if np.isnan(lo) else
                        (_doy_iso(y, lo) if lo == hi else f"{_doy_iso(y, lo)}/{_doy_iso(y, hi)}"),
                    }
                    pending.append((rec, fy[y]["probs"], o, fy[y]["pmf"], lo, hi, fy[y]["count_pmf"], int(count)))
                    folds.append(rec)
        score_folds(pending)
        if progress:
            progress(sid)
    summary, reliability = _summarise(folds, names, paired_draws, seed, full=summary)
    settings = {"horizon": horizon, "models": names, "seed": seed, "truth_as_of": truth_as_of.isoformat(),
                "cutoffs": used_cutoffs, "log_floor": _log_floor(), "counts": counts}
    return BacktestResult(tuple(folds), tuple(summary), reliability, settings)


def _log_floor():
    from drillcast.evaluation.scoring import LOG_FLOOR

    return LOG_FLOOR


def _latest_report(snap: Catalogue, sid: str) -> str | None:
    """The latest knowledge date among events used (proof that nothing after the cutoff was seen)."""
    from drillcast.data.catalogue import _known_from

    dates = [_known_from(r) for r in snap.events(sid)]
    return max(dates).isoformat() if dates else None


def _summarise(folds, names, draws, seed, full=True):
    from drillcast.evaluation import scoring

    by = {}
    for f in folds:
        by.setdefault((f["series"], f["model"]), []).append(f)
    summary, reliability = [], {}
    for (sid, name), fs in by.items():
        ls = np.array([f["scores"]["log_score"] for f in fs])
        row = {
            "series": sid, "model": name, "baseline": name in BASELINES, "n": len(fs),
            "mean_log_score": round(float(ls.mean()), 4),
            "floor_hits": int(sum(f["scores"]["floor_hit"] for f in fs)),
            "mean_brier": round(float(np.mean([f["scores"]["brier"] for f in fs])), 4),
            "mean_held_log_score": round(float(np.mean([f["scores"]["held_log_score"] for f in fs])), 4),
            "mean_held_brier": round(float(np.mean([f["scores"]["held_brier"] for f in fs])), 4),
        }
        crps = [f["scores"]["crps_days"] for f in fs if "crps_days" in f["scores"]]
        row["mean_crps_days"] = round(float(np.mean(crps)), 3) if crps else None
        crps_n = [f["scores"]["count_rps"] for f in fs if "count_rps" in f["scores"]]
        row["mean_count_rps"] = round(float(np.mean(crps_n)), 4) if crps_n else None
        row["n_start"] = len(crps)
        summary.append(row)
        if not full:
            continue
        cov = []
        for level in (50, 80, 95):
            hits = [f["scores"][f"covered_{level}"] for f in fs if f"covered_{level}" in f["scores"]]
            if hits:
                lo, hi = scoring.binomial_ci(int(sum(hits)), len(hits))
                cov.append({"level": level / 100, "n": len(hits), "hits": int(sum(hits)),
                            "rate": round(sum(hits) / len(hits), 4), "ci_low": round(lo, 4), "ci_high": round(hi, 4)})
        row["coverage"] = cov
        row["pit"] = [round(f["scores"]["pit"], 4) for f in fs if "pit" in f["scores"]]
        # one-vs-rest reliability over every outcome label
        p, occ = [], []
        for f in fs:
            probs = f["outcomes"] or {"held": f["p_held"], "none": 1 - f["p_held"]}
            for lab, v in probs.items():
                p.append(v)
                occ.append(lab == f["observed"])
        cols = scoring.reliability_rows(np.array(p, dtype=float), np.array(occ, dtype=bool),
                                        np.linspace(0.0, 1.0, 6))  # 5 bins, as reliability_table(bins=5)
        reliability[f"{sid}/{name}"] = [
            {k: (int(v) if k == "n" else None if np.isnan(v) else round(float(v), 4)) for k, v in zip(cols, row)}
            for row in zip(*cols.values())]
    # skill and paired tests against each baseline, on the same folds
    for row in summary if full else ():
        sid, name = row["series"], row["model"]
        mine = {(f["cutoff"], f["year"]): f["scores"]["log_score"] for f in by[(sid, name)]}
        skills = {}
        for b in BASELINES:
            if b == name or (sid, b) not in by:
                continue
            ref = {(f["cutoff"], f["year"]): f["scores"]["log_score"] for f in by[(sid, b)]}
            keys = sorted(set(mine) & set(ref))
            if not keys:
                continue
            a = np.array([mine[k] for k in keys])
            r = np.array([ref[k] for k in keys])
            t = scoring.paired_test(a, r, draws=draws, seed=seed, labels=(name, b))
            skills[b] = {"n": len(keys), "mean_difference": round(float(a.mean() - r.mean()), 4),
                         "skill": _nan_none(scoring.skill_score(a, r, 0.0)),
                         "p_value": round(float(t.p_value), 4), "method": t.method, "reading": t.reading}
        row["vs_baselines"] = skills
    summary.sort(key=lambda r: (r["series"], -r["mean_log_score"], r["model"]))
    return summary, reliability


def summarise_folds(folds, names, *, paired_draws: int = 20_000, seed: int = 0, full: bool = True):
    """Per (series, model) summaries and reliability tables of scored fold records, as in :func:`backtest`.

    ``folds`` are records with ``series``, ``model``, ``cutoff``, ``year``,
    ``scores``, ``outcomes``, ``p_held`` and ``observed``; folds of different
    models with the same ``(series, cutoff, year)`` are paired in the skill tests.
    Returns ``(summary_rows, reliability)``.
    """
    return _summarise(list(folds), list(names), paired_draws, seed, full=full)


def _nan_none(x):
    x = float(x)
    return None if np.isnan(x) else round(x, 4)
