//! The `:athena` kind, added by the recipe in `src/kinds/mod.rs`: its client against the
//! sandbox's emulator over real HTTP, and its table as a snapshot (TestBackend + insta).

mod support;

use aws_sdk_athena::types::{QueryExecutionContext, ResultConfiguration};
use chrono::{DateTime, TimeZone, Utc};
use platform_tui::aws::athena::{Athena, QueryExecution};
use platform_tui::aws::sdk_config;
use platform_tui::kinds::athena::Queries;
use platform_tui::views::table::TableView;
use support::Emulator;

#[path = "support/screen.rs"]
mod screen;
use screen::{draw_view, position_of, screen, style_at, theme};

#[tokio::test]
async fn recent_queries_are_listed_with_their_text_and_database() {
    let emulator = Emulator::start();
    let config = sdk_config(&emulator.settings()).await;
    let sdk = aws_sdk_athena::Client::new(&config);
    let mut started = Vec::new();
    for query in [
        "SELECT count(*) FROM gold.daily_zone_stats",
        "SELECT * FROM staging.trips LIMIT 10",
    ] {
        let out = sdk
            .start_query_execution()
            .query_string(query)
            .work_group("primary")
            .query_execution_context(QueryExecutionContext::builder().database("nyc").build())
            .result_configuration(
                ResultConfiguration::builder()
                    .output_location("s3://nyctaxi-sandbox-athena/results/")
                    .build(),
            )
            .send()
            .await
            .unwrap();
        started.push(out.query_execution_id().unwrap().to_owned());
    }

    let athena = Athena::new(&config);
    let listed = athena.recent_queries("primary", 100).await.unwrap();
    let mut ids: Vec<&str> = listed.iter().map(|q| q.id.as_str()).collect();
    ids.sort();
    started.sort();
    assert_eq!(ids, started);
    let count = listed
        .iter()
        .find(|q| q.query.contains("count(*)"))
        .expect("the first query is listed");
    assert_eq!(count.database.as_deref(), Some("nyc"));
    assert!(!count.state.is_empty());
    assert!(count.submitted.is_some());

    let only_one = athena.recent_queries("primary", 1).await.unwrap();
    assert_eq!(only_one.len(), 1, "the limit holds");

    let missing = athena.describe("nope".into()).await.unwrap_err();
    assert!(
        missing.to_string().contains("Athena GetQueryExecution"),
        "{missing}"
    );
}

fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 2, h, m, s).unwrap()
}

fn execution(id: &str, state: &str, reason: Option<&str>, scanned: Option<u64>) -> QueryExecution {
    QueryExecution {
        id: id.into(),
        state: state.into(),
        query: "SELECT pu_location_id, count(*)\n  FROM gold.daily_zone_stats\n GROUP BY 1".into(),
        database: Some("nyc".into()),
        workgroup: Some("primary".into()),
        submitted: Some(at(3, 4, 5)),
        completed: (state != "RUNNING").then(|| at(3, 4, 47)),
        scanned_bytes: scanned,
        reason: reason.map(str::to_owned),
        output_location: Some("s3://nyctaxi-sandbox-athena/results/".into()),
    }
}

#[test]
fn queries_table_shows_state_scan_and_the_engines_error() {
    let queries = vec![
        execution(
            "5c1e0b6a-0000-4000-8000-000000000002",
            "RUNNING",
            None,
            None,
        ),
        execution(
            "5c1e0b6a-0000-4000-8000-00000000f41d",
            "FAILED",
            Some("COLUMN_NOT_FOUND: line 1:8: Column 'fare_amount' cannot be resolved\nat ..."),
            Some(1_048_576),
        ),
        execution(
            "5c1e0b6a-0000-4000-8000-000000000001",
            "SUCCEEDED",
            None,
            Some(52_430),
        ),
    ];
    let mut view = TableView::with_items(Queries::new("primary").at(at(3, 5, 0)), queries);
    let terminal = draw_view(&mut view, 250, 8);
    let text = screen(&terminal);
    assert!(
        text.contains("COLUMN_NOT_FOUND: line 1:8: Column 'fare_amount'"),
        "{text}"
    );
    assert!(
        !text.contains("at ..."),
        "only the error's first line: {text}"
    );
    assert!(text.contains("SELECT pu_location_id, count(*) FROM gold.daily_zone_stats"));
    assert!(
        text.contains("55s"),
        "a running query's duration reaches now: {text}"
    );
    let (x, y) = position_of(&terminal, "FAILED").unwrap();
    assert_eq!(style_at(&terminal, x, y).fg, theme().state_failed.fg);
    insta::assert_snapshot!(text);
}
