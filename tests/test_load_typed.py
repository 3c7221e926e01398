"""The loader's shortcuts give what the long way gives: typed Parquet columns taken as they are,
date formats inferred by a bounded search, UTF-8 files decoded only when Arrow cannot read them,
duplicates found through one uniqueness check. Expectations are built by hand or by a naive
implementation in this file."""

import datetime as dt
import decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from arkit import LedgerError, load
from arkit.parsing import DATE_FORMATS, parse_dates


def _typed_items(tmp_path, amounts, amount_type, ids=("0042", "0043", "0044")):
    table = pa.table({
        "document_id": pa.array(list(ids)),
        "customer_id": pa.array([7, 8, 7], pa.int64()),
        "doc_date": pa.array([dt.date(1969, 12, 31), dt.date(2026, 1, 2), dt.date(2026, 3, 4)], pa.date32()),
        "due_date": pa.array([dt.datetime(2026, 2, 1, 23, 59), None, dt.datetime(2026, 4, 3, 0, 1)], pa.timestamp("us")),
        "amount": pa.array(amounts, amount_type),
    })
    path = tmp_path / "items.parquet"
    pq.write_table(table, path)
    return path


def test_typed_parquet_columns_are_taken_as_they_are(tmp_path):
    amounts = [decimal.Decimal("1234.50"), decimal.Decimal("-0.07"), decimal.Decimal("99999999.99")]
    result = load(_typed_items(tmp_path, amounts, pa.decimal128(18, 2)))
    items, report = result.ledger.items, result.report
    assert (report.rows_read, report.rows_loaded, report.rows_rejected, report.warnings) == (3, 3, 0, [])
    assert items["amount"].tolist() == [1234.50, -0.07, 99999999.99]
    assert round(report.amount_loaded * 100) == 123450 - 7 + 9999999999
    assert items["document_id"].tolist() == ["0042", "0043", "0044"]
    assert items["customer_id"].tolist() == ["7", "8", "7"]  # whole numbers as text, nothing to repair
    assert items["doc_date"].dt.strftime("%Y-%m-%d").tolist() == ["1969-12-31", "2026-01-02", "2026-03-04"]
    # a timestamp is its day; a missing due date comes from the document date (no terms)
    assert items["due_date"].dt.strftime("%Y-%m-%d").tolist() == ["2026-02-01", "2026-01-02", "2026-04-03"]
    assert str(items["doc_date"].dtype) == "datetime64[s]"


def test_a_decimal_column_with_three_places_is_not_read_as_thousands(tmp_path):
    # As text, "1.234" and "2.346" alone could be thousands and are refused; a decimal column says what they are.
    amounts = [decimal.Decimal("1.234"), decimal.Decimal("2.346"), decimal.Decimal("10.001")]
    report = load(_typed_items(tmp_path, amounts, pa.decimal128(12, 3))).report
    assert (report.rows_loaded, round(report.amount_loaded * 100)) == (3, 123 + 235 + 1000)


def test_float_and_integer_amounts_and_ids(tmp_path):
    path = _typed_items(tmp_path, [10.5, -2.25, 3.0], pa.float64(), ids=["A-1", "A-2", "A-1"])
    report = load(path).report
    assert (report.rows_loaded, report.rows_rejected) == (2, 1)
    assert report.rejects["place"].tolist() == [f"{path} row 3"]
    assert report.rejects["reason"].str.startswith("document_id 'A-1' is already on ").all()
    assert round(report.amount_read * 100) == 1050 - 225 + 300


def _naive_date_format(values: pd.Series) -> str:
    """The definition: every format counted on every distinct value; the first that reads most wins."""
    sample = values.dropna().drop_duplicates()
    counts = {fmt: int(pd.to_datetime(sample, format=fmt, errors="coerce").notna().sum()) for fmt in DATE_FORMATS}
    best = max(counts.values())
    winners = [fmt for fmt in DATE_FORMATS if counts[fmt] == best]
    if any(f.startswith("%d") for f in winners) and any(f.startswith("%m") for f in winners):
        return "ambiguous"
    return winners[0]


@pytest.mark.parametrize("seed", range(12))
def test_date_format_inference_equals_counting_every_format(seed):
    rng = np.random.default_rng(seed)
    days = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 900, 400), unit="D")
    if seed % 3 == 2:  # every day at most 12: day-first and month-first both read all
        days = pd.to_datetime({"year": 2026, "month": rng.integers(1, 13, 400), "day": rng.integers(1, 13, 400)})
    formats = rng.choice(["%Y-%m-%d", "%m/%d/%Y", "%d/%m/%Y", "%d.%m.%Y", "%d %b %Y", "%Y%m%d"], size=2, replace=False)
    share = [1.0, 0.0] if seed % 4 == 0 else [0.7, 0.3]  # one format, or a mix where the most common wins
    chosen = rng.choice(2, size=400, p=share)
    text = [day.strftime(formats[c]) for day, c in zip(days, chosen)]
    text[:5] = ["n/a", "", "soon", "31/31/2026", "2026-02-30"]
    values = pd.Series(text, dtype="str")
    expected = _naive_date_format(values.where(~values.isin(["n/a", ""])))
    if expected == "ambiguous":
        with pytest.raises(LedgerError, match="give --date-format"):
            parse_dates(values)
        return
    parsed, bad = parse_dates(values)
    naive = pd.to_datetime(values.where(~values.isin(["n/a", ""])), format=expected, errors="coerce")
    assert parsed.tolist() == naive.tolist()
    assert bad.tolist() == (naive.isna() & ~values.isin(["n/a", ""])).tolist()


def _big_csv(rows: int, name: str) -> str:
    lines = ["document_id,customer_id,doc_date,amount,customer_name"]
    lines += [f"INV{i:07d},C{i % 97},2026-01-{1 + i % 28:02d},{i % 1000}.25,{name if i == rows - 1 else 'Acme'}"
              for i in range(rows)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("encoding", ["cp1252", "utf-16", "utf-8-sig"])
def test_long_files_in_other_encodings(tmp_path, encoding):
    # Over the 1 MiB that is decoded first; the only accented name is on the last line.
    text = _big_csv(40_000, "Café Œuvre")
    path = tmp_path / "items.csv"
    path.write_bytes(text.encode(encoding))
    assert path.stat().st_size > 1 << 20
    result = load(path)
    assert (result.report.rows_loaded, result.report.rows_rejected) == (40_000, 0)
    assert result.ledger.items["customer_name"].iloc[-1] == "Café Œuvre"
    assert result.report.rejects.empty


def test_exact_duplicates_found_where_parsed_ids_repeat(tmp_path):
    # " A" and "A" are one id once trimmed: the copy is still a duplicate, of line 2, by document id
    path = tmp_path / "items.csv"
    path.write_text("document_id,customer_id,doc_date,amount\nA,C,2026-01-01,1\n A,C,2026-01-01,1\n"
                    "B,C,2026-01-02,2\nB,C,2026-01-02,2\nB,C,2026-01-02,2\n")
    report = load(path).report
    assert report.rejects[["line", "reason"]].to_dict("records") == [
        {"line": 3, "reason": "document_id 'A' is already on line 2 with other values"},
        {"line": 5, "reason": "duplicate of line 4"},
        {"line": 6, "reason": "duplicate of line 4"},
    ]
    assert (report.rows_read, report.rows_loaded) == (5, 2)


@pytest.mark.parametrize("cells", [
    ["INV-000001", "INV-000002", None],  # every cell longer than any spelling of "missing"
    ["INV-000001", " NULL ", "n/a", "--", "NAN", ""],
    ["12345", "#N/A", "None", "x"],
    [None, None],
    [],
])
def test_missing_cells_are_found_with_and_without_short_cells(cells):
    from arkit.parsing import clean_text, is_missing
    values = pd.Series(cells, dtype="str")
    spelled = {"", "null", "none", "nan", "nat", "n/a", "na", "#n/a", "-", "--"}
    naive = [c is None or c.strip().lower() in spelled for c in cells]
    assert is_missing(values).tolist() == naive
    assert clean_text(values).isna().tolist() == naive
    assert clean_text(values).dropna().tolist() == [c.strip() for c, gone in zip(cells, naive) if not gone]


@pytest.mark.parametrize("seed,scale", [(1, 2), (2, 2), (3, 3), (4, 4)])
def test_parquet_decimals_load_as_the_nearest_float_of_their_text(tmp_path, seed, scale):
    # Arrow's own decimal-to-float cast is one unit in the last place off for many values, which
    # made them look like values with more decimals than they have; each must load as float(text).
    rng = np.random.default_rng(seed)
    unscaled = rng.integers(-10**11, 10**11, 2000)
    amounts = [decimal.Decimal(int(n)).scaleb(-scale) for n in unscaled]
    amounts[5] = None  # a missing amount: rejected, the rest loaded
    n = len(amounts)
    table = pa.table({"document_id": [f"D{i:05d}" for i in range(n)], "customer_id": ["C"] * n,
                      "doc_date": pa.array([dt.date(2026, 1, 1)] * n, pa.date32()),
                      "amount": pa.array(amounts, pa.decimal128(18, scale))})
    path = tmp_path / "items.parquet"
    pq.write_table(table, path, row_group_size=700)  # several chunks
    result = load(path)
    present = [a for a in amounts if a is not None]
    kept = [a.quantize(decimal.Decimal("0.01"), rounding=decimal.ROUND_HALF_EVEN) for a in present]
    assert result.ledger.items["amount"].tolist() == [float(str(k)) for k in kept]
    report = result.report
    assert (report.rows_loaded, report.rows_rejected) == (n - 1, 1)
    assert report.rows_rounded == sum(k != a for k, a in zip(kept, present))
    assert decimal.Decimal(repr(report.amount_read)) == sum(present)
    assert _cents_text(report.amount_loaded) == str(sum(kept))


def _cents_text(value: float) -> str:
    return f"{decimal.Decimal(repr(value)).quantize(decimal.Decimal('0.01'))}"


def test_parquet_decimals_wider_than_a_float_holds_exactly_are_read_from_their_text(tmp_path):
    amounts = [decimal.Decimal("1234567890123.456789"), decimal.Decimal("-0.07")]  # 19 digits unscaled
    table = pa.table({"document_id": ["1", "2"], "customer_id": ["C", "C"],
                      "doc_date": pa.array([dt.date(2026, 1, 1)] * 2, pa.date32()),
                      "amount": pa.array(amounts, pa.decimal128(38, 6))})
    pq.write_table(table, tmp_path / "items.parquet")
    result = load(tmp_path / "items.parquet")
    assert result.ledger.items["amount"].tolist() == [float("1234567890123.46"), -0.07]
    assert result.report.rows_rounded == 1


@pytest.mark.parametrize("ids,repeated_lines", [
    (["A1", "A2", "A3", "B1"], []),  # sorted, unique
    (["A1", "A2", "A2", "B1"], [4]),  # sorted, one repeat next to its first
    (["B1", "A1", "A2", "A1"], [5]),  # unsorted, one repeat far from its first
    (["A1", "A2", "A3", " A3"], [5]),  # sorted as written, a repeat once trimmed
])
def test_repeated_ids_found_in_sorted_and_unsorted_files(tmp_path, ids, repeated_lines):
    path = tmp_path / "items.csv"
    path.write_text("document_id,customer_id,doc_date,amount\n"
                    + "".join(f"{i},C,2026-01-0{n + 1},{n + 1}\n" for n, i in enumerate(ids)))
    report = load(path).report
    assert report.rejects["line"].tolist() == repeated_lines
    assert report.rejects["reason"].str.contains("is already on line").all()


@pytest.mark.parametrize("seed", range(6))
def test_iso_dates_read_by_one_cast_equal_the_general_path(seed):
    # Columns of YYYY-MM-DD text take one Arrow cast; with a blank, a bad day or another form the
    # general path reads them. Both must give what strptime gives, value by value.
    rng = np.random.default_rng(seed)
    days = np.datetime64("1960-01-01") + rng.integers(0, 40_000, 500)
    text = [str(d) for d in days.astype("datetime64[D]")]
    if seed % 2:
        text[rng.integers(0, 500)] = rng.choice(["2026-02-30", "2026-13-01", "", " 2026-01-05", "26-01-05x"])
    naive = [dt.datetime.strptime(t.strip(), "%Y-%m-%d") if _is_iso_day(t.strip()) else None for t in text]
    for values in (pd.Series(text, dtype="str"), pd.Series(text, dtype=object)):
        parsed, bad = parse_dates(values)
        assert str(parsed.dtype) == "datetime64[s]"
        assert [None if pd.isna(p) else p.to_pydatetime() for p in parsed] == naive
        assert bad.tolist() == [n is None and t.strip() != "" for n, t in zip(naive, text)]


def _is_iso_day(text: str) -> bool:
    try:
        dt.datetime.strptime(text, "%Y-%m-%d")
    except ValueError:
        return False
    return len(text) == 10
