//! The event loop: terminal events (crossterm's async event stream) and background results
//! arrive in one `select!`; all pending messages are applied, then the screen is drawn once.
//! The loop sleeps until a key, a message, a due refresh, a flash that expires or the next
//! frame of something animating: an idle console wakes only for its refresh. It never awaits
//! I/O itself, and the terminal is restored on every exit path, panics and ctrl-z included.

use std::io::{self, Stdout};
use std::time::Duration;

use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture, Event,
    EventStream,
};
use crossterm::execute;
use crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use futures::StreamExt;
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};
use tokio::time::Instant;

use super::message::Msg;
use super::App;

type Term = Terminal<CrosstermBackend<Stdout>>;

/// How often a view whose content moves by itself (a running counter) is redrawn.
const ANIMATION_FRAME: Duration = Duration::from_millis(500);

/// Whether the console captures the mouse (config `mouse`), for every (re)entry.
static MOUSE: AtomicBool = AtomicBool::new(false);

/// Puts the terminal back as it was; safe to call more than once.
pub fn restore_terminal() {
    let _ = disable_raw_mode();
    if MOUSE.load(Ordering::Relaxed) {
        let _ = execute!(io::stdout(), DisableMouseCapture);
    }
    let _ = execute!(
        io::stdout(),
        DisableBracketedPaste,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
}

fn enter_terminal() -> io::Result<()> {
    enable_raw_mode()?;
    // Pasted text arrives whole (line breaks kept for several-line prompts, never read as
    // enter).
    execute!(io::stdout(), EnterAlternateScreen, EnableBracketedPaste)?;
    if MOUSE.load(Ordering::Relaxed) {
        execute!(io::stdout(), EnableMouseCapture)?;
    }
    Ok(())
}

fn setup_terminal() -> io::Result<Term> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        previous(info);
    }));
    enter_terminal()?;
    Terminal::new(CrosstermBackend::new(io::stdout()))
}

/// ctrl-z: gives the terminal back and stops the process as the shell's job control expects
/// (raw mode swallows the key, so the console does what the terminal would have done); `fg`
/// continues here, and the screen is taken back and drawn anew.
fn suspend(terminal: &mut Term) -> io::Result<()> {
    restore_terminal();
    #[cfg(unix)]
    // SAFETY: raising a signal in our own process; SIGTSTP's default action stops it.
    unsafe {
        libc::raise(libc::SIGTSTP);
    }
    enter_terminal()?;
    terminal.clear()
}

/// Runs the console until the user quits. `make_app` builds the app inside the runtime.
pub async fn run(
    refresh_every: Duration,
    mouse: bool,
    make_app: impl FnOnce(UnboundedSender<Msg>) -> App,
) -> io::Result<()> {
    let (tx, rx) = mpsc::unbounded_channel();
    MOUSE.store(mouse, Ordering::Relaxed);
    let mut terminal = setup_terminal()?;
    let app = make_app(tx);
    let result = event_loop(&mut terminal, app, rx, refresh_every).await;
    restore_terminal();
    result
}

/// The next moment the loop must wake up without a key or a message.
fn next_wake(app: &App, next_refresh: Instant, last_draw: Instant) -> Instant {
    let mut wake = next_refresh;
    if let Some(expiry) = app.flash_expiry() {
        wake = wake.min(Instant::from_std(expiry));
    }
    if app.top().is_some_and(|view| view.animating()) {
        wake = wake.min(last_draw + ANIMATION_FRAME);
    }
    wake
}

async fn event_loop(
    terminal: &mut Term,
    mut app: App,
    mut rx: UnboundedReceiver<Msg>,
    refresh_every: Duration,
) -> io::Result<()> {
    let mut events = EventStream::new();
    let mut next_refresh = Instant::now() + refresh_every;
    let mut last_draw = Instant::now();
    let mut dirty = true;
    loop {
        if dirty {
            terminal.draw(|frame| crate::ui::draw(frame, &mut app))?;
            last_draw = Instant::now();
            dirty = false;
        }
        let wake = next_wake(&app, next_refresh, last_draw);
        tokio::select! {
            event = events.next() => match event {
                Some(Ok(event)) => {
                    dirty |= !matches!(event, Event::FocusGained | Event::FocusLost);
                    app.update(Msg::Terminal(event));
                }
                Some(Err(e)) => {
                    tracing::error!("terminal read failed: {e}");
                    return Err(e);
                }
                None => return Ok(()),
            },
            msg = rx.recv() => {
                let Some(msg) = msg else { return Ok(()) };
                app.update(msg);
                // Apply everything already waiting before drawing once.
                while let Ok(msg) = rx.try_recv() {
                    app.update(msg);
                }
                dirty = true;
            }
            _ = tokio::time::sleep_until(wake) => {
                let now = Instant::now();
                if now >= next_refresh {
                    next_refresh = now + refresh_every;
                    dirty |= app.tick();
                }
                dirty |= app.expire_flash();
                dirty |= app.top().is_some_and(|view| view.animating())
                    && now >= last_draw + ANIMATION_FRAME;
            }
        }
        if !app.terminal_writes.is_empty() {
            use std::io::Write;
            let out = terminal.backend_mut();
            for sequence in app.terminal_writes.drain(..) {
                out.write_all(sequence.as_bytes())?;
            }
            out.flush()?;
        }
        if app.suspend {
            app.suspend = false;
            suspend(terminal)?;
            dirty = true;
        }
        if app.quit {
            return Ok(());
        }
    }
}
