"""Cash application on payment files nobody tuned it to (``tests/payment_files.py``: another
numbering, another bank, another trade), and the pass order and reference reading on small
hand-built cases. Precision and auto rate are counted here by plain set comparison, not with
arkit's own scorer."""

import numpy as np
import pandas as pd
import pytest
from payment_files import payment_file

from arkit import Ledger
from arkit.cashapp import PASSES, apply_cash

AS_OF = "2026-10-31"


def _keys(frame) -> set:
    cents = np.rint(frame["amount"].to_numpy(dtype=float) * 100).astype(np.int64)
    return set(zip(frame["payment_id"], frame["document_id"], cents.tolist()))


@pytest.fixture(scope="module", params=[1, 2, 3, 4])
def independent(request):
    items, customers, payments, truth = payment_file(request.param)
    result = apply_cash(payments, Ledger(items, customers=customers), as_of=AS_OF)
    return payments, truth, result, items


def test_the_targets_hold_on_independent_payment_files(independent):
    payments, truth, result, _ = independent
    auto = result.allocations[result.allocations["status"] == "auto"]
    right = _keys(auto) & _keys(truth)
    assert len(right) / len(auto) >= 0.998
    applied = result.payments["status"].eq("applied").sum()
    assert applied / len(payments) >= 0.90
    # Cash that is no customer's is never applied.
    strangers = result.payments[result.payments["case"] == "unidentified"]
    assert len(strangers) > 50 and (strangers["status"] == "unidentified").all()


def test_applied_plus_unapplied_is_paid_and_no_invoice_gets_more_than_it_owes(independent):
    _, _, result, items = independent
    p = result.payments
    cents = lambda values: np.rint(values.to_numpy(dtype=float) * 100).astype(np.int64)  # noqa: E731
    assert (cents(p["applied"]) + cents(p["unapplied"]) == cents(p["amount"])).all()
    auto = result.allocations[result.allocations["status"] == "auto"]
    received = auto.groupby("document_id")["amount"].sum()
    owed = items.set_index("document_id")["amount"].loc[received.index]
    assert (cents(received) <= cents(owed)).all()
    assert len(auto) == len(auto.drop_duplicates(["payment_id", "document_id"]))


def test_an_amount_only_payment_leaves_the_invoice_a_later_payment_names(independent):
    _, truth, result, _ = independent
    p = result.payments
    pairs = p[p["case"].isin(["collision_amount", "collision_reference"])]
    assert len(pairs) >= 40
    auto = result.allocations[result.allocations["status"] == "auto"]
    named = pairs[pairs["case"] == "collision_reference"]
    named_auto = auto[auto["payment_id"].isin(named["payment_id"])]
    # Every payment that names its invoice gets that one, though an earlier payment had the same amount.
    assert _keys(named_auto) <= _keys(truth) and len(named_auto) >= 0.95 * len(named)
    by_amount = auto[auto["payment_id"].isin(pairs.loc[pairs["case"] == "collision_amount", "payment_id"])]
    assert _keys(by_amount) <= _keys(truth) and len(by_amount) > 0


def test_the_generator_labels_add_up():
    items, customers, payments, truth = payment_file(9)
    paid = payments.set_index("payment_id")["amount"]
    allocated = truth.groupby("payment_id")["amount"].sum()
    assert (allocated.round(2) <= paid.loc[allocated.index].round(2)).all()
    assert set(truth["document_id"]) <= set(items["document_id"]) and items["document_id"].is_unique
    assert set(payments["case"]) >= {"single", "several", "lump", "short", "over", "partial", "collision_amount",
                                     "collision_reference", "unidentified"}
    assert set(payments["payer_style"]) >= {"master", "upper", "cut", "abbreviated", "legal", "typo", "third_party"}


def _ledger():
    items = pd.DataFrame({
        "document_id": ["523158", "523159", "523196", "110326", "523160", "600001", "600002"],
        "customer_id": ["A1", "A1", "A1", "B2", "B2", "C3", "C3"],
        "doc_date": pd.to_datetime(["2026-09-01", "2026-09-02", "2026-09-20", "2026-09-05", "2026-09-06",
                                    "2026-09-01", "2026-10-01"]),
        "due_date": pd.to_datetime(["2026-10-01", "2026-10-02", "2026-10-20", "2026-10-05", "2026-10-06",
                                    "2026-10-01", "2026-10-31"]),
        "amount": [100.0, 250.0, 75.5, 980.0, 1234.56, 300.0, 300.0]})
    customers = pd.DataFrame({"customer_id": ["A1", "B2", "C3"],
                              "customer_name": ["Bayview Okafor Electric Inc", "Tremblay Hydraulics LLC",
                                                "Voss Bearings GmbH"]})
    return Ledger(items, customers=customers)


@pytest.mark.parametrize(("remittance", "amount", "documents"), [
    ("REF:523158", 100.0, ["523158"]),
    ("IN523196", 75.5, ["523196"]),
    ("INV#523158", 100.0, ["523158"]),
    ("Inv.523158", 100.0, ["523158"]),
    ("523158/523159", 350.0, ["523158", "523159"]),
    ("PMT REF:523158,REF:523159 DTD 110326", 350.0, ["523158", "523159"]),
])
def test_references_glued_to_a_prefix_are_references(remittance, amount, documents):
    payments = pd.DataFrame({"payment_id": ["P1"], "date": ["2026-11-02"], "amount": [amount],
                             "payer_name": ["SOMEONE ELSE"], "remittance": [remittance]})
    result = apply_cash(payments, _ledger(), as_of=AS_OF)
    assert result.allocations["document_id"].tolist() == documents
    assert result.payments.loc[0, ["rule", "status"]].tolist() == ["reference", "applied"]


@pytest.mark.parametrize(("remittance", "amount"), [
    ("DTD 110326", 980.0),  # a date written mmddyy, the number of B2's invoice of that amount
    ("ACH CREDIT DATE 110326", 980.0),
    ("AMT 110326.00", 110326.0),  # the amount, not invoice 110326
    ("ACCT 523160", 1234.56),  # an account number that is also an invoice number
    ("TRACE #523160", 1234.56),
    ("VALUE DATE 110326", 980.0),
])
def test_dates_amounts_and_account_numbers_are_not_references(remittance, amount):
    payments = pd.DataFrame({"payment_id": ["P1"], "date": ["2026-11-02"], "amount": [amount],
                             "payer_name": ["UNKNOWN ORIGINATOR"], "remittance": [remittance]})
    result = apply_cash(payments, _ledger(), as_of=AS_OF)
    assert result.allocations.empty
    assert result.payments.loc[0, "status"] == "unidentified"


@pytest.mark.parametrize("named_first", [True, False])
def test_a_named_invoice_goes_to_the_payment_that_names_it_whatever_the_dates(named_first):
    # C3 owes two invoices of 300.00: one payment names the older, one pays 300.00 without a word.
    dates = ["2026-11-02", "2026-11-05"] if named_first else ["2026-11-05", "2026-11-02"]
    payments = pd.DataFrame({"payment_id": ["NAMES", "AMOUNT"], "date": dates, "amount": [300.0, 300.0],
                             "payer_name": ["Voss Bearings GmbH", "VOSS BEARINGS"], "remittance": ["INV 600001", ""]})
    result = apply_cash(payments, _ledger(), as_of=AS_OF)
    got = dict(zip(result.allocations["payment_id"], result.allocations["document_id"]))
    assert got == {"NAMES": "600001", "AMOUNT": "600002"}
    assert set(result.allocations["status"]) == {"auto"}
    assert result.payments.set_index("payment_id")["rule"].to_dict() == {"NAMES": "reference",
                                                                         "AMOUNT": "exact_amount"}


def test_the_passes_run_in_the_documented_order():
    assert [name for name, _ in PASSES] == ["exact_references", "references", "amounts"]
