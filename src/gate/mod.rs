//! The action gate: the one path every mutating action takes.
//!
//! A view describes what it wants to do as an [`ActionRequest`] (what, on which target, and the
//! work itself as a closure that needs an [`Approval`]). Only the gate can make an `Approval`, so
//! the work cannot run without passing here. The gate refuses in read-only contexts (enforced
//! here, whatever the UI shows), asks for confirmation of destructive actions, and appends an
//! audit record for every outcome.

pub mod audit;

use std::fmt;
use std::sync::Arc;

use futures::future::BoxFuture;

pub use audit::{AuditLog, AuditRecord, Outcome};

/// How much care an action needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Risk {
    /// Changes something but is easily undone (upload, start a run): no confirmation.
    Mutating,
    /// Deletes, stops, terminates, or costs money: confirmation first.
    Destructive,
}

/// A kind of action, declared once by the layer that offers it.
#[derive(Debug)]
pub struct ActionSpec {
    /// Stable id used in the audit log, e.g. `s3.delete`.
    pub id: &'static str,
    /// Verb shown to people, e.g. `Delete object`.
    pub label: &'static str,
    pub risk: Risk,
}

/// Proof that the gate allowed an action. It cannot be made outside this module.
#[derive(Debug)]
pub struct Approval {
    _private: (),
}

/// What the action does once approved; returns a short message for the status bar.
pub type Work = Box<dyn FnOnce(Approval) -> BoxFuture<'static, Result<String, String>> + Send>;

pub struct ActionRequest {
    pub spec: &'static ActionSpec,
    /// What the action applies to, as people name it (`s3://bucket/key`).
    pub target: String,
    /// Extra lines for the confirmation dialog (sizes, consequences).
    pub details: Vec<String>,
    pub work: Work,
}

impl ActionRequest {
    pub fn new(
        spec: &'static ActionSpec,
        target: impl Into<String>,
        work: impl FnOnce(Approval) -> BoxFuture<'static, Result<String, String>> + Send + 'static,
    ) -> Self {
        Self {
            spec,
            target: target.into(),
            details: Vec::new(),
            work: Box::new(work),
        }
    }

    pub fn with_detail(mut self, line: impl Into<String>) -> Self {
        self.details.push(line.into());
        self
    }
}

impl fmt::Debug for ActionRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ActionRequest")
            .field("action", &self.spec.id)
            .field("target", &self.target)
            .finish()
    }
}

/// An action waiting for the user's answer in a confirmation dialog.
#[derive(Debug)]
pub struct PendingConfirmation {
    pub request: ActionRequest,
}

/// An approved action, ready to run (on the runtime, never in the render loop).
pub struct Approved {
    request: ActionRequest,
    gate: Arc<Gate>,
}

impl fmt::Debug for Approved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Approved").field(&self.request).finish()
    }
}

#[derive(Debug)]
pub enum Decision {
    Refused(String),
    NeedsConfirmation(PendingConfirmation),
    Approved(Approved),
}

/// The result of a finished action, as shown in the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    pub action: &'static str,
    pub target: String,
    pub result: Result<String, String>,
}

#[derive(Debug)]
pub struct Gate {
    context: String,
    read_only: bool,
    audit: AuditLog,
}

impl Gate {
    pub fn new(context: impl Into<String>, read_only: bool, audit: AuditLog) -> Arc<Self> {
        Arc::new(Self {
            context: context.into(),
            read_only,
            audit,
        })
    }

    pub fn read_only(&self) -> bool {
        self.read_only
    }

    pub fn audit_log(&self) -> &AuditLog {
        &self.audit
    }

    /// First step for every action: refuse, ask, or approve.
    pub fn submit(self: &Arc<Self>, request: ActionRequest) -> Decision {
        if self.read_only {
            let message = format!(
                "{} refused: context '{}' is read-only",
                request.spec.label, self.context
            );
            self.record(&request, Outcome::Refused, Some("read-only context"));
            return Decision::Refused(message);
        }
        match request.spec.risk {
            Risk::Destructive => Decision::NeedsConfirmation(PendingConfirmation { request }),
            Risk::Mutating => Decision::Approved(self.approve(request)),
        }
    }

    /// The user said yes in the confirmation dialog.
    pub fn confirm(self: &Arc<Self>, pending: PendingConfirmation) -> Approved {
        self.approve(pending.request)
    }

    /// The user said no: nothing runs, and the refusal is on record.
    pub fn cancel(&self, pending: PendingConfirmation) -> String {
        self.record(&pending.request, Outcome::Cancelled, None);
        format!("{} cancelled", pending.request.spec.label)
    }

    fn approve(self: &Arc<Self>, request: ActionRequest) -> Approved {
        Approved {
            request,
            gate: Arc::clone(self),
        }
    }

    fn record(&self, request: &ActionRequest, outcome: Outcome, detail: Option<&str>) {
        if let Err(e) = self.audit.append(
            &self.context,
            request.spec.id,
            &request.target,
            outcome,
            detail,
        ) {
            tracing::error!(path = %self.audit.path().display(), "audit write failed: {e}");
        }
    }
}

impl Approved {
    pub fn spec(&self) -> &'static ActionSpec {
        self.request.spec
    }

    pub fn target(&self) -> &str {
        &self.request.target
    }

    /// Runs the work and records its outcome.
    pub async fn run(self) -> Finished {
        let Approved { request, gate } = self;
        let ActionRequest {
            spec, target, work, ..
        } = request;
        let result = work(Approval { _private: () }).await;
        let (outcome, detail) = match &result {
            Ok(msg) => (Outcome::Succeeded, msg.as_str()),
            Err(err) => (Outcome::Failed, err.as_str()),
        };
        if let Err(e) = gate
            .audit
            .append(&gate.context, spec.id, &target, outcome, Some(detail))
        {
            tracing::error!("audit write failed: {e}");
        }
        Finished {
            action: spec.label,
            target,
            result,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};

    static UPLOAD: ActionSpec = ActionSpec {
        id: "test.upload",
        label: "Upload",
        risk: Risk::Mutating,
    };
    static DELETE: ActionSpec = ActionSpec {
        id: "test.delete",
        label: "Delete",
        risk: Risk::Destructive,
    };

    fn gate(read_only: bool) -> (Arc<Gate>, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let log = AuditLog::new(dir.path().join("audit.jsonl"));
        (Gate::new("test-ctx", read_only, log), dir)
    }

    fn request(spec: &'static ActionSpec, ran: Arc<AtomicBool>) -> ActionRequest {
        ActionRequest::new(spec, "s3://b/k", move |_approval| {
            Box::pin(async move {
                ran.store(true, Ordering::SeqCst);
                Ok("done".to_string())
            })
        })
    }

    #[tokio::test]
    async fn read_only_refuses_and_never_runs_the_work() {
        let (gate, _dir) = gate(true);
        let ran = Arc::new(AtomicBool::new(false));
        match gate.submit(request(&DELETE, ran.clone())) {
            Decision::Refused(msg) => assert!(msg.contains("read-only"), "{msg}"),
            other => panic!("expected refusal, got {other:?}"),
        }
        assert!(!ran.load(Ordering::SeqCst));
        let records = gate.audit_log().read_all().unwrap();
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].outcome, Outcome::Refused);
        assert_eq!(records[0].context, "test-ctx");
        assert_eq!(records[0].action, "test.delete");
    }

    #[tokio::test]
    async fn destructive_needs_confirmation_and_records_outcome() {
        let (gate, _dir) = gate(false);
        let ran = Arc::new(AtomicBool::new(false));
        let Decision::NeedsConfirmation(pending) = gate.submit(request(&DELETE, ran.clone()))
        else {
            panic!("destructive action must ask first")
        };
        assert!(!ran.load(Ordering::SeqCst));
        let finished = gate.confirm(pending).run().await;
        assert_eq!(finished.result, Ok("done".to_string()));
        assert!(ran.load(Ordering::SeqCst));
        let records = gate.audit_log().read_all().unwrap();
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].outcome, Outcome::Succeeded);
        assert_eq!(records[0].target, "s3://b/k");
    }

    #[tokio::test]
    async fn cancelled_confirmation_is_recorded_and_nothing_runs() {
        let (gate, _dir) = gate(false);
        let ran = Arc::new(AtomicBool::new(false));
        let Decision::NeedsConfirmation(pending) = gate.submit(request(&DELETE, ran.clone()))
        else {
            panic!("expected confirmation")
        };
        gate.cancel(pending);
        assert!(!ran.load(Ordering::SeqCst));
        assert_eq!(
            gate.audit_log().read_all().unwrap()[0].outcome,
            Outcome::Cancelled
        );
    }

    #[tokio::test]
    async fn mutating_runs_without_confirmation_and_failures_are_recorded() {
        let (gate, _dir) = gate(false);
        let req = ActionRequest::new(&UPLOAD, "s3://b/k", |_approval| {
            Box::pin(async { Err("local file missing".to_string()) })
        });
        let Decision::Approved(approved) = gate.submit(req) else {
            panic!("mutating action runs directly")
        };
        let finished = approved.run().await;
        assert_eq!(finished.result, Err("local file missing".to_string()));
        let record = &gate.audit_log().read_all().unwrap()[0];
        assert_eq!(record.outcome, Outcome::Failed);
        assert_eq!(record.detail.as_deref(), Some("local file missing"));
    }
}
