"""Every figure the README and the codebook state comes from code (issue 23).

The README's console blocks are run by the root conftest (their output must match). These tests
check the other side: that the prose around a block quotes the numbers the block shows, that the
documented limits and defaults are the constants the code uses (and that the code enforces them),
and that the codebook's counts are those of the bundled CSV files.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re

import pytest

from .conftest import REC_SERIES, REPO, write_catalogue

README = (REPO / "README.md").read_text(encoding="utf-8")
CODEBOOK = (REPO / "data" / "README.md").read_text(encoding="utf-8")
WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
         "ten": 10, "eleven": 11, "twelve": 12}


def _flat(text: str) -> str:
    return " ".join(text.split())


def _section(title: str, doc: str = README) -> str:
    start = doc.index(f"\n## {title}\n")
    end = doc.find("\n## ", start + 1)
    return doc[start:end if end >= 0 else None]


def _prose(section: str) -> str:
    """A section without its fenced blocks, whitespace flattened."""
    return _flat(re.sub(r"```.*?```", " ", section, flags=re.S))


def _outputs(section: str) -> dict[str, str]:
    """Shown output of each command of the section's console blocks (continuation lines joined)."""
    out = {}
    for block in re.findall(r"```console\n(.*?)```", section, flags=re.S):
        cmd = None
        for line in block.replace("\\\n", " ").splitlines():
            if line.startswith("$ "):
                cmd = _flat(line[2:])
                out[cmd] = ""
            elif cmd is not None:
                out[cmd] += line + "\n"
    return out


def _output(section: str, command_start: str) -> str:
    outputs = _outputs(section)
    if command_start in outputs:
        return outputs[command_start]
    hits = [o for c, o in outputs.items() if c.startswith(command_start)]
    assert len(hits) == 1, f"one console command starting {command_start!r} expected in the section"
    return hits[0]


def _pct(log_score: str) -> int:
    return round(100 * math.exp(float(log_score)))


# --------------------------------------------------------------------------- prose quotes its block


def test_what_it_does_years_are_those_of_data_series():
    sec = _section("What it does")
    table = _output(sec, "drillcast data series")
    first = {m[0]: int(m[1]) for m in re.findall(r"^(\S+) +\w+ +\d+ +\d+ +\d+ +(\d{4})", table, flags=re.M)}
    prose = _prose(sec)
    assert f"strategic command-staff exercise since {first['russia-strategic']}" in prose
    china_russia = [s for s in first if s not in ("russia-strategic", "union-shield")]
    assert f"China-Russia joint exercises since {min(first[s] for s in china_russia)}" in prose
    assert re.search(r"valid: \d+ events in \d+ series", _output(sec, "drillcast data validate"))


def test_forecasts_prose_quotes_the_forecast_shown():
    sec = _section("Forecasts")
    prose = _prose(sec)
    shown = _output(sec, "drillcast forecast --series russia-strategic,joint-air-patrol")
    head = re.search(r"(\d+) held primary events in (\d+) years of history", shown)
    record = re.search(r"mean log score (-\d\.\d\d) over (\d+) yearly forecasts \((\d{4})-(\d{4})\); "
                       r"uniform (-\d\.\d\d)", shown)
    assert head and record, "the russia-strategic header and track record line"
    score, n, y0, y1, uniform = record.groups()
    assert (int(y1) - int(y0) + 1) == int(n)
    assert (f"a mean log score of {score} means the model gave what happened a probability of about "
            f"exp({score}) = {_pct(score)} %") in prose
    assert f"guessing uniformly over the six outcomes gives exp({uniform}) = {_pct(uniform)} %" in prose
    assert float(uniform) == round(math.log(1 / 6), 2)
    assert f"The catalogue has {head[2]} years of this series" in prose and f"from {head[2]} observations" in prose

    columns = shown.splitlines()[2].split()
    row = next(line.split() for line in shown.splitlines() if line.strip().startswith("2027 "))
    cell = dict(zip(columns, [row[0]] + row[1::2]))  # after the year, "63 %": a value, then its % sign
    assert f"For 2027 the default model gives Kavkaz {cell['kavkaz']} %" in prose
    assert f"{cell['none']} % goes to no strategic exercise at all" in prose

    # the announcements behind the track record: the one-liner covers the record's years
    announced = _output(sec, "python -c")
    assert f"range({y0}, {int(y1) + 1})" in next(c for c in _outputs(sec) if c.startswith("python -c"))
    k, total, quiet = re.fullmatch(r"announced before 1 January in (\d+) of (\d+) years; not in \[(.*)\]\n",
                                   announced).groups()
    assert int(total) == int(n) and int(k) + len(quiet.split(",")) == int(total)
    assert f"in all but {[w for w, v in WORDS.items() if v == int(total) - int(k)][0]} of those years" in prose

    tests = _output(_section("Hypothesis tests: `drillcast test`"), "drillcast test all --series russia-strategic")
    took = re.search(r"CHN took part in (\d+) of (\d+) held years", tests)
    assert took and f"China took part in {took[1]} of the {took[2]} held years" in prose


def test_evaluation_prose_quotes_the_backtest_shown():
    sec = _section("Evaluation: `drillcast backtest`")
    prose = _prose(sec)
    table = _output(sec, "drillcast backtest --series russia-strategic --as-of 2026-01-01")
    folds = re.search(r"(\d+) scored forecast-years per model", table)[1]
    under = re.search(r"differences under ~(\S+) are rarely significant", table)[1]
    assert f"With {folds} folds, differences under about {under} are rarely significant" in prose
    announced = _output(_section("Forecasts"), "python -c")
    k, total = re.search(r"in (\d+) of (\d+) years", announced).groups()
    assert total == folds and f"since {k} of those {folds} years had their exercise announced" in prose
    reading = _output(sec, "drillcast backtest --series russia-strategic --as-of 2026-01-01 --models")
    differing = re.search(r"with (\d+) differing pairs p cannot go below (\S+)\n", reading)
    assert int(differing[1]) == int(folds) - int(k)
    assert (f"differ only in the {[w for w, v in WORDS.items() if v == int(differing[1])][0]} years without one"
            in prose)
    assert f"can reach p < {differing[2]}" in prose


def test_hypothesis_press_table_quotes_the_rotation_test_shown():
    sec = _section("Hypothesis tests: `drillcast test`")
    shown = _output(sec, "drillcast test rotation --series china-russia-interaction")
    m = re.search(r"with (\d+) years the test cannot yet tell \(power (\S+)\): about (\d+) more years", shown)
    assert m and f"({m[1]} years: power {m[2]}, about {m[3]} more years for 80 %, as shown above)" in sec


# --------------------------------------------------------------------------- documented constants


def test_readme_limits_are_the_constants_enforced():
    from drillcast._io import MAX_BYTES
    from drillcast._params import HORIZON_MAX
    from drillcast.data import fields
    from drillcast.data.dates import MAX_YEAR, MIN_YEAR
    from drillcast.hypotheses.rotation import SEARCH_MAX_DIRECTIONS

    from .test_corpus import MEMORY_LIMIT

    prose = _prose(_section("Errors and exit codes"))
    assert (f"files up to {MAX_BYTES // 2**20} MiB and {fields.MAX_ROWS:,} rows, fields up to "
            f"{fields.MAX_FIELD:,} characters; at most {fields.MAX_DIRECTIONS} directions per rotating series, "
            f"{fields.MAX_SERIES:,} series, {fields.MAX_EVENTS_PER_SERIES:,} events per series") in prose
    assert f"`--horizon` 1-{HORIZON_MAX}" in prose
    assert f"dates and `--as-of` in the years {MIN_YEAR}-{MAX_YEAR}" in prose
    assert f"Validation lists at most {fields.MAX_PROBLEMS} errors and {fields.MAX_PROBLEMS} warnings" in prose
    assert f"every cyclic order for up to {SEARCH_MAX_DIRECTIONS} directions" in prose
    assert f"limited to {MEMORY_LIMIT // 2**30} GiB of address space" in prose
    book = _flat(CODEBOOK)
    assert (f"at most {MAX_BYTES // 2**20} MiB, {fields.MAX_ROWS:,} rows, {fields.MAX_FIELD:,} characters "
            "per field") in book
    assert (f"at most {fields.MAX_DIRECTIONS} `directions` per rotating series, {fields.MAX_SERIES:,} series, "
            f"{fields.MAX_EVENTS_PER_SERIES:,} events per series") in book
    assert f"Forecasts cover 1-{HORIZON_MAX} years" in book
    assert f"Dates lie in the years {MIN_YEAR}-{MAX_YEAR}" in book
    assert f"lie in {MIN_YEAR}-01-01..{MAX_YEAR}-12-31" in book
    assert f"Validation lists at most {fields.MAX_PROBLEMS} errors and {fields.MAX_PROBLEMS} warnings" in book


def test_readme_defaults_are_the_constants_used():
    from drillcast.evaluation.backtest import _LEVELS, MAX_DEFAULT_FOLDS, MIN_BACKTEST_YEARS
    from drillcast.evaluation.comparison import _EXACT_MAX_PAIRS
    from drillcast.evaluation.scoring import LOG_FLOOR
    from drillcast.forecasting import MIN_EVENTS, MIN_YEARS, START_NULL_BELOW
    from drillcast.models.base import POOL

    ev = _prose(_section("Evaluation: `drillcast backtest`"))
    assert (f"1 January of each of the last {MAX_DEFAULT_FOLDS} years, once a series has {MIN_BACKTEST_YEARS} "
            "years of history") in ev
    assert f"a floor of {LOG_FLOOR:.0e}".replace("e-0", "e-") in ev
    assert f"exact enumeration up to {_EXACT_MAX_PAIRS} differing folds" in ev
    assert f"coverage of the {'/'.join(f'{100 * q:.0f}' for q in _LEVELS)} % start intervals" in ev
    fc = _prose(_section("Forecasts"))
    assert f"(held below {100 * START_NULL_BELOW:.0f} %)" in fc
    assert f"fewer than {MIN_EVENTS} events over {MIN_YEARS} years" in fc
    assert f"a pool of {POOL:,} parameter draws" in fc
    assert f"fewer than {MIN_EVENTS} events over {MIN_YEARS} years" in _prose(_section("Bring your own data"))


def test_validation_refuses_more_series_than_the_limit(tmp_path):
    from drillcast.data.catalogue import validate_file
    from drillcast.data.fields import MAX_SERIES

    series = [{**REC_SERIES, "id": f"s{i}"} for i in range(MAX_SERIES + 1)]
    path = write_catalogue(tmp_path, [{"id": "E1", "series": "s0", "start_date": "2021-09-01"}], series)
    errors = [str(p) for p in validate_file(path) if p.severity == "error"]
    assert any(f"more than {MAX_SERIES:,} series" in e for e in errors), errors
    ok = write_catalogue(tmp_path / "ok", [{"id": "E1", "series": "s0", "start_date": "2021-09-01"}],
                         series[:MAX_SERIES])
    assert [str(p) for p in validate_file(ok) if p.severity == "error"] == []


def test_validation_refuses_more_events_per_series_than_the_limit(tmp_path):
    from drillcast.data.catalogue import validate_file
    from drillcast.data.fields import MAX_EVENTS_PER_SERIES

    def events(n):
        return [{"id": f"E{i}", "series": "rec", "start_date": f"{1801 + i % 399}"} for i in range(n)]

    over = validate_file(write_catalogue(tmp_path / "over", events(MAX_EVENTS_PER_SERIES + 1), [REC_SERIES]))
    assert [p.column for p in over if p.severity == "error"] == ["series"]
    assert f"at most {MAX_EVENTS_PER_SERIES:,} events in one series" in str(over[0])
    at = validate_file(write_catalogue(tmp_path / "at", events(MAX_EVENTS_PER_SERIES), [REC_SERIES]))
    assert [str(p) for p in at if p.severity == "error"] == []


def test_paired_test_is_exact_up_to_the_documented_number_of_differing_pairs():
    from drillcast.evaluation.comparison import _EXACT_MAX_PAIRS, paired_test

    for m, method in ((_EXACT_MAX_PAIRS, "exact sign-flip permutation"),
                      (_EXACT_MAX_PAIRS + 1, "Monte Carlo sign-flip permutation")):
        a = [1.0 + 0.1 * i for i in range(m)] + [0.0] * 5  # 5 tied pairs do not count
        res = paired_test(a, [0.0] * (m + 5), draws=2_000)
        assert res.method == method and res.n_ties == 5


def test_start_is_null_exactly_when_held_is_below_the_documented_threshold(tmp_path):
    from drillcast import Forecaster, load_catalogue
    from drillcast.forecasting import START_NULL_BELOW

    path = write_catalogue(tmp_path, [{"id": f"E{y}", "series": "rec", "start_date": f"{y}-09-15"}
                                      for y in range(2001, 2021)], [REC_SERIES])
    years = Forecaster("calendar").fit(load_catalogue(path).as_of(dt.date(2021, 12, 29)), "rec") \
        .forecast(horizon=2, seed=0).to_dict()["years"]
    assert [y["p_held"] < START_NULL_BELOW for y in years] == [True, False]  # late in 2021: almost no chance
    assert [y["start"] is None for y in years] == [True, False]


@pytest.mark.parametrize("years, status", [((2019, 2020), "insufficient_data"), ((2018, 2020), "ok")])
def test_insufficient_data_below_the_documented_events_and_years(tmp_path, years, status):
    from drillcast import Forecaster, load_catalogue

    path = write_catalogue(tmp_path, [{"id": f"E{y}", "series": "rec", "start_date": f"{y}-09-15"}
                                      for y in years], [REC_SERIES])
    fc = Forecaster("calendar").fit(load_catalogue(path).as_of(dt.date(2021, 1, 1)), "rec").forecast(horizon=1)
    assert fc.status == status


def test_glossary_examples_are_right():
    from scipy import stats

    from drillcast.evaluation.calibration import binomial_ci
    from drillcast.present.glossary import TERMS

    text = dict(TERMS)
    m = re.search(r"mean log score of (-\d\.\d\d) means .* about exp\((-\d\.\d\d)\) = (\d+) %", text["log score"])
    assert m[1] == m[2] and int(m[3]) == _pct(m[1])
    k, n, lo, hi = map(int, re.search(r"`(\d+)/(\d+) \[(\d+)-(\d+) %\]`", text["coverage"]).groups())
    ref_lo = stats.beta.ppf(0.025, k, n - k + 1) if k else 0.0  # Clopper-Pearson, by the textbook formula
    ref_hi = stats.beta.ppf(0.975, k + 1, n - k) if k < n else 1.0
    assert (lo, hi) == (round(100 * ref_lo), round(100 * ref_hi))
    assert binomial_ci(k, n) == pytest.approx((ref_lo, ref_hi), abs=1e-9)


# --------------------------------------------------------------------------- the codebook's counts


def _rows():
    with open(REPO / "data" / "exercises.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _number(word: str) -> int:
    return int(word) if word.isdigit() else WORDS[word.lower()]


def test_codebook_row_counts_are_those_of_the_files():
    from collections import Counter

    rows = _rows()
    with open(REPO / "data" / "series.csv", encoding="utf-8", newline="") as fh:
        n_series = sum(1 for _ in csv.DictReader(fh))
    assert f"One row per exercise event ({len(rows)} rows)." in CODEBOOK
    assert f"One row per series ({n_series} rows)." in CODEBOOK
    table = CODEBOOK[CODEBOOK.index("Rows per series:"):CODEBOOK.index("## 1.")]
    listed = {m[0]: int(m[1]) for m in re.findall(r"^\| ([a-z0-9-]+) \| (\d+) \|$", table, flags=re.M)}
    per_series = Counter(r["series"] for r in rows)
    assert listed == dict(per_series)
    assert list(listed.values()) == sorted(listed.values(), reverse=True)


def test_codebook_counts_of_special_rows_are_those_of_the_data():
    from collections import Counter

    rows = _rows()
    book = _flat(CODEBOOK)
    still = re.search(r"There are (\w+) such rows \(§7\)", book)
    announced = [r["id"] for r in rows if r["status"] == "announced"]
    assert still and _number(still[1]) == len(announced), announced
    bullets = CODEBOOK[CODEBOOK.index("**Rows still `announced`:**"):CODEBOOK.index("**Overlapping events:**")]
    assert len(re.findall(r"^  - ", bullets, flags=re.M)) == len(announced)

    per_year = Counter((r["series"], r["start_date"][:4]) for r in rows)
    ru = {int(y): n for (s, y), n in per_year.items() if s == "russia-strategic"}
    for year in (2008, 2009):
        m = re.search(rf"{year} has (\w+) rows", book)
        assert m and _number(m[1]) == ru[year]
    span = re.search(r"Every other year from (\d{4}) to (\d{4}) has exactly one row", book)
    assert all(ru[y] == 1 for y in range(int(span[1]), int(span[2]) + 1)) and max(ru) == int(span[2])

    doubles = sorted((s, int(y), n) for (s, y), n in per_year.items() if n > 1 and s != "russia-strategic")
    sentence = book[book.index("**Two events of one series in one year:**"):]
    sentence = sentence[:sentence.index("- **")]
    stated = []
    for series, years in re.findall(r"([a-z-]+) ((?:\d{4}(?:, | and )?)+)", sentence):
        stated += [(series, int(y), 2) for y in re.findall(r"\d{4}", years)]
    assert sorted(stated) == doubles


def test_codebook_first_report_review_counts_are_those_of_the_notes():
    """§4 counts the rows whose first_reported the 2026-12-07 review changed; each such row's notes say
    `first_reported OLD -> NEW`, so the counts are recomputed from the notes and the current values."""
    moved, to_start, to_month = 0, 0, 0
    cn = 0
    china_russia = {"joint-sea", "china-russia-interaction", "joint-air-patrol", "joint-maritime-patrol",
                    "joint-submarine-patrol", "maritime-security-belt", "china-russia-anti-missile", "mosi"}
    for r in _rows():
        review = r["notes"].split("REVIEW d3 (2026-12-07):", 1)
        change = re.search(r"first_reported:? ([0-9-]+) -> \**([0-9-]+)\**( \(= start_date\))?", review[1]) \
            if len(review) > 1 else None
        if change is None:
            continue
        old, new, conservative = change.groups()  # "(= start_date)": the conservative rule, not a source
        assert new == r["first_reported"], r["id"]
        cn += r["series"] in china_russia
        if conservative:
            assert new == r["start_date"] and r["status"] == "held", r["id"]
            to_start += 1
        elif len(new) < len(old) and old.startswith(new):
            to_month += 1
        else:
            moved += 1
    book = _flat(CODEBOOK)
    m = re.search(r"(\d+|\w+) rows moved to an earlier sourced report, (\w+) with only a later report took their "
                  r"start date, and (\w+) took month precision", book)
    assert m and (_number(m[1]), _number(m[2]), _number(m[3])) == (moved, to_start, to_month)
    m = re.search(r"For the (\w+) China-Russia series every row's `first_reported` was re-searched in English, "
                  r"Russian and Chinese on 2026-12-07 and (\w+) rows changed", book)
    assert m and _number(m[1]) == len(china_russia) and _number(m[2]) == cn


def test_codebook_check_dates_are_those_of_series_csv():
    with open(REPO / "data" / "series.csv", encoding="utf-8", newline="") as fh:
        through = {r["id"]: r["checked_through"] for r in csv.DictReader(fh)}
    book = _flat(CODEBOOK)
    single = re.findall(r"\(([a-z0-9-]+) is checked through (\d{4}-\d{2}-\d{2})\)", book)
    group = re.findall(r"series \(([a-z0-9-, ]+)\) are checked through (\d{4}-\d{2}-\d{2})", book)
    stated = single + [(sid, date) for ids, date in group for sid in ids.split(", ")]
    assert len(stated) >= 9 and all(through[sid] == date for sid, date in stated), stated
