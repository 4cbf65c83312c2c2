//! The service clients of one context. Built on the runtime (credential and region lookups may
//! touch the network), never in the render loop. Each platform layer adds one field.

use crate::airflow::{Environments, Server};
use crate::aws::{self, athena::Athena, emr::Emr, s3::S3, AwsSettings};
use crate::aws::{glue::Glue, logs::CloudWatchLogs, mwaa::Mwaa, redshift::Redshift};
use crate::config::{AirflowServer, Context};
use crate::errors::{Problem, UiError};
use crate::sandbox::SandboxAirflow;

pub struct Clients {
    pub s3: S3,
    pub glue: Glue,
    pub logs: CloudWatchLogs,
    pub emr: Emr,
    pub redshift: Redshift,
    pub athena: Athena,
    /// The context's Airflow environments (self-hosted and MWAA), connections cached.
    pub airflow: Environments,
    /// The endpoint the clients were built for (a sandbox context finds its sandbox's).
    pub endpoint_url: Option<String>,
}

impl Clients {
    pub async fn connect(context: &Context) -> Result<Self, UiError> {
        // Finding the sandbox (its endpoint when the context names none, and its Airflow)
        // reads its state files and asks health endpoints: blocking work, kept off the
        // runtime's worker threads.
        let (context, sandbox_airflow) = if context.sandbox {
            let mut context = context.clone();
            tokio::task::spawn_blocking(move || {
                crate::sandbox::reach_running_sandbox(&mut context)
                    .map(|()| (context, crate::sandbox::airflow()))
            })
            .await
            .map_err(|e| format!("cannot look for the sandbox: {e}"))?
            // no sandbox answers: like an endpoint that went away, ctrl-r looks again
            .map_err(|e| UiError::new(Problem::Unreachable, e))?
        } else {
            (context.clone(), None)
        };
        let context = &context;
        let settings = settings_for(context);
        let sdk = aws::sdk_config(&settings).await;
        Ok(Self {
            s3: S3::new(&sdk),
            glue: Glue::new(&sdk),
            logs: CloudWatchLogs::new(&sdk),
            emr: Emr::new(&sdk),
            redshift: Redshift::new(&sdk),
            athena: Athena::new(&sdk),
            endpoint_url: context.endpoint_url.clone(),
            airflow: Environments::new(
                airflow_servers(context, sandbox_airflow),
                Some(Mwaa::new(&sdk)),
                context.endpoint_url.as_deref(),
            ),
        })
    }
}

/// The context's Airflow servers: those its config names, then the sandbox's own, named
/// `sandbox`, when it runs (sandbox contexts only).
fn airflow_servers(context: &Context, sandbox: Option<SandboxAirflow>) -> Vec<Server> {
    let mut servers: Vec<Server> = context.airflow.iter().map(configured_server).collect();
    if let Some(sandbox) = sandbox {
        servers.push(Server {
            name: "sandbox".into(),
            url: sandbox.url,
            login: Some((sandbox.username, sandbox.password)),
        });
    }
    servers
}

/// A configured server; its password is read from the variable `password_env` names (empty
/// when unset: the server then says the login failed).
fn configured_server(server: &AirflowServer) -> Server {
    let password = server
        .password_env
        .as_ref()
        .and_then(|var| std::env::var(var).ok())
        .unwrap_or_default();
    Server {
        name: server.name.clone(),
        url: server.url.clone(),
        login: server
            .username
            .as_ref()
            .map(|username| (username.clone(), password)),
    }
}

pub fn settings_for(context: &Context) -> AwsSettings {
    AwsSettings {
        profile: context.profile.clone(),
        region: context.region.clone(),
        endpoint_url: context.endpoint_url.clone(),
        static_test_credentials: context.sandbox,
        ..AwsSettings::default()
    }
}
