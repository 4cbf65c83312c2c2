"""The sandbox's Redshift through its Data API (boto3), for tests/emulator: a cluster with its
COPY role, statements run and waited for, results as plain Python values, Parquet into S3."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from polling import wait_for

SQL_DIR = Path(__file__).resolve().parents[2] / "sql"
CLUSTER = "nyc-warehouse"
DATABASE = "nyc"
LAKE = "lake"
COPY_ROLE = "arn:aws:iam::123456789012:role/nyc-redshift-copy"
DONE = ("FINISHED", "FAILED", "ABORTED")


@dataclass
class Warehouse:
    sandbox: Any
    data: Any  # boto3 redshift-data client

    def submit(self, sql: str, **extra) -> str:
        return self.data.execute_statement(
            ClusterIdentifier=CLUSTER, Database=DATABASE, DbUser="etl", Sql=sql, **extra
        )["Id"]

    def run(self, sql: str, **extra) -> dict:
        """ExecuteStatement, waited for: its final DescribeStatement."""
        return self.finished(self.submit(sql, **extra))

    def batch(self, sqls: list[str]) -> dict:
        """BatchExecuteStatement, waited for: its final DescribeStatement."""
        batch = self.data.batch_execute_statement(
            ClusterIdentifier=CLUSTER, Database=DATABASE, DbUser="etl", Sqls=sqls
        )
        return self.finished(batch["Id"])

    def finished(self, statement_id: str) -> dict:
        return wait_for(
            lambda: (d := self.data.describe_statement(Id=statement_id))["Status"] in DONE and d
        )

    def ok(self, sql: str, **extra) -> dict:
        described = self.run(sql, **extra)
        assert described["Status"] == "FINISHED", described.get("Error")
        return described

    def records(self, statement_id: str) -> list[list[dict]]:
        return self.data.get_statement_result(Id=statement_id)["Records"]

    def query(self, sql: str) -> list[list[Any]]:
        """The rows of a query, each field as its one value (None for NULL)."""
        return [[value_of(f) for f in row] for row in self.records(self.ok(sql)["Id"])]

    def put_parquet(self, key: str, table: pa.Table) -> None:
        body = io.BytesIO()
        pq.write_table(table, body)
        self.sandbox.client("s3").put_object(Bucket=LAKE, Key=key, Body=body.getvalue())


def connect(sandbox) -> Warehouse:
    """A cluster (with its COPY role) and the lake bucket on a reset emulator."""
    sandbox.timing("redshift-sql", seconds=0.02, startup=0.01)
    sandbox.client("redshift").create_cluster(
        ClusterIdentifier=CLUSTER,
        NodeType="ra3.xlplus",
        MasterUsername="admin",
        MasterUserPassword="Sandbox-pass1",
        DBName=DATABASE,
        IamRoles=[COPY_ROLE],
    )
    sandbox.client("s3").create_bucket(Bucket=LAKE)
    return Warehouse(sandbox, sandbox.client("redshift-data"))


def value_of(field: dict) -> Any:
    if field.get("isNull"):
        return None
    ((_, value),) = field.items()
    return value


def numbered_queries(file_name: str) -> list[str]:
    """The "-- 1. ...", "-- 2. ..." sections of a checks file, each a comment and one query."""
    text = (SQL_DIR / file_name).read_text()
    return re.split(r"\n(?=-- \d+\. )", text)[1:]


def load_sql(gold_uri: str, role: str = COPY_ROLE) -> str:
    """sql/010_copy_gold.sql with its parameters filled in, as Airflow renders it."""
    text = (SQL_DIR / "010_copy_gold.sql").read_text()
    text = text.replace("{{ params.gold_s3_uri }}", gold_uri)
    return text.replace("{{ params.iam_role_arn }}", role)


def gold_table(days: list[str], zones: list[int], fare: str = "100.00") -> pa.Table:
    """Gold rows as scripts/emr_aggregate_gold.py writes them (money as DECIMAL(14, 2))."""
    from datetime import date
    from decimal import Decimal

    money = pa.decimal128(14, 2)
    return pa.table(
        {
            "pickup_date": pa.array([date.fromisoformat(d) for d in days]),
            "pu_location_id": pa.array(zones, pa.int32()),
            "trip_count": pa.array([10] * len(days), pa.int64()),
            "total_distance": pa.array([Decimal("12.50")] * len(days), money),
            "total_fare": pa.array([Decimal(fare)] * len(days), money),
            "avg_tip_rate": pa.array([0.1] * len(days)),
        }
    )
