"""``arkit.load``: any source in, a validated ledger and a load report out; nothing lost silently.

Every data row read is either loaded or rejected with its place in the source and a reason;
report lines (totals, headings) that a mapping names are listed as skipped. Loaded plus
rejected equals read in rows; in amount, loaded plus rejected plus rounding (of values with
more decimals than their currency has) equals read, the exact total of the source.
"""

from __future__ import annotations

import warnings as warnings_module
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from arkit.progress import advance, tracked
from arkit.errors import ArkitError, LedgerError
from arkit.ledger import TABLE_NAMES, Ledger
from arkit.loaders.mapping import Mapping, declared_features, header_targets, load_mapping, map_headers, preset
from arkit.loaders.sql import is_database_url, read_sql, redact
from arkit.loaders.sources import (EXCEL_SUFFIXES, PARQUET_SUFFIXES, TEXT_SUFFIXES, RawTable,
                                   read_source_file, read_typed_text)
from arkit.parsing import check_date_format, isin
from arkit.schema import TABLES, coerce_table, duplicate_keys

__all__ = ["LoadReport", "LoadResult", "load", "load_ledger", "resolve_mapping"]

REJECT_COLUMNS = ["table", "source", "line", "place", "column", "reason", "values"]
READABLE_SUFFIXES = TEXT_SUFFIXES + EXCEL_SUFFIXES + PARQUET_SUFFIXES + (".gz",)


def _cents(value: float) -> Decimal:
    """A report figure to the cent (half to even), from the shortest text of the float."""
    return Decimal(repr(float(value))).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


def _exact_total(amounts: pd.Series) -> Decimal:
    """The exact sum of loaded amounts (at most 4 decimals, the finest ISO 4217 minor unit). Amounts
    under 2**53 units of 0.0001 are those units exactly, summed as their high and low 32 bits apart
    so that no total overflows int64; the few larger ones (up to
    :data:`~arkit.parsing.MONEY_DIGITS` digits) are added as the decimals their floats stand for."""
    values = amounts.fillna(0).to_numpy(dtype="float64")
    small = np.abs(values) < 2.0 ** 53 / 10_000
    units = np.rint(values[small] * 10_000).astype("int64")
    high, low = units >> 32, units & 0xFFFFFFFF
    large = sum((Decimal(repr(float(v))) for v in values[~small]), Decimal(0))
    return Decimal((int(high.sum()) << 32) + int(low.sum())).scaleb(-4) + large


@dataclass
class LoadReport:
    """What a load read, loaded, rejected and skipped. Amounts are the items' ``amount``:
    ``amount_read`` is the exact total of the values as written, ``amount_rounding`` what
    rounding ``rows_rounded`` values to their currency's minor unit took off it, so that read =
    loaded + rejected + rounding."""

    source: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    amount_read: float = 0.0
    amount_loaded: float = 0.0
    amount_rejected: float = 0.0
    amount_rounding: float = 0.0
    rows_rounded: int = 0
    rejects: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REJECT_COLUMNS))
    skipped: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["source", "line", "reason", "text"]))
    warnings: list[str] = field(default_factory=list)
    tables: dict[str, int] = field(default_factory=dict)

    def _figures(self) -> tuple[Decimal, Decimal, Decimal, Decimal]:
        """Read, loaded, rejected and rounding to the cent; the rounding shown is what makes the
        figures shown add up (read = loaded + rejected + rounding, to the cent)."""
        read, loaded, rejected = _cents(self.amount_read), _cents(self.amount_loaded), _cents(self.amount_rejected)
        return read, loaded, rejected, read - loaded - rejected

    def to_dict(self) -> dict:
        """The report as plain JSON-ready data (the keys of ``arkit load --json``)."""
        read, loaded, rejected, rounding = self._figures()
        return {
            "source": self.source,
            "rows_read": self.rows_read, "rows_loaded": self.rows_loaded, "rows_rejected": self.rows_rejected,
            "amount_read": float(read), "amount_loaded": float(loaded), "amount_rejected": float(rejected),
            "amount_rounding": float(rounding), "rows_rounded": self.rows_rounded,
            "tables": self.tables,
            "lines_skipped": len(self.skipped),
            "rejects": [{k: (None if pd.isna(v) else int(v)) if k == "line" else v for k, v in r.items()}
                        for r in self.rejects.to_dict("records")],
            "warnings": self.warnings,
        }

    def __str__(self) -> str:
        read, loaded, rejected, rounding = self._figures()
        lines = [
            f"source         {self.source}",
            f"rows read      {self.rows_read:>12,}   amount read      {read:>18,.2f}",
            f"rows loaded    {self.rows_loaded:>12,}   amount loaded    {loaded:>18,.2f}",
            f"rows rejected  {self.rows_rejected:>12,}   amount rejected  {rejected:>18,.2f}",
        ]
        if self.rows_rounded or rounding:
            lines.append(f"rows rounded   {self.rows_rounded:>12,}   rounding         {rounding:>18,.2f}"
                         "   (more decimals than the currency has; half to even)")
        if len(self.tables) > 1:
            lines.append("tables         " + ", ".join(f"{k} {v:,}" for k, v in self.tables.items()))
        if len(self.skipped):
            lines.append(f"lines skipped  {len(self.skipped):>12,}   (totals and headings of the report)")
        for record in self.rejects.head(20).to_dict("records"):
            lines.append(f"  rejected {record['place']}: {record['reason']}")
        if len(self.rejects) > 20:
            lines.append(f"  ... and {len(self.rejects) - 20} more rejects (--rejects FILE writes them all)")
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)


@dataclass
class LoadResult:
    """A loaded ledger and its report, and the item rows rejected as repeats of a loaded one.

    ``duplicates`` holds those rows (identical to a loaded row, or with the same document id
    and other values) as canonical items, with ``source``, ``line`` and ``reason``: they are
    rejected from the ledger, yet a reconciliation must show them (a statement that lists one
    invoice twice bills it twice), so :func:`arkit._reconcile.reconcile` takes them from here.
    """

    ledger: Ledger
    report: LoadReport
    duplicates: pd.DataFrame = field(default_factory=pd.DataFrame)


def resolve_mapping(mapping: Mapping | str | Path | None = None, preset_name: str | None = None, **options) -> Mapping | None:
    """The mapping to use: a file or object, or a preset, with command-line options on top."""
    if mapping is not None and preset_name is not None:
        raise ArkitError("give a mapping file or a preset, not both")
    if preset_name is not None:
        mapping = preset(preset_name)
    elif mapping is not None and not isinstance(mapping, Mapping):
        mapping = load_mapping(mapping)
    options = {k: v for k, v in options.items() if v is not None}
    if mapping is None:
        return Mapping(**options) if options else None
    return mapping.with_options(**options)


def _rows_to_reject(table: pd.DataFrame, problems: pd.DataFrame, spec_name: str, repeated: np.ndarray) -> pd.Series:
    """The reason to reject each row ("" to load it); ``repeated`` marks the rows without problems
    whose key an earlier row has."""
    reasons = problems.groupby("position")["reason"].agg("; ".join) if len(problems) else pd.Series(dtype="str")
    out = pd.Series("", index=range(len(table)), dtype="str")
    out.loc[reasons.index] = reasons.to_numpy()
    if repeated.any():
        key = list(TABLES[spec_name].key)
        first_line = table.groupby(key, sort=False, dropna=False)["_line"].transform("first")
        values = table[key].astype("str").agg(", ".join, axis=1) if len(key) > 1 else table[key[0]]
        out[repeated] = [f"{', '.join(key)} {value!r} is already on line {line} with other values"
                         for value, line in zip(values[repeated], first_line[repeated])]
    return out


def _load_table(raw: RawTable, mapping: Mapping | None, table_name: str, currency: str, customer: str | None = None
                ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, list[str], Decimal, int]:
    """One raw table -> (loaded rows, rejects, skipped lines, warnings, exact amount read, amounts rounded)."""
    spec = TABLES[table_name]
    frame, renamed, skipped, warnings = map_headers(raw, mapping, spec)
    if customer is not None and table_name == "items":  # a customer's statement names no customer
        if "customer_id" not in renamed:
            renamed["customer_id"] = customer
        else:
            blank = renamed["customer_id"].isna() | (renamed["customer_id"].astype("str").str.strip() == "")
            renamed.loc[blank, "customer_id"] = customer
    options = dict(date_format=mapping.date_format, decimal=mapping.decimal, implied_decimals=mapping.implied_decimals,
                   negate=mapping.sign == "negate") if mapping else {}
    default_currency = (mapping.currency if mapping and mapping.currency else currency)
    table, problems, coerce_warnings = coerce_table(renamed.drop(columns="_line"), spec, currency=default_currency,
                                                    where=raw.source, **options)
    warnings += coerce_warnings
    rows_rounded, rounding = table.attrs.pop("rounding", {}).get("amount", (0, Decimal(0)))
    table["_line"] = frame["_line"].to_numpy()
    # Rows identical in every column share their key, so whole rows are compared only where the
    # parsed keys repeat (equal source text parses to equal keys): one uniqueness check in all.
    data_columns = [c for c in raw.frame.columns]
    exact = np.zeros(len(frame), dtype=bool)
    repeated = duplicate_keys(table, spec)
    if spec.key and set(spec.key) <= set(table.columns):
        candidates = table.duplicated(list(spec.key), keep=False).to_numpy() if repeated.any() else exact
    else:
        candidates = np.ones(len(frame), dtype=bool)
    if candidates.any() and data_columns:
        exact[candidates] = frame.loc[candidates].duplicated(subset=data_columns, keep="first").to_numpy()
    readable = ~np.isin(np.arange(len(table)), problems["position"].to_numpy())  # no cell with a problem
    reasons = _rows_to_reject(table, problems, table_name, repeated.to_numpy() & readable)
    if exact.any():
        first_lines = frame.loc[candidates].groupby(data_columns, dropna=False, sort=False)["_line"].transform("first")
        reasons[exact] = [f"duplicate of line {line}" for line in first_lines[exact[candidates]].to_numpy()]
    file_column = raw.frame.attrs.get("file_column")
    files = frame[file_column].astype(str).to_numpy() if file_column else None  # a folder: each row's file
    overflow = set(raw.frame.attrs.get("overflow_lines", []))
    if overflow:
        lines = table["_line"].to_numpy()
        tags = [f"{name}:{line}" for name, line in zip(files, lines)] if file_column else lines
        extra = pd.Series(tags).isin(overflow).to_numpy()
        reasons[extra] = [f"{r + '; ' if r else ''}more fields than the header has columns" for r in reasons[extra]]
    bad = reasons.ne("").to_numpy()
    # Rejected only for repeating another row (every value readable): the copies a reconciliation shows.
    repeats = (exact | repeated.to_numpy()) & readable & bad if table_name == "items" else np.zeros(len(table), bool)
    if overflow:
        repeats &= ~extra
    amount = table["amount"].fillna(0) if "amount" in table else pd.Series(0.0, index=table.index)
    raw_values = frame.drop(columns=[c for c in frame.columns if c.startswith("_")])
    bad_lines = table.loc[bad, "_line"].to_numpy()
    where = [str(Path(raw.source) / name) for name in files[bad]] if file_column else [raw.source] * len(bad_lines)
    rejects = pd.DataFrame({
        "table": table_name, "source": pd.Series(where, dtype=object), "line": bad_lines,
        "place": [f"{source} {raw.line_word} {line}" for source, line in zip(where, bad_lines)],
        "column": problems.groupby("position")["column"].first().reindex(np.flatnonzero(bad)).fillna("").to_numpy(),
        "reason": reasons[bad].to_numpy(),
        "values": [dict(zip(raw_values.columns, map(_cell, row))) for row in raw_values.loc[bad].to_numpy()]
                  if bad.any() else [],  # even an empty selection copies every column
        "_amount": amount[bad].to_numpy(),
        "_repeat": [dict(row, source=place, reason=reason) if repeat else None for row, place, reason, repeat in zip(
            table.loc[bad].to_dict("records"), where, reasons[bad], repeats[bad])],
    })
    # _line stays until the last checks (see _finish)
    loaded = table.loc[~bad].reset_index(drop=True) if bad.any() else table
    return loaded, rejects, skipped, warnings, _exact_total(amount) + rounding, rows_rounded


def _duplicates(rejects: pd.DataFrame) -> pd.DataFrame:
    """The canonical rows of the rejects that repeat a loaded row (see :class:`LoadResult`)."""
    rows = [row for row in rejects.get("_repeat", []) if isinstance(row, dict)]
    frame = pd.DataFrame(rows).rename(columns={"_line": "line"})
    return frame.drop(columns=[c for c in frame.columns if c.startswith("_")])


def _cell(value) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _canonical_folder(path: Path) -> dict[str, Path] | None:
    files = {}
    for file in sorted(path.iterdir()):
        stem = file.name.split(".")[0]
        if file.is_file() and stem in TABLE_NAMES and file.name.lower().endswith(READABLE_SUFFIXES):
            if stem in files:
                raise LedgerError(f"{path}: two files for table {stem!r}: {files[stem].name} and {file.name}")
            files[stem] = file
    return files if "items" in files else None


def _stack(raws: list[RawTable], folder: Path) -> RawTable:
    """Periodic exports of one layout: one table, with the file each row came from."""
    headers = {tuple(raw.frame.columns) for raw in raws}
    if len(headers) > 1:
        first, other = raws[0], next(r for r in raws if tuple(r.frame.columns) != tuple(raws[0].frame.columns))
        raise LedgerError(f"{folder}: the files do not share one layout: {Path(first.source).name} has "
                          f"{', '.join(first.frame.columns)}; {Path(other.source).name} has {', '.join(other.frame.columns)}")
    frames = [raw.frame.assign(source_file=Path(raw.source.split(" sheet ")[0]).name) for raw in raws]
    stacked = pd.concat(frames, ignore_index=True)
    for attr in ("duplicate_headers",):
        stacked.attrs[attr] = raws[0].frame.attrs.get(attr, [])
    # Lines are counted per file: rows are told apart by (file, line) from here on.
    stacked.attrs["file_column"] = "source_file"
    stacked.attrs["overflow_lines"] = [f"{Path(raw.source.split(' sheet ')[0]).name}:{line}"
                                       for raw in raws for line in raw.frame.attrs.get("overflow_lines", [])]
    lines = np.concatenate([raw.lines for raw in raws])
    return RawTable(stacked, lines, str(folder), raws[0].line_word)


def _finish(loaded: dict[str, pd.DataFrame], rejects: list[pd.DataFrame], skipped: list[pd.DataFrame],
            warnings: list[str], amount_read: Decimal, rows_rounded: int, source: str, currency: str,
            sources: dict[str, str], rows_read: int, features: tuple[str, ...] = ()) -> LoadResult:
    rejects_frame = pd.concat(rejects, ignore_index=True) if rejects else pd.DataFrame(columns=REJECT_COLUMNS + ["_amount", "_repeat"])
    if "applications" in loaded and "items" in loaded:
        apps = loaded["applications"]
        known = loaded["items"]["document_id"]
        orphan = ~(isin(apps["source_id"], known) & isin(apps["target_id"], known))
        if orphan.any():
            where, lines, values = sources.get("applications", source), apps.loc[orphan, "_line"], apps.drop(columns="_line")
            rejects_frame = pd.concat([rejects_frame, pd.DataFrame({
                "table": "applications", "source": where, "line": lines.to_numpy(),
                "place": [f"{where} line {line}" for line in lines],
                "column": "source_id", "reason": [f"applies {s!r} to {t!r}: a document not loaded in items"
                                                  for s, t in zip(apps.loc[orphan, "source_id"], apps.loc[orphan, "target_id"])],
                "values": [dict(zip(values.columns, map(_cell, row))) for row in values.loc[orphan].to_numpy()],
                "_amount": 0.0})], ignore_index=True)
            loaded["applications"] = apps.loc[~orphan].reset_index(drop=True)
    loaded = {name: table.drop(columns="_line") for name, table in loaded.items()}
    items_rejected = rejects_frame["table"].eq("items") if len(rejects_frame) else pd.Series(dtype=bool)
    amount_rejected = _exact_total(rejects_frame.loc[items_rejected, "_amount"]) if len(rejects_frame) else Decimal(0)
    ledger = Ledger._trusted(loaded, currency=currency, sources=sources, features=features)
    rows_loaded = sum(len(t) for t in loaded.values())
    if rows_loaded + len(rejects_frame) != rows_read:  # counted apart, so that a lost row cannot go unseen
        raise LedgerError(f"{source}: read {rows_read} rows but loaded {rows_loaded} and rejected {len(rejects_frame)}: "
                          "rows were lost; please report this with the file")
    amount_loaded = _exact_total(ledger.items["amount"])
    report = LoadReport(
        source=source, rows_read=rows_read, rows_loaded=rows_loaded,
        rows_rejected=len(rejects_frame), amount_read=float(amount_read), amount_loaded=float(amount_loaded),
        amount_rejected=float(amount_rejected), amount_rounding=float(amount_read - amount_loaded - amount_rejected),
        rows_rounded=rows_rounded, rejects=rejects_frame.drop(columns=["_amount", "_repeat"]), warnings=warnings,
        skipped=pd.concat(skipped, ignore_index=True) if skipped else LoadReport(source).skipped,
        tables={name: len(t) for name, t in loaded.items()},
    )
    return LoadResult(ledger, report, _duplicates(rejects_frame))


def load(source, *, mapping: Mapping | str | Path | None = None, preset: str | None = None,
         date_format: str | None = None, decimal: str | None = None, sheet: str | None = None,
         currency: str | None = None, table: str | None = None, query: str | None = None,
         ledger_currency: str = "USD", customer: str | None = None) -> LoadResult:
    """Load any AR source into a validated ledger, with a report of every row.

    Parameters
    ----------
    source : path or database URL
        A delimited text file (``.csv``, ``.tsv``, ``.txt``, optionally ``.gz``), an ``.xlsx``
        workbook, a ``.parquet`` file, a folder of canonical tables (``items.csv``,
        ``customers.csv``, ...), a folder of periodic exports of one layout (stacked, with a
        ``source_file`` column), or a database URL (``postgresql://``, ``sqlite:///``,
        ``duckdb:///``, or ``env:NAME``) with ``table`` or ``query``.
    mapping, preset : mapping file or object, or the name of a shipped preset
    date_format, decimal, currency : override the mapping's (``--date-format`` etc.)
    sheet : Excel sheet (default: the first that holds a table)
    customer : customer id of item rows that carry none, e.g. a customer's statement

    Examples
    --------
    >>> from arkit.config import SAMPLES_DIR
    >>> result = load(SAMPLES_DIR)
    >>> result.report.rows_rejected, result.report.tables["customers"]
    (0, 1250)
    """
    check_date_format(date_format, where=str(redact(source) if isinstance(source, str) else source))
    chosen = resolve_mapping(mapping, preset, date_format=date_format, decimal=decimal, currency=currency)
    target = chosen.table if chosen is not None else "items"
    if isinstance(source, str) and is_database_url(source):
        return _load_database(source, chosen, target, table, query, ledger_currency, customer)
    path = Path(source)
    if not path.exists():
        raise ArkitError(f"{path}: no such file or folder")
    if path.is_dir():
        canonical = _canonical_folder(path)
        if canonical is not None and (chosen is None or not chosen.columns):
            others = sorted(f.name for f in path.iterdir() if f.is_file() and f.name.split(".")[0] not in canonical
                            and f.name.lower().endswith(READABLE_SUFFIXES))
            warnings = [f"{path}: ignored files that name no ledger table: {', '.join(others)}"] if others else []
            return _load_raws({name: read_source_file(file) for name, file in tracked(canonical.items(), "reading")}, chosen,
                              str(path), ledger_currency, warnings, customer)
        files = sorted(f for f in path.iterdir() if f.is_file() and f.name.lower().endswith(READABLE_SUFFIXES))
        if not files:
            raise LedgerError(f"{path}: no CSV, Excel or Parquet files in this folder")
        stacked = _stack([read_source_file(f, sheet=sheet, mapping=chosen) for f in tracked(files, "reading")], path)
        return _load_raws({target: stacked}, chosen, str(path), ledger_currency, [], customer)
    advance(f"reading {path.name}")
    if path.suffix.lower() in TEXT_SUFFIXES:
        typed = _load_typed(path, chosen, target, ledger_currency, customer)
        if typed is not None:
            return typed
    return _load_raws({target: read_source_file(path, sheet=sheet, mapping=chosen)}, chosen, str(path),
                      ledger_currency, [], customer)


def _load_typed(path: Path, mapping: Mapping | None, target: str, currency: str, customer: str | None
                ) -> LoadResult | None:
    """The optimistic load of a delimited file: its dates and amounts parsed by Arrow as it reads
    the file (:func:`~arkit.loaders.sources.read_typed_text`). Kept only when nothing in it needs
    the text of those cells: no row rejected (the report shows the values as written), no
    warning (rounding), no amount finer than a cent (which the text path checks for dotted
    thousands), no error. Else None: the file is then read as text, which gives the same ledger
    and report wherever this one is kept."""
    kind_of = _arrow_kinds(mapping, target)
    if kind_of is None:
        return None
    try:
        raw = read_typed_text(path, mapping, kind_of)
        if raw is None:
            return None
        result = _load_raws({target: raw}, mapping, str(path), currency, [], customer)
    except LedgerError:
        return None
    if result.report.rows_rejected or result.report.warnings or len(result.report.skipped):
        return None
    items = result.ledger.items
    for column in (c.name for c in TABLES["items"].columns if c.kind == "money" and c.name in items):
        cents = items[column].to_numpy(dtype="float64") * 100
        if (np.abs(cents - np.round(cents)) > 1e-6).any():
            return None
    return result


def _arrow_kinds(mapping: Mapping | None, table_name: str):
    """For :func:`_load_typed`: a function of a source header giving what Arrow may parse in it,
    ``"date"`` for a canonical date column when dates are ISO (no date format, ``ISO8601`` or
    ``%Y-%m-%d``), ``"number"`` for money when the decimal mark is a dot (or not given), None for
    the rest; or None when the mapping reads values from their text (report lines, debit and
    credit columns)."""
    if mapping is not None and (mapping.group_header or mapping.skip_rows or mapping.debit_credit):
        return None
    kinds = {column.name: column.kind for column in TABLES[table_name].columns}
    allowed = {"date": mapping is None or mapping.date_format in (None, "ISO8601", "%Y-%m-%d"),
               "money": mapping is None or mapping.decimal in (None, ".")}

    def kind_of(header: str) -> str | None:
        found = {kinds[name] for name in header_targets(header, mapping, set(kinds))}
        kind = found.pop() if len(found) == 1 else None
        return {"date": "date", "money": "number"}.get(kind) if allowed.get(kind) else None

    return kind_of


def _load_raws(raws: dict[str, RawTable], mapping: Mapping | None, source: str, currency: str,
               warnings: list[str], customer: str | None = None) -> LoadResult:
    loaded, rejects, skipped, amount_read, rows_rounded = {}, [], [], Decimal(0), 0
    for name, raw in tracked(raws.items(), "checking"):
        table_rows, table_rejects, table_skipped, table_warnings, table_amount, table_rounded = _load_table(
            raw, mapping, name, currency, customer)
        loaded[name] = table_rows
        rejects.append(table_rejects)
        skipped.append(table_skipped)
        warnings += table_warnings
        if name == "items":
            amount_read, rows_rounded = table_amount, table_rounded
    if "items" not in loaded:
        raise LedgerError(f"{source}: nothing to load as items (the mapping is for table {mapping.table!r})")
    rows_read = sum(len(raw.frame) for raw in raws.values()) - sum(len(s) for s in skipped)
    features = declared_features(loaded, mapping, source, warnings)
    return _finish(loaded, [r for r in rejects if len(r)], [s for s in skipped if len(s)], warnings, amount_read,
                   rows_rounded, source, currency, {name: raw.source for name, raw in raws.items()}, rows_read,
                   features)


def _load_database(source, mapping, target, table, query, currency, customer=None) -> LoadResult:
    frame = read_sql(source, table=table, query=query)
    label = f"{redact(source)} {'table ' + repr(table) if table else 'query'}"
    raw = RawTable(frame.reset_index(drop=True), np.arange(1, len(frame) + 1), label, "row")
    return _load_raws({target: raw}, mapping, label, currency, [], customer)


def load_ledger(source, **options) -> Ledger:
    """Load a source into a :class:`~arkit.Ledger` (see :func:`load` for the options).

    Rejected rows are announced in a warning; ``arkit.load(...).report`` lists them.

    Examples
    --------
    >>> from arkit.config import SAMPLES_DIR
    >>> ledger = load_ledger(SAMPLES_DIR)
    >>> len(ledger.customers)
    1250
    """
    result = load(source, **options)
    if result.report.rows_rejected:
        warnings_module.warn(f"{result.report.source}: {result.report.rows_rejected} row(s) rejected "
                             f"(amount {result.report.amount_rejected:,.2f}); arkit.load(...).report lists them",
                             stacklevel=2)
    for warning in result.report.warnings:
        warnings_module.warn(warning, stacklevel=2)
    return result.ledger
