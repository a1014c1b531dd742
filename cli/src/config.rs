//! Where the credentials come from: `--sim`, a profile of the config file, or `AUTOTASK_*` variables.
//!
//! The secret is held in [`SecretText`], which never prints itself, and is best supplied by a
//! `secret_command` (like git's credential helpers) or `secret_env` rather than stored in the file.

use crate::error::{CliError, Exit, Result};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// The simulator's demo credentials (`autotask sim` prints them too).
pub const SIM_USERNAME: &str = autotask_sim::DEFAULT_USERNAME;
pub const SIM_INTEGRATION_CODE: &str = autotask_sim::DEFAULT_INTEGRATION_CODE;
pub const SIM_SECRET: &str = autotask_sim::DEFAULT_SECRET;
/// Where `autotask sim` listens by default.
pub const SIM_DEFAULT_URL: &str = "http://127.0.0.1:8080/ATServicesRest/";

/// A secret that shows as `***` in every `Debug` and `Display`.
#[derive(Clone)]
pub struct SecretText(String);

impl SecretText {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Everything needed to build a client.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub username: String,
    pub integration_code: String,
    pub secret: SecretText,
    /// `None`: detect the zone from the user name.
    pub api_url: Option<String>,
    pub impersonate: Option<i64>,
    /// Where they came from, for `whoami` (`environment`, `profile "prod" (~/.config/...)`, `simulator`).
    pub source: String,
}

/// The global connection options.
#[derive(Debug, Clone, Default)]
pub struct ConnectionOptions {
    pub sim: bool,
    pub profile: Option<String>,
    pub api_url: Option<String>,
    pub config: Option<PathBuf>,
}

/// One profile of the config file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Profile {
    username: Option<String>,
    integration_code: Option<String>,
    /// A shell command whose standard output is the secret (`pass show autotask/prod`).
    secret_command: Option<String>,
    /// The name of an environment variable holding the secret.
    secret_env: Option<String>,
    /// The secret in the clear: accepted, with a warning.
    secret: Option<String>,
    api_url: Option<String>,
    impersonate: Option<i64>,
    /// `true`: the simulator's demo credentials (only `api_url` is needed).
    #[serde(default)]
    sim: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    default_profile: Option<String>,
    #[serde(default)]
    profiles: BTreeMap<String, Profile>,
}

/// The config file path: `--config`, `AUTOTASK_CONFIG`, `$XDG_CONFIG_HOME/autotask/config.toml`, or
/// `~/.config/autotask/config.toml`.
pub fn config_path(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(path) = explicit {
        return Some(path.to_path_buf());
    }
    if let Some(path) = non_empty_var("AUTOTASK_CONFIG") {
        return Some(PathBuf::from(path));
    }
    let base = non_empty_var("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| non_empty_var("HOME").map(|home| PathBuf::from(home).join(".config")))
        .or_else(|| non_empty_var("APPDATA").map(PathBuf::from))?;
    Some(base.join("autotask").join("config.toml"))
}

fn non_empty_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

const ENV_VARS: [&str; 3] = [
    "AUTOTASK_USERNAME",
    "AUTOTASK_INTEGRATION_CODE",
    "AUTOTASK_SECRET",
];

/// Resolves the credentials for this run (see `autotask --help`, "Connection").
pub fn credentials(options: &ConnectionOptions) -> Result<Credentials> {
    let url_override = options
        .api_url
        .clone()
        .or_else(|| non_empty_var("AUTOTASK_API_URL"));
    if options.sim {
        return Ok(sim_credentials(url_override, "simulator (--sim)".into()));
    }
    let path = config_path(options.config.as_deref());
    let profile_name = options
        .profile
        .clone()
        .or_else(|| non_empty_var("AUTOTASK_PROFILE"));
    if let Some(name) = profile_name {
        let file = load(path.as_deref(), true)?;
        return from_profile(&file, &name, path.as_deref(), url_override);
    }
    if ENV_VARS.iter().any(|v| std::env::var_os(v).is_some()) {
        return from_env(url_override);
    }
    let file = load(path.as_deref(), false)?;
    let default = file.default_profile.clone().or_else(|| {
        file.profiles
            .contains_key("default")
            .then(|| "default".into())
    });
    match default {
        Some(name) => from_profile(&file, &name, path.as_deref(), url_override),
        None => Err(CliError::new(Exit::Auth, "no Autotask credentials").hint(format!(
            "set AUTOTASK_USERNAME, AUTOTASK_INTEGRATION_CODE and AUTOTASK_SECRET, add a profile to {} \
             and pass --profile NAME, or try the local simulator: `autotask sim` in one terminal, \
             `autotask --sim ...` in another",
            path.map_or_else(|| "the config file".into(), |p| p.display().to_string())
        ))),
    }
}

fn sim_credentials(api_url: Option<String>, source: String) -> Credentials {
    Credentials {
        username: SIM_USERNAME.into(),
        integration_code: SIM_INTEGRATION_CODE.into(),
        secret: SecretText(SIM_SECRET.into()),
        api_url: Some(api_url.unwrap_or_else(|| SIM_DEFAULT_URL.into())),
        impersonate: None,
        source,
    }
}

fn from_env(api_url: Option<String>) -> Result<Credentials> {
    let mut missing = Vec::new();
    let mut empty = Vec::new();
    let mut values = Vec::new();
    for name in ENV_VARS {
        match std::env::var(name) {
            Ok(v) if !v.trim().is_empty() => values.push(v),
            Ok(_) => empty.push(name),
            Err(_) => missing.push(name),
        }
    }
    if !missing.is_empty() || !empty.is_empty() {
        let mut why = Vec::new();
        if !missing.is_empty() {
            why.push(format!("{} not set", missing.join(", ")));
        }
        if !empty.is_empty() {
            why.push(format!("{} empty", empty.join(", ")));
        }
        return Err(CliError::new(
            Exit::Auth,
            format!("incomplete AUTOTASK_* credentials: {}", why.join("; ")),
        )
        .hint("set all three variables, or use --profile NAME or --sim"));
    }
    let impersonate = match non_empty_var("AUTOTASK_IMPERSONATION_RESOURCE_ID") {
        Some(text) => Some(text.trim().parse().map_err(|_| {
            CliError::usage(format!(
                "AUTOTASK_IMPERSONATION_RESOURCE_ID is not a resource id: {text:?}"
            ))
        })?),
        None => None,
    };
    let secret = values.pop().unwrap_or_default();
    let integration_code = values.pop().unwrap_or_default();
    let username = values.pop().unwrap_or_default();
    Ok(Credentials {
        username,
        integration_code,
        secret: SecretText(secret),
        api_url,
        impersonate,
        source: "environment (AUTOTASK_*)".into(),
    })
}

fn load(path: Option<&Path>, required: bool) -> Result<ConfigFile> {
    let Some(path) = path else {
        return if required {
            Err(CliError::usage("no config file location (HOME is not set)")
                .hint("pass --config PATH or set AUTOTASK_CONFIG"))
        } else {
            Ok(ConfigFile::default())
        };
    };
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
            return Ok(ConfigFile::default())
        }
        Err(e) => {
            return Err(CliError::usage(format!(
                "cannot read the config file {}: {e}",
                path.display()
            ))
            .hint("create it (see `autotask --help`) or pass --config PATH"))
        }
    };
    toml::from_str(&text).map_err(|e| {
        CliError::usage(format!(
            "config file {} is not valid: {}",
            path.display(),
            e.message()
        ))
        .hint("profiles take username, integration_code, secret_command, secret_env, api_url, impersonate, sim")
    })
}

fn from_profile(
    file: &ConfigFile,
    name: &str,
    path: Option<&Path>,
    url_override: Option<String>,
) -> Result<Credentials> {
    let shown = path.map_or_else(String::new, |p| p.display().to_string());
    let profile = file.profiles.get(name).ok_or_else(|| {
        let known: Vec<&str> = file.profiles.keys().map(String::as_str).collect();
        CliError::usage(format!("no profile {name:?} in {shown}")).hint(if known.is_empty() {
            "the file defines no [profiles.NAME] table".to_string()
        } else {
            format!("its profiles are: {}", known.join(", "))
        })
    })?;
    let source = format!("profile {name:?} ({shown})");
    let api_url = url_override.or_else(|| profile.api_url.clone());
    if profile.sim {
        return Ok(sim_credentials(api_url, source));
    }
    let field = |value: &Option<String>, key: &str| {
        value
            .clone()
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(|| {
                CliError::new(Exit::Auth, format!("profile {name:?} has no {key}")).hint(format!(
                    "add `{key} = \"...\"` to [profiles.{name}] in {shown}"
                ))
            })
    };
    let username = field(&profile.username, "username")?;
    let integration_code = field(&profile.integration_code, "integration_code")?;
    let secret = profile_secret(profile, name)?;
    Ok(Credentials {
        username,
        integration_code,
        secret,
        api_url,
        impersonate: profile.impersonate,
        source,
    })
}

fn profile_secret(profile: &Profile, name: &str) -> Result<SecretText> {
    let no_secret = || {
        CliError::new(Exit::Auth, format!("profile {name:?} gives no secret")).hint(
            "add secret_command = \"...\" (a command printing the secret) or secret_env = \"VAR\"",
        )
    };
    if let Some(command) = &profile.secret_command {
        return run_secret_command(command, name);
    }
    if let Some(var) = &profile.secret_env {
        return match std::env::var(var) {
            Ok(v) if !v.trim().is_empty() => Ok(SecretText(v)),
            Ok(_) => Err(CliError::new(
                Exit::Auth,
                format!("profile {name:?}: the secret variable {var} is empty"),
            )),
            Err(_) => Err(CliError::new(
                Exit::Auth,
                format!("profile {name:?}: the secret variable {var} is not set"),
            )),
        };
    }
    match &profile.secret {
        Some(secret) if !secret.is_empty() => {
            eprintln!(
                "warning: profile {name:?} stores its secret in the clear; prefer secret_command or secret_env"
            );
            Ok(SecretText(secret.clone()))
        }
        _ => Err(no_secret()),
    }
}

/// Runs `command` through the shell; its trimmed standard output is the secret. Its standard error
/// reaches the terminal (a password manager's prompt or complaint); its output is never shown.
fn run_secret_command(command: &str, profile: &str) -> Result<SecretText> {
    let mut shell = if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.arg("/C");
        c
    } else {
        let mut c = std::process::Command::new("sh");
        c.arg("-c");
        c
    };
    let output = shell
        .arg(command)
        .stdin(std::process::Stdio::inherit())
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| {
            CliError::new(
                Exit::Auth,
                format!("profile {profile:?}: cannot run its secret_command: {e}"),
            )
        })?;
    if !output.status.success() {
        return Err(CliError::new(
            Exit::Auth,
            format!(
                "profile {profile:?}: its secret_command failed ({})",
                output.status
            ),
        )
        .hint("run the command yourself to see why"));
    }
    let text = String::from_utf8(output.stdout).map_err(|_| {
        CliError::new(
            Exit::Auth,
            format!("profile {profile:?}: its secret_command printed something that is not UTF-8"),
        )
    })?;
    let secret = text.trim_end_matches(['\r', '\n']).to_string();
    if secret.trim().is_empty() {
        return Err(CliError::new(
            Exit::Auth,
            format!("profile {profile:?}: its secret_command printed nothing"),
        ));
    }
    Ok(SecretText(secret))
}
