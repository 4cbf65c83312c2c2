//! Several lines (an SQL statement, a DAG run's conf as JSON): ratatui-textarea, which wraps
//! long lines and scrolls to the cursor. `enter` answers, as in every prompt; `alt-enter` or
//! `ctrl-j` starts a new line, and pasted text keeps its lines.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::Style;
use ratatui_textarea::{CursorMove, TextArea, WrapMode};

use super::{common_key, Edit, History};

pub struct TextInput {
    area: TextArea<'static>,
    history: History,
}

impl TextInput {
    pub fn new(text: &str) -> Self {
        let mut input = Self {
            area: TextArea::default(),
            history: History::default(),
        };
        input.set(text);
        input
    }

    pub fn with_history(mut self, history: History) -> Self {
        self.history = history;
        self
    }

    /// Replaces the text; the cursor goes to its end.
    fn set(&mut self, text: &str) {
        let lines = text
            .replace("\r\n", "\n")
            .split('\n')
            .map(String::from)
            .collect();
        let mut area = TextArea::new(lines);
        area.set_wrap_mode(WrapMode::WordOrGlyph);
        area.set_cursor_line_style(Style::default());
        area.move_cursor(CursorMove::Bottom);
        area.move_cursor(CursorMove::End);
        self.area = area;
    }

    pub fn text(&self) -> String {
        self.area.lines().join("\n")
    }

    pub fn line_count(&self) -> usize {
        self.area.lines().len()
    }

    /// The widget to draw, styled by the caller.
    pub fn area_mut(&mut self) -> &mut TextArea<'static> {
        &mut self.area
    }

    pub fn area(&self) -> &TextArea<'static> {
        &self.area
    }

    pub fn paste(&mut self, text: &str) {
        let clean: String = text
            .replace("\r\n", "\n")
            .replace('\r', "\n")
            .chars()
            .filter(|c| *c == '\n' || !c.is_control() || *c == '\t')
            .collect();
        self.area.insert_str(clean);
    }

    pub fn handle(&mut self, key: &KeyEvent) -> Edit {
        if let Some(edit) = common_key(key) {
            return edit;
        }
        let row = self.area.cursor().0;
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Enter if alt => {
                self.area.insert_newline();
                Edit::Changed
            }
            KeyCode::Char('j') if ctrl => {
                self.area.insert_newline();
                Edit::Changed
            }
            KeyCode::Enter => Edit::Submit,
            KeyCode::Up if row == 0 => self.recall(|history, text| history.older(text)),
            KeyCode::Down if row + 1 == self.line_count() => {
                self.recall(|history, _| history.newer())
            }
            _ => {
                let before = self.area.cursor();
                if self.area.input(*key) {
                    Edit::Changed
                } else if self.area.cursor() != before {
                    Edit::Moved
                } else {
                    Edit::Ignored
                }
            }
        }
    }

    fn recall(&mut self, step: impl FnOnce(&mut History, &str) -> Option<String>) -> Edit {
        let text = self.text();
        match step(&mut self.history, &text) {
            Some(text) => {
                self.set(&text);
                Edit::Changed
            }
            None => Edit::Ignored,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn enter_answers_and_alt_enter_or_ctrl_j_start_a_new_line() {
        let mut input = TextInput::new("{");
        assert_eq!(
            input.handle(&key(KeyCode::Enter, KeyModifiers::ALT)),
            Edit::Changed
        );
        for c in "\"a\": 1".chars() {
            input.handle(&key(KeyCode::Char(c), KeyModifiers::NONE));
        }
        input.handle(&key(KeyCode::Char('j'), KeyModifiers::CONTROL));
        input.handle(&key(KeyCode::Char('}'), KeyModifiers::NONE));
        assert_eq!(input.text(), "{\n\"a\": 1\n}");
        assert_eq!(
            input.handle(&key(KeyCode::Enter, KeyModifiers::NONE)),
            Edit::Submit
        );
    }

    #[test]
    fn up_on_the_first_line_recalls_an_earlier_answer_and_paste_keeps_lines() {
        let mut input =
            TextInput::new("").with_history(History::new(vec!["select\n  1".to_string()]));
        input.paste("select *\r\nfrom t");
        assert_eq!(input.text(), "select *\nfrom t");
        // Up on the second line moves to the first; up again recalls.
        assert_eq!(
            input.handle(&key(KeyCode::Up, KeyModifiers::NONE)),
            Edit::Moved
        );
        assert_eq!(
            input.handle(&key(KeyCode::Up, KeyModifiers::NONE)),
            Edit::Changed
        );
        assert_eq!(input.text(), "select\n  1");
        input.handle(&key(KeyCode::Down, KeyModifiers::NONE));
        assert_eq!(input.text(), "select *\nfrom t");
    }
}
