//! Which lines are shown: all of them, or the lines matching a filter plus `context` lines
//! before and after each match (like `grep -C`), overlapping windows merged. The filter is
//! kept up to date line by line as lines arrive, so following a filtered log costs no rescans.

use std::collections::VecDeque;

use super::buffer::LineBuffer;
use super::matcher::Matcher;

pub struct ContextFilter {
    matcher: Matcher,
    context: u64,
    /// Sequence numbers of the shown lines, ascending.
    shown: VecDeque<u64>,
    last_match: Option<u64>,
    /// No line before this one can be shown (dropped or never fed).
    floor: u64,
}

impl ContextFilter {
    /// The filter over every line of `buffer`.
    pub fn new(matcher: Matcher, context: usize, buffer: &LineBuffer) -> Self {
        let mut filter = Self {
            matcher,
            context: context as u64,
            shown: VecDeque::new(),
            last_match: None,
            floor: buffer.first(),
        };
        for (seq, line) in buffer.iter_from(buffer.first()) {
            filter.feed(seq, &line.text);
        }
        filter
    }

    pub fn matcher(&self) -> &Matcher {
        &self.matcher
    }

    /// Takes in the next line (sequence numbers must ascend).
    pub fn feed(&mut self, seq: u64, text: &str) {
        if self.matcher.is_match(text) {
            let next_unshown = self.shown.back().map_or(self.floor, |last| last + 1);
            let from = seq.saturating_sub(self.context).max(next_unshown);
            self.shown.extend(from..=seq);
            self.last_match = Some(seq);
        } else if self.last_match.is_some_and(|m| seq <= m + self.context) {
            self.shown.push_back(seq);
        }
    }

    /// Forgets lines the buffer dropped.
    pub fn evict_before(&mut self, first: u64) {
        while self.shown.front().is_some_and(|&seq| seq < first) {
            self.shown.pop_front();
        }
        self.floor = self.floor.max(first);
    }

    pub fn shown(&self) -> &VecDeque<u64> {
        &self.shown
    }
}

/// The lines on screen, in order; positions index into this list.
pub enum Shown {
    All,
    Filtered(ContextFilter),
}

impl Shown {
    pub fn len(&self, buffer: &LineBuffer) -> usize {
        match self {
            Shown::All => buffer.len(),
            Shown::Filtered(filter) => filter.shown.len(),
        }
    }

    pub fn seq_at(&self, position: usize, buffer: &LineBuffer) -> Option<u64> {
        match self {
            Shown::All => (position < buffer.len()).then(|| buffer.first() + position as u64),
            Shown::Filtered(filter) => filter.shown.get(position).copied(),
        }
    }

    /// Position of `seq`, or of the first shown line after it, or the last position.
    pub fn position_of(&self, seq: u64, buffer: &LineBuffer) -> usize {
        let last = self.len(buffer).saturating_sub(1);
        let position = match self {
            Shown::All => seq.saturating_sub(buffer.first()) as usize,
            Shown::Filtered(filter) => filter.shown.partition_point(|&s| s < seq),
        };
        position.min(last)
    }

    pub fn contains(&self, seq: u64, buffer: &LineBuffer) -> bool {
        match self {
            Shown::All => (buffer.first()..buffer.end()).contains(&seq),
            Shown::Filtered(filter) => filter.shown.binary_search(&seq).is_ok(),
        }
    }

    /// Whether the shown line at `position` does not directly follow the previous shown line.
    pub fn gap_before(&self, position: usize) -> bool {
        match self {
            Shown::All => false,
            Shown::Filtered(filter) => {
                position > 0 && filter.shown[position - 1] + 1 != filter.shown[position]
            }
        }
    }

    pub fn filter(&self) -> Option<&ContextFilter> {
        match self {
            Shown::All => None,
            Shown::Filtered(filter) => Some(filter),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logs::LogLine;

    fn buffer(texts: &[&str], cap: usize) -> LineBuffer {
        let mut buffer = LineBuffer::new(cap);
        buffer.extend(texts.iter().map(|t| LogLine::new(*t)).collect());
        buffer
    }

    fn shown(filter: &ContextFilter) -> Vec<u64> {
        filter.shown().iter().copied().collect()
    }

    const LOG: [&str; 10] = ["a", "b", "ERR 1", "c", "d", "ERR 2", "e", "f", "g", "h"];

    #[test]
    fn context_windows_merge_when_they_overlap() {
        let log = buffer(&LOG, 100);
        let matcher = || Matcher::new("err").unwrap();
        assert_eq!(shown(&ContextFilter::new(matcher(), 0, &log)), [2, 5]);
        assert_eq!(
            shown(&ContextFilter::new(matcher(), 1, &log)),
            [1, 2, 3, 4, 5, 6]
        );
        assert_eq!(
            shown(&ContextFilter::new(matcher(), 3, &log)),
            [0, 1, 2, 3, 4, 5, 6, 7, 8]
        );
    }

    #[test]
    fn lines_fed_one_by_one_give_the_same_result_as_a_rebuild() {
        let matcher = Matcher::new("err").unwrap();
        let mut live = ContextFilter::new(matcher.clone(), 1, &buffer(&[], 100));
        for (seq, text) in LOG.iter().enumerate() {
            live.feed(seq as u64, text);
        }
        let rebuilt = ContextFilter::new(matcher, 1, &buffer(&LOG, 100));
        assert_eq!(shown(&live), shown(&rebuilt));
    }

    #[test]
    fn gaps_and_positions() {
        let log = buffer(&LOG, 100);
        let only_errors =
            Shown::Filtered(ContextFilter::new(Matcher::new("err").unwrap(), 0, &log));
        assert!(!only_errors.gap_before(0));
        assert!(only_errors.gap_before(1));
        assert_eq!(only_errors.position_of(3, &log), 1);
        assert_eq!(only_errors.position_of(9, &log), 1, "clamped to the last");
        assert!(only_errors.contains(5, &log) && !only_errors.contains(4, &log));
        assert_eq!(only_errors.seq_at(1, &log), Some(5));
    }

    #[test]
    fn dropped_lines_leave_the_filter_and_are_never_context() {
        let mut filter = ContextFilter::new(Matcher::new("err").unwrap(), 0, &buffer(&LOG, 100));
        filter.evict_before(3);
        assert_eq!(shown(&filter), [5]);
        let capped = buffer(&LOG, 7); // holds lines 3..=9
        let filter = ContextFilter::new(Matcher::new("err").unwrap(), 3, &capped);
        assert_eq!(shown(&filter), [3, 4, 5, 6, 7, 8]);
    }
}
