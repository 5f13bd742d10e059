"""The programme report as an A4 PDF: a title line, then each section with its heading, its
tables and, for three of them, a chart. Text is shaped by HarfBuzz (Arabic, Bengali) with
Noto fonts, and a right-to-left locale reads its tables from the right."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO

from fpdf import FPDF
from fpdf.fonts import FontFace

from bot.i18n import N_, Translator
from bot.printed import fonts
from bot.printed.report_charts import bars
from bot.printed.report_figures import Cell, Days, Report, Table
from bot.printed.report_text import FIGURES, label, period, shown

TITLE = N_("Porta — programme report, {period}")
PRIVACY = N_("Figures about fewer than 5 people are shown as “< 5”.")
NOTHING = N_("Nothing in this period.")

CHART_HEIGHT = 66.0  # mm, for a chart the width of the text
HEADER = FontFace(emphasis="BOLD", fill_color=(226, 232, 240))


def to_pdf(report: Report, locale: str) -> bytes:
    """The report as PDF bytes, in `locale`."""
    t = Translator(locale, report.zone)
    pdf = page_setup()
    pdf.add_page()
    title = t(TITLE).format(period=period(Days(report.start, report.end), locale))
    pdf.set_title(title)
    pdf.set_lang(locale)
    line(pdf, t, title, 18, "B")
    line(pdf, t, t(PRIVACY), 10)
    for section in report.sections:
        first = section.tables[0] if section.tables else None
        heading(pdf, t, t(section.title), 15, room=12 + (height(first) if first else 0))
        for table in section.tables:
            heading(pdf, t, t(table.title), 11, room=height(table))
            write_table(pdf, table, t)
            chart = CHARTS.get(table.name)
            if chart and table.rows:
                place_chart(pdf, chart(table, t))
    return bytes(pdf.output())


def height(table: Table) -> float:
    """About how many mm the table's heading, rows and chart take (a long one may break)."""
    chart = CHART_HEIGHT if table.name in CHARTS and table.rows else 0
    return min(16 + 7.5 * (len(table.rows) + 1) + chart, 150)


def line(pdf: FPDF, t: Translator, text: str, size: float, style: str = "") -> None:
    """A paragraph the width of the page, starting on the reader's side."""
    pdf.set_font(size=size, style=style)
    align = "R" if t.rtl else "L"
    pdf.multi_cell(0, size * 0.5, text, align=align, new_x="LMARGIN", new_y="NEXT")


def page_setup() -> FPDF:
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(True, margin=18)
    fonts.setup(pdf)
    return pdf


def heading(pdf: FPDF, t: Translator, text: str, size: float, room: float) -> None:
    """A heading, on a new page when less than `room` mm is left below it."""
    if pdf.get_y() + room > pdf.page_break_trigger:
        pdf.add_page()
    pdf.ln(4)
    line(pdf, t, text, size, "B")
    pdf.ln(1)


def write_table(pdf: FPDF, table: Table, t: Translator) -> None:
    if not table.rows:
        line(pdf, t, t(NOTHING), 9)
        return
    pdf.set_font(size=9 if len(table.columns) < 5 else 8)
    order = list(range(len(table.columns)))[:: -1 if t.rtl else 1]
    start = "RIGHT" if t.rtl else "LEFT"
    aligns = [("RIGHT" if c.kind in FIGURES else start) for c in table.columns]
    widths = [(1 if c.kind in FIGURES else 1.6) for c in table.columns]
    with pdf.table(
        col_widths=[widths[n] for n in order],
        text_align=[aligns[n] for n in order],
        headings_style=HEADER,
        line_height=5,
        padding=1.2,
    ) as grid:
        heads = grid.row()
        for n in order:
            heads.cell(t(table.columns[n].title))
        for values in table.rows:
            row = grid.row()
            for n in order:
                row.cell(shown(table.columns[n], values[n], t))
    pdf.ln(2)


def place_chart(pdf: FPDF, png: bytes) -> None:
    if pdf.get_y() + CHART_HEIGHT > pdf.page_break_trigger:
        pdf.add_page()
    pdf.image(BytesIO(png), x=pdf.l_margin, w=pdf.epw, h=CHART_HEIGHT)
    pdf.ln(3)


def series(table: Table, t: Translator, *columns: int) -> list[tuple[str, list[Cell]]]:
    """The columns numbered `columns`, each as (its heading, its cells)."""
    return [(t(table.columns[n].title), [row[n] for row in table.rows]) for n in columns]


def drawn(*columns: int, top: float | None = None) -> Chart:
    """A bar chart of the table's `columns` against its first (the labels)."""

    def draw(table: Table, t: Translator) -> bytes:
        names = [label(table.columns[0], row[0], t) for row in table.rows]
        return bars(names, series(table, t, *columns), fonts.files(), top)

    return draw


Chart = Callable[[Table, Translator], bytes]
CHARTS: dict[str, Chart] = {
    "reach_weeks": drawn(1),
    "activities_hubs": drawn(2, 3),  # places offered beside sign-ups
    "feedback_kinds": drawn(2, top=5),
}
