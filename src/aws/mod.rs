//! UI-free access to the platform's AWS services: one module per service, each returning
//! plain domain types and [`AwsError`]s written for people. Nothing here knows about the
//! terminal; the app calls these from tokio tasks and turns results into messages.
//!
//! One [`AwsSettings`] (from the active context) gives one [`aws_config::SdkConfig`], from
//! which the app builds one set of service clients per context.

pub mod athena;
pub mod emr;
mod error;
pub mod glue;
mod local_file;
pub mod logs;
pub mod mwaa;
pub mod redshift;
pub mod s3;

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;

pub use error::{AwsError, ErrorKind, ServiceEndpoint};

/// Time allowed to open a TCP/TLS connection to an endpoint.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// Time allowed for one attempt of one operation (request sent, response headers parsed).
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(20);
/// Region used when neither the settings, the environment nor the profile name one.
pub const FALLBACK_REGION: &str = "us-east-1";

/// How to reach AWS for one context. Every `None` falls back to the default chain:
/// `AWS_PROFILE`, `AWS_REGION`, `AWS_ENDPOINT_URL`, then the shared config files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AwsSettings {
    /// Named profile from `~/.aws/config` (SSO, role assumption and so on work as in the CLI).
    pub profile: Option<String>,
    pub region: Option<String>,
    /// A custom endpoint for every service, e.g. the sandbox's emulator.
    pub endpoint_url: Option<String>,
    /// Use fixed dummy credentials instead of the credential chain (the sandbox accepts any).
    pub static_test_credentials: bool,
    /// Attempts per operation including the first; `None` keeps the SDK's standard retry (3).
    /// Tests set 1 so that a failing call fails at once.
    pub max_attempts: Option<u32>,
}

/// Builds the SDK configuration for `s`: the default credential chain (environment,
/// profiles, SSO, container and instance roles) unless `static_test_credentials`, with the
/// profile, region and endpoint overrides, bounded timeouts and the retry policy.
pub async fn sdk_config(s: &AwsSettings) -> SdkConfig {
    let retry = match s.max_attempts {
        Some(attempts) => RetryConfig::standard().with_max_attempts(attempts.max(1)),
        None => RetryConfig::standard(),
    };
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .operation_attempt_timeout(ATTEMPT_TIMEOUT)
        .build();
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .retry_config(retry)
        .timeout_config(timeouts);
    if let Some(profile) = &s.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = &s.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(endpoint) = &s.endpoint_url {
        loader = loader.endpoint_url(endpoint);
    }
    if s.static_test_credentials {
        loader = loader.credentials_provider(Credentials::new(
            "test",
            "test",
            None,
            None,
            "platform-tui static test credentials",
        ));
    }
    let config = loader.load().await;
    if config.region().is_some() {
        return config;
    }
    config
        .to_builder()
        .region(Region::new(FALLBACK_REGION))
        .build()
}

/// An SDK timestamp as a chrono UTC time (`None` if out of chrono's range).
pub(crate) fn utc(t: &aws_smithy_types::DateTime) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::from_timestamp(t.secs(), t.subsec_nanos())
}

/// An optional SDK timestamp as a chrono UTC time.
pub(crate) fn opt_utc(
    t: Option<&aws_smithy_types::DateTime>,
) -> Option<chrono::DateTime<chrono::Utc>> {
    t.and_then(utc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_client_retries_throttling_and_server_errors_with_backoff() {
        // Standard mode: 3 attempts, exponential backoff with jitter on throttling, 5xx and
        // transient errors, bounded by a retry quota.
        let config = sdk_config(&AwsSettings {
            region: Some("eu-west-3".into()),
            static_test_credentials: true,
            ..AwsSettings::default()
        })
        .await;
        let retry = config.retry_config().expect("a retry policy");
        assert_eq!(retry.mode(), aws_config::retry::RetryMode::Standard);
        assert_eq!(retry.max_attempts(), 3);
        assert!(retry.max_backoff() <= Duration::from_secs(20));
    }

    #[tokio::test]
    async fn explicit_settings_override_the_chain() {
        let config = sdk_config(&AwsSettings {
            profile: None,
            region: Some("eu-west-3".into()),
            endpoint_url: Some("http://127.0.0.1:4566".into()),
            static_test_credentials: true,
            max_attempts: Some(1),
        })
        .await;
        assert_eq!(config.region().map(|r| r.as_ref()), Some("eu-west-3"));
        assert_eq!(config.endpoint_url(), Some("http://127.0.0.1:4566"));
        assert_eq!(config.retry_config().map(|r| r.max_attempts()), Some(1));
        let timeouts = config.timeout_config().expect("timeouts are set");
        assert_eq!(timeouts.connect_timeout(), Some(CONNECT_TIMEOUT));
        assert_eq!(timeouts.operation_attempt_timeout(), Some(ATTEMPT_TIMEOUT));
        assert!(config.credentials_provider().is_some());
    }
}
