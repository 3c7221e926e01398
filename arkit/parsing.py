"""Parse the text of exports into money, dates, flags and ids: column at a time, never guessing.

Each parser returns the parsed values and a mask of the cells that had text but could not be
read, so that a loader can quarantine those rows with a reason instead of losing them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute  # noqa: F401  (pa.compute)

from arkit.errors import LedgerError

__all__ = ["isin", "is_missing", "clean_text", "on_distinct", "parse_amounts", "parse_money", "parse_numbers",
           "minor_units", "check_date_format", "Money", "parse_dates", "parse_flags", "normalize_ids", "DATE_FORMATS",
           "MINOR_UNITS"]

# A dash alone is "nothing" in reports, whichever dash it is.
DASHES = "\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"
MISSING_TEXT = frozenset({"", "null", "none", "nan", "nat", "n/a", "na", "#n/a", "-", "--", *DASHES})
_MISSING_SPELLINGS = sorted({f(t) for t in MISSING_TEXT for f in (str.lower, str.upper, str.title, str.capitalize)}
                            | {"NaT", "#N/A"})
# In free text (names, regions, references) only the explicit markers: "NA" may be North America.
_FREE_TEXT_MISSING = sorted({f(t) for t in ("", "null", "n/a", "#n/a", "-", "--", *DASHES)
                             for f in (str.lower, str.upper, str.title)})
_LONGEST_SPELLING = max(len(text.encode()) for text in _MISSING_SPELLINGS + _FREE_TEXT_MISSING)
TRUE_TEXT = frozenset({"true", "t", "yes", "y", "1", "x"})
FALSE_TEXT = frozenset({"false", "f", "no", "n", "0"})
# Tried in this order when a column has no explicit format. Day-first and month-first forms are
# both tried: when both read every value of a column, the column is ambiguous and the loader
# asks for --date-format rather than guess.
DATE_FORMATS = (
    "ISO8601", "%Y/%m/%d", "%Y%m%d",
    "%m/%d/%Y", "%d/%m/%Y", "%m/%d/%y", "%d/%m/%y", "%m/%d/%Y %H:%M", "%d/%m/%Y %H:%M",
    "%m-%d-%Y", "%d-%m-%Y", "%d.%m.%Y", "%d.%m.%y",
    "%d %b %Y", "%d-%b-%Y", "%d-%b-%y", "%b %d, %Y", "%B %d, %Y", "%d %B %Y",
)
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']+")
# Minus signs as PDFs, word processors and some locales write them. Em dash and horizontal bar
# are left out: before a number they are as likely a bullet or a "nil" as a minus.
_MINUS_SIGNS = str.maketrans(dict.fromkeys("\u2212\u2012\u2013\ufe63\uff0d", "-"))
# ISO 4217 minor units of the currencies that do not have two decimals (two is the default).
MINOR_UNITS = {
    **dict.fromkeys(("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV",
                     "XAF", "XOF", "XPF"), 0),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
    "CLF": 4, "UYW": 4,
}
_EXACT = pa.decimal128(38, 18)
_SYMBOLS = re.compile(r"[$€£¥]")
_CODES = re.compile(r"^(?:USD|CAD|EUR|GBP|JPY|AUD|NZD|CHF|MXN|INR|CNY|SEK|NOK|DKK|ZAR|BRL|US|C|CA|A)(?=[\d(+.,-]|$)"
                    r"|(?<=[\d)+-])(?:USD|CAD|EUR|GBP|JPY|AUD|NZD|CHF|MXN|INR|CNY|SEK|NOK|DKK|ZAR|BRL)$")
# CR (credit: negative) and DR (debit: positive) written after or before the number.
_CREDIT = re.compile(r"(?<=[\d).])CR$|^CR(?=[\d(.+-])")
_DEBIT = re.compile(r"(?<=[\d).])DR$|^DR(?=[\d(.+-])")
_GROUPED = {".": re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$"),
            ",": re.compile(r"^(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?$")}


def is_missing(values: pd.Series, *, free_text: bool = False) -> pd.Series:
    """Cells that hold no value: empty, blank, NULL, N/A, "-" and the like.

    Examples
    --------
    >>> is_missing(pd.Series(["", " NULL ", "n/a", "-", "0", None])).tolist()
    [True, True, True, True, False, True]
    """
    return _is_blank(values, _as_text(values), free_text)


def clean_text(values: pd.Series, *, free_text: bool = False) -> pd.Series:
    """Text trimmed, with the cells that hold no value (see :func:`is_missing`) as missing.

    Examples
    --------
    >>> clean_text(pd.Series([" INV-7 ", "NULL", None, "NA"])).tolist()
    ['INV-7', nan, nan, nan]
    >>> clean_text(pd.Series(["NA", " n/a"]), free_text=True).tolist()  # "NA" may be North America
    ['NA', nan]
    """
    text = _as_text(values)
    blank = _is_blank(values, text, free_text)
    return text.mask(blank) if blank.any() else text  # most columns have no blanks: no pass over them


def _is_blank(values: pd.Series, text: pd.Series, free_text: bool) -> pd.Series:
    """:func:`is_missing` of ``values``, given their ``text`` already trimmed."""
    shortest = pa.compute.min(pa.compute.binary_length(pa.array(text.array))).as_py()  # None if no text
    if shortest is not None and shortest > _LONGEST_SPELLING:
        return values.isna()  # ids, references, amounts: no cell is short enough to spell "missing"
    return values.isna() | text.isin(_FREE_TEXT_MISSING if free_text else _MISSING_SPELLINGS)


def isin(values: pd.Series, candidates: pd.Series) -> pd.Series:
    """``values.isin(candidates)`` for text, through Arrow's hash kernel (pandas' own is ~50x slower
    on Arrow strings).

    Examples
    --------
    >>> isin(pd.Series(["A", "B", None]), pd.Series(["B", "C"])).tolist()
    [False, True, False]
    """
    found = pa.compute.is_in(pa.array(values.astype("str").array), value_set=pa.array(candidates.astype("str").array))
    return pd.Series(found.to_numpy(zero_copy_only=False), index=values.index, dtype="bool") & values.notna()


def on_distinct(values: pd.Series, parse):
    """Run ``parse`` (a Series in, a tuple of Series out) on the distinct values only, and spread
    the results back: exports repeat their dates, types, currencies and amounts many times."""
    if len(values) > 20_000 and values.iloc[:10_000].nunique() > 5_000:
        return parse(values)  # mostly distinct (ids, references): nothing to save
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if len(uniques) > 0.5 * len(values):
        return parse(values)
    distinct = pd.Series(list(uniques) + [None], dtype=values.dtype if values.dtype != "bool" else object)
    codes = np.where(codes < 0, len(uniques), codes)
    return tuple(pd.Series(result.array.take(codes), index=values.index) for result in parse(distinct))


def _as_text(values: pd.Series) -> pd.Series:
    return values.astype("str").str.strip()


@dataclass(frozen=True)
class Money:
    """A parsed money column: ``amounts`` rounded to each row's currency, which cells were
    ``unreadable``, how many values were ``rounded`` and the ``difference`` rounding made (the
    exact sum of the values as written minus the sum of ``amounts``), and which were
    ``too_large`` to hold exactly (see :data:`MONEY_DIGITS`; their amount is missing)."""

    amounts: pd.Series
    unreadable: pd.Series
    rounded: int = 0
    difference: Decimal = Decimal(0)
    too_large: pd.Series | None = None


MONEY_DIGITS = 15
"""Money is a float64, which holds every number of 15 significant digits exactly: an amount may
have at most 15 digits counting its currency's decimals (USD up to 9,999,999,999,999.99, JPY up
to 999,999,999,999,999). Larger values could not be kept to the minor unit, so they are refused."""


def minor_units(currencies: pd.Series | str | None) -> np.ndarray | int:
    """Decimals of each currency's minor unit (ISO 4217): JPY 0, USD 2, KWD 3; 2 for codes not listed.

    Examples
    --------
    >>> minor_units("JPY"), minor_units(None), minor_units(pd.Series(["USD", "KWD", None, "jpy"])).tolist()
    (0, 2, [2, 3, 2, 0])
    """
    if currencies is None or isinstance(currencies, str):
        return MINOR_UNITS.get(str(currencies).strip().upper(), 2)
    codes = pa.array(currencies.astype("str").array)  # trimmed and upper-cased below, on the distinct codes only
    distinct = pa.compute.unique(codes)
    units = np.array([MINOR_UNITS.get(code.strip().upper() if code is not None else None, 2)
                      for code in distinct.to_pylist()], dtype="int64")
    if (units == 2).all():  # the usual case: no per-row array needed
        return 2
    return units[pa.compute.index_in(codes, value_set=distinct).to_numpy(zero_copy_only=False)]


def parse_money(values: pd.Series, currencies: pd.Series | str | None = None, decimal: str | None = None, *,
                where: str = "column", implied_decimals: int = 0, negate: bool = False) -> Money:
    """Read a money column (see :func:`parse_amounts` for what it reads) and round each value to
    its currency's minor unit, half to even, on the exact decimal value as written.

    ``currencies`` is one code or a code per row (default: two decimals). ``implied_decimals``
    divides by that power of ten first (``12345`` with 2 is ``123.45``); ``negate`` flips the
    sign. Values with digits beyond their currency's are counted in ``rounded``, and the exact
    total they lost or gained in ``difference``; the rest are loaded exactly as written.

    Examples
    --------
    >>> money = parse_money(pd.Series(["64982.589", "0.015", "1,250.00", "x"]))
    >>> money.amounts.tolist()[:3], money.unreadable.tolist(), money.rounded, money.difference
    ([64982.59, 0.02, 1250.0], [False, False, False, True], 2, Decimal('-0.006'))
    >>> parse_money(pd.Series(["1234.5", "1234.5"]), pd.Series(["JPY", "USD"])).amounts.tolist()
    [1234.0, 1234.5]
    """
    numbers, unreadable, plain = _read_numbers(values, decimal, where)
    units = minor_units(currencies)
    scaled = numbers / 10 ** implied_decimals if implied_decimals else numbers
    scale = 10.0 ** np.asarray(units)
    snapped = np.round(scaled.to_numpy() * scale) / scale
    # A value written with at most its currency's decimals reads as exactly its snapped float;
    # only the others need decimal arithmetic (none, in most exports).
    candidates = np.flatnonzero(np.isfinite(snapped) & (snapped != scaled.to_numpy()))
    amounts, rounded, difference = scaled.to_numpy(copy=True), 0, Decimal(0)
    if len(candidates):
        text = plain.iloc[candidates] if plain is not None else pd.Series(
            [repr(float(v)) for v in numbers.to_numpy()[candidates]], dtype="str")
        try:
            exact = pa.compute.cast(pa.array(text.array, type=pa.string()), _EXACT)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            raise LedgerError(f"{where}: amounts like {str(text.iloc[0])!r} have more than 18 decimals; "
                              "round them in the source") from None
        digits = np.broadcast_to(np.asarray(units), len(numbers))[candidates] - implied_decimals
        for ndigits in np.unique(digits):
            group = np.flatnonzero(digits == ndigits)
            written = exact.take(pa.array(group))
            kept = pa.compute.round(written, ndigits=int(ndigits), round_mode="half_to_even")
            rounded += int(pa.compute.sum(pa.compute.not_equal(written, kept)).as_py() or 0)
            difference += (pa.compute.sum(written).as_py() - pa.compute.sum(kept).as_py()).scaleb(-implied_decimals)
            floats = pa.compute.cast(kept, pa.float64()).to_numpy(zero_copy_only=False) / 10 ** implied_decimals
            amounts[candidates[group]] = np.round(floats, int(ndigits) + implied_decimals)
    too_large = pd.Series(np.abs(amounts) >= 10.0 ** (MONEY_DIGITS - np.asarray(units)), index=values.index)
    amounts = pd.Series(np.where(too_large, np.nan, amounts), index=values.index, dtype="float64")
    if negate:
        amounts, difference = -amounts, -difference
    return Money(amounts, unreadable, rounded, difference.normalize() if difference else Decimal(0), too_large)


def parse_amounts(values: pd.Series, decimal: str | None = None, *, where: str = "column"
                  ) -> tuple[pd.Series, pd.Series]:
    """Read money written as ERPs and spreadsheets write it; return ``(amounts, unreadable)``.

    Thousands separators, spaces, currency symbols or codes, negatives as ``-12``, ``−12`` (the
    Unicode minus, and figure and en dashes), ``12-`` (SAP), ``(12)``, ``12 CR`` or ``CR 12``
    (``DR`` marks a debit: positive; ``CR`` or ``DR`` beside a minus sign is unreadable, never a
    guess). ``decimal`` is ``"."`` or ``","``; by default a column whose values only ever show a
    comma before their last one or two digits is read as decimal comma. A column whose only dots
    are thousands-like (``1.234``, never ``12.5`` or ``12.50``) could be either: without
    ``decimal`` that is an error that asks for it, never a guess. Amounts are rounded half to
    even to the cent, on their exact value (:func:`parse_money` rounds per currency).

    Examples
    --------
    >>> amounts, bad = parse_amounts(pd.Series(["$1,234.50", "(99.95)", "1 200", "12.00-", "USD 5", "abc", ""]))
    >>> amounts.tolist()[:5], bad.tolist()
    ([1234.5, -99.95, 1200.0, -12.0, 5.0], [False, False, False, False, False, True, False])
    >>> parse_amounts(pd.Series(["1.234,56-", "0,5", "12"]))[0].tolist()
    [-1234.56, 0.5, 12.0]
    >>> parse_amounts(pd.Series(["\u221212.50", "12.50 CR", "DR 12.50", "cr12.50", "-12.50 DR"]))[0].tolist()
    [-12.5, -12.5, 12.5, -12.5, nan]
    """
    money = parse_money(values, None, decimal, where=where)
    return money.amounts, money.unreadable | money.too_large  # too large to keep to the cent: unreadable


def parse_numbers(values: pd.Series, decimal: str | None = None, *, where: str = "column"
                  ) -> tuple[pd.Series, pd.Series]:
    """Read numbers written like amounts (rates, quantities) with every decimal they have; return
    ``(numbers, unreadable)``.

    Examples
    --------
    >>> parse_numbers(pd.Series(["0.7308", "1,234.56789", "n/a", "?"]))[0].tolist()
    [0.7308, 1234.56789, nan, nan]
    """
    numbers, unreadable, _ = _read_numbers(values, decimal, where)
    return numbers, unreadable


def _read_numbers(values: pd.Series, decimal: str | None, where: str
                  ) -> tuple[pd.Series, pd.Series, pd.Series | None]:
    """``(numbers, unreadable, plain)``: the values as floats, unrounded, and as plain decimal
    text (``-1234.567``) for exact arithmetic; ``plain`` is None for a numeric column."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = pd.to_numeric(values, errors="coerce").astype("float64")
        return numbers, numbers.isna() & ~values.isna(), None
    plain = _plain_numbers(values) if decimal != "," else None
    if plain is not None:
        numbers, plain = plain
        bad = pd.Series(False, index=values.index)
    else:
        numbers, bad, plain = on_distinct(values, lambda distinct: _parse_amount_text(distinct, decimal))
    if decimal is None:
        _refuse_ambiguous_dots(values, numbers, where)
    return numbers, bad, plain


def _refuse_ambiguous_dots(values: pd.Series, numbers: pd.Series, where: str) -> None:
    """Raise when every amount with more than two decimals reads as well as dotted thousands."""
    cents = numbers.to_numpy() * 100
    fractional = np.isfinite(cents) & (np.abs(cents - np.round(cents)) > 1e-6)
    if not fractional.any():
        return
    text = values[fractional].astype("str").str.strip()
    if not text.str.fullmatch(r"[^\d.,]*\d{1,3}(\.\d{3})+[^\d.,]*").all():
        return
    if values.astype("str").str.contains(r"\.\d{1,2}(?!\d)", regex=True).any():  # other values settle it
        return
    raise LedgerError(f"{where}: amounts like {text.iloc[0]!r} could be thousands ({text.iloc[0].replace('.', '')}) "
                     "or three decimals; say which: decimal ',' (dots are thousands) or '.' (the option --decimal, "
                     "or 'decimal:' in the mapping)")


def _plain_numbers(values: pd.Series) -> tuple[pd.Series, pd.Series] | None:
    """Clean exports hold plain numbers only: read them with one Arrow cast (returning the
    numbers and their trimmed text), or return None."""
    text = clean_text(values)  # one trim: blank cells are missing in it
    missing = text.isna()
    try:
        numbers = pa.compute.cast(pa.array(text.array, type=pa.string()), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, TypeError):
        return None
    result = pd.Series(numbers.to_numpy(zero_copy_only=False), index=values.index, dtype="float64")
    return (result, text) if np.isfinite(result[~missing]).all() else None


def _parse_amount_text(values: pd.Series, decimal: str | None) -> tuple[pd.Series, pd.Series, pd.Series]:
    missing = is_missing(values)
    text = _as_text(values).str.translate(_MINUS_SIGNS).str.upper().str.replace(_SPACES, "", regex=True)
    text = text.str.replace(_SYMBOLS, "", regex=True)
    credit, debit = text.str.contains(_CREDIT, regex=True), text.str.contains(_DEBIT, regex=True)
    text = text.str.replace(_CREDIT, "", regex=True).str.replace(_DEBIT, "", regex=True)
    text = text.str.replace(_CODES, "", regex=True)
    signed = text.str.startswith("-") | text.str.endswith("-") | (text.str.startswith("(") & text.str.endswith(")"))
    negative = credit | signed
    core = text.str.strip("()+-")
    if decimal is None:
        comma_decimal = core.str.contains(r",\d{1,2}$", regex=True) & ~core.str.contains(r"\.\d{1,2}$", regex=True)
        dot_decimal = core.str.contains(r"\.\d{1,2}$", regex=True)
        decimal = "," if comma_decimal[~missing].any() and not dot_decimal[~missing].any() else "."
    # A credit or debit mark beside a sign, or both marks, contradict each other: unreadable.
    readable = core.str.match(_GROUPED[decimal]) & ~missing & ~((credit | debit) & signed) & ~(credit & debit)
    core = core.str.replace("," if decimal == "." else ".", "", regex=False).str.replace(",", ".", regex=False)
    plain = core.where(~negative, "-" + core).where(readable)
    numbers = pd.to_numeric(plain, errors="coerce").astype("float64")
    return numbers, ~readable & ~missing, plain


def _excel_serials(values: pd.Series, missing: pd.Series) -> pd.Series | None:
    numbers = pd.to_numeric(values.where(~missing), errors="coerce")
    present = numbers[~missing]
    if present.notna().all() and len(present) and present.between(1, 2_958_465).all():
        return EXCEL_EPOCH + pd.to_timedelta(numbers.round().astype("float64"), unit="D")
    return None


def _jde_julian(values: pd.Series) -> pd.Series:
    """JD Edwards dates CYYDDD: century flag, year in century, day of year (126031 = 2026-01-31)."""
    numbers = pd.to_numeric(values, errors="coerce")
    year = 1900 + numbers // 1000
    day = numbers - (numbers // 1000) * 1000
    valid = numbers.notna() & (day >= 1) & (day <= 366)
    starts = pd.to_datetime(year.where(valid).astype("Int64").astype("str") + "-01-01", errors="coerce")
    return starts + pd.to_timedelta((day - 1).where(valid), unit="D")


_DIRECTIVES = frozenset("aAbBcdfGHIjmMpSUuVwWxXyYzZ%")
_NAMED_FORMATS = ("excel", "jde_julian", "ISO8601", "mixed")


def check_date_format(date_format: str | None, *, where: str = "date format") -> None:
    """Refuse a date format that cannot read any date, before a single row is read.

    A ``strptime`` format needs a year (``%Y`` or ``%y``) and known directives only; ``excel``,
    ``jde_julian``, ``ISO8601`` and ``mixed`` are named formats.

    Examples
    --------
    >>> check_date_format("%d/%m/%Y"), check_date_format("excel")
    (None, None)
    >>> check_date_format("%d/%m/%Q", where="items.csv")
    Traceback (most recent call last):
    ...
    arkit.errors.LedgerError: items.csv: date format '%d/%m/%Q': %Q is not a strptime directive; write the dates' parts with %d %m %Y %y %b %B %H %M %S, e.g. --date-format %d/%m/%Y
    """
    if date_format is None or date_format in _NAMED_FORMATS:
        return
    advice = "write the dates' parts with %d %m %Y %y %b %B %H %M %S, e.g. --date-format %d/%m/%Y"
    directives = re.findall(r"%(.?)", date_format.replace("%%", ""))
    unknown = [d for d in directives if d not in _DIRECTIVES and d != ":"]
    if unknown:
        raise LedgerError(f"{where}: date format {date_format!r}: %{unknown[0]} is not a strptime directive; {advice}")
    if not {"Y", "y", "G"} & set(directives):
        raise LedgerError(f"{where}: date format {date_format!r} has no year (%Y or %y); {advice}")


def parse_dates(values: pd.Series, date_format: str | None = None, *, where: str = "column"
                ) -> tuple[pd.Series, pd.Series]:
    """Read a column of dates; return ``(datetime64[s] values, unreadable)``.

    ``date_format`` is a ``strptime`` format, ``"excel"`` (serial day numbers) or
    ``"jde_julian"`` (CYYDDD). Without one, the format is inferred for the whole column: the
    first of :data:`DATE_FORMATS` that reads the most values. A column that reads as both
    day-first and month-first raises :class:`LedgerError` asking for ``--date-format``.

    Examples
    --------
    >>> parse_dates(pd.Series(["03/31/2026", "04/01/2026", "soon"]))[0].dt.strftime("%Y-%m-%d").tolist()
    ['2026-03-31', '2026-04-01', nan]
    >>> parse_dates(pd.Series(["01/02/2026", "03/04/2026"]), where="items.csv column 'Date'")
    Traceback (most recent call last):
    ...
    arkit.errors.LedgerError: items.csv column 'Date': dates like '01/02/2026' read as both %m/%d/%Y and %d/%m/%Y; give --date-format
    """
    check_date_format(date_format, where=where)
    if pd.api.types.is_datetime64_any_dtype(values):  # typed (Parquet, SQL): dates already, only the day is kept
        parsed = values.dt.tz_localize(None) if getattr(values.dt, "tz", None) is not None else values
        days = parsed.to_numpy().astype("datetime64[D]")  # numpy floors, so 1969-12-31 13:00 is 1969-12-31
        return pd.Series(days.astype("datetime64[s]"), index=values.index), pd.Series(False, index=values.index)
    iso = _iso_days(values) if date_format in (None, "ISO8601", "%Y-%m-%d") else None
    if iso is not None:
        return iso, pd.Series(False, index=values.index)
    return on_distinct(values, lambda distinct: _parse_date_values(distinct, date_format, where))


def _iso_days(values: pd.Series) -> pd.Series | None:
    """A column of ``YYYY-MM-DD`` dates only, every one a real day, read by one Arrow cast (what
    the ISO format, which such a column infers, reads too); else None, for the general path."""
    if not pd.api.types.is_string_dtype(values) or values.dtype == object or not len(values):
        return None
    text = pa.array(values.array)
    lengths = pa.compute.min_max(pa.compute.binary_length(text)).as_py()
    if text.null_count or lengths["min"] != 10 or lengths["max"] != 10:
        return None
    try:
        days = pa.compute.cast(text, pa.date32())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    seconds = pa.compute.cast(days, pa.timestamp("s")).to_numpy(zero_copy_only=False)
    return pd.Series(seconds.astype("datetime64[s]"), index=values.index)


def _parse_date_values(values: pd.Series, date_format: str | None, where: str) -> tuple[pd.Series, pd.Series]:
    missing = is_missing(values)
    if date_format == "excel" or (date_format is None and pd.api.types.is_numeric_dtype(values)):
        parsed = _excel_serials(values, missing)
        if parsed is None:
            parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[s]")
        return _finish_dates(parsed, missing)
    if date_format == "jde_julian":
        missing = missing | pd.to_numeric(values, errors="coerce").eq(0)  # JD Edwards writes "no date" as 0
        return _finish_dates(_jde_julian(values), missing)
    text = _as_text(values).where(~missing)
    if date_format is not None:
        return _finish_dates(_to_datetime(text, date_format), missing)
    sample = text.dropna().drop_duplicates()
    if sample.empty:
        return _finish_dates(pd.Series(pd.NaT, index=values.index), missing)
    counts = _format_counts(sample)
    best = max(counts.values())
    if best == 0:
        serials = _excel_serials(values, missing)
        if serials is not None:
            return _finish_dates(serials, missing)
        return _finish_dates(pd.Series(pd.NaT, index=values.index), missing)
    winners = [fmt for fmt in DATE_FORMATS if counts.get(fmt) == best]
    day_first = [fmt for fmt in winners if fmt.startswith("%d")]
    month_first = [fmt for fmt in winners if fmt.startswith("%m")]
    if day_first and month_first:
        example = sample.iloc[0]
        raise LedgerError(f"{where}: dates like {example!r} read as both {month_first[0]} and {day_first[0]}; "
                          "give --date-format")
    return _finish_dates(_to_datetime(text, winners[0]), missing)


def _format_counts(sample: pd.Series, probe_size: int = 64) -> dict[str, int]:
    """How many of the distinct ``sample`` values each date format reads, for every format that
    may read the most (the others are left out: they cannot win or tie).

    A format that fails on k values of a small probe reads at most ``len(sample) - k``; formats
    are counted in the order of that bound until no bound reaches the best count, so a long
    column is parsed in full by one or two formats, not by all of them.
    """
    probe = sample.iloc[:probe_size]
    bound = {fmt: len(sample) - len(probe) + int(_to_datetime(probe, fmt).notna().sum()) for fmt in DATE_FORMATS}
    counts: dict[str, int] = {}
    for fmt in sorted(DATE_FORMATS, key=lambda fmt: -bound[fmt]):
        if counts and bound[fmt] < max(counts.values()):
            break
        counts[fmt] = int(_to_datetime(sample, fmt).notna().sum()) if len(sample) > len(probe) else bound[fmt]
    return counts


def _to_datetime(text: pd.Series, date_format: str) -> pd.Series:
    """Parse with a format; timestamps with UTC offsets keep their own local date."""
    try:
        parsed = pd.to_datetime(text, format=date_format, errors="coerce")
    except (TypeError, ValueError):  # mixed offsets: one value at a time, each at its local wall time
        def local(value):
            try:
                stamp = pd.to_datetime(value, format=date_format)
            except (TypeError, ValueError):
                return pd.NaT
            return stamp.tz_localize(None) if stamp.tzinfo is not None else stamp
        parsed = pd.to_datetime(text.map(local, na_action="ignore"), errors="coerce")
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)
    return parsed


def _finish_dates(parsed: pd.Series, missing: pd.Series) -> tuple[pd.Series, pd.Series]:
    parsed = pd.to_datetime(parsed, errors="coerce").dt.normalize().astype("datetime64[s]")
    return parsed, parsed.isna() & ~missing


def parse_flags(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Read yes/no flags (true/false, yes/no, y/n, 1/0, x); missing is False.

    Examples
    --------
    >>> parse_flags(pd.Series(["Yes", "no", "", "maybe"]))[0].tolist(), parse_flags(pd.Series(["Yes", "maybe"]))[1].tolist()
    ([True, False, False, False], [False, True])
    """
    if pd.api.types.is_bool_dtype(values):
        return values.fillna(False).astype("bool"), pd.Series(False, index=values.index)
    return on_distinct(values, _parse_flag_text)


def _parse_flag_text(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    missing = is_missing(values)
    text = _as_text(values).str.lower()
    truthy, falsy = text.isin(TRUE_TEXT), text.isin(FALSE_TEXT)
    return pd.Series(np.where(truthy, True, False), index=values.index), ~(truthy | falsy | missing)


def normalize_ids(values: pd.Series) -> tuple[pd.Series, int]:
    """Ids as text, trimmed; ids damaged into floats ("1930571429.0") repaired. Returns ``(ids, repaired)``.

    Examples
    --------
    >>> ids, repaired = normalize_ids(pd.Series(["00042", " 1930571429.0 ", "INV-7", None]))
    >>> ids.tolist(), repaired
    (['00042', '1930571429', 'INV-7', nan], 1)
    """
    if pd.api.types.is_integer_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.astype("str").mask(values.isna()), 0  # whole numbers: nothing to trim or repair
    if pd.api.types.is_float_dtype(values):
        missing = is_missing(values)
        whole = values.dropna() == values.dropna().round()
        text = values.map(lambda v: f"{v:.0f}" if pd.notna(v) and float(v).is_integer() else str(v))
        return text.where(~missing, None).astype("str"), int(whole.sum())
    text = clean_text(values)
    damaged = text.str.endswith(".0", na=False)
    if damaged.any():
        damaged &= text.where(damaged, "").str.fullmatch(r"\d+\.0+")
        text = text.where(~damaged, text.str.replace(r"\.0+$", "", regex=True))
    return text, int(damaged.sum())

