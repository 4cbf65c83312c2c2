//! `:audit`: the audit trail of the action gate, newest first.

use std::sync::Arc;

use futures::future::BoxFuture;
use ratatui::layout::Constraint;
use ratatui::style::Style;

use crate::app::keys::Cmd;
use crate::app::view::{boxed, Ctx, Env, KeyHelp, Outcome as ViewOutcome};
use crate::clients::Clients;
use crate::gate::{AuditLog, AuditRecord, Outcome};
use crate::kinds::{Kind, Opened};
use crate::theme::Theme;
use crate::views::document::{DocLine, DocumentView};
use crate::views::table::{Column, PageSink, Resource, TableView};

pub const KIND: Kind = Kind {
    name: "audit",
    aliases: &["history"],
    about: "every action that went through the gate, newest first",
    argument: None,
    open,
};

fn open(_: Option<&str>, env: &Env) -> Result<Opened, String> {
    Ok(Opened::View(boxed(TableView::new(Audit {
        log: env.gate.audit_log().clone(),
    }))))
}

pub struct Audit {
    log: AuditLog,
}

impl Audit {
    pub fn new(log: AuditLog) -> Self {
        Self { log }
    }
}

impl Resource for Audit {
    type Item = AuditRecord;

    fn title(&self) -> String {
        format!("audit {}", self.log.path().display())
    }

    fn columns(&self) -> Vec<Column<Self>> {
        vec![
            Column::new("TIME", Constraint::Length(24), |_, r: &AuditRecord| {
                r.time.clone()
            }),
            Column::new("CONTEXT", Constraint::Length(12), |_, r: &AuditRecord| {
                r.context.clone()
            }),
            Column::new("ACTION", Constraint::Length(14), |_, r: &AuditRecord| {
                r.action.clone()
            }),
            Column::new("TARGET", Constraint::Min(24), |_, r: &AuditRecord| {
                r.target.clone()
            }),
            Column::new("OUTCOME", Constraint::Length(10), |_, r: &AuditRecord| {
                r.outcome.as_str().to_string()
            }),
            Column::new("DETAIL", Constraint::Min(16), |_, r: &AuditRecord| {
                r.detail.clone().unwrap_or_default()
            }),
        ]
    }

    fn identity(&self, r: &AuditRecord) -> String {
        format!("{}{}{}", r.time, r.action, r.target)
    }

    fn needs_clients(&self) -> bool {
        false
    }

    fn fetch(
        &self,
        _: Option<Arc<Clients>>,
        sink: PageSink<AuditRecord>,
    ) -> BoxFuture<'static, ()> {
        let log = self.log.clone();
        Box::pin(async move {
            match tokio::task::spawn_blocking(move || log.read_all()).await {
                Ok(Ok(mut records)) => {
                    records.reverse();
                    sink.page(records);
                    sink.done();
                }
                Ok(Err(e)) => sink.fail(format!("cannot read the audit log: {e}")),
                Err(e) => sink.fail(format!("audit reader stopped: {e}")),
            }
        })
    }

    fn on_cmd(&mut self, cmd: Cmd, selected: Option<&AuditRecord>, _: &mut Ctx) -> ViewOutcome {
        match (cmd, selected) {
            (Cmd::Enter | Cmd::Detail, Some(r)) => ViewOutcome::Push(boxed(DocumentView::ready(
                format!("audit record {}", r.time),
                record_lines(r),
            ))),
            (Cmd::Enter | Cmd::Detail, None) => {
                ViewOutcome::Flash(Err("select a record first".into()))
            }
            _ => ViewOutcome::Ignored,
        }
    }

    fn keys(&self) -> Vec<KeyHelp> {
        vec![KeyHelp::new(
            Cmd::Enter,
            "the whole record: target, outcome and detail",
        )]
    }

    fn row_style(&self, r: &AuditRecord, theme: &Theme) -> Option<Style> {
        match r.outcome {
            Outcome::Succeeded => Some(theme.ok),
            Outcome::Failed => Some(theme.error),
            Outcome::Refused | Outcome::Cancelled => Some(theme.warning),
            Outcome::Attempted => None,
        }
    }
}

/// One record whole: the target and the detail as text lines, however long.
fn record_lines(r: &AuditRecord) -> Vec<DocLine> {
    let mut lines = vec![
        DocLine::Section("Record".into()),
        DocLine::Field("Time".into(), r.time.clone()),
        DocLine::Field("Context".into(), r.context.clone()),
        DocLine::Field("Action".into(), r.action.clone()),
        DocLine::Field("Outcome".into(), format!("{:?}", r.outcome).to_lowercase()),
        DocLine::Section("Target".into()),
    ];
    lines.extend(r.target.lines().map(|l| DocLine::Text(l.to_owned())));
    if let Some(detail) = &r.detail {
        lines.push(DocLine::Section("Detail".into()));
        lines.extend(detail.lines().map(|l| DocLine::Text(l.to_owned())));
    }
    lines
}
