"""EMR operators that a retry cannot repeat: prepare_data_nyc's create_emr_jobflow and add_emr_step.

The provider's EmrCreateJobFlowOperator and EmrAddStepsOperator start a new cluster or add a new
step on every try, so a try that fails after AWS accepted the call (a timeout, a lost worker)
leaves a cluster or step that the retry then doubles. These subclasses look first:

- EmrCreateJobFlowOnceOperator reuses a live cluster with the job flow's Name (prepare_data_nyc
  names it after the DAG run, so only an earlier try of the same run can own it);
- EmrAddStepsOnceOperator reuses the steps of the same names that are pending, running or
  completed on the cluster, and refuses, saying where to rerun from, to add steps to a cluster
  that is shutting down or gone (clearing add_emr_step alone after its cluster was terminated).

This module holds no DAG; it sits in the DAG folder so MWAA ships it with prepare_data_nyc.py.
"""

from __future__ import annotations

import ast
from typing import Any

from airflow.exceptions import AirflowException
from airflow.providers.amazon.aws.hooks.emr import EmrHook
from airflow.providers.amazon.aws.operators.emr import (
    EmrAddStepsOperator,
    EmrCreateJobFlowOperator,
)

LIVE_CLUSTER_STATES = ["STARTING", "BOOTSTRAPPING", "RUNNING", "WAITING"]
GONE_CLUSTER_STATES = ("TERMINATING", "TERMINATED", "TERMINATED_WITH_ERRORS")
REUSABLE_STEP_STATES = ["PENDING", "RUNNING", "COMPLETED"]


def paged(call, key: str, **arguments) -> list[dict[str, Any]]:
    """Every item of a paged EMR list call (`Marker` paging)."""
    items: list[dict[str, Any]] = []
    while True:
        page = call(**arguments)
        items += page.get(key, [])
        if not page.get("Marker"):
            return items
        arguments["Marker"] = page["Marker"]


def emr_client(operator: Any) -> Any:
    """The operator's boto3 EMR client, whatever the provider version: 9.x operators have
    `hook`; 8.x (MWAA's Airflow 2.7-2.9) create job flows through `_emr_hook` and add steps
    through an EmrHook of their `aws_conn_id`."""
    hook = getattr(operator, "hook", None) or getattr(operator, "_emr_hook", None)
    if hook is None:
        hook = EmrHook(aws_conn_id=operator.aws_conn_id)
    return hook.conn


class EmrCreateJobFlowOnceOperator(EmrCreateJobFlowOperator):
    """EmrCreateJobFlowOperator that returns the live cluster of the same Name if there is one."""

    def execute(self, context: Any) -> str | None:
        overrides = self.job_flow_overrides
        if isinstance(overrides, str):
            overrides = ast.literal_eval(overrides)
        name = (overrides or {}).get("Name")
        if name:
            clusters = paged(
                emr_client(self).list_clusters, "Clusters", ClusterStates=LIVE_CLUSTER_STATES
            )
            same = [c["Id"] for c in clusters if c.get("Name") == name]
            if same:
                self.log.info(
                    "Cluster %s (%s) is already running for this DAG run, started by an earlier "
                    "try: reusing it instead of starting another",
                    same[0],
                    name,
                )
                return same[0]
        return super().execute(context)


class EmrAddStepsOnceOperator(EmrAddStepsOperator):
    """EmrAddStepsOperator that returns the ids of steps of the same names already pending,
    running or completed on the cluster, and fails clearly on a cluster that is gone."""

    def execute(self, context: Any) -> list[str]:
        steps = self.steps
        if isinstance(steps, str):
            steps = ast.literal_eval(steps)
        if not self.job_flow_id or not isinstance(steps, list):
            return super().execute(context)
        conn = emr_client(self)
        status = conn.describe_cluster(ClusterId=self.job_flow_id)["Cluster"]["Status"]
        if status["State"] in GONE_CLUSTER_STATES:
            reason = status.get("StateChangeReason", {}).get("Message", "")
            raise AirflowException(
                f"cluster {self.job_flow_id} of this DAG run is {status['State']} ({reason}): "
                "steps cannot be added to it. Clear create_emr_jobflow with downstream to "
                "rerun the EMR stage on a new cluster."
            )
        existing = paged(
            conn.list_steps, "Steps", ClusterId=self.job_flow_id, StepStates=REUSABLE_STEP_STATES
        )
        newest = {}
        for step in reversed(existing):  # ListSteps returns the newest first
            newest[step["Name"]] = step["Id"]
        wanted = [step["Name"] for step in steps]
        if wanted and all(name in newest for name in wanted):
            ids = [newest[name] for name in wanted]
            self.log.info(
                "Steps %s are already on cluster %s, added by an earlier try: reusing them",
                ", ".join(ids),
                self.job_flow_id,
            )
            return ids
        return super().execute(context)
