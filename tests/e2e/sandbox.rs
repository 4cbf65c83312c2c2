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
