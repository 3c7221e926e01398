"""Month-end aging trend: arkit's ``aging_trend`` beside hand-written code on the same engine.

    python benchmarks/bench_trend.py [--documents 5000000] [--months 36] [--customers 20000] [--runs 3]
                                     [--engines pandas,polars,duckdb] [--baselines per-month,running]

A synthetic history of invoices and payments over four years (to 2026-10-31) with applications
linking payments to invoices: most invoices paid in full after their due date, some short-paid
(partial), some never paid; payments paying one or several invoices of a customer, a few with
cash left on account and some never applied at all. Customers bill in USD or CAD, so every
result has one row per currency and month end. ``aging_trend(items, as_of, months,
applications=apps)`` gives the aging (current, 1-30, ..., 120+ days past due) at each of the
``--months`` month ends; each engine's hand-written code computes the same table two ways:

* ``per-month``, the definition, what most engineers would write first: for each month end P,
  open amount per document = amount - applied to it + applied from it, counting applications
  dated up to P, for documents dated up to P; bucket by P - due date; sum by currency.
  pandas: document positions looked up once (``pd.factorize`` of all ids together), then per
  month end numpy masks and ``np.bincount``. Polars: per month end a lazy query (applications up to P grouped by
  target and by source, left-joined to the documents, bucketed, grouped), the month ends
  collected together. DuckDB: one SQL statement, a ``UNION ALL`` of one such aging per month end.
* ``running``, arkit's own algorithm written natively (see ``arkit/monthly.py``): each event
  (a document's amount on its date, each application on its date against both documents)
  counts in a bucket "more than e days past due" from day ``max(event day, due + e + 1)``; one
  sum per (currency, first month end it counts at) for each edge, a cumulative sum over month
  ends, buckets as differences. pandas: numpy ``bincount`` and ``cumsum``; Polars: one lazy
  query per edge collected together; DuckDB: one SQL statement (events x edges, ``GROUP BY``,
  window ``SUM``).

Every result is checked to the cent against the baselines. Each figure is the best of
``--runs`` runs after one warm-up run; arkit and its baselines take turns, so that load from
other processes falls on both alike. Target: arkit within 1.25x of the hand-written code.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import time

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from timing import best_of

from arkit import bucket_labels
from arkit.monthly import aging_trend

AS_OF = dt.date(2026, 10, 31)
START = dt.date(2022, 11, 1)
EDGES = (30, 60, 90, 120)
LABELS = bucket_labels(EDGES)
CURRENCIES = ("USD", "CAD")
TARGET = 1.25
EPOCH = dt.date(1970, 1, 1)


def _day(date: dt.date) -> int:
    return (date - EPOCH).days


def month_end_days(months: int) -> np.ndarray:
    """Day numbers of the ``months`` month ends up to AS_OF (itself a month end)."""
    ends = pd.date_range(end=pd.Timestamp(AS_OF), periods=months, freq="ME")
    return ends.to_numpy().astype("datetime64[D]").astype(np.int64)


def _ids(prefix: str, numbers: np.ndarray) -> pa.Array:
    return pc.binary_join_element_wise(prefix, pc.utf8_lpad(pc.cast(pa.array(numbers), pa.string()), 8, "0"), "")


def _dates(days: np.ndarray) -> pa.Array:
    return pa.array(days.astype(np.int32), pa.int32()).cast(pa.date32())


def make_history(n_documents: int, n_customers: int, seed: int = 7) -> tuple[pa.Table, pa.Table]:
    """(items, applications) as Arrow tables with exactly ``n_documents`` items."""
    rng = np.random.default_rng(seed)
    first, last = _day(START), _day(AS_OF)
    n_inv = int(n_documents * 0.6)
    n_unapplied = n_documents // 100                      # payments on account, never applied
    n_pay = n_documents - n_inv - n_unapplied             # payments applied to invoices
    currency = (rng.random(n_customers) < 0.1).astype(np.int64)  # 90% USD, 10% CAD customers
    terms = rng.choice([15, 30, 45, 60], n_customers, p=[0.1, 0.6, 0.2, 0.1])

    inv_cust = rng.integers(0, n_customers, n_inv)
    inv_day = rng.integers(first, last + 1, n_inv)
    inv_due = inv_day + terms[inv_cust]
    inv_cents = np.maximum(np.rint(rng.lognormal(7, 1.2, n_inv) * 100), 1).astype(np.int64)
    outcome = rng.random(n_inv)                           # 90% paid in full, 7% short-paid, 3% never paid
    partial = np.rint(inv_cents * rng.uniform(0.2, 0.9, n_inv)).astype(np.int64)
    applied = np.where(outcome < 0.90, inv_cents, np.where(outcome < 0.97, np.maximum(partial, 1), 0))
    pay_day = np.maximum(inv_day, inv_due + np.rint(rng.normal(5, 20, n_inv)).astype(np.int64))
    paid = np.flatnonzero((applied > 0) & (pay_day <= last))

    # Payments: runs of one customer's paid invoices in date order, each run paid by one payment
    # dated on the run's last pay day. A run starts at each new customer and at chosen places.
    paid = paid[np.lexsort((pay_day[paid], inv_cust[paid]))]
    cust, day = inv_cust[paid], pay_day[paid]
    starts = np.r_[True, cust[1:] != cust[:-1]]
    if starts.sum() > n_pay:
        raise SystemExit(f"{n_documents:,} documents are too few for {n_customers:,} customers: use fewer")
    starts[rng.choice(np.flatnonzero(~starts), n_pay - starts.sum(), replace=False)] = True
    first_of_run = np.flatnonzero(starts)
    payment = np.cumsum(starts) - 1                       # the payment of each application
    pmt_day = np.maximum.reduceat(day, first_of_run)
    pmt_cust = cust[first_of_run]
    app_cents = applied[paid]
    on_account = np.where(rng.random(n_pay) < 0.03, np.rint(rng.lognormal(5, 1, n_pay) * 100), 0).astype(np.int64)
    pmt_cents = -(np.add.reduceat(app_cents, first_of_run) + on_account)
    lag = np.where(rng.random(len(paid)) < 0.2, rng.integers(1, 6, len(paid)), 0)  # cash applied later
    app_day = np.minimum(pmt_day[payment] + lag, last)

    un_cust = rng.integers(0, n_customers, n_unapplied)
    un_day = rng.integers(first, last + 1, n_unapplied)
    un_cents = -np.maximum(np.rint(rng.lognormal(6, 1.2, n_unapplied) * 100), 1).astype(np.int64)

    customers = pc.binary_join_element_wise(
        "C", pc.utf8_lpad(pc.cast(pa.array(np.arange(n_customers)), pa.string()), 7, "0"), "")
    doc_cust = np.concatenate([inv_cust, pmt_cust, un_cust])
    doc_day = np.concatenate([inv_day, pmt_day, un_day])
    order = np.argsort(doc_day, kind="stable")           # an export sorted by date
    items = pa.table({
        "document_id": pa.concat_arrays([_ids("INV", np.arange(n_inv)),
                                         _ids("PMT", np.arange(n_pay + n_unapplied))]),
        "customer_id": customers.take(pa.array(doc_cust)),
        "doc_type": pa.array(np.repeat(["invoice", "payment"], [n_inv, n_pay + n_unapplied])),
        "doc_date": _dates(doc_day),
        "due_date": _dates(np.concatenate([inv_due, pmt_day, un_day])),
        "amount": np.concatenate([inv_cents, pmt_cents, un_cents]) / 100,
        "currency": pa.array(np.array(CURRENCIES)[currency[doc_cust]]),
    }).take(pa.array(order))
    app_order = np.lexsort((payment, app_day))
    applications = pa.table({
        "source_id": _ids("PMT", payment),
        "target_id": _ids("INV", paid),
        "amount": app_cents / 100,
        "applied_date": _dates(app_day),
    }).take(pa.array(app_order))
    return items, applications


# --- the result: (currency, period_end) x buckets, dollars, sorted --------------------------------

def _table(currencies, ends: np.ndarray, cents: np.ndarray) -> pd.DataFrame:
    """cents[currency, point, bucket] -> one row per currency and month end, dollars, with total."""
    n_cur, n_points = cents.shape[:2]
    out = pd.DataFrame(cents.reshape(n_cur * n_points, len(LABELS)), columns=LABELS)
    out["total"] = out.sum(axis=1)
    out = out / 100
    out.insert(0, "period_end", np.tile(ends.astype("datetime64[D]"), n_cur))
    out.insert(0, "currency", np.repeat(np.asarray(currencies, dtype=object), n_points))
    return out.sort_values(["currency", "period_end"], ignore_index=True)


def _buckets_from_running(running: np.ndarray) -> np.ndarray:
    """running[..., k]: k = 0 everything so far, k = 1.. past due by more than 0, 30, ... days."""
    total, past = running[..., 0], running[..., 1:]
    current = total - past[..., 0]
    middle = past[..., :-1] - past[..., 1:]
    return np.concatenate([current[..., None], middle, past[..., -1:]], axis=-1)


# --- pandas -------------------------------------------------------------------------------------

def _days(column: pd.Series) -> np.ndarray:
    return column.to_numpy().astype("datetime64[D]").astype(np.int64)


def _pandas_inputs(items: pd.DataFrame, apps: pd.DataFrame):
    items = items[items["doc_date"] <= pd.Timestamp(AS_OF)]
    apps = apps[apps["applied_date"] <= pd.Timestamp(AS_OF)]
    # Integer codes for all ids at once: the documents (unique ids) get codes 0..n-1 in order,
    # so an application's code is its document's row; codes >= n are ids of no document.
    n, m = len(items), len(apps)
    codes, _ = pd.factorize(pd.concat([items["document_id"], apps["target_id"], apps["source_id"]],
                                      ignore_index=True))
    assert (codes[:n] == np.arange(n)).all(), "document ids must be unique"
    target, source = codes[n:n + m], codes[n + m:]
    known = (target < n) & (source < n)
    codes, currencies = pd.factorize(items["currency"], sort=True)
    return dict(
        doc_day=_days(items["doc_date"]), due=_days(items["due_date"]), currency=codes, currencies=currencies,
        cents=np.rint(items["amount"].to_numpy() * 100).astype(np.int64),
        target=target[known], source=source[known], app_day=_days(apps["applied_date"])[known],
        app_cents=np.rint(apps["amount"].to_numpy()[known] * 100).astype(np.int64))


def pandas_per_month(items: pd.DataFrame, apps: pd.DataFrame, ends: np.ndarray) -> pd.DataFrame:
    x = _pandas_inputs(items, apps)
    n, n_cur, n_b = len(x["cents"]), len(x["currencies"]), len(LABELS)
    out = np.zeros((n_cur, len(ends), n_b), dtype=np.int64)
    for p, end in enumerate(ends):
        upto = x["app_day"] <= end
        moved = (np.bincount(x["source"][upto], x["app_cents"][upto], minlength=n)
                 - np.bincount(x["target"][upto], x["app_cents"][upto], minlength=n))
        on = x["doc_day"] <= end
        open_cents = x["cents"][on] + np.rint(moved[on]).astype(np.int64)
        bucket = np.searchsorted(np.array((0, *EDGES)), end - x["due"][on], side="left")
        sums = np.bincount(x["currency"][on] * n_b + bucket, open_cents, minlength=n_cur * n_b)
        out[:, p, :] = np.rint(sums).reshape(n_cur, n_b)
    return _table(x["currencies"], ends, out)


def pandas_running(items: pd.DataFrame, apps: pd.DataFrame, ends: np.ndarray) -> pd.DataFrame:
    x = _pandas_inputs(items, apps)
    t, s = x["target"], x["source"]
    day = np.concatenate([x["doc_day"], x["app_day"], x["app_day"]])
    due = np.concatenate([x["due"], x["due"][t], x["due"][s]])
    cur = np.concatenate([x["currency"], x["currency"][t], x["currency"][s]])
    cents = np.concatenate([x["cents"], -x["app_cents"], x["app_cents"]])
    n_cur, n_points = len(x["currencies"]), len(ends)
    first_month = ends[0].astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    running = np.zeros((n_cur, n_points, len(EDGES) + 2), dtype=np.int64)
    for k, edge in enumerate([None, 0, *EDGES]):
        start = day if edge is None else np.maximum(day, due + edge + 1)
        keep = start <= ends[-1]
        month = start[keep].astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
        point = np.clip(month - first_month, 0, n_points - 1)
        sums = np.bincount(cur[keep] * n_points + point, cents[keep], minlength=n_cur * n_points)
        running[:, :, k] = np.rint(sums).astype(np.int64).reshape(n_cur, n_points).cumsum(axis=1)
    return _table(x["currencies"], ends, _buckets_from_running(running))


# --- Polars -------------------------------------------------------------------------------------

def _pl_date(day: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(day))


def _pl_cents(column: str) -> pl.Expr:
    return (pl.col(column) * 100).round(0).cast(pl.Int64)


def _pl_bucket(days: pl.Expr) -> pl.Expr:
    bucket = pl.when(days <= 0).then(0)
    for i, edge in enumerate(EDGES, start=1):
        bucket = bucket.when(days <= edge).then(i)
    return bucket.otherwise(len(EDGES) + 1)


def _pl_finish(frame: pl.DataFrame) -> pd.DataFrame:
    out = frame.with_columns(pl.sum_horizontal(LABELS).alias("total")).with_columns(
        pl.col([*LABELS, "total"]) / 100).select("currency", "period_end", *LABELS, "total").to_pandas()
    out["period_end"] = out["period_end"].astype("datetime64[s]")
    return out.sort_values(["currency", "period_end"], ignore_index=True)


def polars_per_month(items, apps, ends: np.ndarray) -> pd.DataFrame:
    as_of = _pl_date(ends[-1])
    docs = items.lazy().filter(pl.col("doc_date") <= as_of).select(
        "document_id", "currency", "doc_date", "due_date", _pl_cents("amount").alias("cents"))
    moves = apps.lazy().filter(pl.col("applied_date") <= as_of).with_columns(_pl_cents("amount").alias("cents"))
    per_month = []
    for end in map(_pl_date, ends):
        upto = moves.filter(pl.col("applied_date") <= end)
        applied_in = upto.group_by(pl.col("target_id").alias("document_id")).agg(pl.col("cents").sum().alias("in"))
        applied_out = upto.group_by(pl.col("source_id").alias("document_id")).agg(pl.col("cents").sum().alias("out"))
        aged = (docs.filter(pl.col("doc_date") <= end)
                .join(applied_in, on="document_id", how="left").join(applied_out, on="document_id", how="left")
                .select("currency",
                        (pl.col("cents") - pl.col("in").fill_null(0) + pl.col("out").fill_null(0)).alias("open"),
                        _pl_bucket((pl.lit(end) - pl.col("due_date")).dt.total_days()).alias("bucket"))
                .group_by("currency")
                .agg(pl.col("open").filter(pl.col("bucket") == i).sum().alias(label) for i, label in enumerate(LABELS))
                .with_columns(pl.lit(end).alias("period_end")))
        per_month.append(aged)
    return _pl_finish(pl.concat(per_month).collect())


def polars_running(items, apps, ends: np.ndarray) -> pd.DataFrame:
    as_of = _pl_date(ends[-1])
    docs = items.lazy().filter(pl.col("doc_date") <= as_of).select(
        "document_id", "currency", pl.col("doc_date").alias("day"), pl.col("due_date").alias("due"),
        _pl_cents("amount").alias("cents"))
    moves = apps.lazy().filter(pl.col("applied_date") <= as_of).select(
        "source_id", "target_id", pl.col("applied_date").alias("day"), _pl_cents("amount").alias("cents"))
    side = docs.select("document_id", "currency", "due")
    events = pl.concat([
        docs.select("currency", "day", "due", "cents"),
        moves.join(side, left_on="target_id", right_on="document_id").select("currency", "day", "due", -pl.col("cents")),
        moves.join(side, left_on="source_id", right_on="document_id").select("currency", "day", "due", "cents"),
    ]).cache()
    first = ends[0].astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) + 1970 * 12
    sums = []
    for k, edge in enumerate([None, 0, *EDGES]):
        start = pl.col("day") if edge is None else pl.max_horizontal("day", pl.col("due") + pl.duration(days=edge + 1))
        sums.append(events.with_columns(start.alias("start")).filter(pl.col("start") <= as_of)
                    .group_by("currency", ((pl.col("start").dt.year().cast(pl.Int64) * 12
                                            + pl.col("start").dt.month() - 1 - first)
                                           .clip(0, len(ends) - 1).alias("point")))
                    .agg(pl.col("cents").sum()).with_columns(pl.lit(k).alias("k")))
    long = pl.concat(sums).collect()
    grid = long.select("currency").unique().join(
        pl.DataFrame({"point": np.arange(len(ends), dtype=np.int64)}), how="cross").join(
        pl.DataFrame({"k": np.arange(len(EDGES) + 2, dtype=np.int32)}), how="cross")
    running = (grid.join(long, on=["currency", "point", "k"], how="left").with_columns(pl.col("cents").fill_null(0))
               .sort("currency", "k", "point")
               .with_columns(pl.col("cents").cum_sum().over("currency", "k"))
               .pivot(on="k", index=["currency", "point"], values="cents").sort("currency", "point"))
    run = [pl.col(str(k)) for k in range(len(EDGES) + 2)]
    out = running.select(
        "currency", pl.col("point").map_elements(lambda p: _pl_date(ends[p]), return_dtype=pl.Date).alias("period_end"),
        (run[0] - run[1]).alias(LABELS[0]), *((run[i] - run[i + 1]).alias(LABELS[i]) for i in range(1, len(EDGES) + 1)),
        run[-1].alias(LABELS[-1]))
    return _pl_finish(out)


# --- DuckDB -------------------------------------------------------------------------------------

def _sql_date(day) -> str:
    return f"DATE '{_pl_date(day).isoformat()}'"


def _sql_buckets(days: str, value: str) -> str:
    cases = [f"SUM(CASE WHEN {days} <= 0 THEN {value} ELSE 0 END) AS \"{LABELS[0]}\""]
    low = 0
    for edge, label in zip(EDGES, LABELS[1:]):
        cases.append(f"SUM(CASE WHEN {days} > {low} AND {days} <= {edge} THEN {value} ELSE 0 END) AS \"{label}\"")
        low = edge
    cases.append(f"SUM(CASE WHEN {days} > {low} THEN {value} ELSE 0 END) AS \"{LABELS[-1]}\"")
    return ", ".join(cases)


def _duck_finish(frame: pd.DataFrame) -> pd.DataFrame:
    frame[LABELS] = frame[LABELS].astype(np.int64)
    frame["total"] = frame[LABELS].sum(axis=1)
    frame[[*LABELS, "total"]] = frame[[*LABELS, "total"]] / 100
    frame["period_end"] = frame["period_end"].astype("datetime64[s]")
    return frame[["currency", "period_end", *LABELS, "total"]].sort_values(["currency", "period_end"],
                                                                           ignore_index=True)


def duckdb_per_month(connection: duckdb.DuckDBPyConnection, ends: np.ndarray) -> pd.DataFrame:
    as_of = _sql_date(ends[-1])
    months = []
    for end in map(_sql_date, ends):
        months.append(f"""
            SELECT currency, {end} AS period_end, {_sql_buckets("days", "open")}
            FROM (SELECT d.currency, {end} - d.due_date AS days,
                         d.cents - coalesce(i.cents, 0) + coalesce(o.cents, 0) AS open
                  FROM docs d
                  LEFT JOIN (SELECT target_id, SUM(cents) AS cents FROM moves WHERE applied_date <= {end}
                             GROUP BY target_id) i ON i.target_id = d.document_id
                  LEFT JOIN (SELECT source_id, SUM(cents) AS cents FROM moves WHERE applied_date <= {end}
                             GROUP BY source_id) o ON o.source_id = d.document_id
                  WHERE d.doc_date <= {end})
            GROUP BY currency""")
    query = f"""
        WITH docs AS (SELECT document_id, currency, doc_date, due_date, CAST(round(amount * 100) AS BIGINT) AS cents
                      FROM items WHERE doc_date <= {as_of}),
             moves AS (SELECT source_id, target_id, applied_date, CAST(round(amount * 100) AS BIGINT) AS cents
                       FROM applications WHERE applied_date <= {as_of})
        {" UNION ALL ".join(months)}"""
    return _duck_finish(connection.sql(query).df())


def duckdb_running(connection: duckdb.DuckDBPyConnection, ends: np.ndarray) -> pd.DataFrame:
    as_of = _sql_date(ends[-1])
    first = ends[0].astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) + 1970 * 12
    n = len(ends)
    thresholds = ", ".join(f"({k}, {'NULL' if e is None else e})" for k, e in enumerate([None, 0, *EDGES]))
    period_ends = ", ".join(f"({p}, {_sql_date(end)})" for p, end in enumerate(ends))
    run = [f"SUM(CASE WHEN k = {k} THEN running END)" for k in range(len(EDGES) + 2)]
    buckets = [f"{run[0]} - {run[1]} AS \"{LABELS[0]}\""]
    buckets += [f"{run[i]} - {run[i + 1]} AS \"{LABELS[i]}\"" for i in range(1, len(EDGES) + 1)]
    buckets += [f"{run[-1]} AS \"{LABELS[-1]}\""]
    query = f"""
        WITH docs AS (SELECT document_id, currency, doc_date AS day, due_date AS due,
                             CAST(round(amount * 100) AS BIGINT) AS cents FROM items WHERE doc_date <= {as_of}),
             moves AS (SELECT source_id, target_id, applied_date AS day, CAST(round(amount * 100) AS BIGINT) AS cents
                       FROM applications WHERE applied_date <= {as_of}),
             events AS (
                 SELECT currency, day, due, cents FROM docs
                 UNION ALL SELECT d.currency, m.day, d.due, -m.cents FROM moves m JOIN docs d ON d.document_id = m.target_id
                 UNION ALL SELECT d.currency, m.day, d.due, m.cents FROM moves m JOIN docs d ON d.document_id = m.source_id),
             thresholds(k, e) AS (VALUES {thresholds}),
             starts AS (SELECT currency, k, cents,
                               CASE WHEN e IS NULL THEN day ELSE greatest(day, due + e + 1) END AS start
                        FROM events CROSS JOIN thresholds),
             sums AS (SELECT currency, k,
                             least(greatest(year(start) * 12 + month(start) - 1 - {first}, 0), {n - 1}) AS point,
                             SUM(cents) AS cents
                      FROM starts WHERE start <= {as_of} GROUP BY ALL),
             grid AS (SELECT c.currency, t.k, p.point FROM (SELECT DISTINCT currency FROM sums) c,
                      thresholds t, range({n}) p(point)),
             running AS (SELECT g.currency, g.k, g.point,
                                SUM(coalesce(s.cents, 0)) OVER (PARTITION BY g.currency, g.k ORDER BY g.point)
                                    AS running
                         FROM grid g LEFT JOIN sums s USING (currency, k, point)),
             period_ends(point, period_end) AS (VALUES {period_ends})
        SELECT r.currency, e.period_end, {", ".join(buckets)}
        FROM running r JOIN period_ends e USING (point) GROUP BY r.currency, e.period_end"""
    return _duck_finish(connection.sql(query).df())


# --- checks and timing --------------------------------------------------------------------------

def cents_table(frame) -> pd.DataFrame:
    """A result as integer cents indexed by (currency, period_end), for exact comparison."""
    if isinstance(frame, pl.LazyFrame):
        frame = frame.collect()
    if isinstance(frame, pl.DataFrame):
        frame = frame.to_pandas()
    frame = frame.assign(period_end=pd.to_datetime(frame["period_end"]).astype("datetime64[s]"))
    frame = frame.set_index(["currency", "period_end"]).sort_index()[[*LABELS, "total"]]
    return frame.mul(100).round().astype(np.int64)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--engines", default="pandas,polars,duckdb")
    parser.add_argument("--baselines", default="per-month,running")
    args = parser.parse_args()
    engines, baselines = args.engines.split(","), args.baselines.split(",")

    items_arrow, apps_arrow = make_history(args.documents, args.customers)
    ends = month_end_days(args.months)
    as_of = AS_OF.isoformat()
    n_apps = apps_arrow.num_rows
    cases = {}
    if "pandas" in engines:
        items, apps = items_arrow.to_pandas(), apps_arrow.to_pandas()
        for frame, columns in ((items, ("doc_date", "due_date")), (apps, ("applied_date",))):
            for column in columns:
                frame[column] = frame[column].astype("datetime64[s]")
        cases["pandas"] = ({"per-month": lambda: pandas_per_month(items, apps, ends),
                            "running": lambda: pandas_running(items, apps, ends)},
                           lambda: aging_trend(items, as_of, months=args.months, applications=apps))
    if "polars" in engines:
        items_pl, apps_pl = pl.from_arrow(items_arrow), pl.from_arrow(apps_arrow)
        cases["Polars"] = ({"per-month": lambda: polars_per_month(items_pl, apps_pl, ends),
                            "running": lambda: polars_running(items_pl, apps_pl, ends)},
                           lambda: aging_trend(items_pl, as_of, months=args.months, applications=apps_pl))
    if "duckdb" in engines:
        connection = duckdb.connect()
        for name, table in (("items", items_arrow), ("applications", apps_arrow)):
            connection.register("arrow_input", table)
            connection.sql(f"CREATE TABLE {name} AS SELECT * FROM arrow_input")
            connection.unregister("arrow_input")
        items_rel, apps_rel = connection.table("items"), connection.table("applications")
        cases["DuckDB"] = ({"per-month": lambda: duckdb_per_month(connection, ends),
                            "running": lambda: duckdb_running(connection, ends)},
                           lambda: aging_trend(items_rel, as_of, months=args.months, applications=apps_rel).df())
    del items_arrow, apps_arrow
    gc.collect()

    names = {"per-month": "per month end, open per document", "running": "running totals (arkit's idea)"}
    print(f"Aging at {args.months} month ends to {as_of} over {args.documents:,} documents (invoices and "
          f"payments), {n_apps:,} applications, {args.customers:,} customers; best of {args.runs} after a "
          f"warm-up run; {time.strftime('%Y-%m-%d')}")
    print(f"{'engine':8s} {'hand-written baseline':34s} {'baseline s':>10s} {'arkit s':>9s} {'ratio':>6s}  "
          f"meets {TARGET}x")
    first = None
    for engine, (hand_written, arkit) in cases.items():
        timing = best_of(args.runs, arkit=arkit, **{key: hand_written[key] for key in baselines})
        arkit_s, got = timing.pop("arkit")
        got = cents_table(got)
        if first is None:
            first = got
        assert first.equals(got), f"{engine}: arkit differs from arkit on the first engine"
        for key in baselines:
            base_s, expected = timing.pop(key)
            expected = cents_table(expected)
            assert expected.index.equals(got.index), f"{engine} {key}: different rows"
            assert (expected.to_numpy() == got.to_numpy()).all(), f"{engine} {key}: arkit differs from the baseline"
            ratio = arkit_s / base_s
            print(f"{engine:8s} {names[key]:34s} {base_s:10.3f} {arkit_s:9.3f} {ratio:6.2f}  "
                  f"{'yes' if ratio <= TARGET else 'no'}", flush=True)
            del expected
        del timing
        gc.collect()
    print("arkit equals every baseline to the cent, and arkit agrees across engines.")


if __name__ == "__main__":
    main()
