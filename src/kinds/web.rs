//! Where a resource's page is, for `o`: the AWS console of the context's region, or an
//! Airflow server's UI. Every part taken from a resource is percent-encoded.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::app::view::Env;

/// Everything but unreserved URL characters is encoded.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// `text` as one URL component (a name, a key: `/` encoded too).
pub fn encode(text: &str) -> String {
    utf8_percent_encode(text, COMPONENT).to_string()
}

/// The context's region: the configured one, else the environment's, else us-east-1 (the
/// SDK's own last resort for the console).
pub fn region(env: &Env) -> String {
    env.context
        .region
        .clone()
        .or_else(|| std::env::var("AWS_REGION").ok())
        .or_else(|| std::env::var("AWS_DEFAULT_REGION").ok())
        .unwrap_or_else(|| "us-east-1".into())
}

/// A page of the AWS console, `path` after the host (already encoded where needed).
pub fn console(env: &Env, path: &str) -> String {
    let region = encode(&region(env));
    format!("https://{region}.console.aws.amazon.com/{path}?region={region}")
}

/// A console page whose location is in the fragment (`#/…`), as Glue, EMR and Redshift use.
pub fn console_fragment(env: &Env, service: &str, fragment: &str) -> String {
    format!("{}#{fragment}", console(env, &format!("{service}/home")))
}

/// An Airflow UI page under `base` (a URL, or MWAA's bare webserver host).
pub fn airflow(base: &str, path: &str) -> String {
    let base = base.trim_end_matches('/');
    if base.starts_with("http://") || base.starts_with("https://") {
        format!("{base}/{path}")
    } else {
        format!("https://{base}/{path}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_are_encoded_and_hosts_get_a_scheme() {
        assert_eq!(encode("raw/2024 01/a+b.csv"), "raw%2F2024%2001%2Fa%2Bb.csv");
        assert_eq!(
            airflow("abc.airflow.eu-west-1.on.aws", "dags/x/grid"),
            "https://abc.airflow.eu-west-1.on.aws/dags/x/grid"
        );
        assert_eq!(
            airflow("http://127.0.0.1:8080/", "dags/x/grid"),
            "http://127.0.0.1:8080/dags/x/grid"
        );
    }
}
