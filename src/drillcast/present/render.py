"""Forecasts as text a reader can take in at a glance (the CLI table)."""

from __future__ import annotations

from drillcast._words import plural
from drillcast.present.text import pct, safe_text, start_phrase, table

__all__ = ["forecast_text", "track_record_phrase", "backtest_text", "tests_text"]


def track_record_phrase(tr: dict | None) -> str:
    """'mean log score -0.41 over 13 yearly forecasts; uniform -1.79' (or why there is none)."""
    if not tr:
        return ""
    if not tr.get("n"):
        return f"track record: {tr.get('reason', 'no past forecasts to score')}"
    s = (f"track record ({tr['model']}): mean log score {tr['mean_log_score']:.2f} over {tr['n']} yearly "
         f"forecasts ({tr['from']}-{tr['to']}); uniform {tr['uniform_mean_log_score']:.2f}")
    s += " (higher is better; 0 is perfect)"
    uni = tr.get("uniform_mean_log_score")
    if uni is not None and tr["mean_log_score"] <= uni:
        s += "; no better than a uniform guess over these years: no skill, treat the numbers as a base rate"
    return s


def forecast_text(forecasts, catalogue) -> str:
    blocks = []
    for fc in forecasts:
        head = (f"{safe_text(fc.series)}: {safe_text(fc.series_name)}\n"
                f"  as of {fc.as_of}, model {fc.model}, {plural(fc.n_events_used, 'held primary event')} "
                f"in {plural(fc.n_years_used, 'year')} of history")
        if not fc.ok:
            blocks.append(f"{head}\n  {fc.status}: {fc.reason}")
            continue
        cats = list(fc.categories)
        if fc.kind == "rotating":
            headers = ["year", *cats, "held", "start: median (80 % interval)"]
            rows = [[y.year, *[_cell(y, y.outcomes[c], fact="held" if y.outcomes[c] >= 1.0 else "-") for c in cats],
                     _cell(y, y.p_held), _start(y, fc.as_of)] for y in fc.years]
        else:
            headers = ["year", "held", "expected count (80 %)", "start: median (80 % interval)"]
            rows = [[y.year, _cell(y, y.p_held),
                     f"{y.expected_count:.1f} ({y.count_interval[0]}-{y.count_interval[1]})", _start(y, fc.as_of)]
                    for y in fc.years]
        parts = sorted({k for y in fc.years for k in y.participants})
        for code in parts:
            headers.append(code)
            for row, y in zip(rows, fc.years):
                p = y.participants.get(code)
                row.append(_cell(y, p, fact="yes" if p is not None and p >= 1.0 else "no"))
        lines = [head, _indent(table(headers, rows, "r" * (len(headers) - 1 - len(parts)) + "l" + "r" * len(parts)))]
        notes = [f"{y.year}: {y.known}" for y in fc.years if y.known]
        lines += [f"  {safe_text(n)}" for n in notes]
        if parts:
            lines.append(f"  {', '.join(parts)}: probability of taking part in the year's exercise")
        if fc.model_info.get("pooled"):  # the evidence behind a pooled model's numbers
            lines.append(f"  {fc.model}: {safe_text(fc.model_info['pooled'])}")
        trp = track_record_phrase(fc.track_record)
        if trp:
            lines.append(f"  {trp}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def _cell(y, p, fact="yes"):
    """A probability, or for a year already held, the fact (never a percentage for what happened)."""
    return fact if y.settled else pct(p)


def _start(y, as_of) -> str:
    if y.settled:
        return "started " + _day_text(y.held_events[0][1])
    phrase = start_phrase(y.start)
    if y.start and y.start["median"] < as_of.isoformat():
        # only a coverage gap leaves a start before the as-of date possible: say so
        phrase += "; may have passed unrecorded"
    return phrase


def _day_text(text: str) -> str:
    """'2026-06-27' -> '27 Jun 2026'; coarser dates as written."""
    import datetime as _dt

    try:
        return _dt.date.fromisoformat(text).strftime("%d %b %Y").lstrip("0")
    except ValueError:
        return text


def _indent(s, n=2):
    return "\n".join(" " * n + line for line in s.splitlines())


def backtest_text(res) -> str:
    """Per series: each model's scores and skill against baselines, best first."""
    from drillcast.present.text import table as _table

    out = []
    by_series = {}
    for s in res.summary:
        by_series.setdefault(s["series"], []).append(s)
    if not by_series:
        return ("no forecast could be scored: at the cutoffs "
                f"({', '.join(sorted({c for v in res.settings['cutoffs'].values() for c in v})) or 'none'}) "
                "no series had the 2 events over 3 years a forecast needs, or no complete year followed; "
                "choose later cutoffs (--from YEAR) or another series\n")
    for sid, rows in by_series.items():
        n = rows[0]["n"]
        years = sorted({f["year"] for f in res.folds if f["series"] == sid})
        head = (f"{safe_text(sid)}: {n} scored forecast-years per model "
                f"({years[0]}-{years[-1]}, horizon {res.settings['horizon']}); "
                "log score: higher is better, 0 perfect; Brier and CRPS: lower is better")
        body = []
        for r in rows:
            vs = r.get("vs_baselines", {})
            u = vs.get("uniform")
            c = vs.get("climatology")
            body.append([
                r["model"] + (" *" if r["baseline"] else ""), r["n"], f"{r['mean_log_score']:.2f}", r["floor_hits"],
                f"{r['mean_brier']:.2f}", "-" if r["mean_crps_days"] is None else f"{r['mean_crps_days']:.1f}",
                "-" if not u else f"{u['mean_difference']:+.2f} (p{_p(u['p_value'])})",
                "-" if not c else f"{c['mean_difference']:+.2f} (p{_p(c['p_value'])})",
                _cov(r, 0.8),
            ])
        out.append(head + "\n" + _indent(_table(
            ["model", "n", "log score", "floor", "Brier", "CRPS d", "vs uniform", "vs climatology", "80 % cover"],
            body, "lrrrrrrrr")))
        out.append("  * baseline. 'vs': mean log-score difference per forecast, two-sided paired sign-flip "
                   f"permutation p over n = {n} folds (small n: differences under ~0.5 are rarely significant).")
        out.append("  floor: forecasts that gave what happened less than the smallest probability scored; CRPS d: "
                   "start-date error in days; 80 % cover: 80 % start intervals that held the start / starts "
                   "scored [exact 95 % interval of the rate] (see 'Glossary' in the README)")
        best = rows[0]
        for r in rows[1:]:
            t = r.get("vs_baselines", {}).get(best["model"]) if best["baseline"] else None
            if t is None:
                t = best.get("vs_baselines", {}).get(r["model"])
                sign = 1
            else:
                sign = -1
            if t:
                out.append(f"  best: {best['model']} beat {r['model']} by {sign * t['mean_difference']:+.2f} "
                           f"per forecast (p{_p(t['p_value'])}, n = {t['n']})")
                break
    return "\n".join(out) + "\n"


def _p(p) -> str:
    return "<0.01" if p < 0.01 else f"={p:.2f}"


def _cov(r, level):
    for c in r.get("coverage", []):
        if abs(c["level"] - level) < 1e-9:
            return f"{c['hits']}/{c['n']} [{100 * c['ci_low']:.0f}-{100 * c['ci_high']:.0f} %]"
    return "-"


def _fmt(x, digits=3):
    if x is None:
        return "-"
    if isinstance(x, float):
        if x != 0 and abs(x) < 10 ** -digits:
            return f"{x:.1e}"
        return f"{x:.{digits}g}" if abs(x) >= 1 else f"{x:.{digits}f}".rstrip("0").rstrip(".")
    return str(x)


def tests_text(sid, as_of, results) -> str:
    """Per series: one row per test (p-values printed as in the readings), then each reading, H0, H1."""
    from drillcast.hypotheses.wording import p_text

    rows = []
    for r in results:
        method = r.method + (f" ({r.draws:,} draws, s.e. {r.mc_se:.4f})" if r.method == "monte-carlo" and r.draws else "")
        rows.append([r.test, r.n, _fmt(r.statistic), p_text(r.p_value), p_text(getattr(r, "p_adjusted", None)),
                     method, _fmt(r.power, 2), "-" if r.n_for_80 is None else str(r.n_for_80)])
    out = [f"{safe_text(sid)}: hypothesis tests on what was known on {as_of}",
           "\n".join("  " + line for line in table(
               ["test", "n", "statistic", "p", "p adj.", "method", "power", "n for 80 %"], rows, "lrrrrlrr").splitlines())]
    for r in results:
        out.append(f"  {r.test}: {safe_text(r.reading)}")
        if r.h0:
            out.append(f"      H0: {safe_text(r.h0)}")
            out.append(f"      H1: {safe_text(r.h1)}")
        if r.power_alternative:
            out.append(f"      power against: {safe_text(r.power_alternative)}")
    return "\n".join(out) + "\n"
