//! The app's state and how messages change it. Nothing here awaits: remote work is spawned
//! on the runtime and comes back as a [`Msg`]; `update` only mutates state, and the event loop
//! in [`run`] redraws when something changed.

pub mod browser;
pub mod clipboard;
pub mod help;
pub mod input;
pub mod keys;
pub mod message;
pub mod mount;
pub mod run;
pub mod view;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Local};
use crossterm::event::{Event, KeyEvent, KeyEventKind};
use tokio::sync::mpsc::UnboundedSender;

use crate::clients::Clients;
use crate::config::Context;
use crate::errors::UiError;
use crate::gate::{Approved, AuditLog, Decision, Gate, PendingConfirmation};
use crate::kinds;
use crate::kinds::s3::buckets;
use crate::kinds::Opened;
use crate::theme::Theme;
use input::{Edit, Editor, Histories, LineInput, TextInput};
use keys::{Cmd, KeyMap};
use message::Msg;
use view::{AppCommand, AppLink, BoxView, Editing, Env, Outcome, Prompt, ViewId};

/// How long a status-line message stays.
const FLASH_FOR: Duration = Duration::from_secs(6);

pub struct Flash {
    pub text: String,
    pub is_error: bool,
    pub at: Instant,
}

pub enum Mode {
    Normal,
    Command {
        input: LineInput,
        completions: Vec<&'static str>,
    },
    Filter {
        input: LineInput,
    },
    Confirm(PendingConfirmation),
    Prompt(Box<PromptMode>),
}

/// A prompt being answered.
pub struct PromptMode {
    pub title: String,
    pub input: Editor,
    pub editing: Editing,
    history: String,
    /// What Tab found for a path, shown after the line.
    pub candidates: Vec<String>,
    on_submit: Box<dyn FnOnce(String) -> Outcome + Send>,
}

/// The history keys of the command line and the filter.
const COMMAND_HISTORY: &str = ":";
const FILTER_HISTORY: &str = "/";

pub struct App {
    pub env: Env,
    pub theme: Theme,
    pub keymap: KeyMap,
    pub stack: Vec<BoxView>,
    pub mode: Mode,
    pub flash: Option<Flash>,
    pub last_error: Option<(DateTime<Local>, UiError)>,
    /// A problem of the whole context (expired credentials, an endpoint that does not answer):
    /// stays in the status bar with what to do until a load succeeds again.
    pub problem: Option<UiError>,
    pub quit: bool,
    /// The user asked to give the terminal back to the shell for a while (ctrl-z).
    pub suspend: bool,
    /// Earlier answers of the command line, the filter and each prompt (up/down).
    histories: Histories,
    /// `aliases.toml`: `:alias` runs its command.
    pub aliases: crate::config::aliases::Aliases,
    /// Escape sequences for the terminal itself (OSC 52 copy), written by the event loop.
    pub terminal_writes: Vec<String>,
    audit: AuditLog,
    tx: UnboundedSender<Msg>,
    link: Arc<dyn AppLink>,
    next_id: ViewId,
    clients_generation: u64,
    /// The first screen (config `start`), again after a context switch; buckets when `None`.
    start: Option<String>,
}

impl App {
    /// Builds the app on `context` and starts connecting; call from inside the runtime.
    pub fn new(
        contexts: Vec<Context>,
        context: Context,
        theme: Theme,
        keymap: KeyMap,
        audit: AuditLog,
        tx: UnboundedSender<Msg>,
    ) -> Self {
        let gate = Gate::new(context.name.clone(), context.read_only, audit.clone());
        let mut app = Self {
            env: Env {
                context,
                clients: None,
                gate,
                contexts,
                log_line_cap: crate::config::DEFAULT_LOG_LINE_CAP,
            },
            theme,
            keymap,
            stack: Vec::new(),
            mode: Mode::Normal,
            flash: None,
            last_error: None,
            problem: None,
            quit: false,
            suspend: false,
            histories: Histories::default(),
            terminal_writes: Vec::new(),
            aliases: Default::default(),
            audit,
            link: Arc::new(tx.clone()),
            tx,
            next_id: 0,
            clients_generation: 0,
            start: None,
        };
        app.push(buckets::view());
        app.connect();
        app
    }

    /// Starts building the current context's clients on the runtime.
    fn connect(&mut self) {
        self.clients_generation += 1;
        let generation = self.clients_generation;
        let context = self.env.context.clone();
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let result = Clients::connect(&context).await.map(Arc::new);
            let _ = tx.send(Msg::ClientsReady { generation, result });
        });
    }

    pub fn push(&mut self, mut view: BoxView) {
        view.set_line_cap(self.env.log_line_cap);
        self.next_id += 1;
        view.attach(self.next_id, Arc::clone(&self.link));
        self.stack.push(view);
        self.refresh_top();
    }

    fn pop(&mut self) {
        if self.stack.len() > 1 {
            self.stack.pop();
            self.mode = Mode::Normal;
        }
    }

    pub fn refresh_top(&mut self) {
        if let Some(view) = self.stack.last_mut() {
            view.refresh(&self.env);
        }
    }

    pub fn top(&self) -> Option<&dyn view::AnyView> {
        self.stack.last().map(|v| v.as_ref())
    }

    /// What a view's load changed: a new error goes to the status line; a context-wide problem
    /// (credentials, unreachable) stays until a load succeeds.
    fn note_load(&mut self, before: &view::LoadState, after: &view::LoadState) {
        if let Some(error) = after
            .error
            .as_ref()
            .filter(|e| Some(*e) != before.error.as_ref())
        {
            self.last_error = Some((Local::now(), error.clone()));
            if error.is_sticky() {
                self.problem = Some(error.clone());
            }
        }
        if after.error.is_none() && after.loaded_at.is_some() && after.loaded_at != before.loaded_at
        {
            // Solved: neither the problem nor the error it came with stays on screen.
            if let Some(solved) = self.problem.take() {
                if self.last_error.as_ref().is_some_and(|(_, e)| *e == solved) {
                    self.last_error = None;
                }
            }
        }
    }

    /// `ctrl-r`: reload the view; after a problem of the whole context (an endpoint that went
    /// away, a sandbox restarted on another port, credentials renewed), build the context's
    /// clients again first.
    pub fn refresh(&mut self) {
        if self.problem.is_some() {
            self.flash(Ok(format!(
                "reconnecting context '{}'…",
                self.env.context.name
            )));
            self.env.clients = None;
            self.connect();
        } else {
            self.refresh_top();
        }
    }

    /// Auto-refresh tick: reload the visible view if it wants it; whether it did.
    pub fn tick(&mut self) -> bool {
        let wanted = self.top().is_some_and(|v| v.auto_refresh());
        if wanted {
            self.refresh_top();
        }
        wanted
    }

    /// When the status line's message goes away, if one is shown.
    pub fn flash_expiry(&self) -> Option<Instant> {
        self.flash.as_ref().map(|f| f.at + FLASH_FOR)
    }

    /// Housekeeping tick; returns whether anything visible changed.
    pub fn expire_flash(&mut self) -> bool {
        if self
            .flash
            .as_ref()
            .is_some_and(|f| f.at.elapsed() > FLASH_FOR)
        {
            self.flash = None;
            return true;
        }
        false
    }

    pub fn flash(&mut self, result: Result<String, String>) {
        let (text, is_error) = match result {
            Ok(t) => (t, false),
            Err(e) => {
                self.last_error = Some((Local::now(), UiError::from(e.clone())));
                (e, true)
            }
        };
        self.flash = Some(Flash {
            text,
            is_error,
            at: Instant::now(),
        });
    }

    pub fn update(&mut self, msg: Msg) {
        match msg {
            Msg::Terminal(Event::Key(key)) if key.kind != KeyEventKind::Release => self.on_key(key),
            Msg::Terminal(Event::Paste(text)) => self.on_paste(&text),
            Msg::Terminal(Event::Mouse(mouse)) => self.on_mouse(mouse),
            Msg::Terminal(_) => {}
            Msg::Wake(id) => {
                let Some(view) = self.stack.iter_mut().find(|v| v.id() == id) else {
                    return; // the view was closed; its mail went with it
                };
                let before = view.load_state().clone();
                let asked = view.deliver(&self.env);
                let after = view.load_state().clone();
                self.note_load(&before, &after);
                for outcome in asked {
                    self.handle(outcome);
                }
            }
            Msg::ActionFinished(finished) => {
                self.flash(finished.result);
                self.refresh_top();
            }
            Msg::ClientsReady { generation, result } => {
                if generation != self.clients_generation {
                    return;
                }
                match result {
                    Ok(clients) => {
                        self.env.clients = Some(clients);
                        self.refresh_top();
                    }
                    Err(e) => {
                        let e =
                            e.context(format!("cannot set up context '{}'", self.env.context.name));
                        self.flash(Err(e.to_string()));
                        self.problem = e.is_sticky().then_some(e);
                    }
                }
            }
            Msg::Outcome { view, outcome } => {
                if self.stack.iter().any(|v| v.id() == view) {
                    self.handle(outcome);
                }
            }
        }
    }

    fn on_key(&mut self, key: KeyEvent) {
        let mode = std::mem::replace(&mut self.mode, Mode::Normal);
        self.mode = match mode {
            Mode::Normal => {
                self.on_normal_key(key);
                return;
            }
            Mode::Confirm(pending) => self.on_confirm_key(key, pending),
            Mode::Command {
                mut input,
                completions,
            } => match input.handle(&key) {
                Edit::Submit => {
                    self.histories.remember(COMMAND_HISTORY, input.text());
                    self.run_command(input.text());
                    return;
                }
                Edit::Cancel => Mode::Normal,
                Edit::Complete => {
                    complete_command(&mut input);
                    let completions = kinds::complete(input.text().trim());
                    Mode::Command { input, completions }
                }
                Edit::Changed => {
                    let completions = kinds::complete(input.text().trim());
                    Mode::Command { input, completions }
                }
                _ => Mode::Command { input, completions },
            },
            Mode::Filter { mut input } => {
                let edit = input.handle(&key);
                match edit {
                    Edit::Submit => {
                        self.histories.remember(FILTER_HISTORY, input.text());
                        Mode::Normal
                    }
                    Edit::Cancel => {
                        self.set_filter("");
                        Mode::Normal
                    }
                    Edit::Changed => {
                        self.set_filter(input.text());
                        Mode::Filter { input }
                    }
                    _ => Mode::Filter { input },
                }
            }
            Mode::Prompt(mut prompt) => match prompt.input.handle(&key) {
                Edit::Submit => {
                    let answer = prompt.input.text();
                    self.histories.remember(&prompt.history, &answer);
                    let outcome = (prompt.on_submit)(answer);
                    self.handle(outcome);
                    return;
                }
                Edit::Cancel => Mode::Normal,
                Edit::Complete => {
                    prompt.complete_path();
                    Mode::Prompt(prompt)
                }
                _ => Mode::Prompt(prompt),
            },
        };
    }

    /// The wheel scrolls the view (three rows a notch), as `k`/`j` would.
    fn on_mouse(&mut self, mouse: crossterm::event::MouseEvent) {
        use crossterm::event::{KeyCode, KeyModifiers, MouseEventKind};
        let (cmd, code) = match mouse.kind {
            MouseEventKind::ScrollUp => (Cmd::Up, KeyCode::Up),
            MouseEventKind::ScrollDown => (Cmd::Down, KeyCode::Down),
            _ => return,
        };
        if !matches!(self.mode, Mode::Normal) {
            return;
        }
        for _ in 0..3 {
            if let Some(view) = self.stack.last_mut() {
                let outcome = view.on_key(
                    KeyEvent::new(code, KeyModifiers::NONE),
                    Some(cmd),
                    &self.env,
                );
                self.handle(outcome);
            }
        }
    }

    /// Pasted text (bracketed paste) goes into the line being edited, line breaks and all
    /// where the prompt takes several lines.
    fn on_paste(&mut self, text: &str) {
        match &mut self.mode {
            Mode::Command { input, completions } => {
                input.paste(text);
                *completions = kinds::complete(input.text().trim());
            }
            Mode::Filter { input } => {
                input.paste(text);
                let text = input.text().to_string();
                self.set_filter(&text);
            }
            Mode::Prompt(prompt) => prompt.input.paste(text),
            Mode::Normal | Mode::Confirm(_) => {}
        }
    }

    fn set_filter(&mut self, text: &str) {
        if let Some(view) = self.stack.last_mut() {
            view.set_filter(text);
        }
    }

    fn on_normal_key(&mut self, key: KeyEvent) {
        let cmd = self.keymap.resolve(&key);
        match cmd {
            Some(Cmd::Quit) => {
                self.quit = true;
                return;
            }
            Some(Cmd::Suspend) => {
                self.suspend = true;
                return;
            }
            Some(Cmd::Help) => {
                if self.top().is_some_and(|v| v.title() != help::TITLE) {
                    let help = help::view(self);
                    self.push(view::boxed(help));
                }
                return;
            }
            Some(Cmd::Command) => {
                self.mode = Mode::Command {
                    input: LineInput::default().with_history(self.histories.of(COMMAND_HISTORY)),
                    completions: kinds::complete(""),
                };
                return;
            }
            Some(Cmd::Filter) if self.top().is_some_and(|v| v.supports_filter()) => {
                let current = self
                    .top()
                    .map(|v| v.filter().to_string())
                    .unwrap_or_default();
                self.mode = Mode::Filter {
                    input: LineInput::new(&current).with_history(self.histories.of(FILTER_HISTORY)),
                };
                return;
            }
            _ => {}
        }
        let Some(view) = self.stack.last_mut() else {
            return;
        };
        let outcome = view.on_key(key, cmd, &self.env);
        match (outcome, cmd) {
            (Outcome::Ignored, Some(Cmd::Back)) => {
                if self.top().is_some_and(|v| !v.filter().is_empty()) {
                    self.set_filter("");
                } else {
                    self.pop();
                }
            }
            (Outcome::Ignored, Some(Cmd::Refresh)) => self.refresh(),
            (Outcome::Ignored, Some(Cmd::Contexts)) => self.open("contexts", false),
            (outcome, _) => self.handle(outcome),
        }
    }

    fn on_confirm_key(&mut self, key: KeyEvent, pending: PendingConfirmation) -> Mode {
        use crossterm::event::KeyCode;
        if pending.required_word().is_some() {
            return self.on_typed_confirm_key(key, pending);
        }
        match key.code {
            KeyCode::Char('y') | KeyCode::Char('Y') => {
                let approved = self.env.gate.confirm(pending);
                self.run_approved(approved);
                Mode::Normal
            }
            KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc | KeyCode::Char('q') => {
                let message = self.env.gate.cancel(pending);
                self.flash(Ok(message));
                Mode::Normal
            }
            _ => Mode::Confirm(pending),
        }
    }

    /// A confirmation that needs a word typed: letters go into the dialog, `enter` approves
    /// only the exact word (the gate checks it), `esc` cancels.
    fn on_typed_confirm_key(&mut self, key: KeyEvent, mut pending: PendingConfirmation) -> Mode {
        use crossterm::event::{KeyCode, KeyModifiers};
        match key.code {
            KeyCode::Enter => {
                match self.env.gate.confirm_typed(pending) {
                    Ok(approved) => self.run_approved(approved),
                    Err(message) => self.flash(Err(message)),
                }
                return Mode::Normal;
            }
            KeyCode::Esc => {
                let message = self.env.gate.cancel(pending);
                self.flash(Ok(message));
                return Mode::Normal;
            }
            KeyCode::Backspace => pending.backspace(),
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                pending.type_char(c)
            }
            _ => {}
        }
        Mode::Confirm(pending)
    }

    /// Opens `line` (a `:` command, config `start`) as the first screen, now and after each
    /// context switch, instead of the buckets.
    pub fn start_on(&mut self, line: &str) {
        self.start = Some(line.to_owned());
        self.open(line, true);
    }

    /// `:name` jumps: the opened view replaces the stack, as in k9s.
    fn run_command(&mut self, line: &str) {
        let line = self.aliases.expand(line);
        self.open(&line, true);
    }

    fn open(&mut self, line: &str, replace_stack: bool) {
        match kinds::open_command(line.trim(), &self.env) {
            Ok(Opened::View(view)) => {
                if replace_stack {
                    self.stack.clear();
                }
                self.push(view);
            }
            Ok(Opened::App(command)) => self.handle(Outcome::App(command)),
            Err(e) => self.flash(Err(e)),
        }
    }

    fn run_approved(&mut self, approved: Approved) {
        self.flash(Ok(format!(
            "{} {}…",
            approved.spec().label,
            approved.target()
        )));
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let finished = approved.run().await;
            let _ = tx.send(Msg::ActionFinished(finished));
        });
    }

    /// What a view asked for after a key.
    pub fn handle(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Ignored | Outcome::Handled => {}
            Outcome::Push(view) => self.push(view),
            Outcome::Pop => self.pop(),
            Outcome::Act(request) => match self.env.gate.submit(request) {
                Decision::Refused(message) => self.flash(Err(message)),
                Decision::NeedsConfirmation(pending) => self.mode = Mode::Confirm(pending),
                Decision::Approved(approved) => self.run_approved(approved),
            },
            Outcome::Ask(prompt) => self.ask(prompt),
            Outcome::Flash(result) => self.flash(result),
            Outcome::Later { note, work } => {
                if let Some(view) = self.stack.last_mut() {
                    view.spawn_outcome(work, &self.env);
                    self.flash(Ok(note));
                }
            }
            Outcome::App(AppCommand::Quit) => self.quit = true,
            Outcome::App(AppCommand::SwitchContext(name)) => self.switch_context(&name),
            Outcome::App(AppCommand::SwitchRegion(region)) => self.switch_region(&region),
            Outcome::App(AppCommand::Copy(copied)) => {
                self.terminal_writes.push(clipboard::osc52(&copied.text));
                self.flash(Ok(clipboard::copied_note(&copied)));
            }
            Outcome::App(AppCommand::OpenUrl(url)) => self.flash(browser::open(&url)),
        }
    }

    fn ask(&mut self, prompt: Prompt) {
        let history = self.histories.of(&prompt.history);
        let input = match prompt.editing {
            Editing::Line | Editing::Path => {
                Editor::Line(LineInput::new(&prompt.initial).with_history(history))
            }
            Editing::Text => Editor::Text(Box::new(
                TextInput::new(&prompt.initial).with_history(history),
            )),
        };
        self.mode = Mode::Prompt(Box::new(PromptMode {
            title: prompt.title,
            input,
            editing: prompt.editing,
            history: prompt.history,
            candidates: Vec::new(),
            on_submit: prompt.on_submit,
        }));
    }

    /// What the status bar says about a problem of the whole context: expired credentials name
    /// the context's profile in the login command.
    pub fn problem_advice(&self, problem: &UiError) -> String {
        match (&problem.problem, &self.env.context.profile) {
            (crate::errors::Problem::Credentials, Some(profile)) => format!(
                "credentials missing or expired: `aws sso login --profile {profile}`, then ctrl-r"
            ),
            _ => problem
                .advice()
                .unwrap_or(problem.problem.label())
                .to_string(),
        }
    }

    /// `:region NAME`: the same context in another region, its clients built anew.
    pub fn switch_region(&mut self, region: &str) {
        self.env.context.region = Some(region.to_string());
        let name = self.env.context.name.clone();
        if let Some(slot) = self.env.contexts.iter_mut().find(|c| c.name == name) {
            slot.region = Some(region.to_string());
        }
        self.env.clients = None;
        self.problem = None;
        self.stack.clear();
        self.mode = Mode::Normal;
        self.push(buckets::view());
        self.connect();
        self.flash(Ok(format!("context '{name}' now uses region {region}")));
    }

    pub fn switch_context(&mut self, name: &str) {
        let Some(context) = self.env.contexts.iter().find(|c| c.name == name).cloned() else {
            self.flash(Err(format!("no context '{name}'")));
            return;
        };
        self.env.gate = Gate::new(context.name.clone(), context.read_only, self.audit.clone());
        self.env.context = context;
        self.env.clients = None;
        self.stack.clear();
        self.mode = Mode::Normal;
        match self.start.clone() {
            Some(start) => self.open(&start, true),
            None => self.push(buckets::view()),
        }
        self.connect();
        self.flash(Ok(format!("switched to context '{name}'")));
    }
}

impl PromptMode {
    /// Tab: completes a local path; other prompts take no completion.
    fn complete_path(&mut self) {
        let (Editing::Path, Editor::Line(input)) = (self.editing, &mut self.input) else {
            return;
        };
        let done = input::paths::complete(input.text());
        if let Some(line) = &done.line {
            input.set(line);
        }
        self.candidates = done.candidates;
    }
}

/// Completes the command word to the longest common prefix of its candidates.
fn complete_command(input: &mut LineInput) {
    let text = input.text().trim_start().to_string();
    if text.contains(' ') {
        return;
    }
    let candidates = kinds::complete(&text);
    let Some(common) = input::common_start(&candidates) else {
        return;
    };
    if candidates.len() == 1 {
        input.set(&format!("{common} "));
    } else if common.len() > text.len() {
        input.set(&common);
    }
}
