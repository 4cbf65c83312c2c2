//! Python literals as Airflow 2's REST API sends them: a task log is the text of a list of
//! `(host, text)` tuples, and an XCom value is `str()` of the value (`['s-1']`,
//! `{'job_name': 'x'}`). [`parse`] reads such text into JSON; [`strings`] picks out every string
//! literal of a text that does not parse whole.

use serde_json::{Map, Number, Value};

/// The JSON of a Python literal (str, int, float, bool, None, list, tuple, set, dict), or `None`
/// when `source` is anything else (a call such as `datetime.datetime(...)`, trailing text).
pub(crate) fn parse(source: &str) -> Option<Value> {
    let mut parser = Parser {
        chars: source.trim().chars().collect(),
        at: 0,
    };
    let value = parser.value(0)?;
    parser.skip_space();
    (parser.at == parser.chars.len()).then_some(value)
}

/// Every string literal of `source`, unescaped, in order (`'..'` or `".."`).
pub(crate) fn strings(source: &str) -> Vec<String> {
    let mut parser = Parser {
        chars: source.chars().collect(),
        at: 0,
    };
    let mut found = Vec::new();
    while let Some(&c) = parser.chars.get(parser.at) {
        if c == '\'' || c == '"' {
            found.push(parser.string());
        } else {
            parser.at += 1;
        }
    }
    found
}

/// Nesting deeper than this is refused (remote text must not exhaust the stack).
const MAX_DEPTH: usize = 64;

struct Parser {
    chars: Vec<char>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.at += 1;
        }
    }

    fn eat(&mut self, c: char) -> bool {
        self.skip_space();
        let found = self.peek() == Some(c);
        if found {
            self.at += 1;
        }
        found
    }

    fn value(&mut self, depth: usize) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.skip_space();
        match self.peek()? {
            '\'' | '"' => Some(Value::String(self.string())),
            'b' | 'r' | 'u' if matches!(self.chars.get(self.at + 1), Some('\'' | '"')) => {
                self.at += 1;
                Some(Value::String(self.string()))
            }
            '[' => self.sequence(']', depth).map(Value::Array),
            '(' => self.sequence(')', depth).map(Value::Array),
            '{' => self.braces(depth),
            _ => self.word(),
        }
    }

    /// Items up to `close` (the opening bracket is at the cursor); a trailing comma is fine.
    fn sequence(&mut self, close: char, depth: usize) -> Option<Vec<Value>> {
        self.at += 1;
        let mut items = Vec::new();
        loop {
            if self.eat(close) {
                return Some(items);
            }
            items.push(self.value(depth + 1)?);
            if !self.eat(',') {
                return self.eat(close).then_some(items);
            }
        }
    }

    /// A dict (`{k: v}`, keys written as JSON strings) or a set (`{a, b}`, an array).
    fn braces(&mut self, depth: usize) -> Option<Value> {
        self.at += 1;
        if self.eat('}') {
            return Some(Value::Object(Map::new()));
        }
        let first = self.value(depth + 1)?;
        if !self.eat(':') {
            let mut items = vec![first];
            loop {
                if self.eat('}') {
                    return Some(Value::Array(items));
                }
                if !self.eat(',') {
                    return None;
                }
                if self.eat('}') {
                    return Some(Value::Array(items));
                }
                items.push(self.value(depth + 1)?);
            }
        }
        let mut map = Map::new();
        let mut key = first;
        loop {
            let value = self.value(depth + 1)?;
            map.insert(key_text(key), value);
            if !self.eat(',') {
                return self.eat('}').then_some(Value::Object(map));
            }
            if self.eat('}') {
                return Some(Value::Object(map));
            }
            key = self.value(depth + 1)?;
            if !self.eat(':') {
                return None;
            }
        }
    }

    /// `True`, `False`, `None` or a number.
    fn word(&mut self) -> Option<Value> {
        let start = self.at;
        while self
            .peek()
            .is_some_and(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '+' | '_'))
        {
            self.at += 1;
        }
        let word: String = self.chars[start..self.at].iter().collect();
        match word.as_str() {
            "True" => Some(Value::Bool(true)),
            "False" => Some(Value::Bool(false)),
            "None" => Some(Value::Null),
            number => {
                let digits = number.replace('_', "");
                if let Ok(n) = digits.parse::<i64>() {
                    return Some(Value::Number(n.into()));
                }
                digits
                    .parse::<f64>()
                    .ok()
                    .and_then(Number::from_f64)
                    .map(Value::Number)
            }
        }
    }

    /// The string literal whose quote is at the cursor, unescaped (`\n`, `\t`, `\r`, `\\`,
    /// `\'`, `\xNN`, `\uNNNN`, `\UNNNNNNNN`); an unterminated one ends with the text.
    fn string(&mut self) -> String {
        let quote = self.chars[self.at];
        self.at += 1;
        let mut s = String::new();
        while let Some(c) = self.peek() {
            self.at += 1;
            match c {
                '\\' => {
                    let Some(escaped) = self.peek() else { break };
                    self.at += 1;
                    match escaped {
                        'n' => s.push('\n'),
                        't' => s.push('\t'),
                        'r' => s.push('\r'),
                        'x' => s.push(self.hex_char(2)),
                        'u' => s.push(self.hex_char(4)),
                        'U' => s.push(self.hex_char(8)),
                        other => s.push(other),
                    }
                }
                c if c == quote => break,
                c => s.push(c),
            }
        }
        s
    }

    fn hex_char(&mut self, digits: usize) -> char {
        let end = (self.at + digits).min(self.chars.len());
        let hex: String = self.chars[self.at..end].iter().collect();
        self.at = end;
        u32::from_str_radix(&hex, 16)
            .ok()
            .and_then(char::from_u32)
            .unwrap_or(char::REPLACEMENT_CHARACTER)
    }
}

/// A dict key as a JSON object key: strings as they are, anything else as its JSON text.
fn key_text(key: Value) -> String {
    match key {
        Value::String(s) => s,
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn literals_of_every_kind_read_as_json() {
        assert_eq!(parse("['s-1A2B']"), Some(json!(["s-1A2B"])));
        assert_eq!(
            parse("{'region_name': 'us-east-1', 'n': 3, 'ok': True, 'x': None, 'f': -1.5}"),
            Some(json!({"region_name": "us-east-1", "n": 3, "ok": true, "x": null, "f": -1.5}))
        );
        assert_eq!(
            parse(r#"[('host', "it's\n"), ]"#),
            Some(json!([["host", "it's\n"]]))
        );
        assert_eq!(parse("{1: 'a'}"), Some(json!({"1": "a"})));
        assert_eq!(parse("{'a', 'b'}"), Some(json!(["a", "b"])));
        assert_eq!(parse("{}"), Some(json!({})));
        assert_eq!(parse("()"), Some(json!([])));
        assert_eq!(parse("b'raw'"), Some(json!("raw")));
        assert_eq!(parse(r"'\x41\u00e9\\'"), Some(json!("Aé\\")));
    }

    #[test]
    fn anything_else_is_not_a_literal() {
        assert_eq!(parse("jr_0123abcd"), None);
        assert_eq!(parse("datetime.datetime(2024, 1, 1)"), None);
        assert_eq!(parse("['a'] trailing"), None);
        assert_eq!(parse("['unclosed'"), None);
        assert_eq!(parse(&"[".repeat(500)), None, "too deep");
        assert_eq!(parse(""), None);
    }

    #[test]
    fn strings_are_found_in_any_text() {
        assert_eq!(
            strings(r#"[('h', 'a\tb'), ("x", 'unterminated"#),
            ["h", "a\tb", "x", "unterminated"]
        );
    }
}
