//! A bad network between the console and its endpoint: the real binary in a pseudo-terminal
//! reaches the emulator through a loopback proxy (tests/e2e/proxy.rs) that delays answers 5 s,
//! drips them, holds them, drops the connection mid-answer or answers garbage with escape
//! sequences in it. In every mode keys keep working while the request is under way (the help
//! opens and closes), a failure reads as a sentence naming the call, nothing of the garbage
//! reaches the terminal, the view comes back once the network does, and `q` quits while a
//! request hangs. No timing is asserted; key-to-frame times are measured by
//! `benches/key_latency.rs`.

mod e2e;
mod support;

use std::fs;

use e2e::console::{keys, table_lines, Console};
use e2e::controls::foreign_controls;
use e2e::proxy::{Mode, Proxy};
use support::Emulator;
use tempfile::TempDir;

const BUCKET: &str = "proxied-bucket";
const CTRL_R: &str = "\x12";
/// A line of the help view.
const HELP: &str = "This view:";

#[test]
fn keys_move_and_errors_read_well_behind_a_misbehaving_network() {
    let emulator = Emulator::start();
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(emulator.put_object(BUCKET, "object.txt", "body"));
    let proxy = Proxy::start(emulator.port());
    let home = TempDir::new().unwrap();
    write_config(home.path(), &proxy.endpoint());

    let mut console = Console::start(home.path(), &["--context", "proxied"]);
    wait_for_fresh_row(&console, "the first listing", BUCKET);
    for mode in [
        Mode::Delay,
        Mode::Drip,
        Mode::Hang,
        Mode::DropMidResponse,
        Mode::Garbage,
    ] {
        proxy.set(mode);
        console.send(CTRL_R);
        for _ in 0..3 {
            console.send("?");
            console.wait_for(HELP);
            console.send(keys::ESC);
            console.wait_until(&format!("{mode:?}: the help to close"), |screen| {
                !screen.contents().contains(HELP)
            });
        }
        if matches!(mode, Mode::DropMidResponse | Mode::Garbage) {
            let failed = console.wait_until(&format!("{mode:?}: the failure shown"), |screen| {
                screen.contents().contains("stale:")
            });
            let text = failed.contents();
            let line = text
                .lines()
                .find(|line| line.contains("stale:"))
                .unwrap_or_default();
            eprintln!("{mode:?}: {}", line.trim_matches(['└', '─', ' ']));
            assert!(
                line.contains("S3 ListBuckets"),
                "{mode:?}: the failure does not name the call:\n{text}"
            );
        }
        proxy.set(Mode::Forward);
        console.send(CTRL_R);
        wait_for_fresh_row(&console, &format!("{mode:?}: the listing back"), BUCKET);
    }

    proxy.set(Mode::Hang);
    console.send(CTRL_R);
    console.wait_for("refreshing…");
    console.send("q");
    let status = console.wait_exit();
    assert!(status.success(), "quit while a request hangs: {status:?}");
    let events = console.events();
    assert!(events.is_empty(), "more than drawing: {events:?}");
    let foreign = foreign_controls(&console.raw_output());
    assert!(
        foreign.is_empty(),
        "foreign controls reached the terminal:\n{}",
        foreign.join("\n")
    );
}

/// The check itself: the console's own sequences pass, every kind of foreign one is named.
#[test]
fn foreign_controls_are_told_from_the_consoles_own_sequences() {
    assert!(foreign_controls(b"\x1b[?1049h\x1b[1;1H\x1b[38;5;12mtext\x1b[0m\r\n").is_empty());
    for hostile in [
        &b"\x1b]0;title\x07"[..],
        b"a\x07b",
        b"\x1b(B",
        "\u{202e}".as_bytes(),
        "\u{0085}".as_bytes(),
        "\u{200b}".as_bytes(),
        b"\xff",
    ] {
        assert!(!foreign_controls(hostile).is_empty(), "{hostile:?} passed");
    }
}

/// A sandbox context (static test credentials) whose endpoint is the proxy.
fn write_config(home: &std::path::Path, endpoint: &str) {
    let dir = home.join("config");
    fs::create_dir_all(&dir).unwrap();
    fs::write(
        dir.join("config.toml"),
        format!(
            "refresh_interval = \"2s\"\n\n[contexts.proxied]\nregion = \"us-east-1\"\n\
             sandbox = true\nendpoint_url = \"{endpoint}\"\n"
        ),
    )
    .unwrap();
}

/// Waits until the bucket list shows `row` from a load that succeeded: nothing stale and no
/// problem of the context in the status bar (the last error and its time may stay there).
fn wait_for_fresh_row(console: &Console, what: &str, row: &str) {
    let row = row.to_owned();
    console.wait_until(what, move |screen| {
        let text = screen.contents();
        !text.contains("stale:")
            && !text.contains("ctrl-r reconnects")
            && table_lines(screen)
                .iter()
                .any(|line| line.trim_start_matches('│').starts_with(&row))
    });
}
