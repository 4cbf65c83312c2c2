//! Helpers of the end-to-end test (`tests/e2e_console.rs`): the console in a pseudo-terminal,
//! the sandbox it runs against, and the audit file it writes.
#![allow(dead_code)] // not every helper is used by every scenario

pub mod audit;
pub mod console;
pub mod controls;
pub mod processes;
pub mod proxy;
pub mod sandbox;
pub mod terminal;

use std::panic::{self, AssertUnwindSafe};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// Environment variables that would point the program somewhere else than the test asks:
/// the project checkout (the binary knows its own), an AWS profile or endpoint, no colour.
pub const FOREIGN_ENV: &[&str] = &[
    "PLATFORM_TUI_PROJECT",
    "AWS_PROFILE",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
    "NO_COLOR",
];

/// `platform-tui` as a plain child process (no terminal) with `PLATFORM_TUI_HOME=home`.
pub fn platform_tui(home: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_platform-tui"));
    command.env("PLATFORM_TUI_HOME", home).current_dir(home);
    for name in FOREIGN_ENV {
        command.env_remove(name);
    }
    command
}

/// Runs one scenario of a test that holds several, catching its panic (printed as it happens)
/// so the others still run; says how it went and how long it took. True when it passed.
pub fn run_scenario(name: &str, scenario: impl FnOnce()) -> bool {
    let started = Instant::now();
    let passed = panic::catch_unwind(AssertUnwindSafe(scenario)).is_ok();
    let verdict = if passed { "ok" } else { "FAILED" };
    eprintln!(
        "scenario {name}: {verdict} in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    passed
}
