"""Delinquency risk at scale: arkit's features, fit and scoring beside a bare scikit-learn fit.

    python benchmarks/bench_risk.py [--invoices 1000000] [--customers 20000] [--runs 1]

A synthetic history of ``--invoices`` invoices over two years (to 2026-10-31) for
``--customers`` customers, as a Ledger with closed dates and a customers table (region, segment,
credit limit). Each customer has a payment habit (days after the due date, normal around a
customer mean, a few customers drifting later over time); 2% of invoices are never paid; the
last weeks are still open. Timed, each the best of ``--runs`` after one warm-up run:

* ``features``: :func:`arkit.risk.features` over the whole history (one row per invoice, what
  was known on its date);
* ``arkit fit``: :class:`arkit.risk.DelinquencyModel` with default settings fitted on the
  labelled rows: trees and logistic regression fitted on the earlier 75% and compared on the
  latest 25%, then the chosen model (or both, for a blend) refitted on every row;
* ``arkit fit, trees only``: the same with ``method="gbm"`` (no choice);
* ``arkit score``: ``predict_proba`` of the default model on every row;
* ``bare fit``: ``sklearn.ensemble.HistGradientBoostingClassifier`` with the same settings
  fitted on the same precomputed features (categories already integer codes, no constraints),
  in the same run, the floor for the fit.

The target: features and fit of 1,000,000 invoices well under a minute on two cores.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier

from timing import best_of

from arkit import Ledger
from arkit.risk import DelinquencyModel, features, training_set

END = np.datetime64("2026-10-31")
REGIONS = np.array(["Northeast", "Southeast", "Midwest", "Southwest", "West", "Canada"])
SEGMENTS = np.array(["Agriculture", "Construction", "Turf & Landscape", "Forestry"])


def make_ledger(n_invoices: int, n_customers: int, seed: int = 7) -> Ledger:
    """Invoices with closed dates, and customers with region, segment and credit limit."""
    rng = np.random.default_rng(seed)
    habit = rng.choice([-3.0, 2.0, 12.0, 30.0], size=n_customers, p=[0.5, 0.25, 0.17, 0.08])
    drifting = rng.random(n_customers) < 0.05
    customer = rng.integers(0, n_customers, n_invoices)
    doc = END - rng.integers(0, 730, n_invoices).astype("timedelta64[D]")
    terms = rng.choice([15, 30, 45, 60], size=n_customers, p=[0.12, 0.5, 0.22, 0.16])[customer]
    due = doc + terms.astype("timedelta64[D]")
    age = (END - doc).astype(np.int64)
    delay = rng.normal(habit[customer], 6) + np.where(drifting[customer], (730 - age) / 20, 0)
    settled = due + np.round(delay).astype(np.int64).astype("timedelta64[D]")
    settled = np.maximum(settled, doc)
    unpaid = (rng.random(n_invoices) < 0.02) | (settled > END)
    ids = np.char.add("C", np.char.zfill(np.arange(n_customers).astype(str), 6))
    items = pd.DataFrame({
        "document_id": np.char.add("INV", np.char.zfill(np.arange(n_invoices).astype(str), 8)),
        "customer_id": ids[customer],
        "doc_date": doc.astype("datetime64[s]"),
        "due_date": due.astype("datetime64[s]"),
        "amount": np.round(rng.lognormal(6.5, 1.0, n_invoices), 2),
        "closed_date": np.where(unpaid, np.datetime64("NaT"), settled).astype("datetime64[s]"),
    })
    customers = pd.DataFrame({"customer_id": ids, "region": REGIONS[rng.integers(0, 6, n_customers)],
                              "segment": SEGMENTS[rng.integers(0, 4, n_customers)],
                              "credit_limit": np.round(rng.lognormal(9, 0.7, n_customers), -2)})
    return Ledger(items, customers=customers)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()

    start = time.perf_counter()
    ledger = make_ledger(args.invoices, args.customers)
    print(f"Delinquency risk on {args.invoices:,} synthetic invoices, {args.customers:,} customers, to {END}; "
          f"best of {args.runs} after a warm-up run; {time.strftime('%Y-%m-%d')}")
    print(f"(ledger built and validated in {time.perf_counter() - start:.1f} s)")

    timing = best_of(args.runs, features=lambda: features(ledger))
    features_s, rows = timing["features"]
    X, y = training_set(rows)
    model = DelinquencyModel()
    # The bare fit gets what arkit's encoder hands the trees: categories as integer codes.
    categories = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
    codes = X.assign(**{c: X[c].cat.codes.astype(float).where(X[c].notna()) for c in categories})
    bare = HistGradientBoostingClassifier(
        max_iter=model.max_iter, learning_rate=model.learning_rate, max_leaf_nodes=model.max_leaf_nodes,
        l2_regularization=model.l2_regularization, min_samples_leaf=model.min_samples_leaf,
        categorical_features=[c in categories for c in codes.columns], random_state=model.random_state)
    timing = best_of(args.runs, bare_fit=lambda: bare.fit(codes, y), arkit_fit=lambda: DelinquencyModel().fit(X, y),
                     trees_fit=lambda: DelinquencyModel(method="gbm").fit(X, y))
    (bare_s, _), (fit_s, fitted), (trees_s, _) = timing["bare_fit"], timing["arkit_fit"], timing["trees_fit"]
    score_s, p = best_of(args.runs, score=lambda: fitted.predict_proba(X))["score"]
    assert p.shape == (len(X), 2) and np.isfinite(p).all()

    print(f"{len(rows):,} feature rows, {len(y):,} labelled ({y.mean():.1%} late), {X.shape[1]} features")
    print(f"{'step':28s} {'seconds':>8s}")
    print(f"{'features':28s} {features_s:8.2f}")
    print(f"{'arkit fit (default: choose)':28s} {fit_s:8.2f}   (chose {fitted.card_['weights']})")
    print(f"{'arkit fit, trees only':28s} {trees_s:8.2f}")
    print(f"{'bare HistGradientBoosting':28s} {bare_s:8.2f}   (same settings, same precomputed features)")
    print(f"{'arkit score (all rows)':28s} {score_s:8.2f}")
    print(f"{'features + fit':28s} {features_s + fit_s:8.2f}   (trees-only fit / bare fit: {trees_s / bare_s:.2f}x; "
          f"default / trees only: {fit_s / trees_s:.2f}x)")
    print(f"iterations: {fitted.n_iter_} (trees: early stopping on 10% of the rows)")


if __name__ == "__main__":
    main()
