"""Safe exports: text from the data never becomes a spreadsheet formula.

:func:`protect_formulas` guards CSV files; :func:`arkit.rendering.xlsx.write_cell` applies the
same :data:`FORMULA_START` rule to every XLSX cell.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["FORMULA_START", "protect_formulas"]

#: What a spreadsheet reads as the start of a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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
