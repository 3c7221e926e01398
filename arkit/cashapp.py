"""Cash application: match each payment to the open invoices it pays, and say why.

:func:`apply_cash` takes payments (the canonical payments layout: ``payment_id``,
``customer_id`` (may be blank), ``date``, ``amount``, ``currency``, ``payer_name``,
``remittance``) and a ledger, and matches them to the invoices and debit memos open on
``as_of`` (default: the ledger's latest date) in three passes (:data:`PASSES`), so that what a
payment names explicitly is never taken first by a payment that only has the same amount:

1. ``exact_references``, all payments at once: the references in every remittance are read
   in one pass over the column and joined to the open items; a payment whose named items add
   up to it exactly is applied (rule ``reference``). Two such payments naming one item go to
   pass 2, which settles them in date order.
2. ``references``, the remaining payments whose remittance names open items or holds
   numbers, in date order: reference typos, short, over and part payments of named items,
   with the payer (below).
3. ``amounts``, the payments still left, in date order: exact amounts, subset sums and
   amounts within the tolerance among the payer's items that passes 1 and 2 left open.

**References.** A remittance names an item by its number in any written form ("INV-00123",
"inv 123", "#123"; :func:`~arkit._reconcile.normalize_keys`) and by any run of 3 or more digits,
also glued to a prefix or to another number ("REF:523158", "IN523196", "INV#523158",
"523158/523159"), leading zeros dropped. Numbers that are not references are read past:
dates ("2026-11-02", "11/02/2026", "date 20261102"), amounts ("1,234.56", "USD 980",
"$ 75"), and account, customer and trace numbers ("Acct 10728", "A/C 4471", "TRACE #0921").

**Who paid.** The ``customer_id`` when the bank line has one (lockbox); else a customer number
in the remittance ("CUST 0010728", "Acct 10728"); else the customer of the invoices its
remittance names when the payer name agrees or names nobody else; else the payer name: the
customer master's name with case, punctuation, "&"/"and" and legal forms (Inc., LLC, Co., ...)
normalized, then, failing an exact match, a name the bank cut short, then the best fuzzy match
(rapidfuzz ``WRatio``, at least ``name_score`` and clear of the second best by 3 points) among
customers sharing a word of the name.

**What it pays**, the first rule that fits, each with a confidence:

===================  ==========================================================  ==========
rule                 when                                                        confidence
===================  ==========================================================  ==========
``reference``        the open items named in the remittance sum to the payment   0.99
``reference_typo``   the same after reading a number one edit away (a digit      0.95
                     dropped, swapped or misread) as the customer's invoice
                     (its only such invoice, paid in part: 0.9)
``reference_short``  they sum to more, by at most the tolerance: the shortfall   0.95
                     is a deduction to investigate
``reference_over``   they sum to less, by at most the tolerance: the rest is a    0.95
                     credit on account (by more: 0.9, they are paid in full and
                     the rest waits on account)
``reference_partial`` one invoice named, paid in part                           0.92
``exact_amount``     no reference: the customer's only open invoice of exactly   0.95
                     the payment's amount
``subset_sum``       no reference: the only set of 2 to ``max_invoices`` of its  0.92
                     open invoices (due within ``date_window`` days of each
                     other) summing to the payment, and its oldest ones
``amount_tolerance`` no reference: its only invoice within the tolerance         0.9
                     (short or over), its oldest open one; 0.8 for a later one
                     or a whole amount against an invoice with cents (more
                     like a payment on account)
===================  ==========================================================  ==========

Several candidates where one is needed (two invoices of the amount, two subsets) give
the oldest as a suggestion at confidence 0.6; a set that is not the customer's oldest open
items is only a suggestion (0.8: among 20 invoices, some set of 5 often adds up to a round
amount by chance); a name that may be several customers lowers the confidence by 0.05; a payer
known only by the invoices its remittance names, when they do not fit the amount, gets
suggestions (0.8): the reference may be a typo that names another customer's invoice.
The tolerance is ``min(tolerance, relative_tolerance x amount)``: 25.00 and 2% by default,
so a 90.00 invoice tolerates 1.80 and a bank fee of 25.00 needs an invoice of 1,250.00 or
more. Invoices are paid oldest due date first.

**Auto or suggested.** Matches at or above ``auto_threshold`` (0.9) are applied: they consume
the invoices' open amounts, so no later payment (in the same pass or a later one) can apply to
the same cents. The rest are suggestions for an analyst. A payment with a customer but no
match is ``unapplied`` (cash on account), one without a customer ``unidentified``.

Every payment's ``applied`` (its automatic allocations) plus ``unapplied`` equals its amount,
to the cent; ``deduction`` (a short pay) and ``credit`` (an overpayment) say why a payment and
its invoices differ.

:func:`credit_offsets` proposes which open credit memos and unapplied cash can clear which
open invoices of the same customer.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import re
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from arkit.progress import advance
from arkit._common import ledger_as_of
from arkit.aging import age
from arkit.errors import ArkitError
from arkit.ledger import Ledger
from arkit._reconcile import normalize_keys
from arkit.schema import PAYMENT_COLUMNS, validate_payments

__all__ = ["CashApplication", "apply_cash", "credit_offsets", "score_matches", "PAYMENT_COLUMNS", "PASSES"]

CONFIDENCE = {"reference": 0.99, "reference_typo": 0.95, "reference_short": 0.95, "reference_over": 0.95,
              "reference_partial": 0.92, "exact_amount": 0.95, "subset_sum": 0.92, "amount_tolerance": 0.9}
AMBIGUOUS = 0.6
SUBSET_NOT_OLDEST = 0.8
TYPO_PARTIAL = 0.9  # one item of the payer one edit from the number, paid in part
MAX_SET = 6  # the most items one payment is matched to without naming them all
SUBSET_POOL = 20  # the oldest open items a subset sum is drawn from
FUZZY_NAME_PENALTY = 0.05
NAME_POOL = 300  # more names sharing a word of the payer's than this: those sharing two
# Words banks and payers shorten, read in full (on both sides) before names are compared.
ABBREVIATIONS = {"intl": "international", "ind": "industrial", "inds": "industries", "mfg": "manufacturing",
                 "bros": "brothers", "svc": "service", "svcs": "services", "sply": "supply", "supp": "supply",
                 "eqpt": "equipment", "equip": "equipment", "matls": "materials", "natl": "national",
                 "assoc": "associates", "mgmt": "management", "dist": "distribution", "distr": "distribution",
                 "elec": "electric", "prods": "products", "engr": "engineering", "constr": "construction",
                 "ctr": "center", "mtn": "mountain"}
LEGAL_FORMS = {"inc", "incorporated", "llc", "ltd", "limited", "co", "corp", "corporation", "company", "plc", "gmbh",
               "sa", "the"}
_CUSTOMER_NUMBER = re.compile(r"(?i)\b(?:cust(?:omer)?|acct|account|client)\b\W*(?:no\b|number\b|#)?\W*([A-Za-z0-9-]+)")
# Numbers in a remittance that are not document numbers: dates, amounts, account and trace numbers.
_NOT_REFERENCES = (
    r"(?i)\b\d{4}-\d{1,2}-\d{1,2}\b|\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b"
    r"|\b(?:date|dated|dtd|dt|value date|val)\b\W*\d{6,8}\b"
    r"|(?:\b(?:usd|cad|eur|gbp|chf|amt|amount)\b|\$)\W{0,3}\d[\d,]*(?:\.\d+)?"
    r"|\b\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?\b|\b\d+\.\d{2}\b"
    r"|(?:\b(?:cust(?:omer)?|acct|account|client|iban|aba|routing|rtn|trace|orig id|co id|ind id|bic|swift)\b|\ba/c\b)"
    r"\W*(?:no\b|nr\b|number\b|#)?\W*[A-Za-z0-9-]+")
_DIGITS = r"\d{3,}"
_TOKENS = r"[^\s,;]+"


@dataclass(frozen=True, eq=False)
class CashApplication:
    """What :func:`apply_cash` returns.

    Attributes
    ----------
    allocations : DataFrame
        One row per allocation: ``payment_id``, ``document_id``, ``customer_id``, ``amount``,
        ``rule``, ``confidence``, ``status`` (``auto`` or ``suggested``).
    payments : DataFrame
        One row per payment, in the input's order: its columns, then ``matched_customer``,
        ``customer_by`` (how the payer was recognized), ``rule``, ``confidence``, ``status``
        (``applied``, ``suggested``, ``unapplied`` or ``unidentified``), ``applied``,
        ``unapplied``, ``deduction`` and ``credit``.
    """

    allocations: pd.DataFrame
    payments: pd.DataFrame

    def summary(self) -> dict:
        """Counts and amounts: ``payments``, ``auto_applied`` (payments with an automatic
        allocation), ``amount_applied``, ``amount_unapplied``, ``suggested``, ``unidentified``,
        ``unapplied``, ``deductions``, ``credits``."""
        p = self.payments
        status = p["status"]
        return {"payments": int(len(p)), "auto_applied": int((status == "applied").sum()),
                "amount_applied": _round(p["applied"].sum()), "amount_unapplied": _round(p["unapplied"].sum()),
                "suggested": int((status == "suggested").sum()), "unidentified": int((status == "unidentified").sum()),
                "unapplied": int((status == "unapplied").sum()), "deductions": _round(p["deduction"].sum()),
                "credits": _round(p["credit"].sum())}


def _round(value) -> float:
    return round(float(value) + 0.0, 2)


def normalize_name(name) -> str:
    """A company name in one comparable form: lower case, "&" as "and", punctuation and legal
    forms dropped, common abbreviations (:data:`ABBREVIATIONS`: "Intl", "Mfg", "Sply", ...) in full.

    Examples
    --------
    >>> normalize_name("Petersen Farm & Ranch Center, Inc."), normalize_name("PETERSEN FARM AND RANCH CTR")
    ('petersen farm and ranch center', 'petersen farm and ranch center')
    """
    if not isinstance(name, str):
        return ""
    words = re.sub(r"[^\w\s]", " ", name.lower().replace("&", " and ")).split()
    return " ".join(ABBREVIATIONS.get(w, w) for w in words if w not in LEGAL_FORMS)


class _Names:
    """The customer master's names, for lookups of payer names."""

    def __init__(self, customers: pd.DataFrame | None, name_score: float):
        self.score = name_score
        self.verbatim: dict[str, list[str]] = defaultdict(list)
        self.exact: dict[str, list[str]] = defaultdict(list)
        self.by_word: dict[str, frozenset[int]] = {}
        self.names = np.array([], dtype=object)
        self.ids = np.array([], dtype=object)
        self.prefix_order: list[int] = []
        self.sorted_names: list[str] = []
        self._cache: dict[str, tuple[list[str], str]] = {}
        if customers is None or "customer_name" not in customers:
            return
        raw = customers["customer_name"].tolist()
        normalized = {name: normalize_name(name) for name in set(raw)}
        by_word, names, ids = defaultdict(list), [], []
        for customer, name in zip(customers["customer_id"].tolist(), raw):
            key = normalized[name]
            if not key:
                continue
            self.verbatim[" ".join(name.casefold().split())].append(customer)
            self.exact[key].append(customer)
            for word in set(key.split()):
                by_word[word].append(len(names))
            names.append(key)
            ids.append(customer)
        self.by_word = {word: frozenset(rows) for word, rows in by_word.items()}
        self.names, self.ids = np.array(names, dtype=object), np.array(ids, dtype=object)
        self.prefix_order = sorted(range(len(names)), key=names.__getitem__)
        self.sorted_names = [names[i] for i in self.prefix_order]

    def find(self, payer) -> tuple[list[str], str]:
        """The customers a payer name may be, and how: one customer by its very name (``name``);
        the customers of that name once legal forms and punctuation are dropped (``name``, maybe
        several); the names the bank cut it from (``name_prefix``); the fuzzy matches within 3
        points of the best (``name_fuzzy``); or none."""
        if not isinstance(payer, str) or not payer.strip():
            return [], ""
        verbatim = self.verbatim.get(" ".join(payer.casefold().split()), [])
        if len(verbatim) == 1:
            return verbatim, "name"
        return self.loose(payer)

    def loose(self, payer) -> tuple[list[str], str]:
        """:meth:`find` without the very-name step: every customer the name may be."""
        if payer not in self._cache:
            key = normalize_name(payer)
            self._cache[payer] = (self.exact[key], "name") if key in self.exact else self._search(key)
        return self._cache[payer]

    def _search(self, key: str) -> tuple[list[str], str]:
        if not key:
            return [], ""
        # Banks cut long names ("KOWALSKI FARM EQUI"): the names that start with it.
        if len(key) >= 12:
            start = bisect.bisect_left(self.sorted_names, key)
            end = start
            while end < len(self.sorted_names) and self.sorted_names[end].startswith(key):
                end += 1
            if end > start:
                return list(dict.fromkeys(self.ids[sorted(self.prefix_order[start:end])])), "name_prefix"
        # Candidates: the customers sharing the name's two rarest known words (a family or
        # place name, not "equipment"), narrowed to those sharing both when that is many.
        words = sorted({w for w in key.split() if len(w) > 2 and w in self.by_word},
                       key=lambda w: len(self.by_word[w]))[:2]
        if not words:
            return [], ""
        lists = [self.by_word[w] for w in words]
        both = lists[0] & lists[-1]
        if len(lists) == 2 and len(lists[0]) + len(lists[1]) - len(both) > NAME_POOL and both:
            pool = np.array(sorted(both), dtype=np.intp)
        else:
            pool = np.array(sorted(lists[0] | lists[-1]), dtype=np.intp)
        # Only scores within 3 points of a best of at least name_score count.
        best = process.extract(key, self.names[pool].tolist(), scorer=fuzz.WRatio, limit=5,
                               score_cutoff=self.score - 3)
        if not best or best[0][1] < self.score:
            return [], ""
        near = [self.ids[pool[b[2]]] for b in best if b[1] >= best[0][1] - 3]
        return list(dict.fromkeys(near)), "name_fuzzy"


class _Book:
    """The open debit items, oldest due date first within each customer: remaining cents per
    item, normalized keys, and each customer's items as one slice."""

    def __init__(self, ledger: Ledger, as_of: dt.date):
        aged = age(ledger, as_of)
        debit = aged["open_amount"] > 0
        if "doc_type" in aged:
            debit &= aged["doc_type"].isin(["invoice", "debit_memo"]) | aged["doc_type"].isna()
        items = aged[debit]
        owners = items["customer_id"].to_numpy(dtype=object)
        codes, customers = pd.factorize(owners)
        due = items["due_date"].to_numpy(dtype="datetime64[D]").astype(np.int64)
        issued = items["doc_date"].to_numpy(dtype="datetime64[D]").astype(np.int64)
        # age() lists each customer's items by due date and document number: keep that order for ties.
        order = np.lexsort((np.arange(len(items)), issued, due, codes))
        self.ids = items["document_id"].to_numpy(dtype=object)[order]
        self.customers = owners[order]
        self.currencies = items["currency"].to_numpy(dtype=object)[order]
        currency_codes, self.currency_list = pd.factorize(self.currencies)
        self.currency_codes = currency_codes
        self.currency_code = {currency: k for k, currency in enumerate(self.currency_list)}
        self.due = due[order]
        self.remaining = np.rint(items["open_amount"].to_numpy(dtype=float) * 100).astype(np.int64)[order]
        keys = normalize_keys(items["document_id"].iloc[order].reset_index(drop=True))
        self.keys = keys.to_numpy(dtype=object)
        self.key_table = pd.DataFrame({"key": keys, "item": np.arange(len(order))})
        self.code_of = {customer: k for k, customer in enumerate(customers)}
        self.starts = np.searchsorted(codes[order], np.arange(len(customers) + 1))

    def open_of(self, customer, currency) -> list[int]:
        """The customer's items with cents left (in ``currency`` unless it is None), oldest first."""
        k = self.code_of.get(customer)
        if k is None:
            return []
        start, end = self.starts[k], self.starts[k + 1]
        keep = self.remaining[start:end] > 0
        if currency is not None:
            keep &= self.currency_codes[start:end] == self.currency_code.get(currency, -2)
        return (np.flatnonzero(keep) + start).tolist()


def _remittance_keys(remittances: pd.Series) -> pd.DataFrame:
    """The keys every remittance may name, all remittances at once: each word normalized like a
    document number (:func:`~arkit._reconcile.normalize_keys`) and each run of 3 or more digits
    without its leading zeros, once the dates, amounts and account numbers are blanked out.
    Columns ``position`` (of the remittance) and ``key``, in the remittance's order."""
    clean = remittances.str.replace(_NOT_REFERENCES, " ", regex=True)
    tokens = clean.str.findall(_TOKENS).explode().dropna()
    words = normalize_keys(tokens.astype("str"))
    digits = clean.str.findall(_DIGITS).explode().dropna().astype("str").str.lstrip("0").replace("", "0")
    keys = pd.DataFrame({"position": np.concatenate([words.index.to_numpy(), digits.index.to_numpy()]).astype(np.intp),
                         "key": pd.concat([words, digits], ignore_index=True).to_numpy(dtype=object)})
    keys = keys.dropna().sort_values("position", kind="stable").drop_duplicates(["position", "key"])
    return keys.reset_index(drop=True)


def _named_items(keys: pd.DataFrame, book: _Book, currencies: np.ndarray) -> pd.DataFrame:
    """The open items the keys name, in the payment's currency (any, when it has none): columns
    ``position`` and ``item``, in the remittance's order, each item once per payment."""
    found = keys.assign(seq=np.arange(len(keys))).merge(book.key_table, on="key")
    wanted = currencies[found["position"].to_numpy()]
    has = pd.notna(wanted)
    same = book.currencies[found["item"].to_numpy()] == wanted
    found = found[~has | same].sort_values(["seq", "item"], kind="stable")
    return found.drop_duplicates(["position", "item"])[["position", "item"]].reset_index(drop=True)


def _grouped(positions: np.ndarray, values, n: int) -> list[list]:
    """``values`` split by ``positions`` (0 to n - 1), each list in the order given."""
    out: list[list] = [[] for _ in range(n)]
    for position, value in zip(positions.tolist(), list(values)):
        out[position].append(value)
    return out


def _near(numbers: list[str], book: _Book, customers, currency) -> list[int]:
    """The open items of ``customers`` whose number is one edit (a digit dropped, swapped or
    misread) from a number of the remittance."""
    near = []
    for customer in customers:
        rows = book.open_of(customer, currency)
        if not rows:
            continue
        distances = process.cdist(numbers, book.keys[rows].tolist(), scorer=OSA.distance, score_cutoff=1)
        near.extend(i for i, hit in zip(rows, (distances == 1).any(axis=0)) if hit and i not in near)
    return near


def _oldest_first(rows: list[int], book: _Book, cents: int) -> list[tuple[int, int]]:
    """Spread ``cents`` over ``rows`` oldest due date first, each up to its remaining amount."""
    out = []
    for i in sorted(rows, key=lambda i: (book.due[i], i)):
        if cents <= 0:
            break
        take = min(cents, int(book.remaining[i]))
        if take > 0:
            out.append((i, take))
            cents -= take
    return out


@functools.lru_cache(maxsize=None)
def _half_subsets(n: int, most: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every subset of at most ``most`` of n positions: bit masks, 0/1 membership matrix, sizes."""
    masks = np.array([m for m in range(1 << n) if m.bit_count() <= most], dtype=np.int64)
    member = ((masks[:, None] >> np.arange(n)) & 1).astype(np.int64)
    return masks, member, member.sum(axis=1)


def _subsets(pool: list[int], book: _Book, cents: int, sizes: range, window: int, limit: int) -> list[tuple]:
    """Up to ``limit`` subsets of ``pool`` (its 20 oldest items below ``cents``) of the given
    sizes that sum to ``cents``, their due dates within ``window`` days; the smallest sets
    first, then in the pool's order, and the result in the pool's order.

    Meet in the middle: the sums of every small subset of each half of the pool, and the pairs
    of a first-half and a second-half subset that add up to ``cents`` (a sorted search)."""
    rows = np.asarray(pool, dtype=np.intp)
    amounts = book.remaining[rows]
    rows = rows[(amounts > 0) & (amounts <= cents)][:SUBSET_POOL]
    most = min(len(rows), MAX_SET, sizes.stop - 1) if len(sizes) else 0
    if most < sizes.start or not len(rows):
        return []
    amounts, half = book.remaining[rows], len(rows) // 2
    masks_a, member_a, size_a = _half_subsets(half, most)
    masks_b, member_b, size_b = _half_subsets(len(rows) - half, most)
    sums_b = member_b @ amounts[half:]
    by_sum = np.argsort(sums_b, kind="stable")
    wanted = cents - member_a @ amounts[:half]
    lo = np.searchsorted(sums_b[by_sum], wanted, "left")
    count = np.searchsorted(sums_b[by_sum], wanted, "right") - lo
    if not count.any():
        return []
    a = np.repeat(np.arange(len(wanted)), count)
    b = by_sum[np.repeat(lo, count) + np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)]
    fits = (size_a[a] + size_b[b] >= sizes.start) & (size_a[a] + size_b[b] <= most)
    due = book.due[rows].tolist()
    sets = []
    for mask in (masks_a[a] | (masks_b[b] << half))[fits].tolist():
        positions = tuple(j for j in range(len(rows)) if mask >> j & 1)
        days = [due[j] for j in positions]
        if max(days) - min(days) <= window:
            sets.append(positions)
    sets = sorted(sets, key=lambda positions: (len(positions), positions))[:limit]
    return [tuple(int(rows[j]) for j in positions) for positions in sorted(sets)]


def _by_references(rows: list[int], numbers: list[str], currency, cents: int, book: _Book, tol: int,
                   customers: list[str], confirmed: bool = True):
    """The rules that read the remittance: (rule, confidence, parts, deduction, credit) or None.
    ``confirmed``: the payer is known otherwise than by the references themselves."""
    rows = [i for i in rows if book.remaining[i] > 0]
    if customers and any(book.customers[i] in customers for i in rows):
        # Another customer's number beside the payer's own is a typo or not a reference at all.
        rows = [i for i in rows if book.customers[i] in customers]
    if not rows and not numbers:
        return None
    total = int(sum(book.remaining[i] for i in rows))
    if rows and cents == total:
        return "reference", CONFIDENCE["reference"], [(i, int(book.remaining[i])) for i in rows], 0, 0
    # A typo: a number one edit from an open item of the payer (as the name or the other
    # references say) that, with the references found, pays the amount exactly.
    owners = list(dict.fromkeys([*customers, *(book.customers[i] for i in rows)]))
    near = _near(numbers, book, owners, currency) if numbers else []
    if near:
        pool = list(dict.fromkeys(rows + near))
        fits = _subsets(pool, book, cents, range(1, min(len(pool), max(1, len(numbers))) + 1), 10**6, limit=2)
        if len(fits) == 1:
            return "reference_typo", CONFIDENCE["reference_typo"], [(i, int(book.remaining[i])) for i in fits[0]], 0, 0
        if not rows and len(near) == 1 and abs(int(book.remaining[near[0]]) - cents) <= tol:
            i = near[0]  # one item near the number, short or over paid
            short, over = max(0, int(book.remaining[i]) - cents), max(0, cents - int(book.remaining[i]))
            return "reference_typo", CONFIDENCE["reference_typo"], [(i, min(cents, int(book.remaining[i])))], short, over
        if not rows and len(near) == 1 and cents < book.remaining[near[0]]:  # one item near the number, paid in part
            return "reference_typo", TYPO_PARTIAL, [(near[0], cents)], 0, 0
    if not rows:
        return None
    agrees = not customers or any(book.customers[i] in customers for i in rows)
    if 0 < total - cents <= tol:
        return ("reference_short", CONFIDENCE["reference_short"] if agrees else AMBIGUOUS,
                _oldest_first(rows, book, cents), total - cents, 0)
    if 0 < cents - total <= tol:
        return ("reference_over", CONFIDENCE["reference_over"] if agrees else AMBIGUOUS,
                [(i, int(book.remaining[i])) for i in rows], 0, cents - total)
    if cents < total:
        fits = _subsets(rows, book, cents, range(1, len(rows)), 10**6, limit=2)
        if len(fits) == 1:
            return "reference", CONFIDENCE["reference"] - 0.05, [(i, int(book.remaining[i])) for i in fits[0]], 0, 0
        confidence = CONFIDENCE["reference_partial"] if len(rows) == 1 and agrees else AMBIGUOUS
        return "reference_partial", confidence, _oldest_first(rows, book, cents), 0, 0
    # More than the items named: they are paid in full; the rest stays on account as a credit
    # (a suggestion when nothing but that reference says who paid: it may be a typo).
    return ("reference_over", CONFIDENCE["reference_over"] - 0.05 if agrees and confirmed else
            SUBSET_NOT_OLDEST if agrees else AMBIGUOUS,
            [(i, int(book.remaining[i])) for i in rows], 0, cents - total)


def _by_amount(currency, cents: int, customer, book: _Book, tol: int, max_invoices: int, window: int):
    """The rules for a known customer and no usable reference, or None."""
    pool = book.open_of(customer, currency)
    exact = [i for i in pool if book.remaining[i] == cents]
    if exact:  # several of the same amount (a monthly fee): the oldest, as a customer pays them
        return "exact_amount", CONFIDENCE["exact_amount"] - (0.05 if len(exact) > 1 else 0), [(exact[0], cents)], 0, 0
    fits = _subsets(pool, book, cents, range(2, max_invoices + 1), window, limit=50)
    if fits:
        same = len({tuple(sorted(int(book.remaining[i]) for i in f)) for f in fits}) == 1 and len(fits) < 50
        oldest = list(fits[0]) == pool[:len(fits[0])]
        confidence = CONFIDENCE["subset_sum"] if same and oldest else SUBSET_NOT_OLDEST if same else AMBIGUOUS
        return "subset_sum", confidence, [(i, int(book.remaining[i])) for i in fits[0]], 0, 0
    near = [i for i in pool if abs(int(book.remaining[i]) - cents) <= tol]
    if near:
        i = near[0]
        short, over = max(0, int(book.remaining[i]) - cents), max(0, cents - int(book.remaining[i]))
        confidence = CONFIDENCE["amount_tolerance"] if len(near) == 1 else AMBIGUOUS
        if i != pool[0]:  # near the amount of a later item while older ones are open: by chance, often
            confidence = min(confidence, SUBSET_NOT_OLDEST)
        if cents % 100 == 0 and book.remaining[i] % 100:  # a round sum against an invoice with cents:
            confidence = min(confidence, SUBSET_NOT_OLDEST)  # more like a payment on account
        return "amount_tolerance", confidence, [(i, min(cents, int(book.remaining[i])))], short, over
    return None


def _text_or_none(values: pd.Series) -> np.ndarray:
    """A text column as an object array, missing and blank values as None."""
    text = values.astype(object).where(values.notna(), None).to_numpy(dtype=object)
    return np.array([v if isinstance(v, str) and v.strip() else None for v in text], dtype=object)


class _Run:
    """What the passes share: the payments as arrays, the open items, each payment's outcome."""

    def __init__(self, frame: pd.DataFrame, ledger: Ledger, as_of: dt.date, options: dict):
        self.options = options
        self.book = book = _Book(ledger, as_of)
        self.names = _Names(ledger.customers, options["name_score"])
        n = len(frame)
        self.n = n
        self.cents = np.rint(frame["amount"].to_numpy(dtype=float) * 100).astype(np.int64)
        self.customer_id = _text_or_none(frame["customer_id"])
        self.currency = _text_or_none(frame["currency"])
        self.payer = _text_or_none(frame["payer_name"])
        remittances = frame["remittance"].astype(object).where(frame["remittance"].notna(), "").astype("str")
        self.order = np.lexsort((frame["payment_id"].astype(str).to_numpy(), frame["date"].to_numpy()))
        self.rank = np.empty(n, dtype=np.int64)
        self.rank[self.order] = np.arange(n)
        keys = _remittance_keys(remittances)
        self.named = _named_items(keys, book, self.currency)
        self.references = _grouped(self.named["position"].to_numpy(), self.named["item"].tolist(), n)
        numbers = keys[keys["key"].str.fullmatch(r"\d{4,}")]
        self.numbers = _grouped(numbers["position"].to_numpy(), numbers["key"].tolist(), n)
        known = ledger.customers["customer_id"] if ledger.customers is not None else pd.Series(book.customers)
        known = pd.Series(sorted(set(known.dropna())), dtype="str")
        by_number = dict(zip(normalize_keys(known).tolist(), known.tolist()))
        number = normalize_keys(remittances.str.extract(_CUSTOMER_NUMBER.pattern, expand=False))
        self.remittance_customer = np.array([by_number.get(k) if isinstance(k, str) else None for k in number],
                                            dtype=object)
        self.settled = np.zeros(n, dtype=bool)
        self.matched_customer = np.full(n, None, dtype=object)
        self.customer_by = np.full(n, "", dtype=object)
        self.rule = np.full(n, "", dtype=object)
        self.confidence = np.zeros(n)
        self.status = np.full(n, "", dtype=object)
        self.applied = np.zeros(n, dtype=np.int64)
        self.deduction = np.zeros(n, dtype=np.int64)
        self.credit = np.zeros(n, dtype=np.int64)
        self.allocations: list[pd.DataFrame] = []  # columns position, item, cents, rule, confidence, auto
        self.pending: list[tuple] = []
        self._who: dict[int, tuple[list[str], str]] = {}

    def tolerance(self, position: int) -> int:
        cents = int(self.cents[position])
        return min(int(round(self.options["tolerance"] * 100)), int(round(self.options["relative_tolerance"] * cents)))

    def who(self, position: int) -> tuple[list[str], str]:
        """The customers a payment may come from, and how that is known (see the module docstring)."""
        if position not in self._who:
            self._who[position] = self._find_payer(position)
        return self._who[position][:2]

    def confirmed(self, position: int) -> bool:
        """Whether the payer is known otherwise than by the invoices its remittance names."""
        self.who(position)
        return self._who[position][2]

    def _find_payer(self, position: int) -> tuple[list[str], str, bool]:
        if self.customer_id[position]:
            return [self.customer_id[position]], "customer_id", True
        if self.remittance_customer[position]:
            return [self.remittance_customer[position]], "remittance_customer", True
        owners = list(dict.fromkeys(self.book.customers[i] for i in self.references[position]))
        payer = self.payer[position]
        found, how = self.names.find(payer)
        if len(owners) == 1 and (owners[0] in found or owners[0] in self.names.loose(payer)[0]):
            return owners, "reference", True
        if len(owners) == 1 and not found:
            return owners, "reference", False
        return found, how, bool(found)

    def settle(self, position: int, match, customers: list[str], by: str, crowded: bool = False,
               tied: bool = False) -> None:
        """Record a payment's outcome; an automatic match consumes the items' open cents."""
        rule, confidence, parts, short, over = match or ("", 0.0, [], 0, 0)
        if parts and crowded:
            confidence -= FUZZY_NAME_PENALTY
        if parts and tied:
            confidence = min(confidence, AMBIGUOUS)
        confidence = round(confidence, 2)
        auto = bool(parts) and confidence >= self.options["auto_threshold"]
        for i, part in parts:
            self.pending.append((position, i, part, rule, confidence, auto))
            if auto:
                self.book.remaining[i] -= part
        customer = self.book.customers[parts[0][0]] if parts else customers[0] if len(customers) == 1 else None
        self.settled[position] = True
        self.matched_customer[position] = customer
        self.customer_by[position] = by if customer else ""
        self.rule[position], self.confidence[position] = rule, confidence
        self.status[position] = "applied" if auto else "suggested" if parts else "unapplied" if customer else "unidentified"
        self.applied[position] = sum(part for _, part in parts) if auto else 0
        self.deduction[position], self.credit[position] = short, over

    def result(self, frame: pd.DataFrame) -> CashApplication:
        if self.pending:
            position, item, cents, rule, confidence, auto = map(np.array, zip(*self.pending))
            self.allocations.append(pd.DataFrame({"position": position.astype(np.intp), "item": item.astype(np.intp),
                                                  "cents": cents.astype(np.int64), "rule": rule,
                                                  "confidence": confidence.astype(float), "auto": auto.astype(bool)}))
        columns = ["position", "item", "cents", "rule", "confidence", "auto"]
        parts = pd.concat(self.allocations, ignore_index=True) if self.allocations else pd.DataFrame(columns=columns)
        parts = parts.iloc[np.argsort(self.rank[parts["position"].to_numpy(dtype=np.intp)], kind="stable")]
        items = parts["item"].to_numpy(dtype=np.intp)
        allocations = pd.DataFrame({
            "payment_id": frame["payment_id"].to_numpy()[parts["position"].to_numpy(dtype=np.intp)].tolist(),
            "document_id": self.book.ids[items].tolist(), "customer_id": self.book.customers[items].tolist(),
            "amount": parts["cents"].to_numpy(dtype=np.int64) / 100, "rule": parts["rule"].tolist(),
            "confidence": parts["confidence"].to_numpy(dtype=float),
            "status": np.where(parts["auto"].to_numpy(dtype=bool), "auto", "suggested").tolist()})
        outcome = pd.DataFrame({
            "matched_customer": self.matched_customer.tolist(), "customer_by": self.customer_by.tolist(),
            "rule": self.rule.tolist(), "confidence": self.confidence, "status": self.status.tolist(),
            "applied": self.applied / 100, "unapplied": (self.cents - self.applied) / 100,
            "deduction": self.deduction / 100, "credit": self.credit / 100})
        return CashApplication(allocations, pd.concat([frame, outcome], axis=1))


def _exact_references(run: _Run) -> None:
    """Pass 1, all payments at once: those whose named open items add up to them exactly."""
    book = run.book
    position = run.named["position"].to_numpy(dtype=np.intp)
    item = run.named["item"].to_numpy(dtype=np.intp)
    cents = book.remaining[item]
    keep = (cents > 0) & ~run.settled[position]
    position, item, cents = position[keep], item[keep], cents[keep]
    total = np.zeros(run.n, dtype=np.int64)
    np.add.at(total, position, cents)
    exact = (total == run.cents) & (total > 0)
    # An item two such payments name goes to neither here: pass 2 settles them in date order.
    claimed = exact[position]
    claims = np.bincount(item[claimed], minlength=len(book.ids))
    exact[position[claimed & (claims[item] > 1)]] = False
    take = exact[position]
    position, item, cents = position[take], item[take], cents[take]
    book.remaining[item] -= cents
    paid = np.flatnonzero(exact)
    first = item[np.r_[0, np.flatnonzero(np.diff(position)) + 1]] if len(position) else item
    run.settled[paid] = True
    run.matched_customer[paid] = book.customers[first]
    run.customer_by[paid] = np.where(run.customer_id[paid] != None, "customer_id",  # noqa: E711
                                     np.where(run.remittance_customer[paid] != None, "remittance_customer",  # noqa: E711
                                              "reference"))
    run.rule[paid], run.confidence[paid], run.status[paid] = "reference", CONFIDENCE["reference"], "applied"
    run.applied[paid] = run.cents[paid]
    run.allocations.append(pd.DataFrame({"position": position, "item": item, "cents": cents, "rule": "reference",
                                         "confidence": CONFIDENCE["reference"], "auto": True}))


def _references(run: _Run) -> None:
    """Pass 2, in date order: the payments whose remittance names open items or holds numbers
    that may be a typo of one (short, over and part payments, reference typos)."""
    for position in run.order.tolist():
        if run.settled[position] or not (run.references[position] or run.numbers[position]):
            continue
        customers, by = run.who(position)
        match = _by_references(run.references[position], run.numbers[position], run.currency[position],
                               int(run.cents[position]), run.book, run.tolerance(position), customers,
                               confirmed=run.confirmed(position))
        if match is None:
            continue
        if customers == [] and match[2]:
            by, customers = "reference", [run.book.customers[match[2][0][0]]]
        run.settle(position, match, customers, by)


def _amounts(run: _Run) -> None:
    """Pass 3, in date order: every payment still open, by its amount among its payer's items."""
    options = run.options
    for position in run.order.tolist():
        if run.settled[position]:
            continue
        customers, by = run.who(position)
        maybe = customers
        if by.startswith("name"):
            # A name may be several customers ("Cascade Forestry Equipment" and the same with
            # "Corp."): the one whose open items fit the amount best; a close second costs
            # confidence, a tie makes it a suggestion.
            maybe = list(dict.fromkeys([*customers, *run.names.loose(run.payer[position])[0]]))
        fits = [(c, m) for c in maybe
                for m in [_by_amount(run.currency[position], int(run.cents[position]), c, run.book,
                                     run.tolerance(position), options["max_invoices"], options["date_window"])]
                if m is not None]
        fits.sort(key=lambda fit: -fit[1][1])
        match, crowded, tied = None, False, False
        if fits:
            customers, match = [fits[0][0]], fits[0][1]
            crowded = len(fits) > 1
            tied = crowded and fits[1][1][1] == match[1]
            if not run.confirmed(position):  # known only by a reference that matched nothing: it may be a typo
                match = (match[0], min(match[1], SUBSET_NOT_OLDEST), *match[2:])
        run.settle(position, match, customers, by, crowded, tied)


#: The passes of :func:`apply_cash`, in order: (name, function of the run's state).
PASSES = (("exact_references", _exact_references), ("references", _references), ("amounts", _amounts))


def apply_cash(payments: pd.DataFrame, ledger: Ledger, *, as_of=None, tolerance: float = 25.0,
               relative_tolerance: float = 0.02, auto_threshold: float = 0.9, max_invoices: int = 5,
               date_window: int = 120, name_score: float = 90.0) -> CashApplication:
    """Match payments to the open invoices of ``ledger`` (see the module docstring for the passes and rules).

    Examples
    --------
    >>> items = pd.DataFrame({"document_id": ["INV-0101", "INV-0102", "INV-0103"], "customer_id": "C1",
    ...     "doc_date": pd.to_datetime(["2026-09-01", "2026-09-15", "2026-10-01"]),
    ...     "due_date": pd.to_datetime(["2026-10-01", "2026-10-15", "2026-10-31"]), "amount": [500.0, 250.0, 125.0]})
    >>> customers = pd.DataFrame({"customer_id": ["C1"], "customer_name": ["Petersen Farm & Ranch Center, Inc."]})
    >>> payments = pd.DataFrame({"payment_id": ["P1", "P2", "P3"], "date": ["2026-11-02", "2026-11-03", "2026-11-03"],
    ...     "amount": [750.0, 123.0, 99.0], "payer_name": ["PETERSEN FARM AND RANCH", "Petersen Farm & Ranch Center",
    ...     "J SMITH"], "remittance": ["inv 101, #102", "", ""]})
    >>> result = apply_cash(payments, Ledger(items, customers=customers), as_of="2026-10-31")
    >>> result.allocations[["payment_id", "document_id", "amount", "rule", "status"]]
      payment_id document_id  amount              rule status
    0         P1    INV-0101   500.0         reference   auto
    1         P1    INV-0102   250.0         reference   auto
    2         P2    INV-0103   123.0  amount_tolerance   auto
    >>> result.payments[["payment_id", "customer_by", "status", "applied", "unapplied", "deduction"]]
      payment_id customer_by        status  applied  unapplied  deduction
    0         P1   reference       applied    750.0        0.0        0.0
    1         P2        name       applied    123.0        0.0        2.0
    2         P3                unidentified      0.0       99.0        0.0

    An amount-only payment does not take an invoice that a later payment names: the references
    are applied first (pass 1), the amounts last (pass 3).

    >>> later = pd.DataFrame({"payment_id": ["P1", "P2"], "date": ["2026-11-02", "2026-11-05"],
    ...     "amount": [250.0, 250.0], "payer_name": "Petersen Farm & Ranch Center, Inc.", "remittance": ["", "INV-0102"]})
    >>> twice = pd.concat([items, items.assign(document_id="INV-0104", amount=250.0).iloc[[2]]], ignore_index=True)
    >>> apply_cash(later, Ledger(twice, customers=customers), as_of="2026-10-31").allocations[
    ...     ["payment_id", "document_id", "rule"]]
      payment_id document_id          rule
    0         P1    INV-0104  exact_amount
    1         P2    INV-0102     reference
    """
    if not isinstance(ledger, Ledger):
        raise ArkitError("apply_cash needs a Ledger (arkit.load_ledger(...)): it reads the customers' names too")
    frame = validate_payments(payments)
    run = _Run(frame, ledger, ledger_as_of(ledger, as_of),
               dict(tolerance=tolerance, relative_tolerance=relative_tolerance, auto_threshold=auto_threshold,
                    max_invoices=max_invoices, date_window=date_window, name_score=name_score))
    for name, step in PASSES:
        advance(f"cash application: {name.replace('_', ' ')}")
        step(run)
    return run.result(frame)


def score_matches(result: CashApplication, truth: pd.DataFrame) -> dict[str, float]:
    """Precision and recall of the automatic allocations against the true ones, and the auto-match rate.

    An automatic allocation is right when the truth holds the same payment, document and amount
    (to the cent). ``precision`` = right / automatic allocations; ``recall`` = right / true
    allocations; ``auto_rate`` = payments applied automatically / payments.
    """
    def keys(frame):
        cents = np.rint(frame["amount"].to_numpy(dtype=float) * 100).astype(np.int64)
        return set(zip(frame["payment_id"], frame["document_id"], cents.tolist()))

    auto = keys(result.allocations[result.allocations["status"] == "auto"])
    true = keys(truth)
    right = len(auto & true)
    payments = result.payments
    return {"precision": right / len(auto) if auto else float("nan"), "recall": right / len(true) if true else float("nan"),
            "auto_rate": float((payments["status"] == "applied").mean()), "auto_allocations": len(auto),
            "true_allocations": len(true), "right": right}


def credit_offsets(ledger: Ledger, as_of=None) -> pd.DataFrame:
    """Which open credits (credit memos, unapplied cash, other credit balances) can clear which
    open debits of the same customer and currency.

    Per customer: a credit memo whose ``reference`` names an open invoice goes to it first
    (rule ``reference``); then a credit of exactly an invoice's open amount (``exact_amount``);
    then the rest oldest invoice first (``oldest_first``). Proposals only: nothing is applied.
    Columns: ``customer_id``, ``currency``, ``credit_id``, ``credit_type``, ``document_id``,
    ``amount``, ``rule``.

    Examples
    --------
    >>> items = pd.DataFrame({"document_id": ["INV1", "INV2", "CM1", "PMT9"], "customer_id": "C1",
    ...     "doc_type": ["invoice", "invoice", "credit_memo", "payment"],
    ...     "doc_date": pd.to_datetime(["2026-09-01", "2026-10-01", "2026-10-05", "2026-10-20"]),
    ...     "amount": [300.0, 200.0, -50.0, -200.0], "reference": [None, None, "INV2", None]})
    >>> credit_offsets(Ledger(items), "2026-10-31")[["credit_id", "document_id", "amount", "rule"]]
      credit_id document_id  amount          rule
    0       CM1        INV2    50.0     reference
    1      PMT9        INV1   200.0  oldest_first
    """
    day = ledger_as_of(ledger, as_of)
    aged = age(ledger, day)
    aged = aged.sort_values(["due_date", "doc_date", "document_id"], kind="stable")
    aged["cents_"] = np.rint(aged["open_amount"].to_numpy(dtype=float) * 100).astype(np.int64)
    has_reference = "reference" in aged
    rows = []
    for (customer, currency), group in aged.groupby(["customer_id", "currency"], sort=True):
        debits = group[group["cents_"] > 0]
        credits = group[group["cents_"] < 0]
        if debits.empty or credits.empty:
            continue
        left = dict(zip(debits["document_id"], debits["cents_"]))
        for credit in credits.itertuples():
            available = -credit.cents_
            kind = getattr(credit, "doc_type", None) or "credit"
            plan = []
            reference = getattr(credit, "reference", None) if has_reference else None
            if isinstance(reference, str) and left.get(reference, 0) > 0:
                plan.append((reference, "reference"))
            plan += [(d, "exact_amount") for d, c in left.items() if c == available and (d, "reference") not in plan]
            plan += [(d, "oldest_first") for d in left]
            for document, rule in plan:
                if available <= 0:
                    break
                take = min(available, left[document])
                if take > 0:
                    rows.append((customer, currency, credit.document_id, kind, document, take / 100, rule))
                    left[document] -= take
                    available -= take
    return pd.DataFrame(rows, columns=["customer_id", "currency", "credit_id", "credit_type", "document_id", "amount",
                                       "rule"])
