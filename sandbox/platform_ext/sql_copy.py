"""COPY table FROM 's3://bucket/prefix' on the sandbox's warehouse (sql_engine), from the
emulator's own S3.

- Authorization: IAM_ROLE (or CREDENTIALS 'aws_iam_role=...') is required, and the role must be
  one the cluster is associated with (its IamRoles), as Redshift checks.
- The objects are every key that starts with the prefix, in key order.
- FORMAT AS PARQUET: columns by position; the file and the table must have the same number of
  columns and compatible types (Redshift Spectrum's rules, see COMPATIBLE), otherwise the COPY
  fails with a Spectrum Scan Error naming the file and column; objects whose name starts with
  `_`, `.` or `#` (Spark's `_SUCCESS`) are skipped, as Spectrum does. Only the parameters
  Redshift allows with Parquet are accepted.
- CSV and text (pipe-delimited by default; DELIMITER, IGNOREHEADER): every value is cast to its
  column's type; a row with the wrong number of fields or a value that does not cast fails the
  COPY with "Load into table ... failed" and a row in STL_LOAD_ERRORS.
A failed COPY fails its statement, so the request's transaction is rolled back (sql_engine).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlparse

import pyarrow as pa
import pyarrow.parquet as pq

from . import sinks

if TYPE_CHECKING:
    from .sql_dialect import Copy
    from .sql_engine import Session

LOAD_FAILED = "Load into table '{table}' failed.  Check 'stl_load_errors' system table for details."
PARQUET_PARAMETERS = {
    "FORMAT",
    "ACCEPTINVCHARS",
    "FILLRECORD",
    "STATUPDATE",
    "EXPLICIT_IDS",
    "SERIALIZETOJSON",
}
TEXT_PARAMETERS = {
    "FORMAT",
    "DELIMITER",
    "IGNOREHEADER",
    "EMPTYASNULL",
    "BLANKSASNULL",
    "STATUPDATE",
    "COMPUPDATE",
    "ACCEPTINVCHARS",
    "TRUNCATECOLUMNS",
    "DATEFORMAT",
    "TIMEFORMAT",
}
HIDDEN = re.compile(r"(^|/)[_.#][^/]*$|~$")
# Load error codes of STL_LOAD_ERRORS.
ERR_STRING_LENGTH, ERR_DATE, ERR_TIMESTAMP, ERR_DIGIT, ERR_DELIMITER = 1204, 1205, 1206, 1207, 1214
ERR_PARQUET_SCHEMA = 15007


def compatible(arrow: pa.DataType, column: str) -> bool:
    """Whether Parquet data of type `arrow` loads into a column of DuckDB type `column`."""
    integers = {
        8: ("SMALLINT", "INTEGER", "BIGINT"),
        16: ("SMALLINT", "INTEGER", "BIGINT"),
        32: ("INTEGER", "BIGINT"),
        64: ("BIGINT",),
    }
    if pa.types.is_integer(arrow):
        return column in integers[arrow.bit_width]
    if pa.types.is_float32(arrow):
        return column in ("FLOAT", "DOUBLE")
    if pa.types.is_float64(arrow):
        return column == "DOUBLE"
    if pa.types.is_decimal(arrow):
        found = re.match(r"DECIMAL\((\d+),(\d+)\)", column.replace(" ", ""))
        return bool(found) and int(found[2]) == arrow.scale and int(found[1]) >= arrow.precision
    if pa.types.is_string(arrow) or pa.types.is_large_string(arrow):
        return column == "VARCHAR"
    if pa.types.is_boolean(arrow):
        return column == "BOOLEAN"
    if pa.types.is_date(arrow):
        return column == "DATE"
    if pa.types.is_timestamp(arrow):
        return column in ("TIMESTAMP", "TIMESTAMP WITH TIME ZONE")
    if pa.types.is_binary(arrow) or pa.types.is_large_binary(arrow):
        return column == "BLOB"
    return False


class LoadError(Exception):
    """A COPY failed; `message` is the statement's error, `row` its STL_LOAD_ERRORS entry."""

    def __init__(self, message: str, row: dict | None = None) -> None:
        super().__init__(message)
        self.row = row


@dataclass
class Target:
    table: str  # as written in the COPY (schema-qualified or not)
    name: str  # table name alone (STL_LOAD_ERRORS, messages)
    table_id: int
    columns: list[tuple[str, str]]  # (name, DuckDB type) of the columns loaded, in order


class Load:
    """One COPY statement of a session."""

    def __init__(self, session: Session, copy: Copy, query_id: int) -> None:
        self.session, self.copy, self.query_id = session, copy, query_id
        self.conn = session.conn
        self.format = copy.options.get("FORMAT", "TEXT")

    def run(self) -> int:
        """Rows loaded; SqlError when the COPY fails."""
        from .sql_engine import SqlError, now

        try:
            self.check_parameters()
            self.check_role()
            target = self.target()
            files = self.files()
            loaded = 0
            for uri, body in files:
                lines = self.load_file(target, uri, body)
                loaded += lines
                self.session.db.write_log(
                    "stl_load_commits",
                    {
                        "userid": 100,
                        "query": self.query_id,
                        "slice": 0,
                        "name": uri,
                        "filename": uri,
                        "byte_offset": 0,
                        "lines_scanned": lines,
                        "errors": -1,
                        "curtime": now(),
                        "status": 1,
                        "file_format": self.format.capitalize(),
                    },
                )
            return loaded
        except LoadError as error:
            if error.row is not None:
                self.session.db.write_log(
                    "stl_load_errors",
                    {
                        "userid": 100,
                        "slice": 0,
                        "starttime": now(),
                        "session": self.session.pid,
                        "query": self.query_id,
                        **error.row,
                    },
                )
            raise SqlError(f"ERROR: {error}") from error

    def check_parameters(self) -> None:
        if self.format in ("JSON", "ORC", "AVRO"):
            raise LoadError(f"COPY ... FORMAT AS {self.format} is not supported by the sandbox")
        allowed = PARQUET_PARAMETERS if self.format == "PARQUET" else TEXT_PARAMETERS
        for name in self.copy.options:
            if name in allowed:
                continue
            if self.format == "PARQUET":
                raise LoadError(f"{name} argument is not supported for PARQUET based COPY")
            raise LoadError(f"COPY parameter {name} is not supported by the sandbox")

    def check_role(self) -> None:
        credentials = self.copy.credentials
        if not credentials:
            raise LoadError(
                "COPY needs authorization: IAM_ROLE 'arn:aws:iam::<account>:role/<name>'"
                " (a role associated with the cluster) or CREDENTIALS"
            )
        role = credentials.removeprefix("aws_iam_role=")
        if role.lower() == "default" or role in self.session.db.roles():
            return
        if role.startswith("arn:aws:iam::"):
            raise LoadError(
                f"User arn:aws:redshift:us-east-1:123456789012:dbuser:{self.session.db.name}/"
                f"{self.session.user or 'awsuser'} is not authorized to assume IAM Role {role}"
            )
        raise LoadError(f"Invalid credentials: {credentials[:80]!r} is not an IAM role ARN")

    def target(self) -> Target:
        cursor = self.conn.execute(f"SELECT * FROM {self.copy.table} LIMIT 0")
        described = cursor.description
        cursor.fetchall()
        columns = [(d[0].lower(), str(d[1])) for d in described]
        if self.copy.columns:
            by_name = dict(columns)
            missing = [c for c in self.copy.columns if c not in by_name]
            if missing:
                raise LoadError(f'column "{missing[0]}" of relation does not exist')
            columns = [(c, by_name[c]) for c in self.copy.columns]
        name = self.copy.table.split(".")[-1].strip('"')
        found = self.session.sql(
            "SELECT table_oid FROM duckdb_tables() WHERE table_name = ? ORDER BY schema_name",
            [name],
        )
        return Target(self.copy.table, name, int(found[0][0]) if found else 0, columns)

    def files(self) -> list[tuple[str, bytes]]:
        try:
            bucket, _ = sinks.split_s3_uri(self.copy.source)
            prefix = urlparse(self.copy.source).path.lstrip("/")  # COPY matches a key prefix
            found = sinks.list_objects(bucket, prefix)
        except (ValueError, FileNotFoundError) as error:
            raise LoadError(f"S3ServiceException:{error}") from error
        if self.format == "PARQUET":
            found = [(key, body) for key, body in found if not HIDDEN.search(key)]
        if not found:
            raise LoadError(f"The specified S3 prefix '{prefix}' does not exist (bucket {bucket})")
        return [(f"s3://{bucket}/{key}", body) for key, body in found]

    def load_file(self, target: Target, uri: str, body: bytes) -> int:
        if self.format == "PARQUET":
            data = self.parquet(target, uri, body)
        else:
            data = self.text(target, uri, body)
        if data.num_rows == 0:
            return 0
        names = ", ".join(f'"{name}"' for name, _ in target.columns)
        view = f"copy_source_{self.query_id}"
        self.conn.register(view, data)
        try:
            self.session.sql(f"INSERT INTO {target.table} ({names}) SELECT * FROM {view}")
        finally:
            self.conn.unregister(view)
        return data.num_rows

    # --- Parquet --------------------------------------------------------------------------

    def parquet(self, target: Target, uri: str, body: bytes) -> pa.Table:
        try:
            data = pq.read_table(io.BytesIO(body))
        except (pa.ArrowInvalid, OSError) as error:
            raise self.spectrum_error(
                target, uri, "", f"File '{uri}' is not a valid Parquet file: {error}"
            ) from error
        if data.num_columns != len(target.columns):
            raise self.spectrum_error(
                target,
                uri,
                "",
                "Unmatched number of columns between table and file. Table columns:"
                f" {len(target.columns)}, Data columns: {data.num_columns}, File name: {uri}",
            )
        for field_, (name, column_type) in zip(data.schema, target.columns, strict=True):
            if not compatible(field_.type, column_type):
                raise self.spectrum_error(
                    target,
                    uri,
                    name,
                    f"File '{uri}' has an incompatible Parquet schema for column '{uri}.{name}'."
                    f" Column type: {column_type}, Parquet schema: {field_.type}"
                    f" ({field_.name})",
                )
        return data.rename_columns([name for name, _ in target.columns])

    def spectrum_error(self, target: Target, uri: str, column: str, reason: str) -> LoadError:
        row = {
            "tbl": target.table_id,
            "filename": uri,
            "line_number": 0,
            "colname": column,
            "type": "",
            "raw_line": "",
            "raw_field_value": "",
            "err_code": ERR_PARQUET_SCHEMA,
            "err_reason": reason[:512],
        }
        return LoadError(f"Spectrum Scan Error: {reason}", row)

    # --- CSV and text ---------------------------------------------------------------------

    def text(self, target: Target, uri: str, body: bytes) -> pa.Table:
        options = self.copy.options
        sep = options.get("DELIMITER") or ("," if self.format == "CSV" else "|")
        quoting = csv.QUOTE_MINIMAL if self.format == "CSV" else csv.QUOTE_NONE
        reader = csv.reader(io.StringIO(body.decode("utf-8")), delimiter=sep, quoting=quoting)
        lines = list(reader)
        skip = int(options.get("IGNOREHEADER") or 0)
        width = len(target.columns)
        rows = []
        for number, line in enumerate(lines[skip:], start=skip + 1):
            if not line:
                continue
            if len(line) != width:
                raise self.load_error(
                    target,
                    uri,
                    number,
                    sep.join(line),
                    line[-1] if line else "",
                    "",
                    ERR_DELIMITER,
                    f"Delimiter not found: expected {width} columns, found {len(line)}",
                )
            rows.append([None if value == "" else value for value in line])
        columns = list(zip(*rows, strict=True)) if rows else [[] for _ in range(width)]
        data = pa.table(
            {
                name: pa.array(values, pa.string())
                for (name, _), values in zip(target.columns, columns, strict=True)
            }
        )
        self.check_casts(target, uri, data, skip, sep)
        return self.cast(target, data)

    def check_casts(self, target: Target, uri: str, data: pa.Table, skip: int, sep: str) -> None:
        """The first value that does not fit its column fails the load, as Redshift's does."""
        view = f"copy_text_{self.query_id}"
        self.conn.register(view, data)
        try:
            for name, column_type in target.columns:
                numbered = f'SELECT row_number() OVER () AS n, "{name}" AS v FROM {view}'
                found = self.session.sql(
                    f"SELECT n, v FROM ({numbered}) WHERE v IS NOT NULL"
                    f" AND TRY_CAST(v AS {column_type}) IS NULL ORDER BY n LIMIT 1"
                )
                if not found:
                    continue
                number, value = found[0]
                code, reason = cast_failure(column_type, value)
                row = [
                    str(v) if v is not None else ""
                    for v in data.slice(number - 1, 1).to_pylist()[0].values()
                ]
                raise self.load_error(
                    target,
                    uri,
                    skip + number,
                    sep.join(row),
                    value,
                    name,
                    code,
                    reason,
                    column_type,
                )
        finally:
            self.conn.unregister(view)

    def cast(self, target: Target, data: pa.Table) -> pa.Table:
        view = f"copy_cast_{self.query_id}"
        self.conn.register(view, data)
        try:
            select = ", ".join(f'CAST("{n}" AS {t}) AS "{n}"' for n, t in target.columns)
            return self.conn.execute(f"SELECT {select} FROM {view}").to_arrow_table()
        finally:
            self.conn.unregister(view)

    def load_error(self, target, uri, number, line, value, column, code, reason, column_type=""):
        row = {
            "tbl": target.table_id,
            "filename": uri,
            "line_number": number,
            "colname": column,
            "type": column_type.lower(),
            "raw_line": line[:1024],
            "raw_field_value": str(value)[:1024],
            "err_code": code,
            "err_reason": reason,
        }
        return LoadError(LOAD_FAILED.format(table=target.name), row)


def cast_failure(column_type: str, value: str) -> tuple[int, str]:
    if column_type.startswith("VARCHAR"):
        return ERR_STRING_LENGTH, "String length exceeds DDL length"
    if column_type == "DATE":
        return ERR_DATE, f"Invalid Date Format - value '{value[:64]}'"
    if column_type.startswith("TIMESTAMP"):
        return ERR_TIMESTAMP, f"Invalid timestamp format or value '{value[:64]}'"
    return ERR_DIGIT, f"Invalid digit, Value '{value[:1]}', Pos 0, Type: {column_type.title()}"
