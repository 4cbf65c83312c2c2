//! The sandbox's Airflow, as an on-call engineer would drive it, over Airflow's REST API:
//! `platform-tui sandbox up` starts Airflow 3 next to the emulator; prepare_data_nyc runs all 8
//! tasks against the emulator; `sandbox fail glue-job` makes the next run's Glue task fail;
//! `sandbox heal`, then clearing that task with downstream, makes the run succeed; task logs
//! live in the emulator's CloudWatch (as on MWAA); the MWAA web login gives a working JWT; a
//! killed launcher leaves no orphan and `up` restarts Airflow; and `sandbox down` leaves no
//! Airflow process behind. Every wait is bounded; a failure prints the
//! task states and the failed tasks' logs.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use platform_tui::{paths, sandbox};
use serde_json::{json, Value};

const DAG: &str = "prepare_data_nyc";
const GLUE_TASK: &str = "process_to_staging_nyc";
const TASKS: usize = 8;
/// One run takes about a minute here; the first trigger also waits for the scheduled run that
/// unpausing creates (max_active_runs=1).
const RUN_TIMEOUT: Duration = Duration::from_secs(420);
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

    async fn trigger(&self) -> String {
        let run = self
            .call(
                reqwest::Method::POST,
                &format!("/dags/{DAG}/dagRuns"),
                Some(json!({ "logical_date": null })),
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
fn prepare_data_nyc_runs_fails_on_injection_and_recovers_after_heal_and_clear() {
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

        // 1. A whole run against the emulator.
        rest.call(
            reqwest::Method::PATCH,
            &format!("/dags/{DAG}"),
            Some(json!({ "is_paused": false })),
        )
        .await;
        let first = rest.trigger().await;
        let took = rest.wait_for_run(&first, "success", RUN_TIMEOUT).await;
        eprintln!("first run {first} succeeded after {took:.0?} (queued behind the scheduled run)");
        let tasks = rest.tasks(&first).await;
        assert_eq!(tasks.len(), TASKS);
        assert!(tasks.iter().all(|t| t["state"] == "success"), "{tasks:?}");

        // Task logs come from the emulator's CloudWatch, in MWAA's group and stream names.
        let log = rest.log(&first, "load_nyc_to_redshift", 1).await;
        assert!(
            log.contains("log_group: airflow-nyctaxi-sandbox-mwaa-Task")
                && log.contains("task_id=load_nyc_to_redshift/attempt=1.log"),
            "{log}"
        );

        // 2. The on-call drill: an injected Glue failure fails the next run's Glue task.
        let message = "AnalysisException: [PATH_NOT_FOUND] Path does not exist: raw/";
        platform_tui(
            home.path(),
            &["sandbox", "fail", "glue-job", "--message", message],
        );
        let second = rest.trigger().await;
        rest.wait_for_run(&second, "failed", RUN_TIMEOUT).await;
        let glue = rest.task(&second, GLUE_TASK).await;
        assert_eq!(glue["state"], "failed", "{glue}");
        let failed_log = rest.log(&second, GLUE_TASK, 1).await;
        assert!(failed_log.contains("Run State: FAILED"), "{failed_log}");
        let downstream = rest.task(&second, "load_nyc_to_redshift").await;
        assert_eq!(downstream["state"], "upstream_failed");

        // 3. Heal, clear the Glue task with downstream, and the run turns green.
        platform_tui(home.path(), &["sandbox", "heal"]);
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
