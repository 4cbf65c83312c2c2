//! Key bindings: every key press is resolved to a named command before any view sees it,
//! so `[keys]` in config.toml can remap any of them.

use crossterm::event::KeyEvent;

use crate::config::{parse_key, KeyBinding};

macro_rules! commands {
    ($($variant:ident => $name:literal, $about:literal, [$($key:literal),*];)*) => {
        /// A named thing a key can do.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Cmd { $($variant),* }

        impl Cmd {
            pub const ALL: &'static [Cmd] = &[$(Cmd::$variant),*];
            /// Every command's name, as `[keys]` in config.toml spells it.
            pub const NAMES: &'static [&'static str] = &[$($name),*];

            /// The name used in `[keys]` of config.toml.
            pub fn name(self) -> &'static str {
                match self { $(Cmd::$variant => $name),* }
            }

            pub fn about(self) -> &'static str {
                match self { $(Cmd::$variant => $about),* }
            }

            fn default_keys(self) -> &'static [&'static str] {
                match self { $(Cmd::$variant => &[$($key),*]),* }
            }
        }
    };
}

commands! {
    Up => "up", "move up", ["k", "up"];
    Down => "down", "move down", ["j", "down"];
    PageUp => "page_up", "page up", ["ctrl-b", "pgup"];
    PageDown => "page_down", "page down", ["ctrl-f", "pgdn"];
    Top => "top", "go to the top", ["g", "home"];
    Bottom => "bottom", "go to the bottom", ["G", "end"];
    Back => "back", "back / clear filter", ["esc", "h"];
    Enter => "enter", "open / drill down", ["enter", "l"];
    Command => "command", "command mode (:buckets, :ctx …)", [":"];
    Filter => "filter", "filter the table", ["/"];
    Help => "help", "this help", ["?"];
    Refresh => "refresh", "refresh now", ["ctrl-r"];
    Quit => "quit", "quit", ["q", "ctrl-c"];
    Suspend => "suspend", "suspend to the shell (fg resumes)", ["ctrl-z"];
    SortNext => "sort_next", "sort by the next column", ["s"];
    SortReverse => "sort_reverse", "reverse the sort order", ["S"];
    Contexts => "contexts", "switch context", ["C"];
    Preview => "preview", "preview the object", ["p"];
    Detail => "detail", "describe (metadata, tags)", ["d"];
    Download => "download", "download to a local file", ["w"];
    Upload => "upload", "upload a local file here", ["u"];
    Delete => "delete", "delete (asks first)", ["ctrl-d"];
    Start => "start", "start / run / trigger", ["t"];
    Stop => "stop", "stop / cancel (asks first)", ["ctrl-k"];
    Edit => "edit", "run with changed arguments / edit", ["e"];
    Add => "add", "add (a step, a statement…)", ["a"];
    Terminate => "terminate", "terminate (asks first)", ["ctrl-t"];
    Logs => "logs", "logs", ["L"];
    ToggleAll => "toggle_all", "show all / only active", ["A"];
    Pause => "pause", "pause / unpause", ["space"];
    Clear => "clear", "clear (rerun), dry run first (asks first)", ["x"];
    MarkSuccess => "mark_success", "mark success (asks first)", ["m"];
    MarkFailed => "mark_failed", "mark failed (asks first)", ["M"];
    SwitchView => "switch_view", "switch presentation (table, grid, Gantt, chart)", ["v"];
    Init => "init", "terraform init", ["I"];
    Plan => "plan", "plan (review before apply)", ["P"];
    Apply => "apply", "apply the reviewed plan (asks first; k9s users: not aliases)", ["ctrl-a"];
    Raw => "raw", "raw JSON of the selection (searchable with /)", ["y"];
    Copy => "copy", "copy the name / ARN / S3 URI (OSC 52, works over SSH)", ["c"];
    Open => "open", "open in the AWS console or Airflow UI (or show the URL)", ["o"];
    RootCause => "root_cause", "root cause: the AWS run a task drove and its error log", ["R"];
}

#[derive(Debug, Clone)]
pub struct KeyMap {
    bindings: Vec<(Cmd, KeyBinding)>,
}

impl KeyMap {
    /// Defaults, with every command named in `overrides` bound only to the keys given there.
    pub fn new(overrides: &[(String, KeyBinding)]) -> Self {
        let mut bindings = Vec::new();
        for &cmd in Cmd::ALL {
            let custom: Vec<KeyBinding> = overrides
                .iter()
                .filter(|(name, _)| name == cmd.name())
                .map(|(_, key)| *key)
                .collect();
            if custom.is_empty() {
                for key in cmd.default_keys() {
                    let binding = parse_key(key).expect("default key bindings parse");
                    bindings.push((cmd, binding));
                }
            } else {
                bindings.extend(custom.into_iter().map(|k| (cmd, k)));
            }
        }
        Self { bindings }
    }

    /// Checks a remapping before it is used: one key may do only one thing (else the later
    /// command in the list could never be reached, e.g. `quit = "j"` while `j` moves down),
    /// and quit keeps a key. On a problem, returns the action of `overrides` to blame and
    /// what is wrong.
    pub fn check(overrides: &[(String, KeyBinding)]) -> Result<(), (String, String)> {
        let map = Self::new(overrides);
        let remapped = |cmd: Cmd| overrides.iter().any(|(name, _)| name == cmd.name());
        for (i, (cmd, key)) in map.bindings.iter().enumerate() {
            let Some((other, _)) = map.bindings[..i]
                .iter()
                .find(|(other, bound)| bound == key && other != cmd)
            else {
                continue;
            };
            let (blamed, kept) = if remapped(*cmd) {
                (*cmd, *other)
            } else {
                (*other, *cmd)
            };
            let kept_origin = if remapped(kept) { "" } else { " (by default)" };
            return Err((
                blamed.name().to_string(),
                format!(
                    "key `{}` is bound to both `{}`{kept_origin} and `{}`: one key, one action; \
                     choose another key for `{}` or remap `{}` too",
                    key.label(),
                    kept.name(),
                    blamed.name(),
                    blamed.name(),
                    kept.name()
                ),
            ));
        }
        if !map.bindings.iter().any(|(cmd, _)| *cmd == Cmd::Quit) {
            return Err(("quit".into(), "no key is left to quit".into()));
        }
        Ok(())
    }

    pub fn resolve(&self, event: &KeyEvent) -> Option<Cmd> {
        self.bindings
            .iter()
            .find(|(_, binding)| binding.matches(event))
            .map(|(cmd, _)| *cmd)
    }

    /// The keys bound to a command, for help and hints: "k/↑".
    pub fn label(&self, cmd: Cmd) -> String {
        let labels: Vec<String> = self
            .bindings
            .iter()
            .filter(|(c, _)| *c == cmd)
            .map(|(_, b)| b.label())
            .collect();
        labels.join("/")
    }
}

impl Default for KeyMap {
    fn default() -> Self {
        Self::new(&[])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyModifiers};

    #[test]
    fn names_are_unique_and_default_keys_do_not_collide() {
        let mut names = Cmd::NAMES.to_vec();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Cmd::ALL.len());
        let map = KeyMap::default();
        let mut seen = std::collections::HashMap::new();
        for (cmd, binding) in &map.bindings {
            if let Some(other) = seen.insert(binding.label(), *cmd) {
                panic!(
                    "{} is bound to both {:?} and {:?}",
                    binding.label(),
                    other,
                    cmd
                );
            }
        }
    }

    #[test]
    fn defaults_resolve_vim_keys_and_arrows() {
        let map = KeyMap::default();
        let key = |c| KeyEvent::new(c, KeyModifiers::NONE);
        assert_eq!(map.resolve(&key(KeyCode::Char('j'))), Some(Cmd::Down));
        assert_eq!(map.resolve(&key(KeyCode::Up)), Some(Cmd::Up));
        assert_eq!(
            map.resolve(&KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(Cmd::Bottom)
        );
        assert_eq!(
            map.resolve(&KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Cmd::Quit)
        );
    }

    #[test]
    fn a_key_bound_to_two_actions_is_refused_naming_both() {
        let quit_on_j = [("quit".to_string(), parse_key("j").unwrap())];
        let (blamed, problem) = KeyMap::check(&quit_on_j).unwrap_err();
        assert_eq!(blamed, "quit");
        assert!(
            problem.starts_with("key `j` is bound to both `down` (by default) and `quit`"),
            "{problem}"
        );
        // Moving `down` away too makes it fine.
        let both = [
            ("quit".to_string(), parse_key("j").unwrap()),
            ("down".to_string(), parse_key("n").unwrap()),
        ];
        assert_eq!(KeyMap::check(&both), Ok(()));
        let twice = [
            ("refresh".to_string(), parse_key("x").unwrap()),
            ("preview".to_string(), parse_key("x").unwrap()),
        ];
        let (blamed, problem) = KeyMap::check(&twice).unwrap_err();
        assert_eq!(blamed, "preview");
        assert!(problem.contains("`refresh` and `preview`"), "{problem}");
        assert_eq!(KeyMap::check(&[]), Ok(()));
    }

    #[test]
    fn override_replaces_the_default_keys_of_that_command_only() {
        let map = KeyMap::new(&[("quit".into(), parse_key("x").unwrap())]);
        let key = |c| KeyEvent::new(c, KeyModifiers::NONE);
        assert_eq!(map.resolve(&key(KeyCode::Char('x'))), Some(Cmd::Quit));
        assert_eq!(map.resolve(&key(KeyCode::Char('q'))), None);
        assert_eq!(map.resolve(&key(KeyCode::Char('j'))), Some(Cmd::Down));
    }
}
