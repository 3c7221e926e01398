"""Each cash-application rule on a small book, the outcome of every payment written by hand.

The tolerance boundaries are in tests/test_boundaries.py; here: several references, a typo in
the number, a named set paid in part, short pays spread oldest due date first, subset sums of
the oldest items or not, the due-date window of a set, equal amounts and currencies.
Every customer has a book of its own, so the payments cannot reach each other's invoices.
"""

from __future__ import annotations

import pandas as pd

from arkit import Ledger
from arkit.cashapp import apply_cash

# customer, document, amount, due date, currency
INVOICES = [
    ("K1", "INV-4100", 300.00, "2026-05-10", "USD"), ("K1", "INV-4200", 200.00, "2026-05-20", "USD"),
    ("K2", "INV-8123", 500.00, "2026-05-10", "USD"),
    ("K3", "INV-8223", 510.00, "2026-05-10", "USD"),
    ("K4", "INV-8323", 510.01, "2026-05-10", "USD"),
    ("K5", "INV-5107", 100.00, "2026-05-01", "USD"), ("K5", "INV-5248", 200.00, "2026-05-02", "USD"),
    ("K5", "INV-5391", 400.00, "2026-05-03", "USD"),  # no number one edit from another: no typo
    ("K6", "INV-6100", 300.00, "2026-05-10", "USD"), ("K6", "INV-6200", 300.00, "2026-05-20", "USD"),
    ("K7", "INV-7100", 300.00, "2026-05-10", "USD"), ("K7", "INV-7200", 200.00, "2026-05-20", "USD"),
    ("K8", "INV-3100", 300.00, "2026-05-10", "USD"), ("K8", "INV-3200", 200.00, "2026-05-20", "USD"),
    ("K9", "INV-2100", 100.00, "2026-04-01", "USD"), ("K9", "INV-2200", 250.00, "2026-04-15", "USD"),
    ("K9", "INV-2300", 400.00, "2026-05-01", "USD"),
    ("L1", "INV-1100", 100.00, "2026-01-01", "USD"), ("L1", "INV-1200", 250.00, "2026-06-01", "USD"),
    ("L2", "INV-9100", 75.00, "2026-04-01", "USD"), ("L2", "INV-9200", 75.00, "2026-05-01", "USD"),
    ("L3", "INV-9123", 500.00, "2026-05-10", "USD"),
    ("L4", "INV-1300", 120.00, "2026-05-01", "USD"), ("L4", "INV-1400", 130.00, "2026-05-02", "USD"),
    ("L4", "INV-1500", 250.00, "2026-05-03", "USD"),
]
# payment, customer, amount, remittance, currency
PAYMENTS = [
    ("two_references", "K1", 500.00, "INV-4100 INV-4200", "USD"),
    ("typo_exact", "K2", 500.00, "INV 8132", "USD"),              # 8123 with two digits swapped
    ("typo_short", "K3", 500.00, "8232", "USD"),                  # one invoice near the number, 10.00 short
    ("typo_short_past", "K4", 500.00, "8332", "USD"),             # 10.01 short: past the 10.00 tolerance
    ("named_set_in_part", "K5", 300.00, "INV-5107, INV-5248, INV-5391", "USD"),
    ("named_two_short", "K6", 400.00, "INV-6100 INV-6200", "USD"),
    ("short_two_oldest_first", "K7", 495.00, "INV-7200 INV-7100", "USD"),
    ("over_two_beyond", "K8", 600.00, "INV-3100 INV-3200", "USD"),
    ("subset_oldest", "K9", 350.00, "", "USD"),
    ("subset_not_oldest", "K9", 650.00, "", "USD"),
    ("subset_outside_window", "L1", 350.00, "", "USD"),
    ("equal_amounts", "L2", 75.00, "", "USD"),
    ("typo_other_currency", "L3", 500.00, "9132", "CAD"),
    ("two_subsets", "L4", 250.00, "", "USD"),
]
# payment -> (rule, confidence, status, applied, deduction, credit, [(document, amount, auto?)]), by hand
EXPECTED = {
    "two_references": ("reference", 0.99, "applied", 500.00, 0.0, 0.0,
                       [("INV-4100", 300.00, True), ("INV-4200", 200.00, True)]),
    "typo_exact": ("reference_typo", 0.95, "applied", 500.00, 0.0, 0.0, [("INV-8123", 500.00, True)]),
    "typo_short": ("reference_typo", 0.95, "applied", 500.00, 10.00, 0.0, [("INV-8223", 500.00, True)]),
    # Past the tolerance: no short pay is written off; the one invoice near the number is paid in
    # part (500.00 of 510.01) and its 10.01 stays open, a little less sure than within tolerance.
    "typo_short_past": ("reference_typo", 0.9, "applied", 500.00, 0.0, 0.0, [("INV-8323", 500.00, True)]),
    # 300 of the 700 named: exactly two of them (100 + 200), so those, a little less sure than all named.
    "named_set_in_part": ("reference", 0.94, "applied", 300.00, 0.0, 0.0,
                          [("INV-5107", 100.00, True), ("INV-5248", 200.00, True)]),
    # 400 of 600, no set of them makes 400: a part payment of two invoices is a guess, oldest first.
    "named_two_short": ("reference_partial", 0.6, "suggested", 0.0, 0.0, 0.0,
                        [("INV-6100", 300.00, False), ("INV-6200", 100.00, False)]),
    # 5.00 short of 500 (tolerance 9.90): the older invoice in full, the shortfall on the newer one.
    "short_two_oldest_first": ("reference_short", 0.95, "applied", 495.00, 5.00, 0.0,
                               [("INV-7100", 300.00, True), ("INV-7200", 195.00, True)]),
    # 100 over 500 (tolerance 12.00): both paid in full, the rest on account.
    "over_two_beyond": ("reference_over", 0.90, "applied", 500.00, 0.0, 100.00,
                        [("INV-3100", 300.00, True), ("INV-3200", 200.00, True)]),
    "subset_oldest": ("subset_sum", 0.92, "applied", 350.00, 0.0, 0.0,
                      [("INV-2100", 100.00, True), ("INV-2200", 250.00, True)]),
    # Same day, so in payment_id order: this one first. 250 + 400 is the only set of 650, but not the
    # oldest items (100 is older): only a suggestion, which leaves 100 and 250 for subset_oldest.
    "subset_not_oldest": ("subset_sum", 0.8, "suggested", 0.0, 0.0, 0.0,
                          [("INV-2200", 250.00, False), ("INV-2300", 400.00, False)]),
    "subset_outside_window": ("", 0.0, "unapplied", 0.0, 0.0, 0.0, []),  # due 151 days apart > 120
    "equal_amounts": ("exact_amount", 0.90, "applied", 75.00, 0.0, 0.0, [("INV-9100", 75.00, True)]),
    "typo_other_currency": ("", 0.0, "unapplied", 0.0, 0.0, 0.0, []),  # its near number is a USD invoice
    # 250 is INV-1500 alone (exact) before any set is tried.
    "two_subsets": ("exact_amount", 0.95, "applied", 250.00, 0.0, 0.0, [("INV-1500", 250.00, True)]),
}


def _book() -> Ledger:
    items = pd.DataFrame(INVOICES, columns=["customer_id", "document_id", "amount", "due_date", "currency"])
    items["due_date"] = pd.to_datetime(items["due_date"])
    items["doc_date"] = items["due_date"] - pd.Timedelta(days=30)
    return Ledger(items)


def _outcomes(result) -> dict:
    payments, allocations = result.payments.set_index("payment_id"), result.allocations
    out = {}
    for payment in payments.index:
        row = payments.loc[payment]
        mine = allocations[allocations["payment_id"] == payment]
        out[payment] = (row["rule"], round(float(row["confidence"]), 2), row["status"], round(float(row["applied"]), 2),
                        round(float(row["deduction"]), 2), round(float(row["credit"]), 2),
                        [(d, round(float(a), 2), s == "auto") for d, a, s in
                         zip(mine["document_id"], mine["amount"], mine["status"])])
    return out


def _payments(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["payment_id", "customer_id", "amount", "remittance", "currency"]).assign(
        date=pd.Timestamp("2026-06-02"))


def test_each_rule_by_hand():
    assert _outcomes(apply_cash(_payments(PAYMENTS), _book(), as_of="2026-06-01")) == EXPECTED


def test_two_sets_of_the_amount_are_a_guess():
    # 250 is 100 + 150 or 120 + 130: the oldest set, as a suggestion. (Sets of the same amounts,
    # like two pairs of 120 + 130, are not a guess: the oldest pair is applied.)
    invoices = [("L5", "INV-1300", 100.00, "2026-05-01"), ("L5", "INV-1400", 150.00, "2026-05-02"),
                ("L5", "INV-1600", 120.00, "2026-05-04"), ("L5", "INV-1700", 130.00, "2026-05-05")]
    items = pd.DataFrame(invoices, columns=["customer_id", "document_id", "amount", "due_date"])
    items["due_date"] = pd.to_datetime(items["due_date"])
    items["doc_date"] = items["due_date"] - pd.Timedelta(days=30)
    pay = _payments([("p", "L5", 250.00, "", "USD")])
    got = _outcomes(apply_cash(pay, Ledger(items), as_of="2026-06-01"))["p"]
    assert got == ("subset_sum", 0.6, "suggested", 0.0, 0.0, 0.0, [("INV-1300", 100.00, False), ("INV-1400", 150.00, False)])
    pairs = items.assign(amount=[120.00, 130.00, 120.00, 130.00])
    got = _outcomes(apply_cash(pay, Ledger(pairs), as_of="2026-06-01"))["p"]
    assert got == ("subset_sum", 0.92, "applied", 250.00, 0.0, 0.0, [("INV-1300", 120.00, True), ("INV-1400", 130.00, True)])
