//! The detail of a Glue table: location, classification, columns with types, partition keys.

use crate::app::view::{boxed, BoxView, Ctx};
use crate::aws::glue::{Column, Table};
use crate::views::document::{DocLine, DocumentView};

use super::format::when;

/// Loads the table (again on every refresh) and shows its schema.
pub fn view(database: &str, name: &str) -> BoxView {
    let (database, name) = (database.to_string(), name.to_string());
    boxed(DocumentView::new(
        format!("table {name}"),
        Box::new(move |cx: &Ctx| {
            let clients = cx.clients();
            let (database, name) = (database.clone(), name.clone());
            Box::pin(async move {
                let clients = clients.ok_or("not connected yet")?;
                let table = clients.glue.table(&database, &name).await?;
                Ok(lines(&table))
            })
        }),
    ))
}

pub fn lines(t: &Table) -> Vec<DocLine> {
    let field = |k: &str, v: String| DocLine::Field(k.to_string(), v);
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    let mut out = vec![
        DocLine::Section("Table".into()),
        field("Name", format!("{}.{}", t.database, t.name)),
        field("Location", opt(&t.location)),
        field("Classification", opt(&t.classification)),
        field("Type", opt(&t.table_type)),
        field("Created", when(t.created)),
        field("Updated", when(t.updated)),
    ];
    out.extend(columns("Columns", &t.columns));
    out.extend(columns("Partition keys", &t.partition_keys));
    out
}

fn columns(title: &str, columns: &[Column]) -> Vec<DocLine> {
    let mut out = vec![DocLine::Section(format!("{title} ({})", columns.len()))];
    if columns.is_empty() {
        out.push(DocLine::Text("  (none)".into()));
    }
    out.extend(columns.iter().map(|c| {
        let value = match &c.comment {
            Some(comment) => format!("{}  — {comment}", c.data_type),
            None => c.data_type.clone(),
        };
        DocLine::Field(c.name.clone(), value)
    }));
    out
}
