"""Loading a 1,000,000-row ledger: arkit.load beside a bare pandas read of the same file.

    python benchmarks/bench_load.py [--rows 1000000]

The baseline reads the file and nothing else (`pandas.read_csv(engine="pyarrow")`,
`pandas.read_parquet`); arkit also finds the header, parses and validates every value, applies
the mapping and writes the load report. Target: at most 50% on top of the baseline.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from arkit import load


def make_export(rows: int, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    doc = pd.Timestamp("2024-11-01") + pd.to_timedelta(rng.integers(0, 730, rows), unit="D")
    return pd.DataFrame({
        "document_id": [f"{i:010d}" for i in range(rows)],
        "customer_id": [f"{c:07d}" for c in rng.integers(0, 20_000, rows)],
        "doc_type": rng.choice(["invoice", "payment", "credit_memo"], rows, p=[0.6, 0.35, 0.05]),
        "doc_date": doc.strftime("%Y-%m-%d"),
        "due_date": (doc + pd.to_timedelta(rng.choice([15, 30, 45, 60], rows), unit="D")).strftime("%Y-%m-%d"),
        "amount": np.round(rng.lognormal(7, 1.2, rows), 2),
        "currency": rng.choice(["USD", "CAD"], rows, p=[0.9, 0.1]),
        "reference": [f"PO-{i % 99991:05d}" for i in range(rows)],
    })


def timed(fn, runs: int = 3):
    best, result = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    frame = make_export(args.rows)
    with tempfile.TemporaryDirectory() as folder:
        csv_path, parquet_path = Path(folder) / "items.csv", Path(folder) / "items.parquet"
        frame.to_csv(csv_path, index=False)
        # Parquet keeps types: dates as dates, amounts as numbers, as an ERP or warehouse writes it.
        frame.assign(doc_date=pd.to_datetime(frame["doc_date"]), due_date=pd.to_datetime(frame["due_date"])
                     ).to_parquet(parquet_path)
        print(f"{args.rows:,} rows, best of 3")
        for label, path, baseline in [
            ("CSV", csv_path, lambda: pd.read_csv(csv_path, engine="pyarrow", dtype="str")),
            ("Parquet", parquet_path, lambda: pd.read_parquet(parquet_path)),
        ]:
            base, _ = timed(baseline)
            took, result = timed(lambda: load(path))
            assert result.report.rows_loaded == args.rows, result.report
            print(f"  {label:8s} bare pandas read {base:7.2f} s   arkit.load {took:7.2f} s   "
                  f"(+{(took / base - 1) * 100:.0f}% on top; target at most +50%)")


if __name__ == "__main__":
    main()
