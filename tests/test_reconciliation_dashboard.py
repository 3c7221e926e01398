"""The reconciliation page: headless (set widget values, compare with the analytics), then its
notebook served through Voila in Debian's Chromium (Playwright), with two files uploaded."""

import base64
import datetime as dt
import re

import pandas as pd
import pytest

from browser import ERROR_TEXT, browser_page, serve_notebook

from arkit import age
from arkit.cashapp import apply_cash
from arkit.config import SAMPLES_DIR
from arkit.dashboards.reconciliation import FILES, ReconciliationDashboard
from arkit._reconcile import compare_snapshots

PAYMENTS = SAMPLES_DIR / "bank" / "payments.csv"


@pytest.fixture(scope="module")
def board(sample_ledger):
    return ReconciliationDashboard(sample_ledger, PAYMENTS)


@pytest.fixture(scope="module")
def statement(tmp_path_factory):
    """Two files: our invoices of one customer, and its statement (one line short, one missing)."""
    folder = tmp_path_factory.mktemp("files")
    items = pd.read_csv(SAMPLES_DIR / "items.csv", dtype=str, keep_default_na=False)
    ours = items[(items["customer_id"] == "0010728") & (items["doc_type"] == "invoice")]
    theirs = ours.iloc[1:].copy()
    theirs["document_id"] = "inv " + theirs["document_id"].str[3:]
    theirs.loc[theirs.index[0], "amount"] = f"{float(theirs['amount'].iloc[0]) - 10:.2f}"
    ours.to_csv(folder / "ours.csv", index=False)
    theirs.to_csv(folder / "theirs.csv", index=False)
    return folder, len(ours)


def _counts(table_html: str) -> dict[str, int]:
    return {s: int(n.replace(",", "")) for s, n in re.findall(r'data-status="(\w+)"><td>\w+</td><td class="num">([\d,]+)',
                                                              table_html)}


def test_snapshots_show_what_is_new_gone_and_changed(board, sample_ledger):
    board.previous.value, board.current.value = dt.date(2026, 8, 31), dt.date(2026, 9, 30)
    keep = ["document_id", "customer_id", "open_amount"]
    expected = compare_snapshots(age(sample_ledger, "2026-08-31")[keep], age(sample_ledger, "2026-09-30")[keep])
    assert _counts(board.counts.value) == expected.counts and expected.counts["missing_left"] > 100
    assert "Open items on 31 Aug 2026 against 30 Sep 2026" in board.counts.value
    board.which.value = "missing_right"
    assert f"<p>{expected.counts['missing_right']:,} lines;" in board.lines.value
    link = re.search(r'download="differences.csv" href="data:text/csv;base64,([^"]+)"', board.downloads.value)
    lines = pd.read_csv(pd.io.common.BytesIO(base64.b64decode(link.group(1))), dtype=str)
    assert len(lines) == len(expected.lines) and set(lines["status"]) <= set(expected.counts)
    board.previous.value = dt.date(2026, 10, 31)
    assert "Choose a previous month end before the current one" in board.status.value


def _upload(path) -> tuple:
    data = path.read_bytes()
    return ({"name": path.name, "type": "text/csv", "size": len(data), "content": memoryview(data),
             "last_modified": dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc)},)


def test_two_uploaded_files_are_compared_line_by_line(board, statement):
    folder, n = statement
    board.mode.value = FILES
    board.compare.click()
    assert "choose the left file first" in board.status.value
    board.left_file.value = _upload(folder / "ours.csv")
    board.right_file.value = _upload(folder / "theirs.csv")
    board.compare.click()
    assert board.status.value == ""
    assert _counts(board.counts.value) == {"matched": n - 2, "amount_mismatch": 1, "date_mismatch": 0,
                                           "missing_left": 0, "missing_right": 1, "duplicate": 0}
    (folder / "bad.csv").write_text("document_id,customer_id,doc_date,amount\nA1,C1,2026-13-45,10.00\n"
                                    "A2,C1,2026-10-01,5.00\n")
    board.right_file.value = _upload(folder / "bad.csv")
    board.compare.click()
    assert board.status.value == ("bad.csv: 1 row(s) rejected and left out (first: line 2, column doc_date: "
                                  "cannot read &#x27;2026-13-45&#x27; as date)")


def test_cash_application_of_the_sample_week(board, sample_ledger):
    expected = apply_cash(pd.read_csv(PAYMENTS, dtype={"payment_id": str, "customer_id": str}, parse_dates=["date"],
                                      keep_default_na=False, na_values={"customer_id": [""]}), sample_ledger)
    summary = expected.summary()
    assert board.cash.summary() == summary
    assert f"{summary['auto_applied']:,} applied automatically" in board.cash_view.value
    suggested = (expected.payments["status"] == "suggested").sum()
    assert f"<p>{suggested:,} payments suggested:</p>" in board.cash_table.value
    board.cash_which.value = "unidentified"
    assert f"<p>{summary['unidentified']:,} payments unidentified:</p>" in board.cash_table.value


# --- In a browser, through Voila ----------------------------------------------------------------

@pytest.fixture(scope="module")
def page_url(tmp_path_factory):
    with serve_notebook("04-reconciliation.ipynb", tmp_path_factory.mktemp("voila")) as url:
        yield url


@pytest.mark.browser
def test_reconciliation_page_in_a_browser(page_url, statement):
    folder, n = statement
    with browser_page(page_url) as page:
        page.wait_for_selector('.arkit-rec-counts tr[data-status="missing_left"]', timeout=180_000)
        assert page.locator(".arkit-download").first.get_attribute("download") == "differences.csv"
        assert "applied automatically" in page.inner_text(".arkit-cash-summary")
        page.get_by_role("button", name="Two files").click()
        page.wait_for_selector(".arkit-rec-compare", timeout=60_000)
        for side, name in (("left", "ours.csv"), ("right", "theirs.csv")):
            with page.expect_file_chooser() as chooser:
                page.click(f".arkit-rec-{side}-file")
            chooser.value.set_files(str(folder / name))
        page.click(".arkit-rec-compare")
        page.wait_for_function("() => document.querySelector('.arkit-rec-counts').innerText.includes('ours.csv')",
                               timeout=60_000)
        counts = page.inner_text(".arkit-rec-counts")
        assert f"matched\t{n - 2}" in counts and "amount_mismatch\t1" in counts
        text = page.inner_text("body")
        assert ERROR_TEXT not in text and "Traceback" not in text
