import datetime as dt

import pandas as pd
import polars as pl
import pytest

from arkit import ArkitError, Ledger, LedgerError, load_ledger

ITEMS_CSV = """document_id,customer_id,doc_date,amount,terms,doc_type,po_box
00042,0007,2026-01-05,"1,200.50",NET30,Invoice,A-1
00043,0007,2026-01-20,-200.00,,,
00044,0100,2026-02-01,75.25,Net 15,debit memo,
"""


def _write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def test_items_csv_loads_with_defaults_and_keeps_extra_columns(tmp_path):
    ledger = load_ledger(_write(tmp_path / "export.csv", ITEMS_CSV))
    items = ledger.items
    assert items["document_id"].tolist() == ["00042", "00043", "00044"]
    assert items["customer_id"].tolist() == ["0007", "0007", "0100"]
    assert items["doc_type"].tolist() == ["invoice", "credit_memo", "debit_memo"]
    assert items["amount"].tolist() == [1200.50, -200.00, 75.25]
    assert items["due_date"].dt.date.tolist() == [dt.date(2026, 2, 4), dt.date(2026, 1, 20), dt.date(2026, 2, 16)]
    assert items["currency"].tolist() == ["USD"] * 3
    assert items["disputed"].tolist() == [False] * 3
    assert items["po_box"].tolist()[0] == "A-1"
    assert ledger.latest_date() == dt.date(2026, 2, 1)


def test_missing_required_column_lists_it_and_the_headers_found(tmp_path):
    path = _write(tmp_path / "items.csv", "invoice,customer_id,doc_date\nX,C,2026-01-01\n")
    with pytest.raises(LedgerError) as error:
        load_ledger(path)
    message = str(error.value)
    assert "items.csv" in message and "document_id, amount" in message and "invoice, customer_id, doc_date" in message


def test_unknown_document_type_lists_the_known_ones():
    items = pd.DataFrame({"document_id": ["1"], "customer_id": ["C"], "doc_date": ["2026-01-01"],
                          "amount": [1.0], "doc_type": ["refund"]})
    with pytest.raises(LedgerError, match="unknown document type 'refund'; use one of invoice, credit_memo"):
        Ledger(items)


def test_missing_path_is_an_arkit_error(tmp_path):
    with pytest.raises(ArkitError, match="no such file or folder"):
        load_ledger(tmp_path / "nope")


def test_ledger_accepts_polars_frames_and_stores_pandas():
    items = pl.DataFrame({"document_id": ["1"], "customer_id": ["C"], "doc_date": [dt.date(2026, 1, 1)],
                          "amount": [10.0], "currency": ["cad"]})
    ledger = Ledger(items, currency="CAD")
    assert isinstance(ledger.items, pd.DataFrame)
    assert ledger.items["currency"].tolist() == ["CAD"]
    assert ledger.items["doc_date"].dt.date.tolist() == [dt.date(2026, 1, 1)]


def test_sample_ledger_has_every_table(sample_ledger):
    assert set(sample_ledger.tables) == {"items", "customers", "applications", "disputes", "activities", "fx_rates"}
    assert sample_ledger.latest_date() == dt.date(2026, 10, 31)
    assert sample_ledger.customers["customer_id"].str.startswith("00").all()


def test_strict_ledger_names_row_and_column_of_a_bad_value():
    items = pd.DataFrame({"document_id": ["1", "2"], "customer_id": ["C", "C"], "doc_date": ["2026-01-01", "x"],
                          "amount": [1.0, 2.0]})
    with pytest.raises(LedgerError, match=r"items row 1, column 'doc_date': cannot read 'x' as date"):
        Ledger(items)


def test_strict_ledger_refuses_repeated_document_ids():
    items = pd.DataFrame({"document_id": ["A", "A"], "customer_id": ["C", "C"], "doc_date": ["2026-01-01"] * 2,
                          "amount": [1.0, 2.0]})
    with pytest.raises(LedgerError, match=r"items row 1, column 'document_id': document_id 'A' appears more than once"):
        Ledger(items)


def test_strict_ledger_refuses_applications_to_unknown_documents():
    items = pd.DataFrame({"document_id": ["INV1"], "customer_id": ["C"], "doc_date": ["2026-01-01"], "amount": [10.0]})
    apps = pd.DataFrame({"source_id": ["PMT9"], "target_id": ["INV1"], "amount": [10.0], "applied_date": ["2026-01-05"]})
    with pytest.raises(LedgerError, match=r"applications row 0, column 'source_id': document 'PMT9' is not in items"):
        Ledger(items, applications=apps)
