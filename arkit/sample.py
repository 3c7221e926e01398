"""Seeded synthetic AR portfolio of an equipment dealer network.

A manufacturer bills ~1,250 dealers a monthly subscription plus one-off parts and service
charges over 24 months (2024-11-01 .. 2026-10-31). Each dealer follows a hidden payment
*profile* (prompt, slow, seasonal, deteriorating, chronic_disputer, defaulting); the ledger,
cash applications, disputes and collection activities are simulated from it, and the profile
is written beside the data as ground truth so that analytics can be checked against it.

Everything is derived from one ``numpy.random.default_rng(seed)``: the same seed gives the
same tables and byte-identical CSV files. Money is simulated in integer cents, so every
application, open amount and closed date ties out exactly.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "HISTORY_END",
    "HISTORY_START",
    "PROFILES",
    "REPORTING_CURRENCY",
    "SAMPLE_TABLES",
    "generate_payments",
    "generate_sample",
    "write_sample",
]

HISTORY_START = pd.Timestamp("2024-11-01")
HISTORY_END = pd.Timestamp("2026-10-31")
REPORTING_CURRENCY = "USD"
SAMPLE_TABLES = ("customers", "items", "applications", "disputes", "activities", "fx_rates")
PROFILES = ("prompt", "slow", "seasonal", "deteriorating", "chronic_disputer", "defaulting")

_N_CUSTOMERS = 1250
_PROFILE_COUNTS = (585, 240, 125, 125, 110, 65)  # sums to _N_CUSTOMERS
PROMPT, SLOW, SEASONAL, DETERIORATING, CHRONIC, DEFAULTING = range(6)


def _day(text: str) -> int:
    return int(np.datetime64(text, "D").astype(np.int64))


_START = _day("2024-11-01")
_END = _day("2026-10-31")
_NEVER = 10**7  # a day number far after the history: "does not happen"
_MONTH_STARTS = (
    np.arange(np.datetime64("2024-11"), np.datetime64("2026-11")).astype("datetime64[D]").astype(np.int64)
)
_DAYS_IN_MONTH = np.diff(np.append(_MONTH_STARTS, _day("2026-11-01")))

_REGIONS = ("Northeast", "Southeast", "Midwest", "Southwest", "West", "Canada")
_REGION_WEIGHTS = (0.12, 0.15, 0.30, 0.13, 0.17, 0.13)
_CANADA = 5
_SEGMENTS = ("Agriculture", "Construction", "Turf & Landscape", "Forestry")
_SEGMENT_WEIGHTS = (0.50, 0.25, 0.20, 0.05)
_TERMS = (15, 30, 45, 60)
_SALES_REPS = (
    ("Megan Carter", "Luis Ortega"),
    ("Tanya Brooks", "Shawn Mitchell"),
    ("Brian Kowalczyk", "Derek Lindgren"),
    ("Priya Natarajan", "Marcus Hale"),
    ("Kelly O'Brien", "Ravi Desai"),
    ("Jenna Fournier", "Colleen Murphy"),
)
_COLLECTORS = ("Angela Ruiz", "Tom Becker", "Nicole Chen", "Frank Delgado", "Heather Simmons", "Marc Leblanc")
# Which collectors work which region (the Midwest book is split between two people).
_REGION_COLLECTORS = ((0,), (1,), (2, 3), (4,), (4, 1), (5,))
_DISPUTE_ANALYSTS = {"billing": "Julie Tran", "logistics": "Kevin Osei", "service": "Dana Whitman"}
_AGENCIES = ("Midwest Commercial Recovery", "Allied Credit Services", "Summit Recovery Group")

_US_PLACES = (
    "Prairie", "Lakeshore", "Heartland", "Valley", "Summit", "Red River", "Cedar Creek", "Big Sky",
    "Blue Ridge", "Twin Rivers", "Golden Plains", "Northstar", "Riverbend", "Sandhills", "Flint Hills",
    "Pine Ridge", "Clearwater", "High Plains", "Tri-County", "Three Rivers", "Keystone", "Bluegrass",
    "Cornbelt", "Ozark", "Cascade", "Sierra", "Mesa", "Gulf Coast", "Piedmont", "Great Lakes",
    "Frontier", "Heritage", "Pioneer", "Harvest", "Hometown", "Midland", "Crossroads", "Badger State",
    "Hoosier", "Buckeye", "Lone Star", "Palmetto", "Magnolia", "Tidewater", "Green Mountain",
    "Granite State", "Canyon", "Rocky Mountain", "Snake River", "Columbia Basin", "Willamette",
    "Central Valley", "Delta", "Bayou", "Chesapeake", "Hudson Valley", "Mohawk", "Allegheny",
    "Cumberland", "Tennessee Valley", "Black Hills", "Platte Valley", "Wabash", "Miami Valley",
    "Iron Range", "Northwoods", "Big Horn", "Yellowstone", "Sunbelt", "Coastal", "Panhandle",
    "Red Hills", "Cotton Belt", "Sun Country",
)
_CA_PLACES = (
    "Maple Leaf", "Red Deer", "Peace River", "Fraser Valley", "Okanagan", "Prairie Rose",
    "Northern Lights", "Assiniboine", "Qu'Appelle", "Saskatoon", "Lethbridge", "Ottawa Valley",
    "Niagara", "Grand River", "Eastern Townships", "Laurentian", "Annapolis Valley", "Lakehead",
    "Muskoka", "Parkland", "Interlake", "Cariboo", "Kootenay", "Athabasca", "Yellowhead",
    "Battle River", "Souris Valley", "Rideau", "Bruce County", "Huron",
)
_US_FAMILIES = (
    "Hoffman", "Schmidt", "Larson", "Miller", "Kowalski", "Brandt", "Jensen", "Olsen", "McAllister",
    "Keller", "Yoder", "Hartley", "Whitaker", "Dawson", "Lindquist", "Vogel", "Petersen", "Grady",
    "Baumann", "Hollis", "Carver", "Nolan", "Brennan", "Fischer", "Sorensen", "Decker", "Whitfield",
    "Ramsey", "Crawford", "Gentry",
)
_CA_FAMILIES = (
    "Tremblay", "Reimer", "Friesen", "Gagnon", "Boucher", "MacLeod", "Fraser", "Wiebe", "Bergeron", "Lavoie",
)
_CORES = (
    ("Tractor", "Implement", "Farm Equipment", "Ag Supply", "Farm Center", "Ag Equipment",
     "Tractor & Implement", "Farm & Ranch", "Ag Power", "Farm Machinery"),
    ("Equipment", "Machinery", "Heavy Equipment", "Construction Equipment", "Equipment Rental",
     "Earthmoving", "Compact Equipment", "Machine Works"),
    ("Turf & Power", "Outdoor Power", "Lawn & Garden", "Power Equipment", "Mower", "Turf Equipment",
     "Small Engine"),
    ("Forestry Equipment", "Timber Equipment", "Logging Supply", "Saw & Forestry", "Woodlands Equipment"),
)
_US_SUFFIXES = ("", " Co.", " Inc.", " LLC", " & Supply", " Sales & Service", " Supply Co.", " Center", " Corp.")
_CA_SUFFIXES = ("", " Ltd.", " Inc.", " & Supply Ltd.", " Sales & Service", " Co.")
_CONTACTS = (
    "Bob", "Linda", "Gary", "Sue", "Dave", "Karen", "Mike", "Deb", "Jim", "Pat", "Rick", "Cindy", "Tom",
    "Barb", "Steve", "Lori", "Jeff", "Terri", "Doug", "Janet", "Ron", "Carol", "Kevin", "Tammy",
)
_PARTS = (
    "oil filters", "hydraulic hoses", "drive belts", "tires", "bearings", "seat kits", "spark plugs",
    "air filters", "mower blades", "batteries", "chain kits", "hydraulic pumps", "wear parts", "lights",
)
_REASONS = ("PRICING", "SHORT_SHIP", "DAMAGED", "DUPLICATE_BILLING", "NOT_ORDERED", "TAX", "SERVICE_QUALITY")
# Reason mix for a subscription invoice and for a parts/service charge.
_REASON_WEIGHTS = (
    (0.45, 0.00, 0.00, 0.25, 0.00, 0.15, 0.15),
    (0.20, 0.22, 0.20, 0.08, 0.10, 0.08, 0.12),
)
# Disputed share of the invoice (low, high) per reason.
_REASON_SHARE = ((0.05, 0.30), (0.10, 0.50), (0.10, 0.60), (1.0, 1.0), (0.5, 1.0), (0.04, 0.10), (0.15, 1.0))
_REASON_OWNER = ("billing", "logistics", "logistics", "billing", "logistics", "billing", "service")

_CREDIT, _PARTIAL, _REJECTED = 0, 1, 2
_PAY, _CM, _WO, _ADJ = 0, 1, 2, 3
_INVOICE_KIND_SUB, _INVOICE_KIND_ONEOFF, _INVOICE_KIND_DM = 0, 1, 2


# ----------------------------------------------------------------------------------- helpers
def _weekday(days):
    """Monday = 0 (1970-01-01 was a Thursday)."""
    return (np.asarray(days) + 3) % 7


def _month_end(days):
    months = np.asarray(days).astype("datetime64[D]").astype("datetime64[M]")
    return ((months + 1).astype("datetime64[D]") - 1).astype(np.int64)


def _month_index(days):
    """Calendar month 1..12 of day numbers."""
    return np.asarray(days).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12 + 1


def _prev_run(days, anchor, cadence):
    """Latest payment-run day on or before ``days``."""
    return anchor + np.floor_divide(days - anchor, cadence) * cadence


def _next_run(days, anchor, cadence):
    """Earliest payment-run day on or after ``days``."""
    return anchor - np.floor_divide(anchor - days, cadence) * cadence


def _busday_after(days, lag):
    d = np.asarray(days).astype("datetime64[D]")
    return np.busday_offset(d, lag, roll="forward").astype(np.int64)


def _money(cents) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(int(cents))
    return f"{sign}{cents // 100:,}.{cents % 100:02d}"


def _format_cents(cents: np.ndarray) -> list[str]:
    """Integer cents -> '1234.50' strings, exactly, without float formatting."""
    out = []
    for c in np.asarray(cents, dtype=np.int64).tolist():
        sign = "-" if c < 0 else ""
        c = abs(c)
        out.append(f"{sign}{c // 100}.{c % 100:02d}")
    return out


def _iso(days) -> np.ndarray:
    return np.asarray(days).astype("datetime64[D]").astype(str)


def _to_timestamps(days) -> pd.Series:
    days = np.asarray(days, dtype=np.int64)
    out = days.astype("datetime64[D]").astype("datetime64[ns]")
    out[days >= _NEVER] = np.datetime64("NaT")
    return pd.Series(out)


# --------------------------------------------------------------------------------- customers
def _dealer_names(rng, country_ca, segment):
    names = np.empty(len(segment), dtype=object)
    for is_ca in (False, True):
        places = _CA_PLACES if is_ca else _US_PLACES
        families = _CA_FAMILIES if is_ca else _US_FAMILIES
        suffixes = _CA_SUFFIXES if is_ca else _US_SUFFIXES
        prefixes = list(places) + [f"{f}{v}" for f in families for v in ("", " Bros.", " & Sons")]
        for s, cores in enumerate(_CORES):
            who = np.flatnonzero((country_ca == is_ca) & (segment == s))
            if len(who) == 0:
                continue
            pool = []
            for p in prefixes:
                for core in cores:
                    for suf in suffixes:
                        name = f"{p} {core}{suf}"
                        if name.count("&") > 1 or ("Supply" in core and "Supply" in suf):
                            continue
                        if core.endswith("Center") and suf == " Center":
                            continue
                        pool.append(name)
            names[who] = np.asarray(pool, dtype=object)[rng.choice(len(pool), size=len(who), replace=False)]
    return names


def _simulate_customers(rng) -> dict:
    n = _N_CUSTOMERS
    profile = rng.permutation(np.repeat(np.arange(6), _PROFILE_COUNTS))
    # Fixed head counts per region keep the Canadian (CAD) share at 13% for every seed.
    region_counts = np.round(np.asarray(_REGION_WEIGHTS) * n).astype(int)
    region_counts[_REGIONS.index("Midwest")] += n - region_counts.sum()
    region = rng.permutation(np.repeat(np.arange(len(_REGIONS)), region_counts))
    is_ca = region == _CANADA
    segment = rng.choice(len(_SEGMENTS), size=n, p=_SEGMENT_WEIGHTS)
    seasonal = profile == SEASONAL
    segment[seasonal] = rng.choice([0, 2], size=int(seasonal.sum()), p=[0.7, 0.3])
    terms = rng.choice(_TERMS, size=n, p=[0.12, 0.50, 0.22, 0.16])

    rep_pick = rng.integers(0, 2, size=n)
    sales_rep = np.array([_SALES_REPS[r][k] for r, k in zip(region.tolist(), rep_pick.tolist())], dtype=object)
    col_pick = rng.random(size=n)
    collector_idx = np.array(
        [_REGION_COLLECTORS[r][int(u * len(_REGION_COLLECTORS[r]))]
         for r, u in zip(region.tolist(), col_pick.tolist())]
    )

    # Tenure: most dealers predate the history; some joined during it, a few stopped.
    can_churn = np.isin(profile, [PROMPT, SLOW, SEASONAL, CHRONIC])
    joined = (rng.random(n) < 0.17) & can_churn
    since = np.where(
        joined,
        rng.integers(_START + 14, _day("2026-08-31"), size=n),
        rng.integers(_day("2006-01-01"), _START - 15, size=n),
    )
    billing_start = np.maximum(since, _START)
    stopped = (rng.random(n) < 0.035) & can_churn & ~joined
    stop_day = np.where(stopped, rng.integers(_day("2025-03-01"), _day("2026-08-31"), size=n), _NEVER)

    defaulting = profile == DEFAULTING
    default_day = np.where(defaulting, rng.integers(_day("2025-04-01"), _day("2026-08-31"), size=n), _NEVER)
    # After a dealer stops paying, parts go on credit hold first, the subscription later.
    oneoff_end = np.where(defaulting, default_day + rng.integers(15, 46, size=n), _NEVER)
    sub_end = np.where(defaulting, default_day + rng.integers(30, 76, size=n), _NEVER)

    fx_list = np.where(is_ca, 1.35, 1.0)
    # Well-capitalised dealers are the prompt payers; the ones that fail are small.
    size = np.choose(profile, [1.7, 0.35, 1.1, 0.35, 0.75, 0.35])
    fee = rng.lognormal(np.log(850), 0.65, size=n) * size * fx_list
    fee_dollars = np.maximum(149, np.round(fee / 50) * 50 - 1).astype(np.int64)
    oneoff_rate = rng.gamma(2.0, 0.14, size=n) * np.where(profile == CHRONIC, 1.4, 1.0)
    oneoff_median = rng.lognormal(np.log(650), 0.5, size=n) * fx_list * size
    bill_day = np.where(rng.random(n) < 0.15, 15, 1)

    # Payment runs: a dealer pays everything it intends to pay in one run (weekly .. 4-weekly).
    cadence = np.where(
        np.isin(profile, [SLOW, DETERIORATING, DEFAULTING]),
        rng.choice([7, 14, 28], size=n, p=[0.2, 0.5, 0.3]),
        rng.choice([7, 14, 28], size=n, p=[0.3, 0.45, 0.25]),
    )
    first_monday = _START + (7 - _weekday(_START)) % 7
    pay_anchor = first_monday + rng.choice([0, 1, 2, 3, 4], size=n, p=[0.15, 0.2, 0.2, 0.2, 0.25])
    review_anchor = first_monday + rng.choice([0, 1, 2, 3, 4, 7, 8, 9, 10, 11], size=n)
    pay_method = np.where(
        is_ca, rng.choice(3, size=n, p=[0.5, 0.2, 0.3]), rng.choice(3, size=n, p=[0.6, 0.37, 0.03])
    )  # 0 ACH, 1 check, 2 wire

    # Profile parameters.
    mean_late = np.zeros(n)
    n_slow = int((profile == SLOW).sum())
    mean_late[profile == SLOW] = 10 + 30 * rng.beta(1.1, 2.6, size=n_slow)
    mean_late[profile == CHRONIC] = rng.uniform(2, 12, size=int((profile == CHRONIC).sum()))
    mean_late[defaulting] = rng.uniform(3, 15, size=int(defaulting.sum()))
    # Payments go out on the last run before the intended day: aim a little later.
    mean_late += np.where(np.isin(profile, [SLOW, CHRONIC, DEFAULTING]), cadence / 3, 0)
    off_start = np.where(seasonal, rng.choice([11, 12, 1], size=n, p=[0.25, 0.5, 0.25]), 0)
    decline_start = np.where(profile == DETERIORATING, _END - rng.integers(180, 366, size=n), _NEVER)
    decline_late = np.where(profile == DETERIORATING, rng.uniform(25, 80, size=n), 0.0)  # days late at the end
    dispute_rate = np.choose(profile, [0.012, 0.02, 0.015, 0.025, 0.22, 0.04]) * rng.uniform(0.6, 1.4, size=n)
    partial_rate = np.choose(profile, [0.01, 0.04, 0.04, 0.05, 0.05, 0.08])

    # Credit limit from expected monthly volume and terms; some will run over it.
    volume = fee_dollars + oneoff_rate * oneoff_median * np.exp(0.5)
    raw_limit = volume * (terms / 30 + 1) * rng.uniform(1.1, 1.8, size=n)
    step = np.where(raw_limit > 100_000, 25_000, 5_000)
    credit_limit = np.maximum(5_000, np.ceil(raw_limit / step) * step).astype(np.int64)

    customer_id = np.array([f"{10001 + i:07d}" for i in range(n)], dtype=object)
    return {
        "n": n,
        "customer_id": customer_id,
        "customer_name": _dealer_names(rng, is_ca, segment),
        "profile": profile,
        "region": region,
        "is_ca": is_ca,
        "currency": np.where(is_ca, "CAD", "USD").astype(object),
        "segment": segment,
        "terms": terms,
        "sales_rep": sales_rep,
        "collector": np.asarray(_COLLECTORS, dtype=object)[collector_idx],
        "since": since,
        "billing_start": billing_start,
        "stop_day": stop_day,
        "default_day": default_day,
        "oneoff_end": oneoff_end,
        "sub_end": sub_end,
        "fee_dollars": fee_dollars,
        "oneoff_rate": oneoff_rate,
        "oneoff_median": oneoff_median,
        "bill_day": bill_day,
        "cadence": cadence,
        "pay_anchor": pay_anchor,
        "review_anchor": review_anchor,
        "pay_method": pay_method,
        "mean_late": mean_late,
        "off_start": off_start,
        "decline_start": decline_start,
        "decline_late": decline_late,
        "dispute_rate": dispute_rate,
        "partial_rate": partial_rate,
        "credit_limit": credit_limit,
        "contact": np.asarray(_CONTACTS, dtype=object)[rng.integers(0, len(_CONTACTS), size=n)],
    }


# ----------------------------------------------------------------------------------- charges
def _simulate_charges(rng, cust) -> dict:
    n = cust["n"]
    active_end = np.minimum(cust["stop_day"], _END + 1)

    # Monthly subscription on the customer's billing day; 4% list-price increase from 2026.
    bill = _MONTH_STARTS[None, :] + (cust["bill_day"][:, None] - 1)
    active = (
        (bill >= cust["billing_start"][:, None])
        & (bill < active_end[:, None])
        & (bill < cust["sub_end"][:, None])
    )
    sc, sm = np.nonzero(active)
    sub_date = bill[sc, sm]
    fee = cust["fee_dollars"][sc]
    sub_amount = np.where(sub_date >= _day("2026-01-01"), np.round(fee * 1.04), fee).astype(np.int64) * 100

    # One-off parts/service charges: Poisson per month, busier in season for ag/turf dealers.
    month_no = _month_index(_MONTH_STARTS)
    in_season = (month_no >= 3) & (month_no <= 9)
    seasonal_segment = np.isin(cust["segment"], [0, 2])
    factor = np.where(seasonal_segment[:, None], np.where(in_season, 1.35, 0.55)[None, :], 1.0)
    counts = rng.poisson(cust["oneoff_rate"][:, None] * factor)
    cell = np.repeat(np.arange(n * len(_MONTH_STARTS)), counts.ravel())
    oc, om = cell // len(_MONTH_STARTS), cell % len(_MONTH_STARTS)
    odate = _MONTH_STARTS[om] + np.floor(rng.random(len(cell)) * _DAYS_IN_MONTH[om]).astype(np.int64)
    # Parts counters open Saturdays, not Sundays.
    sunday = _weekday(odate) == 6
    month_last = _MONTH_STARTS[om] + _DAYS_IN_MONTH[om] - 1
    odate = np.where(sunday, np.where(odate + 1 <= month_last, odate + 1, odate - 2), odate)
    ok = (odate >= cust["billing_start"][oc]) & (odate < active_end[oc]) & (odate < cust["oneoff_end"][oc])
    oc, odate = oc[ok], odate[ok]
    oamount = np.round(
        np.clip(cust["oneoff_median"][oc] * rng.lognormal(0.0, 1.0, size=len(oc)), 25, 60_000) * 100
    ).astype(np.int64)
    # The history ends on a Saturday month-end; make sure the counter sold something that day.
    if not (odate == _END).any():
        open_on_end = (active_end[oc] > _END) & (cust["oneoff_end"][oc] > _END)
        last = np.flatnonzero((odate >= _END - 6) & open_on_end)
        if len(last):
            odate[last[-1]] = _END

    # A few debit memos: late fees on late payers, freight rebills, core charges.
    n_dm = 110
    weights = np.choose(cust["profile"], [0.3, 2.0, 1.0, 1.5, 1.0, 1.5])
    dc = rng.choice(n, size=n_dm, p=weights / weights.sum())
    ddate = rng.integers(_START + 45, _END - 3, size=n_dm)
    dkind = rng.choice(3, size=n_dm, p=[0.45, 0.35, 0.20])
    dlow = np.choose(dkind, [25.0, 45.0, 80.0])
    dhigh = np.choose(dkind, [250.0, 650.0, 900.0])
    damount = np.round(rng.uniform(dlow, dhigh) * 100).astype(np.int64)
    ok = (ddate >= cust["billing_start"][dc]) & (ddate < active_end[dc]) & (ddate < cust["oneoff_end"][dc])
    dc, ddate, dkind, damount = dc[ok], ddate[ok], dkind[ok], damount[ok]

    c = np.concatenate([sc, oc, dc])
    kind = np.concatenate(
        [np.full(len(sc), _INVOICE_KIND_SUB), np.full(len(oc), _INVOICE_KIND_ONEOFF),
         np.full(len(dc), _INVOICE_KIND_DM)]
    )
    doc_date = np.concatenate([sub_date, odate, ddate])
    amount = np.concatenate([sub_amount, oamount, damount])
    dm_reason = np.concatenate([np.full(len(sc) + len(oc), -1), dkind])
    order = np.lexsort((kind, c, doc_date))
    c, kind, doc_date, amount, dm_reason = c[order], kind[order], doc_date[order], amount[order], dm_reason[order]

    is_dm = kind == _INVOICE_KIND_DM
    ids = np.empty(len(c), dtype=object)
    n_inv = int((~is_dm).sum())
    inv_numbers = 2_104_117 + np.cumsum(1 + (rng.random(n_inv) < 0.03) * rng.integers(1, 6, n_inv))
    ids[~is_dm] = [f"INV{k:07d}" for k in inv_numbers.tolist()]
    ids[is_dm] = [f"DM{k:06d}" for k in (300_410 + np.arange(int(is_dm.sum())) * 3).tolist()]

    # Purchase-order references: most parts orders carry one; subscriptions use a blanket PO.
    blanket = np.where(rng.random(n) < 0.45, rng.integers(10_000, 99_999, size=n), 0)
    po = rng.integers(10_000, 99_999, size=len(c))
    ref = np.full(len(c), "", dtype=object)
    oneoff = kind == _INVOICE_KIND_ONEOFF
    with_po = oneoff & (rng.random(len(c)) < 0.85)
    ref[with_po] = [f"PO-{k}" for k in po[with_po].tolist()]
    sub_po = (kind == _INVOICE_KIND_SUB) & (blanket[c] > 0)
    ref[sub_po] = [f"PO-{k}" for k in blanket[c][sub_po].tolist()]
    ref[is_dm] = np.asarray(["Late fee", "Freight rebill", "Core charge"], dtype=object)[dm_reason[is_dm]]

    return {
        "m": len(c),
        "cust": c,
        "kind": kind,
        "doc_id": ids,
        "doc_date": doc_date,
        "due": doc_date + cust["terms"][c],
        "amount": amount,
        "reference": ref,
    }


# ---------------------------------------------------------------------------------- payments
def _intended_pay_day(rng, cust, ch):
    """Day the customer would pay each charge in full, from its profile (before snapping to runs)."""
    m = ch["m"]
    c = ch["cust"]
    prof = cust["profile"][c]
    due = ch["due"]
    prompt_like = rng.normal(-1.0, 2.5, size=m) + (rng.random(m) < 0.06) * rng.uniform(3, 18, size=m)
    late = prompt_like.copy()
    steady = np.isin(prof, [SLOW, CHRONIC])
    late[steady] = rng.normal(cust["mean_late"][c][steady], np.where(prof[steady] == SLOW, 6.0, 8.0))

    # Seasonal dealers pay what falls due in their off-season late, when cash comes back.
    off = cust["off_start"][c]
    due_month = _month_index(due)
    in_off = (prof == SEASONAL) & (((due_month - off) % 12) < 3)
    late[in_off] = rng.uniform(20, 65, size=int(in_off.sum()))

    # Deteriorating dealers drift later, faster and faster, from their decline start.
    det = prof == DETERIORATING
    t0 = cust["decline_start"][c]
    progress = np.clip((due - t0) / np.maximum(1, _END - t0), 0, 1)
    drift = cust["decline_late"][c] * progress**1.5 + np.where(progress > 0, cust["cadence"][c] / 3, 0)
    late[det] += drift[det] * rng.uniform(0.8, 1.2, size=int(det.sum()))

    # Defaulting dealers get slower as the default approaches; after it they pay nothing.
    dflt = prof == DEFAULTING
    closeness = np.clip(1 - (cust["default_day"][c] - due) / 150, 0, 1)
    late[dflt] = rng.normal(cust["mean_late"][c][dflt] + 25 * closeness[dflt], 6.0)
    return due + np.round(late).astype(np.int64)


def _snap_to_run(cust, c, target, earliest):
    anchor, cadence = cust["pay_anchor"][c], cust["cadence"][c]
    pay = _prev_run(target, anchor, cadence)
    return np.where(pay < earliest, _next_run(earliest, anchor, cadence), pay)


def _simulate_settlement(rng, cust, ch) -> dict:
    """Settlement pieces per charge: payments, credit memos, write-offs, adjustments."""
    m, c = ch["m"], ch["cust"]
    prof = cust["profile"][c]
    amount = ch["amount"]
    doc_date = ch["doc_date"]
    pay_day = _snap_to_run(cust, c, _intended_pay_day(rng, cust, ch), doc_date + 2)

    u = rng.random(m)
    eligible_dispute = ch["kind"] != _INVOICE_KIND_DM
    disputed = eligible_dispute & (u < cust["dispute_rate"][c])
    partial = ~disputed & (u < cust["dispute_rate"][c] + cust["partial_rate"][c])
    partial &= amount >= 20_000
    returned = (
        ~disputed & ~partial & (ch["kind"] == _INVOICE_KIND_ONEOFF)
        & (rng.random(m) < np.where(prof == CHRONIC, 0.05, 0.02))
    )
    plain = ~disputed & ~partial

    tgt, kind, amt, day, src = [], [], [], [], []

    def add(t, k, a, d, s=None):
        tgt.append(np.asarray(t, dtype=np.int64))
        kind.append(np.full(len(t), k))
        amt.append(np.asarray(a, dtype=np.int64))
        day.append(np.asarray(d, dtype=np.int64))
        src.append(np.full(len(t), -1) if s is None else np.asarray(s, dtype=np.int64))

    # Partial payments: a round-ish first instalment, the rest a few weeks later.
    pi = np.flatnonzero(partial)
    frac = rng.uniform(0.3, 0.8, size=len(pi))
    first = np.maximum(100, np.round(amount[pi] * frac / 10_000) * 10_000).astype(np.int64)
    first = np.minimum(first, amount[pi] - 100)
    rest_day = _snap_to_run(cust, c[pi], pay_day[pi] + rng.integers(14, 46, size=len(pi)), pay_day[pi] + 1)
    add(pi, _PAY, first, pay_day[pi])
    add(pi, _PAY, amount[pi] - first, rest_day)

    # Disputes: the dealer short-pays the disputed part; it is credited or paid at resolution.
    di = np.flatnonzero(disputed)
    nd = len(di)
    weights = np.asarray(_REASON_WEIGHTS)[(ch["kind"][di] == _INVOICE_KIND_ONEOFF).astype(int)]
    reason = (rng.random(nd)[:, None] > np.cumsum(weights, axis=1)).sum(axis=1)
    reason = np.minimum(reason, len(_REASONS) - 1)
    lo, hi = np.asarray(_REASON_SHARE).T
    share = rng.uniform(lo[reason], hi[reason])
    disp_amt = np.clip(np.round(amount[di] * share), 100, amount[di]).astype(np.int64)
    opened = doc_date[di] + rng.integers(2, np.maximum(4, cust["terms"][c[di]] + 6))
    duration = np.where(
        rng.random(nd) < 0.06, rng.integers(90, 241, size=nd), np.round(rng.lognormal(np.log(20), 0.7, size=nd))
    ).astype(np.int64)
    resolved = opened + np.maximum(duration, 2)
    p_rej = np.where(prof[di] == CHRONIC, 0.45, 0.30)
    v = rng.random(nd)
    outcome = np.where(v < p_rej, _REJECTED, np.where(v < p_rej + 0.25, _PARTIAL, _CREDIT))
    # Duplicate billing is credited in full unless the dealer was wrong.
    duplicate = reason == _REASONS.index("DUPLICATE_BILLING")
    outcome = np.where(duplicate & (rng.random(nd) < 0.85), _CREDIT, outcome)
    cm_amt = np.where(
        outcome == _CREDIT,
        disp_amt,
        np.where(outcome == _PARTIAL, np.round(disp_amt * rng.uniform(0.3, 0.7, size=nd)), 0),
    ).astype(np.int64)
    cm_amt = np.where((outcome == _PARTIAL) & (cm_amt >= disp_amt), disp_amt - 1, cm_amt)
    settle_day = _snap_to_run(cust, c[di], resolved + rng.integers(0, 15, size=nd), resolved + 1)
    undisputed = amount[di] - disp_amt
    has_undisputed = undisputed > 0
    add(di[has_undisputed], _PAY, undisputed[has_undisputed], pay_day[di][has_undisputed])
    paid_rest = outcome != _CREDIT
    add(di[paid_rest], _PAY, (disp_amt - cm_amt)[paid_rest], settle_day[paid_rest])
    dispute_cm = (cm_amt > 0) & (resolved <= _END)

    # Returns credited on parts orders: against the invoice if still unpaid, else a credit balance.
    ri = np.flatnonzero(returned)
    ret_day = doc_date[ri] + rng.integers(5, 76, size=len(ri))
    ret_amt = np.maximum(500, np.round(amount[ri] * rng.uniform(0.1, 1.0, size=len(ri)))).astype(np.int64)
    ret_amt = np.minimum(ret_amt, amount[ri])
    keep = ret_day <= _END
    ri, ret_day, ret_amt = ri[keep], ret_day[keep], ret_amt[keep]
    before_pay = ret_day < pay_day[ri]

    # Plain charges (including returns): one payment; returns credited before payment reduce it.
    pl = np.flatnonzero(plain)
    pay_amt = amount.copy()
    pay_amt[ri[before_pay]] -= ret_amt[before_pay]

    # Credit memos table: dispute credits, then returns; ids are assigned later by date.
    cm_cust = np.concatenate([c[di][dispute_cm], c[ri]])
    cm_day = np.concatenate([resolved[dispute_cm], ret_day])
    cm_amount = np.concatenate([cm_amt[dispute_cm], ret_amt])
    cm_ref = np.concatenate([di[dispute_cm], ri])  # the charge it credits
    n_cm_dispute = int(dispute_cm.sum())
    add(di[dispute_cm], _CM, cm_amt[dispute_cm], resolved[dispute_cm], np.arange(n_cm_dispute))
    ret_src = n_cm_dispute + np.arange(len(ri))
    add(ri[before_pay], _CM, ret_amt[before_pay], ret_day[before_pay], ret_src[before_pay])

    # Credits issued after the invoice was paid: cash app uses most on the dealer's next charge.
    float_idx = np.flatnonzero(~before_pay & (rng.random(len(ri)) < 0.65))
    used = np.zeros(m, dtype=bool)
    used[ri] = True
    by_customer = pd.Series(np.arange(m)).groupby(c).indices
    for j in float_idx.tolist():
        cands = by_customer[int(c[ri[j]])]
        later = cands[(doc_date[cands] >= ret_day[j]) & plain[cands] & ~used[cands]]
        later = later[(pay_amt[later] > ret_amt[j]) & (pay_day[later] > np.maximum(ret_day[j], doc_date[later]))]
        if len(later) == 0:
            continue
        t = int(later[0])
        used[t] = True
        pay_amt[t] -= ret_amt[j]
        add([t], _CM, [ret_amt[j]], [max(int(ret_day[j]), int(doc_date[t]))], [ret_src[j]])

    nonzero = pay_amt[pl] > 0
    add(pl[nonzero], _PAY, pay_amt[pl][nonzero], pay_day[pl][nonzero])

    pieces = {
        "tgt": np.concatenate(tgt),
        "kind": np.concatenate(kind),
        "amt": np.concatenate(amt),
        "day": np.concatenate(day),
        "src": np.concatenate(src),
    }
    # Defaulting dealers pay nothing after their default day.
    pc = c[pieces["tgt"]]
    dropped = (pieces["kind"] == _PAY) & (pieces["day"] > cust["default_day"][pc])
    pieces = {k: v[~dropped] for k, v in pieces.items()}

    disputes = {
        "charge": di,
        "reason": reason,
        "amount": disp_amt,
        "opened": opened,
        "resolved": resolved,
        "outcome": outcome,
        "cm_amount": cm_amt,
        "settle_day": settle_day,
        "cm_index": np.where(dispute_cm, np.cumsum(dispute_cm) - 1, -1),
    }
    credit_memos = {"cust": cm_cust, "day": cm_day, "amount": cm_amount, "charge": cm_ref}
    return {"pieces": pieces, "disputes": disputes, "credit_memos": credit_memos}


def _simulate_defaults(rng, cust, ch, pieces, disputed) -> tuple[dict, dict, dict]:
    """Good-faith payments, agency referral and write-offs for defaulting dealers."""
    # Only invoices nobody has touched (no payment, credit or dispute) are written off.
    touched = np.zeros(ch["m"], dtype=bool)
    touched[pieces["tgt"]] = True
    touched[disputed] = True
    by_customer = pd.Series(np.arange(ch["m"])).groupby(ch["cust"]).indices
    extra = {"tgt": [], "kind": [], "amt": [], "day": [], "src": []}
    write_offs = {"cust": [], "day": [], "amount": []}
    referral = np.full(cust["n"], _NEVER)
    for k in np.flatnonzero(cust["profile"] == DEFAULTING).tolist():
        charges = by_customer.get(k, np.array([], dtype=np.int64))
        unpaid = charges[~touched[charges]]
        if len(unpaid) == 0:
            continue
        unpaid = unpaid[np.argsort(ch["doc_date"][unpaid], kind="stable")]
        oldest_due = int(ch["due"][unpaid[0]])
        # Referral once the oldest unpaid invoice is 95-130 days past due.
        threshold = int(rng.integers(95, 131))
        if oldest_due + threshold <= _END - 7:
            referral[k] = int(_busday_after(oldest_due + threshold, 0))
        # Half of them send a good-faith round sum against the oldest unpaid invoice.
        if rng.random() < 0.5:
            g = int(_next_run(
                np.int64(cust["default_day"][k] + rng.integers(20, 150)), cust["pay_anchor"][k], cust["cadence"][k]
            ))
            target = unpaid[0]
            if g <= min(_END, referral[k]) and ch["doc_date"][target] < g:
                amt = int(min(ch["amount"][target] - 100, rng.choice([500, 1000, 1500, 2000, 2500]) * 100))
                if amt > 0:
                    for key, val in zip(("tgt", "kind", "amt", "day", "src"), (target, _PAY, amt, g, -1)):
                        extra[key].append(val)
                    unpaid = unpaid[1:]
        # Some referred accounts are partly written off (oldest invoices first) at a month-end.
        if referral[k] < _NEVER and rng.random() < 0.4:
            w = int(_month_end(referral[k] + rng.integers(45, 200)))
            if w <= _END:
                eligible = unpaid[ch["doc_date"][unpaid] <= w]
                if len(eligible):
                    amounts = ch["amount"][eligible]
                    goal = rng.uniform(0.5, 0.9) * amounts.sum()
                    take = eligible[: max(1, int(np.searchsorted(np.cumsum(amounts), goal)) + 1)]
                    wo = len(write_offs["cust"])
                    write_offs["cust"].append(k)
                    write_offs["day"].append(w)
                    write_offs["amount"].append(int(ch["amount"][take].sum()))
                    for t in take.tolist():
                        piece = (t, _WO, int(ch["amount"][t]), w, wo)
                        for key, val in zip(("tgt", "kind", "amt", "day", "src"), piece):
                            extra[key].append(val)
    extra = {key: np.asarray(v, dtype=np.int64) for key, v in extra.items()}
    write_offs = {key: np.asarray(v, dtype=np.int64) for key, v in write_offs.items()}
    return extra, write_offs, referral


def _simulate_cash(rng, cust, ch, pieces) -> tuple[dict, dict, dict]:
    """Group payment pieces into payments; bank-fee adjustments; unapplied cash."""
    # Payments the dealer makes after the history are not in it.
    is_pay = pieces["kind"] == _PAY
    pieces = {k: v[~is_pay | (pieces["day"] <= _END)] for k, v in pieces.items()}
    c = ch["cust"][pieces["tgt"]]
    is_pay = pieces["kind"] == _PAY

    # Wire and cross-border payments arrive short of the bank fee: cleared by an adjustment.
    p_fee = np.where(cust["pay_method"][c] == 2, 0.04, 0.0008)
    fee_amt = rng.choice([1250, 1500, 2000, 2500, 3500], size=len(c))
    fee = is_pay & (rng.random(len(c)) < p_fee) & (pieces["amt"] > 10 * fee_amt)
    fi = np.flatnonzero(fee)
    pieces["amt"][fi] -= fee_amt[fi]
    adj_day = _month_end(pieces["day"][fi])
    adjustments = {"cust": c[fi], "day": adj_day, "amount": fee_amt[fi]}
    adj_pieces = {
        "tgt": pieces["tgt"][fi], "kind": np.full(len(fi), _ADJ), "amt": fee_amt[fi],
        "day": adj_day, "src": np.arange(len(fi)),
    }

    # One payment per dealer per run day.
    pay_idx = np.flatnonzero(is_pay)
    key = pieces["day"][pay_idx] * 4096 + c[pay_idx]
    uniq, inverse = np.unique(key, return_inverse=True)
    n_pay = len(uniq)
    pay_day = uniq // 4096
    pay_cust = uniq % 4096
    pieces["src"][pay_idx] = inverse
    pay_amount = np.bincount(inverse, weights=pieces["amt"][pay_idx], minlength=n_pay).round().astype(np.int64)

    # Cash application usually same day; later ones fall after the history: unapplied cash.
    lag = rng.choice([0, 1, 2, 3], size=n_pay, p=[0.84, 0.12, 0.03, 0.01])
    applied_day = _busday_after(pay_day, lag)
    # A few payments came without remittance and sit unapplied; a few overpay.
    recent = np.flatnonzero(pay_day >= _END - 45)
    no_remit = rng.choice(recent, size=min(12, len(recent)), replace=False)
    applied_day[no_remit] = _NEVER
    late_half = np.flatnonzero(pay_day >= _END - 200)
    over = rng.choice(late_half, size=min(16, len(late_half)), replace=False)
    pay_amount[over] += rng.choice([5000, 10000, 25000, 50000, 100000], size=len(over))
    pieces["day"][pay_idx] = applied_day[inverse]

    payments = {"cust": pay_cust, "day": pay_day, "amount": pay_amount}
    for k in pieces:
        pieces[k] = np.concatenate([pieces[k], adj_pieces[k]])
    return pieces, payments, adjustments


# ---------------------------------------------------------------------------------- assemble
def _ids(prefix, width, start, count, rng):
    gaps = 1 + (rng.random(count) < 0.02) * rng.integers(1, 4, size=count)
    return np.array([f"{prefix}{k:0{width}d}" for k in (start + np.cumsum(gaps)).tolist()], dtype=object)


def _numbered(rng, prefix, width, start, table):
    """Assign ids in (date, customer) order; returns ids aligned with the table's rows."""
    order = np.lexsort((table["cust"], table["day"]))
    ids = np.empty(len(order), dtype=object)
    ids[order] = _ids(prefix, width, start, len(order), rng)
    return ids


def _assemble(rng, cust, ch, settle, pieces, payments, adjustments, write_offs):
    cms = settle["credit_memos"]
    cm_ids = _numbered(rng, "CM", 6, 41_200, cms)
    pay_ids = _numbered(rng, "PMT", 7, 3_006_500, payments)
    wo_ids = _numbered(rng, "WO", 5, 10_480, write_offs)
    adj_ids = _numbered(rng, "ADJ", 6, 52_300, adjustments)

    # Applications (aggregate pieces of one source on one target on one day).
    live = pieces["day"] <= _END
    p = {k: v[live] for k, v in pieces.items()}
    source_tables = (pay_ids, cm_ids, wo_ids, adj_ids)
    src_offset = np.cumsum([0] + [len(t) for t in source_tables])
    gsrc = src_offset[p["kind"]] + p["src"]
    app = (
        pd.DataFrame({"src": gsrc, "tgt": p["tgt"], "day": p["day"], "amt": p["amt"]})
        .groupby(["src", "tgt", "day"], as_index=False, sort=True)["amt"]
        .sum()
    )

    # Source documents: payments, credit memos, write-offs, adjustments (all negative).
    all_src_ids = np.concatenate(source_tables)
    sources = (payments, cms, write_offs, adjustments)
    src_cust = np.concatenate([t["cust"] for t in sources]).astype(np.int64)
    src_day = np.concatenate([t["day"] for t in sources]).astype(np.int64)
    src_amount = -np.concatenate([t["amount"] for t in sources]).astype(np.int64)
    src_type = np.repeat(
        np.array(["payment", "credit_memo", "write_off", "adjustment"], dtype=object), [len(t) for t in source_tables]
    )
    n_src = len(all_src_ids)

    # References: payments carry the bank reference; credits the invoice they credit.
    method = cust["pay_method"][payments["cust"]]
    bank_ref = rng.integers(1_000_000, 9_999_999, size=len(pay_ids))
    check_no = rng.integers(1_000, 99_999, size=len(pay_ids))
    pay_ref = np.where(
        method == 0,
        np.char.add("ACH ", bank_ref.astype(str)),
        np.where(method == 1, np.char.add("CHK ", check_no.astype(str)), np.char.add("WIRE ", bank_ref.astype(str))),
    ).astype(object)
    src_ref = np.concatenate([
        pay_ref,
        ch["doc_id"][cms["charge"]],
        np.full(len(wo_ids), "Bad debt", dtype=object),
        np.full(len(adj_ids), "Bank fee", dtype=object),
    ])

    applied_as_target = np.bincount(app["tgt"], weights=app["amt"], minlength=ch["m"]).round().astype(np.int64)
    last_as_target = app.groupby("tgt")["day"].max().reindex(range(ch["m"])).to_numpy()
    applied_as_source = np.bincount(app["src"], weights=app["amt"], minlength=n_src).round().astype(np.int64)
    last_as_source = app.groupby("src")["day"].max().reindex(range(n_src)).to_numpy()
    tgt_open = ch["amount"] - applied_as_target
    src_open = src_amount + applied_as_source
    tgt_closed = np.where(tgt_open == 0, np.nan_to_num(last_as_target, nan=_NEVER), _NEVER).astype(np.int64)
    src_closed = np.where(src_open == 0, np.nan_to_num(last_as_source, nan=_NEVER), _NEVER).astype(np.int64)

    d = settle["disputes"]
    open_dispute = d["resolved"] > _END
    disputed_flag = np.zeros(ch["m"], dtype=bool)
    disputed_flag[d["charge"][open_dispute & (d["opened"] <= _END)]] = True

    n_tgt = ch["m"]
    items = pd.DataFrame({
        "document_id": np.concatenate([ch["doc_id"], all_src_ids]),
        "customer_id": cust["customer_id"][np.concatenate([ch["cust"], src_cust])],
        "doc_type": np.concatenate([
            np.where(ch["kind"] == _INVOICE_KIND_DM, "debit_memo", "invoice").astype(object), src_type
        ]),
        "doc_date": np.concatenate([ch["doc_date"], src_day]),
        "due_date": np.concatenate([ch["due"], src_day]),
        "amount": np.concatenate([ch["amount"], src_amount]),
        "currency": cust["currency"][np.concatenate([ch["cust"], src_cust])],
        "terms": np.char.add("NET", cust["terms"].astype(str)).astype(object)[np.concatenate([ch["cust"], src_cust])],
        "reference": np.concatenate([ch["reference"], src_ref]),
        "closed_date": np.concatenate([tgt_closed, src_closed]),
        "disputed": np.concatenate([disputed_flag, np.zeros(n_src, dtype=bool)]),
    })
    items = items.sort_values(["doc_date", "document_id"], kind="stable").reset_index(drop=True)

    doc_ids = np.concatenate([ch["doc_id"], all_src_ids])
    applications = pd.DataFrame({
        "source_id": all_src_ids[app["src"].to_numpy()],
        "target_id": ch["doc_id"][app["tgt"].to_numpy()],
        "amount": app["amt"].to_numpy(),
        "applied_date": app["day"].to_numpy(),
    })
    applications = applications.sort_values(["applied_date", "source_id", "target_id"], kind="stable")
    applications = applications.reset_index(drop=True)
    target_state = {
        "open": tgt_open, "closed": tgt_closed, "doc_ids": doc_ids,
        "closing_source_type": _closing_source_type(app, src_type, n_tgt, tgt_closed),
    }
    return items, applications, app, target_state, cm_ids


def _closing_source_type(app, src_type, n_tgt, tgt_closed):
    """Type of the source whose application closed each target ('' while open)."""
    out = np.full(n_tgt, "", dtype=object)
    tgt = app["tgt"].to_numpy()
    closing = app["day"].to_numpy() == tgt_closed[tgt]
    out[tgt[closing]] = src_type[app["src"].to_numpy()[closing]]
    return out


# ---------------------------------------------------------------------------------- disputes
def _build_disputes(rng, cust, ch, settle, cm_ids):
    d = settle["disputes"]
    keep = d["opened"] <= _END
    idx = np.flatnonzero(keep)
    idx = idx[np.lexsort((d["charge"][idx], d["opened"][idx]))]
    charge = d["charge"][idx]
    k = ch["cust"][charge]
    reason = d["reason"][idx]
    resolved = d["resolved"][idx]
    outcome = d["outcome"][idx]
    is_open = resolved > _END
    paid = (d["settle_day"][idx] <= np.minimum(_END, cust["default_day"][k]))
    status = np.where(is_open, "open", np.where(outcome == _REJECTED, "rejected", "resolved")).astype(object)
    resolution = np.where(
        is_open,
        "",
        np.where(
            outcome == _CREDIT,
            "credit issued",
            np.where(
                outcome == _PARTIAL,
                "partial credit",
                np.where(paid, "customer paid in full", "no credit - billing upheld"),
            ),
        ),
    ).astype(object)
    owner_kind = np.asarray(_REASON_OWNER, dtype=object)[reason]
    use_analyst = rng.random(len(idx)) < 0.6
    owner = np.where(
        use_analyst, np.vectorize(_DISPUTE_ANALYSTS.get, otypes=[object])(owner_kind), cust["collector"][k]
    ).astype(object)

    cm_of = d["cm_index"][idx]
    notes = []
    r_n = rng.integers(4, 25, size=len(idx))
    r_k = rng.integers(1, 4, size=len(idx))
    r_part = rng.integers(0, len(_PARTS), size=len(idx))
    r_pct = rng.choice([3, 5, 7, 8, 10, 12, 15], size=len(idx))
    r_cert = rng.integers(10_000, 99_999, size=len(idx))
    r_tpl = rng.integers(0, 2, size=len(idx))
    dup_of = {}
    for j in range(len(idx)):
        inv = ch["doc_id"][charge[j]]
        cur = cust["currency"][k[j]]
        amt = _money(d["amount"][idx[j]])
        who = cust["contact"][k[j]]
        part = _PARTS[r_part[j]]
        rc = _REASONS[reason[j]]
        n_ord, n_bad = int(r_n[j]), int(min(r_k[j] + r_n[j] // 4, r_n[j] - 1))
        if rc == "PRICING":
            text = (f"{who} says {inv} billed at list, not the {r_pct[j]}% program price; disputes {cur} {amt}"
                    if r_tpl[j] else f"Price on {inv} does not match quote; dealer short-paid {cur} {amt}")
        elif rc == "SHORT_SHIP":
            text = (f"Dealer received {n_ord - n_bad} of {n_ord} {part} on {inv}; "
                    f"short {cur} {amt}, packing slip requested")
        elif rc == "DAMAGED":
            text = (f"Dealer says {n_bad} of {n_ord} {part} arrived damaged; photos requested from {who}"
                    if r_tpl[j] else f"{who} reports damaged {part} on {inv}; freight claim {cur} {amt}")
        elif rc == "DUPLICATE_BILLING":
            prev = dup_of.get(k[j], "an earlier invoice")
            text = f"{inv} looks like a duplicate of {prev}; {who} asks for credit of {cur} {amt}"
        elif rc == "NOT_ORDERED":
            text = f"Dealer did not order the {part} on {inv}; {who} asks for pickup and credit"
        elif rc == "TAX":
            text = (f"Sales tax charged on exempt sale, certificate {r_cert[j]} on file; {cur} {amt}"
                    if not cust["is_ca"][k[j]] else f"GST/HST charged twice on {inv}; {cur} {amt}")
        elif ch["kind"][charge[j]] == _INVOICE_KIND_SUB:
            text = f"Subscription portal down for days; {who} wants {cur} {amt} off {inv}"
        else:
            text = f"Field service on {inv} did not fix the issue; {who} withholding {cur} {amt}"
        dup_of[k[j]] = inv
        if not is_open[j]:
            if outcome[j] == _CREDIT:
                text += f". Credit {cm_ids[cm_of[j]]} issued" if cm_of[j] >= 0 else ". Credit approved"
            elif outcome[j] == _PARTIAL:
                text += f". Agreed partial credit {cm_ids[cm_of[j]]}" if cm_of[j] >= 0 else ". Partial credit agreed"
            else:
                text += ". Billing correct, dealer told to pay"
        notes.append(text)

    return pd.DataFrame({
        "dispute_id": np.array([f"DSP{10_000 + i:06d}" for i in range(len(idx))], dtype=object),
        "document_id": ch["doc_id"][charge],
        "customer_id": cust["customer_id"][k],
        "reason_code": np.asarray(_REASONS, dtype=object)[reason],
        "amount": d["amount"][idx],
        "opened_date": d["opened"][idx],
        "closed_date": np.where(is_open, _NEVER, resolved),
        "owner": owner,
        "status": status,
        "resolution": resolution,
        "notes": np.asarray(notes, dtype=object),
    }), charge, d["opened"][idx]


# -------------------------------------------------------------------------------- activities
def _build_activities(rng, cust, ch, app, target_state, referral, dispute_charge, dispute_opened):
    """Collector work derived from each dealer's past-due invoices on its review days."""
    closed = target_state["closed"]
    due = ch["due"]
    c = ch["cust"]
    anchor = cust["review_anchor"][c]
    window_end = np.minimum(closed - 1, _END)
    k0 = -np.floor_divide(anchor - (due + 1), 14)
    k1 = np.floor_divide(window_end - anchor, 14)
    n_rev = np.maximum(0, k1 - k0 + 1)
    rows = np.repeat(np.arange(ch["m"]), n_rev)
    step = np.arange(len(rows)) - np.repeat(np.cumsum(n_rev) - n_rev, n_rev)
    review = anchor[rows] + 14 * (k0[rows] + step)
    # Open amount of each past-due invoice on the review day.
    ex = pd.DataFrame({"row": np.arange(len(rows)), "tgt": rows, "review": review})
    paid = ex.merge(app[["tgt", "day", "amt"]], on="tgt")
    paid = paid[paid["day"] <= paid["review"]].groupby("row")["amt"].sum()
    open_at = ch["amount"][rows] - paid.reindex(range(len(rows)), fill_value=0).to_numpy()
    ok = open_at > 0
    rows, review, open_at = rows[ok], review[ok], open_at[ok]
    dpd = review - due[rows]
    cust_of = c[rows]

    # One line per (dealer, review day): the oldest past-due invoice leads.
    order = np.lexsort((rows, -dpd, review, cust_of))
    rows, review, open_at, dpd, cust_of = rows[order], review[order], open_at[order], dpd[order], cust_of[order]
    grp_key = cust_of.astype(np.int64) * 100_000 + review
    first = np.r_[True, grp_key[1:] != grp_key[:-1]]
    gid = np.cumsum(first) - 1
    total = np.bincount(gid, weights=open_at).round().astype(np.int64)
    count = np.bincount(gid)
    lead = np.flatnonzero(first)
    g_cust, g_day, g_dpd, g_doc, g_open = cust_of[lead], review[lead], dpd[lead], rows[lead], open_at[lead]
    # Referred accounts belong to the agency from then on.
    keep = g_day < referral[g_cust]
    g_cust, g_day, g_dpd, g_doc, g_open, total, count = (
        a[keep] for a in (g_cust, g_day, g_dpd, g_doc, g_open, total, count)
    )
    ng = len(g_cust)
    prof = cust["profile"][g_cust]
    u = rng.random(ng)
    kind = np.full(ng, "", dtype=object)
    # Dunning letters go out once per stage: the review falling 31-44, 61-74 and 91-104 days past due.
    letter_stage = np.select(
        [(g_dpd >= 31) & (g_dpd < 45), (g_dpd >= 61) & (g_dpd < 75), (g_dpd >= 91) & (g_dpd < 105)], [1, 2, 3], 0
    )
    kind[(g_dpd <= 30) & (u < 0.15)] = "email"
    call_p = np.where(g_dpd > 60, 0.6, 0.45)
    kind[(g_dpd >= 15) & (letter_stage == 0) & (u < call_p)] = "call"
    kind[letter_stage > 0] = "letter"

    # Calls that reach the dealer often end in a promise; its fate is read from the ledger.
    is_call = kind == "call"
    reached = is_call & (rng.random(ng) < 0.55)
    struggling = (prof == DEFAULTING) | ((prof == DETERIORATING) & (g_day >= cust["decline_start"][g_cust]))
    is_promise = reached & (rng.random(ng) < np.where(struggling, 0.8, 0.55))
    close = closed[g_doc]
    by_payment = target_state["closing_source_type"][g_doc] == "payment"
    gap = close - g_day
    # Healthy dealers promise their next check run; struggling ones promise what they cannot pay.
    honest = by_payment & (gap >= 1) & (gap <= 21) & ~(struggling & (rng.random(ng) < 0.7))
    promised = np.where(
        honest,
        np.maximum(g_day + 1, close - rng.integers(0, 4, size=ng)),
        g_day + rng.integers(3, 15, size=ng),
    )
    # No promise is recorded for a day after the history, nor one made moot by a credit.
    is_promise &= (promised <= _END) & (by_payment | (close > promised + 3))
    # A promise is kept when a payment closing the invoice is applied within 3 days of it.
    kept = is_promise & by_payment & (close <= promised + 3)
    pending = is_promise & ~kept & (close >= _NEVER) & (promised + 3 >= _END)
    broken = is_promise & ~kept & ~pending
    kind[is_promise] = "promise"
    outcome = np.full(ng, "", dtype=object)
    outcome[kind == "email"] = "sent"
    outcome[kind == "letter"] = "sent"
    is_call = kind == "call"
    call_outcome = np.asarray(["no answer", "left voicemail"], dtype=object)[rng.integers(0, 2, size=ng)]
    outcome[is_call] = np.where(reached[is_call], "reached", call_outcome[is_call])
    outcome[kept] = "kept"
    outcome[pending] = "pending"
    outcome[broken] = "broken"

    sel = kind != ""
    acts = {
        "cust": g_cust[sel], "doc": ch["doc_id"][g_doc[sel]], "day": g_day[sel], "kind": kind[sel],
        "outcome": outcome[sel], "promised_amount": np.where(is_promise, g_open, -1)[sel],
        "promised_day": np.where(is_promise, promised, _NEVER)[sel], "dpd": g_dpd[sel], "total": total[sel],
        "count": count[sel],
        "stage": letter_stage[sel],
    }

    # Referral to the agency (one per referred defaulting dealer).
    rk = np.flatnonzero(referral < _NEVER)
    ref_total, ref_doc = [], []
    app_tgt, app_day, app_amt = (app[col].to_numpy() for col in ("tgt", "day", "amt"))
    for k in rk.tolist():
        theirs = np.flatnonzero((c == k) & (closed > referral[k]) & (due < referral[k]))
        before = np.isin(app_tgt, theirs) & (app_day <= referral[k])
        ref_total.append(int(ch["amount"][theirs].sum() - app_amt[before].sum()))
        oldest = theirs[np.argmin(due[theirs])] if len(theirs) else -1
        ref_doc.append(ch["doc_id"][oldest] if oldest >= 0 else "")
    agency = rng.integers(0, len(_AGENCIES), size=len(rk))

    # The collector logs a note on about half of the disputes opened.
    logged = rng.random(len(dispute_charge)) < 0.5
    dispute_charge, dispute_opened = dispute_charge[logged], dispute_opened[logged]
    dk = c[dispute_charge]
    text_rows = []
    for i in range(len(acts["cust"])):
        k = acts["cust"][i]
        cur = cust["currency"][k]
        who = cust["contact"][k]
        kd, oc = acts["kind"][i], acts["outcome"][i]
        bal = _money(acts["total"][i])
        if kd == "email":
            text = f"Reminder emailed to {who}: {acts['count'][i]} past-due item(s), {cur} {bal}"
        elif kd == "letter":
            stage = ("Dunning letter 1", "Dunning letter 2", "Final demand")[acts["stage"][i] - 1]
            text = f"{stage} sent: {cur} {bal} past due, oldest {acts['dpd'][i]} days"
        elif kd == "promise":
            promised_amount, promised_day = _money(acts["promised_amount"][i]), _iso(acts["promised_day"][i])
            text = f"{who} promised {cur} {promised_amount} on {acts['doc'][i]} by {promised_day}"
        elif oc == "reached":
            text = f"Spoke with {who} about {cur} {bal} past due"
        else:
            text = f"Called {who} re {acts['doc'][i]}, {oc}"
        text_rows.append(text)

    frames = [
        pd.DataFrame({
            "customer_id": cust["customer_id"][acts["cust"]],
            "document_id": acts["doc"],
            "date": acts["day"],
            "kind": acts["kind"],
            "outcome": acts["outcome"],
            "promised_amount": acts["promised_amount"],
            "promised_date": acts["promised_day"],
            "collector": cust["collector"][acts["cust"]],
            "notes": np.asarray(text_rows, dtype=object),
        }),
        pd.DataFrame({
            "customer_id": cust["customer_id"][rk],
            "document_id": np.asarray(ref_doc, dtype=object),
            "date": referral[rk],
            "kind": "referral",
            "outcome": "placed with agency",
            "promised_amount": -1,
            "promised_date": _NEVER,
            "collector": cust["collector"][rk],
            "notes": np.asarray(
                [f"Referred to {_AGENCIES[a]}: {cust['currency'][k]} {_money(t)} past due"
                 for a, k, t in zip(agency.tolist(), rk.tolist(), ref_total)],
                dtype=object,
            ),
        }),
        pd.DataFrame({
            "customer_id": cust["customer_id"][dk],
            "document_id": ch["doc_id"][dispute_charge],
            "date": dispute_opened,
            "kind": "note",
            "outcome": "dispute logged",
            "promised_amount": -1,
            "promised_date": _NEVER,
            "collector": cust["collector"][dk],
            "notes": "Dispute logged, invoice on hold",
        }),
    ]
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["date", "customer_id", "kind"], kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------------- fx, truth
def _build_fx(rng):
    rate = np.empty(len(_MONTH_STARTS))
    r = 0.735
    shocks = rng.normal(0, 0.007, size=len(rate))
    for i in range(len(rate)):
        r = float(np.clip(r + 0.2 * (0.73 - r) + shocks[i], 0.70, 0.76))
        rate[i] = round(r, 4)
    return pd.DataFrame({
        "currency": "CAD",
        "date": _to_timestamps(_MONTH_STARTS),
        "rate": rate,
    })


def _build_profiles(cust, referral):
    prof = cust["profile"]
    return pd.DataFrame({
        "customer_id": cust["customer_id"],
        "profile": np.asarray(PROFILES, dtype=object)[prof],
        "pay_cadence_days": cust["cadence"],
        "mean_days_late": np.round(np.where(np.isin(prof, [SLOW, CHRONIC, DEFAULTING]), cust["mean_late"], 0), 1),
        "off_season_start_month": np.where(prof == SEASONAL, cust["off_start"], 0),
        "decline_start": _to_timestamps(cust["decline_start"]),
        "decline_days_late_at_end": np.round(cust["decline_late"], 1),
        "default_date": _to_timestamps(cust["default_day"]),
        "stopped_date": _to_timestamps(cust["stop_day"]),
        "referral_date": _to_timestamps(referral),
        "dispute_rate": np.round(cust["dispute_rate"], 4),
        "monthly_fee": cust["fee_dollars"].astype(float),
        "oneoffs_per_month": np.round(cust["oneoff_rate"], 3),
    })


# ---------------------------------------------------------------------------------- public
@functools.lru_cache(maxsize=2)
def _generate(seed: int) -> dict[str, pd.DataFrame]:
    root = np.random.default_rng(seed)
    r_cust, r_charge, r_settle, r_default, r_cash, r_ids, r_disp, r_act, r_fx = root.spawn(9)
    cust = _simulate_customers(r_cust)
    ch = _simulate_charges(r_charge, cust)
    settle = _simulate_settlement(r_settle, cust, ch)
    extra, write_offs, referral = _simulate_defaults(
        r_default, cust, ch, settle["pieces"], settle["disputes"]["charge"]
    )
    pieces = {k: np.concatenate([settle["pieces"][k], extra[k]]) for k in extra}
    pieces, payments, adjustments = _simulate_cash(r_cash, cust, ch, pieces)
    items, applications, app, target_state, cm_ids = _assemble(
        r_ids, cust, ch, settle, pieces, payments, adjustments, write_offs
    )
    disputes, dispute_charge, dispute_opened = _build_disputes(r_disp, cust, ch, settle, cm_ids)
    activities = _build_activities(r_act, cust, ch, app, target_state, referral, dispute_charge, dispute_opened)

    customers = pd.DataFrame({
        "customer_id": cust["customer_id"],
        "customer_name": cust["customer_name"],
        "credit_limit": cust["credit_limit"] * 100,
        "terms": np.char.add("NET", cust["terms"].astype(str)).astype(object),
        "segment": np.asarray(_SEGMENTS, dtype=object)[cust["segment"]],
        "region": np.asarray(_REGIONS, dtype=object)[cust["region"]],
        "sales_rep": cust["sales_rep"],
        "collector": cust["collector"],
        "country": np.where(cust["is_ca"], "CA", "US").astype(object),
        "since": cust["since"],
    })
    tables = {
        "customers": customers,
        "items": items,
        "applications": applications,
        "disputes": disputes,
        "activities": activities,
    }
    _convert(tables)
    tables["fx_rates"] = _build_fx(r_fx)
    tables["customer_profiles"] = _build_profiles(cust, referral)
    return tables


_DATE_COLUMNS = {
    "customers": ("since",),
    "items": ("doc_date", "due_date", "closed_date"),
    "applications": ("applied_date",),
    "disputes": ("opened_date", "closed_date"),
    "activities": ("date", "promised_date"),
}
_MONEY_COLUMNS = {
    "customers": ("credit_limit",),
    "items": ("amount",),
    "applications": ("amount",),
    "disputes": ("amount",),
    "activities": ("promised_amount",),
}


def _convert(tables):
    """Internal day numbers and cents -> datetime64 and float money with two decimals."""
    for name, cols in _DATE_COLUMNS.items():
        for col in cols:
            tables[name][col] = _to_timestamps(tables[name][col].to_numpy()).to_numpy()
    for name, cols in _MONEY_COLUMNS.items():
        for col in cols:
            cents = tables[name][col].to_numpy().astype(np.int64)
            money = cents / 100
            if name == "activities":
                money = np.where(cents < 0, np.nan, money)
            tables[name][col] = money
    for name, frame in tables.items():
        for col in frame.columns:
            if frame[col].dtype == object or pd.api.types.is_string_dtype(frame[col]):
                text = frame[col].astype("str")
                frame[col] = text.where(text != "", np.nan)


def generate_sample(seed: int = 7) -> dict[str, pd.DataFrame]:
    """Generate the synthetic AR portfolio of a dealer network.

    Parameters
    ----------
    seed : int, default 7
        Seed of ``numpy.random.default_rng``; the same seed gives the same tables.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``customers``, ``items``, ``applications``, ``disputes``, ``activities``,
        ``fx_rates`` in the canonical data model, plus ``customer_profiles``: the hidden
        payment profile of each customer (ground truth). Dates are datetime64, money is
        float with two decimals (``NaN``/``NaT`` where missing). Each call returns fresh
        copies.

    Examples
    --------
    >>> tables = generate_sample(seed=7)
    >>> len(tables["customers"])
    1250
    >>> str(tables["items"]["doc_date"].max().date())
    '2026-10-31'
    """
    return {name: frame.copy() for name, frame in _generate(int(seed)).items()}


def _csv_frame(frame: pd.DataFrame, money: tuple[str, ...]) -> pd.DataFrame:
    out = {}
    for col in frame.columns:
        s = frame[col]
        if col in money or col == "monthly_fee":
            cents = np.rint(s.to_numpy(dtype=float) * 100)
            text = np.asarray(_format_cents(np.nan_to_num(cents).astype(np.int64)), dtype=object)
            text[np.isnan(cents)] = ""
            out[col] = text
        elif pd.api.types.is_datetime64_any_dtype(s):
            text = s.dt.strftime("%Y-%m-%d").to_numpy(dtype=object)
            text[s.isna().to_numpy()] = ""
            out[col] = text
        elif pd.api.types.is_bool_dtype(s):
            out[col] = np.where(s.to_numpy(), "true", "false").astype(object)
        elif col == "rate":
            out[col] = np.asarray([f"{x:.4f}" for x in s.tolist()], dtype=object)
        elif pd.api.types.is_float_dtype(s):
            out[col] = np.asarray([f"{x:g}" for x in s.tolist()], dtype=object)
        else:
            out[col] = s.astype(object).where(s.notna(), "").to_numpy(dtype=object)
    return pd.DataFrame(out)


def write_sample(out_dir, seed: int = 7) -> dict[str, Path]:
    """Write the sample portfolio as CSV files with deterministic bytes.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        Folder to write into (created if missing): ``<table>.csv`` for the six tables,
        ``truth/customer_profiles.csv``, and a week of bank receipts after the last day
        (:func:`generate_payments`): ``bank/payments.csv``, with their true allocation in
        ``truth/payment_allocations.csv`` and what makes each hard in ``truth/payment_cases.csv``.
    seed : int, default 7
        Seed passed to :func:`generate_sample`.

    Returns
    -------
    dict of str to pathlib.Path
        Path of each written file, keyed by table name.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     paths = write_sample(tmp, seed=7)
    ...     print(sorted(paths), paths["items"].name)
    ['activities', 'applications', 'customer_profiles', 'customers', 'disputes', 'fx_rates', 'items', 'payment_allocations', 'payment_cases', 'payments'] items.csv
    """
    out_dir = Path(out_dir)
    (out_dir / "truth").mkdir(parents=True, exist_ok=True)
    tables = _generate(int(seed))
    paths = {}
    payments, allocations = generate_payments(seed)
    tables = {**tables, "payments": payments.drop(columns=["case", "remittance_style"]),
              "payment_allocations": allocations, "payment_cases": payments[["payment_id", "case", "remittance_style"]]}
    (out_dir / "bank").mkdir(exist_ok=True)
    places = {"customer_profiles": "truth", "payment_allocations": "truth", "payment_cases": "truth", "payments": "bank"}
    money = {**_MONEY_COLUMNS, "payments": ("amount",), "payment_allocations": ("amount",)}
    for name in (*SAMPLE_TABLES, "customer_profiles", "payments", "payment_allocations", "payment_cases"):
        path = out_dir / places.get(name, "") / f"{name}.csv"
        text = _csv_frame(tables[name], money.get(name, ())).to_csv(index=False, lineterminator="\n")
        path.write_bytes(text.encode("utf-8"))
        paths[name] = path
    return paths


# ------------------------------------------------------------------------ bank payments
PAYMENTS_START = pd.Timestamp("2026-11-02")
_LEGAL = ("Inc.", "LLC", "Ltd.", "Co.", "Corp.", "Company", "Limited")
_REF_FORMS = ("INV{n}", "INV {n}", "Inv#{n}", "invoice {n}", "{n}", "INV-0{n}", "inv.{n}", "#{n}")
_NO_REF = ("", "ACH PAYMENT", "Thank you", "Payment on account", "Oct statement", "EFT CREDIT", "Remittance to follow")
_STRANGERS = ("J SMITH", "NORTHWEST FARM SUPPLY", "ACME HOLDINGS", "R MARTINEZ", "PRAIRIE CO-OP", "BLUE RIDGE LUMBER",
              "M CHEN", "GREENFIELD ESTATES", "HARBOR MARINE", "K O'BRIEN")


def _payer_name(rng, name: str) -> str:
    """How a bank writes a customer's name: as in the master, without its legal form, in
    capitals and cut to 18 characters, or with a typo."""
    style = rng.choice(4, p=[0.5, 0.25, 0.15, 0.1])
    if style == 1:
        for suffix in _LEGAL:
            name = name.replace(" " + suffix, "")
        return name.replace(" & ", " and ").strip(" ,")
    if style == 2:
        return name.upper()[:18]
    if style == 3 and len(name) > 8:
        i = int(rng.integers(1, len(name) - 1))
        return name[:i] + name[i + 1:]
    return name


def _typo(rng, digits: str) -> str:
    i = int(rng.integers(0, len(digits) - 1))
    kind = rng.integers(3)
    if kind == 0:  # two neighbours swapped
        return digits[:i] + digits[i + 1] + digits[i] + digits[i + 2:] if digits[i] != digits[i + 1] else digits[:i] + digits[i + 1:]
    if kind == 1:  # a digit dropped
        return digits[:i] + digits[i + 1:]
    return digits[:i] + str((int(digits[i]) + 1) % 10) + digits[i + 1:]  # a digit misread


def _remittance(rng, documents: list[str], customer_id: str) -> tuple[str, str]:
    """Remittance text for a payment of ``documents``, and its style."""
    style = rng.choice(4, p=[0.55, 0.12, 0.2, 0.13])
    if style == 2:
        return str(rng.choice(_NO_REF)), "no_reference"
    if style == 3:
        return f"{rng.choice(['CUST', 'Acct', 'Customer no.'])} {customer_id}", "customer_number"
    numbers = [d.removeprefix("INV") for d in documents]
    if style == 1:
        k = int(rng.integers(len(numbers)))
        numbers[k] = _typo(rng, numbers[k])
    forms = [str(rng.choice(_REF_FORMS)).format(n=n) for n in numbers]
    lead = str(rng.choice(["", "", "Payment for ", "PMT ", "Remit: ", "Invoices "]))
    return lead + str(rng.choice([", ", " ", "; "])).join(forms), "typo" if style == 1 else "references"


def generate_payments(seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A week of bank receipts after the sample's last day, and their true allocation.

    The receipts (2026-11-02 to 2026-11-06) pay invoices open on 2026-10-31 in the sample of
    the same seed, the way customers pay: one invoice or several; short (a deduction or a bank
    fee), over, or part of an invoice; references in many written forms, with typos, or none,
    or only the customer number; payer names as the bank writes them; and some cash that is no
    customer's (unidentified). Lockbox lines (a fifth) carry the customer id.

    Returns
    -------
    (payments, allocations)
        ``payments`` in the canonical payments layout plus ``case`` and ``remittance_style``
        (what makes each one hard); ``allocations``: ``payment_id``, ``document_id``,
        ``amount``, the truth to score cash application against (an overpayment's rest and
        unidentified cash have no allocation).

    Examples
    --------
    >>> payments, truth = generate_payments(seed=7)
    >>> len(payments), payments["date"].min().date().isoformat(), bool(truth["amount"].sum() <= payments["amount"].sum())
    (601, '2026-11-02', True)
    """
    from arkit.aging import age
    from arkit.ledger import Ledger

    tables = _generate(int(seed))
    ledger = Ledger(tables["items"], customers=tables["customers"], applications=tables["applications"])
    open_items = age(ledger, HISTORY_END.date())
    open_items = open_items[open_items["doc_type"].isin(["invoice", "debit_memo"]) & (open_items["open_amount"] > 0)]
    open_items = open_items.sort_values(["customer_id", "due_date", "document_id"], kind="stable")
    names = tables["customers"].set_index("customer_id")["customer_name"]
    rng = np.random.default_rng([int(seed), 20261102])
    days = pd.bdate_range(PAYMENTS_START, periods=5)
    payments, allocations = [], []
    for customer, invoices in open_items.groupby("customer_id", sort=True):
        if rng.random() >= 0.62:
            continue
        docs = invoices["document_id"].tolist()
        cents = np.rint(invoices["open_amount"].to_numpy() * 100).astype(np.int64)
        case = str(rng.choice(["single", "several", "short", "over", "partial"], p=[0.5, 0.28, 0.1, 0.05, 0.07]))
        if case == "several" and len(docs) < 2:
            case = "single"
        n = int(rng.integers(2, min(5, len(docs)) + 1)) if case == "several" else 1
        paid = cents[:n].copy()
        amount = int(paid.sum())
        if case == "short":
            fee = int(rng.choice([1500, 2500]))
            amount -= fee if rng.random() < 0.4 and amount > 50 * fee else max(1, int(round(amount * rng.uniform(0.005, 0.02))))
            paid[0] = amount
        elif case == "over":
            amount += int(rng.integers(50, 2000))
        elif case == "partial":
            amount = int(round(amount * rng.choice([0.25, 0.5]), -2)) or amount
            paid[0] = amount
        payment_id = f"BNK{7_400_001 + len(payments)}"
        remittance, style = _remittance(rng, docs[:n], customer)
        payments.append({"payment_id": payment_id, "customer_id": customer if rng.random() < 0.2 else None,
                         "date": days[int(rng.integers(len(days)))], "amount": amount / 100,
                         "currency": invoices["currency"].iloc[0], "payer_name": _payer_name(rng, names[customer]),
                         "remittance": remittance, "case": case, "remittance_style": style})
        allocations += [{"payment_id": payment_id, "document_id": d, "amount": c / 100} for d, c in zip(docs[:n], paid)]
    for _ in range(max(1, len(payments) // 25)):  # cash that is no customer's
        payments.append({"payment_id": f"BNK{7_400_001 + len(payments)}", "customer_id": None,
                         "date": days[int(rng.integers(len(days)))], "amount": int(rng.integers(5_000, 900_000)) / 100,
                         "currency": "USD", "payer_name": str(rng.choice(_STRANGERS)),
                         "remittance": str(rng.choice(_NO_REF)), "case": "unidentified", "remittance_style": "none"})
    frame = pd.DataFrame(payments).sort_values(["date", "payment_id"], kind="stable", ignore_index=True)
    frame["date"] = frame["date"].astype("datetime64[s]")
    numbered = dict(zip(frame["payment_id"], [f"BNK{7_400_001 + i}" for i in range(len(frame))]))
    frame["payment_id"] = frame["payment_id"].map(numbered)
    truth = pd.DataFrame(allocations, columns=["payment_id", "document_id", "amount"])
    truth["payment_id"] = truth["payment_id"].map(numbered)
    return frame, truth.sort_values("payment_id", kind="stable", ignore_index=True)
