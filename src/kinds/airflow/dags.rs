//! `:dags [env]` (`:dag`): the DAGs of an Airflow environment with paused, schedule, tags,
//! owners, the last run's state (coloured) and the next run. `space` pauses or unpauses, `t`
//! triggers with a conf, `enter` opens the runs, `i` … see `:importerrors` for broken files.

use std::sync::{Arc, Mutex};

use futures::future::BoxFuture;
use ratatui::layout::Constraint;
use ratatui::style::Style;

use super::actions::{self, Target, TriggerOf};
use super::format::{connect, env_suffix, epoch, not_connected, row_style, when};
use super::import_errors;
use super::runs as airflow_runs;
use crate::airflow::Dag;
use crate::app::keys::Cmd;
use crate::app::view::{boxed, BoxView, Ctx, Env, KeyHelp, Outcome};
use crate::clients::Clients;
use crate::kinds::{Kind, Opened};
use crate::theme::Theme;
use crate::views::table::{Column, PageSink, Resource, TableView};

pub const KIND: Kind = Kind {
    name: "dags",
    aliases: &["dag"],
    about: "DAGs of an Airflow environment",
    argument: Some("environment"),
    open,
};

fn open(argument: Option<&str>, _: &Env) -> Result<Opened, String> {
    Ok(Opened::View(view(argument.map(str::to_owned))))
}

pub fn view(env: Option<String>) -> BoxView {
    boxed(TableView::new(Dags::new(env)))
}

pub struct Dags {
    env: Option<String>,
    /// The environment the listing reached (the default one when `env` is None), for the title.
    shown: Arc<Mutex<Option<String>>>,
}

impl Dags {
    pub fn new(env: Option<String>) -> Self {
        Self {
            env,
            shown: Arc::default(),
        }
    }
}

fn last_run_time(d: &Dag) -> Option<chrono::DateTime<chrono::Utc>> {
    d.last_run
        .as_ref()
        .and_then(|r| r.run_after.or(r.logical_date).or(r.start_date))
}

impl Resource for Dags {
    type Item = Dag;

    fn title(&self) -> String {
        let shown = self.shown.lock().unwrap().clone();
        format!("dags{}", env_suffix(&shown.or_else(|| self.env.clone())))
    }

    fn columns(&self) -> Vec<Column<Self>> {
        vec![
            Column::new("DAG", Constraint::Min(20), |_, d: &Dag| {
                if d.has_import_errors {
                    format!("{} ⚠", d.dag_id)
                } else {
                    d.dag_id.clone()
                }
            }),
            Column::new("PAUSED", Constraint::Length(6), |_, d: &Dag| {
                if d.is_paused { "yes" } else { "no" }.into()
            }),
            Column::new("SCHEDULE", Constraint::Min(14), |_, d: &Dag| {
                d.schedule.clone().unwrap_or_else(|| "-".into())
            }),
            Column::new("TAGS", Constraint::Min(10), |_, d: &Dag| d.tags.join(",")),
            Column::new("OWNERS", Constraint::Length(10), |_, d: &Dag| {
                d.owners.join(",")
            }),
            Column::new("LAST RUN", Constraint::Length(19), |_, d: &Dag| {
                when(last_run_time(d))
            })
            .by_number(|_, d: &Dag| epoch(last_run_time(d))),
            Column::new("LAST STATE", Constraint::Length(15), |_, d: &Dag| {
                d.last_run
                    .as_ref()
                    .map(|r| r.state.to_string())
                    .unwrap_or_default()
            }),
            Column::new("NEXT RUN", Constraint::Length(19), |_, d: &Dag| {
                when(d.next_run)
            })
            .by_number(|_, d: &Dag| epoch(d.next_run)),
        ]
    }

    fn identity(&self, d: &Dag) -> String {
        d.dag_id.clone()
    }

    /// The DAGs show as soon as they are listed; their last runs (one batch request per
    /// hundred DAGs) fill in after.
    fn fetch(&self, clients: Option<Arc<Clients>>, sink: PageSink<Dag>) -> BoxFuture<'static, ()> {
        let (env, shown) = (self.env.clone(), self.shown.clone());
        Box::pin(async move {
            let Some(clients) = clients else { return };
            let listed = match connect(&clients, env.as_deref()).await {
                Ok(airflow) => {
                    *shown.lock().unwrap() = Some(airflow.info().name.clone());
                    airflow.dags().await.map(|dags| (airflow, dags))
                }
                Err(e) => return sink.fail(e),
            };
            let (airflow, dags) = match listed {
                Ok(listed) => listed,
                Err(e) => return sink.fail(e),
            };
            if !sink.page(dags.clone()) {
                return;
            }
            match airflow.with_last_runs(dags).await {
                Ok(dags) => {
                    if sink.replace(dags) {
                        sink.done();
                    }
                }
                Err(e) => sink.fail(e),
            }
        })
    }

    fn on_cmd(&mut self, cmd: Cmd, selected: Option<&Dag>, cx: &mut Ctx) -> Outcome {
        if cmd == Cmd::Detail && selected.is_none_or(|d| d.has_import_errors) {
            return Outcome::Push(import_errors::view(self.env.clone()));
        }
        let Some(dag) = selected else {
            return match cmd {
                Cmd::Enter | Cmd::Pause | Cmd::Start => {
                    Outcome::Flash(Err("select a DAG first".into()))
                }
                _ => Outcome::Ignored,
            };
        };
        match cmd {
            Cmd::Enter => Outcome::Push(airflow_runs::view(self.env.clone(), &dag.dag_id)),
            Cmd::Pause | Cmd::Start => match Target::of(cx, &self.env) {
                Some(target) if cmd == Cmd::Pause => actions::toggle_pause(target, dag),
                Some(target) => actions::trigger(TriggerOf {
                    target,
                    dag_id: dag.dag_id.clone(),
                    paused: dag.is_paused,
                }),
                None => not_connected(),
            },
            _ => Outcome::Ignored,
        }
    }

    fn keys(&self) -> Vec<KeyHelp> {
        vec![
            KeyHelp::new(Cmd::Enter, "runs of the DAG"),
            KeyHelp::new(Cmd::Pause, "pause / unpause the DAG"),
            KeyHelp::new(Cmd::Start, "trigger a run with a conf (JSON object)"),
            KeyHelp::new(Cmd::Detail, "import errors (DAGs marked ⚠)"),
        ]
    }

    fn row_style(&self, d: &Dag, theme: &Theme) -> Option<Style> {
        match &d.last_run {
            Some(run) => row_style(&run.state, theme),
            None if d.is_paused => Some(theme.muted),
            None => None,
        }
    }
}
