"""Tests of drillcast.hypotheses: reference values, calibration under H0, power under H1.

Every test builds its own data (plain arrays, or a tiny catalogue written to
tmp_path); none reads the bundled catalogue. Seeds are fixed. Calibration
tests simulate 200-400 data sets; their tolerances are binomial (3-3.5 SE).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import subprocess
import sys

import numpy as np
import pytest
from scipy import stats

import drillcast.hypotheses as H
from drillcast.data.catalogue import load_catalogue
from drillcast.data.history import series_history
from drillcast.errors import ParameterError
from drillcast.hypotheses._permutation import _enumerate_tables
from drillcast.hypotheses._spec import _parse_segment, _segment_logml
from drillcast.hypotheses.period import _period_logml
from drillcast.hypotheses.result import CYCLE_KEPT, POWER_SIMS
from drillcast.hypotheses.seasonality import IMPUTATIONS, VON_MISES_KAPPA
from drillcast.hypotheses.trend import TREND_RATE_RATIO, _poisson_slope_lr

from .conftest import write_catalogue

DIRS = ["a", "b", "c", "d"]
RUSSIA_LIKE = (["other"] + ["zapad", "vostok", "tsentr", "kavkaz"] * 3 + ["zapad", "vostok", "none", "other", "zapad"])
RUSSIA_CATS = ["zapad", "vostok", "tsentr", "kavkaz", "other", "none"]


# --------------------------------------------------------------------------- helpers

ROT = {"id": "rot", "name": "rot", "kind": "rotating", "directions": "a;b;c;d", "events_per_year": "single",
       "regular_participants": "CHN"}
MULTI = {"id": "pat", "name": "pat", "kind": "recurring", "directions": "", "events_per_year": "multiple",
         "regular_participants": "RUS"}


@pytest.fixture
def histories(tmp_path):
    """A 19-year rotating series (2007-2025, Russia-like) and a 7-year multi-event series."""
    labels = ["a", "b", "c", "d"] * 4 + ["a", None, "b"]  # 2023 no event
    ev = []
    for i, (y, d) in enumerate(zip(range(2007, 2026), labels)):
        if d is None:
            continue
        start = f"{y}-09" if y == 2009 else f"{y}-09-{10 + i % 15:02d}"
        ev.append({"id": f"R{y}", "series": "rot", "direction": d, "start_date": start,
                   "participants": "RUS;CHN" if y >= 2018 else "RUS"})
    for y, k in zip(range(2019, 2026), [1, 1, 1, 2, 2, 2, 1]):
        for j in range(k):
            ev.append({"id": f"P{y}{j}", "series": "pat", "start_date": f"{y}-{3 + 5 * j:02d}-{5 + y % 20:02d}",
                       "participants": "RUS;CHN"})
    path = write_catalogue(tmp_path, ev, [ROT, MULTI])
    snap = load_catalogue(path, warn=False).as_of(dt.date(2026, 1, 1))
    return series_history(snap, "rot"), series_history(snap, "pat")


def brute_cycle_stat(labels, dirs, phases_only=None):
    """Slow obvious rotation statistic: best matches over all templates."""
    L = len(dirs)
    templates = [list(p) for p in itertools.permutations(dirs)] if phases_only is None else \
        [[phases_only[(r + ph) % L] for r in range(L)] for ph in range(L)]
    return max(sum(lab == t[i % L] for i, lab in enumerate(labels)) for t in templates)


def sim_noisy_cycle(rng, n, q, miss_rate, L=4):
    """Independent simulator of the power alternative: a cycle kept with probability q."""
    phase = rng.integers(L)
    out = []
    for t in range(n):
        if rng.random() < miss_rate:
            out.append("none")
        elif rng.random() < q:
            out.append(DIRS[(t + phase) % L])
        else:
            out.append(DIRS[(t + phase + 1 + rng.integers(L - 1)) % L])
    return out


def binom_tol(p, n1, n2=POWER_SIMS, z=3.5):
    """Tolerance for the difference of two independent binomial proportions."""
    p = min(max(p, 0.05), 0.95)
    return z * math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))


# --------------------------------------------------------------------------- result type


def test_result_to_dict_is_json_and_has_the_keys():
    r = H.rotation_test_labels(list("abcdabcdab"), seed=1)
    d = r.to_dict()
    assert list(d)[:10] == ["test", "h0", "h1", "statistic", "p_value", "method", "effect_size", "n", "power",
                            "reading"]
    for extra in ("effect_size_name", "power_alternative", "n_for_80", "draws", "mc_se", "p_adjusted", "details"):
        assert extra in d
    json.dumps(d, allow_nan=False)
    assert r.method in ("exact", "monte-carlo", "asymptotic")
    with pytest.raises(AttributeError):
        r.p_value = 0.5  # frozen


def test_results_frame_one_row_per_result(histories):
    rot, _ = histories
    res = H.run_battery(rot, tests=("rotation", "trend"), power=False)
    frame = H.results_frame(res)
    assert list(frame["test"]) == ["rotation", "trend"]
    assert {"p_value", "p_adjusted", "power", "n_for_80", "reading"} <= set(frame.columns)


def test_module_import_is_light():
    code = ("import sys, drillcast.hypotheses; "
            "print(sorted(m for m in ('scipy', 'statsmodels', 'pandas') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


LAYERS = ["result", "_checks", "_labels", "_permutation", "power", "wording", "_spec",
          "rotation", "period", "compare", "breaks", "seasonality", "trend", "participation",
          "multiplicity", "battery"]


def test_package_modules_import_only_downward_and_stay_small():
    import ast
    from pathlib import Path

    folder = Path(H.__file__).parent
    assert sorted(p.stem for p in folder.glob("*.py") if p.stem != "__init__") == sorted(LAYERS)
    for i, name in enumerate(LAYERS):
        text = (folder / f"{name}.py").read_text()
        assert len(text.splitlines()) <= 800, name
        used = {node.module.rsplit(".", 1)[1] for node in ast.walk(ast.parse(text))
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("drillcast.hypotheses.")}
        assert used <= set(LAYERS[:i]), (name, used - set(LAYERS[:i]))


def test_package_exports_the_public_api():
    expected = {"TestResult", "TEST_NAMES", "run_test", "run_battery", "power_curve", "results_frame",
                "adjust_pvalues", "rotation_test", "rotation_test_labels", "period_test", "period_test_labels",
                "compare_test", "compare_test_labels", "break_test", "break_test_labels", "break_test_counts",
                "seasonality_test", "rayleigh_test_angles", "v_test_angles", "kuiper_test_angles", "trend_test",
                "trend_test_counts", "participation_test", "participation_test_binary"}
    assert set(H.__all__) == expected and all(callable(getattr(H, n)) or n == "TEST_NAMES" for n in expected)


# --------------------------------------------------------------------------- rotation


def test_rotation_exact_matches_brute_force_enumeration():
    labels = ["a", "b", "c", "none", "a", "b", "d", "other"]
    r = H.rotation_test_labels(labels, DIRS, power=False)
    assert r.method == "exact"
    obs = brute_cycle_stat(labels, DIRS)
    assert r.statistic == obs
    perms = list(itertools.permutations(labels))  # 8! orderings, equally likely under H0
    null = np.array([brute_cycle_stat(p, DIRS) for p in perms])
    assert r.p_value == pytest.approx(np.mean(null >= obs), abs=1e-12)
    assert r.details["null_mean"] == pytest.approx(null.mean(), abs=1e-9)


def test_rotation_matches_scipy_permutation_test():
    # Reference: scipy.stats.permutation_test(..., permutation_type="pairings", n_resamples=np.inf,
    # alternative="greater") permutes the single sample's order exhaustively (8! orderings).
    labels = ["a", "b", "c", "d", "a", "c", "b", "none"]
    x = np.array([DIRS.index(v) if v in DIRS else 9 for v in labels])

    def statistic(v, axis=-1):  # reduces along ``axis``, as scipy >= 1.18 requires of a vectorized statistic
        return np.apply_along_axis(lambda row: brute_cycle_stat([int(t) for t in row], [0, 1, 2, 3]), axis, v)

    ref = stats.permutation_test((x,), statistic, permutation_type="pairings", n_resamples=np.inf,
                                 alternative="greater", vectorized=True)
    r = H.rotation_test_labels(labels, DIRS, power=False)
    assert r.statistic == ref.statistic
    assert r.p_value == pytest.approx(ref.pvalue, abs=1e-12)


def test_rotation_given_order_uses_its_phases_only():
    labels = list("abdcabdcabdc")  # cycle a,b,d,c
    searched = H.rotation_test_labels(labels, DIRS, power=False)
    claimed = H.rotation_test_labels(labels, DIRS, order="a,b,c,d", power=False)
    assert searched.statistic == 12 and searched.details["best_order"] == ["a", "b", "d", "c"]
    assert claimed.statistic == brute_cycle_stat(labels, DIRS, phases_only=DIRS) == 6
    assert claimed.p_value > 0.05 > searched.p_value


def test_rotation_monte_carlo_agrees_with_exact():
    labels = RUSSIA_LIKE
    cats = RUSSIA_CATS[:4]
    exact = H.rotation_test_labels(labels, cats, power=False)
    mc = H.rotation_test_labels(labels, cats, power=False, draws=200_000, exact_limit=0, seed=3)
    assert exact.method == "exact" and mc.method == "monte-carlo" and mc.draws == 200_000
    assert mc.mc_se is not None
    assert abs(mc.details["null_mean"] - exact.details["null_mean"]) < 0.02
    # A less extreme statistic so that the p-value is well inside (0, 1):
    lab2 = list("abcabdcadbcaddba")
    e2 = H.rotation_test_labels(lab2, DIRS, power=False)
    m2 = H.rotation_test_labels(lab2, DIRS, power=False, draws=100_000, exact_limit=0, seed=4)
    assert abs(m2.p_value - e2.p_value) < 4 * m2.mc_se + 1e-4


def test_rotation_none_years_calendar_vs_sequence():
    labels = list("abcd") + ["none"] + list("abcdabc")  # the cycle skips the empty year
    cal = H.rotation_test_labels(labels, DIRS, power=False)
    seq = H.rotation_test_labels(labels, DIRS, anchor="sequence", power=False)
    assert cal.n == 12 and seq.n == 11
    assert seq.statistic == 11
    assert cal.statistic < 11  # calendar phases: the none year is a miss and shifts later years
    assert seq.details["unit"] == "held years"


def test_rotation_gap_years_keep_the_calendar_phase():
    # 2004 unknown (left out): the cycle resumes in phase in 2005.
    years = [2000, 2001, 2002, 2003, 2005, 2006, 2007, 2008, 2009]
    labels = ["a", "b", "c", "d", "b", "c", "d", "a", "b"]
    r = H.rotation_test_labels(labels, DIRS, years=years, power=False)
    assert r.statistic == 9 and r.details["mismatch_years"] == []


def test_rotation_enumerated_tables_are_a_distribution():
    tabs, logp = _enumerate_tables([5, 5, 5, 4], [4, 4, 4, 4, 3])
    assert np.exp(logp).sum() == pytest.approx(1.0, abs=1e-10)
    assert (tabs.sum(2) == [5, 5, 5, 4]).all() and (tabs.sum(1) == [4, 4, 4, 4, 3]).all()


def test_rotation_pvalues_uniform_under_h0():
    rng = np.random.default_rng(11)
    p, pr = [], []
    for i in range(200):
        lab = list(rng.choice(DIRS + ["none"], size=12, p=[0.22] * 4 + [0.12]))
        r = H.rotation_test_labels(lab, DIRS, power=False, seed=i)
        p.append(r.p_value)
        pr.append(r.details["p_randomised"])
    assert stats.kstest(pr, "uniform").pvalue > 0.01  # randomised p: exactly uniform under H0
    assert np.mean(np.array(p) <= 0.05) <= 0.05 + 3 * math.sqrt(0.05 * 0.95 / 200)  # usual p: valid


def test_rotation_rejection_rate_matches_reported_power():
    n, miss = 12, 2 / 12
    template = list("abcdab") + ["none"] + list("dabc") + ["none"]  # 2 of 12 without a direction
    reported = H.rotation_test_labels(template, DIRS, seed=5).details["power_curve"][n]
    rng = np.random.default_rng(12)
    N = 300
    rej = np.mean([H.rotation_test_labels(sim_noisy_cycle(rng, n, CYCLE_KEPT, miss), DIRS, power=False,
                                          seed=i).p_value <= 0.05 for i in range(N)])
    assert abs(rej - reported) < binom_tol(reported, N)


def test_rotation_power_and_n_for_80_on_a_short_series():
    r = H.rotation_test_labels(["western", "none", "northern", "northern", "none"],
                               ["eastern", "southern", "western", "northern", "central"], seed=0)
    assert r.power < 0.2
    assert r.n_for_80 is None or r.n_for_80 > r.n
    assert "more" in r.reading and "power" in r.reading
    assert "five-direction cycle" in r.power_alternative


# --------------------------------------------------------------------------- period


def dm_sequential(labels, C, a):
    """Dirichlet-multinomial marginal likelihood by the sequential (Polya urn) rule."""
    counts, lp = {}, 0.0
    for i, x in enumerate(labels):
        lp += math.log((a + counts.get(x, 0)) / (C * a + i))
        counts[x] = counts.get(x, 0) + 1
    return lp


def test_period_marginal_likelihood_matches_polya_urn():
    labels = ["a", "b", "a", "none", "b", "b", "a", "c"]
    cats = ["a", "b", "c", "none"]
    code = np.array([cats.index(x) for x in labels])
    lml = _period_logml(code[None, :], 4, [1, 2, 3], ["calendar"], 3, 0.5)[0]
    for j, k in enumerate([1, 2, 3]):
        ref = sum(dm_sequential(labels[r::k], 4, 0.5) for r in range(k))
        assert lml[j] == pytest.approx(ref, abs=1e-10)


def test_period_picks_four_on_a_clean_four_cycle():
    r = H.period_test_labels(list("abcd") * 4, power=False, seed=0)
    assert r.details["best_k"] == 4
    assert r.p_value < 0.01 and r.effect_size > 0.9
    assert {"dirichlet", "best_k"} <= set(r.details["prior_sensitivity"][0])


def test_period_picks_two_on_a_clean_alternation():
    r = H.period_test_labels(list("ab") * 6, power=False)
    assert r.details["best_k"] == 2 and r.method == "exact"
    r2 = H.period_test_labels(["held", "none"] * 6, power=False)
    assert r2.details["best_k"] == 2 and r2.p_value < 0.01


def test_period_sequence_anchor_ignores_empty_years():
    labels = list("abc") + ["none"] + list("abcab") + ["none", "none"] + list("cabc")
    r = H.period_test_labels(labels, power=False)
    assert r.details["best_anchor"] == "sequence" and r.details["best_k"] == 3


def test_period_power_reported_and_skips_constant(histories):
    rot, pat = histories
    r = H.period_test(rot, seed=0)
    assert 0 <= r.power <= 1 and r.power_alternative
    s = H.period_test(pat)
    assert s.skipped and s.p_value is None and "same outcome" in s.reading


# --------------------------------------------------------------------------- compare


def test_compare_cycle_beats_climatology_and_prior_table():
    hyp = {"climatology": "climatology", "cycle": "cycle", "biennial zapad since 2021": "cycle>every:2:zapad@2021",
           "disrupted": "cycle>climatology@?"}
    r = H.compare_test_labels(RUSSIA_LIKE, hyp, RUSSIA_CATS, years=range(2008, 2026), seed=0)
    post = {k: v["posterior"] for k, v in r.details["models"].items()}
    assert sum(post.values()) == pytest.approx(1.0)
    assert post["climatology"] < 1e-6
    assert r.details["best"] != "climatology" and r.p_value is None and r.method == "exact"
    assert len(r.details["prior_sensitivity"]) >= 4
    assert r.statistic > 5  # log10 BF against climatology
    assert 0 <= r.power <= 1 and "Kass & Raftery" in r.power_alternative


def test_compare_cycle_marginal_likelihood_by_hand():
    # 'cycle:a,b' on 'abab a': phases average over 2 templates; hits h of m years, Beta(1,1), misses 1/(C-1).
    labels = list("ababb")
    cats = ["a", "b", "none"]
    code = np.array([cats.index(x) for x in labels])
    ctx = {"categories": cats, "directions": ["a", "b"], "order": ["a", "b"], "n": 5, "years": list(range(5)),
           "spec": "cycle:a,b"}
    seg = _parse_segment("cycle:a,b", ctx)
    got = _segment_logml(seg, code[None, :], 3, 0.5, (1.0, 1.0))[0][0, -1]

    def one(h, m):  # Beta(1,1) binomial sequence probability times (1/2)^misses
        return math.lgamma(1 + h) + math.lgamma(1 + m - h) - math.lgamma(2 + m) + (m - h) * math.log(1 / 2)

    ref = math.log((math.exp(one(4, 5)) + math.exp(one(1, 5))) / 2)
    assert got == pytest.approx(ref, abs=1e-12)


def test_compare_invalid_spec_names_the_parameter():
    with pytest.raises(ParameterError, match=r"^hypotheses: .*unknown outcome 'zapd'.*did you mean 'zapad'") as e:
        H.compare_test_labels(RUSSIA_LIKE, ["climatology", "cycle:zapd,vostok"], RUSSIA_CATS)
    assert e.value.parameter == "hypotheses"
    with pytest.raises(ParameterError, match=r"^hypotheses: .*switch year"):
        H.compare_test_labels(RUSSIA_LIKE, ["climatology", "cycle>climatology@1990"], RUSSIA_CATS,
                              years=range(2008, 2026))
    with pytest.raises(ParameterError, match=r"^hypotheses: 1 given; compare needs at least two"):
        H.compare_test_labels(RUSSIA_LIKE, ["climatology"], RUSSIA_CATS)


def test_break_invalid_model_names_the_model_parameter():
    with pytest.raises(ParameterError, match=r"^model: 'perod:2': cannot read") as e:
        H.break_test_labels(RUSSIA_LIKE, RUSSIA_CATS, model="perod:2", power=False)
    assert e.value.parameter == "model"


# --------------------------------------------------------------------------- break


def test_break_posterior_near_the_true_year():
    labels = list("abcd") * 3 + ["a"] * 8  # cycle 2000-2011, 'a' every year from 2012
    r = H.break_test_labels(labels, model="cycle:*", directions=DIRS, years=range(2000, 2020), seed=0, power=False)
    post = r.details["posterior"]
    near = sum(post[str(y)] for y in (2011, 2012, 2013, 2014))
    assert near > 0.7 and post["no change"] < 0.05
    assert r.details["most_likely_change_year"] in (2012, 2013)
    assert r.p_value < 0.05


def test_break_constant_cycle_puts_mass_on_no_change():
    r = H.break_test_labels(list("abcd") * 5, model="cycle:*", directions=DIRS, seed=0, power=False)
    assert r.details["posterior"]["no change"] > 0.9 and r.p_value > 0.5
    assert sum(r.details["posterior"].values()) == pytest.approx(1.0)


def test_break_counts_detects_a_rate_change():
    y = [0, 1, 0, 1, 0, 0, 1, 4, 5, 3, 4, 6]
    r = H.break_test_counts(y, years=range(2014, 2026), seed=0, power=False)
    assert r.details["most_likely_change_year"] in (2020, 2021) and r.effect_size > 0.9


# --------------------------------------------------------------------------- seasonality


def test_rayleigh_fisher_example_4_12():
    # Fisher (1993) Example 4.12, n = 50 directions; Fisher's P ~ 0.20, as used in the reference test of
    # JuliaStats/HypothesisTests.jl (test/circular.jl). R-bar computed by hand: 0.1798.
    deg = [2, 9, 18, 24, 30, 35, 35, 39, 39, 44, 44, 49, 56, 70, 76, 76, 81, 86, 91, 112, 121, 127, 133, 134, 138,
           147, 152, 157, 166, 171, 177, 187, 206, 210, 211, 215, 238, 246, 269, 270, 285, 292, 305, 315, 325,
           328, 329, 343, 354, 359]
    r = H.rayleigh_test_angles(np.radians(deg), draws=40_000, seed=0, power=False)
    assert r.statistic == pytest.approx(0.1798, abs=5e-4)
    assert r.p_value == pytest.approx(0.20, abs=0.015)
    assert r.details["p_asymptotic"] == pytest.approx(0.199, abs=0.002)  # Zar (2010) eq. 27.4


def test_rayleigh_fisher_example_4_11():
    # Fisher (1993) Example 4.11: n = 60, R-bar = 0.2370, P = 0.034 (same source as above). The Rayleigh
    # p-value depends on the data only through n and R-bar: two clusters at +-arccos(0.2370) reproduce it.
    th = np.repeat([math.acos(0.2370), -math.acos(0.2370)], 30)
    r = H.rayleigh_test_angles(th, draws=60_000, seed=1, power=False)
    assert r.statistic == pytest.approx(0.2370, abs=1e-12)
    assert r.p_value == pytest.approx(0.034, abs=0.004)


def test_v_test_zar_example_27_2():
    # Zar (2010) Example 27.2 data (ten directions, hypothesised 90 deg; the data as cited by L. Molina's
    # MATLAB circular toolbox, "Example 27.2, page 627"). Expected values worked by hand with Zar's
    # formulas: r = 0.9521, mean 94.05 deg, V = r cos(94.05 - 90) = 0.9498, u = V sqrt(2n) = 4.2475.
    deg = [66, 75, 86, 88, 88, 93, 97, 101, 118, 130]
    r = H.v_test_angles(np.radians(deg), math.radians(90), draws=20_000, seed=0, power=False)
    assert r.details["mean_resultant_length"] == pytest.approx(0.9521, abs=1e-4)
    assert math.degrees(r.details["mean_direction_rad"]) == pytest.approx(94.0, abs=0.1)
    assert r.details["u"] == pytest.approx(4.2475, abs=2e-4)
    assert r.p_value < 0.0005


def kuiper_slow(theta):
    u = sorted((t % (2 * math.pi)) / (2 * math.pi) for t in theta)
    n = len(u)
    return max(i / n - x for i, x in enumerate(u, 1)) + max(x - (i - 1) / n for i, x in enumerate(u, 1))


def stephens_kuiper_p(v, n):
    """Stephens (1970) asymptotic tail of the modified Kuiper statistic."""
    vs = v * (math.sqrt(n) + 0.155 + 0.24 / math.sqrt(n))
    return sum(2 * (4 * j * j * vs * vs - 1) * math.exp(-2 * j * j * vs * vs) for j in range(1, 50))


def test_kuiper_statistic_and_stephens_asymptotics():
    rng = np.random.default_rng(3)
    for kappa in (0.15, 0.25, 0.35):
        th = rng.vonmises(0.0, kappa, size=200)
        r = H.kuiper_test_angles(th, draws=20_000, seed=2, power=False)
        assert r.statistic == pytest.approx(kuiper_slow(th), abs=1e-12)
        ref = stephens_kuiper_p(r.statistic, 200)
        if 0.01 < ref < 0.9:
            assert r.p_value == pytest.approx(ref, abs=4 * r.mc_se + 0.01)


def test_kuiper_critical_value_matches_stephens_table():
    # Stephens (1970) / Fisher (1993) Table A7: the upper 5 % point of V* is 1.747 at any n >= 4.
    n, rng = 10, np.random.default_rng(4)
    v = np.array([kuiper_slow(rng.uniform(0, 2 * math.pi, n)) for _ in range(20_000)])
    vstar = v * (math.sqrt(n) + 0.155 + 0.24 / math.sqrt(n))
    assert np.quantile(vstar, 0.95) == pytest.approx(1.747, abs=0.03)
    # ... and the module's Monte Carlo p at that point is about 5 %:
    th = np.linspace(0, 2 * math.pi, n, endpoint=False)
    r = H.kuiper_test_angles(th * 0.6, draws=20_000, seed=0, power=False)
    assert r.p_value == pytest.approx(np.mean(vstar >= r.details["kuiper_v_star"] - 1e-12), abs=0.012)


@pytest.mark.parametrize("fn", [H.rayleigh_test_angles, H.kuiper_test_angles])
def test_circular_pvalues_uniform_under_h0(fn):
    rng = np.random.default_rng(21)
    ps = [fn(rng.uniform(0, 2 * math.pi, 12), draws=2000, seed=i, power=False).p_value for i in range(200)]
    assert stats.kstest(ps, "uniform").pvalue > 0.01


def test_rayleigh_rejection_rate_matches_reported_power():
    rng = np.random.default_rng(22)
    reported = H.rayleigh_test_angles(rng.vonmises(0, 1, 12), seed=0).details["power_curve"][12]
    N = 400
    rej = np.mean([H.rayleigh_test_angles(rng.vonmises(1.0, VON_MISES_KAPPA, 12), draws=1000, seed=i,
                                          power=False).p_value <= 0.05 for i in range(N)])
    assert abs(rej - reported) < binom_tol(reported, N)


def test_seasonality_on_history_imputes_month_dates(histories):
    rot, _ = histories
    r = H.seasonality_test(rot, seed=0, power=False)
    assert r.test == "seasonality" and r.details["kind"] == "rayleigh"
    assert r.details["imprecise_dates"] == 1 and r.details["imputations"] == IMPUTATIONS
    assert r.details["p_imputation_min"] <= r.p_value <= r.details["p_imputation_max"]
    assert "Sep" in r.reading and set(r.details["other_tests"]) == {"kuiper"}
    v = H.seasonality_test(rot, hypothesis_date="september", seed=0, power=False)
    assert v.details["kind"] == "v-test" and v.p_value < 0.001 and "16 Sep" in v.reading
    assert set(v.details["other_tests"]) == {"rayleigh", "kuiper"}


def test_month_precision_keeps_the_level():
    # Uniform true dates reported to the month: the imputation-averaged p stays valid.
    rng = np.random.default_rng(23)
    month_starts = np.array([0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365])
    rej = []
    for i in range(200):
        m = rng.integers(0, 12, 10)
        lo, hi = month_starts[m], month_starts[m + 1] - 1
        u = rng.random((50, 10))
        A = 2 * math.pi * (lo + u * (hi - lo + 1)) / 365
        rej.append(H.rayleigh_test_angles(A, draws=1000, seed=i, power=False).p_value <= 0.05)
    assert np.mean(rej) <= 0.05 + 3 * math.sqrt(0.05 * 0.95 / 200)


# --------------------------------------------------------------------------- trend


def test_trend_lr_matches_statsmodels_glm():
    import statsmodels.api as sm

    y = np.array([1, 0, 2, 1, 3, 2, 4, 5])
    x = np.arange(8) - 3.5
    g2, b = _poisson_slope_lr(y[None, :], x)
    full = sm.GLM(y, sm.add_constant(x), family=sm.families.Poisson()).fit()
    null = sm.GLM(y, np.ones((8, 1)), family=sm.families.Poisson()).fit()
    assert g2[0] == pytest.approx(2 * (full.llf - null.llf), rel=1e-7)
    assert b[0] == pytest.approx(full.params[1], rel=1e-6)
    r = H.trend_test_counts(y, range(2018, 2026), power=False)
    assert r.details["glm"]["poisson"]["lr"] == pytest.approx(r.statistic, rel=1e-6)
    assert r.effect_size == pytest.approx(math.exp(full.params[1]), rel=1e-6)


def test_trend_exact_matches_brute_force():
    y = [0, 1, 0, 2, 1, 3]
    r = H.trend_test_counts(y, power=False, glm=False)
    x = np.arange(6) - 2.5
    null = np.array([_poisson_slope_lr(np.array(p)[None, :], x)[0][0] for p in itertools.permutations(y)])
    assert r.method == "exact"
    assert r.p_value == pytest.approx(np.mean(null >= r.statistic - 1e-9), abs=1e-12)


def test_trend_pvalues_uniform_under_h0():
    rng = np.random.default_rng(31)
    res = [H.trend_test_counts(rng.poisson(2.0, 8), power=False, glm=False, seed=i) for i in range(200)]
    assert stats.kstest([r.details["p_randomised"] for r in res], "uniform").pvalue > 0.01
    assert np.mean([r.p_value <= 0.05 for r in res]) <= 0.05 + 3 * math.sqrt(0.05 * 0.95 / 200)


def test_trend_rejection_rate_matches_reported_power():
    y = [1, 2, 2, 3, 1, 2, 3, 2]  # mean 2 a year
    reported = H.trend_test_counts(y, seed=0, glm=False).details["power_curve"][8]
    rng = np.random.default_rng(32)
    lam = 2.0 * TREND_RATE_RATIO ** (np.arange(8) - 3.5)
    N = 300
    rej = np.mean([H.trend_test_counts(rng.poisson(lam), power=False, glm=False, seed=i).p_value <= 0.05
                   for i in range(N)])
    assert abs(rej - reported) < binom_tol(reported, N)


def test_trend_applies_to_multi_event_series_only(histories):
    rot, pat = histories
    assert H.trend_test(rot).skipped and "at most one event" in H.trend_test(rot).reading
    r = H.trend_test(pat, seed=0)
    assert r.n == 7 and r.details["events"] == 10 and r.p_value > 0.1 and r.n_for_80 > 7


# --------------------------------------------------------------------------- participation


def test_participation_exact_matches_enumeration():
    x = [0, 0, 0, 1, 0, 1, 1, np.nan, 1, 1]
    years = list(range(2010, 2020))
    r = H.participation_test_binary(x, years, participant="CHN", power=False)
    obs = [int(v) for v in x if v == v]
    t = np.array([y for y, v in zip(years, x) if v == v]) - 2010
    s = sum(obs)
    sums = np.array([t[list(c)].sum() for c in itertools.combinations(range(len(t)), s)])
    e = s * t.mean()
    ref = np.mean(np.abs(sums - e) >= abs((t * obs).sum() - e) - 1e-9)
    assert r.p_value == pytest.approx(ref, abs=1e-12) and r.method == "exact" and r.statistic > 0


def test_participation_on_history_and_skips(histories):
    rot, pat = histories
    r = H.participation_test(rot, seed=0)
    assert r.details["participant"] == "CHN" and r.p_value < 0.01 and r.power is not None
    s = H.participation_test(pat)
    assert s.skipped and "every one" in s.reading
    with pytest.raises(ParameterError, match="^participant: unknown participant 'XXX'"):
        H.participation_test(rot, "XXX")


# --------------------------------------------------------------------------- multiplicity and battery


@pytest.mark.parametrize("method, sm_method", [("holm", "holm"), ("bh", "fdr_bh")])
def test_adjust_pvalues_matches_statsmodels(method, sm_method):
    from statsmodels.stats.multitest import multipletests

    rng = np.random.default_rng(41)
    for _ in range(20):
        p = rng.uniform(0, 0.2, rng.integers(1, 9))
        p[rng.random(p.size) < 0.3] = p[0]  # ties
        assert np.allclose(H.adjust_pvalues(p, method), multipletests(p, method=sm_method)[1])


def test_battery_runs_everything_and_adjusts(histories):
    rot, pat = histories
    res = H.run_battery(rot, seed=3)  # its running time is in benchmarks/run.py
    assert [r.test for r in res] == list(H.TEST_NAMES)
    trend = res[H.TEST_NAMES.index("trend")]
    assert trend.skipped and trend.p_value is None and trend.p_adjusted is None
    ran = [r for r in res if r.p_value is not None]
    assert len(ran) >= 4
    assert np.allclose([r.p_adjusted for r in ran], H.adjust_pvalues([r.p_value for r in ran], "holm"))
    for r in res:
        if not r.skipped:
            assert r.power is not None and r.power_alternative and (r.n_for_80 is None or r.n_for_80 >= 2)
    bh = H.run_battery(rot, tests=("rotation", "period"), correction="bh", seed=3, power=False)
    assert bh[0].details["correction"] == {"method": "bh", "family_size": 2}
    skipped = {r.test for r in H.run_battery(pat, power=False) if r.skipped}
    assert {"rotation", "period", "participation"} <= skipped


def test_same_seed_same_results_and_battery_equals_run_test(histories):
    rot, _ = histories
    a = H.run_test("break", rot, seed=7)
    b = H.run_test("break", rot, seed=7)
    assert a.to_dict() == b.to_dict()
    c = H.run_battery(rot, tests=("period", "break"), seed=7)[1]
    assert c.p_value == a.p_value and c.power == a.power and c.reading == a.reading


def test_power_grid_gives_a_curve(histories):
    rot, _ = histories
    r = H.run_test("rotation", rot, power=[19, 20, 25, 30])
    assert {19, 20, 25, 30} <= set(r.details["power_curve"])


# --------------------------------------------------------------------------- invalid options


BAD_ARGUMENTS = [
    ({"order": "a,b,x,d"}, r"^order: unknown direction 'x'.*give .*a, b, c, d"),
    ({"order": "a,b,a"}, r"^order: direction 'a' appears twice"),
    ({"order": "a"}, r"^order: 1 direction given; a cycle needs at least two"),
    ({"draws": -5}, r"^draws: -5 is not allowed; give a positive whole number"),
    ({"draws": 2.5}, r"^draws: 2.5 is not allowed"),
    ({"alpha": 1.5}, r"^alpha: 1.5 is not allowed; give a significance level between 0 and 1, e.g. 0.05"),
    ({"alpha": True}, r"^alpha: True is not allowed"),
    ({"seed": -1}, r"^seed: -1 is not allowed"),
    ({"hypothesis_date": "13-45"}, r"^hypothesis_date: '13-45' is not a date; give a date such as 09-15"),
]
ENTRIES = {"run_test": lambda rot, **k: H.run_test("rotation", rot, power=False, **k),
           "run_battery": lambda rot, **k: H.run_battery(rot, tests=("rotation",), power=False, **k),
           "rotation_test": lambda rot, **k: H.rotation_test(rot, power=False, **k)}


@pytest.mark.parametrize("entry, kwargs, pattern", [
    (entry, kwargs, pattern) for entry in ENTRIES for kwargs, pattern in BAD_ARGUMENTS
    if not (entry == "rotation_test" and "hypothesis_date" in kwargs)  # not a parameter of rotation_test
])
def test_invalid_arguments_name_the_python_parameter(histories, entry, kwargs, pattern):
    with pytest.raises(ParameterError, match=pattern) as e:
        ENTRIES[entry](histories[0], **kwargs)
    assert e.value.parameter == next(iter(kwargs))


def test_participant_is_ignored_by_a_test_without_one(histories):
    assert H.run_test("rotation", histories[0], participant="XXX", power=False).test == "rotation"


def test_invalid_test_name_and_correction(histories):
    rot, pat = histories
    with pytest.raises(ParameterError, match=r"^name: unknown test 'rotaton'.*did you mean 'rotation'"):
        H.run_test("rotaton", rot)
    with pytest.raises(ParameterError, match=r"^tests: unknown test 'trnd'.*did you mean 'trend'"):
        H.run_battery(rot, tests=("rotation", "trnd"))
    with pytest.raises(ParameterError, match=r"^correction: 'bonferroni' is not allowed; give 'holm' or 'bh'"):
        H.run_battery(rot, correction="bonferroni")
    with pytest.raises(ParameterError, match=r"^method: 'bonferroni' is not a correction"):
        H.adjust_pvalues([0.1, 0.2], "bonferroni")
    with pytest.raises(ParameterError, match=r"^order: this series is not rotating"):
        H.run_test("rotation", pat, order="a,b")
    with pytest.raises(ParameterError, match=r"^hypothesis_date: the V-test needs a hypothesised date"):
        H.run_battery(rot, tests=("rotation", "v-test"))
    with pytest.raises(ParameterError, match=r"^kind: 'circular' is not a seasonality test"):
        H.seasonality_test(rot, kind="circular")
    with pytest.raises(ParameterError, match=r"^anchor: 'calender' is not allowed \(did you mean 'calendar'\?\)"):
        H.rotation_test(rot, anchor="calender")
    with pytest.raises(ParameterError, match=r"^kmax: 1 is not allowed; give a whole number >= 2"):
        H.period_test(rot, kmax=1)
    with pytest.raises(ParameterError, match=r"^years: 3 years given for 4 labels"):
        H.rotation_test_labels(list("abcd"), years=[1, 2, 3])
    with pytest.raises(ParameterError, match=r"^labels: \['e'\] are not among the categories"):
        H.period_test_labels(list("abcde"), categories=list("abcd"))


@pytest.mark.parametrize("call", [
    lambda rot: H.run_test("break", rot, power=False),
    lambda rot: H.run_test("seasonality", rot, power=False),
    lambda rot: H.run_battery(rot, tests=("rotation", "period", "break", "trend"), power=False),
    lambda rot: H.rotation_test(rot, power=False),
    lambda rot: H.break_test(rot, power=False),
    lambda rot: H.seasonality_test(rot, power=False),
])
def test_alpha_and_draws_are_checked_once_per_call(histories, monkeypatch, call):
    import importlib

    from drillcast.hypotheses import _checks

    calls = []
    for check in ("_check_alpha", "_check_draws"):
        real = getattr(_checks, check)

        def counting(*a, _real=real, _name=check):
            calls.append(_name)
            return _real(*a)

        for name in LAYERS:
            module = importlib.import_module(f"drillcast.hypotheses.{name}")
            if check in vars(module):
                monkeypatch.setattr(module, check, counting)
    call(histories[0])
    assert sorted(calls) == ["_check_alpha", "_check_draws"]


def test_arguments_are_checked_before_any_test_runs(histories, monkeypatch):
    """A bad argument for a later test of the battery stops it before the first test runs."""
    import drillcast.hypotheses.battery as battery

    ran = []
    monkeypatch.setattr(battery, "_rotation_history", lambda *a, **k: ran.append("rotation"))
    rot, _ = histories
    with pytest.raises(ParameterError, match="^hypothesis_date: the V-test needs"):
        H.run_battery(rot, tests=("rotation", "v-test"))
    assert ran == []


def test_power_curve_for_plots(histories):
    rot, pat = histories
    c = H.power_curve("rotation", rot, n_future=range(0, 6))
    assert c["n_future"] == [0, 1, 2, 3, 4, 5] and c["n"] == 19 and len(c["power"]) == 6
    assert all(0 <= p <= 1 for p in c["power"]) and c["alternative"]
    with pytest.raises(ParameterError, match="^test: the rotation test does not apply"):
        H.power_curve("rotation", pat)


def test_battery_on_a_series_with_no_complete_year_does_not_crash():
    """china-russia-interaction as of 2018: no event yet; every test is skipped with a reason, none raises."""
    import datetime as dt

    from drillcast.data.catalogue import load_catalogue
    from drillcast.data.history import series_history
    from drillcast.hypotheses import run_battery

    h = series_history(load_catalogue().as_of(dt.date(2018, 1, 1)), "china-russia-interaction")
    results = run_battery(h, seed=0)
    assert results and all(r.reading for r in results)
    assert any(r.test == "compare" and r.skipped for r in results)
