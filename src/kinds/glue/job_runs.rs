//! `:gluejobruns JOB` (`:gjr`): the run history of a Glue job, newest first, coloured by state
//! with the error message. `d` run detail, `e` rerun with edited arguments, `t` start a run,
//! `ctrl-k` stop a running run (asks first), `L` the run's logs.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use ratatui::layout::Constraint;
use ratatui::style::Style;

use super::format::{duration, epoch, first_line, run_style, when};
use super::job_detail;
use super::run_actions;
use super::run_args::Arguments;
use super::run_logs;
use crate::app::keys::Cmd;
use crate::app::view::{boxed, BoxView, Ctx, Env, KeyHelp, Outcome};
use crate::aws::glue::JobRun;
use crate::clients::Clients;
use crate::kinds::{Kind, Opened};
use crate::theme::Theme;
use crate::ui::format::Clock;
use crate::views::table::{Column, PageSink, Resource, TableView};

pub const KIND: Kind = Kind {
    name: "gluejobruns",
    aliases: &["gjr", "jobruns"],
    about: "runs of a Glue job",
    argument: Some("job"),
    open,
};

fn open(argument: Option<&str>, _: &Env) -> Result<Opened, String> {
    let job = argument.ok_or(
        "which job? type :gluejobruns JOB-NAME (:gj lists the jobs; enter on one opens its runs)",
    )?;
    Ok(Opened::View(view(job)))
}

pub fn view(job: &str) -> BoxView {
    boxed(TableView::new(JobRuns::new(job)))
}

pub struct JobRuns {
    job: String,
    /// Fixed "now" for durations of running runs (tests); the clock otherwise.
    clock: Clock,
}

impl JobRuns {
    pub fn new(job: &str) -> Self {
        Self {
            job: job.to_string(),
            clock: Clock::default(),
        }
    }

    pub fn at(mut self, now: DateTime<Utc>) -> Self {
        self.clock = Clock::fixed(now);
        self
    }
}

impl Resource for JobRuns {
    type Item = JobRun;

    fn title(&self) -> String {
        format!("runs {}", self.job)
    }

    fn columns(&self) -> Vec<Column<Self>> {
        vec![
            Column::new("RUN ID", Constraint::Length(16), |_, r: &JobRun| {
                r.id.clone()
            }),
            Column::new("STATE", Constraint::Length(9), |_, r: &JobRun| {
                r.state.clone()
            }),
            Column::new("STARTED", Constraint::Length(19), |_, r: &JobRun| {
                when(r.started)
            })
            .by_number(|_, r: &JobRun| epoch(r.started)),
            Column::new(
                "DURATION",
                Constraint::Length(8),
                |this: &Self, r: &JobRun| duration(r.duration(this.clock.now())),
            )
            .by_number(|this: &Self, r: &JobRun| {
                r.duration(this.clock.now())
                    .map_or(-1.0, |d| d.as_secs_f64())
            }),
            Column::new("EXEC TIME", Constraint::Length(9), |_, r: &JobRun| {
                duration(Some(r.execution_time))
            })
            .by_number(|_, r: &JobRun| r.execution_time.as_secs_f64()),
            Column::new("ERROR", Constraint::Min(20), |_, r: &JobRun| {
                first_line(r.error.as_deref())
            }),
        ]
    }

    fn identity(&self, r: &JobRun) -> String {
        r.id.clone()
    }

    fn fetch(
        &self,
        clients: Option<Arc<Clients>>,
        sink: PageSink<JobRun>,
    ) -> BoxFuture<'static, ()> {
        let job = self.job.clone();
        sink.all(clients, move |c| async move { c.glue.job_runs(&job).await })
    }

    fn on_cmd(&mut self, cmd: Cmd, selected: Option<&JobRun>, cx: &mut Ctx) -> Outcome {
        match (cmd, selected) {
            (Cmd::Start, _) => run_actions::start(cx, &self.job, Arguments::new()),
            (Cmd::Enter | Cmd::Detail, Some(r)) => Outcome::Push(job_detail::run_view(r.clone())),
            (Cmd::Edit, Some(r)) => run_actions::edit_then_start(cx, &self.job, &r.arguments),
            (Cmd::Stop, Some(r)) => run_actions::stop(cx, r),
            (Cmd::Logs, Some(r)) => run_logs::choose(cx, r),
            (Cmd::Detail | Cmd::Edit | Cmd::Stop | Cmd::Logs, None) => {
                Outcome::Flash(Err("select a run first".into()))
            }
            _ => Outcome::Ignored,
        }
    }

    fn keys(&self) -> Vec<KeyHelp> {
        vec![
            KeyHelp::new(Cmd::Detail, "the run: error message, arguments, timing"),
            KeyHelp::new(Cmd::Edit, "rerun with edited arguments"),
            KeyHelp::new(Cmd::Start, "start a run with the default arguments"),
            KeyHelp::new(Cmd::Stop, "stop the running run (asks first)"),
            KeyHelp::new(Cmd::Logs, "the run's output or error log"),
        ]
    }

    fn row_style(&self, r: &JobRun, theme: &Theme) -> Option<Style> {
        Some(run_style(r.run_state(), theme))
    }
}
