//! The action gate: the one path every mutating action takes.
//!
//! A view describes what it wants to do as an [`ActionRequest`] (what, on which target, and the
//! work itself as a closure that needs an [`Approval`]). Only the gate can make an `Approval`, so
//! the work cannot run without passing here. The gate refuses in read-only contexts (enforced
//! here, whatever the UI shows), asks for confirmation of destructive actions, and appends an
//! audit record for every outcome. It fails closed: an "attempted" record is on disk before
//! the work starts, and an action whose record cannot be written is refused and never runs.

mod approval;
pub mod audit;
pub mod catalog;
pub mod sql;

use std::fmt;
use std::sync::Arc;

use futures::future::BoxFuture;

use crate::errors::UiError;

pub use approval::Approval;
pub use audit::{AuditLog, AuditRecord, Outcome};

/// How much care an action needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Risk {
    /// Changes something but is easily undone (upload, start a run): no confirmation.
    Mutating,
    /// Deletes, stops, terminates, or costs money: confirmation first.
    Destructive,
}

/// A kind of action, declared once in the [`catalog`] (the only place that can make one).
// A private field, not `#[non_exhaustive]`: that one would still let the rest of this crate
// make specs outside the catalog.
#[allow(clippy::manual_non_exhaustive)]
#[derive(Debug)]
pub struct ActionSpec {
    /// Stable id used in the audit log, e.g. `s3.delete`.
    pub id: &'static str,
    /// Verb shown to people, e.g. `Delete object`.
    pub label: &'static str,
    pub risk: Risk,
    _in_catalog: (),
}

/// What the action does once approved, with the [`Approval`] its client calls need; returns a
/// short message for the status bar.
pub type Work = Box<dyn FnOnce(Approval) -> BoxFuture<'static, Result<String, UiError>> + Send>;

pub struct ActionRequest {
    pub spec: &'static ActionSpec,
    /// What the action applies to, as people name it (`s3://bucket/key`).
    pub target: String,
    /// Extra lines for the confirmation dialog (sizes, consequences).
    pub details: Vec<String>,
    /// A word the user must type exactly to approve (e.g. the workspace an apply destroys
    /// in); `y` alone is not enough then.
    pub typed_confirmation: Option<String>,
    /// What the audit records besides action and target (e.g. a SQL statement, secrets
    /// masked): the detail of the "attempted" record and of a refusal or cancellation.
    pub audit_detail: Option<String>,
    pub work: Work,
}

impl ActionRequest {
    pub fn new(
        spec: &'static ActionSpec,
        target: impl Into<String>,
        work: impl FnOnce(Approval) -> BoxFuture<'static, Result<String, UiError>> + Send + 'static,
    ) -> Self {
        Self {
            spec,
            target: target.into(),
            details: Vec::new(),
            typed_confirmation: None,
            audit_detail: None,
            work: Box::new(work),
        }
    }

    pub fn with_detail(mut self, line: impl Into<String>) -> Self {
        self.details.push(line.into());
        self
    }

    /// Records `detail` with the action in the audit trail (mask secrets first).
    pub fn with_audit_detail(mut self, detail: impl Into<String>) -> Self {
        self.audit_detail = Some(detail.into());
        self
    }

    /// Approval needs `word` typed exactly in the confirmation dialog (whatever the risk:
    /// such a request always asks).
    pub fn with_typed_confirmation(mut self, word: impl Into<String>) -> Self {
        self.typed_confirmation = Some(word.into());
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
    /// What the user typed so far (only read for a typed confirmation).
    typed: String,
}

impl PendingConfirmation {
    fn new(request: ActionRequest) -> Self {
        Self {
            request,
            typed: String::new(),
        }
    }

    /// The word to type, if approval needs one.
    pub fn required_word(&self) -> Option<&str> {
        self.request.typed_confirmation.as_deref()
    }

    pub fn typed(&self) -> &str {
        &self.typed
    }

    pub fn type_char(&mut self, c: char) {
        if !c.is_control() {
            self.typed.push(c);
        }
    }

    pub fn backspace(&mut self) {
        self.typed.pop();
    }

    /// Why approving now would be refused: a required word not typed exactly.
    fn mismatch(&self) -> Option<String> {
        let word = self.required_word()?;
        (self.typed != word).then(|| {
            format!(
                "{} refused: typed '{}', not '{word}'",
                self.request.spec.label, self.typed
            )
        })
    }
}

/// An approved action, ready to run (on the runtime, never in the render loop).
pub struct Approved {
    request: ActionRequest,
    gate: Arc<Gate>,
    /// Set when [`Gate::confirm`] was asked to approve without the required typed word:
    /// running it then refuses (recorded) and the work never runs.
    refusal: Option<String>,
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
            let note = self.record(&request, Outcome::Refused, Some("read-only context"));
            return Decision::Refused(message + &note);
        }
        match (request.spec.risk, &request.typed_confirmation) {
            (Risk::Destructive, _) | (_, Some(_)) => {
                Decision::NeedsConfirmation(PendingConfirmation::new(request))
            }
            (Risk::Mutating, None) => Decision::Approved(self.approve(request)),
        }
    }

    /// The user said yes in the confirmation dialog. A request that needs a typed word is
    /// approved only if exactly that word was typed ([`PendingConfirmation::type_char`]);
    /// otherwise the result refuses when run, and the refusal is recorded. Prefer
    /// [`Gate::confirm_typed`], which says so at once.
    pub fn confirm(self: &Arc<Self>, pending: PendingConfirmation) -> Approved {
        let refusal = pending.mismatch();
        Approved {
            refusal,
            ..self.approve(pending.request)
        }
    }

    /// The user pressed enter in the dialog: approved if the required word (if any) was
    /// typed exactly, else refused (recorded) with a message saying what was expected.
    pub fn confirm_typed(
        self: &Arc<Self>,
        pending: PendingConfirmation,
    ) -> Result<Approved, String> {
        match pending.mismatch() {
            Some(message) => {
                let note = self.record(
                    &pending.request,
                    Outcome::Refused,
                    Some("typed confirmation did not match"),
                );
                Err(message + &note)
            }
            None => Ok(self.approve(pending.request)),
        }
    }

    /// The user said no: nothing runs, and the refusal is on record.
    pub fn cancel(&self, pending: PendingConfirmation) -> String {
        let note = self.record(&pending.request, Outcome::Cancelled, None);
        format!("{} cancelled{note}", pending.request.spec.label)
    }

    fn approve(self: &Arc<Self>, request: ActionRequest) -> Approved {
        Approved {
            request,
            gate: Arc::clone(self),
            refusal: None,
        }
    }

    /// Records an outcome where no work runs (refused, cancelled). A failure to write it is
    /// logged and returned as a note for the user's message (nothing is left to refuse).
    fn record(&self, request: &ActionRequest, outcome: Outcome, reason: Option<&str>) -> String {
        let detail = match (reason, &request.audit_detail) {
            (Some(reason), Some(detail)) => Some(format!("{reason}: {detail}")),
            (reason, detail) => reason.map(str::to_string).or_else(|| detail.clone()),
        };
        match self.append(request.spec.id, &request.target, outcome, detail.as_deref()) {
            Ok(()) => String::new(),
            Err(note) => format!(" ({note})"),
        }
    }

    fn append(
        &self,
        action: &str,
        target: &str,
        outcome: Outcome,
        detail: Option<&str>,
    ) -> Result<(), String> {
        self.audit
            .append(&self.context, action, target, outcome, detail)
            .map(drop)
            .map_err(|e| {
                tracing::error!("{e}");
                e.to_string()
            })
    }
}

impl Approved {
    pub fn spec(&self) -> &'static ActionSpec {
        self.request.spec
    }

    pub fn target(&self) -> &str {
        &self.request.target
    }

    /// Runs the work between two audit records: "attempted" (synced to disk first; if it
    /// cannot be written the action is refused and the work never runs) and its outcome.
    pub async fn run(self) -> Finished {
        let Approved {
            request,
            gate,
            refusal,
        } = self;
        let ActionRequest {
            spec,
            target,
            audit_detail,
            work,
            ..
        } = request;
        let result = match refusal {
            Some(message) => {
                match gate.append(spec.id, &target, Outcome::Refused, Some(&message)) {
                    Ok(()) => Err(message),
                    Err(why) => Err(format!("{message} ({why})")),
                }
            }
            None => match gate.append(
                spec.id,
                &target,
                Outcome::Attempted,
                audit_detail.as_deref(),
            ) {
                Err(why) => Err(format!("{} refused: {why}", spec.label)),
                Ok(()) => {
                    let result = work(Approval { _private: () })
                        .await
                        .map_err(|e| e.to_string());
                    gate.record_outcome(spec.id, &target, result)
                }
            },
        };
        Finished {
            action: spec.label,
            target,
            result,
        }
    }
}

impl Gate {
    /// The outcome record after the work ran. If it cannot be written the work is done all
    /// the same: the message says so, and that the outcome is missing from the trail.
    fn record_outcome(
        &self,
        action: &str,
        target: &str,
        result: Result<String, String>,
    ) -> Result<String, String> {
        let (outcome, detail) = match &result {
            Ok(msg) => (Outcome::Succeeded, msg),
            Err(msg) => (Outcome::Failed, msg),
        };
        match self.append(action, target, outcome, Some(detail)) {
            Ok(()) => result,
            Err(why) => {
                let note = |msg: String| format!("{msg} (its outcome is not audited: {why})");
                result.map(note).map_err(note)
            }
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
        _in_catalog: (),
    };
    static DELETE: ActionSpec = ActionSpec {
        id: "test.delete",
        label: "Delete",
        risk: Risk::Destructive,
        _in_catalog: (),
    };

    fn gate(read_only: bool) -> (Arc<Gate>, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let log = AuditLog::new(dir.path().join("audit.jsonl"));
        (Gate::new("test-ctx", read_only, log), dir)
    }

    /// The records that end an action (every one but "attempted"), oldest first.
    fn outcomes(gate: &Gate) -> Vec<AuditRecord> {
        let records = gate.audit_log().read_all().unwrap();
        records
            .into_iter()
            .filter(|r| r.outcome != Outcome::Attempted)
            .collect()
    }

    /// The actions whose "attempted" record is on file.
    fn attempts(gate: &Gate) -> Vec<AuditRecord> {
        let records = gate.audit_log().read_all().unwrap();
        records
            .into_iter()
            .filter(|r| r.outcome == Outcome::Attempted)
            .collect()
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
        let records = outcomes(&gate);
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].outcome, Outcome::Succeeded);
        assert_eq!(records[0].target, "s3://b/k");
        let all = gate.audit_log().read_all().unwrap();
        assert_eq!(all[0].outcome, Outcome::Attempted, "{all:?}");
        assert_eq!(all[0].target, "s3://b/k");
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

    fn typed(word: &str, ran: Arc<AtomicBool>) -> ActionRequest {
        request(&UPLOAD, ran).with_typed_confirmation(word)
    }

    fn type_word(pending: &mut PendingConfirmation, text: &str) {
        text.chars().for_each(|c| pending.type_char(c));
    }

    #[tokio::test]
    async fn typed_confirmation_refuses_a_wrong_word_and_records_it() {
        let (gate, _dir) = gate(false);
        let ran = Arc::new(AtomicBool::new(false));
        let Decision::NeedsConfirmation(mut pending) = gate.submit(typed("prod", ran.clone()))
        else {
            panic!("a typed confirmation always asks, even for a mutating action")
        };
        assert_eq!(pending.required_word(), Some("prod"));
        type_word(&mut pending, "prd");
        let message = gate.confirm_typed(pending).unwrap_err();
        assert!(message.contains("'prd', not 'prod'"), "{message}");
        assert!(!ran.load(Ordering::SeqCst));
        let records = gate.audit_log().read_all().unwrap();
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].outcome, Outcome::Refused);
        assert_eq!(records[0].action, "test.upload");
    }

    #[tokio::test]
    async fn typed_confirmation_approves_only_the_exact_word() {
        let (gate, _dir) = gate(false);
        let ran = Arc::new(AtomicBool::new(false));
        let Decision::NeedsConfirmation(mut pending) = gate.submit(typed("prod", ran.clone()))
        else {
            panic!("expected confirmation")
        };
        type_word(&mut pending, "prodx");
        pending.backspace();
        assert_eq!(pending.typed(), "prod");
        let finished = gate.confirm_typed(pending).unwrap().run().await;
        assert_eq!(finished.result, Ok("done".to_string()));
        assert!(ran.load(Ordering::SeqCst));
        let records = outcomes(&gate);
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].outcome, Outcome::Succeeded);
        assert_eq!(attempts(&gate).len(), 1);
    }

    #[tokio::test]
    async fn plain_confirm_of_a_typed_request_without_the_word_never_runs_the_work() {
        let (gate, _dir) = gate(false);
        let ran = Arc::new(AtomicBool::new(false));
        let Decision::NeedsConfirmation(pending) = gate.submit(typed("prod", ran.clone())) else {
            panic!("expected confirmation")
        };
        let finished = gate.confirm(pending).run().await;
        assert!(finished.result.is_err());
        assert!(!ran.load(Ordering::SeqCst));
        assert_eq!(
            gate.audit_log().read_all().unwrap()[0].outcome,
            Outcome::Refused
        );
    }

    #[tokio::test]
    async fn typed_confirmation_in_a_read_only_context_is_refused_before_asking() {
        let (gate, _dir) = gate(true);
        let ran = Arc::new(AtomicBool::new(false));
        assert!(matches!(
            gate.submit(typed("prod", ran.clone())),
            Decision::Refused(_)
        ));
        assert!(!ran.load(Ordering::SeqCst));
    }

    #[tokio::test]
    async fn mutating_runs_without_confirmation_and_failures_are_recorded() {
        let (gate, _dir) = gate(false);
        let req = ActionRequest::new(&UPLOAD, "s3://b/k", |_approval| {
            Box::pin(async { Err("local file missing".into()) })
        });
        let Decision::Approved(approved) = gate.submit(req) else {
            panic!("mutating action runs directly")
        };
        let finished = approved.run().await;
        assert_eq!(finished.result, Err("local file missing".to_string()));
        let record = &outcomes(&gate)[0];
        assert_eq!(record.outcome, Outcome::Failed);
        assert_eq!(record.detail.as_deref(), Some("local file missing"));
    }

    /// Runs a mutating action with the audit file at `audit` and returns what the user is
    /// told and whether the work ran.
    async fn run_with_audit_at(audit: &std::path::Path) -> (Result<String, String>, bool) {
        let gate = Gate::new("test-ctx", false, AuditLog::new(audit));
        let ran = Arc::new(AtomicBool::new(false));
        let Decision::Approved(approved) = gate.submit(request(&UPLOAD, ran.clone())) else {
            panic!("mutating action runs directly")
        };
        let finished = approved.run().await;
        (finished.result, ran.load(Ordering::SeqCst))
    }

    #[tokio::test]
    async fn an_audit_file_that_cannot_be_opened_refuses_the_action() {
        let dir = tempfile::tempdir().unwrap();
        let audit = dir.path().join("audit.jsonl");
        std::fs::create_dir(&audit).unwrap();
        let (result, ran) = run_with_audit_at(&audit).await;
        assert!(!ran, "the work ran without its audit record");
        let message = result.unwrap_err();
        assert!(message.starts_with("Upload refused"), "{message}");
        assert!(message.contains(&audit.display().to_string()), "{message}");
        assert!(message.contains("Is a directory"), "{message}");
    }

    #[tokio::test]
    async fn an_audit_write_that_fails_refuses_the_action() {
        // Opening /dev/full works; every write to it fails with ENOSPC.
        let dir = tempfile::tempdir().unwrap();
        let audit = dir.path().join("audit.jsonl");
        std::os::unix::fs::symlink("/dev/full", &audit).unwrap();
        let (result, ran) = run_with_audit_at(&audit).await;
        assert!(!ran, "the work ran without its audit record");
        let message = result.unwrap_err();
        assert!(message.contains("No space left on device"), "{message}");
        assert!(message.contains(&audit.display().to_string()), "{message}");
    }

    #[tokio::test]
    async fn the_attempt_is_on_disk_before_the_work_starts() {
        let (gate, _dir) = gate(false);
        let log = gate.audit_log().clone();
        let req = ActionRequest::new(&UPLOAD, "s3://b/k", move |_approval| {
            Box::pin(async move {
                let seen = log.read_all().map_err(|e| e.to_string())?;
                match seen.as_slice() {
                    [only] if only.outcome == Outcome::Attempted => Ok("done".into()),
                    other => Err(format!("the work saw {other:?}").into()),
                }
            })
        })
        .with_audit_detail("DELETE FROM trips");
        let Decision::Approved(approved) = gate.submit(req) else {
            panic!("mutating action runs directly")
        };
        assert_eq!(approved.run().await.result, Ok("done".to_string()));
        let attempt = &attempts(&gate)[0];
        assert_eq!(attempt.detail.as_deref(), Some("DELETE FROM trips"));
        assert_eq!(outcomes(&gate)[0].outcome, Outcome::Succeeded);
    }

    #[tokio::test]
    async fn an_outcome_that_cannot_be_recorded_is_said() {
        let dir = tempfile::tempdir().unwrap();
        let audit = dir.path().join("audit.jsonl");
        let gate = Gate::new("test-ctx", false, AuditLog::new(&audit));
        let path = audit.clone();
        // The work itself makes the file unwritable (a directory takes its place).
        let req = ActionRequest::new(&UPLOAD, "s3://b/k", move |_approval| {
            Box::pin(async move {
                std::fs::remove_file(&path).unwrap();
                std::fs::create_dir(&path).unwrap();
                Ok("uploaded".to_string())
            })
        });
        let Decision::Approved(approved) = gate.submit(req) else {
            panic!("mutating action runs directly")
        };
        let message = approved.run().await.result.unwrap();
        assert!(
            message
                .starts_with("uploaded (its outcome is not audited: cannot write the audit trail"),
            "{message}"
        );
    }

    #[test]
    fn the_audit_file_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let (gate, dir) = gate(false);
        gate.cancel(PendingConfirmation::new(request(
            &DELETE,
            Arc::new(AtomicBool::new(false)),
        )));
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir.path().join("audit.jsonl")), 0o600);
    }
}
