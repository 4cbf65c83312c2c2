"""sql/ parses as Redshift SQL, its gold table matches the gold Parquet column for column (COPY
from Parquet maps by position), and its COPY loads that table from gold/ with the IAM role."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlglot
from sqlglot import expressions as exp

SQL_DIR = Path(__file__).resolve().parents[2] / "sql"
SQL_FILES = sorted(SQL_DIR.glob("*.sql"))
PLACEHOLDER = re.compile(r"\{\{\s*params\.(\w+)\s*\}\}")
DECLARED_PARAM = re.compile(r"^-- params: (\w+)", re.MULTILINE)
GOLD_TABLE = "nyc.green_trips_daily_zone"
# Spark type of each gold column -> the Redshift type it loads into.
REDSHIFT_TYPE_OF = {
    "date": "DATE",
    "int": "INTEGER",
    "bigint": "BIGINT",
    "decimal(14,2)": "DECIMAL(14, 2)",
    "double": "DOUBLE PRECISION",
}


def parse(path):
    text = PLACEHOLDER.sub(lambda m: f"placeholder_{m.group(1)}", path.read_text(encoding="utf-8"))
    return sqlglot.parse(text, read="redshift", error_level=sqlglot.ErrorLevel.RAISE)


def gold_table_columns():
    for statement in parse(SQL_DIR / "001_schema.sql"):
        if isinstance(statement, exp.Create) and statement.args.get("kind") == "TABLE":
            table = statement.this.this
            assert f"{table.db}.{table.name}" == GOLD_TABLE
            return [
                (column.name, column.args["kind"].sql(dialect="redshift"))
                for column in statement.this.expressions
                if isinstance(column, exp.ColumnDef)
            ]
    raise AssertionError("sql/001_schema.sql creates no table")


def test_files_are_numbered_for_the_console():
    names = [path.name for path in SQL_FILES]
    assert names == [
        "001_schema.sql",
        "010_copy_gold.sql",
        "020_verify_load.sql",
        "030_load_history.sql",
    ]
    assert all(re.fullmatch(r"\d{3}_[a-z0-9_]+\.sql", name) for name in names)


@pytest.mark.parametrize("path", SQL_FILES, ids=lambda p: p.name)
def test_parses_as_redshift_sql_and_declares_its_params(path):
    statements = parse(path)
    assert statements and all(statement is not None for statement in statements)
    text = path.read_text(encoding="utf-8")
    assert set(DECLARED_PARAM.findall(text)) == set(PLACEHOLDER.findall(text))


def test_gold_table_matches_gold_parquet_column_for_column(gold):
    parquet = [(f.name, REDSHIFT_TYPE_OF[f.dataType.simpleString()]) for f in gold.schema.fields]
    assert gold_table_columns() == parquet


def test_gold_table_keys():
    ddl = (SQL_DIR / "001_schema.sql").read_text(encoding="utf-8")
    assert "DISTKEY (pu_location_id)" in ddl
    assert "COMPOUND SORTKEY (pickup_date, pu_location_id)" in ddl


def test_copy_loads_gold_parquet_with_the_iam_role_inside_one_transaction():
    statements = parse(SQL_DIR / "010_copy_gold.sql")
    kinds = [type(statement).__name__ for statement in statements]
    assert kinds == ["Transaction", "Delete", "Copy", "Commit"]
    copy = statements[2]
    assert copy.this.sql(dialect="redshift") == GOLD_TABLE
    assert [f.this for f in copy.args["files"]] == ["placeholder_gold_s3_uri"]
    assert copy.args["credentials"].args["iam_role"].this == "placeholder_iam_role_arn"
    options = {p.this.sql(): p.expression.sql() for p in copy.args["params"]}
    assert options == {"FORMAT": "PARQUET"}
    assert statements[1].this.sql(dialect="redshift") == GOLD_TABLE


def test_load_history_reads_load_commits_and_errors():
    text = (SQL_DIR / "030_load_history.sql").read_text(encoding="utf-8").lower()
    assert "stl_load_commits" in text and "stl_load_errors" in text
    assert "'green_trips_daily_zone'" in text
