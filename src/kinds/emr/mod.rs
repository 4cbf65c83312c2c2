//! EMR: clusters, steps, their detail and step logs.

pub mod cluster_detail;
pub mod clusters;
pub mod format;
pub mod step_detail;
pub mod step_logs;
pub mod steps;
