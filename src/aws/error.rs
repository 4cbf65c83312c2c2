//! Errors for people: what failed (service, operation, target), why (the service's own
//! words), and what to do about it. One generic conversion serves every `aws-sdk-*` crate.

use std::error::Error as StdError;
use std::fmt;

use aws_config::SdkConfig;
use aws_credential_types::provider::error::CredentialsError;
use aws_smithy_runtime_api::client::result::{ConnectorError, SdkError};
use aws_smithy_runtime_api::http::Response as HttpResponse;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

/// What kind of failure, so that views can react (e.g. retry on the next refresh, or offer
/// to pick another context) without parsing messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    AccessDenied,
    NotFound,
    Throttled,
    /// No credentials, or credentials the service rejected (expired, invalid).
    Credentials,
    /// Nothing answered at the endpoint (connection refused, DNS failure, network down).
    Unreachable,
    Timeout,
    /// A problem with a local file (missing, unreadable, would be overwritten).
    LocalFile,
    Other,
}

/// A failed platform call, displayed as one line for people, e.g.
/// `S3 ListObjectsV2 on nyctaxi-prod-datalake: AccessDenied: User arn:... is not authorized
/// to perform s3:ListBucket — check the IAM policy of the profile's role`.
///
/// The message carries text from the outside world (keys, service messages): the UI
/// sanitizes it like any other remote text before drawing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsError {
    pub service: &'static str,
    pub operation: &'static str,
    /// What the operation was about: a bucket, `s3://bucket/key`, a job name.
    pub target: Option<String>,
    pub kind: ErrorKind,
    pub message: String,
    pub hint: Option<String>,
}

impl AwsError {
    pub fn new(
        service: &'static str,
        operation: &'static str,
        kind: ErrorKind,
        message: impl Into<String>,
    ) -> Self {
        AwsError {
            service,
            operation,
            target: None,
            kind,
            message: message.into(),
            hint: None,
        }
    }

    pub fn on(mut self, target: impl Into<String>) -> Self {
        self.target = Some(target.into());
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Replaces the message and hint when the error is of `kind`; service modules use it
    /// to say more than the service did (a bare HTTP 404 on HeadObject, say).
    pub fn reword(
        mut self,
        kind: ErrorKind,
        message: impl Into<String>,
        hint: Option<&str>,
    ) -> Self {
        if self.kind == kind {
            self.message = message.into();
            self.hint = hint.map(str::to_owned);
        }
        self
    }
}

impl fmt::Display for AwsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.service, self.operation)?;
        if let Some(target) = &self.target {
            write!(f, " on {target}")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " — {hint}")?;
        }
        Ok(())
    }
}

impl StdError for AwsError {}

/// The service a client talks to and where: every error from that client names them.
/// Each service client builds one from its [`SdkConfig`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceEndpoint {
    service: &'static str,
    url: String,
    custom: bool,
}

impl ServiceEndpoint {
    /// `host_prefix` is the service's AWS host name part, e.g. `s3` or `glue`.
    pub fn new(service: &'static str, host_prefix: &str, config: &SdkConfig) -> Self {
        match config.endpoint_url() {
            Some(url) => ServiceEndpoint {
                service,
                url: url.to_owned(),
                custom: true,
            },
            None => {
                let region = config
                    .region()
                    .map_or(super::FALLBACK_REGION, |r| r.as_ref());
                ServiceEndpoint {
                    service,
                    url: format!("https://{host_prefix}.{region}.amazonaws.com"),
                    custom: false,
                }
            }
        }
    }

    /// The same service in another region (a custom endpoint stays as it is).
    pub fn for_region(&self, region: &str) -> Self {
        if self.custom {
            return self.clone();
        }
        let host_prefix = self
            .url
            .strip_prefix("https://")
            .and_then(|host| host.split('.').next())
            .unwrap_or_default();
        ServiceEndpoint {
            service: self.service,
            url: format!("https://{host_prefix}.{region}.amazonaws.com"),
            custom: false,
        }
    }

    pub fn service(&self) -> &'static str {
        self.service
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// An error of this service that did not come from the SDK (bad input, local files).
    pub fn failure(
        &self,
        operation: &'static str,
        kind: ErrorKind,
        message: impl Into<String>,
    ) -> AwsError {
        AwsError::new(self.service, operation, kind, message)
    }

    /// The one conversion from any `aws-sdk-*` error into an [`AwsError`].
    pub fn error<E>(
        &self,
        operation: &'static str,
        target: Option<&str>,
        err: SdkError<E, HttpResponse>,
    ) -> AwsError
    where
        E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
    {
        let (kind, message, hint) = match &err {
            SdkError::ServiceError(service_err) => {
                let status = service_err.raw().status().as_u16();
                let meta = service_err.err();
                service_failure(meta.code(), meta.message(), status)
            }
            SdkError::DispatchFailure(dispatch) => match dispatch.as_connector_error() {
                Some(connector) => self.connector_failure(connector),
                None => other_failure(&err),
            },
            SdkError::TimeoutError(_) => self.timeout_failure(),
            SdkError::ResponseError(response) => {
                let status = response.raw().status().as_u16();
                (
                    ErrorKind::Other,
                    format!(
                        "unreadable response (HTTP {status}) from {}: {}",
                        self.url,
                        causes(&err)
                    ),
                    None,
                )
            }
            _ => other_failure(&err),
        };
        AwsError {
            service: self.service,
            operation,
            target: target.map(str::to_owned),
            kind,
            message,
            hint: hint.map(str::to_owned),
        }
    }

    fn connector_failure(&self, connector: &ConnectorError) -> Diagnosis {
        if let Some(credentials) = find_in_chain::<CredentialsError>(connector) {
            return credentials_failure(credentials);
        }
        if connector.is_timeout() {
            return self.timeout_failure();
        }
        if connector.is_io() {
            let cause = root_cause(connector);
            let hint = if self.custom {
                "is the endpoint up? (`platform-tui sandbox status`)"
            } else {
                "check the network, VPN or proxy, and the region"
            };
            return (
                ErrorKind::Unreachable,
                format!("cannot reach {} ({cause})", self.url),
                Some(hint),
            );
        }
        if chain_mentions_identity(connector) {
            return (
                ErrorKind::Credentials,
                no_credentials_message(),
                Some(NO_CREDENTIALS_HINT),
            );
        }
        (
            ErrorKind::Other,
            format!(
                "unreadable answer from {}: {}",
                self.url,
                root_cause(connector)
            ),
            Some("is it the right endpoint? what answers there does not speak HTTP as expected"),
        )
    }

    fn timeout_failure(&self) -> Diagnosis {
        (
            ErrorKind::Timeout,
            format!("no answer from {} in time", self.url),
            Some("the endpoint may be overloaded or unreachable; the next refresh retries"),
        )
    }
}

/// What went wrong: kind, message and (maybe) what to do about it.
type Diagnosis = (ErrorKind, String, Option<&'static str>);

const NO_CREDENTIALS_HINT: &str =
    "set AWS_PROFILE, run `aws sso login`, or pick a context with a profile";

fn no_credentials_message() -> String {
    "no AWS credentials found".to_owned()
}

fn credentials_failure(err: &CredentialsError) -> Diagnosis {
    let cause = root_cause(err);
    match err {
        CredentialsError::CredentialsNotLoaded(_) => (
            ErrorKind::Credentials,
            no_credentials_message(),
            Some(NO_CREDENTIALS_HINT),
        ),
        // The instance metadata service is the chain's last resort: its failure means that
        // nothing before it (environment, profiles, SSO, containers) had credentials.
        _ if cause.contains("IMDS") => (
            ErrorKind::Credentials,
            format!(
                "{} (the instance metadata service said: {cause})",
                no_credentials_message()
            ),
            Some(NO_CREDENTIALS_HINT),
        ),
        _ => (
            ErrorKind::Credentials,
            format!("AWS credentials could not be loaded: {cause}"),
            Some("run `aws sso login` if the profile uses SSO, or check the profile's settings"),
        ),
    }
}

/// Kind, message and hint for an error the service itself returned.
fn service_failure(code: Option<&str>, message: Option<&str>, status: u16) -> Diagnosis {
    let kind = classify(code, status);
    let wrong_region = matches!(
        code,
        Some(
            "PermanentRedirect"
                | "AuthorizationHeaderMalformed"
                | "IllegalLocationConstraintException"
        )
    );
    let code = code.unwrap_or("error");
    let message = match message {
        Some(text) if !text.is_empty() => format!("{code}: {text}"),
        _ => format!("{code} (HTTP {status})"),
    };
    let hint = match kind {
        ErrorKind::AccessDenied => Some("check the IAM policy of the profile's role"),
        ErrorKind::Credentials => Some(
            "the credentials were rejected: refresh them (`aws sso login`) or check the profile",
        ),
        ErrorKind::Throttled => Some("AWS is throttling requests; wait a little and refresh"),
        _ if wrong_region => {
            Some("the resource lives in another region: use a client for that region")
        }
        _ => None,
    };
    (kind, message, hint)
}

/// Sorts a service error code (any AWS service) and HTTP status into a kind.
fn classify(code: Option<&str>, status: u16) -> ErrorKind {
    match code.unwrap_or_default() {
        "AccessDenied"
        | "AccessDeniedException"
        | "AllAccessDisabled"
        | "Forbidden"
        | "UnauthorizedOperation"
        | "UnauthorizedAccess" => ErrorKind::AccessDenied,
        "InvalidAccessKeyId"
        | "SignatureDoesNotMatch"
        | "ExpiredToken"
        | "ExpiredTokenException"
        | "InvalidToken"
        | "InvalidClientTokenId"
        | "UnrecognizedClientException"
        | "TokenRefreshRequired" => ErrorKind::Credentials,
        "NoSuchBucket"
        | "NoSuchKey"
        | "NotFound"
        | "NoSuchUpload"
        | "NoSuchVersion"
        | "ResourceNotFoundException"
        | "EntityNotFoundException"
        | "NoSuchEntity"
        | "ClusterNotFound"
        | "ClusterNotFoundFault" => ErrorKind::NotFound,
        "Throttling"
        | "ThrottlingException"
        | "ThrottledException"
        | "RequestThrottled"
        | "RequestThrottledException"
        | "SlowDown"
        | "TooManyRequestsException"
        | "ProvisionedThroughputExceededException"
        | "RequestLimitExceeded"
        | "BandwidthLimitExceeded"
        | "PriorRequestNotComplete" => ErrorKind::Throttled,
        _ => match status {
            401 => ErrorKind::Credentials,
            403 => ErrorKind::AccessDenied,
            404 => ErrorKind::NotFound,
            429 => ErrorKind::Throttled,
            _ => ErrorKind::Other,
        },
    }
}

fn other_failure<E, R>(err: &SdkError<E, R>) -> Diagnosis
where
    E: StdError + 'static,
    R: fmt::Debug + 'static,
{
    (ErrorKind::Other, causes(err), None)
}

/// The error and its causes in words, outermost first, each said once, without the Debug
/// dump of the whole error that `DisplayErrorContext` appends (Rust internals tell a reader
/// nothing).
pub fn causes(err: &(dyn StdError + 'static)) -> String {
    let mut said: Vec<String> = Vec::new();
    for text in chain(err).map(|e| e.to_string()) {
        if !text.is_empty() && !said.iter().any(|s| s.contains(&text)) {
            said.push(text);
        }
    }
    said.join(": ")
}

fn chain<'a>(
    err: &'a (dyn StdError + 'static),
) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    std::iter::successors(Some(err), |e: &&'a (dyn StdError + 'static)| (*e).source())
}

fn find_in_chain<'a, T: StdError + 'static>(err: &'a (dyn StdError + 'static)) -> Option<&'a T> {
    chain(err).find_map(|e| e.downcast_ref::<T>())
}

/// The innermost cause, which usually says what really happened ("Connection refused").
fn root_cause(err: &(dyn StdError + 'static)) -> String {
    let last = chain(err).last().unwrap_or(err);
    match last.downcast_ref::<std::io::Error>() {
        Some(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            "connection refused".to_owned()
        }
        _ => last.to_string(),
    }
}

/// Without any credentials provider the SDK fails in auth-scheme selection, not with a
/// `CredentialsError`; its messages name the missing identity.
fn chain_mentions_identity(err: &(dyn StdError + 'static)) -> bool {
    chain(err).any(|e| {
        let text = e.to_string().to_ascii_lowercase();
        text.contains("credentials") || text.contains("identity")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_statuses_map_to_kinds() {
        assert_eq!(classify(Some("AccessDenied"), 403), ErrorKind::AccessDenied);
        assert_eq!(classify(Some("NoSuchBucket"), 404), ErrorKind::NotFound);
        assert_eq!(
            classify(Some("EntityNotFoundException"), 400),
            ErrorKind::NotFound
        );
        assert_eq!(classify(Some("SlowDown"), 503), ErrorKind::Throttled);
        assert_eq!(classify(Some("ExpiredToken"), 400), ErrorKind::Credentials);
        assert_eq!(classify(None, 404), ErrorKind::NotFound);
        assert_eq!(classify(None, 403), ErrorKind::AccessDenied);
        assert_eq!(classify(Some("InternalError"), 500), ErrorKind::Other);
    }

    #[test]
    fn access_denied_reads_as_a_sentence_with_a_hint() {
        let (kind, message, hint) = service_failure(
            Some("AccessDenied"),
            Some("User arn:aws:iam::1:user/x is not authorized to perform s3:ListBucket"),
            403,
        );
        let err = AwsError {
            service: "S3",
            operation: "ListObjectsV2",
            target: Some("nyctaxi-prod-datalake".into()),
            kind,
            message,
            hint: hint.map(str::to_owned),
        };
        assert_eq!(
            err.to_string(),
            "S3 ListObjectsV2 on nyctaxi-prod-datalake: AccessDenied: User arn:aws:iam::1:user/x \
             is not authorized to perform s3:ListBucket — check the IAM policy of the profile's role"
        );
    }

    #[test]
    fn throttling_reads_as_a_sentence_with_a_hint() {
        let (kind, message, hint) =
            service_failure(Some("ThrottlingException"), Some("Rate exceeded"), 400);
        let err = AwsError {
            service: "Glue",
            operation: "GetJobRuns",
            target: Some("nyctaxi-prod-process-to-staging".into()),
            kind,
            message,
            hint: hint.map(str::to_owned),
        };
        assert_eq!(kind, ErrorKind::Throttled);
        assert_eq!(
            err.to_string(),
            "Glue GetJobRuns on nyctaxi-prod-process-to-staging: ThrottlingException: Rate exceeded \
             — AWS is throttling requests; wait a little and refresh"
        );
    }

    #[test]
    fn a_bare_status_still_says_something() {
        let (kind, message, hint) = service_failure(Some("NotFound"), None, 404);
        assert_eq!(
            (kind, message.as_str(), hint),
            (ErrorKind::NotFound, "NotFound (HTTP 404)", None)
        );
    }

    #[test]
    fn connector_timeouts_and_missing_credentials_are_told_apart() {
        let config = SdkConfig::builder()
            .endpoint_url("http://127.0.0.1:4566")
            .build();
        let endpoint = ServiceEndpoint::new("S3", "s3", &config);

        let (kind, message, _) =
            endpoint.connector_failure(&ConnectorError::timeout("slow".into()));
        assert_eq!(kind, ErrorKind::Timeout);
        assert_eq!(message, "no answer from http://127.0.0.1:4566 in time");

        let not_loaded = CredentialsError::not_loaded("no providers in chain provided credentials");
        let (kind, message, hint) =
            endpoint.connector_failure(&ConnectorError::other(Box::new(not_loaded), None));
        assert_eq!(kind, ErrorKind::Credentials);
        assert_eq!(message, "no AWS credentials found");
        assert_eq!(hint, Some(NO_CREDENTIALS_HINT));

        let garbage = std::io::Error::other("invalid HTTP version parsed");
        let (kind, message, _) =
            endpoint.connector_failure(&ConnectorError::other(Box::new(garbage), None));
        assert_eq!(kind, ErrorKind::Other);
        assert_eq!(
            message,
            "unreadable answer from http://127.0.0.1:4566: invalid HTTP version parsed"
        );

        let imds = CredentialsError::provider_error("request forbidden: IMDS is disabled");
        let (kind, message, _) =
            endpoint.connector_failure(&ConnectorError::other(Box::new(imds), None));
        assert_eq!(kind, ErrorKind::Credentials);
        assert!(
            message.starts_with("no AWS credentials found (the instance metadata"),
            "{message}"
        );
    }

    #[test]
    fn endpoint_names_the_aws_host_when_none_is_configured() {
        let config = SdkConfig::builder()
            .region(aws_config::Region::new("eu-central-1"))
            .build();
        let endpoint = ServiceEndpoint::new("S3", "s3", &config);
        assert_eq!(endpoint.url(), "https://s3.eu-central-1.amazonaws.com");
        assert_eq!(
            endpoint.for_region("ap-south-1").url(),
            "https://s3.ap-south-1.amazonaws.com"
        );
    }
}
