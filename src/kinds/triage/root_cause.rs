//! Going from a task's resolved AWS resource to the real error (`R` on a task, `enter` in
//! `:triage`): the resource opens in its own view (the Glue job's runs, the crawler, the EMR
//! step's detail) and, on top of it, its root-cause log (the Glue run's error log, the crawl's
//! log, the step's stderr, the SQL statement's error text). `esc` from the log lands on the
//! resource's view.

use std::sync::Arc;

use crate::app::view::{boxed, BoxView, Ctx, Outcome};
use crate::clients::Clients;
use crate::kinds::airflow::links::short_name;
use crate::kinds::{emr, glue, s3};
use crate::triage::{LinkKind, LogRef, TaskLink};
use crate::views::log_viewer::LogViewer;

/// Opens `link`'s resource and its root-cause log; a flash says why not when there is none.
pub fn open(link: &TaskLink, clients: Arc<Clients>, cx: &mut Ctx, line_cap: usize) -> Outcome {
    let resource = resource_view(&link.kind);
    let Some(log) = &link.root_cause else {
        return match resource {
            Some(view) => Outcome::Push(view),
            None => Outcome::Flash(Err(format!("{}: no log to open", short_name(&link.kind)))),
        };
    };
    let live = !link.failed && link.state.as_deref().is_some_and(is_active);
    let viewer = LogViewer::new(
        format!("root cause {}", short_name(&link.kind)),
        log.source(&clients, live),
        line_cap,
    )
    // Only CloudWatch keeps a time per line (stderr in S3 and a service's error text do not).
    .with_timestamps(matches!(log, LogRef::CloudWatch { .. }));
    match resource {
        // The log goes on top of the resource's view once that is pushed.
        Some(view) => {
            cx.spawn_outcome(async move { Outcome::Push(boxed(viewer)) });
            Outcome::Push(view)
        }
        None => Outcome::Push(boxed(viewer)),
    }
}

/// The resource's own view; `None` where its root-cause text is all there is to show (a SQL
/// statement's error).
fn resource_view(kind: &LinkKind) -> Option<BoxView> {
    match kind {
        LinkKind::GlueRun { job, .. } => Some(glue::job_runs::view(job)),
        LinkKind::Crawler { name } => Some(glue::crawler_detail::view(name)),
        LinkKind::EmrStep { cluster, step } => Some(emr::step_detail::view(cluster, step)),
        LinkKind::EmrCluster { id } => Some(emr::cluster_detail::view(id)),
        LinkKind::S3Key { bucket, key } => {
            let prefix = key
                .rsplit_once('/')
                .map(|(p, _)| format!("{p}/"))
                .unwrap_or_default();
            Some(s3::objects::view(bucket, &prefix))
        }
        LinkKind::SqlStatement { .. } => None,
    }
}

/// A service state word of work still going (`RUNNING`, `STARTING`, `PENDING`, `SUBMITTED`…).
fn is_active(state: &str) -> bool {
    matches!(
        state.to_ascii_uppercase().as_str(),
        "RUNNING" | "STARTING" | "PENDING" | "SUBMITTED" | "PICKED" | "STARTED" | "WAITING"
    )
}
