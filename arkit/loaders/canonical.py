"""Read ledgers written in the canonical layout: a folder of ``<table>.csv`` or one items CSV."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd

from arkit.errors import ArkitError, LedgerError
from arkit.ledger import TABLE_NAMES, Ledger

__all__ = ["load_ledger", "read_canonical_csv"]


def read_canonical_csv(path: str | Path) -> pd.DataFrame:
    """Read a CSV with every column as text (ids keep their leading zeros); parsing comes later.

    Examples
    --------
    >>> from arkit.config import SAMPLES_DIR
    >>> read_canonical_csv(SAMPLES_DIR / "customers.csv")["customer_id"].iloc[0]
    '0010001'
    """
    path = Path(path)
    try:
        return pd.read_csv(path, dtype="str", keep_default_na=False, encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        raise LedgerError(f"{path}: the file is empty; expected a header line and rows") from None
    except UnicodeDecodeError as exc:
        raise LedgerError(f"{path}: not UTF-8 text (byte {exc.start}); save it as CSV UTF-8") from None
    except pd.errors.ParserError as exc:
        raise LedgerError(f"{path}: not a readable CSV table ({str(exc).strip()})") from None


def load_ledger(path: str | Path, *, currency: str = "USD") -> Ledger:
    """Load a folder of canonical CSVs (``items.csv``, ``customers.csv``, ...) or one items CSV.

    Files in the folder named after a table (see :data:`arkit.ledger.TABLE_NAMES`) are read;
    any other CSV is reported in a warning, never read silently as something else.

    Examples
    --------
    >>> from arkit.config import SAMPLES_DIR
    >>> ledger = load_ledger(SAMPLES_DIR)
    >>> len(ledger.customers)
    1250
    """
    path = Path(path)
    if not path.exists():
        raise ArkitError(f"{path}: no such file or folder")
    if path.is_file():
        return Ledger(read_canonical_csv(path), currency=currency, sources={"items": str(path)})
    files = {p.stem: p for p in sorted(path.glob("*.csv"))}
    if "items" not in files:
        found = ", ".join(files) or "no CSV files"
        raise LedgerError(f"{path}: a ledger folder needs items.csv (found: {found})")
    others = sorted(set(files) - set(TABLE_NAMES))
    if others:
        warnings.warn(f"{path}: ignored files that name no ledger table: {', '.join(o + '.csv' for o in others)}",
                      stacklevel=2)
    tables = {name: read_canonical_csv(files[name]) for name in TABLE_NAMES if name in files}
    return Ledger(**tables, currency=currency, sources={name: str(files[name]) for name in tables})
