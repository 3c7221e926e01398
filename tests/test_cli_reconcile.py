"""`arkit reconcile` and `arkit cashapp` on real files: a statement against our ledger, and the
sample's week of bank receipts against the sample ledger."""

import io
import json

import numpy as np
import openpyxl
import pandas as pd
import pytest

from source_tree import PROJECT_ROOT

from arkit.cli import main
from arkit.config import SAMPLES_DIR

CUSTOMER = "0010728"


@pytest.fixture(scope="module")
def statement_files(tmp_path_factory):
    """Our items of one customer, and the customer's statement of them: ids written its own way,
    the oldest line missing, one amount short by 10.00, one line ours does not have."""
    folder = tmp_path_factory.mktemp("statement")
    items = pd.read_csv(SAMPLES_DIR / "items.csv", dtype=str, keep_default_na=False)
    ours = items[(items["customer_id"] == CUSTOMER) & (items["doc_type"] == "invoice")]
    ours.to_csv(folder / "ours.csv", index=False)
    theirs = ours.iloc[1:].copy()
    theirs["document_id"] = "inv " + theirs["document_id"].str[3:]
    theirs.loc[theirs.index[0], "amount"] = f"{float(theirs['amount'].iloc[0]) - 10:.2f}"
    extra = theirs.iloc[[0]].assign(document_id="INV-9999999", amount="123.45", doc_date="2026-10-30")
    pd.concat([theirs, extra]).to_csv(folder / "theirs.csv", index=False)
    return folder, ours


def test_reconcile_csv_explains_the_difference_to_the_cent(statement_files, capsys):
    folder, ours = statement_files
    assert main(["reconcile", str(folder / "ours.csv"), str(folder / "theirs.csv"), "--labels", "ours,theirs",
                 "--format", "csv"]) == 0
    captured = capsys.readouterr()
    lines = pd.read_csv(io.StringIO(captured.out), dtype={"key": str, "customer_id": str})
    assert lines["status"].value_counts().to_dict() == {"matched": len(ours) - 2, "missing_right": 1,
                                                        "amount_mismatch": 1, "missing_left": 1}
    assert f"{len(ours) + 1} lines:" in captured.err
    mismatch = lines[lines["status"] == "amount_mismatch"].iloc[0]
    assert mismatch["difference"] == -10.0 and mismatch["theirs_key"].startswith("inv ")
    cents = np.rint(lines["difference"] * 100).astype(int).sum()
    ours_total = np.rint(ours["amount"].astype(float) * 100).astype(int).sum()
    theirs_total = pd.read_csv(folder / "theirs.csv")["amount"].mul(100).round().astype(int).sum()
    assert cents == theirs_total - ours_total == -int(round(float(ours["amount"].iloc[0]) * 100)) - 1000 + 12345


def test_reconcile_xlsx_and_balances_per_customer(statement_files, tmp_path, capsys):
    folder, ours = statement_files
    out = tmp_path / "rec.xlsx"
    assert main(["reconcile", str(folder / "ours.csv"), str(folder / "theirs.csv"), "--format", "xlsx",
                 "-o", str(out)]) == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Summary", "Lines", "By customer"]
    assert book["Lines"].freeze_panes == "A2" and book["Lines"].max_row == len(ours) + 2
    assert main(["reconcile", str(folder / "ours.csv"), str(folder / "theirs.csv"), "--key", "customer_id",
                 "--format", "json"]) == 0
    [balance] = json.loads(capsys.readouterr().out)
    assert balance["status"] == "amount_mismatch" and balance["customer_id"] == CUSTOMER
    assert main(["reconcile", str(folder / "ours.csv"), str(folder / "theirs.csv"), "--format", "xlsx"]) == 1
    assert "give its path with -o" in capsys.readouterr().err


def test_cashapp_json_and_matches_csv_tie_out(tmp_path, capsys):
    matches_path, outcome_path = tmp_path / "matches.csv", tmp_path / "payments.csv"
    assert main(["cashapp", str(SAMPLES_DIR / "bank" / "payments.csv"), str(SAMPLES_DIR), "--json",
                 "-o", str(matches_path), "--payments-out", str(outcome_path)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert {"payments", "auto_applied", "amount_applied", "amount_unapplied", "suggested", "unidentified"} <= set(summary)
    assert summary["payments"] == 601 and summary["auto_applied"] / summary["payments"] >= 0.9
    paid = pd.read_csv(SAMPLES_DIR / "bank" / "payments.csv")["amount"].mul(100).round().astype(int).sum()
    assert round((summary["amount_applied"] + summary["amount_unapplied"]) * 100) == paid
    matches = pd.read_csv(matches_path, dtype=str)
    assert matches.columns.tolist() == ["payment_id", "document_id", "customer_id", "amount", "rule", "confidence",
                                        "status"]
    auto = matches[matches["status"] == "auto"]
    assert round(auto["amount"].astype(float).sum() * 100) == round(summary["amount_applied"] * 100)
    assert set(matches["status"]) == {"auto", "suggested"} and matches["confidence"].astype(float).between(0, 1).all()
    truth = pd.read_csv(SAMPLES_DIR / "truth" / "payment_allocations.csv", dtype=str)
    right = auto.merge(truth, on=["payment_id", "document_id", "amount"])
    assert len(right) / len(auto) >= 0.995
    outcome = pd.read_csv(outcome_path, dtype=str)
    assert len(outcome) == 601 and set(outcome["status"]) == {"applied", "suggested", "unapplied", "unidentified"}


def test_cashapp_reads_a_camt053_statement(capsys):
    assert main(["cashapp", str(PROJECT_ROOT / "tests" / "data" / "bank" / "camt053_v02.xml"),
                 str(SAMPLES_DIR)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("3 payments:") and "3 unidentified" in out


def test_cashapp_bad_payments_file_is_one_line(tmp_path, capsys):
    bad = tmp_path / "payments.csv"
    bad.write_text("payment_id,date,amount,currency\nP1,2026-11-02,12x.00,USD\n")
    assert main(["cashapp", str(bad), str(SAMPLES_DIR)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("arkit: error:") and "payments.csv" in err and "amount" in err and "Traceback" not in err


def test_a_statement_without_customer_column_is_that_customers(statement_files, tmp_path, capsys):
    folder, ours = statement_files
    statement = pd.read_csv(folder / "theirs.csv", dtype=str)[["document_id", "doc_date", "amount"]]
    statement.loc[0, "document_id"] = " "  # a blank line number stays a rejected row, not a guess
    statement.to_csv(tmp_path / "statement.csv", index=False)
    assert main(["reconcile", str(SAMPLES_DIR / "items.csv"), str(tmp_path / "statement.csv"), "--customer", CUSTOMER,
                 "--format", "csv"]) == 0
    captured = capsys.readouterr()
    lines = pd.read_csv(io.StringIO(captured.out), dtype={"customer_id": str})
    assert set(lines["customer_id"]) == {CUSTOMER} and "1 row(s) rejected" in captured.err
    counts = lines["status"].value_counts().to_dict()
    # The blanked line (the short-paid one) is rejected: both it and the oldest invoice are missing on the right.
    assert counts["missing_left"] == 1 and counts["matched"] == len(ours) - 2 and "amount_mismatch" not in counts
    assert main(["reconcile", str(SAMPLES_DIR / "items.csv"), str(tmp_path / "statement.csv")]) == 1
    assert "lacks required column(s) customer_id" in capsys.readouterr().err


def test_credits_lists_proposals_within_each_customer(capsys, sample_ledger):
    from arkit.cashapp import credit_offsets

    assert main(["credits", str(SAMPLES_DIR), "--as-of", "2026-10-31", "--format", "csv"]) == 0
    captured = capsys.readouterr()
    table = pd.read_csv(io.StringIO(captured.out), dtype={"customer_id": str})
    expected = credit_offsets(sample_ledger, "2026-10-31")
    assert table["credit_id"].tolist() == expected["credit_id"].tolist()
    assert np.allclose(table["amount"], expected["amount"]) and captured.err.startswith(f"{len(expected):,} proposals")
