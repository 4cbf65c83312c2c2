//! `:profile NAME` and `:region NAME`: switch the AWS profile or region of the session without
//! leaving the console. A profile is one of the contexts (config.toml's, or `aws:NAME` from the
//! AWS config file); a region rebuilds the current context's clients for that region.

use crate::app::view::{AppCommand, Env};
use crate::config::aws_profiles;
use crate::kinds::{Kind, Opened};

pub const PROFILE: Kind = Kind {
    name: "profile",
    aliases: &["prof"],
    about: "switch to an AWS profile of ~/.aws/config (or AWS_CONFIG_FILE)",
    argument: Some("name"),
    open: open_profile,
};

pub const REGION: Kind = Kind {
    name: "region",
    aliases: &[],
    about: "use another region in the current context",
    argument: Some("name"),
    open: open_region,
};

fn open_profile(argument: Option<&str>, env: &Env) -> Result<Opened, String> {
    let known = || {
        env.contexts
            .iter()
            .filter_map(|c| c.profile.as_deref())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let Some(name) = argument else {
        return Err(format!("usage: :profile NAME (known: {})", known()));
    };
    let context = env
        .contexts
        .iter()
        .find(|c| c.name == aws_profiles::context_name(name))
        .or_else(|| {
            env.contexts
                .iter()
                .find(|c| c.profile.as_deref() == Some(name))
        })
        .ok_or_else(|| format!("no AWS profile '{name}' (known: {})", known()))?;
    Ok(Opened::App(AppCommand::SwitchContext(context.name.clone())))
}

fn open_region(argument: Option<&str>, _: &Env) -> Result<Opened, String> {
    let Some(region) = argument else {
        return Err("usage: :region NAME, e.g. :region eu-west-1".into());
    };
    let plausible = region.len() <= 32
        && region.contains('-')
        && region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !plausible {
        return Err(format!(
            "'{region}' is not a region name (like eu-west-1 or us-east-1)"
        ));
    }
    Ok(Opened::App(AppCommand::SwitchRegion(region.to_string())))
}
