//! Bytes to lines: partial lines wait for the rest of their bytes, invalid UTF-8 becomes
//! U+FFFD, gzip objects are unpacked.

use super::LogLine;
use crate::bounded::{self, MAX_UNPACKED_LOG_BYTES};

/// Splits a byte stream that arrives in pieces into lines; a line cut by a piece boundary is
/// completed by the next piece.
#[derive(Debug, Default)]
pub struct LineSplitter {
    partial: Vec<u8>,
}

impl LineSplitter {
    /// The complete lines in `bytes` (with what was left over from the previous piece).
    pub fn push(&mut self, bytes: &[u8]) -> Vec<LogLine> {
        let mut lines = Vec::new();
        let mut rest = bytes;
        while let Some(end) = rest.iter().position(|&b| b == b'\n') {
            self.partial.extend_from_slice(&rest[..end]);
            lines.push(to_line(&self.partial));
            self.partial.clear();
            rest = &rest[end + 1..];
        }
        self.partial.extend_from_slice(rest);
        lines
    }

    /// The last line when the stream ends without a line break.
    pub fn finish(&mut self) -> Option<LogLine> {
        if self.partial.is_empty() {
            return None;
        }
        let line = to_line(&self.partial);
        self.partial.clear();
        Some(line)
    }

    /// Bytes held back waiting for their line break.
    pub fn pending(&self) -> usize {
        self.partial.len()
    }
}

fn to_line(bytes: &[u8]) -> LogLine {
    let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
    LogLine::new(String::from_utf8_lossy(bytes).into_owned())
}

/// An object's bytes as text bytes: gzip (by its magic number) is unpacked up to
/// [`MAX_UNPACKED_LOG_BYTES`]. Returns the bytes and what the reader must know: a damaged
/// gzip (what could be unpacked is kept) or a cut ("showing first N of …; cut").
pub fn decode_object(bytes: Vec<u8>) -> (Vec<u8>, Option<String>) {
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return (bytes, None);
    }
    let packed = bytes.len() as u64;
    let unpacked = bounded::gunzip(&bytes, MAX_UNPACKED_LOG_BYTES);
    let problem = match (&unpacked.damaged, unpacked.cut) {
        (Some(e), _) => Some(format!("gzip data is damaged: {e}")),
        (None, true) => unpacked.cut_notice(&format!(
            "the unpacked log ({} packed)",
            bounded::human_size(packed)
        )),
        (None, false) => None,
    };
    (unpacked.data, problem)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn texts(lines: &[LogLine]) -> Vec<&str> {
        lines.iter().map(|l| l.text.as_str()).collect()
    }

    #[test]
    fn a_line_cut_between_pieces_is_joined() {
        let mut splitter = LineSplitter::default();
        assert_eq!(texts(&splitter.push(b"first\nsec")), ["first"]);
        assert_eq!(splitter.pending(), 3);
        assert_eq!(texts(&splitter.push(b"ond\r\nthi")), ["second"]);
        assert_eq!(splitter.finish().unwrap().text, "thi");
        assert!(splitter.finish().is_none());
    }

    #[test]
    fn a_multibyte_char_cut_between_pieces_survives() {
        let mut splitter = LineSplitter::default();
        let text = "é\n".as_bytes();
        assert!(splitter.push(&text[..1]).is_empty());
        assert_eq!(texts(&splitter.push(&text[1..])), ["é"]);
    }

    #[test]
    fn gzip_is_unpacked_and_plain_text_passes() {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(b"a\nb\n").unwrap();
        let (text, problem) = decode_object(encoder.finish().unwrap());
        assert_eq!(text, b"a\nb\n");
        assert!(problem.is_none());
        assert_eq!(decode_object(b"plain".to_vec()).0, b"plain");
        let (_, problem) = decode_object(vec![0x1f, 0x8b, 0, 1, 2]);
        assert!(problem.unwrap().contains("gzip"));
    }
}
