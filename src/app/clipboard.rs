//! Copy to the user's clipboard with OSC 52: the terminal itself sets the clipboard, so it works
//! over SSH and inside tmux (with `set -g set-clipboard on`), with no clipboard tool installed.

use base64::Engine;

use crate::sanitize;
use crate::views::selection::Copied;

/// Longest text copied; terminals refuse or cut larger OSC 52 payloads.
pub const MAX_COPY_BYTES: usize = 64 * 1024;

/// The escape sequence that asks the terminal to put `text` on the clipboard.
pub fn osc52(text: &str) -> String {
    let mut end = text.len().min(MAX_COPY_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let encoded = base64::engine::general_purpose::STANDARD.encode(&text[..end]);
    format!("\x1b]52;c;{encoded}\x07")
}

/// What the status bar says after a copy.
pub fn copied_note(copied: &Copied) -> String {
    format!(
        "copied {} {} (OSC 52: the terminal must allow it; tmux: set -g set-clipboard on)",
        copied.what,
        sanitize::line(&copied.text)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_carries_the_text_in_base64() {
        assert_eq!(osc52("s3://b/k"), "\x1b]52;c;czM6Ly9iL2s=\x07");
        let long = "é".repeat(MAX_COPY_BYTES);
        let sequence = osc52(&long);
        assert!(sequence.len() < MAX_COPY_BYTES * 2);
    }
}
