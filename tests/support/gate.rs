//! Approvals for tests that call a mutating client method directly (`S3::delete`,
//! `Workdir::apply`…). Each comes from a real gate, as in the console: a request submitted to
//! a `Gate` of a writable context with its audit log in a temp dir, confirmed when it asks,
//! and run; its work hands the approval it received back to the test. There is no other way
//! to get one (see `platform_tui::gate::Approval`).

use platform_tui::gate::{ActionRequest, ActionSpec, Approval, AuditLog, Decision, Gate, Outcome};

/// An approval of `spec` (an entry of `platform_tui::gate::catalog`), recorded by the gate.
pub async fn approval(spec: &'static ActionSpec) -> Approval {
    let dir = tempfile::tempdir().expect("a temp dir for the audit log");
    let log = AuditLog::new(dir.path().join("audit.jsonl"));
    let gate = Gate::new("integration-test", false, log);
    let (give, take) = tokio::sync::oneshot::channel();
    let request = ActionRequest::new(spec, "a client call of an integration test", |approval| {
        Box::pin(async move {
            match give.send(approval) {
                Ok(()) => Ok("approval handed to the test".to_string()),
                Err(_) => Err("nobody waits for the approval".into()),
            }
        })
    });
    let approved = match gate.submit(request) {
        Decision::Approved(approved) => approved,
        Decision::NeedsConfirmation(pending) => gate.confirm(pending),
        Decision::Refused(why) => panic!("the gate refused {}: {why}", spec.id),
    };
    let finished = approved.run().await;
    assert!(
        finished.result.is_ok(),
        "{}: {:?}",
        spec.id,
        finished.result
    );
    let records = gate.audit_log().read_all().expect("the audit log");
    assert!(
        records
            .iter()
            .any(|r| r.action == spec.id && r.outcome == Outcome::Succeeded),
        "{records:?}"
    );
    take.await
        .expect("the approved work hands over its approval")
}
