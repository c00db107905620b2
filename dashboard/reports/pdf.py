"""Reports as A4 PDF pages, drawn with fpdf2 from the report documents.

Text is set in DejaVu Sans (shipped with matplotlib, which draws the maps) so that £, ², – and
names in any Latin script print as written; the PDF carries real text, so it can be searched,
copied and read aloud, and its maps carry their alternative text.
"""

from __future__ import annotations

import io
from pathlib import Path

from dashboard.reports.model import Beside, Figures, Footer, Picture, Report, Table, Text

INK = (33, 37, 41)
MUTED = (95, 99, 104)
NOTICE = (255, 236, 179)
PANEL = (241, 243, 246)
HEAD = (226, 230, 235)
FONT = "DejaVu"


def _font_files() -> dict[str, Path]:
    import matplotlib

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    return {"": folder / "DejaVuSans.ttf", "B": folder / "DejaVuSans-Bold.ttf",
            "I": folder / "DejaVuSans-Oblique.ttf"}


def _document(title: str):
    from fpdf import FPDF

    class Pages(FPDF):
        def footer(self) -> None:  # fpdf2 calls this at the foot of every page
            self.set_y(-9)
            self.set_font(FONT, "", 6.5)
            self.set_text_color(*MUTED)
            self.cell(0, 4, f"{self.running} · page {self.page_no()} of {{nb}}", align="C")

    pdf = Pages(format="A4", unit="mm")
    pdf.running = title  # the report on the page, named in each page's foot
    for style, path in _font_files().items():
        pdf.add_font(FONT, style, str(path))
    pdf.set_margins(13, 12, 13)
    pdf.set_auto_page_break(True, margin=13)
    pdf.set_title(title)
    pdf.set_lang("en-GB")
    pdf.set_creator("place-alignment-dashboard")
    return pdf


def pdf_bytes(reports: list[Report], title: str | None = None) -> bytes:
    """One PDF of ``reports``, each starting on a new page."""
    pdf = _document(title or reports[0].title)
    for report in reports:
        pdf.add_page()  # the last page's foot is drawn here, still naming its own report
        pdf.running = report.title
        _header(pdf, report)
        for i, block in enumerate(report.blocks):
            _block(pdf, block)
            if i in report.breaks:
                pdf.add_page()
        _footer(pdf, report.footer)
    return bytes(pdf.output())


def _header(pdf, report: Report) -> None:
    pdf.set_text_color(*INK)
    pdf.set_font(FONT, "B", 15)
    _para(pdf, 7, report.title)
    pdf.set_font(FONT, "", 9)
    pdf.set_text_color(*MUTED)
    _para(pdf, 5, report.subtitle)
    pdf.set_text_color(*INK)
    for notice in report.notices:
        pdf.ln(1)
        pdf.set_fill_color(*NOTICE)
        pdf.set_font(FONT, "B", 8)
        _para(pdf, 4.5, notice, fill=True, padding=1)
    pdf.ln(2)


def _block(pdf, block) -> None:
    if isinstance(block, Figures):
        _figures(pdf, block)
    elif isinstance(block, Beside):
        _beside(pdf, block)
    elif isinstance(block, Text):
        _text(pdf, block, pdf.epw)
    elif isinstance(block, Table):
        _table(pdf, block)
    elif isinstance(block, Picture):
        _picture(pdf, block)
    else:
        raise TypeError(f"Unknown report block {type(block).__name__}")


def _heading(pdf, text: str) -> None:
    pdf.set_font(FONT, "B", 10.5)
    pdf.set_text_color(*INK)
    _para(pdf, 5.5, text)
    pdf.ln(0.5)


def _figures(pdf, block: Figures) -> None:
    n = len(block.items)
    gap = 2.0
    width = (pdf.epw - gap * (n - 1)) / n
    top, height = pdf.get_y(), 15.5
    for k, (value, label, note) in enumerate(block.items):
        x = pdf.l_margin + k * (width + gap)
        pdf.set_fill_color(*PANEL)
        pdf.rect(x, top, width, height, style="F")
        pdf.set_xy(x + 2, top + 1.5)
        pdf.set_font(FONT, "B", 12.5)
        pdf.set_text_color(*INK)
        pdf.cell(width - 4, 6, value)
        pdf.set_xy(x + 2, top + 7.5)
        pdf.set_font(FONT, "", 7)
        _para(pdf, 3, label, width=width - 4)
        pdf.set_x(x + 2)
        pdf.set_text_color(*MUTED)
        pdf.set_font(FONT, "", 6)
        _para(pdf, 2.8, note, width=width - 4)
    pdf.set_text_color(*INK)
    pdf.set_xy(pdf.l_margin, top + height + 3)


def _text(pdf, block: Text, width: float) -> None:
    x = pdf.get_x()
    pdf.set_font(FONT, "B", 10.5)
    _para(pdf, 5.5, block.heading, width=width)
    pdf.set_font(FONT, "", 8.5)
    for line in block.lines:
        pdf.set_x(x)
        _para(pdf, 4.2, f"•  {line}" if block.bullets else line, width=width)
        pdf.ln(0.8)
    pdf.ln(1.5)


def _beside(pdf, block: Beside) -> None:
    map_w, gap = 68.0, 5.0
    image = _image_size(block.picture.png, map_w)
    if pdf.get_y() + image[1] + 8 > pdf.page_break_trigger:
        pdf.add_page()
    top = pdf.get_y()
    pdf.image(io.BytesIO(block.picture.png), x=pdf.l_margin, y=top, w=map_w,
              alt_text=block.picture.alt, title=block.picture.caption)
    pdf.set_xy(pdf.l_margin, top + image[1] + 0.5)
    pdf.set_font(FONT, "I", 6.5)
    pdf.set_text_color(*MUTED)
    _para(pdf, 3, block.picture.caption, width=map_w)
    below_map = pdf.get_y()
    pdf.set_text_color(*INK)
    pdf.set_xy(pdf.l_margin + map_w + gap, top)
    _text(pdf, block.text, pdf.epw - map_w - gap)
    pdf.set_xy(pdf.l_margin, max(below_map, pdf.get_y()) + 2)


def _image_size(png: bytes, width: float) -> tuple[float, float]:
    from PIL import Image

    with Image.open(io.BytesIO(png)) as img:
        w, h = img.size
    return width, width * h / w


def _picture(pdf, block: Picture) -> None:
    width = min(pdf.epw, 150.0)
    height = _image_size(block.png, width)[1]
    if pdf.get_y() + height + 6 > pdf.page_break_trigger:
        pdf.add_page()
    pdf.image(io.BytesIO(block.png), x=pdf.l_margin + (pdf.epw - width) / 2, y=pdf.get_y(),
              w=width, alt_text=block.alt, title=block.caption)
    pdf.set_y(pdf.get_y() + height + 0.5)
    pdf.set_font(FONT, "I", 6.5)
    pdf.set_text_color(*MUTED)
    _para(pdf, 3, block.caption, align="C")
    pdf.set_text_color(*INK)
    pdf.ln(2)


def _table(pdf, block: Table) -> None:
    from fpdf.fonts import FontFace

    if pdf.get_y() + 20 > pdf.page_break_trigger:  # a heading never sits alone at a page foot
        pdf.add_page()
    _heading(pdf, block.heading)
    if block.rows:
        pdf.set_font(FONT, "", 7.5)
        align = tuple("RIGHT" if num else "LEFT" for num in block.numeric)
        with pdf.table(col_widths=block.widths or None, text_align=align, line_height=3.5,
                       headings_style=FontFace(emphasis="BOLD", fill_color=HEAD),
                       borders_layout="HORIZONTAL_LINES", padding=0.8,
                       repeat_headings=1) as table:
            for row in (block.columns, *block.rows):
                cells = table.row()
                for cell in row:
                    cells.cell(cell)
    if block.note:
        pdf.ln(0.8)
        pdf.set_font(FONT, "I", 6.5)
        pdf.set_text_color(*MUTED)
        _para(pdf, 3, block.note)
        pdf.set_text_color(*INK)
    pdf.ln(1.5)


def _footer(pdf, foot: Footer) -> None:
    """Method, sources and address, kept together: moved whole to the next page if it does
    not fit below the last block."""
    with pdf.unbreakable() as doc:
        doc.set_draw_color(*MUTED)
        doc.set_font(FONT, "B", 7.5)
        _para(doc, 4.5, "About this report", border="T")
        doc.set_font(FONT, "", 6.3)
        doc.set_text_color(*MUTED)
        _para(doc, 2.9, foot.method)
        doc.ln(0.8)
        _para(doc, 2.9, "Sources: " + " ".join(foot.sources))
        if foot.attributions:
            doc.ln(0.8)
            _para(doc, 2.9, " ".join(foot.attributions))
        doc.ln(0.8)
        doc.set_text_color(*INK)
        _para(doc, 2.9, f"Pack: {foot.pack}. Made on {foot.date}. Live page: {foot.address}",
              link=foot.address if foot.address.startswith(("http://", "https://")) else None)


def _para(pdf, height: float, text: str, width: float = 0, **style) -> None:
    """Wrapped text, left-aligned; the next line starts at this one's left edge."""
    pdf.multi_cell(width, height, text, align=style.pop("align", "L"), new_x="LEFT",
                   new_y="NEXT", **style)
