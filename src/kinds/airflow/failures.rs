//! `:failures [env]` (`:failed`): what is failing, first. Failed runs and failed task
//! instances across every DAG of the environment, newest first. `enter` opens the run's tasks
//! with the failed task selected, `L` the failed task's log directly.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use futures::stream::{self, StreamExt};

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use ratatui::layout::Constraint;
use ratatui::style::Style;

use super::actions::Target;
use super::format::{env_suffix, epoch, list_from, not_connected, row_style, task_label, when};
use super::links::{self, Resolved};
use super::task_logs;
use super::tasks::{RunRef, TasksScreen};
use crate::airflow::{DagRun, RunQuery, State, TaskInstance};
use crate::app::keys::Cmd;
use crate::app::view::{boxed, BoxView, Ctx, Env, KeyHelp, Outcome};
use crate::clients::Clients;
use crate::kinds::{Kind, Opened};
use crate::sanitize;
use crate::theme::Theme;
use crate::views::table::{Column, PageSink, Resource, TableView};

pub const KIND: Kind = Kind {
    name: "failures",
    aliases: &["failed"],
    about: "failed Airflow runs and tasks, newest first",
    argument: Some("environment"),
    open,
};

/// How many failed runs and failed task instances are asked for.
pub const LIMIT: usize = 100;

fn open(argument: Option<&str>, _: &Env) -> Result<Opened, String> {
    Ok(Opened::View(view(argument.map(str::to_owned))))
}

pub fn view(env: Option<String>) -> BoxView {
    boxed(TableView::new(Failures::new(env)))
}

/// A failed run or a failed task instance.
#[derive(serde::Serialize, Debug, Clone, PartialEq)]
pub enum Failure {
    Run(DagRun),
    Task(TaskInstance),
}

impl Failure {
    /// When it failed (or, missing that, when it started).
    pub fn at(&self) -> Option<DateTime<Utc>> {
        match self {
            Failure::Run(r) => r.end_date.or(r.start_date).or(r.run_after),
            Failure::Task(t) => t.end_date.or(t.start_date),
        }
    }

    fn dag_id(&self) -> &str {
        match self {
            Failure::Run(r) => &r.dag_id,
            Failure::Task(t) => &t.key.dag_id,
        }
    }

    fn run_id(&self) -> &str {
        match self {
            Failure::Run(r) => &r.run_id,
            Failure::Task(t) => &t.key.run_id,
        }
    }

    fn state(&self) -> &State {
        match self {
            Failure::Run(r) => &r.state,
            Failure::Task(t) => &t.state,
        }
    }
}

/// Runs and tasks merged, newest first; within the same moment a task comes before its run
/// (the task is what to look at).
pub fn newest_first(runs: Vec<DagRun>, tasks: Vec<TaskInstance>) -> Vec<Failure> {
    let mut all: Vec<Failure> = tasks
        .into_iter()
        .map(Failure::Task)
        .chain(runs.into_iter().map(Failure::Run))
        .collect();
    all.sort_by_key(|f| std::cmp::Reverse(f.at()));
    all
}

/// How many of the newest failed tasks get their error line looked up (each asks Airflow what
/// the task recorded and the AWS service what its resource says).
pub const ERRORS_LOOKED_UP: usize = 20;

pub struct Failures {
    pub env: Option<String>,
    /// The error line of failed tasks, by [`links::key`], filled by each fetch.
    errors: Arc<Mutex<HashMap<String, String>>>,
}

impl Failures {
    pub fn new(env: Option<String>) -> Self {
        Self {
            env,
            errors: Arc::default(),
        }
    }
}

/// The error lines of the newest failed tasks of `failures`: their AWS resource's first error.
async fn error_lines(
    clients: Arc<Clients>,
    env: Option<String>,
    failures: &[Failure],
) -> HashMap<String, String> {
    let tasks: Vec<TaskInstance> = failures
        .iter()
        .filter_map(|f| match f {
            Failure::Task(t) => Some(t.clone()),
            Failure::Run(_) => None,
        })
        .take(ERRORS_LOOKED_UP)
        .collect();
    stream::iter(tasks)
        .map(|ti| links::resolve_one(Arc::clone(&clients), env.clone(), ti))
        .buffered(4)
        .filter_map(|(key, resolved)| async move {
            match resolved {
                Resolved::Link(link) => link.first_error.map(|e| (key, e)),
                Resolved::Unreadable(e) => Some((key, format!("? {e}"))),
                _ => None,
            }
        })
        .collect()
        .await
}

impl Resource for Failures {
    type Item = Failure;

    fn title(&self) -> String {
        format!("failures{}", env_suffix(&self.env))
    }

    fn columns(&self) -> Vec<Column<Self>> {
        vec![
            Column::new("WHEN", Constraint::Length(19), |_, f: &Failure| {
                when(f.at())
            })
            .by_number(|_, f: &Failure| epoch(f.at())),
            Column::new("WHAT", Constraint::Length(4), |_, f: &Failure| match f {
                Failure::Run(_) => "run".into(),
                Failure::Task(_) => "task".into(),
            }),
            Column::new("DAG", Constraint::Min(16), |_, f: &Failure| {
                f.dag_id().to_owned()
            }),
            Column::new("RUN", Constraint::Min(36), |_, f: &Failure| {
                f.run_id().to_owned()
            }),
            Column::new("TASK", Constraint::Min(16), |_, f: &Failure| match f {
                Failure::Task(t) => task_label(t),
                Failure::Run(_) => String::new(),
            }),
            Column::new("STATE", Constraint::Length(15), |_, f: &Failure| {
                f.state().to_string()
            }),
            Column::new("TRY", Constraint::Length(3), |_, f: &Failure| match f {
                Failure::Task(t) => t.try_number.to_string(),
                Failure::Run(_) => String::new(),
            }),
            Column::new(
                "ERROR",
                Constraint::Min(30),
                |this: &Self, f: &Failure| match f {
                    Failure::Task(t) => this
                        .errors
                        .lock()
                        .map(|e| e.get(&links::key(t)).cloned().unwrap_or_default())
                        .map(|e| sanitize::line(&e).into_owned())
                        .unwrap_or_default(),
                    Failure::Run(_) => String::new(),
                },
            ),
        ]
    }

    fn identity(&self, f: &Failure) -> String {
        match f {
            Failure::Run(r) => format!("{} {}", r.dag_id, r.run_id),
            Failure::Task(t) => format!("{} {} {}", t.key.dag_id, t.key.run_id, task_label(t)),
        }
    }

    fn fetch(
        &self,
        clients: Option<Arc<Clients>>,
        sink: PageSink<Failure>,
    ) -> BoxFuture<'static, ()> {
        let (env, errors) = (self.env.clone(), Arc::clone(&self.errors));
        let looked_up = clients.clone();
        list_from(sink, clients, self.env.clone(), |airflow| async move {
            let query = RunQuery {
                states: vec![State::Failed],
                limit: LIMIT,
                offset: 0,
            };
            let (runs, tasks) = futures::join!(
                airflow.dag_runs("~", &query),
                airflow.failed_task_instances(LIMIT)
            );
            let failures = newest_first(runs?.items, tasks?);
            if let Some(clients) = looked_up {
                let found = error_lines(clients, env, &failures).await;
                if let Ok(mut errors) = errors.lock() {
                    *errors = found;
                }
            }
            Ok(failures)
        })
    }

    fn on_cmd(&mut self, cmd: Cmd, selected: Option<&Failure>, cx: &mut Ctx) -> Outcome {
        match (cmd, selected) {
            (Cmd::Enter, Some(f)) => {
                let run = RunRef {
                    env: self.env.clone(),
                    dag_id: f.dag_id().to_owned(),
                    run_id: f.run_id().to_owned(),
                };
                let screen = TasksScreen::new(run);
                Outcome::Push(boxed(match f {
                    Failure::Task(t) => screen.selecting(&t.key.task_id),
                    Failure::Run(_) => screen.selecting_first_failure(),
                }))
            }
            (Cmd::Logs, Some(Failure::Task(t))) => match Target::of(cx, &self.env) {
                Some(target) => task_logs::open(cx, target, t, None),
                None => not_connected(),
            },
            (Cmd::Logs, _) => {
                Outcome::Flash(Err("L opens a failed task's log: select a task row".into()))
            }
            _ => Outcome::Ignored,
        }
    }

    fn keys(&self) -> Vec<KeyHelp> {
        vec![
            KeyHelp::new(
                Cmd::Enter,
                "the run's tasks, the (first) failed one selected",
            ),
            KeyHelp::new(Cmd::Logs, "the failed task's log"),
        ]
    }

    fn row_style(&self, f: &Failure, theme: &Theme) -> Option<Style> {
        row_style(f.state(), theme)
    }
}
