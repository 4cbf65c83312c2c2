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
            find_ascii_ignoring_case(rest, self.needle.as_bytes())
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

/// An ASCII needle ignoring case. The scan looks for the needle's rarest byte (in either case)
/// with `str::find`, which is memchr-fast, and compares the window around each hit. ASCII bytes
/// never occur inside a multi-byte UTF-8 character, so every offset used is a char boundary.
fn find_ascii_ignoring_case(hay: &str, needle: &[u8]) -> Option<Range<usize>> {
    let anchor = (0..needle.len()).max_by_key(|&i| rarity(needle[i]))?;
    let cases = [
        char::from(needle[anchor].to_ascii_lowercase()),
        char::from(needle[anchor].to_ascii_uppercase()),
    ];
    let mut next = [None; 2];
    let mut from = anchor;
    while from <= hay.len() {
        for (slot, case) in next.iter_mut().zip(cases) {
            if slot.is_none_or(|at| at < from) {
                *slot = hay.get(from..)?.find(case).map(|at| at + from);
            }
        }
        let at = next.iter().flatten().min().copied()?;
        let start = at - anchor;
        let window = hay.as_bytes().get(start..start + needle.len());
        if window.is_some_and(|w| w.eq_ignore_ascii_case(needle)) {
            return Some(start..start + needle.len());
        }
        from = at + 1;
    }
    None
}

/// How rare a byte is in log text (higher is rarer): letters by English frequency, digits
/// among them (logs are full of numbers), anything else rarest.
fn rarity(byte: u8) -> usize {
    const COMMON_FIRST: &[u8] = b" etaoinsrhldcum0123456789fpgwybvkxjqz";
    COMMON_FIRST
        .iter()
        .position(|&c| c == byte.to_ascii_lowercase())
        .unwrap_or(COMMON_FIRST.len())
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
        // The rarest byte ('x') anchors the scan; hits too close to either end are skipped.
        assert_eq!(ranges("ex", "x ex EX"), vec![2..4, 5..7]);
        assert_eq!(ranges("xa", "éx xa"), vec![4..6]);
        assert!(!Matcher::new("abx").unwrap().is_match("bx"));
    }
}
