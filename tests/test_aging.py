import datetime as dt
from decimal import ROUND_HALF_EVEN, Decimal

import narwhals as nw
import numpy as np
import pandas as pd
import pytest

from arkit import ArkitError, Ledger, age, aging_summary, bucket_labels, summarize_aging
from arkit.aging import bucket_cents, civil_day_numbers, with_day_numbers

LABELS = bucket_labels()


def _items():
    return pd.DataFrame({
        "document_id": ["INV1", "INV2", "INV3", "PMT1", "CM1", "PMT2", "INV4"],
        "customer_id": ["C1", "C1", "C2", "C1", "C2", "C2", "C2"],
        "doc_date": pd.to_datetime(["2026-01-01", "2026-03-01", "2025-10-01", "2026-02-10",
                                    "2026-02-15", "2026-03-12", "2026-04-01"]),
        "due_date": pd.to_datetime(["2026-01-31", "2026-03-31", "2025-10-31", "2026-02-10",
                                    "2026-02-15", "2026-03-12", "2026-05-01"]),
        "amount": [100.00, 250.00, 999.99, -60.00, -99.99, -500.00, 10.00],
        "currency": ["USD", "USD", "USD", "USD", "USD", "USD", "USD"],
    })


def _applications():
    return pd.DataFrame({
        "source_id": ["PMT1", "CM1", "PMT2"],
        "target_id": ["INV1", "INV3", "INV3"],
        "amount": [60.00, 99.99, 400.00],
        "applied_date": pd.to_datetime(["2026-02-10", "2026-02-20", "2026-03-20"]),
    })


def test_worked_example_on_every_backend(backend):
    """Hand-computed: as of 2026-03-15 the payment of 03-20 and the invoice of 04-01 do not exist yet."""
    aged = backend.to_pandas(
        age(backend(_items()), as_of="2026-03-15", applications=backend(_applications())), "document_id"
    )
    expected = pd.DataFrame({
        "document_id": ["INV1", "INV2", "INV3", "PMT2"],
        "open_amount": [40.00, 250.00, 900.00, -500.00],
        "days_past_due": [43, -16, 135, 3],
        "bucket": ["31-60", "current", "120+", "1-30"],
    })
    pd.testing.assert_frame_equal(aged[list(expected.columns)], expected, check_dtype=False)

    summary = backend.to_pandas(
        aging_summary(backend(_items()), as_of="2026-03-15", applications=backend(_applications())), "customer_id"
    )
    assert summary.columns.tolist() == ["customer_id", "currency", *LABELS, "total"]
    c1, c2 = summary.to_dict("records")
    assert (c1["current"], c1["31-60"], c1["total"]) == (250.00, 40.00, 290.00)
    assert (c2["1-30"], c2["120+"], c2["total"]) == (-500.00, 900.00, 400.00)


def test_later_as_of_applies_later_payments():
    aged = age(_items(), as_of="2026-04-30", applications=_applications())
    open_by_doc = dict(zip(aged["document_id"], aged["open_amount"]))
    assert open_by_doc == {"INV1": 40.00, "INV2": 250.00, "INV3": 500.00, "PMT2": -100.00, "INV4": 10.00}


def test_closed_dates_give_the_same_point_in_time_aging_as_applications():
    items = _items()
    # The documents that were settled, each in one go on the date of its last application.
    items["closed_date"] = pd.to_datetime([None, None, None, "2026-02-10", "2026-02-20", None, None])
    only_closed = age(items, as_of="2026-03-15").set_index("document_id")["open_amount"]
    with_apps = age(items, as_of="2026-03-15", applications=_applications()).set_index("document_id")["open_amount"]
    assert only_closed.index.tolist() == with_apps.index.tolist() == ["INV1", "INV2", "INV3", "PMT2"]
    # INV1 was paid in part and INV3 credited in part: only applications can show that.
    assert only_closed[["INV2", "PMT2"]].tolist() == with_apps[["INV2", "PMT2"]].tolist() == [250.00, -500.00]
    assert (only_closed["INV1"], with_apps["INV1"]) == (100.00, 40.00)
    assert (only_closed["INV3"], with_apps["INV3"]) == (999.99, 900.00)


def test_document_basis_counts_from_document_date():
    aged = age(_items(), as_of="2026-03-15", basis="document", applications=_applications())
    assert dict(zip(aged["document_id"], aged["days_past_due"]))["INV1"] == 73
    assert dict(zip(aged["document_id"], aged["bucket"]))["INV1"] == "61-90"


def test_custom_buckets_name_columns_after_edges():
    summary = aging_summary(_items(), as_of="2026-03-15", applications=_applications(), buckets=(15, 45))
    assert summary.columns.tolist() == ["customer_id", "currency", "current", "1-15", "16-45", "45+", "total"]
    assert summary.set_index("customer_id").loc["C1", "16-45"] == 40.00


@pytest.mark.parametrize("edges", [(), (30, 30), (60, 30), (0, 30), (30.5,)])
def test_bad_bucket_edges_are_refused(edges):
    with pytest.raises(ArkitError, match="bucket edges"):
        bucket_labels(edges)


def test_snapshot_open_amounts_cannot_be_aged_into_the_past():
    items = _items().assign(open_amount=[40.0, 250.0, 500.0, 0.0, 0.0, -100.0, 10.0])
    aged = age(items)
    assert aged["open_amount"].sum() == pytest.approx(700.0)
    with pytest.raises(ArkitError, match="applications or closed dates"):
        age(items, as_of="2026-03-01")


def test_default_as_of_is_latest_date_in_data():
    aged = age(_items(), applications=_applications())
    # The latest date is the invoice of 2026-04-01 (after the last application, 03-20).
    assert aged.set_index("document_id").loc["INV1", "days_past_due"] == (dt.date(2026, 4, 1) - dt.date(2026, 1, 31)).days


def test_conversion_uses_latest_rate_on_or_before_as_of():
    items = _items().assign(currency=["USD", "USD", "CAD", "USD", "CAD", "CAD", "CAD"])
    fx = pd.DataFrame({"currency": ["CAD", "CAD", "CAD"], "rate": [0.70, 0.72, 0.80],
                       "date": pd.to_datetime(["2026-02-01", "2026-03-01", "2026-04-01"])})
    aged = age(items, as_of="2026-03-15", applications=_applications(), currency="USD", fx_rates=fx)
    reporting = dict(zip(aged["document_id"], aged["reporting_amount"]))
    assert reporting == {"INV1": 40.00, "INV2": 250.00, "INV3": 648.00, "PMT2": -360.00}
    document_currency = aging_summary(items, as_of="2026-03-15", applications=_applications(), by=None)
    assert sorted(document_currency["currency"]) == ["CAD", "USD"]
    total = summarize_aging(aged, by=None)
    assert total["total"].tolist() == [578.00]
    with pytest.raises(ArkitError, match="no rate to USD on or before 2026-01-15 for: CAD"):
        age(items, as_of="2026-01-15", applications=_applications(), currency="USD", fx_rates=fx)


def test_unknown_group_column_names_the_columns():
    with pytest.raises(ArkitError, match="cannot group by regoin"):
        aging_summary(_items(), by="regoin")


def test_ledger_joins_customer_attributes_for_grouping():
    customers = pd.DataFrame({"customer_id": ["C1", "C2"], "region": ["West", None]})
    ledger = Ledger(_items(), customers=customers, applications=_applications())
    summary = aging_summary(ledger, as_of="2026-03-15", by="region")
    assert dict(zip(summary["region"], summary["total"])) == {"(blank)": 400.00, "West": 290.00}


def test_sample_summary_ties_out(sample_ledger):
    aged = age(sample_ledger, as_of="2026-10-31", currency="USD")
    summary = summarize_aging(aged, by="customer_id")
    cents = summary[LABELS].mul(100).round().astype("int64")
    assert (cents.sum(axis=1) == summary["total"].mul(100).round().astype("int64")).all()
    assert summary["customer_id"].is_unique
    # Each (customer, bucket, currency) subtotal converted once at its rate as given, rounded half
    # to even: summed by hand in Decimal (the row-by-row reporting amounts round differently).
    subtotals = {}
    for row in aged.itertuples():
        group = (row.customer_id, row.bucket, row.currency, Decimal(repr(row.fx_rate)))
        subtotals[group] = subtotals.get(group, Decimal(0)) + Decimal(repr(row.open_amount))
    by_hand = sum((total * rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
                  for (_, _, _, rate), total in subtotals.items())
    assert Decimal(f"{summary['total'].sum():.2f}") == by_hand
    assert abs(by_hand - Decimal(repr(float(aged["reporting_amount"].sum())))) <= Decimal("0.005") * len(subtotals)
    # Point in time: on the last day, the applications give exactly the open items with no closed_date.
    items = sample_ledger.items
    still_open = set(items.loc[items["closed_date"].isna(), "document_id"])
    assert set(aged["document_id"]) == still_open


def test_sample_same_numbers_on_every_backend(sample_ledger, backend):
    keys = ["customer_id", "currency"]
    expected = aging_summary(sample_ledger.items, as_of="2026-06-30", applications=sample_ledger.applications)
    result = aging_summary(backend(sample_ledger.items), as_of="2026-06-30",
                           applications=backend(sample_ledger.applications))
    pd.testing.assert_frame_equal(
        backend.to_pandas(result, keys), expected.sort_values(keys).reset_index(drop=True), check_dtype=False
    )


def _random_open_items(seed: int, n: int = 400) -> pd.DataFrame:
    """Open cents and days past due as age() leaves them, with blank keys and unknown days."""
    rng = np.random.default_rng(seed)
    customer = rng.choice(np.array(["C1", "C2", "C3", None], dtype=object), n)
    days = pd.array(rng.integers(-40, 200, n), dtype="Int64")
    days[rng.random(n) < 0.1] = pd.NA  # no due date
    return pd.DataFrame({
        "customer_id": pd.array(customer, dtype="str"),
        "currency": pd.array(rng.choice(["USD", "CAD"], n), dtype="str"),
        "region": pd.array(rng.choice(["West", "East"], n), dtype="str"),
        "_open": rng.integers(-50_000, 50_000, n),
        "days_past_due": days,
        "fx_rate": np.where(rng.random(n) < 0.5, 1.0, 0.7308),
    })


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("keys", [["customer_id", "currency"], ["region"], []])
@pytest.mark.parametrize("buckets", [(30, 60, 90, 120), (15,), (1, 2, 200)])
@pytest.mark.parametrize("converted", [False, True])
@pytest.mark.parametrize("rows", [400, 0])
def test_bucket_cents_pandas_fast_path_equals_the_portable_one(seed, keys, buckets, converted, rows):
    items = _random_open_items(seed, rows)
    if not converted:
        items = items.drop(columns="fx_rate")
    lf = nw.from_native(items).lazy()
    fast = bucket_cents(lf, keys, buckets).collect().to_pandas()
    portable = bucket_cents(lf, keys, buckets, native=False).collect().to_pandas()
    assert fast.columns.tolist() == portable.columns.tolist() == [*keys, *bucket_labels(buckets)]
    order = keys or fast.columns.tolist()
    pd.testing.assert_frame_equal(fast.sort_values(order).reset_index(drop=True),
                                  portable.sort_values(order).reset_index(drop=True), check_dtype=False)


def test_bucket_cents_by_hand():
    items = pd.DataFrame({"customer_id": ["C1", "C1", "C1", "C2", "C2"], "_open": [100, 250, 7, -60, 5],
                          "days_past_due": pd.array([0, 1, 31, 121, None], dtype="Int64")})
    for native in (True, False):
        sums = bucket_cents(nw.from_native(items).lazy(), ["customer_id"], native=native).collect().to_pandas()
        rows = {row.pop("customer_id"): row for row in sums.to_dict("records")}
        # 0 days is current, 1 is 1-30, 31 is 31-60, 121 is 120+; no due date counts nowhere.
        assert rows == {"C1": {"current": 100, "1-30": 250, "31-60": 7, "61-90": 0, "91-120": 0, "120+": 0},
                        "C2": {"current": 0, "1-30": 0, "31-60": 0, "61-90": 0, "91-120": 0, "120+": -60}}


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_day_numbers_fast_paths_equal_civil_arithmetic(unit, backend):
    dates = [dt.date(1969, 12, 31), dt.date(1900, 3, 1), dt.date(2000, 2, 29), dt.date(2026, 10, 31), None]
    frame = pd.DataFrame({"d": pd.to_datetime(dates).astype(f"datetime64[{unit}]")})
    # Sorted by date, missing last: 1900-03-01, 1969-12-31, 2000-02-29, 2026-10-31, none.
    expected = [(dt.date(1900, 3, 1) - dt.date(1970, 1, 1)).days, -1, 11_016, 20_757, None]
    lf = nw.from_native(backend(frame)).lazy()
    for result in (with_day_numbers(lf, n="d"), civil_day_numbers(lf, n="d")):
        numbers = backend.to_pandas(result.to_native(), "d")["n"]
        assert [None if pd.isna(v) else int(v) for v in numbers] == expected
