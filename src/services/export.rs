//! `client.export()`: py-autotask's `DataExport` and `BackupConfiguration`. Streams whole collections to
//! JSON Lines or CSV writers, resumable from a checkpoint, with a progress callback.

use super::csv::write_csv_row;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::model::meta::Verbs;
use crate::query::{Filter, Op};
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Write;

/// Output format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ExportFormat {
    /// One compact JSON object per line, exactly as the API returned it.
    #[default]
    JsonLines,
    /// RFC 4180 CSV: a header with the entity's fields in metadata order (plus `userDefinedFields` for
    /// entities that have UDFs, written as JSON text) and a last `otherFields` column, then one line per
    /// record. `otherFields` holds, as a JSON object, any field the API sent that this build's metadata
    /// does not know (a field Autotask added later), so that nothing is lost; it is empty otherwise.
    Csv,
}

/// Where an export got to: the last id written per entity. Serialize it (it is plain JSON:
/// `{"lastIds":{"Tickets":1234}}`) to resume after a failure or in a later run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Checkpoint {
    last_ids: BTreeMap<String, i64>,
}

impl Checkpoint {
    /// An empty checkpoint: everything will be exported.
    pub fn new() -> Self {
        Self::default()
    }

    /// The last id written for `entity` (its collection name), if any.
    pub fn last_id(&self, entity: &str) -> Option<i64> {
        self.last_ids.get(entity).copied()
    }

    /// Every entity's last written id.
    pub fn last_ids(&self) -> &BTreeMap<String, i64> {
        &self.last_ids
    }
}

/// What the progress callback receives, after each record written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportProgress {
    /// The collection being exported.
    pub entity: String,
    /// Records of this entity written in this run.
    pub written: u64,
    /// Records of all entities written in this run.
    pub total_written: u64,
    /// The id just written (now the checkpoint's value for `entity`).
    pub last_id: i64,
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

/// py-autotask's `DataExport` / `BackupConfiguration`: `client.export()`.
///
/// Records are streamed page by page (500 per `POST {E}/query` and `query/next` request, in ascending
/// id order) and written as they arrive: at most one page is in memory, whatever the collection's size.
/// The checkpoint is advanced after every record written, so after an error
/// [`checkpoint`](Self::checkpoint) says exactly what reached the writer, and a new run built with
/// [`resume_from`](Self::resume_from) asks only for `id > last id` (no record twice, none skipped).
/// Writers are `std::io::Write` and are called from the async task: give a buffered file, not a slow
/// network socket.
///
/// ```no_run
/// # async fn demo(client: autotask::Client) -> autotask::Result<()> {
/// use autotask::services::{Checkpoint, ExportFormat};
/// let mut export = client
///     .export()
///     .format(ExportFormat::Csv)
///     .resume_from(Checkpoint::new())
///     .on_progress(|p| eprintln!("{}: {} written", p.entity, p.written));
/// let result = export
///     .entities(&["Companies", "Tickets"], |entity| {
///         std::fs::OpenOptions::new().create(true).append(true).open(format!("{entity}.csv"))
///     })
///     .await;
/// // Whatever happened, this is where a later run resumes.
/// std::fs::write("checkpoint.json", serde_json::to_string(export.checkpoint()).unwrap()).unwrap();
/// result?;
/// # Ok(()) }
/// ```
pub struct Export {
    client: Client,
    format: ExportFormat,
    checkpoint: Checkpoint,
    progress: Option<ProgressCallback>,
}

impl std::fmt::Debug for Export {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Export")
            .field("format", &self.format)
            .field("checkpoint", &self.checkpoint)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

impl Client {
    /// Exports of whole collections to JSON Lines or CSV.
    pub fn export(&self) -> Export {
        Export {
            client: self.clone(),
            format: ExportFormat::default(),
            checkpoint: Checkpoint::default(),
            progress: None,
        }
    }
}

impl Export {
    /// The output format (default JSON Lines).
    pub fn format(mut self, format: ExportFormat) -> Self {
        self.format = format;
        self
    }

    /// Continue from `checkpoint`: entities it names are exported from `id > last id` on, and for CSV
    /// their header is not written again (append to the earlier file).
    pub fn resume_from(mut self, checkpoint: Checkpoint) -> Self {
        self.checkpoint = checkpoint;
        self
    }

    /// Called after every record written.
    pub fn on_progress(mut self, callback: impl FnMut(&ExportProgress) + Send + 'static) -> Self {
        self.progress = Some(Box::new(callback));
        self
    }

    /// Where the export got to.
    pub fn checkpoint(&self) -> &Checkpoint {
        &self.checkpoint
    }

    /// Exports each of `entities` (collection names, or aliases such as `InstalledProducts`) in turn to
    /// the writer `open(collection name)` returns, stopping at the first error. Requests: one query per
    /// entity, paged to the end. Entities that can only be listed under a parent are refused before any
    /// request.
    pub async fn entities<W, F>(&mut self, entities: &[&str], mut open: F) -> Result<ExportSummary>
    where
        W: Write,
        F: FnMut(&str) -> std::io::Result<W>,
    {
        // Every name is checked before the first writer is opened.
        let collections = entities
            .iter()
            .map(|name| self.queryable(name))
            .collect::<Result<Vec<_>>>()?;
        let mut written = BTreeMap::new();
        let mut total = 0;
        for collection in collections {
            let mut writer = open(collection).map_err(|source| Error::Io {
                what: format!("{collection} export (opening the writer)"),
                source,
            })?;
            let count = self.write_entity(collection, &mut writer, total).await?;
            total += count;
            *written.entry(collection.to_string()).or_default() += count;
        }
        Ok(ExportSummary {
            written,
            checkpoint: self.checkpoint.clone(),
        })
    }

    /// Exports one entity to `writer`; the number of records written. Requests: one query, paged to
    /// the end.
    pub async fn entity<W: Write + ?Sized>(&mut self, entity: &str, writer: &mut W) -> Result<u64> {
        let collection = self.queryable(entity)?;
        self.write_entity(collection, writer, 0).await
    }

    /// The collection name of `entity`, if it can be queried at its root.
    fn queryable(&self, entity: &str) -> Result<&'static str> {
        let meta = self.client.entities().get_entity(entity)?.meta();
        if meta.root_verbs.contains(Verbs::QUERY) {
            Ok(meta.name)
        } else {
            Err(Error::InvalidInput(format!(
                "{} cannot be exported: it cannot be queried at /{} (only listed under a parent)",
                meta.name, meta.name
            )))
        }
    }

    async fn write_entity<W: Write + ?Sized>(
        &mut self,
        collection: &'static str,
        writer: &mut W,
        total_before: u64,
    ) -> Result<u64> {
        let dynamic = self.client.entities().get_entity(collection)?;
        let meta = dynamic.meta();
        let resume_after = self.checkpoint.last_id(collection);
        let mut query = dynamic.query();
        if let Some(last) = resume_after {
            query = query.filter(Filter::condition("id", Op::Gt, last));
        }
        let io = |source| Error::Io {
            what: format!("{collection} export"),
            source,
        };
        let columns: Vec<&str> = meta
            .fields
            .iter()
            .map(|f| f.name)
            .chain(meta.has_user_defined_fields.then_some("userDefinedFields"))
            .collect();
        if self.format == ExportFormat::Csv && resume_after.is_none() {
            let header: Vec<Value> = columns
                .iter()
                .chain([&OTHER_FIELDS_COLUMN])
                .map(|c| Value::from(*c))
                .collect();
            write_csv_row(writer, &header).map_err(io)?;
        }
        let mut records = query.stream();
        let mut written = 0u64;
        let mut previous = resume_after;
        while let Some(record) = records.try_next().await? {
            let id = record["id"].as_i64().ok_or_else(|| {
                Error::Protocol(format!("{collection} record without an id: {record}"))
            })?;
            // Resuming relies on ascending ids; anything else would make the checkpoint lie.
            if previous.is_some_and(|p| id <= p) {
                return Err(Error::Protocol(format!(
                    "{collection}: ids not ascending ({id} after {previous:?}); cannot checkpoint"
                )));
            }
            match self.format {
                ExportFormat::JsonLines => {
                    serde_json::to_writer(&mut *writer, &record).map_err(|e| io(e.into()))?;
                    writer.write_all(b"\n").map_err(io)?;
                }
                ExportFormat::Csv => {
                    let row = csv_row(collection, &columns, &record)?;
                    write_csv_row(writer, &row).map_err(io)?;
                }
            }
            written += 1;
            previous = Some(id);
            self.checkpoint.last_ids.insert(collection.to_string(), id);
            if let Some(callback) = self.progress.as_mut() {
                callback(&ExportProgress {
                    entity: collection.to_string(),
                    written,
                    total_written: total_before + written,
                    last_id: id,
                });
            }
        }
        writer.flush().map_err(io)?;
        Ok(written)
    }
}

/// The last CSV column: fields the API sent that this build's metadata does not know.
const OTHER_FIELDS_COLUMN: &str = "otherFields";

/// The record's cells in `columns` order, then the [`OTHER_FIELDS_COLUMN`] cell: a field outside the
/// columns goes there as JSON, never silently left out of the file.
fn csv_row(collection: &str, columns: &[&str], record: &Value) -> Result<Vec<Value>> {
    let object = record.as_object().ok_or_else(|| {
        Error::Protocol(format!(
            "{collection} record is not a JSON object: {record}"
        ))
    })?;
    let mut cells: Vec<Value> = columns
        .iter()
        .map(|c| {
            object
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(c))
                .map(|(_, v)| v.clone())
                .unwrap_or(Value::Null)
        })
        .collect();
    let others: serde_json::Map<String, Value> = object
        .iter()
        .filter(|(k, _)| !columns.iter().any(|c| c.eq_ignore_ascii_case(k)))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    cells.push(if others.is_empty() {
        Value::Null
    } else {
        Value::Object(others)
    });
    Ok(cells)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_unknown_to_the_metadata_go_to_the_last_column_not_away() {
        let record = json!({"id": 7, "Title": "A", "brandNewField": [1, 2]});
        let cells = csv_row("Tickets", &["id", "title"], &record).unwrap();
        assert_eq!(
            cells,
            [json!(7), json!("A"), json!({"brandNewField": [1, 2]})]
        );
        let known = csv_row("Tickets", &["id", "title"], &json!({"id": 8})).unwrap();
        assert_eq!(known, [json!(8), Value::Null, Value::Null]);
    }
}
