"""Loaders: any AR source in, a validated :class:`arkit.Ledger` and a load report out."""

from arkit.loaders._load import LoadReport, LoadResult, load, load_ledger
from arkit.loaders.mapping import Mapping, load_mapping, preset, preset_names
from arkit.loaders.sources import read_source_file
from arkit.loaders.suggest import Suggestion, suggest_mapping

__all__ = ["LoadReport", "LoadResult", "Mapping", "load", "load_ledger", "load_mapping", "preset", "preset_names",
           "read_source_file", "Suggestion", "suggest_mapping"]
