"""Bank statements in, canonical payments out: CAMT.053, BAI2 and bank CSV exports.

The files in tests/data/bank were written by hand in the real formats (the two CAMT files
validate against the ISO 20022 XSDs of camt.053.001.02 and .08; the BAI2 file's trailers carry
its true record counts and control totals). Expected values were worked out from those bytes.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from arkit import ArkitError
from arkit.loaders.bank import PAYMENT_COLUMNS, read_bai2, read_camt053, read_payments

DATA = Path(__file__).parent / "data" / "bank"
CENT = 0.005
INDICATOR_MAPPING = {"columns": {"Date": "date", "Reference": "payment_id", "Amount": "amount",
                                 "CR/DR": "credit_debit_indicator", "Currency": "currency", "Name": "payer_name",
                                 "Details": "remittance"}}


def _check_frame(payments: pd.DataFrame) -> None:
    assert tuple(payments.columns) == PAYMENT_COLUMNS
    assert payments["date"].dtype == "datetime64[s]"
    assert payments["amount"].dtype == "float64"
    for column in ("payment_id", "customer_id", "currency", "payer_name", "remittance"):
        assert payments[column].dtype == "str", column
    for column in ("payment_id", "currency", "payer_name", "remittance"):
        assert payments[column].notna().all(), column
    assert (payments["amount"] > 0).all()
    assert payments["payment_id"].is_unique


def _dates(payments: pd.DataFrame) -> list[str]:
    return payments["date"].dt.strftime("%Y-%m-%d").tolist()


# ---------------------------------------------------------------------------------- CAMT.053


def test_camt053_v02_credits_split_batch_and_debit_counted():
    payments = read_payments(DATA / "camt053_v02.xml")
    _check_frame(payments)
    assert payments["payment_id"].tolist() == ["2026031300000417", "2026031300000418/1", "2026031300000418/2"]
    assert payments["amount"].tolist() == pytest.approx([12345.67, 3200.00, 1800.00], abs=CENT)
    assert _dates(payments) == ["2026-03-13"] * 3  # booking date, not the value date 2026-03-14
    assert payments["currency"].tolist() == ["EUR"] * 3
    assert payments["payer_name"].tolist() == ["Müller Maschinenbau GmbH", "Globex Europe B.V.", "Initech SARL"]
    assert payments["remittance"].tolist() == ["RE-2026-0042 RE-2026-0043", "RF18539007547034; INV-1003",
                                               "Facture INV-1004 Acompte INV-1005"]
    assert payments["customer_id"].isna().all()
    attrs = payments.attrs
    assert (attrs["entries"], attrs["debits"]) == (4, 1)
    assert attrs["debit_total"] == pytest.approx(1250.00, abs=CENT)  # TxsSummry/TtlDbtNtries/Sum
    # the statement's own total of credit entries ties out with the payments
    assert attrs["control_credit_total"] == pytest.approx(17345.67, abs=CENT)
    assert payments["amount"].sum() == pytest.approx(attrs["control_credit_total"], abs=CENT)
    assert attrs["credit_total"] == pytest.approx(attrs["control_credit_total"], abs=CENT)


def test_camt053_v08_party_names_end_to_end_ids_and_local_dates():
    payments = read_camt053(DATA / "camt053_v08.xml")
    _check_frame(payments)
    row = payments.iloc[0].to_dict()
    assert len(payments) == 1
    assert row["payment_id"] == "ACME-E2E-7781"  # no AcctSvcrRef: the end-to-end id
    assert row["payer_name"] == "Acme Corp"  # RltdPties/Dbtr/Pty/Nm
    assert row["remittance"] == "INV-1001 partial payment"
    assert row["amount"] == pytest.approx(980.00, abs=CENT) and row["currency"] == "USD"
    assert _dates(payments) == ["2026-03-16"]  # 21:30 at -05:00 stays on its own local date
    assert payments.attrs["debits"] == 1 and payments.attrs["debit_total"] == pytest.approx(45.00, abs=CENT)
    assert payments.attrs["control_credit_total"] is None  # this statement has no TxsSummry


def test_camt053_split_entry_must_add_up(tmp_path):
    text = (DATA / "camt053_v02.xml").read_text(encoding="utf-8")
    bad = tmp_path / "statement.xml"
    bad.write_text(text.replace('<Amt Ccy="EUR">1800.00</Amt>', '<Amt Ccy="EUR">1700.00</Amt>'), encoding="utf-8")
    with pytest.raises(ArkitError, match=r"statement 'STMT-20260313-DE89' entry 2: its 2 transaction details "
                                         r"add up to 4900\.00 EUR, not the entry's 5000\.00 EUR"):
        read_payments(bad)


@pytest.mark.parametrize("document, found", [
    ('<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.02">'
     "<BkToCstmrAcctRpt/></Document>", "urn:iso:std:iso:20022:tech:xsd:camt.052.001.02"),
    ('<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03">'
     "<CstmrCdtTrfInitn/></Document>", "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"),
    ("<invoices><invoice id='1'/></invoices>", "invoices"),
])
def test_xml_that_is_not_camt053_is_refused(tmp_path, document, found):
    path = tmp_path / "other.xml"
    path.write_text(document, encoding="utf-8")
    message = f"{path}: not a camt.053 bank statement (the document is {found!r})"
    with pytest.raises(ArkitError, match=re.escape(message)):
        read_payments(path)


def test_truncated_camt053_is_refused(tmp_path):
    path = tmp_path / "cut.xml"
    path.write_text((DATA / "camt053_v02.xml").read_text(encoding="utf-8")[:3000], encoding="utf-8")
    with pytest.raises(ArkitError, match=re.escape(f"{path}: not well-formed XML")):
        read_payments(path)


# ---------------------------------------------------------------------------------- BAI2


def test_bai2_credits_with_continuations_and_control_totals():
    payments = read_payments(DATA / "statement.bai2")
    _check_frame(payments)
    assert payments["payment_id"].tolist() == ["260315000101", "260315000102", "260315000103", "260315000104"]
    assert payments["amount"].tolist() == pytest.approx([12500.00, 20000.00, 3507.50, 1234.56], abs=CENT)
    assert _dates(payments) == ["2026-03-15"] * 4  # the group header's as-of date
    assert payments["currency"].tolist() == ["USD"] * 4
    assert payments["payer_name"].tolist() == ["ACME CORP", "GLOBEX LTD", "", "INITECH LLC"]
    assert payments["remittance"].tolist() == [
        "ACH CREDIT ORIG CO NAME:ACME CORP ORIG ID:1234567890 DESC DATE:260315 CO ENTRY DESCR:PAYMENT SEC:CCD "
        "TRACE#:021000021234567 EED:260315 IND NAME:ARKIT CO RMT:INV-1001 INV-1002",
        "WIRE IN ORG=GLOBEX LTD OBI=INVOICE 2044 PAYMENT",
        "BRANCH DEPOSIT",
        "ACH CREDIT ORIG CO NAME:INITECH LLC ORIG ID:9876543210 CO ENTRY DESCR: VENDOR PMT IND NAME:ARKIT CO "
        "RMT:INV-1010",
    ]
    assert payments["customer_id"].isna().all()
    attrs = payments.attrs
    assert (attrs["entries"], attrs["debits"]) == (5, 1)
    assert attrs["debit_total"] == pytest.approx(1500.00, abs=CENT)  # the 400 (total debits) summary
    # the account's 100 (total credits) summary ties out with the payments
    assert attrs["control_credit_total"] == pytest.approx(37242.06, abs=CENT)
    assert payments["amount"].sum() == pytest.approx(attrs["control_credit_total"], abs=CENT)


def test_bai2_is_recognised_by_its_content(tmp_path):
    path = tmp_path / "export.txt"
    shutil.copy(DATA / "statement.bai2", path)
    assert read_payments(path)["payment_id"].tolist() == read_bai2(DATA / "statement.bai2")["payment_id"].tolist()


def _bai2_lines() -> list[str]:
    return (DATA / "statement.bai2").read_text().splitlines()


@pytest.mark.parametrize("edit, message", [
    (lambda lines: lines[:9], "line 9: the file ends with a 16 record, not its file trailer (99): it is truncated"),
    (lambda lines: lines[:-1], "line 13: the file ends with a 98 record, not its file trailer (99): it is truncated"),
    (lambda lines: lines[:10] + lines[11:],
     "not a valid BAI2 file (Invalid number of records for Account. expected 10, found 9)"),
    (lambda lines: [line.replace("49,12322618,10/", "49,12322619,10/") for line in lines],
     "not a valid BAI2 file (Invalid account control total"),
    (lambda lines: lines + lines, "line 15: a second file header (01)"),
    (lambda lines: lines[:3] + ["17,165,100,0,X,,TEXT"] + lines[3:],
     "line 4: '17,165,100,0,X,,TEXT' is not a BAI2 record"),
])
def test_damaged_bai2_is_refused(tmp_path, edit, message):
    path = tmp_path / "statement.bai2"
    path.write_text("\n".join(edit(_bai2_lines())) + "\n")
    with pytest.raises(ArkitError, match=re.escape(f"{path}") + r"[ :]" + ".*" + re.escape(message)):
        read_payments(path)


# ---------------------------------------------------------------------------------- CSV and XLSX


def test_bank_csv_with_debit_and_credit_columns():
    payments = read_payments(DATA / "bank_export.csv", mapping=DATA / "bank_export.yaml")
    _check_frame(payments)
    assert payments["payment_id"].tolist() == ["TRX-20260302-001", "TRX-20260304-003", "TRX-20260305-005"]
    assert payments["amount"].tolist() == pytest.approx([12345.67, 3200.00, 1800.00], abs=CENT)
    assert _dates(payments) == ["2026-03-02", "2026-03-04", "2026-03-05"]
    assert payments["payer_name"].tolist() == ["Müller Maschinenbau GmbH", "Globex Europe B.V.", "Initech SARL"]
    assert payments["remittance"].tolist() == ["RE-2026-0042 RE-2026-0043", "INV-1003",
                                               "Facture INV-1004, Acompte INV-1005"]
    assert payments["currency"].tolist() == ["EUR"] * 3
    assert payments["customer_id"].isna().all()
    attrs = payments.attrs
    assert (attrs["entries"], attrs["debits"]) == (5, 2)
    assert attrs["debit_total"] == pytest.approx(1259.90, abs=CENT)
    assert attrs["credit_total"] == pytest.approx(17345.67, abs=CENT)
    assert attrs["control_credit_total"] is None


def test_options_override_the_mapping():
    mapping = {"columns": {"Bank reference": "payment_id", "Booking date": "date"},
               "debit_credit": {"debit": "Debit", "credit": "Credit"}, "currency": "USD"}
    payments = read_payments(DATA / "bank_export.csv", mapping=mapping, date_format="%d.%m.%Y", decimal=",",
                             currency="EUR")
    assert payments["currency"].tolist() == ["EUR"] * 3
    assert payments["amount"].tolist() == pytest.approx([12345.67, 3200.00, 1800.00], abs=CENT)
    assert payments["payer_name"].tolist() == ["", "", ""] and payments["remittance"].tolist() == ["", "", ""]


def test_bank_csv_with_an_indicator_column():
    payments = read_payments(DATA / "indicator.csv", mapping=INDICATOR_MAPPING)
    _check_frame(payments)
    assert payments["payment_id"].tolist() == ["WIRE-0316-001", "ACH-0317-002"]
    assert payments["amount"].tolist() == pytest.approx([12500.00, 1234.56], abs=CENT)
    assert _dates(payments) == ["2026-03-16", "2026-03-17"]
    assert payments["payer_name"].tolist() == ["ACME CORP", "INITECH LLC"]
    assert (payments.attrs["debits"], payments.attrs["debit_total"]) == (1, pytest.approx(1500.00, abs=CENT))


def test_signed_amounts_and_cr_dr_suffixes(tmp_path):
    path = tmp_path / "signed.csv"
    path.write_text("Date,Ref,Amount,Currency\n2026-03-16,A1,100.10,USD\n2026-03-16,A2,-40.00,USD\n"
                    "2026-03-16,A3,25.00 CR,USD\n2026-03-16,A4,30.00 DR,USD\n")
    mapping = {"columns": {"Date": "date", "Ref": "payment_id", "Amount": "amount", "Currency": "currency"}}
    payments = read_payments(path, mapping=mapping)
    assert payments["payment_id"].tolist() == ["A1", "A3"]
    assert payments["amount"].tolist() == pytest.approx([100.10, 25.00], abs=CENT)
    assert payments.attrs["debit_total"] == pytest.approx(70.00, abs=CENT)
    negated = read_payments(path, mapping={**mapping, "sign": "negate"})
    assert negated["payment_id"].tolist() == ["A2", "A4"]


def test_canonical_csv_and_xlsx(tmp_path):
    payments = read_payments(DATA / "payments.csv")
    _check_frame(payments)
    assert payments["payment_id"].tolist() == ["PMT-0001", "PMT-0002", "00042"]  # leading zeros kept
    assert payments["customer_id"].tolist()[::2] == ["C001", "C007"] and pd.isna(payments["customer_id"].iloc[1])
    assert payments["amount"].tolist() == pytest.approx([1250.00, 99.95, 2000.10], abs=CENT)
    assert payments["remittance"].tolist() == ["INV-1001", "", "INV-2044 INV-2045"]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(PAYMENT_COLUMNS)
    sheet.append(["PMT-0009", "C003", pd.Timestamp("2026-03-05").to_pydatetime(), 450.25, "USD", "Initech", "INV-7"])
    book.save(tmp_path / "payments.xlsx")
    from_excel = read_payments(tmp_path / "payments.xlsx")
    _check_frame(from_excel)
    assert from_excel.iloc[0].to_dict() == {"payment_id": "PMT-0009", "customer_id": "C003",
                                            "date": pd.Timestamp("2026-03-05"), "amount": 450.25,
                                            "currency": "USD", "payer_name": "Initech", "remittance": "INV-7"}


def _edited(tmp_path: Path, name: str, old: str, new: str) -> Path:
    path = tmp_path / name
    text = (DATA / name).read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize("name, old, new, mapping, message", [
    ("bank_export.csv", ";;3.200,00;", ";;3.2x0,00;", DATA / "bank_export.yaml",
     "line 5, column 'Credit': cannot read '3.2x0,00' as an amount"),
    ("bank_export.csv", ";;3.200,00;", ";-5,00;3.200,00;", DATA / "bank_export.yaml",
     "line 5, column 'Credit': both 'Debit' and 'Credit' hold an amount"),
    ("bank_export.csv", ";;3.200,00;", ";;;", DATA / "bank_export.yaml",
     "line 5, column 'Credit': no amount in 'Debit' or 'Credit'"),
    ("bank_export.csv", "04.03.2026;05", "31.02.2026;05", DATA / "bank_export.yaml",
     "line 5, column 'Booking date': cannot read '31.02.2026' as a date with date_format '%d.%m.%Y'"),
    ("bank_export.csv", "TRX-20260305-005", "TRX-20260302-001", DATA / "bank_export.yaml",
     "line 7, column 'Bank reference': payment id 'TRX-20260302-001' is already on line 3"),
    ("bank_export.csv", "Initech SARL;Facture INV-1004, Acompte INV-1005;TRX-20260305-005;;1.800,00;EUR",
     "Initech SARL;Facture INV-1004, Acompte INV-1005;TRX-20260305-005;;1.800,00;", DATA / "bank_export.yaml",
     "line 7, column 'Currency': the currency is missing"),
    ("indicator.csv", ",C,", ",X,", INDICATOR_MAPPING,
     "line 4, column 'CR/DR': 'X' is not a credit/debit indicator"),
    ("indicator.csv", '"1,234.56"', '"1,234.5.6"', INDICATOR_MAPPING,
     "line 4, column 'Amount': cannot read '1,234.5.6' as an amount"),
])
def test_bad_lines_name_file_line_and_column(tmp_path, name, old, new, mapping, message):
    path = _edited(tmp_path, name, old, new)
    with pytest.raises(ArkitError, match=re.escape(f"{path} {message}")):
        read_payments(path, mapping=mapping)


@pytest.mark.parametrize("path, mapping, message", [
    (DATA / "bank_export.csv", None, "no column for date, amount; columns found: Booking date, Value date"),
    (DATA / "indicator.csv", {"columns": {"Date": "booked"}}, "'Date' maps to 'booked', not a payments column"),
    (DATA / "indicator.csv", {"columns": {"Date": "date", "Amount": "amount"}, "colums": {}},
     "mapping: unknown key(s) colums"),
    (DATA / "indicator.csv", {"columns": {"Date": "date", "Amount": "amount", "CR/DR": "credit_debit_indicator"}},
     "no currency column; give currency"),
    (DATA / "camt053_v02.xml", INDICATOR_MAPPING, "a mapping is for CSV and XLSX exports; this file is a CAMT.053"),
    (DATA / "missing.csv", None, "missing.csv: no such file"),
])
def test_unusable_mappings_and_files_are_refused(path, mapping, message):
    with pytest.raises(ArkitError, match=re.escape(message)):
        read_payments(path, mapping=mapping)
