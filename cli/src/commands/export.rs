//! `export`: whole entities to JSON Lines or CSV files, with a progress bar per entity and a checkpoint
//! that makes an interrupted run resumable into exactly the files an uninterrupted run writes.
//!
//! The export itself (query, paging, ascending-id check, encoding, byte positions, resume point) is the
//! SDK's `client.export()`, through `sdk::EntityExport`. This command adds the files, the progress bars,
//! the options check and the checkpoint file (`DIR/.autotask-export.json`), which records per entity the
//! SDK's position: the last id written and the file's length at that point. It is saved whenever the
//! SDK reports a flushed position (every page, and at the end) and when the run stops (Ctrl-C, an
//! error); a resumed run cuts each file back to the recorded length (dropping a partly written tail,
//! e.g. after a kill) and asks only for `id > last id`.

use super::{compile_where, connect};
use crate::args::{ExportArgs, Global};
use crate::error::{CliError, Exit, Result};
use crate::output::{self, Format};
use crate::sdk::{self, EntityExport, EntityMeta, EntityPosition, ExportFormat, Verbs};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

const CHECKPOINT_FILE: &str = ".autotask-export.json";
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
    #[serde(default)]
    escape_formulas: bool,
}

impl FileFormat {
    fn sdk(self) -> ExportFormat {
        match self {
            FileFormat::Jsonl => ExportFormat::JsonLines,
            FileFormat::Csv => ExportFormat::Csv,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct EntityState {
    file: String,
    /// The SDK's position in the file: last id, bytes, records written, done.
    #[serde(flatten)]
    position: EntityPosition,
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

/// One entity's export, checked.
struct Plan {
    meta: &'static EntityMeta,
    export: EntityExport,
    path: PathBuf,
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
        escape_formulas: args.escape_formulas,
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
        let filters = compile_where(&sdk, meta, args.filter.as_deref()).await?;
        let state = shared.state(meta.name);
        plans.push(Plan {
            meta,
            export: sdk.export(
                meta,
                format.sdk(),
                &filters,
                since.as_deref(),
                args.escape_formulas,
                state.position,
            )?,
            path: args.out.join(&state.file),
        });
    }
    shared.save()?;

    let multi = indicatif::MultiProgress::new();
    let jobs = plans.into_iter().map(|plan| {
        let bar = multi.add(output::progress_bar(0, plan.meta.name));
        export_entity(plan, Arc::clone(&shared), bar)
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
    if options.escape_formulas {
        parts.push("--escape-formulas".into());
    }
    parts.join(" ")
}

async fn export_entity(plan: Plan, shared: Arc<Shared>, bar: indicatif::ProgressBar) -> Result<()> {
    let name = plan.meta.name;
    let state = shared.state(name);
    if state.position.done {
        bar.finish_and_clear();
        return Ok(());
    }
    let remaining = plan.export.remaining().await?;
    bar.set_length(state.position.written + remaining);
    bar.set_position(state.position.written);
    let mut writer = BufWriter::new(plan.export.open_file(&plan.path)?);
    let progress = {
        let (shared, bar) = (Arc::clone(&shared), bar.clone());
        move |position: EntityPosition| {
            shared.update(name, |s| s.position = position);
            bar.set_position(position.written);
        }
    };
    let checkpoint = {
        let shared = Arc::clone(&shared);
        move |position: EntityPosition| {
            shared.update(name, |s| s.position = position);
            shared
                .save()
                .map_err(|e| std::io::Error::other(e.to_string()))
        }
    };
    plan.export
        .run(&mut writer, progress, checkpoint)
        .await
        .map_err(|e| e.context(format!("{name} export")))?;
    bar.finish();
    Ok(())
}

fn summary(out: &Path, shared: &Shared, metas: &[&'static EntityMeta]) -> Result<()> {
    let mut lines = Vec::new();
    for meta in metas {
        let state = shared.state(meta.name);
        let position = state.position;
        lines.push(format!(
            "{:<24} {:>9} {}  {}  {}",
            meta.name,
            position.written,
            if position.written == 1 {
                "record "
            } else {
                "records"
            },
            if position.done {
                "complete  "
            } else {
                "incomplete"
            },
            out.join(&state.file).display()
        ));
    }
    output::emit(&lines.join("\n"))
}
