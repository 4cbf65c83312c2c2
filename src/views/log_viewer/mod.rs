//! The log viewer, shared by every log of the console (Glue and EMR logs, Airflow task logs):
//! follow mode, scrolling, wrap and timestamp toggles, search with highlight and next/previous,
//! a filter that keeps N lines of context, JSON-lines records read as `time LEVEL event` with
//! their raw JSON (pretty-printed) one key away, save to a file, a
//! line cap (the oldest lines are dropped, and the view says how many), and incremental fetching
//! from a [`LogSource`]: each refresh asks only for the lines that are new.
//!
//! Keys (until the key map has log commands of its own, the view reads these keys directly):
//! `f` follow, `W` wrap, `T` timestamps, `ctrl-s` search, `n`/`N` next/previous match,
//! `+`/`-` filter context, `enter` raw JSON of the line (pretty), `J` of every line, `w` save,
//! `←`/`→` scroll sideways.

mod buffer;
mod filter;
mod format;
mod matcher;
mod prompts;
mod render;
mod search;

use std::collections::HashSet;

use chrono::Local;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::Frame;

use crate::app::keys::Cmd;
use crate::app::view::{Cx, KeyHelp, LoadState, Outcome, RenderCx, View};
use crate::errors::UiError;
use crate::logs::{LogChunk, LogLine, LogSource};
use buffer::LineBuffer;
use filter::{ContextFilter, Shown};
pub use format::pretty_json;
pub use matcher::Matcher;
use search::{Hit, Search};

/// Context lines kept around each filter match unless changed with `+`/`-`.
pub const DEFAULT_CONTEXT: usize = 2;
const MAX_CONTEXT: usize = 50;
/// Columns moved by one `←`/`→`.
const SIDEWAYS_STEP: usize = 8;

/// What the viewer shows besides the lines themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Toggles {
    pub follow: bool,
    pub wrap: bool,
    pub timestamps: bool,
    pub pretty_all: bool,
}

pub struct LogViewer {
    title: String,
    /// `None` while a fetch owns it.
    source: Option<Box<dyn LogSource>>,
    finished: bool,
    buffer: LineBuffer,
    shown: Shown,
    filter_text: String,
    context: usize,
    search: Option<Search>,
    /// Sequence number of the selected line, always a shown one while any is.
    cursor: u64,
    /// Sequence number of the first line drawn.
    top: u64,
    toggles: Toggles,
    /// Lines shown as pretty JSON one by one (`enter`).
    pretty: HashSet<u64>,
    hscroll: usize,
    page_rows: usize,
    state: LoadState,
}

/// What the viewer's work sends back to it.
pub enum LogMsg {
    /// A fetch came back, with the source it borrowed.
    Fetched {
        source: Box<dyn LogSource>,
        result: Result<LogChunk, UiError>,
    },
    /// A prompt was answered.
    Answer(Answer),
    /// Saving to a file ended.
    Saved(Result<String, String>),
}

/// Answers of this view's prompts.
pub enum Answer {
    Search(String),
    SaveTo(String),
}

impl LogViewer {
    /// A viewer of `source` keeping at most `line_cap` lines (config `log_line_cap`).
    pub fn new(title: impl Into<String>, source: Box<dyn LogSource>, line_cap: usize) -> Self {
        Self {
            title: title.into(),
            source: Some(source),
            finished: false,
            buffer: LineBuffer::new(line_cap),
            shown: Shown::All,
            filter_text: String::new(),
            context: DEFAULT_CONTEXT,
            search: None,
            cursor: 0,
            top: 0,
            toggles: Toggles {
                follow: true,
                wrap: false,
                timestamps: false,
                pretty_all: false,
            },
            pretty: HashSet::new(),
            hscroll: 0,
            page_rows: 10,
            state: LoadState::default(),
        }
    }

    /// Starts with timestamps shown (sources whose lines carry none in their text).
    pub fn with_timestamps(mut self, on: bool) -> Self {
        self.toggles.timestamps = on;
        self
    }

    pub fn toggles(&self) -> Toggles {
        self.toggles
    }

    /// Lines held (at most the line cap).
    pub fn len(&self) -> usize {
        self.buffer.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buffer.is_empty()
    }

    pub fn shown_len(&self) -> usize {
        self.shown.len(&self.buffer)
    }

    pub fn dropped(&self) -> u64 {
        self.buffer.dropped()
    }

    /// The selected line.
    pub fn cursor_line(&self) -> Option<&LogLine> {
        self.buffer.get(self.cursor)
    }

    pub fn search_count(&self) -> usize {
        self.search.as_ref().map_or(0, Search::count)
    }

    /// Takes in new lines: drops what exceeds the cap, keeps search and filter current, and
    /// moves to the newest line when following.
    pub fn append(&mut self, lines: Vec<LogLine>) {
        let added = self.buffer.extend(lines);
        let first = self.buffer.first();
        if let Some(search) = &mut self.search {
            search.evict_before(first);
        }
        if let Shown::Filtered(filter) = &mut self.shown {
            filter.evict_before(first);
        }
        self.pretty.retain(|&seq| seq >= first);
        for (seq, line) in self.buffer.iter_from(added.start) {
            if let Some(search) = &mut self.search {
                search.feed(seq, &line.text);
            }
            if let Shown::Filtered(filter) = &mut self.shown {
                filter.feed(seq, &line.text);
            }
        }
        self.place_cursor();
    }

    /// Searches for `needle` (empty clears) and selects the first match from the cursor on.
    /// Returns a message when there is nothing to show.
    pub fn search(&mut self, needle: &str) -> Result<String, String> {
        let Some(matcher) = Matcher::new(needle) else {
            self.search = None;
            return Ok("search cleared".into());
        };
        self.search = Some(Search::new(matcher, &self.buffer));
        let hit = self.with_search(|s, shown, buffer, cursor| {
            s.first_from(cursor, |seq| shown.contains(seq, buffer))
        });
        self.jump(hit, needle)
    }

    /// Selects the next (or previous) match.
    pub fn search_step(&mut self, forward: bool) -> Result<String, String> {
        let Some(needle) = self
            .search
            .as_ref()
            .map(|s| s.matcher().needle().to_string())
        else {
            return Err("no search yet: ctrl-s searches".into());
        };
        let hit = self.with_search(|s, shown, buffer, cursor| {
            let visible = |seq| shown.contains(seq, buffer);
            if forward {
                s.next_after(cursor, visible)
            } else {
                s.prev_before(cursor, visible)
            }
        });
        self.jump(hit, &needle)
    }

    fn with_search(
        &self,
        find: impl Fn(&Search, &Shown, &LineBuffer, u64) -> Option<Hit>,
    ) -> Option<Hit> {
        let search = self.search.as_ref()?;
        find(search, &self.shown, &self.buffer, self.cursor)
    }

    fn jump(&mut self, hit: Option<Hit>, needle: &str) -> Result<String, String> {
        let Some(hit) = hit else {
            return Err(format!("no line matches '{needle}'"));
        };
        self.toggles.follow = false;
        self.cursor = hit.seq;
        let rank = self.search.as_ref().and_then(|s| s.rank_of(hit.seq));
        let total = self.search_count();
        let wrapped = if hit.wrapped { " (wrapped around)" } else { "" };
        Ok(format!(
            "match {} of {total} for '{needle}'{wrapped}",
            rank.unwrap_or(0)
        ))
    }

    /// Keeps the lines matching `text` plus the context lines; empty shows every line.
    pub fn apply_filter(&mut self, text: &str) {
        self.filter_text = text.to_string();
        self.shown = match Matcher::new(text) {
            Some(matcher) => {
                Shown::Filtered(ContextFilter::new(matcher, self.context, &self.buffer))
            }
            None => Shown::All,
        };
        self.place_cursor();
    }

    fn change_context(&mut self, more: bool) -> String {
        self.context = if more {
            (self.context + 1).min(MAX_CONTEXT)
        } else {
            self.context.saturating_sub(1)
        };
        if !self.filter_text.is_empty() {
            self.apply_filter(&self.filter_text.clone());
        }
        format!("filter context: {} lines", self.context)
    }

    /// Puts the cursor on a shown line: the newest when following, else the nearest.
    fn place_cursor(&mut self) {
        let len = self.shown_len();
        let position = if self.toggles.follow {
            len.saturating_sub(1)
        } else {
            self.shown.position_of(self.cursor, &self.buffer)
        };
        if let Some(seq) = self.shown.seq_at(position, &self.buffer) {
            self.cursor = seq;
        }
    }

    fn cursor_position(&self) -> usize {
        self.shown.position_of(self.cursor, &self.buffer)
    }

    fn move_to(&mut self, position: usize) {
        let last = self.shown_len().saturating_sub(1);
        if let Some(seq) = self.shown.seq_at(position.min(last), &self.buffer) {
            self.cursor = seq;
        }
    }

    /// Movement keys; moving up pauses following, the bottom resumes it.
    fn movement(&mut self, cmd: Cmd) -> bool {
        let position = self.cursor_position();
        let page = self.page_rows.max(1);
        match cmd {
            Cmd::Down => self.move_to(position + 1),
            Cmd::PageDown => self.move_to(position + page),
            Cmd::Up | Cmd::PageUp | Cmd::Top => {
                self.toggles.follow = false;
                let step = match cmd {
                    Cmd::Up => 1,
                    Cmd::PageUp => page,
                    _ => position,
                };
                self.move_to(position.saturating_sub(step));
            }
            Cmd::Bottom => {
                self.toggles.follow = true;
                self.place_cursor();
            }
            _ => return false,
        }
        true
    }

    fn toggle_follow(&mut self) -> String {
        self.toggles.follow = !self.toggles.follow;
        self.place_cursor();
        if self.toggles.follow {
            "following new lines".into()
        } else {
            "paused: new lines are fetched again on ctrl-r or when following".into()
        }
    }

    fn toggle_pretty_line(&mut self) {
        if !self.pretty.remove(&self.cursor) {
            self.pretty.insert(self.cursor);
        }
    }

    fn on_fetched(
        &mut self,
        source: Box<dyn LogSource>,
        result: Result<LogChunk, UiError>,
        cx: &mut Cx<LogMsg>,
    ) {
        self.finished = source.is_finished();
        self.source = Some(source);
        match result {
            Ok(chunk) => {
                self.append(chunk.lines);
                self.state.finish(Local::now());
                if chunk.more && self.toggles.follow {
                    self.refresh(cx);
                }
            }
            Err(e) => self.state.fail(e),
        }
    }

    /// Keys that are not (yet) commands of the key map.
    fn raw_key(&mut self, key: KeyEvent, cx: &Cx<LogMsg>) -> Option<Outcome> {
        let flash = |text: String| Some(Outcome::Flash(Ok(text)));
        if key.modifiers.contains(KeyModifiers::CONTROL) {
            return (key.code == KeyCode::Char('s')).then(|| self.ask_search(cx));
        }
        match key.code {
            KeyCode::Char('f') => flash(self.toggle_follow()),
            KeyCode::Char('W') => {
                self.toggles.wrap = !self.toggles.wrap;
                Some(Outcome::Handled)
            }
            KeyCode::Char('T') => {
                self.toggles.timestamps = !self.toggles.timestamps;
                Some(Outcome::Handled)
            }
            KeyCode::Char('J') => {
                self.toggles.pretty_all = !self.toggles.pretty_all;
                Some(Outcome::Handled)
            }
            KeyCode::Char('n') => Some(Outcome::Flash(self.search_step(true))),
            KeyCode::Char('N') => Some(Outcome::Flash(self.search_step(false))),
            KeyCode::Char('+') | KeyCode::Char('=') => flash(self.change_context(true)),
            KeyCode::Char('-') => flash(self.change_context(false)),
            KeyCode::Right if !self.toggles.wrap => {
                self.hscroll += SIDEWAYS_STEP;
                Some(Outcome::Handled)
            }
            KeyCode::Left if !self.toggles.wrap => {
                self.hscroll = self.hscroll.saturating_sub(SIDEWAYS_STEP);
                Some(Outcome::Handled)
            }
            _ => None,
        }
    }
}

impl View for LogViewer {
    type Msg = LogMsg;

    fn title(&self) -> String {
        self.title.clone()
    }

    fn render(&mut self, frame: &mut Frame, area: Rect, cx: &RenderCx) {
        render::draw(self, frame, area, cx);
    }

    fn on_key(&mut self, key: KeyEvent, cmd: Option<Cmd>, cx: &mut Cx<LogMsg>) -> Outcome {
        if let Some(outcome) = self.raw_key(key, cx) {
            return outcome;
        }
        match cmd {
            Some(cmd) if self.movement(cmd) => Outcome::Handled,
            Some(Cmd::Enter) => {
                self.toggle_pretty_line();
                Outcome::Handled
            }
            Some(Cmd::Download) => self.ask_save(cx),
            Some(Cmd::Back) if self.search.is_some() => {
                self.search = None;
                Outcome::Flash(Ok("search cleared".into()))
            }
            _ => Outcome::Ignored,
        }
    }

    fn refresh(&mut self, cx: &mut Cx<LogMsg>) {
        if self.finished {
            return;
        }
        let Some(mut source) = self.source.take() else {
            return; // a fetch is under way; ticks never pile up
        };
        self.state.start();
        cx.spawn(async move {
            let result = source.fetch_next().await;
            LogMsg::Fetched { source, result }
        });
    }

    fn update(&mut self, message: LogMsg, cx: &mut Cx<LogMsg>) -> Outcome {
        match message {
            LogMsg::Fetched { source, result } => {
                self.on_fetched(source, result, cx);
                Outcome::Handled
            }
            LogMsg::Answer(Answer::Search(needle)) => Outcome::Flash(self.search(&needle)),
            LogMsg::Answer(Answer::SaveTo(path)) => {
                self.save(path, cx);
                Outcome::Handled
            }
            LogMsg::Saved(result) => Outcome::Flash(result),
        }
    }

    /// Short lines: the help column is narrow. Keys that are not commands of the key map yet
    /// (see the module documentation) are named in the prompt titles and the title bar.
    fn keys(&self) -> Vec<KeyHelp> {
        vec![
            KeyHelp::new(Cmd::Bottom, "newest line"),
            KeyHelp::raw("f", "follow new lines on/off"),
            KeyHelp::raw("W", "wrap long lines on/off"),
            KeyHelp::raw("T", "timestamps on/off"),
            KeyHelp::raw("ctrl-s", "search (highlights matches)"),
            KeyHelp::raw("n N", "next / previous match"),
            KeyHelp::new(Cmd::Filter, "filter: matching lines with context"),
            KeyHelp::raw("+ -", "more / fewer context lines"),
            KeyHelp::new(Cmd::Enter, "raw JSON of the selected line"),
            KeyHelp::raw("J", "raw JSON of every line"),
            KeyHelp::new(Cmd::Download, "save the shown lines to a file"),
            KeyHelp::new(Cmd::Back, "clear search, then filter, then back"),
        ]
    }

    fn load_state(&self) -> &LoadState {
        &self.state
    }

    fn supports_filter(&self) -> bool {
        true
    }

    fn set_line_cap(&mut self, cap: usize) {
        if self.buffer.is_empty() && self.buffer.cap() != cap.max(1) {
            self.buffer = LineBuffer::new(cap);
        }
    }

    fn set_filter(&mut self, filter: &str) {
        if filter != self.filter_text {
            self.apply_filter(filter);
        }
    }

    fn filter(&self) -> &str {
        &self.filter_text
    }

    /// Polls while following; a paused view keeps its lines still (new lines could push the
    /// ones being read out of the line cap).
    fn auto_refresh(&self) -> bool {
        self.toggles.follow && !self.finished
    }
}

#[cfg(test)]
mod tests;
