"""Blank group keys come out as "(blank)" on every engine, whether the keys are text or categorical.

Expectations written by hand: three items, one with no customer, no currency and no region.
"""

import duckdb
import pandas as pd
import polars as pl
import pytest

from arkit import age, aging_summary, summarize_aging

ITEMS = pd.DataFrame({
    "document_id": ["A", "B", "C"],
    "customer_id": ["C1", None, "C1"],
    "doc_date": pd.to_datetime(["2026-09-01"] * 3),
    "due_date": pd.to_datetime(["2026-10-01"] * 3),  # 30 days past due on 2026-10-31
    "amount": [10.25, 20.50, 30.00],
    "currency": ["USD", None, "USD"],
    "region": ["West", None, "East"],
})
TEXT = ["customer_id", "currency", "region"]


def _kind(kind: str):
    """The items as one engine's frame, with the text columns as text or categorical."""
    if kind.startswith("pandas"):
        return ITEMS.astype(dict.fromkeys(TEXT, "category" if kind == "pandas-category" else "str"))
    frame = pl.from_pandas(ITEMS)
    if kind == "polars-categorical":
        return frame.with_columns(pl.col(TEXT).cast(pl.Categorical))
    if kind == "polars-enum":
        return frame.with_columns(pl.col(c).cast(pl.Enum(sorted(ITEMS[c].dropna().unique()))) for c in TEXT)
    if kind == "polars":
        return frame
    connection = duckdb.connect()
    connection.register("items", ITEMS)
    if kind == "duckdb":
        return connection.sql("SELECT * FROM items")
    for c in TEXT:  # duckdb-enum
        values = ", ".join(f"'{v}'" for v in sorted(ITEMS[c].dropna().unique()))
        connection.sql(f"CREATE TYPE {c}_enum AS ENUM ({values})")
    return connection.sql(f"SELECT * REPLACE ({', '.join(f'{c}::{c}_enum AS {c}' for c in TEXT)}) FROM items")


def _pandas(result) -> pd.DataFrame:
    if isinstance(result, duckdb.DuckDBPyRelation):
        return result.df()
    if isinstance(result, pl.LazyFrame):
        result = result.collect()
    return result.to_pandas() if isinstance(result, pl.DataFrame) else result


KINDS = ["pandas-str", "pandas-category", "polars", "polars-categorical", "polars-enum", "duckdb", "duckdb-enum"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("by", ["customer_id", "region"])
def test_blank_keys_are_named_on_every_engine_and_key_type(kind, by):
    expected = {"customer_id": {("C1", "USD"): 40.25, ("(blank)", "(blank)"): 20.50},
                "region": {("East", "USD"): 30.00, ("West", "USD"): 10.25, ("(blank)", "(blank)"): 20.50}}[by]
    summary = _pandas(aging_summary(_kind(kind), as_of="2026-10-31", by=by))
    resummed = summarize_aging(_pandas(age(_kind(kind), as_of="2026-10-31")), by=by)
    for result in (summary, resummed):
        rows = {(r[by], r["currency"]): (r["1-30"], r["total"]) for r in result.to_dict("records")}
        assert rows == {key: (total, total) for key, total in expected.items()}
