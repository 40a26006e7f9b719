//! One small impl per feed: how a conformed row becomes its DWD row. Everything else
//! (headers, types, rules, ODS) comes from the feed's spec file.

mod employer_registry;
mod employment_registration;
mod facility_registry;
mod flexible_employment;
mod indicator_target;
mod internship;
mod job_application;
mod job_posting;
mod person;
mod policy_subsidy;
mod startup_support;
mod training_enrollment;
mod ui_benefit_payment;
mod ui_fund_monthly;
mod unemployment_registration;

use jiuye_privacy::Keys;
use jiuye_sql_value::SqlValue;
use jiuye_warehouse::ColumnType;

use crate::conform::{CodeTables, ConformedRow, Value, Violation};
use crate::spec::FeedSpec;

pub use employer_registry::EmployerRegistry;
pub use employment_registration::EmploymentRegistration;
pub use facility_registry::FacilityRegistry;
pub use flexible_employment::FlexibleEmployment;
pub use indicator_target::IndicatorTarget;
pub use internship::Internship;
pub use job_application::JobApplication;
pub use job_posting::JobPosting;
pub use policy_subsidy::PolicySubsidy;
pub use startup_support::StartupSupport;
pub use training_enrollment::TrainingEnrollment;
pub use ui_benefit_payment::UiBenefitPayment;
pub use ui_fund_monthly::UiFundMonthly;
pub use unemployment_registration::UnemploymentRegistration;

/// What a feed's DWD row needs besides its values: the version it carries. The dates
/// whose rollups it feeds are read from its values by the semantic sources' date columns.
#[derive(Debug, Clone)]
pub struct DwdRow {
    pub business_key: String,
    /// `YYYY-MM-DD HH:MM:SS`; compared as text to decide which version wins.
    pub updated_at: String,
    pub values: Vec<SqlValue>,
}

pub struct FeedContext<'a> {
    pub keys: &'a Keys,
    /// Indicator codes of the semantic model (indicator_target refers to them).
    pub indicator_codes: &'a std::collections::BTreeSet<String>,
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

    /// A date field as its `dim_date` key, or NULL.
    pub fn date_key(&self, field: &str) -> SqlValue {
        self.get(field).date().map(jiuye_semantic::date_key).into()
    }

    /// The row's version and lineage, the columns every DWD row ends with.
    pub fn lineage(&self, ctx: &FeedContext) -> (String, [SqlValue; 3]) {
        let version = match &self.spec.updated_at {
            Some(field) => self.text(field).to_key(),
            // No 更新时间 in the export: a later file's row is the newer version.
            None => format!("file {:012}", ctx.file_id),
        };
        let values = [
            version.clone().into(),
            SqlValue::Int(ctx.file_id),
            SqlValue::Int(self.row.line as i64),
        ];
        (version, values)
    }

    /// A DWD row: `values` (business key first), then the lineage columns.
    pub fn dwd_row(&self, ctx: &FeedContext, mut values: Vec<SqlValue>) -> DwdRow {
        let (updated_at, lineage) = self.lineage(ctx);
        let business_key = values[0].to_key();
        values.extend(lineage);
        DwdRow {
            business_key,
            updated_at,
            values,
        }
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
    fn to_dwd(&self, fields: &Fields, ctx: &FeedContext) -> Result<DwdRow, Violation>;
    /// A registry keeps every version in `<dwd_table>_history` (SCD2), besides the
    /// newest one in its DWD table.
    fn keeps_history(&self) -> bool {
        false
    }
    /// The row of another feed this feed's rows wait for, if any.
    fn reference(&self) -> Option<&'static Reference> {
        None
    }
}

/// Every feed, in load order: registries before the events that refer to them.
/// Postings load before applications, so an application whose posting arrives in the same
/// run never waits.
pub fn all_feeds() -> Vec<Box<dyn Feed>> {
    vec![
        Box::new(EmployerRegistry),
        Box::new(FacilityRegistry),
        Box::new(IndicatorTarget),
        Box::new(EmploymentRegistration),
        Box::new(FlexibleEmployment),
        Box::new(UnemploymentRegistration),
        Box::new(JobPosting),
        Box::new(JobApplication),
        Box::new(TrainingEnrollment),
        Box::new(StartupSupport),
        Box::new(UiBenefitPayment),
        Box::new(UiFundMonthly),
        Box::new(PolicySubsidy),
        Box::new(Internship),
    ]
}

/// A DWD row that needs a row of another feed before it can load: an application needs
/// its posting, and takes the posting's district, industry and occupation. Until the
/// referenced row is in DWD the row waits in `meta_pending_row`.
pub struct Reference {
    /// Column of this feed's DWD row holding the referenced business key.
    pub column: &'static str,
    /// The referenced DWD table and its key column.
    pub table: &'static str,
    pub key: &'static str,
    /// (column of this row, column of the referenced row) filled in on load.
    pub copy: &'static [(&'static str, &'static str)],
}
