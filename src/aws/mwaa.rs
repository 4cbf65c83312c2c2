//! Amazon MWAA: the environments of the account and region (status, Airflow version, webserver,
//! task-log group), web-login tokens and InvokeRestApi. Plain domain types only; JSON bodies
//! cross as `serde_json::Value`.
//!
//! MWAA operations carry host prefixes (`api.`, `env.`) that break a loopback endpoint such as
//! the sandbox's emulator: with a custom endpoint, an interceptor puts its host back before
//! the request is signed. Every answer is bounded: one that announces more than
//! [`crate::bounded::MAX_REST_BODY_BYTES`] is refused before its body is read.

use std::collections::HashMap;

use aws_config::SdkConfig;
use aws_sdk_mwaa::operation::invoke_rest_api::InvokeRestApiError;
use aws_sdk_mwaa::types::RestApiMethod;
use aws_sdk_mwaa::Client;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeDeserializationInterceptorContextRef, BeforeTransmitInterceptorContextMut,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::{Document, Number};
use chrono::{DateTime, Utc};
use serde_json::Value;

use super::error::{AwsError, ServiceEndpoint};

/// One MWAA environment as GetEnvironment describes it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MwaaEnvironment {
    pub name: String,
    /// `AVAILABLE`, `UPDATING`, `CREATING`…
    pub status: String,
    pub airflow_version: Option<String>,
    /// The webserver's host name (no scheme), e.g. `abc.c1.us-east-1.airflow.amazonaws.com`.
    pub webserver_url: Option<String>,
    pub last_update: Option<DateTime<Utc>>,
    /// The CloudWatch log group of task logs (from the TaskLogs ARN), when task logging is on.
    pub task_log_group: Option<String>,
    /// The task-log level, e.g. `INFO`.
    pub task_log_level: Option<String>,
}

/// A web-login token: POST it to the webserver's login route within 60 s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebLoginToken {
    pub token: String,
    pub webserver_hostname: String,
}

/// The Airflow REST API's answer through InvokeRestApi (any status: 4xx/5xx included).
#[derive(Debug, Clone, PartialEq)]
pub struct RestApiAnswer {
    pub status: u16,
    pub body: Value,
}

/// The MWAA client of one context.
#[derive(Debug, Clone)]
pub struct Mwaa {
    client: Client,
    endpoint: ServiceEndpoint,
}

impl Mwaa {
    pub fn new(config: &SdkConfig) -> Self {
        let mut builder = aws_sdk_mwaa::config::Builder::from(config).interceptor(BoundedAnswer);
        if let Some(authority) = config.endpoint_url().and_then(authority_of) {
            builder = builder.interceptor(LoopbackHost { authority });
        }
        Mwaa {
            client: Client::from_conf(builder.build()),
            endpoint: ServiceEndpoint::new("MWAA", "airflow", config),
        }
    }

    /// The names of every environment (all pages).
    pub async fn environment_names(&self) -> Result<Vec<String>, AwsError> {
        let mut names = Vec::new();
        let mut pages = self.client.list_environments().into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| self.endpoint.error("ListEnvironments", None, e))?;
            names.extend(page.environments().iter().cloned());
        }
        Ok(names)
    }

    pub async fn environment(&self, name: &str) -> Result<MwaaEnvironment, AwsError> {
        let out = self
            .client
            .get_environment()
            .name(name)
            .send()
            .await
            .map_err(|e| self.endpoint.error("GetEnvironment", Some(name), e))?;
        let Some(env) = out.environment() else {
            return Ok(MwaaEnvironment {
                name: name.to_owned(),
                ..MwaaEnvironment::default()
            });
        };
        let task_logs = env.logging_configuration().and_then(|l| l.task_logs());
        Ok(MwaaEnvironment {
            name: env.name().unwrap_or(name).to_owned(),
            status: env
                .status()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            airflow_version: env.airflow_version().map(str::to_owned),
            webserver_url: env.webserver_url().map(str::to_owned),
            last_update: env
                .last_update()
                .and_then(|u| super::opt_utc(u.created_at()))
                .or_else(|| super::opt_utc(env.created_at())),
            task_log_group: task_logs
                .filter(|t| t.enabled() != Some(false))
                .and_then(|t| t.cloud_watch_log_group_arn())
                .map(log_group_of_arn),
            task_log_level: task_logs
                .and_then(|t| t.log_level())
                .map(|l| l.as_str().to_owned()),
        })
    }

    pub async fn web_login_token(&self, name: &str) -> Result<WebLoginToken, AwsError> {
        let out = self
            .client
            .create_web_login_token()
            .name(name)
            .send()
            .await
            .map_err(|e| self.endpoint.error("CreateWebLoginToken", Some(name), e))?;
        Ok(WebLoginToken {
            token: out.web_token().unwrap_or_default().to_owned(),
            webserver_hostname: out.web_server_hostname().unwrap_or_default().to_owned(),
        })
    }

    /// Calls the environment's Airflow REST API. `path` is relative to the API root (`/dags`),
    /// at most 64 characters. Airflow's 4xx/5xx answers are returned, not errors.
    ///
    /// The raw transport of [`crate::airflow::Airflow`], whose methods that change something
    /// take the gate's approval; not for other callers, hence crate-private.
    pub(crate) async fn invoke_rest_api(
        &self,
        name: &str,
        method: &str,
        path: &str,
        query: &[(String, String)],
        body: Option<&Value>,
    ) -> Result<RestApiAnswer, AwsError> {
        let result = self
            .client
            .invoke_rest_api()
            .name(name)
            .path(path)
            .method(RestApiMethod::from(method))
            .set_query_parameters((!query.is_empty()).then(|| query_document(query)))
            .set_body(body.map(document_of_json))
            .send()
            .await;
        match result {
            Ok(out) => Ok(RestApiAnswer {
                status: status_of(out.rest_api_status_code()).unwrap_or(200),
                body: out
                    .rest_api_response()
                    .map(json_of_document)
                    .unwrap_or(Value::Null),
            }),
            Err(err) => {
                let answer = match err.as_service_error() {
                    Some(InvokeRestApiError::RestApiClientException(e)) => {
                        Some((e.rest_api_status_code(), e.rest_api_response()))
                    }
                    Some(InvokeRestApiError::RestApiServerException(e)) => {
                        Some((e.rest_api_status_code(), e.rest_api_response()))
                    }
                    _ => None,
                };
                match answer {
                    Some((status, response)) => Ok(RestApiAnswer {
                        status: status_of(status).unwrap_or(500),
                        body: response.map(json_of_document).unwrap_or(Value::Null),
                    }),
                    None => Err(self.endpoint.error(
                        "InvokeRestApi",
                        Some(&format!("{name} {path}")),
                        err,
                    )),
                }
            }
        }
    }
}

fn status_of(code: Option<i32>) -> Option<u16> {
    code.and_then(|c| u16::try_from(c).ok())
}

/// `arn:aws:logs:REGION:ACCOUNT:log-group:NAME[:*]` → `NAME` (anything else as it is).
pub fn log_group_of_arn(arn: &str) -> String {
    match arn.split_once(":log-group:") {
        Some((_, rest)) => rest.strip_suffix(":*").unwrap_or(rest).to_owned(),
        None => arn.to_owned(),
    }
}

/// Query parameters as a document: a name given twice becomes an array.
fn query_document(query: &[(String, String)]) -> Document {
    let mut map: HashMap<String, Document> = HashMap::new();
    for (name, value) in query {
        let value = Document::String(value.clone());
        match map.remove(name) {
            None => map.insert(name.clone(), value),
            Some(Document::Array(mut values)) => {
                values.push(value);
                map.insert(name.clone(), Document::Array(values))
            }
            Some(first) => map.insert(name.clone(), Document::Array(vec![first, value])),
        };
    }
    Document::Object(map)
}

pub fn document_of_json(value: &Value) -> Document {
    match value {
        Value::Null => Document::Null,
        Value::Bool(b) => Document::Bool(*b),
        Value::Number(n) => Document::Number(if let Some(u) = n.as_u64() {
            Number::PosInt(u)
        } else if let Some(i) = n.as_i64() {
            Number::NegInt(i)
        } else {
            Number::Float(n.as_f64().unwrap_or_default())
        }),
        Value::String(s) => Document::String(s.clone()),
        Value::Array(items) => Document::Array(items.iter().map(document_of_json).collect()),
        Value::Object(map) => Document::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), document_of_json(v)))
                .collect(),
        ),
    }
}

pub fn json_of_document(document: &Document) -> Value {
    match document {
        Document::Null => Value::Null,
        Document::Bool(b) => Value::Bool(*b),
        Document::Number(Number::PosInt(u)) => Value::from(*u),
        Document::Number(Number::NegInt(i)) => Value::from(*i),
        Document::Number(Number::Float(f)) => {
            serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number)
        }
        Document::String(s) => Value::String(s.clone()),
        Document::Array(items) => Value::Array(items.iter().map(json_of_document).collect()),
        Document::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), json_of_document(v)))
                .collect(),
        ),
    }
}

/// `http://127.0.0.1:4566/x` → `127.0.0.1:4566`.
fn authority_of(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?']).next()?;
    (!authority.is_empty()).then(|| authority.to_owned())
}

/// Refuses an answer whose announced length (Content-Length, or the body's own size) is over
/// [`crate::bounded::MAX_REST_BODY_BYTES`], before the SDK reads it into memory.
#[derive(Debug)]
struct BoundedAnswer;

impl Intercept for BoundedAnswer {
    fn name(&self) -> &'static str {
        "BoundedAnswer"
    }

    fn read_before_deserialization(
        &self,
        context: &BeforeDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let response = context.response();
        let announced = response
            .headers()
            .get("content-length")
            .and_then(|n| n.trim().parse::<u64>().ok())
            .or_else(|| response.body().content_length());
        let limit = crate::bounded::MAX_REST_BODY_BYTES as u64;
        match announced {
            Some(size) if size > limit => Err(format!(
                "the answer is {}, more than the {} read of one answer: not read",
                crate::bounded::human_size(size),
                crate::bounded::human_size(limit)
            )
            .into()),
            _ => Ok(()),
        }
    }
}

/// Puts the custom endpoint's host back where the SDK prefixed it (`api.127.0.0.1`).
#[derive(Debug)]
struct LoopbackHost {
    authority: String,
}

impl Intercept for LoopbackHost {
    fn name(&self) -> &'static str {
        "LoopbackHost"
    }

    fn modify_before_signing(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let request = context.request_mut();
        let uri = request.uri().to_owned();
        if let Some(rewritten) = with_authority(&uri, &self.authority) {
            request.set_uri(rewritten)?;
            request.headers_mut().insert("host", self.authority.clone());
        }
        Ok(())
    }
}

/// `uri` with its authority replaced, or None when it already has that one.
fn with_authority(uri: &str, authority: &str) -> Option<String> {
    let (scheme, rest) = uri.split_once("://")?;
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    if &rest[..end] == authority {
        return None;
    }
    Some(format!("{scheme}://{authority}{}", &rest[end..]))
}

#[cfg(test)]
mod tests {

    /// A loopback server that answers every request with 200 and a Content-Length of 1 GiB
    /// (sending only a few bytes of it): the client must refuse it without reading.
    async fn oversized_server() -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            while let Ok((mut socket, _)) = listener.accept().await {
                let mut request = [0u8; 4096];
                let _ = socket.read(&mut request).await;
                let _ = socket
                    .write_all(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                          Content-Length: 1073741824\r\n\r\n{\"RestApiResponse\": ",
                    )
                    .await;
            }
        });
        format!("http://{address}")
    }

    #[tokio::test]
    async fn an_answer_announcing_more_than_the_bound_is_not_read() {
        let settings = crate::aws::AwsSettings {
            region: Some("us-east-1".into()),
            endpoint_url: Some(oversized_server().await),
            static_test_credentials: true,
            max_attempts: Some(1),
            ..Default::default()
        };
        let mwaa = Mwaa::new(&crate::aws::sdk_config(&settings).await);
        let error = mwaa
            .invoke_rest_api("env", "GET", "/dags", &[], None)
            .await
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("the answer is 1.0 GiB, more than the 32.0 MiB read of one answer"),
            "{error}"
        );
    }

    use super::*;

    #[test]
    fn host_prefixes_are_removed_from_a_loopback_uri() {
        assert_eq!(
            with_authority(
                "http://api.127.0.0.1:4566/environments?x=1",
                "127.0.0.1:4566"
            ),
            Some("http://127.0.0.1:4566/environments?x=1".to_owned())
        );
        assert_eq!(
            with_authority("http://127.0.0.1:4566/", "127.0.0.1:4566"),
            None
        );
        assert_eq!(
            authority_of("http://127.0.0.1:4566"),
            Some("127.0.0.1:4566".into())
        );
    }

    #[test]
    fn log_group_names_come_from_arns() {
        assert_eq!(
            log_group_of_arn("arn:aws:logs:us-east-1:123456789012:log-group:airflow-prod-Task:*"),
            "airflow-prod-Task"
        );
        assert_eq!(
            log_group_of_arn("arn:aws:logs:us-east-1:1:log-group:airflow-x-Task"),
            "airflow-x-Task"
        );
    }

    #[test]
    fn documents_and_json_convert_both_ways() {
        let json = serde_json::json!({"a": [1, -2, 1.5, "x", null, true], "b": {"c": {}}});
        assert_eq!(json_of_document(&document_of_json(&json)), json);
        let query = query_document(&[
            ("state".into(), "failed".into()),
            ("state".into(), "running".into()),
            ("limit".into(), "5".into()),
        ]);
        assert_eq!(
            json_of_document(&query),
            serde_json::json!({"state": ["failed", "running"], "limit": "5"})
        );
    }
}
