//! `platform-tui sandbox fail`: an injected failure makes the next run of the seeded Glue job
//! fail with the given message, while the runs after it run the real job and succeed (checked
//! with boto3, independent of the console's clients).

use std::process::Command;

use platform_tui::sandbox::AirflowMode;
use platform_tui::{paths, sandbox};

const RUN_AND_WAIT: &str = r#"
import sys, time
import boto3
glue = boto3.client("glue", endpoint_url=sys.argv[1], region_name="us-east-1",
                    aws_access_key_id="test", aws_secret_access_key="test")
run_id = glue.start_job_run(JobName=sys.argv[2])["JobRunId"]
deadline = time.time() + 300  # a real Spark run of the seeded job
while time.time() < deadline:
    run = glue.get_job_run(JobName=sys.argv[2], RunId=run_id)["JobRun"]
    if run["JobRunState"] in ("SUCCEEDED", "FAILED", "STOPPED", "ERROR", "TIMEOUT"):
        print(run["JobRunState"], run.get("ErrorMessage", ""))
        sys.exit(0)
    time.sleep(0.3)
print("TIMEOUT waiting for the run")
"#;

const JOB: &str = "nyctaxi-sandbox-process-to-staging";

fn run_job(endpoint: &str) -> String {
    let python = paths::venv_dir("sandbox").join("bin/python");
    let out = Command::new(&python)
        .args(["-c", RUN_AND_WAIT, endpoint, JOB])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

struct DownOnDrop;

impl Drop for DownOnDrop {
    fn drop(&mut self) {
        let _ = sandbox::down(&mut |_| {});
    }
}

#[test]
fn injected_glue_failure_fails_the_next_run_only() {
    let home = tempfile::tempdir().unwrap();
    std::env::set_var(paths::HOME_OVERRIDE, home.path());
    let info =
        sandbox::up_with(AirflowMode::Skip, &mut |line| eprintln!("{line}")).expect("sandbox up");
    let _down = DownOnDrop;

    let unknown = sandbox::inject_failure("glue-jobs", None, None, 1).unwrap_err();
    assert!(
        unknown.to_string().contains("choose one of glue-job"),
        "{unknown}"
    );

    sandbox::inject_failure("glue-job", Some(JOB), Some("KeyError: 'fare_amount'"), 1)
        .expect("inject");
    assert_eq!(
        run_job(&info.endpoint_url),
        "FAILED KeyError: 'fare_amount'"
    );
    assert!(
        run_job(&info.endpoint_url).starts_with("SUCCEEDED"),
        "only the next run fails"
    );

    sandbox::inject_failure("glue-job", None, Some("boom"), 1).unwrap();
    sandbox::clear_failures().expect("heal");
    assert!(
        run_job(&info.endpoint_url).starts_with("SUCCEEDED"),
        "healed"
    );
}
