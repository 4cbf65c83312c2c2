//! Glue: the catalog (databases, tables, partitions), crawlers, jobs and runs, run arguments and logs.

pub mod crawler_detail;
pub mod crawlers;
pub mod databases;
pub mod format;
pub mod job_detail;
pub mod job_runs;
pub mod jobs;
pub mod partitions;
pub mod run_actions;
pub mod run_args;
pub mod run_logs;
pub mod table_detail;
pub mod tables;
