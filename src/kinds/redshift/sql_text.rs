//! SQL text as the Data API wants it: one statement per call, so a file of several statements
//! is split (outside quotes and comments) and sent as a batch.

/// The statements of `sql`, split at `;` outside quoted strings, quoted names and comments;
/// pieces holding only whitespace and comments are dropped.
pub fn split_statements(sql: &str) -> Vec<String> {
    let mut statements = Vec::new();
    let mut current = String::new();
    let mut has_code = false;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                current.push(c);
                has_code = true;
                for q in chars.by_ref() {
                    current.push(q);
                    if q == c {
                        break; // '' is two quotes in a row: closes and reopens, same text
                    }
                }
            }
            '-' if chars.peek() == Some(&'-') => {
                current.push(c);
                for n in chars.by_ref() {
                    current.push(n);
                    if n == '\n' {
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                current.push(c);
                let mut previous = ' ';
                for n in chars.by_ref() {
                    current.push(n);
                    if previous == '*' && n == '/' && current.len() > 3 {
                        break;
                    }
                    previous = n;
                }
            }
            ';' => {
                if has_code {
                    statements.push(current.trim().to_owned());
                }
                current.clear();
                has_code = false;
            }
            c => {
                has_code |= !c.is_whitespace();
                current.push(c);
            }
        }
    }
    if has_code {
        statements.push(current.trim().to_owned());
    }
    statements
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_outside_quotes_and_comments_and_drops_empty_pieces() {
        let sql = "-- header; not a statement\nCREATE SCHEMA nyc;\n\n\
                   /* a; b */ INSERT INTO t VALUES ('a;b', 'it''s');\n\
                   SELECT \"odd;name\" FROM t -- trailing; comment\n;\n-- only a comment;\n";
        let parts = split_statements(sql);
        assert_eq!(parts.len(), 3, "{parts:#?}");
        assert!(parts[0].ends_with("CREATE SCHEMA nyc"), "{}", parts[0]);
        assert!(parts[1].contains("VALUES ('a;b', 'it''s')"), "{}", parts[1]);
        assert!(parts[2].contains("\"odd;name\""), "{}", parts[2]);
        assert_eq!(split_statements("select 1"), ["select 1"]);
        assert!(split_statements("  ;  -- nothing\n").is_empty());
    }

    #[test]
    fn the_projects_sql_files_split_into_their_statements() {
        let dir = crate::paths::project_dir().join("sql");
        let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
        let history = split_statements(&read("030_load_history.sql"));
        assert_eq!(history.len(), 3, "{history:#?}");
        assert!(history.iter().all(|s| s.contains("SELECT")));
    }
}
