//! The contract between the app and its views. A view owns the state of one screen (a table of
//! buckets, an object preview…), renders it as a pure function of that state, and asks for remote
//! data through [`Cx::spawn`]: the work runs on the tokio runtime, owned by the view, and its
//! result comes back to [`View::update`] as the view's own message type. Views never await
//! anything themselves.
//!
//! Ownership of work: every task a view starts is held by the view's [`Tasks`]. Closing the view
//! (esc, a `:` jump, a context switch) aborts them; a keyed task ([`Cx::spawn_keyed`]) replaces
//! the previous task of that key, so a refresh cancels the fetch it makes stale.
//!
//! This module knows nothing of the app's own message type: the app reaches in through
//! [`AppLink`], which it implements (see `app::message`).

use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use chrono::{DateTime, Local};
use futures::future::BoxFuture;
use ratatui::layout::Rect;
use ratatui::Frame;
use tokio::task::AbortHandle;

use super::keys::Cmd;
use crate::clients::Clients;
use crate::config::Context;
use crate::errors::UiError;
use crate::gate::{ActionRequest, Gate};
use crate::theme::Theme;

/// Identifies one open view for as long as it is open.
pub type ViewId = u64;

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

/// How background work reaches the app. The app implements it over its channel.
pub trait AppLink: Send + Sync {
    /// View `view` has messages waiting in its mailbox; false once the app is gone.
    fn wake(&self, view: ViewId) -> bool;
    /// What background work of view `view` decided, handled as if the view had returned it.
    fn outcome(&self, view: ViewId, outcome: Outcome) -> bool;
}

/// The tasks a view owns. Dropping the set (the view closed) aborts every task still running.
#[derive(Default)]
pub struct Tasks {
    running: Vec<(Option<String>, AbortHandle)>,
}

impl Tasks {
    /// Starts `work`; with a key, the previous task of the same key is aborted first
    /// (latest job wins).
    pub fn spawn<F>(&mut self, key: Option<String>, work: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        self.running.retain(|(_, handle)| !handle.is_finished());
        if let Some(key) = &key {
            self.cancel(key);
        }
        let handle = tokio::spawn(work).abort_handle();
        self.running.push((key, handle));
    }

    /// Aborts the task of `key`, if one runs.
    pub fn cancel(&mut self, key: &str) {
        self.running.retain(|(k, handle)| {
            let stale = k.as_deref() == Some(key);
            if stale {
                handle.abort();
            }
            !stale
        });
    }

    /// Aborts everything (the view's data is about to be rebuilt from scratch).
    pub fn cancel_all(&mut self) {
        for (_, handle) in self.running.drain(..) {
            handle.abort();
        }
    }

    /// How many tasks are still running.
    pub fn running(&self) -> usize {
        self.running
            .iter()
            .filter(|(_, h)| !h.is_finished())
            .count()
    }
}

impl Drop for Tasks {
    fn drop(&mut self) {
        self.cancel_all();
    }
}

/// Where messages for one view go. Cheap to clone; a mapped mailbox wraps a child's messages
/// into its parent's type. Sending fails once the view is closed (stop producing then).
pub struct Mailbox<M> {
    post: Arc<dyn Fn(M) -> bool + Send + Sync>,
}

impl<M> Clone for Mailbox<M> {
    fn clone(&self) -> Self {
        Self {
            post: Arc::clone(&self.post),
        }
    }
}

impl<M: Send + 'static> Mailbox<M> {
    pub fn new(post: impl Fn(M) -> bool + Send + Sync + 'static) -> Self {
        Self {
            post: Arc::new(post),
        }
    }

    /// Delivers `message`; false once nobody listens any more.
    pub fn send(&self, message: M) -> bool {
        (self.post)(message)
    }

    /// A mailbox for a part of this view whose messages are wrapped by `wrap`.
    pub fn map<N: Send + 'static>(
        &self,
        wrap: impl Fn(N) -> M + Send + Sync + 'static,
    ) -> Mailbox<N> {
        let outer = self.clone();
        Mailbox::new(move |message| outer.send(wrap(message)))
    }
}

/// What every handler of a view gets, whatever its message type: the environment, and a way
/// to start work owned by the view whose result is an [`Outcome`].
pub struct Ctx<'a> {
    pub view: ViewId,
    pub env: &'a Env,
    link: &'a Arc<dyn AppLink>,
    tasks: &'a mut Tasks,
    /// Prefix of task keys, so parts of one view (two tables) never cancel each other's work.
    scope: String,
}

impl<'a> Ctx<'a> {
    pub fn new(
        view: ViewId,
        env: &'a Env,
        link: &'a Arc<dyn AppLink>,
        tasks: &'a mut Tasks,
    ) -> Self {
        Self {
            view,
            env,
            link,
            tasks,
            scope: String::new(),
        }
    }

    pub fn clients(&self) -> Option<Arc<Clients>> {
        self.env.clients.clone()
    }

    /// Runs `work`, owned by this view; the outcome it returns is handled as if the view had
    /// returned it from a key (push a view, confirm an action after a dry run, a message).
    pub fn spawn_outcome<F>(&mut self, work: F)
    where
        F: Future<Output = Outcome> + Send + 'static,
    {
        let (link, view) = (Arc::clone(self.link), self.view);
        self.tasks.spawn(None, async move {
            let outcome = work.await;
            link.outcome(view, outcome);
        });
    }

    fn scoped(&self, key: &str) -> String {
        format!("{}{key}", self.scope)
    }

    /// Aborts the view's task of `key` (see [`Cx::spawn_keyed`]).
    pub fn cancel(&mut self, key: &str) {
        let key = self.scoped(key);
        self.tasks.cancel(&key);
    }
}

/// A handler's context for a view whose messages are `M`: [`Ctx`] plus the view's mailbox.
pub struct Cx<'a, M> {
    ctx: Ctx<'a>,
    mailbox: Mailbox<M>,
}

impl<'a, M> Deref for Cx<'a, M> {
    type Target = Ctx<'a>;
    fn deref(&self) -> &Ctx<'a> {
        &self.ctx
    }
}

impl<M> DerefMut for Cx<'_, M> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.ctx
    }
}

impl<'a, M: Send + 'static> Cx<'a, M> {
    pub fn new(ctx: Ctx<'a>, mailbox: Mailbox<M>) -> Self {
        Self { ctx, mailbox }
    }

    /// Runs `work` on the runtime, owned by this view; its output arrives in `update`.
    pub fn spawn<F>(&mut self, work: F)
    where
        F: Future<Output = M> + Send + 'static,
    {
        let mailbox = self.mailbox.clone();
        self.ctx.tasks.spawn(None, async move {
            mailbox.send(work.await);
        });
    }

    /// As [`Cx::spawn`], replacing (aborting) the view's previous task of the same `key`.
    pub fn spawn_keyed<F>(&mut self, key: &str, work: F)
    where
        F: Future<Output = M> + Send + 'static,
    {
        let mailbox = self.mailbox.clone();
        let key = self.ctx.scoped(key);
        self.ctx.tasks.spawn(Some(key), async move {
            mailbox.send(work.await);
        });
    }

    /// Runs `work` (which sends its own messages, e.g. page by page) under `key`, replacing the
    /// view's previous task of that key.
    pub fn spawn_stream<F>(&mut self, key: &str, work: impl FnOnce(Mailbox<M>) -> F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let key = self.ctx.scoped(key);
        let future = work(self.mailbox.clone());
        self.ctx.tasks.spawn(Some(key), future);
    }

    /// The view's mailbox, for work that reports more than once or answers a prompt.
    pub fn mailbox(&self) -> Mailbox<M> {
        self.mailbox.clone()
    }

    /// The context of a part of this view (a table inside a screen) whose messages are
    /// wrapped by `wrap`; its task keys live under `scope`.
    pub fn part<N: Send + 'static>(
        &mut self,
        scope: &str,
        wrap: impl Fn(N) -> M + Send + Sync + 'static,
    ) -> Cx<'_, N> {
        Cx {
            ctx: Ctx {
                view: self.ctx.view,
                env: self.ctx.env,
                link: self.ctx.link,
                tasks: &mut *self.ctx.tasks,
                scope: format!("{}{scope}/", self.ctx.scope),
            },
            mailbox: self.mailbox.map(wrap),
        }
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
    pub error: Option<UiError>,
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

    pub fn fail(&mut self, error: impl Into<UiError>) {
        self.loading = false;
        self.error = Some(error.into());
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
    /// Rebuild the current context's clients for another region.
    SwitchRegion(String),
    Quit,
    /// Put this on the user's clipboard (OSC 52).
    Copy(crate::views::selection::Copied),
    /// Open this page in a browser, or show it when there is none.
    OpenUrl(String),
}

/// A one-line question (a local path, a name) whose answer becomes the next outcome.
pub struct Prompt {
    pub title: String,
    pub initial: String,
    pub editing: Editing,
    /// Which earlier answers up/down recall; the title unless set.
    pub history: String,
    pub on_submit: Box<dyn FnOnce(String) -> Outcome + Send>,
}

/// What a prompt edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Editing {
    /// One line (scrolls sideways).
    Line,
    /// A local path: Tab completes it from the folder's entries.
    Path,
    /// Several lines (SQL, JSON): `alt-enter`/`ctrl-j` start a new line.
    Text,
}

impl Prompt {
    pub fn new(
        title: impl Into<String>,
        initial: impl Into<String>,
        on_submit: impl FnOnce(String) -> Outcome + Send + 'static,
    ) -> Self {
        let title = title.into();
        Self {
            history: title.clone(),
            title,
            initial: initial.into(),
            editing: Editing::Line,
            on_submit: Box::new(on_submit),
        }
    }

    /// The answer is a local path (Tab completes it).
    pub fn path(mut self) -> Self {
        self.editing = Editing::Path;
        self
    }

    /// The answer may take several lines.
    pub fn text(mut self) -> Self {
        self.editing = Editing::Text;
        self
    }

    /// Shares up/down history with the other prompts of this key.
    pub fn history(mut self, key: &str) -> Self {
        self.history = key.to_string();
        self
    }
}

/// What a view wants after a key press.
pub enum Outcome {
    /// Not for this view: the app may try its global meaning.
    Ignored,
    Handled,
    Push(BoxView),
    Pop,
    /// A mutating action: goes to the action gate.
    Act(ActionRequest),
    Ask(Prompt),
    /// A short message for the status line (errors are `Err`).
    Flash(Result<String, String>),
    App(AppCommand),
    /// Work to run in the background, owned by the current view; `note` is flashed meanwhile
    /// and the outcome `work` returns is handled when it ends (e.g. a prompt's answer that
    /// starts a dry run).
    Later {
        note: String,
        work: BoxFuture<'static, Outcome>,
    },
}

impl Outcome {
    /// Runs `work` in the background, owned by the current view, saying `note` meanwhile.
    pub fn later(
        note: impl Into<String>,
        work: impl Future<Output = Outcome> + Send + 'static,
    ) -> Self {
        Outcome::Later {
            note: note.into(),
            work: Box::pin(work),
        }
    }
}

/// A screen. `Msg` is what its background work sends back to it.
pub trait View: Send + 'static {
    type Msg: Send + 'static;

    /// Breadcrumb label.
    fn title(&self) -> String;

    fn render(&mut self, frame: &mut Frame, area: Rect, cx: &RenderCx);

    /// `cmd` is the key resolved through the key map, if it is bound.
    fn on_key(
        &mut self,
        key: crossterm::event::KeyEvent,
        cmd: Option<Cmd>,
        cx: &mut Cx<Self::Msg>,
    ) -> Outcome;

    /// (Re)load the view's data. Called when the view opens, on refresh and on auto-refresh.
    fn refresh(&mut self, cx: &mut Cx<Self::Msg>);

    /// A message from work the view started; what it asks for is handled as for a key
    /// (usually [`Outcome::Handled`]).
    fn update(&mut self, message: Self::Msg, cx: &mut Cx<Self::Msg>) -> Outcome;

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

pub use super::mount::{boxed, AnyView, BoxView, Mounted};

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    /// A task that counts its ticks until it is aborted.
    async fn ticking(counter: Arc<AtomicUsize>) {
        loop {
            counter.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    async fn settles(counter: &AtomicUsize) -> usize {
        tokio::time::sleep(Duration::from_millis(30)).await;
        let seen = counter.load(Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(60)).await;
        seen
    }

    #[tokio::test]
    async fn a_keyed_task_replaces_the_previous_one_of_its_key_only() {
        let (first, second, other) = (
            Arc::new(AtomicUsize::new(0)),
            Arc::new(AtomicUsize::new(0)),
            Arc::new(AtomicUsize::new(0)),
        );
        let mut tasks = Tasks::default();
        tasks.spawn(Some("fetch".into()), ticking(first.clone()));
        tasks.spawn(Some("chart".into()), ticking(other.clone()));
        tasks.spawn(Some("fetch".into()), ticking(second.clone()));
        assert_eq!(tasks.running(), 2);
        let stopped_at = settles(&first).await;
        assert_eq!(
            first.load(Ordering::SeqCst),
            stopped_at,
            "replaced: no more ticks"
        );
        assert!(second.load(Ordering::SeqCst) > 0 && other.load(Ordering::SeqCst) > 0);
    }

    #[tokio::test]
    async fn dropping_the_set_aborts_every_task() {
        let counter = Arc::new(AtomicUsize::new(0));
        let mut tasks = Tasks::default();
        tasks.spawn(None, ticking(counter.clone()));
        tasks.spawn(Some("fetch".into()), ticking(counter.clone()));
        tokio::time::sleep(Duration::from_millis(20)).await;
        drop(tasks);
        let stopped_at = settles(&counter).await;
        assert_eq!(counter.load(Ordering::SeqCst), stopped_at);
    }

    #[tokio::test]
    async fn a_mapped_mailbox_wraps_and_stops_when_nobody_listens() {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(u8, String)>();
        let outer = Mailbox::new(move |m| tx.send(m).is_ok());
        let inner = outer.map(|s: String| (7, s));
        assert!(inner.send("page".into()));
        assert_eq!(rx.recv().await, Some((7, "page".to_string())));
        drop(rx);
        assert!(!inner.send("late".into()), "the view is gone");
    }
}
