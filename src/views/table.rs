//! The generic resource table: one implementation of loading, streaming pages, filtering,
//! sorting, selection that survives refreshes, and windowed rendering, shared by every resource
//! kind. A kind only says how to fetch its items and how to show one ([`Resource`]).

use std::borrow::Cow;
use std::cmp::Ordering;
use std::sync::Arc;

use chrono::Local;
use futures::future::BoxFuture;
use futures::{Future, Stream, StreamExt};
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::Frame;

use crate::app::keys::Cmd;
use crate::app::view::{Ctx, Cx, Env, KeyHelp, LoadState, Mailbox, Outcome, RenderCx, View};
use crate::clients::Clients;
use crate::errors::UiError;
use crate::theme::Theme;
use crate::ui::grid::{self, Grid};
use crate::views::selection::{self, Copied};

/// How a cell is made from an item; called only for rows on screen.
type CellFn<R> = Box<dyn Fn(&R, &<R as Resource>::Item) -> String + Send + Sync>;
/// How a column orders items.
type SortFn<R> = Box<dyn Fn(&R, &<R as Resource>::Item) -> SortValue + Send + Sync>;

/// One column of a resource table: its header, its width, how a cell shows an item and how the
/// column sorts (by the cell's text unless said otherwise).
pub struct Column<R: Resource> {
    pub name: Cow<'static, str>,
    pub width: Constraint,
    cell: CellFn<R>,
    sort: Option<SortFn<R>>,
    searched: bool,
}

impl<R: Resource> Column<R> {
    pub fn new(
        name: impl Into<Cow<'static, str>>,
        width: Constraint,
        cell: impl Fn(&R, &R::Item) -> String + Send + Sync + 'static,
    ) -> Self {
        Self {
            name: name.into(),
            width,
            cell: Box::new(cell),
            sort: None,
            searched: true,
        }
    }

    /// Sorts by `key` instead of the cell's text.
    pub fn sorted_by(
        mut self,
        key: impl Fn(&R, &R::Item) -> SortValue + Send + Sync + 'static,
    ) -> Self {
        self.sort = Some(Box::new(key));
        self
    }

    /// Sorts by the number `key` gives (times as epoch seconds, sizes, durations).
    pub fn by_number(self, key: impl Fn(&R, &R::Item) -> f64 + Send + Sync + 'static) -> Self {
        self.sorted_by(move |r, item| SortValue::Number(key(r, item)))
    }

    /// `/` does not look in this column.
    pub fn not_searched(mut self) -> Self {
        self.searched = false;
        self
    }

    pub fn cell(&self, resource: &R, item: &R::Item) -> String {
        (self.cell)(resource, item)
    }

    pub fn sort_value(&self, resource: &R, item: &R::Item) -> SortValue {
        match &self.sort {
            Some(key) => key(resource, item),
            None => SortValue::Text(self.cell(resource, item)),
        }
    }
}

/// How a column sorts: text, numbers and times each in their natural order.
#[derive(Debug, Clone, PartialEq, PartialOrd)]
pub enum SortValue {
    Text(String),
    Number(f64),
}

impl SortValue {
    fn compare(&self, other: &Self) -> Ordering {
        match (self, other) {
            (SortValue::Number(a), SortValue::Number(b)) => a.total_cmp(b),
            (SortValue::Text(a), SortValue::Text(b)) => a.cmp(b),
            (SortValue::Number(_), SortValue::Text(_)) => Ordering::Less,
            (SortValue::Text(_), SortValue::Number(_)) => Ordering::Greater,
        }
    }
}

/// A resource kind as a table: what to fetch and how to show, sort and act on one item.
pub trait Resource: Send + 'static {
    type Item: Send + serde::Serialize + 'static;

    fn title(&self) -> String;
    /// The table's columns, asked once when the table is made.
    fn columns(&self) -> Vec<Column<Self>>
    where
        Self: Sized;
    /// Stable identity, so the selection survives a refresh.
    fn identity(&self, item: &Self::Item) -> String;

    /// Streams the items into `sink`, page by page. `clients` is `None` only for kinds whose
    /// `needs_clients` is false.
    fn fetch(
        &self,
        clients: Option<Arc<Clients>>,
        sink: PageSink<Self::Item>,
    ) -> BoxFuture<'static, ()>;

    /// Whether this kind needs the context's clients (a local list does not).
    fn needs_clients(&self) -> bool {
        true
    }

    /// A key on the selected item (drill down, actions).
    fn on_cmd(&mut self, _cmd: Cmd, _selected: Option<&Self::Item>, _cx: &mut Ctx) -> Outcome {
        Outcome::Ignored
    }

    fn keys(&self) -> Vec<KeyHelp> {
        Vec::new()
    }

    /// A style for a whole row (state colours).
    fn row_style(&self, _item: &Self::Item, _theme: &Theme) -> Option<Style> {
        None
    }

    fn auto_refresh(&self) -> bool {
        true
    }

    /// The rows after the first `loaded` (in the order fetched), for a listing that ended with
    /// [`PageSink::done_with_more`]: asked when the selection reaches the last row. A refresh
    /// of such a listing fetches its first rows again and keeps the rest as they were read.
    fn fetch_more(
        &self,
        _clients: Option<Arc<Clients>>,
        _sink: PageSink<Self::Item>,
        _loaded: usize,
    ) -> Option<BoxFuture<'static, ()>> {
        None
    }

    /// What `c` copies: the item's name unless the kind knows a better handle (an ARN, an S3
    /// URI).
    fn copy_text(&self, item: &Self::Item) -> Copied {
        Copied::new("name", self.identity(item))
    }

    /// The item's page in the AWS console or the Airflow UI, which `o` opens.
    fn web_url(&self, _item: &Self::Item, _env: &Env) -> Option<String> {
        None
    }
}

/// One step of a streamed listing.
pub enum PageEvent<T> {
    Page(Vec<T>),
    /// The whole list again with more detail (e.g. bucket regions looked up after the list).
    Replace(Vec<T>),
    Done,
    /// Done, and more rows can be asked for ([`Resource::fetch_more`]).
    DoneWithMore,
    Failed(UiError),
}

/// Every listing of every table gets its own number, so pages still queued from a replaced
/// table or a cancelled refresh can never pass for the current one's.
fn next_generation() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// A table's message: one step of the listing of refresh `generation`.
pub struct Paged<T> {
    generation: u64,
    event: PageEvent<T>,
}

/// Where a fetch sends its pages; each page is delivered as soon as it arrives.
pub struct PageSink<T> {
    mailbox: Mailbox<Paged<T>>,
    generation: u64,
}

impl<T: Send + 'static> PageSink<T> {
    fn send(&self, event: PageEvent<T>) -> bool {
        self.mailbox.send(Paged {
            generation: self.generation,
            event,
        })
    }

    /// Returns false once nobody listens any more (stop fetching).
    pub fn page(&self, items: Vec<T>) -> bool {
        self.send(PageEvent::Page(items))
    }

    pub fn replace(&self, items: Vec<T>) -> bool {
        self.send(PageEvent::Replace(items))
    }

    pub fn done(self) {
        self.send(PageEvent::Done);
    }

    /// Done for now: more rows follow when asked for ([`Resource::fetch_more`]).
    pub fn done_with_more(self) {
        self.send(PageEvent::DoneWithMore);
    }

    pub fn fail(self, error: impl Into<UiError>) {
        self.send(PageEvent::Failed(error.into()));
    }
}

impl<T: Send + 'static> PageSink<T> {
    /// The listing of a kind whose rows come from one call on the context's clients: the whole
    /// list as one page, or the call's error. Nothing is asked before the clients exist.
    pub fn all<E, F, Fut>(self, clients: Option<Arc<Clients>>, call: F) -> BoxFuture<'static, ()>
    where
        E: Into<UiError>,
        F: FnOnce(Arc<Clients>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<Vec<T>, E>> + Send + 'static,
    {
        Box::pin(async move {
            let Some(clients) = clients else { return };
            match call(clients).await {
                Ok(items) => {
                    if self.page(items) {
                        self.done();
                    }
                }
                Err(e) => self.fail(e),
            }
        })
    }

    /// The listing of a kind whose rows come in pages (a paginator's stream): each page shows
    /// as soon as it arrives; the listing stops when nobody looks any more.
    pub fn pages<E, F, S>(self, clients: Option<Arc<Clients>>, call: F) -> BoxFuture<'static, ()>
    where
        E: Into<UiError>,
        F: FnOnce(Arc<Clients>) -> S + Send + 'static,
        S: Stream<Item = Result<Vec<T>, E>> + Send + 'static,
    {
        Box::pin(async move {
            let Some(clients) = clients else { return };
            let mut pages = std::pin::pin!(call(clients));
            while let Some(page) = pages.next().await {
                match page {
                    Ok(items) => {
                        if !self.page(items) {
                            return;
                        }
                    }
                    Err(e) => return self.fail(e),
                }
            }
            self.done();
        })
    }
}

/// Lists longer than this refresh on ctrl-r only: re-listing 20,000 S3 keys every few seconds
/// costs requests (and money, and throttling) for rows nobody is looking at.
pub const AUTO_REFRESH_MAX_ROWS: usize = 5_000;

pub struct TableView<R: Resource> {
    resource: R,
    columns: Vec<Column<R>>,
    items: Vec<R::Item>,
    /// Items of a refresh in progress; swapped in when it completes.
    incoming: Option<Vec<R::Item>>,
    /// Indexes into `items` after filter and sort: what the table shows.
    shown: Vec<usize>,
    selected: usize,
    offset: usize,
    filter: String,
    sort: Option<(usize, bool)>,
    generation: u64,
    state: LoadState,
    complete: bool,
    /// The listing stopped with more rows to ask for ([`Resource::fetch_more`]).
    more: bool,
    page_rows: usize,
}

impl<R: Resource> TableView<R> {
    pub fn new(resource: R) -> Self {
        Self {
            columns: resource.columns(),
            resource,
            items: Vec::new(),
            incoming: None,
            shown: Vec::new(),
            selected: 0,
            offset: 0,
            filter: String::new(),
            sort: None,
            generation: 0,
            state: LoadState::default(),
            complete: false,
            more: false,
            page_rows: 10,
        }
    }

    /// Builds a table already holding `items` (benchmarks and snapshot tests).
    pub fn with_items(resource: R, items: Vec<R::Item>) -> Self {
        let mut view = Self::new(resource);
        view.items = items;
        view.complete = true;
        view.state.finish(Local::now());
        view.recompute();
        view
    }

    pub fn resource(&self) -> &R {
        &self.resource
    }

    /// The resource, to change what its cells draw from (e.g. links resolved later).
    pub fn resource_mut(&mut self) -> &mut R {
        &mut self.resource
    }

    /// Every item listed (filtered out or not).
    pub fn items(&self) -> &[R::Item] {
        &self.items
    }

    pub fn selected_item(&self) -> Option<&R::Item> {
        self.shown.get(self.selected).map(|&i| &self.items[i])
    }

    /// Selects the first shown item that `wanted` accepts; false (selection unchanged) if none.
    pub fn select_where(&mut self, wanted: impl Fn(&R::Item) -> bool) -> bool {
        match self.shown.iter().position(|&i| wanted(&self.items[i])) {
            Some(position) => {
                self.selected = position;
                true
            }
            None => false,
        }
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn shown_len(&self) -> usize {
        self.shown.len()
    }

    fn keeps(&self, item: &R::Item, needle: &str) -> bool {
        needle.is_empty()
            || self
                .columns
                .iter()
                .any(|c| c.searched && c.cell(&self.resource, item).to_lowercase().contains(needle))
    }

    fn selected_identity(&self) -> Option<String> {
        self.selected_item().map(|i| self.resource.identity(i))
    }

    /// Swaps in a fresh list (a finished refresh), keeping the selected item selected.
    fn replace_items(&mut self, items: Vec<R::Item>) {
        let keep = self.selected_identity();
        self.items = items;
        self.recompute_keeping(keep);
    }

    /// Rebuilds `shown` after a filter or sort change, keeping the selection.
    fn recompute(&mut self) {
        let keep = self.selected_identity();
        self.recompute_keeping(keep);
    }

    /// Rebuilds `shown` from scratch; `keep` is selected again when it still shows.
    fn recompute_keeping(&mut self, keep: Option<String>) {
        let needle = self.filter.to_lowercase();
        let mut shown: Vec<usize> = (0..self.items.len())
            .filter(|&i| self.keeps(&self.items[i], &needle))
            .collect();
        if let Some((column, descending)) = self.sort {
            let keys: Vec<SortValue> = shown
                .iter()
                .map(|&i| self.columns[column].sort_value(&self.resource, &self.items[i]))
                .collect();
            let mut order: Vec<usize> = (0..shown.len()).collect();
            order.sort_by(|&a, &b| {
                let o = keys[a].compare(&keys[b]);
                if descending {
                    o.reverse()
                } else {
                    o
                }
            });
            shown = order.into_iter().map(|k| shown[k]).collect();
        }
        self.shown = shown;
        self.selected = keep
            .and_then(|id| {
                self.shown
                    .iter()
                    .position(|&i| self.resource.identity(&self.items[i]) == id)
            })
            .unwrap_or(self.selected)
            .min(self.shown.len().saturating_sub(1));
    }

    /// Appends a streamed page without disturbing what the user is looking at.
    fn append(&mut self, page: Vec<R::Item>) {
        let start = self.items.len();
        self.items.extend(page);
        if self.sort.is_some() {
            self.recompute();
            return;
        }
        let needle = self.filter.to_lowercase();
        for i in start..self.items.len() {
            if self.keeps(&self.items[i], &needle) {
                self.shown.push(i);
            }
        }
    }

    fn on_page(&mut self, event: PageEvent<R::Item>) {
        match event {
            PageEvent::Page(page) => match &mut self.incoming {
                Some(buffer) => buffer.extend(page),
                None => self.append(page),
            },
            PageEvent::Replace(all) => match &mut self.incoming {
                Some(buffer) => *buffer = all,
                None => self.replace_items(all),
            },
            PageEvent::Done | PageEvent::DoneWithMore => {
                let more = matches!(event, PageEvent::DoneWithMore);
                if let Some(fresh) = self.incoming.take() {
                    self.refreshed(fresh, more);
                } else {
                    self.more = more;
                }
                self.complete = true;
                self.state.finish(Local::now());
            }
            PageEvent::Failed(error) => {
                self.incoming = None;
                self.state.fail(error);
            }
        }
    }

    /// Swaps in a finished refresh. When it was the first rows only (`more`), the rows read
    /// after them stay, as last read: those after the last old row the refresh still has.
    fn refreshed(&mut self, mut fresh: Vec<R::Item>, more: bool) {
        let keep = self.selected_identity();
        let old = std::mem::take(&mut self.items);
        let known: std::collections::HashSet<String> =
            fresh.iter().map(|i| self.resource.identity(i)).collect();
        let last_known = old
            .iter()
            .rposition(|i| known.contains(&self.resource.identity(i)));
        let tail: Vec<R::Item> = match last_known {
            Some(last) if more => old
                .into_iter()
                .skip(last + 1)
                .filter(|i| !known.contains(&self.resource.identity(i)))
                .collect(),
            _ => Vec::new(),
        };
        // Past a kept tail, whether more follow is what was known when it was read.
        self.more = if tail.is_empty() { more } else { self.more };
        fresh.extend(tail);
        self.items = fresh;
        self.recompute_keeping(keep);
    }

    /// Asks for the rows after those loaded when the selection is on the last row and the
    /// listing said more follow.
    fn load_more_at_the_end(&mut self, cx: &mut Cx<Paged<R::Item>>) {
        let at_end = self.selected + 1 >= self.shown.len();
        if !(self.more && self.complete && at_end) || self.state.loading {
            return;
        }
        let generation = next_generation();
        let sink = PageSink {
            mailbox: cx.mailbox(),
            generation,
        };
        let loaded = self.items.len();
        let Some(work) = self.resource.fetch_more(cx.clients(), sink, loaded) else {
            return;
        };
        self.more = false;
        self.generation = generation;
        self.state.start();
        cx.spawn_stream("fetch", |_| work);
    }

    fn move_by(&mut self, delta: isize) {
        let last = self.shown.len().saturating_sub(1) as isize;
        self.selected = (self.selected as isize + delta).clamp(0, last.max(0)) as usize;
    }

    fn move_selection(&mut self, cmd: Cmd) -> bool {
        let page = self.page_rows.max(1) as isize;
        match cmd {
            Cmd::Up => self.move_by(-1),
            Cmd::Down => self.move_by(1),
            Cmd::PageUp => self.move_by(-page),
            Cmd::PageDown => self.move_by(page),
            Cmd::Top => self.selected = 0,
            Cmd::Bottom => self.selected = self.shown.len().saturating_sub(1),
            _ => return false,
        }
        true
    }

    fn change_sort(&mut self, cmd: Cmd) -> bool {
        let columns = self.columns.len();
        self.sort = match (cmd, self.sort) {
            (Cmd::SortNext, None) => Some((0, false)),
            (Cmd::SortNext, Some((c, _))) if c + 1 >= columns => None,
            (Cmd::SortNext, Some((c, _))) => Some((c + 1, false)),
            (Cmd::SortReverse, None) => Some((0, true)),
            (Cmd::SortReverse, Some((c, d))) => Some((c, !d)),
            _ => return false,
        };
        self.recompute();
        true
    }

    /// `y`, `c`, `o` on the selected item, the same for every kind (see [`selection`]).
    fn on_selection_cmd(&self, cmd: Cmd, env: &Env) -> Outcome {
        if !matches!(cmd, Cmd::Raw | Cmd::Copy | Cmd::Open) {
            return Outcome::Ignored;
        }
        let Some(item) = self.selected_item() else {
            return Outcome::Flash(Err("nothing selected".into()));
        };
        match cmd {
            Cmd::Raw => selection::raw(&self.resource.title(), &self.resource.identity(item), item),
            Cmd::Copy => selection::copy(self.resource.copy_text(item)),
            _ => selection::open(self.resource.web_url(item, env)),
        }
    }

    fn heading(&self) -> String {
        let mut title = self.resource.title();
        let count = if self.filter.is_empty() {
            format!(" ({})", self.items.len())
        } else {
            format!(" ({}/{})", self.shown.len(), self.items.len())
        };
        title.push_str(&count);
        if !self.complete && self.state.loading {
            title.push_str(" loading…");
        } else if self.state.loading {
            title.push_str(" ⟳");
        } else if self.items.len() > AUTO_REFRESH_MAX_ROWS {
            title.push_str(" [ctrl-r refreshes]");
        }
        title
    }
}

impl<R: Resource> View for TableView<R> {
    type Msg = Paged<R::Item>;

    fn title(&self) -> String {
        self.resource.title()
    }

    fn render(&mut self, frame: &mut Frame, area: Rect, cx: &RenderCx) {
        let columns = &self.columns;
        self.page_rows = grid::body_rows(area);
        self.offset = grid::scroll_offset(self.offset, self.selected, self.page_rows)
            // Never rows left blank below while rows above are hidden (a list that shrank).
            .min(self.shown.len().saturating_sub(self.page_rows));
        let end = (self.offset + self.page_rows).min(self.shown.len());
        let window = &self.shown[self.offset..end];
        let rows: Vec<(Vec<String>, Option<Style>)> = window
            .iter()
            .map(|&i| {
                let item = &self.items[i];
                let cells = columns
                    .iter()
                    .map(|c| c.cell(&self.resource, item))
                    .collect();
                (cells, self.resource.row_style(item, cx.theme))
            })
            .collect();
        let empty_text = match (&self.state.error, self.state.loading, self.complete) {
            (Some(error), _, _) if self.items.is_empty() => Some(format!("⚠ {error}")),
            (_, true, _) if self.items.is_empty() => Some("loading…".to_string()),
            (_, _, true) if self.shown.is_empty() && !self.filter.is_empty() => {
                Some(format!("nothing matches /{}", self.filter))
            }
            (_, _, true) if self.items.is_empty() => Some("nothing here".to_string()),
            (_, false, false) if self.items.is_empty() => Some("connecting…".to_string()),
            _ => None,
        };
        let stale = self
            .state
            .error
            .as_ref()
            .filter(|_| !self.items.is_empty())
            .map(|e| format!("stale: {e}"));
        grid::render(
            frame,
            area,
            cx.theme,
            &Grid {
                title: self.heading(),
                headers: columns.iter().map(|c| c.name.as_ref()).collect(),
                widths: columns.iter().map(|c| c.width).collect(),
                sort: self.sort,
                rows,
                selected: self.selected.checked_sub(self.offset),
                empty_text,
                footer: stale,
                position: (self.selected, self.shown.len()),
            },
        );
    }

    fn on_key(
        &mut self,
        _key: crossterm::event::KeyEvent,
        cmd: Option<Cmd>,
        cx: &mut Cx<Self::Msg>,
    ) -> Outcome {
        let Some(cmd) = cmd else {
            return Outcome::Ignored;
        };
        if self.move_selection(cmd) {
            self.load_more_at_the_end(cx);
            return Outcome::Handled;
        }
        if self.change_sort(cmd) {
            return Outcome::Handled;
        }
        let selected = self.shown.get(self.selected).map(|&i| &self.items[i]);
        match self.resource.on_cmd(cmd, selected, cx) {
            Outcome::Ignored => self.on_selection_cmd(cmd, cx.env),
            outcome => outcome,
        }
    }

    fn refresh(&mut self, cx: &mut Cx<Self::Msg>) {
        if self.state.loading {
            return; // one fetch at a time; periodic refreshes never pile up
        }
        let clients = cx.clients();
        if clients.is_none() && self.resource.needs_clients() {
            return; // the app refreshes again once the context's clients are ready
        }
        self.generation = next_generation();
        if self.complete {
            self.incoming = Some(Vec::new());
        } else {
            self.items.clear();
            self.shown.clear();
        }
        self.state.start();
        let generation = self.generation;
        let fetch = &self.resource;
        cx.spawn_stream("fetch", |mailbox| {
            fetch.fetch(
                clients,
                PageSink {
                    mailbox,
                    generation,
                },
            )
        });
    }

    fn update(&mut self, paged: Paged<R::Item>, _cx: &mut Cx<Self::Msg>) -> Outcome {
        if paged.generation == self.generation {
            self.on_page(paged.event);
        }
        Outcome::Handled
    }

    fn keys(&self) -> Vec<KeyHelp> {
        let mut keys = vec![
            KeyHelp::new(Cmd::SortNext, "sort by the next column"),
            KeyHelp::new(Cmd::SortReverse, "reverse the sort"),
            KeyHelp::new(Cmd::Raw, "raw JSON of the selected row"),
            KeyHelp::new(Cmd::Copy, "copy its name / ARN / S3 URI"),
            KeyHelp::new(Cmd::Open, "open it in the AWS console / Airflow UI"),
        ];
        keys.extend(self.resource.keys());
        keys
    }

    fn load_state(&self) -> &LoadState {
        &self.state
    }

    fn supports_filter(&self) -> bool {
        true
    }

    /// The selected row stays selected when it matches; otherwise the first match is, so
    /// the matches show from the top.
    fn set_filter(&mut self, filter: &str) {
        if self.filter != filter {
            self.filter = filter.to_string();
            let keep = self.selected_identity();
            self.recompute_keeping(keep.clone());
            if keep.is_none() || self.selected_identity() != keep {
                self.selected = 0;
            }
        }
    }

    fn filter(&self) -> &str {
        &self.filter
    }

    fn auto_refresh(&self) -> bool {
        self.resource.auto_refresh() && self.items.len() <= AUTO_REFRESH_MAX_ROWS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A local list of words: enough to exercise the table without any service.
    struct Words;

    impl Resource for Words {
        type Item = String;
        fn title(&self) -> String {
            "words".into()
        }
        fn columns(&self) -> Vec<Column<Self>> {
            vec![
                Column::new("WORD", Constraint::Min(10), |_, w: &String| w.clone()),
                Column::new("LEN", Constraint::Length(5), |_, w: &String| {
                    w.len().to_string()
                })
                .by_number(|_, w: &String| w.len() as f64),
            ]
        }
        fn identity(&self, item: &String) -> String {
            item.clone()
        }
        fn fetch(&self, _: Option<Arc<Clients>>, sink: PageSink<String>) -> BoxFuture<'static, ()> {
            Box::pin(async move { sink.done() })
        }
    }

    fn words(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn shown(view: &TableView<Words>) -> Vec<String> {
        view.shown.iter().map(|&i| view.items[i].clone()).collect()
    }

    #[test]
    fn filter_sort_and_selection_survive_each_other() {
        let mut view = TableView::with_items(Words, words(&["pear", "fig", "banana", "apple"]));
        view.move_by(2); // banana
        view.set_filter("a");
        assert_eq!(shown(&view), words(&["pear", "banana", "apple"]));
        assert_eq!(view.selected_item().unwrap(), "banana");
        view.change_sort(Cmd::SortNext); // by WORD ascending
        assert_eq!(shown(&view), words(&["apple", "banana", "pear"]));
        assert_eq!(view.selected_item().unwrap(), "banana");
        view.change_sort(Cmd::SortNext); // by LEN ascending
        assert_eq!(shown(&view), words(&["pear", "apple", "banana"]));
        view.change_sort(Cmd::SortReverse);
        assert_eq!(shown(&view), words(&["banana", "apple", "pear"]));
        view.set_filter("");
        assert_eq!(view.shown_len(), 4);
        assert_eq!(view.selected_item().unwrap(), "banana");
    }

    #[test]
    fn select_where_picks_the_first_shown_match_and_keeps_the_selection_otherwise() {
        let mut view = TableView::with_items(Words, words(&["pear", "fig", "banana", "fog"]));
        view.set_filter("f");
        assert!(view.select_where(|w| w.starts_with("fo")));
        assert_eq!(view.selected_item().map(String::as_str), Some("fog"));
        assert!(!view.select_where(|w| w == "pear")); // filtered out
        assert_eq!(view.selected_item().map(String::as_str), Some("fog"));
    }

    #[test]
    fn refresh_keeps_selection_and_survives_a_vanished_selected_row() {
        let mut view = TableView::with_items(Words, words(&["a", "b", "c"]));
        view.move_by(2); // "c"
        view.incoming = Some(Vec::new());
        view.on_page(PageEvent::Page(words(&["b", "c"])));
        assert_eq!(view.len(), 3, "old rows stay until the refresh completes");
        view.on_page(PageEvent::Done);
        assert_eq!(view.selected_item().unwrap(), "c");
        // Now the selected row disappears and the list shrinks.
        view.incoming = Some(Vec::new());
        view.on_page(PageEvent::Page(words(&["b"])));
        view.on_page(PageEvent::Done);
        assert_eq!(view.selected_item().unwrap(), "b");
    }

    #[test]
    fn a_refresh_of_the_first_rows_keeps_the_rows_read_after_them() {
        // Two pages were read: the newest first ("e d c", more followed), then "b a".
        let mut view = TableView::new(Words);
        view.on_page(PageEvent::Page(words(&["e", "d", "c"])));
        view.on_page(PageEvent::DoneWithMore);
        assert!(view.more);
        view.on_page(PageEvent::Page(words(&["b", "a"])));
        view.on_page(PageEvent::Done);
        assert!(!view.more, "nothing after the second page");
        view.move_by(4); // "a"
                         // The refresh reads the first page only: "f" is new, "c" moved to the second page.
        view.incoming = Some(Vec::new());
        view.on_page(PageEvent::Page(words(&["f", "e", "d"])));
        view.on_page(PageEvent::DoneWithMore);
        assert_eq!(shown(&view), words(&["f", "e", "d", "c", "b", "a"]));
        assert_eq!(view.selected_item().unwrap(), "a");
        assert!(!view.more, "what followed the kept rows is as last read");
        // A refresh that is the whole list replaces everything.
        view.incoming = Some(Vec::new());
        view.on_page(PageEvent::Page(words(&["f", "e"])));
        view.on_page(PageEvent::Done);
        assert_eq!(shown(&view), words(&["f", "e"]));
    }

    #[test]
    fn first_load_streams_pages_as_they_arrive_and_failures_keep_data() {
        let mut view = TableView::new(Words);
        view.state.start();
        view.on_page(PageEvent::Page(words(&["x", "y"])));
        assert_eq!(
            view.shown_len(),
            2,
            "first page shows before the listing ends"
        );
        view.set_filter("y");
        view.on_page(PageEvent::Page(words(&["yy", "z"])));
        assert_eq!(shown(&view), words(&["y", "yy"]));
        view.on_page(PageEvent::Failed("S3 ListObjectsV2: throttled".into()));
        assert!(view.load_state().error.is_some());
        assert_eq!(view.len(), 4);
    }

    #[test]
    fn long_lists_refresh_on_request_only() {
        let small = TableView::with_items(Words, words(&["a"]));
        assert!(small.auto_refresh());
        let many = (0..=AUTO_REFRESH_MAX_ROWS).map(|i| i.to_string()).collect();
        let large = TableView::with_items(Words, many);
        assert!(!large.auto_refresh());
        assert!(large.heading().contains("ctrl-r"));
    }

    fn drawn(view: &mut TableView<Words>) -> String {
        let mut terminal =
            ratatui::Terminal::new(ratatui::backend::TestBackend::new(40, 20)).unwrap();
        let theme = Theme::default();
        let cx = RenderCx {
            theme: &theme,
            now: Local::now(),
        };
        terminal
            .draw(|frame| view.render(frame, frame.area(), &cx))
            .unwrap();
        let buffer = terminal.backend().buffer();
        (0..buffer.area.height)
            .map(|y| {
                (0..buffer.area.width)
                    .map(|x| buffer[(x, y)].symbol())
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn a_filter_shows_its_matches_from_the_top() {
        let many: Vec<String> = (0..20_000).map(|i| i.to_string()).collect();
        let mut view = TableView::with_items(Words, many);
        drawn(&mut view);
        view.move_selection(Cmd::Bottom);
        drawn(&mut view);
        view.set_filter("1999");
        let screen = drawn(&mut view);
        let matches = ["1999", "11999", "19990", "19995", "19999"];
        for m in matches {
            assert!(screen.contains(&format!("│{m} ")), "{m} hidden:\n{screen}");
        }
        // The selected row (the last, 19999) matches: it stays selected, the rows above it drawn.
        assert_eq!(view.selected_item().map(String::as_str), Some("19999"));
        // A selection that does not match gives way to the first match.
        view.set_filter("");
        view.move_selection(Cmd::Bottom);
        view.move_by(-15); // 19984
        drawn(&mut view);
        view.set_filter("1999");
        let screen = drawn(&mut view);
        assert_eq!(view.selected_item().map(String::as_str), Some("1999"));
        assert!(screen.contains("│19999 "), "{screen}");
    }

    #[test]
    fn movement_is_clamped() {
        let mut view = TableView::with_items(Words, words(&["a", "b", "c"]));
        view.move_selection(Cmd::Up);
        assert_eq!(view.selected, 0);
        view.move_selection(Cmd::PageDown);
        assert_eq!(view.selected, 2);
        view.move_selection(Cmd::Top);
        assert_eq!(view.selected, 0);
        view.move_selection(Cmd::Bottom);
        assert_eq!(view.selected, 2);
    }
}
