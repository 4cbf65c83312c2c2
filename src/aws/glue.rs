//! AWS Glue: the Data Catalog (databases, tables, partitions), crawlers and jobs with their
//! runs. Plain domain types only; no SDK type leaves this module.
//!
//! Mutating operations (start/stop a crawler, start/stop job runs) take the gate's
//! [`crate::gate::Approval`].

mod catalog;
mod crawlers;
mod jobs;

use super::opt_utc as time;
use aws_config::SdkConfig;
use aws_sdk_glue::Client;

use super::error::ServiceEndpoint;

pub use catalog::{Column, Database, Partition, Table};
pub use crawlers::{Crawler, CrawlerMetrics, LastCrawl};
pub use jobs::{
    Job, JobRun, RunState, StopFailure, ERROR_LOG_GROUP, LATEST_RUN_LOOKUPS, OUTPUT_LOG_GROUP,
};

/// The Glue client of one context.
#[derive(Debug, Clone)]
pub struct Glue {
    client: Client,
    endpoint: ServiceEndpoint,
}

impl Glue {
    pub fn new(config: &SdkConfig) -> Self {
        Glue {
            client: Client::new(config),
            endpoint: ServiceEndpoint::new("Glue", "glue", config),
        }
    }
}

fn text(s: Option<&str>) -> Option<String> {
    s.filter(|s| !s.is_empty()).map(str::to_owned)
}
