"""Every boundary of the aging buckets and of the cash-application tolerance, with expectations
written out by hand (no library function computes what it is checked against).

Item 13 of issue 10: planted one-line bugs at these edges (``<=`` to ``<`` in a bucket, the
tolerance cap 25.00 to 50.00, 2% to 2.5%) survived a suite that compared outputs with the
functions they are built from.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from arkit import ArkitError, Ledger, age, aging_summary, load_ledger, summarize_aging
from arkit.cashapp import apply_cash

AS_OF = dt.date(2026, 6, 30)

# Days past due on AS_OF -> the bucket of the default edges 30/60/90/120, by hand.
DEFAULT_EDGES = {
    -1: "current", 0: "current", 1: "1-30", 29: "1-30", 30: "1-30", 31: "31-60", 60: "31-60", 61: "61-90",
    90: "61-90", 91: "91-120", 120: "91-120", 121: "120+", 400: "120+",
}
# Each item's amount is a distinct power of two, so every bucket total names its items.
AMOUNT = {days: float(2 ** k) for k, days in enumerate(DEFAULT_EDGES)}


def _day(days_before: int) -> pd.Timestamp:
    return pd.Timestamp(AS_OF - dt.timedelta(days=days_before))


def _items(days_past: list[int], basis: str = "due") -> pd.DataFrame:
    """One invoice per entry, ``days`` past due on AS_OF (due basis) or that old (document basis)."""
    if basis == "due":
        due = [_day(d) for d in days_past]
        doc = [d - pd.Timedelta(days=30) for d in due]
    else:  # due dates that would put every item in another bucket: the document date must be read
        doc = [_day(d) for d in days_past]
        due = [d + pd.Timedelta(days=45) for d in doc]
    return pd.DataFrame({
        "document_id": [f"INV{d:+04d}" for d in days_past], "customer_id": "C1",
        "doc_date": doc, "due_date": due, "amount": [AMOUNT.get(d, 1.0) for d in days_past],
        "currency": "USD",
    })


@pytest.mark.parametrize("basis", ["due", "document"])
def test_age_puts_each_day_count_in_its_bucket(basis):
    days = [d for d in DEFAULT_EDGES if basis == "due" or d >= 0]  # a document is never dated after as_of
    aged = age(_items(days, basis), as_of=AS_OF, basis=basis).set_index("document_id")
    for d in days:
        row = aged.loc[f"INV{d:+04d}"]
        assert (row["days_past_due"], row["bucket"]) == (d, DEFAULT_EDGES[d]), d


def test_age_on_every_backend(backend):
    aged = backend.to_pandas(age(backend(_items(list(DEFAULT_EDGES))), as_of=AS_OF), "document_id")
    got = dict(zip(aged["days_past_due"], aged["bucket"]))
    assert got == DEFAULT_EDGES


# Sums of AMOUNT per bucket, by hand: -1 -> 1, 0 -> 2, 1 -> 4, 29 -> 8, 30 -> 16, 31 -> 32, 60 -> 64,
# 61 -> 128, 90 -> 256, 91 -> 512, 120 -> 1024, 121 -> 2048, 400 -> 4096.
DEFAULT_SUMMARY = {"current": 1 + 2, "1-30": 4 + 8 + 16, "31-60": 32 + 64, "61-90": 128 + 256, "91-120": 512 + 1024,
                   "120+": 2048 + 4096, "total": 8191}


def test_aging_summary_totals_each_bucket_on_every_backend(backend):
    summary = backend.to_pandas(aging_summary(backend(_items(list(DEFAULT_EDGES))), as_of=AS_OF), "customer_id")
    assert len(summary) == 1
    assert {k: summary.iloc[0][k] for k in DEFAULT_SUMMARY} == DEFAULT_SUMMARY


def test_summarize_aging_of_age_gives_the_same_hand_totals():
    aged = age(_items(list(DEFAULT_EDGES)), as_of=AS_OF)
    row = summarize_aging(aged, by=None).iloc[0]
    assert {k: row[k] for k in DEFAULT_SUMMARY} == DEFAULT_SUMMARY


def test_document_basis_summary_counts_from_the_document_date(backend):
    days = [d for d in DEFAULT_EDGES if d >= 0]
    summary = backend.to_pandas(aging_summary(backend(_items(days, "document")), as_of=AS_OF, by=None,
                                              basis="document"), "total")
    assert {k: summary.iloc[0][k] for k in DEFAULT_SUMMARY} == {**DEFAULT_SUMMARY, "current": 2, "total": 8190}
    # Counted from the due dates (45 days later) the same items fall elsewhere: the basis is read.
    by_due = aging_summary(_items(days, "document"), as_of=AS_OF, by=None).iloc[0]
    assert by_due["current"] == 2 + 4 + 8 + 16 + 32  # 0 to 31 days old, due 45 days after: not yet due
    assert by_due["1-30"] == 64 + 128  # 60 and 61 days old: 15 and 16 days past due


# Custom edges (15, 45): current <= 0, 1-15, 16-45, above 45; and a single edge of 7.
CUSTOM = {(15, 45): {-1: "current", 0: "current", 1: "1-15", 15: "1-15", 16: "16-45", 45: "16-45", 46: "45+"},
          (7,): {0: "current", 1: "1-7", 7: "1-7", 8: "7+"},
          (10, 20, 30, 40, 50): {10: "1-10", 11: "11-20", 20: "11-20", 21: "21-30", 40: "31-40", 41: "41-50",
                                 50: "41-50", 51: "50+"}}


@pytest.mark.parametrize("edges", list(CUSTOM))
def test_custom_edges_on_age_and_aging_summary(edges, backend):
    expected = CUSTOM[edges]
    items = _items(list(expected)).assign(amount=[float(2 ** k) for k in range(len(expected))])
    aged = backend.to_pandas(age(backend(items), as_of=AS_OF, buckets=edges), "document_id")
    assert dict(zip(aged["days_past_due"], aged["bucket"])) == expected
    summary = backend.to_pandas(aging_summary(backend(items), as_of=AS_OF, by=None, buckets=edges), "total").iloc[0]
    by_hand: dict[str, float] = {}
    for k, label in enumerate(expected.values()):
        by_hand[label] = by_hand.get(label, 0.0) + 2 ** k
    for label, total in by_hand.items():
        assert summary[label] == total, (edges, label)
    assert summary["total"] == 2 ** len(expected) - 1


def test_without_due_dates_the_due_basis_counts_from_the_document_date():
    items = _items([0, 1, 30, 31]).drop(columns="due_date")
    items["doc_date"] = [_day(d) for d in (0, 1, 30, 31)]
    aged = age(items, as_of=AS_OF)
    assert dict(zip(aged["days_past_due"], aged["bucket"])) == {0: "current", 1: "1-30", 30: "1-30", 31: "31-60"}


# ------------------------------------------------------------------ cash application tolerance
# The tolerance is min(25.00, 2% of the payment) (README, "Cash application"). So it is 2%
# below a payment of 1,250.00 and 25.00 from there on. Each case: invoice amount, payment,
# remittance naming the invoice or not, and the outcome by hand:
# (rule, confidence, status, applied, unapplied, deduction, credit).
CASES = {
    # -- the invoice named in the remittance; 2% regime: a payment of 500.00 tolerates 10.00
    "short_at_2pct": (510.00, 500.00, True, ("reference_short", 0.95, "applied", 500.00, 0.0, 10.00, 0.0)),
    "short_past_2pct": (510.01, 500.00, True, ("reference_partial", 0.92, "applied", 500.00, 0.0, 0.0, 0.0)),
    "over_at_2pct": (490.00, 500.00, True, ("reference_over", 0.95, "applied", 490.00, 10.00, 0.0, 10.00)),
    "over_past_2pct": (489.99, 500.00, True, ("reference_over", 0.90, "applied", 489.99, 10.01, 0.0, 10.01)),
    # 2% of 499.99 is 9.9998, taken to the cent: 10.00
    "short_2pct_cents": (509.99, 499.99, True, ("reference_short", 0.95, "applied", 499.99, 0.0, 10.00, 0.0)),
    "short_2pct_cents_past": (510.00, 499.99, True, ("reference_partial", 0.92, "applied", 499.99, 0.0, 0.0, 0.0)),
    # -- cap regime: 2% of 2,000.00 is 40.00, the cap 25.00 wins
    "short_at_cap": (2025.00, 2000.00, True, ("reference_short", 0.95, "applied", 2000.00, 0.0, 25.00, 0.0)),
    "short_past_cap": (2025.01, 2000.00, True, ("reference_partial", 0.92, "applied", 2000.00, 0.0, 0.0, 0.0)),
    "over_at_cap": (1975.00, 2000.00, True, ("reference_over", 0.95, "applied", 1975.00, 25.00, 0.0, 25.00)),
    "over_past_cap": (1974.99, 2000.00, True, ("reference_over", 0.90, "applied", 1974.99, 25.01, 0.0, 25.01)),
    # -- where the regimes meet: 2% of 1,250.00 is 25.00; of 1,249.50 it is 24.99
    "short_at_crossover": (1275.00, 1250.00, True, ("reference_short", 0.95, "applied", 1250.00, 0.0, 25.00, 0.0)),
    "short_past_crossover": (1275.01, 1250.00, True, ("reference_partial", 0.92, "applied", 1250.00, 0.0, 0.0, 0.0)),
    "short_below_crossover": (1274.49, 1249.50, True, ("reference_short", 0.95, "applied", 1249.50, 0.0, 24.99, 0.0)),
    "short_below_crossover_past": (1274.50, 1249.50, True,
                                   ("reference_partial", 0.92, "applied", 1249.50, 0.0, 0.0, 0.0)),
    # -- 2% of the payment, not of the invoice: 1,000.00 short by 19.80 is out (2% of 980.20 is 19.60)
    "short_2pct_of_payment": (1000.00, 980.20, True, ("reference_partial", 0.92, "applied", 980.20, 0.0, 0.0, 0.0)),
    "short_at_2pct_of_payment": (999.80, 980.20, True,
                                 ("reference_short", 0.95, "applied", 980.20, 0.0, 19.60, 0.0)),
    # -- no reference: the customer's only open invoice within the tolerance (amount_tolerance)
    "amount_short_at_2pct": (510.00, 500.00, False, ("amount_tolerance", 0.90, "applied", 500.00, 0.0, 10.00, 0.0)),
    "amount_short_past_2pct": (510.01, 500.00, False, ("", 0.0, "unapplied", 0.0, 500.00, 0.0, 0.0)),
    "amount_over_at_2pct": (490.00, 500.00, False, ("amount_tolerance", 0.90, "applied", 490.00, 10.00, 0.0, 10.00)),
    "amount_over_past_2pct": (489.99, 500.00, False, ("", 0.0, "unapplied", 0.0, 500.00, 0.0, 0.0)),
    "amount_short_at_cap": (2025.00, 2000.00, False, ("amount_tolerance", 0.90, "applied", 2000.00, 0.0, 25.00, 0.0)),
    "amount_short_past_cap": (2025.01, 2000.00, False, ("", 0.0, "unapplied", 0.0, 2000.00, 0.0, 0.0)),
    "amount_over_at_cap": (1975.00, 2000.00, False, ("amount_tolerance", 0.90, "applied", 1975.00, 25.00, 0.0, 25.00)),
    "amount_over_past_cap": (1974.99, 2000.00, False, ("", 0.0, "unapplied", 0.0, 2000.00, 0.0, 0.0)),
    "amount_short_at_2pct_cents": (510.21, 500.50, False,  # 2% of 500.50 is 10.01
                                   ("amount_tolerance", 0.90, "applied", 500.50, 0.0, 9.71, 0.0)),
    "amount_short_2pct_cents_past": (510.52, 500.50, False, ("", 0.0, "unapplied", 0.0, 500.50, 0.0, 0.0)),
    # a round payment against an invoice with cents is more like a payment on account: 0.8, suggested
    "amount_round_vs_cents": (505.50, 500.00, False, ("amount_tolerance", 0.80, "suggested", 0.0, 500.00, 5.50, 0.0)),
    # exactly the amount, with or without a reference
    "amount_exact": (500.00, 500.00, False, ("exact_amount", 0.95, "applied", 500.00, 0.0, 0.0, 0.0)),
    "reference_exact": (500.00, 500.00, True, ("reference", 0.99, "applied", 500.00, 0.0, 0.0, 0.0)),
}


def _cash_case_book(cases: dict) -> tuple[Ledger, pd.DataFrame]:
    """One customer per case, each with one open invoice, and one payment per case."""
    names = list(cases)
    numbers = [7000 + 37 * k for k in range(len(names))]  # far apart: no number is one edit from another
    items = pd.DataFrame({
        "document_id": [f"INV-{n}" for n in numbers], "customer_id": [f"C{k:02d}" for k in range(len(names))],
        "doc_date": pd.Timestamp("2026-05-01"), "due_date": pd.Timestamp("2026-05-31"),
        "amount": [cases[name][0] for name in names], "currency": "USD",
    })
    payments = pd.DataFrame({
        "payment_id": names, "customer_id": items["customer_id"], "date": "2026-06-02",
        "amount": [cases[name][1] for name in names], "currency": "USD",
        "remittance": [f"INV-{n}" if cases[name][2] else "" for name, n in zip(names, numbers)],
    })
    return Ledger(items), payments


def _outcomes(result, cases: dict) -> tuple[dict, dict]:
    """Each case's outcome as applied, beside the hand-written one."""
    payments, allocations = result.payments.set_index("payment_id"), result.allocations
    got, expected = {}, {}
    for case, (_, _, _, outcome) in cases.items():
        row = payments.loc[case]
        auto = allocations[(allocations["payment_id"] == case) & (allocations["status"] == "auto")]
        got[case] = (row["rule"], round(float(row["confidence"]), 2), row["status"],
                     *(round(float(row[c]), 2) for c in ("applied", "unapplied", "deduction", "credit")),
                     round(float(auto["amount"].sum()), 2), sorted(set(auto["customer_id"])))
        expected[case] = (*outcome, outcome[3], [row["customer_id"]] if outcome[3] else [])
    return got, expected


def test_tolerance_at_and_one_cent_past_each_regime():
    # One call for every case (each case is its own customer), compared as a whole: a mutant of the
    # rules is caught by this one test (mutation testing runs the tests that call the mutated code).
    ledger, payments = _cash_case_book(CASES)
    got, expected = _outcomes(apply_cash(payments, ledger, as_of="2026-06-01"), CASES)
    assert got == expected


CUSTOM_TOLERANCE = {  # tolerance=5.00, relative_tolerance=1%: 1% of 300.00 is 3.00; of 1,000.00 it is 10.00 > 5.00
    "short_at_1pct": (303.00, 300.00, True, ("reference_short", 0.95, "applied", 300.00, 0.0, 3.00, 0.0)),
    "short_past_1pct": (303.01, 300.00, True, ("reference_partial", 0.92, "applied", 300.00, 0.0, 0.0, 0.0)),
    "short_at_cap5": (1005.00, 1000.00, True, ("reference_short", 0.95, "applied", 1000.00, 0.0, 5.00, 0.0)),
    "short_past_cap5": (1005.01, 1000.00, True, ("reference_partial", 0.92, "applied", 1000.00, 0.0, 0.0, 0.0)),
    "amount_over_at_cap5": (995.00, 1000.00, False, ("amount_tolerance", 0.90, "applied", 995.00, 5.00, 0.0, 5.00)),
    "amount_over_past_cap5": (994.99, 1000.00, False, ("", 0.0, "unapplied", 0.0, 1000.00, 0.0, 0.0)),
}


def test_tolerance_options_move_both_regimes():
    ledger, payments = _cash_case_book(CUSTOM_TOLERANCE)
    result = apply_cash(payments, ledger, as_of="2026-06-01", tolerance=5.0, relative_tolerance=0.01)
    got, expected = _outcomes(result, CUSTOM_TOLERANCE)
    assert got == expected


# ------------------------------------------------------------------------- fx rate precision
def test_four_decimal_rate_converts_the_aging_total_to_the_cent(tmp_path):
    (tmp_path / "items.csv").write_text(
        "document_id,customer_id,doc_type,doc_date,due_date,amount,currency\n"
        "INV1,C1,invoice,2026-01-05,2026-02-04,10000.00,CAD\n"
        "INV2,C1,invoice,2026-01-20,2026-02-19,2345.67,CAD\n"
        "INV3,C2,invoice,2026-01-10,2026-02-09,500.00,USD\n")
    (tmp_path / "fx_rates.csv").write_text("currency,date,rate\nCAD,2026-01-01,0.7308\n")
    ledger = load_ledger(tmp_path)
    assert ledger.fx_rates["rate"].tolist() == [0.7308]
    summary = aging_summary(ledger, as_of="2026-03-31", by=None, currency="USD").iloc[0]
    # By hand: CAD 12,345.67 x 0.7308 = 9,022.215636 -> 9,022.22; plus USD 500.00.
    assert summary["total"] == 9522.22
    assert summary["31-60"] == 9522.22


@pytest.mark.parametrize("edges", [(), (0, 30), (-5,), (30, 30), (60, 30), (30.0,), (1.5, 30)])
def test_bucket_edges_must_be_increasing_whole_days_above_zero(edges):
    with pytest.raises(ArkitError, match=r"bucket edges must be increasing whole days above 0.*got \["):
        age(_items([0]), as_of=AS_OF, buckets=edges)


def test_the_smallest_bucket_edge_is_one_day():
    aged = age(_items([0, 1, 2]), as_of=AS_OF, buckets=(1,))
    assert dict(zip(aged["days_past_due"], aged["bucket"])) == {0: "current", 1: "1-1", 2: "1+"}


# ------------------------------------------------- applications and rates dated on the aging date
def test_applications_count_up_to_and_including_the_aging_date():
    items = pd.DataFrame({"document_id": ["INV1", "PMT1"], "customer_id": "C1", "currency": "USD",
                          "doc_date": [_day(40), _day(5)], "due_date": [_day(10), _day(5)], "amount": [100.0, -100.0]})
    applications = pd.DataFrame({"source_id": ["PMT1", "PMT1"], "target_id": ["INV1", "INV1"], "amount": [40.0, 25.0],
                                 "applied_date": [_day(0), _day(-1)]})  # on AS_OF, and the day after
    aged = age(items, as_of=AS_OF, applications=applications).set_index("document_id")
    assert aged["open_amount"].to_dict() == {"INV1": 60.0, "PMT1": -60.0}
    assert aged["bucket"].to_dict() == {"INV1": "1-30", "PMT1": "1-30"}
    summary = aging_summary(items, as_of=AS_OF, by=None, applications=applications).iloc[0]
    assert (summary["1-30"], summary["total"]) == (0.0, 0.0)
    fully = age(items, as_of=AS_OF + dt.timedelta(days=1), applications=applications).set_index("document_id")
    assert fully["open_amount"].to_dict() == {"INV1": 35.0, "PMT1": -35.0}


def test_the_rate_used_is_the_latest_dated_on_or_before_the_aging_date():
    items = pd.DataFrame({"document_id": ["CA1", "US1"], "customer_id": ["C1", "C2"], "currency": ["CAD", "USD"],
                          "doc_date": [_day(20), _day(20)], "due_date": [_day(5), _day(5)], "amount": [1000.0, 10.0]})
    rates = pd.DataFrame({"currency": "CAD", "date": [_day(90), _day(0), _day(-1)], "rate": [0.70, 0.75, 0.80]})
    aged = age(items, as_of=AS_OF, currency="USD", fx_rates=rates).set_index("document_id")
    assert aged["reporting_amount"].to_dict() == {"CA1": 750.0, "US1": 10.0}
    summary = aging_summary(items, as_of=AS_OF, by=None, currency="USD", fx_rates=rates).iloc[0]
    assert (summary["1-30"], summary["total"]) == (760.0, 760.0)
    earlier = aging_summary(items, as_of=AS_OF - dt.timedelta(days=1), by=None, currency="USD", fx_rates=rates).iloc[0]
    assert earlier["total"] == 710.0  # the day before, 0.70 was the latest
    with pytest.raises(ArkitError, match="no rate to USD on or before 2026-06-30 for: CAD"):
        age(items, as_of=AS_OF, currency="USD", fx_rates=rates[rates["date"] > _day(0)])  # only the day after


def test_summarize_aging_by_customer_and_foreign_bucket_names():
    aged = age(pd.concat([_items([0, 31]), _items([61]).assign(customer_id="C2", document_id="J61")]), as_of=AS_OF)
    summary = summarize_aging(aged).set_index("customer_id")
    assert summary.loc["C1", ["current", "31-60", "total"]].tolist() == [2.0, 32.0, 34.0]
    assert summary.loc["C2", ["61-90", "total"]].tolist() == [128.0, 128.0]
    with pytest.raises(ArkitError, match=r"bucket\(s\) 1-30, 31-60 that buckets \[15\] do not name"):
        summarize_aging(aged.assign(bucket=["1-30", "31-60", "31-60"]), buckets=(15,))
