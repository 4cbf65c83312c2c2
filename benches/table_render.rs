//! Frame render time of the object table with 1,000,000 rows against 100 rows. Only the
//! visible window is formatted, so the two should be within 2x of each other.
//! Run: cargo bench --bench table_render

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::{Local, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use platform_tui::app::keys::Cmd;
use platform_tui::app::mount::with_offline_cx;
use platform_tui::app::view::{Env, RenderCx, View};
use platform_tui::aws::s3::Entry;
use platform_tui::config::Context;
use platform_tui::gate::{AuditLog, Gate};
use platform_tui::kinds::s3::objects::Objects;
use platform_tui::theme;
use platform_tui::views::table::TableView;
use ratatui::backend::TestBackend;
use ratatui::Terminal;

fn entries(n: usize) -> Vec<Entry> {
    let t = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
    (0..n)
        .map(|i| Entry::Object {
            key: format!("archive/events/event-{i:07}.json"),
            size: (i as u64 * 37) % 100_000,
            last_modified: Some(t),
            storage_class: Some("STANDARD".into()),
            etag: None,
        })
        .collect()
}

fn offline_env() -> Env {
    Env {
        context: Context::default(),
        clients: None,
        gate: Gate::new("bench", true, AuditLog::new("/dev/null")),
        contexts: Vec::new(),
        log_line_cap: platform_tui::config::DEFAULT_LOG_LINE_CAP,
    }
}

/// Sends one key command to the view, as the app would.
fn press(view: &mut TableView<Objects>, env: &Env, cmd: Cmd) {
    let key = KeyEvent::new(KeyCode::Null, KeyModifiers::NONE);
    with_offline_cx(env, |cx| view.on_key(key, Some(cmd), cx));
}

/// Mean time to draw one frame, moving the selection by `step` rows between frames.
fn frame_time(view: &mut TableView<Objects>, frames: u32, step: Cmd) -> Duration {
    let mut terminal = Terminal::new(TestBackend::new(160, 50)).unwrap();
    let theme = theme::load_theme("dark").unwrap();
    let env = offline_env();
    let start = Instant::now();
    for _ in 0..frames {
        press(view, &env, step);
        terminal
            .draw(|f| {
                let cx = RenderCx {
                    theme: &theme,
                    now: Local::now(),
                };
                view.render(f, f.area(), &cx)
            })
            .unwrap();
        black_box(terminal.backend().buffer());
    }
    start.elapsed() / frames
}

fn main() {
    let frames = 300;
    let mut small = TableView::with_items(Objects::new("bench", "archive/events/"), entries(100));
    let build = Instant::now();
    let mut large =
        TableView::with_items(Objects::new("bench", "archive/events/"), entries(1_000_000));
    let built = build.elapsed();
    // Warm up both.
    frame_time(&mut small, 20, Cmd::Down);
    frame_time(&mut large, 20, Cmd::Down);
    let t_small = frame_time(&mut small, frames, Cmd::Down);
    let t_large_top = frame_time(&mut large, frames, Cmd::Down);
    frame_time(&mut large, 1, Cmd::Bottom);
    let t_large_bottom = frame_time(&mut large, frames, Cmd::Up);
    let t_large_paging = frame_time(&mut large, frames, Cmd::PageUp);
    let ratio = t_large_top.max(t_large_bottom).as_secs_f64() / t_small.as_secs_f64();
    println!("table_render: 160x50 terminal, {frames} frames each, selection moving every frame");
    println!(
        "  100 rows:                    {:>8.3} ms/frame",
        ms(t_small)
    );
    println!(
        "  1,000,000 rows (near top):    {:>8.3} ms/frame",
        ms(t_large_top)
    );
    println!(
        "  1,000,000 rows (near bottom): {:>8.3} ms/frame",
        ms(t_large_bottom)
    );
    println!(
        "  1,000,000 rows (paging):      {:>8.3} ms/frame",
        ms(t_large_paging)
    );
    println!("  ratio 1M/100: {ratio:.2}x (goal: within 2x)");
    let env = offline_env();
    let sort = Instant::now();
    press(&mut large, &env, Cmd::SortNext);
    press(&mut large, &env, Cmd::SortNext); // by size
    let sorted = sort.elapsed();
    let filter = Instant::now();
    large.set_filter("event-00123");
    let filtered = filter.elapsed();
    println!(
        "  1,000,000 rows: build {:.0} ms, sort by size {:.0} ms, filter {:.0} ms ({} match)",
        ms(built),
        ms(sorted),
        ms(filtered),
        large.shown_len()
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
