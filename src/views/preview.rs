//! Preview of the first bytes of an object: text, CSV as a table, binary as hex, gzip
//! transparently. Only the first `PREVIEW_BYTES` are fetched (a ranged GET).

use chrono::Local;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

use crate::app::keys::Cmd;
use crate::app::view::{Cx, KeyHelp, LoadState, Outcome, RenderCx, View};
use crate::errors::UiError;
use crate::preview::{decode, Decoded, Preview};
use crate::sanitize;
use crate::ui::grid::{self, Grid};

pub const PREVIEW_BYTES: u64 = 64 * 1024;

pub struct PreviewView {
    bucket: String,
    key: String,
    decoded: Option<Decoded>,
    /// First shown line (text) or selected row (CSV).
    position: usize,
    offset: usize,
    /// First CSV column shown (left/right scroll wide tables).
    first_column: usize,
    page_rows: usize,
    state: LoadState,
}

/// The preview's message: the object's first bytes, decoded.
pub struct Fetched(Result<Decoded, UiError>);

impl PreviewView {
    pub fn new(bucket: impl Into<String>, key: impl Into<String>) -> Self {
        Self {
            bucket: bucket.into(),
            key: key.into(),
            decoded: None,
            position: 0,
            offset: 0,
            first_column: 0,
            page_rows: 10,
            state: LoadState::default(),
        }
    }

    /// A preview of bytes already at hand (snapshot tests).
    pub fn with_bytes(bucket: &str, key: &str, bytes: &[u8]) -> Self {
        let mut view = Self::new(bucket, key);
        view.decoded = Some(decode(key, bytes, bytes.len() as u64));
        view.state.finish(Local::now());
        view
    }

    fn line_count(&self) -> usize {
        match self.decoded.as_ref().map(|d| &d.preview) {
            Some(Preview::Text { lines }) | Some(Preview::Hex { lines }) => lines.len(),
            Some(Preview::Csv { rows, .. }) => rows.len(),
            _ => 0,
        }
    }

    fn heading(&self) -> String {
        let mut title = format!("preview s3://{}/{}", self.bucket, self.key);
        if let Some(d) = &self.decoded {
            let kind = match d.preview {
                Preview::Text { .. } => "text",
                Preview::Csv { .. } => "csv",
                Preview::Hex { .. } => "binary",
                Preview::Empty => "empty",
            };
            title.push_str(&format!(" [{kind}"));
            if d.gzip {
                title.push_str(", gzip");
            }
            if d.truncated {
                title.push_str(&format!(", first {} KiB", PREVIEW_BYTES / 1024));
            }
            title.push(']');
        }
        title
    }
}

impl View for PreviewView {
    type Msg = Fetched;

    fn title(&self) -> String {
        format!(
            "preview {}",
            self.key.rsplit('/').next().unwrap_or(&self.key)
        )
    }

    fn render(&mut self, frame: &mut Frame, area: Rect, cx: &RenderCx) {
        let theme = cx.theme;
        self.page_rows = grid::body_rows(area);
        if let Some(Decoded {
            preview: Preview::Csv { header, rows },
            note,
            ..
        }) = &self.decoded
        {
            self.offset = grid::scroll_offset(self.offset, self.position, self.page_rows);
            let end = (self.offset + self.page_rows).min(rows.len());
            let window = &rows[self.offset..end];
            self.first_column = self.first_column.min(header.len().saturating_sub(1));
            let columns = fitting_columns(header, window, self.first_column, area.width);
            let pick = |row: &[String]| -> Vec<String> {
                columns
                    .clone()
                    .map(|c| row.get(c).cloned().unwrap_or_default())
                    .collect()
            };
            let mut title = self.heading();
            if columns.start > 0 || columns.end < header.len() {
                title.push_str(&format!(
                    " columns {}-{} of {} (←/→)",
                    columns.start + 1,
                    columns.end,
                    header.len()
                ));
            }
            grid::render(
                frame,
                area,
                theme,
                &Grid {
                    title,
                    headers: header[columns.clone()].iter().map(String::as_str).collect(),
                    widths: columns
                        .clone()
                        .map(|c| Constraint::Length(column_width(header, window, c)))
                        .collect(),
                    sort: None,
                    rows: window.iter().map(|r| (pick(r), None)).collect(),
                    selected: self.position.checked_sub(self.offset),
                    empty_text: Some("no rows".into()),
                    footer: note.clone(),
                    position: (self.position, rows.len()),
                },
            );
            return;
        }
        let mut text: Vec<Line> = Vec::new();
        if let Some(error) = &self.state.error {
            text.push(Line::styled(
                format!("⚠ {}", sanitize::line(&error.message)),
                theme.error,
            ));
        } else if self.decoded.is_none() {
            text.push(Line::styled("loading…", theme.muted));
        }
        if let Some(d) = &self.decoded {
            if let Some(note) = &d.note {
                text.push(Line::styled(
                    sanitize::line(note).into_owned(),
                    theme.warning,
                ));
            }
            match &d.preview {
                Preview::Text { lines } | Preview::Hex { lines } => {
                    let end = (self.position + self.page_rows + 2).min(lines.len());
                    let start = self.position.min(end);
                    text.extend(
                        lines[start..end]
                            .iter()
                            .map(|l| Line::styled(sanitize::line(l).into_owned(), theme.base)),
                    );
                }
                Preview::Empty => text.push(Line::styled("(empty object)", theme.muted)),
                Preview::Csv { .. } => {}
            }
        }
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border)
            .title(Span::styled(
                format!(" {} ", sanitize::line(&self.heading())),
                theme.title,
            ));
        frame.render_widget(Paragraph::new(text).block(block), area);
    }

    fn on_key(
        &mut self,
        key: crossterm::event::KeyEvent,
        cmd: Option<Cmd>,
        _cx: &mut Cx<Fetched>,
    ) -> Outcome {
        use crossterm::event::KeyCode;
        match key.code {
            KeyCode::Right => {
                self.first_column += 1;
                return Outcome::Handled;
            }
            KeyCode::Left => {
                self.first_column = self.first_column.saturating_sub(1);
                return Outcome::Handled;
            }
            _ => {}
        }
        let last = self.line_count().saturating_sub(1);
        let page = self.page_rows.max(1);
        self.position = match cmd {
            Some(Cmd::Down) => (self.position + 1).min(last),
            Some(Cmd::Up) => self.position.saturating_sub(1),
            Some(Cmd::PageDown) => (self.position + page).min(last),
            Some(Cmd::PageUp) => self.position.saturating_sub(page),
            Some(Cmd::Top) => 0,
            Some(Cmd::Bottom) => last,
            _ => return Outcome::Ignored,
        };
        Outcome::Handled
    }

    fn refresh(&mut self, cx: &mut Cx<Fetched>) {
        let Some(clients) = cx.clients() else { return };
        if self.state.loading {
            return;
        }
        self.state.start();
        let (bucket, key) = (self.bucket.clone(), self.key.clone());
        cx.spawn(async move {
            let result = clients
                .s3
                .read_head(&bucket, &key, PREVIEW_BYTES)
                .await
                .map(|head| decode(&key, &head.bytes, head.total_size))
                .map_err(UiError::from);
            Fetched(result)
        });
    }

    fn update(&mut self, fetched: Fetched, _cx: &mut Cx<Fetched>) -> Outcome {
        match fetched.0 {
            Ok(decoded) => {
                self.decoded = Some(decoded);
                self.state.finish(Local::now());
            }
            Err(e) => self.state.fail(e),
        }
        Outcome::Handled
    }

    fn keys(&self) -> Vec<KeyHelp> {
        vec![KeyHelp::new(Cmd::Down, "scroll; ←/→ scroll CSV columns")]
    }

    fn load_state(&self) -> &LoadState {
        &self.state
    }

    fn auto_refresh(&self) -> bool {
        false
    }
}

/// Width of one CSV column: its widest visible value or header, capped so one wide field
/// does not hide the rest.
fn column_width(header: &[String], rows: &[Vec<String>], column: usize) -> u16 {
    rows.iter()
        .filter_map(|r| r.get(column))
        .chain(std::iter::once(&header[column]))
        .map(|s| s.chars().count())
        .max()
        .unwrap_or(4)
        .clamp(3, 30) as u16
}

/// The columns from `first` on that fit in `width` (at least one).
fn fitting_columns(
    header: &[String],
    rows: &[Vec<String>],
    first: usize,
    width: u16,
) -> std::ops::Range<usize> {
    let mut used = 2u16; // borders
    let mut end = first;
    while end < header.len() {
        let needed = column_width(header, rows, end) + 2;
        if end > first && used + needed > width {
            break;
        }
        used += needed;
        end += 1;
    }
    first..end
}
