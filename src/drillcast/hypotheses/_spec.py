"""The small language of hypotheses about a label sequence, and the closed-form marginal likelihoods.

``climatology``, ``cycle``, ``cycle:a,b,c``, ``cycle:*``, ``every:K:d``,
``period:K`` and regime switches ``A>B@YEAR`` / ``A>B@?``: see
:func:`drillcast.hypotheses.compare_test_labels`. Used by the compare and the
break tests.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from drillcast.data.catalogue import NONE, OTHER
from drillcast.errors import ParameterError, did_you_mean
from drillcast.hypotheses._permutation import _lgamma_table, _logmeanexp

_SPEC_HELP = ("expected e.g. 'climatology', 'cycle', 'cycle:*', 'cycle:zapad,vostok,tsentr,kavkaz', "
              "'every:2:zapad', 'every:2:*', 'period:4', or a regime switch 'A>B@2021' / 'A>B@?'")


@dataclass(frozen=True)
class _Segment:
    """A parsed segment: a model of the outcomes over some years."""

    kind: str  # "climatology", "predict" or "period"
    templates: np.ndarray | None = None  # (A, n) predicted category per year, -1 for none
    k: int = 1
    text: str = ""
    res: np.ndarray | None = None  # period: phase of each year


def _parse_segment(text: str, ctx: dict) -> _Segment:
    """One segment of a hypothesis (no ``>``): ``climatology``, ``cycle...``, ``every:K:d`` or ``period:K``.

    ``ctx`` holds the series' ``categories``, ``directions``, declared ``order``,
    ``n`` years, their ``pos`` (calendar phases), the whole ``spec`` and the
    ``parameter`` it came from (named in errors).
    """
    t = text.strip()
    cats, dirs, n = ctx["categories"], ctx["directions"], ctx["n"]
    pos = np.asarray(ctx.get("pos", np.arange(n)))
    parameter, where = ctx.get("parameter", "hypotheses"), repr(ctx["spec"])
    if t.lower() == "climatology":
        return _Segment("climatology", text=t)
    head, _, rest = t.partition(":")
    head = head.lower()
    if head == "cycle":
        if rest == "*":
            if len(dirs) < 2:
                raise ParameterError(parameter, f"{where}: 'cycle:*' needs at least two directions; the series has "
                                                f"{dirs}")
            codes = [cats.index(d) for d in dirs]
            tm = np.array([[p[i % len(p)] for i in pos] for p in itertools.permutations(codes)])
            return _Segment("predict", tm, text=t)
        order = ctx["order"] if rest == "" else [s.strip() for s in rest.split(",") if s.strip()]
        if not order or len(order) < 2:
            raise ParameterError(parameter, f"{where}: a cycle needs at least two outcomes; {_SPEC_HELP}")
        for d in order:
            if d not in cats:
                raise ParameterError(parameter, f"{where}: unknown outcome {d!r}{did_you_mean(d, cats)}; "
                                  f"a cycle runs through the series' outcomes: {', '.join(cats)}")
        codes = [cats.index(d) for d in order]
        L = len(codes)
        tm = np.array([[codes[(i + ph) % L] for i in pos] for ph in range(L)])
        return _Segment("predict", tm, text=t)
    if head == "every":
        k_txt, _, d = rest.partition(":")
        if not k_txt.isdigit() or int(k_txt) < 1 or not d:
            raise ParameterError(parameter, f"{where}: write every:K:OUTCOME with K a whole number >= 1; {_SPEC_HELP}")
        k = int(k_txt)
        targets = dirs if d == "*" else [d]
        if d == "*" and not dirs:
            targets = [c for c in cats if c not in (NONE, OTHER)]
        rows = []
        for tgt in targets:
            if tgt not in cats or tgt == NONE:
                raise ParameterError(parameter, f"{where}: unknown outcome {tgt!r}{did_you_mean(tgt, cats)}; "
                                  f"expected one of: {', '.join(c for c in cats if c != NONE)}")
            for ph in range(k):
                rows.append([cats.index(tgt) if i % k == ph else -1 for i in pos])
        return _Segment("predict", np.array(rows), text=t)
    if head == "period":
        if not rest.isdigit() or int(rest) < 1:
            raise ParameterError(parameter, f"{where}: write period:K with K a whole number >= 1; {_SPEC_HELP}")
        return _Segment("period", k=int(rest), text=t, res=pos % int(rest))
    raise ParameterError(parameter, f"{where}: cannot read {text!r}; {_SPEC_HELP}")


def _parse_spec(spec: str, ctx: dict):
    """``("single", seg)`` or ``("switch", seg_before, seg_after, tau or None)``."""
    ctx = dict(ctx, spec=spec)
    parameter = ctx.get("parameter", "hypotheses")
    if ">" not in spec:
        return ("single", _parse_segment(spec, ctx))
    before, _, after = spec.partition(">")
    after, at, when = after.partition("@")
    if not at:
        raise ParameterError(parameter, f"{spec!r}: a regime switch needs '@YEAR' or '@?'; {_SPEC_HELP}")
    when = when.strip()
    years, n = ctx["years"], ctx["n"]
    if when == "?":
        tau = None
    else:
        if not when.isdigit() or not years[0] < int(when) <= years[-1]:
            raise ParameterError(parameter, f"{spec!r}: switch year {when!r} is not within the series' years "
                              f"{years[0] + 1}-{years[-1]}; write '@YEAR' or '@?' (any year)")
        tau = next(i for i, y in enumerate(years) if y >= int(when))
        if not 0 < tau < n:
            raise ParameterError(parameter, f"{spec!r}: the switch year must leave at least one year before it")
    return ("switch", _parse_segment(before, ctx), _parse_segment(after, ctx), tau)


def _segment_logml(seg: _Segment, Y, C, a, beta):
    """Log marginal likelihoods of the data before and after each split point.

    Returns ``(pre, suf)``, each (R, n + 1): ``pre[:, t]`` for years [0, t),
    ``suf[:, t]`` for years [t, n), each segment with its own parameters and
    its own template (template choice marginalised uniformly).
    """
    Y = np.atleast_2d(Y)
    R, n = Y.shape
    lgA = _lgamma_table(a, n)
    lgCa = _lgamma_table(C * a, n)

    def dm(N):
        return lgCa[0] - lgCa[N.sum(-1)] + (lgA[N] - lgA[0]).sum(-1)

    def prefix(x, axis):
        out = np.zeros(x.shape[:axis] + (x.shape[axis] + 1,) + x.shape[axis + 1:], dtype=np.int32)
        idx = [slice(None)] * x.ndim
        idx[axis] = slice(1, None)
        np.cumsum(x, axis=axis, out=out[tuple(idx)])
        return out

    if seg.kind == "climatology":
        P = prefix((Y[:, :, None] == np.arange(C)).astype(np.int32), 1)
        return dm(P), dm(P[:, -1:, :] - P)
    if seg.kind == "period":
        k = seg.k
        oh = np.zeros((R, n, k, C), dtype=np.int32)
        t = np.arange(n)
        res = t % k if seg.res is None else seg.res
        oh[np.arange(R)[:, None], t[None, :], res[None, :], Y] = 1
        P = prefix(oh, 1)
        return dm(P).sum(-1), dm(P[:, -1:] - P).sum(-1)
    T = seg.templates
    pred = T >= 0
    H = prefix((Y[:, None, :] == T[None, :, :]) & pred[None], 2)
    M = prefix(pred.astype(np.int32), 1)
    ab, bb = beta
    lga, lgb, lgab = _lgamma_table(ab, n), _lgamma_table(bb, n), _lgamma_table(ab + bb, n)
    const = lgab[0] - lga[0] - lgb[0]
    lmiss = math.log(C - 1) if C > 1 else 0.0

    def f(h, m):
        return lga[h] + lgb[m - h] - lgab[m] + const - (m - h) * lmiss

    pre, suf = f(H, M[None]), f(H[..., -1:] - H, (M[:, -1:] - M)[None])
    if not pred.all():
        rest = (~pred)[None, :, :, None] & (Y[:, None, :, None] == np.arange(C))
        RC = prefix(rest.astype(np.int32), 2)
        pre = pre + dm(RC)
        suf = suf + dm(RC[:, :, -1:, :] - RC)
    return _logmeanexp(pre, axis=1), _logmeanexp(suf, axis=1)


def _model_logml(parsed, Y, C, a, beta, min_segment=2) -> np.ndarray:
    if parsed[0] == "single":
        return _segment_logml(parsed[1], Y, C, a, beta)[0][:, -1]
    _, s1, s2, tau = parsed
    pre = _segment_logml(s1, Y, C, a, beta)[0]
    suf = _segment_logml(s2, Y, C, a, beta)[1]
    n = np.atleast_2d(Y).shape[1]
    if tau is not None:
        return pre[:, tau] + suf[:, tau]
    taus = np.arange(min_segment, n - min_segment + 1)
    return _logmeanexp(pre[:, taus] + suf[:, taus], axis=1)


def _sim_segment(seg: _Segment, D, n, C, q, freqs, rng) -> np.ndarray:
    """Data from a prediction model with hit rate q (misses spread evenly over the other outcomes)."""
    T = seg.templates[rng.integers(seg.templates.shape[0], size=D)]
    base = rng.choice(C, size=(D, n), p=freqs)
    other = (T + 1 + rng.integers(C - 1, size=(D, n))) % C
    hit = rng.random((D, n)) < q
    return np.where(T >= 0, np.where(hit, T, other), base)
