//! platform-tui entry point: parse flags, load config and theme (errors are printed before
//! the terminal is touched), run a subcommand or the console.

use std::process::ExitCode;
use std::sync::Mutex;

use clap::{CommandFactory, Parser};
use platform_tui::app::keys::KeyMap;
use platform_tui::app::{run, App};
use platform_tui::cli::{Cli, Command, Output, SandboxAction};
use platform_tui::config::{self, Config, Context};
use platform_tui::gate::AuditLog;
use platform_tui::{paths, sandbox, theme};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match real_main(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("platform-tui: {message}");
            ExitCode::from(2)
        }
    }
}

fn real_main(cli: Cli) -> Result<(), String> {
    if let Some(Command::Completions { shell }) = &cli.command {
        clap_complete::generate(
            *shell,
            &mut Cli::command(),
            "platform-tui",
            &mut std::io::stdout(),
        );
        return Ok(());
    }
    let config_path = cli
        .config
        .clone()
        .unwrap_or_else(paths::default_config_file);
    let config = config::load(&config_path).map_err(|e| e.to_string())?;
    match &cli.command {
        Some(Command::Sandbox { action }) => return sandbox_command(action),
        Some(Command::Contexts { output }) => return print_contexts(&config, *output),
        Some(Command::Ls {
            path,
            output,
            sandbox,
        }) => {
            let context = choose_context(&cli, &config, *sandbox)?;
            return platform_tui::script::ls(&context, path.as_deref(), *output);
        }
        Some(Command::Triage { output, sandbox }) => {
            let context = choose_context(&cli, &config, *sandbox)?;
            let verdict = platform_tui::triage::command::run(&context, *output)?;
            if verdict == platform_tui::triage::command::Verdict::Failing {
                std::process::exit(1); // stdout is flushed: nothing is lost
            }
            return Ok(());
        }
        Some(Command::Completions { .. }) | None => {}
    }
    let theme =
        theme::resolve(cli.theme.as_deref(), config.theme.as_deref()).map_err(|e| e.to_string())?;
    let context = choose_context(&cli, &config, cli.sandbox)?;
    let mut contexts = config.contexts.clone();
    if let Some(slot) = contexts.iter_mut().find(|c| c.name == context.name) {
        *slot = context.clone();
    } else {
        contexts.push(context.clone());
    }
    if cli.read_only {
        contexts.iter_mut().for_each(|c| c.read_only = true);
    }
    init_logging();
    let keymap = KeyMap::new(&config.keys);
    let audit = AuditLog::new(paths::audit_file());
    let runtime = tokio::runtime::Runtime::new().map_err(|e| format!("cannot start: {e}"))?;
    runtime
        .block_on(run::run(config.refresh_interval, move |tx| {
            let mut app = App::new(contexts, context, theme, keymap, audit, tx);
            app.env.log_line_cap = config.log_line_cap;
            app
        }))
        .map_err(|e| format!("terminal error: {e}"))?;
    // The input reader thread may still block on the terminal: do not wait for it.
    runtime.shutdown_background();
    Ok(())
}

/// The starting context: `--sandbox`, else `--context`/default, with flag overrides applied.
fn choose_context(cli: &Cli, config: &Config, use_sandbox: bool) -> Result<Context, String> {
    let mut context = if use_sandbox {
        let info =
            sandbox::up(&mut |line| eprintln!("sandbox: {line}")).map_err(|e| format!("{e:#}"))?;
        let base = config.context("sandbox").cloned().unwrap_or_default();
        Context {
            name: "sandbox".into(),
            endpoint_url: Some(info.endpoint_url),
            region: Some(info.region),
            datalake_bucket: Some(info.datalake_bucket),
            sandbox: true,
            ..base
        }
    } else {
        config
            .initial_context(cli.context.as_deref())
            .map_err(|e| e.to_string())?
            .clone()
    };
    if cli.profile.is_some() {
        context.profile = cli.profile.clone();
    }
    if cli.region.is_some() {
        context.region = cli.region.clone();
    }
    if cli.endpoint_url.is_some() {
        context.endpoint_url = cli.endpoint_url.clone();
    }
    context.read_only |= cli.read_only;
    Ok(context)
}

fn sandbox_command(action: &SandboxAction) -> Result<(), String> {
    let mut progress = |line: &str| eprintln!("sandbox: {line}");
    match action {
        SandboxAction::Up { without_airflow } => {
            let mode = if *without_airflow {
                sandbox::AirflowMode::Skip
            } else {
                sandbox::AirflowMode::Start
            };
            let info = sandbox::up_with(mode, &mut progress).map_err(|e| format!("{e:#}"))?;
            println!(
                "sandbox running at {} (pid {})",
                info.endpoint_url, info.pid
            );
            println!("data lake: s3://{}", info.datalake_bucket);
            println!("log: {}", info.log_file.display());
            println!("{}", airflow_line(&info));
            println!("open the console on it: platform-tui --sandbox");
        }
        SandboxAction::Down => {
            if sandbox::down(&mut progress).map_err(|e| format!("{e:#}"))? {
                println!("sandbox stopped");
            } else {
                println!("sandbox was not running");
            }
        }
        SandboxAction::Status => match sandbox::status().map_err(|e| format!("{e:#}"))? {
            Some(info) => {
                println!(
                    "running at {} (pid {}, since {}), log {}",
                    info.endpoint_url,
                    info.pid,
                    info.started_at,
                    info.log_file.display()
                );
                println!("{}", airflow_line(&info));
            }
            None => println!("not running (start it with `platform-tui sandbox up`)"),
        },
        SandboxAction::Fail {
            target,
            name,
            message,
            count,
        } => {
            let answer =
                sandbox::inject_failure(target, name.as_deref(), message.as_deref(), *count)
                    .map_err(|e| format!("{e:#}"))?;
            println!("the next {count} run(s) of {target} will fail: {answer}");
        }
        SandboxAction::Heal => {
            let answer = sandbox::clear_failures().map_err(|e| format!("{e:#}"))?;
            println!("injected failures cleared: {answer}");
        }
    }
    Ok(())
}

/// The sandbox's Airflow in one line, for `sandbox up` and `sandbox status`.
fn airflow_line(info: &sandbox::SandboxInfo) -> String {
    match (&info.airflow, info.with_airflow) {
        (Some(airflow), _) => format!(
            "airflow: {} (user admin, password admin; pid {}, log {})",
            airflow.url,
            airflow.pid,
            airflow.log_file.display()
        ),
        (None, true) => "airflow: not answering (`platform-tui sandbox up` restarts it)".into(),
        (None, false) => "airflow: not started (--without-airflow)".into(),
    }
}

fn print_contexts(config: &Config, output: Output) -> Result<(), String> {
    match output {
        Output::Json => {
            let rows: Vec<serde_json::Value> = config
                .contexts
                .iter()
                .map(|c| {
                    serde_json::json!({
                        "name": c.name, "profile": c.profile, "region": c.region,
                        "endpoint_url": c.endpoint_url, "read_only": c.read_only,
                        "datalake_bucket": c.datalake_bucket, "sandbox": c.sandbox,
                    })
                })
                .collect();
            println!("{}", serde_json::Value::Array(rows));
        }
        Output::Text => {
            for c in &config.contexts {
                println!(
                    "{}\tprofile={}\tregion={}\tendpoint={}\t{}",
                    c.name,
                    c.profile.as_deref().unwrap_or("default"),
                    c.region.as_deref().unwrap_or("default"),
                    c.endpoint_url.as_deref().unwrap_or("aws"),
                    if c.read_only {
                        "read-only"
                    } else {
                        "read-write"
                    }
                );
            }
        }
    }
    Ok(())
}

/// Logs go to a file in the state dir, never to the terminal.
fn init_logging() {
    let path = paths::log_file();
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let Ok(file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
    else {
        return;
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("PLATFORM_TUI_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_writer(Mutex::new(file))
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init();
}
