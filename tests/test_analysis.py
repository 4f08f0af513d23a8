"""The one orchestrator: every command gives the library call's numbers; parameters checked once;
seeds reach every random draw; exact marginals where they are cheap."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import subprocess
import sys

import numpy as np
import pytest

from drillcast import analysis
from drillcast.cli import main
from drillcast.errors import ParameterError
from drillcast.forecasting import Forecaster

D = dt.date
AS_OF = D(2026, 1, 1)


def _json_out(capsys, argv):
    assert main(argv) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


def test_forecast_command_gives_the_library_numbers(bundled, capsys):
    doc = _json_out(capsys, ["forecast", "--series", "all", "--as-of", "2026-01-01", "--format", "json"])
    lib = analysis.forecast(bundled, "all", as_of=AS_OF).to_dict()
    assert doc == lib


def test_backtest_and_test_commands_give_the_library_numbers(bundled, capsys):
    doc = _json_out(capsys, ["backtest", "--series", "peace-mission", "--as-of", "2026-01-01",
                             "--models", "ensemble,uniform", "--format", "json"])
    lib = analysis.backtest(bundled, "peace-mission", as_of=AS_OF, models=["ensemble", "uniform"]).to_dict()
    assert doc == json.loads(json.dumps(lib))
    doc = _json_out(capsys, ["test", "period", "--series", "russia-strategic", "--as-of", "2026-01-01",
                             "--format", "json", "--draws", "500"])
    lib = analysis.hypothesis_tests(bundled, "russia-strategic", "period", as_of=AS_OF, draws=500).to_dict()
    assert doc == json.loads(json.dumps(lib))


def test_track_record_is_the_backtest_of_the_same_folds(bundled, capsys):
    """The forecast's track record and `drillcast backtest` agree, fold for fold (they once did not)."""
    fc = _json_out(capsys, ["forecast", "--series", "peace-mission", "--as-of", "2026-01-01", "--format", "json"])
    tr = fc["forecasts"][0]["track_record"]
    bt = _json_out(capsys, ["backtest", "--series", "peace-mission", "--as-of", "2026-01-01",
                            "--models", f"{tr['model']},uniform", "--format", "json"])
    row = next(r for r in bt["summary"] if r["model"] == tr["model"])
    uni = next(r for r in bt["summary"] if r["model"] == "uniform")
    years = sorted({f["year"] for f in bt["folds"] if f["model"] == tr["model"]})
    assert (tr["n"], tr["from"], tr["to"]) == (row["n"], years[0], years[-1])
    assert tr["mean_log_score"] == row["mean_log_score"] and tr["uniform_mean_log_score"] == uni["mean_log_score"]


@pytest.mark.parametrize("argv", [
    ["--as-of", "2024-06-01", "--seed", "3", "forecast", "--series", "joint-sea", "--format", "json"],
    ["forecast", "--as-of", "2024-06-01", "--seed", "3", "--series", "joint-sea", "--format", "json"],
    ["--format", "json", "forecast", "--series", "joint-sea", "--as-of", "2024-06-01", "--seed", "3"],
])
def test_global_options_before_or_after_the_subcommand(argv, capsys):
    doc = _json_out(capsys, argv + ["--no-track-record"])
    assert doc["as_of"] == "2024-06-01" and doc["seed"] == 3


def test_backtest_takes_as_of(capsys):
    doc = _json_out(capsys, ["backtest", "--as-of", "2020-01-01", "--series", "russia-strategic",
                             "--models", "uniform", "--format", "json"])
    assert doc["settings"]["truth_as_of"] == "2020-01-01"
    assert max(f["year"] for f in doc["folds"]) == 2019


@pytest.mark.parametrize("argv,needle", [
    (["forecast", "--horizon", "0"], "--horizon: 0 is not allowed; give a whole number of years from 1 to 50"),
    (["forecast", "--horizon", "100000"], "--horizon: 100000 is not allowed"),
    (["backtest", "--horizon", "51"], "--horizon: 51 is not allowed"),
    (["forecast", "--as-of", "9999-12-31"], "--as-of: 9999-12-31 is more than a year after today"),
    (["test", "rotation", "--format", "xml"], "--format: 'xml' is not a format of 'drillcast test'"),
    (["data", "validate", "--format", "yaml"], "--format: 'yaml' is not a format"),
    (["forecast", "--series", "zapad"], "--series: unknown series 'zapad'"),
])
def test_bounds_and_names_of_options(argv, needle, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err and err.count("\n") == 1


def test_library_errors_name_the_python_parameter(bundled):
    with pytest.raises(ParameterError, match="^horizon: 0 is not allowed") as e:
        analysis.forecast(bundled, "joint-sea", as_of=AS_OF, horizon=0)
    assert e.value.parameter == "horizon" and "--" not in str(e.value)
    with pytest.raises(ParameterError, match="^series: unknown series 'nope'"):
        analysis.forecast(bundled, "nope", as_of=AS_OF)
    with pytest.raises(ParameterError, match="^as_of: "):
        analysis.forecast(bundled, "joint-sea", as_of=D(9999, 1, 1))


def test_data_validate_and_test_take_csv(capsys):
    assert main(["data", "validate", "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "path,line,column,found,expected,severity"
    assert main(["test", "period", "--format", "csv", "--draws", "200", "--as-of", "2026-01-01"]) == 0
    head = capsys.readouterr().out.splitlines()[0].split(",")
    assert head[:2] == ["series", "test"]


def test_from_drillcast_import_forecast_is_the_function_even_after_the_module():
    code = ("import drillcast.forecasting, drillcast.analysis\n"
            "from drillcast import forecast, Forecaster\n"
            "assert callable(forecast) and forecast.__module__ == 'drillcast.forecasting', forecast\n"
            "print('ok')")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.stdout.strip() == "ok", r.stderr


# --------------------------------------------------------------------------- seeds


def test_seed_changes_sampled_paths_and_same_seed_same_bytes(bundled):
    snap = bundled.as_of(AS_OF)
    fc = Forecaster("ensemble").fit(snap, "russia-strategic").forecast(horizon=3, seed=5)
    a, b = fc.sample(2000), fc.sample(2000)
    assert a.outcomes.tobytes() == b.outcomes.tobytes() and a.start_day.tobytes() == b.start_day.tobytes()
    c = Forecaster("ensemble").fit(snap, "russia-strategic").forecast(horizon=3, seed=6).sample(2000)
    assert c.outcomes.tobytes() != a.outcomes.tobytes()


def test_seed_reaches_monte_carlo_marginals_when_exact_is_too_costly(bundled):
    """markov is exact for short horizons (seed-free) and samples with the seed beyond the state budget."""
    snap = bundled.as_of(AS_OF)
    fit = Forecaster("markov").fit(snap, "russia-strategic")
    short = [fit.forecast(horizon=3, seed=s).to_dict()["years"] for s in (1, 2)]
    assert short[0] == short[1]
    long = [fit.forecast(horizon=12, seed=s) for s in (1, 1, 2)]
    assert "monte-carlo" in long[0].model_info["marginals"]
    assert long[0].to_dict() == long[1].to_dict() and long[0].to_dict() != long[2].to_dict()


def _year_numbers(fc):
    """Every number of every year of a forecast, unrounded."""
    return [(y.year, y.outcomes, y.p_held, y.expected_count, y.count_interval, y.start, y.participants, y.known,
             y.start_pmf.tolist(), y.count_pmf.tolist()) for y in fc.years]


def _check_longer_horizons_keep_shorter_years(fit, horizons):
    longest = _year_numbers(fit.forecast(horizon=max(horizons), seed=4))
    for h in horizons:
        assert _year_numbers(fit.forecast(horizon=h, seed=4)) == longest[:h], h


def test_markov_longer_horizon_leaves_shorter_years_unchanged(bundled, monkeypatch):
    """The exact recursion stops at the same year for every horizon and sampled years draw their
    randomness year by year: years 1..h are the same numbers at every horizon up to the CLI's largest."""
    import drillcast.models.markov as markov
    from drillcast._params import HORIZON_MAX

    fit = Forecaster("markov").fit(bundled.as_of(D(2026, 12, 7)), "russia-strategic")
    # the independent check's case: Kavkaz 2027 at horizons 7 (all exact) and 8 (the budget is reached)
    h7, h8 = fit.forecast(horizon=7), fit.forecast(horizon=8)
    assert h7.model_info["marginals"] == "exact" and "monte-carlo" in h8.model_info["marginals"]
    assert h8.year(2027).outcomes["kavkaz"] == h7.year(2027).outcomes["kavkaz"]
    assert _year_numbers(h8)[:7] == _year_numbers(h7)
    # every horizon, with a small state budget so that most of the years are sampled
    monkeypatch.setattr(markov, "EXACT_STATES", 60)
    assert fit.forecast(horizon=5).model_info["marginals"].startswith("exact to 2028, monte-carlo")
    _check_longer_horizons_keep_shorter_years(fit, range(1, HORIZON_MAX + 1))


@pytest.mark.slow
def test_markov_longer_horizon_leaves_shorter_years_unchanged_full_budget(bundled):
    fit = Forecaster("markov").fit(bundled.as_of(D(2026, 12, 7)), "russia-strategic")
    from drillcast._params import HORIZON_MAX

    _check_longer_horizons_keep_shorter_years(fit, range(1, HORIZON_MAX + 1))


def _polya_brute_force(alpha_post, q_ab, last_ctx, H):
    """Sum over every path of length H of its probability under sequential Dirichlet/Beta predictives
    (first-order chain), written without state merging: the definition, slowly."""
    S = alpha_post.shape[1]
    out = np.zeros((H, S + 1))
    for path in itertools.product(range(S + 1), repeat=H):
        counts = alpha_post.copy()
        a, b = q_ab
        ctx, prob = last_ctx, 1.0
        for lab in path:
            q = a / (a + b)
            if lab == S:
                p = q
                a += 1
            else:
                row = np.full(S, 1.0 / S) if ctx < 0 else counts[ctx] / counts[ctx].sum()
                p = (1 - q) * row[lab]
                if ctx >= 0:
                    counts[ctx, lab] += 1
                b += 1
                ctx = lab
            prob *= p
        for h, lab in enumerate(path):
            out[h, lab] += prob
    return out


def test_markov_marginals_are_exact(bundled):
    fit = Forecaster("markov").fit(bundled.as_of(AS_OF), "russia-strategic").outcome_fit
    got = fit.marginals_with([2026, 2027, 2028, 2029])
    ref = _polya_brute_force(fit.alpha_post, fit.q_ab, fit.last_ctx, 4)
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-12)
    np.testing.assert_allclose(got.sum(axis=1), 1.0, atol=1e-12)


def test_sampled_probability_standard_error_is_honest(bundled):
    """Paths are independent, so the reported binomial standard error matches the spread over seeds."""
    fc = Forecaster("climatology").fit(bundled.as_of(AS_OF), "joint-sea").forecast(horizon=3, seed=0)
    ps, ses = [], []
    for seed in range(40):
        s = fc.sample(8192, seed=seed)  # more paths than the 4,096 parameter draws paths once shared
        p, se = s.probability(s.outcomes[:, 2] == 0)
        ps.append(p)
        ses.append(se)
    # the sd of 40 estimates is within about 25 % of its expectation; allow 40 %
    assert np.std(ps, ddof=1) == pytest.approx(np.mean(ses), rel=0.4)


def test_uniform_baseline_has_a_start_late_in_the_year(bundled):
    f = analysis.forecast(bundled, "joint-sea", as_of=D(2025, 12, 30), model="uniform", horizon=1,
                          track_record=False)["joint-sea"]
    assert f.years[0].p_held == 0.5 and f.years[0].start is not None


def test_standard_error_counts_paths_that_share_a_parameter_draw(bundled):
    """With more paths than parameter draws, paths are clustered by draw; the cluster-robust error is at
    least the naive binomial one and matches the spread of estimates over seeds."""
    from drillcast.models.base import POOL

    fc = Forecaster("calendar").fit(bundled.as_of(AS_OF), "russia-strategic").forecast(horizon=3, seed=0)
    ps, ses, naive = [], [], []
    for seed in range(30):
        s = fc.sample(4 * POOL, seed=seed)
        assert s.clusters is not None and len(np.unique(s.clusters)) <= POOL
        mask = s.is_(2027, "kavkaz")
        p, se = s.probability(mask)
        ps.append(p)
        ses.append(se)
        naive.append(np.sqrt(p * (1 - p) / len(mask)))
    assert np.mean(ses) > np.mean(naive)
    assert np.std(ps, ddof=1) == pytest.approx(np.mean(ses), rel=0.4)
