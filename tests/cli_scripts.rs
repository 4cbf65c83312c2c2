//! The real binary's non-interactive side (no sandbox needed here; the S3 listings are in
//! `e2e_console.rs`): what reaches a terminal is sanitized, JSON output is JSON Lines with
//! hostile characters escaped, a closed pipe ends it quietly, a URL without its scheme and a
//! sandbox context with no sandbox are refused with a message saying what to do.

mod e2e;

use std::path::Path;
use std::process::{Output, Stdio};

use e2e::platform_tui;

/// A context name with an OSC title change, a bell, a CSI clear, a right-to-left override,
/// an Arabic letter mark and a zero-width space.
const HOSTILE_NAME: &str = "ops\u{1b}]0;pwned\u{7}\u{1b}[2J\u{202E}\u{61C}\u{200B}x";
const HOSTILE_TOML_KEY: &str = r#""ops\u001b]0;pwned\u0007\u001b[2J\u202e\u061c\u200bx""#;

fn config_with(home: &Path, text: &str) -> String {
    let path = home.join("config.toml");
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

fn hostile_config(home: &Path) -> String {
    config_with(
        home,
        &format!(
            "[contexts.{HOSTILE_TOML_KEY}]\nregion = \"us-east-1\"\n\n[contexts.plain]\nregion = \"eu-west-1\"\nread_only = true\n"
        ),
    )
}

fn run(home: &Path, args: &[&str]) -> Output {
    platform_tui(home)
        .args(args)
        .output()
        .expect("run platform-tui")
}

/// No byte that a terminal would act on: C0 controls other than newline and tab, DEL, C1
/// controls, bidi controls and invisible format characters.
fn assert_inert(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let bad: Vec<String> = text
        .chars()
        .filter(|&c| {
            (c.is_control() && c != '\n' && c != '\t')
                || platform_tui::sanitize::is_invisible_format(c)
        })
        .map(|c| format!("U+{:04X}", c as u32))
        .collect();
    assert!(bad.is_empty(), "{what} holds {bad:?}: {text:?}");
}

#[test]
fn contexts_text_output_shows_hostile_names_inert() {
    let home = tempfile::tempdir().unwrap();
    let config = hostile_config(home.path());
    let output = run(home.path(), &["--config", &config, "contexts"]);
    assert!(output.status.success(), "{output:?}");
    assert_inert("contexts output", &output.stdout);
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains("ops^[]0;pwned^G^[[2J<U+202E><U+061C><U+200B>x\tprofile=default"),
        "{stdout}"
    );
    assert!(
        stdout.contains("plain\tprofile=default\tregion=eu-west-1"),
        "{stdout}"
    );
}

#[test]
fn contexts_json_is_json_lines_escaped_and_exact() {
    let home = tempfile::tempdir().unwrap();
    let config = hostile_config(home.path());
    let output = run(
        home.path(),
        &["--config", &config, "contexts", "-o", "json"],
    );
    assert!(output.status.success(), "{output:?}");
    assert_inert("contexts --output json", &output.stdout);
    let stdout = String::from_utf8(output.stdout).unwrap();
    let rows: Vec<serde_json::Value> = stdout
        .lines()
        .map(|line| {
            serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("not one JSON object a line: {line:?}: {e}"))
        })
        .collect();
    assert_eq!(rows.len(), 2, "{stdout}");
    assert_eq!(rows[0]["name"], HOSTILE_NAME);
    assert_eq!(rows[1]["name"], "plain");
    assert_eq!(rows[1]["read_only"], true);
}

#[test]
fn errors_on_stderr_are_sanitized() {
    let home = tempfile::tempdir().unwrap();
    let config = hostile_config(home.path());
    let output = run(
        home.path(),
        &[
            "--config",
            &config,
            "--context",
            "nope\u{1b}[2J",
            "contexts",
        ],
    );
    // `contexts` does not need a context; `ls` does.
    assert!(output.status.success(), "{output:?}");
    let output = run(
        home.path(),
        &[
            "--config",
            &config,
            "--context",
            "nope\u{1b}[2J\u{202E}",
            "ls",
        ],
    );
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert_inert("the error", &output.stderr);
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("no context named `nope^[[2J<U+202E>`"),
        "{stderr}"
    );
    // The hint lists the defined contexts, the hostile one inert.
    assert!(stderr.contains("ops^[]0;pwned^G"), "{stderr}");
}

/// Runs with stdout on a pipe whose reader is already closed: every write fails with EPIPE.
fn run_into_closed_pipe(home: &Path, args: &[&str]) -> Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    platform_tui(home)
        .args(args)
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .expect("run platform-tui")
}

#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    let home = tempfile::tempdir().unwrap();
    let config = hostile_config(home.path());
    for args in [
        vec!["completions", "bash"],
        vec!["--config", &config, "contexts"],
        vec!["--config", &config, "contexts", "-o", "json"],
    ] {
        let output = run_into_closed_pipe(home.path(), &args);
        assert_eq!(
            output.status.code(),
            Some(0),
            "platform-tui {args:?} into a closed pipe: {output:?}"
        );
        assert!(
            output.stderr.is_empty(),
            "platform-tui {args:?} into a closed pipe said {:?}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn an_endpoint_url_without_scheme_is_refused_before_anything_runs() {
    let home = tempfile::tempdir().unwrap();
    for args in [
        vec!["--endpoint-url", "localhost:4566", "ls"],
        vec!["--endpoint-url", "localhost:4566"],
    ] {
        let output = run(home.path(), &args);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {output:?}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(
            stderr.contains("`localhost:4566` must start with http:// or https://"),
            "{stderr}"
        );
        assert!(!stderr.to_lowercase().contains("region"), "{stderr}");
        assert!(output.stdout.is_empty());
    }
}

#[test]
fn a_sandbox_context_without_a_running_sandbox_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let config = config_with(home.path(), "[contexts.local]\nsandbox = true\n");
    for args in [
        vec!["--config", config.as_str(), "--context", "local", "ls"],
        // The console: refused before it touches the terminal.
        vec!["--config", config.as_str(), "--context", "local"],
    ] {
        let output = run(home.path(), &args);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {output:?}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(
            stderr.contains("context 'local' is a sandbox context")
                && stderr.contains("no sandbox is running")
                && stderr.contains("`platform-tui sandbox up`"),
            "{stderr}"
        );
        assert!(output.stdout.is_empty(), "{:?}", output.stdout);
    }
}

/// A config or theme that is a FIFO would block the start forever: it is refused at once,
/// naming the file and what it is. (Run in a thread: a hang fails the join, not the suite.)
#[test]
fn a_fifo_as_config_or_theme_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let fifo = home.path().join("config.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let fifo = fifo.to_str().unwrap().to_string();
    for args in [
        vec!["--config", fifo.as_str(), "contexts"],
        vec!["--theme", fifo.as_str()],
        vec!["--config", "/dev/zero", "contexts"],
    ] {
        let output = run(home.path(), &args);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {output:?}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(stderr.contains("not a regular file"), "{stderr}");
        assert!(
            stderr.contains("a FIFO") || stderr.contains("a character device"),
            "{stderr}"
        );
    }
}

#[test]
fn a_keymap_that_binds_one_key_twice_is_refused_at_its_line() {
    let home = tempfile::tempdir().unwrap();
    let config = config_with(
        home.path(),
        "# keys\n[keys]\nrefresh = \"ctrl-r\"\nquit = \"j\"\n",
    );
    let output = run(home.path(), &["--config", &config, "contexts"]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains(&format!(
            "{config}:4:1: key `j` is bound to both `down` (by default) and `quit`"
        )),
        "{stderr}"
    );
}
