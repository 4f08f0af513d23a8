"""drillcast benchmarks: every figure a ratio against a baseline timed in the same run.

    python benchmarks/run.py            # full run (a few minutes), writes benchmarks/results/latest.json
    python benchmarks/run.py --quick    # fewer repetitions and a 10x smaller scale test
    python benchmarks/run.py --runs 7 --out my.json
    python benchmarks/run.py --readme   # rewrite the README's table from results/latest.json (no run)

Commands are timed as subprocesses (wall clock, median of --runs); the scale tests build synthetic
catalogues with :mod:`drillcast.data.simulate` and also record the peak memory (max RSS) of each run.
Targets are those of the performance issue; each row says met or missed, and by how much.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PY = sys.executable
RSS = ("import resource, subprocess, sys, json; r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, "
       "stderr=subprocess.DEVNULL); print(json.dumps([r.returncode, "
       "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss]))")


def timed(cmd, runs, env=None, check=True):
    """Median wall time of ``runs`` executions of ``cmd`` (a list), and the largest max RSS (MiB)."""
    times, rss = [], 0
    for _ in range(runs):
        t = time.perf_counter()
        out = subprocess.run([PY, "-c", RSS, *cmd], capture_output=True, text=True, env=env)
        times.append(time.perf_counter() - t)
        code, kib = json.loads(out.stdout)
        if check and code not in (0, 2):
            raise SystemExit(f"benchmark command failed ({code}): {' '.join(cmd)}")
        rss = max(rss, kib / 1024)
    return statistics.median(times), rss


def drillcast(*args):
    return [PY, "-m", "drillcast", *args]


def row(rows, name, value, unit, target, ok, note=""):
    rows.append({"benchmark": name, "value": round(value, 4), "unit": unit, "target": target, "met": bool(ok),
                 "note": note})
    print(f"  {'ok  ' if ok else 'MISS'} {name:58s} {value:12.3f} {unit:14s} target {target} {note}", flush=True)


# --------------------------------------------------------------------------- Monte Carlo


def mc_benchmarks(rows, runs):
    import numpy as np

    from drillcast.data.catalogue import load_catalogue
    from drillcast.forecasting import forecast

    snap = load_catalogue().as_of(dt.date(2026, 1, 1))
    fc = forecast(snap, "russia-strategic", horizon=10)
    n, H = 100_000, 10
    fc.sample(1000)  # warm-up
    ts = []
    for i in range(runs):
        t = time.perf_counter()
        fc.sample(n, seed=i)
        ts.append(time.perf_counter() - t)
    vec = n * H / statistics.median(ts)
    # the same job as a plain-Python loop: per path one posterior draw, per year an inverse-CDF draw
    probs = [[y.outcomes[c] for c in fc.categories] for y in fc.years]
    cum = [[sum(p[: k + 1]) for k in range(len(p))] for p in probs]
    pmf = [list(np.cumsum(y.start_pmf)) for y in fc.years]
    rnd = random.Random(0)
    m = 5_000
    t = time.perf_counter()
    for _ in range(m):
        for h in range(H):
            u = rnd.random()
            k = 0
            while k < len(cum[h]) - 1 and u >= cum[h][k]:
                k += 1
            v = rnd.random() * pmf[h][-1]
            d = 0
            while d < 365 and v >= pmf[h][d]:
                d += 1
    loop = m * H / (time.perf_counter() - t)
    row(rows, "Monte Carlo calendars (10^5 paths x 10 years, default model)", vec / 1e6, "M path-steps/s",
        ">= 20", vec >= 20e6)
    row(rows, "  ... vs a plain-Python loop timed in the same run", vec / loop, "x", ">= 10", vec / loop >= 10,
        f"(loop: {loop / 1e6:.2f} M path-steps/s)")

    from drillcast.data.history import series_history
    from drillcast.hypotheses import run_battery
    from drillcast.hypotheses.rotation import _rotation_null_mc

    code = np.array([0, 1, 2, 3] * 4 + [4, 0, 1])
    rng = np.random.default_rng(0)
    _rotation_null_mc(code, 4, "search", 100_000, rng, np.arange(19) % 4)
    ts = []
    for _ in range(runs):
        t = time.perf_counter()
        _rotation_null_mc(code, 4, "search", 1_000_000, rng, np.arange(19) % 4)
        ts.append(time.perf_counter() - t)
    perms = 1_000_000 / statistics.median(ts)
    row(rows, "permutation test (rotation, 19 years, order search)", perms / 1e6, "M perms/s", ">= 1", perms >= 1e6)

    history = series_history(snap, "russia-strategic")
    ts = []
    for i in range(max(1, runs // 2)):
        t = time.perf_counter()
        run_battery(history, seed=i)
        ts.append(time.perf_counter() - t)
    bt = statistics.median(ts)
    row(rows, "hypothesis battery, russia-strategic (7 tests with power)", bt, "s", "<= 10", bt <= 10)


# --------------------------------------------------------------------------- commands


def command_benchmarks(rows, runs, tmp):
    base_pass, _ = timed([PY, "-c", "pass"], runs)
    help_t, _ = timed(drillcast("--help"), runs)
    err_t, _ = timed(drillcast("forecast", "--horizon", "-1"), runs)
    row(rows, "drillcast --help / python -c pass", help_t / base_pass, "x", "<= 4", help_t / base_pass <= 4,
        f"({help_t:.3f} s vs {base_pass:.3f} s)")
    row(rows, "argument error (forecast --horizon -1) / python -c pass", err_t / base_pass, "x", "<= 4",
        err_t / base_pass <= 4, f"({err_t:.3f} s)")
    huge = Path(tmp) / "huge.csv"
    with huge.open("w") as fh:
        fh.write("id,name,series,start_date,status,sources,confidence\n")
        fh.writelines(f"E{i},x,s,2021-09-01,held,https://example.org/a,high\n" for i in range(1_000_000))
    huge_t, huge_rss = timed(drillcast("data", "validate", str(huge)), 1)
    row(rows, "data validate refuses a 1,000,000-row file", huge_t, "s", "<= 60", huge_t <= 60,
        f"(peak {huge_rss:.0f} MiB)")
    base_np, _ = timed([PY, "-c", "import numpy"], runs)
    fc_t, _ = timed(drillcast("forecast", "--series", "russia-strategic"), runs)
    row(rows, "forecast --series russia-strategic / import numpy", fc_t / base_np, "x", "<= 5",
        fc_t / base_np <= 5, f"({fc_t:.3f} s vs {base_np:.3f} s)")
    ol_t, _ = timed(drillcast("outlook", "--series", "all"), runs)
    row(rows, "outlook --series all / import numpy", ol_t / base_np, "x", "<= 5", ol_t / base_np <= 5,
        f"({ol_t:.3f} s vs {base_np:.3f} s)")
    base_heavy, _ = timed([PY, "-c", "import matplotlib.pyplot, scipy.stats, statsmodels.api"], runs)
    out = Path(tmp) / "report.pdf"
    rep_t, rep_rss = timed(drillcast("report", "-o", str(out)), max(1, runs // 2))
    why = "" if rep_t / base_heavy <= 4 else "; where the time goes: " + report_breakdown()
    row(rows, "report (full default) / import matplotlib, scipy.stats, statsmodels", rep_t / base_heavy, "x",
        "<= 4", rep_t / base_heavy <= 4, f"({rep_t:.2f} s vs {base_heavy:.2f} s; peak {rep_rss:.0f} MiB{why})")
    body_t, body_rss = timed(drillcast("report", "--no-annex", "-o", str(out)), max(1, runs // 2))
    row(rows, "report --no-annex (main body) / import matplotlib, scipy.stats, statsmodels", body_t / base_heavy,
        "x", "<= 3", body_t / base_heavy <= 3, f"({body_t:.2f} s vs {base_heavy:.2f} s; peak {body_rss:.0f} MiB)")


def report_breakdown() -> str:
    """Time the report's phases in-process: analysis (backtests and batteries, forked) and layout."""
    import drillcast.present.report.build as R
    from drillcast.data.catalogue import load_catalogue

    spent = {"analysis": 0.0, "render": 0.0}

    def wrap(name, fn):
        def inner(*a, **k):
            t = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                spent[name] += time.perf_counter() - t
        return inner

    orig = (R.analyse_all, R.render)
    R.analyse_all, R.render = wrap("analysis", R.analyse_all), wrap("render", R.render)
    try:
        cat = load_catalogue()
        t = time.perf_counter()
        R.build_report(cat, cat.series_ids(), dt.date.today())
        total = time.perf_counter() - t
    finally:
        R.analyse_all, R.render = orig
    story = total - spent["analysis"] - spent["render"]
    return (f"in-process {total:.1f} s = analysis {spent['analysis']:.1f} s (forecasts, one backtest and one "
            f"battery per series) + building {story:.1f} s of figures "
            f"and paragraphs + {spent['render']:.1f} s drawing and typesetting; the rest is importing")


# --------------------------------------------------------------------------- scale


def scale_benchmarks(rows, runs, tmp, quick):
    from drillcast.data.simulate import write_synthetic

    sizes = {"small": 100, "large": 1000} if not quick else {"small": 10, "large": 100}
    res = {}
    for label, n_series in sizes.items():
        path = write_synthetic(Path(tmp) / label, n_series=n_series, first_year=1896, last_year=2020, seed=0)
        n_events = sum(1 for _ in open(path, encoding="utf-8")) - 1
        cut = ",".join(f"{y}-01-01" for y in range(2006, 2021))
        steps = {
            "validate": drillcast("data", "validate", str(path)),
            "forecast --series all": drillcast("--catalogue", str(path), "forecast", "--series", "all",
                                               "--as-of", "2021-01-01", "--format", "json"),
            "backtest all series, 15 cutoffs": drillcast("--catalogue", str(path), "backtest", "--series", "all",
                                                         "--cutoffs", cut, "--models",
                                                         "ensemble,uniform,climatology,strict-rotation",
                                                         "--format", "json"),
        }
        res[label] = {"events": n_events}
        for name, cmd in steps.items():
            t, rss = timed(cmd, 1 if name.startswith("backtest") else max(1, runs // 2))
            res[label][name] = (t, rss)
            print(f"       {label:5s} {n_events:7d} events  {name:34s} {t:8.2f} s  peak {rss:6.0f} MiB", flush=True)
    big, small = res["large"], res["small"]
    limits = {"validate": 5, "forecast --series all": 30, "backtest all series, 15 cutoffs": 120}
    for name, limit in limits.items():
        t, rss = big[name]
        target_note = "" if not quick else " (quick run: 10x smaller than the target's catalogue)"
        row(rows, f"{name} ({big['events']:,} events, {len(sizes) and sizes['large']} series)", t, "s",
            f"<= {limit}", t <= limit, target_note)
        ratio = t / small[name][0]
        ev_ratio = big["events"] / small["events"]
        row(rows, f"  ... time ratio for {ev_ratio:.1f}x the events", ratio, "x", "<= 12", ratio <= 12)
    peak = max(v[1] for d in res.values() for k, v in d.items() if k != "events")
    row(rows, "peak memory of any scale run", peak / 1024, "GiB", "<= 2", peak <= 2048)


README = Path(__file__).resolve().parents[1] / "README.md"
START, END = "<!-- benchmarks: start (python benchmarks/run.py --readme) -->", "<!-- benchmarks: end -->"


def readme_block(doc: dict) -> str:
    """The README's performance table, from a results document (``results/latest.json``)."""
    m = doc["machine"]
    lines = [START,
             f"Measured on {m['date']} on {m['platform']} ({m['cpus']} CPUs), Python {m['python']}, numpy "
             f"{m['numpy']}, drillcast {m['drillcast']}; medians of {doc['runs']} runs"
             + (" (quick run)" if doc.get("quick") else "") + ":",
             "",
             "| benchmark | measured | target | met |",
             "|---|---|---|---|"]
    for r in doc["results"]:
        note = f" {r['note']}" if r.get("note") else ""
        lines.append(f"| {r['benchmark'].strip()} | {r['value']:g} {r['unit']}{note} | {r['target']} | "
                     f"{'yes' if r['met'] else '**missed**'} |")
    lines.append(END)
    return "\n".join(lines)


def update_readme(doc: dict, path: Path = README) -> None:
    text = path.read_text(encoding="utf-8")
    i, j = text.index(START), text.index(END) + len(END)
    tmp = path.with_suffix(".md.tmp")
    tmp.write_text(text[:i] + readme_block(doc) + text[j:], encoding="utf-8")
    os.replace(tmp, path)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--runs", type=int, default=None)
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "latest.json"))
    ap.add_argument("--readme", action="store_true", help="only rewrite the README's table from --out")
    args = ap.parse_args(argv)
    if args.readme:
        update_readme(json.loads(Path(args.out).read_text()))
        print(f"updated {README} from {args.out}")
        return
    runs = args.runs or (3 if args.quick else 7)
    import numpy

    import drillcast

    machine = {"platform": platform.platform(), "machine": platform.machine(), "cpus": os.cpu_count(),
               "python": platform.python_version(), "numpy": numpy.__version__,
               "drillcast": drillcast.__version__, "date": dt.date.today().isoformat()}
    print(f"drillcast benchmarks on {machine['platform']} ({machine['cpus']} CPUs), Python {machine['python']}; "
          f"medians of {runs} runs")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        print("\ncommands")
        command_benchmarks(rows, runs, tmp)
        print("\nMonte Carlo")
        mc_benchmarks(rows, runs)
        print("\nscale")
        scale_benchmarks(rows, runs, tmp, args.quick)
    missed = [r for r in rows if not r["met"]]
    print(f"\n{len(rows) - len(missed)} of {len(rows)} targets met" + (":" if missed else "."))
    for r in missed:
        print(f"  missed: {r['benchmark']}: {r['value']} {r['unit']} (target {r['target']}) {r['note']}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp_out = out.with_suffix(".tmp")
    tmp_out.write_text(json.dumps({"machine": machine, "runs": runs, "quick": args.quick, "results": rows},
                                  indent=2) + "\n")
    os.replace(tmp_out, out)
    print(f"wrote {out}")
    if Path(args.out).resolve() == (Path(__file__).parent / "results" / "latest.json").resolve():
        update_readme(json.loads(out.read_text()))
        print(f"updated the performance table in {README}")


if __name__ == "__main__":
    main()
