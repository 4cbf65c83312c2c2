//! `:contexts` (`:ctx`): the named contexts of config.toml; enter switches. `:ctx NAME` switches
//! directly.

use std::sync::Arc;

use futures::future::BoxFuture;
use ratatui::layout::Constraint;
use ratatui::style::Style;

use crate::app::keys::Cmd;
use crate::app::view::{boxed, AppCommand, Ctx, Env, KeyHelp, Outcome};
use crate::clients::Clients;
use crate::config::Context;
use crate::kinds::{Kind, Opened};
use crate::theme::Theme;
use crate::views::table::{Column, PageSink, Resource, TableView};

pub const KIND: Kind = Kind {
    name: "contexts",
    aliases: &["ctx", "context"],
    about: "contexts of config.toml and AWS profiles (aws:NAME); :ctx NAME switches",
    argument: Some("name"),
    open,
};

fn open(argument: Option<&str>, env: &Env) -> Result<Opened, String> {
    match argument {
        Some(name) if env.contexts.iter().any(|c| c.name == name) => {
            Ok(Opened::App(AppCommand::SwitchContext(name.to_string())))
        }
        Some(name) => Err(format!(
            "no context '{name}' (known: {})",
            env.contexts
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
        None => Ok(Opened::View(boxed(TableView::new(Contexts {
            contexts: env.contexts.clone(),
            current: env.context.name.clone(),
        })))),
    }
}

pub struct Contexts {
    contexts: Vec<Context>,
    current: String,
}

impl Contexts {
    pub fn new(contexts: Vec<Context>, current: &str) -> Self {
        Self {
            contexts,
            current: current.to_string(),
        }
    }
}

fn or_default(value: &Option<String>) -> String {
    value.clone().unwrap_or_else(|| "(default)".into())
}

impl Resource for Contexts {
    type Item = Context;

    fn title(&self) -> String {
        "contexts".into()
    }

    fn columns(&self) -> Vec<Column<Self>> {
        vec![
            Column::new(
                "NAME",
                Constraint::Min(12),
                |this: &Self, c: &Context| match c.name == this.current {
                    true => format!("{} *", c.name),
                    false => c.name.clone(),
                },
            ),
            Column::new("PROFILE", Constraint::Min(10), |_, c: &Context| {
                or_default(&c.profile)
            }),
            Column::new("REGION", Constraint::Length(14), |_, c: &Context| {
                or_default(&c.region)
            }),
            Column::new("ENDPOINT", Constraint::Min(20), |_, c: &Context| {
                or_default(&c.endpoint_url)
            }),
            Column::new("MODE", Constraint::Length(10), |_, c: &Context| {
                match c.read_only {
                    true => "read-only".into(),
                    false => "read-write".into(),
                }
            }),
        ]
    }

    fn identity(&self, c: &Context) -> String {
        c.name.clone()
    }

    fn needs_clients(&self) -> bool {
        false
    }

    fn fetch(&self, _: Option<Arc<Clients>>, sink: PageSink<Context>) -> BoxFuture<'static, ()> {
        let contexts = self.contexts.clone();
        Box::pin(async move {
            sink.page(contexts);
            sink.done();
        })
    }

    fn on_cmd(&mut self, cmd: Cmd, selected: Option<&Context>, _cx: &mut Ctx) -> Outcome {
        match (cmd, selected) {
            (Cmd::Enter, Some(c)) => Outcome::App(AppCommand::SwitchContext(c.name.clone())),
            _ => Outcome::Ignored,
        }
    }

    fn keys(&self) -> Vec<KeyHelp> {
        vec![KeyHelp::new(Cmd::Enter, "switch to this context")]
    }

    fn row_style(&self, c: &Context, theme: &Theme) -> Option<Style> {
        (c.name == self.current).then_some(theme.highlight)
    }

    fn auto_refresh(&self) -> bool {
        false
    }
}
