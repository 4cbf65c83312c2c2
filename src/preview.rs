//! The object preview decoder: turns the first bytes of an S3 object into something to show —
//! text lines, a CSV table, or a hex dump — unpacking gzip on the way. Pure and total: any
//! input decodes without panicking. Nothing is sanitized here; the UI sanitizes what it draws.

use std::borrow::Cow;

/// Most bytes kept after gunzipping (a small compressed prefix can inflate enormously).
pub const MAX_DECODED_BYTES: usize = 1 << 20;
/// Longer lines and cells are cut to this many characters.
pub const MAX_LINE_CHARS: usize = 10_000;
/// Most text lines or CSV rows kept.
pub const MAX_LINES: usize = 50_000;
/// Wider "CSV" is shown as text.
pub const MAX_CSV_COLUMNS: usize = 256;
/// Most bytes shown in a hex dump.
pub const MAX_HEX_BYTES: usize = 64 * 1024;

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const UTF8_BOM: &[u8] = b"\xef\xbb\xbf";
/// How much of the start is inspected to tell text from binary.
const SNIFF_BYTES: usize = 8 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Preview {
    Text {
        lines: Vec<String>,
    },
    Csv {
        header: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    Hex {
        lines: Vec<String>,
    },
    Empty,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub preview: Preview,
    /// The bytes were gzip-compressed.
    pub gzip: bool,
    /// Only part of the object is shown (not all bytes fetched, or a cap was hit).
    pub truncated: bool,
    /// What the user should know about how this was decoded.
    pub note: Option<String>,
}

/// Decodes `bytes`, the first bytes of the object `key` whose full size is `object_size`.
pub fn decode(key: &str, bytes: &[u8], object_size: u64) -> Decoded {
    let partial = (bytes.len() as u64) < object_size;
    let mut notes = Vec::new();
    if partial {
        notes.push(format!("first {} of {} bytes", bytes.len(), object_size));
    }
    let gzip = bytes.starts_with(&GZIP_MAGIC);
    let (data, unpacked_capped) = if gzip {
        let unpacked = crate::bounded::gunzip(bytes, MAX_DECODED_BYTES);
        // A damaged end is expected when only a prefix of the object was fetched.
        if unpacked.damaged.is_some() && !partial {
            notes.push(format!(
                "gzip stream is damaged; showing the {} bytes before the damage",
                unpacked.data.len()
            ));
        }
        notes.extend(unpacked.cut_notice("the unpacked data"));
        let cut = unpacked.cut;
        (Cow::Owned(unpacked.data), cut)
    } else {
        if ends_with_ignore_case(key, ".gz") && !bytes.is_empty() {
            notes.push("named .gz but not gzip-compressed".to_string());
        }
        (Cow::Borrowed(bytes), false)
    };
    let cut_off = partial || unpacked_capped;
    let named_csv = ends_with_ignore_case(strip_suffix_ignore_case(key, ".gz"), ".csv");
    let (preview, capped) = present(&data, named_csv, cut_off, &mut notes);
    Decoded {
        preview,
        gzip,
        truncated: cut_off || capped,
        note: (!notes.is_empty()).then(|| notes.join("; ")),
    }
}

/// Chooses how to show the (unpacked) `data`; `cut_off` means it ends mid-object.
/// Returns the preview and whether a display cap left part of `data` out.
fn present(
    data: &[u8],
    named_csv: bool,
    cut_off: bool,
    notes: &mut Vec<String>,
) -> (Preview, bool) {
    if data.is_empty() {
        return (Preview::Empty, false);
    }
    if looks_binary(data) {
        notes.push("binary data".to_string());
        let shown = &data[..data.len().min(MAX_HEX_BYTES)];
        let lines = hex_dump(shown);
        return (Preview::Hex { lines }, shown.len() < data.len());
    }
    let text = utf8_text(data, cut_off);
    if let Some(table) = csv_table(&text, named_csv, cut_off) {
        notes.extend(table.note);
        let (header, rows) = (table.header, table.rows);
        return (Preview::Csv { header, rows }, table.capped);
    }
    let (lines, capped) = text_lines(&text);
    (Preview::Text { lines }, capped)
}

fn ends_with_ignore_case(s: &str, suffix: &str) -> bool {
    s.len() >= suffix.len()
        && s.is_char_boundary(s.len() - suffix.len())
        && s[s.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
}

fn strip_suffix_ignore_case<'a>(s: &'a str, suffix: &str) -> &'a str {
    if ends_with_ignore_case(s, suffix) {
        &s[..s.len() - suffix.len()]
    } else {
        s
    }
}

/// Binary if the start has a NUL, or more than a tenth of it is invalid UTF-8 or control bytes.
fn looks_binary(data: &[u8]) -> bool {
    let sample = &data[..data.len().min(SNIFF_BYTES)];
    if sample.contains(&0) {
        return true;
    }
    let text = String::from_utf8_lossy(sample);
    let suspicious = text
        .chars()
        .filter(|&c| {
            c == char::REPLACEMENT_CHARACTER
                || (c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\x0c' | '\x1b'))
        })
        .count();
    suspicious * 10 > text.chars().count()
}

/// Lossy UTF-8 without a byte-order mark; a multi-byte character cut off by truncation at
/// the very end is dropped.
fn utf8_text(data: &[u8], truncated: bool) -> Cow<'_, str> {
    let data = data.strip_prefix(UTF8_BOM).unwrap_or(data);
    String::from_utf8_lossy(if truncated {
        drop_cut_off_char(data)
    } else {
        data
    })
}

/// `data` without a trailing incomplete (not invalid) UTF-8 sequence.
fn drop_cut_off_char(data: &[u8]) -> &[u8] {
    let is_continuation = |b: u8| b & 0xc0 == 0x80;
    // An incomplete sequence is at most 3 bytes: its lead byte plus up to 2 continuations.
    let Some(lead) = (data.len().saturating_sub(3)..data.len())
        .rev()
        .find(|&i| !is_continuation(data[i]))
    else {
        return data;
    };
    match std::str::from_utf8(&data[lead..]) {
        Err(e) if e.valid_up_to() == 0 && e.error_len().is_none() => &data[..lead],
        _ => data,
    }
}

fn cut(s: &str) -> String {
    match s.char_indices().nth(MAX_LINE_CHARS) {
        Some((end, _)) => format!("{}…", &s[..end]),
        None => s.to_string(),
    }
}

/// Lines without their `\n` / `\r\n`; returns whether MAX_LINES cut some off.
fn text_lines(text: &str) -> (Vec<String>, bool) {
    let text = text.strip_suffix('\n').unwrap_or(text);
    let mut all = text.split('\n');
    let lines: Vec<String> = all
        .by_ref()
        .take(MAX_LINES)
        .map(|line| cut(line.strip_suffix('\r').unwrap_or(line)))
        .collect();
    (lines, all.next().is_some())
}

struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    capped: bool,
    note: Option<String>,
}

/// The text as a table when it is named .csv or every record has the same number (≥ 2) of
/// comma-separated fields. Rows are padded so all have the header's width.
fn csv_table(text: &str, named_csv: bool, truncated: bool) -> Option<Table> {
    let (mut records, capped) = parse_csv(text, truncated);
    let widths = records.iter().map(Vec::len);
    let (narrowest, widest) = (widths.clone().min()?, widths.max()?);
    let consistent = narrowest == widest && widest >= 2 && records.len() >= 2;
    if widest > MAX_CSV_COLUMNS || !(named_csv || consistent) {
        return None;
    }
    let note = (narrowest != widest).then(|| format!("rows have {narrowest} to {widest} columns"));
    for record in &mut records {
        record.resize(widest, String::new());
    }
    let header = records.remove(0);
    Some(Table {
        header,
        rows: records,
        capped,
        note,
    })
}

/// RFC 4180 records: quoted fields may hold commas, newlines and doubled quotes. Blank lines
/// are skipped. When the text was cut off, the last record (after the last record-ending
/// newline) is incomplete and dropped. Returns whether MAX_LINES cut records off.
fn parse_csv(text: &str, truncated: bool) -> (Vec<Vec<String>>, bool) {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut in_quotes = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if in_quotes => {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    in_quotes = false;
                }
            }
            '"' if field.is_empty() => in_quotes = true,
            ',' if !in_quotes => record.push(cut(&std::mem::take(&mut field))),
            '\r' if !in_quotes && chars.peek() == Some(&'\n') => {}
            '\n' if !in_quotes => {
                record.push(cut(&std::mem::take(&mut field)));
                if !(record.len() == 1 && record[0].is_empty()) {
                    if records.len() == MAX_LINES {
                        return (records, true);
                    }
                    records.push(std::mem::take(&mut record));
                }
                record.clear();
            }
            _ => field.push(c),
        }
    }
    let has_last = !record.is_empty() || !field.is_empty();
    if has_last && !truncated && records.len() < MAX_LINES {
        record.push(cut(&field));
        records.push(record);
    }
    (records, false)
}

/// `hexdump -C` style: "00000000  48 65 6c 6c 6f 0a 00 01  02 03 04 05 06 07 08 09  |Hello...........|".
pub fn hex_dump(bytes: &[u8]) -> Vec<String> {
    bytes
        .chunks(16)
        .enumerate()
        .map(|(i, chunk)| {
            let mut hex = String::with_capacity(49);
            for (j, byte) in chunk.iter().enumerate() {
                if j == 8 {
                    hex.push(' ');
                }
                hex.push_str(&format!("{byte:02x} "));
            }
            let ascii: String = chunk
                .iter()
                .map(|&b| {
                    if b.is_ascii_graphic() || b == b' ' {
                        b as char
                    } else {
                        '.'
                    }
                })
                .collect();
            format!("{:08x}  {hex:<49} |{ascii}|", i * 16)
        })
        .collect()
}

#[cfg(test)]
mod tests;
