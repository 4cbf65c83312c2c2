//! Is the emulator ready? It prints `READY <endpoint>` after seeding, and its moto server
//! answers `GET /moto-api/` with 200. Checked with a plain HTTP request on 127.0.0.1.

use std::fs;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::Duration;

const CONNECT_TIMEOUT: Duration = Duration::from_millis(500);
const IO_TIMEOUT: Duration = Duration::from_secs(3);
/// The header that carries the sandbox's control token (sandbox/platform_ext/http_api.py).
pub const CONTROL_TOKEN_HEADER: &str = "X-Platform-Api-Token";
/// How many log lines an error message quotes.
pub const QUOTED_LOG_LINES: usize = 12;

/// True if the moto server on 127.0.0.1:`port` answers `GET /moto-api/` with 200.
pub fn answers(port: u16) -> bool {
    status_code(port, "/moto-api/") == Some(200)
}

fn status_code(port: u16, path: &str) -> Option<u16> {
    request(port, "GET", path, None).map(|(status, _)| status)
}

/// One plain HTTP/1.1 request to the emulator on 127.0.0.1:`port`: (status, body), or `None`
/// when nothing answers. `body` is sent as JSON.
pub fn request(port: u16, method: &str, path: &str, body: Option<&str>) -> Option<(u16, String)> {
    request_with_token(port, method, path, body, None)
}

/// [`request`] with the sandbox's control token (the emulator's `/platform-api/` needs it).
pub fn request_with_token(
    port: u16,
    method: &str,
    path: &str,
    body: Option<&str>,
    token: Option<&str>,
) -> Option<(u16, String)> {
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let mut stream = TcpStream::connect_timeout(&address, CONNECT_TIMEOUT).ok()?;
    stream.set_read_timeout(Some(IO_TIMEOUT)).ok()?;
    stream.set_write_timeout(Some(IO_TIMEOUT)).ok()?;
    let body = body.unwrap_or("");
    let token = token
        .map(|t| format!("{CONTROL_TOKEN_HEADER}: {t}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\
         {token}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).ok()?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).ok()?;
    let text = String::from_utf8_lossy(&response);
    // "HTTP/1.1 200 OK\r\n...headers...\r\n\r\nbody"
    let status = text
        .lines()
        .next()?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Some((status, body))
}

/// The endpoint from the emulator's `READY <endpoint>` line, once it has been written.
pub fn ready_endpoint(log: &Path) -> Option<String> {
    let text = fs::read(log).ok()?;
    String::from_utf8_lossy(&text)
        .lines()
        .find_map(|line| line.strip_prefix("READY ").map(|e| e.trim().to_string()))
}

/// The last lines of the emulator's log, made safe to print (they may quote remote text).
pub fn last_log_lines(log: &Path) -> String {
    let text = fs::read(log).unwrap_or_default();
    super::quote_tail(&String::from_utf8_lossy(&text), QUOTED_LOG_LINES)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    #[test]
    fn a_closed_port_does_not_answer() {
        let port = TcpListener::bind(("127.0.0.1", 0))
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        assert!(!answers(port));
    }

    #[test]
    fn ready_line_gives_the_endpoint() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("emulator.log");
        fs::write(&log, "emulator: listening\n").unwrap();
        assert_eq!(ready_endpoint(&log), None);
        fs::write(&log, "emulator: listening\nREADY http://127.0.0.1:5000\n").unwrap();
        assert_eq!(
            ready_endpoint(&log).as_deref(),
            Some("http://127.0.0.1:5000")
        );
    }

    #[test]
    fn quoted_log_lines_are_sanitized_and_limited() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("emulator.log");
        let mut text: String = (0..30).map(|n| format!("line {n}\n")).collect();
        text.push_str("key \x1b]0;pwned\x07 end\n");
        fs::write(&log, text).unwrap();
        let quoted = last_log_lines(&log);
        assert_eq!(quoted.lines().count(), QUOTED_LOG_LINES);
        assert!(
            !quoted.contains('\x1b') && !quoted.contains('\x07'),
            "{quoted:?}"
        );
        assert!(quoted.contains("line 29") && !quoted.contains("line 10\n"));
    }
}
