//! The viewer's prompts and saving: a search term and a file path are asked through the app's
//! prompt, and the answer comes back to the view as data (the prompt cannot reach the view).

use super::{Answer, LogMsg, LogViewer};
use crate::app::view::{Cx, Outcome, Prompt};

impl LogViewer {
    /// The shown lines as they would be saved: raw text, timestamps first when shown.
    pub(super) fn shown_text(&self) -> String {
        let mut out = String::new();
        for position in 0..self.shown_len() {
            let Some(line) = self
                .shown
                .seq_at(position, &self.buffer)
                .and_then(|s| self.buffer.get(s))
            else {
                continue;
            };
            if let (true, Some(t)) = (self.toggles.timestamps, line.timestamp) {
                out.push_str(&t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
                out.push(' ');
            }
            out.push_str(&line.text);
            out.push('\n');
        }
        out
    }

    pub(super) fn default_save_path(&self) -> String {
        let slug: String = self
            .title
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '_' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        format!("./{}.log", slug.trim_matches('-'))
    }

    pub(super) fn ask_save(&self, cx: &Cx<LogMsg>) -> Outcome {
        let ask = answer_prompt(cx, Answer::SaveTo);
        let title = format!("Save {} shown lines to", self.shown_len());
        Outcome::Ask(
            Prompt::new(title, self.default_save_path(), ask)
                .path()
                .history("save-log"),
        )
    }

    pub(super) fn ask_search(&self, cx: &Cx<LogMsg>) -> Outcome {
        let ask = answer_prompt(cx, Answer::Search);
        let current = self
            .search
            .as_ref()
            .map(|s| s.matcher().needle().to_string());
        Outcome::Ask(Prompt::new(
            "Search (n/N: next/previous match; empty clears)",
            current.unwrap_or_default(),
            ask,
        ))
    }

    pub(super) fn save(&self, path: String, cx: &mut Cx<LogMsg>) {
        let text = self.shown_text();
        let lines = self.shown_len();
        let dropped = self.dropped();
        cx.spawn(async move { LogMsg::Saved(write_new_file(path, text, lines, dropped).await) });
    }
}

/// A prompt answer that comes back to this view as a message.
fn answer_prompt(
    cx: &Cx<LogMsg>,
    wrap: fn(String) -> Answer,
) -> impl FnOnce(String) -> Outcome + Send + 'static {
    let mailbox = cx.mailbox();
    move |text| {
        mailbox.send(LogMsg::Answer(wrap(text)));
        Outcome::Handled
    }
}

/// Writes `text` to a new file (an existing file is never overwritten).
async fn write_new_file(
    path: String,
    text: String,
    lines: usize,
    dropped: u64,
) -> Result<String, String> {
    use tokio::io::AsyncWriteExt;
    let path = crate::paths::expand_home(path.trim()).display().to_string();
    let mut file = tokio::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .await
        .map_err(|e| format!("cannot save the log to {path}: {e}"))?;
    file.write_all(text.as_bytes())
        .await
        .map_err(|e| format!("cannot save the log to {path}: {e}"))?;
    let note = if dropped > 0 {
        format!(" ({dropped} earlier lines had been dropped by the line cap)")
    } else {
        String::new()
    };
    Ok(format!("saved {lines} lines to {path}{note}"))
}
