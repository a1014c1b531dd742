//! Projects and Tasks helpers.

use crate::sim_support::start_with;
use crate::{bodies, calls};
use autotask::entities::{ProjectStatus, TaskStatus};
use autotask::helpers::prelude::*;
use autotask::{Decimal, Error};
use autotask_sim::{PicklistValue, RunningSimulator, Simulator};
use serde_json::json;

/// The tenant's project statuses (the schema knows only Complete = 5).
const NEW: i32 = 1;
const INACTIVE: i32 = 9;

async fn start_with_project_statuses() -> (RunningSimulator, autotask::Client) {
    start_with(Simulator::builder().picklist(
        "Projects",
        "status",
        vec![
            PicklistValue::new(NEW.into(), "New"),
            PicklistValue::new(5, "Complete"),
            PicklistValue::new(INACTIVE.into(), "Inactive"),
        ],
    ))
    .await
}

fn project(company: i64, status: i32) -> serde_json::Value {
    json!({"companyID": company, "projectName": "p", "projectType": 2, "status": status,
           "startDateTime": "2026-01-01T00:00:00Z", "endDateTime": "2026-06-01T00:00:00Z"})
}

fn task(
    project: i64,
    status: i32,
    estimated: Option<f64>,
    remaining: Option<f64>,
) -> serde_json::Value {
    json!({"projectID": project, "title": "t", "status": status, "taskType": 1,
           "estimatedHours": estimated, "remainingHours": remaining})
}

#[tokio::test]
async fn create_project_sends_the_schedule_and_reads_back() {
    let (sim, client) = start_with_project_statuses().await;
    let start = "2026-02-01T00:00:00Z".parse().unwrap();
    let end = "2026-03-01T00:00:00Z".parse().unwrap();
    let created = client
        .projects()
        .create_project(6, end, "Office move", 2, start, ProjectStatus(NEW))
        .description("Two floors")
        .send()
        .await
        .unwrap();
    assert_eq!(created.project_name.as_deref(), Some("Office move"));
    assert_eq!(created.status, Some(ProjectStatus(NEW)));
    assert_eq!(created.start_date_time, Some(start));
    assert_eq!(
        calls(&sim),
        ["POST Projects", &format!("GET Projects/{}", created.id)]
    );
}

#[tokio::test]
async fn project_lookups_by_account_and_activity() {
    let (sim, client) = start_with_project_statuses().await;
    for (company, status) in [(1, NEW), (1, 5), (1, INACTIVE), (2, NEW)] {
        sim.insert("Projects", project(company, status)).unwrap();
    }
    sim.clear_requests();
    assert_eq!(client.projects().get_by_account(1).await.unwrap().len(), 3);
    assert_eq!(
        client.projects().get_active_projects().await.unwrap().len(),
        3
    );
    let active = client
        .projects()
        .get_active_projects_excluding(&[ProjectStatus::COMPLETE, ProjectStatus(INACTIVE)])
        .await
        .unwrap();
    assert_eq!(active.len(), 2);
    assert_eq!(calls(&sim), vec!["POST Projects/query"; 3]);
    assert_eq!(
        bodies(&sim)[2]["filter"],
        json!([{"op": "notIn", "field": "status", "value": [5, 9]}])
    );
    assert!(matches!(
        client.projects().get_active_projects_excluding(&[]).await,
        Err(Error::InvalidInput(_))
    ));
}

#[tokio::test]
async fn calculate_progress_counts_tasks_and_weights_hours_over_all_pages() {
    let (sim, client) = start_with_project_statuses().await;
    let id = sim.insert("Projects", project(1, NEW)).unwrap();
    // 600 tasks over two pages: 150 complete (4h each), 300 half done (4h, 2h left),
    // 150 not started (4h, 4h left).
    for i in 0..600 {
        let record = match i % 4 {
            0 => task(id, 5, Some(4.0), Some(0.0)),
            1 | 2 => task(id, 1, Some(4.0), Some(2.0)),
            _ => task(id, 1, Some(4.0), Some(4.0)),
        };
        sim.insert("Tasks", record).unwrap();
    }
    sim.insert("Tasks", task(id + 1, 5, Some(100.0), Some(0.0)))
        .unwrap();
    sim.clear_requests();

    let progress = client.projects().calculate_progress(id).await.unwrap();
    assert_eq!(progress.total_tasks, 600);
    assert_eq!(progress.completed_tasks, 150);
    assert_eq!(progress.estimated_hours, Decimal::from(2400));
    assert_eq!(progress.done_hours, Decimal::from(600 + 600));
    assert_eq!(progress.task_percent(), Some(Decimal::from(25)));
    assert_eq!(progress.hours_percent(), Some(Decimal::from(50)));
    assert_eq!(calls(&sim), ["POST Tasks/query", "POST Tasks/query/next"]);
    let body = &bodies(&sim)[0];
    assert_eq!(
        body["filter"],
        json!([{"op": "eq", "field": "projectID", "value": id}])
    );
    assert_eq!(
        body["IncludeFields"],
        json!(["id", "status", "estimatedHours", "remainingHours"])
    );

    let empty = client.projects().calculate_progress(424_242).await.unwrap();
    assert_eq!(
        (
            empty.total_tasks,
            empty.task_percent(),
            empty.hours_percent()
        ),
        (0, None, None)
    );
}

#[tokio::test]
async fn tasks_are_created_under_the_project_and_found_by_project_and_resource() {
    let (sim, client) = start_with_project_statuses().await;
    let project_id = sim.insert("Projects", project(1, NEW)).unwrap();
    sim.clear_requests();
    let created = client
        .tasks()
        .create_task(project_id, 1, "Pack boxes")
        .estimated_hours(Decimal::from(8))
        .send()
        .await
        .unwrap();
    assert_eq!(created.project_id, Some(project_id));
    assert_eq!(created.status, Some(TaskStatus::NEW));
    assert_eq!(created.remaining_hours, Some(Decimal::from(8)));
    assert_eq!(
        calls(&sim),
        [
            format!("POST Projects/{project_id}/Tasks"),
            format!("GET Tasks/{}", created.id)
        ]
    );

    let mut assigned = task(project_id, 1, None, None);
    assigned["assignedResourceID"] = json!(29);
    sim.insert("Tasks", assigned).unwrap();
    sim.clear_requests();
    assert_eq!(
        client
            .tasks()
            .get_by_project(project_id)
            .await
            .unwrap()
            .len(),
        2
    );
    let mine = client.tasks().get_by_resource(29).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(calls(&sim), vec!["POST Tasks/query"; 2]);
    assert_eq!(bodies(&sim)[1]["filter"][0]["field"], "assignedResourceID");
}

#[tokio::test]
async fn update_progress_writes_remaining_hours_through_the_project_path() {
    let (sim, client) = start_with_project_statuses().await;
    let project_id = sim.insert("Projects", project(1, NEW)).unwrap();
    let task_id = sim
        .insert("Tasks", task(project_id, 1, Some(10.0), Some(10.0)))
        .unwrap();
    let unestimated = sim
        .insert("Tasks", task(project_id, 1, None, None))
        .unwrap();
    sim.clear_requests();

    let remaining = client.tasks().update_progress(task_id, 35).await.unwrap();
    assert_eq!(remaining, "6.5".parse::<Decimal>().unwrap());
    assert_eq!(sim.get("Tasks", task_id).unwrap()["remainingHours"], 6.5);
    assert_eq!(
        sim.get("Tasks", task_id).unwrap()["status"],
        1,
        "status unchanged"
    );
    assert_eq!(
        calls(&sim),
        [
            format!("GET Tasks/{task_id}"),
            format!("PATCH Projects/{project_id}/Tasks")
        ]
    );
    assert_eq!(
        bodies(&sim)[1],
        json!({"id": task_id, "remainingHours": 6.5})
    );

    sim.clear_requests();
    let over = client.tasks().update_progress(task_id, 101).await;
    assert!(matches!(over, Err(Error::InvalidInput(_))));
    assert!(sim.requests().is_empty(), "refused before any request");

    let no_scale = client.tasks().update_progress(unestimated, 50).await;
    assert!(
        matches!(no_scale, Err(Error::InvalidInput(_))),
        "{no_scale:?}"
    );
    assert_eq!(
        calls(&sim),
        [format!("GET Tasks/{unestimated}")],
        "no PATCH"
    );

    sim.clear_requests();
    let missing = client.tasks().update_progress(777_777, 50).await;
    assert!(matches!(missing, Err(Error::InvalidInput(_))));
}
