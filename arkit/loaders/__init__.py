"""Loaders: sources in, a validated :class:`arkit.Ledger` out."""

from arkit.loaders.canonical import load_ledger, read_canonical_csv

__all__ = ["load_ledger", "read_canonical_csv"]
