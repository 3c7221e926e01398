"""The trends dashboard: aging, DSO and CEI over the last months, for the portfolio or one group.

Widgets only: every number comes from :func:`arkit.monthly.aging_trend` and
:func:`arkit._kpis.kpis`, computed once per (months, group column) and then filtered.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import pandas as pd

from arkit.aging import DEFAULT_BUCKETS
from arkit.errors import ArkitError
from arkit._kpis import KPI_COLUMNS, kpis
from arkit.ledger import Ledger
from arkit.monthly import aging_trend
from arkit.rendering.plots import KPI_LABELS, figure_png, plot_aging_trend, plot_bucket_mix, plot_dso_cei, plot_kpi_trend

__all__ = ["TrendsDashboard", "GROUP_COLUMNS", "format_kpi"]

ALL = "All"
GROUP_COLUMNS = ("region", "segment", "collector")
MONTHS_RANGE = (6, 24)
#: Which way is better, to colour the month-on-month change: +1 higher is better, -1 lower is.
BETTER = {"dso": -1, "countback_dso": -1, "best_possible_dso": -1, "average_days_delinquent": -1, "cei": 1,
          "pct_current": 1, "pct_past_due": -1, "ar_turnover": 1, "bad_debt_ratio": -1, "avg_days_to_pay": -1,
          "avg_days_late": -1, "weighted_days_late": -1}
CSS = """
<style>
.arkit-trends-controls { gap: 16px; flex-wrap: wrap; align-items: center; }
.arkit-trends-row { gap: 18px; flex-wrap: wrap; align-items: flex-start; }
.arkit-trends-caption { color: #57606a; }
.arkit-trends-kpi-table table { border-collapse: collapse; font-size: 13px; }
.arkit-trends-kpi-table th, .arkit-trends-kpi-table td { padding: 3px 10px; border-bottom: 1px solid #d8dee4; }
.arkit-trends-kpi-table thead th { text-align: right; color: #57606a; font-weight: 600; }
.arkit-trends-kpi-table tbody th { text-align: left; font-weight: normal; }
.arkit-trends-kpi-table td { text-align: right; font-variant-numeric: tabular-nums; }
.arkit-trends-kpi-table td.latest { font-weight: 600; }
.arkit-trends-kpi-table .unit { color: #57606a; font-size: 11px; }
.arkit-trends-kpi-table tr.chosen { background: #fff8c5; }
.arkit-trends-kpi-table td.better { color: #1a7f37; }
.arkit-trends-kpi-table td.worse { color: #cf222e; }
.arkit-trends-status { color: #cf222e; }
</style>
"""


def format_kpi(kpi: str, value) -> str:
    """A KPI as the dashboard shows it: ``n/a`` when unknown; two decimals for turnover and the
    bad-debt ratio (small numbers), one for the rest.

    Examples
    --------
    >>> format_kpi("dso", 28.50113), format_kpi("ar_turnover", 12.0745), format_kpi("cei", float("nan"))
    ('28.5', '12.07', 'n/a')
    """
    if value is None or pd.isna(value):
        return "n/a"
    return f"{value:,.2f}" if kpi in ("ar_turnover", "bad_debt_ratio") else f"{value:,.1f}"


def _date(value) -> str:
    return pd.Timestamp(value).strftime("%d %b %Y")


class TrendsDashboard(widgets.VBox):
    """Trends page: group by (region, segment, collector) and one group value, the number of
    months and a KPI drive the aging trend, the DSO/CEI chart, the bucket mix, a KPI compared
    across groups and the table of the latest period's KPIs.

    Amounts are in the ledger's reporting currency, converted at each month end's rate.

    Examples
    --------
    >>> from arkit import load_ledger
    >>> from arkit.config import SAMPLES_DIR
    >>> board = TrendsDashboard(load_ledger(SAMPLES_DIR), months=6)
    >>> len(board.trend), board.latest["period_end"].isoformat()
    (6, '2026-10-31')
    """

    def __init__(self, ledger: Ledger, *, months: int = 12, buckets=DEFAULT_BUCKETS) -> None:
        self.ledger = ledger
        self.buckets = tuple(buckets)
        self.currency = ledger.currency
        self._frames: dict[tuple[int, str | None], tuple[pd.DataFrame, pd.DataFrame]] = {}
        self._quiet = False
        attributes = ledger.customers if ledger.customers is not None else ledger.items
        columns = [c for c in GROUP_COLUMNS if c in attributes.columns]
        self.group_by = widgets.Dropdown(options=[("None", ""), *[(c.capitalize(), c) for c in columns]], value="",
                                         description="Group by")
        self.group_by.add_class("arkit-trends-group-by")
        self.group_value = widgets.Dropdown(options=[ALL], value=ALL, description="Value", disabled=True)
        self.group_value.add_class("arkit-trends-group-value")
        low, high = min(MONTHS_RANGE[0], months), max(MONTHS_RANGE[1], months)
        self.months = widgets.IntSlider(value=months, min=low, max=high, description="Months",
                                        continuous_update=False)
        self.months.add_class("arkit-trends-months")
        self.kpi = widgets.Dropdown(options=[(f"{KPI_LABELS[k][0]} ({KPI_LABELS[k][1]})", k) for k in KPI_COLUMNS],
                                    value="dso", description="Chart KPI", layout=widgets.Layout(width="360px"))
        self.kpi.add_class("arkit-trends-kpi")
        chart = {"format": "png"}
        self.aging_chart = widgets.Image(**chart, layout=widgets.Layout(width="660px")).add_class(
            "arkit-trends-aging-chart")
        self.dso_cei_chart = widgets.Image(**chart, layout=widgets.Layout(width="660px")).add_class(
            "arkit-trends-dso-cei-chart")
        self.mix_chart = widgets.Image(**chart, layout=widgets.Layout(width="660px")).add_class(
            "arkit-trends-mix-chart")
        self.kpi_chart = widgets.Image(**chart, layout=widgets.Layout(width="660px")).add_class(
            "arkit-trends-kpi-chart")
        self.table = widgets.HTML().add_class("arkit-trends-kpi-table")
        self.caption = widgets.HTML().add_class("arkit-trends-caption")
        self.status = widgets.HTML().add_class("arkit-trends-status")
        self.trend = pd.DataFrame()
        self.table_kpis = pd.DataFrame()
        self.latest: dict = {}
        self.group_by.observe(self._on_group_by, names="value")
        self.months.observe(self._on_change, names="value")
        self.group_value.observe(self._on_change, names="value")
        self.kpi.observe(self._on_kpi, names="value")
        super().__init__(children=[
            widgets.HTML(CSS + "<h2>AR trends</h2>"),
            self.caption,
            widgets.HBox([self.group_by, self.group_value, self.months]).add_class("arkit-trends-controls"),
            self.status,
            widgets.HBox([widgets.VBox([widgets.HTML("<h3>Latest month's KPIs</h3>"), self.table]),
                          widgets.VBox([self.dso_cei_chart, self.aging_chart])]).add_class("arkit-trends-row"),
            widgets.HBox([self.mix_chart, widgets.VBox([self.kpi, self.kpi_chart])]).add_class("arkit-trends-row"),
        ])
        self.add_class("arkit-trends")
        self.refresh()

    def frames(self, months: int, column: str | None) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The aging trend and the KPIs per value of ``column`` (or the whole portfolio), computed
        once per (months, column)."""
        key = (months, column)
        if key not in self._frames:
            self._frames[key] = (aging_trend(self.ledger, months=months, by=column, buckets=self.buckets,
                                             currency=self.currency),
                                 kpis(self.ledger, months=months, by=column, currency=self.currency))
        return self._frames[key]

    def selection(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The aging trend and KPIs of what the dropdowns select: a filter of the cached frames."""
        column, value = self.group_by.value or None, self.group_value.value
        if column is None or value == ALL:
            return self.frames(self.months.value, None)
        trend, table = self.frames(self.months.value, column)
        return (trend[trend[column] == value].reset_index(drop=True),
                table[table[column] == value].reset_index(drop=True))

    def _on_group_by(self, _change) -> None:
        column = self.group_by.value or None
        try:
            values = [] if column is None else sorted(self.frames(self.months.value, column)[1][column].unique())
        except ArkitError as exc:
            self.status.value = html.escape(str(exc))
            return
        self._quiet = True  # new options reset the value: one refresh, not two
        try:
            self.group_value.options = [ALL, *values]
            self.group_value.value = ALL
            self.group_value.disabled = column is None
        finally:
            self._quiet = False
        self.refresh()

    def _on_change(self, _change) -> None:
        if not self._quiet:
            self.refresh()

    def _on_kpi(self, _change) -> None:
        self._draw_kpi_chart()
        self.table.value = self._table_html()

    def refresh(self) -> None:
        """Redraw the charts and the table from the current choices."""
        try:
            self.trend, self.table_kpis = self.selection()
            column = self.group_by.value or None
            if column is not None:
                self.frames(self.months.value, column)  # the KPI chart compares the groups
        except ArkitError as exc:
            self.status.value = html.escape(str(exc))
            return
        self.status.value = ""
        self.latest = self.table_kpis.iloc[-1].to_dict() if len(self.table_kpis) else {}
        column, value = self.group_by.value or None, self.group_value.value
        scope = "Whole portfolio" if column is None or value == ALL else f"{column.capitalize()} {value}"
        period = (f"{_date(self.trend['period_end'].iloc[0])} to {_date(self.trend['period_end'].iloc[-1])}"
                  if len(self.trend) else "no periods")
        self.caption.value = html.escape(f"{scope}: month ends {period}; amounts in {self.currency}, converted "
                                         "at each month end's rate.")
        self.aging_chart.value = figure_png(plot_aging_trend(self.trend, self.buckets, self.currency))
        self.dso_cei_chart.value = figure_png(plot_dso_cei(self.table_kpis))
        self.mix_chart.value = figure_png(plot_bucket_mix(self.trend, self.buckets))
        self._draw_kpi_chart()
        self.table.value = self._table_html()

    def _draw_kpi_chart(self) -> None:
        column, value = self.group_by.value or None, self.group_value.value
        if column is None:
            figure = plot_kpi_trend(self.table_kpis, self.kpi.value, title=f"{KPI_LABELS[self.kpi.value][0]}: "
                                    "whole portfolio")
        else:
            figure = plot_kpi_trend(self.frames(self.months.value, column)[1], self.kpi.value, by=column,
                                    highlight=None if value == ALL else value)
        self.kpi_chart.value = figure_png(figure)

    def _table_html(self) -> str:
        if not self.latest:
            return "<p>No month-end figures for this selection.</p>"
        previous = self.table_kpis.iloc[-2].to_dict() if len(self.table_kpis) > 1 else {}
        head = (f"<th></th><th>{_date(self.latest['period_end'])}</th>"
                f"<th>{_date(previous['period_end']) if previous else 'previous'}</th><th>change</th>")
        rows = []
        for key, label in (("closing", f"Open AR ({self.currency})"), ("sales", f"Credit sales ({self.currency})")):
            rows.append(f'<tr data-kpi="{key}"><th>{html.escape(label)}</th>'
                        f'<td class="latest">{self._money(self.latest.get(key))}</td>'
                        f"<td>{self._money(previous.get(key))}</td><td></td></tr>")
        for key in KPI_COLUMNS:
            name, unit = KPI_LABELS[key]
            now, before = self.latest.get(key), previous.get(key)
            change, tone = "", ""
            if not any(v is None or pd.isna(v) for v in (now, before)):
                delta = float(now) - float(before)
                change = format_kpi(key, delta)
                if change.strip("-0.,") == "":  # no change at the shown precision: no sign, no colour
                    change = change.lstrip("-")
                else:
                    change = ("+" if delta > 0 else "") + change
                    tone = "better" if delta * BETTER[key] > 0 else "worse"
            chosen = ' class="chosen"' if key == self.kpi.value else ""
            rows.append(f'<tr data-kpi="{key}"{chosen}><th>{html.escape(name)} <span class="unit">'
                        f'{html.escape(unit)}</span></th><td class="latest">{format_kpi(key, now)}</td>'
                        f'<td>{format_kpi(key, before)}</td><td class="{tone}">{change}</td></tr>')
        return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"

    @staticmethod
    def _money(value) -> str:
        return "n/a" if value is None or pd.isna(value) else f"{value:,.2f}"
