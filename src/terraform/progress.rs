//! The live state of a plan or apply, folded from its `-json` events: one row per resource
//! instance in order of first appearance (action, status, Terraform's elapsed seconds, id,
//! provisioner output, its errors), plus drift, diagnostics, summary, outputs and log lines.
//! A view renders a [`Progress`]; the task reading [`RunEvent`]s keeps it up to date.

use std::collections::HashMap;

use super::runner::RunEvent;
use super::stream::{
    ChangeAction, ChangeSummary, Diagnostic, Event, OutputInfo, ResourceChangeEvent, Version,
};

/// Provisioner output lines kept per resource (the most recent ones).
pub const OUTPUT_LINES_KEPT: usize = 200;

/// Where a resource instance is in the operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Refreshing,
    Refreshed,
    /// In the plan, not started.
    Planned,
    Running,
    Done,
    Errored,
}

/// One resource instance of the operation.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceProgress {
    pub address: String,
    /// Module address, "" for the root module.
    pub module: String,
    /// The planned or applied action, once known.
    pub action: Option<ChangeAction>,
    pub status: Status,
    /// Seconds spent so far, as Terraform counts them (progress, complete, errored).
    pub elapsed_seconds: Option<u64>,
    /// e.g. ("id", "i-0abc") once created or refreshed.
    pub id: Option<(String, String)>,
    /// Output of its provisioners, the last [`OUTPUT_LINES_KEPT`] lines.
    pub provisioner_output: Vec<String>,
    /// Indices into [`Progress::diagnostics`] of the diagnostics about this resource.
    pub diagnostics: Vec<usize>,
}

/// Everything the events of one operation say so far.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Progress {
    pub version: Option<Version>,
    pub resources: Vec<ResourceProgress>,
    /// Changes made outside Terraform (`resource_drift`).
    pub drift: Vec<ResourceChangeEvent>,
    pub diagnostics: Vec<Diagnostic>,
    pub summary: Option<ChangeSummary>,
    pub outputs: Vec<OutputInfo>,
    /// `log` and `init_output` messages, and text lines (standard error, old `init`).
    pub log: Vec<String>,
    /// Lines that were not well-formed messages.
    pub unparsed: usize,
    index: HashMap<String, usize>,
}

impl Progress {
    /// Folds one event of the runner.
    pub fn apply_run_event(&mut self, event: &RunEvent) {
        match event {
            RunEvent::Ui(event) => self.apply(event),
            RunEvent::Stdout(line) | RunEvent::Stderr(line) => self.log.push(line.clone()),
            RunEvent::Finished(_) => {}
        }
    }

    /// Folds one message of the `-json` stream.
    pub fn apply(&mut self, event: &Event) {
        match event {
            Event::Version(v) => self.version = Some(v.clone()),
            Event::PlannedChange(c) => {
                let row = self.row(&c.resource.addr, &c.resource.module);
                row.action = Some(c.action.clone());
                row.status = Status::Planned;
            }
            Event::ResourceDrift(c) => self.drift.push(c.clone()),
            Event::ChangeSummary(s) => self.summary = Some(*s),
            Event::Outputs(o) => self.outputs = o.clone(),
            Event::ApplyStart(h) | Event::ApplyProgress(h) => {
                let row = self.row(&h.resource.addr, &h.resource.module);
                row.status = Status::Running;
                row.action = Some(h.action.clone());
                row.elapsed_seconds = h.elapsed_seconds.or(row.elapsed_seconds);
            }
            Event::ApplyComplete(h) | Event::ApplyErrored(h) => {
                let done = matches!(event, Event::ApplyComplete(_));
                let row = self.row(&h.resource.addr, &h.resource.module);
                row.status = if done { Status::Done } else { Status::Errored };
                row.elapsed_seconds = h.elapsed_seconds.or(row.elapsed_seconds);
                if let (Some(key), Some(value)) = (&h.id_key, &h.id_value) {
                    row.id = Some((key.clone(), value.clone()));
                }
            }
            Event::ProvisionProgress(h) => {
                if let Some(line) = &h.output {
                    let row = self.row(&h.resource.addr, &h.resource.module);
                    if row.provisioner_output.len() == OUTPUT_LINES_KEPT {
                        row.provisioner_output.remove(0);
                    }
                    row.provisioner_output.push(line.clone());
                }
            }
            Event::ProvisionStart(_) | Event::ProvisionComplete(_) | Event::ProvisionErrored(_) => {
            }
            Event::RefreshStart(h) | Event::RefreshComplete(h) => {
                let done = matches!(event, Event::RefreshComplete(_));
                let row = self.row(&h.resource.addr, &h.resource.module);
                if matches!(row.status, Status::Refreshing | Status::Refreshed) {
                    row.status = if done {
                        Status::Refreshed
                    } else {
                        Status::Refreshing
                    };
                }
                if let (Some(key), Some(value)) = (&h.id_key, &h.id_value) {
                    row.id = Some((key.clone(), value.clone()));
                }
            }
            Event::Diagnostic(d) => {
                let n = self.diagnostics.len();
                self.diagnostics.push(d.clone());
                if let Some(address) = &d.address {
                    let module = module_of(address);
                    self.row(address, &module).diagnostics.push(n);
                }
            }
            Event::Log(m) | Event::InitOutput(m) => self.log.push(m.text.clone()),
            Event::Unparsed(_) => self.unparsed += 1,
            Event::Ignored(_) => {}
        }
    }

    /// The row of `address`, created (as refreshing) on first sight.
    fn row(&mut self, address: &str, module: &str) -> &mut ResourceProgress {
        let next = self.resources.len();
        let i = *self.index.entry(address.to_string()).or_insert(next);
        if i == next {
            self.resources.push(ResourceProgress {
                address: address.to_string(),
                module: module.to_string(),
                action: None,
                status: Status::Refreshing,
                elapsed_seconds: None,
                id: None,
                provisioner_output: Vec::new(),
                diagnostics: Vec::new(),
            });
        }
        &mut self.resources[i]
    }

    /// The row of `address`, if seen.
    pub fn resource(&self, address: &str) -> Option<&ResourceProgress> {
        self.index.get(address).map(|&i| &self.resources[i])
    }

    /// Rows with the given status.
    pub fn count(&self, status: Status) -> usize {
        self.resources.iter().filter(|r| r.status == status).count()
    }
}

/// Module part of a resource instance address (`module.a.module.b.x.y[0]` → `module.a.module.b`).
fn module_of(address: &str) -> String {
    let mut module = Vec::new();
    let mut parts = address.split('.');
    while let Some(part) = parts.next() {
        if part != "module" {
            break;
        }
        match parts.next() {
            Some(name) => module.push(format!("module.{name}")),
            None => break,
        }
    }
    module.join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_of_addresses() {
        assert_eq!(module_of("aws_s3_bucket.raw"), "");
        assert_eq!(module_of("module.a.module.b.x.y[0]"), "module.a.module.b");
    }
}
