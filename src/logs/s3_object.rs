//! A log that is one S3 object (EMR step logs: `stdout.gz`, `stderr.gz`, `controller.gz`).
//! Each fetch reads the whole object (gzip cannot be resumed in the middle) and returns the
//! complete lines after the ones already returned. While the log is live, a last line without
//! its line break is held back until it is complete, and a missing object means "no lines yet".

use futures::future::BoxFuture;

use super::split::{decode_object, LineSplitter};
use super::{LogChunk, LogLine, LogSource};
use crate::aws::s3::S3;
use crate::aws::ErrorKind;
use crate::bounded;

/// Objects larger than this are read only up to it (and said to be cut).
pub const MAX_OBJECT_BYTES: u64 = 64 * 1024 * 1024;

pub struct S3ObjectSource {
    s3: S3,
    bucket: String,
    key: String,
    /// The object may still be replaced by a longer one (the step is running).
    live: bool,
    /// Complete lines already returned.
    seen: usize,
    finished: bool,
}

impl S3ObjectSource {
    /// `live`: the object may still grow, keep polling; otherwise one read finishes the log.
    pub fn new(s3: S3, bucket: impl Into<String>, key: impl Into<String>, live: bool) -> Self {
        Self {
            s3,
            bucket: bucket.into(),
            key: key.into(),
            live,
            seen: 0,
            finished: false,
        }
    }

    /// The log is final from now on: the next fetch returns the rest and finishes.
    pub fn stop_following(&mut self) {
        self.live = false;
    }

    async fn fetch(&mut self) -> Result<LogChunk, String> {
        let head = match self
            .s3
            .read_head(&self.bucket, &self.key, MAX_OBJECT_BYTES)
            .await
        {
            Ok(head) => head,
            Err(e) if e.kind == ErrorKind::NotFound && self.live => return Ok(LogChunk::default()),
            Err(e) => return Err(e.to_string()),
        };
        let fetched = head.bytes.len() as u64;
        let object_cut = fetched < head.total_size;
        let (text, problem) = decode_object(head.bytes);
        let problem = problem.or_else(|| {
            object_cut.then(|| bounded::cut_notice(fetched, &bounded::human_size(head.total_size)))
        });
        let is_cut = problem.as_deref().is_some_and(|p| p.ends_with("; cut"));
        let mut lines = lines_of(&text, !self.live || is_cut);
        if let Some(problem) = problem {
            if lines.is_empty() {
                return Err(format!("s3://{}/{}: {problem}", self.bucket, self.key));
            }
            // Said once, as the last line; a live log that is not cut may still heal.
            if is_cut || !self.live {
                lines.push(LogLine::new(format!(
                    "--- s3://{}/{}: {problem} ---",
                    self.bucket, self.key
                )));
            }
        }
        let new = take_new(&mut lines, &mut self.seen);
        self.finished = !self.live;
        Ok(LogChunk::new(new))
    }
}

/// Every line of `text`; the last one without a line break only if the text is final.
fn lines_of(text: &[u8], is_final: bool) -> Vec<LogLine> {
    let mut splitter = LineSplitter::default();
    let mut lines = splitter.push(text);
    if is_final {
        lines.extend(splitter.finish());
    }
    lines
}

/// The lines after the `seen` first ones. A shorter log than before was replaced: it is
/// returned whole, after a line that says so.
fn take_new(lines: &mut Vec<LogLine>, seen: &mut usize) -> Vec<LogLine> {
    if lines.len() < *seen {
        *seen = lines.len();
        let mut all = vec![LogLine::new(
            "--- the log object was replaced; reading it again ---",
        )];
        all.append(lines);
        return all;
    }
    let new = lines.split_off(*seen);
    *seen += new.len();
    new
}

impl LogSource for S3ObjectSource {
    fn fetch_next(&mut self) -> BoxFuture<'_, Result<LogChunk, String>> {
        Box::pin(self.fetch())
    }

    fn is_finished(&self) -> bool {
        self.finished
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(lines: &[LogLine]) -> Vec<&str> {
        lines.iter().map(|l| l.text.as_str()).collect()
    }

    #[test]
    fn only_lines_after_the_seen_ones_and_partial_lines_wait_while_live() {
        let mut seen = 0;
        let mut lines = lines_of(b"a\nb\npart", false);
        assert_eq!(texts(&take_new(&mut lines, &mut seen)), ["a", "b"]);
        let mut lines = lines_of(b"a\nb\npartial\nc\n", false);
        assert_eq!(texts(&take_new(&mut lines, &mut seen)), ["partial", "c"]);
        let mut lines = lines_of(b"a\nb\npartial\nc\nlast", true);
        assert_eq!(texts(&take_new(&mut lines, &mut seen)), ["last"]);
        assert_eq!(seen, 5);
    }

    #[test]
    fn a_replaced_shorter_object_is_read_again() {
        let mut seen = 3;
        let mut lines = lines_of(b"x\n", false);
        let new = take_new(&mut lines, &mut seen);
        assert_eq!(new.len(), 2);
        assert!(new[0].text.contains("replaced"));
        assert_eq!(new[1].text, "x");
        assert_eq!(seen, 1);
    }
}
