"""Aging summary by customer: arkit beside a plain hand-written implementation on the same input.

    python benchmarks/bench_aging.py [--items 10000000] [--customers 20000] [--many-customers 100000]
                                     [--runs 3] [--engines pandas,polars,duckdb]

Synthetic open items (one currency, USD, so arkit groups by customer and currency and so does
every baseline) are aged on 2026-10-31 into current, 1-30, 31-60, 61-90, 91-120 and 120+ days
past due, summed in integer cents. Inputs as users have them:

* pandas frames with pandas 3's default ``str`` ids and ``datetime64[s]``, ``[us]`` (what
  pandas 3 readers give by default) and ``[ns]`` dates; and the ``[us]`` frame with
  ``--many-customers`` customers;
* a Polars DataFrame and LazyFrame (``pl.Date``);
* DuckDB relations: a native table (``DATE``), ``from_df`` over the pandas ``[us]`` frame
  (``TIMESTAMP``) and ``read_parquet`` of a Parquet file (``DATE``).

On each, arkit's ``aging_summary`` runs beside what an engineer would write by hand on that
input, the obvious fast way:

* pandas: numpy day arithmetic (datetime64[D] as integers), ``np.searchsorted`` buckets,
  integer cents, ``groupby([customer, currency, bucket]).sum().unstack()``;
* Polars: native expressions (``Date - Date`` -> ``dt.total_days``, ``when/then`` bucket,
  ``group_by(customer, currency).agg(...)`` with one sum per bucket), eager on a DataFrame and
  lazy on a LazyFrame, collected; the per-bucket sum in the form fastest on each (see
  ``polars_baseline``);
* DuckDB: one SQL query with ``CASE WHEN`` buckets and ``SUM`` over the same relation
  (``relation.query``), fetched with ``.df()`` like arkit's relation.

Every result is checked to the cent against its baseline, and the baselines against each other
(same items, same customers). Each figure is the best of ``--runs`` runs after one warm-up run;
arkit and its baseline take turns, so that load from other processes falls on both alike.
``--engines`` takes case names or their prefixes (``pandas`` is every pandas input; see
``CASES``). Target: arkit within 1.25x of the hand-written code on each input.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import tempfile
import time

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from timing import best_of

from arkit import aging_summary, bucket_labels

AS_OF = dt.date(2026, 10, 31)
EDGES = (30, 60, 90, 120)
LABELS = bucket_labels(EDGES)
TARGET = 1.25


def make_items(n_items: int, n_customers: int, seed: int = 7) -> pa.Table:
    """Open items as an Arrow table: string ids, date32 dates, float amounts, currency USD."""
    rng = np.random.default_rng(seed)
    as_of_day = (AS_OF - dt.date(1970, 1, 1)).days
    doc_day = as_of_day - rng.integers(0, 400, n_items)
    due_day = doc_day + rng.choice([15, 30, 45, 60], n_items)
    customers = pc.binary_join_element_wise(
        "C", pc.utf8_lpad(pc.cast(pa.array(np.arange(n_customers)), pa.string()), 7, "0"), "")
    return pa.table({
        "document_id": pc.binary_join_element_wise(
            "INV", pc.utf8_lpad(pc.cast(pa.array(np.arange(n_items)), pa.string()), 8, "0"), ""),
        "customer_id": customers.take(pa.array(rng.integers(0, n_customers, n_items))),
        "doc_date": pa.array(doc_day.astype(np.int32), pa.int32()).cast(pa.date32()),
        "due_date": pa.array(due_day.astype(np.int32), pa.int32()).cast(pa.date32()),
        "amount": np.round(rng.lognormal(7, 1.2, n_items), 2),
        "currency": pa.array(np.full(n_items, "USD", dtype=object), pa.string()),
    })


def _finish_pandas(cents: pd.DataFrame) -> pd.DataFrame:
    """Cents by (customer, currency) and bucket -> dollars with total, largest total first."""
    cents = cents.reindex(columns=range(len(LABELS)), fill_value=0)
    cents.columns = LABELS
    cents["total"] = cents.sum(axis=1)
    out = (cents / 100).reset_index()
    return out.sort_values(["total", "customer_id", "currency"], ascending=[False, True, True], ignore_index=True)


def pandas_baseline(items: pd.DataFrame) -> pd.DataFrame:
    as_of_day = np.datetime64(AS_OF, "D").astype(np.int64)
    keep = items["doc_date"].to_numpy() <= np.datetime64(AS_OF)
    items = items[keep] if not keep.all() else items
    days = as_of_day - items["due_date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    bucket = np.searchsorted(np.array((0, *EDGES)), days, side="left")  # <=0 -> 0, 1..30 -> 1, ..., >120 -> 5
    cents = np.rint(items["amount"].to_numpy() * 100).astype(np.int64)
    frame = pd.DataFrame({"customer_id": items["customer_id"], "currency": items["currency"],
                          "bucket": bucket, "cents": cents})
    sums = frame.groupby(["customer_id", "currency", "bucket"], sort=False)["cents"].sum()
    return _finish_pandas(sums.unstack("bucket", fill_value=0))


def polars_baseline(items):
    """Native expressions on a DataFrame (eager) or a LazyFrame (collected).

    Per bucket sum: ``cents.filter(bucket == i).sum()`` eager, ``when(bucket == i).then(cents)
    .otherwise(0).sum()`` lazy: the fastest of four natural forms on each (the others: six
    ``when`` columns then ``sum``, and ``group_by(customer, currency, bucket)`` then ``pivot``).
    """
    days = (pl.lit(AS_OF) - pl.col("due_date")).dt.total_days()
    bucket = pl.when(days <= 0).then(0)
    for i, edge in enumerate(EDGES, start=1):
        bucket = bucket.when(days <= edge).then(i)
    cents, in_bucket = pl.col("cents"), pl.col("bucket")
    if isinstance(items, pl.LazyFrame):
        sums = [pl.when(in_bucket == i).then(cents).otherwise(0).sum().alias(label) for i, label in enumerate(LABELS)]
    else:
        sums = [cents.filter(in_bucket == i).sum().alias(label) for i, label in enumerate(LABELS)]
    out = (
        items.filter(pl.col("doc_date") <= AS_OF)
        .with_columns((pl.col("amount") * 100).round(0).cast(pl.Int64).alias("cents"),
                      bucket.otherwise(len(EDGES) + 1).alias("bucket"))
        .group_by("customer_id", "currency")
        .agg(sums)
        .with_columns(pl.sum_horizontal(LABELS).alias("total"))
        .with_columns(pl.col([*LABELS, "total"]) / 100)
        .sort(["total", "customer_id", "currency"], descending=[True, False, False])
    )
    return out.collect() if isinstance(out, pl.LazyFrame) else out


def duckdb_baseline(relation: duckdb.DuckDBPyRelation) -> pd.DataFrame:
    """One SQL query over ``relation`` (a table, a pandas frame or a Parquet file), as ``items``.

    Dates are cast to DATE, which costs nothing on DATE columns and drops the time of day of
    TIMESTAMP ones (a pandas frame's datetime64).
    """
    as_of = f"DATE '{AS_OF.isoformat()}'"
    cases = [f"SUM(CASE WHEN days <= 0 THEN cents ELSE 0 END) AS \"{LABELS[0]}\""]
    low = 0
    for edge, label in zip(EDGES, LABELS[1:]):
        cases.append(f"SUM(CASE WHEN days > {low} AND days <= {edge} THEN cents ELSE 0 END) AS \"{label}\"")
        low = edge
    cases.append(f"SUM(CASE WHEN days > {low} THEN cents ELSE 0 END) AS \"{LABELS[-1]}\"")
    money = ", ".join(f'"{label}" / 100 AS "{label}"' for label in LABELS)
    query = f"""
        WITH open AS (
            SELECT customer_id, currency, CAST(round(amount * 100) AS BIGINT) AS cents,
                   {as_of} - CAST(due_date AS DATE) AS days
            FROM items WHERE CAST(doc_date AS DATE) <= {as_of}
        ), sums AS (
            SELECT customer_id, currency, {", ".join(cases)} FROM open GROUP BY customer_id, currency
        )
        SELECT customer_id, currency, {money}, ({" + ".join(f'"{label}"' for label in LABELS)}) / 100 AS total
        FROM sums ORDER BY total DESC, customer_id, currency
    """
    return relation.query("items", query).df()


def cents_table(frame) -> pd.DataFrame:
    """A result as integer cents indexed by (customer_id, currency), for exact comparison."""
    if isinstance(frame, pl.DataFrame):
        frame = frame.to_pandas()
    frame = frame.set_index(["customer_id", "currency"]).sort_index()[[*LABELS, "total"]]
    return frame.mul(100).round().astype(np.int64)


CASES = ("pandas-s", "pandas-us", "pandas-ns", "pandas-us-many", "polars", "polars-lazy",
         "duckdb-table", "duckdb-pandas", "duckdb-parquet")


def selected(engines: list[str]) -> list[str]:
    """The cases named, or starting with a name and a dash: ``pandas`` is every pandas input."""
    return [case for case in CASES if any(case == name or case.startswith(f"{name}-") for name in engines)]


def pandas_items(table: pa.Table | pd.DataFrame, unit: str) -> pd.DataFrame:
    """Items as pandas 3 users have them: ``str`` ids, ``datetime64[unit]`` dates.

    From a pandas frame, the new frame shares its other columns (copy on write).
    """
    items = table.to_pandas(date_as_object=False) if isinstance(table, pa.Table) else table
    return items.assign(doc_date=items["doc_date"].astype(f"datetime64[{unit}]"),
                        due_date=items["due_date"].astype(f"datetime64[{unit}]"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--many-customers", type=int, default=100_000,
                        help="customers of the pandas-us-many case")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--engines", default="pandas,polars,duckdb",
                        help=f"cases, or their engine prefixes, of: {', '.join(CASES)}")
    args = parser.parse_args()
    wanted = selected(args.engines.split(","))

    table = make_items(args.items, args.customers)
    as_of = AS_OF.isoformat()
    cases = {}  # case -> (input, baseline description, baseline, arkit, customers)

    def add(case, label, what, baseline, arkit, customers=args.customers):
        if case in wanted:
            cases[case] = (label, what, baseline, arkit, customers)

    pandas_what = "numpy days + groupby/unstack"
    converted = table.to_pandas(date_as_object=False) if any(case.startswith(("pandas", "duckdb-pandas"))
                                                             for case in wanted) else None
    frames = {unit: pandas_items(converted, unit) for unit in ("s", "us", "ns")} if converted is not None else {}
    for unit, items in frames.items():
        add(f"pandas-{unit}", f"pandas, datetime64[{unit}]", pandas_what,
            lambda items=items: pandas_baseline(items), lambda items=items: aging_summary(items, as_of=as_of))
    if "pandas-us-many" in wanted:
        many = make_items(args.items, args.many_customers)["customer_id"]
        items = frames["us"].assign(customer_id=pd.Series(many.to_pandas(), index=frames["us"].index))
        add("pandas-us-many", f"pandas, [us], {args.many_customers // 1000}k cust.", pandas_what,
            lambda: pandas_baseline(items), lambda: aging_summary(items, as_of=as_of), args.many_customers)
    if {"polars", "polars-lazy"} & set(wanted):
        frame = pl.from_arrow(table)
        add("polars", "Polars (eager)", "native expressions, eager",
            lambda: polars_baseline(frame), lambda: aging_summary(frame, as_of=as_of))
        add("polars-lazy", "Polars (lazy)", "native expressions, lazy",
            lambda: polars_baseline(frame.lazy()), lambda: aging_summary(frame.lazy(), as_of=as_of).collect())
    connection = duckdb.connect()
    sql_what = "one SQL query, CASE WHEN + SUM"
    if "duckdb-table" in wanted:
        connection.register("arrow_items", table)
        connection.sql("CREATE TABLE items AS SELECT * FROM arrow_items")
        connection.unregister("arrow_items")
        relation = connection.table("items")
        add("duckdb-table", "DuckDB table", sql_what,
            lambda: duckdb_baseline(relation), lambda: aging_summary(relation, as_of=as_of).df())
    if "duckdb-pandas" in wanted:
        over_frame = connection.from_df(frames["us"])
        add("duckdb-pandas", "DuckDB over pandas [us]", sql_what,
            lambda: duckdb_baseline(over_frame), lambda: aging_summary(over_frame, as_of=as_of).df())
    folder = tempfile.TemporaryDirectory()
    if "duckdb-parquet" in wanted:
        path = f"{folder.name}/items.parquet"
        pq.write_table(table, path)  # DATE columns, as an Arrow or Polars writer leaves them
        parquet = connection.read_parquet(path)
        add("duckdb-parquet", "DuckDB read_parquet", sql_what,
            lambda: duckdb_baseline(parquet), lambda: aging_summary(parquet, as_of=as_of).df())
    del table, converted
    gc.collect()

    print(f"Aging summary by customer (and currency) of {args.items:,} open items, {args.customers:,} customers "
          f"unless said, as of {as_of}; best of {args.runs} after a warm-up run; {time.strftime('%Y-%m-%d')}")
    print(f"{'input':28s} {'hand-written baseline':32s} {'baseline s':>10s} {'arkit s':>9s} {'ratio':>6s}  "
          f"meets {TARGET}x")
    first = {}  # customers -> the first baseline's cents: every engine's baseline must agree
    for case, (label, what, baseline, arkit, customers) in cases.items():
        timing = best_of(args.runs, baseline=baseline, arkit=arkit)
        (base_s, expected), (arkit_s, got) = timing["baseline"], timing["arkit"]
        del timing
        expected, got = cents_table(expected), cents_table(got)
        assert expected.index.equals(got.index), f"{case}: different groups"
        assert (expected.to_numpy() == got.to_numpy()).all(), f"{case}: arkit differs from the baseline"
        reference = first.setdefault(customers, expected)
        assert reference.equals(expected), f"{case}: its baseline differs from the first one's"
        ratio = arkit_s / base_s
        print(f"{label:28s} {what:32s} {base_s:10.3f} {arkit_s:9.3f} {ratio:6.2f}  "
              f"{'yes' if ratio <= TARGET else 'no'}", flush=True)
        del expected, got
        gc.collect()
    folder.cleanup()
    print("arkit equals each baseline to the cent, and the baselines agree across engines and input kinds.")


if __name__ == "__main__":
    main()
