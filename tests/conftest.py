"""Shared fixtures: the committed sample ledger and frames converted to each backend."""

from __future__ import annotations

import duckdb
import narwhals as nw
import pandas as pd
import polars as pl
import pytest

from arkit import load_ledger
from arkit.config import SAMPLES_DIR

BACKENDS = ("pandas", "polars", "polars-lazy", "duckdb")


@pytest.fixture(scope="session")
def sample_ledger():
    return load_ledger(SAMPLES_DIR)


class Backend:
    """Converts pandas frames to one engine's kind, and results back to sorted pandas."""

    def __init__(self, kind: str):
        self.kind = kind
        self.connection = duckdb.connect() if kind == "duckdb" else None

    def __call__(self, frame: pd.DataFrame):
        if frame is None or self.kind == "pandas":
            return frame
        if self.kind.startswith("polars"):
            converted = pl.from_pandas(frame)
            return converted.lazy() if self.kind == "polars-lazy" else converted
        return self.connection.from_df(frame)

    @staticmethod
    def to_pandas(result, sort_by) -> pd.DataFrame:
        frame = nw.from_native(result)
        if isinstance(frame, nw.LazyFrame):
            frame = frame.collect()
        result = frame.to_pandas()
        if "period_end" in result:  # a date: Arrow date in pandas, datetime64 through Polars or DuckDB
            result["period_end"] = pd.to_datetime(result["period_end"])
        return result.sort_values(sort_by).reset_index(drop=True)


@pytest.fixture(params=BACKENDS)
def backend(request):
    return Backend(request.param)
