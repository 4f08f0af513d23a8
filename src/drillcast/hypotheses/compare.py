"""Compare: posterior probabilities of competing claims about a series (closed-form Bayes factors)."""

from __future__ import annotations

import math

import numpy as np

from drillcast.data.catalogue import NONE
from drillcast.errors import ParameterError
from drillcast.hypotheses._checks import _check_alpha, _parse_order, _rng, _seed_int
from drillcast.hypotheses._labels import _codes, _known, _label_categories, _label_inputs
from drillcast.hypotheses._spec import _model_logml, _parse_segment, _parse_spec, _Segment, _segment_logml, _sim_segment
from drillcast.hypotheses.power import _grid, _power_details, _power_search
from drillcast.hypotheses.result import (BF_STRONG, CYCLE_KEPT, HELD, N_CAP, POWER_SIMS, POWER_TARGET, TestResult,
                                         _skipped)
from drillcast.hypotheses.wording import _bf_words, _nu

__all__ = ["compare_test", "compare_test_labels"]

_DESCRIPTIONS = {
    "climatology": "no pattern: each year's outcome drawn from fixed frequencies",
    "cycle": "the declared cycle of directions, kept with an unknown probability",
    "disrupted": "the cycle until some year, then no pattern",
    "biennial-after-break": "the cycle until some year, then one direction every other year",
    "biennial": "an event every other year, kept with an unknown probability",
    "changed-frequency": "no pattern, but the frequencies changed in some year",
}


def _default_hypotheses(rotating: bool, held_label: str = HELD) -> dict:
    """The claims compared by default: name -> spec."""
    if rotating:
        return {"climatology": "climatology", "cycle": "cycle", "disrupted": "cycle>climatology@?",
                "biennial-after-break": "cycle>every:2:*@?"}
    return {"climatology": "climatology", "biennial": f"cycle:{held_label},{NONE}",
            "changed-frequency": "climatology>climatology@?"}


def compare_test_labels(labels, hypotheses, categories=None, *, directions=None, order=None, years=None,
                        none_label=NONE, prior=0.5, beta=(1.0, 1.0), model_prior=None, alpha=0.05,
                        seed=0, power=True, power_model=None, min_segment=2) -> TestResult:
    """Compare named hypotheses about a label sequence by posterior probability.

    H0 (reference): ``climatology``: outcomes i.i.d. from unknown
    frequencies (Dirichlet(prior) over the outcomes). H1: each other named
    hypothesis. Hypotheses are written in a small language:

    - ``climatology``;
    - ``cycle`` (the declared order), ``cycle:a,b,c,d`` (a given order, of
      any outcomes: ``cycle:held,none`` is an event every other year) or
      ``cycle:*`` (any order of the directions): year t shows the cycle's
      outcome with an unknown probability rho ~ Beta(beta), otherwise one of
      the other outcomes uniformly; the phase (and for ``*`` the order) is
      averaged over uniformly;
    - ``every:K:d``: outcome d every K-th year (phase averaged), kept with
      probability rho, other years from climatology; ``d = *`` averages over
      the directions;
    - ``period:K``: the periodic Dirichlet model of :func:`period_test_labels`;
    - ``A>B@YEAR``: A before YEAR, B from YEAR on, independent parameters;
      ``A>B@?`` averages the switch year uniformly over the years leaving at
      least ``min_segment`` years on each side.

    All marginal likelihoods are closed-form, so the Bayes factors
    ``BF = p(y | H1) / p(y | H0)`` and posterior model probabilities are
    exact (Kass & Raftery 1995). Their sensitivity to the priors is shown in
    ``details["prior_sensitivity"]``: Dirichlet 0.5 vs 1, Beta(1, 1) vs
    Beta(0.5, 0.5), and a sceptical model prior giving climatology 1/2.

    Returns
    -------
    TestResult
        ``p_value`` None (Bayesian comparison); ``statistic`` = log10 BF
        against climatology of the most probable other hypothesis;
        ``effect_size`` = the posterior probability of the most probable
        hypothesis (``details["best"]``). ``power``: probability that the Bayes factor of
        ``power_model`` against climatology exceeds 20 ("strong") when the
        data come from that model with rho = 0.75.

    References
    ----------
    Kass, R. E. & Raftery, A. E. (1995). Bayes factors. JASA 90, 773-795.
    Schoenbrodt, F. D. & Wagenmakers, E.-J. (2018). Bayes factor design
    analysis. Psychonomic Bulletin & Review 25, 128-142 (power of a Bayes
    factor).
    """
    alpha = _check_alpha(alpha)
    rng = _rng(seed)
    labels, years, cats, directions = _label_inputs(labels, years, categories, none_label, directions)
    order = _parse_order(order, directions) if order is not None else None
    hypotheses = _check_hypotheses(hypotheses)
    return _compare(labels, hypotheses, cats, directions=directions, order=order, years=years, prior=prior,
                    beta=beta, model_prior=model_prior, alpha=alpha, rng=rng, power=power, power_model=power_model,
                    min_segment=min_segment)


def _check_hypotheses(hypotheses) -> dict:
    """``hypotheses`` (one spec, a list of specs, or a dict name -> spec) as a dict of at least two."""
    if isinstance(hypotheses, str):
        hypotheses = [hypotheses]
    if not isinstance(hypotheses, dict):
        hypotheses = {str(s): str(s) for s in hypotheses}
    if len(hypotheses) < 2:
        raise ParameterError("hypotheses", f"{len(hypotheses)} given; compare needs at least two, e.g. "
                                           "climatology and cycle")
    return {str(k): str(v) for k, v in hypotheses.items()}


def _compare(labels, hypotheses, cats, *, directions, order, years, prior, beta, model_prior, alpha, rng, power,
             power_model, min_segment) -> TestResult:
    """:func:`compare_test_labels` on checked arguments (``cats`` with ``none`` last, ``order`` parsed or None)."""
    C = len(cats)
    order = directions if order is None else order
    code = _codes(labels, cats)
    n = code.size
    h0 = "climatology: each year's outcome drawn independently from fixed, unknown frequencies"
    h1 = "one of: " + "; ".join(f"{k} ({_DESCRIPTIONS.get(k, 'a user-given hypothesis')})"
                                for k, v in hypotheses.items() if v != "climatology")
    if n == 0:
        return _skipped("compare", "Comparison not possible: no complete year of the series is known yet.",
                        h0=h0, h1=h1, alpha=alpha)
    ctx = {"categories": cats, "directions": directions, "order": order, "n": n, "years": years,
           "pos": np.asarray(years) - years[0]}
    parsed, dropped = {}, {}
    for name, spec in hypotheses.items():
        p = _parse_spec(str(spec), ctx)
        if p[0] == "switch" and p[3] is None and n < 2 * min_segment:
            dropped[name] = f"needs at least {2 * min_segment} years"
            continue
        parsed[name] = p
    if n < 3 or len(parsed) < 2 or len(set(code.tolist())) < 2:
        why = f"only {_nu(n, 'years')}" if n < 3 or len(parsed) < 2 else "every year had the same outcome"
        return _skipped("compare", f"Comparison not informative: {why}.", n, h0=h0, h1=h1, alpha=alpha)
    names = list(parsed)
    null_name = next((k for k in names if hypotheses[k].strip().lower() == "climatology"), None)

    def posterior(a, b, prior_kind="equal"):
        lml = np.array([_model_logml(parsed[k], code[None, :], C, a, b, min_segment)[0] for k in names])
        if prior_kind == "sceptical" and null_name is not None:
            lp = np.array([math.log(0.5) if k == null_name else math.log(0.5 / (len(names) - 1)) for k in names])
        elif model_prior is not None:
            lp = np.log(np.array([float(model_prior.get(k, 0.0)) for k in names]))
        else:
            lp = np.zeros(len(names))
        w = lml + lp
        post = np.exp(w - w.max())
        return lml, post / post.sum()

    with np.errstate(divide="ignore"):
        lml, post = posterior(prior, beta)
    ref = names.index(null_name) if null_name is not None else None
    log10 = lml / math.log(10)
    models = {k: {"spec": hypotheses[k], "description": _DESCRIPTIONS.get(k, hypotheses[k]),
                  "log10_marginal_likelihood": float(log10[i]), "posterior": float(post[i]),
                  "log10_bf_vs_climatology": None if ref is None else float(log10[i] - log10[ref])}
              for i, k in enumerate(names)}
    settings = [("Dirichlet 0.5, Beta(1,1), equal model priors", 0.5, (1.0, 1.0), "equal"),
                ("Dirichlet 1, Beta(1,1), equal model priors", 1.0, (1.0, 1.0), "equal"),
                ("Dirichlet 0.5, Beta(0.5,0.5), equal model priors", 0.5, (0.5, 0.5), "equal"),
                ("Dirichlet 1, Beta(0.5,0.5), equal model priors", 1.0, (0.5, 0.5), "equal")]
    if null_name is not None:
        settings.append(("Dirichlet 0.5, Beta(1,1), sceptical: climatology 1/2", 0.5, (1.0, 1.0), "sceptical"))
    sens = []
    for label, a, b, kind in settings:
        with np.errstate(divide="ignore"):
            _, po = posterior(a, b, kind)
        sens.append({"prior": label, "posterior": {k: float(po[i]) for i, k in enumerate(names)}})
    ib = int(np.argmax(post))
    best = names[ib]
    rng_post = [s["posterior"][best] for s in sens]
    if ref is not None:
        cand = ib if ib != ref else int(np.argmax(np.where(np.arange(len(names)) == ref, -np.inf, lml)))
        stat = float(log10[cand] - log10[ref])
    else:
        second = int(np.argsort(-post)[1])
        stat = float(log10[ib] - log10[second])
    details = {"unit": "years", "models": models, "best": best, "prior_sensitivity": sens,
               "dropped": dropped, "dirichlet": prior, "beta": list(beta)}
    if power_model is None:
        power_model = next((k for k in names if parsed[k][0] == "single" and parsed[k][1].kind == "predict"), None)
    pw = n80 = None
    alt = ""
    if power and power_model is not None and null_name is not None and power_model in parsed:
        seg = _parse_segment(hypotheses[power_model], dict(ctx, spec=hypotheses[power_model]))
        if seg.kind == "predict":
            freqs = np.bincount(code, minlength=C) / n
            alt = (f"data from '{power_model}' ({_DESCRIPTIONS.get(power_model, 'the hypothesis as given')}) with "
                   "the prediction kept in "
                   f"{CYCLE_KEPT:.0%} of years; power = chance that its Bayes factor against climatology "
                   f"exceeds {BF_STRONG:g} (strong evidence, Kass & Raftery 1995)")
            seed2 = _seed_int(rng)

            def power_at(m):
                r2 = np.random.default_rng([seed2, m])
                c2 = dict(ctx, n=m, years=list(range(m)), pos=np.arange(m), spec=hypotheses[power_model])
                s = _parse_segment(hypotheses[power_model], c2)
                Y = _sim_segment(s, POWER_SIMS, m, C, CYCLE_KEPT, freqs, r2)
                l1 = _segment_logml(s, Y, C, prior, beta)[0][:, -1]
                l0 = _segment_logml(_Segment("climatology"), Y, C, prior, beta)[0][:, -1]
                return float(np.mean(l1 - l0 > math.log(BF_STRONG)))

            pw, n80, curve = _power_search(power_at, n, 2, grid=_grid(power))
            details.update(_power_details(curve, n, n80, POWER_SIMS))
            details["power_model"] = power_model
    post_range = f"{min(rng_post):.2f}-{max(rng_post):.2f} across priors"
    if best == null_name:
        reading = (f"{n} years; of {len(names)} hypotheses, no pattern (climatology) is the most probable "
                   f"(posterior {post[ib]:.2f}, {post_range}): the data support none of the claims")
    else:
        bf = 10 ** stat if ref is not None else None
        vs = (f"; Bayes factor {bf:.3g} against no pattern: {_bf_words(bf)}" if bf is not None else "")
        reading = (f"{n} years; of {len(names)} hypotheses, '{best}' is the most probable (posterior "
                   f"{post[ib]:.2f}, {post_range}){vs}")
    if pw is not None and pw < POWER_TARGET:
        more = (f"more than {N_CAP} more years" if n80 is None else f"about {max(1, n80 - n)} more years")
        reading += (f"; even if '{power_model}' were true, strong evidence would come only with probability "
                    f"{pw:.2f} ({more} for 80 %)")
    reading += "."
    return TestResult(
        test="compare", h0=h0, h1=h1, statistic=stat, p_value=None, method="exact",
        effect_size=float(post[ib]), effect_size_name="posterior probability of the most probable hypothesis",
        n=n, power=pw, power_alternative=alt, n_for_80=n80, reading=reading, details=details, alpha=alpha,
    )


def compare_test(history, hypotheses=None, *, order=None, prior=0.5, alpha=0.05, seed=0,
                 power=True) -> TestResult:
    """Compare competing claims on a series' history (see :func:`compare_test_labels`).

    H0 (reference): climatology, no pattern. H1: each named claim; the
    result gives their posterior probabilities. Default hypotheses, rotating series: ``climatology``, ``cycle`` (the
    declared order, or ``order``), ``disrupted`` (cycle then no pattern,
    switch year averaged), ``biennial-after-break`` (cycle then one direction
    every other year). Other series (held/none): ``climatology``,
    ``biennial`` (held every other year), ``changed-frequency`` (the share of
    years with an event changed in some year). ``hypotheses`` may be a dict name -> spec
    or a list of specs, e.g. ``{"biennial zapad since 2021":
    "cycle>every:2:zapad@2021"}``.
    """
    alpha = _check_alpha(alpha)
    rng = _rng(seed)
    order = _parse_order(order, history.info.directions) if order is not None else None
    hypotheses = None if hypotheses is None else _check_hypotheses(hypotheses)
    return _compare_history(history, hypotheses, order=order, prior=prior, alpha=alpha, rng=rng, power=power)


def _compare_history(history, hypotheses, *, order, prior=0.5, alpha, rng, power) -> TestResult:
    """:func:`compare_test` on checked arguments (``hypotheses`` a dict or None for the defaults)."""
    info = history.info
    if hypotheses is None:
        hypotheses = _default_hypotheses(info.rotating, history.categories[0])
    labels, years, _ = _known(history)
    return _compare(labels, hypotheses, _label_categories(labels, history.categories, history.categories[-1]),
                    directions=[str(d) for d in info.directions], order=order, years=years, prior=prior,
                    beta=(1.0, 1.0), model_prior=None, alpha=alpha, rng=rng, power=power, power_model=None,
                    min_segment=2)
