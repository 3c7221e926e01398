"""Histories generated invoice by invoice with a known P(late), for the risk model's tests and benchmark.

Not arkit's own sample generator: each invoice's chance of being paid late is a stated function
of its customer's record as a collector would read it, so a model's ROC AUC can be set beside
the oracle's (the true probabilities).
"""

from __future__ import annotations

import datetime as dt
import heapq

import numpy as np
import pandas as pd

from arkit import Ledger

START = dt.date(2026, 1, 1)


def day_date(day: int) -> pd.Timestamp:
    """Day ``day`` of a history (day 0 is 2026-01-01)."""
    return pd.Timestamp(START + dt.timedelta(days=int(day)))


def history(kind: str, seed: int, n_customers: int = 500, days: int = 480):
    """A history generated invoice by invoice, each one's P(late) a known function of its customer's record.

    Customers come and go (first and last invoice spread over the window), so that tenure means
    the same before and after a split. On each invoice's date the generator counts, like a
    collector would, the customer's invoices settled before that day (n, of which k late) and
    those open and more than a day past due; then

    - ``"smooth"``: logit P = -2 + 2.8 x (k / n, 0.35 with no history) + 0.35 x past due
      + 0.4 x (ln(1 + amount) - 6.8) - 0.02 x (terms - 30): logistic in the record;
    - ``"thresholds"``: P = 0.08 + 0.6 x [amount > 900 XOR 45-day terms] + 0.25 x [2+ past due]:
      an interaction no sum of single-feature effects can make.

    A late invoice is paid 1-39 days after its due date, an on-time one within its terms.
    Returns the Ledger and the true P(late) by document id.
    """
    rng = np.random.default_rng(seed)
    gap = rng.uniform(6, 20, n_customers)
    first = rng.uniform(-days, days * 0.8, n_customers)
    last = first + rng.exponential(days * 0.8, n_customers)
    issued = []
    for c in range(n_customers):
        day = max(first[c], 0) + rng.uniform(0, gap[c])
        while day < min(last[c], days):
            issued.append((int(day), c))
            day += rng.exponential(gap[c])
    issued.sort()
    settled, late_count = np.zeros(n_customers), np.zeros(n_customers)
    open_due = [{} for _ in range(n_customers)]     # document -> due day, while unpaid
    payments = []                                   # heap of (settle day, customer, late, document)
    rows = []
    for i, (day, c) in enumerate(issued):
        while payments and payments[0][0] < day:
            _, who, was_late, document = heapq.heappop(payments)
            settled[who] += 1
            late_count[who] += was_late
            del open_due[who][document]
        terms, amount = int(rng.choice([15, 30, 45])), float(np.round(rng.lognormal(6.8, 0.9), 2))
        past_due = sum(due < day - 1 for due in open_due[c].values())
        if kind == "smooth":
            share = late_count[c] / settled[c] if settled[c] else 0.35
            p = 1 / (1 + np.exp(2.0 - 2.8 * share - 0.35 * past_due - 0.4 * (np.log1p(amount) - 6.8)
                                + 0.02 * (terms - 30)))
        else:
            p = 0.08 + 0.6 * ((amount > 900) != (terms == 45)) + 0.25 * (past_due >= 2)
        late = bool(rng.random() < p)
        due = day + terms
        settle = due + int(rng.integers(1, 40)) if late else day + int(rng.integers(0, terms + 1))
        document = f"INV{i:06d}"
        rows.append((document, f"C{c:04d}", day, due, settle, amount, p))
        open_due[c][document] = due
        heapq.heappush(payments, (settle, c, int(late), document))
    frame = pd.DataFrame(rows, columns=["document_id", "customer_id", "doc", "due", "settle", "amount", "p"])
    end = days + 10
    items = pd.DataFrame({"document_id": frame["document_id"], "customer_id": frame["customer_id"],
                          "doc_date": frame["doc"].map(day_date), "due_date": frame["due"].map(day_date),
                          "amount": frame["amount"],
                          "closed_date": [day_date(d) if d <= end else pd.NaT for d in frame["settle"]]})
    return Ledger(items), frame.set_index("document_id")["p"]
