//! `:redshift` (`:rs`, `:warehouse`): provisioned Redshift clusters with status colours, nodes,
//! endpoint and database. `t` resumes a paused cluster, `ctrl-k` pauses an available one (asks
//! first), `enter` opens the cluster's SQL view.

use std::sync::Arc;

use futures::future::BoxFuture;
use ratatui::layout::Constraint;
use ratatui::style::Style;

use super::sql;
use crate::app::keys::Cmd;
use crate::app::view::{boxed, BoxView, Ctx, Env, KeyHelp, Outcome};
use crate::aws::redshift::Cluster;
use crate::clients::Clients;
use crate::gate::{catalog, ActionRequest};
use crate::kinds::{web, Kind, Opened};
use crate::theme::Theme;
use crate::views::table::{Column, PageSink, Resource, TableView};

pub const KIND: Kind = Kind {
    name: "redshift",
    aliases: &["rs", "warehouse"],
    about: "Redshift clusters (t resume, ctrl-k pause, enter SQL)",
    argument: None,
    open,
};

fn open(argument: Option<&str>, _: &Env) -> Result<Opened, String> {
    match argument {
        None => Ok(Opened::View(view())),
        Some(other) => Err(format!("'{other}': :redshift takes no argument")),
    }
}

pub fn view() -> BoxView {
    boxed(TableView::new(Clusters))
}

pub struct Clusters;

/// The colour of a cluster status.
pub fn status_style(status: &str, theme: &Theme) -> Option<Style> {
    match status {
        "available" => Some(theme.state_success),
        "pausing" | "resuming" | "creating" | "modifying" | "rebooting" | "resizing" => {
            Some(theme.state_pending)
        }
        "paused" => Some(theme.muted),
        "incompatible-network" | "incompatible-hsm" | "hardware-failure" | "storage-full" => {
            Some(theme.state_failed)
        }
        _ => None,
    }
}

/// Pause (`pause == true`) or resume `cluster` through the gate.
fn pause_or_resume(cluster: &Cluster, pause: bool, clients: Arc<Clients>) -> ActionRequest {
    let id = cluster.id.clone();
    let spec = if pause {
        &catalog::REDSHIFT_PAUSE_CLUSTER
    } else {
        &catalog::REDSHIFT_RESUME_CLUSTER
    };
    let detail = format!(
        "Redshift cluster {} ({} × {}), now {}",
        cluster.id, cluster.nodes, cluster.node_type, cluster.status
    );
    let request = ActionRequest::new(spec, id.clone(), move |approval| {
        Box::pin(async move {
            let redshift = &clients.redshift;
            let status = if pause {
                redshift.pause_cluster(&approval, &id).await
            } else {
                redshift.resume_cluster(&approval, &id).await
            }?;
            Ok(format!("{id} is {status}"))
        })
    })
    .with_detail(detail);
    if pause {
        request.with_detail("running statements fail and SQL is refused until it is resumed")
    } else {
        request
    }
}

impl Clusters {
    fn act(&self, cluster: &Cluster, pause: bool, cx: &mut Ctx) -> Outcome {
        let wanted = if pause { "available" } else { "paused" };
        if cluster.status != wanted {
            let verb = if pause { "paused" } else { "resumed" };
            return Outcome::Flash(Err(format!(
                "{} is {}: only a {wanted} cluster can be {verb}",
                cluster.id, cluster.status
            )));
        }
        match cx.clients() {
            Some(clients) => Outcome::Act(pause_or_resume(cluster, pause, clients)),
            None => Outcome::Flash(Err("not connected yet".into())),
        }
    }
}

impl Resource for Clusters {
    type Item = Cluster;

    fn title(&self) -> String {
        "redshift clusters".into()
    }

    fn columns(&self) -> Vec<Column<Self>> {
        vec![
            Column::new("ID", Constraint::Min(24), |_, c: &Cluster| c.id.clone()),
            Column::new("STATUS", Constraint::Length(10), |_, c: &Cluster| {
                c.status.clone()
            }),
            Column::new("NODE TYPE", Constraint::Length(12), |_, c: &Cluster| {
                c.node_type.clone()
            }),
            Column::new("NODES", Constraint::Length(5), |_, c: &Cluster| {
                c.nodes.to_string()
            })
            .by_number(|_, c: &Cluster| c.nodes as f64),
            Column::new("ENDPOINT", Constraint::Min(30), |_, c: &Cluster| {
                c.endpoint.clone().unwrap_or_default()
            }),
            Column::new("DATABASE", Constraint::Length(12), |_, c: &Cluster| {
                c.database.clone()
            }),
            Column::new("MASTER USER", Constraint::Length(16), |_, c: &Cluster| {
                c.master_user.clone()
            }),
        ]
    }

    fn identity(&self, c: &Cluster) -> String {
        c.id.clone()
    }

    fn web_url(&self, c: &Cluster, env: &Env) -> Option<String> {
        let id = web::encode(&c.id);
        Some(web::console_fragment(
            env,
            "redshiftv2",
            &format!("/cluster-details?cluster={id}"),
        ))
    }

    fn fetch(
        &self,
        clients: Option<Arc<Clients>>,
        sink: PageSink<Cluster>,
    ) -> BoxFuture<'static, ()> {
        sink.all(clients, |c| async move { c.redshift.list_clusters().await })
    }

    fn on_cmd(&mut self, cmd: Cmd, selected: Option<&Cluster>, cx: &mut Ctx) -> Outcome {
        match (cmd, selected) {
            (Cmd::Enter, Some(c)) => Outcome::Push(sql::view_of(c)),
            (Cmd::Start, Some(c)) => self.act(c, false, cx),
            (Cmd::Stop, Some(c)) => self.act(c, true, cx),
            (Cmd::Start | Cmd::Stop, None) => Outcome::Flash(Err("select a cluster first".into())),
            _ => Outcome::Ignored,
        }
    }

    fn keys(&self) -> Vec<KeyHelp> {
        vec![
            KeyHelp::new(Cmd::Enter, "SQL on the cluster: statement history, run SQL"),
            KeyHelp::new(Cmd::Start, "resume a paused cluster"),
            KeyHelp::new(Cmd::Stop, "pause an available cluster (asks first)"),
        ]
    }

    fn row_style(&self, c: &Cluster, theme: &Theme) -> Option<Style> {
        status_style(&c.status, theme)
    }
}
