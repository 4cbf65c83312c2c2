//! Snapshot tests of the Airflow views (TestBackend + insta) on fixtures of the platform's own
//! DAG at a fixed clock: DAGs, runs, the duration chart, the grid, the Gantt chart, task tries,
//! failures, import errors, the task table linked to its AWS runs, `:triage`, and, through the whole app, the dry-run confirmation of a clear and
//! the trigger prompt refusing a conf that is not JSON. Colours that carry meaning (a failed
//! cell, a failed bar) are asserted per cell, since the text form of a snapshot drops styles.

use chrono::{DateTime, Duration, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyModifiers};
use platform_tui::airflow::{Dag, DagRun, ImportError, State, Task, TaskInstance, TaskKey};
use platform_tui::app::view::boxed;
use platform_tui::app::view::Outcome;
use platform_tui::app::{Mode, PromptMode};
use platform_tui::kinds::airflow::actions::{clear_task_request, ClearOptions, Target};
use platform_tui::kinds::airflow::dags::Dags;
use platform_tui::kinds::airflow::failures::{newest_first, Failures};
use platform_tui::kinds::airflow::import_errors::{self, ImportErrors};
use platform_tui::kinds::airflow::run_tasks::RunTasks;
use platform_tui::kinds::airflow::runs::RunsScreen;
use platform_tui::kinds::airflow::tasks::{Presentation, RunRef, TasksScreen};
use platform_tui::kinds::airflow::tries::Tries;
use platform_tui::views::table::TableView;
use ratatui::style::{Modifier, Style};

#[path = "support/screen.rs"]
mod screen;
use screen::{draw_view, position_of, screen, style_at, theme, AppHarness};

const DAG: &str = "prepare_data_nyc";
const TASKS: [&str; 8] = [
    "s3_sensor_nyc",
    "crawl_data_nyc",
    "process_to_staging_nyc",
    "create_emr_jobflow",
    "add_emr_step",
    "emr_step_sensor",
    "terminate_jobflow",
    "load_nyc_to_redshift",
];

fn day(d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, d, 3, 0, 0).unwrap()
}

/// The tests' clock: half an hour into the newest run.
fn now() -> DateTime<Utc> {
    day(15) + Duration::minutes(30)
}

fn run_id(d: u32) -> String {
    format!("scheduled__2026-01-{d:02}T03:00:00+00:00")
}

fn run(d: u32, state: State, minutes: i64) -> DagRun {
    let start = day(d) + Duration::seconds(4);
    DagRun {
        dag_id: DAG.into(),
        run_id: run_id(d),
        state: state.clone(),
        run_type: "scheduled".into(),
        logical_date: Some(day(d) - Duration::days(1)),
        run_after: Some(day(d)),
        queued_at: Some(day(d)),
        start_date: Some(start),
        end_date: (!state.is_active()).then(|| start + Duration::minutes(minutes)),
        conf: serde_json::json!({}),
        note: None,
    }
}

/// Newest first, as the API lists them.
fn runs() -> Vec<DagRun> {
    let mut manual = run(14, State::Success, 21);
    manual.run_id = "manual__2026-01-14T09:12:00+00:00".into();
    manual.run_type = "manual".into();
    manual.conf = serde_json::json!({"month": "2026-01"});
    vec![
        run(15, State::Running, 0),
        manual,
        run(13, State::Failed, 12),
        run(12, State::Success, 24),
        run(11, State::Failed, 11),
        run(10, State::Success, 19),
    ]
}

fn instance(run: &DagRun, task: &str, state: State, start_min: i64, minutes: i64) -> TaskInstance {
    let base = run.start_date.unwrap();
    let never = matches!(state, State::None | State::UpstreamFailed);
    let start = base + Duration::minutes(start_min) + Duration::seconds(20);
    TaskInstance {
        key: TaskKey {
            dag_id: DAG.into(),
            run_id: run.run_id.clone(),
            task_id: task.into(),
            map_index: -1,
        },
        try_number: if never { 0 } else { 1 },
        max_tries: Some(1),
        operator: Some(operator(task).into()),
        queued_at: (!never).then(|| base + Duration::minutes(start_min)),
        start_date: (!never && state != State::Queued).then_some(start),
        end_date: (!never && !state.is_active()).then(|| start + Duration::minutes(minutes)),
        duration: None,
        hostname: (!never).then(|| "worker-1.internal".into()),
        pool: Some("default_pool".into()),
        note: None,
        state,
    }
}

fn operator(task: &str) -> &'static str {
    match task {
        "s3_sensor_nyc" => "S3KeySensor",
        "crawl_data_nyc" => "GlueCrawlerOperator",
        "process_to_staging_nyc" => "GlueJobOperator",
        "create_emr_jobflow" => "EmrCreateJobFlowOperator",
        "add_emr_step" => "EmrAddStepsOperator",
        "emr_step_sensor" => "EmrStepSensor",
        "terminate_jobflow" => "EmrTerminateJobFlowOperator",
        _ => "RedshiftDataOperator",
    }
}

/// The task instances of `run`: everything up to `failed_at` succeeded, that one has `state`,
/// the rest follow from it.
fn instances(run: &DagRun) -> Vec<TaskInstance> {
    let (stop, stop_state, rest) = match run.state {
        State::Failed => (2, State::Failed, State::UpstreamFailed),
        State::Running => (4, State::Running, State::None),
        _ => (TASKS.len(), State::Success, State::Success),
    };
    TASKS
        .iter()
        .enumerate()
        .map(|(i, task)| {
            let state = match i {
                i if i < stop => State::Success,
                i if i == stop => stop_state.clone(),
                _ => rest.clone(),
            };
            instance(run, task, state, i as i64 * 3, 2 + i as i64 % 3)
        })
        .collect()
}

fn tasks() -> Vec<Task> {
    TASKS
        .iter()
        .zip(TASKS.iter().skip(1).map(Some).chain([None]))
        .map(|(t, next)| Task {
            task_id: t.to_string(),
            operator: Some(operator(t).into()),
            downstream_task_ids: next.map(|n| vec![n.to_string()]).unwrap_or_default(),
            retries: Some(1),
        })
        .collect()
}

fn run_tasks() -> RunTasks {
    let runs: Vec<DagRun> = runs().into_iter().rev().collect();
    RunTasks {
        tasks: tasks(),
        instances: runs.iter().map(instances).collect(),
        runs,
    }
}

fn run_ref(run: &DagRun) -> RunRef {
    RunRef {
        env: None,
        dag_id: DAG.into(),
        run_id: run.run_id.clone(),
    }
}

fn failed_run() -> DagRun {
    runs()[2].clone()
}

fn tasks_screen(presentation: Presentation) -> TasksScreen {
    let run = failed_run();
    TasksScreen::with_data(
        run_ref(&run),
        instances(&run),
        run_tasks(),
        presentation,
        now(),
    )
}

fn dags() -> Vec<Dag> {
    vec![
        Dag {
            dag_id: DAG.into(),
            is_paused: false,
            schedule: Some("@daily".into()),
            tags: vec!["nyc".into(), "etl".into()],
            owners: vec!["data-eng".into()],
            next_run: Some(day(16)),
            fileloc: Some("/opt/airflow/dags/prepare_data_nyc.py".into()),
            last_run: Some(runs()[2].clone()),
            ..Dag::default()
        },
        Dag {
            dag_id: "refresh_gold_views".into(),
            is_paused: true,
            schedule: Some("0 6 * * 1".into()),
            tags: vec!["gold".into()],
            owners: vec!["analytics".into()],
            last_run: Some(run(12, State::Success, 3)),
            ..Dag::default()
        },
        Dag {
            dag_id: "backfill_yellow".into(),
            is_paused: true,
            has_import_errors: true,
            ..Dag::default()
        },
    ]
}

fn import_error() -> ImportError {
    ImportError {
        id: Some(1),
        filename: "/opt/airflow/dags/backfill_yellow.py".into(),
        timestamp: Some(day(15) + Duration::minutes(2)),
        stack_trace: "Traceback (most recent call last):\n  File \"/opt/airflow/dags/backfill_yellow.py\", line 12, in <module>\n    from plugins.nyc import YellowOperator\nModuleNotFoundError: No module named 'plugins.nyc'\n".into(),
    }
}

fn assert_colour(actual: Style, expected: Style, what: &str) {
    assert_eq!(actual.fg, expected.fg, "{what}: colour");
}

#[test]
fn dags_table() {
    let mut view = TableView::with_items(Dags::new(None), dags());
    let terminal = draw_view(&mut view, 150, 7);
    let theme = theme();
    let (_, y) = position_of(&terminal, "refresh_gold_views").unwrap();
    assert_colour(
        style_at(&terminal, 2, y),
        theme.state_success,
        "last run success",
    );
    insta::assert_snapshot!(screen(&terminal));
}

#[test]
fn runs_table() {
    let mut view = RunsScreen::with_runs(None, DAG, runs(), now(), false);
    let terminal = draw_view(&mut view, 172, 10);
    let theme = theme();
    let (_, y) = position_of(&terminal, &run_id(11)).unwrap();
    assert_colour(style_at(&terminal, 2, y), theme.state_failed, "failed run");
    insta::assert_snapshot!(screen(&terminal));
}

#[test]
fn duration_chart_of_recent_runs() {
    let mut view = RunsScreen::with_runs(None, DAG, runs(), now(), true);
    let terminal = draw_view(&mut view, 72, 14);
    let text = screen(&terminal);
    assert!(
        text.contains("29m 56s ┤"),
        "the scale tops at the longest run (the running one, to now)\n{text}"
    );
    // Bars are 3 cells wide with a gap, oldest first: the second bar is the failed run of the 11th.
    let (x0, _) = position_of(&terminal, "0s ┤").unwrap();
    let bars_x = x0 + 4;
    let bottom = position_of(&terminal, "0s ┤").unwrap().1;
    let theme = theme();
    assert_colour(
        style_at(&terminal, bars_x, bottom),
        theme.state_success,
        "oldest run",
    );
    assert_colour(
        style_at(&terminal, bars_x + 4, bottom),
        theme.state_failed,
        "failed run",
    );
    insta::assert_snapshot!(text);
}

#[test]
fn grid_of_recent_runs_and_tasks() {
    let mut view = tasks_screen(Presentation::Grid);
    let terminal = draw_view(&mut view, 70, 14);
    let theme = theme();
    let text = screen(&terminal);
    let (x, y) = position_of(&terminal, "✖").unwrap();
    assert_colour(style_at(&terminal, x, y), theme.state_failed, "failed cell");
    let (x, y) = position_of(&terminal, "↑").unwrap();
    assert_colour(
        style_at(&terminal, x, y),
        theme.state_failed,
        "upstream_failed cell",
    );
    let (x, y) = position_of(&terminal, "■").unwrap();
    assert_colour(
        style_at(&terminal, x, y),
        theme.state_success,
        "success cell",
    );
    let (x, y) = position_of(&terminal, "▶").unwrap();
    assert_colour(
        style_at(&terminal, x, y),
        theme.state_running,
        "running cell",
    );
    assert!(
        text.contains(&format!("run {} (failed) · 4/6", run_id(13))),
        "the cursor starts on the screen's run\n{text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn grid_cursor_moves_to_older_runs_and_names_the_cell() {
    let mut view = tasks_screen(Presentation::Grid);
    draw_view(&mut view, 70, 14);
    // The grid opens on the first failed task of the run; two runs back.
    view.move_cursor(-2, 0);
    let terminal = draw_view(&mut view, 70, 14);
    let text = screen(&terminal);
    assert!(
        text.contains(&format!("run {} (failed) · 2/6", run_id(11)))
            && text.contains("task process_to_staging_nyc (failed)"),
        "{text}"
    );
    let (x, y) = position_of(&terminal, "process_to_staging_nyc").unwrap();
    let _ = x;
    let selected = (0..70)
        .map(|x| style_at(&terminal, x, y))
        .find(|s| s.add_modifier.contains(Modifier::REVERSED))
        .expect("the selected cell is drawn reversed");
    assert_colour(selected, theme().state_failed, "selected failed cell");
}

#[test]
fn gantt_of_one_run() {
    let mut view = tasks_screen(Presentation::Gantt);
    let terminal = draw_view(&mut view, 80, 13);
    let text = screen(&terminal);
    assert!(text.contains('░'), "queued time is drawn light\n{text}");
    let (x, y) = position_of(&terminal, "█").unwrap();
    assert_colour(
        style_at(&terminal, x, y),
        theme().state_success,
        "first bar",
    );
    insta::assert_snapshot!(text);
}

#[test]
fn gantt_of_a_running_run_reaches_now() {
    let newest = runs()[0].clone();
    let mut view = TasksScreen::with_data(
        run_ref(&newest),
        instances(&newest),
        run_tasks(),
        Presentation::Gantt,
        now(),
    );
    let terminal = draw_view(&mut view, 80, 13);
    let text = screen(&terminal);
    assert!(text.contains("03:30:00"), "the axis ends now\n{text}");
    let (x, y) = position_of(&terminal, "add_emr_step").unwrap();
    let _ = x;
    let running = (20..80)
        .map(|x| style_at(&terminal, x, y))
        .find(|s| s.fg == theme().state_running.fg);
    assert!(
        running.is_some(),
        "the running task's bar is the running colour"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn task_table_in_dependency_order() {
    let mut view = tasks_screen(Presentation::Table);
    insta::assert_snapshot!(screen(&draw_view(&mut view, 120, 12)));
}

#[test]
fn task_detail_with_tries() {
    let run = failed_run();
    let current = {
        let mut ti = instance(&run, "process_to_staging_nyc", State::Failed, 6, 2);
        ti.try_number = 2;
        ti
    };
    let first = {
        let mut ti = instance(&run, "process_to_staging_nyc", State::Failed, 3, 1);
        ti.hostname = Some("worker-2.internal".into());
        ti
    };
    let mut view = TableView::with_items(
        Tries::new(None, &current).at(now()),
        vec![first, current.clone()],
    );
    insta::assert_snapshot!(screen(&draw_view(&mut view, 130, 6)));
}

#[test]
fn failures_newest_first() {
    let failed_runs: Vec<DagRun> = runs()
        .into_iter()
        .filter(|r| r.state == State::Failed)
        .collect();
    let failed_tasks: Vec<TaskInstance> = failed_runs
        .iter()
        .flat_map(instances)
        .filter(|ti| ti.state == State::Failed)
        .collect();
    let items = newest_first(failed_runs, failed_tasks);
    assert!(matches!(
        items[0],
        platform_tui::kinds::airflow::failures::Failure::Run(_)
    ));
    let mut view = TableView::with_items(Failures::new(None), items);
    insta::assert_snapshot!(screen(&draw_view(&mut view, 150, 8)));
}

#[test]
fn import_errors_and_the_whole_trace() {
    let mut view = TableView::with_items(ImportErrors { env: None }, vec![import_error()]);
    let table = screen(&draw_view(&mut view, 120, 5));
    assert!(
        table.contains("ModuleNotFoundError: No module named 'plugins.nyc'"),
        "{table}"
    );
    insta::assert_snapshot!("import_errors_table", table);
    let mut detail = import_errors::detail(&import_error());
    insta::assert_snapshot!(
        "import_error_trace",
        screen(&draw_view(&mut detail, 90, 12))
    );
}

#[tokio::test]
async fn clear_confirmation_lists_the_dry_run() {
    let mut h = AppHarness::new(false, boxed(tasks_screen(Presentation::Table)), 110, 24).await;
    let run = failed_run();
    let failed = instance(&run, "process_to_staging_nyc", State::Failed, 6, 2);
    let would: Vec<TaskInstance> = instances(&run).into_iter().skip(2).collect();
    let target = Target {
        clients: h.app.env.clients.clone().unwrap(),
        env: None,
    };
    let options = ClearOptions {
        downstream: true,
        upstream: false,
    };
    h.app.handle(Outcome::Act(clear_task_request(
        target, &failed, options, &would,
    )));
    assert!(
        matches!(h.app.mode, Mode::Confirm(_)),
        "clearing asks first"
    );
    let shown = h.draw();
    assert!(
        shown.contains("6 task instance(s) will be cleared"),
        "{shown}"
    );
    assert!(
        shown.contains("load_nyc_to_redshift (upstream_failed)"),
        "{shown}"
    );
    insta::assert_snapshot!(shown);
}

#[tokio::test]
async fn clear_asks_which_relatives_then_runs_a_dry_run() {
    let mut h = AppHarness::new(false, boxed(tasks_screen(Presentation::Table)), 110, 14).await;
    h.press(KeyCode::Char('x'), KeyModifiers::NONE);
    let Mode::Prompt(prompt) = &h.app.mode else {
        panic!("x asks which relatives to clear too");
    };
    let PromptMode { title, input, .. } = prompt.as_ref();
    // The screen opened on the first failed task: that is the one to clear.
    assert!(title.contains("Clear process_to_staging_nyc"), "{title}");
    assert_eq!(
        input.text(),
        "",
        "nothing typed in advance: `x d enter` answers d"
    );
    h.type_text("x");
    h.press(KeyCode::Enter, KeyModifiers::NONE);
    assert!(
        h.flash().contains("'x'"),
        "a bad answer is refused: {}",
        h.flash()
    );
    // The README's keys, as written: `x` `d` `enter`.
    h.press(KeyCode::Char('x'), KeyModifiers::NONE);
    h.press(KeyCode::Char('d'), KeyModifiers::NONE);
    let Mode::Prompt(prompt) = &h.app.mode else {
        panic!("x asks again");
    };
    assert_eq!(prompt.input.text(), "d");
    h.press(KeyCode::Enter, KeyModifiers::NONE);
    assert!(h.flash().starts_with("dry run"), "{}", h.flash());
    assert!(
        matches!(h.app.mode, Mode::Normal),
        "nothing is cleared before the dry run answers"
    );
}

#[tokio::test]
async fn trigger_refuses_a_conf_that_is_not_json_and_keeps_the_text() {
    let dags = TableView::with_items(Dags::new(None), dags());
    let mut h = AppHarness::new(false, boxed(dags), 150, 14).await;
    h.press(KeyCode::Char('t'), KeyModifiers::NONE);
    h.press(KeyCode::Backspace, KeyModifiers::NONE);
    h.press(KeyCode::Backspace, KeyModifiers::NONE);
    h.type_text(r#"{"month" "2026-01"}"#);
    h.press(KeyCode::Enter, KeyModifiers::NONE);
    let Mode::Prompt(prompt) = &h.app.mode else {
        panic!("a bad conf asks again");
    };
    let PromptMode { title, input, .. } = prompt.as_ref();
    assert!(title.contains("line 1, column 10"), "{title}");
    assert_eq!(input.text(), r#"{"month" "2026-01"}"#, "the text is kept");
    let audit = h.app.env.gate.audit_log().path().to_owned();
    assert!(!audit.exists(), "nothing was sent or recorded");
    insta::assert_snapshot!(h.draw());
}

#[tokio::test]
async fn read_only_refuses_to_trigger() {
    let dags = TableView::with_items(Dags::new(None), dags());
    let mut h = AppHarness::new(true, boxed(dags), 130, 10).await;
    h.press(KeyCode::Char('t'), KeyModifiers::NONE);
    h.press(KeyCode::Enter, KeyModifiers::NONE);
    assert!(h.flash().contains("read-only"), "{}", h.flash());
}

#[tokio::test]
async fn switching_from_the_grid_to_the_gantt_keeps_the_selected_task() {
    let screen = tasks_screen(Presentation::Grid);
    let mut h = AppHarness::new(false, boxed(screen), 100, 20).await;
    // The grid opens on the first failed task, no key needed.
    let grid = h.draw();
    assert!(
        grid.contains("task process_to_staging_nyc (failed)"),
        "{grid}"
    );
    h.press(KeyCode::Char('v'), KeyModifiers::NONE);
    let gantt = h.draw();
    assert!(gantt.contains("gantt prepare_data_nyc"), "{gantt}");
    assert!(
        gantt.contains("process_to_staging_nyc (failed) · queued 20s · ran 4m 00s"),
        "{gantt}"
    );
    h.press(KeyCode::Char('v'), KeyModifiers::NONE);
    assert!(h.draw().contains("TASK"), "v comes back to the table");
}

#[tokio::test]
async fn triggering_a_paused_dag_says_the_run_will_wait() {
    let dags = TableView::with_items(Dags::new(None), dags());
    let mut h = AppHarness::new(false, boxed(dags), 150, 14).await;
    h.press(KeyCode::Char('j'), KeyModifiers::NONE);
    h.press(KeyCode::Char('t'), KeyModifiers::NONE);
    let Mode::Prompt(prompt) = &h.app.mode else {
        panic!("t asks for the conf");
    };
    let PromptMode { title, input, .. } = prompt.as_ref();
    assert!(title.contains("Trigger refresh_gold_views"), "{title}");
    assert!(title.contains("paused: the run waits"), "{title}");
    assert_eq!(input.text(), "{}");
}

fn failed_glue_link() -> platform_tui::triage::TaskLink {
    platform_tui::triage::TaskLink {
        kind: platform_tui::triage::LinkKind::GlueRun {
            job: "nyctaxi-sandbox-process-to-staging".into(),
            run_id: "jr_93397ea8492f9a0b1c2d3e4f".into(),
        },
        state: Some("FAILED".into()),
        failed: true,
        first_error: Some("KeyError: 'fare_amount'".into()),
        root_cause: None,
        lookup_error: None,
    }
}

#[test]
fn task_table_links_each_task_to_its_aws_run_and_error() {
    use platform_tui::kinds::airflow::links::{key, Resolved, TaskLinks};
    let run = failed_run();
    let instances = instances(&run);
    let mut links = TaskLinks::default();
    for ti in &instances {
        let resolved = match ti.key.task_id.as_str() {
            "process_to_staging_nyc" => Resolved::Link(failed_glue_link()),
            _ => Resolved::Nothing, // drove nothing, or never ran: no link drawn
        };
        links.accept(key(ti), resolved);
    }
    let mut view = TasksScreen::with_linked_data(
        run_ref(&run),
        instances,
        run_tasks(),
        Presentation::Table,
        now(),
        links.clone(),
    );
    let text = screen(&draw_view(&mut view, 160, 12));
    assert!(
        text.contains("process_to_staging_nyc    failed")
            && text.contains("→ glue run jr_93397ea8492f… FAILED: KeyError: 'fare_a"),
        "{text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn triage_view_lists_failures_with_their_root_cause_and_age() {
    use platform_tui::config::Context;
    use platform_tui::kinds::triage::now_view::TriageItems;
    use platform_tui::triage::{Item, Layer, TaskRef};
    let item = |layer, subject: &str, minutes: i64, error: &str| Item {
        layer,
        environment: None,
        subject: subject.into(),
        state: "failed".into(),
        failing: true,
        at: Some(now() - Duration::minutes(minutes)),
        error: Some(error.into()),
        task: None,
        link: None,
    };
    let mut dag_run = item(
        Layer::Airflow,
        "prepare_data_nyc scheduled__2026-01-13T03:00:00+00:00 process_to_staging_nyc",
        3,
        "KeyError: 'fare_amount'",
    );
    dag_run.environment = Some("sandbox".into());
    dag_run.task = Some(TaskRef {
        dag_id: DAG.into(),
        run_id: run_id(13),
        task_id: "process_to_staging_nyc".into(),
        map_index: -1,
        try_number: 1,
        state: "failed".into(),
    });
    dag_run.link = Some(failed_glue_link());
    let glue = item(
        Layer::Glue,
        "glue run jr_93397ea8492f of nyctaxi-sandbox-process-to-staging",
        3,
        "KeyError: 'fare_amount'",
    );
    let emr = item(
        Layer::Emr,
        "emr cluster j-25N5KO3DN5FKT step s-6K6S6CEU9OH6S (aggregate_gold_daily_zone)",
        75,
        "AnalysisException: Column 'tip_amount' not found",
    );
    let context = Context {
        name: "sandbox".into(),
        ..Context::default()
    };
    let resource = TriageItems::new(&context).at(now());
    let mut view = TableView::with_items(resource, vec![dag_run, glue, emr]);
    let text = screen(&draw_view(&mut view, 160, 8));
    assert!(
        text.contains("→ glue run jr_93397ea8492f… FAILED KeyError: 'fare_amount'")
            && text.contains("1h 15m"),
        "{text}"
    );
    insta::assert_snapshot!(text);
}
