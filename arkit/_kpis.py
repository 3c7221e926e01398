"""Collection KPIs: the triage tiles of aged items, and the period KPIs of a ledger's history.

Formulas (per period; ``days`` is the number of days in the period, ``sales`` the credit
sales of the period: invoices and debit memos dated in it, gross of credit memos; AR is the
whole open book at the period end, credits and unapplied cash included):

- ``dso`` (standard, period method) = closing AR / sales x days.
- ``countback_dso`` (exhaustion method) = the days of the months, counted back from the
  period end, whose credit sales the closing AR consumes; the last month counts in part:
  sum(days of whole months) + remaining AR / that month's sales x its days. Null when
  ``countback_months`` of history do not cover the AR.
- ``best_possible_dso`` = current (not yet due) AR / sales x days.
- ``average_days_delinquent`` = dso - best_possible_dso.
- ``cei`` (collection effectiveness index, %) = (opening AR + sales - closing AR) /
  (opening AR + sales - closing current AR) x 100, with the period's credit sales (the
  Credit Research Foundation convention; monthly periods here).
- ``pct_current``, ``pct_past_due`` = current, past-due AR / closing AR x 100.
- ``ar_turnover`` (annualized) = sales x 365 / days / ((opening + closing AR) / 2).
- ``bad_debt_ratio`` (%) = write-offs of the period / sales x 100.
- Invoice level, over the invoices settled in the period (named apart from ADD, which is a
  portfolio measure): ``avg_days_to_pay`` = mean(settled - document date); ``avg_days_late``
  = mean(max(0, settled - due date)); ``weighted_days_late`` = sum(amount x days late) /
  sum(amount).

Sources: DSO, best possible DSO and ADD as defined by the Credit Research Foundation and
used in the AFP and CFO.com guides to DSO; countback DSO as in Salek, "Accounts Receivable
Management Best Practices" (Wiley, 2005); CEI as defined by the Credit Research Foundation.
Divisions by zero give null, never inf.
"""

from __future__ import annotations

import narwhals.stable.v2 as nw

import datetime as dt
from collections.abc import Sequence

from arkit.progress import advance
from arkit._common import (compute_small, day_of, finish, finish_small, group_keys, money_keys, to_cents,
                           with_currency)
from arkit.aging import named_blanks, sum_money
from arkit.errors import ArkitError
from arkit.monthly import (aging_trend, convert_at_period_ends, money_events, monthly_activity, period_setup,
                            with_month_key, with_period)

__all__ = ["aging_kpis", "rank_past_due", "compute_kpis", "kpis", "period_kpis", "KPI_COLUMNS"]

KPI_COLUMNS = ["dso", "countback_dso", "best_possible_dso", "average_days_delinquent", "cei", "pct_current",
               "pct_past_due", "ar_turnover", "bad_debt_ratio", "avg_days_to_pay", "avg_days_late",
               "weighted_days_late"]


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
        lf.with_columns(to_cents(nw.col("open_amount")).alias("_open")).with_columns(
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
        [(nw.col(c).fill_null(0).cast(nw.Int64).cast(nw.Float64) / 100).round(2).alias(c) for c in money]
        + [nw.col(c).fill_null(0).cast(nw.Int64) for c in ("accounts_open", "accounts_past_due")]
    ).with_columns(
        nw.when(nw.col("total_open") != 0)
        .then(nw.col("past_due") / nw.col("total_open") * 100)
        .otherwise(nw.lit(None, nw.Float64))
        .alias("pct_past_due")
    )
    return finish(totals.select("total_open", "past_due", "pct_past_due", *money[2:], "accounts_open",
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
    lf = nw.from_native(aged).lazy()
    schema = lf.collect_schema()
    keys = money_keys(schema, [by] if isinstance(by, str) else list(by))
    lf = lf.with_columns(named_blanks(schema, keys))
    days = nw.col("days_past_due")
    severe = f"over_{severe_days}"
    cents = to_cents(nw.col("open_amount"))
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
            [(nw.col(c).cast(nw.Int64).cast(nw.Float64) / 100).round(2).alias(c) for c in ("total_open", "past_due", severe)]
            + [nw.col("max_days_past_due").cast(nw.Int64)]
        )
        .sort(["past_due", *keys], descending=[True] + [False] * len(keys))
    )
    if top is not None:
        ranked = ranked.head(top)
    return finish(ranked, aged)


def _ratio(numerator: nw.Expr, denominator: nw.Expr) -> nw.Expr:
    return nw.when(denominator != 0).then(numerator / denominator)


def compute_kpis(monthly, by: str | Sequence[str] | None = None, countback_months: int = 12):
    """Add the KPI columns to monthly figures (see the module docstring for the formulas).

    ``monthly`` has, per group and period: ``period_end``, ``days``, ``opening``, ``closing``,
    ``current`` (not yet due at the period end), ``sales``, and optionally ``write_offs``,
    ``settled``, ``days_to_pay``, ``days_late``, ``settled_amount``, ``late_amount_days``.
    Periods of a group must be consecutive; countback looks back over earlier rows.

    Examples
    --------
    The worked examples: countback DSO with AR 212,000 and monthly sales of 100,000 (latest),
    80,000 and 70,000 in 30-day months; CEI with beginning AR 6,200, sales 10,890, ending AR
    6,340 and ending current AR 3,590.

    >>> import pandas as pd
    >>> monthly = pd.DataFrame({"period_end": pd.to_datetime(["2026-01-31", "2026-02-28", "2026-03-31"]),
    ...     "days": [30, 30, 30], "opening": [0.0, 0.0, 6200.0], "closing": [0.0, 0.0, 212000.0],
    ...     "current": [0.0, 0.0, 3590.0], "sales": [70000.0, 80000.0, 100000.0]})
    >>> float(compute_kpis(monthly)["countback_dso"].iloc[-1].round(1))
    73.7
    >>> cei = pd.DataFrame({"period_end": pd.to_datetime(["2026-03-31"]), "days": [30], "opening": [6200.0],
    ...     "closing": [6340.0], "current": [3590.0], "sales": [10890.0]})
    >>> float(compute_kpis(cei)["cei"].iloc[0].round(1))
    79.6
    """
    keys = group_keys(by)
    lf = nw.from_native(monthly).lazy()
    names = lf.collect_schema().names()
    c = nw.col
    ordered = {"order_by": "period_end"}
    lf = lf.with_columns(
        *(c("sales").shift(j).over(*keys, **ordered).alias(f"_s{j}") for j in range(countback_months)),
        *(c("days").shift(j).over(*keys, **ordered).alias(f"_d{j}") for j in range(countback_months)),
    )
    # Countback: walk back month by month until the closing AR is used up by the months' sales.
    countback = nw.when(c("closing") <= 0).then(nw.lit(0.0))
    used_sales, used_days = nw.lit(0.0), nw.lit(0.0)
    for j in range(countback_months):
        sales_j, days_j = c(f"_s{j}").cast(nw.Float64), c(f"_d{j}").cast(nw.Float64)
        countback = countback.when(~sales_j.is_null() & (used_sales + sales_j >= c("closing")) & (sales_j > 0)).then(
            used_days + (c("closing") - used_sales) / sales_j * days_j)
        used_sales, used_days = used_sales + sales_j.fill_null(0), used_days + days_j.fill_null(0)
    sales, days = c("sales"), c("days").cast(nw.Float64)
    past_due = c("closing") - c("current")
    kpi = [
        (_ratio(c("closing"), sales) * days).alias("dso"),
        countback.alias("countback_dso"),
        (_ratio(c("current"), sales) * days).alias("best_possible_dso"),
        (_ratio(c("opening") + sales - c("closing"), c("opening") + sales - c("current")) * 100).alias("cei"),
        (_ratio(c("current"), c("closing")) * 100).alias("pct_current"),
        (_ratio(past_due, c("closing")) * 100).alias("pct_past_due"),
        (_ratio(sales * 365 / days, (c("opening") + c("closing")) / 2)).alias("ar_turnover"),
        (_ratio(nw.lit(0.0) - c("write_offs") if "write_offs" in names else nw.lit(0.0), sales) * 100
         ).alias("bad_debt_ratio"),
    ]
    if "settled" in names:
        kpi += [_ratio(c("days_to_pay"), c("settled")).alias("avg_days_to_pay"),
                _ratio(c("days_late"), c("settled")).alias("avg_days_late"),
                _ratio(c("late_amount_days"), c("settled_amount")).alias("weighted_days_late")]
    else:
        kpi += [nw.lit(None, nw.Float64).alias(n) for n in ("avg_days_to_pay", "avg_days_late", "weighted_days_late")]
    lf = lf.with_columns(kpi).with_columns(
        (c("dso") - c("best_possible_dso")).alias("average_days_delinquent"))
    lf = lf.drop([n for n in lf.collect_schema().names() if n.startswith(("_s", "_d"))])
    return finish(lf, monthly)


def _settlements(ledger, applications, as_of_day: int, ends: list[dt.date], keys: list[str], currency, fx_rates):
    """Per (keys, period): invoices settled, their days to pay and days late, and the amounts that
    weight the days late, in ``currency`` at each period end's rate (never mixed currencies)."""
    _, lf, items, ledger_fx = money_events(ledger, applications, as_of_day, "due", keys)
    names = lf.collect_schema().names()
    if "closed_date" not in names:
        return None
    doc_type = nw.col("doc_type") if "doc_type" in names else nw.lit("invoice")
    settled = lf.filter(
        doc_type.is_in(["invoice", "debit_memo"]) & (nw.col("_cents") > 0) & ~nw.col("_closed_day").is_null()
        & (nw.col("_closed_day") <= as_of_day))
    first = ends[0].year * 12 + ends[0].month - 1
    late = (nw.col("_closed_day") - nw.col("_base_day")).clip(0, None)
    per_currency = compute_small(with_month_key(settled, "_closed_day", "_month").with_columns(
        (nw.col("_month") - first).alias("_point"),
        (nw.col("_closed_day") - nw.col("_doc_day")).alias("days_to_pay"), late.alias("days_late"),
        (late * nw.col("_cents")).alias("late_amount_days"),
    ).filter(nw.col("_point") >= 0).group_by(*with_currency(keys), "_point").agg(
        nw.len().alias("settled"), nw.col("days_to_pay").sum(), nw.col("days_late").sum(),
        nw.col("_cents").sum().alias("settled_amount"), nw.col("late_amount_days").sum()))
    if currency is None:  # figures in document currency: currency is a key
        return per_currency
    counts = per_currency.group_by(*keys, "_point").agg(nw.col("settled", "days_to_pay", "days_late").sum())
    amounts = ["settled_amount", "late_amount_days"]
    converted = convert_at_period_ends(per_currency.select(*with_currency(keys), "_point", *amounts), keys, amounts, currency,
                         ledger_fx if fx_rates is None else fx_rates, ends)
    return counts.join(converted, on=[*keys, "_point"], how="left")


def _monthly_figures(ledger, as_of, months, keys, currency, countback_months, applications, fx_rates):
    """The monthly figures that :func:`compute_kpis` reads (pandas, lazy), their keys and period ends."""
    from arkit.ledger import Ledger

    if months < 1 or countback_months < 1:
        raise ArkitError(f"months and countback_months must be at least 1, got {months} and {countback_months}")
    if currency is None and isinstance(ledger, Ledger):
        currencies = ledger.items["currency"].unique()
        # One currency needs no conversion; several are converted to the reporting currency.
        currency = currencies[0] if len(currencies) == 1 else ledger.currency
    as_of, ends = period_setup(ledger, as_of, months + countback_months, applications)
    options = dict(as_of=as_of, months=len(ends), by=keys or None, currency=currency, applications=applications,
                   fx_rates=fx_rates)
    as_date = nw.col("period_end").cast(nw.Date)  # engines hand dates back as dates or datetimes
    trend = nw.from_native(aging_trend(ledger, **options)).lazy().collect(backend="pandas").lazy().with_columns(as_date)
    activity = nw.from_native(monthly_activity(ledger, **options)).lazy().collect(backend="pandas").lazy().with_columns(
        as_date)
    carried = keys if currency is not None else with_currency(keys)
    # Opening and closing AR from the aging trend, so that the KPIs and the aging charts show the
    # same book to the cent (converted per currency and bucket, see sum_money).
    figures = activity.select(*carried, "period_end", "days", nw.col("invoiced").alias("sales"), "write_offs").join(
        trend.select(*carried, "period_end", "current", nw.col("total").alias("closing")),
        on=[*carried, "period_end"], how="left").with_columns(
        nw.col("closing").shift(1).over(*carried, order_by="period_end").alias("opening"))
    advance("settled invoices")
    settled = _settlements(ledger, applications, day_of(as_of), ends, keys, currency, fx_rates)
    if settled is not None:
        settled = with_period(settled, ends).drop("_point", "days").collect(backend="pandas").lazy().with_columns(
            as_date)
        figures = figures.join(settled, on=[*carried, "period_end"], how="left").with_columns(
            nw.col("settled").fill_null(0).cast(nw.Int64))
    return figures, carried, ends


def kpis(ledger, as_of=None, months: int = 12, by: str | Sequence[str] | None = None, *,
         currency: str | None = None, countback_months: int = 12, applications=None, fx_rates=None):
    """Collection KPIs for each of ``months`` periods (month ends) up to ``as_of``, per group.

    Figures come from :func:`arkit.monthly.aging_trend` (closing and current AR) and
    :func:`arkit.monthly.monthly_activity` (opening, credit sales, write-offs); see the module
    docstring for every formula. Amounts are in ``currency`` (default: the ledger's reporting
    currency, converted through its ``fx_rates``). ``countback_months`` more months of history
    are read for countback DSO. :func:`period_kpis` gives one row for the whole window.

    Examples
    --------
    >>> from arkit import load_ledger
    >>> from arkit.config import SAMPLES_DIR
    >>> table = kpis(load_ledger(SAMPLES_DIR), months=3)
    >>> table[["period_end", "dso", "countback_dso", "cei"]].round(1).assign(period_end=lambda t: t["period_end"].astype(str))
       period_end   dso  countback_dso   cei
    0  2026-08-31  25.5           25.5  88.7
    1  2026-09-30  25.7           25.7  88.8
    2  2026-10-31  28.5           28.5  86.8
    """
    keys = group_keys(by)
    figures, carried, ends = _monthly_figures(ledger, as_of, months, keys, currency, countback_months,
                                              applications, fx_rates)
    table = nw.from_native(compute_kpis(figures.collect().to_native(), by=carried,
                                        countback_months=countback_months)).lazy()
    table = table.drop("days_to_pay", "days_late", "settled_amount", "late_amount_days", strict=False)
    last = table.filter(nw.col("period_end").cast(nw.Date) > nw.lit(ends[-months - 1], nw.Date))
    return finish_small(last.sort(*carried, "period_end"), _items_of(ledger))


def _items_of(ledger):
    from arkit.ledger import Ledger

    return ledger.items if isinstance(ledger, Ledger) else ledger


def period_kpis(ledger, as_of=None, months: int = 3, by: str | Sequence[str] | None = None, *,
                currency: str | None = None, countback_months: int = 12, applications=None, fx_rates=None):
    """The KPIs of one period of ``months`` whole months up to ``as_of`` (a quarter: ``months=3``).

    One row per group with ``period_start``, ``period_end`` and ``days`` (the whole window):
    ``opening`` is the AR at the start, ``closing`` and ``current`` the AR at the end, ``sales``,
    ``write_offs`` and the settled invoices are summed over the window, and the formulas of the
    module docstring apply to these figures (so ``dso`` is closing AR / the window's sales x its
    days, and ``cei`` the CRF index over the whole window). ``countback_dso`` is the countback
    at the period end, from the monthly sales (it is a point-in-time measure).

    Examples
    --------
    >>> from arkit import load_ledger
    >>> from arkit.config import SAMPLES_DIR
    >>> row = period_kpis(load_ledger(SAMPLES_DIR), months=3)
    >>> row[["days", "sales", "closing", "dso", "cei"]].round(1)
       days      sales    closing   dso   cei
    0    92  5825094.0  1604300.7  25.3  95.1
    """
    keys = group_keys(by)
    figures, carried, ends = _monthly_figures(ledger, as_of, months, keys, currency, countback_months,
                                              applications, fx_rates)
    monthly = compute_kpis(figures.collect().to_native(), by=carried, countback_months=countback_months)
    first_end, last_end = ends[-months], ends[-1]
    window = figures.filter(nw.col("period_end") >= nw.lit(first_end, nw.Date))
    names = window.collect_schema().names()
    summed = [c for c in ("days", "sales", "write_offs", "settled", "days_to_pay", "days_late", "settled_amount",
                          "late_amount_days") if c in names]
    opening = window.filter(nw.col("period_end") == nw.lit(first_end, nw.Date)).select(*carried, "opening")
    closing = nw.from_native(monthly).lazy().filter(nw.col("period_end").cast(nw.Date) == nw.lit(last_end, nw.Date)
                                                    ).select(*carried, "closing", "current", "countback_dso")
    totals = (window.group_by(carried).agg(nw.col(*summed).sum()) if carried
              else window.select(nw.col(*summed).sum()))
    joined = totals
    for part in (opening, closing):
        joined = joined.join(part, on=carried, how="left") if carried else joined.join(part, how="cross")
    joined = joined.with_columns(nw.col("opening").fill_null(0), nw.lit(last_end, nw.Date).alias("period_end"))
    countback = joined.select(*carried, "countback_dso")
    table = nw.from_native(compute_kpis(joined.drop("countback_dso").collect().to_native(), by=carried,
                                        countback_months=1)).lazy().drop("countback_dso")
    table = table.join(countback, on=carried, how="left") if carried else table.join(countback, how="cross")
    period_start = ends[-months - 1] + dt.timedelta(days=1)
    table = table.drop("days_to_pay", "days_late", "settled_amount", "late_amount_days", strict=False).with_columns(
        nw.lit(period_start, nw.Date).alias("period_start"))
    columns = [*carried, "period_start", "period_end", "days", "opening", "sales", "write_offs", "closing",
               "current", *[c for c in ("settled",) if c in summed], *KPI_COLUMNS]
    table = table.select(columns)
    return finish_small(table.sort(*carried) if carried else table, _items_of(ledger))
