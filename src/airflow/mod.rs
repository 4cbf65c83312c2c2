//! UI-free access to Airflow: self-hosted servers (REST API v1 on 2.x, v2 on 3.x) and Amazon
//! MWAA environments (web-login token or InvokeRestApi), behind one [`Airflow`] client whose
//! answers are the version-independent types of [`model`]. Views never see which API version or
//! which transport served them.

mod auth;
mod client;
mod environments;
mod error;
pub mod model;
mod pyliteral;
#[cfg(test)]
mod recorded_tests;
mod task_log;
mod transport;
mod wire;
#[cfg(test)]
mod wire_props;

pub use client::{encode_segment, Airflow, TaskLogLocation};
pub use environments::{mwaa_airflow, Environments, Server};
pub use error::{AirflowError, ErrorKind};
pub use model::*;
pub use transport::Api;
