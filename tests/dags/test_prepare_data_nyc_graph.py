"""The DAG folder parses on real Airflow and prepare_data_nyc has exactly the pipeline's graph:
the chain of eight tasks, the EMR cluster as setup and teardown, the load after a successful
aggregation, and clears that always include what makes them safe."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

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
from emr_idempotent import EmrAddStepsOnceOperator, EmrCreateJobFlowOnceOperator

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
    ("create_emr_jobflow", EmrCreateJobFlowOnceOperator),
    ("add_emr_step", EmrAddStepsOnceOperator),
    ("emr_step_sensor", EmrStepSensor),
    ("terminate_jobflow", EmrTerminateJobFlowOperator),
    ("load_nyc_to_redshift", RedshiftDataOperator),
]
TASK_IDS = [task_id for task_id, _ in PIPELINE]


# Edges beyond the chain: the EMR setups reach their teardown, the load needs the aggregation.
EXTRA_EDGES = {
    ("create_emr_jobflow", "terminate_jobflow"),
    ("add_emr_step", "terminate_jobflow"),
    ("emr_step_sensor", "load_nyc_to_redshift"),
}


def expected_neighbours(task_id: str) -> tuple[set[str], set[str]]:
    """(upstream, downstream) of a task: its chain neighbours and EXTRA_EDGES."""
    i = TASK_IDS.index(task_id)
    upstream = {TASK_IDS[i - 1]} if i > 0 else set()
    downstream = {TASK_IDS[i + 1]} if i + 1 < len(TASK_IDS) else set()
    upstream |= {a for a, b in EXTRA_EDGES if b == task_id}
    downstream |= {b for a, b in EXTRA_EDGES if a == task_id}
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


def test_the_idempotent_emr_operators_are_the_providers_underneath():
    assert issubclass(EmrCreateJobFlowOnceOperator, EmrCreateJobFlowOperator)
    assert issubclass(EmrAddStepsOnceOperator, EmrAddStepsOperator)


@pytest.mark.parametrize("task_id", TASK_IDS)
def test_task_upstream_and_downstream_are_exactly_its_pipeline_neighbours(dag, task_id):
    task = dag.get_task(task_id)
    upstream, downstream = expected_neighbours(task_id)
    assert set(task.upstream_task_ids) == upstream
    assert set(task.downstream_task_ids) == downstream


def rule(task) -> str:
    return getattr(task.trigger_rule, "value", task.trigger_rule)


def test_the_cluster_is_terminated_whatever_the_step_did(dag):
    create, add = dag.get_task("create_emr_jobflow"), dag.get_task("add_emr_step")
    terminate = dag.get_task("terminate_jobflow")
    assert create.is_setup and add.is_setup and terminate.is_teardown
    # Runs once its upstream is done, failed or not, if a setup succeeded (a cluster exists).
    assert rule(terminate) == "all_done_setup_success"
    assert terminate.on_failure_fail_dagrun is True


def test_load_runs_only_after_every_stage_succeeded(dag):
    # The load must never copy a stale or half-written gold/ after a failed EMR step: it needs
    # the step sensor's success, not only the teardown's.
    rules = {task.task_id: rule(task) for task in dag.tasks if task.task_id != "terminate_jobflow"}
    assert rules == dict.fromkeys(set(TASK_IDS) - {"terminate_jobflow"}, "all_success")
    assert "emr_step_sensor" in dag.get_task("load_nyc_to_redshift").upstream_task_ids


def cleared(dag, task_id: str, downstream: bool) -> set[str]:
    """The tasks clearing `task_id` (with or without downstream) clears, as the REST API and the
    console's `c` do."""
    return set(
        dag.partial_subset(
            [task_id], include_downstream=downstream, include_upstream=False
        ).task_ids
    )


EMR = {"create_emr_jobflow", "add_emr_step", "emr_step_sensor", "terminate_jobflow"}


@pytest.mark.parametrize("downstream", [True, False], ids=["with downstream", "alone"])
def test_clearing_the_failed_step_sensor_reruns_the_step_on_a_new_cluster(dag, downstream):
    tasks = cleared(dag, "emr_step_sensor", downstream)
    assert EMR <= tasks
    assert ("load_nyc_to_redshift" in tasks) is downstream


def test_clearing_the_step_with_downstream_reruns_it_on_a_new_cluster(dag):
    assert cleared(dag, "add_emr_step", True) == EMR | {"load_nyc_to_redshift"}


def test_clearing_the_glue_task_with_downstream_clears_everything_after_it(dag):
    assert cleared(dag, "process_to_staging_nyc", True) == set(TASK_IDS[2:])


def test_clearing_the_load_alone_touches_no_cluster(dag):
    assert cleared(dag, "load_nyc_to_redshift", False) == {"load_nyc_to_redshift"}


def test_dag_survives_the_serialization_the_scheduler_applies(dag):
    restored = DagSerialization.from_dict(DagSerialization.to_dict(dag))
    assert sorted(restored.task_ids) == sorted(TASK_IDS)
    for task_id in TASK_IDS:
        upstream, downstream = expected_neighbours(task_id)
        assert set(restored.get_task(task_id).upstream_task_ids) == upstream
        assert set(restored.get_task(task_id).downstream_task_ids) == downstream
    original = dag.get_task("create_emr_jobflow").job_flow_overrides
    assert restored.get_task("create_emr_jobflow").job_flow_overrides == original


def test_dag_runs_monthly_one_at_a_time_never_backfills_and_times_out(dag):
    assert dag.catchup is False
    assert dag.max_active_runs == 1
    assert dag.dagrun_timeout == timedelta(hours=12)
    sensor = dag.get_task("s3_sensor_nyc")
    assert timedelta(seconds=sensor.timeout) < dag.dagrun_timeout
    # A run covers the month before it: the interval of the run queued on 2024-02-01, as the
    # scheduler (which works on the serialized DAG) computes it.
    timetable = DagSerialization.from_dict(DagSerialization.to_dict(dag)).timetable
    interval = timetable.infer_manual_data_interval(
        run_after=datetime(2024, 2, 1, 0, 0, 1, tzinfo=UTC)
    )
    assert (interval.start, interval.end) == (
        datetime(2024, 1, 1, tzinfo=UTC),
        datetime(2024, 2, 1, tzinfo=UTC),
    )
