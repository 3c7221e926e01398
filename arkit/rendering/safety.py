"""Safe exports: text from the data never becomes a spreadsheet formula."""

from __future__ import annotations

import datetime as dt

import pandas as pd

__all__ = ["protect_formulas", "write_cell", "MONEY_FORMAT", "DATE_FORMAT"]

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MONEY_FORMAT = "#,##0.00;-#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"


def protect_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula with an apostrophe.

    Only text columns are touched: negative numbers stay numbers.

    Examples
    --------
    >>> protect_formulas(pd.DataFrame({"name": ["=HYPERLINK(1)", "ACME", "-x"], "amount": [-1.5, 2.0, 3.0]}))
                name  amount
    0  '=HYPERLINK(1)    -1.5
    1           ACME     2.0
    2            '-x     3.0
    """
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_string_dtype(out[column]) or out[column].dtype == object:
            text = out[column]
            risky = text.astype("str").str.startswith(FORMULA_START) & text.notna()
            out[column] = text.where(~risky, "'" + text.astype("str"))
    return out


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
        cell.number_format = number_format or (MONEY_FORMAT if isinstance(value, float) else "#,##0")
        return cell, len(f"{value:,.2f}") + 1 if isinstance(value, float) else len(f"{value:,}")
    cell.value, cell.data_type = str(value), "s"
    return cell, len(str(value))
