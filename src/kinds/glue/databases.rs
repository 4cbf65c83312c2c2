//! `:gluedatabases` (`:gdb`): the Glue Data Catalog's databases; enter lists a database's tables.

use std::sync::Arc;

use futures::future::BoxFuture;
use ratatui::layout::Constraint;

use super::format::{epoch, when};
use super::tables as glue_tables;
use crate::app::keys::Cmd;
use crate::app::view::{boxed, BoxView, Ctx, Env, KeyHelp, Outcome};
use crate::aws::glue::Database;
use crate::clients::Clients;
use crate::kinds::{Kind, Opened};
use crate::views::table::{Column, PageSink, Resource, TableView};

pub const KIND: Kind = Kind {
    name: "gluedatabases",
    aliases: &["gdb", "gluedb", "catalog"],
    about: "Glue Data Catalog databases",
    argument: None,
    open,
};

fn open(_: Option<&str>, _: &Env) -> Result<Opened, String> {
    Ok(Opened::View(view()))
}

pub fn view() -> BoxView {
    boxed(TableView::new(Databases))
}

pub struct Databases;

impl Resource for Databases {
    type Item = Database;

    fn title(&self) -> String {
        "glue databases".into()
    }

    fn columns(&self) -> Vec<Column<Self>> {
        vec![
            Column::new("NAME", Constraint::Min(20), |_, d: &Database| {
                d.name.clone()
            }),
            Column::new("LOCATION", Constraint::Min(30), |_, d: &Database| {
                d.location.clone().unwrap_or_default()
            }),
            Column::new("CREATED", Constraint::Length(19), |_, d: &Database| {
                when(d.created)
            })
            .by_number(|_, d: &Database| epoch(d.created)),
            Column::new("DESCRIPTION", Constraint::Min(20), |_, d: &Database| {
                d.description.clone().unwrap_or_default()
            }),
        ]
    }

    fn identity(&self, d: &Database) -> String {
        d.name.clone()
    }

    fn fetch(
        &self,
        clients: Option<Arc<Clients>>,
        sink: PageSink<Database>,
    ) -> BoxFuture<'static, ()> {
        sink.all(clients, |c| async move { c.glue.databases().await })
    }

    fn on_cmd(&mut self, cmd: Cmd, selected: Option<&Database>, _cx: &mut Ctx) -> Outcome {
        match (cmd, selected) {
            (Cmd::Enter, Some(d)) => Outcome::Push(glue_tables::view(&d.name)),
            _ => Outcome::Ignored,
        }
    }

    fn keys(&self) -> Vec<KeyHelp> {
        vec![KeyHelp::new(Cmd::Enter, "list the database's tables")]
    }
}
