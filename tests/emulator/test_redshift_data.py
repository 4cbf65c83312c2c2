"""Redshift Data API: statements really run (SQLite), typed results, errors, batches, COPY,
the load-history system tables, cancel, and answers shaped like AWS's (epoch timestamps)."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from polling import wait_for

SQL_DIR = Path(__file__).resolve().parents[2] / "sql"
CLUSTER = "nyc-warehouse"
DATABASE = "nyc"
LAKE = "lake"
DONE = ("FINISHED", "FAILED", "ABORTED")


@pytest.fixture
def data(sandbox):
    sandbox.timing("redshift-sql", seconds=0.05, startup=0.02)
    sandbox.client("redshift").create_cluster(
        ClusterIdentifier=CLUSTER,
        NodeType="ra3.xlplus",
        MasterUsername="admin",
        MasterUserPassword="Sandbox-pass1",
        DBName=DATABASE,
    )
    sandbox.client("s3").create_bucket(Bucket=LAKE)
    return sandbox.client("redshift-data")


def run(data, sql: str, **extra) -> dict:
    statement_id = data.execute_statement(
        ClusterIdentifier=CLUSTER, Database=DATABASE, DbUser="etl", Sql=sql, **extra
    )["Id"]
    return finished(data, statement_id)


def finished(data, statement_id: str) -> dict:
    return wait_for(lambda: (d := data.describe_statement(Id=statement_id))["Status"] in DONE and d)


def rows(data, statement_id: str) -> list[list[dict]]:
    return data.get_statement_result(Id=statement_id)["Records"]


def create_schema(data) -> None:
    assert run(data, (SQL_DIR / "001_schema.sql").read_text())["Status"] == "FINISHED"


def test_schema_file_insert_and_select_return_typed_rows(data):
    create_schema(data)
    inserted = run(
        data,
        "INSERT INTO nyc.green_trips_daily_zone VALUES "
        "('2024-01-01', 74, 12, 30.5, 210.25, 0.12), ('2024-01-01', 75, 3, 4.0, 20.0, NULL)",
    )
    assert (inserted["Status"], inserted["ResultRows"], inserted["HasResultSet"]) == (
        "FINISHED",
        2,
        False,
    )

    selected = run(
        data,
        "SELECT pu_location_id, pickup_date, trip_count, avg_tip_rate "
        "FROM nyc.green_trips_daily_zone ORDER BY pu_location_id",
    )

    assert selected["HasResultSet"] is True
    assert selected["ResultRows"] == 2
    result = data.get_statement_result(Id=selected["Id"])
    assert result["TotalNumRows"] == 2
    assert [c["name"] for c in result["ColumnMetadata"]] == [
        "pu_location_id",
        "pickup_date",
        "trip_count",
        "avg_tip_rate",
    ]
    assert [c["typeName"] for c in result["ColumnMetadata"]] == [
        "int8",
        "varchar",
        "int8",
        "float8",
    ]
    assert result["Records"] == [
        [
            {"longValue": 74},
            {"stringValue": "2024-01-01"},
            {"longValue": 12},
            {"doubleValue": 0.12},
        ],
        [{"longValue": 75}, {"stringValue": "2024-01-01"}, {"longValue": 3}, {"isNull": True}],
    ]


def test_failing_statement_is_failed_with_the_sqlite_error(data):
    failed = run(data, "SELECT * FROM nyc.no_such_table")
    assert failed["Status"] == "FAILED"
    assert failed["Error"] == "ERROR: no such table: nyc.no_such_table"
    with pytest.raises(data.exceptions.ResourceNotFoundException):
        data.get_statement_result(Id=failed["Id"])


def test_statement_goes_submitted_started_finished(sandbox, data):
    sandbox.timing("redshift-sql", seconds=0.6, startup=0.5)
    statement_id = data.execute_statement(
        ClusterIdentifier=CLUSTER, Database=DATABASE, Sql="SELECT 1"
    )["Id"]
    assert data.describe_statement(Id=statement_id)["Status"] == "SUBMITTED"
    running = wait_for(
        lambda: (d := data.describe_statement(Id=statement_id))["Status"] == "STARTED" and d
    )
    assert (running["Duration"], running["ResultRows"], running["HasResultSet"]) == (-1, -1, False)
    described = finished(data, statement_id)
    assert described["Status"] == "FINISHED"
    assert (described["ResultRows"], described["HasResultSet"]) == (1, True)
    assert described["Duration"] >= 0.5e9
    assert described["UpdatedAt"] > described["CreatedAt"]


def test_injected_failure_fails_the_next_statement_on_that_cluster(sandbox, data):
    sandbox.inject("redshift-sql", "ERROR: permission denied for schema nyc", name=CLUSTER)
    assert run(data, "SELECT 1")["Error"] == "ERROR: permission denied for schema nyc"
    assert run(data, "SELECT 1")["Status"] == "FINISHED"


def test_batch_runs_in_order_with_sub_statement_results(data):
    batch = data.batch_execute_statement(
        ClusterIdentifier=CLUSTER,
        Database=DATABASE,
        Sqls=[
            "CREATE TABLE t (n INTEGER, s VARCHAR(MAX))",
            "INSERT INTO t VALUES (1, 'a')",
            "SELECT n, s FROM t",
        ],
    )
    described = finished(data, batch["Id"])

    assert described["Status"] == "FINISHED"
    parts = described["SubStatements"]
    assert [p["Id"] for p in parts] == [f"{batch['Id']}:{n}" for n in (1, 2, 3)]
    assert [p["Status"] for p in parts] == ["FINISHED"] * 3
    assert [p["HasResultSet"] for p in parts] == [False, False, True]
    assert rows(data, f"{batch['Id']}:3") == [[{"longValue": 1}, {"stringValue": "a"}]]
    assert data.describe_statement(Id=f"{batch['Id']}:2")["ResultRows"] == 1


def test_batch_stops_at_the_first_failure(data):
    batch = data.batch_execute_statement(
        ClusterIdentifier=CLUSTER, Database=DATABASE, Sqls=["SELECT 1", "SELEC 2", "SELECT 3"]
    )
    described = finished(data, batch["Id"])
    assert described["Status"] == "FAILED"
    assert 'near "SELEC": syntax error' in described["Error"]
    assert [p["Status"] for p in described["SubStatements"]] == ["FINISHED", "FAILED", "ABORTED"]


def test_raw_json_has_epoch_number_timestamps(data):
    """aws-sdk-rust rejects ISO strings here (moto's own answer): check the bytes on the wire."""
    raw: dict[str, dict] = {}

    def keep(http_response, model, **_kwargs):
        raw[model.name] = json.loads(http_response.content)

    data.meta.events.register("after-call.redshift-data.*", keep)
    statement_id = data.execute_statement(
        ClusterIdentifier=CLUSTER, Database=DATABASE, Sql="SELECT 1"
    )["Id"]
    finished(data, statement_id)
    data.list_statements()

    created = raw["ExecuteStatement"]["CreatedAt"]
    assert isinstance(created, int | float) and not isinstance(created, bool)
    described = raw["DescribeStatement"]
    assert isinstance(described["CreatedAt"], int | float)
    assert isinstance(described["UpdatedAt"], int | float)
    assert described["UpdatedAt"] >= described["CreatedAt"] == created
    assert isinstance(raw["ListStatements"]["Statements"][0]["CreatedAt"], int | float)


def test_list_and_cancel_statements(sandbox, data):
    run(data, "SELECT 1", StatementName="first")
    sandbox.timing("redshift-sql", seconds=30, startup=0.02)
    slow = data.execute_statement(
        ClusterIdentifier=CLUSTER, Database=DATABASE, Sql="SELECT 2", StatementName="slow"
    )["Id"]

    listed = data.list_statements()["Statements"]
    assert [s["StatementName"] for s in listed] == ["slow", "first"]
    assert [s["Status"] for s in data.list_statements(Status="FINISHED")["Statements"]] == [
        "FINISHED"
    ]

    assert data.cancel_statement(Id=slow)["Status"] is True
    assert finished(data, slow)["Status"] == "ABORTED"
    with pytest.raises(data.exceptions.ValidationException):
        data.cancel_statement(Id=slow)


def test_unknown_cluster_is_refused(data):
    with pytest.raises(data.exceptions.ValidationException, match="no-such-cluster"):
        data.execute_statement(
            ClusterIdentifier="no-such-cluster", Database=DATABASE, Sql="SELECT 1"
        )


def put_parquet(sandbox, key: str, table: pa.Table) -> None:
    body = io.BytesIO()
    pq.write_table(table, body)
    sandbox.client("s3").put_object(Bucket=LAKE, Key=key, Body=body.getvalue())


def gold_table(days: list[str], zones: list[int]) -> pa.Table:
    return pa.table(
        {
            "pickup_date": pa.array([date.fromisoformat(d) for d in days]),
            "pu_location_id": pa.array(zones, pa.int32()),
            "trip_count": pa.array([10] * len(days), pa.int64()),
            "total_distance": pa.array([12.5] * len(days)),
            "total_fare": pa.array([100.0] * len(days)),
            "avg_tip_rate": pa.array([0.1] * len(days)),
        }
    )


def numbered_queries(file_name: str) -> list[str]:
    """The "-- 1. ...", "-- 2. ..." sections of a checks file, each a comment and one query."""
    text = (SQL_DIR / file_name).read_text()
    return re.split(r"\n(?=-- \d+\. )", text)[1:]


def load_sql(gold_uri: str) -> str:
    text = (SQL_DIR / "010_copy_gold.sql").read_text()
    text = text.replace("{{ params.gold_s3_uri }}", gold_uri)
    return text.replace("{{ params.iam_role_arn }}", "arn:aws:iam::123456789012:role/copy")


def test_project_sql_copy_parquet_verify_and_load_history(sandbox, data):
    create_schema(data)
    put_parquet(sandbox, "gold/daily_zone/part-0.parquet", gold_table(["2024-01-01"] * 2, [7, 8]))
    put_parquet(sandbox, "gold/daily_zone/part-1.parquet", gold_table(["2024-01-02"], [7]))

    loaded = run(data, load_sql(f"s3://{LAKE}/gold/daily_zone/"))
    assert loaded["Status"] == "FINISHED", loaded.get("Error")

    size = run(data, numbered_queries("020_verify_load.sql")[0])
    assert rows(data, size["Id"]) == [
        [
            {"longValue": 3},
            {"longValue": 30},
            {"stringValue": "2024-01-01"},
            {"stringValue": "2024-01-02"},
            {"longValue": 2},
        ]
    ]
    history = data.batch_execute_statement(
        ClusterIdentifier=CLUSTER,
        Database=DATABASE,
        Sqls=numbered_queries("030_load_history.sql"),
    )
    history_status = finished(data, history["Id"])
    assert history_status["Status"] == "FINISHED", history_status.get("Error")
    loads = rows(data, f"{history['Id']}:1")
    assert len(loads) == 1
    assert loads[0][3:] == [{"longValue": 0}, {"longValue": 2}, {"longValue": 3}]
    files = rows(data, f"{history['Id']}:2")
    assert sorted(f[1]["stringValue"] for f in files) == [
        f"s3://{LAKE}/gold/daily_zone/part-0.parquet",
        f"s3://{LAKE}/gold/daily_zone/part-1.parquet",
    ]
    assert rows(data, f"{history['Id']}:3") == []


def test_copy_with_bad_rows_fails_rolls_back_and_records_the_load_error(sandbox, data):
    create_schema(data)
    run(data, "INSERT INTO nyc.green_trips_daily_zone VALUES ('2024-01-01', 1, 1, 1, 1, 1)")
    sandbox.client("s3").put_object(
        Bucket=LAKE, Key="bad/trips.csv", Body=b"pickup_date,zone\n2024-01-01,7\n"
    )

    failed = run(data, load_sql(f"s3://{LAKE}/bad/").replace("FORMAT AS PARQUET", "CSV"))

    assert failed["Status"] == "FAILED"
    assert "Load into table 'green_trips_daily_zone' failed" in failed["Error"]
    count = run(data, "SELECT COUNT(*) FROM nyc.green_trips_daily_zone")
    assert rows(data, count["Id"]) == [[{"longValue": 1}]]  # the DELETE was rolled back
    errors = run(data, numbered_queries("030_load_history.sql")[2])
    assert errors["Status"] == "FINISHED", errors.get("Error")
    (error,) = rows(data, errors["Id"])
    assert error[2] == {"stringValue": f"s3://{LAKE}/bad/trips.csv"}
    assert error[7] == {"longValue": 1214}
    assert "expected 6 columns, found 2" in error[8]["stringValue"]


def test_copy_from_a_missing_prefix_fails_with_a_clear_message(data):
    create_schema(data)
    failed = run(data, load_sql(f"s3://{LAKE}/gold/nothing-here/"))
    assert failed["Status"] == "FAILED"
    assert "gold/nothing-here/" in failed["Error"]


def test_paused_cluster_refuses_statements_until_resumed(sandbox, data):
    redshift = sandbox.client("redshift")
    redshift.pause_cluster(ClusterIdentifier=CLUSTER)
    with pytest.raises(data.exceptions.ValidationException, match="is paused"):
        data.execute_statement(ClusterIdentifier=CLUSTER, Database=DATABASE, Sql="SELECT 1")
    redshift.resume_cluster(ClusterIdentifier=CLUSTER)
    assert run(data, "SELECT 1")["Status"] == "FINISHED"
