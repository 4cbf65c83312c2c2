//! `:gluejobs` (`:gj`, `:jobs`): Glue jobs with their latest run. Enter lists a job's runs,
//! `d` shows the job, `t` starts a run with the defaults, `e` starts one with edited
//! arguments, `L` opens the latest run's logs.

use std::sync::Arc;

use chrono::Utc;
use futures::future::BoxFuture;
use ratatui::layout::Constraint;
use ratatui::style::Style;

use super::format::{duration, epoch, first_line, run_style, when};
use super::job_detail;
use super::job_runs;
use super::run_actions;
use super::run_args::Arguments;
use super::run_logs;
use crate::app::keys::Cmd;
use crate::app::view::{boxed, BoxView, Ctx, Env, KeyHelp, Outcome};
use crate::aws::glue::Job;
use crate::clients::Clients;
use crate::kinds::{web, Kind, Opened};
use crate::theme::Theme;
use crate::views::table::{Column, PageSink, Resource, TableView};

pub const KIND: Kind = Kind {
    name: "gluejobs",
    aliases: &["gj", "jobs", "gluejob"],
    about: "Glue jobs and their latest run",
    argument: None,
    open,
};

fn open(_: Option<&str>, _: &Env) -> Result<Opened, String> {
    Ok(Opened::View(view()))
}

pub fn view() -> BoxView {
    boxed(TableView::new(Jobs))
}

pub struct Jobs;

impl Resource for Jobs {
    type Item = Job;

    fn title(&self) -> String {
        "glue jobs".into()
    }

    fn columns(&self) -> Vec<Column<Self>> {
        vec![
            Column::new("NAME", Constraint::Min(24), |_, j: &Job| j.name.clone()),
            Column::new("LAST RUN", Constraint::Length(10), |_, j: &Job| {
                j.last_run
                    .as_ref()
                    .map(|r| r.state.clone())
                    .unwrap_or_default()
            }),
            Column::new("STARTED", Constraint::Length(19), |_, j: &Job| {
                when(j.last_run.as_ref().and_then(|r| r.started))
            })
            .by_number(|_, j: &Job| epoch(j.last_run.as_ref().and_then(|r| r.started))),
            Column::new("DURATION", Constraint::Length(8), |_, j: &Job| {
                duration(j.last_run.as_ref().and_then(|r| r.duration(Utc::now())))
            }),
            Column::new("GLUE", Constraint::Length(4), |_, j: &Job| {
                j.glue_version.clone().unwrap_or_default()
            }),
            Column::new("WORKERS", Constraint::Length(9), |_, j: &Job| {
                match (&j.worker_type, j.number_of_workers) {
                    (Some(t), Some(n)) => format!("{n}×{t}"),
                    (Some(t), None) => t.clone(),
                    _ => String::new(),
                }
            }),
            Column::new("ERROR", Constraint::Min(20), |_, j: &Job| {
                first_line(j.last_run.as_ref().and_then(|r| r.error.as_deref()))
            }),
        ]
    }

    fn identity(&self, j: &Job) -> String {
        j.name.clone()
    }

    fn web_url(&self, j: &Job, env: &Env) -> Option<String> {
        let name = web::encode(&j.name);
        Some(web::console_fragment(
            env,
            "gluestudio",
            &format!("/editor/job/{name}/details"),
        ))
    }

    fn fetch(&self, clients: Option<Arc<Clients>>, sink: PageSink<Job>) -> BoxFuture<'static, ()> {
        Box::pin(async move {
            let Some(clients) = clients else { return };
            let jobs = match clients.glue.jobs().await {
                Ok(jobs) => jobs,
                Err(e) => return sink.fail(e),
            };
            if !sink.page(jobs.clone()) {
                return;
            }
            match clients.glue.with_latest_runs(jobs).await {
                Ok(jobs) => {
                    sink.replace(jobs);
                    sink.done();
                }
                Err(e) => sink.fail(e),
            }
        })
    }

    fn on_cmd(&mut self, cmd: Cmd, selected: Option<&Job>, cx: &mut Ctx) -> Outcome {
        let Some(j) = selected else {
            return match cmd {
                Cmd::Detail | Cmd::Start | Cmd::Edit | Cmd::Logs => {
                    Outcome::Flash(Err("select a job first".into()))
                }
                _ => Outcome::Ignored,
            };
        };
        match cmd {
            Cmd::Enter => Outcome::Push(job_runs::view(&j.name)),
            Cmd::Detail => Outcome::Push(job_detail::job_view(&j.name)),
            Cmd::Start => run_actions::start(cx, &j.name, Arguments::new()),
            Cmd::Edit => run_actions::edit_then_start(cx, &j.name, &j.default_arguments),
            Cmd::Logs => match &j.last_run {
                Some(run) => run_logs::choose(cx, run),
                None => Outcome::Flash(Err(format!("{} has no runs yet", j.name))),
            },
            _ => Outcome::Ignored,
        }
    }

    fn keys(&self) -> Vec<KeyHelp> {
        vec![
            KeyHelp::new(Cmd::Enter, "run history of the job"),
            KeyHelp::new(Cmd::Detail, "script, version, workers, default arguments"),
            KeyHelp::new(Cmd::Start, "start a run with the default arguments"),
            KeyHelp::new(Cmd::Edit, "start a run with edited arguments"),
            KeyHelp::new(Cmd::Logs, "logs of the latest run"),
        ]
    }

    fn row_style(&self, j: &Job, theme: &Theme) -> Option<Style> {
        j.last_run.as_ref().map(|r| run_style(r.run_state(), theme))
    }
}
