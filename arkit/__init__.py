"""arkit: accounts-receivable analytics for analysts who live in Excel today.

Every public name is here (``arkit.age``, ``arkit.kpis``, ``arkit.reconcile``, ...), imported
when first used: ``import arkit`` itself loads none of pandas' heavier companions (SQLAlchemy,
scikit-learn, matplotlib, Voila). Where each lives is in docs/ARCHITECTURE.md.
"""

from __future__ import annotations

import importlib

from arkit.errors import ArkitError, LedgerError, ParameterError

_PUBLIC = {
    "arkit.aging": ["DEFAULT_BUCKETS", "age", "aging_summary", "bucket_labels", "summarize_aging"],
    "arkit.ledger": ["Ledger"],
    "arkit.loaders": ["LoadReport", "LoadResult", "Mapping", "load", "load_ledger", "load_mapping", "preset_names",
                      "suggest_mapping"],
    "arkit.loaders.bank": ["read_payments", "read_camt053", "read_bai2"],
    "arkit.monthly": ["aging_trend", "month_ends", "monthly_activity"],
    "arkit._kpis": ["KPI_COLUMNS", "aging_kpis", "compute_kpis", "kpis", "period_kpis", "rank_past_due"],
    "arkit._reconcile": ["ReconcileResult", "compare_snapshots", "normalize_keys", "reconcile"],
    "arkit.cashapp": ["CashApplication", "apply_cash", "credit_offsets", "score_matches"],
    "arkit._worklist": ["Policy", "credit_line", "promises", "worklist"],
    "arkit.statements": ["Statement", "statement", "write_statements"],
    "arkit._report_pack": ["report_pack", "rollforward", "write_report_workbook"],
    "arkit.risk": ["DelinquencyModel", "backtest", "features"],
}
_WHERE = {name: module for module, names in _PUBLIC.items() for name in names}

__all__ = sorted(["ArkitError", "LedgerError", "ParameterError", *_WHERE])


def __getattr__(name: str):
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'arkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
