"""Statements of account: what one customer owes on a date, as XLSX, HTML and PDF.

A statement is built from :func:`arkit.age` on its date, so its open items and aging equal the
aging to the cent, on any past date too (point in time). Currencies are never added: a
customer with documents in several currencies gets one section per currency.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import importlib.util
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from arkit._common import ledger_as_of, to_date
from arkit.aging import DEFAULT_BUCKETS, age, bucket_labels, summarize_aging
from arkit.errors import ArkitError
from arkit.rendering.safety import MONEY_FORMAT, write_cell
from arkit.ledger import Ledger
from arkit.parsing import isin

__all__ = [
    "FORMATS",
    "Statement",
    "StatementSection",
    "statement",
    "statement_filename",
    "to_html",
    "to_pdf",
    "to_xlsx",
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

TITLE = "Statement of account"


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


# -- shared presentation helpers --------------------------------------------------------------

OPEN_ITEM_HEADINGS = {"document_id": "Document", "doc_type": "Type", "doc_date": "Date", "due_date": "Due",
                      "reference": "Reference", "amount": "Amount", "open_amount": "Open",
                      "days_past_due": "Days past due", "bucket": "Bucket"}
RECENT_HEADINGS = {"document_id": "Document", "doc_type": "Type", "doc_date": "Date", "reference": "Reference",
                   "amount": "Amount", "applied": "Applied", "unapplied": "Unapplied", "applied_to": "Applied to"}
MONEY_COLUMNS = {"amount", "open_amount", "applied", "unapplied", "total"}
DATE_COLUMNS = {"doc_date", "due_date"}
DOC_TYPE_NAMES = {"invoice": "Invoice", "credit_memo": "Credit memo", "debit_memo": "Debit memo",
                  "payment": "Payment", "adjustment": "Adjustment", "write_off": "Write-off"}


def _missing(value) -> bool:
    return value is None or (not isinstance(value, (str, list, tuple)) and bool(pd.isna(value)))


def _plain(value, column: str = ""):
    """A cell value as a Python scalar: date, float, int, str or None."""
    if _missing(value):
        return None
    if column in DATE_COLUMNS or isinstance(value, (pd.Timestamp, dt.datetime)):
        return pd.Timestamp(value).date()
    if column == "doc_type":
        return DOC_TYPE_NAMES.get(str(value), str(value))
    if hasattr(value, "item"):
        return value.item()
    return value


def _text(value, column: str = "") -> str:
    """A value as display text: money with thousands separators and two decimals, ISO dates."""
    value = _plain(value, column)
    if value is None:
        return ""
    if column in MONEY_COLUMNS:
        return f"{float(value):,.2f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _header_pairs(st: Statement) -> list[tuple[str, str | float | dt.date]]:
    pairs: list[tuple[str, object]] = [("Customer", st.customer_name or st.customer_id),
                                        ("Customer ID", st.customer_id), ("As of", st.as_of)]
    for label, value in (("Terms", st.terms), ("Credit limit", st.credit_limit), ("Collector", st.collector),
                         ("Region", st.region)):
        if value is not None:
            pairs.append((label, value))
    return pairs


def _aging_cells(section: StatementSection) -> list[tuple[str, float]]:
    row = section.aging.iloc[0]
    labels = [c for c in section.aging.columns if c not in ("currency", "total")]
    return [(label, float(row[label])) for label in labels] + [("Total due", float(row["total"]))]


def _section_title(section: StatementSection) -> str:
    text = f"Amounts in {section.currency}: total due {_text(section.total_due, 'total')}"
    return text + " (a credit balance)" if section.total_due < 0 else text


def _title(st: Statement) -> str:
    return f"{TITLE}: {st.customer_name or st.customer_id} as of {st.as_of.isoformat()}"


# -- XLSX -------------------------------------------------------------------------------------


def to_xlsx(statement: Statement, path) -> Path:
    """Write a statement as an Excel workbook: one sheet per currency.

    Each sheet has a title block, the aging row, the open items (header frozen) and the
    recent activity. Money is numeric with ``#,##0.00;-#,##0.00``, dates are Excel dates, and
    text from the data is always a text cell: a name starting with ``=`` never runs.

    Examples
    --------
    >>> import tempfile, openpyxl
    >>> items = pd.DataFrame({"document_id": ["INV1"], "customer_id": ["C1"],
    ...                       "doc_date": ["2026-01-01"], "amount": [100.0]})
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = to_xlsx(statement(Ledger(items), "C1", "2026-03-15"), f"{folder}/s.xlsx")
    ...     sheet = openpyxl.load_workbook(path).active
    ...     sheet["A1"].value, sheet.freeze_panes
    ('Statement of account', 'A10')
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold, title_font, name_font = Font(bold=True), Font(bold=True, size=14), Font(bold=True, size=12)
    heading_fill = PatternFill("solid", fgColor="DDE4EE")
    workbook = Workbook()
    workbook.remove(workbook.active)
    for section in statement.sections:
        name = "Statement" if len(statement.sections) == 1 else f"Statement {section.currency}"
        sheet = workbook.create_sheet(name)
        widths: dict[int, int] = {}

        def put(row: int, column: int, value, fmt: str | None = None, font=None, fill=None, measure=True,
                _sheet=sheet):
            cell, shown = write_cell(_sheet, row, column, _plain(value), fmt)
            if font is not None:
                cell.font = font
            if fill is not None:
                cell.fill = fill
            if measure:
                widths[column] = max(widths.get(column, 0), shown)
            return cell

        # title and name may run over the empty cells to their right: they set no width
        put(1, 1, TITLE, font=title_font, measure=False)
        put(2, 1, statement.customer_name or statement.customer_id, font=name_font, measure=False)
        pairs = [pair for pair in _header_pairs(statement) if pair[0] != "Customer"]
        pairs.append(("Currency", section.currency))
        for index, (label, value) in enumerate(pairs):
            row, column = 3 + index // 4, 1 + 2 * (index % 4)
            put(row, column, label, font=bold)
            put(row, column + 1, value, fmt=MONEY_FORMAT)
        row = 3 + (len(pairs) + 3) // 4 + 1
        for column, (label, amount) in enumerate(_aging_cells(section), start=1):
            put(row, column, label, font=bold, fill=heading_fill).alignment = Alignment(horizontal="right")
            put(row + 1, column, amount, font=bold if label == "Total due" else None)
        row += 3
        put(row, 1, "Open items", font=bold, measure=False)
        header_row = row + 1
        row = _xlsx_table(put, header_row, section.open_items, OPEN_ITEM_HEADINGS, bold, heading_fill,
                          "No open items.")
        sheet.freeze_panes = f"A{header_row + 1}"
        sheet.print_title_rows = f"{header_row}:{header_row}"
        row += 1
        put(row, 1, f"Recent activity: {statement.recent_days} days to {statement.as_of.isoformat()}", font=bold,
            measure=False)
        _xlsx_table(put, row + 1, section.recent, RECENT_HEADINGS, bold, heading_fill,
                    "No payments, credits, write-offs or adjustments in this period.")
        for column, width in widths.items():
            sheet.column_dimensions[get_column_letter(column)].width = min(max(width + 2, 9), 60)
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
    workbook.properties.title = _title(statement)
    path = Path(path)
    workbook.save(path)
    return path


def _xlsx_table(put, row: int, frame: pd.DataFrame, headings: dict[str, str], font, fill, empty: str) -> int:
    """Write headings and rows from ``row``; return the first row after the table."""
    from openpyxl.styles import Alignment

    columns = list(headings)
    for column, name in enumerate(columns, start=1):
        cell = put(row, column, headings[name], font=font, fill=fill)
        if name in MONEY_COLUMNS or name == "days_past_due":
            cell.alignment = Alignment(horizontal="right")
    row += 1
    if not len(frame):
        put(row, 1, empty, measure=False)
        return row + 1
    for record in frame[columns].itertuples(index=False, name=None):
        for column, (name, value) in enumerate(zip(columns, record), start=1):
            value = _plain(value, name)
            if name in MONEY_COLUMNS and value is not None:
                value = float(value)
            put(row, column, value)
        row += 1
    return row


# -- HTML -------------------------------------------------------------------------------------

_CSS = """
@page { margin: 14mm 12mm; }
* { box-sizing: border-box; }
body { font: 10pt/1.35 "Helvetica Neue", Arial, sans-serif; color: #111; margin: 0 auto; max-width: 190mm;
       padding: 8mm 0; }
h1 { font-size: 17pt; margin: 0 0 4mm; }
h2 { font-size: 12.5pt; margin: 6mm 0 2mm; }
h3 { font-size: 10.5pt; margin: 5mm 0 1.5mm; }
dl.header { display: grid; grid-template-columns: max-content 1fr max-content 1fr; gap: 1mm 4mm; margin: 0; }
dl.header dt { font-weight: bold; }
dl.header dd { margin: 0; }
table { border-collapse: collapse; width: 100%; font-size: 9pt; }
th, td { padding: 1.2mm 1.8mm; border-bottom: 0.2mm solid #c8ccd2; text-align: left; vertical-align: top; }
th { background: #dde4ee; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.date { white-space: nowrap; }
tr.total td, td.total { font-weight: bold; }
p.empty { color: #555; font-style: italic; }
thead { display: table-header-group; }
@media print {
  body { max-width: none; padding: 0; }
  section.currency + section.currency { break-before: page; page-break-before: always; }
  tr, dl.header { break-inside: avoid; page-break-inside: avoid; }
  th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def _e(value, column: str = "") -> str:
    return html.escape(_text(value, column), quote=True)


def _html_table(frame: pd.DataFrame, headings: dict[str, str], empty: str) -> str:
    if not len(frame):
        return f'<p class="empty">{html.escape(empty)}</p>'
    columns = list(headings)

    def kind(name: str) -> str:
        if name in MONEY_COLUMNS or name == "days_past_due":
            return ' class="num"'
        return ' class="date"' if name in DATE_COLUMNS else ""

    head = "".join(f"<th{kind(c)}>{html.escape(headings[c])}</th>" for c in columns)
    body = "\n".join(
        "<tr>" + "".join(f"<td{kind(c)}>{_e(v, c)}</td>" for c, v in zip(columns, record)) + "</tr>"
        for record in frame[columns].itertuples(index=False, name=None)
    )
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"


def to_html(statement: Statement) -> str:
    """The statement as a printable HTML page (inline CSS, fits A4 and Letter); all data escaped.

    Examples
    --------
    >>> items = pd.DataFrame({"document_id": ["INV1"], "customer_id": ["C1"],
    ...                       "doc_date": ["2026-01-01"], "amount": [100.0]})
    >>> customers = pd.DataFrame({"customer_id": ["C1"], "customer_name": ["<b>Bold & Co</b>"]})
    >>> page = to_html(statement(Ledger(items, customers=customers), "C1", "2026-03-15"))
    >>> "&lt;b&gt;Bold &amp; Co&lt;/b&gt;" in page, "<b>" in page
    (True, False)
    """
    st = statement
    header = "\n".join(
        f"<dt>{html.escape(label)}</dt><dd>{_e(value, 'total' if label == 'Credit limit' else '')}</dd>"
        for label, value in _header_pairs(st)
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(_title(st))}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f"<header><h1>{html.escape(TITLE)}</h1>",
        f'<dl class="header">\n{header}\n</dl></header>',
    ]
    for section in st.sections:
        aging = _aging_cells(section)
        aging_head = "".join(f'<th class="num">{html.escape(label)}</th>' for label, _ in aging)
        aging_row = "".join(
            f'<td class="num{" total" if label == "Total due" else ""}">{_e(amount, "total")}</td>'
            for label, amount in aging
        )
        parts += [
            f'<section class="currency" data-currency="{html.escape(section.currency)}">',
            f"<h2>{html.escape(_section_title(section))}</h2>",
            "<h3>Aging</h3>",
            f"<table><thead><tr>{aging_head}</tr></thead><tbody><tr>{aging_row}</tr></tbody></table>",
            "<h3>Open items</h3>",
            _html_table(section.open_items, OPEN_ITEM_HEADINGS, "No open items."),
            f"<h3>Recent activity: {st.recent_days} days to {_e(st.as_of)}</h3>",
            _html_table(section.recent, RECENT_HEADINGS,
                        "No payments, credits, write-offs or adjustments in this period."),
            "</section>",
        ]
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


# -- PDF --------------------------------------------------------------------------------------


def _unicode_font() -> tuple[str, str] | None:
    """Regular and bold DejaVu Sans as shipped with matplotlib (a dependency of arkit)."""
    spec = importlib.util.find_spec("matplotlib")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        fonts = Path(folder) / "mpl-data" / "fonts" / "ttf"
        regular, bold = fonts / "DejaVuSans.ttf", fonts / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            return str(regular), str(bold)
    return None


def to_pdf(statement: Statement, path, *, page_size: str = "A4") -> Path:
    """Write the statement as a PDF (fpdf2), ``page_size`` ``"A4"`` or ``"Letter"``.

    Text in Latin-1 is set in Helvetica; a statement with other characters embeds DejaVu
    Sans, which covers the Latin, Greek and Cyrillic scripts.

    Examples
    --------
    >>> import tempfile
    >>> items = pd.DataFrame({"document_id": ["INV1"], "customer_id": ["C1"],
    ...                       "doc_date": ["2026-01-01"], "amount": [100.0]})
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = to_pdf(statement(Ledger(items), "C1", "2026-03-15"), f"{folder}/s.pdf")
    ...     path.read_bytes()[:5]
    b'%PDF-'
    """
    try:
        from fpdf.errors import FPDFUnicodeEncodingException
    except ImportError:  # pragma: no cover - fpdf2 is a dependency
        raise ArkitError("PDF statements need fpdf2: pip install fpdf2") from None
    if not isinstance(page_size, str) or page_size.lower() not in ("a4", "letter"):
        raise ArkitError(f"page_size must be 'A4' or 'Letter', got {page_size!r}")
    # Helvetica needs no font file: seven times faster than embedding one, so it is tried first
    try:
        pdf = _render_pdf(statement, page_size.lower(), None)
    except FPDFUnicodeEncodingException:
        pdf = _render_pdf(statement, page_size.lower(), _unicode_font() or ())
    path = Path(path)
    pdf.output(str(path))
    return path


def _render_pdf(st: Statement, page_size: str, font: tuple[str, str] | None):
    """The laid-out document; ``font`` None: Helvetica; () no Unicode font found: Helvetica, lossy."""
    from fpdf import FPDF, FontFace

    footer = f"{st.customer_name or st.customer_id} ({st.customer_id}), statement as of {st.as_of.isoformat()}"

    class StatementPDF(FPDF):
        def footer(self):  # every page says whose statement it is: pages get separated
            self.set_y(-10)
            self.set_font(family, "", 7.5)
            self.cell(0, 5, clean(f"{footer}, page {self.page_no()} of {{nb}}"), align="C")

    pdf = StatementPDF(orientation="portrait", unit="mm", format=page_size)
    if font:
        family = "DejaVu"
        pdf.add_font(family, "", font[0])
        pdf.add_font(family, "B", font[1])

        def clean(text: str) -> str:
            return text
    else:
        family = "helvetica"

        def clean(text: str) -> str:
            return text if font is None else text.encode("latin-1", "replace").decode("latin-1")

    pdf.set_title(clean(_title(st)))
    pdf.set_creator("arkit")
    # a fixed creation date keeps the same statement byte-for-byte reproducible
    pdf.set_creation_date(dt.datetime.combine(st.as_of, dt.time(), tzinfo=dt.timezone.utc))
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.set_margins(12, 12, 12)
    pdf.add_page()
    width = pdf.epw
    heading = FontFace(emphasis="BOLD", fill_color=(221, 228, 238))

    pdf.set_font(family, "B", 16)
    pdf.cell(0, 9, clean(TITLE), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 9)
    pairs = _header_pairs(st)
    with pdf.table(width=width, col_widths=(14, 36, 14, 36), first_row_as_headings=False,
                   borders_layout="NONE", text_align="LEFT", line_height=4.8, padding=(0.4, 1)) as table:
        for start in range(0, len(pairs), 2):
            row = table.row()
            for label, value in pairs[start:start + 2]:
                row.cell(clean(label), style=FontFace(emphasis="BOLD"))
                row.cell(clean(_text(value, "total" if label == "Credit limit" else "")))
    for index, section in enumerate(st.sections):
        if index:
            pdf.add_page()
        pdf.ln(3)
        pdf.set_font(family, "B", 12)
        pdf.cell(0, 7, clean(_section_title(section)), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, "", 8.5)
        aging = _aging_cells(section)
        with pdf.table(width=width, headings_style=heading, text_align="RIGHT", line_height=5) as table:
            table.row([clean(label) for label, _ in aging])
            table.row([_text(amount, "total") for _, amount in aging])
        _pdf_table(pdf, family, clean, heading, "Open items", section.open_items, OPEN_ITEM_HEADINGS,
                   (24, 20, 20, 20, 28, 22, 22, 14, 16), "No open items.")
        _pdf_table(pdf, family, clean, heading, f"Recent activity: {st.recent_days} days to {st.as_of.isoformat()}",
                   section.recent, RECENT_HEADINGS, (24, 20, 20, 26, 22, 22, 22, 30),
                   "No payments, credits, write-offs or adjustments in this period.")
    return pdf


def _pdf_table(pdf, family: str, clean, heading, title: str, frame: pd.DataFrame, headings: dict[str, str],
               widths: tuple[int, ...], empty: str) -> None:
    pdf.ln(3)
    pdf.set_font(family, "B", 10)
    pdf.cell(0, 6, clean(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 8)
    if not len(frame):
        pdf.cell(0, 5, clean(empty), new_x="LMARGIN", new_y="NEXT")
        return
    columns = list(headings)
    align = tuple("RIGHT" if c in MONEY_COLUMNS or c == "days_past_due" else "LEFT" for c in columns)
    with pdf.table(width=pdf.epw, col_widths=widths, headings_style=heading, text_align=align,
                   line_height=4.6, padding=(0.6, 1)) as table:
        table.row([clean(headings[c]) for c in columns])
        for record in frame[columns].itertuples(index=False, name=None):
            table.row([clean(_text(value, column)) for column, value in zip(columns, record)])
