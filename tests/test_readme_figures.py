"""The README's example figures are what the CLI prints today.

Each figure is parsed out of README.md (never copied into this file) and compared with the
output of the command that makes it: the converted aging by region, the KPI table and the
quarter of the KPI section, the size of the book, and the load reports of the loading section
(their input files are the ``$ cat`` blocks of the README). ``scripts/readme_figures.py``
regenerates the KPI table when a change moves it.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pandas as pd
import pytest

from source_tree import PROJECT_ROOT

from arkit.cli import main
from arkit.config import SAMPLES_DIR

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def text_blocks() -> list[str]:
    return re.findall(r"```text\n(.*?)```", README, flags=re.DOTALL)


def run(capsys, *args: str) -> str:
    assert main(list(args)) == 0
    return capsys.readouterr().out


def number(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def test_the_converted_aging_by_region(capsys):
    block = next(b for b in text_blocks() if "--by region --reporting-currency USD" in b)
    shown = [line for line in block.splitlines()[1:] if line.strip() and line.strip() != "..."]
    assert len(shown) >= 4 and any(line.split()[0] == "Canada" for line in shown)
    printed = run(capsys, "aging", str(SAMPLES_DIR), "--by", "region", "--reporting-currency", "USD").splitlines()
    assert printed[:len(shown)] == shown


def kpi_table() -> pd.DataFrame:
    rows = [line for line in README.splitlines() if re.match(r"\| 20\d\d-\d\d-\d\d \|", line)]
    header = next(line for line in README.splitlines() if line.startswith("| period_end | closing |"))
    columns = [c.strip() for c in header.strip("|").split("|")]
    return pd.DataFrame([[c.strip() for c in row.strip("|").split("|")] for row in rows], columns=columns)


def test_the_kpi_table(capsys, tmp_path):
    table = kpi_table()
    assert len(table) == 6
    out = tmp_path / "kpis.csv"
    assert main(["kpis", str(SAMPLES_DIR), "--as-of", "2026-10-31", "--months", "12", "--format", "csv",
                 "-o", str(out)]) == 0
    printed = pd.read_csv(out, dtype={"period_end": "str"}).set_index("period_end")
    for record in table.to_dict("records"):
        end = record.pop("period_end")
        for column, shown in record.items():
            # The README shows one decimal of the CLI's two: within half a tenth (and the CLI's rounding).
            assert abs(number(shown) - Decimal(repr(float(printed.loc[end, column])))) <= Decimal("0.055"), \
                (end, column, shown, printed.loc[end, column])


def test_the_quarter_and_the_book(capsys, tmp_path):
    sales, dso, cei = re.search(r"quarter to 2026-10-31: sales ([\d,.]+), DSO ([\d.]+), CEI ([\d.]+)%", README).groups()
    out = tmp_path / "quarter.csv"
    assert main(["kpis", str(SAMPLES_DIR), "--as-of", "2026-10-31", "--months", "3", "--total", "--format", "csv",
                 "-o", str(out)]) == 0
    quarter = pd.read_csv(out).iloc[0]
    assert number(sales) == Decimal(f"{quarter['sales']:.2f}")
    assert (number(dso), number(cei)) == (Decimal(f"{quarter['dso']:.1f}"), Decimal(f"{quarter['cei']:.1f}"))

    open_millions, past_due = re.search(r"the book holds ([\d.]+)M USD open, ([\d.]+)% past due", README).groups()
    out = tmp_path / "month.csv"
    assert main(["kpis", str(SAMPLES_DIR), "--as-of", "2026-10-31", "--months", "1", "--format", "csv",
                 "-o", str(out)]) == 0
    month = pd.read_csv(out).iloc[0]
    assert (number(open_millions), number(past_due)) == (Decimal(f"{month['closing'] / 1e6:.2f}"),
                                                         Decimal(f"{month['pct_past_due']:.1f}"))


LOAD_EXAMPLES = [b for b in text_blocks() if "\n$ arkit load " in b and b.startswith("$ cat ")]


@pytest.mark.parametrize("block", LOAD_EXAMPLES, ids=[b.split()[2] for b in LOAD_EXAMPLES])
def test_the_load_reports(block, capsys, tmp_path, monkeypatch):
    cat, _, rest = block.partition("\n$ arkit load ")
    name = cat.split()[2]
    (tmp_path / name).write_text(cat.partition("\n")[2] + "\n", encoding="utf-8")
    command, _, shown = rest.partition("\n")
    monkeypatch.chdir(tmp_path)
    assert command.split() == [name]
    assert run(capsys, "load", name).splitlines() == shown.rstrip("\n").splitlines()


def test_every_load_example_is_checked():
    assert {b.split()[2] for b in LOAD_EXAMPLES} >= {"ledger.csv", "converted.csv"}
