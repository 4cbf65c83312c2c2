//! Run control shared by the job list and the run history: start a run (with the job's
//! defaults, or with arguments edited in a prompt and checked before sending) and stop a run.
//! Every action goes through the gate.

use std::sync::Arc;

use super::format::not_connected;
use super::run_args::{self, Arguments};
use crate::app::view::{Ctx, Outcome, Prompt};
use crate::aws::glue::JobRun;
use crate::clients::Clients;
use crate::gate::{catalog, ActionRequest};

/// Starts a run of `job` with `arguments` (empty: the job's defaults).
pub fn start(cx: &mut Ctx, job: &str, arguments: Arguments) -> Outcome {
    match cx.clients() {
        Some(clients) => Outcome::Act(start_request(clients, job, arguments)),
        None => not_connected(),
    }
}

/// Asks for the arguments (`--key=value …` or a JSON object), starting from `initial`; a
/// malformed answer is reported and nothing is sent.
pub fn edit_then_start(cx: &mut Ctx, job: &str, initial: &Arguments) -> Outcome {
    let Some(clients) = cx.clients() else {
        return not_connected();
    };
    let job = job.to_string();
    let history = format!("glue-arguments {job}");
    Outcome::Ask(
        Prompt::new(
            format!("Run {job} with arguments (--key=value … or JSON; the job's defaults apply)"),
            run_args::format(initial),
            move |text| match run_args::parse(&text) {
                Ok(arguments) => Outcome::Act(start_request(clients, &job, arguments)),
                Err(problem) => Outcome::Flash(Err(format!("not started: {problem}"))),
            },
        )
        .history(&history),
    )
}

fn start_request(clients: Arc<Clients>, job: &str, arguments: Arguments) -> ActionRequest {
    let detail = if arguments.is_empty() {
        "with the job's default arguments".to_string()
    } else {
        format!("arguments: {}", run_args::format(&arguments))
    };
    let job = job.to_string();
    ActionRequest::new(&catalog::GLUE_START_JOB_RUN, job.clone(), move |approval| {
        Box::pin(async move {
            let id = clients
                .glue
                .start_job_run(&approval, &job, &arguments)
                .await?;
            Ok(format!("started {job} run {id}"))
        })
    })
    .with_detail(detail)
}

/// Stops a run that is still going; a finished run is refused here, nothing is sent.
pub fn stop(cx: &mut Ctx, run: &JobRun) -> Outcome {
    if !run.run_state().is_active() {
        return Outcome::Flash(Err(format!(
            "run {} is {}: only a starting or running run can be stopped",
            run.id, run.state
        )));
    }
    let Some(clients) = cx.clients() else {
        return not_connected();
    };
    let (job, id) = (run.job_name.clone(), run.id.clone());
    let target = format!("{job} run {id}");
    let done = format!("stopping {target}");
    Outcome::Act(
        ActionRequest::new(&catalog::GLUE_STOP_JOB_RUN, target, move |approval| {
            Box::pin(async move {
                clients.glue.stop_job_run(&approval, &job, &id).await?;
                Ok(done)
            })
        })
        .with_detail(format!("state now: {}", run.state)),
    )
}
