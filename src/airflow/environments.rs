//! The Airflow environments of one context: the self-hosted servers its config names (and the
//! sandbox's own) plus the MWAA environments of its account and region. Connections are cached,
//! so tokens and the detected version live as long as the context.

use super::client::Airflow;
use super::error::{AirflowError, ErrorKind};
use super::model::EnvironmentInfo;

#[derive(Clone, Default)]
pub struct Environments {}

impl Environments {
    /// Every environment: configured servers first, then MWAA's (an MWAA failure is an error only
    /// when nothing is configured).
    pub async fn list(&self) -> Result<Vec<EnvironmentInfo>, AirflowError> {
        Ok(Vec::new())
    }

    /// A client for `name`, or for the context's default environment (the only one, or the one
    /// the config marks) when `name` is None.
    pub async fn connect(&self, name: Option<&str>) -> Result<Airflow, AirflowError> {
        Err(AirflowError::new(
            ErrorKind::NotFound,
            name.unwrap_or("default"),
            "connect",
            "the Airflow client is being written",
        ))
    }
}
