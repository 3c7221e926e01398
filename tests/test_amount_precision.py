"""Amounts and rates keep the precision the source gives them (issue 10, items 1 and 11).

Money: ``amount_read`` is the exact total of the values as written; values with more decimals
than their currency has (ISO 4217: JPY 0, USD 2, KWD 3) are rounded half to even, counted, and
the report ties out: read = loaded + rejected + rounding. Every expectation below is computed
with :mod:`decimal` from the text the test wrote, never with arkit's parsers.

Rates: ``fx_rates.rate`` is not money and keeps every decimal; converted totals equal a
conversion done by hand at the rates as given (each currency's subtotal converted once and
rounded half to even, the rule :func:`arkit.aging.sum_money` documents).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import arkit
from arkit.cli import main

UNITS = {"USD": 2, "EUR": 2, "CAD": 2, "JPY": 0, "KWD": 3}
CENT = Decimal("0.01")


def half_even(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN)


def cents(value) -> Decimal:
    return Decimal(repr(float(value))).quantize(CENT, rounding=ROUND_HALF_EVEN)


def dressed(value: Decimal, style: str) -> str:
    """The value as an export writes it: plain, or with thousands, a symbol and parentheses."""
    if style == "plain":
        return str(value)
    text = f"{abs(value):,f}"
    return f"({text})" if value < 0 else f"${text}"


def three_decimal_export(seed: int, rows: int, style: str) -> tuple[list[dict], str]:
    """Open items in five currencies with three decimals (KWD sometimes four), some exact halves,
    some with trailing zeros, some negative; a few rows with a bad date to be rejected."""
    rng = np.random.default_rng(seed)
    records, lines = [], ["document_id,customer_id,doc_date,amount,currency"]
    for i in range(rows):
        currency = str(rng.choice(list(UNITS), p=[0.6, 0.1, 0.1, 0.1, 0.1]))
        mills = int(rng.integers(-2_000_000, 90_000_000))
        kind = rng.random()
        if kind < 0.05:
            mills = mills // 10 * 10 + 5  # an exact half cent: half to even decides
        elif kind < 0.1:
            mills = mills // 10 * 10  # "12.340": no digit beyond the cent
        value = Decimal(mills).scaleb(-3)
        if currency == "KWD" and rng.random() < 0.5:
            value = Decimal(mills * 10 + int(rng.integers(0, 10))).scaleb(-4)
        bad_date = rng.random() < 0.004
        date = "2026-13-01" if bad_date else f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}"
        records.append({"value": value, "currency": currency, "rejected": bad_date})
        lines.append(f'INV{i:06d},C{i % 97:03d},{date},"{dressed(value, style)}",{currency}')
    return records, "\n".join(lines) + "\n"


@pytest.mark.parametrize("seed,rows,style", [(11, 9681, "plain"), (12, 4000, "dressed"), (13, 3000, "plain")])
def test_a_three_decimal_export_ties_out_to_its_exact_total(tmp_path, seed, rows, style):
    records, text = three_decimal_export(seed, rows, style)
    path = tmp_path / "open_items.csv"
    path.write_text(text, encoding="utf-8")
    result = arkit.load(path)
    report = result.report

    written = [r["value"] for r in records]
    kept = [half_even(r["value"], UNITS[r["currency"]]) for r in records]
    exact = sum(written, Decimal(0))
    loaded = sum((k for k, r in zip(kept, records) if not r["rejected"]), Decimal(0))
    rejected = sum((k for k, r in zip(kept, records) if r["rejected"]), Decimal(0))
    assert report.rows_rejected == sum(r["rejected"] for r in records) > 0
    assert report.amount_read == float(exact)
    assert report.amount_loaded == float(loaded) and report.amount_rejected == float(rejected)
    assert report.rows_rounded == sum(k != w for k, w in zip(kept, written)) > rows // 2
    assert Decimal(repr(report.amount_rounding)) == exact - loaded - rejected
    expected_amounts = [float(k) for k, r in zip(kept, records) if not r["rejected"]]
    assert result.ledger.items["amount"].tolist() == expected_amounts

    figures = report.to_dict()
    read_cents = half_even(exact, 2)
    assert Decimal(repr(figures["amount_read"])) == read_cents
    assert (Decimal(repr(figures["amount_loaded"])) + Decimal(repr(figures["amount_rejected"]))
            + Decimal(repr(figures["amount_rounding"]))) == read_cents
    # The rounding shown makes the figures shown add up: it is off the exact rounding by at most the
    # half cents of the three figures it is taken from (loaded KWD amounts carry mills).
    assert abs(Decimal(repr(figures["amount_rounding"])) - (exact - loaded - rejected)) <= Decimal("0.015")
    rounding_line = next(line for line in str(report).splitlines() if line.startswith("rows rounded"))
    assert f"{report.rows_rounded:,}" in rounding_line and f"{figures['amount_rounding']:,.2f}" in rounding_line
    assert any(f"{report.rows_rounded:,} amount value(s)" in w and f"{(loaded + rejected - exact).normalize():+,f}" in w
               for w in report.warnings), report.warnings


def test_half_to_even_per_currency_on_the_value_as_written(tmp_path):
    # 0.015 is 0.01499999... as a float: rounding the float would give 0.01.
    cases = [("0.015", "USD", 0.02), ("0.025", "USD", 0.02), ("-0.125", "USD", -0.12), ("1234.565", "EUR", 1234.56),
             ("2.5", "JPY", 2.0), ("3.5", "JPY", 4.0), ("-2.5", "JPY", -2.0), ("1500.49", "JPY", 1500.0),
             ("1.2345", "KWD", 1.234), ("1.2355", "KWD", 1.236), ("7.125", "KWD", 7.125), ("10.10", "USD", 10.1)]
    path = tmp_path / "items.csv"
    path.write_text("document_id,customer_id,doc_date,amount,currency\n" + "".join(
        f"D{i},C1,2026-01-01,{text},{code}\n" for i, (text, code, _) in enumerate(cases)), encoding="utf-8")
    result = arkit.load(path)
    assert result.ledger.items["amount"].tolist() == [amount for _, _, amount in cases]
    exact = sum(Decimal(text) for text, _, _ in cases)
    assert result.report.amount_read == float(exact)
    assert result.report.rows_rounded == 10


def test_sub_cent_floats_of_a_parquet_column(tmp_path):
    path = tmp_path / "items.parquet"
    pd.DataFrame({"document_id": ["A", "B", "C"], "customer_id": ["C1"] * 3,
                  "doc_date": pd.to_datetime(["2026-01-01"] * 3), "amount": [12.345, 0.125, 7.1]}).to_parquet(path)
    report = arkit.load(path).report
    loaded = Decimal("12.34") + Decimal("0.12") + Decimal("7.1")
    assert (report.amount_loaded, report.rows_rounded) == (float(loaded), 2)
    assert report.amount_read == float(Decimal("12.345") + Decimal("0.125") + Decimal("7.1"))


def test_implied_decimals_and_negated_signs_round_after_scaling(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("Doc,Cust,Date,Amt\nD1,C1,2026-01-01,123456\nD2,C1,2026-01-02,-1000\nD3,C1,2026-01-03,2125\n",
                    encoding="utf-8")
    mapping = {"columns": {"Doc": "document_id", "Cust": "customer_id", "Date": "doc_date", "Amt": "amount"},
               "implied_decimals": 3, "sign": "negate"}
    (tmp_path / "m.json").write_text(json.dumps(mapping), encoding="utf-8")
    result = arkit.load(path, mapping=tmp_path / "m.json")
    # 123.456 -> -123.456 -> -123.46; -1.000 -> 1.00; 2.125 -> -2.125 -> -2.12 (half to even)
    assert result.ledger.items["amount"].tolist() == [-123.46, 1.0, -2.12]
    assert result.ledger.items["doc_type"].tolist() == ["credit_memo", "invoice", "credit_memo"]
    assert result.report.amount_read == float(Decimal("-123.456") + Decimal("1") + Decimal("-2.125"))
    assert result.report.rows_rounded == 2


def test_a_plain_two_decimal_export_has_no_rounding(tmp_path):
    path = tmp_path / "items.csv"
    path.write_text("document_id,customer_id,doc_date,amount\nD1,C1,2026-01-01,10.10\nD2,C1,2026-01-01,1234.567e0\n"
                    "D3,C1,2026-01-01,0.30\n", encoding="utf-8")
    report = arkit.load(path).report
    assert report.rows_rounded == 1  # 1234.567e0 is 1234.567: written in exponent form, still read exactly
    path.write_text("document_id,customer_id,doc_date,amount\nD1,C1,2026-01-01,10.10\nD2,C1,2026-01-01,0.20\n"
                    "D3,C1,2026-01-01,0.30\n", encoding="utf-8")
    report = arkit.load(path).report
    assert (report.rows_rounded, report.amount_rounding, report.amount_read) == (0, 0.0, 10.6)
    assert "rounded" not in str(report) and not report.warnings


# ---------------------------------------------------------------------------------------------
# Exchange rates
# ---------------------------------------------------------------------------------------------

AS_OF = dt.date(2026, 3, 31)
# Rates with four and six decimals; one dated after the as-of date, which no conversion may use.
RATES = [("CAD", "2025-09-01", "0.7401"), ("CAD", "2026-02-01", "0.7308"), ("CAD", "2026-04-01", "0.7555"),
         ("JPY", "2025-09-01", "0.006712"), ("EUR", "2025-09-01", "1.0837"), ("EUR", "2026-03-15", "1.0912")]
REGIONS = {"C1": "East", "C2": "East", "C3": "West", "C4": "West", "C5": "North", "C6": "North"}
EDGES = (0, 30, 60, 90, 120)
BUCKETS = ("current", "1-30", "31-60", "61-90", "91-120", "120+")


def fx_ledger_items(seed: int) -> list[dict]:
    """Items of six customers in USD, CAD, JPY and EUR over six months, 40% closed (paid) some
    days after their date; the last one dated on the as-of date."""
    rng = np.random.default_rng(seed)
    currencies = {"C1": ["USD", "CAD"], "C2": ["CAD"], "C3": ["JPY", "USD"], "C4": ["CAD", "EUR"], "C5": ["USD"],
                  "C6": ["CAD", "JPY", "EUR"]}
    items = []
    for i in range(240):
        customer = f"C{1 + i % 6}"
        currency = currencies[customer][int(rng.integers(len(currencies[customer])))]
        doc = dt.date(2025, 10, 1) + dt.timedelta(days=int(rng.integers(0, 180)))
        units = UNITS[currency]
        amount = Decimal(int(rng.integers(-20_000, 900_000))).scaleb(-units) if units else \
            Decimal(int(rng.integers(-50_000, 3_000_000)))
        closed = doc + dt.timedelta(days=int(rng.integers(5, 90))) if rng.random() < 0.4 else None
        items.append({"document_id": f"D{i:04d}", "customer_id": customer, "doc_date": doc,
                      "due_date": doc + dt.timedelta(days=30), "amount": amount, "currency": currency,
                      "closed_date": closed})
    items.append({"document_id": "D9999", "customer_id": "C5", "doc_date": AS_OF, "due_date": AS_OF,
                  "amount": Decimal("10.00"), "currency": "USD", "closed_date": None})
    return items


def write_fx_ledger(folder: Path, items: list[dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    header = "document_id,customer_id,doc_date,due_date,amount,currency,closed_date\n"
    (folder / "items.csv").write_text(header + "".join(
        f"{r['document_id']},{r['customer_id']},{r['doc_date']},{r['due_date']},{r['amount']},{r['currency']},"
        f"{r['closed_date'] or ''}\n" for r in items), encoding="utf-8")
    (folder / "customers.csv").write_text("customer_id,customer_name,region\n" + "".join(
        f"{c},Customer {c},{region}\n" for c, region in REGIONS.items()), encoding="utf-8")
    (folder / "fx_rates.csv").write_text("currency,date,rate\n" + "".join(f"{c},{d},{r}\n" for c, d, r in RATES),
                                         encoding="utf-8")
    return folder


def rate_on(currency: str, day: dt.date, rates=RATES) -> Decimal:
    if currency == "USD":
        return Decimal(1)
    dated = [(dt.date.fromisoformat(d), Decimal(r)) for c, d, r in rates if c == currency]
    return max((d, r) for d, r in dated if d <= day)[1]


def bucket_of(due: dt.date, day: dt.date) -> str:
    late = (day - due).days
    return BUCKETS[sum(late > edge for edge in EDGES)]


def converted(items, day: dt.date, key, rates=RATES) -> dict:
    """By hand: open amounts summed per (key, currency), each subtotal times its rate, rounded once."""
    subtotals: dict = {}
    for r in items:
        if r["doc_date"] <= day and (r["closed_date"] is None or r["closed_date"] > day):
            group = (key(r), r["currency"])
            subtotals[group] = subtotals.get(group, Decimal(0)) + r["amount"]
    out: dict = {}
    for (group, currency), subtotal in subtotals.items():
        out[group] = out.get(group, Decimal(0)) + half_even(subtotal * rate_on(currency, day, rates), 2)
    return out


@pytest.fixture(scope="module", params=[3, 4])
def fx_case(request, tmp_path_factory):
    items = fx_ledger_items(request.param)
    folder = write_fx_ledger(tmp_path_factory.mktemp(f"fx{request.param}"), items)
    return items, folder, arkit.load_ledger(folder)


def test_rates_keep_every_decimal_they_are_given(fx_case, sample_ledger):
    _, _, ledger = fx_case
    assert ledger.fx_rates["rate"].tolist() == [float(r) for _, _, r in RATES]
    assert sample_ledger.fx_rates.set_index("date").loc["2026-10-01", "rate"] == 0.7308


def test_the_rates_here_are_the_ones_a_cent_rounding_would_lose(fx_case):
    items = fx_case[0]
    rounded_rates = [(c, d, str(half_even(Decimal(r), 2))) for c, d, r in RATES]
    assert converted(items, AS_OF, lambda r: None, rounded_rates) != converted(items, AS_OF, lambda r: None)


def test_aging_in_a_reporting_currency_matches_a_conversion_by_hand(fx_case):
    items, _, ledger = fx_case
    summary = arkit.aging_summary(ledger, AS_OF, by="region", currency="USD").set_index("region")
    by_hand = converted(items, AS_OF, lambda r: (REGIONS[r["customer_id"]], bucket_of(r["due_date"], AS_OF)))
    for region in sorted(set(REGIONS.values())):
        for bucket in BUCKETS:
            assert cents(summary.loc[region, bucket]) == by_hand.get((region, bucket), Decimal(0)), (region, bucket)
        assert cents(summary.loc[region, "total"]) == sum(by_hand.get((region, b), Decimal(0)) for b in BUCKETS)


def test_aging_cli_prints_the_conversion_by_hand(fx_case, capsys):
    items, folder, _ = fx_case
    assert main(["aging", str(folder), "--as-of", str(AS_OF), "--by", "customer_id", "--reporting-currency", "USD",
                 "--format", "csv"]) == 0
    printed = pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out), dtype={"customer_id": "str"})
    by_hand = converted(items, AS_OF, lambda r: (r["customer_id"], bucket_of(r["due_date"], AS_OF)))
    totals = {c: sum(v for (who, _), v in by_hand.items() if who == c) for c in REGIONS}
    assert {c: Decimal(f"{t:.2f}") for c, t in zip(printed["customer_id"], printed["total"])} == totals


def test_kpis_closing_and_sales_match_a_conversion_by_hand(fx_case):
    from arkit._kpis import kpis

    items, _, ledger = fx_case
    table = kpis(ledger, as_of=AS_OF, months=3, countback_months=1).set_index("period_end")
    for end in (dt.date(2026, 1, 31), dt.date(2026, 2, 28), dt.date(2026, 3, 31)):
        row = table.loc[end]
        closing = sum(converted(items, end, lambda r: bucket_of(r["due_date"], end)).values(), Decimal(0))
        invoiced = [dict(r, closed_date=None) for r in items
                    if r["doc_date"].replace(day=1) == end.replace(day=1) and r["amount"] > 0]
        sales = sum(converted(invoiced, end, lambda r: None).values(), Decimal(0))
        assert (cents(row["closing"]), cents(row["sales"])) == (closing, sales), end


def test_triage_dashboard_tiles_match_a_conversion_by_hand(fx_case):
    from arkit.dashboards import TriageDashboard

    items, _, ledger = fx_case
    board = TriageDashboard(ledger)
    board.as_of.value = AS_OF
    total = sum(converted(items, AS_OF, lambda r: r["customer_id"]).values(), Decimal(0))
    assert cents(board.kpis["total_open"]) == total
    assert f"{total:,}" in board.tiles["total_open"].value
    board.filters["region"].value = "North"
    north = sum(v for c, v in converted(items, AS_OF, lambda r: r["customer_id"]).items() if REGIONS[c] == "North")
    assert cents(board.kpis["total_open"]) == north


def test_trends_dashboard_matches_a_conversion_by_hand(fx_case):
    from arkit.dashboards.trends import TrendsDashboard

    items, _, ledger = fx_case
    board = TrendsDashboard(ledger, months=3)
    trend = board.trend.assign(period_end=pd.to_datetime(board.trend["period_end"]).dt.date).set_index("period_end")
    ends = trend.index.tolist()  # the last month ends and the ledger's latest date (a closed date)
    assert len(ends) == 3 and ends[-1] == max(r["closed_date"] or r["doc_date"] for r in items)
    for end in ends:
        by_bucket = converted(items, end, lambda r: bucket_of(r["due_date"], end))
        for bucket in BUCKETS:
            assert cents(trend.loc[end, bucket]) == by_bucket.get(bucket, Decimal(0)), (end, bucket)
        assert cents(trend.loc[end, "total"]) == sum(by_bucket.values(), Decimal(0))
