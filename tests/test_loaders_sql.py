"""arkit.loaders.sql against a real PostgreSQL server, a SQLite file and a DuckDB file."""

from __future__ import annotations

import io
import logging
import socket
import sqlite3
import subprocess
import sys
from datetime import date
from decimal import Decimal

import duckdb
import pandas as pd
import psycopg
import pytest

from arkit import load
from arkit.errors import ArkitError
from arkit.loaders.sql import is_database_url, read_sql, redact, resolve_url
from postgres_server import PostgresServer

PASSWORD = "s3cr3t-Pa55"
WRONG_PASSWORD = "s3cr3t-Pa55-typo"

COLUMNS = ["document_id", "customer_id", "doc_date", "due_date", "amount", "currency"]
ROWS = [
    ("000101", "0042", date(2025, 1, 3), date(2025, 2, 2), Decimal("1250.00"), "USD"),
    ("000102", "0042", date(2025, 1, 10), date(2025, 2, 9), Decimal("310.45"), "USD"),
    ("000103", "0042", date(2025, 1, 15), None, Decimal("-310.45"), "USD"),
    ("000104", "0007", date(2025, 1, 20), date(2025, 3, 6), Decimal("9999.99"), "EUR"),
    ("000105", "0007", date(2025, 2, 1), date(2025, 3, 3), Decimal("0.01"), "EUR"),
    ("000106", "0007", date(2025, 2, 3), date(2025, 3, 5), Decimal("-45.10"), "EUR"),
    ("000107", "0100", date(2025, 2, 14), date(2025, 3, 16), Decimal("12345678.91"), "USD"),
    ("000108", "0100", date(2025, 2, 28), date(2025, 3, 30), Decimal("-0.99"), "USD"),
    ("000109", "0042", date(2025, 3, 1), date(2025, 3, 31), Decimal("77.70"), "USD"),
    ("000110", "0042", date(2025, 3, 2), date(2025, 4, 1), Decimal("-1250.00"), "USD"),
    ("000111", "0300", date(2025, 3, 5), date(2025, 4, 4), Decimal("400.33"), "GBP"),
    ("000112", "0300", date(2025, 3, 9), date(2025, 4, 8), Decimal("0.10"), "GBP"),
    ("000113", "0300", date(2025, 3, 12), date(2025, 4, 11), Decimal("-0.20"), "GBP"),
    ("000114", "0007", date(2025, 3, 20), date(2025, 4, 19), Decimal("615.15"), "EUR"),
    ("000115", "0100", date(2025, 3, 31), date(2025, 4, 30), Decimal("2.22"), "USD"),
    ("000116", "0100", date(2025, 4, 1), date(2025, 5, 1), Decimal("-2.22"), "USD"),
    ("000117", "0042", date(2025, 4, 15), date(2025, 5, 15), Decimal("88888.88"), "USD"),
    ("000118", "0042", date(2025, 4, 30), date(2025, 5, 30), Decimal("-0.01"), "USD"),
    ("000119", "0007", date(2025, 5, 2), date(2025, 6, 1), Decimal("1000.05"), "EUR"),
    ("000120", "0300", date(2025, 5, 9), date(2025, 6, 8), Decimal("-999.95"), "GBP"),
]
EXPECTED = pd.DataFrame(ROWS, columns=COLUMNS)
DDL = """CREATE TABLE {table} (document_id VARCHAR(20) NOT NULL, customer_id VARCHAR(10) NOT NULL,
    doc_date DATE NOT NULL, due_date DATE, amount NUMERIC(14, 2) NOT NULL, currency CHAR(3) NOT NULL)"""
CUSTOMERS_DDL = "CREATE TABLE customers (customer_id VARCHAR(10), customer_name VARCHAR(100))"
CUSTOMERS = [("0042", "Acme"), ("0007", "Bond Ltd"), ("0100", "Cent GmbH"), ("0300", "Pound plc")]


def cents(values) -> int:
    return sum(round(Decimal(str(v)) * 100) for v in values if pd.notna(v))


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def postgres():
    with PostgresServer(PASSWORD) as server:
        with psycopg.connect(server.url.replace("arkit@", f"arkit:{PASSWORD}@")) as db:
            db.execute("CREATE SCHEMA ar")
            for table in ("open_items", "ar.open_items"):
                db.execute(DDL.format(table=table))
                with db.cursor() as cursor:
                    cursor.executemany(f"INSERT INTO {table} VALUES (%s, %s, %s, %s, %s, %s)", ROWS)
            db.execute(CUSTOMERS_DDL)
            db.cursor().executemany("INSERT INTO customers VALUES (%s, %s)", CUSTOMERS)
        yield server


@pytest.fixture(scope="module")
def sqlite_url(tmp_path_factory):
    path = tmp_path_factory.mktemp("sqlite") / "ar.db"
    db = sqlite3.connect(path)
    db.execute(DDL.format(table="open_items"))
    # SQLite has no date or decimal type: dates are ISO text, amounts text that NUMERIC affinity parses.
    db.executemany("INSERT INTO open_items VALUES (?, ?, ?, ?, ?, ?)",
                   [(d, c, str(doc), due and str(due), str(a), cur) for d, c, doc, due, a, cur in ROWS])
    db.execute(CUSTOMERS_DDL)
    db.executemany("INSERT INTO customers VALUES (?, ?)", CUSTOMERS)
    db.commit()
    db.close()
    return f"sqlite:///{path}"


@pytest.fixture(scope="module")
def duckdb_url(tmp_path_factory):
    path = tmp_path_factory.mktemp("duckdb") / "ledger.duckdb"  # a file "ar" would clash with schema "ar"
    with duckdb.connect(str(path)) as db:
        db.execute("CREATE SCHEMA ar")
        for table in ("open_items", "ar.open_items"):
            db.execute(DDL.format(table=table))
            db.executemany(f"INSERT INTO {table} VALUES (?, ?, ?, ?, ?, ?)", ROWS)
        db.execute(CUSTOMERS_DDL)
        db.executemany("INSERT INTO customers VALUES (?, ?)", CUSTOMERS)
    return f"duckdb:///{path}"


@pytest.fixture(params=["postgresql", "sqlite", "duckdb"])
def database(request):
    """(url with password where there is one, a schema-qualified name of the items table)."""
    if request.param == "postgresql":
        server = request.getfixturevalue("postgres")
        return server.url.replace("arkit@", f"arkit:{PASSWORD}@"), "ar.open_items"
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url"), "main.open_items"
    return request.getfixturevalue("duckdb_url"), "ar.open_items"


def check_items(frame: pd.DataFrame, expected: pd.DataFrame) -> None:
    frame = frame.sort_values("document_id").reset_index(drop=True)
    expected = expected.sort_values("document_id").reset_index(drop=True)
    assert len(frame) == len(expected)
    assert frame["document_id"].tolist() == expected["document_id"].tolist()  # '000101' keeps its zeros
    assert frame["customer_id"].tolist() == expected["customer_id"].tolist()  # '0042' too
    assert frame["currency"].tolist() == expected["currency"].tolist()
    assert cents(frame["amount"]) == cents(expected["amount"])
    assert pd.api.types.is_numeric_dtype(frame["amount"])
    for column in ("doc_date", "due_date"):
        assert pd.api.types.is_datetime64_dtype(frame[column]), frame[column].dtype
        assert frame[column].tolist() == pd.to_datetime(expected[column]).tolist()


def test_reads_a_table(database):
    url, _ = database
    frame = read_sql(url, table="open_items")
    assert list(frame.columns) == COLUMNS
    check_items(frame, EXPECTED)
    assert frame["due_date"].isna().sum() == 1


def test_reads_a_schema_qualified_table(database):
    url, qualified = database
    check_items(read_sql(url, table=qualified), EXPECTED)


def test_reads_a_query_with_a_where_clause(database):
    url, _ = database
    frame = read_sql(url, query="SELECT * FROM open_items WHERE customer_id = '0042' AND amount < 0")
    expected = EXPECTED[(EXPECTED["customer_id"] == "0042") & (EXPECTED["amount"] < 0)]
    assert len(frame) == 3
    check_items(frame, expected)


def test_query_text_is_sent_as_written(database):
    # ':soon' is text, not a bind parameter; '%' is a LIKE wildcard, not a driver placeholder.
    url, _ = database
    frame = read_sql(url, query="SELECT document_id, 'due :soon' AS note FROM open_items "
                                "WHERE document_id LIKE '00011%' ORDER BY document_id")
    assert frame["document_id"].tolist() == [f"0001{n}" for n in range(10, 20)]
    assert set(frame["note"]) == {"due :soon"}


def test_table_names_are_quoted_not_spliced_into_sql(database):
    url, _ = database
    with pytest.raises(ArkitError, match=r"table 'open_items; DROP TABLE customers' not found"):
        read_sql(url, table="open_items; DROP TABLE customers")
    assert len(read_sql(url, table="customers")) == len(CUSTOMERS)


def test_env_urls(postgres, sqlite_url, monkeypatch):
    monkeypatch.setenv("ARKIT_TEST_PG", postgres.url.replace("arkit@", f"arkit:{PASSWORD}@"))
    monkeypatch.setenv("ARKIT_TEST_SQLITE", sqlite_url)
    assert is_database_url("env:ARKIT_TEST_PG") and is_database_url("$ARKIT_TEST_PG")
    check_items(read_sql("env:ARKIT_TEST_PG", table="open_items"), EXPECTED)
    check_items(read_sql("$ARKIT_TEST_SQLITE", table="open_items"), EXPECTED)
    assert resolve_url("${ARKIT_TEST_SQLITE}") == sqlite_url


def test_unset_or_wrong_env_variable_is_named_never_shown(monkeypatch):
    monkeypatch.delenv("ARKIT_TEST_MISSING", raising=False)
    with pytest.raises(ArkitError, match="environment variable ARKIT_TEST_MISSING is not set"):
        read_sql("env:ARKIT_TEST_MISSING", table="open_items")
    monkeypatch.setenv("ARKIT_TEST_PASTED", PASSWORD)  # a password pasted where the URL belongs
    with pytest.raises(ArkitError, match="ARKIT_TEST_PASTED does not hold a database URL") as caught:
        resolve_url("$ARKIT_TEST_PASTED")
    assert_secret_free(caught.value)


def test_password_from_pgpassword(postgres, monkeypatch):
    monkeypatch.setenv("PGPASSFILE", "/nonexistent/pgpass")
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    assert ":" not in postgres.url.split("//")[1].split("@")[0]
    check_items(read_sql(postgres.url, table="open_items"), EXPECTED)


def assert_secret_free(error: BaseException, *, log: str = "") -> None:
    texts = [str(error), repr(error), log]
    cause = error
    while cause is not None:  # whatever chain is kept must be clean too
        texts += [str(cause), repr(cause)]
        cause = cause.__cause__ or cause.__context__
    for text in texts:
        assert PASSWORD not in text and WRONG_PASSWORD not in text
    assert error.__cause__ is None and error.__context__ is None


def pg_url(server: PostgresServer, *, password: str | None = PASSWORD, port=None, database="ar",
           driver="postgresql") -> str:
    userinfo = f"arkit:{password}" if password else "arkit"
    return f"{driver}://{userinfo}@127.0.0.1:{port or server.port}/{database}"


POSTGRES_FAILURES = {
    "connection refused": (dict(port="closed"), dict(table="open_items"),
                           "connection refused; is the server running and listening on 127.0.0.1:"),
    "bad password": (dict(password=WRONG_PASSWORD), dict(table="open_items"),
                     "password authentication failed for user 'arkit'"),
    "unknown database": (dict(database="ar_nope"), dict(table="open_items"),
                         "database 'ar_nope' does not exist"),
    "unknown table": (dict(), dict(table="open_itms"),
                      "table 'open_itms' not found; tables: customers, open_items"),
    "unknown schema": (dict(), dict(table="nope.open_items"), "table 'nope.open_items' not found"),
    "syntax error": (dict(), dict(query="SELEC * FROM open_items"), 'query failed: syntax error at or near "SELEC"'),
    "unknown column": (dict(), dict(query="SELECT amount_due FROM open_items"),
                       'query failed: column "amount_due" does not exist'),
    "missing driver": (dict(driver="postgresql+psycopg2"), dict(table="open_items"),
                       "the database driver for 'postgresql+psycopg2' is not installed (No module named"),
    "table and query": (dict(), dict(table="open_items", query="SELECT 1"), "give exactly one of table= or query="),
}


@pytest.mark.parametrize("kind", list(POSTGRES_FAILURES))
def test_postgres_failures_are_one_line_without_the_password(postgres, kind, caplog):
    caplog.set_level(logging.DEBUG)  # SQLAlchemy and psycopg log at DEBUG: nothing may leak there
    url_parts, arguments, expected = POSTGRES_FAILURES[kind]
    if url_parts.get("port") == "closed":
        url_parts["port"] = closed_port()
    url = pg_url(postgres, **url_parts)
    with pytest.raises(ArkitError) as caught:
        read_sql(url, **arguments)
    message = str(caught.value)
    shown = redact(url)
    assert message.startswith(f"{shown}: "), message
    assert expected in message
    assert "\n" not in message
    assert_secret_free(caught.value, log=caplog.text)


def test_postgres_message_names_the_url_without_userinfo_password(postgres):
    with pytest.raises(ArkitError) as caught:
        read_sql(pg_url(postgres), table="open_itms")
    assert str(caught.value) == (f"postgresql://arkit@127.0.0.1:{postgres.port}/ar: "
                                 "table 'open_itms' not found; tables: customers, open_items")


@pytest.mark.parametrize("source", ["pgpassword", "none"])
def test_password_failures_from_the_environment(postgres, source, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("PGPASSFILE", "/nonexistent/pgpass")
    if source == "pgpassword":
        monkeypatch.setenv("PGPASSWORD", WRONG_PASSWORD)
        expected = "password authentication failed for user 'arkit'"
    else:
        monkeypatch.delenv("PGPASSWORD", raising=False)
        expected = "the server asks for a password"
    with pytest.raises(ArkitError, match=expected) as caught:
        read_sql(postgres.url, table="open_items")
    assert_secret_free(caught.value, log=caplog.text)


@pytest.mark.parametrize("kind", ["sqlite", "duckdb"])
@pytest.mark.parametrize("failure, arguments, expected", [
    ("missing file", dict(table="open_items"), "no such database file"),
    ("unknown table", dict(table="open_itms"), "table 'open_itms' not found; tables: customers, open_items"),
    ("unknown schema", dict(table="nope.open_items"), "schema 'nope'"),
    ("syntax error", dict(query="SELEC * FROM open_items"), "query failed: "),
    ("unknown table in query", dict(query="SELECT * FROM open_itms"), "query failed: "),
])
def test_file_database_failures(kind, failure, arguments, expected, sqlite_url, duckdb_url, tmp_path):
    url = sqlite_url if kind == "sqlite" else duckdb_url
    if failure == "missing file":
        url = f"{kind}:///{tmp_path / 'nope.db'}"
    with pytest.raises(ArkitError) as caught:
        read_sql(url, **arguments)
    message = str(caught.value)
    assert message.startswith(f"{url}: ") and expected in message and "\n" not in message
    assert caught.value.__cause__ is None and caught.value.__context__ is None
    assert not (tmp_path / "nope.db").exists()  # a typo never creates an empty database


def test_not_a_database_url():
    with pytest.raises(ArkitError, match="not a database URL"):
        read_sql("open_items.csv", table="open_items")
    assert not is_database_url("open_items.csv") and not is_database_url("s3://bucket/ar.parquet")
    assert is_database_url("postgresql+psycopg://h/db") and is_database_url("duckdb:///ar.duckdb")


def test_resolve_url_uses_psycopg_3():
    assert resolve_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert resolve_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert resolve_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"


def test_redact():
    url = f"postgresql://arkit:{PASSWORD}@db:5432/ar"
    assert redact(f"at {url} and postgresql+psycopg://x:{PASSWORD}@h/d") == \
        "at postgresql://arkit@db:5432/ar and postgresql+psycopg://x@h/d"
    assert redact(f"failed for {PASSWORD!r}", url) == "failed for '***'"
    assert redact(f"host=db password={PASSWORD} user=arkit") == "host=db password=*** user=arkit"
    encoded = "postgresql://arkit:p%40ss%2Fw0rd@db/ar"
    assert redact("p@ss/w0rd p%40ss%2Fw0rd", encoded) == "*** ***"
    assert redact("sqlite:///ar.db") == "sqlite:///ar.db"


def test_load_and_the_cli_read_every_database(database, tmp_path):
    """The whole path: arkit.load with a URL and a table, and `arkit aging` on it, password unseen."""
    url, table = database
    result = load(url, table=table)
    assert result.report.rows_rejected == 0 and result.report.rows_loaded == len(ROWS)
    assert cents(result.ledger.items["amount"]) == cents(pd.Series([row[4] for row in ROWS], dtype="float64"))
    assert PASSWORD not in result.report.source
    done = subprocess.run([sys.executable, "-m", "arkit", "aging", url, "--table", table, "--format", "csv"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert PASSWORD not in done.stdout + done.stderr
    totals = pd.read_csv(io.StringIO(done.stdout), dtype={"customer_id": "str"})
    assert totals["customer_id"].str.startswith("0").all()
