"""An annual report as CSV (its figures, one line per cell) and as PDF (fpdf2, pure Python: no system libraries)."""
from __future__ import annotations

import csv
import io

from fpdf import FPDF
from fpdf.fonts import FontFace

from engine.annual_report import Report


def _text(value) -> str:
    return "" if value is None else str(value)


def report_csv(report: Report) -> str:
    """Long format: section, row label, column, value; the same figures as the page."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["report", "financial_year", "section", "row", "column", "value"])
    for section in report.sections:
        for row in section.rows:
            for column, value in zip(section.columns[1:], row[1:]):
                writer.writerow([report.kind, report.period, section.heading, _text(row[0]), column, _text(value)])
    return out.getvalue()


def _latin(text: str) -> str:
    # The PDF's built-in Helvetica has Latin-1 glyphs only; a few typographic characters are swapped.
    swapped = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    swapped = swapped.replace("–", "-").replace("—", "-").replace("…", "...")
    return swapped.encode("latin-1", "replace").decode("latin-1")


def report_pdf(report: Report, council: str) -> bytes:
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_title(_latin(f"{report.title} {report.period}"))
    pdf.set_author(_latin(council))
    pdf.set_lang("en-GB")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.multi_cell(0, 9, _latin(f"{council}: {report.title}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(0, 6, _latin(f"Financial year {report.period}: 1 April {report.year} to 31 March {report.year + 1}. "
                                "Figures from the complaints system's live records."), new_x="LMARGIN", new_y="NEXT")
    for section in report.sections:
        pdf.ln(4)
        pdf.start_section(_latin(section.heading))
        pdf.set_font("Helvetica", "B", 14)
        pdf.multi_cell(0, 8, _latin(section.heading), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 10)
        if section.note:
            pdf.multi_cell(0, 5, _latin(section.note), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        if not section.rows:
            pdf.multi_cell(0, 5, "None in this year.", new_x="LMARGIN", new_y="NEXT")
            continue
        with pdf.table(headings_style=FontFace(emphasis="BOLD"), line_height=5, text_align="LEFT") as table:
            heading = table.row()
            for column in section.columns:
                heading.cell(_latin(column))
            for values in section.rows:
                row = table.row()
                for value in values:
                    row.cell(_latin(_text(value) or "-"))
    return bytes(pdf.output())
