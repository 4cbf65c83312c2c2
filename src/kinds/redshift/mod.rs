//! Redshift: clusters and SQL through the Data API (statements, results, history).

pub mod clusters;
pub mod result;
pub mod sql;
pub mod sql_run;
pub mod sql_text;
