"""The public AR datasets in ../shared/datasets load through their presets, to the cent."""

import csv
from collections import Counter
from decimal import Decimal

import pytest

from source_tree import PROJECT_ROOT

from arkit import load

DATASETS = PROJECT_ROOT.parent / "shared" / "datasets"
IBM = DATASETS / "ibm-accounts-receivable" / "WA_Fn-UseC_-Accounts-Receivable.csv"
HIGHRADIUS = DATASETS / "highradius-open-items" / "open_items.csv"
pytestmark = pytest.mark.skipif(not DATASETS.is_dir(), reason=f"public datasets not found at {DATASETS} "
                                "(they live beside the repo, in ../shared, not in a user's clone)")


def _rows(path):
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def test_ibm_late_payments():
    rows = _rows(IBM)
    result = load(IBM, preset="ibm-late-payments")
    items, report = result.ledger.items, result.report
    assert report.rows_read == report.rows_loaded == len(rows) == 2466 and report.rows_rejected == 0
    total = sum(Decimal(r["InvoiceAmount"]) for r in rows)
    assert round(items["amount"].sum() * 100) == int(total * 100)
    assert items["document_id"].tolist() == [r["invoiceNumber"] for r in rows]
    assert items["document_id"].str.startswith("0").sum() == 266
    assert items["customer_id"].nunique() == 100
    assert items["closed_date"].notna().all()
    assert items["disputed"].sum() == sum(r["Disputed"] == "Yes" for r in rows)
    assert "DaysLate" in items.columns and "DaysLate" not in {"closed_date", "due_date"}


def test_highradius_open_items():
    rows = _rows(HIGHRADIUS)
    result = load(HIGHRADIUS, preset="highradius")
    items, report = result.ledger.items, result.report
    assert report.rows_read == report.rows_loaded == len(rows) == 9700 and report.rows_rejected == 0
    assert Counter(items["currency"]) == Counter(r["invoice_currency"] for r in rows) == {"USD": 8953, "CAD": 747}
    for currency in ("USD", "CAD"):
        expected = sum(Decimal(r["total_open_amount"]) for r in rows if r["invoice_currency"] == currency)
        assert round(items.loc[items["currency"] == currency, "amount"].sum() * 100) == int(expected * 100)
    assert items["document_id"].iloc[0] == rows[0]["doc_id"].removesuffix(".0")
    assert items["customer_id"].str.startswith("0").any() and items["customer_id"].nunique() == 664
    assert any("written as decimals" in w for w in report.warnings)
