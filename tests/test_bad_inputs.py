"""Malformed and hostile files: each gets a clear ArkitError or quarantined rows, never silent loss.

Every case writes its bytes to a temporary folder from the table below; the expected outcome of
each was worked out by hand from those bytes (never copied from what the loader says).
Error cases also run through the CLI (in parallel, to keep the module fast): exit 1, one line
``arkit: error: ...`` on stderr, no traceback.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import gzip
import io
import os
import re
import struct
import subprocess
import sys
import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Callable

import openpyxl
import pandas as pd
import pytest
import yaml

import arkit
from arkit import ArkitError

HEADER = "document_id,customer_id,doc_date,amount,customer_name"


# ---------------------------------------------------------------------------------------------
# Builders: bytes, or a function that writes the file (xlsx, parquet)
# ---------------------------------------------------------------------------------------------

def lines(*rows: str, end: str = "\n") -> str:
    return end.join(rows) + end


def utf8(*rows: str, end: str = "\n") -> bytes:
    return lines(*rows, end=end).encode("utf-8")


def csv_bytes(rows: list[list[str]], delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def png_bytes() -> bytes:
    """A real 1x1 PNG image."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
            + chunk(b"IEND", b""))


def xlsx_bytes() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Items"
    sheet.append(HEADER.split(","))
    sheet.append(["INV-1", "C1", dt.date(2026, 1, 1), 10.0, "Alpha"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


DATA_ROWS = [
    ["INV-210", "C210", dt.date(2026, 1, 1), 100.0, "Alpha"],
    ["INV-211", "C211", dt.date(2026, 1, 2), 200.0, "Beta"],
    ["INV-212", "C212", dt.date(2026, 1, 3), "abc", "Gamma"],  # row 4 of the sheet: unreadable amount
]


def workbook_with_chart_first(path: Path) -> None:
    from openpyxl.chart import BarChart, Reference

    book = openpyxl.Workbook()
    data = book.active
    data.title = "Data"
    data.append(HEADER.split(","))
    for row in DATA_ROWS:
        data.append(row)
    chart = BarChart()
    chart.add_data(Reference(data, min_col=4, min_row=1, max_row=3), titles_from_data=True)
    chartsheet = book.create_chartsheet("Chart", 0)
    chartsheet.add_chart(chart)
    book.save(path)


def workbook_with_cover_first(path: Path) -> None:
    book = openpyxl.Workbook()
    cover = book.active
    cover.title = "Cover"
    cover["A1"] = "Q1 receivables export"
    data = book.create_sheet("Data")
    data.append(HEADER.split(","))
    for row in DATA_ROWS:
        data.append(row)
    book.save(path)


def workbook(rows: list[list]) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "AR"
        for row in rows:
            sheet.append(row)
        book.save(path)
    return build


def parquet(columns: dict[str, list]) -> Callable[[Path], None]:
    def build(path: Path) -> None:
        pd.DataFrame(columns).to_parquet(path, index=False)
    return build


# ---------------------------------------------------------------------------------------------
# Expected outcomes and checks on the loaded ledger
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Loads:
    loaded: int
    rejected: int
    amount_loaded: str
    amount_rejected: str
    rejects: tuple[tuple[int, str], ...] = ()  # (line or sheet row, regex the reason must match)
    check: Callable | None = None


@dataclass(frozen=True)
class Case:
    id: str
    name: str
    build: bytes | Callable[[Path], None]
    expect: Loads | tuple[str, ...]  # Loads, or regexes the error message must match
    options: dict = field(default_factory=dict)


def items(result) -> pd.DataFrame:
    return result.ledger.items


def values(result, column: str) -> list:
    return [None if pd.isna(v) else v for v in items(result)[column].tolist()]


def days(result, column: str = "doc_date") -> list[str]:
    return [v.strftime("%Y-%m-%d") for v in items(result)[column]]


def names_are(*expected: str) -> Callable:
    def check(result):
        assert values(result, "customer_name") == list(expected)
    return check


def dates_are(*expected: str) -> Callable:
    def check(result):
        assert days(result) == list(expected)
    return check


def check_duplicate_header(result):
    assert any("note" in w.lower() for w in result.report.warnings), result.report.warnings
    frame = items(result).astype("str")
    holding_first = [c for c in frame.columns if frame[c].tolist() == ["first", "alpha"]]
    holding_second = [c for c in frame.columns if frame[c].tolist() == ["second", "beta"]]
    assert holding_first and holding_second and holding_first != holding_second, frame.columns.tolist()


def check_skipped_total(result):
    assert result.report.skipped["line"].astype(int).tolist() == [4]


def check_currency_amounts(result):
    assert values(result, "amount") == [1234.50, -99.95, -250.00, 10.00, 5.00, -7.25, 1.00]


def check_float_ids(result):
    assert values(result, "document_id") == ["1930571429", "1930571430"]
    assert values(result, "customer_id") == ["100234", "100235"]
    assert any("document_id" in w for w in result.report.warnings), result.report.warnings


def check_leading_zeros(result):
    assert values(result, "document_id") == ["000123", "000124", "0000000000"]
    assert values(result, "customer_id") == ["0042", "0042", "007"]


def check_parquet_zeros(result):
    assert values(result, "document_id") == ["000987", "000988"]
    assert values(result, "customer_id") == ["00042", "00043"]


def check_null_markers(result):
    assert days(result, "due_date") == ["2026-01-01", "2026-02-01", "2026-01-03"]
    assert values(result, "currency") == ["USD", "EUR", "USD"]
    assert values(result, "reference") == [None, "PO-7", None]
    assert values(result, "terms") == [None, "NET30", None]


def check_signed_amounts(result):
    assert values(result, "amount") == [-12.50, -5.00, -2.50, -0.75, 3.00]


def check_credit_debit_marks(result):
    assert values(result, "amount") == [-12.50, -12.50, -12.50, -12.50, 100.00, 100.00, 1000.00, -7.00]


BIG_NOTE = "Remittance advice: " + "INV-0000123 paid in full; " * 6000 + "end"  # 156,022 characters: over 128 KiB


def check_big_note(result):
    assert len(BIG_NOTE) > 128 * 1024
    assert values(result, "customer_name")[1] == BIG_NOTE


def check_big_note_on_two_lines(result):
    assert values(result, "customer_name")[0] == BIG_NOTE + "\nsecond line"


def check_embedded(result):
    assert values(result, "customer_name") == ["Acme\nDivision 2", "Multi\nline\nname", "D"]


FORMULAS = ['=HYPERLINK("http://evil.example/x","click")', "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3", "=1+1"]
HTML = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "Tom & Jerry's <b>Co</b>"]


# ---------------------------------------------------------------------------------------------
# The cases
# ---------------------------------------------------------------------------------------------

CASES = [
    # -- encodings ---------------------------------------------------------------------------
    Case("utf8-bom", "items.csv",
         codecs.BOM_UTF8 + utf8(HEADER, "INV-1,C1,2026-01-05,100.00,Café Noir", "INV-2,C2,2026-01-06,250.50,Zoë Ltd",
                                end="\r\n"),
         Loads(2, 0, "350.50", "0", check=names_are("Café Noir", "Zoë Ltd"))),
    Case("cp1252-accents", "items.csv",
         lines(HEADER, "INV-10,C10,2026-02-01,1000.00,Société Générale", "INV-11,C11,2026-02-02,-200.00,Müller GmbH",
               "INV-12,C12,2026-02-03,75.25,Œuvre & Fils – Paris", end="\r\n").encode("cp1252"),
         Loads(3, 0, "875.25", "0", check=names_are("Société Générale", "Müller GmbH", "Œuvre & Fils – Paris"))),
    Case("utf16le-bom-tab-unicode-text", "items.txt",
         codecs.BOM_UTF16_LE + lines(HEADER.replace(",", "\t"), "INV-30\tC30\t2026-04-01\t1234.56\tNaïve Café SARL",
                                     "INV-31\tC31\t2026-04-02\t-34.56\t東京商事株式会社", end="\r\n").encode("utf-16-le"),
         Loads(2, 0, "1200.00", "0", check=names_are("Naïve Café SARL", "東京商事株式会社"))),
    Case("latin1", "items.csv",
         lines(HEADER, "INV-20,C20,2026-03-01,10.00,Ångström AB", "INV-21,C21,2026-03-02,20.50,Øresund A/S",
               "INV-22,C22,2026-03-03,30.25,Straße µ Ærø").encode("latin-1"),
         Loads(3, 0, "60.75", "0", check=names_are("Ångström AB", "Øresund A/S", "Straße µ Ærø"))),
    # -- delimiters and decimal separators ----------------------------------------------------
    Case("semicolon-decimal-comma-inferred", "items.csv",
         utf8(HEADER.replace(",", ";"), "INV-40;C40;2026-05-01;1.234,56;Alpha", "INV-41;C41;2026-05-02;2.500,00;Beta",
              "INV-42;C42;2026-05-03;-75,25;Gamma"),
         Loads(3, 0, "3659.31", "0")),
    Case("decimal-comma-option-thousands-dots", "items.csv",
         utf8(HEADER.replace(",", ";"), "INV-50;C50;2026-05-01;1.250;Alpha", "INV-51;C51;2026-05-02;10.000;Beta",
              "INV-52;C52;2026-05-03;2.000.000;Gamma"),
         Loads(3, 0, "2011250.00", "0"), options={"decimal": ","}),
    Case("excel-europe-bom-semicolon", "items.csv",
         codecs.BOM_UTF8 + utf8(HEADER.replace(",", ";"), "INV-55;C55;31.01.2026;1.234,50;Größe AG",
                                "INV-56;C56;15.02.2026;-34,50;Ça Va SA", end="\r\n"),
         Loads(2, 0, "1200.00", "0", check=dates_are("2026-01-31", "2026-02-15"))),
    Case("pipe-delimited", "items.txt",
         utf8(HEADER.replace(",", "|"), "INV-60|C60|2026-06-01|100.10|Smith, Jones & Co", "INV-61|C61|2026-06-02|200.20|Plain"),
         Loads(2, 0, "300.30", "0", check=names_are("Smith, Jones & Co", "Plain"))),
    Case("tab-delimited", "items.tsv",
         utf8(HEADER.replace(",", "\t"), "INV-65\tC65\t2026-06-03\t1,000.00\tTabby; Ltd", "INV-66\tC66\t2026-06-04\t5.00\tCat"),
         Loads(2, 0, "1005.00", "0", check=names_are("Tabby; Ltd", "Cat"))),
    # -- report furniture: titles, totals, blank lines -----------------------------------------
    Case("title-and-filter-lines", "items.csv",
         utf8("Accounts Receivable - Open Items", "Company: ACME Corp,Run date: 2026-07-01",
              "Filter: Customer = *,Currency = USD", "", HEADER,
              "INV-70,C70,2026-07-01,500.00,Alpha", "INV-71,C71,2026-07-02,abc,Beta", "INV-72,C72,2026-07-03,250.00,Gamma"),
         Loads(2, 1, "750.00", "0", rejects=((7, "abc"),))),
    Case("totals-row-rejected", "items.csv",
         utf8("customer_name,document_id,customer_id,doc_date,amount", "Alpha,INV-80,C80,2026-08-01,1000.00",
              "Beta,INV-81,C81,2026-08-02,500.00", "Grand total,,,,1500.00"),
         Loads(2, 1, "1500.00", "1500.00", rejects=((4, "document_id"),))),
    Case("totals-row-skip-rows", "export.csv",
         utf8("Invoice No,Customer,Invoice Date,Amount,Name", "INV-85,C85,2026-08-05,100.00,Alpha",
              "INV-86,C86,2026-08-06,200.00,Beta", "Total,,,300.00,"),
         Loads(2, 0, "300.00", "0", check=check_skipped_total),
         options={"mapping": {"columns": {"Invoice No": "document_id", "Customer": "customer_id",
                                          "Invoice Date": "doc_date", "Amount": "amount", "Name": "customer_name"},
                              "skip_rows": ["^Total"]}}),
    Case("blank-lines-between-rows", "items.csv",
         utf8(HEADER, "INV-90,C90,2026-09-01,10.00,A", "", "INV-91,C91,2026-09-02,20.00,B", ",,,,", "",
              "INV-92,C92,2026-09-03,oops,C", "", "INV-93,C93,2026-09-04,40.00,D"),
         Loads(3, 1, "70.00", "0", rejects=((7, "oops"),))),
    # -- dates -------------------------------------------------------------------------------
    Case("mixed-date-formats", "items.csv",
         utf8(HEADER, "INV-100,C100,2026-01-15,10.00,A", "INV-101,C101,2026-02-20,20.00,B",
              "INV-102,C102,15/03/2026,30.00,C", "INV-103,C103,2026-03-05,40.00,D"),
         Loads(3, 1, "70.00", "30.00", rejects=((4, "15/03/2026"),))),
    Case("ambiguous-day-month", "items.csv",
         utf8(HEADER, "INV-110,C110,01/02/2026,10.00,A", "INV-111,C111,03/04/2026,20.00,B",
              "INV-112,C112,05/06/2026,30.00,C"),
         ("--date-format",)),
    Case("ambiguous-day-month-with-date-format", "items.csv",
         utf8(HEADER, "INV-110,C110,01/02/2026,10.00,A", "INV-111,C111,03/04/2026,20.00,B",
              "INV-112,C112,05/06/2026,30.00,C"),
         Loads(3, 0, "60.00", "0", check=dates_are("2026-02-01", "2026-04-03", "2026-06-05")),
         options={"date_format": "%d/%m/%Y"}),
    Case("xlsx-excel-serial-dates", "items.xlsx",
         workbook([HEADER.split(","), ["INV-115", "C115", 46023, 100.5, "A"], ["INV-116", "C116", 46054, 200.25, "B"],
                   ["INV-117", "C117", 46082, 300, "C"]]),
         Loads(3, 0, "600.75", "0", check=dates_are("2026-01-01", "2026-02-01", "2026-03-01"))),
    Case("xlsx-datetime-cells-with-times", "items.xlsx",
         workbook([HEADER.split(","), ["INV-118", "C118", dt.datetime(2026, 1, 15, 13, 45), 1, "A"],
                   ["INV-119", "C119", dt.datetime(2026, 1, 16), 2, "B"], ["INV-120", "C120", dt.date(2026, 1, 17), 3, "C"]]),
         Loads(3, 0, "6.00", "0", check=dates_are("2026-01-15", "2026-01-16", "2026-01-17"))),
    Case("csv-timestamps-with-times", "items.csv",
         utf8(HEADER, "INV-121,C121,2026-01-15 13:45:00,10.00,A", "INV-122,C122,2026-01-16 00:00:00,20.00,B",
              "INV-123,C123,2026-01-17 23:59:59,30.00,C"),
         Loads(3, 0, "60.00", "0", check=dates_are("2026-01-15", "2026-01-16", "2026-01-17"))),
    # -- amounts -----------------------------------------------------------------------------
    Case("text-in-amount-column", "items.csv",
         utf8(HEADER, "INV-130,C130,2026-01-01,100.00,A", "INV-131,C131,2026-01-02,n/a,B",
              "INV-132,C132,2026-01-03,abc,C", "INV-133,C133,2026-01-04,50.00,D"),
         Loads(2, 2, "150.00", "0", rejects=((3, "amount.*required"), (4, "abc")))),
    Case("currency-symbols-parentheses-trailing-minus", "items.csv",
         utf8(HEADER, 'INV-140,C140,2026-01-01,"$1,234.50",A', "INV-141,C141,2026-01-02,(99.95),B",
              "INV-142,C142,2026-01-03,250.00-,C", "INV-143,C143,2026-01-04,€ 10.00,D",
              "INV-144,C144,2026-01-05,USD 5.00,E", "INV-145,C145,2026-01-06,-7.25,F", "INV-146,C146,2026-01-07,£1.00,G"),
         Loads(7, 0, "893.30", "0", check=check_currency_amounts)),
    # U+2212 minus (PDFs), figure dash, en dash, the small and fullwidth hyphen-minus; a dash alone
    # is nothing (required: rejected); an em dash before a number may be a bullet: unreadable.
    Case("unicode-minus-signs", "items.csv",
         utf8(HEADER, "INV-300,C300,2026-01-01,\u221212.50,A", "INV-301,C301,2026-01-02,\u20125.00,B",
              "INV-302,C302,2026-01-03,\u20132.50,C", "INV-303,C303,2026-01-04,\uff0d0.75,D",
              "INV-304,C304,2026-01-05,3.00,E", "INV-305,C305,2026-01-06,\u2014,F",
              "INV-306,C306,2026-01-07,\u20147.00,G", "INV-307,C307,2026-01-08,\u2212,H"),
         Loads(5, 3, "-17.75", "0", rejects=((7, "amount is required"), (8, "cannot read"), (9, "amount is required")),
               check=check_signed_amounts)),
    # CR (credit, negative) and DR (debit, positive) after or before the number, any case, with or
    # without a space; beside a minus sign or parentheses, or both at once, they contradict: rejected.
    Case("credit-debit-marks", "items.csv",
         utf8(HEADER, "INV-310,C310,2026-01-01,12.50 CR,A", "INV-311,C311,2026-01-02,12.50CR,B",
              "INV-312,C312,2026-01-03,CR 12.50,C", "INV-313,C313,2026-01-04,cr12.50,D",
              "INV-314,C314,2026-01-05,100.00 DR,E", "INV-315,C315,2026-01-06,DR100.00,F",
              'INV-316,C316,2026-01-07,"Dr 1,000.00",G', "INV-317,C317,2026-01-08,$7.00 Cr,H",
              "INV-318,C318,2026-01-09,-5.00 CR,I", "INV-319,C319,2026-01-10,(5.00) DR,J",
              "INV-320,C320,2026-01-11,CR 5.00 DR,K"),
         Loads(8, 3, "1143.00", "0", rejects=((10, "cannot read"), (11, "cannot read"), (12, "cannot read")),
               check=check_credit_debit_marks)),
    # -- sizes -------------------------------------------------------------------------------
    Case("cell-over-128-kib", "items.csv",
         csv_bytes([HEADER.split(","), ["INV-330", "C330", "2026-01-01", "10.00", "A"],
                    ["INV-331", "C331", "2026-01-02", "20.00", BIG_NOTE]]),
         Loads(2, 0, "30.00", "0", check=check_big_note)),
    Case("cell-over-128-kib-with-a-line-break", "items.csv",  # a record over two lines: Python's csv reader
         csv_bytes([HEADER.split(","), ["INV-332", "C332", "2026-01-01", "10.00", BIG_NOTE + "\nsecond line"],
                    ["INV-333", "C333", "2026-01-02", "bad", "B"]]),
         Loads(1, 1, "10.00", "0", rejects=((4, "bad"),), check=check_big_note_on_two_lines)),
    # -- headers -----------------------------------------------------------------------------
    Case("duplicate-header-unmapped", "items.csv",
         utf8("document_id,customer_id,doc_date,amount,note,note", "INV-150,C150,2026-01-01,10.00,first,second",
              "INV-151,C151,2026-01-02,20.00,alpha,beta"),
         Loads(2, 0, "30.00", "0", check=check_duplicate_header)),
    Case("duplicate-header-used-by-mapping", "export.csv",
         utf8("Invoice No,Customer,Invoice Date,Amount,Amount", "INV-155,C155,2026-01-01,10.00,12.00"),
         ("amount", "more than once|twice|duplicate|repeated"),
         options={"mapping": {"columns": {"Invoice No": "document_id", "Customer": "customer_id",
                                          "Invoice Date": "doc_date", "Amount": "amount"}}}),
    # -- quoting and hostile text ----------------------------------------------------------------
    Case("embedded-newlines-in-quotes", "items.csv",
         utf8(HEADER, 'INV-160,C160,2026-01-01,10.00,"Acme', 'Division 2"', 'INV-161,C161,2026-01-02,20.00,"Multi',
              "line", 'name"', "INV-162,C162,2026-01-03,bad,C", "INV-163,C163,2026-01-04,40.00,D"),
         Loads(3, 1, "70.00", "0", rejects=((7, "bad"),), check=check_embedded)),
    Case("formula-like-names", "items.csv",
         csv_bytes([HEADER.split(",")] + [[f"INV-{170 + i}", f"C{170 + i}", "2026-01-01", f"{i + 1}.00", name]
                                          for i, name in enumerate(FORMULAS)]),
         Loads(5, 0, "15.00", "0", check=names_are(*FORMULAS))),
    Case("html-like-names", "items.csv",
         csv_bytes([HEADER.split(",")] + [[f"INV-{175 + i}", f"C{175 + i}", "2026-01-01", f"{i + 1}.00", name]
                                          for i, name in enumerate(HTML)]),
         Loads(3, 0, "6.00", "0", check=names_are(*HTML))),
    Case("unterminated-quote", "items.csv",
         utf8(HEADER, "INV-200,C200,2026-01-01,10.00,A", 'INV-201,C201,2026-01-02,20.00,"Unclosed name',
              "INV-202,C202,2026-01-03,30.00,C", "INV-203,C203,2026-01-04,40.00,D"),
         ("quot", r"line 3\b")),
    # -- not a table at all ------------------------------------------------------------------
    Case("png-named-csv", "items.csv", png_bytes(), ("binary|not a text|image|png",)),
    Case("xlsx-renamed-csv", "items.csv", xlsx_bytes(), ("xlsx|excel|workbook",)),
    Case("empty-file", "items.csv", b"", ("empty",)),
    Case("whitespace-only", "items.csv", b"   \r\n\t\n  \n", ("empty|blank|whitespace",)),
    Case("single-column-text", "notes.txt",
         utf8("Invoices to chase this week", "Please call Mr Smith about March", "He promised payment Friday"),
         ("table|column",)),
    Case("header-only", "items.csv", utf8(HEADER), Loads(0, 0, "0", "0")),
    # -- ragged rows -------------------------------------------------------------------------
    Case("more-fields-than-header", "items.csv",
         utf8(HEADER, "INV-180,C180,2026-01-01,100.00,A", "INV-181,C181,2026-01-02,200.00,Smith, John",
              "INV-182,C182,2026-01-03,300.00,C,,,"),
         Loads(2, 1, "400.00", "200.00", rejects=((3, "more fields|too many|extra"),))),
    Case("fewer-fields-than-header", "items.csv",
         utf8(HEADER, "INV-185,C185,2026-01-01,100.00,A", "INV-186,C186,2026-01-02,200.00", "INV-187,C187,2026-01-03"),
         Loads(2, 1, "300.00", "0", rejects=((4, "amount.*required|fewer fields"),))),
    # -- duplicates --------------------------------------------------------------------------
    Case("identical-duplicate-rows", "items.csv",
         utf8(HEADER, "INV-190,C190,2026-01-01,100.00,A", "INV-191,C191,2026-01-02,200.00,B",
              "INV-190,C190,2026-01-01,100.00,A", "INV-191,C191,2026-01-02,200.00,B", "INV-191,C191,2026-01-02,200.00,B"),
         Loads(2, 3, "300.00", "500.00", rejects=((4, "duplicate"), (5, "duplicate"), (6, "duplicate")))),
    Case("same-document-id-different-amounts", "items.csv",
         utf8(HEADER, "INV-195,C195,2026-01-01,100.00,A", "INV-195,C195,2026-01-01,150.00,A"),
         Loads(1, 1, "100.00", "150.00", rejects=((3, "INV-195"),))),
    # -- identifiers -------------------------------------------------------------------------
    Case("float-damaged-ids", "items.csv",
         utf8(HEADER, "1930571429.0,100234.0,2026-01-01,10.00,A", "1930571430.0,100235.0,2026-01-02,20.00,B"),
         Loads(2, 0, "30.00", "0", check=check_float_ids)),
    Case("leading-zeros", "items.csv",
         utf8(HEADER, "000123,0042,2026-01-01,10.00,A", "000124,0042,2026-01-02,20.00,A",
              "0000000000,007,2026-01-03,30.00,B"),
         Loads(3, 0, "60.00", "0", check=check_leading_zeros)),
    # -- compression -------------------------------------------------------------------------
    Case("gzip-csv", "items.csv.gz",
         gzip.compress(utf8(HEADER, "INV-205,C205,2026-01-01,10.00,A", "INV-206,C206,2026-01-02,x,B",
                            "INV-207,C207,2026-01-03,20.00,C")),
         Loads(2, 1, "30.00", "0", rejects=((3, "'x'"),))),
    Case("gz-that-is-not-gzip", "items.csv.gz", utf8(HEADER, "INV-208,C208,2026-01-01,10.00,A"), ("gzip",)),
    # -- workbooks ---------------------------------------------------------------------------
    Case("xlsx-chartsheet-first", "book.xlsx", workbook_with_chart_first,
         Loads(2, 1, "300.00", "0", rejects=((4, "abc"),))),
    Case("xlsx-empty-cover-sheet-first", "book.xlsx", workbook_with_cover_first,
         Loads(2, 1, "300.00", "0", rejects=((4, "abc"),))),
    Case("xlsx-missing-sheet", "book.xlsx", workbook_with_cover_first, ("Ledger", "Cover", "Data"),
         options={"sheet": "Ledger"}),
    Case("xlsx-that-is-text", "items.xlsx", utf8(HEADER, "INV-1,C1,2026-01-01,10.00,A"), ("not an Excel workbook",)),
    Case("xlsx-truncated", "items.xlsx", xlsx_bytes()[:700], ("Excel workbook",)),
    Case("xlsx-empty", "items.xlsx", b"", ("Excel workbook",)),
    # -- options -----------------------------------------------------------------------------
    Case("date-format-bad-directive", "items.csv", utf8(HEADER, "INV-340,C340,01/02/2026,10.00,A"),
         ("date format '%Q'", "not a strptime directive"), options={"date_format": "%Q"}),
    Case("date-format-without-directives", "items.csv", utf8(HEADER, "INV-341,C341,01/02/2026,10.00,A"),
         ("date format 'DD/MM/YYYY'", "no year"), options={"date_format": "DD/MM/YYYY"}),
    # -- parquet -----------------------------------------------------------------------------
    Case("parquet-missing-required-column", "items.parquet",
         parquet({"document_id": ["A1"], "customer_id": ["C1"], "posting_dt": ["2026-01-01"], "amount": [10.0]}),
         ("doc_date", "posting_dt")),
    Case("parquet-leading-zeros", "items.parquet",
         parquet({"document_id": ["000987", "000988"], "customer_id": ["00042", "00043"],
                  "doc_date": pd.to_datetime(["2026-01-01", "2026-01-02"]), "amount": [12.5, 7.5]}),
         Loads(2, 0, "20.00", "0", check=check_parquet_zeros)),
    # -- missing markers in optional columns -------------------------------------------------
    Case("null-markers-in-optional-columns", "items.csv",
         utf8("document_id,customer_id,doc_date,amount,due_date,currency,reference,terms",
              "INV-190,C190,2026-01-01,10.00,NULL,N/A,-,NULL", "INV-191,C191,2026-01-02,20.00,2026-02-01,EUR,PO-7,NET30",
              "INV-192,C192,2026-01-03,30.00,-,NULL,N/A,"),
         Loads(3, 0, "60.00", "0", check=check_null_markers)),
]

ERROR_CASES = [c for c in CASES if not isinstance(c.expect, Loads)]
LOAD_CASES = [c for c in CASES if isinstance(c.expect, Loads)]


# ---------------------------------------------------------------------------------------------
# Running a case
# ---------------------------------------------------------------------------------------------

def write_case(case: Case, folder: Path) -> tuple[Path, dict]:
    """Write the case's file (and its mapping file); return the path and the load options."""
    path = folder / case.name
    if isinstance(case.build, bytes):
        path.write_bytes(case.build)
    else:
        case.build(path)
    options = dict(case.options)
    if "mapping" in options:
        mapping_path = folder / "mapping.yaml"
        mapping_path.write_text(yaml.safe_dump(options["mapping"], allow_unicode=True), encoding="utf-8")
        options["mapping"] = mapping_path
    return path, options


def cli_args(path: Path, options: dict) -> list[str]:
    args = [sys.executable, "-m", "arkit", "load", str(path)]
    for key, value in options.items():
        args += [f"--{key.replace('_', '-')}", str(value)]
    return args


def cents(value) -> int:
    return int((Decimal(str(value)) * 100).to_integral_value())


def test_enough_cases():
    assert len(CASES) >= 32 and len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", LOAD_CASES, ids=[c.id for c in LOAD_CASES])
def test_bad_input_loads_with_a_true_report(case, tmp_path):
    path, options = write_case(case, tmp_path)
    expect = case.expect
    result = arkit.load(path, **options)
    report = result.report
    got = (report.rows_loaded, report.rows_rejected, cents(round(report.amount_loaded, 2)),
           cents(round(report.amount_rejected, 2)))
    assert got == (expect.loaded, expect.rejected, cents(expect.amount_loaded), cents(expect.amount_rejected)), \
        report.to_dict()
    assert len(result.ledger.items) == report.rows_loaded
    assert report.rows_loaded + report.rows_rejected == report.rows_read
    assert cents(round(report.amount_loaded, 2)) + cents(round(report.amount_rejected, 2)) == \
        cents(round(report.amount_read, 2))
    rejects = sorted(zip(report.rejects["line"].astype(int), report.rejects["reason"]))
    assert [line for line, _ in rejects] == [line for line, _ in expect.rejects], rejects
    for (line, reason), (_, pattern) in zip(rejects, expect.rejects):
        assert re.search(pattern, reason, re.IGNORECASE), (line, reason, pattern)
    if expect.check is not None:
        expect.check(result)


@pytest.mark.parametrize("case", ERROR_CASES, ids=[c.id for c in ERROR_CASES])
def test_bad_input_raises_a_clear_error(case, tmp_path):
    path, options = write_case(case, tmp_path)
    with pytest.raises(ArkitError) as caught:
        arkit.load(path, **options)
    message = str(caught.value)
    assert path.name in message, message
    for pattern in case.expect:
        assert re.search(pattern, message, re.IGNORECASE), (pattern, message)


@pytest.fixture(scope="module")
def cli_runs(tmp_path_factory):
    """Every error case through ``arkit load`` at once: the processes run in parallel."""
    env = {k: v for k, v in os.environ.items() if k != "ARKIT_DEBUG"}
    started = {}
    for case in ERROR_CASES:
        path, options = write_case(case, tmp_path_factory.mktemp(case.id))
        started[case.id] = (path, subprocess.Popen(cli_args(path, options), stdout=subprocess.PIPE,
                                                   stderr=subprocess.PIPE, text=True, env=env))
    done = {}
    for case_id, (path, process) in started.items():
        stdout, stderr = process.communicate(timeout=120)
        done[case_id] = (path, process.returncode, stdout, stderr)
    return done


@pytest.mark.parametrize("case", ERROR_CASES, ids=[c.id for c in ERROR_CASES])
def test_cli_prints_one_error_line(case, cli_runs):
    path, returncode, stdout, stderr = cli_runs[case.id]
    assert "Traceback" not in stdout + stderr, stderr
    assert returncode == 1, (returncode, stderr)
    err_lines = stderr.strip().splitlines()
    assert len(err_lines) == 1 and err_lines[0].startswith("arkit: error:"), stderr
    assert path.name in err_lines[0]
    for pattern in case.expect:
        assert re.search(pattern, err_lines[0], re.IGNORECASE), (pattern, err_lines[0])
