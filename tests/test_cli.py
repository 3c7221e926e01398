import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import arkit.dashboards
from arkit import aging_summary, bucket_labels
from arkit.cli import main
from arkit.config import SAMPLES_DIR

LABELS = bucket_labels()


def test_aging_csv_on_the_sample_ties_out(sample_ledger):
    """The check of the README: one row per customer with an open balance, buckets summing to total."""
    done = subprocess.run(
        [sys.executable, "-m", "arkit", "aging", str(SAMPLES_DIR), "--as-of", "2026-10-31", "--by", "customer_id",
         "--format", "csv"], capture_output=True, text=True, check=True)
    table = pd.read_csv(io.StringIO(done.stdout), dtype={"customer_id": "str"})
    assert table.columns.tolist() == ["customer_id", "currency", *LABELS, "total"]
    assert table["customer_id"].is_unique and table["customer_id"].str.len().eq(7).all()
    cents = table[LABELS + ["total"]].mul(100).round().astype("int64")
    assert (cents[LABELS].sum(axis=1) == cents["total"]).all()
    open_items = sample_ledger.items[sample_ledger.items["closed_date"].isna()]
    assert set(table["customer_id"]) == set(open_items["customer_id"])
    expected = open_items.groupby("currency")["amount"].sum().round(2)
    # Unclosed items carry their unapplied part; total by currency equals the open balance by currency.
    assert table.groupby("currency")["total"].sum().round(2).to_dict() == aging_summary(
        sample_ledger, "2026-10-31", by="currency").set_index("currency")["total"].to_dict()
    assert set(expected.index) == set(table["currency"])


def test_aging_json_and_table_formats(capsys):
    assert main(["aging", str(SAMPLES_DIR), "--by", "region", "--reporting-currency", "USD", "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert [set(r) for r in records[:1]] == [{"region", *LABELS, "total"}]
    assert main(["aging", str(SAMPLES_DIR), "--by", "region", "--reporting-currency", "USD"]) == 0
    text = capsys.readouterr().out
    assert text.splitlines()[0].split() == ["region", *LABELS, "total"]
    assert len(text.splitlines()) == len(records) + 1


def test_aging_writes_a_file(tmp_path, capsys):
    target = tmp_path / "aging.csv"
    assert main(["aging", str(SAMPLES_DIR), "--by", "collector", "--reporting-currency", "USD", "--format", "csv",
                 "-o", str(target)]) == 0
    written = pd.read_csv(target)
    assert f"wrote {len(written)} rows to {target}" in capsys.readouterr().err


@pytest.mark.parametrize("args, fragment", [
    (["aging", "no/such/folder"], "no/such/folder: no such file or folder"),
    (["aging", str(SAMPLES_DIR), "--as-of", "31/10/2026"], "cannot read '31/10/2026' as a date; write it as YYYY-MM-DD"),
    (["aging", str(SAMPLES_DIR), "--by", "regoin"], "cannot group by regoin"),
    (["aging", str(SAMPLES_DIR), "--reporting-currency", "EUR"], "convert to USD, not EUR"),
])
def test_errors_are_one_line_without_traceback(args, fragment):
    done = subprocess.run([sys.executable, "-m", "arkit", *args], capture_output=True, text=True)
    assert done.returncode == 1
    assert done.stderr.startswith("arkit: error: ") and fragment in done.stderr
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1


def test_bad_bucket_option_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["aging", str(SAMPLES_DIR), "--buckets", "30,sixty"])
    assert exit_.value.code == 2
    assert "bucket edges are whole days" in capsys.readouterr().err


def test_dashboard_refuses_a_bad_source_before_starting_voila(capsys):
    assert main(["dashboard", "no/such/folder"]) == 1
    assert "no such file or folder" in capsys.readouterr().err


@pytest.fixture
def voila_calls(monkeypatch):
    """The commands `arkit dashboard` would start, recorded instead of run."""
    calls = []
    monkeypatch.setattr("arkit.cli.subprocess.call", lambda command, env: calls.append((command, env)) or 0)
    return calls


@pytest.mark.parametrize("name, content, fragment", [
    ("missing", None, "no such file or folder"),
    ("ledger.xlsx", b"not a zip archive", "not an Excel workbook"),
    ("ledger.csv", bytes(range(256)) * 8, "binary data, not a text table"),
])
def test_dashboard_names_a_bad_source_in_one_line_and_starts_no_voila(tmp_path, capsys, voila_calls,
                                                                        name, content, fragment):
    source = tmp_path / name
    if content is not None:
        source.write_bytes(content)
    assert main(["dashboard", str(source)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"arkit: error: {source}: {fragment}") and err.count("\n") == 1
    assert "Traceback" not in err
    assert voila_calls == []


def test_dashboard_without_source_serves_the_bundled_triage_page(capsys, voila_calls):
    assert main(["dashboard", "--port", "8901"]) == 0
    [(command, env)] = voila_calls
    notebook = Path(command[command.index("voila") + 1])
    assert notebook.name == "01-portfolio-triage.ipynb" and notebook.is_file()
    assert notebook.parent.parent == Path(arkit.dashboards.__file__).parent  # package data, not the source tree
    assert Path(env["ARKIT_LEDGER"]) == (Path(arkit.__file__).parent / "data" / "samples").resolve()
    assert "--port=8901" in command
    assert "items=65565" in capsys.readouterr().err


def test_csv_output_never_carries_a_formula(tmp_path, capsys):
    items = tmp_path / "items.csv"
    items.write_text("document_id,customer_id,doc_date,amount\nINV1,=1+2,2026-01-01,10\nCM1,@SUM(A1),2026-01-02,-5\n")
    assert main(["aging", str(items), "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].startswith("'=1+2,USD,") and lines[2].startswith("'@SUM(A1),USD,")
    assert lines[2].endswith(",-5.00")


def test_kpis_command_monthly_and_total(capsys, sample_ledger):
    from arkit._kpis import kpis, period_kpis

    assert main(["kpis", str(SAMPLES_DIR), "--as-of", "2026-10-31", "--months", "2", "--format", "json"]) == 0
    monthly = json.loads(capsys.readouterr().out)
    assert [r["period_end"] for r in monthly] == ["2026-09-30", "2026-10-31"]
    expected = kpis(sample_ledger, "2026-10-31", 2)
    assert [r["dso"] for r in monthly] == expected["dso"].round(2).tolist()
    assert main(["kpis", str(SAMPLES_DIR), "--as-of", "2026-10-31", "--months", "2", "--total", "--by", "region",
                 "--format", "csv"]) == 0
    total = pd.read_csv(io.StringIO(capsys.readouterr().out))
    expected = period_kpis(sample_ledger, "2026-10-31", 2, "region")
    assert total["region"].tolist() == expected["region"].tolist()
    assert (total["period_start"].unique().tolist(), total["period_end"].unique().tolist()) == (
        ["2026-09-01"], ["2026-10-31"])
    assert total["cei"].tolist() == expected["cei"].round(2).tolist()
