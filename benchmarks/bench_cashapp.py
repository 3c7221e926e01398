"""Cash application at scale: arkit's ``apply_cash`` beside a plain exact-reference matcher.

    python benchmarks/bench_cashapp.py [--invoices 1000000] [--payments 100000] [--customers 40000]

Synthetic: ``--invoices`` open invoices of ``--customers`` dealers (at most 44,280, names built
like the sample's: place or family, trade, legal form), and ``--payments`` bank receipts paying them the
way the sample's week does (:func:`arkit.sample.generate_payments`: one invoice or several;
short, over or part payments; references in eight written forms, with typos, or none, or the
customer number; payer names cut, without the legal form, or with a typo; 4% cash that is no
customer's), with the true allocation.

Timed (best of ``--runs`` after a warm-up run, taking turns; see ``timing.py``):

* **arkit**: ``apply_cash(payments, ledger)`` with its defaults;
* **exact references** (hand-written, pandas): the numbers in each remittance (a regular
  expression over the whole column), leading zeros dropped, joined to the invoices' numbers;
  a payment is applied when the invoices it names sum to its amount exactly. What a
  spreadsheet-and-lookup process does, and the floor of any matcher's cost.

Each is scored against the truth: precision of automatic allocations, recall, and the share of
payments applied automatically. Targets (issue 6): precision at least 99.5%, at least 90% of
payments applied automatically.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from timing import best_of

from arkit import Ledger
from arkit.cashapp import apply_cash, score_matches
from arkit.sample import _CORES, _STRANGERS, _US_FAMILIES, _US_PLACES, _US_SUFFIXES, _NO_REF, _payer_name, _remittance

AS_OF = np.datetime64("2026-10-31")


def make_data(n_invoices: int, n_payments: int, n_customers: int, seed: int = 5):
    """(ledger, payments, truth): open invoices, bank receipts and their true allocation."""
    rng = np.random.default_rng(seed)
    heads = [*_US_PLACES, *(f"{f}{v}" for f in _US_FAMILIES for v in ("", " Bros.", " & Sons"))]
    trades = [c for cores in _CORES for c in cores]
    combos = len(heads) * len(trades) * len(_US_SUFFIXES)
    picks = rng.choice(combos, size=n_customers, replace=False)
    names = [f"{heads[p // (len(trades) * len(_US_SUFFIXES))]} {trades[p // len(_US_SUFFIXES) % len(trades)]}"
             f"{_US_SUFFIXES[p % len(_US_SUFFIXES)]}" for p in picks]
    ids = [f"{100_000 + i:07d}" for i in range(n_customers)]
    customer = np.sort(rng.integers(0, n_customers, n_invoices))
    doc = AS_OF - rng.integers(0, 120, n_invoices).astype("timedelta64[D]")
    items = pd.DataFrame({
        "document_id": [f"INV{5_000_000 + i}" for i in range(n_invoices)],
        "customer_id": np.asarray(ids, dtype=object)[customer],
        "doc_date": doc.astype("datetime64[s]"),
        "due_date": (doc + 30).astype("datetime64[s]"),
        "amount": np.round(rng.lognormal(6.5, 1.0, n_invoices), 2),
    })
    customers = pd.DataFrame({"customer_id": ids, "customer_name": names})
    ledger = Ledger(items, customers=customers)

    by_customer = np.split(np.arange(n_invoices), np.flatnonzero(np.diff(customer)) + 1)
    order = items.sort_values(["customer_id", "due_date", "document_id"]).index.to_numpy()
    position = np.empty(n_invoices, dtype=np.int64)
    position[order] = np.arange(n_invoices)
    payers = rng.permutation(len(by_customer))
    documents = items["document_id"].to_numpy()
    cents = np.rint(items["amount"].to_numpy() * 100).astype(np.int64)
    owner = items["customer_id"].to_numpy()
    days = pd.bdate_range("2026-11-02", periods=5)
    payments, truth, taken = [], [], {}
    n_strangers = n_payments // 25
    for k in range(n_payments - n_strangers):
        rows = by_customer[payers[k % len(payers)]]
        rows = rows[np.argsort(position[rows])]
        rows = rows[taken.get(payers[k % len(payers)], 0):]  # what its earlier payment left open
        if len(rows) == 0:
            continue
        case = str(rng.choice(["single", "several", "short", "over", "partial"], p=[0.5, 0.28, 0.1, 0.05, 0.07]))
        n = int(rng.integers(2, min(5, len(rows)) + 1)) if case == "several" and len(rows) >= 2 else 1
        paid = cents[rows[:n]].copy()
        amount = int(paid.sum())
        if case == "short":
            amount -= max(1, int(round(amount * rng.uniform(0.005, 0.02))))
            paid[0] = amount
        elif case == "over":
            amount += int(rng.integers(50, 2000))
        elif case == "partial" and n == 1:
            amount = int(round(amount * rng.choice([0.25, 0.5]), -2)) or amount
            paid[0] = amount
        taken[payers[k % len(payers)]] = taken.get(payers[k % len(payers)], 0) + n
        payment_id = f"BNK{k:07d}"
        remittance, _ = _remittance(rng, list(documents[rows[:n]]), owner[rows[0]])
        payments.append((payment_id, owner[rows[0]] if rng.random() < 0.2 else None, days[k % 5], amount / 100,
                         "USD", _payer_name(rng, names[int(owner[rows[0]]) - 100_000]), remittance))
        truth += [(payment_id, d, c / 100) for d, c in zip(documents[rows[:n]], paid)]
    for k in range(n_payments - n_strangers, n_payments):
        payments.append((f"BNK{k:07d}", None, days[k % 5], int(rng.integers(5_000, 900_000)) / 100, "USD",
                         str(rng.choice(_STRANGERS)), str(rng.choice(_NO_REF))))
    payments = pd.DataFrame(payments, columns=["payment_id", "customer_id", "date", "amount", "currency",
                                               "payer_name", "remittance"])
    truth = pd.DataFrame(truth, columns=["payment_id", "document_id", "amount"])
    return ledger, payments, truth


def exact_references(payments: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """The hand-written baseline: allocations of payments whose named invoices sum to the amount."""
    numbers = payments["remittance"].str.extractall(r"(\d{4,})")[0].str.lstrip("0")
    named = numbers.reset_index(level=1, drop=True).rename("key").to_frame()
    named["payment_id"] = payments["payment_id"].to_numpy()[named.index.to_numpy()]
    invoices = pd.DataFrame({"key": items["document_id"].str.removeprefix("INV").str.lstrip("0"),
                             "document_id": items["document_id"], "open": items["amount"]})
    found = named.drop_duplicates().merge(invoices, on="key")
    totals = found.groupby("payment_id")["open"].sum().round(2)
    paid = payments.set_index("payment_id")["amount"]
    whole = totals.index[(totals - paid.loc[totals.index]).abs() < 0.005]
    return found[found["payment_id"].isin(whole)][["payment_id", "document_id"]].assign(
        amount=found.loc[found["payment_id"].isin(whole), "open"].to_numpy())


def _score_baseline(allocations: pd.DataFrame, truth: pd.DataFrame, n_payments: int) -> dict:
    key = lambda f: set(zip(f["payment_id"], f["document_id"], np.rint(f["amount"] * 100).astype(np.int64)))  # noqa: E731
    auto, true = key(allocations), key(truth)
    return {"precision": len(auto & true) / max(1, len(auto)), "recall": len(auto & true) / len(true),
            "auto_rate": allocations["payment_id"].nunique() / n_payments}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--payments", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=40_000)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()

    start = time.perf_counter()
    ledger, payments, truth = make_data(args.invoices, args.payments, args.customers)
    print(f"Cash application of {len(payments):,} payments against {len(ledger.items):,} open invoices of "
          f"{args.customers:,} customers; best of {args.runs} after a warm-up run; {time.strftime('%Y-%m-%d')}")
    print(f"(data built in {time.perf_counter() - start:.1f} s; {len(truth):,} true allocations)")
    timing = best_of(args.runs, baseline=lambda: exact_references(payments, ledger.items),
                     arkit=lambda: apply_cash(payments, ledger, as_of="2026-10-31"))
    (base_s, base), (arkit_s, result) = timing["baseline"], timing["arkit"]
    ours, plain = score_matches(result, truth), _score_baseline(base, truth, len(payments))
    p = result.payments
    assert (np.rint(p["applied"] * 100) + np.rint(p["unapplied"] * 100) == np.rint(p["amount"] * 100)).all()
    print(f"{'matcher':34s} {'seconds':>8s} {'precision':>10s} {'recall':>8s} {'auto-applied':>13s}")
    for name, seconds, score in (("exact references (hand-written)", base_s, plain), ("arkit apply_cash", arkit_s, ours)):
        print(f"{name:34s} {seconds:8.2f} {score['precision']:10.2%} {score['recall']:8.2%} {score['auto_rate']:13.2%}")
    print(f"arkit: {ours['precision']:.2%} precision (target 99.5%), {ours['auto_rate']:.2%} applied automatically "
          f"(target 90%); applied + unapplied = paid, to the cent, for every payment.")


if __name__ == "__main__":
    main()
