"""Point-in-time features of invoices: only what was known on the day an invoice is scored.

A training row is an invoice scored on its document date; an open invoice is scored on
``as_of``. Either way its features come from the ledger as it stood at the *end of the day
before* that date (training) or at the end of ``as_of`` (scoring): an event counts only when
it is dated before the cutoff day. Events are settlements, invoices issued, due dates passed,
disputes opened and closed, and promises broken.

Settlement date of an invoice: its ``closed_date`` when the row has one, else the date of the
application that brought its applied total up to its amount (``applications``). An invoice
is *late* when it was paid more than ``grace`` days after its due date:
``settled - due_date > grace``; one still unpaid on that day is late as well. The label is
known on day ``d`` once ``due_date + grace <= d`` (paid by then or not); before that it is
unknown (``<NA>``) and the invoice cannot be a training row. Deciding labels by the due
date alone, not by "paid already", keeps early payers from being over-represented among
recent invoices.

Features (customer history counts only invoices settled before the cutoff):

- invoice: ``amount``, ``log_amount`` = ln(1 + amount), ``amount_vs_usual`` = amount /
  exp(mean ln(1 + amount) of the customer's earlier invoices) (its usual size, a geometric
  mean), ``terms_days`` = due - document date, ``doc_month``, ``disputed``, and the
  dimensions ``doc_type``, ``currency``, ``region``, ``segment``, ``business_unit``,
  ``country`` present in items or customers, plus the columns the ledger declares as known at
  issue (``Ledger.features``, from the mapping's ``features``) and any ``extra`` column;
- history: ``settled_invoices``, ``late_share``, ``mean_days_late`` (mean of
  max(0, settled - due)), ``max_days_late``, ``mean_days_to_pay`` (mean of settled -
  document date), ``last5_late_share`` and ``last5_mean_days_late`` (the five latest
  settled; of invoices settled the same day, the later issued, then the higher document id, count
  as later), ``settled_90d`` and ``late_share_90d`` (settled in the 90 days before the
  cutoff), ``late_share_trend`` = last5_late_share - late_share, ``disputed_share`` (of the
  settled invoices, those disputed by their settlement), ``prior_invoices``,
  ``days_since_first_invoice``;
- expected delay: invoices are of the same *kind* when they share doc type, disputed flag and
  the text extra columns. ``excess_days_late`` = mean over the customer's settled invoices of
  (settled - due) - (the portfolio's mean of settled - due for that kind, over settlements
  before that one), counting only kinds with at least 20 settlements then, shrunk toward 0:
  sum / (count + 2). ``expected_days_late`` = the portfolio's mean of settled - due for this
  invoice's kind before the cutoff + excess_days_late: on its record, how many days after the
  due date the customer will pay this invoice (negative: before it);
- exposure: ``open_invoices`` and ``open_amount`` (issued, not yet settled; partial
  payments are not netted), ``past_due_invoices`` and ``past_due_amount`` (of those, due
  date passed), ``credit_limit_use`` = open_amount / credit_limit (customers table);
- ``disputes_opened``, ``disputes_open`` (disputes table), ``promises_made``,
  ``promises_broken`` (activities of kind ``promise``; one with outcome ``broken`` counts from
  the day after its promised date, when the breach first shows).

``disputed`` is the line's own flag when the ledger has no disputes table (taken as known at
issue, as in exports that carry only the flag); with a disputes table it is "a dispute on this
invoice was opened before the cutoff", so that a dispute raised later cannot leak.

Everything is computed with sorted arrays: events keyed by (customer, day), cumulative sums,
and ``numpy.searchsorted`` for each (customer, cutoff) query; no loop over rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from arkit._common import day_of, to_date
from arkit.errors import ArkitError
from arkit.ledger import Ledger

__all__ = ["features", "open_features", "labels", "training_set", "settlement_dates", "extra_columns",
           "META_COLUMNS", "INVOICE_FEATURES", "DIMENSIONS"]

META_COLUMNS = ("document_id", "customer_id", "doc_date", "due_date", "settled_date", "late")
DIMENSIONS = ("doc_type", "currency", "region", "segment", "business_unit", "country")
INVOICE_FEATURES = ("amount", "log_amount", "terms_days", "doc_month", "disputed")
RECENT = 5  # settled invoices in the "last 5" features
WINDOW_DAYS = 90
MIN_PORTFOLIO = 20  # settlements of a kind before its portfolio mean is a yardstick
SHRINK = 2  # pseudo-count pulling a short history's excess delay toward the portfolio
_NEVER = 1 << 30  # a day number after any real date: "not settled"
_FIRST = -(1 << 31)


def _days(values) -> np.ndarray:
    """Day numbers (days since 1970-01-01) of datetimes; ``_NEVER`` where missing."""
    dates = pd.to_datetime(pd.Series(values)).to_numpy().astype("datetime64[D]")
    days = dates.astype(np.int64)
    return np.where(np.isnat(dates), _NEVER, days)


def _dates(days: np.ndarray) -> np.ndarray:
    out = np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[s]")
    out[np.asarray(days) >= _NEVER] = np.datetime64("NaT")
    return out


def _iso(day: int) -> str:
    return str(np.datetime64(int(day), "D"))


def _day_of(value, what: str) -> int:
    return day_of(to_date(value, what))


class _Timeline:
    """Dated events per customer; sums over one customer's events dated before a cutoff day."""

    def __init__(self, customer: np.ndarray, day: np.ndarray, **values: np.ndarray):
        key = (customer.astype(np.int64) << 32) + (day.astype(np.int64) - _FIRST)
        order = np.argsort(key, kind="stable")
        self.key, self.customer, self.day = key[order], customer[order], day[order]
        self.sorted = {name: np.asarray(v)[order] for name, v in values.items()}
        self.sums = {name: np.concatenate([[0], np.cumsum(v)]) for name, v in self.sorted.items()}

    def bounds(self, customer: np.ndarray, cutoff: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Positions of the customer's first event and of its first event dated on or after cutoff."""
        base = customer.astype(np.int64) << 32
        return (np.searchsorted(self.key, base, "left"),
                np.searchsorted(self.key, base + (cutoff.astype(np.int64) - _FIRST), "left"))

    def total(self, name: str, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        return self.sums[name][hi] - self.sums[name][lo]

    def before(self, name: str, customer: np.ndarray, cutoff: np.ndarray) -> np.ndarray:
        return self.total(name, *self.bounds(customer, cutoff))


def _ratio(numerator, denominator) -> np.ndarray:
    numerator, denominator = np.asarray(numerator, dtype=float), np.asarray(denominator, dtype=float)
    out = np.full(len(numerator), np.nan)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


def settlement_dates(ledger: Ledger) -> pd.Series:
    """The day each item was fully settled (``NaT`` while open), aligned with ``ledger.items``.

    ``closed_date`` where the row has one; else, with ``applications``, the date on which the
    running total applied to the item first reached its amount (to half a cent).

    Examples
    --------
    >>> items = pd.DataFrame({"document_id": ["INV1", "PMT1", "PMT2"], "customer_id": "C1",
    ...                       "doc_date": ["2026-01-01", "2026-01-20", "2026-02-03"], "amount": [100.0, -60.0, -40.0]})
    >>> apps = pd.DataFrame({"source_id": ["PMT1", "PMT2"], "target_id": "INV1", "amount": [60.0, 40.0],
    ...                      "applied_date": ["2026-01-20", "2026-02-03"]})
    >>> settlement_dates(Ledger(items, applications=apps)).dt.strftime("%Y-%m-%d").tolist()
    ['2026-02-03', nan, nan]
    """
    items = ledger.items
    has_closed = "closed_date" in items.columns
    apps = ledger.applications
    if not has_closed and apps is None:
        raise ArkitError("ledger has neither applications nor closed_date: cannot tell when invoices were paid; "
                         "load a history export with closed dates or the cash applications")
    settled = items["closed_date"] if has_closed else pd.Series(pd.NaT, index=items.index, dtype="datetime64[s]")
    if apps is not None and len(apps) and settled.isna().any():
        cents = np.rint(apps["amount"].to_numpy(dtype=float) * 100).astype(np.int64)
        applied = pd.DataFrame({"target_id": apps["target_id"].to_numpy(), "day": _days(apps["applied_date"]),
                                "cents": cents}).sort_values(["target_id", "day"], kind="stable")
        applied["total"] = applied.groupby("target_id", sort=False)["cents"].cumsum()
        need = pd.Series(np.rint(items["amount"].to_numpy(dtype=float) * 100).astype(np.int64),
                         index=items["document_id"].to_numpy())
        applied["need"] = applied["target_id"].map(need).to_numpy()
        reached = applied[(applied["need"] > 0) & (applied["total"] >= applied["need"])]
        first = reached.groupby("target_id", sort=False)["day"].min()
        from_apps = _dates(items["document_id"].map(first).fillna(_NEVER).to_numpy(dtype=np.int64))
        settled = settled.fillna(pd.Series(from_apps, index=items.index))
    return settled.astype("datetime64[s]").rename("settled_date")


def _invoices(ledger: Ledger, extra: Sequence[str]) -> pd.DataFrame:
    """The invoices and debit memos (amount above zero) with customer attributes and settlement dates."""
    if not isinstance(ledger, Ledger):
        raise ArkitError(f"expected an arkit.Ledger (from arkit.load_ledger), got {type(ledger).__name__}")
    items = ledger.items.assign(settled_date=settlement_dates(ledger))
    if ledger.customers is not None:
        attributes = [c for c in ledger.customers.columns if c not in items.columns]
        if attributes:
            items = items.merge(ledger.customers[["customer_id", *attributes]], on="customer_id", how="left")
    missing = [c for c in extra if c not in items.columns]
    if missing:
        raise ArkitError(f"extra feature column(s) {', '.join(missing)} not found in items or customers; "
                         f"columns are: {', '.join(map(str, items.columns))}")
    reserved = [c for c in extra if c in META_COLUMNS]
    if reserved:
        raise ArkitError(f"{', '.join(reserved)} cannot be a feature: it identifies the invoice or is its outcome")
    invoices = items[items["doc_type"].isin(["invoice", "debit_memo"]) & (items["amount"] > 0)]
    if invoices.empty:
        raise ArkitError("the ledger has no invoices or debit memos with an amount above zero to score")
    return invoices.reset_index(drop=True)


def extra_columns(ledger: Ledger, extra: Sequence[str] = ()) -> tuple[str, ...]:
    """The further feature columns: those the ledger declares (``Ledger.features``), then ``extra``.

    Examples
    --------
    >>> items = pd.DataFrame({"document_id": ["A"], "customer_id": "C1", "doc_date": ["2026-01-01"],
    ...                       "amount": [10.0], "paperless": ["Yes"], "channel": ["EDI"]})
    >>> extra_columns(Ledger(items, features=("paperless",)), ["channel", "paperless"])
    ('paperless', 'channel')
    """
    return tuple(dict.fromkeys([*ledger.features, *extra]))


def _customer_codes(invoices: pd.DataFrame, *others: pd.Series) -> tuple[np.ndarray, list[np.ndarray]]:
    codes, uniques = pd.factorize(invoices["customer_id"], sort=True)
    index = pd.Index(uniques)
    return codes.astype(np.int64), [index.get_indexer(pd.Series(o).astype("str")) for o in others]


def _first_dispute_days(ledger: Ledger, invoices: pd.DataFrame) -> np.ndarray | None:
    """The day the first dispute on each invoice was opened (``_NEVER`` if none); None without a disputes table."""
    if ledger.disputes is None or "document_id" not in ledger.disputes.columns:
        return None
    disputes = ledger.disputes
    first = pd.Series(_days(disputes["opened_date"]), index=disputes["document_id"].to_numpy()).groupby(level=0).min()
    return invoices["document_id"].map(first).fillna(_NEVER).to_numpy(dtype=np.int64)


def _kinds(invoices: pd.DataFrame, rows: np.ndarray, settled_flag: np.ndarray, own_flag: np.ndarray,
           columns: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Codes of the kind of each invoice (doc type, disputed flag, categorical extras): with its
    flag as settled, for every invoice; with its flag as scored, for ``rows``."""
    keys = invoices[["doc_type", *columns]].astype("str")
    keys = pd.concat([keys.assign(_flag=settled_flag), keys.iloc[rows].assign(_flag=own_flag)], ignore_index=True)
    codes = keys.groupby(list(keys.columns), sort=True, dropna=False).ngroup().to_numpy(dtype=np.int64)
    return codes[:len(invoices)], codes[len(invoices):]


def _kind_columns(invoices: pd.DataFrame, extra: Sequence[str]) -> list[str]:
    """The extra columns that tell kinds of invoice apart: text and flags, not numbers."""
    return [c for c in extra if pd.api.types.is_bool_dtype(invoices[c]) or not pd.api.types.is_numeric_dtype(invoices[c])]


def _compute(ledger: Ledger, invoices: pd.DataFrame, rows: np.ndarray, cutoff: np.ndarray, grace: int,
             kind_columns: Sequence[str] = ()) -> pd.DataFrame:
    """The feature columns of the invoices at positions ``rows``, known before their cutoff day.

    Histories are built from all of ``invoices``; a row's own events never precede its cutoff.
    """
    codes, (dispute_customer, activity_customer) = _customer_codes(
        invoices,
        ledger.disputes["customer_id"] if ledger.disputes is not None else pd.Series([], dtype="str"),
        ledger.activities["customer_id"] if ledger.activities is not None else pd.Series([], dtype="str"))
    # Queries in (customer, cutoff) order make every searchsorted below a cache-friendly sweep.
    order = np.lexsort((cutoff, codes[rows]))
    rows, cutoff = rows[order], cutoff[order]
    all_doc, all_due = _days(invoices["doc_date"]), _days(invoices["due_date"])
    all_settled = np.maximum(_days(invoices["settled_date"]), all_doc)  # a prepayment is settled on issue
    all_amount = invoices["amount"].to_numpy(dtype=float)
    all_cents = np.rint(all_amount * 100).astype(np.int64)
    all_log = np.log1p(all_amount)
    customer, doc, due, amount = codes[rows], all_doc[rows], all_due[rows], all_amount[rows]
    out = {"amount": amount, "log_amount": all_log[rows], "terms_days": (due - doc).astype(float),
           "doc_month": invoices["doc_date"].dt.month.to_numpy(dtype=np.int64)[rows]}

    # Disputed: a settled invoice counts as disputed when its dispute was opened by its settlement;
    # the invoice scored, when opened before its cutoff. Without a disputes table, the line's flag.
    flag = invoices["disputed"].to_numpy(dtype=bool)
    first_dispute = _first_dispute_days(ledger, invoices)
    settled_flag, own_flag = (flag, flag[rows]) if first_dispute is None else \
        (first_dispute <= all_settled, first_dispute[rows] < cutoff)
    out["disputed"] = own_flag.astype(np.int64)
    settled_kind, own_kind = _kinds(invoices, rows, settled_flag, own_flag, kind_columns)

    # Settled invoices, on their settlement day. Delay = settled - due (negative when early).
    done = all_settled < _NEVER
    delay = (all_settled - all_due)[done]
    # Each settlement's excess delay over the portfolio's mean for invoices of its kind, as known that day.
    kind = settled_kind[done]
    portfolio = _Timeline(kind, all_settled[done], n=np.ones(len(kind), dtype=np.int64), delay=delay)
    known = portfolio.before("n", kind, all_settled[done])
    measured = known >= MIN_PORTFOLIO  # a mean of a handful of settlements is no yardstick
    excess = np.where(measured, delay - _ratio(portfolio.before("delay", kind, all_settled[done]), known), 0.0)
    paid = _Timeline(codes[done], all_settled[done], n=np.ones(int(done.sum()), dtype=np.int64),
                     late=(delay > grace).astype(np.int64), days_late=np.maximum(delay, 0),
                     days_to_pay=(all_settled - all_doc)[done], cents=all_cents[done],
                     disputed=settled_flag[done].astype(np.int64), excess=excess, measured=measured.astype(np.int64))
    lo, hi = paid.bounds(customer, cutoff)
    n = hi - lo
    out["settled_invoices"] = n
    out["late_share"] = _ratio(paid.total("late", lo, hi), n)
    out["mean_days_late"] = _ratio(paid.total("days_late", lo, hi), n)
    out["mean_days_to_pay"] = _ratio(paid.total("days_to_pay", lo, hi), n)
    # Running maximum within each customer: the customer code outweighs any days late.
    running = np.maximum.accumulate((paid.customer << 31) + paid.sorted["days_late"]) - (paid.customer << 31)
    out["max_days_late"] = np.where(n > 0, running[np.maximum(hi - 1, 0)] if len(running) else 0, np.nan)
    recent = np.maximum(lo, hi - RECENT)
    out["last5_late_share"] = _ratio(paid.total("late", recent, hi), hi - recent)
    out["last5_mean_days_late"] = _ratio(paid.total("days_late", recent, hi), hi - recent)
    _, window = paid.bounds(customer, cutoff - WINDOW_DAYS)
    out["settled_90d"] = hi - window
    out["late_share_90d"] = _ratio(paid.total("late", window, hi), hi - window)
    out["late_share_trend"] = out["last5_late_share"] - out["late_share"]
    out["disputed_share"] = _ratio(paid.total("disputed", lo, hi), n)
    out["excess_days_late"] = np.where(n > 0, _ratio(paid.total("excess", lo, hi), paid.total("measured", lo, hi) + SHRINK),
                                       np.nan)
    known = portfolio.before("n", own_kind, cutoff)
    expected = np.where(known >= MIN_PORTFOLIO, _ratio(portfolio.before("delay", own_kind, cutoff), known), np.nan)
    out["expected_days_late"] = expected + np.nan_to_num(out["excess_days_late"])

    # Invoices issued, and the same minus those settled: what was open.
    issued = _Timeline(codes, all_doc, n=np.ones(len(all_doc), dtype=np.int64), cents=all_cents, log_amount=all_log)
    first, issued_hi = issued.bounds(customer, cutoff)
    prior = issued_hi - first
    out["prior_invoices"] = prior
    # The usual size is that of the invoices before this one's date, also when it is scored later.
    earlier_lo, earlier_hi = issued.bounds(customer, doc)
    out["amount_vs_usual"] = amount / np.exp(_ratio(issued.total("log_amount", earlier_lo, earlier_hi),
                                                    earlier_hi - earlier_lo))
    out["days_since_first_invoice"] = np.where(
        prior > 0, cutoff - 1 - issued.day[np.minimum(first, len(all_doc) - 1)], np.nan)
    out["open_invoices"] = prior - n
    out["open_amount"] = (issued.total("cents", first, issued_hi) - paid.total("cents", lo, hi)) / 100
    # Past due at the end of day t when t - due > 0: from day max(due + 1, doc) until settled.
    overdue_from = np.maximum(all_due + 1, all_doc)
    overdue_until = np.maximum(all_settled, overdue_from)
    ones = np.ones(len(all_doc), dtype=np.int64)
    overdue = _Timeline(np.concatenate([codes, codes[done]]), np.concatenate([overdue_from, overdue_until[done]]),
                        n=np.concatenate([ones, -ones[done]]), cents=np.concatenate([all_cents, -all_cents[done]]))
    out["past_due_invoices"] = overdue.before("n", customer, cutoff)
    out["past_due_amount"] = overdue.before("cents", customer, cutoff) / 100
    if "credit_limit" in invoices.columns:
        out["credit_limit_use"] = _ratio(out["open_amount"], invoices["credit_limit"].to_numpy(dtype=float)[rows])

    if ledger.disputes is not None:
        disputes = ledger.disputes
        known = dispute_customer >= 0
        opened = _days(disputes["opened_date"])[known]
        closed = _days(disputes["closed_date"])[known] if "closed_date" in disputes.columns \
            else np.full(int(known.sum()), _NEVER)
        closed = np.maximum(closed, opened)
        whose = dispute_customer[known]
        ones = np.ones(len(opened), dtype=np.int64)
        out["disputes_opened"] = _Timeline(whose, opened, n=ones).before("n", customer, cutoff)
        ends = closed < _NEVER
        out["disputes_open"] = _Timeline(np.concatenate([whose, whose[ends]]), np.concatenate([opened, closed[ends]]),
                                         n=np.concatenate([ones, -ones[ends]])).before("n", customer, cutoff)

    if ledger.activities is not None:
        acts = ledger.activities
        promise = (acts["kind"].str.lower() == "promise").to_numpy(dtype=bool) & (activity_customer >= 0)
        made = _days(acts["date"])[promise]
        whose = activity_customer[promise]
        out["promises_made"] = _Timeline(whose, made, n=np.ones(len(made), dtype=np.int64)).before(
            "n", customer, cutoff)
        broken = (acts["outcome"].str.lower() == "broken").to_numpy(dtype=bool)[promise] \
            if "outcome" in acts.columns else np.zeros(len(made), dtype=bool)
        promised = _days(acts["promised_date"])[promise] if "promised_date" in acts.columns \
            else np.full(len(made), _NEVER)
        shows = np.maximum(np.where(promised < _NEVER, promised + 1, made), made)
        out["promises_broken"] = _Timeline(whose[broken], shows[broken], n=np.ones(int(broken.sum()), dtype=np.int64)
                                           ).before("n", customer, cutoff)
    back = np.empty_like(order)
    back[order] = np.arange(len(order))
    return pd.DataFrame({name: np.asarray(values)[back] for name, values in out.items()})


def _assemble(invoices: pd.DataFrame, computed: pd.DataFrame, extra: Sequence[str],
              settled_known: np.ndarray, label: pd.Series) -> pd.DataFrame:
    meta = pd.DataFrame({
        "document_id": invoices["document_id"].to_numpy(), "customer_id": invoices["customer_id"].to_numpy(),
        "doc_date": invoices["doc_date"].to_numpy(), "due_date": invoices["due_date"].to_numpy(),
        "settled_date": _dates(settled_known), "late": pd.array(label, dtype="boolean"),
    })
    dims = {}
    for name in (*DIMENSIONS, *extra):
        if name in invoices.columns and name not in dims and name not in computed.columns:
            values = invoices[name]
            if pd.api.types.is_bool_dtype(values):
                values = values.astype(np.int64)
            elif not pd.api.types.is_numeric_dtype(values):
                values = values.astype("str").astype("category")
            dims[name] = values.to_numpy() if not isinstance(values.dtype, pd.CategoricalDtype) else values.array
    frame = pd.concat([meta, computed, pd.DataFrame(dims)], axis=1)
    ordered = [*META_COLUMNS, *INVOICE_FEATURES, *[c for c in computed.columns if c not in INVOICE_FEATURES],
               *dims]
    return frame[ordered]


def _label(settled: np.ndarray, due: np.ndarray, known_on: int, grace: int) -> pd.Series:
    late = pd.Series(settled > due + grace, dtype="boolean")
    late[~(due + grace <= known_on)] = pd.NA
    return late


def labels(frame: pd.DataFrame, known_on, grace: int = 0) -> pd.Series:
    """Whether each invoice was paid late, as known at the end of ``known_on``; ``<NA>`` if not yet.

    late = settled_date - due_date > grace, or still unpaid; known once
    due_date + grace <= known_on. ``frame`` has ``due_date`` and ``settled_date`` (the output
    of :func:`features`; settlements after ``known_on`` are ignored).

    Examples
    --------
    >>> frame = pd.DataFrame({"due_date": pd.to_datetime(["2026-01-31", "2026-01-31", "2026-01-31", "2026-03-31"]),
    ...                       "settled_date": pd.to_datetime(["2026-01-30", "2026-02-09", None, None])})
    >>> labels(frame, "2026-02-05").tolist()
    [False, True, True, <NA>]
    >>> labels(frame, "2026-02-05", grace=10).tolist()
    [<NA>, <NA>, <NA>, <NA>]
    """
    _check_grace(grace)
    day = _day_of(known_on, "known_on")
    settled = _days(frame["settled_date"])
    settled = np.where(settled <= day, settled, _NEVER)
    return _label(settled, _days(frame["due_date"]), day, grace).set_axis(frame.index).rename("late")


def _check_grace(grace) -> None:
    if not isinstance(grace, (int, np.integer)) or isinstance(grace, bool) or grace < 0:
        raise ArkitError(f"grace must be a whole number of days, 0 or more; got {grace!r}")


def _as_of_day(ledger: Ledger, as_of) -> int:
    if not isinstance(ledger, Ledger):
        raise ArkitError(f"expected an arkit.Ledger (from arkit.load_ledger), got {type(ledger).__name__}")
    return _day_of(ledger.latest_date() if as_of is None else as_of, "as_of")


def features(ledger: Ledger, as_of=None, *, grace: int = 0, extra: Sequence[str] = ()) -> pd.DataFrame:
    """Training rows: each invoice dated on or before ``as_of``, with what was known the day it was issued.

    One row per invoice or debit memo with an amount above zero, sorted by document date.
    The columns :data:`META_COLUMNS` identify it and carry the outcome as known on ``as_of``
    (``settled_date`` only if on or before ``as_of``; ``late`` from :func:`labels`); every
    other column is a feature, computed from events dated before the document date (see the
    module docstring for each formula). A later settlement, application, dispute or promise
    cannot change a row's features.

    Parameters
    ----------
    ledger : Ledger
        A ledger with ``closed_date`` on its items or with ``applications``.
    as_of : date or "YYYY-MM-DD", optional
        The day the outcomes are read; default the latest date in the ledger.
    grace : int, default 0
        Days after the due date that still count as paid on time (label and history).
    extra : sequence of str
        Further item or customer columns to use as features (text becomes a category), besides
        those the ledger declares (:func:`extra_columns`).

    Examples
    --------
    >>> items = pd.DataFrame({"document_id": ["A", "B", "C"], "customer_id": "C1",
    ...     "doc_date": ["2026-01-01", "2026-02-01", "2026-03-01"], "due_date": ["2026-01-31", "2026-03-03", "2026-03-31"],
    ...     "amount": [100.0, 100.0, 400.0], "closed_date": ["2026-02-10", "2026-02-20", None]})
    >>> rows = features(Ledger(items), as_of="2026-03-15")
    >>> rows[["document_id", "late", "late_share", "open_invoices", "amount_vs_usual"]]
      document_id   late  late_share  open_invoices  amount_vs_usual
    0           A   True         NaN              0              NaN
    1           B  False         NaN              1         0.990099
    2           C   <NA>         0.5              0         3.960396
    """
    _check_grace(grace)
    day = _as_of_day(ledger, as_of)
    extra = extra_columns(ledger, extra)
    invoices = _invoices(ledger, extra).sort_values(["doc_date", "customer_id", "document_id"], kind="stable")
    invoices = invoices.reset_index(drop=True)
    rows = np.flatnonzero(_days(invoices["doc_date"]) <= day)
    if len(rows) == 0:
        raise ArkitError(f"no invoices dated on or before {_iso(day)}: give a later as_of")
    doc = _days(invoices["doc_date"])[rows]
    computed = _compute(ledger, invoices, rows, doc, grace, _kind_columns(invoices, extra))
    settled = np.maximum(_days(invoices["settled_date"])[rows], doc)
    settled = np.where(settled <= day, settled, _NEVER)
    chosen = invoices.iloc[rows].reset_index(drop=True)
    return _assemble(chosen, computed, extra, settled, _label(settled, _days(chosen["due_date"]), day, grace))


def open_features(ledger: Ledger, as_of=None, *, grace: int = 0, extra: Sequence[str] = ()) -> pd.DataFrame:
    """Scoring rows: the invoices open at the end of ``as_of``, with everything known by then.

    Same columns as :func:`features`. The cutoff is the day after ``as_of`` for every row, and
    the invoice itself is left out of its customer's open and past-due counts, as it is in a
    training row. ``late`` is True for an invoice already more than ``grace`` days past due,
    else ``<NA>``.

    Examples
    --------
    >>> items = pd.DataFrame({"document_id": ["A", "B", "C"], "customer_id": "C1",
    ...     "doc_date": ["2026-01-01", "2026-02-01", "2026-03-01"], "due_date": ["2026-01-31", "2026-03-03", "2026-03-31"],
    ...     "amount": [100.0, 100.0, 400.0], "closed_date": ["2026-02-10", None, None]})
    >>> rows = open_features(Ledger(items), as_of="2026-03-15")
    >>> rows[["document_id", "late", "late_share", "open_invoices", "past_due_invoices"]]
      document_id  late  late_share  open_invoices  past_due_invoices
    0           B  True         1.0              1                  0
    1           C  <NA>         1.0              1                  1
    """
    _check_grace(grace)
    day = _as_of_day(ledger, as_of)
    extra = extra_columns(ledger, extra)
    invoices = _invoices(ledger, extra).sort_values(["customer_id", "doc_date", "document_id"], kind="stable")
    invoices = invoices.reset_index(drop=True)
    doc, settled = _days(invoices["doc_date"]), _days(invoices["settled_date"])
    rows = np.flatnonzero((doc <= day) & (np.maximum(settled, doc) > day))
    if len(rows) == 0:
        raise ArkitError(f"no invoices open on {_iso(day)}: nothing to score")
    computed = _compute(ledger, invoices, rows, np.full(len(rows), day + 1, dtype=np.int64), grace,
                        _kind_columns(invoices, extra))
    invoices = invoices.iloc[rows].reset_index(drop=True)
    due = _days(invoices["due_date"])
    amount = invoices["amount"].to_numpy(dtype=float)
    past_due = due < day
    computed["open_invoices"] -= 1
    computed["prior_invoices"] -= 1
    computed["open_amount"] = np.round(computed["open_amount"] - amount, 2)
    computed["past_due_invoices"] -= past_due
    computed["past_due_amount"] = np.round(computed["past_due_amount"] - np.where(past_due, amount, 0.0), 2)
    if "credit_limit_use" in computed.columns:
        computed["credit_limit_use"] = _ratio(computed["open_amount"], invoices["credit_limit"].to_numpy(dtype=float))
    label = pd.Series(np.where(day - due > grace, True, pd.NA), dtype="boolean")
    return _assemble(invoices, computed, extra, np.full(len(invoices), _NEVER), label)


def training_set(frame: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """``(X, y)``: the feature columns and 0/1 outcome of the rows whose outcome is known.

    Examples
    --------
    >>> frame = pd.DataFrame({"document_id": ["A", "B"], "customer_id": "C1", "doc_date": None, "due_date": None,
    ...                       "settled_date": None, "late": pd.array([True, pd.NA], dtype="boolean"),
    ...                       "amount": [10.0, 20.0]})
    >>> X, y = training_set(frame)
    >>> list(X.columns), y.tolist()
    (['amount'], [1])
    """
    known = frame["late"].notna().to_numpy()
    X = frame.loc[known, [c for c in frame.columns if c not in META_COLUMNS]].reset_index(drop=True)
    return X, frame.loc[known, "late"].astype(bool).to_numpy().astype(np.int64)
