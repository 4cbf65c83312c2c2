//! Command-line interface: flags for the console, and subcommands that fit scripts.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "platform-tui",
    version,
    about = "A keyboard-driven terminal console for an AWS analytics platform (S3, Glue, EMR, Redshift, Airflow on MWAA)",
    after_help = "Keys inside the console: `?` help, `:` command (`:buckets`, `:ctx NAME`, `:audit`), `/` filter, `q` quit."
)]
pub struct Cli {
    /// Context from config.toml to start in.
    #[arg(long, global = true)]
    pub context: Option<String>,
    /// AWS profile (overrides the context's).
    #[arg(long, global = true)]
    pub profile: Option<String>,
    /// AWS region (overrides the context's).
    #[arg(long, global = true)]
    pub region: Option<String>,
    /// Endpoint URL for every AWS service, e.g. a local emulator (http://127.0.0.1:4566).
    #[arg(long, global = true, value_parser = endpoint_url)]
    pub endpoint_url: Option<String>,
    /// Refuse every mutating action, in every context.
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Theme name (themes/NAME.toml, or the user's config dir) or a path to a theme file.
    #[arg(long, global = true)]
    pub theme: Option<String>,
    /// Config file (default: $XDG_CONFIG_HOME/platform-tui/config.toml).
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// Start the local sandbox if it is not running and open the console on it.
    #[arg(long)]
    pub sandbox: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The local sandbox: an AWS emulator seeded with the platform's resources, and Airflow.
    Sandbox {
        #[command(subcommand)]
        action: SandboxAction,
    },
    /// List buckets, or the objects and prefixes under s3://BUCKET/PREFIX (non-interactive).
    Ls {
        /// s3://bucket/prefix; omit to list buckets.
        path: Option<String>,
        #[arg(long, short, value_enum, default_value_t = Output::Text)]
        output: Output,
        /// Run against the sandbox (started if needed).
        #[arg(long)]
        sandbox: bool,
    },
    /// What is failing now across every layer (Airflow, Glue, EMR, Redshift), each failure
    /// with its root cause; exit status 0 when nothing is failing, 1 when something is.
    Triage {
        #[arg(long, short, value_enum, default_value_t = Output::Text)]
        output: Output,
        /// Run against the sandbox (started if needed).
        #[arg(long)]
        sandbox: bool,
    },
    /// The contexts of config.toml.
    Contexts {
        #[arg(long, short, value_enum, default_value_t = Output::Text)]
        output: Output,
    },
    /// Print shell completions.
    Completions { shell: clap_complete::Shell },
}

#[derive(Debug, Clone, Subcommand)]
pub enum SandboxAction {
    /// Start the sandbox (idempotent): the emulator, then Airflow 3 running dags/ against it.
    Up {
        /// Only the AWS emulator, no Airflow (remembered until `sandbox down`).
        #[arg(long)]
        without_airflow: bool,
    },
    /// Stop the sandbox.
    Down,
    /// Is it running, and where.
    Status,
    /// Make the next run fail (an on-call drill): glue-job, glue-crawler, emr-step, redshift-sql.
    Fail {
        /// glue-job, glue-crawler, emr-step or redshift-sql.
        target: String,
        /// Only runs of this job, crawler, step (or cluster id), or Redshift cluster.
        name: Option<String>,
        /// The error message the failure reports.
        #[arg(long, short)]
        message: Option<String>,
        /// How many runs fail.
        #[arg(long, default_value_t = 1)]
        count: u32,
    },
    /// Forget every injected failure.
    Heal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    #[value(alias = "table")]
    Text,
    Json,
}

/// `--endpoint-url` is checked before anything runs: a URL with its scheme.
fn endpoint_url(url: &str) -> Result<String, String> {
    crate::config::check_http_url(url).map(|()| url.to_string())
}
