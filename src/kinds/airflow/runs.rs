//! `:runs DAG[@env]` (`:dagruns`): the runs of a DAG, newest first, with state, run type, run
//! after / logical date, start, duration and conf; the newest page on open and on refresh, the
//! next one each time the selection reaches the last run (up to [`MAX_RUNS`]). `A` cycles the state shown (all → failed → running → success), `v` switches
//! to a chart of recent run durations, `x` clears a whole run (dry run first), `t` triggers,
//! `enter` opens the run's task instances.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::Frame;

use super::actions::{self, Target, TriggerOf};
use super::durations::{self, RunDuration};
use super::format::{
    arrow_as_page, env_suffix, epoch, not_connected, reach, row_style, seconds, split_env, when,
};
use super::panel::{Panel, PanelLoaded};
use super::tasks;
use crate::airflow::{DagRun, RunQuery, State};
use crate::app::keys::Cmd;
use crate::app::view::{boxed, BoxView, Ctx, Cx, Env, KeyHelp, LoadState, Outcome, RenderCx, View};
use crate::clients::Clients;
use crate::kinds::{Kind, Opened};
use crate::theme::Theme;
use crate::ui::format::Clock;
use crate::views::table::{Column, PageSink, Paged, Resource, TableView};

pub const KIND: Kind = Kind {
    name: "runs",
    aliases: &["dagruns"],
    about: "runs of an Airflow DAG",
    argument: Some("dag[@environment]"),
    open,
};

/// Runs asked for per request.
pub const PAGE_SIZE: usize = 100;
/// The table asks for no page past this many runs.
pub const MAX_RUNS: usize = 1_000;
/// Runs in the duration chart.
pub const CHART_RUNS: usize = 60;

fn open(argument: Option<&str>, _: &Env) -> Result<Opened, String> {
    let argument = argument.ok_or("which DAG? e.g. :runs prepare_data_nyc (:dags lists them)")?;
    let (dag, env) = split_env(argument);
    Ok(Opened::View(view(env, &dag)))
}

pub fn view(env: Option<String>, dag_id: &str) -> BoxView {
    boxed(RunsScreen::new(env, dag_id))
}

/// Which runs the table lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StateFilter {
    #[default]
    All,
    Failed,
    Running,
    Success,
}

impl StateFilter {
    pub fn next(self) -> Self {
        match self {
            StateFilter::All => StateFilter::Failed,
            StateFilter::Failed => StateFilter::Running,
            StateFilter::Running => StateFilter::Success,
            StateFilter::Success => StateFilter::All,
        }
    }

    pub fn states(self) -> Vec<State> {
        match self {
            StateFilter::All => Vec::new(),
            StateFilter::Failed => vec![State::Failed],
            StateFilter::Running => vec![State::Running, State::Queued],
            StateFilter::Success => vec![State::Success],
        }
    }

    fn label(self) -> &'static str {
        match self {
            StateFilter::All => "",
            StateFilter::Failed => " [failed]",
            StateFilter::Running => " [running]",
            StateFilter::Success => " [success]",
        }
    }
}

/// Whether runs follow a page of `count` runs read at `offset`: the page was full, the total
/// (when the API gives one) is not reached, and neither is [`MAX_RUNS`].
pub fn more_after(offset: usize, count: usize, total: Option<u64>) -> bool {
    let end = offset + count;
    count >= PAGE_SIZE && end < MAX_RUNS && total.is_none_or(|total| (end as u64) < total)
}

pub struct Runs {
    env: Option<String>,
    dag_id: String,
    filter: StateFilter,
    clock: Clock,
}

impl Runs {
    pub fn new(env: Option<String>, dag_id: &str) -> Self {
        Self {
            env,
            dag_id: dag_id.to_owned(),
            filter: StateFilter::All,
            clock: Clock::default(),
        }
    }

    pub fn filtered(mut self, filter: StateFilter) -> Self {
        self.filter = filter;
        self
    }

    /// A fixed clock for durations of running runs (snapshot tests).
    pub fn at(mut self, now: DateTime<Utc>) -> Self {
        self.clock = Clock::fixed(now);
        self
    }
}

impl Runs {
    /// One page of runs from `offset`, newest first.
    fn page_at(
        &self,
        clients: Option<Arc<Clients>>,
        sink: PageSink<DagRun>,
        offset: usize,
    ) -> BoxFuture<'static, ()> {
        let (env, dag_id) = (self.env.clone(), self.dag_id.clone());
        let query = RunQuery {
            states: self.filter.states(),
            limit: PAGE_SIZE,
            offset,
        };
        Box::pin(async move {
            let airflow = match reach(clients, env.as_deref()).await {
                Ok(airflow) => airflow,
                Err(e) => return sink.fail(e),
            };
            match airflow.dag_runs(&dag_id, &query).await {
                Ok(page) => {
                    let more = more_after(offset, page.items.len(), page.total);
                    if sink.page(page.items) {
                        if more {
                            sink.done_with_more();
                        } else {
                            sink.done();
                        }
                    }
                }
                Err(e) => sink.fail(e),
            }
        })
    }
}

fn conf_text(run: &DagRun) -> String {
    match &run.conf {
        serde_json::Value::Null => String::new(),
        serde_json::Value::Object(map) if map.is_empty() => String::new(),
        conf => conf.to_string(),
    }
}

impl Resource for Runs {
    type Item = DagRun;

    fn title(&self) -> String {
        format!(
            "runs {}{}{}",
            self.dag_id,
            env_suffix(&self.env),
            self.filter.label()
        )
    }

    fn columns(&self) -> Vec<Column<Self>> {
        vec![
            Column::new("RUN ID", Constraint::Min(42), |_, r: &DagRun| {
                r.run_id.clone()
            }),
            Column::new("STATE", Constraint::Length(8), |_, r: &DagRun| {
                r.state.to_string()
            }),
            Column::new("TYPE", Constraint::Length(9), |_, r: &DagRun| {
                r.run_type.clone()
            }),
            Column::new("RUN AFTER", Constraint::Length(19), |_, r: &DagRun| {
                when(r.run_after)
            })
            .by_number(|_, r: &DagRun| epoch(r.run_after)),
            Column::new("LOGICAL DATE", Constraint::Length(19), |_, r: &DagRun| {
                when(r.logical_date)
            })
            .by_number(|_, r: &DagRun| epoch(r.logical_date)),
            Column::new("START", Constraint::Length(19), |_, r: &DagRun| {
                when(r.start_date)
            })
            .by_number(|_, r: &DagRun| epoch(r.start_date)),
            Column::new(
                "DURATION",
                Constraint::Length(8),
                |this: &Self, r: &DagRun| seconds(r.duration_secs(this.clock.now())),
            )
            .by_number(|this: &Self, r: &DagRun| r.duration_secs(this.clock.now()).unwrap_or(-1.0)),
            Column::new("CONF", Constraint::Min(8), |_, r: &DagRun| conf_text(r)),
        ]
    }

    fn identity(&self, r: &DagRun) -> String {
        r.run_id.clone()
    }

    /// The newest page only: a refresh asks for one request, whatever was read before.
    fn fetch(
        &self,
        clients: Option<Arc<Clients>>,
        sink: PageSink<DagRun>,
    ) -> BoxFuture<'static, ()> {
        self.page_at(clients, sink, 0)
    }

    /// The next page, when the selection reaches the last run read (up to [`MAX_RUNS`]).
    fn fetch_more(
        &self,
        clients: Option<Arc<Clients>>,
        sink: PageSink<DagRun>,
        loaded: usize,
    ) -> Option<BoxFuture<'static, ()>> {
        (loaded < MAX_RUNS).then(|| self.page_at(clients, sink, loaded))
    }

    fn on_cmd(&mut self, cmd: Cmd, selected: Option<&DagRun>, cx: &mut Ctx) -> Outcome {
        run_cmd(cmd, selected, &self.env, &self.dag_id, cx)
    }

    fn keys(&self) -> Vec<KeyHelp> {
        vec![
            KeyHelp::new(Cmd::Enter, "task instances of the run"),
            KeyHelp::new(Cmd::ToggleAll, "show all / failed / running / success runs"),
            KeyHelp::new(Cmd::SwitchView, "table / chart of recent run durations"),
            KeyHelp::new(Cmd::Clear, "clear the whole run (dry run, asks first)"),
            KeyHelp::new(Cmd::Start, "trigger a run with a conf"),
        ]
    }

    fn row_style(&self, r: &DagRun, theme: &Theme) -> Option<Style> {
        row_style(&r.state, theme)
    }
}

/// What a key does on a run, in the table and in the chart alike.
fn run_cmd(
    cmd: Cmd,
    selected: Option<&DagRun>,
    env: &Option<String>,
    dag_id: &str,
    cx: &mut Ctx,
) -> Outcome {
    let target = Target::of(cx, env);
    match (cmd, selected, target) {
        (Cmd::Enter, Some(r), _) => Outcome::Push(tasks::view(env.clone(), r)),
        (Cmd::Clear, Some(r), Some(target)) => actions::clear_run(target, dag_id, &r.run_id),
        (Cmd::Start, _, Some(target)) => actions::trigger(TriggerOf {
            target,
            dag_id: dag_id.to_owned(),
            paused: false, // not known here; the DAG list says
        }),
        (Cmd::Clear | Cmd::Start, _, None) => not_connected(),
        (Cmd::Clear, None, _) => Outcome::Flash(Err("select a run first".into())),
        _ => Outcome::Ignored,
    }
}

/// What the runs screen's work sends back: a page of the table, or the chart's runs.
pub enum RunsMsg {
    Table(Paged<DagRun>),
    Chart(PanelLoaded<Vec<DagRun>>),
}

/// The runs screen: the table, or the chart of recent durations (`v`).
pub struct RunsScreen {
    env: Option<String>,
    dag_id: String,
    table: TableView<Runs>,
    chart: Panel<Vec<DagRun>>,
    showing_chart: bool,
    /// The run named under the chart (index into the chart's runs, oldest first).
    chart_selected: Option<usize>,
    clock: Clock,
}

impl RunsScreen {
    pub fn new(env: Option<String>, dag_id: &str) -> Self {
        Self {
            table: TableView::new(Runs::new(env.clone(), dag_id)),
            env,
            dag_id: dag_id.to_owned(),
            chart: Panel::default(),
            showing_chart: false,
            chart_selected: None,
            clock: Clock::default(),
        }
    }

    /// A screen already holding `runs` (newest first, as the API lists them), at a fixed clock,
    /// showing the table or the chart (snapshot tests).
    pub fn with_runs(
        env: Option<String>,
        dag_id: &str,
        runs: Vec<DagRun>,
        now: DateTime<Utc>,
        chart: bool,
    ) -> Self {
        let runs_table = Runs::new(env.clone(), dag_id).at(now);
        let mut screen = Self::new(env, dag_id);
        screen.table = TableView::with_items(runs_table, runs.clone());
        screen.chart = Panel::ready(runs.into_iter().rev().collect());
        screen.showing_chart = chart;
        screen.clock = Clock::fixed(now);
        screen
    }

    fn load_chart(&mut self, cx: &mut Cx<RunsMsg>) {
        let (clients, env, dag_id) = (cx.clients(), self.env.clone(), self.dag_id.clone());
        if clients.is_none() {
            return;
        }
        self.chart
            .load(&mut cx.part("chart", RunsMsg::Chart), async move {
                let airflow = reach(clients, env.as_deref()).await?;
                let query = RunQuery {
                    limit: CHART_RUNS,
                    ..RunQuery::default()
                };
                let page = airflow.dag_runs(&dag_id, &query).await?;
                Ok(page.items.into_iter().rev().collect())
            });
    }

    fn chart_runs(&self) -> &[DagRun] {
        self.chart.data.as_deref().unwrap_or_default()
    }

    /// The run under the chart's cursor: the newest unless one was chosen.
    fn chart_index(&self) -> usize {
        let last = self.chart_runs().len().saturating_sub(1);
        self.chart_selected.unwrap_or(last).min(last)
    }

    fn chart_key(&mut self, cmd: Cmd, cx: &mut Ctx) -> Outcome {
        let last = self.chart_runs().len().saturating_sub(1);
        let index = self.chart_index();
        let moved = match cmd {
            Cmd::PageUp | Cmd::Up => Some(index.saturating_sub(1)),
            Cmd::PageDown | Cmd::Down => Some((index + 1).min(last)),
            Cmd::Top => Some(0),
            Cmd::Bottom => Some(last),
            _ => None,
        };
        if let Some(index) = moved {
            self.chart_selected = Some(index);
            return Outcome::Handled;
        }
        let selected = self.chart_runs().get(index).cloned();
        run_cmd(cmd, selected.as_ref(), &self.env, &self.dag_id, cx)
    }

    fn render_chart(&mut self, frame: &mut Frame, area: Rect, cx: &RenderCx) {
        let title = format!(
            "durations of recent runs {}{}",
            self.dag_id,
            env_suffix(&self.env)
        );
        let Some(inner) = self.chart.frame(frame, area, cx.theme, &title) else {
            return;
        };
        let now = self.clock.now();
        let bars: Vec<RunDuration> = self
            .chart_runs()
            .iter()
            .map(|r| RunDuration {
                run_id: r.run_id.clone(),
                state: r.state.clone(),
                seconds: r.duration_secs(now),
            })
            .collect();
        durations::render(frame, inner, cx.theme, &bars, self.chart_index());
    }
}

impl View for RunsScreen {
    type Msg = RunsMsg;

    fn title(&self) -> String {
        self.table.title()
    }

    fn render(&mut self, frame: &mut Frame, area: Rect, cx: &RenderCx) {
        if self.showing_chart {
            self.render_chart(frame, area, cx);
        } else {
            self.table.render(frame, area, cx);
        }
    }

    fn on_key(
        &mut self,
        key: crossterm::event::KeyEvent,
        cmd: Option<Cmd>,
        cx: &mut Cx<RunsMsg>,
    ) -> Outcome {
        match cmd {
            Some(Cmd::SwitchView) => {
                self.showing_chart = !self.showing_chart;
                self.refresh(cx);
                Outcome::Handled
            }
            Some(Cmd::ToggleAll) => {
                let filter = self.table.resource().filter.next();
                let mut runs = Runs::new(self.env.clone(), &self.dag_id).filtered(filter);
                runs.clock = self.clock;
                self.table = TableView::new(runs);
                self.showing_chart = false;
                self.table.refresh(&mut cx.part("table", RunsMsg::Table));
                Outcome::Handled
            }
            _ if self.showing_chart => match cmd.or(arrow_as_page(&key)) {
                Some(cmd) => self.chart_key(cmd, cx),
                None => Outcome::Ignored,
            },
            _ => self
                .table
                .on_key(key, cmd, &mut cx.part("table", RunsMsg::Table)),
        }
    }

    fn refresh(&mut self, cx: &mut Cx<RunsMsg>) {
        if self.showing_chart {
            self.load_chart(cx);
        } else {
            self.table.refresh(&mut cx.part("table", RunsMsg::Table));
        }
    }

    fn update(&mut self, message: RunsMsg, cx: &mut Cx<RunsMsg>) -> Outcome {
        match message {
            RunsMsg::Chart(loaded) => {
                self.chart.accept(loaded);
                Outcome::Handled
            }
            RunsMsg::Table(page) => self
                .table
                .update(page, &mut cx.part("table", RunsMsg::Table)),
        }
    }

    fn keys(&self) -> Vec<KeyHelp> {
        let mut keys = self.table.keys();
        keys.push(KeyHelp::new(Cmd::PageDown, "chart: newer run (also →)"));
        keys.push(KeyHelp::new(Cmd::PageUp, "chart: older run (also ←)"));
        keys
    }

    fn load_state(&self) -> &LoadState {
        if self.showing_chart {
            &self.chart.state
        } else {
            self.table.load_state()
        }
    }

    fn supports_filter(&self) -> bool {
        !self.showing_chart
    }

    fn set_filter(&mut self, filter: &str) {
        self.table.set_filter(filter);
    }

    fn filter(&self) -> &str {
        self.table.filter()
    }

    fn auto_refresh(&self) -> bool {
        self.showing_chart || self.table.auto_refresh()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn more_runs_follow_a_full_page_below_the_total_and_the_cap() {
        assert!(more_after(0, PAGE_SIZE, None));
        assert!(more_after(0, PAGE_SIZE, Some(101)));
        assert!(!more_after(0, PAGE_SIZE, Some(100)));
        assert!(!more_after(0, 42, None));
        assert!(more_after(MAX_RUNS - 2 * PAGE_SIZE, PAGE_SIZE, None));
        assert!(!more_after(MAX_RUNS - PAGE_SIZE, PAGE_SIZE, None));
    }

    #[test]
    fn the_state_filter_cycles() {
        let mut f = StateFilter::All;
        let mut seen = vec![];
        for _ in 0..4 {
            f = f.next();
            seen.push(f);
        }
        assert_eq!(
            seen,
            vec![
                StateFilter::Failed,
                StateFilter::Running,
                StateFilter::Success,
                StateFilter::All
            ]
        );
        assert_eq!(StateFilter::Failed.states(), vec![State::Failed]);
    }
}
