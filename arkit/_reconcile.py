"""Reconcile two ledgers line by line, and explain the difference of their balances to the cent.

One function for the three reconciliations of an AR specialist's month: our ledger against a
customer's statement (AR confirmation), the AR subledger against the general ledger per customer,
and last month's open-items snapshot against this month's (what is new, paid, changed).

Lines pair on a *normalized* key (see :func:`normalize_keys`); each line ends with exactly one
status, decided in this order:

- ``duplicate``: the normalized key occurs more than once on one side. No copy is paired with
  a guess: every copy of that key, on both sides, is a line of its own. A side given as the
  :class:`~arkit.loaders.LoadResult` of :func:`arkit.load` brings the rows the loader set aside
  as repeats of a loaded row (identical in every column, or the same document id with other
  values): the loaded copy reconciles as usual, and each copy set aside is one more
  ``duplicate`` line of that side, its ``note`` naming the side, the source line and the
  loader's reason ("statement line 7: duplicate of line 3");
- ``missing_left`` / ``missing_right``: the key is on one side only (the named side lacks it);
- ``amount_mismatch``: ``|right - left| > max(tolerance, relative_tolerance * max(|left|, |right|))``;
- ``date_mismatch``: the amounts agree but the dates are more than ``date_window`` days apart
  (a date missing on either side is not compared);
- ``matched``: otherwise.

Every line carries ``difference = right - left`` in money, an absent side counting as zero. So,
per customer, the differences of the lines of each status add up, in integer cents, to exactly
``right_balance - left_balance``: the summary is that split. The sign reads as "how far right is
from left": with ``left`` the earlier snapshot, a new invoice is ``+``, a paid one ``-``.

Both tolerances are symmetric (swapping the sides swaps ``missing_left`` and ``missing_right``,
and negates the differences, nothing else). Money is compared as integer cents.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import narwhals.stable.v2 as nw
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from arkit.aging import BLANK_KEY
from arkit.errors import ArkitError
from arkit.ledger import Ledger
from arkit.loaders import LoadResult
from arkit.parsing import normalize_ids, parse_dates

__all__ = ["STATUSES", "DEFAULT_PREFIXES", "SNAPSHOT_CHANGES", "ReconcileResult", "normalize_keys", "reconcile",
           "compare_snapshots"]

STATUSES = ("matched", "amount_mismatch", "date_mismatch", "missing_left", "missing_right", "duplicate")
MATCHED, AMOUNT_MISMATCH, DATE_MISMATCH, MISSING_LEFT, MISSING_RIGHT, DUPLICATE = range(len(STATUSES))
#: Prefixes that ERPs, statements and remittances put before the same document number. Matched
#: without regard to case, longest first, repeatedly, each with any separators ``-_./:#`` after it.
DEFAULT_PREFIXES = ("INVOICE", "INV", "NO.", "#")
#: How the statuses of :func:`compare_snapshots` read for two snapshots of one ledger.
SNAPSHOT_CHANGES = {"matched": "unchanged", "amount_mismatch": "changed", "date_mismatch": "redated",
                    "missing_left": "new", "missing_right": "gone", "duplicate": "duplicate"}

_SPACES = r"[\s\x{00A0}\x{2007}\x{2009}\x{202F}]+"  # RE2 syntax (pyarrow): \s is ASCII only
_FLOAT_DAMAGE = r"^([0-9]+)\.0+$"  # "1930571429.0": an id that went through a spreadsheet as a number


@dataclass(frozen=True, eq=False)
class ReconcileResult:
    """What :func:`reconcile` returns: one row per line, and the per-customer explanation.

    Attributes
    ----------
    lines : pandas.DataFrame
        One row per line: ``key`` (normalized), ``<left>_key`` and ``<right>_key`` (the keys as
        written), the customer, ``<left>_amount``, ``<right>_amount``, ``difference`` (right -
        left, an absent side counting 0), ``<left>_date`` and ``<right>_date`` (when dates are
        compared), ``status`` (a categorical of :data:`STATUSES`) and ``note`` (empty but on
        the copies a loader set aside: side, source line and reason). Lines come in the left's
        row order, then the right's lines that no left line holds, in the right's order, then
        the copies set aside, the left's and then the right's.
    summary : pandas.DataFrame
        One row per customer: ``<left>_balance``, ``<right>_balance``, ``difference`` and one
        column per status with the sum of that status's line differences; these add up to
        ``difference`` to the cent. Largest absolute difference first.
    """

    lines: pd.DataFrame
    summary: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """The lines (one row per line, with ``status``)."""
        return self.lines

    @property
    def counts(self) -> dict[str, int]:
        """Number of lines of each status, every status listed."""
        counts = self.lines["status"].value_counts()
        return {status: int(counts.get(status, 0)) for status in self.lines["status"].cat.categories}

    @property
    def differences(self) -> pd.DataFrame:
        """The lines that need a look: every status but ``matched``."""
        return self.lines[self.lines["status"] != "matched"]

    def __repr__(self) -> str:
        counts = ", ".join(f"{status}={n}" for status, n in self.counts.items() if n)
        return f"ReconcileResult(lines={len(self.lines)}: {counts or 'none'}; customers={len(self.summary)})"


def _prefix_group(prefixes: Sequence[str]) -> str | None:
    """A regex group for one prefix and the separators after it (prefixes compared without spaces)."""
    cleaned = sorted({re.sub(r"\s+", "", p).upper() for p in prefixes} - {""}, key=lambda p: (-len(p), p))
    if not cleaned:
        return None
    return "(?:(?:" + "|".join(re.escape(p) for p in cleaned) + ")[-_./:#]*)"


def _where(values: pa.Array, mask: pa.Array, change, source: pa.Array | None = None) -> pa.Array:
    """``change`` applied to the rows of ``mask`` only (of ``source``, default ``values``).

    Regex kernels cost ten times the kernels that find the rows needing them, and most ids need
    none of them.
    """
    mask = mask.fill_null(False)
    if not pc.any(mask).as_py():
        return values
    return pc.replace_with_mask(values, mask, change(pc.filter(values if source is None else source, mask)))


def _normalized(keys: pa.Array, prefixes: Sequence[str]) -> pa.Array:
    """Arrow kernels over the whole column: upper case, no spaces, no prefixes, no leading zeros."""
    text = pc.utf8_upper(keys)
    # Whitespace other than " " is a control or non-ASCII character: cheap kernels find the rows.
    spaced = pc.or_(pc.match_substring(text, " "), pc.invert(pc.and_(pc.utf8_is_printable(text),
                                                                     pc.string_is_ascii(text))))
    text = _where(text, spaced, lambda rows: pc.replace_substring_regex(rows, _SPACES, ""))
    text = _where(text, pc.match_substring(text, ".0"), lambda rows: pc.replace_substring_regex(rows, _FLOAT_DAMAGE,
                                                                                                  r"\1"))
    group = _prefix_group(prefixes)
    # One pass strips prefixes and zeros; the few keys left empty ("#", "000") take the long way.
    bare = pc.utf8_ltrim(text, "0") if group is None else pc.replace_substring_regex(text, f"^{group}*0*", "")
    text = _where(bare, pc.equal(bare, ""), lambda rows: _all_prefix_or_zeros(rows, group), source=text)
    return pc.if_else(pc.equal(text, ""), pa.scalar(None, text.type), text)


def _all_prefix_or_zeros(text: pa.Array, group: str | None) -> pa.Array:
    """Keys with nothing left after prefixes and zeros: a key that is all prefix stays itself, zeros are 0."""
    if group is not None:
        bare = pc.replace_substring_regex(text, f"^{group}+", "")
        text = pc.if_else(pc.equal(bare, ""), text, bare)
    unpadded = pc.utf8_ltrim(text, "0")
    return pc.if_else(pc.equal(unpadded, ""), pc.if_else(pc.equal(text, ""), text, "0"), unpadded)


def _as_text(values: pd.Series) -> pa.Array:
    """A column of ids as an Arrow string array, blanks as nulls; whole floats lose their ".0"."""
    if pd.api.types.is_float_dtype(values):
        values = normalize_ids(values)[0]
    arrow = pa.array(values.astype("str").array)
    if isinstance(arrow, pa.ChunkedArray):
        arrow = arrow.combine_chunks()
    if arrow.type != pa.string() and arrow.nbytes < 2**31 - 2**20:
        arrow = arrow.cast(pa.string())  # hashing 32-bit offsets is faster
    return pc.if_else(pc.equal(arrow, ""), pa.scalar(None, arrow.type), arrow)


def normalize_keys(values, prefixes: Sequence[str] = DEFAULT_PREFIXES) -> pd.Series:
    """Document numbers in one comparable form, however each system writes them.

    In this order: upper case; every space removed (also inside, and non-breaking ones); an id
    of digits damaged into a float (``"1234.0"``) repaired; the ``prefixes`` (any case,
    repeatedly, each with any separators ``-_./:#`` after it) removed unless nothing would be
    left; leading zeros removed (``"000"`` is ``"0"``). Blank keys become null. Vectorised:
    Arrow kernels over the whole column, regular expressions only on the rows that need them.

    Normalizing may make two keys of one side equal ("INV100" and "100"): :func:`reconcile`
    then reports both as ``duplicate`` rather than pair either.

    Examples
    --------
    >>> normalize_keys(pd.Series(["INV-00123", " inv 123", "#123", "No. 0123", "A-0042", "000", " ", None])).tolist()
    ['123', '123', '123', '123', 'A-0042', '0', nan, nan]
    >>> normalize_keys(pd.Series(["CM-0042", "CM42"]), prefixes=["CM"]).tolist()
    ['42', '42']
    """
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    normalized = _normalized(_as_text(series), prefixes)
    return pd.Series(pd.array(normalized, dtype="str"), index=series.index, name=series.name)


@dataclass
class _Side:
    """One side's columns as arrays: keys as written and normalized, cents, dates, customers."""

    keys: pa.Array
    normalized: pa.Array
    cents: np.ndarray
    dates: np.ndarray | None  # datetime64[s]
    customers: pa.Array | None


def _as_pandas(frame, who: str) -> pd.DataFrame:
    if isinstance(frame, LoadResult):
        return frame.ledger.items
    if isinstance(frame, Ledger):
        return frame.items
    if isinstance(frame, pd.DataFrame):
        return frame
    try:
        native = nw.from_native(frame)
    except TypeError:
        raise ArkitError(f"{who}: expected a Ledger or a data frame (pandas, Polars, DuckDB), "
                         f"got {type(frame).__name__}") from None
    if isinstance(native, nw.LazyFrame):
        native = native.collect()
    return native.to_pandas()


def _require(items: pd.DataFrame, column: str, role: str, option: str, who: str) -> pd.Series:
    if column not in items.columns:
        found = ", ".join(map(str, items.columns)) or "none"
        raise ArkitError(f"{who} has no column {column!r} (the {role}); its columns: {found}. Name it with "
                         f"{option}='...', or {option}=('left name', 'right name') when the sides differ")
    return items[column]


def _cents(values: pd.Series, column: str, who: str) -> np.ndarray:
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        present = values.dropna()
        example = f", e.g. {present.iloc[0]!r}" if len(present) else ""
        raise ArkitError(f"{who} column {column!r} is not numeric (dtype {values.dtype}{example}): load the file "
                         "with arkit.load, or convert the column with pandas.to_numeric")
    numbers = values.to_numpy(dtype="float64", na_value=np.nan)
    bad = ~np.isfinite(numbers)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ArkitError(f"{who} row {row}, column {column!r}: no amount ({values.iloc[row]!r}); "
                         f"{int(bad.sum())} row(s) lack one. Every line needs an amount: fill or drop them")
    return np.rint(numbers * 100).astype(np.int64)


def _dates(values: pd.Series, column: str, who: str) -> np.ndarray:
    parsed, bad = parse_dates(values, where=f"{who} column {column!r}")
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise ArkitError(f"{who} row {row}, column {column!r}: cannot read {values.iloc[row]!r} as a date")
    return parsed.to_numpy(dtype="datetime64[s]")


def _read_side(frame, who: str, key: str, amount: str, date: str | None, customer: str,
               normalize: bool, prefixes: Sequence[str]) -> _Side:
    items = _as_pandas(frame, who)
    keys = _as_text(_require(items, key, "key", "key", who))
    cents = _cents(_require(items, amount, "amount", "amount", who), amount, who)
    dates = None if date is None else _dates(_require(items, date, "date", "date", who), date, who)
    customers = _as_text(items[customer]) if customer in items.columns else None
    return _Side(keys, _normalized(keys, prefixes) if normalize else keys, cents, dates, customers)


def _aggregate(side: _Side, codes: np.ndarray, by_customer: bool) -> tuple[_Side, np.ndarray]:
    """One row per key, amounts summed; the first row's key text and customer; blank keys kept apart."""
    has = codes >= 0
    rows = np.flatnonzero(has)
    distinct, first = np.unique(codes[rows], return_index=True)
    sums = np.zeros(len(distinct), np.int64)
    np.add.at(sums, np.searchsorted(distinct, codes[rows]), side.cents[rows])
    blank = np.flatnonzero(~has)
    keep = np.concatenate([rows[first], blank])
    order = np.argsort(keep, kind="stable")  # the side's own row order
    keep = keep[order]
    taken = pa.array(keep)
    keys = side.keys.take(taken)
    customers = keys if by_customer else None if side.customers is None else side.customers.take(taken)
    aggregated = _Side(keys, side.normalized.take(taken), np.concatenate([sums, side.cents[blank]])[order], None,
                       customers)
    return aggregated, np.concatenate([distinct, np.full(len(blank), -1, codes.dtype)])[order]


def _pairs(left_codes: np.ndarray, right_codes: np.ndarray, n_codes: int):
    """Which left row and right row each line holds (-1: none), and its status where it is decided.

    Integer work only: the keys were hashed once, to codes. Paired lines get status -1.
    """
    size = max(n_codes, 1)
    left_has, right_has = left_codes >= 0, right_codes >= 0
    left_safe, right_safe = np.where(left_has, left_codes, 0), np.where(right_has, right_codes, 0)
    on_left = np.bincount(left_codes[left_has], minlength=size)
    on_right = np.bincount(right_codes[right_has], minlength=size)
    duplicated = (on_left > 1) | (on_right > 1)
    right_row = np.full(size, -1, np.int64)
    right_row[right_codes[right_has]] = np.flatnonzero(right_has)  # exact wherever the key is unique

    left_duplicate = left_has & duplicated[left_safe]
    partner = np.where(left_has & ~left_duplicate, right_row[left_safe], -1)
    right_alone = ~right_has | duplicated[right_safe] | (on_left[right_safe] == 0)
    right_only = np.flatnonzero(right_alone)

    left_index = np.concatenate([np.arange(len(left_codes)), np.full(len(right_only), -1)])
    right_index = np.concatenate([partner, right_only])
    status = np.concatenate([
        np.where(left_duplicate, DUPLICATE, np.where(partner < 0, MISSING_RIGHT, -1)),
        np.where(right_has[right_only] & duplicated[right_safe[right_only]], DUPLICATE, MISSING_LEFT),
    ]).astype(np.int8)
    return left_index, right_index, status


def _concat(arrays: list[pa.Array]) -> pa.Array:
    if len({a.type for a in arrays}) > 1:
        arrays = [a.cast(pa.large_string()) for a in arrays]
    return pa.concat_arrays(arrays)


def _left_lines(values: pa.Array | None, n_left: int, n_lines: int) -> pa.Array:
    """A left column on the lines: the left rows in order, then nothing (right-only lines)."""
    if values is None:
        return pa.nulls(n_lines, pa.string())
    return pa.concat_arrays([values, pa.nulls(n_lines - n_left, values.type)])


def _right_lines(values: pa.Array | None, index: np.ndarray) -> pa.Array:
    if values is None:
        return pa.nulls(len(index), pa.string())
    return values.take(pa.array(index, mask=index < 0))


def _gather(values: np.ndarray, index: np.ndarray, fill):
    out = values[np.where(index >= 0, index, 0)] if len(values) else np.empty(len(index), values.dtype)
    out[index < 0] = fill
    return out


def _money(cents: np.ndarray) -> np.ndarray:
    return cents / 100


def _pair_names(value, option: str) -> tuple:
    if value is None or isinstance(value, str):
        return value, value
    if isinstance(value, Sequence) and len(value) == 2 and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ArkitError(f"{option} must be a column name or a pair (left name, right name), got {value!r}")


def _check_options(tolerance, relative_tolerance, date_window, labels) -> None:
    for name, value in (("tolerance", tolerance), ("relative_tolerance", relative_tolerance)):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not np.isfinite(value) \
                or value < 0:
            raise ArkitError(f"{name} must be a number of 0 or more, got {value!r}")
    if isinstance(date_window, bool) or not isinstance(date_window, (int, np.integer)) or date_window < 0:
        raise ArkitError(f"date_window must be a whole number of days, 0 or more, got {date_window!r}")
    if (not isinstance(labels, Sequence) or isinstance(labels, str) or len(labels) != 2
            or not all(isinstance(x, str) and x for x in labels) or labels[0] == labels[1]):
        raise ArkitError(f"labels must be two different names such as ('ours', 'theirs'), got {labels!r}")


def reconcile(left, right, *, key="document_id", amount="amount", date="doc_date", customer: str = "customer_id",
              tolerance: float = 0.0, relative_tolerance: float = 0.0, date_window: int = 0, normalize: bool = True,
              prefixes: Sequence[str] = DEFAULT_PREFIXES, aggregate: bool | None = None,
              labels: Sequence[str] = ("left", "right")) -> ReconcileResult:
    """Match the lines of two ledgers and explain every difference, per customer, to the cent.

    Parameters
    ----------
    left, right : LoadResult, Ledger or frame
        What :func:`arkit.load` returned (its items, and the rows it set aside as repeats: see
        the ``duplicate`` status), a :class:`~arkit.Ledger` (its items) or a frame of items with
        at least the key and amount columns: pandas, or Polars / DuckDB (converted to pandas on
        the way in; the result is pandas). A customer statement needs only document id, date and amount; a GL
        extract only customer id and balance.
    key, amount, date : str or (str, str)
        Column names, the same on both sides or a pair ``(left name, right name)``. ``date=None``
        compares no dates. Amounts must be numeric (rounded to cents); dates may be text.
    customer : str
        The customer column, where a side has it. Each line belongs to the left's customer, else
        the right's. A side without the column, against a side holding one customer only (a
        customer statement against that customer's ledger), is taken to be that customer's.
    tolerance, relative_tolerance : float
        Amounts match when ``|right - left| <= max(tolerance, relative_tolerance * max(|left|,
        |right|))`` (a symmetric rule: swapping the sides changes no verdict).
    date_window : int
        Dates match when at most this many days apart.
    normalize : bool
        Pair on :func:`normalize_keys` of the keys (with ``prefixes``); else on the keys as
        written (ids that went through a spreadsheet as floats are still repaired).
    aggregate : bool, optional
        Sum each side's amounts per normalized key first, and compare no dates. Default: when
        the key is the customer column (AR against GL balances per customer).
    labels : (str, str)
        Names of the two sides in the output columns (``left_amount``, ``left_balance``...).
        The statuses keep their names.

    Returns
    -------
    ReconcileResult
        ``lines`` (one row per line with ``status``) and ``summary`` (per customer); see
        :class:`ReconcileResult` and the module docstring for the rules.

    Examples
    --------
    Our ledger against a customer's statement, which writes the invoice numbers its own way,
    short-paid INV-2 and does not have INV-3 yet:

    >>> ours = pd.DataFrame({"document_id": ["INV-0001", "INV-0002", "INV-0003"],
    ...                      "customer_id": ["C7", "C7", "C7"],
    ...                      "doc_date": pd.to_datetime(["2026-03-02", "2026-03-09", "2026-03-30"]),
    ...                      "amount": [1200.0, 850.0, 300.0]})
    >>> theirs = pd.DataFrame({"document_id": ["1", "inv 2"], "doc_date": ["2026-03-02", "2026-03-09"],
    ...                        "amount": [1200.0, 800.0]})
    >>> result = reconcile(ours, theirs, labels=("ours", "theirs"))
    >>> result.lines[["key", "theirs_key", "ours_amount", "theirs_amount", "difference", "status"]]
      key theirs_key  ours_amount  theirs_amount  difference           status
    0   1          1       1200.0         1200.0         0.0          matched
    1   2      inv 2        850.0          800.0       -50.0  amount_mismatch
    2   3        NaN        300.0            NaN      -300.0    missing_right
    >>> result.summary[["customer_id", "ours_balance", "theirs_balance", "difference"]]
      customer_id  ours_balance  theirs_balance  difference
    0          C7        2350.0          2000.0      -350.0
    >>> result.summary.loc[0, list(STATUSES)].to_dict()  # the difference, explained
    {'matched': 0.0, 'amount_mismatch': -50.0, 'date_mismatch': 0.0, 'missing_left': 0.0, 'missing_right': -300.0, 'duplicate': 0.0}
    """
    _check_options(tolerance, relative_tolerance, date_window, labels)
    keys, amounts, dates = _pair_names(key, "key"), _pair_names(amount, "amount"), _pair_names(date, "date")
    if aggregate is None:
        aggregate = customer in keys
    if aggregate:
        dates = (None, None)
    whos = [label if label == side else f"{label} ({side})" for label, side in zip(labels, ("left", "right"))]
    sides = [_read_side(frame, who, keys[i], amounts[i], dates[i], customer, normalize, prefixes)
             for i, (frame, who) in enumerate(zip((left, right), whos))]
    lefts, rights = sides

    normalized = [s.normalized for s in sides]
    if normalized[0].type != normalized[1].type:
        normalized = [n.cast(pa.large_string()) for n in normalized]
    encoded = pc.dictionary_encode(pa.concat_arrays(normalized))
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    left_codes, right_codes = codes[:len(lefts.cents)], codes[len(lefts.cents):]
    if aggregate:
        by_customer = customer in keys
        lefts, left_codes = _aggregate(lefts, left_codes, by_customer)
        rights, right_codes = _aggregate(rights, right_codes, by_customer)

    left_index, right_index, status = _pairs(left_codes, right_codes, len(encoded.dictionary))
    n_lines = len(status)
    left_cents, right_cents = _gather(lefts.cents, left_index, 0), _gather(rights.cents, right_index, 0)

    paired = np.flatnonzero(status < 0)
    low, high = left_cents[paired], right_cents[paired]
    allowed = np.maximum(tolerance * 100, relative_tolerance * np.maximum(np.abs(low), np.abs(high)))
    amount_ok = np.abs(high - low) <= allowed + 1e-6  # cents are whole: the epsilon only absorbs 0.29 * 100
    date_ok = np.ones(len(paired), bool)
    if lefts.dates is not None and rights.dates is not None:
        day_left = lefts.dates[left_index[paired]].astype("datetime64[D]")
        day_right = rights.dates[right_index[paired]].astype("datetime64[D]")
        apart = np.abs((day_right - day_left).astype(np.int64))
        date_ok = np.isnat(day_left) | np.isnat(day_right) | (apart <= date_window)
    status[paired] = np.where(~amount_ok, AMOUNT_MISMATCH, np.where(~date_ok, DATE_MISMATCH, MATCHED))

    n_left = len(lefts.cents)
    line_key = _concat([lefts.normalized, rights.normalized.take(pa.array(right_index[n_left:]))])
    customers = _concat([_left_lines(lefts.customers, n_left, n_lines), _right_lines(rights.customers, right_index)])
    customers = pc.coalesce(customers[:n_lines], customers[n_lines:])
    present = [side.customers for side in (lefts, rights) if side.customers is not None]
    if len(present) == 1 and customers.null_count:
        sole = pc.unique(present[0].drop_null())
        if len(sole) == 1:
            customers = customers.fill_null(sole[0].cast(customers.type))

    a, b = labels
    lines = {
        "key": line_key,
        "left_key": _left_lines(lefts.keys, n_left, n_lines),
        "right_key": _right_lines(rights.keys, right_index),
        "customer": customers,
        "left_has": left_index >= 0, "right_has": right_index >= 0,
        "left_cents": left_cents, "right_cents": right_cents,
        "status": status, "note": [""] * n_lines,
    }
    compare_dates = lefts.dates is not None and rights.dates is not None
    if compare_dates:
        lines["left_date"] = _gather(lefts.dates, left_index, np.datetime64("NaT"))
        lines["right_date"] = _gather(rights.dates, right_index, np.datetime64("NaT"))
    for i, (frame, who, label) in enumerate(zip((left, right), whos, labels)):
        copies = frame.duplicates if isinstance(frame, LoadResult) else None
        if copies is not None and len(copies):
            side = _read_side(copies, f"{who}: rows set aside as repeats", keys[i], amounts[i],
                              dates[i] if compare_dates else None, customer, normalize, prefixes)
            notes = [f"{label} line {line}: {reason}" for line, reason in zip(copies["line"], copies["reason"])]
            lines = _with_copies(lines, side, "left" if i == 0 else "right", notes)
    n_lines = len(lines["status"])
    left_cents, right_cents, status = lines["left_cents"], lines["right_cents"], lines["status"]
    customers = lines["customer"]
    columns = {
        "key": pd.array(lines["key"], dtype="str"),
        f"{a}_key": pd.array(lines["left_key"], dtype="str"),
        f"{b}_key": pd.array(lines["right_key"], dtype="str"),
        customer: pd.array(customers, dtype="str"),
        f"{a}_amount": np.where(lines["left_has"], _money(left_cents), np.nan),
        f"{b}_amount": np.where(lines["right_has"], _money(right_cents), np.nan),
        "difference": _money(right_cents - left_cents),
    }
    if compare_dates:
        columns[f"{a}_date"] = lines["left_date"]
        columns[f"{b}_date"] = lines["right_date"]
    columns["status"] = pd.Categorical.from_codes(status, categories=list(STATUSES))
    columns["note"] = pd.array(lines["note"], dtype="str")
    lines = pd.DataFrame(columns)
    return ReconcileResult(lines, _summary(customers, status, left_cents, right_cents, customer, labels))


def _with_copies(lines: dict, copies: _Side, side: str, notes: list[str]) -> dict:
    """The lines with one ``duplicate`` line more per copy of ``side`` (``"left"`` or ``"right"``)."""
    n = len(copies.cents)
    other = "right" if side == "left" else "left"
    added = {
        "key": copies.normalized, f"{side}_key": copies.keys, f"{other}_key": pa.nulls(n, pa.string()),
        "customer": copies.customers if copies.customers is not None else pa.nulls(n, pa.string()),
        f"{side}_has": np.ones(n, bool), f"{other}_has": np.zeros(n, bool),
        f"{side}_cents": copies.cents, f"{other}_cents": np.zeros(n, np.int64),
        "status": np.full(n, DUPLICATE, np.int8), "note": notes,
    }
    if "left_date" in lines:
        added[f"{side}_date"] = copies.dates
        added[f"{other}_date"] = np.full(n, np.datetime64("NaT"), "datetime64[s]")
    out = {}
    for name, values in lines.items():
        if isinstance(values, (pa.Array, pa.ChunkedArray)):
            out[name] = _concat([values, added[name]])
        elif isinstance(values, list):
            out[name] = values + added[name]
        else:
            out[name] = np.concatenate([values, added[name]])
    return out


def _summary(customers: pa.Array, status: np.ndarray, left_cents: np.ndarray, right_cents: np.ndarray,
             customer: str, labels: Sequence[str]) -> pd.DataFrame:
    """Per customer: both balances, their difference, and the difference split by status (cents)."""
    encoded = pc.dictionary_encode(customers.fill_null(BLANK_KEY))
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    n = len(encoded.dictionary)
    balances = np.zeros((n, 2), np.int64)
    np.add.at(balances[:, 0], codes, left_cents)
    np.add.at(balances[:, 1], codes, right_cents)
    parts = np.zeros(n * len(STATUSES), np.int64)
    np.add.at(parts, codes * len(STATUSES) + status, right_cents - left_cents)
    parts = parts.reshape(n, len(STATUSES))
    difference = balances[:, 1] - balances[:, 0]
    assert (parts.sum(axis=1) == difference).all()  # by construction; a failure is a bug in this module
    a, b = labels
    summary = pd.DataFrame({
        customer: pd.array(encoded.dictionary, dtype="str"),
        f"{a}_balance": _money(balances[:, 0]),
        f"{b}_balance": _money(balances[:, 1]),
        "difference": _money(difference),
        **{name: _money(parts[:, i]) for i, name in enumerate(STATUSES)},
    })
    order = np.lexsort((summary[customer].to_numpy(dtype=object), -np.abs(difference)))
    return summary.take(order).reset_index(drop=True)


def compare_snapshots(previous, current, *, key="document_id", amount="open_amount", date=None,
                      **options) -> ReconcileResult:
    """What changed between two open-items snapshots: new, gone (paid or closed), changed.

    :func:`reconcile` with ``labels=("previous", "current")``, comparing open amounts and no
    dates by default. Each line gets a ``change`` beside its ``status``, and the summary's
    status columns are renamed, after :data:`SNAPSHOT_CHANGES`: ``missing_left`` is ``new``,
    ``missing_right`` is ``gone``, ``amount_mismatch`` is ``changed``, ``matched`` is
    ``unchanged``. A line's ``difference`` is current - previous: the summary's
    ``difference`` is each customer's movement of the open balance, split into new, gone and
    changed. Other keyword arguments go to :func:`reconcile`.

    Examples
    --------
    >>> last_month = pd.DataFrame({"document_id": ["INV1", "INV2", "INV3"], "customer_id": ["C1", "C1", "C2"],
    ...                            "open_amount": [500.0, 250.0, 900.0]})
    >>> this_month = pd.DataFrame({"document_id": ["INV2", "INV3", "INV4"], "customer_id": ["C1", "C2", "C2"],
    ...                            "open_amount": [250.0, 400.0, 120.0]})
    >>> changes = compare_snapshots(last_month, this_month)
    >>> changes.lines[["key", "customer_id", "previous_amount", "current_amount", "difference", "change"]]
      key customer_id  previous_amount  current_amount  difference     change
    0   1          C1            500.0             NaN      -500.0       gone
    1   2          C1            250.0           250.0         0.0  unchanged
    2   3          C2            900.0           400.0      -500.0    changed
    3   4          C2              NaN           120.0       120.0        new
    >>> changes.summary[["customer_id", "previous_balance", "current_balance", "new", "gone", "changed"]]
      customer_id  previous_balance  current_balance    new   gone  changed
    0          C1             750.0            250.0    0.0 -500.0      0.0
    1          C2             900.0            520.0  120.0    0.0   -500.0
    """
    options.setdefault("labels", ("previous", "current"))
    result = reconcile(previous, current, key=key, amount=amount, date=date, **options)
    change = result.lines["status"].cat.rename_categories(SNAPSHOT_CHANGES)
    lines = result.lines.assign(change=change)
    return ReconcileResult(lines, result.summary.rename(columns=SNAPSHOT_CHANGES))
