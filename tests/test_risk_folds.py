"""The default's time folds train on what was known at each fold's own cut, not at the outer cut.

A hand-built history: 1,200 invoices, four a day from 2026-01-01, terms of 10 days or 90 days
in turn, every third paid 5 days late, the others 2 days early. An invoice on 90-day terms
issued shortly before a fold's cut is still inside its terms there (its outcome unknown to a
model trained that day) but due long before the outer cut: the fold must leave it out.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from arkit import Ledger
from arkit.risk import DelinquencyModel, backtest
from arkit.risk.model import fold_known

START = dt.date(2026, 1, 1)
N = 1200
BEFORE = dt.date(2027, 2, 1)      # the outer cut: every invoice is due before it


def _invoices() -> list[dict]:
    out = []
    for i in range(N):
        doc = START + dt.timedelta(days=i // 4)
        due = doc + dt.timedelta(days=10 if i % 2 == 0 else 90)
        settled = due + dt.timedelta(days=5 if i % 3 == 0 else -2)
        out.append({"document_id": f"INV{i:05d}", "customer_id": f"C{i % 7}", "doc_date": doc, "due_date": due,
                    "settled": settled, "late": settled > due})
    return out


def _ledger(invoices) -> Ledger:
    items = pd.DataFrame({"document_id": [r["document_id"] for r in invoices],
                          "customer_id": [r["customer_id"] for r in invoices],
                          "doc_date": [str(r["doc_date"]) for r in invoices],
                          "due_date": [str(r["due_date"]) for r in invoices],
                          "amount": [100.0 + (i % 13) * 10 for i in range(len(invoices))],
                          "closed_date": [str(r["settled"]) for r in invoices]})
    return Ledger(items)


def _by_hand(invoices):
    """Each fold's training rows and labels, written out: rows before the fold's first scored
    invoice, kept when due on or before the day before that invoice's date."""
    rows = sorted(invoices, key=lambda r: (r["doc_date"], r["customer_id"], r["document_id"]))
    known_on = BEFORE - dt.timedelta(days=1)
    rows = [r for r in rows if r["due_date"] <= known_on]
    n = len(rows)
    starts = [round(n * 0.4), round(n * 0.6), round(n * 0.8)]
    folds = []
    for start in starts:
        cut = rows[start]["doc_date"] - dt.timedelta(days=1)
        folds.append([(r["document_id"], int(r["late"])) for r in rows[:start] if r["due_date"] <= cut])
    return rows, starts, folds


def test_each_fold_trains_on_the_labels_known_at_its_own_cut(monkeypatch):
    invoices = _invoices()
    rows, starts, expected = _by_hand(invoices)
    assert len(rows) == N
    # The case the folds must get right: invoices unknown at a fold's cut, known at the outer cut.
    for start, fold in zip(starts, expected):
        unknown = [r for r in rows[:start] if r["document_id"] not in {d for d, _ in fold}]
        assert all(r["due_date"] < BEFORE for r in unknown)
        assert sum(r["due_date"] - r["doc_date"] == dt.timedelta(days=90) for r in unknown) >= 100

    seen = []                 # the labels each fold's fits were given (2 kinds per fold, then the refit)
    original = DelinquencyModel._fit_kind

    def spy(self, kind, frame, y):
        seen.append((kind, len(frame), y.tolist()))
        return original(self, kind, frame, y)

    monkeypatch.setattr(DelinquencyModel, "_fit_kind", spy)
    model = DelinquencyModel().fit_ledger(_ledger(invoices), before=BEFORE)
    for number, fold in enumerate(expected):
        want = [late for _, late in fold]
        assert seen[2 * number] == ("gbm", len(want), want)
        assert seen[2 * number + 1] == ("logistic", len(want), want)
    assert [f["n_fit"] for f in model.card_["validation"]["folds"]] == [len(fold) for fold in expected]
    assert [f["n_validate"] for f in model.card_["validation"]["folds"]] == [
        starts[1] - starts[0], starts[2] - starts[1], N - starts[2]]
    # The refit takes every row, labelled as known at the outer cut.
    assert all(n == N and labels == [int(r["late"]) for r in rows] for _, n, labels in seen[6:])


def test_fold_known_marks_the_rows_due_before_each_cut():
    invoices = _invoices()
    rows, starts, expected = _by_hand(invoices)
    frame = pd.DataFrame({"doc_date": pd.to_datetime([r["doc_date"] for r in rows]),
                          "due_date": pd.to_datetime([r["due_date"] for r in rows]),
                          "settled_date": pd.to_datetime([r["settled"] for r in rows])})
    known = fold_known(frame)
    assert known.shape == (N, 3)
    ids = np.array([r["document_id"] for r in rows])
    for k, fold in enumerate(expected):
        assert set(ids[:starts[k]][known[:starts[k], k]]) == {d for d, _ in fold}
    # A grace period moves each invoice's known day later by as many days.
    with_grace = fold_known(frame, grace=30)
    for k, start in enumerate(starts):
        cut = rows[start]["doc_date"] - dt.timedelta(days=1)
        hand = [r["due_date"] + dt.timedelta(days=30) <= cut for r in rows]
        assert with_grace[:, k].tolist() == hand


def test_fit_refuses_fold_labels_of_the_wrong_shape():
    X = pd.DataFrame({"a": np.arange(10.0)})
    with pytest.raises(ValueError, match="fold_known must have shape"):
        DelinquencyModel().fit(X, [0, 1] * 5, fold_known=np.ones((9, 3), dtype=bool))


def test_the_backtest_folds_use_the_labels_known_at_each_cut():
    invoices = _invoices()
    rows, _, expected = _by_hand(invoices)
    # The split is BEFORE's day; the test rows are none there, so split a little earlier.
    result = backtest(_ledger(invoices), "2026-09-01", max_iter=20)
    known_on = dt.date(2026, 8, 31)
    train = sorted((r for r in invoices if r["doc_date"] < dt.date(2026, 9, 1) and r["due_date"] <= known_on),
                   key=lambda r: (r["doc_date"], r["customer_id"], r["document_id"]))
    n = len(train)
    cuts = [train[round(n * share)]["doc_date"] - dt.timedelta(days=1) for share in (0.4, 0.6, 0.8)]
    hand = [sum(r["due_date"] <= cut for r in train[:round(n * share)]) for cut, share in zip(cuts, (0.4, 0.6, 0.8))]
    assert result.n_train == n
    assert [f["n_fit"] for f in result.model.card_["validation"]["folds"]] == hand
