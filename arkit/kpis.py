"""Portfolio KPIs computed from aged items (the output of :func:`arkit.age`)."""

from __future__ import annotations

import narwhals as nw

from arkit.aging import BLANK_KEY, _cents, _finish, sum_money
from arkit.errors import ArkitError

__all__ = ["aging_kpis", "rank_past_due"]


def aging_kpis(aged, severe_days: int = 90):
    """The triage tiles as one row: open balance, past due, severe past due, accounts.

    Columns: ``total_open``; ``past_due`` (net open amount with ``days_past_due`` > 0, the sum
    of every bucket but ``current``, so credits past due reduce it as they do in the aging);
    ``pct_past_due`` (past_due / total_open * 100, null when nothing is open);
    ``over_<severe_days>``; ``accounts_open`` (customers with any open item) and
    ``accounts_past_due`` (customers whose net past-due amount is above zero).
    Amounts are ``reporting_amount`` when present, else ``open_amount`` in one currency.

    Examples
    --------
    >>> import pandas as pd
    >>> aged = pd.DataFrame({"customer_id": ["C1", "C1", "C2", "C3"],
    ...                      "open_amount": [100.0, 300.0, 50.0, -25.0],
    ...                      "days_past_due": [120, -5, 10, 40]})
    >>> aging_kpis(aged).round(2).to_dict("records")
    [{'total_open': 425.0, 'past_due': 125.0, 'pct_past_due': 29.41, 'over_90': 100.0, 'accounts_open': 3, 'accounts_past_due': 2}]
    """
    lf = nw.from_native(aged).lazy()
    schema = lf.collect_schema()
    if "fx_rate" not in schema and "currency" in schema:
        currencies = lf.select(nw.col("currency").n_unique()).collect().item()
        if currencies > 1:
            raise ArkitError("aged items are in several currencies: age them with currency='USD' (or another code)")
    days = nw.col("days_past_due")
    per_customer = sum_money(
        lf.with_columns(_cents(nw.col("open_amount")).alias("_open")).with_columns(
            nw.when(days > 0).then(nw.col("_open")).otherwise(nw.lit(0)).alias("_past_due"),
            nw.when(days > severe_days).then(nw.col("_open")).otherwise(nw.lit(0)).alias("_severe"),
        ),
        ["customer_id"], ["_open", "_past_due", "_severe"],
    ).with_columns((nw.col("_past_due") > 0).cast(nw.Int64).alias("_is_past_due"))
    totals = per_customer.select(
        nw.col("_open").sum().alias("total_open"),
        nw.col("_past_due").sum().alias("past_due"),
        nw.col("_severe").sum().alias(f"over_{severe_days}"),
        nw.len().alias("accounts_open"),
        nw.col("_is_past_due").sum().alias("accounts_past_due"),
    )
    money = ["total_open", "past_due", f"over_{severe_days}"]
    totals = totals.with_columns(
        [(nw.col(c).fill_null(0).cast(nw.Int64).cast(nw.Float64) / 100).alias(c) for c in money]
        + [nw.col(c).fill_null(0).cast(nw.Int64) for c in ("accounts_open", "accounts_past_due")]
    ).with_columns(
        nw.when(nw.col("total_open") != 0)
        .then(nw.col("past_due") / nw.col("total_open") * 100)
        .otherwise(nw.lit(None, nw.Float64))
        .alias("pct_past_due")
    )
    return _finish(totals.select("total_open", "past_due", "pct_past_due", *money[2:], "accounts_open",
                                 "accounts_past_due"), aged)


def rank_past_due(aged, by: str | list[str] = "customer_id", top: int | None = None, severe_days: int = 90):
    """Groups (accounts by default) ranked by net past-due amount, largest first.

    Columns: the ``by`` keys, ``total_open``, ``past_due``, ``over_<severe_days>`` and
    ``max_days_past_due`` (the oldest open debit item). Only groups with a past-due amount
    above zero are listed. Extra keys that depend on the account (name, collector) may be
    added to ``by`` to carry them along.

    Examples
    --------
    >>> import pandas as pd
    >>> aged = pd.DataFrame({"customer_id": ["C1", "C1", "C2", "C3"],
    ...                      "open_amount": [100.0, 300.0, 50.0, -25.0],
    ...                      "days_past_due": [120, -5, 10, 40]})
    >>> rank_past_due(aged)
      customer_id  total_open  past_due  over_90  max_days_past_due
    0          C1       400.0     100.0    100.0                120
    1          C2        50.0      50.0      0.0                 10
    """
    keys = [by] if isinstance(by, str) else list(by)
    lf = nw.from_native(aged).lazy()
    schema = lf.collect_schema()
    if "fx_rate" not in schema and "currency" in schema and "currency" not in keys:
        keys.append("currency")
    lf = lf.with_columns(nw.col(k).fill_null(BLANK_KEY) for k in keys if schema[k] == nw.String)
    days = nw.col("days_past_due")
    severe = f"over_{severe_days}"
    cents = _cents(nw.col("open_amount"))
    ranked = (
        sum_money(
            lf.with_columns(cents.alias("total_open")).with_columns(
                nw.when(days > 0).then(nw.col("total_open")).otherwise(nw.lit(0)).alias("past_due"),
                nw.when(days > severe_days).then(nw.col("total_open")).otherwise(nw.lit(0)).alias(severe),
            ),
            keys, ["total_open", "past_due", severe],
        )
        .join(lf.with_columns(nw.when(cents > 0).then(days).alias("max_days_past_due"))
              .group_by(keys).agg(nw.col("max_days_past_due").max()), on=keys, how="left")
        .filter(nw.col("past_due") > 0)
        .with_columns(
            [(nw.col(c).cast(nw.Int64).cast(nw.Float64) / 100).alias(c) for c in ("total_open", "past_due", severe)]
            + [nw.col("max_days_past_due").cast(nw.Int64)]
        )
        .sort(["past_due", *keys], descending=[True] + [False] * len(keys))
    )
    if top is not None:
        ranked = ranked.head(top)
    return _finish(ranked, aged)
