//! The Redshift client against the sandbox's emulator over real HTTP: clusters described,
//! paused and resumed, and SQL through the emulator's Redshift Data API (sandbox/platform_ext:
//! statements run on DuckDB): DDL, insert and select with typed results, a failing statement's
//! error text, batches (a file's statements) and a failure injected through
//! /platform-api/inject.

#[path = "support/screen.rs"]
mod screen;
mod support;

use std::time::{Duration, Instant};

use platform_tui::aws::redshift::{Credentials, Redshift, Statement, StatementState};
use platform_tui::aws::sdk_config;
use platform_tui::gate::catalog;
use platform_tui::gate::sql::ReadOnlySql;
use support::gate::approval;
use support::Emulator;

const CLUSTER: &str = "nyctaxi-test-warehouse";
const DATABASE: &str = "analytics";

struct Fixture {
    emulator: Emulator,
    redshift: Redshift,
}

impl Fixture {
    /// An emulator with one cluster as infra/ creates it.
    async fn new() -> Fixture {
        let emulator = Emulator::start();
        let config = sdk_config(&emulator.settings()).await;
        aws_sdk_redshift::Client::new(&config)
            .create_cluster()
            .cluster_identifier(CLUSTER)
            .node_type("ra3.xlplus")
            .cluster_type("multi-node")
            .number_of_nodes(2)
            .master_username("platform_admin")
            .master_user_password("Sandbox-only-1")
            .db_name(DATABASE)
            .port(5439)
            .send()
            .await
            .unwrap();
        Fixture {
            redshift: Redshift::new(&config),
            emulator,
        }
    }

    fn user() -> Credentials {
        Credentials::DbUser("platform_admin".into())
    }

    async fn run(&self, sql: &str) -> Statement {
        let execute_sql = approval(&catalog::REDSHIFT_EXECUTE_SQL).await;
        let id = self
            .redshift
            .execute_statement(&execute_sql, CLUSTER, DATABASE, &Self::user(), sql)
            .await
            .unwrap();
        self.wait(&id).await
    }

    /// Polls the statement until it is finished, failed or aborted.
    async fn wait(&self, id: &str) -> Statement {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let statement = self.redshift.describe_statement(id).await.unwrap();
            if statement.state.is_final() {
                return statement;
            }
            assert!(Instant::now() < deadline, "statement stuck: {statement:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

#[tokio::test]
async fn clusters_are_described_with_nodes_endpoint_database_and_user() {
    let f = Fixture::new().await;
    let clusters = f.redshift.list_clusters().await.unwrap();
    assert_eq!(clusters.len(), 1, "{clusters:?}");
    let c = &clusters[0];
    assert_eq!(c.id, CLUSTER);
    assert_eq!(c.status, "available");
    assert_eq!(c.node_type, "ra3.xlplus");
    assert_eq!(c.nodes, 2);
    assert_eq!(c.database, DATABASE);
    assert_eq!(c.master_user, "platform_admin");
    let endpoint = c.endpoint.as_deref().expect("an endpoint");
    assert!(endpoint.ends_with(":5439"), "{endpoint}");
    assert_eq!(f.redshift.describe_cluster(CLUSTER).await.unwrap(), *c);
}

#[tokio::test]
async fn pause_and_resume_change_the_status_and_a_paused_cluster_runs_no_sql() {
    let pause_cluster = approval(&catalog::REDSHIFT_PAUSE_CLUSTER).await;
    let resume_cluster = approval(&catalog::REDSHIFT_RESUME_CLUSTER).await;
    let execute_sql = approval(&catalog::REDSHIFT_EXECUTE_SQL).await;
    let f = Fixture::new().await;
    f.redshift
        .pause_cluster(&pause_cluster, CLUSTER)
        .await
        .unwrap();
    let paused = f.redshift.describe_cluster(CLUSTER).await.unwrap();
    assert!(paused.is_paused(), "{paused:?}");

    let refused = f
        .redshift
        .execute_statement(
            &execute_sql,
            CLUSTER,
            DATABASE,
            &Fixture::user(),
            "select 1",
        )
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("resume it first"), "{refused}");

    f.redshift
        .resume_cluster(&resume_cluster, CLUSTER)
        .await
        .unwrap();
    let resumed = f.redshift.describe_cluster(CLUSTER).await.unwrap();
    assert!(resumed.is_available(), "{resumed:?}");
}

#[tokio::test]
async fn ddl_insert_and_select_give_typed_results_and_history() {
    let f = Fixture::new().await;
    let created = f
        .run("create table trips (vendor varchar(8), passengers int, fare double precision)")
        .await;
    assert_eq!(created.state, StatementState::Finished, "{created:?}");
    assert!(!created.has_result_set);

    let inserted = f
        .run("insert into trips values ('CMT', 2, 12.5), ('VTS', 1, 7.25), ('VTS', NULL, 3.0)")
        .await;
    assert_eq!(inserted.state, StatementState::Finished, "{inserted:?}");
    assert_eq!(inserted.result_rows, Some(3));

    let selected = f
        .run("select vendor, passengers, fare from trips order by fare desc")
        .await;
    assert_eq!(selected.state, StatementState::Finished, "{selected:?}");
    assert!(selected.has_result_set);
    assert_eq!(selected.result_id.as_deref(), Some(selected.id.as_str()));
    assert_eq!(selected.result_rows, Some(3));
    assert!(selected.duration_ms.is_some(), "{selected:?}");
    assert_eq!(selected.cluster.as_deref(), Some(CLUSTER));
    assert_eq!(
        selected.first_line(),
        "select vendor, passengers, fare from trips order by fare desc"
    );

    let result = f.redshift.get_statement_result(&selected.id).await.unwrap();
    let names: Vec<&str> = result.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["vendor", "passengers", "fare"]);
    assert!(
        result.columns.iter().all(|c| !c.type_name.is_empty()),
        "{result:?}"
    );
    assert_eq!(
        result.rows,
        [
            vec!["CMT", "2", "12.5"],
            vec!["VTS", "1", "7.25"],
            vec!["VTS", "NULL", "3"],
        ]
    );

    let history = f.redshift.list_statements().await.unwrap();
    assert!(history.iter().any(|s| s.id == selected.id), "{history:?}");
}

#[tokio::test]
async fn a_failing_statement_carries_the_servers_error_text() {
    let f = Fixture::new().await;
    let failed = f.run("select * from no_such_table").await;
    assert_eq!(failed.state, StatementState::Failed, "{failed:?}");
    let error = failed.error.expect("an error text");
    assert!(error.contains("no_such_table"), "{error}");
    assert_eq!(failed.result_rows, None);
}

#[tokio::test]
async fn an_injected_failure_fails_the_next_statement_only() {
    let f = Fixture::new().await;
    f.emulator.control(
        "inject",
        &format!(
            r#"{{"target": "redshift-sql", "name": "{CLUSTER}", "message": "ERROR: disk full"}}"#
        ),
    );
    let failed = f.run("select 1").await;
    assert_eq!(failed.state, StatementState::Failed, "{failed:?}");
    assert_eq!(failed.error.as_deref(), Some("ERROR: disk full"));

    let next = f.run("select 1").await;
    assert_eq!(next.state, StatementState::Finished, "{next:?}");
}

#[tokio::test]
async fn a_batch_reads_the_result_of_its_last_statement_with_rows() {
    let execute_sql = approval(&catalog::REDSHIFT_EXECUTE_SQL).await;
    let f = Fixture::new().await;
    let sqls = [
        "create table zones (id int, name varchar(32))",
        "insert into zones values (74, 'East Harlem North'), (75, 'East Harlem South')",
        "select name from zones where id = 75",
    ]
    .map(String::from);
    let id = f
        .redshift
        .execute_batch(&execute_sql, CLUSTER, DATABASE, &Fixture::user(), &sqls)
        .await
        .unwrap();
    let batch = f.wait(&id).await;
    assert_eq!(batch.state, StatementState::Finished, "{batch:?}");
    assert!(batch.has_result_set, "{batch:?}");
    assert_eq!(batch.result_rows, Some(1));
    let result_id = batch.result_id.clone().expect("the select's id");
    assert_ne!(result_id, id, "a sub-statement's id");

    let result = f.redshift.get_statement_result(&result_id).await.unwrap();
    assert_eq!(result.rows, [vec!["East Harlem South"]]);
}

#[tokio::test]
async fn sql_found_read_only_is_sent_without_an_approval() {
    let f = Fixture::new().await;
    let one = ReadOnlySql::new("select 40 + 2", vec!["select 40 + 2".into()]).unwrap();
    let id = f
        .redshift
        .execute_read_only(CLUSTER, DATABASE, &Fixture::user(), &one)
        .await
        .unwrap();
    let done = f.wait(&id).await;
    assert_eq!(done.state, StatementState::Finished, "{done:?}");
    let result = f.redshift.get_statement_result(&id).await.unwrap();
    assert_eq!(result.rows, [vec!["42"]]);

    let text = "select 1; select 2 as two";
    let parts = vec!["select 1".into(), "select 2 as two".into()];
    let two = ReadOnlySql::new(text, parts).unwrap();
    let id = f
        .redshift
        .execute_read_only(CLUSTER, DATABASE, &Fixture::user(), &two)
        .await
        .unwrap();
    let batch = f.wait(&id).await;
    assert_eq!(batch.state, StatementState::Finished, "{batch:?}");
    assert_eq!(batch.result_rows, Some(1), "the batch's last select");
}

#[tokio::test]
async fn a_failing_batch_statement_carries_the_error_and_no_result() {
    let execute_sql = approval(&catalog::REDSHIFT_EXECUTE_SQL).await;
    let f = Fixture::new().await;
    let sqls = ["select 1", "select * from missing_zones"].map(String::from);
    let id = f
        .redshift
        .execute_batch(&execute_sql, CLUSTER, DATABASE, &Fixture::user(), &sqls)
        .await
        .unwrap();
    let failed = f.wait(&id).await;
    assert_eq!(failed.state, StatementState::Failed, "{failed:?}");
    assert!(
        failed
            .error
            .as_deref()
            .unwrap_or_default()
            .contains("missing_zones"),
        "{failed:?}"
    );
    assert!(!failed.has_result_set && failed.result_id.is_none());
}

/// Through the whole app in a read-only context: a typed SELECT runs on the emulator without
/// the gate and finishes with its rows; a DELETE is refused and never reaches the emulator.
#[tokio::test]
async fn a_read_only_context_runs_a_select_and_refuses_a_delete() {
    use crossterm::event::{KeyCode, KeyModifiers};
    use platform_tui::kinds::redshift::sql::Statements;
    use platform_tui::kinds::redshift::sql_run::History;
    use platform_tui::views::table::TableView;

    let f = Fixture::new().await;
    f.run("CREATE TABLE notes (id int)").await;
    f.run("INSERT INTO notes VALUES (1), (2)").await;
    let cluster = f.redshift.describe_cluster(CLUSTER).await.unwrap();
    let view = TableView::new(Statements::of(&cluster));
    let mut h = screen::AppHarness::at(
        &f.emulator.endpoint(),
        true,
        platform_tui::app::view::boxed(view),
        170,
        16,
    )
    .await;
    let submitted = |sql: &str| {
        History::session()
            .of_cluster(CLUSTER)
            .into_iter()
            .find(|s| s.sql == sql)
    };

    h.type_text("a");
    h.type_text("SELECT id FROM notes ORDER BY id");
    h.press(KeyCode::Enter, KeyModifiers::NONE);
    assert!(h.flash().contains("read-only, running"), "{}", h.flash());
    let deadline = Instant::now() + Duration::from_secs(30);
    let select = loop {
        if let Some(statement) = submitted("SELECT id FROM notes ORDER BY id") {
            break statement;
        }
        assert!(
            Instant::now() < deadline,
            "the SELECT never reached the emulator"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let done = f.wait(&select.id).await;
    assert_eq!(done.state, StatementState::Finished, "{done:?}");
    let rows = f
        .redshift
        .get_statement_result(&select.id)
        .await
        .unwrap()
        .rows;
    assert_eq!(rows, [["1"], ["2"]]);

    h.type_text("a");
    h.type_text("DELETE FROM notes");
    h.press(KeyCode::Enter, KeyModifiers::NONE);
    let flash = h.flash();
    assert!(
        flash.contains("refused") && flash.contains("read-only"),
        "{flash}"
    );
    assert!(submitted("DELETE FROM notes").is_none());
    let count = f.run("SELECT count(*) FROM notes").await;
    let rows = f
        .redshift
        .get_statement_result(&count.id)
        .await
        .unwrap()
        .rows;
    assert_eq!(rows, [["2"]], "the refused DELETE changed the table");
}
