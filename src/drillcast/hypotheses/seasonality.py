"""Seasonality: are the start dates clustered in the year? (Rayleigh, V-test, Kuiper; Monte Carlo)"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import replace

import numpy as np

from drillcast.errors import ParameterError
from drillcast.hypotheses._checks import _check_alpha, _check_draws, _rng, _seed_int
from drillcast.hypotheses._permutation import _mc_p, _mc_p_randomised
from drillcast.hypotheses.power import _grid, _power_details, _power_search
from drillcast.hypotheses.result import DEFAULT_DRAWS, POWER_NULL, POWER_SIMS, TestResult, _skipped
from drillcast.hypotheses.wording import _evidence, _fmt_p, _nu, _power_clause

__all__ = ["seasonality_test", "rayleigh_test_angles", "v_test_angles", "kuiper_test_angles"]

_TWO_PI = 2.0 * math.pi
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")
VON_MISES_KAPPA = 1.0
"""Concentration of the seasonal power alternative (mean resultant length 0.45)."""
IMPUTATIONS = 200
"""Imputations of imprecise (month- or year-precision) start dates."""


def _circ_stat(A: np.ndarray, kind: str, mu: float | None = None) -> np.ndarray:
    """Rayleigh mean resultant length, V-test V, or Kuiper V_n, per row of angles A (R, n)."""
    if kind == "rayleigh":
        return np.hypot(np.cos(A).mean(1), np.sin(A).mean(1))
    if kind == "v":
        return np.cos(A - mu).mean(1)
    n = A.shape[1]
    U = np.sort(np.mod(A, _TWO_PI) / _TWO_PI, axis=1)
    i = np.arange(1, n + 1)
    return (i / n - U).max(1) + (U - (i - 1) / n).max(1)


def _circ_asymptotic(kind: str, s: float, n: int) -> float:
    """Large-sample p-values: Zar (2010) eq. 27.4 (Rayleigh), normal u (V-test), Stephens (1970) (Kuiper)."""
    if kind == "rayleigh":
        R = n * s
        return float(min(1.0, math.exp(math.sqrt(1 + 4 * n + 4 * (n * n - R * R)) - (1 + 2 * n))))
    if kind == "v":
        return 0.5 * math.erfc(s * math.sqrt(2 * n) / math.sqrt(2))
    v = s * (math.sqrt(n) + 0.155 + 0.24 / math.sqrt(n))
    if v < 0.4:
        return 1.0
    tail = sum(2 * (4 * j * j * v * v - 1) * math.exp(-2 * j * j * v * v) for j in range(1, 101))
    return float(min(1.0, max(0.0, tail)))


_CIRC_NAMES = {
    "rayleigh": ("rayleigh", "mean resultant length R-bar (0 = spread evenly, 1 = one date)",
                 "the dates are spread uniformly over the year",
                 "the dates cluster around one (unspecified) time of year"),
    "v": ("v-test", "V = R-bar cos(mean - hypothesised date)",
          "the dates are spread uniformly over the year",
          "the dates cluster around the hypothesised date"),
    "kuiper": ("kuiper", "Kuiper V_n (largest gaps between the date distribution and uniform)",
               "the dates are spread uniformly over the year",
               "the dates are not uniform over the year (any shape)"),
}


def _circular_test(kind, A, mu, *, alpha, draws, rng, power, unit, describe) -> TestResult:
    """One circular test (``kind`` rayleigh, v or kuiper) of angles ``A`` (n,) or imputations (M, n), checked."""
    B = DEFAULT_DRAWS if draws is None else draws
    A = np.atleast_2d(np.asarray(A, dtype=float))
    M, n = A.shape
    name, eff_name, h0, h1 = _CIRC_NAMES[kind]
    if kind == "v":
        h1 = h1 + f" ({describe['mu']})"
    if n < 3:
        return _skipped(name, f"Seasonality cannot be tested: only {_nu(n, unit)} (at least 3 are needed).", n,
                        h0=h0, h1=h1, alpha=alpha, unit=unit)
    null = _circ_stat(rng.uniform(0.0, _TWO_PI, size=(B, n)), kind, mu)
    s = _circ_stat(A, kind, mu)
    pj = _mc_p(null, s)
    p = float(np.clip(pj.mean(), pj.min(), pj.max()))
    stat = float(s.mean())
    mean_dir = float(np.arctan2(np.sin(A).mean(), np.cos(A).mean()))
    details = {"unit": unit, "imputations": M, "p_imputation_min": float(pj.min()),
               "p_imputation_max": float(pj.max()), "statistic_imputation_range": [float(s.min()), float(s.max())],
               "p_asymptotic": _circ_asymptotic(kind, stat, n), "p_randomised": _mc_p_randomised(null, stat, rng),
               "mean_direction_rad": mean_dir, "mean_resultant_length": float(_circ_stat(A, "rayleigh").mean())}
    if kind == "rayleigh":
        details["rayleigh_z"] = n * stat * stat
    if kind == "v":
        details["u"] = stat * math.sqrt(2 * n)
        details["hypothesised_direction_rad"] = float(mu)
    if kind == "kuiper":
        details["kuiper_v_star"] = stat * (math.sqrt(n) + 0.155 + 0.24 / math.sqrt(n))
    alt = (f"{unit} drawn from a von Mises distribution with concentration {VON_MISES_KAPPA:g} "
           f"(mean resultant length 0.45, about 60 % within two months of the peak"
           + (f", peak at {describe['mu']}" if kind == "v" else "") + f"); level {alpha:g}")
    pw = n80 = None
    if power:
        seed2 = _seed_int(rng)
        centre = 0.0 if mu is None else float(mu)

        def power_at(m):
            r2 = np.random.default_rng([seed2, m])
            s0 = _circ_stat(r2.uniform(0.0, _TWO_PI, size=(POWER_NULL, m)), kind, mu)
            s1 = _circ_stat(r2.vonmises(centre, VON_MISES_KAPPA, size=(POWER_SIMS, m)), kind, mu)
            return float(np.mean(_mc_p(s0, s1) <= alpha))

        pw, n80, curve = _power_search(power_at, n, 3, grid=_grid(power))
        details.update(_power_details(curve, n, n80, POWER_SIMS))
    where = describe["mean"](mean_dir)
    imprecise = ""
    if M > 1:
        spread = f"; p from {pj.min():.2g} to {pj.max():.2g}" if pj.max() - pj.min() > 5e-4 else ""
        imprecise = f"; imprecise dates imputed {M} times{spread}"
    if kind == "rayleigh":
        core = f"mean date {where}, mean resultant length {stat:.2f}"
    elif kind == "v":
        core = f"mean date {where} against the hypothesised {describe['mu']}, V = {stat:.2f}"
    else:
        core = f"Kuiper V = {stat:.2f} (mean date {where})"
    what = {"rayleigh": "a fixed season", "v": f"clustering around {describe['mu']}",
            "kuiper": "a non-uniform season"}[kind]
    reading = (f"{n} {unit}{describe.get('note', '')}: {core} ({_fmt_p(p)}, Monte Carlo{imprecise}): "
               f"{_evidence(p, alpha)} of {what}{_power_clause(p, alpha, pw, n80, n, unit)}.")
    return TestResult(
        test=name, h0=h0, h1=h1, statistic=stat, p_value=p, method="monte-carlo", effect_size=stat
        if kind != "kuiper" else float(details["mean_resultant_length"]),
        effect_size_name=eff_name if kind != "kuiper" else "mean resultant length R-bar",
        n=n, power=pw, power_alternative=alt, n_for_80=n80, reading=reading, details=details, draws=B,
        mc_se=math.sqrt(p * (1 - p) / B), alpha=alpha,
    )


def _deg_describe(mu=None):
    """How the readings of the angle tests describe a direction: in degrees."""
    return {"mean": lambda a: f"{math.degrees(a) % 360:.0f} deg",
            "mu": None if mu is None else f"{math.degrees(mu) % 360:.0f} deg"}


def rayleigh_test_angles(angles, *, alpha=0.05, draws=None, seed=0, power=True) -> TestResult:
    """Rayleigh test of circular uniformity.

    H0: the angles are uniform on the circle. H1: they cluster around one
    unspecified direction (unimodal alternative).

    Statistic: the mean resultant length
    ``R-bar = |mean_j exp(i theta_j)|`` (``details["rayleigh_z"]`` = n R-bar^2).
    Its null distribution depends only on n, so the p-value is Monte Carlo
    from ``draws`` uniform samples of the same size (exact up to Monte Carlo
    error at any n); Zar's (2010, eq. 27.4) approximation
    ``p ~ exp(sqrt(1 + 4n + 4(n^2 - R^2)) - (1 + 2n))`` is in
    ``details["p_asymptotic"]``.

    Parameters
    ----------
    angles : array_like, shape (n,) or (M, n)
        Angles in radians; a 2-D array holds M imputations of imprecise data
        (the p-value is then their mean, the range in details).

    References
    ----------
    Fisher, N. I. (1993). Statistical Analysis of Circular Data, sec. 4.3.
    Mardia, K. V. & Jupp, P. E. (2000). Directional Statistics, sec. 6.3.1.
    Zar, J. H. (2010). Biostatistical Analysis, 5th ed., sec. 27.1.
    """
    return _circular_test("rayleigh", angles, None, alpha=_check_alpha(alpha), draws=_check_draws(draws),
                          rng=_rng(seed), power=power,
                          unit="angles", describe=_deg_describe())


def v_test_angles(angles, mu, *, alpha=0.05, draws=None, seed=0, power=True) -> TestResult:
    """V-test (modified Rayleigh test) against a hypothesised direction ``mu`` (radians).

    H0: the angles are uniform. H1: they cluster around ``mu``.
    Statistic: ``V = R-bar cos(theta-bar - mu) = mean_j cos(theta_j - mu)``
    (``u = V sqrt(2n)`` in details, approximately standard normal under H0
    for large n). One-sided Monte Carlo p-value from uniform samples.

    References
    ----------
    Durand, D. & Greenwood, J. A. (1958). J. Geology 66, 229-238.
    Zar, J. H. (2010). Biostatistical Analysis, 5th ed., sec. 27.1 (Example 27.2).
    Mardia, K. V. & Jupp, P. E. (2000). Directional Statistics, sec. 6.3.1.
    """
    return _circular_test("v", angles, float(mu), alpha=_check_alpha(alpha), draws=_check_draws(draws),
                          rng=_rng(seed), power=power,
                          unit="angles", describe=_deg_describe(float(mu)))


def kuiper_test_angles(angles, *, alpha=0.05, draws=None, seed=0, power=True) -> TestResult:
    """Kuiper's omnibus test of circular uniformity.

    H0: the angles are uniform. H1: any other distribution (not only
    unimodal). Statistic: ``V_n = D+ + D-`` with ``D+ = max_i (i/n - U_(i))``
    and ``D- = max_i (U_(i) - (i-1)/n)``, ``U = theta / 2 pi`` sorted; it does
    not depend on the origin. Monte Carlo p-value from uniform samples;
    Stephens' (1970) asymptotic ``P(V* > v) ~ sum_j 2(4 j^2 v^2 - 1)
    exp(-2 j^2 v^2)`` with ``V* = V_n (sqrt n + 0.155 + 0.24 / sqrt n)`` in
    details (critical values 1.620, 1.747, 2.001 at 10, 5, 1 %).

    References
    ----------
    Kuiper, N. H. (1960). Proc. Koninklijke Nederlandse Akademie van
    Wetenschappen A 63, 38-47. Stephens, M. A. (1970). JRSS B 32, 115-122.
    Fisher, N. I. (1993). Statistical Analysis of Circular Data, sec. 4.3.
    """
    return _circular_test("kuiper", angles, None, alpha=_check_alpha(alpha), draws=_check_draws(draws),
                          rng=_rng(seed), power=power,
                          unit="angles", describe=_deg_describe())


def _parse_hypothesis_date(value):
    """(angle, text) of a hypothesised date: a date, 'MM-DD', 'YYYY-MM-DD', a month name, or a day of year."""
    if value is None:
        return None
    what = ("{!r} is not a date; give a date such as 09-15 or 2025-09-15, a month name such as "
            "september (its middle), or a 0-based day of the year")
    year_len, doy = 365.0, None
    if isinstance(value, _dt.datetime):
        value = value.date()
    if isinstance(value, _dt.date):
        doy = value.timetuple().tm_yday - 1 + 0.5
        year_len = 366.0 if (value.year % 4 == 0 and (value.year % 100 != 0 or value.year % 400 == 0)) else 365.0
    elif isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        if not 0 <= value < 366:
            raise ParameterError("hypothesis_date", what.format(value))
        doy = float(value) + 0.5
    elif isinstance(value, str):
        s = value.strip().lower()
        if s in _MONTHS or s[:3] in [m[:3] for m in _MONTHS]:
            mi = [m[:3] for m in _MONTHS].index(s[:3]) + 1
            first = _dt.date(2001, mi, 1)
            nxt = _dt.date(2001 + mi // 12, mi % 12 + 1, 1)
            doy = (first.timetuple().tm_yday - 1) + (nxt - first).days / 2.0
        else:
            parts = s.split("-")
            try:
                if len(parts) == 2:
                    d = _dt.date(2001, int(parts[0]), int(parts[1]))
                elif len(parts) == 3:
                    d = _dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
                else:
                    raise ValueError
            except ValueError:
                raise ParameterError("hypothesis_date", what.format(value)) from None
            return _parse_hypothesis_date(d)
    else:
        raise ParameterError("hypothesis_date", what.format(value))
    return _TWO_PI * doy / year_len, _day_text(_TWO_PI * doy / year_len)


def _day_text(angle: float) -> str:
    """``"15 Sep"``: the day of the year at an angle."""
    day = (angle % _TWO_PI) / _TWO_PI * 365.25
    d = _dt.date(2001, 1, 1) + _dt.timedelta(days=int(day))
    return f"{d.day} {_MONTHS[d.month - 1][:3].capitalize()}"


def seasonality_test(history, *, hypothesis_date=None, kind=None, alpha=0.05, draws=None, seed=0,
                     power=True, imputations=IMPUTATIONS) -> TestResult:
    """Seasonality of a series' start dates: Rayleigh, V-test or Kuiper.

    H0: the start dates are uniform over the year. H1: they cluster around
    one time of year (Rayleigh), around ``hypothesis_date`` (V-test), or are
    non-uniform in any way (Kuiper). Uses the first held start of each year (``history.start_lo`` /
    ``start_hi``, day of year). Dates known to a day are placed at the middle
    of the day; a month- or year-precision date is imputed uniformly within
    its interval ``imputations`` times, the test run on each imputed data
    set, and the p-value averaged (``details["p_imputation_min/max"]`` give
    the range of p over the imputations; their maximum is the conservative
    choice). Under H0 (uniform dates) every imputation is uniform too, so
    each imputed p-value is valid.

    ``kind`` defaults to the V-test when ``hypothesis_date`` is given ("held
    in September": ``hypothesis_date="september"``), else Rayleigh. The
    other two tests are summarised in ``details["other_tests"]``.

    For multi-event series only the first event of each year is used
    (SeriesHistory keeps one start per year), which leans early; the reading
    says so.
    """
    alpha = _check_alpha(alpha)
    draws = _check_draws(draws)
    rng = _rng(seed)
    mu = _parse_hypothesis_date(hypothesis_date)
    kind = _check_kind(kind, mu)
    return _seasonality_history(history, mu, kind, alpha=alpha, draws=draws, rng=rng, power=power,
                                imputations=imputations)


def _check_kind(kind, mu) -> str:
    """The circular test to run: ``kind`` ("rayleigh", "v" or "v-test", "kuiper"), by default the V-test if
    a hypothesised date ``mu`` is given, else Rayleigh."""
    if kind is None:
        return "v" if mu is not None else "rayleigh"
    kind = {"v-test": "v", "vtest": "v"}.get(kind, kind)
    if kind not in ("rayleigh", "v", "kuiper"):
        raise ParameterError("kind", f"{kind!r} is not a seasonality test; give rayleigh, v-test or kuiper")
    if kind == "v" and mu is None:
        raise ParameterError("hypothesis_date", "the V-test needs a hypothesised date; give one, e.g. september "
                                                "or 09-15")
    return kind


def _seasonality_history(history, mu, kind, *, alpha, draws, rng, power, imputations=IMPUTATIONS) -> TestResult:
    """:func:`seasonality_test` on checked arguments (``mu`` parsed by :func:`_parse_hypothesis_date`)."""
    held = ~np.isnan(np.asarray(history.start_lo, dtype=float))
    lo = np.asarray(history.start_lo, dtype=float)[held]
    hi = np.asarray(history.start_hi, dtype=float)[held]
    yrs = np.asarray(history.years)[held]
    L = np.array([366.0 if (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)) else 365.0 for y in yrs])
    n = int(lo.size)
    exact = hi == lo
    M = 1 if exact.all() else int(imputations)
    u = rng.random((M, n))
    u[:, exact] = 0.5
    A = _TWO_PI * (lo[None, :] + u * (hi - lo + 1)[None, :]) / L[None, :]
    note = " (first event of each year only)" if history.info.multi_event else ""
    describe = {"mean": _day_text, "mu": None if mu is None else mu[1], "note": note}
    main = _circular_test(kind, A, None if mu is None else mu[0], alpha=alpha, draws=draws, rng=rng, power=power,
                          unit="dated starts", describe=describe)
    if main.skipped:
        return replace(main, test="seasonality")
    others = {}
    for k2 in ("rayleigh", "kuiper", "v"):
        if k2 == kind or (k2 == "v" and mu is None):
            continue
        r = _circular_test(k2, A, None if mu is None else mu[0], alpha=alpha, draws=draws, rng=rng, power=False,
                           unit="dated starts", describe=describe)
        others[r.test] = {"statistic": r.statistic, "p_value": r.p_value, "reading": r.reading,
                          "p_asymptotic": r.details["p_asymptotic"]}
    details = dict(main.details, kind=main.test, other_tests=others, imprecise_dates=int((~exact).sum()))
    return replace(main, test="seasonality", details=details)
