//! Snapshot tests of the EMR views (TestBackend + insta): clusters active and all, steps with a
//! failure, cluster detail, and, through the whole app, the terminate confirmation naming the
//! cluster and the add-step prompt refusing a script outside S3.

use chrono::{DateTime, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyModifiers};
use platform_tui::app::view::boxed;
use platform_tui::app::Mode;
use platform_tui::aws::emr::{Cluster, ClusterFilter, InstanceGroup, Step, StepFailure};
use platform_tui::kinds::emr::cluster_detail;
use platform_tui::kinds::emr::clusters::Clusters;
use platform_tui::kinds::emr::step_detail;
use platform_tui::kinds::emr::steps::Steps;
use platform_tui::views::document::DocumentView;
use platform_tui::views::table::TableView;

#[path = "support/screen.rs"]
mod screen;
use screen::{draw_view, screen, theme, AppHarness};

fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 2, h, m, s).unwrap()
}

fn group(role: &str, requested: i32, running: i32) -> InstanceGroup {
    InstanceGroup {
        id: format!("ig-{role}"),
        name: format!("{} group", role.to_lowercase()),
        role: role.into(),
        instance_type: "m5.xlarge".into(),
        requested,
        running,
        state: "RUNNING".into(),
    }
}

fn cluster(id: &str, name: &str, state: &str, reason: Option<&str>) -> Cluster {
    Cluster {
        id: id.into(),
        name: name.into(),
        state: state.into(),
        state_reason: reason.map(str::to_owned),
        release_label: Some("emr-7.1.0".into()),
        instance_groups: vec![group("MASTER", 1, 1), group("CORE", 3, 2)],
        log_uri: Some("s3://nyctaxi-sandbox-emr-logs/emr/".into()),
        normalized_instance_hours: Some(32),
        created: Some(at(3, 4, 5)),
        ready: Some(at(3, 11, 40)),
        ended: None,
        described: true,
    }
}

fn active_clusters() -> Vec<Cluster> {
    vec![
        cluster(
            "j-2AGGREGATE01",
            "nyctaxi-aggregation",
            "WAITING",
            Some("Cluster ready to run steps."),
        ),
        cluster(
            "j-3RUNNING0002",
            "nyctaxi-backfill",
            "RUNNING",
            Some("Running step"),
        ),
        cluster("j-1STARTING003", "nyctaxi-adhoc", "BOOTSTRAPPING", None),
    ]
}

fn all_clusters() -> Vec<Cluster> {
    let mut all = active_clusters();
    let mut done = cluster(
        "j-0OLDDONE0004",
        "nyctaxi-aggregation",
        "TERMINATED",
        Some("ALL_STEPS_COMPLETED: Steps completed"),
    );
    done.ended = Some(at(4, 0, 0));
    let mut broken = cluster(
        "j-0BROKEN00005",
        "nyctaxi-aggregation",
        "TERMINATED_WITH_ERRORS",
        Some("BOOTSTRAP_FAILURE: On the master instance, bootstrap action 1 returned a non-zero return code"),
    );
    broken.instance_groups.clear();
    all.extend([done, broken]);
    all
}

fn steps() -> Vec<Step> {
    let step = |id: &str,
                name: &str,
                state: &str,
                started: Option<DateTime<Utc>>,
                ended: Option<DateTime<Utc>>| Step {
        id: id.into(),
        name: name.into(),
        state: state.into(),
        created: Some(at(3, 12, 0)),
        started,
        ended,
        action_on_failure: Some("CONTINUE".into()),
        jar: Some("command-runner.jar".into()),
        args: vec![
            "spark-submit".into(),
            "--deploy-mode".into(),
            "cluster".into(),
            "s3://nyctaxi-sandbox-scripts/spark/aggregate.py".into(),
        ],
        failure: None,
    };
    let mut failed = step(
        "s-FAILED00002",
        "spark-submit aggregate.py",
        "FAILED",
        Some(at(3, 20, 0)),
        Some(at(3, 23, 7)),
    );
    failed.failure = Some(StepFailure {
        reason: Some("Unknown Error.".into()),
        message: Some("Exception in thread \"main\" org.apache.spark.sql.AnalysisException: Path does not exist: s3://nyctaxi-sandbox-datalake/staging/".into()),
        log_file: Some("s3://nyctaxi-sandbox-emr-logs/emr/j-2AGGREGATE01/steps/s-FAILED00002/stderr.gz".into()),
    });
    failed.action_on_failure = Some("CANCEL_AND_WAIT".into());
    vec![
        step(
            "s-PENDING0004",
            "spark-submit aggregate.py",
            "PENDING",
            None,
            None,
        ),
        step(
            "s-RUNNING0003",
            "spark-submit aggregate.py",
            "RUNNING",
            Some(at(3, 30, 0)),
            None,
        ),
        failed,
        step(
            "s-CANCELLED05",
            "spark-submit report.py",
            "CANCELLED",
            None,
            Some(at(3, 19, 0)),
        ),
        step(
            "s-COMPLETED01",
            "spark-submit aggregate.py",
            "COMPLETED",
            Some(at(3, 12, 30)),
            Some(at(3, 15, 45)),
        ),
    ]
}

#[test]
fn clusters_active() {
    let mut view = TableView::with_items(Clusters::new(ClusterFilter::Active), active_clusters());
    insta::assert_snapshot!(screen(&draw_view(&mut view, 170, 7)));
}

#[test]
fn clusters_all() {
    let mut view = TableView::with_items(Clusters::new(ClusterFilter::All), all_clusters());
    insta::assert_snapshot!(screen(&draw_view(&mut view, 170, 9)));
}

#[test]
fn steps_with_a_failure() {
    let now = at(3, 32, 15);
    let mut view = TableView::with_items(Steps::new("j-2AGGREGATE01").at(now), steps());
    insta::assert_snapshot!(screen(&draw_view(&mut view, 170, 9)));
}

#[test]
fn state_colours_follow_the_theme() {
    let theme = theme();
    let now = at(3, 32, 15);
    let mut view = TableView::with_items(Steps::new("j-2AGGREGATE01").at(now), steps());
    let terminal = draw_view(&mut view, 170, 9);
    let buffer = terminal.backend().buffer();
    let row_of = |id: &str| {
        (0..buffer.area.height)
            .find(|&y| {
                let line: String = (0..buffer.area.width)
                    .map(|x| buffer[(x, y)].symbol())
                    .collect();
                line.contains(id)
            })
            .unwrap_or_else(|| panic!("{id} is drawn"))
    };
    // Column 20 is inside the NAME cell of every row (the first row is selected).
    let fg = |id: &str| buffer[(20, row_of(id))].fg;
    assert_eq!(fg("s-FAILED00002"), theme.state_failed.fg.unwrap());
    assert_eq!(fg("s-RUNNING0003"), theme.state_running.fg.unwrap());
    assert_eq!(fg("s-COMPLETED01"), theme.state_success.fg.unwrap());
    assert_ne!(theme.state_failed.fg, theme.state_success.fg);
}

#[test]
fn cluster_detail() {
    let mut c = cluster(
        "j-2AGGREGATE01",
        "nyctaxi-aggregation",
        "WAITING",
        Some("Cluster ready to run steps."),
    );
    c.ended = None;
    let mut view = DocumentView::ready("detail j-2AGGREGATE01", cluster_detail::detail_lines(&c));
    insta::assert_snapshot!(screen(&draw_view(&mut view, 100, 20)));
}

#[test]
fn step_detail_with_failure_details() {
    let failed = steps().into_iter().find(|s| s.state == "FAILED").unwrap();
    let mut view = DocumentView::ready(
        "step s-FAILED00002",
        step_detail::detail_lines("j-2AGGREGATE01", &failed),
    );
    insta::assert_snapshot!(screen(&draw_view(&mut view, 130, 24)));
}

#[tokio::test]
async fn terminate_confirmation_names_the_cluster() {
    let clusters = TableView::with_items(Clusters::new(ClusterFilter::Active), active_clusters());
    let mut h = AppHarness::new(false, boxed(clusters), 170, 24).await;
    h.press(KeyCode::Char('t'), KeyModifiers::CONTROL);
    assert!(matches!(h.app.mode, Mode::Confirm(_)), "ctrl-t asks first");
    let shown = h.draw();
    assert!(
        shown.contains("j-2AGGREGATE01") && shown.contains("nyctaxi-aggregation"),
        "{shown}"
    );
    insta::assert_snapshot!(shown);
}

#[tokio::test]
async fn read_only_refuses_to_terminate() {
    let clusters = TableView::with_items(Clusters::new(ClusterFilter::Active), active_clusters());
    let mut h = AppHarness::new(true, boxed(clusters), 170, 24).await;
    h.press(KeyCode::Char('t'), KeyModifiers::CONTROL);
    assert!(
        matches!(h.app.mode, Mode::Normal),
        "no dialog in a read-only context"
    );
    let flash = h
        .app
        .flash
        .as_ref()
        .map(|f| f.text.clone())
        .unwrap_or_default();
    assert!(flash.contains("read-only"), "{flash}");
}

#[tokio::test]
async fn add_step_prompt_refuses_a_script_outside_s3() {
    let steps = TableView::with_items(Steps::new("j-2AGGREGATE01").at(at(3, 32, 15)), steps());
    let mut h = AppHarness::new(false, boxed(steps), 170, 24).await;
    h.type_text("a");
    assert!(
        matches!(h.app.mode, Mode::Prompt(_)),
        "a asks for the script"
    );
    // The prompt starts with "s3://": clear it, type a local path.
    for _ in 0.."s3://".len() {
        h.press(KeyCode::Backspace, KeyModifiers::NONE);
    }
    h.type_text("/home/me/aggregate.py --date 2024-01-01");
    h.press(KeyCode::Enter, KeyModifiers::NONE);
    assert!(
        matches!(h.app.mode, Mode::Normal),
        "no confirmation, nothing sent"
    );
    let shown = h.draw();
    assert!(shown.contains("must start with s3://"), "{shown}");
    insta::assert_snapshot!(shown);
}

#[tokio::test]
async fn cancel_is_refused_for_a_finished_step() {
    let steps = TableView::with_items(Steps::new("j-2AGGREGATE01").at(at(3, 32, 15)), steps());
    let mut h = AppHarness::new(false, boxed(steps), 170, 24).await;
    // Third row: the failed step.
    h.press(KeyCode::Down, KeyModifiers::NONE);
    h.press(KeyCode::Down, KeyModifiers::NONE);
    h.press(KeyCode::Char('k'), KeyModifiers::CONTROL);
    assert!(matches!(h.app.mode, Mode::Normal));
    let flash = h
        .app
        .flash
        .as_ref()
        .map(|f| f.text.clone())
        .unwrap_or_default();
    assert!(flash.contains("only pending or running steps"), "{flash}");
    // On the running step it asks first.
    h.press(KeyCode::Up, KeyModifiers::NONE);
    h.press(KeyCode::Char('k'), KeyModifiers::CONTROL);
    assert!(matches!(h.app.mode, Mode::Confirm(_)));
}
