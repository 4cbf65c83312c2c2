//! The event loop: terminal events and background results arrive on one channel; all pending
//! messages are applied, then the screen is drawn once. The loop never awaits I/O itself, and
//! the terminal is restored on every exit path, panics included.

use std::io::{self, Stdout};
use std::time::Duration;

use crossterm::event;
use crossterm::execute;
use crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};

use super::message::Msg;
use super::App;

type Term = Terminal<CrosstermBackend<Stdout>>;

/// Puts the terminal back as it was; safe to call more than once.
pub fn restore_terminal() {
    let _ = disable_raw_mode();
    let _ = execute!(io::stdout(), LeaveAlternateScreen, crossterm::cursor::Show);
}

fn setup_terminal() -> io::Result<Term> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        previous(info);
    }));
    enable_raw_mode()?;
    execute!(io::stdout(), EnterAlternateScreen)?;
    Terminal::new(CrosstermBackend::new(io::stdout()))
}

/// Reads terminal events on a plain thread (crossterm's read blocks) and forwards them.
fn spawn_input_reader(tx: UnboundedSender<Msg>) {
    std::thread::spawn(move || loop {
        match event::read() {
            Ok(ev) => {
                if tx.send(Msg::Terminal(ev)).is_err() {
                    return;
                }
            }
            Err(e) => {
                tracing::error!("terminal read failed: {e}");
                return;
            }
        }
    });
}

/// Runs the console until the user quits. `make_app` builds the app inside the runtime.
pub async fn run(
    refresh_every: Duration,
    make_app: impl FnOnce(UnboundedSender<Msg>) -> App,
) -> io::Result<()> {
    let (tx, rx) = mpsc::unbounded_channel();
    let mut terminal = setup_terminal()?;
    spawn_input_reader(tx.clone());
    let app = make_app(tx);
    let result = event_loop(&mut terminal, app, rx, refresh_every).await;
    restore_terminal();
    result
}

async fn event_loop(
    terminal: &mut Term,
    mut app: App,
    mut rx: UnboundedReceiver<Msg>,
    refresh_every: Duration,
) -> io::Result<()> {
    let mut refresh = tokio::time::interval(refresh_every);
    refresh.tick().await; // the first tick is immediate; the view already loads on open
    let mut housekeeping = tokio::time::interval(Duration::from_millis(500));
    let mut dirty = true;
    loop {
        if dirty {
            terminal.draw(|frame| crate::ui::draw(frame, &mut app))?;
            dirty = false;
        }
        tokio::select! {
            msg = rx.recv() => {
                let Some(msg) = msg else { return Ok(()) };
                app.update(msg);
                // Apply everything already waiting before drawing once.
                while let Ok(msg) = rx.try_recv() {
                    app.update(msg);
                }
                dirty = true;
            }
            _ = refresh.tick() => {
                app.tick();
                dirty = true;
            }
            _ = housekeeping.tick() => {
                dirty |= app.expire_flash() | app.top().is_some_and(|view| view.animating());
            }
        }
        if app.quit {
            return Ok(());
        }
    }
}
