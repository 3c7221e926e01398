"""Read the rows of a source as it is: delimited text, Excel, Parquet; find the header row.

Readers do not interpret values (that is parsing, in :mod:`arkit.parsing`): text sources come
back as text, with the line (or sheet row) each record started on, so that every reject can
name its place in the file.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import gzip
import io
import re
import sys
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from arkit.errors import LedgerError

if TYPE_CHECKING:  # the mapping's headers find the header row; the mapping stage comes after this one
    from arkit.loaders.mapping import Mapping

__all__ = ["RawTable", "header_key", "read_source_file", "read_typed_text", "TEXT_SUFFIXES", "EXCEL_SUFFIXES", "PARQUET_SUFFIXES"]

TEXT_SUFFIXES = (".csv", ".tsv", ".txt", ".tab", ".dat")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
PARQUET_SUFFIXES = (".parquet", ".pq")
DELIMITERS = (",", ";", "\t", "|")
HEADER_SCAN = 40
HEAD_BYTES = 1 << 20  # what is decoded to find the delimiter and the header
_NUMBERISH = re.compile(r"^[\s$€£(+-]*[\d.,]+[\s)%-]*$")


def header_key(text) -> str:
    """Headers compare ignoring case, surrounding spaces, repeated spaces and a BOM.

    Examples
    --------
    >>> header_key("  Net   Due Date ")
    'net due date'
    """
    return re.sub(r"\s+", " ", str(text).replace("\ufeff", "")).strip().lower()


@contextlib.contextmanager
def _wide_fields():
    """Python's csv module stops at fields over 128 KiB; notes and remittance text can be longer.
    The limit is process-wide: raise it while arkit reads, then put it back."""
    previous = csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    try:
        yield
    finally:
        csv.field_size_limit(previous)


@dataclass
class RawTable:
    """Rows of one source before parsing: ``frame`` (header applied), where each row came from."""

    frame: pd.DataFrame
    lines: np.ndarray
    source: str
    line_word: str = "line"
    encoding: str | None = None
    delimiter: str | None = None
    header_line: int = 1


def _decode(data: bytes, source: str) -> tuple[str, str]:
    if data.startswith(b"PK\x03\x04"):
        raise LedgerError(f"{source}: this is an Excel workbook or zip archive, not delimited text; "
                          "save it with its real extension (.xlsx)")
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace"), "utf-16"
    head = data[:4096]
    if head and head.count(0) > len(head) // 4 and head[1::2].count(0) > len(head) // 3:
        return data.decode("utf-16-le", errors="replace"), "utf-16-le"
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 13))
    if b"\x00" in head or controls > len(head) // 20:
        raise LedgerError(f"{source}: binary data, not a text table (CSV, TSV) or a workbook")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            return data.decode("latin-1"), "latin-1"


def _sniff_delimiter(text: str, suffix: str) -> str:
    if suffix in (".tsv", ".tab"):
        return "\t"
    lines = [line for line in text.splitlines()[:200] if line.strip()]
    best, best_score = ",", -1.0
    for delimiter in DELIMITERS:
        counts = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        if not counts:
            continue
        width, frequency = Counter(counts).most_common(1)[0]
        if width < 2:
            continue
        score = frequency * np.log2(width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _header_index(rows: list[list[str]], mapping: Mapping | None) -> int:
    """Index of the header row: skips title, filter and blank lines above it."""
    scan = rows[:HEADER_SCAN]
    if mapping is not None and mapping.columns:
        known = {header_key(h) for h in mapping.columns}
        if mapping.debit_credit:
            known |= {header_key(h) for h in mapping.debit_credit.values()}
        hits = [sum(header_key(cell) in known for cell in row) for row in scan]
        if hits and max(hits) >= min(2, len(known)):
            return hits.index(max(hits))
    filled = [sum(bool(str(c).strip()) for c in row) for row in scan]
    widest = max(filled, default=0)
    for index, row in enumerate(scan):
        cells = [str(c).strip() for c in row if str(c).strip()]
        if len(cells) >= max(2, widest * 0.6) and not any(_NUMBERISH.match(c) for c in cells):
            return index
    return 0


def _header(rows: list[list[str]], source: str, mapping: Mapping | None) -> tuple[int, list[str], list[str]]:
    """Where the header is, the column names (blank and repeated headers made unique), repeats."""
    if not rows or all(not any(str(c).strip() for c in row) for row in rows):
        raise LedgerError(f"{source}: the file is empty; expected a header line and rows")
    start = _header_index(rows, mapping)
    header = [str(c).replace("\ufeff", "").strip() for c in rows[start]]
    while header and not header[-1]:
        header.pop()
    if len(header) < 2:
        raise LedgerError(f"{source}: no header line with two or more columns found; is this a table?")
    names, seen = [], Counter()
    for position, name in enumerate(header, start=1):
        name = name or f"(column {position})"
        seen[header_key(name)] += 1
        names.append(name if seen[header_key(name)] == 1 else f"{name} ({seen[header_key(name)]})")
    return start, names, sorted(k for k, n in seen.items() if n > 1)


def _frame_from_rows(rows: list[list[str]], lines: list[int], source: str, mapping: Mapping | None
                     ) -> tuple[pd.DataFrame, np.ndarray, int]:
    start, names, repeated = _header(rows, source, mapping)
    width = len(names)
    body, body_lines, overflow = [], [], []
    for row, line in zip(rows[start + 1:], lines[start + 1:]):
        cells = [str(c) for c in row]
        if not any(c.strip() for c in cells):
            continue
        extra = [c for c in cells[width:] if c.strip()]
        if extra:
            overflow.append(line)
        body.append((cells + [""] * width)[:width])
        body_lines.append(line)
    frame = pd.DataFrame(body, columns=names, dtype="str") if body else pd.DataFrame(columns=names, dtype="str")
    frame.attrs["overflow_lines"] = overflow
    frame.attrs["duplicate_headers"] = repeated
    return frame, np.asarray(body_lines, dtype="int64"), lines[start]


ARROW_TYPES = {"date": "date32", "number": "float64"}  # what ``kind_of`` may ask Arrow to parse


def _read_arrow(data: bytes | Path, text: str, encoding: str, delimiter: str, source: str, mapping: Mapping | None,
                kind_of=None) -> RawTable | None:
    """Read ``data`` (UTF-8 bytes, or a UTF-8 file; ``text`` is its beginning, decoded) with Arrow's
    multi-threaded CSV reader, when every record is exactly one line (no value holds a line
    break): then line numbers are positions. Columns whose header ``kind_of`` calls ``"date"``
    are read as ISO dates (``datetime64[s]``), ``"number"`` as plain numbers (``float64``), in
    Arrow's threads; the others as text. Else None: a value with a line break, a cell that is not
    UTF-8, a typed cell Arrow cannot read as its type, a number that is not finite."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pa_csv

    head = list(csv.reader(io.StringIO("\n".join(text[:262_144].split("\n")[:HEADER_SCAN]), newline=""),
                           delimiter=delimiter))
    if any("\n" in cell or "\r" in cell for row in head for cell in row):
        return None
    start, names, repeated = _header(head, source, mapping)
    width = len(head[start])
    kinds = {f"c{i}": kind_of(name) for i, name in enumerate(names)} if kind_of is not None else {}
    types = {f"c{i}": pa.string() for i in range(width)}
    types.update({column: pa.type_for_alias(ARROW_TYPES[kind]) for column, kind in kinds.items() if kind})
    try:
        # read in C++ (a Python file object is read through the GIL); a file is mapped, not copied
        with pa.BufferReader(data) if isinstance(data, bytes) else pa.memory_map(str(data)) as stream:
            table = pa_csv.read_csv(
                stream, read_options=pa_csv.ReadOptions(skip_rows=start + 1, column_names=list(types)),
                parse_options=pa_csv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                                                  ignore_empty_lines=False),
                convert_options=pa_csv.ConvertOptions(column_types=types, strings_can_be_null=False,
                                                       quoted_strings_can_be_null=True, null_values=[""]),
            )
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    for position, column in enumerate(table.columns):
        if pa.types.is_string(column.type) and _has_line_break(column):
            return None  # a record over several lines: its line numbers are not positions
        if pa.types.is_floating(column.type) and pc.any(pc.invert(pc.is_finite(column))).as_py():
            return None  # "inf", "nan", 1e999: the text path says what they are
        if pa.types.is_date(column.type):
            table = table.set_column(position, table.column_names[position], column.cast(pa.timestamp("s")))
    frame = table.select(table.column_names[: len(names)]).to_pandas()
    frame.columns = names
    lines = np.arange(start + 2, start + 2 + len(frame), dtype="int64")
    blank = np.zeros(len(frame), dtype=bool)
    maybe = _blank_cells(frame.iloc[:, 0]) if len(frame) else blank
    if maybe.any():
        blank[maybe] = _blank_rows(frame.loc[maybe])
    if len(names) < width:
        overflow = lines[~_blank_rows(table.select(table.column_names[len(names):]).to_pandas()) & ~blank]
    else:
        overflow = []
    frame = frame.loc[~blank].reset_index(drop=True)
    frame.attrs["overflow_lines"] = list(overflow)
    frame.attrs["duplicate_headers"] = repeated
    return RawTable(frame, lines[~blank], source, "line", encoding, delimiter, start + 1)


def _has_line_break(column) -> bool:
    """Whether a value of an Arrow string column holds a line break (one scan of its bytes)."""
    for chunk in column.chunks:
        values = chunk.buffers()[2]
        if values is not None and (b"\n" in (data := values.to_pybytes()) or b"\r" in data):
            return True
    return False


def _blank_cells(column: pd.Series) -> np.ndarray:
    """Cells with no text (typed cells: missing)."""
    if pd.api.types.is_string_dtype(column):
        return (column.str.strip() == "").to_numpy()
    return column.isna().to_numpy()


def _blank_rows(frame: pd.DataFrame) -> np.ndarray:
    """Rows with no text in any cell."""
    return np.logical_and.reduce([_blank_cells(frame.iloc[:, i]) for i in range(frame.shape[1])])


def _utf8_head(data: bytes, source: str, suffix: str) -> tuple[str, str, str] | None:
    """The beginning of a UTF-8 file, decoded (at most :data:`HEAD_BYTES`, whole lines), its
    encoding and delimiter; None for other encodings: Arrow checks the rest is UTF-8 itself."""
    end = data.rfind(b"\n", 0, HEAD_BYTES) + 1 if len(data) > HEAD_BYTES else len(data)
    if not end:
        return None
    try:
        head, encoding = _decode(data[:end], source)
    except UnicodeDecodeError:  # UTF-16 cut inside a character: decoded in full by the caller
        return None
    if encoding not in ("utf-8", "utf-8-sig"):
        return None
    return head, encoding, _sniff_delimiter(head[:200_000], suffix)


def read_typed_text(path: str | Path, mapping: Mapping | None, kind_of) -> RawTable | None:
    """Read a delimited UTF-8 file (not compressed) with Arrow, parsing the columns whose header
    ``kind_of`` (a function of the header) calls ``"date"`` (ISO ``YYYY-MM-DD`` dates, as
    ``datetime64[s]``) or ``"number"`` (plain numbers, as ``float64``) as Arrow reads the file.

    Returns None when a cell of those columns is anything else (a blank is missing), when the
    file is not UTF-8 or a record spans lines: the caller then reads the text
    (:func:`read_source_file`), which can say what each cell is. Lines are as that read gives.

    Examples
    --------
    >>> from arkit.config import SAMPLES_DIR
    >>> raw = read_typed_text(SAMPLES_DIR / "fx_rates.csv", None, {"date": "date", "rate": "number"}.get)
    >>> raw.frame.dtypes.astype(str).tolist(), raw.lines[:2].tolist()
    (['str', 'datetime64[s]', 'float64'], [2, 3])
    """
    path = Path(path)
    with open(path, "rb") as file:
        start = file.read(HEAD_BYTES + 1)
    with _wide_fields():
        head = _utf8_head(start, str(path), path.suffix.lower())
        if head is None:
            return None
        text, encoding, delimiter = head
        return _read_arrow(path, text, encoding, delimiter, str(path), mapping, kind_of)


def _read_text(path: Path, data: bytes, mapping: Mapping | None) -> RawTable:
    source = str(path)
    suffix = path.suffix.lower() if path.suffix.lower() != ".gz" else Path(path.stem).suffix.lower()
    with _wide_fields():
        # A UTF-8 file is decoded in full only if Arrow cannot read it: Arrow checks the encoding itself.
        head = _utf8_head(data, source, suffix)
        if head is not None:
            text, encoding, delimiter = head
            fast = _read_arrow(data[len(codecs.BOM_UTF8):] if encoding == "utf-8-sig" else data, text, encoding,
                               delimiter, source, mapping)
            if fast is not None:
                return fast
        text, encoding = _decode(data, source)
        delimiter = _sniff_delimiter(text[:200_000], suffix)
        if encoding not in ("utf-8", "utf-8-sig"):
            fast = _read_arrow(text.encode(), text, encoding, delimiter, source, mapping)
            if fast is not None:
                return fast
        rows, lines, error = _records(text, delimiter)
    if error is not None:
        start, exc = error
        raise LedgerError(f"{source} line {start}: not readable as delimited text ({exc}); "
                          "check the quotes on this line: a quote opened here may never be closed") from None
    frame, body_lines, header_line = _frame_from_rows(rows, lines, source, mapping)
    return RawTable(frame, body_lines, source, "line", encoding, delimiter, header_line)


def _records(text: str, delimiter: str) -> tuple[list[list[str]], list[int], tuple[int, csv.Error] | None]:
    """Every record with the line it starts on; and where reading stopped, and why, if it did."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows, lines, start = [], [], 1
    try:
        for record in reader:
            rows.append(record)
            lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        return rows, lines, (start, exc)
    return rows, lines, None


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d" if value.time() == dt.time(0) else "%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _read_excel(path: Path, sheet: str | None, mapping: Mapping | None) -> RawTable:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    if not zipfile.is_zipfile(path):
        raise LedgerError(f"{path}: not an Excel workbook (an .xlsx file is a zip archive; this one is not). "
                          "If it is delimited text, give it a .csv name")
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError, EOFError) as exc:
        raise LedgerError(f"{path}: not a readable Excel workbook ({type(exc).__name__})") from None
    try:
        if sheet is not None:
            if sheet not in book.sheetnames:
                raise LedgerError(f"{path}: no sheet {sheet!r}; sheets: {', '.join(book.sheetnames)}")
            chosen = book[sheet]
        else:
            chosen = next((ws for ws in book.worksheets
                           if sum(1 for row in ws.iter_rows(max_row=HEADER_SCAN, values_only=True)
                                  if any(v not in (None, "") for v in row)) >= 2), None)
            if chosen is None:
                raise LedgerError(f"{path}: no sheet holds a table (sheets: {', '.join(book.sheetnames)})")
        rows = [[_cell_text(v) for v in row] for row in chosen.iter_rows(values_only=True)]
    finally:
        book.close()
    source = f"{path} sheet {chosen.title!r}"
    frame, body_lines, header_line = _frame_from_rows(rows, list(range(1, len(rows) + 1)), source, mapping)
    return RawTable(frame, body_lines, source, "row", header_line=header_line)


def _read_parquet(path: Path) -> pd.DataFrame:
    """A Parquet file with its types as pandas computes on them, so that nothing is parsed again:
    dates as ``datetime64`` (not Python date objects), decimals as ``float64`` (not Decimal
    objects); other columns as ``pandas.read_parquet`` gives them."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    for position, column in enumerate(table.schema):
        if pa.types.is_date(column.type):
            table = table.set_column(position, column.name, table.column(position).cast(pa.timestamp("s")))
        elif pa.types.is_decimal(column.type):
            table = table.set_column(position, column.name, _decimal_floats(table.column(position)))
    return table.to_pandas()


def _decimal_floats(column):
    """Decimals as the nearest ``float64`` of each value, as parsing its text gives: Arrow's own
    cast is off by one unit in the last place for about one value in seven (it scales by a
    float), and every such value would then look like one with more decimals than it has. The
    unscaled integers divided by ``10**scale`` are exact while they fit in 53 bits."""
    import pyarrow as pa
    import pyarrow.compute as pc

    scale = column.type.scale
    parts = []
    for chunk in column.chunks:
        nulls = chunk.is_null().to_numpy(zero_copy_only=False)
        exact = pa.types.is_decimal128(chunk.type) and 0 <= scale <= 22
        if exact:
            words = np.frombuffer(chunk.buffers()[1], dtype="<i8")[2 * chunk.offset: 2 * (chunk.offset + len(chunk))]
            low, high = words[0::2], words[1::2]
            exact = bool(np.all(((high == (low >> 63)) & (low > -2**53) & (low < 2**53)) | nulls))
        if not exact:  # wider than 53 bits, a negative scale, another decimal width: each value's text
            parts.append(pc.cast(pc.cast(chunk, pa.string()), pa.float64()))
            continue
        floats = low / 10.0 ** scale
        floats[nulls] = np.nan
        parts.append(pa.array(floats, mask=nulls if nulls.any() else None))
    return pa.chunked_array(parts, type=pa.float64())


def read_source_file(path: str | Path, *, sheet: str | None = None, mapping: Mapping | None = None) -> RawTable:
    """Read one file (delimited text, optionally ``.gz``; ``.xlsx``; ``.parquet``) into a :class:`RawTable`.

    Examples
    --------
    >>> from arkit.config import SAMPLES_DIR
    >>> raw = read_source_file(SAMPLES_DIR / "fx_rates.csv")
    >>> raw.frame.columns.tolist(), raw.lines[:2].tolist(), raw.delimiter
    (['currency', 'date', 'rate'], [2, 3], ',')
    """
    path = Path(path)
    if not path.is_file():
        raise LedgerError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix in PARQUET_SUFFIXES:
        try:
            frame = _read_parquet(path)
        except Exception as exc:  # pyarrow raises many kinds for a damaged file
            raise LedgerError(f"{path}: not a readable Parquet file ({type(exc).__name__})") from None
        return RawTable(frame.reset_index(drop=True), np.arange(1, len(frame) + 1), str(path), "row")
    if suffix in EXCEL_SUFFIXES:
        return _read_excel(path, sheet, mapping)
    if suffix == ".xls":
        raise LedgerError(f"{path}: the old binary .xls format is not supported; save it as .xlsx or CSV")
    data = path.read_bytes()
    if suffix == ".gz":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise LedgerError(f"{path}: not a readable gzip file ({exc})") from None
    if not data or data.isspace():  # isspace stops at the first character; strip() would copy the file
        raise LedgerError(f"{path}: the file is empty; expected a header line and rows")
    return _read_text(path, data, mapping)
