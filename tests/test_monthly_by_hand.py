"""The month-end history of a small hand-built ledger, every figure worked out by hand.

One customer, USD, settled by closed dates (no payment documents, so settlements are
``other_settlements`` in the roll-forward):

======  ===========  ==========  ==========  ========  ==========
doc     type         doc date    due date    amount    closed
======  ===========  ==========  ==========  ========  ==========
I1      invoice      2026-01-10  2026-02-09   1000.00  2026-02-20
I2      invoice      2026-01-20  2026-01-31    400.00  open
I3      invoice      2026-02-15  2026-03-17    250.50  2026-03-10
I4      invoice      2026-04-02  2026-05-02    999.99  open (after the history: never counted)
CM1     credit_memo  2026-02-28  2026-02-28    -50.25  open
======  ===========  ==========  ==========  ========  ==========

Days past due at each month end (as of - due date), by due date:

- 2026-01-31: I1 -9 and I2 0: both current. Book 1400.00.
- 2026-02-28: I1 closed. I2 28 (1-30), I3 -17 and CM1 0 (current). Book 600.25, current 200.25.
- 2026-03-31: I3 closed. I2 59 and CM1 31 (31-60, one day past the 30-day edge). Book 349.75.

By document date instead: at 2026-01-31 I1 is 21 days old and I2 11 (both 1-30).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from conftest import hand_items

from arkit import ArkitError, Ledger
from arkit.monthly import aging_trend, month_ends, monthly_activity

ROWS = [  # document_id, doc_type, doc_date, due_date, amount, closed_date
    ("I1", "invoice", "2026-01-10", "2026-02-09", 1000.00, "2026-02-20"),
    ("I2", "invoice", "2026-01-20", "2026-01-31", 400.00, None),
    ("I3", "invoice", "2026-02-15", "2026-03-17", 250.50, "2026-03-10"),
    ("I4", "invoice", "2026-04-02", "2026-05-02", 999.99, None),
    ("CM1", "credit_memo", "2026-02-28", "2026-02-28", -50.25, None),
]
BUCKETS = ["current", "1-30", "31-60", "61-90", "91-120", "120+"]


def _ledger() -> Ledger:
    return Ledger(hand_items(ROWS))


def _rows(frame: pd.DataFrame, columns: list[str]) -> dict[str, list[float]]:
    frame = frame.assign(period_end=pd.to_datetime(frame["period_end"]).dt.strftime("%Y-%m-%d"))
    return {row["period_end"]: [round(float(row[c]), 2) for c in columns] for _, row in frame.iterrows()}


def test_month_ends_end_on_as_of_and_cross_a_year():
    assert month_ends(dt.date(2026, 2, 10), 3) == [dt.date(2025, 12, 31), dt.date(2026, 1, 31), dt.date(2026, 2, 10)]
    assert month_ends(dt.date(2024, 3, 31), 2) == [dt.date(2024, 2, 29), dt.date(2024, 3, 31)]  # leap year
    assert month_ends(dt.date(2026, 5, 31), 1) == [dt.date(2026, 5, 31)]
    with pytest.raises(ArkitError):
        month_ends(dt.date(2026, 5, 31), 0)


def test_trend_buckets_each_month_end_by_hand():
    trend = aging_trend(_ledger(), as_of="2026-03-31", months=3)
    assert set(trend["currency"]) == {"USD"}
    assert _rows(trend, [*BUCKETS, "total"]) == {
        "2026-01-31": [1400.00, 0, 0, 0, 0, 0, 1400.00],
        "2026-02-28": [200.25, 400.00, 0, 0, 0, 0, 600.25],
        "2026-03-31": [0, 0, 349.75, 0, 0, 0, 349.75],
    }


def test_trend_by_document_date_and_by_customer():
    trend = aging_trend(_ledger(), as_of="2026-01-31", months=1, basis="document", by="customer_id")
    assert list(trend["customer_id"]) == ["C1"]
    assert _rows(trend, [*BUCKETS, "total"]) == {"2026-01-31": [0, 1400.00, 0, 0, 0, 0, 1400.00]}


def test_trend_ends_mid_month_on_as_of():
    # 2026-02-19: I1 still open (closed the next day) 10 days past due, I2 19 (both 1-30); I3
    # dated 2026-02-15 is current.
    trend = aging_trend(_ledger(), as_of="2026-02-19", months=2)
    assert _rows(trend, [*BUCKETS, "total"]) == {
        "2026-01-31": [1400.00, 0, 0, 0, 0, 0, 1400.00],
        "2026-02-19": [250.50, 1400.00, 0, 0, 0, 0, 1650.50],
    }


def test_rollforward_by_hand():
    months = monthly_activity(_ledger(), as_of="2026-03-31", months=2)
    columns = ["opening", "invoiced", "credits", "collected", "write_offs", "adjustments", "other_settlements",
               "closing", "difference"]
    assert _rows(months, columns) == {
        "2026-02-28": [1400.00, 250.50, -50.25, 0, 0, 0, -1000.00, 600.25, 0],
        "2026-03-31": [600.25, 0, 0, 0, 0, 0, -250.50, 349.75, 0],
    }
