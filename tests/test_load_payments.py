"""The one payments table (arkit.schema): declared once, checked alike by the bank reader and by
apply_cash, bad payments named by row and column whichever way they come in."""

import pandas as pd
import pytest

from arkit import ArkitError, Ledger
from arkit import cashapp, schema
from arkit.cashapp import apply_cash
from arkit.loaders import bank
from arkit.loaders.bank import read_payments
from arkit.schema import validate_payments

# The payments layout, written out by hand: what a bank line carries for cash application.
LAYOUT = ("payment_id", "customer_id", "date", "amount", "currency", "payer_name", "remittance")


def _book() -> Ledger:
    items = pd.DataFrame({"document_id": ["INV-0101", "INV-0102"], "customer_id": ["0042", "C7"],
                          "doc_date": pd.to_datetime(["2026-09-01", "2026-09-15"]),
                          "due_date": pd.to_datetime(["2026-10-01", "2026-10-15"]), "amount": [100.0, 250.0]})
    customers = pd.DataFrame({"customer_id": ["0042", "C7"], "customer_name": ["Acme Corp", "Globex Ltd"]})
    return Ledger(items, customers=customers)


def test_the_layout_is_declared_once():
    assert schema.PAYMENT_COLUMNS == LAYOUT
    assert tuple(c.name for c in schema.TABLES["payments"].columns) == LAYOUT
    assert bank.PAYMENT_COLUMNS is schema.PAYMENT_COLUMNS and cashapp.PAYMENT_COLUMNS is schema.PAYMENT_COLUMNS


GOOD = {"payment_id": ["P1", "P2", "P3"], "date": ["2026-11-02", "2026-11-03", "2026-11-04"],
        "amount": ["100.00", "250.00", "12.50"]}


@pytest.mark.parametrize(("column", "value", "message"), [
    ("amount", "ten", r"payments row 2 \(P2\), column amount: 'ten' is not a positive amount"),
    ("amount", "-5", r"payments row 2 \(P2\), column amount: '-5' is not a positive amount"),
    ("amount", "0", r"payments row 2 \(P2\), column amount: '0' is not a positive amount"),
    ("amount", "", r"payments row 2 \(P2\), column amount: amount is required"),
    ("date", "2026-13-40", r"payments row 2 \(P2\), column date: cannot read '2026-13-40' as date"),
    ("date", "", r"payments row 2 \(P2\), column date: date is required"),
    ("payment_id", "", r"payments row 2 \(\), column payment_id: payment_id is required"),
])
def test_a_bad_payment_is_named_by_row_and_column_in_apply_cash(column, value, message):
    raw = pd.DataFrame(GOOD)
    raw.loc[1, column] = value
    with pytest.raises(ArkitError, match=message):
        apply_cash(raw, _book(), as_of="2026-11-30")
    with pytest.raises(ArkitError, match=message):
        validate_payments(raw)


def test_the_first_bad_row_is_named_whatever_its_column():
    raw = pd.DataFrame(GOOD).assign(date=["2026-11-02", "2026-11-03", "someday"], amount=["1", "2", "-3"])
    raw.loc[1, "amount"] = "x"
    with pytest.raises(ArkitError, match=r"row 2 \(P2\), column amount: 'x'"):
        validate_payments(raw)


def test_payments_are_coerced_to_the_table():
    raw = pd.DataFrame({"payment_id": [7, 8], "customer_id": [42, None], "date": ["2026-11-02", "2026-11-03"],
                        "amount": ["1,250.50", "99.95"]})
    payments = validate_payments(raw)
    assert tuple(payments.columns) == ("payment_id", "customer_id", "date", "amount", "currency", "payer_name",
                                       "remittance")
    assert payments["payment_id"].tolist() == ["7", "8"]
    assert payments["customer_id"].iloc[0] == "42" and pd.isna(payments["customer_id"].iloc[1])
    assert payments["date"].tolist() == [pd.Timestamp("2026-11-02"), pd.Timestamp("2026-11-03")]
    assert payments["amount"].tolist() == [1250.50, 99.95]
    assert payments[["currency", "payer_name", "remittance"]].isna().all().all()


def test_not_a_frame_and_missing_columns_are_refused():
    with pytest.raises(ArkitError, match="must be a pandas DataFrame in the payments layout"):
        apply_cash([{"payment_id": "P1"}], _book())
    with pytest.raises(ArkitError, match="lack the column"):
        validate_payments(pd.DataFrame(GOOD).drop(columns="date"))


def test_a_bank_file_and_a_frame_are_refused_alike(tmp_path):
    """The same bad line, read from a canonical CSV or given as a frame: an ArkitError naming the
    place (file line, or frame row) and the column."""
    path = tmp_path / "payments.csv"
    path.write_text("payment_id,date,amount,currency\nP1,2026-11-02,100.00,USD\nP2,someday,250.00,USD\n")
    with pytest.raises(ArkitError, match=r"payments.csv line 3, column 'date': cannot read 'someday' as a date"):
        read_payments(path)
    frame = pd.read_csv(path, dtype=str)
    with pytest.raises(ArkitError, match=r"payments row 2 \(P2\), column date: cannot read 'someday' as date"):
        apply_cash(frame, _book())


def test_what_the_bank_reader_returns_passes_the_check(tmp_path):
    path = tmp_path / "payments.csv"
    path.write_text("payment_id,date,amount,currency,payer_name\nP1,2026-11-02,100.00,USD,Acme\n"
                    "P2,2026-11-03,-40.00,USD,Fee\nP3,2026-11-03,1250.25,EUR,\n")
    payments = read_payments(path)
    assert payments["payment_id"].tolist() == ["P1", "P3"]  # the debit is counted, not kept
    checked = validate_payments(payments)
    assert checked["amount"].tolist() == [100.0, 1250.25] and checked["currency"].tolist() == ["USD", "EUR"]
    assert checked["payer_name"].iloc[0] == "Acme"


@pytest.mark.parametrize(("remittance", "customer"), [
    ("customer no 42 thanks", "0042"),  # leading zeros, as normalize_keys drops them
    ("ACCT # 000042", "0042"),
    ("Client: c7", "C7"),  # any case
])
def test_a_customer_number_in_the_remittance_is_read_like_a_document_number(remittance, customer):
    payments = pd.DataFrame({"payment_id": ["P1"], "date": ["2026-11-02"], "amount": [1.0],
                             "payer_name": ["somebody"], "remittance": [remittance]})
    row = apply_cash(payments, _book(), as_of="2026-11-30").payments.iloc[0]
    assert row["customer_by"] == "remittance_customer"
    assert row["matched_customer"] == customer
