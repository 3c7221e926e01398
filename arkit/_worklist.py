"""The collections worklist: accounts ranked by what is at stake, each with its next action.

Per account with an open balance on ``as_of``:

- ``past_due``: net open amount more than 0 days past due, and ``disputed``: the open amount of
  documents under an open dispute (not dunned: a letter about an amount in dispute angers a
  customer and collects nothing);
- ``expected_at_risk`` = sum over open debit items of P(paid late) x open amount, where an item
  already past due counts in full (it is late) and one not yet due counts at the model's
  probability (:mod:`arkit.risk`); without scores, just the past-due amount;
- ``p_delinquent``: 1 when an undisputed debit is already past due, else the highest P(paid late)
  of its open debits (the probability of its riskiest invoice: a floor for "at least one invoice
  will be late", which does not assume the invoices of one customer are independent);
- promises to pay (:func:`promises`): open, kept or broken on ``as_of``;
- ``over_limit`` = open balance - credit limit, when above zero.

``priority`` = expected_at_risk + over_limit + broken_promises x ``Policy.broken_promise_weight``
x past_due: money at stake, raised for accounts that broke their word. The worklist is sorted by it.

The next action is the first rule that applies (thresholds in :class:`Policy`):

1. ``write-off proposal``: the oldest undisputed past-due debit is ``write_off_days`` or more late;
2. ``agency referral``: ``agency_days`` or more late, or ``agency_broken_promises`` promises broken;
3. ``credit hold``: over the credit limit with an amount past due, or ``hold_days`` late;
4. ``call``: a promise just broken, past due of ``call_amount`` or more, or a not-yet-due balance
   whose expected amount at risk is ``call_amount`` or more (the proactive call);
5. ``dunning letter 1/2/3``: by the days past due of the oldest undisputed past-due debit
   (``letter_days``);
6. ``wait``: a promise is open, or what is past due is all in dispute (the reason says which);
   accounts with nothing to do are left out unless ``everyone=True``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd

from arkit._common import day_of, fx_rates_on, ledger_as_of
from arkit.aging import age
from arkit.errors import ArkitError
from arkit.ledger import Ledger

__all__ = ["Policy", "promises", "worklist", "credit_line"]


@dataclass(frozen=True)
class Policy:
    """Thresholds of the worklist's actions (days past due of the oldest undisputed past-due debit)."""

    letter_days: tuple[int, int, int] = (1, 30, 60)
    hold_days: int = 90
    agency_days: int = 120
    agency_broken_promises: int = 3
    write_off_days: int = 365
    call_amount: float = 10_000.0
    promise_grace_days: int = 3
    broken_promise_weight: float = 0.5

    def __post_init__(self):
        days = [*self.letter_days, self.hold_days, self.agency_days, self.write_off_days]
        if len(self.letter_days) != 3 or days != sorted(days) or days[0] < 0:
            raise ArkitError(f"policy days must increase: letters {self.letter_days}, hold {self.hold_days}, "
                             f"agency {self.agency_days}, write-off {self.write_off_days}")


def promises(ledger: Ledger, as_of=None, grace_days: int = 3) -> pd.DataFrame:
    """Every promise to pay made on or before ``as_of``, with its status on ``as_of``.

    A promise is ``kept`` when what was paid from its date to ``promised_date + grace_days``
    (applications to its document, or the customer's payments when it names none) reaches the
    promised amount, or the document was settled in that window; ``broken`` when that window
    has passed without it; else ``open``. Only what happened by ``as_of`` counts, so the status
    on a past date is what a collector knew that day.

    Examples
    --------
    >>> items = pd.DataFrame({"document_id": ["INV1", "PMT1"], "customer_id": ["C", "C"],
    ...     "doc_date": pd.to_datetime(["2026-01-01", "2026-02-12"]), "amount": [500.0, -300.0]})
    >>> apps = pd.DataFrame({"source_id": ["PMT1"], "target_id": ["INV1"], "amount": [300.0],
    ...     "applied_date": pd.to_datetime(["2026-02-12"])})
    >>> acts = pd.DataFrame({"customer_id": ["C", "C"], "document_id": ["INV1", "INV1"], "kind": ["promise"] * 2,
    ...     "date": pd.to_datetime(["2026-02-01", "2026-02-20"]), "promised_amount": [300.0, 200.0],
    ...     "promised_date": pd.to_datetime(["2026-02-10", "2026-03-01"])})
    >>> ledger = Ledger(items, applications=apps, activities=acts)
    >>> promises(ledger, "2026-02-25")[["date", "paid", "status"]]
            date  paid status
    0 2026-02-01 300.0   kept
    1 2026-02-20   0.0   open
    >>> promises(ledger, "2026-03-10")["status"].tolist()
    ['kept', 'broken']
    """
    as_of = pd.Timestamp(ledger_as_of(ledger, as_of))
    columns = ["customer_id", "document_id", "date", "promised_amount", "promised_date", "paid", "status"]
    acts = ledger.activities
    if acts is None or "kind" not in acts:
        return pd.DataFrame(columns=columns)
    made = acts[(acts["kind"] == "promise") & (acts["date"] <= as_of)].copy()
    for column in ("document_id", "promised_amount", "promised_date", "collector"):
        if column not in made:
            made[column] = np.nan
    made["promised_date"] = made["promised_date"].fillna(made["date"])
    made["document_id"] = made["document_id"].astype("object")
    made["_end"] = made["promised_date"] + pd.Timedelta(days=grace_days)
    made["_upto"] = made["_end"].clip(upper=as_of)
    made = made.reset_index(drop=True)
    paid = np.zeros(len(made))
    settled = np.zeros(len(made), dtype=bool)
    items = ledger.items
    if ledger.applications is not None and len(ledger.applications):
        apps = ledger.applications.rename(columns={"target_id": "document_id"})
        on_doc = made.reset_index().merge(apps[["document_id", "amount", "applied_date"]], on="document_id")
        on_doc = on_doc[(on_doc["applied_date"] >= on_doc["date"]) & (on_doc["applied_date"] <= on_doc["_upto"])]
        paid += on_doc.groupby("index")["amount"].sum().reindex(
            range(len(made)), fill_value=0).to_numpy()
    if "closed_date" in items:
        closed = made[["document_id", "date", "_upto"]].merge(items[["document_id", "closed_date"]], on="document_id",
                                                               how="left")
        settled = ((closed["closed_date"] >= closed["date"]) & (closed["closed_date"] <= closed["_upto"])).to_numpy()
    no_doc = made["document_id"].isna().to_numpy()
    if no_doc.any():  # a promise on the account: the customer's payments in the window
        payments = items[items["amount"] < 0][["customer_id", "doc_date", "amount"]]
        on_account = made[no_doc].reset_index().merge(payments, on="customer_id")
        on_account = on_account[(on_account["doc_date"] >= on_account["date"])
                                & (on_account["doc_date"] <= on_account["_upto"])]
        sums = (-on_account.groupby("index")["amount"].sum()).reindex(range(len(made)), fill_value=0).to_numpy()
        paid = np.where(no_doc, sums, paid)
    made["paid"] = paid.round(2)
    kept = settled | (made["paid"] >= made["promised_amount"].fillna(0) - 0.005).to_numpy() & (made["paid"] > 0)
    made["status"] = np.where(kept, "kept", np.where(made["_end"] < as_of, "broken", "open"))
    keep = columns + (["collector"] if made["collector"].notna().any() else [])
    return made[keep].sort_values(["date", "customer_id"], kind="stable").reset_index(drop=True)


def _open_disputes(ledger: Ledger, as_of: pd.Timestamp) -> pd.DataFrame:
    disputes = ledger.disputes
    if disputes is None or not len(disputes) or "document_id" not in disputes:
        return pd.DataFrame(columns=["document_id"])
    opened = disputes["opened_date"] <= as_of if "opened_date" in disputes else True
    still = (disputes["closed_date"].isna() | (disputes["closed_date"] > as_of)) if "closed_date" in disputes else True
    return disputes[opened & still][["document_id"]].drop_duplicates()


def worklist(ledger: Ledger, as_of=None, *, scores: pd.DataFrame | None = None, policy: Policy = Policy(),
             currency: str | None = None, everyone: bool = False) -> pd.DataFrame:
    """The accounts to work on ``as_of``, most at stake first, with their next action and its reason.

    ``scores`` (optional): per open document, ``document_id`` and ``p_late``, the probability of
    being paid late, as :meth:`arkit.risk.DelinquencyModel.predict_ledger` returns them. Amounts are in ``currency`` (default the ledger's
    reporting currency, through its fx_rates). See the module docstring for every rule.
    """
    if not isinstance(ledger, Ledger):
        raise ArkitError("the worklist needs a Ledger (arkit.load_ledger(...)): it reads customers, "
                         "disputes and activities as well as items")
    day = ledger_as_of(ledger, as_of)
    as_of = pd.Timestamp(day)
    currency = currency or ledger.currency
    aged = age(ledger, day, currency=currency)
    if not len(aged):
        return pd.DataFrame()
    aged["_amount"] = aged["reporting_amount"].round(2)
    disputed_docs = _open_disputes(ledger, as_of)["document_id"]
    aged["_disputed"] = aged["document_id"].isin(disputed_docs)
    if "disputed" in aged:
        aged["_disputed"] |= aged["disputed"].fillna(False).astype(bool)
    late = aged["days_past_due"] > 0
    debit = aged["_amount"] > 0
    probability = pd.Series(np.where(late, 1.0, 0.0), index=aged.index)
    if scores is not None:
        missing = {"document_id", "p_late"} - set(scores.columns)
        if missing:
            raise ArkitError(f"scores need the columns document_id and p_late (missing: {', '.join(sorted(missing))}); "
                             "DelinquencyModel.predict_ledger returns them")
        p = aged["document_id"].map(scores.drop_duplicates("document_id").set_index("document_id")["p_late"])
        probability = probability.where(late, p.fillna(0.0))
    aged["_at_risk"] = np.where(debit, probability * aged["_amount"], 0.0)
    aged["_p"] = np.where(debit & ~(late & aged["_disputed"]), probability, 0.0)
    aged["_past_due"] = aged["_amount"].where(late, 0.0)
    aged["_undisputed_late"] = np.where(late & debit & ~aged["_disputed"], aged["days_past_due"], -np.inf)
    groups = aged.groupby("customer_id")
    accounts = pd.DataFrame({
        "open_balance": groups["_amount"].sum(),
        "past_due": groups["_past_due"].sum(),
        "disputed": aged["_amount"].where(aged["_disputed"], 0.0).groupby(aged["customer_id"]).sum(),
        "max_days_past_due": groups["_undisputed_late"].max(),
        "expected_at_risk": groups["_at_risk"].sum(),
    }).round(2)
    accounts["p_delinquent"] = groups["_p"].max().round(4)
    accounts["max_days_past_due"] = accounts["max_days_past_due"].where(np.isfinite(accounts["max_days_past_due"]), 0)
    accounts["max_days_past_due"] = accounts["max_days_past_due"].astype("int64")
    customers = ledger.customers
    if customers is not None:
        extra = [c for c in ("customer_name", "collector", "credit_limit") if c in customers]
        accounts = accounts.join(customers.set_index("customer_id")[extra])
    if "credit_limit" not in accounts:
        accounts["credit_limit"] = np.nan
    accounts["over_limit"] = (accounts["open_balance"] - accounts["credit_limit"]).clip(lower=0).fillna(0).round(2)
    made = promises(ledger, day, policy.promise_grace_days)
    counts = made.groupby(["customer_id", "status"]).size().unstack(fill_value=0) if len(made) else pd.DataFrame()
    for status in ("open", "kept", "broken"):
        accounts[f"{status}_promises"] = (counts[status] if status in counts else pd.Series(dtype="int64")).reindex(
            accounts.index, fill_value=0).astype("int64")
    recent = made[(made["status"] == "broken") & (made["promised_date"] >= as_of - pd.Timedelta(days=30))]
    accounts["recent_broken"] = accounts.index.isin(recent["customer_id"])
    accounts["priority"] = (accounts["expected_at_risk"] + accounts["over_limit"]
                            + policy.broken_promise_weight * accounts["broken_promises"] * accounts["past_due"]).round(2)
    actions = [_action(row, policy) for row in accounts.itertuples()]
    accounts["action"] = [a for a, _ in actions]
    accounts["reason"] = [r for _, r in actions]
    if not everyone:
        accounts = accounts[accounts["action"] != ""]
    accounts = accounts.drop(columns="recent_broken").reset_index()
    return accounts.sort_values(["priority", "customer_id"], ascending=[False, True], ignore_index=True)


def _money(value: float) -> str:
    return f"{value:,.2f}"


def _action(row, policy: Policy) -> tuple[str, str]:
    days, past_due = row.max_days_past_due, row.past_due
    undisputed = past_due - row.disputed
    if days >= policy.write_off_days:
        return "write-off proposal", f"oldest undisputed item {days} days past due (policy: {policy.write_off_days})"
    if days >= policy.agency_days:
        return "agency referral", f"{_money(past_due)} past due, oldest {days} days (policy: {policy.agency_days})"
    if row.broken_promises >= policy.agency_broken_promises and undisputed > 0:
        return "agency referral", f"{row.broken_promises} promises broken, {_money(past_due)} past due"
    if row.over_limit > 0 and undisputed > 0:
        return "credit hold", (f"{_money(row.over_limit)} over the credit limit of {_money(row.credit_limit)} "
                               f"with {_money(past_due)} past due")
    if days >= policy.hold_days:
        return "credit hold", f"oldest undisputed item {days} days past due (policy: {policy.hold_days})"
    if row.recent_broken and undisputed > 0:
        return "call", f"promise broken in the last 30 days; {_money(past_due)} past due"
    if row.open_promises and undisputed > 0:
        return "", ""  # waiting on a promise: not today's work
    if undisputed >= policy.call_amount:
        return "call", f"{_money(past_due)} past due, oldest {days} days"
    not_due_at_risk = row.expected_at_risk - max(past_due, 0)
    if not_due_at_risk >= policy.call_amount:
        return "call", f"{_money(not_due_at_risk)} not yet due expected to be paid late (model)"
    if undisputed > 0 and days >= policy.letter_days[0]:
        level = sum(days >= d for d in policy.letter_days)
        return f"dunning letter {level}", f"{_money(undisputed)} past due, oldest {days} days"
    return "", ""


def credit_line(ledger: Ledger, as_of=None, customer_id: str | None = None, *, months: int = 12) -> pd.DataFrame:
    """A recommended credit line per customer, from sales volume and payment behaviour.

    ``recommended = monthly_sales x (terms_days + avg_days_late) / 30 x factor``, rounded up to
    the next 1,000, in the ledger's currency: the balance a customer carries when it buys at its usual pace and pays as it
    has paid. ``monthly_sales``: invoices of the last ``months`` months / ``months``;
    ``factor`` by the share of invoices settled in that window that were paid late: 1.2 (up to
    10%), 1.0 (up to 25%), 0.75 (up to 50%), 0.5 (more). The ``formula`` column shows the numbers.
    """
    day = ledger_as_of(ledger, as_of)
    start = pd.Timestamp(day) - pd.DateOffset(months=months)
    items = ledger.items
    if customer_id is not None:
        items = items[items["customer_id"] == customer_id]
        if not len(items):
            raise ArkitError(f"customer {customer_id!r} has no items in this ledger")
    invoices = items[(items["amount"] > 0) & (items["doc_date"] > start) & (items["doc_date"] <= pd.Timestamp(day))]
    if "doc_type" in invoices:
        invoices = invoices[invoices["doc_type"].isin(["invoice", "debit_memo"])]
    invoices = invoices.assign(_amount=invoices["amount"] * invoices["currency"].map(_rates(ledger, day)))
    if invoices["_amount"].isna().any():
        missing = sorted(set(invoices.loc[invoices["_amount"].isna(), "currency"]))
        raise ArkitError(f"fx_rates have no rate to {ledger.currency} on or before {day} for: {', '.join(missing)}")
    terms = (invoices["due_date"] - invoices["doc_date"]).dt.days if "due_date" in invoices else 30
    invoices = invoices.assign(_terms=terms)
    if "closed_date" in invoices:
        settled = invoices[invoices["closed_date"].notna() & (invoices["closed_date"] <= pd.Timestamp(day))]
        late_days = (settled["closed_date"] - settled["due_date"]).dt.days.clip(lower=0)
    else:
        settled, late_days = invoices.iloc[:0], pd.Series(dtype="float64")
    groups = invoices.groupby("customer_id")
    table = pd.DataFrame({"monthly_sales": groups["_amount"].sum() / months, "terms_days": groups["_terms"].median(),
                          "settled": settled.groupby("customer_id").size(),
                          "share_late": (late_days > 0).groupby(settled["customer_id"]).mean(),
                          "avg_days_late": late_days.groupby(settled["customer_id"]).mean()})
    table = table[table["monthly_sales"].notna()].fillna({"settled": 0, "share_late": 0.0, "avg_days_late": 0.0})
    table["factor"] = np.select([table["share_late"] <= 0.10, table["share_late"] <= 0.25, table["share_late"] <= 0.50],
                                [1.2, 1.0, 0.75], 0.5)
    raw = table["monthly_sales"] * (table["terms_days"] + table["avg_days_late"]) / 30 * table["factor"]
    table["recommended"] = (np.ceil(raw / 1000) * 1000).astype("int64")
    if ledger.customers is not None and "credit_limit" in ledger.customers:
        table = table.join(ledger.customers.set_index("customer_id")["credit_limit"].rename("current_limit"))
    table["formula"] = [f"{s:,.2f} x ({t:.0f} + {d:.1f}) / 30 x {f} = {r:,.2f} -> {c:,}" for s, t, d, f, r, c in zip(
        table["monthly_sales"], table["terms_days"], table["avg_days_late"], table["factor"], raw, table["recommended"])]
    table[["monthly_sales", "avg_days_late", "share_late"]] = table[["monthly_sales", "avg_days_late", "share_late"]].round(
        {"monthly_sales": 2, "avg_days_late": 1, "share_late": 3})
    table["settled"] = table["settled"].astype("int64")
    return table.reset_index().sort_values("customer_id", ignore_index=True)


def _rates(ledger: Ledger, day: dt.date) -> dict[str, float]:
    """Each currency's latest rate to the ledger's currency on or before ``day``."""
    rates = {ledger.currency: 1.0}
    if ledger.fx_rates is not None and len(ledger.fx_rates):
        latest = nw.from_native(fx_rates_on(ledger.fx_rates, day_of(day)).collect().to_native())
        rates |= dict(zip(latest["currency"].to_list(), latest["fx_rate"].to_list()))
    return rates
