"""Statements of account: what one customer owes on a date, as XLSX, HTML and PDF.

A statement is built from :func:`arkit.age` on its date, so its open items and aging equal the
aging to the cent, on any past date too (point in time). Currencies are never added: a
customer with documents in several currencies gets one section per currency.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from arkit._common import ledger_as_of, to_date
from arkit.aging import DEFAULT_BUCKETS, age, bucket_labels, summarize_aging
from arkit.errors import ArkitError
from arkit.ledger import Ledger
from arkit.parsing import isin
from arkit.rendering.statement import to_html, to_pdf, to_xlsx

__all__ = [
    "FORMATS",
    "Statement",
    "StatementSection",
    "statement",
    "statement_filename",
    "write_statements",
]

FORMATS = ("xlsx", "html", "pdf")
#: Documents that reduce what the customer owes, listed as recent activity.
ACTIVITY_TYPES = ("payment", "credit_memo", "write_off", "adjustment")
HEADER_FIELDS = ("customer_name", "terms", "credit_limit", "collector", "region")
OPEN_ITEM_COLUMNS = ("document_id", "doc_type", "doc_date", "due_date", "reference", "amount", "open_amount",
                     "days_past_due", "bucket")
RECENT_COLUMNS = ("document_id", "doc_type", "doc_date", "reference", "amount", "applied", "unapplied",
                  "applied_to")

@dataclass(frozen=True, eq=False)
class StatementSection:
    """The part of a statement in one document currency.

    ``open_items`` and ``recent`` are frames with the columns of ``OPEN_ITEM_COLUMNS`` and
    ``RECENT_COLUMNS`` (plus ``currency``); ``aging`` is one row: ``currency``, a column per
    bucket and ``total``; ``total_due`` is that total.
    """

    currency: str
    open_items: pd.DataFrame
    aging: pd.DataFrame
    recent: pd.DataFrame
    total_due: float


@dataclass(frozen=True, eq=False)
class Statement:
    """One customer's statement of account on ``as_of``: header, then a section per currency.

    ``open_items``, ``aging`` and ``recent`` are the sections' frames stacked (each row carries
    its ``currency``); ``currency`` and ``total_due`` need a single currency, and raise
    :class:`~arkit.ArkitError` for a customer billed in several: read ``sections`` then.
    """

    customer_id: str
    customer_name: str | None
    as_of: dt.date
    sections: tuple[StatementSection, ...]
    terms: str | None = None
    credit_limit: float | None = None
    collector: str | None = None
    region: str | None = None
    recent_days: int = 60
    buckets: tuple[int, ...] = DEFAULT_BUCKETS

    @property
    def currencies(self) -> tuple[str, ...]:
        return tuple(section.currency for section in self.sections)

    def _single(self) -> StatementSection:
        if len(self.sections) != 1:
            raise ArkitError(
                f"customer {self.customer_id} has items in {', '.join(self.currencies)}: amounts in different "
                "currencies are not added; read statement.sections, one per currency"
            )
        return self.sections[0]

    @property
    def currency(self) -> str:
        return self._single().currency

    @property
    def total_due(self) -> float:
        return self._single().total_due

    @property
    def open_items(self) -> pd.DataFrame:
        return _stack([s.open_items for s in self.sections])

    @property
    def aging(self) -> pd.DataFrame:
        return _stack([s.aging for s in self.sections])

    @property
    def recent(self) -> pd.DataFrame:
        return _stack([s.recent for s in self.sections])

    def __repr__(self) -> str:
        due = ", ".join(f"{s.currency} {s.total_due:,.2f}" for s in self.sections)
        return f"Statement(customer_id={self.customer_id!r}, as_of={self.as_of.isoformat()!r}, total_due={due})"


def _stack(frames: list[pd.DataFrame]) -> pd.DataFrame:
    return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)


# ---------------------------------------------------------------------------------------------
# Building statements


def statement(ledger: Ledger, customer_id: str, as_of=None, *, recent_days: int = 60,
              buckets: Sequence[int] = DEFAULT_BUCKETS) -> Statement:
    """The statement of account of one customer on ``as_of``.

    Parameters
    ----------
    ledger : Ledger
        The ledger; its customers table (if any) gives the header.
    customer_id : str
        The customer; an id found neither in the customers nor in the items is an error.
    as_of : date or "YYYY-MM-DD", optional
        Statement date; default the latest date in the ledger (as for :func:`arkit.age`).
    recent_days : int
        Payments, credit memos, write-offs and adjustments dated in the ``recent_days`` days up
        to and including ``as_of`` are listed as recent activity.
    buckets : sequence of int
        Aging bucket edges; see :func:`arkit.bucket_labels`.

    Examples
    --------
    >>> items = pd.DataFrame({"document_id": ["INV1", "INV2", "PMT1"], "customer_id": ["C1"] * 3,
    ...     "doc_date": ["2026-01-01", "2026-03-01", "2026-02-10"], "amount": [100.0, 250.0, -60.0],
    ...     "due_date": ["2026-01-31", "2026-03-31", "2026-02-10"]})
    >>> apps = pd.DataFrame({"source_id": ["PMT1"], "target_id": ["INV1"], "amount": [60.0],
    ...                      "applied_date": ["2026-02-10"]})
    >>> st = statement(Ledger(items, applications=apps), "C1", "2026-03-15")
    >>> st
    Statement(customer_id='C1', as_of='2026-03-15', total_due=USD 290.00)
    >>> st.open_items[["document_id", "open_amount", "days_past_due", "bucket"]]
      document_id  open_amount  days_past_due   bucket
    0        INV1         40.0             43    31-60
    1        INV2        250.0            -16  current
    >>> st.recent[["document_id", "amount", "applied", "unapplied", "applied_to"]]
      document_id  amount  applied  unapplied      applied_to
    0        PMT1   -60.0     60.0        0.0  INV1 60.00
    """
    return _build(ledger, [customer_id], as_of, recent_days, buckets)[0]


def _check_ledger(ledger) -> None:
    if not isinstance(ledger, Ledger):
        raise ArkitError("statements need an arkit.Ledger (items, customers, applications), "
                         f"got {type(ledger).__name__}")


def _known_customers(ledger: Ledger) -> set[str]:
    known = set(ledger.items["customer_id"].dropna())
    if ledger.customers is not None:
        known |= set(ledger.customers["customer_id"].dropna())
    return known


def _check_customers(ledger: Ledger, customer_ids: Sequence[str]) -> None:
    known = _known_customers(ledger)
    unknown = [c for c in customer_ids if c not in known]
    if unknown:
        shown = ", ".join(repr(c) for c in unknown[:10]) + (" ..." if len(unknown) > 10 else "")
        raise ArkitError(f"no customer {shown} in the ledger (neither in customers nor in items); "
                         "check the id, with its leading zeros")


def _resolve(ledger: Ledger, as_of, recent_days: int) -> dt.date:
    if isinstance(recent_days, bool) or not isinstance(recent_days, int) or recent_days < 0:
        raise ArkitError(f"recent_days must be a whole number of days, 0 or more; got {recent_days!r}")
    return ledger_as_of(ledger, as_of)


def _build(ledger: Ledger, customer_ids: Sequence[str], as_of, recent_days: int,
           buckets: Sequence[int]) -> list[Statement]:
    """Statements of several customers from one aging of their items."""
    _check_ledger(ledger)
    buckets = tuple(buckets)
    bucket_labels(buckets)  # checks the edges before any work
    customer_ids = [str(c) for c in customer_ids]
    _check_customers(ledger, customer_ids)
    as_of = _resolve(ledger, as_of, recent_days)

    items = ledger.items
    wanted = set(customer_ids)
    if len(wanted) < items["customer_id"].nunique():
        items = items[isin(items["customer_id"], pd.Series(list(wanted), dtype="str"))]
    applications = ledger.applications
    if applications is not None and len(applications) == 0:
        applications = None  # as age() treats a Ledger's empty applications: no evidence
    # Aging the customers' own items (not the whole ledger) is the same per document: the open
    # amount of a document depends only on it and its applications.
    aged = age(items, as_of, buckets=buckets, applications=applications)
    if "reference" not in aged.columns:
        aged = aged.assign(reference=pd.Series(pd.NA, index=aged.index, dtype="str"))
    recent = _recent(items, applications, aged, as_of, recent_days)

    labels = bucket_labels(buckets)
    # one summary for all customers: summarizing each section on its own costs 30 ms a customer
    summary = summarize_aging(aged, by="customer_id", buckets=buckets) if len(aged) else None
    aging_of = {} if summary is None else {
        (customer_id, currency): frame.drop(columns="customer_id").reset_index(drop=True)
        for (customer_id, currency), frame in summary.groupby(["customer_id", "currency"], sort=False)
    }
    aged_by = {key: frame for key, frame in aged.groupby(["customer_id", "currency"], sort=False)}
    recent_by = {key: frame for key, frame in recent.groupby(["customer_id", "currency"], sort=False)}
    items_by = dict(tuple(items.groupby("customer_id", sort=False)))
    headers = _headers(ledger, customer_ids, items_by)
    currencies_of: dict[str, set[str]] = {}
    for customer_id, currency in [*aged_by, *recent_by]:
        currencies_of.setdefault(customer_id, set()).add(currency)
    empty_aged, empty_recent = aged.iloc[:0], recent.iloc[:0]
    out = []
    for customer_id in customer_ids:
        currencies = sorted(currencies_of.get(customer_id, ()))
        if not currencies:
            currencies = [_home_currency(items_by.get(customer_id), as_of, ledger.currency)]
        sections = []
        for currency in currencies:
            key = (customer_id, currency)
            aging = aging_of.get(key)
            if aging is None:
                aging = pd.DataFrame([{"currency": currency, **{label: 0.0 for label in labels}, "total": 0.0}])
            sections.append(_section(currency, aged_by.get(key, empty_aged), recent_by.get(key, empty_recent),
                                     aging))
        out.append(Statement(customer_id=customer_id, as_of=as_of, sections=tuple(sections),
                             recent_days=recent_days, buckets=buckets, **headers[customer_id]))
    return out


def _home_currency(items: pd.DataFrame | None, as_of: dt.date, default: str) -> str:
    """Currency of a customer's latest document on or before ``as_of``: for an empty statement."""
    if items is None or not len(items):
        return default
    dated = items[items["doc_date"] <= pd.Timestamp(as_of)]
    rows = dated if len(dated) else items
    return str(rows.sort_values(["doc_date", "document_id"])["currency"].iloc[-1])


def _value(value):
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def _headers(ledger: Ledger, customer_ids: Sequence[str], items_by: dict) -> dict[str, dict]:
    """Header fields from the customers table, else from the customer's latest item that has them."""
    customers = {}
    if ledger.customers is not None:
        table = ledger.customers.drop_duplicates("customer_id").set_index("customer_id")
        columns = [c for c in HEADER_FIELDS if c in table.columns]
        present = [c for c in customer_ids if c in table.index]
        customers = table.loc[present, columns].to_dict("index") if present else {}
    out = {}
    for customer_id in customer_ids:
        row = {field: _value(customers.get(customer_id, {}).get(field)) for field in HEADER_FIELDS}
        own = items_by.get(customer_id)
        for field in HEADER_FIELDS:
            if row[field] is None and own is not None and field in own.columns:
                values = own.sort_values("doc_date")[field].dropna()
                row[field] = _value(values.iloc[-1]) if len(values) else None
        if row["credit_limit"] is not None:
            row["credit_limit"] = float(row["credit_limit"])
        for field in ("customer_name", "terms", "collector", "region"):
            if row[field] is not None:
                row[field] = str(row[field])
        out[customer_id] = row
    return out


def _cents(values: pd.Series) -> pd.Series:
    return (values.astype("float64") * 100).round().astype("int64")


def _recent(items: pd.DataFrame, applications: pd.DataFrame | None, aged: pd.DataFrame, as_of: dt.date,
            recent_days: int) -> pd.DataFrame:
    """Credits dated in the window, with what was applied from each on or before ``as_of``."""
    end = pd.Timestamp(as_of)
    start = end - pd.Timedelta(days=recent_days)
    rows = items[items["doc_type"].isin(ACTIVITY_TYPES) & (items["doc_date"] > start) & (items["doc_date"] <= end)]
    rows = rows.sort_values(["customer_id", "doc_date", "document_id"])
    columns = ["customer_id", "currency", "document_id", "doc_type", "doc_date", "amount"]
    recent = rows[columns].copy()
    recent.insert(5, "reference", rows["reference"] if "reference" in rows.columns
                  else pd.Series(pd.NA, index=rows.index, dtype="str"))
    # What is still open on as_of is what age() says: the same evidence (applications, closed
    # dates or the snapshot) decides, so unapplied credits here equal the open items.
    open_cents = dict(zip(aged["document_id"], _cents(aged["open_amount"])))
    unapplied = recent["document_id"].map(open_cents).fillna(0).astype("int64")
    recent["applied"] = (unapplied - _cents(recent["amount"])).astype("float64") / 100
    recent["unapplied"] = unapplied.astype("float64") / 100
    recent["applied_to"] = pd.Series(pd.NA, index=recent.index, dtype="str")
    if applications is not None and len(recent):
        apps = applications[isin(applications["source_id"], recent["document_id"])
                            & (applications["applied_date"] <= end)]
        apps = apps.sort_values(["applied_date", "target_id"])
        described = apps.assign(text=apps["target_id"].astype("str") + " "
                                + apps["amount"].map("{:,.2f}".format)).groupby("source_id")["text"].agg("; ".join)
        recent["applied_to"] = recent["document_id"].map(described).astype("str")
    return recent.reset_index(drop=True)


def _section(currency: str, aged: pd.DataFrame, recent: pd.DataFrame, aging: pd.DataFrame) -> StatementSection:
    return StatementSection(currency=currency, open_items=aged[["currency", *OPEN_ITEM_COLUMNS]].reset_index(drop=True),
                            aging=aging, recent=recent[["currency", *RECENT_COLUMNS]].reset_index(drop=True),
                            total_due=float(aging["total"].iloc[0]))


# ---------------------------------------------------------------------------------------------
# Writing statements

_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")


def statement_filename(customer_id: str, as_of, ext: str) -> str:
    """The file name of a statement: ``statement-<customer_id>-<as_of>.<ext>``.

    Characters other than letters, digits, ``.``, ``_`` and ``-`` become ``_``; an id that
    needed that gets a short hash of the original, so two ids never share a file.

    Examples
    --------
    >>> statement_filename("0010498", "2026-10-31", "xlsx")
    'statement-0010498-2026-10-31.xlsx'
    >>> statement_filename("../ACME/1", "2026-10-31", "html")
    'statement-.._ACME_1-6884c626-2026-10-31.html'
    """
    text = str(customer_id)
    safe = _UNSAFE_NAME.sub("_", text)[:80]
    if safe != text:
        safe += "-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
    return f"statement-{safe}-{to_date(as_of).isoformat()}.{ext}"


def write_statements(ledger: Ledger, out_dir, as_of=None, *, customers: Iterable[str] | None = None,
                     formats: Sequence[str] = ("xlsx", "html"), recent_days: int = 60) -> list[Path]:
    """Write the statements of several customers to ``out_dir``, one file per customer and format.

    Parameters
    ----------
    ledger : Ledger
        The ledger.
    out_dir : path
        Folder to write (created if missing); files are named by :func:`statement_filename`.
    as_of : date or "YYYY-MM-DD", optional
        Statement date; default the latest date in the ledger.
    customers : iterable of str, optional
        Customer ids; default every customer with open items or recent activity on ``as_of``.
        An unknown id is an error naming it, before anything is written.
    formats : sequence of {"xlsx", "html", "pdf"}
        Formats to write.
    recent_days : int
        Window of the recent activity; see :func:`statement`.

    Returns
    -------
    list of Path
        The files written, customer by customer, in the order of ``formats``.

    Examples
    --------
    >>> import tempfile
    >>> items = pd.DataFrame({"document_id": ["INV1", "INV2"], "customer_id": ["C1", "C2"],
    ...                       "doc_date": ["2026-01-01", "2026-02-01"], "amount": [100.0, 250.0]})
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     [path.name for path in write_statements(Ledger(items), folder, "2026-03-15", formats=("html",))]
    ['statement-C1-2026-03-15.html', 'statement-C2-2026-03-15.html']
    """
    _check_ledger(ledger)
    formats = tuple(formats)
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ArkitError(f"statement formats are {', '.join(FORMATS)}; got {', '.join(map(repr, formats)) or 'none'}")
    as_of = _resolve(ledger, as_of, recent_days)
    if customers is None:
        ids = _active_customers(ledger, as_of, recent_days)
    else:
        ids = [customers] if isinstance(customers, str) else list(dict.fromkeys(str(c) for c in customers))
    _check_customers(ledger, ids)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for st in _build(ledger, ids, as_of, recent_days, DEFAULT_BUCKETS):
        for fmt in formats:
            path = out_dir / statement_filename(st.customer_id, as_of, fmt)
            if fmt == "xlsx":
                to_xlsx(st, path)
            elif fmt == "html":
                path.write_text(to_html(st), encoding="utf-8")
            else:
                to_pdf(st, path)
            paths.append(path)
    return paths


def _active_customers(ledger: Ledger, as_of: dt.date, recent_days: int) -> list[str]:
    items = ledger.items
    end = pd.Timestamp(as_of)
    applications = ledger.applications if ledger.applications is not None and len(ledger.applications) else None
    open_ids = set(age(items, as_of, applications=applications)["customer_id"])
    recent = items["doc_type"].isin(ACTIVITY_TYPES) & (items["doc_date"] > end - pd.Timedelta(days=recent_days)) \
        & (items["doc_date"] <= end)
    return sorted(open_ids | set(items.loc[recent, "customer_id"]))
