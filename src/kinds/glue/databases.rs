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
use crate::views::table::{Column, PageSink, Resource, SortValue, TableView};

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

static COLUMNS: &[Column] = &[
    Column::new("NAME", Constraint::Min(20)),
    Column::new("LOCATION", Constraint::Min(30)),
    Column::new("CREATED", Constraint::Length(19)),
    Column::new("DESCRIPTION", Constraint::Min(20)),
];

impl Resource for Databases {
    type Item = Database;

    fn title(&self) -> String {
        "glue databases".into()
    }

    fn columns(&self) -> &'static [Column] {
        COLUMNS
    }

    fn cell(&self, d: &Database, column: usize) -> String {
        match column {
            0 => d.name.clone(),
            1 => d.location.clone().unwrap_or_default(),
            2 => when(d.created),
            _ => d.description.clone().unwrap_or_default(),
        }
    }

    fn sort_value(&self, d: &Database, column: usize) -> SortValue {
        match column {
            2 => SortValue::Number(epoch(d.created)),
            c => SortValue::Text(self.cell(d, c)),
        }
    }

    fn identity(&self, d: &Database) -> String {
        d.name.clone()
    }

    fn fetch(
        &self,
        clients: Option<Arc<Clients>>,
        sink: PageSink<Database>,
    ) -> BoxFuture<'static, ()> {
        Box::pin(async move {
            let Some(clients) = clients else { return };
            match clients.glue.databases().await {
                Ok(databases) => {
                    sink.page(databases);
                    sink.done();
                }
                Err(e) => sink.fail(e.to_string()),
            }
        })
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
