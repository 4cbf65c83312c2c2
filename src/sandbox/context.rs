//! A `sandbox = true` context reaches the running sandbox, always: without an `endpoint_url`
//! of its own, its endpoint (and region) come from the sandbox's state, and with no sandbox
//! running it is refused. It never falls back to the default AWS endpoints.

use crate::config::Context;

/// Fills in the endpoint of a sandbox context that has none. Blocking (reads the state files
/// and asks the emulator's health endpoint): call it before the console starts or on a
/// blocking thread.
pub fn reach_running_sandbox(context: &mut Context) -> Result<(), String> {
    if !context.sandbox || context.endpoint_url.is_some() {
        return Ok(());
    }
    match super::running_emulator() {
        Ok(Some(info)) => {
            context.endpoint_url = Some(info.endpoint_url);
            context.region.get_or_insert(info.region);
            if context.datalake_bucket.is_none() {
                context.datalake_bucket = Some(info.datalake_bucket);
            }
            Ok(())
        }
        Ok(None) => Err(format!(
            "context '{}' is a sandbox context (sandbox = true, no endpoint_url) and no sandbox \
             is running: start it with `platform-tui sandbox up`, or open the console with \
             `platform-tui --sandbox`",
            context.name
        )),
        Err(e) => Err(format!(
            "context '{}' is a sandbox context and the sandbox's state cannot be read: {e:#}",
            context.name
        )),
    }
}
