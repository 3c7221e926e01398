"""Ledger diff: arkit's ``reconcile`` beside datacompy on the same frames, in the same run.

    python benchmarks/bench_reconcile.py [--rows 1000000] [--customers 20000] [--runs 3]

Synthetic ledgers. ``left`` is an ERP's items (ids written ``INV-00123456``); ``right`` is the
same ledger as another system exports it: its ids written in other forms (``123456``,
``inv 123456``, ``#00123456``, ``INV-00123456``), rows shuffled, and perturbed: 2% of the left's
rows missing, 2% rows of its own, 1% amounts changed by 1.00-500.00, 1% amounts off by
0.01-0.03 (within the tolerance of 0.05), 0.5% dates moved 1-10 days, and a few documents
written twice on one side (50 per side, the second copy in another id form).

datacompy (``datacompy.PandasCompare``, its pandas ``Compare``) gets the same rows with the key
already normalized by :func:`arkit._reconcile.normalize_keys` (not timed: datacompy cannot
normalize prefixes or zeros), joined on it with ``abs_tol=0.05``; arkit is timed twice: on the
raw ids (normalizing them itself) and on the same normalized frames as datacompy
(``normalize=False``). The verdicts must agree: matched, amount mismatch, date mismatch (all
of a row's columns agree, its amount does not, only its date does not), only in left, only in
right. datacompy pairs the copies of a duplicated key in row order; arkit pairs none and calls
every copy a duplicate: those keys are compared apart (the same rows on each side).

Each figure is the best of ``--runs`` runs after a warm-up run, the tools taking turns (see
``timing.py``). Target: arkit at least 3x faster than datacompy.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import time

import datacompy
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from timing import best_of

from arkit._reconcile import normalize_keys, reconcile

TOLERANCE = 0.05
TARGET = 3.0
FIRST_DAY = (dt.date(2025, 9, 1) - dt.date(1970, 1, 1)).days


def _padded(numbers: np.ndarray, width: int) -> pa.Array:
    return pc.utf8_lpad(pc.cast(pa.array(numbers), pa.string()), width, "0")


def _written(numbers: np.ndarray, form: np.ndarray) -> pa.Array:
    """Document numbers written in one of four forms, by ``form`` (0-3)."""
    forms = [pc.binary_join_element_wise("INV-", _padded(numbers, 8), ""),
             pc.cast(pa.array(numbers), pa.string()),
             pc.binary_join_element_wise("inv ", pc.cast(pa.array(numbers), pa.string()), ""),
             pc.binary_join_element_wise("#", _padded(numbers, 8), "")]
    out = forms[0]
    for i in (1, 2, 3):
        out = pc.if_else(pa.array(form == i), forms[i], out)
    return out


def make_ledgers(rows: int, n_customers: int, seed: int = 11) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """The two ledgers (canonical pandas items) and the size of each perturbation."""
    rng = np.random.default_rng(seed)
    numbers = rng.permutation(np.arange(100_000, 100_000 + 2 * rows))
    customers = _padded(np.arange(10_001, 10_001 + n_customers), 7)
    left = {"number": numbers[:rows], "form": np.zeros(rows, np.int64),
            "customer": rng.integers(0, n_customers, rows), "day": FIRST_DAY + rng.integers(0, 400, rows),
            "cents": np.rint(rng.lognormal(7, 1.2, rows) * 100).astype(np.int64)}

    n_missing, n_new, n_copies = rows // 50, rows // 50, min(50, rows // 1000)
    kept = np.sort(rng.choice(rows, rows - n_missing, replace=False))
    right = {name: values[kept].copy() for name, values in left.items()}
    changed, rounded, moved = np.split(rng.permutation(len(kept))[: rows // 100 * 2 + rows // 200],
                                       [rows // 100, rows // 50])
    right["cents"][changed] += rng.choice([-1, 1], len(changed)) * rng.integers(100, 50_000, len(changed))
    right["cents"][rounded] += rng.choice([-3, -2, -1, 1, 2, 3], len(rounded))
    right["day"][moved] += rng.choice([-1, 1], len(moved)) * rng.integers(1, 11, len(moved))
    new = {"number": numbers[rows:rows + n_new], "form": np.zeros(n_new, np.int64),
           "customer": rng.integers(0, n_customers, n_new), "day": FIRST_DAY + rng.integers(0, 400, n_new),
           "cents": np.rint(rng.lognormal(7, 1.2, n_new) * 100).astype(np.int64)}
    right = {name: np.concatenate([right[name], new[name]]) for name in right}
    right["form"] = rng.choice(4, len(right["number"]), p=[0.3, 0.4, 0.2, 0.1])

    # Documents entered twice on one side: same amount and date, the id written in another form.
    for side in (left, right):
        copies = rng.choice(len(side["number"]), n_copies, replace=False)
        copy = {name: values[copies] for name, values in side.items()}
        copy["form"] = (copy["form"] + 1) % 4
        side.update({name: np.concatenate([side[name], copy[name]]) for name in side})
    shuffle = rng.permutation(len(right["number"]))
    right = {name: values[shuffle] for name, values in right.items()}

    def frame(side: dict) -> pd.DataFrame:
        return pd.DataFrame({
            "document_id": pd.array(_written(side["number"], side["form"]), dtype="str"),
            "customer_id": pd.array(customers.take(pa.array(side["customer"])), dtype="str"),
            "doc_date": side["day"].astype("datetime64[D]").astype("datetime64[s]"),
            "amount": side["cents"] / 100,
        })

    sizes = {"missing in right": n_missing, "new in right": n_new, "amounts changed": len(changed),
             "amounts off by 1-3 cents": len(rounded), "dates moved": len(moved), "copies per side": n_copies}
    return frame(left), frame(right), sizes


def with_normal_keys(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame datacompy gets: the key normalized the way arkit does, then the compared columns."""
    return pd.DataFrame({"key": normalize_keys(frame["document_id"]), "customer_id": frame["customer_id"],
                         "doc_date": frame["doc_date"], "amount": frame["amount"]})


def run_datacompy(left: pd.DataFrame, right: pd.DataFrame):
    # datacompy lowercases column names and adds and drops a column in its frames: give it shallow copies.
    return datacompy.PandasCompare(left.copy(deep=False), right.copy(deep=False), join_columns="key",
                                   abs_tol=TOLERANCE, df1_name="left", df2_name="right")


def datacompy_verdicts(compare, duplicated: pd.Series) -> dict[str, int]:
    """Rows of each verdict, keys duplicated on either side apart (their rows counted once each)."""
    both = compare.intersect_rows
    alone = ~both["key"].isin(duplicated)
    amount_ok, date_ok = both["amount_match"], both["doc_date_match"] & both["customer_id_match"]
    dup_rows = 2 * int((~alone).sum()) + sum(int(rows["key"].isin(duplicated).sum())
                                             for rows in (compare.df1_unq_rows, compare.df2_unq_rows))
    return {
        "matched": int((alone & amount_ok & date_ok).sum()),
        "amount_mismatch": int((alone & ~amount_ok).sum()),
        "date_mismatch": int((alone & amount_ok & ~date_ok).sum()),
        "missing_left": int((~compare.df2_unq_rows["key"].isin(duplicated)).sum()),
        "missing_right": int((~compare.df1_unq_rows["key"].isin(duplicated)).sum()),
        "duplicate": dup_rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    left, right, sizes = make_ledgers(args.rows, args.customers)
    left_normal, right_normal = with_normal_keys(left), with_normal_keys(right)
    gc.collect()
    options = {"tolerance": TOLERANCE, "date_window": 0}
    timing = best_of(
        args.runs,
        datacompy=lambda: run_datacompy(left_normal, right_normal),
        arkit=lambda: reconcile(left, right, **options),
        arkit_normalized=lambda: reconcile(left_normal, right_normal, key="key", normalize=False, **options),
    )
    (compare_s, compare), (arkit_s, result), (normal_s, normal_result) = (
        timing["datacompy"], timing["arkit"], timing["arkit_normalized"])
    del timing

    duplicated = result.lines.loc[result.lines["status"] == "duplicate", "key"].drop_duplicates()
    expected = datacompy_verdicts(compare, duplicated)
    got, got_normal = result.counts, normal_result.counts
    assert got == got_normal, f"arkit on raw and on normalized keys differ: {got} != {got_normal}"
    assert got == expected, f"arkit and datacompy differ:\n arkit     {got}\n datacompy {expected}"
    assert len(result.lines) == len(left) + len(right) - got["matched"] - got["amount_mismatch"] \
        - got["date_mismatch"], "every row of each side is on exactly one line"
    summary = result.summary
    cents = {c: np.rint(summary[c].to_numpy() * 100).astype(np.int64) for c in summary.columns[1:]}
    assert (sum(cents[s] for s in result.counts) == cents["difference"]).all(), "summary parts do not add up"
    assert cents["left_balance"].sum() == np.rint(left["amount"].to_numpy() * 100).astype(np.int64).sum()

    print(f"Ledger diff of {len(left):,} x {len(right):,} rows, {args.customers:,} customers, tolerance "
          f"{TOLERANCE}, date window 0; best of {args.runs} after a warm-up run; {time.strftime('%Y-%m-%d')}; "
          f"datacompy {datacompy.__version__}, pandas {pd.__version__}")
    print("perturbations: " + ", ".join(f"{name} {n:,}" for name, n in sizes.items()))
    print(f"{'tool':48s} {'seconds':>8s} {'vs datacompy':>13s}")
    print(f"{'datacompy PandasCompare (keys normalized, untimed)':48s} {compare_s:8.3f} {'1.00x':>13s}")
    for what, seconds in (("arkit reconcile (normalizing the raw ids)", arkit_s),
                          ("arkit reconcile (same frames as datacompy)", normal_s)):
        print(f"{what:48s} {seconds:8.3f} {compare_s / seconds:12.2f}x  "
              f"{'meets' if compare_s / seconds >= TARGET else 'misses'} {TARGET:.0f}x")
    print("verdicts (rows): " + ", ".join(f"{status} {n:,}" for status, n in got.items()))
    print("arkit and datacompy agree on every verdict; the summary parts add up to the cent.")


if __name__ == "__main__":
    main()
