"""Month-end history and period KPIs: equal to point-in-time aging, tied out, same on every engine."""

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_aging_properties import BASE, _frames, ledgers

from arkit import aging_summary, bucket_labels
from arkit._kpis import KPI_COLUMNS, compute_kpis, kpis, period_kpis
from arkit.monthly import aging_trend, month_ends, monthly_activity

LABELS = bucket_labels()


def _cents(frame, columns):
    return frame[columns].mul(100).round().astype("int64")


def test_trend_equals_point_in_time_aging_at_every_month_end(sample_ledger):
    trend = aging_trend(sample_ledger, as_of="2026-10-31", months=6, by="region", currency="USD")
    for period_end, rows in trend.groupby("period_end"):
        expected = aging_summary(sample_ledger, as_of=period_end, by="region", currency="USD")
        got = rows.set_index("region").sort_index()
        want = expected.set_index("region").sort_index()
        assert (_cents(got, [*LABELS, "total"]) == _cents(want, [*LABELS, "total"])).all().all(), period_end


@settings(max_examples=25, deadline=None)
@given(ledgers(), st.integers(1, 4))
def test_trend_equals_point_in_time_aging_on_random_ledgers(case, months):
    items, applications, edges, as_of = case
    item_frame, app_frame = _frames(items, applications)
    as_of_date = BASE + dt.timedelta(days=as_of)
    trend = aging_trend(item_frame, as_of=as_of_date, months=months, by="customer_id", buckets=edges,
                        applications=app_frame)
    labels = bucket_labels(edges)
    for period_end in month_ends(as_of_date, months):
        point = aging_summary(item_frame, as_of=period_end, applications=app_frame, buckets=edges)
        rows = trend[pd.to_datetime(trend["period_end"]) == pd.Timestamp(period_end)].set_index("customer_id")
        for record in point.to_dict("records"):
            assert _cents(rows.loc[[record["customer_id"]]], labels).iloc[0].tolist() == [
                round(record[label] * 100) for label in labels]
        # Customers with nothing open that day are zero in the trend.
        others = rows.drop(index=point["customer_id"], errors="ignore")
        assert (_cents(others, labels) == 0).all().all()


def test_rollforward_ties_and_chains(sample_ledger):
    activity = monthly_activity(sample_ledger, as_of="2026-10-31", months=12)
    flows = ["invoiced", "credits", "collected", "write_offs", "adjustments", "other_settlements"]
    assert (activity["other_settlements"] == 0).all()  # every settlement of the sample has its documents
    for _, rows in activity.groupby("currency"):
        cents = _cents(rows, ["opening", *flows, "closing"])
        assert (cents["opening"] + cents[flows].sum(axis=1) == cents["closing"]).all()
        assert (cents["opening"].iloc[1:].to_numpy() == cents["closing"].iloc[:-1].to_numpy()).all()
    last = activity[pd.to_datetime(activity["period_end"]) == pd.Timestamp("2026-10-31")].set_index("currency")["closing"]
    book = aging_summary(sample_ledger, as_of="2026-10-31", by=None).set_index("currency")["total"]
    assert _cents(last.to_frame(), ["closing"])["closing"].to_dict() == (book * 100).round().astype("int64").to_dict()


def test_converted_rollforward_names_the_fx_effect(sample_ledger):
    activity = monthly_activity(sample_ledger, as_of="2026-10-31", months=3, currency="USD")
    flows = ["invoiced", "credits", "collected", "write_offs", "adjustments", "other_settlements", "fx_revaluation"]
    cents = _cents(activity, ["opening", *flows, "closing"])
    assert (cents["opening"] + cents[flows].sum(axis=1) == cents["closing"]).all()
    assert activity["fx_revaluation"].abs().max() > 0  # the CAD rate moved


def test_same_history_on_every_backend(sample_ledger, backend):
    items, apps = sample_ledger.items, sample_ledger.applications
    keys = ["customer_id", "currency", "period_end"]
    expected = aging_trend(items, as_of="2026-10-31", months=3, by="customer_id", applications=apps)
    got = backend.to_pandas(aging_trend(backend(items), as_of="2026-10-31", months=3, by="customer_id",
                                        applications=backend(apps)), keys)
    expected["period_end"] = pd.to_datetime(expected["period_end"])
    pd.testing.assert_frame_equal(got, expected.sort_values(keys).reset_index(drop=True), check_dtype=False)
    activity = monthly_activity(items, as_of="2026-10-31", months=3, applications=apps)
    activity["period_end"] = pd.to_datetime(activity["period_end"])
    got = backend.to_pandas(monthly_activity(backend(items), as_of="2026-10-31", months=3, applications=backend(apps)),
                            ["currency", "period_end"])
    pd.testing.assert_frame_equal(got, activity.sort_values(["currency", "period_end"]).reset_index(drop=True),
                                  check_dtype=False)


def test_kpi_worked_examples():
    monthly = pd.DataFrame({
        "period_end": pd.to_datetime(["2026-01-31", "2026-02-28", "2026-03-31"]), "days": [30, 30, 30],
        "opening": [0.0, 0.0, 6200.0], "closing": [0.0, 0.0, 212000.0], "current": [0.0, 0.0, 3590.0],
        "sales": [70000.0, 80000.0, 100000.0]})
    last = compute_kpis(monthly).iloc[-1]
    # 212,000 - 100,000 (30 days) - 80,000 (30 days) = 32,000 of 70,000 (30 days) -> 73.71 days
    assert round(last["countback_dso"], 1) == 73.7
    assert round(last["dso"], 2) == round(212000 / 100000 * 30, 2)
    cei = pd.DataFrame({"period_end": pd.to_datetime(["2026-03-31"]), "days": [30], "opening": [6200.0],
                        "closing": [6340.0], "current": [3590.0], "sales": [10890.0]})
    row = compute_kpis(cei).iloc[0]
    assert round(row["cei"], 1) == 79.6
    assert round(row["best_possible_dso"], 2) == round(3590 / 10890 * 30, 2)
    assert row["average_days_delinquent"] == pytest.approx(row["dso"] - row["best_possible_dso"])


def test_countback_without_enough_history_is_null_not_a_guess():
    monthly = pd.DataFrame({"period_end": pd.to_datetime(["2026-02-28", "2026-03-31"]), "days": [28, 31],
                            "opening": [0.0, 0.0], "closing": [0.0, 500.0], "current": [0.0, 0.0],
                            "sales": [100.0, 100.0]})
    assert pd.isna(compute_kpis(monthly)["countback_dso"].iloc[-1])


def test_kpis_on_the_sample_are_consistent(sample_ledger):
    table = kpis(sample_ledger, as_of="2026-10-31", months=3)
    assert pd.to_datetime(table["period_end"]).dt.strftime("%Y-%m-%d").tolist() == ["2026-08-31", "2026-09-30", "2026-10-31"]
    trend = aging_trend(sample_ledger, as_of="2026-10-31", months=3, currency="USD")
    assert (_cents(table, ["closing"])["closing"] == _cents(trend, ["total"])["total"]).all()
    assert (table["dso"].round(6) == (table["closing"] / table["sales"] * table["days"]).round(6)).all()
    assert table["pct_current"].add(table["pct_past_due"]).round(6).eq(100).all()
    by_region = kpis(sample_ledger, as_of="2026-10-31", months=1, by="region")
    assert set(by_region["region"]) == set(sample_ledger.customers["region"])
    assert round(by_region["closing"].sum(), 2) == pytest.approx(round(table["closing"].iloc[-1], 2), abs=0.06)


def test_settlements_known_only_by_closed_date_are_named():
    items = pd.DataFrame({"document_id": ["INV1", "INV2"], "customer_id": ["C", "C"],
                          "doc_date": pd.to_datetime(["2026-01-10", "2026-02-10"]),
                          "due_date": pd.to_datetime(["2026-02-09", "2026-03-12"]), "amount": [100.0, 40.0],
                          "closed_date": pd.to_datetime(["2026-02-20", None])})
    activity = monthly_activity(items, as_of="2026-02-28", months=2)
    assert activity[["opening", "invoiced", "other_settlements", "closing", "difference"]].to_dict("records") == [
        {"opening": 0.0, "invoiced": 100.0, "other_settlements": 0.0, "closing": 100.0, "difference": 0.0},
        {"opening": 100.0, "invoiced": 40.0, "other_settlements": -100.0, "closing": 40.0, "difference": 0.0}]


def test_kpis_same_on_every_backend(sample_ledger, backend):
    items, apps, fx = sample_ledger.items, sample_ledger.applications, sample_ledger.fx_rates
    options = dict(as_of="2026-10-31", months=2, currency="USD")
    expected = kpis(items, applications=apps, fx_rates=fx, **options)
    expected["period_end"] = pd.to_datetime(expected["period_end"])
    got = backend.to_pandas(kpis(backend(items), applications=backend(apps), fx_rates=backend(fx), **options),
                            ["period_end"])
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_quarter_kpis_add_up_the_months(sample_ledger):
    months = kpis(sample_ledger, as_of="2026-10-31", months=3)
    quarter = period_kpis(sample_ledger, as_of="2026-10-31", months=3)
    assert len(quarter) == 1
    row, first, last = quarter.iloc[0], months.iloc[0], months.iloc[-1]
    assert str(row["period_start"])[:10] == "2026-08-01" and str(row["period_end"])[:10] == "2026-10-31"
    assert row["days"] == 92 and row["settled"] == months["settled"].sum()
    assert round(row["sales"], 2) == round(months["sales"].sum(), 2)
    assert (row["opening"], row["closing"], row["current"]) == (first["opening"], last["closing"], last["current"])
    assert row["dso"] == pytest.approx(row["closing"] / row["sales"] * 92)
    assert row["cei"] == pytest.approx(100 * (row["opening"] + row["sales"] - row["closing"])
                                       / (row["opening"] + row["sales"] - row["current"]))
    assert row["countback_dso"] == last["countback_dso"]  # a point-in-time measure, at the period end
    assert row["average_days_delinquent"] == pytest.approx(row["dso"] - row["best_possible_dso"])
    # One month is the monthly row.
    one = period_kpis(sample_ledger, as_of="2026-10-31", months=1).iloc[0]
    for column in ["dso", "cei", "best_possible_dso", "avg_days_to_pay", "weighted_days_late", "bad_debt_ratio"]:
        assert one[column] == pytest.approx(last[column]), column


def test_quarter_kpis_by_region(sample_ledger):
    by_region = period_kpis(sample_ledger, as_of="2026-10-31", months=3, by="region")
    assert set(by_region["region"]) == set(sample_ledger.customers["region"])
    assert by_region["settled"].sum() == period_kpis(sample_ledger, as_of="2026-10-31", months=3)["settled"].sum()


def test_quarter_kpis_same_on_every_backend(sample_ledger, backend):
    items, apps, fx = sample_ledger.items, sample_ledger.applications, sample_ledger.fx_rates
    options = dict(as_of="2026-10-31", months=2, currency="USD", countback_months=2)
    expected = period_kpis(items, applications=apps, fx_rates=fx, **options)
    got = backend.to_pandas(period_kpis(backend(items), applications=backend(apps), fx_rates=backend(fx), **options),
                            ["period_end"])
    for frame in (got, expected):
        frame[["period_start", "period_end"]] = frame[["period_start", "period_end"]].apply(pd.to_datetime)
        frame[KPI_COLUMNS] = frame[KPI_COLUMNS].astype("float64")  # null is NaN or NA by engine
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_days_late_are_weighted_in_the_reporting_currency():
    """USD 100 paid 10 days late, CAD 1,000 (= USD 500) on time: 100 x 10 / 600, not / 1,100."""
    items = pd.DataFrame({"document_id": ["U1", "C1"], "customer_id": ["A", "B"], "currency": ["USD", "CAD"],
                          "doc_date": pd.to_datetime(["2026-03-01", "2026-03-01"]),
                          "due_date": pd.to_datetime(["2026-03-11", "2026-03-11"]), "amount": [100.0, 1000.0],
                          "closed_date": pd.to_datetime(["2026-03-21", "2026-03-11"])})
    fx = pd.DataFrame({"currency": ["CAD"], "date": pd.to_datetime(["2026-01-01"]), "rate": [0.5]})
    row = kpis(items, as_of="2026-03-31", months=1, currency="USD", fx_rates=fx).iloc[0]
    assert row["weighted_days_late"] == pytest.approx(1000 / 600)
    assert (row["settled"], row["avg_days_late"], row["avg_days_to_pay"]) == (2, 5.0, 15.0)
    per_currency = kpis(items, as_of="2026-03-31", months=1).set_index("currency")
    assert per_currency.loc["USD", "weighted_days_late"] == 10 and per_currency.loc["CAD", "weighted_days_late"] == 0
