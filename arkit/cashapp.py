"""Cash application: match each payment to the open invoices it pays, and say why.

:func:`apply_cash` takes payments (the canonical payments layout: ``payment_id``,
``customer_id`` (may be blank), ``date``, ``amount``, ``currency``, ``payer_name``,
``remittance``) and a ledger, and works through the payments in date order against the
invoices and debit memos open on ``as_of`` (default: the ledger's latest date). For each:

1. **Who paid.** The ``customer_id`` when the bank line has one (lockbox); else the customer of
   the invoices its remittance names; else a customer number in the remittance ("CUST
   0010728", "Acct 10728"); else the payer name: the customer master's name with case,
   punctuation, "&"/"and" and legal forms (Inc., LLC, Co., ...) normalized, then, failing an
   exact match, the best fuzzy match (rapidfuzz ``WRatio``, at least ``name_score`` and clear
   of the second best by 3 points) among customers sharing a word of the name.
2. **What it pays**, the first rule that fits, each with a confidence:

   ===================  ==========================================================  ==========
   rule                 when                                                        confidence
   ===================  ==========================================================  ==========
   ``reference``        the invoices named in the remittance (any written form:     0.99
                        "INV-00123", "inv 123", "#123"; :func:`~arkit.reconcile.
                        normalize_keys`) sum to the payment
   ``reference_typo``   the same after reading a number one edit away (a digit      0.95
                        dropped, swapped or misread) as the customer's invoice
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
                        (short or over); 0.8 for a whole amount against an
                        invoice with cents (more like a payment on account)
   ===================  ==========================================================  ==========

   Several candidates where one is needed (two invoices of the amount, two subsets) give
   the oldest as a suggestion at confidence 0.6; a set that is not the customer's oldest open
   items is only a suggestion (0.8: among 20 invoices, some set of 5 often adds up to a round
   amount by chance); a name that may be several customers lowers the confidence by 0.05.
   The tolerance is ``min(tolerance, relative_tolerance x amount)``: 25.00 and 2% by default,
   so a 90.00 invoice tolerates 1.80 and a bank fee of 25.00 needs an invoice of 1,250.00 or
   more. Invoices are paid oldest due date first.
3. **Auto or suggested.** Matches at or above ``auto_threshold`` (0.9) are applied: they
   consume the invoices' open amounts, so no later payment can apply to the same cents.
   The rest are suggestions for an analyst. A payment with a customer but no match is
   ``unapplied`` (cash on account), one without a customer ``unidentified``.

Every payment's ``applied`` (its automatic allocations) plus ``unapplied`` equals its amount,
to the cent; ``deduction`` (a short pay) and ``credit`` (an overpayment) say why a payment and
its invoices differ.

:func:`credit_offsets` proposes which open credit memos and unapplied cash can clear which
open invoices of the same customer.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from arkit.aging import _ledger_as_of, age
from arkit.errors import ArkitError
from arkit.ledger import Ledger
from arkit.reconcile import normalize_keys

__all__ = ["CashApplication", "apply_cash", "credit_offsets", "score_matches", "PAYMENT_COLUMNS"]

PAYMENT_COLUMNS = ("payment_id", "customer_id", "date", "amount", "currency", "payer_name", "remittance")
CONFIDENCE = {"reference": 0.99, "reference_typo": 0.95, "reference_short": 0.95, "reference_over": 0.95,
              "reference_partial": 0.92, "exact_amount": 0.95, "subset_sum": 0.92, "amount_tolerance": 0.9}
AMBIGUOUS = 0.6
SUBSET_NOT_OLDEST = 0.8
MAX_SET = 6  # the most items one payment is matched to without naming them all
FUZZY_NAME_PENALTY = 0.05
LEGAL_FORMS = {"inc", "incorporated", "llc", "ltd", "limited", "co", "corp", "corporation", "company", "plc", "gmbh",
               "sa", "the"}
_CUSTOMER_NUMBER = re.compile(r"(?i)\b(?:cust(?:omer)?|acct|account|client)\b\W*(?:no\b|number\b|#)?\W*([A-Za-z0-9-]+)")
_DIGITS = re.compile(r"\d{3,}")
_TOKENS = re.compile(r"[^\s,;]+")


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
    forms dropped.

    Examples
    --------
    >>> normalize_name("Petersen Farm & Ranch Center, Inc."), normalize_name("PETERSEN FARM AND RANCH CENTER")
    ('petersen farm and ranch center', 'petersen farm and ranch center')
    """
    if not isinstance(name, str):
        return ""
    words = re.sub(r"[^\w\s]", " ", name.lower().replace("&", " and ")).split()
    return " ".join(w for w in words if w not in LEGAL_FORMS)


class _Names:
    """The customer master's names, for lookups of payer names."""

    def __init__(self, customers: pd.DataFrame | None, name_score: float):
        self.score = name_score
        self.verbatim: dict[str, list[str]] = defaultdict(list)
        self.exact: dict[str, list[str]] = defaultdict(list)
        self.by_word: dict[str, list[int]] = defaultdict(list)
        self.names: list[str] = []
        self.ids: list[str] = []
        self._cache: dict[str, tuple[list[str], str]] = {}
        if customers is None or "customer_name" not in customers:
            return
        for customer, name in zip(customers["customer_id"], customers["customer_name"]):
            key = normalize_name(name)
            if not key:
                continue
            self.verbatim[" ".join(name.casefold().split())].append(customer)
            self.exact[key].append(customer)
            for word in set(key.split()):
                self.by_word[word].append(len(self.names))
            self.names.append(key)
            self.ids.append(customer)

    def find(self, payer) -> tuple[list[str], str]:
        """The customers a payer name may be, and how: one customer by its very name (``name``);
        the customers of that name once legal forms and punctuation are dropped (``name``, maybe
        several); the fuzzy matches within 3 points of the best (``name_fuzzy``); or none."""
        if not isinstance(payer, str) or not payer.strip():
            return [], ""
        verbatim = self.verbatim.get(" ".join(payer.casefold().split()), [])
        if len(verbatim) == 1:
            return verbatim, "name"
        return self.loose(payer)

    def loose(self, payer) -> tuple[list[str], str]:
        """:meth:`find` without the very-name step: every customer the name may be."""
        key = normalize_name(payer)
        if key in self.exact:
            return self.exact[key], "name"
        if key not in self._cache:
            # Candidates: the customers sharing the name's two rarest known words (a family or
            # place name, not "equipment"), narrowed to those sharing both when that is many.
            words = sorted({w for w in key.split() if len(w) > 2 and w in self.by_word},
                           key=lambda w: len(self.by_word[w]))[:2]
            lists = [set(self.by_word[w]) for w in words]
            pool = set().union(*lists)
            if len(pool) > 2000 and len(lists) == 2 and lists[0] & lists[1]:
                pool = lists[0] & lists[1]
            candidates = sorted(pool)
            found: tuple[list[str], str] = ([], "")
            # Banks cut long names ("KOWALSKI FARM EQUI"): the names that start with it.
            first = self.by_word.get(key.split()[0], ()) if len(key) >= 12 else ()
            cut = [self.ids[i] for i in first if self.names[i].startswith(key)]
            if cut:
                found = (list(dict.fromkeys(cut)), "name_prefix")
            elif candidates:
                best = process.extract(key, [self.names[i] for i in candidates], scorer=fuzz.WRatio, limit=5)
                if best and best[0][1] >= self.score:
                    near = [self.ids[candidates[b[2]]] for b in best if b[1] >= best[0][1] - 3]
                    found = (list(dict.fromkeys(near)), "name_fuzzy")
            self._cache[key] = found
        return self._cache[key]


class _Book:
    """The open debit items: remaining cents per item, lookups by normalized key and customer."""

    def __init__(self, ledger: Ledger, as_of: dt.date):
        aged = age(ledger, as_of)
        debit = aged["open_amount"] > 0
        if "doc_type" in aged:
            debit &= aged["doc_type"].isin(["invoice", "debit_memo"]) | aged["doc_type"].isna()
        items = aged[debit].sort_values(["due_date", "doc_date", "document_id"], kind="stable").reset_index(drop=True)
        self.ids = items["document_id"].to_numpy(dtype=object)
        self.customers = items["customer_id"].to_numpy(dtype=object)
        self.currencies = items["currency"].to_numpy(dtype=object)
        self.due = items["due_date"].to_numpy(dtype="datetime64[D]").astype(np.int64)
        self.remaining = np.rint(items["open_amount"].to_numpy(dtype=float) * 100).astype(np.int64)
        self.keys = normalize_keys(items["document_id"]).tolist()
        self.by_key: dict[str, list[int]] = defaultdict(list)
        for i, key in enumerate(self.keys):
            self.by_key[key].append(i)
        self.by_customer: dict[str, list[int]] = defaultdict(list)
        for i, customer in enumerate(self.customers):
            self.by_customer[customer].append(i)

    def open_of(self, customer, currency) -> list[int]:
        return [i for i in self.by_customer.get(customer, ()) if self.remaining[i] > 0
                and (currency is None or self.currencies[i] == currency)]


def _remittance_keys(remittances: pd.Series) -> list[list[str]]:
    """Per remittance, the keys it may name: each word normalized like a document number
    (:func:`~arkit.reconcile.normalize_keys`) and each run of 3 or more digits without its
    leading zeros; all remittances normalized in one pass."""
    text = remittances.fillna("").astype(str)
    tokens = text.str.findall(_TOKENS.pattern).explode().dropna()
    normalized = normalize_keys(tokens.astype("str"))
    digits = text.str.findall(_DIGITS.pattern).explode().dropna().str.lstrip("0").replace("", "0")
    keys: list[list[str]] = [[] for _ in range(len(text))]
    for position, key in zip(np.concatenate([normalized.index.to_numpy(), digits.index.to_numpy()]),
                             [*normalized.tolist(), *digits.tolist()]):
        if isinstance(key, str) and key not in keys[position]:
            keys[position].append(key)
    return keys


def _references(keys: list[str], book: _Book, currency) -> tuple[list[int], list[str]]:
    """Open items the remittance's keys name, in its order, and every number of 4 digits or more in it."""
    found, numbers = [], []
    for key in keys:
        rows = [i for i in book.by_key.get(key, ()) if currency is None or book.currencies[i] == currency]
        found.extend(i for i in rows if i not in found)
        if key.isdigit() and len(key) >= 4:
            numbers.append(key)
    return found, numbers


def _near(numbers: list[str], book: _Book, customers, currency) -> list[int]:
    """The open items of ``customers`` whose number is one edit (a digit dropped, swapped or
    misread) from a number of the remittance."""
    near = []
    for customer in customers:
        for i in book.open_of(customer, currency):
            key = book.keys[i]
            if any(0 < OSA.distance(n, key, score_cutoff=1) <= 1 for n in numbers) and i not in near:
                near.append(i)
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
def _combinations(n: int, k: int) -> np.ndarray:
    """Every k of n positions, one row each, in lexicographic order."""
    return np.array(list(itertools.combinations(range(n), k)), dtype=np.intp).reshape(-1, k)


def _subsets(pool: list[int], book: _Book, cents: int, sizes: range, window: int, limit: int) -> list[tuple]:
    """Up to ``limit`` subsets of ``pool`` (its 20 oldest items below ``cents``) of the given
    sizes that sum to ``cents``, their due dates within ``window`` days; oldest first.

    Every subset's sum at once with numpy (at most 60,459 subsets of 1 to 6 of 20 items)."""
    pool = [i for i in pool if 0 < book.remaining[i] <= cents][:20]
    amounts = book.remaining[pool]
    due = book.due[pool]
    found = []
    for size in sizes:
        if size > min(len(pool), MAX_SET):
            break
        combos = _combinations(len(pool), size)
        for row in combos[np.flatnonzero(amounts[combos].sum(axis=1) == cents)]:
            if due[row].max() - due[row].min() <= window:
                found.append(tuple(pool[j] for j in row))
                if len(found) == limit:
                    break
        if len(found) == limit:
            break
    return sorted(found, key=lambda combo: [pool.index(i) for i in combo])


def _by_references(payment: dict, cents: int, book: _Book, tol: int, customers: list[str]):
    """The rules that read the remittance: (rule, confidence, parts, deduction, credit) or None."""
    currency = payment["currency"]
    rows, numbers = payment["references"]
    rows = [i for i in rows if book.remaining[i] > 0]
    if not rows and not numbers:
        return None
    total = int(sum(book.remaining[i] for i in rows))
    if rows and cents == total:
        return "reference", CONFIDENCE["reference"], [(i, int(book.remaining[i])) for i in rows], 0, 0
    # A typo: a number one edit from an open item of the payer (as the name or the other
    # references say) that, with the references found, pays the amount exactly.
    owners = list(dict.fromkeys([*customers, *(book.customers[i] for i in rows)]))
    near = _near(numbers, book, owners, currency)
    if near:
        pool = list(dict.fromkeys(rows + near))
        fits = _subsets(pool, book, cents, range(1, min(len(pool), max(1, len(numbers))) + 1), 10**6, limit=2)
        if len(fits) == 1:
            return "reference_typo", CONFIDENCE["reference_typo"], [(i, int(book.remaining[i])) for i in fits[0]], 0, 0
        if not rows and len(near) == 1 and abs(int(book.remaining[near[0]]) - cents) <= tol:
            i = near[0]  # one item near the number, short or over paid
            short, over = max(0, int(book.remaining[i]) - cents), max(0, cents - int(book.remaining[i]))
            return "reference_typo", CONFIDENCE["reference_typo"], [(i, min(cents, int(book.remaining[i])))], short, over
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
    # More than the items named: they are paid in full; the rest stays on account as a credit.
    return ("reference_over", CONFIDENCE["reference_over"] - 0.05 if agrees else AMBIGUOUS,
            [(i, int(book.remaining[i])) for i in rows], 0, cents - total)


def _by_amount(payment: dict, cents: int, customer, book: _Book, tol: int, max_invoices: int, window: int):
    """The rules for a known customer and no usable reference, or None."""
    pool = book.open_of(customer, payment["currency"])
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
        if cents % 100 == 0 and book.remaining[i] % 100:  # a round sum against an invoice with cents:
            confidence = min(confidence, SUBSET_NOT_OLDEST)  # more like a payment on account
        return "amount_tolerance", confidence, [(i, min(cents, int(book.remaining[i])))], short, over
    return None


def _who(payment: dict, book: _Book, names: _Names, by_number: dict) -> tuple[list[str], str]:
    """The customers a payment may come from, and how that is known (see the module docstring)."""
    if payment["customer_id"]:
        return [payment["customer_id"]], "customer_id"
    number = _CUSTOMER_NUMBER.search(payment["remittance"])
    if number:
        key = number.group(1).upper().lstrip("0") or "0"  # what normalize_keys makes of an id without prefix
        if key in by_number:
            return [by_number[key]], "remittance_customer"
    owners = list(dict.fromkeys(book.customers[i] for i in payment["references"][0]))
    found, how = names.find(payment["payer_name"])
    if len(owners) == 1 and (not found or owners[0] in found or owners[0] in names.loose(payment["payer_name"])[0]):
        return owners, "reference"
    return found, how


def _payments_frame(payments) -> pd.DataFrame:
    if not isinstance(payments, pd.DataFrame):
        raise ArkitError("payments must be a pandas DataFrame in the payments layout "
                         f"({', '.join(PAYMENT_COLUMNS)}); read a file with arkit.bank.read_payments")
    missing = [c for c in ("payment_id", "date", "amount") if c not in payments]
    if missing:
        raise ArkitError(f"payments lack the column(s) {', '.join(missing)} (layout: {', '.join(PAYMENT_COLUMNS)})")
    frame = payments.copy()
    for column in ("customer_id", "currency", "payer_name", "remittance"):
        if column not in frame:
            frame[column] = None
    amounts = pd.to_numeric(frame["amount"], errors="coerce")
    bad = amounts.isna() | (amounts <= 0)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise ArkitError(f"payments row {row + 1} ({frame['payment_id'].iloc[row]}), column amount: "
                         f"{str(frame['amount'].iloc[row])!r} is not a positive amount")
    if frame["payment_id"].duplicated().any():
        dup = frame.loc[frame["payment_id"].duplicated(), "payment_id"].iloc[0]
        raise ArkitError(f"payments: payment_id {dup!r} occurs twice; each bank line needs its own id")
    frame["amount"] = amounts.round(2)
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def apply_cash(payments: pd.DataFrame, ledger: Ledger, *, as_of=None, tolerance: float = 25.0,
               relative_tolerance: float = 0.02, auto_threshold: float = 0.9, max_invoices: int = 5,
               date_window: int = 120, name_score: float = 90.0) -> CashApplication:
    """Match payments to the open invoices of ``ledger`` (see the module docstring for the rules).

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
    """
    if not isinstance(ledger, Ledger):
        raise ArkitError("apply_cash needs a Ledger (arkit.load_ledger(...)): it reads the customers' names too")
    frame = _payments_frame(payments)
    day = _ledger_as_of(ledger, as_of)
    book = _Book(ledger, day)
    names = _Names(ledger.customers, name_score)
    known = set(ledger.customers["customer_id"]) if ledger.customers is not None else set(book.customers)
    by_number = {k: c for c, k in zip(sorted(known), normalize_keys(pd.Series(sorted(known), dtype="str")))}
    allocations, rows = [], []
    order = np.lexsort((frame["payment_id"].astype(str).to_numpy(), frame["date"].to_numpy()))
    records = frame[list(PAYMENT_COLUMNS)].to_dict("records")
    keys = _remittance_keys(frame["remittance"].reset_index(drop=True))
    for position in order:
        payment = {k: (None if not isinstance(v, str) and pd.isna(v) else v) for k, v in records[position].items()}
        payment["remittance"] = str(payment["remittance"] or "")
        payment["references"] = _references(keys[position], book, payment["currency"])
        cents = int(round(payment["amount"] * 100))
        tol = min(int(round(tolerance * 100)), int(round(relative_tolerance * cents)))
        customers, by = _who(payment, book, names, by_number)
        match = _by_references(payment, cents, book, tol, customers)
        if match is not None and customers == [] and match[2]:
            by, customers = "reference", [book.customers[match[2][0][0]]]
        crowded = tied = False
        if match is None:
            # A name may be several customers ("Cascade Forestry Equipment" and the same with
            # "Corp."): the one whose open items fit the amount best; a close second costs
            # confidence, a tie makes it a suggestion.
            maybe = customers
            if by.startswith("name"):
                maybe = list(dict.fromkeys([*customers, *names.loose(payment["payer_name"])[0]]))
            fits = [(c, m) for c in maybe for m in [_by_amount(payment, cents, c, book, tol, max_invoices,
                                                               date_window)] if m is not None]
            fits.sort(key=lambda fit: -fit[1][1])
            if fits:
                customers, match = [fits[0][0]], fits[0][1]
                crowded = len(fits) > 1
                tied = crowded and fits[1][1][1] == match[1]
        rule, confidence, parts, short, over = match or ("", 0.0, [], 0, 0)
        if parts and crowded:
            confidence -= FUZZY_NAME_PENALTY
        if parts and tied:
            confidence = min(confidence, AMBIGUOUS)
        confidence = round(confidence, 2)
        auto = bool(parts) and confidence >= auto_threshold
        for i, part in parts:
            allocations.append((payment["payment_id"], book.ids[i], book.customers[i], part / 100, rule, confidence,
                                "auto" if auto else "suggested"))
            if auto:
                book.remaining[i] -= part
        applied = sum(part for _, part in parts) if auto else 0
        customer = book.customers[parts[0][0]] if parts else customers[0] if len(customers) == 1 else None
        status = "applied" if auto else "suggested" if parts else "unapplied" if customer else "unidentified"
        rows.append((position, customer, by if customer else "", rule, confidence, status, applied / 100,
                     (cents - applied) / 100, short / 100, over / 100))
    columns = ["_position", "matched_customer", "customer_by", "rule", "confidence", "status", "applied", "unapplied",
               "deduction", "credit"]
    outcome = pd.DataFrame(rows, columns=columns).sort_values("_position").drop(columns="_position")
    result = pd.concat([frame.reset_index(drop=True), outcome.reset_index(drop=True)], axis=1)
    allocations = pd.DataFrame(allocations, columns=["payment_id", "document_id", "customer_id", "amount", "rule",
                                                     "confidence", "status"])
    return CashApplication(allocations, result)


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
    day = _ledger_as_of(ledger, as_of)
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
