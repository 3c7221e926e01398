"""Statement rendering: a statement of account as an Excel workbook, an HTML page and a PDF.

The statement itself (:class:`arkit.Statement`, built by :func:`arkit.statement`) is computed in
:mod:`arkit.statements`; this module only presents it. The workbook is written with
:mod:`arkit.rendering.xlsx`, the page's tables with :func:`arkit.rendering.html.table`, the PDF
with fpdf2.
"""

from __future__ import annotations

import datetime as dt
import html
import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from arkit.errors import ArkitError
from arkit.rendering.html import table
from arkit.rendering.xlsx import Sheet, new_workbook

if TYPE_CHECKING:
    from arkit.statements import Statement, StatementSection

__all__ = ["TITLE", "to_html", "to_pdf", "to_xlsx"]

TITLE = "Statement of account"


# -- shared presentation helpers --------------------------------------------------------------

OPEN_ITEM_HEADINGS = {"document_id": "Document", "doc_type": "Type", "doc_date": "Date", "due_date": "Due",
                      "reference": "Reference", "amount": "Amount", "open_amount": "Open",
                      "days_past_due": "Days past due", "bucket": "Bucket"}
RECENT_HEADINGS = {"document_id": "Document", "doc_type": "Type", "doc_date": "Date", "reference": "Reference",
                   "amount": "Amount", "applied": "Applied", "unapplied": "Unapplied", "applied_to": "Applied to"}
MONEY_COLUMNS = {"amount", "open_amount", "applied", "unapplied", "total"}
DATE_COLUMNS = {"doc_date", "due_date"}
DOC_TYPE_NAMES = {"invoice": "Invoice", "credit_memo": "Credit memo", "debit_memo": "Debit memo",
                  "payment": "Payment", "adjustment": "Adjustment", "write_off": "Write-off"}


def _missing(value) -> bool:
    return value is None or (not isinstance(value, (str, list, tuple)) and bool(pd.isna(value)))


def _plain(value, column: str = ""):
    """A cell value as a Python scalar: date, float, int, str or None."""
    if _missing(value):
        return None
    if column in DATE_COLUMNS or isinstance(value, (pd.Timestamp, dt.datetime)):
        return pd.Timestamp(value).date()
    if column == "doc_type":
        return DOC_TYPE_NAMES.get(str(value), str(value))
    if hasattr(value, "item"):
        return value.item()
    return value


def _text(value, column: str = "") -> str:
    """A value as display text: money with thousands separators and two decimals, ISO dates."""
    value = _plain(value, column)
    if value is None:
        return ""
    if column in MONEY_COLUMNS:
        return f"{float(value):,.2f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _header_pairs(st: Statement) -> list[tuple[str, str | float | dt.date]]:
    pairs: list[tuple[str, object]] = [("Customer", st.customer_name or st.customer_id),
                                        ("Customer ID", st.customer_id), ("As of", st.as_of)]
    for label, value in (("Terms", st.terms), ("Credit limit", st.credit_limit), ("Collector", st.collector),
                         ("Region", st.region)):
        if value is not None:
            pairs.append((label, value))
    return pairs


def _aging_cells(section: StatementSection) -> list[tuple[str, float]]:
    row = section.aging.iloc[0]
    labels = [c for c in section.aging.columns if c not in ("currency", "total")]
    return [(label, float(row[label])) for label in labels] + [("Total due", float(row["total"]))]


def _section_title(section: StatementSection) -> str:
    text = f"Amounts in {section.currency}: total due {_text(section.total_due, 'total')}"
    return text + " (a credit balance)" if section.total_due < 0 else text


def _title(st: Statement) -> str:
    return f"{TITLE}: {st.customer_name or st.customer_id} as of {st.as_of.isoformat()}"


# -- XLSX -------------------------------------------------------------------------------------


def to_xlsx(statement: Statement, path) -> Path:
    """Write a statement as an Excel workbook: one sheet per currency.

    Each sheet has a title block, the aging row, the open items (header frozen) and the
    recent activity. Money is numeric with ``#,##0.00;-#,##0.00``, dates are Excel dates, and
    text from the data is always a text cell: a name starting with ``=`` never runs.

    Examples
    --------
    >>> import tempfile, openpyxl
    >>> from arkit import Ledger
    >>> from arkit.statements import statement
    >>> items = pd.DataFrame({"document_id": ["INV1"], "customer_id": ["C1"],
    ...                       "doc_date": ["2026-01-01"], "amount": [100.0]})
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = to_xlsx(statement(Ledger(items), "C1", "2026-03-15"), f"{folder}/s.xlsx")
    ...     sheet = openpyxl.load_workbook(path).active
    ...     sheet["A1"].value, sheet.freeze_panes
    ('Statement of account', 'A10')
    """
    workbook = new_workbook()
    for section in statement.sections:
        sheet = Sheet.add(workbook, "Statement" if len(statement.sections) == 1 else f"Statement {section.currency}")
        # title and name may run over the empty cells to their right: they set no width
        sheet.put(1, 1, TITLE, font="title", measure=False)
        sheet.put(2, 1, statement.customer_name or statement.customer_id, font="name", measure=False)
        pairs = [pair for pair in _header_pairs(statement) if pair[0] != "Customer"]
        pairs.append(("Currency", section.currency))
        for index, (label, value) in enumerate(pairs):
            row, column = 3 + index // 4, 1 + 2 * (index % 4)
            sheet.put(row, column, label, font="bold")
            sheet.put(row, column + 1, value, "money")
        row = 3 + (len(pairs) + 3) // 4 + 1
        for column, (label, amount) in enumerate(_aging_cells(section), start=1):
            sheet.put(row, column, label, font="bold", heading=True, right=True)
            sheet.put(row + 1, column, amount, font="bold" if label == "Total due" else None)
        row += 3
        sheet.put(row, 1, "Open items", font="bold", measure=False)
        header_row = row + 1
        row = _xlsx_table(sheet, header_row, section.open_items, OPEN_ITEM_HEADINGS, "No open items.")
        sheet.sheet.freeze_panes = f"A{header_row + 1}"
        sheet.sheet.print_title_rows = f"{header_row}:{header_row}"
        row += 1
        sheet.put(row, 1, f"Recent activity: {statement.recent_days} days to {statement.as_of.isoformat()}",
                  font="bold", measure=False)
        _xlsx_table(sheet, row + 1, section.recent, RECENT_HEADINGS,
                    "No payments, credits, write-offs or adjustments in this period.")
        sheet.fit()
        setup = sheet.sheet.page_setup
        setup.orientation, setup.fitToWidth, setup.fitToHeight = "landscape", 1, 0
        sheet.sheet.sheet_properties.pageSetUpPr.fitToPage = True
    workbook.properties.title = _title(statement)
    path = Path(path)
    workbook.save(path)
    return path


def _xlsx_table(sheet: Sheet, row: int, frame: pd.DataFrame, headings: dict[str, str], empty: str) -> int:
    """Write headings and rows from ``row``; return the first row after the table."""
    kinds = ["money" if c in MONEY_COLUMNS else "count" if c == "days_past_due" else "general" for c in headings]
    return sheet.table(row, frame, headings, kinds, value=_cell_value, empty=empty)


def _cell_value(column: str, value):
    value = _plain(value, column)
    return float(value) if column in MONEY_COLUMNS and value is not None else value


# -- HTML -------------------------------------------------------------------------------------

_CSS = """
@page { margin: 14mm 12mm; }
* { box-sizing: border-box; }
body { font: 10pt/1.35 "Helvetica Neue", Arial, sans-serif; color: #111; margin: 0 auto; max-width: 190mm;
       padding: 8mm 0; }
h1 { font-size: 17pt; margin: 0 0 4mm; }
h2 { font-size: 12.5pt; margin: 6mm 0 2mm; }
h3 { font-size: 10.5pt; margin: 5mm 0 1.5mm; }
dl.header { display: grid; grid-template-columns: max-content 1fr max-content 1fr; gap: 1mm 4mm; margin: 0; }
dl.header dt { font-weight: bold; }
dl.header dd { margin: 0; }
table { border-collapse: collapse; width: 100%; font-size: 9pt; }
th, td { padding: 1.2mm 1.8mm; border-bottom: 0.2mm solid #c8ccd2; text-align: left; vertical-align: top; }
th { background: #dde4ee; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.date { white-space: nowrap; }
tr.total td, td.total { font-weight: bold; }
p.empty { color: #555; font-style: italic; }
thead { display: table-header-group; }
@media print {
  body { max-width: none; padding: 0; }
  section.currency + section.currency { break-before: page; page-break-before: always; }
  tr, dl.header { break-inside: avoid; page-break-inside: avoid; }
  th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def _e(value, column: str = "") -> str:
    return html.escape(_text(value, column), quote=True)


def _kind(column: str, value=None) -> str:
    if column in MONEY_COLUMNS or column == "days_past_due":
        return "num"
    return "date" if column in DATE_COLUMNS else ""


def _html_table(frame: pd.DataFrame, headings: dict[str, str], empty: str) -> str:
    return table(frame, headings, text=lambda column, value: _text(value, column), kinds=_kind, empty=empty, lines=True)


def _html_aging(section: StatementSection) -> str:
    aging = _aging_cells(section)
    row = pd.DataFrame([[amount for _, amount in aging]], columns=[label for label, _ in aging])

    def kind(label: str, amount) -> str:
        return "num total" if label == "Total due" and amount is not None else "num"

    return table(row, text=lambda label, amount: _text(amount, "total"), kinds=kind, empty=None)


def to_html(statement: Statement) -> str:
    """The statement as a printable HTML page (inline CSS, fits A4 and Letter); all data escaped.

    Examples
    --------
    >>> from arkit import Ledger
    >>> from arkit.statements import statement
    >>> items = pd.DataFrame({"document_id": ["INV1"], "customer_id": ["C1"],
    ...                       "doc_date": ["2026-01-01"], "amount": [100.0]})
    >>> customers = pd.DataFrame({"customer_id": ["C1"], "customer_name": ["<b>Bold & Co</b>"]})
    >>> page = to_html(statement(Ledger(items, customers=customers), "C1", "2026-03-15"))
    >>> "&lt;b&gt;Bold &amp; Co&lt;/b&gt;" in page, "<b>" in page
    (True, False)
    """
    st = statement
    header = "\n".join(
        f"<dt>{html.escape(label)}</dt><dd>{_e(value, 'total' if label == 'Credit limit' else '')}</dd>"
        for label, value in _header_pairs(st)
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(_title(st))}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f"<header><h1>{html.escape(TITLE)}</h1>",
        f'<dl class="header">\n{header}\n</dl></header>',
    ]
    for section in st.sections:
        parts += [
            f'<section class="currency" data-currency="{html.escape(section.currency)}">',
            f"<h2>{html.escape(_section_title(section))}</h2>",
            "<h3>Aging</h3>",
            _html_aging(section),
            "<h3>Open items</h3>",
            _html_table(section.open_items, OPEN_ITEM_HEADINGS, "No open items."),
            f"<h3>Recent activity: {st.recent_days} days to {_e(st.as_of)}</h3>",
            _html_table(section.recent, RECENT_HEADINGS,
                        "No payments, credits, write-offs or adjustments in this period."),
            "</section>",
        ]
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


# -- PDF --------------------------------------------------------------------------------------


def _unicode_font() -> tuple[str, str] | None:
    """Regular and bold DejaVu Sans as shipped with matplotlib (a dependency of arkit)."""
    spec = importlib.util.find_spec("matplotlib")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        fonts = Path(folder) / "mpl-data" / "fonts" / "ttf"
        regular, bold = fonts / "DejaVuSans.ttf", fonts / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            return str(regular), str(bold)
    return None


def to_pdf(statement: Statement, path, *, page_size: str = "A4") -> Path:
    """Write the statement as a PDF (fpdf2), ``page_size`` ``"A4"`` or ``"Letter"``.

    Text in Latin-1 is set in Helvetica; a statement with other characters embeds DejaVu
    Sans, which covers the Latin, Greek and Cyrillic scripts.

    Examples
    --------
    >>> import tempfile
    >>> from arkit import Ledger
    >>> from arkit.statements import statement
    >>> items = pd.DataFrame({"document_id": ["INV1"], "customer_id": ["C1"],
    ...                       "doc_date": ["2026-01-01"], "amount": [100.0]})
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = to_pdf(statement(Ledger(items), "C1", "2026-03-15"), f"{folder}/s.pdf")
    ...     path.read_bytes()[:5]
    b'%PDF-'
    """
    try:
        from fpdf.errors import FPDFUnicodeEncodingException
    except ImportError:  # pragma: no cover - fpdf2 is a dependency
        raise ArkitError("PDF statements need fpdf2: pip install fpdf2") from None
    if not isinstance(page_size, str) or page_size.lower() not in ("a4", "letter"):
        raise ArkitError(f"page_size must be 'A4' or 'Letter', got {page_size!r}")
    # Helvetica needs no font file: seven times faster than embedding one, so it is tried first
    try:
        pdf = _render_pdf(statement, page_size.lower(), None)
    except FPDFUnicodeEncodingException:
        pdf = _render_pdf(statement, page_size.lower(), _unicode_font() or ())
    path = Path(path)
    pdf.output(str(path))
    return path


def _render_pdf(st: Statement, page_size: str, font: tuple[str, str] | None):
    """The laid-out document; ``font`` None: Helvetica; () no Unicode font found: Helvetica, lossy."""
    from fpdf import FPDF, FontFace

    footer = f"{st.customer_name or st.customer_id} ({st.customer_id}), statement as of {st.as_of.isoformat()}"

    class StatementPDF(FPDF):
        def footer(self):  # every page says whose statement it is: pages get separated
            self.set_y(-10)
            self.set_font(family, "", 7.5)
            self.cell(0, 5, clean(f"{footer}, page {self.page_no()} of {{nb}}"), align="C")

    pdf = StatementPDF(orientation="portrait", unit="mm", format=page_size)
    if font:
        family = "DejaVu"
        pdf.add_font(family, "", font[0])
        pdf.add_font(family, "B", font[1])

        def clean(text: str) -> str:
            return text
    else:
        family = "helvetica"

        def clean(text: str) -> str:
            return text if font is None else text.encode("latin-1", "replace").decode("latin-1")

    pdf.set_title(clean(_title(st)))
    pdf.set_creator("arkit")
    # a fixed creation date keeps the same statement byte-for-byte reproducible
    pdf.set_creation_date(dt.datetime.combine(st.as_of, dt.time(), tzinfo=dt.timezone.utc))
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.set_margins(12, 12, 12)
    pdf.add_page()
    width = pdf.epw
    heading = FontFace(emphasis="BOLD", fill_color=(221, 228, 238))

    pdf.set_font(family, "B", 16)
    pdf.cell(0, 9, clean(TITLE), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 9)
    pairs = _header_pairs(st)
    with pdf.table(width=width, col_widths=(14, 36, 14, 36), first_row_as_headings=False,
                   borders_layout="NONE", text_align="LEFT", line_height=4.8, padding=(0.4, 1)) as table:
        for start in range(0, len(pairs), 2):
            row = table.row()
            for label, value in pairs[start:start + 2]:
                row.cell(clean(label), style=FontFace(emphasis="BOLD"))
                row.cell(clean(_text(value, "total" if label == "Credit limit" else "")))
    for index, section in enumerate(st.sections):
        if index:
            pdf.add_page()
        pdf.ln(3)
        pdf.set_font(family, "B", 12)
        pdf.cell(0, 7, clean(_section_title(section)), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, "", 8.5)
        aging = _aging_cells(section)
        with pdf.table(width=width, headings_style=heading, text_align="RIGHT", line_height=5) as table:
            table.row([clean(label) for label, _ in aging])
            table.row([_text(amount, "total") for _, amount in aging])
        _pdf_table(pdf, family, clean, heading, "Open items", section.open_items, OPEN_ITEM_HEADINGS,
                   (24, 20, 20, 20, 28, 22, 22, 14, 16), "No open items.")
        _pdf_table(pdf, family, clean, heading, f"Recent activity: {st.recent_days} days to {st.as_of.isoformat()}",
                   section.recent, RECENT_HEADINGS, (24, 20, 20, 26, 22, 22, 22, 30),
                   "No payments, credits, write-offs or adjustments in this period.")
    return pdf


def _pdf_table(pdf, family: str, clean, heading, title: str, frame: pd.DataFrame, headings: dict[str, str],
               widths: tuple[int, ...], empty: str) -> None:
    pdf.ln(3)
    pdf.set_font(family, "B", 10)
    pdf.cell(0, 6, clean(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 8)
    if not len(frame):
        pdf.cell(0, 5, clean(empty), new_x="LMARGIN", new_y="NEXT")
        return
    columns = list(headings)
    align = tuple("RIGHT" if c in MONEY_COLUMNS or c == "days_past_due" else "LEFT" for c in columns)
    with pdf.table(width=pdf.epw, col_widths=widths, headings_style=heading, text_align=align,
                   line_height=4.6, padding=(0.6, 1)) as table:
        table.row([clean(headings[c]) for c in columns])
        for record in frame[columns].itertuples(index=False, name=None):
            table.row([clean(_text(value, column)) for column, value in zip(columns, record)])
