//! `:athena [workgroup]` (`:queries`): the recent Athena query executions of a workgroup
//! (`primary` unless named), newest first: state, times, data scanned, the query and the
//! engine's error. `enter`/`d` shows one whole. Added by the recipe in [`crate::kinds`].

use std::sync::Arc;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use ratatui::layout::Constraint;
use ratatui::style::Style;

use crate::app::keys::Cmd;
use crate::app::view::{boxed, BoxView, Ctx, Env, KeyHelp, Outcome};
use crate::aws::athena::QueryExecution;
use crate::clients::Clients;
use crate::kinds::{Kind, Opened};
use crate::theme::Theme;
use crate::ui::format::{elapsed, epoch, first_line, human_size, when, Clock};
use crate::views::document::{DocLine, DocumentView};
use crate::views::table::{Column, PageSink, Resource, TableView};

pub const KIND: Kind = Kind {
    name: "athena",
    aliases: &["queries", "aq"],
    about: "recent Athena queries of a workgroup",
    argument: Some("workgroup"),
    open,
};

/// Executions listed (Athena keeps 45 days of them).
pub const RECENT: usize = 100;

fn open(argument: Option<&str>, _: &Env) -> Result<Opened, String> {
    Ok(Opened::View(view(argument.unwrap_or("primary"))))
}

pub fn view(workgroup: &str) -> BoxView {
    boxed(TableView::new(Queries::new(workgroup)))
}

pub struct Queries {
    workgroup: String,
    clock: Clock,
}

impl Queries {
    pub fn new(workgroup: &str) -> Self {
        Self {
            workgroup: workgroup.to_owned(),
            clock: Clock::default(),
        }
    }

    /// Durations of running queries are measured to `now` (snapshot tests).
    pub fn at(mut self, now: DateTime<Utc>) -> Self {
        self.clock = Clock::fixed(now);
        self
    }
}

fn seconds(this: &Queries, q: &QueryExecution) -> Option<i64> {
    q.duration(this.clock.now()).map(|d| d.num_seconds().max(0))
}

impl Resource for Queries {
    type Item = QueryExecution;

    fn title(&self) -> String {
        format!("athena queries {}", self.workgroup)
    }

    fn columns(&self) -> Vec<Column<Self>> {
        vec![
            Column::new(
                "QUERY ID",
                Constraint::Length(36),
                |_, q: &QueryExecution| q.id.clone(),
            ),
            Column::new("STATE", Constraint::Length(9), |_, q: &QueryExecution| {
                q.state.clone()
            }),
            Column::new(
                "SUBMITTED",
                Constraint::Length(19),
                |_, q: &QueryExecution| when(q.submitted),
            )
            .by_number(|_, q: &QueryExecution| epoch(q.submitted)),
            Column::new(
                "DURATION",
                Constraint::Length(8),
                |this, q: &QueryExecution| {
                    seconds(this, q).map_or_else(String::new, |s| elapsed(s as u64))
                },
            )
            .by_number(|this, q: &QueryExecution| seconds(this, q).map_or(-1.0, |s| s as f64)),
            Column::new(
                "SCANNED",
                Constraint::Length(10),
                |_, q: &QueryExecution| q.scanned_bytes.map(human_size).unwrap_or_default(),
            )
            .by_number(|_, q: &QueryExecution| q.scanned_bytes.map_or(-1.0, |b| b as f64)),
            Column::new(
                "DATABASE",
                Constraint::Length(14),
                |_, q: &QueryExecution| q.database.clone().unwrap_or_default(),
            ),
            Column::new("QUERY", Constraint::Min(30), |_, q: &QueryExecution| {
                q.query.split_whitespace().collect::<Vec<_>>().join(" ")
            }),
            Column::new(
                "ERROR",
                Constraint::Min(20),
                |_, q: &QueryExecution| match q.state.as_str() {
                    "FAILED" | "CANCELLED" => first_line(q.reason.as_deref()),
                    _ => String::new(),
                },
            ),
        ]
    }

    fn identity(&self, q: &QueryExecution) -> String {
        q.id.clone()
    }

    fn fetch(
        &self,
        clients: Option<Arc<Clients>>,
        sink: PageSink<QueryExecution>,
    ) -> BoxFuture<'static, ()> {
        let workgroup = self.workgroup.clone();
        sink.all(clients, move |c| async move {
            c.athena.recent_queries(&workgroup, RECENT).await
        })
    }

    fn on_cmd(&mut self, cmd: Cmd, selected: Option<&QueryExecution>, _: &mut Ctx) -> Outcome {
        match (cmd, selected) {
            (Cmd::Enter | Cmd::Detail, Some(q)) => Outcome::Push(boxed(DocumentView::ready(
                format!("query {}", q.id),
                detail(q),
            ))),
            (Cmd::Enter | Cmd::Detail, None) => Outcome::Flash(Err("select a query first".into())),
            _ => Outcome::Ignored,
        }
    }

    fn keys(&self) -> Vec<KeyHelp> {
        vec![KeyHelp::new(
            Cmd::Enter,
            "the whole query, its error, output and data scanned",
        )]
    }

    fn row_style(&self, q: &QueryExecution, theme: &Theme) -> Option<Style> {
        match q.state.as_str() {
            "QUEUED" => Some(theme.state_pending),
            "RUNNING" => Some(theme.state_running),
            "SUCCEEDED" => Some(theme.state_success),
            "FAILED" => Some(theme.state_failed),
            "CANCELLED" => Some(theme.muted),
            _ => None,
        }
    }
}

/// One execution as a document: what ran, how it ended, where its result is.
fn detail(q: &QueryExecution) -> Vec<DocLine> {
    let field =
        |k: &str, v: String| DocLine::Field(k.into(), if v.is_empty() { "-".into() } else { v });
    let mut lines = vec![
        DocLine::Section("Execution".into()),
        field("Id", q.id.clone()),
        field("State", q.state.clone()),
        field("Workgroup", q.workgroup.clone().unwrap_or_default()),
        field("Database", q.database.clone().unwrap_or_default()),
        field("Submitted", when(q.submitted)),
        field("Completed", when(q.completed)),
        field(
            "Scanned",
            q.scanned_bytes.map(human_size).unwrap_or_default(),
        ),
        field("Output", q.output_location.clone().unwrap_or_default()),
    ];
    if let Some(reason) = &q.reason {
        lines.push(DocLine::Section("Reason".into()));
        lines.extend(reason.lines().map(|l| DocLine::Text(l.to_owned())));
    }
    lines.push(DocLine::Section("Query".into()));
    lines.extend(q.query.lines().map(|l| DocLine::Text(l.to_owned())));
    lines
}
