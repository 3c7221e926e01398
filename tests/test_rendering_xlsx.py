"""The one XLSX writer: cells, formats, tables and widths, checked on the saved file."""

import datetime as dt

import openpyxl
import pandas as pd

from arkit.rendering.xlsx import Sheet, area, new_workbook, write_cell


def saved(tmp_path, book):
    book.save(tmp_path / "t.xlsx")
    return openpyxl.load_workbook(tmp_path / "t.xlsx")


def test_cells_are_typed_and_text_never_runs(tmp_path):
    book = new_workbook()
    sheet = book.create_sheet("S")
    shown = [write_cell(sheet, 1, c, v)[1] for c, v in enumerate(
        ["=SUM(A1)", "-x", 1234.5, 7, pd.Timestamp("2026-03-01"), True, None, float("nan")], start=1)]
    # widths by hand: len of the text, "1,234.50" + 1, "7", a date, a bool, nothing
    assert shown == [8, 2, 9, 1, 10, 5, 0, 0]
    got = saved(tmp_path, book)["S"]
    assert (got["A1"].value, got["A1"].data_type, got["A1"].quotePrefix) == ("=SUM(A1)", "s", True)
    assert got["B1"].quotePrefix
    assert (got["C1"].value, got["C1"].number_format) == (1234.5, "#,##0.00;-#,##0.00")
    assert (got["D1"].value, got["D1"].number_format) == (7, "#,##0")
    assert got["E1"].value == dt.datetime(2026, 3, 1) and got["E1"].number_format == "yyyy-mm-dd"
    assert got["F1"].value is True and got["G1"].value is None and got["H1"].value is None


def test_table_headings_kinds_empty_and_widths(tmp_path):
    book = new_workbook()
    sheet = Sheet.add(book, "T")
    frame = pd.DataFrame({"name": ["ACME", "A much longer customer name"], "open": [1.5, 1234567.25],
                          "pct": [12.5, 3.0]})
    end = sheet.table(2, frame, {"name": "Customer", "open": "Open", "pct": "%"}, ["general", "money", "percent"])
    assert end == 5 and area(2, end - 1, 3) == "A2:C4"
    after = sheet.table(end, frame.iloc[:0], {"name": "Customer"}, empty="Nothing open.")
    assert after == end + 2
    sheet.fit()
    got = saved(tmp_path, book)["T"]
    assert [got.cell(2, c).value for c in (1, 2, 3)] == ["Customer", "Open", "%"]
    assert got["A2"].font.bold and got["A2"].fill.fgColor.rgb == "00DDE4EE"
    assert got["B2"].alignment.horizontal == "right" and got["A2"].alignment.horizontal is None
    assert got["C3"].number_format == "0.0" and got["B4"].number_format == "#,##0.00;-#,##0.00"
    assert got.cell(end + 1, 1).value == "Nothing open."
    # widths by hand: 27 characters + 2; "1,234,567.25" is 12 + 1, + 2; "%" and 4.0 etc. give the minimum 9
    widths = {k: got.column_dimensions[k].width for k in "ABC"}
    assert widths == {"A": 29, "B": 15, "C": 9}
