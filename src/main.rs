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
use platform_tui::script::Printer;
use platform_tui::{paths, sandbox, sanitize, script, theme};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match real_main(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("platform-tui: {}", sanitize::block(&message));
            ExitCode::from(2)
        }
    }
}

fn real_main(cli: Cli) -> Result<(), String> {
    if let Some(Command::Completions { shell }) = &cli.command {
        let mut script = Vec::new();
        clap_complete::generate(*shell, &mut Cli::command(), "platform-tui", &mut script);
        script::write_stdout_bytes(&script);
        return Ok(());
    }
    let config_path = cli
        .config
        .clone()
        .unwrap_or_else(paths::default_config_file);
    let config = config::load(&config_path).map_err(|e| e.to_string())?;
    match &cli.command {
        Some(Command::Sandbox { action }) => return sandbox_command(action),
        Some(Command::Contexts { output }) => {
            script::contexts(&config, *output);
            return Ok(());
        }
        Some(Command::Ls {
            path,
            output,
            sandbox,
        }) => {
            let context = choose_context(&cli, &config, *sandbox)?;
            return script::ls(&context, path.as_deref(), *output);
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
    let profiles = platform_tui::config::aws_profiles::read();
    contexts.extend(platform_tui::config::aws_profiles::contexts(
        &profiles, &contexts,
    ));
    if cli.read_only {
        contexts.iter_mut().for_each(|c| c.read_only = true);
    }
    let aliases_file = platform_tui::config::aliases::file();
    let aliases = platform_tui::config::aliases::Aliases::load(&aliases_file)?;
    init_logging();
    let keymap = KeyMap::new(&config.keys);
    let audit = AuditLog::new(paths::audit_file());
    let runtime = tokio::runtime::Runtime::new().map_err(|e| format!("cannot start: {e}"))?;
    runtime
        .block_on(run::run(config.refresh_interval, config.mouse, move |tx| {
            panic_if_asked_by_a_test();
            let mut app = App::new(contexts, context, theme, keymap, audit, tx);
            app.env.log_line_cap = config.log_line_cap;
            app.aliases = aliases;
            if let Some(start) = &config.start {
                app.start_on(start);
            }
            app
        }))
        .map_err(|e| format!("terminal error: {e}"))?;
    // The input reader thread may still block on the terminal: do not wait for it.
    runtime.shutdown_background();
    say_if_the_sandbox_runs_on();
    Ok(())
}

/// Leaving the console leaves the sandbox running (its processes are its own): say so, and how
/// to stop it.
fn say_if_the_sandbox_runs_on() {
    if let Ok(Some(info)) = sandbox::running_emulator() {
        eprintln!(
            "the sandbox is still running (emulator at {}); stop it with `platform-tui sandbox \
             down` (from a checkout: `cargo run -- sandbox down`)",
            sanitize::line(&info.endpoint_url)
        );
    }
}

/// The starting context: `--sandbox`, else `--context`/default, with flag overrides applied.
fn choose_context(cli: &Cli, config: &Config, use_sandbox: bool) -> Result<Context, String> {
    let mut context = if use_sandbox {
        let info = sandbox::up(&mut |line| eprintln!("sandbox: {}", sanitize::block(line)))
            .map_err(|e| format!("{e:#}"))?;
        let base = config.context("sandbox").cloned().unwrap_or_default();
        // No endpoint here: the clients find the running sandbox's endpoint each time they
        // are built, so a sandbox restarted on another port is followed (ctrl-r).
        Context {
            name: "sandbox".into(),
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
    // A sandbox context must reach a running sandbox: refuse to start otherwise.
    sandbox::reach_running_sandbox(&mut context.clone())?;
    Ok(context)
}

fn sandbox_command(action: &SandboxAction) -> Result<(), String> {
    let mut progress = |line: &str| eprintln!("sandbox: {}", sanitize::block(line));
    let out = Printer::new(Output::Text);
    match action {
        SandboxAction::Up { without_airflow } => {
            let mode = if *without_airflow {
                sandbox::AirflowMode::Skip
            } else {
                sandbox::AirflowMode::Start
            };
            let info = sandbox::up_with(mode, &mut progress).map_err(|e| format!("{e:#}"))?;
            out.text(&format!(
                "sandbox running at {} (pid {})",
                info.endpoint_url, info.pid
            ));
            out.text(&format!("data lake: s3://{}", info.datalake_bucket));
            out.text(&format!("log: {}", info.log_file.display()));
            out.text(&airflow_line(&info));
            out.text("open the console on it: platform-tui --sandbox");
        }
        SandboxAction::Down => {
            if sandbox::down(&mut progress).map_err(|e| format!("{e:#}"))? {
                out.text("sandbox stopped");
            } else {
                out.text("sandbox was not running");
            }
        }
        SandboxAction::Status => match sandbox::status().map_err(|e| format!("{e:#}"))? {
            Some(info) => {
                out.text(&format!(
                    "running at {} (pid {}, since {}), log {}",
                    info.endpoint_url,
                    info.pid,
                    info.started_at,
                    info.log_file.display()
                ));
                out.text(&airflow_line(&info));
            }
            None => out.text("not running (start it with `platform-tui sandbox up`)"),
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
            out.text(&format!(
                "the next {count} run(s) of {target} will fail: {answer}"
            ));
        }
        SandboxAction::Heal => {
            let answer = sandbox::clear_failures().map_err(|e| format!("{e:#}"))?;
            out.text(&format!("injected failures cleared: {answer}"));
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

/// Logs go to a file in the state dir (0600), never to the terminal. A panic is written there
/// too (message, place and backtrace), besides the report on stderr.
fn init_logging() {
    let path = paths::log_file();
    let Ok(file) = platform_tui::private_files::append(&path) else {
        return;
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("PLATFORM_TUI_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_writer(Mutex::new(file))
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let backtrace = std::backtrace::Backtrace::force_capture();
        tracing::error!("panic: {info}\n{backtrace}");
        previous(info);
    }));
}

/// Debug builds panic on purpose when `PLATFORM_TUI_TEST_PANIC` is set, once the console has
/// taken the terminal: the end-to-end tests check the terminal is restored and the panic
/// logged.
fn panic_if_asked_by_a_test() {
    if cfg!(debug_assertions) && std::env::var_os("PLATFORM_TUI_TEST_PANIC").is_some() {
        panic!("PLATFORM_TUI_TEST_PANIC asked for a panic");
    }
}
