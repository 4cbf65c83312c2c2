//! The real `platform-tui` binary in a pseudo-terminal: keys go in through the pty, everything
//! it writes is kept raw and parsed by a vt100 terminal emulator, and the tests wait for what
//! the parsed screen shows (never for a fixed time).

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::os::unix::io::RawFd;
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use portable_pty::{native_pty_system, Child, CommandBuilder, ExitStatus, MasterPty, PtySize};

use super::terminal::{TerminalEvents, TerminalModes};
use super::FOREIGN_ENV;

pub const ROWS: u16 = 32;
pub const COLS: u16 = 120;
/// Generous: the machine has two cores shared by several builds and test runs.
pub const WAIT: Duration = Duration::from_secs(60);

/// Keys as a terminal sends them.
pub mod keys {
    pub const ENTER: &str = "\r";
    /// Send alone and wait for its effect: two Escs in one burst parse as Alt-Esc.
    pub const ESC: &str = "\x1b";
    pub const CTRL_D: &str = "\x04";
}

/// A predicate on the parsed screen, checked after every chunk of output the reader thread
/// processes, so that a state shown only briefly (a listing still loading) is not missed.
type ScreenCheck = Box<dyn Fn(&vt100::Screen) -> bool + Send>;

struct Watch {
    check: ScreenCheck,
    seen: Option<vt100::Screen>,
}

struct Output {
    parser: vt100::Parser<TerminalEvents>,
    raw: Vec<u8>,
    watch: Option<Watch>,
    closed: bool,
}

impl Output {
    fn feed(&mut self, bytes: &[u8]) {
        self.raw.extend_from_slice(bytes);
        self.parser.process(bytes);
        if let Some(watch) = self.watch.as_mut().filter(|w| w.seen.is_none()) {
            if (watch.check)(self.parser.screen()) {
                watch.seen = Some(self.parser.screen().clone());
            }
        }
    }
}

struct Shared {
    output: Mutex<Output>,
    changed: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Output> {
        // A panicking test thread must not hide the screen from the next assertion.
        self.output
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// One run of the console in a 120x32 pty. Dropping it kills the process if it still runs.
pub struct Console {
    child: Box<dyn Child + Send + Sync>,
    master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    shared: Arc<Shared>,
    reader: Option<JoinHandle<()>>,
    modes_before: TerminalModes,
    label: String,
}

impl Console {
    /// Starts `platform-tui ARGS` with `PLATFORM_TUI_HOME=home`.
    pub fn start(home: &Path, args: &[&str]) -> Console {
        Self::start_program(home, env!("CARGO_BIN_EXE_platform-tui"), args)
    }

    /// Starts `platform-tui ARGS` in a terminal of `cols` x `rows`.
    pub fn start_sized(home: &Path, args: &[&str], (cols, rows): (u16, u16)) -> Console {
        let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_platform-tui"));
        command.args(args);
        let label = format!("platform-tui {}", args.join(" "));
        Self::spawn_sized(command, home, label, (cols, rows))
    }

    /// Starts any program the same way (the harness's own checks use it).
    pub fn start_program(home: &Path, program: &str, args: &[&str]) -> Console {
        let mut command = CommandBuilder::new(program);
        command.args(args);
        let name = Path::new(program)
            .file_name()
            .unwrap_or_default()
            .to_string_lossy();
        Self::spawn(command, home, format!("{name} {}", args.join(" ")))
    }

    /// Starts `platform-tui ARGS` with its standard error going to `stderr_file` instead of
    /// the terminal (stdin and stdout stay on the pty), to read error messages apart from
    /// whatever the program writes to the terminal.
    pub fn start_with_stderr_to(home: &Path, args: &[&str], stderr_file: &Path) -> Console {
        let mut command = CommandBuilder::new("/bin/sh");
        command.args(["-c", r#"exec "$0" "$@" 2>"$E2E_STDERR""#]);
        command.arg(env!("CARGO_BIN_EXE_platform-tui"));
        command.args(args);
        command.env("E2E_STDERR", stderr_file);
        Self::spawn(command, home, format!("platform-tui {}", args.join(" ")))
    }

    fn spawn(command: CommandBuilder, home: &Path, label: String) -> Console {
        Self::spawn_sized(command, home, label, (COLS, ROWS))
    }

    fn spawn_sized(
        mut command: CommandBuilder,
        home: &Path,
        label: String,
        (cols, rows): (u16, u16),
    ) -> Console {
        command.env("PLATFORM_TUI_HOME", home);
        command.env("TERM", "xterm-256color");
        for name in FOREIGN_ENV {
            command.env_remove(name);
        }
        command.cwd(home);
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("cannot open a pseudo-terminal");
        let modes_before = TerminalModes::of(master_fd(pair.master.as_ref()));
        let child = pair
            .slave
            .spawn_command(command)
            .unwrap_or_else(|e| panic!("cannot start {label}: {e}"));
        // Only the child holds the slave now: its exit ends the reader's stream.
        drop(pair.slave);
        let shared = Arc::new(Shared {
            output: Mutex::new(Output {
                parser: vt100::Parser::new_with_callbacks(rows, cols, 0, TerminalEvents::default()),
                raw: Vec::new(),
                watch: None,
                closed: false,
            }),
            changed: Condvar::new(),
        });
        let reader = pair.master.try_clone_reader().expect("pty reader");
        let writer = pair.master.take_writer().expect("pty writer");
        let reader = Some(spawn_reader(reader, Arc::clone(&shared)));
        Console {
            child,
            master: pair.master,
            writer,
            shared,
            reader,
            modes_before,
            label,
        }
    }

    /// Types `keys` (text and the sequences of [`keys`]) into the terminal.
    pub fn send(&mut self, keys: &str) {
        self.writer
            .write_all(keys.as_bytes())
            .and_then(|()| self.writer.flush())
            .unwrap_or_else(|e| panic!("cannot type {keys:?} into {}: {e}", self.label));
    }

    /// Waits until the screen shows `text`; returns that screen.
    pub fn wait_for(&self, text: &str) -> vt100::Screen {
        let wanted = text.to_owned();
        self.wait_until(&format!("the screen to show {text:?}"), move |screen| {
            screen.contents().contains(&wanted)
        })
    }

    /// Waits until `check` holds for the screen, checked after every chunk of output (no
    /// state in between is missed); returns the first screen for which it held. On timeout
    /// panics with the whole screen.
    pub fn wait_until(
        &self,
        what: &str,
        check: impl Fn(&vt100::Screen) -> bool + Send + 'static,
    ) -> vt100::Screen {
        let started = Instant::now();
        let deadline = started + WAIT;
        let mut output = self.shared.lock();
        if check(output.parser.screen()) {
            return output.parser.screen().clone();
        }
        output.watch = Some(Watch {
            check: Box::new(check),
            seen: None,
        });
        loop {
            if let Some(screen) = output.watch.as_mut().and_then(|w| w.seen.take()) {
                output.watch = None;
                return screen;
            }
            let now = Instant::now();
            if now >= deadline || output.closed {
                output.watch = None;
                let reason = if output.closed {
                    "the program closed the terminal"
                } else {
                    "timed out"
                };
                panic!(
                    "{}: waiting for {what}: {reason} after {:.1} s\n{}",
                    self.label,
                    started.elapsed().as_secs_f64(),
                    dump(&output)
                );
            }
            output = self
                .shared
                .changed
                .wait_timeout(output, deadline - now)
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .0;
        }
    }

    /// The screen as it is now.
    pub fn screen(&self) -> vt100::Screen {
        self.shared.lock().parser.screen().clone()
    }

    /// What the terminal was asked to do besides drawing (titles, bells, other OSCs).
    pub fn events(&self) -> TerminalEvents {
        self.shared.lock().parser.callbacks().clone()
    }

    /// Every byte the program wrote to the terminal so far.
    pub fn raw_output(&self) -> Vec<u8> {
        self.shared.lock().raw.clone()
    }

    /// Waits for the program to exit and for its last output; returns its exit status.
    pub fn wait_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + WAIT;
        let status = loop {
            match self.child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(50)),
                Ok(None) => panic!(
                    "{} did not exit within {} s\n{}",
                    self.label,
                    WAIT.as_secs(),
                    dump(&self.shared.lock())
                ),
                Err(e) => panic!("cannot wait for {}: {e}", self.label),
            }
        };
        self.wait_for_end_of_output(deadline);
        status
    }

    fn wait_for_end_of_output(&mut self, deadline: Instant) {
        let mut output = self.shared.lock();
        while !output.closed {
            let now = Instant::now();
            assert!(
                now < deadline,
                "{} exited but its terminal output did not end",
                self.label
            );
            output = self
                .shared
                .changed
                .wait_timeout(output, deadline - now)
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .0;
        }
        drop(output);
        if let Some(reader) = self.reader.take() {
            reader.join().expect("pty reader thread panicked");
        }
    }

    /// The terminal modes (canonical input, echo, output processing) now, to compare with
    /// [`Console::modes_before`].
    pub fn modes_now(&self) -> TerminalModes {
        TerminalModes::of(master_fd(self.master.as_ref()))
    }

    /// The terminal modes before the program started.
    pub fn modes_before(&self) -> TerminalModes {
        self.modes_before
    }

    pub fn label(&self) -> &str {
        &self.label
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn master_fd(master: &(dyn MasterPty + Send)) -> RawFd {
    master
        .as_raw_fd()
        .expect("a unix pty master has a file descriptor")
}

fn spawn_reader(mut reader: Box<dyn Read + Send>, shared: Arc<Shared>) -> JoinHandle<()> {
    thread::spawn(move || {
        let mut buffer = [0u8; 16 * 1024];
        loop {
            // Linux answers EIO, not end of file, once the last holder of the slave is gone.
            let read = reader.read(&mut buffer).unwrap_or(0);
            let mut output = shared.lock();
            if read == 0 {
                output.closed = true;
            } else {
                output.feed(&buffer[..read]);
            }
            drop(output);
            shared.changed.notify_all();
            if read == 0 {
                return;
            }
        }
    })
}

/// The lines above the status bar and message line (breadcrumbs, table title, rows).
pub fn table_lines(screen: &vt100::Screen) -> Vec<String> {
    let (rows, cols) = screen.size();
    screen
        .rows(0, cols)
        .take(usize::from(rows.saturating_sub(2)))
        .collect()
}

/// The table's title line (`┌ NAME (COUNT) ...`), below the breadcrumbs.
pub fn table_title(screen: &vt100::Screen) -> String {
    table_lines(screen).get(1).cloned().unwrap_or_default()
}

/// A table title naming `name`, or a path ending in `name` (`:objects BUCKET/PREFIX` titles its
/// table with the whole path).
pub fn is_titled(title: &str, name: &str) -> bool {
    title.starts_with(&format!("┌ {name} (")) || title.contains(&format!("/{name} ("))
}

/// True when a table row starts with `name` (rows are `│NAME   SIZE ...│`).
pub fn has_row(screen: &vt100::Screen, name: &str) -> bool {
    table_lines(screen)
        .iter()
        .skip(2)
        .any(|line| line.trim_start_matches('│').starts_with(name))
}

/// The screen with line numbers, the terminal's mode flags and the end of the raw stream.
fn dump(output: &Output) -> String {
    let screen = output.parser.screen();
    let mut text = String::from("---- screen ----\n");
    for (number, line) in screen.rows(0, screen.size().1).enumerate() {
        let _ = writeln!(text, "{number:2}|{line}");
    }
    let written = String::from_utf8_lossy(&output.raw);
    let tail: String = {
        let last: Vec<char> = written.chars().rev().take(400).collect();
        last.into_iter().rev().collect()
    };
    let _ = write!(
        text,
        "---- alternate screen {}, cursor hidden {}, {} bytes written; the last ones: {tail:?}",
        screen.alternate_screen(),
        screen.hide_cursor(),
        output.raw.len(),
    );
    text
}
