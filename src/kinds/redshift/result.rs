//! The outcome of one statement: its result set as a scrollable, sortable, filterable table
//! whose columns come from the statement's column metadata, or the server's error text.

use std::sync::Arc;

use futures::future::BoxFuture;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

use crate::app::keys::Cmd;
use crate::app::view::{boxed, BoxView, Ctx, Cx, KeyHelp, LoadState, Outcome, RenderCx, View};
use crate::aws::redshift::{ResultSet, Statement};
use crate::clients::Clients;
use crate::errors::UiError;
use crate::sanitize;
use crate::views::document::{DocLine, DocumentView};
use crate::views::table::{Column, PageSink, Paged, Resource, SortValue, TableView};

/// The failed (or aborted) statement's error text with what was run.
pub fn error_view(statement: &Statement) -> BoxView {
    let lines = error_lines(statement);
    let title = format!("error {}", short_id(&statement.id));
    // A failed statement never changes: the loader gives the same lines on every refresh.
    boxed(DocumentView::new(
        title,
        Box::new(move |_: &Ctx| {
            let lines = lines.clone();
            Box::pin(async move { Ok(lines) })
        }),
    ))
}

pub fn error_lines(statement: &Statement) -> Vec<DocLine> {
    let mut lines = vec![
        DocLine::Section("Error".into()),
        DocLine::Text(
            statement
                .error
                .clone()
                .unwrap_or_else(|| "no error text".into()),
        ),
        DocLine::Section("Statement".into()),
        DocLine::Field("ID".into(), statement.id.clone()),
        DocLine::Field("Status".into(), statement.state.as_str().into()),
        DocLine::Section("SQL".into()),
    ];
    lines.extend(statement.sql.lines().map(|l| DocLine::Text(l.to_owned())));
    lines
}

pub fn short_id(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

/// One row of a result: its position (rows may repeat) and its values.
pub type Row = (usize, Vec<String>);

/// The rows of one result, under the result's own columns.
pub struct ResultRows {
    title: String,
    names: Vec<String>,
}

impl ResultRows {
    fn new(title: String, result: &ResultSet) -> Self {
        let names = result.columns.iter().map(|c| c.name.clone()).collect();
        Self { title, names }
    }
}

/// The value of column `index` in `row` (empty when the row is short).
fn field(row: &Row, index: usize) -> String {
    row.1.get(index).cloned().unwrap_or_default()
}

impl Resource for ResultRows {
    type Item = Row;

    fn title(&self) -> String {
        self.title.clone()
    }

    fn columns(&self) -> Vec<Column<Self>> {
        self.names
            .iter()
            .enumerate()
            .map(|(index, name)| {
                let width = Constraint::Min((name.chars().count() as u16).max(8));
                Column::new(name.clone(), width, move |_, row: &Row| field(row, index)).sorted_by(
                    move |_, row| {
                        let text = field(row, index);
                        match text.parse::<f64>() {
                            Ok(n) => SortValue::Number(n),
                            Err(_) => SortValue::Text(text),
                        }
                    },
                )
            })
            .collect()
    }

    fn identity(&self, row: &Row) -> String {
        row.0.to_string()
    }

    fn fetch(&self, _: Option<Arc<Clients>>, sink: PageSink<Row>) -> BoxFuture<'static, ()> {
        Box::pin(async move { sink.done() })
    }

    fn needs_clients(&self) -> bool {
        false
    }

    fn auto_refresh(&self) -> bool {
        false
    }
}

/// Loads a finished statement's result once, then shows it as a table.
pub struct ResultView {
    statement_id: String,
    title: String,
    table: Option<TableView<ResultRows>>,
    state: LoadState,
}

impl ResultView {
    pub fn new(statement: &Statement) -> Self {
        Self {
            statement_id: statement
                .result_id
                .clone()
                .unwrap_or_else(|| statement.id.clone()),
            title: format!("result {}", short_id(&statement.id)),
            table: None,
            state: LoadState::default(),
        }
    }

    /// A result already at hand (tests).
    pub fn ready(statement: &Statement, result: ResultSet) -> Self {
        let mut view = Self::new(statement);
        view.show(result);
        view
    }

    fn show(&mut self, result: ResultSet) {
        let resource = ResultRows::new(self.title.clone(), &result);
        let rows = result.rows.into_iter().enumerate().collect();
        self.table = Some(TableView::with_items(resource, rows));
        self.state.finish(chrono::Local::now());
    }
}

/// What the result view's work sends back: the statement's result, or a page of its table
/// (never sent: the table is built from the result at hand).
pub enum ResultMsg {
    Loaded(Result<ResultSet, UiError>),
    Table(Paged<(usize, Vec<String>)>),
}

impl View for ResultView {
    type Msg = ResultMsg;

    fn title(&self) -> String {
        self.title.clone()
    }

    fn render(&mut self, frame: &mut Frame, area: Rect, cx: &RenderCx) {
        if let Some(table) = self.table.as_mut() {
            return table.render(frame, area, cx);
        }
        let text = match &self.state.error {
            Some(e) => format!("⚠ {}", sanitize::line(&e.message)),
            None => "loading…".into(),
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(cx.theme.border)
            .title(format!(" {} ", self.title));
        frame.render_widget(Paragraph::new(text).block(block), area);
    }

    fn on_key(
        &mut self,
        key: crossterm::event::KeyEvent,
        cmd: Option<Cmd>,
        cx: &mut Cx<ResultMsg>,
    ) -> Outcome {
        match self.table.as_mut() {
            Some(table) => table.on_key(key, cmd, &mut cx.part("table", ResultMsg::Table)),
            None => Outcome::Ignored,
        }
    }

    fn refresh(&mut self, cx: &mut Cx<ResultMsg>) {
        if self.table.is_some() || self.state.loading {
            return;
        }
        let Some(clients) = cx.clients() else { return };
        self.state.start();
        let id = self.statement_id.clone();
        cx.spawn(async move {
            let result = clients.redshift.get_statement_result(&id).await;
            ResultMsg::Loaded(result.map_err(UiError::from))
        });
    }

    fn update(&mut self, message: ResultMsg, cx: &mut Cx<ResultMsg>) -> Outcome {
        match message {
            ResultMsg::Loaded(Ok(result)) => self.show(result),
            ResultMsg::Loaded(Err(e)) => self.state.fail(e),
            ResultMsg::Table(page) => {
                if let Some(table) = self.table.as_mut() {
                    return table.update(page, &mut cx.part("table", ResultMsg::Table));
                }
            }
        }
        Outcome::Handled
    }

    fn keys(&self) -> Vec<KeyHelp> {
        self.table.as_ref().map(|t| t.keys()).unwrap_or_default()
    }

    fn load_state(&self) -> &LoadState {
        &self.state
    }

    fn supports_filter(&self) -> bool {
        self.table.is_some()
    }

    fn set_filter(&mut self, filter: &str) {
        if let Some(table) = self.table.as_mut() {
            table.set_filter(filter);
        }
    }

    fn filter(&self) -> &str {
        self.table.as_ref().map(|t| t.filter()).unwrap_or("")
    }

    fn auto_refresh(&self) -> bool {
        false
    }
}
