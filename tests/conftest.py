"""Shared fixtures: the committed sample ledger, frames converted to each backend, and the
builder of the small hand-built ledgers of the by-hand tests."""

from __future__ import annotations

import duckdb
import narwhals as nw
import pandas as pd
import polars as pl
import pytest

from arkit import load_ledger
from arkit.config import SAMPLES_DIR

BACKENDS = ("pandas", "polars", "polars-lazy", "duckdb")
HAND_COLUMNS = ["document_id", "doc_type", "doc_date", "due_date", "amount", "closed_date"]


def hand_items(rows, customer: str = "C1", currency: str = "USD") -> pd.DataFrame:
    """Canonical items from rows of (document_id, doc_type, doc_date, due_date, amount,
    closed_date) written out by hand, dates as "YYYY-MM-DD" (closed None when open), all of one
    customer and currency."""
    frame = pd.DataFrame(rows, columns=HAND_COLUMNS)
    for column in ("doc_date", "due_date", "closed_date"):
        frame[column] = pd.to_datetime(frame[column])
    return frame.assign(customer_id=customer, currency=currency)


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
