//! What a terminal remembers besides the screen: the requests that are not drawing (window
//! title, bells, other OSC sequences) and the line discipline's modes (raw or cooked).

use std::os::unix::io::RawFd;

/// Everything the program asked of the terminal besides drawing, as the vt100 parser saw it.
#[derive(Clone, Debug, Default)]
pub struct TerminalEvents {
    pub window_titles: Vec<String>,
    pub icon_names: Vec<String>,
    pub other_osc: Vec<String>,
    pub bells: usize,
}

impl TerminalEvents {
    /// True when nothing but drawing reached the terminal.
    pub fn is_empty(&self) -> bool {
        self.window_titles.is_empty()
            && self.icon_names.is_empty()
            && self.other_osc.is_empty()
            && self.bells == 0
    }
}

impl vt100::Callbacks for TerminalEvents {
    fn audible_bell(&mut self, _: &mut vt100::Screen) {
        self.bells += 1;
    }

    fn set_window_icon_name(&mut self, _: &mut vt100::Screen, name: &[u8]) {
        self.icon_names
            .push(String::from_utf8_lossy(name).into_owned());
    }

    fn set_window_title(&mut self, _: &mut vt100::Screen, title: &[u8]) {
        self.window_titles
            .push(String::from_utf8_lossy(title).into_owned());
    }

    fn unhandled_osc(&mut self, _: &mut vt100::Screen, params: &[&[u8]]) {
        let params: Vec<_> = params.iter().map(|p| String::from_utf8_lossy(p)).collect();
        self.other_osc.push(params.join(";"));
    }
}

/// The local modes of a terminal that a full-screen program changes (raw mode) and must
/// give back: canonical line editing, echo, signals from keys, and output post-processing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TerminalModes {
    pub canonical: bool,
    pub echo: bool,
    pub signals: bool,
    pub output_processing: bool,
}

impl TerminalModes {
    /// Reads the modes of the terminal behind `fd` (the pty master shares the slave's).
    pub fn of(fd: RawFd) -> TerminalModes {
        // SAFETY: termios is plain data, fully written by a successful tcgetattr.
        let mut termios: libc::termios = unsafe { std::mem::zeroed() };
        // SAFETY: fd is the open pty master owned by the caller; termios is a valid pointer.
        let result = unsafe { libc::tcgetattr(fd, &mut termios) };
        assert_eq!(
            result,
            0,
            "tcgetattr on the pty: {}",
            std::io::Error::last_os_error()
        );
        TerminalModes {
            canonical: termios.c_lflag & libc::ICANON != 0,
            echo: termios.c_lflag & libc::ECHO != 0,
            signals: termios.c_lflag & libc::ISIG != 0,
            output_processing: termios.c_oflag & libc::OPOST != 0,
        }
    }
}
