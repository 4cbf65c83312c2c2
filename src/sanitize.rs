//! Text from the outside world (object keys, file contents, log lines, error messages) passes
//! through here before it reaches the terminal. No escape sequence or control character survives:
//! they are shown in caret notation (`^[`), so a hostile key is visible but inert.

use std::borrow::Cow;

/// Longest run of characters kept from one piece of remote text in a single cell or line.
pub const MAX_LINE_CHARS: usize = 4096;

/// Characters that can reorder or hide text (bidi overrides and isolates).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

/// A character that must not reach a terminal as it is (controls, C1 controls, bidi overrides).
pub fn needs_cleaning(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

/// One line of remote text made safe to draw: control characters become caret notation,
/// tabs become spaces, line breaks become `↵`, and the result is cut at `MAX_LINE_CHARS`.
pub fn line(text: &str) -> Cow<'_, str> {
    let too_long = text.len() > MAX_LINE_CHARS;
    if !too_long && !text.chars().any(needs_cleaning) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len().min(MAX_LINE_CHARS + 16));
    for (count, c) in text.chars().enumerate() {
        if count >= MAX_LINE_CHARS {
            out.push('…');
            break;
        }
        push_clean(&mut out, c);
    }
    Cow::Owned(out)
}

/// Remote bytes (possibly invalid UTF-8) as a safe line.
pub fn bytes_line(bytes: &[u8]) -> String {
    line(&String::from_utf8_lossy(bytes)).into_owned()
}

fn push_clean(out: &mut String, c: char) {
    match c {
        '\t' => out.push_str("    "),
        '\n' | '\r' => out.push('↵'),
        c if (c as u32) < 0x20 => {
            out.push('^');
            out.push(char::from(b'@' + c as u8));
        }
        '\u{7f}' => out.push_str("^?"),
        c if c.is_control() => out.push_str(&format!("<U+{:04X}>", c as u32)),
        c if is_bidi_control(c) => out.push_str(&format!("<U+{:04X}>", c as u32)),
        c => out.push(c),
    }
}

/// Multi-line remote text: split on line breaks and clean each line.
pub fn lines(text: &str) -> Vec<String> {
    text.lines().map(|l| line(l).into_owned()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        assert!(matches!(line("raw/green_tripdata.csv"), Cow::Borrowed(_)));
    }

    #[test]
    fn escape_sequences_become_visible_and_inert() {
        let hostile = "raw/hostile/\x1b]0;pwned\x07\x1b[2Jname.txt";
        let clean = line(hostile);
        assert_eq!(clean, "raw/hostile/^[]0;pwned^G^[[2Jname.txt");
        assert!(!clean.chars().any(|c| c.is_control()));
    }

    #[test]
    fn c1_controls_and_bidi_overrides_are_replaced() {
        let clean = line("a\u{9b}31mb\u{202E}cba");
        assert_eq!(clean, "a<U+009B>31mb<U+202E>cba");
    }

    #[test]
    fn tabs_newlines_and_delete() {
        assert_eq!(line("a\tb\r\nc\u{7f}"), "a    b↵↵c^?");
    }

    #[test]
    fn megabyte_line_is_cut() {
        let long = "x".repeat(1 << 20);
        let clean = line(&long);
        assert_eq!(clean.chars().count(), MAX_LINE_CHARS + 1);
        assert!(clean.ends_with('…'));
    }

    #[test]
    fn invalid_utf8_is_replaced() {
        assert_eq!(bytes_line(b"ok\xff\x1b"), "ok\u{FFFD}^[");
    }
}
