"""A tax document as a PDF (fpdf2): pure, from the view model in `documents` to bytes."""

import unicodedata

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from fleetcharge.abn import format_abn
from fleetcharge.billing.documents import Party, TaxDocument
from fleetcharge.models.invoice import InvoiceStatus
from fleetcharge.money import shown

_FONT = "helvetica"
_LINE_COLUMNS = ("Description", "Qty", "Unit price", "Amount", "GST incl.")
_LINE_WIDTHS = (95, 12, 25, 25, 23)
_LINE_ALIGN = ("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT")
# Characters the core fonts lack but whose plain forms read the same.
_PLAIN = str.maketrans(
    {
        "\N{EN DASH}": "-",
        "\N{EM DASH}": "-",
        "\N{LEFT SINGLE QUOTATION MARK}": "'",
        "\N{RIGHT SINGLE QUOTATION MARK}": "'",
        "\N{LEFT DOUBLE QUOTATION MARK}": '"',
        "\N{RIGHT DOUBLE QUOTATION MARK}": '"',
        "\N{HORIZONTAL ELLIPSIS}": "...",
    }
)


def render_pdf(document: TaxDocument) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_title(_text(f"{document.title} {document.number}"))
    pdf.set_creator("fleetcharge")
    pdf.add_page()

    pdf.set_font(_FONT, "B", 20)
    pdf.cell(0, 10, _text(document.title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if document.status == InvoiceStatus.VOID:
        pdf.set_text_color(200, 0, 0)
        pdf.cell(
            0, 8, "VOID - this document has been cancelled", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        pdf.set_text_color(0, 0, 0)
    pdf.set_font(_FONT, "", 10)
    for label, value in (
        ("Number", str(document.number)),
        ("Date of issue", document.issue_date.isoformat()),
        ("Period", f"{document.period_start.isoformat()} to {document.period_end.isoformat()}"),
    ):
        _labelled(pdf, label, value)
    pdf.ln(4)

    _parties(pdf, document.supplier, document.recipient)
    if document.description:
        pdf.set_font(_FONT, "", 10)
        pdf.multi_cell(0, 5, _text(document.description), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2)

    _lines(pdf, document)
    _totals(pdf, document)

    pdf.set_font(_FONT, "", 9)
    for statement in document.statements:
        pdf.multi_cell(0, 4.5, _text(statement), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1)
    if document.sessions:
        pdf.multi_cell(
            0,
            4.5,
            f"Charge sessions billed: {document.sessions:,}, itemised in the Fleets API"
            " (/invoices).",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
    pdf.multi_cell(0, 4.5, f"Amounts in {document.currency}.", new_x=XPos.LMARGIN)
    return bytes(pdf.output())


def _labelled(pdf: FPDF, label: str, value: str) -> None:
    pdf.set_font(_FONT, "B", 10)
    pdf.cell(32, 6, _text(label))
    pdf.set_font(_FONT, "", 10)
    pdf.cell(0, 6, _text(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _parties(pdf: FPDF, supplier: Party, recipient: Party) -> None:
    width = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    pdf.set_font(_FONT, "B", 10)
    pdf.cell(width, 6, "Supplier")
    pdf.cell(width, 6, "Recipient", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(_FONT, "", 10)
    pdf.cell(width, 5, _text(supplier.name))
    pdf.cell(width, 5, _text(recipient.name), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.cell(width, 5, _abn(supplier))
    pdf.cell(width, 5, _abn(recipient), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)


def _abn(party: Party) -> str:
    return f"ABN {format_abn(party.abn)}" if party.abn else ""


def _lines(pdf: FPDF, document: TaxDocument) -> None:
    pdf.set_font(_FONT, "", 9)
    with pdf.table(
        col_widths=_LINE_WIDTHS, text_align=_LINE_ALIGN, line_height=5, width=sum(_LINE_WIDTHS)
    ) as table:
        table.row(_LINE_COLUMNS)
        for line in document.lines:
            table.row(
                (
                    _text(line.description),
                    str(line.units),
                    shown(line.unit_price),
                    shown(line.amount),
                    shown(line.gst),
                )
            )
    pdf.ln(3)


def _totals(pdf: FPDF, document: TaxDocument) -> None:
    rows = (
        ("Total (GST inclusive)", document.total, "B"),
        ("GST included in total", document.gst, ""),
        ("Paid", document.paid, ""),
        ("Amount due", document.due, "B"),
    )
    label_width, value_width = 50, 30
    indent = pdf.w - pdf.r_margin - label_width - value_width
    for label, amount, style in rows:
        pdf.set_x(indent)
        pdf.set_font(_FONT, style, 10)
        pdf.cell(label_width, 6, label)
        pdf.cell(value_width, 6, shown(amount), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)


def _text(value: str) -> str:
    """What the PDF core fonts (Latin-1) can show: accents kept where Latin-1 has them,
    otherwise stripped, anything else replaced by '?'."""
    plain = value.translate(_PLAIN)
    out = []
    for char in plain:
        if ord(char) < 256:
            out.append(char)
            continue
        base = unicodedata.normalize("NFKD", char)
        out.append("".join(c for c in base if ord(c) < 128 and not unicodedata.combining(c)) or "?")
    return "".join(out)
