//! Tab in a prompt that asks for a local path (upload, download, save): completes the last
//! segment from the entries of its folder, as a shell does.

use std::path::Path;

use crate::paths::expand_home;

/// How many entries of a folder are looked at (a huge folder still answers at once).
const SCAN_AT_MOST: usize = 5_000;
/// How many candidates are offered on screen.
const SHOW_AT_MOST: usize = 30;

/// What Tab did to a path.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Completion {
    /// The line completed as far as every candidate agrees, if that is longer than typed.
    pub line: Option<String>,
    /// The entries that match (folders end in `/`), sorted, at most [`SHOW_AT_MOST`].
    pub candidates: Vec<String>,
}

pub fn complete(line: &str) -> Completion {
    let line = if line == "~" { "~/" } else { line };
    let (folder, stem) = match line.rfind('/') {
        Some(i) => line.split_at(i + 1),
        None => ("", line),
    };
    let dir = if folder.is_empty() {
        expand_home("./")
    } else {
        expand_home(folder)
    };
    let mut matches = entries(&dir, stem);
    matches.sort();
    let Some(common) = super::common_start(&matches) else {
        return Completion::default();
    };
    let completed = format!("{folder}{common}");
    Completion {
        line: (completed.len() > line.len()).then_some(completed),
        candidates: matches.into_iter().take(SHOW_AT_MOST).collect(),
    }
}

/// The names in `dir` that start with `stem` (folders with a `/`); hidden ones only when the
/// stem starts with a dot.
fn entries(dir: &Path, stem: &str) -> Vec<String> {
    let Ok(read) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    read.take(SCAN_AT_MOST)
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let wanted =
                name.starts_with(stem) && (stem.starts_with('.') || !name.starts_with('.'));
            wanted.then(|| {
                if entry.path().is_dir() {
                    format!("{name}/")
                } else {
                    name
                }
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completes_to_the_common_start_and_a_lone_folder_gets_its_slash() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("reports")).unwrap();
        std::fs::write(dir.path().join("orders-2024.csv"), "").unwrap();
        std::fs::write(dir.path().join("orders-2025.csv"), "").unwrap();
        std::fs::write(dir.path().join(".hidden"), "").unwrap();
        let base = format!("{}/", dir.path().display());

        let done = complete(&format!("{base}or"));
        assert_eq!(done.line, Some(format!("{base}orders-202")));
        assert_eq!(done.candidates, ["orders-2024.csv", "orders-2025.csv"]);

        let done = complete(&format!("{base}re"));
        assert_eq!(done.line, Some(format!("{base}reports/")));

        let all = complete(&base);
        assert_eq!(
            all.candidates,
            ["orders-2024.csv", "orders-2025.csv", "reports/"]
        );
        assert_eq!(all.line, None);
        assert_eq!(complete(&format!("{base}.h")).candidates, [".hidden"]);
        assert_eq!(complete(&format!("{base}zzz")), Completion::default());
        assert_eq!(complete("/no/such/folder/x"), Completion::default());
    }
}
