"""Aging: the open items on any date, their days past due and bucket, and summaries by any column.

Written once with Narwhals: a :class:`~arkit.Ledger` or a pandas, Polars or DuckDB frame of
canonical items goes in, and the same kind of frame comes out. Money is summed in integer
cents, so the buckets of every row add up to its total exactly.

Open amount on ``as_of`` (point in time), from the best evidence the ledger carries:

1. ``applications``: amount - applied to the document + applied from it, counting only
   applications dated on or before ``as_of``;
2. else ``closed_date``: the whole amount until the document was settled, then nothing;
3. else ``open_amount`` (a snapshot): valid only on or after the latest document date;
4. else the whole amount.

Documents dated after ``as_of`` are not yet on the books and are left out.
"""

from __future__ import annotations

from collections.abc import Sequence

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd

from arkit._common import (civil_day_numbers, day_numbers, day_of, finish, fx_rates_on, latest, ledger_inputs,
                           money_keys, to_cents, to_date, with_day_numbers)
from arkit.errors import ArkitError
from arkit.ledger import Ledger

__all__ = ["DEFAULT_BUCKETS", "bucket_labels", "age", "summarize_aging", "aging_summary", "sum_money",
           "with_day_numbers", "day_numbers", "civil_day_numbers", "named_blanks",
           "check_target_currency"]

DEFAULT_BUCKETS = (30, 60, 90, 120)
BLANK_KEY = "(blank)"


def bucket_labels(buckets: Sequence[int] = DEFAULT_BUCKETS) -> list[str]:
    """Names of the aging buckets for the given edges, ``current`` first.

    Examples
    --------
    >>> bucket_labels((30, 60, 90, 120))
    ['current', '1-30', '31-60', '61-90', '91-120', '120+']
    >>> bucket_labels((15, 45))
    ['current', '1-15', '16-45', '45+']
    """
    edges = list(buckets)
    if not edges or any(not isinstance(e, int) or e < 1 for e in edges) or edges != sorted(set(edges)):
        raise ArkitError(f"bucket edges must be increasing whole days above 0, e.g. 30,60,90; got {edges}")
    lows = [1] + [edge + 1 for edge in edges[:-1]]
    return ["current"] + [f"{low}-{edge}" for low, edge in zip(lows, edges)] + [f"{edges[-1]}+"]


def _open_cents(applications, as_of_day: int, snapshot: bool, closed_day: nw.Expr | None) -> nw.Expr:
    amount = to_cents(nw.col("amount"))
    if applications is not None:
        return amount - nw.col("_applied_in").fill_null(0) + nw.col("_applied_out").fill_null(0)
    if snapshot:  # on its export date, an open-items snapshot knows partial payments; blank means unknown
        amount = nw.when(nw.col("open_amount").is_null()).then(amount).otherwise(to_cents(nw.col("open_amount")))
    if closed_day is not None:
        return nw.when(closed_day.is_null() | (closed_day > as_of_day)).then(amount).otherwise(nw.lit(0))
    return amount


def _applied(applications, as_of_day: int, by: str, name: str) -> nw.LazyFrame:
    apps = with_day_numbers(nw.from_native(applications).lazy(), _day="applied_date")
    return (
        apps.filter(nw.col("_day") <= as_of_day)
        .with_columns(to_cents(nw.col("amount")).alias("_cents"))
        .group_by(by)
        .agg(nw.col("_cents").sum())
        .select(nw.col(by).cast(nw.String).alias("document_id"), nw.col("_cents").cast(nw.Int64).alias(name))
    )


def check_target_currency(ledger, currency: str, fx_rates) -> None:
    """A ledger's fx_rates convert to its reporting currency only: refuse any other target."""
    if isinstance(ledger, Ledger) and fx_rates is ledger.fx_rates and fx_rates is not None \
            and currency != ledger.currency:
        raise ArkitError(f"the ledger's fx_rates convert to {ledger.currency}, not {currency}; "
                         f"report in {ledger.currency} or load rates to {currency}")


def age(ledger, as_of=None, basis: str = "due", buckets: Sequence[int] = DEFAULT_BUCKETS, *,
        currency: str | None = None, applications=None, fx_rates=None):
    """One row per item open on ``as_of``, with ``open_amount``, ``days_past_due`` and ``bucket``.

    Parameters
    ----------
    ledger : Ledger or frame
        A :class:`~arkit.Ledger` (customer attributes are joined to its items), or a pandas,
        Polars or DuckDB frame of canonical items.
    as_of : date or "YYYY-MM-DD", optional
        Aging date; default the latest date in the data.
    basis : {"due", "document"}
        Days counted from the due date or from the document date.
    buckets : sequence of int
        Upper edges of the past-due buckets; see :func:`bucket_labels`.
    currency : str, optional
        Also express each open amount in this currency (``reporting_amount``), at each
        document currency's latest ``fx_rates`` rate on or before ``as_of``.
    applications, fx_rates : frame, optional
        For a frame ``ledger``: its applications and fx rates, of the same kind.

    Examples
    --------
    >>> items = pd.DataFrame({
    ...     "document_id": ["INV1", "INV2", "PMT1"], "customer_id": ["C1", "C1", "C1"],
    ...     "doc_date": pd.to_datetime(["2026-01-01", "2026-03-01", "2026-02-10"]),
    ...     "due_date": pd.to_datetime(["2026-01-31", "2026-03-31", "2026-02-10"]),
    ...     "amount": [100.0, 250.0, -60.0]})
    >>> apps = pd.DataFrame({"source_id": ["PMT1"], "target_id": ["INV1"], "amount": [60.0],
    ...                      "applied_date": pd.to_datetime(["2026-02-10"])})
    >>> age(items, as_of="2026-03-15", applications=apps)[["document_id", "open_amount", "days_past_due", "bucket"]]
      document_id  open_amount  days_past_due   bucket
    0        INV1         40.0             43    31-60
    1        INV2        250.0            -16  current
    """
    lf, items = _age(ledger, as_of, basis, buckets, currency, applications, fx_rates)
    return finish(_drop_internal(lf.sort("customer_id", "_base_day", "document_id")), items)


def _drop_internal(lf: nw.LazyFrame) -> nw.LazyFrame:
    return lf.drop([c for c in lf.collect_schema().names() if c.startswith("_")])


def _age(ledger, as_of, basis, buckets, currency, applications, fx_rates,
         summary: bool = False, by=None) -> tuple[nw.LazyFrame, object]:
    """The lazy pipeline of :func:`age`, unsorted, with its internal columns; and the native items.

    For a ``summary`` by ``by``, only the columns a summary reads are kept and
    ``open_amount`` and ``bucket`` are left out: :func:`bucket_cents` works on ``_open``
    cents and ``days_past_due`` directly. Day numbers, days past due and open cents are computed
    in one projection and kept by one filter (with applications: the documents on the books
    first, then their open cents): each step is a relation DuckDB binds on every call, and on
    pandas each filter copies every column.
    """
    if basis not in ("due", "document"):
        raise ArkitError(f"basis must be 'due' or 'document', got {basis!r}")
    labels = bucket_labels(buckets)
    items, applications, fx_rates = ledger_inputs(ledger, applications, fx_rates)
    lf = nw.from_native(items).lazy()
    names = lf.collect_schema().names()
    missing = [c for c in ("document_id", "customer_id", "doc_date", "amount") if c not in names]
    if missing:
        raise ArkitError(f"items lack column(s) {', '.join(missing)}; columns found: {', '.join(names)}")
    # The latest document date is a pass over the data: read it only when it is needed.
    latest_doc = latest(items, ["doc_date"]) if as_of is None or "open_amount" in names else None
    if as_of is None:
        candidates = [latest_doc, latest(items, ["closed_date"])]
        if applications is not None:
            candidates.append(latest(applications, ["applied_date"]))
        dates = [d for d in candidates if d is not None]
        if not dates:
            raise ArkitError("items have no dates: give as_of")
        as_of = max(dates)
    as_of = to_date(as_of)
    as_of_day = day_of(as_of)
    snapshot_only = applications is None and "closed_date" not in names and "open_amount" in names
    if snapshot_only and latest_doc is not None and as_of < latest_doc:
        raise ArkitError(
            f"as_of {as_of} is before the latest document ({latest_doc}): open amounts of a snapshot "
            "are known only on its export date; load applications or closed dates to age the past"
        )

    base = "due_date" if basis == "due" and "due_date" in names else "doc_date"
    days_of = {"_doc_day": "doc_date", "_base_day": base}
    if applications is None and "closed_date" in names:
        days_of["_closed_day"] = "closed_date"
    lf, day = day_numbers(lf, **days_of)
    snapshot = "open_amount" in names and (latest_doc is None or as_of >= latest_doc)
    computed = [day["_doc_day"].alias("_doc_day"), (as_of_day - day["_base_day"]).cast(nw.Int64).alias("days_past_due")]
    if not summary:
        computed.append(day["_base_day"].alias("_base_day"))  # age() sorts by it
    if applications is None:
        computed.append(_open_cents(None, as_of_day, snapshot, day.get("_closed_day")).alias("_open"))
    if summary:
        kept = ["document_id", "amount"] * (applications is not None) + ["currency", *_group_keys(names, by)]
        lf = lf.select(*dict.fromkeys(c for c in kept if c in names), *computed)
    else:
        lf = lf.with_columns(computed)
    keep = nw.col("_open") != 0
    if applications is None:
        keep = keep & (nw.col("_doc_day") <= as_of_day)
    else:
        lf = lf.filter(nw.col("_doc_day") <= as_of_day).join(_applied(applications, as_of_day, "target_id", "_applied_in"), on="document_id", how="left")
        lf = lf.join(_applied(applications, as_of_day, "source_id", "_applied_out"), on="document_id", how="left")
        lf = lf.with_columns(_open_cents(applications, as_of_day, snapshot, None).alias("_open"))
    lf = lf.filter(keep)
    if not summary:
        days = nw.col("days_past_due")
        bucket = nw.when(days <= 0).then(nw.lit(labels[0]))
        for edge, label in zip(buckets, labels[1:-1]):
            bucket = bucket.when(days <= edge).then(nw.lit(label))
        lf = lf.with_columns((nw.col("_open").cast(nw.Float64) / 100).round(2).alias("open_amount"),
                             bucket.otherwise(nw.lit(labels[-1])).alias("bucket"))

    if currency is not None:
        check_target_currency(ledger, currency, fx_rates)
        if fx_rates is None and not (isinstance(ledger, Ledger) and ledger.currency == currency):
            raise ArkitError(f"converting to {currency} needs fx_rates (currency, date, rate to {currency})")
        if "currency" not in names:
            lf = lf.with_columns(nw.lit(currency).alias("currency"))
        if fx_rates is not None:
            lf = lf.join(fx_rates_on(fx_rates, as_of_day), on="currency", how="left").with_columns(
                nw.when(nw.col("currency") == currency).then(nw.lit(1.0)).otherwise(nw.col("fx_rate")).alias("fx_rate"))
        else:
            lf = lf.with_columns(nw.when(nw.col("currency") == currency).then(nw.lit(1.0)).alias("fx_rate"))
        unrated = lf.filter(nw.col("fx_rate").is_null()).select("currency").unique().collect()
        if len(unrated):
            codes = ", ".join(sorted(str(c) for c in unrated["currency"].to_list()))
            raise ArkitError(f"fx_rates have no rate to {currency} on or before {as_of} for: {codes}")
        if not summary:
            lf = lf.with_columns(
                (nw.col("_open").cast(nw.Float64) / 100 * nw.col("fx_rate")).alias("reporting_amount"),
                nw.lit(currency).alias("reporting_currency"),
            )
    return lf, items


def summarize_aging(aged, by: str | Sequence[str] | None = "customer_id",
                    buckets: Sequence[int] = DEFAULT_BUCKETS):
    """Sum the output of :func:`age` into one row per group: a column per bucket and ``total``.

    Amounts are in the reporting currency when ``age`` converted them (each currency's subtotal
    converted once, see :func:`sum_money`), else in document currency, and then ``currency``
    joins the group keys: currencies are never added together. ``by=None`` gives the portfolio
    total. ``total`` is the sum of the buckets. Rows are sorted by ``total``, largest first.

    Examples
    --------
    >>> aged = pd.DataFrame({"customer_id": ["C1", "C1", "C2"], "open_amount": [40.0, 250.0, -15.5],
    ...                      "bucket": ["31-60", "current", "1-30"]})
    >>> summarize_aging(aged)
      customer_id  current  1-30  31-60  61-90  91-120  120+  total
    0          C1    250.0   0.0   40.0    0.0     0.0   0.0  290.0
    1          C2      0.0 -15.5    0.0    0.0     0.0   0.0  -15.5
    """
    return finish(_summarize(nw.from_native(aged).lazy(), by, buckets, check_buckets=True), aged)


def sum_money(lf: nw.LazyFrame, keys: list[str], cents: list[str]) -> nw.LazyFrame:
    """Sum integer-cent columns by ``keys``, converting currencies the one way that ties out.

    Rows converted by :func:`age` (they carry ``fx_rate``) are summed per document currency
    first; each currency's subtotal is then converted once and rounded to the cent. So
    converting then summing equals summing then converting, and totals never mix currencies.
    Returns ``keys`` and the ``cents`` columns as Int64 cents.
    """
    if "fx_rate" in lf.collect_schema():
        inner = keys + [c for c in ("currency", "fx_rate") if c not in keys]
        lf = _sum_cents(lf, inner, cents).with_columns(
            (nw.col(c).cast(nw.Float64) * nw.col("fx_rate")).round(0).cast(nw.Int64) for c in cents)
    return _sum_cents(lf, keys, cents)


def _sum_cents(lf: nw.LazyFrame, keys: list[str], cents: list[str]) -> nw.LazyFrame:
    """The ``cents`` columns summed by ``keys`` (all rows without keys), as Int64 (0 where none).

    The cast to Int64 (DuckDB sums BIGINT to HUGEINT) is part of the aggregation where the
    engine takes expressions there; a pandas group-by takes plain sums only, whose integer cents
    stay Int64. Narwhals sums nothing, or only nulls, to 0 on every engine.
    """
    sums = nw.col(*cents).sum()
    if not lf.implementation.is_pandas_like():
        sums = sums.cast(nw.Int64)
    out = lf.group_by(keys).agg(sums) if keys else lf.select(sums)
    schema = out.collect_schema()
    if any(schema[c] != nw.Int64 for c in cents):
        out = out.with_columns(nw.col(c).cast(nw.Int64) for c in cents)
    return out


def _group_keys(names, by) -> list[str]:
    keys = [] if by is None else [by] if isinstance(by, str) else list(by)
    unknown = [k for k in keys if k not in names]
    if unknown:
        raise ArkitError(f"cannot group by {', '.join(unknown)}: not a column; columns are {', '.join(names)}")
    return keys


def _summarize(lf: nw.LazyFrame, by, buckets, check_buckets: bool = False) -> nw.LazyFrame:
    """Sum aged items (``open_amount`` and ``bucket``, as :func:`age` writes them) by ``by``."""
    labels = bucket_labels(buckets)
    schema = lf.collect_schema()
    keys = money_keys(schema, _group_keys(schema.names(), by))
    # Aged items from elsewhere may carry other bucket names; aging_summary's never do.
    stray = lf.filter(~nw.col("bucket").is_in(labels)).select("bucket").unique().collect()["bucket"].to_list() \
        if check_buckets else []
    if stray:
        raise ArkitError(f"aged items have bucket(s) {', '.join(map(str, stray))} that buckets {list(buckets)} do not "
                         "name: pass summarize_aging the same buckets as age")
    cents = to_cents(nw.col("open_amount"))
    columns = [nw.when(nw.col("bucket") == label).then(cents).otherwise(nw.lit(0)).alias(label) for label in labels]
    return _money_table(sum_money(lf.with_columns(columns), keys, labels), keys, labels)


def bucket_cents(lf: nw.LazyFrame, keys: list[str], buckets: Sequence[int] = DEFAULT_BUCKETS, *,
                 native: bool = True) -> nw.LazyFrame:
    """Sum ``_open`` cents by ``keys`` into one Int64 column per bucket of ``days_past_due``.

    Written once with ``when`` columns and one :func:`sum_money` group-by: Polars and DuckDB
    fuse them into the aggregation. pandas (unless ``native=False``; tests check both ways give
    the same sums) has a faster way: the bucket as an integer index (``np.searchsorted``), one
    group-by of one cents column by keys and bucket, and the bucket index of its result spread
    into columns with ``unstack`` (one hash of the string keys, not a second one on the result).
    Items without days (no due date) count in no bucket, as ``when`` does with a null.

    Examples
    --------
    >>> items = pd.DataFrame({"customer_id": ["C1", "C1", "C2"], "_open": [100, 250, -60],
    ...                       "days_past_due": [0, 31, 121]})
    >>> bucket_cents(nw.from_native(items).lazy(), ["customer_id"]).collect().to_native()
      customer_id  current  1-30  31-60  61-90  91-120  120+
    0          C1      100     0    250      0       0     0
    1          C2        0     0      0      0       0   -60
    """
    labels = bucket_labels(buckets)
    if native and lf.implementation is nw.Implementation.PANDAS:
        items = lf.to_native()
        days = items["days_past_due"]
        missing = days.isna().to_numpy()
        values = days.to_numpy("int64", na_value=0) if missing.any() else days.to_numpy()  # a view: no copy
        index = np.searchsorted(np.array((0, *buckets)), values, side="left")
        index[missing] = len(labels)
        if "fx_rate" in items:  # converted: sum_money converts each currency's subtotal once
            sums = sum_money(nw.from_native(items.assign(_bucket=index)).lazy(), [*keys, "_bucket"], ["_open"])
            sums = sums.to_native().set_index([*keys, "_bucket"])["_open"]
            table = sums.unstack("_bucket", fill_value=0) if keys else sums.to_frame().T
            table = table.reindex(columns=range(len(labels)), fill_value=0).set_axis(labels, axis=1)
            return nw.from_native(table.reset_index() if keys else table.reset_index(drop=True)).lazy()
        return nw.from_native(_bucket_table(items, keys, index, labels)).lazy()
    days, cents = nw.col("days_past_due"), nw.col("_open")
    within = [days <= 0] + [(days > low) & (days <= high) for low, high in zip([0, *buckets[:-1]], buckets)] \
        + [days > buckets[-1]]
    columns = [nw.when(cond).then(cents).otherwise(nw.lit(0)).alias(label) for cond, label in zip(within, labels)]
    converted = [c for c in ("currency", "fx_rate") if "fx_rate" in lf.collect_schema() and c not in keys]
    return sum_money(lf.select(*keys, *converted, *columns), keys, labels)


def _bucket_table(items: pd.DataFrame, keys: list[str], index: np.ndarray, labels: list[str]) -> pd.DataFrame:
    """``_open`` cents of pandas ``items`` summed by ``keys`` into bucket ``index`` (``len(labels)``: none).

    Each key is factorized once (the one hash of its values), the codes and the bucket combined
    arithmetically into one cell number per row and the cents summed with ``np.bincount``: no
    hash of the combined keys, no reshaping of a long result. Blank keys are groups of their own
    and the keys of each group are its factorized values, as in ``groupby(dropna=False)``.
    """
    rows = len(items)
    factorized = [pd.factorize(items[k], use_na_sentinel=False) for k in keys]
    groups, count = np.zeros(rows, dtype=np.intp), 1
    for codes, uniques in factorized:
        groups, count = groups * len(uniques) + codes, count * len(uniques)
        if count > rows:  # renumber the groups that occur: at most one a row, and no overflow
            groups, occurring = pd.factorize(groups)
            count = len(occurring)
    width = len(labels) + 1
    cells, cents = groups * width + index, items["_open"].to_numpy(np.int64)
    if np.abs(cents).sum(dtype=np.float64) < 2.0**52:  # then every partial sum is exact in float64
        sums = np.bincount(cells, weights=cents, minlength=count * width).astype(np.int64)
    else:
        sums = np.zeros(count * width, dtype=np.int64)
        np.add.at(sums, cells, cents)
    first = np.full(count, rows, dtype=np.intp)  # each group's first row, to name its keys
    np.minimum.at(first, groups, np.arange(rows, dtype=np.intp))
    present = np.flatnonzero(first < rows) if keys else np.zeros(1, dtype=np.intp)  # no keys: one row
    sums = sums.reshape(count, width)[present]
    dtype = items["_open"].dtype
    # Object keys are typed by their values (object ids that are all text come out as str), as in groupby.
    table = {k: pd.Series(uniques.take(codes[first[present]]).infer_objects())
             for k, (codes, uniques) in zip(keys, factorized)}
    table.update((label, pd.Series(sums[:, i]).astype(dtype)) for i, label in enumerate(labels))
    return pd.DataFrame(table)


def _summarize_days(lf: nw.LazyFrame, by, buckets) -> nw.LazyFrame:
    """Sum ``_open`` cents by ``by`` into buckets of ``days_past_due`` (:func:`bucket_cents`)."""
    schema = lf.collect_schema()
    keys = money_keys(schema, _group_keys(schema.names(), by))
    return _money_table(bucket_cents(lf, keys, buckets), keys, bucket_labels(buckets))


def _money_table(sums: nw.LazyFrame, keys: list[str], labels: list[str]) -> nw.LazyFrame:
    """Bucket cents by ``keys`` as money with ``total``, largest total first: one step and a sort.

    Blank keys are named here, on the few result rows (group-by keeps null keys).
    """
    money = (nw.col(*labels).cast(nw.Float64) / 100).round(2)
    total = (nw.sum_horizontal(labels).cast(nw.Float64) / 100).round(2).alias("total")
    out = sums.select(*named_blanks(sums.collect_schema(), keys), money, total)
    return out.sort(["total", *keys], descending=[True] + [False] * len(keys))


def named_blanks(schema, keys: Sequence[str]) -> list[nw.Expr]:
    """Each group key with its blanks named ``(blank)``: text keys, and categorical ones as text
    (their categories do not hold the name); other keys as they are."""
    def named(key: str) -> nw.Expr:
        dtype = schema[key]
        if isinstance(dtype, (nw.Categorical, nw.Enum)):
            return nw.col(key).cast(nw.String).fill_null(BLANK_KEY)
        return nw.col(key).fill_null(BLANK_KEY) if dtype == nw.String else nw.col(key)
    return [named(key) for key in keys]


def aging_summary(ledger, as_of=None, by: str | Sequence[str] | None = "customer_id", *, basis: str = "due",
                  buckets: Sequence[int] = DEFAULT_BUCKETS, currency: str | None = None,
                  applications=None, fx_rates=None):
    """One row per group of open items with the bucket columns and ``total``.

    Shorthand for ``age(...)`` then :func:`summarize_aging`; see :func:`age` for the
    parameters. The buckets of each row sum to its total, to the cent.

    Examples
    --------
    >>> from arkit import load_ledger
    >>> from arkit.config import SAMPLES_DIR
    >>> summary = aging_summary(load_ledger(SAMPLES_DIR), as_of="2026-10-31", by="region", currency="USD")
    >>> list(summary.columns)
    ['region', 'current', '1-30', '31-60', '61-90', '91-120', '120+', 'total']
    """
    lf, items = _age(ledger, as_of, basis, buckets, currency, applications, fx_rates, summary=True, by=by)
    return finish(_summarize_days(lf, by, buckets), items)
