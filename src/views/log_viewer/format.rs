//! One log line as screen rows: optional timestamp, a JSON log record as `time LEVEL event`
//! ([`structured`]) or, on demand, its raw JSON pretty-printed, search matches highlighted, then
//! wrapped or cut to the width. Called only for visible lines; all text goes through
//! `sanitize::line` here.

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthChar;

use super::matcher::Matcher;
use crate::logs::{structured, LogLine};
use crate::sanitize;

/// Width of a shown timestamp and the space after it.
const TIMESTAMP_COLUMNS: usize = 25;

pub struct RowFormat<'a> {
    pub width: usize,
    pub wrap: bool,
    /// Columns scrolled off to the left (without wrap).
    pub hscroll: usize,
    pub timestamps: bool,
    pub pretty: bool,
    pub search: Option<&'a Matcher>,
    pub text_style: Style,
    pub timestamp_style: Style,
    pub highlight_style: Style,
}

/// The rows of one log line (at least one).
pub fn rows(line: &LogLine, format: &RowFormat) -> Vec<Line<'static>> {
    let texts = if format.pretty {
        pretty_json(&line.text)
    } else {
        // A record without a time of its own shows the line's, unless the column shows it.
        let received = line.timestamp.filter(|_| !format.timestamps);
        structured::readable(&line.text, received)
    }
    .unwrap_or_else(|| vec![line.text.clone()]);
    let mut rows = Vec::new();
    for (i, text) in texts.iter().enumerate() {
        let mut segments = Vec::new();
        if format.timestamps {
            let stamp = match (i, line.timestamp) {
                (0, Some(t)) => format!("{} ", t.format("%Y-%m-%dT%H:%M:%S%.3fZ")),
                _ => " ".repeat(TIMESTAMP_COLUMNS),
            };
            segments.push((stamp, format.timestamp_style));
        }
        highlighted(&sanitize::line(text), format, &mut segments);
        rows.extend(fit(segments, format));
    }
    rows
}

/// `text` split into plain and highlighted segments.
fn highlighted(text: &str, format: &RowFormat, out: &mut Vec<(String, Style)>) {
    let mut from = 0;
    if let Some(matcher) = format.search {
        for found in matcher.find_iter(text) {
            out.push((text[from..found.start].to_string(), format.text_style));
            out.push((text[found.clone()].to_string(), format.highlight_style));
            from = found.end;
        }
    }
    out.push((text[from..].to_string(), format.text_style));
}

/// Segments laid out in rows of `width` columns: wrapped, or cut after skipping `hscroll`.
fn fit(segments: Vec<(String, Style)>, format: &RowFormat) -> Vec<Line<'static>> {
    let width = format.width.max(1);
    let mut rows = Vec::new();
    let mut row: Vec<Span<'static>> = Vec::new();
    let (mut used, mut skipped) = (0, 0);
    'segments: for (text, style) in segments {
        let mut piece = String::new();
        for c in text.chars() {
            let w = c.width().unwrap_or(0);
            if !format.wrap && skipped < format.hscroll {
                skipped += w;
                continue;
            }
            if used + w > width {
                if !format.wrap {
                    row.push(Span::styled(piece, style));
                    break 'segments;
                }
                row.push(Span::styled(std::mem::take(&mut piece), style));
                rows.push(Line::from(std::mem::take(&mut row)));
                used = 0;
            }
            piece.push(c);
            used += w;
        }
        row.push(Span::styled(piece, style));
    }
    rows.push(Line::from(row));
    rows
}

/// A line holding a JSON object or array (possibly after a prefix such as `INFO `) as
/// indented lines, keys in their original order; `None` if it holds no valid JSON.
pub fn pretty_json(text: &str) -> Option<Vec<String>> {
    let start = text.find(['{', '['])?;
    let json = text[start..].trim_end();
    serde_json::from_str::<serde::de::IgnoredAny>(json).ok()?;
    let mut lines = reindent(json);
    lines[0].insert_str(0, &text[..start]);
    Some(lines)
}

/// Re-indents valid JSON token by token (strings are copied untouched).
fn reindent(json: &str) -> Vec<String> {
    let mut lines = vec![String::new()];
    let mut depth = 0usize;
    let mut chars = json.chars().peekable();
    let newline = |lines: &mut Vec<String>, depth: usize| lines.push("  ".repeat(depth));
    while let Some(c) = chars.next() {
        let current = lines.last_mut().expect("one line at least");
        match c {
            '"' => {
                current.push(c);
                let mut escaped = false;
                for c in chars.by_ref() {
                    current.push(c);
                    match c {
                        _ if escaped => escaped = false,
                        '\\' => escaped = true,
                        '"' => break,
                        _ => {}
                    }
                }
            }
            '{' | '[' => {
                current.push(c);
                while chars.next_if(|c| c.is_whitespace()).is_some() {}
                if let Some(close) = chars.next_if(|&n| n == '}' || n == ']') {
                    current.push(close);
                } else {
                    depth += 1;
                    newline(&mut lines, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut lines, depth);
                lines.last_mut().expect("just pushed").push(c);
            }
            ',' => {
                current.push(c);
                newline(&mut lines, depth);
            }
            ':' => current.push_str(": "),
            c if c.is_whitespace() => {}
            c => current.push(c),
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_reindented_in_key_order_after_its_prefix() {
        let lines = pretty_json(r#"INFO {"z": 1, "a": [1, {}], "s": "x,{\"y\"}"}"#).unwrap();
        assert_eq!(
            lines,
            [
                "INFO {",
                r#"  "z": 1,"#,
                r#"  "a": ["#,
                "    1,",
                "    {}",
                "  ],",
                r#"  "s": "x,{\"y\"}""#,
                "}",
            ]
        );
        assert!(pretty_json("INFO {not json}").is_none());
        assert!(pretty_json("plain text").is_none());
    }

    fn plain(width: usize, wrap: bool, hscroll: usize) -> RowFormat<'static> {
        RowFormat {
            width,
            wrap,
            hscroll,
            timestamps: false,
            pretty: false,
            search: None,
            text_style: Style::new(),
            timestamp_style: Style::new(),
            highlight_style: Style::new(),
        }
    }

    fn text_of(rows: &[Line]) -> Vec<String> {
        rows.iter().map(|l| l.to_string()).collect()
    }

    #[test]
    fn wrap_cut_and_sideways_scroll() {
        let line = LogLine::new("abcdefgh");
        assert_eq!(
            text_of(&rows(&line, &plain(3, true, 0))),
            ["abc", "def", "gh"]
        );
        assert_eq!(text_of(&rows(&line, &plain(3, false, 0))), ["abc"]);
        assert_eq!(text_of(&rows(&line, &plain(3, false, 2))), ["cde"]);
        let wide = LogLine::new("日本語");
        assert_eq!(
            text_of(&rows(&wide, &plain(3, true, 0))),
            ["日", "本", "語"]
        );
    }
}
