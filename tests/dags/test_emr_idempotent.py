"""A retried create_emr_jobflow or add_emr_step does not start a second cluster or step: the
DAG's own operators (dags/emr_idempotent.py) run twice against the sandbox emulator, as a retry
would run them, and a step for a cluster that is gone fails saying where to rerun from."""

from __future__ import annotations

import json
import os
import secrets
import sys
import urllib.request
from pathlib import Path

import pytest
from airflow.exceptions import AirflowException
from emr_idempotent import emr_client

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "emulator"))
from emulator_process import SANDBOX_PYTHON, running_emulator  # noqa: E402

if not SANDBOX_PYTHON.exists():
    pytest.skip(f"{SANDBOX_PYTHON} is missing: run scripts/venv sandbox", allow_module_level=True)

NAME = "prepare_data_nyc manual__2024-01-05T00:00:00+00:00"


class TaskInstance:
    """The `ti` the operators push their console links to."""

    def xcom_push(self, key, value, **_):
        pass


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    log = tmp_path_factory.mktemp("emulator") / "emulator.log"
    token = secrets.token_hex(16)
    with running_emulator(SANDBOX_PYTHON, log, token) as (_, endpoint):
        # Steps stay PENDING: these tests are about the calls, not the step's script.
        body = json.dumps({"target": "emr-step", "startup_seconds": 600}).encode()
        request = urllib.request.Request(
            f"{endpoint}/platform-api/timing",
            body,
            method="POST",
            headers={"X-Platform-Api-Token": token},
        )
        urllib.request.urlopen(request, timeout=10).close()
        extra = {"endpoint_url": endpoint, "region_name": "us-east-1"}
        connection = {"conn_type": "aws", "login": "test", "password": "test", "extra": extra}
        os.environ["AIRFLOW_CONN_AWS_DEFAULT"] = json.dumps(connection)
        try:
            yield endpoint
        finally:
            os.environ.pop("AIRFLOW_CONN_AWS_DEFAULT", None)


def execute(dag, task_id: str, **fields):
    """The DAG's task with its templated fields set as rendered, executed once (one try)."""
    task = dag.get_task(task_id).prepare_for_execution()
    for name, value in fields.items():
        setattr(task, name, value)
    return task.execute({"ti": TaskInstance(), "task_instance": TaskInstance()})


def job_flow(name: str = NAME) -> dict:
    return {
        "Name": name,
        "ReleaseLabel": "emr-7.5.0",
        "Instances": {
            "MasterInstanceType": "m5.xlarge",
            "InstanceCount": 1,
            "KeepJobFlowAliveWhenNoSteps": True,
        },
        "JobFlowRole": "EMR_EC2_DefaultRole",
        "ServiceRole": "EMR_DefaultRole",
    }


def emr(dag):
    """An EMR client on the emulator, from a copy of the task (the DAG's own tasks must stay
    free of clients: the other tests copy them)."""
    return emr_client(dag.get_task("create_emr_jobflow").prepare_for_execution())


def test_a_retried_create_reuses_the_runs_cluster_and_a_cleared_one_starts_anew(dag, endpoint):
    first = execute(dag, "create_emr_jobflow", job_flow_overrides=job_flow())
    again = execute(dag, "create_emr_jobflow", job_flow_overrides=job_flow())
    assert again == first
    live = emr(dag).list_clusters(ClusterStates=["STARTING", "RUNNING", "WAITING"])["Clusters"]
    assert [c["Id"] for c in live if c["Name"] == NAME] == [first]

    other = execute(dag, "create_emr_jobflow", job_flow_overrides=job_flow(NAME + " other"))
    assert other != first, "another run gets its own cluster"

    emr(dag).terminate_job_flows(JobFlowIds=[first])
    assert execute(dag, "create_emr_jobflow", job_flow_overrides=job_flow()) != first


def test_a_retried_step_is_not_added_twice(dag, endpoint):
    cluster = execute(dag, "create_emr_jobflow", job_flow_overrides=job_flow(NAME + " steps"))
    steps = dag.get_task("add_emr_step").steps
    first = execute(dag, "add_emr_step", job_flow_id=cluster, steps=steps)
    again = execute(dag, "add_emr_step", job_flow_id=cluster, steps=steps)
    assert again == first
    listed = emr(dag).list_steps(ClusterId=cluster)["Steps"]
    assert [s["Id"] for s in listed] == first


def test_a_step_for_a_terminated_cluster_fails_saying_where_to_rerun_from(dag, endpoint):
    cluster = execute(dag, "create_emr_jobflow", job_flow_overrides=job_flow(NAME + " gone"))
    emr(dag).terminate_job_flows(JobFlowIds=[cluster])
    steps = dag.get_task("add_emr_step").steps
    with pytest.raises(AirflowException) as error:
        execute(dag, "add_emr_step", job_flow_id=cluster, steps=steps)
    assert f"cluster {cluster} of this DAG run is TERMINATED" in str(error.value)
    assert "Clear create_emr_jobflow with downstream" in str(error.value)
