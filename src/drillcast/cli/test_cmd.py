"""``drillcast test``: build the series history as of a date, run a test or the battery, render."""

from __future__ import annotations

from drillcast.errors import OptionError

__all__ = ["test_command", "tests_text"]


def _fmt(x, digits=3):
    if x is None:
        return "-"
    if isinstance(x, float):
        if x != 0 and abs(x) < 10 ** -digits:
            return f"{x:.1e}"
        return f"{x:.{digits}g}" if abs(x) >= 1 else f"{x:.{digits}f}".rstrip("0").rstrip(".")
    return str(x)


def tests_text(sid, as_of, results) -> str:
    from drillcast.present.text import safe_text, table

    rows = []
    for r in results:
        method = r.method + (f" ({r.draws:,} draws, s.e. {r.mc_se:.4f})" if r.method == "monte-carlo" and r.draws else "")
        rows.append([r.test, r.n, _fmt(r.statistic), _fmt(r.p_value), _fmt(getattr(r, "p_adjusted", None)),
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


def test_command(args, catalogue, emit, to_json, series_list, parse_as_of):
    """Run ``drillcast test KIND`` for each selected series."""
    from drillcast import __version__
    from drillcast.data.history import series_history
    from drillcast.hypotheses import run_battery, run_test

    if args.until and args.as_of and args.until != args.as_of:
        raise OptionError("--until and --as-of are the same thing; give one of them")
    as_of = parse_as_of(args.until or args.as_of, "--until" if args.until else "--as-of")
    if args.draws is not None and args.draws < 1:
        raise OptionError(f"--draws: {args.draws} is not allowed; give an integer >= 1 (e.g. 20000)")
    if not 0 < args.alpha < 1:
        raise OptionError(f"--alpha: {args.alpha} is not allowed; give a level between 0 and 1, e.g. 0.05")
    default = "russia-strategic" if "russia-strategic" in catalogue.series else "all"
    sel = series_list(args, catalogue, default=default)
    order = [o.strip() for o in args.order.split(",")] if args.order else None
    snap = catalogue.as_of(as_of)
    docs, texts = [], []
    for sid in sel:
        h = series_history(snap, sid)
        if args.kind == "all":
            results = run_battery(h, alpha=args.alpha, correction=args.correction, draws=args.draws, seed=args.seed,
                                  order=order, hypothesis_date=args.date)
        else:
            results = [run_test(args.kind, h, order=order, alpha=args.alpha, draws=args.draws, seed=args.seed,
                                hypothesis_date=args.date)]
        docs.append({"series": sid, "results": [r.to_dict() for r in results]})
        texts.append(tests_text(sid, as_of, results))
    if args.format == "json":
        return emit(args, to_json({"as_of": as_of.isoformat(), "seed": args.seed, "alpha": args.alpha,
                                   "catalogue_sha256": catalogue.sha256, "drillcast_version": __version__,
                                   "tests": docs}))
    return emit(args, "\n".join(texts))
