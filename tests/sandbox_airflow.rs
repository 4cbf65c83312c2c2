//! The sandbox's Airflow, as an on-call engineer would drive it, over Airflow's REST API:
//! `platform-tui sandbox up` starts Airflow 3 next to the emulator; unpausing prepare_data_nyc
//! runs last month (the seeded Parquet file) and a run triggered for 2024-01 runs the real Glue
//! and EMR Spark jobs on the committed sample, after which the warehouse holds, row for row,
//! the gold the Spark tests compute from that file (tests/fixtures/gold/); a corrupt raw file
//! makes the Glue job fail with Spark's own exception, which is the Glue run's error and in its
//! log; replacing the file and clearing that task with downstream makes the run succeed; task
//! logs live in the emulator's CloudWatch (as on MWAA); the MWAA web login gives a working JWT;
//! a killed launcher leaves no orphan and `up` restarts Airflow; and `sandbox down` leaves no
//! Airflow process behind. Every wait is bounded; a failure prints the task states and the
//! failed tasks' logs.

mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use chrono::{Datelike, Months, NaiveDate, Utc};
use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use platform_tui::aws::glue::Glue;
use platform_tui::aws::logs::CloudWatchLogs;
use platform_tui::aws::redshift::{Credentials, Redshift};
use platform_tui::aws::s3::S3;
use platform_tui::aws::{sdk_config, AwsSettings};
use platform_tui::gate::catalog;
use platform_tui::gate::sql::ReadOnlySql;
use platform_tui::{paths, sandbox};
use serde_json::{json, Value};
use support::gate::approval;

const DAG: &str = "prepare_data_nyc";
const GLUE_TASK: &str = "process_to_staging_nyc";
const GLUE_JOB: &str = "nyctaxi-sandbox-process-to-staging";
const TASKS: usize = 8;
const RAW: &str = "raw/green_tripdata";
/// The gold the Spark tests compute from data/green_tripdata_2024-01.csv (tests/spark).
const GOLD_EXPECTATION: &str = "tests/fixtures/gold/green_trips_daily_zone_2024-01.csv";
const GOLD_TABLE: &str = "nyc.green_trips_daily_zone";
/// A run with real Spark jobs takes one to two minutes here; the first trigger also waits for
/// the scheduled run that unpausing creates (max_active_runs=1).
const RUN_TIMEOUT: Duration = Duration::from_secs(600);
const POLL: Duration = Duration::from_secs(2);

/// `platform-tui ARGS` with the test's PLATFORM_TUI_HOME; panics with its output on failure.
fn platform_tui(home: &Path, args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_platform-tui"))
        .args(args)
        .env(paths::HOME_OVERRIDE, home)
        .output()
        .expect("run platform-tui");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "platform-tui {args:?} failed:\n{text}"
    );
    text
}

/// Stops the sandbox even when an assertion fails.
struct Down<'a>(&'a Path);

impl Drop for Down<'_> {
    fn drop(&mut self) {
        let _ = Command::new(env!("CARGO_BIN_EXE_platform-tui"))
            .args(["sandbox", "down"])
            .env(paths::HOME_OVERRIDE, self.0)
            .output();
    }
}

/// Airflow's REST API v2 as admin.
struct Rest {
    client: reqwest::Client,
    base: String,
    token: String,
}

impl Rest {
    async fn login(base: &str, username: &str, password: &str) -> Rest {
        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        let answer: Value = client
            .post(format!("{base}/auth/token"))
            .json(&json!({ "username": username, "password": password }))
            .send()
            .await
            .expect("POST /auth/token")
            .json()
            .await
            .unwrap();
        let token = answer["access_token"].as_str().expect("a JWT").to_string();
        Rest {
            client,
            base: base.to_string(),
            token,
        }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self
            .client
            .request(method.clone(), format!("{}/api/v2{path}", self.base))
            .bearer_auth(&self.token)
            .header("Accept", "application/json");
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("Airflow answers");
        let status = response.status();
        let text = response.text().await.unwrap();
        assert!(status.is_success(), "{method} {path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    }

    async fn get(&self, path: &str) -> Value {
        self.call(reqwest::Method::GET, path, None).await
    }

    /// Triggers a run for `month` (the DAG's `month` param).
    async fn trigger(&self, month: &str) -> String {
        let run = self
            .call(
                reqwest::Method::POST,
                &format!("/dags/{DAG}/dagRuns"),
                Some(json!({ "logical_date": null, "conf": { "month": month } })),
            )
            .await;
        run["dag_run_id"].as_str().unwrap().to_string()
    }

    async fn run_state(&self, run: &str) -> String {
        let run = self
            .get(&format!("/dags/{DAG}/dagRuns/{}", encode(run)))
            .await;
        run["state"].as_str().unwrap_or_default().to_string()
    }

    async fn tasks(&self, run: &str) -> Vec<Value> {
        let tasks = self
            .get(&format!(
                "/dags/{DAG}/dagRuns/{}/taskInstances",
                encode(run)
            ))
            .await;
        tasks["task_instances"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    async fn task(&self, run: &str, task: &str) -> Value {
        self.get(&format!(
            "/dags/{DAG}/dagRuns/{}/taskInstances/{task}",
            encode(run)
        ))
        .await
    }

    /// The text of one try's log (the structured lines' `event` fields).
    async fn log(&self, run: &str, task: &str, try_number: u64) -> String {
        let log = self
            .get(&format!(
                "/dags/{DAG}/dagRuns/{}/taskInstances/{task}/logs/{try_number}",
                encode(run)
            ))
            .await;
        log["content"]
            .as_array()
            .map(|lines| {
                lines
                    .iter()
                    .map(|line| {
                        let event = line["event"].as_str().unwrap_or_default();
                        match line.get("error_detail") {
                            Some(detail) => format!("{event} {detail}"),
                            None => event.to_string(),
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_default()
    }

    /// Polls until `run` reaches `wanted` (or fails: then prints the diagnosis and panics).
    async fn wait_for_run(&self, run: &str, wanted: &str, timeout: Duration) -> Duration {
        let started = Instant::now();
        loop {
            let state = self.run_state(run).await;
            if state == wanted {
                return started.elapsed();
            }
            if started.elapsed() > timeout || (state == "failed" && wanted != "failed") {
                let diagnosis = self.diagnose(run).await;
                panic!(
                    "run {run} is {state:?}, not {wanted:?} after {:.0?}:\n{diagnosis}",
                    started.elapsed()
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Every task's state, and the log of each failed one.
    async fn diagnose(&self, run: &str) -> String {
        let mut out = String::new();
        for task in self.tasks(run).await {
            let id = task["task_id"].as_str().unwrap_or_default();
            out.push_str(&format!(
                "  {id}: {} (try {})\n",
                task["state"], task["try_number"]
            ));
            if task["state"] == "failed" {
                let try_number = task["try_number"].as_u64().unwrap_or(1);
                out.push_str(&self.log(run, id, try_number).await);
                out.push('\n');
            }
        }
        out
    }
}

/// The sandbox's AWS side through the console's own clients (the real SDK over HTTP).
struct Platform {
    s3: S3,
    glue: Glue,
    logs: CloudWatchLogs,
    redshift: Redshift,
    lake: String,
}

impl Platform {
    async fn of(info: &sandbox::SandboxInfo) -> Platform {
        let settings = AwsSettings {
            profile: None,
            region: Some(info.region.clone()),
            endpoint_url: Some(info.endpoint_url.clone()),
            static_test_credentials: true,
            max_attempts: Some(1),
        };
        let config = sdk_config(&settings).await;
        Platform {
            s3: S3::new(&config),
            glue: Glue::new(&config),
            logs: CloudWatchLogs::new(&config),
            redshift: Redshift::new(&config),
            lake: info.datalake_bucket.clone(),
        }
    }

    /// The rows of a query on the warehouse, through the Redshift Data API, as text.
    async fn query(&self, sql: &str) -> Vec<Vec<String>> {
        let user = Credentials::DbUser("platform_admin".into());
        let read_only = ReadOnlySql::new(sql, vec![sql.to_owned()]).expect("a read-only query");
        let id = self
            .redshift
            .execute_read_only("nyctaxi-sandbox-warehouse", "analytics", &user, &read_only)
            .await
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let statement = self.redshift.describe_statement(&id).await.unwrap();
            if statement.state.is_final() {
                assert!(statement.error.is_none(), "{sql}: {statement:?}");
                break;
            }
            assert!(Instant::now() < deadline, "statement stuck: {statement:?}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        self.redshift.get_statement_result(&id).await.unwrap().rows
    }

    /// The warehouse's gold rows of one month, ordered by day and zone.
    async fn gold_of(&self, month: &str) -> Vec<Vec<String>> {
        let first = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").unwrap();
        let next = first + Months::new(1);
        self.query(&format!(
            "SELECT pickup_date, pu_location_id, trip_count, total_distance, total_fare, \
             avg_tip_rate FROM {GOLD_TABLE} WHERE pickup_date >= '{first}' AND pickup_date < \
             '{next}' ORDER BY pickup_date, pu_location_id"
        ))
        .await
    }

    /// The Glue job's latest run: (state, error message, every line of its error log).
    async fn last_glue_run(&self) -> (String, Option<String>, Vec<String>) {
        let run = self
            .glue
            .latest_run(GLUE_JOB)
            .await
            .unwrap()
            .expect("a run");
        let page = self
            .logs
            .get_log_events("/aws-glue/jobs/error", &run.id, None)
            .await
            .unwrap();
        let lines = page.events.into_iter().map(|e| e.message).collect();
        (run.state, run.error, lines)
    }

    async fn put(&self, dir: &Path, name: &str, body: &[u8]) {
        let local = dir.join(name);
        std::fs::write(&local, body).unwrap();
        let key = format!("{RAW}/{name}");
        let upload = approval(&catalog::S3_UPLOAD).await;
        self.s3
            .upload(&upload, &local, &self.lake, &key)
            .await
            .unwrap();
    }
}

/// One gold row compared by value: money as cents (DECIMAL(14,2) prints as 47.00 or 47),
/// the tip rate as a float, NULL as None.
#[derive(Debug, PartialEq)]
struct GoldRow {
    day: String,
    zone: i64,
    trips: i64,
    distance_cents: i64,
    fare_cents: i64,
    tip_rate: Option<f64>,
}

impl GoldRow {
    fn parse(values: &[String]) -> GoldRow {
        let cents = |text: &str| (text.parse::<f64>().unwrap() * 100.0).round() as i64;
        GoldRow {
            day: values[0].clone(),
            zone: values[1].parse().unwrap(),
            trips: values[2].parse().unwrap(),
            distance_cents: cents(&values[3]),
            fare_cents: cents(&values[4]),
            tip_rate: match values[5].as_str() {
                "" | "NULL" => None,
                rate => Some(rate.parse().unwrap()),
            },
        }
    }

    /// Equal, the tip rate within rounding of the last printed digit.
    fn matches(&self, other: &GoldRow) -> bool {
        let rates = match (self.tip_rate, other.tip_rate) {
            (Some(a), Some(b)) => (a - b).abs() <= 1e-12 * b.abs().max(1.0),
            (a, b) => a == b,
        };
        (
            &self.day,
            self.zone,
            self.trips,
            self.distance_cents,
            self.fare_cents,
        ) == (
            &other.day,
            other.zone,
            other.trips,
            other.distance_cents,
            other.fare_cents,
        ) && rates
    }
}

/// The committed expectation the Spark tests assert (tests/spark/test_emr_gold.py).
fn expected_gold() -> Vec<GoldRow> {
    let text = std::fs::read_to_string(paths::project_dir().join(GOLD_EXPECTATION)).unwrap();
    text.lines()
        .skip(1)
        .map(|line| GoldRow::parse(&line.split(',').map(str::to_owned).collect::<Vec<_>>()))
        .collect()
}

fn assert_gold_is(rows: &[Vec<String>], expected: &[GoldRow]) {
    let rows: Vec<GoldRow> = rows.iter().map(|r| GoldRow::parse(r)).collect();
    assert_eq!(rows.len(), expected.len(), "gold rows: {rows:#?}");
    for (row, want) in rows.iter().zip(expected) {
        assert!(row.matches(want), "warehouse {row:?}\n   expected {want:?}");
    }
}

/// The month before this one, YYYY-MM: what a scheduled monthly run processes, and the month of
/// the Parquet file the sandbox seeds.
fn last_month() -> String {
    let first = Utc::now().date_naive().with_day(1).unwrap();
    (first - Months::new(1)).format("%Y-%m").to_string()
}

/// data/generate_green_tripdata.py's trips for `month`, as CSV (the sample's seed).
fn generated_month(month: &str) -> Vec<u8> {
    let python = paths::venv_dir("sandbox").join("bin/python");
    let dir = tempfile::tempdir().unwrap();
    let output = dir.path().join("trips.csv");
    let status = Command::new(&python)
        .arg(paths::project_dir().join("data/generate_green_tripdata.py"))
        .args(["--start", &format!("{month}-01"), "--output"])
        .arg(&output)
        .output()
        .expect("run the generator");
    assert!(status.status.success(), "{status:?}");
    std::fs::read(output).unwrap()
}

fn encode(run_id: &str) -> String {
    utf8_percent_encode(run_id, NON_ALPHANUMERIC).to_string()
}

/// A CreateWebLoginToken answer from the sandbox's MWAA API, with boto3 (independent of the
/// console's MWAA client): (WebToken, WebServerHostname).
fn web_login_token(endpoint: &str) -> (String, String) {
    const SCRIPT: &str = r#"
import json, sys
import boto3
from botocore.config import Config
mwaa = boto3.client("mwaa", endpoint_url=sys.argv[1], region_name="us-east-1",
                    aws_access_key_id="test", aws_secret_access_key="test",
                    config=Config(inject_host_prefix=False, retries={"max_attempts": 1}))
answer = mwaa.create_web_login_token(Name="nyctaxi-sandbox-mwaa")
print(json.dumps([answer["WebToken"], answer["WebServerHostname"]]))
"#;
    let python = paths::venv_dir("sandbox").join("bin/python");
    let output = Command::new(&python)
        .args(["-c", SCRIPT, endpoint])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("token and hostname")
}

/// Processes whose environment names this AIRFLOW_HOME (Airflow renames its processes, so
/// their command lines do not say what they are).
fn processes_of(home: &Path) -> Vec<String> {
    let needle = format!("AIRFLOW_HOME={}", home.display());
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(environ) = std::fs::read(entry.path().join("environ")) else {
            continue;
        };
        if environ
            .split(|&b| b == 0)
            .any(|var| var == needle.as_bytes())
        {
            let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
            found.push(format!(
                "{} {}",
                entry.file_name().to_string_lossy(),
                String::from_utf8_lossy(&cmdline).replace('\0', " ")
            ));
        }
    }
    found
}

#[test]
fn prepare_data_nyc_runs_the_real_jobs_fails_on_a_corrupt_file_and_recovers_after_clear() {
    let home = tempfile::tempdir().unwrap();
    std::env::set_var(paths::HOME_OVERRIDE, home.path());
    let started = Instant::now();
    let up = platform_tui(home.path(), &["sandbox", "up"]);
    let _down = Down(home.path());
    eprintln!("sandbox up with Airflow in {:.1?}", started.elapsed());
    assert!(up.contains("Airflow ready at"), "{up}");

    let info = sandbox::status().unwrap().expect("the sandbox runs");
    let airflow_info = info.airflow.clone().expect("status reports its Airflow");
    let airflow = sandbox::airflow().expect("sandbox::airflow() while it runs");
    assert_eq!(airflow.url, airflow_info.url);
    assert_eq!(
        (airflow.username.as_str(), airflow.password.as_str()),
        ("admin", "admin")
    );
    let status = platform_tui(home.path(), &["sandbox", "status"]);
    assert!(
        status.contains(&format!("airflow: {}", airflow.url)),
        "{status}"
    );

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let rest = Rest::login(&airflow.url, &airflow.username, &airflow.password).await;

        let platform = Platform::of(&info).await;
        let expected = expected_gold();

        // 1. Unpausing runs last month (the seeded Parquet file); a run triggered for January
        //    2024 runs the real Glue and EMR jobs on the committed sample.
        rest.call(
            reqwest::Method::PATCH,
            &format!("/dags/{DAG}"),
            Some(json!({ "is_paused": false })),
        )
        .await;
        let first = rest.trigger("2024-01").await;
        let took = rest.wait_for_run(&first, "success", RUN_TIMEOUT).await;
        eprintln!("first run {first} succeeded after {took:.0?} (queued behind the scheduled run)");
        let tasks = rest.tasks(&first).await;
        assert_eq!(tasks.len(), TASKS);
        assert!(tasks.iter().all(|t| t["state"] == "success"), "{tasks:?}");

        // The warehouse holds exactly the gold the Spark tests compute from the same file: every
        // (day, zone) row, its trips, distance, fare and tip rate.
        assert_gold_is(&platform.gold_of("2024-01").await, &expected);
        // The scheduled run loaded last month from TLC's Parquet layout: the same trips, moved.
        let scheduled = platform.gold_of(&last_month()).await;
        let trips: i64 = scheduled.iter().map(|r| GoldRow::parse(r).trips).sum();
        assert_eq!((scheduled.len(), trips), (expected.len(), 1200));
        // The Glue run's log shows Spark's own lines and the job's drop counts per reason.
        let (state, _, log) = platform.last_glue_run().await;
        assert_eq!(state, "SUCCEEDED");
        let log = log.join("\n");
        assert!(
            log.contains("INFO SparkContext: Running Spark version"),
            "{log}"
        );
        assert!(log.contains("kept 1200, dropped 19 (1.6%)"), "{log}");
        assert!(log.contains("dropped 6 rows: negative_amount"), "{log}");

        // Task logs come from the emulator's CloudWatch, in MWAA's group and stream names.
        let log = rest.log(&first, "load_nyc_to_redshift", 1).await;
        assert!(
            log.contains("log_group: airflow-nyctaxi-sandbox-mwaa-Task")
                && log.contains("task_id=load_nyc_to_redshift/attempt=1.log"),
            "{log}"
        );

        // 2. A cut upload: February's raw file is not Parquet. The Glue job fails with Spark's
        //    own exception, which is the Glue run's error and in the run's log.
        let files = tempfile::tempdir().unwrap();
        let corrupt = "green_tripdata_2024-02.parquet";
        platform
            .put(files.path(), corrupt, b"PAR1 the upload was cut here")
            .await;
        let second = rest.trigger("2024-02").await;
        rest.wait_for_run(&second, "failed", RUN_TIMEOUT).await;
        let glue = rest.task(&second, GLUE_TASK).await;
        assert_eq!(glue["state"], "failed", "{glue}");
        let (state, error, log) = platform.last_glue_run().await;
        let error = error.expect("the failed run's ErrorMessage");
        assert_eq!(state, "FAILED");
        assert!(
            error.contains("[FAILED_READ_FILE.CANNOT_READ_FILE_FOOTER]") && error.contains(corrupt),
            "{error}"
        );
        let first_line = error.lines().find(|l| l.contains("CANNOT_READ")).unwrap();
        assert!(
            log.iter()
                .any(|line| line.ends_with(first_line.trim_start_matches(": "))),
            "the error is in the run's log: {log:#?}"
        );
        let failed_log = rest.log(&second, GLUE_TASK, 1).await;
        assert!(failed_log.contains("Run State: FAILED"), "{failed_log}");
        let downstream = rest.task(&second, "load_nyc_to_redshift").await;
        assert_eq!(downstream["state"], "upstream_failed");

        // 3. Replace the file with a good one, clear the Glue task with downstream, and the
        //    run turns green; February is in the warehouse next to January.
        platform
            .put(
                files.path(),
                "green_tripdata_2024-02.csv",
                &generated_month("2024-02"),
            )
            .await;
        let delete = approval(&catalog::S3_DELETE).await;
        platform
            .s3
            .delete(&delete, &platform.lake, &format!("{RAW}/{corrupt}"))
            .await
            .unwrap();
        let cleared = rest
            .call(
                reqwest::Method::POST,
                &format!("/dags/{DAG}/clearTaskInstances"),
                Some(json!({
                    "dry_run": false,
                    "only_failed": false,
                    "dag_run_id": second,
                    "task_ids": [GLUE_TASK],
                    "include_downstream": true,
                    "reset_dag_runs": true,
                })),
            )
            .await;
        assert_eq!(
            cleared["total_entries"], 6,
            "the Glue task and its 5 downstream: {cleared}"
        );
        let took = rest.wait_for_run(&second, "success", RUN_TIMEOUT).await;
        eprintln!("cleared run {second} succeeded after {took:.0?}");
        let glue = rest.task(&second, GLUE_TASK).await;
        assert_eq!(
            (glue["state"].as_str(), glue["try_number"].as_u64()),
            (Some("success"), Some(2))
        );
        let february = platform.gold_of("2024-02").await;
        assert_eq!(february.len(), 55);
        assert_gold_is(&platform.gold_of("2024-01").await, &expected);

        // 4. MWAA's web login: a web token from the emulator becomes Airflow's JWT cookie.
        let (token, hostname) = web_login_token(&info.endpoint_url);
        assert_eq!(format!("http://{hostname}"), airflow.url);
        let login = rest
            .client
            .post(format!("http://{hostname}/pluginsv2/aws_mwaa/login"))
            .form(&[("token", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(login.status().as_u16(), 302);
        let cookie = login
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let jwt = cookie
            .split(';')
            .next()
            .and_then(|c| c.strip_prefix("_token="))
            .unwrap_or_else(|| panic!("no _token cookie: {cookie:?}"));
        let dags = rest
            .client
            .get(format!("{}/api/v2/dags", airflow.url))
            .bearer_auth(jwt)
            .send()
            .await
            .unwrap();
        assert_eq!(dags.status().as_u16(), 200);
    });

    // 5. A killed launcher takes every Airflow process with it; `up` brings Airflow back.
    let airflow_home = airflow_info.home.clone();
    assert!(
        !processes_of(&airflow_home).is_empty(),
        "Airflow's processes are found by home"
    );
    let launcher = libc::pid_t::try_from(airflow_info.pid).unwrap();
    // SAFETY: signalling the launcher pid the sandbox recorded (a process this test started).
    assert_eq!(unsafe { libc::kill(launcher, libc::SIGKILL) }, 0);
    let deadline = Instant::now() + Duration::from_secs(30);
    while !processes_of(&airflow_home).is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(500));
    }
    let orphans = processes_of(&airflow_home);
    assert!(
        orphans.is_empty(),
        "left behind by a killed launcher: {orphans:?}"
    );
    assert!(
        sandbox::airflow().is_none(),
        "a dead Airflow is not reported"
    );
    let again = platform_tui(home.path(), &["sandbox", "up"]);
    assert!(again.contains("starting Airflow 3"), "{again}");
    let restarted = sandbox::status().unwrap().and_then(|info| info.airflow);
    let restarted = restarted.expect("Airflow runs and answers after up");
    assert_ne!(restarted.pid, airflow_info.pid, "a new launcher");

    // 6. Down leaves nothing of Airflow running.
    platform_tui(home.path(), &["sandbox", "down"]);
    let left = processes_of(&airflow_home);
    assert!(left.is_empty(), "still running after down: {left:?}");
    assert!(sandbox::airflow().is_none());
    eprintln!("whole story in {:.0?}", started.elapsed());
}
