//! Glue crawlers: state, schedule, targets, the last crawl, the tables the last crawl touched
//! (GetCrawlerMetrics, when the endpoint has it), start and stop.

use std::time::Duration;

use aws_sdk_glue::types::CrawlerTargets;
use chrono::{DateTime, Utc};

use super::{text, time, Glue};
use crate::aws::AwsError;
use crate::gate::Approval;

#[derive(serde::Serialize, Debug, Clone, PartialEq, Eq)]
pub struct LastCrawl {
    /// SUCCEEDED, CANCELLED or FAILED.
    pub status: String,
    pub error: Option<String>,
    pub started: Option<DateTime<Utc>>,
    pub log_group: Option<String>,
    pub log_stream: Option<String>,
}

/// What the crawler's last run did (GetCrawlerMetrics).
#[derive(serde::Serialize, Debug, Clone, PartialEq)]
pub struct CrawlerMetrics {
    pub tables_created: i32,
    pub tables_updated: i32,
    pub tables_deleted: i32,
    pub last_runtime: Duration,
}

#[derive(serde::Serialize, Debug, Clone, PartialEq)]
pub struct Crawler {
    pub name: String,
    /// READY, RUNNING or STOPPING.
    pub state: String,
    pub schedule: Option<String>,
    /// Every target as one line: `s3://…`, `jdbc:CONNECTION path`, `catalog:db.table`, ….
    pub targets: Vec<String>,
    pub database: Option<String>,
    pub role: Option<String>,
    /// How long the current crawl has been running (0 when idle).
    pub elapsed: Duration,
    pub last_crawl: Option<LastCrawl>,
    /// `None` until [`Glue::crawler_metrics`] filled it (or when the endpoint lacks it).
    pub metrics: Option<CrawlerMetrics>,
}

impl Glue {
    /// Every crawler, without metrics (see [`Glue::crawler_metrics`]).
    pub async fn crawlers(&self) -> Result<Vec<Crawler>, AwsError> {
        let mut out = Vec::new();
        let mut token = None;
        loop {
            let page = self
                .client
                .get_crawlers()
                .set_next_token(token)
                .send()
                .await
                .map_err(|e| self.endpoint.error("GetCrawlers", None, e))?;
            out.extend(page.crawlers().iter().map(crawler));
            token = page.next_token().map(str::to_owned);
            if token.is_none() {
                return Ok(out);
            }
        }
    }

    pub async fn crawler(&self, name: &str) -> Result<Crawler, AwsError> {
        let out = self
            .client
            .get_crawler()
            .name(name)
            .send()
            .await
            .map_err(|e| self.endpoint.error("GetCrawler", Some(name), e))?;
        let mut found = out.crawler().map(crawler).ok_or_else(|| {
            self.endpoint.failure(
                "GetCrawler",
                crate::aws::ErrorKind::NotFound,
                format!("no crawler {name} in the answer"),
            )
        })?;
        found.metrics = self
            .crawler_metrics(&[name.to_owned()])
            .await
            .ok()
            .and_then(|m| m.into_iter().next().map(|(_, m)| m));
        Ok(found)
    }

    /// Metrics by crawler name. Endpoints without GetCrawlerMetrics (the emulator) fail here:
    /// callers show the crawlers without them.
    pub async fn crawler_metrics(
        &self,
        names: &[String],
    ) -> Result<Vec<(String, CrawlerMetrics)>, AwsError> {
        let mut out = Vec::new();
        // GetCrawlerMetrics takes at most 100 names.
        for chunk in names.chunks(100) {
            let page = self
                .client
                .get_crawler_metrics()
                .set_crawler_name_list(Some(chunk.to_vec()))
                .send()
                .await
                .map_err(|e| self.endpoint.error("GetCrawlerMetrics", None, e))?;
            out.extend(page.crawler_metrics_list().iter().filter_map(|m| {
                let metrics = CrawlerMetrics {
                    tables_created: m.tables_created(),
                    tables_updated: m.tables_updated(),
                    tables_deleted: m.tables_deleted(),
                    last_runtime: Duration::from_secs_f64(m.last_runtime_seconds().max(0.0)),
                };
                Some((m.crawler_name()?.to_owned(), metrics))
            }));
        }
        Ok(out)
    }

    pub async fn start_crawler(&self, _approval: &Approval, name: &str) -> Result<(), AwsError> {
        self.client
            .start_crawler()
            .name(name)
            .send()
            .await
            .map_err(|e| self.endpoint.error("StartCrawler", Some(name), e))?;
        Ok(())
    }

    pub async fn stop_crawler(&self, _approval: &Approval, name: &str) -> Result<(), AwsError> {
        self.client
            .stop_crawler()
            .name(name)
            .send()
            .await
            .map_err(|e| self.endpoint.error("StopCrawler", Some(name), e))?;
        Ok(())
    }
}

fn crawler(c: &aws_sdk_glue::types::Crawler) -> Crawler {
    Crawler {
        name: c.name().unwrap_or_default().to_owned(),
        state: c
            .state()
            .map(|s| s.as_str().to_owned())
            .unwrap_or_else(|| "UNKNOWN".into()),
        schedule: c.schedule().and_then(|s| text(s.schedule_expression())),
        targets: c.targets().map(target_lines).unwrap_or_default(),
        database: text(c.database_name()),
        role: text(c.role()),
        elapsed: Duration::from_millis(c.crawl_elapsed_time().max(0) as u64),
        last_crawl: c.last_crawl().map(|l| LastCrawl {
            status: l
                .status()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            error: text(l.error_message()),
            started: time(l.start_time()),
            log_group: text(l.log_group()),
            log_stream: text(l.log_stream()),
        }),
        metrics: None,
    }
}

fn target_lines(t: &CrawlerTargets) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    lines.extend(t.s3_targets().iter().filter_map(|s| text(s.path())));
    lines.extend(t.jdbc_targets().iter().map(|j| {
        format!(
            "jdbc:{} {}",
            j.connection_name().unwrap_or_default(),
            j.path().unwrap_or_default()
        )
    }));
    lines.extend(t.catalog_targets().iter().flat_map(|c| {
        c.tables()
            .iter()
            .map(move |table| format!("catalog:{}.{table}", c.database_name()))
    }));
    lines.extend(
        t.dynamo_db_targets()
            .iter()
            .filter_map(|d| d.path().map(|p| format!("dynamodb:{p}"))),
    );
    lines.extend(
        t.delta_targets()
            .iter()
            .flat_map(|d| d.delta_tables().iter().map(|p| format!("delta:{p}"))),
    );
    lines
}
