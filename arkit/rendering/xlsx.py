"""THE one XLSX writer: workbooks, cells, number formats, heading style, tables and widths.

Every workbook arkit writes (report pack, reconciliation, statements) is built here with
openpyxl. Text from the data is always a text cell (the formula-injection guard of
:mod:`arkit.rendering.safety`), numbers and dates are typed and formatted, and each column is
as wide as its widest value (9 to 60 characters).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence

import pandas as pd

from arkit.rendering.safety import FORMULA_START

__all__ = ["MONEY_FORMAT", "COUNT_FORMAT", "PERCENT_FORMAT", "RATE_FORMAT", "DATE_FORMAT", "FORMATS",
           "NUMERIC_KINDS", "Sheet", "area", "new_workbook", "write_cell"]

MONEY_FORMAT = "#,##0.00;-#,##0.00"
COUNT_FORMAT = "#,##0"
PERCENT_FORMAT = "0.0"
RATE_FORMAT = "0.0000"
DATE_FORMAT = "yyyy-mm-dd"
#: A kind of column -> its number format; other kinds ("general", "text") take write_cell's default.
FORMATS = {"money": MONEY_FORMAT, "count": COUNT_FORMAT, "percent": PERCENT_FORMAT, "rate": RATE_FORMAT,
           "date": DATE_FORMAT}
#: Kinds whose headings and cells are right-aligned.
NUMERIC_KINDS = ("money", "count", "percent", "rate")
HEADING_FILL = "DDE4EE"
#: Fonts by name: openpyxl ``Font`` options.
FONTS = {"bold": {"bold": True}, "title": {"bold": True, "size": 14}, "name": {"bold": True, "size": 12}}


def write_cell(sheet, row: int, column: int, value, number_format: str | None = None):
    """Write one value to an openpyxl sheet safely; return the cell and the width it shows.

    Text stays text: openpyxl would store a str starting with "=" as a formula, so the cell is
    typed as text, and text that starts like a formula gets Excel's quote prefix so that it stays
    text when someone edits it. Dates are dates; numbers take ``number_format`` (money for
    floats by default). Missing values leave the cell empty.
    """
    cell = sheet.cell(row=row, column=column)
    if value is None or (not isinstance(value, (str, list, tuple)) and bool(pd.isna(value))):
        return cell, 0
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        value = pd.Timestamp(value).date()
    elif hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, str):
        cell.value = value
        cell.data_type = "s"
        if value.startswith(FORMULA_START):
            cell.quotePrefix = True
        return cell, len(value)
    if isinstance(value, dt.date):
        cell.value, cell.number_format = value, DATE_FORMAT
        return cell, 10
    if isinstance(value, bool):
        cell.value = value
        return cell, 5
    if isinstance(value, (int, float)):
        cell.value = value
        cell.number_format = number_format or (MONEY_FORMAT if isinstance(value, float) else COUNT_FORMAT)
        return cell, len(f"{value:,.2f}") + 1 if isinstance(value, float) else len(f"{value:,}")
    cell.value, cell.data_type = str(value), "s"
    return cell, len(str(value))


def new_workbook():
    """An empty openpyxl workbook: no sheets yet (add them with :meth:`Sheet.add`)."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    return workbook


def area(top: int, bottom: int, columns: int) -> str:
    """The range of rows ``top`` to ``bottom`` over ``columns`` columns (at least one): ``A1:F9``."""
    from openpyxl.utils import get_column_letter

    return f"A{top}:{get_column_letter(max(columns, 1))}{bottom}"


def _style(cell, font: str | None, heading: bool, right: bool) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    if font is not None:
        cell.font = Font(**FONTS[font])
    if heading:
        cell.fill = PatternFill("solid", fgColor=HEADING_FILL)
    if right:
        cell.alignment = Alignment(horizontal="right")


class Sheet:
    """Writes cells on one worksheet: text always as text, numbers and dates typed; tracks widths.

    Examples
    --------
    >>> book = new_workbook()
    >>> sheet = Sheet.add(book, "Lines")
    >>> sheet.table(1, pd.DataFrame({"customer": ["=1+2"], "open": [1250.5]}), {"customer": "Customer", "open": "Open"})
    3
    >>> cell = sheet.sheet["A2"]
    >>> cell.value, cell.data_type, sheet.sheet["B2"].number_format
    ('=1+2', 's', '#,##0.00;-#,##0.00')
    """

    def __init__(self, sheet):
        self.sheet = sheet
        self.widths: dict[int, int] = {}

    @classmethod
    def add(cls, workbook, name: str) -> Sheet:
        return cls(workbook.create_sheet(name))

    def put(self, row: int, column: int, value, kind: str = "general", font: str | None = None,
            heading: bool = False, right: bool = False, measure: bool = True):
        """Write ``value``; ``kind`` picks its number format (:data:`FORMATS`), ``font`` a
        :data:`FONTS` name, ``heading`` the heading fill; ``measure=False`` lets it run over
        the empty cells to its right without widening its column."""
        cell, shown = write_cell(self.sheet, row, column, value, FORMATS.get(kind))
        if font is not None or heading or right:
            _style(cell, font, heading, right)
        if measure:
            self.widths[column] = max(self.widths.get(column, 0), shown)
        return cell

    def table(self, top: int, frame: pd.DataFrame, headings: Mapping[str, str] | None = None,
              kinds: Sequence[str] | None = None, *, value: Callable[[str, object], object] | None = None,
              empty: str | None = None) -> int:
        """Headings (bold, filled) on row ``top`` and the rows of ``frame`` below; returns the
        first row after the table.

        ``headings`` is column -> heading in the order shown (default: every column under its
        name); ``kinds`` the kind of each shown column (default "general": write_cell's own
        formats); numeric kinds are right-aligned. ``value(column, value)`` turns a value into
        what is written. ``empty`` is written under the headings of a table without rows.
        """
        if headings is None:
            headings = {c: str(c) for c in frame.columns}
        columns = list(headings)
        kinds = list(kinds) if kinds is not None else ["general"] * len(columns)
        for index, (column, kind) in enumerate(zip(columns, kinds), start=1):
            self.put(top, index, headings[column], font="bold", heading=True, right=kind in NUMERIC_KINDS)
        row = top + 1
        if not len(frame) and empty is not None:
            self.put(row, 1, empty, measure=False)
            return row + 1
        for record in frame[columns].itertuples(index=False, name=None):
            for index, (column, cell, kind) in enumerate(zip(columns, record, kinds), start=1):
                self.put(row, index, value(column, cell) if value else cell, kind)
            row += 1
        return row

    def fit(self) -> None:
        """Set each column as wide as its widest measured value plus 2, from 9 to 60."""
        from openpyxl.utils import get_column_letter

        for column, width in self.widths.items():
            self.sheet.column_dimensions[get_column_letter(column)].width = min(max(width + 2, 9), 60)
