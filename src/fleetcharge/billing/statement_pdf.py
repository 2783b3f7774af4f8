"""A statement of account as a PDF (fpdf2), in the style of the tax documents (`pdf`)."""

from datetime import date
from decimal import Decimal
from itertools import zip_longest

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from fleetcharge.billing.documents import Party
from fleetcharge.billing.pdf import _party_lines, shown_date
from fleetcharge.billing.pdf import _text as latin1
from fleetcharge.billing.statements import AccountStatement
from fleetcharge.money import shown

_FONT = "helvetica"
_COLUMNS = ("Date", "Number", "Description", "Amount", "Balance")
_WIDTHS = (22, 22, 86, 25, 25)
_ALIGN = ("LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT")


class _Pages(FPDF):
    """Numbered pages: a long statement runs over several."""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(_FONT, "", 8)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="C")


def render_statement_pdf(account: AccountStatement) -> bytes:
    statement = account.statement
    pdf = _Pages(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_title(latin1(f"Statement of account {account.organisation.name}"))
    pdf.set_creator("fleetcharge")
    pdf.add_page()

    pdf.set_font(_FONT, "B", 20)
    pdf.cell(0, 10, "Statement of account", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(_FONT, "", 10)
    span = f"{shown_date(statement.first_day)} to {shown_date(statement.last_day)}"
    for label, value in (("Period", span), ("Date of issue", shown_date(account.issued_on))):
        pdf.set_font(_FONT, "B", 10)
        pdf.cell(32, 6, label)
        pdf.set_font(_FONT, "", 10)
        pdf.cell(0, 6, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    _parties(pdf, account.operator, account.organisation)

    pdf.set_font(_FONT, "", 9)
    with pdf.table(
        col_widths=_WIDTHS, text_align=_ALIGN, line_height=5, width=sum(_WIDTHS)
    ) as table:
        table.row(_COLUMNS)
        table.row(
            (_short(statement.first_day), "", "Opening balance", "", shown(statement.opening))
        )
        for entry in statement.entries:
            description = entry.description + (
                " (VOID, not counted)" if entry.status == "void" else ""
            )
            table.row(
                (
                    _short(entry.day),
                    str(entry.number),
                    latin1(description),
                    shown(entry.amount),
                    shown(entry.balance),
                )
            )
    pdf.ln(3)

    label_width, value_width = 60, 30
    indent = pdf.w - pdf.r_margin - label_width - value_width
    for label, amount, style in (
        ("Opening balance", statement.opening, ""),
        ("Documents issued", statement.issued, ""),
        ("Payments", statement.paid, ""),
        (_closing_label(statement.closing), statement.closing, "B"),
    ):
        pdf.set_x(indent)
        pdf.set_font(_FONT, style, 10)
        pdf.cell(label_width, 6, label)
        pdf.cell(value_width, 6, shown(amount), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    pdf.set_font(_FONT, "", 9)
    pdf.multi_cell(
        0,
        4.5,
        "Amounts include GST. A positive balance is owed to "
        f"{latin1(account.operator.name)}; a negative one is owed to you (recipient-created"
        " tax invoices, credits). Void documents are listed but not counted."
        f" Dates in {account.timezone}. Amounts in {account.currency}.",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    return bytes(pdf.output())


def _short(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _closing_label(closing: Decimal) -> str:
    return "Closing balance (in credit)" if closing < 0 else "Closing balance"


def _parties(pdf: FPDF, operator: Party, organisation: Party) -> None:
    width = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    pdf.set_font(_FONT, "B", 10)
    pdf.cell(width, 6, "From")
    pdf.cell(width, 6, "To", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(_FONT, "", 10)
    for left, right in zip_longest(
        _party_lines(operator), _party_lines(organisation), fillvalue=""
    ):
        pdf.cell(width, 5, latin1(left))
        pdf.cell(width, 5, latin1(right), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
