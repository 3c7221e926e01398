"""The risk dashboard: an honest backtest of the delinquency model, and today's worklist.

Widgets only: the backtest is :func:`arkit.risk.backtest` at the chosen split date (computed once
per date); the worklist is :func:`arkit._worklist.worklist` on the latest date, scored by a model
fitted on the whole history (or the one passed in), with each account's drivers in words.
"""

from __future__ import annotations

import datetime as dt
import html

import ipywidgets as widgets
import pandas as pd

from arkit.errors import ArkitError
from arkit.ledger import Ledger
from arkit.rendering.plots import figure_png, plot_calibration
from arkit.risk import Backtest, DelinquencyModel, backtest, calibration_table
from arkit.risk.drivers import feature_name
from arkit._worklist import worklist

__all__ = ["RiskDashboard", "split_dates"]

ALL = "All"
METRICS = {"roc_auc": "ROC AUC", "pr_auc": "PR AUC", "brier": "Brier score", "log_loss": "Log loss",
           "top_decile_lift": "Top-decile lift", "top_decile_capture": "Top-decile capture"}
LOWER_IS_BETTER = {"brier", "log_loss"}
WORKLIST_COLUMNS = {"customer_id": "Customer", "customer_name": "Name", "collector": "Collector",
                    "open_balance": "Open", "past_due": "Past due", "expected_at_risk": "Expected at risk",
                    "p_delinquent": "P(delinquent)", "broken_promises": "Broken promises", "priority": "Priority",
                    "action": "Next action", "reason": "Reason"}
CSS = """
<style>
.arkit-risk table { border-collapse: collapse; font-size: 13px; }
.arkit-risk th, .arkit-risk td { padding: 3px 9px; border-bottom: 1px solid #d8dee4; text-align: left; }
.arkit-risk td.num { text-align: right; font-variant-numeric: tabular-nums; }
.arkit-risk td.best { font-weight: 600; color: #1a7f37; }
.arkit-risk-row { gap: 18px; flex-wrap: wrap; align-items: flex-start; }
.arkit-risk-status { color: #cf222e; }
</style>
"""


def split_dates(ledger: Ledger) -> list[dt.date]:
    """First days of the months that leave at least 6 months of history before and 2 months after.

    Examples
    --------
    >>> from arkit import load_ledger
    >>> from arkit.config import SAMPLES_DIR
    >>> days = split_dates(load_ledger(SAMPLES_DIR))
    >>> days[0].isoformat(), days[-1].isoformat()
    ('2025-05-01', '2026-08-01')
    """
    first = pd.Timestamp(ledger.items["doc_date"].min())
    start = (first + pd.DateOffset(months=6)).to_period("M").to_timestamp()
    end = pd.Timestamp(ledger.latest_date()) - pd.DateOffset(months=2)
    return [d.date() for d in pd.date_range(start, end, freq="MS")]


def _money(value: float) -> str:
    return f"{value:,.2f}"


class RiskDashboard(widgets.VBox):
    """Risk page: the split date drives the backtest (metrics of the model beside the two
    baselines, calibration chart, global drivers); the collector and account pickers drive the
    worklist table and the account's invoices with their probability and drivers.

    Examples
    --------
    >>> from arkit import load_ledger
    >>> from arkit.config import SAMPLES_DIR
    >>> board = RiskDashboard(load_ledger(SAMPLES_DIR), max_iter=30)
    >>> board.result.split_date.isoformat(), board.result.n_test
    ('2026-03-01', 11588)
    >>> board.account.value == board.table_rows["customer_id"].iloc[0]
    True
    """

    def __init__(self, ledger: Ledger, *, split_date=None, model: DelinquencyModel | None = None, top: int = 20,
                 **params) -> None:
        self.ledger = ledger
        self.params = params
        self.top = top
        self._results: dict[dt.date, Backtest] = {}
        self.as_of = ledger.latest_date()
        days = split_dates(ledger)
        if not days:
            raise ArkitError("the risk page needs at least 8 months of history (6 to train, 2 to test)")
        default = pd.Timestamp(split_date).date() if split_date else days[max(0, len(days) - 6)]
        self.split = widgets.Dropdown(options=[(d.strftime("%d %b %Y"), d) for d in days], value=default,
                                      description="Split date").add_class("arkit-risk-split")
        self.summary = widgets.HTML().add_class("arkit-risk-summary")
        self.metrics = widgets.HTML().add_class("arkit-risk").add_class("arkit-risk-metrics")
        self.chart = widgets.Image(format="png", layout=widgets.Layout(width="460px")).add_class("arkit-risk-chart")
        self.drivers = widgets.HTML().add_class("arkit-risk").add_class("arkit-risk-drivers")
        self.status = widgets.HTML().add_class("arkit-risk-status")

        self.model = model or DelinquencyModel(**params).fit_ledger(ledger)
        self.scores = self.model.predict_ledger(ledger, self.as_of, drivers=2)
        self.work = worklist(ledger, self.as_of, scores=self.scores)
        collectors = sorted(self.work["collector"].dropna().unique()) if "collector" in self.work else []
        self.collector = widgets.Dropdown(options=[ALL, *collectors], value=ALL, description="Collector")
        self.collector.add_class("arkit-risk-collector")
        self.account = widgets.Dropdown(description="Account").add_class("arkit-risk-account")
        self.table = widgets.HTML().add_class("arkit-risk").add_class("arkit-risk-worklist")
        self.invoices = widgets.HTML().add_class("arkit-risk").add_class("arkit-risk-invoices")
        self.table_rows = pd.DataFrame()

        self.split.observe(lambda _: self.refresh_backtest(), names="value")
        self.collector.observe(lambda _: self.refresh_worklist(), names="value")
        self.account.observe(lambda _: self.refresh_account(), names="value")
        card = self.model.card_
        super().__init__(children=[
            widgets.HTML(CSS + "<h2>Delinquency risk</h2><div>Late = paid more than "
                         f"{self.model.grace} day(s) after the due date.</div><h3>Backtest</h3>"),
            self.split, self.status, self.summary,
            widgets.HBox([self.metrics, self.chart, self.drivers]).add_class("arkit-risk-row"),
            widgets.HTML(f"<h3>Worklist on {self.as_of:%d %b %Y}</h3><div>Scored by a model trained on "
                         f"{card['n_train']:,} invoices dated {html.escape(card['trained_on'])}; amounts in "
                         f"{html.escape(ledger.currency)}.</div>"),
            self.collector, self.table, self.account, self.invoices,
        ])
        self.refresh_backtest()
        self.refresh_worklist()

    # ------------------------------------------------------------------------ backtest
    def backtest(self, split: dt.date) -> Backtest:
        """The backtest at ``split``, computed once per date."""
        if split not in self._results:
            self._results[split] = backtest(self.ledger, split, self.model.grace, **self.params)
        return self._results[split]

    def refresh_backtest(self) -> None:
        try:
            self.result = self.backtest(self.split.value)
        except ArkitError as exc:
            self.status.value = html.escape(str(exc))
            return
        self.status.value = ""
        r = self.result
        self.summary.value = (f"<p>Trained on {r.n_train:,} invoices dated before {r.split_date:%d %b %Y} "
                              f"({r.late_rate_train:.1%} paid late), tested on the {r.n_test:,} dated on or after "
                              f"it ({r.late_rate_test:.1%} late).</p>")
        scorers = {"Model": r.metrics, "Invoice fields alone": r.baselines["invoice_fields"],
                   "Customer's late share so far": r.baselines["late_share_rule"]}
        head = "".join(f"<th>{html.escape(name)}</th>" for name in scorers)
        rows = []
        for key, label in METRICS.items():
            values = [m[key] for m in scorers.values()]
            best = min(values) if key in LOWER_IS_BETTER else max(values)
            cells = "".join(f'<td class="num{" best" if v == best else ""}">{v:.3f}</td>' for v in values)
            rows.append(f"<tr><th>{label}</th>{cells}</tr>")
        self.metrics.value = f"<table><thead><tr><th></th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        p = r.predictions
        y = r.y_test
        self.chart.value = figure_png(plot_calibration({
            "model": r.calibration, "invoice fields alone": calibration_table(y, p["p_invoice_fields"]),
            "late share so far": calibration_table(y, p["late_share_rule"])}))
        top = r.importance(n_repeats=2).head(8)
        rows = "".join(f'<tr data-feature="{html.escape(f)}"><td>{html.escape(feature_name(f))}</td>'
                       f'<td class="num">{v:.3f}</td></tr>' for f, v in zip(top["feature"], top["importance"]))
        self.drivers.value = ("<table><thead><tr><th>Global driver</th><th>ROC AUC lost if shuffled</th></tr>"
                              f"</thead><tbody>{rows}</tbody></table>")

    # ------------------------------------------------------------------------ worklist
    def refresh_worklist(self) -> None:
        work = self.work
        if self.collector.value != ALL:
            work = work[work["collector"] == self.collector.value]
        self.table_rows = work.head(self.top)
        columns = [c for c in WORKLIST_COLUMNS if c in work.columns]
        head = "".join(f"<th>{WORKLIST_COLUMNS[c]}</th>" for c in columns)
        rows = []
        for record in self.table_rows[columns].to_dict("records"):
            cells = []
            for c in columns:
                value = record[c]
                if c == "p_delinquent":
                    cells.append(f'<td class="num">{value:.0%}</td>')
                elif isinstance(value, float):
                    cells.append(f'<td class="num">{"" if pd.isna(value) else _money(value)}</td>')
                else:
                    cells.append(f"<td>{html.escape(str(value))}</td>")
            rows.append(f'<tr data-customer-id="{html.escape(str(record["customer_id"]))}">{"".join(cells)}</tr>')
        self.table.value = (f"<p>{len(work):,} accounts need an action; the {len(self.table_rows)} most at stake:</p>"
                            f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")
        options = list(self.table_rows["customer_id"])
        self.account.options = options
        self.account.value = options[0] if options else None
        self.refresh_account()

    def refresh_account(self) -> None:
        customer = self.account.value
        if customer is None:
            self.invoices.value = "<p>No account in this selection.</p>"
            return
        mine = self.scores[self.scores["customer_id"] == customer].sort_values("p_late", ascending=False)
        rows = "".join(
            f"<tr><td>{html.escape(str(r.document_id))}</td><td>{r.due_date:%d %b %Y}</td>"
            f'<td class="num">{_money(r.amount)}</td><td class="num">{r.p_late:.0%}</td>'
            f"<td>{html.escape(r.drivers)}</td></tr>" for r in mine.itertuples())
        self.invoices.value = ("<table><thead><tr><th>Invoice</th><th>Due</th><th>Amount</th><th>P(late)</th>"
                               f"<th>Why</th></tr></thead><tbody>{rows}</tbody></table>")
