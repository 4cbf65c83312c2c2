//! Non-interactive subcommands for scripts: plain text or `--output json` on stdout.
//!
//! Every line goes through [`Printer`]: text is sanitized (control and invisible format
//! characters in caret or `<U+XXXX>` form), JSON is JSON Lines (one object per line, for
//! every listing) with those characters escaped, and a closed pipe (`ls | head`) ends the
//! program quietly.

use std::io::{self, Write};

use serde_json::{json, Value};

use crate::aws::s3::Entry;
use crate::cli::Output;
use crate::clients::Clients;
use crate::config::{Config, Context};
use crate::sanitize;

/// Standard output for scripts.
pub struct Printer {
    output: Output,
}

impl Printer {
    pub fn new(output: Output) -> Self {
        Self { output }
    }

    pub fn output(&self) -> Output {
        self.output
    }

    /// One line of text (its fields sanitized one by one and joined by tabs), or one JSON
    /// object (escaped), by the chosen output.
    pub fn row(&self, fields: impl FnOnce() -> Vec<String>, value: impl FnOnce() -> Value) {
        match self.output {
            Output::Text => {
                let fields: Vec<String> = fields()
                    .iter()
                    .map(|field| sanitize::line(field).into_owned())
                    .collect();
                write_stdout(&fields.join("\t"))
            }
            Output::Json => write_stdout(&sanitize::json(&value())),
        }
    }

    /// Text for people, whatever the output (sanitized line by line).
    pub fn text(&self, text: &str) {
        write_stdout(&sanitize::block(text));
    }
}

/// Writes `line` and a newline to stdout (see [`write_stdout_bytes`]).
pub fn write_stdout(line: &str) {
    write_stdout_bytes(format!("{line}\n").as_bytes());
}

/// Writes `bytes` to stdout. A closed pipe ends the program quietly (exit 0, as `head`
/// expects of a producer); any other write error ends it with a message.
pub fn write_stdout_bytes(bytes: &[u8]) {
    let mut stdout = io::stdout().lock();
    let written = stdout.write_all(bytes).and_then(|()| stdout.flush());
    match written {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => {
            eprintln!("platform-tui: cannot write to standard output: {e}");
            std::process::exit(2);
        }
    }
}

/// `platform-tui ls [s3://bucket/prefix]`.
pub fn ls(context: &Context, path: Option<&str>, output: Output) -> Result<(), String> {
    let out = Printer::new(output);
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let clients = Clients::connect(context).await.map_err(|e| e.to_string())?;
        let Some(path) = path else {
            let buckets = clients.s3.list_buckets().await.map_err(|e| e.to_string())?;
            for b in buckets {
                let created = b.created.map(|t| t.to_rfc3339()).unwrap_or_default();
                out.row(
                    || vec![created.clone(), b.name.clone()],
                    || json!({"name": b.name, "region": b.region, "created": created}),
                );
            }
            return Ok(());
        };
        let path = path.trim_start_matches("s3://");
        let (bucket, prefix) = path.split_once('/').unwrap_or((path, ""));
        let mut token = None;
        loop {
            let page = clients
                .s3
                .list_page(bucket, prefix, Some("/"), token, None)
                .await
                .map_err(|e| e.to_string())?;
            for entry in &page.entries {
                print_entry(&out, entry);
            }
            token = page.next_token;
            if token.is_none() {
                return Ok(());
            }
        }
    })
}

fn print_entry(out: &Printer, entry: &Entry) {
    match entry {
        Entry::Prefix { prefix } => out.row(
            || vec![format!("{:>12}  {prefix}", "PRE")],
            || json!({"prefix": prefix}),
        ),
        Entry::Object {
            key,
            size,
            last_modified,
            storage_class,
            ..
        } => out.row(
            || vec![format!("{size:>12}  {key}")],
            || {
                json!({"key": key, "size": size,
                    "last_modified": last_modified.map(|t| t.to_rfc3339()),
                    "storage_class": storage_class})
            },
        ),
    }
}

/// `platform-tui contexts`: one line (or one JSON object) per context of the config.
pub fn contexts(config: &Config, output: Output) {
    let out = Printer::new(output);
    for c in &config.contexts {
        out.row(
            || {
                vec![
                    c.name.clone(),
                    format!("profile={}", c.profile.as_deref().unwrap_or("default")),
                    format!("region={}", c.region.as_deref().unwrap_or("default")),
                    format!(
                        "endpoint={}",
                        c.endpoint_url.as_deref().unwrap_or(if c.sandbox {
                            "sandbox"
                        } else {
                            "aws"
                        })
                    ),
                    (if c.read_only {
                        "read-only"
                    } else {
                        "read-write"
                    })
                    .to_string(),
                ]
            },
            || {
                json!({
                    "name": c.name, "profile": c.profile, "region": c.region,
                    "endpoint_url": c.endpoint_url, "read_only": c.read_only,
                    "datalake_bucket": c.datalake_bucket, "sandbox": c.sandbox,
                })
            },
        );
    }
}
