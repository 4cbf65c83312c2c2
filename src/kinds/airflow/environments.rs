//! `:environments` (`:envs`, `:mwaa`, `:airflow`): every Airflow environment of the context,
//! self-hosted servers from the config and MWAA environments of the account: status, version,
//! URL, last update and where task logs go. `enter` opens its DAGs.

use std::sync::Arc;

use futures::future::BoxFuture;
use ratatui::layout::Constraint;
use ratatui::style::Style;

use super::dags;
use super::format::{epoch, when};
use crate::airflow::{EnvironmentInfo, EnvironmentKind};
use crate::app::keys::Cmd;
use crate::app::view::{boxed, BoxView, Ctx, Env, KeyHelp, Outcome};
use crate::clients::Clients;
use crate::kinds::{Kind, Opened};
use crate::theme::Theme;
use crate::views::table::{Column, PageSink, Resource, SortValue, TableView};

pub const KIND: Kind = Kind {
    name: "environments",
    aliases: &["envs", "mwaa", "airflow"],
    about: "Airflow environments (self-hosted and MWAA)",
    argument: None,
    open,
};

fn open(_: Option<&str>, _: &Env) -> Result<Opened, String> {
    Ok(Opened::View(view()))
}

pub fn view() -> BoxView {
    boxed(TableView::new(Environments))
}

pub struct Environments;

static COLUMNS: &[Column] = &[
    Column::new("NAME", Constraint::Min(14)),
    Column::new("KIND", Constraint::Length(11)),
    Column::new("STATUS", Constraint::Length(12)),
    Column::new("VERSION", Constraint::Length(8)),
    Column::new("URL", Constraint::Min(24)),
    Column::new("UPDATED", Constraint::Length(19)),
    Column::new("TASK LOGS", Constraint::Min(16)),
];

impl Resource for Environments {
    type Item = EnvironmentInfo;

    fn title(&self) -> String {
        "environments".into()
    }

    fn columns(&self) -> &'static [Column] {
        COLUMNS
    }

    fn cell(&self, e: &EnvironmentInfo, column: usize) -> String {
        match column {
            0 => e.name.clone(),
            1 => match e.kind {
                EnvironmentKind::SelfHosted => "self-hosted".into(),
                EnvironmentKind::Mwaa => "MWAA".into(),
            },
            2 => e.status.clone(),
            3 => e.airflow_version.clone().unwrap_or_default(),
            4 => e.url.clone().unwrap_or_default(),
            5 => when(e.last_update),
            _ => e.task_logs.clone().unwrap_or_else(|| "REST API".into()),
        }
    }

    fn sort_value(&self, e: &EnvironmentInfo, column: usize) -> SortValue {
        match column {
            5 => SortValue::Number(epoch(e.last_update)),
            other => SortValue::Text(self.cell(e, other)),
        }
    }

    fn identity(&self, e: &EnvironmentInfo) -> String {
        e.name.clone()
    }

    fn fetch(
        &self,
        clients: Option<Arc<Clients>>,
        sink: PageSink<EnvironmentInfo>,
    ) -> BoxFuture<'static, ()> {
        Box::pin(async move {
            let Some(clients) = clients else { return };
            match clients.airflow.list().await {
                Ok(envs) => {
                    sink.page(envs);
                    sink.done();
                }
                Err(e) => sink.fail(e.to_string()),
            }
        })
    }

    fn on_cmd(&mut self, cmd: Cmd, selected: Option<&EnvironmentInfo>, _: &mut Ctx) -> Outcome {
        match (cmd, selected) {
            (Cmd::Enter, Some(e)) => Outcome::Push(dags::view(Some(e.name.clone()))),
            _ => Outcome::Ignored,
        }
    }

    fn keys(&self) -> Vec<KeyHelp> {
        vec![KeyHelp::new(Cmd::Enter, "the DAGs of the environment")]
    }

    fn row_style(&self, e: &EnvironmentInfo, theme: &Theme) -> Option<Style> {
        match e.status.as_str() {
            "AVAILABLE" | "configured" => None,
            s if s.ends_with("FAILED") || s == "UNAVAILABLE" => Some(theme.state_failed),
            _ => Some(theme.state_pending),
        }
    }
}
