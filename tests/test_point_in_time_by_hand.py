"""No look-ahead at a mid-history scoring date, checked against a plain re-implementation.

The documented rule (arkit/risk/point_in_time.py): an open invoice scored on ``as_of`` = D
sees the ledger as it stood at the *end* of D, so events dated D are known and events dated
D + 1 or later are not; a training row (an invoice issued on d) sees events dated before d.

Item 13 of issue 10: a planted bug letting scoring-time features see one day of the future
(681 of the sample's 1,940 open invoices changed) survived the suite. Here:

- the features at D equal the features computed on the history cut to what was known at D;
- rewriting everything dated D + 1 or later leaves them unchanged, while moving an event from
  D to D + 1 changes them (so the test can fail both ways);
- every feature equals a brute-force loop over the history (``_naive_open``), written from the
  module docstring, not from the code.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from arkit import ArkitError, Ledger
from arkit.risk import META_COLUMNS, features, open_features

START = dt.date(2025, 1, 1)
D = 120  # the scoring day, in days since START


def _date(day) -> pd.Timestamp:
    return pd.NaT if day is None or pd.isna(day) else pd.Timestamp(START + dt.timedelta(days=int(day)))


def history(seed: int) -> dict[str, pd.DataFrame]:
    """A random history of four customers around day D, in day numbers, with events planted on D and D + 1."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(4):
        for k in range(int(rng.integers(20, 28))):
            doc = int(rng.integers(0, 180))
            rows.append({"document_id": f"INV{c}{k:02d}", "customer_id": f"C{c}", "doc": doc,
                         "doc_type": "debit_memo" if rng.random() < 0.15 else "invoice",
                         "due": doc + int(rng.choice([0, 15, 30, 45])),
                         "settled": doc + int(rng.integers(0, 90)) if rng.random() < 0.8 else None,
                         "amount": round(float(rng.uniform(20, 5000)), 2)})
    # Planted on the edges (customer C0): settled on D (known), settled on D + 1 (not yet), issued
    # on D (scored) and on D + 1 (not yet), due on D (not past due at its end) and on D - 1 (past due).
    rows += [
        {"document_id": "EDGE_PAID_D", "customer_id": "C0", "doc": D - 40, "doc_type": "invoice", "due": D - 10,
         "settled": D, "amount": 111.11},
        {"document_id": "EDGE_PAID_D1", "customer_id": "C0", "doc": D - 40, "doc_type": "invoice", "due": D - 10,
         "settled": D + 1, "amount": 222.22},
        {"document_id": "EDGE_ISSUED_D", "customer_id": "C0", "doc": D, "doc_type": "invoice", "due": D + 30,
         "settled": None, "amount": 333.33},
        {"document_id": "EDGE_ISSUED_D1", "customer_id": "C0", "doc": D + 1, "doc_type": "invoice", "due": D + 31,
         "settled": D + 2, "amount": 444.44},
        {"document_id": "EDGE_DUE_D", "customer_id": "C0", "doc": D - 30, "doc_type": "invoice", "due": D,
         "settled": None, "amount": 555.55},
        {"document_id": "EDGE_DUE_D_1", "customer_id": "C0", "doc": D - 31, "doc_type": "debit_memo", "due": D - 1,
         "settled": D + 5, "amount": 666.66},
    ]
    invoices = pd.DataFrame(rows)
    picks = rng.choice(len(invoices) - 6, size=8, replace=False)
    disputes = [{"document_id": invoices["document_id"].iloc[i], "customer_id": invoices["customer_id"].iloc[i],
                 "opened": int(invoices["doc"].iloc[i] + rng.integers(0, 40)),
                 "closed": None if rng.random() < 0.3 else int(invoices["doc"].iloc[i] + rng.integers(40, 80))}
                for i in picks]
    disputes += [  # opened on D (known) and on D + 1 (not); closed on D (known) and on D + 1 (not)
        {"document_id": "EDGE_PAID_D1", "customer_id": "C0", "opened": D, "closed": None},
        {"document_id": "EDGE_ISSUED_D", "customer_id": "C0", "opened": D + 1, "closed": None},
        {"document_id": "EDGE_DUE_D", "customer_id": "C0", "opened": D - 20, "closed": D + 1},
        {"document_id": "EDGE_DUE_D_1", "customer_id": "C0", "opened": D - 25, "closed": D},
    ]
    disputes = pd.DataFrame(disputes).assign(dispute_id=lambda f: [f"DSP{i}" for i in range(len(f))])
    promises = [{"customer_id": f"C{int(rng.integers(0, 4))}", "made": int(rng.integers(0, 200)),
                 "after": int(rng.integers(1, 30)), "outcome": str(rng.choice(["kept", "broken", "pending"]))}
                for _ in range(12)]
    promises += [  # a breach shows the day after the promised date: D - 1 -> known on D; D -> not yet
        {"customer_id": "C0", "made": D - 10, "after": 9, "outcome": "broken"},
        {"customer_id": "C0", "made": D - 5, "after": 5, "outcome": "broken"},
        {"customer_id": "C0", "made": D, "after": 10, "outcome": "pending"},
        {"customer_id": "C0", "made": D + 1, "after": 10, "outcome": "broken"},
    ]
    customers = pd.DataFrame({"customer_id": [f"C{c}" for c in range(4)], "credit_limit": [5000.0, 20000.0, 0.0, 8000.0],
                              "region": ["East", "West", "East", "North"]})
    return {"invoices": invoices, "disputes": disputes, "promises": pd.DataFrame(promises), "customers": customers}


def ledger_of(tables: dict[str, pd.DataFrame]) -> Ledger:
    inv, dis, pro = tables["invoices"], tables["disputes"], tables["promises"]
    items = pd.DataFrame({"document_id": inv["document_id"], "customer_id": inv["customer_id"],
                          "doc_type": inv["doc_type"], "doc_date": inv["doc"].map(_date),
                          "due_date": inv["due"].map(_date), "amount": inv["amount"],
                          "closed_date": [_date(s) for s in inv["settled"]]})
    disputes = pd.DataFrame({"dispute_id": dis["dispute_id"], "document_id": dis["document_id"],
                             "customer_id": dis["customer_id"], "opened_date": dis["opened"].map(_date),
                             "closed_date": [_date(c) for c in dis["closed"]]})
    activities = pd.DataFrame({"customer_id": pro["customer_id"], "date": pro["made"].map(_date), "kind": "promise",
                               "outcome": pro["outcome"], "promised_date": (pro["made"] + pro["after"]).map(_date)})
    return Ledger(items, customers=tables["customers"], disputes=disputes, activities=activities)


def known_at(tables: dict[str, pd.DataFrame], day: int) -> dict[str, pd.DataFrame]:
    """The history as it stood at the end of ``day``: later events removed or not yet happened."""
    inv = tables["invoices"][tables["invoices"]["doc"] <= day].copy()
    inv["settled"] = [s if s is not None and not pd.isna(s) and s <= day else None for s in inv["settled"]]
    dis = tables["disputes"][tables["disputes"]["opened"] <= day].copy()
    dis["closed"] = [c if c is not None and not pd.isna(c) and c <= day else None for c in dis["closed"]]
    pro = tables["promises"][tables["promises"]["made"] <= day].copy()
    unseen = (pro["outcome"] == "broken") & (pro["made"] + pro["after"] + 1 > day)
    pro.loc[unseen, "outcome"] = "pending"
    return {**tables, "invoices": inv.astype({"settled": object}), "disputes": dis, "promises": pro}


def rewrite_future(tables: dict[str, pd.DataFrame], day: int, seed: int) -> dict[str, pd.DataFrame]:
    """Everything dated after ``day`` made different: settlements, new invoices, disputes, promises."""
    rng = np.random.default_rng(seed + 1000)
    inv = tables["invoices"].copy().astype({"settled": object})
    future = inv["doc"] > day
    inv.loc[future, "amount"] = [round(float(a) * 3 + 1, 2) for a in inv.loc[future, "amount"]]
    inv.loc[future, "doc_type"] = "debit_memo"
    later = [s is None or pd.isna(s) or s > day for s in inv["settled"]]
    inv.loc[later, "settled"] = [None if rng.random() < 0.5 else int(max(d, day + 1) + rng.integers(0, 40))
                                 for d in inv.loc[later, "doc"]]
    extra = inv[inv["doc"] <= day + 1].head(6)
    new_disputes = pd.DataFrame({"document_id": extra["document_id"], "customer_id": extra["customer_id"],
                                 "opened": day + 1, "closed": None})
    dis = tables["disputes"].copy().astype({"closed": object})
    dis.loc[[c is None or pd.isna(c) or c > day for c in dis["closed"]], "closed"] = day + 1
    dis = pd.concat([dis[dis["opened"] <= day], new_disputes], ignore_index=True)
    dis["dispute_id"] = [f"N{i}" for i in range(len(dis))]
    pro = tables["promises"].copy()
    flip = pro["made"] + pro["after"] + 1 > day
    pro.loc[flip, "outcome"] = pro.loc[flip, "outcome"].map({"kept": "broken", "broken": "kept", "pending": "broken"})
    pro = pd.concat([pro, pd.DataFrame({"customer_id": ["C0", "C1"], "made": [day + 1, day + 3], "after": [1, 1],
                                        "outcome": ["broken", "broken"]})], ignore_index=True)
    return {**tables, "invoices": inv, "disputes": dis, "promises": pro}


def _comparable(frame: pd.DataFrame) -> pd.DataFrame:
    """Feature columns by document, categories as plain text (their category sets may differ)."""
    out = frame.set_index("document_id").sort_index()
    out = out[[c for c in out.columns if c not in META_COLUMNS]]
    return out.astype({c: "object" for c in out.columns if isinstance(out[c].dtype, pd.CategoricalDtype)})


def _scored(tables, day=D, grace=0) -> pd.DataFrame:
    return open_features(ledger_of(tables), as_of=_date(day), grace=grace)


SEEDS = [2, 3, 7, 11]


@pytest.mark.parametrize("seed", SEEDS)
def test_scoring_features_equal_those_of_the_history_known_at_d(seed):
    tables = history(seed)
    full, cut = _scored(tables), _scored(known_at(tables, D))
    assert sorted(full["document_id"]) == sorted(cut["document_id"])
    pd.testing.assert_frame_equal(_comparable(full), _comparable(cut), check_exact=False, rtol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_rewriting_everything_after_d_changes_no_scoring_feature(seed):
    tables = history(seed)
    before, after = _scored(tables), _scored(rewrite_future(tables, D, seed))
    pd.testing.assert_frame_equal(_comparable(before), _comparable(after), check_exact=False, rtol=1e-12)
    # The same rewrite scored a day later is seen: the comparison can fail.
    assert not _comparable(_scored(tables, D + 3)).equals(_comparable(_scored(rewrite_future(tables, D, seed), D + 3)))


def _move(tables, table: str, key: str, value, column: str, to):
    out = {**tables, table: tables[table].copy().astype({column: object})}
    frame = out[table]
    frame.loc[frame[key] == value, column] = to
    return out


def test_events_dated_d_are_known_at_the_end_of_d():
    tables = history(5)
    base = _scored(tables).set_index("document_id")
    # Paid on D: not open, and not among C0's open invoices; paid on D + 1 instead: still open.
    assert "EDGE_PAID_D" not in base.index and "EDGE_PAID_D1" in base.index
    later = _scored(_move(tables, "invoices", "document_id", "EDGE_PAID_D", "settled", D + 1)).set_index("document_id")
    assert "EDGE_PAID_D" in later.index
    assert later.loc["EDGE_ISSUED_D", "open_invoices"] == base.loc["EDGE_ISSUED_D", "open_invoices"] + 1
    assert later.loc["EDGE_ISSUED_D", "settled_invoices"] == base.loc["EDGE_ISSUED_D", "settled_invoices"] - 1
    # The dispute opened on D counts; the one opened on D + 1 does not.
    assert base.loc["EDGE_PAID_D1", "disputed"] == 1 and base.loc["EDGE_ISSUED_D", "disputed"] == 0
    moved = _scored(_move(tables, "disputes", "document_id", "EDGE_PAID_D1", "opened", D + 1)).set_index("document_id")
    assert moved.loc["EDGE_PAID_D1", "disputed"] == 0
    assert moved.loc["EDGE_PAID_D1", "disputes_opened"] == base.loc["EDGE_PAID_D1", "disputes_opened"] - 1
    # Issued on D: scored, and counted in its customer's invoices; issued on D + 1: neither.
    assert "EDGE_ISSUED_D" in base.index and "EDGE_ISSUED_D1" not in base.index
    # Due on D: not yet past due at the end of D (no label yet); due on D - 1: past due.
    assert pd.isna(base.loc["EDGE_DUE_D", "late"]) and base.loc["EDGE_DUE_D_1", "late"] == True  # noqa: E712


@pytest.mark.parametrize("seed", SEEDS[:2])
@pytest.mark.parametrize("grace", [0, 3])
def test_scoring_features_equal_a_brute_force_loop(seed, grace):
    tables = history(seed)
    got = _comparable(_scored(tables, grace=grace))
    expected = _naive_open(tables, D, grace)
    assert sorted(got.index) == sorted(expected.index)
    for column in expected.columns:
        pd.testing.assert_series_equal(got[column].astype(float), expected.loc[got.index, column].astype(float),
                                       check_names=False, rtol=1e-9, obj=column)
    # The planted history has a portfolio of at least 20 settlements before D: expected delay is measured.
    assert got["expected_days_late"].notna().sum() >= 10 and (got["excess_days_late"].fillna(0) != 0).any()


@pytest.mark.parametrize("seed", SEEDS[:2])
def test_training_rows_see_only_events_before_their_document_date(seed):
    tables = history(seed)
    rows = _comparable(features(ledger_of(tables)))
    issued_on = tables["invoices"].set_index("document_id")["doc"]
    for day in (D, D + 1, D - 30):
        # The history known at the end of day - 1, plus the invoices issued on `day` (not yet settled).
        cut = known_at(tables, day - 1)
        today = tables["invoices"][tables["invoices"]["doc"] == day].assign(settled=None)
        cut["invoices"] = pd.concat([cut["invoices"], today], ignore_index=True).astype({"settled": object})
        cut_rows = _comparable(features(ledger_of(cut), as_of=_date(day)))
        same_day = issued_on.index[issued_on == day]
        assert len(same_day) > 0 or day != D
        pd.testing.assert_frame_equal(cut_rows.loc[same_day], rows.loc[same_day], check_exact=False, rtol=1e-12)


# --------------------------------------------------------------------- the brute-force reference
def _naive_open(tables: dict[str, pd.DataFrame], day: int, grace: int) -> pd.DataFrame:
    """Every scoring feature of the invoices open at the end of ``day``, by loops over the history."""
    c = day + 1  # events count when dated before the cutoff: on or before `day`
    inv = tables["invoices"].copy()
    inv["settled"] = [max(s, d) if s is not None and not pd.isna(s) else None
                      for s, d in zip(inv["settled"], inv["doc"])]
    dis, pro = tables["disputes"], tables["promises"]
    limits = tables["customers"].set_index("customer_id")["credit_limit"]
    first_dispute = dis.groupby("document_id")["opened"].min()

    def done(row, before):
        return row["settled"] is not None and row["settled"] < before

    def flag_when_settled(row):
        return row["document_id"] in first_dispute.index and first_dispute[row["document_id"]] <= row["settled"]

    settled = inv[[done(r, 10**9) for _, r in inv.iterrows()]].copy()
    settled["delay"] = settled["settled"] - settled["due"]
    settled["kind"] = [(r["doc_type"], flag_when_settled(r)) for _, r in settled.iterrows()]

    def portfolio_before(kind, before):
        same = settled[(settled["kind"] == kind) & (settled["settled"] < before)]
        return len(same), same["delay"].sum()

    excess = {}
    for _, r in settled.iterrows():
        n, total = portfolio_before(r["kind"], r["settled"])
        excess[r["document_id"]] = (r["delay"] - total / n, 1) if n >= 20 else (0.0, 0)

    out = {}
    for _, row in inv.iterrows():
        if not (row["doc"] <= day and not done(row, c)):
            continue  # not open at the end of `day`
        theirs = inv[inv["customer_id"] == row["customer_id"]]
        paid = theirs[[done(r, c) for _, r in theirs.iterrows()]].sort_values(["settled", "doc", "document_id"])
        delay = paid["settled"] - paid["due"]
        late, days_late = delay > grace, delay.clip(lower=0)
        n = len(paid)
        nan = float("nan")
        last5 = paid.tail(5)
        late5 = (last5["settled"] - last5["due"]) > grace
        recent = paid[paid["settled"] >= c - 90]
        issued = theirs[theirs["doc"] < c]
        others = issued[issued["document_id"] != row["document_id"]]
        open_others = others[[not done(r, c) for _, r in others.iterrows()]]
        past_due = open_others[open_others["due"] < day]
        earlier = theirs[theirs["doc"] < row["doc"]]
        own_disputed = row["document_id"] in first_dispute.index and first_dispute[row["document_id"]] < c
        kind_n, kind_total = portfolio_before((row["doc_type"], own_disputed), c)
        ex = [excess[d] for d in paid["document_id"]]
        excess_days = sum(e for e, _ in ex) / (sum(m for _, m in ex) + 2) if n else nan
        their_disputes = dis[dis["customer_id"] == row["customer_id"]]
        closed = [cl is not None and not pd.isna(cl) and max(cl, op) < c
                  for cl, op in zip(their_disputes["closed"], their_disputes["opened"])]
        their_promises = pro[pro["customer_id"] == row["customer_id"]]
        shows = their_promises["made"] + their_promises["after"] + 1
        open_amount = round(open_others["amount"].sum(), 2)
        out[row["document_id"]] = {
            "amount": row["amount"], "log_amount": np.log1p(row["amount"]), "terms_days": row["due"] - row["doc"],
            "doc_month": _date(row["doc"]).month, "disputed": int(own_disputed),
            "settled_invoices": n,
            "late_share": late.mean() if n else nan,
            "mean_days_late": days_late.mean() if n else nan,
            "max_days_late": days_late.max() if n else nan,
            "mean_days_to_pay": (paid["settled"] - paid["doc"]).mean() if n else nan,
            "last5_late_share": late5.mean() if n else nan,
            "last5_mean_days_late": (last5["settled"] - last5["due"]).clip(lower=0).mean() if n else nan,
            "settled_90d": len(recent),
            "late_share_90d": ((recent["settled"] - recent["due"]) > grace).mean() if len(recent) else nan,
            "late_share_trend": late5.mean() - late.mean() if n else nan,
            "disputed_share": np.mean([flag_when_settled(r) for _, r in paid.iterrows()]) if n else nan,
            "excess_days_late": excess_days,
            "expected_days_late": (kind_total / kind_n if kind_n >= 20 else nan) + (0 if n == 0 else excess_days),
            "prior_invoices": len(others),
            "amount_vs_usual": row["amount"] / np.exp(np.log1p(earlier["amount"]).mean()) if len(earlier) else nan,
            "days_since_first_invoice": day - issued["doc"].min(),
            "open_invoices": len(open_others),
            "open_amount": open_amount,
            "past_due_invoices": len(past_due),
            "past_due_amount": round(past_due["amount"].sum(), 2),
            "credit_limit_use": open_amount / limits[row["customer_id"]] if limits[row["customer_id"]] else nan,
            "disputes_opened": int((their_disputes["opened"] < c).sum()),
            "disputes_open": int(sum(op < c and not cl for op, cl in zip(their_disputes["opened"], closed))),
            "promises_made": int((their_promises["made"] < c).sum()),
            "promises_broken": int(((their_promises["outcome"] == "broken") & (shows < c)).sum()),
        }
    return pd.DataFrame.from_dict(out, orient="index")


def test_training_labels_and_settlement_dates_as_known_on_as_of():
    # Day numbers from START; read on D. late = settled - due > grace; known once due + grace <= D.
    rows = [("ON_TIME", D - 40, D - 10, D - 10), ("A_DAY_LATE", D - 40, D - 10, D - 9),
            ("DUE_D_PAID_LATER", D - 30, D, D + 1), ("DUE_AFTER", D - 29, D + 1, None),
            ("TWO_DAYS", D - 33, D - 3, D - 1), ("GRACE_NOT_PASSED", D - 31, D - 1, None)]
    items = pd.DataFrame({"document_id": [r[0] for r in rows], "customer_id": "C1",
                          "doc_date": [_date(r[1]) for r in rows], "due_date": [_date(r[2]) for r in rows],
                          "amount": 100.0, "closed_date": [_date(r[3]) for r in rows]})
    strict = features(Ledger(items), as_of=_date(D)).set_index("document_id")
    def late(frame):
        return {k: "unknown" if pd.isna(v) else bool(v) for k, v in frame["late"].items()}

    assert late(strict) == {"ON_TIME": False, "A_DAY_LATE": True, "DUE_D_PAID_LATER": True,
                            "DUE_AFTER": "unknown", "TWO_DAYS": True, "GRACE_NOT_PASSED": True}
    assert pd.isna(strict.loc["DUE_D_PAID_LATER", "settled_date"])  # paid after D: not known on D
    assert strict.loc["A_DAY_LATE", "settled_date"] == _date(D - 9)
    paid_on_d = features(Ledger(pd.concat([items, items.head(1).assign(document_id="PAID_ON_D", closed_date=_date(D))])),
                         as_of=_date(D)).set_index("document_id")
    assert paid_on_d.loc["PAID_ON_D", "settled_date"] == _date(D)  # paid on as_of: known on as_of
    lenient = features(Ledger(items), as_of=_date(D), grace=2).set_index("document_id")
    assert late(lenient) == {"ON_TIME": False, "A_DAY_LATE": False, "DUE_D_PAID_LATER": "unknown",
                             "DUE_AFTER": "unknown", "TWO_DAYS": False, "GRACE_NOT_PASSED": "unknown"}
    one = features(Ledger(items.head(1)), as_of=_date(D))
    assert one["document_id"].tolist() == ["ON_TIME"] and one.index.tolist() == [0]


def _regions() -> Ledger:
    """20 "north" invoices of customer N settled 10 days after their due dates, 20 "south" ones of
    customer S settled on their due dates (issued 2025-01-01 to 2025-01-20, due 30 days later),
    then two invoices of a new customer X issued 2025-07-01, one of each region, open."""
    rows = []
    for k in range(20):
        doc = pd.Timestamp("2025-01-01") + pd.Timedelta(days=k)
        due = doc + pd.Timedelta(days=30)
        rows.append((f"N{k}", "N", "north", doc, due, due + pd.Timedelta(days=10)))
        rows.append((f"S{k}", "S", "south", doc, due, due))
    for document, region in (("X1", "north"), ("X2", "south")):
        rows.append((document, "X", region, pd.Timestamp("2025-07-01"), pd.Timestamp("2025-07-31"), pd.NaT))
    items = pd.DataFrame(rows, columns=["document_id", "customer_id", "region", "doc_date", "due_date", "closed_date"])
    return Ledger(items.assign(amount=100.0, currency="USD", doc_type="invoice"))


def test_a_text_extra_column_makes_kinds_of_invoice():
    """expected_days_late = the portfolio's mean delay (settled - due) over the settlements of the
    invoice's kind before its cutoff (20 or more) + its customer's excess (X has no history: 0).

    With ``extra=["region"]`` a north invoice's kind has 20 settlements of 10 days late: 10.0, a
    south one's 20 on time: 0.0. Without it all 40 are one kind: (20 x 10 + 20 x 0) / 40 = 5.0.
    The same for the scoring rows of ``open_features`` at 2025-07-31."""
    by_region = features(_regions(), as_of="2025-07-31", extra=["region"]).set_index("document_id")
    assert by_region.loc["X1", "expected_days_late"] == pytest.approx(10.0)
    assert by_region.loc["X2", "expected_days_late"] == pytest.approx(0.0)
    assert by_region.loc["X1", "region"] == "north" and by_region.loc["X2", "region"] == "south"
    plain = features(_regions(), as_of="2025-07-31").set_index("document_id")
    assert plain.loc[["X1", "X2"], "expected_days_late"].tolist() == pytest.approx([5.0, 5.0])
    scored = open_features(_regions(), as_of="2025-07-31", extra=["region"]).set_index("document_id")
    assert scored.loc[["X1", "X2"], "expected_days_late"].tolist() == pytest.approx([10.0, 0.0])


def test_no_invoice_before_as_of_names_the_date():
    """The first invoice of _regions() is dated 2025-01-01: as of the day before there is nothing to train on."""
    with pytest.raises(ArkitError, match=r"^no invoices dated on or before 2024-12-31: give a later as_of$"):
        features(_regions(), as_of="2024-12-31")
