//! The provisioning kinds: `:terraform` (home), `:drift`, `:tfstate` and `:workspaces`, all
//! one [`ProvisioningView`] of the context's Terraform on a different pane.

use super::{Pane, ProvisioningView};
use crate::app::view::{boxed, Env};
use crate::kinds::{Kind, Opened};
use crate::terraform::Target;

fn view(env: &Env, pane: Pane) -> ProvisioningView {
    let context = &env.context;
    ProvisioningView::new(Target::of(context), &context.name, context.read_only, pane)
}

fn open_home(_: Option<&str>, env: &Env) -> Result<Opened, String> {
    Ok(Opened::View(boxed(view(env, Pane::Home))))
}

fn open_drift(_: Option<&str>, env: &Env) -> Result<Opened, String> {
    Ok(Opened::View(boxed(view(env, Pane::Plan).drift())))
}

fn open_state(_: Option<&str>, env: &Env) -> Result<Opened, String> {
    Ok(Opened::View(boxed(view(env, Pane::State))))
}

fn open_workspaces(_: Option<&str>, env: &Env) -> Result<Opened, String> {
    Ok(Opened::View(boxed(view(env, Pane::Workspaces))))
}

pub const HOME: Kind = Kind {
    name: "terraform",
    aliases: &["tf", "provisioning"],
    about: "provisioning: init, plan, review, apply (Terraform)",
    argument: None,
    open: open_home,
};

pub const DRIFT: Kind = Kind {
    name: "drift",
    aliases: &["tfdrift"],
    about: "what changed outside Terraform (refresh-only plan)",
    argument: None,
    open: open_drift,
};

pub const STATE: Kind = Kind {
    name: "tfstate",
    aliases: &["state"],
    about: "Terraform state: resources and outputs",
    argument: None,
    open: open_state,
};

pub const WORKSPACES: Kind = Kind {
    name: "workspaces",
    aliases: &["ws", "tfworkspaces"],
    about: "Terraform workspaces (enter selects)",
    argument: None,
    open: open_workspaces,
};
