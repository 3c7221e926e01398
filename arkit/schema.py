"""The canonical tables of a ledger, declared once, and the check that coerces a frame to them.

Every loader ends in :func:`validate_table`; everything downstream trusts its output: ids are
text, dates are ``datetime64``, money is ``float64`` (two decimals), flags are ``bool``.
Columns that no spec names are kept untouched as extra attributes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from arkit.errors import LedgerError

__all__ = ["Column", "TableSpec", "TABLES", "DOC_TYPES", "validate_table", "terms_days"]

DOC_TYPES = ("invoice", "credit_memo", "debit_memo", "payment", "adjustment", "write_off")
MISSING_TEXT = {"", "null", "none", "nan", "n/a", "na", "-"}
TRUE_TEXT = {"true", "t", "yes", "y", "1"}
FALSE_TEXT = {"false", "f", "no", "n", "0"}


@dataclass(frozen=True)
class Column:
    """One canonical column: its name, kind (text, date, money, number, bool) and if required."""

    name: str
    kind: str
    required: bool = False


@dataclass(frozen=True)
class TableSpec:
    """A canonical table: its name, its columns, and the columns that identify a row."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]


def _cols(spec: str) -> tuple[Column, ...]:
    """Parse ``"name:kind! other:kind"`` (``!`` marks required) into columns."""
    out = []
    for token in spec.split():
        name, kind = token.split(":")
        out.append(Column(name, kind.rstrip("!"), kind.endswith("!")))
    return tuple(out)


TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        TableSpec(
            "items",
            _cols(
                "document_id:text! customer_id:text! doc_date:date! amount:money! doc_type:text "
                "due_date:date open_amount:money closed_date:date currency:text customer_name:text "
                "terms:text reference:text region:text sales_rep:text collector:text "
                "business_unit:text segment:text disputed:bool"
            ),
            key=("document_id",),
        ),
        TableSpec(
            "applications",
            _cols("source_id:text! target_id:text! amount:money! applied_date:date!"),
        ),
        TableSpec(
            "customers",
            _cols(
                "customer_id:text! customer_name:text credit_limit:money terms:text segment:text "
                "region:text sales_rep:text collector:text country:text since:date"
            ),
            key=("customer_id",),
        ),
        TableSpec(
            "disputes",
            _cols(
                "dispute_id:text! document_id:text customer_id:text! reason_code:text amount:money "
                "opened_date:date! closed_date:date owner:text status:text resolution:text notes:text"
            ),
            key=("dispute_id",),
        ),
        TableSpec(
            "activities",
            _cols(
                "customer_id:text! document_id:text date:date! kind:text! outcome:text "
                "promised_amount:money promised_date:date collector:text notes:text"
            ),
        ),
        TableSpec(
            "payments",
            _cols(
                "payment_id:text! customer_id:text date:date! amount:money! currency:text "
                "payer_name:text remittance:text"
            ),
            key=("payment_id",),
        ),
        TableSpec("fx_rates", _cols("currency:text! date:date! rate:number!"), key=("currency", "date")),
    )
}


def terms_days(terms: pd.Series) -> pd.Series:
    """Days of credit in a payment-terms text ("NET30", "Net 45", "30 days"); NA where none.

    Examples
    --------
    >>> terms_days(pd.Series(["NET30", "Net 45", "due on receipt", None])).tolist()
    [30.0, 45.0, nan, nan]
    """
    digits = terms.astype("str").str.extract(r"(\d+)", expand=False)
    return pd.to_numeric(digits, errors="coerce").astype("float64")


def _where(source: str | None, positions, column: str) -> str:
    """'file.csv line 7, column amount' for files (header is line 1), 'items row 5' for frames."""
    first = positions[0]
    more = f" (and {len(positions) - 1} more)" if len(positions) > 1 else ""
    if source and source.endswith((".csv", ".txt", ".tsv")):
        return f"{source} line {first + 2}{more}, column {column!r}"
    return f"{source or 'table'} row {first}{more}, column {column!r}"


def _missing(values: pd.Series) -> pd.Series:
    return values.isna() | values.astype("str").str.strip().str.lower().isin(MISSING_TEXT)


def _coerce(values: pd.Series, kind: str, source: str | None, column: str) -> pd.Series:
    missing = _missing(values)
    text = values.astype("str").str.strip()
    if kind == "text":
        return text.where(~missing, None).astype("str")
    if kind == "date":
        if pd.api.types.is_datetime64_any_dtype(values):
            parsed = values.dt.tz_localize(None) if values.dt.tz is not None else values
        else:
            parsed = pd.to_datetime(text.where(~missing, None), format="ISO8601", errors="coerce")
        parsed = parsed.dt.normalize().astype("datetime64[s]")
    elif kind == "bool":
        lowered = text.str.lower()
        parsed = pd.Series(pd.NA, index=values.index, dtype="boolean")
        parsed[lowered.isin(TRUE_TEXT)] = True
        parsed[lowered.isin(FALSE_TEXT)] = False
    else:
        parsed = pd.to_numeric(text.where(~missing, None).str.replace(",", "", regex=False), errors="coerce")
        parsed = parsed.astype("float64")
        if kind == "money":
            parsed = parsed.round(2)
    bad = parsed.isna() & ~missing
    if bad.any():
        positions = [i for i, flag in enumerate(bad.to_numpy()) if flag]
        raise LedgerError(
            f"{_where(source, positions, column)}: cannot read {values.iloc[positions[0]]!r} as {kind}"
            + (" (write dates as YYYY-MM-DD)" if kind == "date" else "")
        )
    if kind == "bool":
        return parsed.fillna(False).astype("bool")
    return parsed


def validate_table(frame: pd.DataFrame, spec: TableSpec | str, *, source: str | None = None,
                   currency: str = "USD") -> pd.DataFrame:
    """Return a copy of ``frame`` coerced to the canonical ``spec``, or raise :class:`LedgerError`.

    Required columns must be present and filled; dates, money and flags must parse. Items get
    their defaults: ``doc_type`` from the sign, ``due_date`` from ``doc_date`` + terms days,
    ``currency`` from the ledger's. Unknown columns are kept as they are.

    Examples
    --------
    >>> raw = pd.DataFrame({"document_id": ["007"], "customer_id": ["C1"],
    ...                     "doc_date": ["2026-01-31"], "amount": ["1,250.50"], "terms": ["NET30"]})
    >>> items = validate_table(raw, "items")
    >>> items[["document_id", "doc_type", "due_date", "amount"]]
      document_id doc_type   due_date  amount
    0         007  invoice 2026-03-02  1250.5
    """
    spec = TABLES[spec] if isinstance(spec, str) else spec
    label = source or spec.name
    if not isinstance(frame, pd.DataFrame):
        raise LedgerError(f"{label}: expected a pandas DataFrame for table {spec.name!r}, got {type(frame).__name__}")
    absent = [name for name in spec.required if name not in frame.columns]
    if absent:
        raise LedgerError(
            f"{label}: table {spec.name!r} lacks required column(s) {', '.join(absent)}; "
            f"columns found: {', '.join(map(str, frame.columns)) or 'none'}"
        )
    out = frame.reset_index(drop=True).copy()
    for column in spec.columns:
        if column.name in out.columns:
            out[column.name] = _coerce(out[column.name], column.kind, source or spec.name, column.name)
            if column.required and out[column.name].isna().any():
                positions = [i for i, flag in enumerate(out[column.name].isna().to_numpy()) if flag]
                raise LedgerError(f"{_where(source or spec.name, positions, column.name)}: value is required")
    if spec.name == "items":
        out = _item_defaults(out, source or spec.name, currency)
    if spec.key:
        dupes = out.duplicated(list(spec.key), keep=False)
        if dupes.any():
            positions = [i for i, flag in enumerate(dupes.to_numpy()) if flag]
            key = ", ".join(spec.key)
            value = ", ".join(str(v) for v in out.loc[positions[0], list(spec.key)])
            raise LedgerError(
                f"{_where(source or spec.name, positions, key)}: {key} {value!r} "
                "appears more than once; each must be unique"
            )
    return out


def _item_defaults(items: pd.DataFrame, source: str, currency: str) -> pd.DataFrame:
    sign_type = pd.Series(np.where(items["amount"] >= 0, "invoice", "credit_memo"), index=items.index, dtype="str")
    if "doc_type" in items.columns:
        normalized = items["doc_type"].str.lower().str.replace(r"[\s\-]+", "_", regex=True)
        items["doc_type"] = normalized.fillna(sign_type)
        unknown = ~items["doc_type"].isin(DOC_TYPES)
        if unknown.any():
            positions = [i for i, flag in enumerate(unknown.to_numpy()) if flag]
            raise LedgerError(
                f"{_where(source, positions, 'doc_type')}: unknown document type "
                f"{items['doc_type'].iloc[positions[0]]!r}; use one of {', '.join(DOC_TYPES)}"
            )
    else:
        items["doc_type"] = sign_type
    default_due = items["doc_date"]
    if "terms" in items.columns:
        days = terms_days(items["terms"]).fillna(0)
        default_due = items["doc_date"] + pd.to_timedelta(days, unit="D")
    items["due_date"] = items["due_date"].fillna(default_due) if "due_date" in items.columns else default_due
    items["due_date"] = items["due_date"].astype("datetime64[s]")
    if "currency" in items.columns:
        items["currency"] = items["currency"].str.upper().fillna(currency)
    else:
        items["currency"] = currency
    items["currency"] = items["currency"].astype("str")
    if "disputed" not in items.columns:
        items["disputed"] = False
    return items
