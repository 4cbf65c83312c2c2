//! Domain types of the Redshift layer, converted from the SDKs' shapes.

use aws_sdk_redshift::types as rs;
use aws_sdk_redshiftdata::operation::describe_statement::DescribeStatementOutput;
use aws_sdk_redshiftdata::operation::get_statement_result::GetStatementResultOutput;
use aws_sdk_redshiftdata::types as data;
use chrono::{DateTime, Utc};

use crate::aws::opt_utc;

/// A provisioned cluster.
#[derive(serde::Serialize, Debug, Clone, PartialEq, Default)]
pub struct Cluster {
    pub id: String,
    /// `available`, `paused`, `pausing`, `resuming`, `creating`…
    pub status: String,
    pub node_type: String,
    pub nodes: i32,
    /// `address:port`, once the cluster has one.
    pub endpoint: Option<String>,
    pub database: String,
    pub master_user: String,
}

impl Cluster {
    pub fn is_available(&self) -> bool {
        self.status == "available"
    }

    pub fn is_paused(&self) -> bool {
        self.status == "paused"
    }
}

impl From<&rs::Cluster> for Cluster {
    fn from(c: &rs::Cluster) -> Self {
        let endpoint = c.endpoint().and_then(|e| {
            let address = e.address()?;
            Some(match e.port() {
                Some(port) => format!("{address}:{port}"),
                None => address.to_owned(),
            })
        });
        Cluster {
            id: c.cluster_identifier().unwrap_or_default().to_owned(),
            status: c.cluster_status().unwrap_or_default().to_owned(),
            node_type: c.node_type().unwrap_or_default().to_owned(),
            nodes: c.number_of_nodes().unwrap_or_default(),
            endpoint,
            database: c.db_name().unwrap_or_default().to_owned(),
            master_user: c.master_username().unwrap_or_default().to_owned(),
        }
    }
}

/// Who runs a statement: a database user (temporary credentials) or a Secrets Manager secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credentials {
    DbUser(String),
    Secret(String),
}

/// Where a statement stands.
#[derive(serde::Serialize, Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatementState {
    Submitted,
    Picked,
    Started,
    Finished,
    Failed,
    Aborted,
    Unknown,
}

impl StatementState {
    pub fn parse(s: &str) -> Self {
        match s {
            "SUBMITTED" => Self::Submitted,
            "PICKED" => Self::Picked,
            "STARTED" => Self::Started,
            "FINISHED" => Self::Finished,
            "FAILED" => Self::Failed,
            "ABORTED" => Self::Aborted,
            _ => Self::Unknown,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submitted => "SUBMITTED",
            Self::Picked => "PICKED",
            Self::Started => "STARTED",
            Self::Finished => "FINISHED",
            Self::Failed => "FAILED",
            Self::Aborted => "ABORTED",
            Self::Unknown => "UNKNOWN",
        }
    }

    /// No further change will come.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Finished | Self::Failed | Self::Aborted)
    }
}

/// One statement as DescribeStatement tells it.
#[derive(serde::Serialize, Debug, Clone, PartialEq)]
pub struct Statement {
    pub id: String,
    pub state: StatementState,
    pub sql: String,
    pub cluster: Option<String>,
    pub database: Option<String>,
    pub created: Option<DateTime<Utc>>,
    /// Run time in milliseconds once finished.
    pub duration_ms: Option<i64>,
    /// Rows returned or affected, once finished.
    pub result_rows: Option<i64>,
    pub has_result_set: bool,
    /// The id whose result GetStatementResult returns: the statement's own, or for a batch
    /// the last sub-statement that has a result set.
    pub result_id: Option<String>,
    /// The server's error text of a failed or aborted statement.
    pub error: Option<String>,
}

impl Statement {
    /// A statement just submitted, before its first description.
    pub fn submitted(id: &str, cluster: &str, database: &str, sql: &str) -> Self {
        Statement {
            id: id.to_owned(),
            state: StatementState::Submitted,
            sql: sql.to_owned(),
            cluster: Some(cluster.to_owned()),
            database: Some(database.to_owned()),
            created: Some(Utc::now()),
            duration_ms: None,
            result_rows: None,
            has_result_set: false,
            result_id: None,
            error: None,
        }
    }

    /// The first line of the SQL that is neither empty nor a `--` comment.
    pub fn first_line(&self) -> &str {
        self.sql
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with("--"))
            .unwrap_or("")
    }
}

impl From<&DescribeStatementOutput> for Statement {
    fn from(o: &DescribeStatementOutput) -> Self {
        let state = StatementState::parse(o.status().map(|s| s.as_str()).unwrap_or_default());
        let finished = state == StatementState::Finished;
        let subs = o.sub_statements();
        let with_result = subs.iter().rev().find(|s| s.has_result_set() == Some(true));
        let (result_id, rows) = match subs.last() {
            None => (
                (o.has_result_set() == Some(true)).then(|| o.id().to_owned()),
                o.result_rows(),
            ),
            Some(last) => (
                with_result.map(|s| s.id().to_owned()),
                with_result.unwrap_or(last).result_rows(),
            ),
        };
        Statement {
            id: o.id().to_owned(),
            state,
            sql: o.query_string().unwrap_or_default().to_owned(),
            cluster: o.cluster_identifier().map(str::to_owned),
            database: o.database().map(str::to_owned),
            created: opt_utc(o.created_at()),
            duration_ms: (o.duration() >= 0).then(|| o.duration() / 1_000_000),
            result_rows: (finished && rows >= 0).then_some(rows),
            has_result_set: finished && result_id.is_some(),
            result_id: result_id.filter(|_| finished),
            error: o.error().filter(|e| !e.is_empty()).map(str::to_owned),
        }
    }
}

/// One entry of ListStatements.
#[derive(Debug, Clone, PartialEq)]
pub struct StatementSummary {
    pub id: String,
    pub state: StatementState,
    pub sql: String,
    pub created: Option<DateTime<Utc>>,
    /// The StatementName given when it was submitted (Airflow's RedshiftDataOperator names
    /// statements after the task).
    pub name: Option<String>,
}

impl From<&data::StatementData> for StatementSummary {
    fn from(s: &data::StatementData) -> Self {
        StatementSummary {
            id: s.id().to_owned(),
            state: StatementState::parse(s.status().map(|s| s.as_str()).unwrap_or_default()),
            sql: s.query_string().unwrap_or_default().to_owned(),
            created: opt_utc(s.created_at()),
            name: s
                .statement_name()
                .filter(|n| !n.is_empty())
                .map(str::to_owned),
        }
    }
}

/// A result column: its name and the server's type name (`int8`, `varchar`…).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMeta {
    pub name: String,
    pub type_name: String,
}

/// A statement's result: columns and rows of text values.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ResultSet {
    pub columns: Vec<ColumnMeta>,
    pub rows: Vec<Vec<String>>,
}

impl ResultSet {
    pub(super) fn add_page(&mut self, page: &GetStatementResultOutput) {
        if self.columns.is_empty() {
            self.columns = page
                .column_metadata()
                .iter()
                .map(|c| ColumnMeta {
                    name: c.name().unwrap_or_default().to_owned(),
                    type_name: c.type_name().unwrap_or_default().to_owned(),
                })
                .collect();
        }
        self.rows.extend(
            page.records()
                .iter()
                .map(|row| row.iter().map(field_text).collect()),
        );
    }
}

/// A value as text: numbers as written, booleans `true`/`false`, NULL as `NULL`.
fn field_text(field: &data::Field) -> String {
    match field {
        data::Field::StringValue(s) => s.clone(),
        data::Field::LongValue(n) => n.to_string(),
        data::Field::DoubleValue(x) => x.to_string(),
        data::Field::BooleanValue(b) => b.to_string(),
        data::Field::IsNull(_) => "NULL".into(),
        data::Field::BlobValue(blob) => format!("<{} bytes>", blob.as_ref().len()),
        _ => "?".into(),
    }
}
