//! End to end: the real `platform-tui` binary in a 120x32 pseudo-terminal against the
//! sandbox, driven with keys as a user types them, checked on the screen a vt100 emulator
//! parses from its output, on the terminal's modes after it exits, on the audit file and
//! (independently of the console) on what the sandbox holds.
//!
//! One sandbox serves every scenario of `console_on_the_sandbox` (started once, stopped by a
//! guard even when a scenario panics); each scenario runs its own console process and is
//! reported separately, so one failure does not hide the others. The broken config and theme
//! need no sandbox and are tests of their own.

mod e2e;

use std::fs;
use std::path::Path;
use std::time::Instant;

use e2e::audit;
use e2e::console::{has_row, is_titled, keys, table_lines, table_title, Console};
use e2e::run_scenario;
use e2e::sandbox::Sandbox;
use tempfile::TempDir;

const DATALAKE: &str = "nyctaxi-sandbox-datalake";
const ARCHIVE_KEYS: usize = 20_000;
/// How the console shows the seeded key `raw/hostile/\e]0;pwned\a\e[2Jname.txt`.
const HOSTILE_NAME_SHOWN: &str = "^[]0;pwned^G^[[2Jname.txt";

const ENTER_ALTERNATE_SCREEN: &[u8] = b"\x1b[?1049h";
const LEAVE_ALTERNATE_SCREEN: &[u8] = b"\x1b[?1049l";
const SHOW_CURSOR: &[u8] = b"\x1b[?25h";

type Scenario = fn(&Path, &Sandbox);

#[test]
fn console_on_the_sandbox() {
    let home = TempDir::new().expect("temp dir");
    let started = Instant::now();
    let sandbox = Sandbox::up(home.path());
    eprintln!("sandbox up in {:.1} s", started.elapsed().as_secs_f64());
    let scenarios: [(&str, Scenario); 8] = [
        (
            "browse, filter, preview, quit",
            browse_filter_preview_and_quit,
        ),
        ("hostile key", hostile_key_is_shown_harmlessly),
        ("streaming listing", first_rows_show_before_the_listing_ends),
        (
            "upload, delete, audit",
            upload_then_delete_with_confirmation,
        ),
        ("read-only", read_only_refuses_the_upload),
        (
            "unwritable audit refuses upload and delete",
            unwritable_audit_refuses_upload_and_delete,
        ),
        ("ls for scripts", ls_for_scripts),
        (
            "private state and control token",
            private_state_and_control_token,
        ),
    ];
    let mut failed = Vec::new();
    for (name, scenario) in scenarios {
        if !run_scenario(name, || scenario(home.path(), &sandbox)) {
            failed.push(name);
        }
    }
    drop(sandbox);
    assert!(
        failed.is_empty(),
        "scenarios failed (their panics are printed above): {failed:?}"
    );
}

/// Scenario 1: buckets → the data lake → `/raw` → raw/ → green_tripdata/ → preview of the
/// CSV as a table → back → `q`; the child exits 0 and gives the terminal back.
fn browse_filter_preview_and_quit(home: &Path, _: &Sandbox) {
    let mut console = Console::start(home, &["--sandbox"]);
    let buckets = wait_for_table(&console, "buckets", DATALAKE);
    for bucket in [DATALAKE, "nyctaxi-sandbox-emr-logs", "nyctaxi-sandbox-mwaa"] {
        assert!(
            buckets.contents().contains(bucket),
            "bucket {bucket} is not listed:\n{}",
            buckets.contents()
        );
    }

    console.send(keys::ENTER);
    let lake = wait_for_table(&console, DATALAKE, "raw/");
    for prefix in ["raw/", "staging/", "gold/", "archive/"] {
        assert!(
            has_row(&lake, prefix),
            "{prefix} missing:\n{}",
            lake.contents()
        );
    }

    console.send("/raw");
    console.send(keys::ENTER);
    let filtered = console.wait_until("the filter /raw to leave one row", |screen| {
        table_title(screen).starts_with(&format!("┌ {DATALAKE} (1/"))
    });
    assert!(
        has_row(&filtered, "raw/") && !has_row(&filtered, "staging/"),
        "the filter /raw shows:\n{}",
        filtered.contents()
    );

    console.send(keys::ENTER);
    wait_for_table(&console, "raw/", "green_tripdata/");
    console.send(keys::ENTER);
    wait_for_table(&console, "green_tripdata/", "green_tripdata_2024-01.csv");

    console.send("p");
    let preview = console.wait_for("VendorID");
    expect_csv_table(&preview);

    console.send(keys::ESC);
    console.wait_until("the preview to close", |screen| {
        table_title(screen).starts_with("┌ green_tripdata/ (")
            && !screen.contents().contains("VendorID")
    });
    quit_and_expect_terminal_restored(console);
}

/// Scenario 2: the seeded key holds an OSC title change, a BEL and a clear-screen; the
/// console shows them in caret form and none of them reaches the terminal, neither from the
/// listing nor from the preview of the (equally hostile) body.
fn hostile_key_is_shown_harmlessly(home: &Path, _: &Sandbox) {
    let mut console = Console::start(home, &["--sandbox"]);
    wait_for_table(&console, "buckets", DATALAKE);
    console.send(&format!(":objects {DATALAKE}/raw/hostile/{}", keys::ENTER));
    wait_for_table(&console, "hostile/", HOSTILE_NAME_SHOWN);
    console.send("p");
    // Escape and control bytes make the body binary: a hex dump, the bytes as dots.
    console.wait_for("|J.[Hscreen clear|");
    let events = console.events();
    assert!(
        events.is_empty(),
        "the terminal received more than drawing: {events:?}"
    );
    let raw = console.raw_output();
    for forbidden in [&b"\x1b]"[..], b"pwned\x07", b"\x07"] {
        assert!(
            find(&raw, forbidden).is_none(),
            "the raw output holds {:?}",
            String::from_utf8_lossy(forbidden)
        );
    }
    console.send(keys::ESC);
    wait_for_table(&console, "hostile/", HOSTILE_NAME_SHOWN);
    quit_and_expect_terminal_restored(console);
}

/// Scenario 3: archive/events/ (20,000 keys, ~20 pages): the first rows show while the
/// listing still loads, the cursor moves meanwhile and keeps its place, the count reaches
/// 20000.
fn first_rows_show_before_the_listing_ends(home: &Path, _: &Sandbox) {
    let mut console = Console::start(home, &["--sandbox"]);
    wait_for_table(&console, "buckets", DATALAKE);
    console.send(&format!(
        ":objects {DATALAKE}/archive/events/{}",
        keys::ENTER
    ));
    let first = console.wait_until("the first row of archive/events/", |screen| {
        has_row(screen, "event-00000.json")
    });
    let title = table_title(&first);
    let count = listed_count(&title);
    assert!(
        title.contains("loading…") || count < ARCHIVE_KEYS,
        "the first row appeared only with the full listing: {title:?}"
    );
    eprintln!(
        "first rows shown with the title {:?}",
        title.trim_end_matches(['─', '┐', ' '])
    );

    console.send("j");
    let full = format!("┌ {DATALAKE}/archive/events/ ({ARCHIVE_KEYS})");
    let done = console.wait_until("the listing to reach 20000 rows", move |screen| {
        let title = table_title(screen);
        title.starts_with(&full) && !title.contains("loading…")
    });
    assert!(
        done.contents().contains(&format!(" 2/{ARCHIVE_KEYS} ┘")),
        "the cursor moved during the listing did not stay on row 2:\n{}",
        done.contents()
    );
    quit_and_expect_terminal_restored(console);
}

/// Scenario 4: upload a local file into raw/, find its row, upload it again (asks to replace:
/// `n`), filter to it, ctrl-d and answer
/// `n` (nothing happens), then ctrl-d and `y`: it is gone; both actions are in the audit file
/// and the sandbox agrees at every step.
fn upload_then_delete_with_confirmation(home: &Path, sandbox: &Sandbox) {
    let name = "e2e-upload.txt";
    let url = format!("s3://{DATALAKE}/raw/{name}");
    let local = home.join(name);
    fs::write(&local, "dropped into raw/ by the end-to-end test\n").unwrap();

    let mut console = Console::start(home, &["--sandbox"]);
    wait_for_table(&console, "buckets", DATALAKE);
    open_raw(&mut console);
    upload(&mut console, &local);
    console.wait_for(&format!("uploaded {url}"));
    console.wait_until(&format!("the row {name}"), move |screen| {
        has_row(screen, name)
    });
    assert!(
        sandbox_lists(sandbox, name),
        "the console says uploaded, the sandbox has no {url}"
    );
    // The same upload again would replace the object: it asks, naming what it replaces.
    upload(&mut console, &local);
    let dialog = console.wait_for("Replace object?");
    assert!(
        dialog
            .contents()
            .contains("replaces the existing object: 41 B"),
        "the confirmation does not name the object it replaces:\n{}",
        dialog.contents()
    );
    console.send("n");
    console.wait_until("the replace confirmation to close", |screen| {
        !screen.contents().contains("Replace object?")
    });

    console.send(&format!("/{name}{}", keys::ENTER));
    console.wait_until("the filter to leave the uploaded row", |screen| {
        table_title(screen).starts_with(&format!("┌ {DATALAKE}/raw/ (1/"))
    });
    ask_to_delete(&mut console, &url);
    console.send("n");
    console.wait_until("the confirmation to close", |screen| {
        !screen.contents().contains("Delete object?")
    });
    assert!(
        sandbox_lists(sandbox, name),
        "answering n to the confirmation deleted {url}"
    );
    ask_to_delete(&mut console, &url);
    console.send("y");
    console.wait_for(&format!("deleted {url}"));
    console.wait_until(&format!("the row {name} to go"), move |screen| {
        !has_row(screen, name)
    });
    assert!(
        !sandbox_lists(sandbox, name),
        "the console says deleted, the sandbox still has {url}"
    );
    audit::expect_record(home, "s3.upload", &url, "succeeded");
    audit::expect_record(home, "s3.delete", &url, "succeeded");
    quit_and_expect_terminal_restored(console);
}

/// Scenario 5: `--read-only` refuses the upload in the gate: a message, no object, an audit
/// record of the refusal.
fn read_only_refuses_the_upload(home: &Path, sandbox: &Sandbox) {
    let name = "e2e-refused.txt";
    let url = format!("s3://{DATALAKE}/raw/{name}");
    let local = home.join(name);
    fs::write(&local, "must never reach the data lake\n").unwrap();

    let mut console = Console::start(home, &["--sandbox", "--read-only"]);
    wait_for_table(&console, "buckets", DATALAKE);
    console.wait_for("READ-ONLY");
    open_raw(&mut console);
    upload(&mut console, &local);
    let refused = console.wait_until("the upload to be refused", |screen| {
        let message = message_line(screen).to_lowercase();
        message.contains("refused") && message.contains("read-only")
    });
    assert!(
        !has_row(&refused, name),
        "the refused upload shows a row:\n{}",
        refused.contents()
    );
    assert!(
        !sandbox_lists(sandbox, name),
        "read-only mode refused the upload, but the sandbox has {url}"
    );
    audit::expect_record(home, "s3.upload", &url, "refused");
    quit_and_expect_terminal_restored(console);
}

/// Scenario 6: with the audit file unwritable (a directory stands in its place, which stops
/// root too), the gate fails closed: a delete (answered `y`) and an upload are refused with the
/// audit path and the OS error on screen, and the sandbox is unchanged by either. With the
/// file back, the delete goes through.
fn unwritable_audit_refuses_upload_and_delete(home: &Path, sandbox: &Sandbox) {
    let kept = "e2e-kept.txt";
    let refused = "e2e-unaudited.txt";
    let kept_url = format!("s3://{DATALAKE}/raw/{kept}");
    for name in [kept, refused] {
        fs::write(home.join(name), "must not change without an audit record\n").unwrap();
    }
    let audit_file = home.join("state/audit.jsonl");
    let saved = home.join("state/audit.jsonl.saved");

    let mut console = Console::start(home, &["--sandbox"]);
    wait_for_table(&console, "buckets", DATALAKE);
    open_raw(&mut console);
    upload(&mut console, &home.join(kept));
    console.wait_for(&format!("uploaded {kept_url}"));
    console.wait_until(&format!("the row {kept}"), move |screen| {
        has_row(screen, kept)
    });

    fs::rename(&audit_file, &saved).unwrap();
    fs::create_dir(&audit_file).unwrap();
    let expect_refusal = |console: &Console, action: &str| {
        let wanted = format!(
            "{action} refused: cannot write the audit trail {}",
            audit_file.display()
        );
        let screen = console.wait_until(&format!("{action} to be refused"), move |screen| {
            message_line(screen).contains(&wanted)
        });
        assert!(
            message_line(&screen).contains("Is a directory"),
            "the refusal does not say why: {}",
            message_line(&screen)
        );
    };
    console.send(&format!("/{kept}{}", keys::ENTER));
    console.wait_until("the filter to leave the uploaded row", |screen| {
        table_title(screen).starts_with(&format!("┌ {DATALAKE}/raw/ (1/"))
    });
    ask_to_delete(&mut console, &kept_url);
    console.send("y");
    expect_refusal(&console, "Delete object");
    assert!(
        sandbox_lists(sandbox, kept),
        "the delete was refused for its audit record, yet {kept_url} is gone"
    );
    console.send(keys::ESC);
    console.wait_until("the filter to be cleared", |screen| {
        let title = table_title(screen);
        title.starts_with(&format!("┌ {DATALAKE}/raw/ ("))
            && !title.starts_with(&format!("┌ {DATALAKE}/raw/ (1/"))
    });
    upload(&mut console, &home.join(refused));
    expect_refusal(&console, "Upload");
    assert!(
        !sandbox_lists(sandbox, refused),
        "the upload was refused for its audit record, yet the sandbox has it"
    );

    fs::remove_dir(&audit_file).unwrap();
    fs::rename(&saved, &audit_file).unwrap();
    console.send(&format!("/{kept}{}", keys::ENTER));
    console.wait_until("the filter to leave the uploaded row", |screen| {
        table_title(screen).starts_with(&format!("┌ {DATALAKE}/raw/ (1/"))
    });
    ask_to_delete(&mut console, &kept_url);
    console.send("y");
    console.wait_for(&format!("deleted {kept_url}"));
    assert!(!sandbox_lists(sandbox, kept), "{kept_url} was not deleted");
    let delete = audit::expect_record(home, "s3.delete", &kept_url, "succeeded");
    let records = audit::records(home);
    let attempted_at = records
        .iter()
        .position(|r| {
            r["action"] == "s3.delete"
                && r["target"] == kept_url.as_str()
                && r["outcome"] == "attempted"
        })
        .unwrap_or_else(|| panic!("no attempted record of the delete: {records:?}"));
    let done_at = records.iter().position(|r| *r == delete).unwrap();
    assert!(
        attempted_at < done_at,
        "the attempt is recorded after the outcome: {records:?}"
    );
    quit_and_expect_terminal_restored(console);
}

/// Scenario 7: `ls` outside the console. Text shows the hostile key inert; JSON Lines carry
/// it exactly, escaped; a closed pipe (`ls | head`) ends it quietly; a `sandbox = true`
/// context without endpoint_url reaches the running sandbox (not AWS).
fn ls_for_scripts(home: &Path, _: &Sandbox) {
    let hostile = format!("s3://{DATALAKE}/raw/hostile/");
    let text = e2e::platform_tui(home)
        .args(["ls", "--sandbox", &hostile])
        .output()
        .unwrap();
    assert!(text.status.success(), "{text:?}");
    let stdout = String::from_utf8(text.stdout).unwrap();
    assert!(
        !stdout.contains('\u{1b}') && !stdout.contains('\u{7}'),
        "ls printed raw escapes: {stdout:?}"
    );
    assert!(stdout.contains(HOSTILE_NAME_SHOWN), "{stdout:?}");

    let json = e2e::platform_tui(home)
        .args(["ls", "--sandbox", "-o", "json", &hostile])
        .output()
        .unwrap();
    assert!(json.status.success(), "{json:?}");
    let stdout = String::from_utf8(json.stdout).unwrap();
    assert!(!stdout.contains('\u{1b}'), "{stdout:?}");
    let keys: Vec<String> = stdout
        .lines()
        .map(|line| {
            let row: serde_json::Value = serde_json::from_str(line).unwrap();
            row["key"].as_str().unwrap_or_default().to_owned()
        })
        .collect();
    assert!(
        keys.contains(&"raw/hostile/\u{1b}]0;pwned\u{7}\u{1b}[2Jname.txt".to_string()),
        "{keys:?}"
    );

    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let piped = e2e::platform_tui(home)
        .args([
            "ls",
            "--sandbox",
            &format!("s3://{DATALAKE}/archive/events/"),
        ])
        .stdout(writer)
        .output()
        .unwrap();
    assert_eq!(piped.status.code(), Some(0), "{piped:?}");
    let said = String::from_utf8_lossy(&piped.stderr);
    assert!(
        !said.contains("panicked") && !said.contains("Broken pipe"),
        "{said}"
    );

    let config = home.join("sandbox-context.toml");
    fs::write(&config, "[contexts.local]\nsandbox = true\n").unwrap();
    let buckets = e2e::platform_tui(home)
        .args([
            "--config",
            config.to_str().unwrap(),
            "--context",
            "local",
            "ls",
        ])
        .output()
        .unwrap();
    assert!(buckets.status.success(), "{buckets:?}");
    assert!(
        String::from_utf8_lossy(&buckets.stdout).contains(DATALAKE),
        "{buckets:?}"
    );
}

/// Scenario 8: what the sandbox and the console keep in the state dir is their owner's only
/// (files 0600, directories 0700), and the emulator's control API refuses a request without
/// the sandbox's token (from control.token) and takes one with it.
fn private_state_and_control_token(home: &Path, _: &Sandbox) {
    use std::os::unix::fs::PermissionsExt;
    let state = home.join("state");
    let sandbox = state.join("sandbox");
    let mode = |path: &Path| fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&state), 0o700, "{}", state.display());
    assert_eq!(mode(&sandbox), 0o700, "{}", sandbox.display());
    let mut checked = Vec::new();
    for entry in fs::read_dir(&sandbox).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            assert_eq!(
                mode(&path),
                0o600,
                "{} is {:o}",
                path.display(),
                mode(&path)
            );
            checked.push(path.file_name().unwrap().to_string_lossy().into_owned());
        }
    }
    for name in [
        "state.json",
        "emulator.pid",
        "emulator.log",
        "control.token",
        "lock",
    ] {
        assert!(
            checked.iter().any(|c| c == name),
            "{name} not among {checked:?}"
        );
    }
    for name in ["audit.jsonl", "platform-tui.log"] {
        assert_eq!(mode(&state.join(name)), 0o600, "{name}");
    }

    let recorded: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(sandbox.join("state.json")).unwrap()).unwrap();
    let port = recorded["port"].as_u64().unwrap() as u16;
    let token = fs::read_to_string(sandbox.join("control.token")).unwrap();
    let ask = |header: &str| {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(
            stream,
            "GET /platform-api/injections HTTP/1.1\r\nHost: 127.0.0.1\r\n{header}Connection: close\r\n\r\n"
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        answer
    };
    let refused = ask("");
    assert!(refused.starts_with("HTTP/1.1 403"), "{refused}");
    let wrong = ask("X-Platform-Api-Token: guessed\r\n");
    assert!(wrong.starts_with("HTTP/1.1 403"), "{wrong}");
    let allowed = ask(&format!("X-Platform-Api-Token: {}\r\n", token.trim()));
    assert!(allowed.starts_with("HTTP/1.1 200"), "{allowed}");
}

/// Scenario 6a: a syntax error on line 3 of config.toml: non-zero exit before the terminal is
/// touched, and standard error names the file and the line.
#[test]
fn broken_config_is_reported_before_the_terminal_is_touched() {
    let home = TempDir::new().expect("temp dir");
    let config = home.path().join("config/config.toml");
    fs::create_dir_all(config.parent().unwrap()).unwrap();
    fs::write(
        &config,
        "# platform-tui config\n# a table header without its closing bracket:\n[contexts.sandbox\nregion = \"us-east-1\"\n",
    )
    .unwrap();
    let stderr = run_expecting_failure(home.path(), &[]);
    expect_located_error(&stderr, &config, 3, "");
}

/// Scenario 6b: a theme file with an unknown key: the same, naming file, line and the key.
#[test]
fn broken_theme_is_reported_before_the_terminal_is_touched() {
    let home = TempDir::new().expect("temp dir");
    let theme = home.path().join("bad-theme.toml");
    fs::write(
        &theme,
        "# a theme with a misspelt style\n[styles]\nheader = { fg = \"cyan\" }\nhedaer = { fg = \"red\" }\n",
    )
    .unwrap();
    let stderr = run_expecting_failure(home.path(), &["--theme", theme.to_str().unwrap()]);
    expect_located_error(&stderr, &theme, 4, "hedaer");
}

/// A panic inside the console gives the terminal back and is written to the console log
/// (0600), not only to stderr. (Debug builds panic on purpose with PLATFORM_TUI_TEST_PANIC.)
#[test]
fn a_panic_restores_the_terminal_and_is_logged() {
    use std::os::unix::fs::PermissionsExt;
    let home = TempDir::new().expect("temp dir");
    let mut console = Console::start_program(
        home.path(),
        "/bin/sh",
        &[
            "-c",
            r#"PLATFORM_TUI_TEST_PANIC=1 exec "$0""#,
            env!("CARGO_BIN_EXE_platform-tui"),
        ],
    );
    let status = console.wait_exit();
    assert!(!status.success(), "a panic exited {status}");
    let screen = console.screen();
    assert!(!screen.alternate_screen() && !screen.hide_cursor());
    assert_eq!(console.modes_now(), console.modes_before());
    assert!(
        find(&console.raw_output(), ENTER_ALTERNATE_SCREEN).is_some(),
        "the console did not start before the panic"
    );
    let log_file = home.path().join("state/platform-tui.log");
    let log = fs::read_to_string(&log_file).expect("the console log");
    assert!(
        log.contains("panic: ") && log.contains("PLATFORM_TUI_TEST_PANIC asked for a panic"),
        "the log does not hold the panic:\n{log}"
    );
    assert!(
        log.contains("src/main.rs"),
        "the log does not say where:\n{log}"
    );
    let mode = fs::metadata(&log_file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the console log is {mode:o}");
}

/// The harness can see what the scenarios assert against: a program that leaves the
/// alternate screen, a hidden cursor and raw mode behind and sets the window title is caught
/// on every count; one that cleans up passes.
#[test]
fn harness_notices_a_terminal_left_broken() {
    let home = TempDir::new().expect("temp dir");
    let mut broken = Console::start_program(
        home.path(),
        "/bin/sh",
        &[
            "-c",
            r"stty raw -echo; printf '\033[?1049h\033[?25l\033]0;pwned\007drawn'",
        ],
    );
    broken.wait_for("drawn");
    assert!(broken.wait_exit().success());
    let problems = restoration_problems(&broken);
    assert_eq!(problems.len(), 5, "{problems:#?}");
    assert_eq!(broken.events().window_titles, ["pwned"]);

    let mut tidy = Console::start_program(
        home.path(),
        "/bin/sh",
        &[
            "-c",
            r"printf '\033[?1049h\033[?25ldrawn\033[?1049l\033[?25h'",
        ],
    );
    assert!(tidy.wait_exit().success());
    assert_eq!(restoration_problems(&tidy), Vec::<String>::new());
    assert!(tidy.events().is_empty(), "{:?}", tidy.events());
}

// ---- steps shared by the scenarios ----

fn open_raw(console: &mut Console) {
    console.send(&format!(":objects {DATALAKE}/raw/{}", keys::ENTER));
    wait_for_table(console, "raw/", "green_tripdata/");
}

fn upload(console: &mut Console, local: &Path) {
    console.send("u");
    console.wait_until("the upload prompt", |screen| {
        message_line(screen).contains("path:")
    });
    console.send(local.to_str().expect("UTF-8 temp path"));
    console.send(keys::ENTER);
}

/// `ctrl-d` on the selected row; waits for the confirmation dialog and checks it names `url`.
fn ask_to_delete(console: &mut Console, url: &str) {
    console.send(keys::CTRL_D);
    let dialog = console.wait_for("Delete object?");
    assert!(
        dialog.contents().contains(url),
        "the confirmation does not name {url}:\n{}",
        dialog.contents()
    );
}

/// Waits until the table titled `name` shows the row `row` and has finished loading.
fn wait_for_table(console: &Console, name: &str, row: &str) -> vt100::Screen {
    let (name, row) = (name.to_owned(), row.to_owned());
    console.wait_until(
        &format!("the table {name} with the row {row}"),
        move |screen| {
            let title = table_title(screen);
            is_titled(&title, &name) && !title.contains("loading…") && has_row(screen, &row)
        },
    )
}

/// `q`, then: exit status 0 and the terminal given back (see [`restoration_problems`]).
fn quit_and_expect_terminal_restored(mut console: Console) {
    console.send("q");
    let status = console.wait_exit();
    assert!(status.success(), "{} exited with {status}", console.label());
    let problems = restoration_problems(&console);
    assert!(
        problems.is_empty(),
        "{} did not restore the terminal: {}",
        console.label(),
        problems.join("; ")
    );
}

/// After the program exited: its output ends with leaving the alternate screen and showing
/// the cursor (nothing drawn after), the emulated terminal is on the main screen with a
/// visible cursor, and the pty's modes are those from before the start (no raw mode left).
fn restoration_problems(console: &Console) -> Vec<String> {
    let raw = console.raw_output();
    let screen = console.screen();
    let mut problems = Vec::new();
    let closing = trailing_sequences(
        without_parting_words(&raw),
        &[LEAVE_ALTERNATE_SCREEN, SHOW_CURSOR],
    );
    for (sequence, what) in [
        (LEAVE_ALTERNATE_SCREEN, "leave the alternate screen"),
        (SHOW_CURSOR, "show the cursor"),
    ] {
        if !closing.contains(&sequence) {
            problems.push(format!(
                "the output does not end with {what} ({:?}); it ends with {:?}",
                String::from_utf8_lossy(sequence),
                String::from_utf8_lossy(&raw[raw.len().saturating_sub(80)..])
            ));
        }
    }
    if screen.alternate_screen() {
        problems.push("the terminal is still on the alternate screen".into());
    }
    if screen.hide_cursor() {
        problems.push("the cursor is still hidden".into());
    }
    if console.modes_now() != console.modes_before() {
        problems.push(format!(
            "the terminal's modes were {:?} and are now {:?}",
            console.modes_before(),
            console.modes_now()
        ));
    }
    problems
}

/// The sequences among `allowed` that `bytes` end with, back to the first other byte.
/// The output without the plain text printed after the terminal was given back (e.g. that the
/// sandbox still runs): everything up to the end of the last control sequence.
fn without_parting_words(raw: &[u8]) -> &[u8] {
    let Some(last_escape) = raw.iter().rposition(|&b| b == 0x1b) else {
        return raw;
    };
    let end = raw[last_escape + 1..]
        .iter()
        .skip(1) // the '[' of a CSI
        .position(|b| (0x40..=0x7e).contains(b))
        .map_or(raw.len(), |at| last_escape + 3 + at);
    &raw[..end]
}

fn trailing_sequences<'a>(mut bytes: &[u8], allowed: &[&'a [u8]]) -> Vec<&'a [u8]> {
    let mut found = Vec::new();
    while let Some(sequence) = allowed.iter().find(|s| bytes.ends_with(s)) {
        found.push(*sequence);
        bytes = &bytes[..bytes.len() - sequence.len()];
    }
    found
}

fn run_expecting_failure(home: &Path, args: &[&str]) -> String {
    let stderr_file = home.join("stderr.txt");
    let mut console = Console::start_with_stderr_to(home, args, &stderr_file);
    let status = console.wait_exit();
    let stderr = fs::read_to_string(&stderr_file).unwrap_or_default();
    assert!(
        !status.success(),
        "{} exited 0; stderr: {stderr}",
        console.label()
    );
    let raw = console.raw_output();
    assert!(
        find(&raw, ENTER_ALTERNATE_SCREEN).is_none(),
        "the terminal was switched to the alternate screen before the error: {:?}",
        String::from_utf8_lossy(&raw)
    );
    assert_eq!(
        console.modes_now(),
        console.modes_before(),
        "the terminal's modes changed"
    );
    stderr
}

/// Asserts `stderr` says `<file>:<line>:` followed by a description of the problem holding
/// `mentions`.
fn expect_located_error(stderr: &str, file: &Path, line: usize, mentions: &str) {
    let location = format!("{}:{line}:", file.display());
    let Some(at) = stderr.find(&location) else {
        panic!("standard error does not point at {location}: {stderr:?}");
    };
    let problem = stderr[at + location.len()..]
        .trim_start_matches(|c: char| c.is_ascii_digit() || c == ':')
        .trim();
    assert!(
        problem.chars().filter(|c| c.is_alphabetic()).count() > 5 && problem.contains(mentions),
        "standard error names the place but not the problem: {stderr:?}"
    );
    eprintln!("reported: {}", stderr.trim_end());
}

// ---- reading the screen ----

/// The message line at the bottom (key hints, prompts, results of actions).
fn message_line(screen: &vt100::Screen) -> String {
    let (_, cols) = screen.size();
    screen.rows(0, cols).last().unwrap_or_default()
}

/// N from a title `┌ NAME (N) ...` or `┌ NAME (SHOWN/N) ...`.
fn listed_count(title: &str) -> usize {
    let inside = title
        .split_once('(')
        .and_then(|(_, rest)| rest.split_once(')'))
        .map(|(count, _)| count)
        .unwrap_or_else(|| panic!("no count in the title {title:?}"));
    let total = inside.rsplit('/').next().unwrap_or(inside);
    total
        .parse()
        .unwrap_or_else(|e| panic!("count {total:?} in {title:?}: {e}"))
}

/// The CSV preview is a table: the header's column names stand apart (no commas) and the
/// first data row's values sit under them.
fn expect_csv_table(screen: &vt100::Screen) {
    let lines: Vec<Vec<char>> = table_lines(screen)
        .iter()
        .map(|line| line.chars().collect())
        .collect();
    let header_at = lines
        .iter()
        .position(|line| contains_chars(line, "VendorID"))
        .expect("header line");
    let header: String = lines[header_at].iter().collect();
    assert!(
        header.contains("lpep_pickup_datetime") && !header.contains(','),
        "the header is not split into columns: {header:?}"
    );
    let column = header
        .chars()
        .collect::<Vec<_>>()
        .windows("lpep_pickup_datetime".len())
        .position(|w| w.iter().collect::<String>() == "lpep_pickup_datetime")
        .unwrap();
    let row = &lines[header_at + 1];
    let value: String = row[column..column + 19].iter().collect();
    assert!(
        is_timestamp(&value),
        "the first row has no pickup time under its header: {:?} (row {:?})",
        value,
        row.iter().collect::<String>()
    );
}

fn contains_chars(line: &[char], text: &str) -> bool {
    line.iter().collect::<String>().contains(text)
}

/// `YYYY-MM-DD HH:MM:SS`
fn is_timestamp(text: &str) -> bool {
    text.len() == 19
        && text.chars().enumerate().all(|(i, c)| match i {
            4 | 7 => c == '-',
            10 => c == ' ',
            13 | 16 => c == ':',
            _ => c.is_ascii_digit(),
        })
}

fn sandbox_lists(sandbox: &Sandbox, name: &str) -> bool {
    sandbox
        .list(&format!("s3://{DATALAKE}/raw/"))
        .contains(&format!("raw/{name}"))
}

// ---- raw bytes ----

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
