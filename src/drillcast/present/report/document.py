"""The document: fonts, paragraph styles, the story with bookmarks, and the PDF render."""

from __future__ import annotations

import datetime as _dt
import io
import os

from drillcast.errors import OptionError
from drillcast.present.report.wording import esc as _esc

from drillcast.present.report.fonts import FONT, FONT_BOLD, FONT_ITALIC, FONT_MONO, register_fonts  # noqa: F401


def styles():
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_LEFT
    from reportlab.lib.styles import ParagraphStyle

    base = ParagraphStyle("body", fontName=FONT, bulletFontName=FONT, fontSize=9, leading=12.2, alignment=TA_LEFT,
                          spaceAfter=5, splitLongWords=1)
    s = {"body": base}
    s["small"] = ParagraphStyle("small", parent=base, fontSize=7.5, leading=9.6, spaceAfter=3)
    s["caption"] = ParagraphStyle("caption", parent=base, fontSize=7.5, leading=9.6,
                                  textColor=colors.HexColor("#444444"),
                                  spaceBefore=2, spaceAfter=9)
    # Table cells never break a word (a column too narrow for its longest word is a layout bug, and
    # tests/test_report.py checks every cell); only URLs may wrap anywhere ("cellurl").
    s["cell"] = ParagraphStyle("cell", parent=base, fontSize=7.5, leading=9.2, spaceAfter=0, splitLongWords=0)
    s["cellurl"] = ParagraphStyle("cellurl", parent=s["cell"], fontSize=6.5, leading=8, splitLongWords=1)
    s["cellsmall"] = ParagraphStyle("cellsmall", parent=s["cell"], fontSize=7, leading=8.4)
    s["head"] = ParagraphStyle("head", parent=s["cell"], fontName=FONT_BOLD, fontSize=7, leading=8.6,
                               splitLongWords=0)
    s["cellr"] = ParagraphStyle("cellr", parent=s["cell"], alignment=2)
    s["cellmono"] = ParagraphStyle("cellmono", parent=s["cell"], fontName=FONT_MONO, fontSize=7)
    s["tiny"] = ParagraphStyle("tiny", parent=base, fontSize=6.5, leading=8.2, spaceAfter=0)
    s["H1"] = ParagraphStyle("H1", parent=base, fontName=FONT_BOLD, fontSize=15, leading=19, spaceBefore=4,
                             spaceAfter=8, textColor=colors.HexColor("#0B3C5D"), keepWithNext=1)
    s["H2"] = ParagraphStyle("H2", parent=base, fontName=FONT_BOLD, fontSize=11.5, leading=15, spaceBefore=10,
                             spaceAfter=5, textColor=colors.HexColor("#0B3C5D"), keepWithNext=1)
    s["H3"] = ParagraphStyle("H3", parent=base, fontName=FONT_BOLD, fontSize=9.5, leading=12.5, spaceBefore=6,
                             spaceAfter=3, keepWithNext=1)
    s["title"] = ParagraphStyle("title", parent=base, fontName=FONT_BOLD, fontSize=14, leading=18,
                                textColor=colors.HexColor("#0B3C5D"), spaceAfter=6)
    s["subtitle"] = ParagraphStyle("subtitle", parent=base, fontSize=9, leading=12, spaceAfter=6,
                                   textColor=colors.HexColor("#333333"))
    s["bullet"] = ParagraphStyle("bullet", parent=base, leftIndent=12, bulletIndent=2, spaceAfter=4)
    s["note"] = ParagraphStyle("note", parent=base, fontSize=7.5, leading=9.6, leftIndent=12, spaceAfter=6,
                               textColor=colors.HexColor("#555555"))
    s["contents"] = ParagraphStyle("contents", parent=base, fontSize=8.5, leading=11, leftIndent=10, spaceAfter=1)
    s["mono"] = ParagraphStyle("mono", parent=base, fontName=FONT_MONO, fontSize=7.5, leading=9.6)
    return s


# --------------------------------------------------------------------------- the document


class Doc:
    """Collects flowables and outline entries (platypus story plus bookmarks)."""

    def __init__(self, styles, width, annex=True):
        self.s = styles
        self.width = width
        self.annex = annex
        self.story = []
        self._n = 0

    def heading(self, text, level, *, page_break=False, key=None, style=None):
        """A heading with a PDF bookmark (``key``, or a generated one) and an outline entry."""
        from reportlab.platypus import CondPageBreak, PageBreak, Paragraph

        if page_break == "cond":  # a new page only when less than 40 % of this one is left
            self.story.append(CondPageBreak(0.4 * 25.7 * 72 / 2.54))
        elif page_break:
            self.story.append(PageBreak())
        self._n += 1
        p = Paragraph(_esc(text), self.s[style or ("H1", "H2", "H3")[level]])
        p._bookmark = (key or f"h{self._n}", text, level)
        self.story.append(p)

    def para(self, xml, style="body", keep=False):
        """A paragraph; ``keep``: kept on one page with what follows (an introduction to a list or figure)."""
        from reportlab.lib.styles import ParagraphStyle
        from reportlab.platypus import Paragraph

        st = self.s[style]
        if keep:
            key = style + "+keep"
            if key not in self.s:
                self.s[key] = ParagraphStyle(key, parent=st, keepWithNext=1)
            st = self.s[key]
        self.story.append(Paragraph(xml, st))

    def bullets(self, items, style="bullet"):
        from reportlab.platypus import Paragraph

        for it in items:
            self.story.append(Paragraph(it, self.s[style], bulletText="\u2022"))

    def table(self, header, rows, widths, *, align_right=(), bold_rows=(), cell_style="cell", zebra=True,
              url_col=None):
        from reportlab.lib import colors
        from reportlab.platypus import Paragraph, Table, TableStyle

        cell, cellr = self.s[cell_style], self.s["cellr"]

        def wrap(v, bold=False, right=False, url=False):
            if hasattr(v, "wrap"):
                return v
            if bold:
                v = f"<b>{v}</b>"
            return Paragraph(v, self.s["cellurl"] if url else cellr if right else cell)

        data = [[Paragraph(h, self.s["head"]) for h in header]] if header else []
        for i, r in enumerate(rows):
            data.append([wrap(v, bold=i in bold_rows, right=j in align_right, url=j == url_col)
                         for j, v in enumerate(r)])
        t = Table(data, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
        st = [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("FONTNAME", (0, 0), (-1, -1), FONT),
            ("LINEBELOW", (0, -1), (-1, -1), 0.4, colors.HexColor("#999999")),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ]
        if header:
            st += [("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E4EAF0")),
                   ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.HexColor("#0B3C5D"))]
        else:
            st += [("LINEABOVE", (0, 0), (-1, 0), 0.6, colors.HexColor("#0B3C5D")),
                   ("TEXTCOLOR", (0, 0), (0, -1), colors.HexColor("#444444"))]
        if zebra:
            for i in range(2 if header else 1, len(data), 2):
                st.append(("BACKGROUND", (0, i), (-1, i), colors.HexColor("#F5F7F9")))
        t.setStyle(TableStyle(st))
        self.story.append(t)

    def figure(self, fig, caption_xml):
        from reportlab.platypus import KeepTogether, Paragraph

        from drillcast.present.report.canvas import FigureFlowable

        f = FigureFlowable(fig, self.width)
        head = []
        while self.story and getattr(self.story[-1], "_bookmark", None):  # a heading stays with its figure
            head.insert(0, self.story.pop())
        self.story.append(KeepTogether([*head, f, Paragraph(caption_xml, self.s["caption"])]))

    def space(self, h=6):
        from reportlab.platypus import Spacer

        self.story.append(Spacer(1, h))


def pdf_date(as_of: _dt.date) -> str:
    sde = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if sde:
        try:
            t = _dt.datetime.fromtimestamp(int(sde), _dt.timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise OptionError(f"SOURCE_DATE_EPOCH={sde!r} is not a Unix time in seconds; "
                              "unset it or give an integer") from None
    else:
        t = _dt.datetime(as_of.year, as_of.month, as_of.day, tzinfo=_dt.timezone.utc)
    return t.strftime("D:%Y%m%d%H%M%S+00'00'")


def render(doc: Doc, meta: dict, trace: list | None = None) -> bytes:
    """The PDF of ``doc``; ``trace``, when given, gets ``(page, kind, text)`` for every flowable drawn
    (kind ``"heading"`` for a bookmarked heading), so tests can check the layout."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import BaseDocTemplate, Frame, NextPageTemplate, PageTemplate

    date_str = meta["pdf_date"]

    class _Canvas(Canvas):
        def __init__(self, *a, **k):
            k["invariant"] = 1
            super().__init__(*a, **k)
            self.setDateFormatter(lambda *ymdhms: date_str)

    from drillcast.present.text import safe_text

    class _Template(BaseDocTemplate):
        def afterFlowable(self, flowable):
            bm = getattr(flowable, "_bookmark", None)
            if trace is not None:
                text = flowable.getPlainText() if hasattr(flowable, "getPlainText") else ""
                trace.append((self.page, "heading" if bm else type(flowable).__name__, text))
            if bm:
                key, text, level = bm
                self.canv.bookmarkPage(key)
                self.canv.addOutlineEntry(safe_text(text), key, level=level, closed=level >= 1)

    W, H = A4
    margin = 2.0 * cm
    frame = Frame(margin, margin, W - 2 * margin, H - 2 * margin - 0.4 * cm, id="body", leftPadding=0,
                  rightPadding=0, topPadding=0, bottomPadding=0)

    def cover(canv, d):
        canv.saveState()
        canv.setFillColor(colors.HexColor("#0B3C5D"))
        canv.rect(0, H - 1.1 * cm, W, 1.1 * cm, stroke=0, fill=1)
        canv.setFont(FONT, 7)
        canv.setFillColor(colors.HexColor("#666666"))
        canv.drawString(margin, 1.2 * cm, meta["footer"])
        canv.restoreState()

    def page(canv, d):
        canv.saveState()
        canv.setStrokeColor(colors.HexColor("#0B3C5D"))
        canv.setLineWidth(0.5)
        canv.line(margin, H - margin + 0.2 * cm, W - margin, H - margin + 0.2 * cm)
        canv.setFont(FONT, 7)
        canv.setFillColor(colors.HexColor("#444444"))
        canv.drawString(margin, H - margin + 0.35 * cm, meta["header"])
        canv.drawRightString(W - margin, 1.2 * cm, f"Page {d.page}")
        canv.drawString(margin, 1.2 * cm, meta["footer"])
        canv.restoreState()

    buf = io.BytesIO()
    tpl = _Template(buf, pagesize=A4, leftMargin=margin, rightMargin=margin, topMargin=margin,
                    bottomMargin=margin, title=meta["title"], author=meta["author"], subject=meta["subject"],
                    keywords=meta["keywords"], creator=meta["creator"], invariant=1, lang="en",
                    initialFontName=FONT, initialFontSize=9)
    tpl.addPageTemplates([PageTemplate("cover", [frame], onPage=cover), PageTemplate("page", [frame], onPage=page)])
    story = list(doc.story)
    story.insert(0, NextPageTemplate("page"))
    tpl.build(story, canvasmaker=_Canvas)
    return buf.getvalue()


