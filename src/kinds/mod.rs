//! The registry of resource kinds: the one place that maps a name typed after `:` (or one of
//! its aliases) to the view that shows it, and one folder per service holding that service's
//! kinds, their formatting, actions and screens (`s3/`, `glue/`, `emr/`, `redshift/`,
//! `airflow/`, `terraform/`, `console/`; a service with a single kind is one file, `athena.rs`).
//!
//! # Adding a kind (the recipe; `:athena` was added this way: 2 new files, 4 one-line edits)
//!
//! 1. **Client** (`src/aws/<service>.rs`, UI-free): a struct holding the SDK client and a
//!    [`crate::aws::ServiceEndpoint`], methods returning plain domain types and
//!    [`crate::aws::AwsError`] (map every SDK error with `endpoint.error("Operation", target, e)`;
//!    page with the SDK's `into_paginator()`). Register it: `pub mod` in `src/aws/mod.rs`, one
//!    field in [`crate::clients::Clients`] (and `Cargo.toml` if the SDK crate is new).
//! 2. **Kind** (`src/kinds/<service>.rs`, or a file in the service's folder): a `KIND` constant
//!    (name, aliases, about, argument, `open`) and a [`crate::views::table::Resource`]:
//!    - `columns()`: typed columns, `Column::new(header, width, |kind, item| cell)`, with
//!      `.by_number(..)`/`.sorted_by(..)` for times and sizes and `.not_searched()` for what `/`
//!      should skip; shared cell formats are in [`crate::ui::format`];
//!    - `fetch()`: `sink.all(clients, |c| async move { c.service.list(..).await })` for one
//!      call, or `sink.pages(..)` for a stream of pages;
//!    - `identity()` (keeps the selection across refreshes), `row_style()` (state colours);
//!    - `on_cmd()` for keys: drill down with `Outcome::Push`, a detail as a
//!      [`crate::views::document::DocumentView`], logs as a
//!      [`crate::views::log_viewer::LogViewer`] over a [`crate::logs::LogSource`], and every
//!      change as an `Outcome::Act` of a [`crate::gate::ActionRequest`] (never call a mutating
//!      client method yourself: only the gate's approval lets it run).
//! 3. **Registry**: `pub mod` below and one line in [`KINDS`].
//! 4. **Tests** (`tests/<service>.rs`): the client against the sandbox's emulator
//!    (`tests/support`), and the table as an insta snapshot with `TableView::with_items`.
//!
//! A screen that is not a table implements [`crate::app::view::View`] itself: its own message
//! type, work started with `cx.spawn` (owned by the view, cancelled when it closes).

pub mod airflow;
pub mod athena;
pub mod console;
pub mod emr;
pub mod glue;
pub mod redshift;
pub mod s3;
pub mod terraform;
pub mod triage;
pub mod web;

use crate::app::view::{AppCommand, BoxView, Env};

/// What opening a kind produces.
pub enum Opened {
    View(BoxView),
    App(AppCommand),
}

pub struct Kind {
    /// The name used after `:`.
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    /// One line for help and completion.
    pub about: &'static str,
    /// What the optional argument means, e.g. `bucket[/prefix]`.
    pub argument: Option<&'static str>,
    pub open: fn(argument: Option<&str>, env: &Env) -> Result<Opened, String>,
}

impl Kind {
    pub fn answers_to(&self, word: &str) -> bool {
        self.name == word || self.aliases.contains(&word)
    }
}

fn quit(_: Option<&str>, _: &Env) -> Result<Opened, String> {
    Ok(Opened::App(AppCommand::Quit))
}

pub static KINDS: &[Kind] = &[
    s3::buckets::KIND,
    s3::objects::KIND,
    glue::databases::KIND,
    glue::tables::KIND,
    glue::partitions::KIND,
    glue::crawlers::KIND,
    glue::jobs::KIND,
    glue::job_runs::KIND,
    emr::clusters::KIND,
    emr::steps::KIND,
    redshift::clusters::KIND,
    redshift::sql::KIND,
    athena::KIND,
    airflow::environments::KIND,
    airflow::dags::KIND,
    airflow::import_errors::KIND,
    airflow::runs::KIND,
    airflow::failures::KIND,
    triage::now_view::KIND,
    console::contexts::KIND,
    console::audit::KIND,
    console::session::PROFILE,
    console::session::REGION,
    terraform::kinds::HOME,
    terraform::kinds::DRIFT,
    terraform::kinds::STATE,
    terraform::kinds::WORKSPACES,
    Kind {
        name: "quit",
        aliases: &["q", "q!", "exit"],
        about: "leave platform-tui",
        argument: None,
        open: quit,
    },
];

pub fn lookup(word: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|k| k.answers_to(word))
}

/// Names and aliases that start with `prefix`, names first.
pub fn complete(prefix: &str) -> Vec<&'static str> {
    let names = KINDS.iter().map(|k| k.name);
    let aliases = KINDS.iter().flat_map(|k| k.aliases.iter().copied());
    let mut out: Vec<&'static str> = names
        .chain(aliases)
        .filter(|w| w.starts_with(prefix))
        .collect();
    out.dedup();
    out
}

/// Runs a command line such as `objects nyctaxi-sandbox-datalake/raw/` or `ctx prod`.
pub fn open_command(line: &str, env: &Env) -> Result<Opened, String> {
    let mut words = line.split_whitespace();
    let Some(word) = words.next() else {
        return Err("type a resource name, e.g. :buckets (Tab completes)".into());
    };
    let argument = words.next();
    let kind = lookup(word).ok_or_else(|| {
        let near = complete(&word[..1.min(word.len())]);
        if near.is_empty() {
            format!("unknown resource '{word}'")
        } else {
            format!("unknown resource '{word}' (try: {})", near.join(", "))
        }
    })?;
    (kind.open)(argument, env)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_aliases_are_unique() {
        let mut all: Vec<&str> = KINDS
            .iter()
            .flat_map(|k| std::iter::once(k.name).chain(k.aliases.iter().copied()))
            .collect();
        let count = all.len();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), count, "a name or alias is used twice");
    }

    #[test]
    fn completion_and_lookup() {
        assert_eq!(complete("buc"), vec!["buckets", "bucket"]);
        assert_eq!(complete("aud"), vec!["audit"]);
        assert_eq!(lookup("s3").map(|k| k.name), Some("buckets"));
        assert_eq!(lookup("ctx").map(|k| k.name), Some("contexts"));
        assert!(lookup("nope").is_none());
    }
}
