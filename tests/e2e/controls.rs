//! What reached the terminal besides the console's own drawing. The console draws with CSI
//! sequences (`ESC [` … final byte), printable text, and nothing else; remote text must arrive
//! sanitized. Anything else in the raw output (another escape sequence, a C0 or C1 control,
//! a bidi or invisible format character, bytes that are not UTF-8) came from outside.

/// Each foreign control in `raw`, as `offset: what (context)`; empty when there is none.
pub fn foreign_controls(raw: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    let mut at = 0;
    while at < raw.len() {
        let byte = raw[at];
        let step = match byte {
            0x1b => match csi_length(&raw[at..]) {
                Some(length) => length,
                None => {
                    found.push(describe(raw, at, "ESC not starting a CSI sequence"));
                    1
                }
            },
            b'\r' | b'\n' => 1,
            0x00..=0x1f | 0x7f => {
                found.push(describe(raw, at, &format!("C0 control {byte:#04x}")));
                1
            }
            0x20..=0x7e => 1,
            _ => match decode(&raw[at..]) {
                Some((c, length)) => {
                    if let Some(kind) = forbidden(c) {
                        found.push(describe(raw, at, &format!("{kind} U+{:04X}", c as u32)));
                    }
                    length
                }
                None => {
                    found.push(describe(
                        raw,
                        at,
                        &format!("invalid UTF-8 byte {byte:#04x}"),
                    ));
                    1
                }
            },
        };
        at += step;
    }
    found
}

/// The length of the CSI sequence at the start of `bytes` (`ESC [`, parameter bytes 0x30-0x3f,
/// intermediate bytes 0x20-0x2f, one final byte 0x40-0x7e), if one starts there.
fn csi_length(bytes: &[u8]) -> Option<usize> {
    if bytes.get(1) != Some(&b'[') {
        return None;
    }
    let mut at = 2;
    while bytes.get(at).is_some_and(|b| (0x30..=0x3f).contains(b)) {
        at += 1;
    }
    while bytes.get(at).is_some_and(|b| (0x20..=0x2f).contains(b)) {
        at += 1;
    }
    bytes
        .get(at)
        .filter(|b| (0x40..=0x7e).contains(*b))
        .map(|_| at + 1)
}

/// The character a UTF-8 sequence at the start of `bytes` encodes, and its length.
fn decode(bytes: &[u8]) -> Option<(char, usize)> {
    let length = match bytes[0] {
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => return None,
    };
    let text = std::str::from_utf8(bytes.get(..length)?).ok()?;
    text.chars().next().map(|c| (c, length))
}

/// Why `c` must not reach a terminal from remote text, if it must not.
fn forbidden(c: char) -> Option<&'static str> {
    match c as u32 {
        0x80..=0x9f => Some("C1 control"),
        0x061c | 0x200e | 0x200f | 0x202a..=0x202e | 0x2066..=0x2069 => Some("bidi control"),
        0x200b..=0x200d | 0x2060..=0x2064 | 0xfeff | 0x180e | 0x00ad => {
            Some("invisible format character")
        }
        0x2028 | 0x2029 => Some("line or paragraph separator"),
        _ => None,
    }
}

fn describe(raw: &[u8], at: usize, what: &str) -> String {
    let from = at.saturating_sub(24);
    let to = (at + 24).min(raw.len());
    format!(
        "byte {at}: {what} in {:?}",
        String::from_utf8_lossy(&raw[from..to])
    )
}
