"""Cash application and unused credits: the sample's labelled week of bank receipts, the rules
one by one, and the invariants (applied + unapplied = paid, never more than is open) as properties."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arkit import ArkitError, Ledger, age
from arkit.cashapp import apply_cash, credit_offsets, normalize_name, score_matches
from arkit.config import SAMPLES_DIR

AS_OF = "2026-10-31"


def _cents(values) -> np.ndarray:
    return np.rint(np.asarray(values, dtype=float) * 100).astype(np.int64)


@pytest.fixture(scope="module")
def sample_payments():
    payments = pd.read_csv(SAMPLES_DIR / "bank" / "payments.csv", dtype={"payment_id": str, "customer_id": str},
                           parse_dates=["date"], keep_default_na=False, na_values={"customer_id": [""]})
    truth = pd.read_csv(SAMPLES_DIR / "truth" / "payment_allocations.csv", dtype=str).astype({"amount": float})
    cases = pd.read_csv(SAMPLES_DIR / "truth" / "payment_cases.csv", dtype=str)
    return payments, truth, cases


@pytest.fixture(scope="module")
def sample_result(sample_ledger, sample_payments):
    return apply_cash(sample_payments[0], sample_ledger, as_of=AS_OF)


def test_the_labelled_week_meets_the_targets(sample_result, sample_payments):
    scores = score_matches(sample_result, sample_payments[1])
    assert scores["precision"] >= 0.998 and scores["auto_rate"] >= 0.90
    assert scores["recall"] >= 0.95 and scores["true_allocations"] == len(sample_payments[1]) == 714


def test_every_hard_case_is_applied_automatically_somewhere(sample_result, sample_payments):
    outcome = sample_result.payments.merge(sample_payments[2], on="payment_id")
    applied = outcome[outcome["status"] == "applied"]
    assert {"typo", "no_reference", "customer_number", "references"} <= set(applied["remittance_style"])
    assert {"several", "short", "over", "partial", "single"} <= set(applied["case"])
    assert {"reference", "reference_typo", "reference_short", "reference_over", "reference_partial", "exact_amount",
            "subset_sum", "amount_tolerance"} <= set(applied["rule"])
    assert {"customer_id", "reference", "remittance_customer", "name", "name_fuzzy", "name_prefix"} <= set(
        applied["customer_by"])
    # Cash that is no customer's is never applied.
    strangers = outcome[outcome["case"] == "unidentified"]
    assert len(strangers) == 23 and (strangers["status"] == "unidentified").all()


def test_applied_plus_unapplied_is_the_payment_to_the_cent(sample_result, sample_ledger):
    payments = sample_result.payments
    assert (_cents(payments["applied"]) + _cents(payments["unapplied"]) == _cents(payments["amount"])).all()
    auto = sample_result.allocations[sample_result.allocations["status"] == "auto"]
    per_payment = auto.groupby("payment_id")["amount"].sum()
    assert (_cents(per_payment) == _cents(payments.set_index("payment_id").loc[per_payment.index, "applied"])).all()
    # No invoice gets more than was open on it.
    open_amount = age(sample_ledger, AS_OF).set_index("document_id")["open_amount"]
    received = auto.groupby("document_id")["amount"].sum()
    assert (_cents(received) <= _cents(open_amount.loc[received.index])).all()
    summary = sample_result.summary()
    assert summary["payments"] == 601 and summary["auto_applied"] == (payments["status"] == "applied").sum()
    total = _cents([summary["amount_applied"], summary["amount_unapplied"]]).sum()
    assert total == _cents(payments["amount"]).sum()


def test_short_and_over_payments_say_why(sample_result):
    payments = sample_result.payments
    short = payments[(payments["status"] == "applied") & (payments["deduction"] > 0)]
    over = payments[(payments["status"] == "applied") & (payments["credit"] > 0)]
    assert len(short) >= 20 and len(over) >= 10
    auto = sample_result.allocations[sample_result.allocations["status"] == "auto"]
    # An overpayment applies the invoices in full; its credit is what stays unapplied.
    assert (_cents(over["unapplied"]) == _cents(over["credit"])).all()
    assert set(auto.loc[auto["payment_id"].isin(short["payment_id"]), "rule"]) <= {
        "reference_short", "reference_typo", "amount_tolerance"}


def _book():
    items = pd.DataFrame({
        "document_id": ["INV-0101", "INV-0102", "INV-0103", "INV-0104", "INV-0201", "INV-0202"],
        "customer_id": ["C1", "C1", "C1", "C1", "C2", "C2"],
        "doc_date": pd.to_datetime(["2026-08-01", "2026-09-01", "2026-09-15", "2026-10-01", "2026-09-01", "2026-10-01"]),
        "due_date": pd.to_datetime(["2026-08-31", "2026-10-01", "2026-10-15", "2026-10-31", "2026-10-01", "2026-10-31"]),
        "amount": [100.0, 250.0, 400.0, 1000.0, 300.0, 300.0]})
    customers = pd.DataFrame({"customer_id": ["C1", "C2"],
                              "customer_name": ["Petersen Farm & Ranch Center, Inc.", "Hollis Lawn & Garden Co."]})
    return Ledger(items, customers=customers)


@pytest.mark.parametrize(("payer", "remittance", "amount", "rule", "documents", "status"), [
    ("Someone", "Invoices INV0101 / no. 0102", 350.0, "reference", ["INV-0101", "INV-0102"], "applied"),
    ("Petersen Farm and Ranch", "inv 1040", 1000.0, "reference_typo", ["INV-0104"], "applied"),  # 104 misread
    ("Petersen Farm and Ranch", "#103", 395.0, "reference_short", ["INV-0103"], "applied"),  # within 2%
    ("Petersen Farm and Ranch", "#103", 390.0, "reference_partial", ["INV-0103"], "applied"),  # beyond it
    ("PETERSEN FARM & RANC", "", 350.0, "subset_sum", ["INV-0101", "INV-0102"], "applied"),  # the oldest two
    ("PETERSEN FARM & RANC", "", 650.0, "subset_sum", ["INV-0102", "INV-0103"], "suggested"),  # not the oldest
    ("Hollis Lawn and Garden", "", 300.0, "exact_amount", ["INV-0201"], "applied"),  # two of 300: the oldest
    ("Petersen Farm & Ranch Center Inc", "#104", 400.0, "reference_partial", ["INV-0104"], "applied"),
    ("Petersen Farm & Ranch Center Inc", "", 5.0, "", [], "unapplied"),
    ("J SMITH", "thank you", 350.0, "", [], "unidentified"),
])
def test_each_rule(payer, remittance, amount, rule, documents, status):
    payments = pd.DataFrame({"payment_id": ["P1"], "date": ["2026-11-02"], "amount": [amount],
                             "payer_name": [payer], "remittance": [remittance]})
    result = apply_cash(payments, _book(), as_of=AS_OF)
    row = result.payments.iloc[0]
    assert (row["rule"], row["status"]) == (rule, status)
    assert result.allocations["document_id"].tolist() == documents


def test_a_payment_never_takes_what_an_earlier_one_took():
    payments = pd.DataFrame({"payment_id": ["P2", "P1"], "date": ["2026-11-03", "2026-11-02"],
                             "amount": [1000.0, 1000.0], "payer_name": "Petersen Farm & Ranch Center, Inc.",
                             "remittance": ["INV-0104", "INV-0104"]})
    result = apply_cash(payments, _book(), as_of=AS_OF).payments.set_index("payment_id")
    assert result.loc["P1", "status"] == "applied" and result.loc["P2", "status"] != "applied"


def test_bad_payments_name_the_row_and_column():
    payments = pd.DataFrame({"payment_id": ["P1", "P2"], "date": ["2026-11-02"] * 2, "amount": [10.0, "ten"]})
    with pytest.raises(ArkitError, match=r"payments row 2 \(P2\), column amount: 'ten' is not a positive amount"):
        apply_cash(payments, _book())
    with pytest.raises(ArkitError, match="payment_id 'P1' occurs twice"):
        apply_cash(payments.assign(payment_id="P1", amount=10.0), _book())
    with pytest.raises(ArkitError, match="lack the column"):
        apply_cash(payments.drop(columns="amount"), _book())


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 200_000), st.sampled_from(["", "INV-0101", "#102 #103", "inv 0104", "0201"]),
                          st.sampled_from(["Petersen Farm and Ranch", "Hollis Lawn & Garden Co.", "nobody"])),
                min_size=1, max_size=8), st.randoms())
def test_invariants_hold_for_any_payments_in_any_order(rows, random):
    payments = pd.DataFrame({"payment_id": [f"P{i}" for i in range(len(rows))], "date": "2026-11-02",
                             "amount": [c / 100 for c, _, _ in rows], "remittance": [r for _, r, _ in rows],
                             "payer_name": [n for _, _, n in rows]})
    ledger = _book()
    result = apply_cash(payments, ledger, as_of=AS_OF)
    p = result.payments
    assert (_cents(p["applied"]) + _cents(p["unapplied"]) == _cents(p["amount"])).all()
    auto = result.allocations[result.allocations["status"] == "auto"]
    received = auto.groupby("document_id")["amount"].sum()
    open_amount = ledger.items.set_index("document_id")["amount"]
    assert (_cents(received) <= _cents(open_amount.loc[received.index])).all()
    shuffled = payments.sample(frac=1, random_state=random.randint(0, 10**6))
    again = apply_cash(shuffled, ledger, as_of=AS_OF)
    assert again.payments.set_index("payment_id").sort_index()[["status", "applied"]].equals(
        p.set_index("payment_id").sort_index()[["status", "applied"]])


def test_names_compare_without_legal_forms_and_punctuation():
    assert normalize_name("Hollis Lawn & Garden Co.") == normalize_name("HOLLIS LAWN AND GARDEN") == "hollis lawn and garden"


def test_credit_offsets_on_the_sample(sample_ledger):
    offsets = credit_offsets(sample_ledger, AS_OF)
    aged = age(sample_ledger, AS_OF).set_index("document_id")
    assert len(offsets) > 20 and set(offsets["rule"]) <= {"reference", "exact_amount", "oldest_first"}
    # Never more than a credit holds, nor more than an invoice owes; always within one customer and currency.
    used = offsets.groupby("credit_id")["amount"].sum()
    assert (_cents(used) <= -_cents(aged.loc[used.index, "open_amount"])).all()
    cleared = offsets.groupby("document_id")["amount"].sum()
    assert (_cents(cleared) <= _cents(aged.loc[cleared.index, "open_amount"])).all()
    assert (offsets["customer_id"].to_numpy() == aged.loc[offsets["document_id"], "customer_id"].to_numpy()).all()
    assert (offsets["customer_id"].to_numpy() == aged.loc[offsets["credit_id"], "customer_id"].to_numpy()).all()
    assert {"credit_memo", "payment"} <= set(offsets["credit_type"])
