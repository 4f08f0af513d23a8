"""The PDF report: its text says what the run computed, its bytes repeat, catalogue text stays literal."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest

pypdf = pytest.importorskip("pypdf")

from drillcast.data.catalogue import load_catalogue  # noqa: E402
from drillcast.cli import main  # noqa: E402
from drillcast.forecasting import Forecaster  # noqa: E402
from drillcast.errors import OutputError  # noqa: E402
from drillcast.present.report import (  # noqa: E402
    SECTION_TITLES,
    build_report,
    format_p,
    icd203_phrase,
    icd203_term,
    judgment_sentences,
    write_report,
)

from .conftest import REC_SERIES, ROT_SERIES, cycle_events, write_catalogue  # noqa: E402

AS_OF = dt.date(2025, 6, 1)
NASTY = "Zapad <b>bold</b> & <a href='x'>co</a>\x07 \u2013 \u0417\u0430\u043f\u0430\u0434"


def _events():
    ev = cycle_events(2004, 2024)
    ev[3]["name"] = NASTY
    ev[5]["sources"] = "https://example.org/a?x=1&y=<2>"
    ev.append({"id": "R-2025", "series": "rot", "direction": "b", "start_date": "2025-09",
               "status": "announced", "first_reported": "2025-01-10"})
    ev += [{"id": f"P-{y}-{k}", "series": "rec", "start_date": f"{y}-{3 + 5 * k:02d}-1{k}",
            "participants": "RUS;CHN" if (y + k) % 3 else "RUS"}
           for y in range(2012, 2025) for k in range(2) if (y + k) % 4]
    return ev


@pytest.fixture(scope="module")
def cat(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiny")
    return load_catalogue(write_catalogue(folder, _events(), [ROT_SERIES, REC_SERIES]))


@pytest.fixture(scope="module")
def pdf(cat):
    return build_report(cat, ["rot", "rec"], AS_OF, horizon=2, seed=0, command_line="drillcast report --test")


@pytest.fixture(scope="module")
def reader(pdf):
    return pypdf.PdfReader(io.BytesIO(pdf))


@pytest.fixture(scope="module")
def text(reader):
    return " ".join(" ".join(p.extract_text() for p in reader.pages).split())


def _flat(s):
    return " ".join(s.split())


# --------------------------------------------------------------------------- ICD 203


@pytest.mark.parametrize("p,term", [
    (0.0, "almost no chance"), (0.004, "almost no chance"), (0.044, "almost no chance"),
    (0.05, "very unlikely"), (0.0451, "very unlikely"), (0.194, "very unlikely"),
    (0.2, "unlikely"), (0.444, "unlikely"),
    (0.45, "roughly even chance"), (0.5, "roughly even chance"), (0.55, "roughly even chance"),
    (0.5549, "roughly even chance"), (0.556, "likely"), (0.8, "likely"),
    (0.804, "likely"), (0.806, "very likely"), (0.95, "very likely"),
    (0.956, "almost certain"), (0.996, "almost certain"), (1.0, "almost certain"),
])
def test_icd203_boundaries(p, term):
    assert icd203_term(p) == term


def test_icd203_words_and_number_agree_and_mirror():
    for k in range(101):
        p = k / 100
        mirror = {"almost no chance": "almost certain", "very unlikely": "very likely", "unlikely": "likely",
                  "roughly even chance": "roughly even chance"}
        mirror.update({v: k2 for k2, v in mirror.items()})
        assert icd203_term(1 - p) == mirror[icd203_term(p)], p
    assert icd203_phrase(0.62) == "likely (62 %)"
    assert icd203_phrase(0.003) == "almost no chance (<1 %)" and icd203_phrase(0.997) == "almost certain (>99 %)"
    # the number printed decides the words: 54.9 % prints 55 % and reads 'roughly even chance'
    assert icd203_phrase(0.5549) == "roughly even chance (55 %)"


@pytest.mark.parametrize("bad", [-0.01, 1.01, float("nan"), "high", None])
def test_icd203_rejects_non_probabilities(bad):
    with pytest.raises(ValueError, match="not a probability"):
        icd203_term(bad)


def test_format_p_is_the_one_p_value_format():
    from drillcast.hypotheses.wording import _fmt_p

    values = (None, 0.00005, 0.0004, 0.001, 0.0123, 1.0)
    assert [format_p(x) for x in values] == ["\u2013", "<0.0001", "0.0004", "0.001", "0.012", "1"]
    # the readings say the same numbers in words
    assert [_fmt_p(x) for x in values[1:3]] == ["p < 0.0001", "p = 0.0004"]


# --------------------------------------------------------------------------- contents


def test_sections_headings_and_outline(text, reader):
    for title in SECTION_TITLES.values():
        assert title in text
    outline = []

    def walk(items):
        for it in items:
            if isinstance(it, list):
                walk(it)
            else:
                outline.append(it.title)

    walk(reader.outline)
    for title in ("Key judgments", "Methods", "Limitations", "Data appendix", "Reproducibility", "History",
                  SECTION_TITLES["forecast"], "Track record", "Hypothesis tests", "Outlook", "To verify",
                  "How to read this report"):
        assert title in outline
    assert "Rotating test series" in outline and "Recurring test series" in outline
    assert re.search(r"Page \d+", text)


def test_numbers_of_the_run_are_in_the_text(cat, text):
    assert AS_OF.isoformat() in text
    assert cat.sha256 in text.replace(" ", "")
    assert "drillcast report --test" in text
    fc = Forecaster("default").fit(cat.as_of(AS_OF), "rot").forecast(horizon=2, seed=0)
    sentences = judgment_sentences(fc, cat.series["rot"])
    assert len(sentences) == 2
    for s in sentences:
        assert _flat(s).replace(" %", "\u00a0%") in text or _flat(s) in text
    y = fc.years[1]
    top = max(y.outcomes, key=y.outcomes.get)
    assert icd203_phrase(y.outcomes[top]) in text
    # the announcement of R-2025 is quoted as the basis of the 2025 forecast
    assert "announced" in sentences[0]


def test_p_values_of_the_battery_are_in_the_text(cat, text):
    from drillcast.data.history import series_history
    from drillcast.hypotheses import run_battery

    res = run_battery(series_history(cat.as_of(AS_OF), "rot"), alpha=0.05, correction="holm", seed=0)
    with_p = [r for r in res if r.p_value is not None]
    assert with_p
    for r in with_p:
        assert f"{format_p(r.p_value)} {format_p(r.p_adjusted)}" in text
        assert _flat(r.reading)[:60] in text


def test_catalogue_text_is_literal_and_links_work(text, reader):
    # markup in a name is shown, not applied; the control character is made visible
    assert "Zapad <b>bold</b> & <a href='x'>co</a>\\x07" in text
    assert "\u0417\u0430\u043f\u0430\u0434" in text  # non-ASCII in the embedded font
    uris = {a.get_object()["/A"]["/URI"] for p in reader.pages for a in p.get("/Annots", []) or []
            if "/A" in a.get_object()}
    assert "https://example.org/source" in uris
    assert "https://example.org/a?x=1&y=<2>" in uris


def test_metadata_and_dates(pdf, reader, cat):
    meta = reader.metadata
    assert meta.title == f"drillcast report as of {AS_OF}"
    assert meta.author.startswith("drillcast ")
    assert "rot" in meta.subject and "ICD 203" in meta["/Keywords"]
    assert meta["/CreationDate"].startswith("D:20250601000000")
    fonts = {f for p in reader.pages for f in (p["/Resources"].get("/Font") or {}).values()
             for f in [f.get_object()["/BaseFont"]]}
    assert any("DejaVuSans" in f for f in fonts)


def test_byte_identical_and_source_date_epoch(cat, pdf, monkeypatch):
    again = build_report(cat, ["rot", "rec"], AS_OF, horizon=2, seed=0, command_line="drillcast report --test")
    assert again == pdf
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14 22:13:20 UTC
    small = build_report(cat, ["rec"], AS_OF, sections=["judgments"])
    assert pypdf.PdfReader(io.BytesIO(small)).metadata["/CreationDate"].startswith("D:20231114221320")


def test_sections_are_selectable(cat):
    pdf = build_report(cat, ["rec"], AS_OF, sections=["judgments", "reproducibility"])
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "Key judgments" in text and "Reproducibility" in text
    assert "Data appendix" not in text and "Track record" not in text
    from drillcast.errors import OptionError

    with pytest.raises(OptionError, match="did you mean 'appendix'"):
        build_report(cat, ["rec"], AS_OF, sections=["apendix"])
    with pytest.raises(OptionError, match="unknown series"):
        build_report(cat, ["nope"], AS_OF)


# --------------------------------------------------------------------------- writing


def test_write_report_is_atomic(tmp_path, monkeypatch):
    import drillcast._io as io_mod

    out = tmp_path / "r.pdf"
    out.write_bytes(b"old")

    def broken(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(io_mod.os, "replace", broken)
    with pytest.raises(OutputError, match="No space left on device.*nothing was written"):
        write_report(out, b"%PDF-new")
    assert out.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["r.pdf"]
    monkeypatch.undo()
    write_report(out, b"%PDF-new")
    assert out.read_bytes() == b"%PDF-new" and [p.name for p in tmp_path.iterdir()] == ["r.pdf"]


def test_report_command(cat, tmp_path, monkeypatch, capsys):
    import drillcast._io as io_mod

    argv = ["--catalogue", cat.path, "report", "--series", "rot", "--as-of", str(AS_OF), "--horizon", "1"]
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 0  # default path, reports/ created
    out = tmp_path / "reports" / f"drillcast-{AS_OF}.pdf"
    assert out.read_bytes().startswith(b"%PDF-") and f"wrote {out.relative_to(tmp_path)}" in capsys.readouterr().err
    assert main([*argv, "-o", "r.txt"]) == 2
    assert "use .pdf" in capsys.readouterr().err

    def interrupt(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(io_mod.os, "fsync", interrupt)
    assert main([*argv, "-o", "x.pdf"]) == 130
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports"]
    assert [p.name for p in (tmp_path / "reports").iterdir()] == [out.name]


def test_cover_flags_a_stale_catalogue(tmp_path):
    """The cover gives the catalogue's latest report and flags it when it is far older than the as-of date."""
    import datetime as dt
    import io

    from pypdf import PdfReader

    from drillcast.data.catalogue import load_catalogue
    from drillcast.present.report import build_report

    cat = load_catalogue()
    latest = cat.latest_report()
    late = latest + dt.timedelta(days=200)
    text = " ".join(PdfReader(io.BytesIO(build_report(cat, ["union-shield"], late, sections=["judgments"])))
                    .pages[0].extract_text().split())
    assert latest.isoformat() in text and "200 days before the as-of date" in text


# --------------------------------------------------------------------------- the bottom line


@pytest.fixture(scope="module")
def bundled_front():
    """Page 1 and the forecast pages of the bundled catalogue late in 2026 (no backtests: quick)."""
    cat = load_catalogue()
    as_of = dt.date(2026, 11, 30)
    pdf = build_report(cat, ["joint-air-patrol", "russia-strategic", "union-shield"], as_of,
                       sections=["judgments", "forecast"])
    pages = [" ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]
    return cat, as_of, pages


def test_page_one_is_the_outlook(bundled_front):
    _, as_of, pages = bundled_front
    first = pages[0]
    for part in ("Key judgments", "What comes next", "Most likely", "Largest uncertainty", "Outlook",
                 "To verify", "confidence"):
        assert part in first
    # Tsentr-2026 was due while Russia's series was not checked: to verify, never an expectation
    verify = first[first.index("To verify"):]
    assert "Tsentr-2026 (announced, " in verify
    assert "2026" not in first[first.index("Outlook"):first.index("To verify")].replace("2026-", "")


def test_held_events_are_facts_with_their_source(bundled_front):
    cat, as_of, pages = bundled_front
    snap = cat.as_of(as_of)
    held = [e for e in snap.events("joint-air-patrol") if e["status"] == "held" and e["start"].year == 2026]
    assert held and held[0]["confidence"] == "low"
    text = " ".join(pages)
    line = re.search(r"2026: (reported held by low-confidence sources only .*?confidence\))", text).group(1)
    assert held[0]["name"] in line and "low confidence" in line
    assert "%" not in line and not any(t in line for t in ("likely", "certain"))


def test_a_coverage_gap_lowers_confidence_and_is_said(bundled_front):
    """Russia's series was last checked in February: the gap is stated and confidence is not high."""
    cat, as_of, pages = bundled_front
    ct = cat.as_of(as_of).checked_through("russia-strategic")
    assert (as_of - ct).days > 90
    first = pages[0]
    table = first[first.index("confidence: why; skill"):]
    row = table[table.index("Russian annual strategic"):][:300]
    assert f"{(as_of - ct).days}-day gap" in row and "high:" not in row


def _fake(folds, n_years=12, confidence_levels=("high",) * 10, model="ensemble", p_value=None):
    from types import SimpleNamespace

    from drillcast.present.report.results import SeriesResults

    events = [{"status": "held", "confidence": c, "primary": True} for c in confidence_levels]
    snapshot = SimpleNamespace(checked_through=lambda sid: dt.date(2025, 12, 1))
    return SeriesResults("s", SimpleNamespace(multi_event=False), SimpleNamespace(n_years=n_years),
                         SimpleNamespace(ok=True, model=model), events, snapshot,
                         SimpleNamespace(folds=folds, summary=[{"series": "s", "model": model, "vs_baselines": {
                             "uniform": {"p_value": p_value}}}]), None, "")


def _folds(mine, uniform):
    out = []
    for i, (a, b) in enumerate(zip(mine, uniform)):
        out.append({"series": "s", "lead_years": 0, "model": "ensemble", "year": 2010 + i, "scores": {"log_score": a}})
        out.append({"series": "s", "lead_years": 0, "model": "uniform", "year": 2010 + i, "scores": {"log_score": b}})
    return out


def test_skill_in_words_and_confidence():
    from drillcast.present.report.facts import confidence, skill_cell, skill_phrase

    good = _fake(_folds([-0.1, -0.2, -1.5, -0.1], [-1.0] * 4), p_value=0.125)
    assert "better than a uniform guess in 3 of 4" in skill_phrase(good)
    assert "-0.47 against -1.00" in skill_phrase(good)  # (-0.1 - 0.2 - 1.5 - 0.1) / 4 = -0.475
    # every "k of n" carries its p-value, and says when it is not significant
    assert "p = 0.12, not significant" in skill_phrase(good) and "p = 0.12, not significant" in skill_cell(good)
    sig = _fake(_folds([-0.1] * 8, [-1.0] * 8), p_value=0.0078)
    assert "p = 0.0078)" in skill_phrase(sig) and "not significant" not in skill_phrase(sig)
    assert confidence(good, dt.date(2026, 1, 1)) == ("high", ["12 years, skill in 3 of 4"])
    bad = _fake(_folds([-0.8, -0.7], [-0.69, -0.69]), n_years=6, confidence_levels=("low", "low", "high"))
    assert skill_phrase(bad).startswith("No skill") and "base rate" in skill_phrase(bad)
    assert skill_cell(bad) == "no skill: base rate"
    level, why = confidence(bad, dt.date(2026, 6, 1))  # 6 years, no skill, 33 % high, 182-day gap
    assert level == "low" and len(why) == 4


def test_annex_can_be_left_out(cat):
    pdf = build_report(cat, ["rec"], AS_OF, annex=False)
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "Track record" in text and "Hypothesis tests" not in text and "Data appendix" not in text


def test_what_changed_since_a_previous_forecast(cat, tmp_path):
    import json

    prev = {"as_of": "2024-06-01", "seed": 0, "forecasts": [
        {"series": "rot", "status": "ok", "years": [{"year": 2025, "p_held": 0.9,
                                                     "outcomes": {"a": 0.0, "b": 0.9, "c": 0.0, "d": 0.0,
                                                                  "other": 0.0, "none": 0.1}}]}]}
    path = tmp_path / "prev.json"
    path.write_text(json.dumps(prev))
    pdf = build_report(cat, ["rot"], AS_OF, sections=["judgments"], since=str(path))
    text = " ".join(" ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages).split())
    assert "What changed" in text and "R-2025 (announced, reported 2025-01-10)" in text
    from drillcast.errors import ParameterError

    path.write_text("{}")
    with pytest.raises(ParameterError, match="not a forecast JSON"):
        build_report(cat, ["rot"], AS_OF, since=str(path))


def test_live_record_from_a_ledger(cat, tmp_path):
    from drillcast import analysis
    from drillcast.ledger import Ledger

    path = tmp_path / "ledger.jsonl"
    fs = analysis.forecast(cat, ["rot"], as_of=dt.date(2023, 6, 1), horizon=1, track_record=False)
    Ledger(path, archive=False).record(list(fs.forecasts), cat)
    pdf = build_report(cat, ["rot"], AS_OF, sections=["judgments"], ledger=path)
    text = " ".join(" ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages).split())
    assert "Live record" in text and "1 in the ledger, 1 resolved" in text


def test_batteries_in_a_second_process_give_the_same_bytes(bundled, monkeypatch):
    """The hypothesis batteries may run in a spawned process beside the main body: same PDF either way."""
    import datetime as _dt

    from drillcast.present.report import build_report

    args = (bundled, ["russia-strategic", "joint-sea"], _dt.date(2026, 1, 1))
    kw = dict(sections=["judgments", "hypotheses"])
    monkeypatch.setenv("DRILLCAST_REPORT_PROCESSES", "1")
    one = build_report(*args, **kw)
    monkeypatch.setenv("DRILLCAST_REPORT_PROCESSES", "2")
    two = build_report(*args, **kw)
    assert one == two and one[:5] == b"%PDF-"
