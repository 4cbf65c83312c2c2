//! Faults and hostile remote text, end to end: the real `platform-tui` binary in a
//! pseudo-terminal on the sandbox (emulator and Airflow 3), one sandbox for every scenario.
//!
//! - The emulator and the Airflow launcher are killed with SIGKILL under an open view, several
//!   rounds: the view shows the problem from its own refresh (no key pressed), `sandbox up`
//!   starts them again on new ports, ctrl-r reconnects and the view shows data again; nothing of
//!   a killed process is left running.
//! - Hostile strings (escape sequences, C0 and C1 controls, bidi controls, invisible
//!   characters, bytes that are not UTF-8, a megabyte line) go into the sandbox through its
//!   real APIs (S3 keys and bodies, injected Glue, EMR and SQL failures, an Airflow run's conf); every
//!   view that draws them is opened, and no byte of them reaches the terminal unsanitized.
//!
//! Each scenario runs its own console and is reported separately; the sandbox is stopped by a
//! guard even when one panics. `FAULTS_SCENARIO=WORD` runs only the scenarios whose name
//! holds WORD (while working on one).

mod e2e;

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use e2e::console::{has_row, is_titled, keys, table_title, Console};
use e2e::controls::foreign_controls;
use e2e::processes::{expect_session_gone, kill_9, sandbox_pid};
use e2e::run_scenario;
use e2e::sandbox::Sandbox;
use tempfile::TempDir;

const DATALAKE: &str = "nyctaxi-sandbox-datalake";
const DAG: &str = "prepare_data_nyc";
const GLUE_JOB: &str = "nyctaxi-sandbox-process-to-staging";
/// The status bar's advice while the context's endpoint does not answer (its end, "ctrl-r
/// reconnects", is cut on a 120-column screen).
const UNREACHABLE: &str = "endpoint not answering";
const CTRL_R: &str = "\x12";
/// Rounds of kill and recovery per process (a round of the emulator restarts Airflow too,
/// ~40 s).
const ROUNDS: usize = 2;
/// Short, so that the refresh that shows a dead endpoint comes soon.
const CONFIG: &str = "refresh_interval = \"2s\"\n";

type Scenario = fn(&Sandbox);

#[test]
fn faults_and_hostile_text_on_the_sandbox() {
    let home = TempDir::new().expect("temp dir");
    let config = home.path().join("config");
    fs::create_dir_all(&config).unwrap();
    fs::write(config.join("config.toml"), CONFIG).unwrap();
    let started = Instant::now();
    let sandbox = Sandbox::up_with_airflow(home.path());
    eprintln!("sandbox up in {:.1} s", started.elapsed().as_secs_f64());
    let scenarios: [(&str, Scenario); 3] = [
        ("hostile remote text in every view", hostile_text),
        ("emulator killed under the bucket list", emulator_killed),
        ("Airflow killed under the DAG list", airflow_killed),
    ];
    let only = std::env::var("FAULTS_SCENARIO").unwrap_or_default();
    let mut failed = Vec::new();
    for (name, scenario) in scenarios.into_iter().filter(|(n, _)| n.contains(&only)) {
        // Whatever the scenario before left killed runs again.
        sandbox.up_again();
        if !run_scenario(name, || scenario(&sandbox)) {
            failed.push(name);
        }
    }
    let emulator = sandbox_pid(home.path(), "emulator.pid");
    let airflow = sandbox_pid(home.path(), "airflow.pid");
    drop(sandbox);
    expect_session_gone(emulator, "the emulator after sandbox down");
    expect_session_gone(airflow, "Airflow after sandbox down");
    assert!(
        failed.is_empty(),
        "scenarios failed (their panics are printed above): {failed:?}"
    );
}

/// The bucket list stays open while the emulator is killed; each round: the problem shows,
/// the dead emulator (and the Airflow that `sandbox up` replaces with it) leaves nothing
/// behind, `sandbox up` + ctrl-r bring the list back from the new endpoint.
fn emulator_killed(sandbox: &Sandbox) {
    let home = sandbox.home();
    let mut console = Console::start(home, &["--sandbox"]);
    wait_for_row(&console, "buckets", DATALAKE);
    for round in 1..=ROUNDS {
        let emulator = sandbox_pid(home, "emulator.pid");
        let airflow = sandbox_pid(home, "airflow.pid");
        let before = sandbox.endpoint();
        kill_9(emulator);
        let shown = console.wait_for(UNREACHABLE);
        assert!(
            shown.contents().contains(&before),
            "round {round}: the status bar does not name the endpoint that went away:\n{}",
            shown.contents()
        );
        expect_session_gone(emulator, "the killed emulator");

        sandbox.up_again();
        if sandbox_pid(home, "airflow.pid") != airflow {
            expect_session_gone(airflow, "the Airflow that sandbox up replaced");
        }
        let after = sandbox.endpoint();
        eprintln!("round {round}: emulator {before} killed, now at {after}");
        console.send(CTRL_R);
        expect_recovered(&console, &format!("round {round}"), &after, DATALAKE);
    }
    quit(console);
}

/// The DAG list stays open while the Airflow launcher is killed; each round: the problem
/// shows, the launcher's processes (api-server, scheduler, dag-processor, workers) are all
/// gone, `sandbox up` + ctrl-r bring the list back from the new Airflow.
fn airflow_killed(sandbox: &Sandbox) {
    let home = sandbox.home();
    let mut console = Console::start(home, &["--sandbox"]);
    wait_for_row(&console, "buckets", DATALAKE);
    console.send(&format!(":dags sandbox{}", keys::ENTER));
    wait_for_row(&console, "dags @sandbox", DAG);
    for round in 1..=ROUNDS {
        let launcher = sandbox_pid(home, "airflow.pid");
        let before = sandbox.airflow_url();
        kill_9(launcher);
        let shown = console.wait_for(UNREACHABLE);
        assert!(
            shown.contents().contains(&before),
            "round {round}: the error does not name the Airflow that went away:\n{}",
            shown.contents()
        );
        expect_session_gone(launcher, "the killed Airflow launcher");

        sandbox.up_again();
        let after = sandbox.airflow_url();
        eprintln!("round {round}: Airflow {before} killed, now at {after}");
        console.send(CTRL_R);
        expect_recovered(
            &console,
            &format!("round {round}"),
            &sandbox.endpoint(),
            DAG,
        );
    }
    quit(console);
}

/// Waits until the table shows `row` again from a fresh load: the status bar names
/// `endpoint`, the problem and the stale marker are gone.
fn expect_recovered(console: &Console, what: &str, endpoint: &str, row: &str) {
    let endpoint = endpoint.to_owned();
    let row = row.to_owned();
    console.wait_until(
        &format!("{what}: the view to show {row} from {endpoint} after ctrl-r"),
        move |screen| {
            let text = screen.contents();
            text.contains(&endpoint)
                && !text.contains(UNREACHABLE)
                && !text.contains("stale:")
                && has_row(screen, &row)
        },
    );
}

// ---- hostile remote text ----

/// Every kind of text a terminal must not get from a remote party, with a visible marker.
const HOSTILE: &str = "ESC\u{1b}[2J\u{1b}]0;pwned\u{7}C0\u{1}\u{8}\u{7f}C1\u{85}\u{9b}31m\
                       BIDI\u{202e}\u{2066}\u{2067}\u{2068}\u{2069}\u{61c}\u{200e}\
                       ZW\u{200b}\u{200c}\u{200d}\u{2060}\u{feff}END";

/// Puts the hostile strings into the sandbox through its own APIs and prints what the
/// console needs to find them: the EMR cluster id.
const SEED: &str = r#"
import json, sys, time, urllib.request
import boto3
endpoint, airflow, hostile, glue_job, dag = sys.argv[1:6]
kw = dict(endpoint_url=endpoint, region_name="us-east-1",
          aws_access_key_id="test", aws_secret_access_key="test")
s3 = boto3.client("s3", **kw)
bucket = "nyctaxi-sandbox-datalake"
# A key with every hostile character; a text body with them and a megabyte line; a body that
# is not UTF-8 at all.
s3.put_object(Bucket=bucket, Key="hostile-text/key-" + hostile + ".txt", Body=b"x")
text = ("line one " + hostile + "\n" + "M" * (1 << 20) + hostile + "\nlast line " + hostile + "\n")
s3.put_object(Bucket=bucket, Key="hostile-text/body.txt", Body=text.encode("utf-8"))
s3.put_object(Bucket=bucket, Key="hostile-text/bytes.log",
              Body=b"start \xff\xfe\xc3\x28 \x1b[31m\x9b2J" + hostile.encode() + b"\n")

def control(path, body):
    token = open(sys.argv[6]).read().strip()
    request = urllib.request.Request(endpoint + "/platform-api/" + path, method="POST",
        data=json.dumps(body).encode(), headers={"Content-Type": "application/json",
                                                 "X-Platform-Api-Token": token})
    urllib.request.urlopen(request).read()

# Glue: the next run of the job fails with the hostile message.
control("inject", {"target": "glue-job", "name": glue_job, "message": "glue " + hostile})
glue = boto3.client("glue", **kw)
run_id = glue.start_job_run(JobName=glue_job)["JobRunId"]
deadline = time.time() + 120
while glue.get_job_run(JobName=glue_job, RunId=run_id)["JobRun"]["JobRunState"] != "FAILED":
    assert time.time() < deadline, "the injected Glue failure did not fail the run"
    time.sleep(0.5)

# EMR: a step on the seeded cluster fails with the hostile message.
emr = boto3.client("emr", **kw)
cluster = emr.list_clusters(ClusterStates=["WAITING", "RUNNING"])["Clusters"][0]["Id"]
control("inject", {"target": "emr-step", "message": "emr " + hostile})
emr.add_job_flow_steps(JobFlowId=cluster, Steps=[{
    "Name": "hostile-step", "ActionOnFailure": "CONTINUE",
    "HadoopJarStep": {"Jar": "command-runner.jar", "Args": ["spark-submit", "s3://x/y.py"]}}])

# Redshift: the next statement on the warehouse (typed in the console) fails with the hostile
# message.
control("inject", {"target": "redshift-sql", "message": "sql " + hostile})

# Airflow: a run of the (paused) DAG with a hostile conf and note; it stays queued.
token = json.load(urllib.request.urlopen(urllib.request.Request(
    airflow + "/auth/token", method="POST",
    data=json.dumps({"username": "admin", "password": "admin"}).encode(),
    headers={"Content-Type": "application/json"})))["access_token"]
urllib.request.urlopen(urllib.request.Request(
    airflow + "/api/v2/dags/" + dag + "/dagRuns", method="POST",
    data=json.dumps({"logical_date": None, "conf": {"hostile": "conf " + hostile},
                     "note": "note " + hostile}).encode(),
    headers={"Content-Type": "application/json", "Authorization": "Bearer " + token})).read()
print(cluster)
"#;

fn hostile_text(sandbox: &Sandbox) {
    let home = sandbox.home();
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/sandbox/bin/python");
    let output = Command::new(&python)
        .args(["-c", SEED])
        .args([
            &sandbox.endpoint(),
            &sandbox.airflow_url(),
            HOSTILE,
            GLUE_JOB,
            DAG,
        ])
        .arg(home.join("state/sandbox/control.token"))
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.display()));
    assert!(
        output.status.success(),
        "seeding the hostile text failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let cluster = String::from_utf8_lossy(&output.stdout).trim().to_owned();

    let mut console = Console::start(home, &["--sandbox"]);
    wait_for_row(&console, "buckets", DATALAKE);

    // S3: the key in the listing, the text body (with its megabyte line), the bytes.
    console.send(&format!(":objects {DATALAKE}/hostile-text/{}", keys::ENTER));
    wait_for_row(&console, "hostile-text/", "body.txt");
    // The key in caret and code-point form (cut at the column's width).
    console.wait_for("key-ESC^[[2J^[]0;pwned^GC0^A");
    open_row(&mut console, "body.txt", "p");
    // Bounded: the first 64 KiB, the megabyte line cut.
    console.wait_for("line one ESC^[[2J^[]0;pwned^G");
    console.wait_for("first 65536 of");
    back(&mut console, "hostile-text/");
    open_row(&mut console, "bytes.log", "p");
    console.wait_for("preview s3://nyctaxi-sandbox-datalake/hostile-text/bytes.log");
    back(&mut console, "hostile-text/");

    // Glue: the failed run's error in the table and in its detail.
    console.send(&format!(":gluejobruns {GLUE_JOB}{}", keys::ENTER));
    console.wait_for("FAILED");
    console.wait_for("glue ESC");
    console.send("d");
    console.wait_for("› run jr_");
    // The detail wraps the error: its parts, not the whole.
    console.wait_for("^[]0;pwned^GC0^A");
    close(&mut console);

    // EMR: the failed step's reason in the table and its detail.
    console.send(&format!(":steps {cluster}{}", keys::ENTER));
    wait_for_row(&console, &format!("steps {cluster}"), "s-");
    console.wait_for("hostile-step");
    console.wait_for("FAILED");
    open_row(&mut console, "hostile-step", keys::ENTER);
    console.wait_for("^[]0;pwned^GC0^A");
    close(&mut console);

    // Redshift: the failed statement's error in the statement history and its error text.
    console.send(&format!(":sql{}", keys::ENTER));
    console.wait_for("sql nyctaxi-sandbox-warehouse/analytics (");
    console.send("a");
    console.wait_for("SQL on");
    console.send(&format!("select 1{}", keys::ENTER));
    console.wait_for("FAILED");
    console.wait_for("sql ESC");
    open_row(&mut console, "select 1", keys::ENTER);
    console.wait_for("› error ");
    console.wait_for("^[]0;pwned^GC0^A");
    close(&mut console);

    // Airflow: the run with the hostile conf in the runs table (at 120 columns the CONF
    // column shows only the conf's start; what is drawn of it is checked below).
    console.send(&format!(":runs {DAG}{}", keys::ENTER));
    console.wait_for("{\"h");

    let events = console.events();
    assert!(
        events.is_empty(),
        "the terminal received more than drawing: {events:?}"
    );
    let foreign = foreign_controls(&console.raw_output());
    assert!(
        foreign.is_empty(),
        "{} foreign controls reached the terminal; the first ones:\n{}",
        foreign.len(),
        foreign
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    quit(console);
}

/// Moves the cursor to the row starting with `name` (filter `/name`, the filter before
/// erased: `/` edits it) and presses `key`.
fn open_row(console: &mut Console, name: &str, key: &str) {
    let erase = "\x7f".repeat(40);
    console.send(&format!("/{erase}{name}{}", keys::ENTER));
    let wanted = name.to_owned();
    console.wait_until(&format!("the filter to leave {name}"), move |screen| {
        table_title(screen).contains("(1/") && screen.contents().contains(&wanted)
    });
    console.send(key);
}

/// Esc, and waits until the screen's top line (the breadcrumbs) changed: a key typed in the
/// same burst as Esc would read as Alt-key.
fn close(console: &mut Console) {
    let top = |screen: &vt100::Screen| screen.rows(0, screen.size().1).next().unwrap_or_default();
    let before = top(&console.screen());
    console.send(keys::ESC);
    console.wait_until("the view to close", move |screen| top(screen) != before);
}

/// Esc until the table `name` is on screen again.
fn back(console: &mut Console, name: &str) {
    console.send(keys::ESC);
    let name = name.to_owned();
    console.wait_until(&format!("the table {name} again"), move |screen| {
        is_titled(&table_title(screen), &name)
    });
}

// ---- screen helpers ----

fn wait_for_row(console: &Console, table: &str, row: &str) -> vt100::Screen {
    let (table, row) = (table.to_owned(), row.to_owned());
    console.wait_until(
        &format!("the table {table} with the row {row}"),
        move |screen| {
            let title = table_title(screen);
            is_titled(&title, &table) && !title.contains("loading…") && has_row(screen, &row)
        },
    )
}

/// `q` quits at once and gives the terminal back.
fn quit(mut console: Console) {
    console.send("q");
    let status = console.wait_exit();
    assert!(
        status.success(),
        "{} exited with {status:?}",
        console.label()
    );
    assert_eq!(
        console.modes_now(),
        console.modes_before(),
        "the terminal's modes were not given back"
    );
}
