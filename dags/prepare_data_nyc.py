"""prepare_data_nyc: NYC green-taxi trips of one month from the raw layer to the Redshift warehouse.

s3_sensor_nyc → crawl_data_nyc → process_to_staging_nyc → create_emr_jobflow → add_emr_step
→ emr_step_sensor → terminate_jobflow → load_nyc_to_redshift

One run per month (TLC publishes one file a month): a run processes its own month's raw file,
`raw/green_tripdata/green_tripdata_YYYY-MM.*` (CSV or Parquet), never the whole history. The
month is the run's data interval (a scheduled run covers the previous month), or the `month`
param of a triggered run (`{"month": "2024-01"}` reprocesses January), or, for a run triggered
without a logical date, the last complete month. Every stage replaces only that month: staging
partitions of its pickup dates, gold/daily_zone/month=YYYY-MM/, and the month's warehouse rows.

Every environment-specific name (buckets, roles, crawler, job, cluster) is an Airflow Variable
read through a Jinja template, so parsing this file never touches the metadata database; see
dags/README.md for the list. The EMR job-flow spec lives in connections/emr_default.json.

Failure handling: the EMR cluster is a setup and terminate_jobflow its teardown, so the cluster
is terminated whatever happens to the step (no cluster outlives a failed run), and clearing any
EMR task clears the cluster's creation and termination with it (a cleared step runs on a new
cluster, never on the terminated one). create_emr_jobflow and add_emr_step reuse the cluster and
step an earlier try of the same run started (emr_idempotent.py). The Redshift load only runs
after a successful aggregation.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from airflow.providers.amazon.aws.operators.emr import EmrTerminateJobFlowOperator
from airflow.providers.amazon.aws.operators.glue import GlueJobOperator
from airflow.providers.amazon.aws.operators.glue_crawler import GlueCrawlerOperator
from airflow.providers.amazon.aws.operators.redshift_data import RedshiftDataOperator
from airflow.providers.amazon.aws.sensors.emr import EmrStepSensor
from airflow.providers.amazon.aws.sensors.s3 import S3KeySensor

try:  # provider >= 9.39 deprecates GlueCrawlerOperator in favour of this run-only operator
    from airflow.providers.amazon.aws.operators.glue_crawler import GlueCrawlerRunOperator
except ImportError:  # older providers (MWAA's Airflow 2.11.0 ships 9.8.0)
    GlueCrawlerRunOperator = None

from emr_idempotent import EmrAddStepsOnceOperator, EmrCreateJobFlowOnceOperator

try:  # Airflow 3
    from airflow.sdk import DAG, Param, chain
except ImportError:  # Airflow 2.7 - 2.11
    from airflow.models.baseoperator import chain
    from airflow.models.dag import DAG
    from airflow.models.param import Param

try:  # Airflow 3.1 and later export the timetables from the SDK
    from airflow.sdk import CronDataIntervalTimetable
except ImportError:  # Airflow 2.7 - 3.0 (MWAA's 3.0.6 among them)
    from airflow.timetables.interval import CronDataIntervalTimetable

DAG_ID = "prepare_data_nyc"
MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"


def pipeline_month(params: dict, dag_run) -> str:
    """The month a run processes, YYYY-MM: the `month` param, else the run's data interval,
    else (an Airflow 3 run triggered without a logical date) the month before it was queued."""
    if params.get("month"):
        return params["month"]
    start = getattr(dag_run, "data_interval_start", None)
    if start is None:
        start = (dag_run.run_after.replace(day=1) - timedelta(days=1)).replace(day=1)
    return start.strftime("%Y-%m")


def month_bounds(month: str) -> tuple[str, str]:
    """('2024-01') -> ('2024-01-01', '2024-02-01'): the first day and the next month's."""
    year, number = map(int, month.split("-"))
    return f"{month}-01", f"{year + number // 12:04d}-{number % 12 + 1:02d}-01"


MONTH = "{{ pipeline_month(params, dag_run) }}"
MONTH_FIRST_DAY = "{{ month_bounds(pipeline_month(params, dag_run))[0] }}"
NEXT_MONTH_FIRST_DAY = "{{ month_bounds(pipeline_month(params, dag_run))[1] }}"

# Data-lake layout (the same in every environment; the bucket comes from a Variable).
DATALAKE = "s3://{{ var.value.datalake_bucket }}"
RAW_TRIPS = f"{DATALAKE}/raw/green_tripdata/"
RAW_TRIPS_OF_MONTH = f"{RAW_TRIPS}green_tripdata_{MONTH}.*"  # .csv, .csv.gz or .parquet
STAGING_TRIPS = f"{DATALAKE}/staging/trips/"
GOLD_DAILY_ZONE = f"{DATALAKE}/gold/daily_zone/"
GOLD_OF_MONTH = f"{GOLD_DAILY_ZONE}month={MONTH}/"
EMR_AGGREGATE_SCRIPT = f"{DATALAKE}/scripts/emr_aggregate_gold.py"

RAW_CRAWLER = "{{ var.value.glue_crawler_name }}"

# Warehouse table loaded from gold/daily_zone/ (created by sql/001_schema.sql; the statements
# below are sql/010_copy_gold.sql's for one month: DELETE that month, COPY its gold folder).
GOLD_TABLE = "nyc.green_trips_daily_zone"

JOB_FLOW_SPEC = Path(__file__).resolve().parent / "connections" / "emr_default.json"
JOB_FLOW_ID = "{{ task_instance.xcom_pull(task_ids='create_emr_jobflow') }}"
STEP_ID = "{{ task_instance.xcom_pull(task_ids='add_emr_step')[0] }}"

AGGREGATE_GOLD_STEP = {
    "Name": "aggregate_gold_daily_zone",
    "ActionOnFailure": "TERMINATE_CLUSTER",
    "HadoopJarStep": {
        "Jar": "command-runner.jar",
        "Args": [
            "spark-submit",
            EMR_AGGREGATE_SCRIPT,
            "--input",
            STAGING_TRIPS,
            "--output",
            GOLD_OF_MONTH,
            "--month",
            MONTH,
        ],
    },
}

# One Data API batch is one transaction: the month's rows are replaced atomically, so a rerun of
# the load never duplicates rows, other months stay, and readers never see the month empty.
LOAD_GOLD_SQL = [
    f"DELETE FROM {GOLD_TABLE} "
    f"WHERE pickup_date >= '{MONTH_FIRST_DAY}' AND pickup_date < '{NEXT_MONTH_FIRST_DAY}'",
    f"COPY {GOLD_TABLE} FROM '{GOLD_OF_MONTH}' "
    "IAM_ROLE '{{ var.value.redshift_copy_role_arn }}' FORMAT AS PARQUET",
]


def tuning_variable(name: str, production: int) -> int:
    """An optional integer Variable for timing only, read from the environment
    (AIRFLOW_VAR_<NAME>, Airflow's environment-variable Variables) because it is needed at parse
    time, which must never query the metadata database. Unset (as on MWAA): the production value.
    The sandbox (sandbox/airflow/settings.py) sets short values so a run takes a minute."""
    return int(os.environ.get(f"AIRFLOW_VAR_{name.upper()}", production))


DEFAULT_ARGS = {
    "owner": "data-platform",
    "retries": tuning_variable("task_retries", 1),
    "retry_delay": timedelta(seconds=tuning_variable("task_retry_delay_seconds", 5 * 60)),
}


def crawl_raw_layer(task_id: str):
    """Run the raw crawler Terraform created (its configuration stays Terraform's)."""
    if GlueCrawlerRunOperator is not None:
        return GlueCrawlerRunOperator(task_id=task_id, crawler_name=RAW_CRAWLER)
    # Updates the crawler only where `config` differs from it: with just the name, never.
    return GlueCrawlerOperator(task_id=task_id, config={"Name": RAW_CRAWLER})


def job_flow_overrides() -> dict:
    """The EMR cluster spec, with Jinja placeholders rendered by EmrCreateJobFlowOperator."""
    return json.loads(JOB_FLOW_SPEC.read_text())


# Waiting for the month's file (the sensor) plus processing it: a run still going after this
# is stuck (the scheduler then fails it, and terminate_jobflow still ends its cluster).
SENSOR_TIMEOUT = timedelta(hours=6)
DAGRUN_TIMEOUT = timedelta(hours=12)

with DAG(
    dag_id=DAG_ID,
    description="NYC green-taxi trips of a month: raw → staging Parquet → gold → Redshift",
    doc_md=__doc__,
    # Explicitly a data-interval timetable: a run after a month's end covers that month, on
    # Airflow 2 and 3 alike (Airflow 3 reads "@monthly" as a trigger without an interval).
    schedule=CronDataIntervalTimetable("@monthly", timezone="UTC"),
    start_date=datetime(2024, 1, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=DAGRUN_TIMEOUT,
    default_args=DEFAULT_ARGS,
    params={
        "month": Param(
            None,
            type=["null", "string"],
            pattern=MONTH_PATTERN,
            description="YYYY-MM to (re)process; empty: the run's own month",
        )
    },
    user_defined_macros={"pipeline_month": pipeline_month, "month_bounds": month_bounds},
    tags=["nyctaxi", "glue", "emr", "redshift"],
) as dag:
    s3_sensor_nyc = S3KeySensor(
        task_id="s3_sensor_nyc",
        bucket_key=RAW_TRIPS_OF_MONTH,
        wildcard_match=True,
        mode="reschedule",
        poke_interval=tuning_variable("s3_sensor_poke_interval_seconds", 300),
        timeout=SENSOR_TIMEOUT.total_seconds(),
    )
    crawl_data_nyc = crawl_raw_layer("crawl_data_nyc")
    process_to_staging_nyc = GlueJobOperator(
        task_id="process_to_staging_nyc",
        job_name="{{ var.value.glue_job_name }}",
        script_args={"--input": RAW_TRIPS_OF_MONTH, "--output": STAGING_TRIPS},
        wait_for_completion=True,
        job_poll_interval=tuning_variable("glue_job_poll_interval_seconds", 6),
    )
    create_emr_jobflow = EmrCreateJobFlowOnceOperator(
        task_id="create_emr_jobflow",
        emr_conn_id="emr_default",
        job_flow_overrides=job_flow_overrides(),
    )
    add_emr_step = EmrAddStepsOnceOperator(
        task_id="add_emr_step",
        job_flow_id=JOB_FLOW_ID,
        steps=[AGGREGATE_GOLD_STEP],
    )
    emr_step_sensor = EmrStepSensor(
        task_id="emr_step_sensor",
        job_flow_id=JOB_FLOW_ID,
        step_id=STEP_ID,
        mode="reschedule",
        poke_interval=tuning_variable("emr_step_sensor_poke_interval_seconds", 60),
        timeout=2 * 60 * 60,
    )
    terminate_jobflow = EmrTerminateJobFlowOperator(
        task_id="terminate_jobflow",
        job_flow_id=JOB_FLOW_ID,
    )
    load_nyc_to_redshift = RedshiftDataOperator(
        task_id="load_nyc_to_redshift",
        cluster_identifier="{{ var.value.redshift_cluster_id }}",
        database="{{ var.value.redshift_database }}",
        db_user="{{ var.value.redshift_db_user }}",
        sql=LOAD_GOLD_SQL,
        statement_name="load_nyc_to_redshift",
        wait_for_completion=True,
        poll_interval=tuning_variable("redshift_poll_interval_seconds", 10),
    )

    chain(
        s3_sensor_nyc,
        crawl_data_nyc,
        process_to_staging_nyc,
        create_emr_jobflow,
        add_emr_step,
        emr_step_sensor,
        terminate_jobflow,
        load_nyc_to_redshift,
    )
    # The cluster and its step are set up for emr_step_sensor and torn down by terminate_jobflow:
    # the teardown runs once the sensor is done, whatever its outcome, if the cluster was
    # created; clearing the sensor or the step clears both setups and the teardown too.
    terminate_jobflow.as_teardown(
        setups=[create_emr_jobflow, add_emr_step], on_failure_fail_dagrun=True
    )
    emr_step_sensor >> load_nyc_to_redshift  # load only after a successful aggregation
