//! Log viewer figures at 1,000,000 lines: ingest throughput, search (all matches, next match),
//! filter with context, and frame render time, against 100 lines for scale.
//! Run: cargo bench --bench log_viewer

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::{Local, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use platform_tui::app::keys::KeyMap;
use platform_tui::app::mount::with_offline_cx;
use platform_tui::app::view::{Env, RenderCx, View};
use platform_tui::config::Context;
use platform_tui::gate::{AuditLog, Gate};
use platform_tui::logs::{LogLine, MemorySource};
use platform_tui::theme::{self, Theme};
use platform_tui::views::log_viewer::LogViewer;
use ratatui::backend::TestBackend;
use ratatui::Terminal;

const MILLION: usize = 1_000_000;
/// Lines per fetch, like a CloudWatch GetLogEvents page.
const PAGE: usize = 10_000;

/// Glue/Spark driver log lines: mostly INFO, a WARN every 97 lines, an ERROR with its
/// exception every 1,000.
fn spark_lines(n: usize) -> Vec<LogLine> {
    let start = Utc.with_ymd_and_hms(2026, 1, 2, 3, 0, 0).unwrap();
    (0..n)
        .map(|i| {
            let t = start + chrono::Duration::milliseconds(i as i64 * 7);
            let clock = t.format("%y/%m/%d %H:%M:%S");
            let text = if i % 1000 == 500 {
                format!("{clock} ERROR Executor: Exception in task {i}.0 in stage 7.0 (TID {i}): java.lang.IllegalStateException: bad record at offset {}", i * 131)
            } else if i % 97 == 0 {
                format!("{clock} WARN BlockManager: Block rdd_{}_{} could not be removed as it was not found on disk or in memory", i % 31, i % 200)
            } else {
                format!("{clock} INFO TaskSetManager: Finished task {}.0 in stage 7.0 (TID {i}) in {} ms on ip-10-0-1-{}.ec2.internal (executor {}) ({}/2000)", i % 2000, 100 + i % 900, i % 250, i % 16, i % 2000)
            };
            LogLine::at(t, text)
        })
        .collect()
}

fn viewer(cap: usize) -> LogViewer {
    LogViewer::new("bench", Box::new(MemorySource::finished(Vec::new())), cap)
}

/// Feeds `lines` page by page; returns the elapsed time.
fn ingest(view: &mut LogViewer, lines: &[LogLine]) -> Duration {
    let pages: Vec<Vec<LogLine>> = lines.chunks(PAGE).map(<[LogLine]>::to_vec).collect();
    let start = Instant::now();
    for page in pages {
        view.append(page);
    }
    start.elapsed()
}

struct Screen {
    env: Env,
    keymap: KeyMap,
    terminal: Terminal<TestBackend>,
    theme: Theme,
}

impl Screen {
    fn new() -> Self {
        Self {
            env: Env {
                context: Context::default(),
                clients: None,
                gate: Gate::new("bench", true, AuditLog::new("/dev/null")),
                contexts: Vec::new(),
                log_line_cap: platform_tui::config::DEFAULT_LOG_LINE_CAP,
            },
            keymap: KeyMap::default(),
            terminal: Terminal::new(TestBackend::new(160, 50)).unwrap(),
            theme: theme::load_theme("dark").unwrap(),
        }
    }

    fn press(&self, view: &mut LogViewer, code: KeyCode) {
        let modifiers = match code {
            KeyCode::Char(c) if c.is_ascii_uppercase() => KeyModifiers::SHIFT,
            _ => KeyModifiers::NONE,
        };
        let key = KeyEvent::new(code, modifiers);
        let cmd = self.keymap.resolve(&key);
        with_offline_cx(&self.env, |cx| view.on_key(key, cmd, cx));
    }

    /// Mean frame time, pressing `key` before each frame (None: nothing changes).
    fn frame_time(&mut self, view: &mut LogViewer, key: Option<KeyCode>, frames: u32) -> Duration {
        let start = Instant::now();
        for _ in 0..frames {
            if let Some(code) = key {
                self.press(view, code);
            }
            let theme = &self.theme;
            self.terminal
                .draw(|f| {
                    let cx = RenderCx {
                        theme,
                        now: Local::now(),
                    };
                    view.render(f, f.area(), &cx)
                })
                .unwrap();
            black_box(self.terminal.backend().buffer());
        }
        start.elapsed() / frames
    }
}

fn main() {
    let generate = Instant::now();
    let lines = spark_lines(MILLION);
    let bytes: usize = lines.iter().map(|l| l.text.len()).sum();
    println!(
        "log_viewer: {} lines of Spark/Glue-like text ({:.0} MiB, {} bytes/line on average), generated in {:.0} ms",
        MILLION,
        bytes as f64 / (1 << 20) as f64,
        bytes / MILLION,
        ms(generate.elapsed())
    );

    let rss_before = resident_mib();
    let mut large = viewer(MILLION);
    let took = ingest(&mut large, &lines);
    println!(
        "ingest (line cap 1,000,000, pages of {PAGE}):   {:>7.0} ms  {:>10.0} lines/s  (+{:.0} MiB resident)",
        ms(took),
        rate(took),
        resident_mib() - rss_before
    );
    let mut capped = viewer(100_000);
    let took = ingest(&mut capped, &lines);
    println!(
        "ingest (default cap 100,000, 900,000 dropped): {:>7.0} ms  {:>10.0} lines/s",
        ms(took),
        rate(took)
    );
    let mut busy = viewer(MILLION);
    busy.set_filter("error");
    busy.search("exception").ok();
    let took = ingest(&mut busy, &lines);
    println!(
        "ingest with a filter and a search active:      {:>7.0} ms  {:>10.0} lines/s",
        ms(took),
        rate(took)
    );
    drop((capped, busy));

    for needle in ["exception", "TID 999999)", "Executor"] {
        let start = Instant::now();
        let found = large.search(needle);
        let took = start.elapsed();
        println!(
            "search '{needle}' over 1,000,000 lines (all matches): {:>6.1} ms, {} matches ({})",
            ms(took),
            large.search_count(),
            found.unwrap_or_else(|e| e)
        );
    }
    large.search("exception").ok();
    let steps = 10_000;
    let start = Instant::now();
    for _ in 0..steps {
        black_box(large.search_step(true).ok());
    }
    println!(
        "next match (n), mean of {steps}:                    {:>8.2} µs",
        start.elapsed().as_secs_f64() * 1e6 / steps as f64
    );

    for needle in ["error", "executor 7)"] {
        let start = Instant::now();
        large.set_filter(needle);
        let took = start.elapsed();
        println!(
            "filter '{needle}' ±2 context over 1,000,000 lines:  {:>6.1} ms, {} lines shown",
            ms(took),
            large.shown_len()
        );
    }
    large.set_filter("");

    let mut screen = Screen::new();
    let frames = 300;
    let mut small = viewer(MILLION);
    small.append(spark_lines(100));
    screen.frame_time(&mut small, None, 20);
    let t_small = screen.frame_time(&mut small, Some(KeyCode::Char('k')), frames);
    screen.press(&mut large, KeyCode::Char('G'));
    let t_follow = screen.frame_time(&mut large, None, frames);
    let t_scroll = screen.frame_time(&mut large, Some(KeyCode::Char('k')), frames);
    let t_page = screen.frame_time(&mut large, Some(KeyCode::PageUp), frames);
    screen.press(&mut large, KeyCode::Char('W'));
    screen.press(&mut large, KeyCode::Char('T'));
    let t_wrap = screen.frame_time(&mut large, Some(KeyCode::Char('k')), frames);
    large.search("task").ok();
    let t_search = screen.frame_time(&mut large, Some(KeyCode::Char('k')), frames);
    large.set_filter("error");
    let t_filtered = screen.frame_time(&mut large, Some(KeyCode::Char('k')), frames);
    println!("frame render, 160x50 terminal, {frames} frames each:");
    println!(
        "  100 lines, scrolling:                         {:>7.3} ms",
        ms(t_small)
    );
    println!(
        "  1,000,000 lines, following (bottom):          {:>7.3} ms",
        ms(t_follow)
    );
    println!(
        "  1,000,000 lines, scrolling up a line a frame: {:>7.3} ms",
        ms(t_scroll)
    );
    println!(
        "  1,000,000 lines, paging up:                   {:>7.3} ms",
        ms(t_page)
    );
    println!(
        "  1,000,000 lines, wrap + timestamps:           {:>7.3} ms",
        ms(t_wrap)
    );
    println!(
        "  1,000,000 lines, + search highlight 'task':   {:>7.3} ms",
        ms(t_search)
    );
    println!(
        "  1,000,000 lines, + filter 'error' ±2:         {:>7.3} ms",
        ms(t_filtered)
    );

    // An MWAA task log: every line a JSON record, read as `time LEVEL event` when drawn.
    let mut records = viewer(MILLION);
    records.append(airflow_records(100_000));
    screen.frame_time(&mut records, None, 20);
    let t_records = screen.frame_time(&mut records, Some(KeyCode::Char('k')), frames);
    screen.press(&mut records, KeyCode::Char('J'));
    let t_raw = screen.frame_time(&mut records, Some(KeyCode::Char('k')), frames);
    println!(
        "  100,000 JSON records (MWAA), read as time LEVEL event, scrolling: {:>7.3} ms",
        ms(t_records)
    );
    println!(
        "  100,000 JSON records, raw JSON pretty-printed (J), scrolling:    {:>7.3} ms",
        ms(t_raw)
    );
}

/// Airflow 3 task log records as MWAA's CloudWatch holds them (no time of their own).
fn airflow_records(n: usize) -> Vec<LogLine> {
    let start = Utc.with_ymd_and_hms(2026, 1, 2, 3, 0, 0).unwrap();
    (0..n)
        .map(|i| {
            let t = start + chrono::Duration::milliseconds(i as i64 * 7);
            let text = format!(
                r#"{{"map_index": -1, "try_number": 1, "run_id": "scheduled__2026-01-02T00:00:00+00:00", "task_id": "process_to_staging_nyc", "dag_id": "prepare_data_nyc", "logger": "airflow.providers.amazon.aws.hooks.glue.GlueJobHook", "filename": "glue.py", "lineno": 451, "event": "Polling for AWS Glue Job nyctaxi-prod-process-to-staging current run state with status RUNNING ({i})", "level": "info"}}"#
            );
            LogLine::at(t, text)
        })
        .collect()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn rate(d: Duration) -> f64 {
    MILLION as f64 / d.as_secs_f64()
}

/// Resident memory of this process (Linux), in MiB.
fn resident_mib() -> f64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: f64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0.0);
    pages * 4096.0 / (1 << 20) as f64
}
