"""A pooled model: whether a series holds its exercise next year, learnt from every series.

Each series has 5-30 yearly points; what a short history says about next year
(a pause, a return, the end of a series) is learnt better from all series of
the catalogue at once. :class:`Pooled` fits one Bayesian logistic regression
of "held in year t" on features of the series' own record before ``t``,

    logit P(held_t) = beta . x_t,

over every (series, year) pair known in the snapshot it is given (so only what
was reported before the cutoff, for every series) in the last :data:`WINDOW` years
before the cutoff (the features of a row still use the series' whole earlier record;
the window bounds the work on long catalogues and is said in ``describe()`` when it
leaves years out). The features ``x_t`` are
(:data:`FEATURES`): held last year, held two years ago, the logits of the
series' recency-weighted (half-life 3 years) and overall smoothed held rates,
log of the series' age, log of the years since it was last held, log of the
current run of held years, whether the series' usual gap (median gap between
held years, weighted by how consistently it recurs) makes year ``t`` due or
not yet due, and whether the series holds several events a year.

The prior is Gaussian around a simple rule: coefficient 1 on the recency-weighted
held rate, +-:data:`PRIOR_DUE` on "due" / "not yet due" and 0 elsewhere
(``logit P = logit(recent rate)``, moved by the series' usual gap), standard
deviation :attr:`Pooled.prior_sd` (by default chosen among :attr:`Pooled.prior_sds` by
the Laplace evidence, empirical Bayes); so with nine series the model stays near the
rule and with a thousand series-years it learns how histories continue. The
posterior is the Laplace approximation at the maximum a posteriori (Newton's
method); forecasts average over :data:`N_DRAWS` fixed (antithetic) draws of
the coefficients, and each simulated path keeps one draw, so multi-year
questions carry the parameter uncertainty. Later years are exact: the
features of year ``t + 1`` depend on the outcome of year ``t``, and every
held/none path of up to :data:`MAX_TREE` years is enumerated.

For a rotating series the direction, given that an exercise is held, comes
from a linear pool of the strict rotation rule and the change-point model;
the rule's weight is its evidence, how much better than chance it predicted
the series' past directions (0 for a series that does not rotate; at most an
equal share).

References: Gelman et al., *Bayesian Data Analysis*, 3rd ed., sec. 16.2
(logistic regression with informative priors) and 4.1 (Laplace approximation);
Montero-Manso & Hyndman (2021), "Principles and algorithms for forecasting
groups of time series: locality and globality", *Int. J. Forecasting* 37.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from drillcast.data.history import SeriesHistory, series_history
from drillcast.models.base import FittedOutcome, OutcomeModel, leaf_search, leaf_table

__all__ = ["Pooled", "PooledFit", "StackedFit", "choose_prior_sd", "recalibration", "FEATURES", "RATE_FEATURES", "pooled_design", "rotation_evidence"]

FEATURES = ("intercept", "held_1", "held_2", "recent_rate", "overall_rate", "log_age", "log_gap", "log_run",
            "due", "not_due", "multi", "rate_hl1", "rate_hl8", "gap_ratio", "log_editions")
RATE_FEATURES = {"recent_rate": 3.0, "rate_hl1": 1.0, "rate_hl8": 8.0}  # recency-weighted held rates: half-lives
N_DRAWS = 128  # coefficient draws (64 antithetic pairs)
MAX_TREE = 10  # years of paths enumerated exactly; beyond, Monte Carlo
_MC_PATHS = 20_000
PRIOR_DUE = 1.5  # prior log-odds for a year its usual gap makes due (and against one not yet due)
SD_BOUNDS = (0.001, 10.0)  # prior scales searched by the evidence (continuously: see choose_prior_sd)
PRIOR_RULES = ("recent_rate", "rate_hl8")  # held rates a prior may be centred on (chosen by the evidence)
SD_GRID = 17  # log-spaced starting points of that search
ONE_STEP_SDS = (0.03, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0)  # prior scales tried out of sample (Pooled.select)
RECAL_HALF_LIFE = 3.0  # years: weight of older one-step-ahead forecasts in the recalibration
RECAL_SD = 0.3  # prior sd of the recalibration's intercept and slope (around 0 and 1)
SELECT_ROWS = 5000  # series-years that choose the prior out of sample, at most (a subset of the series beyond)
MIN_ONE_STEP_ROWS = 200  # one-step-ahead rows needed to choose the prior out of sample (else: the evidence)
STACK_YEARS = 10  # years before the cutoff whose one-step-ahead forecasts weight the components
WINDOW = 40  # years before the cutoff whose rows enter the pooled fit (features still use the whole record)


def _sigmoid(z):
    """1 / (1 + exp(-z)) without overflow for large |z| (Newton steps can overshoot on the way)."""
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _logit(p):
    return np.log(p) - np.log1p(-p)


def _base_record(h: SeriesHistory) -> tuple[np.ndarray, np.ndarray]:
    """Held (1/0) per complete year and whether the year is known (unknown years count as not held)."""
    held = (h.outcomes != h.none_index) & h.known
    return held.astype(float), h.known.copy()


def _period(held_years: np.ndarray) -> tuple[int, float]:
    """Median gap between held years and the share of gaps equal to it (smoothed: n / (gaps + 1))."""
    if len(held_years) < 2:
        return 1, 0.0
    gaps = np.diff(held_years)
    P = max(1, int(round(float(np.median(gaps)))))
    return P, float(np.sum(gaps == P)) / (len(gaps) + 1.0)


def _features(paths: np.ndarray, multi: bool, period: tuple[int, float]) -> np.ndarray:
    """Feature rows (n, F) for the year after each row of ``paths`` (n, L) of held indicators.

    Every row covers the same years, from the series' first year to the year before the
    one predicted; ``period`` (usual gap and its consistency) comes from the known record.
    """
    n, L = paths.shape
    F = np.zeros((n, len(FEATURES)))
    F[:, 0] = 1.0
    if L == 0:
        return F
    F[:, 1] = paths[:, -1]
    F[:, 2] = paths[:, -2] if L >= 2 else 0.0
    for name, hl in RATE_FEATURES.items():
        w = 0.5 ** (np.arange(L)[::-1] / hl)
        F[:, FEATURES.index(name)] = _logit((paths @ w + 1.0) / (w.sum() + 2.0))
    F[:, 4] = _logit((paths.sum(axis=1) + 1.0) / (L + 2.0))
    F[:, 5] = np.log(L)
    rev = paths[:, ::-1] > 0
    any_held = rev.any(axis=1)
    gap = np.where(any_held, np.argmax(rev, axis=1) + 1, L + 1)
    F[:, 6] = np.log(gap)
    run = np.where(rev.all(axis=1), L, np.argmin(rev, axis=1))
    F[:, 7] = np.log1p(run)
    P, cons = period
    if P >= 2:
        F[:, 8] = cons * (gap == P)
        F[:, 9] = cons * (gap < P)
    F[:, 10] = float(multi)
    if P >= 2 or cons > 0:  # the usual gap is known (two held years or more)
        F[:, 13] = np.log(gap / P)
    F[:, 14] = np.log1p(paths.sum(axis=1))
    return F


def _prefix_periods(years: np.ndarray, held: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_period` of the held years before each year ``t`` (arrays over ``t = 0 .. n - 1``).

    The gaps between held years enter in order; the median of the first ``k`` gaps is read off
    their running histogram (a cumulative count per gap length), so every prefix costs one pass.
    """
    n = len(held)
    P, cons = np.ones(n, dtype=np.int64), np.zeros(n)
    hy = years[held > 0]
    gaps = np.diff(hy)
    m = len(gaps)
    if m == 0:
        return P, cons
    # hist[k, g]: how many of the first k + 1 gaps equal g
    onehot = np.zeros((m, int(gaps.max()) + 1), dtype=np.int64)
    onehot[np.arange(m), gaps] = 1
    hist = np.cumsum(onehot, axis=0)
    cum = np.cumsum(hist, axis=1)
    k = np.arange(1, m + 1)
    lo = np.argmax(cum > ((k - 1) // 2)[:, None], axis=1)  # sorted order statistics (k-1)//2 and k//2
    hi = np.argmax(cum > (k // 2)[:, None], axis=1)
    Pk = np.maximum(1, np.round((lo + hi) / 2.0).astype(np.int64))
    ck = hist[np.arange(m), np.minimum(Pk, hist.shape[1] - 1)] * (Pk < hist.shape[1]) / (k + 1.0)
    # years after the (k+2)-th held year (0-based index k+1) see k+1 gaps
    n_held_before = np.concatenate([[0], np.cumsum(held > 0)[:-1]])
    idx = n_held_before - 2
    ok = idx >= 0
    P[ok], cons[ok] = Pk[idx[ok]], ck[idx[ok]]
    return P, cons


def _prefix_features(years: np.ndarray, held: np.ndarray, multi: bool) -> np.ndarray:
    """Feature rows (n, F) of every year ``t = 0 .. n - 1`` from the record before it, in one pass.

    Row ``t`` equals ``_features(held[None, :t], multi, _period(held years before t))[0]``
    (the recency-weighted rate up to rounding: a recursion instead of a dot product).
    """
    n = len(held)
    F = np.zeros((n, len(FEATURES)))
    F[:, 0] = 1.0
    if n == 0:
        return F
    L = np.arange(n)  # length of the record before year t
    prev1 = np.concatenate([[0.0], held[:-1]])
    prev2 = np.concatenate([[0.0, 0.0], held[:-2]])[:n]
    num, den = np.zeros((n, len(RATE_FEATURES))), np.zeros((n, len(RATE_FEATURES)))
    h = held.tolist()
    for j, hl in enumerate(RATE_FEATURES.values()):  # recency-weighted sums of the record before t
        a = 0.5 ** (1.0 / hl)  # weight 1 on year t - 1, a on t - 2, ...
        r = s_ = 0.0
        nj, dj = [0.0], [0.0]
        for t in range(1, n):
            r = r * a + h[t - 1]
            s_ = s_ * a + 1.0
            nj.append(r)
            dj.append(s_)
        num[:, j], den[:, j] = nj, dj
    csum = np.concatenate([[0.0], np.cumsum(held)[:-1]])
    idx = np.where(held > 0, np.arange(n), -1)
    last = np.concatenate([[-1], np.maximum.accumulate(idx)[:-1]])  # last held index before t
    gap = np.where(last >= 0, L - last, L + 1)
    miss = np.where(held > 0, -1, np.arange(n))
    last_miss = np.concatenate([[-1], np.maximum.accumulate(miss)[:-1]])
    run = L - 1 - last_miss  # trailing held years before t
    P, cons = _prefix_periods(years, held)
    body = slice(1, n)
    F[body, 1] = prev1[body]
    F[body, 2] = prev2[body]
    for j, name in enumerate(RATE_FEATURES):
        F[body, FEATURES.index(name)] = _logit((num[body, j] + 1.0) / (den[body, j] + 2.0))
    F[body, 4] = _logit((csum[body] + 1.0) / (L[body] + 2.0))
    F[body, 5] = np.log(L[body])
    F[body, 6] = np.log(gap[body])
    F[body, 7] = np.log1p(run[body])
    due = P >= 2
    F[body, 8] = np.where(due, cons * (gap == P), 0.0)[body]
    F[body, 9] = np.where(due, cons * (gap < P), 0.0)[body]
    F[body, 10] = float(multi)
    known_gap = (P >= 2) | (cons > 0)
    F[body, 13] = np.where(known_gap, np.log(gap / P), 0.0)[body]
    F[body, 14] = np.log1p(csum[body])
    return F


def pooled_design(histories, since: int | None = None) -> tuple[np.ndarray, np.ndarray, int]:
    """Rows of every series-year with a known outcome after the series' first year.

    Returns ``(X, y, n_series)``: features from the record before each year, whether the
    year was held, and how many series gave at least one row. Each series' rows come
    from one pass over its record (:func:`_prefix_features`). ``since``: only rows of
    years from ``since`` on (their features still from the whole record before them).
    """
    X, y, _, _, n_series = _design_rows(histories, since)
    return X, y, n_series


def _design_rows(histories, since):
    """:func:`pooled_design`, with each row's year and the index of its history."""
    Xs, ys, years, owner = [], [], [], []
    for i, h in enumerate(histories):
        held, known = _base_record(h)
        keep = known[1:] if since is None else known[1:] & (np.asarray(h.years[1:]) >= since)
        rows = np.flatnonzero(keep) + 1
        if len(rows):
            Xs.append(_prefix_features(np.asarray(h.years), held, h.info.multi_event)[rows])
            ys.append(held[rows])
            years.append(np.asarray(h.years)[rows])
            owner.append(np.full(len(rows), i))
    if not Xs:
        return np.zeros((0, len(FEATURES))), np.zeros(0), np.zeros(0, dtype=int), np.zeros(0, dtype=int), 0
    return np.concatenate(Xs), np.concatenate(ys), np.concatenate(years), np.concatenate(owner), len(Xs)


def _prior(prior_sd: float, rule: str = "recent_rate") -> tuple[np.ndarray, np.ndarray]:
    """Prior mean (the rule: logit of the ``rule`` held rate, moved by the usual gap) and precisions."""
    mean = np.zeros(len(FEATURES))
    mean[FEATURES.index(rule)] = 1.0
    mean[FEATURES.index("due")], mean[FEATURES.index("not_due")] = PRIOR_DUE, -PRIOR_DUE
    return mean, np.full(len(FEATURES), 1.0 / prior_sd ** 2)


def fit_logistic(X, y, prior_mean, prior_prec, iters: int = 50, start=None):
    """MAP of a logistic regression with a Gaussian prior, and the Laplace covariance (Newton from ``start``)."""
    beta = prior_mean.copy() if start is None else np.array(start, dtype=float)

    def log_post(b):
        z = X @ b
        return float(y @ z - np.sum(np.logaddexp(0.0, z)) - 0.5 * np.sum(prior_prec * (b - prior_mean) ** 2))

    current = log_post(beta)
    for _ in range(iters):
        p = _sigmoid(X @ beta)
        g = X.T @ (y - p) - prior_prec * (beta - prior_mean)
        H = (X * (p * (1 - p))[:, None]).T @ X + np.diag(prior_prec)
        step = np.linalg.solve(H, g)
        t = 1.0
        while t > 1e-6:  # step halving: a full Newton step can overshoot far from the optimum
            new = log_post(beta + t * step)
            if new >= current - 1e-10 * abs(current):
                break
            t /= 2.0
        beta, current = beta + t * step, new
        if np.max(np.abs(t * step)) < 1e-9:
            break
    p = _sigmoid(X @ beta)
    H = (X * (p * (1 - p))[:, None]).T @ X + np.diag(prior_prec)
    return beta, np.linalg.inv(H)


def log_evidence(X, y, beta, cov, prior_mean, prior_prec) -> float:
    """Laplace approximation of the log marginal likelihood of a logistic regression."""
    z = X @ beta
    loglik = float(np.sum(y * z - np.logaddexp(0.0, z)))
    logprior = float(-0.5 * np.sum(prior_prec * (beta - prior_mean) ** 2) + 0.5 * np.sum(np.log(prior_prec)))
    return loglik + logprior + 0.5 * float(np.linalg.slogdet(cov)[1])


@dataclass(frozen=True)
class PooledParameters:
    """The pooled fit of one snapshot: coefficient mean, covariance and draws, and what it learnt from."""

    beta: np.ndarray
    cov: np.ndarray
    draws: np.ndarray
    n_series: int
    n_rows: int
    as_of: object
    prior_sd: float = 1.0
    since: int | None = None  # first year of the rows, when the window left earlier years out
    stack: tuple = (1.0, 0.0, 0.0)  # pooled stacking weights of the components (models.stacking.COMPONENTS)
    stack_series: dict = None  # series id -> its own (shrunk) stacking weights
    prior_rule: str = "recent_rate"  # the held rate the prior is centred on
    recalibration: tuple = (0.0, 1.0)  # (a, b) of logit P' = a + b logit P (see recalibration())

    def describe(self) -> dict:
        span = f"since {self.since}, " if self.since is not None else ""
        return {"pooled": f"pooled over {self.n_series} series, {self.n_rows} series-years {span}before {self.as_of}",
                "pooled_series": self.n_series, "pooled_series_years": self.n_rows, "pooled_prior_sd": round(float(self.prior_sd), 4),
                "pooled_prior_rule": self.prior_rule,
                "pooled_recalibration": [round(float(v), 4) for v in self.recalibration],
                "pooled_coefficients": {f: round(float(b), 4) for f, b in zip(FEATURES, self.beta)}}


def _fit_at(X, y, sd, start=None, rule="recent_rate"):
    """MAP, Laplace covariance and log evidence of the regression at prior scale ``sd``."""
    mean, prec = _prior(sd, rule)
    if not len(y):
        return mean, np.diag(1.0 / prec), 0.0
    beta, cov = fit_logistic(X, y, mean, prec, start=start)
    return beta, cov, log_evidence(X, y, beta, cov, mean, prec)


def choose_prior_sd(X, y, bounds=SD_BOUNDS, sds=None, rule="recent_rate"):
    """Empirical Bayes: the prior scale with the largest Laplace evidence, and the fit there.

    Among ``sds`` if given; otherwise over the interval ``bounds``: a log-spaced grid of
    :data:`SD_GRID` points, then golden-section search on log sd between the best point's
    neighbours (the evidence is smooth in sd), so the data, not a grid edge, set the scale
    unless the maximum lies at a bound. Returns ``(sd, beta, cov, log_evidence)``.
    """
    grid = np.geomspace(bounds[0], bounds[1], SD_GRID) if sds is None else np.asarray(sds, dtype=float)
    best, start = None, None
    fits = []
    for sd in grid:  # from the tightest prior out, each fit starting where the last one ended
        beta, cov, ev = _fit_at(X, y, float(sd), start, rule)
        start = beta
        fits.append((ev, float(sd), beta, cov))
        if best is None or ev > best[0] + 1e-9:
            best = fits[-1]
    if sds is not None or not len(y):
        return best[1], best[2], best[3], best[0]
    k = int(np.argmax([f[0] for f in fits]))
    lo, hi = np.log(grid[max(k - 1, 0)]), np.log(grid[min(k + 1, len(grid) - 1)])
    g = (np.sqrt(5.0) - 1.0) / 2.0
    memo = {}

    def ev_at(t):
        if t not in memo:
            memo[t] = _fit_at(X, y, float(np.exp(t)), best[2], rule)
        return memo[t][2]

    a, b = lo, hi
    c, d = b - g * (b - a), a + g * (b - a)
    while b - a > 1e-3:
        if ev_at(c) >= ev_at(d):
            b, d = d, c
            c = b - g * (b - a)
        else:
            a, c = c, d
            d = a + g * (b - a)
    for t, (beta, cov, ev) in memo.items():
        if ev > best[0] + 1e-9:
            best = (ev, float(np.exp(t)), beta, cov)
    return best[1], best[2], best[3], best[0]


def _one_step_held(X, y, years, sd, beta, first: int, rule: str, fit_rows=None):
    """P(held) of every row of a year from ``first`` on, by the regression refitted on the years before it.

    ``fit_rows``: a mask of the rows the refits may use (default all; a large catalogue refits on a subset).
    """
    p = np.full(len(y), np.nan)
    for t in np.unique(years[years >= first]):
        past = (years < t) if fit_rows is None else (years < t) & fit_rows
        b, _, _ = _fit_at(X[past], y[past], sd, beta, rule) if past.any() else (_prior(sd, rule)[0], None, None)
        now = years == t
        p[now] = _sigmoid(X[now] @ b)
    return p


def _select_one_step(X, y, years, first, sds):
    """The prior (rule, scale) whose refitted regression best forecast the rows of years from ``first`` on.

    Regularisation chosen out of sample: for every rule of :data:`PRIOR_RULES` and scale in
    ``sds``, each year ``t >= first`` is forecast by the regression refitted on the rows of the
    years before ``t`` (rolling origin inside the snapshot, so nothing after the cutoff), and
    the log scores are summed. Returns ``(rule, sd, beta, cov, p)`` with the fit on every row
    and ``p`` the one-step-ahead P(held) of the chosen prior (NaN before ``first``).
    """
    best = None
    scored = years >= first
    for rule in PRIOR_RULES:
        start = None
        for sd in sds:
            beta, cov, _ = _fit_at(X, y, float(sd), start, rule)
            start = beta
            p = _one_step_held(X, y, years, float(sd), beta, first, rule)
            q = np.clip(p[scored], 1e-12, 1 - 1e-12)
            score = float(np.sum(y[scored] * np.log(q) + (1 - y[scored]) * np.log1p(-q)))
            if best is None or score > best[0] + 1e-9:
                best = (score, rule, float(sd), beta, cov, p)
    return best[1:]


def _stacking(hists, years, owner, p, first, as_of_year):
    """Pooled and per-series weights of :data:`drillcast.models.stacking.COMPONENTS` (one-step-ahead years)."""
    from drillcast.models.stacking import component_likelihoods, stack_weights

    Ls, groups, ages = [], [], []
    for i, h in enumerate(hists):
        mine = (owner == i) & (years >= first)
        if not mine.any():
            continue
        ys, L = component_likelihoods(h, dict(zip(years[mine].tolist(), p[mine].tolist())))
        Ls.append(L)
        groups += [h.info.id] * len(L)
        ages.append(as_of_year - 1 - ys)
    L = np.concatenate(Ls) if Ls else np.zeros((0, 3))
    pooled, per = stack_weights(L, np.array(groups, dtype=object), age=np.concatenate(ages) if ages else None)
    return tuple(float(w) for w in pooled), {g: tuple(float(x) for x in w) for g, w in per.items()}


def _fit_snapshot(model: "Pooled", snapshot) -> PooledParameters:
    hists = [snapshot.memo(("history", sid), lambda snap, s=sid: series_history(snap, s))
             for sid in snapshot.series_ids() if sid not in model.exclude]
    since = snapshot.as_of_date.year - model.window if model.window is not None else None
    X, y, years, owner, n_series = _design_rows(hists, since)
    if since is not None and not any(np.any(h.known[1:] & (np.asarray(h.years[1:]) < since)) for h in hists):
        since = None  # the window left nothing out
    sds = (model.prior_sd,) if model.prior_sd is not None else model.prior_sds
    last = int(years.max()) + 1 if len(years) else snapshot.as_of_date.year  # the year after the last known row
    first = last - STACK_YEARS  # (so a coverage gap before the cutoff moves nothing)
    p = None
    if model.select == "evidence" or np.sum(years >= first) < MIN_ONE_STEP_ROWS:
        best = None
        for rule in PRIOR_RULES:  # empirical Bayes over the rule the prior is centred on, too
            fit = choose_prior_sd(X, y, sds=sds, rule=rule)
            if best is None or fit[3] > best[0][3] + 1e-9:
                best = (fit, rule)
        (sd, beta, cov, _), rule = best
    else:
        k = -(-len(y) // SELECT_ROWS)  # on a large catalogue, every k-th series chooses (the choice is cheap)
        sub = owner % k == 0
        rule, sd, beta, cov, p = _select_one_step(X[sub], y[sub], years[sub], first, sds or ONE_STEP_SDS)
        if k > 1:  # then the chosen prior is fitted on every row, and forecasts every row one step ahead
            beta, cov, _ = _fit_at(X, y, sd, beta, rule)
            p = _one_step_held(X, y, years, sd, beta, first, rule, fit_rows=sub) if model.stack else None
    stack, stack_series = ((1.0, 0.0, 0.0), {})
    if model.stack:
        if p is None:
            p = _one_step_held(X, y, years, sd, beta, first, rule)
        stack, stack_series = _stacking(hists, years, owner, p, first, last)
    rng = np.random.default_rng(20240917)
    z = rng.standard_normal((N_DRAWS // 2, len(FEATURES)))
    L = np.linalg.cholesky(cov + 1e-12 * np.eye(len(FEATURES)))
    dev = z @ L.T
    draws = np.concatenate([beta + dev, beta - dev])
    recal = (0.0, 1.0)
    if model.recalibrate and model.select != "evidence" and np.sum(years >= first) >= MIN_ONE_STEP_ROWS:
        if p is None:
            p = _one_step_held(X, y, years, sd, beta, first, rule)
        scored = years >= first
        recal = recalibration(p[scored], y[scored], last - 1 - years[scored])
        beta, draws = recal[1] * beta, recal[1] * draws  # logit P' = a + b logit P: a linear map of beta
        beta[0] += recal[0]
        draws[:, 0] += recal[0]
    return PooledParameters(beta, cov, draws, n_series, int(len(y)), snapshot.as_of_date, sd, since,
                            stack, stack_series, rule, recal)


def recalibration(p, y, age, half_life: float = RECAL_HALF_LIFE, sd: float = RECAL_SD) -> tuple[float, float]:
    """``(a, b)`` of ``logit P' = a + b logit P`` fitted on one-step-ahead forecasts ``p`` of outcomes ``y``.

    Logistic recalibration (Cox 1958; Platt 1999) of the regression's own out-of-sample
    forecasts of the years before the cutoff, each row weighted ``0.5 ** (age / half_life)``
    (``age``: years before the last known year), so a drift the history features lag behind
    (series held more often as the years pass) is corrected; a Gaussian prior ``N((0, 1), sd^2)``
    keeps it at the identity when the forecasts were calibrated.
    """
    x = _logit(np.clip(p, 1e-6, 1 - 1e-6))
    w = 0.5 ** (np.asarray(age, dtype=float) / half_life)
    A = np.column_stack([np.ones_like(x), x])
    mean, prec = np.array([0.0, 1.0]), np.full(2, 1.0 / sd ** 2)
    theta = mean.copy()
    for _ in range(50):
        q = _sigmoid(A @ theta)
        g = A.T @ (w * (y - q)) - prec * (theta - mean)
        H = (A * (w * q * (1 - q))[:, None]).T @ A + np.diag(prec)
        step = np.linalg.solve(H, g)
        theta = theta + step
        if np.max(np.abs(step)) < 1e-10:
            break
    return float(theta[0]), float(theta[1])


def rotation_evidence(history: SeriesHistory) -> tuple[float, int, int]:
    """How much better than chance the strict rotation rule predicted the series' past directions.

    Returns ``(evidence, hits, trials)``: over held years in one of the directions,
    predicted from the last earlier such year, ``evidence = (m - 1/P) / (1 - 1/P)`` clipped
    to [0, 1], with ``m = (hits + 1) / (trials + 2)`` and ``P`` the number of directions.
    """
    P = len(history.info.directions)
    ys, os_ = history.observed()
    prev = None
    hits = trials = 0
    for y, o in zip(ys.tolist(), os_.tolist()):
        if o >= P:
            continue
        if prev is not None:
            trials += 1
            hits += int((prev[1] + y - prev[0]) % P == o)
        prev = (y, o)
    if P < 2:
        return 0.0, hits, trials
    m = (hits + 1.0) / (trials + 2.0)
    return float(np.clip((m - 1.0 / P) / (1.0 - 1.0 / P), 0.0, 1.0)), hits, trials


class PooledFit(FittedOutcome):
    """P(held) from the pooled regression, the direction from the rotation members."""

    sequential = True

    def __init__(self, name, history: SeriesHistory, params: PooledParameters, directions=None, weights=None):
        self.name, self.categories = name, history.categories
        self.params = params
        self.history = history
        held, _ = _base_record(history)
        self.base = held
        self.first_year = int(history.years[0]) if history.n_years else history.current_year
        self.period = _period(history.years[held > 0])
        self.multi = history.info.multi_event
        self.directions = directions  # a fitted linear pool over held labels (rotating series) or None
        self.weights = weights
        self._cache = {}

    # -- the held/none process

    def _p_held(self, paths):
        """(n, draws) probability of held in the year after each path."""
        F = _features(paths, self.multi, self.period)
        return 1.0 / (1.0 + np.exp(-(F @ self.params.draws.T)))

    def _fixed(self, years, overrides):
        """Years from the current one to the last asked; known P(held) per year (or None)."""
        h = self.history
        start = int(h.years[-1]) + 1 if h.n_years else h.current_year  # gap years after coverage included
        last = max(int(max(years)), h.current_year)
        span = list(range(start, last + 1))
        fixed = [None] * len(span)
        if h.current_outcome is not None:
            fixed[h.current_year - start] = float(h.current_outcome != h.none_index)
        for y, o in zip(years, overrides or [None] * len(years)):
            if o is not None and int(y) >= start:
                fixed[int(y) - start] = 1.0 - float(o[-1])
        return span, fixed

    def _tree(self, span, fixed):
        """Leaf probabilities (2^D, draws) of every held/none path over ``span`` and the leaf bits."""
        key = (tuple(span), tuple(fixed))
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        D = len(span)
        paths = np.zeros((1, 0))
        prob = np.ones((1, N_DRAWS))
        for d in range(D):
            full = np.concatenate([np.repeat(self.base[None, :], len(paths), axis=0), paths], axis=1)
            p = np.full((len(paths), N_DRAWS), fixed[d]) if fixed[d] is not None else self._p_held(full)
            paths = np.concatenate([np.concatenate([paths, np.ones((len(paths), 1))], axis=1),
                                    np.concatenate([paths, np.zeros((len(paths), 1))], axis=1)])
            prob = np.concatenate([prob * p, prob * (1 - p)])
        self._cache[key] = (prob, paths)
        return prob, paths

    def _leaf_table(self, span, fixed):
        """Every draw's leaf CDF and its guide table (:func:`~drillcast.models.base.leaf_table`), per tree."""
        key = ("leaf-table", tuple(span), tuple(fixed))
        if key not in self._cache:
            prob, paths = self._tree(span, fixed)
            self._cache[key] = (*leaf_table(prob), paths)
        return self._cache[key]

    def _simulate(self, span, fixed, n, rng):
        """Held paths (n, D) by simulation, one coefficient draw per path (long horizons)."""
        draw = rng.integers(N_DRAWS, size=n)
        paths = np.repeat(self.base[None, :], n, axis=0)
        out = np.zeros((n, len(span)))
        for d in range(len(span)):
            if fixed[d] is not None:
                p = np.full(n, fixed[d])
            else:
                F = _features(paths, self.multi, self.period)
                p = 1.0 / (1.0 + np.exp(-np.einsum("nf,nf->n", F, self.params.draws[draw])))
            out[:, d] = rng.random(n) < p
            paths = np.concatenate([paths, out[:, d:d + 1]], axis=1)
        return out

    def held_marginals(self, years, overrides=None, rng=None) -> np.ndarray:
        span, fixed = self._fixed(years, overrides)
        if len(span) <= MAX_TREE:
            prob, paths = self._tree(span, fixed)
            m = (prob.mean(axis=1)[:, None] * paths).sum(axis=0)
        else:
            rng = rng if rng is not None else np.random.default_rng(20240917)
            m = self._simulate(span, fixed, _MC_PATHS, rng).mean(axis=0)
        return np.array([m[int(y) - span[0]] for y in years])

    def held_paths(self, years, n, rng, overrides=None) -> np.ndarray:
        span, fixed = self._fixed(years, overrides)
        if len(span) <= MAX_TREE:
            flat, guide, paths = self._leaf_table(span, fixed)
            draw = rng.integers(N_DRAWS, size=n)
            u = rng.random(n)
            return (paths[:, [int(y) - span[0] for y in years]] > 0)[leaf_search(flat, guide, len(paths), draw, u)]
        sim = self._simulate(span, fixed, n, rng)
        return sim[:, [int(y) - span[0] for y in years]] > 0

    # -- the outcome interface

    def _direction_marginals(self, years, overrides, rng=None):
        q = self.directions.marginals_with(years, overrides, rng=rng)[:, :-1]
        s = q.sum(axis=1, keepdims=True)
        return np.where(s > 0, q / np.where(s > 0, s, 1.0), 1.0 / q.shape[1])

    def marginals(self, years):
        return self.marginals_with(years)

    def marginals_with(self, years, overrides=None, rng=None):
        years = [int(y) for y in years]
        p = self.held_marginals(years, overrides, rng)
        if self.directions is None:
            out = np.column_stack([p, 1.0 - p])
        else:
            out = np.column_stack([p[:, None] * self._direction_marginals(years, overrides, rng), 1.0 - p])
        for h, o in enumerate(overrides or ()):
            if o is not None:
                out[h] = o
        return out

    def sample_clustered(self, years, n, rng, overrides=None):
        # held/none: each path picks one of the fixed coefficient draws independently, so these paths
        # are independent draws from the same mixture the marginals average over (no clusters);
        # directions: clustered as the member models sample them
        years = [int(y) for y in years]
        held = self.held_paths(years, n, rng, overrides)
        K = len(self.categories)
        if self.directions is None:
            return np.where(held, 0, K - 1), np.arange(n)
        lab, clusters = self.directions.sample_clustered(years, n, rng, overrides)
        cond = self._direction_marginals(years, overrides)
        c = np.cumsum(cond, axis=1)
        u = rng.random((n, len(years)))
        # a held year the members left empty: its direction given held (drawn with the u of its path and year)
        empty = np.flatnonzero(held & (lab == K - 1))
        out = np.ascontiguousarray(lab)  # the members' fresh array, changed in place
        flat = out.ravel()
        flat[np.flatnonzero(~held)] = K - 1
        flat[empty] = np.minimum((u.ravel()[empty][:, None] >= c[empty % len(years)]).sum(axis=-1), K - 2)
        return out, clusters

    def describe(self):
        d = self.params.describe()
        if self.weights is not None:
            d["direction_members"] = self.weights
        return d


class StackedFit(FittedOutcome):
    """The regression's fit pooled with the rule and the base rate, by the series' stacking weights."""

    def __init__(self, name, core: PooledFit, others, weights):
        from drillcast.models.ensemble import _EnsembleFit
        from drillcast.models.stacking import COMPONENTS

        self.name, self.categories, self.core = name, core.categories, core
        keep = [i for i, w in enumerate(weights) if w > 1e-9]  # a member without weight is not sampled
        fits = [core, *others]
        self.pool = _EnsembleFit(name, core.categories, [fits[i] for i in keep], [weights[i] for i in keep])
        self.weights = dict(zip(COMPONENTS, (round(float(w), 4) for w in weights)))
        self.sequential = True

    def marginals(self, years):
        return self.marginals_with(years)

    def marginals_with(self, years, overrides=None, rng=None):
        m = np.clip(self.pool.marginals_with(years, overrides, rng=rng), 0.0, None)
        return m / m.sum(axis=1, keepdims=True)  # a weighted sum: rounding may leave -1e-17 or a sum of 1 + 1e-16

    def sample_clustered(self, years, n, rng, overrides=None):
        return self.pool.sample_clustered(years, n, rng, overrides)

    def describe(self):
        return {**self.core.describe(), "stack_weights": self.weights}


@dataclass(frozen=True)
class Pooled(OutcomeModel):
    """P(held) by a logistic regression pooled over every series of the snapshot (see the module).

    Parameters
    ----------
    prior_sd : float or None
        Prior standard deviation of each coefficient around the prior rule; None
        (default) chooses it (see ``select``): few series keep the model near the rule.
    prior_sds : tuple of float or None
        Candidate scales for that choice; None (default) searches :data:`SD_BOUNDS` continuously.
    select : {"one-step", "evidence"}
        How the prior (its scale, and the rule it is centred on) is chosen: by the log score of
        one-step-ahead forecasts of the last :data:`STACK_YEARS` years before the cutoff, each
        by the regression refitted on the years before it (default; among ``prior_sds`` or
        :data:`ONE_STEP_SDS`; when those years hold fewer than :data:`MIN_ONE_STEP_ROWS`
        series-years, by the evidence), or by the Laplace evidence (:func:`choose_prior_sd`).
    recalibrate : bool
        With ``select="one-step"``, map the regression's log-odds by the :func:`recalibration`
        fitted on its one-step-ahead forecasts of those years.
    stack : bool
        Pool the regression with ``strict-rotation`` and ``uniform``, weighted by their
        one-step-ahead log scores on the years before the cutoff (:mod:`drillcast.models.stacking`);
        False gives the regression (and rotation pool) alone.
    exclude : tuple of str
        Series left out of the pooled fit (leave-series-out evaluation:
        ``Pooled(exclude=(sid,))`` forecasts ``sid`` from what the others teach).
    window : int or None
        Only series-years of the last ``window`` years before the cutoff are rows of the
        fit (default :data:`WINDOW`; their features still come from the whole record):
        the work of a fit stays bounded on long catalogues, and the coefficients describe
        recent practice. ``describe()`` says "since YEAR" when the window left years out.
    """

    prior_sd: float | None = None
    prior_sds: tuple | None = None
    exclude: tuple = ()
    window: int | None = WINDOW
    select: str = "one-step"
    recalibrate: bool = True
    stack: bool = True
    name = "pooled"
    description = ("P(held) from a logistic regression on history features pooled over every series; "
                   "direction from strict rotation (weighted by its past hits) and change point; "
                   "pooled with strict rotation and a uniform base rate by their one-step-ahead record")

    def fit(self, history: SeriesHistory) -> FittedOutcome:
        """Fit on one series alone (no snapshot): the pool is that series."""
        from types import SimpleNamespace

        snap = SimpleNamespace(series_ids=lambda: [history.info.id], as_of_date=history.as_of,
                               memo=lambda key, f: history)
        return self._fit_with(_fit_snapshot(self, snap), history)

    def fit_in(self, snapshot, history: SeriesHistory) -> FittedOutcome:
        params = snapshot.memo(("pooled", self), lambda snap: _fit_snapshot(self, snap))
        return self._fit_with(params, history)

    def _fit_with(self, params, history):
        core = self._core(params, history)
        if not self.stack:
            return core
        from drillcast.models.baselines import StrictRotation, Uniform

        w = (params.stack_series or {}).get(history.info.id, params.stack)
        return StackedFit(self.name, core, [StrictRotation().fit(history), Uniform().fit(history)], w)

    def _core(self, params, history):
        if not history.info.rotating:
            return PooledFit(self.name, history, params)
        from drillcast.models.baselines import StrictRotation
        from drillcast.models.calendar import ChangePoint
        from drillcast.models.ensemble import _EnsembleFit

        ev, hits, trials = rotation_evidence(history)
        members = [StrictRotation().fit(history), ChangePoint().fit(history)]
        w = (max(ev, 1e-12), max(1.0 - ev, 1e-12))
        pool = _EnsembleFit("directions", history.categories, members, w)
        weights = {"strict-rotation": round(float(pool.weights[0]), 4), "changepoint": round(float(pool.weights[1]), 4),
                   "rotation_hits": f"{hits}/{trials}"}
        return PooledFit(self.name, history, params, pool, weights)
