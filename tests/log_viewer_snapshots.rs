//! Snapshot tests of the log viewer, drawn with ratatui's TestBackend and driven with keys the
//! way the app drives it (prompt answers and fetch results come back through the view's
//! messages). The text snapshots drop styles; the highlight of search matches is asserted on
//! the cells. The S3 object source is tested against the sandbox's emulator over HTTP.

mod support;

use chrono::{Local, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use futures::future::BoxFuture;
use platform_tui::app::keys::KeyMap;
use platform_tui::app::message::Msg;
use platform_tui::app::mount::{Probe, Probed};
use platform_tui::app::view::boxed;
use platform_tui::app::view::{Env, Outcome, RenderCx, View};
use platform_tui::config::Context;
use platform_tui::gate::{AuditLog, Gate};
use platform_tui::logs::{LogChunk, LogLine, LogSource, MemorySource};
use platform_tui::theme::{self, Theme};
use platform_tui::views::log_viewer::{LogMsg, LogViewer};
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::Terminal;
use tokio::sync::mpsc;

fn theme() -> Theme {
    theme::load_theme("dark").expect("built-in dark theme")
}

/// A Spark-on-Glue-like log: timestamps in the text and as event times, an error with its
/// stack trace every 10 lines.
fn spark_lines(range: std::ops::Range<u32>) -> Vec<LogLine> {
    range
        .map(|i| {
            let t = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 0).unwrap() + chrono::Duration::seconds(i as i64);
            let text = match i % 10 {
                5 => format!("26/01/02 03:04:{:02} ERROR Executor: Exception in task {i}.0 in stage 3.0 (TID {i})", i % 60),
                6 => "java.lang.IllegalStateException: bad record in s3://nyctaxi-sandbox-datalake/raw/green_tripdata_2024-01.csv".to_string(),
                _ => format!("26/01/02 03:04:{:02} INFO TaskSetManager: Finished task {i}.0 in stage 3.0 (TID {i}) in 412 ms on 10.0.1.23 (executor 1) ({i}/200)", i % 60),
            };
            LogLine::at(t, text)
        })
        .collect()
}

/// The app's side of a view: its environment, key map and the view's wiring.
struct Rig {
    env: Env,
    keymap: KeyMap,
    probe: Probe<LogMsg>,
    terminal: Terminal<TestBackend>,
}

impl Rig {
    fn new(width: u16, height: u16) -> Self {
        Self {
            env: Env {
                context: Context::default(),
                clients: None,
                gate: Gate::new("test", true, AuditLog::new("/dev/null")),
                contexts: Vec::new(),
                log_line_cap: platform_tui::config::DEFAULT_LOG_LINE_CAP,
            },
            keymap: KeyMap::default(),
            probe: Probe::default(),
            terminal: Terminal::new(TestBackend::new(width, height)).unwrap(),
        }
    }

    fn press(&mut self, view: &mut LogViewer, code: KeyCode, modifiers: KeyModifiers) -> Outcome {
        let key = KeyEvent::new(code, modifiers);
        let cmd = self.keymap.resolve(&key);
        self.probe
            .with_cx(&self.env, |cx| view.on_key(key, cmd, cx))
    }

    fn keys(&mut self, view: &mut LogViewer, text: &str) {
        for c in text.chars() {
            let modifiers = if c.is_ascii_uppercase() {
                KeyModifiers::SHIFT
            } else {
                KeyModifiers::NONE
            };
            self.press(view, KeyCode::Char(c), modifiers);
        }
    }

    /// Answers the prompt an outcome asks, as the app does when the user presses enter.
    fn answer(&mut self, outcome: Outcome, text: &str) -> String {
        let Outcome::Ask(prompt) = outcome else {
            panic!("expected a prompt");
        };
        let title = prompt.title.clone();
        (prompt.on_submit)(text.to_string());
        title
    }

    /// Hands the next message for the view to it; returns a flash if that is what it asked.
    async fn deliver(&mut self, view: &mut LogViewer) -> Option<Result<String, String>> {
        let probed = self
            .probe
            .next(std::time::Duration::from_secs(5))
            .await
            .expect("a message within 5 s");
        let outcome = match probed {
            Probed::Mail(message) => self.probe.with_cx(&self.env, |cx| view.update(message, cx)),
            Probed::Outcome(outcome) => outcome,
        };
        match outcome {
            Outcome::Flash(result) => Some(result),
            _ => None,
        }
    }

    /// Starts a refresh without waiting for its result.
    fn start_refresh(&mut self, view: &mut LogViewer) {
        self.probe.with_cx(&self.env, |cx| view.refresh(cx));
    }

    /// Nothing waits for the view.
    fn idle(&mut self) -> bool {
        self.probe.try_next().is_none()
    }

    async fn refresh(&mut self, view: &mut LogViewer) {
        self.start_refresh(view);
        self.deliver(view).await;
    }

    fn draw(&mut self, view: &mut LogViewer) -> String {
        let theme = theme();
        self.terminal
            .draw(|f| {
                let cx = RenderCx {
                    theme: &theme,
                    now: Local::now(),
                };
                view.render(f, f.area(), &cx)
            })
            .unwrap();
        text_of(self.terminal.backend().buffer())
    }
}

fn text_of(buffer: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buffer.area.height {
        let line: String = (0..buffer.area.width)
            .map(|x| buffer[(x, y)].symbol())
            .collect();
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// A viewer that already fetched `lines` (through its source, as in the app).
async fn loaded(rig: &mut Rig, lines: Vec<LogLine>, cap: usize) -> LogViewer {
    let mut view = LogViewer::new(
        "glue nyc_process_to_staging jr_0a1b output",
        Box::new(MemorySource::finished(lines)),
        cap,
    );
    rig.refresh(&mut view).await;
    view
}

#[tokio::test]
async fn follow_on_shows_the_newest_lines() {
    let mut rig = Rig::new(100, 12);
    let mut view = loaded(&mut rig, spark_lines(0..40), 1000).await;
    let screen = rig.draw(&mut view);
    assert!(
        screen.contains("FOLLOW") && screen.contains("task 39.0"),
        "{screen}"
    );
    insta::assert_snapshot!(screen);
}

#[tokio::test]
async fn follow_off_after_scrolling_up_keeps_the_place_when_lines_arrive() {
    let mut rig = Rig::new(100, 12);
    let (source, writer) = MemorySource::live();
    writer.extend(spark_lines(0..40));
    let mut view = LogViewer::new("emr s-2ABC stderr", Box::new(source), 1000);
    rig.refresh(&mut view).await;
    rig.keys(&mut view, "kkkkk");
    assert!(!view.auto_refresh(), "a paused view does not poll");
    writer.extend(spark_lines(40..45));
    rig.refresh(&mut view).await; // ctrl-r still fetches
    let screen = rig.draw(&mut view);
    assert!(
        screen.contains("paused") && screen.contains("35/45"),
        "{screen}"
    );
    insta::assert_snapshot!(screen);
    let buffer = rig.terminal.backend().buffer();
    let selected = theme().selected.bg.unwrap();
    let marked: Vec<u16> = (1..buffer.area.height - 1)
        .filter(|&y| buffer[(1, y)].bg == selected)
        .collect();
    assert_eq!(
        marked,
        [10],
        "only the selected line (the last row, task 34) is marked"
    );
}

#[tokio::test]
async fn only_new_lines_are_fetched_and_polling_stops_when_the_log_is_finished() {
    let mut rig = Rig::new(100, 8);
    let (source, writer) = MemorySource::live();
    let mut view = LogViewer::new("live", Box::new(source), 1000);
    writer.push(LogLine::new("first"));
    rig.refresh(&mut view).await;
    assert_eq!(view.len(), 1);
    assert!(view.auto_refresh());
    writer.extend([LogLine::new("second"), LogLine::new("third")]);
    writer.finish();
    rig.refresh(&mut view).await;
    assert_eq!(view.len(), 3, "each fetch adds only the new lines");
    assert!(!view.auto_refresh(), "a finished log is not polled");
    rig.start_refresh(&mut view);
    assert!(rig.idle(), "nothing is fetched after the end");
}

#[tokio::test]
async fn wrap_on_and_off() {
    let mut rig = Rig::new(60, 8);
    let mut view = loaded(&mut rig, spark_lines(0..3), 1000).await;
    insta::assert_snapshot!("wrap_off", rig.draw(&mut view));
    rig.keys(&mut view, "W");
    assert!(view.toggles().wrap);
    let screen = rig.draw(&mut view);
    assert!(screen.contains("wrap"), "{screen}");
    insta::assert_snapshot!("wrap_on", screen);
}

#[tokio::test]
async fn timestamps_from_the_events() {
    let mut rig = Rig::new(100, 8);
    let mut view = loaded(&mut rig, spark_lines(0..4), 1000).await;
    rig.keys(&mut view, "T");
    let screen = rig.draw(&mut view);
    assert!(screen.contains("2026-01-02T03:04:03.000Z"), "{screen}");
    insta::assert_snapshot!(screen);
}

#[tokio::test]
async fn search_highlights_matches_and_steps_with_wraparound() {
    let mut rig = Rig::new(100, 10);
    let mut view = loaded(&mut rig, spark_lines(0..30), 1000).await;
    let outcome = rig.press(&mut view, KeyCode::Char('s'), KeyModifiers::CONTROL);
    let title = rig.answer(outcome, "exception");
    assert!(title.starts_with("Search"), "{title}");
    // the answer comes back to the view, which answers with a flash
    let flash = rig.deliver(&mut view).await.expect("a flash");
    assert_eq!(
        flash,
        Ok("match 1 of 6 for 'exception' (wrapped around)".into())
    );
    let Outcome::Flash(Ok(next)) = rig.press(&mut view, KeyCode::Char('n'), KeyModifiers::NONE)
    else {
        panic!("n answers with a flash");
    };
    assert_eq!(next, "match 2 of 6 for 'exception'");
    let screen = rig.draw(&mut view);
    assert!(screen.contains("search 'exception' 2/6"), "{screen}");
    insta::assert_snapshot!(screen);

    // Every cell of every match carries the highlight style, and nothing else does.
    let theme = theme();
    let buffer = rig.terminal.backend().buffer().clone();
    let mut highlighted = 0;
    for y in 1..buffer.area.height - 1 {
        let row: String = (0..buffer.area.width)
            .map(|x| buffer[(x, y)].symbol())
            .collect();
        let lower = row.to_lowercase();
        let matched: Vec<usize> = lower
            .match_indices("exception")
            .map(|(byte, _)| lower[..byte].chars().count())
            .collect();
        for x in 1..buffer.area.width - 1 {
            let inside = matched.iter().any(|&m| (m..m + 9).contains(&(x as usize)));
            let cell = &buffer[(x, y)];
            assert_eq!(
                cell.bg == theme.highlight.bg.unwrap(),
                inside,
                "cell {x},{y} in {row}"
            );
            highlighted += inside as usize;
        }
    }
    assert!(highlighted >= 9 * 2, "{highlighted} highlighted cells");
    rig.press(&mut view, KeyCode::Char('N'), KeyModifiers::SHIFT);
    let wrapped = rig.press(&mut view, KeyCode::Char('N'), KeyModifiers::SHIFT);
    let Outcome::Flash(Ok(wrapped)) = wrapped else {
        panic!("N answers with a flash");
    };
    assert_eq!(wrapped, "match 6 of 6 for 'exception' (wrapped around)");
}

#[tokio::test]
async fn filter_keeps_context_lines_around_matches() {
    let mut rig = Rig::new(100, 14);
    let mut view = loaded(&mut rig, spark_lines(0..30), 1000).await;
    view.set_filter("ERROR");
    rig.keys(&mut view, "-"); // context 2 → 1
    let screen = rig.draw(&mut view);
    assert!(screen.contains("filter 'ERROR' ±1: 9 lines"), "{screen}");
    assert!(
        screen.contains("┈"),
        "gaps between groups are marked: {screen}"
    );
    insta::assert_snapshot!(screen);

    // Matched words are highlighted; context lines are muted.
    let theme = theme();
    let buffer = rig.terminal.backend().buffer();
    let row_of = |text: &str| {
        (0..buffer.area.height)
            .find(|&y| {
                let row: String = (0..buffer.area.width)
                    .map(|x| buffer[(x, y)].symbol())
                    .collect();
                row.contains(text)
            })
            .unwrap()
    };
    let error_row = row_of("ERROR Executor: Exception in task 15.0");
    let error_x = 1 + "26/01/02 03:04:15 ".len() as u16;
    assert_eq!(buffer[(error_x, error_row)].bg, theme.highlight.bg.unwrap());
    assert_ne!(
        buffer[(error_x - 1, error_row)].bg,
        theme.highlight.bg.unwrap()
    );
    let context_row = row_of("Finished task 14.0");
    assert_eq!(buffer[(1, context_row)].fg, theme.muted.fg.unwrap());
}

/// An Airflow 3 task log as MWAA keeps it in CloudWatch: one JSON record an event, without a
/// time of its own (the event has it), as the sandbox's Airflow writes them; read as
/// `time LEVEL event` with the event's time; `J` shows every raw record, pretty (from the top).
#[tokio::test]
async fn airflow_3_json_log_reads_as_time_level_event_with_the_raw_json_one_key_away() {
    let mut rig = Rig::new(100, 12);
    let at = |second: u32| Utc.with_ymd_and_hms(2026, 11, 24, 4, 0, second).unwrap();
    let record = |event: &str, level: &str, logger: &str| {
        format!(
            r#"{{"map_index": -1, "try_number": 1, "ti_id": "01a24862-df21-7dfe-aa1f-b12d015da82b", "run_id": "scheduled__2026-11-24T00:00:00+00:00", "task_id": "process_to_staging_nyc", "dag_id": "prepare_data_nyc", "logger": "{logger}", "event": "{event}", "level": "{level}"}}"#
        )
    };
    let failed = r#"{"map_index": -1, "try_number": 1, "task_id": "process_to_staging_nyc", "dag_id": "prepare_data_nyc", "event": "Task failed with exception", "level": "error", "logger": "task", "error_detail": [{"exc_type": "AirflowException", "exc_value": "Exiting Job jr_0a1b2c Run State: FAILED", "syntax_error": null, "is_cause": false, "frames": [{"filename": "/usr/local/airflow/.local/lib/python3.11/site-packages/airflow/providers/amazon/aws/hooks/glue.py", "lineno": 451, "name": "job_completion"}]}]}"#;
    let lines = vec![
        LogLine::at(at(1), record("DAG bundles loaded: dags-folder", "info", "airflow.dag_processing.bundles.manager.DagBundlesManager")),
        LogLine::at(at(2), record("Polling for AWS Glue Job nyctaxi-sandbox-process-to-staging current run state with status RUNNING", "info", "airflow.providers.amazon.aws.hooks.glue.GlueJobHook")),
        LogLine::at(at(9), failed),
        LogLine::at(at(9), "a plain line between records"),
    ];
    let mut view = loaded(&mut rig, lines, 1000).await;
    let screen = rig.draw(&mut view);
    assert!(
        screen.contains("2026-11-24T04:00:09.000Z ERROR Task failed with exception"),
        "{screen}"
    );
    assert!(
        screen.contains("AirflowException: Exiting Job jr_0a1b2c Run State: FAILED"),
        "{screen}"
    );
    insta::assert_snapshot!("airflow_json_log_readable", screen);
    rig.press(&mut view, KeyCode::Char('g'), KeyModifiers::NONE);
    rig.press(&mut view, KeyCode::Char('J'), KeyModifiers::SHIFT);
    let raw = rig.draw(&mut view);
    assert!(raw.contains(r#"  "level": "info""#), "{raw}");
    insta::assert_snapshot!("airflow_json_log_raw", raw);
}

#[tokio::test]
async fn json_lines_pretty_printed_on_demand() {
    let mut rig = Rig::new(80, 14);
    let lines = vec![
        LogLine::new("INFO plain line"),
        LogLine::new(
            r#"{"level":"ERROR","msg":"COPY failed","detail":{"table":"nyc.green_trips_daily_zone","rows":0}}"#,
        ),
    ];
    let mut view = loaded(&mut rig, lines, 1000).await;
    insta::assert_snapshot!("json_compact", rig.draw(&mut view));
    rig.press(&mut view, KeyCode::Enter, KeyModifiers::NONE);
    let screen = rig.draw(&mut view);
    assert!(
        screen.contains(r#"    "table": "nyc.green_trips_daily_zone","#),
        "{screen}"
    );
    insta::assert_snapshot!("json_pretty", screen);
}

#[tokio::test]
async fn dropped_lines_are_indicated() {
    let mut rig = Rig::new(100, 8);
    let mut view = loaded(&mut rig, spark_lines(0..120), 50).await;
    assert_eq!((view.len(), view.dropped()), (50, 70));
    let screen = rig.draw(&mut view);
    assert!(
        screen.contains("70 earlier lines dropped (line cap 50)"),
        "{screen}"
    );
    insta::assert_snapshot!(screen);
}

#[tokio::test]
async fn hostile_escape_sequences_are_shown_inert() {
    let mut rig = Rig::new(80, 8);
    let bytes =
        b"ok\n\x1b]0;pwned\x07\x1b[2J\x1b[1;1Hcleared?\nbidi \xe2\x80\xaecba\nbad utf8 \xff\xfe\n";
    let mut view = LogViewer::new("hostile", Box::new(MemorySource::from_bytes(bytes)), 100);
    rig.refresh(&mut view).await;
    let screen = rig.draw(&mut view);
    assert!(
        screen.contains("^[]0;pwned^G^[[2J^[[1;1Hcleared?"),
        "{screen}"
    );
    assert!(
        screen.contains("<U+202E>") && screen.contains("\u{FFFD}"),
        "{screen}"
    );
    assert!(!screen.chars().any(|c| c.is_control() && c != '\n'));
    insta::assert_snapshot!(screen);
}

#[tokio::test]
async fn save_writes_a_new_file_and_never_overwrites() {
    let mut rig = Rig::new(80, 8);
    let mut view = loaded(&mut rig, spark_lines(0..10), 1000).await;
    view.set_filter("ERROR");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("errors.log");
    let path = path.to_str().unwrap();
    for expect_ok in [true, false] {
        let outcome = rig.press(&mut view, KeyCode::Char('w'), KeyModifiers::NONE);
        let title = rig.answer(outcome, path);
        assert_eq!(title, "Save 5 shown lines to");
        rig.deliver(&mut view).await; // the answer starts the write
                                      // the write finished: the view flashes its result
        let flash = rig.deliver(&mut view).await.expect("a flash");
        assert_eq!(flash.is_ok(), expect_ok, "{flash:?}");
    }
    let saved = std::fs::read_to_string(path).unwrap();
    assert_eq!(saved.lines().count(), 5);
    assert!(saved.lines().nth(2).unwrap().contains("ERROR Executor"));
}

/// A source whose service refuses: the error shows where the lines would be.
struct Refusing;

impl LogSource for Refusing {
    fn fetch_next(&mut self) -> BoxFuture<'_, Result<LogChunk, platform_tui::errors::UiError>> {
        Box::pin(async {
            Err("CloudWatch Logs GetLogEvents on /aws-glue/jobs/error: AccessDenied".into())
        })
    }

    fn is_finished(&self) -> bool {
        false
    }
}

#[tokio::test]
async fn loading_and_errors_are_shown() {
    let mut rig = Rig::new(90, 5);
    let mut view = LogViewer::new("glue error log", Box::new(Refusing), 100);
    rig.start_refresh(&mut view);
    insta::assert_snapshot!("log_loading", rig.draw(&mut view));
    rig.deliver(&mut view).await;
    let screen = rig.draw(&mut view);
    assert!(
        screen.contains("⚠ CloudWatch Logs GetLogEvents"),
        "{screen}"
    );
    insta::assert_snapshot!("log_error", screen);
}

#[tokio::test]
async fn help_lists_the_log_keys() {
    use crossterm::event::Event;
    use platform_tui::app::App;
    let dir = tempfile::tempdir().unwrap();
    let (tx, _rx) = mpsc::unbounded_channel();
    let audit = AuditLog::new(dir.path().join("audit.jsonl"));
    let context = Context {
        name: "sandbox".into(),
        ..Context::default()
    };
    let mut app = App::new(
        vec![context.clone()],
        context,
        theme(),
        KeyMap::default(),
        audit,
        tx,
    );
    app.stack.clear();
    let view = LogViewer::new(
        "emr s-2ABC stderr",
        Box::new(MemorySource::finished(spark_lines(0..5))),
        100,
    );
    app.push(boxed(view));
    app.update(Msg::Terminal(Event::Key(KeyEvent::new(
        KeyCode::Char('?'),
        KeyModifiers::NONE,
    ))));
    let mut terminal = Terminal::new(TestBackend::new(110, 26)).unwrap();
    terminal
        .draw(|f| platform_tui::ui::draw(f, &mut app))
        .unwrap();
    let screen = text_of(terminal.backend().buffer());
    // Not a snapshot: the help also lists every resource command, which grows with the app.
    for (keys, about) in [
        ("G/end", "newest line"),
        ("f", "follow new lines on/off"),
        ("ctrl-s", "search (highlights matches)"),
        ("n N", "next / previous match"),
        ("/", "filter: matching lines with context"),
        ("+ -", "more / fewer context lines"),
        ("enter/l", "raw JSON of the selected line"),
        ("w", "save the shown lines to a file"),
        ("esc/h", "clear search, then filter, then back"),
    ] {
        let line = screen
            .lines()
            .find(|l| l.contains(about))
            .unwrap_or_else(|| panic!("{about}: {screen}"));
        assert!(line.contains(&format!("│  {keys} ")), "{line}");
    }
}

fn gzip(text: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(text).unwrap();
    encoder.finish().unwrap()
}

#[tokio::test]
async fn s3_object_source_returns_only_the_new_lines_of_a_growing_gzip_log() {
    use platform_tui::aws::s3::S3;
    use platform_tui::aws::sdk_config;
    use platform_tui::logs::S3ObjectSource;
    let emulator = support::Emulator::start();
    let config = sdk_config(&emulator.settings()).await;
    let sdk = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&config)
            .force_path_style(true)
            .build(),
    );
    let (bucket, key) = ("nyctaxi-sandbox-emr-logs", "j-1ABC/steps/s-2DEF/stderr.gz");
    sdk.create_bucket().bucket(bucket).send().await.unwrap();
    let put = |body: Vec<u8>| {
        sdk.put_object()
            .bucket(bucket)
            .key(key)
            .body(body.into())
            .send()
    };
    let texts =
        |chunk: LogChunk| -> Vec<String> { chunk.lines.into_iter().map(|l| l.text).collect() };
    let mut source = S3ObjectSource::new(S3::new(&config), bucket, key, true);
    let nothing_yet = source.fetch_next().await.unwrap();
    assert!(
        nothing_yet.lines.is_empty(),
        "no object yet: no lines, no error"
    );
    put(gzip(b"line 1\nline 2\npart")).await.unwrap();
    assert_eq!(
        texts(source.fetch_next().await.unwrap()),
        ["line 1", "line 2"]
    );
    put(gzip(b"line 1\nline 2\npartial\nline 4\ntail \xff"))
        .await
        .unwrap();
    assert_eq!(
        texts(source.fetch_next().await.unwrap()),
        ["partial", "line 4"]
    );
    assert!(!source.is_finished());
    source.stop_following();
    assert_eq!(texts(source.fetch_next().await.unwrap()), ["tail \u{FFFD}"]);
    assert!(source.is_finished());

    let mut missing = S3ObjectSource::new(S3::new(&config), bucket, "j-1ABC/none.gz", false);
    let error = missing.fetch_next().await.unwrap_err();
    assert!(error.message.contains("none.gz"), "{error}");
}

/// A source with a backlog served in pages, like CloudWatch GetLogEvents.
struct Paged(Vec<Vec<LogLine>>);

impl LogSource for Paged {
    fn fetch_next(&mut self) -> BoxFuture<'_, Result<LogChunk, platform_tui::errors::UiError>> {
        let lines = if self.0.is_empty() {
            Vec::new()
        } else {
            self.0.remove(0)
        };
        let more = !self.0.is_empty();
        Box::pin(async move { Ok(LogChunk { lines, more }) })
    }

    fn is_finished(&self) -> bool {
        false
    }
}

#[tokio::test]
async fn a_backlog_is_fetched_page_after_page_while_following() {
    let mut rig = Rig::new(80, 6);
    let pages = vec![spark_lines(0..3), spark_lines(3..6), spark_lines(6..7)];
    let mut view = LogViewer::new("backlog", Box::new(Paged(pages)), 100);
    rig.refresh(&mut view).await;
    assert_eq!(view.len(), 3);
    rig.deliver(&mut view).await; // fetched again at once: more was ready
    rig.deliver(&mut view).await;
    assert_eq!(view.len(), 7);
    assert!(rig.idle(), "the last page had nothing more");
}
