//! The proof that the gate allowed an action ([`Approval`]).

/// Proof that the gate allowed an action.
///
/// Every client method that changes remote state takes an `&Approval`: S3 upload and delete,
/// Glue start/stop of job runs and crawlers, EMR add/cancel step and terminate, Redshift
/// pause/resume and the Data API's execute, Airflow trigger/pause/unpause/clear/mark, Terraform
/// apply and workspace select. Reads and dry runs take none.
///
/// Only the gate makes one: its field is private to `crate::gate`, and it is neither `Clone`,
/// `Copy` nor `Default`. [`super::Approved::run`] hands one, by value, to the work of the
/// request it approved, after the read-only check and the confirmation. Integration tests that
/// call a client directly get theirs the same way: a request submitted to a real
/// [`super::Gate`] (`tests/support/gate.rs`).
///
/// Outside the gate, a mutation without an approval does not compile:
/// ```compile_fail
/// # async fn f(s3: &platform_tui::aws::s3::S3) {
/// s3.delete("lake", "raw/trips.csv").await; // E0061: takes 3 arguments, 2 supplied
/// # }
/// ```
/// nor does an approval made by hand,
/// ```compile_fail
/// let approval = platform_tui::gate::Approval { _private: () }; // E0451: private field
/// ```
/// by default,
/// ```compile_fail
/// let approval = platform_tui::gate::Approval::default(); // E0599: no function `default`
/// ```
/// or copied from the one a work received:
/// ```compile_fail
/// fn twice(approval: &platform_tui::gate::Approval) -> platform_tui::gate::Approval {
///     approval.clone() // E0308: clones the reference, not the approval
/// }
/// ```
/// The same calls compile with the approval the gate hands to the work, which shows that the
/// examples above fail for the reason they name:
/// ```no_run
/// # use std::sync::Arc;
/// # use platform_tui::aws::s3::S3;
/// # use platform_tui::gate::{catalog, ActionRequest, Approval};
/// fn delete(s3: Arc<S3>) -> ActionRequest {
///     ActionRequest::new(&catalog::S3_DELETE, "s3://lake/raw/trips.csv", move |approval| {
///         Box::pin(async move {
///             s3.delete(&approval, "lake", "raw/trips.csv").await?;
///             Ok("deleted".to_string())
///         })
///     })
/// }
/// fn keep(approval: Approval) -> Approval {
///     approval
/// }
/// ```
#[derive(Debug)]
pub struct Approval {
    pub(super) _private: (),
}
