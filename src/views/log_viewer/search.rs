//! Search: every line that matches, kept up to date as lines arrive and drop, and the way from
//! one match to the next or previous, wrapping around at either end.

use std::collections::VecDeque;

use super::buffer::LineBuffer;
use super::matcher::Matcher;

pub struct Search {
    matcher: Matcher,
    /// Sequence numbers of the matching lines, ascending.
    matches: VecDeque<u64>,
}

/// Where a jump landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub seq: u64,
    /// The jump went past the end (or start) and came around.
    pub wrapped: bool,
}

impl Search {
    pub fn new(matcher: Matcher, buffer: &LineBuffer) -> Self {
        let matches = buffer
            .iter_from(buffer.first())
            .filter(|(_, line)| matcher.is_match(&line.text))
            .map(|(seq, _)| seq)
            .collect();
        Self { matcher, matches }
    }

    pub fn matcher(&self) -> &Matcher {
        &self.matcher
    }

    pub fn feed(&mut self, seq: u64, text: &str) {
        if self.matcher.is_match(text) {
            self.matches.push_back(seq);
        }
    }

    pub fn evict_before(&mut self, first: u64) {
        while self.matches.front().is_some_and(|&seq| seq < first) {
            self.matches.pop_front();
        }
    }

    pub fn count(&self) -> usize {
        self.matches.len()
    }

    /// 1-based rank of the match on line `seq`, if it is one.
    pub fn rank_of(&self, seq: u64) -> Option<usize> {
        self.matches.binary_search(&seq).ok().map(|i| i + 1)
    }

    /// The first match at or after `seq` (or, wrapping, from the top) that `shown` accepts.
    pub fn first_from(&self, seq: u64, shown: impl Fn(u64) -> bool) -> Option<Hit> {
        let start = self.matches.partition_point(|&m| m < seq);
        self.scan_forward(start, shown)
    }

    /// The next match after `seq`, wrapping to the top.
    pub fn next_after(&self, seq: u64, shown: impl Fn(u64) -> bool) -> Option<Hit> {
        let start = self.matches.partition_point(|&m| m <= seq);
        self.scan_forward(start, shown)
    }

    /// The previous match before `seq`, wrapping to the bottom.
    pub fn prev_before(&self, seq: u64, shown: impl Fn(u64) -> bool) -> Option<Hit> {
        let end = self.matches.partition_point(|&m| m < seq);
        let before = self.matches.range(..end).rev().map(|&m| (m, false));
        let wrapped = self.matches.range(end..).rev().map(|&m| (m, true));
        before
            .chain(wrapped)
            .find(|&(m, _)| shown(m))
            .map(|(seq, wrapped)| Hit { seq, wrapped })
    }

    fn scan_forward(&self, start: usize, shown: impl Fn(u64) -> bool) -> Option<Hit> {
        let after = self.matches.range(start..).map(|&m| (m, false));
        let wrapped = self.matches.range(..start).map(|&m| (m, true));
        after
            .chain(wrapped)
            .find(|&(m, _)| shown(m))
            .map(|(seq, wrapped)| Hit { seq, wrapped })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logs::LogLine;

    fn search(texts: &[&str]) -> Search {
        let mut buffer = LineBuffer::new(100);
        buffer.extend(texts.iter().map(|t| LogLine::new(*t)).collect());
        Search::new(Matcher::new("err").unwrap(), &buffer)
    }

    const LOG: [&str; 6] = ["ok", "err a", "ok", "err b", "ok", "err c"];

    fn hit(seq: u64, wrapped: bool) -> Option<Hit> {
        Some(Hit { seq, wrapped })
    }

    #[test]
    fn next_and_previous_wrap_around() {
        let s = search(&LOG);
        let all = |_| true;
        assert_eq!(s.count(), 3);
        assert_eq!(s.next_after(1, all), hit(3, false));
        assert_eq!(s.next_after(5, all), hit(1, true));
        assert_eq!(s.prev_before(3, all), hit(1, false));
        assert_eq!(s.prev_before(1, all), hit(5, true));
        assert_eq!(s.first_from(3, all), hit(3, false));
        assert_eq!(s.rank_of(5), Some(3));
        assert_eq!(s.rank_of(4), None);
    }

    #[test]
    fn hidden_matches_are_skipped_and_no_match_is_none() {
        let s = search(&LOG);
        assert_eq!(s.next_after(1, |seq| seq != 3), hit(5, false));
        assert_eq!(s.prev_before(1, |seq| seq == 1), hit(1, true));
        assert_eq!(s.next_after(0, |_| false), None);
        assert_eq!(search(&["ok"]).next_after(0, |_| true), None);
    }

    #[test]
    fn new_lines_are_searched_and_dropped_ones_forgotten() {
        let mut s = search(&LOG);
        s.feed(6, "ERR d");
        s.feed(7, "fine");
        assert_eq!(s.count(), 4);
        s.evict_before(4);
        assert_eq!(s.count(), 2);
        assert_eq!(s.next_after(6, |_| true), hit(5, true));
    }
}
