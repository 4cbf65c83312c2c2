//! The data of a chart and where it stands (loading, loaded, stale, error), loaded by a
//! background task whose answer comes back as the owning view's [`PanelLoaded`] message; and the frame a chart is
//! drawn in, saying that state.

use std::future::Future;

use chrono::Local;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

use crate::app::view::{Cx, LoadState};
use crate::errors::UiError;
use crate::sanitize;
use crate::theme::Theme;

pub struct Panel<T> {
    pub data: Option<T>,
    pub state: LoadState,
    generation: u64,
}

/// A panel's message: what a load found.
pub struct PanelLoaded<T> {
    generation: u64,
    result: Result<T, UiError>,
}

impl<T> Default for Panel<T> {
    fn default() -> Self {
        Self {
            data: None,
            state: LoadState::default(),
            generation: 0,
        }
    }
}

impl<T: Send + 'static> Panel<T> {
    /// A panel already holding `data` (snapshot tests).
    pub fn ready(data: T) -> Self {
        let mut panel = Self {
            data: Some(data),
            ..Self::default()
        };
        panel.state.finish(Local::now());
        panel
    }

    /// Starts loading with `work` unless a load is already under way.
    pub fn load<F>(&mut self, cx: &mut Cx<PanelLoaded<T>>, work: F)
    where
        F: Future<Output = Result<T, UiError>> + Send + 'static,
    {
        if self.state.loading {
            return;
        }
        self.generation += 1;
        let generation = self.generation;
        self.state.start();
        cx.spawn_keyed("load", async move {
            PanelLoaded {
                generation,
                result: work.await,
            }
        });
    }

    /// Takes a load's answer (a stale one is dropped). A failed load keeps the data that was
    /// there (shown as stale).
    pub fn accept(&mut self, loaded: PanelLoaded<T>) {
        if loaded.generation == self.generation {
            match loaded.result {
                Ok(data) => {
                    self.data = Some(data);
                    self.state.finish(Local::now());
                }
                Err(e) => self.state.fail(e),
            }
        }
    }

    /// Draws the frame titled `title` and returns the area inside it when there is data to
    /// draw; otherwise says why there is none (loading, the error).
    pub fn frame(&self, frame: &mut Frame, area: Rect, theme: &Theme, title: &str) -> Option<Rect> {
        let mut heading = title.to_owned();
        if self.state.loading {
            heading.push_str(if self.data.is_some() {
                " ⟳"
            } else {
                " loading…"
            });
        }
        let mut block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border)
            .title(Span::styled(
                format!(" {} ", sanitize::line(&heading)),
                theme.title,
            ));
        if let (Some(error), Some(_)) = (&self.state.error, &self.data) {
            block = block.title_bottom(Line::styled(
                format!(" stale: {} ", sanitize::line(&error.message)),
                theme.warning,
            ));
        }
        let inner = block.inner(area);
        frame.render_widget(block, area);
        if self.data.is_some() {
            return Some(inner);
        }
        let text = match &self.state.error {
            Some(error) => {
                Line::styled(format!("⚠ {}", sanitize::line(&error.message)), theme.error)
            }
            None => Line::styled("loading…", theme.muted),
        };
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), inner);
        None
    }
}
