"""The canonical tables of a ledger, declared once, and the check that coerces a frame to them.

Every loader ends in :func:`validate_table`; everything downstream trusts its output: ids are
text, dates are ``datetime64``, money is ``float64`` rounded to its currency's minor unit (two
decimals but for JPY, KWD and the like), other numbers (``fx_rates.rate``) keep every decimal
they are given, flags are ``bool``.
Columns that no spec names are kept untouched as extra attributes.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute  # noqa: F401  (pa.compute)

from arkit.errors import LedgerError
from arkit.parsing import (MONEY_DIGITS, clean_text, normalize_ids, on_distinct, parse_dates, parse_flags, parse_money,
                           parse_numbers)

__all__ = ["Column", "TableSpec", "TABLES", "DOC_TYPES", "ID_COLUMNS", "PAYMENT_COLUMNS", "coerce_table",
           "validate_table", "validate_payments", "terms_days"]

DOC_TYPES = ("invoice", "credit_memo", "debit_memo", "payment", "adjustment", "write_off")
CODE_COLUMNS = frozenset({"currency", "doc_type", "terms", "kind", "status"})  # NULL / N/A mean missing here
ID_COLUMNS = frozenset({"document_id", "customer_id", "source_id", "target_id", "dispute_id", "payment_id"})


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
PAYMENT_COLUMNS = tuple(c.name for c in TABLES["payments"].columns)  # the layout of bank lines for cash application


def terms_days(terms: pd.Series) -> pd.Series:
    """Days of credit in a payment-terms text ("NET30", "Net 45", "30 days"); NA where none.

    Examples
    --------
    The number after "NET" wins, else the last number: "2/10 NET 30" is 30 days (the 10 is
    the early-payment discount window).

    >>> terms_days(pd.Series(["NET30", "Net 45", "2/10 NET 30", "30 days", "due on receipt", None])).tolist()
    [30.0, 45.0, 30.0, 30.0, nan, nan]
    """
    text = terms.astype("str")
    digits = text.str.extract(r"(?i)net\s*(\d+)", expand=False).fillna(text.str.extract(r"(\d+)\D*$", expand=False))
    return pd.to_numeric(digits, errors="coerce").astype("float64")


PROBLEM_COLUMNS = ["position", "column", "value", "reason"]
NEGATED = ("amount", "open_amount")  # the signed columns that a mapping's ``sign: negate`` flips


def _coerce(values: pd.Series, kind: str, column: str, *, date_format, decimal, where: str):
    """Parsed values, the mask of unreadable cells, and how many ids were repaired."""
    if kind == "text":
        if column in ID_COLUMNS:
            ids, repaired = normalize_ids(values)
            return ids, pd.Series(False, index=values.index), repaired
        free_text = column not in CODE_COLUMNS
        words = _doc_type_words if column == "doc_type" else (lambda text: text)  # one pass over the distinct values
        text, = on_distinct(values, lambda v: (words(clean_text(v, free_text=free_text)),))
        return text, pd.Series(False, index=values.index), 0
    if kind == "date":
        return (*parse_dates(values, date_format, where=f"{where} column {column!r}"), 0)
    if kind == "bool":
        return (*parse_flags(values), 0)
    return (*parse_numbers(values, decimal, where=f"{where} column {column!r}"), 0)


def _row_currencies(table: pd.DataFrame, currency: str) -> pd.Series | str:
    """The currency of each row: its own (a parsed ``currency`` column), else ``currency``."""
    if "currency" not in table.columns:
        return currency
    upper, = on_distinct(table["currency"], lambda v: (v.str.upper(),))
    return upper.fillna(currency)


def coerce_table(frame: pd.DataFrame, spec: TableSpec | str, *, currency: str = "USD",
                 date_format: str | None = None, decimal: str | None = None, where: str | None = None,
                 implied_decimals: int = 0, negate: bool = False) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Coerce the canonical columns of ``frame``; return ``(table, problems, warnings)``.

    ``problems`` has one row per unusable cell (``position``, ``column``, ``value``,
    ``reason``): a value that does not parse, a required value that is missing, an unknown
    document type. Those rows stay in ``table`` for the caller to quarantine or refuse. A
    missing required column raises :class:`LedgerError` at once, naming the headers found.

    Money is read with :func:`~arkit.parsing.parse_money` in each row's currency (``currency``
    for rows that carry none), after ``implied_decimals`` and with ``negate`` applied to
    ``amount`` and ``open_amount``. A money column with values rounded to their currency gets a
    warning, and ``table.attrs["rounding"]`` maps it to ``(rounded, difference)``: how many
    values were rounded and the exact total that rounding took off (see
    :class:`~arkit.parsing.Money`).

    Examples
    --------
    >>> raw = pd.DataFrame({"document_id": ["7", "8"], "customer_id": ["C1", ""],
    ...                     "doc_date": ["2026-01-31", "2026-02-01"], "amount": ["10", "x"]})
    >>> table, problems, warnings = coerce_table(raw, "items")
    >>> problems[["position", "column", "reason"]].to_dict("records")
    [{'position': 1, 'column': 'customer_id', 'reason': 'customer_id is required'}, {'position': 1, 'column': 'amount', 'reason': "cannot read 'x' as money"}]
    """
    spec = TABLES[spec] if isinstance(spec, str) else spec
    where = where or spec.name
    if not isinstance(frame, pd.DataFrame):
        raise LedgerError(f"{where}: expected a pandas DataFrame for table {spec.name!r}, got {type(frame).__name__}")
    absent = [name for name in spec.required if name not in frame.columns]
    if absent:
        headers = [str(c) for c in frame.columns]
        close = {name: difflib.get_close_matches(name, headers, n=1, cutoff=0.5) for name in absent}
        hints = "; ".join(f"{name} might be {match[0]!r}" for name, match in close.items() if match)
        raise LedgerError(
            f"{where}: table {spec.name!r} lacks required column(s) {', '.join(absent)}"
            + (f" ({hints})" if hints else "")
            + f"; columns found: {', '.join(headers) or 'none'}. Give a mapping (--mapping, --preset) "
            "or see `arkit load SOURCE --suggest-mapping`"
        )
    table = frame.reset_index(drop=True).copy()
    problems, warnings, rounding, currencies = [], [], {}, None
    # Money last: its rounding depends on the row's currency.
    for column in sorted(spec.columns, key=lambda c: c.kind == "money"):
        if column.name not in table.columns:
            continue
        raw = table[column.name]
        if column.kind == "money":
            currencies = _row_currencies(table, currency) if currencies is None else currencies
            money = parse_money(raw, currencies, decimal, where=f"{where} column {column.name!r}",
                                implied_decimals=implied_decimals, negate=negate and column.name in NEGATED)
            parsed, bad, repaired = money.amounts, money.unreadable, 0
            for position in money.too_large.to_numpy().nonzero()[0]:
                problems.append((position, column.name, raw.iloc[position],
                                 f"{raw.iloc[position]!r} is too large: money keeps at most {MONEY_DIGITS} digits "
                                 "counting its currency's decimals (USD up to 9,999,999,999,999.99)"))
            reported = bad | money.too_large
            if money.rounded:
                rounding[column.name] = (money.rounded, money.difference)
                warnings.append(f"{where}: {money.rounded:,} {column.name} value(s) had more decimals than their "
                                f"currency has (ISO 4217: USD 2, JPY 0, KWD 3); rounded half to even, which changed "
                                f"the total by {-money.difference:+,f}")
        else:
            parsed, bad, repaired = _coerce(raw, column.kind, column.name, date_format=date_format, decimal=decimal,
                                            where=where)
            reported = bad
        if repaired:
            warnings.append(f"{where}: {repaired} {column.name} value(s) written as decimals (like '123.0') "
                            "were read as whole ids")
        for position in bad.to_numpy().nonzero()[0]:
            problems.append((position, column.name, raw.iloc[position], f"cannot read {raw.iloc[position]!r} as {column.kind}"))
        if column.required:
            for position in (parsed.isna() & ~reported).to_numpy().nonzero()[0]:
                problems.append((position, column.name, raw.iloc[position], f"{column.name} is required"))
        table[column.name] = parsed
    if spec.name == "items":
        table = _item_defaults(table, currency, currencies)
        unknown = ~table["doc_type"].isin(DOC_TYPES)
        for position in unknown.to_numpy().nonzero()[0]:
            value = table["doc_type"].iloc[position]
            problems.append((position, "doc_type", value,
                             f"unknown document type {value!r}; use one of {', '.join(DOC_TYPES)}"))
    problems = pd.DataFrame(problems, columns=PROBLEM_COLUMNS).sort_values(["position"], kind="stable")
    table.attrs["rounding"] = rounding
    return table, problems.reset_index(drop=True), warnings


def duplicate_keys(table: pd.DataFrame, spec: TableSpec | str) -> pd.Series:
    """Rows whose key (``document_id`` for items) repeats an earlier row's."""
    spec = TABLES[spec] if isinstance(spec, str) else spec
    if not spec.key or not set(spec.key) <= set(table.columns):
        return pd.Series(False, index=table.index)
    if len(spec.key) == 1 and (_strictly_increasing(table[spec.key[0]]) or pd.Index(table[spec.key[0]]).is_unique):
        return pd.Series(False, index=table.index)  # the usual case, and 3x cheaper than duplicated()
    return table.duplicated(list(spec.key), keep="first")


def _strictly_increasing(values: pd.Series) -> bool:
    """Text ids each greater than the one before (exports sorted by document number): then they
    are unique, found in one comparison of neighbours instead of a hash of every id."""
    if len(values) < 2 or not pd.api.types.is_string_dtype(values) or values.dtype == object:
        return False
    ids = pa.array(values.array)  # Arrow-backed text: no copy (a chunked array as read)
    if ids.null_count or not (pa.types.is_string(ids.type) or pa.types.is_large_string(ids.type)):
        return False
    return bool(pa.compute.all(pa.compute.greater(ids.slice(1), ids.slice(0, len(ids) - 1))).as_py())


def validate_table(frame: pd.DataFrame, spec: TableSpec | str, *, source: str | None = None,
                   currency: str = "USD") -> pd.DataFrame:
    """Return a copy of ``frame`` coerced to the canonical ``spec``, or raise :class:`LedgerError`.

    Strict: the first unusable value or repeated key raises, naming the row and column (loaders
    quarantine such rows instead; see :func:`arkit.load`). Items get their defaults:
    ``doc_type`` from the sign, ``due_date`` from ``doc_date`` + terms days, ``currency`` from
    the ledger's. Unknown columns are kept as they are.

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
    where = source or spec.name
    table, problems, _ = coerce_table(frame, spec, currency=currency, where=where)
    table.attrs.pop("rounding", None)
    if len(problems):
        first = problems.iloc[0]
        more = f" ({len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        raise LedgerError(f"{where} row {first['position']}, column {first['column']!r}: {first['reason']}{more}")
    repeated = duplicate_keys(table, spec)
    if repeated.any():
        position = int(repeated.to_numpy().nonzero()[0][0])
        key = ", ".join(spec.key)
        value = ", ".join(str(v) for v in table.loc[position, list(spec.key)])
        raise LedgerError(f"{where} row {position}, column {key!r}: {key} {value!r} appears more than once; "
                          "each must be unique")
    return table


def validate_payments(frame: pd.DataFrame, *, source: str = "payments") -> pd.DataFrame:
    """Return ``frame`` coerced to the payments table (:data:`PAYMENT_COLUMNS`), or raise.

    The one check of payments at every boundary: bank statements read by
    :func:`arkit.loaders.bank.read_payments` and frames given to :func:`arkit.apply_cash`. The
    first bad row raises :class:`LedgerError` naming ``source``, the row (counted from 1), its
    ``payment_id`` and the column: an id or date that is missing or unreadable, an amount that
    is not a positive number, an id that repeats. Absent optional columns are added, empty.

    Examples
    --------
    >>> raw = pd.DataFrame({"payment_id": ["P1", "P2"], "date": ["2026-03-02", "2026-03-03"],
    ...                     "amount": ["125.50", "-3"]})
    >>> validate_payments(raw)
    Traceback (most recent call last):
    ...
    arkit.errors.LedgerError: payments row 2 (P2), column amount: '-3' is not a positive amount
    """
    spec = TABLES["payments"]
    if not isinstance(frame, pd.DataFrame):
        raise LedgerError(f"{source} must be a pandas DataFrame in the payments layout "
                          f"({', '.join(PAYMENT_COLUMNS)}); read a file with arkit.loaders.bank.read_payments")
    missing = [c for c in spec.required if c not in frame]
    if missing:
        raise LedgerError(f"{source} lack the column(s) {', '.join(missing)} (layout: {', '.join(PAYMENT_COLUMNS)})")
    table, problems, _ = coerce_table(frame, spec, where=source)
    amount = problems["column"].eq("amount") & problems["reason"].str.startswith("cannot read")
    problems.loc[amount, "reason"] = [f"{str(v)!r} is not a positive amount" for v in problems.loc[amount, "value"]]
    not_positive = table["amount"].le(0).to_numpy().nonzero()[0]
    if len(not_positive):
        problems = pd.concat([problems, pd.DataFrame({
            "position": not_positive, "column": "amount", "value": frame["amount"].iloc[not_positive].to_numpy(),
            "reason": [f"{str(v)!r} is not a positive amount" for v in frame["amount"].iloc[not_positive]]})])
    if len(problems):
        first = problems.sort_values("position", kind="stable").iloc[0]
        position = int(first["position"])
        raise LedgerError(f"{source} row {position + 1} ({frame['payment_id'].iloc[position]}), "
                          f"column {first['column']}: {first['reason']}")
    repeated = table["payment_id"].duplicated()
    if repeated.any():
        raise LedgerError(f"{source}: payment_id {table['payment_id'][repeated].iloc[0]!r} occurs twice; "
                          "each bank line needs its own id")
    for column in PAYMENT_COLUMNS:
        if column not in table:
            table[column] = pd.Series(pd.NA, index=table.index, dtype="str")
    return table


def _doc_type_words(text: pd.Series) -> pd.Series:
    """A document type as a key: "Credit Memo" and "credit-memo" are ``credit_memo``."""
    return text.str.lower().str.replace(r"[\s\-]+", "_", regex=True)


def _item_defaults(items: pd.DataFrame, currency: str, currencies: pd.Series | str) -> pd.DataFrame:
    """Defaults of items, whose ``doc_type`` is already in :func:`_doc_type_words` and whose
    ``currencies`` (see :func:`_row_currencies`) the money columns were read in."""
    def by_sign(rows) -> pd.Series:
        return pd.Series(np.where(items.loc[rows, "amount"] >= 0, "invoice", "credit_memo"), index=items.index[rows],
                         dtype="str")

    if "doc_type" in items.columns:
        normalized = items["doc_type"]
        untyped = normalized.isna().to_numpy()
        items["doc_type"] = normalized.fillna(by_sign(untyped)) if untyped.any() else normalized
    else:
        items["doc_type"] = by_sign(np.ones(len(items), dtype=bool))
    default_due = items["doc_date"]
    if "terms" in items.columns:
        days = terms_days(items["terms"]).fillna(0)
        default_due = items["doc_date"] + pd.to_timedelta(days, unit="D")
    items["due_date"] = items["due_date"].fillna(default_due) if "due_date" in items.columns else default_due
    items["due_date"] = items["due_date"].astype("datetime64[s]")
    items["currency"] = currencies if "currency" in items.columns else currency
    items["currency"] = items["currency"].astype("str")
    if "disputed" not in items.columns:
        items["disputed"] = False
    return items
