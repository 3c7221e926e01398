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


def _book(invoices=INVOICES) -> Ledger:
    items = pd.DataFrame(invoices, columns=["customer_id", "document_id", "amount", "due_date", "currency"])
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


# More books, one per customer again: the edges of each rule (one cent, a set of 4 or 5, the cap of
# 50 sets, 120 days apart, another customer's number), each outcome written by hand below.
MORE_INVOICES = [
    ("M1", "INV-4410", 300.00, "2026-05-10", "USD"), ("M2", "INV-4420", 200.00, "2026-05-10", "USD"),
    ("M3", "INV-77", 300.00, "2026-05-10", "USD"),
    ("M4", "INV-8423", 500.00, "2026-05-10", "USD"),
    ("M5", "INV-5510", 200.00, "2026-05-10", "USD"),
    ("M6", "INV-5610", 200.00, "2026-05-10", "USD"),
    ("M7", "INV-5710", 1000.00, "2026-05-10", "USD"),
    ("M8", "INV-7712", 500.00, "2026-05-10", "USD"), ("M8", "INV-7721", 500.00, "2026-05-20", "USD"),
    ("M9", "INV-9410", 300.00, "2025-11-01", "USD"), ("M9", "INV-9420", 200.00, "2026-05-20", "USD"),
    ("M9", "INV-9430", 700.00, "2026-05-30", "USD"),
    ("N1", "INV-1012", 100.00, "2026-05-10", "USD"), ("N1", "INV-1021", 400.00, "2026-05-20", "USD"),
    ("N2", "INV-1110", 300.00, "2025-11-01", "USD"), ("N2", "INV-1188", 200.00, "2026-05-20", "USD"),
    ("N3", "INV-1230", 5.00, "2026-05-03", "USD"), ("N3", "INV-1210", 150.00, "2026-05-01", "USD"),
    ("N3", "INV-1220", 150.00, "2026-05-02", "USD"),
    ("N7", "INV-1601", 300.00, "2026-05-01", "USD"), ("N7", "INV-1655", 300.00, "2026-05-02", "USD"),
    ("N7", "INV-1688", 300.00, "2026-05-03", "USD"),
    ("N8", "INV-1701", 50.00, "2026-05-01", "USD"), ("N8", "INV-1702", 100.00, "2026-05-02", "USD"),
    ("N10", "INV-9910", 300.00, "2026-05-10", "USD"), ("N10", "INV-9239", 200.00, "2026-05-20", "USD"),
    ("N12", "INV-3101", 0.01, "2026-05-01", "USD"), ("N12", "INV-3102", 100.00, "2026-05-02", "USD"),
    ("N13", "INV-3201", 100.00, "2025-11-01", "USD"), ("N13", "INV-3277", 200.00, "2026-05-20", "USD"),
    ("N13", "INV-3255", 400.00, "2026-05-25", "USD"),
    ("P7", "INV-2710", 300.00, "2026-05-10", "USD"), ("P8", "INV-2810", 300.00, "2026-05-10", "USD"),
    ("N4", "INV-1310", 100.00, "2026-05-01", "USD"), ("N4", "INV-1320", 100.50, "2026-05-02", "USD"),
    ("N5", "INV-1410", 100.00, "2026-05-01", "USD"),
    ("N6", "INV-1501", 100.00, "2026-05-01", "USD"), ("N6", "INV-1502", 200.00, "2026-05-02", "USD"),
    ("N6", "INV-1503", 400.00, "2026-05-03", "USD"), ("N6", "INV-1504", 800.00, "2026-05-04", "USD"),
    ("N6", "INV-1505", 1600.00, "2026-05-05", "USD"),
    ("N9", "INV-1910", 100.00, "2026-01-01", "USD"), ("N9", "INV-1920", 250.00, "2026-05-01", "USD"),
    ("P1", "INV-2110", 300.00, "2026-05-10", "USD"), ("P1", "INV-2120", 200.00, "2026-05-20", "USD"),
    ("P2", "INV-2210", 0.01, "2026-05-01", "USD"), ("P2", "INV-2288", 100.00, "2026-05-02", "USD"),
    ("P4", "INV-2410", 300.00, "2026-05-10", "USD"), ("P5", "INV-2510", 300.00, "2026-05-10", "USD"),
    ("P6", "INV-2610", 300.00, "2026-05-10", "USD"),
]
MORE_PAYMENTS = [
    ("own_and_other", "M1", 300.00, "INV-4410 INV-4420", "USD"),   # M2's number beside M1's own
    ("short_number", "M3", 295.00, "INV-77", "USD"),                # a reference without 4 digits
    ("typo_over", "M4", 505.00, "8432", "USD"),                     # 8423 swapped, 5.00 over
    ("short_one_cent", "M5", 199.99, "INV-5510", "USD"),
    ("over_one_cent", "M6", 200.01, "INV-5610", "USD"),
    ("one_named_in_part", "M7", 500.00, "INV-5710", "USD"),
    ("two_typo_readings", "M8", 300.00, "7711", "USD"),             # one edit from 7712 and from 7721
    ("right_and_typo", "M9", 500.00, "INV-9410 INV-9402", "USD"),   # 9402: 9420 with two digits swapped
    ("one_number_two_near", "N1", 500.00, "1011", "USD"),           # one edit from 1012 and from 1021
    ("one_of_two_named", "N2", 200.00, "INV-1110 INV-1188", "USD"),  # due 200 days apart
    ("short_over_three", "N3", 300.01, "INV-1230 INV-1220 INV-1210", "USD"),
    ("half_of_three", "N7", 450.00, "INV-1688 INV-1655 INV-1601", "USD"),
    ("later_near_amount", "N8", 99.50, "", "USD"),
    ("typo_alone_fits", "N10", 200.00, "INV-9910 9293", "USD"),     # 9293: 9239 with two digits swapped
    ("cent_in_a_set", "N12", 100.01, "", "USD"),
    ("two_of_three_far_apart", "N13", 300.00, "INV-3201 INV-3277 INV-3255", "USD"),
    ("other_far_over", "P3", 400.00, "INV-2710", "USD"),
    ("unknown_payer_over", None, 400.00, "INV-2810", "USD"),
    ("two_near_amounts", "N4", 100.20, "", "USD"),
    ("one_near_amount", "N5", 99.50, "", "USD"),
    ("set_of_four", "N6", 1500.00, "", "USD"),
    ("window_120_days", "N9", 350.00, "", "USD"),
    ("paid_twice_1", "P1", 300.00, "INV-2110", "USD"),
    ("paid_twice_2", "P1", 500.00, "INV-2110 INV-2120", "USD"),     # INV-2110 is paid by then
    ("cent_invoice", "P2", 100.00, "INV-2210 INV-2288", "USD"),
    ("other_short", "P3", 295.00, "INV-2410", "USD"),              # P3 has no items; P4's, P5's, P6's numbers
    ("other_over", "P3", 305.00, "INV-2510", "USD"),
    ("other_in_part", "P3", 100.00, "INV-2610", "USD"),
]
# Tolerance = min(25.00, 2% of the payment); auto from confidence 0.90.
MORE_EXPECTED = {
    # The other customer's number is dropped: M1's own 300 is the amount.
    "own_and_other": ("reference", 0.99, "applied", 300.00, 0.0, 0.0, [("INV-4410", 300.00, True)]),
    # 5.00 short (tolerance 5.90) of the one item named, though the remittance holds no number.
    "short_number": ("reference_short", 0.95, "applied", 295.00, 5.00, 0.0, [("INV-77", 295.00, True)]),
    # The one invoice near the number, paid in full; 5.00 over (tolerance 10.10) on account.
    "typo_over": ("reference_typo", 0.95, "applied", 500.00, 0.0, 5.00, [("INV-8423", 500.00, True)]),
    "short_one_cent": ("reference_short", 0.95, "applied", 199.99, 0.01, 0.0, [("INV-5510", 199.99, True)]),
    "over_one_cent": ("reference_over", 0.95, "applied", 200.00, 0.0, 0.01, [("INV-5610", 200.00, True)]),
    # Half of the one invoice named, by its own payer: a part payment, applied.
    "one_named_in_part": ("reference_partial", 0.92, "applied", 500.00, 0.0, 0.0, [("INV-5710", 500.00, True)]),
    # Two invoices near the number, neither makes 300 nor is within tolerance of it: left unapplied.
    "two_typo_readings": ("", 0.0, "unapplied", 0.0, 0.0, 0.0, []),
    # 9410 is named; 9420 and 9430 are one edit from a number (9410 and 9402); of sets of at most
    # two numbers, only 9410 + 9420 makes 500.
    "right_and_typo": ("reference_typo", 0.95, "applied", 500.00, 0.0, 0.0,
                       [("INV-9410", 300.00, True), ("INV-9420", 200.00, True)]),
    # One number reads as one invoice, and neither alone makes 500: the amount rule then finds the
    # two oldest items, 100 + 400.
    "one_number_two_near": ("subset_sum", 0.92, "applied", 500.00, 0.0, 0.0,
                            [("INV-1012", 100.00, True), ("INV-1021", 400.00, True)]),
    # 200 of the 500 named is exactly one of them: that one, however far apart their due dates.
    "one_of_two_named": ("reference", 0.94, "applied", 200.00, 0.0, 0.0, [("INV-1188", 200.00, True)]),
    # 4.99 short of 305 (tolerance 6.00): oldest due first, 150 + 150, and the last cent on the 5.00.
    "short_over_three": ("reference_short", 0.95, "applied", 300.01, 4.99, 0.0,
                         [("INV-1210", 150.00, True), ("INV-1220", 150.00, True), ("INV-1230", 0.01, True)]),
    # 450 of the 900 named, no set of them makes it: a guess, oldest first, the newest untouched.
    "half_of_three": ("reference_partial", 0.6, "suggested", 0.0, 0.0, 0.0,
                      [("INV-1601", 300.00, False), ("INV-1655", 150.00, False)]),
    # Only the newer invoice is within 1.99 of 99.50 while the older is open: by chance, often.
    "later_near_amount": ("amount_tolerance", 0.8, "suggested", 0.0, 0.50, 0.0, [("INV-1702", 99.50, False)]),
    # 9910 named is 300; the one invoice one edit from 9293 is exactly the 200 paid.
    "typo_alone_fits": ("reference_typo", 0.95, "applied", 200.00, 0.0, 0.0, [("INV-9239", 200.00, True)]),
    # 0.01 + 100.00, the two oldest.
    "cent_in_a_set": ("subset_sum", 0.92, "applied", 100.01, 0.0, 0.0,
                      [("INV-3101", 0.01, True), ("INV-3102", 100.00, True)]),
    # 300 of the 700 named: 100 + 200 only, due 200 days apart.
    "two_of_three_far_apart": ("reference", 0.94, "applied", 300.00, 0.0, 0.0,
                               [("INV-3201", 100.00, True), ("INV-3277", 200.00, True)]),
    # 100.00 over another customer's invoice: a guess. Over the one invoice named, the payer known
    # only by that reference: less sure (0.80) than a payer known by its id (0.90).
    "other_far_over": ("reference_over", 0.6, "suggested", 0.0, 0.0, 100.00, [("INV-2710", 300.00, False)]),
    "unknown_payer_over": ("reference_over", 0.8, "suggested", 0.0, 0.0, 100.00, [("INV-2810", 300.00, False)]),
    # Both within 2.00 of 100.20: a guess on the older one, 0.20 over.
    "two_near_amounts": ("amount_tolerance", 0.6, "suggested", 0.0, 0.0, 0.20, [("INV-1310", 100.00, False)]),
    "one_near_amount": ("amount_tolerance", 0.9, "applied", 99.50, 0.50, 0.0, [("INV-1410", 99.50, True)]),
    # 100 + 200 + 400 + 800: the only set (every sum of these five is different), the four oldest.
    "set_of_four": ("subset_sum", 0.92, "applied", 1500.00, 0.0, 0.0,
                    [("INV-1501", 100.00, True), ("INV-1502", 200.00, True), ("INV-1503", 400.00, True),
                     ("INV-1504", 800.00, True)]),
    # Due 2026-01-01 and 2026-05-01: 31 + 28 + 31 + 30 = 120 days apart, at the window's edge.
    "window_120_days": ("subset_sum", 0.92, "applied", 350.00, 0.0, 0.0,
                        [("INV-1910", 100.00, True), ("INV-1920", 250.00, True)]),
    # Both name INV-2110 and add up exactly (so pass 1 leaves them to pass 2, in payment order):
    # the first pays it; the second finds only INV-2120 open, 300.00 over: on account.
    "paid_twice_1": ("reference", 0.99, "applied", 300.00, 0.0, 0.0, [("INV-2110", 300.00, True)]),
    "paid_twice_2": ("reference_over", 0.9, "applied", 200.00, 0.0, 300.00, [("INV-2120", 200.00, True)]),
    # 0.01 short of 100.01, oldest due first: the cent invoice, then 99.99.
    "cent_invoice": ("reference_short", 0.95, "applied", 100.00, 0.01, 0.0,
                     [("INV-2210", 0.01, True), ("INV-2288", 99.99, True)]),
    # A payer naming only another customer's invoice, not exactly: each rule, as a suggestion.
    "other_short": ("reference_short", 0.6, "suggested", 0.0, 5.00, 0.0, [("INV-2410", 295.00, False)]),
    "other_over": ("reference_over", 0.6, "suggested", 0.0, 0.0, 5.00, [("INV-2510", 300.00, False)]),
    "other_in_part": ("reference_partial", 0.6, "suggested", 0.0, 0.0, 0.0, [("INV-2610", 100.00, False)]),
}


def test_more_rules_at_their_edges_by_hand():
    got = _outcomes(apply_cash(_payments(MORE_PAYMENTS), _book(MORE_INVOICES), as_of="2026-06-01"))
    assert got == MORE_EXPECTED


def test_sets_of_five_none_of_six_and_the_cap_of_fifty_sets():
    """Amount-only payments against sets of many invoices (at most 5 per set, 50 sets looked at).

    - Q1: 100, 200, 400, 800, 1600 (every sum different): 3100 is all five, the oldest: applied.
    - Q2: the same and 3200: 6300 is all six, one more than a set may hold: unapplied.
    - Q3: 5 invoices of 10.00 and 10 of 25.00, the two oldest a 10 and a 25: 35.00 is 10 + 25 only
      (10k + 25m = 35 has no other solution), 5 x 10 = 50 sets of the same amounts. At 50 sets the
      search stops, so there may be others: a guess on the first (the two oldest).
    - Q4: 4 of 10.00 and 10 of 25.00: 40 sets, all 10 + 25: the oldest pair, applied.
    """
    powers = [100.00, 200.00, 400.00, 800.00, 1600.00]
    invoices = [("Q1", f"INV-61{k:02d}", a, f"2026-05-{k + 1:02d}", "USD") for k, a in enumerate(powers)]
    invoices += [("Q2", f"INV-62{k:02d}", a, f"2026-05-{k + 1:02d}", "USD") for k, a in enumerate([*powers, 3200.00])]
    for customer, tens in (("Q3", 5), ("Q4", 4)):
        amounts = [10.00, 25.00] + [10.00] * (tens - 1) + [25.00] * 9
        invoices += [(customer, f"INV-{customer}{k:02d}", a, f"2026-04-{k + 1:02d}", "USD")
                     for k, a in enumerate(amounts)]
    payments = [("five", "Q1", 3100.00, "", "USD"), ("six", "Q2", 6300.00, "", "USD"),
                ("fifty_sets", "Q3", 35.00, "", "USD"), ("forty_sets", "Q4", 35.00, "", "USD")]
    got = _outcomes(apply_cash(_payments(payments), _book(invoices), as_of="2026-06-01"))
    assert got == {
        "five": ("subset_sum", 0.92, "applied", 3100.00, 0.0, 0.0,
                 [(f"INV-61{k:02d}", a, True) for k, a in enumerate(powers)]),
        "six": ("", 0.0, "unapplied", 0.0, 0.0, 0.0, []),
        "fifty_sets": ("subset_sum", 0.6, "suggested", 0.0, 0.0, 0.0,
                       [("INV-Q300", 10.00, False), ("INV-Q301", 25.00, False)]),
        "forty_sets": ("subset_sum", 0.92, "applied", 35.00, 0.0, 0.0,
                       [("INV-Q400", 10.00, True), ("INV-Q401", 25.00, True)]),
    }
