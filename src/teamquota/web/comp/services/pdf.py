"""The one PDF writer of the web app (fpdf2, pure Python): a small document API that the
plan letter and the statement both use — headings, paragraphs, bullet lists, tables and a
drawn curve.

Fonts: fpdf2's core fonts (Helvetica), which every PDF reader has, so nothing is read from
the system and nothing is downloaded. They hold latin-1 only: :func:`latin1` keeps every
latin-1 character ('Zoë Ørsted' stays as it is), writes common punctuation in ASCII
('—' as '-', '€' as 'EUR'), strips the accents of other letters ('Łukasz Dąbrowski' ->
'Lukasz Dabrowski') and writes anything left as '?', so a name never makes a PDF fail."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from decimal import Decimal

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

# letters NFKD does not take apart, and punctuation outside latin-1
_SPELLED = {"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "ı": "i",
            "Œ": "OE", "œ": "oe", "ẞ": "SS", "—": "-", "–": "-", "‒": "-", "−": "-",
            "‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"', "…": "...",
            "€": "EUR", "→": "->", "←": "<-", "≥": ">=", "≤": "<=", "•": "-", "\u00a0": " ",
            "\u2009": " ", "\u202f": " "}
FONT = "helvetica"
MARGIN = 15.0  # mm
BOLD = FontFace(emphasis="BOLD")


def latin1(text: str) -> str:
    """``text`` in the core fonts' latin-1, as close to the original as it can be."""
    out = []
    for char in str(text):
        if char in _SPELLED:
            out.append(_SPELLED[char])
        elif ord(char) < 256:
            out.append(char)
        else:
            bare = "".join(c for c in unicodedata.normalize("NFKD", char)
                           if not unicodedata.combining(c))
            out.append(bare if bare and all(ord(c) < 256 for c in bare) else "?")
    return "".join(out)


class Document:
    """An A4 portrait document; ``compress=False`` leaves the page text readable in the
    bytes (the tests read it)."""

    def __init__(self, title: str, *, compress: bool = True) -> None:
        self.pdf = FPDF(orientation="portrait", unit="mm", format="A4")
        self.pdf.set_compression(compress)
        self.pdf.set_margins(MARGIN, MARGIN, MARGIN)
        self.pdf.set_auto_page_break(True, margin=MARGIN)
        self.pdf.set_title(latin1(title))
        self.pdf.set_creator("teamquota")
        self.pdf.add_page()
        self.pdf.set_font(FONT, size=10)

    @property
    def width(self) -> float:
        return float(self.pdf.epw)

    def heading(self, text: str, level: int = 1) -> None:
        size = {1: 16, 2: 13}.get(level, 11)
        self.pdf.ln(2 if level > 1 else 0)
        self.pdf.set_font(FONT, "B", size)
        self.pdf.multi_cell(0, size * 0.5, latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.set_font(FONT, size=10)
        self.pdf.ln(1)

    def paragraph(self, text: str, *, size: int = 10, muted: bool = False) -> None:
        self.pdf.set_font(FONT, size=size)
        if muted:
            self.pdf.set_text_color(90, 90, 90)
        self.pdf.multi_cell(0, size * 0.5, latin1(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.set_text_color(0, 0, 0)
        self.pdf.set_font(FONT, size=10)
        self.pdf.ln(1)

    def bullets(self, items: Sequence[str]) -> None:
        for item in items:
            self.pdf.set_x(MARGIN + 3)
            self.pdf.multi_cell(self.width - 3, 5, latin1(f"- {item}"),
                                new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.ln(1)

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]],
              widths: Sequence[float], numeric: Sequence[int] = (),
              bold_last: bool = False, width: float | None = None) -> None:
        """A table whose cells wrap; ``widths`` are relative, ``numeric`` the columns
        aligned right; ``bold_last``: the last row is a total; ``width`` in mm (None: the
        page's), a narrow table sits at the left margin."""
        align = tuple("RIGHT" if i in numeric else "LEFT" for i in range(len(header)))
        self.pdf.set_font(FONT, size=9)
        with self.pdf.table(col_widths=tuple(widths), text_align=align, line_height=4.5,
                            first_row_as_headings=True, padding=1,
                            width=width or self.width, align="LEFT") as table:
            table.row([latin1(h) for h in header])
            for n, cells in enumerate(rows, 1):
                total = bold_last and n == len(rows)
                table.row([latin1(c) for c in cells], style=BOLD if total else None)
        self.pdf.set_font(FONT, size=10)
        self.pdf.ln(2)

    def curve(self, xs: Sequence[Decimal], ys: Sequence[Decimal], title: str,
              x_label: str = "attainment %", y_label: str = "payout %") -> None:
        """The curve drawn as a polyline on two axes (values in percent), 80 x 50 mm."""
        w, h, left_pad, bottom_pad = 80.0, 50.0, 12.0, 8.0
        if self.pdf.will_page_break(h + bottom_pad + 8):
            self.pdf.add_page()
        self.pdf.set_font(FONT, "B", 9)
        self.pdf.cell(0, 5, latin1(title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        x0, y0 = self.pdf.get_x() + left_pad, self.pdf.get_y() + 6
        x_max = max(xs) if xs else Decimal(1)
        y_max = max(ys) if ys else Decimal(1)
        x_max, y_max = (x_max or Decimal(1)), (y_max or Decimal(1))

        def at(x: Decimal, y: Decimal) -> tuple[float, float]:
            return (x0 + float(x / x_max) * w, y0 + h - float(y / y_max) * h)

        self.pdf.set_draw_color(120, 120, 120)
        self.pdf.set_line_width(0.2)
        self.pdf.line(x0, y0 + h, x0 + w, y0 + h)  # x axis
        self.pdf.line(x0, y0, x0, y0 + h)  # y axis
        self.pdf.set_font(FONT, size=7)
        for frac in (Decimal(0), Decimal("0.5"), Decimal(1)):
            px, _ = at(x_max * frac, Decimal(0))
            self.pdf.text(px - 3, y0 + h + 4, f"{x_max * frac:.0f}")
            _, py = at(Decimal(0), y_max * frac)
            self.pdf.text(x0 - 9, py + 1, f"{y_max * frac:.0f}")
        self.pdf.text(x0 + w / 2 - 10, y0 + h + 8, latin1(x_label))
        self.pdf.text(x0 - left_pad + 1, y0 - 3, latin1(y_label))
        self.pdf.set_draw_color(31, 95, 168)
        self.pdf.set_line_width(0.6)
        self.pdf.polyline([at(x, y) for x, y in zip(xs, ys, strict=True)])
        self.pdf.set_draw_color(0, 0, 0)
        self.pdf.set_line_width(0.2)
        self.pdf.set_font(FONT, size=10)
        self.pdf.set_xy(MARGIN, y0 + h + bottom_pad + 3)

    def output(self) -> bytes:
        return bytes(self.pdf.output())
