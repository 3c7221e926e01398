"""The risk dashboard: headless (set widget values, check what it shows against the analytics),
then its notebook served through Voila in Debian's Chromium (Playwright)."""

import re

import pytest

from browser import ERROR_TEXT, browser_page, serve_notebook

from arkit.dashboards.risk import RiskDashboard
from arkit.risk import backtest
from arkit._worklist import worklist


@pytest.fixture(scope="module")
def board(sample_ledger):
    return RiskDashboard(sample_ledger, max_iter=40)


def _cells(table_html: str, row: int) -> list[str]:
    body = re.findall(r"<tr[^>]*>(.*?)</tr>", table_html.split("<tbody>")[1])[row]
    return re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", body)


def test_backtest_shows_the_model_beside_both_baselines(board, sample_ledger):
    expected = backtest(sample_ledger, "2026-03-01", max_iter=40)
    assert board.result.split_date.isoformat() == "2026-03-01"
    assert _cells(board.metrics.value, 0) == ["ROC AUC", f"{expected.metrics['roc_auc']:.3f}",
                                               f"{expected.baselines['invoice_fields']['roc_auc']:.3f}",
                                               f"{expected.baselines['late_share_rule']['roc_auc']:.3f}"]
    assert 'class="num best">' + f"{expected.metrics['roc_auc']:.3f}" in board.metrics.value
    assert f"tested on the {expected.n_test:,}" in board.summary.value
    assert board.chart.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert re.search(r'<tr data-feature="late_share"><td>share of settled invoices paid late</td>', board.drivers.value)


def test_split_date_recomputes_the_backtest_once(board):
    earlier = board.split.options[-8][1]
    board.split.value = earlier
    first = board.result
    assert first.split_date == earlier and first.n_train < 21164
    board.split.value = board.split.options[-6][1]
    board.split.value = earlier
    assert board.result is first  # cached per date


def test_worklist_filters_by_collector_and_shows_the_account(board, sample_ledger):
    assert board.table_rows["priority"].is_monotonic_decreasing and len(board.table_rows) == board.top
    collector = board.collector.options[1]
    board.collector.value = collector
    assert (board.table_rows["collector"] == collector).all()
    expected = worklist(sample_ledger, board.as_of, scores=board.scores)
    assert len(expected[expected["collector"] == collector]) == int(
        re.search(r"<p>([\d,]+) accounts", board.table.value).group(1).replace(",", ""))
    first = board.table_rows.iloc[0]
    assert board.account.value == first["customer_id"]
    mine = board.scores[board.scores["customer_id"] == first["customer_id"]]
    assert board.invoices.value.count("<tr>") == len(mine) + 1
    riskiest = mine.sort_values("p_late").iloc[-1]
    assert f"{riskiest['p_late']:.0%}" in board.invoices.value and riskiest["document_id"] in board.invoices.value


# --- In a browser, through Voila ----------------------------------------------------------------

@pytest.fixture(scope="module")
def risk_url(tmp_path_factory):
    with serve_notebook("05-risk-model.ipynb", tmp_path_factory.mktemp("voila")) as url:
        yield url


@pytest.mark.browser
def test_risk_page_in_a_browser(risk_url):
    with browser_page(risk_url) as page:
        page.wait_for_selector(".arkit-risk-worklist tbody tr", timeout=180_000)
        assert page.locator(".arkit-risk-chart").is_visible()
        assert page.inner_text(".arkit-risk-metrics").startswith("\tModel")
        first = page.locator(".arkit-risk-worklist tbody tr").first.get_attribute("data-customer-id")
        collector = page.locator(".arkit-risk-collector select option").nth(1).inner_text().replace("\xa0", " ")
        page.select_option(".arkit-risk-collector select", label=collector)
        page.wait_for_function(
            "c => [...document.querySelectorAll('.arkit-risk-worklist tbody tr')].every("
            "tr => tr.innerText.includes(c))", arg=collector, timeout=60_000)
        shown = page.locator(".arkit-risk-invoices tbody tr").count()
        assert shown >= 1 and first
        text = page.inner_text("body")
        assert ERROR_TEXT not in text and "Traceback" not in text
