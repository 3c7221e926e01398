"""The triage page served by `arkit dashboard` through Voila, in Debian's Chromium (Playwright)."""

import sys
import urllib.request

import pytest

from browser import CHROMIUM_ARGS, ERROR_TEXT, chromium_path, free_port, serve

from arkit import age, aging_kpis
from arkit.config import SAMPLES_DIR

pytestmark = pytest.mark.browser

@pytest.fixture(scope="module")
def dashboard_url(tmp_path_factory):
    port = free_port()
    command = [sys.executable, "-m", "arkit", "dashboard", str(SAMPLES_DIR), "--port", str(port)]
    with serve(command, port, tmp_path_factory.mktemp("voila") / "voila.log") as url:
        yield url


@pytest.fixture(scope="module")
def page(dashboard_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(dashboard_url, timeout=120_000)
        page.wait_for_selector(".arkit-kpi-total-open .arkit-tile-value", timeout=120_000)
        yield page
        browser.close()


def test_page_renders_without_error_over_http(dashboard_url):
    with urllib.request.urlopen(dashboard_url, timeout=120) as response:
        body = response.read().decode()
    assert response.status == 200
    assert ERROR_TEXT not in body


def test_tiles_show_the_sample_numbers(page, sample_ledger):
    kpis = aging_kpis(age(sample_ledger, currency="USD")).to_dict("records")[0]
    assert page.inner_text(".arkit-kpi-total-open .arkit-tile-value") == f"{kpis['total_open']:,.2f}"
    assert page.inner_text(".arkit-kpi-pct-past-due .arkit-tile-value") == f"{kpis['pct_past_due']:.1f}%"
    assert page.inner_text(".arkit-kpi-over-90 .arkit-tile-value") == f"{kpis['over_90']:,.2f}"
    assert page.locator(".arkit-aging-chart").is_visible()
    assert page.locator(".arkit-past-due-table tbody tr").count() == 15


def test_changing_a_filter_changes_the_table(page, sample_ledger):
    first_rows = page.inner_text(".arkit-past-due-table tbody")
    region = sorted(sample_ledger.customers["region"].unique())[0]
    page.select_option(".arkit-filter-region select", label=region)
    page.wait_for_function(
        "([sel, old]) => document.querySelector(sel) && document.querySelector(sel).innerText !== old",
        arg=[".arkit-past-due-table tbody", first_rows], timeout=60_000)
    rows = page.locator(".arkit-past-due-table tbody tr")
    assert rows.count() > 0
    regions = {rows.nth(i).locator("td").nth(2).inner_text() for i in range(rows.count())}
    assert regions == {region}
    aged = age(sample_ledger, currency="USD")
    total = aging_kpis(aged[aged["region"] == region]).iloc[0]["total_open"]
    page.wait_for_function("([sel, want]) => document.querySelector(sel).innerText === want",
                           arg=[".arkit-kpi-total-open .arkit-tile-value", f"{total:,.2f}"], timeout=30_000)


def test_page_shows_no_error(page):
    text = page.inner_text("body")
    assert ERROR_TEXT not in text and "Traceback" not in text
