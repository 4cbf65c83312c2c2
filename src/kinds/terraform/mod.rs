//! The provisioning screen: one view over a context's Terraform root module with panes for
//! home (directory, program, workspace, last plan, init), the plan (live progress, then the
//! tree of changes and the selected change's attributes), apply (per-resource progress,
//! errors, outputs), state (resources, outputs) and workspaces.
//!
//! Operations run as tasks; their events come back as messages, so the UI never waits.
//! One operation runs at a time. `esc` is refused while one runs (cancel it with ctrl-k
//! first); leaving the view any other way (a `:` jump, switching context) interrupts it as
//! Ctrl-C would (Terraform stops gracefully and saves its state).
//!
//! Nothing is applied that was not shown: ctrl-a offers only the plan file whose review is on
//! screen, a new plan discards the previous file, and an apply discards its file.

pub mod actions;
pub mod kinds;
mod panes;
pub mod render;
pub mod tree;

use std::time::Instant;

use chrono::Local;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

use crate::app::keys::Cmd;
use crate::app::view::{Cx, KeyHelp, LoadState, Outcome, RenderCx, View};
use crate::errors::UiError;
use crate::terraform::progress::Progress;
use crate::terraform::{
    Canceller, OutputValue, Plan, PlanFile, PlanOptions, ResourceChange, RunEvent, Target, Workdir,
    Workspace,
};
use actions::{ApplyDone, OpEvent, OpStarted, Reply};

use tree::TreeRow;

/// The panes, in the order `v` cycles them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Home,
    Plan,
    Apply,
    State,
    Workspaces,
}

impl Pane {
    fn name(self) -> &'static str {
        match self {
            Pane::Home => "home",
            Pane::Plan => "plan",
            Pane::Apply => "apply",
            Pane::State => "state",
            Pane::Workspaces => "workspaces",
        }
    }

    fn next(self) -> Self {
        match self {
            Pane::Home => Pane::Plan,
            Pane::Plan => Pane::Apply,
            Pane::Apply => Pane::State,
            Pane::State => Pane::Workspaces,
            Pane::Workspaces => Pane::Home,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpKind {
    Init,
    Plan { refresh_only: bool },
    Apply,
}

impl OpKind {
    fn name(self) -> &'static str {
        match self {
            OpKind::Init => "init",
            OpKind::Plan {
                refresh_only: false,
            } => "plan",
            OpKind::Plan { refresh_only: true } => "drift check (refresh-only plan)",
            OpKind::Apply => "apply",
        }
    }
}

/// The current or last operation and what its events say.
pub struct Op {
    id: u64,
    kind: OpKind,
    started: Instant,
    canceller: Option<Canceller>,
    pub progress: Progress,
    /// `None` while it runs; then what it came to.
    result: Option<Result<String, String>>,
    /// ctrl-k was pressed while it ran.
    interrupted: bool,
    elapsed_seconds: Option<u64>,
}

impl Op {
    fn new(id: u64, kind: OpKind, canceller: Option<Canceller>) -> Self {
        Self {
            id,
            kind,
            started: Instant::now(),
            canceller,
            progress: Progress::default(),
            result: None,
            interrupted: false,
            elapsed_seconds: None,
        }
    }

    fn running(&self) -> bool {
        self.result.is_none()
    }
}

/// A plan on screen: the file it came from (the only one ctrl-a applies) and its model.
pub struct Review {
    file: Option<PlanFile>,
    refresh_only: bool,
    pub plan: Plan,
    rows: Vec<TreeRow>,
}

impl Review {
    fn new(file: Option<PlanFile>, refresh_only: bool, plan: Plan) -> Self {
        let rows = tree::rows(match refresh_only {
            true => &plan.drift,
            false => &plan.changes,
        });
        Self {
            file,
            refresh_only,
            plan,
            rows,
        }
    }

    /// Resources or outputs to change (or, refresh-only, drift to accept).
    fn changes_something(&self) -> bool {
        use crate::terraform::Action;
        !self.rows.is_empty()
            || (!self.refresh_only && self.plan.outputs.iter().any(|o| o.action != Action::NoOp))
    }

    fn listed(&self) -> &[ResourceChange] {
        match self.refresh_only {
            true => &self.plan.drift,
            false => &self.plan.changes,
        }
    }

    fn change_at(&self, row: usize) -> Option<&ResourceChange> {
        match self.rows.get(row)? {
            TreeRow::Change { index, .. } => self.listed().get(*index),
            TreeRow::Module { .. } => None,
        }
    }
}

/// The connected directory.
pub struct Connection {
    workdir: Workdir,
    version: String,
    initialised: bool,
}

// ---- messages from background work --------------------------------------------------------

/// What the provisioning view's work sends back to it.
pub enum TfMsg {
    /// One event of a running operation.
    Event(OpEvent),
    /// An operation started: its canceller.
    Started(OpStarted),
    /// The directory was opened (or could not be).
    Connected(Result<(Connection, Vec<Workspace>), UiError>),
    Workspaces(Result<Vec<Workspace>, UiError>),
    State(Result<(Vec<String>, Vec<OutputValue>), UiError>),
    /// An init ended.
    Done {
        id: u64,
        result: Result<String, String>,
    },
    /// A plan ended and was read back for review.
    PlanReviewed {
        id: u64,
        result: Result<(PlanFile, Plan), String>,
    },
    /// An apply ended (or was refused before it started).
    ApplyDone(ApplyDone),
}

pub struct ProvisioningView {
    pane: Pane,
    /// `P` plans refresh-only (drift) instead of a normal plan.
    drift_mode: bool,
    /// Start a drift check as soon as the directory is connected (`:drift`).
    auto_plan: bool,
    target: Option<Target>,
    context: String,
    read_only: bool,
    connection: Option<Connection>,
    connecting: bool,
    /// What connecting is doing, shown while it runs (the first demo creates a venv).
    connecting_note: &'static str,
    workspaces: Vec<Workspace>,
    workspace_row: usize,
    state: Option<(Vec<String>, Vec<OutputValue>)>,
    op: Option<Op>,
    /// The last apply, kept when a later operation (a drift check, a plan) takes `op`: its
    /// progress and errors stay on the apply pane.
    last_apply: Option<Op>,
    next_op: u64,
    review: Option<Review>,
    /// Counts of the last finished plan, for the home pane.
    last_plan: Option<String>,
    tree_row: usize,
    all_attributes: bool,
    scroll: u16,
    load: LoadState,
}

impl ProvisioningView {
    /// The view of `context`'s Terraform (its settings, the sandbox demo, or how to
    /// configure it), on `pane`.
    pub fn new(target: Option<Target>, context: &str, read_only: bool, pane: Pane) -> Self {
        Self {
            pane,
            drift_mode: false,
            auto_plan: false,
            target,
            context: context.to_string(),
            read_only,
            connection: None,
            connecting: false,
            connecting_note: "finding Terraform…",
            workspaces: Vec::new(),
            workspace_row: 0,
            state: None,
            op: None,
            last_apply: None,
            next_op: 0,
            review: None,
            last_plan: None,
            tree_row: 0,
            all_attributes: false,
            scroll: 0,
            load: LoadState::default(),
        }
    }

    /// The drift screen: refresh-only plans, one started once connected.
    pub fn drift(mut self) -> Self {
        self.drift_mode = true;
        self.auto_plan = true;
        self
    }

    /// A plan already reviewed (snapshots, local files): shown, never applicable.
    pub fn reviewing(mut self, plan: Plan, refresh_only: bool) -> Self {
        self.last_plan = Some(tree::counts_text(&plan.counts()));
        self.review = Some(Review::new(None, refresh_only, plan));
        self.tree_row = self.first_change_row();
        self.pane = Pane::Plan;
        self
    }

    /// An operation whose events are already known (snapshots, recorded streams).
    pub fn with_events<'a>(
        mut self,
        kind: OpKind,
        events: impl IntoIterator<Item = &'a RunEvent>,
        result: Option<Result<String, String>>,
    ) -> Self {
        let mut op = Op::new(0, kind, None);
        for event in events {
            op.progress.apply_run_event(event);
        }
        op.result = result;
        self.op = Some(op);
        self.pane = match kind {
            OpKind::Init => Pane::Home,
            OpKind::Plan { .. } => Pane::Plan,
            OpKind::Apply => Pane::Apply,
        };
        self
    }

    /// Moves the plan tree's selection to `address` (snapshots).
    pub fn select(&mut self, address: &str) {
        if let Some(review) = &self.review {
            if let Some(i) = (0..review.rows.len())
                .find(|&i| review.change_at(i).is_some_and(|c| c.address == address))
            {
                self.tree_row = i;
            }
        }
    }

    pub fn pane(&self) -> Pane {
        self.pane
    }

    pub fn operation(&self) -> Option<&Op> {
        self.op.as_ref()
    }

    pub fn review(&self) -> Option<&Review> {
        self.review.as_ref()
    }

    /// Whether ctrl-a would offer an apply now: a plan file on screen that changes something.
    pub fn can_apply(&self) -> bool {
        self.pane == Pane::Plan
            && !self.op.as_ref().is_some_and(Op::running)
            && self
                .review
                .as_ref()
                .is_some_and(|r| r.file.is_some() && r.changes_something())
    }

    fn first_change_row(&self) -> usize {
        self.review
            .as_ref()
            .and_then(|r| (0..r.rows.len()).find(|&i| r.change_at(i).is_some()))
            .unwrap_or(0)
    }

    fn current_workspace(&self) -> String {
        self.workspaces
            .iter()
            .find(|w| w.current)
            .map_or_else(|| "default".to_string(), |w| w.name.clone())
    }

    fn connect(&mut self, cx: &mut Cx<TfMsg>) {
        let Some(target) = self.target.clone() else {
            return;
        };
        if self.connecting {
            return;
        }
        self.connecting = true;
        self.connecting_note = match target.demo && !crate::terraform::target::provider_ready() {
            true => {
                "preparing the sandbox demo: creating .venv/tfprovider for its test provider \
                 (about 30 s, the first time only)…"
            }
            false => "finding Terraform…",
        };
        self.load.start();
        cx.spawn_keyed("connect", async move {
            let result = async {
                let workdir = target.open().await?;
                let version = workdir
                    .terraform()
                    .version()
                    .map(|v| format!("{:?} {}", v.program, v.version))
                    .unwrap_or_default();
                let initialised = workdir.dir().join(".terraform").is_dir();
                let workspaces = actions::read_when_free(|| workdir.workspaces())
                    .await
                    .unwrap_or_default();
                let connection = Connection {
                    workdir,
                    version,
                    initialised,
                };
                Ok((connection, workspaces))
            }
            .await;
            TfMsg::Connected(result)
        });
    }

    fn reload(&mut self, cx: &mut Cx<TfMsg>) {
        let Some(connection) = &self.connection else {
            return self.connect(cx);
        };
        if self.op.as_ref().is_some_and(Op::running) {
            return;
        }
        let workdir = connection.workdir.clone();
        cx.spawn_keyed("workspaces", async move {
            let listed = actions::read_when_free(|| workdir.workspaces()).await;
            TfMsg::Workspaces(listed.map_err(UiError::from))
        });
        if self.pane == Pane::State {
            let workdir = connection.workdir.clone();
            self.load.start();
            cx.spawn_keyed("state", async move {
                let result = async {
                    let resources = actions::read_when_free(|| workdir.state_list()).await?;
                    let outputs = actions::read_when_free(|| workdir.outputs()).await?;
                    Ok::<_, crate::terraform::TerraformError>((resources, outputs))
                }
                .await;
                TfMsg::State(result.map_err(UiError::from))
            });
        }
    }

    /// Starts init or a plan (apply starts through the gate, see [`actions`]).
    fn start(&mut self, kind: OpKind, cx: &mut Cx<TfMsg>) -> Outcome {
        let Some(connection) = &self.connection else {
            return Outcome::Flash(Err(match self.target {
                Some(_) => "still connecting to Terraform…".into(),
                None => "no Terraform configured for this context (see this screen)".into(),
            }));
        };
        if let Some(op) = self.op.as_ref().filter(|op| op.running()) {
            return Outcome::Flash(Err(format!(
                "{} is running: wait for it, or ctrl-k cancels it",
                op.kind.name()
            )));
        }
        if matches!(kind, OpKind::Plan { .. }) && !connection.initialised {
            return Outcome::Flash(Err(
                "the directory is not initialised: press I (init) first".into(),
            ));
        }
        let workdir = connection.workdir.clone();
        self.next_op += 1;
        let id = self.next_op;
        match kind {
            OpKind::Init => {
                cx.spawn_stream("operation", |reply: Reply| async move {
                    let result = actions::run_operation(|| workdir.init(), id, &reply).await;
                    reply.send(TfMsg::Done {
                        id,
                        result: result
                            .map(|()| "Terraform initialised".to_string())
                            .map_err(|e| e.to_string()),
                    });
                });
                self.pane = Pane::Home;
            }
            OpKind::Plan { refresh_only } => {
                // a new plan invalidates the one on screen
                if let Some(file) = self.review.take().and_then(|r| r.file) {
                    let _ = file.discard();
                }
                let options = PlanOptions {
                    refresh_only,
                    ..PlanOptions::default()
                };
                cx.spawn_stream("operation", |reply: Reply| async move {
                    let planned =
                        actions::run_operation(|| workdir.plan(&options), id, &reply).await;
                    let result = match planned {
                        Ok(file) => match workdir.show(&file).await {
                            Ok(plan) => Ok((file, plan)),
                            Err(e) => Err(e.to_string()),
                        },
                        Err(e) => Err(e.to_string()),
                    };
                    reply.send(TfMsg::PlanReviewed { id, result });
                });
                self.pane = Pane::Plan;
            }
            OpKind::Apply => return Outcome::Ignored,
        }
        if let Some(apply) = self.op.take().filter(|op| op.kind == OpKind::Apply) {
            self.last_apply = Some(apply);
        }
        self.op = Some(Op::new(id, kind, None));
        self.scroll = 0;
        Outcome::Handled
    }

    fn apply(&mut self, cx: &Cx<TfMsg>) -> Outcome {
        // a read-only context gets here too: the gate refuses and records it
        if !self.can_apply() {
            return Outcome::Flash(Err(
                "nothing to apply: press P to plan, review the changes here, then ctrl-a".into(),
            ));
        }
        let (Some(connection), Some(review)) = (&self.connection, &self.review) else {
            return Outcome::Ignored;
        };
        let Some(file) = review.file.clone() else {
            return Outcome::Ignored;
        };
        self.next_op += 1;
        Outcome::Act(actions::apply_request(
            connection.workdir.clone(),
            file,
            &review.plan,
            &self.current_workspace(),
            self.next_op,
            cx.mailbox(),
        ))
    }

    fn cancel(&mut self) -> Outcome {
        match self.op.as_mut().filter(|op| op.running()) {
            Some(Op {
                canceller: None, ..
            }) => Outcome::Flash(Err(
                "the operation is still starting: press ctrl-k again".into()
            )),
            Some(op) => {
                if let Some(c) = &op.canceller {
                    c.cancel();
                }
                op.interrupted = true;
                Outcome::Flash(Ok(format!(
                    "interrupting {} (Terraform stops gracefully; ctrl-k again kills it)",
                    op.kind.name()
                )))
            }
            None => Outcome::Flash(Err("no operation is running".into())),
        }
    }

    fn move_selection(&mut self, cmd: Cmd) -> Outcome {
        let step = |at: usize, len: usize| -> usize {
            let last = len.saturating_sub(1);
            match cmd {
                Cmd::Down => (at + 1).min(last),
                Cmd::Up => at.saturating_sub(1),
                Cmd::PageDown => (at + 10).min(last),
                Cmd::PageUp => at.saturating_sub(10),
                Cmd::Top => 0,
                _ => last,
            }
        };
        match self.pane {
            Pane::Plan if self.review.is_some() && !self.op.as_ref().is_some_and(Op::running) => {
                let len = self.review.as_ref().map_or(0, |r| r.rows.len());
                self.tree_row = step(self.tree_row, len);
            }
            Pane::Workspaces => {
                self.workspace_row = step(self.workspace_row, self.workspaces.len())
            }
            _ => {
                self.scroll = step(self.scroll as usize, u16::MAX as usize) as u16;
            }
        }
        Outcome::Handled
    }

    fn on_op_event(&mut self, id: u64, event: RunEvent) {
        let Some(op) = self.op.as_mut().filter(|op| op.id == id) else {
            return;
        };
        if let RunEvent::Finished(f) = &event {
            op.elapsed_seconds = Some(f.elapsed.as_secs());
        }
        op.progress.apply_run_event(&event);
    }

    fn finish_op(&mut self, id: u64, result: Result<String, String>) {
        if let Some(op) = self.op.as_mut().filter(|op| op.id == id) {
            op.elapsed_seconds
                .get_or_insert(op.started.elapsed().as_secs());
            op.result = Some(result);
        }
    }
}

impl ProvisioningView {
    fn on_connected(
        &mut self,
        result: Result<(Connection, Vec<Workspace>), UiError>,
        cx: &mut Cx<TfMsg>,
    ) {
        self.connecting = false;
        match result {
            Ok((connection, workspaces)) => {
                self.connection = Some(connection);
                self.workspaces = workspaces;
                self.load.finish(Local::now());
                if std::mem::take(&mut self.auto_plan) {
                    let outcome = self.start(OpKind::Plan { refresh_only: true }, cx);
                    if let Outcome::Flash(Err(e)) = outcome {
                        self.load.fail(e);
                    }
                }
                if self.pane == Pane::State {
                    self.reload(cx);
                }
            }
            Err(e) => self.load.fail(e),
        }
    }

    fn on_plan_reviewed(&mut self, id: u64, result: Result<(PlanFile, Plan), String>) {
        if self.op.as_ref().is_none_or(|op| op.id != id) {
            if let Ok((file, _)) = result {
                let _ = file.discard();
            }
            return;
        }
        let message = match result {
            Ok((file, plan)) => {
                let refresh_only = file.refresh_only;
                let counts = tree::counts_text(&plan.counts());
                let message = match refresh_only {
                    true => format!("{} change(s) outside Terraform", plan.drift.len()),
                    false => format!("Plan: {counts}"),
                };
                if !refresh_only {
                    self.last_plan = Some(counts);
                }
                self.review = Some(Review::new(Some(file), refresh_only, plan));
                self.tree_row = self.first_change_row();
                Ok(message)
            }
            Err(e) => Err(e),
        };
        self.finish_op(id, message);
    }

    fn on_started(&mut self, started: OpStarted) {
        match self.op.as_mut().filter(|op| op.id == started.id) {
            Some(op) => op.canceller = Some(started.canceller),
            None => {
                // an apply (started by the gate's work): the reviewed plan is being applied
                // and is never offered again
                self.review = None;
                self.op = Some(Op::new(started.id, OpKind::Apply, Some(started.canceller)));
                self.pane = Pane::Apply;
                self.scroll = 0;
            }
        }
    }

    fn on_apply_done(&mut self, done: ApplyDone) {
        let result = done.result.map(|r| match r.summary {
            Some(s) => format!("Apply complete: {}", tree::summary_text(&s)),
            None => "Apply complete".into(),
        });
        if self.op.as_ref().is_none_or(|op| op.id != done.id) {
            // refused before it started (e.g. a foreign plan): show why
            let mut op = Op::new(done.id, OpKind::Apply, None);
            op.result = Some(result);
            self.op = Some(op);
            self.review = None;
            self.pane = Pane::Apply;
        } else {
            self.finish_op(done.id, result);
        }
    }
}

impl Drop for ProvisioningView {
    /// Leaving the view interrupts its running operation (as Ctrl-C would).
    fn drop(&mut self) {
        if let Some(c) = self
            .op
            .as_ref()
            .filter(|op| op.running())
            .and_then(|op| op.canceller.as_ref())
        {
            c.cancel();
        }
    }
}

impl View for ProvisioningView {
    type Msg = TfMsg;

    fn animating(&self) -> bool {
        self.op.as_ref().is_some_and(Op::running)
    }

    fn title(&self) -> String {
        match self.drift_mode {
            true => format!("terraform {} (drift)", self.pane.name()),
            false => format!("terraform {}", self.pane.name()),
        }
    }

    fn render(&mut self, frame: &mut Frame, area: Rect, cx: &RenderCx) {
        let theme = cx.theme;
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border)
            .title(Span::styled(
                format!(" Provisioning · {} ", self.pane.name()),
                theme.title,
            ));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let header = self.header_lines(theme);
        let [top, body] = Layout::vertical([
            Constraint::Length(header.len() as u16 + 1),
            Constraint::Min(1),
        ])
        .areas(inner);
        frame.render_widget(Paragraph::new(header), top);
        if self.target.is_none() {
            return self.draw_lines(frame, body, panes::unconfigured_lines(&self.context, theme));
        }
        match self.pane {
            Pane::Plan => self.draw_plan(frame, body, theme),
            Pane::Home => {
                let lines = self.home_lines(theme);
                self.draw_lines(frame, body, lines)
            }
            Pane::Apply => {
                let lines = self.apply_lines(theme);
                self.draw_lines(frame, body, lines)
            }
            Pane::State => {
                let lines = self.state_lines(theme);
                self.draw_lines(frame, body, lines)
            }
            Pane::Workspaces => self.draw_workspaces(frame, body, theme),
        }
    }

    fn on_key(
        &mut self,
        _key: crossterm::event::KeyEvent,
        cmd: Option<Cmd>,
        cx: &mut Cx<TfMsg>,
    ) -> Outcome {
        let Some(cmd) = cmd else {
            return Outcome::Ignored;
        };
        match cmd {
            Cmd::Init => self.start(OpKind::Init, cx),
            Cmd::Plan => self.start(
                OpKind::Plan {
                    refresh_only: self.drift_mode,
                },
                cx,
            ),
            Cmd::Apply => self.apply(cx),
            Cmd::Stop => self.cancel(),
            Cmd::ToggleAll => {
                self.drift_mode = !self.drift_mode;
                Outcome::Flash(Ok(match self.drift_mode {
                    true => "P now checks drift (refresh-only plan)".into(),
                    false => "P now plans changes".into(),
                }))
            }
            Cmd::SwitchView => {
                self.pane = self.pane.next();
                self.scroll = 0;
                self.reload(cx);
                Outcome::Handled
            }
            Cmd::Detail => {
                self.all_attributes = !self.all_attributes;
                Outcome::Handled
            }
            Cmd::Enter if self.pane == Pane::Workspaces => {
                let (Some(connection), Some(ws)) =
                    (&self.connection, self.workspaces.get(self.workspace_row))
                else {
                    return Outcome::Handled;
                };
                if ws.current {
                    return Outcome::Flash(Ok(format!("{} is the current workspace", ws.name)));
                }
                Outcome::Act(actions::select_workspace_request(
                    connection.workdir.clone(),
                    ws.name.clone(),
                ))
            }
            Cmd::Back => match self.op.as_ref().filter(|op| op.running()) {
                Some(op) => Outcome::Flash(Err(format!(
                    "{} is running: ctrl-k cancels it before leaving",
                    op.kind.name()
                ))),
                None => Outcome::Ignored,
            },
            Cmd::Up | Cmd::Down | Cmd::PageUp | Cmd::PageDown | Cmd::Top | Cmd::Bottom => {
                self.move_selection(cmd)
            }
            _ => Outcome::Ignored,
        }
    }

    fn refresh(&mut self, cx: &mut Cx<TfMsg>) {
        self.reload(cx);
    }

    fn update(&mut self, message: TfMsg, cx: &mut Cx<TfMsg>) -> Outcome {
        match message {
            TfMsg::Event(e) => self.on_op_event(e.id, e.event),
            TfMsg::Connected(result) => self.on_connected(result, cx),
            TfMsg::PlanReviewed { id, result } => self.on_plan_reviewed(id, result),
            TfMsg::Done { id, result } => {
                if let (Some(op), Ok(_)) = (&self.op, &result) {
                    if op.id == id && op.kind == OpKind::Init {
                        if let Some(c) = self.connection.as_mut() {
                            c.initialised = true;
                        }
                    }
                }
                self.finish_op(id, result);
                self.reload(cx);
            }
            TfMsg::Started(s) => self.on_started(s),
            TfMsg::ApplyDone(d) => self.on_apply_done(d),
            TfMsg::Workspaces(listed) => {
                if let Ok(list) = listed {
                    self.workspaces = list;
                    self.workspace_row = self
                        .workspace_row
                        .min(self.workspaces.len().saturating_sub(1));
                }
            }
            TfMsg::State(result) => match result {
                Ok(state) => {
                    self.state = Some(state);
                    self.load.finish(Local::now());
                }
                Err(e) => self.load.fail(e),
            },
        }
        Outcome::Handled
    }

    fn keys(&self) -> Vec<KeyHelp> {
        vec![
            KeyHelp::new(
                Cmd::Init,
                "terraform init (progress and errors on the home pane)",
            ),
            KeyHelp::new(
                Cmd::Plan,
                "plan (or check drift in drift mode), then review it",
            ),
            KeyHelp::new(
                Cmd::Apply,
                "apply the plan on screen (asks; destroys: type the workspace)",
            ),
            KeyHelp::new(Cmd::Stop, "interrupt the running operation (twice: kill)"),
            KeyHelp::new(Cmd::ToggleAll, "drift mode: P runs a refresh-only plan"),
            KeyHelp::new(
                Cmd::SwitchView,
                "next pane: home, plan, apply, state, workspaces",
            ),
            KeyHelp::new(Cmd::Detail, "all attributes / only the changed ones"),
            KeyHelp::new(Cmd::Enter, "select the workspace (workspaces pane)"),
        ]
    }

    fn load_state(&self) -> &LoadState {
        &self.load
    }

    fn auto_refresh(&self) -> bool {
        false
    }
}
