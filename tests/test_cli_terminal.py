"""What the CLI prints to a terminal: ledger text shown escaped, progress only on a terminal.

Through the real command (subprocess), on a ledger whose text carries escape sequences (clear
the screen, OSC 52 clipboard write, colours), carriage returns, C1 controls and bidi overrides.
"""

from __future__ import annotations

import csv
import fcntl
import json
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest
import yaml

from arkit import progress
from arkit.rendering.text import printable

ROOT = Path(__file__).resolve().parents[1]
CLEAR_AND_CLIPBOARD = "Evil\x1b[2J\x1b]52;c;ZXZpbA==\x07 Co"
BIDI = "Bidi \u202eoC\u2066x\u2069"
OVERWRITE = "Good\rBad\x9b31m Co\nLtd"
RED = "No\x1b[31mrth"
# Every character a terminal may obey rather than show.
UNSAFE = [chr(c) for c in [*range(0x20), 0x7F, *range(0x80, 0xA0), 0x061C, 0x200E, 0x200F,
                           *range(0x202A, 0x202F), *range(0x2066, 0x206A)]]


def run(*args: str, **options) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "arkit", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, **options)


def shown_safely(text: str) -> bool:
    """No character a terminal would obey: only line breaks between lines."""
    return not any(ch in text for ch in UNSAFE if ch != "\n")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    rows = [
        ["INV1", "C1", CLEAR_AND_CLIPBOARD, "invoice", "2026-01-05", "2026-02-04", "100.00", "USD", RED],
        ["INV2", "C2", BIDI, "invoice", "2026-01-06", "2026-02-05", "250.50", "USD", "South"],
        ["INV3", "C3", OVERWRITE, "invoice", "2026-01-07", "2026-02-06", "12\x1b[0m3", "USD", "South"],
        ["INV4", "C3", OVERWRITE, "invoice", "2026-01-07", "2026-02-06", "40.00", "EU\x1bR", "South"],
    ]
    with open(folder / "items.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["document_id", "customer_id", "customer_name", "doc_type", "doc_date", "due_date", "amount",
                         "currency", "region"])
        writer.writerows(rows)
    return folder / "items.csv"


def test_printable_escapes_what_a_terminal_obeys_and_keeps_the_rest():
    assert printable(CLEAR_AND_CLIPBOARD) == "Evil\\x1b[2J\\x1b]52;c;ZXZpbA==\\x07 Co"
    assert printable(OVERWRITE) == "Good\\rBad\\x9b31m Co\\nLtd"
    assert printable(OVERWRITE, newlines=True) == "Good\\rBad\\x9b31m Co\nLtd"
    assert printable(BIDI) == "Bidi \\u202eoC\\u2066x\\u2069"
    assert printable("\x00\x7f\x85\t") == "\\x00\\x7f\\x85\\t"
    assert printable("Müller & Søn, 株式会社, Ελλάς") == "Müller & Søn, 株式会社, Ελλάς"
    for ch in UNSAFE:
        assert shown_safely(printable(ch)), repr(ch)
    assert printable(printable(CLEAR_AND_CLIPBOARD)) == printable(CLEAR_AND_CLIPBOARD)  # escaping twice: no change


def test_table_output_shows_hostile_names_escaped(hostile):
    done = run("aging", str(hostile), "--by", "customer_name,region")
    assert done.returncode == 0, done.stderr
    assert shown_safely(done.stdout) and shown_safely(done.stderr)
    assert "\x1b" not in done.stdout + done.stderr
    assert "Evil\\x1b[2J\\x1b]52;c;ZXZpbA==\\x07 Co" in done.stdout and "No\\x1b[31mrth" in done.stdout
    assert "Bidi \\u202eoC\\u2066x\\u2069" in done.stdout
    assert "Good\\rBad\\x9b31m Co\\nLtd" in done.stdout  # the newline too: a row stays one line
    assert len(done.stdout.splitlines()) == 1 + 3  # header and the three customers' rows (INV3 is rejected)


def test_load_report_and_errors_quote_cell_values_escaped(hostile):
    report = run("load", str(hostile))
    assert report.returncode == 0 and shown_safely(report.stdout) and shown_safely(report.stderr)
    assert "cannot read '12\\x1b[0m3' as money" in report.stdout
    # An error that names a currency code found in the ledger.
    failed = run("aging", str(hostile), "--reporting-currency", "USD")
    assert failed.returncode == 1 and shown_safely(failed.stderr)
    assert failed.stderr.strip().endswith("for: EU\\x1bR")


def test_data_output_keeps_the_text_as_it_is(hostile, tmp_path):
    as_json = run("aging", str(hostile), "--by", "customer_name", "--format", "json")
    assert shown_safely(as_json.stdout)  # JSON escapes anyway
    assert {r["customer_name"] for r in json.loads(as_json.stdout)} == {CLEAR_AND_CLIPBOARD, BIDI, OVERWRITE}
    target = tmp_path / "aging.csv"
    assert run("aging", str(hostile), "--by", "customer_name", "--format", "csv", "-o", str(target)).returncode == 0
    with open(target, newline="", encoding="utf-8") as handle:
        assert {r["customer_name"] for r in csv.DictReader(handle)} == {CLEAR_AND_CLIPBOARD, BIDI, OVERWRITE}


def test_suggested_mapping_shows_headers_escaped_and_saves_them_exactly(tmp_path):
    header = "Cust\x1b[2JName\u202e"
    source = tmp_path / "export.csv"
    source.write_text(f"Invoice No,{header},Amount\nA1,Acme,10.00\n", encoding="utf-8")
    done = run("load", str(source), "--suggest-mapping")
    assert done.returncode == 0 and shown_safely(done.stderr)
    # Piped to a file the YAML stays exact: any header it names reads back as it is in the export.
    assert "\x1b" not in done.stdout
    assert set(yaml.safe_load(done.stdout)["columns"]) <= {"Invoice No", header, "Amount"}


def under_terminal(*args: str, env: dict | None = None) -> tuple[int, str, str]:
    """Run the CLI with stderr on a pseudo-terminal (80x24) and stdout on a pipe."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    environment = {k: v for k, v in os.environ.items() if k not in ("ARKIT_PROGRESS", "NO_COLOR")}
    environment.update({"PYTHONPATH": str(ROOT), "TERM": "xterm", **(env or {})})
    with open(os.devnull, "rb") as nothing:
        process = subprocess.Popen([sys.executable, "-m", "arkit", *args], stdin=nothing, stdout=subprocess.PIPE,
                                   stderr=slave, env=environment, cwd=ROOT)
    os.close(slave)
    chunks = []
    while True:  # read as it comes, so that a full terminal buffer never blocks the command
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the command ended and closed its side
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    out = process.stdout.read().decode()
    process.stdout.close()
    return process.wait(), out, b"".join(chunks).decode(errors="replace")


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> Path:
    """A few months of settled and open invoices, in a folder (so loading reads files)."""
    folder = tmp_path_factory.mktemp("history")
    lines = ["document_id,customer_id,doc_type,doc_date,due_date,amount,currency,closed_date"]
    for n in range(60):
        month, day = 1 + n % 6, 1 + n % 27
        closed = f"2026-{month + 1:02d}-{day:02d}" if n % 3 and month < 6 else ""
        lines.append(f"INV{n},C{n % 5},invoice,2026-{month:02d}-{day:02d},2026-{month:02d}-28,{100 + n}.00,USD,{closed}")
    (folder / "items.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "customers.csv").write_text("customer_id,region\n" + "".join(f"C{i},R{i % 2}\n" for i in range(5)),
                                          encoding="utf-8")
    return folder


def test_progress_on_a_terminal_and_none_in_a_pipe(history):
    args = ["kpis", str(history), "--as-of", "2026-06-30", "--months", "3", "--by", "region"]
    code, out, err = under_terminal(*args)
    assert code == 0, err
    assert "arkit kpis" in err and "step" in err and "\r" in err  # a bar, redrawn in place
    piped = run(*args)
    assert piped.returncode == 0
    assert piped.stderr == ""  # nothing at all in a pipe
    assert piped.stdout == out  # the same results either way
    assert out.splitlines()[0].split()[:2] == ["region", "period_end"]


@pytest.mark.parametrize("how", [["--no-progress"], "TERM=dumb", "ARKIT_PROGRESS=0"])
def test_progress_can_be_turned_off_on_a_terminal(history, how):
    args = ["aging", str(history), "--as-of", "2026-06-30"]
    if isinstance(how, list):
        code, out, err = under_terminal(*args, *how)
    else:
        name, value = how.split("=")
        code, out, err = under_terminal(*args, env={name: value})
    assert code == 0 and err == "" and out == run(*args).stdout


def test_the_hooks_are_no_ops_without_a_terminal(capsys):
    with progress.task("work", total=2) as bar:
        bar.update()
        progress.advance("a stage")
        assert list(progress.tracked(iter(["a", "b", "c"]), "items")) == ["a", "b", "c"]
    assert capsys.readouterr() == ("", "")
