//! The logs of a Glue job run in the shared log viewer: CloudWatch `/aws-glue/jobs/output`
//! (stdout) or `/aws-glue/jobs/error` (the driver's stderr, where tracebacks land), stream =
//! run id, read incrementally with CloudWatch's forward token while the run is active.

use futures::future::BoxFuture;

use super::glue_format::not_connected;
use super::glue_job_detail::short_id;
use crate::app::view::{Cx, Outcome, Prompt};
use crate::aws::glue::{JobRun, RunState};
use crate::aws::logs::CloudWatchLogs;
use crate::aws::ErrorKind;
use crate::config::DEFAULT_LOG_LINE_CAP;
use crate::logs::{LogChunk, LogLine, LogSource};
use crate::views::log_viewer::LogViewer;

pub const OUTPUT_GROUP: &str = "/aws-glue/jobs/output";
pub const ERROR_GROUP: &str = "/aws-glue/jobs/error";

/// One CloudWatch log stream, read from its start and then only what is new.
pub struct CloudWatchSource {
    logs: CloudWatchLogs,
    group: String,
    stream: String,
    token: Option<String>,
    /// The stream may still grow (the run is active): a missing stream means "not yet".
    live: bool,
    finished: bool,
}

impl CloudWatchSource {
    pub fn new(logs: CloudWatchLogs, group: &str, stream: &str, live: bool) -> Self {
        Self {
            logs,
            group: group.to_string(),
            stream: stream.to_string(),
            token: None,
            live,
            finished: false,
        }
    }

    async fn fetch(&mut self) -> Result<LogChunk, String> {
        let page = match self
            .logs
            .get_log_events(&self.group, &self.stream, self.token.as_deref())
            .await
        {
            Ok(page) => page,
            Err(e) if e.kind == ErrorKind::NotFound && self.live => return Ok(LogChunk::default()),
            Err(e) => return Err(e.to_string()),
        };
        let moved = page.next_forward_token.is_some() && page.next_forward_token != self.token;
        let more = moved && !page.events.is_empty();
        if page.next_forward_token.is_some() {
            self.token = page.next_forward_token;
        }
        self.finished = !self.live && !more;
        let lines = page
            .events
            .into_iter()
            .flat_map(|event| {
                // A multi-line event (a traceback) becomes one line per line, same time.
                let lines: Vec<LogLine> = event
                    .message
                    .lines()
                    .map(|text| match event.timestamp {
                        Some(t) => LogLine::at(t, text),
                        None => LogLine::new(text),
                    })
                    .collect();
                lines
            })
            .collect();
        Ok(LogChunk { lines, more })
    }
}

impl LogSource for CloudWatchSource {
    fn fetch_next(&mut self) -> BoxFuture<'_, Result<LogChunk, String>> {
        Box::pin(self.fetch())
    }

    fn is_finished(&self) -> bool {
        self.finished
    }
}

/// Asks which log to open (error for a failed run, output otherwise, preselected) and opens it.
pub fn choose(cx: &Cx, run: &JobRun) -> Outcome {
    let Some(clients) = cx.clients() else {
        return not_connected();
    };
    let preselected = if run.run_state() == RunState::Failed {
        "error"
    } else {
        "output"
    };
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
            Outcome::Push(Box::new(viewer(clients.logs.clone(), group, &run)))
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
