"""Aging invariants against a naive reference written with plain Python loops."""

import datetime as dt

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from arkit import age, aging_summary, bucket_labels, summarize_aging

BASE = dt.date(2025, 1, 1)


@st.composite
def ledgers(draw):
    n = draw(st.integers(1, 25))
    items = []
    for i in range(n):
        doc = draw(st.integers(0, 400))
        items.append({
            "document_id": f"D{i:03d}",
            "customer_id": draw(st.sampled_from(["0001", "0002", "0003"])),
            "doc_day": doc,
            "due_day": doc + draw(st.sampled_from([0, 15, 30, 45, 60])),
            "cents": draw(st.integers(-500_000, 500_000).filter(bool)),
        })
    applications = [
        {"source": draw(st.integers(0, n - 1)), "target": draw(st.integers(0, n - 1)),
         "cents": draw(st.integers(1, 200_000)), "day": draw(st.integers(0, 500))}
        for _ in range(draw(st.integers(0, 15)))
    ]
    edges = tuple(sorted(draw(st.sets(st.integers(1, 200), min_size=1, max_size=5))))
    as_of = draw(st.integers(0, 520))
    return items, applications, edges, as_of


def _frames(items, applications):
    day = lambda d: pd.Timestamp(BASE + dt.timedelta(days=d))  # noqa: E731
    item_frame = pd.DataFrame({
        "document_id": [i["document_id"] for i in items],
        "customer_id": [i["customer_id"] for i in items],
        "doc_date": [day(i["doc_day"]) for i in items],
        "due_date": [day(i["due_day"]) for i in items],
        "amount": [i["cents"] / 100 for i in items],
    })
    app_frame = pd.DataFrame({
        "source_id": [items[a["source"]]["document_id"] for a in applications],
        "target_id": [items[a["target"]]["document_id"] for a in applications],
        "amount": [a["cents"] / 100 for a in applications],
        "applied_date": pd.to_datetime([day(a["day"]) for a in applications]),
    })
    return item_frame, app_frame


def naive_summary(items, applications, edges, as_of):
    labels = bucket_labels(edges)
    result = {}
    for index, item in enumerate(items):
        if item["doc_day"] > as_of:
            continue
        open_cents = item["cents"]
        for a in applications:
            if a["day"] <= as_of:
                open_cents -= a["cents"] if a["target"] == index else 0
                open_cents += a["cents"] if a["source"] == index else 0
        if open_cents == 0:
            continue
        days = as_of - item["due_day"]
        position = 0 if days <= 0 else 1 + sum(days > edge for edge in edges)
        row = result.setdefault(item["customer_id"], dict.fromkeys(labels + ["total"], 0))
        row[labels[position]] += open_cents
        row["total"] += open_cents
    return result


def _in_cents(summary, labels):
    return {
        row["customer_id"]: {label: round(row[label] * 100) for label in labels + ["total"]}
        for row in summary.to_dict("records")
    }


@settings(max_examples=75, deadline=None)
@given(ledgers())
def test_summary_matches_naive_reference_and_buckets_sum_to_total(case):
    items, applications, edges, as_of = case
    item_frame, app_frame = _frames(items, applications)
    summary = aging_summary(item_frame, as_of=BASE + dt.timedelta(days=as_of), applications=app_frame,
                            buckets=edges)
    labels = bucket_labels(edges)
    got = _in_cents(summary, labels)
    assert got == naive_summary(items, applications, edges, as_of)
    for row in got.values():
        assert sum(row[label] for label in labels) == row["total"]


@settings(max_examples=40, deadline=None)
@given(ledgers(), st.randoms(use_true_random=False))
def test_row_order_does_not_matter(case, rng):
    items, applications, edges, as_of = case
    item_frame, app_frame = _frames(items, applications)
    as_of_date = BASE + dt.timedelta(days=as_of)
    expected = aging_summary(item_frame, as_of=as_of_date, applications=app_frame, buckets=edges)
    item_order = list(range(len(item_frame)))
    app_order = list(range(len(app_frame)))
    rng.shuffle(item_order)
    rng.shuffle(app_order)
    shuffled = aging_summary(item_frame.iloc[item_order], as_of=as_of_date,
                             applications=app_frame.iloc[app_order], buckets=edges)
    pd.testing.assert_frame_equal(shuffled, expected)


@settings(max_examples=30, deadline=None)
@given(ledgers())
def test_point_in_time_aging_equals_the_snapshot_of_that_day(case):
    """Aging reconstructed from history equals the aging of an open-items export taken that day."""
    items, applications, edges, as_of = case
    item_frame, app_frame = _frames(items, applications)
    as_of_date = BASE + dt.timedelta(days=as_of)
    from_history = aging_summary(item_frame, as_of=as_of_date, applications=app_frame, buckets=edges)
    aged = age(item_frame, as_of=as_of_date, applications=app_frame, buckets=edges)
    snapshot = item_frame[item_frame["doc_date"] <= pd.Timestamp(as_of_date)].merge(
        aged[["document_id", "open_amount"]], on="document_id", how="left").fillna({"open_amount": 0.0})
    from_snapshot = aging_summary(snapshot, as_of=as_of_date, buckets=edges)
    pd.testing.assert_frame_equal(from_snapshot, from_history)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["USD", "CAD", "EUR"]), st.integers(-10**8, 10**8), st.integers(0, 200)),
                min_size=1, max_size=30),
       st.floats(0.5, 1.5), st.floats(0.9, 1.3))
def test_converting_then_summing_equals_summing_then_converting(rows, cad_rate, eur_rate):
    items = pd.DataFrame({
        "document_id": [f"D{i}" for i in range(len(rows))], "customer_id": "C",
        "currency": [r[0] for r in rows], "amount": [r[1] / 100 for r in rows],
        "doc_date": pd.Timestamp("2026-01-01"), "due_date": [pd.Timestamp("2026-01-01") + pd.Timedelta(days=r[2])
                                                            for r in rows]})
    fx = pd.DataFrame({"currency": ["CAD", "EUR"], "date": pd.to_datetime(["2025-12-31"] * 2),
                       "rate": [cad_rate, eur_rate]})
    aged = age(items, as_of="2026-03-01", currency="USD", fx_rates=fx)
    converted = summarize_aging(aged, by=None)
    per_currency = summarize_aging(age(items, as_of="2026-03-01"), by=None).set_index("currency")
    rates = {"USD": 1.0, "CAD": cad_rate, "EUR": eur_rate}
    for label in bucket_labels():
        expected = sum(round(round(per_currency.loc[c, label] * 100) * rates[c]) for c in per_currency.index)
        assert round(converted[label].iloc[0] * 100) == expected
    assert round(converted["total"].iloc[0] * 100) == sum(round(converted[label].iloc[0] * 100)
                                                          for label in bucket_labels())
