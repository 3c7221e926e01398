"""The trends dashboard: headless (set widget values, check what it shows and what it computes),
then its notebook served through Voila in Debian's Chromium (Playwright)."""

import re

import pandas as pd
import pytest

from browser import ERROR_TEXT, browser_page, serve_notebook

from arkit.dashboards import TrendsDashboard
from arkit.dashboards import trends as trends_module
from arkit._kpis import KPI_COLUMNS, kpis



def _shown(value, kpi):
    if pd.isna(value):
        return "n/a"
    return f"{value:,.2f}" if kpi in ("ar_turnover", "bad_debt_ratio") else f"{value:,.1f}"


def _expected(table: pd.DataFrame) -> dict[str, str]:
    """What the latest-period column must show for each KPI of one group's ``kpis`` rows."""
    latest = table.sort_values("period_end").iloc[-1]
    return {"closing": f"{latest['closing']:,.2f}"} | {k: _shown(latest[k], k) for k in KPI_COLUMNS}


def _latest_column(table_html: str) -> dict[str, str]:
    return dict(re.findall(r'<tr data-kpi="(\w+)"[^>]*><th>.*?</th><td class="latest">([^<]*)</td>', table_html))


@pytest.fixture(scope="module")
def portfolio_kpis(sample_ledger):
    return kpis(sample_ledger, months=12)


@pytest.fixture(scope="module")
def region_kpis(sample_ledger):
    return kpis(sample_ledger, months=12, by="region")


@pytest.fixture(scope="module")
def board(sample_ledger):
    return TrendsDashboard(sample_ledger)


def _charts(board):
    return [bytes(image.value) for image in (board.aging_chart, board.dso_cei_chart, board.mix_chart,
                                             board.kpi_chart)]


def test_first_view_is_the_whole_portfolio(board, portfolio_kpis):
    assert board.group_by.value == "" and board.group_value.value == "All" and board.group_value.disabled
    assert [label for label, _ in board.group_by.options] == ["None", "Region", "Segment", "Collector"]
    assert len(board.trend) == 12
    shown = _latest_column(board.table.value)
    assert {k: shown[k] for k in _expected(portfolio_kpis)} == _expected(portfolio_kpis)
    assert "31 Oct 2026" in board.table.value and "30 Sep 2026" in board.table.value
    assert all(png.startswith(b"\x89PNG") for png in _charts(board))


def test_a_region_shows_its_own_kpis_and_charts(board, region_kpis):
    before = _charts(board), board.table.value
    board.group_by.value = "region"
    try:
        regions = sorted(region_kpis["region"].unique())
        assert list(board.group_value.options) == ["All", *regions] and not board.group_value.disabled
        board.group_value.value = regions[0]
        chosen = region_kpis[region_kpis["region"] == regions[0]]
        shown = _latest_column(board.table.value)
        assert {k: shown[k] for k in _expected(chosen)} == _expected(chosen)
        assert set(board.trend["region"]) == {regions[0]}
        assert board.caption.value.startswith(f"Region {regions[0]}: month ends")
        after = _charts(board), board.table.value
        assert all(b != a for b, a in zip(before[0], after[0])) and before[1] != after[1]
    finally:
        board.group_by.value = ""
    assert board.table.value == before[1] and board.group_value.disabled


def test_group_switch_computes_once_and_value_switch_filters(board, monkeypatch):
    calls = []

    def counting(function):
        def wrapper(*args, **kwargs):
            calls.append((function.__name__, kwargs.get("by")))
            return function(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(trends_module, "kpis", counting(trends_module.kpis))
    monkeypatch.setattr(trends_module, "aging_trend", counting(trends_module.aging_trend))
    try:
        board.group_by.value = "segment"
        assert sorted(calls) == [("aging_trend", "segment"), ("kpis", "segment")]
        calls.clear()
        before = bytes(board.aging_chart.value)
        board.group_value.value = board.group_value.options[1]
        assert bytes(board.aging_chart.value) != before
        board.group_by.value = ""  # the portfolio's frames are cached too
        assert calls == []
    finally:
        board.group_by.value = ""


def test_months_and_kpi_choice(board):
    charts = _charts(board)
    board.kpi.value = "cei"
    try:
        assert _charts(board)[:3] == charts[:3] and _charts(board)[3] != charts[3]
        assert '<tr data-kpi="cei" class="chosen">' in board.table.value
    finally:
        board.kpi.value = "dso"
    board.months.value = 6
    try:
        assert len(board.trend) == len(board.table_kpis) == 6
        assert _charts(board)[0] != charts[0]
    finally:
        board.months.value = 12


def test_group_values_are_escaped(sample_ledger, monkeypatch):
    odd = "<b>R&D</b>"
    ends = pd.to_datetime(["2026-09-30", "2026-10-31"]).date

    def fake_trend(ledger, months, by=None, **_):
        frame = pd.DataFrame({"period_end": ends, "current": [90.0, 80.0], "1-30": [5.0, 10.0],
                              "31-60": 0.0, "61-90": 0.0, "91-120": 0.0, "120+": [5.0, 10.0]})
        frame["total"] = frame[["current", "1-30", "120+"]].sum(axis=1)
        return frame if by is None else frame.assign(**{by: odd})

    def fake_kpis(ledger, months, by=None, **_):
        frame = pd.DataFrame({"period_end": ends, "closing": [100.0, 100.0], "sales": [300.0, 280.0]}
                             | {k: [1.0, 2.0] for k in KPI_COLUMNS})
        return frame if by is None else frame.assign(**{by: odd})

    monkeypatch.setattr(trends_module, "aging_trend", fake_trend)
    monkeypatch.setattr(trends_module, "kpis", fake_kpis)
    board = TrendsDashboard(sample_ledger)
    board.group_by.value = "region"
    board.group_value.value = odd
    assert "&lt;b&gt;R&amp;D&lt;/b&gt;" in board.caption.value and odd not in board.caption.value
    assert _latest_column(board.table.value)["dso"] == "2.0"


# --- In a browser, through Voila ----------------------------------------------------------------

@pytest.fixture(scope="module")
def trends_url(tmp_path_factory):
    with serve_notebook("02-trends.ipynb", tmp_path_factory.mktemp("voila")) as url:
        yield url


def _page_latest_column(page) -> dict[str, str]:
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll(
        '.arkit-trends-kpi-table tr[data-kpi]')].map(tr => [tr.dataset.kpi, tr.querySelector('td.latest').innerText]))""")


@pytest.mark.browser
def test_trends_page_in_a_browser(trends_url, portfolio_kpis, region_kpis):
    table = ".arkit-trends-kpi-table tbody"
    with browser_page(trends_url, timeout=120_000) as page:
        page.wait_for_selector(f'{table} tr[data-kpi="dso"] td.latest', timeout=120_000)
        expected = _expected(portfolio_kpis)
        assert {k: v for k, v in _page_latest_column(page).items() if k in expected} == expected
        for chart in ("aging", "dso-cei", "mix", "kpi"):
            assert page.locator(f".arkit-trends-{chart}-chart").is_visible()

        portfolio_rows = page.inner_text(table)
        region = sorted(region_kpis["region"].unique())[0]
        page.select_option(".arkit-trends-group-by select", label="Region")
        page.wait_for_selector(f".arkit-trends-group-value select:not([disabled]) option:text-is('{region}')",
                               state="attached", timeout=60_000)
        page.select_option(".arkit-trends-group-value select", label=region)
        page.wait_for_function("([sel, old]) => document.querySelector(sel).innerText !== old",
                               arg=[table, portfolio_rows], timeout=60_000)
        expected = _expected(region_kpis[region_kpis["region"] == region])
        assert {k: v for k, v in _page_latest_column(page).items() if k in expected} == expected
        assert page.inner_text(".arkit-trends-caption").startswith(f"Region {region}:")
        text = page.inner_text("body")
        assert ERROR_TEXT not in text and "Traceback" not in text
