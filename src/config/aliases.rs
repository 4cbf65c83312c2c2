//! `aliases.toml` in the config directory, like k9s's aliases: `alias = "command"` lines, e.g.
//! `lake = "objects nyctaxi-prod-datalake/raw/"`; `:lake` then runs that command. An alias
//! names a whole command line; what follows the alias is appended to it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The aliases file next to config.toml.
pub fn file() -> PathBuf {
    crate::paths::config_dir().join("aliases.toml")
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Aliases {
    map: BTreeMap<String, String>,
}

impl Aliases {
    /// Reads `path`; no file means no aliases. A bad file is an error naming the file and
    /// what is wrong (the console does not start on a half-read file).
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        Self::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let map: BTreeMap<String, String> = toml::from_str(text).map_err(|e| {
            format!(
                "{} (expected lines like: lake = \"objects my-bucket/raw/\")",
                e.message()
            )
        })?;
        for (alias, command) in &map {
            if alias.is_empty() || alias.contains(char::is_whitespace) {
                return Err(format!("alias '{alias}' must be one word"));
            }
            if command.split_whitespace().next().is_none() {
                return Err(format!("alias '{alias}' names an empty command"));
            }
        }
        Ok(Self { map })
    }

    /// The command line with a leading alias replaced by its command.
    pub fn expand(&self, line: &str) -> String {
        let line = line.trim();
        let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
        match self.map.get(word) {
            Some(command) if rest.is_empty() => command.clone(),
            Some(command) => format!("{command} {rest}"),
            None => line.to_string(),
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.map.iter().map(|(a, c)| (a.as_str(), c.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_expand_and_bad_files_are_named() {
        let aliases = Aliases::parse("lake = \"objects lake/raw/\"\nj = \"gluejobs\"\n").unwrap();
        assert_eq!(aliases.expand("lake"), "objects lake/raw/");
        assert_eq!(aliases.expand("j"), "gluejobs");
        assert_eq!(aliases.expand("buckets"), "buckets");
        let bad = Aliases::parse("lake = 3\n").unwrap_err();
        assert!(bad.contains("expected lines like"), "{bad}");
        assert!(Aliases::parse("x = \"  \"\n")
            .unwrap_err()
            .contains("empty command"));
        assert_eq!(
            Aliases::load(Path::new("/nonexistent/aliases.toml")),
            Ok(Aliases::default())
        );
    }
}
