"""Aging summary by customer: arkit (pandas, Polars, DuckDB) beside a plain hand-written pandas baseline.

    python benchmarks/bench_aging.py [--items 1000000] [--customers 20000]

Prints seconds per run (best of 3) and checks that every engine gives the baseline's numbers.
"""

from __future__ import annotations

import argparse
import time

import duckdb
import numpy as np
import pandas as pd
import polars as pl

from arkit import aging_summary, bucket_labels


def make_items(n_items: int, n_customers: int, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    doc = pd.Timestamp("2026-10-31") - pd.to_timedelta(rng.integers(0, 400, n_items), unit="D")
    return pd.DataFrame({
        "document_id": pd.array([f"INV{i:08d}" for i in range(n_items)], dtype="str"),
        "customer_id": pd.array([f"{c:07d}" for c in rng.integers(0, n_customers, n_items)], dtype="str"),
        "doc_date": doc.astype("datetime64[s]"),
        "due_date": (doc + pd.to_timedelta(rng.choice([15, 30, 45, 60], n_items), unit="D")).astype("datetime64[s]"),
        "amount": np.round(rng.lognormal(7, 1.2, n_items), 2),
    })


def baseline(items: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """What an analyst would write by hand: days past due, pd.cut, pivot_table."""
    days = (as_of - items["due_date"]).dt.days
    bucket = pd.cut(days, [-np.inf, 0, 30, 60, 90, 120, np.inf], labels=bucket_labels())
    table = pd.pivot_table(items.assign(bucket=bucket), index="customer_id", columns="bucket", values="amount",
                           aggfunc="sum", fill_value=0.0, observed=False)
    table["total"] = table.sum(axis=1)
    return table.round(2)


def best_of(fn, runs: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=20_000)
    args = parser.parse_args()
    items = make_items(args.items, args.customers)
    as_of = pd.Timestamp("2026-10-31")
    seconds, expected = best_of(lambda: baseline(items, as_of))
    print(f"{args.items:,} open items, {args.customers:,} customers: aging summary by customer, best of 3")
    print(f"  {'hand-written pandas (pd.cut + pivot_table)':45s} {seconds:7.3f} s  (baseline)")
    polars_items, connection = pl.from_pandas(items), duckdb.connect()
    runs = {
        "arkit on pandas": lambda: aging_summary(items, as_of="2026-10-31"),
        "arkit on Polars (eager)": lambda: aging_summary(polars_items, as_of="2026-10-31").to_pandas(),
        "arkit on DuckDB": lambda: aging_summary(connection.from_df(items), as_of="2026-10-31").df(),
    }
    for label, run in runs.items():
        elapsed, result = best_of(run)
        got = result.set_index("customer_id").sort_index()[expected.columns.tolist()]
        same = np.allclose(got.to_numpy(), expected.sort_index().to_numpy(), atol=0.005)
        print(f"  {label:45s} {elapsed:7.3f} s  ({elapsed / seconds:.2f}x baseline; same numbers: {same})")


if __name__ == "__main__":
    main()
