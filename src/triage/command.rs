//! `platform-tui triage [--context NAME] [--sandbox] --output json|table`: what is failing now,
//! for scripts and alerting. The exit status says it: 0 nothing is failing, 1 something is, 2
//! it could not be told (usage errors, or no layer could be read).

use std::io::Write;

use super::now::{triage, Scope};
use super::pipeline::PIPELINE_DAG;
use super::report;
use crate::cli::Output;
use crate::clients::Clients;
use crate::config::Context;

/// What the command found, for its exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    NothingFailing,
    Failing,
}

/// Reads every layer of `context`, prints the result, and says whether something is failing.
/// An error (exit 2) when nothing could be read at all, or nothing failing was found while some
/// layer could not be read: then "nothing is failing" cannot be said.
pub fn run(context: &Context, output: Output) -> Result<Verdict, String> {
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    let found = runtime.block_on(async {
        let clients = Clients::connect(context).await?;
        let scope = Scope {
            context: &context.name,
            datalake_bucket: context.datalake_bucket.as_deref(),
            pipeline_dag: PIPELINE_DAG,
        };
        Ok::<_, String>(triage(&clients, &scope).await)
    })?;
    let mut stdout = std::io::stdout().lock();
    let written = match output {
        Output::Json => writeln!(stdout, "{}", report::json_text(&report::to_json(&found))),
        Output::Text => report::table(&found)
            .iter()
            .try_for_each(|line| writeln!(stdout, "{line}")),
    };
    written
        .and_then(|()| stdout.flush())
        .map_err(|e| format!("cannot write the result: {e}"))?;
    if found.is_failing() {
        return Ok(Verdict::Failing);
    }
    if let Some(unread) = found.unread.first() {
        return Err(format!(
            "nothing failing found, but {} layer(s) could not be read (first: {}: {})",
            found.unread.len(),
            unread.layer.name(),
            unread.error
        ));
    }
    Ok(Verdict::NothingFailing)
}
