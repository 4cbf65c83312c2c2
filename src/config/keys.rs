//! Key bindings as written in `[keys]`: "j", "J", "ctrl-r", "alt-x", "F5", "shift-tab",
//! "enter", "esc", "space", "pgdn"... Parsing, matching against crossterm events, labels.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// Actions the user may rebind in `[keys]`.
pub const BINDABLE_ACTIONS: &[&str] = crate::app::keys::Cmd::NAMES;

/// A key and the modifiers that must be held with it. Shift is folded into the key for
/// characters ("shift-j" is `J`) and tab ("shift-tab" is BackTab), as terminals report them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyBinding {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

/// Named keys, in the spelling `label` uses first.
const NAMED_KEYS: &[(&str, KeyCode)] = &[
    ("enter", KeyCode::Enter),
    ("return", KeyCode::Enter),
    ("esc", KeyCode::Esc),
    ("escape", KeyCode::Esc),
    ("space", KeyCode::Char(' ')),
    ("tab", KeyCode::Tab),
    ("backtab", KeyCode::BackTab),
    ("backspace", KeyCode::Backspace),
    ("delete", KeyCode::Delete),
    ("del", KeyCode::Delete),
    ("insert", KeyCode::Insert),
    ("ins", KeyCode::Insert),
    ("home", KeyCode::Home),
    ("end", KeyCode::End),
    ("pgup", KeyCode::PageUp),
    ("pageup", KeyCode::PageUp),
    ("pgdn", KeyCode::PageDown),
    ("pagedown", KeyCode::PageDown),
    ("up", KeyCode::Up),
    ("down", KeyCode::Down),
    ("left", KeyCode::Left),
    ("right", KeyCode::Right),
];

const MODIFIERS: &[(&str, KeyModifiers)] = &[
    ("ctrl", KeyModifiers::CONTROL),
    ("control", KeyModifiers::CONTROL),
    ("alt", KeyModifiers::ALT),
    ("meta", KeyModifiers::ALT),
    ("shift", KeyModifiers::SHIFT),
];

/// Parses a key description. Modifiers are prefixes joined with `-` or `+`, any case.
pub fn parse_key(s: &str) -> Result<KeyBinding, String> {
    let invalid = |why: &str| Err(format!("invalid key `{s}`: {why}"));
    let mut modifiers = KeyModifiers::NONE;
    let mut rest = s.trim();
    if rest.is_empty() {
        return invalid("it is empty");
    }
    while let Some((modifier, tail)) = split_modifier(rest) {
        modifiers |= modifier;
        rest = tail;
    }
    let Some(code) = parse_code(rest) else {
        return invalid("expected a character or one of enter, esc, space, tab, backspace, delete, insert, home, end, pgup, pgdn, up, down, left, right, f1-f12");
    };
    Ok(normalize(code, modifiers))
}

/// Splits a leading "ctrl-" / "alt+" ... off `s`, unless nothing would be left.
fn split_modifier(s: &str) -> Option<(KeyModifiers, &str)> {
    let (name, tail) = s.split_once(['-', '+'])?;
    if tail.is_empty() {
        return None;
    }
    MODIFIERS
        .iter()
        .find(|(known, _)| known.eq_ignore_ascii_case(name))
        .map(|(_, modifier)| (*modifier, tail))
}

fn parse_code(s: &str) -> Option<KeyCode> {
    let mut chars = s.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        return Some(KeyCode::Char(c));
    }
    let lower = s.to_ascii_lowercase();
    if let Some((_, code)) = NAMED_KEYS.iter().find(|(name, _)| *name == lower) {
        return Some(*code);
    }
    let number: u8 = lower.strip_prefix('f')?.parse().ok()?;
    (1..=12).contains(&number).then_some(KeyCode::F(number))
}

/// Folds shift into characters and tab, and drops modifiers crossterm never reports.
fn normalize(code: KeyCode, modifiers: KeyModifiers) -> KeyBinding {
    let modifiers = modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
    let shift = modifiers.contains(KeyModifiers::SHIFT);
    let (code, modifiers) = match code {
        KeyCode::Char(c) if shift => (
            KeyCode::Char(c.to_uppercase().next().unwrap_or(c)),
            modifiers - KeyModifiers::SHIFT,
        ),
        KeyCode::Char(_) => (code, modifiers),
        KeyCode::Tab if shift => (KeyCode::BackTab, modifiers - KeyModifiers::SHIFT),
        KeyCode::BackTab => (code, modifiers - KeyModifiers::SHIFT),
        _ => (code, modifiers),
    };
    KeyBinding { code, modifiers }
}

impl KeyBinding {
    /// Whether a key press (or repeat) is this binding.
    pub fn matches(&self, ev: &KeyEvent) -> bool {
        ev.kind != KeyEventKind::Release && normalize(ev.code, ev.modifiers) == *self
    }

    /// The binding as `parse_key` reads it, for help screens: "ctrl-r", "J", "shift-tab".
    pub fn label(&self) -> String {
        let mut label = String::new();
        for (name, modifier) in [
            ("ctrl", KeyModifiers::CONTROL),
            ("alt", KeyModifiers::ALT),
            ("shift", KeyModifiers::SHIFT),
        ] {
            if self.modifiers.contains(modifier) {
                label.push_str(name);
                label.push('-');
            }
        }
        match self.code {
            KeyCode::Char(' ') => label.push_str("space"),
            KeyCode::Char(c) => label.push(c),
            KeyCode::BackTab => label.push_str("shift-tab"),
            KeyCode::F(n) => label.push_str(&format!("F{n}")),
            code => match NAMED_KEYS.iter().find(|(_, named)| *named == code) {
                Some((name, _)) => label.push_str(name),
                None => label.push_str(&format!("{code:?}").to_lowercase()),
            },
        }
        label
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, modifiers: KeyModifiers) -> KeyBinding {
        KeyBinding { code, modifiers }
    }

    #[test]
    fn parses_plain_named_and_modified_keys() {
        let none = KeyModifiers::NONE;
        assert_eq!(parse_key("j"), Ok(key(KeyCode::Char('j'), none)));
        assert_eq!(parse_key("J"), Ok(key(KeyCode::Char('J'), none)));
        assert_eq!(parse_key("shift-j"), Ok(key(KeyCode::Char('J'), none)));
        assert_eq!(parse_key("-"), Ok(key(KeyCode::Char('-'), none)));
        assert_eq!(
            parse_key("ctrl--"),
            Ok(key(KeyCode::Char('-'), KeyModifiers::CONTROL))
        );
        assert_eq!(
            parse_key("Ctrl+R"),
            Ok(key(KeyCode::Char('R'), KeyModifiers::CONTROL))
        );
        assert_eq!(
            parse_key("ctrl-alt-x"),
            Ok(key(
                KeyCode::Char('x'),
                KeyModifiers::CONTROL | KeyModifiers::ALT
            ))
        );
        assert_eq!(parse_key("F5"), Ok(key(KeyCode::F(5), none)));
        assert_eq!(parse_key("shift-tab"), Ok(key(KeyCode::BackTab, none)));
        assert_eq!(parse_key("enter"), Ok(key(KeyCode::Enter, none)));
        assert_eq!(parse_key("ESC"), Ok(key(KeyCode::Esc, none)));
        assert_eq!(parse_key("space"), Ok(key(KeyCode::Char(' '), none)));
        assert_eq!(parse_key("pgdn"), Ok(key(KeyCode::PageDown, none)));
        assert_eq!(
            parse_key("shift-up"),
            Ok(key(KeyCode::Up, KeyModifiers::SHIFT))
        );
    }

    #[test]
    fn rejects_unknown_keys_with_the_reason() {
        assert_eq!(
            parse_key(""),
            Err("invalid key ``: it is empty".to_string())
        );
        for bad in ["F13", "ctrl-", "hyper-x", "pgdown2", "f0"] {
            let err = parse_key(bad).unwrap_err();
            assert!(
                err.starts_with(&format!("invalid key `{bad}`: expected")),
                "{err}"
            );
        }
    }

    #[test]
    fn matches_events_as_terminals_report_them() {
        let press = |code, modifiers| KeyEvent::new(code, modifiers);
        let ctrl_r = parse_key("ctrl-r").unwrap();
        assert!(ctrl_r.matches(&press(KeyCode::Char('r'), KeyModifiers::CONTROL)));
        assert!(!ctrl_r.matches(&press(KeyCode::Char('r'), KeyModifiers::NONE)));
        let upper_g = parse_key("G").unwrap();
        assert!(upper_g.matches(&press(KeyCode::Char('G'), KeyModifiers::SHIFT)));
        assert!(upper_g.matches(&press(KeyCode::Char('G'), KeyModifiers::NONE)));
        assert!(!upper_g.matches(&press(KeyCode::Char('g'), KeyModifiers::NONE)));
        let back_tab = parse_key("shift-tab").unwrap();
        assert!(back_tab.matches(&press(KeyCode::BackTab, KeyModifiers::SHIFT)));
        let mut release = press(KeyCode::BackTab, KeyModifiers::SHIFT);
        release.kind = KeyEventKind::Release;
        assert!(!back_tab.matches(&release));
    }

    #[test]
    fn labels_read_back_as_the_same_binding() {
        for text in [
            "j",
            "G",
            "ctrl-r",
            "alt-x",
            "F5",
            "shift-tab",
            "enter",
            "esc",
            "space",
            "pgdn",
            "pgup",
            "ctrl-alt-delete",
            "shift-up",
            "?",
            ":",
            "/",
        ] {
            let binding = parse_key(text).unwrap();
            assert_eq!(binding.label(), text);
            assert_eq!(parse_key(&binding.label()), Ok(binding));
        }
    }
}
