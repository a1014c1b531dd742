//! The command line, with an example section in every command's `--help`.

use crate::output::Format;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

const CONNECTION_HELP: &str = "\
Connection (first that applies):
  --sim                 the local simulator (`autotask sim`), at --api-url or http://127.0.0.1:8080
  --profile NAME        a profile of the config file (also AUTOTASK_PROFILE)
  AUTOTASK_USERNAME, AUTOTASK_INTEGRATION_CODE, AUTOTASK_SECRET  (+ AUTOTASK_API_URL,
                        AUTOTASK_IMPERSONATION_RESOURCE_ID)
  the profile named by default_profile, or [profiles.default], in the config file
Config file: --config, AUTOTASK_CONFIG, or ~/.config/autotask/config.toml:
  default_profile = \"prod\"
  [profiles.prod]
  username = \"api@example.com\"
  integration_code = \"ABCDEF\"
  secret_command = \"pass show autotask/prod\"   # or secret_env = \"VAR\"; never printed
  # api_url = \"https://webservices5.autotask.net/ATServicesRest/\"  (default: zone detection)
  [profiles.sim]
  sim = true";

#[derive(Debug, Parser)]
#[command(
    name = "autotask",
    version,
    about = "Autotask PSA from the command line: look up, query, count, bulk-fix and export records",
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// The top-level `--help` epilogue: examples, connection and exit codes.
pub fn top_level_help() -> String {
    format!(
        "Examples:\n  autotask sim                                  # a local simulator, no tenant needed\n  \
         autotask --sim query Tickets --where 'status != Complete' --limit 5\n  \
         autotask --profile prod get Tickets 123\n  \
         autotask --sim export Tickets Companies --out backup/\n\n{CONNECTION_HELP}\n\n{}",
        crate::error::EXIT_CODES
    )
}

#[derive(Debug, Args)]
pub struct Global {
    /// Use the local simulator's demo credentials (start it with `autotask sim`).
    #[arg(long, global = true)]
    pub sim: bool,
    /// A profile of the config file.
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
    /// The API base URL (skips zone detection), e.g. the one `autotask sim` prints.
    #[arg(long, global = true, value_name = "URL")]
    pub api_url: Option<String>,
    /// The config file (default ~/.config/autotask/config.toml).
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Output format (default: table on a terminal, jsonl when piped).
    #[arg(long, short = 'o', global = true, value_enum)]
    pub format: Option<Format>,
    /// Log requests to stderr (-v: requests, -vv: everything).
    #[arg(long, short = 'v', global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the zone, API user and threshold usage of the connection.
    #[command(
        after_help = "Examples:\n  autotask --sim whoami\n  autotask --profile prod whoami --format json"
    )]
    Whoami,

    /// Run the local simulator of the Autotask REST API (until Ctrl-C).
    #[command(
        after_help = "Examples:\n  autotask sim                       # http://127.0.0.1:8080, 500 tickets\n  autotask sim --port 9000 --tickets 5000\n  autotask sim --seed none --state sim.json   # empty, kept across runs\nThen, in another terminal: autotask --sim query Tickets --limit 5"
    )]
    Sim(SimArgs),

    /// List the entities: name, verbs, parent path.
    #[command(
        after_help = "Examples:\n  autotask entities\n  autotask entities ticket          # names containing \"ticket\"\n  autotask entities --format json"
    )]
    Entities {
        /// Only names containing this text (any case).
        contains: Option<String>,
    },

    /// List an entity's fields: type, required, read-only, picklist, reference.
    #[command(
        after_help = "Examples:\n  autotask fields Tickets\n  autotask fields Contacts --format csv"
    )]
    Fields {
        /// Entity (REST collection or model name, any case).
        entity: String,
    },

    /// Show a picklist's values and labels (from the tenant).
    #[command(
        after_help = "Examples:\n  autotask --sim picklist Tickets status\n  autotask --sim picklist Tickets subIssueType --parent-value 4   # dependent picklist"
    )]
    Picklist {
        entity: String,
        field: String,
        /// For a dependent picklist: only the values under this value of its parent field.
        #[arg(long, value_name = "VALUE")]
        parent_value: Option<String>,
    },

    /// List an entity's user-defined fields (from the tenant).
    #[command(
        after_help = "Examples:\n  autotask --sim udfs Tickets\n  autotask --sim udfs Companies --format json"
    )]
    Udfs { entity: String },

    /// Read one record by id.
    #[command(
        after_help = "Examples:\n  autotask --sim get Tickets 123\n  autotask --sim get Tickets 123 --format json\n  autotask --sim get TicketNotes 9 --parent 123"
    )]
    Get {
        entity: String,
        id: i64,
        /// The parent's id, for entities read under a parent path.
        #[arg(long, value_name = "ID")]
        parent: Option<i64>,
        /// Only these fields (comma-separated).
        #[arg(long, value_delimiter = ',')]
        fields: Vec<String>,
    },

    /// Query records with a filter; pages to the end.
    #[command(after_help = concat!(
        "Examples:\n",
        "  autotask --sim query Tickets --where 'status != \"Complete\" and (priority = 1 or title contains \"printer\")' \\\n",
        "      --fields id,ticketNumber,title,status --limit 100\n",
        "  autotask --sim query Companies --where 'companyName beginsWith \"A\"' --format csv > companies.csv\n",
        "  autotask --sim query TicketNotes --parent 123\n\n",
    ))]
    Query(QueryArgs),

    /// Count the records a filter matches.
    #[command(
        after_help = "Examples:\n  autotask --sim count Tickets\n  autotask --sim count Tickets --where 'status = \"Waiting Customer\" and udf.Region = EU'"
    )]
    Count {
        entity: String,
        /// Filter (see `autotask query --help`).
        #[arg(long = "where", short = 'w', value_name = "FILTER")]
        filter: Option<String>,
    },

    /// Create a record from --set values and/or JSON on stdin.
    #[command(
        after_help = "Examples:\n  autotask --sim create Tickets --set title=\"Disk full\" --set companyID=0 --set priority=Medium --set status=New\n  echo '{\"title\":\"From JSON\",\"companyID\":0,\"priority\":2,\"status\":1}' | autotask --sim create Tickets --stdin\n  autotask --sim create TicketNotes --parent 123 --set title=Called --set description=\"Left a message\" \\\n      --set noteType=1 --set publish=1\n  autotask --sim create Tickets --set title=Test ... --dry-run     # print the request only"
    )]
    Create(WriteArgs),

    /// Update one record by id, or every record a filter matches (bulk, with confirmation).
    #[command(
        after_help = "Examples:\n  autotask --sim update Tickets 123 --set status=\"Waiting Customer\"\n  autotask --sim update Tickets --where 'title contains \"printer\" and status = New' --set priority=High\n  autotask --sim update Tickets --where 'status = New' --set status=\"In Progress\" --dry-run\n  autotask --sim update Tickets --where 'status = New' --set priority=Low --yes\n  autotask --sim update Tickets 12 13 14 --set priority=Low --yes\nBulk updates show the count and ask before sending (--yes skips the question), run at most 3 requests\nat a time (Autotask's thread limit), and print one result per record; exit code 7 if some failed."
    )]
    Update(UpdateArgs),

    /// Delete records by id, where the API allows it (asks first; --yes skips).
    #[command(
        after_help = "Examples:\n  autotask --sim delete TicketNotes 45 --parent 123 --yes\n  autotask --sim delete Companies 17 --dry-run\nTickets, Companies and many others cannot be deleted through the API; the error says so."
    )]
    Delete {
        entity: String,
        #[arg(required = true)]
        ids: Vec<i64>,
        #[arg(long, value_name = "ID")]
        parent: Option<i64>,
        /// Do not ask for confirmation.
        #[arg(long, short = 'y')]
        yes: bool,
        /// Print the requests instead of sending them.
        #[arg(long)]
        dry_run: bool,
    },

    /// Export whole entities to JSON Lines or CSV files, resumable.
    #[command(
        after_help = "Examples:\n  autotask --sim export Tickets Companies Contacts --out backup/\n  autotask --sim export Tickets --format csv --out reports/ --since 2024-01-01\n  autotask --sim export Tickets --out backup/ --where 'status != Complete'\n  autotask --sim export Tickets Companies --out backup/ --resume    # after Ctrl-C or a failure\nFiles: DIR/<Entity>.jsonl or .csv, and DIR/.autotask-export.json (the checkpoint). Records are\nwritten in ascending id order; --resume continues every unfinished entity after its last id and\nproduces exactly the files an uninterrupted run would. Progress bars go to stderr on a terminal."
    )]
    Export(ExportArgs),

    /// Verify webhook callouts, or receive and print them.
    #[command(subcommand)]
    Webhook(WebhookCommand),

    /// Show the tenant's threshold usage and this run's requests per endpoint.
    #[command(
        after_help = "Examples:\n  autotask --sim usage\n  autotask --profile prod usage --format json"
    )]
    Usage,

    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  autotask completion bash > ~/.local/share/bash-completion/completions/autotask\n  autotask completion zsh > \"${fpath[1]}/_autotask\"\n  autotask completion fish > ~/.config/fish/completions/autotask.fish"
    )]
    Completion { shell: Shell },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum SeedKind {
    /// Demo companies, contacts, tickets, notes, projects, contracts...
    Demo,
    /// Empty tables.
    None,
}

#[derive(Debug, Args)]
pub struct SimArgs {
    /// Port to listen on (0: any free port).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Tickets in the demo data.
    #[arg(long, default_value_t = 500)]
    pub tickets: usize,
    /// Customer companies in the demo data.
    #[arg(long, default_value_t = 25)]
    pub companies: usize,
    /// Data to start with.
    #[arg(long, value_enum, default_value_t = SeedKind::Demo)]
    pub seed: SeedKind,
    /// JSON snapshot loaded at start (when present) and saved on exit.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Fixed latency added to every request, held inside its thread slot (150 is realistic for Autotask).
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency_ms: u64,
    /// Inject faults: kind:rate[:method][:path], repeatable (e.g. server-error:5%:POST:/Tickets, delay=2s:1, 429=30:10%).
    #[arg(long = "fault", value_name = "SPEC", value_parser = parse_fault)]
    pub faults: Vec<autotask_sim::FaultRule>,
}

fn parse_fault(spec: &str) -> std::result::Result<autotask_sim::FaultRule, String> {
    autotask_sim::FaultRule::parse(spec).map_err(|e| e.to_string())
}

#[derive(Debug, Args)]
pub struct QueryArgs {
    pub entity: String,
    /// Filter, e.g. 'status != "Complete" and (priority = 1 or title contains "printer")'.
    #[arg(long = "where", short = 'w', value_name = "FILTER", long_help = crate::filter::OPERATOR_HELP)]
    pub filter: Option<String>,
    /// Fields to return (comma-separated; udf.Name for a UDF). Default: all (a few in a table).
    #[arg(long, value_delimiter = ',')]
    pub fields: Vec<String>,
    /// At most this many records.
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,
    /// List the children of this parent (entities reached through a parent path).
    #[arg(long, value_name = "ID")]
    pub parent: Option<i64>,
}

#[derive(Debug, Args)]
pub struct WriteArgs {
    pub entity: String,
    /// FIELD=VALUE (repeatable); picklists take labels, UDFs are udf.Name=VALUE.
    #[arg(long = "set", short = 's', value_name = "FIELD=VALUE")]
    pub set: Vec<String>,
    /// Set FIELD to null (repeatable).
    #[arg(long, value_name = "FIELD")]
    pub unset: Vec<String>,
    /// Read a JSON object from stdin; --set values are applied on top.
    #[arg(long)]
    pub stdin: bool,
    /// The parent's id, for entities written under a parent path (TicketNotes under Tickets).
    #[arg(long, value_name = "ID")]
    pub parent: Option<i64>,
    /// Print the request instead of sending it.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    #[command(flatten)]
    pub write: WriteArgs,
    /// The record(s) to update (or use --where); several ids make a bulk update.
    #[arg(conflicts_with = "filter")]
    pub ids: Vec<i64>,
    /// Update every record this filter matches.
    #[arg(long = "where", short = 'w', value_name = "FILTER")]
    pub filter: Option<String>,
    /// Do not ask for confirmation.
    #[arg(long, short = 'y')]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Entities to export.
    #[arg(required = true)]
    pub entities: Vec<String>,
    /// Directory for the files (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Only records matching this filter (the same filter for every entity).
    #[arg(long = "where", short = 'w', value_name = "FILTER")]
    pub filter: Option<String>,
    /// Only records changed (or, without a change date, created) since this date (UTC).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// CSV: write text cells that a spreadsheet would run as a formula (starting with =, +, -, @, tab
    /// or CR) with a leading ', so that Excel shows them as text (OWASP "CSV Injection").
    #[arg(long)]
    pub escape_formulas: bool,
    /// Continue an interrupted export in DIR with the same options.
    #[arg(long)]
    pub resume: bool,
}

#[derive(Debug, Subcommand)]
pub enum WebhookCommand {
    /// Check a callout's signature: the body on stdin, the X-Hook-Signature value as an argument.
    #[command(
        after_help = "Examples:\n  autotask webhook verify --secret s3cret --signature 'sha1=...' < body.json\n  AUTOTASK_WEBHOOK_SECRET=s3cret autotask webhook verify --signature \"$SIG\" < body.json\nExit code 0 and the decoded callout when it matches; 3 when it does not."
    )]
    Verify {
        /// The webhook's secret key.
        #[arg(long, env = "AUTOTASK_WEBHOOK_SECRET", hide_env_values = true)]
        secret: String,
        /// The X-Hook-Signature header's value (`sha1=<base64>`).
        #[arg(long)]
        signature: String,
    },
    /// Receive callouts on a local port, verify them, print each as JSON (401 for a bad signature).
    #[command(
        after_help = "Examples:\n  autotask webhook listen --port 8099 --secret s3cret\n  autotask webhook listen --port 8099 --secret s3cret --count 1 --format json"
    )]
    Listen {
        /// Port to listen on (0: any free port, printed on stderr).
        #[arg(long, default_value_t = 8099)]
        port: u16,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1")]
        host: std::net::IpAddr,
        /// The webhook's secret key.
        #[arg(long, env = "AUTOTASK_WEBHOOK_SECRET", hide_env_values = true)]
        secret: String,
        /// Stop after this many verified callouts.
        #[arg(long, value_name = "N")]
        count: Option<u64>,
    },
}
