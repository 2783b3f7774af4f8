"""A tax document as a PDF (fpdf2): pure, from the view model in `documents` to bytes.

The first page is the bill (parties, dates, lines, totals, how to pay); the appendix of
sessions follows on as many pages as it takes, every page numbered "Page N of M". A void
document carries a VOID watermark on every page, its amounts still readable.
"""

import unicodedata
from datetime import date

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from fleetcharge.abn import format_abn
from fleetcharge.billing.appendix import Appendix, AppendixGroup
from fleetcharge.billing.documents import Party, PaymentInstructions, TaxDocument
from fleetcharge.models.invoice import InvoiceStatus
from fleetcharge.money import shown, shown_kwh

_FONT = "helvetica"
_LINE_COLUMNS = ("Description", "Qty", "Unit price", "Amount", "GST incl.")
_LINE_WIDTHS = (95, 12, 25, 25, 23)
_LINE_ALIGN = ("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT")
_APPENDIX_COLUMNS = ("Date", "Location", "Energy (kWh)", "Amount")
_APPENDIX_WIDTHS = (25, 95, 30, 30)
_APPENDIX_ALIGN = ("L", "L", "R", "R")
_ROW = 4.6  # appendix row height, mm
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


class _Pages(FPDF):
    """A4 pages with the document's number and "Page N of M" at the foot, and the VOID
    watermark behind a void document's content."""

    def __init__(self, document: TaxDocument) -> None:
        super().__init__(format="A4")
        self.document = document
        self.void = document.status == InvoiceStatus.VOID
        self.set_auto_page_break(auto=True, margin=18)

    def header(self) -> None:
        if not self.void:
            return
        self.set_font(_FONT, "B", 110)
        self.set_text_color(245, 200, 200)
        with self.rotation(angle=45, x=self.w / 2, y=self.h / 2):
            self.text(self.w / 2 - 45, self.h / 2 + 15, "VOID")
        self.set_text_color(0, 0, 0)
        self.set_xy(self.l_margin, self.t_margin)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(_FONT, "", 8)
        label = _text(f"{self.document.title} {self.document.number}")
        self.cell(0, 5, label, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="R")


def render_pdf(document: TaxDocument) -> bytes:
    pdf = _Pages(document)
    pdf.set_title(_text(f"{document.title} {document.number}"))
    pdf.set_creator("fleetcharge")
    pdf.add_page()

    pdf.set_font(_FONT, "B", 20)
    pdf.cell(0, 10, _text(document.title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if pdf.void:
        pdf.set_font(_FONT, "B", 11)
        pdf.set_text_color(200, 0, 0)
        pdf.cell(
            0,
            7,
            "VOID - this document has been cancelled; nothing is due on it",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        pdf.set_text_color(0, 0, 0)
    for label, value in _facts(document):
        _labelled(pdf, label, value)
    pdf.ln(3)

    _parties(pdf, document.supplier, document.recipient)
    if document.description:
        pdf.set_font(_FONT, "", 10)
        pdf.multi_cell(0, 5, _text(document.description), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2)

    _lines(pdf, document)
    _totals(pdf, document)
    if document.payment is not None:
        _how_to_pay(pdf, document.payment, document.due_date)

    pdf.set_font(_FONT, "", 9)
    for statement in document.statements:
        _paragraph(pdf, statement)
    if document.sessions:
        where = "in the appendix" if document.appendix else "in the Fleets API (/invoices)"
        _paragraph(pdf, f"Charge sessions billed: {document.sessions:,}, itemised {where}.")
    _paragraph(pdf, f"Amounts in {document.currency}.")
    if document.appendix is not None and document.appendix.groups:
        _appendix(pdf, document.appendix)
    return bytes(pdf.output())


def shown_date(day: date) -> str:
    """`3 July 2024`: a date no Australian reader takes for the 7th of March."""
    return f"{day.day} {day:%B %Y}"


def _facts(document: TaxDocument) -> list[tuple[str, str]]:
    facts = [
        ("Number", str(document.number)),
        ("Date of issue", shown_date(document.issue_date)),
    ]
    if document.due_date is not None:
        facts.append(("Due date", shown_date(document.due_date)))
    if document.payment_terms_days is not None:
        terms = document.payment_terms_days
        facts.append(("Payment terms", f"{terms} days from the date of issue"))
    facts.append(
        ("Period", f"{shown_date(document.period_start)} to {shown_date(document.period_end)}")
    )
    if document.purchase_order:
        facts.append(("Your reference", f"Purchase order {document.purchase_order}"))
    if document.payment is not None:
        facts.append(("Payment reference", document.payment.reference))
    return facts


def _labelled(pdf: FPDF, label: str, value: str) -> None:
    pdf.set_font(_FONT, "B", 10)
    pdf.cell(40, 5.5, _text(label))
    pdf.set_font(_FONT, "", 10)
    pdf.cell(0, 5.5, _text(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _paragraph(pdf: FPDF, text: str) -> None:
    pdf.multi_cell(0, 4.5, _text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)


def _party_lines(party: Party) -> list[str]:
    lines = [party.name]
    if party.abn:
        lines.append(f"ABN {format_abn(party.abn)}")
    if party.address:
        lines += [part.strip() for part in party.address.replace("\\n", "\n").splitlines()]
    return [*lines, *party.contact]


def _parties(pdf: FPDF, supplier: Party, recipient: Party) -> None:
    width = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    pdf.set_font(_FONT, "B", 10)
    pdf.cell(width, 6, "Supplier")
    pdf.cell(width, 6, "Recipient", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(_FONT, "", 10)
    left, right = _party_lines(supplier), _party_lines(recipient)
    for index in range(max(len(left), len(right))):
        pdf.cell(width, 5, _text(left[index]) if index < len(left) else "")
        shown_right = _text(right[index]) if index < len(right) else ""
        pdf.cell(width, 5, shown_right, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)


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
                    f"{line.units:,}",
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


def _how_to_pay(pdf: FPDF, payment: PaymentInstructions, due: date | None) -> None:
    account = payment.account
    pdf.set_font(_FONT, "B", 10)
    pdf.cell(0, 6, "How to pay", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(_FONT, "", 9)
    if account.bank:
        named = f"Account name {account.account_name}, " if account.account_name else ""
        _paragraph(
            pdf,
            f"Bank transfer: {named}BSB {account.bsb}, account number {account.account_number},"
            f" reference {payment.reference}.",
        )
    if account.bpay_biller_code:
        _paragraph(
            pdf,
            f"BPAY: biller code {account.bpay_biller_code}, reference {payment.reference}"
            " (from your bank's internet or phone banking).",
        )
    by = f" by {shown_date(due)}" if due else ""
    _paragraph(pdf, f"Please pay{by} and quote reference {payment.reference}.")
    pdf.ln(1)


def _appendix(pdf: _Pages, appendix: Appendix) -> None:
    pdf.add_page()
    pdf.set_font(_FONT, "B", 13)
    pdf.cell(0, 8, _text(f"Appendix: {appendix.heading}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(_FONT, "", 9)
    _paragraph(
        pdf,
        "Each session's completion date (in the billing time zone), location, energy and"
        " the amount it adds to this document's charging lines.",
    )
    for group in appendix.groups:
        _group(pdf, group)
    pdf.ln(2)
    pdf.set_font(_FONT, "B", 9)
    _row(
        pdf,
        (
            "Total",
            f"{appendix.sessions:,} sessions",
            shown_kwh(appendix.kwh),
            shown(appendix.amount),
        ),
    )


def _group(pdf: _Pages, group: AppendixGroup) -> None:
    # Keep a group's title with its column headings and first row.
    if pdf.will_page_break(4 * _ROW + 6):
        pdf.add_page()
    pdf.ln(2)
    _group_heading(pdf, group.title)
    pdf.set_font(_FONT, "", 8.5)
    for row in group.rows:
        if pdf.will_page_break(_ROW):
            pdf.add_page()
            _group_heading(pdf, f"{group.title} (continued)")
            pdf.set_font(_FONT, "", 8.5)
        _row(
            pdf,
            (
                f"{row.day:%d/%m/%Y}",
                _fit(pdf, _text(row.location), _APPENDIX_WIDTHS[1]),
                shown_kwh(row.kwh),
                shown(row.amount),
            ),
        )
    pdf.set_font(_FONT, "B", 8.5)
    _row(
        pdf,
        (
            "Subtotal",
            f"{len(group.rows):,} sessions",
            shown_kwh(group.kwh),
            shown(group.amount),
        ),
    )


def _group_heading(pdf: FPDF, title: str) -> None:
    pdf.set_font(_FONT, "B", 9.5)
    pdf.cell(0, 6, _text(title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(_FONT, "B", 8.5)
    _row(pdf, _APPENDIX_COLUMNS, border="B")


def _row(pdf: FPDF, cells: tuple[str, str, str, str], border: str = "") -> None:
    """One appendix row, drawn with `text` rather than `cell`: a tenth of the work per
    cell, which is what keeps a few thousand sessions quick."""
    if pdf.will_page_break(_ROW):
        pdf.add_page()
    top = pdf.get_y()
    baseline = top + _ROW * 0.72
    x = pdf.l_margin
    for text, width, align in zip(cells, _APPENDIX_WIDTHS, _APPENDIX_ALIGN, strict=True):
        left = x + width - 1 - pdf.get_string_width(text) if align == "R" else x + 1
        pdf.text(left, baseline, text)
        x += width
    if border:
        pdf.line(pdf.l_margin, top + _ROW, x, top + _ROW)
    pdf.set_y(top + _ROW)


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """The text shortened with '...' to fit the column."""
    if pdf.get_string_width(text) <= width - 2:
        return text
    while text and pdf.get_string_width(text + "...") > width - 2:
        text = text[:-1]
    return text + "..."


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
