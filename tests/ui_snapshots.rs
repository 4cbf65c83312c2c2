//! Snapshot tests of every view, drawn with ratatui's TestBackend: no terminal, no network.
//! The text form drops styles; `styles_mark_state` checks the styles that carry meaning.

use chrono::{TimeZone, Utc};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use platform_tui::app::keys::KeyMap;
use platform_tui::app::message::Msg;
use platform_tui::app::view::boxed;
use platform_tui::app::view::{Outcome, Prompt};
use platform_tui::app::App;
use platform_tui::aws::s3::{Bucket, Entry};
use platform_tui::config::Context;
use platform_tui::gate::{catalog, ActionRequest, AuditLog, AuditRecord, Outcome as Audited};
use platform_tui::kinds::console::audit::Audit;
use platform_tui::kinds::console::contexts::Contexts;
use platform_tui::kinds::s3::buckets::Buckets;
use platform_tui::kinds::s3::objects::Objects;
use platform_tui::views::document::{DocLine, DocumentView};
use platform_tui::views::preview::PreviewView;
use platform_tui::views::table::TableView;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use tokio::sync::mpsc;

#[path = "support/screen.rs"]
mod screen;
use screen::{draw_view, screen, theme};

fn sandbox_context(read_only: bool) -> Context {
    Context {
        name: "sandbox".into(),
        region: Some("us-east-1".into()),
        endpoint_url: Some("http://127.0.0.1:1".into()),
        sandbox: true,
        read_only,
        ..Context::default()
    }
}

fn buckets() -> Vec<Bucket> {
    let created = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
    [
        "nyctaxi-sandbox-datalake",
        "nyctaxi-sandbox-emr-logs",
        "nyctaxi-sandbox-mwaa",
    ]
    .iter()
    .map(|name| Bucket {
        name: name.to_string(),
        region: Some("us-east-1".into()),
        created: Some(created),
    })
    .collect()
}

fn entries() -> Vec<Entry> {
    let t = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
    let object = |key: &str, size| Entry::Object {
        key: key.into(),
        size,
        last_modified: Some(t),
        storage_class: Some("STANDARD".into()),
        etag: None,
    };
    vec![
        Entry::Prefix {
            prefix: "raw/green_tripdata/".into(),
        },
        Entry::Prefix {
            prefix: "raw/hostile/".into(),
        },
        object("raw/green_tripdata_2024-01.csv", 128_822),
        object("raw/\x1b]0;pwned\x07\x1b[2Jname.txt", 95),
        object("raw/big.parquet", 3 * 1024 * 1024 * 1024),
    ]
}

struct Harness {
    app: App,
    terminal: Terminal<TestBackend>,
    _dir: tempfile::TempDir,
}

impl Harness {
    fn new(read_only: bool) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (tx, _rx) = mpsc::unbounded_channel();
        let context = sandbox_context(read_only);
        let contexts = vec![
            context.clone(),
            Context {
                name: "prod".into(),
                profile: Some("analytics-prod".into()),
                region: Some("eu-west-1".into()),
                read_only: true,
                ..Context::default()
            },
        ];
        let audit = AuditLog::new(dir.path().join("audit.jsonl"));
        let mut app = App::new(contexts, context, theme(), KeyMap::default(), audit, tx);
        // Replace the connecting root view with one that holds known rows.
        app.stack.clear();
        app.push(boxed(TableView::with_items(Buckets, buckets())));
        Self {
            app,
            terminal: Terminal::new(TestBackend::new(100, 24)).unwrap(),
            _dir: dir,
        }
    }

    fn key(&mut self, code: KeyCode) {
        let modifiers = match code {
            KeyCode::Char(c) if c.is_ascii_uppercase() => KeyModifiers::SHIFT,
            _ => KeyModifiers::NONE,
        };
        self.app
            .update(Msg::Terminal(Event::Key(KeyEvent::new(code, modifiers))));
    }

    fn keys(&mut self, text: &str) {
        for c in text.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    fn draw(&mut self) -> String {
        let app = &mut self.app;
        self.terminal
            .draw(|f| platform_tui::ui::draw(f, app))
            .unwrap();
        screen(&self.terminal)
    }
}

#[tokio::test]
async fn app_buckets_with_status_bar() {
    let mut h = Harness::new(false);
    insta::assert_snapshot!(h.draw());
}

#[tokio::test]
async fn app_help_overlay() {
    let mut h = Harness::new(false);
    h.key(KeyCode::Char('?'));
    insta::assert_snapshot!(h.draw());
}

/// Help ends the session's status bar clean (no `⚠` left behind) and explains the glyphs.
#[tokio::test]
async fn app_help_has_the_state_legend_and_leaves_no_warning() {
    let mut h = Harness::new(false);
    h.key(KeyCode::Char('?'));
    let first = h.draw();
    assert!(
        !first.contains('⚠') || first.contains("import errors"),
        "{first}"
    );
    let mut screen = first;
    for _ in 0..40 {
        if screen.contains("Legend (Airflow states)") && screen.contains("Legend (marks)") {
            break;
        }
        h.key(KeyCode::Char('j'));
        screen = h.draw();
    }
    for glyph in ["■", "✖", "▶", "↻", "◌", "»"] {
        assert!(screen.contains(glyph), "{glyph} not explained:\n{screen}");
    }
    insta::assert_snapshot!(screen);
    h.key(KeyCode::Esc);
    let after = h.draw();
    let status = after.lines().rev().nth(1).unwrap_or_default();
    assert!(!status.contains('⚠'), "help left a warning: {status}");
}

#[tokio::test]
async fn app_command_mode_completes() {
    let mut h = Harness::new(false);
    h.keys(":o");
    let before_tab = h.draw();
    assert!(before_tab.contains(":o"), "{before_tab}");
    h.key(KeyCode::Tab);
    insta::assert_snapshot!(h.draw());
}

#[tokio::test]
async fn app_unknown_command_says_what_to_try() {
    let mut h = Harness::new(false);
    h.keys(":bogus");
    h.key(KeyCode::Enter);
    let screen = h.draw();
    assert!(screen.contains("unknown resource 'bogus'"), "{screen}");
    insta::assert_snapshot!(screen);
}

#[tokio::test]
async fn app_filter_narrows_rows() {
    let mut h = Harness::new(false);
    h.keys("/mwaa");
    insta::assert_snapshot!(h.draw());
}

#[tokio::test]
async fn app_confirmation_dialog_names_the_target() {
    let mut h = Harness::new(false);
    let request = ActionRequest::new(
        &catalog::S3_DELETE,
        "s3://nyctaxi-sandbox-datalake/raw/trips.csv",
        |_| Box::pin(async { Ok(String::new()) }),
    )
    .with_detail("size 12 B");
    h.app.handle(Outcome::Act(request));
    insta::assert_snapshot!(h.draw());
}

#[tokio::test]
async fn app_read_only_refuses_and_says_so() {
    let mut h = Harness::new(true);
    let request = ActionRequest::new(
        &catalog::S3_UPLOAD,
        "s3://nyctaxi-sandbox-datalake/raw/trips.csv",
        |_| Box::pin(async { Ok(String::new()) }),
    );
    h.app.handle(Outcome::Act(request));
    let screen = h.draw();
    assert!(screen.contains("READ-ONLY"), "{screen}");
    assert!(
        screen.contains("Upload refused: context 'sandbox' is read-only"),
        "{screen}"
    );
    insta::assert_snapshot!(screen);
}

#[tokio::test]
async fn app_prompt_for_a_local_path() {
    let mut h = Harness::new(false);
    h.app.handle(Outcome::Ask(Prompt::new(
        "Upload a local file into s3://nyctaxi-sandbox-datalake/raw/ — path",
        "",
        |_| Outcome::Handled,
    )));
    h.keys("/tmp/trips.csv");
    insta::assert_snapshot!(h.draw());
}

#[tokio::test]
async fn app_terminal_too_small() {
    let mut h = Harness::new(false);
    h.terminal = Terminal::new(TestBackend::new(40, 8)).unwrap();
    insta::assert_snapshot!(h.draw());
}

#[tokio::test]
async fn app_contexts_view() {
    let mut h = Harness::new(false);
    let contexts = h.app.env.contexts.clone();
    h.app.push(boxed(TableView::with_items(
        Contexts::new(contexts.clone(), "sandbox"),
        contexts,
    )));
    insta::assert_snapshot!(h.draw());
}

#[test]
fn objects_table_sanitizes_hostile_keys() {
    let mut view =
        TableView::with_items(Objects::new("nyctaxi-sandbox-datalake", "raw/"), entries());
    let text = screen(&draw_view(&mut view, 100, 12));
    assert!(text.contains("^[]0;pwned^G^[[2Jname.txt"), "{text}");
    assert!(!text.contains('\x1b'));
    insta::assert_snapshot!(text);
}

#[test]
fn buckets_table_loading_and_error_states() {
    let mut loading = TableView::new(Buckets);
    let text = screen(&draw_view(&mut loading, 80, 8));
    insta::assert_snapshot!("buckets_before_first_load", text);
}

#[test]
fn preview_csv_as_table() {
    let csv = b"VendorID,lpep_pickup_datetime,trip_distance,fare_amount\n2,2024-01-01 00:10:00,1.5,9.30\n1,\"2024-01-01 00:20:00\",12.25,41.00\n";
    let mut view = PreviewView::with_bytes("nyctaxi-sandbox-datalake", "raw/trips.csv", csv);
    insta::assert_snapshot!(screen(&draw_view(&mut view, 90, 8)));
}

#[test]
fn preview_text_and_hex() {
    let mut text =
        PreviewView::with_bytes("b", "notes.txt", b"line one\n\x1b[31mred\x1b[0m line two\n");
    let shown = screen(&draw_view(&mut text, 60, 6));
    assert!(shown.contains("^[[31mred^[[0m"), "{shown}");
    insta::assert_snapshot!("preview_text", shown);
    let mut hex = PreviewView::with_bytes("b", "blob.bin", &[0u8, 159, 146, 150, 1, 2, 3, 255]);
    insta::assert_snapshot!("preview_hex", screen(&draw_view(&mut hex, 90, 6)));
}

#[test]
fn preview_gzip_csv_is_unpacked() {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(b"a,b\n1,2\n3,4\n").unwrap();
    let bytes = encoder.finish().unwrap();
    let mut view = PreviewView::with_bytes("b", "raw/trips.csv.gz", &bytes);
    let shown = screen(&draw_view(&mut view, 60, 7));
    assert!(shown.contains("gzip"), "{shown}");
    insta::assert_snapshot!(shown);
}

#[test]
fn object_detail_document() {
    let mut view = DocumentView::ready(
        "detail trips.csv",
        vec![
            DocLine::Section("Object".into()),
            DocLine::Field(
                "URL".into(),
                "s3://nyctaxi-sandbox-datalake/raw/trips.csv".into(),
            ),
            DocLine::Field("Size".into(), "125.8 KiB (128822 bytes)".into()),
            DocLine::Section("Metadata".into()),
            DocLine::Field("source".into(), "tlc\x1b[2J".into()),
            DocLine::Section("Tags".into()),
            DocLine::Field("layer".into(), "raw".into()),
        ],
    );
    insta::assert_snapshot!(screen(&draw_view(&mut view, 70, 10)));
}

#[test]
fn audit_view() {
    let record = |action: &str, outcome| AuditRecord {
        time: "2026-01-02T03:04:05.000Z".into(),
        context: "sandbox".into(),
        action: action.into(),
        target: "s3://nyctaxi-sandbox-datalake/raw/trips.csv".into(),
        outcome,
        detail: None,
    };
    let mut view = TableView::with_items(
        Audit::new(AuditLog::new("/tmp/audit.jsonl")),
        vec![
            record("s3.delete", Audited::Succeeded),
            record("s3.upload", Audited::Refused),
        ],
    );
    insta::assert_snapshot!(screen(&draw_view(&mut view, 120, 6)));
}

#[tokio::test]
async fn styles_mark_state() {
    let mut h = Harness::new(true);
    h.draw();
    let buffer = h.terminal.backend().buffer().clone();
    let theme = theme();
    // The selected row is drawn with the theme's selection style.
    let selected_cell = &buffer[(2, 3)];
    assert_eq!(
        selected_cell.bg,
        theme.selected.bg.unwrap_or(selected_cell.bg)
    );
    // READ-ONLY uses the warning colour.
    let status_y = buffer.area.height - 2;
    let text: String = (0..buffer.area.width)
        .map(|x| buffer[(x, status_y)].symbol().to_string())
        .collect();
    let x = text.find("READ-ONLY").expect("status shows READ-ONLY") as u16;
    assert_eq!(buffer[(x, status_y)].fg, theme.warning.fg.unwrap());
}

#[tokio::test]
async fn audit_record_opens_whole_on_enter() {
    let target = format!(
        "s3://nyctaxi-sandbox-datalake/raw/green_tripdata/{}/green_tripdata_2024-01.csv",
        "year=2024/month=01/".repeat(4)
    );
    let record = AuditRecord {
        time: "2026-01-02T03:04:05.000Z".into(),
        context: "sandbox".into(),
        action: "s3.delete".into(),
        target: target.clone(),
        outcome: Audited::Failed,
        detail: Some("AccessDenied: not allowed".into()),
    };
    let view = TableView::with_items(
        Audit::new(AuditLog::new("/nonexistent/audit.jsonl")),
        vec![record],
    );
    let mut h = screen::AppHarness::new(false, boxed(view), 160, 16).await;
    let table = h.draw();
    assert!(
        !table.contains(&target),
        "the table cuts the target:\n{table}"
    );
    h.press(KeyCode::Enter, KeyModifiers::NONE);
    let detail = h.draw();
    assert!(
        detail.contains(&target),
        "enter shows the whole target:\n{detail}"
    );
    assert!(detail.contains("AccessDenied: not allowed"), "{detail}");
    assert!(detail.contains("failed"), "{detail}");
}
