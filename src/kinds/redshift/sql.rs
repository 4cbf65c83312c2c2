//! `:sql [cluster]` (`:statements`, or `enter` on a Redshift cluster): the statements run from
//! this console on the cluster, newest first (status, duration, rows, first line of SQL,
//! error), polled until they finish. `a` types a statement, `e` runs a file of sql/, `t` runs
//! the saved "load history" query. Read-only statements run at once (in a read-only context
//! too); the others go through the gate (`redshift.execute_sql`), destructive ones
//! (`redshift.execute_destructive_sql`) asking first with the statement shown (see
//! `crate::gate::sql`).
//! `enter` on a finished statement opens its result, on a failed one the server's error text.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use ratatui::layout::Constraint;
use ratatui::style::Style;

use super::result::{error_view, ResultView};
use super::sql_run::{
    read_sql_file, run_sql, sql_dir, validate_statement, History, SqlTarget, LOAD_HISTORY_FILE,
};
use crate::app::keys::Cmd;
use crate::app::view::{boxed, BoxView, Ctx, Env, KeyHelp, Outcome, Prompt};
use crate::aws::redshift::{Cluster, Statement, StatementState};
use crate::clients::Clients;
use crate::errors::{Problem, UiError};
use crate::kinds::emr::format as emr_format;
use crate::kinds::{Kind, Opened};
use crate::theme::Theme;
use crate::ui::format;
use crate::views::table::{Column, PageSink, Resource, TableView};

pub const KIND: Kind = Kind {
    name: "sql",
    aliases: &["statements"],
    about: "SQL on a Redshift cluster: statement history, run SQL or a file of sql/",
    argument: Some("cluster"),
    open,
};

/// How often a fetch re-describes statements that are still running, and for how long.
const POLL_EVERY: Duration = Duration::from_millis(500);
const POLL_FOR: Duration = Duration::from_secs(120);

fn open(argument: Option<&str>, _: &Env) -> Result<Opened, String> {
    Ok(Opened::View(boxed(TableView::new(Statements::new(
        argument.map(str::to_owned),
    )))))
}

/// The SQL view of a cluster already described.
pub fn view_of(cluster: &Cluster) -> BoxView {
    boxed(TableView::new(Statements::of(cluster)))
}

pub struct Statements {
    /// The cluster asked for; `None` is the first cluster of the account.
    cluster: Option<String>,
    /// Database and user, known once the cluster is described.
    target: Arc<Mutex<Option<SqlTarget>>>,
}

impl Statements {
    pub fn new(cluster: Option<String>) -> Self {
        Self {
            cluster,
            target: Arc::default(),
        }
    }

    pub fn of(cluster: &Cluster) -> Self {
        let statements = Self::new(Some(cluster.id.clone()));
        *statements.target.lock().unwrap() = Some(target_of(cluster));
        statements
    }

    fn target(&self) -> Option<SqlTarget> {
        self.target.lock().unwrap().clone()
    }

    /// A statement typed in a prompt, validated before it is sent.
    fn ask_statement(&self, cx: &mut Ctx) -> Outcome {
        let (clients, target) = match self.ready(cx) {
            Ok(ready) => ready,
            Err(e) => return Outcome::Flash(Err(e)),
        };
        Outcome::Ask(
            Prompt::new(
                format!(
                    "SQL on {}/{} (one statement)",
                    target.cluster, target.database
                ),
                "",
                move |text| match validate_statement(&text) {
                    Ok(sql) => run_sql(clients, &target, "statement", sql),
                    Err(e) => Outcome::Flash(Err(e)),
                },
            )
            .text()
            .history("sql"),
        )
    }

    /// A file of sql/ named in a prompt.
    fn ask_file(&self, cx: &mut Ctx) -> Outcome {
        let (clients, target) = match self.ready(cx) {
            Ok(ready) => ready,
            Err(e) => return Outcome::Flash(Err(e)),
        };
        Outcome::Ask(
            Prompt::new(
                format!(
                    "Run a file of sql/ on {}/{}",
                    target.cluster, target.database
                ),
                "",
                move |name| run_file(clients, &target, &name),
            )
            .history("sql-file"),
        )
    }

    fn ready(&self, cx: &mut Ctx) -> Result<(Arc<Clients>, SqlTarget), String> {
        let clients = cx.clients().ok_or("not connected yet")?;
        let target = self
            .target()
            .ok_or("the cluster is not described yet (refresh with ctrl-r)")?;
        Ok((clients, target))
    }

    fn open_statement(&self, statement: &Statement) -> Outcome {
        match statement.state {
            StatementState::Failed | StatementState::Aborted => {
                Outcome::Push(error_view(statement))
            }
            StatementState::Finished if statement.has_result_set => {
                Outcome::Push(boxed(ResultView::new(statement)))
            }
            StatementState::Finished => Outcome::Flash(Ok(format!(
                "no result set: {} rows affected",
                statement.result_rows.unwrap_or(0)
            ))),
            state => Outcome::Flash(Err(format!(
                "the statement is {}: its result comes when it finishes",
                state.as_str()
            ))),
        }
    }
}

/// Runs `sql/<name>` (see [`run_sql`]), or says why not (nothing sent).
fn run_file(clients: Arc<Clients>, target: &SqlTarget, name: &str) -> Outcome {
    match read_sql_file(&sql_dir(), name) {
        Ok(sql) => run_sql(clients, target, &format!("sql/{}", name.trim()), sql),
        Err(e) => Outcome::Flash(Err(e)),
    }
}

fn target_of(cluster: &Cluster) -> SqlTarget {
    SqlTarget {
        cluster: cluster.id.clone(),
        database: cluster.database.clone(),
        db_user: cluster.master_user.clone(),
    }
}

/// `850 ms`, `12.3 s`, or the EMR-style `3m 07s` beyond a minute.
pub fn duration(ms: Option<i64>) -> String {
    match ms {
        None => String::new(),
        Some(ms) if ms < 1000 => format!("{ms} ms"),
        Some(ms) if ms < 60_000 => format!("{:.1} s", ms as f64 / 1000.0),
        Some(ms) => emr_format::duration(Some(chrono::Duration::milliseconds(ms))),
    }
}

pub fn state_style(state: StatementState, theme: &Theme) -> Option<Style> {
    match state {
        StatementState::Submitted | StatementState::Picked => Some(theme.state_pending),
        StatementState::Started => Some(theme.state_running),
        StatementState::Finished => Some(theme.state_success),
        StatementState::Failed => Some(theme.state_failed),
        StatementState::Aborted | StatementState::Unknown => Some(theme.muted),
    }
}

/// Describes the statements of `cluster` that are not finished yet, until all are or the poll
/// time is up, sending the history after each round.
async fn poll_history(clients: Arc<Clients>, cluster: String, sink: PageSink<Statement>) {
    let history = History::session();
    let deadline = Instant::now() + POLL_FOR;
    loop {
        let mut live = 0;
        for statement in history.of_cluster(&cluster) {
            if statement.state.is_final() {
                continue;
            }
            match clients.redshift.describe_statement(&statement.id).await {
                Ok(now) => {
                    live += usize::from(!now.state.is_final());
                    history.update(now);
                }
                Err(e) => return sink.fail(e),
            }
        }
        if !sink.replace(history.of_cluster(&cluster)) {
            return;
        }
        if live == 0 || Instant::now() > deadline {
            return sink.done();
        }
        tokio::time::sleep(POLL_EVERY).await;
    }
}

/// The cluster asked for, or the first of the account.
async fn find_cluster(clients: &Clients, asked: Option<&str>) -> Result<Cluster, UiError> {
    let redshift = &clients.redshift;
    match asked {
        Some(id) => Ok(redshift.describe_cluster(id).await?),
        None => redshift
            .list_clusters()
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| UiError::new(Problem::NotFound, "no Redshift cluster in this account")),
    }
}

impl Resource for Statements {
    type Item = Statement;

    fn title(&self) -> String {
        match (&self.cluster, self.target()) {
            (_, Some(t)) => format!("sql {}/{}", t.cluster, t.database),
            (Some(c), None) => format!("sql {c}"),
            (None, None) => "sql".into(),
        }
    }

    fn columns(&self) -> Vec<Column<Self>> {
        vec![
            Column::new("SUBMITTED", Constraint::Length(19), |_, s: &Statement| {
                format::when(s.created)
            })
            .by_number(|_, s: &Statement| format::epoch(s.created)),
            Column::new("ID", Constraint::Length(8), |_, s: &Statement| {
                crate::kinds::redshift::result::short_id(&s.id).to_owned()
            }),
            Column::new("STATUS", Constraint::Length(9), |_, s: &Statement| {
                s.state.as_str().to_owned()
            }),
            Column::new("DURATION", Constraint::Length(9), |_, s: &Statement| {
                duration(s.duration_ms)
            })
            .by_number(|_, s: &Statement| s.duration_ms.unwrap_or(-1) as f64),
            Column::new("ROWS", Constraint::Length(6), |_, s: &Statement| {
                s.result_rows.map(|r| r.to_string()).unwrap_or_default()
            })
            .by_number(|_, s: &Statement| s.result_rows.unwrap_or(-1) as f64),
            Column::new("SQL", Constraint::Min(30), |_, s: &Statement| {
                s.first_line().to_owned()
            }),
            Column::new("ERROR", Constraint::Min(20), |_, s: &Statement| {
                s.error.clone().unwrap_or_default()
            }),
        ]
    }

    fn identity(&self, s: &Statement) -> String {
        s.id.clone()
    }

    fn fetch(
        &self,
        clients: Option<Arc<Clients>>,
        sink: PageSink<Statement>,
    ) -> BoxFuture<'static, ()> {
        let (asked, target) = (self.cluster.clone(), self.target.clone());
        Box::pin(async move {
            let Some(clients) = clients else { return };
            let known = target.lock().unwrap().clone();
            let cluster = match known {
                Some(t) => t.cluster,
                None => {
                    let found = find_cluster(&clients, asked.as_deref()).await;
                    match found {
                        Ok(c) => {
                            *target.lock().unwrap() = Some(target_of(&c));
                            c.id
                        }
                        Err(e) => return sink.fail(e),
                    }
                }
            };
            poll_history(clients, cluster, sink).await;
        })
    }

    fn on_cmd(&mut self, cmd: Cmd, selected: Option<&Statement>, cx: &mut Ctx) -> Outcome {
        match (cmd, selected) {
            (Cmd::Add, _) => self.ask_statement(cx),
            (Cmd::Edit, _) => self.ask_file(cx),
            (Cmd::Start, _) => match self.ready(cx) {
                Ok((clients, target)) => run_file(clients, &target, LOAD_HISTORY_FILE),
                Err(e) => Outcome::Flash(Err(e)),
            },
            (Cmd::Enter, Some(s)) => self.open_statement(s),
            _ => Outcome::Ignored,
        }
    }

    fn keys(&self) -> Vec<KeyHelp> {
        vec![
            KeyHelp::new(Cmd::Add, "type a SQL statement and run it"),
            KeyHelp::new(Cmd::Edit, "run a file of sql/ (type its name)"),
            KeyHelp::new(
                Cmd::Start,
                "run the saved 'load history' query (sql/030_load_history.sql)",
            ),
            KeyHelp::new(Cmd::Enter, "the statement's result, or its error text"),
        ]
    }

    fn row_style(&self, s: &Statement, theme: &Theme) -> Option<Style> {
        state_style(s.state, theme)
    }
}
