//! Task detail (`d` on a task instance): every try of it, oldest first, with state, times,
//! duration, host and operator. `L` or `enter` opens the selected try's log.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use ratatui::layout::Constraint;
use ratatui::style::Style;

use super::actions::Target;
use super::format::{
    env_suffix, epoch, list_from, not_connected, row_style, task_columns, task_label, when,
};
use super::task_logs;
use crate::airflow::TaskInstance;
use crate::app::keys::Cmd;
use crate::app::view::{boxed, BoxView, Ctx, KeyHelp, Outcome};
use crate::clients::Clients;
use crate::theme::Theme;
use crate::ui::format::Clock;
use crate::views::table::{Column, PageSink, Resource, TableView};

pub fn view(env: Option<String>, ti: &TaskInstance) -> BoxView {
    boxed(TableView::new(Tries::new(env, ti)))
}

pub struct Tries {
    env: Option<String>,
    /// The task instance as the table showed it (its current try).
    current: TaskInstance,
    clock: Clock,
}

impl Tries {
    pub fn new(env: Option<String>, ti: &TaskInstance) -> Self {
        Self {
            env,
            current: ti.clone(),
            clock: Clock::default(),
        }
    }

    /// A fixed clock for durations of a running try (snapshot tests).
    pub fn at(mut self, now: DateTime<Utc>) -> Self {
        self.clock = Clock::fixed(now);
        self
    }
}

impl task_columns::Clocked for Tries {
    fn clock(&self) -> Clock {
        self.clock
    }
}

impl Resource for Tries {
    type Item = TaskInstance;

    fn title(&self) -> String {
        format!(
            "tries {} · {} {}{}",
            task_label(&self.current),
            self.current.key.dag_id,
            self.current.key.run_id,
            env_suffix(&self.env)
        )
    }

    fn columns(&self) -> Vec<Column<Self>> {
        vec![
            Column::new("TRY", Constraint::Length(4), |_, t: &TaskInstance| {
                t.try_number.to_string()
            })
            .by_number(|_, t: &TaskInstance| t.try_number as f64),
            Column::new("STATE", Constraint::Length(17), |_, t: &TaskInstance| {
                t.state.to_string()
            }),
            task_columns::start(),
            Column::new("END", Constraint::Length(19), |_, t: &TaskInstance| {
                when(t.end_date)
            })
            .by_number(|_, t: &TaskInstance| epoch(t.end_date)),
            task_columns::duration(),
            Column::new("HOSTNAME", Constraint::Min(12), |_, t: &TaskInstance| {
                t.hostname.clone().unwrap_or_default()
            }),
            Column::new("OPERATOR", Constraint::Min(12), |_, t: &TaskInstance| {
                t.operator.clone().unwrap_or_default()
            }),
        ]
    }

    fn identity(&self, t: &TaskInstance) -> String {
        t.try_number.to_string()
    }

    fn fetch(
        &self,
        clients: Option<Arc<Clients>>,
        sink: PageSink<TaskInstance>,
    ) -> BoxFuture<'static, ()> {
        let key = self.current.key.clone();
        list_from(sink, clients, self.env.clone(), |airflow| async move {
            Ok(airflow.task_tries(&key).await?)
        })
    }

    fn on_cmd(&mut self, cmd: Cmd, selected: Option<&TaskInstance>, cx: &mut Ctx) -> Outcome {
        match (cmd, selected) {
            (Cmd::Logs | Cmd::Enter, Some(t)) => match Target::of(cx, &self.env) {
                Some(target) => task_logs::open(cx, target, &self.current, Some(t.try_number)),
                None => not_connected(),
            },
            (Cmd::Logs, None) => Outcome::Flash(Err("select a try first".into())),
            _ => Outcome::Ignored,
        }
    }

    fn keys(&self) -> Vec<KeyHelp> {
        vec![KeyHelp::new(
            Cmd::Logs,
            "the log of the selected try (enter too)",
        )]
    }

    fn row_style(&self, t: &TaskInstance, theme: &Theme) -> Option<Style> {
        row_style(&t.state, theme)
    }
}
