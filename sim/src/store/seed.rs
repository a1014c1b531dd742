//! The demo data set (documented in `sim/README.md`). Every reference points at a record that exists.
//! Dates are relative to the day the simulator starts (UTC midnight), so that "contracts expiring in the
//! next 30 days" or "tickets created in the last 7 days" always find records; on the same day the same
//! sizes give the same data.

use super::catalog::Catalog;
use super::{Record, Store};
use crate::config::SeedSize;
use crate::rng::SplitMix64;
use crate::schema::{self, DataType, Entity};
use crate::wire::datetime::{self, Instant};
use chrono::{Duration, Utc};
use serde_json::{json, Value};

const COMPANY_WORDS: &[&str] = &[
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Hooli",
    "Vandelay",
    "Soylent",
    "Tyrell",
    "Cyberdyne",
    "Wonka",
    "Gringotts",
    "Oscorp",
    "Aperture",
    "Monarch",
];
const COMPANY_SUFFIXES: &[&str] = &[
    "Industries",
    "Logistics",
    "Dental",
    "Legal LLP",
    "Foods",
    "Labs",
    "Partners",
];
const FIRST_NAMES: &[&str] = &[
    "Ada", "Grace", "Alan", "Linus", "Margaret", "Ken", "Barbara", "Dennis", "Radia", "Edsger",
];
const LAST_NAMES: &[&str] = &[
    "Lovelace", "Hopper", "Turing", "Torvalds", "Hamilton", "Thompson", "Liskov", "Ritchie",
    "Perlman", "Dijkstra",
];
const TICKET_TITLES: &[&str] = &[
    "Printer offline",
    "Cannot connect to VPN",
    "Outlook keeps crashing",
    "New starter setup",
    "Backup job failed",
    "Disk space low on server",
    "Password reset",
    "Wi-Fi drops in meeting room",
    "Phishing email reported",
    "Laptop running slow",
    "Firewall firmware update",
    "Shared drive permissions",
];
/// Days from today to each contract's `endDate`, in turn: one ended, four end within 30 days.
const CONTRACT_END_DAYS: &[i64] = &[-30, 5, 12, 20, 28, 45, 90, 180, 270, 365];
/// Ticket statuses in turn: New, In Progress, Waiting Customer and Complete.
const TICKET_STATUSES: &[i64] = &[1, 1, 5, 5, 5, 7, 8, 8];
/// Tickets are spread over this many days before today.
const TICKET_DAYS: i64 = 60;

/// Generates the demo data set into `store`, dated relative to today.
pub fn generate(store: &mut Store, catalog: &Catalog, size: &SeedSize) {
    let today = datetime::parse(&Utc::now().format("%Y-%m-%d").to_string()).unwrap_or_default();
    let mut seeder = Seeder {
        store,
        catalog,
        rng: SplitMix64::new(0x5EED),
        today,
    };
    seeder.run(size);
}

struct Seeder<'a> {
    store: &'a mut Store,
    catalog: &'a Catalog,
    rng: SplitMix64,
    /// Today, 00:00 UTC: every date is relative to it.
    today: Instant,
}

fn entity(name: &str) -> &'static Entity {
    schema::entity(name).unwrap_or_else(|| panic!("the schema has no {name} entity"))
}

impl Seeder<'_> {
    /// `today + days`, as wire text.
    fn day(&self, days: i64) -> String {
        datetime::format(&(self.today + Duration::days(days)))
    }

    fn ids(&self, entity: &str) -> Vec<i64> {
        self.store
            .table(entity)
            .map(|t| t.rows.keys().copied().collect())
            .unwrap_or_default()
    }

    /// Fills the required fields `fields` leaves empty with plausible values, then inserts.
    fn add(&mut self, name: &str, fields: Value) -> i64 {
        let entity = entity(name);
        let mut record: Record = fields.as_object().cloned().unwrap_or_default();
        for field in entity
            .fields
            .iter()
            .filter(|f| f.is_required && f.name != "id")
        {
            if record.contains_key(&field.name) {
                continue;
            }
            let value = if let Some(list) = self
                .catalog
                .picklist(entity, field)
                .filter(|l| !l.is_empty())
            {
                json!(list[self.rng.below(list.len())].value)
            } else if let Some(target) = (!field.reference.is_empty())
                .then(|| self.catalog.by_model(&field.reference))
                .flatten()
            {
                let ids = self.ids(&target.name);
                json!(ids
                    .get(self.rng.below(ids.len().max(1)))
                    .copied()
                    .unwrap_or(1))
            } else {
                match field.data_type() {
                    DataType::String => {
                        let text = format!("{} {}", field.name, record.len() + 1);
                        json!(text
                            .chars()
                            .take(field.length.max(1) as usize)
                            .collect::<String>())
                    }
                    DataType::DateTime => {
                        let days_ago = self.rng.below(365) as i64;
                        json!(self.day(-days_ago))
                    }
                    DataType::Boolean => json!(true),
                    DataType::Double | DataType::Decimal => json!(1.0),
                    _ => json!(1),
                }
            };
            record.insert(field.name.clone(), value);
        }
        if entity.field("createDate").is_some() && !record.contains_key("createDate") {
            let days_ago = self.rng.below(365) as i64;
            record.insert("createDate".into(), json!(self.day(-days_ago)));
        }
        self.put(name, Value::Object(record))
    }

    /// Inserts `fields`, keeping only names the schema knows (and `userDefinedFields`), nulls dropped.
    fn put(&mut self, name: &str, fields: Value) -> i64 {
        let entity = entity(name);
        let mut record: Record = fields.as_object().cloned().unwrap_or_default();
        record.retain(|k, v| {
            !v.is_null()
                && (k == "userDefinedFields" || entity.field(k).is_some_and(|f| &f.name == k))
        });
        self.store.insert(entity.name.as_str(), record)
    }

    fn person(&mut self) -> (String, String) {
        (
            self.rng.pick(FIRST_NAMES).to_string(),
            self.rng.pick(LAST_NAMES).to_string(),
        )
    }

    fn run(&mut self, size: &SeedSize) {
        let roles: Vec<i64> = [
            "Engineer",
            "Senior Engineer",
            "Project Manager",
            "Service Desk",
        ]
        .iter()
        .map(|name| {
            self.add(
                "Roles",
                json!({ "name": name, "hourlyRate": 120.0, "hourlyFactor": 1.0, "isActive": true }),
            )
        })
        .collect();
        let resources = self.resources(size);
        let owner = json!({ "companyName": "Simulated MSP", "companyType": 1, "phone": "555-0100",
                            "ownerResourceID": resources[0], "isActive": true });
        self.store.insert_with_id(
            "Companies",
            0,
            owner.as_object().cloned().unwrap_or_default(),
        );
        let companies = self.companies(size, &resources);
        let contacts = self.contacts(size, &companies);
        self.configuration_items(size, &companies);
        self.contracts(size, &companies);
        self.projects(size, &companies, &resources);
        self.quotes(size, &companies, &resources);
        self.invoices(size, &companies);
        self.tickets(size, &companies, &contacts, &resources, &roles);
    }

    fn resources(&mut self, size: &SeedSize) -> Vec<i64> {
        (0..size.resources.max(1))
            .map(|n| {
                let (first, last) = self.person();
                let hired = self.day(-400 - 30 * n as i64);
                self.add(
                    "Resources",
                    json!({
                        "firstName": first, "lastName": last, "isActive": true, "hireDate": hired,
                        "email": format!("{}.{}{n}@msp.example", first.to_lowercase(), last.to_lowercase()),
                        "userName": format!("{}{}{n}", &first[..1].to_lowercase(), last.to_lowercase()),
                    }),
                )
            })
            .collect()
    }

    /// Customers, every 10th a prospect, every 12th inactive; classification and support tier cycle
    /// Gold, Silver, Bronze.
    fn companies(&mut self, size: &SeedSize, resources: &[i64]) -> Vec<i64> {
        let mut companies = Vec::new();
        for n in 1..=size.companies {
            let name = format!(
                "{} {} {n}",
                self.rng.pick(COMPANY_WORDS),
                self.rng.pick(COMPANY_SUFFIXES),
            );
            let owner = *self.rng.pick(resources);
            let employees = 5 + self.rng.below(500);
            let tier = 3 - (n % 3) as i64;
            let id = self.add(
                "Companies",
                json!({
                    "companyName": name, "companyType": if n % 10 == 0 { 3 } else { 1 },
                    "phone": format!("555-{n:04}"), "ownerResourceID": owner, "isActive": n % 12 != 0,
                    "city": "Springfield", "classification": 1 + (n % 3) as i64,
                    "createDate": self.day(-(n as i64) * 9),
                    "userDefinedFields": { "Number of Employees": employees.to_string(), "Support Tier": tier.to_string() },
                }),
            );
            self.add(
                "CompanyLocations",
                json!({ "companyID": id, "name": "Head Office", "isPrimary": true }),
            );
            companies.push(id);
        }
        if companies.is_empty() {
            companies.push(0);
        }
        companies
    }

    /// Contacts per company; the first is the primary contact.
    fn contacts(&mut self, size: &SeedSize, companies: &[i64]) -> Vec<Vec<i64>> {
        let mut by_company = Vec::new();
        for &company in companies {
            let mut ids = Vec::new();
            for n in 0..size.contacts_per_company {
                let (first, last) = self.person();
                let channel = if n % 2 == 0 { "Email" } else { "Phone" };
                ids.push(self.add(
                    "Contacts",
                    json!({ "companyID": company, "firstName": first, "lastName": last, "isActive": 1,
                            "primaryContact": n == 0,
                            "emailAddress": format!("{}.{}{company}@customer.example", first.to_lowercase(), last.to_lowercase()),
                            "userDefinedFields": { "Preferred Channel": channel } }),
                ));
            }
            by_company.push(ids);
        }
        by_company
    }

    /// Assets whose warranties run out at different times around today (some already expired).
    fn configuration_items(&mut self, size: &SeedSize, companies: &[i64]) {
        let products: Vec<i64> = ["Laptop", "Firewall", "Switch", "Server"]
            .iter()
            .map(|name| self.add("Products", json!({ "name": name, "isActive": true })))
            .collect();
        for n in 0..size.configuration_items {
            let company = *self.rng.pick(companies);
            let product = *self.rng.pick(&products);
            let warranty = self.day((n as i64 * 37) % 730 - 180);
            self.add(
                "ConfigurationItems",
                json!({ "companyID": company, "productID": product, "isActive": true,
                        "referenceTitle": format!("Asset {}", n + 1), "installDate": self.day(-400 + n as i64),
                        "warrantyExpirationDate": warranty,
                        "userDefinedFields": { "Warranty Expires": warranty } }),
            );
        }
    }

    /// One-year contracts ending [`CONTRACT_END_DAYS`] from today, each with the three services.
    fn contracts(&mut self, size: &SeedSize, companies: &[i64]) {
        let services: Vec<i64> = ["Managed Workstation", "Managed Server", "Backup"]
            .iter()
            .map(|name| self.add("Services", json!({ "name": name, "unitPrice": 50.0 })))
            .collect();
        for n in 0..size.contracts {
            let company = *self.rng.pick(companies);
            let end = CONTRACT_END_DAYS[n % CONTRACT_END_DAYS.len()];
            let contract = self.add(
                "Contracts",
                json!({ "companyID": company, "contractName": format!("Managed Services {}", n + 1),
                        "contractType": 7, "status": if end < 0 { 0 } else { 1 },
                        "startDate": self.day(end - 364), "endDate": self.day(end) }),
            );
            for &service in &services {
                self.add(
                    "ContractServices",
                    json!({ "contractID": contract, "serviceID": service, "unitPrice": 50.0 }),
                );
            }
        }
    }

    /// Projects started a week apart from 30 days ago, statuses New, In Progress, In Progress, Complete
    /// in turn, each with two phases of two tasks.
    fn projects(&mut self, size: &SeedSize, companies: &[i64], resources: &[i64]) {
        const STATUSES: &[i64] = &[1, 2, 2, 5];
        for n in 0..size.projects {
            let company = *self.rng.pick(companies);
            let start = -30 + 7 * n as i64;
            let status = STATUSES[n % STATUSES.len()];
            let project = self.add(
                "Projects",
                json!({ "companyID": company, "projectName": format!("Migration project {}", n + 1), "projectType": 5,
                        "status": status, "startDateTime": self.day(start), "endDateTime": self.day(start + 90) }),
            );
            for phase in ["Planning", "Execution"] {
                let phase_id = self.add("Phases", json!({ "projectID": project, "title": phase }));
                for task in 0..2 {
                    let resource = *self.rng.pick(resources);
                    let task_status = if status == 5 || (phase == "Planning" && task == 0) {
                        5
                    } else {
                        1
                    };
                    self.add(
                        "Tasks",
                        json!({ "projectID": project, "phaseID": phase_id, "title": format!("{phase} task {}", task + 1),
                                "assignedResourceID": resource, "taskType": 1, "status": task_status }),
                    );
                }
            }
        }
    }

    /// Quotes (each with its opportunity) expiring 20, 15, 10, ... days from today (later ones expired).
    fn quotes(&mut self, size: &SeedSize, companies: &[i64], resources: &[i64]) {
        for n in 0..size.quotes {
            let company = *self.rng.pick(companies);
            let opportunity = self.add(
                "Opportunities",
                json!({ "companyID": company, "title": format!("Hardware refresh {}", n + 1), "status": 1,
                        "ownerResourceID": resources[n % resources.len()], "amount": 5000.0, "cost": 3500.0,
                        "probability": 50, "startDate": self.day(-10), "projectedCloseDate": self.day(30) }),
            );
            self.add(
                "Quotes",
                json!({ "name": format!("Quote {}", n + 1), "opportunityID": opportunity, "companyID": company,
                        "isActive": true, "effectiveDate": self.day(-10), "expirationDate": self.day(20 - 5 * n as i64) }),
            );
        }
    }

    /// Invoices over the last 120 days, due after 30 days; every other one paid.
    fn invoices(&mut self, size: &SeedSize, companies: &[i64]) {
        for n in 0..size.invoices {
            let company = *self.rng.pick(companies);
            let issued = -((n as i64 * 9) % 120);
            let paid = (n % 2 == 0).then(|| self.day(issued + 14));
            self.add(
                "Invoices",
                json!({ "companyID": company, "invoiceDateTime": self.day(issued), "dueDate": self.day(issued + 30),
                        "invoiceNumber": format!("INV-{:05}", n + 1), "invoiceTotal": 100.0 + n as f64,
                        "isVoided": false, "paidDate": paid }),
            );
        }
    }

    /// Tickets created evenly over the last [`TICKET_DAYS`] days (the newest today at 00:00), due two days
    /// after creation, with notes and time entries.
    fn tickets(
        &mut self,
        size: &SeedSize,
        companies: &[i64],
        contacts: &[Vec<i64>],
        resources: &[i64],
        roles: &[i64],
    ) {
        const SUB_TYPES: &[(i64, i64)] = &[
            (4, 101),
            (4, 102),
            (4, 103),
            (5, 201),
            (5, 202),
            (6, 301),
            (6, 302),
            (7, 401),
            (7, 402),
        ];
        const QUEUES: &[i64] = &[5, 6, 8, 29682833, 29682969];
        let step = Duration::minutes(TICKET_DAYS * 24 * 60 / size.tickets.max(1) as i64);
        // Activity never lies in the future.
        let today = self.today;
        let until_today = |t: Instant| t.min(today);
        for n in 0..size.tickets {
            let slot = self.rng.below(companies.len());
            let company = companies[slot];
            let contact = contacts.get(slot).and_then(|c| c.first().copied());
            let (issue, sub) = *self.rng.pick(SUB_TYPES);
            let created = self.today - step * (size.tickets - 1 - n) as i32;
            let status = *self.rng.pick(TICKET_STATUSES);
            let resource = *self.rng.pick(resources);
            let role = *self.rng.pick(roles);
            let title = format!("{} #{}", self.rng.pick(TICKET_TITLES), n + 1);
            let activity = until_today(created + Duration::hours(1));
            let mut record = json!({
                "companyID": company, "contactID": contact, "title": title,
                "description": "Reported by the customer through the portal.",
                "status": status, "priority": 1 + self.rng.below(4) as i64, "queueID": *self.rng.pick(QUEUES),
                "source": 4, "issueType": issue, "subIssueType": sub, "ticketType": 1, "ticketCategory": 1,
                "assignedResourceID": resource, "assignedResourceRoleID": role,
                "createDate": datetime::format(&created),
                "lastActivityDate": datetime::format(&activity),
                "dueDateTime": datetime::format(&(created + Duration::days(2))),
                "ticketNumber": format!("T{}.{:04}", created.format("%Y%m%d"), n % 10_000),
                "estimatedHours": 1.5,
            });
            if n % 3 == 0 {
                record["userDefinedFields"] =
                    json!({ "Customer Reference": format!("REF-{}", n + 1) });
            }
            if status == 5 {
                let done = until_today(created + Duration::hours(20));
                record["completedDate"] = json!(datetime::format(&done));
            }
            let ticket = self.put("Tickets", record);
            for note in 0..size.notes_per_ticket {
                let at = until_today(created + Duration::hours(note as i64 + 1));
                self.put("TicketNotes", json!({ "ticketID": ticket, "title": format!("Update {}", note + 1), "noteType": 1, "publish": 1,
                            "description": "Called the customer and reviewed the issue.", "creatorResourceID": resource,
                            "createDateTime": datetime::format(&at) }));
            }
            for entry in 0..size.time_entries_per_ticket {
                let start = until_today(created + Duration::hours(entry as i64 + 1));
                self.put("TimeEntries", json!({ "ticketID": ticket, "resourceID": resource, "roleID": role, "hoursWorked": 0.5,
                            "startDateTime": datetime::format(&start), "endDateTime": datetime::format(&(start + Duration::minutes(30))),
                            "dateWorked": datetime::format(&start), "summaryNotes": "Remote session" }));
            }
        }
    }
}
