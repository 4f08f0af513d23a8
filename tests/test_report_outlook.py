"""The report, read as a reader would: page 1 is the next twelve months, nothing in the past or known only
later, facts with the source that reports them, skill with its p-value, and a layout without defects."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest

pypdf = pytest.importorskip("pypdf")

from drillcast.data.catalogue import load_catalogue  # noqa: E402
from drillcast.data.dates import parse_partial_date  # noqa: E402
from drillcast.present.report import build as build_mod  # noqa: E402
from drillcast.present.report import document as document_mod  # noqa: E402
from drillcast.present.report.build import build_report  # noqa: E402
from drillcast.present.report.evidence import (  # noqa: E402
    announcements,
    event_name,
    held_source,
    series_name,
    url_date,
)

TODAY = dt.date(2026, 12, 7)
MONTHS = {m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                                      "Dec"), 1)}


def _flat(s):
    return " ".join(s.split())


@pytest.fixture(scope="module")
def body():
    """The main body (no annex) of the bundled catalogue as of 2026-12-07, with every flowable drawn and every
    table laid out."""
    cat = load_catalogue()
    trace, tables = [], []
    render, table = build_mod.render, document_mod.Doc.table

    def traced(doc, meta):
        return render(doc, meta, trace=trace)

    def recorded(self, header, rows, widths, **kw):
        tables.append((header, rows, widths, kw, self.s))
        return table(self, header, rows, widths, **kw)

    mp = pytest.MonkeyPatch()
    mp.setattr(build_mod, "render", traced)
    mp.setattr(document_mod.Doc, "table", recorded)
    try:
        pdf = build_report(cat, cat.series_ids(), TODAY, annex=False)
    finally:
        mp.undo()
    pages = [_flat(p.extract_text()) for p in pypdf.PdfReader(io.BytesIO(pdf)).pages]
    return cat, pages, trace, tables


# --------------------------------------------------------------------------- page 1


def _dates(text, default_year):
    """Every date the text names: '12 Sep 2027', 'mid-Sep 2027', '22 Jan' (year from context)."""
    out = []
    for m in re.finditer(r"\b(\d{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)(?: (\d{4}))?", text):
        out.append((dt.date(int(m.group(3) or default_year), MONTHS[m.group(2)], int(m.group(1))), m.group(0)))
    for m in re.finditer(r"\b(early|mid|late)-(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4})", text):
        last = {"early": 10, "mid": 20, "late": 28}[m.group(1)]
        out.append((dt.date(int(m.group(3)), MONTHS[m.group(2)], last), m.group(0)))
    return out


def test_page_one_is_the_next_twelve_months_and_nothing_on_it_is_past(body):
    _, pages, trace, _ = body
    first = pages[0]
    assert "Russian and Chinese military exercises: the next 12 months" in first
    heads = [(page, text) for page, kind, text in trace if kind == "heading"]
    assert (1, "Key judgments") in heads and (1, "Outlook") in heads and (1, "To verify") in heads
    # between the key judgments and To verify, every date is on or after the as-of date (a year-less date in an
    # 80 % interval that starts in December is this year's, any other next year's)
    expect = first[first.index("Key judgments"):first.rindex("To verify")]
    expect = re.sub(r"\(\d+ Feb 2026\)", "", expect)  # the last-check date quoted in the largest uncertainty
    expect = expect[:expect.index("Largest uncertainty")] + expect[expect.index("Outlook"):]
    for day, where in _dates(expect, TODAY.year + 1):
        if day.year == TODAY.year + 1 and day.month == 12 and where[-4:] != "2027":
            day = day.replace(year=TODAY.year)
        assert day >= TODAY, where
    # what was due while the series were not checked is to verify, with the probability that it happened
    verify = first[first.rindex("To verify"):]
    # the announcement is a fact, with its source and the catalogue's confidence in it
    assert re.search(r"Tsentr-2026 \(announced, [a-z.]+, (high|medium|low) confidence\) most likely mid-Sep 2026 "
                     r"15 Feb 2026 almost certain \(\d+", verify), verify
    # who takes part given it is held: Belarus for Union Shield
    table = first[first.index("confidence: why; skill"):]
    assert "Belarus" in table[table.index("Union Shield"):][:200]


def test_no_skill_is_said_wherever_the_estimate_appears(body):
    _, pages, _, _ = body
    first = pages[0]
    table = first[first.index("confidence: why; skill"):]
    assert "no skill: base rate" in table[table.index("Joint Sea"):][:220]
    text = " ".join(pages)
    chapter = text[text.index("Joint Sea / Morskoye Vzaimodeystviye (Maritime Interaction) History"):]
    assert "No skill: these numbers are base rates" in chapter[:3000]


def test_every_skill_claim_carries_its_p_value(body):
    text = " ".join(body[1])
    claims = list(re.finditer(r"better than a uniform guess in \d+ of \d+", text))
    claims += list(re.finditer(r"skill \d+/\d+ years", text))
    assert len(claims) >= 8
    for m in claims:
        tail = text[m.end():m.end() + 140]
        assert re.search(r"p (= [0-9.]+|<0\.0001)", tail), tail
        p = re.search(r"p (?:= ([0-9.]+)|<0\.0001)", tail).group(1)
        if p is not None and float(p) >= 0.05:
            assert "not significant" in tail, tail


def test_indicators_come_from_the_catalogue(body):
    cat, pages, _, _ = body
    text = " ".join(pages)
    held = [e for e in cat.as_of(TODAY).events("joint-air-patrol") if e["status"] == "held"]
    a = announcements(held)
    assert a["ahead"] == 0 and a["n"] == len(held)  # never announced ahead: the first report is the event
    row = text[text.index("Indicators to watch"):]
    row = row[row.index("China-Russia joint aerial"):][:200]
    assert f"0 of {len(held)}" in row and "never announced ahead" in row
    assert "Key assumptions and what would change the estimate" in text
    assert f"announced in advance 0 of {len(held)} times" in text


def test_the_body_without_annex_never_mentions_it(body):
    assert "annex" not in " ".join(body[1]).lower()


def test_a_paragraph_is_printed_once(body):
    seen = {}
    for page, kind, text in body[2]:
        if kind == "Paragraph" and len(text) > 120:
            assert text not in seen, f"printed twice (pages {seen.get(text)} and {page}): {text[:100]}"
            seen[text] = page


def test_no_heading_is_left_alone_at_a_page_foot(body):
    trace = body[2]
    for i, (page, kind, text) in enumerate(trace[:-1]):
        if kind == "heading":
            nxt = trace[i + 1]
            assert nxt[0] == page, f"heading {text!r} ends page {page}"


def test_no_word_is_broken_in_a_table(body):
    """Every word of every cell (links apart) fits its column: reportlab then never splits it."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    checked = 0
    for header, rows, widths, kw, styles in body[3]:
        cell = styles[kw.get("cell_style", "cell")]
        for i, row in enumerate(([header] if header else []) + rows):
            size = styles["head"].fontSize if header and i == 0 else cell.fontSize
            for j, v in enumerate(row):
                if not isinstance(v, str) or j == kw.get("url_col"):
                    continue
                plain = re.sub(r"<br/>", " ", v)
                plain = re.sub(r"<[^>]+>", "", plain).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
                for word in plain.split():
                    w = stringWidth(word, "DejaVuSans-Bold", size)
                    assert w <= widths[j] - 6 + 0.5, f"{word!r} ({w:.0f} pt) in a {widths[j]:.0f} pt column"
                    checked += 1
    assert checked > 1000


def test_main_body_stays_within_twenty_pages(body):
    assert len(body[1]) <= 20


# --------------------------------------------------------------------------- no hindsight


@pytest.mark.parametrize("as_of", [dt.date(2021, 6, 1), dt.date(2023, 6, 1)])
def test_no_hindsight_in_a_report_as_of_a_past_date(as_of):
    cat = load_catalogue()
    pdf = build_report(cat, cat.series_ids(), as_of, sections=["judgments", "forecast", "appendix"])
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = _flat(" ".join(p.extract_text() for p in reader.pages))
    snap = cat.as_of(as_of)
    known = {e["id"] for e in snap.events()}
    known_names = " ".join(e["name"] for e in snap.events())
    for e in cat.events():
        if e["id"] not in known and event_name(e["name"]) not in known_names:
            assert event_name(e["name"]) not in text, f"{e['name']} was first reported after {as_of}"
    for sid in cat.series_ids():
        if not snap.events(sid):
            assert cat.series[sid].name not in text, f"{sid} has no event known on {as_of}"
    uris = {a.get_object()["/A"]["/URI"] for p in reader.pages for a in p.get("/Annots", []) or []
            if "/A" in a.get_object()}
    assert uris
    for u in uris:
        assert (url_date(u) or as_of) <= as_of, f"{u} is dated after {as_of}"
    assert "(planned) (held)" not in text and "(held);" not in text
    if as_of == dt.date(2023, 6, 1):
        assert "Will for Peace" not in text and "submarine" not in text
        assert "Peace Mission 2023" in text  # announced then: stated, without a status word in its name


def test_series_names_and_sources_as_known_then():
    from types import SimpleNamespace

    info = SimpleNamespace(name="Mosi / Will for Peace (South Africa-hosted naval exercise)")
    events = [{"id": "A", "name": "Mosi II"}, {"id": "B", "name": "Will for Peace 2026"}]
    assert series_name(info, events, {"A"}) == "Mosi (South Africa-hosted naval exercise)"
    assert series_name(info, events, {"A", "B"}) == info.name
    assert event_name("Peace Mission 2023 (planned)") == "Peace Mission 2023"
    assert url_date("http://www.chinadaily.com.cn/china/2006-04/26/content_577545.htm") == dt.date(2006, 4, 26)
    assert url_date("https://www.newsru.com/russia/28sep2009/kalinuchenia.html") == dt.date(2009, 9, 28)
    assert url_date("http://en.people.cn/n3/2025/0328/c90000-20295329.html") == dt.date(2025, 3, 28)
    assert url_date("https://sputnikglobe.com/20231214/russia-china-conduct-air-patrols-1115575678.html") == \
        dt.date(2023, 12, 14)
    assert url_date("http://vremya.ru/2009/179/4/238468.html") is None


def _event(sources, start="2026-02-19"):
    return {"start": parse_partial_date(start), "sources": tuple(sources)}


def test_a_held_event_cites_the_source_that_reports_it_held():
    # Maritime Security Belt 2026: a pre-event article first, the reports of the drill later in the list
    msb = load_catalogue().events("maritime-security-belt")
    e = next(x for x in msb if x["id"] == "IRCNRU-2026-MSB")
    assert e["sources"][0].endswith("provedut-sovmestnye-morskie-ucenia.html")  # 'will hold'
    cited = held_source(e)
    assert cited != e["sources"][0]
    assert (url_date(cited) or e["start"].low) >= e["start"].low
    # undated: an address that reads as a report of the drill beats a neutral one and an announcement
    e = _event(["https://vestikavkaza.ru/news/rossia-iran-i-kitaj-provedut-sovmestnye-morskie-ucenia.html",
                "https://www.interfax.ru/world/1070475", "https://kyivindependent.com/russia-iran-hold-naval-drills"])
    assert held_source(e) == "https://kyivindependent.com/russia-iran-hold-naval-drills"
    # a source dated on or after the start beats any undated one; one dated before it comes last
    e = _event(["https://a.org/2026/02/10/drills-to-begin", "https://b.org/news/123",
                "https://c.org/2026/02/20/drills-began"])
    assert held_source(e) == "https://c.org/2026/02/20/drills-began"
    e = _event(["https://a.org/2026/02/10/drills", "https://b.org/will-hold-drills"])
    assert held_source(e) == "https://b.org/will-hold-drills"


def test_announcements_by_hand():
    def ev(start, first, status="held"):
        return {"status": status, "start": parse_partial_date(start),
                "first_reported": parse_partial_date(first) if first else None}

    a = announcements([ev("2020-09-10", "2020-09-10"), ev("2021-09-20", "2021-09-01"),
                       ev("2022-09-15", "2022-06-17"), ev("2023-09", "2023-01-10"), ev("2024-09-01", None),
                       ev("2025-09-01", "2025-01-01", "cancelled")])
    # counted: 2020 (0 days), 2021 (19 days ahead), 2022 (90 days ahead); not month-precision, unknown, cancelled
    assert a == {"n": 3, "ahead": 2, "median_days": 54.5, "max_days": 90}


# --------------------------------------------------------------------------- what changed, by default


def test_what_changed_appears_by_default_from_the_ledger(tmp_path, monkeypatch):
    from drillcast.cli import main
    from drillcast.ledger import Ledger

    cat = load_catalogue()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "reports").mkdir()
    # a forecast recorded on 2026-01-02 as of 2026-01-01 (the recording clock is fixed)
    from drillcast import analysis

    fs = analysis.forecast(cat, ["union-shield"], as_of=dt.date(2026, 1, 1), horizon=2, track_record=False)
    Ledger("reports/ledger.jsonl", archive=False).record(
        list(fs.forecasts), cat, now=dt.datetime(2026, 1, 2, tzinfo=dt.timezone.utc))
    argv = ["report", "--series", "union-shield", "--as-of", "2026-12-07", "--no-annex", "-o", "r.pdf"]
    assert main(argv) == 0
    text = _flat(" ".join(p.extract_text() for p in pypdf.PdfReader("r.pdf").pages))
    assert "What changed" in text and "Against the forecast as of 2026-01-01 (recorded in reports/ledger.jsonl" in text
    # as of a date before the ledger's entry was recorded, there is nothing to compare with
    assert main(["report", "--series", "union-shield", "--as-of", "2026-01-01", "--no-annex", "-o", "s.pdf"]) == 0
    text = _flat(" ".join(p.extract_text() for p in pypdf.PdfReader("s.pdf").pages))
    assert "What changed" not in text
