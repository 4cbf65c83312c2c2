"""What Redshift SQL does on the sandbox's warehouse (DuckDB behind the Data API): every file of
sql/, exact decimals, keys declared but not enforced, a request as one transaction, COPY from the
emulator's S3 by column position, the STL system tables, Redshift-only DDL."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest
from warehouse import (
    COPY_ROLE,
    LAKE,
    SQL_DIR,
    connect,
    gold_table,
    load_sql,
    numbered_queries,
    value_of,
)

GOLD = f"s3://{LAKE}/gold/daily_zone/"


@pytest.fixture
def wh(sandbox):
    warehouse = connect(sandbox)
    warehouse.ok((SQL_DIR / "001_schema.sql").read_text())
    return warehouse


def count(wh, table: str = "nyc.green_trips_daily_zone") -> int:
    return wh.query(f"SELECT COUNT(*) FROM {table}")[0][0]


def load_gold(wh) -> dict:
    """sql/010_copy_gold.sql over two gold files (3 rows), as the DAG sends it."""
    wh.put_parquet("gold/daily_zone/part-0.parquet", gold_table(["2024-01-01"] * 2, [7, 8]))
    wh.put_parquet("gold/daily_zone/part-1.parquet", gold_table(["2024-01-02"], [7], "0.10"))
    wh.sandbox.client("s3").put_object(Bucket=LAKE, Key="gold/daily_zone/_SUCCESS", Body=b"")
    return wh.run(load_sql(GOLD))


def test_every_file_of_sql_runs_on_the_warehouse(wh):
    """001 ran in the fixture; 010 as one statement (the DAG), 020 and 030 as batches (the
    console runs a file as a batch of its statements)."""
    assert load_gold(wh)["Status"] == "FINISHED"
    for name in ("001_schema.sql", "020_verify_load.sql", "030_load_history.sql"):
        text = (SQL_DIR / name).read_text()
        described = wh.batch(numbered_queries(name) or [text])
        assert described["Status"] == "FINISHED", (name, described.get("Error"))
    assert sorted(p.name for p in SQL_DIR.glob("*.sql")) == [
        "001_schema.sql",
        "010_copy_gold.sql",
        "020_verify_load.sql",
        "030_load_history.sql",
    ]


def test_verify_queries_read_the_loaded_gold(wh):
    load_gold(wh)
    size, per_day, duplicates, impossible = (
        wh.query(q) for q in numbered_queries("020_verify_load.sql")
    )
    assert size == [[3, 30, "2024-01-01", "2024-01-02", 2]]
    assert per_day == [
        ["2024-01-01", 2, 20, "25.00", "200.00"],
        ["2024-01-02", 1, 10, "12.50", "0.10"],
    ]
    assert duplicates == []
    assert impossible == [[0]]


def test_decimals_are_exact_and_keep_their_scale(wh):
    wh.ok(
        "INSERT INTO nyc.green_trips_daily_zone VALUES "
        + ", ".join(
            f"('2024-01-0{d}', {z}, 1, 0.10, 0.10, NULL)" for d in (1, 2) for z in (1, 2, 3)
        )
    )
    assert wh.query(
        "SELECT SUM(total_fare), SUM(total_fare) * 3, MAX(total_distance) - 0.1"
        " FROM nyc.green_trips_daily_zone"
    ) == [["0.60", "1.80", "0.00"]]
    assert wh.query("SELECT 0.1 + 0.2, CAST(2.675 AS DECIMAL(5, 2))") == [["0.3", "2.68"]]
    assert wh.query("SELECT 0.1::float8 + 0.2::float8") == [[0.30000000000000004]]
    assert wh.query("SELECT 7 / 2, -7 / 2, CAST('12.345' AS DECIMAL(8, 3)) * 2") == [
        [3, -3, "24.690"]
    ]


def test_a_duplicate_load_is_not_rejected_and_the_check_finds_it(wh):
    """Redshift declares PRIMARY KEY and UNIQUE but enforces neither: sql/020 exists for this."""
    row = "('2024-01-01', 7, 10, 12.50, 100.00, 0.1)"
    wh.ok(f"INSERT INTO nyc.green_trips_daily_zone VALUES {row}")
    assert wh.run(f"INSERT INTO nyc.green_trips_daily_zone VALUES {row}")["Status"] == "FINISHED"
    duplicates = numbered_queries("020_verify_load.sql")[2]
    assert wh.query(duplicates) == [["2024-01-01", 7, 2]]
    wh.ok(
        "CREATE TABLE u (id INT UNIQUE,"
        " n INT REFERENCES nyc.green_trips_daily_zone (pu_location_id))"
    )
    wh.ok("INSERT INTO u VALUES (1, 99), (1, 98)")
    assert count(wh, "u") == 2


def test_not_null_and_varchar_length_are_enforced(wh):
    failed = wh.run("INSERT INTO nyc.green_trips_daily_zone (pickup_date) VALUES ('2024-01-01')")
    assert failed["Error"].startswith("ERROR: Cannot insert a NULL value into column")
    wh.ok("CREATE TABLE names (name VARCHAR(4))")
    assert wh.run("INSERT INTO names VALUES ('abcde')")["Error"] == (
        "ERROR: value too long for type character varying(4)"
    )
    wh.ok("INSERT INTO names VALUES ('abcd')")


def test_a_batch_is_one_transaction(wh):
    wh.ok("INSERT INTO nyc.green_trips_daily_zone VALUES ('2024-01-01', 1, 1, 1, 1, 1)")
    failed = wh.batch(
        [
            "DELETE FROM nyc.green_trips_daily_zone",
            "CREATE TABLE made_in_batch (n INT)",
            "INSERT INTO nyc.green_trips_daily_zone VALUES ('2024-01-02', 2, 2, 2, 2, 2)",
            "SELECT * FROM no_such_table",
        ]
    )
    assert failed["Status"] == "FAILED"
    assert [p["Status"] for p in failed["SubStatements"]] == ["FINISHED"] * 3 + ["FAILED"]
    assert wh.query("SELECT pu_location_id FROM nyc.green_trips_daily_zone") == [[1]]
    assert wh.run("SELECT * FROM made_in_batch")["Status"] == "FAILED"


def test_a_multi_statement_request_is_one_transaction_and_commit_ends_it(wh):
    failed = wh.run(
        "INSERT INTO nyc.green_trips_daily_zone VALUES ('2024-01-01', 1, 1, 1, 1, 1); SELECT 1 / 0"
    )
    assert failed["Error"] == "ERROR: divide by zero"
    assert count(wh) == 0
    committed = wh.run(
        "BEGIN; INSERT INTO nyc.green_trips_daily_zone VALUES ('2024-01-01', 1, 1, 1, 1, 1);"
        " COMMIT; SELECT 1 / 0"
    )
    assert committed["Status"] == "FAILED"
    assert count(wh) == 1
    wh.ok("BEGIN; DELETE FROM nyc.green_trips_daily_zone")  # never committed: session ends
    assert count(wh) == 1


def test_a_failed_load_keeps_the_previous_rows(wh):
    wh.ok("INSERT INTO nyc.green_trips_daily_zone VALUES ('2024-01-01', 1, 1, 1, 1, 1)")
    failed = wh.run(load_sql(f"s3://{LAKE}/gold/nothing-here/"))
    assert failed["Status"] == "FAILED"
    assert "gold/nothing-here/" in failed["Error"]
    assert count(wh) == 1  # the DELETE before the COPY was rolled back


def test_copy_parquet_maps_columns_by_position_not_name(wh):
    renamed = gold_table(["2024-01-03"], [42]).rename_columns(["a", "b", "c", "d", "e", "f"])
    wh.put_parquet("gold/daily_zone/part-0.parquet", renamed)
    assert wh.run(load_sql(GOLD))["Status"] == "FINISHED"
    assert wh.query(
        "SELECT pickup_date, pu_location_id, total_fare FROM nyc.green_trips_daily_zone"
    ) == [["2024-01-03", 42, "100.00"]]
    wh.ok("CREATE TABLE pairs (zone INT, day DATE, note VARCHAR(8))")
    pair = pa.table({"x": pa.array([date(2024, 1, 4)]), "y": pa.array([5], pa.int32())})
    wh.put_parquet("pairs/p.parquet", pair)
    wh.ok(
        f"COPY pairs (day, zone) FROM 's3://{LAKE}/pairs/' IAM_ROLE '{COPY_ROLE}' FORMAT AS PARQUET"
    )
    assert wh.query("SELECT zone, day, note FROM pairs") == [[5, "2024-01-04", None]]


def test_copy_parquet_refuses_a_file_whose_columns_do_not_fit(wh):
    five = gold_table(["2024-01-01"], [1]).drop_columns(["avg_tip_rate"])
    wh.put_parquet("gold/daily_zone/part-0.parquet", five)
    failed = wh.run(load_sql(GOLD))
    assert (
        "Unmatched number of columns between table and file. Table columns: 6, Data columns: 5"
        in (failed["Error"])
    )
    doubles = gold_table(["2024-01-01"], [1]).set_column(
        4, "total_fare", pa.array([100.0], pa.float64())
    )
    wh.put_parquet("gold/daily_zone/part-0.parquet", doubles)
    failed = wh.run(load_sql(GOLD))
    assert failed["Error"].startswith(
        "ERROR: Spectrum Scan Error: File 's3://lake/gold/daily_zone/"
    )
    assert "incompatible Parquet schema for column" in failed["Error"]
    assert "total_fare" in failed["Error"] and "DECIMAL(14,2)" in failed["Error"]
    errors = wh.query(numbered_queries("030_load_history.sql")[2])
    assert [(e[2], e[4], e[7]) for e in errors][:1] == [
        ("s3://lake/gold/daily_zone/part-0.parquet", "total_fare", 15007)
    ]


def test_copy_needs_a_role_the_cluster_may_assume_and_parquet_parameters(wh):
    wh.put_parquet("gold/daily_zone/part-0.parquet", gold_table(["2024-01-01"], [1]))
    other = "arn:aws:iam::123456789012:role/someone-else"
    failed = wh.run(load_sql(GOLD, role=other))
    assert "is not authorized to assume IAM Role " + other in failed["Error"]
    no_role = f"COPY nyc.green_trips_daily_zone FROM '{GOLD}' FORMAT AS PARQUET"
    assert "COPY needs authorization" in wh.run(no_role)["Error"]
    region = load_sql(GOLD).replace("FORMAT AS PARQUET", "FORMAT AS PARQUET REGION 'us-east-1'")
    assert "REGION argument is not supported for PARQUET based COPY" in wh.run(region)["Error"]


def test_copy_csv_with_a_bad_row_fails_and_records_the_load_error(wh):
    wh.ok("INSERT INTO nyc.green_trips_daily_zone VALUES ('2024-01-01', 1, 1, 1, 1, 1)")
    s3 = wh.sandbox.client("s3")
    s3.put_object(Bucket=LAKE, Key="bad/trips.csv", Body=b"pickup_date,zone\n2024-01-01,7\n")
    csv_load = load_sql(f"s3://{LAKE}/bad/").replace("FORMAT AS PARQUET", "CSV IGNOREHEADER 1")

    failed = wh.run(csv_load)

    assert failed["Status"] == "FAILED"
    assert "Load into table 'green_trips_daily_zone' failed" in failed["Error"]
    assert count(wh) == 1  # the DELETE was rolled back
    (error,) = wh.query(numbered_queries("030_load_history.sql")[2])
    assert error[2] == f"s3://{LAKE}/bad/trips.csv"
    assert (error[3], error[7]) == (2, 1214)
    assert "expected 6 columns, found 2" in error[8]

    s3.put_object(Bucket=LAKE, Key="bad/trips.csv", Body=b"2024-01-01,7,ten,1.00,2.00,0.1\n")
    failed = wh.run(csv_load.replace(" IGNOREHEADER 1", ""))
    errors = wh.query(numbered_queries("030_load_history.sql")[2])
    assert [(e[3], e[4], e[6], e[7]) for e in errors][0] == (1, "trip_count", "ten", 1207)


def test_copy_csv_loads_typed_values(wh):
    wh.sandbox.client("s3").put_object(
        Bucket=LAKE,
        Key="good/trips.csv",
        Body=b"pickup_date|pu_location_id|trip_count|total_distance|total_fare|avg_tip_rate\n"
        b"2024-01-01|7|10|12.345|100.10|\n",
    )
    wh.ok(
        "COPY nyc.green_trips_daily_zone FROM 's3://lake/good/'"
        f" IAM_ROLE '{COPY_ROLE}' DELIMITER '|' IGNOREHEADER 1"
    )
    assert wh.query("SELECT * FROM nyc.green_trips_daily_zone") == [
        ["2024-01-01", 7, 10, "12.35", "100.10", None]
    ]


def test_stl_tables_record_queries_loads_and_tables(wh):
    assert load_gold(wh)["Status"] == "FINISHED"
    wh.run("SELECT * FROM no_such_table")
    history = wh.batch(numbered_queries("030_load_history.sql"))
    assert history["Status"] == "FINISHED", history.get("Error")
    (load,) = wh.records(f"{history['Id']}:1")
    assert [f.get("longValue") for f in load[3:]] == [0, 2, 3]  # not aborted, 2 files, 3 lines
    files = wh.records(f"{history['Id']}:2")
    assert sorted((f[1]["stringValue"], f[2]["stringValue"], f[3]["longValue"]) for f in files) == [
        (f"s3://{LAKE}/gold/daily_zone/part-0.parquet", "Parquet", 2),
        (f"s3://{LAKE}/gold/daily_zone/part-1.parquet", "Parquet", 1),
    ]
    assert wh.records(f"{history['Id']}:3") == []
    failed = wh.query(
        "SELECT aborted, TRIM(querytxt) FROM stl_query WHERE querytxt LIKE '%no_such_table%'"
        " AND querytxt NOT LIKE '%stl_query%'"
    )
    assert failed == [[1, "SELECT * FROM no_such_table"]]
    tables = wh.query("SELECT DISTINCT TRIM(name) FROM stv_tbl_perm ORDER BY 1")
    assert tables == [["green_trips_daily_zone"]]


def test_redshift_only_ddl_is_accepted(wh):
    wh.ok(
        "CREATE TABLE IF NOT EXISTS public.events ("
        " id BIGINT IDENTITY(1, 1) ENCODE az64,"
        " kind VARCHAR(MAX) ENCODE zstd DISTKEY,"
        " at TIMESTAMP SORTKEY,"
        " amount DECIMAL,"
        " PRIMARY KEY (id))"
        " DISTSTYLE KEY BACKUP NO INTERLEAVED SORTKEY (at, kind)"
    )
    wh.ok("INSERT INTO events (kind, at, amount) VALUES ('a', GETDATE(), 1.6), ('b', SYSDATE, 2)")
    assert wh.query("SELECT id, kind, amount FROM events ORDER BY id") == [
        [1, "a", "2"],  # DECIMAL without precision is DECIMAL(18, 0)
        [2, "b", "2"],
    ]
    wh.ok("VACUUM events; ANALYZE events; GRANT SELECT ON events TO PUBLIC")
    assert wh.query(
        "SELECT NVL(NULL, 3), LEN('abc'), DATEDIFF(day, '2024-01-01', '2024-01-05'),"
        " DATEADD(day, 1, '2024-01-01'::date)"
    ) == [[3, 3, 4, "2024-01-02 00:00:00"]]


def test_temporary_tables_end_with_the_request(wh):
    assert wh.query("CREATE TEMP TABLE scratch AS SELECT 1 AS n; SELECT n FROM scratch") == [[1]]
    assert wh.run("SELECT n FROM scratch")["Status"] == "FAILED"


def test_redshift_functions_run_and_are_named_as_written(wh):
    described = wh.ok(
        "SELECT NVL2(NULL, 1, 2), DECODE(2, 1, 'one', 2, 'two'), SPLIT_PART('a,b', ',', 2),"
        " CHARINDEX('b', 'abc'), DATE_TRUNC('month', '2024-01-15'::date),"
        " TO_CHAR('2024-01-15'::date, 'YYYY-MM'), LISTAGG(x, ',') WITHIN GROUP (ORDER BY x),"
        " MEDIAN(x), APPROXIMATE COUNT(DISTINCT x),"
        " CONVERT_TIMEZONE('UTC', 'America/New_York', '2024-01-01 12:00:00'::timestamp)"
        " FROM (SELECT 1 AS x UNION ALL SELECT 2)"
    )
    result = wh.data.get_statement_result(Id=described["Id"])
    assert [c["name"] for c in result["ColumnMetadata"]] == [
        "nvl2",
        "decode",
        "split_part",
        "charindex",
        "date_trunc",
        "to_char",
        "listagg",
        "median",
        "count",
        "convert_timezone",
    ]
    assert [value_of(f) for f in result["Records"][0]] == [
        2,
        "two",
        "b",
        2,
        "2024-01-01 00:00:00",
        "2024-01",
        "1,2",
        1.5,
        2,
        "2024-01-01 07:00:00",
    ]
