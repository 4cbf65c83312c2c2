//! Opening a step's log (`L` on a step): a prompt picks stderr (the default), stdout or
//! controller, and the shared log viewer follows it through [`StepLogSource`] while the step
//! runs.

use std::sync::Arc;

use crate::app::view::{boxed, BoxView, Outcome, Prompt};
use crate::aws::emr::{Step, StepLog, StepLogKind, StepLogSource};
use crate::clients::Clients;
use crate::config::DEFAULT_LOG_LINE_CAP;
use crate::views::log_viewer::LogViewer;

/// Asks which log, then opens it. `log_uri` is the cluster's (`None`: the cluster keeps no
/// logs in S3, or it is not known yet).
pub fn ask(
    clients: Arc<Clients>,
    cluster_id: &str,
    step: &Step,
    log_uri: Option<String>,
) -> Outcome {
    let Some(log_uri) = log_uri else {
        return Outcome::Flash(Err(format!(
            "{cluster_id} has no log URI (or it is still loading): EMR keeps no step logs in S3"
        )));
    };
    let names: Vec<&str> = StepLogKind::ALL.iter().map(|k| k.name()).collect();
    let (cluster_id, step) = (cluster_id.to_owned(), step.clone());
    Outcome::Ask(Prompt::new(
        format!("Log of step {} ({})", step.id, names.join(", ")),
        StepLogKind::Stderr.name(),
        move |answer| match parse_kind(&answer) {
            Ok(kind) => match StepLog::locate(&log_uri, &cluster_id, &step.id, kind) {
                Some(log) => Outcome::Push(viewer(clients, &cluster_id, &step, &log, kind)),
                None => Outcome::Flash(Err(format!("log URI '{log_uri}' is not in S3"))),
            },
            Err(e) => Outcome::Flash(Err(e)),
        },
    ))
}

pub fn parse_kind(answer: &str) -> Result<StepLogKind, String> {
    let answer = answer.trim().to_ascii_lowercase();
    StepLogKind::ALL
        .into_iter()
        .find(|k| k.name() == answer)
        .ok_or_else(|| format!("'{answer}': type stderr, stdout or controller"))
}

fn viewer(
    clients: Arc<Clients>,
    cluster_id: &str,
    step: &Step,
    log: &StepLog,
    kind: StepLogKind,
) -> BoxView {
    let source = StepLogSource::new(
        clients.emr.clone(),
        clients.s3.clone(),
        cluster_id,
        &step.id,
        log,
        step.is_live(),
    );
    boxed(LogViewer::new(
        format!("{} of {} ({})", kind.name(), step.name, step.id),
        Box::new(source),
        DEFAULT_LOG_LINE_CAP,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_answer_names_one_of_the_three_logs() {
        assert_eq!(parse_kind(" STDERR "), Ok(StepLogKind::Stderr));
        assert_eq!(parse_kind("controller"), Ok(StepLogKind::Controller));
        assert!(parse_kind("syslog")
            .unwrap_err()
            .contains("stderr, stdout or controller"));
    }
}
