//! Amazon Athena: the recent query executions of a workgroup, each with its state, timing, data
//! scanned, query text and the engine's own error. Plain domain types only.

use aws_config::SdkConfig;
use aws_sdk_athena::types::QueryExecution as SdkExecution;
use aws_sdk_athena::Client;
use chrono::{DateTime, Utc};
use futures::{StreamExt, TryStreamExt};

use super::error::{AwsError, ServiceEndpoint};

/// Executions described at once (Athena answers them one by one).
const CONCURRENT_LOOKUPS: usize = 8;

/// One query execution, as the console shows it.
#[derive(serde::Serialize, Debug, Clone, PartialEq)]
pub struct QueryExecution {
    pub id: String,
    /// QUEUED, RUNNING, SUCCEEDED, FAILED or CANCELLED.
    pub state: String,
    pub query: String,
    pub database: Option<String>,
    pub workgroup: Option<String>,
    pub submitted: Option<DateTime<Utc>>,
    pub completed: Option<DateTime<Utc>>,
    pub scanned_bytes: Option<u64>,
    /// Athena's reason for the state: the engine's error of a failed query.
    pub reason: Option<String>,
    pub output_location: Option<String>,
}

impl QueryExecution {
    /// How long it ran (to `now` while it runs).
    pub fn duration(&self, now: DateTime<Utc>) -> Option<chrono::Duration> {
        let start = self.submitted?;
        Some(self.completed.unwrap_or(now) - start)
    }

    fn from_sdk(e: &SdkExecution) -> Self {
        let status = e.status();
        let time = |t: Option<&aws_sdk_athena::primitives::DateTime>| {
            t.and_then(|t| DateTime::from_timestamp_millis(t.to_millis().ok()?))
        };
        QueryExecution {
            id: e.query_execution_id().unwrap_or_default().to_owned(),
            state: status
                .and_then(|s| s.state())
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            query: e.query().unwrap_or_default().to_owned(),
            database: e
                .query_execution_context()
                .and_then(|c| c.database())
                .map(str::to_owned),
            workgroup: e.work_group().map(str::to_owned),
            submitted: time(status.and_then(|s| s.submission_date_time())),
            completed: time(status.and_then(|s| s.completion_date_time())),
            scanned_bytes: e
                .statistics()
                .and_then(|s| s.data_scanned_in_bytes())
                .and_then(|b| u64::try_from(b).ok()),
            reason: status
                .and_then(|s| s.state_change_reason())
                .map(str::to_owned),
            output_location: e
                .result_configuration()
                .and_then(|r| r.output_location())
                .map(str::to_owned),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Athena {
    client: Client,
    endpoint: ServiceEndpoint,
}

impl Athena {
    pub fn new(config: &SdkConfig) -> Self {
        Athena {
            client: Client::new(config),
            endpoint: ServiceEndpoint::new("Athena", "athena", config),
        }
    }

    /// The newest `limit` executions of `workgroup`, newest first, described.
    pub async fn recent_queries(
        &self,
        workgroup: &str,
        limit: usize,
    ) -> Result<Vec<QueryExecution>, AwsError> {
        let mut pages = self
            .client
            .list_query_executions()
            .work_group(workgroup)
            .into_paginator()
            .send();
        let mut ids: Vec<String> = Vec::new();
        while ids.len() < limit {
            let Some(page) = pages.next().await else {
                break;
            };
            let page = page.map_err(|e| {
                self.endpoint
                    .error("ListQueryExecutions", Some(workgroup), e)
            })?;
            ids.extend(page.query_execution_ids().iter().cloned());
        }
        ids.truncate(limit);
        let mut executions: Vec<QueryExecution> = futures::stream::iter(ids)
            .map(|id| self.describe(id))
            .buffered(CONCURRENT_LOOKUPS)
            .try_collect()
            .await?;
        executions.sort_by_key(|e| std::cmp::Reverse(e.submitted));
        Ok(executions)
    }

    /// One execution by id.
    pub async fn describe(&self, id: String) -> Result<QueryExecution, AwsError> {
        let out = self
            .client
            .get_query_execution()
            .query_execution_id(&id)
            .send()
            .await
            .map_err(|e| self.endpoint.error("GetQueryExecution", Some(&id), e))?;
        let execution = out.query_execution().ok_or_else(|| {
            self.endpoint.failure(
                "GetQueryExecution",
                super::ErrorKind::NotFound,
                format!("no execution {id}"),
            )
        })?;
        Ok(QueryExecution::from_sdk(execution))
    }
}
