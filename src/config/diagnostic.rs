//! Errors that point into a settings file: `<path>:<line>:<column>: <problem>`, plus an
//! optional hint. Shared by the config and theme loaders.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// A problem in a user-editable file (config or theme), located when a position is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    pub path: PathBuf,
    /// 1-based line and column (in characters) of the offending text, when known.
    pub position: Option<(usize, usize)>,
    pub problem: String,
    /// A suggestion shown on a second line, e.g. "did you mean `read_only`?".
    pub hint: Option<String>,
}

impl FileError {
    /// An error about the file as a whole (unreadable, missing, unknown name).
    pub fn whole_file(path: &Path, problem: impl Into<String>) -> Self {
        FileError {
            path: path.to_path_buf(),
            position: None,
            problem: problem.into(),
            hint: None,
        }
    }

    /// An error at byte offset `span.start` of `text`, the contents of `path`.
    pub fn at(path: &Path, text: &str, span: Range<usize>, problem: impl Into<String>) -> Self {
        FileError {
            path: path.to_path_buf(),
            position: Some(line_column(text, span.start)),
            problem: problem.into(),
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Converts a TOML syntax or shape error, adding a "did you mean" hint for unknown fields.
    pub fn from_toml(path: &Path, text: &str, err: &toml::de::Error) -> Self {
        let problem = err.message().trim_end().to_string();
        let position = err.span().map(|span| line_column(text, span.start));
        let hint = unknown_field_hint(&problem);
        FileError {
            path: path.to_path_buf(),
            position,
            problem,
            hint,
        }
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:", self.path.display())?;
        if let Some((line, column)) = self.position {
            write!(f, "{line}:{column}:")?;
        }
        write!(f, " {}", self.problem)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for FileError {}

/// Largest settings file read (a config or theme is a few KiB).
const MAX_SETTINGS_BYTES: u64 = 1 << 20;

/// Reads a settings file (config or theme). Only a regular file is read: a FIFO or a device
/// would block or never end, so it is refused at once (it is opened without blocking and
/// checked before any read), as is a file over 1 MiB.
pub fn read_regular_file(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!(
                "not a regular file (it is {}); give the path of a TOML file",
                file_kind(&metadata.file_type())
            ),
        ));
    }
    if metadata.len() > MAX_SETTINGS_BYTES {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!(
                "{} bytes: larger than a settings file can be (1 MiB)",
                metadata.len()
            ),
        ));
    }
    let mut text = String::new();
    file.take(MAX_SETTINGS_BYTES).read_to_string(&mut text)?;
    Ok(text)
}

fn file_kind(kind: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_dir() {
        "a directory"
    } else if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "not a file"
    }
}

/// 1-based (line, column) of byte `offset` in `text`; the column counts characters.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// serde's message for an unknown field reads "unknown field `x`, expected one of `a`, `b`";
/// suggest the closest expected name when it is a likely typo.
fn unknown_field_hint(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field ")?;
    let mut quoted = rest.split('`').skip(1).step_by(2);
    let unknown = quoted.next()?;
    closest(unknown, quoted).map(|name| format!("did you mean `{name}`?"))
}

/// The candidate closest to `word` by edit distance, if close enough to be a typo.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|candidate| (edit_distance(word, candidate), candidate))
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance over characters, with `-`/`_` treated as equal.
fn edit_distance(a: &str, b: &str) -> usize {
    let normalize = |c: char| {
        if c == '-' {
            '_'
        } else {
            c.to_ascii_lowercase()
        }
    };
    let a: Vec<char> = a.chars().map(normalize).collect();
    let b: Vec<char> = b.chars().map(normalize).collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_column_counts_from_one_in_characters() {
        let text = "a = 1\nbé = 2\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 6), (2, 1));
        assert_eq!(line_column(text, text.find('=').unwrap()), (1, 3));
        assert_eq!(line_column(text, text.rfind('=').unwrap()), (2, 4));
        assert_eq!(line_column(text, 10_000), (3, 1));
    }

    #[test]
    fn closest_suggests_typos_only() {
        let names = ["read_only", "region", "profile"];
        assert_eq!(closest("readonly", names), Some("read_only"));
        assert_eq!(closest("read-only", names), Some("read_only"));
        assert_eq!(closest("regoin", names), Some("region"));
        assert_eq!(closest("colour", names), None);
    }

    #[test]
    fn display_without_position_or_hint() {
        let err = FileError::whole_file(Path::new("/x/c.toml"), "cannot read: gone");
        assert_eq!(err.to_string(), "/x/c.toml: cannot read: gone");
    }
}
