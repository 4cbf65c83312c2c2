//! The lines the viewer holds: a ring buffer with a line cap. Every line gets a sequence number
//! that never changes (the first line ever received is 0), so positions, search matches and
//! filter results survive the oldest lines being dropped.

use std::collections::VecDeque;

use crate::logs::LogLine;

/// Longest line kept, in bytes; the rest is cut so one huge line cannot eat the memory.
pub const MAX_LINE_BYTES: usize = 64 * 1024;

pub struct LineBuffer {
    lines: VecDeque<LogLine>,
    /// Sequence number of `lines[0]`.
    first: u64,
    cap: usize,
}

impl LineBuffer {
    pub fn new(cap: usize) -> Self {
        Self {
            lines: VecDeque::new(),
            first: 0,
            cap: cap.max(1),
        }
    }

    /// Appends lines, dropping the oldest beyond the cap. Returns the sequence numbers added
    /// (some may already be dropped again when one batch exceeds the cap).
    pub fn extend(&mut self, lines: Vec<LogLine>) -> std::ops::Range<u64> {
        let start = self.end();
        let count = lines.len();
        let skip = count.saturating_sub(self.cap);
        for mut line in lines.into_iter().skip(skip) {
            cut_long_line(&mut line.text);
            if self.lines.len() == self.cap {
                self.lines.pop_front();
                self.first += 1;
            }
            self.lines.push_back(line);
        }
        self.first += skip as u64;
        start..start + count as u64
    }

    pub fn get(&self, seq: u64) -> Option<&LogLine> {
        let index = seq.checked_sub(self.first)?;
        self.lines.get(usize::try_from(index).ok()?)
    }

    /// Lines from `seq` on (from the first held line if `seq` was dropped).
    pub fn iter_from(&self, seq: u64) -> impl Iterator<Item = (u64, &LogLine)> {
        let skip = seq.saturating_sub(self.first) as usize;
        (self.first + skip as u64..).zip(self.lines.iter().skip(skip))
    }

    /// Sequence number of the oldest line held.
    pub fn first(&self) -> u64 {
        self.first
    }

    /// One past the newest line's sequence number (= every line ever received).
    pub fn end(&self) -> u64 {
        self.first + self.lines.len() as u64
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Lines dropped to keep within the cap.
    pub fn dropped(&self) -> u64 {
        self.first
    }

    pub fn cap(&self) -> usize {
        self.cap
    }
}

fn cut_long_line(text: &mut String) {
    if text.len() <= MAX_LINE_BYTES {
        return;
    }
    let mut end = MAX_LINE_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let cut = text.len() - end;
    text.truncate(end);
    text.push_str(&format!("… [{cut} more bytes not kept]"));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(range: std::ops::Range<u32>) -> Vec<LogLine> {
        range.map(|i| LogLine::new(i.to_string())).collect()
    }

    fn texts(buffer: &LineBuffer) -> Vec<String> {
        buffer.iter_from(0).map(|(_, l)| l.text.clone()).collect()
    }

    #[test]
    fn the_cap_drops_the_oldest_lines_and_sequence_numbers_stay() {
        let mut buffer = LineBuffer::new(3);
        assert_eq!(buffer.extend(lines(0..2)), 0..2);
        assert_eq!(buffer.extend(lines(2..5)), 2..5);
        assert_eq!(texts(&buffer), ["2", "3", "4"]);
        assert_eq!(buffer.dropped(), 2);
        assert_eq!((buffer.first(), buffer.end()), (2, 5));
        assert!(buffer.get(1).is_none());
        assert_eq!(buffer.get(4).unwrap().text, "4");
        let later: Vec<u64> = buffer.iter_from(3).map(|(seq, _)| seq).collect();
        assert_eq!(later, [3, 4]);
    }

    #[test]
    fn a_batch_larger_than_the_cap_keeps_its_newest_lines() {
        let mut buffer = LineBuffer::new(2);
        buffer.extend(lines(0..1));
        assert_eq!(buffer.extend(lines(1..6)), 1..6);
        assert_eq!(texts(&buffer), ["4", "5"]);
        assert_eq!(buffer.dropped(), 4);
    }

    #[test]
    fn a_huge_line_is_cut_on_a_char_boundary() {
        let mut buffer = LineBuffer::new(2);
        buffer.extend(vec![LogLine::new("é".repeat(MAX_LINE_BYTES))]);
        let kept = &buffer.get(0).unwrap().text;
        assert!(kept.len() < MAX_LINE_BYTES + 40);
        assert!(
            kept.ends_with("more bytes not kept]"),
            "{}",
            &kept[kept.len() - 40..]
        );
    }
}
