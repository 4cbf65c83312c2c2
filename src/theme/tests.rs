use super::*;

const PATH: &str = "/themes/mine.toml";

fn parse(text: &str) -> Result<Theme, ThemeError> {
    parse_theme("mine", text, Path::new(PATH))
}

fn error(text: &str) -> String {
    parse(text).unwrap_err().to_string()
}

#[test]
fn built_in_themes_parse_and_set_every_style() {
    for (name, text) in BUILT_IN {
        let mut theme = parse_theme(name, text, Path::new(name)).unwrap();
        assert_eq!(theme.name, *name);
        for (style, value) in theme.slots() {
            assert_ne!(*value, Style::default(), "{name} leaves {style} unset");
        }
    }
}

#[test]
fn shipped_files_are_the_compiled_in_ones() {
    for (name, text) in BUILT_IN {
        let file = paths_project_theme(name);
        assert_eq!(std::fs::read_to_string(file).unwrap(), *text);
    }
}

fn paths_project_theme(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("themes")
        .join(format!("{name}.toml"))
}

#[test]
fn colours_as_names_hex_and_indexes() {
    let theme = parse(
        "[styles]\nheader = { fg = \"cyan\", bg = \"#1e1e2e\", bold = true }\n\
         muted = { fg = 244, dim = true, italic = true }\n\
         selected = { fg = \"lightblue\", reversed = true, underline = true }\n",
    )
    .unwrap();
    assert_eq!(
        theme.header,
        Style::new()
            .fg(Color::Cyan)
            .bg(Color::Rgb(0x1e, 0x1e, 0x2e))
            .add_modifier(Modifier::BOLD)
    );
    assert_eq!(
        theme.muted,
        Style::new()
            .fg(Color::Indexed(244))
            .add_modifier(Modifier::DIM | Modifier::ITALIC)
    );
    assert_eq!(
        theme.selected,
        Style::new()
            .fg(Color::LightBlue)
            .add_modifier(Modifier::REVERSED | Modifier::UNDERLINED)
    );
    assert_eq!(theme.base, Style::default());
}

#[test]
fn unknown_style_name_suggests_the_closest() {
    assert_eq!(
        error("[styles]\nbase = { fg = \"red\" }\nheadr = { bold = true }\n"),
        "/themes/mine.toml:3:1: unknown style `headr` in [styles]\n  hint: did you mean `header`?"
    );
    assert_eq!(
        error("[styles]\nsparkles = {}\n"),
        format!(
            "/themes/mine.toml:2:1: unknown style `sparkles` in [styles]\n  hint: styles: {}",
            Theme::style_names().join(", ")
        )
    );
}

#[test]
fn unknown_style_attribute() {
    assert_eq!(
        error("[styles]\nheader = { fg = \"red\", bolt = true }\n"),
        "/themes/mine.toml:2:24: unknown field `bolt`, expected one of `fg`, `bg`, `bold`, \
         `dim`, `italic`, `underline`, `reversed`\n  hint: did you mean `bold`?"
    );
}

#[test]
fn unknown_top_level_key() {
    assert_eq!(
        error("[style]\n"),
        "/themes/mine.toml:1:2: unknown field `style`, expected `styles`\n  hint: did you mean `styles`?"
    );
}

#[test]
fn bad_colours() {
    assert_eq!(
        error("[styles]\n\nok = { fg = \"blu\" }\n"),
        "/themes/mine.toml:3:13: unknown colour `blu`: expected a name (black, red, green, \
         yellow, blue, magenta, cyan, gray, darkgray, white, light<colour>, reset), \"#rrggbb\" \
         or 0-255"
    );
    assert_eq!(
        error("[styles]\nok = { bg = 300 }\n"),
        "/themes/mine.toml:2:13: colour index 300 is out of range: expected 0-255"
    );
    assert_eq!(
        error("[styles]\nok = \"green\"\n"),
        "/themes/mine.toml:2:6: invalid type: string \"green\", expected a style such as \
         { fg = \"cyan\", bold = true }"
    );
}

#[test]
fn syntax_error() {
    assert_eq!(
        error("[styles]\nok = { fg = \"green\" \n"),
        "/themes/mine.toml:2:20: unclosed inline table, expected `}`"
    );
}

#[test]
fn lookup_prefers_user_dir_then_project_dir_then_built_in() {
    let user = tempfile::tempdir().unwrap();
    let project = tempfile::tempdir().unwrap();
    let dirs = [user.path().to_path_buf(), project.path().to_path_buf()];
    std::fs::write(
        project.path().join("dark.toml"),
        "[styles]\nbase = { fg = \"red\" }\n",
    )
    .unwrap();
    assert_eq!(
        load_theme_in("dark", &dirs).unwrap().base.fg,
        Some(Color::Red)
    );
    std::fs::write(
        user.path().join("dark.toml"),
        "[styles]\nbase = { fg = \"blue\" }\n",
    )
    .unwrap();
    assert_eq!(
        load_theme_in("dark", &dirs).unwrap().base.fg,
        Some(Color::Blue)
    );
    let light = load_theme_in("light", &dirs).unwrap();
    assert_eq!(
        light,
        parse_theme("light", BUILT_IN[1].1, Path::new("")).unwrap()
    );
}

#[test]
fn missing_themes_dir_falls_back_to_built_in_dark() {
    let dirs = [
        PathBuf::from("/nonexistent/a"),
        PathBuf::from("/nonexistent/b"),
    ];
    let theme = resolve_with(None, &dirs, None, None).unwrap();
    assert_eq!(theme.name, "dark");
    assert_eq!(theme.header.fg, Some(Color::Cyan));
}

#[test]
fn unknown_name_lists_the_available_themes() {
    let user = tempfile::tempdir().unwrap();
    std::fs::write(user.path().join("ocean.toml"), "").unwrap();
    let dirs = [user.path().to_path_buf()];
    assert_eq!(
        load_theme_in("drak", &dirs).unwrap_err().to_string(),
        format!(
            "{}: unknown theme `drak`\n  hint: available themes: dark, light, ocean, solarized",
            user.path().join("drak.toml").display()
        )
    );
}

#[test]
fn a_path_is_loaded_directly_and_named_by_its_stem() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("night.toml");
    std::fs::write(&path, "[styles]\nerror = { fg = 196 }\n").unwrap();
    let theme = load_theme(path.to_str().unwrap()).unwrap();
    assert_eq!(theme.name, "night");
    assert_eq!(theme.error.fg, Some(Color::Indexed(196)));
    let missing = dir.path().join("gone.toml");
    assert_eq!(
        load_theme(missing.to_str().unwrap())
            .unwrap_err()
            .to_string(),
        format!(
            "{}: cannot read theme: No such file or directory (os error 2)",
            missing.display()
        )
    );
}

#[test]
fn bad_theme_file_reports_its_path() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("broken.toml"),
        "[styles]\nok = { fg = \"nope\" }\n",
    )
    .unwrap();
    let err = load_theme_in("broken", &[dir.path().to_path_buf()]).unwrap_err();
    assert_eq!(err.path, dir.path().join("broken.toml"));
    assert_eq!(err.position, Some((2, 13)));
}

#[test]
fn cli_beats_config_and_no_color_beats_both() {
    let dirs: [PathBuf; 0] = [];
    let chosen = |env: Option<&str>, cli, config| {
        resolve_with(env.map(OsString::from), &dirs, cli, config)
            .unwrap()
            .name
    };
    assert_eq!(chosen(None, Some("light"), Some("solarized")), "light");
    assert_eq!(chosen(None, None, Some("solarized")), "solarized");
    assert_eq!(chosen(Some(""), None, Some("light")), "light");
    assert_eq!(chosen(Some("1"), Some("light"), None), "no-color");
    assert!(resolve_with(Some("1".into()), &dirs, Some("nonexistent"), None).is_ok());
}

#[test]
fn no_color_uses_modifiers_only() {
    let mut theme = no_color();
    for (name, style) in theme.slots() {
        assert_eq!(style.fg, None, "{name}");
        assert_eq!(style.bg, None, "{name}");
    }
    assert!(theme.selected.add_modifier.contains(Modifier::REVERSED));
    assert!(theme.header.add_modifier.contains(Modifier::BOLD));
}
