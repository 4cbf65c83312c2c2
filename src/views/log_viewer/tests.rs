//! The viewer's state without drawing: following, the cursor under the line cap, filter
//! context, search steps, what a save writes.

use super::*;
use crate::logs::MemorySource;
use chrono::{TimeZone, Utc};

fn viewer(cap: usize) -> LogViewer {
    LogViewer::new("test", Box::new(MemorySource::finished(Vec::new())), cap)
}

fn numbered(range: std::ops::Range<u32>) -> Vec<LogLine> {
    range
        .map(|i| {
            let level = if i % 10 == 5 { "ERROR" } else { "INFO" };
            LogLine::new(format!("{i} {level} step {i}"))
        })
        .collect()
}

fn cursor_text(view: &LogViewer) -> String {
    view.cursor_line()
        .map(|l| l.text.clone())
        .unwrap_or_default()
}

#[test]
fn following_sticks_to_the_newest_line_and_scrolling_up_pauses_it() {
    let mut view = viewer(1000);
    view.append(numbered(0..20));
    assert_eq!(cursor_text(&view), "19 INFO step 19");
    view.movement(Cmd::Up);
    assert!(!view.toggles.follow);
    view.append(numbered(20..30));
    assert_eq!(
        cursor_text(&view),
        "18 INFO step 18",
        "a paused view keeps its place"
    );
    assert!(!view.auto_refresh(), "no polling while paused");
    view.movement(Cmd::Bottom);
    assert!(view.toggles.follow);
    assert_eq!(cursor_text(&view), "29 INFO step 29");
}

#[test]
fn the_cursor_moves_to_the_oldest_line_when_its_line_is_dropped() {
    let mut view = viewer(10);
    view.append(numbered(0..10));
    view.movement(Cmd::Top);
    view.append(numbered(10..15));
    assert_eq!(view.dropped(), 5);
    assert_eq!(cursor_text(&view), "5 ERROR step 5");
}

#[test]
fn filter_context_grows_and_shrinks_and_keeps_the_cursor_near() {
    let mut view = viewer(1000);
    view.append(numbered(0..30));
    view.apply_filter("error");
    assert_eq!(
        view.shown_len(),
        3 * 5,
        "3 matches with 2 lines either side"
    );
    view.change_context(false);
    view.change_context(false);
    assert_eq!(view.shown_len(), 3);
    assert_eq!(cursor_text(&view), "25 ERROR step 25");
    view.movement(Cmd::Up);
    assert_eq!(cursor_text(&view), "15 ERROR step 15");
    view.apply_filter("");
    assert_eq!(view.shown_len(), 30);
    assert_eq!(cursor_text(&view), "15 ERROR step 15");
    view.append(vec![LogLine::new("late ERROR")]);
    view.apply_filter("error");
    assert_eq!(
        view.shown_len(),
        4,
        "lines that arrive later are filtered too"
    );
}

#[test]
fn search_steps_through_shown_matches_and_wraps() {
    let mut view = viewer(1000);
    view.append(numbered(0..30));
    let first = view.search("error").unwrap();
    assert_eq!(first, "match 1 of 3 for 'error' (wrapped around)");
    assert_eq!(cursor_text(&view), "5 ERROR step 5");
    view.search_step(true).unwrap();
    assert_eq!(cursor_text(&view), "15 ERROR step 15");
    view.search_step(false).unwrap();
    view.search_step(false).unwrap();
    assert_eq!(cursor_text(&view), "25 ERROR step 25");
    assert_eq!(
        view.search("nothing-like-this").unwrap_err(),
        "no line matches 'nothing-like-this'"
    );
    view.search("").unwrap();
    assert!(view.search_step(true).is_err());
}

#[test]
fn a_save_writes_the_shown_raw_lines_with_timestamps_when_shown() {
    let mut view = viewer(1000);
    let t = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
    view.append(vec![
        LogLine::at(t, "started \x1b[31m"),
        LogLine::at(t, "ERROR failed"),
    ]);
    view.apply_filter("error");
    view.change_context(false);
    view.change_context(false);
    assert_eq!(view.shown_text(), "ERROR failed\n");
    view.toggles.timestamps = true;
    view.apply_filter("");
    assert_eq!(
        view.shown_text(),
        "2026-01-02T03:04:05.000Z started \x1b[31m\n2026-01-02T03:04:05.000Z ERROR failed\n"
    );
    assert_eq!(view.default_save_path(), "./test.log");
}

#[test]
fn pretty_json_is_toggled_per_line() {
    let mut view = viewer(10);
    view.append(vec![LogLine::new(r#"{"a":1}"#)]);
    view.toggle_pretty_line();
    assert!(view.pretty.contains(&0));
    view.toggle_pretty_line();
    assert!(view.pretty.is_empty());
}

#[test]
fn the_configured_line_cap_applies_when_the_view_opens_empty() {
    let mut view = viewer(1000);
    view.set_line_cap(3);
    view.append(numbered(0..5));
    assert_eq!(view.buffer.len(), 3);
    assert_eq!(view.buffer.dropped(), 2);
    // Once lines are held, the cap no longer changes under them.
    view.set_line_cap(1);
    assert_eq!(view.buffer.cap(), 3);
}
