"""Every ``--by`` the README allows works through the CLI, and the numbers tie out.

The README says ``--by`` takes any column of the items or of the customers; the test reads that
sentence, takes the columns from the canonical schema (``arkit.schema.TABLES``, the one list of
them) and runs ``arkit aging``, ``arkit kpis`` and ``arkit kpis --total`` with each, on a small
two-currency ledger built here. Expected totals are computed from the ledger's own rows with
plain Python (Decimal), never with arkit.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from arkit.aging import bucket_labels
from arkit.cli import main
from arkit.schema import TABLES

README = Path(__file__).resolve().parents[1] / "README.md"
AS_OF = dt.date(2026, 6, 30)
MONTH_ENDS = [dt.date(2026, 4, 30), dt.date(2026, 5, 31), dt.date(2026, 6, 30)]
# Two-decimal rates on whole-dollar amounts: every conversion is exact to the cent, so group
# totals and the overall total must agree exactly whatever the grouping.
CAD_RATES = {dt.date(2026, m, 1): Decimal(r) for m, r in zip(range(1, 7), ["0.75", "0.80", "0.70", "0.72", "0.74", "0.76"])}
LABELS = bucket_labels()


def documented_columns() -> list[str]:
    """The columns the README's ``--by`` sentence allows: every column of items and customers."""
    text = " ".join(README.read_text(encoding="utf-8").split())
    found = re.search(r"`--by` takes any column of the (\w+) or of the (\w+) \(([^)]*)\)", text)
    assert found, "the README no longer says which columns --by takes; update this test with it"
    tables = [found.group(1), found.group(2)]
    columns = list(dict.fromkeys(c.name for table in tables for c in TABLES[table].columns))
    examples = re.findall(r"`(\w+)`", found.group(3))
    assert examples and set(examples) <= set(columns), examples
    return columns


def write_ledger(folder: Path, seed: int) -> dict:
    """A small ledger carrying every canonical column of items and customers; returns its rows."""
    rng = np.random.default_rng(seed)
    folder.mkdir()
    regions, segments = ["North", "South", "Canada"], ["Retail", "Farm"]
    customers = []
    for i in range(7):
        cad = i >= 5
        customers.append({
            "customer_id": f"00{i + 1:02d}", "customer_name": f"Customer {i + 1}", "credit_limit": "5000.00",
            "segment": segments[i % 2], "region": "Canada" if cad else regions[i % 2],
            "sales_rep": ["Ann", "Bo", ""][i % 3], "collector": ["Cy", "Di"][i % 2],
            "country": "CA" if cad else "US", "since": "2019-03-01"})
    items, applications = [], []
    number = 0
    for month in range(1, 7):
        for customer in customers:
            for _ in range(int(rng.integers(1, 4))):
                number += 1
                day = dt.date(2026, month, int(rng.integers(1, 29)))
                terms = int(rng.choice([15, 30, 60]))
                doc_type = str(rng.choice(["invoice"] * 6 + ["debit_memo", "credit_memo"]))
                amount = int(rng.integers(50, 3000)) * (-1 if doc_type == "credit_memo" else 1)
                items.append({"document_id": f"D{number:05d}", "customer_id": customer["customer_id"],
                              "doc_type": doc_type, "doc_date": day, "due_date": day + dt.timedelta(days=terms),
                              "amount": amount, "currency": "CAD" if customer["country"] == "CA" else "USD",
                              "terms": f"NET{terms}", "reference": f"PO-{number % 5}" if number % 3 else "",
                              "business_unit": ["BU1", "BU2"][number % 2], "disputed": bool(number % 7 == 0)})
                paid = rng.random()
                if doc_type != "credit_memo" and paid < 0.7:
                    on = day + dt.timedelta(days=int(rng.integers(5, 80)))
                    if on <= AS_OF:
                        share = amount if paid < 0.55 else amount // 2
                        number += 1
                        items.append({**items[-1], "document_id": f"P{number:05d}", "doc_type": "payment",
                                      "doc_date": on, "due_date": on, "amount": -share, "reference": "",
                                      "disputed": False})
                        applications.append({"source_id": f"P{number:05d}", "target_id": items[-2]["document_id"],
                                             "amount": share, "applied_date": on})
    applied = defaultdict(int)
    for app in applications:
        applied[app["target_id"]] += app["amount"]
        applied[app["source_id"]] -= app["amount"]
    for item in items:  # the open amount on the export date, and the day it was settled in full
        item["open_amount"] = item["amount"] - applied[item["document_id"]]
        settled = [a["applied_date"] for a in applications if item["document_id"] in (a["source_id"], a["target_id"])]
        item["closed_date"] = max(settled) if item["open_amount"] == 0 and settled else ""
        item["customer_name"] = next(c["customer_name"] for c in customers if c["customer_id"] == item["customer_id"])
    rates = [{"currency": "CAD", "date": day, "rate": rate} for day, rate in CAD_RATES.items()]
    for name, rows in {"items": items, "customers": customers, "applications": applications, "fx_rates": rates}.items():
        with open(folder / f"{name}.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows({k: f"{v:.2f}" if isinstance(v, (int, Decimal)) and not isinstance(v, bool)
                              and k in ("amount", "open_amount", "credit_limit", "rate") else v
                              for k, v in row.items()} for row in rows)
    return {"items": items, "applications": applications}


def rate(currency: str, day: dt.date) -> Decimal:
    if currency == "USD":
        return Decimal(1)
    return CAD_RATES[max(d for d in CAD_RATES if d <= day)]


def open_book_at(rows: dict, day: dt.date) -> dict[str, Decimal]:
    """Open balance per currency at the end of ``day``, item by item (applications dated by then)."""
    applied = defaultdict(Decimal)
    for app in rows["applications"]:
        if app["applied_date"] <= day:
            applied[app["target_id"]] += Decimal(app["amount"])
            applied[app["source_id"]] -= Decimal(app["amount"])
    book = defaultdict(Decimal)
    for item in rows["items"]:
        if item["doc_date"] <= day:
            book[item["currency"]] += Decimal(item["amount"]) - applied[item["document_id"]]
    return dict(book)


def converted(per_currency: dict[str, Decimal], day: dt.date) -> Decimal:
    return sum((amount * rate(currency, day) for currency, amount in per_currency.items()), Decimal(0))


def sales_in(rows: dict, end: dt.date) -> Decimal:
    """Invoices and debit memos dated in ``end``'s month, at the rate of ``end``."""
    return sum((Decimal(i["amount"]) * rate(i["currency"], end) for i in rows["items"]
                if i["doc_type"] in ("invoice", "debit_memo") and (i["doc_date"].year, i["doc_date"].month)
                == (end.year, end.month)), Decimal(0))


@pytest.fixture(scope="module")
def ledger(tmp_path_factory):
    folder = tmp_path_factory.mktemp("by") / "ledger"
    return folder, write_ledger(folder, seed=2026)


def run(capsys, args: list[str]) -> list[dict]:
    code = main(args + ["--format", "json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "error" not in captured.err and "Warning" not in captured.err, captured.err
    return json.loads(captured.out)


def cents(value) -> int:
    return int((Decimal(str(value)) * 100).to_integral_value())


BY = documented_columns() + ["region,currency", "currency,customer_id"]


def test_the_readme_names_columns_of_both_tables():
    assert {"region", "collector", "segment", "currency", "customer_id", "business_unit", "sales_rep"} <= set(BY)


@pytest.mark.parametrize("reporting", [None, "USD"])
@pytest.mark.parametrize("by", BY)
def test_aging_by_each_documented_column(capsys, ledger, by, reporting):
    folder, rows = ledger
    rows_out = run(capsys, ["aging", str(folder), "--as-of", str(AS_OF), "--by", by]
                   + (["--reporting-currency", reporting] if reporting else []))
    keys = by.split(",")
    assert rows_out and all(set(keys) <= set(row) for row in rows_out)
    for row in rows_out:
        assert sum(cents(row[label]) for label in LABELS) == cents(row["total"]), row
    book = open_book_at(rows, AS_OF)
    if reporting:
        assert sum(cents(row["total"]) for row in rows_out) == cents(converted(book, AS_OF))
    else:  # in document currency, per currency
        per_currency = defaultdict(int)
        for row in rows_out:
            per_currency[row["currency"]] += cents(row["total"])
        assert per_currency == {c: cents(v) for c, v in book.items()}
    groups = [tuple(str(row[k]) for k in keys) + ((row["currency"],) if not reporting else ()) for row in rows_out]
    assert len(groups) == len(set(groups)), "a group is listed twice"


@pytest.mark.parametrize("by", BY)
def test_kpis_by_each_documented_column(capsys, ledger, by):
    """Closing AR and sales of the groups add up to the portfolio's, month by month, converted."""
    folder, rows = ledger
    table = run(capsys, ["kpis", str(folder), "--as-of", str(AS_OF), "--months", "3", "--by", by])
    keys = by.split(",")
    closing, sales = defaultdict(int), defaultdict(int)
    for row in table:
        assert set(keys) <= set(row)
        closing[row["period_end"]] += cents(row["closing"])
        sales[row["period_end"]] += cents(row["sales"])
    ends = [str(end) for end in MONTH_ENDS]
    assert closing == {str(e): cents(converted(open_book_at(rows, e), e)) for e in MONTH_ENDS}
    assert sales == {str(e): cents(sales_in(rows, e)) for e in MONTH_ENDS}
    assert len({(*(str(row[k]) for k in keys), row["period_end"]) for row in table}) == len(table)
    assert sorted(set(closing)) == ends


# --total shares the monthly figures of the sweep above; one key of each kind: the currency key,
# a date and a number with blanks, a flag, a customer attribute, two keys.
@pytest.mark.parametrize("by", ["currency", "closed_date", "credit_limit", "disputed", "collector", "region,currency"])
def test_kpis_total_by_each_kind_of_column(capsys, ledger, by):
    folder, rows = ledger
    table = run(capsys, ["kpis", str(folder), "--as-of", str(AS_OF), "--months", "3", "--total", "--by", by,
                         "--reporting-currency", "USD"])
    assert sum(cents(row["closing"]) for row in table) == cents(converted(open_book_at(rows, AS_OF), AS_OF))
    assert sum(cents(row["sales"]) for row in table) == sum(cents(sales_in(rows, e)) for e in MONTH_ENDS)
    opening = MONTH_ENDS[0].replace(day=1) - dt.timedelta(days=1)
    assert sum(cents(row["opening"]) for row in table) == cents(converted(open_book_at(rows, opening), opening))
