"""Regenerate the figures and the KPI table that the README shows, from the sample portfolio.

    .venv/bin/python scripts/readme_figures.py
"""

from pathlib import Path

from arkit import aging_summary, load_ledger
from arkit.config import SAMPLES_DIR
from arkit._kpis import kpis
from arkit.monthly import aging_trend
from arkit.rendering.plots import figure_png, plot_aging_buckets, plot_aging_trend, plot_bucket_mix, plot_dso_cei

IMAGES = Path(__file__).resolve().parent.parent / "docs" / "images"


def main() -> None:
    ledger = load_ledger(SAMPLES_DIR)
    trend = aging_trend(ledger, as_of="2026-10-31", months=12, currency="USD")
    table = kpis(ledger, as_of="2026-10-31", months=12)
    IMAGES.mkdir(parents=True, exist_ok=True)
    figures = {
        "aging-buckets.png": plot_aging_buckets(aging_summary(ledger, "2026-10-31", by=None, currency="USD"),
                                                currency="USD"),
        "aging-trend.png": plot_aging_trend(trend, currency="USD"),
        "dso-cei.png": plot_dso_cei(table),
        "bucket-mix.png": plot_bucket_mix(trend),
    }
    for name, figure in figures.items():
        (IMAGES / name).write_bytes(figure_png(figure))
    columns = ["period_end", "closing", "sales", "dso", "countback_dso", "best_possible_dso",
               "average_days_delinquent", "cei", "pct_past_due", "avg_days_late"]
    rows = table[columns].tail(6).round(1).astype({"period_end": "str"})
    print("| " + " | ".join(columns) + " |")
    print("|" + " --- |" * len(columns))
    for record in rows.to_dict("records"):
        print("| " + " | ".join(f"{v:,}" if isinstance(v, float) else str(v) for v in record.values()) + " |")


if __name__ == "__main__":
    main()
