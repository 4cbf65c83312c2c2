//! Test harness: the sandbox's AWS emulator (moto, `sandbox/emulator.py`) as a child
//! process on a free port of 127.0.0.1, stopped by pid when the handle drops.
//! Shared by the integration tests and the benchmarks (`#[path]` include).
#![allow(dead_code)] // each test binary uses a different part

pub mod airflow;
pub mod gate;

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use platform_tui::aws::AwsSettings;

/// The start takes about 0.5 s; seeding (`--seed`) a few seconds more.
const READY_TIMEOUT: Duration = Duration::from_secs(30);
const SEEDED_READY_TIMEOUT: Duration = Duration::from_secs(120);
/// Starts that may fail because another process took the port between probe and bind.
const START_ATTEMPTS: usize = 3;

/// A job script for the run-state tests of Glue runs and EMR steps: a real process, like a
/// Spark job's driver, without Spark's start-up. It prints `started` to stdout, then a line a
/// second to stdout and stderr for `--sleep` seconds (default 0), then `done`.
pub const TEST_JOB_SCRIPT: &str = r#"import sys, time
args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
print("started", flush=True)
for second in range(int(args.get("--sleep", "0"))):
    time.sleep(1)
    print(f"working {second + 1}", flush=True)
    print(f"INFO test_job: working {second + 1}", file=sys.stderr, flush=True)
print("done", flush=True)
"#;

/// A running emulator; killed (by pid) and reaped on drop.
pub struct Emulator {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Emulator {
    /// Starts an empty emulator (`sandbox/emulator.py`, no seed) from the project's sandbox
    /// venv and waits until it answers.
    pub fn start() -> Emulator {
        Self::start_with(&Options::default())
    }

    /// Starts the emulator with `--seed` (the sandbox's buckets and data, among them a
    /// 20,000-key prefix) and waits for its `READY` line.
    pub fn start_seeded() -> Emulator {
        Self::start_with(&Options {
            seed: true,
            ..Options::default()
        })
    }

    pub fn start_with(options: &Options) -> Emulator {
        let root = project_root();
        let python = sandbox_python();
        let mut failures = Vec::new();
        for _ in 0..START_ATTEMPTS {
            match Self::try_start(&root, &python, options) {
                Ok(emulator) => return emulator,
                Err(failure) => failures.push(failure),
            }
        }
        panic!("the emulator did not start:\n{}", failures.join("\n---\n"));
    }

    fn try_start(root: &Path, python: &Path, options: &Options) -> Result<Emulator, String> {
        let port = free_port();
        let log = std::env::temp_dir().join(format!(
            "platform-tui-emulator-{}-{port}.log",
            std::process::id()
        ));
        let stderr =
            File::create(&log).map_err(|e| format!("cannot create {}: {e}", log.display()))?;
        let mut command = Command::new(python);
        command
            .env(CONTROL_TOKEN_VARIABLE, control_token(port))
            .arg(root.join("sandbox/emulator.py"))
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .current_dir(root)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            // A file, not a pipe: moto logs every request and would block on a full pipe.
            .stderr(stderr)
            .envs(options.env.iter().map(|(k, v)| (k, v)));
        if options.seed {
            command.arg("--seed");
        }
        let mut child = command
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
        let ready_line = watch_for_ready_line(child.stdout.take().expect("stdout is piped"));
        let mut emulator = Emulator { child, port, log };
        let timeout = if options.seed {
            SEEDED_READY_TIMEOUT
        } else {
            READY_TIMEOUT
        };
        let deadline = Instant::now() + timeout;
        loop {
            let ready = if options.seed {
                ready_line.try_recv().is_ok()
            } else {
                http_status(port, "GET", "/moto-api/") == Some(200)
            };
            if ready {
                return Ok(emulator);
            }
            if let Ok(Some(status)) = emulator.child.try_wait() {
                return Err(format!(
                    "exited with {status}; stderr:\n{}",
                    emulator.stderr()
                ));
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "not ready within {timeout:?}; stderr:\n{}",
                    emulator.stderr()
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Settings for the app's AWS layer: this endpoint, dummy credentials, one attempt.
    pub fn settings(&self) -> AwsSettings {
        AwsSettings {
            profile: None,
            region: Some("us-east-1".into()),
            endpoint_url: Some(self.endpoint()),
            static_test_credentials: true,
            max_attempts: Some(1),
        }
    }

    /// Stores `body` at s3://`bucket`/`key` (creating the bucket), e.g. a job's script.
    pub async fn put_object(&self, bucket: &str, key: &str, body: &str) {
        let config = platform_tui::aws::sdk_config(&self.settings()).await;
        let s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&config)
                .force_path_style(true)
                .build(),
        );
        let _ = s3.create_bucket().bucket(bucket).send().await;
        s3.put_object()
            .bucket(bucket)
            .key(key)
            .body(body.as_bytes().to_vec().into())
            .send()
            .await
            .unwrap_or_else(|e| panic!("PutObject s3://{bucket}/{key}: {e:?}"));
    }

    /// Forgets every resource (`POST /moto-api/reset`).
    pub fn reset(&self) {
        let status = http_status(self.port, "POST", "/moto-api/reset");
        assert_eq!(status, Some(200), "POST /moto-api/reset failed");
    }

    /// POSTs JSON to the emulator's control endpoint (`/platform-api/PATH`, sandbox/platform_ext:
    /// injected failures and durations); panics unless it answers 2xx.
    pub fn control(&self, path: &str, body: &str) {
        let answer = self.control_request("POST", path, body, Some(&control_token(self.port)));
        match answer {
            Some((status, _)) if (200..300).contains(&status) => {}
            other => panic!("POST /platform-api/{path}: {other:?}"),
        }
    }

    /// A request to `/platform-api/PATH` with `token` (or none) in the control token header.
    pub fn control_request(
        &self,
        method: &str,
        path: &str,
        body: &str,
        token: Option<&str>,
    ) -> Option<(u16, String)> {
        let header = token
            .map(|t| format!("X-Platform-Api-Token: {t}\r\n"))
            .unwrap_or_default();
        http_request(
            self.port,
            method,
            &format!("/platform-api/{path}"),
            body,
            &header,
        )
    }

    /// The emulator's log so far (its stderr).
    pub fn stderr(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        // Child::kill sends SIGKILL to exactly this pid; wait reaps it.
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

/// How to start the emulator.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Pass `--seed` and wait for the `READY` line instead of the first answer.
    pub seed: bool,
    /// Extra environment, e.g. moto's `INITIAL_NO_AUTH_ACTION_COUNT` to enforce IAM.
    pub env: Vec<(String, String)>,
}

/// The sandbox venv's Python (it has moto and boto3), or a panic saying how to make it.
pub fn sandbox_python() -> PathBuf {
    let python = project_root().join(".venv/sandbox/bin/python");
    if !python.exists() {
        panic!(
            "{} is missing: run `scripts/venv sandbox` (the test command does this)",
            python.display()
        );
    }
    python
}

/// Reads the child's stdout on a thread (so it never fills up) and reports its `READY` line.
pub fn watch_for_ready_line(stdout: ChildStdout) -> Receiver<()> {
    let (ready, ready_line) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            match line {
                Ok(line) if line.starts_with("READY ") => {
                    let _ = ready.send(());
                }
                Ok(_) => {}
                Err(_) => return,
            }
        }
    });
    ready_line
}

/// A port nothing listens on right now (bound and released at once).
pub fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("cannot bind a port on 127.0.0.1")
}

pub fn project_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Status code of a bodiless HTTP/1.1 request to 127.0.0.1:`port`, or None if it failed.
fn http_status(port: u16, method: &str, path: &str) -> Option<u16> {
    http_request(port, method, path, "", "").map(|(status, _)| status)
}

/// One HTTP/1.1 request with a JSON `body` to the emulator: (status, whole response).
/// The variable the emulator reads its control token from (sandbox/platform_ext/http_api.py).
const CONTROL_TOKEN_VARIABLE: &str = "PLATFORM_API_TOKEN";

/// The control token of the test emulator on `port`.
fn control_token(port: u16) -> String {
    format!("test-control-token-{}-{port}", std::process::id())
}

fn http_request(
    port: u16,
    method: &str,
    path: &str,
    body: &str,
    headers: &str,
) -> Option<(u16, String)> {
    let mut stream =
        TcpStream::connect_timeout(&(Ipv4Addr::LOCALHOST, port).into(), Duration::from_secs(1))
            .ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{headers}Content-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.strip_prefix("HTTP/1.")?.get(2..5)?.parse().ok()?;
    Some((status, response))
}
