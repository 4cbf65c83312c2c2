//! Glue run arguments as people type them: `--key=value --other="two words"` or a JSON object
//! `{"--key": "value"}`. Parsed and checked before anything is sent.

use std::collections::BTreeMap;

pub type Arguments = BTreeMap<String, String>;

/// The arguments in the `--key=value` form, values quoted when they need it.
pub fn format(args: &Arguments) -> String {
    args.iter()
        .map(|(k, v)| format!("{k}={}", quote(v)))
        .collect::<Vec<_>>()
        .join(" ")
}

fn quote(value: &str) -> String {
    let plain = !value.is_empty()
        && !value
            .chars()
            .any(|c| c.is_whitespace() || c == '"' || c == '\'' || c == '\\');
    if plain {
        return value.to_string();
    }
    let escaped = value.replace('\\', "\\\\").replace('"', "\\\"");
    format!("\"{escaped}\"")
}

/// Parses either form; an empty text is no arguments (the job's defaults apply).
pub fn parse(text: &str) -> Result<Arguments, String> {
    let text = text.trim();
    if text.starts_with('{') {
        return parse_json(text);
    }
    let mut args = Arguments::new();
    for word in words(text)? {
        let Some((key, value)) = word.split_once('=') else {
            return Err(format!("'{word}' has no value: write {word}=VALUE"));
        };
        insert(&mut args, key, value.to_string())?;
    }
    Ok(args)
}

fn parse_json(text: &str) -> Result<Arguments, String> {
    let object: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(text).map_err(|e| format!("not a JSON object of arguments: {e}"))?;
    let mut args = Arguments::new();
    for (key, value) in object {
        let value = match value {
            serde_json::Value::String(s) => s,
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::Bool(b) => b.to_string(),
            _ => {
                return Err(format!(
                    "the value of {key} must be a string, number or boolean"
                ))
            }
        };
        insert(&mut args, &key, value)?;
    }
    Ok(args)
}

fn insert(args: &mut Arguments, key: &str, value: String) -> Result<(), String> {
    let Some(name) = key.strip_prefix("--") else {
        return Err(format!("argument '{key}' must start with --"));
    };
    if name.is_empty() || name.chars().any(|c| c.is_whitespace() || c == '=') {
        return Err(format!("'{key}' is not an argument name"));
    }
    if args.insert(key.to_string(), value).is_some() {
        return Err(format!("{key} is given twice"));
    }
    Ok(())
}

/// Splits on whitespace outside quotes; `"…"` and `'…'` group, `\` escapes inside `"…"`.
fn words(text: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => out.extend(word.take()),
            '"' | '\'' => {
                let current = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        None => return Err(format!("a {c} quote is not closed")),
                        Some(q) if q == c => break,
                        Some('\\') if c == '"' => match chars.next() {
                            Some(escaped) => current.push(escaped),
                            None => return Err("a \\ ends the text".into()),
                        },
                        Some(other) => current.push(other),
                    }
                }
            }
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    out.extend(word);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(pairs: &[(&str, &str)]) -> Arguments {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn flags_with_quotes() {
        assert_eq!(
            parse(r#"--date=2024-01-15 --note="two words" --q='a "b"' --empty="#).unwrap(),
            args(&[
                ("--date", "2024-01-15"),
                ("--note", "two words"),
                ("--q", "a \"b\""),
                ("--empty", "")
            ])
        );
        assert_eq!(parse("   ").unwrap(), Arguments::new());
    }

    #[test]
    fn json_objects() {
        assert_eq!(
            parse(r#"{"--date": "2024-01-15", "--workers": 4, "--dry": true}"#).unwrap(),
            args(&[
                ("--date", "2024-01-15"),
                ("--workers", "4"),
                ("--dry", "true")
            ])
        );
    }

    #[test]
    fn malformed_input_names_the_problem() {
        let cases = [
            ("--date", "'--date' has no value: write --date=VALUE"),
            ("date=1", "argument 'date' must start with --"),
            ("--=1", "'--' is not an argument name"),
            ("--a=1 --a=2", "--a is given twice"),
            ("--a=\"open", "a \" quote is not closed"),
            (
                r#"{"--a": [1]}"#,
                "the value of --a must be a string, number or boolean",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(parse(input).unwrap_err(), expected, "input {input}");
        }
        assert!(parse("{\"--a\": ")
            .unwrap_err()
            .starts_with("not a JSON object"));
    }

    #[test]
    fn format_round_trips() {
        let original = args(&[
            ("--a", "plain"),
            ("--b", "two words"),
            ("--c", "quote\" and \\ backslash"),
            ("--d", ""),
        ]);
        let text = format(&original);
        assert_eq!(parse(&text).unwrap(), original, "{text}");
        assert_eq!(
            format(&args(&[("--a", "1"), ("--b", "x y")])),
            "--a=1 --b=\"x y\""
        );
    }
}
