//! `:steps CLUSTER-ID` (`:st`, or `enter` on a cluster): the cluster's steps, newest first, with
//! state colours, timing and EMR's failure reason. `a` adds a spark-submit step, `ctrl-k`
//! cancels a pending or running step (asks first), `d` detail, `L` its logs from S3.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use ratatui::layout::Constraint;
use ratatui::style::Style;

use super::format as emr_format;
use super::step_detail;
use super::step_logs;
use crate::app::keys::Cmd;
use crate::app::view::{boxed, BoxView, Ctx, Env, KeyHelp, Outcome, Prompt};
use crate::aws::emr::{Cluster, SparkStep, Step};
use crate::clients::Clients;
use crate::gate::{catalog, ActionRequest};
use crate::kinds::{Kind, Opened};
use crate::theme::Theme;
use crate::ui::format::{self, Clock};
use crate::views::table::{Column, PageSink, Resource, TableView};

pub const KIND: Kind = Kind {
    name: "steps",
    aliases: &["st", "emr-steps"],
    about: "steps of an EMR cluster",
    argument: Some("cluster-id"),
    open,
};

fn open(argument: Option<&str>, _: &Env) -> Result<Opened, String> {
    match argument {
        Some(id) if id.starts_with("j-") => Ok(Opened::View(view(id))),
        Some(other) => Err(format!("'{other}' is not a cluster id (j-…)")),
        None => Err("which cluster? e.g. :steps j-2AXXXXXXGAPLF (or enter on :clusters)".into()),
    }
}

pub fn view(cluster_id: &str) -> BoxView {
    boxed(TableView::new(Steps::new(cluster_id)))
}

/// The steps of `cluster`, whose name and log URI are already known.
pub fn view_of(cluster: &Cluster) -> BoxView {
    boxed(TableView::new(Steps::of(cluster)))
}

pub struct Steps {
    cluster_id: String,
    /// Where the step logs are: from the cluster if it was described, else looked up by the
    /// first fetch.
    log_uri: Arc<Mutex<Option<String>>>,
    /// A fixed clock for durations of running steps (snapshot tests); `None` is now.
    clock: Clock,
}

impl Steps {
    pub fn new(cluster_id: &str) -> Self {
        Self {
            cluster_id: cluster_id.to_owned(),
            log_uri: Arc::new(Mutex::new(None)),
            clock: Clock::default(),
        }
    }

    pub fn of(cluster: &Cluster) -> Self {
        let steps = Self::new(&cluster.id);
        *steps.log_uri.lock().unwrap() = cluster.log_uri.clone();
        steps
    }

    /// Durations of running steps are measured to `now` instead of the clock.
    pub fn at(mut self, now: DateTime<Utc>) -> Self {
        self.clock = Clock::fixed(now);
        self
    }

    fn log_uri(&self) -> Option<String> {
        self.log_uri.lock().unwrap().clone()
    }

    fn add(&self, cx: &mut Ctx) -> Outcome {
        let Some(clients) = cx.clients() else {
            return Outcome::Flash(Err("not connected yet".into()));
        };
        let cluster_id = self.cluster_id.clone();
        Outcome::Ask(Prompt::new(
            format!("Add a spark-submit step to {cluster_id}: s3://bucket/script.py args…"),
            "",
            move |line| match SparkStep::parse(&line) {
                Ok(spark) => Outcome::Act(add_request(clients, &cluster_id, spark)),
                Err(e) => Outcome::Flash(Err(e)),
            },
        ))
    }

    fn cancel(&self, step: &Step, cx: &mut Ctx) -> Outcome {
        if !step.is_live() {
            return Outcome::Flash(Err(format!(
                "{} is {}: only pending or running steps can be cancelled",
                step.id, step.state
            )));
        }
        let Some(clients) = cx.clients() else {
            return Outcome::Flash(Err("not connected yet".into()));
        };
        let (cluster_id, step_id) = (self.cluster_id.clone(), step.id.clone());
        let done = format!("cancellation of {step_id} submitted");
        Outcome::Act(
            ActionRequest::new(
                &catalog::EMR_CANCEL_STEP,
                format!("{step_id} ({}) on {cluster_id}", step.name),
                move |approval| {
                    Box::pin(async move {
                        clients
                            .emr
                            .cancel_step(&approval, &cluster_id, &step_id)
                            .await?;
                        Ok(done)
                    })
                },
            )
            .with_detail(format!("the step is {}", step.state))
            .with_detail(step.command()),
        )
    }
}

/// The add-step request (no confirmation: adding a step is undone by cancelling it).
pub fn add_request(clients: Arc<Clients>, cluster_id: &str, spark: SparkStep) -> ActionRequest {
    let cluster = cluster_id.to_owned();
    let command = spark.command_runner_args().join(" ");
    ActionRequest::new(
        &catalog::EMR_ADD_STEP,
        format!("{} on {cluster}", spark.name()),
        move |approval| {
            Box::pin(async move {
                let id = clients
                    .emr
                    .add_spark_step(&approval, &cluster, &spark)
                    .await?;
                Ok(format!("added step {id} to {cluster}"))
            })
        },
    )
    .with_detail(command)
}

/// EMR's message when it found one in the logs, else its reason.
fn failure_text(s: &Step) -> String {
    let Some(f) = &s.failure else {
        return String::new();
    };
    f.message
        .as_deref()
        .filter(|m| !m.is_empty())
        .or(f.reason.as_deref())
        .unwrap_or_default()
        .to_owned()
}

impl Resource for Steps {
    type Item = Step;

    fn title(&self) -> String {
        format!("steps {}", self.cluster_id)
    }

    fn columns(&self) -> Vec<Column<Self>> {
        vec![
            Column::new("ID", Constraint::Length(15), |_, s: &Step| s.id.clone()),
            Column::new("NAME", Constraint::Min(20), |_, s: &Step| s.name.clone()),
            Column::new("STATE", Constraint::Length(14), |_, s: &Step| {
                s.state.clone()
            }),
            Column::new("STARTED", Constraint::Length(19), |_, s: &Step| {
                format::when(s.started)
            })
            .by_number(|_, s: &Step| format::epoch(s.started)),
            Column::new(
                "DURATION",
                Constraint::Length(8),
                |this: &Self, s: &Step| emr_format::duration(s.duration(this.clock.now())),
            )
            .by_number(|this: &Self, s: &Step| {
                s.duration(this.clock.now())
                    .map(|d| d.num_seconds() as f64)
                    .unwrap_or(-1.0)
            }),
            Column::new("ON FAILURE", Constraint::Length(17), |_, s: &Step| {
                s.action_on_failure.clone().unwrap_or_default()
            }),
            Column::new("FAILURE REASON", Constraint::Min(24), |_, s: &Step| {
                failure_text(s)
            }),
        ]
    }

    fn identity(&self, s: &Step) -> String {
        s.id.clone()
    }

    fn fetch(&self, clients: Option<Arc<Clients>>, sink: PageSink<Step>) -> BoxFuture<'static, ()> {
        let (cluster_id, log_uri) = (self.cluster_id.clone(), self.log_uri.clone());
        Box::pin(async move {
            let Some(clients) = clients else { return };
            if log_uri.lock().unwrap().is_none() {
                // For `L`: opened by id, the log URI is not known yet. Not fatal for the list.
                if let Ok(cluster) = clients.emr.describe_cluster(&cluster_id).await {
                    *log_uri.lock().unwrap() = cluster.log_uri;
                }
            }
            match clients.emr.list_steps(&cluster_id).await {
                Ok(steps) => {
                    sink.page(steps);
                    sink.done();
                }
                Err(e) => sink.fail(e),
            }
        })
    }

    fn on_cmd(&mut self, cmd: Cmd, selected: Option<&Step>, cx: &mut Ctx) -> Outcome {
        match (cmd, selected) {
            (Cmd::Add, _) => self.add(cx),
            (Cmd::Enter | Cmd::Detail, Some(s)) => {
                Outcome::Push(step_detail::view(&self.cluster_id, &s.id))
            }
            (Cmd::Stop, Some(s)) => self.cancel(s, cx),
            (Cmd::Logs, Some(s)) => match cx.clients() {
                Some(clients) => step_logs::ask(clients, &self.cluster_id, s, self.log_uri()),
                None => Outcome::Flash(Err("not connected yet".into())),
            },
            (Cmd::Detail | Cmd::Stop | Cmd::Logs, None) => {
                Outcome::Flash(Err("select a step first".into()))
            }
            _ => Outcome::Ignored,
        }
    }

    fn keys(&self) -> Vec<KeyHelp> {
        vec![
            KeyHelp::new(Cmd::Enter, "step detail: command, failure details"),
            KeyHelp::new(Cmd::Add, "add a spark-submit step (s3://…/script.py args)"),
            KeyHelp::new(Cmd::Stop, "cancel a pending or running step (asks first)"),
            KeyHelp::new(Cmd::Logs, "step log: stderr, stdout or controller"),
        ]
    }

    fn row_style(&self, s: &Step, theme: &Theme) -> Option<Style> {
        emr_format::state_style(&s.state, theme)
    }
}
