"""The daily report pack: the lists AR analysts send every morning, and its Excel workbook.

Every report is a pure function on the output of :func:`arkit.age` (aged open items), written
once with Narwhals: a pandas, Polars or DuckDB aged frame gives the same numbers, returned as
the caller's kind. Money is summed in integer cents with :func:`arkit.aging.sum_money`, so
amounts converted to the reporting currency tie out to the aging. Aged items that were not
converted (no ``fx_rate``) are never added across currencies: ``currency`` joins the keys.

"Past due by more than ``days``" means ``days_past_due > days`` (days after the due date on the
default basis of :func:`arkit.age`). An account's past-due amount is net: credits that are
themselves past due reduce it, as they do in the aging and in :func:`arkit.aging_kpis`.

:func:`report_pack` runs every report on one ledger and date, and :func:`write_report_workbook`
writes them as one workbook: a Summary sheet, then a sheet per report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType

import narwhals.stable.v2 as nw
import pandas as pd

from arkit._common import compute_small, day_of, finish, finish_small, ledger_as_of, money_keys, to_cents, to_date
from arkit.aging import DEFAULT_BUCKETS, age, bucket_labels, named_blanks, sum_money, summarize_aging, with_day_numbers
from arkit.errors import ArkitError
from arkit.rendering.xlsx import Sheet, area, new_workbook
from arkit._kpis import aging_kpis
from arkit.ledger import Ledger
from arkit.monthly import FLOWS, monthly_activity

__all__ = [
    "DEFAULT_THRESHOLDS",
    "past_due_by_days",
    "past_due_accounts",
    "large_debit_balances",
    "aged_credit_balances",
    "top_accounts",
    "over_credit_limit",
    "rollforward",
    "report_pack",
    "write_report_workbook",
]

#: Thresholds of :func:`report_pack`; pass a mapping with any of these keys to change them.
DEFAULT_THRESHOLDS = MappingProxyType({
    "past_due_days": (5, 10, 15, 30, 60, 90),  # past_due_by_days
    "past_due_accounts_days": 10,              # past_due_accounts
    "large_debit_days": 10,                    # large_debit_balances
    "large_debit_minimum": 50_000,
    "credit_days": 30,                         # aged_credit_balances
    "top_n": 20,                               # top_accounts
})
ACCOUNT_ATTRIBUTES = ("customer_name", "collector")

TITLE = "AR report pack"


# ---------------------------------------------------------------------------------------------
# Checks and shared steps


def _whole(value, name: str, low: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ArkitError(f"{name} must be a whole number of at least {low}, got {value!r}")
    return value


def _require(schema, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in schema]
    if missing:
        raise ArkitError(f"{what} needs aged items (the output of arkit.age) with column(s) {', '.join(missing)}; "
                         f"columns found: {', '.join(schema)}")


def _account_keys(lf: nw.LazyFrame) -> tuple[nw.LazyFrame, list[str]]:
    """Keys of an account: ``customer_id``, plus ``currency`` when amounts were not converted."""
    schema = lf.collect_schema()
    _require(schema, ("customer_id", "open_amount", "days_past_due"), "this report")
    keys = money_keys(schema, ["customer_id"])
    return lf.with_columns(named_blanks(schema, keys)), keys


def _to_money(columns: Sequence[str]) -> list[nw.Expr]:
    # round(2): Polars divides by a literal as a multiplication by its inverse in its vector
    # kernels, which leaves 938.9200000000001 for 93892 cents; rounding gives the exact double
    return [(nw.col(c).cast(nw.Int64).cast(nw.Float64) / 100).round(2).alias(c) for c in columns]


def _accounts(lf: nw.LazyFrame, keys: list[str], days: int) -> nw.LazyFrame:
    """One row per account: attributes, ``total_open``, ``past_due`` (net, more than ``days``)
    and ``max_days_past_due`` (its oldest open debit item), money still in cents."""
    schema = lf.collect_schema()
    attributes = [c for c in ACCOUNT_ATTRIBUTES if c in schema and c not in keys]
    cents = to_cents(nw.col("open_amount"))
    dpd = nw.col("days_past_due")
    money = sum_money(
        lf.with_columns(cents.alias("total_open")).with_columns(
            nw.when(dpd > days).then(nw.col("total_open")).otherwise(nw.lit(0)).alias("past_due")),
        keys, ["total_open", "past_due"])
    # attributes of an account are one value per customer: max() keeps it (and skips blanks)
    described = lf.with_columns(nw.when(cents > 0).then(dpd).alias("max_days_past_due")).group_by(keys).agg(
        nw.col("max_days_past_due").max(), *(nw.col(c).max() for c in attributes))
    return money.join(described, on=keys, how="left").select(
        *keys, *attributes, "past_due", "total_open", "max_days_past_due")


# ---------------------------------------------------------------------------------------------
# The reports


def past_due_by_days(aged, days: Sequence[int] = (5, 10, 15, 30, 60, 90)):
    """Open items more than each number of ``days`` past due: one row per threshold.

    Columns: ``days``; ``accounts`` (customers whose net amount more than ``days`` past due is
    above zero, as ``accounts_past_due`` of :func:`arkit.aging_kpis`); ``items`` (open lines
    more than ``days`` past due, credits included); ``amount`` (their net open amount).
    Rows are sorted by ``days`` (and ``currency`` for unconverted items).

    Examples
    --------
    >>> aged = pd.DataFrame({"customer_id": ["C1", "C1", "C2", "C3"],
    ...                      "open_amount": [100.0, 300.0, 50.0, -25.0],
    ...                      "days_past_due": [120, -5, 12, 40]})
    >>> past_due_by_days(aged, days=(10, 30))
       days  accounts  items  amount
    0    10         2      3   125.0
    1    30         1      2    75.0
    """
    thresholds = list(dict.fromkeys(_whole(d, "days") for d in ([days] if isinstance(days, int) else days)))
    if not thresholds:
        raise ArkitError("past_due_by_days needs at least one threshold in days, e.g. days=(30, 60, 90)")
    lf, keys = _account_keys(nw.from_native(aged).lazy())
    groups = keys[1:]  # currency, when the amounts were not converted
    dpd = nw.col("days_past_due")
    amounts, counts = [f"_amount{i}" for i in range(len(thresholds))], [f"_items{i}" for i in range(len(thresholds))]
    marked = lf.with_columns(to_cents(nw.col("open_amount")).alias("_cents")).with_columns(
        *(nw.when(dpd > d).then(nw.col("_cents")).otherwise(nw.lit(0)).alias(a) for d, a in zip(thresholds, amounts)),
        *((dpd > d).cast(nw.Int64).alias(n) for d, n in zip(thresholds, counts)))
    flags = [f"_accounts{i}" for i in range(len(thresholds))]
    per_account = sum_money(marked, keys, amounts).with_columns(
        (nw.col(a) > 0).cast(nw.Int64).alias(f) for a, f in zip(amounts, flags))
    aggregate = [*(nw.col(a).sum() for a in amounts), *(nw.col(f).sum() for f in flags)]
    totals = per_account.group_by(groups).agg(*aggregate) if groups else per_account.select(*aggregate)
    items = (marked.group_by(groups).agg(nw.col(n).sum() for n in counts) if groups
             else marked.select(nw.col(n).sum() for n in counts))
    wide = totals.join(items, on=groups, how="inner") if groups else totals.join(items, how="cross")
    rows = nw.concat([wide.select(*groups, nw.lit(d).cast(nw.Int64).alias("days"),
                                  nw.col(f).fill_null(0).cast(nw.Int64).alias("accounts"),
                                  nw.col(n).fill_null(0).cast(nw.Int64).alias("items"),
                                  nw.col(a).fill_null(0).cast(nw.Int64).alias("amount"))
                      for d, a, n, f in zip(thresholds, amounts, counts, flags)], how="vertical")
    rows = rows.with_columns(_to_money(["amount"])).sort("days", *groups)
    return finish(rows.select("days", *groups, "accounts", "items", "amount"), aged)


def past_due_accounts(aged, days: int = 10):
    """Accounts whose net open amount more than ``days`` past due is above zero, largest first.

    Columns: ``customer_id`` (and ``currency`` for unconverted items), ``customer_name`` and
    ``collector`` when the aged items carry them, ``past_due`` (net, more than ``days``),
    ``total_open`` (all open items of the account) and ``max_days_past_due`` (its oldest open
    debit item).

    Examples
    --------
    >>> aged = pd.DataFrame({"customer_id": ["C1", "C1", "C2", "C3"], "collector": ["Ann", "Ann", "Bo", "Bo"],
    ...                      "open_amount": [100.0, 300.0, 50.0, -25.0],
    ...                      "days_past_due": [120, -5, 12, 40]})
    >>> past_due_accounts(aged)
      customer_id collector  past_due  total_open  max_days_past_due
    0          C1       Ann     100.0       400.0                120
    1          C2        Bo      50.0        50.0                 12
    """
    return _past_due_accounts(aged, _whole(days, "days"), 0)


def _past_due_accounts(aged, days: int, minimum_cents: int):
    lf, keys = _account_keys(nw.from_native(aged).lazy())
    # a net past-due debit has at least one open debit item: max_days_past_due is never null
    out = _accounts(lf, keys, days).filter(nw.col("past_due") > minimum_cents).with_columns(
        nw.col("max_days_past_due").cast(nw.Int64))
    out = out.sort(["past_due", *keys], descending=[True] + [False] * len(keys))
    return finish(out.with_columns(_to_money(["past_due", "total_open"])), aged)


def large_debit_balances(aged, days: int = 10, minimum: float = 50_000):
    """Accounts whose net amount more than ``days`` past due is a debit above ``minimum``.

    The columns of :func:`past_due_accounts`; ``minimum`` is in the amounts' currency (the
    reporting currency of converted items, else each row's ``currency``).

    Examples
    --------
    >>> aged = pd.DataFrame({"customer_id": ["C1", "C1", "C2"], "open_amount": [80_000.0, -5_000.0, 60_000.0],
    ...                      "days_past_due": [45, 30, 5]})
    >>> large_debit_balances(aged)
      customer_id  past_due  total_open  max_days_past_due
    0          C1   75000.0     75000.0                 45
    """
    if isinstance(minimum, bool) or not isinstance(minimum, (int, float)) or not minimum >= 0:
        raise ArkitError(f"minimum must be an amount of 0 or more, got {minimum!r}")
    return _past_due_accounts(aged, _whole(days, "days"), round(minimum * 100))


def aged_credit_balances(aged, days: int = 30, *, as_of=None):
    """Open credit lines (credit memos, unapplied payments: ``open_amount < 0``) older than ``days``.

    Age is counted from the document date: ``days_old = as_of - doc_date``. With ``as_of``
    given it is computed so; else from the aged items themselves, as ``days_past_due +
    (due_date - doc_date)``, which is ``as_of - doc_date`` for items aged on the due-date basis
    (the default of :func:`arkit.age`); a ``days_old`` column, if present, is used as is.

    Columns: the customer (``customer_id``, ``customer_name``, ``collector`` when present), the
    document (``document_id``, ``doc_type``, ``doc_date``, ``currency`` when present),
    ``open_amount`` (document currency), ``reporting_amount`` (converted, to the cent) when the
    items were converted, and ``days_old``; oldest first.

    Examples
    --------
    >>> aged = pd.DataFrame({"customer_id": ["C1", "C1", "C2"], "document_id": ["CM1", "INV1", "PMT1"],
    ...                      "doc_date": pd.to_datetime(["2026-01-10", "2026-01-01", "2026-03-01"]),
    ...                      "due_date": pd.to_datetime(["2026-01-10", "2026-01-31", "2026-03-01"]),
    ...                      "open_amount": [-40.0, 100.0, -75.0], "days_past_due": [80, 59, 30]})
    >>> aged_credit_balances(aged)[["customer_id", "document_id", "open_amount", "days_old"]]
      customer_id document_id  open_amount  days_old
    0          C1         CM1        -40.0        80
    """
    days = _whole(days, "days")
    lf = nw.from_native(aged).lazy()
    schema = lf.collect_schema()
    _require(schema, ("customer_id", "document_id", "open_amount"), "aged_credit_balances")
    if "days_old" not in schema:
        if as_of is not None:
            _require(schema, ("doc_date",), "aged_credit_balances")
            as_of_day = day_of(to_date(as_of))
            lf = with_day_numbers(lf, _doc_day="doc_date").with_columns(
                (nw.lit(as_of_day) - nw.col("_doc_day")).alias("days_old"))
        elif "due_date" in schema and "doc_date" in schema:
            _require(schema, ("days_past_due",), "aged_credit_balances")
            lf = with_day_numbers(lf, _doc_day="doc_date", _due_day="due_date").with_columns(
                (nw.col("days_past_due") + nw.col("_due_day").fill_null(nw.col("_doc_day"))
                 - nw.col("_doc_day")).alias("days_old"))
        else:  # no due date: age() counted from the document date
            _require(schema, ("days_past_due",), "aged_credit_balances")
            lf = lf.with_columns(nw.col("days_past_due").alias("days_old"))
    cents = to_cents(nw.col("open_amount"))
    lf = lf.filter((cents < 0) & (nw.col("days_old") > days))
    columns = [c for c in ("customer_id", *ACCOUNT_ATTRIBUTES, "document_id", "doc_type", "doc_date", "currency")
               if c in schema]
    money = [nw.col("open_amount")]
    if "fx_rate" in schema:
        money.append(((cents.cast(nw.Float64) * nw.col("fx_rate")).round(0).cast(nw.Float64) / 100).round(2)
                     .alias("reporting_amount"))
    out = lf.select(*columns, *money, nw.col("days_old").cast(nw.Int64))
    out = out.sort(["days_old", "customer_id", "document_id"], descending=[True, False, False])
    return finish(out, aged)


def top_accounts(aged, n: int = 20):
    """The ``n`` accounts with the largest debit balance (per currency when not converted).

    Columns: ``customer_id`` (and ``currency``), ``customer_name`` and ``collector`` when
    present, ``total_open``, ``past_due`` (net amount with ``days_past_due > 0``) and
    ``max_days_past_due``; largest first, ties by ``customer_id``.

    Examples
    --------
    >>> aged = pd.DataFrame({"customer_id": ["C1", "C1", "C2", "C3"],
    ...                      "open_amount": [100.0, 300.0, 50.0, -25.0],
    ...                      "days_past_due": [120, -5, 12, 40]})
    >>> top_accounts(aged, n=2)
      customer_id  total_open  past_due  max_days_past_due
    0          C1       400.0     100.0                120
    1          C2        50.0      50.0                 12
    """
    n = _whole(n, "n", 1)
    lf, keys = _account_keys(nw.from_native(aged).lazy())
    accounts = _accounts(lf, keys, 0).filter(nw.col("total_open") > 0).with_columns(
        nw.col("max_days_past_due").cast(nw.Int64))
    order = ["total_open", "customer_id", *keys[1:]]

    def largest(frame: nw.LazyFrame) -> nw.LazyFrame:
        return frame.sort(order, descending=[True] + [False] * (len(order) - 1)).head(n)

    if len(keys) == 1:
        out = largest(accounts)
    else:  # amounts in different currencies are not comparable: the top n of each
        currencies = lf.select(nw.col("currency")).unique().collect()["currency"].to_list()
        out = nw.concat([largest(accounts.filter(nw.col("currency") == c)) for c in currencies] or [accounts],
                        how="vertical")
        order = ["currency", "total_open", "customer_id"]
        out = out.sort(order, descending=[False, True, False])
    attributes = [c for c in accounts.collect_schema() if c in ACCOUNT_ATTRIBUTES]
    out = out.select(*keys, *attributes, "total_open", "past_due", "max_days_past_due")
    return finish(out.with_columns(_to_money(["total_open", "past_due"])), aged)


def over_credit_limit(aged, customers=None, *, limit_currency: str | None = None):
    """Accounts whose total open balance exceeds their ``credit_limit``, with the ``excess``.

    Credit limits come from ``customers`` (``customer_id``, ``credit_limit``) or, without it,
    from the aged items' ``credit_limit`` column (a :class:`~arkit.Ledger` joins its customers
    to the items). A limit is taken to be in the account's own billing currency: the balance
    compared with it is the sum of ``open_amount`` in document currency, per ``currency``.
    With ``limit_currency="USD"`` limits are in that currency and are compared with the
    balance converted to it (aged with ``currency="USD"``). Accounts without a limit are left
    out. Columns: ``customer_id`` (and ``currency``), ``customer_name`` and ``collector`` when
    present, ``credit_limit``, ``total_open``, ``excess``; largest excess first.

    Examples
    --------
    >>> aged = pd.DataFrame({"customer_id": ["C1", "C1", "C2"], "open_amount": [700.0, 400.0, 90.0],
    ...                      "days_past_due": [10, -5, 3], "credit_limit": [1000.0, 1000.0, 500.0]})
    >>> over_credit_limit(aged)
      customer_id  credit_limit  total_open  excess
    0          C1        1000.0      1100.0   100.0
    """
    lf = nw.from_native(aged).lazy()
    schema = lf.collect_schema()
    _require(schema, ("customer_id", "open_amount"), "over_credit_limit")
    cents = to_cents(nw.col("open_amount")).alias("_open")
    if limit_currency is None:
        keys = ["customer_id", *(["currency"] if "currency" in schema else [])]
        lf = lf.with_columns(named_blanks(schema, keys))
        totals = lf.with_columns(cents).group_by(keys).agg(nw.col("_open").sum())
    else:
        _check_converted(lf, schema, limit_currency)
        keys = ["customer_id"]
        totals = sum_money(lf.with_columns(cents), keys, ["_open"])
    attributes = [c for c in ACCOUNT_ATTRIBUTES if c in schema]
    if attributes:
        totals = totals.join(lf.group_by("customer_id").agg(nw.col(c).max() for c in attributes),
                             on="customer_id", how="left")
    if customers is None:
        _require(schema, ("credit_limit",), "over_credit_limit without a customers table")
        limits = lf.group_by("customer_id").agg(nw.col("credit_limit").max())
        small = False
    else:
        limits = nw.from_native(customers).lazy()
        _require(limits.collect_schema(), ("customer_id", "credit_limit"), "over_credit_limit: customers")
        limits = limits.select("customer_id", "credit_limit")
        # a customers table of another kind (or a DuckDB relation of another connection) cannot
        # be joined lazily: both sides are small here, so join them computed
        small = limits.implementation is not lf.implementation or lf.implementation.is_duckdb()
        if small:
            totals, limits = compute_small(totals), compute_small(limits)
            if not totals.implementation.is_pandas():
                totals = nw.from_native(totals.collect().to_pandas()).lazy()
            if not limits.implementation.is_pandas():
                limits = nw.from_native(limits.collect().to_pandas()).lazy()
    limits = limits.filter(~nw.col("credit_limit").is_null()).select(
        "customer_id", to_cents(nw.col("credit_limit")).alias("_limit"))
    out = totals.join(limits, on="customer_id", how="inner").filter(nw.col("_open") > nw.col("_limit")).with_columns(
        (nw.col("_open") - nw.col("_limit")).alias("_excess"))
    out = out.sort(["_excess", *keys], descending=[True] + [False] * len(keys)).select(
        *keys, *attributes, nw.col("_limit").alias("credit_limit"), nw.col("_open").alias("total_open"),
        nw.col("_excess").alias("excess")).with_columns(_to_money(["credit_limit", "total_open", "excess"]))
    return finish_small(out, aged) if small else finish(out, aged)


def _check_converted(lf: nw.LazyFrame, schema, code: str) -> None:
    if "fx_rate" in schema and "reporting_currency" in schema:
        found = lf.select(nw.col("reporting_currency")).unique().collect()["reporting_currency"].to_list()
    elif "fx_rate" not in schema and "currency" in schema:
        found = lf.select(nw.col("currency")).unique().collect()["currency"].to_list()
    else:
        found = [code]
    other = sorted(str(c) for c in found if c != code)
    if other:
        raise ArkitError(f"credit limits in {code} need aged items in {code}: age them with currency={code!r} "
                         f"(found {', '.join(other)})")


def _months_between(start: dt.date, end: dt.date) -> int:
    return (end.year * 12 + end.month) - (start.year * 12 + start.month) + 1


def rollforward(ledger, start, end, *, currency: str | None = None, applications=None, fx_rates=None):
    """The AR roll-forward from ``start`` to ``end``: opening + flows (+ FX) = closing.

    Built on :func:`arkit.monthly.monthly_activity` over the months from ``start`` to ``end``:
    the flows are summed, ``opening`` is the first month's (the book at the end of the day
    before ``start``) and ``closing`` the last month's (the book on ``end``), all in integer
    cents. ``start`` must be the first day of a month (the flows are counted by whole months);
    ``end`` may be any later date.

    Without ``currency``: one row per document currency, ``fx_revaluation`` is 0.00. With
    ``currency="USD"``: one row in that currency, each month converted at its month-end rate,
    and ``fx_revaluation`` is what the rate changes moved. Columns: ``currency``, ``start``,
    ``end``, ``opening``, ``invoiced``, ``credits``, ``collected``, ``write_offs``,
    ``adjustments``, ``fx_revaluation``, ``closing`` and ``difference`` (opening + flows +
    fx_revaluation - closing: 0.00 when the ledger ties; anything else points at applications
    whose documents are missing from the items).

    Examples
    --------
    >>> items = pd.DataFrame({"document_id": ["INV1", "INV2", "PMT1"], "customer_id": ["C1"] * 3,
    ...     "doc_date": ["2026-01-10", "2026-02-05", "2026-02-20"], "amount": [100.0, 250.0, -100.0],
    ...     "doc_type": ["invoice", "invoice", "payment"]})
    >>> apps = pd.DataFrame({"source_id": ["PMT1"], "target_id": ["INV1"], "amount": [100.0],
    ...                      "applied_date": ["2026-02-20"]})
    >>> row = rollforward(Ledger(items, applications=apps), "2026-02-01", "2026-02-28")
    >>> row[["currency", "opening", "invoiced", "collected", "closing", "difference"]]
      currency  opening  invoiced  collected  closing  difference
    0      USD    100.0     250.0     -100.0    250.0         0.0
    """
    start, end = to_date(start, "start"), to_date(end, "end")
    if start.day != 1:
        raise ArkitError(f"start: the roll-forward counts whole months; give the first day of a month, not {start}")
    if end < start:
        raise ArkitError(f"end ({end}) is before start ({start})")
    months = monthly_activity(ledger, as_of=end, months=_months_between(start, end), currency=currency,
                              applications=applications, fx_rates=fx_rates)
    lf = nw.from_native(months).lazy()
    if currency is not None:
        lf = lf.with_columns(nw.lit(currency).alias("currency"), nw.lit(0.0).alias("difference"))
    else:
        lf = lf.with_columns(nw.lit(0.0).alias("fx_revaluation"))
    lf = lf.with_columns(to_cents(nw.col(c)).alias(c) for c in ("opening", *FLOWS, "fx_revaluation", "closing"))
    first_end = min(end, (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1))
    period_end = nw.col("period_end").cast(nw.Date)
    flows = lf.group_by("currency").agg(nw.col(c).sum() for c in (*FLOWS, "fx_revaluation"))
    opening = lf.filter(period_end == nw.lit(first_end, nw.Date)).select("currency", "opening")
    closing = lf.filter(period_end == nw.lit(end, nw.Date)).select("currency", "closing")
    out = opening.join(flows, on="currency").join(closing, on="currency").with_columns(
        (nw.col("opening") + nw.sum_horizontal(*FLOWS, "fx_revaluation") - nw.col("closing")).alias("difference"))
    money = ["opening", *FLOWS, "fx_revaluation", "closing", "difference"]
    out = out.sort("currency").select("currency", nw.lit(start, nw.Date).alias("start"),
                                      nw.lit(end, nw.Date).alias("end"), *_to_money(money))
    return finish(out, months)


# ---------------------------------------------------------------------------------------------
# The pack


def _thresholds(thresholds: Mapping | None) -> dict:
    chosen = dict(DEFAULT_THRESHOLDS)
    if thresholds:
        unknown = [k for k in thresholds if k not in chosen]
        if unknown:
            raise ArkitError(f"unknown threshold(s) {', '.join(map(repr, unknown))}; "
                             f"the thresholds are {', '.join(DEFAULT_THRESHOLDS)}")
        chosen.update(thresholds)
    days = chosen["past_due_days"]
    for value in [days] if isinstance(days, int) else days:
        _whole(value, "threshold past_due_days")
    for name in ("past_due_accounts_days", "large_debit_days", "credit_days"):
        _whole(chosen[name], f"threshold {name}")
    _whole(chosen["top_n"], "threshold top_n", 1)
    minimum = chosen["large_debit_minimum"]
    if isinstance(minimum, bool) or not isinstance(minimum, (int, float)) or not minimum >= 0:
        raise ArkitError(f"threshold large_debit_minimum must be an amount of 0 or more, got {minimum!r}")
    return chosen


def _described(frame: pd.DataFrame, description: str) -> pd.DataFrame:
    frame.attrs["description"] = description
    return frame


def _fmt(amount: float) -> str:
    return f"{amount:,.0f}" if float(amount).is_integer() else f"{amount:,.2f}"


def report_pack(ledger: Ledger, as_of=None, *, currency: str | None = None, thresholds: Mapping | None = None,
                period_start=None) -> dict[str, pd.DataFrame]:
    """Every report of the daily pack on ``as_of``, by sheet name.

    Parameters
    ----------
    ledger : Ledger
        The ledger (its customers give names, collectors and credit limits).
    as_of : date or "YYYY-MM-DD", optional
        Report date; default the latest date in the ledger.
    currency : str, optional
        Reporting currency of the amounts; default the ledger's (``ledger.currency``).
    thresholds : mapping, optional
        Any of :data:`DEFAULT_THRESHOLDS` to change: ``past_due_days``,
        ``past_due_accounts_days``, ``large_debit_days``, ``large_debit_minimum``,
        ``credit_days``, ``top_n``.
    period_start : date, optional
        First day of the roll-forward; default the 1st of January of ``as_of``'s year.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``Summary`` (one row: ``as_of``, ``currency`` and the :func:`arkit.aging_kpis`
        tiles), ``Aging`` (amount and items per bucket), ``Past due by days``, ``Past due
        accounts``, ``Large debit balances``, ``Aged credit balances``, ``Top accounts``,
        ``Over credit limit`` (limits in each account's billing currency) and ``Roll-forward``
        (one row per document currency, ``documents`` naming it, plus a row of ``documents``
        "all" converted to ``currency`` with its FX revaluation when the ledger has other
        currencies). Each frame's
        ``attrs["description"]`` says what it lists.

    Examples
    --------
    >>> items = pd.DataFrame({"document_id": ["INV1", "INV2"], "customer_id": ["C1", "C2"],
    ...     "doc_date": ["2026-01-10", "2026-02-05"], "amount": [100.0, 250.0], "closed_date": [None, None]})
    >>> pack = report_pack(Ledger(items), "2026-03-31")
    >>> list(pack)  # doctest: +NORMALIZE_WHITESPACE
    ['Summary', 'Aging', 'Past due by days', 'Past due accounts', 'Large debit balances', 'Aged credit balances',
     'Top accounts', 'Over credit limit', 'Roll-forward']
    >>> pack["Summary"][["total_open", "past_due", "accounts_past_due"]]
       total_open  past_due  accounts_past_due
    0       350.0     350.0                  2
    """
    if not isinstance(ledger, Ledger):
        raise ArkitError(f"report_pack needs an arkit.Ledger, got {type(ledger).__name__}")
    chosen = _thresholds(thresholds)
    as_of = ledger_as_of(ledger, as_of)
    currency = ledger.currency if currency is None else currency
    aged = age(ledger, as_of, currency=currency)

    kpis = aging_kpis(aged)
    summary = pd.concat([pd.DataFrame({"as_of": [as_of], "currency": [currency]}), kpis], axis=1)
    pack = {"Summary": _described(summary, f"Open receivables on {as_of.isoformat()} in {currency}")}

    labels = bucket_labels(DEFAULT_BUCKETS)
    totals = summarize_aging(aged, by=None).iloc[0]
    counts = aged["bucket"].value_counts()
    buckets = pd.DataFrame({"bucket": labels, "amount": [float(totals[b]) for b in labels],
                            "items": [int(counts.get(b, 0)) for b in labels]})
    total = float(totals["total"])
    buckets["pct_of_total"] = buckets["amount"] / total * 100 if total else float("nan")
    pack["Aging"] = _described(buckets, "Open amount and items by aging bucket (days past due)")

    days = chosen["past_due_days"]
    pack["Past due by days"] = _described(
        past_due_by_days(aged, days), "Net open amount, items and accounts more than N days past due")
    d = chosen["past_due_accounts_days"]
    pack["Past due accounts"] = _described(
        past_due_accounts(aged, d), f"Accounts with a net balance more than {d} days past due")
    d, minimum = chosen["large_debit_days"], chosen["large_debit_minimum"]
    pack["Large debit balances"] = _described(
        large_debit_balances(aged, d, minimum),
        f"Accounts more than {d} days past due by over {currency} {_fmt(minimum)}")
    d = chosen["credit_days"]
    pack["Aged credit balances"] = _described(
        aged_credit_balances(aged, d, as_of=as_of),
        f"Credit memos and unapplied payments dated more than {d} days before {as_of.isoformat()}")
    n = chosen["top_n"]
    pack["Top accounts"] = _described(top_accounts(aged, n), f"The {n} largest open balances")
    limits = over_credit_limit(aged) if "credit_limit" in aged.columns else _no_limits()
    pack["Over credit limit"] = _described(
        limits, "Accounts whose open balance exceeds their credit limit (in the account's own currency)")

    start = as_of.replace(month=1, day=1) if period_start is None else to_date(period_start, "period_start")
    history = (ledger.applications is not None and len(ledger.applications)) or "closed_date" in ledger.items
    if history:
        roll = rollforward(ledger, start, as_of)
        roll.insert(0, "documents", roll["currency"])
        if set(roll["currency"]) != {currency}:
            converted = rollforward(ledger, start, as_of, currency=currency)
            converted.insert(0, "documents", "all")
            roll = pd.concat([roll, converted], ignore_index=True)
        pack["Roll-forward"] = _described(
            roll, f"Receivables roll-forward {start.isoformat()} to {as_of.isoformat()}, per document currency"
            + (f" and in {currency}" if set(roll["currency"]) != {currency} else ""))
    else:  # a snapshot export has no history to roll forward: say so rather than fail the pack
        summary.attrs["notes"] = ["No roll-forward: the ledger is a snapshot (no applications or closed dates)"]
    return pack


def _no_limits() -> pd.DataFrame:
    return pd.DataFrame({"customer_id": pd.Series(dtype="str"), "credit_limit": pd.Series(dtype="float64"),
                         "total_open": pd.Series(dtype="float64"), "excess": pd.Series(dtype="float64")})


# ---------------------------------------------------------------------------------------------
# The workbook

HEADINGS = {
    "as_of": "As of", "currency": "Currency", "total_open": "Total open", "past_due": "Past due",
    "pct_past_due": "% past due", "accounts_open": "Accounts open", "accounts_past_due": "Accounts past due",
    "bucket": "Bucket", "amount": "Amount", "items": "Items", "pct_of_total": "% of total", "days": "Days past due >",
    "accounts": "Accounts", "customer_id": "Customer ID", "customer_name": "Customer", "collector": "Collector",
    "max_days_past_due": "Oldest (days past due)", "document_id": "Document", "doc_type": "Type",
    "doc_date": "Date", "due_date": "Due", "open_amount": "Open", "reporting_amount": "Open (reporting)",
    "days_old": "Days old", "credit_limit": "Credit limit", "excess": "Excess", "documents": "Documents",
    "start": "From", "end": "To",
    "opening": "Opening", "invoiced": "Invoiced", "credits": "Credit memos", "collected": "Collected",
    "write_offs": "Write-offs", "adjustments": "Adjustments", "other_settlements": "Other settlements",
    "fx_revaluation": "FX revaluation",
    "closing": "Closing", "difference": "Difference",
}
SUMMARY_SHEETS = ("Summary", "Aging")  # written together on the first sheet
_BAD_SHEET_CHARS = str.maketrans({c: "-" for c in "[]:*?/\\"})


def _heading(column) -> str:
    column = str(column)
    if column in HEADINGS:
        return HEADINGS[column]
    if column.startswith("over_") and column[5:].isdigit():
        return f"Over {column[5:]} days"
    return column.replace("_", " ").capitalize()


def _cell_kind(column: str, series: pd.Series) -> str:
    """How a column is shown: money, count, percent, rate, date, text or general."""
    if column.startswith("pct_"):
        return "percent"
    if column == "fx_rate":
        return "rate"
    if pd.api.types.is_bool_dtype(series):
        return "general"
    if pd.api.types.is_float_dtype(series):
        return "money"
    if pd.api.types.is_integer_dtype(series):
        return "count"
    if pd.api.types.is_datetime64_any_dtype(series) or "date" in str(series.dtype):
        return "date"
    return "general"


def _sheet_name(name: str, taken: set[str]) -> str:
    base = str(name).translate(_BAD_SHEET_CHARS).strip("'")[:31] or "Sheet"
    candidate, number = base, 2
    while candidate.lower() in taken:
        suffix = f" ({number})"
        candidate, number = base[:31 - len(suffix)] + suffix, number + 1
    taken.add(candidate.lower())
    return candidate


def write_report_workbook(pack: Mapping[str, pd.DataFrame], path, *, title: str = TITLE) -> Path:
    """Write a report pack (see :func:`report_pack`) as one Excel workbook.

    The first sheet, ``Summary``, holds the title, the pack's ``Summary`` row as labelled
    tiles, the ``Aging`` table and the contents (each other sheet, what it lists, its rows).
    Every other entry is a sheet with its headings on row 1 (frozen, with an autofilter),
    money as numbers formatted ``#,##0.00;-#,##0.00``, dates as Excel dates and fitted column
    widths. Text from the data is always a text cell: a name like ``=1+2`` never runs.

    Examples
    --------
    >>> import tempfile, openpyxl
    >>> pack = {"Past due accounts": pd.DataFrame({"customer_id": ["C1"], "customer_name": ["=1+2"],
    ...                                            "past_due": [1250.5]})}
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     book = openpyxl.load_workbook(write_report_workbook(pack, f"{folder}/pack.xlsx"))
    ...     sheet = book["Past due accounts"]
    ...     book.sheetnames, sheet.freeze_panes, sheet["B2"].value, sheet["B2"].data_type, sheet["C2"].number_format
    (['Summary', 'Past due accounts'], 'A2', '=1+2', 's', '#,##0.00;-#,##0.00')
    """
    if not isinstance(pack, Mapping) or not all(isinstance(f, pd.DataFrame) for f in pack.values()):
        raise ArkitError("write_report_workbook needs a report pack: a dict of sheet name to pandas DataFrame")
    workbook = new_workbook()
    taken: set[str] = set()
    summary = Sheet.add(workbook, _sheet_name("Summary", taken))
    first = summary.sheet
    summary.put(1, 1, title, font="title", measure=False)
    row = 3
    tiles = pack.get("Summary")
    if tiles is not None and len(tiles):
        record = tiles.iloc[0]
        for column in tiles.columns:
            summary.put(row, 1, _heading(column), font="bold")
            summary.put(row, 2, record[column], _cell_kind(str(column), tiles[column]))
            row += 1
        for note in tiles.attrs.get("notes", []):
            summary.put(row, 1, note, measure=False)
            row += 1
        row += 1
    aging = pack.get("Aging")
    if aging is not None:
        summary.put(row, 1, aging.attrs.get("description", "Aging"), font="bold", measure=False)
        first.auto_filter.ref = _table(summary, row + 1, aging)
        row += len(aging) + 3
    reports = [(name, frame) for name, frame in pack.items() if name not in SUMMARY_SHEETS]
    if reports:
        summary.put(row, 1, "Contents", font="bold", measure=False)
        contents = pd.DataFrame({"sheet": [str(n) for n, _ in reports],
                                 "description": [f.attrs.get("description", "") for _, f in reports],
                                 "rows": pd.array([len(f) for _, f in reports], dtype="int64")})
        _table(summary, row + 1, contents.rename(columns=str.capitalize))
    summary.fit()

    for name, frame in reports:
        sheet = Sheet.add(workbook, _sheet_name(name, taken))
        sheet.sheet.auto_filter.ref = _table(sheet, 1, frame)
        sheet.sheet.freeze_panes = "A2"
        sheet.sheet.print_title_rows = "1:1"
        sheet.fit()
    workbook.properties.title = title
    path = Path(path)
    workbook.save(path)
    return path


def _table(sheet: Sheet, top: int, frame: pd.DataFrame) -> str:
    """A report's table at row ``top``, headed by :data:`HEADINGS`; returns its range (``A1:F9``)."""
    frame = frame.set_axis([str(c) for c in frame.columns], axis=1)
    headings = {c: _heading(c) for c in frame.columns}
    end = sheet.table(top, frame, headings, [_cell_kind(c, frame[c]) for c in frame.columns])
    return area(top, end - 1, len(frame.columns))
