"""Redshift SQL -> SQLite SQL, as far as the project's sql/ files and a console need it.

Handled: statement splitting, CREATE/DROP SCHEMA (become ATTACH/DETACH of an in-memory
database), the `public.` schema (SQLite's `main`), table attributes SQLite does not know
(DISTSTYLE, DISTKEY, SORTKEY, ENCODE, IDENTITY), VARCHAR(MAX), ILIKE, `::type` casts,
DATEDIFF(unit, a, b), GETDATE(), SYSDATE, NVL and LEN. Anything else goes to SQLite as written,
and SQLite's error text is what the caller reports.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime

CREATE_SCHEMA = re.compile(
    r"^\s*CREATE\s+SCHEMA\s+(?P<exists>IF\s+NOT\s+EXISTS\s+)?(?P<name>\w+)", re.I | re.S
)
DROP_SCHEMA = re.compile(r"^\s*DROP\s+SCHEMA\s+(?P<exists>IF\s+EXISTS\s+)?(?P<name>\w+)", re.I)
BEGIN = re.compile(r"^\s*(BEGIN|START\s+TRANSACTION)(\s+(WORK|TRANSACTION))?\s*$", re.I)
COMMIT = re.compile(r"^\s*(COMMIT|END)(\s+(WORK|TRANSACTION))?\s*$", re.I)
ROLLBACK = re.compile(r"^\s*(ROLLBACK|ABORT)(\s+(WORK|TRANSACTION))?\s*$", re.I)

REWRITES = [
    (re.compile(r"\bDISTSTYLE\s+\w+", re.I), ""),
    (re.compile(r"\bDISTKEY\s*\([^)]*\)", re.I), ""),
    (re.compile(r"\bDISTKEY\b", re.I), ""),
    (re.compile(r"\b(COMPOUND\s+|INTERLEAVED\s+)?SORTKEY\s*\([^)]*\)", re.I), ""),
    (re.compile(r"\bSORTKEY\b", re.I), ""),
    (re.compile(r"\bENCODE\s+\w+", re.I), ""),
    (re.compile(r"\bIDENTITY\s*\(\s*\d+\s*,\s*\d+\s*\)", re.I), ""),
    (re.compile(r"\(\s*MAX\s*\)", re.I), ""),
    (re.compile(r"\bILIKE\b", re.I), "LIKE"),
    (re.compile(r"::\s*\w+(\s+precision)?(\s*\(\s*\d+(\s*,\s*\d+)?\s*\))?", re.I), ""),
    (re.compile(r"\bDATEDIFF\s*\(\s*(\w+)\s*,", re.I), r"DATEDIFF('\1',"),
    (re.compile(r"\bSYSDATE\b", re.I), "CURRENT_TIMESTAMP"),
    (re.compile(r"\bpublic\.", re.I), "main."),
]

SECONDS_PER_UNIT = {
    "second": 1,
    "seconds": 1,
    "s": 1,
    "minute": 60,
    "minutes": 60,
    "m": 60,
    "hour": 3600,
    "hours": 3600,
    "h": 3600,
    "day": 86400,
    "days": 86400,
    "d": 86400,
}


@dataclass(frozen=True)
class SchemaCommand:
    action: str  # "create" or "drop"
    name: str
    tolerant: bool  # IF [NOT] EXISTS


def split_statements(sql: str) -> list[str]:
    """Split on the semicolons that end a statement (not those inside quotes or comments)."""
    statements, current = [], ""
    for char in sql:
        current += char
        if char == ";" and sqlite3.complete_statement(current):
            statements.append(current)
            current = ""
    statements.append(current)
    return [s.strip().rstrip(";").strip() for s in statements if has_code(s)]


def has_code(sql: str) -> bool:
    without_comments = re.sub(r"--[^\n]*|/\*.*?\*/", "", sql, flags=re.S)
    return bool(without_comments.strip(" \t\r\n;"))


def schema_command(statement: str) -> SchemaCommand | None:
    if match := CREATE_SCHEMA.match(strip_leading_comments(statement)):
        return SchemaCommand("create", match["name"].lower(), bool(match["exists"]))
    if match := DROP_SCHEMA.match(strip_leading_comments(statement)):
        return SchemaCommand("drop", match["name"].lower(), bool(match["exists"]))
    return None


def transaction_command(statement: str) -> str | None:
    text = strip_leading_comments(statement)
    for name, pattern in (("BEGIN", BEGIN), ("COMMIT", COMMIT), ("ROLLBACK", ROLLBACK)):
        if pattern.match(text):
            return name
    return None


def strip_leading_comments(statement: str) -> str:
    return re.sub(r"^(\s*(--[^\n]*\n|/\*.*?\*/))*", "", statement, flags=re.S).strip()


def to_sqlite(statement: str) -> str:
    for pattern, replacement in REWRITES:
        statement = pattern.sub(replacement, statement)
    return statement


def _datediff(unit: str, start: str | None, end: str | None) -> int | None:
    if start is None or end is None:
        return None
    seconds = (_parse_time(end) - _parse_time(start)).total_seconds()
    return int(seconds // SECONDS_PER_UNIT.get(unit.lower(), 1))


def _parse_time(value: str) -> datetime:
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def register_functions(conn: sqlite3.Connection) -> None:
    conn.create_function("DATEDIFF", 3, _datediff)
    conn.create_function("GETDATE", 0, now_text)
    conn.create_function("NVL", 2, lambda a, b: b if a is None else a)
    conn.create_function("LEN", 1, lambda s: None if s is None else len(str(s)))
