"""The optimistic typed read of a CSV (dates and amounts parsed by Arrow as it reads the file) gives
the ledger and the report that reading the text gives, on clean files and on files it must hand
back to the text path; and the exact totals of the report do not overflow. Expectations: the text
path run on the same file, and sums done by hand with Decimal."""

import codecs
from decimal import Decimal

import pandas as pd
import pytest

import importlib
from arkit import LedgerError, load

load_module = importlib.import_module("arkit.loaders._load")  # the module: the package exports a function of that name

HEADER = "document_id,customer_id,doc_type,doc_date,due_date,amount,currency,reference"
ROWS = [
    "0000000007,0009169,invoice,2026-09-21,2026-10-21,607.58,USD,PO-1",
    "0000000014,0005748,payment,2026-01-31,,-136.80,CAD,PO-2",
    "0000000021,0009169,credit_memo,2025-12-31,2026-01-15, 12 ,USD,",
    '0000000028,0000042,invoice,2026-02-28,2026-03-30,"1000.10",USD,"PO, 4"',
]

FILES = {
    "clean": [HEADER, *ROWS],
    "bad date": [HEADER, *ROWS, "0000000035,0000042,invoice,2026-02-30,,5.00,USD,PO-5"],
    "bad amount": [HEADER, *ROWS, "0000000035,0000042,invoice,2026-02-27,,5.x,USD,PO-5"],
    "thousands": [HEADER, *ROWS, '0000000035,0000042,invoice,2026-02-27,,"1,250.00",USD,PO-5'],
    "sub-cent": [HEADER, *ROWS, "0000000035,0000042,invoice,2026-02-27,,64982.589,USD,PO-5",
                 "0000000042,0000042,invoice,2026-02-27,,0.125,USD,PO-6"],
    "three decimals only": [HEADER, "1,C1,invoice,2026-02-27,,1.234,KWD,", "2,C1,invoice,2026-02-27,,2.346,KWD,"],
    "infinite": [HEADER, *ROWS, "0000000035,0000042,invoice,2026-02-27,,inf,USD,PO-5"],
    "missing customer": [HEADER, *ROWS, "0000000035,,invoice,2026-02-27,,5.00,USD,PO-5"],
    "repeated id": [HEADER, *ROWS, ROWS[0], ROWS[1].replace("-136.80", "-136.81")],
    "newline in a value": [HEADER, *ROWS, '0000000035,0000042,invoice,2026-02-27,,5.00,USD,"PO-5\nsecond line"',
                           "0000000042,,invoice,2026-02-27,,6.00,USD,PO-6"],
    "blank line": [HEADER, ROWS[0], "", ROWS[1], ",,,,,,,", *ROWS[2:]],
    "quoted blank date": [HEADER, *ROWS, '0000000035,0000042,invoice,2026-02-27,"",5.00,USD,PO-5'],
    "title lines": ["Open items as of 2026-03-31", "", HEADER, *ROWS],
    "more fields": [HEADER, *ROWS, "0000000035,0000042,invoice,2026-02-27,,5.00,USD,PO-5,extra"],
}


def _write(tmp_path, name, lines, newline="\n", bom=False):
    path = tmp_path / f"{name.replace(' ', '_')}.csv"
    path.write_bytes((codecs.BOM_UTF8 if bom else b"") + (newline.join(lines) + newline).encode())
    return path


def _text_path(monkeypatch, path):
    """The load as it reads the text: the typed read declines every file."""
    with monkeypatch.context() as patch:
        patch.setattr(load_module, "read_typed_text", lambda *args: None)
        return _outcome(path)


def _outcome(path):
    try:
        result = load(path)
    except LedgerError as exc:
        return str(exc)
    return result


def _assert_same(typed, text):
    if isinstance(text, str) or isinstance(typed, str):
        assert typed == text
        return
    pd.testing.assert_frame_equal(typed.ledger.items, text.ledger.items)
    assert typed.report.to_dict() == text.report.to_dict()
    assert str(typed.report) == str(text.report)
    pd.testing.assert_frame_equal(typed.report.rejects, text.report.rejects)
    pd.testing.assert_frame_equal(typed.duplicates, text.duplicates)


def _typed_kept(monkeypatch, path) -> bool:
    """Whether the load kept the typed read: the text reader is never called then."""
    def refuse(*args, **kwargs):
        raise AssertionError("read as text")
    with monkeypatch.context() as patch:
        patch.setattr(load_module, "read_source_file", refuse)
        try:
            load(path)
        except AssertionError:
            return False
    return True


KEPT = {"clean", "blank line", "quoted blank date", "title lines"}


@pytest.mark.parametrize("name", list(FILES))
@pytest.mark.parametrize("newline, bom", [("\n", False), ("\r\n", False), ("\n", True)])
def test_typed_read_gives_what_the_text_gives(tmp_path, monkeypatch, name, newline, bom):
    path = _write(tmp_path, name, FILES[name], newline, bom)
    _assert_same(_outcome(path), _text_path(monkeypatch, path))
    assert _typed_kept(monkeypatch, path) == (name in KEPT)


def test_clean_file_by_hand(tmp_path):
    result = load(_write(tmp_path, "clean", FILES["clean"]))
    items, report = result.ledger.items, result.report
    assert items["amount"].tolist() == [607.58, -136.80, 12.0, 1000.10]
    assert items["doc_date"].dt.strftime("%Y-%m-%d").tolist() == ["2026-09-21", "2026-01-31", "2025-12-31", "2026-02-28"]
    assert items["due_date"].dt.strftime("%Y-%m-%d").tolist()[1] == "2026-01-31"  # blank: the document date
    assert str(items["doc_date"].dtype) == "datetime64[s]"
    assert items["reference"].tolist()[3] == "PO, 4"
    assert Decimal(str(report.amount_read)) == Decimal("607.58") - Decimal("136.80") + 12 + Decimal("1000.10")
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (4, 4, 0)


def test_bad_rows_are_reported_with_file_line_and_column(tmp_path):
    path = _write(tmp_path, "bad date", FILES["bad date"])
    report = load(path).report
    assert report.rejects[["place", "column"]].to_dict("records") == [{"place": f"{path} line 6", "column": "doc_date"}]
    assert report.rejects["values"].iloc[0]["doc_date"] == "2026-02-30"


def test_sub_cent_amounts_keep_the_exact_total(tmp_path):
    report = load(_write(tmp_path, "sub-cent", FILES["sub-cent"])).report
    exact = Decimal("607.58") - Decimal("136.80") + 12 + Decimal("1000.10") + Decimal("64982.589") + Decimal("0.125")
    assert Decimal(str(report.amount_read)) == exact
    assert report.rows_rounded == 2
    assert Decimal(str(report.amount_rounding)) == Decimal("-0.001") + Decimal("0.005")  # .589 -> .59, .125 -> .12


@pytest.mark.parametrize("units, count", [(2 * 10**12, 1000), (10**15 - 1, 200)])
def test_exact_totals_do_not_overflow(tmp_path, units, count):
    # 1,000 amounts of 2e12 cents (2e15 cents in all); 200 of the largest USD amount kept,
    # 1e15 - 1 cents (2e19 units of 0.0001 in all, past int64)
    amount = Decimal(units).scaleb(-2)
    lines = [HEADER] + [f"{i},C1,invoice,2026-01-01,,{amount},USD," for i in range(1, count + 1)]
    report = load(_write(tmp_path, "big", lines)).report
    total = amount * count
    assert Decimal(repr(report.amount_read)) == total
    assert Decimal(repr(report.amount_loaded)) == total
    assert report.amount_read > 0


def test_amounts_past_fifteen_digits_are_refused_and_the_largest_kept_ones_sum_exactly(tmp_path, monkeypatch):
    """A float64 holds 15 significant digits: USD 9,999,999,999,999.99 and JPY 999,999,999,999,999
    are kept to the minor unit, one more digit is rejected with its line (before, such a value
    was loaded rounded and its units overflowed the report's total into a negative amount)."""
    lines = [HEADER, "1,C1,invoice,2026-01-01,,9999999999999.99,USD,", "2,C1,invoice,2026-01-01,,999999999999999,JPY,",
             "3,C1,invoice,2026-01-01,,10000000000000.00,USD,", "4,C1,invoice,2026-01-01,,-9007199254740993,JPY,",
             "5,C1,invoice,2026-01-01,,0.01,USD,"]
    path = _write(tmp_path, "huge", lines)
    result = load(path)
    _assert_same(result, _text_path(monkeypatch, path))
    assert result.ledger.items["amount"].tolist() == [9999999999999.99, 999999999999999.0, 0.01]
    assert result.report.rows_rejected == 2
    reasons = result.report.rejects["reason"].tolist()
    assert all("too large" in reason and "15 digits" in reason for reason in reasons), reasons
    assert result.report.rejects["column"].tolist() == ["amount", "amount"]
    exact = Decimal("9999999999999.99") + 999999999999999 + Decimal("0.01")
    assert Decimal(repr(result.report.amount_read)) == Decimal(float(exact)).quantize(Decimal(1))
    assert result.report.amount_read > 0


@pytest.mark.parametrize("options, kept", [
    ({}, True),
    ({"date_format": "%Y-%m-%d"}, True),
    ({"decimal": ","}, False),  # "1000.10" is not a decimal-comma amount: the text path says so
    ({"sign": "negate"}, True),
])
def test_a_mapping_renames_before_the_typed_read(tmp_path, monkeypatch, options, kept):
    lines = [HEADER.replace("document_id", "Invoice No").replace("doc_date", "Invoice Date").replace("amount", "Total"),
             *ROWS]
    path = _write(tmp_path, "mapped", lines)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("columns:\n  Invoice No: document_id\n  customer_id: customer_id\n  doc_type: doc_type\n"
                       "  Invoice Date: doc_date\n  due_date: due_date\n  Total: [amount, open_amount]\n"
                       "  currency: currency\n  reference: reference\n"
                       + "".join(f"{key}: '{value}'\n" for key, value in options.items()))

    def outcome():
        try:
            return load(path, mapping=mapping)
        except LedgerError as exc:
            return str(exc)

    typed = outcome()
    with monkeypatch.context() as patch:
        patch.setattr(load_module, "read_typed_text", lambda *args: None)
        text = outcome()
    _assert_same(typed, text)
    with monkeypatch.context() as patch:
        patch.setattr(load_module, "read_source_file", lambda *args, **kwargs: (_ for _ in ()).throw(AssertionError))
        try:
            load(path, mapping=mapping)
            used = True
        except (AssertionError, LedgerError):
            used = False
    assert used == kept
    if kept:
        assert typed.ledger.items["open_amount"].tolist() == [(-1 if options.get("sign") else 1) * a
                                                             for a in (607.58, -136.80, 12.0, 1000.10)]
