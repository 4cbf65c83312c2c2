//! `platform-tui triage [--context NAME] [--sandbox] --output json|table`: what is failing now,
//! for scripts and alerting. The exit status says it: 0 nothing is failing, 1 something is, 2
//! it could not be told (usage errors, or no layer could be read).

use super::now::{triage, Scope};
use super::pipeline::PIPELINE_DAG;
use super::report;
use crate::cli::Output;
use crate::clients::Clients;
use crate::config::Context;
use crate::sanitize;
use crate::script::write_stdout;

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
        let clients = Clients::connect(context).await.map_err(|e| e.to_string())?;
        let scope = Scope {
            context: &context.name,
            datalake_bucket: context.datalake_bucket.as_deref(),
            pipeline_dag: PIPELINE_DAG,
        };
        Ok::<_, String>(triage(&clients, &scope).await)
    })?;
    match output {
        Output::Json => write_stdout(&sanitize::json(&report::to_json(&found))),
        Output::Text => report::table(&found)
            .iter()
            .for_each(|line| write_stdout(line)),
    }
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
