"""The seeded sample portfolio: reproducible bytes, ledger invariants, real profile signal."""

from __future__ import annotations

import re
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from arkit.config import SAMPLES_DIR
from arkit.sample import HISTORY_END, HISTORY_START, _format_cents, generate_sample, write_sample

END = pd.Timestamp("2026-10-31")
ITEM_COLUMNS = ["document_id", "customer_id", "doc_type", "doc_date", "due_date", "amount", "currency",
                "terms", "reference", "closed_date", "disputed"]
ID_PATTERNS = {"invoice": r"INV\d{7}", "credit_memo": r"CM\d{6}", "payment": r"PMT\d{7}",
               "write_off": r"WO\d{5}", "debit_memo": r"DM\d{6}", "adjustment": r"ADJ\d{6}"}
BUCKETS = ["current", "1-30", "31-60", "61-90", "91-120", "120+"]


def cents(values) -> pd.Series:
    return pd.Series(np.rint(np.asarray(values, dtype=float) * 100).astype("int64"), index=getattr(values, "index", None))


@pytest.fixture(scope="module")
def tables():
    return generate_sample(seed=7)


@pytest.fixture(scope="module")
def book(tables):
    """Items with their open amount at the end of the history, in integer cents."""
    items = tables["items"].copy()
    apps = tables["applications"].assign(cents=lambda a: cents(a["amount"]))
    as_target = apps.groupby("target_id")["cents"].sum()
    as_source = apps.groupby("source_id")["cents"].sum()
    items["cents"] = cents(items["amount"])
    items["open_cents"] = (items["cents"]
                           - items["document_id"].map(as_target).fillna(0).astype("int64")
                           + items["document_id"].map(as_source).fillna(0).astype("int64"))
    items["days_past_due"] = (END - items["due_date"]).dt.days
    profiles = tables["customer_profiles"].set_index("customer_id")["profile"]
    items["profile"] = items["customer_id"].map(profiles)
    return items


# ------------------------------------------------------------------------ reproducibility
def test_committed_samples_match_a_fresh_seed_7_run(tmp_path):
    written = write_sample(tmp_path, seed=7)
    fresh = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.csv"))
    committed = sorted(p.relative_to(SAMPLES_DIR).as_posix() for p in SAMPLES_DIR.rglob("*.csv"))
    assert fresh == committed, "data/samples does not hold exactly the files write_sample makes"
    assert {p.relative_to(tmp_path).as_posix() for p in written.values()} == set(fresh)
    for name in fresh:
        same = (tmp_path / name).read_bytes() == (SAMPLES_DIR / name).read_bytes()
        assert same, f"data/samples/{name} differs from a fresh seed-7 run: regenerate with `arkit sample --out data/samples`"


def test_committed_samples_are_small():
    size = sum(p.stat().st_size for p in SAMPLES_DIR.rglob("*") if p.is_file())
    assert size < 10_000_000


def test_a_different_seed_gives_different_data(tables):
    other = generate_sample(seed=8)
    assert not other["items"]["amount"].equals(tables["items"]["amount"])
    assert not other["customers"]["customer_name"].equals(tables["customers"]["customer_name"])


def test_each_call_returns_fresh_frames(tables):
    again = generate_sample(seed=7)
    again["items"].loc[0, "amount"] = -1.0
    assert generate_sample(seed=7)["items"].loc[0, "amount"] != -1.0


@given(st.integers(min_value=-10**12, max_value=10**12))
def test_money_is_written_exactly(value):
    assert _format_cents(np.array([value]))[0] == f"{Decimal(value) / 100:.2f}"


def test_csv_files_follow_the_byte_conventions():
    items = (SAMPLES_DIR / "items.csv").read_text()
    assert "\r" not in items
    header, first = items.split("\n")[:2]
    assert header == ",".join(ITEM_COLUMNS)
    fields = first.split(",")
    assert re.fullmatch(r"-?\d+\.\d\d", fields[5]) and fields[10] in {"true", "false"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", fields[3])


# --------------------------------------------------------------------------- portfolio facts
def test_customers(tables):
    customers = tables["customers"]
    assert list(customers.columns) == ["customer_id", "customer_name", "credit_limit", "terms", "segment",
                                       "region", "sales_rep", "collector", "country", "since"]
    assert len(customers) == 1250
    assert customers["customer_id"].tolist() == [f"{k:07d}" for k in range(10001, 11251)]
    assert customers["customer_name"].is_unique
    assert set(customers["terms"]) == {"NET15", "NET30", "NET45", "NET60"}
    assert customers["terms"].value_counts().idxmax() == "NET30"
    assert 4 <= customers["region"].nunique() <= 6 and "Canada" in set(customers["region"])
    assert 3 <= customers["segment"].nunique() <= 4
    assert customers["sales_rep"].nunique() == 12 and customers["collector"].nunique() == 6
    assert 0.10 <= (customers["country"] == "CA").mean() <= 0.15
    assert ((customers["country"] == "CA") == (customers["region"] == "Canada")).all()
    assert (customers["credit_limit"] % 5000 == 0).all()
    assert customers["since"].max() <= END and (customers["since"] > HISTORY_START).sum() > 100


def test_currency_follows_the_country(tables):
    items = tables["items"]
    country = items["customer_id"].map(tables["customers"].set_index("customer_id")["country"])
    assert (items["currency"] == country.map({"US": "USD", "CA": "CAD"})).all()


def test_fx_rates(tables):
    fx = tables["fx_rates"]
    assert list(fx.columns) == ["currency", "date", "rate"]
    assert len(fx) == 24 and set(fx["currency"]) == {"CAD"}
    assert fx["date"].tolist() == list(pd.date_range("2024-11-01", "2026-10-01", freq="MS"))
    assert fx["rate"].between(0.70, 0.76).all()
    assert fx["rate"].diff().abs().max() < 0.03


def test_items_columns_ids_and_signs(tables):
    items = tables["items"]
    assert list(items.columns) == ITEM_COLUMNS
    assert items["document_id"].is_unique
    assert set(items["doc_type"]) == set(ID_PATTERNS)
    for doc_type, pattern in ID_PATTERNS.items():
        ids = items.loc[items["doc_type"] == doc_type, "document_id"]
        assert ids.str.fullmatch(pattern).all(), doc_type
    positive = items["doc_type"].isin(["invoice", "debit_memo"])
    assert (items.loc[positive, "amount"] > 0).all()
    assert (items.loc[~positive, "amount"] < 0).all()
    assert (cents(items["amount"]) - items["amount"] * 100).abs().max() < 1e-6  # whole cents
    assert (items["customer_id"].str.len() == 7).all()


def test_due_dates(tables):
    items = tables["items"]
    charge = items["doc_type"].isin(["invoice", "debit_memo"])
    terms_days = items["terms"].str.removeprefix("NET").astype(int)
    expected = items["doc_date"] + pd.to_timedelta(terms_days, unit="D")
    assert (items.loc[charge, "due_date"] == expected[charge]).all()
    assert (items.loc[~charge, "due_date"] == items.loc[~charge, "doc_date"]).all()


def test_dates_stay_within_the_history(tables):
    items, apps = tables["items"], tables["applications"]
    assert items["doc_date"].min() == HISTORY_START
    latest = max(items["doc_date"].max(), apps["applied_date"].max(), items["closed_date"].max())
    assert latest == HISTORY_END == END
    event_dates = [
        tables["customers"]["since"], items["doc_date"], items["closed_date"], apps["applied_date"],
        tables["disputes"]["opened_date"], tables["disputes"]["closed_date"],
        tables["activities"]["date"], tables["activities"]["promised_date"], tables["fx_rates"]["date"],
    ]
    assert all(column.max() <= END for column in event_dates)


def test_applications_never_over_apply(tables, book):
    apps = tables["applications"]
    types = book.set_index("document_id")["doc_type"]
    assert apps["source_id"].map(types).isin(["payment", "credit_memo", "write_off", "adjustment"]).all()
    assert apps["target_id"].map(types).isin(["invoice", "debit_memo"]).all()
    assert (apps["amount"] > 0).all()
    assert not apps.duplicated(["source_id", "target_id", "applied_date"]).any()
    charge = book["cents"] > 0
    assert book.loc[charge, "open_cents"].between(0, book.loc[charge, "cents"]).all()
    assert book.loc[~charge, "open_cents"].between(book.loc[~charge, "cents"], 0).all()
    doc_date = book.set_index("document_id")["doc_date"]
    assert (apps["applied_date"] >= apps["source_id"].map(doc_date)).all()
    assert (apps["applied_date"] >= apps["target_id"].map(doc_date)).all()


def test_closed_date_is_the_day_the_open_amount_reached_zero(tables, book):
    assert ((book["open_cents"] == 0) == book["closed_date"].notna()).all()
    apps = tables["applications"]
    last = pd.concat([apps.groupby("source_id")["applied_date"].max(),
                      apps.groupby("target_id")["applied_date"].max()])
    closed = book[book["closed_date"].notna()]
    assert (closed["closed_date"] == closed["document_id"].map(last)).all()


def test_end_book_has_credits_and_unapplied_cash(book):
    open_items = book[book["open_cents"] != 0]
    payments = open_items[open_items["doc_type"] == "payment"]
    assert 15 <= len(payments) <= 80
    assert (payments["open_cents"] == payments["cents"]).sum() >= 5  # wholly unapplied
    assert (open_items["doc_type"] == "credit_memo").sum() >= 10
    assert 5 <= (book["doc_type"] == "write_off").sum() <= 40
    assert 0 < (book["doc_type"] == "debit_memo").sum() <= 200
    adjustments = book[book["doc_type"] == "adjustment"]
    assert 0 < len(adjustments) and adjustments["amount"].abs().max() <= 50


def test_end_book_aging_looks_like_a_real_book(tables, book):
    rate = tables["fx_rates"]["rate"].iloc[-1]
    open_items = book[book["open_cents"] != 0].assign(
        usd=lambda f: f["open_cents"] / 100 * np.where(f["currency"] == "CAD", rate, 1.0))
    bucket = pd.cut(open_items["days_past_due"], [-10**6, 0, 30, 60, 90, 120, 10**6], labels=BUCKETS)
    debit = open_items["open_cents"] > 0
    by_bucket = open_items[debit].groupby(bucket[debit], observed=False)["usd"].sum()
    assert by_bucket["current"] > by_bucket["1-30"] > by_bucket["31-60"] > max(by_bucket["61-90"], by_bucket["91-120"])
    past_due_share = by_bucket.drop("current").sum() / open_items["usd"].sum()
    assert 0.10 <= past_due_share <= 0.25
    over_120 = open_items[debit & (bucket == "120+")].groupby("profile")["usd"].sum()
    assert over_120.get("defaulting", 0) / over_120.sum() > 0.8


def test_disputes(tables, book):
    disputes = tables["disputes"]
    assert disputes["dispute_id"].is_unique
    assert set(disputes["status"]) == {"open", "resolved", "rejected"}
    is_open = disputes["status"] == "open"
    assert disputes.loc[is_open, "closed_date"].isna().all() and disputes.loc[is_open, "resolution"].isna().all()
    assert disputes.loc[~is_open, "closed_date"].notna().all()
    assert (disputes["closed_date"].dropna() >= disputes.loc[~is_open, "opened_date"]).all()
    assert disputes["notes"].nunique() > 0.9 * len(disputes)
    # "credit issued" means a credit memo for the disputed amount was applied to the document.
    apps = tables["applications"]
    types = book.set_index("document_id")["doc_type"]
    credits = apps[apps["source_id"].map(types) == "credit_memo"].groupby("target_id")["amount"].sum()
    credited = disputes[disputes["resolution"] == "credit issued"]
    assert (cents(credited["document_id"].map(credits).fillna(0)) >= cents(credited["amount"])).all()
    # The disputed flag marks exactly the items with a dispute still open, and they are open.
    open_docs = set(disputes.loc[is_open, "document_id"])
    assert set(book.loc[book["disputed"], "document_id"]) == open_docs
    assert (book.loc[book["disputed"], "open_cents"] > 0).all()


def test_promises_agree_with_the_ledger(tables, book):
    acts = tables["activities"]
    assert set(acts["kind"]) == {"call", "email", "letter", "promise", "note", "referral"}
    promises = acts[acts["kind"] == "promise"]
    assert promises["promised_amount"].gt(0).all() and promises["promised_date"].notna().all()
    assert acts.loc[acts["kind"] != "promise", "promised_amount"].isna().all()
    closed = promises["document_id"].map(book.set_index("document_id")["closed_date"])
    grace = promises["promised_date"] + pd.Timedelta(days=3)
    kept = promises["outcome"] == "kept"
    assert (closed[kept] <= grace[kept]).all()
    broken = promises["outcome"] == "broken"
    assert (closed[broken].isna() | (closed[broken] > grace[broken])).all()
    assert set(promises["outcome"]) == {"kept", "broken", "pending"}
    referred = acts.loc[acts["kind"] == "referral", "customer_id"]
    profiles = tables["customer_profiles"].set_index("customer_id")["profile"]
    assert referred.is_unique and (referred.map(profiles) == "defaulting").all()


# ----------------------------------------------------------------------------- profile signal
def test_late_payers_pay_late(book):
    paid = book[(book["doc_type"] == "invoice") & book["closed_date"].notna()]
    late_share = (paid["closed_date"] > paid["due_date"]).groupby(paid["profile"]).mean()
    assert late_share["prompt"] < 0.25
    assert late_share["slow"] > 0.8 and late_share["defaulting"] > 0.6
    assert late_share["slow"] > 3 * late_share["prompt"]
    days_late = (paid["closed_date"] - paid["due_date"]).dt.days.groupby(paid["profile"]).median()
    assert 10 <= days_late["slow"] <= 40 and days_late["prompt"] <= 0


def test_seasonal_and_deteriorating_patterns(book):
    paid = book[(book["doc_type"] == "invoice") & book["closed_date"].notna()].copy()
    paid["late"] = paid["closed_date"] > paid["due_date"]
    seasonal = paid[paid["profile"] == "seasonal"]
    winter = seasonal["due_date"].dt.month.isin([12, 1, 2])
    assert seasonal.loc[winter, "late"].mean() > 2 * seasonal.loc[~winter, "late"].mean()
    worse = paid[paid["profile"] == "deteriorating"]
    early = worse["due_date"] < pd.Timestamp("2025-06-01")
    recent = worse["due_date"] >= pd.Timestamp("2026-05-01")
    assert worse.loc[recent, "late"].mean() > worse.loc[early, "late"].mean() + 0.3


def test_chronic_disputers_dispute(tables, book):
    invoices = book[book["doc_type"] == "invoice"].groupby("profile").size()
    disputes = tables["disputes"]["customer_id"].map(
        tables["customer_profiles"].set_index("customer_id")["profile"]).value_counts()
    rate = disputes / invoices
    assert rate["chronic_disputer"] > 5 * rate["prompt"]


def test_defaulting_customers_hold_the_old_debt(book):
    debit = book[book["open_cents"] > 0]
    past_due = debit["days_past_due"] > 0
    customers = book.groupby("profile")["customer_id"].nunique()
    per_customer = debit[past_due].groupby("profile")["open_cents"].sum() / customers
    assert per_customer["defaulting"] > 5 * per_customer["prompt"]
    assert per_customer["slow"] > per_customer["prompt"]
    over_120 = debit[debit["days_past_due"] > 120]
    assert over_120.groupby("profile")["open_cents"].sum().idxmax() == "defaulting"


def test_profile_shares(tables):
    shares = tables["customer_profiles"]["profile"].value_counts(normalize=True)
    assert 0.40 <= shares["prompt"] <= 0.50 and 0.17 <= shares["slow"] <= 0.23
    assert 0.04 <= shares["defaulting"] <= 0.07 and 0.07 <= shares["chronic_disputer"] <= 0.10
