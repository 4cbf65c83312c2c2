//! The registry of resource kinds: the one place that maps a name typed after `:` (or one of
//! its aliases) to the view that shows it. Adding a kind is one module plus one line in `KINDS`.

pub mod airflow;
pub mod console;
pub mod emr;
pub mod glue;
pub mod redshift;
pub mod s3;
pub mod terraform;

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
    airflow::environments::KIND,
    airflow::dags::KIND,
    airflow::import_errors::KIND,
    airflow::runs::KIND,
    airflow::failures::KIND,
    console::contexts::KIND,
    console::audit::KIND,
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
