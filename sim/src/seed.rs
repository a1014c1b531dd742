//! The deterministic demo data generator. Every reference points at a record that exists; the same sizes
//! always give the same data.

use crate::catalog::Catalog;
use crate::config::SeedSize;
use crate::rng::SplitMix64;
use crate::store::{Record, Store};
use autotask::meta::{DataType, EntityMeta};
use autotask::wire::datetime;
use chrono::{Duration, TimeZone, Utc};
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

/// Generates the demo data set into `store`.
pub fn generate(store: &mut Store, catalog: &Catalog, size: &SeedSize) {
    let mut seeder = Seeder {
        store,
        catalog,
        rng: SplitMix64::new(0x5EED),
    };
    seeder.run(size);
}

struct Seeder<'a> {
    store: &'a mut Store,
    catalog: &'a Catalog,
    rng: SplitMix64,
}

fn base_time() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 8, 9, 0, 0)
        .single()
        .unwrap_or_default()
}

fn meta(name: &str) -> &'static EntityMeta {
    autotask::entity_meta(name).unwrap_or_else(|| panic!("the schema has no {name} entity"))
}

impl Seeder<'_> {
    fn date(&mut self, max_days: i64) -> String {
        let minutes = (self.rng.below((max_days * 24 * 60) as usize)) as i64;
        datetime::format(&(base_time() + Duration::minutes(minutes)))
    }

    fn ids(&self, entity: &str) -> Vec<i64> {
        self.store
            .table(entity)
            .map(|t| t.rows.keys().copied().collect())
            .unwrap_or_default()
    }

    /// Fills the required fields `fields` leaves empty with plausible values, then inserts.
    fn add(&mut self, entity: &str, fields: Value) -> i64 {
        let meta = meta(entity);
        let mut record: Record = fields.as_object().cloned().unwrap_or_default();
        for field in meta
            .fields
            .iter()
            .filter(|f| f.is_required() && f.name != "id")
        {
            if record.contains_key(field.name) {
                continue;
            }
            let value =
                if let Some(list) = self.catalog.picklist(meta, field).filter(|l| !l.is_empty()) {
                    json!(list[self.rng.below(list.len())].value)
                } else if let Some(target) = (!field.reference.is_empty())
                    .then(|| self.catalog.by_model(field.reference))
                    .flatten()
                {
                    let ids = self.ids(target.name);
                    json!(ids
                        .get(self.rng.below(ids.len().max(1)))
                        .copied()
                        .unwrap_or(1))
                } else {
                    match field.data_type {
                        DataType::String => {
                            let text = format!("{} {}", field.name, record.len() + 1);
                            json!(text
                                .chars()
                                .take(field.length.max(1) as usize)
                                .collect::<String>())
                        }
                        DataType::DateTime => json!(self.date(365)),
                        DataType::Boolean => json!(true),
                        DataType::Double | DataType::Decimal => json!(1.0),
                        _ => json!(1),
                    }
                };
            record.insert(field.name.to_string(), value);
        }
        if meta.field("createDate").is_some() && !record.contains_key("createDate") {
            record.insert("createDate".into(), json!(self.date(365)));
        }
        self.put(meta.name, Value::Object(record))
    }

    /// Inserts `fields`, keeping only names the schema knows (and `userDefinedFields`), nulls dropped.
    fn put(&mut self, entity: &str, fields: Value) -> i64 {
        let meta = meta(entity);
        let mut record: Record = fields.as_object().cloned().unwrap_or_default();
        record.retain(|k, v| {
            !v.is_null() && (k == "userDefinedFields" || meta.field(k).is_some_and(|f| f.name == k))
        });
        self.store.insert(meta.name, record)
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
        let mut resources = Vec::new();
        for n in 0..size.resources.max(1) {
            let (first, last) = self.person();
            let id = self.add(
                "Resources",
                json!({
                    "firstName": first, "lastName": last, "isActive": true,
                    "email": format!("{}.{}{n}@msp.example", first.to_lowercase(), last.to_lowercase()),
                    "userName": format!("{}{}{n}", &first[..1].to_lowercase(), last.to_lowercase()),
                }),
            );
            resources.push(id);
        }
        let owner = json!({ "companyName": "Simulated MSP", "companyType": 1, "phone": "555-0100", "ownerResourceID": resources[0], "isActive": true });
        self.store.insert_with_id(
            "Companies",
            0,
            owner.as_object().cloned().unwrap_or_default(),
        );
        let mut companies = Vec::new();
        for n in 0..size.companies {
            let name = format!(
                "{} {} {}",
                self.rng.pick(COMPANY_WORDS),
                self.rng.pick(COMPANY_SUFFIXES),
                n + 1
            );
            let owner = *self.rng.pick(&resources);
            let employees = 5 + self.rng.below(500);
            let id = self.add(
                "Companies",
                json!({
                    "companyName": name, "companyType": 1, "phone": format!("555-{:04}", n + 1),
                    "ownerResourceID": owner, "isActive": true, "city": "Springfield",
                    "userDefinedFields": { "Number of Employees": employees.to_string() },
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
        let mut contacts_by_company: Vec<Vec<i64>> = Vec::new();
        for &company in &companies {
            let mut ids = Vec::new();
            for _ in 0..size.contacts_per_company {
                let (first, last) = self.person();
                ids.push(self.add(
                    "Contacts",
                    json!({ "companyID": company, "firstName": first, "lastName": last, "isActive": 1,
                            "emailAddress": format!("{}.{}@customer.example", first.to_lowercase(), last.to_lowercase()) }),
                ));
            }
            contacts_by_company.push(ids);
        }
        let products: Vec<i64> = ["Laptop", "Firewall", "Switch", "Server"]
            .iter()
            .map(|name| self.add("Products", json!({ "name": name, "isActive": true })))
            .collect();
        for n in 0..size.configuration_items {
            let company = *self.rng.pick(&companies);
            let product = *self.rng.pick(&products);
            self.add(
                "ConfigurationItems",
                json!({ "companyID": company, "productID": product, "isActive": true, "referenceTitle": format!("Asset {}", n + 1) }),
            );
        }
        let services: Vec<i64> = ["Managed Workstation", "Managed Server", "Backup"]
            .iter()
            .map(|name| self.add("Services", json!({ "name": name, "unitPrice": 50.0 })))
            .collect();
        for n in 0..size.contracts {
            let company = *self.rng.pick(&companies);
            let contract = self.add(
                "Contracts",
                json!({ "companyID": company, "contractName": format!("Managed Services {}", n + 1), "contractType": 7,
                        "startDate": "2024-01-01T00:00:00Z", "endDate": "2024-12-31T00:00:00Z" }),
            );
            for &service in &services {
                self.add(
                    "ContractServices",
                    json!({ "contractID": contract, "serviceID": service, "unitPrice": 50.0 }),
                );
            }
        }
        for n in 0..size.projects {
            let company = *self.rng.pick(&companies);
            let project = self.add(
                "Projects",
                json!({ "companyID": company, "projectName": format!("Migration project {}", n + 1), "projectType": 5,
                        "startDateTime": "2024-02-01T00:00:00Z", "endDateTime": "2024-06-30T00:00:00Z" }),
            );
            for phase in ["Planning", "Execution"] {
                let phase_id = self.add("Phases", json!({ "projectID": project, "title": phase }));
                for task in 0..2 {
                    let resource = *self.rng.pick(&resources);
                    self.add(
                        "Tasks",
                        json!({ "projectID": project, "phaseID": phase_id, "title": format!("{phase} task {}", task + 1),
                                "assignedResourceID": resource, "taskType": 1 }),
                    );
                }
            }
        }
        for n in 0..size.quotes {
            let company = *self.rng.pick(&companies);
            let opportunity = self.add(
                "Opportunities",
                json!({ "companyID": company, "title": format!("Hardware refresh {}", n + 1) }),
            );
            self.add(
                "Quotes",
                json!({ "name": format!("Quote {}", n + 1), "opportunityID": opportunity, "companyID": company,
                        "effectiveDate": "2024-03-01T00:00:00Z", "expirationDate": "2024-04-01T00:00:00Z" }),
            );
        }
        for n in 0..size.invoices {
            let company = *self.rng.pick(&companies);
            let date = self.date(365);
            self.add(
                "Invoices",
                json!({ "companyID": company, "invoiceDateTime": date, "invoiceNumber": format!("INV-{:05}", n + 1),
                        "invoiceTotal": 100.0 + n as f64 }),
            );
        }
        self.tickets(size, &companies, &contacts_by_company, &resources, &roles);
    }

    fn tickets(
        &mut self,
        size: &SeedSize,
        companies: &[i64],
        contacts: &[Vec<i64>],
        resources: &[i64],
        roles: &[i64],
    ) {
        const STATUSES: &[i64] = &[1, 1, 5, 5, 5, 7, 8, 8];
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
        for n in 0..size.tickets {
            let slot = self.rng.below(companies.len());
            let company = companies[slot];
            let contact = contacts.get(slot).and_then(|c| c.first().copied());
            let (issue, sub) = *self.rng.pick(SUB_TYPES);
            let created = base_time() + Duration::minutes((n as i64) * 7);
            let status = *self.rng.pick(STATUSES);
            let resource = *self.rng.pick(resources);
            let role = *self.rng.pick(roles);
            let title = format!("{} #{}", self.rng.pick(TICKET_TITLES), n + 1);
            let mut record = json!({
                "companyID": company, "contactID": contact, "title": title,
                "description": "Reported by the customer through the portal.",
                "status": status, "priority": 1 + self.rng.below(4) as i64, "queueID": *self.rng.pick(QUEUES),
                "source": 4, "issueType": issue, "subIssueType": sub, "ticketType": 1, "ticketCategory": 1,
                "assignedResourceID": resource, "assignedResourceRoleID": role,
                "createDate": datetime::format(&created),
                "dueDateTime": datetime::format(&(created + Duration::days(2))),
                "ticketNumber": format!("T{}.{:04}", created.format("%Y%m%d"), n % 10_000),
                "estimatedHours": 1.5,
            });
            if status == 5 {
                record["completedDate"] = json!(datetime::format(&(created + Duration::hours(20))));
            }
            let ticket = self.put("Tickets", record);
            for note in 0..size.notes_per_ticket {
                self.put("TicketNotes", json!({ "ticketID": ticket, "title": format!("Update {}", note + 1), "noteType": 1, "publish": 1,
                            "description": "Called the customer and reviewed the issue.", "creatorResourceID": resource,
                            "createDateTime": datetime::format(&(created + Duration::hours(note as i64 + 1))) }));
            }
            for entry in 0..size.time_entries_per_ticket {
                let start = created + Duration::hours(entry as i64 + 1);
                self.put("TimeEntries", json!({ "ticketID": ticket, "resourceID": resource, "roleID": role, "hoursWorked": 0.5,
                            "startDateTime": datetime::format(&start), "endDateTime": datetime::format(&(start + Duration::minutes(30))),
                            "dateWorked": datetime::format(&start), "summaryNotes": "Remote session" }));
            }
        }
    }
}
