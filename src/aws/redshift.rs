//! Amazon Redshift: provisioned clusters (status, nodes, endpoint, database), pausing and
//! resuming them, and SQL through the Redshift Data API (execute, describe, results, history).
//! Plain domain types only; no SDK type leaves this module.
//!
//! Mutating operations ([`Redshift::pause_cluster`], [`Redshift::resume_cluster`],
//! [`Redshift::execute_statement`]) are plain async functions; the app calls them only through
//! its action gate.

mod model;

use aws_config::SdkConfig;
use aws_sdk_redshift::Client as ClusterClient;
use aws_sdk_redshiftdata::Client as DataClient;

pub use model::{
    Cluster, ColumnMeta, Credentials, ResultSet, Statement, StatementState, StatementSummary,
};

use super::error::{AwsError, ServiceEndpoint};

/// The Redshift (clusters) and Redshift Data API (SQL) clients of one context.
#[derive(Debug, Clone)]
pub struct Redshift {
    clusters: ClusterClient,
    data: DataClient,
    cluster_endpoint: ServiceEndpoint,
    data_endpoint: ServiceEndpoint,
}

impl Redshift {
    pub fn new(config: &SdkConfig) -> Self {
        Redshift {
            clusters: ClusterClient::new(config),
            data: DataClient::new(config),
            cluster_endpoint: ServiceEndpoint::new("Redshift", "redshift", config),
            data_endpoint: ServiceEndpoint::new("Redshift Data API", "redshift-data", config),
        }
    }

    /// Every provisioned cluster (all pages).
    pub async fn list_clusters(&self) -> Result<Vec<Cluster>, AwsError> {
        let mut clusters = Vec::new();
        let mut marker = None;
        loop {
            let out = self
                .clusters
                .describe_clusters()
                .set_marker(marker)
                .send()
                .await
                .map_err(|e| self.cluster_endpoint.error("DescribeClusters", None, e))?;
            clusters.extend(out.clusters().iter().map(Cluster::from));
            marker = out.marker().filter(|m| !m.is_empty()).map(str::to_owned);
            if marker.is_none() {
                return Ok(clusters);
            }
        }
    }

    /// One cluster by identifier.
    pub async fn describe_cluster(&self, id: &str) -> Result<Cluster, AwsError> {
        let out = self
            .clusters
            .describe_clusters()
            .cluster_identifier(id)
            .send()
            .await
            .map_err(|e| self.cluster_endpoint.error("DescribeClusters", Some(id), e))?;
        out.clusters().first().map(Cluster::from).ok_or_else(|| {
            self.cluster_endpoint
                .failure(
                    "DescribeClusters",
                    super::ErrorKind::NotFound,
                    "no such cluster",
                )
                .on(id)
        })
    }

    /// Pauses an available cluster; returns its new status.
    pub async fn pause_cluster(&self, id: &str) -> Result<String, AwsError> {
        let out = self
            .clusters
            .pause_cluster()
            .cluster_identifier(id)
            .send()
            .await
            .map_err(|e| self.cluster_endpoint.error("PauseCluster", Some(id), e))?;
        Ok(status_of(out.cluster()))
    }

    /// Resumes a paused cluster; returns its new status.
    pub async fn resume_cluster(&self, id: &str) -> Result<String, AwsError> {
        let out = self
            .clusters
            .resume_cluster()
            .cluster_identifier(id)
            .send()
            .await
            .map_err(|e| self.cluster_endpoint.error("ResumeCluster", Some(id), e))?;
        Ok(status_of(out.cluster()))
    }

    /// Submits one SQL statement to `cluster`/`database`; returns the statement id.
    pub async fn execute_statement(
        &self,
        cluster: &str,
        database: &str,
        credentials: &Credentials,
        sql: &str,
    ) -> Result<String, AwsError> {
        let request = self
            .data
            .execute_statement()
            .cluster_identifier(cluster)
            .database(database)
            .sql(sql);
        let request = match credentials {
            Credentials::DbUser(user) => request.db_user(user),
            Credentials::Secret(arn) => request.secret_arn(arn),
        };
        let out = request.send().await.map_err(|e| {
            self.data_endpoint
                .error("ExecuteStatement", Some(cluster), e)
        })?;
        Ok(out.id().unwrap_or_default().to_owned())
    }

    /// Submits several SQL statements to run one after another in one transaction
    /// (BatchExecuteStatement: the Data API runs one statement per ExecuteStatement); returns
    /// the batch's id.
    pub async fn execute_batch(
        &self,
        cluster: &str,
        database: &str,
        credentials: &Credentials,
        sqls: &[String],
    ) -> Result<String, AwsError> {
        let request = self
            .data
            .batch_execute_statement()
            .cluster_identifier(cluster)
            .database(database)
            .set_sqls(Some(sqls.to_vec()));
        let request = match credentials {
            Credentials::DbUser(user) => request.db_user(user),
            Credentials::Secret(arn) => request.secret_arn(arn),
        };
        let out = request.send().await.map_err(|e| {
            self.data_endpoint
                .error("BatchExecuteStatement", Some(cluster), e)
        })?;
        Ok(out.id().unwrap_or_default().to_owned())
    }

    /// Where a statement stands: status, duration, rows, error text.
    pub async fn describe_statement(&self, id: &str) -> Result<Statement, AwsError> {
        let out = self
            .data
            .describe_statement()
            .id(id)
            .send()
            .await
            .map_err(|e| self.data_endpoint.error("DescribeStatement", Some(id), e))?;
        Ok(Statement::from(&out))
    }

    /// The result of a finished statement: column metadata and every row (all pages), each
    /// value as text (NULL as `NULL`).
    pub async fn get_statement_result(&self, id: &str) -> Result<ResultSet, AwsError> {
        let mut result = ResultSet::default();
        let mut token = None;
        loop {
            let out = self
                .data
                .get_statement_result()
                .id(id)
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| self.data_endpoint.error("GetStatementResult", Some(id), e))?;
            result.add_page(&out);
            token = out
                .next_token()
                .filter(|t| !t.is_empty())
                .map(str::to_owned);
            if token.is_none() {
                return Ok(result);
            }
        }
    }

    /// The account's recent statements, newest first (one page of up to 100).
    pub async fn list_statements(&self) -> Result<Vec<StatementSummary>, AwsError> {
        let out = self
            .data
            .list_statements()
            .max_results(100)
            .send()
            .await
            .map_err(|e| self.data_endpoint.error("ListStatements", None, e))?;
        Ok(out
            .statements()
            .iter()
            .map(StatementSummary::from)
            .collect())
    }
}

fn status_of(cluster: Option<&aws_sdk_redshift::types::Cluster>) -> String {
    cluster
        .and_then(|c| c.cluster_status())
        .unwrap_or_default()
        .to_owned()
}
