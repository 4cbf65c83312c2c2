"""prepare_data_nyc: NYC green-taxi trips from the raw layer to the Redshift warehouse.

s3_sensor_nyc → crawl_data_nyc → process_to_staging_nyc → create_emr_jobflow → add_emr_step
→ emr_step_sensor → terminate_jobflow → load_nyc_to_redshift

Every environment-specific name (buckets, roles, crawler, job, cluster) is an Airflow Variable
read through a Jinja template, so parsing this file never touches the metadata database; see
dags/README.md for the list. The EMR job-flow spec lives in connections/emr_default.json.

Failure handling: the EMR step runs with ActionOnFailure=TERMINATE_CLUSTER and the job flow has
an idle auto-termination policy, so a failed or abandoned run never leaves a cluster behind, and
the Redshift load only runs after a successful aggregation.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from airflow.providers.amazon.aws.operators.emr import (
    EmrAddStepsOperator,
    EmrCreateJobFlowOperator,
    EmrTerminateJobFlowOperator,
)
from airflow.providers.amazon.aws.operators.glue import GlueJobOperator
from airflow.providers.amazon.aws.operators.glue_crawler import GlueCrawlerOperator
from airflow.providers.amazon.aws.operators.redshift_data import RedshiftDataOperator
from airflow.providers.amazon.aws.sensors.emr import EmrStepSensor
from airflow.providers.amazon.aws.sensors.s3 import S3KeySensor

try:  # provider >= 9.39 deprecates GlueCrawlerOperator in favour of this run-only operator
    from airflow.providers.amazon.aws.operators.glue_crawler import GlueCrawlerRunOperator
except ImportError:  # older providers (MWAA's Airflow 2.11.0 ships 9.8.0)
    GlueCrawlerRunOperator = None

try:  # Airflow 3
    from airflow.sdk import DAG, chain
except ImportError:  # Airflow 2.10 / 2.11
    from airflow.models.baseoperator import chain
    from airflow.models.dag import DAG

DAG_ID = "prepare_data_nyc"

# Data-lake layout (the same in every environment; the bucket comes from a Variable).
DATALAKE = "s3://{{ var.value.datalake_bucket }}"
RAW_TRIPS = f"{DATALAKE}/raw/green_tripdata/"
STAGING_TRIPS = f"{DATALAKE}/staging/trips/"
GOLD_DAILY_ZONE = f"{DATALAKE}/gold/daily_zone/"
EMR_AGGREGATE_SCRIPT = f"{DATALAKE}/scripts/emr_aggregate_gold.py"

RAW_CRAWLER = "{{ var.value.glue_crawler_name }}"

# Warehouse table loaded from gold/daily_zone/ (created by sql/001_schema.sql; the statements
# below are those of sql/010_copy_gold.sql, whose load-history queries match this COPY's text).
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
            GOLD_DAILY_ZONE,
        ],
    },
}

# One Data API batch is one transaction: the table is replaced atomically, so a rerun of the
# load never duplicates rows and readers never see it empty.
LOAD_GOLD_SQL = [
    f"DELETE FROM {GOLD_TABLE}",
    f"COPY {GOLD_TABLE} FROM '{GOLD_DAILY_ZONE}' "
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


with DAG(
    dag_id=DAG_ID,
    description="NYC green-taxi trips: raw CSV → staging Parquet → gold aggregates → Redshift",
    doc_md=__doc__,
    schedule="@daily",
    start_date=datetime(2024, 1, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["nyctaxi", "glue", "emr", "redshift"],
) as dag:
    s3_sensor_nyc = S3KeySensor(
        task_id="s3_sensor_nyc",
        bucket_key=f"{RAW_TRIPS}*.csv",
        wildcard_match=True,
        mode="reschedule",
        poke_interval=tuning_variable("s3_sensor_poke_interval_seconds", 300),
        timeout=6 * 60 * 60,
    )
    crawl_data_nyc = crawl_raw_layer("crawl_data_nyc")
    process_to_staging_nyc = GlueJobOperator(
        task_id="process_to_staging_nyc",
        job_name="{{ var.value.glue_job_name }}",
        script_args={"--input": RAW_TRIPS, "--output": STAGING_TRIPS},
        wait_for_completion=True,
        job_poll_interval=tuning_variable("glue_job_poll_interval_seconds", 6),
    )
    create_emr_jobflow = EmrCreateJobFlowOperator(
        task_id="create_emr_jobflow",
        emr_conn_id="emr_default",
        job_flow_overrides=job_flow_overrides(),
    )
    add_emr_step = EmrAddStepsOperator(
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
