//! The sandbox's whole life, against the real emulator: up, status, idempotent up, the seeded
//! data lake (checked with boto3 from the sandbox venv, independent of the console's S3 code),
//! down, and the clean-up of a stale pid file. One test function: the lifecycle shares
//! PLATFORM_TUI_HOME and one emulator, and env vars are process-wide.

use std::path::Path;
use std::process::Command;

use platform_tui::{paths, sandbox};

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
print(json.dumps({
    "buckets": sorted(b["Name"] for b in s3.list_buckets()["Buckets"]),
    "prefixes": [p["Prefix"] for p in top.get("CommonPrefixes", [])],
    "archive_keys": archive,
    "hostile_keys": [o["Key"] for o in hostile],
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

#[test]
fn sandbox_lifecycle() {
    let home = tempfile::tempdir().unwrap();
    std::env::set_var(paths::HOME_OVERRIDE, home.path());
    assert_eq!(
        sandbox::status().unwrap(),
        None,
        "a fresh home has no sandbox"
    );

    let info = sandbox::up(&mut say).expect("sandbox up");
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

    let again = sandbox::up(&mut say).expect("second sandbox up");
    assert_eq!(again, info, "up is idempotent: same process, same info");

    let lake = inspect_datalake(&info);
    assert_eq!(
        lake["buckets"],
        serde_json::json!([
            "nyctaxi-sandbox-datalake",
            "nyctaxi-sandbox-emr-logs",
            "nyctaxi-sandbox-mwaa"
        ])
    );
    for prefix in ["raw/", "staging/", "gold/", "archive/"] {
        assert!(
            lake["prefixes"]
                .as_array()
                .unwrap()
                .contains(&prefix.into()),
            "{prefix} missing: {lake}"
        );
    }
    assert_eq!(lake["archive_keys"], 20_000);
    assert_eq!(
        lake["hostile_keys"],
        serde_json::json!(["raw/hostile/\x1b]0;pwned\x07\x1b[2Jname.txt"])
    );
    assert!(lake["raw_tag"].to_string().contains("\"layer\""), "{lake}");

    assert!(
        sandbox::down(&mut say).expect("sandbox down"),
        "down stops the running emulator"
    );
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

    // A pid file left by a crash names a dead process: status ignores it, down removes it.
    let pid_file = paths::sandbox_dir().join("emulator.pid");
    let mut dead = Command::new("true").spawn().unwrap();
    dead.wait().unwrap();
    std::fs::write(&pid_file, dead.id().to_string()).unwrap();
    assert_eq!(sandbox::status().unwrap(), None);
    assert!(!sandbox::down(&mut say).unwrap());
    assert!(!pid_file.exists(), "stale pid file was not removed");
}
