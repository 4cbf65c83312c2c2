//! The AWS resource each task instance drove (Glue run, crawler, EMR step, SQL statement…),
//! resolved through [`crate::triage::resolve`] in the background by the task screen and drawn
//! in its LINK column and under the grid: `→ glue run jr_0a1b… FAILED: KeyError: 'fare_amount'`.
//! A task that drove no AWS resource shows nothing.

use std::collections::HashMap;
use std::sync::Arc;

use super::format::{connect, task_label};
use crate::airflow::TaskInstance;
use crate::clients::Clients;
use crate::kinds::glue::job_detail::short_id;
use crate::sanitize;
use crate::triage::{resolve, LinkKind, TaskLink};

/// What is known of one task instance's resource.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved {
    /// Being looked up.
    Pending,
    /// The task drove no AWS resource (or never ran).
    Nothing,
    Link(TaskLink),
    /// What the task recorded could not be read.
    Unreadable(String),
}

/// The resolved links of the task instances a screen shows, by instance and try and state (a
/// task that moves on is looked up again).
#[derive(Debug, Clone, Default)]
pub struct TaskLinks {
    resolved: HashMap<String, Resolved>,
}

/// Identifies what a resolution is valid for.
pub fn key(ti: &TaskInstance) -> String {
    format!(
        "{}|{}|{}|{}",
        ti.key.run_id,
        task_label(ti),
        ti.try_number,
        ti.state
    )
}

impl TaskLinks {
    pub fn get(&self, ti: &TaskInstance) -> Option<&Resolved> {
        self.resolved.get(&key(ti))
    }

    /// The resolved link of `ti`, if it has one.
    pub fn link(&self, ti: &TaskInstance) -> Option<&TaskLink> {
        match self.get(ti)? {
            Resolved::Link(link) => Some(link),
            _ => None,
        }
    }

    pub fn accept(&mut self, key: String, resolved: Resolved) {
        self.resolved.insert(key, resolved);
    }

    /// The instances of `instances` not looked up yet (those that ran), now marked pending.
    pub fn to_resolve<'a>(
        &mut self,
        instances: impl IntoIterator<Item = &'a TaskInstance>,
    ) -> Vec<TaskInstance> {
        let mut wanted = Vec::new();
        for ti in instances {
            let key = key(ti);
            if ti.try_number == 0 || self.resolved.contains_key(&key) {
                continue;
            }
            self.resolved.insert(key, Resolved::Pending);
            wanted.push(ti.clone());
        }
        wanted
    }

    /// The cell of the LINK column: `→ glue run jr_0a1b… FAILED: KeyError: …`, `…` while it is
    /// looked up, empty when the task drove nothing.
    pub fn cell(&self, ti: &TaskInstance) -> String {
        match self.get(ti) {
            Some(Resolved::Pending) => "…".into(),
            Some(Resolved::Link(link)) => format!("→ {}", sanitize::line(&summary(link))),
            Some(Resolved::Unreadable(e)) => format!("? {}", sanitize::line(e)),
            Some(Resolved::Nothing) | None => String::new(),
        }
    }
}

/// How a link reads in a cell: short ids, then the state and the first error line.
pub fn summary(link: &TaskLink) -> String {
    link.summary_naming(short_name(&link.kind))
}

/// `glue run jr_0a1b2c3d4e5f…`, `emr step s-2 of j-1`, `sql a1b2c3d4-…`.
pub fn short_name(kind: &LinkKind) -> String {
    match kind {
        LinkKind::GlueRun { run_id, .. } => format!("glue run {}", short_id(run_id)),
        LinkKind::SqlStatement { id } => format!("sql statement {}", short_id(id)),
        other => other.describe(),
    }
}

/// Looks up the resource `ti` (in environment `env`) drove; returns it with its [`key`].
pub async fn resolve_one(
    clients: Arc<Clients>,
    env: Option<String>,
    ti: TaskInstance,
) -> (String, Resolved) {
    let key = key(&ti);
    let airflow = match connect(&clients, env.as_deref()).await {
        Ok(airflow) => airflow,
        Err(e) => return (key, Resolved::Unreadable(e.to_string())),
    };
    let resolved = match airflow.task_record(&ti.key).await {
        Ok(record) => match resolve(&record, &airflow, &clients).await {
            Some(link) => Resolved::Link(link),
            None => Resolved::Nothing,
        },
        Err(e) => Resolved::Unreadable(e.to_string()),
    };
    (key, resolved)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::airflow::State;
    use crate::kinds::airflow::tasks::tests::ti;

    fn glue_link() -> TaskLink {
        TaskLink {
            kind: LinkKind::GlueRun {
                job: "nyc_raw_to_staging".into(),
                run_id: "jr_0123456789abcdef0123".into(),
            },
            state: Some("FAILED".into()),
            failed: true,
            first_error: Some("KeyError: 'fare_amount'".into()),
            root_cause: None,
            lookup_error: None,
        }
    }

    #[test]
    fn a_resolved_link_reads_short_id_state_and_error() {
        let mut links = TaskLinks::default();
        let failed = ti("process_to_staging_nyc", -1, State::Failed);
        let never_ran = {
            let mut t = ti("load_gold", -1, State::UpstreamFailed);
            t.try_number = 0;
            t
        };
        let wanted = links.to_resolve([&failed, &never_ran]);
        assert_eq!(wanted.len(), 1, "only what ran is looked up");
        assert_eq!(links.cell(&failed), "…");
        links.accept(key(&failed), Resolved::Link(glue_link()));
        assert_eq!(
            links.cell(&failed),
            "→ glue run jr_0123456789ab… FAILED: KeyError: 'fare_amount'"
        );
        assert_eq!(links.cell(&never_ran), "");
        assert!(links.to_resolve([&failed]).is_empty(), "looked up once");
    }

    #[test]
    fn a_task_that_moved_on_is_looked_up_again() {
        let mut links = TaskLinks::default();
        let mut running = ti("crawl", -1, State::Running);
        links.to_resolve([&running]);
        links.accept(key(&running), Resolved::Nothing);
        running.state = State::Failed;
        assert_eq!(links.to_resolve([&running]).len(), 1);
    }
}
