//! UI-free access to Terraform (or OpenTofu): the runner of a root module directory
//! ([`runner`]), the parser of its `-json` UI stream ([`stream`]) and the model of a saved
//! plan ([`plan`]), all returning plain data for the provisioning views.
//!
//! Typical flow: `Terraform::locate` → `workdir(dir)` → `init()` → `plan()` (events while it
//! runs, a [`PlanFile`] at the end) → `show(&plan_file)` gives the [`Plan`] to review →
//! `apply(&plan_file)` (events per resource, [`ApplyResult`] at the end). A [`Progress`]
//! folds the events of a running plan or apply into rows a view can draw.

mod error;
mod operation;
pub mod plan;
mod program;
pub mod progress;
pub mod runner;
pub mod stream;
pub mod target;

pub use plan::{
    Action, ActionCounts, AttrPath, AttributeRow, ModuleGroup, Plan, ResourceChange, Value,
};
pub use progress::{Progress, ResourceProgress, Status};
pub use runner::{
    ApplyResult, Canceller, Finished, Operation, OutputValue, PlanFile, PlanOptions,
    ProgramVersion, RunEvent, Terraform, TerraformError, Workdir, Workspace,
};
pub use stream::{parse_line, Diagnostic, Event};
pub use target::Target;
