//! `export`: whole entities to JSON Lines or CSV files, with a progress bar per entity and a checkpoint
//! that makes an interrupted run resumable into exactly the files an uninterrupted run writes.
//!
//! The checkpoint (`DIR/.autotask-export.json`) records, per entity, the last id written and the file's
//! length at that point. It is saved after every page and when the run stops (Ctrl-C, an error); a
//! resumed run cuts each file back to the recorded length (dropping a partly written tail, e.g. after
//! a kill) and asks only for `id > last id`. Records arrive in ascending id order (checked).

use super::{compile_where, connect};
use crate::args::{ExportArgs, Global};
use crate::commands::read::all_columns;
use crate::error::{CliError, Exit, Result};
use crate::output::{self, Format};
use crate::sdk::{self, EntityMeta, Filter, Op, QueryRequest, Sdk, Verbs};
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const CHECKPOINT_FILE: &str = ".autotask-export.json";
/// The last CSV column: fields the API sent that this build's schema does not know (nothing is lost).
const OTHER_FIELDS: &str = "otherFields";
/// Fields that tell when a record last changed, best first.
const CHANGED_FIELDS: [&str; 6] = [
    "lastModifiedDateTime",
    "lastModifiedDate",
    "lastTrackedModificationDateTime",
    "lastTrackedModifiedDateTime",
    "lastActivityDate",
    "lastActivityDateTime",
];
/// Fields that tell when a record was created, best first.
const CREATED_FIELDS: [&str; 3] = ["createDateTime", "createDate", "createdDateTime"];
/// Seconds between checkpoint saves within a page (a page end always saves).
const SAVE_EVERY: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum FileFormat {
    Jsonl,
    Csv,
}

/// The options a run was started with: a resume must use the same.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Options {
    format: FileFormat,
    filter: Option<String>,
    since: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EntityState {
    file: String,
    /// The last id written; `None` before the first record.
    last_id: Option<i64>,
    /// The file's length after that record.
    bytes: u64,
    /// Records in the file.
    written: u64,
    done: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Checkpoint {
    version: u32,
    options: Options,
    entities: BTreeMap<String, EntityState>,
}

/// The checkpoint shared by the entities' tasks, saved atomically (write then rename).
struct Shared {
    path: PathBuf,
    checkpoint: Mutex<Checkpoint>,
}

impl Shared {
    fn update(&self, entity: &str, change: impl FnOnce(&mut EntityState)) {
        let mut checkpoint = self.checkpoint.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(state) = checkpoint.entities.get_mut(entity) {
            change(state);
        }
    }

    fn state(&self, entity: &str) -> EntityState {
        let checkpoint = self.checkpoint.lock().unwrap_or_else(|p| p.into_inner());
        checkpoint.entities.get(entity).cloned().unwrap_or_default()
    }

    /// Writes the checkpoint (holding the lock, so that two entities' saves never interleave).
    fn save(&self) -> Result<()> {
        let checkpoint = self.checkpoint.lock().unwrap_or_else(|p| p.into_inner());
        let text = serde_json::to_string_pretty(&*checkpoint)
            .map_err(|e| CliError::failure(format!("cannot encode the checkpoint: {e}")))?;
        let temporary = self.path.with_extension("json.tmp");
        std::fs::write(&temporary, text)
            .and_then(|()| std::fs::rename(&temporary, &self.path))
            .map_err(|e| {
                CliError::io(
                    format!("cannot save the checkpoint {}", self.path.display()),
                    e,
                )
            })
    }
}

/// One entity's export plan.
struct Plan {
    meta: &'static EntityMeta,
    filters: Vec<Filter>,
    path: PathBuf,
    columns: Vec<String>,
}

pub async fn run(global: &Global, args: ExportArgs) -> Result<()> {
    let format = match global.format.unwrap_or(Format::Jsonl) {
        Format::Jsonl => FileFormat::Jsonl,
        Format::Csv => FileFormat::Csv,
        other => {
            return Err(
                CliError::usage(format!("export writes jsonl or csv files, not {other:?}"))
                    .hint("pass --format jsonl (the default) or --format csv"),
            )
        }
    };
    let mut metas: Vec<&'static EntityMeta> = Vec::new();
    for name in &args.entities {
        let meta = sdk::entity(name)?;
        if !meta.root_verbs.contains(Verbs::QUERY) {
            return Err(CliError::usage(format!(
                "{} cannot be exported: it can only be listed under a parent",
                meta.name
            ))
            .hint("export its parent, or query it with `autotask query ... --parent ID`"));
        }
        if !metas.iter().any(|m| m.name == meta.name) {
            metas.push(meta);
        }
    }
    let since = match &args.since {
        Some(text) => Some(sdk::datetime(text).ok_or_else(|| {
            CliError::usage(format!("--since {text:?} is not a date"))
                .hint("write 2024-05-01 or 2024-05-01T13:00:00Z (UTC)")
        })?),
        None => None,
    };
    let options = Options {
        format,
        filter: args.filter.clone(),
        since: since.clone(),
    };
    std::fs::create_dir_all(&args.out)
        .map_err(|e| CliError::io(format!("cannot create {}", args.out.display()), e))?;
    let checkpoint_path = args.out.join(CHECKPOINT_FILE);
    let extension = match format {
        FileFormat::Jsonl => "jsonl",
        FileFormat::Csv => "csv",
    };
    let mut checkpoint = if args.resume {
        load_checkpoint(&checkpoint_path, &options)?
    } else {
        Checkpoint {
            version: 1,
            options: options.clone(),
            entities: BTreeMap::new(),
        }
    };
    for meta in &metas {
        checkpoint
            .entities
            .entry(meta.name.to_string())
            .or_insert_with(|| EntityState {
                file: format!("{}.{extension}", meta.name),
                ..EntityState::default()
            });
    }
    let shared = Arc::new(Shared {
        path: checkpoint_path,
        checkpoint: Mutex::new(checkpoint),
    });

    let sdk = connect(global)?;
    let mut plans = Vec::new();
    for meta in &metas {
        let mut filters = compile_where(&sdk, meta, args.filter.as_deref()).await?;
        if let Some(since) = &since {
            filters.push(since_filter(meta, since)?);
        }
        let state = shared.state(meta.name);
        plans.push(Plan {
            meta,
            filters,
            path: args.out.join(&state.file),
            columns: all_columns(meta),
        });
    }
    shared.save()?;

    let multi = indicatif::MultiProgress::new();
    let jobs = plans.iter().map(|plan| {
        let bar = multi.add(output::progress_bar(0, plan.meta.name));
        export_entity(&sdk, plan, format, Arc::clone(&shared), bar)
    });
    let all = futures::future::join_all(jobs);
    let outcome = tokio::select! {
        results = all => Some(results),
        () = interrupted() => None,
    };
    // The tasks are gone (their writers flushed as they dropped); record where each got to.
    shared.save()?;
    let _ = multi.clear();
    summary(&args.out, &shared, &metas)?;
    let Some(results) = outcome else {
        return Err(CliError::new(
            Exit::Interrupted,
            "export interrupted; the checkpoint is saved",
        )
        .hint("run the same command with --resume to continue"));
    };
    let mut failures = results.into_iter().filter_map(Result::err);
    match failures.next() {
        None => Ok(()),
        Some(first) => {
            Err(first.hint("the others' progress is saved: run the same command with --resume"))
        }
    }
}

/// Records changed or created at or after `since`: a record never changed since its creation may have
/// no change date.
fn since_filter(meta: &EntityMeta, since: &str) -> Result<Filter> {
    let first = |names: &[&str]| {
        names
            .iter()
            .find_map(|name| meta.field(name).filter(|f| f.is_queryable()))
            .map(|f| sdk::condition(f.name, Op::Gte, Value::String(since.to_string())))
    };
    match (first(&CHANGED_FIELDS), first(&CREATED_FIELDS)) {
        (Some(changed), Some(created)) => Ok(sdk::any_of(vec![changed, created])),
        (Some(one), None) | (None, Some(one)) => Ok(one),
        (None, None) => Err(CliError::usage(format!(
            "--since: {} has no change or creation date to filter on",
            meta.name
        ))
        .hint("leave it out for this entity, or use --where on one of its date fields")),
    }
}

/// Ctrl-C, or SIGTERM on Unix.
async fn interrupted() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

fn load_checkpoint(path: &Path, options: &Options) -> Result<Checkpoint> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        CliError::usage(format!("--resume: cannot read {}: {e}", path.display()))
            .hint("there is nothing to resume in this directory; leave out --resume to start")
    })?;
    let checkpoint: Checkpoint = serde_json::from_str(&text).map_err(|e| {
        CliError::usage(format!(
            "--resume: {} is not a checkpoint: {e}",
            path.display()
        ))
    })?;
    if checkpoint.options != *options {
        return Err(CliError::usage(format!(
            "--resume: the export in this directory was started with other options ({})",
            describe_options(&checkpoint.options)
        ))
        .hint("resume with the same --format, --where and --since, or export to another --out"));
    }
    Ok(checkpoint)
}

fn describe_options(options: &Options) -> String {
    let mut parts = vec![format!("--format {:?}", options.format).to_lowercase()];
    if let Some(filter) = &options.filter {
        parts.push(format!("--where {filter:?}"));
    }
    if let Some(since) = &options.since {
        parts.push(format!("--since {since}"));
    }
    parts.join(" ")
}

/// Opens the entity's file: new (with the CSV header), or cut back to the checkpoint to continue.
fn open_file(
    plan: &Plan,
    state: &EntityState,
    format: FileFormat,
) -> Result<(BufWriter<File>, u64)> {
    let shown = plan.path.display();
    if state.last_id.is_some() || state.bytes > 0 {
        let mut file = OpenOptions::new()
            .write(true)
            .open(&plan.path)
            .map_err(|e| CliError::io(format!("--resume: cannot open {shown}"), e))?;
        let length = file
            .metadata()
            .map_err(|e| CliError::io(format!("cannot read {shown}"), e))?
            .len();
        if length < state.bytes {
            return Err(CliError::failure(format!(
                "--resume: {shown} is shorter ({length} bytes) than the checkpoint says ({})",
                state.bytes
            ))
            .hint("the file was changed since; start over without --resume"));
        }
        file.set_len(state.bytes)
            .and_then(|()| file.seek(SeekFrom::End(0)).map(drop))
            .map_err(|e| CliError::io(format!("cannot cut {shown} back to the checkpoint"), e))?;
        return Ok((BufWriter::new(file), state.bytes));
    }
    let file =
        File::create(&plan.path).map_err(|e| CliError::io(format!("cannot create {shown}"), e))?;
    let mut writer = BufWriter::new(file);
    let mut bytes = 0;
    if format == FileFormat::Csv {
        let header: Vec<&str> = plan
            .columns
            .iter()
            .map(String::as_str)
            .chain([OTHER_FIELDS])
            .collect();
        let line = csv_line(&header)?;
        writer
            .write_all(&line)
            .map_err(|e| CliError::io(format!("cannot write {shown}"), e))?;
        bytes = line.len() as u64;
    }
    Ok((writer, bytes))
}

fn csv_line<I, T>(cells: I) -> Result<Vec<u8>>
where
    I: IntoIterator<Item = T>,
    T: AsRef<[u8]>,
{
    let mut line = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    line.write_record(cells)
        .map_err(|e| CliError::failure(format!("cannot encode a CSV line: {e}")))?;
    line.into_inner()
        .map_err(|e| CliError::failure(format!("cannot encode a CSV line: {e}")))
}

/// One record as a line of the file.
fn encode(record: &Value, format: FileFormat, columns: &[String]) -> Result<Vec<u8>> {
    match format {
        FileFormat::Jsonl => {
            let mut line = serde_json::to_vec(record)
                .map_err(|e| CliError::failure(format!("cannot encode a record: {e}")))?;
            line.push(b'\n');
            Ok(line)
        }
        FileFormat::Csv => {
            let empty = Map::new();
            let object = record.as_object().unwrap_or(&empty);
            let mut cells: Vec<String> = columns
                .iter()
                .map(|c| exact_text(output::cell(record, c)))
                .collect();
            let others: Map<String, Value> = object
                .iter()
                .filter(|(k, _)| !columns.iter().any(|c| c.eq_ignore_ascii_case(k)))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            cells.push(if others.is_empty() {
                String::new()
            } else {
                Value::Object(others).to_string()
            });
            csv_line(&cells)
        }
    }
}

/// A cell as exact text: strings as they are, null empty, anything else as JSON.
fn exact_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

async fn export_entity(
    sdk: &Sdk,
    plan: &Plan,
    format: FileFormat,
    shared: Arc<Shared>,
    bar: indicatif::ProgressBar,
) -> Result<()> {
    let name = plan.meta.name;
    let state = shared.state(name);
    if state.done {
        bar.finish_and_clear();
        return Ok(());
    }
    let mut filters = plan.filters.clone();
    if let Some(last) = state.last_id {
        filters.push(sdk::condition("id", Op::Gt, Value::from(last)));
    }
    let remaining = sdk.count(plan.meta, &filters).await?;
    bar.set_length(state.written + remaining);
    bar.set_position(state.written);
    let (mut writer, mut bytes) = open_file(plan, &state, format)?;
    if state.bytes != bytes {
        shared.update(name, |s| s.bytes = bytes);
    }
    let shown = plan.path.display().to_string();
    let io = |e| CliError::io(format!("cannot write {shown}"), e);
    let request = QueryRequest {
        filters,
        fields: Vec::new(),
        page_size: None,
    };
    let mut records = sdk.query(plan.meta, &request);
    let mut previous = state.last_id;
    let mut since_save = 0u32;
    let mut saved_at = Instant::now();
    while let Some(record) = records
        .try_next()
        .await
        .map_err(|e| e.context(format!("{name} export")))?
    {
        let id = record.get("id").and_then(Value::as_i64).ok_or_else(|| {
            CliError::failure(format!("{name}: a record without an id: {record}"))
        })?;
        if previous.is_some_and(|p| id <= p) {
            return Err(CliError::failure(format!(
                "{name}: ids not ascending ({id} after {})",
                previous.unwrap_or_default()
            ))
            .hint("the checkpoint cannot follow this order; report it"));
        }
        let line = encode(&record, format, &plan.columns)?;
        writer.write_all(&line).map_err(io)?;
        bytes += line.len() as u64;
        previous = Some(id);
        shared.update(name, |s| {
            s.last_id = Some(id);
            s.bytes = bytes;
            s.written += 1;
        });
        bar.inc(1);
        since_save += 1;
        if since_save >= 500 || saved_at.elapsed() >= SAVE_EVERY {
            writer.flush().map_err(io)?;
            shared.save()?;
            since_save = 0;
            saved_at = Instant::now();
        }
    }
    writer.flush().map_err(io)?;
    shared.update(name, |s| s.done = true);
    shared.save()?;
    bar.finish();
    Ok(())
}

fn summary(out: &Path, shared: &Shared, metas: &[&'static EntityMeta]) -> Result<()> {
    let mut lines = Vec::new();
    for meta in metas {
        let state = shared.state(meta.name);
        lines.push(format!(
            "{:<24} {:>9} {}  {}  {}",
            meta.name,
            state.written,
            if state.written == 1 {
                "record "
            } else {
                "records"
            },
            if state.done {
                "complete  "
            } else {
                "incomplete"
            },
            out.join(&state.file).display()
        ));
    }
    output::emit(&lines.join("\n"))
}
