"""The reconciliation page: two ledgers compared line by line, and the cash application of payments.

Widgets only: :func:`arkit._reconcile.compare_snapshots` of two month-end open-item snapshots of
the ledger, or :func:`arkit._reconcile.reconcile` of two uploaded files (each loaded with
:func:`arkit.load`, so every loader rule and error applies); :func:`arkit.cashapp.apply_cash`
of the payments file. Results download as CSV (data-URI links; capped at 2 MB, beyond which the
page says to use ``arkit reconcile`` / ``arkit cashapp``).
"""

from __future__ import annotations

import base64
import html
import os
import tempfile
from pathlib import Path

import ipywidgets as widgets
import pandas as pd

from arkit.aging import age
from arkit.cashapp import CashApplication, apply_cash
from arkit.config import SAMPLES_DIR
from arkit.errors import ArkitError
from arkit.rendering.safety import protect_formulas
from arkit.ledger import Ledger
from arkit.loaders import LoadResult, load
from arkit._reconcile import STATUSES, ReconcileResult, compare_snapshots, reconcile

__all__ = ["ReconciliationDashboard", "download_link", "payments_from_environment"]

ALL = "All"
SNAPSHOTS, FILES = "Month-end snapshots", "Two files"
MAX_DOWNLOAD = 2_000_000
MAX_UPLOAD = 9_000_000  # one websocket message is capped at 10 MiB
ROWS = 50
CSS = """
<style>
.arkit-rec table { border-collapse: collapse; font-size: 13px; }
.arkit-rec th, .arkit-rec td { padding: 3px 9px; border-bottom: 1px solid #d8dee4; text-align: left; }
.arkit-rec td.num { text-align: right; font-variant-numeric: tabular-nums; }
.arkit-rec-status { color: #cf222e; }
.arkit-rec-row { gap: 16px; flex-wrap: wrap; align-items: center; }
</style>
"""


def download_link(frame: pd.DataFrame, filename: str, label: str) -> str:
    """An ``<a download>`` link holding ``frame`` as CSV (formula-looking text protected), or a
    note when the CSV is over 2 MB.

    Examples
    --------
    >>> download_link(pd.DataFrame({"a": ["=1+2"]}), "x.csv", "Download")[:60]
    '<a class="arkit-download" download="x.csv" href="data:text/c'
    """
    data = protect_formulas(frame).to_csv(index=False, lineterminator="\n", float_format="%.2f").encode("utf-8")
    if len(data) > MAX_DOWNLOAD:
        return (f"<span>{len(frame):,} rows ({len(data) / 1e6:.1f} MB) are too many to download here: "
                "use the command line (arkit reconcile ... -o FILE, arkit cashapp ... -o FILE).</span>")
    encoded = base64.b64encode(data).decode("ascii")
    return (f'<a class="arkit-download" download="{html.escape(filename)}" '
            f'href="data:text/csv;base64,{encoded}">{html.escape(label)}</a>')


def payments_from_environment() -> Path | None:
    """The payments file the page shows: ``ARKIT_PAYMENTS``, else the sample's week of bank
    receipts when the page shows the sample ledger (no ``ARKIT_LEDGER``), else none."""
    if os.environ.get("ARKIT_PAYMENTS"):
        return Path(os.environ["ARKIT_PAYMENTS"])
    return None if os.environ.get("ARKIT_LEDGER") else SAMPLES_DIR / "bank" / "payments.csv"


def _table(frame: pd.DataFrame, classes: str = "") -> str:
    if frame.empty:
        return "<p>Nothing here.</p>"
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = []
    for record in frame.to_dict("records"):
        cells = []
        for value in record.values():
            if isinstance(value, float):
                cells.append(f'<td class="num">{"" if pd.isna(value) else f"{value:,.2f}"}</td>')
            elif isinstance(value, pd.Timestamp):
                cells.append(f"<td>{value:%Y-%m-%d}</td>")
            else:
                cells.append(f"<td>{html.escape('' if value is None or value is pd.NA else str(value))}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return f'<table class="{classes}"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _month_ends(ledger: Ledger) -> list:
    first = pd.Timestamp(ledger.items["doc_date"].min())
    ends = pd.date_range(first, pd.Timestamp(ledger.latest_date()), freq="ME")
    return [d.date() for d in ends]


class ReconciliationDashboard(widgets.VBox):
    """Reconciliation page: the mode (month-end snapshots of the ledger, or two uploaded files)
    and its inputs drive the status counts, the per-customer explanation and the lines (by
    status), each downloadable; below, the cash application of ``payments`` against the ledger.

    Examples
    --------
    >>> from arkit import load_ledger
    >>> from arkit.config import SAMPLES_DIR
    >>> board = ReconciliationDashboard(load_ledger(SAMPLES_DIR), SAMPLES_DIR / "bank" / "payments.csv")
    >>> board.result.counts["missing_left"] > 0, board.cash.summary()["payments"]
    (True, 601)
    """

    def __init__(self, ledger: Ledger, payments=None) -> None:
        self.ledger = ledger
        ends = _month_ends(ledger)
        self.mode = widgets.ToggleButtons(options=[SNAPSHOTS, FILES], value=SNAPSHOTS).add_class("arkit-rec-mode")
        options = [(d.strftime("%d %b %Y"), d) for d in ends]
        self.previous = widgets.Dropdown(options=options, value=ends[-2] if len(ends) > 1 else ends[-1],
                                         description="Previous").add_class("arkit-rec-previous")
        self.current = widgets.Dropdown(options=options, value=ends[-1], description="Current")
        self.current.add_class("arkit-rec-current")
        self.left_file = widgets.FileUpload(accept=".csv,.txt,.xlsx,.parquet,.gz", description="Left file")
        self.right_file = widgets.FileUpload(accept=".csv,.txt,.xlsx,.parquet,.gz", description="Right file")
        self.left_file.add_class("arkit-rec-left-file")
        self.right_file.add_class("arkit-rec-right-file")
        self.tolerance = widgets.BoundedFloatText(value=0.0, min=0, max=1e9, step=0.01, description="Tolerance")
        self.compare = widgets.Button(description="Compare", button_style="primary").add_class("arkit-rec-compare")
        self.files_box = widgets.HBox([self.left_file, self.right_file, self.tolerance, self.compare])
        self.files_box.add_class("arkit-rec-row")
        self.snapshot_box = widgets.HBox([self.previous, self.current]).add_class("arkit-rec-row")
        self.status = widgets.HTML().add_class("arkit-rec-status")
        self.counts = widgets.HTML().add_class("arkit-rec").add_class("arkit-rec-counts")
        self.summary = widgets.HTML().add_class("arkit-rec").add_class("arkit-rec-summary")
        self.which = widgets.Dropdown(options=[ALL, *STATUSES], value=ALL, description="Lines")
        self.which.add_class("arkit-rec-which")
        self.lines = widgets.HTML().add_class("arkit-rec").add_class("arkit-rec-lines")
        self.downloads = widgets.HTML().add_class("arkit-rec-downloads")
        self.cash_view = widgets.HTML().add_class("arkit-rec").add_class("arkit-cash-summary")
        self.cash_which = widgets.Dropdown(options=["suggested", "unapplied", "unidentified", "applied"],
                                           value="suggested", description="Payments").add_class("arkit-cash-which")
        self.cash_table = widgets.HTML().add_class("arkit-rec").add_class("arkit-cash-table")
        self.result: ReconcileResult | None = None
        self.cash: CashApplication | None = None

        self.mode.observe(lambda _: self._mode_changed(), names="value")
        for control in (self.previous, self.current):
            control.observe(lambda _: self.refresh_snapshots(), names="value")
        self.compare.on_click(lambda _: self.refresh_files())
        self.which.observe(lambda _: self._show_lines(), names="value")
        self.cash_which.observe(lambda _: self._show_cash(), names="value")
        self.inputs = widgets.VBox([self.snapshot_box])
        children = [
            widgets.HTML(CSS + "<h2>Reconciliation</h2><div>Month-end snapshots compare the open items of two "
                         "month ends (new, gone, changed); two files are compared line by line (ours against "
                         "a customer's statement, the subledger against the GL) after normalizing the "
                         "document numbers.</div>"),
            self.mode, self.inputs, self.status, self.counts, self.summary, self.which, self.lines, self.downloads,
        ]
        if payments is not None:
            children += [widgets.HTML("<h2>Cash application</h2>"), self.cash_view, self.cash_which, self.cash_table]
        super().__init__(children=children)
        self.refresh_snapshots()
        if payments is not None:
            self.apply_payments(payments)

    # -------------------------------------------------------------------- reconciliation
    def _mode_changed(self) -> None:
        self.inputs.children = [self.snapshot_box] if self.mode.value == SNAPSHOTS else [self.files_box]
        if self.mode.value == SNAPSHOTS:
            self.refresh_snapshots()

    def refresh_snapshots(self) -> None:
        previous, current = self.previous.value, self.current.value
        if previous >= current:
            self.status.value = "Choose a previous month end before the current one."
            return
        keep = ["document_id", "customer_id", "open_amount"]
        self.result = compare_snapshots(age(self.ledger, previous)[keep], age(self.ledger, current)[keep])
        self.status.value = ""
        self._show(f"Open items on {previous:%d %b %Y} against {current:%d %b %Y}")

    def _read(self, upload: widgets.FileUpload, side: str) -> LoadResult:
        if not upload.value:
            raise ArkitError(f"choose the {side} file first")
        item = upload.value[0]
        if item["size"] > MAX_UPLOAD:
            raise ArkitError(f"{item['name']} is {item['size'] / 1e6:.0f} MB: use `arkit reconcile` for files this big")
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / Path(item["name"]).name
            path.write_bytes(bytes(item["content"]))
            loaded = load(path)
        report = loaded.report
        if report.rows_rejected:  # say so: a rejected line would show as missing on that side
            first = report.rejects.iloc[0]
            repeats = f"; the {len(loaded.duplicates)} repeat(s) among them are duplicate lines" \
                if len(loaded.duplicates) else ""
            self.warnings.append(f"{item['name']}: {report.rows_rejected} row(s) rejected and left out (first: "
                                 f"line {first['line']}, column {first['column']}: {first['reason']}){repeats}")
        return loaded  # with the rows set aside as repeats: reconcile shows them as duplicates

    def refresh_files(self) -> None:
        self.warnings: list[str] = []
        try:
            left, right = self._read(self.left_file, "left"), self._read(self.right_file, "right")
            self.result = reconcile(left, right, tolerance=float(self.tolerance.value))
        except ArkitError as exc:
            self.status.value = html.escape(str(exc))
            return
        self.status.value = "<br>".join(html.escape(w) for w in self.warnings)
        names = self.left_file.value[0]["name"], self.right_file.value[0]["name"]
        self._show(f"{names[0]} (left) against {names[1]} (right)")

    def _show(self, title: str) -> None:
        result = self.result
        counts = result.counts
        cells = "".join(f'<tr data-status="{s}"><td>{s}</td><td class="num">{n:,}</td></tr>' for s, n in counts.items())
        self.counts.value = f"<h3>{html.escape(title)}</h3><table><tbody>{cells}</tbody></table>"
        top = result.summary.head(15)
        self.summary.value = "<h3>Largest differences by customer</h3>" + _table(top)
        self._show_lines()
        self.downloads.value = (download_link(result.lines.assign(status=result.lines["status"].astype(str)),
                                              "differences.csv", "Download every line (CSV)") + " &nbsp; "
                                + download_link(result.summary, "by_customer.csv", "Download by customer (CSV)"))

    def _show_lines(self) -> None:
        if self.result is None:
            return
        lines = self.result.lines
        if self.which.value != ALL:
            lines = lines[lines["status"] == self.which.value]
        shown = lines.reindex(lines["difference"].abs().sort_values(ascending=False, kind="stable").index).head(ROWS)
        shown = shown.assign(status=shown["status"].astype(str))
        self.lines.value = f"<p>{len(lines):,} lines; the {len(shown)} largest differences:</p>" + _table(shown)

    # ------------------------------------------------------------------ cash application
    def apply_payments(self, payments) -> None:
        """Apply ``payments`` (a file or a frame in the payments layout) to the ledger."""
        from arkit.loaders.bank import read_payments

        try:
            frame = read_payments(payments) if isinstance(payments, (str, Path)) else payments
            self.cash = apply_cash(frame, self.ledger)
        except ArkitError as exc:
            self.cash_view.value = f'<p class="arkit-rec-status">{html.escape(str(exc))}</p>'
            return
        s = self.cash.summary()
        rate = s["auto_applied"] / s["payments"] if s["payments"] else 0.0
        self.cash_view.value = (
            f"<p>{s['payments']:,} payments: <b>{s['auto_applied']:,} applied automatically</b> ({rate:.1%}, "
            f"{s['amount_applied']:,.2f}), {s['suggested']:,} with suggestions to review, {s['unapplied']:,} "
            f"unapplied (customer known), {s['unidentified']:,} unidentified; {s['amount_unapplied']:,.2f} not "
            f"applied. Deductions to investigate {s['deductions']:,.2f}; credits on account {s['credits']:,.2f}.</p>"
            + download_link(self.cash.allocations, "matches.csv", "Download the matches (CSV)"))
        self._show_cash()

    def _show_cash(self) -> None:
        if self.cash is None:
            return
        p = self.cash.payments
        chosen = p[p["status"] == self.cash_which.value]
        columns = ["payment_id", "date", "amount", "payer_name", "remittance", "matched_customer", "rule", "confidence"]
        allocations = self.cash.allocations.groupby("payment_id")["document_id"].agg(", ".join)
        shown = chosen[columns].head(ROWS).assign(documents=lambda f: f["payment_id"].map(allocations).fillna(""))
        self.cash_table.value = f"<p>{len(chosen):,} payments {self.cash_which.value}:</p>" + _table(shown)
