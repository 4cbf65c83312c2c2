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
use crate::kinds::{web, Kind, Opened};
use crate::theme::Theme;
use crate::views::table::{Column, PageSink, Resource, TableView};

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

impl Resource for Environments {
    type Item = EnvironmentInfo;

    fn title(&self) -> String {
        "environments".into()
    }

    fn columns(&self) -> Vec<Column<Self>> {
        vec![
            Column::new("NAME", Constraint::Min(14), |_, e: &EnvironmentInfo| {
                e.name.clone()
            }),
            Column::new(
                "KIND",
                Constraint::Length(11),
                |_, e: &EnvironmentInfo| match e.kind {
                    EnvironmentKind::SelfHosted => "self-hosted".into(),
                    EnvironmentKind::Mwaa => "MWAA".into(),
                },
            ),
            Column::new(
                "STATUS",
                Constraint::Length(12),
                |_, e: &EnvironmentInfo| e.status.clone(),
            ),
            Column::new(
                "VERSION",
                Constraint::Length(8),
                |_, e: &EnvironmentInfo| e.airflow_version.clone().unwrap_or_default(),
            ),
            Column::new("URL", Constraint::Min(24), |_, e: &EnvironmentInfo| {
                e.url.clone().unwrap_or_default()
            }),
            Column::new(
                "UPDATED",
                Constraint::Length(19),
                |_, e: &EnvironmentInfo| when(e.last_update),
            )
            .by_number(|_, e: &EnvironmentInfo| epoch(e.last_update)),
            Column::new(
                "TASK LOGS",
                Constraint::Min(16),
                |_, e: &EnvironmentInfo| e.task_logs.clone().unwrap_or_else(|| "REST API".into()),
            ),
        ]
    }

    fn identity(&self, e: &EnvironmentInfo) -> String {
        e.name.clone()
    }

    fn web_url(&self, e: &EnvironmentInfo, _: &Env) -> Option<String> {
        e.url.as_deref().map(|url| web::airflow(url, ""))
    }

    fn fetch(
        &self,
        clients: Option<Arc<Clients>>,
        sink: PageSink<EnvironmentInfo>,
    ) -> BoxFuture<'static, ()> {
        sink.all(clients, |c| async move { c.airflow.list().await })
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
