//! Log sources, UI-free: where the lines of a log come from (memory, an S3 object, later
//! CloudWatch streams and Airflow task logs) and a cursor that remembers what was already read,
//! so every [`LogSource::fetch_next`] returns only the lines that are new since the last call.
//! The log viewer owns one source and polls it while it follows the log.

pub mod airflow;
mod cloudwatch;
mod memory;
mod s3_object;
mod split;
pub mod structured;

use crate::errors::UiError;
use chrono::{DateTime, Utc};
use futures::future::BoxFuture;

pub use cloudwatch::CloudWatchSource;
pub use memory::{MemorySource, MemoryWriter};
pub use s3_object::S3ObjectSource;
pub use split::{decode_object, LineSplitter};

/// One line of a log. `text` is raw (not sanitized): the viewer sanitizes what it draws, and
/// saving writes what the service sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    /// When the service recorded the line (CloudWatch event time), if it says.
    pub timestamp: Option<DateTime<Utc>>,
    pub text: String,
}

impl LogLine {
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            timestamp: None,
            text: text.into(),
        }
    }

    pub fn at(timestamp: DateTime<Utc>, text: impl Into<String>) -> Self {
        Self {
            timestamp: Some(timestamp),
            text: text.into(),
        }
    }
}

/// The lines that are new since the previous fetch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogChunk {
    pub lines: Vec<LogLine>,
    /// More lines are ready right now (the service returned a full page): fetch again without
    /// waiting for the next refresh tick.
    pub more: bool,
}

impl LogChunk {
    pub fn new(lines: Vec<LogLine>) -> Self {
        Self { lines, more: false }
    }
}

/// A log read incrementally. Implementations keep their own cursor (a CloudWatch
/// `nextForwardToken`, an S3 byte offset or line count, an Airflow continuation token) and turn
/// invalid UTF-8 into U+FFFD themselves.
pub trait LogSource: Send {
    /// The lines added since the previous call (all lines on the first call). An error leaves
    /// the cursor where it was, so the next call retries the same range.
    fn fetch_next(&mut self) -> BoxFuture<'_, Result<LogChunk, UiError>>;

    /// The log will not grow any more and everything was fetched: polling can stop.
    fn is_finished(&self) -> bool;
}
