"""Seaborn charts drawn on their own Figure (never pyplot: dashboards redraw them in callbacks)."""

from __future__ import annotations

import io
from collections.abc import Sequence

import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from arkit.aging import DEFAULT_BUCKETS, bucket_labels

__all__ = ["plot_aging_buckets", "figure_png", "short_money"]


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
