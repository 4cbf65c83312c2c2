//! Where things live: the project checkout (sandbox files, themes, venvs) and the
//! XDG directories for config, state (audit log, sandbox pids and logs) and logs.

use std::path::PathBuf;

use directories::ProjectDirs;

/// Environment variable that overrides every XDG directory at once (tests use it).
pub const HOME_OVERRIDE: &str = "PLATFORM_TUI_HOME";
/// Environment variable that points at the project checkout.
pub const PROJECT_OVERRIDE: &str = "PLATFORM_TUI_PROJECT";

/// The project checkout: sandbox/, themes/, data/, dags/, .venv/.
/// `PLATFORM_TUI_PROJECT` wins; otherwise the directory the binary was built from.
pub fn project_dir() -> PathBuf {
    std::env::var_os(PROJECT_OVERRIDE)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

/// Python virtual environments made by `scripts/venv NAME` live in `<project>/.venv/NAME`.
pub fn venv_dir(name: &str) -> PathBuf {
    project_dir().join(".venv").join(name)
}

/// A path the user typed, with a leading `~/` meaning their home directory.
pub fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(path),
    }
}

fn dirs() -> Option<ProjectDirs> {
    ProjectDirs::from("", "", "platform-tui")
}

fn overridden(sub: &str) -> Option<PathBuf> {
    std::env::var_os(HOME_OVERRIDE).map(|home| PathBuf::from(home).join(sub))
}

/// `$XDG_CONFIG_HOME/platform-tui`: config.toml and user themes.
pub fn config_dir() -> PathBuf {
    overridden("config")
        .or_else(|| dirs().map(|d| d.config_dir().to_path_buf()))
        .unwrap_or_else(|| PathBuf::from(".platform-tui/config"))
}

/// `$XDG_STATE_HOME/platform-tui`: audit.jsonl, the console log, sandbox pids and logs.
pub fn state_dir() -> PathBuf {
    overridden("state")
        .or_else(|| {
            dirs().map(|d| {
                d.state_dir()
                    .map(|p| p.to_path_buf())
                    .unwrap_or_else(|| d.data_local_dir().to_path_buf())
            })
        })
        .unwrap_or_else(|| PathBuf::from(".platform-tui/state"))
}

pub fn default_config_file() -> PathBuf {
    config_dir().join("config.toml")
}

pub fn audit_file() -> PathBuf {
    state_dir().join("audit.jsonl")
}

pub fn log_file() -> PathBuf {
    state_dir().join("platform-tui.log")
}

pub fn sandbox_dir() -> PathBuf {
    state_dir().join("sandbox")
}

#[cfg(test)]
mod tests {
    use super::expand_home;
    use std::path::PathBuf;

    #[test]
    fn a_leading_tilde_is_the_home_directory() {
        assert_eq!(expand_home("./trips.csv"), PathBuf::from("./trips.csv"));
        assert_eq!(expand_home("/tmp/~x"), PathBuf::from("/tmp/~x"));
        if let Some(home) = std::env::var_os("HOME") {
            assert_eq!(
                expand_home("~/logs/run.txt"),
                PathBuf::from(home).join("logs/run.txt")
            );
        }
    }
}
