//! `:gluetables DATABASE` (`:gt`): the tables of a Glue database with classification, schema
//! size, partition keys and location. Enter lists partitions, `d` shows the table's schema.

use std::sync::Arc;

use futures::future::BoxFuture;
use ratatui::layout::Constraint;

use super::format::{epoch, when};
use super::partitions as glue_partitions;
use super::table_detail;
use crate::app::keys::Cmd;
use crate::app::view::{boxed, BoxView, Ctx, Env, KeyHelp, Outcome};
use crate::aws::glue::Table;
use crate::clients::Clients;
use crate::kinds::{Kind, Opened};
use crate::views::table::{Column, PageSink, Resource, SortValue, TableView};

pub const KIND: Kind = Kind {
    name: "gluetables",
    aliases: &["gt", "gluetable"],
    about: "tables of a Glue database",
    argument: Some("database"),
    open,
};

fn open(argument: Option<&str>, _: &Env) -> Result<Opened, String> {
    let database = argument.ok_or("which database? e.g. :gluetables nyc_taxi (:gdb lists them)")?;
    Ok(Opened::View(view(database)))
}

pub fn view(database: &str) -> BoxView {
    boxed(TableView::new(Tables::new(database)))
}

pub struct Tables {
    database: String,
}

impl Tables {
    pub fn new(database: &str) -> Self {
        Self {
            database: database.to_string(),
        }
    }
}

static COLUMNS: &[Column] = &[
    Column::new("NAME", Constraint::Min(24)),
    Column::new("CLASS", Constraint::Length(10)),
    Column::new("COLUMNS", Constraint::Length(7)),
    Column::new("PARTITION KEYS", Constraint::Length(20)),
    Column::new("LOCATION", Constraint::Min(30)),
    Column::new("UPDATED", Constraint::Length(19)),
];

impl Resource for Tables {
    type Item = Table;

    fn title(&self) -> String {
        format!("tables {}", self.database)
    }

    fn columns(&self) -> &'static [Column] {
        COLUMNS
    }

    fn cell(&self, t: &Table, column: usize) -> String {
        match column {
            0 => t.name.clone(),
            1 => t.classification.clone().unwrap_or_default(),
            2 => t.columns.len().to_string(),
            3 => t
                .partition_keys
                .iter()
                .map(|k| k.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            4 => t.location.clone().unwrap_or_default(),
            _ => when(t.updated.or(t.created)),
        }
    }

    fn sort_value(&self, t: &Table, column: usize) -> SortValue {
        match column {
            2 => SortValue::Number(t.columns.len() as f64),
            5 => SortValue::Number(epoch(t.updated.or(t.created))),
            c => SortValue::Text(self.cell(t, c)),
        }
    }

    fn identity(&self, t: &Table) -> String {
        t.name.clone()
    }

    fn fetch(
        &self,
        clients: Option<Arc<Clients>>,
        sink: PageSink<Table>,
    ) -> BoxFuture<'static, ()> {
        let database = self.database.clone();
        Box::pin(async move {
            let Some(clients) = clients else { return };
            match clients.glue.tables(&database).await {
                Ok(tables) => {
                    sink.page(tables);
                    sink.done();
                }
                Err(e) => sink.fail(e.to_string()),
            }
        })
    }

    fn on_cmd(&mut self, cmd: Cmd, selected: Option<&Table>, _cx: &mut Ctx) -> Outcome {
        match (cmd, selected) {
            (Cmd::Enter, Some(t)) => Outcome::Push(glue_partitions::view(
                &t.database,
                &t.name,
                t.partition_keys.iter().map(|k| k.name.clone()).collect(),
            )),
            (Cmd::Detail, Some(t)) => Outcome::Push(table_detail::view(&t.database, &t.name)),
            _ => Outcome::Ignored,
        }
    }

    fn keys(&self) -> Vec<KeyHelp> {
        vec![
            KeyHelp::new(Cmd::Enter, "list the table's partitions"),
            KeyHelp::new(Cmd::Detail, "schema, partition keys, location"),
        ]
    }
}
