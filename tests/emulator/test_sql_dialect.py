"""Redshift -> SQLite translation (sandbox/platform_ext/sql_dialect.py), without a server."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

SANDBOX = Path(__file__).resolve().parents[2] / "sandbox"
sys.path.insert(0, str(SANDBOX))
from platform_ext import sql_dialect  # noqa: E402  (sandbox/ is not an installed package)


def test_split_ignores_semicolons_in_comments_and_strings_and_drops_empty_parts():
    sql = "-- a comment; still a comment\nSELECT 'a;b' AS x;\n\n/* c; d */ SELECT 2;\n-- end;\n"
    assert sql_dialect.split_statements(sql) == [
        "-- a comment; still a comment\nSELECT 'a;b' AS x",
        "/* c; d */ SELECT 2",
    ]


def test_every_project_sql_file_splits_into_its_statements():
    counts = {
        path.name: len(sql_dialect.split_statements(path.read_text()))
        for path in sorted((SANDBOX.parent / "sql").glob("*.sql"))
    }
    assert counts == {
        "001_schema.sql": 2,
        "010_copy_gold.sql": 4,
        "020_verify_load.sql": 4,
        "030_load_history.sql": 3,
    }


@pytest.mark.parametrize(
    ("redshift", "sqlite"),
    [
        (
            "CREATE TABLE t (id INT ENCODE az64) DISTSTYLE KEY DISTKEY (id) COMPOUND SORTKEY (id)",
            "CREATE TABLE t (id INT )   ",
        ),
        (
            "CREATE TABLE t (s VARCHAR(MAX), n BIGINT IDENTITY(1,1))",
            "CREATE TABLE t (s VARCHAR, n BIGINT )",
        ),
        ("SELECT a FROM t WHERE s NOT ILIKE '%x%'", "SELECT a FROM t WHERE s NOT LIKE '%x%'"),
        ("SELECT x::date, y::numeric(10, 2) FROM t", "SELECT x, y FROM t"),
        (
            "SELECT DATEDIFF(second, a, b) FROM public.t",
            "SELECT DATEDIFF('second', a, b) FROM main.t",
        ),
        ("SELECT SYSDATE", "SELECT CURRENT_TIMESTAMP"),
    ],
)
def test_redshift_only_syntax_is_rewritten(redshift: str, sqlite: str):
    assert sql_dialect.to_sqlite(redshift) == sqlite


def test_schema_and_transaction_commands_are_recognised_after_comments():
    command = sql_dialect.schema_command("-- make it\nCREATE SCHEMA IF NOT EXISTS Nyc")
    assert command == sql_dialect.SchemaCommand("create", "nyc", True)
    assert sql_dialect.schema_command("DROP SCHEMA nyc CASCADE") == sql_dialect.SchemaCommand(
        "drop", "nyc", False
    )
    assert sql_dialect.schema_command("SELECT 1") is None
    assert [sql_dialect.transaction_command(s) for s in ("BEGIN", "end transaction", "abort")] == [
        "BEGIN",
        "COMMIT",
        "ROLLBACK",
    ]
    assert sql_dialect.transaction_command("BEGIN; SELECT 1") is None
