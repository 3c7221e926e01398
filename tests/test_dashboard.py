"""The triage dashboard without a browser: set widget values, check what it shows."""

import datetime as dt

import pytest

from arkit import age, aging_kpis
from arkit.dashboards import TriageDashboard
from arkit._kpis import rank_past_due


@pytest.fixture(scope="module")
def board(sample_ledger):
    return TriageDashboard(sample_ledger)


def _tile(board, key):
    return board.tiles[key].value.split('class="arkit-tile-value">')[1].split("<")[0]


def test_tiles_show_the_portfolio_numbers(board, sample_ledger):
    kpis = aging_kpis(age(sample_ledger, currency="USD")).to_dict("records")[0]
    assert _tile(board, "total_open") == f"{kpis['total_open']:,.2f}"
    assert _tile(board, "pct_past_due") == f"{kpis['pct_past_due']:.1f}%"
    assert _tile(board, "over_90") == f"{kpis['over_90']:,.2f}"
    assert _tile(board, "accounts_past_due") == f"{kpis['accounts_past_due']:,} of {kpis['accounts_open']:,}"
    assert board.as_of.value == dt.date(2026, 10, 31)
    assert bytes(board.chart.value).startswith(b"\x89PNG")
    assert board.table.value.count("<tr data-customer-id=") == 15


def test_filters_change_tiles_chart_and_table(board, sample_ledger):
    before = (board.tiles["total_open"].value, board.chart.value, board.table.value)
    region = board.filters["region"].options[1]
    board.filters["region"].value = region
    try:
        aged = age(sample_ledger, currency="USD")
        selected = aged[aged["region"] == region]
        assert _tile(board, "total_open") == f"{aging_kpis(selected).iloc[0]['total_open']:,.2f}"
        top = rank_past_due(selected, top=15)["customer_id"].tolist()
        assert board.ranked["customer_id"].tolist() == top
        assert set(board.ranked["region"]) == {region}
        after = (board.tiles["total_open"].value, board.chart.value, board.table.value)
        assert all(b != a for b, a in zip(before, after))
    finally:
        board.filters["region"].value = "All"
    assert board.table.value == before[2]


def test_as_of_date_ages_the_past(board, sample_ledger):
    board.as_of.value = dt.date(2026, 3, 31)
    try:
        kpis = aging_kpis(age(sample_ledger, "2026-03-31", currency="USD")).iloc[0]
        assert _tile(board, "total_open") == f"{kpis['total_open']:,.2f}"
    finally:
        board.as_of.value = dt.date(2026, 10, 31)


def test_cleared_date_asks_for_one_and_keeps_the_numbers(board):
    shown = board.tiles["total_open"].value
    board.as_of.value = None
    try:
        assert board.status.value == "Choose an as-of date."
        assert board.tiles["total_open"].value == shown
    finally:
        board.as_of.value = dt.date(2026, 10, 31)
    assert board.status.value == ""


def test_selection_with_no_past_due_says_so(board):
    html = board._table_html(board.ranked.iloc[0:0])
    assert html == "<p>No account is past due in this selection.</p>"
