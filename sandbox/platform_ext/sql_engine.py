"""One Redshift database of the sandbox, on an in-memory DuckDB database (sql_dialect translates).

A Data API request (one ExecuteStatement, or a BatchExecuteStatement with all its SQL) is one
`Session`: it runs in one transaction, committed at its end and rolled back whole when a
statement fails or the request is cancelled, as on Redshift. An explicit BEGIN inside is a
no-op, COMMIT/END and ROLLBACK/ABORT end the transaction and start the next one, and a BEGIN
still open at the end is rolled back (the Data API's session ends). Temporary tables end with
the session.

System tables (schema main, found through the search path): STL_QUERY (every statement, failed
ones with aborted = 1), STL_LOAD_COMMITS (every file a COPY loaded), STL_LOAD_ERRORS (why a COPY
failed), and the view STV_TBL_PERM (the tables, with the ids STL_LOAD_ERRORS.tbl uses). They are
written on their own connection, so a rollback keeps what happened, as Redshift's logs do.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import duckdb

from . import sql_copy, sql_dialect
from .sql_dialect import TranslationError

SYSTEM_TABLES = """
CREATE TABLE main.stl_query (userid INTEGER, query INTEGER, label VARCHAR, xid BIGINT,
    pid INTEGER, database VARCHAR, querytxt VARCHAR, starttime TIMESTAMP, endtime TIMESTAMP,
    aborted INTEGER, insert_pristine INTEGER, concurrency_scaling_status INTEGER);
CREATE TABLE main.stl_load_commits (userid INTEGER, query INTEGER, slice INTEGER, name VARCHAR,
    filename VARCHAR, byte_offset INTEGER, lines_scanned INTEGER, errors INTEGER,
    curtime TIMESTAMP, status INTEGER, file_format VARCHAR, is_partial INTEGER,
    start_offset BIGINT, copy_job_id BIGINT);
CREATE TABLE main.stl_load_errors (userid INTEGER, slice INTEGER, tbl INTEGER,
    starttime TIMESTAMP, session INTEGER, query INTEGER, filename VARCHAR, line_number BIGINT,
    colname VARCHAR, type VARCHAR, col_length VARCHAR, position INTEGER, raw_line VARCHAR,
    raw_field_value VARCHAR, err_code INTEGER, err_reason VARCHAR, is_partial INTEGER,
    start_offset BIGINT, copy_job_id BIGINT);
CREATE VIEW main.stv_tbl_perm AS
    SELECT 0 AS slice, CAST(table_oid AS INTEGER) AS id, table_name AS name,
           estimated_size AS rows, 0 AS sorted_rows, 0 AS temp, 1 AS db_id, 0 AS insert_pristine,
           0 AS delete_pristine, 0 AS backup, 0 AS dist_style, 0 AS block_count
    FROM duckdb_tables()
    WHERE NOT (schema_name = 'main' AND starts_with(table_name, 'stl_'));
"""
SETTINGS = (
    "SET integer_division = true",  # INTEGER / INTEGER is an INTEGER, as on Redshift
    "SET TimeZone = 'UTC'",  # GETDATE(), SYSDATE and timestamps in UTC, as on Redshift
    "SET threads = 1",  # the sandbox's warehouse shares a 2-core machine
    "SET memory_limit = '1GB'",
)
QUERYTXT_LIMIT = 4000  # STL_QUERY.querytxt is CHAR(4000)
RESULT_LIMIT_BYTES = 100 * 1024 * 1024  # the Data API's limit on one result
USER_ID = 100


class SqlError(Exception):
    """A statement failed; the message is what the server says."""


@dataclass
class Column:
    name: str
    type_name: str  # Redshift's (int4, numeric, varchar, ...)
    precision: int = 0
    scale: int = 0


@dataclass
class Outcome:
    """What one statement produced: a result set (columns non-empty) and/or a row count."""

    columns: list[Column] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)  # Data API values: see data_value
    rows_affected: int = -1
    query_id: int = 0

    @property
    def has_result_set(self) -> bool:
        return bool(self.columns)


class Database:
    """One cluster+database. `lock` serialises requests, as one session at a time would."""

    _query_ids = itertools.count(100_000)
    _transaction_ids = itertools.count(5_000)

    def __init__(self, name: str, roles: Callable[[], list[str]] = list) -> None:
        self.name = name
        self.roles = roles  # IAM roles associated with the cluster (COPY may assume these)
        self.lock = threading.Lock()
        self.conn = duckdb.connect(":memory:")
        for setup in (*SETTINGS, SYSTEM_TABLES, "CREATE SCHEMA public"):
            fetched(self.conn, setup)
        fetched(self.conn, "SET search_path = 'public,main'")
        self.log = self.conn.cursor()  # autocommit: system tables outlive a rollback

    def interrupt(self) -> None:
        self.conn.interrupt()

    @contextmanager
    def session(self, user: str = "") -> Iterator[Session]:
        """One Data API request: begun here, committed when the block ends without error."""
        with self.lock:
            session = Session(self, user)
            session.begin()
            try:
                yield session
            except BaseException:
                session.abort()
                raise
            else:
                session.finish()
            finally:
                session.drop_temporary_tables()

    def run(self, sql: str, parameters: dict[str, str] | None = None, user: str = "") -> Outcome:
        """`sql` as one request of its own: the outcome of its last statement."""
        with self.session(user) as session:
            return session.run(sql, parameters)

    def write_log(self, table: str, row: dict[str, Any]) -> None:
        names = ", ".join(row)
        marks = ", ".join("?" * len(row))
        fetched(
            self.log, f"INSERT INTO main.{table} ({names}) VALUES ({marks})", list(row.values())
        )


class Session:
    """The transaction of one request."""

    def __init__(self, database: Database, user: str) -> None:
        self.db = database
        self.conn = database.conn
        self.user = user
        self.pid = 1_073_000_000 + threading.get_ident() % 1_000_000
        self.open = False
        self.explicit = False  # an explicit BEGIN is open
        self.xid = 0

    def begin(self) -> None:
        self.sql("BEGIN TRANSACTION")
        self.open, self.explicit = True, False
        self.xid = next(Database._transaction_ids)

    def abort(self) -> None:
        if self.open:
            self.sql("ROLLBACK")
            self.open = False

    def finish(self) -> None:
        if self.open:
            self.sql("ROLLBACK" if self.explicit else "COMMIT")
            self.open = False

    def drop_temporary_tables(self) -> None:
        for (name,) in self.sql("SELECT table_name FROM duckdb_tables() WHERE temporary"):
            self.sql(f'DROP TABLE IF EXISTS temp."{name}"')

    def sql(self, text: str, parameters: list | None = None) -> list[tuple]:
        """A statement of the engine's own, its rows fetched."""
        return fetched(self.conn, text, parameters)

    def run(self, sql: str, parameters: dict[str, str] | None = None) -> Outcome:
        """Run every statement of `sql` in order; the outcome of the last one. A failure rolls
        the whole transaction back and raises SqlError."""
        try:
            texts = sql_dialect.split_statements(sql)
        except TranslationError as error:
            self.abort()
            raise SqlError(str(error)) from error
        if not texts:
            raise SqlError("ERROR: cannot execute an empty query")
        outcome = Outcome()
        for text in texts:
            outcome = self.run_one(text, parameters or {})
        return outcome

    def run_one(self, text: str, parameters: dict[str, str]) -> Outcome:
        if not self.open:
            self.begin()
        query_id = next(Database._query_ids)
        started = now()
        aborted = 1
        try:
            statement = sql_dialect.translate(text, parameters)
            outcome = self.execute(statement, query_id)
            aborted = 0
            outcome.query_id = query_id
            return outcome
        except TranslationError as error:
            self.abort()
            raise SqlError(str(error)) from error
        except duckdb.Error as error:
            self.abort()
            raise SqlError(redshift_error(error)) from error
        except SqlError:
            self.abort()
            raise
        finally:
            self.db.write_log(
                "stl_query",
                {
                    "userid": USER_ID,
                    "query": query_id,
                    "label": "default",
                    "xid": self.xid,
                    "pid": self.pid,
                    "database": self.db.name,
                    "querytxt": text[:QUERYTXT_LIMIT],
                    "starttime": started,
                    "endtime": now(),
                    "aborted": aborted,
                },
            )

    def execute(self, statement: sql_dialect.Statement, query_id: int) -> Outcome:
        if statement.kind == "transaction":
            return self.transaction(statement.transaction)
        if statement.kind == "accepted":
            return Outcome()
        if statement.kind == "copy":
            load = sql_copy.Load(self, statement.copy, query_id)
            return Outcome(rows_affected=load.run())
        for sql in statement.duckdb[:-1]:
            self.sql(sql)
        cursor = self.conn.execute(statement.duckdb[-1])
        if cursor.description is None:
            return Outcome()
        if statement.returns_rows:
            return result_of(cursor, statement.result_names)
        counted = cursor.fetchall()
        return Outcome(rows_affected=int(counted[0][0]) if counted else -1)

    def transaction(self, command: str) -> Outcome:
        # Redshift only warns about BEGIN inside a transaction or COMMIT outside one.
        if command == "BEGIN":
            self.explicit = True
        else:
            self.sql(command)
            self.open = False
            self.begin()
        return Outcome()


def fetched(conn: duckdb.DuckDBPyConnection, sql: str, parameters: list | None = None) -> list:
    """Run `sql` and fetch its rows: DuckDB refuses new work while a result is unread."""
    cursor = conn.execute(sql, parameters) if parameters else conn.execute(sql)
    return cursor.fetchall() if cursor.description else []


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


# --- results ----------------------------------------------------------------------------------


def result_of(cursor: duckdb.DuckDBPyConnection, names: list[str] | None) -> Outcome:
    described = cursor.description or []
    if names is None or len(names) != len(described):
        names = [d[0].lower() for d in described]
    columns = [column_of(name, str(d[1])) for name, d in zip(names, described, strict=True)]
    rows, size = [], 0
    while chunk := cursor.fetchmany(1000):
        for row in chunk:
            values = [data_value(v) for v in row]
            size += sum(len(str(v)) for v in values)
            if size > RESULT_LIMIT_BYTES:
                raise SqlError(
                    "ERROR: the query's result is larger than the 100 MB the Data API returns;"
                    " select fewer rows or columns (or UNLOAD it to S3)"
                )
            rows.append(values)
    return Outcome(columns=columns, rows=rows, rows_affected=len(rows))


TYPES = [  # DuckDB type (prefix) -> Redshift type name, precision
    ("BOOLEAN", "bool", 1),
    ("TINYINT", "int2", 5),
    ("SMALLINT", "int2", 5),
    ("INTEGER", "int4", 10),
    ("BIGINT", "int8", 19),
    ("HUGEINT", "int8", 19),  # DuckDB's SUM of integers; Redshift's is BIGINT
    ("UTINYINT", "int2", 5),
    ("USMALLINT", "int4", 10),
    ("UINTEGER", "int8", 19),
    ("UBIGINT", "int8", 19),
    ("FLOAT", "float4", 8),
    ("DOUBLE", "float8", 17),
    ("DECIMAL", "numeric", 38),
    ("DATE", "date", 13),
    ("TIMESTAMP WITH TIME ZONE", "timestamptz", 35),
    ("TIMESTAMP", "timestamp", 29),
    ("TIME WITH TIME ZONE", "timetz", 21),
    ("TIME", "time", 15),
    ("INTERVAL", "interval", 49),
    ("BLOB", "varbyte", 65535),
    ("VARCHAR", "varchar", 65535),
]


def column_of(name: str, duck_type: str) -> Column:
    found = next((t for t in TYPES if duck_type.startswith(t[0])), None)
    if found is None:  # lists, structs, maps, JSON: Redshift's SUPER
        return Column(name, "super", 65535)
    column = Column(name, found[1], found[2])
    if decimal := re.match(r"DECIMAL\((\d+),\s*(\d+)\)", duck_type):
        column.precision, column.scale = int(decimal[1]), int(decimal[2])
    return column


def data_value(value: Any) -> Any:
    """A value as the Data API returns it: integers, floats, booleans, bytes, None, or text
    (numeric as its exact digits, dates and times as Redshift prints them)."""
    if value is None or isinstance(value, bool | int | float | bytes):
        return value
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        text = value.replace(tzinfo=None).isoformat(sep=" ")
        return text + "+00" if value.tzinfo is not None else text
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    if isinstance(value, list | dict):
        return json.dumps(value, default=str)
    return str(value)


# --- errors -----------------------------------------------------------------------------------

ERRORS = [  # DuckDB's message -> Redshift's
    (
        r'Table with name "?([\w.]+)"? does not exist because schema "?(\w+)"? does not exist',
        'schema "{1}" does not exist',
    ),
    (r'Table with name "?([\w.]+)"? does not exist', 'relation "{0}" does not exist'),
    (r'Referenced column "?(\w+)"? not found', 'column "{0}" does not exist'),
    (r'Table with name "?(\w+)"? already exists', 'relation "{0}" already exists'),
    (r'Schema with name "?(\w+)"? already exists', 'Schema "{0}" already exists'),
    (r'Schema with name "?(\w+)"? does not exist', 'Schema "{0}" does not exist'),
    (r"NOT NULL constraint failed: [\w.]*?\.?(\w+)$", "Cannot insert a NULL value into column {0}"),
    (
        r"CHECK constraint failed.*strlen\(\(?\"?(\w+)\"?\)?\) <= (\d+)",
        "value too long for type character varying({1})",
    ),
    (r"Division by zero", "divide by zero"),
    (r'syntax error at or near "(.*)"', 'syntax error at or near "{0}"'),
    (r"Could not convert string '(.*)' to (\w+)", 'invalid input syntax for type {1}: "{0}"'),
]


def redshift_error(error: duckdb.Error) -> str:
    message = str(error).strip()
    first = message.splitlines()[0] if message else type(error).__name__
    for pattern, text in ERRORS:
        if found := re.search(pattern, first):
            return "ERROR: " + text.format(*found.groups())
    # Anything else: DuckDB's own first line, without its error-class prefix.
    return "ERROR: " + re.sub(r"^[A-Z][\w ]* Error: ", "", first)
