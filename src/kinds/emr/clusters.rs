//! `:clusters [all]` (`:emr`, `:cl`): EMR clusters, only active ones (starting to terminating)
//! unless `A` toggles to all. State colours, instance groups and hours per row; `d` detail,
//! `enter` the cluster's steps, `ctrl-t` terminate (asks first, naming the cluster).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use futures::future::BoxFuture;
use futures::StreamExt;
use ratatui::layout::Constraint;
use ratatui::style::Style;

use super::cluster_detail;
use super::format as emr_format;
use super::steps as emr_steps;
use crate::app::keys::Cmd;
use crate::app::view::{boxed, BoxView, Ctx, Env, KeyHelp, Outcome};
use crate::aws::emr::{Cluster, ClusterFilter};
use crate::clients::Clients;
use crate::gate::{catalog, ActionRequest};
use crate::kinds::{web, Kind, Opened};
use crate::theme::Theme;
use crate::ui::format;
use crate::views::table::{Column, PageSink, Resource, TableView};

pub const KIND: Kind = Kind {
    name: "clusters",
    aliases: &["emr", "cl"],
    about: "EMR clusters (active; A shows all)",
    argument: Some("all"),
    open,
};

/// Clusters described (release, instance groups, log URI) after each listing; older ones in
/// a long "all" list keep their summary.
const DESCRIBED_CLUSTERS: usize = 50;
/// States after which a cluster's detail no longer changes: described once, then remembered.
const FINAL_STATES: &[&str] = &["TERMINATED", "TERMINATED_WITH_ERRORS"];
/// DescribeCluster calls in flight at once.
const DESCRIBE_CONCURRENCY: usize = 4;

fn open(argument: Option<&str>, _: &Env) -> Result<Opened, String> {
    let filter = match argument {
        None | Some("active") => ClusterFilter::Active,
        Some("all") => ClusterFilter::All,
        Some(other) => return Err(format!("'{other}': try :clusters or :clusters all")),
    };
    Ok(Opened::View(view(filter)))
}

pub fn view(filter: ClusterFilter) -> BoxView {
    boxed(TableView::new(Clusters::new(filter)))
}

pub struct Clusters {
    filter: ClusterFilter,
    /// Opened by `A` from the other list: `A` again goes back to it instead of stacking.
    toggled: bool,
    /// Details of terminated clusters, which never change: each refresh describes only the
    /// clusters that can still change (EMR throttles DescribeCluster).
    finished: Arc<Mutex<HashMap<String, Cluster>>>,
}

impl Clusters {
    pub fn new(filter: ClusterFilter) -> Self {
        Self {
            filter,
            toggled: false,
            finished: Arc::default(),
        }
    }

    fn toggle(&self) -> Outcome {
        if self.toggled {
            return Outcome::Pop;
        }
        let other = match self.filter {
            ClusterFilter::Active => ClusterFilter::All,
            ClusterFilter::All => ClusterFilter::Active,
        };
        Outcome::Push(boxed(TableView::new(Clusters {
            filter: other,
            toggled: true,
            finished: self.finished.clone(),
        })))
    }
}

/// The terminate request; its target and details name the cluster by id and name.
pub fn terminate(cluster: &Cluster, clients: Arc<Clients>) -> ActionRequest {
    let (id, name) = (cluster.id.clone(), cluster.name.clone());
    let done = format!("terminating {id} ({name})");
    let target = format!("{id} ({name})");
    let mut request =
        ActionRequest::new(&catalog::EMR_TERMINATE_CLUSTER, target, move |approval| {
            Box::pin(async move {
                clients.emr.terminate_cluster(&approval, &id).await?;
                Ok(done)
            })
        })
        .with_detail(format!(
            "EMR cluster {} “{}”, now {}",
            cluster.id, cluster.name, cluster.state
        ))
        .with_detail("its pending and running steps are cancelled and its instances released");
    if !cluster.instance_groups.is_empty() {
        request = request.with_detail(format!("instances: {}", cluster.groups_summary()));
    }
    request
}

impl Resource for Clusters {
    type Item = Cluster;

    fn title(&self) -> String {
        match self.filter {
            ClusterFilter::Active => "clusters (active)".into(),
            ClusterFilter::All => "clusters (all)".into(),
        }
    }

    fn columns(&self) -> Vec<Column<Self>> {
        vec![
            Column::new("ID", Constraint::Length(15), |_, c: &Cluster| c.id.clone()),
            Column::new("NAME", Constraint::Min(18), |_, c: &Cluster| c.name.clone()),
            Column::new("STATE", Constraint::Length(22), |_, c: &Cluster| {
                c.state.clone()
            }),
            Column::new("RELEASE", Constraint::Length(10), |_, c: &Cluster| {
                c.release_label.clone().unwrap_or_default()
            }),
            Column::new("INSTANCES", Constraint::Length(38), |_, c: &Cluster| {
                c.groups_summary()
            }),
            Column::new("HOURS", Constraint::Length(6), |_, c: &Cluster| {
                c.normalized_instance_hours
                    .map(|h| h.to_string())
                    .unwrap_or_default()
            })
            .by_number(|_, c: &Cluster| c.normalized_instance_hours.unwrap_or(0) as f64),
            Column::new("CREATED", Constraint::Length(19), |_, c: &Cluster| {
                format::when(c.created)
            })
            .by_number(|_, c: &Cluster| format::epoch(c.created)),
            Column::new("REASON", Constraint::Min(20), |_, c: &Cluster| {
                c.state_reason.clone().unwrap_or_default()
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
            "emr",
            &format!("/clusterDetails/{id}"),
        ))
    }

    fn fetch(
        &self,
        clients: Option<Arc<Clients>>,
        sink: PageSink<Cluster>,
    ) -> BoxFuture<'static, ()> {
        let (filter, finished) = (self.filter, self.finished.clone());
        Box::pin(async move {
            let Some(clients) = clients else { return };
            let mut listed = Vec::new();
            let mut marker = None;
            loop {
                match clients.emr.list_clusters_page(filter, marker).await {
                    Ok(page) => {
                        listed.extend(page.clusters.iter().cloned());
                        if !sink.page(page.clusters) {
                            return;
                        }
                        marker = page.next_marker;
                        if marker.is_none() {
                            break;
                        }
                    }
                    Err(e) => return sink.fail(e),
                }
            }
            let (emr, finished) = (&clients.emr, &finished);
            let described: Vec<Cluster> = futures::stream::iter(listed.into_iter().enumerate())
                .map(|(i, summary)| async move {
                    if let Some(known) = finished.lock().unwrap().get(&summary.id) {
                        return known.clone();
                    }
                    if i >= DESCRIBED_CLUSTERS {
                        return summary;
                    }
                    let Ok(cluster) = emr.describe_cluster(&summary.id).await else {
                        return summary;
                    };
                    if FINAL_STATES.contains(&cluster.state.as_str()) {
                        finished
                            .lock()
                            .unwrap()
                            .insert(cluster.id.clone(), cluster.clone());
                    }
                    cluster
                })
                .buffered(DESCRIBE_CONCURRENCY)
                .collect()
                .await;
            sink.replace(described);
            sink.done();
        })
    }

    fn on_cmd(&mut self, cmd: Cmd, selected: Option<&Cluster>, cx: &mut Ctx) -> Outcome {
        match (cmd, selected) {
            (Cmd::ToggleAll, _) => self.toggle(),
            (Cmd::Enter, Some(c)) => Outcome::Push(emr_steps::view_of(c)),
            (Cmd::Detail, Some(c)) => Outcome::Push(cluster_detail::view(&c.id)),
            (Cmd::Terminate, Some(c)) if !c.is_active() => {
                Outcome::Flash(Err(format!("{} is already {}", c.id, c.state)))
            }
            (Cmd::Terminate, Some(c)) => match cx.clients() {
                Some(clients) => Outcome::Act(terminate(c, clients)),
                None => Outcome::Flash(Err("not connected yet".into())),
            },
            (Cmd::Detail | Cmd::Terminate, None) => {
                Outcome::Flash(Err("select a cluster first".into()))
            }
            _ => Outcome::Ignored,
        }
    }

    fn keys(&self) -> Vec<KeyHelp> {
        vec![
            KeyHelp::new(Cmd::Enter, "the cluster's steps"),
            KeyHelp::new(Cmd::Detail, "instance groups, log URI, hours, reason"),
            KeyHelp::new(Cmd::ToggleAll, "active clusters / all clusters"),
            KeyHelp::new(Cmd::Terminate, "terminate the cluster (asks first)"),
        ]
    }

    fn row_style(&self, c: &Cluster, theme: &Theme) -> Option<Style> {
        emr_format::state_style(&c.state, theme)
    }
}
