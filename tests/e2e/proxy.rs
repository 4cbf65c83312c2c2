//! A loopback TCP proxy in front of the emulator that misbehaves on demand: it delays every
//! answer 5 s, drops the connection in the middle of an answer, answers garbage that is not
//! HTTP (with escape sequences in it), drips the answer a byte at a time, or never answers.
//! The mode is read for every chunk, so a switch applies to connections already open (the
//! SDK keeps them alive). Threads end when the proxy drops or their sockets close.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Mode {
    Forward,
    /// Each answer chunk waits 5 s.
    Delay,
    /// Half of the first answer chunk, then both sockets close.
    DropMidResponse,
    /// Not HTTP: bytes with a terminal escape sequence, then close.
    Garbage,
    /// The answer a byte every 20 ms.
    Drip,
    /// Requests are read and never answered (until the mode changes).
    Hang,
}

const MODES: [Mode; 6] = [
    Mode::Forward,
    Mode::Delay,
    Mode::DropMidResponse,
    Mode::Garbage,
    Mode::Drip,
    Mode::Hang,
];
pub const DELAY: Duration = Duration::from_secs(5);
const DRIP_EVERY: Duration = Duration::from_millis(20);
/// Garbage that a careless error message would copy to the terminal.
pub const GARBAGE: &[u8] = b"HTXP/9 \x1b]0;pwned\x07\x1b[2J\xff\xfe\x00 not http\r\n\r\n";

pub struct Proxy {
    port: u16,
    shared: Arc<SharedState>,
}

struct SharedState {
    mode: AtomicU8,
    stopped: AtomicBool,
    upstream: u16,
}

impl SharedState {
    fn mode(&self) -> Mode {
        MODES[usize::from(self.mode.load(Ordering::SeqCst))]
    }
}

impl Proxy {
    /// Listens on a free port of 127.0.0.1 and forwards to 127.0.0.1:`upstream`.
    pub fn start(upstream: u16) -> Proxy {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind the proxy");
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(SharedState {
            mode: AtomicU8::new(Mode::Forward as u8),
            stopped: AtomicBool::new(false),
            upstream,
        });
        let state = Arc::clone(&shared);
        thread::spawn(move || {
            for client in listener.incoming() {
                if state.stopped.load(Ordering::SeqCst) {
                    return;
                }
                if let Ok(client) = client {
                    let state = Arc::clone(&state);
                    thread::spawn(move || relay(client, &state));
                }
            }
        });
        Proxy { port, shared }
    }

    pub fn set(&self, mode: Mode) {
        self.shared.mode.store(mode as u8, Ordering::SeqCst);
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.shared.stopped.store(true, Ordering::SeqCst);
        // Wakes the accept loop so that it sees the flag.
        let _ = TcpStream::connect((Ipv4Addr::LOCALHOST, self.port));
    }
}

/// One client connection: requests go upstream as they come (or get garbage back); answers
/// come back through the mode.
fn relay(client: TcpStream, state: &Arc<SharedState>) {
    let Ok(upstream) = TcpStream::connect((Ipv4Addr::LOCALHOST, state.upstream)) else {
        return;
    };
    let (Ok(mut client_in), Ok(mut upstream_out)) = (client.try_clone(), upstream.try_clone())
    else {
        return;
    };
    let requests_state = Arc::clone(state);
    let client_for_garbage = client.try_clone().ok();
    thread::spawn(move || {
        let mut buffer = [0u8; 16 * 1024];
        let mut garbage_to = client_for_garbage;
        loop {
            let read = client_in.read(&mut buffer).unwrap_or(0);
            if read == 0 || requests_state.stopped.load(Ordering::SeqCst) {
                let _ = upstream_out.shutdown(Shutdown::Both);
                return;
            }
            if requests_state.mode() == Mode::Garbage {
                if let Some(mut client) = garbage_to.take() {
                    let _ = client.write_all(GARBAGE);
                    let _ = client.shutdown(Shutdown::Both);
                }
                let _ = upstream_out.shutdown(Shutdown::Both);
                return;
            }
            if upstream_out.write_all(&buffer[..read]).is_err() {
                return;
            }
        }
    });
    answers(upstream, client, state);
}

fn answers(mut upstream: TcpStream, mut client: TcpStream, state: &SharedState) {
    let mut buffer = [0u8; 16 * 1024];
    loop {
        let read = upstream.read(&mut buffer).unwrap_or(0);
        if read == 0 {
            let _ = client.shutdown(Shutdown::Both);
            return;
        }
        let chunk = &buffer[..read];
        while state.mode() == Mode::Hang && !state.stopped.load(Ordering::SeqCst) {
            thread::sleep(Duration::from_millis(50));
        }
        let sent = match state.mode() {
            Mode::Forward | Mode::Hang | Mode::Garbage => client.write_all(chunk),
            Mode::Delay => {
                thread::sleep(DELAY);
                client.write_all(chunk)
            }
            Mode::DropMidResponse => {
                let _ = client.write_all(&chunk[..chunk.len() / 2]);
                let _ = client.shutdown(Shutdown::Both);
                let _ = upstream.shutdown(Shutdown::Both);
                return;
            }
            Mode::Drip => chunk.iter().try_for_each(|byte| {
                thread::sleep(DRIP_EVERY);
                client.write_all(std::slice::from_ref(byte))
            }),
        };
        if sent.is_err() || state.stopped.load(Ordering::SeqCst) {
            let _ = upstream.shutdown(Shutdown::Both);
            return;
        }
    }
}
