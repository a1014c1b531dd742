//! Services for the py-autotask names that are not Autotask entities (`Analytics`, `APIUsageMetrics`,
//! `AuditLogs`, `SystemHealth`, `DataExport`/`BackupConfiguration`, `PerformanceMetrics`).
//!
//! No Autotask endpoint backs these names (PROTOCOL.md section 7.1). Each service computes what the name
//! promised from real requests (`ThresholdInformation`, `query/count`, history collections) or from what
//! this client measured itself, and its rustdoc says exactly which requests it makes.
//!
//! The services that read particular entities compile with the feature groups of those entities:
//! analytics with `service_desk`, `projects`, `contracts` and `finance`; the audit log with
//! `service_desk` and `projects`. The others work with any entity and are always there.

#[cfg(all(
    feature = "service_desk",
    feature = "projects",
    feature = "contracts",
    feature = "finance"
))]
mod analytics;
mod api_usage;
#[cfg(all(feature = "service_desk", feature = "projects"))]
mod audit_log;
mod csv;
mod export;
mod health;
mod performance;

#[cfg(all(
    feature = "service_desk",
    feature = "projects",
    feature = "contracts",
    feature = "finance"
))]
pub use analytics::{Analytics, DashboardData, GroupCount, Report, ReportKind, ReportParams};
pub use api_usage::{ApiUsage, RateLimitLevel, RateLimitReport, ThresholdUsage};
#[cfg(all(feature = "service_desk", feature = "projects"))]
pub use audit_log::{AuditEvent, AuditLog, AuditSource, AuditTrail};
pub use export::{Checkpoint, EntityPosition, Export, ExportFormat, ExportProgress, ExportSummary};
pub use health::{Health, HealthReport, ZoneInfo};
pub use performance::{EndpointPerformance, Performance};
