//! The line editor in a real terminal: the console in a pty at 160x45, no AWS behind it (an
//! endpoint nobody answers), typing into the command line. What is typed stays visible at the
//! end of a line longer than the screen, and the cursor stands after it by display width.

mod e2e;

use e2e::console::Console;
use tempfile::TempDir;

const COLS: u16 = 160;
const ROWS: u16 = 45;
const LEFT: &str = "\x1b[D";

fn console(home: &std::path::Path) -> Console {
    let console = Console::start_sized(
        home,
        &[
            "--endpoint-url",
            "http://127.0.0.1:9",
            "--region",
            "eu-west-1",
        ],
        (COLS, ROWS),
    );
    console.wait_for("platform-tui");
    console
}

fn bottom_line(screen: &vt100::Screen) -> String {
    screen
        .rows(0, COLS)
        .nth(usize::from(ROWS - 1))
        .unwrap_or_default()
}

/// Waits until the bottom line ends with `tail` (trailing blanks aside) and the cursor is on
/// it; returns the line and the cursor's column.
fn wait_for_line_ending(console: &Console, tail: &str) -> (String, u16) {
    let wanted = tail.to_string();
    let screen = console.wait_until(&format!("the bottom line to end with {tail:?}"), move |s| {
        bottom_line(s).trim_end().ends_with(&wanted) && s.cursor_position().0 == ROWS - 1
    });
    (bottom_line(&screen), screen.cursor_position().1)
}

#[test]
fn a_line_longer_than_the_screen_shows_what_is_typed_and_the_cursor_after_it() {
    let home = TempDir::new().unwrap();
    let mut console = console(home.path());
    console.send(":");
    let words: String = (0..30).map(|i| format!("--arg{i:02}=value ")).collect();
    assert!(words.len() >= 300);
    // Halfway: still fits, shown from the start.
    console.send(&words[..120]);
    let (line, cursor) = wait_for_line_ending(&console, words[100..120].trim_end());
    assert!(line.starts_with(":--arg00=value"), "{line}");
    assert_eq!(cursor, 121);
    // Past the edge: the end of what is typed is on screen, the cursor right after it.
    console.send(&words[120..]);
    console.send("--typed-last=1");
    let (line, cursor) = wait_for_line_ending(&console, "value --typed-last=1");
    assert!(
        !line.contains("--arg00="),
        "the start scrolled away: {line}"
    );
    assert_eq!(usize::from(cursor), line.trim_end().chars().count());
    assert!(cursor < COLS, "the cursor is on screen: {cursor}");
    // Home shows the start again, with the cursor after the ':'.
    console.send("\x1b[H");
    let screen = console.wait_until("the start of the line again", |s| {
        bottom_line(s).starts_with(":--arg00=value") && s.cursor_position() == (ROWS - 1, 1)
    });
    assert!(bottom_line(&screen).chars().count() <= usize::from(COLS));
    quit(console);
}

#[test]
fn wide_characters_put_the_cursor_where_they_end() {
    let home = TempDir::new().unwrap();
    let mut console = console(home.path());
    console.send(":");
    console.send("日本語🙂abc");
    let (line, cursor) = wait_for_line_ending(&console, "abc");
    assert!(line.starts_with(":日本語🙂abc"), "{line}");
    // ':' + three CJK (2 columns each) + an emoji (2) + three letters.
    assert_eq!(cursor, 1 + 6 + 2 + 3);
    console.send(&LEFT.repeat(4));
    console.wait_until("the cursor before the emoji", |s| {
        s.cursor_position() == (ROWS - 1, 7)
    });
    // A wide line longer than the screen: its end shows, the cursor stays on screen.
    console.send(&"漢".repeat(120));
    console.send("\x1b[F");
    console.send("終");
    let screen = console.wait_until("the end of a wide line", |s| {
        bottom_line(s).trim_end().ends_with("漢🙂abc終")
    });
    let (_, col) = screen.cursor_position();
    assert!((COLS - 3..COLS).contains(&col), "cursor at {col}");
    quit(console);
}

/// Esc closes the line (waited for: Esc and `q` in one burst read as alt-q), `q` quits.
fn quit(mut console: Console) {
    console.send("\x1b");
    console.wait_until("the command line to close", |s| {
        !bottom_line(s).starts_with(':')
    });
    console.send("q");
    assert!(console.wait_exit().success());
}
