"""Statements of account: equal to the aging to the cent, on any date, and safe to open."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
import zlib

import openpyxl
import pandas as pd
import pytest

import arkit
from arkit import ArkitError, Ledger
from arkit.rendering.statement import to_html, to_pdf, to_xlsx
from arkit.statements import Statement, statement, statement_filename, write_statements

CENT = 0.005
MONEY_FORMAT = "#,##0.00;-#,##0.00"
LABELS = arkit.bucket_labels()

# Three dealers of the seed-7 sample, each checked below for what it stands for.
CREDIT_CUSTOMER = "0010568"  # an unapplied credit memo and a partly applied payment: a credit balance
CAD_CUSTOMER = "0010498"  # billed in CAD, with an unapplied credit memo
DEFAULTING_CUSTOMER = "0010333"  # defaulting: everything 120+
SAMPLE_CUSTOMERS = (CREDIT_CUSTOMER, CAD_CUSTOMER, DEFAULTING_CUSTOMER)


_PORTFOLIO_AGING: dict = {}


def _customer_aging(ledger, customer_id, as_of):
    """The portfolio's ``age`` and ``aging_summary`` (computed once per date), for one customer."""
    key = (id(ledger), as_of)
    if key not in _PORTFOLIO_AGING:
        _PORTFOLIO_AGING[key] = (arkit.age(ledger, as_of), arkit.aging_summary(ledger, as_of))
    aged, summary = _PORTFOLIO_AGING[key]
    aged = aged[aged["customer_id"] == customer_id].reset_index(drop=True)
    return aged, summary[summary["customer_id"] == customer_id].reset_index(drop=True)


def test_sample_customers_are_what_the_tests_say(sample_ledger):
    aged = arkit.age(sample_ledger, "2026-10-31")
    of = {c: aged[aged["customer_id"] == c] for c in SAMPLE_CUSTOMERS}
    assert (of[CREDIT_CUSTOMER]["open_amount"] < 0).sum() >= 2
    assert set(of[CREDIT_CUSTOMER]["doc_type"]) >= {"credit_memo", "payment"}
    assert set(of[CAD_CUSTOMER]["currency"]) == {"CAD"}
    assert (of[DEFAULTING_CUSTOMER]["bucket"] == "120+").all() and len(of[DEFAULTING_CUSTOMER]) > 3
    profiles = pd.read_csv(arkit.config.SAMPLES_DIR / "truth" / "customer_profiles.csv", dtype=str)
    assert profiles.set_index("customer_id").loc[DEFAULTING_CUSTOMER, "profile"] == "defaulting"


@pytest.mark.parametrize("as_of", ["2026-10-31", "2026-06-30"])
@pytest.mark.parametrize("customer_id", SAMPLE_CUSTOMERS)
def test_statement_equals_the_aging_to_the_cent(sample_ledger, customer_id, as_of):
    st = statement(sample_ledger, customer_id, as_of)
    aged, summary = _customer_aging(sample_ledger, customer_id, as_of)
    assert st.as_of == dt.date.fromisoformat(as_of)
    assert len(aged) > 0, "each sample customer has open items on both dates"

    items = st.open_items
    assert list(items["document_id"]) == list(aged["document_id"])
    for column in ("doc_type", "currency", "bucket", "days_past_due"):
        assert list(items[column]) == list(aged[column]), column
    assert list(items["doc_date"]) == list(aged["doc_date"])
    assert list(items["due_date"]) == list(aged["due_date"])
    assert (items["open_amount"] - aged["open_amount"]).abs().max() < CENT
    assert (items["amount"] - aged["amount"]).abs().max() < CENT

    assert len(st.aging) == 1
    assert list(st.aging.columns) == ["currency", *LABELS, "total"]
    expected = summary.drop(columns="customer_id").iloc[0]
    for column in [*LABELS, "total"]:
        assert abs(st.aging[column].iloc[0] - expected[column]) < CENT, column
    assert st.aging["currency"].iloc[0] == expected["currency"] == st.currency
    assert abs(st.total_due - st.aging["total"].iloc[0]) < CENT
    assert abs(st.total_due - items["open_amount"].sum()) < CENT
    assert abs(sum(st.aging[label].iloc[0] for label in LABELS) - st.total_due) < CENT


def test_statement_header_and_currency(sample_ledger):
    customers = sample_ledger.customers.set_index("customer_id")
    st = statement(sample_ledger, CAD_CUSTOMER, "2026-10-31")
    row = customers.loc[CAD_CUSTOMER]
    assert (st.customer_id, st.customer_name, st.terms, st.collector, st.region) == (
        CAD_CUSTOMER, row["customer_name"], row["terms"], row["collector"], row["region"])
    assert st.credit_limit == pytest.approx(row["credit_limit"])
    assert st.currency == "CAD" and st.currencies == ("CAD",)
    assert isinstance(st, Statement) and "CAD 16,691.51" in repr(st)


def test_default_as_of_is_the_latest_date_in_the_ledger(sample_ledger):
    st = statement(sample_ledger, DEFAULTING_CUSTOMER)
    assert st.as_of == sample_ledger.latest_date()
    aged, _ = _customer_aging(sample_ledger, DEFAULTING_CUSTOMER, None)
    assert list(st.open_items["document_id"]) == list(aged["document_id"])


def test_recent_activity_lists_credits_and_what_they_paid(sample_ledger):
    as_of, days = pd.Timestamp("2026-10-31"), 60
    st = statement(sample_ledger, CREDIT_CUSTOMER, as_of, recent_days=days)
    items = sample_ledger.items
    expected = items[(items["customer_id"] == CREDIT_CUSTOMER)
                     & items["doc_type"].isin(["payment", "credit_memo", "write_off", "adjustment"])
                     & (items["doc_date"] > as_of - pd.Timedelta(days=days)) & (items["doc_date"] <= as_of)]
    recent = st.recent
    assert sorted(recent["document_id"]) == sorted(expected["document_id"]) and len(recent) > 0
    apps = sample_ledger.applications
    for row in recent.itertuples():
        mine = apps[(apps["source_id"] == row.document_id) & (apps["applied_date"] <= as_of)]
        assert abs(row.applied - mine["amount"].sum()) < CENT
        assert abs(row.amount + row.applied - row.unapplied) < CENT
        for target, amount in zip(mine["target_id"], mine["amount"]):
            assert f"{target} {amount:,.2f}" in row.applied_to

    # the partly applied payment shows as unapplied cash both in the open items and, when it was
    # recent, in the activity, with the same amount
    aged, _ = _customer_aging(sample_ledger, CREDIT_CUSTOMER, "2026-10-31")
    payment = aged[aged["doc_type"] == "payment"].iloc[0]
    on_its_day = statement(sample_ledger, CREDIT_CUSTOMER, payment["doc_date"] + pd.Timedelta(days=40))
    listed = on_its_day.recent.set_index("document_id").loc[payment["document_id"]]
    assert abs(listed["unapplied"] - payment["open_amount"]) < CENT


def test_recent_activity_is_point_in_time():
    items = pd.DataFrame({"document_id": ["INV1", "INV2", "PMT1"], "customer_id": ["C1"] * 3,
                          "doc_date": ["2026-01-01", "2026-01-05", "2026-02-01"],
                          "amount": [100.0, 50.0, -150.0]})
    apps = pd.DataFrame({"source_id": ["PMT1", "PMT1"], "target_id": ["INV1", "INV2"], "amount": [100.0, 50.0],
                         "applied_date": ["2026-02-01", "2026-03-01"]})
    ledger = Ledger(items, applications=apps)
    before = statement(ledger, "C1", "2026-02-15").recent.iloc[0]
    assert (before["applied"], before["unapplied"], before["applied_to"]) == (100.0, -50.0, "INV1 100.00")
    after = statement(ledger, "C1", "2026-03-15").recent.iloc[0]
    assert (after["applied"], after["unapplied"]) == (150.0, 0.0)
    assert after["applied_to"] == "INV1 100.00; INV2 50.00"
    assert len(statement(ledger, "C1", "2026-04-15", recent_days=30).recent) == 0


def test_currencies_are_never_added():
    items = pd.DataFrame({"document_id": ["U1", "C1", "C2"], "customer_id": ["X"] * 3,
                          "doc_date": ["2026-01-01"] * 3, "amount": [100.0, 200.0, -30.0],
                          "currency": ["USD", "CAD", "CAD"]})
    st = statement(Ledger(items), "X", "2026-01-31")
    assert st.currencies == ("CAD", "USD")
    assert [s.total_due for s in st.sections] == [170.0, 100.0]
    assert list(st.aging["currency"]) == ["CAD", "USD"]
    with pytest.raises(ArkitError, match="CAD, USD"):
        st.total_due
    with pytest.raises(ArkitError, match="sections"):
        st.currency
    page = to_html(st)
    assert page.count('<section class="currency"') == 2


def test_customer_with_nothing_open_gets_an_empty_statement(tmp_path):
    items = pd.DataFrame({"document_id": ["INV1", "PMT1", "INV9"], "customer_id": ["C1", "C1", "C2"],
                          "doc_date": ["2026-01-01", "2026-01-10", "2026-01-01"], "amount": [100.0, -100.0, 5.0],
                          "currency": ["CAD", "CAD", "USD"]})
    apps = pd.DataFrame({"source_id": ["PMT1"], "target_id": ["INV1"], "amount": [100.0],
                         "applied_date": ["2026-01-10"]})
    customers = pd.DataFrame({"customer_id": ["C1", "C2", "C3"], "customer_name": ["One", "Two", "Three"]})
    ledger = Ledger(items, customers=customers, applications=apps)
    st = statement(ledger, "C1", "2026-06-30")
    assert st.currency == "CAD" and st.total_due == 0 and len(st.open_items) == 0 and len(st.recent) == 0
    assert st.aging[LABELS].to_numpy().sum() == 0
    none_yet = statement(ledger, "C3", "2026-06-30")  # in customers only
    assert none_yet.currency == "USD" and none_yet.total_due == 0
    paths = write_statements(ledger, tmp_path, "2026-06-30", customers=["C1", "C3"],
                             formats=("xlsx", "html", "pdf"))
    assert len(paths) == 6 and all(p.stat().st_size > 0 for p in paths)
    # by default only customers with something to show get a statement
    assert [p.name for p in write_statements(ledger, tmp_path / "all", "2026-06-30", formats=("html",))] == [
        "statement-C2-2026-06-30.html"]


# -- XLSX --------------------------------------------------------------------------------------


def _cells(sheet):
    return {cell.coordinate: cell for row in sheet.iter_rows() for cell in row if cell.value is not None}


def _find(sheet, value):
    return next(c for c in _cells(sheet).values() if c.value == value)


def test_xlsx_holds_the_statement(sample_ledger, tmp_path):
    st = statement(sample_ledger, CREDIT_CUSTOMER, "2026-10-31")
    path = to_xlsx(st, tmp_path / "s.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Statement"]
    sheet = book["Statement"]
    assert sheet["A1"].value == "Statement of account"
    assert sheet["A2"].value == st.customer_name

    heading = _find(sheet, "Document")  # the open items' column headings, frozen
    assert sheet.freeze_panes == f"A{heading.row + 1}"
    headings = [sheet.cell(heading.row, c).value for c in range(1, 10)]
    assert headings == ["Document", "Type", "Date", "Due", "Reference", "Amount", "Open", "Days past due", "Bucket"]
    for offset, item in enumerate(st.open_items.itertuples()):
        row = heading.row + 1 + offset
        assert sheet.cell(row, 1).value == item.document_id
        assert sheet.cell(row, 3).value == item.doc_date and sheet.cell(row, 3).is_date
        assert sheet.cell(row, 4).value == item.due_date and sheet.cell(row, 4).is_date
        for column, amount in ((6, item.amount), (7, item.open_amount)):
            cell = sheet.cell(row, column)
            assert cell.data_type == "n" and cell.number_format == MONEY_FORMAT
            assert abs(cell.value - amount) < CENT
        assert sheet.cell(row, 8).value == item.days_past_due
        assert sheet.cell(row, 9).value == item.bucket

    total = _find(sheet, "Total due")
    amount = sheet.cell(total.row + 1, total.column)
    assert amount.number_format == MONEY_FORMAT and abs(amount.value - st.total_due) < CENT and amount.value < 0
    labels = [sheet.cell(total.row, c).value for c in range(1, total.column)]
    assert labels == LABELS

    recent_heading = next(c for c in _cells(sheet).values()
                          if isinstance(c.value, str) and c.value.startswith("Recent activity"))
    first = recent_heading.row + 2
    assert sheet.cell(first, 1).value == st.recent["document_id"].iloc[0]
    assert sheet.cell(first, 5).number_format == MONEY_FORMAT
    assert sheet.cell(first, 8).value == st.recent["applied_to"].iloc[0]
    assert sheet.column_dimensions["A"].width >= len("PMT3033774")


def test_xlsx_text_from_the_data_never_becomes_a_formula(tmp_path):
    name = '=HYPERLINK("http://x")'
    references = ["=1+2", "+SUM(A1:A2)", "-2+3", "@SUM(A1)", "=cmd|' /C calc'!A0"]
    items = pd.DataFrame({"document_id": ["INV1", "INV2", "INV3", "INV4", "CM1"], "customer_id": ["C1"] * 5,
                          "doc_date": ["2026-01-01"] * 5, "amount": [100.0, 20.0, 30.0, 40.0, -25.5],
                          "reference": references})
    customers = pd.DataFrame({"customer_id": ["C1"], "customer_name": [name], "collector": ["@Mallory"],
                              "region": ["-West"], "terms": ["=NET30"]})
    st = statement(Ledger(items, customers=customers), "C1", "2026-01-31")
    path = to_xlsx(st, tmp_path / "s.xlsx")

    with zipfile.ZipFile(path) as archive:
        sheets = [archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
    assert sheets and not any(b"<f>" in xml or b"<f " in xml for xml in sheets)

    sheet = openpyxl.load_workbook(path)["Statement"]
    cells = _cells(sheet)
    assert not [c.coordinate for c in cells.values() if c.data_type == "f"]
    for text in [name, "@Mallory", "-West", "=NET30", *references[:4]]:
        cell = _find(sheet, text)
        assert cell.data_type == "s" and cell.value == text
        assert cell.quotePrefix
    credit = _find(sheet, "CM1")
    amount = sheet.cell(credit.row, 6)
    assert amount.data_type == "n" and amount.value == -25.5


def test_xlsx_one_sheet_per_currency(tmp_path):
    items = pd.DataFrame({"document_id": ["U1", "C1"], "customer_id": ["X", "X"], "doc_date": ["2026-01-01"] * 2,
                          "amount": [100.0, 200.0], "currency": ["USD", "CAD"]})
    book = openpyxl.load_workbook(to_xlsx(statement(Ledger(items), "X", "2026-01-31"), tmp_path / "s.xlsx"))
    assert book.sheetnames == ["Statement CAD", "Statement USD"]
    assert _find(book["Statement CAD"], "C1") and not [c for c in _cells(book["Statement CAD"]).values()
                                                       if c.value == "U1"]


# -- HTML --------------------------------------------------------------------------------------


def test_html_escapes_every_value():
    items = pd.DataFrame({"document_id": ["INV<1>"], "customer_id": ["C1"], "doc_date": ["2026-01-01"],
                          "amount": [100.0], "reference": ['"><img src=x onerror=alert(1)>']})
    customers = pd.DataFrame({"customer_id": ["C1"], "customer_name": ["<script>alert('x')</script> & Sons"],
                              "region": ["<b>West</b>"]})
    page = to_html(statement(Ledger(items, customers=customers), "C1", "2026-01-31"))
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; Sons" in page
    assert "<script" not in page.lower()
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<b>" not in page and "INV&lt;1&gt;" in page
    assert "@media print" in page and "@page" in page


def test_html_of_a_sample_statement(sample_ledger):
    st = statement(sample_ledger, CAD_CUSTOMER, "2026-10-31")
    page = to_html(st)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "Amounts in CAD: total due 16,691.51" in page
    assert "-4,737.40" in page and "Fraser Valley Mower Sales &amp; Service" in page
    for document_id in [*st.open_items["document_id"], *st.recent["document_id"]]:
        assert f"<td>{document_id}</td>" in page


# -- PDF ---------------------------------------------------------------------------------------


def _literal(data: bytes) -> bytes:
    """Bytes of a PDF literal string body (escapes resolved)."""
    out, i = bytearray(), 0
    escapes = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b", ord("f"): b"\f"}
    while i < len(data):
        byte = data[i]
        if byte == 0x5C and i + 1 < len(data):  # backslash
            nxt = data[i + 1]
            if nxt in escapes:
                out += escapes[nxt]
                i += 2
            elif 0x30 <= nxt <= 0x37:
                octal = re.match(rb"[0-7]{1,3}", data[i + 1:i + 4]).group()
                out.append(int(octal, 8) & 0xFF)
                i += 1 + len(octal)
            else:
                out.append(nxt)
                i += 2
        else:
            out.append(byte)
            i += 1
    return bytes(out)


def pdf_text(data: bytes) -> str:
    """The text shown by an fpdf2 PDF: literal strings of Tj, through each font's ToUnicode map."""
    objects = {int(n): body for n, body in re.findall(rb"(\d+) 0 obj(.*?)endobj", data, re.S)}

    def stream(body: bytes) -> bytes:
        raw = re.search(rb"stream\r?\n(.*?)\r?\nendstream", body, re.S).group(1)
        return zlib.decompress(raw) if b"/FlateDecode" in body else raw

    fonts = {}
    for body in objects.values():
        for name, number in re.findall(rb"/(F\d+) (\d+) 0 R", body):
            cmap = re.search(rb"/ToUnicode (\d+) 0 R", objects[int(number)])
            mapping = None
            if cmap:
                text = stream(objects[int(cmap.group(1))])
                pairs = re.findall(rb"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]{4})>", text)
                mapping = {int(a, 16): chr(int(b, 16)) for a, b in pairs}
            fonts[name] = mapping
    shown = []
    for body in objects.values():
        if b"stream" not in body or b"/Length1" in body:
            continue
        try:
            content = stream(body)
        except zlib.error:
            continue
        font = None
        for token in re.finditer(rb"/(F\d+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\) Tj", content, re.S):
            if token.group(1):
                font = fonts.get(token.group(1))
            else:
                raw = _literal(token.group(2))
                if font is None:
                    shown.append(raw.decode("latin-1"))
                else:
                    shown.append("".join(font.get(int.from_bytes(raw[i:i + 2], "big"), "?")
                                         for i in range(0, len(raw), 2)))
    return "\n".join(shown)


def test_pdf_of_a_sample_statement(sample_ledger, tmp_path):
    st = statement(sample_ledger, CREDIT_CUSTOMER, "2026-10-31")
    data = to_pdf(st, tmp_path / "s.pdf").read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    text = pdf_text(data)
    assert st.customer_name in text
    assert "Amounts in USD: total due -1,977.90 (a credit balance)" in text
    for document_id in st.open_items["document_id"]:
        assert document_id in text
    assert f"/Title ({'Statement of account: ' + st.customer_name} as of 2026-10-31)".encode() in data
    again = to_pdf(st, tmp_path / "again.pdf", page_size="Letter").read_bytes()
    assert b"/MediaBox [0 0 612.00 792.00]" in again and b"/MediaBox [0 0 595.28 841.89]" in data


def test_pdf_with_text_beyond_latin1_embeds_a_unicode_font(tmp_path):
    name = "Łódź Traktory — Ñandú Equipos"
    items = pd.DataFrame({"document_id": ["INV1"], "customer_id": ["C1"], "doc_date": ["2026-01-01"],
                          "amount": [100.0], "reference": ["Заказ 12"]})
    customers = pd.DataFrame({"customer_id": ["C1"], "customer_name": [name]})
    data = to_pdf(statement(Ledger(items, customers=customers), "C1", "2026-01-31"), tmp_path / "u.pdf").read_bytes()
    assert data.startswith(b"%PDF-") and b"DejaVuSans" in data
    text = pdf_text(data)
    assert name in text and "Заказ 12" in text


# -- writing many ------------------------------------------------------------------------------


def test_write_statements_names_files_per_customer_and_format(sample_ledger, tmp_path):
    formats = ("xlsx", "html", "pdf")
    paths = write_statements(sample_ledger, tmp_path / "out", "2026-10-31", customers=list(SAMPLE_CUSTOMERS),
                             formats=formats)
    expected = [f"statement-{c}-2026-10-31.{ext}" for c in SAMPLE_CUSTOMERS for ext in formats]
    assert [p.name for p in paths] == expected
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(expected)
    assert all(p.parent == tmp_path / "out" for p in paths)
    page = (tmp_path / "out" / f"statement-{CAD_CUSTOMER}-2026-10-31.html").read_text(encoding="utf-8")
    assert "Fraser Valley Mower Sales &amp; Service" in page


def test_write_statements_rejects_unknown_customers_and_formats(sample_ledger, tmp_path):
    with pytest.raises(ArkitError, match="'0099999'"):
        write_statements(sample_ledger, tmp_path / "out", "2026-10-31", customers=[CAD_CUSTOMER, "0099999"])
    assert not (tmp_path / "out").exists()
    with pytest.raises(ArkitError, match="'10498'"):
        statement(sample_ledger, "10498")  # leading zeros matter
    with pytest.raises(ArkitError, match="docx"):
        write_statements(sample_ledger, tmp_path / "out", formats=("docx",))
    with pytest.raises(ArkitError, match="recent_days"):
        statement(sample_ledger, CAD_CUSTOMER, recent_days=-1)
    with pytest.raises(ArkitError, match="YYYY-MM-DD"):
        statement(sample_ledger, CAD_CUSTOMER, "31/10/2026")
    with pytest.raises(ArkitError, match="Ledger"):
        statement(sample_ledger.items, CAD_CUSTOMER)


def test_file_names_are_safe_and_distinct():
    assert statement_filename("0010498", dt.date(2026, 10, 31), "pdf") == "statement-0010498-2026-10-31.pdf"
    names = {statement_filename(c, "2026-10-31", "xlsx") for c in ("A/B", "A_B", "A\\B", "A:B", "../../etc")}
    assert len(names) == 5
    assert all("/" not in n and "\\" not in n and ":" not in n for n in names)
