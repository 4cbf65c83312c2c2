use super::*;
use crossterm::event::{KeyCode, KeyModifiers};

const PATH: &str = "/cfg/config.toml";

fn load_text(text: &str) -> Result<Config, ConfigError> {
    load_str(text, Path::new(PATH))
}

fn error(text: &str) -> String {
    load_text(text).unwrap_err().to_string()
}

#[test]
fn example_file_loads_in_file_order() {
    let config = load_text(include_str!("../../config.example.toml")).unwrap();
    let names: Vec<&str> = config.contexts.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["prod", "sandbox"]);
    assert_eq!(config.refresh_interval, Duration::from_secs(5));
    assert_eq!(config.theme.as_deref(), Some("dark"));
    assert_eq!(config.log_line_cap, 100_000);
    assert_eq!(config.source.as_deref(), Some(Path::new(PATH)));
    let prod = config.context("prod").unwrap();
    assert_eq!(prod.profile.as_deref(), Some("analytics-prod"));
    assert_eq!(prod.region.as_deref(), Some("eu-west-1"));
    assert!(prod.read_only && !prod.sandbox);
    assert_eq!(
        prod.datalake_bucket.as_deref(),
        Some("nyctaxi-prod-datalake")
    );
    let sandbox = config.initial_context(None).unwrap();
    assert_eq!(sandbox.name, "sandbox");
    // No endpoint_url: the running sandbox's is used (sandbox::reach_running_sandbox).
    assert_eq!(sandbox.endpoint_url, None);
    assert!(sandbox.sandbox && !sandbox.read_only);
    let actions: Vec<(&str, String)> = config
        .keys
        .iter()
        .map(|(action, key)| (action.as_str(), key.label()))
        .collect();
    assert_eq!(
        actions,
        [
            ("quit", "q".to_string()),
            ("refresh", "ctrl-r".to_string()),
            ("down", "j".to_string()),
            ("down", "down".to_string()),
        ]
    );
}

#[test]
fn contexts_keep_file_order_not_name_order() {
    let config = load_text("[contexts.zeta]\n[contexts.alpha]\n[contexts.mid]\n").unwrap();
    let names: Vec<&str> = config.contexts.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["zeta", "alpha", "mid"]);
    assert_eq!(config.initial_context(None).unwrap().name, "zeta");
}

#[test]
fn empty_file_is_the_default_config() {
    let config = load_text("").unwrap();
    assert_eq!(
        config,
        Config {
            source: Some(PATH.into()),
            ..Config::default()
        }
    );
    assert_eq!(config.contexts[0].name, "default");
    assert_eq!(config.refresh_interval, Duration::from_secs(5));
}

#[test]
fn durations_as_strings_or_seconds() {
    let interval = |text| load_text(text).unwrap().refresh_interval;
    assert_eq!(interval("refresh_interval = 30"), Duration::from_secs(30));
    assert_eq!(
        interval("refresh_interval = \"2m\""),
        Duration::from_secs(120)
    );
    assert_eq!(
        interval("refresh_interval = \"1500ms\""),
        Duration::from_millis(1500)
    );
}

#[test]
fn initial_context_prefers_the_cli_choice() {
    let config = load_text("default_context = \"b\"\n[contexts.a]\n[contexts.b]\n").unwrap();
    assert_eq!(config.initial_context(None).unwrap().name, "b");
    assert_eq!(config.initial_context(Some("a")).unwrap().name, "a");
    assert_eq!(
        config.initial_context(Some("c")).unwrap_err().to_string(),
        "/cfg/config.toml: no context named `c`\n  hint: defined contexts: a, b"
    );
}

#[test]
fn syntax_error_points_at_line_and_column() {
    assert_eq!(
        error("theme = \"dark\"\nrefresh_interval = 5s\n"),
        "/cfg/config.toml:2:20: string values must be quoted, expected literal string"
    );
}

#[test]
fn unknown_field_suggests_the_closest_name() {
    assert_eq!(
        error("[contexts.prod]\nregion = \"eu-west-1\"\nreadonly = true\n"),
        "/cfg/config.toml:3:1: unknown field `readonly`, expected one of `profile`, `region`, \
         `endpoint_url`, `read_only`, `datalake_bucket`, `sandbox`, `airflow`, `terraform`\n  hint: did you mean `read_only`?"
    );
    assert_eq!(
        error("[context.prod]\n"),
        "/cfg/config.toml:1:2: unknown field `context`, expected one of `refresh_interval`, \
         `theme`, `default_context`, `log_line_cap`, `start`, `mouse`, `keys`, `contexts`\n  hint: did you mean `contexts`?"
    );
}

#[test]
fn wrong_value_type() {
    assert_eq!(
        error("[contexts.prod]\nread_only = \"yes\"\n"),
        "/cfg/config.toml:2:13: invalid type: string \"yes\", expected a boolean"
    );
    assert_eq!(
        error("[contexts]\nprod = 1\n"),
        "/cfg/config.toml:2:8: invalid type: integer `1`, expected a table of context settings"
    );
}

#[test]
fn unknown_action_in_keys() {
    assert_eq!(
        error("[keys]\nquit = \"q\"\nrefesh = \"ctrl-r\"\n"),
        "/cfg/config.toml:3:1: unknown action `refesh` in [keys]\n  hint: did you mean `refresh`?"
    );
    assert_eq!(
        error("[keys]\nlaunch_rockets = \"x\"\n"),
        format!(
            "/cfg/config.toml:2:1: unknown action `launch_rockets` in [keys]\n  hint: actions: {}",
            BINDABLE_ACTIONS.join(", ")
        )
    );
}

#[test]
fn bad_key_string() {
    let expected_keys = "expected a character or one of enter, esc, space, tab, backspace, \
        delete, insert, home, end, pgup, pgdn, up, down, left, right, f1-f12";
    assert_eq!(
        error("[keys]\nquit = \"hyper-q\"\n"),
        format!("/cfg/config.toml:2:8: invalid key `hyper-q`: {expected_keys}")
    );
    assert_eq!(
        error("[keys]\n\nhelp = [\"?\", \"F13\"]\n"),
        format!("/cfg/config.toml:3:8: invalid key `F13`: {expected_keys}")
    );
    assert_eq!(
        error("[keys]\nquit = 3\n"),
        "/cfg/config.toml:2:8: invalid type: integer `3`, expected a key such as \"ctrl-r\" or a list of keys"
    );
}

#[test]
fn keys_accept_lists_and_modifiers() {
    let config = load_text("[keys]\nrefresh = [\"ctrl-r\", \"F5\"]\n").unwrap();
    assert_eq!(
        config.keys,
        [
            (
                "refresh".to_string(),
                KeyBinding {
                    code: KeyCode::Char('r'),
                    modifiers: KeyModifiers::CONTROL
                }
            ),
            (
                "refresh".to_string(),
                KeyBinding {
                    code: KeyCode::F(5),
                    modifiers: KeyModifiers::NONE
                }
            ),
        ]
    );
}

#[test]
fn bad_durations() {
    assert_eq!(
        error("theme = \"light\"\nrefresh_interval = \"5 minutes\"\n"),
        "/cfg/config.toml:2:20: invalid duration `5 minutes`: expected e.g. \"5s\", \"1500ms\" or \"2m\""
    );
    assert_eq!(
        error("refresh_interval = \"500ms\"\n"),
        "/cfg/config.toml:1:20: refresh_interval must be at least 1s, got `500ms`"
    );
    assert_eq!(
        error("refresh_interval = 0\n"),
        "/cfg/config.toml:1:20: refresh_interval must be at least 1s, got `0`"
    );
}

#[test]
fn bad_log_line_cap() {
    assert_eq!(
        error("log_line_cap = 0\n"),
        "/cfg/config.toml:1:16: expected a positive number, got 0"
    );
}

#[test]
fn default_context_must_exist() {
    assert_eq!(
        error("default_context = \"staging\"\n\n[contexts.prod]\n[contexts.sandbox]\n"),
        "/cfg/config.toml:1:19: default_context `staging` is not defined\n  hint: defined contexts: prod, sandbox"
    );
}

#[test]
fn endpoint_url_must_be_http() {
    assert_eq!(
        error("[contexts.local]\nregion = \"us-east-1\"\nendpoint_url = \"localhost:4566\"\n"),
        "/cfg/config.toml:3:16: endpoint_url `localhost:4566` must start with http:// or https:// (e.g. http://localhost:4566)"
    );
    assert!(error("[contexts.local]\nendpoint_url = \"http://\"\n").contains("no host"));
    let config = load_text("[contexts.tls]\nendpoint_url = \"https://s3.example\"\n").unwrap();
    assert_eq!(
        config.contexts[0].endpoint_url.as_deref(),
        Some("https://s3.example")
    );
}

#[test]
fn missing_file_is_default_only_at_the_default_path() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("config.toml");
    assert_eq!(load_file(&missing, true), Ok(Config::default()));
    let err = load_file(&missing, false).unwrap_err().to_string();
    assert_eq!(
        err,
        format!(
            "{}: cannot read: No such file or directory (os error 2)",
            missing.display()
        )
    );
    assert_eq!(load(&missing).unwrap_err().to_string(), err);
}

#[test]
fn load_reads_the_file_and_reports_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, "[contexts.prod]\nregion = 1\n").unwrap();
    assert_eq!(
        load(&path).unwrap_err().to_string(),
        format!(
            "{}:2:10: invalid type: integer `1`, expected a string",
            path.display()
        )
    );
}

#[test]
fn terraform_settings_of_a_context() {
    let config = load_text(include_str!("../../config.example.toml")).unwrap();
    let prod = config.context("prod").unwrap();
    let terraform = prod.terraform.clone().expect("prod drives Terraform");
    assert_eq!(terraform.directory, PathBuf::from("infra/envs/prod"));
    assert_eq!(terraform.program.as_deref(), Some(Path::new("terraform")));
    let sandbox = config.context("sandbox").unwrap();
    assert_eq!(sandbox.terraform, None, "the sandbox opens the demo");
}

#[test]
fn terraform_settings_need_a_directory_and_name_unknown_fields() {
    let missing = error("[contexts.p.terraform]\nprogram = \"tofu\"\n");
    assert!(missing.contains("missing field `directory`"), "{missing}");
    let unknown = error("[contexts.p.terraform]\ndirectory = \"infra\"\nbinary = \"tofu\"\n");
    assert!(
        unknown.starts_with("/cfg/config.toml:3:1: unknown field `binary`"),
        "{unknown}"
    );
}

#[test]
fn airflow_servers_of_a_context() {
    let config = load_text(include_str!("../../config.example.toml")).unwrap();
    let prod = config.context("prod").unwrap();
    assert_eq!(
        prod.airflow,
        [AirflowServer {
            name: "ops-airflow".into(),
            url: "https://airflow.ops.example.internal".into(),
            username: Some("oncall".into()),
            password_env: Some("OPS_AIRFLOW_PASSWORD".into()),
        }]
    );
    assert!(config.context("sandbox").unwrap().airflow.is_empty());
    let two = load_text(
        "[[contexts.p.airflow]]\nname = \"a\"\nurl = \"http://127.0.0.1:8080\"\n\
         [[contexts.p.airflow]]\nname = \"b\"\nurl = \"https://b.example/\"\n",
    )
    .unwrap();
    let names: Vec<&str> = two.contexts[0]
        .airflow
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(names, ["a", "b"], "in file order");
    assert_eq!(two.contexts[0].airflow[0].username, None);
}

#[test]
fn airflow_servers_need_a_name_and_an_http_url() {
    let no_url = error("[[contexts.p.airflow]]\nname = \"a\"\n");
    assert!(no_url.contains("missing field `url`"), "{no_url}");
    let no_name = error("[[contexts.p.airflow]]\nurl = \"http://x\"\n");
    assert!(no_name.contains("missing field `name`"), "{no_name}");
    let bad_url = error("[[contexts.p.airflow]]\nname = \"a\"\nurl = \"airflow:8080\"\n");
    assert!(
        bad_url.contains("`airflow:8080` must start with http:// or https://"),
        "{bad_url}"
    );
    let password =
        error("[[contexts.p.airflow]]\nname = \"a\"\nurl = \"http://x\"\npassword = \"admin\"\n");
    assert!(
        password.starts_with("/cfg/config.toml:4:1: unknown field `password`"),
        "{password}"
    );
}

#[test]
fn the_example_lists_every_bindable_action() {
    let text = include_str!("../../config.example.toml");
    let start = text
        .find("# Actions: ")
        .expect("the example lists the actions");
    let listed: Vec<&str> = text[start + "# Actions: ".len()..]
        .lines()
        .map(|line| line.trim_start_matches('#').trim())
        .take_while(|line| !line.is_empty() && !line.starts_with('['))
        .flat_map(|line| line.split(','))
        .map(|name| name.trim().trim_end_matches('.'))
        .filter(|name| !name.is_empty())
        .collect();
    assert_eq!(listed, crate::app::keys::Cmd::NAMES);
}

#[test]
fn start_names_the_first_screen_and_must_be_a_view() {
    let config = load_str("start = \"triage\"\n", Path::new("/cfg/config.toml")).unwrap();
    assert_eq!(config.start.as_deref(), Some("triage"));
    assert!(error("start = \"triages\"\n").contains("start `triages` is not a view"));
}

#[test]
fn mouse_capture_is_on_unless_the_config_turns_it_off() {
    assert!(Config::default().mouse);
    assert!(!load_text("mouse = false\n").unwrap().mouse);
    assert!(load_text("refresh_interval = \"5s\"\n").unwrap().mouse);
}
