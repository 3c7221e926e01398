"""Loading a 1,000,000-row ledger: arkit.load beside a hand-written pandas load and a typed Arrow read.

    python benchmarks/bench_load.py [--rows 1000000] [--runs 3] [--seed 7]

Synthetic open items as an ERP exports them (ten-digit document numbers and seven-digit
customer numbers with their leading zeros, three document types, ISO dates, amounts with two
decimals, two currencies, a reference), written twice: as CSV (all text) and as Parquet the way
a warehouse writes it (``date32`` dates, ``decimal128(18, 2)`` amounts, ``string`` ids).

Timed, in turns (best of ``--runs`` after a warm-up run; see ``timing.py``):

* **arkit**: ``arkit.load(path)``, which finds the header, reads every value, quarantines what it
  cannot read with its line and reason, finds repeated document ids, and counts rows and amounts;
* **hand pandas**: what a careful analyst writes by hand for the same job (:func:`hand_pandas`):
  read as text, ids kept as text, dates with the known format, amounts with the thousands and
  decimal rules, rows that fail set aside with their line, repeated ids found, rows and amounts
  counted. On Parquet, the same checks on the typed columns ``pandas.read_parquet`` gives;
* **typed Arrow**: the fastest honest read (:func:`typed_arrow`): ``pyarrow.csv`` with
  ``column_types`` (``date32``, ``decimal128(18, 2)``, ``string``) parsing in C++, or
  ``pyarrow.parquet.read_table``; then the exact decimal sum and the number of distinct ids. It
  stays an Arrow table: arkit hands back a pandas ledger, which this baseline does not pay for.
  The same read followed by ``to_pandas()`` is timed too and printed for information only.

Every figure is printed beside both baselines with the ratio and whether it meets its target;
arkit's row count and amount total must equal the baselines' to the cent, or the script stops. Targets (issue 10): arkit.load
faster than the hand pandas load, and at most 1.5x the typed Arrow read, on CSV and on Parquet.
"""

from __future__ import annotations

import argparse
import decimal
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from timing import best_of

from arkit import load

MONEY = pa.decimal128(18, 2)
TYPES = {"document_id": pa.string(), "customer_id": pa.string(), "doc_type": pa.string(),
         "doc_date": pa.date32(), "due_date": pa.date32(), "amount": MONEY, "currency": pa.string(),
         "reference": pa.string()}
MAX_RATIO_TO_ARROW = 1.5


def make_export(rows: int, seed: int = 7) -> pa.Table:
    """Open items as typed Arrow columns: string ids, date32 dates, decimal amounts."""
    rng = np.random.default_rng(seed)
    doc_day = (np.datetime64("2024-11-01") + rng.integers(0, 730, rows)).astype("datetime64[D]")
    due_day = doc_day + rng.choice([15, 30, 45, 60], rows)
    cents = np.rint(rng.lognormal(7, 1.2, rows) * 100).astype(np.int64)
    cents[rng.random(rows) < 0.05] *= -1  # credit memos and payments on account
    customers = pc.utf8_lpad(pc.cast(pa.array(rng.integers(0, 20_000, rows)), pa.string()), 7, "0")
    return pa.table({
        "document_id": pc.utf8_lpad(pc.cast(pa.array(np.arange(rows) * 7 + rng.integers(0, 7)), pa.string()), 10, "0"),
        "customer_id": customers,
        "doc_type": pa.array(rng.choice(["invoice", "payment", "credit_memo"], rows, p=[0.6, 0.35, 0.05])),
        "doc_date": pa.array(doc_day), "due_date": pa.array(due_day),
        "amount": pa.array(cents / 100).cast(MONEY),  # Arrow rounds each float to the nearest cent
        "currency": pa.array(rng.choice(["USD", "CAD"], rows, p=[0.9, 0.1])),
        "reference": pc.binary_join_element_wise("PO-", pc.utf8_lpad(pc.cast(pa.array(np.arange(rows) % 99991),
                                                                               pa.string()), 5, "0"), ""),
    }).cast(pa.schema(TYPES))


def hand_pandas(path: Path) -> tuple[int, decimal.Decimal, int]:
    """A careful analyst's load by hand: (rows loaded, amount loaded, rows set aside)."""
    if path.suffix == ".parquet":
        frame = pd.read_parquet(path)
        doc_date = pd.to_datetime(frame["doc_date"])
        due_date = pd.to_datetime(frame["due_date"])
        amount = frame["amount"].astype("float64")
        ids = frame["document_id"].astype("str").str.strip()
    else:
        frame = pd.read_csv(path, dtype="str", keep_default_na=False, engine="pyarrow")
        doc_date = pd.to_datetime(frame["doc_date"], format="%Y-%m-%d", errors="coerce")
        due_date = pd.to_datetime(frame["due_date"], format="%Y-%m-%d", errors="coerce")
        # thousands ',' and decimal '.': drop the separators, then read the number
        amount = pd.to_numeric(frame["amount"].str.strip().str.replace(",", "", regex=False), errors="coerce")
        ids = frame["document_id"].str.strip()
    customers = frame["customer_id"].astype("str").str.strip()
    frame = frame.assign(document_id=ids, customer_id=customers, doc_date=doc_date, due_date=due_date,
                         amount=amount.round(2), line=np.arange(2, len(frame) + 2))
    failed = (doc_date.isna() | amount.isna() | ids.eq("") | customers.eq("")
              | (due_date.isna() & frame["due_date"].notna()))
    repeated = ids.duplicated(keep="first") & ~failed
    set_aside = frame.loc[failed | repeated, ["line", "document_id"]]
    loaded = frame.loc[~(failed | repeated)]
    return len(loaded), _cents(loaded["amount"].sum()), len(set_aside)


def typed_arrow(path: Path, to_pandas: bool = False) -> tuple[int, decimal.Decimal, int]:
    """Typed columns parsed in C++: (rows, exact decimal sum, distinct ids). ``to_pandas`` also
    converts the table to a pandas frame (printed for information only: not the target's baseline)."""
    if path.suffix == ".parquet":
        table = pq.read_table(path)
    else:
        table = pa_csv.read_csv(path, convert_options=pa_csv.ConvertOptions(
            column_types=TYPES, strings_can_be_null=False))
    total = pc.sum(table["amount"]).as_py()
    distinct = pc.count_distinct(table["document_id"]).as_py()
    if to_pandas:
        table.to_pandas()
    return table.num_rows, total, distinct


def arkit_load(path: Path) -> tuple[int, decimal.Decimal, int]:
    report = load(path).report
    assert report.rows_read == report.rows_loaded + report.rows_rejected, report
    return report.rows_loaded, _cents(report.amount_loaded), report.rows_rejected


def _cents(amount: float) -> decimal.Decimal:
    return decimal.Decimal(f"{amount:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    table = make_export(args.rows, args.seed)
    with tempfile.TemporaryDirectory() as folder:
        csv_path, parquet_path = Path(folder) / "items.csv", Path(folder) / "items.parquet"
        pa_csv.write_csv(table, csv_path)
        pq.write_table(table, parquet_path)
        exact = pc.sum(table["amount"]).as_py()
        del table
        print(f"{args.rows:,} rows (amount {exact:,}), best of {args.runs} after a warm-up run, in turns")
        for label, path in (("CSV", csv_path), ("Parquet", parquet_path)):
            times = best_of(args.runs, hand=lambda: hand_pandas(path), arrow=lambda: typed_arrow(path),
                            arkit=lambda: arkit_load(path), arrow_pandas=lambda: typed_arrow(path, to_pandas=True))
            (hand_s, hand), (arrow_s, arrow), (arkit_s, ours) = times["hand"], times["arrow"], times["arkit"]
            assert arrow == (args.rows, exact, args.rows), arrow
            assert hand == (args.rows, exact, 0), hand
            assert ours == (args.rows, exact, 0), ours
            faster, within = arkit_s < hand_s, arkit_s <= MAX_RATIO_TO_ARROW * arrow_s
            print(f"  {label:8s} hand pandas {hand_s:6.2f} s   typed Arrow {arrow_s:6.2f} s   arkit.load {arkit_s:6.2f} s"
                  f"   = {arkit_s / hand_s:.2f}x hand ({'met' if faster else 'MISSED'}: below 1x),"
                  f" {arkit_s / arrow_s:.2f}x Arrow ({'met' if within else 'MISSED'}: at most {MAX_RATIO_TO_ARROW}x)")
            print(f"  {'':8s} for information, typed Arrow + to_pandas {times['arrow_pandas'][0]:6.2f} s"
                  f" (arkit.load {arkit_s / times['arrow_pandas'][0]:.2f}x that)")
        print(f"  rows and amounts equal to the cent: {args.rows:,} rows, {exact:,}")


if __name__ == "__main__":
    main()
