//! `o`: a page opened in the user's browser when this machine has one (`open` on macOS,
//! `xdg-open` under a desktop session), else shown in the status bar to open elsewhere (SSH).

use std::process::{Command, Stdio};

use crate::sanitize;

/// The program that opens a URL here, if there is a browser to open it in.
fn opener() -> Option<&'static str> {
    if cfg!(target_os = "macos") {
        return Some("open");
    }
    let desktop = ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()));
    desktop.then_some("xdg-open")
}

/// Opens `url` or says where it is; the message for the status bar.
pub fn open(url: &str) -> Result<String, String> {
    let shown = sanitize::line(url);
    let Some(program) = opener() else {
        return Ok(format!("no browser here; open {shown}"));
    };
    match Command::new(program)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
    {
        Ok(mut child) => {
            // Reap it when it ends (xdg-open returns once the browser has the page).
            std::thread::spawn(move || child.wait());
            Ok(format!("opened {shown}"))
        }
        Err(e) => Err(format!("{program} failed ({e}); open {shown}")),
    }
}
