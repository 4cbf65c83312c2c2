//! The service clients of one context. Built on the runtime (credential and region lookups may
//! touch the network), never in the render loop. Each platform layer adds one field.

use crate::airflow::Environments;
use crate::aws::{self, emr::Emr, s3::S3, AwsSettings};
use crate::aws::{glue::Glue, logs::CloudWatchLogs, redshift::Redshift};
use crate::config::Context;

pub struct Clients {
    pub s3: S3,
    pub glue: Glue,
    pub logs: CloudWatchLogs,
    pub emr: Emr,
    pub redshift: Redshift,
    /// The context's Airflow environments (self-hosted and MWAA), connections cached.
    pub airflow: Environments,
}

impl Clients {
    pub async fn connect(context: &Context) -> Result<Self, String> {
        let settings = settings_for(context);
        let sdk = aws::sdk_config(&settings).await;
        Ok(Self {
            s3: S3::new(&sdk),
            glue: Glue::new(&sdk),
            logs: CloudWatchLogs::new(&sdk),
            emr: Emr::new(&sdk),
            redshift: Redshift::new(&sdk),
            airflow: Environments::default(),
        })
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
