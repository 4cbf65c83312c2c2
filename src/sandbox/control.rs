//! On-call drills: tell the running sandbox to fail the next run of a Glue job or crawler, an
//! EMR step or a Redshift statement (the emulator's `/platform-api/`, sandbox/platform_ext).

use anyhow::{anyhow, bail, Result};
use serde_json::json;

use super::health;

/// What can be made to fail, as the emulator names it.
pub const TARGETS: &[&str] = &["glue-job", "glue-crawler", "emr-step", "redshift-sql"];

/// Makes the next `count` runs of `target` (only those named `name`, if given) fail with
/// `message` (the emulator's default message if none). Returns the emulator's description.
pub fn inject_failure(
    target: &str,
    name: Option<&str>,
    message: Option<&str>,
    count: u32,
) -> Result<String> {
    if !TARGETS.contains(&target) {
        bail!(
            "cannot fail '{target}': choose one of {}",
            TARGETS.join(", ")
        );
    }
    let mut body = json!({ "target": target, "count": count.max(1) });
    if let Some(name) = name {
        body["name"] = json!(name);
    }
    if let Some(message) = message {
        body["message"] = json!(message);
    }
    call("POST", "/platform-api/inject", Some(&body.to_string()))
}

/// Forgets every injected failure.
pub fn clear_failures() -> Result<String> {
    call("DELETE", "/platform-api/injections", None)
}

fn call(method: &str, path: &str, body: Option<&str>) -> Result<String> {
    let info = super::status()?.ok_or_else(|| {
        anyhow!("the sandbox is not running (start it with `platform-tui sandbox up`)")
    })?;
    let token = super::control_token()?;
    let (status, answer) = health::request_with_token(info.port, method, path, body, Some(&token))
        .ok_or_else(|| anyhow!("the sandbox at {} did not answer", info.endpoint_url))?;
    if !(200..300).contains(&status) {
        bail!("the sandbox refused ({status}): {}", answer.trim());
    }
    Ok(answer.trim().to_string())
}
