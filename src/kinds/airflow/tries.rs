//! Task detail (`d` on a task instance): every try of it, oldest first, with state, times,
//! duration, host and operator. `L` or `enter` opens the selected try's log.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use ratatui::layout::Constraint;
use ratatui::style::Style;

use super::actions::Target;
use super::format::{
    env_suffix, epoch, not_connected, reach, row_style, seconds, task_label, task_seconds, when,
};
use super::task_logs;
use crate::airflow::TaskInstance;
use crate::app::keys::Cmd;
use crate::app::view::{boxed, BoxView, Ctx, KeyHelp, Outcome};
use crate::clients::Clients;
use crate::theme::Theme;
use crate::ui::format::Clock;
use crate::views::table::{Column, PageSink, Resource, SortValue, TableView};

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

static COLUMNS: &[Column] = &[
    Column::new("TRY", Constraint::Length(4)),
    Column::new("STATE", Constraint::Length(16)),
    Column::new("START", Constraint::Length(19)),
    Column::new("END", Constraint::Length(19)),
    Column::new("DURATION", Constraint::Length(8)),
    Column::new("HOSTNAME", Constraint::Min(12)),
    Column::new("OPERATOR", Constraint::Min(12)),
];

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

    fn columns(&self) -> &'static [Column] {
        COLUMNS
    }

    fn cell(&self, t: &TaskInstance, column: usize) -> String {
        match column {
            0 => t.try_number.to_string(),
            1 => t.state.to_string(),
            2 => when(t.start_date),
            3 => when(t.end_date),
            4 => seconds(task_seconds(t, self.clock.now())),
            5 => t.hostname.clone().unwrap_or_default(),
            _ => t.operator.clone().unwrap_or_default(),
        }
    }

    fn sort_value(&self, t: &TaskInstance, column: usize) -> SortValue {
        match column {
            0 => SortValue::Number(t.try_number as f64),
            2 => SortValue::Number(epoch(t.start_date)),
            3 => SortValue::Number(epoch(t.end_date)),
            4 => SortValue::Number(task_seconds(t, self.clock.now()).unwrap_or(-1.0)),
            other => SortValue::Text(self.cell(t, other)),
        }
    }

    fn identity(&self, t: &TaskInstance) -> String {
        t.try_number.to_string()
    }

    fn fetch(
        &self,
        clients: Option<Arc<Clients>>,
        sink: PageSink<TaskInstance>,
    ) -> BoxFuture<'static, ()> {
        let (env, key) = (self.env.clone(), self.current.key.clone());
        Box::pin(async move {
            let tries = async {
                let airflow = reach(clients, env.as_deref()).await?;
                airflow.task_tries(&key).await.map_err(|e| e.to_string())
            };
            match tries.await {
                Ok(tries) => {
                    sink.page(tries);
                    sink.done();
                }
                Err(e) => sink.fail(e),
            }
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
