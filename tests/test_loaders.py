"""Loading exports: mappings, report lines, folders, formats, the report's arithmetic."""

import gzip
import json
import subprocess
import sys

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arkit import ArkitError, LedgerError, load
from arkit.cli import main
from arkit.loaders import Mapping, load_ledger, preset, suggest_mapping

HEADER = "document_id,customer_id,doc_date,amount\n"


def _write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def _cents(value):
    return round(value * 100)


def test_bad_rows_are_quarantined_with_line_column_and_reason(tmp_path):
    path = _write(tmp_path / "items.csv", HEADER + "1,C,2026-01-01,10.00\n2,C,2026-13-01,20.00\n"
                  "3,,2026-01-03,30.00\n4,C,2026-01-04,ten\n5,C,2026-01-05,50.00\n")
    report = load(path).report
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (5, 2, 3)
    assert (_cents(report.amount_read), _cents(report.amount_loaded), _cents(report.amount_rejected)) == (11000, 6000, 5000)
    rejects = report.rejects[["line", "column", "reason"]].to_dict("records")
    assert rejects == [
        {"line": 3, "column": "doc_date", "reason": "cannot read '2026-13-01' as date"},
        {"line": 4, "column": "customer_id", "reason": "customer_id is required"},
        {"line": 5, "column": "amount", "reason": "cannot read 'ten' as money"},
    ]
    assert report.rejects["values"].iloc[2] == {"document_id": "4", "customer_id": "C", "doc_date": "2026-01-04",
                                                "amount": "ten"}


def test_duplicates_exact_and_by_document_id(tmp_path):
    path = _write(tmp_path / "items.csv", HEADER + "A,C,2026-01-01,1\nA,C,2026-01-01,1\nA,C,2026-01-02,2\nB,C,2026-01-02,2\n")
    report = load(path).report
    assert report.rejects[["line", "reason"]].to_dict("records") == [
        {"line": 3, "reason": "duplicate of line 2"},
        {"line": 4, "reason": "document_id 'A' is already on line 2 with other values"},
    ]
    assert report.rows_loaded == 2


def test_applications_of_rejected_documents_are_rejected_too(tmp_path):
    _write(tmp_path / "items.csv", HEADER + "INV1,C,2026-01-01,10\nPMT1,C,2026-01-05,oops\n")
    _write(tmp_path / "applications.csv", "source_id,target_id,amount,applied_date\nPMT1,INV1,10,2026-01-05\n")
    result = load(tmp_path)
    assert len(result.ledger.applications) == 0
    assert result.report.rejects["reason"].tolist()[-1] == "applies 'PMT1' to 'INV1': a document not loaded in items"
    assert result.report.rejects["place"].tolist()[-1] == f"{tmp_path / 'applications.csv'} line 2"
    assert result.report.rejects["values"].tolist()[-1] == {"source_id": "PMT1", "target_id": "INV1", "amount": "10.0",
                                                             "applied_date": "2026-01-05 00:00:00"}
    assert result.report.rows_read == 3 and result.report.rows_rejected == 2


def test_other_files_in_a_canonical_folder_are_reported(tmp_path):
    _write(tmp_path / "items.csv", HEADER + "INV1,C,2026-01-01,10\n")
    _write(tmp_path / "notes.csv", "x\n1\n")
    with pytest.warns(UserWarning, match="ignored files that name no ledger table: notes.csv"):
        assert len(load_ledger(tmp_path).items) == 1


def test_periodic_exports_are_stacked_with_their_file(tmp_path):
    _write(tmp_path / "ar-2026-01.csv", HEADER + "1,C,2026-01-01,10\n2,C,2026-01-15,20\n")
    _write(tmp_path / "ar-2026-02.csv", HEADER + "3,D,2026-02-01,30\n4,D,2026-02-15,x\n")
    result = load(tmp_path)
    items = result.ledger.items
    assert items["source_file"].tolist() == ["ar-2026-01.csv", "ar-2026-01.csv", "ar-2026-02.csv"]
    assert result.report.rejects[["line", "reason"]].to_dict("records") == [{"line": 3, "reason": "cannot read 'x' as money"}]
    assert result.report.rejects["place"].tolist() == [f"{tmp_path / 'ar-2026-02.csv'} line 3"]
    # Line 3 of one file has a field too many; line 3 of the other is fine: only that file's row is rejected.
    _write(tmp_path / "ar-2026-02.csv", HEADER + "3,D,2026-02-01,30\n4,D,2026-02-15,40,oops\n")
    rejects = load(tmp_path).report.rejects
    assert rejects[["source", "line"]].to_dict("records") == [{"source": str(tmp_path / "ar-2026-02.csv"), "line": 3}]
    assert "more fields than the header" in rejects["reason"].iloc[0]
    _write(tmp_path / "ar-2026-03.csv", "invoice,customer,date,amount\n5,D,2026-03-01,1\n")
    with pytest.raises(LedgerError, match="the files do not share one layout"):
        load(tmp_path)


def test_mapping_renames_signs_types_and_keeps_extras(tmp_path):
    path = _write(tmp_path / "fbl5n.txt",
                  "Customer;Document Number;Doc. Type;Document Date;Amount in LC;Text\n"
                  "0000100042;0090001234;RV;31.01.2026;1.234,56;Freight\n"
                  "0000100042;1400000077;DZ;05.02.2026;1.000,00-;Payment\n")
    mapping = Mapping(columns={"Customer": "customer_id", "Document Number": "document_id", "Doc. Type": "doc_type",
                               "Document Date": "doc_date", "Amount in LC": "amount"},
                      date_format="%d.%m.%Y", decimal=",", doc_types={"RV": "invoice", "DZ": "payment"}, currency="EUR")
    items = load(path, mapping=mapping).ledger.items
    assert items[["document_id", "customer_id", "doc_type", "amount", "currency", "Text"]].to_dict("records") == [
        {"document_id": "0090001234", "customer_id": "0000100042", "doc_type": "invoice", "amount": 1234.56,
         "currency": "EUR", "Text": "Freight"},
        {"document_id": "1400000077", "customer_id": "0000100042", "doc_type": "payment", "amount": -1000.0,
         "currency": "EUR", "Text": "Payment"},
    ]
    negated = load(path, mapping=mapping.with_options(sign="negate")).ledger.items["amount"].tolist()
    assert negated == [-1234.56, 1000.0]


def test_title_lines_totals_and_group_headings(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    for row in [["Dealer Parts Inc."], ["Aged Receivables Detail"], ["As at 31 October 2026"], [],
                ["Invoice Date", "Invoice Number", "Due Date", "Total"],
                ["Prairie Tractor"],
                ["2026-09-01", "INV-1", "2026-10-01", 100.5],
                ["2026-10-01", "INV-2", "2026-10-31", 200],
                ["Total Prairie Tractor", None, None, 300.5],
                ["Lakeshore Equipment"],
                ["2026-10-05", "INV-3", "2026-11-04", 49.5],
                ["Total Lakeshore Equipment", None, None, 49.5],
                ["Total", None, None, 350]]:
        sheet.append(row)
    path = tmp_path / "aged.xlsx"
    book.save(path)
    mapping = Mapping(columns={"Invoice Date": "doc_date", "Invoice Number": "document_id", "Due Date": "due_date",
                               "Total": ["amount", "open_amount"]},
                      group_header=["customer_id", "customer_name"], skip_rows=["^Total"])
    result = load(path, mapping=mapping)
    items = result.ledger.items
    assert items["customer_id"].tolist() == ["Prairie Tractor", "Prairie Tractor", "Lakeshore Equipment"]
    assert items["open_amount"].tolist() == [100.5, 200.0, 49.5]
    assert result.report.rows_read == 3 and result.report.rows_rejected == 0
    assert result.report.skipped["line"].tolist() == [6, 9, 10, 12, 13]
    assert result.report.skipped["reason"].tolist()[:2] == ["group heading", "report line matching '^Total'"]


def test_excel_sheet_choice(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active.append(["exported by the ERP"])
    data = book.create_sheet("AR")
    data.append(["document_id", "customer_id", "doc_date", "amount"])
    data.append(["007", "C1", pd.Timestamp("2026-01-02").to_pydatetime(), 12.5])
    path = tmp_path / "export.xlsx"
    book.save(path)
    assert load(path).ledger.items["document_id"].tolist() == ["007"]
    with pytest.raises(LedgerError, match=r"no sheet 'Sheet9'; sheets: Notes, AR"):
        load(path, sheet="Sheet9")


def test_parquet_and_gzip(tmp_path):
    frame = pd.DataFrame({"document_id": ["001", "002"], "customer_id": ["C", "C"],
                          "doc_date": pd.to_datetime(["2026-01-01", "2026-01-02"]), "amount": [1.25, -0.25]})
    frame.to_parquet(tmp_path / "items.parquet")
    assert load(tmp_path / "items.parquet").report.amount_loaded == 1.0
    (tmp_path / "items.csv.gz").write_bytes(gzip.compress((HEADER + "001,C,2026-01-01,1.25\n").encode()))
    assert load(tmp_path / "items.csv.gz").ledger.items["document_id"].tolist() == ["001"]


def test_ambiguous_dates_need_a_format(tmp_path):
    path = _write(tmp_path / "items.csv", HEADER + "1,C,01/02/2026,1\n2,C,03/04/2026,1\n")
    with pytest.raises(LedgerError, match=r"items.csv column 'doc_date': dates like '01/02/2026' read as both"):
        load(path)
    items = load(path, date_format="%d/%m/%Y").ledger.items
    assert items["doc_date"].dt.strftime("%Y-%m-%d").tolist() == ["2026-02-01", "2026-04-03"]


def test_missing_columns_name_the_closest_headers(tmp_path):
    path = _write(tmp_path / "items.csv", "doc_id,customer,doc_date,amount\n1,C,2026-01-01,1\n")
    with pytest.raises(LedgerError, match=r"lacks required column\(s\) document_id, customer_id \(document_id might "
                                          r"be 'doc_id'; customer_id might be 'customer'\)"):
        load(path)


def test_suggested_mapping_round_trips_through_the_cli(tmp_path, capsys):
    path = _write(tmp_path / "export.csv", "Invoice No,Cust Number,Invoice Date,Amount,Note\nA1,042,2026-01-01,5,x\n")
    assert main(["load", str(path), "--suggest-mapping"]) == 0
    mapping_file = tmp_path / "mapping.yaml"
    mapping_file.write_text(capsys.readouterr().out)
    assert main(["load", str(path), "--mapping", str(mapping_file), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["rows_loaded"], report["amount_loaded"]) == (1, 5.0)
    mapping, why = suggest_mapping(["Invoice No", "Cust Number"])
    assert "no header found for doc_date, amount" in why


def test_cli_load_json_keys_and_rejects_file(tmp_path, capsys):
    path = _write(tmp_path / "items.csv", HEADER + "1,C,2026-01-01,10\n2,=cmd(),2026-01-01,oops\n")
    rejects = tmp_path / "rejects.csv"
    assert main(["load", str(path), "--json", "--rejects", str(rejects)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert {"rows_read", "rows_loaded", "rows_rejected", "amount_read", "amount_loaded", "amount_rejected",
            "rejects", "warnings"} <= set(report)
    written = pd.read_csv(rejects, dtype=str)
    assert written["line"].tolist() == ["3"] and written["reason"].tolist() == ["cannot read 'oops' as money"]
    assert json.loads(written["values"].iloc[0])["customer_id"] == "=cmd()"
    assert not written.apply(lambda column: column.str.startswith(("=", "+", "-", "@"))).any().any()


def test_cli_errors_are_one_line(tmp_path):
    path = _write(tmp_path / "items.csv", HEADER + "1,C,2026-01-01,10\n")
    for args, fragment in [(["--preset", "sap-fbl5"], "unknown preset 'sap-fbl5'"),
                           (["--mapping", str(tmp_path / "none.yaml")], "cannot read the mapping file")]:
        done = subprocess.run([sys.executable, "-m", "arkit", "load", str(path), *args], capture_output=True, text=True)
        assert done.returncode == 1 and done.stderr.count("\n") == 1 and fragment in done.stderr
        assert "Traceback" not in done.stderr


def test_bad_mapping_files_are_refused(tmp_path):
    bad = _write(tmp_path / "m.yaml", "columns: {A: document_id}\nsign: flipped\n")
    with pytest.raises(ArkitError, match="sign must be one of as_is, negate"):
        load(_write(tmp_path / "i.csv", "A\n1\n"), mapping=bad)
    unknown = _write(tmp_path / "n.yaml", "columns: {A: document_id}\ndelimiter: ';'\n")
    with pytest.raises(ArkitError, match="unknown mapping key"):
        load(tmp_path / "i.csv", mapping=unknown)


def test_every_preset_loads_as_a_mapping():
    from arkit.loaders import preset_names

    names = preset_names()
    assert {"netsuite", "sap-fbl5n", "quickbooks-ar-aging-detail", "xero-aged-receivables-detail", "jde-f03b11",
            "ibm-late-payments", "highradius"} <= set(names)
    for name in names:
        assert preset(name).columns, name


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(-10**7, 10**7), st.sampled_from(["ok", "bad_amount", "bad_date", "no_id", "dup"])),
                min_size=1, max_size=30))
def test_loaded_plus_rejected_equals_read(tmp_path_factory, rows):
    lines, expected_read = [], 0
    for index, (cents, kind) in enumerate(rows):
        amount = f"{cents / 100:.2f}"
        if kind == "bad_amount":
            amount = "12x"
        else:
            expected_read += cents
        doc_id = "" if kind == "no_id" else f"D{index if kind != 'dup' else 0}"
        date = "2026-02-30" if kind == "bad_date" else "2026-01-15"
        lines.append(f"{doc_id},C,{date},{amount}")
    path = tmp_path_factory.mktemp("prop") / "items.csv"
    _write(path, HEADER + "\n".join(lines) + "\n")
    report = load(path).report
    assert report.rows_loaded + report.rows_rejected == report.rows_read == len(rows)
    assert _cents(report.amount_loaded) + _cents(report.amount_rejected) == _cents(report.amount_read) == expected_read
