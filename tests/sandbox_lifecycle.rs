//! The sandbox's whole life, against the real emulator: up, status, idempotent up, the seeded
//! data lake (checked with boto3 from the sandbox venv, independent of the console's S3 code),
//! down, the clean-up of a stale pid file, and the messages when Python or the seed fails. One test function: the lifecycle shares
//! PLATFORM_TUI_HOME and one emulator, and env vars are process-wide.

use std::fs;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use chrono::Datelike;
use platform_tui::sandbox::AirflowMode;
use platform_tui::{paths, sandbox};
use tempfile::TempDir;

/// Lists the seeded buckets with boto3 and prints what the test asserts on, as JSON.
const INSPECT_DATALAKE: &str = r#"
import json, sys
import boto3
from botocore.config import Config

endpoint, bucket = sys.argv[1], sys.argv[2]
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                  aws_access_key_id="test", aws_secret_access_key="test",
                  config=Config(s3={"addressing_style": "path"}))
top = s3.list_objects_v2(Bucket=bucket, Delimiter="/")
archive = sum(page.get("KeyCount", 0) for page in s3.get_paginator("list_objects_v2")
              .paginate(Bucket=bucket, Prefix="archive/events/", PaginationConfig={"PageSize": 1000}))
hostile = s3.list_objects_v2(Bucket=bucket, Prefix="raw/hostile/").get("Contents", [])
trips = s3.list_objects_v2(Bucket=bucket, Prefix="raw/green_tripdata/").get("Contents", [])
print(json.dumps({
    "buckets": sorted(b["Name"] for b in s3.list_buckets()["Buckets"]),
    "prefixes": [p["Prefix"] for p in top.get("CommonPrefixes", [])],
    "archive_keys": archive,
    "hostile_keys": [o["Key"] for o in hostile],
    "trip_keys": [o["Key"] for o in trips],
    "raw_tag": s3.get_object_tagging(Bucket=bucket, Key="raw/")["TagSet"],
}))
"#;

fn inspect_datalake(info: &sandbox::SandboxInfo) -> serde_json::Value {
    let python = paths::venv_dir("sandbox").join("bin/python");
    let output = Command::new(&python)
        .args([
            "-c",
            INSPECT_DATALAKE,
            &info.endpoint_url,
            &info.datalake_bucket,
        ])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    assert!(
        output.status.success(),
        "boto3 inspection failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("inspection prints JSON")
}

fn pid_exists(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

fn say(message: &str) {
    eprintln!("sandbox: {message}");
}

/// `raw/green_tripdata/<name>` for every data/*.csv of the checkout, as the seed uploads them,
/// and last month's file in TLC's Parquet layout, which the seed generates.
fn expected_trip_keys() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(paths::project_dir().join("data"))
        .map(|entries| {
            entries
                .filter_map(|e| e.ok()?.file_name().into_string().ok())
                .filter(|name| name.ends_with(".csv"))
                .collect()
        })
        .unwrap_or_default();
    let first = chrono::Utc::now().date_naive().with_day(1).unwrap();
    let last_month = (first - chrono::Months::new(1)).format("%Y-%m");
    names.push(format!("green_tripdata_{last_month}.parquet"));
    names.sort();
    names
        .iter()
        .map(|name| format!("raw/green_tripdata/{name}"))
        .collect()
}

fn check_seeded_datalake(info: &sandbox::SandboxInfo) {
    let lake = inspect_datalake(info);
    assert_eq!(
        lake["buckets"],
        serde_json::json!([
            "nyctaxi-sandbox-datalake",
            "nyctaxi-sandbox-emr-logs",
            "nyctaxi-sandbox-mwaa"
        ])
    );
    let prefixes = lake["prefixes"].as_array().unwrap();
    for prefix in ["raw/", "staging/", "gold/", "archive/"] {
        assert!(
            prefixes.contains(&prefix.into()),
            "{prefix} missing: {lake}"
        );
    }
    assert_eq!(lake["archive_keys"], 20_000);
    assert_eq!(
        lake["hostile_keys"],
        serde_json::json!(["raw/hostile/\x1b]0;pwned\x07\x1b[2Jname.txt"])
    );
    assert_eq!(lake["trip_keys"], serde_json::json!(expected_trip_keys()));
    assert!(lake["raw_tag"].to_string().contains("\"layer\""), "{lake}");
}

/// A pid file left by a crash names a dead process: status ignores it, down removes it.
fn check_stale_pid_file_is_removed() {
    let pid_file = paths::sandbox_dir().join("emulator.pid");
    let mut dead = Command::new("true").spawn().unwrap();
    dead.wait().unwrap();
    fs::write(&pid_file, dead.id().to_string()).unwrap();
    assert_eq!(sandbox::status().unwrap(), None);
    assert!(!sandbox::down(&mut say).unwrap());
    assert!(!pid_file.exists(), "stale pid file was not removed");
}

/// An `up` interrupted while the emulator seeds leaves a not-ready state behind: the next `up`
/// waits for that emulator instead of starting a second one. Here the interrupted `up` is
/// played by hand: the real emulator, started the way `up` starts it, and its two state files.
#[allow(clippy::zombie_processes)] // `down` reaps it: it waits on exited children by pid
fn check_up_adopts_a_starting_emulator(venv: &Path) -> sandbox::SandboxInfo {
    let dir = paths::sandbox_dir();
    let port = std::net::TcpListener::bind(("127.0.0.1", 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let log = fs::File::create(dir.join("emulator.log")).unwrap();
    let emulator = Command::new(venv.join("bin/python"))
        .arg(paths::project_dir().join("sandbox/emulator.py"))
        .args(["--host", "127.0.0.1", "--port", &port.to_string(), "--seed"])
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .process_group(0)
        .spawn()
        .unwrap();
    let pid = emulator.id();
    let starting = serde_json::json!({
        "endpoint_url": format!("http://127.0.0.1:{port}"), "port": port, "pid": pid,
        "region": "us-east-1", "datalake_bucket": "nyctaxi-sandbox-datalake",
        "started_at": "2026-01-01T00:00:00Z", "log_file": dir.join("emulator.log"), "ready": false,
    });
    fs::write(dir.join("emulator.pid"), pid.to_string()).unwrap();
    fs::write(dir.join("state.json"), starting.to_string()).unwrap();

    let adopted =
        sandbox::up_with(AirflowMode::Skip, &mut say).expect("up waits for the starting emulator");
    assert_eq!(
        (adopted.pid, adopted.port),
        (pid, port),
        "up started another emulator; the one started here logged:\n{}",
        fs::read_to_string(dir.join("emulator.previous.log")).unwrap_or_default()
    );
    assert_eq!(sandbox::status().unwrap(), Some(adopted.clone()));
    adopted
}

/// `status` needs an answer, not just a live pid: a frozen emulator is not a running sandbox,
/// and `up` replaces it (stopping a stopped process needs SIGCONT after SIGTERM).
fn check_a_frozen_emulator_is_replaced(pid: u32) -> sandbox::SandboxInfo {
    let stopped = Command::new("kill")
        .args(["-STOP", &pid.to_string()])
        .status()
        .unwrap();
    assert!(stopped.success(), "kill -STOP {pid}");
    assert_eq!(
        sandbox::status().unwrap(),
        None,
        "a frozen emulator is not healthy"
    );

    let started = Instant::now();
    let replacement =
        sandbox::up_with(AirflowMode::Skip, &mut say).expect("up replaces a frozen emulator");
    eprintln!("replacing a frozen emulator took {:.2?}", started.elapsed());
    assert_ne!(replacement.pid, pid);
    assert!(
        !pid_exists(pid),
        "the frozen emulator {pid} was not stopped"
    );
    assert_eq!(sandbox::status().unwrap(), Some(replacement.clone()));
    replacement
}

/// A checkout with the real venv script and sandbox files (and nothing else).
fn scratch_project() -> TempDir {
    let real = paths::project_dir();
    let project = tempfile::tempdir().unwrap();
    for file in [
        "scripts/venv",
        "sandbox/requirements.txt",
        "requirements/constraints/sandbox.txt",
        "requirements/spark.txt",
        "requirements/constraints/spark.txt",
        "sandbox/emulator.py",
        "sandbox/seed.py",
    ] {
        let target = project.path().join(file);
        fs::create_dir_all(target.parent().unwrap()).unwrap();
        fs::copy(real.join(file), target).unwrap();
    }
    // The emulator's extensions of moto (a package emulator.py imports).
    std::os::unix::fs::symlink(
        real.join("sandbox/platform_ext"),
        project.path().join("sandbox/platform_ext"),
    )
    .unwrap();
    project
}

fn up_error() -> String {
    let error = format!(
        "{:#}",
        sandbox::up_with(AirflowMode::Skip, &mut say).expect_err("up should fail")
    );
    eprintln!("up failed as expected:\n{error}");
    error
}

/// Without Python, `up` says what to install.
fn check_missing_python_is_explained() {
    let project = scratch_project();
    std::env::set_var(paths::PROJECT_OVERRIDE, project.path());
    std::env::set_var("PYTHON", "/nonexistent/python3");
    let error = up_error();
    std::env::remove_var("PYTHON");
    std::env::remove_var(paths::PROJECT_OVERRIDE);
    assert!(error.contains("/nonexistent/python3 not found"), "{error}");
    assert!(error.contains("apt-get install python3"), "{error}");
}

/// When seeding fails (here data/broken.csv is a directory), `up` quotes the emulator's log,
/// stops what it started and leaves no pid file behind.
fn check_failed_seed_is_explained(venv: &Path) {
    let project = scratch_project();
    fs::create_dir_all(project.path().join(".venv")).unwrap();
    std::os::unix::fs::symlink(venv, project.path().join(".venv/sandbox")).unwrap();
    let spark = paths::venv_dir("spark");
    std::os::unix::fs::symlink(&spark, project.path().join(".venv/spark")).unwrap();
    fs::create_dir_all(project.path().join("data/broken.csv")).unwrap();
    std::env::set_var(paths::PROJECT_OVERRIDE, project.path());
    let error = up_error();
    std::env::remove_var(paths::PROJECT_OVERRIDE);
    assert!(error.contains("exited with status 3"), "{error}");
    assert!(error.contains("IsADirectoryError"), "{error}");
    assert!(error.contains("emulator.log"), "{error}");
    assert_eq!(sandbox::status().unwrap(), None);
    assert!(!paths::sandbox_dir().join("emulator.pid").exists());
}

/// Stops whatever sandbox the test left running, also when an assertion failed.
struct DownOnDrop;

impl Drop for DownOnDrop {
    fn drop(&mut self) {
        if let Err(error) = sandbox::down(&mut say) {
            eprintln!("sandbox down after the test failed: {error:#}");
        }
    }
}

#[test]
fn sandbox_lifecycle() {
    let home = tempfile::tempdir().unwrap();
    std::env::set_var(paths::HOME_OVERRIDE, home.path());
    let _down = DownOnDrop; // dropped before `home`: the state dir still exists then
    let venv: PathBuf = paths::venv_dir("sandbox");
    assert_eq!(
        sandbox::status().unwrap(),
        None,
        "a fresh home has no sandbox"
    );

    let started = Instant::now();
    let info = sandbox::up_with(AirflowMode::Skip, &mut say).expect("sandbox up");
    eprintln!(
        "sandbox up (venv present, cold) took {:.2?}",
        started.elapsed()
    );
    assert_eq!(info.region, "us-east-1");
    assert_eq!(info.datalake_bucket, "nyctaxi-sandbox-datalake");
    assert_eq!(info.endpoint_url, format!("http://127.0.0.1:{}", info.port));
    assert!(
        info.log_file.starts_with(home.path()),
        "{}",
        info.log_file.display()
    );
    assert!(
        chrono::DateTime::parse_from_rfc3339(&info.started_at).is_ok(),
        "{}",
        info.started_at
    );
    assert!(pid_exists(info.pid));
    assert_eq!(sandbox::status().unwrap().as_ref(), Some(&info));

    let again = sandbox::up_with(AirflowMode::Skip, &mut say).expect("second sandbox up");
    assert_eq!(again, info, "up is idempotent: same process, same info");

    let inspecting = Instant::now();
    check_seeded_datalake(&info);
    eprintln!("boto3 inspection took {:.2?}", inspecting.elapsed());

    let stopping = Instant::now();
    let stopped = sandbox::down(&mut say).expect("sandbox down");
    eprintln!("sandbox down took {:.2?}", stopping.elapsed());
    assert!(stopped, "down stops the emulator");
    assert_eq!(sandbox::status().unwrap(), None);
    assert!(
        !pid_exists(info.pid),
        "emulator pid {} still exists",
        info.pid
    );
    assert!(
        !sandbox::down(&mut say).unwrap(),
        "a second down has nothing to stop"
    );

    check_stale_pid_file_is_removed();
    let adopted = check_up_adopts_a_starting_emulator(&venv);
    let replacement = check_a_frozen_emulator_is_replaced(adopted.pid);
    assert!(sandbox::down(&mut say).unwrap());
    assert!(!pid_exists(replacement.pid));

    check_missing_python_is_explained();
    check_failed_seed_is_explained(&venv);
}
