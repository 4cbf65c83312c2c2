//! A log held in memory: text already fetched, or lines pushed by another task (a subprocess,
//! a test) through a [`MemoryWriter`].

use crate::errors::UiError;
use std::sync::{Arc, Mutex, MutexGuard};

use futures::future::BoxFuture;

use super::split::LineSplitter;
use super::{LogChunk, LogLine, LogSource};

#[derive(Default)]
struct Shared {
    pending: Vec<LogLine>,
    finished: bool,
}

/// Reads what a [`MemoryWriter`] pushed; each line is handed out once.
pub struct MemorySource {
    shared: Arc<Mutex<Shared>>,
    finished: bool,
}

/// The writing end of a live [`MemorySource`].
#[derive(Clone)]
pub struct MemoryWriter {
    shared: Arc<Mutex<Shared>>,
}

fn lock(shared: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    // A panicking writer leaves plain data behind; reading it is still sound.
    shared
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl MemorySource {
    /// A source that will receive lines later.
    pub fn live() -> (Self, MemoryWriter) {
        let shared = Arc::new(Mutex::new(Shared::default()));
        let source = Self {
            shared: shared.clone(),
            finished: false,
        };
        (source, MemoryWriter { shared })
    }

    /// A complete log that is already at hand.
    pub fn finished(lines: Vec<LogLine>) -> Self {
        let (source, writer) = Self::live();
        writer.extend(lines);
        writer.finish();
        source
    }

    /// A complete log from raw bytes (invalid UTF-8 is replaced).
    pub fn from_bytes(bytes: &[u8]) -> Self {
        let mut splitter = LineSplitter::default();
        let mut lines = splitter.push(bytes);
        lines.extend(splitter.finish());
        Self::finished(lines)
    }
}

impl MemoryWriter {
    pub fn push(&self, line: LogLine) {
        lock(&self.shared).pending.push(line);
    }

    pub fn extend(&self, lines: impl IntoIterator<Item = LogLine>) {
        lock(&self.shared).pending.extend(lines);
    }

    /// No more lines will come.
    pub fn finish(&self) {
        lock(&self.shared).finished = true;
    }
}

impl LogSource for MemorySource {
    fn fetch_next(&mut self) -> BoxFuture<'_, Result<LogChunk, UiError>> {
        let mut shared = lock(&self.shared);
        let lines = std::mem::take(&mut shared.pending);
        self.finished = shared.finished;
        drop(shared);
        Box::pin(async move { Ok(LogChunk::new(lines)) })
    }

    fn is_finished(&self) -> bool {
        self.finished
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn each_fetch_returns_only_new_lines_until_finished() {
        let (mut source, writer) = MemorySource::live();
        writer.push(LogLine::new("one"));
        writer.push(LogLine::new("two"));
        let first = source.fetch_next().await.unwrap();
        assert_eq!(first.lines, vec![LogLine::new("one"), LogLine::new("two")]);
        assert!(!source.is_finished());
        assert!(source.fetch_next().await.unwrap().lines.is_empty());
        writer.push(LogLine::new("three"));
        writer.finish();
        let last = source.fetch_next().await.unwrap();
        assert_eq!(last.lines, vec![LogLine::new("three")]);
        assert!(source.is_finished());
    }

    #[tokio::test]
    async fn bytes_become_lines_lossily() {
        let mut source = MemorySource::from_bytes(b"a\r\nb\xff\nlast");
        let chunk = source.fetch_next().await.unwrap();
        let texts: Vec<&str> = chunk.lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["a", "b\u{FFFD}", "last"]);
        assert!(source.is_finished());
    }
}
