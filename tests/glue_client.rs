//! The Glue and CloudWatch Logs clients against the sandbox's emulator over real HTTP. Each test
//! creates what it reads through the plain SDK first; run timings and failures are set through
//! the emulator's control endpoint (`/platform-api/`, sandbox/platform_ext).

mod support;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use aws_sdk_glue::types::{
    Column, CrawlerTargets, DatabaseInput, JobCommand, PartitionInput, S3Target, StorageDescriptor,
    TableInput, WorkerType,
};
use platform_tui::aws::glue::{Glue, JobRun, RunState};
use platform_tui::aws::logs::CloudWatchLogs;
use platform_tui::aws::{sdk_config, ErrorKind};
use platform_tui::gate::catalog;
use support::gate::approval;
use support::Emulator;

const DATABASE: &str = "nyc_taxi";
const TABLE: &str = "green_trips";
const CRAWLER: &str = "nyc-raw-crawler";
const JOB: &str = "process_to_staging_nyc";
const FAILURE: &str = "AnalysisException: Path does not exist: s3://lake/raw/2024-13";

struct Fixture {
    emulator: Emulator,
    glue: Glue,
    logs: CloudWatchLogs,
    sdk: aws_sdk_glue::Client,
    sdk_logs: aws_sdk_cloudwatchlogs::Client,
}

impl Fixture {
    async fn new() -> Fixture {
        let emulator = Emulator::start();
        let config = sdk_config(&emulator.settings()).await;
        Fixture {
            glue: Glue::new(&config),
            logs: CloudWatchLogs::new(&config),
            sdk: aws_sdk_glue::Client::new(&config),
            sdk_logs: aws_sdk_cloudwatchlogs::Client::new(&config),
            emulator,
        }
    }

    /// Makes every crawl run for `seconds`.
    fn crawl_for(&self, seconds: u32) {
        self.emulator.control(
            "timing",
            &format!(r#"{{"target":"glue-crawler","seconds":{seconds},"startup_seconds":0}}"#),
        );
    }

    /// Job runs start at once (they then last as long as their script runs).
    fn start_runs_at_once(&self) {
        self.emulator
            .control("timing", r#"{"target":"glue-job","startup_seconds":0}"#);
    }

    async fn wait_for(&self, id: &str, done: impl Fn(&JobRun) -> bool) -> JobRun {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let run = self.glue.job_run(JOB, id).await.unwrap();
            if done(&run) {
                return run;
            }
            assert!(Instant::now() < deadline, "run stuck in {}", run.state);
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    async fn catalog(&self) {
        self.sdk
            .create_database()
            .database_input(
                DatabaseInput::builder()
                    .name(DATABASE)
                    .description("NYC taxi data lake")
                    .location_uri("s3://lake/")
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
        let column =
            |name: &str, ty: &str| Column::builder().name(name).r#type(ty).build().unwrap();
        self.sdk
            .create_table()
            .database_name(DATABASE)
            .table_input(
                TableInput::builder()
                    .name(TABLE)
                    .table_type("EXTERNAL_TABLE")
                    .parameters("classification", "csv")
                    .storage_descriptor(
                        StorageDescriptor::builder()
                            .location("s3://lake/raw/green/")
                            .columns(column("vendorid", "bigint"))
                            .columns(column("trip_distance", "double"))
                            .build(),
                    )
                    .partition_keys(column("year", "string"))
                    .partition_keys(column("month", "string"))
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
        self.sdk
            .create_partition()
            .database_name(DATABASE)
            .table_name(TABLE)
            .partition_input(
                PartitionInput::builder()
                    .values("2024")
                    .values("01")
                    .storage_descriptor(
                        StorageDescriptor::builder()
                            .location("s3://lake/raw/green/year=2024/month=01/")
                            .build(),
                    )
                    .build(),
            )
            .send()
            .await
            .unwrap();
    }

    async fn crawler(&self) {
        self.sdk
            .create_crawler()
            .name(CRAWLER)
            .role("arn:aws:iam::123456789012:role/glue")
            .database_name(DATABASE)
            .schedule("cron(0 1 * * ? *)")
            .targets(
                CrawlerTargets::builder()
                    .s3_targets(S3Target::builder().path("s3://lake/raw/").build())
                    .build(),
            )
            .send()
            .await
            .unwrap();
    }

    async fn job(&self) {
        self.sdk
            .create_job()
            .name(JOB)
            .role("arn:aws:iam::123456789012:role/glue")
            .command(
                JobCommand::builder()
                    .name("glueetl")
                    .script_location("s3://scripts/process_to_staging.py")
                    .python_version("3")
                    .build(),
            )
            .glue_version("4.0")
            .worker_type(WorkerType::G1X)
            .number_of_workers(2)
            .default_arguments("--source", "s3://lake/raw/")
            .default_arguments("--target", "s3://lake/staging/")
            // Two runs in a row must not depend on how fast the first one ends.
            .execution_property(
                aws_sdk_glue::types::ExecutionProperty::builder()
                    .max_concurrent_runs(3)
                    .build(),
            )
            .send()
            .await
            .unwrap();
    }
}

fn args(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[tokio::test]
async fn catalog_databases_tables_partitions() {
    let f = Fixture::new().await;
    f.catalog().await;

    let databases = f.glue.databases().await.unwrap();
    assert_eq!(databases.len(), 1);
    assert_eq!(databases[0].name, DATABASE);
    assert_eq!(databases[0].location.as_deref(), Some("s3://lake/"));
    assert_eq!(
        databases[0].description.as_deref(),
        Some("NYC taxi data lake")
    );

    let tables = f.glue.tables(DATABASE).await.unwrap();
    assert_eq!(tables.len(), 1);
    let table = &tables[0];
    assert_eq!(table.name, TABLE);
    assert_eq!(table.database, DATABASE);
    assert_eq!(table.location.as_deref(), Some("s3://lake/raw/green/"));
    assert_eq!(table.classification.as_deref(), Some("csv"));
    assert!(table.updated.is_some() || table.created.is_some());
    let columns: Vec<(&str, &str)> = table
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.data_type.as_str()))
        .collect();
    assert_eq!(
        columns,
        [("vendorid", "bigint"), ("trip_distance", "double")]
    );
    let keys: Vec<&str> = table
        .partition_keys
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(keys, ["year", "month"]);
    assert_eq!(&f.glue.table(DATABASE, TABLE).await.unwrap(), table);

    let partitions = f.glue.partitions(DATABASE, TABLE).await.unwrap();
    assert_eq!(partitions.len(), 1);
    assert_eq!(partitions[0].values, ["2024", "01"]);
    assert_eq!(
        partitions[0].location.as_deref(),
        Some("s3://lake/raw/green/year=2024/month=01/")
    );

    let missing = f.glue.tables("no_such_db").await.unwrap_err();
    assert_eq!(missing.kind, ErrorKind::NotFound, "{missing}");
    assert!(missing.to_string().contains("no_such_db"), "{missing}");
}

#[tokio::test]
async fn crawler_state_start_and_stop() {
    let start_crawler = approval(&catalog::GLUE_START_CRAWLER).await;
    let stop_crawler = approval(&catalog::GLUE_STOP_CRAWLER).await;
    let f = Fixture::new().await;
    f.crawl_for(60);
    f.crawler().await;

    let crawlers = f.glue.crawlers().await.unwrap();
    assert_eq!(crawlers.len(), 1);
    let crawler = &crawlers[0];
    assert_eq!(crawler.name, CRAWLER);
    assert_eq!(crawler.state, "READY");
    assert_eq!(crawler.schedule.as_deref(), Some("cron(0 1 * * ? *)"));
    assert_eq!(crawler.targets, ["s3://lake/raw/"]);
    assert_eq!(crawler.database.as_deref(), Some(DATABASE));
    assert!(crawler.last_crawl.is_none());

    f.glue.start_crawler(&start_crawler, CRAWLER).await.unwrap();
    let running = f.glue.crawler(CRAWLER).await.unwrap();
    assert_eq!(running.state, "RUNNING");

    let again = f
        .glue
        .start_crawler(&start_crawler, CRAWLER)
        .await
        .unwrap_err();
    assert!(again.to_string().contains("CrawlerRunning"), "{again}");

    f.glue.stop_crawler(&stop_crawler, CRAWLER).await.unwrap();
    assert_eq!(f.glue.crawler(CRAWLER).await.unwrap().state, "STOPPING");

    let missing = f
        .glue
        .start_crawler(&start_crawler, "nope")
        .await
        .unwrap_err();
    assert_eq!(missing.kind, ErrorKind::NotFound, "{missing}");
}

#[tokio::test]
async fn jobs_detail_runs_and_arguments() {
    let start_job_run = approval(&catalog::GLUE_START_JOB_RUN).await;
    let f = Fixture::new().await;
    f.job().await;

    let jobs = f.glue.jobs().await.unwrap();
    assert_eq!(jobs.len(), 1);
    let job = &jobs[0];
    assert_eq!(job.name, JOB);
    assert_eq!(job.command.as_deref(), Some("glueetl"));
    assert_eq!(
        job.script_location.as_deref(),
        Some("s3://scripts/process_to_staging.py")
    );
    assert_eq!(job.glue_version.as_deref(), Some("4.0"));
    assert_eq!(job.worker_type.as_deref(), Some("G.1X"));
    assert_eq!(job.number_of_workers, Some(2));
    assert_eq!(
        job.default_arguments,
        args(&[
            ("--source", "s3://lake/raw/"),
            ("--target", "s3://lake/staging/")
        ])
    );
    assert_eq!(&f.glue.job(JOB).await.unwrap(), job);

    let never_ran = f.glue.with_latest_runs(jobs.clone()).await.unwrap();
    assert!(never_ran[0].last_run.is_none());

    let first = f
        .glue
        .start_job_run(&start_job_run, JOB, &BTreeMap::new())
        .await
        .unwrap();
    let rerun_args = args(&[("--pickup_date", "2024-01-15")]);
    let second = f
        .glue
        .start_job_run(&start_job_run, JOB, &rerun_args)
        .await
        .unwrap();
    assert!(first.starts_with("jr_") && second != first);

    let run = f.glue.job_run(JOB, &second).await.unwrap();
    assert_eq!(run.id, second);
    assert_eq!(run.job_name, JOB);
    // AWS returns the arguments the run was started with; the emulator adds the job's defaults.
    assert_eq!(
        run.arguments.get("--pickup_date").map(String::as_str),
        Some("2024-01-15")
    );
    assert!(run.started.is_some());
    assert!(!run.state.is_empty());

    let runs = f.glue.job_runs(JOB).await.unwrap();
    let ids: Vec<&str> = runs.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&first.as_str()) && ids.contains(&second.as_str()));
    assert!(runs[0].started >= runs[1].started, "newest first");

    let with_runs = f.glue.with_latest_runs(jobs).await.unwrap();
    let latest = with_runs[0].last_run.as_ref().expect("the job ran");
    assert_eq!(latest.id, runs[0].id);

    let missing = f.glue.job_run(JOB, "jr_nope").await.unwrap_err();
    assert_eq!(missing.kind, ErrorKind::NotFound, "{missing}");
    let no_job = f
        .glue
        .start_job_run(&start_job_run, "nope", &BTreeMap::new())
        .await
        .unwrap_err();
    assert_eq!(no_job.kind, ErrorKind::NotFound, "{no_job}");
}

#[tokio::test]
async fn a_failed_run_carries_the_error_message_and_logs_it() {
    let start_job_run = approval(&catalog::GLUE_START_JOB_RUN).await;
    let f = Fixture::new().await;
    f.job().await;
    f.start_runs_at_once();
    f.emulator.control(
        "inject",
        &format!(r#"{{"target":"glue-job","name":"{JOB}","message":"{FAILURE}"}}"#),
    );
    let id = f
        .glue
        .start_job_run(&start_job_run, JOB, &BTreeMap::new())
        .await
        .unwrap();
    let run = f.wait_for(&id, |r| !r.run_state().is_active()).await;
    assert_eq!(run.state, "FAILED");
    assert_eq!(run.run_state(), RunState::Failed);
    assert_eq!(run.error.as_deref(), Some(FAILURE));
    assert!(run.completed.is_some());

    let latest = f.glue.latest_run(JOB).await.unwrap().unwrap();
    assert_eq!(
        (latest.id.as_str(), latest.error.as_deref()),
        (id.as_str(), Some(FAILURE))
    );

    let log = f
        .logs
        .get_log_events("/aws-glue/jobs/error", &id, None)
        .await
        .unwrap();
    assert!(
        log.events.iter().any(|e| e.message.contains(FAILURE)),
        "{:?}",
        log.events
    );
}

#[tokio::test]
async fn a_running_run_is_stopped_and_a_finished_one_is_refused() {
    let start_job_run = approval(&catalog::GLUE_START_JOB_RUN).await;
    let stop_job_run = approval(&catalog::GLUE_STOP_JOB_RUN).await;
    let f = Fixture::new().await;
    f.job().await;
    f.start_runs_at_once();
    f.emulator
        .put_object("scripts", "process_to_staging.py", support::TEST_JOB_SCRIPT)
        .await;
    let id = f
        .glue
        .start_job_run(&start_job_run, JOB, &args(&[("--sleep", "120")]))
        .await
        .unwrap();
    let running = f.wait_for(&id, |r| r.state == "RUNNING").await;
    assert!(running.run_state().is_active());

    f.glue.stop_job_run(&stop_job_run, JOB, &id).await.unwrap();
    let stopped = f.wait_for(&id, |r| r.state == "STOPPED").await;
    assert_eq!(stopped.run_state(), RunState::Stopped);
    assert!(stopped.error.is_none());

    let refused = f
        .glue
        .stop_job_run(&stop_job_run, JOB, &id)
        .await
        .unwrap_err();
    let text = refused.to_string();
    assert!(
        text.contains("BatchStopJobRun") && text.contains(&id),
        "{text}"
    );
    assert!(text.contains("STOPPED"), "{text}");
    let failures = f
        .glue
        .batch_stop_job_run(&stop_job_run, JOB, &[id.clone(), "jr_missing".into()])
        .await
        .unwrap();
    let ids: Vec<&str> = failures.iter().map(|f| f.run_id.as_str()).collect();
    assert_eq!(ids, [id.as_str(), "jr_missing"]);
    assert!(failures.iter().all(|f| f.code == "InvalidInputException"));
}

#[tokio::test]
async fn log_events_are_read_incrementally() {
    let f = Fixture::new().await;
    let (group, stream) = ("/aws-glue/jobs/output", "jr_abc");
    f.sdk_logs
        .create_log_group()
        .log_group_name(group)
        .send()
        .await
        .unwrap();
    f.sdk_logs
        .create_log_stream()
        .log_group_name(group)
        .log_stream_name(stream)
        .send()
        .await
        .unwrap();
    let put = |messages: &[(i64, &str)]| {
        let events: Vec<_> = messages
            .iter()
            .map(|(t, m)| {
                aws_sdk_cloudwatchlogs::types::InputLogEvent::builder()
                    .timestamp(*t)
                    .message(*m)
                    .build()
                    .unwrap()
            })
            .collect();
        f.sdk_logs
            .put_log_events()
            .log_group_name(group)
            .log_stream_name(stream)
            .set_log_events(Some(events))
            .send()
    };
    let t0 = chrono::Utc::now().timestamp_millis();
    put(&[(t0, "starting job"), (t0 + 1, "reading s3://lake/raw/")])
        .await
        .unwrap();

    let first = f.logs.get_log_events(group, stream, None).await.unwrap();
    let messages: Vec<&str> = first.events.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(messages, ["starting job", "reading s3://lake/raw/"]);
    assert_eq!(
        first.events[0].timestamp.map(|t| t.timestamp_millis()),
        Some(t0)
    );
    let token = first.next_forward_token.expect("a forward token");

    let idle = f
        .logs
        .get_log_events(group, stream, Some(&token))
        .await
        .unwrap();
    assert!(idle.events.is_empty());

    put(&[(t0 + 2, "wrote 42 rows")]).await.unwrap();
    let later = f
        .logs
        .get_log_events(group, stream, idle.next_forward_token.as_deref())
        .await
        .unwrap();
    let messages: Vec<&str> = later.events.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(messages, ["wrote 42 rows"]);

    let missing = f
        .logs
        .get_log_events("/aws-glue/jobs/error", stream, None)
        .await
        .unwrap_err();
    assert_eq!(missing.kind, ErrorKind::NotFound, "{missing}");
    let text = missing.to_string();
    assert!(
        text.contains("/aws-glue/jobs/error") && text.contains(stream),
        "{text}"
    );
}

#[tokio::test]
async fn cloudwatch_log_source_tails_a_run_log() {
    use platform_tui::kinds::glue::run_logs::ERROR_GROUP;
    use platform_tui::logs::CloudWatchSource;
    use platform_tui::logs::LogSource;

    let f = Fixture::new().await;
    let run_id = "jr_tail";
    let mut live = CloudWatchSource::new(f.logs.clone(), ERROR_GROUP, run_id, true);
    let nothing_yet = live.fetch_next().await.unwrap();
    assert!(nothing_yet.lines.is_empty() && !live.is_finished());
    let mut finished = CloudWatchSource::new(f.logs.clone(), ERROR_GROUP, run_id, false);
    let missing = finished.fetch_next().await.unwrap_err();
    assert!(
        missing.message.contains(ERROR_GROUP) && missing.message.contains(run_id),
        "{missing}"
    );

    f.sdk_logs
        .create_log_group()
        .log_group_name(ERROR_GROUP)
        .send()
        .await
        .unwrap();
    f.sdk_logs
        .create_log_stream()
        .log_group_name(ERROR_GROUP)
        .log_stream_name(run_id)
        .send()
        .await
        .unwrap();
    let put = |t: i64, message: &str| {
        f.sdk_logs
            .put_log_events()
            .log_group_name(ERROR_GROUP)
            .log_stream_name(run_id)
            .log_events(
                aws_sdk_cloudwatchlogs::types::InputLogEvent::builder()
                    .timestamp(t)
                    .message(message)
                    .build()
                    .unwrap(),
            )
            .send()
    };
    let t0 = chrono::Utc::now().timestamp_millis();
    put(
        t0,
        "Traceback (most recent call last):\n  File \"job.py\", line 3",
    )
    .await
    .unwrap();

    let mut texts = Vec::new();
    loop {
        let chunk = live.fetch_next().await.unwrap();
        texts.extend(chunk.lines.iter().map(|l| l.text.clone()));
        assert!(chunk.lines.iter().all(|l| l.timestamp.is_some()));
        if !chunk.more {
            break;
        }
    }
    assert_eq!(
        texts,
        [
            "Traceback (most recent call last):",
            "  File \"job.py\", line 3"
        ]
    );

    put(t0 + 1, "KeyError: 'pickup_date'").await.unwrap();
    let later = live.fetch_next().await.unwrap();
    let later: Vec<&str> = later.lines.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(later, ["KeyError: 'pickup_date'"]);
    assert!(!live.is_finished(), "a live log keeps being polled");

    let mut all = Vec::new();
    while !finished.is_finished() {
        all.extend(finished.fetch_next().await.unwrap().lines);
    }
    assert_eq!(
        all.len(),
        3,
        "a finished run's log is read once, to its end"
    );
}

#[tokio::test]
async fn a_finished_crawl_is_the_last_crawl() {
    let start_crawler = approval(&catalog::GLUE_START_CRAWLER).await;
    let f = Fixture::new().await;
    f.crawl_for(1);
    f.crawler().await;
    f.glue.start_crawler(&start_crawler, CRAWLER).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let crawler = loop {
        let crawler = f.glue.crawler(CRAWLER).await.unwrap();
        if crawler.state == "READY" {
            break crawler;
        }
        assert!(Instant::now() < deadline, "the crawl never ended");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let last = crawler.last_crawl.expect("the finished crawl");
    assert_eq!(last.status, "SUCCEEDED");
    assert!(last.started.is_some());
    assert_eq!(last.log_group.as_deref(), Some("/aws-glue/crawlers"));
    assert_eq!(last.log_stream.as_deref(), Some(CRAWLER));
    assert_eq!(last.error, None);
    let metrics = crawler.metrics.expect("GetCrawlerMetrics answered");
    assert!(
        metrics.last_runtime >= Duration::from_millis(900),
        "{metrics:?}"
    );
    let listed = f
        .glue
        .crawler_metrics(&[CRAWLER.to_string()])
        .await
        .unwrap();
    assert_eq!(listed, vec![(CRAWLER.to_string(), metrics)]);
}
