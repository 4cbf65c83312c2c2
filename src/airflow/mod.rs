//! UI-free access to Airflow: self-hosted servers (REST API v1 on 2.x, v2 on 3.x) and Amazon
//! MWAA environments (web-login token or InvokeRestApi), behind one [`Airflow`] client whose
//! answers are the version-independent types of [`model`]. Views never see which API version or
//! which transport served them.

mod client;
mod environments;
mod error;
pub mod model;

pub use client::{Airflow, TaskLogLocation};
pub use environments::Environments;
pub use error::AirflowError;
pub use model::*;
