"""Redshift Data API of the sandbox: statement lifecycle, typed results, errors, batches, cancel,
failure injection and answers shaped like AWS's (epoch timestamps). What the SQL itself does on
the DuckDB warehouse is in test_warehouse_sql.py."""

from __future__ import annotations

import json

import pytest
from polling import wait_for
from warehouse import CLUSTER, DATABASE, SQL_DIR, connect


@pytest.fixture
def wh(sandbox):
    return connect(sandbox)


def create_schema(wh) -> None:
    wh.ok((SQL_DIR / "001_schema.sql").read_text())


def test_schema_file_insert_and_select_return_typed_rows(wh):
    create_schema(wh)
    inserted = wh.ok(
        "INSERT INTO nyc.green_trips_daily_zone VALUES "
        "('2024-01-01', 74, 12, 30.5, 210.25, 0.12), ('2024-01-01', 75, 3, 4.0, 20.0, NULL)",
    )
    assert (inserted["ResultRows"], inserted["HasResultSet"]) == (2, False)

    selected = wh.ok(
        "SELECT pu_location_id, pickup_date, trip_count, total_fare, avg_tip_rate "
        "FROM nyc.green_trips_daily_zone ORDER BY pu_location_id",
    )

    assert selected["HasResultSet"] is True
    assert selected["ResultRows"] == 2
    result = wh.data.get_statement_result(Id=selected["Id"])
    assert result["TotalNumRows"] == 2
    metadata = result["ColumnMetadata"]
    assert [c["name"] for c in metadata] == [
        "pu_location_id",
        "pickup_date",
        "trip_count",
        "total_fare",
        "avg_tip_rate",
    ]
    assert [c["typeName"] for c in metadata] == ["int4", "date", "int8", "numeric", "float8"]
    assert (metadata[3]["precision"], metadata[3]["scale"]) == (14, 2)
    assert result["Records"] == [
        [
            {"longValue": 74},
            {"stringValue": "2024-01-01"},
            {"longValue": 12},
            {"stringValue": "210.25"},
            {"doubleValue": 0.12},
        ],
        [
            {"longValue": 75},
            {"stringValue": "2024-01-01"},
            {"longValue": 3},
            {"stringValue": "20.00"},
            {"isNull": True},
        ],
    ]


def test_unaliased_columns_are_named_as_redshift_names_them(wh):
    result = wh.data.get_statement_result(
        Id=wh.ok("SELECT COUNT(*), 1, TRUE, SUM(x) AS Total, x FROM (SELECT 2 AS x) GROUP BY x")[
            "Id"
        ]
    )
    assert [c["name"] for c in result["ColumnMetadata"]] == [
        "count",
        "?column?",
        "bool",
        "total",
        "x",
    ]


def test_failing_statement_is_failed_with_redshifts_error_text(wh):
    failed = wh.run("SELECT * FROM no_such_table")
    assert failed["Status"] == "FAILED"
    assert failed["Error"] == 'ERROR: relation "no_such_table" does not exist'
    assert wh.run("SELECT * FROM nyc.t")["Error"] == 'ERROR: schema "nyc" does not exist'
    assert wh.run("SELEC 2")["Error"] == 'ERROR: syntax error at or near "SELEC"'
    with pytest.raises(wh.data.exceptions.ResourceNotFoundException):
        wh.data.get_statement_result(Id=failed["Id"])


def test_statement_goes_submitted_started_finished(sandbox, wh):
    sandbox.timing("redshift-sql", seconds=0.6, startup=0.5)
    statement_id = wh.submit("SELECT 1")
    assert wh.data.describe_statement(Id=statement_id)["Status"] == "SUBMITTED"
    running = wait_for(
        lambda: (d := wh.data.describe_statement(Id=statement_id))["Status"] == "STARTED" and d
    )
    assert (running["Duration"], running["ResultRows"], running["HasResultSet"]) == (-1, -1, False)
    described = wh.finished(statement_id)
    assert described["Status"] == "FINISHED"
    assert (described["ResultRows"], described["HasResultSet"]) == (1, True)
    assert described["Duration"] >= 0.5e9
    assert described["UpdatedAt"] > described["CreatedAt"]


def test_injected_failure_fails_the_next_statement_on_that_cluster(sandbox, wh):
    sandbox.inject("redshift-sql", "ERROR: permission denied for schema nyc", name=CLUSTER)
    assert wh.run("SELECT 1")["Error"] == "ERROR: permission denied for schema nyc"
    assert wh.run("SELECT 1")["Status"] == "FINISHED"


def test_batch_runs_in_order_with_sub_statement_results(wh):
    batch = wh.data.batch_execute_statement(
        ClusterIdentifier=CLUSTER,
        Database=DATABASE,
        Sqls=[
            "CREATE TABLE t (n INTEGER, s VARCHAR(MAX))",
            "INSERT INTO t VALUES (1, 'a')",
            "SELECT n, s FROM t",
        ],
    )
    described = wh.finished(batch["Id"])

    assert described["Status"] == "FINISHED"
    parts = described["SubStatements"]
    assert [p["Id"] for p in parts] == [f"{batch['Id']}:{n}" for n in (1, 2, 3)]
    assert [p["Status"] for p in parts] == ["FINISHED"] * 3
    assert [p["HasResultSet"] for p in parts] == [False, False, True]
    assert wh.records(f"{batch['Id']}:3") == [[{"longValue": 1}, {"stringValue": "a"}]]
    assert wh.data.describe_statement(Id=f"{batch['Id']}:2")["ResultRows"] == 1


def test_batch_stops_at_the_first_failure(wh):
    described = wh.batch(["SELECT 1", "SELEC 2", "SELECT 3"])
    assert described["Status"] == "FAILED"
    assert described["Error"] == 'ERROR: syntax error at or near "SELEC"'
    assert [p["Status"] for p in described["SubStatements"]] == ["FINISHED", "FAILED", "ABORTED"]


def test_parameters_are_substituted_as_text(wh):
    wh.ok("CREATE TABLE zones (id INT, name VARCHAR(32))")
    wh.ok("INSERT INTO zones VALUES (74, 'East Harlem North'), (75, 'East Harlem South')")
    described = wh.ok(
        "SELECT name FROM zones WHERE id = :id",
        Parameters=[{"name": "id", "value": "75"}],
    )
    assert wh.records(described["Id"]) == [[{"stringValue": "East Harlem South"}]]
    missing = wh.run("SELECT name FROM zones WHERE id = :other")
    assert missing["Error"] == "ERROR: no value for parameter :other"


def test_raw_json_has_epoch_number_timestamps(wh):
    """aws-sdk-rust rejects ISO strings here (moto's own answer): check the bytes on the wire."""
    raw: dict[str, dict] = {}

    def keep(http_response, model, **_kwargs):
        raw[model.name] = json.loads(http_response.content)

    wh.data.meta.events.register("after-call.redshift-data.*", keep)
    wh.finished(wh.submit("SELECT 1"))
    wh.data.list_statements()

    created = raw["ExecuteStatement"]["CreatedAt"]
    assert isinstance(created, int | float) and not isinstance(created, bool)
    described = raw["DescribeStatement"]
    assert isinstance(described["CreatedAt"], int | float)
    assert isinstance(described["UpdatedAt"], int | float)
    assert described["UpdatedAt"] >= described["CreatedAt"] == created
    assert isinstance(raw["ListStatements"]["Statements"][0]["CreatedAt"], int | float)


def test_list_and_cancel_statements(sandbox, wh):
    wh.run("SELECT 1", StatementName="first")
    sandbox.timing("redshift-sql", seconds=30, startup=0.02)
    slow = wh.submit("SELECT 2", StatementName="slow")

    listed = wh.data.list_statements()["Statements"]
    assert [s["StatementName"] for s in listed] == ["slow", "first"]
    assert [s["Status"] for s in wh.data.list_statements(Status="FINISHED")["Statements"]] == [
        "FINISHED"
    ]

    assert wh.data.cancel_statement(Id=slow)["Status"] is True
    assert wh.finished(slow)["Status"] == "ABORTED"
    with pytest.raises(wh.data.exceptions.ValidationException):
        wh.data.cancel_statement(Id=slow)


def test_a_cancelled_statement_is_rolled_back(sandbox, wh):
    wh.ok("CREATE TABLE t (n INT)")
    sandbox.timing("redshift-sql", seconds=30, startup=0.02)
    slow = wh.submit("INSERT INTO t VALUES (1)")
    wait_for(lambda: wh.data.describe_statement(Id=slow)["Status"] == "STARTED")
    wh.data.cancel_statement(Id=slow)
    assert wh.finished(slow)["Status"] == "ABORTED"
    sandbox.timing("redshift-sql", seconds=0.02, startup=0.01)
    assert wh.query("SELECT COUNT(*) FROM t") == [[0]]


def test_unknown_cluster_is_refused(wh):
    with pytest.raises(wh.data.exceptions.ValidationException, match="no-such-cluster"):
        wh.data.execute_statement(
            ClusterIdentifier="no-such-cluster", Database=DATABASE, Sql="SELECT 1"
        )


def test_paused_cluster_refuses_statements_until_resumed(sandbox, wh):
    redshift = sandbox.client("redshift")
    redshift.pause_cluster(ClusterIdentifier=CLUSTER)
    with pytest.raises(wh.data.exceptions.ValidationException, match="is paused"):
        wh.submit("SELECT 1")
    redshift.resume_cluster(ClusterIdentifier=CLUSTER)
    assert wh.run("SELECT 1")["Status"] == "FINISHED"
