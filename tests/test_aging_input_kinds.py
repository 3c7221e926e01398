"""aging_summary on pandas inputs as users have them, against a naive per-row Python aging.

Ids as str, object or categorical (with blank ids), dates in [s], [us] or [ns] (with missing due
dates), several currencies (with blank ones), several seeds: the expectation is computed row by
row in plain Python, never by arkit.
"""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from arkit import aging_summary

AS_OF = dt.date(2026, 10, 31)
LABELS = ["current", "1-30", "31-60", "61-90", "91-120", "120+"]


def _items(seed: int, ids: str, unit: str, n: int = 600) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    customers = rng.choice(np.array([f"C{i}" for i in range(25)] + [None], dtype=object), n)
    doc = [AS_OF - dt.timedelta(days=int(d)) for d in rng.integers(-10, 300, n)]
    due = [None if rng.random() < 0.05 else d + dt.timedelta(days=int(t)) for d, t in
           zip(doc, rng.choice([0, 15, 30, 60], n))]
    amounts = np.round(rng.lognormal(5, 1.5, n) * rng.choice([1, -1], n, p=[0.85, 0.15]), 2)
    amounts[rng.random(n) < 0.03] = 0.0
    ids_column = {"str": pd.array(customers, dtype="str"), "object": pd.Series(customers, dtype=object),
                  "category": pd.Series(customers, dtype="category")}[ids]
    return pd.DataFrame({
        "document_id": [f"D{i}" for i in range(n)],
        "customer_id": ids_column,
        "doc_date": pd.to_datetime(doc).astype(f"datetime64[{unit}]"),
        "due_date": pd.to_datetime(due).astype(f"datetime64[{unit}]"),
        "amount": amounts,
        "currency": pd.array(rng.choice(np.array(["USD", "CAD", "EUR", None], dtype=object), n,
                                        p=[0.6, 0.2, 0.15, 0.05]), dtype="str"),
    })


def _naive(items: pd.DataFrame) -> dict:
    """(customer, currency) -> cents per bucket, one row at a time."""
    sums = {}
    for row in items.itertuples():
        if row.doc_date.date() > AS_OF or round(row.amount * 100) == 0:
            continue
        key = tuple("(blank)" if pd.isna(v) else str(v) for v in (row.customer_id, row.currency))
        cents = sums.setdefault(key, [0] * 6)
        if pd.isna(row.due_date):
            continue  # no due date: in the group, in no bucket
        days = (AS_OF - row.due_date.date()).days
        bucket = 0 if days <= 0 else 1 if days <= 30 else 2 if days <= 60 else 3 if days <= 90 \
            else 4 if days <= 120 else 5
        cents[bucket] += round(row.amount * 100)
    return sums


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("ids", ["str", "object", "category"])
@pytest.mark.parametrize("unit", ["s", "us", "ns"])
def test_summary_equals_naive_per_row_aging(seed, ids, unit):
    items = _items(seed, ids, unit)
    summary = aging_summary(items, as_of=AS_OF.isoformat())
    # Blank text keys come out as "(blank)"; blank categorical ids stay missing (a category of their own).
    got = {tuple("(blank)" if pd.isna(r[k]) else str(r[k]) for k in ("customer_id", "currency")):
           [round(r[label] * 100) for label in LABELS]
           for r in summary.to_dict("records")}
    assert got == _naive(items)
    totals = [round(t * 100) for t in summary["total"]]
    assert totals == sorted(totals, reverse=True)
    assert (summary[LABELS].sum(axis=1).mul(100).round() == summary["total"].mul(100).round()).all()
