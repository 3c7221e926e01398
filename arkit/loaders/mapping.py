"""Mappings: how the columns and conventions of one export layout become the canonical tables.

A mapping is data, not code: a YAML or JSON file (format in ``presets/FORMAT.md``). Presets
are mapping files shipped in ``arkit/loaders/presets``.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
import pandas as pd
import yaml

from arkit.config import PRESETS_DIR
from arkit.errors import ArkitError, LedgerError
from arkit.loaders.sources import RawTable, header_key
from arkit.parsing import check_date_format, parse_numbers
from arkit.schema import DOC_TYPES, TABLES, TableSpec

__all__ = ["Mapping", "load_mapping", "preset", "preset_names", "header_key", "header_targets", "map_headers",
           "declared_features", "PRESETS_DIR"]

SIGNS = ("as_is", "negate")
# Canonical columns that identify an invoice, date it or record its outcome: never model features.
NOT_FEATURES = ("document_id", "customer_id", "doc_date", "due_date", "closed_date", "open_amount")


@dataclass(frozen=True)
class Mapping:
    """How one export layout maps to a canonical table (see ``presets/FORMAT.md``).

    Examples
    --------
    >>> m = Mapping(columns={"Invoice #": "document_id", "Total": ["amount", "open_amount"]}, decimal=",")
    >>> m.targets("invoice #"), m.targets("TOTAL")
    (['document_id'], ['amount', 'open_amount'])
    """

    columns: dict[str, str | list[str]] = field(default_factory=dict)
    name: str = ""
    description: str = ""
    table: str = "items"
    date_format: str | None = None
    decimal: str | None = None
    currency: str | None = None
    sign: str = "as_is"
    implied_decimals: int = 0
    debit_credit: dict[str, str] | None = None
    doc_types: dict[str, str] = field(default_factory=dict)
    group_header: list[str] = field(default_factory=list)
    skip_rows: list[str] = field(default_factory=list)
    features: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        where = f"mapping {self.name!r}" if self.name else "mapping"
        if self.table not in TABLES:
            raise ArkitError(f"{where}: table {self.table!r} is not one of {', '.join(TABLES)}")
        if self.sign not in SIGNS:
            raise ArkitError(f"{where}: sign must be one of {', '.join(SIGNS)}, got {self.sign!r}")
        check_date_format(self.date_format, where=where)
        if self.decimal not in (None, ".", ","):
            raise ArkitError(f"{where}: decimal must be '.' or ',', got {self.decimal!r}")
        if self.debit_credit is not None and set(self.debit_credit) != {"debit", "credit"}:
            raise ArkitError(f"{where}: debit_credit needs exactly the keys debit and credit")
        bad_types = sorted(set(self.doc_types.values()) - set(DOC_TYPES))
        if bad_types:
            raise ArkitError(f"{where}: doc_types maps to unknown type(s) {', '.join(bad_types)}; "
                             f"use {', '.join(DOC_TYPES)}")
        if isinstance(self.group_header, str):
            object.__setattr__(self, "group_header", [self.group_header])
        if isinstance(self.features, str):
            object.__setattr__(self, "features", [self.features])
        self._check_features(where)
        for pattern in self.skip_rows:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ArkitError(f"{where}: skip_rows pattern {pattern!r} is not a valid regex ({exc})") from None

    def _check_features(self, where: str) -> None:
        """``features`` name columns as loaded: extra source headers, or canonical columns."""
        if not all(isinstance(name, str) and name.strip() for name in self.features):
            raise ArkitError(f"{where}: features must be a list of column names, got {self.features!r}")
        repeated = sorted({name for name in self.features if self.features.count(name) > 1})
        if repeated:
            raise ArkitError(f"{where}: features lists {', '.join(repeated)} more than once")
        for name in self.features:
            mapped = self.targets(name)
            if name in NOT_FEATURES or set(mapped) & set(NOT_FEATURES):
                raise ArkitError(f"{where}: {name} cannot be a feature: it identifies or dates the invoice, "
                                 "or records its outcome")
            if mapped:
                raise ArkitError(f"{where}: feature {name!r} is loaded as {', '.join(mapped)}: name the canonical "
                                 "column in features instead")

    def targets(self, header) -> list[str]:
        """Canonical columns fed by a source header ([] when the mapping does not name it)."""
        wanted = header_key(header)
        for source, target in self.columns.items():
            if header_key(source) == wanted:
                return [target] if isinstance(target, str) else list(target)
        return []

    def with_options(self, **options) -> Mapping:
        """A copy with the given options (those not None) replaced: CLI flags win over the file."""
        given = {k: v for k, v in options.items() if v is not None}
        return Mapping(**{**asdict(self), **given}) if given else self

    def to_yaml(self) -> str:
        fields = asdict(self)
        fields = {"name": fields.pop("name"), "description": fields.pop("description"), **fields}
        data = {k: v for k, v in fields.items() if v not in (None, "", [], {}) and not (k == "sign" and v == "as_is")
                and not (k == "implied_decimals" and v == 0) and not (k == "table" and v == "items")}
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def load_mapping(path: str | Path) -> Mapping:
    """Read a mapping file (YAML or JSON).

    Examples
    --------
    >>> load_mapping(PRESETS_DIR / "ibm-late-payments.yaml").name
    'ibm-late-payments'
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ArkitError(f"{path}: cannot read the mapping file ({exc.strerror})") from None
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise ArkitError(f"{path}: not a valid mapping file ({str(exc).splitlines()[0]})") from None
    if not isinstance(data, dict) or not isinstance(data.get("columns"), dict):
        raise ArkitError(f"{path}: a mapping needs a 'columns' section: source header -> canonical column")
    known = set(Mapping.__dataclass_fields__)
    unknown = sorted(set(data) - known)
    if unknown:
        raise ArkitError(f"{path}: unknown mapping key(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    data.setdefault("name", path.stem)
    return Mapping(**data)


def preset_names() -> list[str]:
    """Names of the shipped presets.

    Examples
    --------
    >>> "sap-fbl5n" in preset_names()
    True
    """
    return sorted(p.stem for p in PRESETS_DIR.glob("*.yaml"))


def preset(name: str) -> Mapping:
    """The shipped preset of that name."""
    path = PRESETS_DIR / f"{name}.yaml"
    if not path.is_file():
        close = difflib.get_close_matches(name, preset_names(), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ArkitError(f"unknown preset {name!r}{hint} presets: {', '.join(preset_names())}")
    return load_mapping(path)


# ---------------------------------------------------------------- the mapping stage of a load


def map_headers(raw: RawTable, mapping: Mapping | None, spec: TableSpec
                ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, list[str]]:
    """The mapping stage of a load: a raw table's data rows (its report lines set aside) under
    canonical names. Returns ``(rows, renamed, skipped, warnings)``: the data rows as read with
    their ``_line``, the same rows renamed (:func:`header_targets`; unmapped columns kept),
    the skipped report lines, and warnings about repeated headers (a repeated header that the
    mapping names raises)."""
    warnings = []
    for header in raw.frame.attrs.get("duplicate_headers", []):
        if mapping is not None and mapping.targets(header):
            raise LedgerError(f"{raw.source}: header {header!r} appears more than once; rename one of them")
        warnings.append(f"{raw.source}: header {header!r} appears more than once; later copies were renamed "
                        f"'{header} (2)', ...")
    frame, skipped = _report_lines(raw, mapping)
    return frame, _rename(frame, mapping, {c.name for c in spec.columns}), skipped, warnings


def _first_cell(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The first non-blank cell of each row, and how many cells are filled."""
    text = frame.astype("str").apply(lambda col: col.str.strip()).replace({"nan": "", "None": ""})
    filled = text.ne("")
    first = text.where(filled).bfill(axis=1).iloc[:, 0].fillna("") if len(text.columns) else pd.Series("", index=frame.index)
    return first, filled.sum(axis=1)


def _report_lines(raw: RawTable, mapping: Mapping | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apply ``group_header`` and ``skip_rows``; return the data rows and the skipped lines."""
    frame = raw.frame.assign(_line=raw.lines)
    if mapping is None or not (mapping.group_header or mapping.skip_rows):
        return frame, pd.DataFrame(columns=["source", "line", "reason", "text"])
    first, filled = _first_cell(raw.frame)
    skip = pd.Series(False, index=frame.index)
    reasons = pd.Series("", index=frame.index, dtype="str")
    for pattern in mapping.skip_rows:
        hit = first.map(re.compile(pattern).search).notna() & ~skip
        skip |= hit
        reasons[hit] = f"report line matching {pattern!r}"
    if mapping.group_header:
        heading = (filled == 1) & raw.frame.iloc[:, 0].astype("str").str.strip().ne("") & ~skip
        group = first.where(heading).ffill()
        for column in mapping.group_header:
            frame[f"_group_{column}"] = group
        skip |= heading
        reasons[heading] = "group heading"
    skipped = pd.DataFrame({"source": raw.source, "line": frame.loc[skip, "_line"], "reason": reasons[skip],
                            "text": first[skip]})
    return frame.loc[~skip], skipped


def header_targets(header: str, mapping: Mapping | None, spec_columns: set[str]) -> list[str]:
    """The canonical columns a source header feeds: the mapping's; without mapped columns, the
    header itself when it names one ("Doc Date" is ``doc_date``)."""
    targets = mapping.targets(header) if mapping is not None else []
    if not targets and (mapping is None or not mapping.columns):
        key = header_key(header).replace(" ", "_")
        targets = [key] if key in spec_columns else []
    return targets


def _rename(frame: pd.DataFrame, mapping: Mapping | None, spec_columns: set[str]) -> pd.DataFrame:
    """Source headers -> canonical names; unmapped columns kept under their own header."""
    out = {}
    for header in frame.columns:
        if header.startswith("_"):
            out[header] = frame[header]
            continue
        targets = header_targets(header, mapping, spec_columns)
        for target in targets:
            out[target] = frame[header]
        if not targets:
            name = header if header not in spec_columns else f"{header} (source)"
            out[name] = frame[header]
    renamed = pd.DataFrame(out, index=frame.index)
    if mapping is not None:
        for column in mapping.group_header:
            group = renamed.pop(f"_group_{column}")
            renamed[column] = group if column not in renamed else renamed[column].where(
                renamed[column].astype("str").str.strip().ne(""), group)
        if mapping.debit_credit:
            present = {k: h for k, h in mapping.debit_credit.items() if any(header_key(c) == header_key(h) for c in frame.columns)}
            if len(present) == 2:
                by_key = {header_key(c): c for c in frame.columns}
                debit, bad_debit, credit, bad_credit = (
                    part for side in ("debit", "credit") for part in parse_numbers(
                        frame[by_key[header_key(present[side])]], mapping.decimal, where=f"column {present[side]!r}"))
                amount = debit.fillna(0) - credit.fillna(0)
                renamed["amount"] = amount.where(~(bad_debit | bad_credit) & (debit.notna() | credit.notna()))
        if mapping.doc_types and "doc_type" in renamed:
            lookup = {header_key(k): v for k, v in mapping.doc_types.items()}
            keys = renamed["doc_type"].map(header_key)
            renamed["doc_type"] = keys.map(lookup).fillna(renamed["doc_type"])
    return renamed


def declared_features(loaded: dict[str, pd.DataFrame], mapping: Mapping | None, source: str,
                       warnings: list[str]) -> tuple[str, ...]:
    """The mapping's declared ``features`` that the loaded items or customers have; a warning for the others."""
    if mapping is None or not mapping.features:
        return ()
    columns = {header_key(c): c for name in ("items", "customers") if name in loaded
               for c in loaded[name].columns if c != "_line"}
    absent = [name for name in mapping.features if header_key(name) not in columns]
    if absent:
        warnings.append(f"{source}: no column {', '.join(map(repr, absent))} that mapping {mapping.name!r} declares "
                        "as a feature: the risk model goes without it")
    return tuple(columns[header_key(name)] for name in mapping.features if header_key(name) in columns)
