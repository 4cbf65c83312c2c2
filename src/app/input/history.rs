//! Earlier answers of each prompt, for up/down; kept for the session, in memory only (an SQL
//! statement or a run's arguments may hold what should not land in a file).

use std::collections::HashMap;

/// How many answers a prompt remembers.
const KEEP: usize = 100;

/// One prompt's earlier answers (newest last) and where up/down stand in them.
#[derive(Debug, Clone, Default)]
pub struct History {
    entries: Vec<String>,
    /// The entry shown, while walking; `None` shows the draft.
    at: Option<usize>,
    /// What was typed before walking started, given back by down past the newest entry.
    draft: String,
}

impl History {
    pub fn new(entries: Vec<String>) -> Self {
        Self {
            entries,
            at: None,
            draft: String::new(),
        }
    }

    /// Up: the entry before the one shown; `current` is kept as the draft when walking starts.
    pub fn older(&mut self, current: &str) -> Option<String> {
        let at = match self.at {
            None => {
                self.draft = current.to_string();
                self.entries.len().checked_sub(1)?
            }
            Some(at) => at.checked_sub(1)?,
        };
        self.at = Some(at);
        Some(self.entries[at].clone())
    }

    /// Down: the entry after the one shown, then the draft.
    pub fn newer(&mut self) -> Option<String> {
        let at = self.at?;
        if at + 1 < self.entries.len() {
            self.at = Some(at + 1);
            Some(self.entries[at + 1].clone())
        } else {
            self.at = None;
            Some(std::mem::take(&mut self.draft))
        }
    }
}

/// Every prompt's answers, by the prompt's history key.
#[derive(Debug, Default)]
pub struct Histories(HashMap<String, Vec<String>>);

impl Histories {
    pub fn of(&self, key: &str) -> History {
        History::new(self.0.get(key).cloned().unwrap_or_default())
    }

    /// Keeps an answer (not an empty one, nor the same as the last).
    pub fn remember(&mut self, key: &str, answer: &str) {
        if answer.trim().is_empty() {
            return;
        }
        let entries = self.0.entry(key.to_string()).or_default();
        if entries.last().map(String::as_str) != Some(answer) {
            entries.push(answer.to_string());
        }
        if entries.len() > KEEP {
            entries.remove(0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_kept_per_prompt_without_repeats_or_blanks() {
        let mut all = Histories::default();
        all.remember("sql", "select 1");
        all.remember("sql", "select 1");
        all.remember("sql", "  ");
        all.remember(":", "buckets");
        let mut sql = all.of("sql");
        assert_eq!(sql.older("").as_deref(), Some("select 1"));
        assert_eq!(sql.older("").as_deref(), None);
        assert_eq!(all.of("other").older("x"), None);
        for i in 0..=KEEP {
            all.remember("many", &i.to_string());
        }
        assert_eq!(all.0["many"].len(), KEEP);
    }
}
