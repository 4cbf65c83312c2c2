//! What the keys every table shares do with the selected item, for every kind at once:
//! `y` shows the item's raw JSON (the record the service returned, as the kind keeps it),
//! `c` copies what names it (a name, an ARN, an S3 URI), `o` opens its page in the AWS console
//! or the Airflow UI. A kind only says what to copy and where its page is
//! ([`crate::views::table::Resource::copy_text`], [`crate::views::table::Resource::web_url`]).

use serde::Serialize;

use crate::app::view::{boxed, AppCommand, Outcome};
use crate::views::document::{DocLine, DocumentView};

/// The most lines of raw JSON shown for one item (an EMR cluster with many instance groups, a
/// Glue table with thousands of columns).
pub const RAW_MAX_LINES: usize = 20_000;

/// Something `c` can copy: what it is ("S3 URI", "ARN", "name") and the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    pub what: &'static str,
    pub text: String,
}

impl Copied {
    pub fn new(what: &'static str, text: impl Into<String>) -> Self {
        Self {
            what,
            text: text.into(),
        }
    }
}

/// The item as pretty JSON, one document line per JSON line (remote strings are cleaned when
/// drawn, like every document line).
pub fn raw_lines(item: &impl Serialize) -> Vec<DocLine> {
    let text = match serde_json::to_string_pretty(item) {
        Ok(text) => text,
        Err(e) => return vec![DocLine::Text(format!("cannot show as JSON: {e}"))],
    };
    let mut lines: Vec<DocLine> = text
        .lines()
        .take(RAW_MAX_LINES)
        .map(|l| DocLine::Text(l.to_string()))
        .collect();
    if lines.len() == RAW_MAX_LINES {
        lines.push(DocLine::Text(format!("… cut at {RAW_MAX_LINES} lines")));
    }
    lines
}

/// `y`: a document of the item's raw JSON.
pub fn raw(kind_title: &str, name: &str, item: &impl Serialize) -> Outcome {
    let title = format!("{kind_title} {name} (raw JSON)");
    Outcome::Push(boxed(DocumentView::ready(title, raw_lines(item))))
}

/// `c`: asks the app to put `copied` on the clipboard.
pub fn copy(copied: Copied) -> Outcome {
    Outcome::App(AppCommand::Copy(copied))
}

/// `o`: asks the app to open `url`, or says this kind has no page.
pub fn open(url: Option<String>) -> Outcome {
    match url {
        Some(url) => Outcome::App(AppCommand::OpenUrl(url)),
        None => Outcome::Flash(Err("this kind has no console page to open".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_lines_are_pretty_json() {
        #[derive(Serialize)]
        struct Thing {
            name: &'static str,
            size: u64,
        }
        let lines = raw_lines(&Thing {
            name: "a\u{1b}[31mb",
            size: 3,
        });
        assert_eq!(
            lines,
            vec![
                DocLine::Text("{".into()),
                DocLine::Text("  \"name\": \"a\\u001b[31mb\",".into()),
                DocLine::Text("  \"size\": 3".into()),
                DocLine::Text("}".into()),
            ]
        );
    }
}
