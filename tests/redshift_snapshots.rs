//! Snapshot tests of the Redshift views (TestBackend + insta): clusters with their statuses,
//! the statement history with a failure, a result table with the statement's own columns and a
//! failed statement's error text; through the whole app, the pause confirmation, a typed
//! statement refused before sending, a read-only context running a SELECT and refusing a
//! DELETE, and a destructive statement's confirmation showing the statement.

use chrono::{DateTime, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyModifiers};
use platform_tui::app::view::boxed;
use platform_tui::app::Mode;
use platform_tui::aws::redshift::{Cluster, ColumnMeta, ResultSet, Statement, StatementState};
use platform_tui::kinds::redshift::clusters::Clusters;
use platform_tui::kinds::redshift::result::{error_lines, ResultView};
use platform_tui::kinds::redshift::sql::Statements;
use platform_tui::views::document::DocumentView;
use platform_tui::views::table::TableView;

#[path = "support/screen.rs"]
mod screen;
use screen::{draw_view, screen, theme, AppHarness};

fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 2, h, m, s).unwrap()
}

fn cluster(id: &str, status: &str, nodes: i32) -> Cluster {
    Cluster {
        id: id.into(),
        status: status.into(),
        node_type: "ra3.large".into(),
        nodes,
        endpoint: Some(format!("{id}.abc123.us-east-1.redshift.amazonaws.com:5439")),
        database: "analytics".into(),
        master_user: "platform_admin".into(),
    }
}

fn clusters() -> Vec<Cluster> {
    vec![
        cluster("nyctaxi-sandbox-warehouse", "available", 1),
        cluster("nyctaxi-reporting", "paused", 2),
        cluster("nyctaxi-backfill", "resuming", 4),
    ]
}

fn statement(id: &str, state: StatementState, sql: &str, created: DateTime<Utc>) -> Statement {
    let mut s = Statement::submitted(id, "nyctaxi-sandbox-warehouse", "analytics", sql);
    s.state = state;
    s.created = Some(created);
    if state.is_final() {
        s.duration_ms = Some(230);
    }
    s
}

fn history() -> Vec<Statement> {
    let mut failed = statement(
        "c3d4e5f6-0000-4000-8000-000000000003",
        StatementState::Failed,
        "select * from nyc.green_trips",
        at(3, 12, 0),
    );
    failed.error = Some("ERROR: no such table: nyc.green_trips".into());
    let mut selected = statement(
        "b2c3d4e5-0000-4000-8000-000000000002",
        StatementState::Finished,
        "select pickup_date, trip_count\nfrom nyc.green_trips_daily_zone",
        at(3, 10, 30),
    );
    selected.result_rows = Some(2);
    selected.has_result_set = true;
    let mut schema = statement(
        "a1b2c3d4-0000-4000-8000-000000000001",
        StatementState::Finished,
        "-- Redshift schema\n\nCREATE SCHEMA IF NOT EXISTS nyc;",
        at(3, 10, 0),
    );
    schema.duration_ms = Some(61_500);
    vec![
        statement(
            "d4e5f6a7-0000-4000-8000-000000000004",
            StatementState::Started,
            "select count(*) from nyc.green_trips_daily_zone",
            at(3, 14, 0),
        ),
        failed,
        selected,
        schema,
    ]
}

fn result() -> ResultSet {
    let column = |name: &str, type_name: &str| ColumnMeta {
        name: name.into(),
        type_name: type_name.into(),
    };
    ResultSet {
        columns: vec![
            column("pickup_date", "date"),
            column("pu_location_id", "int4"),
            column("trip_count", "int8"),
            column("total_fare", "numeric"),
        ],
        rows: vec![
            vec![
                "2024-01-01".into(),
                "74".into(),
                "412".into(),
                "5120.50".into(),
            ],
            vec!["2024-01-01".into(), "75".into(), "9".into(), "NULL".into()],
        ],
    }
}

fn warehouse() -> Cluster {
    clusters().remove(0)
}

#[test]
fn redshift_clusters() {
    let mut view = TableView::with_items(Clusters, clusters());
    insta::assert_snapshot!(screen(&draw_view(&mut view, 170, 7)));
}

#[test]
fn statement_history_with_a_failure() {
    let mut view = TableView::with_items(Statements::of(&warehouse()), history());
    insta::assert_snapshot!(screen(&draw_view(&mut view, 170, 8)));
}

#[test]
fn statement_states_are_coloured() {
    let theme = theme();
    let mut view = TableView::with_items(Statements::of(&warehouse()), history());
    let terminal = draw_view(&mut view, 170, 8);
    let buffer = terminal.backend().buffer();
    // Rows 2.. hold the statements in history order (the first row is selected).
    let fg = |row: u16| buffer[(30, row)].fg;
    assert_eq!(fg(3), theme.state_failed.fg.unwrap());
    assert_eq!(fg(4), theme.state_success.fg.unwrap());
}

#[test]
fn result_table_has_the_statements_columns() {
    let selected = history().remove(2);
    let mut view = ResultView::ready(&selected, result());
    insta::assert_snapshot!(screen(&draw_view(&mut view, 100, 6)));
}

#[test]
fn failed_statement_shows_the_servers_error() {
    let failed = history().remove(1);
    let mut view = DocumentView::ready("error c3d4e5f6", error_lines(&failed));
    insta::assert_snapshot!(screen(&draw_view(&mut view, 100, 10)));
}

#[tokio::test]
async fn pause_asks_first_naming_the_cluster() {
    let view = TableView::with_items(Clusters, clusters());
    let mut h = AppHarness::new(false, boxed(view), 170, 16).await;
    h.press(KeyCode::Char('k'), KeyModifiers::CONTROL);
    assert!(matches!(h.app.mode, Mode::Confirm(_)), "ctrl-k asks first");
    let shown = h.draw();
    assert!(shown.contains("nyctaxi-sandbox-warehouse"), "{shown}");
    insta::assert_snapshot!(shown);
}

#[tokio::test]
async fn a_statement_with_an_open_quote_is_not_sent() {
    let view = TableView::with_items(Statements::of(&warehouse()), history());
    let mut h = AppHarness::new(false, boxed(view), 170, 16).await;
    h.type_text("a");
    assert!(matches!(h.app.mode, Mode::Prompt(_)), "a asks for SQL");
    h.type_text("select 'open");
    h.press(KeyCode::Enter, KeyModifiers::NONE);
    assert!(
        matches!(h.app.mode, Mode::Normal),
        "no dialog, nothing sent"
    );
    assert!(h.flash().contains("unbalanced ' quote"), "{}", h.flash());
}

#[tokio::test]
async fn a_missing_sql_file_is_not_sent() {
    let view = TableView::with_items(Statements::of(&warehouse()), history());
    let mut h = AppHarness::new(false, boxed(view), 170, 16).await;
    h.type_text("e");
    assert!(matches!(h.app.mode, Mode::Prompt(_)), "e asks for a file");
    h.type_text("999_nope.sql");
    h.press(KeyCode::Enter, KeyModifiers::NONE);
    assert!(matches!(h.app.mode, Mode::Normal));
    let flash = h.flash();
    assert!(
        flash.contains("no file sql/999_nope.sql") && flash.contains("030_load_history.sql"),
        "{flash}"
    );
}

#[tokio::test]
async fn read_only_runs_a_select_and_refuses_a_delete() {
    let view = TableView::with_items(Statements::of(&warehouse()), history());
    let mut h = AppHarness::new(true, boxed(view), 170, 16).await;
    h.type_text("a");
    h.type_text("SELECT pickup_date FROM nyc.green_trips_daily_zone");
    h.press(KeyCode::Enter, KeyModifiers::NONE);
    assert!(matches!(h.app.mode, Mode::Normal), "no dialog for a SELECT");
    assert!(h.flash().contains("read-only, running"), "{}", h.flash());
    h.type_text("t");
    assert!(
        h.flash().contains("read-only, running"),
        "the saved query is a SELECT: {}",
        h.flash()
    );
    h.type_text("a");
    h.type_text("DELETE FROM nyc.green_trips_daily_zone WHERE 1 = 1");
    h.press(KeyCode::Enter, KeyModifiers::NONE);
    assert!(matches!(h.app.mode, Mode::Normal), "no dialog");
    let flash = h.flash();
    assert!(
        flash.contains("refused") && flash.contains("read-only"),
        "{flash}"
    );
}

#[tokio::test]
async fn a_destructive_statement_asks_showing_the_statement() {
    let view = TableView::with_items(Statements::of(&warehouse()), history());
    let mut h = AppHarness::new(false, boxed(view), 170, 22).await;
    h.type_text("a");
    h.type_text("DROP TABLE nyc.green_trips_daily_zone; SELECT 1");
    h.press(KeyCode::Enter, KeyModifiers::NONE);
    assert!(matches!(h.app.mode, Mode::Confirm(_)), "a DROP asks first");
    let shown = h.draw();
    assert!(
        shown.contains("DROP TABLE nyc.green_trips_daily_zone"),
        "{shown}"
    );
    insta::assert_snapshot!(shown);
}

#[tokio::test]
async fn a_plain_write_runs_without_asking() {
    let view = TableView::with_items(Statements::of(&warehouse()), history());
    let mut h = AppHarness::new(false, boxed(view), 170, 16).await;
    h.type_text("a");
    h.type_text("INSERT INTO nyc.notes VALUES (1)");
    h.press(KeyCode::Enter, KeyModifiers::NONE);
    assert!(matches!(h.app.mode, Mode::Normal), "an INSERT does not ask");
    assert!(
        h.flash().starts_with("Execute SQL statement on"),
        "{}",
        h.flash()
    );
}

#[tokio::test]
async fn the_audit_keeps_the_statement_with_its_secrets_masked() {
    let view = TableView::with_items(Statements::of(&warehouse()), history());
    let mut h = AppHarness::new(false, boxed(view), 170, 22).await;
    h.type_text("a");
    h.type_text("DELETE FROM nyc.trips; COPY nyc.trips FROM 's3://lake/gold/' IAM_ROLE 'arn:aws:iam::123456789012:role/Loader' FORMAT AS PARQUET");
    h.press(KeyCode::Enter, KeyModifiers::NONE);
    assert!(
        matches!(h.app.mode, Mode::Confirm(_)),
        "a DELETE asks first"
    );
    assert!(
        !h.draw().contains("123456789012"),
        "the dialog shows the role ARN"
    );
    h.type_text("n");
    let records = h.app.env.gate.audit_log().read_all().unwrap();
    let record = records.last().unwrap();
    assert_eq!(record.action, "redshift.execute_destructive_sql");
    assert_eq!(
        record.detail.as_deref(),
        Some("DELETE FROM nyc.trips; COPY nyc.trips FROM 's3://lake/gold/' IAM_ROLE '****' FORMAT AS PARQUET")
    );
}
