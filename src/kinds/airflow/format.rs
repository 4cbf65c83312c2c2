//! What every Airflow view shares: reaching the environment, cell formats, the state colours
//! of rows, and the `DAG@env` argument form.

use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use ratatui::style::Style;

use super::state_style;
use crate::airflow::{Airflow, State, TaskInstance};
use crate::clients::Clients;
use crate::errors::UiError;
use crate::theme::Theme;
use crate::views::table::PageSink;

pub use crate::ui::format::{epoch, not_connected, when};

/// The client of environment `env` (the context's default when `None`).
pub async fn connect(clients: &Clients, env: Option<&str>) -> Result<Airflow, UiError> {
    Ok(clients.airflow.connect(env).await?)
}

/// Like [`connect`] but from the optional clients a view holds.
pub async fn reach(clients: Option<Arc<Clients>>, env: Option<&str>) -> Result<Airflow, UiError> {
    let clients = clients.ok_or("not connected yet")?;
    connect(&clients, env).await
}

/// The listing of an Airflow kind: `call` on environment `env`'s client, as one page.
pub fn list_from<T, F, Fut>(
    sink: PageSink<T>,
    clients: Option<Arc<Clients>>,
    env: Option<String>,
    call: F,
) -> BoxFuture<'static, ()>
where
    T: Send + 'static,
    F: FnOnce(Airflow) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Vec<T>, UiError>> + Send + 'static,
{
    sink.all(clients, move |clients| async move {
        let airflow = connect(&clients, env.as_deref()).await?;
        call(airflow).await
    })
}

/// Task-instance columns shared by the task table and the tries table.
pub mod task_columns {
    use ratatui::layout::Constraint;

    use super::{epoch, seconds, task_seconds, when};
    use crate::airflow::TaskInstance;
    use crate::ui::format::Clock;
    use crate::views::table::{Column, Resource};

    /// A table of task instances whose running durations are measured to its clock.
    pub trait Clocked {
        fn clock(&self) -> Clock;
    }

    pub fn start<R: Resource<Item = TaskInstance>>() -> Column<R> {
        Column::new("START", Constraint::Length(19), |_, t: &TaskInstance| {
            when(t.start_date)
        })
        .by_number(|_, t: &TaskInstance| epoch(t.start_date))
    }

    pub fn duration<R: Resource<Item = TaskInstance> + Clocked>() -> Column<R> {
        Column::new(
            "DURATION",
            Constraint::Length(8),
            |this: &R, t: &TaskInstance| seconds(task_seconds(t, this.clock().now())),
        )
        .by_number(|this: &R, t: &TaskInstance| task_seconds(t, this.clock().now()).unwrap_or(-1.0))
    }
}

/// `42s`, `3m 05s`, `1h 02m`, or empty.
pub fn seconds(secs: Option<f64>) -> String {
    secs.map(|s| crate::ui::format::elapsed(s.max(0.0).round() as u64))
        .unwrap_or_default()
}

/// The row colour of a state.
pub fn row_style(state: &State, theme: &Theme) -> Option<Style> {
    Some(state_style(state, theme))
}

/// A task instance as people name it: `task`, or `task[3]` for a mapped one.
pub fn task_label(ti: &TaskInstance) -> String {
    if ti.key.map_index >= 0 {
        format!("{}[{}]", ti.key.task_id, ti.key.map_index)
    } else {
        ti.key.task_id.clone()
    }
}

/// How long a task instance ran (or runs, to `now`).
pub fn task_seconds(ti: &TaskInstance, now: DateTime<Utc>) -> Option<f64> {
    match (ti.start_date, ti.end_date) {
        (Some(_), Some(_)) if ti.duration.is_some() => ti.duration,
        (Some(start), end) => Some(crate::kinds::airflow::seconds_between(
            start,
            end.unwrap_or(now),
        )),
        _ => ti.duration,
    }
}

/// Splits `DAG@env` into the DAG and the environment (`None`: the context's default).
pub fn split_env(argument: &str) -> (String, Option<String>) {
    match argument.rsplit_once('@') {
        Some((dag, env)) if !env.is_empty() => (dag.to_owned(), Some(env.to_owned())),
        _ => (argument.trim_end_matches('@').to_owned(), None),
    }
}

/// ` @env` for titles when the environment is not the default one.
pub fn env_suffix(env: &Option<String>) -> String {
    env.as_ref().map(|e| format!(" @{e}")).unwrap_or_default()
}

/// The first `limit` items as detail lines, then how many more there are.
pub fn listed(lines: Vec<String>, limit: usize) -> Vec<String> {
    let total = lines.len();
    let mut out: Vec<String> = lines.into_iter().take(limit).collect();
    if total > limit {
        out.push(format!("… and {} more", total - limit));
    }
    out
}

/// In a chart (grid, duration bars), `←`/`→` move between runs like `ctrl-b`/`ctrl-f`.
pub fn arrow_as_page(key: &crossterm::event::KeyEvent) -> Option<crate::app::keys::Cmd> {
    use crate::app::keys::Cmd;
    use crossterm::event::KeyCode;
    match key.code {
        KeyCode::Left => Some(Cmd::PageUp),
        KeyCode::Right => Some(Cmd::PageDown),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dag_at_env_arguments() {
        assert_eq!(
            split_env("prepare_data_nyc"),
            ("prepare_data_nyc".into(), None)
        );
        assert_eq!(
            split_env("prepare_data_nyc@prod"),
            ("prepare_data_nyc".into(), Some("prod".into()))
        );
        assert_eq!(split_env("dag@"), ("dag".into(), None));
    }

    #[test]
    fn long_lists_say_how_many_more() {
        let lines: Vec<String> = (0..5).map(|i| i.to_string()).collect();
        assert_eq!(listed(lines.clone(), 10).len(), 5);
        assert_eq!(listed(lines, 2), vec!["0", "1", "… and 3 more"]);
    }
}
