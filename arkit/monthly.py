"""Month-end history: aging at every month end and the month's activity, from one export.

Both come from one idea. Every document adds its amount to the book on its date, every
application moves money between two documents on its date (or a settled document leaves on
its ``closed_date``). The balance of a bucket at a month end is then a running total: for the
bucket "more than ``e`` days past due" at day ``P``, an event counts once both it has happened
and its document is more than ``e`` days past due, i.e. from day ``max(event day, due + e + 1)``.
So each bucket is one group-by and one cumulative sum over months, not one full aging per
month end: 36 month ends cost about as much as 7 agings, on every engine (Narwhals).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import narwhals.stable.v2 as nw

from arkit.progress import advance
from arkit._common import (compute_small, day_of, finish_small, group_keys, latest, ledger_inputs, to_cents, to_date,
                           with_currency)
from arkit.aging import BLANK_KEY, DEFAULT_BUCKETS, bucket_labels, check_target_currency, with_day_numbers
from arkit.errors import ArkitError
from arkit.ledger import Ledger

__all__ = ["month_ends", "aging_trend", "monthly_activity", "with_month_key",
           # the steps the KPIs share with the trend
           "money_events", "convert_at_period_ends", "with_period", "period_setup"]

ACTIVITY = {"invoiced": ("invoice", "debit_memo"), "credits": ("credit_memo",), "collected": ("payment",),
            "write_offs": ("write_off",), "adjustments": ("adjustment",)}
FLOWS = [*ACTIVITY, "other_settlements"]


def month_ends(as_of: dt.date, months: int) -> list[dt.date]:
    """The ``months`` period ends up to ``as_of``: month ends, the last being ``as_of`` itself.

    Examples
    --------
    >>> [d.isoformat() for d in month_ends(dt.date(2026, 3, 15), 3)]
    ['2026-01-31', '2026-02-28', '2026-03-15']
    """
    if months < 1:
        raise ArkitError(f"months must be at least 1, got {months}")
    ends = [as_of]
    first_of_month = as_of.replace(day=1)
    for _ in range(months - 1):
        ends.append(first_of_month - dt.timedelta(days=1))
        first_of_month = ends[-1].replace(day=1)
    return ends[::-1]


def with_month_key(lf: nw.LazyFrame, day_column: str, name: str) -> nw.LazyFrame:
    """Add ``year * 12 + month - 1`` of a day-number column (civil-from-days, integer arithmetic).

    In steps, so that SQL engines get small expressions rather than one that repeats its parts.
    """
    col = nw.col
    steps = [
        {"_z": col(day_column) + 719468},
        {"_era": col("_z") // 146097},
        {"_doe": col("_z") - col("_era") * 146097},
        {"_yoe": (col("_doe") - col("_doe") // 1460 + col("_doe") // 36524 - col("_doe") // 146096) // 365},
        {"_mp": (5 * (col("_doe") - (365 * col("_yoe") + col("_yoe") // 4 - col("_yoe") // 100)) + 2) // 153},
        {name: (col("_yoe") + col("_era") * 400 + (col("_mp") >= 10).cast(nw.Int64)) * 12
         + nw.when(col("_mp") < 10).then(col("_mp") + 3).otherwise(col("_mp") - 9) - 1},
    ]
    for step in steps:
        lf = lf.with_columns(expr.alias(column) for column, expr in step.items())
    return lf.drop("_z", "_era", "_doe", "_yoe", "_mp")


def _key_label(key: str, dtype) -> nw.Expr:
    """A group key as text, blanks named: the history joins its parts on the keys, and a null key
    (an open item's ``closed_date``, a missing ``credit_limit``) would match nothing and drop out."""
    text = nw.col(key) if dtype == nw.String else \
        nw.col(key).dt.to_string("%Y-%m-%d") if dtype.is_temporal() else nw.col(key).cast(nw.String)
    return text.fill_null(BLANK_KEY).alias(key)


def money_events(ledger, applications, as_of_day: int, basis: str, keys: list[str]):
    """Dated money movements: (keys, currency, _day, _base_day, _cents), and the native items."""
    items, applications, fx_rates = ledger_inputs(ledger, applications, None)
    lf = nw.from_native(items).lazy()
    names = lf.collect_schema().names()
    unknown = [k for k in keys if k not in names]
    if unknown:
        raise ArkitError(f"cannot group by {', '.join(unknown)}: not a column; columns are {', '.join(names)}")
    if "currency" not in names:
        lf = lf.with_columns(nw.lit(ledger.currency if isinstance(ledger, Ledger) else "USD").alias("currency"))
    base = "due_date" if basis == "due" and "due_date" in names else "doc_date"
    days_of = {"_doc_day": "doc_date", "_base_day": base}
    history = "applications" if applications is not None else "closed_date" if "closed_date" in names else None
    if history is None:
        raise ArkitError("month-end history needs applications or closed dates; this ledger only has a snapshot")
    if "closed_date" in names:  # as a day number before the keys become text (closed_date may be one)
        days_of["_closed_day"] = "closed_date"
    schema = lf.collect_schema()
    lf = with_day_numbers(lf, **days_of).filter(nw.col("_doc_day") <= as_of_day).with_columns(
        [_key_label(k, schema[k]) for k in keys] + [to_cents(nw.col("amount")).alias("_cents")])
    carried = with_currency(keys)
    documents = lf.select(*carried, nw.col("_doc_day").alias("_day"), "_base_day", "_cents",
                          nw.lit(False).alias("_move"))
    if history == "closed_date":
        moves = lf.filter(nw.col("_closed_day") <= as_of_day).select(
            *carried, nw.max_horizontal("_closed_day", "_doc_day").alias("_day"), "_base_day",
            (-nw.col("_cents")).alias("_cents"),
            nw.lit(True).alias("_move"))
        return nw.concat([documents, moves], how="vertical"), lf, items, fx_rates
    apps = with_day_numbers(nw.from_native(applications).lazy(), _day="applied_date").filter(
        nw.col("_day") <= as_of_day).with_columns(to_cents(nw.col("amount")).alias("_applied"))
    side = lf.select(*dict.fromkeys(["document_id", *carried]), "_base_day", "_doc_day")
    moves = []
    for column, sign in (("target_id", -1), ("source_id", 1)):
        joined = apps.select(nw.col(column).cast(nw.String).alias("document_id"), "_day", "_applied").join(
            side, on="document_id", how="inner")
        # A move counts once both it and its document exist, as in point-in-time aging.
        moves.append(joined.select(*carried, nw.max_horizontal("_day", "_doc_day").alias("_day"), "_base_day",
                                   (nw.col("_applied") * sign).alias("_cents"), nw.lit(True).alias("_move")))
    return nw.concat([documents, *moves], how="vertical"), lf, items, fx_rates


def _condense(events: nw.LazyFrame, carried: list[str], extra: Sequence[str] = ()) -> nw.LazyFrame:
    """Sum the events per (carried, day, due day): far fewer rows (documents share days), computed
    once, so that each bucket's running total reads them instead of the whole history."""
    return compute_small(events.group_by(*carried, "_day", "_base_day", *extra).agg(nw.col("_cents").sum()))


def _running(events: nw.LazyFrame, starts: dict[str, nw.Expr], ends: list[dt.date], carried: list[str]
             ) -> nw.LazyFrame:
    """Per (carried, period end), for each ``name: start``: the sum of the cents of the events that
    count from day ``start`` onwards, in a column ``name``.

    All the starts go through one concat, group-by and cumulative sum (a fixed number of steps,
    however many buckets). Days up to the first period end all count at it: they are clipped
    there, then summed per day (few rows) before each day's period end is found.
    """
    names = list(starts)
    counted = nw.concat([events.select(*carried, nw.lit(i).cast(nw.Int64).alias("_part"),
                                       start.clip(lower_bound=day_of(ends[0])).alias("_from"), "_cents")
                         for i, start in enumerate(starts.values())], how="vertical")
    counted = compute_small(counted.filter(nw.col("_from") <= day_of(ends[-1])).group_by(*carried, "_part", "_from").agg(
        nw.col("_cents").sum()))
    first = ends[0].year * 12 + ends[0].month - 1
    # The first period end on or after the day: its month, counted from the first period.
    sums = with_month_key(counted, "_from", "_month").with_columns(
        (nw.col("_month") - first).clip(0, len(ends) - 1).alias("_point")).with_columns(
        nw.when(nw.col("_part") == i).then(nw.col("_cents")).otherwise(nw.lit(0)).alias(name)
        for i, name in enumerate(names)).group_by(*carried, "_point").agg(nw.col(*names).sum())
    points = nw.from_dict({"_point": list(range(len(ends)))}, backend=counted.implementation).lazy()
    spine = counted.select(*carried).unique().join(points, how="cross")
    return spine.join(sums, on=[*carried, "_point"], how="left").with_columns(
        nw.col(name).fill_null(0).cast(nw.Int64).cum_sum().over(*carried, order_by="_point") for name in names)


def _rates_per_point(fx_rates, ends: list[dt.date], currency: str) -> nw.LazyFrame:
    rates = with_day_numbers(compute_small(nw.from_native(fx_rates).lazy()), _day="date")
    per_point = []
    for p, end in enumerate(ends):
        upto = rates.filter(nw.col("_day") <= day_of(end))
        latest = upto.group_by("currency").agg(nw.col("_day").max())
        per_point.append(upto.join(latest, on=["currency", "_day"]).select(
            "currency", nw.col("rate").alias("fx_rate"), nw.lit(p).cast(nw.Int64).alias("_point")))
    return nw.concat(per_point, how="vertical")


def convert_at_period_ends(lf: nw.LazyFrame, keys: list[str], cents: list[str], currency: str | None, fx_rates,
             ends: list[dt.date]) -> nw.LazyFrame:
    """Sum over currencies at each period end's rate (each currency subtotal converted once).

    Returns ``keys``, ``_point`` and the ``cents`` columns. ``currency`` stays only when it is one
    of ``keys`` (grouped by document currency, amounts converted): it is never overwritten with the
    target, which would merge the groups that follow.
    """
    if currency is None:
        return lf
    if fx_rates is None:
        others = lf.filter(nw.col("currency") != currency).select("currency").unique().collect()["currency"].to_list()
        if others:
            raise ArkitError(f"converting to {currency} needs fx_rates for: {', '.join(sorted(map(str, others)))}")
        rated = lf.with_columns(nw.lit(1.0).alias("fx_rate"))
    else:
        rated = lf.join(_rates_per_point(fx_rates, ends, currency), on=["currency", "_point"], how="left")
    nothing = nw.all_horizontal(*(nw.col(c) == 0 for c in cents), ignore_nulls=True)  # an empty book needs no rate
    rated = rated.with_columns(
        nw.when((nw.col("currency") == currency) | nothing).then(nw.lit(1.0)).otherwise(nw.col("fx_rate"))
        .alias("fx_rate"))
    missing = rated.filter(nw.col("fx_rate").is_null()).select("currency", "_point").unique().collect()
    if len(missing):
        point = ends[int(min(missing["_point"].to_list()))]
        codes = ", ".join(sorted({str(c) for c in missing["currency"].to_list()}))
        raise ArkitError(f"fx_rates have no rate to {currency} on or before {point} for: {codes}")
    converted = rated.with_columns((nw.col(c).cast(nw.Float64) * nw.col("fx_rate")).round(0).cast(nw.Int64)
                                   for c in cents)
    return converted.group_by(*keys, "_point").agg(nw.col(c).sum() for c in cents).with_columns(
        nw.col(c).cast(nw.Int64) for c in cents)


def with_period(lf: nw.LazyFrame, ends: list[dt.date]) -> nw.LazyFrame:
    """Replace the point index by the period end date and the period's days."""
    firsts = [ends[0].replace(day=1)] + [e + dt.timedelta(days=1) for e in ends[:-1]]
    period_end, days = nw.lit(ends[0], nw.Date), nw.lit((ends[0] - firsts[0]).days + 1)
    for p, (first, end) in enumerate(zip(firsts, ends)):
        period_end = nw.when(nw.col("_point") == p).then(nw.lit(end, nw.Date)).otherwise(period_end)
        days = nw.when(nw.col("_point") == p).then(nw.lit((end - first).days + 1)).otherwise(days)
    return lf.with_columns(period_end.alias("period_end"), days.cast(nw.Int64).alias("days"))


def period_setup(ledger, as_of, months, applications):
    """The as-of date of a monthly call (the ledger's latest date when None) and its month ends."""
    items, apps, _ = ledger_inputs(ledger, applications, None)
    if as_of is None:
        if isinstance(ledger, Ledger):
            as_of = ledger.latest_date()
        else:
            candidates = [latest(items, ["doc_date", "closed_date"])]
            if apps is not None:
                candidates.append(latest(apps, ["applied_date"]))
            as_of = max(d for d in candidates if d is not None)
    as_of = to_date(as_of)
    return as_of, month_ends(as_of, months)


def aging_trend(ledger, as_of=None, months: int = 12, by: str | Sequence[str] | None = None, *,
                basis: str = "due", buckets: Sequence[int] = DEFAULT_BUCKETS, currency: str | None = None,
                applications=None, fx_rates=None):
    """Aging at each of ``months`` month ends up to ``as_of``: one row per group and period end.

    Each row equals ``aging_summary(ledger, as_of=period_end, by=by, ...)`` for that date (the
    tests check it): the same buckets, ``total``, in document currency (``currency`` is a key)
    or converted at each period end's rate with ``currency=``. Group keys come out as text,
    blanks as ``(blank)`` (a date key as YYYY-MM-DD), so that no group drops out of the history.

    Examples
    --------
    >>> from arkit import load_ledger
    >>> from arkit.config import SAMPLES_DIR
    >>> trend = aging_trend(load_ledger(SAMPLES_DIR), months=3, currency="USD")
    >>> trend[["period_end", "current", "total"]].assign(period_end=lambda t: t["period_end"].astype(str))
       period_end     current       total
    0  2026-08-31  1387730.94  1627307.38
    1  2026-09-30  1554060.23  1798542.78
    2  2026-10-31  1309474.45  1604300.72
    """
    labels = bucket_labels(buckets)
    keys = group_keys(by)
    as_of, ends = period_setup(ledger, as_of, months, applications)
    advance(f"aging at {len(ends)} month ends")
    events, _, items, ledger_fx = money_events(ledger, applications, day_of(as_of), basis, keys)
    fx_rates = ledger_fx if fx_rates is None else fx_rates
    if currency is not None:
        check_target_currency(ledger, currency, fx_rates)
    carried = with_currency(keys)
    events = _condense(events, carried)
    day, base = nw.col("_day"), nw.col("_base_day")
    starts = {"_t": day} | {f"_s{i}": nw.max_horizontal(day, base + edge + 1)
                            for i, edge in enumerate([0, *buckets])}
    running = _running(events, starts, ends, carried)
    s = [nw.col(f"_s{i}") for i in range(len(buckets) + 1)]
    columns = [(nw.col("_t") - s[0]).alias(labels[0])]
    columns += [(s[i] - s[i + 1]).alias(labels[i + 1]) for i in range(len(buckets))]
    columns += [s[-1].alias(labels[-1])]
    out = running.select(*carried, "_point", *columns)
    out = convert_at_period_ends(out, keys, labels, currency, fx_rates, ends)
    if currency is not None:
        carried = keys
    out = out.with_columns(nw.sum_horizontal(labels).alias("total"))
    out = with_period(out, ends).with_columns((nw.col(c).cast(nw.Float64) / 100).round(2).alias(c) for c in [*labels, "total"])
    return finish_small(out.sort(*carried, "_point").select(*carried, "period_end", *labels, "total"), items)


def monthly_activity(ledger, as_of=None, months: int = 12, by: str | Sequence[str] | None = None, *,
                     currency: str | None = None, applications=None, fx_rates=None):
    """Each period's AR roll-forward, one row per group and period end.

    ``opening + invoiced + credits + collected + write_offs + adjustments + other_settlements =
    closing``, with amounts signed as in the ledger (credits, collections and write-offs
    negative), so the identity is a plain sum. ``other_settlements`` is what no document of the
    period explains: settlements known only by a closed date, or an application whose two sides
    fall in different periods; zero for a complete ledger. In document currency ``difference``
    checks the arithmetic (the closing book comes from the running balance, the flows from the
    documents of the period).
    With ``currency=``, flows and closing are converted at each period end's rate, ``opening``
    is the previous converted closing, and ``fx_revaluation`` is what the rate change moved.
    Group keys come out as text, as in :func:`aging_trend`.

    Examples
    --------
    >>> from arkit import load_ledger
    >>> from arkit.config import SAMPLES_DIR
    >>> months = monthly_activity(load_ledger(SAMPLES_DIR), months=2)
    >>> months[["currency", "opening", "invoiced", "collected", "closing", "difference"]].round(2).iloc[:2]
      currency    opening   invoiced  collected    closing  difference
    0      CAD  298640.02  398329.54 -322814.60  373830.76         0.0
    1      CAD  373830.76  344097.39 -375620.28  335005.04         0.0
    """
    keys = group_keys(by)
    as_of, ends = period_setup(ledger, as_of, months + 1, applications)
    advance(f"activity of {len(ends) - 1} months")
    events, documents, items, ledger_fx = money_events(ledger, applications, day_of(as_of), "due", keys)
    fx_rates = ledger_fx if fx_rates is None else fx_rates
    if currency is not None:
        check_target_currency(ledger, currency, fx_rates)
    carried = with_currency(keys)
    book = _running(events, {"closing": nw.col("_day")}, ends, carried)
    first_key = ends[0].year * 12 + ends[0].month - 1
    doc_type = nw.col("doc_type") if "doc_type" in documents.collect_schema() else nw.lit("invoice")
    flows = with_month_key(documents, "_doc_day", "_month").with_columns(
        (nw.col("_month") - first_key).alias("_point"),
        *(nw.when(doc_type.is_in(list(types))).then(nw.col("_cents")).otherwise(nw.lit(0)).alias(name)
          for name, types in ACTIVITY.items()),
    ).filter(nw.col("_point") >= 0).group_by(*carried, "_point").agg(nw.col(name).sum() for name in ACTIVITY)
    # Settlements that no document of the period explains: closed dates without a payment document,
    # or the two sides of an application falling in different periods. Zero for a complete ledger.
    settled = with_month_key(events.filter(nw.col("_move")), "_day", "_month").with_columns(
        (nw.col("_month") - first_key).alias("_point")).filter(nw.col("_point") >= 0).group_by(
        *carried, "_point").agg(nw.col("_cents").sum().alias("other_settlements"))
    flows = compute_small(flows)
    out = book.join(flows, on=[*carried, "_point"], how="left").join(
        compute_small(settled), on=[*carried, "_point"], how="left").with_columns(
        nw.col(name).fill_null(0).cast(nw.Int64) for name in FLOWS)
    out = convert_at_period_ends(out.select(*carried, "_point", *FLOWS, "closing"), keys, [*FLOWS, "closing"], currency,
                   fx_rates, ends)
    if currency is not None:
        carried = keys
    flow_sum = sum(nw.col(n) for n in FLOWS)
    out = out.with_columns(
        nw.col("closing").shift(1).over(*carried, order_by="_point").fill_null(0).cast(nw.Int64).alias("opening"))
    residual = (nw.col("closing") - nw.col("opening") - flow_sum)
    check = "fx_revaluation" if currency is not None else "difference"
    out = out.filter(nw.col("_point") >= 1).with_columns(
        (residual if currency is not None else -residual).alias(check))
    money = ["opening", *FLOWS, "closing", check]
    out = with_period(out, ends).with_columns((nw.col(c).cast(nw.Float64) / 100).round(2).alias(c) for c in money)
    return finish_small(out.sort(*carried, "_point").select(*carried, "period_end", "days", *money), items)
