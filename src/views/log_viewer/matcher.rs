//! Finding a needle in log lines, fast enough for a million lines: smart case (case-insensitive
//! unless the needle has a capital letter) without allocating per line.

use std::ops::Range;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matcher {
    needle: String,
    /// The needle folded to lower case (case-insensitive matching only).
    folded: Vec<char>,
    case_sensitive: bool,
}

fn fold(c: char) -> char {
    if c.is_ascii() {
        c.to_ascii_lowercase()
    } else {
        c.to_lowercase().next().unwrap_or(c)
    }
}

impl Matcher {
    /// `None` for an empty needle (nothing to look for).
    pub fn new(needle: &str) -> Option<Self> {
        if needle.is_empty() {
            return None;
        }
        Some(Self {
            needle: needle.to_string(),
            folded: needle.chars().map(fold).collect(),
            case_sensitive: needle.chars().any(char::is_uppercase),
        })
    }

    pub fn needle(&self) -> &str {
        &self.needle
    }

    pub fn is_match(&self, hay: &str) -> bool {
        self.find_from(hay, 0).is_some()
    }

    /// Every non-overlapping match, as byte ranges of `hay`.
    pub fn find_iter<'a>(&'a self, hay: &'a str) -> impl Iterator<Item = Range<usize>> + 'a {
        let mut from = 0;
        std::iter::from_fn(move || {
            let found = self.find_from(hay, from)?;
            from = found.end.max(found.start + 1);
            Some(found)
        })
    }

    fn find_from(&self, hay: &str, from: usize) -> Option<Range<usize>> {
        let rest = hay.get(from..)?;
        let found = if self.case_sensitive {
            rest.find(&self.needle)
                .map(|start| start..start + self.needle.len())
        } else if self.needle.is_ascii() {
            find_ascii_ignoring_case(rest.as_bytes(), self.needle.as_bytes())
        } else {
            self.find_folded(rest)
        }?;
        Some(found.start + from..found.end + from)
    }

    /// Case-insensitive search for a needle with non-ASCII letters (rare: char by char).
    fn find_folded(&self, hay: &str) -> Option<Range<usize>> {
        hay.char_indices().find_map(|(start, _)| {
            let mut chars = hay[start..].char_indices();
            for want in &self.folded {
                match chars.next() {
                    Some((_, c)) if fold(c) == *want => {}
                    _ => return None,
                }
            }
            let end = chars.next().map_or(hay.len(), |(i, _)| start + i);
            Some(start..end)
        })
    }
}

/// An ASCII needle ignoring case: scan for its first byte in either case, then compare. ASCII
/// bytes never occur inside a multi-byte UTF-8 character, so the range is on char boundaries.
fn find_ascii_ignoring_case(hay: &[u8], needle: &[u8]) -> Option<Range<usize>> {
    let first = needle[0].to_ascii_lowercase();
    let first_upper = needle[0].to_ascii_uppercase();
    let last_start = hay.len().checked_sub(needle.len())?;
    let mut i = 0;
    while i <= last_start {
        let b = hay[i];
        if (b == first || b == first_upper) && hay[i..i + needle.len()].eq_ignore_ascii_case(needle)
        {
            return Some(i..i + needle.len());
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranges(needle: &str, hay: &str) -> Vec<Range<usize>> {
        Matcher::new(needle).unwrap().find_iter(hay).collect()
    }

    #[test]
    fn lower_case_needles_ignore_case() {
        assert_eq!(
            ranges("error", "ERROR: x error Error"),
            [0..5, 9..14, 15..20]
        );
        assert!(Matcher::new("").is_none());
    }

    #[test]
    fn a_capital_letter_makes_the_search_case_sensitive() {
        assert_eq!(ranges("Error", "ERROR Error error"), vec![6..11]);
    }

    #[test]
    fn non_ascii_needles_fold_case_on_char_boundaries() {
        let hay = "Ärger und ärger";
        let found = ranges("ärger", hay);
        assert_eq!(found.len(), 2);
        assert_eq!(&hay[found[0].clone()], "Ärger");
        assert_eq!(&hay[found[1].clone()], "ärger");
    }

    #[test]
    fn matches_do_not_overlap_and_the_end_is_exact() {
        assert_eq!(ranges("aa", "aaaa"), [0..2, 2..4]);
        assert_eq!(ranges("x", "é x"), vec![3..4]);
        assert!(!Matcher::new("long needle").unwrap().is_match("short"));
    }
}
