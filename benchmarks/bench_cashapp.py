"""Cash application at scale: arkit's ``apply_cash`` beside a plain exact-reference matcher.

    python benchmarks/bench_cashapp.py [--invoices 1000000] [--payments 100000] [--customers 100000]

Synthetic, from the independent payment-file generator of the tests
(``tests/payment_files.py``, not arkit's own sample generator): ``--invoices`` open invoices of
``--customers`` customers (six- or seven-digit document numbers; account numbers in the same
range), and ``--payments`` bank lines paying them: one invoice or several, lump sums of 6 to 12,
short, over and part payments, references glued to prefixes ("REF:523158", "IN523196",
"523158/523159"), typos, remittances cut at 35 characters, dates, amounts, account and trace
numbers in the text, payer names as banks write them (cut, abbreviated, another legal form,
misspelt, a third party), amount-only payments whose amount is also another customer's invoice
or an invoice a later payment names, and 5% cash that is no customer's; with the true allocation.

Timed (best of ``--runs`` after a warm-up run, taking turns; see ``timing.py``):

* **arkit**: ``apply_cash(payments, ledger)`` with its defaults (three passes: exact
  references for all payments at once, then references and typos, then amounts);
* **exact references** (hand-written, pandas): the numbers in each remittance (a regular
  expression over the whole column), leading zeros dropped, joined to the invoices' numbers;
  a payment is applied when the invoices it names sum to its amount exactly. What a
  spreadsheet-and-lookup process does, and the floor of any matcher's cost.

Each is scored against the truth: precision of automatic allocations, recall, and the share of
payments applied automatically. Targets (issue 10): at most 15 s for 100,000 payments against
1,000,000 open invoices on 2 cores; precision at least 99.8%, at least 90% of payments applied
automatically.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from timing import best_of

from arkit import Ledger
from arkit.cashapp import apply_cash, score_matches

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from payment_files import payment_file  # noqa: E402


def make_data(n_invoices: int, n_payments: int, n_customers: int, seed: int = 5):
    """(ledger, payments, truth): open invoices, bank lines and their true allocation."""
    items, customers, payments, truth = payment_file(seed, n_customers=n_customers, n_invoices=n_invoices,
                                                     n_payments=n_payments)
    columns = ["payment_id", "customer_id", "date", "amount", "currency", "payer_name", "remittance"]
    return Ledger(items, customers=customers), payments[columns], truth


def exact_references(payments: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """The hand-written baseline: allocations of payments whose named invoices sum to the amount."""
    numbers = payments["remittance"].str.extractall(r"(\d{4,})")[0].str.lstrip("0")
    named = numbers.reset_index(level=1, drop=True).rename("key").to_frame()
    named["payment_id"] = payments["payment_id"].to_numpy()[named.index.to_numpy()]
    invoices = pd.DataFrame({"key": items["document_id"].str.replace(r"\D", "", regex=True).str.lstrip("0"),
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
    parser.add_argument("--customers", type=int, default=100_000)
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
    print(f"arkit: {arkit_s:.2f} s (target 15 s at full size), {arkit_s / base_s:.1f}x the exact-reference join; "
          f"{ours['precision']:.2%} precision (target 99.8%), {ours['auto_rate']:.2%} applied automatically "
          f"(target 90%); applied + unapplied = paid, to the cent, for every payment.")


if __name__ == "__main__":
    main()
