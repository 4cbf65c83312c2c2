//! Amazon EMR: clusters (active or all), their detail and instance groups, steps with their
//! failure details, adding a spark-submit step, cancelling steps, terminating clusters, and the
//! locations of step logs in S3. Plain domain types only.
//!
//! Mutating operations ([`Emr::add_spark_step`], [`Emr::cancel_step`],
//! [`Emr::terminate_cluster`]) take the gate's [`Approval`].

mod model;
mod step_logs;

use aws_config::SdkConfig;
use aws_sdk_emr::types::{
    ActionOnFailure, CancelStepsRequestStatus, ClusterState, HadoopJarStepConfig,
    InstanceCollectionType, StepConfig,
};
use aws_sdk_emr::Client;

pub use model::{
    Cluster, ClusterFilter, InstanceGroup, SparkStep, Step, StepFailure, ACTIVE_CLUSTER_STATES,
    COMMAND_RUNNER,
};
pub use step_logs::{read_step_log, StepLog, StepLogKind, StepLogSource};

use super::error::{AwsError, ErrorKind, ServiceEndpoint};
use crate::gate::Approval;

/// One page of a cluster listing; `next_marker` continues it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ClusterPage {
    pub clusters: Vec<Cluster>,
    pub next_marker: Option<String>,
}

/// The EMR client of one context.
#[derive(Debug, Clone)]
pub struct Emr {
    client: Client,
    endpoint: ServiceEndpoint,
}

impl Emr {
    pub fn new(config: &SdkConfig) -> Self {
        Emr {
            client: Client::new(config),
            endpoint: ServiceEndpoint::new("EMR", "elasticmapreduce", config),
        }
    }

    /// One page (EMR's 50) of clusters in `filter`'s states, newest first.
    pub async fn list_clusters_page(
        &self,
        filter: ClusterFilter,
        marker: Option<String>,
    ) -> Result<ClusterPage, AwsError> {
        let states = match filter {
            ClusterFilter::Active => ACTIVE_CLUSTER_STATES
                .iter()
                .map(|s| ClusterState::from(*s))
                .collect(),
            ClusterFilter::All => Vec::new(),
        };
        let out = self
            .client
            .list_clusters()
            .set_cluster_states((!states.is_empty()).then_some(states))
            .set_marker(marker)
            .send()
            .await
            .map_err(|e| self.endpoint.error("ListClusters", None, e))?;
        Ok(ClusterPage {
            clusters: out.clusters().iter().map(Cluster::from).collect(),
            next_marker: out.marker().map(str::to_owned),
        })
    }

    /// Every cluster in `filter`'s states (all pages).
    pub async fn list_clusters(&self, filter: ClusterFilter) -> Result<Vec<Cluster>, AwsError> {
        let mut clusters = Vec::new();
        let mut marker = None;
        loop {
            let page = self.list_clusters_page(filter, marker).await?;
            clusters.extend(page.clusters);
            marker = page.next_marker;
            if marker.is_none() {
                return Ok(clusters);
            }
        }
    }

    /// A cluster with its release, log URI and instance groups (DescribeCluster, then
    /// ListInstanceGroups unless the cluster uses instance fleets).
    pub async fn describe_cluster(&self, cluster_id: &str) -> Result<Cluster, AwsError> {
        let out = self
            .client
            .describe_cluster()
            .cluster_id(cluster_id)
            .send()
            .await
            .map_err(|e| {
                unknown_cluster(self.endpoint.error("DescribeCluster", Some(cluster_id), e))
            })?;
        let Some(sdk_cluster) = out.cluster() else {
            return Err(self
                .endpoint
                .failure("DescribeCluster", ErrorKind::NotFound, "no such cluster")
                .on(cluster_id));
        };
        let mut cluster = Cluster::from(sdk_cluster);
        if sdk_cluster.instance_collection_type() != Some(&InstanceCollectionType::InstanceFleet) {
            cluster.instance_groups = self.instance_groups(cluster_id).await?;
        }
        Ok(cluster)
    }

    async fn instance_groups(&self, cluster_id: &str) -> Result<Vec<InstanceGroup>, AwsError> {
        let mut groups = Vec::new();
        let mut marker = None;
        loop {
            let out = self
                .client
                .list_instance_groups()
                .cluster_id(cluster_id)
                .set_marker(marker)
                .send()
                .await
                .map_err(|e| {
                    self.endpoint
                        .error("ListInstanceGroups", Some(cluster_id), e)
                })?;
            groups.extend(out.instance_groups().iter().map(InstanceGroup::from));
            marker = out.marker().map(str::to_owned);
            if marker.is_none() {
                return Ok(groups);
            }
        }
    }

    /// Every step of a cluster, newest first (as EMR lists them).
    pub async fn list_steps(&self, cluster_id: &str) -> Result<Vec<Step>, AwsError> {
        let mut steps = Vec::new();
        let mut marker = None;
        loop {
            let out = self
                .client
                .list_steps()
                .cluster_id(cluster_id)
                .set_marker(marker)
                .send()
                .await
                .map_err(|e| {
                    unknown_cluster(self.endpoint.error("ListSteps", Some(cluster_id), e))
                })?;
            steps.extend(out.steps().iter().map(|s| {
                model::step(
                    s.id(),
                    s.name(),
                    s.config(),
                    s.action_on_failure(),
                    s.status(),
                )
            }));
            marker = out.marker().map(str::to_owned);
            if marker.is_none() {
                return Ok(steps);
            }
        }
    }

    pub async fn describe_step(&self, cluster_id: &str, step_id: &str) -> Result<Step, AwsError> {
        let target = format!("{cluster_id}/{step_id}");
        let out = self
            .client
            .describe_step()
            .cluster_id(cluster_id)
            .step_id(step_id)
            .send()
            .await
            .map_err(|e| self.endpoint.error("DescribeStep", Some(&target), e))?;
        let s = out.step().ok_or_else(|| {
            self.endpoint
                .failure("DescribeStep", ErrorKind::NotFound, "no such step")
                .on(target.clone())
        })?;
        Ok(model::step(
            s.id(),
            s.name(),
            s.config(),
            s.action_on_failure(),
            s.status(),
        ))
    }

    /// Adds `spark-submit --deploy-mode cluster <script> <args…>` through `command-runner.jar`
    /// (ActionOnFailure CONTINUE: a failed step leaves the cluster up). Returns the step id.
    pub async fn add_spark_step(
        &self,
        _approval: &Approval,
        cluster_id: &str,
        spark: &SparkStep,
    ) -> Result<String, AwsError> {
        let step = StepConfig::builder()
            .name(spark.name())
            .action_on_failure(ActionOnFailure::Continue)
            .hadoop_jar_step(
                HadoopJarStepConfig::builder()
                    .jar(COMMAND_RUNNER)
                    .set_args(Some(spark.command_runner_args()))
                    .build(),
            )
            .build();
        let out = self
            .client
            .add_job_flow_steps()
            .job_flow_id(cluster_id)
            .steps(step)
            .send()
            .await
            .map_err(|e| self.endpoint.error("AddJobFlowSteps", Some(cluster_id), e))?;
        out.step_ids().first().cloned().ok_or_else(|| {
            self.endpoint
                .failure(
                    "AddJobFlowSteps",
                    ErrorKind::Other,
                    "EMR returned no step id",
                )
                .on(cluster_id)
        })
    }

    /// Cancels a pending or running step. EMR answers per step: a refusal (e.g. the step
    /// already finished) is an error with EMR's reason.
    pub async fn cancel_step(
        &self,
        _approval: &Approval,
        cluster_id: &str,
        step_id: &str,
    ) -> Result<(), AwsError> {
        let target = format!("{cluster_id}/{step_id}");
        let out = self
            .client
            .cancel_steps()
            .cluster_id(cluster_id)
            .step_ids(step_id)
            .send()
            .await
            .map_err(|e| self.endpoint.error("CancelSteps", Some(&target), e))?;
        let info = out
            .cancel_steps_info_list()
            .iter()
            .find(|i| i.step_id() == Some(step_id));
        match info {
            Some(i) if i.status() == Some(&CancelStepsRequestStatus::Submitted) => Ok(()),
            other => Err(self
                .endpoint
                .failure(
                    "CancelSteps",
                    ErrorKind::Other,
                    other
                        .and_then(|i| i.reason())
                        .unwrap_or("EMR did not accept the cancellation"),
                )
                .on(target)),
        }
    }

    /// Terminates a cluster (TerminateJobFlows): its steps stop and its instances go away.
    pub async fn terminate_cluster(
        &self,
        _approval: &Approval,
        cluster_id: &str,
    ) -> Result<(), AwsError> {
        self.client
            .terminate_job_flows()
            .job_flow_ids(cluster_id)
            .send()
            .await
            .map_err(|e| {
                self.endpoint
                    .error("TerminateJobFlows", Some(cluster_id), e)
            })?;
        Ok(())
    }
}

/// EMR answers an unknown cluster id with InvalidRequestException "Cluster id '…' is not
/// valid.": that is a not-found, and people need to know where else to look.
fn unknown_cluster(mut err: AwsError) -> AwsError {
    if err.kind == ErrorKind::Other && err.message.contains("is not valid") {
        err.kind = ErrorKind::NotFound;
        err.hint = Some(
            "no such cluster here: it may be in another region, or terminated more than two \
             months ago (EMR forgets those)"
                .into(),
        );
    }
    err
}
