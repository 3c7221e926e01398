"""The one HTML-table helper: statements, dashboards and every other page build tables here.

Every value is escaped, so text from a ledger (a customer name with ``<script>``) shows as
text. Layout choices are the caller's: which columns and headings, how each value reads, the
class of each cell (``num`` for right-aligned figures, ``date``), attributes of each row (a
``data-customer-id`` the page's script reads) and whether the first column is a row header.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence

import pandas as pd

Kind = Mapping[str, str] | Callable[[str, object], str] | None


def escape(value) -> str:
    """``value`` as HTML text: ``None`` and missing values are empty, quotes escaped."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    return html.escape(str(value), quote=True)


def _attributes(classes: str, extra: Mapping[str, object] | None = None) -> str:
    pairs = [("class", classes)] if classes else []
    pairs += list((extra or {}).items())
    return "".join(f' {name}="{escape(value)}"' for name, value in pairs)


def table(frame: pd.DataFrame, headings: Mapping[str, str] | Sequence[str] | None = None, *,
          text: Mapping[str, Callable[[object], str]] | Callable[[str, object], str] | None = None,
          kinds: Kind = None, row_attributes: Callable[[dict], Mapping[str, object]] | None = None,
          row_headers: bool = False, classes: str = "", empty: str | None = "Nothing here.",
          lines: bool = False) -> str:
    """``frame`` as an HTML ``<table>``, every heading and value escaped.

    Parameters
    ----------
    frame
        The rows to show.
    headings
        Column -> heading, in the order shown (default: every column, named as it is). A list
        shows those columns under their own names.
    text
        How a value reads: column -> ``function(value)``, or one ``function(column, value)``
        (default: ``str``, with ``None``, NaN and NA empty); a given function sees missing
        values too. The result is escaped.
    kinds
        The class of a column's cells and heading (column -> ``"num"``), or a
        ``function(column, value)`` giving a cell's class; its heading gets
        ``function(column, None)``.
    row_attributes
        ``function(record)`` -> attributes of the row's ``<tr>`` (e.g. ``{"data-id": ...}``).
    row_headers
        The first column's cells are ``<th>`` (a table read across).
    classes
        The table's ``class``.
    empty
        Shown as ``<p class="empty">`` instead of a table without rows (``None``: an empty table).
    lines
        One line per row (a page saved to disk reads well in an editor); otherwise one line.

    Examples
    --------
    >>> frame = pd.DataFrame({"name": ["<b>A&B</b>"], "amount": [1234.5]})
    >>> table(frame, {"name": "Customer", "amount": "Open"}, kinds={"amount": "num"},
    ...       text={"amount": "{:,.2f}".format})
    '<table><thead><tr><th>Customer</th><th class="num">Open</th></tr></thead><tbody><tr><td>&lt;b&gt;A&amp;B&lt;/b&gt;</td><td class="num">1,234.50</td></tr></tbody></table>'
    >>> table(frame.iloc[:0], empty="No open items.")
    '<p class="empty">No open items.</p>'
    """
    if headings is None:
        headings = {str(c): str(c) for c in frame.columns}
    elif not isinstance(headings, Mapping):
        headings = {str(c): str(c) for c in headings}
    if not len(frame) and empty is not None:
        return f'<p class="empty">{escape(empty)}</p>'
    columns = list(headings)

    def kind(column: str, value) -> str:
        if kinds is None:
            return ""
        return kinds(column, value) if callable(kinds) else kinds.get(column, "")

    def shown(column: str, value) -> str:
        if text is None:
            return escape(value)
        if callable(text):
            return escape(text(column, value))
        return escape(text[column](value) if column in text else value)

    nl = "\n" if lines else ""
    head = "".join(f"<th{_attributes(kind(c, None))}>{escape(headings[c])}</th>" for c in columns)
    rows = []
    for record in frame[columns].to_dict("records"):
        cells = []
        for i, column in enumerate(columns):
            tag = "th" if row_headers and i == 0 else "td"
            value = record[column]
            cells.append(f"<{tag}{_attributes(kind(column, value))}>{shown(column, value)}</{tag}>")
        extra = row_attributes(record) if row_attributes else None
        rows.append(f"<tr{_attributes('', extra)}>{''.join(cells)}</tr>")
    return (f"<table{_attributes(classes)}>{nl}<thead><tr>{head}</tr></thead>{nl}<tbody>{nl}"
            f"{nl.join(rows)}{nl}</tbody>{nl}</table>")
