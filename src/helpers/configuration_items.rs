//! Helpers for ConfigurationItems and ConfigurationItemTypes (feature `configuration_items`).

use super::Create;
use crate::entities::{
    ConfigurationItem, ConfigurationItemConfigurationItemType, ConfigurationItemField,
    ConfigurationItemType, ConfigurationItemTypeField, NewConfigurationItem,
};
use crate::error::{Error, Result};
use crate::ops::EntityHandle;
use crate::query::Where;
use std::future::Future;

/// Helpers on `client.configuration_items()`.
///
/// A configuration item has no `name` field: its display name is `referenceTitle`, and Autotask
/// requires the product it is an instance of (`productID`).
pub trait ConfigurationItemHelpers {
    /// An active configuration item (`isActive: true`) for company `company_id`, an instance of
    /// product `product_id` (Autotask requires it; py-autotask's `create_ci(name, type_id, company_id)`
    /// has no place for it), named `name` (its `referenceTitle`), of type `type_value`
    /// (`configurationItemType`, a tenant picklist value): [`NewConfigurationItem::new`]'s arguments,
    /// then the extras. Nothing is sent until `send()`: `POST /ConfigurationItems` then
    /// `GET /ConfigurationItems/{id}`.
    fn create_ci(
        &self,
        company_id: i64,
        product_id: i64,
        name: impl Into<String>,
        type_value: impl Into<ConfigurationItemConfigurationItemType>,
    ) -> Create<ConfigurationItem>;

    /// Every configuration item of company `company_id` (`companyID eq`): one
    /// `POST /ConfigurationItems/query` per 500 records, to the end.
    fn get_by_company(
        &self,
        company_id: i64,
    ) -> impl Future<Output = Result<Vec<ConfigurationItem>>> + Send;

    /// Every configuration item whose `configurationItemType` picklist value is `type_value` (values are
    /// tenant-defined; `entityInformation/fields` lists them): one `POST /ConfigurationItems/query` per
    /// 500 records, to the end.
    fn get_by_type(
        &self,
        type_value: impl Into<ConfigurationItemConfigurationItemType> + Send,
    ) -> impl Future<Output = Result<Vec<ConfigurationItem>>> + Send;

    /// Every configuration item in category `category_id` (`configurationItemCategoryID eq`): one
    /// `POST /ConfigurationItems/query` per 500 records, to the end. (Categories belong to configuration
    /// items, not to configuration item types; see [`ConfigurationItemTypeHelpers`].)
    fn get_by_category(
        &self,
        category_id: i64,
    ) -> impl Future<Output = Result<Vec<ConfigurationItem>>> + Send;

    /// Every configuration item whose `serialNumber` equals `serial` (case-insensitive): one
    /// `POST /ConfigurationItems/query` per 500 records, to the end. An empty `serial` is refused with
    /// [`Error::InvalidInput`].
    fn search_by_serial(
        &self,
        serial: &str,
    ) -> impl Future<Output = Result<Vec<ConfigurationItem>>> + Send;
}

impl ConfigurationItemHelpers for EntityHandle<ConfigurationItem> {
    fn create_ci(
        &self,
        company_id: i64,
        product_id: i64,
        name: impl Into<String>,
        type_value: impl Into<ConfigurationItemConfigurationItemType>,
    ) -> Create<ConfigurationItem> {
        let mut body = NewConfigurationItem::new(company_id, product_id, true);
        body.reference_title = Some(name.into());
        body.configuration_item_type = Some(type_value.into());
        Create::new(self.clone(), body)
    }

    async fn get_by_company(&self, company_id: i64) -> Result<Vec<ConfigurationItem>> {
        self.query()
            .filter(ConfigurationItemField::CompanyId.eq(company_id))
            .all()
            .await
    }

    async fn get_by_type(
        &self,
        type_value: impl Into<ConfigurationItemConfigurationItemType> + Send,
    ) -> Result<Vec<ConfigurationItem>> {
        let type_value = type_value.into();
        self.query()
            .filter(ConfigurationItemField::ConfigurationItemType.eq(type_value))
            .all()
            .await
    }

    async fn get_by_category(&self, category_id: i64) -> Result<Vec<ConfigurationItem>> {
        self.query()
            .filter(ConfigurationItemField::ConfigurationItemCategoryId.eq(category_id))
            .all()
            .await
    }

    async fn search_by_serial(&self, serial: &str) -> Result<Vec<ConfigurationItem>> {
        let serial = serial.trim();
        if serial.is_empty() {
            return Err(Error::InvalidInput(
                "search_by_serial needs a non-empty serial number".into(),
            ));
        }
        self.query()
            .filter(ConfigurationItemField::SerialNumber.eq(serial))
            .all()
            .await
    }
}

/// Setters for common optional configuration item fields; any other field: [`Create::with`].
impl Create<ConfigurationItem> {
    /// `configurationItemType` (a tenant picklist value).
    pub fn configuration_item_type(
        self,
        type_value: impl Into<ConfigurationItemConfigurationItemType>,
    ) -> Self {
        let type_value = type_value.into();
        self.with(|ci| ci.configuration_item_type = Some(type_value))
    }

    /// `serialNumber`.
    pub fn serial_number(self, serial: impl Into<String>) -> Self {
        let serial = serial.into();
        self.with(|ci| ci.serial_number = Some(serial))
    }

    /// `configurationItemCategoryID`.
    pub fn category_id(self, category_id: i64) -> Self {
        self.with(|ci| ci.configuration_item_category_id = Some(category_id))
    }
}

/// Helpers on `client.configuration_item_types()`.
///
/// A ConfigurationItemType has only `id`, `name` and `isActive`: there is no category to filter types
/// by, so py-autotask's `get_by_category` is offered where categories exist, as
/// [`ConfigurationItemHelpers::get_by_category`].
pub trait ConfigurationItemTypeHelpers {
    /// Every configuration item type, active or not: one `POST /ConfigurationItemTypes/query` per 500
    /// records, to the end.
    fn get_all_types(&self) -> impl Future<Output = Result<Vec<ConfigurationItemType>>> + Send;

    /// The active types only (`isActive eq true`), same requests.
    fn get_active_types(&self) -> impl Future<Output = Result<Vec<ConfigurationItemType>>> + Send;
}

impl ConfigurationItemTypeHelpers for EntityHandle<ConfigurationItemType> {
    async fn get_all_types(&self) -> Result<Vec<ConfigurationItemType>> {
        self.query().all().await
    }

    async fn get_active_types(&self) -> Result<Vec<ConfigurationItemType>> {
        self.query()
            .filter(ConfigurationItemTypeField::IsActive.eq(true))
            .all()
            .await
    }
}
