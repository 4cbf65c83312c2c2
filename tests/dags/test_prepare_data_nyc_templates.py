"""Every environment-specific value of prepare_data_nyc comes from an Airflow Variable.

The templated fields are rendered with the DAG's own Jinja environment and a run context whose
Variables hold sentinel values: each task must then address exactly the resources those
Variables name, and no field may hold a literal bucket, cluster or ARN.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

DAGS_FOLDER = Path(__file__).resolve().parents[2] / "dags"
JOB_FLOW_SPEC = DAGS_FOLDER / "connections" / "emr_default.json"
README = DAGS_FOLDER / "README.md"

VARIABLES = {
    "datalake_bucket": "var-datalake",
    "emr_logs_bucket": "var-emr-logs",
    "glue_crawler_name": "var-raw-crawler",
    "glue_job_name": "var-process-to-staging",
    "emr_service_role": "var-emr-service-role",
    "emr_instance_profile": "var-emr-instance-profile",
    "emr_security_configuration": "var-emr-security-configuration",
    "emr_subnet_id": "subnet-var",
    "redshift_cluster_id": "var-warehouse",
    "redshift_database": "var-analytics",
    "redshift_db_user": "var-loader",
    "redshift_copy_role_arn": "arn:aws:iam::000000000000:role/var-redshift-copy",
}
JOB_FLOW_ID = "j-TESTFLOW"
STEP_ID = "s-TESTSTEP"
RUN_ID = "manual__test"
LAKE = "s3://var-datalake"
MONTH = "2024-01"

# Literals that would tie the DAG to one environment or account.
HARD_CODED = re.compile(r"nyctaxi-|s3://(?!\{\{)|arn:aws|\bj-[0-9A-Z]{6,}|\bsubnet-[0-9a-f]")
VARIABLE_REFERENCE = re.compile(r"var\.value\.(\w+)")


class RunTaskInstance:
    """The task instance of the run context: answers xcom_pull like the upstream tasks would."""

    RETURN_VALUES = {"create_emr_jobflow": JOB_FLOW_ID, "add_emr_step": [STEP_ID]}

    def xcom_pull(self, task_ids, key="return_value"):
        assert key == "return_value"
        return self.RETURN_VALUES[task_ids]


def strings_in(value) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from strings_in(item)


def templated_strings(task) -> Iterator[tuple[str, str]]:
    for field in task.template_fields:
        for text in strings_in(getattr(task, field)):
            yield field, text


class ScheduledRun:
    """The dag_run of the context: a scheduled run for January 2024."""

    data_interval_start = datetime(2024, 1, 1, tzinfo=UTC)
    data_interval_end = datetime(2024, 2, 1, tzinfo=UTC)
    run_after = data_interval_end


class TriggeredRun:
    """An Airflow 3 run triggered without a logical date: no data interval."""

    data_interval_start = None
    data_interval_end = None
    run_after = datetime(2026, 12, 5, 21, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def render_in(dag):
    """render_in(dag_run, params)(task_id, field) → the field's value at run time."""
    jinja_env = dag.get_template_env()

    def context_of(dag_run, params):
        context = {
            "var": {"value": VARIABLES},
            "dag": dag,
            "run_id": RUN_ID,
            "params": params,
            "dag_run": dag_run,
            "task_instance": RunTaskInstance(),
            "ti": RunTaskInstance(),
        }

        def render_field(task_id: str, field: str):
            task = dag.get_task(task_id)
            return task.render_template(getattr(task, field), context, jinja_env)

        return render_field

    return context_of


@pytest.fixture(scope="module")
def render(render_in):
    """render(task_id, field) in the scheduled run of January 2024."""
    return render_in(ScheduledRun(), {"month": None})


def test_no_templated_field_holds_a_hard_coded_name(dag):
    offenders = [
        f"{task.task_id}.{field}: {text!r}"
        for task in dag.tasks
        for field, text in templated_strings(task)
        if HARD_CODED.search(text)
    ]
    assert offenders == []


def test_every_variable_the_dag_reads_is_documented_in_the_readme(dag):
    used = {
        name
        for task in dag.tasks
        for _, text in templated_strings(task)
        for name in VARIABLE_REFERENCE.findall(text)
    }
    documented = set(re.findall(r"^\| `(\w+)` \|", README.read_text(), flags=re.MULTILINE))
    assert used == set(VARIABLES)
    assert documented == used


def test_s3_sensor_waits_for_the_raw_file_of_the_runs_month(dag, render):
    sensor = dag.get_task("s3_sensor_nyc")
    assert render("s3_sensor_nyc", "bucket_key") == (
        f"{LAKE}/raw/green_tripdata/green_tripdata_{MONTH}.*"
    )
    assert sensor.bucket_name is None
    assert sensor.wildcard_match is True


@pytest.mark.parametrize(
    ("dag_run", "params", "month"),
    [
        pytest.param(ScheduledRun(), {"month": None}, "2024-01", id="scheduled: its interval"),
        pytest.param(TriggeredRun(), {"month": "2023-07"}, "2023-07", id="month param"),
        pytest.param(TriggeredRun(), {"month": None}, "2026-11", id="no logical date: last month"),
    ],
)
def test_every_stage_works_on_the_month_of_the_run(render_in, dag_run, params, month):
    render = render_in(dag_run, params)
    assert render("s3_sensor_nyc", "bucket_key").endswith(f"green_tripdata_{month}.*")
    assert render("process_to_staging_nyc", "script_args")["--input"].endswith(
        f"green_tripdata_{month}.*"
    )
    (step,) = render("add_emr_step", "steps")
    assert step["HadoopJarStep"]["Args"][-4:] == [
        "--output",
        f"{LAKE}/gold/daily_zone/month={month}/",
        "--month",
        month,
    ]
    delete, copy = render("load_nyc_to_redshift", "sql")
    assert f"pickup_date >= '{month}-01'" in delete
    assert f"/gold/daily_zone/month={month}/'" in copy


def test_the_month_param_is_validated_as_yyyy_mm(dag):
    param = dag.params.get_param("month")
    param.resolve("2024-12")
    param.resolve(None)
    for bad in ("2024-13", "2024-1", "January"):
        with pytest.raises(Exception, match="does not match"):
            param.resolve(bad)


def test_crawler_is_the_raw_crawler_variable(dag, render):
    if "crawler_name" in dag.get_task("crawl_data_nyc").template_fields:  # GlueCrawlerRunOperator
        assert render("crawl_data_nyc", "crawler_name") == "var-raw-crawler"
    else:  # GlueCrawlerOperator
        assert render("crawl_data_nyc", "config") == {"Name": "var-raw-crawler"}


def test_glue_job_turns_the_months_raw_file_into_staging(render):
    assert render("process_to_staging_nyc", "job_name") == "var-process-to-staging"
    assert render("process_to_staging_nyc", "script_args") == {
        "--input": f"{LAKE}/raw/green_tripdata/green_tripdata_{MONTH}.*",
        "--output": f"{LAKE}/staging/trips/",
    }


def test_job_flow_is_the_connection_spec_with_variables_filled_in(dag, render):
    assert dag.get_task("create_emr_jobflow").emr_conn_id == "emr_default"
    job_flow = render("create_emr_jobflow", "job_flow_overrides")
    assert set(job_flow) == set(json.loads(JOB_FLOW_SPEC.read_text()))
    assert job_flow["Name"] == f"prepare_data_nyc {RUN_ID}"
    assert job_flow["LogUri"] == "s3://var-emr-logs/logs/"
    assert job_flow["ServiceRole"] == "var-emr-service-role"
    assert job_flow["JobFlowRole"] == "var-emr-instance-profile"
    assert job_flow["SecurityConfiguration"] == "var-emr-security-configuration"
    assert job_flow["Instances"]["Ec2SubnetId"] == "subnet-var"
    assert job_flow["Applications"] == [{"Name": "Spark"}]
    assert job_flow["ReleaseLabel"].startswith("emr-")
    roles = [group["InstanceRole"] for group in job_flow["Instances"]["InstanceGroups"]]
    assert roles == ["MASTER", "CORE"]
    assert "{{" not in json.dumps(job_flow)


def test_job_flow_cannot_outlive_a_failed_or_abandoned_run(render):
    job_flow = render("create_emr_jobflow", "job_flow_overrides")
    assert job_flow["AutoTerminationPolicy"]["IdleTimeout"] > 0
    assert job_flow["Instances"]["TerminationProtected"] is False
    (step,) = render("add_emr_step", "steps")
    assert step["ActionOnFailure"] == "TERMINATE_CLUSTER"


def test_emr_step_aggregates_the_months_staging_into_its_gold_folder(render):
    assert render("add_emr_step", "job_flow_id") == JOB_FLOW_ID
    (step,) = render("add_emr_step", "steps")
    assert step["HadoopJarStep"] == {
        "Jar": "command-runner.jar",
        "Args": [
            "spark-submit",
            f"{LAKE}/scripts/emr_aggregate_gold.py",
            "--input",
            f"{LAKE}/staging/trips/",
            "--output",
            f"{LAKE}/gold/daily_zone/month={MONTH}/",
            "--month",
            MONTH,
        ],
    }


def test_step_sensor_and_termination_follow_the_created_job_flow(render):
    assert render("emr_step_sensor", "job_flow_id") == JOB_FLOW_ID
    assert render("emr_step_sensor", "step_id") == STEP_ID
    assert render("terminate_jobflow", "job_flow_id") == JOB_FLOW_ID


def test_redshift_load_replaces_the_months_rows_from_its_gold_in_one_transaction(render):
    assert render("load_nyc_to_redshift", "cluster_identifier") == "var-warehouse"
    assert render("load_nyc_to_redshift", "database") == "var-analytics"
    assert render("load_nyc_to_redshift", "db_user") == "var-loader"
    # A list of statements is one BatchExecuteStatement, which Redshift runs as one transaction.
    delete, copy = render("load_nyc_to_redshift", "sql")
    assert delete == (
        "DELETE FROM nyc.green_trips_daily_zone "
        "WHERE pickup_date >= '2024-01-01' AND pickup_date < '2024-02-01'"
    )
    assert copy == (
        f"COPY nyc.green_trips_daily_zone FROM '{LAKE}/gold/daily_zone/month={MONTH}/' "
        "IAM_ROLE 'arn:aws:iam::000000000000:role/var-redshift-copy' FORMAT AS PARQUET"
    )


def test_december_loads_up_to_the_next_years_january(render_in):
    render = render_in(ScheduledRun(), {"month": "2024-12"})
    delete, _ = render("load_nyc_to_redshift", "sql")
    assert delete.endswith("pickup_date >= '2024-12-01' AND pickup_date < '2025-01-01'")
