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
use crate::views::table::{Column, PageSink, Resource, TableView};

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

impl Resource for Tables {
    type Item = Table;

    fn title(&self) -> String {
        format!("tables {}", self.database)
    }

    fn columns(&self) -> Vec<Column<Self>> {
        vec![
            Column::new("NAME", Constraint::Min(24), |_, t: &Table| t.name.clone()),
            Column::new("CLASS", Constraint::Length(10), |_, t: &Table| {
                t.classification.clone().unwrap_or_default()
            }),
            Column::new("COLUMNS", Constraint::Length(7), |_, t: &Table| {
                t.columns.len().to_string()
            })
            .by_number(|_, t: &Table| t.columns.len() as f64),
            Column::new("PARTITION KEYS", Constraint::Length(20), |_, t: &Table| {
                t.partition_keys
                    .iter()
                    .map(|k| k.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            }),
            Column::new("LOCATION", Constraint::Min(30), |_, t: &Table| {
                t.location.clone().unwrap_or_default()
            }),
            Column::new("UPDATED", Constraint::Length(19), |_, t: &Table| {
                when(t.updated.or(t.created))
            })
            .by_number(|_, t: &Table| epoch(t.updated.or(t.created))),
        ]
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
        sink.all(
            clients,
            move |c| async move { c.glue.tables(&database).await },
        )
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
