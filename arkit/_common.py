"""Money and date helpers shared by the analytics (private to arkit: users never import it).

One place for each idea: integer cents of a money column, the as-of date of a call, day numbers
of date columns on every engine, the rate of each currency on a day, the group keys money is
summed by, and returning a result as the kind of frame the caller gave.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd

from arkit.errors import ArkitError
from arkit.ledger import Ledger

EPOCH = dt.date(1970, 1, 1)


def with_day_numbers(frame: nw.LazyFrame, **columns: str) -> nw.LazyFrame:
    """Add integer day numbers (days since 1970-01-01) of date columns: ``name=date_column``.

    Each engine's own date arithmetic where it has a fast one (numpy ``datetime64[D]`` for
    pandas, a Date-to-integer cast for Polars, ``date - DATE '1970-01-01'`` for DuckDB); else
    days-from-civil computed from year, month and day, the one day arithmetic that gives the same
    integers on every engine (ENGINES.md). Tests check both ways give the same numbers.
    """
    if frame.implementation is nw.Implementation.PANDAS:
        native = frame.to_native()
        if all(native[c].dtype.kind == "M" and np.datetime_data(native[c].dtype)[0] in ("s", "ms", "us", "ns")
               for c in columns.values()):
            return nw.from_native(native.assign(**{name: _numpy_days(native[c]) for name, c in columns.items()})).lazy()
    exprs = _day_exprs(frame, columns)
    if exprs is not None:
        return frame.with_columns(expr.alias(name) for name, expr in exprs.items())
    return civil_day_numbers(frame, **columns)


def day_numbers(frame: nw.LazyFrame, **columns: str) -> tuple[nw.LazyFrame, dict[str, nw.Expr]]:
    """The day numbers of :func:`with_day_numbers` as an expression per ``name``, and the frame they read.

    Where the engine turns a date into its day number in one expression (Polars, DuckDB), the
    frame is returned as it is and each expression computes the number, so that a caller reads it
    in the same projection as what it derives from it (on DuckDB each step is a relation the
    engine binds again on every call). Elsewhere the columns are added by :func:`with_day_numbers`
    and the expressions name them.
    """
    exprs = _day_exprs(frame, columns)
    if exprs is not None:
        return frame, exprs
    return with_day_numbers(frame, **columns), {name: nw.col(name) for name in columns}


def _day_exprs(frame: nw.LazyFrame, columns: dict[str, str]) -> dict[str, nw.Expr] | None:
    """Day number expressions on the engines that have a direct one (Polars, DuckDB), else None."""
    impl = frame.implementation
    if impl is nw.Implementation.POLARS:
        return {name: nw.col(c).cast(nw.Date).cast(nw.Int32).cast(nw.Int64) for name, c in columns.items()}
    if impl is nw.Implementation.DUCKDB:
        return {name: (nw.col(c).cast(nw.Date) - nw.lit(EPOCH)).cast(nw.Int64) for name, c in columns.items()}
    return None


def _numpy_days(dates: pd.Series) -> pd.Series:
    values = dates.to_numpy()
    unit, count = np.datetime_data(values.dtype)
    per_day = 86_400 * {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}[unit] // count
    days = values.view("int64") // per_day  # floor division: right for dates before 1970 too
    missing = np.isnat(values)
    if missing.any():
        return pd.Series(pd.arrays.IntegerArray(days, missing), index=dates.index)
    return pd.Series(days, index=dates.index)


def civil_day_numbers(frame: nw.LazyFrame, **columns: str) -> nw.LazyFrame:
    """:func:`with_day_numbers` through year, month and day only: works on every engine.

    Two plain steps, so that no engine evaluates the date parts more than once.
    """
    parts = []
    for name, column in columns.items():
        date = nw.col(column).cast(nw.Date)
        month = date.dt.month().cast(nw.Int64)
        parts += [
            (date.dt.year().cast(nw.Int64) - (month <= 2).cast(nw.Int64)).alias(f"{name}_y"),
            nw.when(month > 2).then(month - 3).otherwise(month + 9).alias(f"{name}_m"),
            date.dt.day().cast(nw.Int64).alias(f"{name}_d"),
        ]
    frame = frame.with_columns(parts)
    days = []
    for name in columns:
        year, month, day = (nw.col(f"{name}_{part}") for part in "ymd")
        days.append((year * 365 + year // 4 - year // 100 + year // 400 + (153 * month + 2) // 5 + day
                     - 719469).alias(name))
    return frame.with_columns(days).drop([f"{name}_{part}" for name in columns for part in "ymd"])


def to_cents(expr: nw.Expr) -> nw.Expr:
    return (expr * 100).round(0).cast(nw.Int64)


def to_date(value, what: str = "as_of") -> dt.date:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ArkitError(f"{what}: cannot read {value!r} as a date; write it as YYYY-MM-DD") from None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return pd.Timestamp(value).date()
    except (TypeError, ValueError):
        raise ArkitError(f"{what}: cannot read {value!r} as a date") from None


def ledger_as_of(ledger: Ledger, as_of) -> dt.date:
    """``as_of`` as a date, or the ledger's latest date when it is None (the default everywhere)."""
    return ledger.latest_date() if as_of is None else to_date(as_of)


def day_of(date: dt.date) -> int:
    return (date - EPOCH).days


def latest(frame, columns: Sequence[str]) -> dt.date | None:
    lf = nw.from_native(frame).lazy()
    present = [c for c in columns if c in lf.collect_schema().names()]
    if not present:
        return None
    row = lf.select(nw.col(c).cast(nw.Date).max() for c in present).collect().rows()[0]
    dates = [to_date(v) for v in row if v is not None and not pd.isna(v)]
    return max(dates) if dates else None


def ledger_inputs(ledger, applications, fx_rates):
    """The native items (with customer attributes for a Ledger), applications and fx rates."""
    if not isinstance(ledger, Ledger):
        return ledger, applications, fx_rates
    items = ledger.items
    if ledger.customers is not None:
        extra = [c for c in ledger.customers.columns if c not in items.columns]
        if extra:
            items = items.merge(ledger.customers[["customer_id", *extra]], on="customer_id", how="left")
    applications = ledger.applications if applications is None else applications
    if applications is not None and len(applications) == 0:
        applications = None
    return items, applications, ledger.fx_rates if fx_rates is None else fx_rates


def finish(lf: nw.LazyFrame, like):
    """Return ``lf`` as the caller's kind: eager in, eager out; lazy in, lazy out."""
    if not isinstance(nw.from_native(like), nw.DataFrame):
        return lf.to_native()
    native = lf.collect().to_native()
    return native.reset_index(drop=True) if isinstance(native, pd.DataFrame) else native


def fx_rates_on(fx_rates, as_of_day: int) -> nw.LazyFrame:
    """Each currency's latest rate dated on or before ``as_of``."""
    rates = with_day_numbers(nw.from_native(fx_rates).lazy(), _day="date")
    rates = rates.filter(nw.col("_day") <= as_of_day)
    newest = rates.group_by("currency").agg(nw.col("_day").max())
    return rates.join(newest, on=["currency", "_day"]).select("currency", nw.col("rate").alias("fx_rate"))


def money_keys(schema, keys: list[str]) -> list[str]:
    """Unconverted amounts are summed per currency too: currencies are never added together."""
    if "fx_rate" not in schema and "currency" in schema and "currency" not in keys:
        return [*keys, "currency"]
    return keys


def group_keys(by) -> list[str]:
    return [] if by is None else [by] if isinstance(by, str) else list(by)


def with_currency(keys: list[str]) -> list[str]:
    """The group keys and ``currency``, once: money in document currency is never added across
    currencies, and a ``by`` that already names ``currency`` must not carry it twice."""
    return [*dict.fromkeys([*keys, "currency"])]


def compute_small(lf: nw.LazyFrame) -> nw.LazyFrame:
    """Compute a small result (groups x period ends) now, so that the many steps that follow
    do not make a SQL engine recompute the scan of the whole history for each of them."""
    native = lf.implementation.is_pandas() or lf.implementation.is_polars()
    return (lf.collect() if native else lf.collect(backend="pandas")).lazy()


def finish_small(lf: nw.LazyFrame, like):
    """Return a small computed result as the caller's kind of frame."""
    like = nw.from_native(like)
    native = lf.collect().to_native()
    if hasattr(native, "reset_index"):  # pandas: a clean index, which Arrow would otherwise carry along
        native = native.reset_index(drop=True)
    if isinstance(like, nw.DataFrame):
        return native
    return nw.from_native(native, eager_only=True).lazy(backend=like.implementation).to_native()
