//! The contract between the app and its views. A view owns the state of one screen (a table of
//! buckets, an object preview…), renders it as a pure function of that state, and asks for remote
//! data through [`Cx::spawn`]: the work runs on the tokio runtime and its result comes back to
//! [`View::on_data`] as a message. Views never await anything themselves.

use std::any::Any;
use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, Local};
use ratatui::layout::Rect;
use ratatui::Frame;
use tokio::sync::mpsc::UnboundedSender;

use super::keys::Cmd;
use super::message::{Msg, ViewId};
use crate::clients::Clients;
use crate::config::Context;
use crate::gate::{ActionRequest, Gate};
use crate::theme::Theme;

/// What the views may use from the app: the current context, its clients and its gate.
pub struct Env {
    pub context: Context,
    /// `None` while the context's clients are being built.
    pub clients: Option<Arc<Clients>>,
    pub gate: Arc<Gate>,
    pub contexts: Vec<Context>,
    /// Views holding remote lines (logs) keep at most this many (config `log_line_cap`).
    pub log_line_cap: usize,
}

/// Per-call handle a view uses to start background work.
pub struct Cx<'a> {
    pub view: ViewId,
    pub env: &'a Env,
    pub tx: &'a UnboundedSender<Msg>,
}

impl Cx<'_> {
    /// Runs `work` on the runtime; its output arrives later in this view's `on_data`.
    pub fn spawn<T, F>(&self, work: F)
    where
        T: Send + 'static,
        F: Future<Output = T> + Send + 'static,
    {
        let tx = self.tx.clone();
        let view = self.view;
        tokio::spawn(async move {
            let payload: Box<dyn Any + Send> = Box::new(work.await);
            // The app may have quit; then nobody needs the result.
            let _ = tx.send(Msg::Data { view, payload });
        });
    }

    /// Runs `work` on the runtime and handles the outcome it returns as if this view had returned
    /// it from a key (push a view, ask the gate to confirm an action after a dry run…). Dropped if
    /// the view was closed meanwhile.
    pub fn spawn_outcome<F>(&self, work: F)
    where
        F: Future<Output = Outcome> + Send + 'static,
    {
        let tx = self.tx.clone();
        let view = self.view;
        tokio::spawn(async move {
            let outcome = work.await;
            let _ = tx.send(Msg::Outcome { view, outcome });
        });
    }

    pub fn sender(&self) -> UnboundedSender<Msg> {
        self.tx.clone()
    }

    pub fn clients(&self) -> Option<Arc<Clients>> {
        self.env.clients.clone()
    }
}

/// Rendering inputs that are not the view's own state.
pub struct RenderCx<'a> {
    pub theme: &'a Theme,
    pub now: DateTime<Local>,
}

/// Where a view's data stands; shown in the view and the status bar.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoadState {
    pub loading: bool,
    pub loaded_at: Option<DateTime<Local>>,
    pub error: Option<String>,
}

impl LoadState {
    pub fn start(&mut self) {
        self.loading = true;
    }

    pub fn finish(&mut self, now: DateTime<Local>) {
        self.loading = false;
        self.loaded_at = Some(now);
        self.error = None;
    }

    pub fn fail(&mut self, error: String) {
        self.loading = false;
        self.error = Some(error);
    }

    /// Data is on screen but the last refresh failed.
    pub fn is_stale(&self) -> bool {
        self.error.is_some() && self.loaded_at.is_some()
    }
}

/// One line of the help: a bound command (shown with its current keys) or a key a view reads
/// directly (e.g. `n`/`N` in the log viewer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyHelp {
    pub key: HelpKey,
    pub about: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HelpKey {
    Cmd(Cmd),
    Raw(&'static str),
}

impl KeyHelp {
    pub fn new(cmd: Cmd, about: &'static str) -> Self {
        Self {
            key: HelpKey::Cmd(cmd),
            about,
        }
    }

    pub fn raw(key: &'static str, about: &'static str) -> Self {
        Self {
            key: HelpKey::Raw(key),
            about,
        }
    }
}

/// App-level requests that are not a view of their own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppCommand {
    SwitchContext(String),
    Quit,
}

/// A one-line question (a local path, a name) whose answer becomes the next outcome.
pub struct Prompt {
    pub title: String,
    pub initial: String,
    pub on_submit: Box<dyn FnOnce(String) -> Outcome + Send>,
}

impl Prompt {
    pub fn new(
        title: impl Into<String>,
        initial: impl Into<String>,
        on_submit: impl FnOnce(String) -> Outcome + Send + 'static,
    ) -> Self {
        Self {
            title: title.into(),
            initial: initial.into(),
            on_submit: Box::new(on_submit),
        }
    }
}

/// What a view wants after a key press.
pub enum Outcome {
    /// Not for this view: the app may try its global meaning.
    Ignored,
    Handled,
    Push(Box<dyn View>),
    Pop,
    /// A mutating action: goes to the action gate.
    Act(ActionRequest),
    Ask(Prompt),
    /// A short message for the status line (errors are `Err`).
    Flash(Result<String, String>),
    App(AppCommand),
}

pub trait View: Send {
    /// Breadcrumb label.
    fn title(&self) -> String;

    fn render(&mut self, frame: &mut Frame, area: Rect, cx: &RenderCx);

    /// `cmd` is the key resolved through the key map, if it is bound.
    fn on_key(&mut self, key: crossterm::event::KeyEvent, cmd: Option<Cmd>, cx: &mut Cx)
        -> Outcome;

    /// (Re)load the view's data. Called when the view opens, on refresh and on auto-refresh.
    fn refresh(&mut self, cx: &mut Cx);

    /// A result of work started with [`Cx::spawn`].
    fn on_data(&mut self, payload: Box<dyn Any + Send>, cx: &mut Cx);

    /// The keys this view adds to the global ones, for `?`.
    fn keys(&self) -> Vec<KeyHelp> {
        Vec::new()
    }

    fn load_state(&self) -> &LoadState;

    /// Views with a filterable list return true and apply `set_filter`.
    fn supports_filter(&self) -> bool {
        false
    }

    fn set_filter(&mut self, _filter: &str) {}

    fn filter(&self) -> &str {
        ""
    }

    /// Views that hold remote lines keep at most `cap` of them; called when the view opens.
    fn set_line_cap(&mut self, _cap: usize) {}

    /// Something on screen moves by itself (an elapsed-time counter of a running operation):
    /// the app redraws twice a second while this is true.
    fn animating(&self) -> bool {
        false
    }

    /// Whether the app should call `refresh` on every auto-refresh tick.
    fn auto_refresh(&self) -> bool {
        true
    }
}
