//! A broken config or theme stops the real binary before it touches the terminal: the
//! message names file, line and problem on stderr, stdout stays empty, the exit is non-zero.

use std::path::Path;
use std::process::{Command, Output};

/// Runs platform-tui with its XDG dirs in `home` and NO_COLOR unset (it would skip themes).
fn run(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_platform-tui"))
        .args(args)
        .env("PLATFORM_TUI_HOME", home)
        .env_remove("NO_COLOR")
        .output()
        .expect("run platform-tui")
}

fn assert_refused(output: &Output, expected_stderr: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(expected_stderr),
        "stderr {stderr:?} lacks {expected_stderr:?}"
    );
    assert!(!output.status.success(), "exit status {:?}", output.status);
    assert!(
        output.stdout.is_empty(),
        "terminal was written to: {:?}",
        String::from_utf8_lossy(&output.stdout)
    );
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn config_with_a_typo_names_file_line_and_fix() {
    let home = tempfile::tempdir().unwrap();
    let config = write(
        home.path(),
        "config.toml",
        "[contexts.prod]\nregion = \"eu-west-1\"\nreadonly = true\n",
    );
    let output = run(home.path(), &["--config", &config]);
    assert_refused(
        &output,
        &format!("{config}:3:1: unknown field `readonly`, expected one of `profile`, `region`, \
                  `endpoint_url`, `read_only`, `datalake_bucket`, `sandbox`, `airflow`, `terraform`\n  hint: did you mean `read_only`?\n"),
    );
}

#[test]
fn config_at_the_default_path_is_checked_too() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("config");
    std::fs::create_dir_all(&dir).unwrap();
    let config = write(&dir, "config.toml", "refresh_interval = \"soon\"\n");
    let output = run(home.path(), &[]);
    assert_refused(
        &output,
        &format!(
            "{config}:1:20: invalid duration `soon`: expected e.g. \"5s\", \"1500ms\" or \"2m\""
        ),
    );
}

#[test]
fn missing_explicit_config_is_an_error() {
    let home = tempfile::tempdir().unwrap();
    let missing = home.path().join("nope.toml");
    let output = run(home.path(), &["--config", missing.to_str().unwrap()]);
    assert_refused(
        &output,
        &format!(
            "{}: cannot read: No such file or directory",
            missing.display()
        ),
    );
}

#[test]
fn broken_theme_file_names_file_line_and_problem() {
    let home = tempfile::tempdir().unwrap();
    let theme = write(
        home.path(),
        "broken.toml",
        "[styles]\nheader = { fg = \"cyan\" }\nok = { fg = \"grene\" }\n",
    );
    let config = write(home.path(), "config.toml", &format!("theme = {theme:?}\n"));
    let output = run(home.path(), &["--config", &config]);
    assert_refused(&output, &format!("{theme}:3:13: unknown colour `grene`"));
}

#[test]
fn unknown_theme_name_lists_the_available_ones() {
    let home = tempfile::tempdir().unwrap();
    let output = run(home.path(), &["--theme", "drak"]);
    assert_refused(
        &output,
        "unknown theme `drak`\n  hint: available themes: dark, light, solarized",
    );
}

#[test]
fn unknown_context_lists_the_defined_ones() {
    let home = tempfile::tempdir().unwrap();
    let config = write(
        home.path(),
        "config.toml",
        "[contexts.prod]\n[contexts.dev]\n",
    );
    let output = run(home.path(), &["--config", &config, "--context", "staging"]);
    assert_refused(
        &output,
        &format!("{config}: no context named `staging`\n  hint: defined contexts: prod, dev"),
    );
}
