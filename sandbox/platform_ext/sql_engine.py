"""One Redshift database of the sandbox, backed by an in-memory SQLite database.

Every statement is logged in STL_QUERY; COPY from the emulator's S3 (CSV, pipe-delimited text,
or Parquet when pyarrow is installed) records its files in STL_LOAD_COMMITS and its bad rows in
STL_LOAD_ERRORS; STV_TBL_PERM lists the tables. These are the system tables the console's
saved "load history" query (sql/030_load_history.sql) reads.
"""

from __future__ import annotations

import csv
import io
import re
import sqlite3
import threading
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlparse

from . import sinks, sql_dialect

SYSTEM_TABLES = """
CREATE TABLE stl_query (userid INTEGER, query INTEGER, label TEXT, xid INTEGER, pid INTEGER,
    database TEXT, querytxt TEXT, starttime TEXT, endtime TEXT, aborted INTEGER);
CREATE TABLE stl_load_commits (userid INTEGER, query INTEGER, slice INTEGER, name TEXT,
    filename TEXT, byte_offset INTEGER, lines_scanned INTEGER, errors INTEGER, curtime TEXT,
    status INTEGER, file_format TEXT);
CREATE TABLE stl_load_errors (userid INTEGER, slice INTEGER, tbl INTEGER, starttime TEXT,
    session INTEGER, query INTEGER, filename TEXT, line_number INTEGER, colname TEXT, type TEXT,
    col_length TEXT, position INTEGER, raw_line TEXT, raw_field_value TEXT, err_code INTEGER,
    err_reason TEXT, is_partial INTEGER, start_offset INTEGER);
CREATE TABLE stv_tbl_perm (slice INTEGER, id INTEGER, name TEXT, rows INTEGER, db_id INTEGER);
"""

COPY = re.compile(
    r"^\s*COPY\s+(?P<table>[\w.]+)\s*(\((?P<columns>[^)]*)\))?\s+FROM\s+'(?P<uri>[^']*)'(?P<options>.*)$",
    re.I | re.S,
)
LOAD_FAILED = "Load into table '{table}' failed.  Check 'stl_load_errors' system table for details."
ERR_COLUMN_COUNT = 1214


class SqlError(Exception):
    """A statement failed; the message is what the server says."""


@dataclass
class Outcome:
    """What one statement produced: a result set (columns non-empty) and/or a row count."""

    columns: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    rows_affected: int = -1
    query_id: int = 0

    @property
    def has_result_set(self) -> bool:
        return bool(self.columns)


class Database:
    """One cluster+database. `lock` serialises statements, as one session would."""

    _query_ids = iter(range(100_000, 10**9))

    def __init__(self, name: str) -> None:
        self.name = name
        self.lock = threading.Lock()
        self.conn = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        sql_dialect.register_functions(self.conn)
        self.conn.executescript(SYSTEM_TABLES)
        self.schemas: set[str] = set()
        self.table_ids: dict[str, int] = {}
        # Rows for stl_load_errors, written after the failed COPY's transaction rolled back.
        self.pending_load_errors: list[tuple] = []

    def interrupt(self) -> None:
        self.conn.interrupt()

    def run(self, sql: str, parameters: dict[str, str] | None = None) -> Outcome:
        """Run every statement of `sql` in order; the outcome of the last one."""
        statements = sql_dialect.split_statements(sql)
        if not statements:
            raise SqlError("ERROR: cannot execute an empty query")
        with self.lock:
            outcome = Outcome()
            for statement in statements:
                outcome = self._run_logged(statement, parameters or {})
            return outcome

    def _run_logged(self, statement: str, parameters: dict[str, str]) -> Outcome:
        query_id = next(self._query_ids)
        started = sql_dialect.now_text()
        aborted = 1
        try:
            outcome = self._run_one(statement, parameters, query_id)
            aborted = 0
            outcome.query_id = query_id
            return outcome
        except sqlite3.Error as error:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise SqlError(f"ERROR: {error}") from error
        except SqlError:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        finally:
            self._write_load_errors()
            self.conn.execute(
                "INSERT INTO main.stl_query (userid, query, pid, database, querytxt, starttime,"
                " endtime, aborted) VALUES (100, ?, ?, ?, ?, ?, ?, ?)",
                (
                    query_id,
                    threading.get_ident() % 100_000,
                    self.name,
                    statement,
                    started,
                    sql_dialect.now_text(),
                    aborted,
                ),
            )
            self._refresh_table_list()

    def _run_one(self, statement: str, parameters: dict[str, str], query_id: int) -> Outcome:
        if command := sql_dialect.schema_command(statement):
            self._schema(command)
            return Outcome()
        if command := sql_dialect.transaction_command(statement):
            return self._transaction(command)
        if match := COPY.match(sql_dialect.strip_leading_comments(statement)):
            return self._copy(match, query_id)
        sql = sql_dialect.to_sqlite(statement)
        used = {k: v for k, v in parameters.items() if f":{k}" in sql}
        cursor = self.conn.execute(sql, used)
        if cursor.description is None:
            return Outcome(rows_affected=cursor.rowcount)
        columns = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
        return Outcome(columns=columns, rows=rows, rows_affected=len(rows))

    def _schema(self, command: sql_dialect.SchemaCommand) -> None:
        exists = command.name in self.schemas or command.name in ("main", "public")
        if command.action == "create":
            if exists and not command.tolerant:
                raise SqlError(f'ERROR: Schema "{command.name}" already exists')
            if not exists:
                self.conn.execute("ATTACH DATABASE ':memory:' AS " + command.name)
                self.schemas.add(command.name)
        else:
            if not exists and not command.tolerant:
                raise SqlError(f'ERROR: Schema "{command.name}" does not exist')
            if command.name in self.schemas:
                self.conn.execute("DETACH DATABASE " + command.name)
                self.schemas.discard(command.name)

    def _transaction(self, command: str) -> Outcome:
        # Redshift only warns about BEGIN inside a transaction or COMMIT outside one.
        if command == "BEGIN" and not self.conn.in_transaction:
            self.conn.execute("BEGIN")
        elif command in ("COMMIT", "ROLLBACK") and self.conn.in_transaction:
            self.conn.execute(command)
        return Outcome()

    def _write_load_errors(self) -> None:
        self.conn.executemany(
            "INSERT INTO main.stl_load_errors (userid, slice, tbl, starttime, session, query,"
            " filename, line_number, colname, type, raw_line, raw_field_value, err_code,"
            " err_reason) VALUES (100, 0, ?, ?, 1, ?, ?, ?, '', '', ?, ?, ?, ?)",
            self.pending_load_errors,
        )
        self.pending_load_errors.clear()

    def _refresh_table_list(self) -> None:
        names = []
        for schema in ("main", *sorted(self.schemas)):
            rows = self.conn.execute(
                f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table'"
            ).fetchall()
            names += [r[0] for r in rows if not r[0].startswith(("stl_", "stv_", "sqlite_"))]
        for name in names:
            self.table_ids.setdefault(name, 100_000 + len(self.table_ids))
        self.conn.execute("DELETE FROM main.stv_tbl_perm")
        self.conn.executemany(
            "INSERT INTO main.stv_tbl_perm (slice, id, name, rows, db_id) VALUES (0, ?, ?, 0, 1)",
            [(self.table_ids[n], n) for n in names],
        )

    # --- COPY ----------------------------------------------------------------------------

    def _copy(self, match: re.Match, query_id: int) -> Outcome:
        table = match["table"].lower()
        options = match["options"]
        file_format = copy_format(options)
        try:
            bucket, _ = sinks.split_s3_uri(match["uri"])
            prefix = urlparse(match["uri"]).path.lstrip("/")  # COPY matches a key prefix
            files = sinks.list_objects(bucket, prefix)
        except (ValueError, FileNotFoundError) as error:
            raise SqlError(f"ERROR: S3ServiceException:{error}") from error
        if not files:
            raise SqlError(
                f"ERROR: The specified S3 prefix '{prefix}' does not exist (bucket {bucket})"
            )
        width = len(self.conn.execute(f"SELECT * FROM {table} LIMIT 0").description)
        loaded = 0
        for key, body in files:
            rows = read_rows(body, file_format, options)
            for number, row in enumerate(rows, start=1):
                if len(row) != width:
                    self._load_error(query_id, table, bucket, key, number, row, width)
            placeholders = ", ".join("?" * width)
            self.conn.executemany(f"INSERT INTO {table} VALUES ({placeholders})", rows)
            self.conn.execute(
                "INSERT INTO main.stl_load_commits (userid, query, slice, name, filename,"
                " lines_scanned, errors, curtime, status, file_format)"
                " VALUES (100, ?, 0, ?, ?, ?, -1, ?, 1, ?)",
                (
                    query_id,
                    table,
                    f"s3://{bucket}/{key}",
                    len(rows),
                    sql_dialect.now_text(),
                    file_format.capitalize(),
                ),
            )
            loaded += len(rows)
        return Outcome(rows_affected=loaded)

    def _load_error(self, query_id, table, bucket, key, number, row, width) -> None:
        reason = f"Delimiter not found: expected {width} columns, found {len(row)}"
        self._refresh_table_list()
        table_id = self.table_ids.get(table.split(".")[-1], 0)
        self.pending_load_errors.append(
            (
                table_id,
                sql_dialect.now_text(),
                query_id,
                f"s3://{bucket}/{key}",
                number,
                "|".join(map(str, row)),
                str(row[-1]) if row else "",
                ERR_COLUMN_COUNT,
                reason,
            )
        )
        raise SqlError("ERROR: " + LOAD_FAILED.format(table=table.split(".")[-1]))


def copy_format(options: str) -> str:
    found = re.search(r"\bFORMAT\s+(AS\s+)?(\w+)|\b(PARQUET|CSV|JSON)\b", options, re.I)
    if not found:
        return "text"
    return (found[2] or found[3]).lower()


def read_rows(body: bytes, file_format: str, options: str) -> list[tuple]:
    if file_format == "parquet":
        return parquet_rows(body)
    if file_format not in ("csv", "text"):
        raise SqlError(f"ERROR: COPY format {file_format.upper()} is not supported by the sandbox")
    header = re.search(r"\bIGNOREHEADER\s+(AS\s+)?(\d+)", options, re.I)
    delimiter = re.search(r"\bDELIMITER\s+(AS\s+)?'([^']+)'", options, re.I)
    sep = delimiter[2] if delimiter else ("," if file_format == "csv" else "|")
    lines = list(csv.reader(io.StringIO(body.decode("utf-8")), delimiter=sep))
    lines = lines[int(header[2]) if header else 0 :]
    return [tuple(None if v == "" else v for v in line) for line in lines if line]


def parquet_rows(body: bytes) -> list[tuple]:
    try:
        import pyarrow.parquet as pq
    except ImportError as error:
        raise SqlError(
            "ERROR: COPY ... FORMAT AS PARQUET needs pyarrow in the emulator's Python"
            " environment (pip install pyarrow); CSV and text COPY work without it"
        ) from error
    table = pq.read_table(io.BytesIO(body))
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    return [tuple(plain(v) for v in row) for row in zip(*columns, strict=True)]


def plain(value: Any) -> Any:
    """A Parquet value as SQLite stores it."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value
