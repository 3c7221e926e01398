"""Delinquency risk: point-in-time features, the model, backtests and explanations (issue 5)."""

from arkit.risk.drivers import describe, explain, explain_accounts, importance
from arkit.risk.evaluation import Backtest, backtest, calibration_table, score_metrics
from arkit.risk.model import TRUSTED_TYPES, DelinquencyModel, fold_known
from arkit.risk.point_in_time import DIMENSIONS, INVOICE_FEATURES, META_COLUMNS, extra_columns, features, labels, \
    open_features, settlement_dates, training_set

__all__ = [
    "Backtest",
    "DIMENSIONS",
    "DelinquencyModel",
    "INVOICE_FEATURES",
    "META_COLUMNS",
    "TRUSTED_TYPES",
    "backtest",
    "calibration_table",
    "describe",
    "explain",
    "explain_accounts",
    "extra_columns",
    "features",
    "fold_known",
    "importance",
    "labels",
    "open_features",
    "score_metrics",
    "settlement_dates",
    "training_set",
]
