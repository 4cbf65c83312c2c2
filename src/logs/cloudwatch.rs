//! A CloudWatch Logs stream as a log source: read from its start, then only what is new, with
//! the forward token (Glue run logs now; MWAA task logs later).

use crate::errors::UiError;
use futures::future::BoxFuture;

use super::{LogChunk, LogLine, LogSource};
use crate::aws::logs::CloudWatchLogs;
use crate::aws::ErrorKind;

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

    async fn fetch(&mut self) -> Result<LogChunk, UiError> {
        let page = match self
            .logs
            .get_log_events(&self.group, &self.stream, self.token.as_deref())
            .await
        {
            Ok(page) => page,
            Err(e) if e.kind == ErrorKind::NotFound && self.live => return Ok(LogChunk::default()),
            Err(e) => return Err(e.into()),
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
    fn fetch_next(&mut self) -> BoxFuture<'_, Result<LogChunk, UiError>> {
        Box::pin(self.fetch())
    }

    fn is_finished(&self) -> bool {
        self.finished
    }
}
