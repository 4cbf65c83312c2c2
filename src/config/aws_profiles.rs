//! The profiles of the AWS CLI's config file (`~/.aws/config`, or `AWS_CONFIG_FILE`), offered as
//! contexts next to config.toml's: `[default]` and `[profile NAME]` sections, SSO ones included
//! (`sso_session` or `sso_start_url`), with their `region`. Other sections (`[sso-session …]`,
//! `[services …]`) are not profiles. The file is only read, never written.

use std::path::PathBuf;

use super::Context;

/// One profile of the AWS config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsProfile {
    pub name: String,
    pub region: Option<String>,
    /// Signs in through IAM Identity Center (`aws sso login --profile NAME`).
    pub sso: bool,
}

/// Where the AWS CLI reads its config: `AWS_CONFIG_FILE`, else `~/.aws/config`.
pub fn config_file() -> Option<PathBuf> {
    match std::env::var_os("AWS_CONFIG_FILE") {
        Some(path) if !path.is_empty() => Some(PathBuf::from(path)),
        _ => std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".aws/config")),
    }
}

/// The profiles of an AWS config file's text, in file order.
pub fn parse(text: &str) -> Vec<AwsProfile> {
    let mut profiles: Vec<AwsProfile> = Vec::new();
    let mut in_profile = false;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let section = section.trim();
            let name = if section == "default" {
                Some("default")
            } else {
                section
                    .strip_prefix("profile ")
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
            };
            in_profile = name.is_some();
            if let Some(name) = name {
                if !profiles.iter().any(|p| p.name == name) {
                    profiles.push(AwsProfile {
                        name: name.to_string(),
                        region: None,
                        sso: false,
                    });
                }
            }
            continue;
        }
        let (Some(profile), Some((key, value))) = (
            in_profile.then(|| profiles.last_mut()).flatten(),
            line.split_once('='),
        ) else {
            continue;
        };
        match key.trim() {
            "region" => profile.region = Some(value.trim().to_string()),
            "sso_session" | "sso_start_url" => profile.sso = true,
            _ => {}
        }
    }
    profiles
}

/// The profiles of the user's AWS config file; none when there is no file.
pub fn read() -> Vec<AwsProfile> {
    config_file()
        .and_then(|path| std::fs::read_to_string(path).ok())
        .map(|text| parse(&text))
        .unwrap_or_default()
}

/// The name a profile's context has: `aws:NAME`, apart from config.toml's names.
pub fn context_name(profile: &str) -> String {
    format!("aws:{profile}")
}

/// The profiles no context of config.toml already uses, as contexts of their own.
pub fn contexts(profiles: &[AwsProfile], configured: &[Context]) -> Vec<Context> {
    profiles
        .iter()
        .filter(|p| {
            !configured
                .iter()
                .any(|c| c.profile.as_deref() == Some(p.name.as_str()))
        })
        .map(|p| Context {
            name: context_name(&p.name),
            profile: Some(p.name.clone()),
            region: p.region.clone(),
            ..Context::default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str = include_str!("../../tests/fixtures/aws_config");

    #[test]
    fn profiles_of_a_config_file_sso_ones_included() {
        let profiles = parse(FIXTURE);
        let names: Vec<&str> = profiles.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            ["default", "analytics-prod", "analytics-dev", "legacy-sso"]
        );
        assert_eq!(profiles[0].region.as_deref(), Some("eu-west-1"));
        assert!(!profiles[0].sso);
        assert!(profiles[1].sso, "sso_session makes an SSO profile");
        assert_eq!(profiles[1].region.as_deref(), Some("eu-central-1"));
        assert!(!profiles[2].sso);
        assert!(profiles[3].sso, "sso_start_url makes an SSO profile");
    }

    #[test]
    fn profiles_used_by_config_toml_are_not_listed_twice() {
        let configured = vec![Context {
            name: "prod".into(),
            profile: Some("analytics-prod".into()),
            ..Context::default()
        }];
        let listed = contexts(&parse(FIXTURE), &configured);
        let names: Vec<&str> = listed.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            ["aws:default", "aws:analytics-dev", "aws:legacy-sso"]
        );
        assert_eq!(listed[1].profile.as_deref(), Some("analytics-dev"));
        assert_eq!(listed[1].region.as_deref(), Some("us-east-1"));
    }
}
