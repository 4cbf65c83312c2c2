//! The Airflow environments of one context: the self-hosted servers its config names (and the
//! sandbox's own) plus the MWAA environments of its account and region. Connections are cached,
//! so tokens and the detected version live as long as the context.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::Mutex;

use super::client::{Airflow, TaskLogLocation};
use super::error::{AirflowError, ErrorKind};
use super::model::{EnvironmentInfo, EnvironmentKind};
use super::transport::Access;
use crate::aws::mwaa::{Mwaa, MwaaEnvironment};

/// A self-hosted server as the context names it; the password is already read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    pub name: String,
    pub url: String,
    /// User and password; `None` sends no credentials.
    pub login: Option<(String, String)>,
}

/// The MWAA side of a context: the client and the scheme of its webservers (`https` on AWS,
/// `http` behind a local emulator).
#[derive(Clone)]
struct MwaaAccess {
    mwaa: Mwaa,
    scheme: &'static str,
}

#[derive(Clone, Default)]
pub struct Environments {
    servers: Vec<Server>,
    mwaa: Option<MwaaAccess>,
    connected: Arc<Mutex<HashMap<String, Airflow>>>,
}

impl Environments {
    /// `servers` in the order the context lists them (the first is the default); `mwaa` when
    /// the context's account may have MWAA environments, with `endpoint_url` the context's
    /// custom endpoint (its scheme is the webservers' scheme).
    pub fn new(servers: Vec<Server>, mwaa: Option<Mwaa>, endpoint_url: Option<&str>) -> Self {
        let scheme = match endpoint_url {
            Some(url) if url.starts_with("http://") => "http",
            _ => "https",
        };
        Environments {
            servers,
            mwaa: mwaa.map(|mwaa| MwaaAccess { mwaa, scheme }),
            connected: Arc::default(),
        }
    }

    /// Every environment: configured servers first, then MWAA's (an MWAA failure is an error only
    /// when nothing is configured).
    pub async fn list(&self) -> Result<Vec<EnvironmentInfo>, AirflowError> {
        let mut infos: Vec<EnvironmentInfo> = self
            .servers
            .iter()
            .map(|s| EnvironmentInfo::self_hosted(&s.name, &s.url))
            .collect();
        match self.mwaa_environments().await {
            Ok(environments) => infos.extend(environments.iter().map(mwaa_info)),
            Err(e) if infos.is_empty() => return Err(e),
            Err(e) => tracing::warn!("MWAA environments not listed: {e}"),
        }
        Ok(infos)
    }

    async fn mwaa_environments(&self) -> Result<Vec<MwaaEnvironment>, AirflowError> {
        let Some(access) = &self.mwaa else {
            return Ok(Vec::new());
        };
        let names = access
            .mwaa
            .environment_names()
            .await
            .map_err(|e| mwaa_error("MWAA", "list MWAA environments", e))?;
        let mut environments = Vec::with_capacity(names.len());
        for name in names {
            let environment = access
                .mwaa
                .environment(&name)
                .await
                .map_err(|e| mwaa_error(&name, "describe the environment", e))?;
            environments.push(environment);
        }
        Ok(environments)
    }

    /// A client for `name`, or for the context's default environment (the only one, or the one
    /// the config marks) when `name` is None.
    pub async fn connect(&self, name: Option<&str>) -> Result<Airflow, AirflowError> {
        let name = match name {
            Some(name) => name.to_owned(),
            None => self.default_name().await?,
        };
        if let Some(airflow) = self.connected.lock().await.get(&name) {
            return Ok(airflow.clone());
        }
        let airflow = self.open(&name).await?;
        self.connected.lock().await.insert(name, airflow.clone());
        Ok(airflow)
    }

    async fn default_name(&self) -> Result<String, AirflowError> {
        if let Some(server) = self.servers.first() {
            return Ok(server.name.clone());
        }
        let names = match &self.mwaa {
            Some(access) => access
                .mwaa
                .environment_names()
                .await
                .map_err(|e| mwaa_error("MWAA", "list MWAA environments", e))?,
            None => Vec::new(),
        };
        names.into_iter().next().ok_or_else(|| {
            AirflowError::new(
                ErrorKind::NotFound,
                "default",
                "connect",
                "no Airflow server in this context's config and no MWAA environment \
                 in its account and region",
            )
        })
    }

    async fn open(&self, name: &str) -> Result<Airflow, AirflowError> {
        if let Some(server) = self.servers.iter().find(|s| s.name == name) {
            return Ok(Airflow::self_hosted(
                &server.name,
                &server.url,
                server.login.clone(),
            ));
        }
        let Some(access) = &self.mwaa else {
            return Err(AirflowError::new(
                ErrorKind::NotFound,
                name,
                "connect",
                "no such Airflow server in this context",
            ));
        };
        let environment = access
            .mwaa
            .environment(name)
            .await
            .map_err(|e| mwaa_error(name, "describe the environment", e))?;
        if environment.airflow_version.is_none() || environment.webserver_url.is_none() {
            // Not cached: the next connect asks again, once the environment is up.
            return Err(AirflowError::new(
                ErrorKind::Unreachable,
                name,
                "connect",
                format!(
                    "the MWAA environment is {}: its webserver is not available yet",
                    environment.status
                ),
            ));
        }
        Ok(mwaa_airflow(&access.mwaa, access.scheme, environment))
    }
}

/// The client of an MWAA environment: REST through InvokeRestApi or the web login, task logs
/// in CloudWatch.
pub fn mwaa_airflow(mwaa: &Mwaa, scheme: &'static str, environment: MwaaEnvironment) -> Airflow {
    let info = mwaa_info(&environment);
    let log_location = match &environment.task_log_group {
        Some(group) => TaskLogLocation::CloudWatch {
            group: group.clone(),
        },
        None => TaskLogLocation::Rest,
    };
    let access = Access::Mwaa {
        mwaa: mwaa.clone(),
        environment: environment.name.clone(),
        scheme,
        airflow_version: environment.airflow_version.clone(),
    };
    Airflow::new(info, access, log_location)
}

fn mwaa_info(environment: &MwaaEnvironment) -> EnvironmentInfo {
    EnvironmentInfo {
        name: environment.name.clone(),
        kind: EnvironmentKind::Mwaa,
        status: environment.status.clone(),
        airflow_version: environment.airflow_version.clone(),
        url: environment.webserver_url.clone(),
        last_update: environment.last_update,
        task_logs: environment.task_log_group.as_ref().map(|group| {
            match &environment.task_log_level {
                Some(level) => format!("CloudWatch {group} ({level})"),
                None => format!("CloudWatch {group}"),
            }
        }),
    }
}

fn mwaa_error(environment: &str, operation: &str, e: crate::aws::AwsError) -> AirflowError {
    use crate::aws::ErrorKind as Aws;
    let kind = match e.kind {
        Aws::Unreachable | Aws::Timeout => ErrorKind::Unreachable,
        Aws::AccessDenied => ErrorKind::Forbidden,
        Aws::Credentials => ErrorKind::Unauthorized,
        Aws::NotFound => ErrorKind::NotFound,
        _ => ErrorKind::Other,
    };
    AirflowError::new(kind, environment, operation, e.to_string())
}
