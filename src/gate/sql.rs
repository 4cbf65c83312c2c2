//! How much care a SQL text needs, read with a real SQL parser (`sqlparser`, Redshift dialect,
//! then PostgreSQL), and the text as the audit trail may keep it (secrets masked).
//!
//! - Read-only: SELECT (and WITH … SELECT, VALUES), SHOW, EXPLAIN without ANALYZE, DESCRIBE.
//!   They run in a read-only context too, without the gate.
//! - Destructive: DROP, DELETE, TRUNCATE, ALTER, GRANT, REVOKE, MERGE, RENAME, KILL, UPDATE
//!   without WHERE, CREATE OR REPLACE TABLE: the gate asks, showing the statement.
//! - Mutating: everything else, and everything the parser cannot read (never read-only).
//!
//! A text of several statements is as dangerous as the worst of them; statements nested in
//! a query (`WITH d AS (DELETE …) SELECT …`), SELECT … INTO, row locks and functions with
//! side effects (`pg_terminate_backend`, `set_config`, `nextval`…) make a SELECT not
//! read-only.

use std::fmt;
use std::ops::ControlFlow;

use sqlparser::ast::{Expr, Query, Select, SetExpr, Statement, Visit, Visitor};
use sqlparser::dialect::{Dialect, PostgreSqlDialect, RedshiftSqlDialect};
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

/// How much care a SQL text needs; ordered from least to most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SqlRisk {
    ReadOnly,
    Mutating,
    Destructive,
}

/// A classified text: its risk and the statement that decided it, as people name it
/// (`SELECT`, `DROP`, `UPDATE without WHERE`, `unparsable: …`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classified {
    pub risk: SqlRisk,
    pub reason: String,
}

impl fmt::Display for Classified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let risk = match self.risk {
            SqlRisk::ReadOnly => "read-only",
            SqlRisk::Mutating => "changes data",
            SqlRisk::Destructive => "destructive",
        };
        write!(f, "{risk} ({})", self.reason)
    }
}

/// Functions that change something even when called from a SELECT.
const SIDE_EFFECT_FUNCTIONS: &[&str] = &[
    "pg_terminate_backend",
    "pg_cancel_backend",
    "pg_reload_conf",
    "pg_rotate_logfile",
    "set_config",
    "setval",
    "nextval",
    "lo_import",
    "lo_export",
    "lo_unlink",
    "dblink",
    "dblink_exec",
    "pg_advisory_lock",
    "pg_sleep",
];

/// SQL found read-only, text and every statement of it: the only SQL a client sends without the
/// gate's [`Approval`](super::Approval) (`Redshift::execute_read_only`). Only
/// [`ReadOnlySql::new`] makes one, so what is sent is exactly what was classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadOnlySql {
    statements: Vec<String>,
}

impl ReadOnlySql {
    /// The `statements` of `text` (as the caller split it), if the text and each statement
    /// are read-only; else the classification that says why not (never read-only then).
    pub fn new(text: &str, statements: Vec<String>) -> Result<Self, Classified> {
        let worst = std::iter::once(classify(text))
            .chain(statements.iter().map(|s| classify(s)))
            .max_by_key(|c| c.risk)
            .expect("the text is classified");
        match (worst.risk, statements.is_empty()) {
            (SqlRisk::ReadOnly, false) => Ok(Self { statements }),
            (SqlRisk::ReadOnly, true) => Err(Classified {
                risk: SqlRisk::Mutating,
                reason: "no statement".into(),
            }),
            _ => Err(worst),
        }
    }

    /// What is sent: one statement or several, in order.
    pub fn statements(&self) -> &[String] {
        &self.statements
    }
}

/// Classifies `sql` (one statement or several).
pub fn classify(sql: &str) -> Classified {
    let parsed = Parser::parse_sql(&RedshiftSqlDialect {}, sql)
        .or_else(|_| Parser::parse_sql(&PostgreSqlDialect {}, sql));
    match parsed {
        Ok(statements) if statements.is_empty() => Classified {
            risk: SqlRisk::Mutating,
            reason: "no statement".into(),
        },
        Ok(statements) => statements
            .iter()
            .map(classify_statement)
            .max_by_key(|c| c.risk)
            .expect("not empty"),
        Err(e) => by_first_keywords(sql, &e.to_string()),
    }
}

fn classify_statement(statement: &Statement) -> Classified {
    let mut walk = Walk {
        worst: Classified {
            risk: SqlRisk::ReadOnly,
            reason: String::new(),
        },
        depth: 0,
        explained_at: None,
    };
    let _ = statement.visit(&mut walk);
    walk.worst
}

/// Walks a statement and everything nested in it, keeping the worst finding.
struct Walk {
    worst: Classified,
    /// Depth of statements entered, and the depth of an EXPLAIN (without ANALYZE) being
    /// walked: what it explains is only planned, so nothing under it counts.
    depth: usize,
    explained_at: Option<usize>,
}

impl Walk {
    fn note(&mut self, risk: SqlRisk, reason: impl Into<String>) {
        if self.explained_at.is_some_and(|at| at < self.depth) {
            return;
        }
        if risk > self.worst.risk || self.worst.reason.is_empty() {
            self.worst = Classified {
                risk: risk.max(self.worst.risk),
                reason: reason.into(),
            };
        }
    }
}

impl Visitor for Walk {
    type Break = ();

    fn pre_visit_statement(&mut self, statement: &Statement) -> ControlFlow<()> {
        self.depth += 1;
        let (risk, reason) = statement_risk(statement);
        self.note(risk, reason);
        if matches!(statement, Statement::Explain { analyze: false, .. }) {
            self.explained_at.get_or_insert(self.depth);
        }
        ControlFlow::Continue(())
    }

    fn post_visit_statement(&mut self, _: &Statement) -> ControlFlow<()> {
        if self.explained_at == Some(self.depth) {
            self.explained_at = None;
        }
        self.depth -= 1;
        ControlFlow::Continue(())
    }

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
        if !query.locks.is_empty() {
            self.note(SqlRisk::Mutating, "SELECT … FOR UPDATE (locks rows)");
        }
        if let SetExpr::Table(_) | SetExpr::Values(_) = query.body.as_ref() {
            self.note(SqlRisk::ReadOnly, "SELECT");
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_select(&mut self, select: &Select) -> ControlFlow<()> {
        if select.into.is_some() {
            self.note(SqlRisk::Mutating, "SELECT … INTO (creates a table)");
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<()> {
        if let Expr::Function(function) = expr {
            let name = function.name.to_string().to_lowercase();
            let base = name.rsplit('.').next().unwrap_or(&name).trim_matches('"');
            if SIDE_EFFECT_FUNCTIONS.contains(&base) {
                self.note(SqlRisk::Mutating, format!("calls {base}()"));
            }
        }
        ControlFlow::Continue(())
    }
}

/// The risk of one statement by its kind (nested statements and queries are walked apart).
fn statement_risk(statement: &Statement) -> (SqlRisk, String) {
    use SqlRisk::*;
    match statement {
        Statement::Query(_) => (ReadOnly, "SELECT".into()),
        // EXPLAIN only plans what it explains (the walk skips it); EXPLAIN ANALYZE runs it,
        // and the walk finds what it does.
        Statement::Explain { analyze: false, .. } => (ReadOnly, "EXPLAIN".into()),
        Statement::Update(update) if update.selection.is_none() => {
            (Destructive, "UPDATE without WHERE".into())
        }
        Statement::CreateTable(create) if create.or_replace => {
            (Destructive, "CREATE OR REPLACE TABLE".into())
        }
        _ => by_kind(statement),
    }
}

/// The statement's kind from its variant name (`Drop…`, `Alter…`, `Show…`): one rule for
/// every variant of a family, including ones a newer parser adds.
fn by_kind(statement: &Statement) -> (SqlRisk, String) {
    let debug = format!("{statement:?}");
    let kind = debug
        .split(|c: char| !c.is_ascii_alphanumeric())
        .next()
        .unwrap_or_default();
    const DESTRUCTIVE: &[&str] = &[
        "Delete",
        "Truncate",
        "Grant",
        "GrantRole",
        "Revoke",
        "RevokeRole",
        "Deny",
        "Merge",
        "RenameTable",
        "Kill",
        "AlterDefaultPrivileges",
    ];
    let keyword = first_keyword(&statement.to_string());
    if kind.starts_with("Drop") || kind.starts_with("Alter") || DESTRUCTIVE.contains(&kind) {
        (SqlRisk::Destructive, keyword)
    } else if kind.starts_with("Show") || kind == "ExplainTable" {
        (SqlRisk::ReadOnly, keyword)
    } else {
        (SqlRisk::Mutating, keyword)
    }
}

fn first_keyword(sql: &str) -> String {
    sql.split_whitespace()
        .next()
        .unwrap_or("statement")
        .to_uppercase()
}

/// A text the parser cannot read: never read-only; destructive if any statement starts
/// with a destructive keyword (statements found by the tokenizer, outside strings and
/// comments), else mutating.
fn by_first_keywords(sql: &str, error: &str) -> Classified {
    const DESTRUCTIVE: &[&str] = &[
        "DROP", "DELETE", "TRUNCATE", "ALTER", "GRANT", "REVOKE", "MERGE", "UPDATE", "RENAME",
        "KILL", "REPLACE",
    ];
    let tokens = Tokenizer::new(&RedshiftSqlDialect {}, sql).tokenize();
    let first_words: Vec<String> = match &tokens {
        Ok(tokens) => statement_starts(tokens),
        // Not even tokens (an open quote...): judge by the text's first word.
        Err(_) => vec![first_keyword(sql)],
    };
    let destructive = first_words
        .iter()
        .find(|w| DESTRUCTIVE.contains(&w.as_str()));
    let short_error = error.chars().take(120).collect::<String>();
    match destructive {
        Some(word) => Classified {
            risk: SqlRisk::Destructive,
            reason: format!("{word}, not parsed: {short_error}"),
        },
        None => Classified {
            risk: SqlRisk::Mutating,
            reason: format!("not parsed, so not read-only: {short_error}"),
        },
    }
}

/// The first word of each statement (after the start and after every `;`), upper-cased.
fn statement_starts(tokens: &[Token]) -> Vec<String> {
    let mut words = Vec::new();
    let mut at_start = true;
    for token in tokens {
        match token {
            Token::SemiColon => at_start = true,
            Token::Whitespace(_) => {}
            Token::Word(word) if at_start => {
                words.push(word.value.to_uppercase());
                at_start = false;
            }
            _ => at_start = false,
        }
    }
    words
}

/// Words followed by a secret in single quotes (Redshift COPY/UNLOAD credentials, user
/// passwords, encryption keys).
const SECRET_WORDS: &[&str] = &[
    "IAM_ROLE",
    "CREDENTIALS",
    "ACCESS_KEY_ID",
    "SECRET_ACCESS_KEY",
    "SESSION_TOKEN",
    "PASSWORD",
    "MASTER_SYMMETRIC_KEY",
    "ENCRYPTED_PASSWORD",
];

/// The mask that replaces a secret.
pub const MASK: &str = "'****'";

/// `sql` with the quoted value after IAM_ROLE, CREDENTIALS, ACCESS_KEY_ID, SECRET_ACCESS_KEY,
/// SESSION_TOKEN, PASSWORD (and the like) replaced by `'****'`; everything else as written.
/// A text that cannot be tokenized is masked from the first secret word on.
pub fn mask_secrets(sql: &str) -> String {
    let dialect = PostgreSqlDialect {};
    match Tokenizer::new(&dialect, sql).tokenize_with_location() {
        Ok(tokens) => mask_tokens(sql, &tokens),
        Err(_) => mask_from_first_secret_word(sql, &dialect),
    }
}

fn mask_tokens(sql: &str, tokens: &[TokenWithSpan]) -> String {
    let offsets = LineOffsets::new(sql);
    let mut out = String::with_capacity(sql.len());
    let mut copied = 0;
    let mut after_secret_word = false;
    for token in tokens {
        match &token.token {
            Token::Whitespace(_) | Token::Eq => continue,
            Token::Word(word) if SECRET_WORDS.contains(&word.value.to_uppercase().as_str()) => {
                after_secret_word = true;
                continue;
            }
            Token::Word(word) if after_secret_word && word.value.eq_ignore_ascii_case("AS") => {
                continue;
            }
            Token::SingleQuotedString(_)
            | Token::EscapedStringLiteral(_)
            | Token::NationalStringLiteral(_)
            | Token::DollarQuotedString(_)
                if after_secret_word =>
            {
                let start = offsets.byte(token.span.start.line, token.span.start.column);
                let end = offsets.byte(token.span.end.line, token.span.end.column);
                if let (Some(start), Some(end)) = (start, end) {
                    out.push_str(&sql[copied..start]);
                    out.push_str(MASK);
                    copied = end;
                }
            }
            _ => {}
        }
        after_secret_word = false;
    }
    out.push_str(&sql[copied..]);
    out
}

fn mask_from_first_secret_word(sql: &str, _dialect: &dyn Dialect) -> String {
    let upper = sql.to_uppercase();
    match SECRET_WORDS.iter().filter_map(|w| upper.find(w)).min() {
        Some(at) if sql.is_char_boundary(at) => format!("{}{MASK} …", &sql[..at]),
        _ => sql.to_string(),
    }
}

/// Byte offsets of the tokenizer's (line, column) positions: lines from 1, columns from 1
/// counted in characters.
struct LineOffsets<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineOffsets<'a> {
    fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Self { text, starts }
    }

    fn byte(&self, line: u64, column: u64) -> Option<usize> {
        let start = *self
            .starts
            .get(usize::try_from(line).ok()?.checked_sub(1)?)?;
        let column = usize::try_from(column).ok()?.checked_sub(1)?;
        let rest = &self.text[start..];
        match rest.char_indices().nth(column) {
            Some((i, _)) => Some(start + i),
            None => (rest.chars().count() == column).then_some(self.text.len()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_text_read_only_in_every_statement_may_be_sent_unapproved() {
        let read = ReadOnlySql::new(
            "select 1; select 2",
            vec!["select 1".into(), "select 2".into()],
        );
        assert_eq!(read.unwrap().statements(), ["select 1", "select 2"]);
        // The parts sent are classified too: a write slipped into them is caught.
        let slipped = ReadOnlySql::new("select 1", vec!["drop table t".into()]).unwrap_err();
        assert_eq!(slipped.risk, SqlRisk::Destructive);
        let written = ReadOnlySql::new(
            "insert into t values (1)",
            vec!["insert into t values (1)".into()],
        );
        assert_eq!(written.unwrap_err().risk, SqlRisk::Mutating);
        assert_eq!(
            ReadOnlySql::new("select 1", vec![]).unwrap_err().risk,
            SqlRisk::Mutating
        );
    }

    fn risk(sql: &str) -> SqlRisk {
        classify(sql).risk
    }

    #[test]
    fn reads_are_read_only() {
        for sql in [
            "SELECT 1",
            "select pickup_date, count(*) from nyc.green_trips_daily_zone group by 1",
            "WITH t AS (SELECT 1 AS a) SELECT a FROM t",
            "SHOW TABLES",
            "SHOW search_path",
            "EXPLAIN SELECT * FROM nyc.trips",
            "EXPLAIN DELETE FROM nyc.trips",
            "VALUES (1), (2)",
            "SELECT 1; SELECT 2;",
            "-- a comment\nSELECT 'DROP TABLE x' AS text",
            include_str!("../../sql/030_load_history.sql"),
            include_str!("../../sql/020_verify_load.sql"),
        ] {
            assert_eq!(risk(sql), SqlRisk::ReadOnly, "{sql}: {}", classify(sql));
        }
    }

    #[test]
    fn writes_are_mutating() {
        for sql in [
            "INSERT INTO t VALUES (1)",
            "UPDATE t SET a = 1 WHERE id = 2",
            "CREATE TABLE t (a int)",
            "CREATE SCHEMA IF NOT EXISTS nyc",
            "COPY nyc.trips FROM 's3://b/k' IAM_ROLE 'arn:aws:iam::1:role/r' FORMAT AS PARQUET",
            "SELECT * INTO new_table FROM t",
            "SELECT * FROM t FOR UPDATE",
            "SELECT pg_terminate_backend(123)",
            "SELECT nextval('s')",
            "VACUUM t",
            "SET search_path TO nyc",
            "this is not sql at all",
            include_str!("../../sql/001_schema.sql"),
        ] {
            assert_eq!(risk(sql), SqlRisk::Mutating, "{sql}: {}", classify(sql));
        }
    }

    #[test]
    fn destruction_is_destructive() {
        for sql in [
            "DROP TABLE nyc.trips",
            "drop schema nyc cascade",
            "DELETE FROM nyc.trips WHERE id = 1",
            "TRUNCATE nyc.trips",
            "ALTER TABLE nyc.trips ADD COLUMN x int",
            "GRANT SELECT ON nyc.trips TO bob",
            "REVOKE ALL ON nyc.trips FROM bob",
            "UPDATE nyc.trips SET fare = 0",
            "SELECT 1; DROP TABLE t",
            "WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d",
            "EXPLAIN ANALYZE DELETE FROM t",
            "DROP TABLE t; this is not parsed",
            "CREATE OR REPLACE TABLE t (a int)",
            // The reload empties the table first.
            include_str!("../../sql/010_copy_gold.sql"),
        ] {
            assert_eq!(risk(sql), SqlRisk::Destructive, "{sql}: {}", classify(sql));
        }
    }

    #[test]
    fn the_reason_names_the_deciding_statement() {
        assert_eq!(classify("SELECT 1; DROP TABLE t").reason, "DROP");
        assert_eq!(
            classify("UPDATE t SET a = 1").reason,
            "UPDATE without WHERE"
        );
        assert!(classify("nonsense here")
            .reason
            .starts_with("not parsed, so not read-only"));
    }

    #[test]
    fn secrets_are_masked_and_the_rest_kept() {
        let copy = "COPY nyc.trips FROM 's3://lake/gold/'\n  IAM_ROLE 'arn:aws:iam::123456789012:role/Loader'\n  FORMAT AS PARQUET;";
        assert_eq!(
            mask_secrets(copy),
            "COPY nyc.trips FROM 's3://lake/gold/'\n  IAM_ROLE '****'\n  FORMAT AS PARQUET;"
        );
        let keys = "unload ('select 1') to 's3://b/p' access_key_id 'AKIAEXAMPLE' secret_access_key 'wJalr/xyz' session_token 'tok=='";
        let masked = mask_secrets(keys);
        for secret in ["AKIAEXAMPLE", "wJalr/xyz", "tok=="] {
            assert!(!masked.contains(secret), "{masked}");
        }
        assert!(masked.contains("to 's3://b/p'"), "{masked}");
        assert_eq!(
            mask_secrets("CREATE USER bob PASSWORD 'Secret-1'"),
            "CREATE USER bob PASSWORD '****'"
        );
        assert_eq!(
            mask_secrets(
                "copy t from 's3://b' credentials 'aws_access_key_id=A;aws_secret_access_key=B'"
            ),
            "copy t from 's3://b' credentials '****'"
        );
        assert_eq!(
            mask_secrets("COPY t FROM 's3://b' IAM_ROLE default"),
            "COPY t FROM 's3://b' IAM_ROLE default"
        );
        // An open quote: the text is cut at the first secret word.
        assert_eq!(
            mask_secrets("ALTER USER bob PASSWORD 'open"),
            "ALTER USER bob '****' …"
        );
        assert_eq!(mask_secrets("SELECT 'é' AS \"ü\""), "SELECT 'é' AS \"ü\"");
    }
}
