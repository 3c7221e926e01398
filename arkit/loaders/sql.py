"""Read AR tables from databases (PostgreSQL, SQLite, DuckDB) without ever showing a password."""

from __future__ import annotations

import datetime as dt
import os
import re
from urllib.parse import quote, unquote

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from arkit.errors import ArkitError

__all__ = ["is_database_url", "read_sql", "redact", "resolve_url"]

# Database kinds SQLAlchemy (or duckdb-engine) knows; other schemes (https://, s3://) are files.
_DIALECTS = ("postgresql", "postgres", "sqlite", "duckdb", "mysql", "mariadb", "mssql", "oracle")
_URL = re.compile(rf"^(?:{'|'.join(_DIALECTS)})(?:\+\w+)?://", re.IGNORECASE)
_ENV = re.compile(r"^(?:env:([A-Za-z_]\w*)|\$([A-Za-z_]\w*)|\$\{([A-Za-z_]\w*)\})$")
# scheme://user:password@ ; the password runs to the last "@" before a space, as a password may
# hold an unencoded "/" or "@" (hiding too much beats showing part of it)
_USERINFO = re.compile(r"(\b[A-Za-z][\w+.\-]*://)([^\s:/?#@]*):(\S*)@")
_PASSWORD_PARAM = re.compile(r"(password\s*=\s*)('[^']*'|\"[^\"]*\"|[^\s&;,)]*)", re.IGNORECASE)
_EXPECTED = "expected postgresql://user@host:5432/db, sqlite:///file.db, duckdb:///file.duckdb or env:NAME"


def _env_name(source: str) -> str | None:
    match = _ENV.match(source.strip())
    return next(name for name in match.groups() if name) if match else None


def is_database_url(source: str) -> bool:
    """Whether ``source`` names a database rather than a file.

    True for ``postgresql://``, ``postgresql+psycopg://``, ``sqlite:///file.db``,
    ``duckdb:///file.duckdb`` (and the other SQLAlchemy database kinds), and for ``env:NAME``,
    ``$NAME`` or ``${NAME}``, which name an environment variable holding such a URL (whether it
    is set is checked by :func:`resolve_url`).

    Examples
    --------
    >>> is_database_url("postgresql://arkit@db.example.com/ar"), is_database_url("env:AR_DATABASE_URL")
    (True, True)
    >>> is_database_url("exports/open_items.csv"), is_database_url("https://example.com/ar.csv")
    (False, False)
    """
    if not isinstance(source, str):
        return False
    return bool(_URL.match(source.strip())) or _env_name(source) is not None


def _expand(source: str) -> str:
    """The URL itself: env:NAME / $NAME replaced by the variable's value, checked, unmapped."""
    source = str(source).strip()
    name = _env_name(source)
    if name is not None:
        value = os.environ.get(name, "").strip()
        if not value:
            raise ArkitError(f"environment variable {name} is not set; set it to a database URL "
                             f"({_EXPECTED.removesuffix(' or env:NAME')})")
        if not _URL.match(value):
            # Never echo the value: it may be a password pasted in the wrong variable.
            raise ArkitError(f"environment variable {name} does not hold a database URL; {_EXPECTED}")
        return value
    if not _URL.match(source):
        raise ArkitError(f"{redact(source)}: not a database URL; {_EXPECTED}")
    return source


def resolve_url(source: str) -> str:
    """The SQLAlchemy URL to connect with: ``env:NAME`` / ``$NAME`` expanded, drivers filled in.

    ``postgresql://`` and ``postgres://`` use the psycopg 3 driver (``postgresql+psycopg://``);
    an unset variable raises :class:`~arkit.ArkitError` naming the variable, never a value.
    The result keeps the URL's password: pass it on, never print it (see :func:`redact`).

    Examples
    --------
    >>> resolve_url("postgresql://arkit@127.0.0.1:5432/ar")
    'postgresql+psycopg://arkit@127.0.0.1:5432/ar'
    >>> os.environ["ARKIT_EXAMPLE_DB"] = "sqlite:///ar.db"
    >>> resolve_url("env:ARKIT_EXAMPLE_DB"), resolve_url("$ARKIT_EXAMPLE_DB")
    ('sqlite:///ar.db', 'sqlite:///ar.db')
    >>> del os.environ["ARKIT_EXAMPLE_DB"]
    >>> resolve_url("env:ARKIT_EXAMPLE_DB")
    Traceback (most recent call last):
    ...
    arkit.errors.ArkitError: environment variable ARKIT_EXAMPLE_DB is not set; ...
    """
    url = _expand(source)
    return re.sub(r"^(?:postgresql|postgres)://", "postgresql+psycopg://", url, flags=re.IGNORECASE)


def _url_passwords(url: str | None) -> list[str]:
    """The password of ``url`` as written and percent-decoded (empty when it has none)."""
    match = _USERINFO.search(url or "")
    if not match:
        return []
    written = match.group(3)
    return [p for p in {written, unquote(written), quote(unquote(written), safe="")} if p]


def redact(text: str, url: str | None = None) -> str:
    """``text`` with the password of every URL in it removed, and any copy of ``url``'s password.

    ``user:password@`` becomes ``user@``; ``password=...`` settings become ``password=***``; a
    password of ``url`` quoted anywhere else in ``text`` (an error message, say) becomes ``***``.

    Examples
    --------
    >>> redact("cannot reach postgresql://arkit:s3cr3t@db:5432/ar")
    'cannot reach postgresql://arkit@db:5432/ar'
    >>> redact("login 's3cr3t' refused", url="postgresql://arkit:s3cr3t@db/ar")
    "login '***' refused"
    """
    text = str(text)
    for password in sorted(_url_passwords(url), key=len, reverse=True):
        text = text.replace(password, "***")
    text = _USERINFO.sub(r"\1\2@", text)
    return _PASSWORD_PARAM.sub(r"\1***", text)


class _Failure(Exception):
    """A problem found while reading, already described in words; becomes an ArkitError."""


def _detail(exc: BaseException) -> str:
    """The driver's own message, without SQLAlchemy's and pandas's wrappers."""
    while exc.__cause__ is not None and not isinstance(exc, sa.exc.DBAPIError):
        exc = exc.__cause__  # pandas wraps SQLAlchemy errors in DatabaseError
    if isinstance(exc, sa.exc.DBAPIError) and exc.orig is not None:
        exc = exc.orig
    return str(exc)


def _first_line(message: str, limit: int = 300) -> str:
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    line = lines[0] if lines else "unknown error"
    return line if len(line) <= limit else line[: limit - 3] + "..."


def _connect_problem(exc: BaseException, url: sa.URL) -> str:
    message = _detail(exc)
    quoted = re.compile(r'"([^"]*)"')
    if "password authentication failed" in message:
        user = quoted.search(message.split("password authentication failed", 1)[1])
        who = f" for user '{user.group(1)}'" if user else ""
        return f"password authentication failed{who}; check the password in the URL or in PGPASSWORD"
    if "no password supplied" in message:
        return "the server asks for a password; put it in the URL or in PGPASSWORD (or ~/.pgpass)"
    found = re.search(r'database "([^"]*)" does not exist', message)
    if found:
        return f"database '{found.group(1)}' does not exist on the server"
    found = re.search(r'role "([^"]*)" does not exist', message)
    if found:
        return f"user '{found.group(1)}' does not exist on the server"
    if "Connection refused" in message:
        return f"connection refused; is the server running and listening on {url.host}:{url.port or 5432}?"
    if "could not translate host name" in message or "Name or service not known" in message:
        return f"unknown host '{url.host}'"
    if "timeout expired" in message or "timed out" in message:
        return f"connection to {url.host}:{url.port or 5432} timed out"
    line = _first_line(message)
    line = re.sub(r'^(connection failed: )?(connection to server at "[^"]*", port \d+ failed: )?'
                  r'(FATAL:\s+)?', "", line)
    return f"cannot connect: {line}"


def _check_file(url: sa.URL) -> None:
    """SQLite and DuckDB create a missing file silently; a typo must not read as an empty database."""
    database = url.database or ""
    in_memory = database in ("", ":memory:") or database.startswith(("file:", "md:", "motherduck:"))
    if url.get_backend_name() in ("sqlite", "duckdb") and not in_memory and "uri" not in url.query:
        if not os.path.isfile(database):
            raise _Failure(f"no such database file: {database}")


def _create_engine(url: str) -> sa.Engine:
    try:
        parsed = make_url(url)
    except sa.exc.ArgumentError:
        raise _Failure(f"not a valid database URL; {_EXPECTED}") from None
    _check_file(parsed)
    backend = parsed.get_backend_name()
    connect_args = {"read_only": True} if backend == "duckdb" else {}
    if backend == "postgresql" and "connect_timeout" not in parsed.query:
        connect_args["connect_timeout"] = 10
    try:
        return sa.create_engine(parsed, connect_args=connect_args)
    except sa.exc.NoSuchModuleError:
        raise _Failure(f"unknown database kind '{parsed.drivername}'; {_EXPECTED}") from None
    except ImportError as exc:
        hint = "; use postgresql:// (psycopg 3 comes with arkit)" if backend == "postgresql" else ""
        raise _Failure(f"the database driver for '{parsed.drivername}' is not installed ({exc}){hint}") from None


def _find_table(connection: sa.Connection, table: str) -> sa.TableClause:
    """The table (or view) named ``table`` or ``schema.table``, as a safely quoted clause."""
    schema, _, name = table.strip().rpartition(".")
    schema = schema or None
    if not name:
        raise _Failure(f"empty table name {table!r}")
    try:
        inspector = sa.inspect(connection)
        if inspector.has_table(name, schema=schema):
            return sa.table(name, schema=schema)
        names = sorted(set(inspector.get_table_names(schema=schema)) | set(inspector.get_view_names(schema=schema)))
    except Exception as exc:
        of_schema = f" of schema '{schema}'" if schema else ""
        raise _Failure(f"cannot list the tables{of_schema}: {_first_line(_detail(exc))}") from None
    same = [n for n in names if n.lower() == name.lower()]
    if len(same) == 1:  # PostgreSQL folds unquoted names to lower case; users type either
        return sa.table(same[0], schema=schema)
    where = f" in {schema}" if schema else ""
    if not names:
        place = f"schema '{schema}' does not exist or" if schema else "the database"
        raise _Failure(f"table '{table}' not found; {place} has no tables")
    listed = ", ".join(names[:25]) + (f", ... ({len(names) - 25} more)" if len(names) > 25 else "")
    raise _Failure(f"table '{table}' not found; tables{where}: {listed}")


def _literal_text(query: str) -> sa.TextClause:
    r"""``text(query)`` with every ``:name`` kept as written (SQL literals, not bind parameters)."""
    return sa.text(re.sub(r"(?<![:\w])(?=:\w)", lambda _: "\\", query))


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?")


def _dates_to_datetime64(frame: pd.DataFrame, text_dates: bool) -> pd.DataFrame:
    """Date columns as datetime64[us]: drivers give ``datetime.date`` objects, SQLite gives ISO text."""
    for name in frame.columns:
        column = frame[name]
        values = column.dropna()
        if values.empty or pd.api.types.is_datetime64_any_dtype(column):
            continue
        if column.dtype == object and all(isinstance(v, dt.date) for v in values):
            pass
        elif text_dates and all(isinstance(v, str) and _ISO_DATE.fullmatch(v) for v in values):
            pass
        else:
            continue
        try:
            converted = pd.to_datetime(column, format="ISO8601" if text_dates else None)
            frame[name] = converted.dt.as_unit("us")
        except (ValueError, TypeError, OverflowError):
            continue  # out-of-range or mixed values stay as the driver gave them
    return frame


def _read(url: str, table: str | None, query: str | None) -> pd.DataFrame:
    engine = _create_engine(url)
    try:
        try:
            connection = engine.connect()
        except Exception as exc:
            raise _Failure(_connect_problem(exc, engine.url)) from None
        with connection:
            statement = (sa.select(sa.literal_column("*")).select_from(_find_table(connection, table))
                         if table is not None else _literal_text(query))
            try:
                frame = pd.read_sql(statement, connection)
            except Exception as exc:
                raise _Failure(f"query failed: {_first_line(_detail(exc))}") from None
    finally:
        engine.dispose()
    return _dates_to_datetime64(frame, text_dates=engine.url.get_backend_name() == "sqlite")


def read_sql(source: str, *, table: str | None = None, query: str | None = None) -> pd.DataFrame:
    """Read one table (``table="ar.open_items"``) or the result of one ``query`` into a DataFrame.

    ``source`` is a database URL or ``env:NAME`` / ``$NAME`` (see :func:`is_database_url`).
    Credentials come from the URL or, for PostgreSQL, from libpq's environment: a URL without
    a password uses ``PGPASSWORD`` (or ``~/.pgpass``), one without a user ``PGUSER``. SQLite and
    DuckDB files are opened as they are, DuckDB read-only; a missing file is an error.

    Text stays text (``'0042'`` keeps its zeros), dates become ``datetime64``, numbers are as
    :func:`pandas.read_sql` gives them (``NUMERIC`` as ``float64``). The query is sent as written:
    ``:name`` is not a parameter. Every failure is an :class:`~arkit.ArkitError` of one line,
    ``<url without password>: <what went wrong>``, and no message carries the password.

    Examples
    --------
    >>> import sqlite3, tempfile
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = os.path.join(folder.name, "ar.db")
    >>> db = sqlite3.connect(path)
    >>> _ = db.execute("CREATE TABLE open_items (document_id TEXT, doc_date DATE, amount NUMERIC(14, 2))")
    >>> _ = db.execute("INSERT INTO open_items VALUES ('000123', '2026-01-31', 99.5), ('000124', '2026-02-01', -20)")
    >>> db.commit(); db.close()
    >>> items = read_sql(f"sqlite:///{path}", table="open_items")
    >>> items["document_id"].tolist(), items["doc_date"].dtype, items["amount"].sum()
    (['000123', '000124'], dtype('<M8[us]'), np.float64(79.5))
    >>> len(read_sql(f"sqlite:///{path}", query="SELECT * FROM open_items WHERE amount < 0"))
    1
    >>> read_sql(f"sqlite:///{path}", table="open_itms")
    Traceback (most recent call last):
    ...
    arkit.errors.ArkitError: sqlite:///...ar.db: table 'open_itms' not found; tables: open_items
    >>> folder.cleanup()
    """
    if (table is None) == (query is None):
        raise ArkitError(f"{redact(str(source))}: give exactly one of table= or query= to read_sql")
    expanded = _expand(source)
    url = resolve_url(expanded)
    try:
        return _read(url, table, query)
    except _Failure as failure:
        problem = str(failure)
    # Raised outside the except block so neither __cause__ nor __context__ holds a driver error.
    message = redact(f"{redact(expanded)}: {problem}", url)
    if os.environ.get("PGPASSWORD"):
        message = message.replace(os.environ["PGPASSWORD"], "***")
    raise ArkitError(message) from None
