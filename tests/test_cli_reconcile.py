"""`arkit reconcile` and `arkit cashapp` on real files: a statement against our ledger, and the
sample's week of bank receipts against the sample ledger."""

import io
import json

import numpy as np
import openpyxl
import pandas as pd
import pytest

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
