//! `:importerrors [env]` (`:ie`): DAG files that failed to import, with the time and the
//! error (the trace's last line, where Python names the exception). `enter`/`d` shows the whole
//! trace.

use std::sync::Arc;

use futures::future::BoxFuture;
use ratatui::layout::Constraint;

use super::format::{env_suffix, epoch, list_from, when};
use crate::airflow::ImportError;
use crate::app::keys::Cmd;
use crate::app::view::{boxed, BoxView, Ctx, Env, KeyHelp, Outcome};
use crate::clients::Clients;
use crate::kinds::{Kind, Opened};
use crate::views::document::{DocLine, DocumentView};
use crate::views::table::{Column, PageSink, Resource, TableView};

pub const KIND: Kind = Kind {
    name: "importerrors",
    aliases: &["ie", "import-errors"],
    about: "DAG files that failed to import",
    argument: Some("environment"),
    open,
};

fn open(argument: Option<&str>, _: &Env) -> Result<Opened, String> {
    Ok(Opened::View(view(argument.map(str::to_owned))))
}

pub fn view(env: Option<String>) -> BoxView {
    boxed(TableView::new(ImportErrors { env }))
}

pub struct ImportErrors {
    pub env: Option<String>,
}

/// The line that says what went wrong: Python puts the exception last, after the frames.
pub fn summary(trace: &str) -> String {
    trace
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .unwrap_or_default()
        .to_owned()
}

/// The whole trace as a document.
pub fn detail(e: &ImportError) -> DocumentView {
    let mut lines = vec![
        DocLine::Section("Import error".into()),
        DocLine::Field("File".into(), e.filename.clone()),
        DocLine::Field("Time".into(), when(e.timestamp)),
        DocLine::Section("Trace".into()),
    ];
    lines.extend(e.stack_trace.lines().map(|l| DocLine::Text(l.to_owned())));
    let name = e.filename.rsplit('/').next().unwrap_or(&e.filename);
    DocumentView::ready(format!("import error {name}"), lines)
}

impl Resource for ImportErrors {
    type Item = ImportError;

    fn title(&self) -> String {
        format!("import errors{}", env_suffix(&self.env))
    }

    fn columns(&self) -> Vec<Column<Self>> {
        vec![
            Column::new("FILE", Constraint::Min(24), |_, e: &ImportError| {
                e.filename.clone()
            }),
            Column::new("TIME", Constraint::Length(19), |_, e: &ImportError| {
                when(e.timestamp)
            })
            .by_number(|_, e: &ImportError| epoch(e.timestamp)),
            Column::new("ERROR", Constraint::Min(30), |_, e: &ImportError| {
                summary(&e.stack_trace)
            }),
        ]
    }

    fn identity(&self, e: &ImportError) -> String {
        e.filename.clone()
    }

    fn fetch(
        &self,
        clients: Option<Arc<Clients>>,
        sink: PageSink<ImportError>,
    ) -> BoxFuture<'static, ()> {
        list_from(sink, clients, self.env.clone(), |airflow| async move {
            Ok(airflow.import_errors().await?)
        })
    }

    fn on_cmd(&mut self, cmd: Cmd, selected: Option<&ImportError>, _: &mut Ctx) -> Outcome {
        match (cmd, selected) {
            (Cmd::Enter | Cmd::Detail, Some(e)) => Outcome::Push(boxed(detail(e))),
            _ => Outcome::Ignored,
        }
    }

    fn keys(&self) -> Vec<KeyHelp> {
        vec![KeyHelp::new(Cmd::Enter, "the whole trace (d too)")]
    }
}

#[cfg(test)]
mod tests {
    use super::summary;

    #[test]
    fn the_summary_is_the_exception_line() {
        let trace = "Traceback (most recent call last):\n  File \"x.py\", line 3\nNameError: name 'foo' is not defined\n\n";
        assert_eq!(summary(trace), "NameError: name 'foo' is not defined");
        assert_eq!(summary(""), "");
    }
}
