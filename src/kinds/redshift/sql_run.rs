//! Running SQL from the console: what may be sent (a statement typed in a prompt, or a file of
//! the project's sql/ directory), the gated `redshift.execute_sql` action, and the session's
//! statement history that the SQL view shows and polls.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use super::sql_text::split_statements;
use crate::app::view::Outcome;
use crate::aws::redshift::{Credentials, Statement};
use crate::clients::Clients;
use crate::errors::UiError;
use crate::gate::sql::{self, ReadOnlySql, SqlRisk};
use crate::gate::{catalog, ActionRequest, Approval};
use crate::paths;

/// The saved "load history" query (STL_LOAD_COMMITS / STL_LOAD_ERRORS of the trips table).
pub const LOAD_HISTORY_FILE: &str = "030_load_history.sql";

/// Where statements run: a cluster's database as a database user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlTarget {
    pub cluster: String,
    pub database: String,
    pub db_user: String,
}

/// Checks a typed statement before anything is sent: not empty, quotes balanced.
pub fn validate_statement(sql: &str) -> Result<String, String> {
    let sql = sql.trim();
    if sql.is_empty() {
        return Err("empty statement: nothing sent".into());
    }
    if let Some(quote) = unbalanced_quote(sql) {
        return Err(format!("unbalanced {quote} quote: nothing sent"));
    }
    Ok(sql.to_owned())
}

/// The first quote character left open at the end of `sql` (`''` inside a string is an escaped
/// quote and keeps it open, as SQL reads it).
fn unbalanced_quote(sql: &str) -> Option<char> {
    let mut open: Option<char> = None;
    for c in sql.chars() {
        match open {
            Some(q) if c == q => open = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => open = Some(c),
            None => {}
        }
    }
    open
}

/// The project's sql/ directory.
pub fn sql_dir() -> PathBuf {
    paths::project_dir().join("sql")
}

/// Reads `name` from `dir`: a plain file name (no directories), an existing file, not empty.
pub fn read_sql_file(dir: &Path, name: &str) -> Result<String, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("type a file name from sql/, e.g. 020_verify_load.sql".into());
    }
    if name.contains(['/', '\\']) || name.starts_with('.') {
        return Err(format!("'{name}': only a file directly under sql/"));
    }
    let path = dir.join(name);
    if !path.is_file() {
        return Err(format!(
            "no file sql/{name} (try: {})",
            list_sql_files(dir).join(", ")
        ));
    }
    let text = std::fs::read_to_string(&path).map_err(|e| format!("sql/{name}: {e}"))?;
    if text.trim().is_empty() {
        return Err(format!("sql/{name} is empty: nothing sent"));
    }
    Ok(text)
}

/// The `.sql` files of `dir`, sorted.
pub fn list_sql_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".sql"))
        .collect();
    names.sort();
    names
}

/// The statements run from this console, oldest first.
#[derive(Default)]
pub struct History {
    statements: Mutex<Vec<Statement>>,
}

impl History {
    /// The history of this process.
    pub fn session() -> &'static History {
        static SESSION: OnceLock<History> = OnceLock::new();
        SESSION.get_or_init(History::default)
    }

    pub fn record(&self, statement: Statement) {
        self.statements.lock().unwrap().push(statement);
    }

    /// Replaces the entry of the same id with a newer description.
    pub fn update(&self, statement: Statement) {
        let mut statements = self.statements.lock().unwrap();
        if let Some(known) = statements.iter_mut().find(|s| s.id == statement.id) {
            *known = statement;
        }
    }

    /// The statements run on `cluster`, newest first.
    pub fn of_cluster(&self, cluster: &str) -> Vec<Statement> {
        let statements = self.statements.lock().unwrap();
        statements
            .iter()
            .rev()
            .filter(|s| s.cluster.as_deref() == Some(cluster))
            .cloned()
            .collect()
    }
}

/// Runs `sql` (named `label`) on `target` as its class asks (see [`crate::gate::sql`]):
/// read-only statements run at once, without the gate (in a read-only context too), owned by
/// the view; the others go to the gate, destructive ones asking
/// with the statement shown. Every gated statement is audited with its text, secrets masked.
pub fn run_sql(clients: Arc<Clients>, target: &SqlTarget, label: &str, sql: String) -> Outcome {
    let where_ = format!("{label} on {}/{}", target.cluster, target.database);
    let class = match ReadOnlySql::new(&sql, split_statements(&sql)) {
        Ok(read) => {
            let target = target.clone();
            return Outcome::later(format!("{where_}: read-only, running…"), async move {
                Outcome::Flash(
                    submit(&clients, &target, sql, Sending::ReadOnly(read))
                        .await
                        .map_err(|e| e.to_string()),
                )
            });
        }
        Err(class) => class,
    };
    let spec = match class.risk {
        SqlRisk::ReadOnly | SqlRisk::Mutating => &catalog::REDSHIFT_EXECUTE_SQL,
        SqlRisk::Destructive => &catalog::REDSHIFT_EXECUTE_DESTRUCTIVE_SQL,
    };
    let masked = sql::mask_secrets(&sql);
    let mut request = {
        let target = target.clone();
        ActionRequest::new(spec, where_, move |approval| {
            Box::pin(
                async move { submit(&clients, &target, sql, Sending::Approved(approval)).await },
            )
        })
    }
    .with_detail(format!("as database user {}", target.db_user))
    .with_detail(class.to_string())
    .with_audit_detail(masked.clone());
    let lines: Vec<&str> = masked.lines().filter(|l| !l.trim().is_empty()).collect();
    let shown = match class.risk {
        SqlRisk::Destructive => MAX_STATEMENT_LINES,
        _ => 1,
    };
    for line in lines.iter().take(shown) {
        request = request.with_detail(format!("  {line}"));
    }
    if lines.len() > shown && shown > 1 {
        request = request.with_detail(format!("  … {} more lines", lines.len() - shown));
    }
    Outcome::Act(request)
}

/// Most lines of a destructive statement shown in its confirmation.
const MAX_STATEMENT_LINES: usize = 12;

/// What lets SQL be sent: the gate's approval, or the classifier's finding that it only reads.
enum Sending {
    Approved(Approval),
    ReadOnly(ReadOnlySql),
}

/// Submits `sql` (several statements as one batch) and records it in the session history.
async fn submit(
    clients: &Clients,
    target: &SqlTarget,
    sql: String,
    sending: Sending,
) -> Result<String, UiError> {
    let credentials = Credentials::DbUser(target.db_user.clone());
    let (redshift, cluster, database) = (&clients.redshift, &target.cluster, &target.database);
    let id = match sending {
        Sending::ReadOnly(read) => {
            redshift
                .execute_read_only(cluster, database, &credentials, &read)
                .await
        }
        Sending::Approved(approval) => {
            let parts = split_statements(&sql);
            if parts.len() > 1 {
                redshift
                    .execute_batch(&approval, cluster, database, &credentials, &parts)
                    .await
            } else {
                redshift
                    .execute_statement(&approval, cluster, database, &credentials, &sql)
                    .await
            }
        }
    }?;
    History::session().record(Statement::submitted(
        &id,
        &target.cluster,
        &target.database,
        &sql,
    ));
    Ok(format!("statement {id} submitted"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_need_text_and_balanced_quotes() {
        assert!(validate_statement("   ").is_err());
        assert_eq!(validate_statement(" select 1 ").unwrap(), "select 1");
        assert_eq!(
            validate_statement("select 'it''s'").unwrap(),
            "select 'it''s'"
        );
        assert!(validate_statement("select 'open")
            .unwrap_err()
            .contains("unbalanced ' quote"));
        assert!(validate_statement("select \"col from t")
            .unwrap_err()
            .contains("unbalanced \" quote"));
        assert!(validate_statement("select '\"' as q").is_ok());
    }

    #[test]
    fn files_come_only_from_the_sql_directory() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("010_a.sql"), "select 1;").unwrap();
        std::fs::write(dir.path().join("020_empty.sql"), "\n").unwrap();
        assert_eq!(read_sql_file(dir.path(), "010_a.sql").unwrap(), "select 1;");
        assert!(read_sql_file(dir.path(), "../secret.sql").is_err());
        assert!(read_sql_file(dir.path(), "").is_err());
        assert!(read_sql_file(dir.path(), "020_empty.sql")
            .unwrap_err()
            .contains("empty"));
        let missing = read_sql_file(dir.path(), "nope.sql").unwrap_err();
        assert!(missing.contains("010_a.sql"), "{missing}");
    }

    #[test]
    fn the_project_has_the_saved_load_history_query() {
        let text = read_sql_file(&sql_dir(), LOAD_HISTORY_FILE).unwrap();
        assert!(text.contains("stl_load_commits") && text.contains("stl_load_errors"));
    }

    #[test]
    fn history_is_per_cluster_newest_first_and_updated_in_place() {
        let history = History::default();
        history.record(Statement::submitted("1", "a", "db", "select 1"));
        history.record(Statement::submitted("2", "b", "db", "select 2"));
        history.record(Statement::submitted("3", "a", "db", "select 3"));
        let mut done = Statement::submitted("1", "a", "db", "select 1");
        done.state = crate::aws::redshift::StatementState::Finished;
        history.update(done.clone());
        let ids: Vec<String> = history.of_cluster("a").into_iter().map(|s| s.id).collect();
        assert_eq!(ids, ["3", "1"]);
        assert_eq!(history.of_cluster("a")[1], done);
    }
}
