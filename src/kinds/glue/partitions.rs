//! `:gluepartitions DATABASE.TABLE` (`:gp`): the partitions of a Glue table with their location.

use std::sync::Arc;

use futures::future::BoxFuture;
use ratatui::layout::Constraint;

use super::format::{epoch, when};
use crate::app::view::{boxed, BoxView, Env};
use crate::aws::glue::Partition;
use crate::clients::Clients;
use crate::kinds::{Kind, Opened};
use crate::views::table::{Column, PageSink, Resource, TableView};

pub const KIND: Kind = Kind {
    name: "gluepartitions",
    aliases: &["gp", "gluepartition"],
    about: "partitions of a Glue table",
    argument: Some("database.table"),
    open,
};

fn open(argument: Option<&str>, _: &Env) -> Result<Opened, String> {
    let (database, table) = argument
        .and_then(|a| a.split_once('.'))
        .filter(|(d, t)| !d.is_empty() && !t.is_empty())
        .ok_or("which table? e.g. :gluepartitions nyc_taxi.green_trips")?;
    Ok(Opened::View(view(database, table, Vec::new())))
}

/// `keys` name the values (`year=2024/month=01`); without them the values stand alone.
pub fn view(database: &str, table: &str, keys: Vec<String>) -> BoxView {
    boxed(TableView::new(Partitions::new(database, table, keys)))
}

pub struct Partitions {
    database: String,
    table: String,
    keys: Vec<String>,
}

impl Partitions {
    pub fn new(database: &str, table: &str, keys: Vec<String>) -> Self {
        Self {
            database: database.to_string(),
            table: table.to_string(),
            keys,
        }
    }

    fn values(&self, p: &Partition) -> String {
        p.values
            .iter()
            .enumerate()
            .map(|(i, v)| match self.keys.get(i) {
                Some(key) => format!("{key}={v}"),
                None => v.clone(),
            })
            .collect::<Vec<_>>()
            .join("/")
    }
}

impl Resource for Partitions {
    type Item = Partition;

    fn title(&self) -> String {
        format!("partitions {}", self.table)
    }

    fn columns(&self) -> Vec<Column<Self>> {
        vec![
            Column::new(
                "VALUES",
                Constraint::Min(24),
                |this: &Self, p: &Partition| this.values(p),
            ),
            Column::new("LOCATION", Constraint::Min(30), |_, p: &Partition| {
                p.location.clone().unwrap_or_default()
            }),
            Column::new("CREATED", Constraint::Length(19), |_, p: &Partition| {
                when(p.created)
            })
            .by_number(|_, p: &Partition| epoch(p.created)),
        ]
    }

    fn identity(&self, p: &Partition) -> String {
        p.values.join("\u{1f}")
    }

    fn fetch(
        &self,
        clients: Option<Arc<Clients>>,
        sink: PageSink<Partition>,
    ) -> BoxFuture<'static, ()> {
        let (database, table) = (self.database.clone(), self.table.clone());
        sink.all(clients, move |c| async move {
            c.glue.partitions(&database, &table).await
        })
    }
}
