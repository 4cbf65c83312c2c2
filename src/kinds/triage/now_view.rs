//! `:triage` (`:now`): what is failing now across every layer of the context, from
//! [`crate::triage::triage`]: failed and running DAG runs with their failing task and its
//! resolved root cause, failed Glue runs and crawls, failed EMR steps, failed SQL statements,
//! each with its error line and age, failing first. `enter` goes to the root cause
//! ([`super::root_cause`]), `L` the failing task's Airflow log, `c` clears it (dry run first,
//! through the gate), `R` as `enter`. `:pipeline` is the strip of prepare_data_nyc
//! ([`super::pipeline_view`]).

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use ratatui::layout::Constraint;
use ratatui::style::Style;

use super::root_cause;
use crate::airflow::{State, TaskInstance};
use crate::app::keys::Cmd;
use crate::app::view::{boxed, BoxView, Ctx, Env, KeyHelp, Outcome};
use crate::bounded::human_size;
use crate::clients::Clients;
use crate::config::Context;
use crate::kinds::airflow::actions::{self, Target};
use crate::kinds::airflow::task_logs;
use crate::kinds::{Kind, Opened};
use crate::sanitize;
use crate::theme::Theme;
use crate::triage::{self, Item, Pipeline, Scope, PIPELINE_DAG};
use crate::ui::format::{elapsed, epoch, not_connected, Clock};
use crate::views::table::{Column, PageSink, Resource, TableView};

pub const KIND: Kind = Kind {
    name: "triage",
    aliases: &["now", "pipeline"],
    about: "what is failing now in every layer (Airflow, Glue, EMR, SQL), with root causes",
    argument: None,
    open,
};

fn open(_: Option<&str>, env: &Env) -> Result<Opened, String> {
    Ok(Opened::View(view(&env.context)))
}

pub fn view(context: &Context) -> BoxView {
    boxed(TableView::new(TriageItems::new(context)))
}

/// The failing (and running) items of one context.
pub struct TriageItems {
    context: String,
    datalake_bucket: Option<String>,
    clock: Clock,
    /// The strip of prepare_data_nyc's latest run, from the last fetch (drawn in the title).
    pipeline: Arc<Mutex<Option<Pipeline>>>,
}

/// The pipeline strip in one line, one glyph per stage (the grid's legend):
/// `prepare_data_nyc latest run failed: ■■✖↑↑↑↑↑ · raw/ 12 (3.1 MiB, 2 new) …`.
pub fn strip_line(p: &Pipeline) -> String {
    let stages: String = p
        .stages
        .iter()
        .map(|s| crate::kinds::airflow::state_glyph(&State::from_api(Some(&s.state))))
        .collect();
    let layers: Vec<String> = p
        .layers
        .iter()
        .map(|l| {
            format!(
                "{}/ {} ({}, {} new)",
                // `s3://bucket/raw/` reads `raw/` (the bucket is the context's data lake).
                l.prefix
                    .trim_end_matches('/')
                    .rsplit('/')
                    .next()
                    .unwrap_or_default(),
                l.objects,
                human_size(l.bytes),
                l.written_in_run
            )
        })
        .collect();
    format!(
        "{} latest run {}: {stages} · {}",
        p.dag_id,
        p.run_state,
        layers.join(" ")
    )
}

impl TriageItems {
    pub fn new(context: &Context) -> Self {
        Self {
            context: context.name.clone(),
            datalake_bucket: context.datalake_bucket.clone(),
            clock: Clock::default(),
            pipeline: Arc::default(),
        }
    }

    pub fn at(mut self, now: DateTime<Utc>) -> Self {
        self.clock = Clock::fixed(now);
        self
    }
}

/// `3m`, `2h 05m`: how long ago `at` was.
pub fn age(at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    at.map(|at| elapsed((now - at).num_seconds().max(0) as u64))
        .unwrap_or_default()
}

/// The failing task of an Airflow item, as the task views act on it.
fn task_of(item: &Item) -> Option<(Option<String>, TaskInstance)> {
    let task = item.task.as_ref()?;
    let state = State::from_api(Some(&task.state));
    let ti = TaskInstance::new(task.key(), state, task.try_number);
    Some((item.environment.clone(), ti))
}

/// What is failing now; an error when nothing was found and a layer could not be read (an
/// empty list would lie).
fn read_now(
    clients: Arc<Clients>,
    context: String,
    bucket: Option<String>,
    pipeline: Arc<Mutex<Option<Pipeline>>>,
) -> BoxFuture<'static, Result<Vec<Item>, String>> {
    Box::pin(async move {
        let scope = Scope {
            context: &context,
            datalake_bucket: bucket.as_deref(),
            pipeline_dag: PIPELINE_DAG,
        };
        let found = triage::triage(&clients, &scope).await;
        if let Ok(mut strip) = pipeline.lock() {
            strip.clone_from(&found.pipeline);
        }
        match found.unread.first() {
            Some(unread) if found.items.is_empty() => {
                Err(format!("{}: {}", unread.layer.name(), unread.error))
            }
            _ => Ok(found.items),
        }
    })
}

impl Resource for TriageItems {
    type Item = Item;

    fn title(&self) -> String {
        let strip = self
            .pipeline
            .lock()
            .ok()
            .and_then(|p| p.as_ref().map(strip_line));
        match strip {
            Some(strip) => {
                sanitize::line(&format!("triage {} · {strip}", self.context)).into_owned()
            }
            None => format!("triage {}", self.context),
        }
    }

    fn columns(&self) -> Vec<Column<Self>> {
        vec![
            Column::new("LAYER", Constraint::Length(8), |_, i: &Item| {
                i.layer.name().to_owned()
            }),
            Column::new("WHAT", Constraint::Min(36), |_, i: &Item| {
                let env = i
                    .environment
                    .as_ref()
                    .map(|e| format!(" @{e}"))
                    .unwrap_or_default();
                sanitize::line(&format!("{}{env}", i.subject)).into_owned()
            }),
            Column::new("STATE", Constraint::Length(14), |_, i: &Item| {
                sanitize::line(&i.state).into_owned()
            }),
            Column::new("AGE", Constraint::Length(8), |this: &Self, i: &Item| {
                age(i.at, this.clock.now())
            })
            .by_number(|_, i: &Item| -epoch(i.at)),
            Column::new("ERROR / ROOT CAUSE", Constraint::Min(40), |_, i: &Item| {
                let link = i
                    .link
                    .as_ref()
                    .filter(|_| i.layer == triage::Layer::Airflow)
                    .map(|l| {
                        format!(
                            "→ {} {} ",
                            crate::kinds::airflow::links::short_name(&l.kind),
                            l.state.as_deref().unwrap_or("")
                        )
                    })
                    .unwrap_or_default();
                let error = i.error.as_deref().unwrap_or_default();
                sanitize::line(&format!("{link}{error}")).into_owned()
            }),
        ]
    }

    fn identity(&self, i: &Item) -> String {
        format!("{}|{}", i.layer.name(), i.subject)
    }

    fn fetch(&self, clients: Option<Arc<Clients>>, sink: PageSink<Item>) -> BoxFuture<'static, ()> {
        let (context, bucket) = (self.context.clone(), self.datalake_bucket.clone());
        let pipeline = Arc::clone(&self.pipeline);
        sink.all(clients, move |clients| {
            read_now(clients, context, bucket, pipeline)
        })
    }

    fn on_cmd(&mut self, cmd: Cmd, selected: Option<&Item>, cx: &mut Ctx) -> Outcome {
        let acts = matches!(cmd, Cmd::Enter | Cmd::RootCause | Cmd::Logs | Cmd::Clear);
        if !acts {
            return Outcome::Ignored;
        }
        let Some(item) = selected else {
            return Outcome::Flash(Err("nothing selected".into()));
        };
        let Some(clients) = cx.clients() else {
            return not_connected();
        };
        match cmd {
            Cmd::Enter | Cmd::RootCause => match &item.link {
                Some(link) => root_cause::open(link, clients, cx, cx.env.log_line_cap),
                None => match task_of(item) {
                    Some((env, ti)) => task_logs::open(cx, Target { clients, env }, &ti, None),
                    None => Outcome::Flash(Err("no root cause known for this one".into())),
                },
            },
            _ => match task_of(item) {
                Some((env, ti)) => {
                    let target = Target { clients, env };
                    if cmd == Cmd::Logs {
                        task_logs::open(cx, target, &ti, None)
                    } else {
                        actions::clear_task(target, &ti)
                    }
                }
                None => Outcome::Flash(Err(format!(
                    "{} is not an Airflow task: rerun it in its own view (enter)",
                    item.layer.name()
                ))),
            },
        }
    }

    fn keys(&self) -> Vec<KeyHelp> {
        vec![
            KeyHelp::new(
                Cmd::Enter,
                "the root cause: the AWS run and its error log (R too)",
            ),
            KeyHelp::new(Cmd::Logs, "the failing task's Airflow log"),
            KeyHelp::new(
                Cmd::Clear,
                "clear (rerun) the failing task, dry run first (asks)",
            ),
        ]
    }

    fn row_style(&self, i: &Item, theme: &Theme) -> Option<Style> {
        i.failing.then_some(theme.state_failed)
    }
}
