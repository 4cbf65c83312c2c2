//! How requests reach an Airflow REST API and stay authorized:
//! - self-hosted 2.x: `/api/v1` with basic auth;
//! - self-hosted 3.x: `/api/v2` with a JWT from `POST /auth/token`;
//! - MWAA: InvokeRestApi when the path fits its 64 characters, otherwise the webserver itself
//!   after a web login (CreateWebLoginToken, then `/aws_mwaa/login` → session cookie on 2.x, or
//!   `/pluginsv2/aws_mwaa/login` → `_token` JWT cookie used as Bearer on 3.x).
//!
//! The dialect is detected on first use and kept; a session is opened on first use, renewed
//! shortly before it expires and once more when the server answers 401. Nothing is cached
//! after a failure, so a server that was down is simply tried again by the next call.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};
use tokio::sync::{Mutex, OnceCell};

use super::auth::{jwt_expiry, Expiry};
use super::wire;
use crate::aws::mwaa::Mwaa;
use crate::bounded;

/// The longest path InvokeRestApi accepts.
pub(crate) const INVOKE_PATH_LIMIT: usize = 64;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Attempts of a call that only reads, when the server answers 429 or 5xx (first included).
const ATTEMPTS: u32 = 3;
/// The wait before the first retry; it doubles after each, with full jitter.
const RETRY_BASE: Duration = Duration::from_millis(200);
/// How long an MWAA 2.x session cookie is trusted when the cookie does not say.
const COOKIE_LIFETIME: Duration = Duration::from_secs(10 * 60);

/// The REST API dialect of a server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// `/api/v1`, Airflow 2.x.
    V1,
    /// `/api/v2`, Airflow 3.x.
    V2,
}

impl Api {
    /// The dialect of an Airflow version string (`2.10.5`, `3.0.6`): 3 and later speak v2.
    pub fn of_version(version: &str) -> Api {
        let major: u32 = version
            .trim()
            .split(['.', '-', '+'])
            .next()
            .and_then(|m| m.parse().ok())
            .unwrap_or(2);
        if major >= 3 {
            Api::V2
        } else {
            Api::V1
        }
    }

    pub fn root(self) -> &'static str {
        match self {
            Api::V1 => "/api/v1",
            Api::V2 => "/api/v2",
        }
    }
}

/// The detected dialect and the version the server reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dialect {
    pub api: Api,
    pub version: Option<String>,
}

/// A user and password for a self-hosted server.
#[derive(Clone)]
pub(crate) struct Login {
    pub username: String,
    pub password: String,
}

/// Where the API is.
pub(crate) enum Access {
    Server {
        base_url: String,
        login: Option<Login>,
    },
    Mwaa {
        mwaa: Mwaa,
        environment: String,
        /// `https` for AWS, `http` for a local emulator.
        scheme: &'static str,
        airflow_version: Option<String>,
    },
}

/// One call of the REST API; `path` is relative to the API root (`/dags/x`), already encoded.
pub(crate) struct Call {
    pub method: Method,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub body: Option<Value>,
    /// Whether the call only reads, so sending it again is harmless (GET, a batch list).
    pub reads_only: bool,
}

/// Why a call failed, before it is worded for people.
#[derive(Debug)]
pub(crate) enum Failure {
    Unreachable(String),
    /// The API answered with this status; the message is its own words.
    Status(u16, String),
    Other(String),
}

/// An open session: where to send requests and with what.
#[derive(Clone)]
struct Session {
    base_url: String,
    credential: Credential,
    expiry: Option<Expiry>,
}

#[derive(Clone)]
enum Credential {
    None,
    Basic(Login),
    Bearer(String),
    Cookie(String),
}

pub(crate) struct Transport {
    access: Access,
    http: reqwest::Client,
    dialect: OnceCell<Dialect>,
    session: Mutex<Option<Session>>,
    logins: AtomicU64,
    requests: AtomicU64,
}

impl Transport {
    pub fn new(access: Access) -> Transport {
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            // Login routes answer with a redirect whose Set-Cookie is what we need.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("the HTTP client builds");
        Transport {
            access,
            http,
            dialect: OnceCell::new(),
            session: Mutex::new(None),
            logins: AtomicU64::new(0),
            requests: AtomicU64::new(0),
        }
    }

    /// How many sessions were opened so far (logins, token fetches).
    pub fn logins(&self) -> u64 {
        self.logins.load(Ordering::Relaxed)
    }

    /// How many requests were sent so far (every HTTP request and InvokeRestApi call,
    /// version checks, logins and retries included).
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    pub async fn dialect(&self) -> Result<&Dialect, Failure> {
        self.dialect.get_or_try_init(|| self.detect()).await
    }

    async fn detect(&self) -> Result<Dialect, Failure> {
        match &self.access {
            Access::Mwaa {
                airflow_version, ..
            } => Ok(Dialect {
                api: Api::of_version(airflow_version.as_deref().unwrap_or("2")),
                version: airflow_version.clone(),
            }),
            Access::Server { base_url, login } => {
                let v2 = self.http.get(format!("{base_url}/api/v2/version"));
                let (status, body) = self.read(v2).await?;
                match status {
                    s if s.is_success() => Ok(Dialect {
                        api: Api::V2,
                        version: wire::text(&body, "version"),
                    }),
                    StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Ok(Dialect {
                        api: Api::V2,
                        version: None,
                    }),
                    _ => {
                        let mut v1 = self.http.get(format!("{base_url}/api/v1/version"));
                        if let Some(login) = login {
                            v1 = v1.basic_auth(&login.username, Some(&login.password));
                        }
                        let (status, body) = self.read(v1).await?;
                        if status.is_success() || status == StatusCode::UNAUTHORIZED {
                            Ok(Dialect {
                                api: Api::of_version(
                                    wire::text(&body, "version").as_deref().unwrap_or("2"),
                                ),
                                version: wire::text(&body, "version"),
                            })
                        } else {
                            Err(Failure::Other(format!(
                                "{base_url} serves neither /api/v2/version nor /api/v1/version \
                                 (HTTP {status}): is this an Airflow api-server or webserver?"
                            )))
                        }
                    }
                }
            }
        }
    }

    /// Sends `call` and returns the JSON answer (`null` for an empty one). A call that only
    /// reads is sent again when the server is overloaded or failing (429, 5xx), at most
    /// [`ATTEMPTS`] times in all, after a jittered, doubling wait.
    pub async fn send(&self, call: &Call) -> Result<Value, Failure> {
        let mut attempt = 1;
        loop {
            match self.send_once(call).await {
                Err(Failure::Status(status, _))
                    if call.reads_only && attempt < ATTEMPTS && worth_retrying(status) =>
                {
                    tokio::time::sleep(jittered_backoff(attempt)).await;
                    attempt += 1;
                }
                result => return result,
            }
        }
    }

    async fn send_once(&self, call: &Call) -> Result<Value, Failure> {
        let api = self.dialect().await?.api;
        if let Access::Mwaa {
            mwaa, environment, ..
        } = &self.access
        {
            let path = decode_path(&call.path);
            if path.len() <= INVOKE_PATH_LIMIT {
                self.requests.fetch_add(1, Ordering::Relaxed);
                return invoke(mwaa, environment, &path, call).await;
            }
        }
        let session = self.session(api, false).await?;
        let (status, body) = self.read(self.request(api, &session, call)).await?;
        if status != StatusCode::UNAUTHORIZED || matches!(session.credential, Credential::None) {
            return answer(status, body);
        }
        let session = self.session(api, true).await?;
        let (status, body) = self.read(self.request(api, &session, call)).await?;
        answer(status, body)
    }

    fn request(&self, api: Api, session: &Session, call: &Call) -> reqwest::RequestBuilder {
        let url = format!("{}{}{}", session.base_url, api.root(), call.path);
        let mut request = self
            .http
            .request(call.method.clone(), url)
            .header(header::ACCEPT, "application/json");
        if !call.query.is_empty() {
            request = request.query(&call.query);
        }
        if let Some(body) = &call.body {
            request = request.json(body);
        }
        match &session.credential {
            Credential::None => request,
            Credential::Basic(login) => request.basic_auth(&login.username, Some(&login.password)),
            Credential::Bearer(token) => request.bearer_auth(token),
            Credential::Cookie(cookie) => request.header(header::COOKIE, cookie),
        }
    }

    /// The current session, opening a new one when there is none, it is about to expire, or
    /// `renew` (the server refused the current one).
    async fn session(&self, api: Api, renew: bool) -> Result<Session, Failure> {
        let mut current = self.session.lock().await;
        if let Some(session) = current.as_ref() {
            let fresh = session.expiry.is_none_or(|e| !e.is_due(now_secs()));
            if fresh && !renew {
                return Ok(session.clone());
            }
        }
        *current = None;
        let session = self.open_session(api).await?;
        self.logins.fetch_add(1, Ordering::Relaxed);
        *current = Some(session.clone());
        Ok(session)
    }

    async fn open_session(&self, api: Api) -> Result<Session, Failure> {
        match &self.access {
            Access::Server { base_url, login } => {
                self.server_session(base_url, login.as_ref(), api).await
            }
            Access::Mwaa {
                mwaa,
                environment,
                scheme,
                ..
            } => self.web_login(mwaa, environment, scheme, api).await,
        }
    }

    /// Self-hosted: no credentials, basic auth (2.x), or a JWT from `POST /auth/token` (3.x).
    async fn server_session(
        &self,
        base_url: &str,
        login: Option<&Login>,
        api: Api,
    ) -> Result<Session, Failure> {
        let session = |credential, expiry| Session {
            base_url: base_url.to_owned(),
            credential,
            expiry,
        };
        let Some(login) = login else {
            return Ok(session(Credential::None, None));
        };
        if api == Api::V1 {
            return Ok(session(Credential::Basic(login.clone()), None));
        }
        let request = self
            .http
            .post(format!("{base_url}/auth/token"))
            .json(&json!({"username": login.username, "password": login.password}));
        let (status, body) = self.read(request).await?;
        let body = answer(status, body).map_err(|failure| match failure {
            // A refused login is "unauthorized" whatever status the version uses for it.
            Failure::Status(s, message) => Failure::Status(
                if s == 400 || s == 403 { 401 } else { s },
                format!("POST /auth/token as {}: {message}", login.username),
            ),
            other => other,
        })?;
        let token = wire::text(&body, "access_token").ok_or_else(|| {
            Failure::Other("POST /auth/token answered without an access_token".into())
        })?;
        Ok(session(
            Credential::Bearer(token.clone()),
            jwt_expiry(&token),
        ))
    }

    /// MWAA: a web-login token, posted to the webserver's login route; 3.x answers with a
    /// `_token` JWT cookie (a Bearer token for /api/v2), 2.x with a `session` cookie.
    async fn web_login(
        &self,
        mwaa: &Mwaa,
        environment: &str,
        scheme: &str,
        api: Api,
    ) -> Result<Session, Failure> {
        let token = mwaa
            .web_login_token(environment)
            .await
            .map_err(failure_of_aws)?;
        let base_url = format!("{scheme}://{}", token.webserver_hostname);
        let route = match api {
            Api::V1 => "/aws_mwaa/login",
            Api::V2 => "/pluginsv2/aws_mwaa/login",
        };
        let request = self
            .http
            .post(format!("{base_url}{route}"))
            .form(&[("token", token.token.as_str())]);
        let response = request.send().await.map_err(|e| unreachable_or_other(&e))?;
        let status = response.status();
        let cookies: Vec<String> = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect();
        if status.is_client_error() || status.is_server_error() {
            return Err(Failure::Status(
                status.as_u16(),
                format!("the web login at {base_url}{route} was refused"),
            ));
        }
        let (credential, expiry) = match api {
            Api::V2 => {
                let jwt = cookie_value(&cookies, "_token");
                let expiry = jwt.as_deref().and_then(jwt_expiry);
                (jwt.map(Credential::Bearer), expiry)
            }
            Api::V1 => {
                let lifetime = cookie_max_age(&cookies, "session").unwrap_or(COOKIE_LIFETIME);
                let session = cookie_value(&cookies, "session");
                (
                    session.map(|s| Credential::Cookie(format!("session={s}"))),
                    Some(Expiry::after(now_secs(), lifetime)),
                )
            }
        };
        let Some(credential) = credential else {
            return Err(Failure::Other(format!(
                "the web login at {base_url}{route} set no session (HTTP {status})"
            )));
        };
        Ok(Session {
            base_url,
            credential,
            expiry,
        })
    }

    /// Sends and reads the answer as JSON (`null` when empty, `{"detail": text}` when not JSON).
    async fn read(&self, request: reqwest::RequestBuilder) -> Result<(StatusCode, Value), Failure> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let response = request.send().await.map_err(|e| unreachable_or_other(&e))?;
        let status = response.status();
        let url = response.url().clone();
        let chunks = futures::stream::unfold(response, |mut response| async move {
            match response.chunk().await {
                Ok(Some(chunk)) => Some((Ok(chunk), response)),
                Ok(None) => None,
                Err(e) => Some((Err(e), response)),
            }
        });
        let body = bounded::collect(Box::pin(chunks), bounded::MAX_REST_BODY_BYTES)
            .await
            .map_err(|e| unreachable_or_other(&e))?;
        if let Some(notice) = body.cut_notice("the answer") {
            return Err(Failure::Other(format!(
                "{url} answered more than Airflow should ({notice}): not read"
            )));
        }
        Ok((status, wire::body(&body.data)))
    }
}

/// Too many requests, or a server error that may pass (a restart, an overloaded worker).
fn worth_retrying(status: u16) -> bool {
    status == 429 || (500..600).contains(&status)
}

/// The wait before retry `attempt` (1 for the first): between half and all of
/// `RETRY_BASE * 2^(attempt-1)`, at random, so clients that failed together do not retry
/// together.
fn jittered_backoff(attempt: u32) -> Duration {
    use std::hash::{BuildHasher, Hasher};
    let ceiling = RETRY_BASE * 2u32.pow(attempt.saturating_sub(1).min(8));
    let random = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    let fraction = (random % 1_000) as f64 / 1_000.0;
    ceiling.mul_f64(0.5 + fraction / 2.0)
}

/// One call through InvokeRestApi; `path` decoded (see [`decode_path`]).
async fn invoke(mwaa: &Mwaa, environment: &str, path: &str, call: &Call) -> Result<Value, Failure> {
    let answer_of = mwaa
        .invoke_rest_api(
            environment,
            call.method.as_str(),
            path,
            &call.query,
            call.body.as_ref(),
        )
        .await
        .map_err(failure_of_aws)?;
    answer(
        StatusCode::from_u16(answer_of.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        answer_of.body,
    )
}

/// An MWAA API failure: no answer, refused (403), no such environment (404), or other.
fn failure_of_aws(e: crate::aws::AwsError) -> Failure {
    use crate::aws::ErrorKind as Aws;
    match e.kind {
        Aws::Unreachable | Aws::Timeout => Failure::Unreachable(e.to_string()),
        Aws::AccessDenied | Aws::Credentials => Failure::Status(403, e.to_string()),
        Aws::NotFound => Failure::Status(404, e.to_string()),
        _ => Failure::Other(e.to_string()),
    }
}

/// InvokeRestApi takes the path as Airflow routes it: percent-escapes are sent decoded.
fn decode_path(path: &str) -> String {
    percent_encoding::percent_decode_str(path)
        .decode_utf8_lossy()
        .into_owned()
}

fn answer(status: StatusCode, body: Value) -> Result<Value, Failure> {
    if status.is_success() {
        return Ok(body);
    }
    let message = wire::error_message(&body)
        .unwrap_or_else(|| status.canonical_reason().unwrap_or("error").to_owned());
    Err(Failure::Status(status.as_u16(), message))
}

/// A request that got no answer (refused, reset, timed out) means the server is unreachable;
/// anything else (an unreadable body) is another failure.
fn unreachable_or_other(e: &reqwest::Error) -> Failure {
    let url = e.url().map(|u| u.to_string()).unwrap_or_default();
    let mut cause = String::new();
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        cause = inner.to_string();
        source = inner.source();
    }
    if e.is_timeout() {
        Failure::Unreachable(format!("{url} did not answer in time"))
    } else if e.is_connect() || e.is_request() {
        Failure::Unreachable(format!("{url} did not answer: {cause}"))
    } else {
        Failure::Other(format!("{url}: {e}: {cause}"))
    }
}

/// The value of cookie `name` among `Set-Cookie` headers.
fn cookie_value(set_cookies: &[String], name: &str) -> Option<String> {
    set_cookies.iter().find_map(|c| {
        let (pair, _) = c.split_once(';').unwrap_or((c.as_str(), ""));
        let (key, value) = pair.split_once('=')?;
        (key.trim() == name && !value.trim().is_empty()).then(|| value.trim().to_owned())
    })
}

fn cookie_max_age(set_cookies: &[String], name: &str) -> Option<Duration> {
    let cookie = set_cookies
        .iter()
        .find(|c| c.trim_start().starts_with(&format!("{name}=")))?;
    cookie.split(';').find_map(|attribute| {
        let (key, value) = attribute.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("max-age")
            .then(|| value.trim().parse().ok().map(Duration::from_secs))?
    })
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_pick_the_dialect() {
        assert_eq!(Api::of_version("3.3.2"), Api::V2);
        assert_eq!(Api::of_version("3.0.6"), Api::V2);
        assert_eq!(Api::of_version("2.10.5"), Api::V1);
        assert_eq!(Api::of_version("2.11.0+astro.1"), Api::V1);
        assert_eq!(Api::of_version("garbage"), Api::V1);
        assert_eq!(Api::V2.root(), "/api/v2");
    }

    #[test]
    fn cookies_are_read_from_set_cookie_headers() {
        let headers = vec![
            "_token=eyJ.x.y; Path=/; SameSite=Lax".to_owned(),
            "session=abc123; Max-Age=600; HttpOnly; Path=/".to_owned(),
        ];
        assert_eq!(cookie_value(&headers, "_token").as_deref(), Some("eyJ.x.y"));
        assert_eq!(cookie_value(&headers, "session").as_deref(), Some("abc123"));
        assert_eq!(cookie_value(&headers, "other"), None);
        assert_eq!(
            cookie_max_age(&headers, "session"),
            Some(Duration::from_secs(600))
        );
        assert_eq!(cookie_max_age(&headers, "_token"), None);
    }

    /// A server on 127.0.0.1 that answers each request with the next of `statuses` (the last
    /// one again when they run out) and counts the requests.
    async fn answering(statuses: Vec<u16>) -> (String, std::sync::Arc<AtomicU64>) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let count = std::sync::Arc::new(AtomicU64::new(0));
        let counted = count.clone();
        tokio::spawn(async move {
            loop {
                let Ok((mut socket, _)) = listener.accept().await else {
                    return;
                };
                let mut request = [0u8; 4096];
                let _ = socket.read(&mut request).await;
                let n = counted.fetch_add(1, Ordering::SeqCst) as usize;
                let status = statuses[n.min(statuses.len() - 1)];
                let body = r#"{"version": "3.3.2", "dags": [], "total_entries": 0}"#;
                let answer = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n\
                     content-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(answer.as_bytes()).await;
            }
        });
        (url, count)
    }

    fn transport(url: &str) -> Transport {
        Transport::new(Access::Server {
            base_url: url.to_owned(),
            login: None,
        })
    }

    fn call(method: Method, reads_only: bool) -> Call {
        Call {
            method,
            path: "/dags".into(),
            query: Vec::new(),
            body: None,
            reads_only,
        }
    }

    #[tokio::test]
    async fn reads_are_retried_on_server_errors_and_throttling() {
        // The version check, then 503 and 429 before the answer.
        let (url, count) = answering(vec![200, 503, 429, 200]).await;
        let transport = transport(&url);
        assert!(transport.send(&call(Method::GET, true)).await.is_ok());
        assert_eq!(count.load(Ordering::SeqCst), 4);
        assert_eq!(transport.requests(), 4);
    }

    #[tokio::test]
    async fn retries_are_bounded_and_changes_are_not_retried() {
        let (url, count) = answering(vec![200, 500]).await;
        let transport = transport(&url);
        let failure = transport.send(&call(Method::GET, true)).await.unwrap_err();
        assert!(matches!(failure, Failure::Status(500, _)), "{failure:?}");
        assert_eq!(count.load(Ordering::SeqCst), 1 + ATTEMPTS as u64);
        let failure = transport
            .send(&call(Method::POST, false))
            .await
            .unwrap_err();
        assert!(matches!(failure, Failure::Status(500, _)), "{failure:?}");
        assert_eq!(count.load(Ordering::SeqCst), 2 + ATTEMPTS as u64);
        // A client error is the answer: no retry.
        let (url, count) = answering(vec![200, 404]).await;
        assert!(transport_send_fails(&url).await);
        assert_eq!(count.load(Ordering::SeqCst), 2);
    }

    async fn transport_send_fails(url: &str) -> bool {
        transport(url).send(&call(Method::GET, true)).await.is_err()
    }

    #[test]
    fn backoff_doubles_with_jitter() {
        for attempt in 1..=3 {
            let ceiling = RETRY_BASE * 2u32.pow(attempt - 1);
            let wait = jittered_backoff(attempt);
            assert!(
                wait >= ceiling / 2 && wait <= ceiling,
                "{attempt}: {wait:?}"
            );
        }
        let waits: std::collections::HashSet<Duration> =
            (0..20).map(|_| jittered_backoff(1)).collect();
        assert!(waits.len() > 1, "the waits are jittered");
    }

    #[test]
    fn invoke_paths_are_sent_decoded() {
        assert_eq!(
            decode_path("/dags/a/dagRuns/manual__2026-11-24T04%3A00%3A00%2B00%3A00"),
            "/dags/a/dagRuns/manual__2026-11-24T04:00:00+00:00"
        );
    }
}
