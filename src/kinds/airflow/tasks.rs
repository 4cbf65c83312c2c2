//! The task instances of one DAG run (`enter` on a run): a table in dependency order (task,
//! state, try, start, duration, operator); `v` cycles to the grid of recent runs × tasks and to
//! the Gantt chart of one run. On the selected task instance, in every presentation: `d` its
//! tries, `L` its log, `x` clear (with downstream/upstream, dry run first), `m`/`M` mark
//! success/failed.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use crossterm::event::KeyEvent;
use futures::future::BoxFuture;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::Frame;

use super::actions::{self, Target};
use super::format::{
    arrow_as_page, env_suffix, list_from, not_connected, reach, row_style, task_columns, task_label,
};
use super::gantt::{self, GanttBar};
use super::grid::{self, GridCursor, GridModel};
use super::links::{self, Resolved, TaskLinks};
use super::panel::{Panel, PanelLoaded};
pub use super::run_tasks::RunRef;
use super::run_tasks::{load_run_tasks, FinishedCache, RunTasks};
use super::task_logs;
use super::tries;
use crate::airflow::{Airflow, DagRun, MarkState, State, Task, TaskInstance};
use crate::app::keys::Cmd;
use crate::app::view::{boxed, BoxView, Ctx, Cx, KeyHelp, LoadState, Outcome, RenderCx, View};
use crate::clients::Clients;
use crate::errors::UiError;
use crate::kinds::triage::root_cause;
use crate::theme::Theme;
use crate::ui::format::Clock;
use crate::views::table::{Column, PageSink, Paged, Resource, TableView};

pub fn view(env: Option<String>, run: &DagRun) -> BoxView {
    boxed(TasksScreen::new(RunRef {
        env,
        dag_id: run.dag_id.clone(),
        run_id: run.run_id.clone(),
    }))
}

/// The task instances of one run, in the DAG's dependency order.
pub struct TaskInstances {
    run: RunRef,
    clock: Clock,
    /// The AWS resource each instance drove, as far as it is resolved.
    links: TaskLinks,
}

impl TaskInstances {
    pub fn new(run: RunRef) -> Self {
        Self {
            run,
            clock: Clock::default(),
            links: TaskLinks::default(),
        }
    }

    /// With the links already resolved (snapshot tests).
    pub fn with_links(mut self, links: TaskLinks) -> Self {
        self.links = links;
        self
    }

    pub fn at(mut self, now: DateTime<Utc>) -> Self {
        self.clock = Clock::fixed(now);
        self
    }
}

/// Sorts task instances into the order of `tasks` (upstream first); unknown tasks go last.
pub fn in_dependency_order(tasks: &[Task], mut instances: Vec<TaskInstance>) -> Vec<TaskInstance> {
    let position: HashMap<&str, usize> = tasks
        .iter()
        .enumerate()
        .map(|(i, t)| (t.task_id.as_str(), i))
        .collect();
    instances.sort_by_key(|ti| {
        (
            position
                .get(ti.key.task_id.as_str())
                .copied()
                .unwrap_or(usize::MAX),
            ti.key.map_index,
        )
    });
    instances
}

async fn instances_of(airflow: &Airflow, run: &RunRef) -> Result<Vec<TaskInstance>, UiError> {
    let (tasks, instances) = futures::join!(
        airflow.tasks(&run.dag_id),
        airflow.task_instances(&run.dag_id, &run.run_id)
    );
    let instances = instances?;
    // Without the DAG's structure the list is still worth showing, in the API's order.
    let tasks = tasks.unwrap_or_default();
    Ok(in_dependency_order(&tasks, instances))
}

impl task_columns::Clocked for TaskInstances {
    fn clock(&self) -> Clock {
        self.clock
    }
}

impl Resource for TaskInstances {
    type Item = TaskInstance;

    fn title(&self) -> String {
        format!(
            "tasks {} {}{}",
            self.run.dag_id,
            self.run.run_id,
            env_suffix(&self.run.env)
        )
    }

    fn columns(&self) -> Vec<Column<Self>> {
        vec![
            Column::new("TASK", Constraint::Length(24), |_, t: &TaskInstance| {
                task_label(t)
            }),
            Column::new("STATE", Constraint::Length(17), |_, t: &TaskInstance| {
                t.state.to_string()
            }),
            Column::new("TRY", Constraint::Length(5), |_, t: &TaskInstance| {
                t.try_number.to_string()
            })
            .by_number(|_, t: &TaskInstance| t.try_number as f64),
            task_columns::start(),
            task_columns::duration(),
            Column::new("OPERATOR", Constraint::Length(20), |_, t: &TaskInstance| {
                t.operator.clone().unwrap_or_default()
            }),
            Column::new(
                "AWS RESOURCE",
                Constraint::Min(30),
                |this: &Self, t: &TaskInstance| this.links.cell(t),
            ),
        ]
    }

    fn identity(&self, t: &TaskInstance) -> String {
        task_label(t)
    }

    fn fetch(
        &self,
        clients: Option<Arc<Clients>>,
        sink: PageSink<TaskInstance>,
    ) -> BoxFuture<'static, ()> {
        let run = self.run.clone();
        list_from(sink, clients, run.env.clone(), |airflow| async move {
            instances_of(&airflow, &run).await
        })
    }

    fn on_cmd(&mut self, cmd: Cmd, selected: Option<&TaskInstance>, cx: &mut Ctx) -> Outcome {
        instance_cmd(cmd, selected, &self.run.env, cx)
    }

    fn keys(&self) -> Vec<KeyHelp> {
        instance_keys()
    }

    fn row_style(&self, t: &TaskInstance, theme: &Theme) -> Option<Style> {
        row_style(&t.state, theme)
    }
}

/// What a key does on a task instance, wherever it is selected (table, grid, Gantt, failures).
pub fn instance_cmd(
    cmd: Cmd,
    selected: Option<&TaskInstance>,
    env: &Option<String>,
    cx: &mut Ctx,
) -> Outcome {
    let acts = matches!(
        cmd,
        Cmd::Enter | Cmd::Detail | Cmd::Logs | Cmd::Clear | Cmd::MarkSuccess | Cmd::MarkFailed
    );
    if !acts {
        return Outcome::Ignored;
    }
    let Some(ti) = selected else {
        return Outcome::Flash(Err("select a task instance first".into()));
    };
    if matches!(cmd, Cmd::Enter | Cmd::Detail) {
        return Outcome::Push(tries::view(env.clone(), ti));
    }
    let Some(target) = Target::of(cx, env) else {
        return not_connected();
    };
    match cmd {
        Cmd::Logs => task_logs::open(cx, target, ti, None),
        Cmd::Clear => actions::clear_task(target, ti),
        Cmd::MarkSuccess => actions::mark(target, ti, MarkState::Success),
        _ => actions::mark(target, ti, MarkState::Failed),
    }
}

pub fn instance_keys() -> Vec<KeyHelp> {
    vec![
        KeyHelp::new(Cmd::Detail, "every try of the task (enter too)"),
        KeyHelp::new(Cmd::Logs, "the log of the current try"),
        KeyHelp::new(
            Cmd::RootCause,
            "root cause: the AWS run the task drove, with its error log",
        ),
        KeyHelp::new(
            Cmd::Clear,
            "clear the task (downstream/upstream; dry run, asks)",
        ),
        KeyHelp::new(Cmd::MarkSuccess, "mark success (asks first)"),
        KeyHelp::new(Cmd::MarkFailed, "mark failed (asks first)"),
        KeyHelp::new(
            Cmd::SwitchView,
            "table / grid of recent runs / Gantt of the run",
        ),
    ]
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presentation {
    Table,
    Grid,
    Gantt,
}

impl Presentation {
    fn next(self) -> Self {
        match self {
            Presentation::Table => Presentation::Grid,
            Presentation::Grid => Presentation::Gantt,
            Presentation::Gantt => Presentation::Table,
        }
    }
}

/// A row to select as soon as the table has loaded.
#[derive(Debug, Clone, PartialEq)]
enum Selection {
    Task(String),
    FirstFailure,
}

impl Selection {
    fn matches(&self, ti: &TaskInstance) -> bool {
        match self {
            Selection::Task(id) => ti.key.task_id == *id,
            Selection::FirstFailure => ti.state == State::Failed,
        }
    }
}

/// The task screen of a run: table, grid or Gantt over the same selection.
pub struct TasksScreen {
    run: RunRef,
    table: TableView<TaskInstances>,
    charts: Panel<RunTasks>,
    /// The grid drawn from `charts`, built when they load (not every frame).
    grid: GridModel,
    cache: FinishedCache,
    presentation: Presentation,
    /// The grid's cursor; its run is also the run of the Gantt chart.
    cursor: Option<GridCursor>,
    gantt_selected: usize,
    gantt_offset: usize,
    /// What to select in the table once it has loaded (opened from the failures view).
    select_task: Option<Selection>,
    clock: Clock,
}

impl TasksScreen {
    pub fn new(run: RunRef) -> Self {
        Self {
            table: TableView::new(TaskInstances::new(run.clone())),
            run,
            charts: Panel::default(),
            grid: GridModel::default(),
            cache: FinishedCache::default(),
            presentation: Presentation::Table,
            cursor: None,
            gantt_selected: 0,
            gantt_offset: 0,
            // On call, the first failed task is the one to look at.
            select_task: Some(Selection::FirstFailure),
            clock: Clock::default(),
        }
    }

    /// Selects `task_id` as soon as the table has it.
    pub fn selecting(mut self, task_id: &str) -> Self {
        self.select_task = Some(Selection::Task(task_id.to_owned()));
        self
    }

    /// Selects the first failed task as soon as the table has it.
    pub fn selecting_first_failure(mut self) -> Self {
        self.select_task = Some(Selection::FirstFailure);
        self
    }

    /// A screen already holding its data, at a fixed clock, in `presentation` (snapshot tests).
    pub fn with_data(
        run: RunRef,
        instances: Vec<TaskInstance>,
        charts: RunTasks,
        presentation: Presentation,
        now: DateTime<Utc>,
    ) -> Self {
        Self::with_linked_data(
            run,
            instances,
            charts,
            presentation,
            now,
            TaskLinks::default(),
        )
    }

    /// As [`TasksScreen::with_data`], with the tasks' AWS resources already resolved.
    pub fn with_linked_data(
        run: RunRef,
        instances: Vec<TaskInstance>,
        charts: RunTasks,
        presentation: Presentation,
        now: DateTime<Utc>,
        links: TaskLinks,
    ) -> Self {
        let mut screen = Self::new(run.clone());
        let resource = TaskInstances::new(run).at(now).with_links(links);
        screen.table = TableView::with_items(resource, instances);
        screen.apply_pending_selection();
        screen.grid = charts.grid();
        screen.charts = Panel::ready(charts);
        screen.presentation = presentation;
        screen.clock = Clock::fixed(now);
        screen
    }

    /// Moves the cursor by (runs, tasks) in the grid, or by tasks in the Gantt chart.
    pub fn move_cursor(&mut self, runs: isize, tasks: isize) {
        let Some(data) = &self.charts.data else {
            return;
        };
        match self.presentation {
            Presentation::Grid => {
                self.cursor = Some(self.cursor(data).moved(&self.grid, runs, tasks));
            }
            Presentation::Gantt => {
                let rows = data.gantt(self.cursor(data).run).len();
                let last = rows.saturating_sub(1) as isize;
                self.gantt_selected =
                    (self.gantt_selected as isize + tasks).clamp(0, last.max(0)) as usize;
            }
            Presentation::Table => {}
        }
    }

    pub fn presentation(&self) -> Presentation {
        self.presentation
    }

    /// The grid cursor: where the user left it, else on this screen's run and the task the
    /// table has selected.
    fn cursor(&self, data: &RunTasks) -> GridCursor {
        if let Some(cursor) = self.cursor {
            return cursor;
        }
        let run = data
            .run_index(&self.run.run_id)
            .unwrap_or(data.runs.len().saturating_sub(1));
        let task = self
            .table
            .selected_item()
            .and_then(|ti| data.task_ids().iter().position(|id| *id == ti.key.task_id))
            .unwrap_or(0);
        GridCursor {
            run,
            task,
            offset: 0,
        }
    }

    /// The Gantt row of the task under the grid's cursor (0 when there is none).
    fn gantt_row_of_cursor(&self) -> usize {
        let Some(data) = &self.charts.data else {
            return 0;
        };
        let cursor = self.cursor(data);
        let Some(task) = data.task_ids().get(cursor.task).cloned() else {
            return 0;
        };
        data.gantt(cursor.run)
            .iter()
            .position(|ti| ti.key.task_id == task)
            .unwrap_or(0)
    }

    /// The task instance under the cursor of the grid or the Gantt chart.
    fn chart_selection(&self) -> Option<TaskInstance> {
        let data = self.charts.data.as_ref()?;
        let cursor = self.cursor(data);
        match self.presentation {
            Presentation::Grid => {
                let task = data.task_ids().get(cursor.task)?.clone();
                data.instance(cursor.run, &task).cloned()
            }
            Presentation::Gantt => data
                .gantt(cursor.run)
                .get(self.gantt_selected)
                .map(|t| (*t).clone()),
            Presentation::Table => None,
        }
    }

    /// The instance selected in the current presentation.
    fn selection(&self) -> Option<TaskInstance> {
        match self.presentation {
            Presentation::Table => self.table.selected_item().cloned(),
            _ => self.chart_selection(),
        }
    }

    fn links(&self) -> &TaskLinks {
        &self.table.resource().links
    }

    /// Looks up, in the background, the AWS resources of `instances` not looked up yet.
    fn resolve_links(&mut self, instances: Vec<TaskInstance>, cx: &mut Cx<TasksMsg>) {
        let Some(clients) = cx.clients() else { return };
        let wanted = self.table.resource_mut().links.to_resolve(&instances);
        for ti in wanted {
            let (clients, env) = (Arc::clone(&clients), self.run.env.clone());
            cx.spawn_keyed(&format!("link/{}", links::key(&ti)), async move {
                let (key, resolved) = links::resolve_one(clients, env, ti).await;
                TasksMsg::Link(key, resolved)
            });
        }
    }

    /// `R`: the selected task's AWS resource and its root-cause log.
    fn root_cause(&self, cx: &mut Ctx) -> Outcome {
        let Some(ti) = self.selection() else {
            return Outcome::Flash(Err("select a task instance first".into()));
        };
        match self.links().get(&ti) {
            Some(Resolved::Link(link)) => match cx.clients() {
                Some(clients) => root_cause::open(link, clients, cx, cx.env.log_line_cap),
                None => not_connected(),
            },
            Some(Resolved::Pending) => Outcome::Flash(Err(format!(
                "{}: its AWS resource is still being looked up",
                task_label(&ti)
            ))),
            Some(Resolved::Unreadable(e)) => Outcome::Flash(Err(format!(
                "{}: what it recorded could not be read: {e}",
                task_label(&ti)
            ))),
            _ => Outcome::Flash(Err(format!(
                "{} drove no AWS resource: its own log (L) is the whole story",
                task_label(&ti)
            ))),
        }
    }

    /// `L` on a failed task whose resource failed too says where the real error is.
    fn logs_with_hint(&self, outcome: Outcome) -> Outcome {
        let failed_link = self
            .selection()
            .and_then(|ti| self.links().link(&ti).filter(|l| l.failed).cloned());
        match (outcome, failed_link) {
            (Outcome::Flash(Ok(note)), Some(link)) => Outcome::Flash(Ok(format!(
                "{note} · root cause in {}: esc, then R",
                links::short_name(&link.kind)
            ))),
            (outcome, _) => outcome,
        }
    }

    fn load_charts(&mut self, cx: &mut Cx<TasksMsg>) {
        let Some(clients) = cx.clients() else { return };
        let (run, cache) = (self.run.clone(), self.cache.clone());
        self.charts
            .load(&mut cx.part("charts", TasksMsg::Charts), async move {
                let airflow = reach(Some(clients), run.env.as_deref()).await?;
                load_run_tasks(airflow, run, cache).await
            });
    }

    fn chart_key(&mut self, cmd: Cmd, cx: &mut Ctx) -> Outcome {
        let step = match cmd {
            Cmd::Up => Some((0, -1)),
            Cmd::Down => Some((0, 1)),
            Cmd::PageUp => Some((-1, 0)),
            Cmd::PageDown => Some((1, 0)),
            Cmd::Top => Some((0, isize::MIN / 2)),
            Cmd::Bottom => Some((0, isize::MAX / 2)),
            _ => None,
        };
        if let Some((runs, tasks)) = step {
            self.move_cursor(runs, tasks);
            return Outcome::Handled;
        }
        if cmd == Cmd::RootCause {
            return self.root_cause(cx);
        }
        let selected = self.chart_selection();
        match (cmd, &selected) {
            // Enter on a cell of another run opens that run's tasks with the task selected.
            (Cmd::Enter, Some(ti)) if ti.key.run_id != self.run.run_id => {
                let run = RunRef {
                    env: self.run.env.clone(),
                    dag_id: ti.key.dag_id.clone(),
                    run_id: ti.key.run_id.clone(),
                };
                Outcome::Push(boxed(TasksScreen::new(run).selecting(&ti.key.task_id)))
            }
            _ => instance_cmd(cmd, selected.as_ref(), &self.run.env, cx),
        }
    }

    /// Moves the table's selection onto `select_task` once it is listed.
    fn apply_pending_selection(&mut self) {
        let Some(wanted) = self.select_task.clone() else {
            return;
        };
        if self.table.is_empty() {
            return;
        }
        self.select_task = None;
        self.table.select_where(|ti| wanted.matches(ti));
    }

    fn chart_title(&self, data: Option<&RunTasks>) -> String {
        let env = env_suffix(&self.run.env);
        match self.presentation {
            Presentation::Gantt => {
                let run = data
                    .and_then(|d| d.runs.get(self.cursor(d).run))
                    .map(|r| r.run_id.as_str())
                    .unwrap_or(self.run.run_id.as_str());
                format!("gantt {} {run}{env}", self.run.dag_id)
            }
            _ => format!("grid {} (recent runs × tasks){env}", self.run.dag_id),
        }
    }

    fn render_chart(&mut self, frame: &mut Frame, area: Rect, cx: &RenderCx) {
        let title = self.chart_title(self.charts.data.as_ref());
        let Some(inner) = self.charts.frame(frame, area, cx.theme, &title) else {
            return;
        };
        let Some(data) = self.charts.data.as_ref() else {
            return;
        };
        let cursor = self.cursor(data);
        match self.presentation {
            Presentation::Grid => {
                let (cells, below) = grid::split_legend(inner);
                let offset = grid::render(frame, cells, cx.theme, &self.grid, cursor);
                self.cursor = Some(GridCursor { offset, ..cursor });
                let link = self
                    .chart_selection()
                    .map(|ti| self.links().cell(&ti))
                    .unwrap_or_default();
                grid::render_below(frame, below, cx.theme, &link);
            }
            _ => {
                let bars: Vec<GanttBar> = data
                    .gantt(cursor.run)
                    .into_iter()
                    .map(GanttBar::of)
                    .collect();
                let now = self.clock.now();
                self.gantt_offset = gantt::render(
                    frame,
                    inner,
                    cx.theme,
                    &bars,
                    self.gantt_selected,
                    self.gantt_offset,
                    now,
                );
            }
        }
    }
}

/// What the task screen's work sends back: a page of the table, or the grid/Gantt data.
pub enum TasksMsg {
    Table(Paged<TaskInstance>),
    Charts(PanelLoaded<RunTasks>),
    /// A task instance's AWS resource, looked up (keyed by [`links::key`]).
    Link(String, Resolved),
}

impl View for TasksScreen {
    type Msg = TasksMsg;

    fn title(&self) -> String {
        self.table.title()
    }

    fn render(&mut self, frame: &mut Frame, area: Rect, cx: &RenderCx) {
        match self.presentation {
            Presentation::Table => self.table.render(frame, area, cx),
            _ => self.render_chart(frame, area, cx),
        }
    }

    fn on_key(&mut self, key: KeyEvent, cmd: Option<Cmd>, cx: &mut Cx<TasksMsg>) -> Outcome {
        match cmd {
            Some(Cmd::SwitchView) => {
                self.presentation = self.presentation.next();
                match self.presentation {
                    // The grid starts on the task the table has selected …
                    Presentation::Grid => self.cursor = None,
                    // … and the Gantt chart on the grid's.
                    Presentation::Gantt => self.gantt_selected = self.gantt_row_of_cursor(),
                    Presentation::Table => {}
                }
                self.refresh(cx);
                Outcome::Handled
            }
            _ if self.presentation != Presentation::Table => match cmd.or(arrow_as_page(&key)) {
                Some(Cmd::Logs) => {
                    let outcome = self.chart_key(Cmd::Logs, cx);
                    self.logs_with_hint(outcome)
                }
                Some(cmd) => {
                    let outcome = self.chart_key(cmd, cx);
                    if let Some(ti) = self.chart_selection() {
                        self.resolve_links(vec![ti], cx);
                    }
                    outcome
                }
                None => Outcome::Ignored,
            },
            Some(Cmd::RootCause) => self.root_cause(cx),
            Some(Cmd::Logs) => {
                let outcome = self
                    .table
                    .on_key(key, cmd, &mut cx.part("table", TasksMsg::Table));
                self.logs_with_hint(outcome)
            }
            _ => self
                .table
                .on_key(key, cmd, &mut cx.part("table", TasksMsg::Table)),
        }
    }

    fn refresh(&mut self, cx: &mut Cx<TasksMsg>) {
        match self.presentation {
            Presentation::Table => self.table.refresh(&mut cx.part("table", TasksMsg::Table)),
            _ => self.load_charts(cx),
        }
    }

    fn update(&mut self, message: TasksMsg, cx: &mut Cx<TasksMsg>) -> Outcome {
        match message {
            TasksMsg::Charts(loaded) => {
                self.charts.accept(loaded);
                if let Some(data) = &self.charts.data {
                    self.grid = data.grid();
                }
                if let Some(ti) = self.chart_selection() {
                    self.resolve_links(vec![ti], cx);
                }
                Outcome::Handled
            }
            TasksMsg::Table(page) => {
                let outcome = self
                    .table
                    .update(page, &mut cx.part("table", TasksMsg::Table));
                self.apply_pending_selection();
                let listed = self.table.items().to_vec();
                self.resolve_links(listed, cx);
                outcome
            }
            TasksMsg::Link(key, resolved) => {
                self.table.resource_mut().links.accept(key, resolved);
                Outcome::Handled
            }
        }
    }

    fn keys(&self) -> Vec<KeyHelp> {
        let mut keys = self.table.keys();
        keys.push(KeyHelp::new(Cmd::PageUp, "grid: older run (also ←)"));
        keys.push(KeyHelp::new(Cmd::PageDown, "grid: newer run (also →)"));
        keys
    }

    fn load_state(&self) -> &LoadState {
        match self.presentation {
            Presentation::Table => self.table.load_state(),
            _ => &self.charts.state,
        }
    }

    fn supports_filter(&self) -> bool {
        self.presentation == Presentation::Table
    }

    fn set_filter(&mut self, filter: &str) {
        self.table.set_filter(filter);
    }

    fn filter(&self) -> &str {
        self.table.filter()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::airflow::TaskKey;

    pub(crate) fn ti(task: &str, map_index: i64, state: State) -> TaskInstance {
        let key = TaskKey {
            dag_id: "d".into(),
            run_id: "r".into(),
            task_id: task.into(),
            map_index,
        };
        TaskInstance::new(key, state, 1)
    }

    pub(crate) fn task(id: &str) -> Task {
        Task {
            task_id: id.into(),
            ..Task::default()
        }
    }

    #[test]
    fn instances_follow_the_dag_order_and_unknown_tasks_go_last() {
        let tasks = [task("sense"), task("crawl"), task("load")];
        let sorted = in_dependency_order(
            &tasks,
            vec![
                ti("load", -1, State::None),
                ti("gone", -1, State::Removed),
                ti("crawl", 1, State::Success),
                ti("sense", -1, State::Success),
                ti("crawl", 0, State::Success),
            ],
        );
        let order: Vec<String> = sorted.iter().map(task_label).collect();
        assert_eq!(order, ["sense", "crawl[0]", "crawl[1]", "load", "gone"]);
    }
}
