"""Redshift -> DuckDB translation (sandbox/platform_ext/sql_dialect.py), without a server."""

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


def test_keys_are_dropped_and_redshift_attributes_accepted():
    statement = sql_dialect.translate(
        "CREATE TABLE s.t (id BIGINT IDENTITY(1, 1) PRIMARY KEY, name VARCHAR(8) ENCODE zstd"
        " DISTKEY UNIQUE, note VARCHAR(MAX), amount DECIMAL, FOREIGN KEY (id) REFERENCES u (id))"
        " DISTSTYLE KEY COMPOUND SORTKEY (id) BACKUP NO"
    )
    assert statement.kind == "sql"
    assert statement.duckdb == [
        "CREATE SEQUENCE IF NOT EXISTS s.t_id_seq START 1 INCREMENT 1",
        "CREATE TABLE s.t (id BIGINT DEFAULT NEXTVAL('s.t_id_seq'),"
        " name TEXT(8) CHECK (STRLEN(name) <= 8), note TEXT, amount DECIMAL(18, 0))",
    ]


@pytest.mark.parametrize(
    ("redshift", "duckdb"),
    [
        ("SELECT NVL(a, 0), LEN(s) FROM t", "SELECT COALESCE(a, 0), LENGTH(s) FROM t"),
        ("SELECT a FROM t WHERE s NOT ILIKE '%x%'", "SELECT a FROM t WHERE s NOT ILIKE '%x%'"),
        ("SELECT TOP 3 a FROM t", "SELECT a FROM t LIMIT 3"),
    ],
)
def test_redshift_functions_are_written_for_duckdb(redshift: str, duckdb: str):
    assert sql_dialect.translate(redshift).duckdb == [duckdb]


def test_parameters_become_text_literals():
    statement = sql_dialect.translate("SELECT * FROM t WHERE id = :id", {"id": "7'"})
    assert statement.duckdb == ["SELECT * FROM t WHERE id = '7'''"]
    with pytest.raises(sql_dialect.TranslationError, match=":other"):
        sql_dialect.translate("SELECT :other")


def test_transactions_copy_and_accepted_commands_are_recognised_after_comments():
    kinds = [
        (s.kind, s.transaction)
        for s in map(
            sql_dialect.translate,
            ["-- go\nBEGIN", "end transaction", "abort", "START TRANSACTION", "VACUUM t"],
        )
    ]
    assert kinds == [
        ("transaction", "BEGIN"),
        ("transaction", "COMMIT"),
        ("transaction", "ROLLBACK"),
        ("transaction", "BEGIN"),
        ("accepted", ""),
    ]
    copy = sql_dialect.translate(
        "-- load\nCOPY nyc.gold (a, b) FROM 's3://lake/gold/' IAM_ROLE 'arn:aws:iam::1:role/r'"
        " CSV IGNOREHEADER AS 1 DELIMITER '|' EMPTYASNULL"
    ).copy
    assert copy == sql_dialect.Copy(
        table="nyc.gold",
        columns=["a", "b"],
        source="s3://lake/gold/",
        options={"FORMAT": "CSV", "IGNOREHEADER": "1", "DELIMITER": "|", "EMPTYASNULL": ""},
        credentials="arn:aws:iam::1:role/r",
    )
    with pytest.raises(sql_dialect.TranslationError, match="MANIFESTO"):
        sql_dialect.translate("COPY t FROM 's3://b/k' IAM_ROLE 'r' MANIFESTO")


def test_result_names_follow_redshift():
    statement = sql_dialect.translate(
        "SELECT COUNT(*), SUM(x) AS Total, t.y, 1, CASE WHEN x THEN 1 END, x::date,"
        " '1'::int, (y) FROM t"
    )
    assert statement.result_names == [
        "count",
        "total",
        "y",
        "?column?",
        "case",
        "x",
        "int4",
        "y",
    ]
    assert sql_dialect.translate("SELECT * FROM t").result_names is None
