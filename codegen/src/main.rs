//! `cargo run -p autotask-codegen -- <command>`: maintain `schema/`.

use clap::{Parser, Subcommand};
use codegen::refresh::Fetch;
use codegen::schema::{self, SchemaError};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(about = "Maintains the autotask SDK's checked-in schema")]
struct Cli {
    /// The schema directory.
    #[arg(long, default_value = "schema", global = true)]
    schema: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the schema from a reference directory (swagger-newest.json and the derived tables).
    Import {
        /// Directory holding swagger-newest.json, entity-catalog.derived.json, required-fields.derived.json.
        reference: PathBuf,
        /// Exit non-zero instead of writing when the schema would change.
        #[arg(long)]
        check: bool,
    },
    /// Rewrite the schema's metadata from a live tenant (AUTOTASK_USERNAME, AUTOTASK_INTEGRATION_CODE,
    /// AUTOTASK_SECRET, optional AUTOTASK_API_URL).
    Refresh {
        /// Exit non-zero instead of writing when the schema would change.
        #[arg(long)]
        check: bool,
    },
    /// Print the Rust code generated for the schema (or one entity of it).
    Generate {
        /// Only this entity (REST collection name).
        #[arg(long)]
        entity: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, SchemaError> {
    match cli.command {
        Command::Import { reference, check } => {
            let entities = codegen::import::import(&reference)?;
            write_or_check(&cli.schema, &entities, check)
        }
        Command::Refresh { check } => {
            let current = schema::load_dir(&cli.schema)?;
            let fetch = HttpFetch::from_env()?;
            let entities = codegen::refresh::refresh(&current, &fetch)?;
            write_or_check(&cli.schema, &entities, check)
        }
        Command::Generate { entity } => {
            let mut entities = schema::load_dir(&cli.schema)?;
            // Names are chosen against the whole schema, as the build script does.
            let models = codegen::emit::ModelNames::of(&entities);
            if let Some(name) = entity {
                entities.retain(|e| e.name.eq_ignore_ascii_case(&name));
                if entities.is_empty() {
                    return Err(SchemaError(format!("no entity named {name} in the schema")));
                }
            }
            print!(
                "{}",
                codegen::emit::generate_with_models(&entities, &models)
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn write_or_check(
    dir: &std::path::Path,
    entities: &[codegen::EntitySchema],
    check: bool,
) -> Result<ExitCode, SchemaError> {
    if check {
        let changed = schema::diff_dir(dir, entities)?;
        if changed.is_empty() {
            println!("schema is up to date ({} entities)", entities.len());
            return Ok(ExitCode::SUCCESS);
        }
        println!(
            "schema would change for {} entities: {}",
            changed.len(),
            changed.join(", ")
        );
        return Ok(ExitCode::from(1));
    }
    let changed = schema::write_dir(dir, entities)?;
    println!(
        "wrote {} entities to {} ({} changed)",
        entities.len(),
        dir.display(),
        changed.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// Blocking HTTP with the client's environment variables; credentials go only to the API origin.
struct HttpFetch {
    http: reqwest::blocking::Client,
    base: String,
    username: String,
    integration_code: String,
    secret: String,
}

impl HttpFetch {
    fn from_env() -> Result<Self, SchemaError> {
        let var = |name: &str| {
            std::env::var(name).map_err(|_| {
                SchemaError(format!(
                    "{name} is not set (refresh needs tenant credentials)"
                ))
            })
        };
        let username = var("AUTOTASK_USERNAME")?;
        let integration_code = var("AUTOTASK_INTEGRATION_CODE")?;
        let secret = var("AUTOTASK_SECRET")?;
        let http = reqwest::blocking::Client::builder()
            .timeout(std::time::Duration::from_secs(60))
            .build()
            .map_err(|e| SchemaError(format!("http client: {e}")))?;
        let base = match std::env::var("AUTOTASK_API_URL") {
            Ok(url) => url,
            Err(_) => detect_zone(&http, &username)?,
        };
        let base = format!("{}/", base.trim_end_matches('/'));
        let base = if base.to_ascii_lowercase().ends_with("/v1.0/") {
            base
        } else {
            format!("{base}V1.0/")
        };
        Ok(Self {
            http,
            base,
            username,
            integration_code,
            secret,
        })
    }
}

fn detect_zone(http: &reqwest::blocking::Client, user: &str) -> Result<String, SchemaError> {
    let url = "https://webservices2.autotask.net/atservicesrest/v1.0/zoneInformation";
    let answer: serde_json::Value = http
        .get(url)
        .query(&[("user", user)])
        .send()
        .and_then(|r| r.error_for_status())
        .and_then(|r| r.json())
        .map_err(|e| SchemaError(format!("zone detection failed: {e}")))?;
    answer["url"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| SchemaError("zoneInformation answer has no url".into()))
}

impl Fetch for HttpFetch {
    fn get_json(&self, path: &str) -> Result<serde_json::Value, SchemaError> {
        let url = format!("{}{}", self.base, path);
        let response = self
            .http
            .get(&url)
            .header("ApiIntegrationCode", &self.integration_code)
            .header("UserName", &self.username)
            .header("Secret", &self.secret)
            .send()
            .map_err(|e| SchemaError(format!("GET {path}: {e}")))?;
        let status = response.status();
        let body = response
            .text()
            .map_err(|e| SchemaError(format!("GET {path}: {e}")))?;
        if !status.is_success() {
            return Err(SchemaError(format!("GET {path}: HTTP {status}: {body}")));
        }
        serde_json::from_str(&body).map_err(|e| SchemaError(format!("GET {path}: not JSON: {e}")))
    }
}
