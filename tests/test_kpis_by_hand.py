"""The collection KPIs of a small hand-built ledger, every figure worked out by hand.

The ledger (one customer, USD, settled by closed dates):

======  ===========  ==========  ==========  ========  ==========
doc     type         doc date    due date    amount    closed
======  ===========  ==========  ==========  ========  ==========
I1      invoice      2025-12-10  2026-01-09   1000.00  2026-01-05
I2      invoice      2025-12-20  2026-01-19    500.00  2026-02-10
I3      invoice      2026-01-15  2026-02-14   2000.00  2026-03-20
I4      invoice      2026-01-25  2026-02-24    300.00  2026-03-15 (written off)
CM1     credit_memo  2026-01-28  2026-01-28   -100.00  open
I5      invoice      2026-02-05  2026-03-07    800.00  2026-03-01
DM1     debit_memo   2026-02-20  2026-03-22     50.00  open
WO1     write_off    2026-03-15  2026-03-15   -300.00  2026-03-15
I6      invoice      2026-03-10  2026-04-09   1200.00  open
P1      payment      2026-03-25  2026-03-25   -250.00  open (unapplied cash)
======  ===========  ==========  ==========  ========  ==========

The book at each month end (open on that day: dated on or before it, not yet closed):

- 2025-12-31: I1 + I2 = 1500, all not yet due (current 1500).
- 2026-01-31: I2 500 (past due) + I3 2000 + I4 300 (current) + CM1 -100 (past due) = 2700; current 2300.
  Sales: I3 + I4 = 2300, *gross* of the credit memo (net would be 2200).
- 2026-02-28: I3 2000 + I4 300 + CM1 -100 (past due) + I5 800 + DM1 50 (current) = 3050; current 850.
  Sales: I5 + DM1 = 850.
- 2026-03-31: CM1 -100 + DM1 50 + P1 -250 (past due) + I6 1200 (current) = 900; current 1200.
  Sales: I6 = 1200. Write-offs: 300.

Settled invoices (days to pay = closed - doc date; days late = max(0, closed - due)):
January I1 26 / 0; February I2 52 / 22; March I5 24 / 0, I4 49 / 19, I3 64 / 34.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import hand_items

from arkit import ArkitError, Ledger
from arkit._kpis import aging_kpis, compute_kpis, kpis, period_kpis, rank_past_due

ROWS = [  # document_id, doc_type, doc_date, due_date, amount, closed_date
    ("I1", "invoice", "2025-12-10", "2026-01-09", 1000.00, "2026-01-05"),
    ("I2", "invoice", "2025-12-20", "2026-01-19", 500.00, "2026-02-10"),
    ("I3", "invoice", "2026-01-15", "2026-02-14", 2000.00, "2026-03-20"),
    ("I4", "invoice", "2026-01-25", "2026-02-24", 300.00, "2026-03-15"),
    ("CM1", "credit_memo", "2026-01-28", "2026-01-28", -100.00, None),
    ("I5", "invoice", "2026-02-05", "2026-03-07", 800.00, "2026-03-01"),
    ("DM1", "debit_memo", "2026-02-20", "2026-03-22", 50.00, None),
    ("WO1", "write_off", "2026-03-15", "2026-03-15", -300.00, "2026-03-15"),
    ("I6", "invoice", "2026-03-10", "2026-04-09", 1200.00, None),
    ("P1", "payment", "2026-03-25", "2026-03-25", -250.00, None),
]


def _items(rows=ROWS, customer: str = "C1", currency: str = "USD") -> pd.DataFrame:
    return hand_items(rows, customer, currency)


# Per month: days, opening, sales, closing, current, write-offs (by hand, see the docstring).
JAN = dict(days=31, opening=1500.0, sales=2300.0, closing=2700.0, current=2300.0, write_offs=0.0)
FEB = dict(days=28, opening=2700.0, sales=850.0, closing=3050.0, current=850.0, write_offs=0.0)
MAR = dict(days=31, opening=3050.0, sales=1200.0, closing=900.0, current=1200.0, write_offs=-300.0)


def _expected(m: dict) -> dict:
    """The module docstring's formulas on one month's hand figures."""
    past_due = m["closing"] - m["current"]
    return {
        "dso": m["closing"] / m["sales"] * m["days"],
        "best_possible_dso": m["current"] / m["sales"] * m["days"],
        "average_days_delinquent": (m["closing"] - m["current"]) / m["sales"] * m["days"],
        "cei": (m["opening"] + m["sales"] - m["closing"]) / (m["opening"] + m["sales"] - m["current"]) * 100,
        "pct_current": m["current"] / m["closing"] * 100,
        "pct_past_due": past_due / m["closing"] * 100,
        "ar_turnover": m["sales"] * 365 / m["days"] / ((m["opening"] + m["closing"]) / 2),
        "bad_debt_ratio": -m["write_offs"] / m["sales"] * 100,
    }


@pytest.fixture  # not module-scoped: mutation testing runs only the tests that call kpis()
def table():
    return kpis(Ledger(_items()), as_of="2026-03-31", months=3).set_index(
        pd.to_datetime(["2026-01-31", "2026-02-28", "2026-03-31"]))


def test_monthly_figures_by_hand(table):
    assert table["period_end"].astype(str).tolist() == ["2026-01-31", "2026-02-28", "2026-03-31"]
    for (_, row), month in zip(table.iterrows(), (JAN, FEB, MAR)):
        for name, value in month.items():
            assert row[name] == pytest.approx(value), name


def test_sales_are_gross_of_credit_memos(table):
    # January: invoices 2000 + 300; the credit memo of 100 issued that month does not reduce sales.
    assert table["sales"].iloc[0] == 2300.0
    assert table["dso"].iloc[0] == pytest.approx(2700 / 2300 * 31)  # 36.39; net sales would give 38.05


def test_kpis_of_each_month_by_hand(table):
    for month, hand in enumerate((JAN, FEB, MAR)):
        row = table.iloc[month]
        for name, value in _expected(hand).items():
            assert row[name] == pytest.approx(value), (month, name)


def test_the_headline_figures_written_out(table):
    jan, feb, mar = (table.iloc[i] for i in range(3))
    assert jan["dso"] == pytest.approx(36.3913, abs=1e-4) and jan["best_possible_dso"] == pytest.approx(31.0)
    assert jan["average_days_delinquent"] == pytest.approx(5.3913, abs=1e-4)
    assert jan["cei"] == pytest.approx(1100 / 1500 * 100)          # 73.33
    assert feb["dso"] == pytest.approx(100.4706, abs=1e-4) and feb["cei"] == pytest.approx(500 / 2700 * 100)
    # March: credits and unapplied cash past due outweigh the past-due debits: ADD below zero.
    assert mar["dso"] == pytest.approx(23.25) and mar["average_days_delinquent"] == pytest.approx(-7.75)
    assert mar["cei"] == pytest.approx(3350 / 3050 * 100) and mar["bad_debt_ratio"] == pytest.approx(25.0)


def test_countback_dso_by_hand(table):
    # Jan: 2700 of AR; January's sales 2300 cover 31 days, December's 1500 the other 400: 400/1500 x 31.
    # Feb: 3050; February 850 (28 days), then 2200 of January's 2300 (31 days).
    # Mar: 900 is less than March's 1200: 900/1200 x 31.
    assert table["countback_dso"].tolist() == pytest.approx([31 + 400 / 1500 * 31, 28 + 2200 / 2300 * 31, 23.25])


def test_settled_invoice_figures_by_hand(table):
    assert table["settled"].tolist() == [1, 1, 3]
    assert table["avg_days_to_pay"].tolist() == pytest.approx([26, 52, (24 + 49 + 64) / 3])
    assert table["avg_days_late"].tolist() == pytest.approx([0, 22, (0 + 19 + 34) / 3])
    assert table["weighted_days_late"].tolist() == pytest.approx([0, 22, (800 * 0 + 300 * 19 + 2000 * 34) / 3100])


def test_period_kpis_of_the_quarter_by_hand():
    row = period_kpis(Ledger(_items()), as_of="2026-03-31", months=3).iloc[0]
    assert str(row["period_start"])[:10] == "2026-01-01" and str(row["period_end"])[:10] == "2026-03-31"
    quarter = dict(days=90, opening=1500.0, sales=4350.0, closing=900.0, current=1200.0, write_offs=-300.0)
    for name, value in quarter.items():
        assert row[name] == pytest.approx(value), name
    for name, value in _expected(quarter).items():
        assert row[name] == pytest.approx(value), name
    assert row["countback_dso"] == pytest.approx(23.25)  # the countback at the period end (March)
    assert row["settled"] == 5
    assert row["avg_days_to_pay"] == pytest.approx((26 + 52 + 24 + 49 + 64) / 5)
    assert row["avg_days_late"] == pytest.approx((0 + 22 + 0 + 19 + 34) / 5)
    assert row["weighted_days_late"] == pytest.approx((500 * 22 + 300 * 19 + 2000 * 34) / 4600)


def _as_applications() -> Ledger:
    """The same history told by payments and applications instead of closed dates."""
    items = _items().drop(columns="closed_date")
    payments = pd.DataFrame({
        "document_id": ["PA", "PB", "PC", "PD"], "doc_type": "payment", "customer_id": "C1", "currency": "USD",
        "doc_date": pd.to_datetime(["2026-01-05", "2026-02-10", "2026-03-20", "2026-03-01"]),
        "amount": [-1000.0, -500.0, -2000.0, -800.0]})
    payments["due_date"] = payments["doc_date"]
    applications = pd.DataFrame({
        "source_id": ["PA", "PB", "PC", "PD", "WO1"], "target_id": ["I1", "I2", "I3", "I5", "I4"],
        "amount": [1000.0, 500.0, 2000.0, 800.0, 300.0],
        "applied_date": pd.to_datetime(["2026-01-05", "2026-02-10", "2026-03-20", "2026-03-01", "2026-03-15"])})
    return Ledger(pd.concat([items, payments], ignore_index=True), applications=applications)


def test_applications_give_the_same_book_and_kpis():
    table = kpis(_as_applications(), as_of="2026-03-31", months=3)
    for (_, row), hand in zip(table.iterrows(), (JAN, FEB, MAR)):
        for name, value in {**hand, **_expected(hand)}.items():
            assert row[name] == pytest.approx(value), name
    assert table["countback_dso"].tolist() == pytest.approx([31 + 400 / 1500 * 31, 28 + 2200 / 2300 * 31, 23.25])


def test_by_customer_keeps_each_book_apart():
    # C2: one invoice of 400 on 2026-02-01, due 2026-03-03, never paid.
    c2 = _items([("J1", "invoice", "2026-02-01", "2026-03-03", 400.00, None)], customer="C2")
    table = kpis(Ledger(pd.concat([_items(), c2], ignore_index=True)), as_of="2026-03-31", months=3,
                 by="customer_id")
    c1 = table[table["customer_id"] == "C1"].reset_index(drop=True)
    for (_, row), hand in zip(c1.iterrows(), (JAN, FEB, MAR)):
        for name, value in {**hand, **_expected(hand)}.items():
            assert row[name] == pytest.approx(value), name
    jan, feb, mar = (row for _, row in table[table["customer_id"] == "C2"].iterrows())
    # January: nothing on the books, no sales: the ratios are null (never inf), countback 0.
    assert (jan["closing"], jan["sales"], jan["countback_dso"]) == (0.0, 0.0, 0.0)
    assert all(pd.isna(jan[k]) for k in ("dso", "best_possible_dso", "cei", "pct_current", "ar_turnover"))
    # February: sold 400, all of it open and current.
    assert (feb["dso"], feb["best_possible_dso"], feb["countback_dso"]) == pytest.approx((28.0, 28.0, 28.0))
    assert pd.isna(feb["cei"])  # 0 / 0: nothing was collectible
    # March: no sales; the 400 is past due. Countback skips the empty month: 31 + 400/400 x 28.
    assert pd.isna(mar["dso"]) and mar["cei"] == pytest.approx(0.0) and mar["pct_past_due"] == pytest.approx(100.0)
    assert mar["countback_dso"] == pytest.approx(59.0)


def test_countback_is_null_when_the_history_does_not_cover_the_ar():
    # AR of 3050 at the end of February; with countback_months=1 only February's 850 of sales is read.
    table = kpis(Ledger(_items()), as_of="2026-02-28", months=1, countback_months=1)
    assert pd.isna(table["countback_dso"].iloc[0])
    two = kpis(Ledger(_items()), as_of="2026-02-28", months=1, countback_months=2)
    assert two["countback_dso"].iloc[0] == pytest.approx(28 + 2200 / 2300 * 31)


def test_compute_kpis_countback_walks_back_over_months():
    # Worked example: AR 212,000; sales 100,000 (latest), 80,000, 70,000 in 30-day months:
    # 30 + 30 + (212,000 - 180,000) / 70,000 x 30 = 73.71. Exactly at a month's edge: 180,000 -> 60.
    monthly = pd.DataFrame({"period_end": pd.to_datetime(["2026-01-31", "2026-02-28", "2026-03-31"]),
                            "days": [30, 30, 30], "opening": 0.0, "closing": [0.0, 0.0, 212000.0],
                            "current": 0.0, "sales": [70000.0, 80000.0, 100000.0]})
    assert compute_kpis(monthly)["countback_dso"].iloc[-1] == pytest.approx(60 + 32000 / 70000 * 30)
    edge = monthly.assign(closing=[0.0, 0.0, 180000.0])
    assert compute_kpis(edge)["countback_dso"].iloc[-1] == pytest.approx(60.0)
    assert compute_kpis(edge, countback_months=2)["countback_dso"].iloc[-1] == pytest.approx(60.0)
    beyond = monthly.assign(closing=[0.0, 0.0, 180000.01])
    assert pd.isna(compute_kpis(beyond, countback_months=2)["countback_dso"].iloc[-1])
    negative = monthly.assign(closing=[0.0, 0.0, -5.0])
    assert compute_kpis(negative)["countback_dso"].iloc[-1] == 0.0


def test_kpis_refuse_an_empty_window():
    with pytest.raises(ArkitError, match="at least 1"):
        kpis(Ledger(_items()), as_of="2026-03-31", months=0)


# ------------------------------------------------------------------------ triage tiles by hand
def _aged() -> pd.DataFrame:
    # A: 100 due today (not past due), 50 one day past due. B: 200 at 91 days, a -200 credit at 5.
    # C: 30 at exactly 90 days (not severe). D: only a -10 credit, 10 days past due.
    return pd.DataFrame({"customer_id": ["A", "A", "B", "B", "C", "D"],
                         "open_amount": [100.0, 50.0, 200.0, -200.0, 30.0, -10.0],
                         "days_past_due": [0, 1, 91, 5, 90, 10]})


def test_aging_kpis_by_hand():
    tiles = aging_kpis(_aged()).iloc[0]
    assert tiles["total_open"] == 170.0               # 150 + 0 + 30 - 10
    assert tiles["past_due"] == 70.0                  # 50 + (200 - 200) + 30 - 10
    assert tiles["pct_past_due"] == pytest.approx(70 / 170 * 100)
    assert tiles["over_90"] == 200.0                  # 91 days is severe, 90 is not
    assert (tiles["accounts_open"], tiles["accounts_past_due"]) == (4, 2)  # A and C; B nets to 0, D below
    assert aging_kpis(_aged(), severe_days=89).iloc[0]["over_89"] == 230.0


def test_aging_kpis_of_nothing_open():
    tiles = aging_kpis(pd.DataFrame({"customer_id": ["A"], "open_amount": [0.0], "days_past_due": [3]})).iloc[0]
    assert tiles["total_open"] == 0.0 and pd.isna(tiles["pct_past_due"])


def test_rank_past_due_by_hand():
    ranked = rank_past_due(_aged())
    assert ranked["customer_id"].tolist() == ["A", "C"]  # B nets to 0 past due, D below 0
    assert ranked.to_dict("records") == [
        {"customer_id": "A", "total_open": 150.0, "past_due": 50.0, "over_90": 0.0, "max_days_past_due": 1},
        {"customer_id": "C", "total_open": 30.0, "past_due": 30.0, "over_90": 0.0, "max_days_past_due": 90}]
    severe = rank_past_due(_aged(), severe_days=60, top=1)
    assert severe.to_dict("records") == [
        {"customer_id": "A", "total_open": 150.0, "past_due": 50.0, "over_60": 0.0, "max_days_past_due": 1}]
    assert rank_past_due(_aged(), severe_days=60)["over_60"].tolist() == [0.0, 30.0]


def test_rank_past_due_keeps_currencies_apart_and_refuses_mixed_tiles():
    aged = _aged().assign(currency=["USD", "CAD", "USD", "USD", "USD", "USD"])
    ranked = rank_past_due(aged)
    assert list(zip(ranked["customer_id"], ranked["currency"], ranked["past_due"])) == [
        ("A", "CAD", 50.0), ("C", "USD", 30.0)]
    with pytest.raises(ArkitError, match="several currencies"):
        aging_kpis(aged)
    assert np.isclose(aging_kpis(aged.assign(currency="USD")).iloc[0]["past_due"], 70.0)


def test_tiles_at_one_cent_and_one_unit():
    # E: a single cent past due is past due; F: a total of exactly 1.00 still has a share.
    aged = pd.DataFrame({"customer_id": ["E", "F", "F"], "open_amount": [0.01, 0.50, 0.49],
                         "days_past_due": [1, 0, 3]})
    tiles = aging_kpis(aged).iloc[0]
    assert (tiles["total_open"], tiles["past_due"], tiles["accounts_past_due"]) == (1.0, 0.5, 2)
    assert tiles["pct_past_due"] == pytest.approx(50.0)
    ranked = rank_past_due(aged)
    assert ranked.to_dict("records") == [
        {"customer_id": "F", "total_open": 0.99, "past_due": 0.49, "over_90": 0.0, "max_days_past_due": 3},
        {"customer_id": "E", "total_open": 0.01, "past_due": 0.01, "over_90": 0.0, "max_days_past_due": 1}]


def test_tiles_of_converted_items_add_currencies_at_their_rates():
    aged = pd.DataFrame({"customer_id": ["A", "B"], "open_amount": [100.0, 40.0], "days_past_due": [5, 95],
                         "currency": ["CAD", "USD"], "fx_rate": [0.75, 1.0]})
    tiles = aging_kpis(aged).iloc[0]
    assert (tiles["total_open"], tiles["past_due"], tiles["over_90"]) == (115.0, 115.0, 40.0)
    ranked = rank_past_due(aged)
    assert list(zip(ranked["customer_id"], ranked["past_due"])) == [("A", 75.0), ("B", 40.0)]


def test_rank_past_due_ties_by_key_blank_keys_and_several_keys():
    aged = pd.DataFrame({"customer_id": ["B", "A", None], "name": ["Bee", "Ay", "Nobody"],
                         "open_amount": [10.0, 10.0, 5.0], "days_past_due": [3, 3, 3]})
    ranked = rank_past_due(aged, by=["customer_id", "name"])
    assert list(zip(ranked["customer_id"], ranked["name"])) == [("A", "Ay"), ("B", "Bee"), ("(blank)", "Nobody")]
    assert rank_past_due(aged)["customer_id"].tolist() == ["A", "B", "(blank)"]


def test_tiles_of_an_empty_aging():
    empty = pd.DataFrame({"customer_id": pd.Series([], dtype="str"), "open_amount": pd.Series([], dtype=float),
                          "days_past_due": pd.Series([], dtype="int64")})
    tiles = aging_kpis(empty).iloc[0]
    assert (tiles["total_open"], tiles["past_due"], tiles["accounts_open"], tiles["accounts_past_due"]) == (0.0, 0.0, 0, 0)


# ------------------------------------------------------------ period KPIs: groups, rates, countback
QUARTER = dict(days=90, opening=1500.0, sales=4350.0, closing=900.0, current=1200.0, write_offs=-300.0)


def test_period_kpis_by_customer_by_hand():
    """Two customers over the quarter to 2026-03-31, each its own row.

    C1 is the ledger of the module docstring: the quarter of test_period_kpis_of_the_quarter_by_hand.
    C2: J1 of 400 issued 2026-02-01, due 2026-03-03, never paid. Opening (2025-12-31) 0; sales 400;
    closing 400, all past due at 2026-03-31 (current 0); no write-offs, nothing settled.
    DSO = 400 / 400 x 90 = 90; CEI = (0 + 400 - 400) / (0 + 400 - 0) = 0%; ADD = 90.
    Countback at March: no March sales, then February's 400 covers the 400 in 28 days: 31 + 28 = 59.
    """
    c2 = _items([("J1", "invoice", "2026-02-01", "2026-03-03", 400.00, None)], customer="C2")
    table = period_kpis(Ledger(pd.concat([_items(), c2], ignore_index=True)), as_of="2026-03-31", months=3,
                        by="customer_id")
    assert table["customer_id"].tolist() == ["C1", "C2"]
    c1, c2row = table.iloc[0], table.iloc[1]
    for name, value in {**QUARTER, **_expected(QUARTER)}.items():
        assert c1[name] == pytest.approx(value), name
    assert c1["countback_dso"] == pytest.approx(23.25) and c1["settled"] == 5
    hand = dict(days=90, opening=0.0, sales=400.0, closing=400.0, current=0.0, write_offs=0.0)
    for name, value in hand.items():
        assert c2row[name] == pytest.approx(value), name
    assert (c2row["dso"], c2row["cei"], c2row["average_days_delinquent"]) == pytest.approx((90.0, 0.0, 90.0))
    assert c2row["countback_dso"] == pytest.approx(59.0) and c2row["settled"] == 0


def test_period_kpis_converted_at_the_rates_given():
    """The module's ledger in CAD, reported in USD at 0.75 (the one rate, dated before the history):
    every amount is 3/4 of the USD figures (opening 1125, sales 3262.50, closing 675, current 900,
    write-offs -225); the ratios and day counts do not change. Without the rates the CAD book
    cannot be reported in USD."""
    fx = pd.DataFrame({"currency": ["CAD"], "date": pd.to_datetime(["2025-01-01"]), "rate": [0.75]})
    row = period_kpis(Ledger(_items(currency="CAD")), as_of="2026-03-31", months=3, currency="USD",
                      fx_rates=fx).iloc[0]
    hand = dict(days=90, opening=1125.0, sales=3262.5, closing=675.0, current=900.0, write_offs=-225.0)
    for name, value in {**hand, **_expected(hand)}.items():
        assert row[name] == pytest.approx(value), name
    assert row["countback_dso"] == pytest.approx(23.25)


def test_period_kpis_countback_reads_twelve_months_by_default():
    """One invoice of 100.00 issued on the 1st of each month from 2025-01 to 2026-01 (13 months),
    due 30 days later, never paid. At 2026-01-31 the AR is 1300.00; the 12 months Feb 2025 - Jan 2026
    sold only 1200.00, so the default countback (12 months) cannot cover it: null. With 13 months the
    sales are exactly 1300.00: every day from 2025-01-01 to 2026-01-31, 365 + 31 = 396 days."""
    rows = []
    for k, first in enumerate(pd.date_range("2025-01-01", "2026-01-01", freq="MS")):
        rows.append((f"M{k}", "invoice", str(first.date()), str((first + pd.Timedelta(days=30)).date()), 100.00, None))
    ledger = Ledger(_items(rows))
    row = period_kpis(ledger, as_of="2026-01-31", months=1).iloc[0]
    assert row["closing"] == pytest.approx(1300.0) and row["sales"] == pytest.approx(100.0)
    assert pd.isna(row["countback_dso"])
    assert period_kpis(ledger, as_of="2026-01-31", months=1, countback_months=13).iloc[0][
        "countback_dso"] == pytest.approx(396.0)


def test_aging_kpis_several_currencies_message_names_the_remedy():
    """Unconverted items in two currencies cannot be added up; the message says how to convert."""
    aged = _aged().assign(currency=["USD", "CAD", "USD", "USD", "USD", "USD"])
    with pytest.raises(ArkitError) as error:
        aging_kpis(aged)
    assert str(error.value) == ("aged items are in several currencies: age them with currency='USD' "
                                "(or another code)")


def test_rank_past_due_one_customer_in_two_currencies_converted():
    """A owes 100 CAD 5 days past due (at 0.75: 75.00 USD) and 40 USD 95 days past due: converted,
    they are one account of 115.00 past due, 40.00 over 90, oldest 95 days; B 20 USD, 10 days.
    Not converted, each currency is a row of its own; asked by currency, the key is not doubled."""
    aged = pd.DataFrame({"customer_id": ["A", "A", "B"], "open_amount": [100.0, 40.0, 20.0],
                         "days_past_due": [5, 95, 10], "currency": ["CAD", "USD", "USD"],
                         "fx_rate": [0.75, 1.0, 1.0]})
    assert rank_past_due(aged).to_dict("records") == [
        {"customer_id": "A", "total_open": 115.0, "past_due": 115.0, "over_90": 40.0, "max_days_past_due": 95},
        {"customer_id": "B", "total_open": 20.0, "past_due": 20.0, "over_90": 0.0, "max_days_past_due": 10}]
    plain = aged.drop(columns="fx_rate")
    expected = [("A", "CAD", 100.0), ("A", "USD", 40.0), ("B", "USD", 20.0)]
    for by in ("customer_id", ["customer_id", "currency"]):
        ranked = rank_past_due(plain, by=by)
        assert list(ranked.columns[:2]) == ["customer_id", "currency"]
        assert list(zip(ranked["customer_id"], ranked["currency"], ranked["past_due"])) == expected


def test_period_kpis_default_is_a_quarter_and_frames_take_their_applications():
    """Without ``months`` the period is the quarter of test_period_kpis_of_the_quarter_by_hand
    (2026-01-01 to 2026-03-31, 90 days). The same history as frames, the applications given
    beside them (no Ledger), gives the same book and KPIs: the applications settle what the closed
    dates did."""
    row = period_kpis(Ledger(_items()), as_of="2026-03-31").iloc[0]
    assert str(row["period_start"])[:10] == "2026-01-01"
    for name, value in {**QUARTER, **_expected(QUARTER)}.items():
        assert row[name] == pytest.approx(value), name
    ledger = _as_applications()
    row = period_kpis(ledger.items, as_of="2026-03-31", applications=ledger.applications).iloc[0]
    for name, value in {**QUARTER, **_expected(QUARTER)}.items():
        assert row[name] == pytest.approx(value), name

