"""Edge cases found in review: each once wrong, each pinned here."""

import subprocess
import sys

import pandas as pd
import pytest

from source_tree import PROJECT_ROOT

from arkit import ArkitError, Ledger, age, aging_summary, load, summarize_aging
from arkit.loaders import Mapping
from arkit.parsing import parse_amounts, parse_dates

EXPORTS = PROJECT_ROOT / "tests" / "data" / "exports"


def test_open_amount_of_an_export_counts_partial_payments_beside_closed_dates():
    items = load(EXPORTS / "jde-f03b11-extract.csv", preset="jde-f03b11").ledger.items
    assert {"closed_date", "open_amount"} <= set(items.columns)
    total = aging_summary(items, by=None).groupby("currency")["total"].sum()
    still_open = items[items["closed_date"].isna()].groupby("currency")["open_amount"].sum()
    assert (total.mul(100).round() == still_open.mul(100).round()).all()


def test_negated_amounts_take_their_type_from_the_corrected_sign(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("doc,cust,date,amt\nA,C,2026-01-01,-100\nB,C,2026-01-02,25\n")
    mapping = Mapping(columns={"doc": "document_id", "cust": "customer_id", "date": "doc_date", "amt": "amount"},
                      sign="negate")
    items = load(path, mapping=mapping).ledger.items
    assert items[["amount", "doc_type"]].values.tolist() == [[100.0, "invoice"], [-25.0, "credit_memo"]]


def test_ledger_rates_convert_only_to_its_reporting_currency():
    items = pd.DataFrame({"document_id": ["1"], "customer_id": ["C"], "doc_date": ["2026-01-01"], "amount": [100.0],
                          "currency": ["CAD"]})
    fx = pd.DataFrame({"currency": ["CAD"], "date": ["2026-01-01"], "rate": [0.73]})
    ledger = Ledger(items, fx_rates=fx)
    assert aging_summary(ledger, by=None, currency="USD")["total"].tolist() == [73.0]
    with pytest.raises(ArkitError, match="convert to USD, not EUR"):
        aging_summary(ledger, by=None, currency="EUR")


def test_summaries_refuse_buckets_other_than_the_aging_used():
    items = pd.DataFrame({"document_id": ["1"], "customer_id": ["C"], "doc_date": pd.to_datetime(["2026-01-01"]),
                          "amount": [330.0]})
    with pytest.raises(ArkitError, match="pass summarize_aging the same buckets as age"):
        summarize_aging(age(items, as_of="2026-03-01", buckets=(15, 45)))
    assert summarize_aging(age(items, as_of="2026-03-01", buckets=(15, 45)), buckets=(15, 45))["total"].tolist() == [330.0]


def test_free_text_keeps_words_that_look_like_missing_markers():
    items = pd.DataFrame({"document_id": ["1", "2"], "customer_id": ["C", "C"], "doc_date": ["2026-01-01"] * 2,
                          "amount": [1.0, 2.0], "region": ["NA", "N/A"], "currency": ["N/A", "usd"]})
    checked = Ledger(items).items
    assert checked["region"].tolist()[0] == "NA" and pd.isna(checked["region"].tolist()[1])
    assert checked["currency"].tolist() == ["USD", "USD"]


def test_timestamps_with_offsets_keep_their_local_date():
    dates, bad = parse_dates(pd.Series(["2026-01-31T23:30:00-05:00", "2026-02-01T01:00:00+01:00"]))
    assert dates.dt.strftime("%Y-%m-%d").tolist() == ["2026-01-31", "2026-02-01"] and not bad.any()


def test_cli_user_errors_are_one_line(tmp_path):
    empty = tmp_path / "items.csv"
    empty.write_text("document_id,customer_id,doc_date,amount\n1,C,not a date,1\n")
    good = tmp_path / "good.csv"
    good.write_text("document_id,customer_id,doc_date,amount\n1,C,2026-01-01,1\n")
    for args, fragment in [(["kpis", str(empty)], "no dated items"),
                           (["aging", str(good), "-o", str(tmp_path / "no" / "x.csv")], "No such file"),
                           (["load", "postgresql://u:s3cret@localhost/db", "--suggest-mapping"], "reads the headers")]:
        done = subprocess.run([sys.executable, "-m", "arkit", *args], capture_output=True, text=True)
        assert done.returncode == 1, done.stderr
        lines = [line for line in done.stderr.splitlines() if line.startswith("arkit: error")]
        assert len(lines) == 1 and fragment in lines[0] and "s3cret" not in done.stderr
        assert "Traceback" not in done.stderr


def test_thousands_like_dots_are_an_error_not_a_guess(tmp_path):
    path = tmp_path / "items.csv"
    path.write_text("document_id,customer_id,doc_date,amount\nA,C,2026-01-01,1.234\nB,C,2026-01-02,12.500\n"
                    "D,C,2026-01-03,250\n")
    with pytest.raises(ArkitError, match=r"amount.*'1.234' could be thousands \(1234\) or three decimals.*decimal"):
        load(path)
    assert load(path, decimal=",").ledger.items["amount"].tolist() == [1234.0, 12500.0, 250.0]
    assert load(path, decimal=".").ledger.items["amount"].tolist() == [1.23, 12.5, 250.0]
    # Other values settle it: a dot before one or two digits is a decimal point.
    assert parse_amounts(pd.Series(["1.234", "12.50", "3"]))[0].tolist() == [1.23, 12.5, 3.0]
    assert parse_amounts(pd.Series(["$1.234", "$2.5"]))[0].tolist() == [1.23, 2.5]
    assert parse_amounts(pd.Series(["1234.567", "2"]))[0].tolist() == [1234.57, 2.0]  # not a thousands pattern
    with pytest.raises(ArkitError, match="could be thousands"):
        parse_amounts(pd.Series(["$1.234", "$2.000"]))
