//! Triage across the platform's layers, UI-free: from a failed Airflow task to the AWS resource
//! it drove and that resource's own error ([`link`], [`resolve`]), what is failing now in a
//! whole context ([`now`]), the pipeline strip of the DAG's latest run ([`pipeline`]), and
//! those written out for scripts ([`report`], [`command`]: `platform-tui triage`). The views
//! draw these plain types.

pub mod command;
pub mod error_line;
pub mod link;
pub mod now;
pub mod pipeline;
pub mod report;
pub mod resolve;

pub use link::{clue, Clue, LinkKind};
pub use now::{focus, triage, Item, Layer, Scope, TaskRef, Triage, Unread};
pub use pipeline::{stages, Pipeline, Stage, PIPELINE_DAG};
pub use resolve::{look_up, resolve, LogRef, TaskLink};
