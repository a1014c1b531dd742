//! Helpers for Projects and Tasks (feature `projects`). Tasks are created and updated only under their
//! project (`/Projects/{id}/Tasks`) and read through the root `Tasks` query.
//!
//! ```no_run
//! # async fn demo(client: autotask::Client) -> autotask::Result<()> {
//! use autotask::prelude::*;
//!
//! // Writes remainingHours = estimatedHours × 60 %.
//! client.tasks().update_progress(1234, 40).await?;
//! let progress = client.projects().calculate_progress(56).await?;
//! println!(
//!     "{} of {} tasks done; {:?} % of the estimated hours",
//!     progress.completed_tasks,
//!     progress.total_tasks,
//!     progress.hours_percent()
//! );
//! # Ok(())
//! # }
//! ```

use super::{Create, CreateChild};
use crate::entities::{
    NewProject, NewTask, Project, ProjectField, ProjectStatus, ProjectType, Task, TaskField,
    TaskPatch, TaskStatus,
};
use crate::error::{Error, Result};
use crate::model::wire::{DateTime, Decimal};
use crate::ops::{ChildHandle, EntityHandle};
use crate::query::Where;
use std::future::Future;

/// Helpers on `client.projects()`.
pub trait ProjectHelpers {
    /// A project for company `company_id` named `name`. Project types and the statuses other than
    /// Complete are tenant picklist values, and Autotask requires a schedule, so all are arguments, in
    /// [`NewProject::new`]'s order (`endDateTime`, `projectName`, `projectType`, `startDateTime`,
    /// `status`). Nothing is sent until `send()`: `POST /Projects` then `GET /Projects/{id}`.
    fn create_project(
        &self,
        company_id: i64,
        end: DateTime,
        name: impl Into<String>,
        project_type: impl Into<ProjectType>,
        start: DateTime,
        status: impl Into<ProjectStatus>,
    ) -> Create<Project>;

    /// Every project of company `company_id` (`companyID eq`): one `POST /Projects/query` per 500
    /// records, to the end.
    fn get_by_account(&self, company_id: i64) -> impl Future<Output = Result<Vec<Project>>> + Send;

    /// Every project whose status is not the system value Complete (`status noteq 5`): one
    /// `POST /Projects/query` per 500 records, to the end. To also leave out tenant statuses such as
    /// "Inactive", use [`get_active_projects_excluding`](Self::get_active_projects_excluding).
    fn get_active_projects(&self) -> impl Future<Output = Result<Vec<Project>>> + Send;

    /// Every project whose status is none of `inactive_statuses` (`status notIn [...]`), same requests.
    /// An empty list is refused with [`Error::InvalidInput`].
    fn get_active_projects_excluding(
        &self,
        inactive_statuses: &[ProjectStatus],
    ) -> impl Future<Output = Result<Vec<Project>>> + Send;

    /// The progress of project `project_id`, computed from its tasks with
    /// [`TaskStatus::COMPLETE`] as the one complete status; see [`ProjectProgress`] for the two measures.
    /// Requests: one `POST /Tasks/query` (`projectID eq`, `IncludeFields` `status`, `estimatedHours`,
    /// `remainingHours` only) per 500 tasks, to the end.
    fn calculate_progress(
        &self,
        project_id: i64,
    ) -> impl Future<Output = Result<ProjectProgress>> + Send;

    /// Like [`calculate_progress`](Self::calculate_progress), counting a task as complete when its
    /// status is any of `complete_statuses` (tenants add their own).
    fn calculate_progress_with(
        &self,
        project_id: i64,
        complete_statuses: &[TaskStatus],
    ) -> impl Future<Output = Result<ProjectProgress>> + Send;
}

/// A project's progress from its tasks (Autotask's own `completedPercentage` on the project is a
/// separate, stored value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectProgress {
    /// The project.
    pub project_id: i64,
    /// Its tasks.
    pub total_tasks: u64,
    /// Its tasks with a complete status.
    pub completed_tasks: u64,
    /// Sum of the tasks' `estimatedHours` (missing counts as 0).
    pub estimated_hours: Decimal,
    /// Hours of work done: for a complete task its `estimatedHours`; for any other,
    /// `estimatedHours - remainingHours`, clamped to `0..=estimatedHours` (missing remaining hours count
    /// as no work done).
    pub done_hours: Decimal,
}

impl ProjectProgress {
    /// Computes the measures from `tasks` (which need `status`, `estimatedHours` and `remainingHours`).
    pub fn from_tasks(project_id: i64, tasks: &[Task], complete_statuses: &[TaskStatus]) -> Self {
        let mut progress = ProjectProgress {
            project_id,
            total_tasks: 0,
            completed_tasks: 0,
            estimated_hours: Decimal::ZERO,
            done_hours: Decimal::ZERO,
        };
        for task in tasks {
            let estimated = task
                .estimated_hours
                .unwrap_or(Decimal::ZERO)
                .max(Decimal::ZERO);
            let complete = task.status.is_some_and(|s| complete_statuses.contains(&s));
            let done = if complete {
                estimated
            } else {
                let remaining = task.remaining_hours.unwrap_or(estimated);
                (estimated - remaining).clamp(Decimal::ZERO, estimated)
            };
            progress.total_tasks += 1;
            progress.completed_tasks += u64::from(complete);
            progress.estimated_hours += estimated;
            progress.done_hours += done;
        }
        progress
    }

    /// Share of tasks complete, in percent (two decimals); `None` for a project without tasks.
    pub fn task_percent(&self) -> Option<Decimal> {
        (self.total_tasks > 0).then(|| {
            (Decimal::from(self.completed_tasks) * Decimal::ONE_HUNDRED
                / Decimal::from(self.total_tasks))
            .round_dp(2)
        })
    }

    /// Hours-weighted progress, `done_hours / estimated_hours` in percent (two decimals); `None` when no
    /// task has estimated hours.
    pub fn hours_percent(&self) -> Option<Decimal> {
        (self.estimated_hours > Decimal::ZERO)
            .then(|| (self.done_hours * Decimal::ONE_HUNDRED / self.estimated_hours).round_dp(2))
    }
}

fn project_filter_needs_statuses<T>(statuses: &[T]) -> Result<()> {
    if statuses.is_empty() {
        return Err(Error::InvalidInput(
            "get_active_projects_excluding needs at least one status".into(),
        ));
    }
    Ok(())
}

impl ProjectHelpers for EntityHandle<Project> {
    fn create_project(
        &self,
        company_id: i64,
        end: DateTime,
        name: impl Into<String>,
        project_type: impl Into<ProjectType>,
        start: DateTime,
        status: impl Into<ProjectStatus>,
    ) -> Create<Project> {
        Create::new(
            self.clone(),
            NewProject::new(company_id, end, name, project_type, start, status),
        )
    }

    async fn get_by_account(&self, company_id: i64) -> Result<Vec<Project>> {
        self.query()
            .filter(ProjectField::CompanyId.eq(company_id))
            .all()
            .await
    }

    async fn get_active_projects(&self) -> Result<Vec<Project>> {
        self.query()
            .filter(ProjectField::Status.noteq(ProjectStatus::COMPLETE))
            .all()
            .await
    }

    async fn get_active_projects_excluding(
        &self,
        inactive_statuses: &[ProjectStatus],
    ) -> Result<Vec<Project>> {
        project_filter_needs_statuses(inactive_statuses)?;
        self.query()
            .filter(ProjectField::Status.not_in(inactive_statuses))
            .all()
            .await
    }

    async fn calculate_progress(&self, project_id: i64) -> Result<ProjectProgress> {
        self.calculate_progress_with(project_id, &[TaskStatus::COMPLETE])
            .await
    }

    async fn calculate_progress_with(
        &self,
        project_id: i64,
        complete_statuses: &[TaskStatus],
    ) -> Result<ProjectProgress> {
        let tasks = self
            .client()
            .tasks()
            .query()
            .filter(TaskField::ProjectId.eq(project_id))
            .include_fields([
                TaskField::Status,
                TaskField::EstimatedHours,
                TaskField::RemainingHours,
            ])
            .all()
            .await?;
        Ok(ProjectProgress::from_tasks(
            project_id,
            &tasks,
            complete_statuses,
        ))
    }
}

/// Setters for common optional project fields; any other field: [`Create::with`].
impl Create<Project> {
    /// `description`.
    pub fn description(self, description: impl Into<String>) -> Self {
        let description = description.into();
        self.with(|p| p.description = Some(description))
    }

    /// `projectLeadResourceID`.
    pub fn lead_resource_id(self, resource_id: i64) -> Self {
        self.with(|p| p.project_lead_resource_id = Some(resource_id))
    }

    /// `contractID`.
    pub fn contract_id(self, contract_id: i64) -> Self {
        self.with(|p| p.contract_id = Some(contract_id))
    }
}

/// Helpers on `client.tasks()`.
pub trait TaskHelpers {
    /// A task in project `project_id`; the same as `client.projects().tasks(project_id)`
    /// [`.create_task(task_type, title)`](ChildHandle::create_task).
    fn create_task(
        &self,
        project_id: i64,
        task_type: i32,
        title: impl Into<String>,
    ) -> CreateChild<Task>;

    /// Every task of project `project_id` (`projectID eq`): one `POST /Tasks/query` per 500 records, to
    /// the end.
    fn get_by_project(&self, project_id: i64) -> impl Future<Output = Result<Vec<Task>>> + Send;

    /// Every task whose primary resource is `resource_id` (`assignedResourceID eq`; secondary resources
    /// are the separate TaskSecondaryResources entity): one `POST /Tasks/query` per 500 records, to the
    /// end.
    fn get_by_resource(&self, resource_id: i64) -> impl Future<Output = Result<Vec<Task>>> + Send;

    /// Records `percent` (0..=100) progress on task `task_id`. Tasks have no percent field, so progress
    /// is written as remaining work: `remainingHours = estimatedHours × (100 − percent) / 100`, rounded
    /// to two decimals; the task's status is not changed (100 % leaves 0 hours remaining, it does not
    /// complete the task). Returns the remaining hours written.
    ///
    /// Requests: `GET /Tasks/{task_id}` (for `estimatedHours` and `projectID`), then
    /// `PATCH /Projects/{projectID}/Tasks` with `{"id","remainingHours"}`. A percent over 100, a task
    /// that does not exist, or one without positive estimated hours (no scale to express progress on)
    /// is an [`Error::InvalidInput`], and nothing is written.
    fn update_progress(
        &self,
        task_id: i64,
        percent: u8,
    ) -> impl Future<Output = Result<Decimal>> + Send;
}

impl TaskHelpers for EntityHandle<Task> {
    fn create_task(
        &self,
        project_id: i64,
        task_type: i32,
        title: impl Into<String>,
    ) -> CreateChild<Task> {
        self.client()
            .children::<Task>(project_id)
            .create_task(task_type, title)
    }

    async fn get_by_project(&self, project_id: i64) -> Result<Vec<Task>> {
        self.query()
            .filter(TaskField::ProjectId.eq(project_id))
            .all()
            .await
    }

    async fn get_by_resource(&self, resource_id: i64) -> Result<Vec<Task>> {
        self.query()
            .filter(TaskField::AssignedResourceId.eq(resource_id))
            .all()
            .await
    }

    async fn update_progress(&self, task_id: i64, percent: u8) -> Result<Decimal> {
        if percent > 100 {
            return Err(Error::InvalidInput(format!(
                "progress is a percentage from 0 to 100, not {percent}"
            )));
        }
        let task = self
            .get(task_id)
            .await?
            .ok_or_else(|| Error::InvalidInput(format!("task {task_id} does not exist")))?;
        let estimated = task
            .estimated_hours
            .filter(|hours| *hours > Decimal::ZERO)
            .ok_or_else(|| {
                Error::InvalidInput(format!(
                    "task {task_id} has no estimated hours, so its progress cannot be expressed as remaining hours"
                ))
            })?;
        let project_id = task
            .project_id
            .ok_or_else(|| Error::Protocol(format!("task {task_id} has no projectID")))?;
        let remaining =
            (estimated * Decimal::from(100 - percent) / Decimal::ONE_HUNDRED).round_dp(2);
        let mut patch = TaskPatch::new(task_id);
        patch.remaining_hours = remaining.into();
        self.client()
            .children::<Task>(project_id)
            .update(&patch)
            .await?;
        Ok(remaining)
    }
}

/// Task helpers of one project: `client.projects().tasks(project_id)`.
impl ChildHandle<Task> {
    /// A task titled `title` in this project, status [`TaskStatus::NEW`]. `task_type` is Autotask's
    /// required `taskType` integer (not a picklist in the schema, so no default is guessed). Nothing is
    /// sent until `send()`: `POST /Projects/{project_id}/Tasks` then `GET /Tasks/{id}`.
    pub fn create_task(&self, task_type: i32, title: impl Into<String>) -> CreateChild<Task> {
        CreateChild::new(
            self.clone(),
            NewTask::new(self.parent_id(), TaskStatus::NEW, task_type, title),
        )
    }
}

/// Setters for common optional task fields; any other field: [`CreateChild::with`].
impl CreateChild<Task> {
    /// `status` (default [`TaskStatus::NEW`]).
    pub fn status(self, status: impl Into<TaskStatus>) -> Self {
        let status = status.into();
        self.with(|t| t.status = status)
    }

    /// `estimatedHours` (and `remainingHours`, as no work is done yet).
    pub fn estimated_hours(self, hours: Decimal) -> Self {
        self.with(|t| {
            t.estimated_hours = Some(hours);
            t.remaining_hours = Some(hours);
        })
    }

    /// `assignedResourceID` (Autotask also requires `assignedResourceRoleID` then: use
    /// [`CreateChild::with`]).
    pub fn assigned_resource_id(self, resource_id: i64) -> Self {
        self.with(|t| t.assigned_resource_id = Some(resource_id))
    }

    /// `description`.
    pub fn description(self, description: impl Into<String>) -> Self {
        let description = description.into();
        self.with(|t| t.description = Some(description))
    }
}
