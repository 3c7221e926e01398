"""Charts of the month-end trends, read back from their matplotlib artists."""

import numpy as np
import pandas as pd
import pytest

from arkit import DEFAULT_BUCKETS, bucket_labels
from arkit.errors import ArkitError
from arkit._kpis import kpis
from arkit.monthly import aging_trend
from arkit.rendering.plots import figure_png, plot_aging_buckets, plot_aging_trend, plot_bucket_mix, plot_dso_cei, \
    plot_kpi_trend

LABELS = bucket_labels(DEFAULT_BUCKETS)
HALF_CENT = 0.005


@pytest.fixture(scope="module")
def trend(sample_ledger):
    return aging_trend(sample_ledger, months=12, currency="USD")


@pytest.fixture(scope="module")
def trend_by_region(sample_ledger):
    return aging_trend(sample_ledger, months=12, by="region", currency="USD")


@pytest.fixture(scope="module")
def portfolio_kpis(sample_ledger):
    return kpis(sample_ledger, months=12)


def _bars(fig):
    """Bucket label -> bar heights and bottoms, one per period, from the chart's bar containers."""
    ax = fig.axes[0]
    return {bars.get_label(): (np.array([p.get_height() for p in bars.patches]),
                               np.array([p.get_y() for p in bars.patches])) for bars in ax.containers}


def test_aging_trend_stacks_the_trend_buckets(trend):
    fig = plot_aging_trend(trend, currency="USD")
    ax = fig.axes[0]
    assert len(ax.get_xticks()) == len(trend) == 12
    assert [t.get_text() for t in ax.get_xticklabels()][-1] == "Oct\n2026"
    assert ax.get_ylabel() == "open amount (USD)"
    bars = _bars(fig)
    assert list(bars) == LABELS
    for label in LABELS:
        heights, _ = bars[label]
        assert len(heights) == 12
        assert heights[-1] == pytest.approx(trend[label].iloc[-1], abs=HALF_CENT)
        np.testing.assert_allclose(heights, trend[label], atol=HALF_CENT)
    # Current at the bottom; each bucket starts where the ones below it end.
    assert bars["current"][1][-1] == 0
    top = sum(bars[label][0][-1] for label in LABELS)
    assert top == pytest.approx(trend["total"].iloc[-1], abs=HALF_CENT)


def test_credits_past_due_stack_below_zero(trend_by_region):
    # On the sample, Canada's 91-120 bucket is negative at the last month end (credits past due).
    canada = trend_by_region[trend_by_region["region"] == "Canada"]
    assert canada["91-120"].iloc[-1] < 0
    bars = _bars(plot_aging_trend(canada))
    heights, bottoms = bars["91-120"]
    assert heights[-1] == pytest.approx(canada["91-120"].iloc[-1], abs=HALF_CENT)
    assert bottoms[-1] <= 0


def test_aging_trend_sums_groups_per_period(trend, trend_by_region):
    bars = _bars(plot_aging_trend(trend_by_region))
    for label in LABELS:
        np.testing.assert_allclose(bars[label][0], trend[label], atol=len(trend_by_region) * HALF_CENT)


def test_bucket_mix_is_100_percent_each_period(trend):
    fig = plot_bucket_mix(trend)
    ax = fig.axes[0]
    assert len(ax.get_xticks()) == 12 and ax.get_ylabel() == "share of open AR (%)"
    bars = _bars(fig)
    assert list(bars) == LABELS
    stacked = sum(bars[label][0] for label in LABELS)
    np.testing.assert_allclose(stacked, 100.0, atol=1e-9)
    share = trend["current"] / trend["total"] * 100
    np.testing.assert_allclose(bars["current"][0], share, atol=1e-9)


def test_dso_cei_draws_days_and_cei_on_two_axes(portfolio_kpis):
    fig = plot_dso_cei(portfolio_kpis)
    days, cei = fig.axes
    assert days.get_ylabel() == "days" and cei.get_ylabel() == "CEI (%)"
    assert len(days.get_xticks()) == len(portfolio_kpis) == 12
    lines = {line.get_label(): line.get_ydata() for line in days.get_lines()}
    assert list(lines) == ["DSO", "Best possible DSO", "Countback DSO"]
    np.testing.assert_allclose(lines["DSO"], portfolio_kpis["dso"])
    np.testing.assert_allclose(lines["Best possible DSO"], portfolio_kpis["best_possible_dso"])
    np.testing.assert_allclose(lines["Countback DSO"], portfolio_kpis["countback_dso"])
    np.testing.assert_allclose(cei.get_lines()[0].get_ydata(), portfolio_kpis["cei"])


def test_dso_cei_needs_one_group(portfolio_kpis):
    with pytest.raises(ArkitError, match="several groups"):
        plot_dso_cei(pd.concat([portfolio_kpis, portfolio_kpis]))


def test_kpi_trend_draws_one_line_per_group():
    table = pd.DataFrame({"region": ["East"] * 3 + ["West"] * 3,
                          "period_end": pd.to_datetime(["2026-08-31", "2026-09-30", "2026-10-31"] * 2),
                          "pct_past_due": [10.0, 12.0, 14.0, 8.0, 7.5, 9.0]})
    fig = plot_kpi_trend(table, "pct_past_due", by="region", highlight="East")
    lines = fig.axes[0].get_lines()
    assert [line.get_label() for line in lines] == ["East", "West"]
    assert lines[0].get_linewidth() > lines[1].get_linewidth()
    assert list(lines[1].get_ydata()) == [8.0, 7.5, 9.0]
    assert fig.axes[0].get_ylabel() == "Past due (% of AR)"


def test_empty_selections_still_draw(trend, portfolio_kpis):
    for fig in (plot_aging_trend(trend.iloc[0:0]), plot_bucket_mix(trend.iloc[0:0]),
                plot_dso_cei(portfolio_kpis.iloc[0:0])):
        assert figure_png(fig).startswith(b"\x89PNG")


def test_figures_give_png_bytes(trend, portfolio_kpis):
    for fig in (plot_aging_trend(trend), plot_bucket_mix(trend), plot_dso_cei(portfolio_kpis),
                plot_kpi_trend(portfolio_kpis, "cei"), plot_aging_buckets(trend.tail(1))):
        png = figure_png(fig)
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5_000
