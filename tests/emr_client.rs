//! The EMR client against the sandbox's emulator over real HTTP: clusters active vs all,
//! detail with instance groups, steps added and listed, termination, step logs read from gzip
//! objects under the cluster's log URI, and (through the emulator's EMR step runner,
//! sandbox/platform_ext) a failed step's details, cancelled steps and a followed step log.

mod support;

use std::io::Write;
use std::time::{Duration, Instant};

use aws_sdk_emr::types::{InstanceGroupConfig, InstanceRoleType, JobFlowInstancesConfig};
use aws_sdk_s3::primitives::ByteStream;
use flate2::write::GzEncoder;
use flate2::Compression;
use platform_tui::aws::emr::{
    read_step_log, Cluster, ClusterFilter, Emr, SparkStep, Step, StepLog, StepLogKind,
    StepLogSource,
};
use platform_tui::aws::s3::S3;
use platform_tui::aws::{sdk_config, ErrorKind};
use platform_tui::gate::catalog;
use platform_tui::logs::LogSource;
use support::gate::approval;
use support::Emulator;

const LOG_BUCKET: &str = "nyctaxi-emr-logs";
const LOG_URI: &str = "s3://nyctaxi-emr-logs/emr/";

/// An emulator, the clients under test, and plain SDK clients for setting up data.
struct Fixture {
    emulator: Emulator,
    emr: Emr,
    s3: S3,
    sdk_emr: aws_sdk_emr::Client,
    sdk_s3: aws_sdk_s3::Client,
}

impl Fixture {
    async fn new() -> Fixture {
        let emulator = Emulator::start();
        let config = sdk_config(&emulator.settings()).await;
        let sdk_s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&config)
                .force_path_style(true)
                .build(),
        );
        sdk_s3
            .create_bucket()
            .bucket(LOG_BUCKET)
            .send()
            .await
            .unwrap();
        // The steps' script: a real process that prints and sleeps `--sleep` seconds.
        emulator
            .put_object(
                "nyctaxi-scripts",
                "spark/aggregate.py",
                support::TEST_JOB_SCRIPT,
            )
            .await;
        Fixture {
            emr: Emr::new(&config),
            s3: S3::new(&config),
            sdk_emr: aws_sdk_emr::Client::new(&config),
            sdk_s3,
            emulator,
        }
    }

    /// A cluster as infra/ creates it: one master, two core nodes, logs in S3, kept alive.
    async fn run_job_flow(&self, name: &str) -> String {
        let group = |role: InstanceRoleType, count: i32| {
            InstanceGroupConfig::builder()
                .name(format!("{role:?}"))
                .instance_role(role)
                .instance_type("m5.xlarge")
                .instance_count(count)
                .build()
        };
        self.sdk_emr
            .run_job_flow()
            .name(name)
            .release_label("emr-7.1.0")
            .log_uri(LOG_URI)
            .service_role("EMR_DefaultRole")
            .job_flow_role("EMR_EC2_DefaultRole")
            .instances(
                JobFlowInstancesConfig::builder()
                    .instance_groups(group(InstanceRoleType::Master, 1))
                    .instance_groups(group(InstanceRoleType::Core, 2))
                    .keep_job_flow_alive_when_no_steps(true)
                    .build(),
            )
            .send()
            .await
            .unwrap()
            .job_flow_id()
            .unwrap()
            .to_owned()
    }

    async fn put_gzip(&self, log: &StepLog, text: &str) {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(text.as_bytes()).unwrap();
        self.sdk_s3
            .put_object()
            .bucket(&log.bucket)
            .key(&log.key)
            .body(ByteStream::from(encoder.finish().unwrap()))
            .send()
            .await
            .unwrap();
    }
}

fn ids(clusters: &[Cluster]) -> Vec<&str> {
    let mut ids: Vec<&str> = clusters.iter().map(|c| c.id.as_str()).collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn active_lists_leave_out_terminated_clusters_and_all_shows_them() {
    let terminate_cluster = approval(&catalog::EMR_TERMINATE_CLUSTER).await;
    let f = Fixture::new().await;
    let alive = f.run_job_flow("nyctaxi-aggregation").await;
    let gone = f.run_job_flow("nyctaxi-aggregation-old").await;
    f.emr
        .terminate_cluster(&terminate_cluster, &gone)
        .await
        .unwrap();

    let active = f.emr.list_clusters(ClusterFilter::Active).await.unwrap();
    assert_eq!(ids(&active), [alive.as_str()]);
    assert!(active[0].is_active(), "{:?}", active[0]);
    assert_eq!(active[0].name, "nyctaxi-aggregation");
    assert!(active[0].created.is_some());

    let all = f.emr.list_clusters(ClusterFilter::All).await.unwrap();
    let mut expected = vec![alive.as_str(), gone.as_str()];
    expected.sort();
    assert_eq!(ids(&all), expected);
    let terminated = all.iter().find(|c| c.id == gone).unwrap();
    assert!(terminated.state.starts_with("TERMINAT"), "{terminated:?}");
    assert!(!terminated.is_active());
}

#[tokio::test]
async fn describe_gives_release_log_uri_and_instance_groups() {
    let f = Fixture::new().await;
    let id = f.run_job_flow("nyctaxi-aggregation").await;

    let cluster = f.emr.describe_cluster(&id).await.unwrap();
    assert!(cluster.described);
    assert_eq!(cluster.id, id);
    assert_eq!(cluster.release_label.as_deref(), Some("emr-7.1.0"));
    assert_eq!(cluster.log_uri.as_deref(), Some(LOG_URI));
    assert!(cluster.is_active(), "{}", cluster.state);
    let mut groups: Vec<(String, String, i32)> = cluster
        .instance_groups
        .iter()
        .map(|g| (g.role.clone(), g.instance_type.clone(), g.requested))
        .collect();
    groups.sort();
    assert_eq!(
        groups,
        [
            ("CORE".to_owned(), "m5.xlarge".to_owned(), 2),
            ("MASTER".to_owned(), "m5.xlarge".to_owned(), 1)
        ]
    );
    assert!(cluster.created.is_some());
}

#[tokio::test]
async fn an_unknown_cluster_is_an_error_that_names_it() {
    let f = Fixture::new().await;
    let err = f.emr.describe_cluster("j-NOSUCHCLUSTER").await.unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("EMR DescribeCluster on j-NOSUCHCLUSTER"),
        "{text}"
    );
    assert_eq!(err.kind, ErrorKind::NotFound, "{text}");
    assert!(
        text.contains("another region"),
        "the hint says where to look: {text}"
    );
}

#[tokio::test]
async fn an_added_spark_step_is_listed_and_described_with_its_command() {
    let add_step = approval(&catalog::EMR_ADD_STEP).await;
    let f = Fixture::new().await;
    let id = f.run_job_flow("nyctaxi-aggregation").await;
    let spark =
        SparkStep::parse("s3://nyctaxi-scripts/spark/aggregate.py --date 2024-01-01").unwrap();

    let first = f.emr.add_spark_step(&add_step, &id, &spark).await.unwrap();
    let second = f.emr.add_spark_step(&add_step, &id, &spark).await.unwrap();
    assert_ne!(first, second);

    let steps = f.emr.list_steps(&id).await.unwrap();
    let listed: Vec<&str> = steps.iter().map(|s| s.id.as_str()).collect();
    assert!(listed.contains(&first.as_str()) && listed.contains(&second.as_str()));
    let step = steps.iter().find(|s| s.id == first).unwrap();
    assert_eq!(step.name, "spark-submit aggregate.py");
    assert_eq!(step.jar.as_deref(), Some("command-runner.jar"));
    assert_eq!(
        step.command(),
        "command-runner.jar spark-submit --deploy-mode cluster \
         s3://nyctaxi-scripts/spark/aggregate.py --date 2024-01-01"
    );
    assert_eq!(step.action_on_failure.as_deref(), Some("CONTINUE"));
    assert!(step.is_live(), "{}", step.state);
    assert!(step.created.is_some());

    let described = f.emr.describe_step(&id, &first).await.unwrap();
    assert_eq!(described.command(), step.command());
    assert_eq!(described.id, first);
}

#[tokio::test]
async fn terminating_a_cluster_takes_it_out_of_the_active_list_and_cancels_its_steps() {
    let add_step = approval(&catalog::EMR_ADD_STEP).await;
    let terminate_cluster = approval(&catalog::EMR_TERMINATE_CLUSTER).await;
    let f = Fixture::new().await;
    let id = f.run_job_flow("nyctaxi-aggregation").await;
    let spark = SparkStep::parse("s3://nyctaxi-scripts/spark/aggregate.py").unwrap();
    let step = f.emr.add_spark_step(&add_step, &id, &spark).await.unwrap();
    f.emr
        .terminate_cluster(&terminate_cluster, &id)
        .await
        .unwrap();

    let cluster = f.emr.describe_cluster(&id).await.unwrap();
    assert!(
        ["TERMINATING", "TERMINATED"].contains(&cluster.state.as_str()),
        "{}",
        cluster.state
    );
    let active = f.emr.list_clusters(ClusterFilter::Active).await.unwrap();
    assert!(
        active
            .iter()
            .all(|c| c.id != id || c.state == "TERMINATING"),
        "{active:?}"
    );
    let left = wait_for_step(&f, &id, &step, |s| !s.is_live()).await;
    assert_eq!(left.state, "CANCELLED", "{left:?}");
}

#[tokio::test]
async fn step_logs_are_read_gunzipped_from_the_log_uri() {
    let f = Fixture::new().await;
    let id = f.run_job_flow("nyctaxi-aggregation").await;
    // Only the key matters here: no step of the emulator writes these objects.
    let step = "s-LOGSONLY0001";
    let cluster = f.emr.describe_cluster(&id).await.unwrap();
    let log_uri = cluster.log_uri.as_deref().unwrap();
    let stderr = StepLog::locate(log_uri, &id, step, StepLogKind::Stderr).unwrap();
    assert_eq!(stderr.key, format!("emr/{id}/steps/{step}/stderr.gz"));
    f.put_gzip(&stderr, "INFO SparkContext: Running Spark\nERROR boom\n")
        .await;

    let lines = read_step_log(&f.s3, &stderr).await.unwrap();
    assert_eq!(lines, ["INFO SparkContext: Running Spark", "ERROR boom"]);

    let stdout = StepLog::locate(log_uri, &id, step, StepLogKind::Stdout).unwrap();
    let missing = read_step_log(&f.s3, &stdout).await.unwrap_err();
    assert!(missing.message.contains("stdout.gz"), "{missing}");
}

/// About 3.5 MiB of gzip that unpacks to 1 GiB: 1,024 gzip members of 1 MiB of log lines each
/// (a gzip stream may hold many members; EMR's readers and ours read them all).
fn gzip_bomb() -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    let line = format!("{}\n", "x".repeat(127));
    encoder.write_all(line.repeat(8192).as_bytes()).unwrap();
    let member = encoder.finish().unwrap();
    member.repeat(1024)
}

#[tokio::test]
async fn a_gzip_bomb_step_log_is_unpacked_only_to_the_limit_and_says_so() {
    let f = Fixture::new().await;
    let id = f.run_job_flow("nyctaxi-aggregation").await;
    let cluster = f.emr.describe_cluster(&id).await.unwrap();
    let stderr = StepLog::locate(
        cluster.log_uri.as_deref().unwrap(),
        &id,
        "s-BOMB00000001",
        StepLogKind::Stderr,
    )
    .unwrap();
    let bomb = gzip_bomb();
    let packed = platform_tui::bounded::human_size(bomb.len() as u64);
    assert!(bomb.len() < 4 << 20, "the bomb is {packed}");
    f.sdk_s3
        .put_object()
        .bucket(&stderr.bucket)
        .key(&stderr.key)
        .body(ByteStream::from(bomb))
        .send()
        .await
        .unwrap();

    let lines = read_step_log(&f.s3, &stderr).await.unwrap();
    let (last, text) = lines.split_last().unwrap();
    let unpacked: usize = text.iter().map(|l| l.len() + 1).sum();
    assert!(
        unpacked <= platform_tui::bounded::MAX_UNPACKED_LOG_BYTES,
        "{unpacked} bytes of a 1 GiB bomb were unpacked"
    );
    assert!(unpacked >= platform_tui::bounded::MAX_UNPACKED_LOG_BYTES - 128);
    assert_eq!(
        last,
        &format!(
            "--- s3://{}/{}: showing first 64.0 MiB of the unpacked log ({packed} packed); cut ---",
            stderr.bucket, stderr.key
        )
    );

    // The preview reads the first 64 KiB and unpacks at most 1 MiB of them, and says so.
    let head =
        f.s3.read_head(&stderr.bucket, &stderr.key, 64 * 1024)
            .await
            .unwrap();
    let decoded = platform_tui::preview::decode(&stderr.key, &head.bytes, head.total_size);
    assert!(decoded.truncated);
    let note = decoded.note.unwrap();
    assert!(
        note.contains("showing first 1.0 MiB of the unpacked data; cut"),
        "{note}"
    );
}

#[tokio::test]
async fn a_running_steps_log_source_returns_only_new_lines() {
    let add_step = approval(&catalog::EMR_ADD_STEP).await;
    let f = Fixture::new().await;
    let id = f.run_job_flow("nyctaxi-aggregation").await;
    let spark = SparkStep::parse("s3://nyctaxi-scripts/spark/aggregate.py --sleep 120").unwrap();
    // The second step waits for the first: it stays PENDING (and writes no log of its own)
    // for the whole test.
    f.emr.add_spark_step(&add_step, &id, &spark).await.unwrap();
    let step = f.emr.add_spark_step(&add_step, &id, &spark).await.unwrap();
    assert_eq!(
        f.emr.describe_step(&id, &step).await.unwrap().state,
        "PENDING"
    );
    let log = StepLog::locate(LOG_URI, &id, &step, StepLogKind::Stderr).unwrap();
    let mut source = StepLogSource::new(f.emr.clone(), f.s3.clone(), &id, &step, &log, true);

    let nothing_yet = source.fetch_next().await.unwrap();
    assert!(nothing_yet.lines.is_empty());
    assert!(!source.is_finished());

    f.put_gzip(&log, "line 1\nline 2\n").await;
    let first = source.fetch_next().await.unwrap();
    let texts = |c: &platform_tui::logs::LogChunk| -> Vec<String> {
        c.lines.iter().map(|l| l.text.clone()).collect()
    };
    assert_eq!(texts(&first), ["line 1", "line 2"]);

    f.put_gzip(&log, "line 1\nline 2\nline 3\n").await;
    let second = source.fetch_next().await.unwrap();
    assert_eq!(texts(&second), ["line 3"]);
    assert!(!source.is_finished(), "the step still runs");
}

/// Polls the step until `done` holds (the emulator's steps run on a clock).
async fn wait_for_step(
    f: &Fixture,
    cluster: &str,
    step: &str,
    done: impl Fn(&Step) -> bool,
) -> Step {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let current = f.emr.describe_step(cluster, step).await.unwrap();
        if done(&current) {
            return current;
        }
        assert!(Instant::now() < deadline, "step stuck: {current:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn a_failed_step_carries_emrs_failure_details_and_its_stderr() {
    let add_step = approval(&catalog::EMR_ADD_STEP).await;
    let f = Fixture::new().await;
    f.emulator.control(
        "timing",
        r#"{"target": "emr-step", "startup_seconds": 0.2}"#,
    );
    f.emulator.control(
        "inject",
        r#"{"target": "emr-step", "name": "spark-submit broken.py",
            "message": "AnalysisException: Path does not exist: s3://lake/staging/"}"#,
    );
    let id = f.run_job_flow("nyctaxi-aggregation").await;
    let spark = SparkStep::parse("s3://nyctaxi-scripts/spark/broken.py").unwrap();
    let step = f.emr.add_spark_step(&add_step, &id, &spark).await.unwrap();

    let failed = wait_for_step(&f, &id, &step, |s| !s.is_live()).await;
    assert_eq!(failed.state, "FAILED");
    let failure = failed.failure.clone().expect("FailureDetails");
    assert!(
        failure
            .message
            .as_deref()
            .unwrap_or_default()
            .contains("Path does not exist"),
        "{failure:?}"
    );
    assert!(failure.reason.is_some(), "{failure:?}");
    let stderr = StepLog::locate(LOG_URI, &id, &step, StepLogKind::Stderr).unwrap();
    assert_eq!(failure.log_file.as_deref(), Some(stderr.url().as_str()));
    assert!(
        failed.started.is_some() && failed.ended.is_some(),
        "{failed:?}"
    );
    assert!(failed.duration(chrono::Utc::now()).is_some());

    let listed = f.emr.list_steps(&id).await.unwrap();
    let row = listed.iter().find(|s| s.id == step).unwrap();
    assert_eq!(
        row.failure, failed.failure,
        "ListSteps carries the same details"
    );

    let lines = read_step_log(&f.s3, &stderr).await.unwrap();
    assert!(!lines.is_empty(), "the failed step wrote stderr");
}

#[tokio::test]
async fn a_pending_step_is_cancelled_and_a_finished_one_cannot_be() {
    let add_step = approval(&catalog::EMR_ADD_STEP).await;
    let cancel_step = approval(&catalog::EMR_CANCEL_STEP).await;
    let f = Fixture::new().await;
    f.emulator.control(
        "timing",
        r#"{"target": "emr-step", "startup_seconds": 0.2}"#,
    );
    let id = f.run_job_flow("nyctaxi-aggregation").await;
    let spark = SparkStep::parse("s3://nyctaxi-scripts/spark/aggregate.py --sleep 120").unwrap();
    let first = f.emr.add_spark_step(&add_step, &id, &spark).await.unwrap();
    let second = f.emr.add_spark_step(&add_step, &id, &spark).await.unwrap();
    assert_eq!(
        f.emr.describe_step(&id, &second).await.unwrap().state,
        "PENDING"
    );

    f.emr.cancel_step(&cancel_step, &id, &second).await.unwrap();
    let cancelled = wait_for_step(&f, &id, &second, |s| !s.is_live()).await;
    assert_eq!(cancelled.state, "CANCELLED");

    let refused = f
        .emr
        .cancel_step(&cancel_step, &id, &second)
        .await
        .unwrap_err();
    assert!(refused.to_string().contains(&second), "{refused}");

    f.emr.cancel_step(&cancel_step, &id, &first).await.unwrap();
    let stopped = wait_for_step(&f, &id, &first, |s| !s.is_live()).await;
    assert_eq!(stopped.state, "CANCELLED");
}

#[tokio::test]
async fn the_step_log_source_follows_a_running_step_to_its_end() {
    let add_step = approval(&catalog::EMR_ADD_STEP).await;
    let f = Fixture::new().await;
    f.emulator.control(
        "timing",
        r#"{"target": "emr-step", "startup_seconds": 0.2}"#,
    );
    let id = f.run_job_flow("nyctaxi-aggregation").await;
    let spark = SparkStep::parse("s3://nyctaxi-scripts/spark/aggregate.py --sleep 4").unwrap();
    let step = f.emr.add_spark_step(&add_step, &id, &spark).await.unwrap();
    // spark-submit hands the Python driver's output to stdout, where it grows every second.
    let log = StepLog::locate(LOG_URI, &id, &step, StepLogKind::Stdout).unwrap();
    let mut source = StepLogSource::new(f.emr.clone(), f.s3.clone(), &id, &step, &log, true);

    let mut lines = Vec::new();
    let mut fetches = 0;
    let deadline = Instant::now() + Duration::from_secs(90);
    while !source.is_finished() {
        assert!(Instant::now() < deadline, "still following: {lines:?}");
        let chunk = source.fetch_next().await.unwrap();
        lines.extend(chunk.lines.into_iter().map(|l| l.text));
        fetches += 1;
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert!(fetches > 1, "the log was read while the step ran");
    let whole = read_step_log(&f.s3, &log).await.unwrap();
    assert_eq!(lines, whole, "every line once, in order, none repeated");
    assert!(!whole.is_empty());
}
