//! Amazon CloudWatch Logs, as much as tailing a log stream needs: one page of events after a
//! forward token. Plain domain types only.
//!
//! Tailing: call [`CloudWatchLogs::get_log_events`] with the previous page's
//! `next_forward_token`. At the end of the stream the token stays the same and events written
//! later appear under it, so polling with the last token returns only new events.

use aws_config::SdkConfig;
use aws_sdk_cloudwatchlogs::Client;
use chrono::{DateTime, Utc};

use super::error::{AwsError, ErrorKind, ServiceEndpoint};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEvent {
    pub timestamp: Option<DateTime<Utc>>,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EventPage {
    pub events: Vec<LogEvent>,
    /// Pass it to the next call to get only later events.
    pub next_forward_token: Option<String>,
}

/// The CloudWatch Logs client of one context.
#[derive(Debug, Clone)]
pub struct CloudWatchLogs {
    client: Client,
    endpoint: ServiceEndpoint,
}

impl CloudWatchLogs {
    pub fn new(config: &SdkConfig) -> Self {
        CloudWatchLogs {
            client: Client::new(config),
            endpoint: ServiceEndpoint::new("CloudWatch Logs", "logs", config),
        }
    }

    /// Events of `group`/`stream` from the start (no token) or after `next_token`, oldest first.
    /// A missing group or stream is a [`ErrorKind::NotFound`] error that names it.
    pub async fn get_log_events(
        &self,
        group: &str,
        stream: &str,
        next_token: Option<&str>,
    ) -> Result<EventPage, AwsError> {
        self.events(group, stream, Read::FromHead(next_token)).await
    }

    /// The last `limit` events of `group`/`stream` (at most 10,000), oldest first: where a
    /// failed run's traceback is.
    pub async fn last_events(
        &self,
        group: &str,
        stream: &str,
        limit: i32,
    ) -> Result<Vec<LogEvent>, AwsError> {
        let read = Read::Last(limit.clamp(1, 10_000));
        Ok(self.events(group, stream, read).await?.events)
    }

    async fn events(
        &self,
        group: &str,
        stream: &str,
        read: Read<'_>,
    ) -> Result<EventPage, AwsError> {
        let target = format!("{group}:{stream}");
        let request = self
            .client
            .get_log_events()
            .log_group_name(group)
            .log_stream_name(stream);
        let request = match read {
            Read::FromHead(token) => request
                .start_from_head(true)
                .set_next_token(token.map(str::to_owned)),
            Read::Last(limit) => request.start_from_head(false).limit(limit),
        };
        let out = request.send().await.map_err(|e| {
            self.endpoint
                .error("GetLogEvents", Some(&target), e)
                .reword(
                    ErrorKind::NotFound,
                    format!("no log stream '{stream}' in log group '{group}'"),
                    Some("the run may not have written logs yet, or they went elsewhere"),
                )
        })?;
        Ok(EventPage {
            events: out.events().iter().map(event).collect(),
            next_forward_token: out.next_forward_token().map(str::to_owned),
        })
    }
}

/// Which events a GetLogEvents call reads.
enum Read<'a> {
    /// From the start, or after this forward token.
    FromHead(Option<&'a str>),
    /// The last N.
    Last(i32),
}

fn event(e: &aws_sdk_cloudwatchlogs::types::OutputLogEvent) -> LogEvent {
    LogEvent {
        timestamp: e.timestamp().and_then(DateTime::from_timestamp_millis),
        message: e.message().unwrap_or_default().to_owned(),
    }
}
