//! A view as the app holds it: the typed [`View`] with its own mailbox and the tasks it owns,
//! behind one object-safe trait ([`AnyView`]) so the stack can hold views of every type. The
//! app never sees a view's message type: work posts into the view's mailbox and wakes the app,
//! which asks the view to take its mail ([`AnyView::deliver`]).

use std::sync::Arc;

use crossterm::event::KeyEvent;
use ratatui::layout::Rect;
use ratatui::Frame;
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};

use super::keys::Cmd;
use super::message::Msg;
use super::view::{
    AppLink, Ctx, Cx, Env, KeyHelp, LoadState, Mailbox, Outcome, RenderCx, Tasks, View, ViewId,
};

/// A view ready for the stack.
pub type BoxView = Box<dyn AnyView>;

/// Wraps `view` for the stack (the app attaches it when it is pushed).
pub fn boxed<V: View>(view: V) -> BoxView {
    Box::new(Mounted::new(view))
}

/// What the app needs of any view, whatever its message type.
pub trait AnyView: Send {
    /// Called once, when the view is pushed: from now on its work can reach the app.
    fn attach(&mut self, id: ViewId, link: Arc<dyn AppLink>);
    fn id(&self) -> ViewId;
    fn title(&self) -> String;
    fn render(&mut self, frame: &mut Frame, area: Rect, cx: &RenderCx);
    fn on_key(&mut self, key: KeyEvent, cmd: Option<Cmd>, env: &Env) -> Outcome;
    fn refresh(&mut self, env: &Env);
    /// Hands the view every message waiting in its mailbox; what the view asked for in
    /// return (nothing is `Handled`/`Ignored`).
    fn deliver(&mut self, env: &Env) -> Vec<Outcome>;
    /// Runs `work` owned by this view (an [`Outcome::Later`]).
    fn spawn_outcome(&mut self, work: futures::future::BoxFuture<'static, Outcome>, env: &Env);
    /// How many of the view's tasks are still running.
    fn running_tasks(&self) -> usize;
    fn keys(&self) -> Vec<KeyHelp>;
    fn load_state(&self) -> &LoadState;
    fn supports_filter(&self) -> bool;
    fn set_filter(&mut self, filter: &str);
    fn filter(&self) -> &str;
    fn set_line_cap(&mut self, cap: usize);
    fn animating(&self) -> bool;
    fn auto_refresh(&self) -> bool;
}

/// A view's mailbox and the tasks it owns, wired to the app once attached. Dropping it aborts
/// the tasks.
pub struct Wiring<M> {
    id: ViewId,
    link: Option<Arc<dyn AppLink>>,
    inbox: UnboundedReceiver<M>,
    outbox: UnboundedSender<M>,
    tasks: Tasks,
}

impl<M: Send + 'static> Default for Wiring<M> {
    fn default() -> Self {
        let (outbox, inbox) = mpsc::unbounded_channel();
        Self {
            id: 0,
            link: None,
            inbox,
            outbox,
            tasks: Tasks::default(),
        }
    }
}

impl<M: Send + 'static> Wiring<M> {
    pub fn attach(&mut self, id: ViewId, link: Arc<dyn AppLink>) {
        self.id = id;
        self.link = Some(link);
    }

    /// Runs `f` with a handler context: work it starts is owned here and posts here.
    pub fn with_cx<T>(&mut self, env: &Env, f: impl FnOnce(&mut Cx<M>) -> T) -> T {
        let link = self
            .link
            .clone()
            .expect("a view is attached before it handles anything");
        let (outbox, id) = (self.outbox.clone(), self.id);
        let wake = Arc::clone(&link);
        let mailbox = Mailbox::new(move |message| outbox.send(message).is_ok() && wake.wake(id));
        let mut cx = Cx::new(Ctx::new(id, env, &link, &mut self.tasks), mailbox);
        f(&mut cx)
    }

    /// The next message waiting, if any.
    pub fn take(&mut self) -> Option<M> {
        self.inbox.try_recv().ok()
    }

    pub fn running_tasks(&self) -> usize {
        self.tasks.running()
    }
}

/// A view with its wiring. Dropping it aborts the view's tasks (after the view itself is
/// dropped, so a view can still interrupt what it runs, e.g. a Terraform plan).
pub struct Mounted<V: View> {
    view: V,
    wiring: Wiring<V::Msg>,
}

impl<V: View> Mounted<V> {
    pub fn new(view: V) -> Self {
        Self {
            view,
            wiring: Wiring::default(),
        }
    }

    pub fn view(&self) -> &V {
        &self.view
    }

    pub fn view_mut(&mut self) -> &mut V {
        &mut self.view
    }

    /// Runs `f` with the view and a handler context, as the app does for keys and mail.
    pub fn with_cx<T>(&mut self, env: &Env, f: impl FnOnce(&mut V, &mut Cx<V::Msg>) -> T) -> T {
        let view = &mut self.view;
        self.wiring.with_cx(env, |cx| f(view, cx))
    }
}

impl<V: View> AnyView for Mounted<V> {
    fn attach(&mut self, id: ViewId, link: Arc<dyn AppLink>) {
        self.wiring.attach(id, link);
    }

    fn id(&self) -> ViewId {
        self.wiring.id
    }

    fn title(&self) -> String {
        self.view.title()
    }

    fn render(&mut self, frame: &mut Frame, area: Rect, cx: &RenderCx) {
        self.view.render(frame, area, cx)
    }

    fn on_key(&mut self, key: KeyEvent, cmd: Option<Cmd>, env: &Env) -> Outcome {
        self.with_cx(env, |view, cx| view.on_key(key, cmd, cx))
    }

    fn refresh(&mut self, env: &Env) {
        self.with_cx(env, |view, cx| view.refresh(cx))
    }

    fn deliver(&mut self, env: &Env) -> Vec<Outcome> {
        let mut asked = Vec::new();
        while let Some(message) = self.wiring.take() {
            match self.with_cx(env, |view, cx| view.update(message, cx)) {
                Outcome::Handled | Outcome::Ignored => {}
                outcome => asked.push(outcome),
            }
        }
        asked
    }

    fn spawn_outcome(&mut self, work: futures::future::BoxFuture<'static, Outcome>, env: &Env) {
        self.with_cx(env, |_, cx| cx.spawn_outcome(work));
    }

    fn running_tasks(&self) -> usize {
        self.wiring.running_tasks()
    }

    fn keys(&self) -> Vec<KeyHelp> {
        self.view.keys()
    }

    fn load_state(&self) -> &LoadState {
        self.view.load_state()
    }

    fn supports_filter(&self) -> bool {
        self.view.supports_filter()
    }

    fn set_filter(&mut self, filter: &str) {
        self.view.set_filter(filter)
    }

    fn filter(&self) -> &str {
        self.view.filter()
    }

    fn set_line_cap(&mut self, cap: usize) {
        self.view.set_line_cap(cap)
    }

    fn animating(&self) -> bool {
        self.view.animating()
    }

    fn auto_refresh(&self) -> bool {
        self.view.auto_refresh()
    }
}

/// What a probed view's work produced: mail for the view, or an outcome for the app.
pub enum Probed<M> {
    Mail(M),
    Outcome(Outcome),
}

/// A view's wiring outside the app (tests): its mail and its work's outcomes are handed to the
/// test instead of the app.
pub struct Probe<M> {
    wiring: Wiring<M>,
    rx: UnboundedReceiver<Msg>,
}

impl<M: Send + 'static> Default for Probe<M> {
    fn default() -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let mut wiring = Wiring::default();
        wiring.attach(1, Arc::new(tx));
        Self { wiring, rx }
    }
}

impl<M: Send + 'static> Probe<M> {
    pub fn with_cx<T>(&mut self, env: &Env, f: impl FnOnce(&mut Cx<M>) -> T) -> T {
        self.wiring.with_cx(env, f)
    }

    /// Waits (at most `within`) for the next mail or outcome; `None` on timeout.
    pub async fn next(&mut self, within: std::time::Duration) -> Option<Probed<M>> {
        if let Some(mail) = self.wiring.take() {
            return Some(Probed::Mail(mail));
        }
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let message = tokio::time::timeout_at(deadline, self.rx.recv())
                .await
                .ok()??;
            match message {
                Msg::Outcome { outcome, .. } => return Some(Probed::Outcome(outcome)),
                _ => {
                    if let Some(mail) = self.wiring.take() {
                        return Some(Probed::Mail(mail));
                    }
                }
            }
        }
    }

    /// Mail or an outcome already waiting, without waiting.
    pub fn try_next(&mut self) -> Option<Probed<M>> {
        if let Some(mail) = self.wiring.take() {
            return Some(Probed::Mail(mail));
        }
        match self.rx.try_recv().ok()? {
            Msg::Outcome { outcome, .. } => Some(Probed::Outcome(outcome)),
            _ => self.wiring.take().map(Probed::Mail),
        }
    }

    pub fn running_tasks(&self) -> usize {
        self.wiring.running_tasks()
    }
}

/// Runs `f` with a handler context whose work reaches nobody (benchmarks that only press
/// keys and draw).
pub fn with_offline_cx<M: Send + 'static, T>(env: &Env, f: impl FnOnce(&mut Cx<M>) -> T) -> T {
    struct Nobody;
    impl AppLink for Nobody {
        fn wake(&self, _: ViewId) -> bool {
            false
        }
        fn outcome(&self, _: ViewId, _: Outcome) -> bool {
            false
        }
    }
    let link: Arc<dyn AppLink> = Arc::new(Nobody);
    let mut tasks = Tasks::default();
    let mut cx = Cx::new(Ctx::new(0, env, &link, &mut tasks), Mailbox::new(|_| false));
    f(&mut cx)
}
