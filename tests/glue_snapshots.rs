//! Snapshot tests of the Glue views (TestBackend + insta): catalog, crawlers, jobs, runs and
//! the detail documents; the run states' colours are asserted per cell, since the text form of
//! a snapshot drops styles.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use platform_tui::aws::glue::{
    Column, Crawler, CrawlerMetrics, Database, Job, JobRun, LastCrawl, Partition, Table,
};
use platform_tui::kinds::glue::crawler_detail;
use platform_tui::kinds::glue::crawlers::Crawlers;
use platform_tui::kinds::glue::databases::Databases;
use platform_tui::kinds::glue::job_detail;
use platform_tui::kinds::glue::job_runs::JobRuns;
use platform_tui::kinds::glue::jobs::Jobs;
use platform_tui::kinds::glue::partitions::Partitions;
use platform_tui::kinds::glue::table_detail;
use platform_tui::kinds::glue::tables::Tables;
use platform_tui::views::document::DocumentView;
use platform_tui::views::table::TableView;
use ratatui::backend::TestBackend;
use ratatui::style::Style;
use ratatui::Terminal;

#[path = "support/screen.rs"]
mod screen;
use screen::{draw_view, screen, theme};

const JOB: &str = "process_to_staging_nyc";

fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 15, h, m, s).unwrap()
}

fn column(name: &str, data_type: &str) -> Column {
    Column {
        name: name.into(),
        data_type: data_type.into(),
        comment: None,
    }
}

fn table() -> Table {
    Table {
        database: "nyc_taxi".into(),
        name: "green_trips".into(),
        location: Some("s3://nyctaxi-sandbox-datalake/raw/green/".into()),
        classification: Some("csv".into()),
        table_type: Some("EXTERNAL_TABLE".into()),
        created: Some(at(1, 0, 0)),
        updated: Some(at(2, 0, 0)),
        columns: vec![
            column("vendorid", "bigint"),
            Column {
                comment: Some("miles".into()),
                ..column("trip_distance", "double")
            },
        ],
        partition_keys: vec![column("year", "string"), column("month", "string")],
    }
}

fn args(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn run(id: &str, state: &str, started: DateTime<Utc>, seconds: i64) -> JobRun {
    let finished = !matches!(state, "RUNNING" | "STARTING");
    JobRun {
        id: id.into(),
        job_name: JOB.into(),
        attempt: 0,
        state: state.into(),
        started: Some(started),
        completed: finished.then(|| started + chrono::Duration::seconds(seconds)),
        modified: None,
        execution_time: Duration::from_secs(seconds as u64),
        error: None,
        arguments: args(&[("--pickup_date", "2024-01-15")]),
        previous_run_id: None,
        log_group: Some("/aws-glue/jobs".into()),
        worker_type: Some("G.1X".into()),
        number_of_workers: Some(2),
    }
}

fn runs() -> Vec<JobRun> {
    vec![
        run("jr_running0123456789", "RUNNING", at(3, 10, 0), 0),
        JobRun {
            error: Some(
                "AnalysisException: Path does not exist: s3://lake/raw/2024-13\n  at line 42"
                    .into(),
            ),
            ..run("jr_failed0123456789", "FAILED", at(3, 0, 0), 95)
        },
        run("jr_stopped012345678", "STOPPED", at(2, 30, 0), 40),
        run("jr_succeeded0123456", "SUCCEEDED", at(2, 0, 0), 185),
    ]
}

fn job() -> Job {
    Job {
        name: JOB.into(),
        description: Some("raw CSV to staging Parquet".into()),
        role: Some("arn:aws:iam::123456789012:role/glue".into()),
        command: Some("glueetl".into()),
        script_location: Some("s3://nyctaxi-sandbox-scripts/process_to_staging.py".into()),
        python_version: Some("3".into()),
        glue_version: Some("4.0".into()),
        worker_type: Some("G.1X".into()),
        number_of_workers: Some(2),
        max_capacity: None,
        max_retries: 1,
        timeout: Some(60),
        default_arguments: args(&[
            ("--input", "s3://lake/raw/"),
            ("--output", "s3://lake/staging/"),
        ]),
        created: Some(at(1, 0, 0)),
        modified: Some(at(1, 5, 0)),
        last_run: Some(runs()[1].clone()),
    }
}

fn crawlers() -> Vec<Crawler> {
    let idle = Crawler {
        name: "nyc-raw-crawler".into(),
        state: "READY".into(),
        schedule: Some("cron(0 1 * * ? *)".into()),
        targets: vec!["s3://lake/raw/green/".into()],
        database: Some("nyc_taxi".into()),
        role: Some("arn:aws:iam::123456789012:role/glue".into()),
        elapsed: Duration::ZERO,
        last_crawl: Some(LastCrawl {
            status: "SUCCEEDED".into(),
            error: None,
            started: Some(at(1, 0, 0)),
            log_group: Some("/aws-glue/crawlers".into()),
            log_stream: Some("nyc-raw-crawler".into()),
        }),
        metrics: Some(CrawlerMetrics {
            tables_created: 1,
            tables_updated: 2,
            tables_deleted: 0,
            last_runtime: Duration::from_secs(75),
        }),
    };
    let failed = Crawler {
        name: "nyc-staging-crawler".into(),
        schedule: None,
        last_crawl: Some(LastCrawl {
            status: "FAILED".into(),
            error: Some("Access denied to s3://lake/staging/".into()),
            ..idle.last_crawl.clone().unwrap()
        }),
        metrics: None,
        ..idle.clone()
    };
    let running = Crawler {
        name: "nyc-gold-crawler".into(),
        state: "RUNNING".into(),
        elapsed: Duration::from_secs(20),
        last_crawl: None,
        metrics: None,
        ..idle.clone()
    };
    vec![idle, failed, running]
}

#[test]
fn databases_table() {
    let databases = vec![Database {
        name: "nyc_taxi".into(),
        description: Some("NYC taxi data lake".into()),
        location: Some("s3://lake/".into()),
        created: Some(at(1, 0, 0)),
    }];
    let mut view = TableView::with_items(Databases, databases);
    insta::assert_snapshot!(screen(&draw_view(&mut view, 110, 5)));
}

#[test]
fn tables_table() {
    let mut view = TableView::with_items(Tables::new("nyc_taxi"), vec![table()]);
    insta::assert_snapshot!(screen(&draw_view(&mut view, 130, 5)));
}

#[test]
fn partitions_table_names_the_keys() {
    let partitions = vec![Partition {
        values: vec!["2024".into(), "01".into()],
        location: Some("s3://lake/raw/green/year=2024/month=01/".into()),
        created: Some(at(1, 0, 0)),
    }];
    let keys = vec!["year".to_string(), "month".to_string()];
    let mut view =
        TableView::with_items(Partitions::new("nyc_taxi", "green_trips", keys), partitions);
    let text = screen(&draw_view(&mut view, 100, 5));
    assert!(text.contains("year=2024/month=01"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn table_detail_document() {
    let mut view = DocumentView::ready("table green_trips", table_detail::lines(&table()));
    insta::assert_snapshot!(screen(&draw_view(&mut view, 80, 20)));
}

#[test]
fn crawlers_table() {
    let mut view = TableView::with_items(Crawlers, crawlers());
    insta::assert_snapshot!(screen(&draw_view(&mut view, 150, 7)));
}

#[test]
fn crawler_detail_document() {
    let crawler = crawlers().remove(1);
    let mut view = DocumentView::ready(
        "crawler nyc-staging-crawler",
        crawler_detail::lines(&crawler),
    );
    insta::assert_snapshot!(screen(&draw_view(&mut view, 80, 24)));
}

#[test]
fn jobs_table() {
    let never_ran = Job {
        name: "load_to_redshift".into(),
        last_run: None,
        ..job()
    };
    let mut view = TableView::with_items(Jobs, vec![job(), never_ran]);
    insta::assert_snapshot!(screen(&draw_view(&mut view, 140, 6)));
}

#[test]
fn job_detail_document() {
    let mut view = DocumentView::ready(format!("job {JOB}"), job_detail::job_lines(&job()));
    insta::assert_snapshot!(screen(&draw_view(&mut view, 90, 32)));
}

#[test]
fn run_detail_document_shows_the_whole_error() {
    let failed = runs().remove(1);
    let mut view = DocumentView::ready("run jr_failed", job_detail::run_lines(&failed));
    let text = screen(&draw_view(&mut view, 90, 22));
    assert!(text.contains("  at line 42"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn runs_table() {
    let mut view = TableView::with_items(JobRuns::new(JOB).at(at(3, 12, 5)), runs());
    insta::assert_snapshot!(screen(&draw_view(&mut view, 120, 8)));
}

/// The first cell of the row whose text contains `needle`.
fn row_style(terminal: &Terminal<TestBackend>, needle: &str) -> Style {
    let buffer = terminal.backend().buffer();
    let y = (0..buffer.area.height)
        .find(|&y| {
            let line: String = (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect();
            line.contains(needle)
        })
        .unwrap_or_else(|| panic!("no row with {needle}"));
    // Column 2 is inside the first cell of the row (after the border).
    buffer[(2, y)].style()
}

fn assert_styled(actual: Style, expected: Style, what: &str) {
    if let Some(fg) = expected.fg {
        assert_eq!(actual.fg, Some(fg), "{what}: colour");
    }
    assert!(
        actual.add_modifier.contains(expected.add_modifier),
        "{what}: {actual:?} lacks {expected:?}"
    );
}

#[test]
fn run_states_are_coloured() {
    let theme = theme();
    let mut view = TableView::with_items(JobRuns::new(JOB).at(at(3, 12, 5)), runs());
    let terminal = draw_view(&mut view, 120, 8);
    // The first row is the selection; the others carry their state's style.
    assert_styled(row_style(&terminal, "FAILED"), theme.state_failed, "FAILED");
    assert_styled(
        row_style(&terminal, "SUCCEEDED"),
        theme.state_success,
        "SUCCEEDED",
    );
    assert_ne!(
        row_style(&terminal, "FAILED"),
        row_style(&terminal, "SUCCEEDED")
    );
}
