"""Delinquency risk: the default's choice on several histories, and features, fit and scoring at scale.

    python benchmarks/bench_risk.py [--invoices 1000000] [--customers 20000] [--runs 1] [--no-histories]

First, per history, the held-out ROC AUC of the default (``method="auto"``: trees, logistic
regression or a blend chosen over three time folds of the training window) beside trees alone
and the logistic regression alone, the weights chosen and each fit's seconds (one run each):

* the bundled sample portfolio (``data/samples``) split at 2025-12-01, 2026-03-01 and 2026-06-01;
* the sample generator (:func:`arkit.sample.write_sample`) at seeds 3 and 11, split at 2026-03-01;
* ``tests/risk_histories.py`` at seeds 1-4: ``smooth`` (lateness logistic in the customer's
  record) and ``thresholds`` (an interaction of amount and terms, and a step in past-due
  invoices: trees should win), split at day 330, beside the oracle (the true probabilities);
* the public IBM accounts-receivable data (``../shared/datasets``, preset ``ibm-late-payments``),
  split at 2013-04-01, when present.

"regret" is the better single kind's ROC AUC minus the default's (negative: the default is better).
``--invoices 0`` skips the part at scale. At scale, a synthetic history of ``--invoices`` invoices over two years (to 2026-10-31) for
``--customers`` customers, as a Ledger with closed dates and a customers table (region, segment,
credit limit). Each customer has a payment habit (days after the due date, normal around a
customer mean, a few customers drifting later over time); 2% of invoices are never paid; the
last weeks are still open. Timed, each the best of ``--runs`` after one warm-up run:

* ``features``: :func:`arkit.risk.features` over the whole history (one row per invoice, what
  was known on its date);
* ``arkit fit``: :class:`arkit.risk.DelinquencyModel` with default settings fitted on the
  labelled rows: trees and logistic regression fitted on the rows before each of three cuts
  (40%, 60%, 80%; at most the latest 100,000 of them) and scored on the next 20%, then the
  chosen model (or both, for a blend) refitted on every row (here without ``fold_known``: the
  cost is the same, the comparison of the histories above passes it);
* ``arkit fit, trees only``: the same with ``method="gbm"`` (no choice);
* ``arkit score``: ``predict_proba`` of the default model on every row;
* ``bare fit``: ``sklearn.ensemble.HistGradientBoostingClassifier`` with the same settings
  fitted on the same precomputed features (categories already integer codes, no constraints),
  in the same run, the floor for the fit.

The target: features and fit of 1,000,000 invoices well under a minute on two cores.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score

from timing import best_of

from arkit import Ledger, load, load_ledger
from arkit.config import SAMPLES_DIR
from arkit.risk import DelinquencyModel, features, labels, training_set
from arkit.risk.model import fold_known
from arkit.sample import write_sample

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from risk_histories import day_date, history  # noqa: E402
from source_tree import PROJECT_ROOT  # noqa: E402

IBM = PROJECT_ROOT.parent / "shared" / "datasets" / "ibm-accounts-receivable" / "WA_Fn-UseC_-Accounts-Receivable.csv"

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


def histories():
    """(name, ledger, split date, true P(late) by document id or None) of each history compared."""
    sample = load_ledger(SAMPLES_DIR)
    for split in ("2025-12-01", "2026-03-01", "2026-06-01"):
        yield "sample", sample, pd.Timestamp(split), None
    for seed in (3, 11):
        with tempfile.TemporaryDirectory() as folder:
            write_sample(folder, seed=seed)
            generated = load_ledger(folder)
        yield f"sample seed {seed}", generated, pd.Timestamp("2026-03-01"), None
    for kind in ("smooth", "thresholds"):
        for seed in (1, 2, 3, 4):
            ledger, truth = history(kind, seed)
            yield f"{kind} seed {seed}", ledger, day_date(330), truth
    if IBM.is_file():
        yield "IBM", load(IBM, preset="ibm-late-payments").ledger, pd.Timestamp("2013-04-01"), None


def compare_methods() -> None:
    """Held-out ROC AUC of auto, trees and logistic regression on each history, and their fit times."""
    print(f"{'history':18s} {'split':10s} {'train':>6s} {'test':>6s} {'auto':>6s} {'trees':>6s} {'logit':>6s} "
          f"{'regret':>7s} {'oracle':>6s}  {'chosen':18s} {'fit s: auto':>11s} {'trees':>6s} {'logit':>6s} {'auto/trees':>10s}")
    ratios, regrets = [], []
    for name, ledger, split, truth in histories():
        rows = features(ledger)
        before = rows["doc_date"] < split
        train = rows[before].reset_index(drop=True)
        train["late"] = labels(train, split - pd.Timedelta(days=1))
        test = rows[~before].reset_index(drop=True)
        X, y = training_set(train)
        X_test, y_test = training_set(test)
        folds = fold_known(train[train["late"].notna()])
        auc, seconds, chosen = {}, {}, ""
        for method in ("auto", "gbm", "logistic"):
            start = time.perf_counter()
            model = DelinquencyModel(method=method).fit(X, y, fold_known=folds)
            seconds[method] = time.perf_counter() - start
            auc[method] = roc_auc_score(y_test, model.predict_proba(X_test)[:, 1])
            if method == "auto":
                chosen = " + ".join(f"{w:.1f} {'trees' if k == 'gbm' else 'logit'}" for k, w in model.card_["weights"].items())
        oracle = f"{roc_auc_score(y_test, truth.loc[test.loc[test['late'].notna(), 'document_id']]):6.3f}" \
            if truth is not None else f"{'':6s}"
        regret = max(auc["gbm"], auc["logistic"]) - auc["auto"]
        ratios.append(seconds["auto"] / seconds["gbm"])
        regrets.append(regret)
        print(f"{name:18s} {split.date()!s:10s} {len(y):6d} {len(y_test):6d} {auc['auto']:6.3f} {auc['gbm']:6.3f} "
              f"{auc['logistic']:6.3f} {regret:+7.4f} {oracle}  {chosen:18s} {seconds['auto']:11.2f} "
              f"{seconds['gbm']:6.2f} {seconds['logistic']:6.2f} {ratios[-1]:9.2f}x", flush=True)
    print(f"largest regret {max(regrets):+.4f}; auto fit / trees-only fit: median {np.median(ratios):.2f}x, "
          f"largest {max(ratios):.2f}x (small fits: a fraction of a second each, the machine's load weighs)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--no-histories", action="store_true", help="skip the comparison on several histories")
    args = parser.parse_args()

    if not args.no_histories:
        print(f"The default beside trees and logistic regression, held-out ROC AUC; {time.strftime('%Y-%m-%d')}")
        compare_methods()
    if args.invoices == 0:
        return

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
