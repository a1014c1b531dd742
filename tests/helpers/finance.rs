//! Invoices and Quotes helpers.

#[cfg(feature = "finance")]
mod invoices {
    use crate::sim_support::start;
    use crate::{bodies, calls};
    use autotask::helpers::prelude::*;
    use autotask::{Decimal, Error};
    use autotask_sim::Seed;
    use serde_json::json;

    #[tokio::test]
    async fn invoices_by_account_and_unpaid() {
        let (sim, client) = start(Seed::None).await;
        let invoice = |company: i64, paid: Option<&str>, voided: Option<bool>| {
            json!({"companyID": company, "invoiceDateTime": "2026-01-01T00:00:00Z",
                   "paidDate": paid, "isVoided": voided})
        };
        for record in [
            invoice(1, None, Some(false)),
            invoice(1, Some("2026-02-01T00:00:00Z"), Some(false)),
            invoice(1, None, Some(true)),
            invoice(2, None, None),
        ] {
            sim.insert("Invoices", record).unwrap();
        }
        sim.clear_requests();
        assert_eq!(client.invoices().get_by_account(1).await.unwrap().len(), 3);
        let unpaid = client.invoices().get_unpaid_invoices().await.unwrap();
        let companies: Vec<_> = unpaid.iter().map(|i| i.company_id.unwrap()).collect();
        assert_eq!(
            companies,
            [1, 2],
            "unpaid and not voided; a null isVoided counts as not voided"
        );
        assert_eq!(calls(&sim), vec!["POST Invoices/query"; 2]);
        assert_eq!(
            bodies(&sim)[1]["filter"][0],
            json!({"op": "notExist", "field": "paidDate"})
        );
    }

    #[tokio::test]
    async fn calculate_totals_sums_the_billing_items_of_the_invoice() {
        let (sim, client) = start(Seed::None).await;
        let id = sim
            .insert(
                "Invoices",
                json!({"companyID": 1, "invoiceDateTime": "2026-01-01T00:00:00Z",
                       "invoiceTotal": 363.0, "totalTaxValue": 33.0}),
            )
            .unwrap();
        let item = |invoice: i64, price: f64, tax: f64| {
            json!({"invoiceID": invoice, "billingItemType": 1, "subType": 1, "nonBillable": 0,
                   "extendedPrice": price, "taxDollars": tax, "totalAmount": price + tax})
        };
        for record in [
            item(id, 100.0, 10.0),
            item(id, 200.0, 20.0),
            item(id, 30.0, 3.0),
            item(id + 1, 1000.0, 0.0),
        ] {
            sim.insert("BillingItems", record).unwrap();
        }
        sim.clear_requests();
        let totals = client.invoices().calculate_totals(id).await.unwrap();
        assert_eq!(totals.line_items, 3);
        assert_eq!(totals.subtotal, Decimal::from(330));
        assert_eq!(totals.tax, Decimal::from(33));
        assert_eq!(totals.total, Decimal::from(363));
        assert_eq!(totals.invoice_tax, Some(Decimal::from(33)));
        assert_eq!(totals.matches_invoice(), Some(true));
        assert_eq!(
            calls(&sim),
            [
                format!("GET Invoices/{id}"),
                "POST BillingItems/query".to_string()
            ]
        );
        assert_eq!(
            bodies(&sim)[1]["IncludeFields"],
            json!(["id", "extendedPrice", "taxDollars", "totalAmount"])
        );

        sim.clear_requests();
        let missing = client.invoices().calculate_totals(id + 100).await;
        assert!(matches!(missing, Err(Error::InvalidInput(_))));
        assert_eq!(
            calls(&sim).len(),
            1,
            "no billing-item query for a missing invoice"
        );
    }
}

#[cfg(feature = "crm")]
mod quotes {
    use crate::sim_support::start;
    use crate::{bodies, calls, days_from_now};
    use autotask::helpers::prelude::*;
    use autotask_sim::Seed;
    use serde_json::json;

    fn quote(company: Option<i64>, active: bool, expires: &str) -> serde_json::Value {
        json!({"companyID": company, "name": "Q", "isActive": active, "opportunityID": 3,
               "effectiveDate": "2026-01-01T00:00:00Z", "expirationDate": expires,
               "billToLocationID": 1, "shipToLocationID": 1, "soldToLocationID": 1,
               "description": "Ten laptops", "purchaseOrderNumber": "PO-9"})
    }

    #[tokio::test]
    async fn create_quote_and_pending_quotes() {
        let (sim, client) = start(Seed::None).await;
        let created = client
            .quotes()
            .create_quote(11, 3, 4, "Laptops")
            .description("Ten laptops")
            .send()
            .await
            .unwrap();
        assert_eq!(created.company_id, Some(4));
        assert_eq!(created.sold_to_location_id, Some(11));
        let validity = created.expiration_date.unwrap() - created.effective_date.unwrap();
        assert_eq!(validity.num_days(), 30);
        assert_eq!(
            calls(&sim),
            ["POST Quotes", &format!("GET Quotes/{}", created.id)]
        );

        sim.insert("Quotes", quote(Some(4), true, &days_from_now(-2)))
            .unwrap();
        sim.insert("Quotes", quote(Some(4), false, &days_from_now(20)))
            .unwrap();
        sim.clear_requests();
        let pending = client.quotes().get_pending_quotes().await.unwrap();
        assert_eq!(pending.len(), 1, "active and not expired");
        assert_eq!(pending[0].id, created.id);
        assert_eq!(calls(&sim), ["POST Quotes/query"]);
        assert_eq!(
            bodies(&sim)[0]["filter"][0],
            json!({"op": "eq", "field": "isActive", "value": true})
        );
    }

    #[cfg(feature = "projects")]
    #[tokio::test]
    async fn convert_to_project_copies_the_quote_and_links_it_back() {
        use autotask::entities::{ProjectStatus, ProjectType};
        use autotask::Error;
        use autotask_sim::{FaultKind, FaultRule};
        let (sim, client) = start(Seed::None).await;
        let id = sim
            .insert("Quotes", quote(Some(4), true, &days_from_now(10)))
            .unwrap();
        let start_at = "2026-03-01T00:00:00Z".parse().unwrap();
        let end_at = "2026-04-01T00:00:00Z".parse().unwrap();
        sim.clear_requests();
        let conversion = client
            .quotes()
            .convert_to_project(
                id,
                end_at,
                ProjectType(2),
                start_at,
                ProjectStatus::COMPLETE,
            )
            .await
            .unwrap();
        conversion.link.as_ref().unwrap();
        let project = &conversion.project;
        assert_eq!(project.company_id, Some(4));
        assert_eq!(project.project_name.as_deref(), Some("Q"));
        assert_eq!(project.description.as_deref(), Some("Ten laptops"));
        assert_eq!(project.opportunity_id, Some(3));
        assert_eq!(project.purchase_order_number.as_deref(), Some("PO-9"));
        assert_eq!(
            sim.get("Quotes", id).unwrap()["proposalProjectID"],
            project.id
        );
        assert_eq!(
            calls(&sim),
            [
                format!("GET Quotes/{id}"),
                "POST Projects".to_string(),
                format!("GET Projects/{}", project.id),
                "PATCH Quotes".to_string(),
            ]
        );
        assert_eq!(
            bodies(&sim)[3],
            json!({"id": id, "proposalProjectID": project.id})
        );

        // A failed link is reported beside the project that was made.
        let unlinked = sim
            .insert("Quotes", quote(Some(4), true, &days_from_now(10)))
            .unwrap();
        // A server error on a PATCH is retried: fail the first attempt and all five retries.
        sim.add_fault(
            FaultRule::new(FaultKind::ServerError)
                .method("PATCH")
                .path_contains("/Quotes")
                .next(6),
        );
        let conversion = client
            .quotes()
            .convert_to_project(
                unlinked,
                end_at,
                ProjectType(2),
                start_at,
                ProjectStatus::COMPLETE,
            )
            .await
            .unwrap();
        assert!(conversion.link.is_err());
        assert!(sim.get("Projects", conversion.project.id).is_some());
        assert!(sim.get("Quotes", unlinked).unwrap()["proposalProjectID"].is_null());

        let orphan = sim
            .insert("Quotes", quote(None, true, &days_from_now(10)))
            .unwrap();
        sim.clear_requests();
        let refused = client
            .quotes()
            .convert_to_project(
                orphan,
                end_at,
                ProjectType(2),
                start_at,
                ProjectStatus::COMPLETE,
            )
            .await;
        assert!(
            matches!(refused, Err(Error::InvalidInput(_))),
            "{refused:?}"
        );
        assert_eq!(
            calls(&sim),
            [format!("GET Quotes/{orphan}")],
            "no project created"
        );
    }
}
