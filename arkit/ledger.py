"""The Ledger: the validated canonical tables that every analytic in arkit reads."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import narwhals.stable.v2 as nw
import pandas as pd

from arkit.errors import LedgerError
from arkit.parsing import isin
from arkit.schema import validate_table

__all__ = ["Ledger", "TABLE_NAMES"]

TABLE_NAMES = ("items", "customers", "applications", "disputes", "activities", "payments", "fx_rates")


def _to_pandas(frame, name: str) -> pd.DataFrame:
    if isinstance(frame, pd.DataFrame):
        return frame
    try:
        native = nw.from_native(frame)
    except TypeError:
        raise LedgerError(f"table {name!r}: expected a data frame, got {type(frame).__name__}") from None
    if isinstance(native, nw.LazyFrame):
        native = native.collect()
    return native.to_pandas()


@dataclass(frozen=True, eq=False)
class Ledger:
    """The canonical tables of one AR ledger, checked on construction.

    ``items`` is required; the other tables are optional. Frames of any kind Narwhals knows
    (pandas, Polars, DuckDB) are accepted and stored as pandas. ``currency`` is the reporting
    currency that ``fx_rates`` convert to; ``sources`` maps a table to the file it came from,
    so errors name the file and line. ``features`` names item or customer columns known when an
    invoice is issued, which the risk model uses as features (a mapping's ``features``).

    Examples
    --------
    >>> items = pd.DataFrame({"document_id": ["INV1", "PMT1"], "customer_id": ["C1", "C1"],
    ...                       "doc_date": ["2026-01-01", "2026-01-20"], "amount": [100.0, -60.0]})
    >>> apps = pd.DataFrame({"source_id": ["PMT1"], "target_id": ["INV1"], "amount": [60.0],
    ...                      "applied_date": ["2026-01-20"]})
    >>> ledger = Ledger(items, applications=apps)
    >>> ledger
    Ledger(currency='USD', items=2, applications=1)
    >>> ledger.latest_date()
    datetime.date(2026, 1, 20)
    """

    items: pd.DataFrame
    customers: pd.DataFrame | None = None
    applications: pd.DataFrame | None = None
    disputes: pd.DataFrame | None = None
    activities: pd.DataFrame | None = None
    payments: pd.DataFrame | None = None
    fx_rates: pd.DataFrame | None = None
    currency: str = "USD"
    sources: dict[str, str] = field(default_factory=dict, repr=False)
    features: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.currency, str) or len(self.currency) != 3:
            raise LedgerError(f"ledger currency must be an ISO 4217 code such as 'USD', got {self.currency!r}")
        for name in TABLE_NAMES:
            frame = getattr(self, name)
            if frame is None:
                continue
            checked = validate_table(_to_pandas(frame, name), name, source=self.sources.get(name),
                                     currency=self.currency)
            object.__setattr__(self, name, checked)
        self._check_references()
        self._check_features()

    @classmethod
    def _trusted(cls, tables: dict[str, pd.DataFrame], *, currency: str, sources: dict[str, str],
                 features: tuple[str, ...] = ()) -> "Ledger":
        """A ledger of tables the loaders already coerced: no second parse, same cross-table checks."""
        ledger = object.__new__(cls)
        for name in TABLE_NAMES:
            object.__setattr__(ledger, name, tables.get(name))
        object.__setattr__(ledger, "currency", currency)
        object.__setattr__(ledger, "sources", dict(sources))
        object.__setattr__(ledger, "features", tuple(features))
        ledger._check_references()
        ledger._check_features()
        return ledger

    def _check_features(self) -> None:
        names = (self.features,) if isinstance(self.features, str) else tuple(self.features)
        object.__setattr__(self, "features", names)
        columns = set(self.items.columns) | (set(self.customers.columns) if self.customers is not None else set())
        missing = [name for name in self.features if name not in columns]
        if missing:
            raise LedgerError(f"features {', '.join(map(repr, missing))} are not columns of items or customers; "
                              f"items has: {', '.join(map(str, self.items.columns))}")

    def _check_references(self) -> None:
        if self.applications is None:
            return
        for column in ("source_id", "target_id"):
            unknown = ~isin(self.applications[column], self.items["document_id"])
            if unknown.any():
                position = int(unknown.to_numpy().nonzero()[0][0])
                where = self.sources.get("applications", "applications")
                line = f"line {position + 2}" if where.endswith(".csv") else f"row {position}"
                raise LedgerError(
                    f"{where} {line}, column {column!r}: document "
                    f"{self.applications[column].iloc[position]!r} is not in items "
                    f"({int(unknown.sum())} application(s) point to unknown documents)"
                )

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables present, by name."""
        return {name: getattr(self, name) for name in TABLE_NAMES if getattr(self, name) is not None}

    def latest_date(self) -> dt.date:
        """The latest document, application or settlement date: the default ``as_of``."""
        dates = [self.items["doc_date"].max()]
        if "closed_date" in self.items.columns:
            dates.append(self.items["closed_date"].max())
        if self.applications is not None and len(self.applications):
            dates.append(self.applications["applied_date"].max())
        known = [d for d in dates if pd.notna(d)]
        if not known:
            raise LedgerError("the ledger has no dated items (were all rows rejected? `arkit load` lists them)")
        return max(known).date()

    def __repr__(self) -> str:
        sizes = ", ".join(f"{name}={len(frame)}" for name, frame in self.tables.items())
        return f"Ledger(currency={self.currency!r}, {sizes})"

