//! `client.export()`: py-autotask's `DataExport` and `BackupConfiguration`. Streams whole collections to
//! JSON Lines or CSV writers, resumable from a checkpoint that records the output's byte position, with
//! progress and checkpoint callbacks.

use super::csv::CsvLines;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::model::meta::{EntityMeta, Verbs};
use crate::model::wire::{datetime, DateTime};
use crate::ops::{QueryBuilder, DEFAULT_PARALLEL_PAGES};
use crate::query::{Filter, Op};
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::fs::{File, OpenOptions};
use std::io::{Seek, SeekFrom, Write};
use std::path::Path;

/// Output format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum ExportFormat {
    /// One compact JSON object per line, exactly as the API returned it.
    #[default]
    #[serde(rename = "jsonl")]
    JsonLines,
    /// RFC 4180 CSV (CRLF line ends, written by the `csv` crate): a header with the entity's fields in
    /// metadata order (plus `userDefinedFields` for entities that have UDFs, written as JSON text) and a
    /// last `otherFields` column, then one line per record. `otherFields` holds, as a JSON object, any
    /// field the API sent that this build's metadata does not know (a field Autotask added later), so
    /// that nothing is lost; it is empty otherwise. See [`Export::escape_formulas`] for files that will
    /// be opened in a spreadsheet.
    Csv,
}

/// How far one entity's output got: the last id written, the output's length in bytes after it, the
/// records in the output and whether the entity was exported to its end.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct EntityPosition {
    /// The last id written; `None` before the first record.
    pub last_id: Option<i64>,
    /// The output's length in bytes after that record (the CSV header included).
    pub bytes: u64,
    /// Records in the output, over every run that wrote to it.
    pub written: u64,
    /// The last run reached the end of the entity.
    pub done: bool,
}

/// Where an export got to, per entity (its collection name): see [`EntityPosition`]. It is plain JSON
/// (`{"format":"csv","entities":{"Tickets":{"lastId":1234,"bytes":881234,"written":1234,"done":false}}}`):
/// serialize it to resume after a failure or in a later run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Checkpoint {
    /// The format the outputs are written in; a resume in another format is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    format: Option<ExportFormat>,
    #[serde(default)]
    entities: BTreeMap<String, EntityPosition>,
}

impl Checkpoint {
    /// An empty checkpoint: everything will be exported.
    pub fn new() -> Self {
        Self::default()
    }

    /// The last id written for `entity` (its collection name), if any.
    pub fn last_id(&self, entity: &str) -> Option<i64> {
        self.position(entity).and_then(|p| p.last_id)
    }

    /// Where `entity`'s output got to, if the export started it.
    pub fn position(&self, entity: &str) -> Option<&EntityPosition> {
        self.entities.get(entity)
    }

    /// Every entity's position, by collection name.
    pub fn entities(&self) -> &BTreeMap<String, EntityPosition> {
        &self.entities
    }

    /// Sets where `entity`'s output got to (for a caller that keeps positions in its own state file).
    pub fn set_position(&mut self, entity: &str, position: EntityPosition) {
        self.entities.insert(entity.to_string(), position);
    }

    /// Opens the file `path` for `entity`'s output so that the export continues exactly where this
    /// checkpoint says: a new (or emptied) file when the checkpoint has no bytes for `entity`, else the
    /// file cut back to [`EntityPosition::bytes`] (dropping a tail written after the checkpoint was
    /// saved, e.g. by a process that was killed) and positioned at its end. A resumed export into it
    /// gives the same bytes as an uninterrupted one. Wrap it in a `BufWriter`.
    ///
    /// An error when the file is shorter than the checkpoint says (it was changed since).
    pub fn open_file(&self, entity: &str, path: impl AsRef<Path>) -> Result<File> {
        let path = path.as_ref();
        let io = |what: &str, source| Error::Io {
            what: format!("{} ({what})", path.display()),
            source,
        };
        let bytes = self.position(entity).map_or(0, |p| p.bytes);
        if bytes == 0 {
            return File::create(path).map_err(|e| io("creating it", e));
        }
        let mut file = OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(|e| io("opening it to resume", e))?;
        let length = file
            .metadata()
            .map_err(|e| io("reading its length", e))?
            .len();
        if length < bytes {
            return Err(Error::InvalidInput(format!(
                "{} is shorter ({length} bytes) than the checkpoint of {entity} says ({bytes}): it was \
                 changed since; start the export over",
                path.display()
            )));
        }
        file.set_len(bytes)
            .and_then(|()| file.seek(SeekFrom::End(0)).map(drop))
            .map_err(|e| io("cutting it back to the checkpoint", e))?;
        Ok(file)
    }
}

/// What the progress callback receives, after each record written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExportProgress {
    /// The collection being exported.
    pub entity: &'static str,
    /// Records of this entity written in this run.
    pub written: u64,
    /// Records of all entities written in this run.
    pub total_written: u64,
    /// The id just written (now the checkpoint's value for `entity`).
    pub last_id: i64,
    /// Where `entity`'s output now stands (what the checkpoint says for it).
    pub position: EntityPosition,
}

/// The result of [`Export::entities`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportSummary {
    /// Records written in this run, per entity.
    pub written: BTreeMap<String, u64>,
    /// The checkpoint after the run.
    pub checkpoint: Checkpoint,
}

type ProgressCallback = Box<dyn FnMut(&ExportProgress) + Send>;
type CheckpointCallback = Box<dyn FnMut(&Checkpoint) -> std::io::Result<()> + Send>;

/// Fields that tell when a record last changed, best first (for [`Export::since`]).
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

/// Records between two checkpoint callbacks (a page).
const DEFAULT_CHECKPOINT_EVERY: u64 = 500;

/// py-autotask's `DataExport` / `BackupConfiguration`: `client.export()`.
///
/// Records are streamed page by page (500 per `POST {E}/query` and `query/next` request, in ascending
/// id order; by default three pages at a time over consecutive id ranges, see [`parallel`](Self::parallel))
/// and written as they arrive: a few pages at most are in memory, whatever the collection's size.
/// The checkpoint is advanced after every record written, so after an error
/// [`checkpoint`](Self::checkpoint) says exactly what reached the writer (its last id and the byte
/// position after it), and a new run built with [`resume_from`](Self::resume_from) asks only for
/// `id > last id` (no record twice, none skipped). Resuming into a file opened with
/// [`Checkpoint::open_file`] gives byte for byte the file an uninterrupted run writes, even when the
/// process was killed after the checkpoint was saved.
///
/// Writers are `std::io::Write` and are called from the async task: give a buffered file, not a slow
/// network socket. Each record is one `write_all` call.
///
/// ```no_run
/// # async fn demo(client: autotask::Client) -> autotask::Result<()> {
/// use autotask::services::{Checkpoint, ExportFormat};
/// let checkpoint: Checkpoint = match std::fs::read_to_string("checkpoint.json") {
///     Ok(text) => serde_json::from_str(&text).unwrap(),
///     Err(_) => Checkpoint::new(),
/// };
/// let files = checkpoint.clone();
/// let mut export = client
///     .export()
///     .format(ExportFormat::Csv)
///     .escape_formulas(true)
///     .resume_from(checkpoint)
///     .on_progress(|p| eprintln!("{}: {} written", p.entity, p.written))
///     // Called after the writer was flushed: what it says is on disk.
///     .on_checkpoint(|c| std::fs::write("checkpoint.json", serde_json::to_string(c)?));
/// export
///     .entities(&["Companies", "Tickets"], |entity| {
///         let file = files.open_file(entity, format!("{entity}.csv"))?;
///         Ok(std::io::BufWriter::new(file))
///     })
///     .await?;
/// # Ok(()) }
/// ```
pub struct Export {
    client: Client,
    format: ExportFormat,
    escape_formulas: bool,
    filters: Vec<Filter>,
    since: Option<DateTime>,
    checkpoint: Checkpoint,
    checkpoint_every: u64,
    parallel: usize,
    progress: Option<ProgressCallback>,
    on_checkpoint: Option<CheckpointCallback>,
}

impl std::fmt::Debug for Export {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Export")
            .field("format", &self.format)
            .field("escape_formulas", &self.escape_formulas)
            .field("filters", &self.filters)
            .field("since", &self.since)
            .field("checkpoint", &self.checkpoint)
            .field("checkpoint_every", &self.checkpoint_every)
            .field("parallel", &self.parallel)
            .field("progress", &self.progress.is_some())
            .field("on_checkpoint", &self.on_checkpoint.is_some())
            .finish()
    }
}

impl Client {
    /// Exports of whole collections to JSON Lines or CSV.
    pub fn export(&self) -> Export {
        Export {
            client: self.clone(),
            format: ExportFormat::default(),
            escape_formulas: false,
            filters: Vec::new(),
            since: None,
            checkpoint: Checkpoint::default(),
            checkpoint_every: DEFAULT_CHECKPOINT_EVERY,
            parallel: DEFAULT_PARALLEL_PAGES,
            progress: None,
            on_checkpoint: None,
        }
    }
}

impl Export {
    /// The output format (default JSON Lines).
    pub fn format(mut self, format: ExportFormat) -> Self {
        self.format = format;
        self
    }

    /// CSV only: write text cells that a spreadsheet would run as a formula (those starting with `=`,
    /// `+`, `-`, `@`, tab or carriage return, per OWASP's "CSV Injection" guidance) with a leading `'`,
    /// which Excel and LibreOffice show as text. Off by default, so that the file holds the data exactly;
    /// turn it on for files people open in a spreadsheet. Numbers (`-5`) are never changed.
    pub fn escape_formulas(mut self, escape: bool) -> Self {
        self.escape_formulas = escape;
        self
    }

    /// Only records matching `filter` (ANDed with earlier filters), for every entity exported. A resume
    /// must use the same filters.
    pub fn filter(mut self, filter: Filter) -> Self {
        self.filters.push(filter);
        self
    }

    /// Only records changed at or after `since`, or created then when they have no change date: per
    /// entity, its first queryable field of `lastModifiedDateTime`, `lastModifiedDate`,
    /// `lastTrackedModificationDateTime`, `lastActivityDate`, ... or of `createDateTime`, `createDate`,
    /// ... (both, ORed, when it has both). An entity with neither is refused before any request.
    pub fn since(mut self, since: DateTime) -> Self {
        self.since = Some(since);
        self
    }

    /// Continue from `checkpoint`: entities it names are exported from `id > last id` on (an entity
    /// exported to its end gets the records created since), and for CSV their header is not written
    /// again. Give writers positioned at the checkpoint's byte position ([`Checkpoint::open_file`]).
    /// A checkpoint of another format is refused.
    pub fn resume_from(mut self, checkpoint: Checkpoint) -> Self {
        self.checkpoint = checkpoint;
        self
    }

    /// Called after every record written.
    pub fn on_progress(mut self, callback: impl FnMut(&ExportProgress) + Send + 'static) -> Self {
        self.progress = Some(Box::new(callback));
        self
    }

    /// Called with the checkpoint after the writer was flushed, every
    /// [`checkpoint_every`](Self::checkpoint_every) records (default 500, a page) and at the end of each
    /// entity: save it here, and what it says has reached the writer. An error stops the export
    /// ([`Error::Io`]).
    pub fn on_checkpoint(
        mut self,
        callback: impl FnMut(&Checkpoint) -> std::io::Result<()> + Send + 'static,
    ) -> Self {
        self.on_checkpoint = Some(Box::new(callback));
        self
    }

    /// Pages fetched at a time (default [`DEFAULT_PARALLEL_PAGES`], the API's limit of 3 concurrent
    /// requests per endpoint, shared with the client's other work on the entity; 1: one after the
    /// other). Records are written in ascending id order either way, exactly the sequential stream's
    /// (see [`QueryBuilder::parallel`]); a parallel stream costs one more `query/count` and a one-record
    /// probe per entity, and saves about two thirds of the time when the API's latency dominates.
    pub fn parallel(mut self, pages: usize) -> Self {
        self.parallel = pages.max(1);
        self
    }

    /// Records between two [`on_checkpoint`](Self::on_checkpoint) calls (at least 1).
    pub fn checkpoint_every(mut self, records: u64) -> Self {
        self.checkpoint_every = records.max(1);
        self
    }

    /// Where the export got to.
    pub fn checkpoint(&self) -> &Checkpoint {
        &self.checkpoint
    }

    /// Exports each of `entities` (collection names, or aliases such as `InstalledProducts`) in turn to
    /// the writer `open(collection name)` returns, stopping at the first error. Requests: one query per
    /// entity, paged to the end. Entities that can only be listed under a parent, or that
    /// [`since`](Self::since) cannot filter, are refused before any request.
    pub async fn entities<W, F>(&mut self, entities: &[&str], mut open: F) -> Result<ExportSummary>
    where
        W: Write,
        F: FnMut(&str) -> Result<W>,
    {
        // Every name is checked before the first writer is opened.
        let plans = entities
            .iter()
            .map(|name| self.plan(name))
            .collect::<Result<Vec<_>>>()?;
        let mut written = BTreeMap::new();
        let mut total = 0;
        for plan in plans {
            let name = plan.meta.name;
            let mut writer = open(name)?;
            let count = self.write_entity(plan, &mut writer, total).await?;
            total += count;
            *written.entry(name.to_string()).or_default() += count;
        }
        Ok(ExportSummary {
            written,
            checkpoint: self.checkpoint.clone(),
        })
    }

    /// Exports one entity to `writer`; the number of records written. Requests: one query, paged to
    /// the end.
    pub async fn entity<W: Write + ?Sized>(&mut self, entity: &str, writer: &mut W) -> Result<u64> {
        let plan = self.plan(entity)?;
        self.write_entity(plan, writer, 0).await
    }

    /// The checks [`entities`](Self::entities) makes before any request: `entity` can be queried at its
    /// root, [`since`](Self::since) can filter it, and the checkpoint is of this export's format. Its
    /// collection name.
    pub fn check(&self, entity: &str) -> Result<&'static str> {
        self.plan(entity).map(|plan| plan.meta.name)
    }

    /// How many records exporting `entity` now would write (what is left of it after the checkpoint):
    /// one `POST {E}/query/count` with the export's filters.
    pub async fn remaining(&self, entity: &str) -> Result<u64> {
        let plan = self.plan(entity)?;
        let position = self.checkpoint.position(plan.meta.name).copied();
        self.query(plan, position.unwrap_or_default())?
            .count()
            .await
    }

    /// The query of `plan`'s records after `position`.
    fn query(&self, plan: Plan, position: EntityPosition) -> Result<QueryBuilder<Value>> {
        let mut query = self.client.entities().get_entity(plan.meta.name)?.query();
        for filter in self.filters.iter().cloned().chain(plan.since) {
            query = query.filter(filter);
        }
        if let Some(last) = position.last_id {
            query = query.filter(Filter::condition("id", Op::Gt, last));
        }
        Ok(query)
    }

    /// The entity, if it can be queried at its root and filtered by [`since`](Self::since), and the
    /// checkpoint is of this export's format.
    fn plan(&self, entity: &str) -> Result<Plan> {
        let meta = self.client.entities().get_entity(entity)?.meta();
        if !meta.root_verbs.contains(Verbs::QUERY) {
            return Err(Error::InvalidInput(format!(
                "{} cannot be exported: it cannot be queried at /{} (only listed under a parent)",
                meta.name, meta.name
            )));
        }
        if let Some(format) = self.checkpoint.format {
            if format != self.format && !self.checkpoint.entities.is_empty() {
                return Err(Error::InvalidInput(format!(
                    "the checkpoint is of a {format:?} export, this export writes {:?}",
                    self.format
                )));
            }
        }
        let since = self
            .since
            .map(|since| since_filter(meta, &since))
            .transpose()?;
        Ok(Plan { meta, since })
    }

    async fn write_entity<W: Write + ?Sized>(
        &mut self,
        plan: Plan,
        writer: &mut W,
        total_before: u64,
    ) -> Result<u64> {
        let meta = plan.meta;
        let collection = meta.name;
        let mut position = self
            .checkpoint
            .entities
            .get(collection)
            .copied()
            .unwrap_or_default();
        let query = self.query(plan, position)?;
        self.checkpoint.format = Some(self.format);
        position.done = false;
        let io = |source| Error::Io {
            what: format!("{collection} export"),
            source,
        };
        let mut encoder = match self.format {
            ExportFormat::JsonLines => Encoder::JsonLines(Vec::with_capacity(4096)),
            ExportFormat::Csv => {
                Encoder::Csv(Box::new(CsvRecords::new(meta, self.escape_formulas)))
            }
        };
        if position.bytes == 0 {
            if let Encoder::Csv(csv) = &mut encoder {
                let header = csv.header().map_err(io)?;
                writer.write_all(header).map_err(io)?;
                position.bytes = header.len() as u64;
            }
        }
        self.checkpoint
            .entities
            .insert(collection.to_string(), position);
        let mut records = query.parallel(self.parallel).stream();
        let mut written = 0u64;
        let mut since_checkpoint = 0u64;
        while let Some(record) = records.try_next().await? {
            let id = record["id"].as_i64().ok_or_else(|| {
                Error::Protocol(format!("{collection} record without an id: {record}"))
            })?;
            // Resuming relies on ascending ids; anything else would make the checkpoint lie.
            if position.last_id.is_some_and(|p| id <= p) {
                return Err(Error::Protocol(format!(
                    "{collection}: ids not ascending ({id} after {:?}); cannot checkpoint",
                    position.last_id
                )));
            }
            let line = encoder.line(collection, &record)?;
            writer.write_all(line).map_err(io)?;
            written += 1;
            position.last_id = Some(id);
            position.bytes += line.len() as u64;
            position.written += 1;
            if let Some(stored) = self.checkpoint.entities.get_mut(collection) {
                *stored = position;
            }
            if let Some(callback) = self.progress.as_mut() {
                callback(&ExportProgress {
                    entity: collection,
                    written,
                    total_written: total_before + written,
                    last_id: id,
                    position,
                });
            }
            since_checkpoint += 1;
            if since_checkpoint >= self.checkpoint_every {
                since_checkpoint = 0;
                writer.flush().map_err(io)?;
                self.report_checkpoint(collection)?;
            }
        }
        writer.flush().map_err(io)?;
        position.done = true;
        self.checkpoint
            .entities
            .insert(collection.to_string(), position);
        self.report_checkpoint(collection)?;
        Ok(written)
    }

    fn report_checkpoint(&mut self, collection: &str) -> Result<()> {
        match self.on_checkpoint.as_mut() {
            Some(callback) => callback(&self.checkpoint).map_err(|source| Error::Io {
                what: format!("{collection} export checkpoint"),
                source,
            }),
            None => Ok(()),
        }
    }
}

/// One entity to export, checked.
#[derive(Clone)]
struct Plan {
    meta: &'static EntityMeta,
    since: Option<Filter>,
}

/// Records changed or created at or after `since` (a record never changed since its creation may have
/// no change date).
fn since_filter(meta: &EntityMeta, since: &DateTime) -> Result<Filter> {
    let text = datetime::format(since);
    let first = |names: &[&str]| {
        names
            .iter()
            .find_map(|name| {
                meta.fields
                    .iter()
                    .find(|f| f.name.eq_ignore_ascii_case(name))
            })
            .filter(|f| f.is_queryable())
            .map(|f| Filter::condition(f.name, Op::Gte, text.as_str()))
    };
    match (first(&CHANGED_FIELDS), first(&CREATED_FIELDS)) {
        (Some(changed), Some(created)) => Ok(Filter::or(vec![changed, created])),
        (Some(one), None) | (None, Some(one)) => Ok(one),
        (None, None) => Err(Error::InvalidInput(format!(
            "{} has no change or creation date to export `since` by",
            meta.name
        ))),
    }
}

/// Turns records into output lines, reusing its buffers.
enum Encoder {
    JsonLines(Vec<u8>),
    Csv(Box<CsvRecords>),
}

impl Encoder {
    /// `record` as one line of output; valid until the next call.
    fn line(&mut self, collection: &str, record: &Value) -> Result<&[u8]> {
        match self {
            Encoder::JsonLines(line) => {
                line.clear();
                serde_json::to_writer(&mut *line, record).map_err(|e| Error::Io {
                    what: format!("{collection} export"),
                    source: e.into(),
                })?;
                line.push(b'\n');
                Ok(line)
            }
            Encoder::Csv(csv) => csv.line(collection, record),
        }
    }
}

/// The last CSV column: fields the API sent that this build's metadata does not know.
const OTHER_FIELDS_COLUMN: &str = "otherFields";

/// An entity's CSV columns, with the lookup from a record's keys to them built once per export (the
/// API's keys match the metadata's names, in any case).
struct CsvRecords {
    columns: Vec<&'static str>,
    exact: HashMap<&'static str, usize>,
    folded: HashMap<String, usize>,
    /// The previous record's keys and their columns, in order: the records of one answer come with the
    /// same keys in the same order, so most keys are matched by one string comparison, not a hash.
    layout: Vec<(String, Option<usize>)>,
    lines: CsvLines,
}

impl CsvRecords {
    fn new(meta: &EntityMeta, escape_formulas: bool) -> Self {
        let columns: Vec<&'static str> = meta
            .fields
            .iter()
            .map(|f| f.name)
            .chain(meta.has_user_defined_fields.then_some("userDefinedFields"))
            .collect();
        Self {
            exact: columns.iter().enumerate().map(|(i, c)| (*c, i)).collect(),
            folded: columns
                .iter()
                .enumerate()
                .map(|(i, c)| (c.to_ascii_lowercase(), i))
                .collect(),
            columns,
            layout: Vec::new(),
            lines: CsvLines::new(escape_formulas),
        }
    }

    fn header(&mut self) -> std::io::Result<&[u8]> {
        let names = self.columns.iter().copied().chain([OTHER_FIELDS_COLUMN]);
        self.lines.header(names)
    }

    /// The column of the record's `position`th key `key`.
    fn column(&mut self, position: usize, key: &str) -> Option<usize> {
        if let Some((known, column)) = self.layout.get(position) {
            if known == key {
                return *column;
            }
        }
        let column = self
            .exact
            .get(key)
            .or_else(|| self.folded.get(&key.to_ascii_lowercase()))
            .copied();
        self.layout.truncate(position);
        self.layout.push((key.to_string(), column));
        column
    }

    /// The record's cells in column order, then the [`OTHER_FIELDS_COLUMN`] cell: a field outside the
    /// columns goes there as JSON, never silently left out of the file.
    fn line(&mut self, collection: &str, record: &Value) -> Result<&[u8]> {
        let object = record.as_object().ok_or_else(|| {
            Error::Protocol(format!(
                "{collection} record is not a JSON object: {record}"
            ))
        })?;
        let mut cells: Vec<Option<&Value>> = vec![None; self.columns.len()];
        let mut others = Map::new();
        for (position, (key, value)) in object.iter().enumerate() {
            match self.column(position, key) {
                Some(i) if cells[i].is_none() => cells[i] = Some(value),
                _ => {
                    others.insert(key.clone(), value.clone());
                }
            }
        }
        let others = (!others.is_empty()).then_some(Value::Object(others));
        self.lines
            .line(cells.into_iter().chain([others.as_ref()]))
            .map_err(|source| Error::Io {
                what: format!("{collection} export"),
                source,
            })
    }
}

#[cfg(all(test, feature = "service_desk"))]
mod tests {
    use super::*;
    use crate::model::meta::entity_meta;
    use serde_json::json;

    fn csv_line(record: &Value) -> String {
        let meta = entity_meta("Tickets").expect("compiled with service_desk");
        let mut csv = CsvRecords::new(meta, false);
        let header = String::from_utf8(csv.header().unwrap().to_vec()).unwrap();
        let line = String::from_utf8(csv.line("Tickets", record).unwrap().to_vec()).unwrap();
        format!("{header}{line}")
    }

    #[test]
    fn fields_unknown_to_the_metadata_go_to_the_last_column_not_away() {
        let text = csv_line(&json!({"id": 7, "Title": "A", "brandNewField": [1, 2]}));
        let mut lines = text.split("\r\n");
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let line = lines.next().unwrap();
        assert_eq!(header.last(), Some(&OTHER_FIELDS_COLUMN));
        let name = header.iter().position(|c| *c == "title").unwrap();
        let cells: Vec<&str> = line.splitn(header.len(), ',').collect();
        assert_eq!(cells[0], "7");
        assert_eq!(cells[name], "A", "matched in any case");
        assert_eq!(*cells.last().unwrap(), "\"{\"\"brandNewField\"\":[1,2]}\"");
        // Records with other keys than the one before still land in the right columns.
        let meta = entity_meta("Tickets").unwrap();
        let mut csv = CsvRecords::new(meta, false);
        let title = csv.columns.iter().position(|c| *c == "title").unwrap();
        for record in [
            json!({"id": 1, "title": "a"}),
            json!({"id": 2, "aaa": true, "title": "b"}),
            json!({"id": 3, "TITLE": "c"}),
            json!({"id": 4, "title": "d"}),
        ] {
            let line = String::from_utf8(csv.line("Tickets", &record).unwrap().to_vec()).unwrap();
            let cells: Vec<&str> = line.trim_end().split(',').collect();
            assert_eq!(cells[0], record["id"].to_string());
            let expected = record
                .as_object()
                .unwrap()
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("title"));
            assert_eq!(
                cells[title],
                expected.unwrap().1.as_str().unwrap(),
                "{record}"
            );
            let others = if record.get("aaa").is_some() {
                ",\"{\"\"aaa\"\":true}\""
            } else {
                ","
            };
            assert!(line.trim_end().ends_with(others), "{line}");
        }
        let known = csv_line(&json!({"id": 8}));
        assert!(known.contains("\r\n8,,"), "{known}");
        assert!(known.ends_with(",\r\n"), "empty otherFields: {known}");
    }
}
