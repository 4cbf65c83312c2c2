//! EMR's domain types (clusters, instance groups, steps, failures) and their conversion from
//! the SDK's shapes. Plain data: nothing here talks to the network.

use aws_sdk_emr::types::{self as sdk};
use chrono::{DateTime, Duration, Utc};

/// States in which a cluster still exists (and costs money): what "active" lists show.
pub const ACTIVE_CLUSTER_STATES: &[&str] = &[
    "STARTING",
    "BOOTSTRAPPING",
    "RUNNING",
    "WAITING",
    "TERMINATING",
];

/// Which clusters a listing returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClusterFilter {
    /// STARTING, BOOTSTRAPPING, RUNNING, WAITING, TERMINATING.
    Active,
    /// Every state, terminated ones included (EMR keeps them listed for two months).
    All,
}

#[derive(serde::Serialize, Debug, Clone, PartialEq, Default)]
pub struct Cluster {
    pub id: String,
    pub name: String,
    /// EMR's state name, e.g. `WAITING`, `TERMINATED_WITH_ERRORS`.
    pub state: String,
    /// Why it is in that state, `CODE: message`, e.g. `USER_REQUEST: Terminated by user`.
    pub state_reason: Option<String>,
    /// `emr-7.1.0`; known after [`super::Emr::describe_cluster`] (listings do not carry it).
    pub release_label: Option<String>,
    /// Known after [`super::Emr::describe_cluster`].
    pub instance_groups: Vec<InstanceGroup>,
    /// Known after [`super::Emr::describe_cluster`].
    pub log_uri: Option<String>,
    pub normalized_instance_hours: Option<i32>,
    pub created: Option<DateTime<Utc>>,
    pub ready: Option<DateTime<Utc>>,
    pub ended: Option<DateTime<Utc>>,
    /// Whether the detail fields (release, groups, log URI) were loaded.
    pub described: bool,
}

impl Cluster {
    pub fn is_active(&self) -> bool {
        ACTIVE_CLUSTER_STATES.contains(&self.state.as_str())
    }

    /// Instance groups as `MASTER 1×m5.xlarge, CORE 2/3×m5.xlarge` (running/requested when
    /// they differ).
    pub fn groups_summary(&self) -> String {
        self.instance_groups
            .iter()
            .map(InstanceGroup::summary)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[derive(serde::Serialize, Debug, Clone, PartialEq, Eq, Default)]
pub struct InstanceGroup {
    pub id: String,
    pub name: String,
    /// MASTER, CORE or TASK.
    pub role: String,
    pub instance_type: String,
    pub requested: i32,
    pub running: i32,
    pub state: String,
}

impl InstanceGroup {
    pub fn summary(&self) -> String {
        let count = if self.running == self.requested {
            self.running.to_string()
        } else {
            format!("{}/{}", self.running, self.requested)
        };
        format!("{} {}×{}", self.role, count, self.instance_type)
    }
}

#[derive(serde::Serialize, Debug, Clone, PartialEq, Eq, Default)]
pub struct Step {
    pub id: String,
    pub name: String,
    /// PENDING, CANCEL_PENDING, RUNNING, COMPLETED, CANCELLED, FAILED, INTERRUPTED.
    pub state: String,
    pub created: Option<DateTime<Utc>>,
    pub started: Option<DateTime<Utc>>,
    pub ended: Option<DateTime<Utc>>,
    /// TERMINATE_CLUSTER, CANCEL_AND_WAIT, CONTINUE…
    pub action_on_failure: Option<String>,
    pub jar: Option<String>,
    pub args: Vec<String>,
    pub failure: Option<StepFailure>,
}

impl Step {
    /// Run time so far (to `now` while it runs); `None` before it started.
    pub fn duration(&self, now: DateTime<Utc>) -> Option<Duration> {
        let started = self.started?;
        Some(self.ended.unwrap_or(now) - started)
    }

    /// Still waiting or running: it can be cancelled and its logs may grow.
    pub fn is_live(&self) -> bool {
        matches!(
            self.state.as_str(),
            "PENDING" | "RUNNING" | "CANCEL_PENDING"
        )
    }

    /// The command line the step runs: jar then arguments.
    pub fn command(&self) -> String {
        self.jar
            .iter()
            .chain(&self.args)
            .cloned()
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Why a step failed, as EMR analysed it from the step's logs.
#[derive(serde::Serialize, Debug, Clone, PartialEq, Eq, Default)]
pub struct StepFailure {
    pub reason: Option<String>,
    pub message: Option<String>,
    /// The S3 path of the log file where the reason was found.
    pub log_file: Option<String>,
}

/// A `spark-submit` of a script in S3, as typed by people:
/// `s3://bucket/jobs/aggregate.py --date 2024-01-01`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SparkStep {
    pub script: String,
    pub args: Vec<String>,
}

impl SparkStep {
    /// Validates the typed line: a script in S3 (`s3://…`) ending in `.py` or `.jar`, then
    /// its arguments separated by spaces.
    pub fn parse(line: &str) -> Result<SparkStep, String> {
        let mut words = line.split_whitespace();
        let script = words
            .next()
            .ok_or("type the script's S3 path, e.g. s3://bucket/jobs/job.py arg1")?;
        let Some(path) = script.strip_prefix("s3://") else {
            return Err(format!(
                "'{script}' is not in S3: the script must start with s3://"
            ));
        };
        if !path.contains('/') || path.ends_with('/') {
            return Err(format!(
                "'{script}' names no object: s3://bucket/path/script.py"
            ));
        }
        let bucket = path.split('/').next().unwrap_or_default();
        if !bucket
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        {
            return Err(format!("'{bucket}' in '{script}' is not an S3 bucket name"));
        }
        let lower = path.to_ascii_lowercase();
        if !(lower.ends_with(".py") || lower.ends_with(".jar")) {
            return Err(format!("'{script}' is not a .py or .jar file"));
        }
        Ok(SparkStep {
            script: script.to_owned(),
            args: words.map(str::to_owned).collect(),
        })
    }

    /// The step's name: `spark-submit <script file name>`.
    pub fn name(&self) -> String {
        let file = self.script.rsplit('/').next().unwrap_or(&self.script);
        format!("spark-submit {file}")
    }

    /// Arguments for `command-runner.jar`.
    pub fn command_runner_args(&self) -> Vec<String> {
        ["spark-submit", "--deploy-mode", "cluster", &self.script]
            .into_iter()
            .map(str::to_owned)
            .chain(self.args.iter().cloned())
            .collect()
    }
}

/// The jar EMR runs any command through.
pub const COMMAND_RUNNER: &str = "command-runner.jar";

fn time(t: Option<&aws_smithy_types::DateTime>) -> Option<DateTime<Utc>> {
    t.and_then(|t| DateTime::from_timestamp(t.secs(), t.subsec_nanos()))
}

fn text(s: Option<&str>) -> String {
    s.unwrap_or_default().to_owned()
}

fn reason(code: Option<&str>, message: Option<&str>) -> Option<String> {
    match (
        code.filter(|c| !c.is_empty()),
        message.filter(|m| !m.is_empty()),
    ) {
        (Some(c), Some(m)) => Some(format!("{c}: {m}")),
        (Some(one), None) | (None, Some(one)) => Some(one.to_owned()),
        (None, None) => None,
    }
}

fn cluster_status(cluster: &mut Cluster, status: Option<&sdk::ClusterStatus>) {
    let Some(status) = status else { return };
    cluster.state = status
        .state()
        .map(|s| s.as_str().to_owned())
        .unwrap_or_default();
    cluster.state_reason = status
        .state_change_reason()
        .and_then(|r| reason(r.code().map(|c| c.as_str()), r.message()));
    let timeline = status.timeline();
    cluster.created = time(timeline.and_then(|t| t.creation_date_time()));
    cluster.ready = time(timeline.and_then(|t| t.ready_date_time()));
    cluster.ended = time(timeline.and_then(|t| t.end_date_time()));
}

impl From<&sdk::ClusterSummary> for Cluster {
    fn from(c: &sdk::ClusterSummary) -> Self {
        let mut cluster = Cluster {
            id: text(c.id()),
            name: text(c.name()),
            normalized_instance_hours: c.normalized_instance_hours(),
            ..Cluster::default()
        };
        cluster_status(&mut cluster, c.status());
        cluster
    }
}

impl From<&sdk::Cluster> for Cluster {
    fn from(c: &sdk::Cluster) -> Self {
        let mut cluster = Cluster {
            id: text(c.id()),
            name: text(c.name()),
            release_label: c.release_label().map(str::to_owned),
            log_uri: c.log_uri().map(str::to_owned),
            normalized_instance_hours: c.normalized_instance_hours(),
            described: true,
            ..Cluster::default()
        };
        cluster_status(&mut cluster, c.status());
        cluster
    }
}

impl From<&sdk::InstanceGroup> for InstanceGroup {
    fn from(g: &sdk::InstanceGroup) -> Self {
        InstanceGroup {
            id: text(g.id()),
            name: text(g.name()),
            role: text(g.instance_group_type().map(|t| t.as_str())),
            instance_type: text(g.instance_type()),
            requested: g.requested_instance_count().unwrap_or_default(),
            running: g.running_instance_count().unwrap_or_default(),
            state: text(g.status().and_then(|s| s.state()).map(|s| s.as_str())),
        }
    }
}

/// The parts that `StepSummary` (ListSteps) and `Step` (DescribeStep) share.
pub(super) fn step(
    id: Option<&str>,
    name: Option<&str>,
    config: Option<&sdk::HadoopStepConfig>,
    action_on_failure: Option<&sdk::ActionOnFailure>,
    status: Option<&sdk::StepStatus>,
) -> Step {
    let timeline = status.and_then(|s| s.timeline());
    Step {
        id: text(id),
        name: text(name),
        state: text(status.and_then(|s| s.state()).map(|s| s.as_str())),
        created: time(timeline.and_then(|t| t.creation_date_time())),
        started: time(timeline.and_then(|t| t.start_date_time())),
        ended: time(timeline.and_then(|t| t.end_date_time())),
        action_on_failure: action_on_failure.map(|a| a.as_str().to_owned()),
        jar: config.and_then(|c| c.jar()).map(str::to_owned),
        args: config.map(|c| c.args().to_vec()).unwrap_or_default(),
        failure: status
            .and_then(|s| s.failure_details())
            .map(|f| StepFailure {
                reason: f.reason().map(str::to_owned),
                message: f.message().map(str::to_owned),
                log_file: f.log_file().map(str::to_owned),
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spark_step_is_a_script_in_s3_with_arguments() {
        let step = SparkStep::parse("  s3://lake/jobs/agg.py --date 2024-01-01 ").unwrap();
        assert_eq!(step.script, "s3://lake/jobs/agg.py");
        assert_eq!(step.args, ["--date", "2024-01-01"]);
        assert_eq!(step.name(), "spark-submit agg.py");
        assert_eq!(
            step.command_runner_args(),
            [
                "spark-submit",
                "--deploy-mode",
                "cluster",
                "s3://lake/jobs/agg.py",
                "--date",
                "2024-01-01"
            ]
        );
        assert!(SparkStep::parse("s3://lake/lib/App.JAR").is_ok());
    }

    #[test]
    fn anything_else_is_refused_with_the_reason() {
        for (line, why) in [
            ("", "type the script"),
            ("/tmp/agg.py", "must start with s3://"),
            ("s3:/lake/agg.py", "must start with s3://"),
            ("s3://lake", "names no object"),
            ("s3://lake/jobs/", "names no object"),
            ("s3://lake/jobs/agg.sh a b", "not a .py or .jar"),
            (
                "s3://s3://lake/jobs/agg.py",
                "'s3:' in 's3://s3://lake/jobs/agg.py' is not an S3 bucket name",
            ),
        ] {
            let err = SparkStep::parse(line).unwrap_err();
            assert!(err.contains(why), "{line:?}: {err}");
        }
    }

    #[test]
    fn durations_run_to_now_while_running() {
        let start = DateTime::from_timestamp(1_000, 0).unwrap();
        let mut step = Step {
            started: Some(start),
            ..Step::default()
        };
        let now = start + Duration::seconds(90);
        assert_eq!(step.duration(now), Some(Duration::seconds(90)));
        step.ended = Some(start + Duration::seconds(30));
        assert_eq!(step.duration(now), Some(Duration::seconds(30)));
        step.started = None;
        assert_eq!(step.duration(now), None);
    }

    #[test]
    fn group_summaries_show_shortfalls() {
        let group = |role: &str, requested, running| InstanceGroup {
            role: role.into(),
            instance_type: "m5.xlarge".into(),
            requested,
            running,
            ..InstanceGroup::default()
        };
        let cluster = Cluster {
            instance_groups: vec![group("MASTER", 1, 1), group("CORE", 3, 2)],
            ..Cluster::default()
        };
        assert_eq!(
            cluster.groups_summary(),
            "MASTER 1×m5.xlarge, CORE 2/3×m5.xlarge"
        );
    }
}
