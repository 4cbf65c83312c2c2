//! The logs of a Glue job run in the shared log viewer: CloudWatch `/aws-glue/jobs/output`
//! (stdout) or `/aws-glue/jobs/error` (the driver's stderr, where tracebacks land), stream =
//! run id, read incrementally with CloudWatch's forward token while the run is active.

use super::format::not_connected;
use super::job_detail::short_id;
use crate::app::view::{boxed, Ctx, Outcome, Prompt};
use crate::aws::glue::JobRun;
use crate::aws::logs::CloudWatchLogs;
use crate::config::DEFAULT_LOG_LINE_CAP;
use crate::logs::CloudWatchSource;
use crate::views::log_viewer::LogViewer;

pub use crate::aws::glue::{ERROR_LOG_GROUP as ERROR_GROUP, OUTPUT_LOG_GROUP as OUTPUT_GROUP};

/// Asks which log to open, the error log preselected: Glue writes the driver's stderr there, so it
/// holds Spark's own lines, the job's logging (drop counts) and any traceback; the output log
/// holds only what the script prints.
pub fn choose(cx: &mut Ctx, run: &JobRun) -> Outcome {
    let Some(clients) = cx.clients() else {
        return not_connected();
    };
    let preselected = "error";
    let run = run.clone();
    Outcome::Ask(Prompt::new(
        format!("Logs of run {}: output or error?", short_id(&run.id)),
        preselected,
        move |answer| {
            let group = match answer.trim().to_ascii_lowercase().as_str() {
                "o" | "out" | "output" | "stdout" => OUTPUT_GROUP,
                "e" | "err" | "error" | "stderr" => ERROR_GROUP,
                other => return Outcome::Flash(Err(format!("'{other}': type output or error"))),
            };
            Outcome::Push(boxed(viewer(clients.logs.clone(), group, &run)))
        },
    ))
}

pub fn viewer(logs: CloudWatchLogs, group: &str, run: &JobRun) -> LogViewer {
    let live = run.run_state().is_active();
    let source = CloudWatchSource::new(logs, group, &run.id, live);
    let kind = group.rsplit('/').next().unwrap_or(group);
    LogViewer::new(
        format!("{kind} {}", short_id(&run.id)),
        Box::new(source),
        DEFAULT_LOG_LINE_CAP,
    )
    .with_timestamps(true)
}
