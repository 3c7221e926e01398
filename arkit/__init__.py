"""arkit: accounts-receivable analytics for analysts who live in Excel today."""

from arkit.aging import DEFAULT_BUCKETS, age, aging_summary, bucket_labels, summarize_aging
from arkit.errors import ArkitError, LedgerError
from arkit._kpis import aging_kpis
from arkit.ledger import Ledger
from arkit.loaders import LoadReport, Mapping, load, load_ledger

__all__ = [
    "ArkitError",
    "DEFAULT_BUCKETS",
    "Ledger",
    "LedgerError",
    "LoadReport",
    "Mapping",
    "age",
    "aging_kpis",
    "aging_summary",
    "bucket_labels",
    "load",
    "load_ledger",
    "summarize_aging",
]
