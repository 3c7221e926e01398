"""The portfolio triage dashboard: KPI tiles, the aging chart and the most past-due accounts.

Widgets only: every number comes from :func:`arkit.age`, :func:`arkit.aging_kpis`,
:func:`arkit.summarize_aging` and :func:`arkit._kpis.rank_past_due`.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os

import ipywidgets as widgets
import pandas as pd

from arkit.aging import DEFAULT_BUCKETS, age, summarize_aging
from arkit.config import SAMPLES_DIR
from arkit.errors import ArkitError
from arkit._kpis import aging_kpis, rank_past_due
from arkit.ledger import Ledger
from arkit.loaders import load_ledger
from arkit.rendering.plots import figure_png, plot_aging_buckets

__all__ = ["TriageDashboard", "FILTER_COLUMNS", "ledger_from_environment"]

ALL = "All"
FILTER_COLUMNS = ("region", "segment", "collector")
TABLE_COLUMNS = {
    "customer_id": "Customer", "customer_name": "Name", "region": "Region", "collector": "Collector",
    "past_due": "Past due", "over_90": "Over 90 days", "total_open": "Total open",
    "max_days_past_due": "Oldest (days)",
}
CSS = """
<style>
.arkit-tiles { gap: 12px; flex-wrap: wrap; }
.arkit-tile { border: 1px solid #d0d7de; border-radius: 8px; padding: 6px 14px; min-width: 170px;
              background: #f6f8fa; }
.arkit-tile-label { font-size: 12px; color: #57606a; }
.arkit-tile-value { font-size: 22px; font-weight: 600; color: #1f2328; }
.arkit-table table { border-collapse: collapse; font-size: 13px; }
.arkit-table th, .arkit-table td { padding: 3px 10px; border-bottom: 1px solid #d8dee4; }
.arkit-table td.num { text-align: right; font-variant-numeric: tabular-nums; }
.arkit-status { color: #cf222e; }
</style>
"""


def ledger_from_environment() -> Ledger:
    """The ledger that ``arkit dashboard`` names: ``ARKIT_LEDGER`` read with the loader options in
    ``ARKIT_LOAD_OPTIONS`` (JSON); without them, the bundled sample portfolio."""
    options = json.loads(os.environ.get("ARKIT_LOAD_OPTIONS") or "{}")
    return load_ledger(os.environ.get("ARKIT_LEDGER") or SAMPLES_DIR, **options)


def _money(value: float) -> str:
    return f"{value:,.2f}"


class TriageDashboard(widgets.VBox):
    """Portfolio triage page: filters (as-of date, region, segment, collector) drive the tiles,
    the aging chart and the table of the most past-due accounts.

    Amounts are in the ledger's reporting currency, converted with its ``fx_rates``.

    Examples
    --------
    >>> from arkit import load_ledger
    >>> from arkit.config import SAMPLES_DIR
    >>> board = TriageDashboard(load_ledger(SAMPLES_DIR))
    >>> board.filters["region"].value = board.filters["region"].options[1]
    >>> board.kpis["accounts_open"] <= len(board.ledger.customers)
    True
    """

    def __init__(self, ledger: Ledger, *, top: int = 15, buckets=DEFAULT_BUCKETS) -> None:
        self.ledger = ledger
        self.top = top
        self.buckets = tuple(buckets)
        self.currency = ledger.currency
        self._aged: dict[dt.date, pd.DataFrame] = {}
        latest = ledger.latest_date()
        self.as_of = widgets.DatePicker(value=latest, description="As of", max=latest)
        self.as_of.add_class("arkit-filter-as-of")
        attributes = ledger.customers if ledger.customers is not None else ledger.items
        self.filters = {}
        for column in FILTER_COLUMNS:
            if column not in attributes.columns:
                continue
            options = [ALL, *sorted(attributes[column].dropna().unique())]
            dropdown = widgets.Dropdown(options=options, value=ALL, description=column.capitalize())
            dropdown.add_class(f"arkit-filter-{column}")
            self.filters[column] = dropdown
        self.tiles = {
            key: widgets.HTML().add_class("arkit-tile").add_class(f"arkit-kpi-{key.replace('_', '-')}")
            for key in ("total_open", "pct_past_due", "over_90", "accounts_past_due")
        }
        self.chart = widgets.Image(format="png", layout=widgets.Layout(width="750px")).add_class("arkit-aging-chart")
        self.table = widgets.HTML().add_class("arkit-table").add_class("arkit-past-due-table")
        self.status = widgets.HTML().add_class("arkit-status")
        self.kpis: dict = {}
        self.ranked = pd.DataFrame()
        for control in (self.as_of, *self.filters.values()):
            control.observe(self._on_change, names="value")
        super().__init__(children=[
            widgets.HTML(CSS + f"<h2>Portfolio triage</h2><div>Amounts in {html.escape(self.currency)}; "
                         "buckets by days past due.</div>"),
            widgets.HBox([self.as_of, *self.filters.values()]),
            self.status,
            widgets.HBox(list(self.tiles.values())).add_class("arkit-tiles"),
            self.chart,
            widgets.HTML(f"<h3>Most past-due accounts (top {top})</h3>"),
            self.table,
        ])
        self.refresh()

    def aged(self, as_of: dt.date) -> pd.DataFrame:
        """Open items on ``as_of`` in the reporting currency, computed once per date."""
        if as_of not in self._aged:
            self._aged[as_of] = age(self.ledger, as_of, buckets=self.buckets, currency=self.currency)
        return self._aged[as_of]

    def selection(self) -> pd.DataFrame:
        """The aged items that the filters select."""
        aged = self.aged(self.as_of.value)
        for column, dropdown in self.filters.items():
            if dropdown.value != ALL:
                aged = aged[aged[column] == dropdown.value]
        return aged

    def _on_change(self, _change) -> None:
        self.refresh()

    def refresh(self) -> None:
        """Recompute tiles, chart and table from the current filters."""
        if self.as_of.value is None:
            self.status.value = "Choose an as-of date."
            return
        try:
            selected = self.selection()
        except ArkitError as exc:
            self.status.value = html.escape(str(exc))
            return
        self.status.value = ""
        self.kpis = aging_kpis(selected).to_dict("records")[0]
        keys = [c for c in ("customer_id", "customer_name", "region", "collector") if c in selected.columns]
        self.ranked = rank_past_due(selected, by=keys, top=self.top)
        pct = self.kpis["pct_past_due"]
        self._tile("total_open", f"Total open ({self.currency})", _money(self.kpis["total_open"]))
        self._tile("pct_past_due", "% past due", "n/a" if pd.isna(pct) else f"{pct:.1f}%")
        self._tile("over_90", f"Over 90 days ({self.currency})", _money(self.kpis["over_90"]))
        self._tile("accounts_past_due", "Accounts past due",
                   f"{self.kpis['accounts_past_due']:,} of {self.kpis['accounts_open']:,}")
        summary = summarize_aging(selected, by=None, buckets=self.buckets)
        self.chart.value = figure_png(plot_aging_buckets(summary, self.buckets, self.currency))
        self.table.value = self._table_html(self.ranked)

    def _tile(self, key: str, label: str, value: str) -> None:
        self.tiles[key].value = (f'<div class="arkit-tile-label">{html.escape(label)}</div>'
                                 f'<div class="arkit-tile-value">{html.escape(value)}</div>')

    @staticmethod
    def _table_html(ranked: pd.DataFrame) -> str:
        if ranked.empty:
            return "<p>No account is past due in this selection.</p>"
        columns = [c for c in TABLE_COLUMNS if c in ranked.columns]
        head = "".join(f"<th>{TABLE_COLUMNS[c]}</th>" for c in columns)
        rows = []
        for record in ranked[columns].to_dict("records"):
            cells = []
            for column in columns:
                value = record[column]
                if isinstance(value, float):
                    cells.append(f'<td class="num">{_money(value)}</td>')
                elif column == "max_days_past_due":
                    cells.append(f'<td class="num">{value}</td>')
                else:
                    cells.append(f"<td>{html.escape(str(value))}</td>")
            rows.append(f'<tr data-customer-id="{html.escape(str(record["customer_id"]))}">{"".join(cells)}</tr>')
        return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
