//! The editors of the bottom line. [`LineInput`] (one line: the command line, the filter and
//! most prompts) is tui-input's buffer: the cursor moves by grapheme and is placed by display
//! width, and [`LineInput::window`] scrolls what is shown so the cursor and what is typed stay
//! visible however long the line is. [`TextInput`] (several lines: an SQL statement, a DAG
//! run's conf) is ratatui-textarea. Both walk the prompt's history with up/down and report what
//! a key did as an [`Edit`]; [`Editor`] is either.

mod history;
pub mod paths;
mod text;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use tui_input::backend::crossterm::to_input_request;
use tui_input::Input;
use unicode_width::UnicodeWidthChar;

pub use history::{Histories, History};
pub use text::TextInput;

/// What a key did to the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    Changed,
    Moved,
    Submit,
    Cancel,
    Complete,
    Ignored,
}

/// What the user meant with a key that every editor reads the same way, if anything.
fn common_key(key: &KeyEvent) -> Option<Edit> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    match key.code {
        KeyCode::Esc => Some(Edit::Cancel),
        KeyCode::Char('c') if ctrl => Some(Edit::Cancel),
        _ => None,
    }
}

/// Pasted or restored text made fit for one line: line breaks and tabs become spaces, other
/// control characters go.
fn one_line(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\n' | '\r' | '\t' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

#[derive(Debug, Clone, Default)]
pub struct LineInput {
    input: Input,
    history: History,
}

impl LineInput {
    pub fn new(text: &str) -> Self {
        Self {
            input: Input::new(one_line(text)),
            history: History::default(),
        }
    }

    /// Up/down walk these earlier answers, newest last.
    pub fn with_history(mut self, history: History) -> Self {
        self.history = history;
        self
    }

    pub fn text(&self) -> &str {
        self.input.value()
    }

    /// Replaces the text; the cursor goes to its end.
    pub fn set(&mut self, text: &str) {
        self.input = Input::new(one_line(text));
    }

    /// The cursor's column from the start of the text (wide characters count two).
    pub fn cursor_column(&self) -> usize {
        self.input.visual_cursor()
    }

    /// What to show in `width` columns: the text from the first visible column, scrolled so
    /// the cursor (and the end of what is being typed) is in view, and the cursor's column in
    /// what is shown.
    pub fn window(&self, width: usize) -> (String, usize) {
        let width = width.max(1);
        // One column stays free for the cursor after the last character.
        let scroll = self.input.visual_scroll(width - 1);
        let mut skipped = 0;
        let mut shown = String::new();
        let mut used = 0;
        for c in self.text().chars() {
            let w = c.width().unwrap_or(0);
            if skipped < scroll {
                skipped += w;
                continue;
            }
            if used + w > width {
                break;
            }
            shown.push(c);
            used += w;
        }
        (shown, self.cursor_column().saturating_sub(skipped))
    }

    /// Inserts pasted text at the cursor.
    pub fn paste(&mut self, text: &str) {
        for c in one_line(text).chars() {
            self.input.handle(tui_input::InputRequest::InsertChar(c));
        }
    }

    pub fn handle(&mut self, key: &KeyEvent) -> Edit {
        if let Some(edit) = common_key(key) {
            return edit;
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Enter => Edit::Submit,
            KeyCode::Tab => Edit::Complete,
            KeyCode::Up => self.recall(|history, text| history.older(text)),
            KeyCode::Down => self.recall(|history, _| history.newer()),
            KeyCode::Char('u') if ctrl => {
                self.edit_before_cursor(|_| 0);
                Edit::Changed
            }
            KeyCode::Char('w') if ctrl => {
                self.edit_before_cursor(word_start);
                Edit::Changed
            }
            _ => match to_input_request(&Event::Key(*key)).and_then(|r| self.input.handle(r)) {
                Some(changed) if changed.value => Edit::Changed,
                Some(_) => Edit::Moved,
                None => Edit::Ignored,
            },
        }
    }

    fn recall(&mut self, step: impl FnOnce(&mut History, &str) -> Option<String>) -> Edit {
        match step(&mut self.history, self.input.value()) {
            Some(text) => {
                self.input = Input::new(text);
                Edit::Changed
            }
            None => Edit::Ignored,
        }
    }

    /// Deletes from `keep(text before the cursor)` (a byte index) up to the cursor.
    fn edit_before_cursor(&mut self, keep: impl FnOnce(&str) -> usize) {
        let text = self.text();
        let cursor = text
            .char_indices()
            .nth(self.input.cursor())
            .map_or(text.len(), |(i, _)| i);
        let keep = keep(&text[..cursor]);
        let edited = format!("{}{}", &text[..keep], &text[cursor..]);
        let at = text[..keep].chars().count();
        self.input = Input::new(edited).with_cursor(at);
    }
}

/// Where the word before the end of `before` starts: words end at spaces and `/`, so ctrl-w
/// takes one path segment at a time.
fn word_start(before: &str) -> usize {
    let is_break = |c: char| c.is_whitespace() || c == '/';
    let trimmed = before.trim_end_matches(is_break);
    trimmed.rfind(is_break).map_or(0, |i| i + 1)
}

/// What every candidate starts with (`None` without candidates), for Tab.
pub fn common_start(candidates: &[impl AsRef<str>]) -> Option<String> {
    let (first, rest) = candidates.split_first()?;
    Some(rest.iter().fold(first.as_ref().to_string(), |acc, c| {
        acc.chars()
            .zip(c.as_ref().chars())
            .take_while(|(a, b)| a == b)
            .map(|(a, _)| a)
            .collect()
    }))
}

/// The editor of a prompt: one line, or several.
pub enum Editor {
    Line(LineInput),
    Text(Box<TextInput>),
}

impl Editor {
    pub fn text(&self) -> String {
        match self {
            Editor::Line(input) => input.text().to_string(),
            Editor::Text(input) => input.text(),
        }
    }

    pub fn handle(&mut self, key: &KeyEvent) -> Edit {
        match self {
            Editor::Line(input) => input.handle(key),
            Editor::Text(input) => input.handle(key),
        }
    }

    pub fn paste(&mut self, text: &str) {
        match self {
            Editor::Line(input) => input.paste(text),
            Editor::Text(input) => input.paste(text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn type_text(input: &mut LineInput, text: &str) {
        for c in text.chars() {
            input.handle(&key(KeyCode::Char(c)));
        }
    }

    #[test]
    fn typing_editing_and_unicode() {
        let mut input = LineInput::default();
        type_text(&mut input, "bücket");
        assert_eq!(input.text(), "bücket");
        input.handle(&key(KeyCode::Left));
        input.handle(&key(KeyCode::Backspace));
        assert_eq!(input.text(), "bückt");
        assert_eq!(input.cursor_column(), 4);
        input.handle(&key(KeyCode::Home));
        input.handle(&key(KeyCode::Delete));
        assert_eq!(input.text(), "ückt");
        assert_eq!(input.handle(&key(KeyCode::Enter)), Edit::Submit);
    }

    #[test]
    fn ctrl_w_deletes_a_word_and_ctrl_u_the_line_start() {
        let mut input = LineInput::new("objects bucket/raw/");
        input.handle(&KeyEvent::new(KeyCode::Char('w'), KeyModifiers::CONTROL));
        assert_eq!(input.text(), "objects bucket/");
        input.handle(&key(KeyCode::Left));
        input.handle(&KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
        assert_eq!(input.text(), "/");
    }

    #[test]
    fn wide_characters_place_the_cursor_by_display_width() {
        let mut input = LineInput::default();
        type_text(&mut input, "日本🙂a");
        assert_eq!(input.cursor_column(), 7);
        input.handle(&key(KeyCode::Left));
        input.handle(&key(KeyCode::Left));
        assert_eq!(input.cursor_column(), 4);
        let (shown, cursor) = input.window(40);
        assert_eq!((shown.as_str(), cursor), ("日本🙂a", 4));
    }

    #[test]
    fn a_long_line_scrolls_so_its_end_and_the_cursor_stay_in_view() {
        let arguments: String = (0..30).map(|i| format!("--key{i:02}=value ")).collect();
        assert!(arguments.len() > 300);
        let mut input = LineInput::default();
        type_text(&mut input, &arguments);
        type_text(&mut input, "--typed=now");
        let (shown, cursor) = input.window(60);
        assert!(shown.ends_with("value --typed=now"), "{shown}");
        assert_eq!(cursor, 59, "the cursor sits after the last character");
        assert_eq!(shown.chars().count(), 59);
        // Home brings the start back.
        input.handle(&key(KeyCode::Home));
        let (shown, cursor) = input.window(60);
        assert!(shown.starts_with("--key00=value"), "{shown}");
        assert_eq!(cursor, 0);
        // Wide characters scroll by their width too: the window never overflows.
        let mut wide = LineInput::new(&"漢".repeat(100));
        wide.handle(&key(KeyCode::End));
        let (shown, cursor) = wide.window(21);
        assert_eq!(unicode_width::UnicodeWidthStr::width(shown.as_str()), 20);
        assert_eq!(cursor, 20);
    }

    #[test]
    fn up_and_down_walk_the_history_and_come_back_to_the_draft() {
        let mut input =
            LineInput::default().with_history(History::new(vec!["first".into(), "second".into()]));
        type_text(&mut input, "draft");
        assert_eq!(input.handle(&key(KeyCode::Up)), Edit::Changed);
        assert_eq!(input.text(), "second");
        input.handle(&key(KeyCode::Up));
        assert_eq!(input.text(), "first");
        assert_eq!(input.handle(&key(KeyCode::Up)), Edit::Ignored);
        input.handle(&key(KeyCode::Down));
        input.handle(&key(KeyCode::Down));
        assert_eq!(input.text(), "draft");
        assert_eq!(input.handle(&key(KeyCode::Down)), Edit::Ignored);
    }

    #[test]
    fn pasted_line_breaks_become_spaces() {
        let mut input = LineInput::new("a");
        input.paste("b\nc\td\x07");
        assert_eq!(input.text(), "ab c d");
    }
}
