"""Ledger diff: hand-checked reconciliations, and invariants against a naive reference."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arkit import ArkitError, Ledger
from arkit._reconcile import STATUSES, compare_snapshots, normalize_keys, reconcile


def cents(values) -> np.ndarray:
    return np.rint(np.nan_to_num(np.asarray(values, dtype="float64")) * 100).astype(np.int64)


def by_key(lines: pd.DataFrame) -> dict:
    return {row["key"]: row for row in lines.to_dict("records")}


# -- a customer statement, checked by hand ---------------------------------------------------

OURS = pd.DataFrame({
    "document_id": ["INV-001001", "INV-001002", "INV-001003", "CM-000045", "INV-001004", "PMT-9001"],
    "customer_id": ["C100"] * 6,
    "doc_date": pd.to_datetime(["2026-03-02", "2026-03-09", "2026-03-16", "2026-03-20", "2026-03-30",
                                "2026-03-25"]),
    "amount": [1250.00, 980.50, 2400.00, -150.00, 610.25, -1200.00],
})
# The customer's statement: its own id forms, no customer column, dates as text; it believes it
# paid 1,250.00 (we received 1,200.00: a short payment), has not booked INV-001004 yet, and booked
# the credit memo four days later than we did.
THEIRS = pd.DataFrame({
    "document_id": ["1001", "inv 1002", "#001003", " cm-000045", "PMT9001"],
    "doc_date": ["2026-03-02", "2026-03-09", "2026-03-17", "2026-03-24", "2026-03-25"],
    "amount": [1250.00, 980.50, 2400.00, -150.00, -1250.00],
})


def test_customer_statement():
    result = reconcile(OURS, THEIRS, date_window=2, labels=("ours", "theirs"), prefixes=("INV", "PMT", "#"))
    lines = by_key(result.lines)
    assert {k: v["status"] for k, v in lines.items()} == {
        "1001": "matched", "1002": "matched",
        "1003": "matched",  # one day apart, within the window of 2
        "CM-000045": "date_mismatch",  # four days apart: a timing difference, no money
        "1004": "missing_right",  # not on their statement yet
        "9001": "amount_mismatch",  # the short payment
    }
    assert lines["1002"]["ours_key"] == "INV-001002" and lines["1002"]["theirs_key"] == "inv 1002"
    assert lines["9001"]["difference"] == -50.00
    assert lines["1004"]["difference"] == -610.25 and pd.isna(lines["1004"]["theirs_amount"])
    assert lines["CM-000045"]["theirs_date"] == pd.Timestamp("2026-03-24")
    assert list(result.lines["ours_key"]) == list(OURS["document_id"])  # the left's order

    summary = result.summary.to_dict("records")
    assert summary == [{
        "customer_id": "C100",  # the statement has no customer column: it is C100's, the only one
        "ours_balance": 3890.75, "theirs_balance": 3230.50, "difference": -660.25,
        "matched": 0.0, "amount_mismatch": -50.00, "date_mismatch": 0.0,
        "missing_left": 0.0, "missing_right": -610.25, "duplicate": 0.0,
    }]
    assert result.counts == {"matched": 3, "amount_mismatch": 1, "date_mismatch": 1, "missing_left": 0,
                             "missing_right": 1, "duplicate": 0}
    assert set(result.differences["key"]) == {"CM-000045", "1004", "9001"}
    assert result.to_frame() is result.lines


def test_statement_without_window_and_with_default_prefixes():
    result = reconcile(OURS, THEIRS)
    statuses = {k: v["status"] for k, v in by_key(result.lines).items()}
    assert statuses["1003"] == "date_mismatch" and statuses["CM-000045"] == "date_mismatch"
    # "PMT" is not a default prefix: the payment's two forms stay apart, and the money still ties.
    assert statuses["PMT-9001"] == "missing_right" and statuses["PMT9001"] == "missing_left"
    row = result.summary.iloc[0]
    assert row["missing_left"] == -1250.0 and row["missing_right"] == -610.25 + 1200.0
    assert row["difference"] == -660.25


# -- AR subledger against GL balances per customer -------------------------------------------

def test_ar_against_gl_per_customer():
    ar = Ledger(pd.DataFrame({
        "document_id": ["I1", "I2", "P1", "I3", "I4", "I5"],
        "customer_id": ["0010001", "0010001", "0010001", "0010002", "0010003", "0010004"],
        "doc_date": ["2026-01-05", "2026-01-20", "2026-01-28", "2026-01-11", "2026-01-15", "2026-01-30"],
        "amount": [100.00, 50.25, -20.00, 300.00, 75.10, 40.00],
    }))
    gl = pd.DataFrame({"customer_id": ["10001", "10002", "10003", "10005"],
                       "balance": [130.25, 290.00, 75.12, 12.00]})
    result = reconcile(ar, gl, key="customer_id", amount=("amount", "balance"), tolerance=0.05,
                       labels=("ar", "gl"))
    assert "ar_date" not in result.lines  # balances have no dates
    lines = by_key(result.lines)
    assert {k: (v["status"], v["ar_amount"], v["gl_amount"]) for k, v in lines.items()} == {
        "10001": ("matched", 130.25, 130.25),
        "10002": ("amount_mismatch", 300.00, 290.00),
        "10003": ("matched", 75.10, 75.12),  # 0.02 apart, within the tolerance
        "10004": ("missing_right", 40.00, pytest.approx(np.nan, nan_ok=True)),
        "10005": ("missing_left", pytest.approx(np.nan, nan_ok=True), 12.00),
    }
    assert lines["10002"]["customer_id"] == "0010002" and lines["10005"]["customer_id"] == "10005"
    summary = result.summary.set_index("customer_id")
    assert list(summary.index) == ["0010004", "10005", "0010002", "0010003", "0010001"]  # largest first
    assert summary.loc["0010003", "matched"] == 0.02 and summary.loc["0010003", "difference"] == 0.02
    assert summary.loc["0010002", "amount_mismatch"] == -10.00
    assert summary["difference"].sum() == pytest.approx(507.37 - 545.35)
    assert cents(summary["gl_balance"]).sum() - cents(summary["ar_balance"]).sum() == 50737 - 54535


# -- snapshot against snapshot ---------------------------------------------------------------

LAST_MONTH = pd.DataFrame({
    "document_id": ["INV-0101", "INV-0102", "INV-0103", "INV-0104"],
    "customer_id": ["C1", "C1", "C2", "C2"],
    "doc_date": pd.to_datetime(["2026-01-10", "2026-01-20", "2026-01-25", "2026-01-28"]),
    "amount": [500.0, 800.0, 120.0, 90.0],
    "open_amount": [500.0, 800.0, 120.0, 90.0],
})
THIS_MONTH = pd.DataFrame({
    "document_id": ["INV-0102", "INV-0103", "INV-0104", "INV-0107", "CM-0009"],
    "customer_id": ["C1", "C2", "C2", "C2", "C1"],
    "doc_date": pd.to_datetime(["2026-01-20", "2026-01-25", "2026-01-28", "2026-02-12", "2026-02-14"]),
    "amount": [800.0, 120.0, 90.0, 640.0, -50.0],
    "open_amount": [300.0, 120.0, 90.0, 640.0, -50.0],
})


def test_snapshot_against_snapshot():
    result = reconcile(LAST_MONTH, THIS_MONTH, key="document_id", amount="open_amount")
    statuses = {k: v["status"] for k, v in by_key(result.lines).items()}
    assert statuses == {"101": "missing_right",  # paid: gone from the open items
                        "102": "amount_mismatch",  # partly paid: 800 -> 300
                        "103": "matched", "104": "matched",
                        "107": "missing_left", "CM-0009": "missing_left"}  # new
    summary = result.summary.set_index("customer_id")
    assert summary.loc["C1"].to_dict() == {
        "left_balance": 1300.0, "right_balance": 250.0, "difference": -1050.0, "matched": 0.0,
        "amount_mismatch": -500.0, "date_mismatch": 0.0, "missing_left": -50.0, "missing_right": -500.0,
        "duplicate": 0.0}
    assert summary.loc["C2", "missing_left"] == 640.0 and summary.loc["C2", "difference"] == 640.0


def test_compare_snapshots_reads_as_new_gone_changed():
    changes = compare_snapshots(LAST_MONTH, THIS_MONTH)
    lines = changes.lines.set_index("key")
    assert lines["change"].to_dict() == {"101": "gone", "102": "changed", "103": "unchanged", "104": "unchanged",
                                         "107": "new", "CM-0009": "new"}
    assert lines.loc["102", "difference"] == -500.0 and lines.loc["107", "previous_key"] is np.nan
    assert list(changes.summary.columns) == ["customer_id", "previous_balance", "current_balance", "difference",
                                             "unchanged", "changed", "redated", "new", "gone", "duplicate"]
    c1 = changes.summary.set_index("customer_id").loc["C1"]
    assert (c1["new"], c1["gone"], c1["changed"]) == (-50.0, -500.0, -500.0)


# -- options, duplicates, engines --------------------------------------------------------------

def test_duplicates_are_never_paired_but_the_money_ties():
    left = pd.DataFrame({"document_id": ["INV-7", "7", "INV-8"], "customer_id": ["C1", "C1", "C1"],
                         "amount": [100.0, 100.0, 40.0]})
    right = pd.DataFrame({"document_id": ["0007", "8"], "customer_id": ["C1", "C1"], "amount": [100.0, 40.0]})
    result = reconcile(left, right, date=None)
    assert result.lines["status"].tolist() == ["duplicate", "duplicate", "matched", "duplicate"]
    assert result.lines["difference"].tolist() == [-100.0, -100.0, 0.0, 100.0]
    assert result.summary.loc[0, "duplicate"] == -100.0 and result.summary.loc[0, "difference"] == -100.0


def test_relative_tolerance_is_symmetric():
    left = pd.DataFrame({"document_id": ["A", "B", "C"], "amount": [1000.00, 1000.00, 0.40]})
    right = pd.DataFrame({"document_id": ["A", "B", "C"], "amount": [1010.05, 1010.11, 0.00]})
    options = {"date": None, "relative_tolerance": 0.01, "tolerance": 0.40}
    forward = reconcile(left, right, **options).lines["status"].tolist()
    backward = reconcile(right, left, **options).lines["status"].tolist()
    # A: 10.05 <= 1% of 1010.05 (of the larger side, not of the left's 1000.00); B: 10.11 > 10.1011;
    # C: 0.40 <= the absolute 0.40
    assert forward == backward == ["matched", "amount_mismatch", "matched"]


def test_normalize_false_compares_keys_as_written():
    left = pd.DataFrame({"document_id": ["INV-1", "2"], "amount": [5.0, 6.0]})
    right = pd.DataFrame({"document_id": ["1", "2"], "amount": [5.0, 6.0]})
    assert reconcile(left, right, date=None, normalize=False).lines["status"].tolist() == [
        "missing_right", "matched", "missing_left"]


def test_normalize_keys_forms():
    forms = ["INV-00123", "inv 123", " #123 ", "No. 0123", "INVOICE#123", "123.0", "INV\u00a0123", "0000123"]
    assert normalize_keys(forms).tolist() == ["123"] * len(forms)
    assert normalize_keys(["#", "INV-000", "A-007", "CM0042"]).tolist() == ["#", "0", "A-007", "CM0042"]


def test_polars_duckdb_and_ledger_inputs_give_pandas():
    expected = reconcile(OURS, THEIRS, date_window=2).lines
    connection = duckdb.connect()
    for left, right in [(pl.from_pandas(OURS), pl.from_pandas(THEIRS).lazy()),
                        (connection.from_df(OURS), connection.from_df(THEIRS)),
                        (Ledger(OURS), THEIRS)]:
        got = reconcile(left, right, date_window=2).lines
        assert isinstance(got, pd.DataFrame)
        pd.testing.assert_frame_equal(got, expected)


def test_inputs_are_not_changed():
    left, right = OURS.copy(), THEIRS.copy()
    reconcile(left, right)
    pd.testing.assert_frame_equal(left, OURS)
    pd.testing.assert_frame_equal(right, THEIRS)


def test_empty_sides():
    empty = OURS.iloc[:0]
    result = reconcile(empty, OURS)
    assert result.lines["status"].tolist() == ["missing_left"] * len(OURS)
    assert result.summary.loc[0, "missing_left"] == result.summary.loc[0, "difference"] == 3890.75
    assert len(reconcile(empty, empty).lines) == 0 and len(reconcile(empty, empty).summary) == 0


# -- bad input -------------------------------------------------------------------------------

@pytest.mark.parametrize(("call", "message"), [
    (lambda: reconcile(OURS, THEIRS.rename(columns={"document_id": "Invoice"})),
     r"right has no column 'document_id' \(the key\); its columns: Invoice, doc_date, amount"),
    (lambda: reconcile(OURS.drop(columns="amount"), THEIRS, labels=("ours", "theirs")),
     r"ours \(left\) has no column 'amount' \(the amount\)"),
    (lambda: reconcile(OURS, THEIRS.drop(columns="doc_date")),
     r"right has no column 'doc_date' \(the date\).*date=\('left name', 'right name'\)"),
    (lambda: reconcile(OURS, THEIRS.assign(amount=["1250.00", "980.50", "x", "-150", "-1250"])),
     r"right column 'amount' is not numeric \(dtype str, e.g. '1250.00'\)"),
    (lambda: reconcile(OURS.assign(amount=[1.0, np.nan, 2.0, 3.0, 4.0, 5.0]), THEIRS),
     r"left row 1, column 'amount': no amount"),
    (lambda: reconcile(OURS, THEIRS.assign(doc_date=["2026-03-02", "soon", "", "", ""])),
     r"right row 1, column 'doc_date': cannot read 'soon' as a date"),
    (lambda: reconcile(OURS, THEIRS, tolerance=-1), r"tolerance must be a number of 0 or more"),
    (lambda: reconcile(OURS, THEIRS, date_window=1.5), r"date_window must be a whole number"),
    (lambda: reconcile(OURS, THEIRS, labels=("a", "a")), r"labels must be two different names"),
    (lambda: reconcile(OURS, THEIRS, key=("a", "b", "c")), r"key must be a column name or a pair"),
    (lambda: reconcile(OURS, [1, 2]), r"right: expected a Ledger or a data frame"),
])
def test_bad_input(call, message):
    with pytest.raises(ArkitError, match=message):
        call()


# -- invariants against a naive reference ----------------------------------------------------

BASE = dt.date(2026, 1, 1)
FORMS = ["INV-{:05d}", "{}", "inv {}", "#{:08d}", " No. {} ", "{}.0", "INV{}", "INV\u00a0{:03d}"]


def naive_key(key):
    if key is None:
        return None
    text = re.sub(r"[\s\u00a0]+", "", key.upper())
    text = re.sub(r"^(\d+)\.0+$", r"\1", text)
    bare = re.sub(r"^(?:(?:INVOICE|INV|NO\.|#)[-_./:#]*)+", "", text)
    text = bare or text
    unpadded = text.lstrip("0")
    text = unpadded or ("0" if text else "")
    return text or None


def naive_reconcile(left, right, tolerance, relative_tolerance, date_window):
    """Per normalized key with plain Python: (key, status, left cents, right cents) per line."""
    sides = [defaultdict(list), defaultdict(list)]
    lines = []
    for side, rows in zip(sides, (left, right)):
        for row in rows:
            key = naive_key(row["key"])
            if key is None:  # a blank key pairs with nothing
                lines.append((None, "missing_right" if side is sides[0] else "missing_left",
                              row["cents"] if side is sides[0] else None, None if side is sides[0] else row["cents"]))
            else:
                side[key].append(row)
    for key in set(sides[0]) | set(sides[1]):
        on_left, on_right = sides[0].get(key, []), sides[1].get(key, [])
        if len(on_left) > 1 or len(on_right) > 1:
            lines += [(key, "duplicate", r["cents"], None) for r in on_left]
            lines += [(key, "duplicate", None, r["cents"]) for r in on_right]
        elif not on_right:
            lines.append((key, "missing_right", on_left[0]["cents"], None))
        elif not on_left:
            lines.append((key, "missing_left", None, on_right[0]["cents"]))
        else:
            a, b = on_left[0], on_right[0]
            allowed = max(tolerance * 100, relative_tolerance * max(abs(a["cents"]), abs(b["cents"])))
            if abs(b["cents"] - a["cents"]) > allowed + 1e-6:
                status = "amount_mismatch"
            elif abs(b["day"] - a["day"]) > date_window:
                status = "date_mismatch"
            else:
                status = "matched"
            lines.append((key, status, a["cents"], b["cents"]))
    return Counter(lines)


@st.composite
def ledger_pairs(draw):
    """A ledger, and the same ledger perturbed: rows dropped, added, changed, copied, renamed."""
    numbers = draw(st.lists(st.integers(1, 400), max_size=20, unique=True))
    customers = ["C1", "C2", "0003"]
    left = [{"number": n, "form": 0, "customer": draw(st.sampled_from(customers)),
             "cents": draw(st.integers(-200_000, 200_000)), "day": draw(st.integers(0, 60))} for n in numbers]
    right = []
    for row in left:
        action = draw(st.sampled_from(["keep", "keep", "drop", "amount", "cents", "date", "cents+date", "rename",
                                       "copy"]))
        if action == "drop":
            continue
        new = dict(row)
        if action == "amount":
            new["cents"] += draw(st.integers(-50_000, 50_000))
        if action in ("cents", "cents+date"):
            new["cents"] += draw(st.integers(-6, 6))
        if action in ("date", "cents+date"):
            new["day"] += draw(st.integers(-4, 4))
        if action in ("rename", "copy"):
            new["form"] = draw(st.integers(0, len(FORMS) - 1))
        right.append(new)
        if action == "copy":
            right.append(dict(new, form=draw(st.integers(0, len(FORMS) - 1))))
    for _ in range(draw(st.integers(0, 4))):  # rows of the right's own, a few reusing a number
        right.append({"number": draw(st.integers(1, 450)), "form": draw(st.integers(0, len(FORMS) - 1)),
                      "customer": draw(st.sampled_from(customers)), "cents": draw(st.integers(-200_000, 200_000)),
                      "day": draw(st.integers(0, 60))})
    if left and draw(st.booleans()):  # a document entered twice on the left
        left.append(dict(draw(st.sampled_from(left)), form=draw(st.integers(0, len(FORMS) - 1))))
    if draw(st.booleans()):
        right.append({"number": None, "form": 0, "customer": "C1", "cents": draw(st.integers(1, 999)), "day": 0})
    right = draw(st.permutations(right))
    for row in left + right:
        row["key"] = None if row["number"] is None else FORMS[row["form"]].format(row["number"])
    options = {"tolerance": draw(st.sampled_from([0.0, 0.05, 1.0])),
               "relative_tolerance": draw(st.sampled_from([0.0, 0.01])),
               "date_window": draw(st.sampled_from([0, 2]))}
    return left, right, options


def frame(rows) -> pd.DataFrame:
    return pd.DataFrame({
        "document_id": pd.array([r["key"] for r in rows], dtype="str"),
        "customer_id": pd.array([r["customer"] for r in rows], dtype="str"),
        "doc_date": pd.to_datetime([BASE + dt.timedelta(days=r["day"]) for r in rows]).astype("datetime64[s]"),
        "amount": np.array([r["cents"] for r in rows], dtype="float64") / 100,
    })


def line_set(lines: pd.DataFrame, swap: bool = False) -> Counter:
    flip = {"missing_left": "missing_right", "missing_right": "missing_left"} if swap else {}
    a, b = ("right", "left") if swap else ("left", "right")
    left_cents, right_cents = cents(lines[f"{a}_amount"]), cents(lines[f"{b}_amount"])
    return Counter(
        (None if pd.isna(key) else key, flip.get(status, status), lc if present_a else None, rc if present_b else None)
        for key, status, lc, rc, present_a, present_b in zip(
            lines["key"], lines["status"], left_cents, right_cents, lines[f"{a}_amount"].notna(),
            lines[f"{b}_amount"].notna()))


@settings(max_examples=120, deadline=None)
@given(ledger_pairs())
def test_reconcile_against_naive_reference(pair):
    left_rows, right_rows, options = pair
    left, right = frame(left_rows), frame(right_rows)
    result = reconcile(left, right, **options)
    lines, summary = result.lines, result.summary

    # Every row of each side is on exactly one line, and every line has exactly one status.
    assert lines["status"].notna().all() and set(lines["status"]) <= set(STATUSES)
    assert lines["left_amount"].notna().sum() == len(left) and lines["right_amount"].notna().sum() == len(right)
    assert sorted(cents(lines["left_amount"].dropna())) == sorted(r["cents"] for r in left_rows)
    assert sorted(cents(lines["right_amount"].dropna())) == sorted(r["cents"] for r in right_rows)
    assert line_set(lines) == naive_reconcile(left_rows, right_rows, **options)

    # The summary explains the difference of balances, per customer, to the cent.
    parts = sum(cents(summary[status]) for status in STATUSES)
    assert (parts == cents(summary["difference"])).all()
    assert (cents(summary["right_balance"]) - cents(summary["left_balance"]) == cents(summary["difference"])).all()
    assert cents(summary["left_balance"]).sum() == sum(r["cents"] for r in left_rows)
    assert cents(summary["right_balance"]).sum() == sum(r["cents"] for r in right_rows)
    line_customer = lines["customer_id"].fillna("(blank)")
    for status in STATUSES:
        expected = (cents(lines["difference"]) * (lines["status"] == status).to_numpy())
        per_customer = pd.Series(expected).groupby(line_customer.to_numpy()).sum()
        assert per_customer.reindex(summary["customer_id"]).tolist() == cents(summary[status]).tolist()

    # Swapping the sides swaps missing_left and missing_right and negates every difference.
    swapped = reconcile(right, left, **options)
    assert line_set(swapped.lines, swap=True) == line_set(lines)
    assert sorted(cents(swapped.lines["difference"])) == sorted(-cents(lines["difference"]))
    totals, swapped_totals = (pd.Series({c: cents(s[c]).sum() for c in STATUSES}) for s in (summary, swapped.summary))
    assert swapped_totals.rename({"missing_left": "missing_right", "missing_right": "missing_left"}).reindex(
        totals.index).tolist() == (-totals).tolist()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 10**9), max_size=30, unique=True), st.data())
def test_renamed_keys_all_match(numbers, data):
    left = pd.DataFrame({"document_id": [f"INV-{n:010d}" for n in numbers], "amount": np.arange(len(numbers)) * 1.5})
    forms = data.draw(st.lists(st.sampled_from(FORMS), min_size=len(numbers), max_size=len(numbers)))
    right = pd.DataFrame({"document_id": [form.format(n) for form, n in zip(forms, numbers)],
                          "amount": np.arange(len(numbers)) * 1.5}).iloc[::-1]
    result = reconcile(left, right, date=None)
    assert result.counts["matched"] == len(numbers) == len(result.lines)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="0123INVOCE#-._/: \t\u00a0nobx", max_size=12), max_size=20))
def test_normalize_keys_against_naive(keys):
    got = [None if pd.isna(key) else key for key in normalize_keys(pd.Series(keys, dtype="str"))]
    assert got == [naive_key(key) for key in keys]
