"""Backtests that tell the truth: train before a split date, test after, beside two baselines.

Rows are the feature rows of :func:`arkit.risk.features` (each invoice with what was known on
its document date). The split at day ``S``:

- training: invoices dated before ``S`` whose outcome was known at the end of the day before
  ``S``, i.e. due_date + grace < S (see :func:`arkit.risk.labels`). An invoice dated before
  ``S`` but still inside its terms then is left out of both sets: its outcome came after the
  split, and training on it would leak the future; training only on the ones already paid
  would over-represent early payers.
- test: invoices dated on or after ``S`` whose outcome is known at the end of the data.

Baselines, scored on the same test rows:

- ``invoice_fields``: the same kind of model on the invoice's own fields only
  (:data:`arkit.risk.INVOICE_FEATURES`, the dimensions and the extra columns);
- ``late_share_rule``: the score "share of this customer's invoices paid late so far"
  (``late_share``), the training late rate for customers with no history yet.

Metrics (p the score, y the outcome): ROC AUC; PR AUC (average precision); Brier score =
mean((p - y)^2); log loss = -mean(y ln p + (1 - y) ln(1 - p)); top-decile lift = late rate of
the 10% highest scores / late rate of all; top-decile capture = share of all late invoices
found in those 10%. The calibration table cuts the test rows into ten equal groups by
predicted probability: mean predicted beside observed late rate.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, brier_score_loss, log_loss, roc_auc_score

from arkit.progress import advance
from arkit._common import to_date
from arkit.errors import ArkitError
from arkit.risk.model import DelinquencyModel, fold_known
from arkit.risk.point_in_time import DIMENSIONS, INVOICE_FEATURES, META_COLUMNS, extra_columns, features, labels, \
    training_set

__all__ = ["Backtest", "backtest", "score_metrics", "calibration_table"]


def score_metrics(y, p) -> dict[str, float]:
    """ROC AUC, PR AUC, Brier score, log loss, top-decile lift and capture of scores ``p``.

    Examples
    --------
    >>> y = np.array([0, 0, 0, 0, 0, 0, 0, 0, 1, 1])
    >>> p = np.array([0.1, 0.1, 0.2, 0.2, 0.2, 0.3, 0.3, 0.6, 0.4, 0.9])
    >>> {k: round(v, 3) for k, v in score_metrics(y, p).items()}
    {'roc_auc': 0.938, 'pr_auc': 0.833, 'brier': 0.105, 'log_loss': 0.353, 'top_decile_lift': 5.0, 'top_decile_capture': 0.5}
    """
    y, p = np.asarray(y, dtype=np.int64), np.asarray(p, dtype=float)
    top = max(1, int(np.ceil(len(y) / 10)))
    highest = np.argsort(-p, kind="stable")[:top]
    late = y.sum()
    return {
        "roc_auc": float(roc_auc_score(y, p)),
        "pr_auc": float(average_precision_score(y, p)),
        "brier": float(brier_score_loss(y, p)),
        "log_loss": float(log_loss(y, np.clip(p, 1e-6, 1 - 1e-6), labels=[0, 1])),
        "top_decile_lift": float(y[highest].mean() / y.mean()) if late else float("nan"),
        "top_decile_capture": float(y[highest].sum() / late) if late else float("nan"),
    }


def calibration_table(y, p, bins: int = 10) -> pd.DataFrame:
    """Rows cut into ``bins`` equal groups by predicted probability: mean predicted, observed rate, count.

    Examples
    --------
    >>> calibration_table([0, 0, 1, 1], [0.1, 0.3, 0.6, 0.8], bins=2)
       bin  mean_predicted  observed_rate  count
    0    1             0.2            0.0      2
    1    2             0.7            1.0      2
    """
    p = np.asarray(p, dtype=float)
    order = np.argsort(p, kind="stable")
    group = np.empty(len(p), dtype=np.int64)
    group[order] = np.arange(len(p)) * bins // max(len(p), 1) + 1
    table = pd.DataFrame({"bin": group, "p": p, "y": np.asarray(y, dtype=float)}).groupby("bin").agg(
        mean_predicted=("p", "mean"), observed_rate=("y", "mean"), count=("y", "size"))
    return table.reset_index()


@dataclass
class Backtest:
    """The result of :func:`backtest`: metrics of the model and of the baselines on the test rows.

    ``predictions`` has the test rows (:data:`~arkit.risk.META_COLUMNS`) with ``p_late`` and the
    baseline scores ``p_invoice_fields`` and ``late_share_rule``; ``X_test`` and ``y_test`` are
    the model's inputs, for :meth:`importance` and :func:`arkit.risk.explain`.
    """

    split_date: dt.date
    grace: int
    n_train: int
    n_test: int
    late_rate_train: float
    late_rate_test: float
    metrics: dict[str, float]
    baselines: dict[str, dict[str, float]]
    calibration: pd.DataFrame
    model: DelinquencyModel = field(repr=False)
    predictions: pd.DataFrame = field(repr=False)
    X_test: pd.DataFrame = field(repr=False)
    y_test: np.ndarray = field(repr=False)

    def to_dict(self) -> dict:
        """Plain numbers for JSON: the model's metrics, ``baseline_*`` (invoice fields) and
        ``rule_*`` (late-share rule) metrics, sizes, rates and the calibration table."""
        out = {"split_date": str(self.split_date), "grace": self.grace, "n_train": self.n_train, "n_test": self.n_test,
               "late_rate_train": self.late_rate_train, "late_rate_test": self.late_rate_test, **self.metrics}
        for prefix, name in (("baseline", "invoice_fields"), ("rule", "late_share_rule")):
            out.update({f"{prefix}_{k}": v for k, v in self.baselines[name].items()})
        out["calibration"] = self.calibration.to_dict("records")
        return out

    def importance(self, n_repeats: int = 5) -> pd.DataFrame:
        """Permutation importance of each feature on the test rows (drop in ROC AUC); see
        :func:`arkit.risk.importance`."""
        from arkit.risk.drivers import importance

        return importance(self.model, self.X_test, self.y_test, n_repeats=n_repeats)


def _invoice_columns(X: pd.DataFrame, extra) -> list[str]:
    return [c for c in X.columns if c in INVOICE_FEATURES or c in DIMENSIONS or c in extra]


def backtest(ledger, split_date, grace: int = 0, *, method: str = "auto", extra=(), **params) -> Backtest:
    """Train on invoices dated before ``split_date``, test on those dated on or after it.

    See the module docstring for which rows go where, the baselines and the metrics.

    Parameters
    ----------
    ledger : Ledger
        A history: items with ``closed_date`` or ``applications``.
    split_date : date or "YYYY-MM-DD"
        First day of the test period.
    grace : int, default 0
        Days after the due date that still count as on time.
    method : {"auto", "gbm", "logistic"}
        The model, and the model of the invoice-fields baseline.
    extra : sequence of str
        Further item or customer columns to use as features, besides those the ledger declares
        (:func:`arkit.risk.features`).
    **params
        Further parameters of :class:`~arkit.risk.DelinquencyModel`.

    Examples
    --------
    >>> from arkit import load_ledger
    >>> from arkit.config import SAMPLES_DIR
    >>> result = backtest(load_ledger(SAMPLES_DIR), "2026-03-01", max_iter=30)
    >>> result.n_train, result.n_test, result.metrics["roc_auc"] > result.baselines["late_share_rule"]["roc_auc"]
    (21164, 11588, True)
    """
    split = to_date(split_date, "split_date")
    known_on = split - dt.timedelta(days=1)
    advance("features")
    rows = features(ledger, grace=grace, extra=extra)
    extra = extra_columns(ledger, extra)
    before = (rows["doc_date"].dt.date < split).to_numpy()
    train = rows[before].reset_index(drop=True)
    train["late"] = labels(train, known_on, grace)
    test = rows[~before].reset_index(drop=True)
    X, y = training_set(train)
    if len(y) == 0 or y.min() == y.max():
        raise ArkitError(f"no settled invoices before {split} to train on (need both on-time and late ones, "
                         f"due at least {grace + 1} day(s) before it): choose a later split date")
    X_test, y_test = training_set(test)
    if len(y_test) == 0 or y_test.min() == y_test.max():
        raise ArkitError(f"no invoices dated on or after {split} with a known outcome (both on-time and late) "
                         "to test on: choose an earlier split date")
    known = train[train["late"].notna()]
    folds = fold_known(known, grace)
    model = DelinquencyModel(method=method, grace=grace, **params).fit(X, y, fold_known=folds)
    p = model.predict_proba(X_test)[:, 1]
    advance("baselines")
    invoice_columns = _invoice_columns(X, extra)
    invoice_model = DelinquencyModel(method=method, grace=grace, **params).fit(X[invoice_columns], y, fold_known=folds)
    p_invoice = invoice_model.predict_proba(X_test[invoice_columns])[:, 1]
    rule = X_test["late_share"].fillna(float(y.mean())).to_numpy()

    metrics = score_metrics(y_test, p)
    baselines = {"invoice_fields": score_metrics(y_test, p_invoice), "late_share_rule": score_metrics(y_test, rule)}
    model.card_.update({
        "trained_on": f"{known['doc_date'].min().date()} .. {known['doc_date'].max().date()}",
        "labels_known_on": str(known_on), "extra": list(extra),
        "backtest": {"split_date": str(split), "n_test": int(len(y_test)), **metrics,
                     **{f"baseline_{k}": v for k, v in baselines["invoice_fields"].items()},
                     **{f"rule_{k}": v for k, v in baselines["late_share_rule"].items()}},
    })
    predictions = test[test["late"].notna()][list(META_COLUMNS)].reset_index(drop=True).assign(
        p_late=p, p_invoice_fields=p_invoice, late_share_rule=rule)
    return Backtest(split_date=split, grace=grace, n_train=int(len(y)), n_test=int(len(y_test)),
                    late_rate_train=float(y.mean()), late_rate_test=float(y_test.mean()), metrics=metrics,
                    baselines=baselines, calibration=calibration_table(y_test, p), model=model,
                    predictions=predictions, X_test=X_test, y_test=y_test)
