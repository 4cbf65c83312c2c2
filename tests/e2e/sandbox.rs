//! The sandbox the console runs against: started once with `platform-tui sandbox up` in the
//! test's home, stopped with `platform-tui sandbox down` when the guard drops (also when a
//! scenario panicked).

use std::path::{Path, PathBuf};
use std::process::Output;

use super::platform_tui;

pub struct Sandbox {
    home: PathBuf,
}

impl Sandbox {
    /// Starts the sandbox (its venv must exist: `scripts/venv sandbox`, which the test command
    /// runs) and waits until it is seeded.
    pub fn up(home: &Path) -> Sandbox {
        let venv_python = Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/sandbox/bin/python");
        assert!(
            venv_python.exists(),
            "{} is missing: run `scripts/venv sandbox` (the test command does this)",
            venv_python.display()
        );
        let guard = Sandbox {
            home: home.to_path_buf(),
        };
        guard.expect_success(&["sandbox", "up", "--without-airflow"]);
        guard
    }

    /// The same with the sandbox's Airflow 3 (20-40 s more).
    pub fn up_with_airflow(home: &Path) -> Sandbox {
        let guard = Sandbox {
            home: home.to_path_buf(),
        };
        guard.expect_success(&["sandbox", "up"]);
        guard
    }

    /// `platform-tui sandbox up` again, e.g. after its emulator or Airflow was killed: it
    /// starts what is missing (on new ports) and keeps what runs.
    pub fn up_again(&self) {
        self.expect_success(&["sandbox", "up"]);
    }

    /// The emulator's endpoint now, from the sandbox's state.
    pub fn endpoint(&self) -> String {
        self.state_field("state.json", "endpoint_url")
    }

    /// Airflow's address now, from the sandbox's state.
    pub fn airflow_url(&self) -> String {
        self.state_field("airflow.json", "url")
    }

    fn state_field(&self, file: &str, field: &str) -> String {
        let path = self.home.join("state/sandbox").join(file);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let state: serde_json::Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
        state[field]
            .as_str()
            .unwrap_or_else(|| panic!("no {field} in {text}"))
            .to_owned()
    }

    pub fn home(&self) -> &Path {
        &self.home
    }

    /// The keys (and prefixes) directly under `s3://bucket/prefix`, as the non-interactive
    /// `platform-tui ls --sandbox --output json` lists them.
    pub fn list(&self, s3_url: &str) -> Vec<String> {
        let output = self.expect_success(&["ls", "--sandbox", "--output", "json", s3_url]);
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(|line| {
                let entry: serde_json::Value = serde_json::from_str(line)
                    .unwrap_or_else(|e| panic!("`ls --output json` printed {line:?}: {e}"));
                entry["key"]
                    .as_str()
                    .or(entry["prefix"].as_str())
                    .unwrap_or_else(|| panic!("neither key nor prefix in {line}"))
                    .to_owned()
            })
            .collect()
    }

    fn run(&self, args: &[&str]) -> Output {
        platform_tui(&self.home)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run platform-tui {}: {e}", args.join(" ")))
    }

    fn expect_success(&self, args: &[&str]) -> Output {
        let output = self.run(args);
        assert!(
            output.status.success(),
            "platform-tui {} failed ({}):\n{}{}",
            args.join(" "),
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        output
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let output = self.run(&["sandbox", "down"]);
        if !output.status.success() {
            eprintln!(
                "platform-tui sandbox down failed ({}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            );
        }
    }
}
