"""Suggested mappings: which source column feeds which canonical column, with a confidence.

Two kinds of evidence, for every pair of source column and canonical column:

- the header: split into words (``camelCase``, ``snake_case``, spaces, run-together words such
  as ``duedate``), abbreviations expanded (``cust`` customer, ``doc`` document, ``amt``
  amount, ``no`` number...), compared without regard to word order with the canonical name and
  its usual ERP names (:data:`SYNONYMS`), typos and truncations forgiven;
- the contents of a sample of rows: which columns read as dates, as amounts, as flags or
  currency codes; which look like ids; which id is unique on every row (the document id) and
  which repeats (the customer); which date comes first (the document date) and which later.

An assignment (each source column feeds at most one canonical column, the largest total score)
settles conflicts. Two layouts are recognised on top: an open-items export with one amount
(the open amount is the amount too) and a customer column holding names only (the customer id
too). The result stays a mapping file that ``arkit load --mapping`` reads; the confidence and
evidence of each column are YAML comments.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd
import yaml
from rapidfuzz import fuzz
from scipy.optimize import linear_sum_assignment

from arkit.errors import ArkitError
from arkit.loaders.mapping import Mapping, header_key, preset, preset_names
from arkit.parsing import is_missing, parse_amounts, parse_dates, parse_flags
from arkit.schema import TABLES
from arkit.rendering.text import printable

__all__ = ["SYNONYMS", "ABBREVIATIONS", "Suggestion", "suggest_mapping", "header_words"]

#: Words that exports use for the canonical columns, beyond the canonical names themselves.
#: Word order does not matter ("name customer" is "customer name").
SYNONYMS = {
    "document_id": ["document number", "invoice number", "invoice", "number", "document", "reference number",
                    "transaction number", "invoice id", "belnr"],
    "customer_id": ["customer number", "customer", "account", "customer account", "client id", "client number",
                    "debtor", "debtor number", "sold to", "address number", "account number", "payer"],
    "customer_name": ["name", "client", "client name", "account name", "debtor name", "customer full name",
                      "company name", "contact"],
    "doc_date": ["document date", "invoice date", "date", "posting date", "transaction date", "issue date",
                 "billing date", "bill date"],
    "due_date": ["due date", "net due date", "due", "payment due date", "due date receive by", "maturity date"],
    "amount": ["amount", "invoice amount", "original amount", "amount in local currency", "total", "gross amount",
               "debit", "value", "invoice total", "document amount", "original amount due", "net amount",
               "net value", "amount in transaction currency"],
    "open_amount": ["open amount", "open balance", "amount remaining", "balance", "amount due", "outstanding",
                    "remaining", "outstanding amount", "balance due", "residual amount", "open item amount"],
    "closed_date": ["settled date", "clear date", "paid date", "closed date", "close date", "settlement date",
                    "payment received date"],
    "currency": ["currency", "currency code", "local currency", "document currency", "invoice currency"],
    "doc_type": ["type", "document type", "transaction type", "invoice type"],
    "terms": ["terms", "payment terms", "terms of payment", "payment term code"],
    "reference": ["reference", "po number", "po", "memo", "description", "assignment", "invoice reference"],
    "region": ["region", "country", "country code", "area", "territory"],
    "business_unit": ["business unit", "business code", "business area", "company code", "division", "branch"],
    "segment": ["segment", "customer segment", "customer class", "customer group"],
    "sales_rep": ["sales rep", "salesperson", "sales representative", "account manager"],
    "collector": ["collector", "credit analyst", "ar specialist"],
    "disputed": ["disputed", "in dispute", "dispute", "dispute flag"],
}
#: Abbreviations and spellings, word by word (after splitting the header into words).
ABBREVIATIONS = {
    "doc": "document", "docu": "document", "dok": "document", "cust": "customer", "cus": "customer",
    "cst": "customer", "custmr": "customer", "no": "number", "nr": "number", "nbr": "number", "num": "number",
    "nmbr": "number", "#": "number", "amt": "amount", "amnt": "amount", "curr": "currency", "cur": "currency",
    "ccy": "currency", "crcy": "currency", "dt": "date", "dte": "date", "inv": "invoice", "invc": "invoice",
    "acct": "account", "acc": "account", "bal": "balance", "orig": "original", "ref": "reference",
    "desc": "description", "txn": "transaction", "trx": "transaction", "trans": "transaction", "tot": "total",
    "ttl": "total", "rep": "rep", "cntry": "country", "ctry": "country", "seg": "segment", "biz": "business",
    "bus": "business", "nm": "name", "pmt": "payment", "pymt": "payment", "pay": "payment", "outstd": "outstanding",
    "rem": "remaining", "cleared": "clear", "clearing": "clear", "clr": "clear", "settled": "settle",
    "settlement": "settle", "closed": "close", "terms": "term", "days": "day", "invoices": "invoice",
    "posted": "posting", "post": "posting", "pstg": "posting", "issued": "issue", "billed": "bill",
    "billing": "bill", "qty": "quantity", "co": "company", "id": "id", "dispute": "disputed", "opn": "open",
}
STOPWORDS = frozenset({"in", "of", "the", "a", "to", "by", "for", "on", "at", "is", "per"})
#: Words that carry little meaning alone: a header sharing only these with a name is a weak match.
GENERIC_WORDS = {"id": 0.5, "number": 0.5, "date": 0.5, "amount": 0.6, "name": 0.6, "code": 0.5, "total": 0.5,
                 "value": 0.5, "key": 0.4, "type": 0.6, "customer": 0.8, "document": 0.8, "invoice": 0.8}
#: Words of a column that is not the fact itself: a prediction, an estimate, a count of days.
NOT_FACTS = frozenset({"predict", "predicted", "prediction", "forecast", "expected", "estimated", "estimate",
                       "planned", "bucket", "day", "year", "month"})
CODE_TARGETS = frozenset({"doc_type", "currency", "terms", "region", "business_unit", "segment", "disputed",
                          "sales_rep", "collector"})
CONVERSION_WORDS = frozenset({"converted", "conversion", "reporting", "translated"})
CURRENCY_CODES = frozenset("usd eur gbp cad aud nzd chf jpy cny inr sek nok dkk pln czk huf mxn brl zar sgd hkd "
                           "krw aed sar try rub ils thb myr idr php".split())
#: Canonical columns that the contents alone may propose, at a low confidence, when no header names them.
CONTENT_ROLES = ("document_id", "customer_id", "doc_date", "amount", "due_date", "currency")
ACCEPT = 0.45  # lowest confidence proposed
SAMPLE_ROWS = 2000
_DATE_SHAPE = re.compile(r"^\s*(\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|\d{1,2}[ -][A-Za-z]{3,9}[ -]\d{2,4}|[A-Za-z]{3,9} "
                         r"\d{1,2},? \d{4}|(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01]))([ T].*)?$")


@lru_cache(maxsize=1)
def _vocabulary() -> frozenset[str]:
    words = {w for phrases in SYNONYMS.values() for p in phrases for w in p.split()}
    words |= {w for t in TABLES.values() for c in t.columns for w in c.name.split("_")}
    words |= set(ABBREVIATIONS) | set(ABBREVIATIONS.values()) | set(NOT_FACTS) | CURRENCY_CODES | CONVERSION_WORDS
    return frozenset(w for w in words if len(w) > 1)


def _segment(word: str) -> list[str]:
    """A run-together word ("duedate") as known words, when it splits into them wholly."""
    vocabulary = _vocabulary()
    if word in vocabulary or len(word) < 5:
        return [word]
    best: list[list[str] | None] = [[]] + [None] * len(word)
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - 14), end):
            piece = word[start:end]
            if best[start] is not None and (piece in vocabulary and len(piece) > 1):
                candidate = best[start] + [piece]
                if best[end] is None or len(candidate) < len(best[end]):
                    best[end] = candidate
    return best[-1] if best[-1] else [word]


def header_words(header) -> list[str]:
    """The words of a header: split, lower case, abbreviations expanded, stopwords dropped.

    Examples
    --------
    >>> header_words("cust_number"), header_words("invoiceNumber"), header_words("Due Date/Receive By")
    (['customer', 'number'], ['invoice', 'number'], ['due', 'date', 'receive'])
    >>> header_words("DUEDATE"), header_words("Doc. No."), header_words("converted_usd")
    (['due', 'date'], ['document', 'number'], ['converted', 'usd'])
    """
    text = str(header).replace("\ufeff", "")
    text = re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])", " ", text)
    text = text.replace("#", " # ")
    words = []
    for raw in re.split(r"[^A-Za-z0-9#]+", text.lower()):
        for word in _segment(raw) if raw.isalpha() else [raw]:
            word = ABBREVIATIONS.get(word, word)
            if word and word not in STOPWORDS and not word.isdigit():
                words.append(word)
    return words


def _weight(word: str) -> float:
    return GENERIC_WORDS.get(word, 1.0)


def _word_match(word: str, others: list[str]) -> float:
    """How well ``word`` is found among ``others``: 1 the same, 0.85 a truncation or a typo."""
    best = 0.0
    for other in others:
        if word == other:
            return 1.0
        short, long = sorted((word, other), key=len)
        if len(short) >= 3 and long.startswith(short):
            best = max(best, 0.85)
        elif min(len(word), len(other)) >= 5 and fuzz.ratio(word, other) >= 85:
            best = max(best, 0.85)
    return best


def _similarity(words: list[str], phrase: list[str]) -> float:
    """Weighted Dice similarity of two bags of words, in any order."""
    if not words or not phrase:
        return 0.0
    found = sum(_weight(w) * _word_match(w, words) for w in phrase)
    matched_back = sum(_weight(w) * _word_match(w, phrase) for w in words)
    total = sum(map(_weight, words)) + sum(map(_weight, phrase))
    return (found + matched_back) / total


def header_score(header, target: str) -> tuple[float, str]:
    """How much a header reads like ``target``, 0 to 1, and the name it resembles most."""
    words = header_words(header)
    if not words:
        return 0.0, ""
    names = [(target.replace("_", " "), 1.0)] + [(s, 0.95 if len(s.split()) > 1 else 0.88) for s in
                                                 SYNONYMS.get(target, [])]
    best, like = 0.0, ""
    for name, weight in names:
        score = weight * _similarity(words, header_words(name))
        if score > best:
            best, like = score, name
    if NOT_FACTS & set(words) and not NOT_FACTS & set(header_words(like)):
        best *= 0.4
    return best, like


@dataclass(frozen=True)
class _Profile:
    """What the sample says about one column."""

    filled: int = 0
    distinct: int = 0
    dates: float = 0.0           # share of the filled values that read as dates
    amounts: float = 0.0         # ... as amounts
    decimals: float = 0.0        # ... as amounts with cents
    flags: float = 0.0           # ... as yes/no flags
    codes: float = 0.0           # ... as currency codes (three capitals)
    idlike: float = 0.0          # ... as ids: one word with digits, no cents
    words: float = 0.0           # ... as names: letters with a space
    day: np.ndarray | None = None  # the parsed dates, per row (NaT where none)
    ambiguous_dates: bool = False

    @property
    def counted(self) -> bool:
        """Enough values for their counts (distinct, repeated) to mean something."""
        return self.filled >= 20

    @property
    def unique(self) -> float:
        return self.distinct / self.filled if self.filled else 0.0


def _profile(values: pd.Series) -> _Profile:
    text = values.astype("str").str.strip()
    blank = is_missing(values) | text.eq("")
    present = text[~blank]
    n = len(present)
    if n == 0:
        return _Profile()
    shaped = present.str.match(_DATE_SHAPE)
    ambiguous = False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            parsed, bad = parse_dates(present)
        except ArkitError:  # reads both day-first and month-first: dates all the same
            parsed, bad, ambiguous = pd.Series(pd.Timestamp("2000-01-01"), index=present.index), shaped.eq(False), True
        try:
            numbers, unreadable = parse_amounts(present)
        except ArkitError:  # dots that may be thousands: amounts still
            numbers, unreadable = pd.Series(1.0, index=present.index), pd.Series(False, index=present.index)
    years = parsed.dt.year
    is_date = shaped & ~bad & years.between(1980, 2100)
    is_amount = ~unreadable & numbers.notna() & ~shaped
    has_cents = is_amount & present.str.contains(r"(?:\.\d+|,\d{1,2})-?\)?\s*$", regex=True) \
        & ~present.str.match(r"^-?\d+\.0+$")
    flags_ok = present.str.lower().isin({"yes", "no", "true", "false", "y", "n", "0", "1", "x", "t", "f"})
    if flags_ok.all():
        flags_ok = ~parse_flags(present)[1]
    idlike = present.str.match(r"^[A-Za-z0-9][A-Za-z0-9\-_/.]*$") & present.str.contains(r"\d") & ~has_cents & ~shaped
    day = pd.Series(pd.NaT, index=values.index, dtype="datetime64[s]")
    day[is_date[is_date].index] = parsed[is_date].astype("datetime64[s]")
    return _Profile(
        filled=n, distinct=int(present.nunique()), dates=float(is_date.mean()), amounts=float(is_amount.mean()),
        decimals=float(has_cents.mean()), flags=float(flags_ok.mean()),
        codes=float(present.str.match(r"^[A-Z]{3}$").mean()), idlike=float(idlike.mean()),
        words=float(present.str.contains(r"[A-Za-z]{2,}.*\s.*[A-Za-z]", regex=True).mean()),
        day=day.to_numpy(), ambiguous_dates=ambiguous and bool(shaped.mean() > 0.9))


def _content_fit(p: _Profile, kind: str, target: str, rows: int) -> tuple[float, str]:
    """How well the column's values fit ``target``, 0 to 1, and why, in a few words."""
    if p.filled == 0:
        return 0.5, "empty in the sample"
    if kind == "date":
        return p.dates ** 2, f"{p.dates:.0%} read as dates"
    if kind in ("money", "number"):
        fit = p.amounts ** 2
        if p.counted and (p.distinct <= 2 or p.flags > 0.99):
            fit *= 0.2
        if p.counted and p.decimals < 0.05 and p.idlike > 0.9 and p.unique > 0.9:  # whole, distinct numbers: ids
            fit *= 0.3
        return fit, f"{p.amounts:.0%} read as amounts" + (f", {p.decimals:.0%} with cents" if p.decimals else "")
    if kind == "bool":
        return p.flags, f"{p.flags:.0%} read as yes/no"
    fit = 1.0 if p.dates < 0.5 else 0.3
    if target == "document_id":
        distinct = min(1.0, p.unique / 0.98) if p.counted else 1.0
        fit *= distinct ** 4 * (0.5 + 0.5 * p.idlike) * (1.0 if p.decimals < 0.5 else 0.3)
        return fit, f"{p.distinct:,} distinct in {p.filled:,} filled of {rows:,} rows"
    if target == "customer_id":
        repeats = p.unique < 0.9 and p.distinct > 1
        fit *= (1.0 if repeats or not p.counted else 0.4) * (0.7 + 0.3 * max(p.idlike, p.words)) \
            * (1.0 if p.decimals < 0.5 else 0.3)
        return fit, f"{p.distinct:,} distinct in {p.filled:,} filled (repeats)" if repeats else \
            f"{p.distinct:,} distinct in {p.filled:,} filled"
    if target in ("customer_name", "payer_name"):
        fit *= (0.6 + 0.4 * p.words) * (1.0 if p.amounts < 0.5 else 0.3)
        return fit, f"{p.words:.0%} look like names"
    if target == "currency":
        return fit * (0.3 + 0.7 * p.codes), f"{p.codes:.0%} look like currency codes"
    if target in CODE_TARGETS and p.counted and p.distinct > 30 and p.unique > 0.2:  # codes: few values, many rows
        fit *= 0.3
    return fit * (1.0 if p.amounts < 0.9 or p.distinct < 50 else 0.6), \
        f"{p.distinct:,} distinct value{'s' if p.distinct != 1 else ''}"


def _content_role(p: _Profile, target: str, earliness: float, rows: int) -> float:
    """How clearly the contents alone say ``target`` (the stricter tests of :data:`CONTENT_ROLES`)."""
    if p.filled == 0:
        return 0.0
    full = p.filled / rows if rows else 0.0
    if target == "document_id":
        return float(p.unique > 0.995 and full > 0.98 and p.idlike > 0.9 and p.decimals < 0.05 and p.dates < 0.1)
    if target == "customer_id":
        return float(0.02 < p.unique < 0.5 and p.distinct > 1 and full > 0.98 and p.idlike > 0.9 and p.dates < 0.1)
    if target == "doc_date":
        return float(p.dates > 0.95 and full > 0.98) * earliness
    if target == "due_date":
        return float(p.dates > 0.95 and full > 0.98) * (1 - earliness) * 0.9
    if target == "amount":
        return float(p.amounts > 0.98 and p.decimals > 0.3 and p.unique > 0.3 and full > 0.98)
    if target == "currency":
        return float(p.codes > 0.98 and p.distinct <= 30)
    return 0.0


def _earliness(profiles: dict[str, _Profile]) -> dict[str, float]:
    """For each date column: on the rows it shares with each other date column, how often it is
    the earlier of the two, averaged over the others (1: always first, as a document date is)."""
    dated = {h: p.day for h, p in profiles.items() if p.dates > 0.95 and p.day is not None}
    out = {}
    for header, days in dated.items():
        shares = []
        for other, other_days in dated.items():
            both = ~np.isnat(days) & ~np.isnat(other_days)
            if other != header and both.sum():
                shares.append(float((days[both] <= other_days[both]).mean()))
        out[header] = float(np.mean(shares)) if shares else 0.5
    return out


@dataclass(frozen=True)
class Suggestion:
    """A proposed mapping, with a confidence and the evidence for each column.

    Attributes
    ----------
    mapping : Mapping
        What ``arkit load --mapping`` reads (:meth:`to_yaml` writes it, with comments).
    columns : pandas.DataFrame
        One row per mapped source column: ``source``, ``target`` (``"amount, open_amount"`` when
        it feeds two), ``confidence`` (0 to 1) and ``evidence``.
    missing : list of str
        Required canonical columns that no source column feeds.
    extras : list of str
        Source columns left unmapped: they load as extra attributes under their own header.
    why : str
        One line: how the mapping was found and what is left to do.
    notes : list of str
        Further advice (e.g. dates that read day-first as well as month-first).
    """

    mapping: Mapping
    columns: pd.DataFrame
    missing: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)
    why: str = ""
    notes: list[str] = field(default_factory=list)

    def to_yaml(self) -> str:
        """The mapping as YAML, each column's confidence and evidence in a comment beside it."""
        body = self.mapping.to_yaml().splitlines()
        start = body.index("columns:") if "columns:" in body else None
        evidence = {row.source: row for row in self.columns.itertuples()}
        lines = [printable(f"# {self.why}")]
        if start is None:
            return "\n".join(lines + body) + "\n"
        rows = []
        for source, target in self.mapping.columns.items():
            entry = yaml.safe_dump({source: target}, default_flow_style=None if isinstance(target, list) else False,
                                   allow_unicode=True, width=10**6).strip()
            row = evidence.get(source)
            # Comments quote headers: escaped, so that a header cannot move the cursor or hide a line.
            rows.append((entry, printable(f"# {row.confidence:.2f}  {row.evidence}") if row is not None else ""))
        width = max((len(e) for e, _ in rows), default=0)
        rendered = [f"  {e.ljust(width)}  {c}".rstrip() for e, c in rows]
        end = start + 1
        while end < len(body) and body[end].startswith(" "):
            end += 1
        tail = [f"# required, not found: {', '.join(self.missing) if self.missing else 'none'}"]
        if self.extras:
            tail.append(f"# kept as extras (unmapped): {', '.join(self.extras)}")
        tail += [f"# {note}" for note in self.notes]
        comments = [printable(line) for line in lines + tail]
        return "\n".join(comments[:1] + body[:start + 1] + rendered + comments[1:] + body[end:]) + "\n"

    def __str__(self) -> str:
        return self.to_yaml()

    def __iter__(self):
        """Unpacks as ``mapping, why``, as :func:`suggest_mapping` returned before it said more."""
        return iter((self.mapping, self.why))


def _best_preset(headers: list[str], table: str) -> tuple[Mapping | None, float]:
    keys = {header_key(h) for h in headers}
    best, best_share = None, 0.0
    for name in preset_names():
        candidate = preset(name)
        if candidate.table != table or not candidate.columns:
            continue
        share = sum(header_key(s) in keys for s in candidate.columns) / len(candidate.columns)
        if share > best_share:
            best, best_share = candidate, share
    return best, best_share


def _sample(frame: pd.DataFrame, rows: int) -> pd.DataFrame:
    """Up to ``rows`` rows spread over the whole frame (every k-th), in order."""
    if len(frame) <= rows:
        return frame
    return frame.iloc[np.linspace(0, len(frame) - 1, rows).astype(int)]


def suggest_mapping(source, table: str = "items", *, presets: bool = True, sample_rows: int = SAMPLE_ROWS
                    ) -> Suggestion:
    """Propose a mapping for a source's headers, and its rows if given; say how sure and what is left.

    Parameters
    ----------
    source : list of str or pandas.DataFrame
        The headers, or the raw table (text cells, as :func:`arkit.read_source_file` reads it):
        then its values count too, on an evenly spread sample of ``sample_rows`` rows.
    table : str
        The canonical table to map to (default ``items``).
    presets : bool
        Propose a shipped preset when the headers hold at least 80% of its source columns.

    Returns
    -------
    Suggestion
        ``mapping``, ``columns`` (confidence and evidence per column), ``missing``, ``extras``.

    Examples
    --------
    >>> suggestion = suggest_mapping(["Invoice No", "Cust Number", "Invoice Date", "Amount", "Note"])
    >>> suggestion.mapping.columns
    {'Invoice No': 'document_id', 'Cust Number': 'customer_id', 'Invoice Date': 'doc_date', 'Amount': 'amount'}
    >>> suggestion.extras
    ['Note']

    With rows, the contents decide what headers cannot: ``key`` is unique on every row, so it is
    the document; ``acct`` repeats, so it is the customer; ``d1`` is the earlier date:

    >>> raw = pd.DataFrame({"key": ["A1", "A2", "A3", "A4"], "acct": ["K7", "K7", "K9", "K9"],
    ...                     "d2": ["2026-02-28", "2026-03-03", "2026-03-30", "2026-04-09"],
    ...                     "d1": ["2026-01-29", "2026-02-01", "2026-02-28", "2026-03-10"],
    ...                     "value_usd": ["10.50", "99.99", "1,250.00", "7.25"]})
    >>> suggestion = suggest_mapping(raw)
    >>> suggestion.mapping.columns
    {'key': 'document_id', 'acct': 'customer_id', 'd2': 'due_date', 'd1': 'doc_date', 'value_usd': 'amount'}
    >>> suggestion.mapping.currency, suggestion.missing
    ('USD', [])
    """
    frame = source if isinstance(source, pd.DataFrame) else None
    headers = [str(h) for h in (frame.columns if frame is not None else source)]
    if table not in TABLES:
        raise ArkitError(f"table {table!r} is not one of {', '.join(TABLES)}")
    spec = TABLES[table]
    if presets:
        best, share = _best_preset(headers, table)
        if best is not None and share >= 0.8:
            mapped = [h for h in headers if best.targets(h)]
            columns = pd.DataFrame({"source": mapped, "target": [", ".join(best.targets(h)) for h in mapped],
                                    "confidence": 1.0, "evidence": f"preset {best.name!r}"})
            missing = [c for c in spec.required if not any(c in best.targets(h) for h in headers)
                       and not (c in best.group_header)]
            return Suggestion(best, columns, missing, [h for h in headers if h not in mapped],
                              f"the headers match preset {best.name!r} ({share:.0%} of its columns)")
    sample = _sample(frame, sample_rows) if frame is not None and len(frame) else None
    rows = len(sample) if sample is not None else 0
    profiles = {h: _profile(sample.iloc[:, i]) for i, h in enumerate(headers)} if sample is not None else {}
    earliness = _earliness(profiles)
    targets = [c for c in spec.columns]
    scores = np.zeros((len(headers), len(targets)))
    evidence: dict[tuple[int, int], str] = {}
    for i, header in enumerate(headers):
        profile = profiles.get(header)
        for j, column in enumerate(targets):
            named, like = header_score(header, column.name)
            score, why = 0.0, ""
            if named >= 0.5:
                fit, said = _content_fit(profile, column.kind, column.name, rows) if profile else (1.0, "")
                score = named * (0.4 + 0.6 * fit)
                why = f"header ~ {like!r}" + (f"; {said}" if said else "")
            if profile and column.name in CONTENT_ROLES and not NOT_FACTS & set(header_words(header)):
                alone = 0.55 * _content_role(profile, column.name, earliness.get(header, 0.5), rows)
                if alone > score:
                    score, why = alone, f"from the values: {_content_fit(profile, column.kind, column.name, rows)[1]}"
                    if column.kind == "date":
                        why += f"; earlier than the other dates on {earliness.get(header, 0.5):.0%} of rows"
            if column.required:
                score *= 1.05  # a required column takes a close call
            scores[i, j], evidence[(i, j)] = score, why
    chosen: dict[str, list[str]] = {}
    confidence: dict[str, float] = {}
    why_of: dict[str, str] = {}
    if len(headers) and len(targets):
        # Cubes: one strong match outweighs two middling ones that would displace it.
        for i, j in zip(*linear_sum_assignment(np.where(scores >= ACCEPT, scores, 0) ** 3, maximize=True)):
            score = min(scores[i, j] / (1.05 if targets[j].required else 1.0), 1.0)
            if score >= ACCEPT:
                chosen[headers[i]] = [targets[j].name]
                confidence[headers[i]], why_of[headers[i]] = score, evidence[(i, j)]
    mapping_options: dict = {}
    notes = _layouts(chosen, why_of, profiles, mapping_options)
    notes += _check_dates(chosen, profiles)
    ordered = {h: (chosen[h][0] if len(chosen[h]) == 1 else chosen[h]) for h in headers if h in chosen}
    fed = {t for ts in chosen.values() for t in ts}
    missing = [c for c in spec.required if c not in fed]
    extras = [h for h in headers if h not in chosen]
    columns = pd.DataFrame({"source": list(ordered), "target": [", ".join(chosen[h]) for h in ordered],
                            "confidence": [round(confidence[h], 2) for h in ordered],
                            "evidence": [why_of[h] for h in ordered]})
    basis = f"headers and {rows:,} sample row{'s' if rows != 1 else ''}" if rows else "headers"
    unsure = [h for h in ordered if confidence[h] < 0.7]
    why = (f"suggested from the {basis}: {len(ordered)} of {len(headers)} columns mapped"
           + (f"; no header found for {', '.join(missing)}: add them" if missing else "; every required column found")
           + (f"; check {', '.join(unsure)} (confidence below 0.70)" if unsure else ""))
    mapping = Mapping(columns=ordered, name="suggested", table=table, **mapping_options)
    return Suggestion(mapping, columns, missing, extras, why, notes)


def _layouts(chosen: dict[str, list[str]], why_of: dict[str, str], profiles: dict[str, _Profile],
             options: dict) -> list[str]:
    """Two layouts that a column-by-column assignment cannot see; amounts converted to one currency."""
    notes = []
    by_target = {t: h for h, ts in chosen.items() for t in ts}
    amount = by_target.get("amount")
    converted = _converted_currency(amount) if amount else None
    if converted and "open_amount" in by_target and not _converted_currency(by_target["open_amount"]):
        del chosen[amount]  # the open amount is in the document currency: the converted one stays an extra
        notes.append(f"{amount!r} holds amounts converted to {converted.upper()}: kept as an extra")
        amount = None
    elif converted and "currency" not in by_target:
        options["currency"] = converted.upper()
        why_of[amount] += f"; amounts in {converted.upper()} (currency: {converted.upper()})"
    elif converted:
        currency_column = by_target["currency"]
        del chosen[currency_column]
        options["currency"] = converted.upper()
        notes.append(f"{currency_column!r} is the original currency of amounts converted to {converted.upper()} "
                     f"in {amount!r}: kept as an extra")
    if amount is None and "open_amount" in by_target:
        column = by_target["open_amount"]
        chosen[column] = ["amount", "open_amount"]
        why_of[column] += "; the only amount of an open-items export: it is the amount too"
    if "customer_id" not in by_target and "customer_name" in by_target:
        column = by_target["customer_name"]
        chosen[column] = ["customer_id", "customer_name"]
        why_of[column] += "; no customer number: the name identifies the customer"
    return notes


def _converted_currency(header: str) -> str | None:
    """The currency code in a header of converted amounts ("converted_usd", "Amount EUR")."""
    codes = [w for w in header_words(header) if w in CURRENCY_CODES]
    return codes[0] if codes else None


def _check_dates(chosen: dict[str, list[str]], profiles: dict[str, _Profile]) -> list[str]:
    """Advice the loader would otherwise give later: ambiguous day/month, due dates before documents."""
    notes = []
    by_target = {t: h for h, ts in chosen.items() for t in ts}
    for target in ("doc_date", "due_date", "closed_date"):
        header = by_target.get(target)
        if header in profiles and profiles[header].ambiguous_dates:
            notes.append(f"{header!r} reads both day-first and month-first: set date_format (e.g. '%d/%m/%Y')")
    if "doc_date" in by_target and "due_date" in by_target and by_target["doc_date"] in profiles:
        first, due = profiles[by_target["doc_date"]].day, profiles[by_target["due_date"]].day
        both = ~np.isnat(first) & ~np.isnat(due)
        if both.sum() and (due[both] < first[both]).mean() > 0.5:
            notes.append(f"{by_target['due_date']!r} is before {by_target['doc_date']!r} on most rows: "
                         "check which is which")
    return notes
