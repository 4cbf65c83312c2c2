//! The provisioning actions that go through the gate: apply the reviewed plan (always asks;
//! a plan that destroys anything asks to type the workspace name) and select a workspace.

use super::{tree, TfMsg};
use crate::app::view::Mailbox;
use crate::errors::UiError;
use crate::gate::{catalog, ActionRequest, Approval};
use crate::terraform::{
    ApplyResult, Canceller, Operation, Plan, PlanFile, RunEvent, TerraformError, Workdir,
};

/// Where background work sends what it learns: the view that started it.
pub type Reply = Mailbox<TfMsg>;

/// One event of operation `id`.
pub struct OpEvent {
    pub id: u64,
    pub event: RunEvent,
}

/// Operation `id` started: its canceller.
pub struct OpStarted {
    pub id: u64,
    pub canceller: Canceller,
}

/// The apply `id` ended.
pub struct ApplyDone {
    pub id: u64,
    pub result: Result<ApplyResult, String>,
}

/// How long a new operation waits for a short command of the same directory (e.g. the
/// workspace list read after an init) before giving up as busy.
const WAIT_FOR_DIRECTORY: std::time::Duration = std::time::Duration::from_secs(10);

/// Runs a short command (`workspace list`, `state list`…) with `read`, waiting while the
/// directory is busy with another short one.
pub async fn read_when_free<T, F, Fut>(read: F) -> Result<T, TerraformError>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<T, TerraformError>>,
{
    let waited = std::time::Instant::now();
    loop {
        match read().await {
            Err(TerraformError::Busy { .. }) if waited.elapsed() < WAIT_FOR_DIRECTORY => {
                tokio::time::sleep(std::time::Duration::from_millis(100)).await
            }
            other => return other,
        }
    }
}

/// Starts an operation with `start`, waiting while the directory is busy with something
/// short; announces it ([`OpStarted`]) and forwards its events ([`forward`]).
pub async fn run_operation<T>(
    start: impl Fn() -> Result<Operation<T>, TerraformError>,
    id: u64,
    reply: &Reply,
) -> Result<T, TerraformError> {
    let waited = std::time::Instant::now();
    let op = loop {
        match start() {
            Err(TerraformError::Busy { .. }) if waited.elapsed() < WAIT_FOR_DIRECTORY => {
                tokio::time::sleep(std::time::Duration::from_millis(100)).await
            }
            other => break other?,
        }
    };
    reply.send(TfMsg::Started(OpStarted {
        id,
        canceller: op.canceller(),
    }));
    forward(op, id, reply).await
}

/// Sends every event of `op` as [`OpEvent`]s of `id`, then returns its result.
async fn forward<T>(op: Operation<T>, id: u64, reply: &Reply) -> Result<T, TerraformError> {
    let (mut events, _canceller, result) = op.into_parts();
    while let Some(event) = events.recv().await {
        reply.send(TfMsg::Event(OpEvent { id, event }));
    }
    result.await.unwrap_or_else(|e| {
        Err(TerraformError::Output {
            command: "(task)".into(),
            detail: e.to_string(),
        })
    })
}

/// The gated apply of exactly `file` (the plan `plan` shown for review). The plan file is
/// discarded afterwards, applied or not: it can never be applied twice.
pub fn apply_request(
    workdir: Workdir,
    file: PlanFile,
    plan: &Plan,
    workspace: &str,
    id: u64,
    reply: Reply,
) -> ActionRequest {
    let counts = plan.counts();
    let target = format!("{} (workspace {workspace})", workdir.dir().display());
    let file_name = file
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let what = match file.refresh_only {
        true => format!(
            "accept {} change(s) made outside Terraform into the state",
            plan.drift.len()
        ),
        false => format!("Plan: {}", tree::counts_text(&counts)),
    };
    let request = ActionRequest::new(&catalog::TERRAFORM_APPLY, target, move |approval| {
        Box::pin(async move {
            let result = run_apply(&approval, &workdir, &file, id, &reply).await;
            let _ = file.discard();
            reply.send(TfMsg::ApplyDone(ApplyDone {
                id,
                result: result.clone(),
            }));
            result
                .map(|r| match r.summary {
                    Some(s) => format!("Apply complete: {}", tree::summary_text(&s)),
                    None => "Apply complete".to_string(),
                })
                .map_err(UiError::from)
        })
    })
    .with_detail(what)
    .with_detail(format!("plan file {file_name}, reviewed just now"));
    match plan.destroys() {
        true => request
            .with_detail(format!(
                "it destroys {} resource(s)",
                counts.delete + counts.replace
            ))
            .with_typed_confirmation(workspace),
        false => request,
    }
}

async fn run_apply(
    approval: &Approval,
    workdir: &Workdir,
    file: &PlanFile,
    id: u64,
    reply: &Reply,
) -> Result<ApplyResult, String> {
    run_operation(|| workdir.apply(approval, file), id, reply)
        .await
        .map_err(|e| e.to_string())
}

/// The gated `workspace select NAME`.
pub fn select_workspace_request(workdir: Workdir, name: String) -> ActionRequest {
    let target = format!("{} (workspace {name})", workdir.dir().display());
    ActionRequest::new(
        &catalog::TERRAFORM_SELECT_WORKSPACE,
        target,
        move |approval| {
            Box::pin(async move {
                workdir
                    .select_workspace(&approval, &name, false)
                    .await
                    .map(|()| format!("workspace {name} selected"))
                    .map_err(UiError::from)
            })
        },
    )
}
