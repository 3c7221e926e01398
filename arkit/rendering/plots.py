"""Seaborn charts drawn on their own Figure (never pyplot: dashboards redraw them in callbacks)."""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

from arkit.aging import DEFAULT_BUCKETS, bucket_labels
from arkit.errors import ArkitError

__all__ = ["plot_aging_buckets", "plot_aging_trend", "plot_dso_cei", "plot_bucket_mix", "plot_kpi_trend",
           "plot_calibration", "figure_png", "short_money", "KPI_LABELS"]

#: Display name and unit of each column of :func:`arkit._kpis.kpis`.
KPI_LABELS = {
    "dso": ("DSO", "days"),
    "countback_dso": ("Countback DSO", "days"),
    "best_possible_dso": ("Best possible DSO", "days"),
    "average_days_delinquent": ("Average days delinquent", "days"),
    "cei": ("CEI", "%"),
    "pct_current": ("Current", "% of AR"),
    "pct_past_due": ("Past due", "% of AR"),
    "ar_turnover": ("AR turnover", "times a year"),
    "bad_debt_ratio": ("Bad debt", "% of sales"),
    "avg_days_to_pay": ("Average days to pay", "days"),
    "avg_days_late": ("Average days late", "days"),
    "weighted_days_late": ("Amount-weighted days late", "days"),
}


def short_money(value: float) -> str:
    """Compact money for chart labels.

    Examples
    --------
    >>> short_money(1_234_567), short_money(-45_600), short_money(980)
    ('1.23M', '-45.6K', '980')
    """
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(value) >= size:
            return f"{value / size:.3g}{suffix}"
    return f"{value:.0f}"


def plot_aging_buckets(summary: pd.DataFrame, buckets: Sequence[int] = DEFAULT_BUCKETS,
                       currency: str = "", title: str = "Open balance by aging bucket") -> Figure:
    """Bar chart of one aging summary row (``summarize_aging(aged, by=None)``), current to oldest.

    Examples
    --------
    >>> row = pd.DataFrame([{"current": 500.0, "1-30": 120.0, "31-60": 40.0, "61-90": 0.0,
    ...                      "91-120": 0.0, "120+": 75.5, "total": 735.5}])
    >>> fig = plot_aging_buckets(row, currency="USD")
    >>> [t.get_text() for t in fig.axes[0].get_xticklabels()]
    ['current', '1-30', '31-60', '61-90', '91-120', '120+']
    """
    labels = bucket_labels(buckets)
    values = [float(summary[label].sum()) if len(summary) else 0.0 for label in labels]
    data = pd.DataFrame({"bucket": labels, "amount": values})
    fig = Figure(figsize=(7.5, 3.4), dpi=100, layout="constrained")
    ax = fig.subplots()
    palette = sns.color_palette("RdYlGn_r", n_colors=len(labels))
    sns.barplot(data=data, x="bucket", y="amount", hue="bucket", palette=palette, legend=False, ax=ax)
    for patch, value in zip(ax.patches, values):
        ax.annotate(short_money(value), (patch.get_x() + patch.get_width() / 2, max(value, 0)),
                    ha="center", va="bottom", fontsize=9)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: short_money(v)))
    ax.set(xlabel="days past due", ylabel=f"open amount {currency}".strip(), title=title)
    sns.despine(ax=ax)
    return fig


def figure_png(fig: Figure) -> bytes:
    """PNG bytes of a figure, for ``ipywidgets.Image`` or a report."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def _period_ticks(ax: Axes, period_end: pd.Series) -> None:
    """One tick per period end: month over year, or slanted "Nov 25" when there are many."""
    ends = pd.to_datetime(pd.Series(list(period_end)))
    many = len(ends) > 12
    style = "%b %y" if many else "%b\n%Y"
    labels = [d.strftime(style) if d.is_month_end else d.strftime("%d " + style) for d in ends]
    ax.set_xticks(range(len(labels)), labels, rotation=45 if many else 0, ha="right" if many else "center",
                  fontsize=8.5, rotation_mode="anchor" if many else "default")
    ax.set_xlim(-0.6, max(len(labels), 1) - 0.4)
    ax.set_xlabel("month end")


def _per_period(trend: pd.DataFrame, labels: list[str]) -> pd.DataFrame:
    """Bucket amounts per period end, summed over groups, in period order."""
    missing = [c for c in ["period_end", *labels] if c not in trend.columns]
    if missing:
        raise ArkitError(f"the aging trend has no column {', '.join(missing)}; pass aging_trend(...) with the same buckets")
    frame = trend[["period_end", *labels]].copy()
    frame["period_end"] = pd.to_datetime(pd.Series(list(frame["period_end"]), index=frame.index))
    return frame.groupby("period_end", sort=True)[labels].sum().reset_index()


def _stacked_bars(ax: Axes, values: pd.DataFrame, labels: list[str]) -> None:
    """Stack each bucket on the previous one, current at the bottom. Credits that make a
    bucket negative stack below zero, so every bar's height is exactly its bucket's value."""
    colors = sns.color_palette("RdYlGn_r", n_colors=len(labels))
    x = np.arange(len(values))
    above, below = np.zeros(len(values)), np.zeros(len(values))
    for label, color in zip(labels, colors):
        heights = values[label].to_numpy(dtype=float)
        bottoms = np.where(heights >= 0, above, below)
        ax.bar(x, heights, bottom=bottoms, width=0.8, color=color, label=label, edgecolor="white", linewidth=0.4)
        above, below = np.where(heights >= 0, above + heights, above), np.where(heights < 0, below + heights, below)
    ax.axhline(0, color="#57606a", linewidth=0.6)
    handles, names = ax.get_legend_handles_labels()
    # Oldest on top in the legend, as in the stack.
    ax.legend(handles[::-1], names[::-1], title="days past due", loc="upper left", bbox_to_anchor=(1.01, 1),
              fontsize=8.5, title_fontsize=8.5, frameon=False)


def plot_aging_trend(trend: pd.DataFrame, buckets: Sequence[int] = DEFAULT_BUCKETS, currency: str = "",
                     title: str = "Open AR by aging bucket at each month end") -> Figure:
    """Stacked bars of the aging buckets at each period end (``aging_trend``), current at the bottom.

    Rows of several groups are summed per period end. The total is written above the last bar.

    Examples
    --------
    >>> trend = pd.DataFrame({"period_end": pd.to_datetime(["2026-09-30", "2026-10-31"]),
    ...     "current": [900.0, 800.0], "1-30": [50.0, 120.0], "31-60": [10.0, 30.0], "61-90": [0.0, 5.0],
    ...     "91-120": [0.0, 0.0], "120+": [20.0, 25.0], "total": [980.0, 980.0]})
    >>> fig = plot_aging_trend(trend, currency="USD")
    >>> [t.get_text() for t in fig.axes[0].get_xticklabels()], fig.axes[0].get_ylabel()
    (['Sep\\n2026', 'Oct\\n2026'], 'open amount (USD)')
    >>> [float(bars.patches[-1].get_height()) for bars in fig.axes[0].containers]
    [800.0, 120.0, 30.0, 5.0, 0.0, 25.0]
    """
    labels = bucket_labels(buckets)
    values = _per_period(trend, labels)
    fig = Figure(figsize=(6.6, 3.3), dpi=100, layout="constrained")
    ax = fig.subplots()
    _stacked_bars(ax, values, labels)
    if len(values):
        total = float(values[labels].iloc[-1].sum())
        top = float(values[labels].iloc[-1].clip(lower=0).sum())
        ax.annotate(short_money(total), (len(values) - 1, top), ha="center", va="bottom", fontsize=8.5,
                    xytext=(0, 2), textcoords="offset points")
    _period_ticks(ax, values["period_end"])
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: short_money(v)))
    ax.set_ylabel(f"open amount ({currency})" if currency else "open amount")
    ax.set_title(title, fontsize=11, loc="left")
    sns.despine(ax=ax)
    return fig


def plot_bucket_mix(trend: pd.DataFrame, buckets: Sequence[int] = DEFAULT_BUCKETS,
                    title: str = "Aging mix: share of open AR in each bucket") -> Figure:
    """100% stacked bars: each bucket's share of the open balance at each period end.

    A period whose open balance is zero or negative has no mix and is left empty. The past-due
    share (100 - current) is written above each bar.

    Examples
    --------
    >>> trend = pd.DataFrame({"period_end": pd.to_datetime(["2026-09-30", "2026-10-31"]),
    ...     "current": [900.0, 750.0], "1-30": [50.0, 150.0], "31-60": [50.0, 100.0], "61-90": [0.0, 0.0],
    ...     "91-120": [0.0, 0.0], "120+": [0.0, 0.0], "total": [1000.0, 1000.0]})
    >>> fig = plot_bucket_mix(trend)
    >>> [round(float(bars.patches[-1].get_height()), 1) for bars in fig.axes[0].containers]
    [75.0, 15.0, 10.0, 0.0, 0.0, 0.0]
    >>> fig.axes[0].get_ylabel()
    'share of open AR (%)'
    """
    labels = bucket_labels(buckets)
    values = _per_period(trend, labels)
    totals = values[labels].sum(axis=1)
    shares = values.copy()
    shares[labels] = values[labels].div(totals.where(totals > 0), axis=0).mul(100).fillna(0.0)
    fig = Figure(figsize=(6.6, 3.3), dpi=100, layout="constrained")
    ax = fig.subplots()
    _stacked_bars(ax, shares, labels)
    for x, (share_current, total) in enumerate(zip(shares[labels[0]], totals)):
        if total > 0:
            ax.annotate(f"{100 - share_current:.0f}%", (x, 100), ha="center", va="bottom", fontsize=7.5,
                        color="#57606a", xytext=(0, 1), textcoords="offset points")
    _period_ticks(ax, values["period_end"])
    lowest = float(shares[labels].clip(upper=0).sum(axis=1).min()) if len(shares) else 0.0
    ax.set_ylim(min(0.0, lowest * 1.1), 108)
    ax.yaxis.set_major_formatter(PercentFormatter(100, decimals=0))
    ax.set_ylabel("share of open AR (%)")
    ax.set_title(title + " (past due % on top)", fontsize=11, loc="left")
    sns.despine(ax=ax)
    return fig


def _one_series(kpis: pd.DataFrame) -> pd.DataFrame:
    frame = kpis.copy()
    frame["period_end"] = pd.to_datetime(pd.Series(list(frame["period_end"]), index=frame.index))
    if frame["period_end"].duplicated().any():
        raise ArkitError("these KPIs hold several groups per period end: select one group (rows of one "
                         "customer, region, ...) or compute kpis(ledger, by=None)")
    return frame.sort_values("period_end").reset_index(drop=True)


def plot_dso_cei(kpis: pd.DataFrame, title: str = "DSO and collection effectiveness (CEI)") -> Figure:
    """DSO, best possible DSO and countback DSO in days (left axis) and CEI in % (right axis),
    at each period end of one group's ``kpis``. The band between DSO and best possible DSO is
    the average days delinquent.

    Examples
    --------
    >>> kpis = pd.DataFrame({"period_end": pd.to_datetime(["2026-09-30", "2026-10-31"]),
    ...     "dso": [25.7, 28.5], "best_possible_dso": [22.2, 23.3], "countback_dso": [25.7, 28.5],
    ...     "cei": [88.8, 86.8]})
    >>> fig = plot_dso_cei(kpis)
    >>> days, cei = fig.axes
    >>> [line.get_label() for line in days.get_lines()], days.get_ylabel(), cei.get_ylabel()
    (['DSO', 'Best possible DSO', 'Countback DSO'], 'days', 'CEI (%)')
    >>> [float(y) for y in cei.get_lines()[0].get_ydata()]
    [88.8, 86.8]
    """
    frame = _one_series(kpis)
    x = np.arange(len(frame))
    fig = Figure(figsize=(6.6, 3.3), dpi=100, layout="constrained")
    days = fig.subplots()
    dso, best = frame["dso"].astype(float), frame["best_possible_dso"].astype(float)
    days.fill_between(x, best, dso, color="#f4a582", alpha=0.35, linewidth=0, label="Days delinquent (ADD)")
    days.plot(x, dso, color="#b2182b", marker="o", markersize=3.5, linewidth=2, label="DSO")
    days.plot(x, best, color="#1a9850", marker="o", markersize=3.5, linewidth=1.6, label="Best possible DSO")
    # Countback equals DSO whenever AR is below the last month's sales: dashed, so both show.
    days.plot(x, frame["countback_dso"].astype(float), color="#2c3e50", linestyle=(0, (4, 3)), linewidth=1.2,
              label="Countback DSO")
    days.set_ylabel("days")
    # DSO in the lower part of the chart, CEI in the upper part, so the two scales never cross.
    dso_top = float(np.nanmax([dso.max(), best.max(), 1.0])) if len(frame) else 1.0
    days.set_ylim(0, dso_top * 1.75)
    cei = days.twinx()
    cei.plot(x, frame["cei"].astype(float), color="#5e3c99", marker="s", markersize=3.5, linewidth=1.6,
             label="CEI (right axis)")
    cei.set_ylabel("CEI (%)")
    known = frame["cei"].dropna().astype(float)
    low, high = (float(known.min()), max(100.0, float(known.max()))) if len(known) else (50.0, 100.0)
    top = high + 2
    cei.set_ylim(low - (top - low) * 1.6 - 1, top)
    cei.yaxis.set_major_formatter(PercentFormatter(100, decimals=0))
    _period_ticks(days, frame["period_end"])
    handles, names = [sum(pair, []) for pair in zip(days.get_legend_handles_labels(),
                                                    cei.get_legend_handles_labels())]
    fig.legend(handles, names, loc="outside lower center", ncol=3, fontsize=8, frameon=False)
    days.set_title(title, fontsize=11, loc="left")
    days.spines["top"].set_visible(False)
    cei.spines["top"].set_visible(False)
    return fig


def plot_kpi_trend(kpis: pd.DataFrame, kpi: str = "dso", by: str | None = None, highlight=None,
                   title: str | None = None) -> Figure:
    """One KPI of ``kpis`` over the period ends: one line per value of ``by`` (or one line), with
    ``highlight`` drawn bold and the others thin.

    Examples
    --------
    >>> kpis = pd.DataFrame({"region": ["East", "East", "West", "West"],
    ...     "period_end": pd.to_datetime(["2026-09-30", "2026-10-31"] * 2), "cei": [88.0, 86.0, 91.0, 93.5]})
    >>> fig = plot_kpi_trend(kpis, "cei", by="region", highlight="West")
    >>> [(line.get_label(), line.get_linewidth()) for line in fig.axes[0].get_lines()]
    [('East', 1.2), ('West', 2.6)]
    >>> fig.axes[0].get_ylabel()
    'CEI (%)'
    """
    name, unit = KPI_LABELS.get(kpi, (kpi, ""))
    fig = Figure(figsize=(6.6, 3.3), dpi=100, layout="constrained")
    ax = fig.subplots()
    frame = kpis.copy()
    frame["period_end"] = pd.to_datetime(pd.Series(list(frame["period_end"]), index=frame.index))
    ends = sorted(frame["period_end"].unique())
    position = {end: i for i, end in enumerate(ends)}
    groups = [(None, frame)] if by is None else list(frame.groupby(by, sort=True))
    colors = sns.color_palette("colorblind", n_colors=max(len(groups), 1))
    for (group, rows), color in zip(groups, colors):
        rows = rows.sort_values("period_end")
        bold = highlight is None or group == highlight
        ax.plot([position[e] for e in rows["period_end"]], rows[kpi].astype(float), marker="o",
                markersize=3.5 if bold else 2, linewidth=2.6 if bold and by is not None else 1.2 if by else 2,
                alpha=1.0 if bold else 0.45, color=color, label=name if group is None else str(group))
    _period_ticks(ax, pd.Series(ends))
    ax.set_ylabel(f"{name} ({unit})" if unit else name)
    ax.set_title(title or (f"{name} by {by}" if by else name), fontsize=11, loc="left")
    if by is not None:
        ax.legend(title=by, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8.5, title_fontsize=8.5,
                  frameon=False)
    sns.despine(ax=ax)
    return fig


def plot_calibration(tables: dict[str, pd.DataFrame], title: str = "Calibration: predicted against observed") -> Figure:
    """Observed late rate against mean predicted probability per bin, one line per scorer
    (:func:`arkit.risk.calibration_table`), beside the diagonal of perfect calibration.

    Examples
    --------
    >>> table = pd.DataFrame({"bin": [1, 2], "mean_predicted": [0.2, 0.7], "observed_rate": [0.25, 0.65],
    ...                       "count": [50, 50]})
    >>> fig = plot_calibration({"model": table})
    >>> [line.get_label() for line in fig.axes[0].get_lines()]
    ['perfectly calibrated', 'model']
    """
    fig = Figure(figsize=(4.6, 4.0), dpi=100, layout="constrained")
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1], color="#8c959f", linestyle=(0, (4, 3)), linewidth=1, label="perfectly calibrated")
    palette = sns.color_palette("colorblind", len(tables))
    for (name, table), color in zip(tables.items(), palette):
        ax.plot(table["mean_predicted"], table["observed_rate"], marker="o", markersize=4, linewidth=1.6,
                color=color, label=name)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.xaxis.set_major_formatter(PercentFormatter(1, decimals=0))
    ax.yaxis.set_major_formatter(PercentFormatter(1, decimals=0))
    ax.set_xlabel("predicted probability of paying late (bin mean)")
    ax.set_ylabel("observed share paid late")
    ax.legend(fontsize=8, frameon=False, loc="upper left")
    ax.set_title(title, fontsize=11, loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    return fig
