//! A scrollable document of labelled lines (object detail, later job and cluster detail), loaded
//! once by a background task.

use chrono::Local;
use futures::future::BoxFuture;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

use crate::app::keys::Cmd;
use crate::app::view::{Ctx, Cx, LoadState, Outcome, RenderCx, View};
use crate::errors::UiError;
use crate::sanitize;

/// One line of a document: a section heading, or a field and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocLine {
    Section(String),
    Field(String, String),
    Text(String),
}

pub type Loader = Box<dyn FnMut(&Ctx) -> BoxFuture<'static, Result<Vec<DocLine>, UiError>> + Send>;

pub struct DocumentView {
    title: String,
    lines: Vec<DocLine>,
    scroll: u16,
    state: LoadState,
    /// `None` for a document that is already complete.
    load: Option<Loader>,
    /// `/`: only the lines containing this (any case) are shown.
    filter: String,
}

impl DocumentView {
    pub fn new(title: impl Into<String>, load: Loader) -> Self {
        Self {
            title: title.into(),
            lines: Vec::new(),
            scroll: 0,
            state: LoadState::default(),
            load: Some(load),
            filter: String::new(),
        }
    }

    /// A document that is already known (tests, local data).
    pub fn ready(title: impl Into<String>, lines: Vec<DocLine>) -> Self {
        let mut state = LoadState::default();
        state.finish(Local::now());
        Self {
            title: title.into(),
            lines,
            scroll: 0,
            state,
            load: None,
            filter: String::new(),
        }
    }

    /// The lines the filter keeps (all of them without a filter).
    fn shown(&self) -> impl Iterator<Item = &DocLine> {
        let needle = self.filter.to_lowercase();
        self.lines.iter().filter(move |line| {
            needle.is_empty()
                || match line {
                    DocLine::Section(t) | DocLine::Text(t) => t.to_lowercase().contains(&needle),
                    DocLine::Field(k, v) => {
                        k.to_lowercase().contains(&needle) || v.to_lowercase().contains(&needle)
                    }
                }
        })
    }
}

/// The document's message: the loader's answer.
pub struct Loaded(Result<Vec<DocLine>, UiError>);

impl View for DocumentView {
    type Msg = Loaded;

    fn title(&self) -> String {
        self.title.clone()
    }

    fn render(&mut self, frame: &mut Frame, area: Rect, cx: &RenderCx) {
        let theme = cx.theme;
        let width = self
            .lines
            .iter()
            .filter_map(|l| match l {
                DocLine::Field(k, _) => Some(k.chars().count()),
                _ => None,
            })
            .max()
            .unwrap_or(0);
        let mut text: Vec<Line> = Vec::new();
        if let Some(error) = &self.state.error {
            text.push(Line::styled(
                format!("⚠ {}", sanitize::line(&error.message)),
                theme.error,
            ));
        } else if self.state.loading && self.lines.is_empty() {
            text.push(Line::styled("loading…", theme.muted));
        }
        if !self.filter.is_empty() && self.shown().next().is_none() {
            text.push(Line::styled(
                format!("nothing matches /{}", sanitize::line(&self.filter)),
                theme.muted,
            ));
        }
        for line in self.shown() {
            text.push(match line {
                DocLine::Section(s) => Line::styled(sanitize::line(s).into_owned(), theme.header),
                DocLine::Field(k, v) => Line::from(vec![
                    Span::styled(format!("  {:width$}  ", sanitize::line(k)), theme.muted),
                    Span::styled(sanitize::line(v).into_owned(), theme.base),
                ]),
                DocLine::Text(t) => Line::styled(sanitize::line(t).into_owned(), theme.base),
            });
        }
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border)
            .title(Span::styled(
                format!(" {} ", sanitize::line(&self.title)),
                theme.title,
            ));
        frame.render_widget(
            Paragraph::new(text)
                .block(block)
                .wrap(Wrap { trim: false })
                .scroll((self.scroll, 0)),
            area,
        );
    }

    fn on_key(
        &mut self,
        _key: crossterm::event::KeyEvent,
        cmd: Option<Cmd>,
        _cx: &mut Cx<Loaded>,
    ) -> Outcome {
        let last = self.lines.len().saturating_sub(1) as u16;
        self.scroll = match cmd {
            Some(Cmd::Down) => self.scroll.saturating_add(1).min(last),
            Some(Cmd::Up) => self.scroll.saturating_sub(1),
            Some(Cmd::PageDown) => self.scroll.saturating_add(20).min(last),
            Some(Cmd::PageUp) => self.scroll.saturating_sub(20),
            Some(Cmd::Top) => 0,
            Some(Cmd::Bottom) => last,
            _ => return Outcome::Ignored,
        };
        Outcome::Handled
    }

    fn refresh(&mut self, cx: &mut Cx<Loaded>) {
        let Some(load) = self.load.as_mut() else {
            return;
        };
        if self.state.loading {
            return;
        }
        self.state.start();
        let work = load(cx);
        cx.spawn_keyed("load", async move { Loaded(work.await) });
    }

    fn update(&mut self, loaded: Loaded, _cx: &mut Cx<Loaded>) -> Outcome {
        match loaded.0 {
            Ok(lines) => {
                self.lines = lines;
                self.state.finish(Local::now());
            }
            Err(e) => self.state.fail(e),
        }
        Outcome::Handled
    }

    fn load_state(&self) -> &LoadState {
        &self.state
    }

    fn auto_refresh(&self) -> bool {
        false
    }

    fn supports_filter(&self) -> bool {
        true
    }

    fn set_filter(&mut self, filter: &str) {
        self.filter = filter.to_string();
        self.scroll = 0;
    }

    fn filter(&self) -> &str {
        &self.filter
    }
}
