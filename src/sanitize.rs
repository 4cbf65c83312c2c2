//! Text from the outside world (object keys, file contents, log lines, error messages) passes
//! through here before it reaches the terminal. No escape sequence or control character survives:
//! they are shown in caret notation (`^[`), so a hostile key is visible but inert.

use std::borrow::Cow;

/// Longest run of characters kept from one piece of remote text in a single cell or line.
pub const MAX_LINE_CHARS: usize = 4096;

/// Characters that can reorder, hide or break text without being seen: every format
/// character (Unicode general category Cf, as of Unicode 15: bidi marks, embeddings,
/// overrides and isolates, U+061C, zero-width spaces and joiners, word joiner, invisible
/// operators, BOM, interlinear annotation, tags...), the line and paragraph separators, and
/// the invisible fillers and joiners of other categories.
pub fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        // General category Cf.
        '\u{00AD}'
            | '\u{0600}'..='\u{0605}'
            | '\u{061C}'
            | '\u{06DD}'
            | '\u{070F}'
            | '\u{0890}'..='\u{0891}'
            | '\u{08E2}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{110BD}'
            | '\u{110CD}'
            | '\u{13430}'..='\u{1343F}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0001}'
            | '\u{E0020}'..='\u{E007F}'
            // Line and paragraph separators (Zl, Zp).
            | '\u{2028}'
            | '\u{2029}'
            // Invisible marks and fillers outside Cf.
            | '\u{034F}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180D}'
            | '\u{180F}'
            | '\u{3164}'
            | '\u{FFA0}'
    )
}

fn needs_cleaning(c: char) -> bool {
    c.is_control() || is_invisible_format(c)
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
        c if is_invisible_format(c) => out.push_str(&format!("<U+{:04X}>", c as u32)),
        c => out.push(c),
    }
}

/// Multi-line remote text: split on line breaks and clean each line.
pub fn lines(text: &str) -> Vec<String> {
    text.lines().map(|l| line(l).into_owned()).collect()
}

/// Multi-line text for a terminal outside the console (stderr, `ls`): each line cleaned, the
/// line breaks kept.
pub fn block(text: &str) -> String {
    lines(text).join("\n")
}

/// `value` as one line of JSON that is safe on a terminal and still exact: serde_json already
/// escapes C0 controls; DEL, C1 controls and invisible format characters are escaped here as
/// `\uXXXX` too (they can only occur inside strings, so the JSON stays valid).
pub fn json(value: &serde_json::Value) -> String {
    let text = value.to_string();
    if !text.chars().any(needs_cleaning) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if needs_cleaning(c) {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
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
    fn every_bidi_control_and_invisible_format_character_is_shown() {
        let cases = [
            ("\u{061C}", "<U+061C>"),   // Arabic letter mark
            ("\u{200B}", "<U+200B>"),   // zero-width space
            ("\u{200C}", "<U+200C>"),   // zero-width non-joiner
            ("\u{200D}", "<U+200D>"),   // zero-width joiner
            ("\u{2060}", "<U+2060>"),   // word joiner
            ("\u{2066}", "<U+2066>"),   // left-to-right isolate
            ("\u{2069}", "<U+2069>"),   // pop directional isolate
            ("\u{FEFF}", "<U+FEFF>"),   // BOM / zero-width no-break space
            ("\u{2028}", "<U+2028>"),   // line separator
            ("\u{2029}", "<U+2029>"),   // paragraph separator
            ("\u{00AD}", "<U+00AD>"),   // soft hyphen
            ("\u{E0041}", "<U+E0041>"), // tag letter A
            ("\u{3164}", "<U+3164>"),   // Hangul filler
        ];
        for (hostile, shown) in cases {
            assert_eq!(line(&format!("a{hostile}b")), format!("a{shown}b"));
        }
        // Visible text of other scripts passes unchanged.
        assert!(matches!(line("ملف_مهم.csv données 数据"), Cow::Borrowed(_)));
    }

    /// Every code point of category Cf in Python's Unicode database (14.0 on this machine)
    /// is treated: the list above is not missing a range.
    #[test]
    fn covers_every_format_character_of_the_unicode_database() {
        let script = "import unicodedata, sys\n\
            print(' '.join(str(c) for c in range(sys.maxunicode + 1) \
            if unicodedata.category(chr(c)) == 'Cf'))";
        let output = std::process::Command::new("python3")
            .args(["-c", script])
            .output()
            .expect("python3 (installed by scripts/checks/setup)");
        assert!(output.status.success(), "{output:?}");
        let listed: Vec<u32> = String::from_utf8(output.stdout)
            .unwrap()
            .split_whitespace()
            .map(|n| n.parse().unwrap())
            .collect();
        assert!(listed.len() > 150, "{listed:?}");
        let missed: Vec<String> = listed
            .into_iter()
            .filter(|&c| !is_invisible_format(char::from_u32(c).unwrap()))
            .map(|c| format!("U+{c:04X}"))
            .collect();
        assert!(
            missed.is_empty(),
            "format characters let through: {missed:?}"
        );
    }

    #[test]
    fn json_escapes_what_a_terminal_would_act_on_and_round_trips() {
        let key = "raw/\x1b]0;pwned\x07\u{9b}2J\u{7f}\u{202E}\u{E0041}é.csv";
        let value = serde_json::json!({ "key": key });
        let text = json(&value);
        assert!(!text.chars().any(needs_cleaning), "{text}");
        assert!(
            text.contains("\\u001b") && text.contains("\\u009b"),
            "{text}"
        );
        assert!(
            text.contains("\\udb40\\udc41") && text.contains('é'),
            "{text}"
        );
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
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
