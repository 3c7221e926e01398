"""A statement that lists one invoice twice is duplicate billing: planted repeats, on both sides,
exact copies and copies with the same document id but other values, all come out as `duplicate`
lines of a reconciliation (API, CLI, dashboard), one per extra copy, naming side and line."""

import io
import json

import numpy as np
import openpyxl
import pandas as pd
import pytest

import arkit
from arkit.cli import main
from arkit._reconcile import compare_snapshots, reconcile

HEADER = ["document_id", "customer_id", "doc_date", "amount"]


def _ledger(rng, n):
    days = pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 200, n), unit="D")
    return pd.DataFrame({"document_id": [f"INV{100000 + i}" for i in range(n)],
                         "customer_id": [f"C{c:03d}" for c in rng.integers(0, 12, n)],
                         "doc_date": days.strftime("%Y-%m-%d"),
                         "amount": [f"{c / 100:.2f}" for c in rng.integers(100, 900_000, n)]})


def _plant(rng, rows: pd.DataFrame, exact: int, near: int) -> pd.DataFrame:
    """``rows`` with ``exact`` identical copies and ``near`` same-id copies (other amount or date)
    of random rows, each inserted at a random place of the file."""
    records = rows.to_dict("records")
    for i in rng.choice(len(rows), exact + near, replace=False).tolist():
        copy = dict(rows.iloc[i])
        if near:
            near -= 1
            if rng.random() < 0.5:
                copy["amount"] = f"{float(copy['amount']) + rng.integers(1, 5000) / 100:.2f}"
            else:
                copy["doc_date"] = (pd.Timestamp(copy["doc_date"]) + pd.Timedelta(days=int(rng.integers(1, 9)))
                                    ).strftime("%Y-%m-%d")
        records.insert(int(rng.integers(0, len(records) + 1)), copy)
    return pd.DataFrame(records, columns=HEADER)


def _later_copies(frame: pd.DataFrame) -> list[int]:
    """File lines (header = line 1) of every row whose document id appeared on an earlier line."""
    seen, lines = set(), []
    for position, document in enumerate(frame["document_id"]):
        if document in seen:
            lines.append(position + 2)
        seen.add(document)
    return lines


def _cents(frame: pd.DataFrame) -> int:
    return sum(round(float(a) * 100) for a in frame["amount"])


@pytest.fixture(params=[3, 11, 2026, 77])
def planted(request, tmp_path):
    rng = np.random.default_rng(request.param)
    base = _ledger(rng, int(rng.integers(40, 120)))
    ours = _plant(rng, base, exact=int(rng.integers(0, 4)), near=int(rng.integers(0, 3)))
    theirs = base.sample(frac=1, random_state=request.param).reset_index(drop=True)
    theirs = _plant(rng, theirs.iloc[2:], exact=int(rng.integers(1, 6)), near=int(rng.integers(1, 4)))
    ours.to_csv(tmp_path / "ours.csv", index=False)
    theirs.to_csv(tmp_path / "theirs.csv", index=False)
    return tmp_path, ours, theirs


def test_every_planted_copy_is_one_duplicate_line(planted):
    folder, ours, theirs = planted
    left, right = arkit.load(folder / "ours.csv"), arkit.load(folder / "theirs.csv")
    for result, frame in ((left, ours), (right, theirs)):  # the load report keeps its counts
        assert result.report.rows_read == len(frame) == result.report.rows_loaded + result.report.rows_rejected
        assert sorted(result.duplicates["line"]) == _later_copies(frame)
    lines = reconcile(left, right, labels=("ours", "theirs")).lines
    duplicates = lines[lines["status"] == "duplicate"]
    expected = [f"ours line {n}" for n in _later_copies(ours)] + [f"theirs line {n}" for n in _later_copies(theirs)]
    assert [note.split(":")[0] for note in duplicates["note"]] == expected
    assert len(duplicates) == len(_later_copies(ours)) + len(_later_copies(theirs))
    # each copy is on its own side only, with its own amount; nothing else is a duplicate
    on_theirs = duplicates["note"].str.startswith("theirs")
    assert duplicates.loc[on_theirs, "ours_amount"].isna().all() and duplicates.loc[~on_theirs, "theirs_amount"].isna().all()
    assert (lines.loc[lines["status"] != "duplicate", "note"] == "").all()
    # the money ties: the differences add up to the two files' totals as written
    assert np.rint(lines["difference"] * 100).astype(int).sum() == _cents(theirs) - _cents(ours)
    assert lines.loc[lines["status"] == "missing_right", "key"].nunique() == 2


def test_a_document_billed_twice_is_matched_once_and_duplicated_once(tmp_path):
    (tmp_path / "ours.csv").write_text("document_id,customer_id,doc_date,amount\nINV1,C1,2026-03-01,100.00\n"
                                       "INV2,C1,2026-03-02,40.00\n")
    (tmp_path / "statement.csv").write_text("document_id,doc_date,amount\nINV1,2026-03-01,100.00\n"
                                            "INV2,2026-03-02,40.00\nINV1,2026-03-01,100.00\nINV2,2026-03-02,45.00\n")
    statement = arkit.load(tmp_path / "statement.csv", customer="C1")
    result = reconcile(arkit.load(tmp_path / "ours.csv"), statement, labels=("ours", "statement"))
    assert result.lines[["key", "statement_amount", "difference", "status", "note"]].values.tolist() == [
        ["1", 100.0, 0.0, "matched", ""],
        ["2", 40.0, 0.0, "matched", ""],
        ["1", 100.0, 100.0, "duplicate", "statement line 4: duplicate of line 2"],
        ["2", 45.0, 45.0, "duplicate", "statement line 5: document_id 'INV2' is already on line 3 with other values"],
    ]
    assert result.summary.loc[0, ["statement_balance", "difference", "duplicate"]].tolist() == [285.0, 145.0, 145.0]
    # a ledger (not the load result) has no copies: the rows set aside are simply not there
    assert reconcile(arkit.load(tmp_path / "ours.csv").ledger, statement.ledger).counts["duplicate"] == 0
    changes = compare_snapshots(statement, arkit.load(tmp_path / "ours.csv"), amount="amount")
    assert changes.lines["change"].tolist() == ["unchanged", "unchanged", "duplicate", "duplicate"]
    assert changes.lines["difference"].tolist() == [0.0, 0.0, -100.0, -45.0]


def test_the_cli_lists_the_duplicates_in_every_format(planted, tmp_path, capsys):
    folder, ours, theirs = planted
    expected = len(_later_copies(ours)) + len(_later_copies(theirs))
    command = ["reconcile", str(folder / "ours.csv"), str(folder / "theirs.csv"), "--labels", "ours,theirs"]
    assert main(command + ["--format", "csv"]) == 0
    captured = capsys.readouterr()
    lines = pd.read_csv(io.StringIO(captured.out), dtype=str, keep_default_na=False)
    assert (lines["status"] == "duplicate").sum() == expected and f"{expected:,} duplicate" in captured.err
    assert lines.loc[lines["status"] == "duplicate", "note"].str.match(r"^(ours|theirs) line \d+: ").all()
    assert main(command + ["--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert sum(r["status"] == "duplicate" for r in records) == expected
    assert main(command) == 0
    table = capsys.readouterr().out
    assert table.count("duplicate") >= expected and f"theirs line {_later_copies(theirs)[0]}:" in table
    out = tmp_path / "rec.xlsx"
    assert main(command + ["--format", "xlsx", "-o", str(out)]) == 0
    sheet = openpyxl.load_workbook(out)["Lines"]
    header = [c.value for c in sheet[1]]
    statuses = [row[header.index("Status")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert statuses.count("duplicate") == expected
    notes = [row[header.index("Note")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sum(bool(note) for note in notes) == expected


def test_the_cli_keeps_one_customers_copies(tmp_path, capsys):
    (tmp_path / "ours.csv").write_text("document_id,customer_id,doc_date,amount\nINV1,C1,2026-03-01,100.00\n"
                                       "INV2,C2,2026-03-02,40.00\nINV2,C2,2026-03-02,40.00\n")
    (tmp_path / "statement.csv").write_text("document_id,doc_date,amount\nINV1,2026-03-01,100.00\n"
                                            "INV1,2026-03-01,100.00\n")
    assert main(["reconcile", str(tmp_path / "ours.csv"), str(tmp_path / "statement.csv"), "--customer", "C1",
                 "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert [(r["key"], r["status"], r["note"]) for r in json.loads(captured.out)] == [
        ("1", "matched", ""), ("1", "duplicate", "right line 3: duplicate of line 2")]
    assert "repeat(s) among them are duplicate lines" in captured.err


def test_the_dashboard_counts_the_duplicates_of_uploaded_files(planted, sample_ledger):
    import datetime as dt
    import re

    from arkit.dashboards.reconciliation import FILES, ReconciliationDashboard

    def upload(path):
        data = path.read_bytes()
        return ({"name": path.name, "type": "text/csv", "size": len(data), "content": memoryview(data),
                 "last_modified": dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc)},)

    folder, ours, theirs = planted
    board = ReconciliationDashboard(sample_ledger)
    board.mode.value = FILES
    board.left_file.value, board.right_file.value = upload(folder / "ours.csv"), upload(folder / "theirs.csv")
    board.compare.click()
    counts = dict(re.findall(r'data-status="(\w+)"><td>\w+</td><td class="num">([\d,]+)', board.counts.value))
    assert int(counts["duplicate"]) == len(_later_copies(ours)) + len(_later_copies(theirs))
    assert "repeat(s) among them are duplicate lines" in board.status.value
