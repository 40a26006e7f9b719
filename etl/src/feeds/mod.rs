//! One small impl per feed: how a conformed row becomes its DWD row. Everything else
//! (headers, types, rules, ODS) comes from the feed's spec file.

mod employer_registry;
mod employment_registration;
mod flexible_employment;
mod person;
mod unemployment_registration;

use jiuye_privacy::Keys;
use jiuye_sql_value::SqlValue;
use jiuye_warehouse::ColumnType;

use crate::conform::{CodeTables, ConformedRow, Value, Violation};
use crate::spec::FeedSpec;

pub use employer_registry::EmployerRegistry;
pub use employment_registration::EmploymentRegistration;
pub use flexible_employment::FlexibleEmployment;
pub use unemployment_registration::UnemploymentRegistration;

/// What a feed's DWD row needs besides its values: the version it carries and the date
/// whose rollups it feeds.
#[derive(Debug, Clone)]
pub struct DwdRow {
    pub business_key: String,
    /// `YYYY-MM-DD HH:MM:SS`; compared as text to decide which version wins.
    pub updated_at: String,
    pub date_key: Option<i64>,
    pub values: Vec<SqlValue>,
}

pub struct FeedContext<'a> {
    pub keys: &'a Keys,
    pub codes: &'a CodeTables,
    pub file_id: i64,
}

/// Reads a conformed row's fields by name.
pub struct Fields<'a> {
    pub spec: &'a FeedSpec,
    pub row: &'a ConformedRow,
}

impl<'a> Fields<'a> {
    pub fn get(&self, field: &str) -> &'a Value {
        let i = self
            .spec
            .columns
            .iter()
            .position(|c| c.field == field)
            .unwrap_or_else(|| panic!("feed spec {} lacks field {field}", self.spec.feed));
        &self.row.values[i]
    }

    pub fn text(&self, field: &str) -> SqlValue {
        match self.get(field) {
            Value::Text(s) => SqlValue::Text(s.clone()),
            Value::Date(d) => SqlValue::Text(d.format("%Y-%m-%d").to_string()),
            Value::Timestamp(t) => SqlValue::Text(t.format("%Y-%m-%d %H:%M:%S").to_string()),
            Value::Int(i) => SqlValue::Text(i.to_string()),
            Value::Decimal(f) => SqlValue::Text(f.to_string()),
            Value::Null => SqlValue::Null,
        }
    }

    pub fn str(&self, field: &str) -> &'a str {
        self.get(field).text().unwrap_or("")
    }

    pub fn number(&self, field: &str) -> SqlValue {
        match self.get(field) {
            Value::Int(i) => SqlValue::Int(*i),
            Value::Decimal(f) => SqlValue::Float(*f),
            _ => SqlValue::Null,
        }
    }
}

pub trait Feed: Send + Sync {
    /// The feed name of source-feeds.md; files whose name starts with it belong to it.
    fn name(&self) -> &'static str;
    fn dwd_table(&self) -> &'static str;
    /// DWD columns in `DwdRow::values` order; the first is the business key.
    fn dwd_columns(&self) -> &'static [(&'static str, ColumnType)];
    /// The semantic-model source whose rollups this feed's dates dirty, if any.
    fn semantic_source(&self) -> Option<&'static str>;
    fn to_dwd(&self, fields: &Fields, ctx: &FeedContext) -> Result<DwdRow, Violation>;
}

/// Every feed, in load order: registries before the events that refer to them.
pub fn all_feeds() -> Vec<Box<dyn Feed>> {
    vec![
        Box::new(EmployerRegistry),
        Box::new(EmploymentRegistration),
        Box::new(FlexibleEmployment),
        Box::new(UnemploymentRegistration),
    ]
}
