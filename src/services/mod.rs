//! Services for the py-autotask names that are not Autotask entities (`Analytics`, `APIUsageMetrics`,
//! `AuditLogs`, `SystemHealth`, `DataExport`/`BackupConfiguration`, `PerformanceMetrics`).
//!
//! No Autotask endpoint backs these names (PROTOCOL.md section 7.1). Each service computes what the name
//! promised from real requests (`ThresholdInformation`, `query/count`, history collections) or from what
//! this client measured itself, and its rustdoc says exactly which requests it makes.

mod analytics;
mod api_usage;
mod audit_log;
mod csv;
mod export;
mod health;
mod performance;

pub use analytics::{Analytics, DashboardData, GroupCount, Report, ReportKind, ReportParams};
pub use api_usage::{ApiUsage, RateLimitLevel, RateLimitReport, ThresholdUsage};
pub use audit_log::{AuditEvent, AuditLog, AuditSource, AuditTrail};
pub use export::{Checkpoint, EntityPosition, Export, ExportFormat, ExportProgress, ExportSummary};
pub use health::{Health, HealthReport, ZoneInfo};
pub use performance::{EndpointPerformance, Performance};
