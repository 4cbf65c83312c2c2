"""The DAG folder parses on real Airflow and prepare_data_nyc has exactly the pipeline's graph."""

from __future__ import annotations

import pytest
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

try:  # provider >= 9.39, where GlueCrawlerOperator is deprecated
    from airflow.providers.amazon.aws.operators.glue_crawler import (
        GlueCrawlerRunOperator as CrawlerOperator,
    )
except ImportError:  # older providers, e.g. 9.8.0 on MWAA's Airflow 2.11.0
    CrawlerOperator = GlueCrawlerOperator

try:  # Airflow 3
    from airflow.serialization.serialized_objects import DagSerialization
except ImportError:  # Airflow 2
    from airflow.serialization.serialized_objects import SerializedDAG as DagSerialization

# The pipeline, in order, with the operator class each task must use.
PIPELINE = [
    ("s3_sensor_nyc", S3KeySensor),
    ("crawl_data_nyc", CrawlerOperator),
    ("process_to_staging_nyc", GlueJobOperator),
    ("create_emr_jobflow", EmrCreateJobFlowOperator),
    ("add_emr_step", EmrAddStepsOperator),
    ("emr_step_sensor", EmrStepSensor),
    ("terminate_jobflow", EmrTerminateJobFlowOperator),
    ("load_nyc_to_redshift", RedshiftDataOperator),
]
TASK_IDS = [task_id for task_id, _ in PIPELINE]


def expected_neighbours(task_id: str) -> tuple[set[str], set[str]]:
    """(upstream, downstream) of a task in the linear pipeline."""
    i = TASK_IDS.index(task_id)
    upstream = {TASK_IDS[i - 1]} if i > 0 else set()
    downstream = {TASK_IDS[i + 1]} if i + 1 < len(TASK_IDS) else set()
    return upstream, downstream


def test_dag_folder_has_no_import_errors(dag_bag):
    assert dag_bag.import_errors == {}


def test_dag_folder_parses_without_warnings(dag_bag, parse_warnings):
    # Deprecated operators or arguments would show as DAG warnings in the Airflow 3 UI.
    assert getattr(dag_bag, "captured_warnings", {}) == {}
    assert parse_warnings == []


def test_dag_folder_holds_exactly_prepare_data_nyc(dag_bag):
    assert sorted(dag_bag.dag_ids) == ["prepare_data_nyc"]


def test_dag_has_exactly_the_eight_tasks_in_pipeline_order(dag):
    assert sorted(dag.task_ids) == sorted(TASK_IDS)
    assert [task.task_id for task in dag.topological_sort()] == TASK_IDS


@pytest.mark.parametrize(("task_id", "operator_class"), PIPELINE)
def test_task_uses_the_amazon_provider_class(dag, task_id, operator_class):
    assert type(dag.get_task(task_id)) is operator_class


@pytest.mark.parametrize("task_id", TASK_IDS)
def test_task_upstream_and_downstream_are_exactly_its_pipeline_neighbours(dag, task_id):
    task = dag.get_task(task_id)
    upstream, downstream = expected_neighbours(task_id)
    assert set(task.upstream_task_ids) == upstream
    assert set(task.downstream_task_ids) == downstream


def test_load_runs_only_after_every_stage_succeeded(dag):
    # The load must never copy a stale or half-written gold/ after a failed EMR step.
    rules = {
        task.task_id: getattr(task.trigger_rule, "value", task.trigger_rule) for task in dag.tasks
    }
    assert rules == dict.fromkeys(TASK_IDS, "all_success")


def test_dag_survives_the_serialization_the_scheduler_applies(dag):
    restored = DagSerialization.from_dict(DagSerialization.to_dict(dag))
    assert sorted(restored.task_ids) == sorted(TASK_IDS)
    for task_id in TASK_IDS:
        upstream, downstream = expected_neighbours(task_id)
        assert set(restored.get_task(task_id).upstream_task_ids) == upstream
        assert set(restored.get_task(task_id).downstream_task_ids) == downstream
    original = dag.get_task("create_emr_jobflow").job_flow_overrides
    assert restored.get_task("create_emr_jobflow").job_flow_overrides == original


def test_dag_schedule_never_backfills_and_runs_one_at_a_time(dag):
    assert dag.catchup is False
    assert dag.max_active_runs == 1
