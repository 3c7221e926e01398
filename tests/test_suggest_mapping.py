"""`--suggest-mapping` on exports it has never seen: headers renamed, abbreviated, reordered and
restyled by a generator (many seeds), the two public datasets, and the presets' example exports.
Every suggestion must be a mapping file that `arkit load --mapping` reads."""

import json
import re

import numpy as np
import pandas as pd
import pytest

from source_tree import PROJECT_ROOT

import arkit
from arkit.cli import main
from arkit.loaders import load_mapping, preset, read_source_file, suggest_mapping
from arkit.loaders.suggest import header_words

DATASETS = PROJECT_ROOT.parent / "shared" / "datasets"
EXPORTS = PROJECT_ROOT / "tests" / "data" / "exports"
REQUIRED = ["document_id", "customer_id", "doc_date", "amount"]

# How exports spell each column, word by word (styles and word order are varied on top).
SPELLINGS = {
    "document_id": [["document", "number"], ["doc", "no"], ["invoice", "number"], ["inv", "num"], ["invoice", "id"],
                    ["doc", "id"], ["document", "nbr"], ["invoice", "no"], ["number", "invoice"]],
    "customer_id": [["customer", "number"], ["cust", "no"], ["customer", "id"], ["cust", "id"], ["account", "number"],
                    ["cust", "number"], ["client", "id"], ["customer", "account"], ["number", "customer"]],
    "customer_name": [["customer", "name"], ["cust", "name"], ["name", "customer"], ["client", "name"],
                      ["account", "name"]],
    "doc_date": [["invoice", "date"], ["doc", "date"], ["document", "date"], ["posting", "date"], ["inv", "dt"],
                 ["date", "invoice"], ["issue", "date"]],
    "due_date": [["due", "date"], ["due", "in", "date"], ["net", "due", "date"], ["date", "due"],
                 ["payment", "due", "date"], ["due", "dt"]],
    "closed_date": [["clear", "date"], ["cleared", "date"], ["settled", "date"], ["paid", "date"],
                    ["date", "closed"], ["settlement", "date"], ["clearing", "dt"]],
    "amount": [["amount"], ["invoice", "amount"], ["inv", "amt"], ["original", "amount"], ["gross", "amount"],
               ["amount", "invoice"]],
    "open_amount": [["open", "amount"], ["total", "open", "amount"], ["amount", "remaining"], ["open", "bal"],
                    ["balance", "due"], ["outstanding", "amt"]],
    "currency": [["currency"], ["curr"], ["invoice", "currency"], ["doc", "currency"], ["currency", "code"], ["ccy"]],
    "doc_type": [["document", "type"], ["doc", "type"], ["transaction", "type"], ["type"]],
    "terms": [["payment", "terms"], ["terms"], ["cust", "payment", "terms"], ["pmt", "terms"]],
    "disputed": [["disputed"], ["in", "dispute"], ["dispute", "flag"]],
}
# Columns of real exports that feed no canonical column: a row key, constants, a converted amount,
# dates that are not the document's, predictions, counts of days, a 0/1 flag.
DISTRACTORS = [["row", "key"], ["posting", "id"], ["business", "year"], ["converted", "usd"], ["created", "on"],
               ["baseline", "create", "date"], ["payment", "date", "predict"], ["days", "late"], ["is", "open"],
               ["notes"]]


def _style(words, rng) -> str:
    style = rng.integers(0, 7)
    if style == 0:
        return "_".join(words)
    if style == 1:
        return words[0] + "".join(w.capitalize() for w in words[1:])
    if style == 2:
        return "".join(w.capitalize() for w in words)
    if style == 3:
        return " ".join(w.capitalize() for w in words)
    if style == 4:
        return "_".join(words).upper()
    if style == 5:
        return ". ".join(w.capitalize() for w in words) + ("." if len(words[-1]) <= 3 else "")
    return "".join(words) if len(words) > 1 and all(len(w) > 2 for w in words) else " ".join(words)


def _values(rng, n):
    customers = rng.integers(0, max(3, n // 15), n)
    doc = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 400, n), unit="D")
    due = doc + pd.to_timedelta(rng.choice([15, 30, 45, 60], n), unit="D")
    paid = rng.random(n) < 0.6
    closed = (doc + pd.to_timedelta(rng.integers(5, 90, n), unit="D")).where(paid)
    amount = rng.integers(1_000, 5_000_000, n) / 100
    open_amount = np.where(paid, 0.0, amount)
    fmt = str(rng.choice(["%Y-%m-%d", "%m/%d/%Y", "%d.%m.%Y"]))

    def dates(values):
        return pd.Series(values).dt.strftime(fmt).fillna("").tolist()

    return {
        "document_id": [f"{rng.choice(['', 'INV', '90'])}{700000 + i * 7}" for i in range(n)],
        "customer_id": [f"C{c:05d}" for c in customers],
        "customer_name": [f"{['Acme', 'Birch', 'Cedar', 'Delta', 'Elm'][c % 5]} {c} Supply Co" for c in customers],
        "doc_date": dates(doc), "due_date": dates(due), "closed_date": dates(closed),
        "amount": [f"{a:.2f}" for a in amount], "open_amount": [f"{a:.2f}" for a in open_amount],
        "currency": rng.choice(["USD", "EUR", "CAD"], n).tolist(),
        "doc_type": rng.choice(["Invoice", "Credit Memo"], n, p=[0.9, 0.1]).tolist(),
        "terms": rng.choice(["NET30", "NET45", "NET15"], n).tolist(),
        "disputed": rng.choice(["Yes", "No"], n, p=[0.1, 0.9]).tolist(),
    }, {
        "row key": [str(10_000 + i) for i in rng.permutation(n)], "posting id": ["1"] * n,
        "business year": ["2025.0"] * n, "converted usd": [f"{a * 1.08:.3f}" for a in amount],
        "created on": dates(doc - pd.to_timedelta(rng.integers(0, 3, n), unit="D")),
        "baseline create date": dates(doc), "payment date predict": dates(due + pd.Timedelta(days=3)),
        "days late": [str(d) for d in rng.integers(-5, 40, n)], "is open": [str(int(not p)) for p in paid],
        "notes": rng.choice(["", "call back", "sent copy"], n).tolist(),
    }


def generated_export(seed: int):
    """A renamed export: (frame of text cells, {header: canonical column or list of them})."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(30, 400))
    values, distractors = _values(rng, n)
    optional = [c for c in SPELLINGS if c not in REQUIRED and rng.random() < 0.6]
    open_items = "open_amount" in optional and rng.random() < 0.3  # an open-items export: one amount only
    chosen = [c for c in REQUIRED if not (open_items and c == "amount")] + optional
    columns, truth = {}, {}
    for canonical in chosen:
        header = _style(list(SPELLINGS[canonical][rng.integers(len(SPELLINGS[canonical]))]), rng)
        columns[header] = values[canonical]
        truth[header] = ["amount", "open_amount"] if open_items and canonical == "open_amount" else canonical
    for picked in rng.choice(len(DISTRACTORS), int(rng.integers(0, 5)), replace=False):
        header = _style(DISTRACTORS[picked], rng)
        if header not in columns:
            columns[header] = distractors[" ".join(DISTRACTORS[picked])]
    order = rng.permutation(list(columns))
    return pd.DataFrame({h: columns[h] for h in order}, dtype="str"), truth


def _fed(columns: dict) -> dict:
    """{canonical column: source header} of a mapping's columns."""
    return {t: h for h, ts in columns.items() for t in ([ts] if isinstance(ts, str) else ts)}


SEEDS = range(40)


@pytest.fixture(scope="module")
def suggestions():
    out = []
    for seed in SEEDS:
        frame, truth = generated_export(seed)
        out.append((seed, frame, truth, suggest_mapping(frame)))
    return out


def test_generated_exports_get_every_required_column_right(suggestions):
    for seed, frame, truth, suggestion in suggestions:
        expected, got = _fed(truth), _fed(suggestion.mapping.columns)
        for canonical in REQUIRED:
            assert got.get(canonical) == expected[canonical], (seed, canonical, list(frame.columns), suggestion.to_yaml())
        assert suggestion.missing == []


def test_generated_exports_get_the_optional_columns_right(suggestions):
    right = wrong = unmapped = 0
    for seed, frame, truth, suggestion in suggestions:
        got = suggestion.mapping.columns
        for header, canonical in truth.items():
            if header not in got:
                unmapped += 1
            elif got[header] == canonical:
                right += 1
            else:
                wrong += 1
        # every header mapped that the generator did not name is a distractor taken for a column
        wrong += sum(header not in truth for header in got)
    total = right + wrong + unmapped
    assert right / total >= 0.97 and wrong / total <= 0.02, (right, wrong, unmapped)


def test_confidence_is_lower_where_the_evidence_is_weaker(suggestions):
    for seed, frame, truth, suggestion in suggestions:
        table = suggestion.columns
        assert table["confidence"].between(0.45, 1.0).all()
        assert set(table["source"]) == set(suggestion.mapping.columns)
        assert set(suggestion.extras) == set(frame.columns) - set(suggestion.mapping.columns)


@pytest.mark.parametrize("seed", [0, 7, 19, 33, 77])
def test_a_suggestion_round_trips_through_arkit_load(seed, tmp_path, capsys):
    frame, truth = generated_export(seed)
    source = tmp_path / "export.csv"
    frame.to_csv(source, index=False)
    assert main(["load", str(source), "--suggest-mapping"]) == 0
    captured = capsys.readouterr()
    (tmp_path / "suggested.yaml").write_text(captured.out)
    assert captured.err.startswith("arkit: suggested from the headers and")
    assert re.search(r"^  \S.*: .*# (0\.\d\d|1\.00)  ", captured.out, flags=re.M)
    assert "# required, not found: none" in captured.out
    assert load_mapping(tmp_path / "suggested.yaml").columns == suggest_mapping(frame).mapping.columns
    assert main(["load", str(source), "--mapping", str(tmp_path / "suggested.yaml"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["rows_loaded"] == len(frame) and report["rows_rejected"] == 0
    ledger = arkit.load(source, mapping=tmp_path / "suggested.yaml").ledger
    document = _fed(truth)["document_id"]
    assert ledger.items["document_id"].tolist() == frame[document].tolist()


def test_contents_decide_what_the_headers_cannot():
    rng = np.random.default_rng(5)
    n = 300
    first = pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 90, n), unit="D")
    frame = pd.DataFrame({
        "c1": [f"{v:.2f}" for v in rng.integers(100, 10**6, n) / 100],          # amounts with cents
        "c2": [f"K{c:04d}" for c in rng.integers(0, 25, n)],                       # repeats: the customer
        "c3": (first + pd.Timedelta(days=30)).strftime("%Y-%m-%d"),                # the later date
        "c4": [f"X{i:06d}" for i in rng.permutation(n)],                           # unique: the document
        "c5": first.strftime("%Y-%m-%d"),                                          # the earlier date
        "c6": rng.choice(["USD", "EUR"], n),
    })
    suggestion = suggest_mapping(frame)
    assert suggestion.mapping.columns == {"c1": "amount", "c2": "customer_id", "c3": "due_date", "c4": "document_id",
                                          "c5": "doc_date", "c6": "currency"}
    assert (suggestion.columns["confidence"] < 0.7).all()  # the contents alone: always to check
    assert "earlier than the other dates on 0% of rows" in suggestion.columns.set_index("source").loc["c3", "evidence"]


def test_headers_alone_and_what_is_left_unmapped():
    suggestion = suggest_mapping(["Doc. No.", "Customer Name", "Date Due", "Misc"])
    assert suggestion.mapping.columns == {"Doc. No.": "document_id", "Customer Name": ["customer_id", "customer_name"],
                                          "Date Due": "due_date"}
    assert suggestion.missing == ["doc_date", "amount"] and suggestion.extras == ["Misc"]
    text = suggestion.to_yaml()
    assert "# required, not found: doc_date, amount" in text and "# kept as extras (unmapped): Misc" in text
    assert header_words("name_customer") == ["name", "customer"] and header_words("DUEINDATE") == ["due", "date"]


# -- the presets' example exports ---------------------------------------------------------------

EXAMPLES = {"netsuite-ar-transactions.csv": "netsuite", "sap-fbl5n-all-items.txt": "sap-fbl5n",
            "quickbooks-ar-aging-detail.xlsx": "quickbooks-ar-aging-detail", "jde-f03b11-extract.csv": "jde-f03b11",
            "xero-aged-receivables-detail.xlsx": "xero-aged-receivables-detail"}


@pytest.mark.parametrize("file", sorted(EXAMPLES))
def test_each_example_export_gets_its_preset(file):
    frame = read_source_file(EXPORTS / file).frame
    suggestion = suggest_mapping(frame)
    assert suggestion.mapping == preset(EXAMPLES[file]) and suggestion.missing == []


@pytest.mark.parametrize("file", ["netsuite-ar-transactions.csv", "sap-fbl5n-all-items.txt",
                                  "quickbooks-ar-aging-detail.xlsx"])
def test_without_presets_the_headers_and_values_reach_the_presets_required_columns(file):
    """JD Edwards (column codes such as RPAN8) and Xero (the customer is a heading line above its
    invoices, a group_header) are out of reach of headers and values: their presets cover them."""
    frame = read_source_file(EXPORTS / file).frame
    suggestion = suggest_mapping(frame, presets=False)
    got = _fed(suggestion.mapping.columns)
    for canonical in REQUIRED:  # the QuickBooks preset names two spellings of the customer column
        assert canonical in preset(EXAMPLES[file]).targets(got[canonical]), (canonical, got)


# -- the public datasets ---------------------------------------------------------------------------

def _dataset(path):
    if not (DATASETS / path).is_file():
        pytest.skip(f"{DATASETS / path} is absent: the shared public datasets live beside the repository")
    return read_source_file(DATASETS / path).frame


def test_highradius_without_its_preset():
    frame = _dataset("highradius-open-items/open_items.csv")
    suggestion = suggest_mapping(frame, presets=False)
    assert suggestion.mapping.columns == {
        "business_code": "business_unit", "cust_number": "customer_id", "name_customer": "customer_name",
        "doc_id": "document_id", "posting_date": "doc_date", "due_in_date": "due_date",
        "invoice_currency": "currency", "document type": "doc_type", "total_open_amount": ["amount", "open_amount"],
        "cust_payment_terms": "terms"}
    assert preset("highradius").columns == suggestion.mapping.columns


def test_highradius_as_in_the_full_public_original():
    """The full original also has converted_usd (amounts in USD), clear_date, area_business (empty),
    baseline_create_date and isOpen; its headers are in another order."""
    frame = _dataset("highradius-open-items/open_items.csv")
    rate = np.where(frame["invoice_currency"] == "CAD", 0.7, 1.0)
    full = frame.assign(converted_usd=[f"{v:.3f}" for v in frame["total_open_amount"].astype(float) * rate],
                        clear_date="", area_business="", isOpen="1")
    full = full[list(full.columns[::-1])]
    suggestion = suggest_mapping(full, presets=False)
    fed = _fed(suggestion.mapping.columns)
    assert {c: fed.get(c) for c in ["document_id", "customer_id", "customer_name", "doc_date", "due_date", "amount",
                                    "open_amount", "currency", "terms"]} == {
        "document_id": "doc_id", "customer_id": "cust_number", "customer_name": "name_customer",
        "doc_date": "posting_date", "due_date": "due_in_date", "amount": "total_open_amount",
        "open_amount": "total_open_amount", "currency": "invoice_currency", "terms": "cust_payment_terms"}
    assert "converted_usd" in suggestion.extras and "isOpen" in suggestion.extras
    assert any("converted to USD" in note for note in suggestion.notes)


def test_ibm_without_its_preset():
    frame = _dataset("ibm-accounts-receivable/WA_Fn-UseC_-Accounts-Receivable.csv")
    suggestion = suggest_mapping(frame, presets=False)
    assert suggestion.mapping.columns == preset("ibm-late-payments").columns
    assert suggestion.extras == ["PaperlessDate", "PaperlessBill", "DaysToSettle", "DaysLate"]


@pytest.mark.parametrize("headers, expected", [
    (["Customer account", "Invoice", "Date", "Due date", "Amount in transaction currency", "Currency", "Name"],
     {"Customer account": "customer_id", "Invoice": "document_id", "Date": "doc_date", "Due date": "due_date",
      "Amount in transaction currency": "amount", "Currency": "currency", "Name": "customer_name"}),
    (["Invoice #", "Cust. Acct. No.", "Txn Date", "Amt Due", "Inv Amt"],
     {"Invoice #": "document_id", "Cust. Acct. No.": "customer_id", "Txn Date": "doc_date", "Amt Due": "open_amount",
      "Inv Amt": "amount"}),
    (["INVOICE_NO", "CUSTOMER_NO", "CUSTOMER_NAME", "INVOICE_DATE", "DUE_DATE", "INVOICE_AMT", "BALANCE",
      "CURRENCY_CODE", "PAYMENT_TERMS"],
     {"INVOICE_NO": "document_id", "CUSTOMER_NO": "customer_id", "CUSTOMER_NAME": "customer_name",
      "INVOICE_DATE": "doc_date", "DUE_DATE": "due_date", "INVOICE_AMT": "amount", "BALANCE": "open_amount",
      "CURRENCY_CODE": "currency", "PAYMENT_TERMS": "terms"}),
    (["DocumentNo", "SoldToParty", "BillingDate", "NetValue", "DocCurrency", "ClearingDate"],
     {"DocumentNo": "document_id", "SoldToParty": "customer_id", "BillingDate": "doc_date", "NetValue": "amount",
      "DocCurrency": "currency", "ClearingDate": "closed_date"}),
])
def test_headers_of_other_erps(headers, expected):
    """Header spellings written by hand after other ERPs' exports (not by the generator above)."""
    assert suggest_mapping(headers).mapping.columns == expected
